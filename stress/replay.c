/* SPDX-License-Identifier: MIT */
/* A failure of `iomem stress` as an op-script that replays it by itself, written atomically
 * next to the starting tree it loads (stress-failure-SEED.{iomem,tree}).
 *
 * A double grant replays as its two claims alone, requested one after the other in both
 * orders (which one the backend granted first is not known): the kernel's design grants
 * the first and refuses the second each time, so the script shows the bug whatever else
 * the threads held. Every thread's last ops follow, merged in the order they began (each
 * is stamped with the monotonic clock, which is one clock for every CPU): as comments
 * after a witness, as the replay itself for any other failure. Ops that overlapped in time
 * may have taken effect in the other order; an unmap of a mapping made before the window
 * is kept as a comment, since the script never bound its name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "report.h"
#include "report/atomic_file.h"

struct replay {
	struct run *r;
	struct run_figures *fig;
	const char *script;
};

struct noted {
	const struct recent_op *op;
	int thread;
};

static void put_claim(FILE *f, bool request, const struct granted_claim *cl)
{
	fprintf(f, "%s 0x%llx 0x%llx", request ? "request" : "release",
		(unsigned long long)cl->start, (unsigned long long)cl->n);
	if (request)
		fprintf(f, " \"claim%d\"%s", cl->owner, cl->exclusive ? " exclusive" : "");
	fputc('\n', f);
}

static int by_start(const void *a, const void *b)
{
	const struct noted *x = a, *y = b;

	if (x->op->ns != y->op->ns)
		return x->op->ns < y->op->ns ? -1 : 1;
	return x->thread - y->thread;
}

/* Every worker's recent ops, oldest first: NULL when out of memory. */
static struct noted *merged(const struct run *r, size_t *n)
{
	struct noted *all = malloc((r->nworkers * RECENT_OPS + 1) * sizeof(*all));

	*n = 0;
	if (!all)
		return NULL;
	for (unsigned i = 0; i < r->nworkers; i++) {
		const struct worker *w = &r->workers[i];
		unsigned k = w->nrecent < RECENT_OPS ? w->nrecent : RECENT_OPS;

		for (unsigned j = w->nrecent - k; j < w->nrecent; j++)
			all[(*n)++] = (struct noted){ &w->recent[j % RECENT_OPS], w->id };
	}
	qsort(all, *n, sizeof(*all), by_start);
	return all;
}

/* Whether line unmaps a name no earlier line of the script bound ("... as NAME"). */
static bool unmaps_unbound(const struct noted *ops, size_t i)
{
	const char *name = ops[i].op->text + strlen("iounmap ");
	size_t len = strlen(name);

	if (strncmp(ops[i].op->text, "iounmap ", strlen("iounmap ")) != 0)
		return false;
	while (i-- > 0) {
		const char *as = strstr(ops[i].op->text, " as ");

		if (as && strncmp(as + 4, name, len) == 0 && as[4 + len] == '\0')
			return false;
	}
	return true;
}

static void put_history(FILE *f, const struct run *r, bool as_comments)
{
	size_t n;
	struct noted *ops = merged(r, &n);

	if (!ops) {
		fputs("# (the threads' recent ops: out of memory)\n", f);
		return;
	}
	fprintf(f, "# every thread's last ops (up to %d each), in the order they began:\n",
		RECENT_OPS);
	for (size_t i = 0; i < n; i++) {
		bool unbound = unmaps_unbound(ops, i);

		fprintf(f, "%s%s%s\n", as_comments || unbound ? "# " : "", ops[i].op->text,
			unbound ? "   (mapped before the window)" : "");
	}
	free(ops);
}

static int fill_replay(FILE *f, void *arg)
{
	const struct replay *rp = arg;
	struct run *r = rp->r;
	struct worker *w = r->failing_worker >= 0 ? &r->workers[r->failing_worker] : NULL;
	bool witness = r->witness[0].n != 0;

	fprintf(f, "# iomem stress failure: %s\n# seed %llu, backend %s, lock %s, thread %d (%s)\n"
		   "# replay: iomem script --backend %s %s\n",
		r->failure, (unsigned long long)rp->fig->seed, r->backend, iomem_tree_lock(r->t),
		w ? w->id : -1, w ? stress_role_name(w->role) : "checker", r->backend, rp->script);
	fprintf(f, "load stress-failure-%llu.tree\n", (unsigned long long)rp->fig->seed);
	fprintf(f, "insert 0x%llx 0x%llx \"iomem-stress claims\" mem\n",
		(unsigned long long)r->claim_base,
		(unsigned long long)(r->claim_base + CLAIM_SLOTS * CLAIM_SLOT - 1));
	fprintf(f, "insert 0x%llx 0x%llx \"iomem-stress muxed\" mem\n",
		(unsigned long long)r->muxed_base,
		(unsigned long long)(r->muxed_base + 64 * MUXED_SIZE - 1));
	if (witness) {
		const struct granted_claim *a = &r->witness[0], *b = &r->witness[1];

		fputs("# the two claims granted together, alone, in both orders\n", f);
		put_claim(f, true, a);
		put_claim(f, true, b);
		put_claim(f, false, a);
		put_claim(f, false, b);
		put_claim(f, true, b);
		put_claim(f, true, a);
	}
	put_history(f, r, witness);
	fputs("dump\n", f);
	return ferror(f) ? -EIO : 0;
}

void write_replay(struct run *r, struct run_figures *fig)
{
	const char *dir = r->c->failure_dir ? r->c->failure_dir : ".";
	char tree[4096], script[4096];
	struct replay rp = { r, fig, script };
	const char *failed = tree;
	int rc;

	snprintf(tree, sizeof(tree), "%s/stress-failure-%llu.tree", dir,
		 (unsigned long long)fig->seed);
	snprintf(script, sizeof(script), "%s/stress-failure-%llu.iomem", dir,
		 (unsigned long long)fig->seed);
	rc = atomic_file_write_buf(tree, r->start_dump, strlen(r->start_dump));
	if (!rc) {
		failed = script;
		rc = atomic_file_write(script, fill_replay, &rp);
	}
	if (rc) {
		fprintf(stderr, "iomem stress: cannot write %s: %s\n", failed, strerror(-rc));
		return;
	}
	snprintf(fig->replay, sizeof(fig->replay), "%s", script);
}
