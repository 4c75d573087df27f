/* SPDX-License-Identifier: MIT */
/* What the fuzz targets (fuzz/NAME.c, one target each) share: failing loudly, a place
 * for output nobody reads, command lines made of fuzz input, and the libFuzzer entry
 * points every target defines. */
#ifndef IOMEM_FUZZ_H
#define IOMEM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: MESSAGE" and aborts: the fuzzer (or the replay driver) reports a crash
 * with the input. */
_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A stream that throws away what is written to it (one per process). */
FILE *fuzz_sink(void);

/* A command line from data: argv[0] is name, then each NUL-separated piece of data,
 * copied (parsers may write into their arguments), at most FUZZ_MAX_ARGS. argv[argc]
 * is NULL. fuzz_argv_free() frees it. */
#define FUZZ_MAX_ARGS 32
char **fuzz_argv(const char *name, const uint8_t *data, size_t size, int *argc);
void fuzz_argv_free(char **argv);

/* Nothing of any kind allocated through the seam (iomem/alloc.h) since fuzz_alloc_mark(). */
void fuzz_alloc_mark(void);
void fuzz_alloc_check(const char *what);

#endif
