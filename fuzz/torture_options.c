/* SPDX-License-Identifier: MIT */
/* fuzz_torture_options: `iomem torture`'s option parser. The input is the command line,
 * its arguments separated by NUL bytes. Checked: nothing crashes, leaks or trips a
 * sanitizer, and options it accepts name a known strategy (or all), at least one thread,
 * and an end to the run. */
#include <string.h>

#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct torture_opts o;
	int argc;
	char **argv = fuzz_argv("torture", data, size, &argc);

	if (torture_parse_options(&o, argc, argv) == 0) {
		if (strcmp(o.lock, "all") != 0 && !lock_find(o.lock))
			fuzz_fail("accepted the unknown lock '%s'", o.lock);
		if (!o.cfg.nwriters && !o.cfg.nreaders)
			fuzz_fail("accepted no threads");
		if (!o.cfg.acquisitions && !o.cfg.duration_ms)
			fuzz_fail("accepted a run without an end");
	}
	fuzz_argv_free(argv);
	return 0;
}
