/* SPDX-License-Identifier: MIT */
/* fuzz_stress_options: `iomem stress`'s option parser. The input is the command line,
 * its arguments separated by NUL bytes. Checked: nothing crashes, leaks or trips a
 * sanitizer, and options it accepts describe a run that can start: known backends, at
 * least one thread, and something for every role that has threads to do. */
#include "fuzz.h"
#include "iomem/iomem.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stress_config c;
	int argc;
	char **argv = fuzz_argv("stress", data, size, &argc);
	unsigned total = 0;

	if (stress_parse_options(&c, argc, argv) == 0) {
		if (!c.backends[0])
			fuzz_fail("accepted with no backend");
		for (const char *const *b = c.backends; *b; b++)
			if (!iomem_backend_exists(*b))
				fuzz_fail("accepted the unknown backend '%s'", *b);
		for (int r = 0; r < NR_ROLES; r++)
			total += c.threads[r];
		if (total == 0)
			fuzz_fail("accepted with no thread");
		if (c.threads[ROLE_READER] &&
		    !(c.weight[OP_INTERSECTS] + c.weight[OP_LOOKUP] + c.weight[OP_WALK]))
			fuzz_fail("accepted readers with nothing to do");
		if (c.threads[ROLE_MAPPER] && !(c.weight[OP_IOREMAP] + c.weight[OP_MEMREMAP]))
			fuzz_fail("accepted mappers with nothing to do");
	}
	fuzz_argv_free(argv);
	return 0;
}
