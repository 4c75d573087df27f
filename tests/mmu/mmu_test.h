/* SPDX-License-Identifier: MIT */
/* Shared helpers of the mapping tests (tests/mmu). Section numbers (§2, §3) refer to
 * docs/kernel-model.md. */
#ifndef IOMEM_TEST_MMU_TEST_H
#define IOMEM_TEST_MMU_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iomem/iomem.h"
#include "iomem/ioremap.h"
#include "iomem/pgtable.h"
#include "iomem/vmap.h"

#define SZ_4K	0x1000ULL
#define SZ_64K	0x10000ULL
#define SZ_2M	0x200000ULL
#define SZ_4M	0x400000ULL
#define SZ_1G	0x40000000ULL

/* The test machine's physical map (an arm64 board):
 *   0x09000000-0x09000fff  uart (a device, not in the tree)
 *   0x10000000-0x3fffffff  PCI window (IORESOURCE_MEM, not RAM)
 *   0x40000000-0xbfffffff  System RAM
 *   0xc0000000-0xc00fffff  Reserved (right after RAM: RAM+this is MIXED)
 *   0x100000000-0x13fffffff System RAM (a second bank)
 *   0x800000000000-        System RAM beyond the linear map (PA >= 2^47)
 */
#define UART_PA		0x09000000ULL
#define PCI_PA		0x10000000ULL
#define RAM_PA		0x40000000ULL
#define RAM_END		0xbfffffffULL
#define RESERVED_PA	0xc0000000ULL
#define RAM2_PA		0x100000000ULL
#define HIGH_RAM_PA	0x800000000000ULL

/* The tree backend under test, for failure messages. */
static const char *test_backend __attribute__((unused)) = "rwlock";

#define CHECK_EQ(actual, expected)                                                         \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(actual);                      \
		unsigned long long e_ = (unsigned long long)(expected);                    \
		if (a_ != e_)                                                              \
			fail_msg("[%s] %s = %lld (%#llx), expected %s = %lld (%#llx)",     \
				 test_backend, #actual, (long long)a_, a_, #expected,      \
				 (long long)e_, e_);                                       \
	} while (0)

static inline struct iomem_tree *test_board_tree(const char *backend)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);

	if (!t)
		fail_msg("iomem_tree_new(%s): %s", backend ? backend : "default", strerror(errno));
	CHECK_EQ(iomem_insert_resource(t, IOMEM_ROOT_IOMEM, PCI_PA, RAM_PA - 1, "PCI window",
				       IORESOURCE_MEM, IORES_DESC_NONE), 0);
	CHECK_EQ(iomem_insert_resource(t, IOMEM_ROOT_IOMEM, RAM_PA, RAM_END, "System RAM",
				       IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				       IORES_DESC_NONE), 0);
	CHECK_EQ(iomem_insert_resource(t, IOMEM_ROOT_IOMEM, RESERVED_PA, RESERVED_PA + 0xfffff,
				       "Reserved", IORESOURCE_MEM | IORESOURCE_BUSY,
				       IORES_DESC_RESERVED), 0);
	CHECK_EQ(iomem_insert_resource(t, IOMEM_ROOT_IOMEM, RAM2_PA, RAM2_PA + SZ_1G - 1,
				       "System RAM", IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				       IORES_DESC_NONE), 0);
	CHECK_EQ(iomem_insert_resource(t, IOMEM_ROOT_IOMEM, HIGH_RAM_PA, HIGH_RAM_PA + SZ_1G - 1,
				       "System RAM", IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
				       IORES_DESC_NONE), 0);
	return t;
}

static inline struct iomem_mmu *test_mmu_new(struct iomem_tree *t,
					     const struct iomem_mmu_opts *opts)
{
	struct iomem_mmu *m = iomem_mmu_new(t, opts);

	if (!m)
		fail_msg("iomem_mmu_new: %s", strerror(errno));
	return m;
}

static inline void test_vmap_check(struct vmap_space *vs)
{
	char msg[256];

	if (vmap_check(vs, msg, sizeof(msg)))
		fail_msg("vmap_check: %s", msg);
}

/* Runs body once per tree backend, with t a fresh board tree and m a space on it. */
#define FOR_EACH_BACKEND_MMU(t, m, opts)                                                   \
	for (const char *const *b_ = iomem_backend_names(); (test_backend = *b_); b_++)    \
		for (struct iomem_tree *t = test_board_tree(*b_); t; t = NULL)             \
			for (struct iomem_mmu *m = test_mmu_new(t, opts); m;               \
			     iomem_mmu_free(m), iomem_tree_free(t), m = NULL)

static inline struct iomem_translation test_translate(struct iomem_mmu *m, uint64_t va)
{
	struct iomem_translation tr;

	if (iomem_translate(m, va, &tr))
		fail_msg("translate(%#" PRIx64 ") faulted", va);
	return tr;
}

#endif
