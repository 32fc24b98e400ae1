/*
 * IPv4 / TCP / UDP / ICMP header helpers for the data plane.
 *
 * Everything here reads packet bytes with explicit length checks (or a
 * util/buf.h cursor) and never casts bytes to structs. Nothing allocates.
 * Addresses and ports are host byte order in the structs below.
 */
#ifndef GVPN_DP_PKT_H
#define GVPN_DP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IANA protocol numbers used here. */
enum dp_pkt_proto {
	DP_PROTO_ICMP = 1,
	DP_PROTO_IPIP = 4, /* ESP Next Header for an inner IPv4 packet */
	DP_PROTO_TCP = 6,
	DP_PROTO_UDP = 17,
	DP_PROTO_ESP = 50,
	DP_PROTO_SCTP = 132,
};

enum {
	DP_IPV4_HDR_MIN = 20,
	DP_IPV4_HDR_MAX = 60,
	DP_IPV4_MAX_LEN = 65535,
	DP_IPV4_DF = 0x4000, /* flags/fragment-offset field bits (RFC 791) */
	DP_IPV4_MF = 0x2000,
	DP_IPV4_OFFMASK = 0x1fff,
	DP_IPV4_ECN_MASK = 0x03, /* RFC 3168 ECN codepoints in the TOS byte */
	DP_IPV4_ECN_CE = 0x03,
};

/* The fields of an IPv4 header (RFC 791). */
struct dp_pkt_ipv4 {
	uint8_t hlen; /* header length in bytes (IHL * 4) */
	uint8_t tos;  /* DSCP << 2 | ECN */
	uint16_t total_len;
	uint16_t id;
	uint16_t frag; /* flags and fragment offset as on the wire */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src, dst;
};

static inline bool dp_pkt_ipv4_df(const struct dp_pkt_ipv4 *h)
{
	return h->frag & DP_IPV4_DF;
}
/* Part of a fragmented datagram (MF set or offset non-zero). */
static inline bool dp_pkt_ipv4_is_fragment(const struct dp_pkt_ipv4 *h)
{
	return h->frag & (DP_IPV4_MF | DP_IPV4_OFFMASK);
}
/* Fragment offset in bytes. */
static inline size_t dp_pkt_ipv4_frag_off(const struct dp_pkt_ipv4 *h)
{
	return (size_t)(h->frag & DP_IPV4_OFFMASK) * 8;
}

/*
 * Parse and validate the IPv4 header at p (len bytes available):
 * version 4, IHL >= 5, IHL*4 <= total length <= len. When check_csum is
 * set the header checksum must verify. Bytes after total_len (link
 * padding) are allowed. Returns 0, ERR_TRUNCATED (len below 20, the IHL or
 * the total length), ERR_PROTO (version not 4), ERR_INVAL (IHL < 5,
 * total length < IHL) or ERR_AUTH (checksum).
 */
int dp_pkt_ipv4_parse(const uint8_t *p, size_t len, bool check_csum, struct dp_pkt_ipv4 *h);
/* Write a 20-byte header (no options) from h (hlen ignored) with its checksum. */
void dp_pkt_ipv4_write(uint8_t out[static DP_IPV4_HDR_MIN], const struct dp_pkt_ipv4 *h);

/* Internet checksum (RFC 1071). */
uint32_t dp_pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len); /* partial, not folded */
uint16_t dp_pkt_csum_fold(uint32_t sum);			      /* fold and complement */
static inline uint16_t dp_pkt_csum(const uint8_t *p, size_t len)
{
	return dp_pkt_csum_fold(dp_pkt_csum_add(0, p, len));
}
/* RFC 1624 eqn. 3: checksum after a 16-bit word changed from old to new. */
uint16_t dp_pkt_csum_update16(uint16_t csum, uint16_t old, uint16_t new_val);
/* Recompute the header checksum of the IPv4 header at hdr (hlen bytes). */
void dp_pkt_ipv4_set_csum(uint8_t *hdr, size_t hlen);

/* What the classifier looks at (protocol-notes §5.6). */
struct dp_pkt_flow {
	uint8_t proto;
	bool has_ports; /* false for non-first fragments and truncated L4 headers */
	bool fragment;	/* a non-first fragment (offset > 0) */
	uint16_t sport, dport;
	uint32_t src, dst;
};
/*
 * Flow of an IPv4 packet already validated by dp_pkt_ipv4_parse: ports are
 * read for TCP, UDP and SCTP when the packet is not a non-first fragment and
 * the L4 header holds them.
 */
void dp_pkt_flow(const uint8_t *p, const struct dp_pkt_ipv4 *h, struct dp_pkt_flow *f);

/*
 * Fragmentation of one IPv4 packet into fragments of at most max_len bytes
 * each (RFC 791 §3.2; works on an already fragmented packet too). The first
 * fragment keeps all options, later ones only the options with the copied
 * flag. Fragment data sizes are multiples of 8 except the last. DF is
 * cleared in the fragments (the caller decided to fragment).
 *
 *   struct dp_pkt_frag f;
 *   dp_pkt_frag_init(&f, pkt, len, max_len);
 *   while ((n = dp_pkt_frag_next(&f, out, cap)) > 0) { use out[0..n) }
 */
struct dp_pkt_frag {
	const uint8_t *pkt;
	struct dp_pkt_ipv4 h;
	size_t data_len; /* payload bytes of pkt */
	size_t done;	 /* payload bytes emitted */
	size_t max_len;	 /* largest fragment (IP total length) */
	bool finished;
	uint8_t opts[DP_IPV4_HDR_MAX - DP_IPV4_HDR_MIN]; /* copied options of later fragments */
	uint8_t opts_len;
};
/*
 * Prepare. pkt must have passed dp_pkt_ipv4_parse (len >= total length).
 * Returns the number of fragments that will be produced, ERR_INVAL when
 * max_len leaves no room for 8 payload bytes, ERR_BADLEN for malformed
 * options or a fragment that would end past 65535 bytes, or the codes of
 * dp_pkt_ipv4_parse.
 */
int dp_pkt_frag_init(struct dp_pkt_frag *f, const uint8_t *pkt, size_t len, size_t max_len);
/* Write the next fragment to out. Its length, 0 when done, ERR_NOSPACE when cap is short. */
int dp_pkt_frag_next(struct dp_pkt_frag *f, uint8_t *out, size_t cap);

/*
 * ICMP Destination Unreachable, Fragmentation Needed (type 3 code 4,
 * RFC 792, RFC 1191) about the IPv4 packet orig: IPv4 header from src to
 * orig's source, TTL 64, TOS 0xc0, the given IP ID, next-hop MTU field =
 * mtu, and the original IP header plus the first 8 bytes of its data.
 * RFC 1122 §3.2.2 rules: no ICMP about an ICMP error, a non-first fragment,
 * or a packet whose source is not a unicast address (0, loopback,
 * multicast, broadcast). Returns the length, ERR_PROTO when an ICMP must
 * not be sent, ERR_TRUNCATED/ERR_INVAL for a malformed orig, ERR_NOSPACE.
 */
enum { DP_PKT_ICMP_FRAG_MAX = 20 + 8 + 60 + 8 };
int dp_pkt_icmp_frag_needed(const uint8_t *orig, size_t orig_len, uint32_t src, uint16_t mtu,
			    uint16_t ip_id, uint8_t *out, size_t cap);

/*
 * Token bucket (per worker, no lock): rate tokens per second, up to burst.
 * dp_pkt_ratelimit_take returns true and takes a token when one is there.
 */
struct dp_pkt_ratelimit {
	uint64_t last_ns;
	uint64_t tokens_ns; /* accumulated time credit, capped at burst * period */
	uint64_t period_ns; /* one token per period */
	uint64_t cap_ns;
};
void dp_pkt_ratelimit_init(struct dp_pkt_ratelimit *r, uint32_t per_sec, uint32_t burst);
bool dp_pkt_ratelimit_take(struct dp_pkt_ratelimit *r, uint64_t now_ns);

/*
 * TCP MSS clamping (`ip tcp adjust-mss N`): if the IPv4 packet is a TCP SYN
 * (not a fragment) with an MSS option above mss, lower it to mss and fix
 * the TCP checksum incrementally. No option is added when there is none.
 * Returns 1 when changed, 0 when nothing to do, ERR_TRUNCATED/ERR_INVAL for
 * a malformed TCP header or options (packet untouched).
 */
int dp_pkt_clamp_mss(uint8_t *pkt, size_t len, uint16_t mss);

#endif
