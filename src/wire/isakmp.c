#include "wire/isakmp.h"

#include <string.h>

#include "util/err.h"
#include "wire/names.h"

static const char HDR[] = "ISAKMP header";

static int check_version(uint8_t version, struct wire_err *err)
{
	if ((version >> 4) != 1)
		return wire_err_value(err, WIRE_N_INVALID_MAJOR_VERSION, HDR, "Version",
				      WIRE_HDR_OFF_VERSION, version, "0x10");
	if ((version & 0x0f) != 0)
		return wire_err_value(err, WIRE_N_INVALID_MINOR_VERSION, HDR, "Version",
				      WIRE_HDR_OFF_VERSION, version, "0x10");
	return 0;
}

int wire_isakmp_hdr_decode(const uint8_t *msg, size_t len, struct wire_isakmp_hdr *h,
			   struct wire_err *err)
{
	struct buf_cursor c;
	buf_init(&c, msg, len);
	if (len < WIRE_ISAKMP_HDR_LEN)
		return wire_err_set(err, WIRE_ERR_TRUNCATED, WIRE_N_PAYLOAD_MALFORMED, HDR,
				    "header", 0, len, WIRE_ISAKMP_HDR_LEN);
	(void)buf_get_bytes(&c, h->icookie, WIRE_COOKIE_LEN);
	(void)buf_get_bytes(&c, h->rcookie, WIRE_COOKIE_LEN);
	(void)buf_get_u8(&c, &h->next);
	(void)buf_get_u8(&c, &h->version);
	(void)buf_get_u8(&c, &h->exch);
	(void)buf_get_u8(&c, &h->flags);
	(void)buf_get_u32(&c, &h->msgid);
	(void)buf_get_u32(&c, &h->len);
	int rc = check_version(h->version, err);
	if (rc < 0)
		return rc;
	if (h->flags & ~WIRE_FLAGS_KNOWN)
		return wire_err_value(err, WIRE_N_INVALID_FLAGS, HDR, "Flags", WIRE_HDR_OFF_FLAGS,
				      h->flags, "only E, C, A (0x01, 0x02, 0x04)");
	if (h->len > len)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_UNEQUAL_PAYLOAD_LENGTHS, HDR,
				    "Length", WIRE_HDR_OFF_LENGTH, h->len, len);
	if (h->len < len)
		return wire_err_set(err, WIRE_ERR_TRAILING, WIRE_N_UNEQUAL_PAYLOAD_LENGTHS, HDR,
				    "Length", WIRE_HDR_OFF_LENGTH, len - h->len, 0);
	return 0;
}

void wire_isakmp_hdr_encode(const struct wire_isakmp_hdr *h, uint8_t out[WIRE_ISAKMP_HDR_LEN])
{
	memcpy(out, h->icookie, WIRE_COOKIE_LEN);
	memcpy(out + 8, h->rcookie, WIRE_COOKIE_LEN);
	out[WIRE_HDR_OFF_NEXT] = h->next;
	out[WIRE_HDR_OFF_VERSION] = h->version;
	out[18] = h->exch;
	out[WIRE_HDR_OFF_FLAGS] = h->flags;
	buf_store_u32(out + WIRE_HDR_OFF_MSGID, h->msgid);
	buf_store_u32(out + WIRE_HDR_OFF_LENGTH, h->len);
}

int wire_gen_get(struct buf_cursor *c, uint8_t type, struct wire_payload *pl,
		 struct buf_cursor *body, struct wire_err *err)
{
	const char *name = wire_pl_name(type);
	size_t off = buf_offset(c);
	uint8_t next;
	uint16_t plen;
	if (buf_left(c) < WIRE_GEN_HDR_LEN)
		return wire_err_set(err, WIRE_ERR_TRUNCATED, WIRE_N_PAYLOAD_MALFORMED, name,
				    "generic header", off, buf_left(c), WIRE_GEN_HDR_LEN);
	/* RESERVED (octet 1) is not checked: RFC 2408 asks senders for 0, nothing of receivers. */
	(void)buf_peek_u8(c, &next);
	plen = buf_load_u16(c->p + c->pos + 2);
	if (plen < WIRE_GEN_HDR_LEN)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, name,
				    "Payload Length", off + 2, plen, WIRE_GEN_HDR_LEN);
	if (plen > buf_left(c))
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, name,
				    "Payload Length", off + 2, plen, buf_left(c));
	(void)buf_skip(c, WIRE_GEN_HDR_LEN);
	(void)buf_sub(c, plen - WIRE_GEN_HDR_LEN, body);
	pl->type = type;
	pl->next = next;
	pl->priv = type >= WIRE_PL_PRIVATE_MIN;
	pl->body = body->p;
	pl->len = body->len;
	pl->off = off;
	return 0;
}

void wire_payload_cursor(const struct wire_payload *pl, struct buf_cursor *c)
{
	buf_init(c, pl->body, pl->len);
	c->base = pl->off + WIRE_GEN_HDR_LEN;
}

void wire_chain_init(struct wire_chain *ch, const uint8_t *msg, size_t len, uint8_t first)
{
	buf_init(&ch->c, msg, len);
	(void)buf_skip(&ch->c, len < WIRE_ISAKMP_HDR_LEN ? len : WIRE_ISAKMP_HDR_LEN);
	ch->next = first;
	ch->next_at = WIRE_HDR_OFF_NEXT;
	ch->named_by = HDR;
}

static bool known_type(uint8_t t)
{
	return (t >= WIRE_PL_SA && t <= WIRE_PL_LAST_PUBLIC) || t >= WIRE_PL_PRIVATE_MIN;
}

int wire_chain_next(struct wire_chain *ch, struct wire_payload *pl, struct wire_err *err)
{
	if (ch->next == WIRE_PL_NONE)
		return 0;
	if (!known_type(ch->next)) {
		int rc = wire_err_set(err, WIRE_ERR_UNKNOWN_TYPE, WIRE_N_INVALID_PAYLOAD_TYPE,
				      ch->named_by, "Next Payload", ch->next_at, ch->next, 0);
		ch->next = WIRE_PL_NONE;
		ch->c.pos = ch->c.len;
		return rc;
	}
	struct buf_cursor body;
	int rc = wire_gen_get(&ch->c, ch->next, pl, &body, err);
	if (rc < 0) {
		ch->next = WIRE_PL_NONE;
		ch->c.pos = ch->c.len;
		return rc;
	}
	ch->next = pl->next;
	ch->next_at = pl->off;
	ch->named_by = wire_pl_name(pl->type);
	return 1;
}

size_t wire_chain_padding(const struct wire_chain *ch)
{
	return buf_left(&ch->c);
}

int wire_msg_decode(const uint8_t *msg, size_t len, struct wire_msg *m, struct wire_err *err)
{
	int rc = wire_isakmp_hdr_decode(msg, len, &m->hdr, err);
	if (rc < 0)
		return rc;
	struct wire_chain ch;
	struct wire_payload pl;
	wire_chain_init(&ch, msg, len, m->hdr.next);
	m->n = 0;
	while ((rc = wire_chain_next(&ch, &pl, err)) > 0) {
		if (m->n == WIRE_MSG_MAX_PAYLOADS)
			return wire_err_set(err, WIRE_ERR_LIMIT, WIRE_N_PAYLOAD_MALFORMED,
					    wire_pl_name(pl.type), "payload count", pl.off,
					    m->n + 1, WIRE_MSG_MAX_PAYLOADS);
		m->pl[m->n++] = pl;
	}
	if (rc < 0)
		return rc;
	m->pad_len = wire_chain_padding(&ch);
	return 0;
}

const struct wire_payload *wire_msg_find(const struct wire_msg *m, uint8_t type, size_t nth)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->pl[i].type == type && nth-- == 0)
			return &m->pl[i];
	return NULL;
}

size_t wire_gen_begin(struct buf_writer *w)
{
	size_t at = w->len;
	buf_put_zero(w, WIRE_GEN_HDR_LEN);
	return at;
}

void wire_gen_end(struct buf_writer *w, size_t at)
{
	if (w->err)
		return;
	size_t n = w->len - at;
	if (n > WIRE_PAYLOAD_MAX) {
		w->err = ERR_LIMIT;
		return;
	}
	buf_patch_u16(w, at + 2, (uint16_t)n);
}

void wire_gen_set_next(struct buf_writer *w, size_t at, uint8_t next)
{
	if (!w->err && at < w->len)
		w->p[at] = next;
}
