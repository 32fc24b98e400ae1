#include "wire/p1sa.h"

#include <string.h>

#include "util/err.h"
#include "wire/names.h"

static const char PROP[] = "Proposal";
static const char XFORM[] = "Transform";

/* Inside an SA only Proposal, inside a Proposal only Transform payloads follow. */
static int check_next(const struct wire_payload *pl, uint8_t allowed, const char *what,
		      struct wire_err *err)
{
	if (pl->next == allowed || pl->next == WIRE_PL_NONE)
		return 0;
	return wire_err_value(err, WIRE_N_BAD_PROPOSAL_SYNTAX, wire_pl_name(pl->type),
			      "Next Payload", pl->off, pl->next, what);
}

static int xform_decode(struct buf_cursor *c, uint8_t *next, struct wire_p1sa *sa,
			struct wire_err *err)
{
	struct wire_payload pl;
	struct buf_cursor b;
	int rc = wire_gen_get(c, WIRE_PL_T, &pl, &b, err);
	if (rc < 0)
		return rc;
	if ((rc = check_next(&pl, WIRE_PL_T, "3 (Transform) or 0", err)) < 0)
		return rc;
	if (sa->n_xforms == WIRE_P1_MAX_XFORMS)
		return wire_err_set(err, WIRE_ERR_LIMIT, WIRE_N_PAYLOAD_MALFORMED, XFORM,
				    "transform count", pl.off, sa->n_xforms + 1u,
				    WIRE_P1_MAX_XFORMS);
	if (pl.len < 4)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, XFORM,
				    "Payload Length", pl.off + 2, pl.len + WIRE_GEN_HDR_LEN, 8);
	struct wire_p1_xform *x = &sa->xforms[sa->n_xforms];
	x->off = pl.off;
	(void)buf_get_u8(&b, &x->num);
	(void)buf_get_u8(&b, &x->id);
	(void)buf_skip(&b, 2); /* RESERVED2 */
	if ((rc = wire_attrs_decode(&b, XFORM, &x->attrs, err)) < 0)
		return rc;
	sa->n_xforms++;
	*next = pl.next;
	return 0;
}

/* The transforms of one proposal: chained, count as declared, nothing after them. */
static int xforms_decode(struct buf_cursor *b, struct wire_p1_prop *p, size_t count_at,
			 struct wire_p1sa *sa, struct wire_err *err)
{
	uint8_t next = WIRE_PL_T;
	unsigned found = 0;
	p->first = sa->n_xforms;
	while (next != WIRE_PL_NONE) {
		int rc = xform_decode(b, &next, sa, err);
		if (rc < 0)
			return rc;
		found++;
	}
	if (!buf_empty(b))
		return wire_err_set(err, WIRE_ERR_TRAILING, WIRE_N_BAD_PROPOSAL_SYNTAX, PROP,
				    "transforms", buf_offset(b), buf_left(b), 0);
	if (found != p->n_xforms)
		return wire_err_set(err, WIRE_ERR_MISMATCH, WIRE_N_BAD_PROPOSAL_SYNTAX, PROP,
				    "# Transforms", count_at, found, p->n_xforms);
	return 0;
}

static int prop_decode(struct buf_cursor *c, uint8_t *next, struct wire_p1sa *sa,
		       struct wire_err *err)
{
	struct wire_payload pl;
	struct buf_cursor b;
	int rc = wire_gen_get(c, WIRE_PL_P, &pl, &b, err);
	if (rc < 0)
		return rc;
	if ((rc = check_next(&pl, WIRE_PL_P, "2 (Proposal) or 0", err)) < 0)
		return rc;
	if (sa->n_props == WIRE_P1_MAX_PROPS)
		return wire_err_set(err, WIRE_ERR_LIMIT, WIRE_N_PAYLOAD_MALFORMED, PROP,
				    "proposal count", pl.off, sa->n_props + 1u, WIRE_P1_MAX_PROPS);
	if (pl.len < 4)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, PROP,
				    "Payload Length", pl.off + 2, pl.len + WIRE_GEN_HDR_LEN, 8);
	struct wire_p1_prop *p = &sa->props[sa->n_props];
	p->off = pl.off;
	(void)buf_get_u8(&b, &p->num);
	(void)buf_get_u8(&b, &p->proto);
	size_t spi_at = buf_offset(&b);
	(void)buf_get_u8(&b, &p->spi_size);
	size_t count_at = buf_offset(&b);
	(void)buf_get_u8(&b, &p->n_xforms);
	if (buf_get_ref(&b, p->spi_size, &p->spi) < 0)
		return wire_err_set(err, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, PROP,
				    "SPI Size", spi_at, p->spi_size, buf_left(&b));
	if (p->n_xforms == 0)
		return wire_err_value(err, WIRE_N_BAD_PROPOSAL_SYNTAX, PROP, "# Transforms",
				      count_at, 0, "at least 1");
	if ((rc = xforms_decode(&b, p, count_at, sa, err)) < 0)
		return rc;
	sa->n_props++;
	*next = pl.next;
	return 0;
}

static int check_doi_situation(const struct wire_p1sa *sa, size_t off, struct wire_err *err)
{
	if (sa->doi != WIRE_DOI_IPSEC && sa->doi != WIRE_DOI_GDOI)
		return wire_err_value(err, WIRE_N_DOI_NOT_SUPPORTED, "SA",
				      "Domain of Interpretation", off, sa->doi, "1 (IPsec) or 2 (GDOI)");
	if (sa->situation & ~(uint32_t)WIRE_SIT_IDENTITY_ONLY)
		return wire_err_value(err, WIRE_N_SITUATION_NOT_SUPPORTED, "SA", "Situation",
				      off + 4, sa->situation, "0 or 1 (SIT_IDENTITY_ONLY)");
	return 0;
}

int wire_p1sa_decode(const struct wire_payload *pl, struct wire_p1sa *sa, struct wire_err *err)
{
	struct buf_cursor c;
	wire_payload_cursor(pl, &c);
	sa->n_props = 0;
	sa->n_xforms = 0;
	if (pl->len < 8)
		return wire_err_set(err, WIRE_ERR_TOO_SHORT, WIRE_N_PAYLOAD_MALFORMED, "SA",
				    "Payload Length", pl->off + 2, pl->len + WIRE_GEN_HDR_LEN, 12);
	size_t doi_at = buf_offset(&c);
	(void)buf_get_u32(&c, &sa->doi);
	(void)buf_get_u32(&c, &sa->situation);
	int rc = check_doi_situation(sa, doi_at, err);
	if (rc < 0)
		return rc;
	uint8_t next = WIRE_PL_P; /* the SA body starts with a proposal */
	while (next != WIRE_PL_NONE)
		if ((rc = prop_decode(&c, &next, sa, err)) < 0)
			return rc;
	if (!buf_empty(&c))
		return wire_err_set(err, WIRE_ERR_TRAILING, WIRE_N_PAYLOAD_MALFORMED, "SA",
				    "proposals", buf_offset(&c), buf_left(&c), 0);
	return 0;
}

static void xform_encode(struct buf_writer *w, const struct wire_p1_xform *x, bool last)
{
	size_t at = wire_gen_begin(w);
	wire_gen_set_next(w, at, last ? WIRE_PL_NONE : WIRE_PL_T);
	buf_put_u8(w, x->num);
	buf_put_u8(w, x->id);
	buf_put_u16(w, 0);
	wire_attrs_put(w, &x->attrs);
	wire_gen_end(w, at);
}

void wire_p1sa_encode(struct buf_writer *w, const struct wire_p1sa *sa)
{
	buf_put_u32(w, sa->doi);
	buf_put_u32(w, sa->situation);
	for (unsigned i = 0; i < sa->n_props; i++) {
		const struct wire_p1_prop *p = &sa->props[i];
		size_t at = wire_gen_begin(w);
		wire_gen_set_next(w, at, i + 1u < sa->n_props ? WIRE_PL_P : WIRE_PL_NONE);
		buf_put_u8(w, p->num);
		buf_put_u8(w, p->proto);
		buf_put_u8(w, p->spi_size);
		buf_put_u8(w, p->n_xforms);
		buf_put_bytes(w, p->spi, p->spi_size);
		for (unsigned j = 0; j < p->n_xforms; j++)
			xform_encode(w, &sa->xforms[p->first + j], j + 1u == p->n_xforms);
		wire_gen_end(w, at);
	}
}

static bool prop_equal(const struct wire_p1_prop *a, const struct wire_p1_prop *b)
{
	return a->num == b->num && a->proto == b->proto && a->spi_size == b->spi_size &&
	       a->n_xforms == b->n_xforms && a->first == b->first &&
	       (a->spi_size == 0 || memcmp(a->spi, b->spi, a->spi_size) == 0);
}

bool wire_p1sa_equal(const struct wire_p1sa *a, const struct wire_p1sa *b)
{
	if (a->doi != b->doi || a->situation != b->situation || a->n_props != b->n_props ||
	    a->n_xforms != b->n_xforms)
		return false;
	for (unsigned i = 0; i < a->n_props; i++)
		if (!prop_equal(&a->props[i], &b->props[i]))
			return false;
	for (unsigned i = 0; i < a->n_xforms; i++) {
		const struct wire_p1_xform *x = &a->xforms[i], *y = &b->xforms[i];
		if (x->num != y->num || x->id != y->id || !wire_attrs_equal(&x->attrs, &y->attrs))
			return false;
	}
	return true;
}
