/* SPDX-License-Identifier: MIT */
/* The op-script runner: reads a whole script, finding each line's op in the op tables,
 * then runs the ops in order. */
#include "opscript/opscript.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static const struct opdef *const tables[] = { opscript_tree_ops, opscript_mmu_ops };

static const struct opdef *find_op(const struct token *word)
{
	if (word->quoted)
		return NULL;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct opdef *def = tables[t]; def->word; def++)
			if (strcmp(def->word, word->text) == 0)
				return def;
	return NULL;
}

static int parse_op(struct opscript *s, struct op *op, const struct token *tok, int ntok)
{
	const struct opdef *def = find_op(&tok[0]);
	int nargs = ntok - 1;

	if (!def)
		return opscript_syntax(s, op->lineno, "unknown op '%s'", tok[0].text);
	if (nargs < def->min_args || nargs > def->max_args)
		return opscript_syntax(s, op->lineno, "%s takes %s%d argument%s: %s", def->word,
				       def->min_args == def->max_args ? "" : "at least ",
				       def->min_args, def->min_args == 1 ? "" : "s", def->usage);
	op->def = def;
	op->root = s->root;
	return def->parse(s, op, tok, ntok);
}

static int parse_script(struct opscript *s, FILE *in)
{
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
		ntok = opscript_tokenize(line, tok, MAX_ARGS + 1, &why);
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
		ret = parse_op(s, &s->ops[s->n], tok, ntok);
		s->n++;
	}
	if (!ret && ferror(in))
		ret = opscript_syntax(s, lineno, "read error: %s", strerror(errno));
	free(line);
	return ret;
}

/* The default opener: path, or path relative to the script's directory. */
static FILE *open_relative(const char *path, const char *script, void *arg)
{
	FILE *f = fopen(path, "r");
	const char *slash = strrchr(script, '/');
	size_t dirlen;
	char *full;

	(void)arg;
	if (f || path[0] == '/' || !slash)
		return f;
	dirlen = (size_t)(slash - script) + 1;
	full = malloc(dirlen + strlen(path) + 1);
	if (!full)
		return NULL;
	memcpy(full, script, dirlen);
	strcpy(full + dirlen, path);
	f = fopen(full, "r");
	free(full);
	return f;
}

int opscript_parse(FILE *in, const char *filename, FILE *err, struct opscript **out)
{
	struct opscript *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		fprintf(err, "%s: error: out of memory\n", filename);
		return 2;
	}
	*s = (struct opscript){ .file = filename, .err = err, .root = IOMEM_ROOT_IOMEM,
				.open = open_relative };
	ret = parse_script(s, in);
	if (ret) {
		opscript_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void opscript_free(struct opscript *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->ops[i].name);
	free(s->ops);
	mmu_script_free(&s->mmu);
	free(s);
}

size_t opscript_len(const struct opscript *s)
{
	return s->n;
}

unsigned long opscript_lineno(const struct opscript *s, size_t i)
{
	return s->ops[i].lineno;
}

int opscript_exec(struct opscript *s, struct iomem_tree *t, size_t i, FILE *out)
{
	return s->ops[i].def->exec(s, t, &s->ops[i], out);
}

void opscript_skip(struct opscript *s, size_t i)
{
	mmu_script_unbind(&s->mmu, &s->ops[i]);
}

void opscript_reset(struct opscript *s)
{
	mmu_script_reset(&s->mmu);
}

bool opscript_is_mapping_op(const struct opscript *s, size_t i)
{
	for (const struct opdef *def = opscript_mmu_ops; def->word; def++)
		if (def == s->ops[i].def)
			return true;
	return false;
}

struct iomem_mmu *opscript_mmu(const struct opscript *s)
{
	return s->mmu.space;
}

void opscript_set_open(struct opscript *s, opscript_open_fn open, void *arg)
{
	s->open = open;
	s->open_arg = arg;
}

int opscript_run(struct iomem_tree *t, FILE *in, const char *filename, FILE *out, FILE *err)
{
	struct opscript *s = NULL;
	int ret = opscript_parse(in, filename, err, &s);

	for (size_t i = 0; !ret && i < s->n; i++)
		ret = opscript_exec(s, t, i, out);
	opscript_free(s);
	if (fflush(out) != 0 && !ret)
		ret = 1;
	return ret;
}
