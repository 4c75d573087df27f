/* SPDX-License-Identifier: MIT */
/* `iomem stress --scenario NAME|list` and the scenarios' own options (their knobs,
 * stress/scenario.h). */
#ifndef IOMEM_CLI_STRESS_SCENARIO_OPTS_H
#define IOMEM_CLI_STRESS_SCENARIO_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "stress/scenario.h"

/* base (ending in a zeroed entry) followed by one option per knob name of any scenario,
 * their values first_val, first_val + 1, ...; malloc'd, NULL without memory. */
struct option *stress_scenario_options(const struct option *base, int first_val);
/* Looks for --scenario in argv before any other option is read: 0 (none, or c now runs
 * it with its defaults), 1 after printing the list for `list`, -1 after printing a
 * message and the list for an unknown name. */
int stress_scenario_find_arg(int argc, char **argv, struct stress_config *c);
/* The knob option first_val + index given arg: 0, or -EINVAL with a message (not one of
 * c's scenario's knobs, or a bad value). */
int stress_scenario_set_knob(struct stress_config *c, int index, const char *arg, char *err,
			     size_t errlen);
/* Each scenario's knobs, with their meaning and default, for the usage. */
void stress_scenario_print_details(FILE *out);

#endif
