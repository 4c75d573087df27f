/* SPDX-License-Identifier: MIT */
/* A fuzz target without libFuzzer: runs each input file given (or each file of each
 * directory given) through LLVMFuzzerTestOneInput once. The regression inputs of
 * tests/fuzz/ and the seed corpora run so in every build (ctest: fuzz.*), where a crash
 * aborts with the input's name printed first. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long inputs;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, got;

	if (!f)
		fuzz_fail("cannot open %s", path);
	do {
		if (size == cap && !(data = realloc(data, cap = cap ? 2 * cap : 4096)))
			fuzz_fail("out of memory");
		got = fread(data + size, 1, cap - size, f);
		size += got;
	} while (got);
	fclose(f);
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	inputs++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n;

	if (stat(path, &st) != 0)
		fuzz_fail("cannot stat %s", path);
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return;
	}
	n = scandir(path, &names, NULL, by_name);
	if (n < 0)
		fuzz_fail("cannot read %s", path);
	for (int i = 0; i < n; i++) {
		char full[4096];

		if (names[i]->d_name[0] != '.') {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
			run_path(full);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		run_path(argv[i]);
	if (!inputs) {
		fprintf(stderr, "replay: no input found\n");
		return 1;
	}
	printf("replay: %lu inputs, no failure\n", inputs);
	return 0;
}
