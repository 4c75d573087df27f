/* SPDX-License-Identifier: MIT */
#include "flat_tree.h"

#include <errno.h>
#include <stdio.h>

#include "iomem/names.h"

static int fill_check(struct iomem_tree *t, size_t n, char *err, size_t errlen)
{
	struct resource res;
	int rc;

	if (iomem_count(t, IOMEM_ROOT_IOMEM) != n) {
		snprintf(err, errlen, "iomem_count is wrong after the build");
		return -1;
	}
	if (!n)
		return 0;
	rc = iomem_lookup(t, IOMEM_ROOT_IOMEM, flat_region_start(n - 1) + 1, &res, NULL, 0);
	if (rc || res.start != flat_region_start(n - 1)) {
		snprintf(err, errlen, "iomem_lookup of the last region: %s",
			 rc ? iomem_errno_name(rc) : "wrong region");
		return -1;
	}
	return 0;
}

int flat_tree_fill(struct iomem_tree *t, size_t n, const char *name, char *err, size_t errlen)
{
	for (size_t i = n; i-- > 0;) {
		resource_size_t s = flat_region_start(i);
		int rc = iomem_insert_resource(t, IOMEM_ROOT_IOMEM, s, s + FLAT_REGION_SIZE - 1,
					       name, IORESOURCE_MEM, IORES_DESC_NONE);

		if (rc) {
			snprintf(err, errlen, "iomem_insert_resource: %s", iomem_errno_name(rc));
			return -1;
		}
	}
	return fill_check(t, n, err, errlen);
}

struct iomem_tree *flat_tree_build(const char *backend, size_t n, const char *name, char *err,
				   size_t errlen)
{
	struct iomem_tree *t = iomem_tree_new(backend, NULL);

	if (!t) {
		snprintf(err, errlen, "iomem_tree_new: %s", iomem_errno_name(-errno));
		return NULL;
	}
	if (flat_tree_fill(t, n, name, err, errlen)) {
		iomem_tree_free(t);
		return NULL;
	}
	return t;
}
