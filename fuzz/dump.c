/* SPDX-License-Identifier: MIT */
/* fuzz_dump: the dump loader (iomem_load_dump), into both roots, on every backend.
 * Checked for each: nothing crashes, leaks or trips a sanitizer; a refused dump says why
 * in a message naming the file; an accepted dump makes a tree that keeps its invariants
 * and prints back byte for byte, as the loader promises; and every backend accepts or
 * refuses alike. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iomem/dump.h"
#include "iomem/iomem.h"

/* 0 or the loader's error; the tree printed back checked against data. */
static int load_on(const char *backend, enum iomem_root root, const uint8_t *data,
		   size_t size)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);
	FILE *in = fmemopen((void *)data, size, "r"), *out;
	char msg[512] = "", why[256], *text = NULL;
	size_t len = 0;
	int rc;

	if (!t || !in)
		fuzz_fail("cannot set up a load");
	rc = iomem_load_dump(t, root, in, "fuzz", msg, sizeof(msg));
	fclose(in);
	if (rc && strncmp(msg, "fuzz:", 5) != 0)
		fuzz_fail("%s: refused (%d) with the message '%s'", backend, rc, msg);
	if (!rc) {
		if (!iomem_check_invariants(t, root, why, sizeof(why)))
			fuzz_fail("%s: the loaded tree is broken: %s", backend, why);
		if (!(out = open_memstream(&text, &len)))
			fuzz_fail("out of memory");
		iomem_show(t, root, out);
		fclose(out);
		/* The last line may come without its line break. */
		if (!(len == size || (len == size + 1 && data[size - 1] != '\n')) ||
		    memcmp(text, data, size < len ? size : len) != 0)
			fuzz_fail("%s: an accepted dump does not print back as it was:\n%s", backend,
				  text);
		free(text);
	}
	iomem_tree_free(t);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fuzz_alloc_mark();
	for (int root = 0; root < IOMEM_NR_ROOTS; root++) {
		const char *const *b = iomem_backend_names();
		int first = load_on(b[0], root, data, size);

		for (b++; *b; b++)
			if (load_on(*b, root, data, size) != first)
				fuzz_fail("%s and %s disagree on the dump", iomem_backend_names()[0],
					  *b);
	}
	fuzz_alloc_check("after the trees were freed");
	return 0;
}
