/*
 * Random numbers. Engines take a struct crypto_rng from their context so the
 * simulator can run deterministically from a seed; the daemon passes the
 * system CSPRNG.
 */
#ifndef GVPN_CRYPTO_RNG_H
#define GVPN_CRYPTO_RNG_H

#include <stddef.h>
#include <stdint.h>

struct crypto_rng {
	/* Fill out with n random bytes. 0 or ERR_CRYPTO. */
	int (*fill)(struct crypto_rng *rng, uint8_t *out, size_t n);
	uint8_t state[64]; /* private state of the deterministic generator */
	uint64_t counter;
};

/* The operating system's CSPRNG (OpenSSL RAND_bytes). Shared, thread-safe. */
struct crypto_rng *crypto_rng_system(void);
/*
 * A deterministic generator for tests and the simulator: the same seed gives
 * the same stream (AES-256-CTR keyed by SHA-256 of the seed). Never for keys
 * in production.
 */
void crypto_rng_seeded(struct crypto_rng *rng, uint64_t seed);
static inline int crypto_rng_fill(struct crypto_rng *rng, uint8_t *out, size_t n)
{
	return rng->fill(rng, out, n);
}
/* Uniform random integer in [0, bound), no modulo bias; 0 when bound <= 1 or the RNG fails. */
uint64_t crypto_rng_uniform(struct crypto_rng *rng, uint64_t bound);

#endif
