#include "wire/attr.h"

#include <assert.h>
#include <string.h>

#include "util/err.h"
#include "wire/names.h"

/* Read one attribute; on error nothing useful is left in *a. */
static int get_one(struct buf_cursor *c, const char *payload, struct wire_attr *a,
		   struct wire_err *err)
{
	size_t off = buf_offset(c);
	uint16_t tf, second;
	if (buf_left(c) < 4)
		return wire_err_set(err, WIRE_ERR_TRUNCATED, WIRE_N_PAYLOAD_MALFORMED, payload,
				    "attribute", off, buf_left(c), 4);
	(void)buf_get_u16(c, &tf);
	(void)buf_get_u16(c, &second);
	a->off = off;
	a->type = tf & 0x7fff;
	a->tv = (tf & WIRE_ATTR_AF) != 0;
	if (a->type == 0)
		return wire_err_value(err, WIRE_N_PAYLOAD_MALFORMED, payload, "attribute type", off,
				      0, "1..32767 (0 is reserved)");
	if (a->tv) {
		a->value = second;
		a->val = c->p + c->pos - 2;
		a->len = 2;
		return 0;
	}
	a->value = 0;
	a->len = second;
	if (buf_get_ref(c, second, &a->val) < 0)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, payload,
				    "attribute length", off + 2, second, buf_left(c));
	return 0;
}

int wire_attrs_decode(struct buf_cursor *c, const char *payload, struct wire_attrs *out,
		      struct wire_err *err)
{
	out->p = buf_left(c) ? buf_here(c) : NULL;
	out->len = buf_left(c);
	out->off = buf_offset(c);
	out->count = 0;
	while (!buf_empty(c)) {
		struct wire_attr a;
		int rc = get_one(c, payload, &a, err);
		if (rc < 0)
			return rc;
		out->count++; /* at most len / 4 <= 16383 for any payload */
	}
	return 0;
}

int wire_attrs_from(struct wire_attrs *out, const void *buf, size_t len, struct wire_err *err)
{
	struct buf_cursor c;
	buf_init(&c, buf, len);
	return wire_attrs_decode(&c, "attributes", out, err);
}

void wire_attr_iter_init(struct wire_attr_iter *it, const struct wire_attrs *attrs)
{
	buf_init(&it->c, attrs->p, attrs->len);
	it->c.base = attrs->off;
}

bool wire_attr_iter_next(struct wire_attr_iter *it, struct wire_attr *out)
{
	if (buf_empty(&it->c))
		return false;
	if (get_one(&it->c, "attributes", out, NULL) < 0) {
		it->c.pos = it->c.len; /* stop for good */
		return false;
	}
	return true;
}

bool wire_attrs_find(const struct wire_attrs *attrs, uint16_t type, struct wire_attr *out)
{
	struct wire_attr_iter it;
	wire_attr_iter_init(&it, attrs);
	while (wire_attr_iter_next(&it, out))
		if (out->type == type)
			return true;
	return false;
}

int wire_attr_uint(const struct wire_attr *a, uint64_t *v)
{
	if (a->tv) {
		*v = a->value;
		return 0;
	}
	if (a->len == 0 || a->len > 8)
		return ERR_BADLEN;
	uint64_t x = 0;
	for (uint16_t i = 0; i < a->len; i++)
		x = x << 8 | a->val[i];
	*v = x;
	return 0;
}

bool wire_attrs_equal(const struct wire_attrs *a, const struct wire_attrs *b)
{
	if (a->len != b->len || a->count != b->count)
		return false;
	return a->len == 0 || memcmp(a->p, b->p, a->len) == 0;
}

void wire_attr_put_tv(struct buf_writer *w, uint16_t type, uint16_t value)
{
	assert(type != 0 && type <= 0x7fff);
	buf_put_u16(w, (uint16_t)(type | WIRE_ATTR_AF));
	buf_put_u16(w, value);
}

void wire_attr_put_tlv(struct buf_writer *w, uint16_t type, const void *val, uint16_t len)
{
	assert(type != 0 && type <= 0x7fff);
	buf_put_u16(w, type);
	buf_put_u16(w, len);
	buf_put_bytes(w, val, len);
}

void wire_attr_put_u32(struct buf_writer *w, uint16_t type, uint32_t value)
{
	uint8_t v[4];
	buf_store_u32(v, value);
	wire_attr_put_tlv(w, type, v, sizeof(v));
}

void wire_attr_put_u64(struct buf_writer *w, uint16_t type, uint64_t value)
{
	uint8_t v[8];
	buf_store_u32(v, (uint32_t)(value >> 32));
	buf_store_u32(v + 4, (uint32_t)value);
	wire_attr_put_tlv(w, type, v, sizeof(v));
}

void wire_attr_put(struct buf_writer *w, const struct wire_attr *a)
{
	if (a->tv)
		wire_attr_put_tv(w, a->type, a->value);
	else
		wire_attr_put_tlv(w, a->type, a->val, a->len);
}

void wire_attrs_put(struct buf_writer *w, const struct wire_attrs *attrs)
{
	if (attrs->len)
		buf_put_bytes(w, attrs->p, attrs->len);
}
