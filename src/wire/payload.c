#include "wire/payload.h"

#include <string.h>

#include "util/err.h"
#include "wire/names.h"

static bool bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

/* Opaque body of min..max octets. */
static int data_decode(const struct wire_payload *pl, size_t min, size_t max,
		       struct wire_data *out, struct wire_err *err)
{
	const char *name = wire_pl_name(pl->type);
	size_t off = pl->off + WIRE_GEN_HDR_LEN;
	if (pl->len < min)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, name, "data",
				    off, pl->len, min);
	if (pl->len > max)
		return wire_err_set(err, WIRE_ERR_LIMIT, WIRE_N_PAYLOAD_MALFORMED, name, "data",
				    off, pl->len, max);
	out->p = pl->body;
	out->len = pl->len;
	return 0;
}

int wire_ke_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err)
{
	return data_decode(pl, 1, WIRE_PAYLOAD_MAX, out, err);
}

int wire_hash_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err)
{
	return data_decode(pl, 1, WIRE_PAYLOAD_MAX, out, err);
}

int wire_sig_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err)
{
	return data_decode(pl, 1, WIRE_PAYLOAD_MAX, out, err);
}

int wire_nonce_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err)
{
	return data_decode(pl, WIRE_NONCE_MIN, WIRE_NONCE_MAX, out, err);
}

int wire_vid_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err)
{
	return data_decode(pl, 0, WIRE_PAYLOAD_MAX, out, err);
}

void wire_data_encode(struct buf_writer *w, const struct wire_data *d)
{
	buf_put_bytes(w, d->p, d->len);
}

bool wire_data_equal(const struct wire_data *a, const struct wire_data *b)
{
	return a->len == b->len && bytes_equal(a->p, b->p, a->len);
}

size_t wire_id_data_size(unsigned type)
{
	switch (type) {
	case WIRE_ID_IPV4_ADDR:
		return 4;
	case WIRE_ID_IPV4_ADDR_SUBNET:
	case WIRE_ID_IPV4_ADDR_RANGE:
		return 8;
	case WIRE_ID_IPV6_ADDR:
		return 16;
	case WIRE_ID_IPV6_ADDR_SUBNET:
	case WIRE_ID_IPV6_ADDR_RANGE:
		return 32;
	default:
		return 0;
	}
}

int wire_id_data_check(unsigned type, size_t len, const char *payload, const char *field,
		       size_t off, struct wire_err *err)
{
	size_t want = wire_id_data_size(type);
	if (want && len != want)
		return wire_err_set(err, WIRE_ERR_BAD_SIZE, WIRE_N_INVALID_ID_INFORMATION, payload,
				    field, off, len, want);
	return 0;
}

int wire_id_decode(const struct wire_payload *pl, struct wire_id *out, struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	if (pl->len < 4)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, "ID",
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN, 8);
	(void)buf_get_u8(&c, &out->type);
	(void)buf_get_u8(&c, &out->proto);
	(void)buf_get_u16(&c, &out->port);
	out->len = buf_left(&c);
	out->data = buf_here(&c);
	return wire_id_data_check(out->type, out->len, "ID", "Identification Data",
				  buf_offset(&c), err);
}

void wire_id_encode(struct buf_writer *w, const struct wire_id *id)
{
	buf_put_u8(w, id->type);
	buf_put_u8(w, id->proto);
	buf_put_u16(w, id->port);
	buf_put_bytes(w, id->data, id->len);
}

bool wire_id_equal(const struct wire_id *a, const struct wire_id *b)
{
	return a->type == b->type && a->proto == b->proto && a->port == b->port &&
	       a->len == b->len && bytes_equal(a->data, b->data, a->len);
}

int wire_id_key_id(const struct wire_id *id, uint32_t *group)
{
	if (id->type != WIRE_ID_KEY_ID || id->len != 4)
		return ERR_INVAL;
	*group = buf_load_u32(id->data);
	return 0;
}

static int cert_decode(const struct wire_payload *pl, size_t min_data, struct wire_cert *out,
		       struct wire_err *err)
{
	const char *name = wire_pl_name(pl->type);
	if (pl->len < 1 + min_data)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, name,
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN,
				    WIRE_GEN_HDR_LEN + 1 + min_data);
	out->encoding = pl->body[0];
	out->data = pl->body + 1;
	out->len = pl->len - 1;
	return 0;
}

int wire_cert_decode(const struct wire_payload *pl, struct wire_cert *out, struct wire_err *err)
{
	return cert_decode(pl, 1, out, err);
}

int wire_cr_decode(const struct wire_payload *pl, struct wire_cert *out, struct wire_err *err)
{
	return cert_decode(pl, 0, out, err);
}

void wire_cert_encode(struct buf_writer *w, const struct wire_cert *c)
{
	buf_put_u8(w, c->encoding);
	buf_put_bytes(w, c->data, c->len);
}

bool wire_cert_equal(const struct wire_cert *a, const struct wire_cert *b)
{
	return a->encoding == b->encoding && a->len == b->len &&
	       bytes_equal(a->data, b->data, a->len);
}

int wire_notify_decode(const struct wire_payload *pl, struct wire_notify *out,
		       struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	if (pl->len < 8)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, "N",
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN, 12);
	(void)buf_get_u32(&c, &out->doi);
	(void)buf_get_u8(&c, &out->proto);
	size_t spi_at = buf_offset(&c);
	(void)buf_get_u8(&c, &out->spi_size);
	(void)buf_get_u16(&c, &out->type);
	if (buf_get_ref(&c, out->spi_size, &out->spi) < 0)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, "N",
				    "SPI Size", spi_at, out->spi_size, buf_left(&c));
	out->data = buf_here(&c);
	out->data_len = buf_left(&c);
	return 0;
}

void wire_notify_encode(struct buf_writer *w, const struct wire_notify *n)
{
	buf_put_u32(w, n->doi);
	buf_put_u8(w, n->proto);
	buf_put_u8(w, n->spi_size);
	buf_put_u16(w, n->type);
	buf_put_bytes(w, n->spi, n->spi_size);
	buf_put_bytes(w, n->data, n->data_len);
}

bool wire_notify_equal(const struct wire_notify *a, const struct wire_notify *b)
{
	return a->doi == b->doi && a->proto == b->proto && a->spi_size == b->spi_size &&
	       a->type == b->type && bytes_equal(a->spi, b->spi, a->spi_size) &&
	       a->data_len == b->data_len && bytes_equal(a->data, b->data, a->data_len);
}

int wire_delete_decode(const struct wire_payload *pl, struct wire_delete *out,
		       struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	if (pl->len < 8)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, "D",
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN, 12);
	(void)buf_get_u32(&c, &out->doi);
	(void)buf_get_u8(&c, &out->proto);
	(void)buf_get_u8(&c, &out->spi_size);
	size_t count_at = buf_offset(&c);
	(void)buf_get_u16(&c, &out->n_spis);
	size_t need = (size_t)out->n_spis * out->spi_size;
	if (need > buf_left(&c))
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, "D",
				    "# of SPIs x SPI Size", count_at, need, buf_left(&c));
	if (need < buf_left(&c))
		return wire_err_set(err, WIRE_ERR_TRAILING, WIRE_N_PAYLOAD_MALFORMED, "D", "SPIs",
				    buf_offset(&c) + need, buf_left(&c) - need, 0);
	out->spis = buf_here(&c);
	return 0;
}

void wire_delete_encode(struct buf_writer *w, const struct wire_delete *d)
{
	buf_put_u32(w, d->doi);
	buf_put_u8(w, d->proto);
	buf_put_u8(w, d->spi_size);
	buf_put_u16(w, d->n_spis);
	buf_put_bytes(w, d->spis, (size_t)d->n_spis * d->spi_size);
}

bool wire_delete_equal(const struct wire_delete *a, const struct wire_delete *b)
{
	return a->doi == b->doi && a->proto == b->proto && a->spi_size == b->spi_size &&
	       a->n_spis == b->n_spis &&
	       bytes_equal(a->spis, b->spis, (size_t)a->n_spis * a->spi_size);
}

const uint8_t *wire_delete_spi(const struct wire_delete *d, size_t i)
{
	return d->spis + i * d->spi_size;
}
