#include "wire/kd.h"

#include <string.h>

#include "util/err.h"
#include "wire/names.h"

static const char KD[] = "KD";

#define KD_PKT_HDR 4 /* KD Type, RESERVED, KD Length */

/* SPI size a key packet type requires, or -1 when any size is accepted. */
static int required_spi_size(uint8_t type)
{
	switch (type) {
	case WIRE_KD_TEK:
		return 4;
	case WIRE_KD_KEK:
		return 16;
	case WIRE_KD_SID:
		return 0;
	default:
		return -1;
	}
}

static int packet_decode(struct buf_cursor *c, struct wire_kd_packet *p, struct wire_err *err)
{
	size_t off = buf_offset(c);
	if (buf_left(c) < KD_PKT_HDR + 1)
		return wire_err_set(err, WIRE_ERR_TRUNCATED, WIRE_N_PAYLOAD_MALFORMED, KD,
				    "key packet", off, buf_left(c), KD_PKT_HDR + 1);
	uint16_t len = buf_load_u16(buf_here(c) + 2);
	if (len < KD_PKT_HDR + 1)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, KD,
				    "KD Length", off + 2, len, KD_PKT_HDR + 1);
	struct buf_cursor k;
	if (buf_sub(c, len, &k) < 0)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, KD,
				    "KD Length", off + 2, len, buf_left(c));
	p->off = off;
	(void)buf_get_u8(&k, &p->type);
	(void)buf_skip(&k, 3); /* RESERVED, KD Length */
	(void)buf_get_u8(&k, &p->spi_size);
	int want = required_spi_size(p->type);
	if (want >= 0 && p->spi_size != want)
		return wire_err_set(err, WIRE_ERR_BAD_SIZE, WIRE_N_INVALID_SPI, KD, "SPI Size",
				    off + KD_PKT_HDR, p->spi_size, (uint64_t)want);
	if (buf_get_ref(&k, p->spi_size, &p->spi) < 0)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, KD,
				    "SPI Size", off + KD_PKT_HDR, p->spi_size, buf_left(&k));
	return wire_attrs_decode(&k, KD, &p->attrs, err);
}

int wire_kd_decode(const struct wire_payload *pl, struct wire_kd *out, struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	out->n_packets = 0;
	if (pl->len < 4)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, KD,
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN, 8);
	size_t count_at = buf_offset(&c);
	uint16_t declared;
	(void)buf_get_u16(&c, &declared);
	(void)buf_skip(&c, 2); /* RESERVED */
	while (!buf_empty(&c)) {
		if (out->n_packets == declared)
			return wire_err_set(err, WIRE_ERR_TRAILING, WIRE_N_PAYLOAD_MALFORMED, KD,
					    "key packets", buf_offset(&c), buf_left(&c), 0);
		if (out->n_packets == WIRE_KD_MAX_PACKETS)
			return wire_err_set(err, WIRE_ERR_LIMIT, WIRE_N_PAYLOAD_MALFORMED, KD,
					    "Number of Key Packets", count_at, declared,
					    WIRE_KD_MAX_PACKETS);
		int rc = packet_decode(&c, &out->pk[out->n_packets], err);
		if (rc < 0)
			return rc;
		out->n_packets++;
	}
	if (out->n_packets != declared)
		return wire_err_set(err, WIRE_ERR_MISMATCH, WIRE_N_PAYLOAD_MALFORMED, KD,
				    "Number of Key Packets", count_at, out->n_packets, declared);
	return 0;
}

void wire_kd_encode(struct buf_writer *w, const struct wire_kd *kd)
{
	buf_put_u16(w, kd->n_packets);
	buf_put_u16(w, 0);
	for (size_t i = 0; i < kd->n_packets; i++) {
		const struct wire_kd_packet *p = &kd->pk[i];
		size_t at = w->len;
		buf_put_u8(w, p->type);
		buf_put_u8(w, 0);
		buf_put_u16(w, 0); /* KD Length, patched below */
		buf_put_u8(w, p->spi_size);
		buf_put_bytes(w, p->spi, p->spi_size);
		wire_attrs_put(w, &p->attrs);
		/* The key packet length field has the generic header's shape and place. */
		wire_gen_end(w, at);
	}
}

static bool packet_equal(const struct wire_kd_packet *a, const struct wire_kd_packet *b)
{
	return a->type == b->type && a->spi_size == b->spi_size &&
	       (a->spi_size == 0 || memcmp(a->spi, b->spi, a->spi_size) == 0) &&
	       wire_attrs_equal(&a->attrs, &b->attrs);
}

bool wire_kd_equal(const struct wire_kd *a, const struct wire_kd *b)
{
	if (a->n_packets != b->n_packets)
		return false;
	for (size_t i = 0; i < a->n_packets; i++)
		if (!packet_equal(&a->pk[i], &b->pk[i]))
			return false;
	return true;
}

const struct wire_kd_packet *wire_kd_find(const struct wire_kd *kd, uint8_t type,
					  const uint8_t *spi, size_t spi_len)
{
	for (size_t i = 0; i < kd->n_packets; i++) {
		const struct wire_kd_packet *p = &kd->pk[i];
		if (p->type == type && p->spi_size == spi_len &&
		    (spi_len == 0 || memcmp(p->spi, spi, spi_len) == 0))
			return p;
	}
	return NULL;
}
