/* SPDX-License-Identifier: MIT */
/* The table of scenarios, and what the rest of the program asks of it: names, knobs,
 * defaults, roles. A new scenario is a file of this folder and a line here. */
#include <string.h>

#include "scenario.h"

static const struct stress_scenario *const scenarios[] = {
	&scenario_hotplug,
	&scenario_cxl,
	&scenario_probe,
	&scenario_ioremap_x86,
	&scenario_procfs,
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* The built-in workload's roles, when no scenario runs. */
static const enum stress_role builtin_roles[] = {
	ROLE_READER, ROLE_CLAIMER, ROLE_MUXER, ROLE_MAPPER, ROLE_WALKER,
};

unsigned stress_scenario_count(void)
{
	return NSCENARIOS;
}

const struct stress_scenario *stress_scenario_at(unsigned i)
{
	return i < NSCENARIOS ? scenarios[i] : NULL;
}

const struct stress_scenario *stress_scenario_find(const char *name)
{
	for (unsigned i = 0; i < NSCENARIOS; i++)
		if (strcmp(scenarios[i]->name, name) == 0)
			return scenarios[i];
	return NULL;
}

const char *stress_scenario_name(const struct stress_scenario *s)
{
	return s->name;
}

const char *stress_scenario_description(const struct stress_scenario *s)
{
	return s->description;
}

unsigned stress_scenario_knobs(const struct stress_scenario *s, const struct stress_knob **out)
{
	*out = s->knobs;
	return s->nknobs;
}

void stress_scenario_print_list(FILE *out)
{
	for (unsigned i = 0; i < NSCENARIOS; i++)
		fprintf(out, "%-12s %s\n", scenarios[i]->name, scenarios[i]->description);
}

unsigned stress_scenario_headline(const struct stress_scenario *s, const enum stress_op **out)
{
	*out = s->headline;
	return s->nheadline;
}

void stress_scenario_apply(struct stress_config *c, const struct stress_scenario *s)
{
	c->scenario = s;
	memset(c->threads, 0, sizeof(c->threads));
	for (unsigned i = 0; i < s->nroles; i++)
		c->threads[s->roles[i].role] = s->roles[i].threads;
	for (unsigned i = 0; i < s->nmix; i++)
		c->weight[s->mix[i].op] = s->mix[i].weight;
	for (unsigned i = 0; i < s->nknobs && i < STRESS_MAX_KNOBS; i++)
		c->knob[i] = s->knobs[i].def;
	c->lin_every = s->lin_every;
}

unsigned stress_workload_roles(const struct stress_config *c, enum stress_role *roles)
{
	const struct stress_scenario *s = c->scenario;
	unsigned n = s ? s->nroles : sizeof(builtin_roles) / sizeof(builtin_roles[0]);

	for (unsigned i = 0; i < n; i++)
		roles[i] = s ? s->roles[i].role : builtin_roles[i];
	return n;
}

bool stress_workload_has_role(const struct stress_config *c, enum stress_role role)
{
	enum stress_role roles[NR_ROLES];
	unsigned n = stress_workload_roles(c, roles);

	for (unsigned i = 0; i < n; i++)
		if (roles[i] == role)
			return true;
	return false;
}
