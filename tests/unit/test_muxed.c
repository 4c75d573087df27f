/* SPDX-License-Identifier: MIT */
/* IORESOURCE_MUXED (§1.2 "MUXED wait", §1.3 wake_up on release).
 * The threaded tests are bounded by iteration counts; a watchdog turns a lost wake-up
 * (a sleeper never woken) into a failure instead of a hang. */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* Lost wake-up watchdogs: the contention test fails when no grant comes for 60 s (a slow
 * run that still grants goes on), the single sleeper when not woken 30 s after the
 * release; a request that should go to sleep must do so within 10 s. */
#define WATCHDOG_S 60.0
#define SLEEPER_WATCHDOG_S 30.0
#define ASLEEP_WITHIN_S 10.0

static struct iomem_muxed_stats stats(struct iomem_tree *t)
{
	struct iomem_muxed_stats st;

	memset(&st, 0, sizeof(st));
	iomem_tree_muxed_stats(t, &st);
	return st;
}

static void muxed_meets_muxed_would_block(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_muxed_region(t, 0x2e, 2, "superio-a"), 0);
		EXPECT_EQ(iomem_request_region_nowait(t, IOPORT, 0x2e, 2, "superio-b",
						      IORESOURCE_MUXED), -EWOULDBLOCK);
		/* partial overlap with a muxed region is a muxed conflict too */
		EXPECT_EQ(iomem_request_region_nowait(t, IOPORT, 0x2f, 2, "superio-c",
						      IORESOURCE_MUXED), -EWOULDBLOCK);
		EXPECT_EQ(iomem_count(t, IOPORT), 1);
		/* nowait never sleeps */
		EXPECT_EQ(stats(t).sleeps, 0);
		EXPECT_EQ(release_region(t, 0x2e, 2), 0);
		EXPECT_EQ(iomem_request_region_nowait(t, IOPORT, 0x2e, 2, "superio-b",
						      IORESOURCE_MUXED), 0);
		EXPECT_LOOKUP(t, IOPORT, 0x2e, 0x2e, 0x2f, "superio-b");
	}
}

/* MUXED meeting a busy non-MUXED region fails at once (also the sleeping variant). */
static void muxed_meets_plain_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_region(t, 0x4e, 2, "plain"), 0);
		EXPECT_EQ(iomem_request_region_nowait(t, IOPORT, 0x4e, 2, "m", IORESOURCE_MUXED),
			  -EBUSY);
		EXPECT_EQ(request_muxed_region(t, 0x4e, 2, "m"), -EBUSY);
		EXPECT_EQ(request_muxed_region(t, 0x4f, 1, "m"), -EBUSY);
		EXPECT_EQ(stats(t).sleeps, 0);
		EXPECT_EQ(iomem_count(t, IOPORT), 1);
	}
}

/* Non-MUXED meeting a busy MUXED region: -EBUSY (both must carry MUXED to wait). */
static void plain_meets_muxed_ebusy(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_muxed_region(t, 0x2e, 2, "m"), 0);
		EXPECT_EQ(request_region(t, 0x2e, 2, "plain"), -EBUSY);
		EXPECT_EQ(iomem_request_region_nowait(t, IOPORT, 0x2e, 1, "plain", 0), -EBUSY);
		EXPECT_EQ(stats(t).sleeps, 0);
	}
}

static void muxed_flags(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct found f;

		EXPECT_EQ(request_muxed_region(t, 0x2e, 2, "m"), 0);
		f = lookup(t, IOPORT, 0x2f);
		EXPECT_EQ(f.rc, 0);
		EXPECT_EQ(f.r.flags, IORESOURCE_IO | IORESOURCE_BUSY | IORESOURCE_MUXED);
	}
}

/* A muxed request descends into non-busy containers like any other. */
static void muxed_descends_containers(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(iomem_insert_resource(t, IOPORT, 0x60, 0x6f, "container", IORESOURCE_IO, 0),
			  0);
		EXPECT_EQ(request_muxed_region(t, 0x60, 1, "k"), 0);
		EXPECT_EQ(iomem_request_region_nowait(t, IOPORT, 0x60, 1, "k2", IORESOURCE_MUXED),
			  -EWOULDBLOCK);
		EXPECT_SHOW(t, IOPORT, "0060-006f : container\n  0060-0060 : k\n");
	}
}

/* Every release of a MUXED region calls wake_up (even with nobody waiting);
 * releasing a plain region does not. */
static void muxed_release_calls_wake_up(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		EXPECT_EQ(request_muxed_region(t, 0x2e, 2, "m"), 0);
		EXPECT_EQ(request_region(t, 0x60, 1, "plain"), 0);
		EXPECT_EQ(release_region(t, 0x60, 1), 0);
		EXPECT_EQ(stats(t).wake_calls, 0);
		EXPECT_EQ(release_region(t, 0x2e, 2), 0);
		EXPECT_EQ(stats(t).wake_calls, 1);
		EXPECT_EQ(stats(t).sleeps, 0);
		EXPECT_EQ(stats(t).wakeups, 0);
		/* a failed release wakes nobody */
		EXPECT_EQ(release_region(t, 0x2e, 2), -ENOENT);
		EXPECT_EQ(stats(t).wake_calls, 1);
	}
}

/* --- one sleeper, deterministic. */
struct sleeper {
	struct iomem_tree *t;
	atomic_int rc;
	atomic_int finished;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	atomic_store(&s->rc, request_muxed_region(s->t, 0x2e, 2, "sleeper"));
	atomic_store(&s->finished, 1);
	return NULL;
}

static bool wait_sleeps(struct iomem_tree *t, unsigned long long n, double deadline)
{
	while (stats(t).sleeps < n) {
		if (now_s() > deadline)
			return false;
		sleep_ms(1);
	}
	return true;
}

static void muxed_sleeper_woken_by_release(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct sleeper s = { .t = t };
		pthread_t th;
		double deadline;

		EXPECT_EQ(request_muxed_region(t, 0x2e, 2, "holder"), 0);
		atomic_store(&s.rc, 12345);
		atomic_store(&s.finished, 0);
		EXPECT_EQ(pthread_create(&th, NULL, sleeper_main, &s), 0);
		if (!wait_sleeps(t, 1, now_s() + ASLEEP_WITHIN_S))
			fail_msg("[backend %s] the muxed request never went to sleep", g_backend);
		/* asleep: not granted while the holder holds it */
		sleep_ms(20);
		EXPECT_EQ(atomic_load(&s.finished), 0);
		EXPECT_LOOKUP(t, IOPORT, 0x2e, 0x2e, 0x2f, "holder");
		EXPECT_EQ(release_region(t, 0x2e, 2), 0);
		deadline = now_s() + SLEEPER_WATCHDOG_S;
		while (!atomic_load(&s.finished)) {
			if (now_s() > deadline)
				fail_msg("[backend %s] lost wake-up: sleeper still asleep after "
					 "the release", g_backend);
			sleep_ms(1);
		}
		pthread_join(th, NULL);
		EXPECT_EQ(atomic_load(&s.rc), 0);
		EXPECT_LOOKUP(t, IOPORT, 0x2e, 0x2e, 0x2f, "sleeper");
		EXPECT_EQ(stats(t).sleeps, 1);
		EXPECT_EQ(stats(t).wakeups, 1);
		EXPECT_EQ(stats(t).wake_calls, 1);
		EXPECT_EQ(release_region(t, 0x2e, 2), 0);
		EXPECT_EQ(stats(t).wake_calls, 2);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
	}
}

/* --- many contenders on overlapping muxed ranges. */
#define NTHREADS 8
#ifdef IOMEM_TSAN
#define ITERS 100
#else
#define ITERS 200
#endif

struct mux_ctx {
	struct iomem_tree *t;
	atomic_int inside;
	atomic_int violations;
	atomic_int errors;
	atomic_int done;
	atomic_int grants;
};

struct mux_arg {
	struct mux_ctx *c;
	int id;
};

static void *mux_worker(void *arg)
{
	struct mux_arg *a = arg;
	struct mux_ctx *c = a->c;

	for (int i = 0; i < ITERS; i++) {
		/* [0x2e,0x2f] and [0x2f,0x30] overlap: at most one holder at any time */
		resource_size_t start = ((i + a->id) & 1) ? 0x2e : 0x2f;
		int rc = request_muxed_region(c->t, start, 2, "superio");

		if (rc) {
			atomic_fetch_add(&c->errors, 1);
			continue;
		}
		atomic_fetch_add(&c->grants, 1);
		if (atomic_fetch_add(&c->inside, 1) != 0)
			atomic_fetch_add(&c->violations, 1);
		sched_yield();
		atomic_fetch_sub(&c->inside, 1);
		if (release_region(c->t, start, 2) != 0)
			atomic_fetch_add(&c->errors, 1);
	}
	atomic_fetch_add(&c->done, 1);
	return NULL;
}

static void muxed_contention_no_double_grant_no_lost_wakeup(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct mux_ctx c;
		struct mux_arg args[NTHREADS];
		pthread_t th[NTHREADS];
		double deadline;
		struct iomem_muxed_stats st;

		memset(&c, 0, sizeof(c));
		c.t = t;
		atomic_init(&c.inside, 0);
		atomic_init(&c.violations, 0);
		atomic_init(&c.errors, 0);
		atomic_init(&c.done, 0);
		atomic_init(&c.grants, 0);
		/* hold the range so that every worker's first request sleeps */
		EXPECT_EQ(request_muxed_region(t, 0x2e, 2, "holder"), 0);
		for (int i = 0; i < NTHREADS; i++) {
			args[i].c = &c;
			args[i].id = i;
			EXPECT_EQ(pthread_create(&th[i], NULL, mux_worker, &args[i]), 0);
		}
		if (!wait_sleeps(t, NTHREADS, now_s() + ASLEEP_WITHIN_S))
			fail_msg("[backend %s] only %llu of %d workers went to sleep", g_backend,
				 stats(t).sleeps, NTHREADS);
		EXPECT_EQ(atomic_load(&c.grants), 0);
		deadline = now_s() + WATCHDOG_S;
		/* one wake_up wakes every sleeper (non-exclusive wait queue) */
		EXPECT_EQ(release_region(t, 0x2e, 2), 0);
		/* Stuck, not slow: no grant at all for a whole watchdog window. */
		for (int granted = 0; atomic_load(&c.done) < NTHREADS; sleep_ms(2)) {
			if (atomic_load(&c.grants) != granted) {
				granted = atomic_load(&c.grants);
				deadline = now_s() + WATCHDOG_S;
			} else if (now_s() > deadline) {
				st = stats(t);
				fail_msg("[backend %s] lost wake-up: no grant in %.0f s, %d/%d workers "
					 "done (sleeps %llu wakeups %llu wake_calls %llu)", g_backend,
					 WATCHDOG_S, atomic_load(&c.done), NTHREADS, st.sleeps,
					 st.wakeups, st.wake_calls);
			}
		}
		for (int i = 0; i < NTHREADS; i++)
			pthread_join(th[i], NULL);
		st = stats(t);
		EXPECT_EQ(atomic_load(&c.violations), 0);
		EXPECT_EQ(atomic_load(&c.errors), 0);
		EXPECT_EQ(atomic_load(&c.grants), NTHREADS * ITERS);
		EXPECT_EQ(iomem_count(t, IOPORT), 0);
		EXPECT_TRUE(st.sleeps >= NTHREADS);
		/* every sleep ended in exactly one wake */
		EXPECT_EQ(st.wakeups, st.sleeps);
		/* every muxed release (the holder's and each grant's) called wake_up */
		EXPECT_EQ(st.wake_calls, (unsigned long long)NTHREADS * ITERS + 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(muxed_meets_muxed_would_block),
		cmocka_unit_test(muxed_meets_plain_ebusy),
		cmocka_unit_test(plain_meets_muxed_ebusy),
		cmocka_unit_test(muxed_flags),
		cmocka_unit_test(muxed_descends_containers),
		cmocka_unit_test(muxed_release_calls_wake_up),
		cmocka_unit_test(muxed_sleeper_woken_by_release),
		cmocka_unit_test(muxed_contention_no_double_grant_no_lost_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
