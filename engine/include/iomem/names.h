/* SPDX-License-Identifier: MIT */
/* Names for flags, descs, errnos and region_intersects results, as op-scripts spell them. */
#ifndef IOMEM_NAMES_H
#define IOMEM_NAMES_H

#include <stdbool.h>

/* A comma list of flag words (mem, io, sysram, system_ram, busy, muxed, exclusive, ...) or
 * 0x numbers, OR-ed together. false on an unknown word. */
bool iomem_parse_flags(const char *s, unsigned long *out);
/* A desc word (none, reserved, soft_reserved, persistent_memory, ...) or a number. */
bool iomem_parse_desc(const char *s, unsigned long *out);
/* "EBUSY" for -EBUSY (or EBUSY); "E?" style fallback "ERRNO<n>" for unknown ones. */
const char *iomem_errno_name(int err);
/* "REGION_INTERSECTS", "REGION_DISJOINT", "REGION_MIXED". */
const char *iomem_region_name(int region);

#endif
