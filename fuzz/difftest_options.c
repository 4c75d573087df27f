/* SPDX-License-Identifier: MIT */
/* fuzz_difftest_options: `iomem difftest`'s option parser. The input is the command
 * line, its arguments separated by NUL bytes. Checked: nothing crashes, leaks or trips a
 * sanitizer, and options it accepts are in their documented ranges, with at least two
 * known backends to compare (unless it only prints a stream). */
#include "fuzz.h"
#include "iomem/iomem.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct difftest_options d;
	int argc;
	char **argv = fuzz_argv("difftest", data, size, &argc);

	if (difftest_parse_options(&d, argc, argv) == 0) {
		const struct diff_opts *o = &d.opts;

		if (o->ops == 0 || o->stream_len == 0 || o->stream_len > 1000000 ||
		    o->grid == 0 || o->grid > (1u << 22))
			fuzz_fail("accepted out of range: ops %llu, stream %u, grid %u",
				  (unsigned long long)o->ops, o->stream_len, o->grid);
		if (!d.print_stream) {
			if (d.nbackends < 2 || d.backends[d.nbackends])
				fuzz_fail("accepted %d backends", d.nbackends);
			for (int i = 0; i < d.nbackends; i++)
				if (!iomem_backend_exists(d.backends[i]))
					fuzz_fail("accepted the unknown backend '%s'", d.backends[i]);
		}
	}
	fuzz_argv_free(argv);
	return 0;
}
