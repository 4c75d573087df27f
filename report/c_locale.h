/* SPDX-License-Identifier: MIT */
/* Numbers in output files are read by other tools: print them in the C locale (a '.'
 * decimal point) whatever the program's setlocale(). The switch is per thread. */
#ifndef STRESS_C_LOCALE_H
#define STRESS_C_LOCALE_H

#include <locale.h>

/* The caller's locale, to give back to c_locale_leave; (locale_t)0 if the switch failed
 * (then output is in the current locale, which is "C" unless the program changed it). */
static inline locale_t c_locale_enter(locale_t *c)
{
	*c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return *c ? uselocale(*c) : (locale_t)0;
}

static inline void c_locale_leave(locale_t old, locale_t c)
{
	if (c) {
		uselocale(old);
		freelocale(c);
	}
}

#endif
