/*
 * libFuzzer target for ESP decapsulation (dp/esp) and the inbound path over
 * a snapshot (dp/sad), with fixed SAs.
 *
 * The first input byte picks how the rest is used:
 *   even: a received packet (outer IPv4 + ESP), decapsulated with an
 *         AES-GCM-128, an AES-CBC-128/HMAC-SHA1-96 and an ESP-NULL/
 *         HMAC-SHA-256-128 context (all with SPI 0x1000), then given to
 *         dp_sad_input (the GCM SA is installed there);
 *   odd:  an ESP plaintext (payload, padding, pad length, next header)
 *         sealed with the GCM SA's key, so the checks after authentication
 *         (padding, next header, inner IPv4 header, RFC 6040) see any bytes.
 * Invariants: no read or write outside the buffer; a success returns an
 * inner packet inside the buffer whose IPv4 header parses and whose total
 * length is the decrypted length; every drop has a reason; dp_sad_input
 * counts exactly one checkpoint or drop outcome per packet.
 *
 * Seeds: build with -DFUZZ_ESP_SEEDS and no -fsanitize=fuzzer to get a
 * program that writes tests/fuzz/corpus/esp_decap/ (see seed_main below).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/rng.h"
#include "dp/esp.h"
#include "dp/sad.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { SPI = 0x1000, NCTX = 3, BUF = 70000, IF_WAN = 2 };

static const uint8_t gcm_key[20] = {1,	2,  3,	4,  5,	6,  7,	  8,	9,    10,
				    11, 12, 13, 14, 15, 16, 0xca, 0xfe, 0xba, 0xbe};
static const uint8_t cbc_key[16] = {0x90, 0xd3, 0x82, 0xb4, 0x10, 0xee, 0xba, 0x7a,
				    0xd9, 0x38, 0xc4, 0x6c, 0xec, 0x1a, 0x82, 0xbf};
static const uint8_t hmac_key[32] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
				     0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
				     0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t ivgen_key[DP_ESP_IVGEN_KEY_LEN] = {7};

static const struct dp_esp_xform xforms[NCTX] = {
    {DP_ESP_ENCR_AES_GCM, 128, DP_ESP_AUTH_NONE},
    {DP_ESP_ENCR_AES_CBC, 128, DP_ESP_AUTH_SHA1_96},
    {DP_ESP_ENCR_NULL, 0, DP_ESP_AUTH_SHA256_128},
};

static struct {
	bool ready;
	struct dp_esp_ctx ctx[NCTX];
	struct crypto_gcm_ctx gcm;
	struct dp_sad *sad;
	struct dp_sad_worker w;
	uint8_t arena[DP_OUT_CAP];
	struct dp_out out;
} F;

static void setup(void)
{
	struct dp_esp_ivspace ivs = {
	    .sid = 1, .sid_bits = 8, .nworkers = 1, .ivgen_key = ivgen_key};
	static const uint8_t *const ek[NCTX] = {gcm_key, cbc_key, NULL};
	static const size_t ekl[NCTX] = {20, 16, 0}, akl[NCTX] = {0, 20, 32};
	for (size_t i = 0; i < NCTX; i++)
		if (dp_esp_ctx_init(&F.ctx[i], &xforms[i], SPI, ek[i], ekl[i], hmac_key, akl[i],
				    &ivs))
			abort();
	if (crypto_gcm_init(&F.gcm, gcm_key, 16) || dp_sad_create(1, &F.sad) ||
	    dp_sad_worker_init(&F.w, F.sad, 0, 1))
		abort();
	struct crypto_rng rng;
	crypto_rng_seeded(&rng, 1);
	struct dp_sad_sa_params p = {.spi = SPI,
				     .xf = xforms[0],
				     .enc_key = gcm_key,
				     .enc_key_len = 20,
				     .sid = 1,
				     .sid_bits = 8,
				     .replay = DP_SAD_REPLAY_TBAR,
				     .replay_window = 100};
	struct dp_sad_sa *sa;
	if (dp_sad_sa_create(F.sad, &p, &rng, &sa))
		abort();
	struct dp_sad_group_desc gd = {.name = "F", .sas = &sa, .nsas = 1};
	static const size_t idx[] = {0};
	struct dp_sad_map_desc md = {
	    .ifindex = IF_WAN, .mtu = 1500, .adjust_mss = 1300, .groups = idx, .ngroups = 1};
	struct dp_sad_desc d = {&gd, 1, &md, 1};
	struct dp_sad_snap *s;
	if (dp_sad_snap_build(F.sad, &d, &s))
		abort();
	dp_sad_publish(F.sad, s);
	dp_sad_sa_unref(sa);
	dp_sad_enter(&F.w);
	F.out.buf = F.arena;
	F.out.cap = sizeof(F.arena);
	F.ready = true;
}

static void check_decap(struct dp_esp_ctx *c, uint8_t *buf, size_t len)
{
	struct dp_esp_decapped d;
	enum dp_drop why;
	if (dp_esp_decap(c, buf, len, &d, &why)) {
		if (why == DP_DROP_NONE || why >= DP_DROP_COUNT)
			abort();
		return;
	}
	struct dp_pkt_ipv4 h;
	if (d.inner_off + d.inner_len > len ||
	    dp_pkt_ipv4_parse(buf + d.inner_off, d.inner_len, true, &h) ||
	    h.total_len != d.inner_len)
		abort();
}

/* dp_sad_input: one outcome per packet, counted once. */
static void check_sad(uint8_t *buf, size_t len)
{
	struct dp_counters_total before, after;
	dp_sad_counters(F.sad, &before);
	/* TBAR: the packet's own sequence number, so the window never decides alone. */
	uint64_t now_ns = len >= 28 ? (uint64_t)buf_load_u32(buf + 24) * 1000000 : 0;
	enum dp_verdict v = dp_sad_input(&F.w, IF_WAN, buf, len, now_ns, &F.out);
	dp_sad_counters(F.sad, &after);
	uint64_t outcomes =
	    after.drops - before.drops + after.ctr[DP_CTR_LAN_OUT] - before.ctr[DP_CTR_LAN_OUT];
	if (outcomes != 1 || after.ctr[DP_CTR_WAN_IN] != before.ctr[DP_CTR_WAN_IN] + 1)
		abort();
	if (v == DP_VERDICT_REPLACE &&
	    (F.out.n != 1 || F.out.pkt[0].p < buf || F.out.pkt[0].p + F.out.pkt[0].len > buf + len))
		abort();
	if (v == DP_VERDICT_DROP && F.out.drop == DP_DROP_NONE)
		abort();
}

/* Outer header + SPI | seq | IV | GCM(plaintext) | tag, with the plaintext as given. */
static size_t seal_plaintext(const uint8_t *pt, size_t n, uint8_t *pkt)
{
	size_t total = 20 + 16 + n + 16;
	struct dp_pkt_ipv4 h = {.total_len = (uint16_t)total,
				.ttl = 9,
				.proto = DP_PROTO_ESP,
				.src = 0x0a000001,
				.dst = 0x0a000002};
	dp_pkt_ipv4_write(pkt, &h);
	uint8_t *esp = pkt + 20;
	buf_store_u32(esp, SPI);
	buf_store_u32(esp + 4, 77);
	memset(esp + 8, 0x42, 8);
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN];
	memcpy(nonce, gcm_key + 16, 4);
	memcpy(nonce + 4, esp + 8, 8);
	if (crypto_gcm_seal(&F.gcm, nonce, esp, 8, pt, esp + 16, n, esp + 16 + n, 16))
		abort();
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[BUF], pkt[BUF];
	if (!F.ready)
		setup();
	if (size < 1 || size > 65000)
		return 0;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	if (data[0] & 1) {
		n = seal_plaintext(in, n, pkt);
		in = pkt;
	}
	for (size_t i = 0; i < NCTX; i++) {
		memcpy(buf, in, n);
		check_decap(&F.ctx[i], buf, n);
	}
	memcpy(buf, in, n);
	check_sad(buf, n);
	return 0;
}

#ifdef FUZZ_ESP_SEEDS
/*
 * Seed writer: valid packets of each transform (even first byte) and
 * plaintexts (odd first byte): a good inner packet, a bad pad, a bad next
 * header, a wrong inner length, a TCP SYN for the MSS clamp.
 */
static void write_seed(const char *dir, const char *name, uint8_t mode, const uint8_t *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fputc(mode, f) == EOF || fwrite(p, 1, n, f) != n || fclose(f))
		abort();
}

static size_t inner_udp(uint8_t *p, size_t payload)
{
	struct dp_pkt_ipv4 h = {.total_len = (uint16_t)(28 + payload),
				.ttl = 64,
				.proto = DP_PROTO_UDP,
				.src = 0x0a000001,
				.dst = 0x0a000002};
	dp_pkt_ipv4_write(p, &h);
	memset(p + 20, 0, 8 + payload);
	buf_store_u16(p + 24, (uint16_t)(8 + payload));
	return 28 + payload;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus/esp_decap";
	static const char *const names[NCTX] = {"gcm", "cbc_sha1", "null_sha256"};
	uint8_t inner[256], out[512], pt[300];
	setup();
	size_t ilen = inner_udp(inner, 33);
	for (size_t i = 0; i < NCTX; i++) {
		struct dp_esp_encap_params p = {.seq = 77};
		enum dp_drop why;
		int n = dp_esp_encap(&F.ctx[i], &p, inner, ilen, out, sizeof(out), &why);
		if (n < 0)
			abort();
		write_seed(dir, names[i], 0, out, (size_t)n);
	}
	/* Plaintexts: inner | pad | pad length | next header. */
	memcpy(pt, inner, ilen);
	pt[ilen] = 1, pt[ilen + 1] = 1, pt[ilen + 2] = 4; /* pad 1, pad length 1, NH 4 */
	write_seed(dir, "pt_good", 1, pt, ilen + 3);
	pt[ilen] = 9;
	write_seed(dir, "pt_bad_pad", 1, pt, ilen + 3);
	pt[ilen] = 1, pt[ilen + 2] = 41;
	write_seed(dir, "pt_next_header_6", 1, pt, ilen + 3);
	pt[ilen + 2] = 4;
	pt[3] ^= 1;
	write_seed(dir, "pt_inner_len", 1, pt, ilen + 3);
	/* TCP SYN with MSS 1460 (checksum left 0: the clamp updates it incrementally). */
	struct dp_pkt_ipv4 h = {.total_len = 44,
				.ttl = 64,
				.proto = DP_PROTO_TCP,
				.src = 0x0a000001,
				.dst = 0x0a000002};
	dp_pkt_ipv4_write(pt, &h);
	memset(pt + 20, 0, 24);
	pt[32] = 0x60, pt[33] = 0x02;
	pt[40] = 2, pt[41] = 4, pt[42] = 0x05, pt[43] = 0xb4;
	pt[44] = 1, pt[45] = 2, pt[46] = 2, pt[47] = 4;
	write_seed(dir, "pt_tcp_syn", 1, pt, 48);
	return 0;
}
#endif
