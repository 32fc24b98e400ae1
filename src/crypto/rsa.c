/*
 * RSA keys and PKCS#1 v1.5 signatures over a digest for GDOI rekeys.
 *
 * Two signature forms (RFC 8017 §9.2 for the standard one):
 * - CRYPTO_SIG_DIGEST_INFO: EM = 00 01 FF..FF 00 | DigestInfo(alg, digest),
 *   made by EVP_PKEY_sign with RSA_PKCS1_PADDING and the signature md set.
 * - CRYPTO_SIG_RAW_DIGEST: EM = 00 01 FF..FF 00 | digest, what the GDOI
 *   reference key server sends: the same call with no md set, so OpenSSL
 *   pads the bare bytes with block type 1 (RFC 2313 §8.1).
 * Verification first recovers EM's payload with EVP_PKEY_verify_recover (no
 * md) and compares it with the digest in constant time; if it is not the
 * bare digest, EVP_PKEY_verify with the md set decides the DigestInfo form
 * (OpenSSL checks the DER encoding strictly). A signature whose length is
 * not the modulus length is refused outright.
 *
 * Keys are accepted from 1024 to 8192 bits, on generation and on import
 * (smaller keys are forgeable; larger ones only cost CPU and would not fit
 * the verification buffer). PEM export is PKCS#8 "PRIVATE KEY" through a
 * secure-memory BIO, copied into a dbuf marked secret; OpenSSL clears the
 * private components when the key is freed. Encrypted private PEMs are
 * refused (no passphrase callback may prompt on a daemon's terminal).
 */
#include "crypto/rsa.h"
#include "crypto/evp.h" /* first of the OpenSSL headers: see there */

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "util/err.h"
#include "util/mem.h"

enum { RSA_MIN_BITS = 1024, RSA_MAX_BITS = 8192, RSA_MAX_BYTES = RSA_MAX_BITS / 8 };

/* Passphrase callback: none, so an encrypted key fails instead of prompting. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Does pk hold the private exponent? */
static bool holds_private(const EVP_PKEY *pk)
{
	BIGNUM *d = NULL;
	bool yes = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_D, &d) == 1 && d;
	BN_clear_free(d);
	return yes;
}

/* Take ownership of pk into k when it is an RSA key of an accepted size. */
static int adopt(struct crypto_rsa *k, EVP_PKEY *pk)
{
	memset(k, 0, sizeof(*k));
	if (!pk) {
		crypto_evp_fail();
		return ERR_INVAL;
	}
	int bits = EVP_PKEY_get_bits(pk);
	if (!EVP_PKEY_is_a(pk, "RSA") || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
		EVP_PKEY_free(pk);
		return ERR_INVAL;
	}
	k->key = pk;
	k->bits = (unsigned)bits;
	k->has_private = holds_private(pk);
	ERR_clear_error();
	return 0;
}

int crypto_rsa_generate(struct crypto_rsa *k, unsigned bits)
{
	memset(k, 0, sizeof(*k));
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
		return ERR_INVAL;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	bool ok = ctx && EVP_PKEY_keygen_init(ctx) > 0 &&
		  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) > 0 &&
		  EVP_PKEY_generate(ctx, &pk) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(pk);
		return crypto_evp_fail();
	}
	return adopt(k, pk);
}

int crypto_rsa_from_pem(struct crypto_rsa *k, const char *pem, size_t len)
{
	memset(k, 0, sizeof(*k));
	if (len > INT_MAX)
		return ERR_INVAL;
	/* Private (PKCS#8 or traditional) first, then SubjectPublicKeyInfo. */
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pk =
	    b ? PEM_read_bio_PrivateKey_ex(b, NULL, no_passphrase, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (!pk) {
		ERR_clear_error();
		b = BIO_new_mem_buf(pem, (int)len);
		pk = b ? PEM_read_bio_PUBKEY_ex(b, NULL, no_passphrase, NULL, NULL, NULL) : NULL;
		BIO_free(b);
	}
	return adopt(k, pk);
}

/* Append the contents of a memory BIO to out. */
static int bio_to_dbuf(BIO *b, struct dbuf *out)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	if (n <= 0 || !data)
		return ERR_CRYPTO;
	return dbuf_append(out, data, (size_t)n);
}

int crypto_rsa_private_pem(const struct crypto_rsa *k, struct dbuf *out)
{
	if (!k->key || !k->has_private)
		return ERR_INVAL;
	/* Secure memory is cleansed when the BIO is freed. */
	BIO *b = BIO_new(BIO_s_secmem());
	int rc = ERR_CRYPTO;
	out->secret = true;
	if (b && PEM_write_bio_PrivateKey(b, k->key, NULL, NULL, 0, NULL, NULL))
		rc = bio_to_dbuf(b, out);
	BIO_free(b);
	return rc == ERR_CRYPTO ? crypto_evp_fail() : rc;
}

int crypto_rsa_public_pem(const struct crypto_rsa *k, struct dbuf *out)
{
	if (!k->key)
		return ERR_INVAL;
	BIO *b = BIO_new(BIO_s_mem());
	int rc = ERR_CRYPTO;
	if (b && PEM_write_bio_PUBKEY(b, k->key))
		rc = bio_to_dbuf(b, out);
	BIO_free(b);
	return rc == ERR_CRYPTO ? crypto_evp_fail() : rc;
}

/*
 * The DER SubjectPublicKeyInfo decoder for RSA keys, made once per process:
 * OpenSSL 3.0 builds a decoder context for every d2i_PUBKEY call by walking
 * all the decoders its providers offer, which costs several RSA-2048
 * verifications and was most of a group member's CPU per registration. The
 * context writes each key it decodes to spki_dec.out; it is not safe for
 * concurrent use, hence the lock. It lives until exit, like the fetched
 * digests. Every call decodes: a caller that meets the same key again keeps
 * the key it has (a member keeps its key server's, gdoi/gm_rekey.c).
 */
static struct {
	pthread_mutex_t lock;
	bool tried;
	OSSL_DECODER_CTX *ctx;
	EVP_PKEY *out;
} spki_dec = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Decode one SPKI with the shared context; *used = bytes it took. NULL when not a key. */
static EVP_PKEY *spki_decode(const uint8_t *der, size_t len, size_t *used)
{
	EVP_PKEY *pk = NULL;
	pthread_mutex_lock(&spki_dec.lock);
	if (!spki_dec.tried) {
		spki_dec.tried = true;
		spki_dec.ctx =
		    OSSL_DECODER_CTX_new_for_pkey(&spki_dec.out, "DER", "SubjectPublicKeyInfo",
						  "RSA", EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	}
	if (spki_dec.ctx) {
		const unsigned char *p = der;
		size_t left = len;
		spki_dec.out = NULL;
		if (OSSL_DECODER_from_data(spki_dec.ctx, &p, &left)) {
			pk = spki_dec.out;
			*used = len - left;
		} else {
			EVP_PKEY_free(spki_dec.out);
		}
		spki_dec.out = NULL;
	}
	pthread_mutex_unlock(&spki_dec.lock);
	return pk;
}

int crypto_rsa_from_spki(struct crypto_rsa *k, const uint8_t *der, size_t len)
{
	memset(k, 0, sizeof(*k));
	if (!len || len > LONG_MAX)
		return ERR_INVAL;
	size_t used = 0;
	EVP_PKEY *pk = spki_decode(der, len, &used);
	if (pk && used != len) {
		EVP_PKEY_free(pk);
		ERR_clear_error();
		return ERR_TRAILING;
	}
	return adopt(k, pk);
}

int crypto_rsa_public_spki(const struct crypto_rsa *k, struct dbuf *out)
{
	if (!k->key)
		return ERR_INVAL;
	int n = i2d_PUBKEY(k->key, NULL);
	if (n <= 0)
		return crypto_evp_fail();
	int rc = dbuf_reserve(out, (size_t)n);
	if (rc)
		return rc;
	unsigned char *p = out->p + out->len;
	if (i2d_PUBKEY(k->key, &p) != n)
		return crypto_evp_fail();
	out->len += (size_t)n;
	out->p[out->len] = 0; /* dbuf keeps a terminator after the contents */
	return 0;
}

size_t crypto_rsa_size(const struct crypto_rsa *k)
{
	int n = k->key ? EVP_PKEY_get_size(k->key) : 0;
	return n > 0 ? (size_t)n : 0;
}

/* The digest for alg when digest_len matches it; NULL otherwise. */
static const EVP_MD *md_for(enum crypto_hash_alg alg, size_t digest_len)
{
	size_t want = crypto_hash_len(alg);
	return want && want == digest_len ? crypto_evp_md(alg) : NULL;
}

/* A PKCS#1 v1.5 operation context on key; md NULL means "no DigestInfo". */
static EVP_PKEY_CTX *op_ctx(EVP_PKEY *key, int (*init)(EVP_PKEY_CTX *), const EVP_MD *md)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (ctx && init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    (!md || EVP_PKEY_CTX_set_signature_md(ctx, md) > 0))
		return ctx;
	EVP_PKEY_CTX_free(ctx);
	return NULL;
}

int crypto_rsa_sign_digest(const struct crypto_rsa *k, enum crypto_hash_alg alg,
			   const uint8_t *digest, size_t digest_len, enum crypto_sig_form form,
			   uint8_t *sig, size_t sig_cap)
{
	const EVP_MD *md = md_for(alg, digest_len);
	if (!k->key || !k->has_private || !md ||
	    (form != CRYPTO_SIG_RAW_DIGEST && form != CRYPTO_SIG_DIGEST_INFO))
		return ERR_INVAL;
	size_t len = crypto_rsa_size(k);
	if (sig_cap < len)
		return ERR_NOSPACE;
	EVP_PKEY_CTX *ctx =
	    op_ctx(k->key, EVP_PKEY_sign_init, form == CRYPTO_SIG_DIGEST_INFO ? md : NULL);
	bool ok = ctx && EVP_PKEY_sign(ctx, sig, &len, digest, digest_len) > 0;
	EVP_PKEY_CTX_free(ctx);
	return ok ? (int)len : crypto_evp_fail();
}

/* Recover the signed payload (bare digest or DigestInfo); its length or -1. */
static long recover(EVP_PKEY *key, const uint8_t *sig, size_t sig_len,
		    uint8_t out[static RSA_MAX_BYTES])
{
	size_t len = RSA_MAX_BYTES;
	EVP_PKEY_CTX *ctx = op_ctx(key, EVP_PKEY_verify_recover_init, NULL);
	bool ok = ctx && EVP_PKEY_verify_recover(ctx, out, &len, sig, sig_len) > 0;
	EVP_PKEY_CTX_free(ctx);
	return ok ? (long)len : -1;
}

int crypto_rsa_verify_digest(const struct crypto_rsa *k, enum crypto_hash_alg alg,
			     const uint8_t *digest, size_t digest_len, const uint8_t *sig,
			     size_t sig_len, enum crypto_sig_form *form)
{
	const EVP_MD *md = md_for(alg, digest_len);
	if (!k->key || !md)
		return ERR_INVAL;
	if (sig_len != crypto_rsa_size(k))
		return ERR_AUTH;
	uint8_t rec[RSA_MAX_BYTES];
	long n = recover(k->key, sig, sig_len, rec);
	enum crypto_sig_form found = 0;
	if (n == (long)digest_len && mem_equal_ct(rec, digest, digest_len)) {
		found = CRYPTO_SIG_RAW_DIGEST;
	} else if (n > (long)digest_len) {
		EVP_PKEY_CTX *ctx = op_ctx(k->key, EVP_PKEY_verify_init, md);
		if (ctx && EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1)
			found = CRYPTO_SIG_DIGEST_INFO;
		EVP_PKEY_CTX_free(ctx);
	}
	if (!found) {
		crypto_evp_fail();
		return ERR_AUTH;
	}
	if (form)
		*form = found;
	return 0;
}

void crypto_rsa_clear(struct crypto_rsa *k)
{
	EVP_PKEY_free(k->key);
	memset(k, 0, sizeof(*k));
}
