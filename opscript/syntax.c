/* SPDX-License-Identifier: MIT */
/* What every op's parsing and running uses: errors, words, numbers, results. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "iomem/names.h"
#include "script.h"

int opscript_syntax(struct opscript *s, unsigned long lineno, const char *fmt, ...)
{
	va_list ap;

	fprintf(s->err, "%s:%lu: error: ", s->file, lineno);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
	return 2;
}

int opscript_tokenize(char *p, struct token *tok, int max, const char **why)
{
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max) {
			*why = "too many arguments";
			return -1;
		}
		if (*p == '"') {
			char *w = ++p;

			tok[n] = (struct token){ .text = w, .quoted = true };
			while (*p != '"') {
				if (!*p) {
					*why = "unterminated quoted name";
					return -1;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*w++ = *p++;
			}
			p++;
			if (*p && *p != ' ' && *p != '\t' && *p != '\r') {
				*why = "text right after a closing quote";
				return -1;
			}
			if (*p)
				p++;
			*w = '\0';
		} else {
			tok[n] = (struct token){ .text = p, .quoted = false };
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '"')
				p++;
			if (*p == '"') {
				*why = "quote inside a word";
				return -1;
			}
			if (*p)
				*p++ = '\0';
		}
		n++;
	}
}

bool opscript_parse_u64(const struct token *t, resource_size_t *out)
{
	const char *s = t->text;
	char *end;
	int base = 10;

	if (t->quoted || !*s || *s == '-' || *s == '+')
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		if (!*s)
			return false;
	}
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

int opscript_parse_numbers(struct opscript *s, struct op *op, const struct token *tok,
			   unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!opscript_parse_u64(&tok[1 + i], &op->num[i]))
			return opscript_syntax(s, op->lineno,
					       "'%s' is not a number (decimal or 0x hex): %s",
					       tok[1 + i].text, op->def->usage);
	return 0;
}

void opscript_result(FILE *out, int err)
{
	fprintf(out, "%s\n", err ? iomem_errno_name(err) : "ok");
}
