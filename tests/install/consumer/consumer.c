/* SPDX-License-Identifier: MIT */
/* A program outside the project, built against an install of it: makes an itree tree,
 * requests a region and checks the answers, maps a device page, and takes a lock. Exit 0
 * when every answer is right. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomem/ioremap.h>
#include <iomem/iomem.h>
#include <locks/lock.h>

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
			return 1;                                                          \
		}                                                                          \
	} while (0)

int main(void)
{
	struct iomem_tree *t = iomem_tree_new("itree", NULL);
	struct iomem_mmu *m;
	struct resource r;
	char name[64], *text = NULL;
	size_t len = 0;
	uint64_t va;
	FILE *out;
	struct lock l;

	CHECK(t);
	CHECK(iomem_insert_resource(t, IOMEM_ROOT_IOMEM, 0x40000000, 0x7fffffff, "System RAM",
				    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, IORES_DESC_NONE) == 0);
	CHECK(iomem_request_region_nowait(t, IOMEM_ROOT_IOMEM, 0x10000000, 0x1000, "uart", 0) == 0);
	CHECK(iomem_request_region_nowait(t, IOMEM_ROOT_IOMEM, 0x10000800, 0x10, "other", 0) ==
	      -EBUSY);
	CHECK(iomem_lookup(t, IOMEM_ROOT_IOMEM, 0x10000010, &r, name, sizeof(name)) == 0);
	CHECK(r.start == 0x10000000 && r.end == 0x10000fff && strcmp(name, "uart") == 0);
	out = open_memstream(&text, &len);
	CHECK(out && iomem_show(t, IOMEM_ROOT_IOMEM, out) == 0);
	fclose(out);
	CHECK(strstr(text, "10000000-10000fff : uart\n"));
	free(text);

	m = iomem_mmu_new(t, NULL);
	CHECK(m);
	CHECK(iomem_ioremap(m, 0x10000000, 0x1000, &va) == 0);
	CHECK(iomem_iounmap(m, va) == 0);
	iomem_mmu_free(m);
	CHECK(iomem_release_region(t, IOMEM_ROOT_IOMEM, 0x10000000, 0x1000) == 0);
	iomem_tree_free(t);

	CHECK(lock_init(&l, "ticket") == 0);
	lock_write(&l);
	CHECK(!trylock_read(&l));
	unlock_write(&l);
	lock_destroy(&l);
	puts("consumer: ok");
	return 0;
}
