/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/names.h"
#include "iomem/resource.h"

struct word {
	const char *name;
	unsigned long value;
};

/* Each word is its kernel constant's suffix in lower case. */
static const struct word flag_words[] = {
	{ "io", IORESOURCE_IO },	     { "mem", IORESOURCE_MEM },
	{ "reg", IORESOURCE_REG },	     { "irq", IORESOURCE_IRQ },
	{ "dma", IORESOURCE_DMA },	     { "bus", IORESOURCE_BUS },
	{ "prefetch", IORESOURCE_PREFETCH }, { "readonly", IORESOURCE_READONLY },
	{ "cacheable", IORESOURCE_CACHEABLE }, { "rangelength", IORESOURCE_RANGELENGTH },
	{ "shadowable", IORESOURCE_SHADOWABLE }, { "sizealign", IORESOURCE_SIZEALIGN },
	{ "startalign", IORESOURCE_STARTALIGN }, { "mem_64", IORESOURCE_MEM_64 },
	{ "window", IORESOURCE_WINDOW },     { "muxed", IORESOURCE_MUXED },
	{ "sysram", IORESOURCE_SYSRAM },     { "system_ram", IORESOURCE_SYSTEM_RAM },
	{ "exclusive", IORESOURCE_EXCLUSIVE }, { "disabled", IORESOURCE_DISABLED },
	{ "unset", IORESOURCE_UNSET },	     { "auto", IORESOURCE_AUTO },
	{ "busy", IORESOURCE_BUSY },
};

static const struct word desc_words[] = {
	{ "none", IORES_DESC_NONE },
	{ "crash_kernel", IORES_DESC_CRASH_KERNEL },
	{ "acpi_tables", IORES_DESC_ACPI_TABLES },
	{ "acpi_nv_storage", IORES_DESC_ACPI_NV_STORAGE },
	{ "persistent_memory", IORES_DESC_PERSISTENT_MEMORY },
	{ "persistent_memory_legacy", IORES_DESC_PERSISTENT_MEMORY_LEGACY },
	{ "device_private_memory", IORES_DESC_DEVICE_PRIVATE_MEMORY },
	{ "reserved", IORES_DESC_RESERVED },
	{ "soft_reserved", IORES_DESC_SOFT_RESERVED },
	{ "cxl", IORES_DESC_CXL },
};

#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

/* A whole-string unsigned number: decimal, or 0x hex. */
static bool parse_number(const char *s, size_t len, unsigned long *out)
{
	char buf[32], *end;
	int base = 10;

	if (len == 0 || len >= sizeof(buf) || s[0] == '-' || s[0] == '+')
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		base = 16;
	else if (len > 1 && buf[0] == '0')
		base = 10; /* no octal surprises: 010 is ten */
	errno = 0;
	*out = strtoul(buf + (base == 16 ? 2 : 0), &end, base);
	return errno == 0 && *end == '\0' && end != buf + (base == 16 ? 2 : 0);
}

static bool lookup_word(const struct word *w, size_t n, const char *s, size_t len,
			unsigned long *out)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(w[i].name) == len && strncmp(w[i].name, s, len) == 0) {
			*out = w[i].value;
			return true;
		}
	return false;
}

bool iomem_parse_flags(const char *s, unsigned long *out)
{
	unsigned long flags = 0;

	for (;;) {
		size_t len = strcspn(s, ",");
		unsigned long v;

		if (!lookup_word(flag_words, NWORDS(flag_words), s, len, &v) &&
		    !parse_number(s, len, &v))
			return false;
		flags |= v;
		if (!s[len])
			break;
		s += len + 1;
	}
	*out = flags;
	return true;
}

bool iomem_parse_desc(const char *s, unsigned long *out)
{
	size_t len = strlen(s);

	return lookup_word(desc_words, NWORDS(desc_words), s, len, out) ||
	       parse_number(s, len, out);
}

const char *iomem_errno_name(int err)
{
	static _Thread_local char buf[24];

	switch (err < 0 ? -err : err) {
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EWOULDBLOCK: return "EWOULDBLOCK";
	case ENODEV: return "ENODEV";
	case EPERM: return "EPERM";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	default:
		snprintf(buf, sizeof(buf), "ERRNO%d", err < 0 ? -err : err);
		return buf;
	}
}

const char *iomem_region_name(int region)
{
	switch (region) {
	case REGION_INTERSECTS: return "REGION_INTERSECTS";
	case REGION_DISJOINT: return "REGION_DISJOINT";
	case REGION_MIXED: return "REGION_MIXED";
	default: return "REGION_?";
	}
}
