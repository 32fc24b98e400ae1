/*
 * Checks shared by the wire/ fuzz targets (header only: each target is one
 * source file). Beyond "no crash, no sanitizer report", every input that
 * decodes must re-encode and decode again to an equal struct, and every
 * attribute span the decoder validated must iterate completely. A broken
 * property aborts, which libFuzzer reports as a crash.
 */
#ifndef GVPN_FUZZ_WIRE_H
#define GVPN_FUZZ_WIRE_H

#include <stdint.h>
#include <stdlib.h>

#include "wire/attr.h"
#include "wire/body.h"
#include "wire/err.h"

static inline void fz_require(int ok)
{
	if (!ok)
		abort();
}

/* A validated span iterates to its count; integer reads never fault. */
static inline void fz_attrs(const struct wire_attrs *a)
{
	struct wire_attr_iter it;
	struct wire_attr at;
	uint64_t v;
	unsigned n = 0;
	wire_attr_iter_init(&it, a);
	while (wire_attr_iter_next(&it, &at)) {
		(void)wire_attr_uint(&at, &v);
		n++;
	}
	fz_require(n == a->count);
}

static inline void fz_body_attrs(const struct wire_body *b)
{
	switch (b->kind) {
	case WIRE_BODY_P1SA:
		for (unsigned i = 0; i < b->u.p1sa.n_xforms; i++)
			fz_attrs(&b->u.p1sa.xforms[i].attrs);
		break;
	case WIRE_BODY_GDOI_SA:
		if (b->u.gdoi_sa.has_kek)
			fz_attrs(&b->u.gdoi_sa.kek.attrs);
		if (b->u.gdoi_sa.has_gap)
			fz_attrs(&b->u.gdoi_sa.gap.attrs);
		for (size_t i = 0; i < b->u.gdoi_sa.n_teks; i++)
			fz_attrs(&b->u.gdoi_sa.teks[i].attrs);
		break;
	case WIRE_BODY_SAK:
		fz_attrs(&b->u.kek.attrs);
		break;
	case WIRE_BODY_SAT:
		fz_attrs(&b->u.tek.attrs);
		break;
	case WIRE_BODY_GAP:
		fz_attrs(&b->u.gap.attrs);
		break;
	case WIRE_BODY_KD:
		for (size_t i = 0; i < b->u.kd.n_packets; i++)
			fz_attrs(&b->u.kd.pk[i].attrs);
		break;
	default:
		break;
	}
}

/* The layout a decoded body was read with (what it must be written with again). */
static inline enum wire_dialect fz_dialect(const struct wire_body *b, enum wire_dialect d)
{
	if (b->kind == WIRE_BODY_GDOI_SA)
		return b->u.gdoi_sa.dialect;
	if (b->kind == WIRE_BODY_SAK)
		return b->u.kek.dialect;
	if (b->kind == WIRE_BODY_SAT)
		return b->u.tek.dialect;
	return d;
}

/* decode(encode(b)) == b, in the layout b was decoded with. */
static inline void fz_round_trip(const struct wire_body *b, unsigned exch, enum wire_dialect d)
{
	static uint8_t out[1 << 17];
	static struct wire_body again;
	struct buf_writer w;
	d = fz_dialect(b, d);
	buf_w_init(&w, out, sizeof(out));
	wire_body_encode(&w, b, d);
	fz_require(buf_w_result(&w) >= 0);
	struct wire_payload pl = {.type = b->type, .body = out, .len = w.len};
	fz_require(wire_body_decode(&pl, exch, d, &again, NULL) == 0);
	fz_require(wire_body_equal(b, &again));
}

/* Decode one payload in every layout; check what decodes; format what does not. */
static inline void fz_payload(const struct wire_payload *pl, unsigned exch)
{
	static struct wire_body b;
	static const enum wire_dialect ds[] = {WIRE_DIALECT_AUTO, WIRE_DIALECT_RFC6407,
					       WIRE_DIALECT_GDOID};
	for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
		struct wire_err e;
		char text[256];
		wire_err_clear(&e);
		if (wire_body_decode(pl, exch, ds[i], &b, &e) < 0) {
			fz_require(e.code < 0 && e.payload && e.field);
			(void)wire_err_format(&e, text, sizeof(text));
			continue;
		}
		fz_body_attrs(&b);
		fz_round_trip(&b, exch, ds[i]);
	}
}

#endif
