/*
 * DH cost per IKE exchange side: crypto_dh_generate + crypto_dh_derive with
 * a fixed peer value, what a key server pays per registration for DH.
 * Usage: bench_dh_micro [GROUP [ROUNDS [N]]] (default 19, 5, 2000). Prints
 * each round's µs per generate+derive and the median.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/dh.h"
#include "crypto/rng.h"

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

int main(int argc, char **argv)
{
	int group = argc > 1 ? atoi(argv[1]) : 19;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	int n = argc > 3 ? atoi(argv[3]) : 2000;
	if (!crypto_dh_supported(group) || rounds < 1 || rounds > 100 || n < 1) {
		fprintf(stderr, "usage: bench_dh_micro [GROUP [ROUNDS(1-100) [N]]]\n");
		return 2;
	}
	struct crypto_rng *rng = crypto_rng_system();
	struct crypto_dh peer;
	if (crypto_dh_generate(&peer, (enum crypto_dh_group)group, rng)) {
		fprintf(stderr, "generate failed\n");
		return 1;
	}
	double us[100];
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
	qsort(us, (size_t)rounds, sizeof(us[0]), cmp_dbl);
	printf("%s: median %.1f us per generate+derive (%d rounds of %d)\n",
	       crypto_dh_name((enum crypto_dh_group)group), us[rounds / 2], rounds, n);
	crypto_dh_clear(&peer);
	return 0;
}
