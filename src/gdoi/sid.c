/* Sender IDs for counter-mode TEKs: the GAP request and the KD SID key packet (sid.h). */
#include "gdoi/sid.h"

#include <stdio.h>
#include <string.h>

#include "gdoi/log_priv.h"
#include "gdoi/policy_priv.h"
#include "util/buf.h"
#include "util/err.h"
#include "wire/attr.h"
#include "wire/names.h"

bool gdoi_sid_counter_mode(const struct gdoi_transform *x)
{
	return x->enc == GDOI_ENC_AES_GCM;
}

bool gdoi_sid_policy_needs(const struct gdoi_policy *p)
{
	for (size_t i = 0; i < p->n_teks; i++)
		if (gdoi_sid_counter_mode(&p->tek[i].xf))
			return true;
	return false;
}

uint32_t gdoi_sid_max(uint8_t bits)
{
	if (bits == 0)
		return 0;
	return bits >= 32 ? UINT32_MAX : (UINT32_C(1) << bits) - 1u;
}

void gdoi_sid_request_encode(uint16_t n, uint8_t buf[static GDOI_SID_REQ_LEN], struct wire_gap *out)
{
	struct buf_writer w;
	buf_w_init(&w, buf, GDOI_SID_REQ_LEN);
	wire_attr_put_tv(&w, WIRE_GAPA_SENDER_ID_REQUEST, n);
	memset(out, 0, sizeof(*out));
	/* Our own four octets: they always validate. */
	(void)wire_attrs_from(&out->attrs, buf, w.len, NULL);
}

int gdoi_sid_request_decode(const struct wire_gap *g, uint16_t *n)
{
	struct wire_attr a;
	uint64_t v;
	*n = 0;
	if (!wire_attrs_find(&g->attrs, WIRE_GAPA_SENDER_ID_REQUEST, &a))
		return 0;
	if (wire_attr_uint(&a, &v) < 0)
		return ERR_INVAL;
	*n = v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
	return 0;
}

int gdoi_sid_kd_encode(const struct gdoi_sids *s, struct gdoi_arena *a, struct wire_kd *kd)
{
	if (kd->n_packets == WIRE_KD_MAX_PACKETS)
		return ERR_LIMIT;
	struct buf_writer w;
	gdoi_arena_writer(a, &w);
	wire_attr_put_tv(&w, WIRE_KDA_SID_NUMBER_OF_BITS, s->bits);
	for (size_t i = 0; i < s->n && i < GDOI_SIDS_MAX; i++)
		wire_attr_put_u32(&w, WIRE_KDA_SID_VALUE, s->v[i]);
	struct wire_kd_packet *pk = &kd->pk[kd->n_packets];
	*pk = (struct wire_kd_packet){.type = WIRE_KD_SID, .spi_size = 0};
	int rc = gdoi_arena_attrs(a, &w, &pk->attrs);
	if (rc == 0)
		kd->n_packets++;
	return rc;
}

/* NUMBER_OF_SID_BITS of the packet into out->bits. */
static int sid_bits(const struct wire_kd_packet *pk, struct gdoi_sids *out, char *why, size_t cap)
{
	struct wire_attr_iter it;
	struct wire_attr a;
	bool seen = false;
	wire_attr_iter_init(&it, &pk->attrs);
	while (wire_attr_iter_next(&it, &a)) {
		if (a.type != WIRE_KDA_SID_NUMBER_OF_BITS)
			continue;
		if (seen || !a.tv)
			return gdoi_errf(why, cap, ERR_INVAL,
					 "SID key packet: NUMBER_OF_SID_BITS %s",
					 seen ? "repeated" : "not basic");
		seen = true;
		if (a.value < 1 || a.value > GDOI_SID_BITS_MAX)
			return gdoi_errf(why, cap, ERR_INVAL,
					 "SID key packet: NUMBER_OF_SID_BITS %u not in 1-%u",
					 (unsigned)a.value, GDOI_SID_BITS_MAX);
		out->bits = (uint8_t)a.value;
	}
	if (!seen)
		return gdoi_errf(why, cap, ERR_INVAL, "SID key packet without NUMBER_OF_SID_BITS");
	return 0;
}

/* Every SID_VALUE of the packet into out->v (bits already known). */
static int sid_values(const struct wire_kd_packet *pk, struct gdoi_sids *out, char *why, size_t cap)
{
	struct wire_attr_iter it;
	struct wire_attr a;
	wire_attr_iter_init(&it, &pk->attrs);
	while (wire_attr_iter_next(&it, &a)) {
		if (a.type != WIRE_KDA_SID_VALUE)
			continue;
		/* RFC 6407 fixes no length; the reference implementation (gdoid)
		 * reads 2 or 4 octets, so a member takes either. */
		if (a.tv || (a.len != 2 && a.len != GDOI_SID_VALUE_LEN))
			return gdoi_errf(why, cap, ERR_INVAL,
					 "SID key packet: SID_VALUE of %u octets, not 2 or %u",
					 (unsigned)a.len, GDOI_SID_VALUE_LEN);
		uint32_t v = a.len == 2 ? buf_load_u16(a.val) : buf_load_u32(a.val);
		if (v > gdoi_sid_max(out->bits))
			return gdoi_errf(why, cap, ERR_INVAL,
					 "SID key packet: SID %u does not fit in %u bits",
					 (unsigned)v, (unsigned)out->bits);
		if (out->n == GDOI_SIDS_MAX)
			return gdoi_errf(why, cap, ERR_INVAL, "SID key packet: more than %u SIDs",
					 GDOI_SIDS_MAX);
		out->v[out->n++] = v;
	}
	if (!out->n)
		return gdoi_errf(why, cap, ERR_INVAL, "SID key packet without SID_VALUE");
	return 0;
}

int gdoi_sid_kd_decode(const struct wire_kd *kd, struct gdoi_sids *out, char *why, size_t cap)
{
	const struct wire_kd_packet *pk = NULL;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < kd->n_packets; i++) {
		if (kd->pk[i].type != WIRE_KD_SID)
			continue;
		if (pk)
			return gdoi_errf(why, cap, ERR_INVAL, "more than one SID key packet");
		pk = &kd->pk[i];
	}
	if (!pk)
		return 0;
	int rc = sid_bits(pk, out, why, cap);
	if (rc == 0)
		rc = sid_values(pk, out, why, cap);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int gdoi_sid_format(const struct gdoi_sids *s, char *out, size_t cap)
{
	if (!s->n)
		return snprintf(out, cap, "none");
	size_t len = 0;
	out[0] = 0;
	for (size_t i = 0; i < s->n && len < cap; i++) {
		int n = snprintf(out + len, cap - len, "%s%u", i ? ", " : "", (unsigned)s->v[i]);
		len += n > 0 ? (size_t)n : 0;
	}
	return (int)len;
}
