/*
 * Hashes and HMAC (the IKEv1 PRF, the ESP ICVs, GDOI HASH payloads and the
 * rekey signature digest).
 */
#ifndef GVPN_CRYPTO_HASH_H
#define GVPN_CRYPTO_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum crypto_hash_alg {
	CRYPTO_HASH_MD5 = 1, /* only to recognise legacy proposals; never negotiated */
	CRYPTO_HASH_SHA1,
	CRYPTO_HASH_SHA256,
	CRYPTO_HASH_SHA384,
	CRYPTO_HASH_SHA512,
};

#define CRYPTO_HASH_MAX 64 /* largest digest (SHA-512) */
#define CRYPTO_HMAC_BLOCK_MAX 128

/* Digest length in bytes, 0 for an unknown algorithm. */
size_t crypto_hash_len(enum crypto_hash_alg alg);
const char *crypto_hash_name(enum crypto_hash_alg alg); /* "sha256" */

/*
 * One-shot digest of the concatenation of n pieces (empty pieces allowed).
 * Returns the length, ERR_INVAL (unknown alg), ERR_UNSUPP (not provided, e.g.
 * MD5 under FIPS), ERR_NOMEM or ERR_CRYPTO.
 */
struct crypto_iov {
	const void *p;
	size_t len;
};
int crypto_hash(enum crypto_hash_alg alg, const struct crypto_iov *iov, size_t n,
		uint8_t out[static CRYPTO_HASH_MAX]);
/* One-shot HMAC over the concatenation of n pieces. Returns the length or the codes above. */
int crypto_hmac(enum crypto_hash_alg alg, const void *key, size_t keylen,
		const struct crypto_iov *iov, size_t n, uint8_t out[static CRYPTO_HASH_MAX]);

/*
 * Keyed HMAC context for repeated use with the same key (ESP ICVs): the key
 * schedule is done once in _init; _mac() is safe to call from one thread at
 * a time per context. Free with _clear (wipes). _mac() allocates nothing with
 * OpenSSL >= 3.5; OpenSSL 3.0-3.4 cannot copy a digest state without
 * duplicating it, so there it makes two small allocations (see hash.c).
 * _init returns 0 or the codes of crypto_hash.
 */
struct crypto_hmac_ctx {
	enum crypto_hash_alg alg;
	void *inner; /* pre-keyed state (OpenSSL objects); opaque */
	void *outer;
	void *work;
};
int crypto_hmac_init(struct crypto_hmac_ctx *c, enum crypto_hash_alg alg, const void *key,
		     size_t keylen);
/*
 * MAC of the n pieces into out (full digest length). Returns the length,
 * ERR_CRYPTO, or ERR_INVAL on a cleared context.
 */
int crypto_hmac_mac(struct crypto_hmac_ctx *c, const struct crypto_iov *iov, size_t n,
		    uint8_t out[static CRYPTO_HASH_MAX]);
void crypto_hmac_clear(struct crypto_hmac_ctx *c);

/* Constant-time comparison and wiping (see util/mem.h). */
bool crypto_equal(const void *a, const void *b, size_t n);
void crypto_wipe(void *p, size_t n);

#endif
