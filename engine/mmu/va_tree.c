/* SPDX-License-Identifier: MIT */
/* The augmented AVL tree of address ranges; see va_tree.h. */
#include "va_tree.h"

#include <inttypes.h>
#include <stdio.h>

static inline uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

static inline int height(const struct va_node *n)
{
	if (!n)
		return 0;
	return 1 + (n->kid_h[0] > n->kid_h[1] ? n->kid_h[0] : n->kid_h[1]);
}

uint64_t va_subtree_max(const struct va_node *n)
{
	uint64_t m;

	if (!n)
		return 0;
	m = max3(va_size(n), n->kid_max[0], n->kid_max[1]);
	return m < VA_MAX_CAP ? m : VA_MAX_CAP;
}

/* Makes n's child on side d the subtree's root; the grandchild that changes parents
 * takes its cached values along, unread. */
static struct va_node *rotate(struct va_node *n, int d, bool aug)
{
	struct va_node *c = n->kid[d];

	n->kid[d] = c->kid[!d];
	n->kid_h[d] = c->kid_h[!d];
	c->kid[!d] = n;
	c->kid_h[!d] = (int8_t)height(n);
	if (aug) {
		n->kid_max[d] = c->kid_max[!d];
		c->kid_max[!d] = va_subtree_max(n);
	}
	return c;
}

static struct va_node *balance(struct va_node *n, bool aug)
{
	int b = n->kid_h[0] - n->kid_h[1];
	int d = b > 0 ? 0 : 1;
	struct va_node *c;

	if (b >= -1 && b <= 1)
		return n;
	/* A child leaning the other way is straightened first (double rotation). */
	c = n->kid[d];
	if (c->kid_h[!d] > c->kid_h[d]) {
		n->kid[d] = rotate(c, !d, aug);
		n->kid_h[d] = (int8_t)height(n->kid[d]);
		if (aug)
			n->kid_max[d] = va_subtree_max(n->kid[d]);
	}
	return rotate(n, d, aug);
}

static inline void path_push(struct va_path *p, struct va_node **slot, int dir)
{
	p->dir[p->n] = (int8_t)dir;
	p->slot[p->n++] = slot;
}

/* The subtree at *p->slot[i] changed: refresh the cached values above it, rebalancing,
 * while they change. Levels below `resume` may stop early; the retrace then resumes at
 * slot[resume] (whose node changed by itself), and stops for good at or above it. */
static void retrace(struct va_path *p, int i, int resume)
{
	struct va_node *c = *p->slot[i];
	bool aug = p->aug;
	int8_t h = (int8_t)height(c);
	uint64_t m = aug ? va_subtree_max(c) : 0;

	for (; i > 0; i--) {
		struct va_node *parent = *p->slot[i - 1];
		int d = p->dir[i];

		if (parent->kid_h[d] == h && (!aug || parent->kid_max[d] == m)) {
			if (i <= resume)
				return;
			i = resume;
			c = *p->slot[i];
			h = (int8_t)height(c);
			m = aug ? va_subtree_max(c) : 0;
			i++;	/* the loop goes on at slot[resume] */
			continue;
		}
		parent->kid_h[d] = h;
		if (aug)
			parent->kid_max[d] = m;
		if (parent->kid_h[0] - parent->kid_h[1] > 1 || parent->kid_h[1] - parent->kid_h[0] > 1)
			*p->slot[i - 1] = parent = balance(parent, aug);
		h = (int8_t)height(parent);
		m = aug ? va_subtree_max(parent) : 0;
	}
}

/* Links n as a new leaf at slot (side d of the path's last node), then retraces. */
static void link_leaf(struct va_path *p, struct va_node **slot, int d, struct va_node *n)
{
	n->kid[0] = n->kid[1] = NULL;
	n->kid_h[0] = n->kid_h[1] = 0;
	if (p->aug)
		n->kid_max[0] = n->kid_max[1] = 0;
	*slot = n;
	path_push(p, slot, d);
	retrace(p, p->n - 1, 0);
}

static void insert(struct va_node **root, struct va_node *n, bool aug)
{
	struct va_path p;	/* not zeroed: ~900 bytes, only n and aug matter */
	struct va_node **slot = root;
	int d = 0;

	p.n = 0;
	p.aug = aug;
	while (*slot) {
		path_push(&p, slot, d);
		d = n->start >= (*slot)->start;
		slot = &(*slot)->kid[d];
	}
	link_leaf(&p, slot, d, n);
}

void va_tree_insert(struct va_node **root, struct va_node *n)
{
	insert(root, n, true);
}

void va_tree_insert_plain(struct va_node **root, struct va_node *n)
{
	insert(root, n, false);
}

void va_tree_insert_before(struct va_path *p, struct va_node *n)
{
	struct va_node **slot = &(*p->slot[p->n - 1])->kid[0];
	int d = 0;

	while (*slot) {
		path_push(p, slot, d);
		slot = &(*slot)->kid[d = 1];
	}
	link_leaf(p, slot, d, n);
}

/* Unlinks the node at the end of the path; its successor takes its place. */
void va_tree_remove_at(struct va_path *p)
{
	int k = p->n - 1, last;
	struct va_node *node = *p->slot[k], *m, **slot;
	int d = 1;

	if (!node->kid[1]) {
		*p->slot[k] = node->kid[0];
		retrace(p, k, 0);
		return;
	}
	slot = &node->kid[1];
	while ((*slot)->kid[0]) {
		path_push(p, slot, d);
		slot = &(*slot)->kid[0];
		d = 0;
	}
	m = *slot;
	*slot = m->kid[1];
	last = p->n;
	path_push(p, slot, d);
	m->kid[0] = node->kid[0];
	m->kid[1] = node->kid[1];
	for (int s = 0; s < 2; s++) {
		m->kid_h[s] = node->kid_h[s];
		if (p->aug)
			m->kid_max[s] = node->kid_max[s];
	}
	*p->slot[k] = m;
	/* The link to node's right subtree now lives in m. */
	if (p->n > k + 1)
		p->slot[k + 1] = &m->kid[1];
	retrace(p, last, k);
}

void va_tree_update_at(struct va_path *p)
{
	retrace(p, p->n - 1, 0);
}

/* Records the path to the node starting at start; false if there is none. */
static bool path_to(struct va_node **root, uint64_t start, struct va_path *p)
{
	struct va_node **slot = root;
	int d = 0;

	p->n = 0;
	p->aug = true;
	while (*slot) {
		path_push(p, slot, d);
		if (start == (*slot)->start)
			return true;
		d = start > (*slot)->start;
		slot = &(*slot)->kid[d];
	}
	return false;
}

void va_tree_remove(struct va_node **root, uint64_t start)
{
	struct va_path p;

	if (path_to(root, start, &p))
		va_tree_remove_at(&p);
}

void va_tree_update(struct va_node **root, uint64_t start)
{
	struct va_path p;

	if (path_to(root, start, &p))
		va_tree_update_at(&p);
}

static struct va_node *find_remove(struct va_node **root, uint64_t addr, bool aug)
{
	struct va_path p;
	struct va_node **slot = root, *n;
	int d = 0;

	p.n = 0;
	p.aug = aug;
	while ((n = *slot)) {
		path_push(&p, slot, d);
		if (addr >= n->start && addr < n->end) {
			va_tree_remove_at(&p);
			return n;
		}
		d = addr >= n->end;
		slot = &n->kid[d];
	}
	return NULL;
}

struct va_node *va_tree_find_remove(struct va_node **root, uint64_t addr)
{
	return find_remove(root, addr, true);
}

struct va_node *va_tree_find_remove_plain(struct va_node **root, uint64_t addr)
{
	return find_remove(root, addr, false);
}

struct va_node *va_tree_find(struct va_node *n, uint64_t addr)
{
	while (n) {
		if (addr < n->start)
			n = n->kid[0];
		else if (addr >= n->end)
			n = n->kid[1];
		else
			return n;
	}
	return NULL;
}

void va_tree_neighbours(struct va_node **root, uint64_t start, struct va_neighbours *nb)
{
	struct va_path *p = &nb->path;
	struct va_node **slot = root;
	int d = 0;

	nb->prev = nb->next = NULL;
	nb->prev_n = nb->next_n = 0;
	p->n = 0;
	p->aug = true;
	while (*slot) {
		path_push(p, slot, d);
		d = (*slot)->start < start;
		if (d) {
			nb->prev = *slot;
			nb->prev_n = p->n;
		} else {
			nb->next = *slot;
			nb->next_n = p->n;
		}
		slot = &(*slot)->kid[d];
	}
}

void va_tree_insert_between(struct va_neighbours *nb, struct va_node *n)
{
	struct va_path *p = &nb->path;
	/* The search stopped below the last node on the path, on n's side of it. */
	int d = (*p->slot[p->n - 1])->start < n->start;

	link_leaf(p, &(*p->slot[p->n - 1])->kid[d], d, n);
}

/* is_within_this_va. */
static bool fits(const struct va_node *n, uint64_t size, uint64_t align, uint64_t vstart,
		 uint64_t *nva)
{
	uint64_t s = n->start < vstart ? vstart : n->start;
	uint64_t a = (s + align - 1) & ~(align - 1);

	if (a < s || a + size < a || a + size > n->end)
		return false;
	*nva = a;
	return true;
}

/* The largest range in n's subtree, not saturated: a full walk. */
static uint64_t exact_max(const struct va_node *n)
{
	uint64_t l, r;

	if (!n)
		return 0;
	l = exact_max(n->kid[0]);
	r = exact_max(n->kid[1]);
	return max3(va_size(n), l, r);
}

/* The largest range under n's child d: cached, or exact where the cache saturated and
 * the search needs more. */
static inline uint64_t kid_max(const struct va_node *n, int d, bool exact)
{
	return exact ? exact_max(n->kid[d]) : n->kid_max[d];
}

/* Iterative, the path doubling as the backtracking stack: after a subtree yields nothing,
 * climb to the nearest ancestor left through its left link, try it, then its right. */
static struct va_node *lowest_fit(struct va_node **root, uint64_t size, uint64_t align,
				  uint64_t length, uint64_t vstart, uint64_t *nva,
				  struct va_path *p, bool exact)
{
	struct va_node **slot = root, *n;
	int d = 0;

	while ((n = *slot)) {
		path_push(p, slot, d);
		if (kid_max(n, 0, exact) >= length && vstart < n->start) {
			slot = &n->kid[d = 0];
			continue;
		}
		if (fits(n, size, align, vstart, nva))
			return n;
		if (kid_max(n, 1, exact) >= length) {
			slot = &n->kid[d = 1];
			continue;
		}
		for (;;) {
			if (p->n <= 1)
				return NULL;
			d = p->dir[--p->n];
			n = *p->slot[p->n - 1];
			if (d == 0 && fits(n, size, align, vstart, nva))
				return n;
			if (d == 0 && kid_max(n, 1, exact) >= length)
				break;
		}
		slot = &n->kid[d = 1];
	}
	p->n = 0;
	return NULL;
}

/* Above VA_MAX_CAP the saturated maxima cannot steer; exact ones, walked for, can (O(n)
 * per decision's subtree: such requests are rare). */
struct va_node *va_tree_lowest_fit(struct va_node **root, uint64_t size, uint64_t align,
				   uint64_t length, uint64_t vstart, uint64_t *nva,
				   struct va_path *p)
{
	p->n = 0;
	p->aug = true;
	return lowest_fit(root, size, align, length, vstart, nva, p, length > VA_MAX_CAP);
}

int va_tree_for_each(struct va_node *n, va_visit_fn fn, void *arg)
{
	int rc;

	if (!n)
		return 0;
	rc = va_tree_for_each(n->kid[0], fn, arg);
	if (!rc)
		rc = fn(n, arg);
	if (!rc)
		rc = va_tree_for_each(n->kid[1], fn, arg);
	return rc;
}

void va_tree_destroy(struct va_node *n, void (*fn)(struct va_node *n))
{
	if (!n)
		return;
	va_tree_destroy(n->kid[0], fn);
	va_tree_destroy(n->kid[1], fn);
	fn(n);
}

struct check_state {
	const struct va_node *prev;
	char *msg;
	size_t msglen;
	bool aug;
};

/* n's own invariants: its range, its order after the previous node, its cached child
 * values, its balance. */
static int check_node(const struct va_node *n, struct check_state *cs)
{
	if (n->start >= n->end)
		snprintf(cs->msg, cs->msglen, "empty range 0x%" PRIx64 "-0x%" PRIx64, n->start,
			 n->end);
	else if (cs->prev && cs->prev->end > n->start)
		snprintf(cs->msg, cs->msglen, "0x%" PRIx64 "-0x%" PRIx64 " overlaps or precedes 0x%"
			 PRIx64 "-0x%" PRIx64, n->start, n->end, cs->prev->start, cs->prev->end);
	else if (n->kid_h[0] != height(n->kid[0]) || n->kid_h[1] != height(n->kid[1]))
		snprintf(cs->msg, cs->msglen, "stale child height at 0x%" PRIx64, n->start);
	else if (cs->aug && (n->kid_max[0] != va_subtree_max(n->kid[0]) ||
			     n->kid_max[1] != va_subtree_max(n->kid[1])))
		snprintf(cs->msg, cs->msglen, "stale child maximum at 0x%" PRIx64, n->start);
	else if (n->kid_h[0] - n->kid_h[1] > 1 || n->kid_h[1] - n->kid_h[0] > 1)
		snprintf(cs->msg, cs->msglen, "unbalanced at 0x%" PRIx64, n->start);
	else
		return 0;
	return -1;
}

/* In order; a wrong cache in a child is caught at the child, whatever its parent saw. */
static int check(const struct va_node *n, struct check_state *cs)
{
	if (!n)
		return 0;
	if (check(n->kid[0], cs))
		return -1;
	if (check_node(n, cs))
		return -1;
	cs->prev = n;
	return check(n->kid[1], cs);
}

int va_tree_check(struct va_node *root, char *msg, size_t msglen)
{
	struct check_state cs = { .msg = msg, .msglen = msglen, .aug = true };

	return check(root, &cs);
}

int va_tree_check_plain(struct va_node *root, char *msg, size_t msglen)
{
	struct check_state cs = { .msg = msg, .msglen = msglen, .aug = false };

	return check(root, &cs);
}
