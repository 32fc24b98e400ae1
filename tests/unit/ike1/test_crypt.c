/*
 * ike1/crypt: body encryption (zero padding only when needed, chaining
 * across messages), message caches and the bounded per-M-ID IV chains.
 */
#include "test.h"

#include "ike1/crypt.h"
#include "util/clock.h"
#include "util/err.h"

static void keys_for(struct ike1_keys *k, enum crypto_cbc_alg c)
{
	memset(k, 0, sizeof(*k));
	k->hash = CRYPTO_HASH_SHA1;
	k->cipher = c;
	k->prf_len = 20;
	k->block_len = (uint8_t)crypto_cbc_block_len(c);
	k->key_len = (uint8_t)crypto_cbc_key_len(c);
	for (int i = 0; i < k->key_len; i++)
		k->key[i] = (uint8_t)(0x40 + i);
	for (int i = 0; i < 20; i++)
		k->skeyid_a[i] = (uint8_t)i;
}

static void test_seal_pads_only_when_needed(void **state)
{
	(void)state;
	struct ike1_keys k;
	keys_for(&k, CRYPTO_CBC_AES128);
	uint8_t iv[16] = {1}, next[16], body[64];
	memset(body, 0xab, sizeof(body));
	/* 32 octets: already aligned, no padding. */
	assert_int_equal(ike1_crypt_seal(&k, iv, body, 32, sizeof(body), next), 32);
	assert_memory_equal(next, body + 16, 16);
	/* 33 octets: 15 zero octets of padding. */
	uint8_t pt[48];
	memset(body, 0xcd, sizeof(body));
	assert_int_equal(ike1_crypt_seal(&k, iv, body, 33, sizeof(body), next), 48);
	assert_int_equal(ike1_crypt_open(&k, iv, body, pt, 48, next), 48);
	for (int i = 0; i < 33; i++)
		assert_int_equal(pt[i], 0xcd);
	for (int i = 33; i < 48; i++)
		assert_int_equal(pt[i], 0);
	assert_memory_equal(next, body + 32, 16);
	/* No room for the padding. */
	assert_int_equal(ike1_crypt_seal(&k, iv, body, 33, 40, next), ERR_NOSPACE);
}

static void test_open_rejects_bad_lengths(void **state)
{
	(void)state;
	struct ike1_keys k;
	keys_for(&k, CRYPTO_CBC_3DES);
	uint8_t iv[8] = {0}, next[16], buf[24] = {0};
	assert_int_equal(ike1_crypt_open(&k, iv, buf, buf, 0, next), ERR_BADLEN);
	assert_int_equal(ike1_crypt_open(&k, iv, buf, buf, 12, next), ERR_BADLEN);
	assert_int_equal(ike1_crypt_open(&k, iv, buf, buf, 24, next), 24);
	struct ike1_keys none = {0};
	assert_int_equal(ike1_crypt_open(&none, iv, buf, buf, 24, next), ERR_INVAL);
}

/* Message 2 of an exchange continues from the last block of message 1. */
static void test_chaining_across_messages(void **state)
{
	(void)state;
	struct ike1_keys k;
	keys_for(&k, CRYPTO_CBC_AES256);
	uint8_t iv0[16] = {9}, iv1[16], iv2[16], m1[32], m2[16], pt[32], twos[16];
	memset(twos, 2, sizeof(twos));
	memset(m1, 1, sizeof(m1));
	memset(m2, 2, sizeof(m2));
	assert_int_equal(ike1_crypt_seal(&k, iv0, m1, 32, 32, iv1), 32);
	assert_int_equal(ike1_crypt_seal(&k, iv1, m2, 16, 16, iv2), 16);
	/* The receiver decrypts in order with the same chain. */
	uint8_t r1[16], r2[16];
	assert_int_equal(ike1_crypt_open(&k, iv0, m1, pt, 32, r1), 32);
	assert_memory_equal(r1, iv1, 16);
	assert_int_equal(ike1_crypt_open(&k, r1, m2, pt, 16, r2), 16);
	assert_memory_equal(pt, twos, 16);
	/* With the wrong IV only the first block differs (CBC). */
	assert_int_equal(ike1_crypt_open(&k, iv0, m2, pt, 16, r2), 16);
	assert_memory_not_equal(pt, twos, 16);
}

static void test_cache_duplicates_and_tx_copy(void **state)
{
	(void)state;
	struct ike1_cache c = {0};
	const uint8_t a[] = "request one", b[] = "request two";
	assert_false(ike1_cache_is_dup(&c, a, sizeof(a)));
	uint8_t d[IKE1_DIGEST_LEN];
	assert_int_equal(ike1_cache_digest(a, sizeof(a), d), 0);
	ike1_cache_note_rx(&c, d);
	assert_true(ike1_cache_is_dup(&c, a, sizeof(a)));
	assert_false(ike1_cache_is_dup(&c, b, sizeof(b)));
	assert_false(ike1_cache_is_dup(&c, a, sizeof(a) - 1));
	assert_int_equal(ike1_cache_set_tx(&c, b, sizeof(b)), 0);
	assert_int_equal(ike1_cache_set_tx(&c, a, sizeof(a)), 0);
	assert_int_equal(c.tx_len, sizeof(a));
	assert_memory_equal(c.tx, a, sizeof(a));
	assert_int_equal(ike1_cache_set_tx(&c, a, 0), ERR_BADLEN);
	ike1_cache_clear(&c);
	assert_null(c.tx);
	assert_false(c.has_rx);
}

static void test_chains_bounded_and_expire(void **state)
{
	(void)state;
	struct ike1_keys k;
	keys_for(&k, CRYPTO_CBC_AES128);
	const uint8_t last[16] = {0x11};
	struct ike1_chains cs = {0};
	struct ike1_chain *c = NULL, *c2 = NULL;
	const uint64_t idle = 30 * NS_PER_SEC, grace = 10 * NS_PER_SEC;

	for (uint32_t m = 1; m <= IKE1_CHAINS_MAX; m++)
		assert_int_equal(ike1_chains_open(&cs, &k, last, m, m, idle, &c), 0);
	/* First IV = H(last | M-ID). */
	uint8_t iv[16];
	ike1_keys_iv_mid(k.hash, last, 16, IKE1_CHAINS_MAX, iv);
	assert_memory_equal(c->iv, iv, 16);
	assert_int_equal(ike1_chains_open(&cs, &k, last, 2, 10, idle, &c2), ERR_EXISTS);
	/* All four busy and fresh: a fifth exchange is refused. */
	assert_int_equal(ike1_chains_open(&cs, &k, last, 99, 10, idle, &c2), ERR_LIMIT);
	/* Ending M-ID 3 frees its slot for reuse (the oldest done one goes). */
	ike1_chains_find(&cs, 3)->done = true;
	assert_int_equal(ike1_chains_open(&cs, &k, last, 99, 10, idle, &c2), 0);
	assert_null(ike1_chains_find(&cs, 3));
	assert_non_null(ike1_chains_find(&cs, 99));
	/* A chain idle longer than idle_ns may be reused as well. */
	assert_int_equal(ike1_chains_open(&cs, &k, last, 100, idle + 2, idle, &c2), 0);
	assert_null(ike1_chains_find(&cs, 1));

	/* Commit moves the IV; expiry drops done chains after the grace period. */
	c = ike1_chains_find(&cs, 99);
	ike1_chain_commit(c, (uint8_t[16]){7}, 16, 20);
	assert_int_equal(c->iv[0], 7);
	c->done = true;
	assert_int_equal(ike1_chains_deadline(&cs, grace, idle), 20 + grace);
	assert_int_equal(ike1_chains_expire(&cs, 20 + grace, grace, idle), 3);
	assert_null(ike1_chains_find(&cs, 99));
	assert_int_equal(ike1_chains_expire(&cs, 3 * idle, grace, idle), 0);
	assert_int_equal(ike1_chains_deadline(&cs, grace, idle), CLOCK_NEVER);
	ike1_chains_clear(&cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_seal_pads_only_when_needed), TEST(test_open_rejects_bad_lengths),
	    TEST(test_chaining_across_messages),   TEST(test_cache_duplicates_and_tx_copy),
	    TEST(test_chains_bounded_and_expire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
