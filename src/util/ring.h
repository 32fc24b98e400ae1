/*
 * Fixed-size ring buffers.
 *
 * struct ring holds n fixed-size slots; pushing into a full ring overwrites
 * the oldest slot (event traces: "the last 512 entries").
 *
 * struct rring holds variable-length records in a byte budget; pushing
 * evicts whole old records until the new one fits (the syslog buffer sized
 * by `logging buffered BYTES`).
 */
#ifndef GVPN_UTIL_RING_H
#define GVPN_UTIL_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t *slots;
	size_t slot_size;
	size_t nslots;
	size_t head;  /* index of the oldest slot */
	size_t count; /* slots in use */
	uint64_t pushed; /* total pushes since creation or clear */
};

int ring_init(struct ring *r, size_t slot_size, size_t nslots); /* 0 or ERR_NOMEM/ERR_INVAL */
void ring_free(struct ring *r);
/* Slot to fill for a new entry (zeroed); overwrites the oldest when full. */
void *ring_push(struct ring *r);
/* i-th entry, 0 = oldest; NULL past the end. */
void *ring_get(const struct ring *r, size_t i);
void ring_clear(struct ring *r);
/* Change the capacity, keeping the newest entries that fit. */
int ring_resize(struct ring *r, size_t nslots);

struct rring {
	uint8_t *mem;
	size_t cap;   /* bytes */
	size_t head;  /* offset of the oldest record */
	size_t used;  /* bytes in use */
	size_t count; /* records */
	uint64_t dropped; /* records evicted */
};

int rring_init(struct rring *r, size_t cap_bytes);
void rring_free(struct rring *r);
/* Append a record; ERR_BADLEN if it can never fit. Evicts oldest records. */
int rring_push(struct rring *r, const void *rec, size_t len);
/*
 * Iterate from the oldest record: *pos starts at 0; each call copies the next
 * record into out (capacity cap, truncated if longer) and returns its length,
 * or -1 at the end.
 */
long rring_next(const struct rring *r, size_t *pos, void *out, size_t cap);
void rring_clear(struct rring *r);
int rring_resize(struct rring *r, size_t cap_bytes);

#endif
