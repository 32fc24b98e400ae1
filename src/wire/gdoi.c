#include "wire/gdoi.h"

#include <string.h>

#include "util/err.h"
#include "wire/names.h"
#include "wire/payload.h"

static const char KEK[] = "SA KEK";
static const char TEK[] = "SA TEK";

/* Octets between the KEK SPI and the KEK attributes, per dialect. */
#define KEK_TRAILER_RFC   4
#define KEK_TRAILER_GDOID 6

const char *wire_dialect_name(enum wire_dialect d)
{
	switch (d) {
	case WIRE_DIALECT_RFC6407:
		return "rfc6407";
	case WIRE_DIALECT_GDOID:
		return "gdoid";
	case WIRE_DIALECT_AUTO:
	default:
		return "auto";
	}
}

/* Field names of one identity, so that errors say which of the two broke. */
struct id_names {
	const char *head, *len, *data;
};
static const struct id_names SRC = {"SRC ID Type/Port", "SRC ID Data Len", "SRC ID Data"};
static const struct id_names DST = {"DST ID Type/Port", "DST ID Data Len", "DST ID Data"};

static int need(const struct buf_cursor *c, size_t n, const char *payload, const char *field,
		struct wire_err *err)
{
	if (buf_left(c) >= n)
		return 0;
	return wire_err_set(err, WIRE_ERR_TRUNCATED, WIRE_N_PAYLOAD_MALFORMED, payload, field,
			    buf_offset(c), buf_left(c), n);
}

/* Type (1) | Port (2) | Data Len (1 or 2) | Data. */
static int id_get(struct buf_cursor *c, bool wide, const char *payload, const struct id_names *n,
		  struct wire_gdoi_id *id, struct wire_err *err)
{
	int rc = need(c, wide ? 5 : 4, payload, n->head, err);
	if (rc < 0)
		return rc;
	(void)buf_get_u8(c, &id->type);
	(void)buf_get_u16(c, &id->port);
	size_t len_at = buf_offset(c);
	if (wide) {
		(void)buf_get_u16(c, &id->len);
	} else {
		uint8_t l8;
		(void)buf_get_u8(c, &l8);
		id->len = l8;
	}
	size_t data_at = buf_offset(c);
	if (buf_get_ref(c, id->len, &id->data) < 0)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, payload,
				    n->len, len_at, id->len, buf_left(c));
	return wire_id_data_check(id->type, id->len, payload, n->data, data_at, err);
}

static void id_put(struct buf_writer *w, const struct wire_gdoi_id *id, bool wide)
{
	buf_put_u8(w, id->type);
	buf_put_u16(w, id->port);
	if (wide) {
		buf_put_u16(w, id->len);
	} else if (id->len > UINT8_MAX) {
		if (!w->err)
			w->err = ERR_LIMIT;
		return;
	} else {
		buf_put_u8(w, (uint8_t)id->len);
	}
	buf_put_bytes(w, id->data, id->len);
}

static bool id_equal(const struct wire_gdoi_id *a, const struct wire_gdoi_id *b)
{
	return a->type == b->type && a->port == b->port && a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static int kek_body(const struct wire_payload *pl, enum wire_dialect d, struct wire_sa_kek *k,
		    struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	k->off = pl->off;
	k->dialect = d;
	int rc = need(&c, 1, KEK, "Protocol", err);
	if (rc < 0)
		return rc;
	(void)buf_get_u8(&c, &k->proto);
	if ((rc = id_get(&c, false, KEK, &SRC, &k->src, err)) < 0 ||
	    (rc = id_get(&c, false, KEK, &DST, &k->dst, err)) < 0)
		return rc;
	size_t trailer = d == WIRE_DIALECT_GDOID ? KEK_TRAILER_GDOID : KEK_TRAILER_RFC;
	if ((rc = need(&c, WIRE_KEK_SPI_LEN + trailer, KEK, "SPI", err)) < 0)
		return rc;
	(void)buf_get_bytes(&c, k->spi, WIRE_KEK_SPI_LEN);
	/* RFC 6407 RESERVED2 (RFC 3547 POP fields), gdoid's 6 octets: ignored on input. */
	(void)buf_skip(&c, trailer);
	return wire_attrs_decode(&c, KEK, &k->attrs, err);
}

static int tek_body(const struct wire_payload *pl, enum wire_dialect d, struct wire_sa_tek *t,
		    struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	memset(t, 0, sizeof(*t));
	t->off = pl->off;
	t->dialect = d;
	int rc = need(&c, 1, TEK, "Protocol-ID", err);
	if (rc < 0)
		return rc;
	(void)buf_get_u8(&c, &t->proto_id);
	if (t->proto_id != WIRE_GDOI_PROTO_IPSEC_ESP) {
		t->other = buf_here(&c);
		t->other_len = buf_left(&c);
		return 0;
	}
	bool wide = d != WIRE_DIALECT_GDOID;
	if ((rc = need(&c, 1, TEK, "Protocol", err)) < 0)
		return rc;
	(void)buf_get_u8(&c, &t->ip_proto);
	if ((rc = id_get(&c, wide, TEK, &SRC, &t->src, err)) < 0 ||
	    (rc = id_get(&c, wide, TEK, &DST, &t->dst, err)) < 0)
		return rc;
	if ((rc = need(&c, 5, TEK, "Transform ID/SPI", err)) < 0)
		return rc;
	(void)buf_get_u8(&c, &t->transform_id);
	(void)buf_get_u32(&c, &t->spi);
	return wire_attrs_decode(&c, TEK, &t->attrs, err);
}

typedef int (*body_fn)(const struct wire_payload *pl, enum wire_dialect d, void *out,
		       struct wire_err *err);

/*
 * Decode with one dialect, or with AUTO try RFC 6407 and then gdoid. When
 * both fail, keep the error found further into the input (RFC on a tie).
 */
static int with_dialect(body_fn fn, const struct wire_payload *pl, enum wire_dialect d,
			void *out, struct wire_err *err)
{
	if (d != WIRE_DIALECT_AUTO)
		return fn(pl, d, out, err);
	struct wire_err e_rfc, e_gdoid;
	wire_err_clear(&e_rfc);
	wire_err_clear(&e_gdoid);
	int rc = fn(pl, WIRE_DIALECT_RFC6407, out, &e_rfc);
	if (rc == 0)
		return 0;
	int rc2 = fn(pl, WIRE_DIALECT_GDOID, out, &e_gdoid);
	if (rc2 == 0)
		return 0;
	bool gdoid_further = e_gdoid.offset > e_rfc.offset;
	if (err)
		*err = gdoid_further ? e_gdoid : e_rfc;
	return gdoid_further ? rc2 : rc;
}

static int kek_fn(const struct wire_payload *pl, enum wire_dialect d, void *out,
		  struct wire_err *err)
{
	return kek_body(pl, d, out, err);
}

static int tek_fn(const struct wire_payload *pl, enum wire_dialect d, void *out,
		  struct wire_err *err)
{
	return tek_body(pl, d, out, err);
}

int wire_sa_kek_decode(const struct wire_payload *pl, enum wire_dialect d,
		       struct wire_sa_kek *out, struct wire_err *err)
{
	return with_dialect(kek_fn, pl, d, out, err);
}

int wire_sa_tek_decode(const struct wire_payload *pl, enum wire_dialect d,
		       struct wire_sa_tek *out, struct wire_err *err)
{
	return with_dialect(tek_fn, pl, d, out, err);
}

int wire_gap_decode(const struct wire_payload *pl, struct wire_gap *out, struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	out->off = pl->off;
	return wire_attrs_decode(&c, "GAP", &out->attrs, err);
}

static bool nested_type(unsigned t)
{
	return t == WIRE_PL_SAK || t == WIRE_PL_SAT || t == WIRE_PL_GAP;
}

/* One nested payload into its slot of the SA. */
static int sa_item(const struct wire_payload *pl, enum wire_dialect d, struct wire_gdoi_sa *sa,
		   struct wire_err *err)
{
	const char *name = wire_pl_name(pl->type);
	switch (pl->type) {
	case WIRE_PL_SAK:
		if (sa->has_kek)
			return wire_err_set(err, WIRE_ERR_DUPLICATE, WIRE_N_PAYLOAD_MALFORMED, "SA",
					    name, pl->off, 2, 1);
		sa->has_kek = true;
		return kek_body(pl, d, &sa->kek, err);
	case WIRE_PL_GAP:
		if (sa->has_gap)
			return wire_err_set(err, WIRE_ERR_DUPLICATE, WIRE_N_PAYLOAD_MALFORMED, "SA",
					    name, pl->off, 2, 1);
		sa->has_gap = true;
		return wire_gap_decode(pl, &sa->gap, err);
	default:
		if (sa->n_teks == WIRE_GDOI_MAX_TEKS)
			return wire_err_set(err, WIRE_ERR_LIMIT, WIRE_N_PAYLOAD_MALFORMED, "SA",
					    "SA TEK count", pl->off, sa->n_teks + 1,
					    WIRE_GDOI_MAX_TEKS);
		return tek_body(pl, d, &sa->teks[sa->n_teks++], err);
	}
}

/* The nested chain that follows the SA header, in one dialect. */
static int sa_chain(struct buf_cursor *c, size_t attr_next_at, enum wire_dialect d,
		    struct wire_gdoi_sa *sa, struct wire_err *err)
{
	unsigned next = sa->attr_next;
	size_t next_at = attr_next_at;
	const char *named_by = "SA";
	while (next != WIRE_PL_NONE) {
		if (!nested_type(next))
			return wire_err_set(err, WIRE_ERR_UNKNOWN_TYPE, WIRE_N_INVALID_PAYLOAD_TYPE,
					    named_by, next_at == attr_next_at ?
					    "SA Attribute Next Payload" : "Next Payload",
					    next_at, next, 0);
		struct wire_payload pl;
		struct buf_cursor body;
		int rc = wire_gen_get(c, (uint8_t)next, &pl, &body, err);
		if (rc < 0 || (rc = sa_item(&pl, d, sa, err)) < 0)
			return rc;
		next = pl.next;
		next_at = pl.off;
		named_by = wire_pl_name(pl.type);
	}
	if (!buf_empty(c))
		return wire_err_set(err, WIRE_ERR_TRAILING, WIRE_N_PAYLOAD_MALFORMED, "SA",
				    "SA attribute payloads", buf_offset(c), buf_left(c), 0);
	return 0;
}

static int sa_body(const struct wire_payload *pl, enum wire_dialect d, void *out,
		   struct wire_err *err)
{
	struct wire_gdoi_sa *sa = out;
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	sa->dialect = d;
	sa->has_kek = sa->has_gap = false;
	sa->n_teks = 0;
	if (pl->len < 12)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, "SA",
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN, 16);
	size_t doi_at = buf_offset(&c);
	(void)buf_get_u32(&c, &sa->doi);
	(void)buf_get_u32(&c, &sa->situation);
	size_t attr_next_at = buf_offset(&c);
	(void)buf_get_u16(&c, &sa->attr_next);
	(void)buf_skip(&c, 2); /* RESERVED2 */
	if (sa->doi != WIRE_DOI_GDOI)
		return wire_err_value(err, WIRE_N_DOI_NOT_SUPPORTED, "SA",
				      "Domain of Interpretation", doi_at, sa->doi, "2 (GDOI)");
	return sa_chain(&c, attr_next_at, d, sa, err);
}

int wire_gdoi_sa_decode(const struct wire_payload *pl, enum wire_dialect d,
			struct wire_gdoi_sa *out, struct wire_err *err)
{
	return with_dialect(sa_body, pl, d, out, err);
}

void wire_sa_kek_encode(struct buf_writer *w, const struct wire_sa_kek *k, enum wire_dialect d)
{
	buf_put_u8(w, k->proto);
	id_put(w, &k->src, false);
	id_put(w, &k->dst, false);
	buf_put_bytes(w, k->spi, WIRE_KEK_SPI_LEN);
	buf_put_zero(w, d == WIRE_DIALECT_GDOID ? KEK_TRAILER_GDOID : KEK_TRAILER_RFC);
	wire_attrs_put(w, &k->attrs);
}

void wire_sa_tek_encode(struct buf_writer *w, const struct wire_sa_tek *t, enum wire_dialect d)
{
	buf_put_u8(w, t->proto_id);
	if (t->proto_id != WIRE_GDOI_PROTO_IPSEC_ESP) {
		buf_put_bytes(w, t->other, t->other_len);
		return;
	}
	bool wide = d != WIRE_DIALECT_GDOID;
	buf_put_u8(w, t->ip_proto);
	id_put(w, &t->src, wide);
	id_put(w, &t->dst, wide);
	buf_put_u8(w, t->transform_id);
	buf_put_u32(w, t->spi);
	wire_attrs_put(w, &t->attrs);
}

void wire_gap_encode(struct buf_writer *w, const struct wire_gap *g)
{
	wire_attrs_put(w, &g->attrs);
}

/* Chains nested payloads: the first type goes into the 2-octet SA Attribute Next Payload. */
struct nest {
	struct buf_writer *w;
	size_t prev_at; /* generic header of the previous nested payload */
	size_t attr_next_at;
	bool first;
};

static size_t nest_begin(struct nest *n, uint8_t type)
{
	if (n->first)
		buf_patch_u16(n->w, n->attr_next_at, type);
	else
		wire_gen_set_next(n->w, n->prev_at, type);
	n->first = false;
	n->prev_at = wire_gen_begin(n->w);
	return n->prev_at;
}

void wire_gdoi_sa_encode(struct buf_writer *w, const struct wire_gdoi_sa *sa,
			 enum wire_dialect d)
{
	struct nest n = {.w = w, .first = true};
	size_t at;
	buf_put_u32(w, sa->doi);
	buf_put_u32(w, sa->situation);
	n.attr_next_at = w->len;
	buf_put_u16(w, WIRE_PL_NONE);
	buf_put_u16(w, 0); /* RESERVED2 */
	if (sa->has_kek) {
		at = nest_begin(&n, WIRE_PL_SAK);
		wire_sa_kek_encode(w, &sa->kek, d);
		wire_gen_end(w, at);
	}
	if (sa->has_gap) {
		at = nest_begin(&n, WIRE_PL_GAP);
		wire_gap_encode(w, &sa->gap);
		wire_gen_end(w, at);
	}
	for (size_t i = 0; i < sa->n_teks; i++) {
		at = nest_begin(&n, WIRE_PL_SAT);
		wire_sa_tek_encode(w, &sa->teks[i], d);
		wire_gen_end(w, at);
	}
}

bool wire_sa_kek_equal(const struct wire_sa_kek *a, const struct wire_sa_kek *b)
{
	return a->proto == b->proto && id_equal(&a->src, &b->src) && id_equal(&a->dst, &b->dst) &&
	       memcmp(a->spi, b->spi, WIRE_KEK_SPI_LEN) == 0 &&
	       wire_attrs_equal(&a->attrs, &b->attrs);
}

bool wire_sa_tek_equal(const struct wire_sa_tek *a, const struct wire_sa_tek *b)
{
	if (a->proto_id != b->proto_id)
		return false;
	if (a->proto_id != WIRE_GDOI_PROTO_IPSEC_ESP)
		return a->other_len == b->other_len &&
		       (a->other_len == 0 || memcmp(a->other, b->other, a->other_len) == 0);
	return a->ip_proto == b->ip_proto && id_equal(&a->src, &b->src) &&
	       id_equal(&a->dst, &b->dst) && a->transform_id == b->transform_id &&
	       a->spi == b->spi && wire_attrs_equal(&a->attrs, &b->attrs);
}

bool wire_gap_equal(const struct wire_gap *a, const struct wire_gap *b)
{
	return wire_attrs_equal(&a->attrs, &b->attrs);
}

bool wire_gdoi_sa_equal(const struct wire_gdoi_sa *a, const struct wire_gdoi_sa *b)
{
	if (a->doi != b->doi || a->situation != b->situation || a->has_kek != b->has_kek ||
	    a->has_gap != b->has_gap || a->n_teks != b->n_teks)
		return false;
	if (a->has_kek && !wire_sa_kek_equal(&a->kek, &b->kek))
		return false;
	if (a->has_gap && !wire_gap_equal(&a->gap, &b->gap))
		return false;
	for (size_t i = 0; i < a->n_teks; i++)
		if (!wire_sa_tek_equal(&a->teks[i], &b->teks[i]))
			return false;
	return true;
}

int wire_seq_decode(const struct wire_payload *pl, uint32_t *seq, struct wire_err *err)
{
	if (pl->len != 4)
		return wire_err_set(err, WIRE_ERR_BAD_SIZE, WIRE_N_PAYLOAD_MALFORMED, "SEQ",
				    "Sequence Number", pl->off + WIRE_GEN_HDR_LEN, pl->len, 4);
	*seq = buf_load_u32(pl->body);
	return 0;
}

void wire_seq_encode(struct buf_writer *w, uint32_t seq)
{
	buf_put_u32(w, seq);
}
