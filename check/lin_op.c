/* SPDX-License-Identifier: MIT */
/* The recorded ops: filling, running on a tree, comparing outcomes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check/history.h"

static void set_name(struct lin_op *op, const char *name)
{
	size_t n = name ? strnlen(name, sizeof(op->name) - 1) : 0;

	memcpy(op->name, name ? name : "", n);
	op->name[n] = '\0';
}

static void set(struct lin_op *op, enum lin_opcode code, enum iomem_root root,
		resource_size_t a0, resource_size_t a1, resource_size_t a2, resource_size_t a3)
{
	op->code = (uint8_t)code;
	op->root = (uint8_t)root;
	op->blocking = false;
	op->a[0] = a0;
	op->a[1] = a1;
	op->a[2] = a2;
	op->a[3] = a3;
	op->flags = op->desc = 0;
	op->name[0] = '\0';
}

/* As op-scripts do: flags without a type get the root's. */
static unsigned long typed(enum iomem_root root, unsigned long flags)
{
	if (flags & IORESOURCE_TYPE_BITS)
		return flags;
	return flags | (root == IOMEM_ROOT_IOMEM ? IORESOURCE_MEM : IORESOURCE_IO);
}

void lin_op_request(struct lin_op *op, enum iomem_root root, resource_size_t start,
		    resource_size_t n, const char *name, unsigned long flags, bool blocking)
{
	set(op, LIN_REQUEST, root, start, n, 0, 0);
	op->flags = flags;
	op->blocking = blocking;
	set_name(op, name);
}

void lin_op_release(struct lin_op *op, enum iomem_root root, resource_size_t start,
		    resource_size_t n)
{
	set(op, LIN_RELEASE, root, start, n, 0, 0);
}

void lin_op_insert(struct lin_op *op, enum iomem_root root, resource_size_t start,
		   resource_size_t end, const char *name, unsigned long flags, unsigned long desc)
{
	set(op, LIN_INSERT, root, start, end, 0, 0);
	op->flags = typed(root, flags);
	op->desc = desc;
	set_name(op, name);
}

void lin_op_remove(struct lin_op *op, enum iomem_root root, resource_size_t start,
		   resource_size_t end)
{
	set(op, LIN_REMOVE, root, start, end, 0, 0);
}

void lin_op_adjust(struct lin_op *op, enum iomem_root root, resource_size_t start,
		   resource_size_t end, resource_size_t new_start, resource_size_t new_size)
{
	set(op, LIN_ADJUST, root, start, end, new_start, new_size);
}

void lin_op_allocate(struct lin_op *op, enum iomem_root root, resource_size_t size,
		     resource_size_t min, resource_size_t max, resource_size_t align,
		     const char *name, unsigned long flags)
{
	set(op, LIN_ALLOCATE, root, size, min, max, align);
	op->flags = typed(root, flags);
	set_name(op, name);
}

void lin_op_intersects(struct lin_op *op, enum iomem_root root, resource_size_t start,
		       resource_size_t size, unsigned long flags, unsigned long desc)
{
	set(op, LIN_INTERSECTS, root, start, size, 0, 0);
	op->flags = flags;
	op->desc = desc;
}

void lin_op_lookup(struct lin_op *op, enum iomem_root root, resource_size_t addr)
{
	set(op, LIN_LOOKUP, root, addr, 0, 0, 0);
}

static int apply_lookup(struct iomem_tree *t, const struct lin_op *op, struct lin_result *res)
{
	struct resource r;

	res->ret = iomem_lookup(t, op->root, op->a[0], &r, res->name, sizeof(res->name));
	if (res->ret == 0) {
		res->start = r.start;
		res->end = r.end;
		res->flags = r.flags;
		res->desc = r.desc;
	}
	return res->ret;
}

int lin_op_apply(struct iomem_tree *t, const struct lin_op *op, struct lin_result *res,
		 bool sequential)
{
	const resource_size_t *a = op->a;
	enum iomem_root root = op->root;

	switch (op->code) {
	case LIN_REQUEST:
		if (op->blocking && !sequential)
			return res->ret = iomem_request_region(t, root, a[0], a[1], op->name,
							       op->flags);
		return res->ret = iomem_request_region_nowait(t, root, a[0], a[1], op->name,
							      op->flags);
	case LIN_RELEASE:
		return res->ret = iomem_release_region(t, root, a[0], a[1]);
	case LIN_INSERT:
		return res->ret = iomem_insert_resource(t, root, a[0], a[1], op->name, op->flags,
							op->desc);
	case LIN_REMOVE:
		return res->ret = iomem_remove_resource(t, root, a[0], a[1]);
	case LIN_ADJUST:
		return res->ret = iomem_adjust_resource(t, root, a[0], a[1], a[2], a[3]);
	case LIN_ALLOCATE:
		res->ret = iomem_allocate_resource(t, root, a[0], a[1], a[2], a[3], op->name,
						   op->flags, &res->start);
		res->end = res->start + a[0] - 1;
		return res->ret;
	case LIN_INTERSECTS:
		return res->ret = iomem_region_intersects(t, root, a[0], (size_t)a[1], op->flags,
							  op->desc);
	case LIN_LOOKUP:
		return apply_lookup(t, op, res);
	}
	return res->ret = -EINVAL;
}

bool lin_op_writes(const struct lin_op *op)
{
	return op->code != LIN_INTERSECTS && op->code != LIN_LOOKUP;
}

bool lin_result_equal(const struct lin_op *op, const struct lin_result *a,
		      const struct lin_result *b)
{
	if (a->ret != b->ret)
		return false;
	if (a->ret != 0 || op->code == LIN_INTERSECTS)
		return true;
	if (op->code == LIN_ALLOCATE)
		return a->start == b->start;
	if (op->code == LIN_LOOKUP)
		return a->start == b->start && a->end == b->end && a->flags == b->flags &&
		       a->desc == b->desc && strcmp(a->name, b->name) == 0;
	return true;
}
