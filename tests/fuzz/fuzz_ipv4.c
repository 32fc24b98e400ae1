/*
 * libFuzzer target for the IPv4 helpers of the data plane (dp/pkt) and the
 * classifier's flow extraction (dp/acl).
 *
 * Input: byte 0 and 1 give a fragment size and an MSS, the rest is a packet.
 * Invariants:
 *  - dp_pkt_ipv4_parse never accepts a header that does not fit;
 *  - fragments each fit the size, parse with a valid checksum, and put back
 *    together give the original payload;
 *  - an ICMP frag-needed parses, has a valid ICMP checksum and quotes the
 *    start of the packet;
 *  - MSS clamping changes at most the MSS value and the TCP checksum, and a
 *    valid TCP checksum stays valid;
 *  - classification of the flow terminates with a valid index.
 * Seeds: tests/fuzz/corpus/ipv4/ (UDP, TCP SYN with options, ICMP, a
 * fragment, a header with options).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp/acl.h"
#include "dp/pkt.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX = 65535 + 64 };

static struct dp_acl *acl;

static void setup(void)
{
	static const struct dp_acl_entry e[] = {
	    {.seq = 10,
	     .action = DP_ACL_DENY,
	     .proto = 17,
	     .src_wild = ~0u,
	     .dst_wild = ~0u,
	     .sport = {DP_ACL_PORT_EQ, 848, 0},
	     .dport = {DP_ACL_PORT_RANGE, 800, 900}},
	    {.seq = 20,
	     .action = DP_ACL_PERMIT,
	     .proto = 6,
	     .src = 0x0a000000,
	     .src_wild = 0x00ff00ff,
	     .dst_wild = ~0u,
	     .dport = {DP_ACL_PORT_NEQ, 22, 0}},
	    {.seq = 30, .action = DP_ACL_PERMIT, .src_wild = ~0u, .dst_wild = ~0u},
	};
	if (dp_acl_create("F", e, 3, 1, &acl))
		abort();
}

static void check_fragments(const uint8_t *p, size_t len, const struct dp_pkt_ipv4 *h,
			    size_t max_len)
{
	static uint8_t frag[MAX], whole[MAX];
	struct dp_pkt_frag f;
	int count = dp_pkt_frag_init(&f, p, len, max_len);
	if (count < 0)
		return;
	size_t done = 0, base = dp_pkt_ipv4_frag_off(h);
	int n, seen = 0;
	while ((n = dp_pkt_frag_next(&f, frag, sizeof(frag))) > 0) {
		struct dp_pkt_ipv4 fh;
		if ((size_t)n > max_len || dp_pkt_ipv4_parse(frag, (size_t)n, true, &fh) ||
		    fh.total_len != n || dp_pkt_ipv4_frag_off(&fh) != base + done)
			abort();
		memcpy(whole + done, frag + fh.hlen, fh.total_len - fh.hlen);
		done += fh.total_len - fh.hlen;
		seen++;
	}
	if (n < 0 || seen != count || done != (size_t)h->total_len - h->hlen ||
	    memcmp(whole, p + h->hlen, done))
		abort();
}

static void check_icmp(const uint8_t *p, size_t len)
{
	uint8_t out[DP_PKT_ICMP_FRAG_MAX];
	int n = dp_pkt_icmp_frag_needed(p, len, 0x0a000001, 1400, 7, out, sizeof(out));
	if (n < 0)
		return;
	struct dp_pkt_ipv4 h;
	if (dp_pkt_ipv4_parse(out, (size_t)n, true, &h) || h.proto != DP_PROTO_ICMP ||
	    dp_pkt_csum(out + 20, (size_t)n - 20) != 0 || memcmp(out + 28, p, (size_t)n - 28))
		abort();
}

/* TCP checksum over the pseudo header and segment: 0 when valid. */
static uint16_t tcp_csum(const uint8_t *p, const struct dp_pkt_ipv4 *h)
{
	uint8_t ph[12];
	memcpy(ph, p + 12, 8);
	ph[8] = 0;
	ph[9] = h->proto;
	buf_store_u16(ph + 10, (uint16_t)(h->total_len - h->hlen));
	uint32_t s = dp_pkt_csum_add(0, ph, sizeof(ph));
	return dp_pkt_csum_fold(dp_pkt_csum_add(s, p + h->hlen, h->total_len - h->hlen));
}

static void check_mss(const uint8_t *p, size_t len, const struct dp_pkt_ipv4 *h, uint16_t mss)
{
	static uint8_t q[MAX];
	memcpy(q, p, len);
	bool valid = h->proto == DP_PROTO_TCP && tcp_csum(p, h) == 0;
	int rc = dp_pkt_clamp_mss(q, len, mss);
	if (rc != 1) {
		if (memcmp(p, q, len))
			abort();
		return;
	}
	size_t diff = 0;
	for (size_t i = 0; i < len; i++)
		diff += p[i] != q[i];
	if (diff > 4 || (valid && tcp_csum(q, h) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!acl)
		setup();
	if (size < 2 || size - 2 > MAX)
		return 0;
	size_t max_len = 28 + (size_t)data[0] * 8;
	uint16_t mss = (uint16_t)(data[1] * 8);
	const uint8_t *p = data + 2;
	size_t len = size - 2;
	struct dp_pkt_ipv4 h;
	bool ok = dp_pkt_ipv4_parse(p, len, false, &h) == 0;
	if (!ok)
		return 0;
	if (h.hlen < 20 || h.hlen > h.total_len || h.total_len > len)
		abort();
	struct dp_pkt_flow f;
	dp_pkt_flow(p, &h, &f);
	int i = dp_acl_match(acl, 0, &f);
	if (i < -1 || i >= 3)
		abort();
	check_fragments(p, len, &h, max_len);
	check_icmp(p, len);
	check_mss(p, len, &h, mss);
	return 0;
}
