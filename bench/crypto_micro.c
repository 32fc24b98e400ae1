/*
 * Costs of the public-key operations of a registration and a rekey:
 *
 *   bench_crypto_micro dh [GROUP [ROUNDS [N]]]   crypto_dh_generate +
 *       crypto_dh_derive with a fixed peer value, what each side of an IKE
 *       Main Mode pays for DH (default group 19, 5 rounds of 2000)
 *   bench_crypto_micro rsa [ROUNDS [N]]          crypto_rsa_from_spki of a
 *       2048-bit SubjectPublicKeyInfo (a member decodes the key server's key
 *       at registration) and crypto_rsa_verify_digest of one push signature
 *       (default 5 rounds of 2000)
 *
 * Prints each round's µs per operation and the medians.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/dh.h"
#include "crypto/hash.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "util/dbuf.h"

enum { ROUNDS_MAX = 100 };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_dbl);
	return v[n / 2];
}

static int bench_dh(int group, int rounds, int n)
{
	struct crypto_rng *rng = crypto_rng_system();
	struct crypto_dh peer;
	if (crypto_dh_generate(&peer, (enum crypto_dh_group)group, rng)) {
		fprintf(stderr, "generate failed\n");
		return 1;
	}
	double us[ROUNDS_MAX];
	uint8_t out[CRYPTO_DH_SECRET_MAX];
	for (int r = 0; r < rounds; r++) {
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			struct crypto_dh dh;
			if (crypto_dh_generate(&dh, (enum crypto_dh_group)group, rng) ||
			    crypto_dh_derive(&dh, peer.pub, peer.pub_len, out) < 0) {
				fprintf(stderr, "generate/derive failed\n");
				return 1;
			}
			crypto_dh_clear(&dh);
		}
		us[r] = (now_s() - t0) * 1e6 / n;
		printf("round %2d: %8.1f us per generate+derive\n", r + 1, us[r]);
	}
	printf("%s: median %.1f us per generate+derive (%d rounds of %d)\n",
	       crypto_dh_name((enum crypto_dh_group)group), median(us, rounds), rounds, n);
	crypto_dh_clear(&peer);
	return 0;
}

static int bench_rsa(int rounds, int n)
{
	struct crypto_rsa key;
	struct dbuf spki = DBUF_INIT;
	uint8_t dg[32] = {1, 2, 3}, sig[1024];
	if (crypto_rsa_generate(&key, 2048) || crypto_rsa_public_spki(&key, &spki)) {
		fprintf(stderr, "key generation failed\n");
		return 1;
	}
	int sl = crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, dg, sizeof(dg),
					CRYPTO_SIG_RAW_DIGEST, sig, sizeof(sig));
	if (sl < 0) {
		fprintf(stderr, "sign failed\n");
		return 1;
	}
	double dec[ROUNDS_MAX], ver[ROUNDS_MAX];
	for (int r = 0; r < rounds; r++) {
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			struct crypto_rsa pub;
			if (crypto_rsa_from_spki(&pub, spki.p, spki.len)) {
				fprintf(stderr, "decode failed\n");
				return 1;
			}
			crypto_rsa_clear(&pub);
		}
		double t1 = now_s();
		for (int i = 0; i < n; i++) {
			if (crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA256, dg, sizeof(dg), sig,
						     (size_t)sl, NULL)) {
				fprintf(stderr, "verify failed\n");
				return 1;
			}
		}
		double t2 = now_s();
		dec[r] = (t1 - t0) * 1e6 / n;
		ver[r] = (t2 - t1) * 1e6 / n;
		printf("round %2d: from_spki %7.1f us, verify %7.1f us\n", r + 1, dec[r], ver[r]);
	}
	printf("RSA-2048: median from_spki %.1f us, verify %.1f us (%d rounds of %d)\n",
	       median(dec, rounds), median(ver, rounds), rounds, n);
	crypto_rsa_clear(&key);
	dbuf_free(&spki);
	return 0;
}

int main(int argc, char **argv)
{
	bool dh = argc > 1 && !strcmp(argv[1], "dh");
	bool rsa = argc > 1 && !strcmp(argv[1], "rsa");
	int a = 2;
	int group = dh && argc > a ? atoi(argv[a++]) : 19;
	int rounds = argc > a ? atoi(argv[a]) : 5;
	int n = argc > a + 1 ? atoi(argv[a + 1]) : 2000;
	if ((!dh && !rsa) || (dh && !crypto_dh_supported(group)) || rounds < 1 ||
	    rounds > ROUNDS_MAX || n < 1) {
		fprintf(stderr, "usage: bench_crypto_micro dh [GROUP [ROUNDS(1-100) [N]]]\n"
				"       bench_crypto_micro rsa [ROUNDS(1-100) [N]]\n");
		return 2;
	}
	return dh ? bench_dh(group, rounds, n) : bench_rsa(rounds, n);
}
