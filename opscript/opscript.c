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

static int parse_op(struct script *s, struct op *op, const struct token *tok, int ntok)
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

static int parse_script(struct script *s, FILE *in)
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

int opscript_run(struct iomem_tree *t, FILE *in, const char *filename, FILE *out, FILE *err)
{
	struct script s = { .file = filename, .err = err, .root = IOMEM_ROOT_IOMEM };
	int ret = parse_script(&s, in);

	for (size_t i = 0; !ret && i < s.n; i++)
		ret = s.ops[i].def->exec(&s, t, &s.ops[i], out);
	for (size_t i = 0; i < s.n; i++)
		free(s.ops[i].name);
	free(s.ops);
	mmu_script_free(&s.mmu);
	if (fflush(out) != 0 && !ret)
		ret = 1;
	return ret;
}
