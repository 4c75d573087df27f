/* SPDX-License-Identifier: MIT */
/* The recorded ops and results as op-script lines and `iomem script` output. */
#include <stdarg.h>
#include <stdio.h>

#include "check/history.h"
#include "iomem/names.h"

struct buf {
	char *p;
	size_t len, used;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->used >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	b->used += n > 0 ? (size_t)n : 0;
}

static void put_name(struct buf *b, const char *name)
{
	put(b, " \"");
	for (; *name; name++)
		put(b, *name == '"' || *name == '\\' ? "\\%c" : "%c", *name);
	put(b, "\"");
}

/* FLAGS as op-scripts read them: words where there is one, the rest in hex. */
static void put_flags(struct buf *b, unsigned long flags)
{
	static const struct { const char *word; unsigned long bit; } bits[] = {
		{ "prefetch", IORESOURCE_PREFETCH }, { "readonly", IORESOURCE_READONLY },
		{ "window", IORESOURCE_WINDOW }, { "muxed", IORESOURCE_MUXED },
		{ "sysram", IORESOURCE_SYSRAM }, { "exclusive", IORESOURCE_EXCLUSIVE },
		{ "disabled", IORESOURCE_DISABLED }, { "busy", IORESOURCE_BUSY },
	};
	unsigned long type = flags & IORESOURCE_TYPE_BITS;
	const char *sep = " ";

	if (type == IORESOURCE_MEM || type == IORESOURCE_IO) {
		put(b, "%s%s", sep, type == IORESOURCE_MEM ? "mem" : "io");
		flags &= ~type;
		sep = ",";
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (flags & bits[i].bit) {
			put(b, "%s%s", sep, bits[i].word);
			flags &= ~bits[i].bit;
			sep = ",";
		}
	if (flags || *sep == ' ')
		put(b, "%s0x%lx", sep, flags);
}

void lin_op_format(const struct lin_op *op, char *out, size_t len)
{
	static const char *const words[] = { "request", "release", "insert", "remove",
					     "adjust", "allocate", "intersects", "lookup" };
	static const int nargs[] = { 2, 2, 2, 2, 4, 4, 2, 1 };
	struct buf b = { out, len, 0 };

	out[0] = '\0';
	if (op->code > LIN_LOOKUP)
		return;
	put(&b, "%s", words[op->code]);
	for (int i = 0; i < nargs[op->code]; i++)
		put(&b, " 0x%llx", (unsigned long long)op->a[i]);
	if (op->code == LIN_REQUEST || op->code == LIN_INSERT || op->code == LIN_ALLOCATE)
		put_name(&b, op->name);
	if ((op->code == LIN_REQUEST && op->flags) || op->code == LIN_INSERT ||
	    op->code == LIN_ALLOCATE || op->code == LIN_INTERSECTS)
		put_flags(&b, op->flags);
	if (op->code == LIN_INSERT)
		put(&b, " desc=%lu", op->desc);
	if (op->code == LIN_INTERSECTS)
		put(&b, " %lu", op->desc);
}

void lin_result_format(const struct lin_op *op, const struct lin_result *res, char *out,
		       size_t len)
{
	if (op->code == LIN_INTERSECTS)
		snprintf(out, len, "%s", iomem_region_name(res->ret));
	else if (res->ret)
		snprintf(out, len, "%s", iomem_errno_name(res->ret));
	else if (op->code == LIN_ALLOCATE)
		snprintf(out, len, "ok 0x%llx 0x%llx", (unsigned long long)res->start,
			 (unsigned long long)res->end);
	else if (op->code == LIN_LOOKUP)
		snprintf(out, len, "ok 0x%llx 0x%llx \"%s\" flags=0x%lx desc=%lu",
			 (unsigned long long)res->start, (unsigned long long)res->end, res->name,
			 res->flags, res->desc);
	else
		snprintf(out, len, "ok");
}

void lin_events_write(FILE *out, const struct lin_event *ev, size_t n, uint64_t t0)
{
	enum iomem_root root = IOMEM_ROOT_IOMEM;
	char line[256], saw[160];

	for (size_t i = 0; i < n; i++) {
		const struct lin_event *e = &ev[i];

		if (e->op.root != root) {
			root = e->op.root;
			fprintf(out, "root %s\n", root == IOMEM_ROOT_IOMEM ? "iomem" : "ioport");
		}
		lin_op_format(&e->op, line, sizeof(line));
		lin_result_format(&e->op, &e->res, saw, sizeof(saw));
		fprintf(out, "%-56s # T%u op %llu [%llu, %llu] ns saw: %s%s\n", line, e->thread,
			(unsigned long long)e->seq, (unsigned long long)(e->invoke_ns - t0),
			(unsigned long long)(e->response_ns - t0), saw,
			e->op.blocking ? " (blocking: may have slept)" : "");
	}
	if (root != IOMEM_ROOT_IOMEM)
		fputs("root iomem\n", out);
}
