/*
 * ISAKMP data attributes (RFC 2408 §3.3): the TV/TLV lists inside phase 1
 * transforms, SA KEK, SA TEK, GAP and Key Download key packets.
 *
 *   |A| Attribute Type (15) | AF=1: Value (2)  /  AF=0: Length (2) | [Value] |
 *
 * A decoded container holds its attributes as a validated span
 * (struct wire_attrs) pointing into the packet; iterate it with
 * wire_attr_iter_*, look one up with wire_attrs_find(). The decoder checks
 * only the structure (every attribute fits, none has the reserved type 0);
 * which types and values are acceptable is the engine's decision. Encoders
 * copy a span as it is, so a span built with the wire_attr_put_* writers
 * (then wrapped with wire_attrs_from()) round-trips byte for byte.
 */
#ifndef GVPN_WIRE_ATTR_H
#define GVPN_WIRE_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/err.h"

#define WIRE_ATTR_AF 0x8000u

/* One attribute. For TV (basic) attributes val/len describe the two value octets. */
struct wire_attr {
	uint16_t type;      /* 1..0x7fff */
	bool tv;            /* AF set: basic form */
	uint16_t value;     /* TV: the value */
	const uint8_t *val; /* value octets (into the packet) */
	uint16_t len;       /* value length (2 for TV) */
	size_t off;         /* absolute offset of the attribute header */
};

/* A validated list of attributes inside a payload. */
struct wire_attrs {
	const uint8_t *p; /* first attribute (NULL when len == 0) */
	size_t len;       /* bytes */
	size_t off;       /* absolute offset of p[0] */
	uint16_t count;
};

/*
 * Consume every byte left in c as attributes of the named payload.
 * Returns 0, or ERR_TRUNCATED / ERR_BADLEN (attribute past its container:
 * PAYLOAD-MALFORMED) / ERR_INVAL (type 0: PAYLOAD-MALFORMED) with err filled.
 */
int wire_attrs_decode(struct buf_cursor *c, const char *payload, struct wire_attrs *out,
		      struct wire_err *err);

/* Validate len bytes written by the put functions below and describe them in *out (offset 0). */
int wire_attrs_from(struct wire_attrs *out, const void *buf, size_t len, struct wire_err *err);

struct wire_attr_iter {
	struct buf_cursor c;
};

void wire_attr_iter_init(struct wire_attr_iter *it, const struct wire_attrs *attrs);
/* Next attribute into *out; false at the end (or on a span that was never validated). */
bool wire_attr_iter_next(struct wire_attr_iter *it, struct wire_attr *out);
/* First attribute of the given type. */
bool wire_attrs_find(const struct wire_attrs *attrs, uint16_t type, struct wire_attr *out);
/*
 * Integer value: TV gives its 16-bit value, TLV 1 to 8 octets big-endian.
 * Returns 0 or ERR_BADLEN (TLV of 0 or more than 8 octets).
 */
int wire_attr_uint(const struct wire_attr *a, uint64_t *v);
/* Same length and same octets. */
bool wire_attrs_equal(const struct wire_attrs *a, const struct wire_attrs *b);

/* Writers; type must be 1..0x7fff (asserted: it is ours, not the peer's). */
void wire_attr_put_tv(struct buf_writer *w, uint16_t type, uint16_t value);
void wire_attr_put_tlv(struct buf_writer *w, uint16_t type, const void *val, uint16_t len);
/* TLV with a 4-octet value: the form to use for lifetimes (notes §1.7). */
void wire_attr_put_u32(struct buf_writer *w, uint16_t type, uint32_t value);
/* TLV with an 8-octet value (e.g. GVPN_PSEUDOTIME). */
void wire_attr_put_u64(struct buf_writer *w, uint16_t type, uint64_t value);
/* Write one attribute as described (TV or TLV). */
void wire_attr_put(struct buf_writer *w, const struct wire_attr *a);
/* Copy a whole span. */
void wire_attrs_put(struct buf_writer *w, const struct wire_attrs *attrs);

#endif
