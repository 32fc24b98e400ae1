#include "wire/body.h"

#include "wire/names.h"

bool wire_exch_has_gdoi_sa(unsigned exch)
{
	return exch == WIRE_EXCH_GROUPKEY_PULL || exch == WIRE_EXCH_GROUPKEY_PUSH;
}

typedef int (*data_fn)(const struct wire_payload *pl, struct wire_data *out,
		       struct wire_err *err);

static data_fn data_decoder(uint8_t type)
{
	switch (type) {
	case WIRE_PL_KE:
		return wire_ke_decode;
	case WIRE_PL_HASH:
		return wire_hash_decode;
	case WIRE_PL_SIG:
		return wire_sig_decode;
	case WIRE_PL_NONCE:
		return wire_nonce_decode;
	case WIRE_PL_VID:
		return wire_vid_decode;
	default:
		return NULL;
	}
}

static enum wire_body_kind kind_of(uint8_t type, unsigned exch)
{
	if (data_decoder(type))
		return WIRE_BODY_DATA;
	switch (type) {
	case WIRE_PL_SA:
		return wire_exch_has_gdoi_sa(exch) ? WIRE_BODY_GDOI_SA : WIRE_BODY_P1SA;
	case WIRE_PL_ID:
		return WIRE_BODY_ID;
	case WIRE_PL_CERT:
	case WIRE_PL_CR:
		return WIRE_BODY_CERT;
	case WIRE_PL_N:
		return WIRE_BODY_NOTIFY;
	case WIRE_PL_D:
		return WIRE_BODY_DELETE;
	case WIRE_PL_SAK:
		return WIRE_BODY_SAK;
	case WIRE_PL_SAT:
		return WIRE_BODY_SAT;
	case WIRE_PL_GAP:
		return WIRE_BODY_GAP;
	case WIRE_PL_KD:
		return WIRE_BODY_KD;
	case WIRE_PL_SEQ:
		return WIRE_BODY_SEQ;
	default:
		return WIRE_BODY_NONE;
	}
}

int wire_body_decode(const struct wire_payload *pl, unsigned exch, enum wire_dialect d,
		     struct wire_body *out, struct wire_err *err)
{
	out->type = pl->type;
	out->kind = kind_of(pl->type, exch);
	switch (out->kind) {
	case WIRE_BODY_P1SA:
		return wire_p1sa_decode(pl, &out->u.p1sa, err);
	case WIRE_BODY_GDOI_SA:
		return wire_gdoi_sa_decode(pl, d, &out->u.gdoi_sa, err);
	case WIRE_BODY_DATA:
		return data_decoder(pl->type)(pl, &out->u.data, err);
	case WIRE_BODY_ID:
		return wire_id_decode(pl, &out->u.id, err);
	case WIRE_BODY_CERT:
		return pl->type == WIRE_PL_CERT ? wire_cert_decode(pl, &out->u.cert, err)
						: wire_cr_decode(pl, &out->u.cert, err);
	case WIRE_BODY_NOTIFY:
		return wire_notify_decode(pl, &out->u.notify, err);
	case WIRE_BODY_DELETE:
		return wire_delete_decode(pl, &out->u.del, err);
	case WIRE_BODY_SAK:
		return wire_sa_kek_decode(pl, d, &out->u.kek, err);
	case WIRE_BODY_SAT:
		return wire_sa_tek_decode(pl, d, &out->u.tek, err);
	case WIRE_BODY_GAP:
		return wire_gap_decode(pl, &out->u.gap, err);
	case WIRE_BODY_KD:
		return wire_kd_decode(pl, &out->u.kd, err);
	case WIRE_BODY_SEQ:
		return wire_seq_decode(pl, &out->u.seq, err);
	case WIRE_BODY_NONE:
	default:
		return 0;
	}
}

void wire_body_encode(struct buf_writer *w, const struct wire_body *b, enum wire_dialect d)
{
	switch (b->kind) {
	case WIRE_BODY_P1SA:
		wire_p1sa_encode(w, &b->u.p1sa);
		break;
	case WIRE_BODY_GDOI_SA:
		wire_gdoi_sa_encode(w, &b->u.gdoi_sa, d);
		break;
	case WIRE_BODY_DATA:
		wire_data_encode(w, &b->u.data);
		break;
	case WIRE_BODY_ID:
		wire_id_encode(w, &b->u.id);
		break;
	case WIRE_BODY_CERT:
		wire_cert_encode(w, &b->u.cert);
		break;
	case WIRE_BODY_NOTIFY:
		wire_notify_encode(w, &b->u.notify);
		break;
	case WIRE_BODY_DELETE:
		wire_delete_encode(w, &b->u.del);
		break;
	case WIRE_BODY_SAK:
		wire_sa_kek_encode(w, &b->u.kek, d);
		break;
	case WIRE_BODY_SAT:
		wire_sa_tek_encode(w, &b->u.tek, d);
		break;
	case WIRE_BODY_GAP:
		wire_gap_encode(w, &b->u.gap);
		break;
	case WIRE_BODY_KD:
		wire_kd_encode(w, &b->u.kd);
		break;
	case WIRE_BODY_SEQ:
		wire_seq_encode(w, b->u.seq);
		break;
	case WIRE_BODY_NONE:
	default:
		break;
	}
}

bool wire_body_equal(const struct wire_body *a, const struct wire_body *b)
{
	if (a->type != b->type || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case WIRE_BODY_P1SA:
		return wire_p1sa_equal(&a->u.p1sa, &b->u.p1sa);
	case WIRE_BODY_GDOI_SA:
		return wire_gdoi_sa_equal(&a->u.gdoi_sa, &b->u.gdoi_sa);
	case WIRE_BODY_DATA:
		return wire_data_equal(&a->u.data, &b->u.data);
	case WIRE_BODY_ID:
		return wire_id_equal(&a->u.id, &b->u.id);
	case WIRE_BODY_CERT:
		return wire_cert_equal(&a->u.cert, &b->u.cert);
	case WIRE_BODY_NOTIFY:
		return wire_notify_equal(&a->u.notify, &b->u.notify);
	case WIRE_BODY_DELETE:
		return wire_delete_equal(&a->u.del, &b->u.del);
	case WIRE_BODY_SAK:
		return wire_sa_kek_equal(&a->u.kek, &b->u.kek);
	case WIRE_BODY_SAT:
		return wire_sa_tek_equal(&a->u.tek, &b->u.tek);
	case WIRE_BODY_GAP:
		return wire_gap_equal(&a->u.gap, &b->u.gap);
	case WIRE_BODY_KD:
		return wire_kd_equal(&a->u.kd, &b->u.kd);
	case WIRE_BODY_SEQ:
		return a->u.seq == b->u.seq;
	case WIRE_BODY_NONE:
	default:
		return true;
	}
}
