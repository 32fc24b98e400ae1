/*
 * The key-export hook of the ike1 table (struct ike1_config.keylog): called
 * once per SA on each side when Main Mode completes, with the cookies seen
 * on the wire and the phase-1 cipher key, which the test derives itself
 * from SKEYID_e (RFC 2409 appendix B) and compares.
 */
#include "test.h"

#include <string.h>

#include "crypto/hash.h"
#include "pair.h"

#define CALLS_MAX 4

struct call {
	uint8_t cky_i[IKE1_COOKIE_LEN], cky_r[IKE1_COOKIE_LEN];
	enum crypto_cbc_alg cipher;
	enum crypto_hash_alg hash;
	uint8_t key[CRYPTO_KEY_MAX];
	size_t key_len;
	struct ike1_peer peer;
	enum ike1_role role;
	uint32_t conn_id;
	int ups_before; /* io.up() calls seen before the hook */
};

struct log {
	struct side *side;
	size_t n;
	struct call c[CALLS_MAX];
};

static struct pair P;
static struct log L[2];

static void hook(void *arg, const struct ike1_keylog *k)
{
	struct log *l = arg;
	assert_true(l->n < CALLS_MAX);
	struct call *c = &l->c[l->n++];
	memcpy(c->cky_i, k->cky_i, IKE1_COOKIE_LEN);
	memcpy(c->cky_r, k->cky_r, IKE1_COOKIE_LEN);
	c->cipher = k->cipher;
	c->hash = k->hash;
	assert_true(k->key_len <= sizeof(c->key));
	memcpy(c->key, k->key, k->key_len);
	c->key_len = k->key_len;
	c->peer = k->peer;
	c->role = k->role;
	c->conn_id = k->conn_id;
	c->ups_before = l->side->ups;
}

/* RFC 2409 appendix B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1), key = K1 | K2 ... */
static size_t derive_key(enum crypto_hash_alg h, const uint8_t *skeyid_e, size_t key_len,
			 uint8_t out[static 2 * CRYPTO_HASH_MAX])
{
	size_t prf = crypto_hash_len(h), have = 0;
	if (prf >= key_len) {
		memcpy(out, skeyid_e, key_len);
		return key_len;
	}
	uint8_t zero = 0;
	struct crypto_iov in = {&zero, 1};
	while (have < key_len) {
		uint8_t k[CRYPTO_HASH_MAX];
		assert_int_equal(crypto_hmac(h, skeyid_e, prf, &in, 1, k), (int)prf);
		memcpy(out + have, k, prf);
		in = (struct crypto_iov){out + have, prf};
		have += prf;
	}
	return key_len;
}

static void run(enum crypto_cbc_alg cipher, enum crypto_hash_alg hash, size_t key_len)
{
	struct pair *p = &P;
	memset(L, 0, sizeof(L));
	struct ike1_policy pol = pair_policy(cipher, hash, 14);
	pair_init(p, &pol, 1);
	for (int i = 0; i < 2; i++) {
		L[i].side = &p->s[i];
		p->s[i].cfg.keylog = hook;
		p->s[i].cfg.keylog_arg = &L[i];
	}
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	pair_assert_same_keys(p);
	/* the cookies as sent: CKY-I in MM1, CKY-R in MM2 */
	assert_true(p->nsent >= 6);
	const uint8_t *cky_i = p->sent[0].b, *cky_r = p->sent[1].b + IKE1_COOKIE_LEN;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(L[i].n, 1);
		const struct call *c = &L[i].c[0];
		struct ike1_sa *sa = pair_sa(p, i);
		assert_memory_equal(c->cky_i, cky_i, IKE1_COOKIE_LEN);
		assert_memory_equal(c->cky_r, cky_r, IKE1_COOKIE_LEN);
		assert_int_equal(c->cipher, cipher);
		assert_int_equal(c->hash, hash);
		assert_int_equal(c->key_len, key_len);
		uint8_t want[2 * CRYPTO_HASH_MAX];
		derive_key(hash, sa->keys.skeyid_e, key_len, want);
		assert_memory_equal(c->key, want, key_len);
		assert_int_equal(c->role, i == GM ? IKE1_INITIATOR : IKE1_RESPONDER);
		assert_int_equal(c->peer.ip4, pair_addr(i == GM ? KS : GM).ip4);
		assert_int_equal(c->conn_id, sa->conn_id);
		/* before the upper layer hears of it, so its first exchange is decodable */
		assert_int_equal(c->ups_before, 0);
		assert_int_equal(p->s[i].ups, 1);
	}
	assert_memory_equal(L[GM].c[0].key, L[KS].c[0].key, key_len);
	/* no second call: retransmissions, time and deletion do not fire it */
	pair_run(p, p->now + 120 * NS_PER_SEC);
	ike1_sa_delete(&p->s[GM].t, pair_sa(p, GM), p->now, true);
	pair_pump(p);
	assert_int_equal(L[GM].n, 1);
	assert_int_equal(L[KS].n, 1);
	pair_free(p);
	mem_wipe(L, sizeof(L));
}

/* Every phase-1 cipher with a hash shorter and longer than its key. */
static void test_each_cipher(void **state)
{
	(void)state;
	static const struct {
		enum crypto_cbc_alg cipher;
		enum crypto_hash_alg hash;
		size_t key_len;
	} cases[] = {
	    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA1, 16},
	    /* SHA-1 gives 20 octets: the 32-octet key is K1 | K2 */
	    {CRYPTO_CBC_AES256, CRYPTO_HASH_SHA1, 32},
	    {CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256, 32},
	    {CRYPTO_CBC_3DES, CRYPTO_HASH_SHA384, 24},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(cases[i].cipher, cases[i].hash, cases[i].key_len);
}

/* A failed handshake exports nothing. */
static void test_no_call_on_failure(void **state)
{
	(void)state;
	struct pair *p = &P;
	memset(L, 0, sizeof(L));
	struct ike1_policy pol = pair_policy(CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, 14);
	pair_init(p, &pol, 1);
	p->s[KS].psk = "wrong";
	for (int i = 0; i < 2; i++) {
		L[i].side = &p->s[i];
		p->s[i].cfg.keylog = hook;
		p->s[i].cfg.keylog_arg = &L[i];
	}
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	pair_run(p, p->now + 60 * NS_PER_SEC);
	assert_int_equal(L[GM].n, 0);
	assert_int_equal(L[KS].n, 0);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_each_cipher),
	    TEST(test_no_call_on_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
