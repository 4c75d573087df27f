/* SPDX-License-Identifier: MIT */
/* fuzz_opscript: the op-script parser and runner, every op (the mapping ops too), on
 * every backend. Each input runs as a script on a fresh tree of each backend, with a
 * budget of allocations past which every allocation fails (so that no input maps
 * terabytes page by page, and the out-of-memory paths run too). Checked:
 *   - nothing crashes, leaks (the seam's counts, and LeakSanitizer) or trips a sanitizer;
 *   - the tree keeps its invariants;
 *   - every backend prints the same (errors by their first word, as the golden scripts
 *     are compared) unless one ran out of its budget;
 *   - nothing is left allocated once the script and its tree are freed.
 * `load PATH` never reaches the file system but for the test dumps: a PATH whose name is
 * one of tests/dumps/ loads that dump, any other PATH is itself the dump, with '|' for
 * line breaks (`load "00000000-00000fff : A|  00000000-000000ff : B"`). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iomem/alloc.h"
#include "iomem/iomem.h"
#include "opscript/opscript.h"

/* The golden scripts make at most 88 allocations each. Past the budget every allocation
 * fails, which bounds a run's work too: a mapping writes at most one table's 512 entries
 * per allocation, so that 10^3 keeps the slowest input (mapping terabytes) near 0.1 s. */
#define ALLOC_BUDGET 1000

static FILE *open_dump(const char *path, const char *script, void *arg)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(path);
	FILE *f;

	(void)script;
	(void)arg;
	if (len > 4 && strcmp(path + len - 4, ".txt") == 0 && !strchr(name, '|')) {
		char full[512];

		snprintf(full, sizeof(full), "%s/%s", IOMEM_TEST_DUMPS, name);
		if ((f = fopen(full, "r")))
			return f;
	}
	f = fmemopen(NULL, len + 1, "w+");	/* its own buffer, freed by fclose */
	if (!f)
		return NULL;
	for (const char *p = path; *p; p++)
		fputc(*p == '|' ? '\n' : *p, f);
	rewind(f);
	return f;
}

/* The output with error lines cut to their errno name, as tests/golden.sh compares. */
static void normalize(char *out)
{
	char *line = out, *w = out;

	while (*line) {
		size_t len = strcspn(line, "\n");
		size_t keep = len;

		if (line[0] == 'E' && line[1] >= 'A' && line[1] <= 'Z') {
			size_t word = strcspn(line, " \n");

			keep = word < len ? word : len;
		}
		memmove(w, line, keep);
		w += keep;
		line += len;
		if (*line == '\n') {
			*w++ = '\n';
			line++;
		}
	}
	*w = '\0';
}

/* The script on a fresh tree of backend: its normalized output, and whether it stayed
 * within the allocation budget. */
static char *run_on(const char *backend, const uint8_t *data, size_t size, bool *in_budget)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);
	FILE *in = fmemopen((void *)data, size, "r"), *out;
	struct opscript *s;
	char *text = NULL, why[256];
	size_t len = 0;
	int rc;

	if (!t || !in || !(out = open_memstream(&text, &len)))
		fuzz_fail("cannot set up a run");
	rc = opscript_parse(in, "fuzz", fuzz_sink(), &s);
	fclose(in);
	*in_budget = true;
	if (rc == 0) {
		opscript_set_open(s, open_dump, NULL);
		iomem_alloc_fail(ALLOC_BUDGET, UINT64_MAX);
		for (size_t i = 0; rc == 0 && i < opscript_len(s); i++)
			rc = opscript_exec(s, t, i, out);
		*in_budget = iomem_alloc_fail_stop() < ALLOC_BUDGET;
		opscript_free(s);
	}
	fprintf(out, "status %d\n", rc);
	for (int root = 0; root < IOMEM_NR_ROOTS; root++)
		if (!iomem_check_invariants(t, root, why, sizeof(why)))
			fuzz_fail("%s: the tree is broken: %s", backend, why);
	iomem_tree_free(t);
	fclose(out);
	normalize(text);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *backends = iomem_backend_names();
	char *first = NULL;
	bool first_in_budget = false;

	if (size == 0)
		return 0;
	fuzz_alloc_mark();
	for (const char *const *b = backends; *b; b++) {
		bool in_budget;
		char *out = run_on(*b, data, size, &in_budget);

		if (!first) {
			first = out;
			first_in_budget = in_budget;
			continue;
		}
		if (first_in_budget && in_budget && strcmp(first, out) != 0)
			fuzz_fail("%s and %s disagree:\n--- %s\n%s--- %s\n%s", backends[0], *b,
				  backends[0], first, *b, out);
		free(out);
	}
	free(first);
	fuzz_alloc_check("after the scripts and their trees were freed");
	return 0;
}
