/*
 * KS side of policy_wire.h: the policy as GDOI SA and KD payload structs for
 * one member. Everything variable is written into the caller's arena.
 */
#include <string.h>

#include "gdoi/caps.h"
#include "gdoi/policy_priv.h"
#include "gdoi/policy_wire.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/attr.h"
#include "wire/names.h"

/* ---- number mappings (policy_priv.h) ---- */

uint8_t gdoi_map_esp_id(uint8_t enc)
{
	switch (enc) {
	case GDOI_ENC_NULL:
		return WIRE_ESP_NULL;
	case GDOI_ENC_3DES:
		return WIRE_ESP_3DES;
	case GDOI_ENC_AES_CBC:
		return WIRE_ESP_AES_CBC;
	case GDOI_ENC_AES_GCM:
		return WIRE_ESP_AES_GCM_16;
	default:
		return 0;
	}
}

uint16_t gdoi_map_auth_attr(uint8_t auth)
{
	switch (auth) {
	case GDOI_AUTH_SHA1:
		return WIRE_AUTH_HMAC_SHA1;
	case GDOI_AUTH_SHA256:
		return WIRE_AUTH_HMAC_SHA2_256;
	case GDOI_AUTH_SHA384:
		return WIRE_AUTH_HMAC_SHA2_384;
	default:
		return 0;
	}
}

uint16_t gdoi_map_kek_alg(enum crypto_cbc_alg alg)
{
	return alg == CRYPTO_CBC_3DES ? WIRE_KEK_ALG_3DES : WIRE_KEK_ALG_AES;
}

uint16_t gdoi_map_kek_bits(enum crypto_cbc_alg alg)
{
	return (uint16_t)(crypto_cbc_key_len(alg) * 8u);
}

static const struct {
	uint16_t wire;
	enum crypto_hash_alg h;
} sig_hashes[] = {
    {WIRE_SIG_HASH_SHA1, CRYPTO_HASH_SHA1},
    {WIRE_SIG_HASH_SHA256, CRYPTO_HASH_SHA256},
    {WIRE_SIG_HASH_SHA384, CRYPTO_HASH_SHA384},
    {WIRE_SIG_HASH_SHA512, CRYPTO_HASH_SHA512},
};

uint16_t gdoi_map_sig_hash(enum crypto_hash_alg h)
{
	for (size_t i = 0; i < ARRAY_SIZE(sig_hashes); i++)
		if (sig_hashes[i].h == h)
			return sig_hashes[i].wire;
	return 0;
}

bool gdoi_map_sig_hash_from(uint64_t v, enum crypto_hash_alg *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(sig_hashes); i++)
		if (sig_hashes[i].wire == v) {
			*out = sig_hashes[i].h;
			return true;
		}
	return false;
}

/* ---- arena ---- */

void gdoi_arena_wipe(struct gdoi_arena *a)
{
	mem_wipe(a->buf, a->used);
	a->used = 0;
}

/* A writer over the free part of the arena; commit what it wrote with gdoi_arena_take. */
void gdoi_arena_writer(struct gdoi_arena *a, struct buf_writer *w)
{
	buf_w_init(w, a->buf + a->used, sizeof(a->buf) - a->used);
}

/* Claim the bytes w wrote; returns where they start, NULL when the arena overflowed. */
const uint8_t *gdoi_arena_take(struct gdoi_arena *a, const struct buf_writer *w)
{
	if (buf_w_result(w) < 0)
		return NULL;
	const uint8_t *p = a->buf + a->used;
	a->used += w->len;
	return p;
}

/* Wrap the attributes just written as a span. */
int gdoi_arena_attrs(struct gdoi_arena *a, const struct buf_writer *w, struct wire_attrs *out)
{
	const uint8_t *p = gdoi_arena_take(a, w);
	if (!p)
		return ERR_NOSPACE;
	return wire_attrs_from(out, p, w->len, NULL);
}

/* ---- SA TEK ---- */

/* Can an ID port say it? Port 0 means "any" there, so `eq 0` cannot. */
static bool plain_port(const struct gdoi_ports *p)
{
	return p->op == GDOI_PORT_ANY || (p->op == GDOI_PORT_EQ && p->a != 0);
}

bool gdoi_acl_line_sendable(const struct gdoi_acl_entry *e, uint32_t caps)
{
	if (caps & GDOI_CAP_ACL_EXT)
		return true;
	return e->action == GDOI_ACL_PERMIT && plain_port(&e->sport) && plain_port(&e->dport);
}

/* An ID for an address and wildcard (contiguous, checked by the KS config). */
static int put_id(struct gdoi_arena *a, uint32_t addr, uint32_t wild, uint16_t port,
		  struct wire_gdoi_id *id)
{
	struct buf_writer w;
	gdoi_arena_writer(a, &w);
	buf_put_u32(&w, addr & ~wild);
	if (wild)
		buf_put_u32(&w, ~wild);
	const uint8_t *p = gdoi_arena_take(a, &w);
	if (!p)
		return ERR_NOSPACE;
	*id = (struct wire_gdoi_id){.type = wild ? WIRE_ID_IPV4_ADDR_SUBNET : WIRE_ID_IPV4_ADDR,
				    .port = port,
				    .data = p,
				    .len = (uint16_t)w.len};
	return 0;
}

static uint16_t id_port(const struct gdoi_ports *p)
{
	return p->op == GDOI_PORT_EQ ? p->a : 0;
}

/* [lo, hi] of an operator; neq gives the inverted pair (see policy_wire.h). */
static void port_interval(const struct gdoi_ports *p, uint16_t *lo, uint16_t *hi)
{
	switch (p->op) {
	case GDOI_PORT_EQ:
		*lo = *hi = p->a;
		return;
	case GDOI_PORT_LT:
		*lo = 0;
		*hi = (uint16_t)(p->a - 1u);
		return;
	case GDOI_PORT_GT:
		*lo = (uint16_t)(p->a + 1u);
		*hi = 65535;
		return;
	case GDOI_PORT_RANGE:
		*lo = p->a;
		*hi = p->b;
		return;
	case GDOI_PORT_NEQ:
		if (p->a == 0) {
			*lo = 1;
			*hi = 65535;
		} else if (p->a == 65535) {
			*lo = 0;
			*hi = 65534;
		} else {
			*lo = (uint16_t)(p->a + 1u);
			*hi = (uint16_t)(p->a - 1u);
		}
		return;
	default:
		*lo = 0;
		*hi = 65535;
		return;
	}
}

static void put_port_range(struct buf_writer *w, const struct gdoi_acl_entry *e)
{
	uint8_t v[8];
	uint16_t lo, hi;
	port_interval(&e->sport, &lo, &hi);
	buf_store_u16(v, lo);
	buf_store_u16(v + 2, hi);
	port_interval(&e->dport, &lo, &hi);
	buf_store_u16(v + 4, lo);
	buf_store_u16(v + 6, hi);
	wire_attr_put_tlv(w, WIRE_TEKA_GVPN_PORT_RANGE, v, sizeof(v));
}

/* A number as TV when it fits 16 bits, else as a 4-octet TLV. */
static void put_num(struct buf_writer *w, uint16_t type, uint32_t v)
{
	if (v <= 0xffffu)
		wire_attr_put_tv(w, type, (uint16_t)v);
	else
		wire_attr_put_u32(w, type, v);
}

static void tek_attrs(struct buf_writer *w, const struct gdoi_tek *t,
		      const struct gdoi_acl_entry *e, const struct gdoi_enc_opts *o)
{
	wire_attr_put_tv(w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(w, WIRE_TEKA_LIFE_DURATION, gdoi_remaining_sec(t->expires_ns, o->now));
	wire_attr_put_tv(w, WIRE_TEKA_ENCAP_MODE, WIRE_ENCAP_TUNNEL);
	if (t->xf.auth != GDOI_AUTH_NONE)
		wire_attr_put_tv(w, WIRE_TEKA_AUTH_ALG, gdoi_map_auth_attr(t->xf.auth));
	if (t->xf.enc == GDOI_ENC_AES_CBC || t->xf.enc == GDOI_ENC_AES_GCM)
		wire_attr_put_tv(w, WIRE_TEKA_KEY_LENGTH, t->xf.key_bits);
	wire_attr_put_tv(w, WIRE_TEKA_ADDR_PRESERVATION, WIRE_ADDR_PRES_BOTH);
	wire_attr_put_tv(w, WIRE_TEKA_SA_DIRECTION,
			 t->receive_only ? WIRE_SA_DIR_RECEIVER : WIRE_SA_DIR_SYMMETRIC);
	if ((o->caps & GDOI_CAP_TBAR) && t->replay != GDOI_REPLAY_NONE) {
		wire_attr_put_tv(w, WIRE_TEKA_GVPN_REPLAY_METHOD, t->replay);
		wire_attr_put_tv(w, WIRE_TEKA_GVPN_REPLAY_WINDOW, t->replay_window);
		if (t->replay == GDOI_REPLAY_TIME)
			wire_attr_put_u64(w, WIRE_TEKA_GVPN_PSEUDOTIME, o->pt_ms);
	}
	if (!(o->caps & GDOI_CAP_ACL_EXT))
		return;
	if (!plain_port(&e->sport) || !plain_port(&e->dport))
		put_port_range(w, e);
	if (e->action == GDOI_ACL_DENY)
		wire_attr_put_tv(w, WIRE_TEKA_GVPN_ACL_ACTION, GDOI_ACL_DENY);
	if (e->seq)
		put_num(w, WIRE_TEKA_GVPN_ACL_SEQ, e->seq);
}

static int encode_tek(const struct gdoi_tek *t, const struct gdoi_acl_entry *e,
		      const struct gdoi_enc_opts *o, struct gdoi_arena *a, struct wire_sa_tek *out)
{
	memset(out, 0, sizeof(*out));
	out->proto_id = WIRE_GDOI_PROTO_IPSEC_ESP;
	out->ip_proto = e->proto;
	out->transform_id = gdoi_map_esp_id(t->xf.enc);
	out->spi = t->spi;
	int rc = put_id(a, e->src, e->src_wild, id_port(&e->sport), &out->src);
	if (rc == 0)
		rc = put_id(a, e->dst, e->dst_wild, id_port(&e->dport), &out->dst);
	if (rc < 0)
		return rc;
	struct buf_writer w;
	gdoi_arena_writer(a, &w);
	tek_attrs(&w, t, e, o);
	return gdoi_arena_attrs(a, &w, &out->attrs);
}

static void note_withheld(struct gdoi_withheld *wh, uint32_t seq)
{
	for (size_t i = 0; i < wh->n; i++)
		if (wh->seq[i] == seq)
			return;
	if (wh->n < GDOI_ACL_MAX)
		wh->seq[wh->n++] = seq;
}

/* ---- SA KEK and GAP ---- */

static int encode_kek(const struct gdoi_kek *k, const struct gdoi_enc_opts *o, struct gdoi_arena *a,
		      struct wire_sa_kek *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = GDOI_IPPROTO_UDP;
	memcpy(out->spi, k->spi, GDOI_KEK_SPI_LEN);
	int rc = put_id(a, k->ks_addr, 0, GDOI_PORT, &out->src);
	if (rc == 0)
		rc = put_id(a, k->multicast ? k->mcast_addr : 0, 0, GDOI_PORT, &out->dst);
	if (rc < 0)
		return rc;
	struct buf_writer w;
	gdoi_arena_writer(a, &w);
	wire_attr_put_tv(&w, WIRE_KEKA_ALG, gdoi_map_kek_alg(k->alg));
	if (k->alg != CRYPTO_CBC_3DES)
		wire_attr_put_tv(&w, WIRE_KEKA_KEY_LENGTH, gdoi_map_kek_bits(k->alg));
	wire_attr_put_u32(&w, WIRE_KEKA_KEY_LIFETIME, gdoi_remaining_sec(k->expires_ns, o->now));
	wire_attr_put_tv(&w, WIRE_KEKA_SIG_HASH_ALG, gdoi_map_sig_hash(k->sig_hash));
	wire_attr_put_tv(&w, WIRE_KEKA_SIG_ALG, k->sig_alg);
	if (k->sig_key_bits)
		wire_attr_put_tv(&w, WIRE_KEKA_SIG_KEY_LENGTH, k->sig_key_bits);
	if (k->ack_requested && (o->caps & GDOI_CAP_REKEY_ACK))
		wire_attr_put_tv(&w, WIRE_KEKA_ACK_REQUESTED, 1);
	return gdoi_arena_attrs(a, &w, &out->attrs);
}

static int encode_gap(const struct gdoi_policy *p, struct gdoi_arena *a, struct wire_gap *out)
{
	struct buf_writer w;
	memset(out, 0, sizeof(*out));
	gdoi_arena_writer(a, &w);
	wire_attr_put_tv(&w, WIRE_GAPA_ATD, p->atd_sec);
	wire_attr_put_tv(&w, WIRE_GAPA_DTD, p->dtd_sec);
	return gdoi_arena_attrs(a, &w, &out->attrs);
}

int gdoi_policy_encode_sa(const struct gdoi_policy *p, const struct gdoi_enc_opts *o,
			  struct gdoi_arena *a, struct wire_gdoi_sa *out, struct gdoi_withheld *wh)
{
	struct gdoi_withheld scratch;
	int rc = 0;
	if (!wh)
		wh = &scratch;
	wh->n = 0;
	out->doi = WIRE_DOI_GDOI;
	out->situation = 0;
	out->attr_next = 0;
	out->dialect = WIRE_DIALECT_RFC6407;
	out->has_kek = p->has_kek;
	out->has_gap = p->has_gap;
	out->n_teks = 0;
	if (p->has_kek)
		rc = encode_kek(&p->kek, o, a, &out->kek);
	if (rc == 0 && p->has_gap)
		rc = encode_gap(p, a, &out->gap);
	for (size_t t = 0; rc == 0 && t < p->n_teks; t++) {
		for (size_t i = 0; rc == 0 && i < p->n_acl; i++) {
			const struct gdoi_acl_entry *e = &p->acl[i];
			if (e->sa_num != p->tek[t].sa_num)
				continue;
			if (!gdoi_acl_line_sendable(e, o->caps)) {
				note_withheld(wh, e->seq);
				continue;
			}
			if (out->n_teks == WIRE_GDOI_MAX_TEKS)
				return ERR_LIMIT;
			rc = encode_tek(&p->tek[t], e, o, a, &out->teks[out->n_teks++]);
		}
	}
	if (rc == 0 && out->n_teks == 0)
		rc = ERR_INVAL;
	return rc;
}

/* ---- KD ---- */

/* Does the member's SA reference any line of this TEK? */
static bool tek_sent(const struct gdoi_policy *p, const struct gdoi_tek *t, uint32_t caps)
{
	for (size_t i = 0; i < p->n_acl; i++)
		if (p->acl[i].sa_num == t->sa_num && gdoi_acl_line_sendable(&p->acl[i], caps))
			return true;
	return false;
}

static int kek_packet(const struct gdoi_policy *p, struct gdoi_arena *a, struct wire_kd_packet *pk)
{
	const struct gdoi_kek *k = &p->kek;
	size_t block = crypto_cbc_block_len(k->alg), klen = crypto_cbc_key_len(k->alg);
	struct buf_writer w;
	gdoi_arena_writer(a, &w);
	buf_put_bytes(&w, k->spi, GDOI_KEK_SPI_LEN);
	const uint8_t *spi = gdoi_arena_take(a, &w);
	if (!spi)
		return ERR_NOSPACE;
	gdoi_arena_writer(a, &w);
	uint8_t ivkey[GDOI_KEK_IV_MAX + GDOI_KEK_KEY_MAX];
	memcpy(ivkey, k->iv, block);
	memcpy(ivkey + block, k->key, klen);
	wire_attr_put_tlv(&w, WIRE_KDA_KEK_ALG_KEY, ivkey, (uint16_t)(block + klen));
	mem_wipe(ivkey, sizeof(ivkey));
	if (p->spki_len)
		wire_attr_put_tlv(&w, WIRE_KDA_KEK_SIG_ALG_KEY, p->spki, (uint16_t)p->spki_len);
	*pk =
	    (struct wire_kd_packet){.type = WIRE_KD_KEK, .spi_size = GDOI_KEK_SPI_LEN, .spi = spi};
	return gdoi_arena_attrs(a, &w, &pk->attrs);
}

static int tek_packet(const struct gdoi_tek *t, struct gdoi_arena *a, struct wire_kd_packet *pk)
{
	struct buf_writer w;
	gdoi_arena_writer(a, &w);
	buf_put_u32(&w, t->spi);
	const uint8_t *spi = gdoi_arena_take(a, &w);
	if (!spi)
		return ERR_NOSPACE;
	gdoi_arena_writer(a, &w);
	size_t el = gdoi_transform_enc_len(&t->xf), al = gdoi_transform_auth_len(&t->xf);
	if (el)
		wire_attr_put_tlv(&w, WIRE_KDA_TEK_ALG_KEY, t->enc_key, (uint16_t)el);
	if (al)
		wire_attr_put_tlv(&w, WIRE_KDA_TEK_INTEGRITY_KEY, t->auth_key, (uint16_t)al);
	*pk = (struct wire_kd_packet){.type = WIRE_KD_TEK, .spi_size = 4, .spi = spi};
	return gdoi_arena_attrs(a, &w, &pk->attrs);
}

int gdoi_policy_encode_kd(const struct gdoi_policy *p, const struct gdoi_enc_opts *o,
			  struct gdoi_arena *a, struct wire_kd *out)
{
	int rc = 0;
	out->n_packets = 0;
	if (p->has_kek)
		rc = kek_packet(p, a, &out->pk[out->n_packets++]);
	for (size_t t = 0; rc == 0 && t < p->n_teks; t++) {
		if (!tek_sent(p, &p->tek[t], o->caps))
			continue;
		if (out->n_packets == WIRE_KD_MAX_PACKETS)
			return ERR_LIMIT;
		rc = tek_packet(&p->tek[t], a, &out->pk[out->n_packets++]);
	}
	return rc;
}
