/*
 * Diffie-Hellman over the IKE groups: MODP 1, 2, 14, 15, 16 (RFC 2409, RFC
 * 3526) and ECP 19, 20, 21 (RFC 5903). Public values are encoded as IKE
 * sends them: MODP left-padded to the prime length; ECP as x | y, each
 * coordinate left-padded to the field size, no 0x04 prefix. The shared secret
 * is g^xy padded to the prime length (MODP) or the x coordinate (ECP).
 */
#ifndef GVPN_CRYPTO_DH_H
#define GVPN_CRYPTO_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rng.h"

enum crypto_dh_group {
	CRYPTO_DH_MODP768 = 1,
	CRYPTO_DH_MODP1024 = 2,
	CRYPTO_DH_MODP2048 = 14,
	CRYPTO_DH_MODP3072 = 15,
	CRYPTO_DH_MODP4096 = 16,
	CRYPTO_DH_ECP256 = 19,
	CRYPTO_DH_ECP384 = 20,
	CRYPTO_DH_ECP521 = 21,
};

#define CRYPTO_DH_PUB_MAX    512 /* MODP-4096 public value */
#define CRYPTO_DH_SECRET_MAX 512

bool crypto_dh_supported(int group);
size_t crypto_dh_pub_len(enum crypto_dh_group g);    /* bytes of the KE body */
size_t crypto_dh_secret_len(enum crypto_dh_group g); /* bytes of g^xy */
const char *crypto_dh_name(enum crypto_dh_group g);  /* "MODP_2048", "ECP_256" */

struct crypto_dh {
	enum crypto_dh_group group;
	void *key; /* opaque private value: EVP_PKEY (MODP), secure BIGNUM (ECP) */
	uint8_t pub[CRYPTO_DH_PUB_MAX];
	size_t pub_len;
};

/*
 * Generate a key pair; the private value is drawn from rng (so a seeded rng
 * gives reproducible keys). MODP exponents are short (2x the group strength,
 * 256 to 480 bits, see dh.c); ECP scalars are uniform in [1, n-1].
 * Returns 0, ERR_UNSUPP, ERR_NOMEM, ERR_CRYPTO or the error of a failing rng.
 */
int crypto_dh_generate(struct crypto_dh *dh, enum crypto_dh_group g, struct crypto_rng *rng);
/*
 * Load a known private value, big-endian (test vectors). 0, ERR_UNSUPP,
 * ERR_BADLEN (empty or longer than CRYPTO_DH_SECRET_MAX), ERR_INVAL (MODP:
 * not 1 < x < p-1; ECP: not 0 < x < n) or ERR_CRYPTO.
 */
int crypto_dh_from_private(struct crypto_dh *dh, enum crypto_dh_group g, const uint8_t *priv,
			   size_t priv_len);
/*
 * Compute the shared secret with the peer's public value (IKE encoding).
 * Validates the peer value (MODP: 1 < y < p-1; ECP: on the curve, not
 * infinity): ERR_INVAL when it is not acceptable, ERR_BADLEN on a wrong
 * length, ERR_CRYPTO. Returns the secret length. Safe to call again after a
 * rejected value.
 */
int crypto_dh_derive(struct crypto_dh *dh, const uint8_t *peer, size_t peer_len,
		     uint8_t out[static CRYPTO_DH_SECRET_MAX]);
void crypto_dh_clear(struct crypto_dh *dh);

#endif
