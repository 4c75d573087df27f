/* SPDX-License-Identifier: MIT */
/* How many random operations a single-threaded model test runs. Under ThreadSanitizer a
 * tenth: with one thread it has no race to find, and the same seeded sequence, shorter,
 * still runs every path under its instrumentation. Other builds run them all. */
#ifndef IOMEM_TEST_RANDOM_OPS_H
#define IOMEM_TEST_RANDOM_OPS_H

#ifdef IOMEM_TSAN
#define RANDOM_OPS(n) ((n) / 10)
#else
#define RANDOM_OPS(n) (n)
#endif

#endif
