/* SPDX-License-Identifier: MIT */
#include "ram_range.h"

static int count_pages(const struct resource *res, void *arg)
{
	struct ram_pages *p = arg;
	resource_size_t first = (res->start + RAM_PAGE - 1) / RAM_PAGE;
	resource_size_t end = (res->end + 1) / RAM_PAGE;

	if (end > first)
		p->pages += end - first;
	p->hits++;
	return 0;
}

void ram_range_walk(struct iomem_tree *t, resource_size_t start, resource_size_t end,
		    struct ram_pages *out)
{
	out->pages = out->hits = 0;
	iomem_walk_res_desc(t, IOMEM_ROOT_IOMEM, IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, start, end, count_pages, out);
}
