/*
 * Bounds-checked byte cursor (reading) and writer (encoding).
 *
 * Every byte that arrives from the network is read through a struct
 * buf_cursor. A read that would go past the end returns ERR_TRUNCATED, reads
 * nothing and leaves the cursor where it was. Integers are big-endian. For a
 * nested structure take a sub-cursor of exactly its declared length with
 * buf_sub(); buf_offset() keeps counting from the start of the outermost
 * message so that error messages can name absolute offsets.
 *
 * The writer has a sticky error: after the first write that does not fit,
 * every further write is a no-op and buf_w_result() reports ERR_NOSPACE. An
 * encoder can therefore write a whole message and check once at the end. An
 * encoder may also set w->err itself (e.g. ERR_LIMIT for a value its field
 * cannot hold); the first error is the one kept.
 */
#ifndef GVPN_UTIL_BUF_H
#define GVPN_UTIL_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf_cursor {
	const uint8_t *p; /* first byte of this cursor's window */
	size_t len;       /* window size */
	size_t pos;       /* bytes consumed */
	size_t base;      /* offset of p[0] in the outermost message */
};

void buf_init(struct buf_cursor *c, const void *p, size_t len);
static inline size_t buf_left(const struct buf_cursor *c)
{
	return c->len - c->pos;
}
/* Offset of the next unread byte, counted from the outermost message. */
static inline size_t buf_offset(const struct buf_cursor *c)
{
	return c->base + c->pos;
}
/* Pointer to the next unread byte (valid for buf_left() bytes). */
static inline const uint8_t *buf_here(const struct buf_cursor *c)
{
	return c->p + c->pos;
}
static inline bool buf_empty(const struct buf_cursor *c)
{
	return c->pos == c->len;
}

/* All return 0 or ERR_TRUNCATED; on error nothing is consumed. */
int buf_get_u8(struct buf_cursor *c, uint8_t *v);
int buf_get_u16(struct buf_cursor *c, uint16_t *v);
int buf_get_u32(struct buf_cursor *c, uint32_t *v);
int buf_get_u64(struct buf_cursor *c, uint64_t *v);
int buf_peek_u8(const struct buf_cursor *c, uint8_t *v);
int buf_peek_u16(const struct buf_cursor *c, uint16_t *v);
/* Copy n bytes out. */
int buf_get_bytes(struct buf_cursor *c, void *dst, size_t n);
/* Point *ref at the next n bytes (no copy) and consume them. */
int buf_get_ref(struct buf_cursor *c, size_t n, const uint8_t **ref);
int buf_skip(struct buf_cursor *c, size_t n);
/* Consume n bytes and make them the window of *sub. */
int buf_sub(struct buf_cursor *c, size_t n, struct buf_cursor *sub);
/* Consume the rest into *sub. Never fails. */
void buf_sub_rest(struct buf_cursor *c, struct buf_cursor *sub);

struct buf_writer {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err; /* 0 or ERR_NOSPACE, sticky */
};

void buf_w_init(struct buf_writer *w, void *p, size_t cap);
/* Bytes written so far, or ERR_NOSPACE if anything did not fit. */
int buf_w_result(const struct buf_writer *w);
void buf_put_u8(struct buf_writer *w, uint8_t v);
void buf_put_u16(struct buf_writer *w, uint16_t v);
void buf_put_u32(struct buf_writer *w, uint32_t v);
void buf_put_u64(struct buf_writer *w, uint64_t v);
void buf_put_bytes(struct buf_writer *w, const void *src, size_t n);
void buf_put_zero(struct buf_writer *w, size_t n);
/* Reserve n bytes and return where they start (NULL on overflow). */
uint8_t *buf_put_space(struct buf_writer *w, size_t n);
/* Overwrite an already written 16/32-bit field at offset at (for lengths). */
void buf_patch_u16(struct buf_writer *w, size_t at, uint16_t v);
void buf_patch_u32(struct buf_writer *w, size_t at, uint32_t v);

/* Plain big-endian loads/stores for buffers whose size is already checked. */
static inline uint16_t buf_load_u16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t buf_load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void buf_store_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void buf_store_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
