/* SPDX-License-Identifier: MIT */
/* The tree a run starts from: a dump (--tree-from, else the host's /proc/iomem when it
 * is readable with real addresses, else the built-in one), or a synthetic tree. Kept as
 * text so every backend and every replay script starts from the same bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "iomem/dump.h"
#include "scenarios/scenario.h"

/* A tree of about `regions` resources, `depth` deep: System RAM for the readers, then
 * PCI-like windows, each holding a chain of nested BARs ending in a driver's claim. */
static char *synthetic(unsigned regions, unsigned depth)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	unsigned groups;

	if (!out)
		return NULL;
	if (depth < 1)
		depth = 1;
	groups = regions > 1 ? (regions - 1 + depth - 1) / depth : 1;
	fprintf(out, "00001000-7fffffff : System RAM\n");
	for (unsigned g = 0; g < groups; g++) {
		unsigned long long start = 0x100000000ULL + (unsigned long long)g * 0x200000;
		unsigned long long size = 0x100000;

		for (unsigned d = 0; d < depth; d++, size /= 2) {
			const char *fmt = d == 0 ? "PCI Bus %04x:%02x" : d + 1 == depth ? "drv%u.%u"
										: "%04x:%02x:00.0";

			fprintf(out, "%*s%08llx-%08llx : ", 2 * (d < 5 ? d : 5), "", start,
				start + size - 1);
			fprintf(out, fmt, g, d);
			fputc('\n', out);
		}
	}
	fclose(out);
	return text;
}

int start_tree_text(const struct stress_config *c, char **text, const char **source,
		    char *err, size_t errlen)
{
	*source = c->regions ? "synthetic" : c->tree_from;
	if (c->scenario) {
		*source = stress_scenario_name(c->scenario);
		return scenario_start_text(c, text, err, errlen);
	} else if (c->regions) {
		*text = synthetic(c->regions, c->depth);
	} else if (c->tree_from) {
		return iomem_dump_text(c->tree_from, text, err, errlen);
	} else {
		*text = iomem_host_dump(source);
	}
	if (!*text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int collect_ram(const struct resource *res, void *arg)
{
	struct run *r = arg;
	void *p = realloc(r->ram, (r->nram + 1) * sizeof(*r->ram));

	if (!p)
		return -ENOMEM;
	r->ram = p;
	r->ram[r->nram].start = res->start;
	r->ram[r->nram].end = res->end;
	r->nram++;
	return 0;
}

/* A free, aligned window for the harness's own regions, as a non-busy container. */
static int add_window(struct run *r, resource_size_t size, const char *name,
		      resource_size_t *base, char *err, size_t errlen)
{
	int rc = iomem_allocate_resource(r->t, IOMEM_ROOT_IOMEM, size, 1ULL << 36,
					 (1ULL << 44) - 1, size, name, IORESOURCE_MEM, base);

	if (rc)
		snprintf(err, errlen, "no free space for the %s window (%s)", name,
			 strerror(-rc));
	return rc;
}

int start_tree_build(struct run *r, char *err, size_t errlen)
{
	FILE *f = r->c->scenario ? NULL : fmemopen(r->start_dump, strlen(r->start_dump), "r");
	int rc;

	if (r->c->scenario) {
		rc = scenario_build(r, err, errlen);
	} else if (!f) {
		return -ENOMEM;
	} else {
		rc = iomem_load_dump(r->t, IOMEM_ROOT_IOMEM, f,
				     r->c->tree_from ? r->c->tree_from : "starting tree", err,
				     errlen);
		fclose(f);
	}
	if (rc)
		return rc;
	r->starting_resources = iomem_count(r->t, IOMEM_ROOT_IOMEM);
	rc = add_window(r, CLAIM_SLOTS * CLAIM_SLOT, "iomem-stress claims", &r->claim_base, err,
			errlen);
	if (!rc)
		rc = add_window(r, 64 * MUXED_SIZE, "iomem-stress muxed", &r->muxed_base, err,
				errlen);
	if (rc || r->c->scenario)	/* scenarios' readers know their own RAM */
		return rc;
	iomem_walk_res_desc(r->t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, ~0ULL, collect_ram, r);
	if (!r->nram) {
		snprintf(err, errlen, "the starting tree has no System RAM for the readers");
		return -EINVAL;
	}
	return 0;
}
