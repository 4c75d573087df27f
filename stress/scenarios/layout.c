/* SPDX-License-Identifier: MIT */
/* The scenarios' starting trees (layout.h). The fixed parts follow the real dumps: the x86
 * low megabyte, kernel image, ECAM, IOAPIC, HPET and local APIC of the laptop and EC2
 * dumps; QEMU's arm64 "virt" board for arm64. The PCI hierarchy follows a two-socket x86
 * server: four host bridges per socket (root buses 00, 16, 30, 4a and 80, 97, b0, c9),
 * each with a window below 4 GiB for 32-bit BARs and one above LAYOUT_PCI64_BASE for
 * 64-bit prefetchable BARs, root ports below them as bridges ("PCI Bus 0000:bb"), and in
 * each slot a multi-function device of up to four functions, every BAR a resource named
 * after its function with, once the driver is bound, the driver's claim below it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define F_MEM		IORESOURCE_MEM
#define F_BUSY		(IORESOURCE_MEM | IORESOURCE_BUSY)
#define F_RAM		(IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY)
#define F_ROM		(IORESOURCE_MEM | IORESOURCE_READONLY | IORESOURCE_BUSY)
#define F_PREF64	(IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64)

struct fixed {
	int depth;		/* 0: under the root; 1: under the last depth-0 entry */
	resource_size_t start, end;
	const char *name;
	unsigned long flags, desc;
};

/* x86, below the 32-bit PCI windows: the laptop and EC2 dumps' low memory. */
static const struct fixed x86_low[] = {
	{ 0, 0x00000000, 0x00000fff, "Reserved", F_MEM, IORES_DESC_RESERVED },
	{ 0, 0x00001000, 0x0009ffff, "System RAM", F_RAM, 0 },
	{ 0, 0x000a0000, 0x000fffff, "Reserved", F_MEM, IORES_DESC_RESERVED },
	{ 1, 0x000a0000, 0x000bffff, "PCI Bus 0000:00", F_MEM, 0 },
	{ 1, 0x000f0000, 0x000fffff, "System ROM", F_ROM, 0 },
	{ 0, 0x00100000, 0x7ffeffff, "System RAM", F_RAM, 0 },
	{ 1, 0x01000000, 0x01ffffff, "Kernel code", F_RAM, 0 },
	{ 1, 0x02200000, 0x02bfffff, "Kernel rodata", F_RAM, 0 },
	{ 1, 0x02c00000, 0x02ffffff, "Kernel data", F_RAM, 0 },
	{ 1, 0x03400000, 0x037fffff, "Kernel bss", F_RAM, 0 },
	{ 0, 0x7fff0000, 0x7fffffff, "ACPI Tables", F_BUSY, IORES_DESC_ACPI_TABLES },
	{ 0, 0x80000000, 0x8fffffff, "PCI ECAM 0000 [bus 00-ff]", F_MEM, 0 },
	{ 1, 0x80000000, 0x8fffffff, "Reserved", F_MEM, IORES_DESC_RESERVED },
};

/* x86, above the 32-bit PCI windows. */
static const struct fixed x86_high[] = {
	{ 0, 0xfec00000, 0xfec003ff, "IOAPIC 0", F_BUSY, 0 },
	{ 0, 0xfec01000, 0xfec013ff, "IOAPIC 1", F_BUSY, 0 },
	{ 0, 0xfed00000, 0xfed003ff, "HPET 0", F_MEM, 0 },
	{ 1, 0xfed00000, 0xfed003ff, "PNP0103:00", F_BUSY, 0 },
	{ 0, 0xfee00000, 0xfee00fff, "Local APIC", F_MEM, 0 },
	{ 1, 0xfee00000, 0xfee00fff, "Reserved", F_MEM, IORES_DESC_RESERVED },
	{ 0, 0xff000000, 0xffffffff, "Reserved", F_MEM, IORES_DESC_RESERVED },
};

/* arm64: QEMU's virt board below its 32-bit PCI window. */
static const struct fixed arm64_low[] = {
	{ 0, 0x09000000, 0x09000fff, "pl011@9000000", F_MEM, 0 },
	{ 1, 0x09000000, 0x09000fff, "9000000.pl011 pl011@9000000", F_BUSY, 0 },
	{ 0, 0x09010000, 0x09010fff, "pl031@9010000", F_MEM, 0 },
	{ 1, 0x09010000, 0x09010fff, "rtc-pl031", F_BUSY, 0 },
	{ 0, 0x09030000, 0x09030fff, "pl061@9030000", F_BUSY, 0 },
};

/* arm64, above the 32-bit PCI window: ECAM, then the boot RAM with the kernel in it. */
static const struct fixed arm64_high[] = {
	{ 0, 0x3f000000, 0x3fffffff, "PCI ECAM", F_BUSY, 0 },
	{ 0, 0x40000000, 0x7fffffff, "System RAM", F_RAM, 0 },
	{ 1, 0x40210000, 0x4169ffff, "Kernel code", F_RAM, 0 },
	{ 1, 0x416a0000, 0x4185ffff, "reserved", F_MEM, IORES_DESC_RESERVED },
	{ 1, 0x41860000, 0x41c2ffff, "Kernel data", F_RAM, 0 },
	{ 1, 0x7c000000, 0x7fffffff, "reserved", F_MEM, IORES_DESC_RESERVED },
};

/* What sits in a slot: its driver and the BARs of each of its functions. */
struct device_kind {
	const char *driver;
	unsigned functions;
	unsigned nbars;
	struct { resource_size_t size; bool pref64; } bar[3];
};

static const struct device_kind kinds[] = {
	{ "nvme", 1, 1, { { 16 << 10, false } } },
	{ "mlx5_core", 2, 1, { { 32 * MiB, true } } },
	{ "ice", 4, 2, { { 32 * MiB, true }, { 64 << 10, true } } },
	{ "megaraid_sas", 1, 3, { { 1 * MiB, true }, { 64 << 10, false }, { 1 * MiB, true } } },
	{ "xhci_hcd", 1, 1, { { 64 << 10, false } } },
	{ "ahci", 1, 2, { { 8 << 10, false }, { 4 << 10, false } } },
	{ "qat_4xxx", 1, 3, { { 2 * MiB, true }, { 8 * MiB, true }, { 256 << 10, false } } },
	{ "bnxt_en", 2, 3, { { 64 << 10, true }, { 1 * MiB, true }, { 64 << 10, true } } },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* A bridge (root port) and the host bridge above it: their windows below and above 4 GiB
 * (end < start: none). */
struct window {
	resource_size_t lo_start, lo_end, hi_start, hi_end;
};

struct bridge {
	unsigned bus;			/* its secondary bus */
	struct window w;
	unsigned first_fn, nfns;
};

struct root_bus {
	unsigned bus;
	struct window w;
	unsigned first_bridge, nbridges;
};

struct builder {
	const struct layout_spec *spec;
	struct layout *l;
	struct iomem_tree *t;
	bool oom;
	struct root_bus roots[8];
	unsigned nroots;
	struct bridge *bridges;
	unsigned nbridges;
};

static const unsigned x86_root_buses[] = { 0x00, 0x16, 0x30, 0x4a, 0x80, 0x97, 0xb0, 0xc9 };

static resource_size_t align_up(resource_size_t x, resource_size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static struct iomem_node *emit(struct builder *b, struct iomem_node *parent,
			       resource_size_t start, resource_size_t end, const char *name,
			       unsigned long flags, unsigned long desc)
{
	struct iomem_node *n = NULL;

	if (!b->oom)
		n = iomem_append(b->t, IOMEM_ROOT_IOMEM, parent, start, end, name, flags, desc);
	if (!n)
		b->oom = true;
	return n;
}

static void emit_fixed(struct builder *b, const struct fixed *f, size_t n)
{
	struct iomem_node *top = NULL;

	for (size_t i = 0; i < n; i++) {
		struct iomem_node *node = emit(b, f[i].depth ? top : NULL, f[i].start, f[i].end,
					       f[i].name, f[i].flags, f[i].desc);

		if (!f[i].depth)
			top = node;
	}
}

/* Places the BARs of one side (32-bit or 64-bit prefetchable) of a bridge from *cursor,
 * each naturally aligned, the bridge window on 1 MiB boundaries as PCI bridges have it. */
static void place_side(struct builder *b, struct bridge *br, bool pref64, resource_size_t *cursor)
{
	resource_size_t start = align_up(*cursor, MiB), at = start;
	bool any = false;

	for (unsigned f = br->first_fn; f < br->first_fn + br->nfns; f++) {
		const struct layout_fn *fn = &b->l->fns[f];

		for (unsigned k = fn->first_bar; k < fn->first_bar + fn->nbars; k++) {
			struct layout_bar *bar = &b->l->bars[k];

			if (bar->pref64 != pref64)
				continue;
			bar->start = align_up(at, bar->size);
			at = bar->start + bar->size;
			any = true;
		}
	}
	if (pref64) {
		br->w.hi_start = start;
		br->w.hi_end = any ? align_up(at, MiB) - 1 : start - 1;
	} else {
		br->w.lo_start = start;
		br->w.lo_end = any ? align_up(at, MiB) - 1 : start - 1;
	}
	if (any)
		*cursor = align_up(at, MiB);
}

/* Functions, their kinds and BARs, and every address; nothing emitted yet. */
static int plan_pci(struct builder *b, char *err, size_t errlen)
{
	const struct layout_spec *s = b->spec;
	struct layout *l = b->l;
	uint64_t rng = s->seed ^ 0x5ca1ab1e;
	resource_size_t lo = s->arch == LAYOUT_X86 ? 0x90000000 : 0x10000000;
	resource_size_t hi = LAYOUT_PCI64_BASE;
	unsigned per_root, fn = 0, slots[2] = { 0, 0 };

	b->nroots = s->arch == LAYOUT_X86 ? 8 : 1;
	per_root = (s->functions + b->nroots - 1) / b->nroots;
	l->fns = calloc(s->functions + 1, sizeof(*l->fns));
	l->bars = calloc(3 * (size_t)s->functions + 1, sizeof(*l->bars));
	b->bridges = calloc(s->functions + 1, sizeof(*b->bridges));
	if (!l->fns || !l->bars || !b->bridges)
		return -ENOMEM;
	for (unsigned r = 0; r < b->nroots; r++) {
		struct root_bus *rb = &b->roots[r];

		rb->bus = s->arch == LAYOUT_X86 ? x86_root_buses[r] : 0;
		rb->first_bridge = b->nbridges;
		rb->w.lo_start = lo = align_up(lo, 16 * MiB);
		rb->w.hi_start = hi = align_up(hi, GiB);
		while (fn < s->functions && fn < (r + 1) * per_root) {
			const struct device_kind *k = &kinds[stress_below(&rng, NKINDS)];
			struct bridge *br = &b->bridges[b->nbridges++];
			unsigned socket = rb->bus >> 7;

			/* Secondary buses count up through the socket's half of the bus numbers
			 * (a big machine wraps around and repeats a name: only a name). */
			br->bus = (socket << 7) + 1 + slots[socket]++ % 127;
			br->first_fn = fn;
			for (unsigned f = 0; f < k->functions && fn < (r + 1) * per_root &&
					     fn < s->functions; f++, fn++) {
				struct layout_fn *lf = &l->fns[fn];

				snprintf(lf->name, sizeof(lf->name), "0000:%02x:00.%u",
					 br->bus & 0xff, f & 7);
				lf->driver = k->driver;
				lf->first_bar = l->nbars;
				lf->nbars = k->nbars;
				for (unsigned i = 0; i < k->nbars; i++)
					l->bars[l->nbars++] = (struct layout_bar){
						.size = k->bar[i].size, .fn = fn,
						.pref64 = k->bar[i].pref64 };
			}
			br->nfns = fn - br->first_fn;
			place_side(b, br, false, &lo);
			place_side(b, br, true, &hi);
		}
		rb->nbridges = b->nbridges - rb->first_bridge;
		/* A host bridge's window has room to spare, empty or not. */
		rb->w.lo_end = align_up(lo + 1, 16 * MiB) - 1;
		rb->w.hi_end = align_up(hi + 1, GiB) - 1;
		lo = rb->w.lo_end + 1;
		hi = rb->w.hi_end + 1;
	}
	l->nfns = fn;
	if (lo > (s->arch == LAYOUT_X86 ? 0xfc000000 : 0x3effffff)) {
		snprintf(err, errlen, "%u PCI functions do not fit the 32-bit PCI window",
			 s->functions);
		return -ENOSPC;
	}
	return 0;
}

/* One side of the hierarchy: every host bridge's window with its bridges, BARs and
 * claims below it. */
static void emit_pci(struct builder *b, bool pref64)
{
	const struct layout *l = b->l;

	for (unsigned r = 0; r < b->nroots; r++) {
		const struct root_bus *rb = &b->roots[r];
		struct iomem_node *host;
		char name[32];

		if (b->spec->arch == LAYOUT_ARM64)
			snprintf(name, sizeof(name), "pcie@10000000");
		else
			snprintf(name, sizeof(name), "PCI Bus 0000:%02x", rb->bus);
		host = pref64 ? emit(b, NULL, rb->w.hi_start, rb->w.hi_end, name, F_PREF64, 0)
			      : emit(b, NULL, rb->w.lo_start, rb->w.lo_end, name, F_MEM, 0);
		for (unsigned i = rb->first_bridge; i < rb->first_bridge + rb->nbridges; i++) {
			const struct bridge *br = &b->bridges[i];
			resource_size_t start = pref64 ? br->w.hi_start : br->w.lo_start;
			resource_size_t end = pref64 ? br->w.hi_end : br->w.lo_end;
			struct iomem_node *win;

			if (end < start)
				continue;
			snprintf(name, sizeof(name), "PCI Bus 0000:%02x", br->bus & 0xff);
			win = emit(b, host, start, end, name, pref64 ? F_PREF64 : F_MEM, 0);
			for (unsigned f = br->first_fn; f < br->first_fn + br->nfns; f++) {
				const struct layout_fn *fn = &l->fns[f];

				for (unsigned k = fn->first_bar; k < fn->first_bar + fn->nbars;
				     k++) {
					const struct layout_bar *bar = &l->bars[k];
					struct iomem_node *node;

					if (bar->pref64 != pref64)
						continue;
					node = emit(b, win, bar->start, bar->start + bar->size - 1,
						    fn->name, pref64 ? F_PREF64 : F_MEM, 0);
					if (b->spec->drivers_bound)
						emit(b, node, bar->start,
						     bar->start + bar->size - 1, fn->driver,
						     F_BUSY, 0);
				}
			}
		}
	}
}

static void emit_memory(struct builder *b, resource_size_t base)
{
	const struct layout_spec *s = b->spec;
	struct layout *l = b->l;

	if (s->boot_ram_high) {
		emit(b, NULL, base, base + s->boot_ram_high - 1, "System RAM", F_RAM, 0);
		base += s->boot_ram_high;
	}
	l->block_base = base;
	l->nblocks = s->blocks;
	for (unsigned i = 0; i < s->blocks; i++, base += LAYOUT_BLOCK_SIZE)
		emit(b, NULL, base, base + LAYOUT_BLOCK_SIZE - 1, "System RAM", F_RAM, 0);
	/* CXL windows start on their own size, as the CFMWS of a server's firmware do. */
	l->cxl_base = base = align_up(base, LAYOUT_CXL_WINDOW_SIZE);
	l->ncxl = s->cxl_windows;
	for (unsigned i = 0; i < s->cxl_windows; i++, base += LAYOUT_CXL_WINDOW_SIZE) {
		char name[32];

		snprintf(name, sizeof(name), "CXL Window %u", i);
		emit(b, NULL, base, base + LAYOUT_CXL_WINDOW_SIZE - 1, name, F_MEM, IORES_DESC_CXL);
	}
}

int layout_build(struct iomem_tree *t, const struct layout_spec *spec, struct layout *out,
		 char *err, size_t errlen)
{
	struct builder b = { .spec = spec, .l = out, .t = t };
	bool x86 = spec->arch == LAYOUT_X86;
	int rc;

	memset(out, 0, sizeof(*out));
	if (spec->blocks > LAYOUT_MAX_BLOCKS || spec->functions > LAYOUT_MAX_FUNCTIONS) {
		snprintf(err, errlen, "a layout holds at most %u blocks and %u PCI functions",
			 LAYOUT_MAX_BLOCKS, LAYOUT_MAX_FUNCTIONS);
		return -ENOSPC;
	}
	rc = plan_pci(&b, err, errlen);
	if (rc) {
		free(b.bridges);
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		return rc;
	}
	out->ram_start = x86 ? 0x00100000 : 0x40000000;
	out->ram_end = x86 ? 0x7ffeffff : 0x7fffffff;
	if (x86)
		emit_fixed(&b, x86_low, sizeof(x86_low) / sizeof(x86_low[0]));
	else
		emit_fixed(&b, arm64_low, sizeof(arm64_low) / sizeof(arm64_low[0]));
	emit_pci(&b, false);
	if (x86)
		emit_fixed(&b, x86_high, sizeof(x86_high) / sizeof(x86_high[0]));
	else
		emit_fixed(&b, arm64_high, sizeof(arm64_high) / sizeof(arm64_high[0]));
	emit_memory(&b, x86 ? 4 * GiB : 2 * GiB);
	emit_pci(&b, true);
	out->top = b.nroots ? b.roots[b.nroots - 1].w.hi_end + 1 : out->cxl_base;
	free(b.bridges);
	if (b.oom) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void layout_free(struct layout *l)
{
	free(l->fns);
	free(l->bars);
	memset(l, 0, sizeof(*l));
}
