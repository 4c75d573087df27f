/* SPDX-License-Identifier: MIT */
/* The "qrwlock" strategy (locks/qrwlock.c): the kernel's queued rwlock with our one change,
 * fast paths taken only while nobody is queued on wait_lock. One word `cnts` (readers in
 * bits 9 and up, 0xff a writer holds, 0x100 a writer waits) and a FIFO ticket lock
 * `wait_lock` (next, serving). Each atomic of the C code is one Promela step; every wait
 * loop is a blocking guard. See docs/models.md for the mapping and what is abstracted.
 *
 * Broken variants, which SPIN must reject:
 *   BARGING          the kernel's fast paths, which do not look at the queue: a queued
 *                    thread is passed again and again by threads that come later
 *   READER_IGNORES_WAITING
 *                    the reader fast path tests only QW_LOCKED: readers stream past the
 *                    writer waiting at the head of the queue
 *
 * Properties: mutual exclusion; queued threads enter in queue (ticket) order; no reader
 * enters while the writer at the head waits (WAITING set) for those inside to leave; a
 * queued thread is passed by fast paths at most once per other thread (bounded bypass:
 * no starvation); no deadlock (every process ends: SPIN's invalid end states). */

#define NREAD	2
#define NWRITE	2
#define RROUNDS	2
#define WROUNDS	1
#define NPROC	(NREAD + NWRITE)

#define QW_LOCKED	255
#define QW_WAITING	256
#define QW_WMASK	511
#define QR_BIAS		512

int cnts;
byte wl_next, wl_serving;	/* wait_lock: ck_spinlock_ticket (next, position) */

/* Ghosts, for the properties only. */
byte readers_in, writers_in;
bool head_writer_waiting;	/* the writer at the head has set WAITING, not yet entered */
int last_qticket = -1;		/* queue ticket of the last thread that entered through it */
bool queued[NPROC + 1];		/* holds a wait_lock ticket, not yet entered (by _pid) */
byte bypass[NPROC + 1];		/* fast-path entries while it was queued */

#ifdef BARGING
#define nobody_queued()	true
#else
#define nobody_queued()	(wl_next == wl_serving)
#endif

#ifdef READER_IGNORES_WAITING
#define READER_BLOCKED_BY	QW_LOCKED
#else
#define READER_BLOCKED_BY	QW_WMASK
#endif

/* A fast-path entry passes every thread that is queued. */
inline count_bypass() {
	i = 0;
	do
	:: i <= NPROC ->
		if
		:: queued[i] -> bypass[i]++; assert(bypass[i] < NPROC)
		:: else
		fi;
		i++
	:: else -> break
	od;
	i = 0
}

inline read_enter() {
	assert(writers_in == 0);
	assert(!head_writer_waiting);
	readers_in++
}

inline write_enter() {
	assert(writers_in == 0 && readers_in == 0);
	writers_in++
}

inline queue_enter() {
	d_step { tk = wl_next; wl_next++; queued[_pid] = true };
	wl_serving == tk
}

/* Entered through the queue: in ticket order. */
inline queued_entered() {
	assert(tk > last_qticket);
	last_qticket = tk;
	queued[_pid] = false;
	bypass[_pid] = 0
}

inline queue_leave() {
	wl_serving++;
	tk = 0
}

proctype reader()
{
	byte round = 0, tk, i;
	int old;

	do
	:: round == RROUNDS -> break
	:: round < RROUNDS ->
		/* read_lock: the fast path while nobody is queued */
		if
		:: nobody_queued() ->
			atomic {
				old = cnts;
				cnts = cnts + QR_BIAS;
				if
				:: (old & READER_BLOCKED_BY) == 0 ->
					read_enter(); count_bypass(); goto held
				:: else
				fi
			}
			cnts = cnts - QR_BIAS	/* reader_gone: take the bias back */
		:: else
		fi;
		/* read_lock_queued */
		queue_enter();
		cnts = cnts + QR_BIAS;
		atomic { (cnts & QW_LOCKED) == 0 -> read_enter(); queued_entered() };
		queue_leave();
held:		old = 0;
		/* read_unlock */
		atomic { readers_in--; cnts = cnts - QR_BIAS };
		round++
	od
}

proctype writer()
{
	byte round = 0, tk, i;

	do
	:: round == WROUNDS -> break
	:: round < WROUNDS ->
		/* write_lock: the fast path while nobody is queued */
		if
		:: nobody_queued() ->
			atomic {
				if
				:: cnts == 0 ->
					cnts = QW_LOCKED; write_enter(); count_bypass(); goto held
				:: else
				fi
			}
		:: else
		fi;
		/* write_lock_slowpath */
		queue_enter();
		atomic {
			if
			:: cnts == 0 ->
				cnts = QW_LOCKED; write_enter(); queued_entered(); goto leave
			:: else
			fi
		}
		atomic { cnts = cnts | QW_WAITING; head_writer_waiting = true };
		atomic {
			cnts == QW_WAITING -> cnts = QW_LOCKED;
			head_writer_waiting = false;
			write_enter();
			queued_entered()
		};
leave:		queue_leave();
held:		/* write_unlock */
		atomic { writers_in--; cnts = cnts - QW_LOCKED };
		round++
	od
}

init
{
	byte k;

	atomic {
		k = 0;
		do
		:: k < NREAD -> run reader(); k++
		:: else -> break
		od;
		k = 0;
		do
		:: k < NWRITE -> run writer(); k++
		:: else -> break
		od
	}
}
