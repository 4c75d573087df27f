/* SPDX-License-Identifier: MIT */
/* Allocation-failure injection (`iomem faultinject`), after the kernel's failslab: an
 * op-script is run op by op on fresh trees, and for every op and every allocation that op
 * makes through the allocation seam (iomem/alloc.h), the script is run again with that one
 * allocation failing. Each time:
 *   - the op reports ENOMEM, or recovers and reports what it reports without the failure
 *     (the VA allocator purges and retries, memremap falls back to the next type, an
 *     itree leaf takes a reserved node);
 *   - a failed op leaves the tree dumping exactly as before, and the allocations it made
 *     freed: tree-node bytes as before, and every VA area and page table alive accounted
 *     for by the allocator and the page table (their own counts against the seam's);
 *   - every later op prints what a run without the failure prints: a run without the op
 *     when it failed (its "as NAME" reading 0), the run itself when it recovered. A
 *     mapping op may fail or recover as the kernel does, leaving the VA allocator
 *     otherwise: the VA of a mapping that failed half-way is freed lazily (free_vm_area),
 *     the allocator purges before it gives up, memremap falls back to the next memory
 *     type. Later addresses then differ by design, so after such an op each later op
 *     must leave the tree as without the failure and every VA area and page table
 *     accounted for, with the allocator's invariants holding;
 *   - when the run ends and the tree is freed, nothing of any kind is left allocated.
 * docs/testing.md says more. */
#ifndef CHECK_FAULTINJECT_H
#define CHECK_FAULTINJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct opscript;

struct faultinject_result {
	uint64_t runs;			/* runs with one allocation failing */
	uint64_t failed, recovered;	/* ... where the op reported ENOMEM, or recovered */
	uint64_t diverged;		/* ... where a mapping op failed or recovered leaving
					 * the VA allocator otherwise (later ops then checked
					 * by the tree and the accounting) */
	bool broken;			/* a check failed: the first one is described below */
	unsigned long lineno;		/* the op's line */
	uint64_t alloc_index;		/* the allocation that failed (1-based) */
	uint64_t allocs;		/* the allocations the op makes without failures */
	char what[768];			/* what went wrong */
};

/* Runs every injection of script s on backend. 0 with *res (res->broken on a failed
 * check), or 2 when the script cannot run as it is (its error is on the script's error
 * stream) or a tree cannot be made. */
int faultinject_run(struct opscript *s, const char *backend, struct faultinject_result *res);

#endif
