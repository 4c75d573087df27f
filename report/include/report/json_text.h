/* SPDX-License-Identifier: MIT */
/* JSON text primitives for the stress tools' output files. */
#ifndef STRESS_JSON_TEXT_H
#define STRESS_JSON_TEXT_H

#include <stdbool.h>
#include <stdio.h>

/* s as a JSON string, quotes included: ", \ and control characters escaped, bytes that
 * are not valid UTF-8 replaced by U+FFFD (JSON text must be Unicode). NULL prints null. */
void json_put_string(FILE *out, const char *s);

/* The shortest %.Ng (N <= 17) that reads back as the same double; integers below 2^53
 * without an exponent. Non-finite
 * values have no JSON form: false, nothing printed. Call in the C numeric locale. */
bool json_put_double(FILE *out, double v);

#endif
