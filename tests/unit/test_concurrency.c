/* SPDX-License-Identifier: MIT */
/* Concurrent use of one tree (§1.0: all edits under the write lock, readers under the
 * read lock). Bounded by iteration counts; meant to run under TSan too. */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

#ifdef IOMEM_TSAN
#define ITERS 150
#else
#define ITERS 600
#endif
#define WRITERS 4
#define READERS 2

/* --- plain (non-muxed) competition for one range: never two owners. */
struct race {
	struct iomem_tree *t;
	atomic_int inside, violations, bad_rc, grants;
};

static void *racer(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < ITERS; i++) {
		int rc = request_mem_region(r->t, 0x1000, 0x1000, "contended");

		if (rc == -EBUSY)
			continue;
		if (rc != 0) {
			atomic_fetch_add(&r->bad_rc, 1);
			continue;
		}
		atomic_fetch_add(&r->grants, 1);
		if (atomic_fetch_add(&r->inside, 1) != 0)
			atomic_fetch_add(&r->violations, 1);
		atomic_fetch_sub(&r->inside, 1);
		if (release_mem_region(r->t, 0x1000, 0x1000) != 0)
			atomic_fetch_add(&r->bad_rc, 1);
	}
	return NULL;
}

static void contended_request_single_owner(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct race r;
		pthread_t th[WRITERS];

		memset(&r, 0, sizeof(r));
		r.t = t;
		atomic_init(&r.inside, 0);
		atomic_init(&r.violations, 0);
		atomic_init(&r.bad_rc, 0);
		atomic_init(&r.grants, 0);
		for (int i = 0; i < WRITERS; i++)
			EXPECT_EQ(pthread_create(&th[i], NULL, racer, &r), 0);
		for (int i = 0; i < WRITERS; i++)
			pthread_join(th[i], NULL);
		EXPECT_EQ(atomic_load(&r.violations), 0);
		EXPECT_EQ(atomic_load(&r.bad_rc), 0);
		EXPECT_TRUE(atomic_load(&r.grants) >= ITERS);
		EXPECT_EQ(iomem_count(t, IOMEM), 0);
	}
}

/* --- writers on private ranges inside a shared container, readers checking. */
struct mixed {
	struct iomem_tree *t;
	atomic_int writer_errors, reader_errors, writers_done;
	char why[200];
	atomic_int why_set;
};

struct warg {
	struct mixed *m;
	int id;
};

#define CONT_START 0x100000ULL
#define CONT_END 0x1fffffULL
#define SLOT(id) (CONT_START + (resource_size_t)(id) * 0x10000)

static void *writer(void *arg)
{
	struct warg *w = arg;
	struct mixed *m = w->m;
	resource_size_t s = SLOT(w->id);

	for (int i = 0; i < ITERS; i++) {
		int bad = 0;

		if (i & 1) {
			bad |= request_mem_region(m->t, s, 0x1000, "dev") != 0;
			bad |= request_mem_region(m->t, s + 0x2000, 0x1000, "dev2") != 0;
			bad |= release_mem_region(m->t, s, 0x1000) != 0;
			bad |= release_mem_region(m->t, s + 0x2000, 0x1000) != 0;
		} else {
			bad |= iomem_insert_resource(m->t, IOMEM, s, s + 0xffff, "slot",
						     IORESOURCE_MEM, 0) != 0;
			bad |= request_mem_region(m->t, s + 0x100, 0x100, "in slot") != 0;
			bad |= iomem_adjust_resource(m->t, IOMEM, s, s + 0xffff, s, 0x8000) != 0;
			bad |= iomem_remove_resource(m->t, IOMEM, s, s + 0x7fff) != 0;
			bad |= release_mem_region(m->t, s + 0x100, 0x100) != 0;
		}
		if (bad)
			atomic_fetch_add(&m->writer_errors, 1);
	}
	atomic_fetch_add(&m->writers_done, 1);
	return NULL;
}

static void note(struct mixed *m, const char *why)
{
	if (atomic_exchange(&m->why_set, 1) == 0)
		snprintf(m->why, sizeof(m->why), "%s", why);
	atomic_fetch_add(&m->reader_errors, 1);
}

static void *reader(void *arg)
{
	struct mixed *m = arg;
	FILE *devnull = fopen("/dev/null", "w");

	for (int i = 0; i < ITERS; i++) {
		struct found f;
		char why[160];

		/* never touched by any writer: the container itself */
		f = lookup(m->t, IOMEM, CONT_END);
		if (f.rc != 0 || f.r.start != CONT_START || f.r.end != CONT_END ||
		    strcmp(f.name, "container") != 0)
			note(m, "lookup of the container's last byte failed");
		/* a writer's slot: the container, the slot, or one of its regions */
		f = lookup(m->t, IOMEM, SLOT(i % WRITERS) + 0x100);
		if (f.rc != 0 || f.r.start < CONT_START || f.r.end > CONT_END)
			note(m, "lookup in a slot returned garbage");
		if (region_intersects(m->t, CONT_START, 0x1000, IORESOURCE_SYSTEM_RAM, 0) !=
		    REGION_DISJOINT)
			note(m, "region_intersects changed");
		if (tree_invariants(m->t, IOMEM, why, NULL))
			note(m, why);
		if (devnull && (i % 16) == 0 && iomem_show(m->t, IOMEM, devnull) != 0)
			note(m, "iomem_show failed");
	}
	if (devnull)
		fclose(devnull);
	return NULL;
}

static void writers_and_readers(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct mixed m;
		struct warg wa[WRITERS];
		pthread_t w[WRITERS], r[READERS];

		memset(&m, 0, sizeof(m));
		m.t = t;
		atomic_init(&m.writer_errors, 0);
		atomic_init(&m.reader_errors, 0);
		atomic_init(&m.writers_done, 0);
		atomic_init(&m.why_set, 0);
		EXPECT_EQ(iomem_insert_resource(t, IOMEM, CONT_START, CONT_END, "container",
						IORESOURCE_MEM, 0), 0);
		for (int i = 0; i < READERS; i++)
			EXPECT_EQ(pthread_create(&r[i], NULL, reader, &m), 0);
		for (int i = 0; i < WRITERS; i++) {
			wa[i].m = &m;
			wa[i].id = i;
			EXPECT_EQ(pthread_create(&w[i], NULL, writer, &wa[i]), 0);
		}
		for (int i = 0; i < WRITERS; i++)
			pthread_join(w[i], NULL);
		for (int i = 0; i < READERS; i++)
			pthread_join(r[i], NULL);
		if (atomic_load(&m.reader_errors))
			fail_msg("[backend %s] %d reader errors, first: %s", g_backend,
				 atomic_load(&m.reader_errors), m.why);
		EXPECT_EQ(atomic_load(&m.writer_errors), 0);
		EXPECT_EQ(atomic_load(&m.writers_done), WRITERS);
		EXPECT_EQ(iomem_count(t, IOMEM), 1);
		EXPECT_SHOW(t, IOMEM, "00100000-001fffff : container\n");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contended_request_single_owner),
		cmocka_unit_test(writers_and_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
