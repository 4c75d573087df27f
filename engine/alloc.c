/* SPDX-License-Identifier: MIT */
/* The allocation seam (iomem/alloc.h): counting by kind, and failure injection. */
#include "iomem/alloc.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "iomem/iomem.h"

#include <malloc.h>
#include <stdlib.h>
#ifdef IOMEM_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

/* Live allocations by kind, counted in per-thread slots: a thread adds to its own slot's
 * cache line (shared only when more than COUNT_SLOTS threads allocate), so mapping threads
 * counting their VA areas never bounce a line between them, which one global counter per
 * kind would on every ioremap. A slot's counts may go negative (a node freed by another
 * thread than made it); only the sum over the slots means anything. Relaxed: the counts
 * are statistics, read when the allocating threads are done (joined, or the reader's own
 * calls), and order nothing else. The first COUNT_SLOTS threads own their slots: one
 * writer, so an update is a load and a store, not a locked read-modify-write (which cost
 * a write of the maple backend 5% of its time); later threads share, with atomic adds. */
#define COUNT_SLOTS 64
static struct count_slot {
	struct {
		_Atomic long long live, bytes;
	} kind[IOMEM_ALLOC_NR_KINDS];
} __attribute__((aligned(64))) slots[COUNT_SLOTS];
static _Atomic unsigned next_slot;
static _Thread_local struct count_slot *my_slot;
static _Thread_local bool my_slot_shared;

static struct count_slot *this_slot(void)
{
	if (__builtin_expect(!my_slot, 0)) {
		unsigned n = atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed);

		/* n is never reused, so a slot below COUNT_SLOTS has this thread alone */
		my_slot_shared = n >= COUNT_SLOTS;
		my_slot = &slots[n % COUNT_SLOTS];
	}
	return my_slot;
}

static void add(_Atomic long long *v, long long d)
{
	if (my_slot_shared)
		atomic_fetch_add_explicit(v, d, memory_order_relaxed);
	else
		atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + d,
				      memory_order_relaxed);
}

/* The failure switch is compiled into every build. Disarmed, it costs one relaxed load of
 * `armed`, a line no thread writes then, so it stays shared in every core's cache: an L1
 * hit and a branch that always goes the same way, beside a call of malloc that costs tens
 * of nanoseconds. Only an armed switch counts allocations on the shared `numbered`. The
 * controlling thread arms and disarms around its own calls, so program order orders the
 * switch against the allocations it is about; other threads may see it late, which only
 * decides whether theirs are numbered. */
static atomic_bool armed;
static _Atomic uint64_t numbered, fail_first, fail_last;

static inline bool injected_failure(void)
{
	uint64_t n;

	if (__builtin_expect(!atomic_load_explicit(&armed, memory_order_relaxed), 1))
		return false;
	n = atomic_fetch_add_explicit(&numbered, 1, memory_order_relaxed) + 1;
	return n >= atomic_load_explicit(&fail_first, memory_order_relaxed) &&
	       n <= atomic_load_explicit(&fail_last, memory_order_relaxed);
}

void iomem_alloc_fail(uint64_t first, uint64_t count)
{
	uint64_t last = first == 0 ? 0 : (count > UINT64_MAX - first ? UINT64_MAX
								     : first + count - 1);

	atomic_store_explicit(&fail_first, first ? first : UINT64_MAX, memory_order_relaxed);
	atomic_store_explicit(&fail_last, last, memory_order_relaxed);
	atomic_store_explicit(&numbered, 0, memory_order_relaxed);
	atomic_store_explicit(&armed, true, memory_order_relaxed);
}

uint64_t iomem_alloc_fail_stop(void)
{
	atomic_store_explicit(&armed, false, memory_order_relaxed);
	return atomic_load_explicit(&numbered, memory_order_relaxed);
}

/* NODE allocations from jemalloc where the build has it, the rest from the C library. */
static size_t usable(enum iomem_alloc_kind kind, void *p)
{
#ifdef IOMEM_JEMALLOC
	if (kind == IOMEM_ALLOC_NODE)
		return sallocx(p, 0);
#else
	(void)kind;
#endif
	return malloc_usable_size(p);
}

static void *raw_alloc(enum iomem_alloc_kind kind, size_t size)
{
#ifdef IOMEM_JEMALLOC
	if (kind == IOMEM_ALLOC_NODE)
		return mallocx(size ? size : 1, 0);
#else
	(void)kind;
#endif
	return malloc(size ? size : 1);
}

static void raw_free(enum iomem_alloc_kind kind, void *p)
{
#ifdef IOMEM_JEMALLOC
	if (kind == IOMEM_ALLOC_NODE) {
		dallocx(p, 0);
		return;
	}
#else
	(void)kind;
#endif
	free(p);
}

static void count(enum iomem_alloc_kind kind, long long live, long long bytes)
{
	struct count_slot *c = this_slot();

	add(&c->kind[kind].live, live);
	add(&c->kind[kind].bytes, bytes);
}

static void *counted(enum iomem_alloc_kind kind, void *p)
{
	if (p)
		count(kind, 1, (long long)usable(kind, p));
	return p;
}

void *iomem_alloc(enum iomem_alloc_kind kind, size_t size)
{
	if (injected_failure())
		return NULL;
#ifdef IOMEM_JEMALLOC
	if (kind == IOMEM_ALLOC_NODE)
		return counted(kind, mallocx(size ? size : 1, MALLOCX_ZERO));
#endif
	return counted(kind, calloc(1, size ? size : 1));
}

void *iomem_alloc_aligned(enum iomem_alloc_kind kind, size_t align, size_t size)
{
	void *p;

	if (injected_failure())
		return NULL;
	size = (size + align - 1) & ~(align - 1);	/* aligned_alloc wants a multiple */
	p = aligned_alloc(align, size ? size : align);
	if (p)
		memset(p, 0, size);
	return counted(kind, p);
}

void *iomem_realloc(enum iomem_alloc_kind kind, void *p, size_t size)
{
	size_t old = p ? usable(kind, p) : 0;
	void *q;

	if (injected_failure())
		return NULL;
	q = realloc(p, size ? size : 1);
	if (q)
		count(kind, p ? 0 : 1, (long long)usable(kind, q) - (long long)old);
	return q;
}

char *iomem_strdup(enum iomem_alloc_kind kind, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = iomem_alloc(kind, len);

	if (p)
		memcpy(p, s, len);
	return p;
}

void iomem_free(enum iomem_alloc_kind kind, void *p)
{
	if (!p)
		return;
	count(kind, -1, -(long long)usable(kind, p));
	raw_free(kind, p);
}

size_t iomem_alloc_bulk(enum iomem_alloc_kind kind, size_t size, void **p, size_t n)
{
	long long bytes = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (injected_failure() || !(p[i] = raw_alloc(kind, size)))
			break;
		bytes += (long long)usable(kind, p[i]);
	}
	count(kind, (long long)i, bytes);
	return i;
}

void iomem_free_bulk(enum iomem_alloc_kind kind, void *const *p, size_t n)
{
	long long bytes = 0;

	for (size_t i = 0; i < n; i++) {
		bytes += (long long)usable(kind, p[i]);
		raw_free(kind, p[i]);
	}
	count(kind, -(long long)n, -bytes);
}

void iomem_alloc_count(enum iomem_alloc_kind kind, struct iomem_alloc_count *out)
{
	*out = (struct iomem_alloc_count){ 0 };
	for (unsigned i = 0; i < COUNT_SLOTS; i++) {
		out->live += atomic_load_explicit(&slots[i].kind[kind].live, memory_order_relaxed);
		out->bytes += atomic_load_explicit(&slots[i].kind[kind].bytes,
						   memory_order_relaxed);
	}
}

const char *iomem_alloc_kind_name(enum iomem_alloc_kind kind)
{
	static const char *const names[] = {
		[IOMEM_ALLOC_NODE] = "tree node",
		[IOMEM_ALLOC_VA] = "VA area",
		[IOMEM_ALLOC_PGTABLE] = "page table",
		[IOMEM_ALLOC_OTHER] = "other",
	};

	return (unsigned)kind < IOMEM_ALLOC_NR_KINDS ? names[kind] : "?";
}

long long iomem_node_bytes(void)
{
	struct iomem_alloc_count c;

	iomem_alloc_count(IOMEM_ALLOC_NODE, &c);
	return c.bytes;
}

size_t iomem_allocated_bytes(void)
{
#ifdef IOMEM_JEMALLOC
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch), allocated = 0;

	mallctl("epoch", &epoch, &sz, &epoch, sz);
	sz = sizeof(allocated);
	if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) != 0)
		return 0;
	return allocated;
#else
	return 0;
#endif
}
