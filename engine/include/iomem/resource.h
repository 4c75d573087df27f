/* SPDX-License-Identifier: MIT */
/* struct resource and its constants, with the kernel's values (include/linux/ioport.h).
 * See docs/kernel-model.md §1.0. */
#ifndef IOMEM_RESOURCE_H
#define IOMEM_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t resource_size_t;

/* Inclusive range [start, end]; size = end - start + 1. */
struct resource {
	resource_size_t start, end;
	const char *name;
	unsigned long flags, desc;
	struct resource *parent, *sibling, *child;
};

#define IORESOURCE_BITS		0x000000ffUL
#define IORESOURCE_TYPE_BITS	0x00001f00UL
#define IORESOURCE_IO		0x00000100UL
#define IORESOURCE_MEM		0x00000200UL
#define IORESOURCE_REG		0x00000300UL
#define IORESOURCE_IRQ		0x00000400UL
#define IORESOURCE_DMA		0x00000800UL
#define IORESOURCE_BUS		0x00001000UL
#define IORESOURCE_PREFETCH	0x00002000UL
#define IORESOURCE_READONLY	0x00004000UL
#define IORESOURCE_CACHEABLE	0x00008000UL
#define IORESOURCE_RANGELENGTH	0x00010000UL
#define IORESOURCE_SHADOWABLE	0x00020000UL
#define IORESOURCE_SIZEALIGN	0x00040000UL
#define IORESOURCE_STARTALIGN	0x00080000UL
#define IORESOURCE_MEM_64	0x00100000UL
#define IORESOURCE_WINDOW	0x00200000UL
#define IORESOURCE_MUXED	0x00400000UL
#define IORESOURCE_EXT_TYPE_BITS 0x01000000UL
#define IORESOURCE_SYSRAM	0x01000000UL
#define IORESOURCE_SYSRAM_DRIVER_MANAGED 0x02000000UL	/* hot-added by a driver; carried */
#define IORESOURCE_EXCLUSIVE	0x08000000UL
#define IORESOURCE_DISABLED	0x10000000UL
#define IORESOURCE_UNSET	0x20000000UL
#define IORESOURCE_AUTO		0x40000000UL
#define IORESOURCE_BUSY		0x80000000UL

#define IORESOURCE_SYSTEM_RAM	(IORESOURCE_MEM | IORESOURCE_SYSRAM)

enum {
	IORES_DESC_NONE				= 0,
	IORES_DESC_CRASH_KERNEL			= 1,
	IORES_DESC_ACPI_TABLES			= 2,
	IORES_DESC_ACPI_NV_STORAGE		= 3,
	IORES_DESC_PERSISTENT_MEMORY		= 4,
	IORES_DESC_PERSISTENT_MEMORY_LEGACY	= 5,
	IORES_DESC_DEVICE_PRIVATE_MEMORY	= 6,
	IORES_DESC_RESERVED			= 7,
	IORES_DESC_SOFT_RESERVED		= 8,
	IORES_DESC_CXL				= 9,
};

enum { REGION_INTERSECTS = 0, REGION_DISJOINT = 1, REGION_MIXED = 2 };

/* The reader-side tree shown by /proc: r_show caps indentation here. */
enum { MAX_IORES_LEVEL = 5 };

static inline resource_size_t resource_size(const struct resource *r)
{
	return r->end - r->start + 1;
}

static inline unsigned long resource_type(const struct resource *r)
{
	return r->flags & IORESOURCE_TYPE_BITS;
}

static inline unsigned long resource_ext_type(const struct resource *r)
{
	return r->flags & IORESOURCE_EXT_TYPE_BITS;
}

static inline bool resource_overlaps(const struct resource *a, const struct resource *b)
{
	return a->start <= b->end && a->end >= b->start;
}

/* Leaves *r untouched when the two do not overlap. */
static inline bool resource_intersection(const struct resource *a, const struct resource *b,
					 struct resource *r)
{
	if (!resource_overlaps(a, b))
		return false;
	r->start = a->start > b->start ? a->start : b->start;
	r->end = a->end < b->end ? a->end : b->end;
	return true;
}

static inline bool resource_contains(const struct resource *outer, const struct resource *inner)
{
	if (resource_type(outer) != resource_type(inner))
		return false;
	if ((outer->flags | inner->flags) & IORESOURCE_UNSET)
		return false;
	return outer->start <= inner->start && outer->end >= inner->end;
}

#endif
