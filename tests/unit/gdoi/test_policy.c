/*
 * gdoi/policy and policy_wire: the policy through the GDOI SA and KD
 * payloads and back (every transform), ACL lines for members with and
 * without the ACL-extension capability, port operators, the GM's
 * validation failures and their reasons, and the small helpers (transform
 * and ACL text, outbound TEK, expiry, the capability VID).
 */
#include "test.h"

#include <stdlib.h>

#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "dp/acl.h"
#include "gdoi/caps.h"
#include "gdoi/policy_wire.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "vectors.h"
#include "wire/build.h"
#include "wire/names.h"

#define NOW (1000 * NS_PER_SEC)

static uint8_t spki[GDOI_SPKI_MAX];
static size_t spki_len;

static const struct gdoi_acl_entry lines[] = {
    {.seq = 10, .action = GDOI_ACL_DENY, .proto = 1, .src_wild = ~0u, .dst_wild = ~0u},
    {.seq = 20,
     .action = GDOI_ACL_DENY,
     .proto = 17,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .sport = {GDOI_PORT_EQ, 848, 0},
     .dport = {GDOI_PORT_EQ, 848, 0}},
    {.seq = 30,
     .action = GDOI_ACL_PERMIT,
     .proto = 6,
     .src = 0x0a010000,
     .src_wild = 0xffff,
     .dst = 0x0a020001,
     .dport = {GDOI_PORT_RANGE, 1000, 2000}},
    {.seq = 40, .action = GDOI_ACL_PERMIT, .proto = 0, .src_wild = ~0u, .dst_wild = ~0u},
};

static void fill_pattern(uint8_t *p, size_t n, uint8_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

static struct gdoi_tek make_tek(uint32_t spi, uint16_t sa, struct gdoi_transform xf,
				uint64_t created)
{
	struct gdoi_tek t = {.spi = spi,
			     .sa_num = sa,
			     .xf = xf,
			     .has_keys = true,
			     .life_sec = 3600,
			     .created_ns = created,
			     .expires_ns = created + 3600 * NS_PER_SEC,
			     .replay = GDOI_REPLAY_TIME,
			     .replay_window = 4};
	fill_pattern(t.enc_key, sizeof(t.enc_key), (uint8_t)spi);
	fill_pattern(t.auth_key, sizeof(t.auth_key), (uint8_t)(spi >> 8));
	return t;
}

/* A KS policy: AES-128 KEK, one TEK of xf for `sa ipsec 1` with the four lines. */
static void make_policy(struct gdoi_policy *p, struct gdoi_transform xf)
{
	gdoi_policy_clear(p);
	p->has_kek = true;
	struct gdoi_kek *k = &p->kek;
	fill_pattern(k->spi, sizeof(k->spi), 0x40);
	k->alg = CRYPTO_CBC_AES128;
	fill_pattern(k->key, sizeof(k->key), 0x70);
	fill_pattern(k->iv, sizeof(k->iv), 0x90);
	k->has_keys = true;
	k->life_sec = 86400;
	k->created_ns = NOW;
	k->expires_ns = NOW + 86400 * NS_PER_SEC;
	k->sig_hash = CRYPTO_HASH_SHA256;
	k->sig_alg = WIRE_SIG_ALG_RSA;
	k->sig_key_bits = 2048;
	k->ks_addr = 0x0a010b02;
	p->n_teks = 1;
	p->tek[0] = make_tek(0x8bf147ef, 1, xf, NOW);
	p->n_acl = 4;
	for (size_t i = 0; i < 4; i++) {
		p->acl[i] = lines[i];
		p->acl[i].sa_num = 1;
	}
	p->has_gap = true;
	p->atd_sec = 60;
	p->dtd_sec = 90;
	p->has_seq = true;
	p->seq = 7;
	memcpy(p->spki, spki, spki_len);
	p->spki_len = spki_len;
}

/* Optional edit of the wire structs between encoding and the bytes. */
typedef void (*mutate_fn)(struct wire_gdoi_sa *sa, struct wire_kd *kd);

static struct gdoi_arena arena;
static struct wire_gdoi_sa wsa, wsa2;
static struct wire_kd wkd, wkd2;
static uint8_t msg[32768];
static char why[160];
static struct gdoi_withheld withheld;
static const struct gdoi_policy *known; /* the key a member holds, put in before the KD */
static struct crypto_rsa *key_out;	/* set: decode the KD with gdoi_policy_decode_kd_key */

/*
 * Encode p for a member with caps, make a message of the SA and KD, decode
 * it as a GM would. The SA may come from sa_of (a different policy) to make
 * SA and KD disagree. Returns the first failing return code.
 */
static int roundtrip_ex(const struct gdoi_policy *p, const struct gdoi_policy *sa_of, uint32_t caps,
			mutate_fn mutate, struct gdoi_policy *out)
{
	struct gdoi_enc_opts o = {.caps = caps, .now = NOW, .pt_ms = 621388660};
	why[0] = 0;
	int rc = gdoi_policy_encode_sa(sa_of ? sa_of : p, &o, &arena, &wsa, &withheld);
	if (rc == 0)
		rc = gdoi_policy_encode_kd(p, &o, &arena, &wkd);
	if (rc < 0)
		return rc;
	if (mutate)
		mutate(&wsa, &wkd);
	struct wire_builder b;
	struct wire_isakmp_hdr h = {.version = WIRE_ISAKMP_VERSION,
				    .exch = WIRE_EXCH_GROUPKEY_PULL};
	wire_build_init(&b, msg, sizeof(msg), &h);
	wire_build_gdoi_sa(&b, &wsa, WIRE_DIALECT_RFC6407);
	wire_build_kd(&b, &wkd);
	int len = wire_build_finish(&b);
	gdoi_arena_wipe(&arena);
	assert_true(len > 0);
	struct wire_msg m;
	assert_int_equal(wire_msg_decode(msg, (size_t)len, &m, NULL), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(wire_gdoi_sa_decode(&m.pl[0], WIRE_DIALECT_AUTO, &wsa2, NULL), 0);
	assert_int_equal(wire_kd_decode(&m.pl[1], &wkd2, NULL), 0);
	rc = gdoi_policy_decode_sa(&wsa2, NOW, out, why, sizeof(why));
	if (rc == 0 && known) {
		memcpy(out->spki, known->spki, known->spki_len);
		out->spki_len = known->spki_len;
		out->spki_bits = known->spki_bits;
	}
	if (rc == 0 && key_out)
		rc = gdoi_policy_decode_kd_key(out, &wkd2, key_out, why, sizeof(why));
	else if (rc == 0)
		rc = gdoi_policy_decode_kd(out, &wkd2, why, sizeof(why));
	return rc;
}

static int roundtrip(const struct gdoi_policy *p, uint32_t caps, struct gdoi_policy *out)
{
	return roundtrip_ex(p, NULL, caps, NULL, out);
}

static void expect_same_tek(const struct gdoi_tek *a, const struct gdoi_tek *b)
{
	assert_int_equal(a->spi, b->spi);
	assert_true(gdoi_transform_equal(&a->xf, &b->xf));
	assert_true(b->has_keys);
	assert_memory_equal(a->enc_key, b->enc_key, gdoi_transform_enc_len(&a->xf));
	assert_memory_equal(a->auth_key, b->auth_key, gdoi_transform_auth_len(&a->xf));
	/* The wire carries the lifetime left; the GM counts from when it got it. */
	assert_int_equal(b->life_sec, gdoi_remaining_sec(a->expires_ns, NOW));
	assert_int_equal(a->expires_ns, b->expires_ns);
	assert_int_equal(a->receive_only, b->receive_only);
}

static void expect_same(const struct gdoi_policy *a, const struct gdoi_policy *b)
{
	assert_int_equal(a->has_kek, b->has_kek);
	assert_memory_equal(a->kek.spi, b->kek.spi, GDOI_KEK_SPI_LEN);
	assert_int_equal(a->kek.alg, b->kek.alg);
	assert_memory_equal(a->kek.key, b->kek.key, crypto_cbc_key_len(a->kek.alg));
	assert_memory_equal(a->kek.iv, b->kek.iv, crypto_cbc_block_len(a->kek.alg));
	assert_int_equal(a->kek.life_sec, b->kek.life_sec);
	assert_int_equal(a->kek.sig_hash, b->kek.sig_hash);
	assert_int_equal(a->kek.sig_key_bits, b->kek.sig_key_bits);
	assert_int_equal(a->kek.ks_addr, b->kek.ks_addr);
	assert_int_equal(a->kek.multicast, b->kek.multicast);
	assert_int_equal(a->kek.mcast_addr, b->kek.mcast_addr);
	assert_int_equal(a->n_teks, b->n_teks);
	for (size_t i = 0; i < a->n_teks; i++)
		expect_same_tek(&a->tek[i], &b->tek[i]);
	assert_int_equal(a->n_acl, b->n_acl);
	for (size_t i = 0; i < a->n_acl; i++)
		assert_true(gdoi_acl_line_equal(&a->acl[i], &b->acl[i]));
	assert_int_equal(a->atd_sec, b->atd_sec);
	assert_int_equal(a->dtd_sec, b->dtd_sec);
	assert_int_equal(a->spki_len, b->spki_len);
	assert_memory_equal(a->spki, b->spki, a->spki_len);
}

/* ---- round trips ---- */

static const struct gdoi_transform transforms[] = {
    {GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA1},   {GDOI_ENC_AES_CBC, 192, GDOI_AUTH_SHA256},
    {GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA384}, {GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256},
    {GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE},   {GDOI_ENC_AES_GCM, 256, GDOI_AUTH_NONE},
    {GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1},      {GDOI_ENC_3DES, 192, GDOI_AUTH_SHA256},
    {GDOI_ENC_NULL, 0, GDOI_AUTH_SHA1},	       {GDOI_ENC_NULL, 0, GDOI_AUTH_SHA256},
    {GDOI_ENC_NULL, 0, GDOI_AUTH_SHA384},
};

static void test_roundtrip_every_transform(void **state)
{
	(void)state;
	static struct gdoi_policy p, q;
	for (size_t i = 0; i < sizeof(transforms) / sizeof(transforms[0]); i++) {
		make_policy(&p, transforms[i]);
		int rc = roundtrip(&p, GDOI_CAPS_ALL, &q);
		if (rc < 0)
			fail_msg("transform %zu: %s (%s)", i, err_name(rc), why);
		expect_same(&p, &q);
		assert_true(q.kek.has_keys);
		assert_int_equal(q.tek[0].replay, GDOI_REPLAY_TIME);
		assert_int_equal(q.tek[0].replay_window, 4);
		assert_true(q.has_pseudotime);
		assert_int_equal(q.pt_ms, 621388660);
		assert_int_equal(q.tek[0].sa_num, 1);
	}
	/* GCM key packets carry the 4-octet salt after the key. */
	make_policy(&p, transforms[5]);
	assert_int_equal(gdoi_transform_enc_len(&p.tek[0].xf), 36);
}

static void test_roundtrip_kek_variants(void **state)
{
	(void)state;
	static struct gdoi_policy p, q;
	static const enum crypto_cbc_alg algs[] = {CRYPTO_CBC_3DES, CRYPTO_CBC_AES128,
						   CRYPTO_CBC_AES192, CRYPTO_CBC_AES256};
	for (size_t i = 0; i < 4; i++) {
		make_policy(&p, transforms[0]);
		p.kek.alg = algs[i];
		p.kek.multicast = i & 1;
		p.kek.mcast_addr = i & 1 ? 0xefc001be : 0; /* 239.192.1.190 */
		p.kek.sig_hash = i == 3 ? CRYPTO_HASH_SHA384 : CRYPTO_HASH_SHA1;
		assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
		expect_same(&p, &q);
	}
	/* Unicast: ACKs are requested from members that can send them, only. */
	make_policy(&p, transforms[0]);
	p.kek.ack_requested = true;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_true(q.kek.ack_requested);
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL & ~GDOI_CAP_REKEY_ACK, &q), 0);
	assert_false(q.kek.ack_requested);
	/* No KEK at all: SEQ-less, the GM re-registers instead of being rekeyed. */
	make_policy(&p, transforms[0]);
	p.has_kek = false;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_false(q.has_kek);
}

/* Two generations of `sa ipsec 1` and one of `sa ipsec 5`: SPIs and lines regroup. */
static void test_roundtrip_generations_and_sets(void **state)
{
	(void)state;
	static struct gdoi_policy p, q;
	make_policy(&p, transforms[3]);
	p.tek[0] = make_tek(0x8bf147ef, 1, transforms[3], NOW - 3000 * NS_PER_SEC);
	p.tek[1] = make_tek(0x22334455, 1, transforms[3], NOW);
	p.tek[2] = make_tek(0x99887766, 5, transforms[5], NOW);
	p.n_teks = 3;
	p.acl[4] = (struct gdoi_acl_entry){.seq = 10,
					   .action = GDOI_ACL_PERMIT,
					   .proto = 17,
					   .src = 0x0a030000,
					   .src_wild = 0xff,
					   .dst_wild = ~0u,
					   .sa_num = 5};
	p.n_acl = 5;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_int_equal(wsa.n_teks, 9);    /* 4 lines x 2 TEKs + 1 line */
	assert_int_equal(wkd.n_packets, 4); /* KEK + one per SPI */
	assert_int_equal(q.n_teks, 3);
	assert_int_equal(q.n_acl, 5);
	assert_int_equal(q.tek[0].sa_num, 1);
	assert_int_equal(q.tek[1].sa_num, 1); /* the newer TEK joins the set of its lines */
	assert_int_equal(q.tek[2].sa_num, 2); /* `sa ipsec 5` is the GM's set 2 */
	assert_int_equal(q.acl[4].sa_num, 2);
	expect_same_tek(&p.tek[1], &q.tek[1]);
	/* The sender uses the oldest running TEK of a set: everybody has that one. */
	assert_int_equal(gdoi_policy_outbound(&q, 1, NOW)->spi, 0x8bf147ef);
	assert_int_equal(q.tek[0].life_sec, 600);
	assert_int_equal(gdoi_policy_outbound(&q, 1, NOW + 600 * NS_PER_SEC)->spi, 0x22334455);
}

/* ---- ACL lines and capabilities ---- */

static void test_acl_extensions_only_to_capable_members(void **state)
{
	(void)state;
	static struct gdoi_policy p, q;
	make_policy(&p, transforms[0]);
	/* gvpn member: every line, deny lines and the port range included, with numbers. */
	assert_int_equal(roundtrip(&p, GDOI_CAP_ACL_EXT, &q), 0);
	assert_int_equal(withheld.n, 0);
	assert_int_equal(q.n_acl, 4);
	assert_int_equal(q.acl[0].action, GDOI_ACL_DENY);
	assert_int_equal(q.acl[1].seq, 20);
	assert_int_equal(q.acl[2].dport.op, GDOI_PORT_RANGE);
	assert_int_equal(q.acl[2].dport.a, 1000);
	assert_int_equal(q.acl[2].dport.b, 2000);
	assert_false(q.has_pseudotime); /* no TBAR capability: no replay attributes */
	assert_int_equal(q.tek[0].replay, GDOI_REPLAY_NONE);
	/* Plain RFC 6407 member: only what plain selectors express, and we learn what is withheld.
	 */
	assert_int_equal(roundtrip(&p, 0, &q), 0);
	assert_int_equal(withheld.n, 3);
	assert_int_equal(withheld.seq[0], 10);
	assert_int_equal(withheld.seq[1], 20);
	assert_int_equal(withheld.seq[2], 30);
	assert_int_equal(q.n_acl, 1);
	assert_int_equal(q.acl[0].seq, 0);
	assert_int_equal(q.acl[0].proto, 0);
	assert_int_equal(q.acl[0].src_wild, ~0u);
	/* A set whose lines are all withheld does not get its TEK keys either. */
	p.acl[3].sa_num = 2;
	p.tek[1] = make_tek(0x55667788, 2, transforms[0], NOW);
	p.n_teks = 2;
	assert_int_equal(roundtrip(&p, 0, &q), 0);
	assert_int_equal(wkd.n_packets, 2); /* KEK and the TEK of set 2 */
	assert_int_equal(q.n_teks, 1);
	assert_int_equal(q.tek[0].spi, 0x55667788);
	/* Nothing expressible at all: the encoder says so. */
	p.n_acl = 3;
	assert_int_equal(roundtrip(&p, 0, &q), ERR_INVAL);
}

static void test_port_operators_on_the_wire(void **state)
{
	(void)state;
	static const struct {
		struct gdoi_ports in, out;
	} cases[] = {
	    {{GDOI_PORT_ANY, 0, 0}, {GDOI_PORT_ANY, 0, 0}},
	    {{GDOI_PORT_EQ, 80, 0}, {GDOI_PORT_EQ, 80, 0}},
	    {{GDOI_PORT_NEQ, 80, 0}, {GDOI_PORT_NEQ, 80, 0}},
	    {{GDOI_PORT_LT, 1024, 0}, {GDOI_PORT_LT, 1024, 0}},
	    {{GDOI_PORT_GT, 1023, 0}, {GDOI_PORT_GT, 1023, 0}},
	    {{GDOI_PORT_RANGE, 5000, 6000}, {GDOI_PORT_RANGE, 5000, 6000}},
	    {{GDOI_PORT_RANGE, 0, 10}, {GDOI_PORT_LT, 11, 0}}, /* same matches */
	    {{GDOI_PORT_RANGE, 7, 7}, {GDOI_PORT_EQ, 7, 0}},
	    {{GDOI_PORT_NEQ, 0, 0}, {GDOI_PORT_GT, 0, 0}},
	    {{GDOI_PORT_NEQ, 65535, 0}, {GDOI_PORT_LT, 65535, 0}},
	    {{GDOI_PORT_NEQ, 1, 0}, {GDOI_PORT_NEQ, 1, 0}},
	    {{GDOI_PORT_EQ, 0, 0}, {GDOI_PORT_EQ, 0, 0}}, /* not "any": needs the attribute */
	    {{GDOI_PORT_LT, 1, 0}, {GDOI_PORT_EQ, 0, 0}},
	};
	static struct gdoi_policy p, q;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_policy(&p, transforms[0]);
		p.acl[2].sport = cases[i].in;
		p.acl[2].dport = cases[i].in;
		int rc = roundtrip(&p, GDOI_CAP_ACL_EXT, &q);
		if (rc < 0)
			fail_msg("case %zu: %s", i, why);
		const struct gdoi_ports *s = &q.acl[2].sport, *d = &q.acl[2].dport;
		if (s->op != cases[i].out.op || s->a != cases[i].out.a ||
		    d->op != cases[i].out.op ||
		    (cases[i].out.op == GDOI_PORT_RANGE && (s->b != cases[i].out.b)))
			fail_msg("case %zu: got op %u a %u b %u", i, s->op, s->a, s->b);
	}
}

/* ---- validation failures ---- */

static uint8_t attrs_buf[256];

/* Replace the attributes of the first SA TEK with what put() writes. */
static void set_tek_attrs(struct wire_gdoi_sa *sa, void (*put)(struct buf_writer *w))
{
	struct buf_writer w;
	buf_w_init(&w, attrs_buf, sizeof(attrs_buf));
	put(&w);
	assert_int_equal(wire_attrs_from(&sa->teks[0].attrs, attrs_buf, w.len, NULL), 0);
}

static void mut_des(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	sa->teks[0].transform_id = WIRE_ESP_DES;
}

static void mut_ah(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	sa->teks[0].proto_id = WIRE_GDOI_PROTO_IPSEC_AH;
}

static void mut_range_id(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	static const uint8_t range[8] = {10, 0, 0, 1, 10, 0, 0, 9};
	(void)kd;
	sa->teks[0].src =
	    (struct wire_gdoi_id){.type = WIRE_ID_IPV4_ADDR_RANGE, .data = range, .len = 8};
}

static void mut_no_tek_keys(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)sa;
	kd->n_packets = 1; /* only the KEK */
}

static void mut_zero_kek_spi(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	memset(sa->kek.spi, 0, sizeof(sa->kek.spi));
}

static void put_esn(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(w, WIRE_TEKA_LIFE_DURATION, 600);
	wire_attr_put_tv(w, WIRE_TEKA_AUTH_ALG, WIRE_AUTH_HMAC_SHA1);
	wire_attr_put_tv(w, WIRE_TEKA_KEY_LENGTH, 128);
	wire_attr_put_tv(w, WIRE_TEKA_ESN, 1);
}

static void mut_esn(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	set_tek_attrs(sa, put_esn);
}

static void put_bad_range(struct buf_writer *w)
{
	static const uint8_t range[8] = {0, 10, 0, 5, 0, 0, 0xff, 0xff}; /* 10-5: no operator */
	wire_attr_put_tv(w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(w, WIRE_TEKA_LIFE_DURATION, 600);
	wire_attr_put_tv(w, WIRE_TEKA_AUTH_ALG, WIRE_AUTH_HMAC_SHA1);
	wire_attr_put_tv(w, WIRE_TEKA_KEY_LENGTH, 128);
	wire_attr_put_tlv(w, WIRE_TEKA_GVPN_PORT_RANGE, range, sizeof(range));
}

static void mut_bad_range(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	set_tek_attrs(sa, put_bad_range);
}

static void put_no_life(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_TEKA_AUTH_ALG, WIRE_AUTH_HMAC_SHA1);
	wire_attr_put_tv(w, WIRE_TEKA_KEY_LENGTH, 128);
}

static void mut_no_life(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	set_tek_attrs(sa, put_no_life);
}

static void put_lkh(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_KEKA_MGMT_ALG, WIRE_KEK_MGMT_LKH);
}

static void mut_lkh(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	(void)kd;
	struct buf_writer w;
	buf_w_init(&w, attrs_buf, sizeof(attrs_buf));
	put_lkh(&w);
	assert_int_equal(wire_attrs_from(&sa->kek.attrs, attrs_buf, w.len, NULL), 0);
}

static void mut_bad_pubkey(struct wire_gdoi_sa *sa, struct wire_kd *kd)
{
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	(void)sa;
	struct buf_writer w;
	buf_w_init(&w, attrs_buf, sizeof(attrs_buf));
	uint8_t ivkey[32] = {0};
	wire_attr_put_tlv(&w, WIRE_KDA_KEK_ALG_KEY, ivkey, sizeof(ivkey));
	wire_attr_put_tlv(&w, WIRE_KDA_KEK_SIG_ALG_KEY, junk, sizeof(junk));
	assert_int_equal(wire_attrs_from(&kd->pk[0].attrs, attrs_buf, w.len, NULL), 0);
}

struct bad_case {
	const char *name;
	void (*edit)(struct gdoi_policy *p); /* on the policy before encoding */
	mutate_fn mutate;		     /* on the wire structs */
	int rc;
	const char *why;
};

static void edit_spi0(struct gdoi_policy *p)
{
	p->tek[0].spi = 0;
}
static void edit_spi_reserved(struct gdoi_policy *p)
{
	p->tek[0].spi = 255;
}
static void edit_key_bits(struct gdoi_policy *p)
{
	p->tek[0].xf.key_bits = 136;
}
static void edit_gcm_hmac(struct gdoi_policy *p)
{
	p->tek[0].xf = (struct gdoi_transform){GDOI_ENC_AES_GCM, 128, GDOI_AUTH_SHA1};
}
static void edit_null_no_auth(struct gdoi_policy *p)
{
	p->tek[0].xf = (struct gdoi_transform){GDOI_ENC_NULL, 0, GDOI_AUTH_NONE};
}
static void edit_mask(struct gdoi_policy *p)
{
	p->acl[3].src_wild = 0x00ff00ff;
}
static void edit_zero_life(struct gdoi_policy *p)
{
	p->tek[0].expires_ns = NOW;
}
static void edit_kek_life(struct gdoi_policy *p)
{
	p->kek.expires_ns = NOW;
}
static void edit_sig_bits(struct gdoi_policy *p)
{
	p->kek.sig_key_bits = 1024;
}

static const struct bad_case bad[] = {
    {"unknown transform", NULL, mut_des, ERR_UNSUPP, "ESP transform 2 (ESP_DES) not supported"},
    {"AH", NULL, mut_ah, ERR_UNSUPP, "TEK protocol 2 (GDOI_PROTO_IPSEC_AH) not supported"},
    {"key length", edit_key_bits, NULL, ERR_UNSUPP,
     "AES-CBC key length not 128/192/256 (key length 136)"},
    {"GCM with HMAC", edit_gcm_hmac, NULL, ERR_UNSUPP, "AES-GCM with an HMAC (key length 128)"},
    {"NULL without HMAC", edit_null_no_auth, NULL, ERR_UNSUPP,
     "ESP-NULL needs an HMAC (key length 0)"},
    {"SPI 0", edit_spi0, NULL, ERR_INVAL, "TEK SPI 0x00000000 is reserved"},
    {"SPI 255", edit_spi_reserved, NULL, ERR_INVAL, "TEK SPI 0x000000ff is reserved"},
    {"mask", edit_mask, NULL, ERR_INVAL, "subnet mask ff00ff00 is not contiguous"},
    {"range selector", NULL, mut_range_id, ERR_UNSUPP,
     "selector type 7 (ID_IPV4_ADDR_RANGE) not supported"},
    {"TEK lifetime 0", edit_zero_life, NULL, ERR_INVAL, "TEK lifetime 0 s not acceptable"},
    {"KEK lifetime 0", edit_kek_life, NULL, ERR_INVAL, "KEK lifetime 0 s not acceptable"},
    {"no lifetime", NULL, mut_no_life, ERR_INVAL, "TEK lifetime 0 s not acceptable"},
    {"ESN", NULL, mut_esn, ERR_UNSUPP, "extended sequence numbers on a group SA"},
    {"port range", NULL, mut_bad_range, ERR_INVAL, "GVPN_PORT_RANGE 10-5 0-65535"},
    {"LKH", NULL, mut_lkh, ERR_UNSUPP, "KEK management algorithm 1 (LKH) not supported"},
    {"KEK SPI 0", NULL, mut_zero_kek_spi, ERR_INVAL, "KEK SPI is zero"},
    {"no TEK keys", NULL, mut_no_tek_keys, ERR_INVAL, "no TEK key packet for SPI 0x8bf147ef"},
    {"public key", NULL, mut_bad_pubkey, ERR_INVAL, "SIG_ALGORITHM_KEY is not an RSA public key"},
    {"key length of the public key", edit_sig_bits, NULL, ERR_INVAL,
     "public key of 2048 bits, SIG_KEY_LENGTH says 1024"},
};

static void test_gm_rejects_with_a_reason(void **state)
{
	(void)state;
	static struct gdoi_policy p, q;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_policy(&p, transforms[0]);
		if (bad[i].edit)
			bad[i].edit(&p);
		int rc = roundtrip_ex(&p, NULL, GDOI_CAPS_ALL, bad[i].mutate, &q);
		if (rc != bad[i].rc || strcmp(why, bad[i].why))
			fail_msg("%s: %s \"%s\"", bad[i].name, err_name(rc), why);
		assert_false(q.tek[0].has_keys); /* nothing half-accepted */
	}
}

/* The KD must carry keys of the lengths the SA's transform says. */
static void test_kd_key_lengths_must_fit_the_transform(void **state)
{
	(void)state;
	static struct gdoi_policy sa_pol, kd_pol, q;
	make_policy(&sa_pol, (struct gdoi_transform){GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA1});
	make_policy(&kd_pol, (struct gdoi_transform){GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA1});
	assert_int_equal(roundtrip_ex(&kd_pol, &sa_pol, GDOI_CAPS_ALL, NULL, &q), ERR_INVAL);
	assert_string_equal(why, "TEK_ALGORITHM_KEY of SPI 0x8bf147ef is not 32 octets");
	make_policy(&kd_pol, (struct gdoi_transform){GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256});
	assert_int_equal(roundtrip_ex(&kd_pol, &sa_pol, GDOI_CAPS_ALL, NULL, &q), ERR_INVAL);
	assert_string_equal(why, "TEK_INTEGRITY_KEY of SPI 0x8bf147ef is not 20 octets");
	make_policy(&kd_pol, (struct gdoi_transform){GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA1});
	kd_pol.kek.alg = CRYPTO_CBC_AES256;
	assert_int_equal(roundtrip_ex(&kd_pol, &sa_pol, GDOI_CAPS_ALL, NULL, &q), ERR_INVAL);
	assert_string_equal(why, "KEK_ALGORITHM_KEY is not IV | key of AES-128-CBC (32 octets)");
	assert_false(q.kek.has_keys);
}

/*
 * A public key the member already holds (spki with spki_bits) is not decoded
 * again: the same bytes pass even when they are no key at all, any other
 * bytes are decoded, and the size must still be SIG_KEY_LENGTH's.
 */
static void test_known_public_key_is_not_decoded(void **state)
{
	(void)state;
	static struct gdoi_policy p, held, q;
	make_policy(&p, transforms[0]);
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_int_equal(q.spki_bits, 2048); /* decoded: a registration */
	/* Bytes that do not decode as a key, known with their size: accepted. */
	fill_pattern(p.spki, 300, 0x30);
	p.spki_len = 300;
	held = p;
	held.spki_bits = 2048;
	known = &held;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_int_equal(q.spki_len, 300);
	assert_memory_equal(q.spki, p.spki, 300);
	assert_int_equal(q.spki_bits, 2048);
	assert_int_equal(q.kek.sig_key_bits, 2048);
	assert_true(q.kek.has_keys && q.tek[0].has_keys);
	/* SIG_KEY_LENGTH is still checked against the known size. */
	p.kek.sig_key_bits = 1024;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), ERR_INVAL);
	assert_string_equal(why, "public key of 2048 bits, SIG_KEY_LENGTH says 1024");
	assert_false(q.kek.has_keys);
	p.kek.sig_key_bits = 2048;
	/* Other bytes (one octet, or the length) are decoded, and refused. */
	p.spki[299] ^= 1;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), ERR_INVAL);
	assert_string_equal(why, "SIG_ALGORITHM_KEY is not an RSA public key");
	p.spki[299] ^= 1;
	p.spki_len = 299;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), ERR_INVAL);
	assert_string_equal(why, "SIG_ALGORITHM_KEY is not an RSA public key");
	p.spki_len = 300;
	/* The same bytes without a known size are decoded too. */
	held.spki_bits = 0;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), ERR_INVAL);
	assert_string_equal(why, "SIG_ALGORITHM_KEY is not an RSA public key");
	/* A real key other than the known one is decoded and taken. */
	held.spki_bits = 2048;
	make_policy(&p, transforms[0]);
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_int_equal(q.spki_len, spki_len);
	assert_memory_equal(q.spki, spki, spki_len);
	assert_int_equal(q.spki_bits, 2048);
	known = NULL;
}

/* The key the KD decoder decoded is handed over; none when it was known or refused. */
static void test_decoded_key_is_handed_over(void **state)
{
	(void)state;
	static struct gdoi_policy p, held, q;
	struct crypto_rsa k;
	key_out = &k;
	make_policy(&p, transforms[0]);
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_non_null(k.key);
	assert_int_equal(k.bits, 2048);
	assert_false(k.has_private);
	struct dbuf d = DBUF_INIT;
	assert_int_equal(crypto_rsa_public_spki(&k, &d), 0);
	assert_int_equal(d.len, spki_len);
	assert_memory_equal(d.p, spki, spki_len);
	dbuf_free(&d);
	crypto_rsa_clear(&k);
	/* The key the member holds: not decoded, nothing handed over. */
	held = q;
	known = &held;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), 0);
	assert_null(k.key);
	known = NULL;
	/* Refused after the key was decoded: nothing handed over either. */
	p.kek.sig_key_bits = 1024;
	assert_int_equal(roundtrip(&p, GDOI_CAPS_ALL, &q), ERR_INVAL);
	assert_null(k.key);
	p.kek.sig_key_bits = 2048;
	assert_int_equal(roundtrip_ex(&p, NULL, GDOI_CAPS_ALL, mut_no_tek_keys, &q), ERR_INVAL);
	assert_null(k.key);
	key_out = NULL;
}

/* ---- helpers ---- */

static void test_transform_text(void **state)
{
	(void)state;
	static const struct {
		struct gdoi_transform x;
		const char *text;
	} cases[] = {
	    {{GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA1}, "esp-aes esp-sha-hmac"},
	    {{GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256}, "esp-aes 256 esp-sha256-hmac"},
	    {{GDOI_ENC_AES_CBC, 192, GDOI_AUTH_SHA384}, "esp-aes 192 esp-sha384-hmac"},
	    {{GDOI_ENC_AES_GCM, 256, GDOI_AUTH_NONE}, "esp-gcm 256"},
	    {{GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1}, "esp-3des esp-sha-hmac"},
	    {{GDOI_ENC_NULL, 0, GDOI_AUTH_SHA1}, "esp-null esp-sha-hmac"},
	};
	char buf[48];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gdoi_transform_format(&cases[i].x, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(gdoi_transform_check(&cases[i].x, NULL), 0);
	}
}

static void test_acl_text(void **state)
{
	(void)state;
	static const struct {
		struct gdoi_acl_entry e;
		const char *text;
	} cases[] = {
	    {{.action = GDOI_ACL_DENY, .proto = 1, .src_wild = ~0u, .dst_wild = ~0u},
	     "access-list deny icmp any any"},
	    {{.action = GDOI_ACL_DENY,
	      .proto = 0,
	      .src_wild = ~0u,
	      .dst = 0xe0000000,
	      .dst_wild = 0x0fffffff},
	     "access-list deny ip any 224.0.0.0 15.255.255.255"},
	    {{.action = GDOI_ACL_PERMIT,
	      .proto = 17,
	      .src = 0x0a000001,
	      .dst_wild = ~0u,
	      .sport = {GDOI_PORT_NEQ, 53, 0},
	      .dport = {GDOI_PORT_LT, 1024, 0}},
	     "access-list permit udp host 10.0.0.1 port != 53 any port < 1024"},
	    {{.action = GDOI_ACL_PERMIT,
	      .proto = 6,
	      .src_wild = ~0u,
	      .dst_wild = ~0u,
	      .sport = {GDOI_PORT_GT, 1023, 0}},
	     "access-list permit tcp any port > 1023 any"},
	    {{.action = GDOI_ACL_PERMIT, .proto = 99, .src_wild = ~0u, .dst_wild = ~0u},
	     "access-list permit 99 any any"},
	};
	char buf[160];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = gdoi_acl_entry_format(&cases[i].e, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(n, (int)strlen(cases[i].text));
	}
	/* Short buffers are cut and the full length is still reported. */
	int n = gdoi_acl_entry_format(&cases[2].e, buf, 10);
	assert_int_equal(n, (int)strlen(cases[2].text));
	assert_string_equal(buf, "access-li");
}

/* The daemon hands the ACL to dp/acl: same lines, same text in both renderers. */
static void test_acl_to_data_plane(void **state)
{
	(void)state;
	struct gdoi_acl_entry in[5];
	struct dp_acl_entry out[8];
	memcpy(in, lines, sizeof(lines));
	for (size_t i = 0; i < 4; i++)
		in[i].sa_num = 3;
	/* gdoid's "any protocol, port 5000" selector */
	in[4] = (struct gdoi_acl_entry){.seq = 50,
					.action = GDOI_ACL_PERMIT,
					.proto = 0,
					.src = 0x0af80001,
					.dst = 0xefc00101,
					.sport = {GDOI_PORT_EQ, 5000, 0},
					.dport = {GDOI_PORT_EQ, 5000, 0},
					.sa_num = 3};
	int n = gdoi_acl_to_dp(in, 5, out, 8);
	assert_int_equal(n, 7);
	assert_int_equal(out[4].proto, 6);
	assert_int_equal(out[5].proto, 17);
	assert_int_equal(out[6].proto, 132);
	assert_int_equal(out[6].seq, 50);
	assert_int_equal(out[0].tek_tag, 3);
	assert_int_equal(gdoi_acl_to_dp(in, 5, out, 6), ERR_NOSPACE);
	struct dp_acl *acl;
	assert_int_equal(dp_acl_create("downloaded", out, (size_t)n, 1, &acl), 0);
	char a[160], b[160];
	for (size_t i = 0; i < 4; i++) {
		gdoi_acl_entry_format(&in[i], a, sizeof(a));
		dp_acl_render_gm(acl, i, b, sizeof(b));
		assert_string_equal(a, b);
	}
	dp_acl_unref(acl);
}

static void test_acl_entry_checks(void **state)
{
	(void)state;
	struct gdoi_acl_entry e = {.action = GDOI_ACL_PERMIT,
				   .proto = 1,
				   .src_wild = ~0u,
				   .dst_wild = ~0u,
				   .dport = {GDOI_PORT_EQ, 80, 0}};
	const char *w;
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_CONTIGUOUS, &w), ERR_INVAL);
	assert_string_equal(w, "port operator on a protocol without ports");
	e.proto = 0; /* "any protocol, port 80": only as a received selector */
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_CONTIGUOUS, &w), ERR_INVAL);
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_IP_PORTS, &w), 0);
	e.proto = 6;
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_CONTIGUOUS, &w), 0);
	e.dport = (struct gdoi_ports){GDOI_PORT_RANGE, 9, 8};
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_CONTIGUOUS, &w), ERR_INVAL);
	e.dport = (struct gdoi_ports){GDOI_PORT_LT, 0, 0};
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_CONTIGUOUS, &w), ERR_INVAL);
	e.dport = (struct gdoi_ports){GDOI_PORT_ANY, 0, 0};
	e.src_wild = 0x0000ff0f;
	assert_int_equal(gdoi_acl_entry_check(&e, 0, &w), 0);
	assert_int_equal(gdoi_acl_entry_check(&e, GDOI_ACL_CONTIGUOUS, &w), ERR_INVAL);
	assert_string_equal(w, "non-contiguous wildcard");
	assert_true(gdoi_wild_contiguous(0));
	assert_true(gdoi_wild_contiguous(0xff));
	assert_true(gdoi_wild_contiguous(~0u));
	assert_false(gdoi_wild_contiguous(0x100ff));
}

static void test_expiry_and_outbound(void **state)
{
	(void)state;
	static struct gdoi_policy p;
	make_policy(&p, transforms[0]);
	p.tek[1] = make_tek(0x1111, 1, transforms[0], NOW + 3000 * NS_PER_SEC);
	p.tek[2] = make_tek(0x2222, 1, transforms[0], NOW);
	p.tek[2].receive_only = true;
	p.n_teks = 3;
	uint64_t t = NOW + 10 * NS_PER_SEC;
	assert_int_equal(gdoi_policy_outbound(&p, 1, t)->spi, 0x8bf147ef);
	assert_null(gdoi_policy_outbound(&p, 2, t));
	assert_int_equal(gdoi_remaining_sec(p.tek[0].expires_ns, t), 3590);
	assert_int_equal(gdoi_remaining_sec(p.tek[0].expires_ns, p.tek[0].expires_ns + 1), 0);
	t = NOW + 3600 * NS_PER_SEC;
	assert_int_equal(gdoi_policy_expire_teks(&p, t), 2);
	assert_int_equal(p.n_teks, 1);
	assert_int_equal(p.tek[0].spi, 0x1111);
	assert_int_equal(gdoi_policy_outbound(&p, 1, t)->spi, 0x1111);
}

static void test_capability_vid(void **state)
{
	(void)state;
	uint8_t vid[GDOI_VID_LEN], digest[CRYPTO_HASH_MAX];
	static const char label[] = "gvpn-gdoi-capabilities";
	struct crypto_iov iov = {label, sizeof(label) - 1};
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, digest), 32);
	gdoi_caps_vid(0x23, vid);
	assert_memory_equal(vid, digest, 16);
	assert_int_equal(vid[16], 1);
	assert_int_equal(vid[17], 0);
	struct gdoi_peer_caps c = {0};
	assert_true(gdoi_caps_parse(vid, sizeof(vid), &c));
	assert_true(c.gvpn);
	assert_int_equal(c.caps, 0x23);
	char txt[48];
	gdoi_caps_format(&c, txt, sizeof(txt));
	assert_string_equal(txt, "gvpn 1.0, capabilities 0x00000023");
	assert_false(gdoi_caps_parse(vid, sizeof(vid) - 1, &c));
	vid[3] ^= 1;
	assert_false(gdoi_caps_parse(vid, sizeof(vid), &c));
	struct gdoi_peer_caps plain = {0};
	gdoi_caps_format(&plain, txt, sizeof(txt));
	assert_string_equal(txt, "RFC 6407");
}

static int setup(void **state)
{
	(void)state;
	size_t len;
	uint8_t *pem = test_read_file("gdoid/ks-rsa-pub.pem", &len);
	struct crypto_rsa k;
	struct dbuf d = {0};
	int rc = crypto_rsa_from_pem(&k, (const char *)pem, len);
	if (rc == 0)
		rc = crypto_rsa_public_spki(&k, &d);
	if (rc == 0 && d.len <= sizeof(spki)) {
		memcpy(spki, d.p, d.len);
		spki_len = d.len;
	}
	crypto_rsa_clear(&k);
	dbuf_free(&d);
	free(pem);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_roundtrip_every_transform),
	    TEST(test_roundtrip_kek_variants),
	    TEST(test_roundtrip_generations_and_sets),
	    TEST(test_acl_extensions_only_to_capable_members),
	    TEST(test_port_operators_on_the_wire),
	    TEST(test_gm_rejects_with_a_reason),
	    TEST(test_kd_key_lengths_must_fit_the_transform),
	    TEST(test_known_public_key_is_not_decoded),
	    TEST(test_decoded_key_is_handed_over),
	    TEST(test_transform_text),
	    TEST(test_acl_text),
	    TEST(test_acl_to_data_plane),
	    TEST(test_acl_entry_checks),
	    TEST(test_expiry_and_outbound),
	    TEST(test_capability_vid),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
