/*
 * GM side of policy_wire.h: a received GDOI SA and KD into a policy, with
 * every value the member will rely on checked. The first problem found is
 * reported in words for GM_REJECTING_SA_PAYLOAD; nothing is half-accepted.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/rsa.h"
#include "gdoi/log_priv.h"
#include "gdoi/policy_priv.h"
#include "gdoi/policy_wire.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/attr.h"
#include "wire/names.h"

#define PRIVATE_ATTR_MIN 32001 /* RFC 2407 private use starts at 32001 */

static uint64_t after_sec(uint64_t now, uint64_t sec)
{
	uint64_t d = sec * NS_PER_SEC;
	return now > CLOCK_NEVER - d ? CLOCK_NEVER : now + d;
}

static bool is_multicast(uint32_t a)
{
	return (a >> 28) == 0xeu;
}

/* ---- SA KEK ---- */

struct kek_attrs {
	uint64_t alg, bits, life, sig_hash, sig_alg, sig_bits, ack;
	bool has_bits, has_life, has_sig_hash;
};

static int kek_read_attrs(const struct wire_attrs *attrs, struct kek_attrs *k, char *why,
			  size_t cap)
{
	struct wire_attr_iter it;
	struct wire_attr a;
	memset(k, 0, sizeof(*k));
	k->sig_alg = WIRE_SIG_ALG_RSA;
	wire_attr_iter_init(&it, attrs);
	while (wire_attr_iter_next(&it, &a)) {
		uint64_t v = 0;
		if (wire_attr_uint(&a, &v) < 0 && a.type <= WIRE_KEKA_ACK_REQUESTED)
			return gdoi_errf(why, cap, ERR_INVAL, "KEK attribute %u has a bad length",
					 (unsigned)a.type);
		switch (a.type) {
		case WIRE_KEKA_MGMT_ALG:
			return gdoi_errf(why, cap, ERR_UNSUPP,
					 "KEK management algorithm %u (LKH) not supported",
					 (unsigned)v);
		case WIRE_KEKA_ALG:
			k->alg = v;
			break;
		case WIRE_KEKA_KEY_LENGTH:
			k->bits = v;
			k->has_bits = true;
			break;
		case WIRE_KEKA_KEY_LIFETIME:
			k->life = v;
			k->has_life = true;
			break;
		case WIRE_KEKA_SIG_HASH_ALG:
			k->sig_hash = v;
			k->has_sig_hash = true;
			break;
		case WIRE_KEKA_SIG_ALG:
			k->sig_alg = v;
			break;
		case WIRE_KEKA_SIG_KEY_LENGTH:
			k->sig_bits = v;
			break;
		case WIRE_KEKA_ACK_REQUESTED:
			k->ack = v;
			break;
		default:
			if (a.type < PRIVATE_ATTR_MIN)
				return gdoi_errf(why, cap, ERR_UNSUPP,
						 "KEK attribute %u not supported",
						 (unsigned)a.type);
		}
	}
	return 0;
}

static int kek_cipher(const struct kek_attrs *k, enum crypto_cbc_alg *alg, char *why, size_t cap)
{
	if (k->alg == WIRE_KEK_ALG_3DES && (!k->has_bits || k->bits == 192)) {
		*alg = CRYPTO_CBC_3DES;
		return 0;
	}
	if (k->alg == WIRE_KEK_ALG_AES && k->has_bits) {
		*alg = k->bits == 128	? CRYPTO_CBC_AES128
		       : k->bits == 192 ? CRYPTO_CBC_AES192
		       : k->bits == 256 ? CRYPTO_CBC_AES256
					: CRYPTO_CBC_DES;
		if (*alg != CRYPTO_CBC_DES)
			return 0;
	}
	return gdoi_errf(why, cap, ERR_UNSUPP, "KEK algorithm %u with key length %u not supported",
			 (unsigned)k->alg, (unsigned)k->bits);
}

static int decode_kek(const struct wire_sa_kek *w, uint64_t now, struct gdoi_kek *out, char *why,
		      size_t cap)
{
	static const uint8_t zero[GDOI_KEK_SPI_LEN];
	struct kek_attrs k;
	int rc = kek_read_attrs(&w->attrs, &k, why, cap);
	if (rc < 0)
		return rc;
	if (!memcmp(w->spi, zero, sizeof(zero)))
		return gdoi_errf(why, cap, ERR_INVAL, "KEK SPI is zero");
	rc = kek_cipher(&k, &out->alg, why, cap);
	if (rc < 0)
		return rc;
	if (!k.has_life || !k.life || k.life > GDOI_LIFE_MAX_SEC)
		return gdoi_errf(why, cap, ERR_INVAL, "KEK lifetime %u s not acceptable",
				 (unsigned)k.life);
	if (k.sig_alg != WIRE_SIG_ALG_RSA)
		return gdoi_errf(why, cap, ERR_UNSUPP, "signature algorithm %u not supported",
				 (unsigned)k.sig_alg);
	if (!k.has_sig_hash || !gdoi_map_sig_hash_from(k.sig_hash, &out->sig_hash))
		return gdoi_errf(why, cap, ERR_UNSUPP, "signature hash %u not supported",
				 (unsigned)k.sig_hash);
	if (w->src.type != WIRE_ID_IPV4_ADDR || w->dst.type != WIRE_ID_IPV4_ADDR)
		return gdoi_errf(why, cap, ERR_UNSUPP, "KEK source/destination not IPv4 addresses");
	memcpy(out->spi, w->spi, GDOI_KEK_SPI_LEN);
	out->life_sec = (uint32_t)k.life;
	out->created_ns = now;
	out->expires_ns = after_sec(now, k.life);
	out->sig_alg = WIRE_SIG_ALG_RSA;
	out->sig_key_bits = k.sig_bits > 0xffff ? 0 : (uint16_t)k.sig_bits;
	out->ks_addr = buf_load_u32(w->src.data);
	uint32_t dst = buf_load_u32(w->dst.data);
	out->multicast = is_multicast(dst);
	out->mcast_addr = out->multicast ? dst : 0;
	out->ack_requested = k.ack != 0;
	return 0;
}

/* ---- SA TEK ---- */

struct tek_attrs {
	uint64_t life, auth, bits, encap, dir, replay, window, seq, action, esn;
	uint64_t pt;
	bool has_life, has_bits, has_replay, has_pt, has_range;
	uint16_t range[4];
	uint64_t life_type; /* of the last SA Life Type seen */
};

static int tek_attr(const struct wire_attr *a, struct tek_attrs *t, char *why, size_t cap)
{
	uint64_t v = 0;
	if (a->type != WIRE_TEKA_GVPN_PORT_RANGE && wire_attr_uint(a, &v) < 0)
		return gdoi_errf(why, cap, ERR_INVAL, "TEK attribute %u has a bad length",
				 (unsigned)a->type);
	switch (a->type) {
	case WIRE_TEKA_LIFE_TYPE:
		t->life_type = v;
		break;
	case WIRE_TEKA_LIFE_DURATION:
		/* Volume lifetimes (kilobytes) are not enforced on group SAs. */
		if (t->life_type == WIRE_LIFE_SECONDS) {
			t->life = v;
			t->has_life = true;
		}
		break;
	case WIRE_TEKA_GROUP_DESC:
	case WIRE_TEKA_ECN_TUNNEL:
	case WIRE_TEKA_AUTH_KEY_LENGTH:
	case WIRE_TEKA_ADDR_PRESERVATION:
		break; /* header preservation is always on */
	case WIRE_TEKA_ENCAP_MODE:
		t->encap = v;
		break;
	case WIRE_TEKA_AUTH_ALG:
		t->auth = v;
		break;
	case WIRE_TEKA_KEY_LENGTH:
		t->bits = v;
		t->has_bits = true;
		break;
	case WIRE_TEKA_ESN:
		t->esn = v;
		break;
	case WIRE_TEKA_SA_DIRECTION:
		t->dir = v;
		break;
	case WIRE_TEKA_GVPN_REPLAY_METHOD:
		t->replay = v;
		t->has_replay = true;
		break;
	case WIRE_TEKA_GVPN_REPLAY_WINDOW:
		t->window = v;
		break;
	case WIRE_TEKA_GVPN_PSEUDOTIME:
		t->pt = v;
		t->has_pt = true;
		break;
	case WIRE_TEKA_GVPN_ACL_ACTION:
		t->action = v;
		break;
	case WIRE_TEKA_GVPN_ACL_SEQ:
		t->seq = v;
		break;
	case WIRE_TEKA_GVPN_PORT_RANGE:
		if (a->tv || a->len != 8)
			return gdoi_errf(why, cap, ERR_INVAL, "GVPN_PORT_RANGE is not 8 octets");
		for (size_t i = 0; i < 4; i++)
			t->range[i] = buf_load_u16(a->val + 2 * i);
		t->has_range = true;
		break;
	default:
		if (a->type < PRIVATE_ATTR_MIN)
			return gdoi_errf(why, cap, ERR_UNSUPP, "TEK attribute %u not supported",
					 (unsigned)a->type);
	}
	return 0;
}

static int tek_transform(const struct wire_sa_tek *w, const struct tek_attrs *t,
			 struct gdoi_transform *x, char *why, size_t cap)
{
	memset(x, 0, sizeof(*x));
	switch (w->transform_id) {
	case WIRE_ESP_NULL:
		x->enc = GDOI_ENC_NULL;
		break;
	case WIRE_ESP_3DES:
		x->enc = GDOI_ENC_3DES;
		x->key_bits = 192;
		break;
	case WIRE_ESP_AES_CBC:
		x->enc = GDOI_ENC_AES_CBC;
		break;
	case WIRE_ESP_AES_GCM_16:
		x->enc = GDOI_ENC_AES_GCM;
		break;
	default:
		return gdoi_errf(why, cap, ERR_UNSUPP, "ESP transform %u (%s) not supported",
				 (unsigned)w->transform_id, wire_esp_name(w->transform_id));
	}
	if (x->enc == GDOI_ENC_AES_CBC || x->enc == GDOI_ENC_AES_GCM)
		x->key_bits = t->has_bits && t->bits <= 0xffff ? (uint16_t)t->bits : 0;
	else if (t->has_bits && t->bits != x->key_bits)
		return gdoi_errf(why, cap, ERR_INVAL, "key length %u for %s", (unsigned)t->bits,
				 wire_esp_name(w->transform_id));
	switch (t->auth) {
	case 0:
		x->auth = GDOI_AUTH_NONE;
		break;
	case WIRE_AUTH_HMAC_SHA1:
		x->auth = GDOI_AUTH_SHA1;
		break;
	case WIRE_AUTH_HMAC_SHA2_256:
		x->auth = GDOI_AUTH_SHA256;
		break;
	case WIRE_AUTH_HMAC_SHA2_384:
		x->auth = GDOI_AUTH_SHA384;
		break;
	default:
		return gdoi_errf(why, cap, ERR_UNSUPP, "authentication algorithm %u not supported",
				 (unsigned)t->auth);
	}
	const char *w_why;
	if (gdoi_transform_check(x, &w_why) < 0)
		return gdoi_errf(why, cap, ERR_UNSUPP, "%s (key length %u)", w_why,
				 (unsigned)x->key_bits);
	return 0;
}

/* A selector ID into address and wildcard. */
static int id_addr(const struct wire_gdoi_id *id, uint32_t *addr, uint32_t *wild, char *why,
		   size_t cap)
{
	if (id->type == WIRE_ID_IPV4_ADDR && id->len == 4) {
		*addr = buf_load_u32(id->data);
		*wild = 0;
		return 0;
	}
	if (id->type == WIRE_ID_IPV4_ADDR_SUBNET && id->len == 8) {
		uint32_t mask = buf_load_u32(id->data + 4);
		if (!gdoi_wild_contiguous(~mask))
			return gdoi_errf(why, cap, ERR_INVAL, "subnet mask %08x is not contiguous",
					 (unsigned)mask);
		*wild = ~mask;
		*addr = buf_load_u32(id->data) & mask;
		return 0;
	}
	return gdoi_errf(why, cap, ERR_UNSUPP, "selector type %u (%s) not supported",
			 (unsigned)id->type, wire_id_type_name(id->type));
}

/* [lo, hi] as an operator; lo > hi (only lo = hi + 2 gets here) is neq. */
static struct gdoi_ports port_op(uint16_t lo, uint16_t hi)
{
	if (lo > hi)
		return (struct gdoi_ports){.op = GDOI_PORT_NEQ, .a = (uint16_t)(hi + 1u)};
	if (lo == 0 && hi == 65535)
		return (struct gdoi_ports){.op = GDOI_PORT_ANY};
	if (lo == hi)
		return (struct gdoi_ports){.op = GDOI_PORT_EQ, .a = lo};
	if (lo == 0)
		return (struct gdoi_ports){.op = GDOI_PORT_LT, .a = (uint16_t)(hi + 1u)};
	if (hi == 65535)
		return (struct gdoi_ports){.op = GDOI_PORT_GT, .a = (uint16_t)(lo - 1u)};
	return (struct gdoi_ports){.op = GDOI_PORT_RANGE, .a = lo, .b = hi};
}

/*
 * The operator whose matches are [lo, hi]; lo = hi + 2 is `neq hi + 1`.
 * Any other lo > hi is not an encoding gvpn defines: false.
 */
static bool ports_from(uint16_t lo, uint16_t hi, struct gdoi_ports *out)
{
	if (lo > hi && lo != hi + 2u)
		return false;
	*out = port_op(lo, hi);
	return true;
}

static int tek_line(const struct wire_sa_tek *w, const struct tek_attrs *t,
		    struct gdoi_acl_entry *e, char *why, size_t cap)
{
	memset(e, 0, sizeof(*e));
	int rc = id_addr(&w->src, &e->src, &e->src_wild, why, cap);
	if (rc == 0)
		rc = id_addr(&w->dst, &e->dst, &e->dst_wild, why, cap);
	if (rc < 0)
		return rc;
	e->proto = w->ip_proto;
	e->seq = t->seq > UINT32_MAX ? 0 : (uint32_t)t->seq;
	if (t->action > GDOI_ACL_DENY)
		return gdoi_errf(why, cap, ERR_INVAL, "ACL action %u", (unsigned)t->action);
	e->action = (uint8_t)t->action;
	if (t->has_range) {
		if (!ports_from(t->range[0], t->range[1], &e->sport) ||
		    !ports_from(t->range[2], t->range[3], &e->dport))
			return gdoi_errf(why, cap, ERR_INVAL, "GVPN_PORT_RANGE %u-%u %u-%u",
					 (unsigned)t->range[0], (unsigned)t->range[1],
					 (unsigned)t->range[2], (unsigned)t->range[3]);
	} else {
		e->sport = (struct gdoi_ports){.op = w->src.port ? GDOI_PORT_EQ : GDOI_PORT_ANY,
					       .a = w->src.port};
		e->dport = (struct gdoi_ports){.op = w->dst.port ? GDOI_PORT_EQ : GDOI_PORT_ANY,
					       .a = w->dst.port};
	}
	const char *w_why;
	if (gdoi_acl_entry_check(e, GDOI_ACL_CONTIGUOUS | GDOI_ACL_IP_PORTS, &w_why) < 0)
		return gdoi_errf(why, cap, ERR_INVAL, "selector: %s", w_why);
	return 0;
}

static int tek_params(const struct wire_sa_tek *w, const struct tek_attrs *t, uint64_t now,
		      struct gdoi_tek *out, char *why, size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (w->spi < GDOI_SPI_MIN)
		return gdoi_errf(why, cap, ERR_INVAL, "TEK SPI 0x%08x is reserved",
				 (unsigned)w->spi);
	int rc = tek_transform(w, t, &out->xf, why, cap);
	if (rc < 0)
		return rc;
	if (t->encap && t->encap != WIRE_ENCAP_TUNNEL)
		return gdoi_errf(why, cap, ERR_UNSUPP, "encapsulation mode %u (only tunnel)",
				 (unsigned)t->encap);
	if (t->esn)
		return gdoi_errf(why, cap, ERR_UNSUPP, "extended sequence numbers on a group SA");
	if (!t->has_life || !t->life || t->life > GDOI_LIFE_MAX_SEC)
		return gdoi_errf(why, cap, ERR_INVAL, "TEK lifetime %u s not acceptable",
				 (unsigned)t->life);
	if (t->has_replay && (t->replay > GDOI_REPLAY_TIME || t->window > 0xffff))
		return gdoi_errf(why, cap, ERR_INVAL, "replay method %u window %u",
				 (unsigned)t->replay, (unsigned)t->window);
	out->spi = w->spi;
	out->life_sec = (uint32_t)t->life;
	out->created_ns = now;
	out->expires_ns = after_sec(now, t->life);
	out->receive_only = t->dir == WIRE_SA_DIR_RECEIVER;
	out->replay = t->has_replay ? (uint8_t)t->replay : GDOI_REPLAY_NONE;
	out->replay_window = (uint16_t)t->window;
	return 0;
}

static struct gdoi_acl_entry *find_line(struct gdoi_policy *p, const struct gdoi_acl_entry *e)
{
	for (size_t i = 0; i < p->n_acl; i++)
		if (gdoi_acl_line_equal(&p->acl[i], e))
			return &p->acl[i];
	return NULL;
}

/*
 * One SA TEK: a (TEK, ACL line) pair. TEKs are keyed by SPI; a line seen
 * before (a newer TEK of the same `sa ipsec`) names the set the TEK joins.
 */
static int add_tek(struct gdoi_policy *p, const struct wire_sa_tek *w, uint64_t now,
		   uint16_t *next_num, char *why, size_t cap)
{
	struct tek_attrs ta = {0};
	struct wire_attr_iter it;
	struct wire_attr a;
	int rc = 0;
	if (w->proto_id != WIRE_GDOI_PROTO_IPSEC_ESP)
		return gdoi_errf(why, cap, ERR_UNSUPP, "TEK protocol %u (%s) not supported",
				 (unsigned)w->proto_id, wire_gdoi_proto_name(w->proto_id));
	wire_attr_iter_init(&it, &w->attrs);
	while (rc == 0 && wire_attr_iter_next(&it, &a))
		rc = tek_attr(&a, &ta, why, cap);
	struct gdoi_tek t;
	struct gdoi_acl_entry e;
	if (rc == 0)
		rc = tek_params(w, &ta, now, &t, why, cap);
	if (rc == 0)
		rc = tek_line(w, &ta, &e, why, cap);
	if (rc < 0)
		return rc;
	struct gdoi_tek *have = gdoi_policy_tek(p, t.spi);
	struct gdoi_acl_entry *line = find_line(p, &e);
	if (have && !gdoi_transform_equal(&have->xf, &t.xf))
		return gdoi_errf(why, cap, ERR_INVAL, "SPI 0x%08x with two transforms",
				 (unsigned)t.spi);
	if (!have) {
		if (p->n_teks == GDOI_TEKS_MAX)
			return gdoi_errf(why, cap, ERR_LIMIT, "more than %u TEKs",
					 (unsigned)GDOI_TEKS_MAX);
		t.sa_num = line ? line->sa_num : (*next_num)++;
		have = &p->tek[p->n_teks++];
		*have = t;
	}
	if (line && line->sa_num == have->sa_num)
		return 0;
	if (p->n_acl == GDOI_ACL_MAX)
		return gdoi_errf(why, cap, ERR_LIMIT, "more than %u ACL lines",
				 (unsigned)GDOI_ACL_MAX);
	e.sa_num = have->sa_num;
	p->acl[p->n_acl++] = e;
	if (ta.has_pt) {
		p->has_pseudotime = true;
		p->pt_ms = ta.pt;
		p->pt_at_ns = now;
	}
	return 0;
}

static void decode_gap(const struct wire_gap *g, struct gdoi_policy *p)
{
	struct wire_attr a;
	uint64_t v;
	p->has_gap = true;
	if (wire_attrs_find(&g->attrs, WIRE_GAPA_ATD, &a) && wire_attr_uint(&a, &v) == 0)
		p->atd_sec = v > 0xffff ? 0xffff : (uint16_t)v;
	if (wire_attrs_find(&g->attrs, WIRE_GAPA_DTD, &a) && wire_attr_uint(&a, &v) == 0)
		p->dtd_sec = v > 0xffff ? 0xffff : (uint16_t)v;
}

static int decode_sa(const struct wire_gdoi_sa *sa, uint64_t now, bool need_tek,
		     struct gdoi_policy *out, char *why, size_t why_cap)
{
	gdoi_policy_clear(out);
	int rc = 0;
	uint16_t next_num = 1;
	if (sa->doi != WIRE_DOI_GDOI)
		rc = gdoi_errf(why, why_cap, ERR_UNSUPP, "DOI %u", (unsigned)sa->doi);
	if (rc == 0 && !sa->n_teks && (need_tek || !sa->has_kek))
		rc = gdoi_errf(why, why_cap, ERR_INVAL, "no SA TEK in the policy");
	if (rc == 0 && sa->has_kek) {
		out->has_kek = true;
		rc = decode_kek(&sa->kek, now, &out->kek, why, why_cap);
	}
	if (rc == 0 && sa->has_gap)
		decode_gap(&sa->gap, out);
	for (size_t i = 0; rc == 0 && i < sa->n_teks; i++)
		rc = add_tek(out, &sa->teks[i], now, &next_num, why, why_cap);
	if (rc < 0)
		gdoi_policy_clear(out);
	return rc;
}

int gdoi_policy_decode_sa(const struct wire_gdoi_sa *sa, uint64_t now, struct gdoi_policy *out,
			  char *why, size_t why_cap)
{
	return decode_sa(sa, now, true, out, why, why_cap);
}

int gdoi_policy_decode_push_sa(const struct wire_gdoi_sa *sa, uint64_t now, struct gdoi_policy *out,
			       char *why, size_t why_cap)
{
	return decode_sa(sa, now, false, out, why, why_cap);
}

/* ---- KD ---- */

static bool kd_attr(const struct wire_kd_packet *pk, uint16_t type, struct wire_attr *a)
{
	return wire_attrs_find(&pk->attrs, type, a) && !a->tv;
}

/*
 * The KS public key of the KEK key packet. Bytes equal to the key p already
 * holds (a member fills in its group's key before decoding a push) are not
 * decoded again: their size is known. Either way the size must be the one
 * SIG_KEY_LENGTH announces. A key decoded here goes to *out when out is set.
 */
static int spki_check(struct gdoi_policy *p, const struct wire_attr *a, struct crypto_rsa *out,
		      char *why, size_t cap)
{
	if (a->len > GDOI_SPKI_MAX)
		return gdoi_errf(why, cap, ERR_INVAL, "public key of %u octets", (unsigned)a->len);
	struct crypto_rsa k = {0};
	unsigned bits = p->spki_bits;
	if (!bits || a->len != p->spki_len || memcmp(a->val, p->spki, a->len)) {
		if (crypto_rsa_from_spki(&k, a->val, a->len) < 0)
			return gdoi_errf(why, cap, ERR_INVAL,
					 "SIG_ALGORITHM_KEY is not an RSA public key");
		bits = k.bits;
	}
	if (p->kek.sig_key_bits && p->kek.sig_key_bits != bits) {
		crypto_rsa_clear(&k);
		return gdoi_errf(why, cap, ERR_INVAL,
				 "public key of %u bits, SIG_KEY_LENGTH says %u", bits,
				 (unsigned)p->kek.sig_key_bits);
	}
	p->kek.sig_key_bits = (uint16_t)bits;
	memcpy(p->spki, a->val, a->len);
	p->spki_len = a->len;
	p->spki_bits = (uint16_t)bits;
	if (out)
		*out = k;
	else
		crypto_rsa_clear(&k);
	return 0;
}

static int kek_keys(struct gdoi_policy *p, const struct wire_kd *kd, struct crypto_rsa *key,
		    char *why, size_t cap)
{
	struct gdoi_kek *k = &p->kek;
	const struct wire_kd_packet *pk = wire_kd_find(kd, WIRE_KD_KEK, k->spi, GDOI_KEK_SPI_LEN);
	struct wire_attr a;
	if (!pk)
		return gdoi_errf(why, cap, ERR_INVAL, "no KEK key packet for the SA KEK");
	size_t block = crypto_cbc_block_len(k->alg), klen = crypto_cbc_key_len(k->alg);
	if (!kd_attr(pk, WIRE_KDA_KEK_ALG_KEY, &a) || a.len != block + klen)
		return gdoi_errf(why, cap, ERR_INVAL,
				 "KEK_ALGORITHM_KEY is not IV | key of %s (%zu octets)",
				 crypto_cbc_name(k->alg), block + klen);
	memcpy(k->iv, a.val, block);
	memcpy(k->key, a.val + block, klen);
	k->has_keys = true;
	if (kd_attr(pk, WIRE_KDA_KEK_SIG_ALG_KEY, &a))
		return spki_check(p, &a, key, why, cap);
	return 0;
}

static int tek_keys(struct gdoi_tek *t, const struct wire_kd *kd, char *why, size_t cap)
{
	uint8_t spi[4];
	buf_store_u32(spi, t->spi);
	const struct wire_kd_packet *pk = wire_kd_find(kd, WIRE_KD_TEK, spi, sizeof(spi));
	if (!pk)
		return gdoi_errf(why, cap, ERR_INVAL, "no TEK key packet for SPI 0x%08x",
				 (unsigned)t->spi);
	size_t el = gdoi_transform_enc_len(&t->xf), al = gdoi_transform_auth_len(&t->xf);
	struct wire_attr a;
	bool has = kd_attr(pk, WIRE_KDA_TEK_ALG_KEY, &a);
	if (el ? !has || a.len != el : has && a.len != 0)
		return gdoi_errf(why, cap, ERR_INVAL,
				 "TEK_ALGORITHM_KEY of SPI 0x%08x is not %zu octets",
				 (unsigned)t->spi, el);
	if (el)
		memcpy(t->enc_key, a.val, el);
	has = kd_attr(pk, WIRE_KDA_TEK_INTEGRITY_KEY, &a);
	if (al ? !has || a.len != al : has)
		return gdoi_errf(why, cap, ERR_INVAL,
				 "TEK_INTEGRITY_KEY of SPI 0x%08x is not %zu octets",
				 (unsigned)t->spi, al);
	if (al)
		memcpy(t->auth_key, a.val, al);
	t->has_keys = true;
	return 0;
}

static void wipe_keys(struct gdoi_policy *p)
{
	mem_wipe(p->kek.key, sizeof(p->kek.key));
	mem_wipe(p->kek.iv, sizeof(p->kek.iv));
	p->kek.has_keys = false;
	for (size_t i = 0; i < p->n_teks; i++) {
		mem_wipe(p->tek[i].enc_key, sizeof(p->tek[i].enc_key));
		mem_wipe(p->tek[i].auth_key, sizeof(p->tek[i].auth_key));
		p->tek[i].has_keys = false;
	}
}

int gdoi_policy_decode_kd_key(struct gdoi_policy *p, const struct wire_kd *kd,
			      struct crypto_rsa *key, char *why, size_t why_cap)
{
	int rc = 0;
	if (key)
		*key = (struct crypto_rsa){0};
	if (p->has_kek)
		rc = kek_keys(p, kd, key, why, why_cap);
	for (size_t i = 0; rc == 0 && i < p->n_teks; i++)
		rc = tek_keys(&p->tek[i], kd, why, why_cap);
	if (rc < 0) {
		wipe_keys(p);
		if (key)
			crypto_rsa_clear(key);
	}
	return rc;
}

int gdoi_policy_decode_kd(struct gdoi_policy *p, const struct wire_kd *kd, char *why,
			  size_t why_cap)
{
	return gdoi_policy_decode_kd_key(p, kd, NULL, why, why_cap);
}
