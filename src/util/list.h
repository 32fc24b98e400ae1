/*
 * Intrusive doubly linked lists and a chained hash table of intrusive nodes.
 * The containing structure embeds a struct list_node / struct htab_node and
 * gets back to itself with container_of().
 */
#ifndef GVPN_UTIL_LIST_H
#define GVPN_UTIL_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct list_node {
	struct list_node *next, *prev;
};

/* A list head is a node that links to itself when empty. */
static inline void list_init(struct list_node *h)
{
	h->next = h->prev = h;
}
static inline bool list_empty(const struct list_node *h)
{
	return h->next == h;
}
static inline void list_insert_after(struct list_node *at, struct list_node *n)
{
	n->prev = at;
	n->next = at->next;
	at->next->prev = n;
	at->next = n;
}
static inline void list_add_tail(struct list_node *h, struct list_node *n)
{
	list_insert_after(h->prev, n);
}
static inline void list_add_head(struct list_node *h, struct list_node *n)
{
	list_insert_after(h, n);
}
static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}
size_t list_count(const struct list_node *h);

#define list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)
/* Safe against removal of pos. */
#define list_for_each_safe(pos, tmp, head)                                                         \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);                           \
	     (pos) = (tmp), (tmp) = (pos)->next)

struct htab_node {
	struct htab_node *next;
	uint64_t hash;
};

/*
 * Chained hash table keyed by a caller-computed 64-bit hash; the caller
 * compares keys itself while walking htab_first()/htab_next() chains.
 * Grows by doubling when the load passes 1.
 */
struct htab {
	struct htab_node **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
};

int htab_init(struct htab *t, size_t nbuckets_hint); /* 0 or ERR_NOMEM */
void htab_free(struct htab *t);                       /* frees buckets, not nodes */
int htab_insert(struct htab *t, struct htab_node *n, uint64_t hash);
void htab_remove(struct htab *t, struct htab_node *n);
/* First node whose hash equals hash (then htab_next with the same hash). */
struct htab_node *htab_first(const struct htab *t, uint64_t hash);
struct htab_node *htab_next(const struct htab_node *n, uint64_t hash);
/* Iterate over everything: *bucket starts at 0, *n at NULL. */
struct htab_node *htab_iter(const struct htab *t, size_t *bucket, struct htab_node *n);

/* 64-bit FNV-1a followed by a finaliser; good enough for table keys. */
uint64_t hash_bytes(const void *p, size_t n);

#endif
