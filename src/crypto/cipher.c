/*
 * CBC (3DES, AES) without padding and AES-GCM over OpenSSL 3 EVP_CIPHER.
 *
 * Keyed contexts hold one EVP_CIPHER_CTX per direction with the key
 * schedule done in _init. Per packet we only call EVP_CipherInit_ex2 with
 * the new IV/nonce and no cipher and no key, which keeps the schedule, then
 * update/final: measured on OpenSSL 3.0.19 this allocates nothing (pinned by
 * tests/unit/crypto/test_noalloc.c); AES-128-CBC on 1392 bytes costs about
 * 1.1 us, AES-128-GCM about 0.45 us.
 *
 * The one-shot CBC functions (IKEv1, GDOI KEK) set up a context for the
 * one direction they need and free it; they are not on the packet path.
 *
 * IKEv1 chains IVs: the next IV is the last ciphertext block of the previous
 * message (RFC 2409 Appendix B). On decryption that block is in the input,
 * which an in-place call overwrites, so it is saved before decrypting.
 *
 * Empty inputs are refused for CBC (ERR_INVAL): IKE and ESP always carry at
 * least one block, and "the last ciphertext block" would be undefined.
 * GCM tags of 8, 12 or 16 bytes are accepted (RFC 4106 §8); on a failed open
 * the output is wiped so unauthenticated plaintext never reaches a caller
 * that ignores the return code.
 */
#include "crypto/cipher.h"
#include "crypto/evp.h" /* first of the OpenSSL headers: see there */

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>

#include "util/err.h"
#include "util/mem.h"

static const struct {
	const char *name;
	size_t key_len;
	size_t block_len;
} cbc_info[] = {
	[CRYPTO_CBC_DES] = {"DES-CBC", 8, 8},
	[CRYPTO_CBC_3DES] = {"3DES-CBC", 24, 8},
	[CRYPTO_CBC_AES128] = {"AES-128-CBC", 16, 16},
	[CRYPTO_CBC_AES192] = {"AES-192-CBC", 24, 16},
	[CRYPTO_CBC_AES256] = {"AES-256-CBC", 32, 16},
};

static bool cbc_known(enum crypto_cbc_alg alg)
{
	return (size_t)alg < ARRAY_SIZE(cbc_info) && cbc_info[alg].name;
}

size_t crypto_cbc_key_len(enum crypto_cbc_alg alg)
{
	return cbc_known(alg) ? cbc_info[alg].key_len : 0;
}

size_t crypto_cbc_block_len(enum crypto_cbc_alg alg)
{
	return cbc_known(alg) ? cbc_info[alg].block_len : 0;
}

const char *crypto_cbc_name(enum crypto_cbc_alg alg)
{
	return cbc_known(alg) ? cbc_info[alg].name : "unknown";
}

/* The cipher for alg: ERR_INVAL unknown, ERR_UNSUPP for DES or a missing provider. */
static int cbc_cipher(enum crypto_cbc_alg alg, const EVP_CIPHER **cipher)
{
	if (!cbc_known(alg))
		return ERR_INVAL;
	*cipher = crypto_evp_cbc(alg);
	return *cipher ? 0 : ERR_UNSUPP;
}

/* A context keyed for one direction, padding off. ERR_NOMEM or ERR_CRYPTO. */
static int keyed_ctx(const EVP_CIPHER *cipher, const uint8_t *key, int enc, bool no_pad,
		     EVP_CIPHER_CTX **out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return ERR_NOMEM;
	if (!EVP_CipherInit_ex2(ctx, cipher, key, NULL, enc, NULL) ||
	    (no_pad && !EVP_CIPHER_CTX_set_padding(ctx, 0))) {
		EVP_CIPHER_CTX_free(ctx);
		return crypto_evp_fail();
	}
	*out = ctx;
	return 0;
}

/* One context per direction, both keyed with key (opaque void * slots of the public structs). */
static int keyed_pair(const EVP_CIPHER *cipher, const uint8_t *key, bool no_pad, void **enc,
		      void **dec)
{
	EVP_CIPHER_CTX *e = NULL, *d = NULL;
	int rc = keyed_ctx(cipher, key, 1, no_pad, &e);
	if (!rc)
		rc = keyed_ctx(cipher, key, 0, no_pad, &d);
	*enc = e;
	*dec = d;
	return rc;
}

/* Run CBC over len bytes with a new IV on an already keyed context. */
static int cbc_run(EVP_CIPHER_CTX *ctx, size_t block, const uint8_t *iv, const uint8_t *in,
		   uint8_t *out, size_t len)
{
	if (!ctx)
		return ERR_INVAL;
	if (!len || len % block || len > INT_MAX)
		return ERR_INVAL;
	int n = 0, tail = 0;
	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL) ||
	    !EVP_CipherUpdate(ctx, out, &n, in, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, out + n, &tail) || (size_t)(n + tail) != len)
		return crypto_evp_fail();
	return 0;
}

static int cbc_oneshot(enum crypto_cbc_alg alg, int enc, const uint8_t *key, const uint8_t *iv,
		       const uint8_t *in, uint8_t *out, size_t len, uint8_t *iv_out)
{
	const EVP_CIPHER *cipher;
	int rc = cbc_cipher(alg, &cipher);
	if (rc)
		return rc;
	size_t block = cbc_info[alg].block_len;
	if (!len || len % block)
		return ERR_INVAL;
	uint8_t last[CRYPTO_BLOCK_MAX];
	/* Decrypting in place overwrites the ciphertext block we must return. */
	if (!enc)
		memcpy(last, in + len - block, block);
	EVP_CIPHER_CTX *ctx;
	rc = keyed_ctx(cipher, key, enc, true, &ctx);
	if (rc)
		return rc;
	rc = cbc_run(ctx, block, iv, in, out, len);
	EVP_CIPHER_CTX_free(ctx);
	if (!rc && iv_out)
		memcpy(iv_out, enc ? out + len - block : last, block);
	return rc;
}

int crypto_cbc_encrypt(enum crypto_cbc_alg alg, const uint8_t *key, const uint8_t *iv,
		       const uint8_t *in, uint8_t *out, size_t len, uint8_t *iv_out)
{
	return cbc_oneshot(alg, 1, key, iv, in, out, len, iv_out);
}

int crypto_cbc_decrypt(enum crypto_cbc_alg alg, const uint8_t *key, const uint8_t *iv,
		       const uint8_t *in, uint8_t *out, size_t len, uint8_t *iv_out)
{
	return cbc_oneshot(alg, 0, key, iv, in, out, len, iv_out);
}

int crypto_cbc_ctx_init(struct crypto_cbc_ctx *c, enum crypto_cbc_alg alg, const uint8_t *key)
{
	const EVP_CIPHER *cipher;
	memset(c, 0, sizeof(*c));
	int rc = cbc_cipher(alg, &cipher);
	if (rc)
		return rc;
	c->alg = alg;
	rc = keyed_pair(cipher, key, true, &c->enc, &c->dec);
	if (rc)
		crypto_cbc_ctx_clear(c);
	return rc;
}

int crypto_cbc_ctx_encrypt(struct crypto_cbc_ctx *c, const uint8_t *iv, const uint8_t *in,
			   uint8_t *out, size_t len)
{
	return cbc_run(c->enc, crypto_cbc_block_len(c->alg), iv, in, out, len);
}

int crypto_cbc_ctx_decrypt(struct crypto_cbc_ctx *c, const uint8_t *iv, const uint8_t *in,
			   uint8_t *out, size_t len)
{
	return cbc_run(c->dec, crypto_cbc_block_len(c->alg), iv, in, out, len);
}

void crypto_cbc_ctx_clear(struct crypto_cbc_ctx *c)
{
	/* EVP_CIPHER_CTX_free cleanses the key schedule. */
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	memset(c, 0, sizeof(*c));
}

int crypto_gcm_init(struct crypto_gcm_ctx *c, const uint8_t *key, size_t key_len)
{
	memset(c, 0, sizeof(*c));
	const EVP_CIPHER *cipher = crypto_evp_gcm(key_len);
	if (key_len != 16 && key_len != 24 && key_len != 32)
		return ERR_INVAL;
	if (!cipher)
		return ERR_UNSUPP;
	c->key_len = key_len;
	int rc = keyed_pair(cipher, key, false, &c->enc, &c->dec);
	if (rc)
		crypto_gcm_clear(c);
	return rc;
}

static bool gcm_args_ok(const EVP_CIPHER_CTX *ctx, size_t aad_len, size_t len, size_t tag_len)
{
	return ctx && aad_len <= INT_MAX && len <= INT_MAX &&
	       (tag_len == 8 || tag_len == 12 || tag_len == CRYPTO_GCM_TAG_LEN);
}

/* New nonce, then the AAD and the data through the keyed context. */
static bool gcm_process(EVP_CIPHER_CTX *ctx, const uint8_t *nonce, const uint8_t *aad,
			size_t aad_len, const uint8_t *in, uint8_t *out, size_t len)
{
	int n = 0;
	if (!EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, -1, NULL))
		return false;
	if (aad_len && !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len))
		return false;
	return !len || (EVP_CipherUpdate(ctx, out, &n, in, (int)len) && (size_t)n == len);
}

/* Tag parameter for get/set: the provider honours a shorter length (truncated ICV). */
static void tag_param(OSSL_PARAM p[2], void *tag, size_t tag_len)
{
	p[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, tag_len);
	p[1] = OSSL_PARAM_construct_end();
}

int crypto_gcm_seal(struct crypto_gcm_ctx *c, const uint8_t nonce[static CRYPTO_GCM_NONCE_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out,
		    size_t len, uint8_t *tag, size_t tag_len)
{
	EVP_CIPHER_CTX *ctx = c->enc;
	if (!gcm_args_ok(ctx, aad_len, len, tag_len))
		return ERR_INVAL;
	uint8_t none[CRYPTO_BLOCK_MAX];
	int n = 0;
	OSSL_PARAM p[2];
	tag_param(p, tag, tag_len);
	if (!gcm_process(ctx, nonce, aad, aad_len, in, out, len) ||
	    !EVP_CipherFinal_ex(ctx, none, &n) || !EVP_CIPHER_CTX_get_params(ctx, p))
		return crypto_evp_fail();
	return 0;
}

int crypto_gcm_open(struct crypto_gcm_ctx *c, const uint8_t nonce[static CRYPTO_GCM_NONCE_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out,
		    size_t len, const uint8_t *tag, size_t tag_len)
{
	EVP_CIPHER_CTX *ctx = c->dec;
	if (!gcm_args_ok(ctx, aad_len, len, tag_len))
		return ERR_INVAL;
	uint8_t none[CRYPTO_BLOCK_MAX];
	int n = 0;
	OSSL_PARAM p[2];
	/* The provider only reads the expected tag; the cast drops const for OSSL_PARAM. */
	tag_param(p, (void *)tag, tag_len);
	if (!gcm_process(ctx, nonce, aad, aad_len, in, out, len) ||
	    !EVP_CIPHER_CTX_set_params(ctx, p))
		return crypto_evp_fail();
	if (EVP_CipherFinal_ex(ctx, none, &n) <= 0) {
		if (len)
			mem_wipe(out, len);
		crypto_evp_fail();
		return ERR_AUTH;
	}
	return 0;
}

void crypto_gcm_clear(struct crypto_gcm_ctx *c)
{
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	memset(c, 0, sizeof(*c));
}
