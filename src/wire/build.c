#include "wire/build.h"

#include "wire/names.h"

/* One payload: link it into the chain, write its body with `call`, fill its length. */
#define PAYLOAD(b, type, call)                                                                     \
	do {                                                                                       \
		size_t at_ = wire_build_begin(b, type);                                            \
		call;                                                                              \
		wire_build_end(b, at_);                                                            \
	} while (0)

void wire_build_init(struct wire_builder *b, void *buf, size_t cap,
		     const struct wire_isakmp_hdr *hdr)
{
	struct wire_isakmp_hdr h = *hdr;
	h.next = WIRE_PL_NONE;
	h.len = 0;
	buf_w_init(&b->w, buf, cap);
	uint8_t *p = buf_put_space(&b->w, WIRE_ISAKMP_HDR_LEN);
	if (p)
		wire_isakmp_hdr_encode(&h, p);
	b->next_at = WIRE_HDR_OFF_NEXT;
}

size_t wire_build_begin(struct wire_builder *b, uint8_t type)
{
	wire_gen_set_next(&b->w, b->next_at, type);
	b->next_at = wire_gen_begin(&b->w);
	return b->next_at;
}

void wire_build_end(struct wire_builder *b, size_t at)
{
	wire_gen_end(&b->w, at);
}

int wire_build_finish(struct wire_builder *b)
{
	buf_patch_u32(&b->w, WIRE_HDR_OFF_LENGTH, (uint32_t)b->w.len);
	return buf_w_result(&b->w);
}

void wire_build_raw(struct wire_builder *b, uint8_t type, const void *body, size_t len)
{
	size_t at = wire_build_begin(b, type);
	buf_put_bytes(&b->w, body, len);
	wire_build_end(b, at);
}

void wire_build_p1sa(struct wire_builder *b, const struct wire_p1sa *sa)
{
	PAYLOAD(b, WIRE_PL_SA, wire_p1sa_encode(&b->w, sa));
}

void wire_build_ke(struct wire_builder *b, const struct wire_data *ke)
{
	wire_build_raw(b, WIRE_PL_KE, ke->p, ke->len);
}

void wire_build_id(struct wire_builder *b, const struct wire_id *id)
{
	PAYLOAD(b, WIRE_PL_ID, wire_id_encode(&b->w, id));
}

void wire_build_cert(struct wire_builder *b, const struct wire_cert *cert)
{
	PAYLOAD(b, WIRE_PL_CERT, wire_cert_encode(&b->w, cert));
}

void wire_build_cr(struct wire_builder *b, const struct wire_cert *cr)
{
	PAYLOAD(b, WIRE_PL_CR, wire_cert_encode(&b->w, cr));
}

void wire_build_hash(struct wire_builder *b, const struct wire_data *hash)
{
	wire_build_raw(b, WIRE_PL_HASH, hash->p, hash->len);
}

void wire_build_sig(struct wire_builder *b, const struct wire_data *sig)
{
	wire_build_raw(b, WIRE_PL_SIG, sig->p, sig->len);
}

void wire_build_nonce(struct wire_builder *b, const struct wire_data *nonce)
{
	wire_build_raw(b, WIRE_PL_NONCE, nonce->p, nonce->len);
}

void wire_build_notify(struct wire_builder *b, const struct wire_notify *n)
{
	PAYLOAD(b, WIRE_PL_N, wire_notify_encode(&b->w, n));
}

void wire_build_delete(struct wire_builder *b, const struct wire_delete *d)
{
	PAYLOAD(b, WIRE_PL_D, wire_delete_encode(&b->w, d));
}

void wire_build_vid(struct wire_builder *b, const struct wire_data *vid)
{
	wire_build_raw(b, WIRE_PL_VID, vid->p, vid->len);
}

void wire_build_gdoi_sa(struct wire_builder *b, const struct wire_gdoi_sa *sa,
			enum wire_dialect d)
{
	PAYLOAD(b, WIRE_PL_SA, wire_gdoi_sa_encode(&b->w, sa, d));
}

void wire_build_gap(struct wire_builder *b, const struct wire_gap *gap)
{
	PAYLOAD(b, WIRE_PL_GAP, wire_gap_encode(&b->w, gap));
}

void wire_build_kd(struct wire_builder *b, const struct wire_kd *kd)
{
	PAYLOAD(b, WIRE_PL_KD, wire_kd_encode(&b->w, kd));
}

void wire_build_seq(struct wire_builder *b, uint32_t seq)
{
	PAYLOAD(b, WIRE_PL_SEQ, wire_seq_encode(&b->w, seq));
}
