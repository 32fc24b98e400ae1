/* crypto/hash: digests, HMAC one-shot and keyed, against RFC 2202, 4231 and 4868. */
#include "test.h"

#include <stdlib.h>

#include "crypto/hash.h"
#include "util/err.h"
#include "util/mem.h"
#include "vectors.h"

struct hmac_case {
	uint8_t key[256], data[256], want[CRYPTO_HASH_MAX];
	size_t key_len, data_len, want_len;
};

static void load_case(const struct vfile *f, const char *sec, struct hmac_case *c)
{
	c->key_len = vfile_hex(f, sec, "key", c->key, sizeof(c->key));
	c->data_len = vfile_hex(f, sec, "data", c->data, sizeof(c->data));
}

/*
 * HMAC of the case three ways (one-shot, keyed context twice, data split in
 * pieces) and compare the first want_len bytes (truncated vectors).
 */
static void check_hmac(enum crypto_hash_alg alg, const struct hmac_case *c, const char *what)
{
	uint8_t out[CRYPTO_HASH_MAX];
	int full = (int)crypto_hash_len(alg);
	struct crypto_iov whole = {c->data, c->data_len};
	assert_int_equal(crypto_hmac(alg, c->key, c->key_len, &whole, 1, out), full);
	if (memcmp(out, c->want, c->want_len))
		fail_msg("%s: one-shot HMAC-%s differs", what, crypto_hash_name(alg));

	struct crypto_hmac_ctx ctx;
	assert_int_equal(crypto_hmac_init(&ctx, alg, c->key, c->key_len), 0);
	size_t half = c->data_len / 2;
	struct crypto_iov split[3] = {
		{c->data, half}, {NULL, 0}, {c->data + half, c->data_len - half}};
	for (int round = 0; round < 3; round++) {
		memset(out, 0, sizeof(out));
		if (round == 1)
			assert_int_equal(crypto_hmac_mac(&ctx, split, 3, out), full);
		else
			assert_int_equal(crypto_hmac_mac(&ctx, &whole, 1, out), full);
		if (memcmp(out, c->want, c->want_len))
			fail_msg("%s: keyed HMAC-%s differs (round %d)", what,
				 crypto_hash_name(alg), round);
	}
	crypto_hmac_clear(&ctx);
	assert_null(ctx.work);
}

static void test_hmac_rfc2202_sha1(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/rfc2202-hmac-sha1.txt");
	size_t checked = 0;
	for (size_t i = 0; i < vfile_nsections(f); i++) {
		const char *sec = vfile_section(f, i);
		struct hmac_case c;
		load_case(f, sec, &c);
		c.want_len = vfile_hex(f, sec, "hmac_sha1", c.want, sizeof(c.want));
		assert_int_equal(c.want_len, 20);
		check_hmac(CRYPTO_HASH_SHA1, &c, sec);
		/* HMAC-SHA-1-96 (RFC 2404) is the first 12 bytes. */
		c.want_len = vfile_hex(f, sec, "hmac_sha1_96", c.want, sizeof(c.want));
		assert_int_equal(c.want_len, 12);
		check_hmac(CRYPTO_HASH_SHA1, &c, sec);
		checked++;
	}
	assert_int_equal(checked, 7);
	vfile_free(f);
}

static void test_hmac_rfc4231_sha2(void **state)
{
	(void)state;
	static const struct {
		enum crypto_hash_alg alg;
		const char *full, *trunc;
	} algs[] = {
		{CRYPTO_HASH_SHA256, "hmac_sha256", "hmac_sha256_128"},
		{CRYPTO_HASH_SHA384, "hmac_sha384", "hmac_sha384_128"},
		{CRYPTO_HASH_SHA512, "hmac_sha512", "hmac_sha512_128"},
	};
	struct vfile *f = vfile_load("vectors/rfc4231-hmac-sha2.txt");
	size_t checked = 0, truncated = 0;
	for (size_t i = 0; i < vfile_nsections(f); i++) {
		const char *sec = vfile_section(f, i);
		struct hmac_case c;
		load_case(f, sec, &c);
		for (size_t a = 0; a < ARRAY_SIZE(algs); a++) {
			const char *name = vfile_text(f, sec, algs[a].full) ? algs[a].full
									    : algs[a].trunc;
			c.want_len = vfile_hex(f, sec, name, c.want, sizeof(c.want));
			if (name == algs[a].trunc) {
				assert_int_equal(c.want_len, 16);
				truncated++;
			} else {
				assert_int_equal(c.want_len, crypto_hash_len(algs[a].alg));
			}
			check_hmac(algs[a].alg, &c, sec);
			checked++;
		}
	}
	assert_int_equal(checked, 7 * 3);
	assert_int_equal(truncated, 3); /* test case 5 */
	vfile_free(f);
}

static void test_hmac_rfc4868_icv(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/rfc4868-hmac-sha2-auth.txt");
	size_t checked = 0;
	for (size_t i = 0; i < vfile_nsections(f); i++) {
		const char *sec = vfile_section(f, i);
		const char *algtext = vfile_text(f, sec, "algorithm");
		assert_non_null(algtext);
		enum crypto_hash_alg alg = !strncmp(algtext, "sha256", 6)   ? CRYPTO_HASH_SHA256
					   : !strncmp(algtext, "sha384", 6) ? CRYPTO_HASH_SHA384
									    : CRYPTO_HASH_SHA512;
		struct hmac_case c;
		load_case(f, sec, &c);
		c.want_len = vfile_hex(f, sec, "icv", c.want, sizeof(c.want));
		/* The ICV is half the digest (RFC 4868 §2.3). */
		assert_int_equal(c.want_len, crypto_hash_len(alg) / 2);
		assert_int_equal(c.key_len, crypto_hash_len(alg));
		check_hmac(alg, &c, sec);
		checked++;
	}
	assert_int_equal(checked, 9);
	vfile_free(f);
}

/* FIPS 180-2 Appendix B.1 / C.1 / D.1 and RFC 1321 §A.5: the digests of "abc". */
static void test_hash_abc_known_answers(void **state)
{
	(void)state;
	static const struct {
		enum crypto_hash_alg alg;
		const char *hex;
	} kat[] = {
		{CRYPTO_HASH_MD5, "900150983cd24fb0d6963f7d28e17f72"},
		{CRYPTO_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{CRYPTO_HASH_SHA256,
		 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{CRYPTO_HASH_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
				     "8086072ba1e7cc2358baeca134c825a7"},
		{CRYPTO_HASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
				     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(kat); i++) {
		uint8_t out[CRYPTO_HASH_MAX];
		char hex[2 * CRYPTO_HASH_MAX + 1];
		/* "abc" in three pieces, one empty. */
		struct crypto_iov v[3] = {{"a", 1}, {"", 0}, {"bc", 2}};
		int n = crypto_hash(kat[i].alg, v, 3, out);
		assert_int_equal(n, (int)crypto_hash_len(kat[i].alg));
		for (int b = 0; b < n; b++)
			snprintf(hex + 2 * b, 3, "%02x", out[b]);
		assert_string_equal(hex, kat[i].hex);
	}
}

static void test_hash_names_and_unknown(void **state)
{
	(void)state;
	uint8_t out[CRYPTO_HASH_MAX];
	struct crypto_iov v = {"x", 1};
	assert_int_equal(crypto_hash_len(CRYPTO_HASH_SHA384), 48);
	assert_int_equal(crypto_hash_len(0), 0);
	assert_int_equal(crypto_hash_len(99), 0);
	assert_string_equal(crypto_hash_name(CRYPTO_HASH_SHA256), "sha256");
	assert_string_equal(crypto_hash_name(42), "unknown");
	assert_int_equal(crypto_hash(0, &v, 1, out), ERR_INVAL);
	assert_int_equal(crypto_hmac(99, "k", 1, &v, 1, out), ERR_INVAL);
	struct crypto_hmac_ctx c;
	assert_int_equal(crypto_hmac_init(&c, 7, "k", 1), ERR_INVAL);
	assert_null(c.inner);
	/* A cleared context refuses to MAC instead of crashing. */
	assert_int_equal(crypto_hmac_mac(&c, &v, 1, out), ERR_INVAL);
}

/* An empty key and empty data are legal HMAC inputs (RFC 2104 pads the key with zeros). */
static void test_hmac_empty_key_equals_zero_key(void **state)
{
	(void)state;
	uint8_t a[CRYPTO_HASH_MAX], b[CRYPTO_HASH_MAX], zeros[64] = {0};
	struct crypto_iov v = {"data", 4};
	assert_int_equal(crypto_hmac(CRYPTO_HASH_SHA256, NULL, 0, &v, 1, a), 32);
	assert_int_equal(crypto_hmac(CRYPTO_HASH_SHA256, zeros, 64, &v, 1, b), 32);
	assert_memory_equal(a, b, 32);
	assert_int_equal(crypto_hmac(CRYPTO_HASH_SHA256, zeros, 63, NULL, 0, a), 32);
	assert_int_equal(crypto_hmac(CRYPTO_HASH_SHA256, zeros, 64, NULL, 0, b), 32);
	assert_memory_equal(a, b, 32);
}

static void test_equal_and_wipe(void **state)
{
	(void)state;
	uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	assert_true(crypto_equal(a, b, 8));
	b[7] ^= 0x80;
	assert_false(crypto_equal(a, b, 8));
	assert_true(crypto_equal(a, b, 7));
	crypto_wipe(a, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_hmac_rfc2202_sha1),
		TEST(test_hmac_rfc4231_sha2),
		TEST(test_hmac_rfc4868_icv),
		TEST(test_hash_abc_known_answers),
		TEST(test_hash_names_and_unknown),
		TEST(test_hmac_empty_key_equals_zero_key),
		TEST(test_equal_and_wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
