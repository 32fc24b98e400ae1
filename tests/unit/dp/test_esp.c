/*
 * dp/esp: published ESP packets (RFC 3602 cases 5-8, draft-mcgrew-gcm-test-01),
 * round trips of every transform, header preservation, every truncation and
 * every single-bit flip, padding / next header / inner checks, IV spaces,
 * overhead arithmetic, RFC 6040 ECN.
 */
#include "test.h"

#include <stdlib.h>

#include "crypto/hash.h"
#include "dp/esp.h"
#include "pktgen.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"
#include "vectors.h"
#include "xforms.h"

enum { BUF = 4096, SPI = 0x1000abcd };

static const uint8_t zero_ivkey[DP_ESP_IVGEN_KEY_LEN];

/* ---- RFC 3602 ---- */

struct cbc_vec {
	uint8_t key[16], esp[512], inner[512];
	size_t esp_len, inner_len;
	uint32_t spi, seq;
	uint8_t nh, pad;
};

static void load_cbc_vec(const struct vfile *f, const char *sec, struct cbc_vec *v)
{
	uint8_t b[4];
	assert_int_equal(vfile_hex(f, sec, "key", v->key, sizeof(v->key)), 16);
	assert_int_equal(vfile_hex(f, sec, "spi", b, 4), 4);
	v->spi = buf_load_u32(b);
	assert_int_equal(vfile_hex(f, sec, "sequence", b, 4), 4);
	v->seq = buf_load_u32(b);
	v->esp_len = vfile_hex(f, sec, "esp", v->esp, sizeof(v->esp));
	v->inner_len = vfile_hex(f, sec, "inner", v->inner, sizeof(v->inner));
	/* These two are written in decimal. */
	v->nh = (uint8_t)strtoul(vfile_text(f, sec, "next_header"), NULL, 10);
	v->pad = (uint8_t)strtoul(vfile_text(f, sec, "pad_length"), NULL, 10);
}

static void cbc_vec_ctx(struct dp_esp_ctx *c, const struct cbc_vec *v)
{
	struct dp_esp_xform xf = {DP_ESP_ENCR_AES_CBC, 128, DP_ESP_AUTH_NONE};
	struct dp_esp_ivspace ivs = {.nworkers = 1, .ivgen_key = zero_ivkey};
	/* Confidentiality only: refused by the normal constructor. */
	assert_int_equal(dp_esp_ctx_init(c, &xf, v->spi, v->key, 16, NULL, 0, &ivs), ERR_INVAL);
	assert_int_equal(dp_esp_ctx_init_unauthenticated(c, &xf, v->spi, v->key, 16, &ivs), 0);
}

/* Open the published packet, then seal the plaintext with its IV: same bytes. */
static void check_cbc_open_seal(const struct cbc_vec *v)
{
	struct dp_esp_ctx c;
	cbc_vec_ctx(&c, v);
	uint8_t buf[512];
	memcpy(buf, v->esp, v->esp_len);
	struct dp_esp_opened o;
	enum dp_drop why;
	assert_int_equal(dp_esp_open(&c, buf, v->esp_len, &o, &why), 0);
	assert_int_equal(o.spi, v->spi);
	assert_int_equal(o.seq, v->seq);
	assert_int_equal(o.next_header, v->nh);
	assert_int_equal(o.payload_off, 24);
	assert_int_equal(o.payload_len, v->inner_len);
	assert_int_equal(v->esp_len - 24 - o.payload_len - 2, v->pad);
	assert_memory_equal(buf + o.payload_off, v->inner, v->inner_len);

	memset(buf, 0, sizeof(buf));
	memcpy(buf + 24, v->inner, v->inner_len);
	int n = dp_esp_seal(&c, v->seq, v->esp + 8, buf, v->inner_len, v->nh, sizeof(buf));
	assert_int_equal(n, v->esp_len);
	assert_memory_equal(buf, v->esp, v->esp_len);
	dp_esp_ctx_clear(&c);
}

/* Prefix an outer IPv4 header (header preservation: the inner's addresses). */
static size_t wrap_outer(uint8_t *pkt, const uint8_t *esp, size_t esp_len, uint32_t src,
			 uint32_t dst)
{
	struct dp_pkt_ipv4 h = {.total_len = (uint16_t)(20 + esp_len),
				.ttl = 64,
				.proto = DP_PROTO_ESP,
				.src = src,
				.dst = dst};
	dp_pkt_ipv4_write(pkt, &h);
	memcpy(pkt + 20, esp, esp_len);
	return 20 + esp_len;
}

static void test_rfc3602_esp_cases(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/rfc3602-aes-cbc.txt");
	static const char *const secs[] = {"case_5", "case_6", "case_7", "case_8"};
	for (size_t i = 0; i < ARRAY_SIZE(secs); i++) {
		struct cbc_vec v;
		load_cbc_vec(f, secs[i], &v);
		check_cbc_open_seal(&v);
		/* Cases 7 and 8 are tunnel mode (next header 4): full decap. */
		struct dp_esp_ctx c;
		cbc_vec_ctx(&c, &v);
		uint8_t pkt[600];
		struct dp_pkt_ipv4 inner;
		bool tunnel = v.nh == 4;
		uint32_t src = 0x0a000001, dst = 0x0a000002;
		if (tunnel) {
			assert_int_equal(dp_pkt_ipv4_parse(v.inner, v.inner_len, true, &inner), 0);
			src = inner.src;
			dst = inner.dst;
		}
		size_t len = wrap_outer(pkt, v.esp, v.esp_len, src, dst);
		struct dp_esp_decapped d;
		enum dp_drop why;
		int rc = dp_esp_decap(&c, pkt, len, &d, &why);
		if (tunnel) {
			assert_int_equal(rc, 0);
			assert_int_equal(d.inner_len, v.inner_len);
			assert_memory_equal(pkt + d.inner_off, v.inner, v.inner_len);
			assert_false(d.addr_mismatch);
		} else {
			assert_int_equal(rc, ERR_PROTO);
			assert_int_equal(why, DP_DROP_BAD_NEXT_HEADER);
		}
		dp_esp_ctx_clear(&c);
	}
	vfile_free(f);
}

/* ---- draft-mcgrew-gcm-test-01 ---- */

static void test_gcm_esp_draft_cases(void **state)
{
	(void)state;
	struct vfile *f = vfile_load("vectors/draft-mcgrew-gcm-test-01-esp.txt");
	/* case_1 uses a 64-bit ESN in the AAD: group SAs never use ESN. */
	static const char *const secs[] = {"case_2", "case_3", "case_4", "case_5"};
	for (size_t i = 0; i < ARRAY_SIZE(secs); i++) {
		uint8_t key[36], aad[12], iv[8], pt[256], ct[256], icv[16], esp[512];
		size_t klen = vfile_hex(f, secs[i], "key", key, 32);
		assert_int_equal(vfile_hex(f, secs[i], "salt", key + klen, 4), 4);
		assert_int_equal(vfile_hex(f, secs[i], "aad", aad, sizeof(aad)), 8);
		assert_int_equal(vfile_hex(f, secs[i], "iv", iv, 8), 8);
		size_t n = vfile_hex(f, secs[i], "plaintext", pt, sizeof(pt));
		assert_int_equal(vfile_hex(f, secs[i], "ciphertext", ct, sizeof(ct)), n);
		assert_int_equal(vfile_hex(f, secs[i], "icv", icv, 16), 16);
		/* The packet on the wire: SPI | Seq | IV | ciphertext | ICV. */
		memcpy(esp, aad, 8);
		memcpy(esp + 8, iv, 8);
		memcpy(esp + 16, ct, n);
		memcpy(esp + 16 + n, icv, 16);
		size_t esp_len = 32 + n;

		struct dp_esp_xform xf = {DP_ESP_ENCR_AES_GCM, (uint16_t)(klen * 8),
					  DP_ESP_AUTH_NONE};
		struct dp_esp_ivspace ivs = {.nworkers = 1};
		struct dp_esp_ctx c;
		assert_int_equal(
		    dp_esp_ctx_init(&c, &xf, buf_load_u32(aad), key, klen + 4, NULL, 0, &ivs), 0);
		assert_false(c.can_send); /* no sender ID */
		uint8_t buf[512];
		memcpy(buf, esp, esp_len);
		struct dp_esp_opened o;
		enum dp_drop why;
		assert_int_equal(dp_esp_open(&c, buf, esp_len, &o, &why), 0);
		assert_int_equal(o.seq, buf_load_u32(aad + 4));
		uint8_t pad = pt[n - 2];
		assert_int_equal(o.next_header, pt[n - 1]);
		assert_int_equal(o.payload_len, n - 2 - pad);
		assert_memory_equal(buf + 16, pt, o.payload_len);

		memset(buf, 0, sizeof(buf));
		memcpy(buf + 16, pt, o.payload_len);
		assert_int_equal(
		    dp_esp_seal(&c, o.seq, iv, buf, o.payload_len, o.next_header, sizeof(buf)),
		    esp_len);
		assert_memory_equal(buf, esp, esp_len);

		/* The published packets carry next header 1 although they hold IPv4 packets:
		 * full tunnel decap refuses them under bad_next_header. */
		uint8_t pkt[600];
		size_t len = wrap_outer(pkt, esp, esp_len, 1, 2);
		struct dp_esp_decapped d;
		assert_int_equal(dp_esp_decap(&c, pkt, len, &d, &why), ERR_PROTO);
		assert_int_equal(why, DP_DROP_BAD_NEXT_HEADER);
		assert_true(d.esp.authenticated);
		dp_esp_ctx_clear(&c);
	}
	vfile_free(f);
}

/* ---- round trips and header preservation ---- */

static size_t encap(struct dp_esp_ctx *c, const uint8_t *inner, size_t len, enum dp_esp_df df,
		    uint32_t seq, uint8_t *out)
{
	struct dp_esp_encap_params p = {.seq = seq, .ip_id = 0x7777, .df = df};
	enum dp_drop why = DP_DROP_COUNT;
	int n = dp_esp_encap(c, &p, inner, len, out, BUF, &why);
	assert_true(n > 0);
	assert_int_equal(why, DP_DROP_NONE);
	return (size_t)n;
}

static void check_outer(const uint8_t *out, size_t n, const uint8_t *inner, uint16_t want_frag,
			uint32_t seq)
{
	struct dp_pkt_ipv4 o, i;
	assert_int_equal(dp_pkt_ipv4_parse(out, n, true, &o), 0);
	assert_int_equal(dp_pkt_ipv4_parse(inner, 65535, false, &i), 0);
	assert_int_equal(out[0], 0x45);
	assert_int_equal(o.tos, i.tos);
	assert_int_equal(o.total_len, n);
	assert_int_equal(o.id, 0x7777);
	assert_int_equal(o.frag, want_frag);
	assert_int_equal(o.ttl, i.ttl);
	assert_int_equal(o.proto, DP_PROTO_ESP);
	assert_int_equal(o.src, i.src);
	assert_int_equal(o.dst, i.dst);
	assert_int_equal(buf_load_u32(out + 20), SPI);
	assert_int_equal(buf_load_u32(out + 24), seq);
}

static void test_round_trip_every_transform(void **state)
{
	(void)state;
	static const size_t payloads[] = {0, 1, 2, 3, 13, 100, 1372, 1400};
	for (size_t x = 0; x < test_nxforms; x++) {
		const struct dp_esp_xform *xf = &test_xforms[x].xf;
		char name[DP_ESP_NAME_MAX];
		assert_string_equal(dp_esp_xform_name(xf, name), test_xforms[x].name);
		struct dp_esp_ctx tx, rx;
		test_ctx_init(&tx, xf, SPI, 1, 0, 1);
		test_ctx_init(&rx, xf, SPI, 1, 0, 1);
		for (size_t k = 0; k < ARRAY_SIZE(payloads); k++) {
			uint8_t inner[BUF], out[BUF];
			size_t len = pktgen_udp(inner, sizeof(inner), 0xc0a80101, 0xc0a80202, 5000,
						6000, payloads[k]);
			inner[1] = 0xb8; /* DSCP EF, Not-ECT */
			inner[8] = 17;	 /* TTL */
			buf_store_u16(inner + 6, DP_IPV4_DF);
			dp_pkt_ipv4_set_csum(inner, 20);
			static const struct {
				enum dp_esp_df df;
				uint16_t frag;
			} dfs[] = {{DP_ESP_DF_COPY, DP_IPV4_DF},
				   {DP_ESP_DF_CLEAR, 0},
				   {DP_ESP_DF_SET, DP_IPV4_DF}};
			for (size_t d = 0; d < ARRAY_SIZE(dfs); d++) {
				uint32_t seq = (uint32_t)(k * 3 + d + 1);
				size_t n = encap(&tx, inner, len, dfs[d].df, seq, out);
				assert_int_equal(n, dp_esp_encap_len(xf, len));
				check_outer(out, n, inner, dfs[d].frag, seq);
				if (xf->encr !=
				    DP_ESP_ENCR_NULL) /* ciphertext differs from plaintext */
					assert_memory_not_equal(out + dp_esp_headroom(xf), inner,
								MIN(len, 16));
				struct dp_esp_decapped dd;
				enum dp_drop why;
				assert_int_equal(dp_esp_decap(&rx, out, n, &dd, &why), 0);
				assert_int_equal(dd.inner_len, len);
				assert_memory_equal(out + dd.inner_off, inner, len);
				assert_int_equal(dd.esp.seq, seq);
				assert_false(dd.addr_mismatch);
			}
		}
		/* DF copy of an inner packet without DF gives an outer without DF. */
		uint8_t inner[BUF], out[BUF];
		size_t len = pktgen_udp(inner, sizeof(inner), 1, 2, 3, 4, 10);
		check_outer(out, encap(&tx, inner, len, DP_ESP_DF_COPY, 9, out), inner, 0, 9);
		dp_esp_ctx_clear(&tx);
		dp_esp_ctx_clear(&rx);
	}
}

/* Encap in place (inner already at out + headroom) gives the same bytes. */
static void test_encap_in_place(void **state)
{
	(void)state;
	for (size_t x = 0; x < test_nxforms; x++) {
		const struct dp_esp_xform *xf = &test_xforms[x].xf;
		struct dp_esp_ctx a, b;
		test_ctx_init(&a, xf, SPI, 2, 0, 1);
		test_ctx_init(&b, xf, SPI, 2, 0, 1);
		uint8_t inner[BUF], o1[BUF], o2[BUF];
		size_t len = pktgen_tcp(inner, sizeof(inner), 1, 2, 3, 4, 0x10, NULL, 0, 333);
		size_t n1 = encap(&a, inner, len, DP_ESP_DF_COPY, 5, o1);
		memcpy(o2 + dp_esp_headroom(xf), inner, len);
		struct dp_esp_encap_params p = {.seq = 5, .ip_id = 0x7777};
		enum dp_drop why;
		assert_int_equal(dp_esp_encap(&b, &p, o2 + dp_esp_headroom(xf), len, o2, BUF, &why),
				 n1);
		assert_memory_equal(o1, o2, n1);
		/* Too small an output buffer, and link padding after the inner packet. */
		assert_int_equal(dp_esp_encap(&b, &p, inner, len, o2, n1 - 1, &why), ERR_NOSPACE);
		assert_int_equal(why, DP_DROP_NO_SPACE);
		assert_int_equal(dp_esp_encap(&b, &p, inner, len + 7, o2, BUF, &why), n1);
		dp_esp_ctx_clear(&a);
		dp_esp_ctx_clear(&b);
	}
}

static void test_encap_rejects_bad_inner(void **state)
{
	(void)state;
	struct dp_esp_ctx c;
	test_ctx_init(&c, &test_xforms[0].xf, SPI, 3, 0, 1);
	uint8_t inner[BUF], out[BUF];
	size_t len = pktgen_udp(inner, sizeof(inner), 1, 2, 3, 4, 10);
	struct dp_esp_encap_params p = {0};
	enum dp_drop why;
	assert_int_equal(dp_esp_encap(&c, &p, inner, len - 1, out, BUF, &why), ERR_TRUNCATED);
	assert_int_equal(why, DP_DROP_SHORT_PACKET);
	inner[0] = 0x60;
	assert_int_equal(dp_esp_encap(&c, &p, inner, len, out, BUF, &why), ERR_PROTO);
	assert_int_equal(why, DP_DROP_NOT_IPV4);
	inner[0] = 0x43;
	assert_int_equal(dp_esp_encap(&c, &p, inner, len, out, BUF, &why), ERR_INVAL);
	assert_int_equal(why, DP_DROP_BAD_IP_HEADER);
	/* 65535-byte inner: the result would not fit an IPv4 packet. */
	static uint8_t big[65535 + 100], bigout[65535 + 200];
	size_t blen = pktgen_udp(big, sizeof(big), 1, 2, 3, 4, 65535 - 28);
	assert_int_equal(dp_esp_encap(&c, &p, big, blen, bigout, sizeof(bigout), &why), ERR_LIMIT);
	assert_int_equal(why, DP_DROP_TOO_BIG);
	dp_esp_ctx_clear(&c);
}

/* ---- every truncation, every bit flip ---- */

static enum dp_drop truncated_reason(const struct dp_esp_xform *xf, size_t len)
{
	size_t e = len - 20, fixed = 8 + dp_esp_iv_len(xf) + dp_esp_icv_len(xf);
	bool cbc = xf->encr == DP_ESP_ENCR_AES_CBC || xf->encr == DP_ESP_ENCR_3DES_CBC;
	size_t min_ct = cbc ? dp_esp_iv_len(xf) : 2;
	if (e < 8 || e < fixed + min_ct)
		return DP_DROP_SHORT_PACKET;
	if (cbc && (e - fixed) % dp_esp_iv_len(xf))
		return DP_DROP_BAD_LENGTH;
	return DP_DROP_MAC_FAIL;
}

static void test_every_truncation_and_bit_flip(void **state)
{
	(void)state;
	for (size_t x = 0; x < test_nxforms; x++) {
		const struct dp_esp_xform *xf = &test_xforms[x].xf;
		struct dp_esp_ctx tx, rx;
		test_ctx_init(&tx, xf, SPI, 4, 0, 1);
		test_ctx_init(&rx, xf, SPI, 4, 0, 1);
		uint8_t inner[256], pkt[512], buf[512];
		size_t ilen = pktgen_udp(inner, sizeof(inner), 0x0a000001, 0x0a000002, 1, 2, 61);
		size_t n = encap(&tx, inner, ilen, DP_ESP_DF_COPY, 77, pkt);
		struct dp_esp_decapped d;
		enum dp_drop why;
		for (size_t len = 0; len < n; len++) {
			/* As received: the IP total length says more than there is. */
			memcpy(buf, pkt, n);
			if (dp_esp_decap(&rx, buf, len, &d, &why) == 0 ||
			    why != DP_DROP_SHORT_PACKET)
				fail_msg("%s: raw truncation to %zu: %s", test_xforms[x].name, len,
					 dp_counters_drop_name(why));
			if (len < 20)
				continue;
			/* Truncated with a consistent outer header: the ESP checks must catch it.
			 */
			buf_store_u16(buf + 2, (uint16_t)len);
			dp_pkt_ipv4_set_csum(buf, 20);
			enum dp_drop want = truncated_reason(xf, len);
			if (dp_esp_decap(&rx, buf, len, &d, &why) == 0 || why != want)
				fail_msg("%s: truncation to %zu: %s, want %s", test_xforms[x].name,
					 len, dp_counters_drop_name(why),
					 dp_counters_drop_name(want));
		}
		for (size_t bit = 0; bit < n * 8; bit++) {
			memcpy(buf, pkt, n);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			size_t at = bit / 8;
			int rc = dp_esp_decap(&rx, buf, n, &d, &why);
			bool ok = rc != 0;
			if (at < 20)
				ok = ok && (why == DP_DROP_BAD_IP_HEADER ||
					    why == DP_DROP_NOT_IPV4 || why == DP_DROP_SHORT_PACKET);
			else if (at < 24)
				ok = ok && why == DP_DROP_BAD_SPI;
			else
				ok = ok && why == DP_DROP_MAC_FAIL;
			if (!ok)
				fail_msg("%s: flip of bit %zu (byte %zu): rc %d, %s",
					 test_xforms[x].name, bit, at, rc,
					 dp_counters_drop_name(why));
		}
		/* And the unmodified packet still decaps. */
		memcpy(buf, pkt, n);
		assert_int_equal(dp_esp_decap(&rx, buf, n, &d, &why), 0);
		dp_esp_ctx_clear(&tx);
		dp_esp_ctx_clear(&rx);
	}
}

/* ---- trailer and inner checks on authentic packets ---- */

/* Re-MAC an ESP-NULL packet after editing its clear payload or trailer. */
static void remac(const struct test_keys *k, uint8_t *pkt, size_t n, size_t icv_len)
{
	uint8_t mac[CRYPTO_HASH_MAX];
	struct crypto_iov v = {pkt + 20, n - 20 - icv_len};
	assert_true(crypto_hmac(CRYPTO_HASH_SHA256, k->auth, k->auth_len, &v, 1, mac) > 0);
	memcpy(pkt + n - icv_len, mac, icv_len);
}

static void test_authentic_but_bad_trailer_or_inner(void **state)
{
	(void)state;
	const struct dp_esp_xform xf = {DP_ESP_ENCR_NULL, 0, DP_ESP_AUTH_SHA256_128};
	struct test_keys k;
	test_keys_for(&xf, 5, &k);
	struct dp_esp_ctx c;
	test_ctx_init(&c, &xf, SPI, 5, 0, 1);
	uint8_t inner[256], pkt[512], buf[512];
	size_t ilen =
	    pktgen_udp(inner, sizeof(inner), 0x0a000001, 0x0a000002, 1, 2, 9); /* 37: pad 1 */
	size_t n = encap(&c, inner, ilen, DP_ESP_DF_COPY, 1, pkt);
	size_t tr = n - 16 - 2; /* pad length byte */
	assert_int_equal(pkt[tr], 1);
	assert_int_equal(pkt[tr - 1], 1);
	struct {
		size_t at;
		uint8_t val;
		enum dp_drop want;
	} cases[] = {
	    /* 1 */ {tr - 1, 2, DP_DROP_BAD_PADDING},	   /* pad byte must be 1 */
	    /* 2 */ {tr, 200, DP_DROP_BAD_PADDING},	   /* pad length beyond the payload */
	    /* 3 */ {tr, 0, DP_DROP_BAD_INNER},		   /* pad 0: inner length off by one */
	    /* 4 */ {tr + 1, 41, DP_DROP_BAD_NEXT_HEADER}, /* IPv6 */
	    /* 5 */ {28, 0x65, DP_DROP_BAD_INNER},	   /* inner version 6 */
	    /* 6 */ {31, 0x30, DP_DROP_BAD_INNER},	   /* inner total length */
	    /* 7 */ {36, 0x99, DP_DROP_BAD_INNER},	   /* inner TTL: checksum fails */
	};
	struct dp_esp_decapped d;
	enum dp_drop why;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(buf, pkt, n);
		buf[cases[i].at] = cases[i].val;
		remac(&k, buf, n, 16);
		if (dp_esp_decap(&c, buf, n, &d, &why) == 0 || why != cases[i].want ||
		    !d.esp.authenticated)
			fail_msg("case %zu: %s", i + 1, dp_counters_drop_name(why));
	}
	dp_esp_ctx_clear(&c);

	/* GCM: authentic plaintext with wrong padding bytes. */
	const struct dp_esp_xform gx = {DP_ESP_ENCR_AES_GCM, 128, DP_ESP_AUTH_NONE};
	test_keys_for(&gx, 6, &k);
	test_ctx_init(&c, &gx, SPI, 6, 0, 1);
	uint8_t esp[64] = {0};
	buf_store_u32(esp, SPI);
	buf_store_u32(esp + 4, 9);
	uint8_t *pt = esp + 16;
	pt[0] = 7, pt[1] = 9, pt[2] = 2, pt[3] = 4; /* pad bytes 7 9, pad length 2, NH 4 */
	struct crypto_gcm_ctx g;
	assert_int_equal(crypto_gcm_init(&g, k.enc, 16), 0);
	uint8_t nonce[12];
	memcpy(nonce, k.enc + 16, 4);
	memcpy(nonce + 4, esp + 8, 8);
	assert_int_equal(crypto_gcm_seal(&g, nonce, esp, 8, pt, pt, 4, pt + 4, 16), 0);
	crypto_gcm_clear(&g);
	struct dp_esp_opened o;
	assert_int_equal(dp_esp_open(&c, esp, 36, &o, &why), ERR_PROTO);
	assert_int_equal(why, DP_DROP_BAD_PADDING);
	assert_true(o.authenticated);
	dp_esp_ctx_clear(&c);
}

static void test_outer_checks(void **state)
{
	(void)state;
	struct dp_esp_ctx c;
	test_ctx_init(&c, &test_xforms[0].xf, SPI, 7, 0, 1);
	uint8_t inner[128], pkt[512];
	size_t n = encap(&c, inner, pktgen_udp(inner, sizeof(inner), 1, 2, 3, 4, 5), DP_ESP_DF_COPY,
			 1, pkt);
	struct dp_pkt_ipv4 o;
	uint32_t spi;
	enum dp_drop why;
	assert_int_equal(dp_esp_outer(pkt, n, &o, &spi, &why), 0);
	assert_int_equal(spi, SPI);
	uint8_t b[512];
	memcpy(b, pkt, n);
	buf_store_u16(b + 6, DP_IPV4_MF);
	dp_pkt_ipv4_set_csum(b, 20);
	assert_int_equal(dp_esp_outer(b, n, &o, &spi, &why), ERR_UNSUPP);
	assert_int_equal(why, DP_DROP_ESP_FRAGMENT);
	memcpy(b, pkt, n);
	b[9] = 17;
	dp_pkt_ipv4_set_csum(b, 20);
	assert_int_equal(dp_esp_outer(b, n, &o, &spi, &why), ERR_NOTFOUND);
	assert_int_equal(why, DP_DROP_NOT_ESP);
	/* Another SA's SPI. */
	memcpy(b, pkt, n);
	buf_store_u32(b + 20, SPI + 1);
	struct dp_esp_decapped d;
	assert_int_equal(dp_esp_decap(&c, b, n, &d, &why), ERR_NOTFOUND);
	assert_int_equal(why, DP_DROP_BAD_SPI);
	/* Outer addresses differ from the inner ones: flagged, not refused here. */
	memcpy(b, pkt, n);
	buf_store_u32(b + 12, 0x0b000001);
	dp_pkt_ipv4_set_csum(b, 20);
	assert_int_equal(dp_esp_decap(&c, b, n, &d, &why), 0);
	assert_true(d.addr_mismatch);
	dp_esp_ctx_clear(&c);
}

/* ---- RFC 6040 ---- */

static void test_ecn(void **state)
{
	(void)state;
	struct dp_esp_ctx c;
	test_ctx_init(&c, &test_xforms[0].xf, SPI, 8, 0, 1);
	struct {
		uint8_t inner_ecn, outer_ecn;
		int rc;
		uint8_t want;
	} cases[] = {
	    /* 1 */ {0, 0, 0, 0},
	    /* 2 */ {0, 3, ERR_STATE, 0}, /* Not-ECT + CE: drop */
	    /* 3 */ {2, 3, 0, 3},	  /* ECT(0) + CE -> CE */
	    /* 4 */ {1, 3, 0, 3},
	    /* 5 */ {2, 1, 0, 1}, /* ECT(0) + ECT(1) -> ECT(1) */
	    /* 6 */ {1, 2, 0, 1},
	    /* 7 */ {3, 0, 0, 3},
	    /* 8 */ {0, 2, 0, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t inner[128], pkt[512];
		size_t ilen = pktgen_udp(inner, sizeof(inner), 1, 2, 3, 4, 20);
		inner[1] = (uint8_t)(0x28 << 2 | cases[i].inner_ecn);
		dp_pkt_ipv4_set_csum(inner, 20);
		size_t n = encap(&c, inner, ilen, DP_ESP_DF_COPY, 1, pkt);
		assert_int_equal(pkt[1], inner[1]); /* encap copies DSCP and ECN */
		pkt[1] = (uint8_t)((pkt[1] & ~3) | cases[i].outer_ecn);
		dp_pkt_ipv4_set_csum(pkt, 20);
		struct dp_esp_decapped d;
		enum dp_drop why;
		int rc = dp_esp_decap(&c, pkt, n, &d, &why);
		if (rc != cases[i].rc)
			fail_msg("ECN case %zu: rc %d", i + 1, rc);
		if (rc) {
			assert_int_equal(why, DP_DROP_ECN);
			continue;
		}
		uint8_t *in = pkt + d.inner_off;
		assert_int_equal(in[1] & 3, cases[i].want);
		assert_int_equal(in[1] >> 2, 0x28);
		assert_int_equal(dp_pkt_csum(in, 20), 0);
		assert_int_equal(d.ecn_ce, cases[i].want == 3 && cases[i].inner_ecn != 3);
	}
	dp_esp_ctx_clear(&c);
}

/* ---- IVs ---- */

static void test_gcm_iv_space(void **state)
{
	(void)state;
	const struct dp_esp_xform xf = {DP_ESP_ENCR_AES_GCM, 128, DP_ESP_AUTH_NONE};
	struct test_keys k;
	test_keys_for(&xf, 9, &k);
	struct dp_esp_ctx c;
	uint8_t iv[DP_ESP_IV_MAX];
	/* SID 0x5a in 8 bits, worker 2 of 3 (2 bits): 5a | 10 | counter(54 bits). */
	struct dp_esp_ivspace ivs = {.sid = 0x5a, .sid_bits = 8, .worker = 2, .nworkers = 3};
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 20, NULL, 0, &ivs), 0);
	for (uint64_t i = 1; i <= 3; i++) {
		assert_int_equal(dp_esp_next_iv(&c, iv), 0);
		uint64_t v = (uint64_t)buf_load_u32(iv) << 32 | buf_load_u32(iv + 4);
		assert_int_equal(v, 0x5aull << 56 | 2ull << 54 | i);
	}
	dp_esp_ctx_clear(&c);
	/* 32-bit SID and 65536 workers leave exactly 16 counter bits: 65535 IVs. */
	ivs = (struct dp_esp_ivspace){
	    .sid = 0xdeadbeef, .sid_bits = 32, .worker = 65535, .nworkers = 65536};
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 20, NULL, 0, &ivs), 0);
	for (unsigned i = 0; i < 65535; i++)
		assert_int_equal(dp_esp_next_iv(&c, iv), 0);
	assert_int_equal(buf_load_u32(iv), 0xdeadbeef);
	assert_int_equal(buf_load_u32(iv + 4), 0xffffffff);
	assert_int_equal(dp_esp_next_iv(&c, iv), ERR_LIMIT);
	uint8_t inner[64], out[256];
	size_t ilen = pktgen_udp(inner, sizeof(inner), 1, 2, 3, 4, 1);
	struct dp_esp_encap_params p = {0};
	enum dp_drop why;
	assert_int_equal(dp_esp_encap(&c, &p, inner, ilen, out, sizeof(out), &why), ERR_LIMIT);
	assert_int_equal(why, DP_DROP_IV_EXHAUSTED);
	dp_esp_ctx_clear(&c);
	/* Fewer than 16 counter bits, SID too wide for its bits, worker out of range. */
	ivs.nworkers = 65537;
	ivs.worker = 0;
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 20, NULL, 0, &ivs), ERR_INVAL);
	ivs = (struct dp_esp_ivspace){.sid = 256, .sid_bits = 8, .nworkers = 1};
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 20, NULL, 0, &ivs), ERR_INVAL);
	ivs = (struct dp_esp_ivspace){.sid = 1, .sid_bits = 8, .worker = 1, .nworkers = 1};
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 20, NULL, 0, &ivs), ERR_INVAL);
	/* No SID: receive only. */
	ivs = (struct dp_esp_ivspace){.nworkers = 1};
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 20, NULL, 0, &ivs), 0);
	assert_int_equal(dp_esp_next_iv(&c, iv), ERR_STATE);
	assert_int_equal(dp_esp_encap(&c, &p, inner, ilen, out, sizeof(out), &why), ERR_STATE);
	assert_int_equal(why, DP_DROP_NO_SENDER_ID);
	dp_esp_ctx_clear(&c);
	/* Wrong key lengths. */
	ivs.sid_bits = 0;
	assert_int_equal(dp_esp_ctx_init(&c, &xf, SPI, k.enc, 16, NULL, 0, &ivs), ERR_INVAL);
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* CBC IVs: distinct across counters and workers, and not a visible counter. */
static void test_cbc_iv_unique(void **state)
{
	(void)state;
	enum { PER = 2000 };
	static uint8_t ivs_seen[2 * PER][16];
	const struct dp_esp_xform *xf = &test_xforms[3].xf; /* esp-aes esp-sha-hmac */
	for (uint32_t w = 0; w < 2; w++) {
		struct dp_esp_ctx c;
		test_ctx_init(&c, xf, SPI, 10, w, 2);
		for (size_t i = 0; i < PER; i++) {
			uint8_t iv[DP_ESP_IV_MAX];
			assert_int_equal(dp_esp_next_iv(&c, iv), 0);
			memcpy(ivs_seen[w * PER + i], iv, 16);
		}
		dp_esp_ctx_clear(&c);
	}
	assert_memory_not_equal(ivs_seen[0], ivs_seen[1], 16);
	qsort(ivs_seen, 2 * PER, 16, cmp16);
	for (size_t i = 1; i < 2 * PER; i++)
		assert_memory_not_equal(ivs_seen[i - 1], ivs_seen[i], 16);
	/* No IV key for CBC: refused. */
	struct test_keys k;
	test_keys_for(xf, 10, &k);
	struct dp_esp_ivspace ivs = {.nworkers = 1};
	struct dp_esp_ctx c;
	assert_int_equal(dp_esp_ctx_init(&c, xf, SPI, k.enc, 16, k.auth, 20, &ivs), ERR_INVAL);
}

/* ---- sizes ---- */

static void test_overhead_and_max_inner(void **state)
{
	(void)state;
	for (size_t x = 0; x < test_nxforms; x++) {
		const struct dp_esp_xform *xf = &test_xforms[x].xf;
		assert_true(dp_esp_encap_len(xf, 1400) - 1400 <= DP_ESP_OVERHEAD_MAX);
		for (size_t mtu = 576; mtu <= 1500; mtu++) {
			size_t m = dp_esp_max_inner(xf, mtu);
			if (dp_esp_encap_len(xf, m) > mtu || dp_esp_encap_len(xf, m + 1) <= mtu)
				fail_msg("%s: mtu %zu max inner %zu", test_xforms[x].name, mtu, m);
		}
	}
	/* protocol-notes §6.3 and dataplane-notes: GCM-256 57 bytes at most, 1446 fits 1500. */
	const struct dp_esp_xform gcm = {DP_ESP_ENCR_AES_GCM, 256, DP_ESP_AUTH_NONE};
	const struct dp_esp_xform cbc = {DP_ESP_ENCR_AES_CBC, 256, DP_ESP_AUTH_SHA256_128};
	assert_int_equal(dp_esp_max_inner(&gcm, 1500), 1446);
	assert_int_equal(dp_esp_encap_len(&gcm, 1443) - 1443, 57);
	assert_int_equal(dp_esp_encap_len(&cbc, 1423) - 1423, 77);
	assert_int_equal(dp_esp_max_inner(&gcm, 40), 0);
}

static void test_xform_ids_and_checks(void **state)
{
	(void)state;
	struct dp_esp_xform xf;
	char name[DP_ESP_NAME_MAX];
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_AES_GCM_16, 256, 0, &xf), 0);
	assert_string_equal(dp_esp_xform_name(&xf, name), "esp-gcm 256");
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_AES_CBC, 0, 2, &xf), 0);
	assert_string_equal(dp_esp_xform_name(&xf, name), "esp-aes esp-sha-hmac");
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_3DES, 0, 2, &xf), 0);
	assert_string_equal(dp_esp_xform_name(&xf, name), "esp-3des esp-sha-hmac");
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_NULL, 0, 5, &xf), 0);
	assert_string_equal(dp_esp_xform_name(&xf, name), "esp-null esp-sha256-hmac");
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_AES_CBC, 0, 0, &xf), ERR_UNSUPP);
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_NULL, 0, 0, &xf), ERR_UNSUPP);
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_AES_GCM_16, 128, 2, &xf), ERR_UNSUPP);
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_AES_CBC, 100, 2, &xf), ERR_UNSUPP);
	assert_int_equal(dp_esp_xform_from_ids(18, 128, 0, &xf), ERR_UNSUPP);
	assert_int_equal(dp_esp_xform_from_ids(DP_ESP_ID_AES_CBC, 128, 7, &xf), ERR_UNSUPP);
	struct dp_esp_xform bad = {DP_ESP_ENCR_3DES_CBC, 128, DP_ESP_AUTH_SHA1_96};
	assert_int_equal(dp_esp_xform_check(&bad, true), ERR_INVAL);
	bad = (struct dp_esp_xform){(enum dp_esp_encr)42, 128, DP_ESP_AUTH_SHA1_96};
	assert_int_equal(dp_esp_xform_check(&bad, true), ERR_INVAL);
	assert_string_equal(dp_esp_xform_name(&bad, name), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_rfc3602_esp_cases),
	    TEST(test_gcm_esp_draft_cases),
	    TEST(test_round_trip_every_transform),
	    TEST(test_encap_in_place),
	    TEST(test_encap_rejects_bad_inner),
	    TEST(test_every_truncation_and_bit_flip),
	    TEST(test_authentic_but_bad_trailer_or_inner),
	    TEST(test_outer_checks),
	    TEST(test_ecn),
	    TEST(test_gcm_iv_space),
	    TEST(test_cbc_iv_unique),
	    TEST(test_overhead_and_max_inner),
	    TEST(test_xform_ids_and_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
