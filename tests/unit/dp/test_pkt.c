/* dp/pkt: IPv4 parsing, checksums, fragmentation, ICMP frag-needed, MSS clamping, token bucket. */
#include "test.h"

#include "dp/pkt.h"
#include "pktgen.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"

static void test_parse_valid_and_invalid(void **state)
{
	(void)state;
	uint8_t p[128];
	size_t n = pktgen_udp(p, sizeof(p), 0x0a000001, 0x0a000002, 1000, 2000, 30);
	struct dp_pkt_ipv4 h;
	assert_int_equal(dp_pkt_ipv4_parse(p, n, true, &h), 0);
	assert_int_equal(h.hlen, 20);
	assert_int_equal(h.total_len, n);
	assert_int_equal(h.proto, DP_PROTO_UDP);
	assert_int_equal(h.src, 0x0a000001);
	assert_int_equal(h.dst, 0x0a000002);
	/* Link padding after the total length is fine. */
	assert_int_equal(dp_pkt_ipv4_parse(p, n + 10, true, &h), 0);
	/* Every truncation fails. */
	for (size_t len = 0; len < n; len++)
		assert_int_equal(dp_pkt_ipv4_parse(p, len, false, &h), ERR_TRUNCATED);
	/* Version, IHL, total length, checksum. */
	uint8_t q[128];
	memcpy(q, p, n);
	q[0] = 0x65;
	assert_int_equal(dp_pkt_ipv4_parse(q, n, false, &h), ERR_PROTO);
	q[0] = 0x44;
	assert_int_equal(dp_pkt_ipv4_parse(q, n, false, &h), ERR_INVAL);
	q[0] = 0x4f; /* 60-byte header, but only 58 bytes of packet */
	assert_int_equal(dp_pkt_ipv4_parse(q, n, false, &h), ERR_TRUNCATED);
	assert_int_equal(dp_pkt_ipv4_parse(q, n + 10, false, &h), ERR_INVAL);
	memcpy(q, p, n);
	buf_store_u16(q + 2, 19);
	assert_int_equal(dp_pkt_ipv4_parse(q, n, false, &h), ERR_INVAL);
	memcpy(q, p, n);
	q[8] ^= 1; /* TTL changes, checksum no longer matches */
	assert_int_equal(dp_pkt_ipv4_parse(q, n, false, &h), 0);
	assert_int_equal(dp_pkt_ipv4_parse(q, n, true, &h), ERR_AUTH);
}

static void test_checksums(void **state)
{
	(void)state;
	/* RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	static const uint8_t ex[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(dp_pkt_csum_fold(dp_pkt_csum_add(0, ex, sizeof(ex))), (uint16_t)~0xddf2);
	/* Odd length pads with zero. */
	static const uint8_t odd[] = {0x12, 0x34, 0x56};
	assert_int_equal(dp_pkt_csum(odd, 3), (uint16_t) ~(0x1234 + 0x5600));
	/* Incremental update agrees with a full recomputation. */
	uint8_t p[64];
	size_t n = pktgen_udp(p, sizeof(p), 0xc0a80101, 0xc0a80202, 1, 2, 10);
	for (unsigned ttl = 0; ttl < 256; ttl += 7) {
		uint16_t old = buf_load_u16(p + 8);
		uint16_t csum = buf_load_u16(p + 10);
		p[8] = (uint8_t)ttl;
		uint16_t inc = dp_pkt_csum_update16(csum, old, buf_load_u16(p + 8));
		dp_pkt_ipv4_set_csum(p, 20);
		assert_int_equal(inc, buf_load_u16(p + 10));
	}
	struct dp_pkt_ipv4 h;
	assert_int_equal(dp_pkt_ipv4_parse(p, n, true, &h), 0);
}

static void test_flow_ports_and_fragments(void **state)
{
	(void)state;
	uint8_t p[128];
	size_t n = pktgen_tcp(p, sizeof(p), 1, 2, 1234, 80, 0x10, NULL, 0, 10);
	struct dp_pkt_ipv4 h;
	struct dp_pkt_flow f;
	assert_int_equal(dp_pkt_ipv4_parse(p, n, true, &h), 0);
	dp_pkt_flow(p, &h, &f);
	assert_true(f.has_ports);
	assert_false(f.fragment);
	assert_int_equal(f.sport, 1234);
	assert_int_equal(f.dport, 80);
	/* A first fragment (MF, offset 0) still has ports. */
	buf_store_u16(p + 6, DP_IPV4_MF);
	assert_int_equal(dp_pkt_ipv4_parse(p, n, false, &h), 0);
	dp_pkt_flow(p, &h, &f);
	assert_true(f.has_ports);
	/* A later fragment has none. */
	buf_store_u16(p + 6, 3);
	assert_int_equal(dp_pkt_ipv4_parse(p, n, false, &h), 0);
	dp_pkt_flow(p, &h, &f);
	assert_false(f.has_ports);
	assert_true(f.fragment);
	/* ICMP has no ports. */
	n = pktgen_icmp_echo(p, sizeof(p), 1, 2, 8);
	assert_int_equal(dp_pkt_ipv4_parse(p, n, true, &h), 0);
	dp_pkt_flow(p, &h, &f);
	assert_false(f.has_ports);
	/* UDP cut after 2 bytes of its header: no ports. */
	n = pktgen_udp(p, sizeof(p), 1, 2, 5, 6, 0);
	buf_store_u16(p + 2, 22);
	assert_int_equal(dp_pkt_ipv4_parse(p, 22, false, &h), 0);
	dp_pkt_flow(p, &h, &f);
	assert_false(f.has_ports);
}

/* Reassemble fragments (any order of arrival is not needed here: in order). */
static size_t reassemble(uint8_t frags[][4096], const size_t *lens, size_t nfrags, uint8_t *out,
			 uint16_t *frag_field_of_last)
{
	size_t hlen0 = (size_t)(frags[0][0] & 0x0f) * 4;
	memcpy(out, frags[0], hlen0);
	size_t end = 0;
	for (size_t i = 0; i < nfrags; i++) {
		struct dp_pkt_ipv4 h;
		assert_int_equal(dp_pkt_ipv4_parse(frags[i], lens[i], true, &h), 0);
		assert_int_equal(h.total_len, lens[i]);
		bool last = i + 1 == nfrags;
		assert_int_equal(!!(h.frag & DP_IPV4_MF), !last);
		assert_false(dp_pkt_ipv4_df(&h));
		size_t off = dp_pkt_ipv4_frag_off(&h);
		assert_int_equal(off, end);
		if (!last)
			assert_int_equal((lens[i] - h.hlen) % 8, 0);
		memcpy(out + hlen0 + off, frags[i] + h.hlen, lens[i] - h.hlen);
		end = off + lens[i] - h.hlen;
		if (last)
			*frag_field_of_last = h.frag;
	}
	return hlen0 + end;
}

static void check_fragmentation(const uint8_t *p, size_t n, size_t max_len)
{
	static uint8_t frags[64][4096];
	size_t lens[64], k = 0;
	struct dp_pkt_frag f;
	int count = dp_pkt_frag_init(&f, p, n, max_len);
	assert_true(count > 0 && count <= 64);
	int len;
	while ((len = dp_pkt_frag_next(&f, frags[k], sizeof(frags[k]))) > 0) {
		assert_true((size_t)len <= max_len);
		lens[k++] = (size_t)len;
	}
	assert_int_equal(len, 0);
	assert_int_equal(k, count);
	uint8_t back[8192];
	uint16_t frag_last;
	size_t total = reassemble(frags, lens, k, back, &frag_last);
	assert_int_equal(total, n);
	/* Payload identical; header identical except length, flags and checksum. */
	assert_memory_equal(back + 20, p + 20, n - 20);
	assert_memory_equal(back + 4, p + 4, 2);
	assert_memory_equal(back + 8, p + 8, 2);
	assert_memory_equal(back + 12, p + 12, 8);
}

static void test_fragment_reassembles(void **state)
{
	(void)state;
	uint8_t p[4000];
	size_t n = pktgen_udp(p, sizeof(p), 0x0a010101, 0x0a020202, 7, 9, 3000);
	buf_store_u16(p + 6, DP_IPV4_DF); /* DF is cleared in the fragments */
	dp_pkt_ipv4_set_csum(p, 20);
	static const size_t sizes[] = {68, 100, 576, 1000, 1400, 1443, 1500, 3028, 4000};
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		check_fragmentation(p, n, sizes[i]);
	/* Too small for 8 bytes of data. */
	struct dp_pkt_frag f;
	assert_int_equal(dp_pkt_frag_init(&f, p, n, 27), ERR_INVAL);
}

static void test_fragment_options_and_refragment(void **state)
{
	(void)state;
	/* Header with options: a copied one (type 0x94 router alert, 4 bytes) and
	 * a not-copied one (0x07 record route, 7 bytes) + EOL padding = 12 bytes. */
	uint8_t p[2000];
	size_t n = pktgen_udp(p, sizeof(p), 1, 2, 3, 4, 1200);
	static const uint8_t opts[12] = {0x94, 4, 0, 0, 0x07, 7, 4, 0, 0, 0, 0, 0};
	memmove(p + 32, p + 20, n - 20);
	memcpy(p + 20, opts, sizeof(opts));
	n += 12;
	p[0] = 0x48;
	buf_store_u16(p + 2, (uint16_t)n);
	dp_pkt_ipv4_set_csum(p, 32);
	struct dp_pkt_frag f;
	int count = dp_pkt_frag_init(&f, p, n, 500);
	assert_true(count >= 3);
	uint8_t fr[600];
	int len = dp_pkt_frag_next(&f, fr, sizeof(fr));
	assert_true(len > 0);
	assert_int_equal(fr[0], 0x48); /* first keeps all options */
	len = dp_pkt_frag_next(&f, fr, sizeof(fr));
	assert_int_equal(fr[0], 0x46); /* later: router alert only, padded to 4 */
	assert_memory_equal(fr + 20, opts, 4);
	/* Output too small. */
	assert_int_equal(dp_pkt_frag_next(&f, fr, 30), ERR_NOSPACE);

	/* Re-fragmenting a middle fragment keeps its offset and MF. */
	n = pktgen_udp(p, sizeof(p), 1, 2, 3, 4, 1000);
	buf_store_u16(p + 6, DP_IPV4_MF | 100);
	dp_pkt_ipv4_set_csum(p, 20);
	count = dp_pkt_frag_init(&f, p, n, 300);
	assert_int_equal(count, 4);
	size_t off = 800;
	while ((len = dp_pkt_frag_next(&f, fr, sizeof(fr))) > 0) {
		struct dp_pkt_ipv4 h;
		assert_int_equal(dp_pkt_ipv4_parse(fr, (size_t)len, true, &h), 0);
		assert_int_equal(dp_pkt_ipv4_frag_off(&h), off);
		assert_true(h.frag & DP_IPV4_MF);
		off += (size_t)len - 20;
	}
	assert_int_equal(off, 800 + n - 20);

	/* A fragment ending past 65535 bytes cannot be cut: later offsets would overflow. */
	n = pktgen_udp(p, sizeof(p), 1, 2, 3, 4, 100);
	buf_store_u16(p + 6, DP_IPV4_OFFMASK);
	dp_pkt_ipv4_set_csum(p, 20);
	assert_int_equal(dp_pkt_frag_init(&f, p, n, 60), ERR_BADLEN);
	/* Malformed options (length runs past the header). */
	n = pktgen_udp(p, sizeof(p), 1, 2, 3, 4, 100);
	memmove(p + 24, p + 20, n - 20);
	p[0] = 0x46;
	p[20] = 0x94, p[21] = 9, p[22] = 0, p[23] = 0;
	buf_store_u16(p + 2, (uint16_t)(n + 4));
	assert_int_equal(dp_pkt_frag_init(&f, p, n + 4, 60), ERR_BADLEN);
}

static void test_icmp_frag_needed(void **state)
{
	(void)state;
	uint8_t p[1500];
	size_t n =
	    pktgen_tcp(p, sizeof(p), 0xc0a80a05, 0xc0a81405, 40000, 443, 0x10, NULL, 0, 1400);
	uint8_t out[DP_PKT_ICMP_FRAG_MAX];
	int len = dp_pkt_icmp_frag_needed(p, n, 0xc0a80a01, 1443, 0x1234, out, sizeof(out));
	assert_int_equal(len, 20 + 8 + 20 + 8);
	struct dp_pkt_ipv4 h;
	assert_int_equal(dp_pkt_ipv4_parse(out, (size_t)len, true, &h), 0);
	assert_int_equal(h.proto, DP_PROTO_ICMP);
	assert_int_equal(h.src, 0xc0a80a01);
	assert_int_equal(h.dst, 0xc0a80a05);
	assert_int_equal(h.id, 0x1234);
	assert_int_equal(h.ttl, 64);
	const uint8_t *icmp = out + 20;
	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 4);
	assert_int_equal(buf_load_u16(icmp + 4), 0);
	assert_int_equal(buf_load_u16(icmp + 6), 1443);
	assert_int_equal(dp_pkt_csum(icmp, (size_t)len - 20), 0);
	assert_memory_equal(icmp + 8, p, 28); /* original header + 8 data bytes */
	/* Short output buffer. */
	assert_int_equal(dp_pkt_icmp_frag_needed(p, n, 1, 1443, 0, out, 40), ERR_NOSPACE);
	/* Never about a non-first fragment, an ICMP error, or a non-unicast source. */
	uint8_t q[1500];
	memcpy(q, p, n);
	buf_store_u16(q + 6, 5);
	assert_int_equal(dp_pkt_icmp_frag_needed(q, n, 1, 1443, 0, out, sizeof(out)), ERR_PROTO);
	size_t m = pktgen_icmp_echo(q, sizeof(q), 0x0a000001, 0x0a000002, 100);
	q[20] = 3; /* make it a destination unreachable */
	assert_int_equal(dp_pkt_icmp_frag_needed(q, m, 1, 1443, 0, out, sizeof(out)), ERR_PROTO);
	q[20] = 8; /* an echo request is fine */
	assert_int_equal(dp_pkt_icmp_frag_needed(q, m, 1, 1443, 0, out, sizeof(out)), 56);
	static const uint32_t bad_src[] = {0, 0x7f000001, 0xe0000001, 0xffffffff};
	for (size_t i = 0; i < ARRAY_SIZE(bad_src); i++) {
		m = pktgen_udp(q, sizeof(q), bad_src[i], 0x0a000002, 1, 2, 100);
		assert_int_equal(dp_pkt_icmp_frag_needed(q, m, 1, 1443, 0, out, sizeof(out)),
				 ERR_PROTO);
	}
	m = pktgen_udp(q, sizeof(q), 0x0a000001, 0xe0000005, 1, 2, 100);
	assert_int_equal(dp_pkt_icmp_frag_needed(q, m, 1, 1443, 0, out, sizeof(out)), ERR_PROTO);
	/* Fewer than 8 data bytes: quote what there is. */
	m = pktgen_udp(q, sizeof(q), 0x0a000001, 0x0a000002, 1, 2, 0);
	buf_store_u16(q + 2, 24);
	dp_pkt_ipv4_set_csum(q, 20);
	assert_int_equal(dp_pkt_icmp_frag_needed(q, 24, 1, 1443, 0, out, sizeof(out)), 52);
}

static void test_ratelimit(void **state)
{
	(void)state;
	struct dp_pkt_ratelimit r;
	dp_pkt_ratelimit_init(&r, 10, 3); /* one per 100 ms, burst 3 */
	uint64_t t = 5000000000ull;
	for (int i = 0; i < 3; i++)
		assert_true(dp_pkt_ratelimit_take(&r, t));
	assert_false(dp_pkt_ratelimit_take(&r, t));
	assert_false(dp_pkt_ratelimit_take(&r, t + 99000000));
	assert_true(dp_pkt_ratelimit_take(&r, t + 100000000));
	assert_false(dp_pkt_ratelimit_take(&r, t + 100000000));
	/* A long pause refills to the burst only. */
	t += 100ull * 1000000000;
	for (int i = 0; i < 3; i++)
		assert_true(dp_pkt_ratelimit_take(&r, t));
	assert_false(dp_pkt_ratelimit_take(&r, t));
	/* Time going backwards gives nothing. */
	assert_false(dp_pkt_ratelimit_take(&r, t - 1000000000));
	dp_pkt_ratelimit_init(&r, 0, 5);
	assert_false(dp_pkt_ratelimit_take(&r, t));
}

static uint16_t mss_of(const uint8_t *p, size_t opt_off)
{
	return buf_load_u16(p + 20 + 20 + opt_off + 2);
}

/* TCP checksum of the packet recomputed from scratch (0 when valid). */
static uint16_t tcp_verify(const uint8_t *p, size_t n)
{
	return pktgen_l4_csum(p, n);
}

static void test_mss_clamp(void **state)
{
	(void)state;
	uint8_t p[256];
	/* MSS at an even offset, and after one NOP (odd offset). */
	static const uint8_t even[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7}; /* MSS 1460, WS 7 */
	static const uint8_t odd[] = {1, 2, 4, 0x05, 0xb4, 1, 1, 0, 0, 0, 0, 0}; /* NOP MSS ... */
	struct {
		const uint8_t *opts;
		size_t len, mss_at;
	} cases[] = {{even, sizeof(even), 0}, {odd, sizeof(odd), 1}};
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (size_t payload = 0; payload < 3; payload++) {
			size_t n = pktgen_tcp(p, sizeof(p), 0x0a000001, 0x0a000002, 1111, 22, 0x02,
					      cases[c].opts, cases[c].len, payload);
			assert_int_equal(tcp_verify(p, n), 0);
			assert_int_equal(dp_pkt_clamp_mss(p, n, 1360), 1);
			assert_int_equal(mss_of(p, cases[c].mss_at), 1360);
			assert_int_equal(tcp_verify(p, n), 0);
			/* Already low enough: untouched. */
			assert_int_equal(dp_pkt_clamp_mss(p, n, 1400), 0);
			assert_int_equal(mss_of(p, cases[c].mss_at), 1360);
		}
	}
	/* Not a SYN, no MSS option, not TCP: nothing to do. */
	size_t n = pktgen_tcp(p, sizeof(p), 1, 2, 3, 4, 0x10, even, sizeof(even), 0);
	assert_int_equal(dp_pkt_clamp_mss(p, n, 536), 0);
	static const uint8_t nomss[] = {1, 1, 1, 0};
	n = pktgen_tcp(p, sizeof(p), 1, 2, 3, 4, 0x02, nomss, sizeof(nomss), 0);
	assert_int_equal(dp_pkt_clamp_mss(p, n, 536), 0);
	n = pktgen_udp(p, sizeof(p), 1, 2, 3, 4, 10);
	assert_int_equal(dp_pkt_clamp_mss(p, n, 536), 0);
	/* Malformed options are refused and the packet left alone. */
	static const uint8_t bad[] = {3, 9, 0, 0}; /* length runs past the header */
	n = pktgen_tcp(p, sizeof(p), 1, 2, 3, 4, 0x02, bad, sizeof(bad), 0);
	uint8_t copy[256];
	memcpy(copy, p, n);
	assert_int_equal(dp_pkt_clamp_mss(p, n, 536), ERR_INVAL);
	assert_memory_equal(copy, p, n);
	static const uint8_t badmss[] = {2, 3, 5, 0}; /* MSS with length 3 */
	n = pktgen_tcp(p, sizeof(p), 1, 2, 3, 4, 0x02, badmss, sizeof(badmss), 0);
	assert_int_equal(dp_pkt_clamp_mss(p, n, 536), ERR_INVAL);
	/* Data offset beyond the segment. */
	n = pktgen_tcp(p, sizeof(p), 1, 2, 3, 4, 0x02, even, sizeof(even), 0);
	p[32] = 0xf0;
	assert_int_equal(dp_pkt_clamp_mss(p, n, 536), ERR_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_parse_valid_and_invalid),
	    TEST(test_checksums),
	    TEST(test_flow_ports_and_fragments),
	    TEST(test_fragment_reassembles),
	    TEST(test_fragment_options_and_refragment),
	    TEST(test_icmp_frag_needed),
	    TEST(test_ratelimit),
	    TEST(test_mss_clamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
