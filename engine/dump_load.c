/* SPDX-License-Identifier: MIT */
/* Parsing /proc/iomem and /proc/ioports dumps (r_show's output, §1.7) back into a tree.
 * Only dumps that would print back byte for byte are accepted: lowercase hex zero-padded
 * to exactly the root's width (or wider values in full), two spaces per level. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/alloc.h"
#include "backend.h"
#include "iomem/dump.h"

struct line {
	resource_size_t start, end;
	char *name;		/* NULL for "<BAD>" */
	int level;		/* indentation / 2, at most MAX_IORES_LEVEL */
	int depth;		/* the real depth, found by nesting */
	long parent;		/* index of the parent line, -1 for the root */
	resource_size_t last_child_end;
	bool has_child;
	struct iomem_node *node;
	unsigned long lineno;
};

struct loader {
	const char *file;
	char *err;
	size_t errlen;
	struct line *lines;
	size_t n, cap;
};

static int fail(struct loader *l, unsigned long lineno, const char *fmt, ...)
{
	va_list ap;
	int off = snprintf(l->err, l->errlen, "%s:%lu: error: ", l->file, lineno);

	va_start(ap, fmt);
	if (off >= 0 && (size_t)off < l->errlen)
		vsnprintf(l->err + off, l->errlen - off, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool ishex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A hex field of exactly the digits r_show would print for its value. */
static const char *parse_hex(const char *s, int width, resource_size_t *out, const char **why)
{
	const char *p = s;
	resource_size_t v = 0;
	int digits, need;

	while (ishex(*p)) {
		if (p - s >= 16) {
			*why = "address wider than 64 bits";
			return NULL;
		}
		v = v << 4 | (resource_size_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
		p++;
	}
	digits = (int)(p - s);
	if (digits == 0) {
		*why = "expected a lowercase hex address";
		return NULL;
	}
	need = 1;
	for (resource_size_t x = v >> 4; x; x >>= 4)
		need++;
	if (need < width)
		need = width;
	if (digits != need) {
		*why = width == 4 ? "address not zero-padded to exactly 4 digits (or its full width)"
				  : "address not zero-padded to exactly 8 digits (or its full width)";
		return NULL;
	}
	*out = v;
	return p;
}

static int parse_line(struct loader *l, char *s, unsigned long lineno, int width)
{
	struct line ln = { .lineno = lineno, .parent = -1 };
	const char *p = s, *why = NULL;
	int spaces = 0;

	while (*p == ' ')
		p++, spaces++;
	if (spaces % 2 || spaces > 2 * MAX_IORES_LEVEL)
		return fail(l, lineno, "indentation of %d spaces (expected an even number, at most %d)",
			    spaces, 2 * MAX_IORES_LEVEL);
	ln.level = spaces / 2;
	p = parse_hex(p, width, &ln.start, &why);
	if (p && *p++ != '-')
		why = "expected '-' between start and end", p = NULL;
	if (p)
		p = parse_hex(p, width, &ln.end, &why);
	if (p && strncmp(p, " : ", 3) != 0)
		why = "expected \" : \" before the name", p = NULL;
	if (!p)
		return fail(l, lineno, "%s", why);
	p += 3;
	if (strcmp(p, "<BAD>") != 0) {
		ln.name = iomem_strdup(IOMEM_ALLOC_OTHER, p);
		if (!ln.name)
			return -ENOMEM;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct line *a = iomem_realloc(IOMEM_ALLOC_OTHER, l->lines, cap * sizeof(*a));

		if (!a) {
			iomem_free(IOMEM_ALLOC_OTHER, ln.name);
			return -ENOMEM;
		}
		l->lines = a;
		l->cap = cap;
	}
	l->lines[l->n++] = ln;
	return 0;
}

static bool contains(const struct line *outer, const struct line *inner)
{
	return outer->start <= inner->start && outer->end >= inner->end;
}

/* Finds each line's parent from its indentation. Below MAX_IORES_LEVEL the indentation
 * says it; at the cap it no longer does, so the line nests under the deepest open
 * resource at or below the cap that contains it. */
static int nest(struct loader *l, const struct resource *root)
{
	/* open[d] = line at depth d */
	long *open = iomem_alloc(IOMEM_ALLOC_OTHER, (l->n + 1) * sizeof(*open));
	int top = -1, ret = 0;

	if (!open)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		struct line *ln = &l->lines[i];
		int d = ln->level;

		if (d > top + 1) {
			ret = fail(l, ln->lineno, "indented %d levels below a line at level %d", d,
				   top);
			break;
		}
		if (d == MAX_IORES_LEVEL && top >= MAX_IORES_LEVEL) {
			d = top + 1;
			while (d > MAX_IORES_LEVEL && !contains(&l->lines[open[d - 1]], ln))
				d--;
		}
		ln->depth = d;
		ln->parent = d ? open[d - 1] : -1;
		resource_size_t pstart = d ? l->lines[ln->parent].start : root->start;
		resource_size_t pend = d ? l->lines[ln->parent].end : root->end;
		struct line *parent = d ? &l->lines[ln->parent] : NULL;
		bool after_sibling = parent ? parent->has_child : top >= 0;
		resource_size_t prev_end = parent ? parent->last_child_end
						  : (top >= 0 ? l->lines[open[0]].end : 0);

		if (ln->end < ln->start) {
			ret = fail(l, ln->lineno, "end %llx below start %llx",
				   (unsigned long long)ln->end, (unsigned long long)ln->start);
			break;
		}
		if (ln->start < pstart || ln->end > pend) {
			ret = fail(l, ln->lineno, "range not inside its parent [%llx-%llx]",
				   (unsigned long long)pstart, (unsigned long long)pend);
			break;
		}
		if (after_sibling && ln->start <= prev_end) {
			ret = fail(l, ln->lineno,
				   "range overlaps or precedes its previous sibling (ending %llx)",
				   (unsigned long long)prev_end);
			break;
		}
		if (parent) {
			parent->has_child = true;
			parent->last_child_end = ln->end;
		}
		open[d] = (long)i;
		top = d;
	}
	iomem_free(IOMEM_ALLOC_OTHER, open);
	return ret;
}

static void free_lines(struct loader *l)
{
	for (size_t i = 0; i < l->n; i++)
		iomem_free(IOMEM_ALLOC_OTHER, l->lines[i].name);
	iomem_free(IOMEM_ALLOC_OTHER, l->lines);
}

int iomem_load_dump(struct iomem_tree *t, enum iomem_root root, FILE *in, const char *filename,
		    char *err, size_t errlen)
{
	struct loader l = { .file = filename, .err = err, .errlen = errlen };
	struct resource r;
	char *buf = NULL;
	size_t bufcap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	bool all_zero = true;
	int ret = 0, width;

	iomem_root_init(&r, root);
	width = r.end < 0x10000 ? 4 : 8;
	if (iomem_count(t, root)) {
		snprintf(err, errlen, "%s: error: the %s root is not empty", filename,
			 root == IOMEM_ROOT_IOMEM ? "iomem" : "ioport");
		return -EBUSY;
	}
	while ((len = getline(&buf, &bufcap, in)) >= 0) {
		lineno++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if ((size_t)len != strlen(buf)) {
			ret = fail(&l, lineno, "NUL byte in line");
			break;
		}
		ret = parse_line(&l, buf, lineno, width);
		if (ret)
			break;
		struct line *ln = &l.lines[l.n - 1];
		all_zero &= ln->start == 0 && ln->end == 0;
	}
	free(buf);
	if (!ret && ferror(in))
		ret = fail(&l, lineno, "read error");
	if (!ret && l.n && all_zero) {
		snprintf(err, errlen,
			 "%s: error: every address is zero: this dump was read without "
			 "CAP_SYS_ADMIN (the kernel hides addresses from non-root readers); "
			 "read it as root",
			 filename);
		ret = -EPERM;
	}
	if (!ret)
		ret = nest(&l, &r);
	for (size_t i = 0; !ret && i < l.n; i++) {
		struct line *ln = &l.lines[i];
		unsigned long flags, desc;

		iomem_dump_classify(root, ln->name, ln->has_child, &flags, &desc);
		ln->node = iomem_append(t, root, ln->parent < 0 ? NULL : l.lines[ln->parent].node,
					ln->start, ln->end, ln->name, flags, desc);
		if (!ln->node) {
			snprintf(err, errlen, "%s: error: out of memory", filename);
			ret = -ENOMEM;
			t->ops->clear(t, root);	/* all or nothing */
		}
	}
	free_lines(&l);
	return ret;
}

struct name_rule {
	const char *name;
	bool prefix;
	unsigned long flags;	/* type bits are the root's; these are added */
	unsigned long desc;
	bool busy;
};

/* Names the kernel gives its own iomem entries (x86 e820 and setup, arm64 setup, ACPI,
 * PCI, CXL), with the flags and desc it gives them. */
static const struct name_rule iomem_rules[] = {
	{ "System RAM", false, IORESOURCE_SYSRAM, IORES_DESC_NONE, true },
	{ "Kernel code", false, IORESOURCE_SYSRAM, IORES_DESC_NONE, true },
	{ "Kernel rodata", false, IORESOURCE_SYSRAM, IORES_DESC_NONE, true },
	{ "Kernel data", false, IORESOURCE_SYSRAM, IORES_DESC_NONE, true },
	{ "Kernel bss", false, IORESOURCE_SYSRAM, IORES_DESC_NONE, true },
	{ "Crash kernel", false, IORESOURCE_SYSRAM, IORES_DESC_CRASH_KERNEL, true },
	{ "Reserved", false, 0, IORES_DESC_RESERVED, false },
	{ "reserved", false, 0, IORES_DESC_RESERVED, false },
	{ "ACPI Tables", false, 0, IORES_DESC_ACPI_TABLES, true },
	{ "ACPI Non-volatile Storage", false, 0, IORES_DESC_ACPI_NV_STORAGE, true },
	{ "Persistent Memory (legacy)", false, 0, IORES_DESC_PERSISTENT_MEMORY_LEGACY, false },
	{ "Persistent Memory", false, 0, IORES_DESC_PERSISTENT_MEMORY, false },
	{ "Soft Reserved", false, 0, IORES_DESC_SOFT_RESERVED, false },
	{ "CXL Window", true, 0, IORES_DESC_CXL, false },
	{ "Unusable memory", false, 0, IORES_DESC_NONE, true },
	{ "System ROM", false, IORESOURCE_READONLY, IORES_DESC_NONE, true },
	{ "Video ROM", false, IORESOURCE_READONLY, IORES_DESC_NONE, true },
	{ "Adapter ROM", false, IORESOURCE_READONLY, IORES_DESC_NONE, true },
	{ "PCI Bus", true, 0, IORES_DESC_NONE, false },
};

/* A PCI function's BAR, "DDDD:BB:DD.F": a container for the driver's claim. */
static bool is_pci_bdf(const char *s)
{
	static const char shape[] = "hhhh:hh:hh.h";

	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'h' ? !ishex(s[i]) : s[i] != shape[i])
			return false;
	}
	return s[sizeof(shape) - 1] == '\0';
}

void iomem_dump_classify(enum iomem_root root, const char *name, int has_children,
			 unsigned long *flags, unsigned long *desc)
{
	unsigned long type = root == IOMEM_ROOT_IOMEM ? IORESOURCE_MEM : IORESOURCE_IO;

	*desc = IORES_DESC_NONE;
	if (name && root == IOMEM_ROOT_IOMEM) {
		for (size_t i = 0; i < sizeof(iomem_rules) / sizeof(iomem_rules[0]); i++) {
			const struct name_rule *r = &iomem_rules[i];

			if (r->prefix ? strncmp(name, r->name, strlen(r->name)) == 0
				      : strcmp(name, r->name) == 0) {
				*flags = type | r->flags | (r->busy ? IORESOURCE_BUSY : 0);
				*desc = r->desc;
				return;
			}
		}
	}
	if (name && (strncmp(name, "PCI Bus", 7) == 0 || is_pci_bdf(name))) {
		*flags = type;
		return;
	}
	/* Anything else: a container when it has children, else a driver's busy claim. */
	*flags = type | (has_children ? 0 : IORESOURCE_BUSY);
}
