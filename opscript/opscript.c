#include "opscript/opscript.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iomem/dump.h"
#include "iomem/names.h"
#include "opscript_impl.h"

static const struct opdef opdefs[] = {
	{ "root", OP_ROOT, 1, 1, "root iomem|ioport" },
	{ "load", OP_LOAD, 1, 1, "load FILE" },
	{ "request", OP_REQUEST, 3, 4, "request START N NAME [FLAGS]" },
	{ "release", OP_RELEASE, 2, 2, "release START N" },
	{ "insert", OP_INSERT, 3, 5, "insert START END NAME [FLAGS] [desc=DESC]" },
	{ "remove", OP_REMOVE, 2, 2, "remove START END" },
	{ "adjust", OP_ADJUST, 4, 4, "adjust START END NEWSTART NEWSIZE" },
	{ "allocate", OP_ALLOCATE, 5, 6, "allocate SIZE MIN MAX ALIGN NAME [FLAGS]" },
	{ "intersects", OP_INTERSECTS, 4, 4, "intersects START SIZE FLAGS DESC" },
	{ "walk", OP_WALK, 4, 4, "walk START END FLAGS DESC" },
	{ "lookup", OP_LOOKUP, 1, 1, "lookup ADDR" },
	{ "dump", OP_DUMP, 0, 0, "dump" },
	{ "ioremap", OP_IOREMAP, 2, 5, "ioremap PHYS SIZE [dev|np|wc|wt|cache] [as NAME]" },
	{ "iounmap", OP_IOUNMAP, 1, 1, "iounmap VA" },
	{ "memremap", OP_MEMREMAP, 3, 5, "memremap PHYS SIZE wb|wt|wc[,..] [as NAME]" },
	{ "memunmap", OP_MEMUNMAP, 1, 1, "memunmap VA" },
	{ "translate", OP_TRANSLATE, 1, 1, "translate VA" },
	{ "purge", OP_PURGE, 0, 0, "purge" },
	{ "vmallocinfo", OP_VMALLOCINFO, 0, 0, "vmallocinfo" },
	{ "mmu", OP_MMU, 1, 5,
	  "mmu [cpus=N] [nodes=N] [va=global|sharded] [lock=NAME] [nohugeiomap]" },
};

int opscript_syntax(struct script *s, unsigned long lineno, const char *fmt, ...)
{
	va_list ap;

	fprintf(s->err, "%s:%lu: error: ", s->file, lineno);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
	return 2;
}

/* Splits a line in place into words and "quoted strings" (\" and \\ escapes);
 * a # outside quotes ends it. -1 on an unterminated quote or too many words. */
static int tokenize(char *p, struct token *tok, int max, const char **why)
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

static int parse_op(struct script *s, struct op *op, const struct token *tok, int ntok,
		    enum iomem_root *cur_root)
{
	const struct opdef *def = NULL;
	int nargs = ntok - 1, nnum = 0, i;

	for (size_t k = 0; k < sizeof(opdefs) / sizeof(opdefs[0]); k++)
		if (!tok[0].quoted && strcmp(opdefs[k].word, tok[0].text) == 0)
			def = &opdefs[k];
	if (!def)
		return opscript_syntax(s, op->lineno, "unknown op '%s'", tok[0].text);
	if (nargs < def->min_args || nargs > def->max_args)
		return opscript_syntax(s, op->lineno, "%s takes %s%d argument%s: %s", def->word,
			      def->min_args == def->max_args ? "" : "at least ", def->min_args,
			      def->min_args == 1 ? "" : "s", def->usage);
	op->code = def->code;
	op->root = *cur_root;

	switch (def->code) {
	case OP_ROOT:
		if (strcmp(tok[1].text, "iomem") == 0)
			*cur_root = IOMEM_ROOT_IOMEM;
		else if (strcmp(tok[1].text, "ioport") == 0)
			*cur_root = IOMEM_ROOT_IOPORT;
		else
			return opscript_syntax(s, op->lineno, "root must be iomem or ioport, not '%s'",
				      tok[1].text);
		return 0;
	case OP_LOAD:
		op->name = strdup(tok[1].text);
		return op->name ? 0 : opscript_syntax(s, op->lineno, "out of memory");
	case OP_REQUEST: case OP_INSERT: case OP_ALLOCATE:
		nnum = def->code == OP_ALLOCATE ? 4 : 2;
		break;
	case OP_RELEASE: case OP_REMOVE:
		nnum = 2;
		break;
	case OP_ADJUST:
		nnum = 4;
		break;
	case OP_INTERSECTS: case OP_WALK:
		nnum = 2;
		break;
	case OP_LOOKUP:
		nnum = 1;
		break;
	case OP_DUMP:
		return 0;
	default:
		return mmu_parse_op(s, op, def, tok, ntok);
	}
	for (i = 0; i < nnum; i++)
		if (!opscript_parse_u64(&tok[1 + i], &op->num[i]))
			return opscript_syntax(s, op->lineno, "'%s' is not a number (decimal or 0x hex): %s",
				      tok[1 + i].text, def->usage);
	i = 1 + nnum;
	if (def->code == OP_REQUEST || def->code == OP_INSERT || def->code == OP_ALLOCATE) {
		if (!tok[i].quoted)
			return opscript_syntax(s, op->lineno, "the name must be in double quotes: %s",
				      def->usage);
		op->name = strdup(tok[i].text);
		if (!op->name)
			return opscript_syntax(s, op->lineno, "out of memory");
		i++;
	}
	for (; i < ntok; i++) {
		const struct token *t = &tok[i];

		if (t->quoted)
			return opscript_syntax(s, op->lineno, "unexpected quoted string: %s", def->usage);
		if (def->code == OP_INSERT && strncmp(t->text, "desc=", 5) == 0) {
			if (!iomem_parse_desc(t->text + 5, &op->desc))
				return opscript_syntax(s, op->lineno, "unknown desc '%s'", t->text + 5);
		} else if (def->code == OP_INTERSECTS || def->code == OP_WALK) {
			if (i == ntok - 2 ? !iomem_parse_flags(t->text, &op->flags)
					  : !iomem_parse_desc(t->text, &op->desc))
				return opscript_syntax(s, op->lineno, "bad %s '%s'",
					      i == ntok - 2 ? "flags" : "desc", t->text);
		} else if (!op->has_flags && iomem_parse_flags(t->text, &op->flags)) {
			op->has_flags = true;
		} else {
			return opscript_syntax(s, op->lineno, "bad flags '%s': %s", t->text, def->usage);
		}
	}
	return 0;
}

static int parse_script(struct script *s, FILE *in)
{
	enum iomem_root root = IOMEM_ROOT_IOMEM;
	struct token tok[MAX_ARGS + 1];
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int ret = 0;

	while (!ret && getline(&line, &cap, in) >= 0) {
		const char *why = NULL;
		int ntok;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		ntok = tokenize(line, tok, MAX_ARGS + 1, &why);
		if (ntok < 0) {
			ret = opscript_syntax(s, lineno, "%s", why);
			break;
		}
		if (ntok == 0)
			continue;
		if (s->n == s->cap) {
			size_t ncap = s->cap ? 2 * s->cap : 64;
			struct op *ops = realloc(s->ops, ncap * sizeof(*ops));

			if (!ops) {
				ret = opscript_syntax(s, lineno, "out of memory");
				break;
			}
			s->ops = ops;
			s->cap = ncap;
		}
		s->ops[s->n] = (struct op){ .lineno = lineno };
		ret = parse_op(s, &s->ops[s->n], tok, ntok, &root);
		s->n++;
	}
	if (!ret && ferror(in))
		ret = opscript_syntax(s, lineno, "read error: %s", strerror(errno));
	free(line);
	return ret;
}

static unsigned long root_type(enum iomem_root root)
{
	return root == IOMEM_ROOT_IOMEM ? IORESOURCE_MEM : IORESOURCE_IO;
}

/* Flags written without a type word take the root's type. */
static unsigned long typed(const struct op *op)
{
	unsigned long f = op->has_flags ? op->flags : 0;

	return (f & IORESOURCE_TYPE_BITS) ? f : f | root_type(op->root);
}

static FILE *open_relative(const char *path, const char *script)
{
	FILE *f = fopen(path, "r");
	const char *slash = strrchr(script, '/');

	if (f || path[0] == '/' || !slash)
		return f;
	size_t dirlen = (size_t)(slash - script) + 1;
	char *full = malloc(dirlen + strlen(path) + 1);

	if (!full)
		return NULL;
	memcpy(full, script, dirlen);
	strcpy(full + dirlen, path);
	f = fopen(full, "r");
	free(full);
	return f;
}

struct walk_out {
	FILE *out;
	unsigned long count;
};

static int walk_print(const struct resource *res, void *arg)
{
	struct walk_out *w = arg;

	fprintf(w->out, "0x%llx-0x%llx\n", (unsigned long long)res->start,
		(unsigned long long)res->end);
	w->count++;
	return 0;
}

void opscript_result(FILE *out, int err)
{
	fprintf(out, "%s\n", err ? iomem_errno_name(err) : "ok");
}

static int run_op(struct script *s, struct iomem_tree *t, const struct op *op, FILE *out)
{
	const resource_size_t *n = op->num;
	int err;

	switch (op->code) {
	case OP_ROOT:
		break;
	case OP_LOAD: {
		char msg[512];
		FILE *f = open_relative(op->name, s->file);

		if (!f)
			return opscript_syntax(s, op->lineno, "cannot open '%s': %s", op->name,
				      strerror(errno));
		err = iomem_load_dump(t, op->root, f, op->name, msg, sizeof(msg));
		fclose(f);
		if (err == -EBUSY) {
			fprintf(out, "EBUSY root not empty\n");
			break;
		}
		if (err) {
			fprintf(s->err, "%s\n", msg);
			return opscript_syntax(s, op->lineno, "load '%s' failed", op->name);
		}
		opscript_result(out, 0);
		break;
	}
	case OP_REQUEST:
		opscript_result(out, iomem_request_region_nowait(t, op->root, n[0], n[1], op->name,
							op->has_flags ? op->flags : 0));
		break;
	case OP_RELEASE:
		opscript_result(out, iomem_release_region(t, op->root, n[0], n[1]));
		break;
	case OP_INSERT:
		opscript_result(out, iomem_insert_resource(t, op->root, n[0], n[1], op->name, typed(op),
						  op->desc));
		break;
	case OP_REMOVE:
		opscript_result(out, iomem_remove_resource(t, op->root, n[0], n[1]));
		break;
	case OP_ADJUST:
		opscript_result(out, iomem_adjust_resource(t, op->root, n[0], n[1], n[2], n[3]));
		break;
	case OP_ALLOCATE: {
		resource_size_t start;

		err = iomem_allocate_resource(t, op->root, n[0], n[1], n[2], n[3], op->name,
					      typed(op), &start);
		if (err)
			opscript_result(out, err);
		else
			fprintf(out, "ok 0x%llx 0x%llx\n", (unsigned long long)start,
				(unsigned long long)(start + n[0] - 1));
		break;
	}
	case OP_INTERSECTS:
		fprintf(out, "%s\n", iomem_region_name(iomem_region_intersects(
					     t, op->root, n[0], n[1], op->flags, op->desc)));
		break;
	case OP_WALK: {
		struct walk_out w = { .out = out };

		iomem_walk_res_desc(t, op->root, op->desc, op->flags, n[0], n[1], walk_print, &w);
		fprintf(out, "count %lu\n", w.count);
		break;
	}
	case OP_LOOKUP: {
		struct resource r;
		char name[256];

		err = iomem_lookup(t, op->root, n[0], &r, name, sizeof(name));
		if (err)
			opscript_result(out, err);
		else
			fprintf(out, "ok 0x%llx 0x%llx \"%s\" flags=0x%lx desc=%lu\n",
				(unsigned long long)r.start, (unsigned long long)r.end, name,
				r.flags, r.desc);
		break;
	}
	case OP_DUMP:
		iomem_show(t, op->root, out);
		break;
	default:
		return mmu_run_op(s, t, op, out);
	}
	return 0;
}

int opscript_run(struct iomem_tree *t, FILE *in, const char *filename, FILE *out, FILE *err)
{
	struct script s = { .file = filename, .err = err };
	int ret = parse_script(&s, in);

	for (size_t i = 0; !ret && i < s.n; i++)
		ret = run_op(&s, t, &s.ops[i], out);
	for (size_t i = 0; i < s.n; i++)
		free(s.ops[i].name);
	free(s.ops);
	mmu_script_free(&s.mmu);
	if (fflush(out) != 0 && !ret)
		ret = 1;
	return ret;
}
