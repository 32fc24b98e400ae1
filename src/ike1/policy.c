/* Phase-1 policies and their transform encoding; see policy.h. */
#include "ike1/policy.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crypto/dh.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

/* Attribute bytes of one transform: 7 attributes, at most 32 octets. */
#define XFORM_ATTRS_MAX 40

static bool hash_ok(enum crypto_hash_alg h)
{
	return h == CRYPTO_HASH_SHA1 || h == CRYPTO_HASH_SHA256 || h == CRYPTO_HASH_SHA384;
}

static bool cipher_ok(enum crypto_cbc_alg c)
{
	return c == CRYPTO_CBC_3DES || c == CRYPTO_CBC_AES128 || c == CRYPTO_CBC_AES192 ||
	       c == CRYPTO_CBC_AES256;
}

static bool weak_group(unsigned g)
{
	return g == WIRE_GROUP_MODP768 || g == WIRE_GROUP_MODP1024;
}

int ike1_policy_check(const struct ike1_policy *p, bool weak_groups)
{
	if (!hash_ok(p->hash) || !cipher_ok(p->cipher) || p->auth != WIRE_P1_AUTH_PSK ||
	    !crypto_dh_supported(p->group))
		return ERR_UNSUPP;
	if ((weak_group(p->group) && !weak_groups) || !p->life_sec)
		return ERR_INVAL;
	return 0;
}

/* IKE hash attribute values (RFC 2409 appendix A, IANA) <-> crypto algorithms. */
static const struct {
	uint16_t wire;
	enum crypto_hash_alg alg;
} hash_map[] = {
    {WIRE_P1_HASH_SHA1, CRYPTO_HASH_SHA1},
    {WIRE_P1_HASH_SHA256, CRYPTO_HASH_SHA256},
    {WIRE_P1_HASH_SHA384, CRYPTO_HASH_SHA384},
};

static uint16_t hash_to_wire(enum crypto_hash_alg h)
{
	for (size_t i = 0; i < ARRAY_SIZE(hash_map); i++)
		if (hash_map[i].alg == h)
			return hash_map[i].wire;
	return 0;
}

static uint16_t aes_bits(enum crypto_cbc_alg c)
{
	return c == CRYPTO_CBC_AES128 ? 128 : c == CRYPTO_CBC_AES192 ? 192 : 256;
}

/*
 * Attribute order as gdoid, IOS and our derivation examples use it:
 * encryption, key length, hash, group, authentication, life type, duration.
 */
static size_t put_attrs(const struct ike1_policy *p, uint8_t buf[static XFORM_ATTRS_MAX])
{
	struct buf_writer w;
	buf_w_init(&w, buf, XFORM_ATTRS_MAX);
	if (p->cipher == CRYPTO_CBC_3DES) {
		wire_attr_put_tv(&w, WIRE_P1A_ENCR, WIRE_P1_ENCR_3DES);
	} else {
		wire_attr_put_tv(&w, WIRE_P1A_ENCR, WIRE_P1_ENCR_AES_CBC);
		wire_attr_put_tv(&w, WIRE_P1A_KEY_LENGTH, aes_bits(p->cipher));
	}
	wire_attr_put_tv(&w, WIRE_P1A_HASH, hash_to_wire(p->hash));
	wire_attr_put_tv(&w, WIRE_P1A_GROUP_DESC, p->group);
	wire_attr_put_tv(&w, WIRE_P1A_AUTH, p->auth);
	wire_attr_put_tv(&w, WIRE_P1A_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(&w, WIRE_P1A_LIFE_DURATION, p->life_sec);
	return w.len;
}

/* Fields of a transform as read, before they are turned into a policy. */
struct raw_xform {
	uint64_t encr, key_bits, hash, auth, group;
	uint64_t life_type; /* the Life Type that the next Life Duration belongs to */
	uint64_t life_sec;
};

static int take_attr(const struct wire_attr *a, struct raw_xform *r)
{
	uint64_t v;
	if (wire_attr_uint(a, &v) < 0)
		return ERR_BADLEN;
	switch (a->type) {
	case WIRE_P1A_ENCR:
		r->encr = v;
		break;
	case WIRE_P1A_KEY_LENGTH:
		r->key_bits = v;
		break;
	case WIRE_P1A_HASH:
		r->hash = v;
		break;
	case WIRE_P1A_AUTH:
		r->auth = v;
		break;
	case WIRE_P1A_GROUP_DESC:
		r->group = v;
		break;
	case WIRE_P1A_LIFE_TYPE:
		if (v != WIRE_LIFE_SECONDS && v != WIRE_LIFE_KILOBYTES)
			return ERR_UNSUPP;
		r->life_type = v;
		break;
	case WIRE_P1A_LIFE_DURATION:
		/* A kilobyte lifetime is accepted and not enforced. */
		if (r->life_type == WIRE_LIFE_SECONDS)
			r->life_sec = v ? v : 1;
		else if (r->life_type != WIRE_LIFE_KILOBYTES)
			return ERR_UNSUPP;
		break;
	default:
		/* RFC 2409 §5: never accept a transform with an attribute we do not know. */
		return ERR_UNSUPP;
	}
	return 0;
}

static int cipher_from(const struct raw_xform *r, enum crypto_cbc_alg *c)
{
	if (r->encr == WIRE_P1_ENCR_3DES && (!r->key_bits || r->key_bits == 192))
		*c = CRYPTO_CBC_3DES;
	else if (r->encr == WIRE_P1_ENCR_AES_CBC && r->key_bits == 128)
		*c = CRYPTO_CBC_AES128;
	else if (r->encr == WIRE_P1_ENCR_AES_CBC && r->key_bits == 192)
		*c = CRYPTO_CBC_AES192;
	else if (r->encr == WIRE_P1_ENCR_AES_CBC && r->key_bits == 256)
		*c = CRYPTO_CBC_AES256;
	else
		return ERR_UNSUPP; /* AES needs its Key Length (notes §2.3) */
	return 0;
}

int ike1_policy_from_xform(const struct wire_p1_xform *x, struct ike1_policy *out)
{
	struct raw_xform r = {0};
	struct wire_attr_iter it;
	struct wire_attr a;
	memset(out, 0, sizeof(*out));
	if (x->id != WIRE_KEY_IKE)
		return ERR_UNSUPP;
	wire_attr_iter_init(&it, &x->attrs);
	while (wire_attr_iter_next(&it, &a)) {
		int rc = take_attr(&a, &r);
		if (rc < 0)
			return rc;
	}
	if (cipher_from(&r, &out->cipher) < 0)
		return ERR_UNSUPP;
	for (size_t i = 0; i < ARRAY_SIZE(hash_map); i++)
		if (hash_map[i].wire == r.hash)
			out->hash = hash_map[i].alg;
	if (!out->hash || r.auth > UINT8_MAX || r.group > UINT8_MAX || r.life_sec > UINT32_MAX)
		return ERR_UNSUPP;
	out->auth = (uint8_t)r.auth;
	out->group = (uint8_t)r.group;
	out->life_sec = (uint32_t)r.life_sec;
	return 0;
}

bool ike1_policy_accepts(const struct ike1_policy *mine, const struct ike1_policy *offer)
{
	uint32_t life = offer->life_sec ? offer->life_sec : IKE1_LIFE_ABSENT_SEC;
	return mine->cipher == offer->cipher && mine->hash == offer->hash &&
	       mine->auth == offer->auth && mine->group == offer->group && life <= mine->life_sec;
}

void ike1_policy_build_offer(struct wire_builder *b, const struct ike1_policy *ps, size_t n,
			     uint32_t doi)
{
	uint8_t attrs[IKE1_POLICIES_MAX][XFORM_ATTRS_MAX];
	struct wire_p1sa sa = {.doi = doi, .situation = WIRE_SIT_IDENTITY_ONLY, .n_props = 1};
	n = MIN(n, (size_t)IKE1_POLICIES_MAX);
	sa.props[0] = (struct wire_p1_prop){
	    .num = 1, .proto = WIRE_PROTO_ISAKMP, .n_xforms = (uint8_t)n, .first = 0};
	for (size_t i = 0; i < n; i++) {
		struct wire_p1_xform *x = &sa.xforms[i];
		x->num = (uint8_t)(i + 1);
		x->id = WIRE_KEY_IKE;
		size_t len = put_attrs(&ps[i], attrs[i]);
		if (wire_attrs_from(&x->attrs, attrs[i], len, NULL) < 0)
			b->w.err = ERR_INVAL; /* our own policy: checked at table init */
	}
	sa.n_xforms = (uint8_t)n;
	wire_build_p1sa(b, &sa);
}

/* The first of our policies that accepts offer, or NULL. */
static const struct ike1_policy *accepting(const struct ike1_policy *ps, size_t n,
					   const struct ike1_policy *offer)
{
	for (size_t i = 0; i < n; i++)
		if (ike1_policy_accepts(&ps[i], offer))
			return &ps[i];
	return NULL;
}

int ike1_policy_choose(const struct ike1_policy *ps, size_t n, bool weak_groups,
		       const struct wire_p1sa *offer, size_t *prop, size_t *xform,
		       struct ike1_policy *chosen)
{
	for (size_t p = 0; p < offer->n_props; p++) {
		const struct wire_p1_prop *pr = &offer->props[p];
		if (pr->proto != WIRE_PROTO_ISAKMP)
			continue;
		for (size_t i = pr->first; i < (size_t)pr->first + pr->n_xforms; i++) {
			struct ike1_policy o;
			if (ike1_policy_from_xform(&offer->xforms[i], &o) < 0 ||
			    (weak_group(o.group) && !weak_groups) || !accepting(ps, n, &o))
				continue;
			if (!o.life_sec)
				o.life_sec = IKE1_LIFE_ABSENT_SEC;
			*prop = p;
			*xform = i;
			*chosen = o;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

void ike1_policy_build_answer(struct wire_builder *b, const struct wire_p1sa *offer, size_t prop,
			      size_t xform)
{
	struct wire_p1sa sa = {
	    .doi = offer->doi, .situation = offer->situation, .n_props = 1, .n_xforms = 1};
	sa.props[0] = offer->props[prop];
	sa.props[0].n_xforms = 1;
	sa.props[0].first = 0;
	sa.xforms[0] = offer->xforms[xform];
	wire_build_p1sa(b, &sa);
}

int ike1_policy_check_answer(const struct ike1_policy *ps, size_t n, const struct wire_p1sa *ans,
			     struct ike1_policy *chosen)
{
	if (ans->n_props != 1 || ans->n_xforms != 1 || ans->props[0].proto != WIRE_PROTO_ISAKMP)
		return ERR_PROTO;
	if (ike1_policy_from_xform(&ans->xforms[0], chosen) < 0)
		return ERR_NOTFOUND;
	const struct ike1_policy *mine = accepting(ps, n, chosen);
	if (!mine)
		return ERR_NOTFOUND;
	if (!chosen->life_sec)
		chosen->life_sec = mine->life_sec;
	return 0;
}

static const char *cipher_text(enum crypto_cbc_alg c)
{
	switch (c) {
	case CRYPTO_CBC_3DES:
		return "3des";
	case CRYPTO_CBC_AES128:
		return "aes-128";
	case CRYPTO_CBC_AES192:
		return "aes-192";
	case CRYPTO_CBC_AES256:
		return "aes-256";
	default:
		return "?";
	}
}

int ike1_policy_format(const struct ike1_policy *p, char *out, size_t cap)
{
	return snprintf(out, cap, "%s %s %s group%u %" PRIu32 "s", cipher_text(p->cipher),
			crypto_hash_name(p->hash), p->auth == WIRE_P1_AUTH_PSK ? "psk" : "auth?",
			p->group, p->life_sec);
}
