/* SPDX-License-Identifier: MIT */
/* Durations and rates as the stress summary prints them. */
#ifndef IOMEM_STRESS_HUMAN_UNITS_H
#define IOMEM_STRESS_HUMAN_UNITS_H

#include <stddef.h>

/* "12ns", "3.4us", "1.2ms", "2.00s". */
const char *human_ns(double ns, char *buf, size_t len);
/* "12", "3.4k", "1.23M". */
const char *human_rate(double v, char *buf, size_t len);

#endif
