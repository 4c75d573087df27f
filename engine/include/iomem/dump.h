/* SPDX-License-Identifier: MIT */
/* Loading /proc/iomem and /proc/ioports dumps into a tree (r_show's format, §1.7). */
#ifndef IOMEM_DUMP_H
#define IOMEM_DUMP_H

#include <stdio.h>

#include "iomem/iomem.h"

/* Parses `in` (named `filename` in messages) into the given root, which must be empty.
 * 0 on success; otherwise a negative errno and a one-line message in err:
 *   -EINVAL  a malformed line: "FILE:LINE: error: ..."
 *   -EPERM   every address is zero (a dump read without CAP_SYS_ADMIN)
 *   -EBUSY   the root already has children
 *   -ENOMEM (the root is left empty), or the errno of a read error. */
int iomem_load_dump(struct iomem_tree *t, enum iomem_root root, FILE *in, const char *filename,
		    char *err, size_t errlen);

/* The tree of the machine when its own cannot be read: an x86 laptop's /proc/iomem, built
 * in (engine/fallback/). A reader without CAP_SYS_ADMIN sees every address of /proc/iomem
 * as zero, which iomem_load_dump refuses. */
extern const char iomem_fallback_dump[];
#define IOMEM_FALLBACK_SOURCE "built-in x86 laptop tree (/proc/iomem unreadable or zeroed)"

/* A dump file read whole into *text (malloc'd), if it loads as an iomem dump: 0, else
 * NULL in *text and iomem_load_dump's error and message, or -errno and "PATH: why" when
 * the file cannot be read. */
int iomem_dump_text(const char *path, char **text, char *err, size_t errlen);

/* The host's /proc/iomem when it loads, else iomem_fallback_dump: malloc'd text, and in
 * *source "/proc/iomem" or IOMEM_FALLBACK_SOURCE. NULL (errno ENOMEM) without memory. */
char *iomem_host_dump(const char **source);

/* Flags and desc given to a loaded line, from its name (docs/show-and-script.md). */
void iomem_dump_classify(enum iomem_root root, const char *name, int has_children,
			 unsigned long *flags, unsigned long *desc);

#endif
