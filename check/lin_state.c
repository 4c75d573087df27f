/* SPDX-License-Identifier: MIT */
/* Exact tree snapshots: every resource of both roots in pre-order, as packed records
 * {root, depth, start, end, flags, desc, name length, name, NUL}. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lin_state_impl.h"
#include "opscript/opscript.h"

#define NO_NAME 0xffffu

struct record {
	uint8_t root;
	uint32_t depth;
	uint64_t start, end, flags, desc;
	uint16_t namelen;	/* NO_NAME: NULL */
	const char *name;
};

static const size_t HEADER = 1 + 4 + 4 * 8 + 2;

static bool reserve(struct lin_state *s, size_t more)
{
	size_t cap = s->cap ? s->cap : 256;
	unsigned char *p;

	if (s->len + more <= s->cap)
		return true;
	while (cap < s->len + more)
		cap *= 2;
	p = realloc(s->data, cap);
	if (!p)
		return false;
	s->data = p;
	s->cap = cap;
	return true;
}

static void pack(unsigned char **p, const void *v, size_t n)
{
	memcpy(*p, v, n);
	*p += n;
}

static int append_record(struct lin_state *s, const struct record *r)
{
	size_t nlen = r->namelen == NO_NAME ? 0 : r->namelen;
	unsigned char *p;

	if (!reserve(s, HEADER + nlen + 1))
		return -ENOMEM;
	p = s->data + s->len;
	pack(&p, &r->root, 1);
	pack(&p, &r->depth, 4);
	pack(&p, &r->start, 8);
	pack(&p, &r->end, 8);
	pack(&p, &r->flags, 8);
	pack(&p, &r->desc, 8);
	pack(&p, &r->namelen, 2);
	pack(&p, nlen ? r->name : "", nlen);
	*p++ = '\0';
	s->len = (size_t)(p - s->data);
	s->count++;
	return 0;
}

/* The record at *off, moving *off past it. */
static void unpack_record(const struct lin_state *s, size_t *off, struct record *r)
{
	const unsigned char *p = s->data + *off;

	memcpy(&r->root, p, 1);
	memcpy(&r->depth, p + 1, 4);
	memcpy(&r->start, p + 5, 8);
	memcpy(&r->end, p + 13, 8);
	memcpy(&r->flags, p + 21, 8);
	memcpy(&r->desc, p + 29, 8);
	memcpy(&r->namelen, p + 37, 2);
	r->name = r->namelen == NO_NAME ? NULL : (const char *)p + HEADER;
	*off += HEADER + (r->namelen == NO_NAME ? 0 : r->namelen) + 1;
}

struct capture {
	struct lin_state *s;
	uint8_t root;
	int err;
};

static int visit(const struct resource *res, int depth, void *arg)
{
	struct capture *c = arg;
	size_t nlen = res->name ? strlen(res->name) : 0;
	struct record r = {
		.root = c->root, .depth = (uint32_t)depth, .start = res->start, .end = res->end,
		.flags = res->flags, .desc = res->desc,
		.namelen = res->name ? (uint16_t)(nlen < NO_NAME ? nlen : NO_NAME - 1) : NO_NAME,
		.name = res->name,
	};

	c->err = append_record(c->s, &r);
	return c->err;
}

int lin_state_capture_into(struct iomem_tree *t, struct lin_state *s)
{
	s->len = 0;
	s->count = 0;
	for (uint8_t root = 0; root < IOMEM_NR_ROOTS; root++) {
		struct capture c = { .s = s, .root = root };

		iomem_for_each(t, root, visit, &c);
		if (c.err)
			return c.err;
	}
	return 0;
}

int lin_state_capture(struct iomem_tree *t, struct lin_state **out)
{
	struct lin_state *s = calloc(1, sizeof(*s));
	int err = s ? lin_state_capture_into(t, s) : -ENOMEM;

	if (err) {
		lin_state_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void lin_state_free(struct lin_state *s)
{
	if (s)
		free(s->data);
	free(s);
}

bool lin_state_equal(const struct lin_state *a, const struct lin_state *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

size_t lin_state_count(const struct lin_state *s)
{
	return s->count;
}

uint64_t lin_state_hash(const struct lin_state *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (size_t i = 0; i < s->len; i++)
		h = (h ^ s->data[i]) * 0x100000001b3ULL;
	return h;
}

/* Appends the records in pre-order, each under the last one a level up. */
int lin_state_load(const struct lin_state *s, struct iomem_tree *t)
{
	struct iomem_node **parent = NULL;
	size_t cap = 0;
	int err = 0;

	for (size_t off = 0; off < s->len && !err;) {
		struct record r;

		unpack_record(s, &off, &r);
		if (r.depth >= cap) {
			size_t ncap = r.depth + 16;
			struct iomem_node **p = realloc(parent, ncap * sizeof(*p));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			parent = p;
			cap = ncap;
		}
		parent[r.depth] = iomem_append(t, r.root, r.depth ? parent[r.depth - 1] : NULL,
					       r.start, r.end, r.name, r.flags, r.desc);
		if (!parent[r.depth])
			err = -ENOMEM;
	}
	free(parent);
	return err;
}

struct iomem_tree *lin_state_build(const struct lin_state *s, const char *backend)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);
	int err;

	if (!t)
		return NULL;
	err = lin_state_load(s, t);
	if (err) {
		iomem_tree_free(t);
		errno = -err;
		return NULL;
	}
	return t;
}

int lin_state_from_script(const char *script, struct lin_state **out, FILE *err)
{
	struct iomem_tree *t = iomem_tree_new("rwlock", NULL);
	FILE *in = fmemopen((void *)script, strlen(script), "r");
	FILE *sink = fopen("/dev/null", "w");
	int ret = !t || !in || !sink ? -ENOMEM : 0;

	if (!ret && opscript_run(t, in, "initial-state", sink, err ? err : sink) != 0)
		ret = -EINVAL;
	if (!ret)
		ret = lin_state_capture(t, out);
	if (in)
		fclose(in);
	if (sink)
		fclose(sink);
	iomem_tree_free(t);
	return ret;
}

/* --- As an op-script. */

static void write_insert(FILE *out, const struct record *r)
{
	fprintf(out, "insert 0x%llx 0x%llx \"", (unsigned long long)r->start,
		(unsigned long long)r->end);
	for (const char *c = r->name ? r->name : ""; *c; c++)
		fprintf(out, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
	fprintf(out, "\" 0x%llx desc=%llu%s\n", (unsigned long long)r->flags,
		(unsigned long long)r->desc, r->name ? "" : "  # a resource without a name");
}

/* Post-order from pre-order: a record is written once the next record at its depth or
 * above shows that its subtree is complete. */
void lin_state_write_script(const struct lin_state *s, FILE *out)
{
	struct record *stack = malloc((s->count + 1) * sizeof(*stack));
	size_t top = 0;
	uint8_t root = IOMEM_ROOT_IOMEM;

	if (!stack) {
		fputs("# (out of memory writing the state)\n", out);
		return;
	}
	for (size_t off = 0; off <= s->len;) {
		struct record r = { .depth = 0, .root = IOMEM_NR_ROOTS };

		if (off < s->len)
			unpack_record(s, &off, &r);
		else
			off++;
		while (top && (stack[top - 1].depth >= r.depth || stack[top - 1].root != r.root))
			write_insert(out, &stack[--top]);
		if (r.root == IOMEM_NR_ROOTS)
			break;
		if (r.root != root)
			fprintf(out, "root %s\n", r.root == IOMEM_ROOT_IOMEM ? "iomem" : "ioport");
		root = r.root;
		stack[top++] = r;
	}
	if (root != IOMEM_ROOT_IOMEM)
		fputs("root iomem\n", out);
	free(stack);
}
