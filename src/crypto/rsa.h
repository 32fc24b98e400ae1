/*
 * RSA for GDOI rekey signatures (RFC 6407 §4): PKCS#1 v1.5 over a digest,
 * both over the bare digest (what the GDOI reference implementation sends)
 * and with the DER DigestInfo wrapper (standard RSASSA-PKCS1-v1_5).
 */
#ifndef GVPN_CRYPTO_RSA_H
#define GVPN_CRYPTO_RSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "util/dbuf.h"

struct crypto_rsa {
	void *key; /* opaque EVP_PKEY; private or public only */
	bool has_private;
	unsigned bits;
};

enum crypto_sig_form {
	CRYPTO_SIG_RAW_DIGEST = 1, /* 00 01 FF..FF 00 | digest */
	CRYPTO_SIG_DIGEST_INFO,    /* 00 01 FF..FF 00 | DigestInfo(digest) */
};

/*
 * Keys are 1024 to 8192 bits, on generation and on import (ERR_INVAL
 * otherwise). Importers set *k (cleared on failure); release with _clear.
 * Exporters append to out. 0 / ERR_INVAL / ERR_CRYPTO.
 */
int crypto_rsa_generate(struct crypto_rsa *k, unsigned bits);
/*
 * PEM import of a private key (PKCS#8 or traditional, unencrypted: an
 * encrypted key is refused, never prompted for) or a public key (SPKI);
 * has_private tells which. Export: private as PKCS#8 "PRIVATE KEY" (sets
 * out->secret; ERR_INVAL for a public-only key), public as SPKI "PUBLIC KEY".
 */
int crypto_rsa_from_pem(struct crypto_rsa *k, const char *pem, size_t len);
int crypto_rsa_private_pem(const struct crypto_rsa *k, struct dbuf *out);
int crypto_rsa_public_pem(const struct crypto_rsa *k, struct dbuf *out);
/* DER SubjectPublicKeyInfo (GDOI SIG_ALGORITHM_KEY). Import: ERR_TRAILING after a valid key. */
int crypto_rsa_from_spki(struct crypto_rsa *k, const uint8_t *der, size_t len);
int crypto_rsa_public_spki(const struct crypto_rsa *k, struct dbuf *out);
/* Signature length (modulus bytes). */
size_t crypto_rsa_size(const struct crypto_rsa *k);
/*
 * Sign a digest (its length must be alg's: 20 SHA-1, 32 SHA-256, ...).
 * Returns the signature length (crypto_rsa_size), ERR_INVAL (no private
 * key, digest length, form), ERR_NOSPACE (sig_cap) or ERR_CRYPTO.
 */
int crypto_rsa_sign_digest(const struct crypto_rsa *k, enum crypto_hash_alg alg,
			   const uint8_t *digest, size_t digest_len, enum crypto_sig_form form,
			   uint8_t *sig, size_t sig_cap);
/*
 * Verify a signature over digest, accepting either form. Returns 0 and sets
 * *form (may be NULL) to the form found, ERR_AUTH (including a signature
 * not exactly crypto_rsa_size bytes) or ERR_INVAL (no key, digest length).
 */
int crypto_rsa_verify_digest(const struct crypto_rsa *k, enum crypto_hash_alg alg,
			     const uint8_t *digest, size_t digest_len, const uint8_t *sig,
			     size_t sig_len, enum crypto_sig_form *form);
void crypto_rsa_clear(struct crypto_rsa *k);

#endif
