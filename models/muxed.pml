/* SPDX-License-Identifier: MIT */
/* The MUXED wait/wake protocol of the engine (engine/muxed_wait.c; the request and release
 * paths of engine/backends/{rwlock,rcu,itree}.c): claimers contend for one busy-muxed
 * region under the tree lock; a claimer that meets it busy sleeps on the wait queue and
 * retries once woken; a release unlinks the region under the tree lock and wakes the queue
 * after dropping it. See docs/models.md for what is abstracted away.
 *
 * Kind (one of):
 *   (default)  "global": one queue, a wake-up generation; every release wakes every sleeper
 *   HASHED     "hashed": each waiter queued with its region; a release wakes the waiters of
 *              that region only; a remover takes one busy region out of the tree
 *              (remove_resource) and wakes its waiters (muxed_region_gone)
 * Broken variants, which SPIN must reject:
 *   LATE_TICKET    global: the generation is read after the tree lock is dropped (the
 *                  kernel's window, in which a wake-up is lost): a sleeper is left behind
 *   LATE_ENQUEUE   hashed: the waiter queues itself after the tree lock is dropped: same
 *   GRANT_ON_WAKE  a woken waiter takes the region without looking again: double grant
 *   GONE_SILENT    hashed: removing a busy region wakes nobody (as "global" and the kernel
 *                  do): its waiters are left behind
 *
 * Properties: no double grant (assert: the region is free when it is granted); no lost
 * wake-up and no sleeper left behind (every claimer ends: SPIN's invalid end states). */

#define NCLAIM	3	/* claimers */
#define ROUNDS	2	/* claims per claimer */
#define NONE	255

#ifdef HASHED
#define NREG	2	/* two regions in one bucket: a wake-up must pick its own */
#else
#define NREG	1
#endif

bit tree_lock;		/* the tree lock (held for writing by every request and release) */
bit bucket_mu;		/* the bucket's mutex (struct muxed_bucket.mu) */
byte generation;	/* global: bumped by every wake-up */
bool cv_waiting[NCLAIM];	/* blocked in pthread_cond_wait on the bucket's cv */
byte owner[NREG];	/* who holds the region, as the tree says (NONE: free) */
#ifdef HASHED
bool queued[NCLAIM];	/* on the bucket's waiter list */
bool woken[NCLAIM];	/* struct muxed_waiter.woken */
byte wait_region[NCLAIM];
#endif

inline lock(m)		{ atomic { m == 0 -> m = 1 } }
inline unlock(m)	{ m = 0 }

/* pthread_cond_wait(cv, mu): release mu and block in one step, until a broadcast; then
 * take mu again. No spurious wake-ups: with them nothing ever blocks for good and a lost
 * wake-up would not show as an end state (the loops around each wait recheck anyway). */
inline cond_wait(me) {
	atomic { cv_waiting[me] = true; unlock(bucket_mu) }
	!cv_waiting[me];
	lock(bucket_mu)
}

inline cond_broadcast() {
	d_step {
		i = 0;
		do
		:: i < NCLAIM -> cv_waiting[i] = false; i++
		:: else -> break
		od
	}
}

/* wake() in muxed_wait.c: under the bucket mutex, bump the generation (global) or mark the
 * waiters of exactly region r woken and unqueue them (hashed); broadcast. */
inline wake(r) {
	lock(bucket_mu);
	generation++;
#ifdef HASHED
	d_step {
		i = 0;
		do
		:: i < NCLAIM ->
			if
			:: queued[i] && wait_region[i] == r -> woken[i] = true; queued[i] = false
			:: else
			fi;
			i++
		:: else -> break
		od
	}
#endif
	cond_broadcast();
	unlock(bucket_mu)
}

/* muxed_wait_for(): entered with the tree lock held, returns with it held again. */
inline muxed_wait_for(me, r) {
#if !defined(HASHED) && !defined(LATE_TICKET)
	lock(bucket_mu);
	ticket = generation;
	unlock(bucket_mu);
#endif
#if defined(HASHED) && !defined(LATE_ENQUEUE)
	lock(bucket_mu);
	queued[me] = true; woken[me] = false; wait_region[me] = r;
	unlock(bucket_mu);
#endif
	unlock(tree_lock);
#ifdef LATE_TICKET
	lock(bucket_mu);
	ticket = generation;
	unlock(bucket_mu);
#endif
#ifdef LATE_ENQUEUE
	lock(bucket_mu);
	queued[me] = true; woken[me] = false; wait_region[me] = r;
	unlock(bucket_mu);
#endif
	lock(bucket_mu);
#ifdef HASHED
	do
	:: !woken[me] -> cond_wait(me)
	:: else -> break
	od;
#else
	do
	:: generation == ticket -> cond_wait(me)
	:: else -> break
	od;
#endif
	unlock(bucket_mu);
	lock(tree_lock)
}

proctype claimer(byte me)
{
	byte ticket, r, i, round = 0;
	bool mine;

#ifdef HASHED
	r = me % NREG;
#else
	r = 0;
#endif
	do
	:: round == ROUNDS -> break
	:: round < ROUNDS ->
		/* __request_region(): the loop under the tree lock */
		lock(tree_lock);
		do
		:: owner[r] == NONE ->
grant:			assert(owner[r] == NONE);	/* no double grant */
			owner[r] = me;
			break
		:: else ->
			muxed_wait_for(me, r);
#ifdef GRANT_ON_WAKE
			goto grant
#endif
		od;
		unlock(tree_lock);

		/* __release_region(): unlink under the lock, wake after dropping it. A region
		 * removed meanwhile is not ours to release (-ENOENT) and wakes nobody. */
		lock(tree_lock);
		mine = owner[r] == me;
		if
		:: mine -> owner[r] = NONE
		:: else
		fi;
		unlock(tree_lock);
		if
		:: mine -> wake(r)
		:: else
		fi;
		round++
	od
}

#ifdef HASHED
/* remove_resource() of region 0 while it is busy, once; muxed_region_gone() after the
 * tree lock is dropped. */
active proctype remover()
{
	byte i;
	bool gone = false;

	lock(tree_lock);
	if
	:: owner[0] != NONE -> owner[0] = NONE; gone = true
	:: else
	fi;
	unlock(tree_lock);
#ifndef GONE_SILENT
	if
	:: gone -> wake(0)
	:: else
	fi
#endif
}
#endif

init
{
	byte k;

	atomic {
		k = 0;
		do
		:: k < NREG -> owner[k] = NONE; k++
		:: else -> break
		od;
		k = 0;
		do
		:: k < NCLAIM -> run claimer(k); k++
		:: else -> break
		od
	}
}
