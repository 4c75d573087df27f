/* SPDX-License-Identifier: MIT */
/* Readers and writers at once, on every backend: readers must always see a well-formed
 * tree and the facts no writer touches (System RAM stays RAM), writers must never be
 * granted overlapping regions, and when all stop the tree is what it was. Bounded by op
 * counts, so it runs under ThreadSanitizer in reasonable time. */
#include "common.h"

#include <pthread.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_and_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
