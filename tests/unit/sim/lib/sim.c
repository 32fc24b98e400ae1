/*
 * Simulator internals: two binary heaps, one of datagrams in flight keyed by
 * (arrival time, sequence number) and one of node deadlines keyed by
 * (deadline, sequence number). Node deadlines change whenever a node runs, so
 * the deadline heap is lazy: each node carries a version, and heap entries of
 * an older version are skipped when popped.
 */
#include "sim.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util/list.h"

struct pkt {
	uint64_t at, seq;
	uint32_t src, dst;
	uint16_t sport, dport;
	size_t len;
	uint8_t data[];
};

struct dl_entry {
	uint64_t at, seq;
	struct sim_node *node;
	uint64_t version;
};

struct sim_node {
	struct sim *sim;
	uint32_t addr;
	const struct sim_node_ops *ops;
	void *engine;
	bool up;
	bool has_link;
	struct sim_link link;
	uint64_t version;
	uint32_t *groups;
	size_t ngroups;
	struct htab_node hnode;
};

struct heap {
	void **v;
	size_t n, cap;
	int (*less)(const void *a, const void *b);
};

struct sim {
	struct clock clock;
	struct crypto_rng rng;     /* handed to engines */
	struct crypto_rng net_rng; /* loss/delay decisions, independent of engine use */
	uint64_t seed, seq;
	struct sim_link dflt;
	struct heap pkts, deadlines;
	struct sim_node **nodes;
	size_t nnodes, cap_nodes;
	struct htab by_addr;
	struct sim_stats stats;
};

static int pkt_less(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;
	return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static int dl_less(const void *a, const void *b)
{
	const struct dl_entry *x = a, *y = b;
	return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static void heap_push(struct heap *h, void *e)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->v = realloc(h->v, h->cap * sizeof(void *));
		assert(h->v);
	}
	size_t i = h->n++;
	h->v[i] = e;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!h->less(h->v[i], h->v[parent]))
			break;
		void *t = h->v[i];
		h->v[i] = h->v[parent];
		h->v[parent] = t;
		i = parent;
	}
}

static void *heap_top(const struct heap *h)
{
	return h->n ? h->v[0] : NULL;
}

static void *heap_pop(struct heap *h)
{
	if (!h->n)
		return NULL;
	void *top = h->v[0];
	h->v[0] = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->less(h->v[l], h->v[m]))
			m = l;
		if (r < h->n && h->less(h->v[r], h->v[m]))
			m = r;
		if (m == i)
			break;
		void *t = h->v[i];
		h->v[i] = h->v[m];
		h->v[m] = t;
		i = m;
	}
	return top;
}

static double rand_unit(struct sim *s)
{
	return (double)crypto_rng_uniform(&s->net_rng, 1ULL << 53) / (double)(1ULL << 53);
}

struct sim *sim_new(uint64_t seed, uint64_t start_ns, const struct sim_link *dflt)
{
	struct sim *s = calloc(1, sizeof(*s));
	assert(s);
	clock_fake_init(&s->clock, start_ns, 1795000000ULL * NS_PER_SEC + start_ns);
	crypto_rng_seeded(&s->rng, seed);
	crypto_rng_seeded(&s->net_rng, seed ^ 0x9e3779b97f4a7c15ULL);
	s->seed = seed;
	if (dflt)
		s->dflt = *dflt;
	else
		s->dflt = (struct sim_link){.delay_min_ns = NS_PER_MS, .delay_max_ns = NS_PER_MS};
	s->pkts.less = pkt_less;
	s->deadlines.less = dl_less;
	htab_init(&s->by_addr, 1024);
	return s;
}

void sim_free(struct sim *s)
{
	void *e;
	while ((e = heap_pop(&s->pkts)))
		free(e);
	while ((e = heap_pop(&s->deadlines)))
		free(e);
	free(s->pkts.v);
	free(s->deadlines.v);
	for (size_t i = 0; i < s->nnodes; i++) {
		free(s->nodes[i]->groups);
		free(s->nodes[i]);
	}
	free(s->nodes);
	htab_free(&s->by_addr);
	free(s);
}

uint64_t sim_now(const struct sim *s)
{
	return s->clock.fake_mono;
}

const struct clock *sim_clock(struct sim *s)
{
	return &s->clock;
}

struct crypto_rng *sim_rng(struct sim *s)
{
	return &s->rng;
}

uint64_t sim_seed(const struct sim *s)
{
	return s->seed;
}

const struct sim_stats *sim_stats(const struct sim *s)
{
	return &s->stats;
}

static void schedule(struct sim_node *n)
{
	n->version++;
	if (!n->up || !n->engine)
		return;
	uint64_t at = n->ops->next_deadline(n->engine);
	if (at == CLOCK_NEVER)
		return;
	struct dl_entry *e = malloc(sizeof(*e));
	assert(e);
	*e = (struct dl_entry){.at = at, .seq = n->sim->seq++, .node = n, .version = n->version};
	heap_push(&n->sim->deadlines, e);
}

struct sim_node *sim_node_add(struct sim *s, uint32_t addr, const struct sim_node_ops *ops,
			      void *engine)
{
	struct sim_node *n = calloc(1, sizeof(*n));
	assert(n);
	*n = (struct sim_node){.sim = s, .addr = addr, .ops = ops, .engine = engine, .up = true};
	if (s->nnodes == s->cap_nodes) {
		s->cap_nodes = s->cap_nodes ? 2 * s->cap_nodes : 64;
		s->nodes = realloc(s->nodes, s->cap_nodes * sizeof(*s->nodes));
		assert(s->nodes);
	}
	s->nodes[s->nnodes++] = n;
	htab_insert(&s->by_addr, &n->hnode, hash_bytes(&addr, sizeof(addr)));
	schedule(n);
	return n;
}

struct sim_node *sim_node_find(struct sim *s, uint32_t addr)
{
	uint64_t h = hash_bytes(&addr, sizeof(addr));
	for (struct htab_node *e = htab_first(&s->by_addr, h); e; e = htab_next(e, h)) {
		struct sim_node *n = container_of(e, struct sim_node, hnode);
		if (n->addr == addr)
			return n;
	}
	return NULL;
}

void sim_node_set_engine(struct sim_node *n, void *engine)
{
	n->engine = engine;
	schedule(n);
}

void sim_node_set_up(struct sim_node *n, bool up)
{
	n->up = up;
	schedule(n);
}

void sim_node_set_link(struct sim_node *n, const struct sim_link *l)
{
	n->has_link = l != NULL;
	if (l)
		n->link = *l;
}

void sim_node_touch(struct sim_node *n)
{
	schedule(n);
}

void sim_node_join(struct sim_node *n, uint32_t group)
{
	for (size_t i = 0; i < n->ngroups; i++)
		if (n->groups[i] == group)
			return;
	n->groups = realloc(n->groups, (n->ngroups + 1) * sizeof(uint32_t));
	assert(n->groups);
	n->groups[n->ngroups++] = group;
}

static void enqueue(struct sim *s, struct sim_node *to, uint32_t src, uint16_t sport,
		    uint32_t dst, uint16_t dport, const void *p, size_t len)
{
	const struct sim_link *l = to && to->has_link ? &to->link : &s->dflt;
	s->stats.sent++;
	if (l->loss > 0 && rand_unit(s) < l->loss) {
		s->stats.lost++;
		return;
	}
	int copies = l->duplicate > 0 && rand_unit(s) < l->duplicate ? 2 : 1;
	if (copies == 2)
		s->stats.duplicated++;
	for (int i = 0; i < copies; i++) {
		uint64_t spread = l->delay_max_ns - l->delay_min_ns;
		uint64_t delay = l->delay_min_ns + (spread ? crypto_rng_uniform(&s->net_rng, spread + 1) : 0);
		struct pkt *k = malloc(sizeof(*k) + len);
		assert(k);
		*k = (struct pkt){.at = sim_now(s) + delay, .seq = s->seq++, .src = src, .dst = dst,
				  .sport = sport, .dport = dport, .len = len};
		memcpy(k->data, p, len);
		heap_push(&s->pkts, k);
	}
}

static bool is_multicast(uint32_t addr)
{
	return (addr >> 28) == 0xe;
}

void sim_send(struct sim *s, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
	      const void *p, size_t len)
{
	if (!is_multicast(dst)) {
		enqueue(s, sim_node_find(s, dst), src, sport, dst, dport, p, len);
		return;
	}
	for (size_t i = 0; i < s->nnodes; i++) {
		struct sim_node *n = s->nodes[i];
		for (size_t g = 0; g < n->ngroups; g++)
			if (n->groups[g] == dst && n->addr != src)
				enqueue(s, n, src, sport, n->addr, dport, p, len);
	}
}

static void deliver(struct sim *s, struct pkt *k)
{
	struct sim_node *n = sim_node_find(s, k->dst);
	if (!n || !n->up || !n->engine) {
		s->stats.to_down_node++;
		return;
	}
	s->stats.delivered++;
	n->ops->input(n->engine, sim_now(s), k->src, k->sport, k->dst, k->dport, k->data, k->len);
	schedule(n);
}

/* Drop deadline entries made stale by a later schedule() of their node. */
static struct dl_entry *live_deadline(struct sim *s)
{
	struct dl_entry *e;
	while ((e = heap_top(&s->deadlines)) &&
	       (e->version != e->node->version || !e->node->up || !e->node->engine))
		free(heap_pop(&s->deadlines));
	return e;
}

/* Run one event at or before t. Returns false when nothing is due by t. */
static bool step(struct sim *s, uint64_t t)
{
	struct pkt *k = heap_top(&s->pkts);
	struct dl_entry *d = live_deadline(s);
	bool take_pkt = k && (!d || k->at <= d->at);
	uint64_t at = take_pkt ? k->at : d ? d->at : CLOCK_NEVER;
	if (at == CLOCK_NEVER || at > t)
		return false;
	if (at > sim_now(s))
		clock_fake_set(&s->clock, at);
	s->stats.events++;
	if (take_pkt) {
		heap_pop(&s->pkts);
		deliver(s, k);
		free(k);
		return true;
	}
	heap_pop(&s->deadlines);
	struct sim_node *n = d->node;
	free(d);
	n->ops->tick(n->engine, sim_now(s));
	schedule(n);
	return true;
}

void sim_run_until(struct sim *s, uint64_t t)
{
	while (step(s, t))
		;
	if (t > sim_now(s))
		clock_fake_set(&s->clock, t);
}

bool sim_run_until_cond(struct sim *s, uint64_t t, bool (*cond)(void *arg), void *arg)
{
	if (cond(arg))
		return true;
	while (step(s, t))
		if (cond(arg))
			return true;
	if (t > sim_now(s))
		clock_fake_set(&s->clock, t);
	return cond(arg);
}
