/*
 * ike1/keys against tests/data/vectors/gvpn-ikev1-derivation-examples.txt:
 * every value of every section (SKEYID in both forms, SKEYID_d/a/e, the
 * cipher key with and without the appendix-B expansion, the phase-1 and
 * phase-2 IVs, HASH_I/HASH_R, GROUPKEY-PULL HASH(1) and HASH(3)).
 */
#include "test.h"
#include "vectors.h"

#include <stdlib.h>

#include "ike1/keys.h"
#include "util/err.h"
#include "util/hex.h"

#define VEC "vectors/gvpn-ikev1-derivation-examples.txt"

static struct vfile *vf;

/* Hex value of name; the text after the last " = " when the value repeats its formula. */
static size_t vhex(const char *sec, const char *name, uint8_t *out, size_t cap)
{
	const char *v = vfile_text(vf, sec, name);
	if (!v)
		fail_msg("[%s] %s missing", sec, name);
	const char *eq;
	while ((eq = strstr(v, " = ")))
		v = eq + 3;
	int n = hex_decode(v, out, cap);
	if (n < 0)
		fail_msg("[%s] %s not hex: %s", sec, name, v);
	return (size_t)n;
}

static void expect(const char *sec, const char *name, const uint8_t *got, int got_len)
{
	uint8_t want[256];
	size_t n = vhex(sec, name, want, sizeof(want));
	assert_int_equal(got_len, (int)n);
	assert_memory_equal(got, want, n);
}

struct inputs {
	uint8_t cky_i[8], cky_r[8], ni[32], nr[32], gxi[64], gxr[64], gxy[32];
	size_t ni_len, nr_len, gxi_len, gxr_len, gxy_len;
};

static void load_inputs(struct inputs *in)
{
	assert_int_equal(vhex("inputs", "cky_i", in->cky_i, 8), 8);
	assert_int_equal(vhex("inputs", "cky_r", in->cky_r, 8), 8);
	in->ni_len = vhex("inputs", "ni_b", in->ni, sizeof(in->ni));
	in->nr_len = vhex("inputs", "nr_b", in->nr, sizeof(in->nr));
	in->gxi_len = vhex("inputs", "g_xi (KE_i body)", in->gxi, sizeof(in->gxi));
	in->gxr_len = vhex("inputs", "g_xr (KE_r body)", in->gxr, sizeof(in->gxr));
	in->gxy_len = vhex("inputs", "g_xy", in->gxy, sizeof(in->gxy));
}

#define B(p, n) ((struct ike1_bytes){(p), (n)})

/* One section: SKEYID forms, SKEYID_*, key and phase-1 IV. */
static void check_section(const char *sec, enum crypto_hash_alg h, enum crypto_cbc_alg c)
{
	struct inputs in;
	load_inputs(&in);
	uint8_t skeyid[IKE1_PRF_MAX], sig[IKE1_PRF_MAX];
	int plen = (int)crypto_hash_len(h);

	/* SKEYID = prf(PSK, Ni_b | Nr_b) */
	assert_int_equal(ike1_keys_skeyid_psk(h, (const uint8_t *)"s3cret", 6, B(in.ni, in.ni_len),
					      B(in.nr, in.nr_len), skeyid),
			 plen);
	expect(sec, "skeyid_psk", skeyid, plen);
	/* SKEYID = prf(Ni_b | Nr_b, g^xy) */
	assert_int_equal(ike1_keys_skeyid_sig(h, B(in.ni, in.ni_len), B(in.nr, in.nr_len),
					      B(in.gxy, in.gxy_len), sig),
			 plen);
	expect(sec, "skeyid_sig (for RSA/ECDSA auth)", sig, plen);

	struct ike1_keys k = {.hash = h, .cipher = c};
	assert_int_equal(ike1_keys_derive(&k, skeyid, B(in.gxy, in.gxy_len), in.cky_i, in.cky_r),
			 0);
	assert_int_equal(k.prf_len, plen);
	expect(sec, "skeyid_d", k.skeyid_d, plen);
	expect(sec, "skeyid_a", k.skeyid_a, plen);
	expect(sec, "skeyid_e", k.skeyid_e, plen);
	expect(sec, "enc_key", k.key, k.key_len);
	assert_int_equal(k.key_len, (int)crypto_cbc_key_len(c));

	uint8_t iv[CRYPTO_BLOCK_MAX];
	assert_int_equal(
	    ike1_keys_iv_phase1(h, B(in.gxi, in.gxi_len), B(in.gxr, in.gxr_len), k.block_len, iv),
	    16);
	expect(sec, "phase1_iv", iv, 16);
	ike1_keys_clear(&k);
	assert_int_equal(k.key[0] | k.skeyid_a[0] | k.prf_len, 0);
}

static void test_sha256_aes256(void **state)
{
	(void)state;
	check_section("prf_hmac_sha256_aes256", CRYPTO_HASH_SHA256, CRYPTO_CBC_AES256);
}

static void test_sha1_aes256_expands_key(void **state)
{
	(void)state;
	check_section("prf_hmac_sha1_aes256", CRYPTO_HASH_SHA1, CRYPTO_CBC_AES256);
}

static void test_sha1_aes128(void **state)
{
	(void)state;
	check_section("prf_hmac_sha1_aes128", CRYPTO_HASH_SHA1, CRYPTO_CBC_AES128);
}

static void test_hash_i_r_and_pull_hashes(void **state)
{
	(void)state;
	const char *sec = "prf_hmac_sha256_aes256";
	const enum crypto_hash_alg h = CRYPTO_HASH_SHA256;
	struct inputs in;
	load_inputs(&in);
	uint8_t skeyid[IKE1_PRF_MAX], sai[128], idi[16], idr[16], out[IKE1_PRF_MAX];
	ike1_keys_skeyid_psk(h, (const uint8_t *)"s3cret", 6, B(in.ni, in.ni_len),
			     B(in.nr, in.nr_len), skeyid);
	size_t sai_len = vhex(sec, "sai_b (SA payload body of message 1)", sai, sizeof(sai));
	size_t idi_len = vhex(sec, "idii_b", idi, sizeof(idi));
	size_t idr_len = vhex(sec, "idir_b", idr, sizeof(idr));

	/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
	int n = ike1_keys_hash_auth(h, skeyid, 32, 1, B(in.gxi, in.gxi_len), B(in.gxr, in.gxr_len),
				    in.cky_i, in.cky_r, B(sai, sai_len), B(idi, idi_len), out);
	expect(sec, "hash_i", out, n);
	/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
	n = ike1_keys_hash_auth(h, skeyid, 32, 0, B(in.gxi, in.gxi_len), B(in.gxr, in.gxr_len),
				in.cky_i, in.cky_r, B(sai, sai_len), B(idr, idr_len), out);
	expect(sec, "hash_r", out, n);

	/* IV = H(last phase-1 block | M-ID) */
	uint8_t last[16], mid_b[4], iv[CRYPTO_BLOCK_MAX];
	vhex(sec, "example_last_phase1_cbc_block", last, sizeof(last));
	vhex(sec, "example_message_id", mid_b, sizeof(mid_b));
	uint32_t mid =
	    (uint32_t)mid_b[0] << 24 | (uint32_t)mid_b[1] << 16 | mid_b[2] << 8 | mid_b[3];
	assert_int_equal(ike1_keys_iv_mid(h, last, 16, mid, iv), 16);
	expect(sec, "phase2_iv", iv, 16);

	struct ike1_keys k = {.hash = h, .cipher = CRYPTO_CBC_AES256};
	assert_int_equal(ike1_keys_derive(&k, skeyid, B(in.gxy, in.gxy_len), in.cky_i, in.cky_r),
			 0);
	uint8_t pl[128];
	size_t pl_len = vhex(sec, "pull1_payloads_after_hash (Ni, ID)", pl, sizeof(pl));
	/* HASH(1) = prf(SKEYID_a, M-ID | Ni | ID) */
	n = ike1_keys_hash_n(&k, mid, B(NULL, 0), B(NULL, 0), B(pl, pl_len), out);
	expect(sec, "pull_hash1", out, n);
	/* HASH(3) = prf(SKEYID_a, M-ID | Ni_b | Nr_b) */
	n = ike1_keys_hash_n(&k, mid, B(in.ni, in.ni_len), B(in.nr, in.nr_len), B(NULL, 0), out);
	expect(sec, "pull_hash3", out, n);
	ike1_keys_clear(&k);
}

/* K_ack = prf(SKEYID_a, "GROUPKEY-PUSH ACK" | CKY-I | CKY-R), computed independently. */
static void test_kack(void **state)
{
	(void)state;
	struct ike1_keys k = {.hash = CRYPTO_HASH_SHA256, .prf_len = 32};
	for (int i = 0; i < 32; i++)
		k.skeyid_a[i] = (uint8_t)i;
	const uint8_t ci[8] = {1, 2, 3, 4, 5, 6, 7, 8}, cr[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	uint8_t msg[17 + 16], want[CRYPTO_HASH_MAX], got[IKE1_PRF_MAX];
	memcpy(msg, "GROUPKEY-PUSH ACK", 17);
	memcpy(msg + 17, ci, 8);
	memcpy(msg + 25, cr, 8);
	struct crypto_iov iov = {msg, sizeof(msg)};
	assert_int_equal(crypto_hmac(CRYPTO_HASH_SHA256, k.skeyid_a, 32, &iov, 1, want), 32);
	assert_int_equal(ike1_keys_kack(&k, ci, cr, got), 32);
	assert_memory_equal(got, want, 32);
	/* The label is part of the input: another SA's cookies give another key. */
	assert_int_equal(ike1_keys_kack(&k, cr, ci, got), 32);
	assert_memory_not_equal(got, want, 32);
}

/* 3DES needs 24 octets: SHA-1 expands (K1 | K2), SHA-256 truncates. */
static void test_3des_key_lengths(void **state)
{
	(void)state;
	uint8_t e[IKE1_PRF_MAX], key[CRYPTO_KEY_MAX], k1[CRYPTO_HASH_MAX], k2[CRYPTO_HASH_MAX];
	for (int i = 0; i < 20; i++)
		e[i] = (uint8_t)(0xa0 + i);
	uint8_t zero = 0;
	struct crypto_iov iov = {&zero, 1};
	crypto_hmac(CRYPTO_HASH_SHA1, e, 20, &iov, 1, k1);
	iov = (struct crypto_iov){k1, 20};
	crypto_hmac(CRYPTO_HASH_SHA1, e, 20, &iov, 1, k2);
	assert_int_equal(ike1_keys_cipher_key(CRYPTO_HASH_SHA1, e, 20, CRYPTO_CBC_3DES, key), 24);
	assert_memory_equal(key, k1, 20);
	assert_memory_equal(key + 20, k2, 4);
	assert_int_equal(ike1_keys_cipher_key(CRYPTO_HASH_SHA256, e, 32, CRYPTO_CBC_3DES, key), 24);
	assert_memory_equal(key, e, 24);
	assert_int_equal(ike1_keys_cipher_key(CRYPTO_HASH_SHA1, e, 20, CRYPTO_CBC_DES + 99, key),
			 ERR_INVAL);
}

static int setup(void **state)
{
	(void)state;
	vf = vfile_load(VEC);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vfile_free(vf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_sha256_aes256), TEST(test_sha1_aes256_expands_key),
	    TEST(test_sha1_aes128),   TEST(test_hash_i_r_and_pull_hashes),
	    TEST(test_kack),	      TEST(test_3des_key_lengths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
