/* SPDX-License-Identifier: MIT */
/* The harness's side of a scenario: building its starting tree on each backend (timed,
 * and checked against the rwlock build), dispatching the workers to its loops, its end
 * check, and the starting tree of a replay script. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/linearizability.h"
#include "scenario.h"

static const struct scenario_role *role_of(const struct stress_scenario *s,
					   enum stress_role role)
{
	for (unsigned i = 0; i < s->nroles; i++)
		if (s->roles[i].role == role)
			return &s->roles[i];
	return NULL;
}

/* The tree as /proc/iomem prints it: malloc'd text, or NULL without memory. */
static char *show_text(struct iomem_tree *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (iomem_show(t, IOMEM_ROOT_IOMEM, f) != 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	return text;
}

int scenario_start_text(const struct stress_config *c, char **text, char *err, size_t errlen)
{
	struct run r = { .c = c };
	int rc;

	*text = NULL;
	r.t = iomem_tree_new("rwlock", NULL);
	if (!r.t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = c->scenario->build(&r, err, errlen);
	if (!rc && !(*text = show_text(r.t))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	c->scenario->destroy(&r);
	iomem_tree_free(r.t);
	return rc;
}

int scenario_build(struct run *r, char *err, size_t errlen)
{
	uint64_t t0 = stress_now_ns();
	char *text;
	int rc = r->c->scenario->build(r, err, errlen);

	r->build_ns = stress_now_ns() - t0;
	if (rc)
		return rc;
	text = show_text(r->t);
	if (!text || (r->c->checks && lin_state_capture(r->t, &r->start_state) != 0)) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = strcmp(text, r->start_dump) == 0 ? 0 : -EIO;
	free(text);
	if (rc)
		snprintf(err, errlen, "the %s starting tree built on %s does not print as the one "
			 "built on rwlock", r->c->scenario->name, r->backend);
	return rc;
}

void scenario_destroy(struct run *r)
{
	if (r->c->scenario)
		r->c->scenario->destroy(r);
	lin_state_free(r->start_state);
	r->start_state = NULL;
}

void scenario_role_loop(struct worker *w)
{
	const struct scenario_role *role = role_of(w->run->c->scenario, w->role);

	if (role)
		role->loop(w);
}

bool scenario_role_records(const struct worker *w)
{
	const struct scenario_role *role;

	if (!w->run->c->scenario)
		return false;
	role = role_of(w->run->c->scenario, w->role);
	return role && role->records;
}

bool scenario_check_end(struct run *r, char *why, size_t len)
{
	const struct stress_scenario *s = r->c->scenario;

	return !s || !s->check_end || s->check_end(r, why, len);
}

void scenario_write_start(struct run *r, FILE *out)
{
	fprintf(out, "# the %s scenario's starting tree, flags and all\n", r->c->scenario->name);
	if (r->start_state)
		lin_state_write_script(r->start_state, out);
}
