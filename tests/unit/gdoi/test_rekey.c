/*
 * GROUPKEY-PUSH build and open (gdoi/rekey.h): a push built by the KS code
 * opens, verifies and decodes back to the policy it carried; a wrong
 * signer, a wrong KEK and garbled ciphertext are refused; both signature
 * forms and both signed header lengths are accepted. The gdoid captures'
 * four pushes (tests/data/gdoid) open and verify with the keys of
 * keys.txt, and a member engine left in the state of frame 10 accepts them
 * all (KEK rekey, TEK rekeys, DELETE) and refuses their replays. The
 * acknowledgement round-trips and refuses another K_ack or a
 * changed SEQ.
 */
#include "test.h"

#include <stdlib.h>

#include "crypto/rng.h"
#include "gdoi/caps.h"
#include "gdoi/gm_priv.h"
#include "gdoi/policy_wire.h"
#include "gdoi/rekey.h"
#include "pcap.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "vectors.h"
#include "wire/names.h"

#define NOW (1000 * NS_PER_SEC)

static struct crypto_rsa ks_key, other_key;
static struct gdoi_policy pol;
static struct gdoi_arena arena;
static struct wire_gdoi_sa wsa;
static struct wire_kd wkd;
static uint8_t msg[GDOI_REKEY_MSG_MAX], plain[GDOI_REKEY_MSG_MAX];
static struct gdoi_rekey_in in;

static void make_policy(void)
{
	memset(&pol, 0, sizeof(pol));
	struct gdoi_kek *k = &pol.kek;
	pol.has_kek = true;
	memset(k->spi, 0x5a, sizeof(k->spi));
	k->alg = CRYPTO_CBC_AES128;
	memset(k->key, 0x11, 16);
	memset(k->iv, 0x22, 16);
	k->has_keys = true;
	k->life_sec = 86400;
	k->expires_ns = NOW + 86400 * NS_PER_SEC;
	k->sig_hash = CRYPTO_HASH_SHA256;
	k->sig_alg = WIRE_SIG_ALG_RSA;
	k->sig_key_bits = 2048;
	k->ks_addr = 0x0a000001;
	k->ack_requested = true;
	struct gdoi_tek *t = &pol.tek[0];
	t->spi = 0x12345678;
	t->sa_num = 1;
	t->xf = (struct gdoi_transform){GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA256};
	memset(t->enc_key, 0x33, 16);
	memset(t->auth_key, 0x44, 32);
	t->has_keys = true;
	t->life_sec = 3600;
	t->expires_ns = NOW + 3600 * NS_PER_SEC;
	pol.n_teks = 1;
	pol.acl[0] = (struct gdoi_acl_entry){.seq = 10,
					     .action = GDOI_ACL_PERMIT,
					     .src = 0x0a010000,
					     .src_wild = 0xffff,
					     .dst = 0x0a020000,
					     .dst_wild = 0xffff,
					     .sa_num = 1};
	pol.n_acl = 1;
	pol.has_gap = true;
	pol.atd_sec = pol.dtd_sec = 30;
	struct dbuf d = {0};
	assert_int_equal(crypto_rsa_public_spki(&ks_key, &d), 0);
	memcpy(pol.spki, d.p, d.len);
	pol.spki_len = d.len;
	dbuf_free(&d);
}

/* A push of pol with seq, signed by key in form; returns its length. */
static size_t build(uint32_t seq, const struct crypto_rsa *key, enum crypto_sig_form form,
		    bool unpadded)
{
	struct gdoi_enc_opts o = {.caps = GDOI_CAPS_ALL, .now = NOW};
	assert_int_equal(gdoi_policy_encode_sa(&pol, &o, &arena, &wsa, NULL), 0);
	assert_int_equal(gdoi_policy_encode_kd(&pol, &o, &arena, &wkd), 0);
	struct gdoi_rekey_build b = {.kek = &pol.kek,
				     .seq = seq,
				     .sa = &wsa,
				     .kd = &wkd,
				     .key = key,
				     .hash = CRYPTO_HASH_SHA256,
				     .form = form,
				     .unpadded_len = unpadded};
	int n = gdoi_rekey_build(&b, msg, sizeof(msg));
	gdoi_arena_wipe(&arena);
	assert_true(n > 0);
	return (size_t)n;
}

static int open_verify(size_t len, const struct gdoi_kek *kek)
{
	int rc = gdoi_rekey_open(msg, len, kek, plain, sizeof(plain), &in);
	return rc < 0 ? rc : gdoi_rekey_verify(&in, plain, &ks_key, CRYPTO_HASH_SHA256);
}

static void test_roundtrip(void **state)
{
	(void)state;
	size_t len = build(7, &ks_key, 0, false);
	struct wire_isakmp_hdr h;
	assert_int_equal(wire_isakmp_hdr_decode(msg, len, &h, NULL), 0);
	assert_int_equal(h.exch, WIRE_EXCH_GROUPKEY_PUSH);
	assert_int_equal(h.flags, WIRE_FLAG_E);
	assert_int_equal(h.msgid, 0);
	assert_memory_equal(msg, pol.kek.spi, GDOI_KEK_SPI_LEN); /* cookies = KEK SPI */
	assert_int_equal((len - WIRE_ISAKMP_HDR_LEN) % 16, 0);
	assert_int_equal(open_verify(len, &pol.kek), 0);
	assert_int_equal(in.seq, 7);
	assert_int_equal(in.form, CRYPTO_SIG_RAW_DIGEST); /* what gvpn emits, like gdoid */
	assert_false(in.unpadded_len);
	assert_non_null(in.sa);
	assert_non_null(in.kd);
	/* The SA and KD carry the policy back, keys included. */
	static struct gdoi_policy q;
	char why[160];
	assert_int_equal(wire_gdoi_sa_decode(in.sa, WIRE_DIALECT_AUTO, &wsa, NULL), 0);
	assert_int_equal(gdoi_policy_decode_sa(&wsa, NOW, &q, why, sizeof(why)), 0);
	assert_int_equal(wire_kd_decode(in.kd, &wkd, NULL), 0);
	assert_int_equal(gdoi_policy_decode_kd(&q, &wkd, why, sizeof(why)), 0);
	assert_int_equal(q.n_teks, 1);
	assert_int_equal(q.tek[0].spi, 0x12345678);
	assert_memory_equal(q.tek[0].enc_key, pol.tek[0].enc_key, 16);
	assert_memory_equal(q.kek.key, pol.kek.key, 16);
	assert_memory_equal(q.kek.iv, pol.kek.iv, 16);
	gdoi_policy_clear(&q);
}

static void test_both_forms_and_lengths(void **state)
{
	(void)state;
	size_t len = build(8, &ks_key, CRYPTO_SIG_DIGEST_INFO, false);
	assert_int_equal(open_verify(len, &pol.kek), 0);
	assert_int_equal(in.form, CRYPTO_SIG_DIGEST_INFO);
	/*
	 * gdoid's sender hashes the length before padding: accepted too. Add
	 * ACL lines (one SA TEK each) until the message needs padding.
	 */
	bool padded = false;
	for (size_t n = 1; n <= 4 && !padded; n++) {
		for (size_t i = 1; i < n; i++) {
			pol.acl[i] = pol.acl[0];
			pol.acl[i].seq = (uint32_t)(10 * (i + 1));
			pol.acl[i].dst = 0x0a020000 + (uint32_t)(i << 16);
		}
		pol.n_acl = n;
		len = build(9, &ks_key, 0, true);
		assert_int_equal(open_verify(len, &pol.kek), 0);
		padded = in.unpadded_len;
	}
	pol.n_acl = 1;
	assert_true(padded);
}

static void test_wrong_signer(void **state)
{
	(void)state;
	size_t len = build(10, &other_key, 0, false);
	assert_int_equal(gdoi_rekey_open(msg, len, &pol.kek, plain, sizeof(plain), &in), 0);
	assert_int_equal(gdoi_rekey_verify(&in, plain, &ks_key, CRYPTO_HASH_SHA256), ERR_AUTH);
	/* A signature made with another hash does not verify either. */
	assert_int_equal(gdoi_rekey_verify(&in, plain, &other_key, CRYPTO_HASH_SHA1), ERR_AUTH);
}

static void test_wrong_kek(void **state)
{
	(void)state;
	size_t len = build(11, &ks_key, 0, false);
	struct gdoi_kek k = pol.kek;
	k.key[0] ^= 1;
	assert_true(open_verify(len, &k) < 0);
	k = pol.kek;
	k.spi[15] ^= 1; /* a KEK with another SPI is not the push's */
	assert_int_equal(gdoi_rekey_open(msg, len, &k, plain, sizeof(plain), &in), ERR_INVAL);
}

static void test_garbled(void **state)
{
	(void)state;
	size_t len = build(12, &ks_key, 0, false);
	for (size_t at = WIRE_ISAKMP_HDR_LEN; at < len; at += 97) {
		build(12, &ks_key, 0, false);
		msg[at] ^= 0x80;
		assert_true(open_verify(len, &pol.kek) < 0);
	}
	build(12, &ks_key, 0, false);
	assert_int_equal(gdoi_rekey_open(msg, len - 1, &pol.kek, plain, sizeof(plain), &in),
			 ERR_INVAL); /* header Length no longer matches */
	buf_store_u32(msg + WIRE_HDR_OFF_LENGTH, (uint32_t)len - 8);
	assert_int_equal(gdoi_rekey_open(msg, len - 8, &pol.kek, plain, sizeof(plain), &in),
			 ERR_BADLEN); /* not a whole number of blocks */
}

static void test_ack(void **state)
{
	(void)state;
	uint8_t key[32], buf[256];
	memset(key, 0x77, sizeof(key));
	struct gdoi_kack k = {CRYPTO_HASH_SHA256, sizeof(key), key};
	int n = gdoi_rekey_ack_build(pol.kek.spi, 42, 0x0a000002, &k, buf, sizeof(buf));
	assert_true(n > 0);
	struct gdoi_rekey_ack a;
	assert_int_equal(gdoi_rekey_ack_parse(buf, (size_t)n, &a), 0);
	assert_int_equal(a.seq, 42);
	assert_int_equal(a.addr, 0x0a000002);
	assert_memory_equal(a.spi, pol.kek.spi, GDOI_KEK_SPI_LEN);
	assert_int_equal(gdoi_rekey_ack_verify(&a, &k), 0);
	/* Another member's K_ack. */
	key[0] ^= 1;
	assert_int_equal(gdoi_rekey_ack_verify(&a, &k), ERR_AUTH);
	key[0] ^= 1;
	/* A changed SEQ (last octet of the SEQ body, right after the HASH). */
	size_t seq_at = WIRE_ISAKMP_HDR_LEN + 4 + 32 + 4 + 3;
	buf[seq_at] ^= 1;
	assert_int_equal(gdoi_rekey_ack_parse(buf, (size_t)n, &a), 0);
	assert_int_equal(a.seq, 43);
	assert_int_equal(gdoi_rekey_ack_verify(&a, &k), ERR_AUTH);
	/* A push is not an ACK. */
	size_t len = build(1, &ks_key, 0, false);
	assert_true(gdoi_rekey_ack_parse(msg, len, &a) < 0);
}

/* ---- gdoid captures ---- */

static void load_kek(const struct vfile *v, const char *sec, int n, enum crypto_cbc_alg alg,
		     struct gdoi_kek *k)
{
	char name[32];
	memset(k, 0, sizeof(*k));
	k->alg = alg;
	k->has_keys = true;
	snprintf(name, sizeof(name), "kek.%d.spi", n);
	assert_int_equal(vfile_hex(v, sec, name, k->spi, sizeof(k->spi)), GDOI_KEK_SPI_LEN);
	snprintf(name, sizeof(name), "kek.%d.key", n);
	assert_int_equal(vfile_hex(v, sec, name, k->key, sizeof(k->key)), crypto_cbc_key_len(alg));
	snprintf(name, sizeof(name), "kek.%d.iv", n);
	assert_int_equal(vfile_hex(v, sec, name, k->iv, sizeof(k->iv)), crypto_cbc_block_len(alg));
}

static void capture(const char *sec, const char *file, enum crypto_cbc_alg alg,
		    enum crypto_hash_alg hash)
{
	struct vfile *v = vfile_load("gdoid/keys.txt");
	assert_non_null(v);
	size_t pem_len;
	uint8_t *pem = test_read_file("gdoid/ks-rsa-pub.pem", &pem_len);
	struct crypto_rsa pub = {0};
	assert_int_equal(crypto_rsa_from_pem(&pub, (const char *)pem, pem_len), 0);
	struct test_pcap *pc = test_pcap_load(test_data_path(file));
	static struct test_pcap_udp fr[14];
	assert_int_equal(test_pcap_all_udp(pc, fr, 14), 14);
	struct gdoi_kek kek[2];
	load_kek(v, sec, 1, alg, &kek[0]);
	load_kek(v, sec, 2, alg, &kek[1]);
	for (size_t f = 10; f < 14; f++) {
		const struct gdoi_kek *k = &kek[f >= 12];
		assert_int_equal(
		    gdoi_rekey_open(fr[f].payload, fr[f].len, k, plain, sizeof(plain), &in), 0);
		assert_int_equal(in.seq, f - 9);
		assert_int_equal(gdoi_rekey_verify(&in, plain, &pub, hash), 0);
		assert_int_equal(in.form, CRYPTO_SIG_RAW_DIGEST);
		/* The other KEK does not open it. */
		assert_true(gdoi_rekey_open(fr[f].payload, fr[f].len, &kek[f < 12], plain,
					    sizeof(plain), &in) < 0);
	}
	assert_int_equal(in.n_del, 0);
	assert_int_equal(
	    gdoi_rekey_open(fr[13].payload, fr[13].len, &kek[1], plain, sizeof(plain), &in), 0);
	assert_int_equal(in.n_del, 1); /* the DELETE push at shutdown */
	assert_null(in.sa);
	test_pcap_free(pc);
	crypto_rsa_clear(&pub);
	free(pem);
	vfile_free(v);
}

static void test_gdoid_unicast(void **state)
{
	(void)state;
	capture("registration-rekey.pcap", "gdoid/registration-rekey.pcap", CRYPTO_CBC_AES128,
		CRYPTO_HASH_SHA1);
}

static void test_gdoid_multicast(void **state)
{
	(void)state;
	capture("multicast-rekey.pcap", "gdoid/multicast-rekey.pcap", CRYPTO_CBC_3DES,
		CRYPTO_HASH_SHA256);
}

/* ---- a member engine fed the gdoid pushes ---- */

static const struct ike1_policy p1[] = {
    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 14, 86400},
};

static size_t installs;
static void on_install(void *ctx, const struct gdoi_gm_install *ins)
{
	(void)ctx;
	(void)ins;
	installs++;
}

/* A member in the state frame 10 (pull message 4) of a capture left it in. */
static struct gdoi_gm *member_after_frame10(struct test_pcap_udp *plain_fr)
{
	static const uint32_t servers[] = {0x0af80001};
	struct gdoi_gm_group_config g = {
	    .name = "G1", .id = {GDOI_ID_NUMBER, 1234}, .servers = servers, .n_servers = 1};
	struct gdoi_gm_config c = {.caps = GDOI_CAPS_ALL, .groups = &g, .n_groups = 1};
	ike1_config_default(&c.ike);
	c.ike.policies = p1;
	c.ike.n_policies = 1;
	c.ike.local = (struct ike1_peer){0x0af80002, 848};
	struct gdoi_gm_io io = {.install = on_install};
	static struct crypto_rng rng;
	crypto_rng_seeded(&rng, 7);
	struct gdoi_gm *gm;
	char why[160];
	assert_int_equal(gdoi_gm_new(&c, &io, &rng, NULL, NOW, &gm, why, sizeof(why)), 0);
	struct gm_group *grp = gm->groups[0];
	static struct wire_msg m8, m10;
	assert_int_equal(wire_msg_decode(plain_fr[7].payload, plain_fr[7].len, &m8, NULL), 0);
	assert_int_equal(wire_msg_decode(plain_fr[9].payload, plain_fr[9].len, &m10, NULL), 0);
	assert_int_equal(
	    wire_gdoi_sa_decode(wire_msg_find(&m8, WIRE_PL_SA, 0), WIRE_DIALECT_AUTO, &wsa, NULL),
	    0);
	assert_int_equal(gdoi_policy_decode_sa(&wsa, NOW, &grp->pol, why, sizeof(why)), 0);
	assert_int_equal(wire_kd_decode(wire_msg_find(&m10, WIRE_PL_KD, 0), &wkd, NULL), 0);
	assert_int_equal(gdoi_policy_decode_kd(&grp->pol, &wkd, why, sizeof(why)), 0);
	grp->pol.has_seq = true;
	grp->pol.seq = 0;
	grp->registered = grp->ever_registered = true;
	grp->reg_ks = servers[0];
	grp->next_ns = grp->activate_ns = CLOCK_NEVER;
	return gm;
}

static void engine(const char *sec, const char *name)
{
	char path[96];
	snprintf(path, sizeof(path), "gdoid/%s.decrypted.pcap", name);
	struct test_pcap *pp = test_pcap_load(test_data_path(path));
	static struct test_pcap_udp pf[14], wf[14];
	assert_int_equal(test_pcap_all_udp(pp, pf, 14), 14);
	snprintf(path, sizeof(path), "gdoid/%s.pcap", name);
	struct test_pcap *wp = test_pcap_load(test_data_path(path));
	assert_int_equal(test_pcap_all_udp(wp, wf, 14), 14);
	struct gdoi_gm *gm = member_after_frame10(pf);
	struct gm_group *grp = gm->groups[0];
	struct vfile *v = vfile_load("gdoid/keys.txt");
	uint8_t kek2[GDOI_KEK_SPI_LEN];
	assert_int_equal(vfile_hex(v, sec, "kek.2.spi", kek2, sizeof(kek2)), GDOI_KEK_SPI_LEN);
	const struct ike1_peer ks = {0x0af80001, 848};
	struct gdoi_gm_group_info gi;
	for (size_t f = 10; f < 14; f++) {
		gdoi_gm_input(gm, NOW, &ks, wf[f].payload, wf[f].len);
		assert_int_equal(gdoi_gm_group_info(gm, 0, NOW, &gi), 0);
		assert_int_equal(gi.rekeys_received, f - 9);
		assert_int_equal(gi.last_rekey_seq, f - 9);
		if (f == 11) /* the KEK rekey: KEK 2 installed, its key packet named by KEK 1 */
			assert_memory_equal(grp->pol.kek.spi, kek2, GDOI_KEK_SPI_LEN);
	}
	assert_int_equal(installs, 4);
	assert_int_equal(gi.acks_sent, 0); /* gdoid asks for none */
	/* Frame 14 deleted every TEK: none outlives the deactivation delay. */
	for (size_t i = 0; i < grp->pol.n_teks; i++)
		assert_true(grp->pol.tek[i].expires_ns <=
			    NOW + (uint64_t)grp->pol.dtd_sec * NS_PER_SEC);
	/* Replays: frame 11 now has an unknown KEK, frame 13 an old SEQ. */
	struct gdoi_gm_stats st;
	gdoi_gm_input(gm, NOW, &ks, wf[10].payload, wf[10].len);
	gdoi_gm_input(gm, NOW, &ks, wf[12].payload, wf[12].len);
	gdoi_gm_get_stats(gm, &st);
	assert_int_equal(st.rekey_unknown_kek, 1);
	assert_int_equal(st.rekey_replayed, 1);
	assert_int_equal(installs, 4);
	installs = 0;
	gdoi_gm_free(gm);
	vfile_free(v);
	test_pcap_free(pp);
	test_pcap_free(wp);
}

static void test_gdoid_pushes_to_a_member(void **state)
{
	(void)state;
	engine("registration-rekey.pcap", "registration-rekey");
	engine("multicast-rekey.pcap", "multicast-rekey");
	engine("rfc-layout-registration.pcap", "rfc-layout-registration");
}

static int setup(void **state)
{
	(void)state;
	if (crypto_rsa_generate(&ks_key, 2048) < 0 || crypto_rsa_generate(&other_key, 2048) < 0)
		return -1;
	make_policy();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gdoi_policy_clear(&pol);
	crypto_rsa_clear(&ks_key);
	crypto_rsa_clear(&other_key);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_roundtrip),
	    TEST(test_both_forms_and_lengths),
	    TEST(test_wrong_signer),
	    TEST(test_wrong_kek),
	    TEST(test_garbled),
	    TEST(test_ack),
	    TEST(test_gdoid_unicast),
	    TEST(test_gdoid_multicast),
	    TEST(test_gdoid_pushes_to_a_member),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
