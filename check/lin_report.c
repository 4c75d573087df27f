/* SPDX-License-Identifier: MIT */
/* A checked window written as a replayable op-script. */
#include <stdlib.h>
#include <string.h>

#include "check/linearizability.h"

static int cmp_invoke(const void *pa, const void *pb, void *arg)
{
	const struct lin_event *ev = arg;
	const struct lin_event *a = &ev[*(const unsigned *)pa], *b = &ev[*(const unsigned *)pb];

	return a->invoke_ns < b->invoke_ns ? -1 : a->invoke_ns > b->invoke_ns;
}

static void write_header(FILE *out, const struct lin_state *init, size_t n,
			 const struct lin_report *rep)
{
	static const char *const verdict[] = { "linearizable", "NOT LINEARIZABLE",
					       "undecided (search budget spent)" };

	fprintf(out, "# iomem stress: linearizability of a window of %zu ops: %s\n", n,
		verdict[rep->verdict]);
	fprintf(out, "# (the model: rwlock, ops replayed one at a time, requests never sleeping;"
		     " %llu search nodes, %llu replays, %llu states)\n",
		(unsigned long long)rep->nodes, (unsigned long long)rep->replays,
		(unsigned long long)rep->states);
	if (rep->verdict != LIN_OK)
		fprintf(out, "# The longest order found that real time allows and that gives every"
			     " op what its thread saw\n# covers %u ops; after it, none of the"
			     " others can come next.\n", rep->order_len);
	fputs("# Replay: iomem script --backend rwlock THIS. The initial state's inserts print"
	      " \"ok\";\n# then each op prints what the model gives, to compare with \"saw\".\n",
	      out);
	fprintf(out, "#\n# the initial state: %zu resources\n", lin_state_count(init));
}

void lin_report_write(FILE *out, const struct lin_state *init, const struct lin_event *ev,
		      size_t n, const struct lin_report *rep)
{
	unsigned order[LIN_WINDOW_MAX], k = 0, rest[LIN_WINDOW_MAX], nrest = 0;
	struct lin_event sorted[LIN_WINDOW_MAX];
	uint64_t t0 = UINT64_MAX;
	bool placed[LIN_WINDOW_MAX] = { false };

	if (n > LIN_WINDOW_MAX)
		n = LIN_WINDOW_MAX;
	write_header(out, init, n, rep);
	lin_state_write_script(init, out);
	for (unsigned i = 0; i < rep->order_len && i < n; i++) {
		order[k++] = rep->order[i];
		placed[rep->order[i]] = true;
	}
	for (unsigned i = 0; i < n; i++) {
		t0 = ev[i].invoke_ns < t0 ? ev[i].invoke_ns : t0;
		if (!placed[i])
			rest[nrest++] = i;
	}
	qsort_r(rest, nrest, sizeof(rest[0]), cmp_invoke, (void *)ev);
	memcpy(order + k, rest, nrest * sizeof(rest[0]));
	for (unsigned i = 0; i < n; i++)
		sorted[i] = ev[order[i]];
	fprintf(out, "# the window: %s; times in ns from the first invocation\n",
		rep->verdict == LIN_OK ? "in the order of the linearization found"
				       : "the longest linearizable prefix, then the rest by invocation");
	lin_events_write(out, sorted, k, t0);
	if (nrest && rep->verdict != LIN_OK)
		fputs("# ---- none of the following can come next ----\n", out);
	lin_events_write(out, sorted + k, nrest, t0);
}
