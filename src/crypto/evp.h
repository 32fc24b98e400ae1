/*
 * Internal to src/crypto/: the OpenSSL algorithm objects, fetched once per
 * process, and the error-queue helper. Other layers never include this
 * header (it pulls in OpenSSL); they use hash.h, cipher.h, dh.h, rsa.h, rng.h.
 */
#ifndef GVPN_CRYPTO_EVP_H
#define GVPN_CRYPTO_EVP_H

#include <stddef.h>

/*
 * OpenSSL's <openssl/types.h> declares a typedef ERR_STATE, a name util/err.h
 * uses for an error code. crypto/ never uses OpenSSL's typedef, so it is
 * declared here under another name; the header's include guard then keeps
 * later OpenSSL headers from declaring it again. Every crypto .c file
 * therefore includes this header before any OpenSSL header.
 */
#define ERR_STATE gv_openssl_err_state_unused
#include <openssl/types.h>
#undef ERR_STATE

#include <openssl/evp.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"

/*
 * Fetched digest for alg; NULL for an unknown algorithm or one the loaded
 * providers do not offer (MD5 under FIPS). The object lives until exit.
 */
const EVP_MD *crypto_evp_md(enum crypto_hash_alg alg);
/* Fetched CBC cipher (3DES, AES-128/192/256); NULL for DES and unknown values. */
const EVP_CIPHER *crypto_evp_cbc(enum crypto_cbc_alg alg);
/* Fetched AES-GCM cipher for a 16, 24 or 32-byte key; NULL otherwise. */
const EVP_CIPHER *crypto_evp_gcm(size_t key_len);
/* Fetched AES-256-CTR (the seeded RNG's keystream). */
const EVP_CIPHER *crypto_evp_aes256_ctr(void);

/*
 * Discard this thread's OpenSSL error queue after a failed call and return
 * ERR_CRYPTO, so failures from the network (bad peer values, bad
 * signatures) do not pile up in the queue of a long-running thread.
 */
int crypto_evp_fail(void);

#endif
