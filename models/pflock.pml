/* SPDX-License-Identifier: MIT */
/* The "pflock" strategy: Concurrency Kit's phase-fair rwlock (ck_pflock.h) as our wrapper
 * drives it (locks/pflock.c): CK's read_unlock and, with no writer waiting, CK's
 * write_unlock; our write-phase handover (serve_next) when one waits; our phase IDs
 * (`phase`) and trylocks. Each C step on the lock words is one Promela step; every wait
 * loop is a blocking guard (the spin and park policies only decide how to wait).
 * See docs/models.md for the mapping and what is abstracted away.
 *
 * Broken variants, which SPIN must reject:
 *   UNFENCED_UNLOCK  CK's write_unlock with its two atomics seen in the other order (wout
 *                    bumped before rin's writer bits are cleared), which nothing in CK
 *                    forbids on a weakly ordered CPU: the next writer's phase is wiped
 *   TICKET_PHASE     CK's phase ID, the ticket's low bit: a write_trylock that gives its
 *                    ticket back makes two phases in a row share an ID: deadlock
 *
 * Properties: mutual exclusion (asserts at every entry); phase fairness: a reader waits
 * for at most one write phase (assert), writers enter in ticket order (assert); no
 * deadlock (every process ends: SPIN's invalid end states). */

#define NREAD	2
#define NWRITE	2
#define RROUNDS	1	/* acquisitions per reader */
#define WROUNDS	2	/* per writer */

/* ck_pflock.h */
#define LSB	(~15)		/* CK_PFLOCK_LSB 0xFFFFFFF0 */
#define RINC	256		/* CK_PFLOCK_RINC */
#define WBITS	3		/* CK_PFLOCK_WBITS */
#define PRES	2		/* CK_PFLOCK_PRES */
#define PHID	1		/* CK_PFLOCK_PHID */

int rin, rout, win, wout;	/* ck_pflock_t */
int phase, drain;		/* struct pflock */

/* Ghosts, for the properties only. */
byte readers_in, writers_in;
int wentries;			/* write phases entered */
int last_wticket = -1;		/* ticket of the writer that entered last */

inline read_enter() {
	atomic {
		assert(writers_in == 0);
		assert(wentries - snap <= 1);	/* at most one write phase waited for */
		readers_in++
	}
}

inline write_enter() {
	atomic {
		assert(writers_in == 0 && readers_in == 0);
		assert(ticket > last_wticket);	/* writers FIFO */
		last_wticket = ticket;
		wentries++;
		writers_in++
	}
}

/* next_phase_bits(): only the writer that wout serves (or is about to serve) runs it. */
inline next_phase_bits(t, bits) {
#ifdef TICKET_PHASE
	bits = (t & PHID) | PRES
#else
	bits = (phase ^ PHID);
	phase = bits;
	bits = bits | PRES
#endif
}

/* serve_next(p, t, ours): `ours` must be a variable (inline arguments are text). */
inline serve_next(t, ours) {
	if
	:: win == t + 1 ->
		if
		:: (ours) != 0 ->
#ifdef UNFENCED_UNLOCK
			wout++;
			rin = rin & LSB
#else
			/* write_phase_end(): the clear, a store fence, the bump */
			rin = rin & LSB;
			wout++
#endif
		:: else -> wout++
		fi
	:: else ->
		next_phase_bits(t + 1, bits);
		d_step { d = rin; rin = rin + bits - (ours) };
		drain = d & LSB;
		d = 0; bits = 0;	/* dead from here: fewer states */
		wout++
	fi
}

proctype reader()
{
	int w, snap, v;
	byte round = 0;

	do
	:: round == RROUNDS -> break
	:: round < RROUNDS ->
		if
		:: /* read_lock */
			d_step { w = rin & WBITS; rin = rin + RINC; snap = wentries };
			if
			:: w != 0 -> (rin & WBITS) != w
			:: else
			fi;
			read_enter()
		:: /* read_trylock */
			v = rin;
			if
			:: (v & WBITS) != 0 -> goto next
			:: else
			fi;
			atomic {
				if
				:: rin == v -> rin = v + RINC; snap = wentries
				:: else -> goto next
				fi
			}
			read_enter()
		fi;
		/* read_unlock: CK's */
		atomic { readers_in--; rout = rout + RINC };
next:		w = 0; snap = 0; v = 0;
		round++
	od
}

proctype writer()
{
	int ticket, t, bits, d, v, ours;
	byte round = 0;

	do
	:: round == WROUNDS -> break
	:: round < WROUNDS ->
		if
		:: /* write_lock */
			d_step { ticket = win; win++ };
			wout == ticket;
			/* write_phase_begin */
			if
			:: (rin & WBITS) != 0 -> t = drain	/* handed over */
			:: else ->
				next_phase_bits(ticket, bits);
				d_step { t = rin; rin = rin + bits }
			fi;
			rout == t;
			t = 0; bits = 0;
			write_enter()
		:: /* write_trylock */
			ticket = win;
			if
			:: wout != ticket -> goto next
			:: else
			fi;
			atomic {
				if
				:: win == ticket -> win++
				:: else -> goto next
				fi
			};
			v = rin;
#ifdef TICKET_PHASE
			bits = (ticket & PHID) | PRES;
#else
			bits = (phase ^ PHID) | PRES;
#endif
			if
			:: rout != v -> serve_next(ticket, 0); goto next
			:: else
			fi;
			atomic {
				if
				:: rin == v -> rin = v + bits
				:: else -> goto giveback
				fi
			};
#ifndef TICKET_PHASE
			phase = bits & PHID;
#endif
			v = 0; bits = 0;
			write_enter();
			goto unlock;
giveback:		serve_next(ticket, 0);
			goto next
		fi;
unlock:		/* write_unlock */
		writers_in--;
#ifdef TICKET_PHASE
		ours = (ticket & PHID) | PRES;
#else
		ours = phase | PRES;	/* phase_bits(), before serve_next changes phase */
#endif
		serve_next(ticket, ours);
next:		v = 0; bits = 0;
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
