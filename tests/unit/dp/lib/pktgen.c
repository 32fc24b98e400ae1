#include "pktgen.h"

#include "test.h"

#include "dp/pkt.h"
#include "util/buf.h"

static size_t ip_header(uint8_t *p, size_t cap, uint8_t proto, uint32_t src, uint32_t dst,
			size_t l4_len)
{
	size_t total = 20 + l4_len;
	assert_true(total <= cap && total <= 65535);
	struct dp_pkt_ipv4 h = {
	    .tos = 0,
	    .total_len = (uint16_t)total,
	    .id = 0x4242,
	    .ttl = 64,
	    .proto = proto,
	    .src = src,
	    .dst = dst,
	};
	dp_pkt_ipv4_write(p, &h);
	return total;
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)i;
}

/* Sum of the pseudo header and the segment, not folded. */
static uint32_t l4_sum(const uint8_t *p, size_t len)
{
	size_t hl = (size_t)(p[0] & 0x0f) * 4;
	uint8_t ph[12];
	memcpy(ph, p + 12, 8);
	ph[8] = 0;
	ph[9] = p[9];
	buf_store_u16(ph + 10, (uint16_t)(len - hl));
	return dp_pkt_csum_add(dp_pkt_csum_add(0, ph, sizeof(ph)), p + hl, len - hl);
}

uint16_t pktgen_l4_csum(const uint8_t *p, size_t len)
{
	return dp_pkt_csum_fold(l4_sum(p, len));
}

static void set_l4_csum(uint8_t *p, size_t len, size_t csum_off)
{
	buf_store_u16(p + 20 + csum_off, 0);
	buf_store_u16(p + 20 + csum_off, dp_pkt_csum_fold(l4_sum(p, len)));
}

size_t pktgen_udp(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, size_t payload)
{
	size_t n = ip_header(p, cap, DP_PROTO_UDP, src, dst, 8 + payload);
	buf_store_u16(p + 20, sport);
	buf_store_u16(p + 22, dport);
	buf_store_u16(p + 24, (uint16_t)(8 + payload));
	fill(p + 28, payload);
	set_l4_csum(p, n, 6);
	return n;
}

size_t pktgen_tcp(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, uint8_t flags, const uint8_t *opts, size_t opt_len,
		  size_t payload)
{
	assert_int_equal(opt_len % 4, 0);
	size_t thl = 20 + opt_len;
	size_t n = ip_header(p, cap, DP_PROTO_TCP, src, dst, thl + payload);
	uint8_t *t = p + 20;
	memset(t, 0, 20);
	buf_store_u16(t, sport);
	buf_store_u16(t + 2, dport);
	buf_store_u32(t + 4, 0x01020304);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = flags;
	buf_store_u16(t + 14, 65535);
	if (opt_len)
		memcpy(t + 20, opts, opt_len);
	fill(t + thl, payload);
	set_l4_csum(p, n, 16);
	return n;
}

size_t pktgen_icmp_echo(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, size_t payload)
{
	size_t n = ip_header(p, cap, DP_PROTO_ICMP, src, dst, 8 + payload);
	uint8_t *t = p + 20;
	t[0] = 8;
	t[1] = 0;
	buf_store_u16(t + 2, 0);
	buf_store_u32(t + 4, 0x00010001);
	fill(t + 8, payload);
	buf_store_u16(t + 2, dp_pkt_csum(t, 8 + payload));
	return n;
}

size_t pktgen_raw(uint8_t *p, size_t cap, uint8_t proto, uint32_t src, uint32_t dst, size_t payload)
{
	size_t n = ip_header(p, cap, proto, src, dst, payload);
	fill(p + 20, payload);
	return n;
}
