#include "util/list.h"

#include <stdlib.h>

#include "util/err.h"

size_t list_count(const struct list_node *h)
{
	size_t n = 0;
	for (const struct list_node *p = h->next; p != h; p = p->next)
		n++;
	return n;
}

int htab_init(struct htab *t, size_t hint)
{
	size_t n = 16;
	while (n < hint)
		n *= 2;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return ERR_NOMEM;
	t->nbuckets = n;
	t->count = 0;
	return 0;
}

void htab_free(struct htab *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->nbuckets = t->count = 0;
}

static void grow(struct htab *t)
{
	size_t n = t->nbuckets * 2;
	struct htab_node **b = calloc(n, sizeof(*b));
	if (!b)
		return; /* keep working with longer chains */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct htab_node *e = t->buckets[i];
		while (e) {
			struct htab_node *next = e->next;
			size_t j = (size_t)e->hash & (n - 1);
			e->next = b[j];
			b[j] = e;
			e = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

int htab_insert(struct htab *t, struct htab_node *n, uint64_t hash)
{
	if (t->count >= t->nbuckets)
		grow(t);
	size_t i = (size_t)hash & (t->nbuckets - 1);
	n->hash = hash;
	n->next = t->buckets[i];
	t->buckets[i] = n;
	t->count++;
	return 0;
}

void htab_remove(struct htab *t, struct htab_node *n)
{
	struct htab_node **pp = &t->buckets[(size_t)n->hash & (t->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			t->count--;
			return;
		}
	}
}

struct htab_node *htab_next(const struct htab_node *n, uint64_t hash)
{
	for (n = n->next; n; n = n->next)
		if (n->hash == hash)
			return (struct htab_node *)n;
	return NULL;
}

struct htab_node *htab_first(const struct htab *t, uint64_t hash)
{
	struct htab_node *n = t->buckets[(size_t)hash & (t->nbuckets - 1)];
	if (n && n->hash != hash)
		n = htab_next(n, hash);
	return n;
}

struct htab_node *htab_iter(const struct htab *t, size_t *bucket, struct htab_node *n)
{
	if (n && n->next)
		return n->next;
	if (n)
		(*bucket)++;
	for (; *bucket < t->nbuckets; (*bucket)++)
		if (t->buckets[*bucket])
			return t->buckets[*bucket];
	return NULL;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}
