/* SPDX-License-Identifier: MIT */
/* Readers and writers at once, on every backend: readers must always see a well-formed
 * tree and the facts no writer touches (System RAM stays RAM), writers must never be
 * granted overlapping regions, and when all stop the tree is what it was. A second test
 * races readers with one writer making every kind of change in a family of hundreds of
 * siblings, where a change that moves several resources must be seen whole or not at all.
 * Bounded by op counts, so it runs under ThreadSanitizer in reasonable time; there it
 * also shows that lock-free readers never touch a node after it is freed. */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

enum { READERS = 2, WRITERS = 2, WRITER_OPS = 1500, READER_OPS = 600 };

/* Writers churn inside the PCI window; RAM and the ACPI region are never touched. */
static const char base_tree[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009ffff : System RAM\n"
	"00100000-3fffffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"40000000-7fffffff : PCI Bus 0000:00\n"
	"  40000000-4000ffff : 0000:00:01.0\n"
	"80000000-80000fff : ACPI Tables\n";

#define WINDOW_START 0x40100000ULL
#define SLOT 0x10000ULL

struct shared {
	struct iomem_tree *t;
	atomic_int owners[64];		/* who holds each slot, by the tree's word */
	atomic_int failures;
	atomic_bool stop;
	char why[160];
};

static void failed(struct shared *s, const char *why)
{
	if (atomic_fetch_add(&s->failures, 1) == 0)
		snprintf(s->why, sizeof(s->why), "%s", why);
}

struct writer_arg {
	struct shared *s;
	int id;
};

/* Each writer requests and releases slots of its own half of the window, and now and
 * then inserts and removes a container around a free slot, and adjusts it. */
static void *writer(void *p)
{
	struct writer_arg *a = p;
	struct shared *s = a->s;
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (a->id + 1);

	for (int i = 0; i < WRITER_OPS && !atomic_load(&s->stop); i++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		int slot = a->id * 32 + (int)(rng % 32);
		resource_size_t start = WINDOW_START + slot * SLOT;

		if (rng % 8 == 0) {
			if (iomem_insert_resource(s->t, IOMEM, start, start + SLOT - 1, "ctr",
						  IORESOURCE_MEM, IORES_DESC_NONE) == 0) {
				if (iomem_adjust_resource(s->t, IOMEM, start, start + SLOT - 1,
							  start, SLOT / 2) != 0 ||
				    iomem_remove_resource(s->t, IOMEM, start,
							  start + SLOT / 2 - 1) != 0)
					failed(s, "adjust/remove of a fresh container failed");
			}
			continue;
		}
		if (iomem_request_region(s->t, IOMEM, start, SLOT, "drv", 0) == 0) {
			if (atomic_exchange(&s->owners[slot], a->id + 1) != 0)
				failed(s, "a slot was granted twice");
			atomic_store(&s->owners[slot], 0);
			if (iomem_release_region(s->t, IOMEM, start, SLOT) != 0)
				failed(s, "release of a granted slot failed");
		}
	}
	return NULL;
}

static int count_cb(const struct resource *r, void *arg)
{
	(void)r;
	++*(int *)arg;
	return 0;
}

static void *reader(void *p)
{
	struct shared *s = p;
	char why[160];

	for (int i = 0; i < READER_OPS && !atomic_load(&s->stop); i++) {
		struct resource r;
		char name[32];
		int n = 0;

		if (iomem_region_intersects(s->t, IOMEM, 0x100000, 0x1000000, IORESOURCE_SYSTEM_RAM,
					    IORES_DESC_NONE) != REGION_INTERSECTS)
			failed(s, "System RAM stopped intersecting");
		if (iomem_lookup(s->t, IOMEM, 0x200000, &r, name, sizeof(name)) != 0 ||
		    strcmp(name, "System RAM") != 0)
			failed(s, "lookup inside RAM lost System RAM");
		iomem_walk_res_desc(s->t, IOMEM, IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM, 0,
				    0x7fffffff, count_cb, &n);
		if (n != 2)
			failed(s, "walk of System RAM did not find its two ranges");
		if (i % 8 == 0 && tree_invariants(s->t, IOMEM, why, NULL))
			failed(s, why);
	}
	return NULL;
}

static void run_backend(const char *backend)
{
	struct shared *s = calloc(1, sizeof(*s));
	pthread_t w[WRITERS], r[READERS];
	struct writer_arg wa[WRITERS];
	char err[256], *before, *after;

	assert_non_null(s);
	s->t = test_tree_new(backend);
	EXPECT_EQ(load_str(s->t, IOMEM, base_tree, "base", err, sizeof(err)), 0);
	before = show_str(s->t, IOMEM);
	for (int i = 0; i < WRITERS; i++) {
		wa[i] = (struct writer_arg){ .s = s, .id = i };
		assert_int_equal(pthread_create(&w[i], NULL, writer, &wa[i]), 0);
	}
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&r[i], NULL, reader, s), 0);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	atomic_store(&s->stop, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	after = show_str(s->t, IOMEM);
	if (atomic_load(&s->failures))
		fail_msg("[backend %s] %d failures, first: %s", backend, s->failures, s->why);
	EXPECT_STREQ(after, before);
	EXPECT_INVARIANTS(s->t, IOMEM);
	free(before);
	free(after);
	iomem_tree_free(s->t);
	free(s);
}

static void test_readers_and_writers(void **state)
{
	(void)state;
	for (const char *const *b = test_backends(); *b; b++)
		run_backend(*b);
}

/* --- Every kind of change against lock-free readers.
 *
 * A bus holds DEVS permanent devices (desc PERSISTENT_MEMORY), each followed by a gap of
 * the same size. One writer, for CHANGES rounds: requests and releases gaps (the family
 * grows to hundreds of entries and shrinks: index nodes split and join), requests half a
 * gap and adjusts it to the whole one, inserts a container over a run of devices
 * (adopting them and any claimed gap among them) and removes it again (they move back
 * up), adjusts the container's end, allocates under the root and releases it, releases
 * a busy region together with the children inserted into it, and releases and requests
 * one gap again several times (on maple: a slot cleared and filled in place). Readers,
 * until the writer is done: every pre-order visit is well formed and meets every device exactly
 * once (a container seen with only some of its children, or children seen in two places,
 * breaks that), a walk by desc reports every device once, a lookup of a device finds it,
 * System RAM stays System RAM. */
enum { DEVS = 300, CHANGES = 4000, MAX_RUN = 40 };

#define BUS_START 0x100000000ULL
#define STRIDE 0x100000ULL		/* a device and its gap */
#define DEV 0x80000ULL
#define ALLOC_MIN 0x90000000ULL
#define ALLOC_MAX 0x9fffffffULL
#define DOOMED 0xa0000000ULL		/* the busy region released with its children */

static const char every_change_tree[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009ffff : System RAM\n"
	"00100000-3fffffff : System RAM\n"
	"100000000-1ffffffff : PCI Bus 0000:01\n";

static resource_size_t dev_start(unsigned i)
{
	return BUS_START + i * STRIDE;
}

struct every_change {
	struct iomem_tree *t;
	atomic_bool done;
	atomic_int failures;
	atomic_ulong reads;
	atomic_uint started;	/* readers that finished their first read */
	atomic_uint hot;	/* 1 + the gap the writer rebinds, 0 before the first */
	char why[200];
};

static void change_failed(struct every_change *s, const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&s->failures, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

#define WRITE_OK(s, call)                                                                  \
	do {                                                                               \
		int rc_ = (call);                                                          \
		if (rc_)                                                                   \
			change_failed((s), "%s = %d", #call, rc_);                         \
	} while (0)

static void *every_change_writer(void *p)
{
	struct every_change *s = p;
	struct iomem_tree *t = s->t;
	bool claimed[DEVS] = { false }, mid = false, stretched = false;
	unsigned a = 0, b = 0, nr_alloc = 0;
	resource_size_t allocated[4];
	uint64_t rng = 0x853c49e6748fea9bULL;

	/* Every reader in its loop before the first change: on a loaded machine the changes
	 * could otherwise all be over before a reader was scheduled. */
	while (atomic_load(&s->started) < READERS && !atomic_load(&s->failures))
		sched_yield();
	for (unsigned i = 0; i < CHANGES && !atomic_load(&s->failures); i++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		unsigned g = (unsigned)(rng >> 8) % DEVS, what = (unsigned)(rng % 16);
		resource_size_t gap = dev_start(g) + DEV;
		resource_size_t mid_end = dev_start(b) + DEV - 1 + (stretched ? 0x1000 : 0);

		if (what < 8) {
			/* a gap: released, or claimed (a stretched container's end is in gap b) */
			if (claimed[g]) {
				WRITE_OK(s, iomem_release_region(t, IOMEM, gap, DEV));
				claimed[g] = false;
			} else if (!(mid && stretched && g == b)) {
				WRITE_OK(s, iomem_request_region(t, IOMEM, gap, DEV, "gap", 0));
				claimed[g] = true;
			}
		} else if (what < 10 && !claimed[g] && !(mid && stretched && g == b)) {
			/* half a gap, grown to the whole */
			WRITE_OK(s, iomem_request_region(t, IOMEM, gap, DEV / 2, "gap", 0));
			WRITE_OK(s, iomem_adjust_resource(t, IOMEM, gap, gap + DEV / 2 - 1, gap, DEV));
			claimed[g] = true;
		} else if (what < 12) {
			/* the container: inserted over devices a..b, or removed */
			if (!mid) {
				a = g;
				b = a + (unsigned)(rng >> 40) % MAX_RUN;
				if (b >= DEVS)
					b = DEVS - 1;
				WRITE_OK(s, iomem_insert_resource(t, IOMEM, dev_start(a),
								  dev_start(b) + DEV - 1, "mid",
								  IORESOURCE_MEM, IORES_DESC_NONE));
				mid = true;
			} else {
				WRITE_OK(s, iomem_remove_resource(t, IOMEM, dev_start(a), mid_end));
				mid = stretched = false;
			}
		} else if (what == 12 && mid && (stretched || !claimed[b])) {
			/* the container's end moved into the gap after it, or back */
			resource_size_t size = dev_start(b) + DEV - dev_start(a) +
					       (stretched ? 0 : 0x1000);

			WRITE_OK(s, iomem_adjust_resource(t, IOMEM, dev_start(a), mid_end,
							  dev_start(a), size));
			stretched = !stretched;
		} else if (what == 13) {
			/* allocate under the root, released a few rounds later */
			if (nr_alloc == 4) {
				WRITE_OK(s, iomem_release_region(t, IOMEM, allocated[--nr_alloc],
								 0x1000));
			} else {
				WRITE_OK(s, iomem_allocate_resource(t, IOMEM, 0x1000, ALLOC_MIN,
								    ALLOC_MAX, 0x1000, "alloc",
								    IORESOURCE_MEM | IORESOURCE_BUSY,
								    &allocated[nr_alloc]));
				nr_alloc++;
			}
		} else if (what == 14) {
			/* a busy region leaves with the children inserted into it */
			WRITE_OK(s, iomem_request_region(t, IOMEM, DOOMED, 0x100000, "doomed", 0));
			for (resource_size_t c = 0; c < 3; c++)
				WRITE_OK(s, iomem_insert_resource(t, IOMEM, DOOMED + c * 0x10000,
								  DOOMED + c * 0x10000 + 0xfff,
								  "doomed child", IORESOURCE_MEM,
								  IORES_DESC_NONE));
			WRITE_OK(s, iomem_release_region(t, IOMEM, DOOMED, 0x100000));
		} else if (what == 15 && claimed[g] && !(mid && g >= a && g <= b)) {
			/* a driver unbound and bound again, to half the gap at first: on maple
			 * the release clears the gap's slot in place and the request fills it
			 * with a region ending before the gap's upper half, where readers walk
			 * from (the gap is announced in hot) */
			atomic_store(&s->hot, g + 1);
			for (int k = 0; k < 8; k++) {
				WRITE_OK(s, iomem_release_region(t, IOMEM, gap, DEV));
				WRITE_OK(s, iomem_request_region(t, IOMEM, gap, DEV / 2, "gap", 0));
				WRITE_OK(s, iomem_adjust_resource(t, IOMEM, gap, gap + DEV / 2 - 1,
								  gap, DEV));
			}
		}
	}
	/* back to the starting tree */
	if (mid)
		WRITE_OK(s, iomem_remove_resource(t, IOMEM, dev_start(a),
						  dev_start(b) + DEV - 1 + (stretched ? 0x1000 : 0)));
	for (unsigned g = 0; g < DEVS; g++)
		if (claimed[g])
			WRITE_OK(s, iomem_release_region(t, IOMEM, dev_start(g) + DEV, DEV));
	while (nr_alloc)
		WRITE_OK(s, iomem_release_region(t, IOMEM, allocated[--nr_alloc], 0x1000));
	atomic_store(&s->done, true);
	return NULL;
}

struct dev_visit {
	struct inv_state inv;
	unsigned seen[DEVS];
	unsigned devs;
	bool bad_dev;
};

static int every_change_visit(const struct resource *r, int depth, void *arg)
{
	struct dev_visit *v = arg;

	if (r->desc == IORES_DESC_PERSISTENT_MEMORY) {
		resource_size_t i = (r->start - BUS_START) / STRIDE;

		if (r->start < BUS_START || i >= DEVS || r->start != dev_start((unsigned)i) ||
		    r->end != r->start + DEV - 1)
			v->bad_dev = true;
		else
			v->seen[i]++;
		v->devs++;
	}
	return inv_visit(r, depth, &v->inv);
}

static int count_dev(const struct resource *r, void *arg)
{
	(void)r;
	++*(unsigned *)arg;
	return 0;
}

/* A walk's regions must each lie in [lo, hi], in ascending order without overlap. */
struct in_range {
	resource_size_t lo, hi, next, bad_start, bad_end;
	bool bad;
};

static int walked_in_range(const struct resource *r, void *arg)
{
	struct in_range *w = arg;

	if (r->start > r->end || r->start < w->next || r->end > w->hi) {
		if (!w->bad)
			w->bad_start = r->start, w->bad_end = r->end;
		w->bad = true;
	}
	w->next = r->end + 1;
	return 0;
}

static void every_change_read(struct every_change *s, uint64_t *rng)
{
	struct dev_visit *v = calloc(1, sizeof(*v));
	unsigned walked = 0;

	if (!v) {
		change_failed(s, "out of memory");
		return;
	}
	v->inv.prev_depth = -1;
	iomem_for_each(s->t, IOMEM, every_change_visit, v);
	if (v->inv.bad)
		change_failed(s, "a reader saw a broken tree: %s", v->inv.why);
	else if (v->bad_dev || v->devs != DEVS)
		change_failed(s, "a reader saw %u devices, not %u", v->devs, DEVS);
	for (unsigned i = 0; i < DEVS && !v->bad_dev && v->devs == DEVS; i++)
		if (v->seen[i] != 1)
			change_failed(s, "a reader saw device %u %u times", i, v->seen[i]);
	free(v);
	iomem_walk_res_desc(s->t, IOMEM, IORES_DESC_PERSISTENT_MEMORY, IORESOURCE_MEM,
			    BUS_START, BUS_START + DEVS * STRIDE - 1, count_dev, &walked);
	if (walked != DEVS)
		change_failed(s, "a walk reported %u devices, not %u", walked, DEVS);
	for (int k = 0; k < 16; k++) {
		struct resource r;
		char name[16];
		unsigned i;

		*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
		i = (unsigned)(*rng >> 8) % DEVS;
		if (iomem_lookup(s->t, IOMEM, dev_start(i) + (*rng % DEV), &r, name,
				 sizeof(name)) != 0 ||
		    r.start != dev_start(i) || strcmp(name, "dev") != 0)
			change_failed(s, "a lookup of device %u found %s", i, name);
	}
	if (iomem_region_intersects(s->t, IOMEM, 0x100000, 0x1000000, IORESOURCE_SYSTEM_RAM,
				    IORES_DESC_NONE) != REGION_INTERSECTS)
		change_failed(s, "System RAM stopped intersecting");
	/* Walks of busy regions from inside a gap's upper half (mostly the gap being
	 * rebound), where a claimed half gap ends before the start: whatever they meet, each
	 * region lies in the range, after the one before. */
	for (int k = 0; k < 64; k++) {
		unsigned hot = atomic_load(&s->hot), g;
		struct in_range w;

		*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
		g = hot && *rng % 4 ? hot - 1 : (unsigned)(*rng >> 8) % DEVS;
		w = (struct in_range){ .lo = dev_start(g) + DEV + 3 * DEV / 4 };
		w.hi = w.lo + 4 * STRIDE - 1;
		w.next = w.lo;
		iomem_walk_res_desc(s->t, IOMEM, IORES_DESC_NONE, IORESOURCE_MEM | IORESOURCE_BUSY,
				    w.lo, w.hi, walked_in_range, &w);
		if (w.bad)
			change_failed(s, "a walk from %#llx reported %#llx-%#llx",
				      (unsigned long long)w.lo, (unsigned long long)w.bad_start,
				      (unsigned long long)w.bad_end);
	}
}

static void *every_change_reader(void *p)
{
	struct every_change *s = p;
	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ (uintptr_t)&rng;
	bool counted = false;

	while (!atomic_load(&s->done) && !atomic_load(&s->failures)) {
		every_change_read(s, &rng);
		atomic_fetch_add(&s->reads, 1);
		if (!counted) {
			atomic_fetch_add(&s->started, 1);
			counted = true;
		}
	}
	return NULL;
}

static void every_change_backend(const char *backend)
{
	struct every_change *s = calloc(1, sizeof(*s));
	long long bytes = iomem_node_bytes();
	char err[256], *before, *after;
	pthread_t w, r[READERS];

	assert_non_null(s);
	s->t = test_tree_new(backend);
	EXPECT_EQ(load_str(s->t, IOMEM, every_change_tree, "base", err, sizeof(err)), 0);
	for (unsigned i = 0; i < DEVS; i++)
		EXPECT_EQ(iomem_insert_resource(s->t, IOMEM, dev_start(i), dev_start(i) + DEV - 1,
						"dev", IORESOURCE_MEM,
						IORES_DESC_PERSISTENT_MEMORY), 0);
	before = show_str(s->t, IOMEM);
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&r[i], NULL, every_change_reader, s), 0);
	assert_int_equal(pthread_create(&w, NULL, every_change_writer, s), 0);
	pthread_join(w, NULL);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	if (atomic_load(&s->failures))
		fail_msg("[backend %s] %d failures, first: %s", backend, s->failures, s->why);
	if (atomic_load(&s->reads) < READERS)
		fail_msg("[backend %s] the readers never ran", backend);
	after = show_str(s->t, IOMEM);
	EXPECT_STREQ(after, before);
	EXPECT_INVARIANTS(s->t, IOMEM);
	free(before);
	free(after);
	iomem_tree_free(s->t);
	/* Exact: every node a write replaced was freed, once, after its grace period. */
	EXPECT_EQ(iomem_node_bytes(), bytes);
	free(s);
}

static void test_every_change_against_readers(void **state)
{
	(void)state;
	for (const char *const *b = test_backends(); *b; b++)
		every_change_backend(*b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_and_writers),
		cmocka_unit_test(test_every_change_against_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
