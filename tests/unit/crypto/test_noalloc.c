/*
 * The per-packet crypto calls allocate nothing: keyed CBC, AES-GCM seal/open
 * (failed opens included) and, where OpenSSL allows it, keyed HMAC.
 *
 * OpenSSL's allocator is replaced by a counting one before OpenSSL allocates
 * anything (CRYPTO_set_mem_functions only works then), so the counts cover
 * every allocation the library makes on our behalf.
 */
#include "test.h"

#include <stdlib.h>

#include <openssl/crypto.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"

static unsigned long allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

enum { ROUNDS = 50, LEN = 1408 };

static uint8_t key[32], iv[16], nonce[12], aad[12], pkt[LEN], tag[16];

static void test_cbc_ctx_allocates_nothing(void **state)
{
	(void)state;
	const enum crypto_cbc_alg algs[] = {CRYPTO_CBC_3DES, CRYPTO_CBC_AES128, CRYPTO_CBC_AES256};
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		struct crypto_cbc_ctx c;
		assert_int_equal(crypto_cbc_ctx_init(&c, algs[a], key), 0);
		unsigned long before = allocs;
		for (int i = 0; i < ROUNDS; i++) {
			iv[0] = (uint8_t)i;
			assert_int_equal(crypto_cbc_ctx_encrypt(&c, iv, pkt, pkt, LEN), 0);
			assert_int_equal(crypto_cbc_ctx_decrypt(&c, iv, pkt, pkt, LEN), 0);
		}
		assert_int_equal(allocs - before, 0);
		crypto_cbc_ctx_clear(&c);
	}
}

static void test_gcm_allocates_nothing(void **state)
{
	(void)state;
	struct crypto_gcm_ctx g;
	assert_int_equal(crypto_gcm_init(&g, key, 16), 0);
	unsigned long before = allocs;
	for (int i = 0; i < ROUNDS; i++) {
		nonce[11] = (uint8_t)i;
		size_t tl = i % 2 ? 16 : 12;
		assert_int_equal(crypto_gcm_seal(&g, nonce, aad, 8, pkt, pkt, LEN, tag, tl), 0);
		assert_int_equal(crypto_gcm_open(&g, nonce, aad, 8, pkt, pkt, LEN, tag, tl), 0);
		/* A forged packet costs no allocation either (it is the attacker's lever). */
		assert_int_equal(crypto_gcm_seal(&g, nonce, aad, 12, pkt, pkt, LEN, tag, 16), 0);
		tag[0] ^= 1;
		assert_true(crypto_gcm_open(&g, nonce, aad, 12, pkt, pkt, LEN, tag, 16) < 0);
	}
	assert_int_equal(allocs - before, 0);
	crypto_gcm_clear(&g);
}

/*
 * OpenSSL 3.5 copies a digest state in place (EVP_MD_CTX_copy_ex with the
 * provider's copyctx); 3.0 to 3.4 duplicate the provider context on every
 * copy, one allocation per digest state, two per HMAC (see crypto/hash.c).
 */
static void test_hmac_mac_allocations(void **state)
{
	(void)state;
	const unsigned long per_mac = OpenSSL_version_num() >= 0x30500000UL ? 0 : 2;
	const enum crypto_hash_alg algs[] = {CRYPTO_HASH_SHA1, CRYPTO_HASH_SHA256,
					     CRYPTO_HASH_SHA512};
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		struct crypto_hmac_ctx c;
		uint8_t out[CRYPTO_HASH_MAX];
		struct crypto_iov v[2] = {{aad, 8}, {pkt, LEN}};
		assert_int_equal(crypto_hmac_init(&c, algs[a], key, 20), 0);
		unsigned long before = allocs;
		for (int i = 0; i < ROUNDS; i++)
			assert_true(crypto_hmac_mac(&c, v, 2, out) > 0);
		assert_int_equal(allocs - before, per_mac * ROUNDS);
		crypto_hmac_clear(&c);
	}
}

int main(void)
{
	if (CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) != 1) {
		fprintf(stderr, "OpenSSL allocated before main: cannot count\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		TEST(test_cbc_ctx_allocates_nothing),
		TEST(test_gcm_allocates_nothing),
		TEST(test_hmac_mac_allocations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
