/* SPDX-License-Identifier: MIT */
/* find_next_iomem_res / walk_iomem_res_desc (§1.6). */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

#define SYSRAM IORESOURCE_SYSTEM_RAM
#define BUSY IORESOURCE_BUSY
#define MEMF IORESOURCE_MEM
#define NONE IORES_DESC_NONE

struct hits {
	int n;
	int stop_at;		/* return stop_ret on this call (1-based), 0 = never */
	int stop_ret;
	resource_size_t start[16], end[16];
	unsigned long flags[16], desc[16];
	int name_not_null;
};

static int record(const struct resource *r, void *arg)
{
	struct hits *h = arg;

	if (h->n < 16) {
		h->start[h->n] = r->start;
		h->end[h->n] = r->end;
		h->flags[h->n] = r->flags;
		h->desc[h->n] = r->desc;
	}
	if (r->name)
		h->name_not_null++;
	h->n++;
	return h->n == h->stop_at ? h->stop_ret : 0;
}

#define EXPECT_HIT(h, i, s, e)                                                             \
	do {                                                                               \
		EXPECT_TRUE((h).n > (i));                                                  \
		EXPECT_EQ((h).start[i], (s));                                              \
		EXPECT_EQ((h).end[i], (e));                                                \
	} while (0)

/*
 * 00001000-0009ffff : System RAM            SYSRAM|BUSY
 * 000a0000-000fffff : Reserved              MEM|BUSY, RESERVED
 * 00100000-3fffffff : System RAM            SYSRAM|BUSY
 *   01000000-01ffffff : Kernel code         SYSRAM|BUSY
 *   02000000-02ffffff : Crash kernel        SYSRAM|BUSY, CRASH_KERNEL
 * 100000000-1ffffffff : CXL Window 0        MEM, CXL
 *   100000000-13fffffff : System RAM        SYSRAM|BUSY
 */
static void build(struct iomem_tree *t)
{
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000, 0x9ffff, "System RAM", SYSRAM | BUSY, NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0xa0000, 0xfffff, "Reserved", MEMF | BUSY,
					IORES_DESC_RESERVED), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000, 0x3fffffff, "System RAM", SYSRAM | BUSY,
					NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x1000000, 0x1ffffff, "Kernel code", SYSRAM | BUSY,
					NONE), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x2000000, 0x2ffffff, "Crash kernel",
					SYSRAM | BUSY, IORES_DESC_CRASH_KERNEL), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000000ULL, 0x1ffffffffULL, "CXL Window 0",
					MEMF, IORES_DESC_CXL), 0);
	EXPECT_EQ(iomem_insert_resource(t, IOMEM, 0x100000000ULL, 0x13fffffffULL, "System RAM",
					SYSRAM | BUSY, NONE), 0);
	EXPECT_EQ(iomem_count(t, IOMEM), 7);
}

/* walk_system_ram_res: pre-order, a matching parent hides its matching children, a
 * non-matching parent does not hide them. */
static void walk_system_ram(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct hits h = { 0 };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, SYSRAM | BUSY, 0, MAXADDR, record, &h), 0);
		EXPECT_EQ(h.n, 3);
		EXPECT_HIT(h, 0, 0x1000, 0x9ffff);
		EXPECT_HIT(h, 1, 0x100000, 0x3fffffff);
		EXPECT_HIT(h, 2, 0x100000000ULL, 0x13fffffffULL);
		EXPECT_EQ(h.flags[0], SYSRAM | BUSY);
		EXPECT_EQ(h.desc[0], NONE);
		/* the callback's copy carries no name */
		EXPECT_EQ(h.name_not_null, 0);
	}
}

/* Results are clipped to [start, end]. */
static void walk_clips(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct hits h = { 0 };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, SYSRAM | BUSY, 0x2000, 0x200000, record, &h), 0);
		EXPECT_EQ(h.n, 2);
		EXPECT_HIT(h, 0, 0x2000, 0x9ffff);
		EXPECT_HIT(h, 1, 0x100000, 0x200000);

		/* a range inside a matching child reports the PARENT, clipped */
		struct hits k = { 0 };

		EXPECT_EQ(walk_iomem_res_desc(t, NONE, SYSRAM | BUSY, 0x1000800, 0x1000fff, record, &k),
			  0);
		EXPECT_EQ(k.n, 1);
		EXPECT_HIT(k, 0, 0x1000800, 0x1000fff);

		struct hits m = { 0 };

		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF | BUSY, 0x9f000, 0xa0fff, record, &m), 0);
		EXPECT_EQ(m.n, 2);
		EXPECT_HIT(m, 0, 0x9f000, 0x9ffff);
		EXPECT_HIT(m, 1, 0xa0000, 0xa0fff);
		EXPECT_EQ(m.desc[1], IORES_DESC_RESERVED);
	}
}

/* flags MEM: every top-level resource matches, the window hides its RAM child. */
static void walk_mem_top_level_hides_children(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct hits h = { 0 };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF, 0, MAXADDR, record, &h), 0);
		EXPECT_EQ(h.n, 4);
		EXPECT_HIT(h, 0, 0x1000, 0x9ffff);
		EXPECT_HIT(h, 1, 0xa0000, 0xfffff);
		EXPECT_HIT(h, 2, 0x100000, 0x3fffffff);
		EXPECT_HIT(h, 3, 0x100000000ULL, 0x1ffffffffULL);
		EXPECT_EQ(h.flags[3], MEMF);
		EXPECT_EQ(h.desc[3], IORES_DESC_CXL);

		/* MEM|BUSY: the window is not busy, its child is found */
		struct hits b = { 0 };

		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF | BUSY, 0x100000000ULL, 0x100000fffULL,
					      record, &b), 0);
		EXPECT_EQ(b.n, 1);
		EXPECT_HIT(b, 0, 0x100000000ULL, 0x100000fffULL);
		EXPECT_EQ(b.flags[0], SYSRAM | BUSY);
	}
}

static void walk_desc(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct hits h = { 0 }, c = { 0 }, x = { 0 };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, IORES_DESC_RESERVED, MEMF, 0, MAXADDR, record, &h), 0);
		EXPECT_EQ(h.n, 1);
		EXPECT_HIT(h, 0, 0xa0000, 0xfffff);
		/* a child whose parent does not match the desc */
		EXPECT_EQ(walk_iomem_res_desc(t, IORES_DESC_CRASH_KERNEL, SYSRAM | BUSY, 0, MAXADDR,
					      record, &c), 0);
		EXPECT_EQ(c.n, 1);
		EXPECT_HIT(c, 0, 0x2000000, 0x2ffffff);
		EXPECT_EQ(c.desc[0], IORES_DESC_CRASH_KERNEL);
		EXPECT_EQ(walk_iomem_res_desc(t, IORES_DESC_CXL, MEMF, 0, MAXADDR, record, &x), 0);
		EXPECT_EQ(x.n, 1);
		EXPECT_HIT(x, 0, 0x100000000ULL, 0x1ffffffffULL);
	}
}

/* -EINVAL when start >= end, and when nothing matched at all. */
static void walk_einval(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct hits h = { 0 };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, SYSRAM | BUSY, 0x5000, 0x5000, record, &h),
			  -EINVAL);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, SYSRAM | BUSY, 0x6000, 0x5000, record, &h),
			  -EINVAL);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF, 0x40000000, 0xffffffff, record, &h),
			  -EINVAL);
		EXPECT_EQ(walk_iomem_res_desc(t, IORES_DESC_PERSISTENT_MEMORY, MEMF, 0, MAXADDR,
					      record, &h), -EINVAL);
		EXPECT_EQ(h.n, 0);
	}
}

/* The callback's nonzero return stops the walk and is returned. */
static void walk_callback_stops(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct hits h = { .stop_at = 2, .stop_ret = 7 };
		struct hits n = { .stop_at = 1, .stop_ret = -42 };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF, 0, MAXADDR, record, &h), 7);
		EXPECT_EQ(h.n, 2);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF, 0, MAXADDR, record, &n), -42);
		EXPECT_EQ(n.n, 1);
	}
}

/* The callback runs without the tree lock: it may edit the tree. A helper thread does
 * the edit so that a lock held across the callback shows up as a timeout, not a hang. */
struct editor {
	struct iomem_tree *t;
	atomic_int done;
	atomic_int rc;
};

static void *editor_main(void *arg)
{
	struct editor *e = arg;
	int rc = request_mem_region(e->t, 0x500000000ULL, 0x1000, "from callback");

	if (rc == 0)
		rc = release_mem_region(e->t, 0x500000000ULL, 0x1000);
	atomic_store(&e->rc, rc);
	atomic_store(&e->done, 1);
	return NULL;
}

static int edit_in_callback(const struct resource *r, void *arg)
{
	struct editor *e = arg;
	pthread_t th;
	double deadline = now_s() + 20.0;

	(void)r;
	atomic_store(&e->done, 0);
	if (pthread_create(&th, NULL, editor_main, e))
		return -1;
	while (!atomic_load(&e->done)) {
		if (now_s() > deadline)
			fail_msg("[backend %s] the walk callback runs with the tree locked",
				 g_backend);
		sleep_ms(1);
	}
	pthread_join(th, NULL);
	return atomic_load(&e->rc) ? -1 : 0;
}

static void walk_callback_unlocked(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct editor e = { .t = t };

		build(t);
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, SYSRAM | BUSY, 0, 0xffffffff, edit_in_callback,
					      &e), 0);
		EXPECT_EQ(iomem_count(t, IOMEM), 7);
	}
}

/* The walk after a callback sees what the callback changed, as the kernel's next
 * find_next does: every third callback has another thread (joined before it returns)
 * release the region two ahead and request one in the gap three ahead. More regions than
 * a walk reads in one go (the maple backend reads ahead), against a model of the kernel's
 * loop. */
/* regions every EDIT_STRIDE slots of EDIT_SIZE; an edit at slot s releases s + EDIT_GONE
 * and requests s + EDIT_ADDED */
enum { EDIT_REGIONS = 100, EDIT_STRIDE = 4, EDIT_GONE = 2 * EDIT_STRIDE,
       EDIT_ADDED = 3 * EDIT_STRIDE + 1 };
#define EDIT_BASE 0x40000000ULL
#define EDIT_SIZE 0x1000ULL

struct edit_walk {
	struct iomem_tree *t;
	bool present[4 * EDIT_REGIONS + 8];	/* by slot: start = EDIT_BASE + slot * SIZE */
	unsigned calls;
	resource_size_t got[4 * EDIT_REGIONS];
	unsigned nr_got;
	int rc;
	resource_size_t at;
};

static void *edit_ahead(void *arg)
{
	struct edit_walk *w = arg;
	unsigned slot = (unsigned)((w->at - EDIT_BASE) / EDIT_SIZE);
	unsigned gone = slot + EDIT_GONE, added = slot + EDIT_ADDED;

	if (gone < sizeof(w->present) && w->present[gone]) {
		w->rc |= release_mem_region(w->t, EDIT_BASE + gone * EDIT_SIZE,
					    EDIT_SIZE);
		w->present[gone] = false;
	}
	if (added < sizeof(w->present) && !w->present[added]) {
		w->rc |= request_mem_region(w->t, EDIT_BASE + added * EDIT_SIZE,
					    EDIT_SIZE, "added");
		w->present[added] = true;
	}
	return NULL;
}

static int edit_every_third(const struct resource *r, void *arg)
{
	struct edit_walk *w = arg;
	pthread_t th;

	w->got[w->nr_got++] = r->start;
	if (++w->calls % 3 == 0) {
		w->at = r->start;
		if (pthread_create(&th, NULL, edit_ahead, w) || pthread_join(th, NULL))
			return -1;
	}
	return 0;
}

static void walk_sees_callback_edits(void **state)
{
	(void)state;
	FOR_EACH_BACKEND(t) {
		struct edit_walk *w = calloc(1, sizeof(*w));
		resource_size_t expect[4 * EDIT_REGIONS];
		unsigned nr_expect = 0;
		bool model[sizeof(w->present)];

		assert_non_null(w);
		w->t = t;
		for (unsigned i = 0; i < EDIT_REGIONS; i++) {
			unsigned slot = i * EDIT_STRIDE;

			EXPECT_EQ(request_mem_region(t, EDIT_BASE + slot * EDIT_SIZE, EDIT_SIZE,
						     "region"), 0);
			w->present[slot] = true;
		}
		memcpy(model, w->present, sizeof(model));
		/* the kernel's loop over the model, with the same edits */
		for (unsigned slot = 0, calls = 0; slot < sizeof(model); slot++) {
			if (!model[slot])
				continue;
			expect[nr_expect++] = EDIT_BASE + slot * EDIT_SIZE;
			if (++calls % 3 == 0) {
				unsigned gone = slot + EDIT_GONE, added = slot + EDIT_ADDED;

				if (gone < sizeof(model))
					model[gone] = false;
				if (added < sizeof(model))
					model[added] = true;
			}
		}
		EXPECT_EQ(walk_iomem_res_desc(t, NONE, MEMF | BUSY, 0, MAXADDR, edit_every_third,
					      w), 0);
		EXPECT_EQ(w->rc, 0);
		EXPECT_EQ(w->nr_got, nr_expect);
		for (unsigned i = 0; i < nr_expect && i < w->nr_got; i++)
			if (w->got[i] != expect[i])
				fail_msg("[backend %s] region %u of the walk: %#llx, expected %#llx",
					 g_backend, i, (unsigned long long)w->got[i],
					 (unsigned long long)expect[i]);
		free(w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_system_ram),
		cmocka_unit_test(walk_clips),
		cmocka_unit_test(walk_mem_top_level_hides_children),
		cmocka_unit_test(walk_desc),
		cmocka_unit_test(walk_einval),
		cmocka_unit_test(walk_callback_stops),
		cmocka_unit_test(walk_callback_unlocked),
		cmocka_unit_test(walk_sees_callback_edits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
