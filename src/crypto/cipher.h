/*
 * Block ciphers in CBC mode without padding (IKEv1 messages, GDOI KEK, ESP
 * CBC transforms) and AES-GCM (ESP, RFC 4106).
 */
#ifndef GVPN_CRYPTO_CIPHER_H
#define GVPN_CRYPTO_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum crypto_cbc_alg {
	CRYPTO_CBC_DES = 1, /* recognised, refused: never used */
	CRYPTO_CBC_3DES,    /* 24-byte key, 8-byte block */
	CRYPTO_CBC_AES128,
	CRYPTO_CBC_AES192,
	CRYPTO_CBC_AES256,
};

#define CRYPTO_BLOCK_MAX 16
#define CRYPTO_KEY_MAX 32

size_t crypto_cbc_key_len(enum crypto_cbc_alg alg);   /* bytes; 0 unknown */
size_t crypto_cbc_block_len(enum crypto_cbc_alg alg); /* 8 or 16; 0 unknown */
const char *crypto_cbc_name(enum crypto_cbc_alg alg);

/*
 * One-shot CBC over len bytes (a non-zero multiple of the block size; in and
 * out may be the same buffer). iv is the IV in; when iv_out is not NULL the
 * last ciphertext block is stored there, also when decrypting in place
 * (IKEv1 chains IVs across messages). Returns 0, ERR_INVAL (bad length or
 * unknown algorithm), ERR_UNSUPP (CRYPTO_CBC_DES) or ERR_CRYPTO.
 */
int crypto_cbc_encrypt(enum crypto_cbc_alg alg, const uint8_t *key, const uint8_t *iv,
		       const uint8_t *in, uint8_t *out, size_t len, uint8_t *iv_out);
int crypto_cbc_decrypt(enum crypto_cbc_alg alg, const uint8_t *key, const uint8_t *iv,
		       const uint8_t *in, uint8_t *out, size_t len, uint8_t *iv_out);

/*
 * Keyed CBC context for the data plane: key schedule once, then per packet
 * only a new IV. No allocation after _init; one thread at a time per context.
 * _init: 0, ERR_INVAL, ERR_UNSUPP (DES), ERR_NOMEM, ERR_CRYPTO (the context is
 * then cleared). _encrypt/_decrypt: same length rules and codes as the
 * one-shot calls (in == out allowed); ERR_INVAL on a cleared context.
 * _clear frees and wipes; safe on a cleared or failed context.
 */
struct crypto_cbc_ctx {
	enum crypto_cbc_alg alg;
	void *enc; /* opaque OpenSSL contexts */
	void *dec;
};
int crypto_cbc_ctx_init(struct crypto_cbc_ctx *c, enum crypto_cbc_alg alg, const uint8_t *key);
int crypto_cbc_ctx_encrypt(struct crypto_cbc_ctx *c, const uint8_t *iv, const uint8_t *in,
			   uint8_t *out, size_t len);
int crypto_cbc_ctx_decrypt(struct crypto_cbc_ctx *c, const uint8_t *iv, const uint8_t *in,
			   uint8_t *out, size_t len);
void crypto_cbc_ctx_clear(struct crypto_cbc_ctx *c);

/* AES-GCM with a 12-byte nonce and a 16-byte tag (RFC 4106 uses salt|IV). */
#define CRYPTO_GCM_NONCE_LEN 12
#define CRYPTO_GCM_TAG_LEN 16

struct crypto_gcm_ctx {
	size_t key_len; /* 16, 24 or 32 */
	void *enc;      /* opaque OpenSSL contexts with the key schedule */
	void *dec;
};
/* 0, ERR_INVAL (key_len not 16/24/32), ERR_UNSUPP, ERR_NOMEM or ERR_CRYPTO. */
int crypto_gcm_init(struct crypto_gcm_ctx *c, const uint8_t *key, size_t key_len);
/*
 * Encrypt len bytes in place or into out, authenticating aad; the tag
 * (tag_len 8, 12 or 16 bytes: the leading bytes of the full tag) is written
 * to tag. No allocation; one thread at a time per context. 0, ERR_INVAL
 * (tag_len, lengths above INT_MAX, cleared context) or ERR_CRYPTO.
 */
int crypto_gcm_seal(struct crypto_gcm_ctx *c, const uint8_t nonce[static CRYPTO_GCM_NONCE_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out,
		    size_t len, uint8_t *tag, size_t tag_len);
/*
 * Decrypt and verify; ERR_AUTH when the tag does not verify (out is then
 * zeroed, never unauthenticated plaintext). Other codes as for _seal.
 */
int crypto_gcm_open(struct crypto_gcm_ctx *c, const uint8_t nonce[static CRYPTO_GCM_NONCE_LEN],
		    const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out,
		    size_t len, const uint8_t *tag, size_t tag_len);
void crypto_gcm_clear(struct crypto_gcm_ctx *c);

#endif
