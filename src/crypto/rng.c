/*
 * Random numbers: the system CSPRNG and a deterministic generator.
 *
 * The system generator is OpenSSL's RAND_bytes (a DRBG seeded from the
 * kernel, thread-safe); its struct holds no state, so one shared instance
 * serves every thread.
 *
 * The seeded generator is the AES-256-CTR keystream under the key
 * SHA-256(seed as 8 big-endian bytes), starting at counter block 0. Its
 * whole state is in the caller's struct (key in state[0..31], bytes already
 * produced in counter): there is no global state, so two generators with
 * the same seed give the same stream whatever else runs. Because the
 * position is a byte offset, the stream does not depend on how it is cut
 * into calls: fill(5) then fill(11) gives the same bytes as fill(16).
 * Each call builds and frees an EVP context: it is for tests and the
 * simulator, not for the packet path.
 *
 * crypto_rng_uniform draws 64-bit big-endian words and rejects those below
 * 2^64 mod bound, so every residue is equally likely (no modulo bias) and
 * the result does not depend on the host byte order.
 */
#include "crypto/rng.h"
#include "crypto/evp.h" /* first of the OpenSSL headers: see there */

#include <limits.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/hash.h"
#include "util/err.h"
#include "util/mem.h"

enum { SEED_KEY_LEN = 32, CTR_BLOCK = 16 };

static int fill_system(struct crypto_rng *rng, uint8_t *out, size_t n)
{
	(void)rng;
	while (n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (RAND_bytes(out, chunk) != 1)
			return crypto_evp_fail();
		out += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

struct crypto_rng *crypto_rng_system(void)
{
	static struct crypto_rng sys = {.fill = fill_system};
	return &sys;
}

/* Encrypt n zero bytes in place: the next n keystream bytes. */
static bool keystream(EVP_CIPHER_CTX *ctx, uint8_t *out, size_t n)
{
	memset(out, 0, n);
	while (n) {
		int chunk = n > INT_MAX / 2 ? INT_MAX / 2 : (int)n, got = 0;
		if (!EVP_EncryptUpdate(ctx, out, &got, out, chunk) || got != chunk)
			return false;
		out += chunk;
		n -= (size_t)chunk;
	}
	return true;
}

/* Position the keystream at the start of the block holding byte offset pos. */
static bool ctr_start(EVP_CIPHER_CTX *ctx, const uint8_t key[SEED_KEY_LEN], uint64_t pos)
{
	uint8_t iv[CTR_BLOCK] = {0};
	uint64_t block = pos / CTR_BLOCK;
	for (int i = 0; i < 8; i++)
		iv[CTR_BLOCK - 1 - i] = (uint8_t)(block >> (8 * i));
	return EVP_EncryptInit_ex2(ctx, crypto_evp_aes256_ctr(), key, iv, NULL);
}

static int fill_seeded(struct crypto_rng *rng, uint8_t *out, size_t n)
{
	if (!n)
		return 0;
	if (!crypto_evp_aes256_ctr())
		return ERR_UNSUPP;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return ERR_NOMEM;
	size_t skip = (size_t)(rng->counter % CTR_BLOCK);
	uint8_t first[CTR_BLOCK];
	bool ok = ctr_start(ctx, rng->state, rng->counter);
	size_t head = 0;
	if (ok && skip) {
		/* Finish the partly used block, then continue on whole blocks. */
		head = MIN(CTR_BLOCK - skip, n);
		ok = keystream(ctx, first, CTR_BLOCK);
		if (ok)
			memcpy(out, first + skip, head);
	}
	if (ok && n > head)
		ok = keystream(ctx, out + head, n - head);
	EVP_CIPHER_CTX_free(ctx);
	mem_wipe(first, sizeof(first));
	if (!ok)
		return crypto_evp_fail();
	rng->counter += n;
	return 0;
}

static int fill_broken(struct crypto_rng *rng, uint8_t *out, size_t n)
{
	(void)rng;
	(void)out;
	(void)n;
	return ERR_CRYPTO;
}

void crypto_rng_seeded(struct crypto_rng *rng, uint64_t seed)
{
	uint8_t be[8];
	for (int i = 0; i < 8; i++)
		be[7 - i] = (uint8_t)(seed >> (8 * i));
	struct crypto_iov v = {be, sizeof(be)};
	memset(rng, 0, sizeof(*rng));
	/* SHA-256 cannot fail short of a broken library; then every fill reports it. */
	rng->fill = crypto_hash(CRYPTO_HASH_SHA256, &v, 1, rng->state) == SEED_KEY_LEN
			    ? fill_seeded
			    : fill_broken;
}

uint64_t crypto_rng_uniform(struct crypto_rng *rng, uint64_t bound)
{
	if (bound <= 1)
		return 0;
	/* 2^64 mod bound, computed in 64 bits: words below it would bias the result. */
	uint64_t threshold = (0 - bound) % bound;
	for (;;) {
		uint8_t b[8];
		if (crypto_rng_fill(rng, b, sizeof(b)))
			return 0;
		uint64_t r = 0;
		for (size_t i = 0; i < sizeof(b); i++)
			r = r << 8 | b[i];
		if (r >= threshold)
			return r % bound;
	}
}
