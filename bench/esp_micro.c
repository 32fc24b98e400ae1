/*
 * ESP per-packet cost against the crypto ceiling, on one core.
 *
 *   esp:  dp_esp_encap + dp_esp_decap of a 1400-byte IPv4 packet (AES-GCM-128,
 *         header preservation, IV from the SID/counter space, trailer,
 *         outer/inner header parsing and checks);
 *   raw:  crypto_gcm_seal + crypto_gcm_open of the same bytes (the ESP
 *         plaintext of that packet: 1400 + padding + trailer) with the same
 *         8-byte AAD: what the crypto layer costs by itself.
 *
 * Rounds alternate esp and raw so that frequency changes and noisy
 * neighbours hit both alike; each prints its rates and their ratio (esp cost
 * / raw cost), and the summary gives the median rates and the median of the
 * per-round ratios (target <= 1.3).
 *
 * Usage: bench_esp_micro [rounds [packets-per-round]]   (default 15 x 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cipher.h"
#include "dp/esp.h"
#include "dp/pkt.h"
#include "util/buf.h"

enum { INNER_LEN = 1400, BUF_LEN = 2048, SPI = 0x8bf147ef, MAX_ROUNDS = 101 };

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A 1400-byte UDP packet 10.1.0.5 -> 10.2.0.9 (checksum of the UDP part not needed). */
static void make_inner(uint8_t *p)
{
	struct dp_pkt_ipv4 h = {.tos = 0xb8,
				.total_len = INNER_LEN,
				.id = 1,
				.ttl = 63,
				.proto = DP_PROTO_UDP,
				.src = 0x0a010005,
				.dst = 0x0a020009};
	dp_pkt_ipv4_write(p, &h);
	for (size_t i = 20; i < INNER_LEN; i++)
		p[i] = (uint8_t)i;
}

static int esp_round(struct dp_esp_ctx *tx, struct dp_esp_ctx *rx, const uint8_t *inner,
		     uint8_t *buf, long n)
{
	struct dp_esp_encap_params p = {.df = DP_ESP_DF_COPY};
	for (long i = 0; i < n; i++) {
		enum dp_drop why;
		struct dp_esp_decapped d;
		p.seq = (uint32_t)i;
		p.ip_id = (uint16_t)i;
		int len = dp_esp_encap(tx, &p, inner, INNER_LEN, buf, BUF_LEN, &why);
		if (len < 0 || dp_esp_decap(rx, buf, (size_t)len, &d, &why) ||
		    d.inner_len != INNER_LEN) {
			fprintf(stderr, "esp round failed: %s\n", dp_counters_drop_name(why));
			return -1;
		}
	}
	return 0;
}

static int raw_round(struct crypto_gcm_ctx *g, const uint8_t *salt, uint8_t *buf, size_t ct_len,
		     long n)
{
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN], aad[8], tag[16];
	memcpy(nonce, salt, 4);
	for (long i = 0; i < n; i++) {
		buf_store_u32(aad, SPI);
		buf_store_u32(aad + 4, (uint32_t)i);
		buf_store_u32(nonce + 4, 0x5a000000);
		buf_store_u32(nonce + 8, (uint32_t)i);
		if (crypto_gcm_seal(g, nonce, aad, 8, buf, buf, ct_len, tag, 16) ||
		    crypto_gcm_open(g, nonce, aad, 8, buf, buf, ct_len, tag, 16)) {
			fprintf(stderr, "raw round failed\n");
			return -1;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	long n = argc > 2 ? atol(argv[2]) : 100000;
	if (rounds < 1 || rounds > MAX_ROUNDS || n < 1) {
		fprintf(stderr, "usage: %s [rounds (1-%d) [packets]]\n", argv[0], MAX_ROUNDS);
		return 2;
	}
	static const uint8_t key[20] = {0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
					0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x44, 0x3b, 0x68};
	const struct dp_esp_xform xf = {DP_ESP_ENCR_AES_GCM, 128, DP_ESP_AUTH_NONE};
	struct dp_esp_ivspace ivs = {.sid = 0x5a, .sid_bits = 8, .nworkers = 1};
	struct dp_esp_ctx tx, rx;
	struct crypto_gcm_ctx g;
	if (dp_esp_ctx_init(&tx, &xf, SPI, key, 20, NULL, 0, &ivs) ||
	    dp_esp_ctx_init(&rx, &xf, SPI, key, 20, NULL, 0, &ivs) ||
	    crypto_gcm_init(&g, key, 16)) {
		fprintf(stderr, "key setup failed\n");
		return 1;
	}
	static uint8_t inner[INNER_LEN], buf[BUF_LEN], raw[BUF_LEN];
	make_inner(inner);
	/* The ESP plaintext: inner + padding + pad length + next header (4-byte aligned). */
	size_t ct_len = dp_esp_encap_len(&xf, INNER_LEN) - dp_esp_headroom(&xf) - 16;
	memcpy(raw, inner, INNER_LEN);
	printf("AES-GCM-128, %d-byte inner packets (%zu-byte ESP plaintext, %zu on the wire), "
	       "%ld packets per round, encap+decap vs seal+open\n",
	       INNER_LEN, ct_len, dp_esp_encap_len(&xf, INNER_LEN), n);
	double esp_rate[MAX_ROUNDS], raw_rate[MAX_ROUNDS], ratio[MAX_ROUNDS];
	for (int r = 0; r < rounds; r++) {
		double t0 = now_sec();
		if (esp_round(&tx, &rx, inner, buf, n))
			return 1;
		double t1 = now_sec();
		if (raw_round(&g, key + 16, raw, ct_len, n))
			return 1;
		double t2 = now_sec();
		esp_rate[r] = (double)n / (t1 - t0);
		raw_rate[r] = (double)n / (t2 - t1);
		ratio[r] = raw_rate[r] / esp_rate[r];
		printf("round %2d: esp %8.0f pkt/s  raw %8.0f pkt/s  ratio %.3f\n", r + 1,
		       esp_rate[r], raw_rate[r], ratio[r]);
	}
	double e = median(esp_rate, rounds), w = median(raw_rate, rounds);
	printf("median: esp %.0f pkt/s (%.2f Gbit/s inner, %.0f ns/pkt), raw %.0f pkt/s (%.0f "
	       "ns/pkt)\n",
	       e, e * INNER_LEN * 8 / 1e9, 1e9 / e, w, 1e9 / w);
	/* Paired per round: both halves of a round saw the same machine state. */
	printf("ratio esp/raw cost (median of rounds): %.3f (target <= 1.3)\n",
	       median(ratio, rounds));
	dp_esp_ctx_clear(&tx);
	dp_esp_ctx_clear(&rx);
	crypto_gcm_clear(&g);
	return 0;
}
