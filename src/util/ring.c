#include "util/ring.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

int ring_init(struct ring *r, size_t slot_size, size_t nslots)
{
	memset(r, 0, sizeof(*r));
	if (!slot_size || !nslots || nslots > SIZE_MAX / slot_size)
		return ERR_INVAL;
	r->slots = calloc(nslots, slot_size);
	if (!r->slots)
		return ERR_NOMEM;
	r->slot_size = slot_size;
	r->nslots = nslots;
	return 0;
}

void ring_free(struct ring *r)
{
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

void *ring_push(struct ring *r)
{
	size_t idx;
	if (r->count < r->nslots) {
		idx = (r->head + r->count) % r->nslots;
		r->count++;
	} else {
		idx = r->head;
		r->head = (r->head + 1) % r->nslots;
	}
	r->pushed++;
	void *slot = r->slots + idx * r->slot_size;
	memset(slot, 0, r->slot_size);
	return slot;
}

void *ring_get(const struct ring *r, size_t i)
{
	if (i >= r->count)
		return NULL;
	return r->slots + ((r->head + i) % r->nslots) * r->slot_size;
}

void ring_clear(struct ring *r)
{
	r->head = 0;
	r->count = 0;
	r->pushed = 0;
}

int ring_resize(struct ring *r, size_t nslots)
{
	struct ring n;
	int rc = ring_init(&n, r->slot_size, nslots);
	if (rc)
		return rc;
	size_t keep = r->count < nslots ? r->count : nslots;
	for (size_t i = r->count - keep; i < r->count; i++)
		memcpy(ring_push(&n), ring_get(r, i), r->slot_size);
	n.pushed = r->pushed;
	ring_free(r);
	*r = n;
	return 0;
}

/* Records are stored as a 4-byte length followed by the bytes, wrapping. */
enum { HDR = 4 };

int rring_init(struct rring *r, size_t cap_bytes)
{
	memset(r, 0, sizeof(*r));
	if (cap_bytes < HDR + 1)
		return ERR_INVAL;
	r->mem = malloc(cap_bytes);
	if (!r->mem)
		return ERR_NOMEM;
	r->cap = cap_bytes;
	return 0;
}

void rring_free(struct rring *r)
{
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

static void copy_in(struct rring *r, size_t at, const void *src, size_t n)
{
	const uint8_t *s = src;
	at %= r->cap;
	size_t first = r->cap - at < n ? r->cap - at : n;
	memcpy(r->mem + at, s, first);
	memcpy(r->mem, s + first, n - first);
}

static void copy_out(const struct rring *r, size_t at, void *dst, size_t n)
{
	uint8_t *d = dst;
	at %= r->cap;
	size_t first = r->cap - at < n ? r->cap - at : n;
	memcpy(d, r->mem + at, first);
	memcpy(d + first, r->mem, n - first);
}

static uint32_t rec_len(const struct rring *r, size_t at)
{
	uint8_t h[HDR];
	copy_out(r, at, h, HDR);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

static void drop_oldest(struct rring *r)
{
	size_t n = HDR + rec_len(r, r->head);
	r->head = (r->head + n) % r->cap;
	r->used -= n;
	r->count--;
	r->dropped++;
}

int rring_push(struct rring *r, const void *rec, size_t len)
{
	if (len > UINT32_MAX || len + HDR > r->cap)
		return ERR_BADLEN;
	while (r->cap - r->used < len + HDR)
		drop_oldest(r);
	uint8_t h[HDR] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			  (uint8_t)len};
	size_t at = r->head + r->used;
	copy_in(r, at, h, HDR);
	copy_in(r, at + HDR, rec, len);
	r->used += HDR + len;
	r->count++;
	return 0;
}

long rring_next(const struct rring *r, size_t *pos, void *out, size_t cap)
{
	if (*pos >= r->used)
		return -1;
	size_t at = r->head + *pos;
	size_t len = rec_len(r, at);
	copy_out(r, at + HDR, out, len < cap ? len : cap);
	*pos += HDR + len;
	return (long)len;
}

void rring_clear(struct rring *r)
{
	r->head = r->used = r->count = 0;
}

int rring_resize(struct rring *r, size_t cap_bytes)
{
	struct rring n;
	int rc = rring_init(&n, cap_bytes);
	if (rc)
		return rc;
	uint8_t *tmp = malloc(r->cap ? r->cap : 1);
	if (!tmp) {
		rring_free(&n);
		return ERR_NOMEM;
	}
	size_t pos = 0;
	long len;
	while ((len = rring_next(r, &pos, tmp, r->cap)) >= 0)
		if ((size_t)len + HDR <= cap_bytes)
			rring_push(&n, tmp, (size_t)len);
	free(tmp);
	n.dropped = r->dropped;
	rring_free(r);
	*r = n;
	return 0;
}
