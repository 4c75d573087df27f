/* SPDX-License-Identifier: MIT */
/* The WGL search for a linearization of a window. */
#include "check/linearizability.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lin_state_impl.h"

#define MEMO_EMPTY UINT64_MAX

/* Tree states met during the search, interned: equal content, equal id. */
struct states {
	struct lin_state *v;
	uint64_t *hash;
	size_t n, cap;
	int *slot;		/* open addressing: id + 1, 0 free */
	size_t nslots;
};

/* Visited (state id, done set) pairs. */
struct memo {
	uint64_t *keys;
	size_t n, cap;
};

struct search {
	const struct lin_event *ev;
	unsigned n;
	uint32_t pred[LIN_WINDOW_MAX];	/* ops that responded before op i was invoked */
	struct states st;
	struct memo memo;
	struct iomem_tree *tree;	/* the model */
	int tree_state;			/* the state id the model holds; -1: unknown */
	struct lin_state scratch;
	unsigned path[LIN_WINDOW_MAX], depth;
	struct lin_report *rep;
	uint64_t budget;
	int err;
};

static int states_grow_slots(struct states *st)
{
	size_t n = st->nslots ? 2 * st->nslots : 64;
	int *slot = calloc(n, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t id = 0; id < st->n; id++) {
		size_t i = st->hash[id] & (n - 1);

		while (slot[i])
			i = (i + 1) & (n - 1);
		slot[i] = (int)id + 1;
	}
	free(st->slot);
	st->slot = slot;
	st->nslots = n;
	return 0;
}

static int states_append(struct states *st, const struct lin_state *s, uint64_t h)
{
	struct lin_state copy = { .data = malloc(s->len ? s->len : 1), .len = s->len,
				  .cap = s->len, .count = s->count };

	if (!copy.data)
		return -ENOMEM;
	memcpy(copy.data, s->data, s->len);
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct lin_state *v = realloc(st->v, cap * sizeof(*v));
		uint64_t *hash = v ? realloc(st->hash, cap * sizeof(*hash)) : NULL;

		if (v)
			st->v = v;
		if (!hash) {
			free(copy.data);
			return -ENOMEM;
		}
		st->hash = hash;
		st->cap = cap;
	}
	st->v[st->n] = copy;
	st->hash[st->n] = h;
	return (int)st->n++;
}

/* The id of a state equal to s, added if new; -ENOMEM. */
static int states_intern(struct states *st, const struct lin_state *s)
{
	uint64_t h = lin_state_hash(s);
	size_t i;
	int id;

	if (2 * (st->n + 1) > st->nslots && states_grow_slots(st))
		return -ENOMEM;
	for (i = h & (st->nslots - 1); st->slot[i]; i = (i + 1) & (st->nslots - 1)) {
		id = st->slot[i] - 1;
		if (st->hash[id] == h && lin_state_equal(&st->v[id], s))
			return id;
	}
	id = states_append(st, s, h);
	if (id >= 0)
		st->slot[i] = id + 1;
	return id;
}

static void states_free(struct states *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i].data);
	free(st->v);
	free(st->hash);
	free(st->slot);
}

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	return k ^ (k >> 33);
}

static int memo_grow(struct memo *m)
{
	size_t cap = m->cap ? 2 * m->cap : 1024;
	uint64_t *keys = malloc(cap * sizeof(*keys));

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		keys[i] = MEMO_EMPTY;
	for (size_t j = 0; j < m->cap; j++) {
		size_t i;

		if (m->keys[j] == MEMO_EMPTY)
			continue;
		for (i = mix(m->keys[j]) & (cap - 1); keys[i] != MEMO_EMPTY; i = (i + 1) & (cap - 1))
			;
		keys[i] = m->keys[j];
	}
	free(m->keys);
	m->keys = keys;
	m->cap = cap;
	return 0;
}

/* 1 when the pair is new (and now remembered), 0 when seen before, -ENOMEM. */
static int memo_add(struct memo *m, int state, uint32_t done)
{
	uint64_t key = (uint64_t)(unsigned)state << 32 | done;
	size_t i;

	if (2 * (m->n + 1) > m->cap && memo_grow(m))
		return -ENOMEM;
	for (i = mix(key) & (m->cap - 1); m->keys[i] != MEMO_EMPTY; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key)
			return 0;
	m->keys[i] = key;
	m->n++;
	return 1;
}

/* Makes the model hold state id. */
static int model_at(struct search *s, int id)
{
	if (s->tree_state == id)
		return 0;
	iomem_tree_free(s->tree);
	s->tree = lin_state_build(&s->st.v[id], "rwlock");
	s->tree_state = s->tree ? id : -1;
	return s->tree ? 0 : -errno;
}

/* Replays op i from state id: 0 and *next, the state after it; 1 when the result differs
 * from the recorded one; -ENOMEM. */
static int step(struct search *s, int id, unsigned i, int *next)
{
	const struct lin_op *op = &s->ev[i].op;
	struct lin_result res;
	int err = model_at(s, id);

	if (err)
		return err;
	memset(&res, 0, sizeof(res));
	lin_op_apply(s->tree, op, &res, true);
	s->rep->replays++;
	if (!lin_result_equal(op, &res, &s->ev[i].res)) {
		if (lin_op_writes(op))
			s->tree_state = -1;
		return 1;
	}
	*next = id;
	if (!lin_op_writes(op))
		return 0;
	err = lin_state_capture_into(s->tree, &s->scratch);
	*next = err ? err : states_intern(&s->st, &s->scratch);
	s->tree_state = *next >= 0 ? *next : -1;
	return *next >= 0 ? 0 : *next;
}

static void note_path(struct search *s)
{
	if (s->depth > s->rep->order_len) {
		memcpy(s->rep->order, s->path, s->depth * sizeof(s->path[0]));
		s->rep->order_len = s->depth;
	}
}

/* 1: the rest linearizes from (id, done); 0: it does not; -1: stopped (budget, error). */
static int dfs(struct search *s, int id, uint32_t done)
{
	uint32_t all = s->n == 32 ? UINT32_MAX : (UINT32_C(1) << s->n) - 1;
	int fresh;

	if (done == all)
		return 1;
	fresh = memo_add(&s->memo, id, done);
	if (fresh < 0) {
		s->err = fresh;
		return -1;
	}
	if (fresh == 0)
		return 0;
	if (++s->rep->nodes > s->budget)
		return -1;
	for (unsigned i = 0; i < s->n; i++) {
		int next, r;

		if ((done >> i & 1) || (s->pred[i] & ~done))
			continue;
		r = step(s, id, i, &next);
		if (r < 0) {
			s->err = r;
			return -1;
		}
		if (r > 0)
			continue;
		s->path[s->depth++] = i;
		note_path(s);
		r = dfs(s, next, done | UINT32_C(1) << i);
		if (r != 0)
			return r;
		s->depth--;
	}
	return 0;
}

static void real_time_order(struct search *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		s->pred[i] = 0;
		for (unsigned j = 0; j < s->n; j++) {
			const struct lin_event *a = &s->ev[j], *b = &s->ev[i];
			bool before = a->response_ns < b->invoke_ns ||
				      (a->thread == b->thread && a->seq < b->seq);

			if (j != i && before)
				s->pred[i] |= UINT32_C(1) << j;
		}
	}
}

int lin_check(const struct lin_state *init, const struct lin_event *ev, size_t n,
	      const struct lin_check_opts *opts, struct lin_report *rep)
{
	struct search s = { .ev = ev, .n = (unsigned)n, .tree_state = -1, .rep = rep };
	int id, r;

	if (n > LIN_WINDOW_MAX)
		return -EINVAL;
	memset(rep, 0, sizeof(*rep));
	s.budget = opts && opts->max_nodes ? opts->max_nodes : 50000;
	real_time_order(&s);
	id = states_intern(&s.st, init);
	if (id < 0)
		s.err = id;
	r = id < 0 ? -1 : dfs(&s, id, 0);
	rep->verdict = r == 1 ? LIN_OK : r == 0 ? LIN_VIOLATION : LIN_UNKNOWN;
	rep->states = s.st.n;
	iomem_tree_free(s.tree);
	states_free(&s.st);
	free(s.memo.keys);
	free(s.scratch.data);
	return s.err;
}
