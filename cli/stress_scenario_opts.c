/* SPDX-License-Identifier: MIT */
/* The scenario side of `iomem stress`'s options (stress_scenario_opts.h): --scenario,
 * found before the other options so that their defaults are the scenario's, and each
 * scenario's knobs as options of their own. */
#include "stress_scenario_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Every knob name of every scenario, once each, in table order. */
static const char *knob_names[64];
static unsigned nknob_names;

static void collect_knob_names(void)
{
	nknob_names = 0;
	for (unsigned i = 0; i < stress_scenario_count(); i++) {
		const struct stress_knob *k;
		unsigned n = stress_scenario_knobs(stress_scenario_at(i), &k);

		for (unsigned j = 0; j < n; j++) {
			unsigned seen = 0;

			while (seen < nknob_names && strcmp(knob_names[seen], k[j].name) != 0)
				seen++;
			if (seen == nknob_names &&
			    nknob_names < sizeof(knob_names) / sizeof(*knob_names))
				knob_names[nknob_names++] = k[j].name;
		}
	}
}

struct option *stress_scenario_options(const struct option *base, int first_val)
{
	size_t nbase = 0;
	struct option *all;

	collect_knob_names();
	while (base[nbase].name)
		nbase++;
	all = calloc(nbase + nknob_names + 1, sizeof(*all));
	if (!all)
		return NULL;
	memcpy(all, base, nbase * sizeof(*all));
	for (unsigned i = 0; i < nknob_names; i++)
		all[nbase + i] = (struct option){ knob_names[i], required_argument, NULL,
						  first_val + (int)i };
	return all;
}

int stress_scenario_find_arg(int argc, char **argv, struct stress_config *c)
{
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strncmp(argv[i], "--scenario=", 11) == 0)
			name = argv[i] + 11;
	}
	if (!name)
		return 0;
	if (strcmp(name, "list") == 0) {
		stress_scenario_print_list(stdout);
		return 1;
	}
	if (!stress_scenario_find(name)) {
		fprintf(stderr, "iomem: --scenario: no scenario '%s'; the scenarios are:\n", name);
		stress_scenario_print_list(stderr);
		return -1;
	}
	stress_scenario_apply(c, stress_scenario_find(name));
	return 0;
}

int stress_scenario_set_knob(struct stress_config *c, int index, const char *arg, char *err,
			     size_t errlen)
{
	const char *name = knob_names[index];
	const struct stress_knob *k;
	unsigned n = c->scenario ? stress_scenario_knobs(c->scenario, &k) : 0, i = 0;
	unsigned long long v;

	while (i < n && strcmp(k[i].name, name) != 0)
		i++;
	if (i == n) {
		snprintf(err, errlen, "--%s is not an option of %s%s", name,
			 c->scenario ? "the scenario " : "a run without --scenario",
			 c->scenario ? stress_scenario_name(c->scenario) : "");
		return -EINVAL;
	}
	if (k[i].choices) {
		for (v = 0; k[i].choices[v] && strcmp(k[i].choices[v], arg) != 0; v++)
			;
		if (!k[i].choices[v]) {
			snprintf(err, errlen, "--%s: '%s' is not one of its choices", name, arg);
			return -EINVAL;
		}
	} else if (!cli_parse_u64(arg, k[i].max, &v) || v < k[i].min) {
		snprintf(err, errlen, "--%s needs %llu..%llu", name, (unsigned long long)k[i].min,
			 (unsigned long long)k[i].max);
		return -EINVAL;
	}
	c->knob[i] = v;
	return 0;
}

void stress_scenario_print_details(FILE *out)
{
	for (unsigned i = 0; i < stress_scenario_count(); i++) {
		const struct stress_scenario *s = stress_scenario_at(i);
		const struct stress_knob *k;
		unsigned n = stress_scenario_knobs(s, &k);

		for (unsigned j = 0; j < n; j++) {
			fprintf(out, "  %-12s --%s ", j ? "" : stress_scenario_name(s), k[j].name);
			if (k[j].choices)
				for (unsigned v = 0; k[j].choices[v]; v++)
					fprintf(out, "%s%s", v ? "|" : "", k[j].choices[v]);
			else
				fprintf(out, "N");
			fprintf(out, ": %s (", k[j].help);
			if (k[j].choices)
				fprintf(out, "%s)\n", k[j].choices[k[j].def]);
			else
				fprintf(out, "%llu)\n", (unsigned long long)k[j].def);
		}
	}
}
