/* IKEv1 key derivation; formulas in keys.h. */
#include "ike1/keys.h"

#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"

/* The K_ack label of notes §5.3: 17 ASCII octets, no terminator. */
static const char kack_label[] = "GROUPKEY-PUSH ACK";

#define IOV(b) ((struct crypto_iov){(b).p, (b).len})

int ike1_keys_skeyid_psk(enum crypto_hash_alg h, const uint8_t *psk, size_t psk_len,
			 struct ike1_bytes ni_b, struct ike1_bytes nr_b,
			 uint8_t skeyid[static IKE1_PRF_MAX])
{
	const struct crypto_iov in[] = {IOV(ni_b), IOV(nr_b)};
	return crypto_hmac(h, psk, psk_len, in, ARRAY_SIZE(in), skeyid);
}

int ike1_keys_skeyid_sig(enum crypto_hash_alg h, struct ike1_bytes ni_b, struct ike1_bytes nr_b,
			 struct ike1_bytes gxy, uint8_t skeyid[static IKE1_PRF_MAX])
{
	/* The HMAC key is Ni_b | Nr_b: nonces are at most 256 octets each. */
	uint8_t key[512];
	if (ni_b.len + nr_b.len > sizeof(key))
		return ERR_INVAL;
	memcpy(key, ni_b.p, ni_b.len);
	memcpy(key + ni_b.len, nr_b.p, nr_b.len);
	const struct crypto_iov in[] = {IOV(gxy)};
	int rc = crypto_hmac(h, key, ni_b.len + nr_b.len, in, 1, skeyid);
	mem_wipe(key, sizeof(key));
	return rc;
}

int ike1_keys_cipher_key(enum crypto_hash_alg h, const uint8_t *skeyid_e, size_t prf_len,
			 enum crypto_cbc_alg cipher, uint8_t key[static CRYPTO_KEY_MAX])
{
	size_t need = crypto_cbc_key_len(cipher);
	if (!need || need > CRYPTO_KEY_MAX || !prf_len || prf_len > IKE1_PRF_MAX)
		return ERR_INVAL;
	if (prf_len >= need) {
		memcpy(key, skeyid_e, need);
		return (int)need;
	}
	/* RFC 2409 appendix B: K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1). */
	uint8_t k[IKE1_PRF_MAX];
	uint8_t zero = 0;
	struct crypto_iov in = {&zero, 1};
	size_t have = 0;
	int rc = 0;
	while (have < need) {
		rc = crypto_hmac(h, skeyid_e, prf_len, &in, 1, k);
		if (rc < 0)
			break;
		size_t n = MIN((size_t)rc, need - have);
		memcpy(key + have, k, n);
		have += n;
		in = (struct crypto_iov){k, (size_t)rc};
	}
	mem_wipe(k, sizeof(k));
	if (rc < 0) {
		mem_wipe(key, CRYPTO_KEY_MAX);
		return rc;
	}
	return (int)need;
}

/* prf(SKEYID, [prev] | g^xy | CKY-I | CKY-R | octet) */
static int skeyid_x(const struct ike1_keys *k, const uint8_t *skeyid, const uint8_t *prev,
		    struct ike1_bytes gxy, const uint8_t *cky_i, const uint8_t *cky_r,
		    uint8_t octet, uint8_t *out)
{
	const struct crypto_iov in[] = {
	    {prev, prev ? k->prf_len : 0}, IOV(gxy),	{cky_i, IKE1_COOKIE_LEN},
	    {cky_r, IKE1_COOKIE_LEN},	   {&octet, 1},
	};
	return crypto_hmac(k->hash, skeyid, k->prf_len, in, ARRAY_SIZE(in), out);
}

int ike1_keys_derive(struct ike1_keys *k, const uint8_t *skeyid, struct ike1_bytes gxy,
		     const uint8_t cky_i[static IKE1_COOKIE_LEN],
		     const uint8_t cky_r[static IKE1_COOKIE_LEN])
{
	size_t prf_len = crypto_hash_len(k->hash);
	size_t block = crypto_cbc_block_len(k->cipher);
	if (!prf_len || prf_len > IKE1_PRF_MAX || !block)
		return ERR_INVAL;
	k->prf_len = (uint8_t)prf_len;
	k->block_len = (uint8_t)block;
	int rc = skeyid_x(k, skeyid, NULL, gxy, cky_i, cky_r, 0, k->skeyid_d);
	if (rc >= 0)
		rc = skeyid_x(k, skeyid, k->skeyid_d, gxy, cky_i, cky_r, 1, k->skeyid_a);
	if (rc >= 0)
		rc = skeyid_x(k, skeyid, k->skeyid_a, gxy, cky_i, cky_r, 2, k->skeyid_e);
	if (rc >= 0)
		rc = ike1_keys_cipher_key(k->hash, k->skeyid_e, prf_len, k->cipher, k->key);
	if (rc < 0) {
		ike1_keys_clear(k);
		return rc;
	}
	k->key_len = (uint8_t)rc;
	return 0;
}

/* Plain hash of the pieces, truncated to one cipher block. */
static int hash_block(enum crypto_hash_alg h, const struct crypto_iov *in, size_t n,
		      size_t block_len, uint8_t iv[static CRYPTO_BLOCK_MAX])
{
	uint8_t d[CRYPTO_HASH_MAX];
	int rc = crypto_hash(h, in, n, d);
	if (rc >= 0 && (block_len > (size_t)rc || block_len > CRYPTO_BLOCK_MAX || !block_len))
		rc = ERR_INVAL;
	if (rc >= 0) {
		memcpy(iv, d, block_len);
		rc = (int)block_len;
	}
	mem_wipe(d, sizeof(d));
	return rc;
}

int ike1_keys_iv_phase1(enum crypto_hash_alg h, struct ike1_bytes gxi, struct ike1_bytes gxr,
			size_t block_len, uint8_t iv[static CRYPTO_BLOCK_MAX])
{
	const struct crypto_iov in[] = {IOV(gxi), IOV(gxr)};
	return hash_block(h, in, ARRAY_SIZE(in), block_len, iv);
}

int ike1_keys_iv_mid(enum crypto_hash_alg h, const uint8_t *p1_last_block, size_t block_len,
		     uint32_t mid, uint8_t iv[static CRYPTO_BLOCK_MAX])
{
	uint8_t m[4];
	buf_store_u32(m, mid);
	const struct crypto_iov in[] = {{p1_last_block, block_len}, {m, sizeof(m)}};
	return hash_block(h, in, ARRAY_SIZE(in), block_len, iv);
}

int ike1_keys_hash_auth(enum crypto_hash_alg h, const uint8_t *skeyid, size_t prf_len,
			int initiator, struct ike1_bytes gxi, struct ike1_bytes gxr,
			const uint8_t cky_i[static IKE1_COOKIE_LEN],
			const uint8_t cky_r[static IKE1_COOKIE_LEN], struct ike1_bytes sai_b,
			struct ike1_bytes id_b, uint8_t out[static IKE1_PRF_MAX])
{
	/* The sender's own values come first: HASH_R swaps both pairs. */
	struct ike1_bytes g1 = initiator ? gxi : gxr, g2 = initiator ? gxr : gxi;
	const uint8_t *c1 = initiator ? cky_i : cky_r, *c2 = initiator ? cky_r : cky_i;
	const struct crypto_iov in[] = {
	    IOV(g1), IOV(g2), {c1, IKE1_COOKIE_LEN}, {c2, IKE1_COOKIE_LEN}, IOV(sai_b), IOV(id_b),
	};
	return crypto_hmac(h, skeyid, prf_len, in, ARRAY_SIZE(in), out);
}

int ike1_keys_hash_n(const struct ike1_keys *k, uint32_t mid, struct ike1_bytes ni_b,
		     struct ike1_bytes nr_b, struct ike1_bytes rest,
		     uint8_t out[static IKE1_PRF_MAX])
{
	uint8_t m[4];
	buf_store_u32(m, mid);
	const struct crypto_iov in[] = {{m, sizeof(m)}, IOV(ni_b), IOV(nr_b), IOV(rest)};
	return crypto_hmac(k->hash, k->skeyid_a, k->prf_len, in, ARRAY_SIZE(in), out);
}

int ike1_keys_kack(const struct ike1_keys *k, const uint8_t cky_i[static IKE1_COOKIE_LEN],
		   const uint8_t cky_r[static IKE1_COOKIE_LEN], uint8_t out[static IKE1_PRF_MAX])
{
	const struct crypto_iov in[] = {
	    {kack_label, sizeof(kack_label) - 1},
	    {cky_i, IKE1_COOKIE_LEN},
	    {cky_r, IKE1_COOKIE_LEN},
	};
	return crypto_hmac(k->hash, k->skeyid_a, k->prf_len, in, ARRAY_SIZE(in), out);
}

void ike1_keys_clear(struct ike1_keys *k)
{
	mem_wipe(k, sizeof(*k));
}
