/* SPDX-License-Identifier: MIT */
/* What built this program: the project's version and git revision, the compiler and its
 * flags, the build type, the allocator and liburcu's version. The git revision is read at
 * build time (every build), the rest when the build was configured. Strings are "unknown"
 * where nothing could be read, never NULL or empty. */
#ifndef REPORT_BUILD_INFO_H
#define REPORT_BUILD_INFO_H

struct build_info {
	const char *version;		/* project(... VERSION) */
	const char *git_revision;	/* 10 hex digits (+"-dirty"), or "unknown" */
	const char *compiler;
	const char *compiler_flags;
	const char *build_type;
	const char *allocator;		/* "jemalloc 5.3.0-..." or "glibc malloc" */
	const char *liburcu_version;
};

const struct build_info *build_info(void);

#endif
