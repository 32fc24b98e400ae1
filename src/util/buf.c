#include "util/buf.h"

#include <string.h>

#include "util/err.h"

void buf_init(struct buf_cursor *c, const void *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->pos = 0;
	c->base = 0;
}

int buf_get_u8(struct buf_cursor *c, uint8_t *v)
{
	if (buf_left(c) < 1)
		return ERR_TRUNCATED;
	*v = c->p[c->pos++];
	return 0;
}

int buf_peek_u8(const struct buf_cursor *c, uint8_t *v)
{
	if (buf_left(c) < 1)
		return ERR_TRUNCATED;
	*v = c->p[c->pos];
	return 0;
}

int buf_peek_u16(const struct buf_cursor *c, uint16_t *v)
{
	if (buf_left(c) < 2)
		return ERR_TRUNCATED;
	*v = buf_load_u16(c->p + c->pos);
	return 0;
}

int buf_get_u16(struct buf_cursor *c, uint16_t *v)
{
	int rc = buf_peek_u16(c, v);
	if (rc == 0)
		c->pos += 2;
	return rc;
}

int buf_get_u32(struct buf_cursor *c, uint32_t *v)
{
	if (buf_left(c) < 4)
		return ERR_TRUNCATED;
	*v = buf_load_u32(c->p + c->pos);
	c->pos += 4;
	return 0;
}

int buf_get_u64(struct buf_cursor *c, uint64_t *v)
{
	if (buf_left(c) < 8)
		return ERR_TRUNCATED;
	*v = (uint64_t)buf_load_u32(c->p + c->pos) << 32 | buf_load_u32(c->p + c->pos + 4);
	c->pos += 8;
	return 0;
}

int buf_get_bytes(struct buf_cursor *c, void *dst, size_t n)
{
	if (buf_left(c) < n)
		return ERR_TRUNCATED;
	if (n)
		memcpy(dst, c->p + c->pos, n);
	c->pos += n;
	return 0;
}

int buf_get_ref(struct buf_cursor *c, size_t n, const uint8_t **ref)
{
	if (buf_left(c) < n)
		return ERR_TRUNCATED;
	*ref = c->p + c->pos;
	c->pos += n;
	return 0;
}

int buf_skip(struct buf_cursor *c, size_t n)
{
	if (buf_left(c) < n)
		return ERR_TRUNCATED;
	c->pos += n;
	return 0;
}

int buf_sub(struct buf_cursor *c, size_t n, struct buf_cursor *sub)
{
	if (buf_left(c) < n)
		return ERR_TRUNCATED;
	sub->p = c->p + c->pos;
	sub->len = n;
	sub->pos = 0;
	sub->base = c->base + c->pos;
	c->pos += n;
	return 0;
}

void buf_sub_rest(struct buf_cursor *c, struct buf_cursor *sub)
{
	(void)buf_sub(c, buf_left(c), sub);
}

void buf_w_init(struct buf_writer *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
}

int buf_w_result(const struct buf_writer *w)
{
	if (w->err)
		return w->err;
	return (int)w->len;
}

uint8_t *buf_put_space(struct buf_writer *w, size_t n)
{
	if (w->err)
		return NULL; /* keep the first error (an encoder may have set another code) */
	if (w->cap - w->len < n) {
		w->err = ERR_NOSPACE;
		return NULL;
	}
	uint8_t *at = w->p + w->len;
	w->len += n;
	return at;
}

void buf_put_u8(struct buf_writer *w, uint8_t v)
{
	uint8_t *p = buf_put_space(w, 1);
	if (p)
		*p = v;
}

void buf_put_u16(struct buf_writer *w, uint16_t v)
{
	uint8_t *p = buf_put_space(w, 2);
	if (p)
		buf_store_u16(p, v);
}

void buf_put_u32(struct buf_writer *w, uint32_t v)
{
	uint8_t *p = buf_put_space(w, 4);
	if (p)
		buf_store_u32(p, v);
}

void buf_put_u64(struct buf_writer *w, uint64_t v)
{
	buf_put_u32(w, (uint32_t)(v >> 32));
	buf_put_u32(w, (uint32_t)v);
}

void buf_put_bytes(struct buf_writer *w, const void *src, size_t n)
{
	uint8_t *p = buf_put_space(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void buf_put_zero(struct buf_writer *w, size_t n)
{
	uint8_t *p = buf_put_space(w, n);
	if (p && n)
		memset(p, 0, n);
}

void buf_patch_u16(struct buf_writer *w, size_t at, uint16_t v)
{
	if (!w->err && at + 2 <= w->len)
		buf_store_u16(w->p + at, v);
}

void buf_patch_u32(struct buf_writer *w, size_t at, uint32_t v)
{
	if (!w->err && at + 4 <= w->len)
		buf_store_u32(w->p + at, v);
}
