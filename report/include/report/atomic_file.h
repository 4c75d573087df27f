/* SPDX-License-Identifier: MIT */
/* Results files written atomically: the content goes to a temporary file in the target's
 * directory, is fsync'ed, then renamed over the target, so a reader (or a crash) sees the
 * old file or the complete new one, never a part. On any error the target is untouched
 * and the temporary file removed. */
#ifndef REPORT_ATOMIC_FILE_H
#define REPORT_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Writes the content to a stream: 0, or a negative errno to abandon the file. */
typedef int (*atomic_file_fill_fn)(FILE *out, void *arg);

/* 0 or -errno. The new file gets mode 0666 minus the umask, as fopen() would give it. The
 * content is rendered in memory first, so fill's output is complete before any byte is
 * written. After the rename the directory is fsync'ed too (a failure there is returned,
 * though the new file is then already in place). */
int atomic_file_write(const char *path, atomic_file_fill_fn fill, void *arg);
int atomic_file_write_buf(const char *path, const void *buf, size_t len);

#endif
