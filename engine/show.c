/* SPDX-License-Identifier: MIT */
/* r_show (§1.7): the /proc/iomem line format. */
#include <errno.h>

#include "backend.h"

struct show_ctx {
	FILE *out;
	int width;
	int err;
};

static int show_one(const struct resource *r, int depth, void *arg)
{
	struct show_ctx *c = arg;

	if (depth > MAX_IORES_LEVEL)
		depth = MAX_IORES_LEVEL;
	if (fprintf(c->out, "%*s%0*llx-%0*llx : %s\n", depth * 2, "", c->width,
		    (unsigned long long)r->start, c->width, (unsigned long long)r->end,
		    r->name ? r->name : "<BAD>") < 0) {
		c->err = -EIO;
		return 1;
	}
	return 0;
}

int iomem_show(struct iomem_tree *t, enum iomem_root root, FILE *out)
{
	struct resource r;
	struct show_ctx c = { .out = out, .err = 0 };

	int rc;

	iomem_root_init(&r, root);
	c.width = r.end < 0x10000 ? 4 : 8;
	rc = iomem_for_each(t, root, show_one, &c);
	return c.err ? c.err : rc < 0 ? rc : 0;
}
