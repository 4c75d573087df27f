/* SPDX-License-Identifier: MIT */
/* Whole /proc/iomem reads, checked as they are printed (procfs_reader.h). r_show prints
 * two spaces per level of depth, capped at level 5 (§1.7), so below that level the text
 * no longer says who is whose child: lines at the cap are only checked to lie inside the
 * level-4 line above them. */
#include <stdio.h>
#include <string.h>

#include "procfs_reader.h"
#include "role_helpers.h"

#define MAX_LEVEL 5

void procfs_check_reset(struct procfs_check *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->depth = -1;
}

static bool parse_hex(const char **p, const char *end, resource_size_t *out)
{
	resource_size_t v = 0;
	const char *s = *p;

	if (s == end)
		return false;
	for (; s < end; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		v = v << 4 | d;
	}
	if (s == *p)
		return false;
	*p = s;
	*out = v;
	return true;
}

static void fault(struct procfs_check *pc, const char *what)
{
	if (!pc->why[0])
		snprintf(pc->why, sizeof(pc->why), "line %lu: %s", pc->lines, what);
}

/* One whole line, without its newline. */
static void check_line(struct procfs_check *pc, const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	resource_size_t start, last;
	int depth = 0;

	pc->lines++;
	while (p < end && *p == ' ')
		p++;
	depth = (int)(p - line) / 2;
	if ((p - line) % 2 || depth > MAX_LEVEL)
		return fault(pc, "indentation is not a level");
	if (!parse_hex(&p, end, &start) || p == end || *p++ != '-' || !parse_hex(&p, end, &last) ||
	    end - p < 3 || memcmp(p, " : ", 3) != 0)
		return fault(pc, "not 'start-end : name'");
	if (last < start)
		return fault(pc, "ends before it starts");
	if (depth > pc->depth + 1)
		return fault(pc, "deeper than a child of the line above");
	if (depth > 0 && (start < pc->start[depth - 1] || last > pc->end[depth - 1]))
		return fault(pc, "sticks out of its parent");
	if (depth < MAX_LEVEL && depth <= pc->depth && pc->seen[depth] &&
	    start <= pc->end[depth])
		return fault(pc, "overlaps or precedes the sibling above");
	for (int d = depth + 1; d <= MAX_LEVEL; d++)
		pc->seen[d] = false;
	pc->start[depth] = start;
	pc->end[depth] = last;
	pc->seen[depth] = true;
	pc->depth = depth;
}

void procfs_check_feed(struct procfs_check *pc, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		if (pc->ncarry || !nl) {	/* part of a line: gather it */
			if (pc->ncarry + n > sizeof(pc->carry)) {
				fault(pc, "line too long");
				pc->ncarry = 0;
			} else {
				memcpy(pc->carry + pc->ncarry, buf, n);
				pc->ncarry += n;
			}
			if (nl) {
				check_line(pc, pc->carry, pc->ncarry);
				pc->ncarry = 0;
			}
		} else {
			check_line(pc, buf, n);
		}
		if (!nl)
			break;
		buf += n + 1;
		len -= n + 1;
	}
}

bool procfs_check_done(struct procfs_check *pc)
{
	if (pc->ncarry)
		fault(pc, "the last line has no newline");
	if (!pc->lines)
		fault(pc, "nothing printed");
	return !pc->why[0];
}

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
	procfs_check_feed(cookie, buf, len);
	return (ssize_t)len;
}

void procfs_reader_loop(struct worker *w)
{
	struct run *r = w->run;
	struct procfs_check pc;
	cookie_io_functions_t io = { .write = sink_write };
	FILE *sink = fopencookie(&pc, "w", io);
	struct timer tm = { 0 };

	if (!sink) {
		run_fail(r, w, "procfs reader: cannot open its sink");
		return;
	}
	for (uint64_t i = 0; keep_going(w, i); i++) {
		int rc;

		procfs_check_reset(&pc);
		op_begin(w, &tm, i);
		rc = iomem_show(r->t, IOMEM_ROOT_IOMEM, sink);
		fflush(sink);
		op_end(w, &tm, OP_PROC_READ);
		if (rc || (r->c->checks && !procfs_check_done(&pc))) {
			run_fail(r, w, "a /proc/iomem read is not a well-formed tree: %s",
				 rc ? "the print failed" : pc.why);
			break;
		}
		if ((i & 7) == 0)
			atomic_store_explicit(&w->published_ops, i, memory_order_relaxed);
	}
	fclose(sink);
}
