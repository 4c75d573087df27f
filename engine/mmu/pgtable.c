/* SPDX-License-Identifier: MIT */
/* The simulated arm64 kernel page table: descriptors, map, unmap, attribute changes and
 * the lock-free walk (kernel model §2).
 *
 * A table descriptor holds the process address of the next-level table in its output
 * address field [47:12]: tables are page-aligned heap pages and user-space addresses fit
 * in 47 bits, so the encoding is the architecture's and a walk decodes it as the MMU does.
 *
 * Concurrency: mappers own disjoint VA ranges (the VA allocator sees to it), so a leaf
 * has one writer; intermediate tables are published with a compare-and-swap, so two
 * mappers populating the same empty entry agree on one table. Walkers read descriptors
 * atomically; a table is freed only after a grace period (walkers.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "pt_state.h"

static const unsigned level_shift[4] = { PGDIR_SHIFT, PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT };

static inline uint64_t level_size(int level)
{
	return 1ULL << level_shift[level];
}

static inline unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> level_shift[level]) & (PTRS_PER_TABLE - 1);
}

/* pXd_addr_end: the end of va's entry at level, or end when that comes first (the -1s
 * keep an end of 0, i.e. 2^64, working). */
static inline uint64_t entry_end(uint64_t va, uint64_t end, int level)
{
	uint64_t next = (va + level_size(level)) & ~(level_size(level) - 1);

	return next - 1 < end - 1 ? next : end;
}

/* TTBR1 translates the addresses whose bits [63:48] are all ones. */
static inline bool is_kernel_va(uint64_t va)
{
	return (va >> 48) == 0xffff;
}

static inline bool desc_is_table(uint64_t d, int level)
{
	return level < 3 && (d & PTE_TYPE_MASK) == PMD_TYPE_TABLE;
}

static inline bool desc_is_leaf(uint64_t d, int level)
{
	if (level == 3)
		return (d & PTE_TYPE_MASK) == PTE_TYPE_PAGE;
	return level > 0 && (d & PTE_TYPE_MASK) == PMD_TYPE_SECT;
}

static inline struct pt_table *table_of(uint64_t d)
{
	return (struct pt_table *)(uintptr_t)(d & PTE_ADDR_MASK);
}

static inline uint64_t leaf_oa(uint64_t d, int level)
{
	return d & PTE_ADDR_MASK & ~(level_size(level) - 1);
}

static inline bool is_normal(uint64_t d)
{
	uint64_t idx = d & PTE_ATTRINDX_MASK;

	return idx == PTE_ATTRINDX(MT_NORMAL) || idx == PTE_ATTRINDX(MT_NORMAL_TAGGED);
}

static inline bool attr_change_is_safe(uint64_t old, uint64_t new)
{
	uint64_t mask = PTE_PXN | PTE_RDONLY | PTE_WRITE | PTE_NG | PTE_SWBITS_MASK;

	if (!(old & PTE_VALID) || !(new & PTE_VALID))
		return true;
	if ((old & PTE_ADDR_MASK) != (new & PTE_ADDR_MASK))
		return false;
	if ((old | new) & PTE_CONT)
		return false;
	if (old & ~new & PTE_NG)
		return false;
	/* Tagged is a permission, not a type, as far as aliasing goes. */
	if (is_normal(old) && is_normal(new))
		mask |= PTE_ATTRINDX_MASK;
	return ((old ^ new) & ~mask) == 0;
}

bool pgattr_change_is_safe(uint64_t old, uint64_t new)
{
	return attr_change_is_safe(old, new);
}

/* Every make of a descriptor goes through here: break-before-make's debug check. old is
 * the slot's current value, as the caller read it. */
static inline int desc_make(struct pgtable *pt, _Atomic uint64_t *slot, uint64_t old,
			    uint64_t new)
{
	if (!attr_change_is_safe(old, new)) {
		pt_count(&pt->c.bbm_violations, 1);
		return -EPERM;
	}
	atomic_store_explicit(slot, new, memory_order_release);
	return 0;
}

static struct pt_table *table_alloc_raw(void)
{
	struct pt_table *t = iomem_alloc_aligned(IOMEM_ALLOC_PGTABLE, PAGE_SIZE, sizeof(*t));

	/* Only a table the output-address field can hold is usable. */
	if ((uintptr_t)t & ~PTE_ADDR_MASK) {
		iomem_free(IOMEM_ALLOC_PGTABLE, t);
		return NULL;
	}
	return t;
}

static struct pt_table *table_alloc(struct pgtable *pt)
{
	struct pt_table *t = table_alloc_raw();

	if (t)
		pt_count(&pt->c.tables_allocated, 1);
	return t;
}

/* Frees tbl (at level) and every table below it. */
static void table_tree_free(struct pgtable *pt, struct pt_table *tbl, int level)
{
	for (unsigned i = 0; level < 3 && i < PTRS_PER_TABLE; i++) {
		uint64_t d = atomic_load_explicit(&tbl->e[i], memory_order_relaxed);

		if (desc_is_table(d, level))
			table_tree_free(pt, table_of(d), level + 1);
	}
	iomem_free(IOMEM_ALLOC_PGTABLE, tbl);
	pt_count(&pt->c.tables_freed, 1);
}

/* True when no leaf is left under tbl (at level). */
static bool table_tree_empty(struct pt_table *tbl, int level)
{
	for (unsigned i = 0; i < PTRS_PER_TABLE; i++) {
		uint64_t d = atomic_load_explicit(&tbl->e[i], memory_order_acquire);

		if (!d)
			continue;
		if (!desc_is_table(d, level) || !table_tree_empty(table_of(d), level + 1))
			return false;
	}
	return true;
}

/* The table under *slot (at level), made and published if the entry is empty. */
static int get_table(struct pgtable *pt, _Atomic uint64_t *slot, int level,
		     struct pt_table **out)
{
	uint64_t d = atomic_load_explicit(slot, memory_order_acquire);

	if (!d) {
		struct pt_table *t = table_alloc(pt);

		if (!t)
			return -ENOMEM;
		if (atomic_compare_exchange_strong_explicit(
			    slot, &d, (uintptr_t)t | PMD_TYPE_TABLE | PMD_TABLE_UXN,
			    memory_order_acq_rel, memory_order_acquire)) {
			*out = t;
			return 0;
		}
		/* Another mapper published one first; ours was never seen. */
		iomem_free(IOMEM_ALLOC_PGTABLE, t);
		pt_count(&pt->c.tables_freed, 1);
	}
	if (!desc_is_table(d, level))
		return -EEXIST;
	*out = table_of(d);
	return 0;
}

/* vmap_try_huge_pud/pmd: the entry's whole span, its VA and its PA aligned. */
static bool block_fits(int level, uint64_t va, uint64_t next, uint64_t pa, unsigned max_shift)
{
	uint64_t size = level_size(level);

	if (level != 1 && level != 2)
		return false;
	return max_shift >= level_shift[level] && next - va == size && !(va & (size - 1)) &&
	       !(pa & (size - 1));
}

/* pXd_free_pYd_page: break the table entry, invalidate, free the (empty) tables. */
static int free_lower_tables(struct pgtable *pt, _Atomic uint64_t *slot, uint64_t d,
			     int level, uint64_t va)
{
	if (!desc_is_table(d, level) || !table_tree_empty(table_of(d), level + 1))
		return -EEXIST;
	/* seq_cst: pairs with the walkers' count-in (walkers.c). */
	atomic_store_explicit(slot, 0, memory_order_seq_cst);
	pgtable_flush_tlb_pgtable(pt, va);
	table_tree_free(pt, table_of(d), level + 1);
	pt_count(&pt->c.tables_replaced, 1);
	return 0;
}

/* pXd_set_huge. */
static int set_block(struct pgtable *pt, _Atomic uint64_t *slot, int level, uint64_t va,
		     uint64_t pa, uint64_t prot)
{
	uint64_t d = atomic_load_explicit(slot, memory_order_acquire);
	int rc;

	if (d) {
		rc = free_lower_tables(pt, slot, d, level, va);
		if (rc)
			return rc;
		d = 0;
	}
	return desc_make(pt, slot, d, pa | (prot & ~PTE_TABLE_BIT));
}

/* arch_vmap_pte_range_map_size: a 64 KiB run when VA and PA allow it. */
static bool cont_fits(uint64_t va, uint64_t end, uint64_t pa, unsigned max_shift)
{
	return max_shift >= CONT_PTE_SHIFT && end - va >= CONT_PTE_SIZE &&
	       !(va & (CONT_PTE_SIZE - 1)) && !(pa & (CONT_PTE_SIZE - 1));
}

/* vmap_pte_range: entries [first, first + n) of one table, each a page or part of a
 * 64 KiB run. */
static int map_ptes(struct pgtable *pt, struct pt_table *tbl, uint64_t va, uint64_t end,
		    uint64_t pa, uint64_t prot, unsigned max_shift)
{
	unsigned i = pt_index(va, 3), last = i + (unsigned)((end - va) >> PAGE_SHIFT);

	while (i < last) {
		uint64_t cont = cont_fits(va, end, pa, max_shift) ? PTE_CONT : 0;
		unsigned stop = cont ? i + CONT_PTES : last;

		/* Without a run here, none starts before the next 64 KiB boundary. */
		if (!cont && max_shift >= CONT_PTE_SHIFT) {
			unsigned to_boundary = CONT_PTES - (i & (CONT_PTES - 1));

			stop = i + to_boundary < last ? i + to_boundary : last;
		}
		for (; i < stop; i++, va += PAGE_SIZE, pa += PAGE_SIZE) {
			uint64_t old = atomic_load_explicit(&tbl->e[i], memory_order_relaxed);
			int rc;

			if (old)	/* the kernel's BUG_ON(!pte_none(*pte)) */
				return -EEXIST;
			rc = desc_make(pt, &tbl->e[i], old, pa | prot | cont);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* vmap_{p4d,pud,pmd}_range: one level of the walk, blocks where they fit. */
static int map_level(struct pgtable *pt, struct pt_table *tbl, int level, uint64_t va,
		     uint64_t end, uint64_t pa, uint64_t prot, unsigned max_shift)
{
	if (level == 3)
		return map_ptes(pt, tbl, va, end, pa, prot, max_shift);
	do {
		uint64_t next = entry_end(va, end, level);
		_Atomic uint64_t *slot = &tbl->e[pt_index(va, level)];
		struct pt_table *sub;
		int rc;

		if (block_fits(level, va, next, pa, max_shift))
			rc = set_block(pt, slot, level, va, pa, prot);
		else if (!(rc = get_table(pt, slot, level, &sub)))
			rc = map_level(pt, sub, level + 1, va, next, pa, prot, max_shift);
		if (rc)
			return rc;
		pa += next - va;
		va = next;
	} while (va != end);
	return 0;
}

/* The table at level `level` covering va, made where missing (level 0: the PGD). */
static int table_at(struct pgtable *pt, uint64_t va, int level, struct pt_table **out)
{
	struct pt_table *tbl = pt->pgd;

	for (int l = 0; l < level; l++) {
		int rc = get_table(pt, &tbl->e[pt_index(va, l)], l, &tbl);

		if (rc)
			return rc;
	}
	*out = tbl;
	return 0;
}

/* The level at which [va, end) is exactly one block entry, or 0. */
static int single_block_level(uint64_t va, uint64_t end, uint64_t pa, unsigned max_shift)
{
	for (int level = 1; level <= 2; level++)
		if (block_fits(level, va, end, pa, max_shift))
			return level;
	return 0;
}

static bool within_one_pmd_entry(uint64_t va, uint64_t end)
{
	return (va >> PMD_SHIFT) == ((end - 1) >> PMD_SHIFT);
}

/* Less than 2 MiB inside one PMD entry: pages only, one table; the common case. */
static bool within_one_pte_table(uint64_t va, uint64_t end)
{
	return end - va < PMD_SIZE && within_one_pmd_entry(va, end);
}

int pgtable_map(struct pgtable *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot,
		unsigned max_page_shift)
{
	uint64_t end = va + size;
	struct pt_table *tbl;
	int rc, level;

	if (!size || ((va | pa | size) & ~PAGE_MASK) || !is_kernel_va(va) || end - 1 < va ||
	    pa + size - 1 < pa || ((pa + size - 1) & ~PHYS_MASK))
		return -EINVAL;
	prot &= ~PTE_ADDR_MASK;
	if (within_one_pte_table(va, end)) {
		rc = table_at(pt, va, 3, &tbl);
		return rc ? rc : map_ptes(pt, tbl, va, end, pa, prot, max_page_shift);
	}
	level = single_block_level(va, end, pa, max_page_shift);
	if (level) {
		rc = table_at(pt, va, level, &tbl);
		return rc ? rc : set_block(pt, &tbl->e[pt_index(va, level)], level, va, pa, prot);
	}
	return map_level(pt, pt->pgd, 0, va, end, pa, prot, max_page_shift);
}

/* vunmap_pte_range. */
static uint64_t unmap_ptes(struct pt_table *tbl, uint64_t va, uint64_t end)
{
	unsigned i = pt_index(va, 3), last = i + (unsigned)((end - va) >> PAGE_SHIFT);
	uint64_t cleared = 0;

	for (; i < last; i++)
		if (atomic_load_explicit(&tbl->e[i], memory_order_relaxed)) {
			atomic_store_explicit(&tbl->e[i], 0, memory_order_release);
			cleared++;
		}
	return cleared;
}

/* vunmap_{p4d,pud,pmd}_range: leaves cleared, tables kept. */
static uint64_t unmap_level(struct pt_table *tbl, int level, uint64_t va, uint64_t end)
{
	uint64_t cleared = 0;

	if (level == 3)
		return unmap_ptes(tbl, va, end);
	do {
		uint64_t next = entry_end(va, end, level);
		_Atomic uint64_t *slot = &tbl->e[pt_index(va, level)];
		uint64_t d = atomic_load_explicit(slot, memory_order_acquire);

		if (desc_is_table(d, level)) {
			cleared += unmap_level(table_of(d), level + 1, va, next);
		} else if (d) {
			atomic_store_explicit(slot, 0, memory_order_release);
			cleared++;
		}
		va = next;
	} while (va != end);
	return cleared;
}

/* unmap_level for a range inside one PMD entry, walking straight down. */
static uint64_t unmap_straight(struct pt_table *tbl, uint64_t va, uint64_t end)
{
	for (int level = 0; level < 3; level++) {
		_Atomic uint64_t *slot = &tbl->e[pt_index(va, level)];
		uint64_t d = atomic_load_explicit(slot, memory_order_acquire);

		if (!desc_is_table(d, level)) {
			if (!d)
				return 0;
			atomic_store_explicit(slot, 0, memory_order_release);	/* a block */
			return 1;
		}
		tbl = table_of(d);
	}
	return unmap_ptes(tbl, va, end);
}

uint64_t pgtable_unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;

	if (!size || ((va | size) & ~PAGE_MASK) || !is_kernel_va(va) || end - 1 < va)
		return 0;
	if (within_one_pmd_entry(va, end))
		return unmap_straight(pt->pgd, va, end);
	return unmap_level(pt->pgd, 0, va, end);
}

/* The slot for va at level `want`, or where the walk ends sooner; *level says which. */
static _Atomic uint64_t *walk_slot(struct pt_table *tbl, uint64_t va, int want, int *level)
{
	for (int l = 0;; l++) {
		_Atomic uint64_t *slot = &tbl->e[pt_index(va, l)];
		uint64_t d = atomic_load_explicit(slot, memory_order_acquire);

		if (l == want || !desc_is_table(d, l)) {
			*level = l;
			return slot;
		}
		tbl = table_of(d);
	}
}

static uint64_t leaf_with_prot(uint64_t old, int level, uint64_t prot)
{
	return leaf_oa(old, level) | (old & (PTE_TYPE_MASK | PTE_CONT)) | prot;
}

/* Break n entries, invalidate their span, make them with prot. */
static int remake(struct pgtable *pt, _Atomic uint64_t *slot, unsigned n, int level,
		  uint64_t va, uint64_t span, uint64_t prot)
{
	uint64_t old[CONT_PTES];

	for (unsigned i = 0; i < n; i++) {
		old[i] = atomic_load_explicit(&slot[i], memory_order_relaxed);
		atomic_store_explicit(&slot[i], 0, memory_order_release);
	}
	pgtable_flush_tlb_kernel_range(pt, va, va + span);
	for (unsigned i = 0; i < n; i++) {
		int rc = desc_make(pt, &slot[i], 0, leaf_with_prot(old[i], level, prot));

		if (rc)
			return rc;
	}
	return 0;
}

static int change_in_place(struct pgtable *pt, _Atomic uint64_t *slot, unsigned n, int level,
			   uint64_t prot)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t old = atomic_load_explicit(&slot[i], memory_order_relaxed);
		int rc = desc_make(pt, &slot[i], old, leaf_with_prot(old, level, prot));

		if (rc)
			return rc;
	}
	return 0;
}

int pgtable_set_prot(struct pgtable *pt, uint64_t va, uint64_t size, uint64_t prot, bool bbm)
{
	uint64_t end = va + size;
	unsigned token;
	int rc = 0;

	if (!size || ((va | size) & ~PAGE_MASK) || !is_kernel_va(va) || end - 1 < va)
		return -EINVAL;
	prot &= ~(PTE_ADDR_MASK | PTE_TYPE_MASK | PTE_CONT);
	token = walker_enter(&pt->walkers);
	while (!rc && va != end) {
		int level;
		_Atomic uint64_t *slot = walk_slot(pt->pgd, va, 3, &level);
		uint64_t d = atomic_load_explicit(slot, memory_order_relaxed);
		bool cont = level == 3 && (d & PTE_CONT);
		uint64_t span = cont ? CONT_PTE_SIZE : level_size(level);
		unsigned n = cont ? CONT_PTES : 1;

		if (!(d & PTE_VALID) || !desc_is_leaf(d, level)) {
			rc = -EFAULT;
			break;
		}
		if ((va & (span - 1)) || end - va < span) {
			rc = -EINVAL;
			break;
		}
		rc = bbm ? remake(pt, slot, n, level, va, span, prot)
			 : change_in_place(pt, slot, n, level, prot);
		va += span;
	}
	walker_exit(&pt->walkers, token);
	return rc;
}

/* The walk proper; the caller is counted in as a walker. */
static int walk(struct pt_table *tbl, uint64_t va, struct pgtable_walk *w)
{
	for (int level = 0;; level++) {
		uint64_t d = atomic_load_explicit(&tbl->e[pt_index(va, level)],
						  memory_order_seq_cst);

		if (!(d & PTE_VALID))
			return -EFAULT;
		if (desc_is_table(d, level)) {
			tbl = table_of(d);
			continue;
		}
		if (!desc_is_leaf(d, level))	/* a block at L0, or 0b01 at L3 */
			return -EFAULT;
		w->level = level;
		w->desc = d;
		w->pa = leaf_oa(d, level) | (va & (level_size(level) - 1));
		return 0;
	}
}

int pgtable_translate(struct pgtable *pt, uint64_t va, struct pgtable_walk *w)
{
	unsigned token;
	int rc;

	if (!is_kernel_va(va))
		return -EFAULT;
	token = walker_enter(&pt->walkers);
	rc = walk(pt->pgd, va, w);
	walker_exit(&pt->walkers, token);
	return rc;
}

int pgtable_read_desc(struct pgtable *pt, uint64_t va, int level, uint64_t *desc)
{
	unsigned token;
	int reached;

	if (level < 0 || level > 3 || !is_kernel_va(va))
		return -EFAULT;
	token = walker_enter(&pt->walkers);
	*desc = atomic_load_explicit(walk_slot(pt->pgd, va, level, &reached),
				     memory_order_acquire);
	walker_exit(&pt->walkers, token);
	return reached == level ? 0 : -EFAULT;
}

struct pgtable *pgtable_new(void)
{
	struct pgtable *pt = iomem_alloc_aligned(IOMEM_ALLOC_OTHER, 64, sizeof(*pt));

	if (!pt)
		return NULL;
	pt->pgd = table_alloc_raw();
	if (!pt->pgd) {
		iomem_free(IOMEM_ALLOC_OTHER, pt);
		return NULL;
	}
	walkers_init(&pt->walkers);
	return pt;
}

void pgtable_free(struct pgtable *pt)
{
	if (!pt)
		return;
	for (unsigned i = 0; i < PTRS_PER_TABLE; i++) {
		uint64_t d = atomic_load_explicit(&pt->pgd->e[i], memory_order_relaxed);

		if (desc_is_table(d, 0))
			table_tree_free(pt, table_of(d), 1);
	}
	iomem_free(IOMEM_ALLOC_PGTABLE, pt->pgd);
	walkers_destroy(&pt->walkers);
	iomem_free(IOMEM_ALLOC_OTHER, pt);
}

void pgtable_stats(struct pgtable *pt, struct pgtable_stats *out)
{
	struct pt_counters *c = &pt->c;

	*out = (struct pgtable_stats){
		.tables_allocated = atomic_load(&c->tables_allocated),
		.tables_freed = atomic_load(&c->tables_freed),
		.tables_replaced = atomic_load(&c->tables_replaced),
		.bbm_violations = atomic_load(&c->bbm_violations),
		.tlb_flush_calls = atomic_load(&c->tlb_flush_calls),
		.tlbi_pages = atomic_load(&c->tlbi_pages),
		.tlbi_all = atomic_load(&c->tlbi_all),
		.tlbi_pgtable = atomic_load(&c->tlbi_pgtable),
		.grace_periods = atomic_load(&c->grace_periods),
	};
}
