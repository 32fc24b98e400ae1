/* crypto/cipher: CBC (RFC 3602, NIST SP 800-67), AES-GCM (GCM spec, draft-mcgrew-gcm-test-01). */
#include "test.h"

#include <stdlib.h>

#include "crypto/cipher.h"
#include "util/err.h"
#include "util/mem.h"
#include "vectors.h"

enum { BUF = 512 };

struct cbc_case {
	uint8_t key[CRYPTO_KEY_MAX], iv[CRYPTO_BLOCK_MAX], pt[BUF], ct[BUF];
	size_t len;
};

static void load_cbc(const struct vfile *f, const char *sec, struct cbc_case *c)
{
	assert_int_equal(vfile_hex(f, sec, "key", c->key, sizeof(c->key)), 16);
	assert_int_equal(vfile_hex(f, sec, "iv", c->iv, sizeof(c->iv)), 16);
	c->len = vfile_hex(f, sec, "plaintext", c->pt, sizeof(c->pt));
	assert_int_equal(vfile_hex(f, sec, "ciphertext", c->ct, sizeof(c->ct)), c->len);
}

/* One-shot encrypt and decrypt, apart then in place; iv_out is the last ciphertext block. */
static void check_cbc_oneshot(enum crypto_cbc_alg alg, const struct cbc_case *c)
{
	uint8_t buf[BUF], ivo[CRYPTO_BLOCK_MAX];
	size_t bl = crypto_cbc_block_len(alg);
	const uint8_t *last = c->ct + c->len - bl;

	assert_int_equal(crypto_cbc_encrypt(alg, c->key, c->iv, c->pt, buf, c->len, ivo), 0);
	assert_memory_equal(buf, c->ct, c->len);
	assert_memory_equal(ivo, last, bl);
	assert_int_equal(crypto_cbc_decrypt(alg, c->key, c->iv, c->ct, buf, c->len, ivo), 0);
	assert_memory_equal(buf, c->pt, c->len);
	assert_memory_equal(ivo, last, bl);

	memcpy(buf, c->pt, c->len);
	memset(ivo, 0, sizeof(ivo));
	assert_int_equal(crypto_cbc_encrypt(alg, c->key, c->iv, buf, buf, c->len, ivo), 0);
	assert_memory_equal(buf, c->ct, c->len);
	assert_memory_equal(ivo, last, bl);
	/* In place the ciphertext is overwritten, yet iv_out must still be its last block. */
	memset(ivo, 0, sizeof(ivo));
	assert_int_equal(crypto_cbc_decrypt(alg, c->key, c->iv, buf, buf, c->len, ivo), 0);
	assert_memory_equal(buf, c->pt, c->len);
	assert_memory_equal(ivo, last, bl);
	/* iv_out may be omitted. */
	assert_int_equal(crypto_cbc_encrypt(alg, c->key, c->iv, c->pt, buf, c->len, NULL), 0);
	assert_memory_equal(buf, c->ct, c->len);
}

/* The keyed context gives the same bytes, call after call, in place too. */
static void check_cbc_ctx(enum crypto_cbc_alg alg, const struct cbc_case *c)
{
	struct crypto_cbc_ctx ctx;
	uint8_t buf[BUF];
	assert_int_equal(crypto_cbc_ctx_init(&ctx, alg, c->key), 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(crypto_cbc_ctx_encrypt(&ctx, c->iv, c->pt, buf, c->len), 0);
		assert_memory_equal(buf, c->ct, c->len);
		assert_int_equal(crypto_cbc_ctx_decrypt(&ctx, c->iv, buf, buf, c->len), 0);
		assert_memory_equal(buf, c->pt, c->len);
	}
	crypto_cbc_ctx_clear(&ctx);
	assert_null(ctx.enc);
}

static void test_cbc_rfc3602_raw_cases(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/rfc3602-aes-cbc.txt");
	const char *secs[] = {"case_1", "case_2", "case_3", "case_4"};
	for (size_t i = 0; i < ARRAY_SIZE(secs); i++) {
		struct cbc_case c;
		load_cbc(f, secs[i], &c);
		check_cbc_oneshot(CRYPTO_CBC_AES128, &c);
		check_cbc_ctx(CRYPTO_CBC_AES128, &c);
	}
	vfile_free(f);
}

/* Cases 5-8: decrypt the ESP payload with the keyed context; the RFC 4303 trailer follows. */
static void test_cbc_rfc3602_esp_packets(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/rfc3602-aes-cbc.txt");
	const char *secs[] = {"case_5", "case_6", "case_7", "case_8"};
	for (size_t i = 0; i < ARRAY_SIZE(secs); i++) {
		uint8_t key[16], esp[BUF], inner[BUF], out[BUF];
		assert_int_equal(vfile_hex(f, secs[i], "key", key, sizeof(key)), 16);
		size_t esp_len = vfile_hex(f, secs[i], "esp", esp, sizeof(esp));
		size_t inner_len = vfile_hex(f, secs[i], "inner", inner, sizeof(inner));
		unsigned long pad = strtoul(vfile_text(f, secs[i], "pad_length"), NULL, 10);
		unsigned long nh = strtoul(vfile_text(f, secs[i], "next_header"), NULL, 10);
		/* SPI(4) | seq(4) | IV(16) | ciphertext */
		size_t ct_len = esp_len - 24;
		struct crypto_cbc_ctx ctx;
		assert_int_equal(crypto_cbc_ctx_init(&ctx, CRYPTO_CBC_AES128, key), 0);
		assert_int_equal(crypto_cbc_ctx_decrypt(&ctx, esp + 8, esp + 24, out, ct_len), 0);
		crypto_cbc_ctx_clear(&ctx);
		assert_int_equal(inner_len + pad + 2, ct_len);
		assert_memory_equal(out, inner, inner_len);
		for (unsigned long p = 0; p < pad; p++)
			assert_int_equal(out[inner_len + p], p + 1);
		assert_int_equal(out[ct_len - 2], pad);
		assert_int_equal(out[ct_len - 1], nh);
	}
	vfile_free(f);
}

/* IKEv1 IV chaining: two calls chained through iv_out equal one call over both parts. */
static void test_cbc_iv_chaining(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/rfc3602-aes-cbc.txt");
	struct cbc_case c;
	load_cbc(f, "case_4", &c); /* four blocks */
	uint8_t buf[BUF], iv[16];
	assert_int_equal(crypto_cbc_encrypt(CRYPTO_CBC_AES128, c.key, c.iv, c.pt, buf, 16, iv), 0);
	assert_int_equal(
		crypto_cbc_encrypt(CRYPTO_CBC_AES128, c.key, iv, c.pt + 16, buf + 16, 48, iv), 0);
	assert_memory_equal(buf, c.ct, 64);
	assert_memory_equal(iv, c.ct + 48, 16);
	assert_int_equal(crypto_cbc_decrypt(CRYPTO_CBC_AES128, c.key, c.iv, c.ct, buf, 32, iv), 0);
	assert_memory_equal(iv, c.ct + 16, 16);
	assert_int_equal(
		crypto_cbc_decrypt(CRYPTO_CBC_AES128, c.key, iv, c.ct + 32, buf + 32, 32, NULL), 0);
	assert_memory_equal(buf, c.pt, 64);
	vfile_free(f);
}

static void test_cbc_rejects_bad_lengths_and_algorithms(void **state)
{
	(void)state;
	uint8_t key[32] = {0}, iv[16] = {0}, buf[64] = {0}, ivo[16];
	assert_int_equal(crypto_cbc_encrypt(CRYPTO_CBC_AES128, key, iv, buf, buf, 15, ivo), ERR_INVAL);
	assert_int_equal(crypto_cbc_decrypt(CRYPTO_CBC_AES256, key, iv, buf, buf, 17, ivo), ERR_INVAL);
	assert_int_equal(crypto_cbc_encrypt(CRYPTO_CBC_AES128, key, iv, buf, buf, 0, ivo), ERR_INVAL);
	/* 3DES has 8-byte blocks: 8 is fine, 12 is not. */
	assert_int_equal(crypto_cbc_encrypt(CRYPTO_CBC_3DES, key, iv, buf, buf, 8, ivo), 0);
	assert_int_equal(crypto_cbc_encrypt(CRYPTO_CBC_3DES, key, iv, buf, buf, 12, ivo), ERR_INVAL);
	assert_int_equal(crypto_cbc_encrypt(CRYPTO_CBC_DES, key, iv, buf, buf, 8, ivo), ERR_UNSUPP);
	assert_int_equal(crypto_cbc_encrypt(0, key, iv, buf, buf, 16, ivo), ERR_INVAL);
	assert_int_equal(crypto_cbc_decrypt(9, key, iv, buf, buf, 16, ivo), ERR_INVAL);

	struct crypto_cbc_ctx ctx;
	assert_int_equal(crypto_cbc_ctx_init(&ctx, CRYPTO_CBC_DES, key), ERR_UNSUPP);
	assert_null(ctx.enc);
	assert_int_equal(crypto_cbc_ctx_init(&ctx, CRYPTO_CBC_AES192, key), 0);
	assert_int_equal(crypto_cbc_ctx_encrypt(&ctx, iv, buf, buf, 40), ERR_INVAL);
	assert_int_equal(crypto_cbc_ctx_decrypt(&ctx, iv, buf, buf, 0), ERR_INVAL);
	crypto_cbc_ctx_clear(&ctx);
	/* A cleared context refuses instead of crashing. */
	assert_int_equal(crypto_cbc_ctx_encrypt(&ctx, iv, buf, buf, 16), ERR_INVAL);
}

static void test_cbc_sizes_and_names(void **state)
{
	(void)state;
	assert_int_equal(crypto_cbc_key_len(CRYPTO_CBC_3DES), 24);
	assert_int_equal(crypto_cbc_block_len(CRYPTO_CBC_3DES), 8);
	assert_int_equal(crypto_cbc_key_len(CRYPTO_CBC_AES192), 24);
	assert_int_equal(crypto_cbc_block_len(CRYPTO_CBC_AES256), 16);
	assert_int_equal(crypto_cbc_key_len(0), 0);
	assert_int_equal(crypto_cbc_block_len(6), 0);
	assert_string_equal(crypto_cbc_name(CRYPTO_CBC_AES256), "AES-256-CBC");
	assert_string_equal(crypto_cbc_name(77), "unknown");
}

/*
 * 3DES known answer from NIST SP 800-67 Rev. 1, Appendix B (TDEA ECB example):
 * keys 0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123, plaintext
 * "The qufck brown fox jump", ciphertext A826FD8CE53B855F CCE21C8112256FE6
 * 68D5C05DD9B6B900. In CBC with a zero IV, ciphertext block i is the ECB
 * encryption of (plaintext block i XOR ciphertext block i-1); so the CBC
 * plaintext P'[i] = P[i] ^ C[i-1] must encrypt to the published C.
 */
static void test_cbc_3des_sp800_67_known_answer(void **state)
{
	(void)state;
	static const uint8_t key[24] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01,
					0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23};
	static const uint8_t ecb_ct[24] = {0xa8, 0x26, 0xfd, 0x8c, 0xe5, 0x3b, 0x85, 0x5f,
					   0xcc, 0xe2, 0x1c, 0x81, 0x12, 0x25, 0x6f, 0xe6,
					   0x68, 0xd5, 0xc0, 0x5d, 0xd9, 0xb6, 0xb9, 0x00};
	const uint8_t iv[8] = {0};
	struct cbc_case c = {.len = 24};
	memcpy(c.key, key, 24);
	memcpy(c.iv, iv, 8);
	memcpy(c.pt, "The qufck brown fox jump", 24);
	for (size_t i = 8; i < 24; i++)
		c.pt[i] ^= ecb_ct[i - 8];
	memcpy(c.ct, ecb_ct, 24);
	check_cbc_oneshot(CRYPTO_CBC_3DES, &c);
	check_cbc_ctx(CRYPTO_CBC_3DES, &c);
}

static void test_cbc_3des_and_aes_round_trip(void **state)
{
	(void)state;
	const enum crypto_cbc_alg algs[] = {CRYPTO_CBC_3DES, CRYPTO_CBC_AES128, CRYPTO_CBC_AES192,
					    CRYPTO_CBC_AES256};
	uint8_t key[32], iv[16], pt[96], ct[96], back[96];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(255 - i);
	memset(iv, 0x5a, sizeof(iv));
	for (size_t a = 0; a < ARRAY_SIZE(algs); a++) {
		assert_int_equal(crypto_cbc_encrypt(algs[a], key, iv, pt, ct, 96, NULL), 0);
		assert_memory_not_equal(ct, pt, 96);
		assert_int_equal(crypto_cbc_decrypt(algs[a], key, iv, ct, back, 96, NULL), 0);
		assert_memory_equal(back, pt, 96);
	}
}

/* ---- GCM ---- */

struct gcm_case {
	uint8_t key[32], nonce[CRYPTO_GCM_NONCE_LEN], aad[128], pt[BUF], ct[BUF], icv[16];
	size_t key_len, aad_len, len, icv_len;
};

static void load_gcm(const struct vfile *f, const char *sec, struct gcm_case *c)
{
	c->key_len = vfile_hex(f, sec, "key", c->key, sizeof(c->key));
	/* RFC 4106 §4: nonce = salt (4) | IV (8) */
	assert_int_equal(vfile_hex(f, sec, "salt", c->nonce, 4), 4);
	assert_int_equal(vfile_hex(f, sec, "iv", c->nonce + 4, 8), 8);
	c->aad_len = vfile_hex(f, sec, "aad", c->aad, sizeof(c->aad));
	c->len = vfile_hex(f, sec, "plaintext", c->pt, sizeof(c->pt));
	assert_int_equal(vfile_hex(f, sec, "ciphertext", c->ct, sizeof(c->ct)), c->len);
	c->icv_len = vfile_hex(f, sec, "icv", c->icv, sizeof(c->icv));
	const char *stated = vfile_text(f, sec, "icv_len");
	if (stated)
		assert_int_equal(strtoul(stated, NULL, 10), c->icv_len);
}

/* Open must fail with ERR_AUTH and leave no plaintext behind. */
static void expect_auth_failure(struct crypto_gcm_ctx *g, const struct gcm_case *c,
				const uint8_t *nonce, const uint8_t *aad, const uint8_t *ct,
				const uint8_t *icv)
{
	uint8_t out[BUF];
	memset(out, 0xee, sizeof(out));
	assert_int_equal(crypto_gcm_open(g, nonce, aad, c->aad_len, ct, out, c->len, icv,
					 c->icv_len),
			 ERR_AUTH);
	for (size_t i = 0; i < c->len; i++)
		assert_int_equal(out[i], 0);
}

static void check_gcm_tampering(struct crypto_gcm_ctx *g, const struct gcm_case *c)
{
	uint8_t icv[16], ct[BUF], aad[128], nonce[CRYPTO_GCM_NONCE_LEN];
	memcpy(icv, c->icv, c->icv_len);
	icv[c->icv_len - 1] ^= 0x01;
	expect_auth_failure(g, c, c->nonce, c->aad, c->ct, icv);
	if (c->len) {
		memcpy(ct, c->ct, c->len);
		ct[c->len / 2] ^= 0x80;
		expect_auth_failure(g, c, c->nonce, c->aad, ct, c->icv);
	}
	if (c->aad_len) {
		memcpy(aad, c->aad, c->aad_len);
		aad[0] ^= 0x10;
		expect_auth_failure(g, c, c->nonce, aad, c->ct, c->icv);
	}
	memcpy(nonce, c->nonce, sizeof(nonce));
	nonce[11] ^= 0x02;
	expect_auth_failure(g, c, nonce, c->aad, c->ct, c->icv);
}

static void check_gcm(const struct gcm_case *c, const char *what)
{
	struct crypto_gcm_ctx g;
	uint8_t buf[BUF], icv[16];
	assert_int_equal(crypto_gcm_init(&g, c->key, c->key_len), 0);
	assert_int_equal(g.key_len, c->key_len);
	for (int round = 0; round < 2; round++) {
		memset(icv, 0, sizeof(icv));
		assert_int_equal(crypto_gcm_seal(&g, c->nonce, c->aad, c->aad_len, c->pt, buf,
						 c->len, icv, c->icv_len),
				 0);
		if (memcmp(buf, c->ct, c->len) || memcmp(icv, c->icv, c->icv_len))
			fail_msg("%s: seal differs", what);
		/* Open in place. */
		assert_int_equal(crypto_gcm_open(&g, c->nonce, c->aad, c->aad_len, buf, buf,
						 c->len, icv, c->icv_len),
				 0);
		assert_memory_equal(buf, c->pt, c->len);
	}
	/* Seal in place. */
	memcpy(buf, c->pt, c->len);
	assert_int_equal(crypto_gcm_seal(&g, c->nonce, c->aad, c->aad_len, buf, buf, c->len, icv,
					 c->icv_len),
			 0);
	assert_memory_equal(buf, c->ct, c->len);
	check_gcm_tampering(&g, c);
	/* The context still works after failed opens. */
	assert_int_equal(crypto_gcm_open(&g, c->nonce, c->aad, c->aad_len, c->ct, buf, c->len,
					 c->icv, c->icv_len),
			 0);
	assert_memory_equal(buf, c->pt, c->len);
	crypto_gcm_clear(&g);
	assert_null(g.enc);
}

static void run_gcm_file(const char *path, size_t expect_cases)
{
	struct vfile *f = vfile_load(path);
	size_t n = vfile_nsections(f);
	assert_int_equal(n, expect_cases);
	for (size_t i = 0; i < n; i++) {
		struct gcm_case c;
		load_gcm(f, vfile_section(f, i), &c);
		check_gcm(&c, vfile_section(f, i));
	}
	vfile_free(f);
}

static void test_gcm_spec_cases(void **state)
{
	(void)state;
	run_gcm_file("vectors/gcm-spec-aes-gcm.txt", 21);
}

static void test_gcm_esp_draft_cases(void **state)
{
	(void)state;
	run_gcm_file("vectors/draft-mcgrew-gcm-test-01-esp.txt", 5);
}

static void test_gcm_rejects_bad_parameters(void **state)
{
	(void)state;
	uint8_t key[32] = {0}, nonce[12] = {0}, buf[32] = {0}, tag[16];
	struct crypto_gcm_ctx g;
	assert_int_equal(crypto_gcm_init(&g, key, 20), ERR_INVAL);
	assert_null(g.enc);
	assert_int_equal(crypto_gcm_seal(&g, nonce, NULL, 0, buf, buf, 16, tag, 16), ERR_INVAL);
	assert_int_equal(crypto_gcm_init(&g, key, 32), 0);
	assert_int_equal(crypto_gcm_seal(&g, nonce, NULL, 0, buf, buf, 16, tag, 10), ERR_INVAL);
	assert_int_equal(crypto_gcm_seal(&g, nonce, NULL, 0, buf, buf, 16, tag, 4), ERR_INVAL);
	assert_int_equal(crypto_gcm_open(&g, nonce, NULL, 0, buf, buf, 16, tag, 0), ERR_INVAL);
	/* An 8-byte tag is the prefix of the 16-byte one. */
	uint8_t t8[8];
	assert_int_equal(crypto_gcm_seal(&g, nonce, NULL, 0, buf, buf, 16, tag, 16), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(crypto_gcm_seal(&g, nonce, NULL, 0, buf, buf, 16, t8, 8), 0);
	assert_memory_equal(t8, tag, 8);
	crypto_gcm_clear(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_cbc_rfc3602_raw_cases),
		TEST(test_cbc_rfc3602_esp_packets),
		TEST(test_cbc_iv_chaining),
		TEST(test_cbc_rejects_bad_lengths_and_algorithms),
		TEST(test_cbc_sizes_and_names),
		TEST(test_cbc_3des_sp800_67_known_answer),
		TEST(test_cbc_3des_and_aes_round_trip),
		TEST(test_gcm_spec_cases),
		TEST(test_gcm_esp_draft_cases),
		TEST(test_gcm_rejects_bad_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
