/*
 * IKEv1 key material (RFC 2409 §5, appendix B; RFC 6407 §3.2; notes §2.5-2.7,
 * §3.2, §5.3).
 *
 *   SKEYID   = prf(PSK, Ni_b | Nr_b)                    pre-shared key
 *   SKEYID   = prf(Ni_b | Nr_b, g^xy)                   signatures
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 *   key      = SKEYID_e, or K1 | K2 | ... with K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)
 *   IV (phase 1)  = H(g^xi | g^xr)           truncated to the block size
 *   IV (M-ID)     = H(last phase-1 block | M-ID)
 *   HASH_I   = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 *   HASH_R   = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 *   HASH(n)  = prf(SKEYID_a, M-ID | [Ni_b] | [Nr_b] | payloads after HASH)
 *   K_ack    = prf(SKEYID_a, "GROUPKEY-PUSH ACK" | CKY-I | CKY-R)
 *
 * prf is HMAC with the negotiated hash, H the plain hash. Every function
 * returns the output length (bytes) or a negative ERR_* code: ERR_INVAL for
 * an unknown hash or cipher or an impossible length, ERR_CRYPTO when the
 * crypto library fails. Outputs are caller arrays of the declared size; the
 * functions keep no state and wipe their temporaries.
 */
#ifndef GVPN_IKE1_KEYS_H
#define GVPN_IKE1_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"

#define IKE1_COOKIE_LEN 8
#define IKE1_SPI_LEN	16 /* CKY-I | CKY-R */
#define IKE1_PRF_MAX	CRYPTO_HASH_MAX

/* The negotiated algorithms and every key an established ISAKMP SA keeps. */
struct ike1_keys {
	enum crypto_hash_alg hash;  /* prf = HMAC-hash; also the IV hash */
	enum crypto_cbc_alg cipher; /* phase-1 message cipher */
	uint8_t prf_len;	    /* bytes of SKEYID_* */
	uint8_t key_len;	    /* bytes of key */
	uint8_t block_len;	    /* cipher block: 8 or 16 */
	uint8_t skeyid_d[IKE1_PRF_MAX];
	uint8_t skeyid_a[IKE1_PRF_MAX];
	uint8_t skeyid_e[IKE1_PRF_MAX];
	uint8_t key[CRYPTO_KEY_MAX];
};

/* One octet string of an iovec-style input (NULL/0 = absent). */
struct ike1_bytes {
	const uint8_t *p;
	size_t len;
};

int ike1_keys_skeyid_psk(enum crypto_hash_alg h, const uint8_t *psk, size_t psk_len,
			 struct ike1_bytes ni_b, struct ike1_bytes nr_b,
			 uint8_t skeyid[static IKE1_PRF_MAX]);
int ike1_keys_skeyid_sig(enum crypto_hash_alg h, struct ike1_bytes ni_b, struct ike1_bytes nr_b,
			 struct ike1_bytes gxy, uint8_t skeyid[static IKE1_PRF_MAX]);

/*
 * Fill k->skeyid_d/_a/_e and k->key from SKEYID, g^xy and the cookies. k->hash
 * and k->cipher must be set; prf_len, key_len and block_len are filled in.
 * Returns 0 or ERR_INVAL / ERR_CRYPTO (k is wiped on failure).
 */
int ike1_keys_derive(struct ike1_keys *k, const uint8_t *skeyid, struct ike1_bytes gxy,
		     const uint8_t cky_i[static IKE1_COOKIE_LEN],
		     const uint8_t cky_r[static IKE1_COOKIE_LEN]);

/*
 * The cipher key of RFC 2409 appendix B from SKEYID_e (expanded when shorter
 * than the key). Returns the key length.
 */
int ike1_keys_cipher_key(enum crypto_hash_alg h, const uint8_t *skeyid_e, size_t prf_len,
			 enum crypto_cbc_alg cipher, uint8_t key[static CRYPTO_KEY_MAX]);

/* Phase-1 IV, H(g^xi | g^xr), truncated to block_len. Returns block_len. */
int ike1_keys_iv_phase1(enum crypto_hash_alg h, struct ike1_bytes gxi, struct ike1_bytes gxr,
			size_t block_len, uint8_t iv[static CRYPTO_BLOCK_MAX]);
/* First IV of the exchange with Message ID mid. Returns block_len. */
int ike1_keys_iv_mid(enum crypto_hash_alg h, const uint8_t *p1_last_block, size_t block_len,
		     uint32_t mid, uint8_t iv[static CRYPTO_BLOCK_MAX]);

/*
 * HASH_I (initiator = 1) or HASH_R (initiator = 0). gxi/gxr are the KE bodies
 * of initiator and responder, sai_b the initiator's SA body from message 1,
 * id_b the sender's ID body. Returns the prf length.
 */
int ike1_keys_hash_auth(enum crypto_hash_alg h, const uint8_t *skeyid, size_t prf_len,
			int initiator, struct ike1_bytes gxi, struct ike1_bytes gxr,
			const uint8_t cky_i[static IKE1_COOKIE_LEN],
			const uint8_t cky_r[static IKE1_COOKIE_LEN], struct ike1_bytes sai_b,
			struct ike1_bytes id_b, uint8_t out[static IKE1_PRF_MAX]);

/*
 * HASH(n) of a protected exchange: prf(SKEYID_a, M-ID | ni_b | nr_b | rest),
 * where ni_b / nr_b may be absent ({NULL, 0}) and rest is every payload after
 * the HASH payload as sent. Protected informationals use it with no nonces.
 */
int ike1_keys_hash_n(const struct ike1_keys *k, uint32_t mid, struct ike1_bytes ni_b,
		     struct ike1_bytes nr_b, struct ike1_bytes rest,
		     uint8_t out[static IKE1_PRF_MAX]);

/* K_ack of the gvpn GROUPKEY-PUSH acknowledgement (notes §5.3). */
int ike1_keys_kack(const struct ike1_keys *k, const uint8_t cky_i[static IKE1_COOKIE_LEN],
		   const uint8_t cky_r[static IKE1_COOKIE_LEN], uint8_t out[static IKE1_PRF_MAX]);

/* Wipe every key in k. */
void ike1_keys_clear(struct ike1_keys *k);

#endif
