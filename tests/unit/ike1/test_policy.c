/*
 * ike1/policy: the MM1 SA body (checked against SAi_b of the derivation
 * examples), transform parsing (unknown attributes refuse the transform),
 * the responder's choice and the initiator's check of MM2.
 */
#include "test.h"
#include "vectors.h"

#include "ike1/policy.h"
#include "util/err.h"
#include "wire/names.h"

static const struct ike1_policy p256 = {CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 19,
					3600};

static void same_policy(const struct ike1_policy *a, const struct ike1_policy *b)
{
	assert_int_equal(a->cipher, b->cipher);
	assert_int_equal(a->hash, b->hash);
	assert_int_equal(a->auth, b->auth);
	assert_int_equal(a->group, b->group);
	assert_int_equal(a->life_sec, b->life_sec);
}

/* Build an SA payload into a message and decode it back. */
static size_t build(const struct ike1_policy *ps, size_t n, uint32_t doi, uint8_t *buf, size_t cap,
		    struct wire_p1sa *sa, const uint8_t **body)
{
	struct wire_isakmp_hdr h = {.version = 0x10, .exch = 2};
	struct wire_builder b;
	wire_build_init(&b, buf, cap, &h);
	ike1_policy_build_offer(&b, ps, n, doi);
	int len = wire_build_finish(&b);
	assert_true(len > 0);
	struct wire_msg m;
	assert_int_equal(wire_msg_decode(buf, (size_t)len, &m, NULL), 0);
	assert_int_equal(wire_p1sa_decode(&m.pl[0], sa, NULL), 0);
	*body = m.pl[0].body;
	return m.pl[0].len;
}

static void test_offer_matches_the_example_sai_b(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/gvpn-ikev1-derivation-examples.txt");
	uint8_t want[128], buf[256];
	size_t n = vfile_hex(f, "prf_hmac_sha256_aes256", "sai_b (SA payload body of message 1)",
			     want, sizeof(want));
	vfile_free(f);
	struct wire_p1sa sa;
	const uint8_t *body;
	assert_int_equal(build(&p256, 1, WIRE_DOI_GDOI, buf, sizeof(buf), &sa, &body), n);
	assert_memory_equal(body, want, n);
	struct ike1_policy back;
	assert_int_equal(ike1_policy_from_xform(&sa.xforms[0], &back), 0);
	same_policy(&back, &p256);
}

static void test_offer_lists_every_policy_in_order(void **state)
{
	(void)state;
	const struct ike1_policy ps[3] = {
	    {CRYPTO_CBC_3DES, CRYPTO_HASH_SHA1, WIRE_P1_AUTH_PSK, 2, 600},
	    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA384, WIRE_P1_AUTH_PSK, 20, 86400},
	    {CRYPTO_CBC_AES192, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 14, 28800},
	};
	uint8_t buf[512];
	struct wire_p1sa sa;
	const uint8_t *body;
	build(ps, 3, WIRE_DOI_IPSEC, buf, sizeof(buf), &sa, &body);
	assert_int_equal(sa.doi, WIRE_DOI_IPSEC);
	assert_int_equal(sa.n_props, 1);
	assert_int_equal(sa.n_xforms, 3);
	for (size_t i = 0; i < 3; i++) {
		struct ike1_policy back;
		assert_int_equal(sa.xforms[i].num, i + 1);
		assert_int_equal(ike1_policy_from_xform(&sa.xforms[i], &back), 0);
		same_policy(&back, &ps[i]);
	}
	/* The responder takes the first one in the initiator's order that it accepts. */
	size_t pi, xi;
	struct ike1_policy got;
	const struct ike1_policy mine[2] = {ps[2], ps[1]};
	assert_int_equal(ike1_policy_choose(mine, 2, false, &sa, &pi, &xi, &got), 0);
	assert_int_equal(xi, 1);
	/* 3DES/group 2 is refused without weak groups even if a policy has it. */
	assert_int_equal(ike1_policy_choose(ps, 1, false, &sa, &pi, &xi, &got), ERR_NOTFOUND);
	assert_int_equal(ike1_policy_choose(ps, 1, true, &sa, &pi, &xi, &got), 0);
	assert_int_equal(xi, 0);
}

/* A transform from attribute bytes. */
static int parse(const uint8_t *attrs, size_t len, struct ike1_policy *out)
{
	struct wire_p1_xform x = {.num = 1, .id = WIRE_KEY_IKE};
	assert_int_equal(wire_attrs_from(&x.attrs, attrs, len, NULL), 0);
	return ike1_policy_from_xform(&x, out);
}

static void test_transform_parsing(void **state)
{
	(void)state;
	struct ike1_policy p;
	/* gdoid's MM1 transform (registration-rekey frame 1): all TV, lifetime 600 as TV. */
	const uint8_t gdoid[] = {0x80, 1,  0,	 7, 0x80, 14, 0,    128, 0x80, 2,
				 0,    2,  0x80, 3, 0,	  1,  0x80, 4,	 0,    2,
				 0x80, 11, 0,	 1, 0x80, 12, 0x02, 0x58};
	assert_int_equal(parse(gdoid, sizeof(gdoid), &p), 0);
	assert_int_equal(p.cipher, CRYPTO_CBC_AES128);
	assert_int_equal(p.hash, CRYPTO_HASH_SHA1);
	assert_int_equal(p.group, 2);
	assert_int_equal(p.life_sec, 600);
	/* AES without Key Length is not acceptable. */
	const uint8_t no_len[] = {0x80, 1, 0, 7, 0x80, 2, 0, 2, 0x80, 3, 0, 1, 0x80, 4, 0, 14};
	assert_int_equal(parse(no_len, sizeof(no_len), &p), ERR_UNSUPP);
	/* An attribute we do not know (PRF, 13) refuses the transform. */
	const uint8_t prf[] = {0x80, 1, 0,    5, 0x80, 2,  0,	 2,  0x80, 3,
			       0,    1, 0x80, 4, 0,    14, 0x80, 13, 0,	   1};
	assert_int_equal(parse(prf, sizeof(prf), &p), ERR_UNSUPP);
	/* MD5, RSA signatures, kilobyte-only lifetimes. */
	const uint8_t md5[] = {0x80, 1, 0, 5, 0x80, 2, 0, 1, 0x80, 3, 0, 1, 0x80, 4, 0, 14};
	assert_int_equal(parse(md5, sizeof(md5), &p), ERR_UNSUPP);
	const uint8_t kb[] = {0x80, 1, 0, 5,  0x80, 2,	0, 2, 0x80, 3,	0,    1,
			      0x80, 4, 0, 14, 0x80, 11, 0, 2, 0x80, 12, 0x10, 0};
	assert_int_equal(parse(kb, sizeof(kb), &p), 0);
	assert_int_equal(p.life_sec, 0); /* none in seconds: RFC default applies */
	const uint8_t dur_first[] = {0x80, 12, 0, 10, 0x80, 1, 0, 5};
	assert_int_equal(parse(dur_first, sizeof(dur_first), &p), ERR_UNSUPP);
}

static void test_check_answer(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct wire_p1sa sa;
	const uint8_t *body;
	struct ike1_policy got;
	build(&p256, 1, WIRE_DOI_GDOI, buf, sizeof(buf), &sa, &body);
	assert_int_equal(ike1_policy_check_answer(&p256, 1, &sa, &got), 0);
	assert_int_equal(got.life_sec, 3600);
	/* Something we did not offer. */
	struct ike1_policy other = p256;
	other.group = 20;
	assert_int_equal(ike1_policy_check_answer(&other, 1, &sa, &got), ERR_NOTFOUND);
	/* Two transforms are not an answer. */
	const struct ike1_policy two[2] = {p256, other};
	build(two, 2, WIRE_DOI_GDOI, buf, sizeof(buf), &sa, &body);
	assert_int_equal(ike1_policy_check_answer(two, 2, &sa, &got), ERR_PROTO);
}

static void test_policy_check(void **state)
{
	(void)state;
	struct ike1_policy p = p256;
	assert_int_equal(ike1_policy_check(&p, false), 0);
	p.group = 2;
	assert_int_equal(ike1_policy_check(&p, false), ERR_INVAL);
	assert_int_equal(ike1_policy_check(&p, true), 0);
	p.group = 5;
	assert_int_equal(ike1_policy_check(&p, true), ERR_UNSUPP);
	p = p256;
	p.auth = WIRE_P1_AUTH_RSA_SIG;
	assert_int_equal(ike1_policy_check(&p, false), ERR_UNSUPP);
	p = p256;
	p.hash = CRYPTO_HASH_MD5;
	assert_int_equal(ike1_policy_check(&p, false), ERR_UNSUPP);
	char text[64];
	ike1_policy_format(&p256, text, sizeof(text));
	assert_string_equal(text, "aes-256 sha256 psk group19 3600s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_offer_matches_the_example_sai_b),
	    TEST(test_offer_lists_every_policy_in_order),
	    TEST(test_transform_parsing),
	    TEST(test_check_answer),
	    TEST(test_policy_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
