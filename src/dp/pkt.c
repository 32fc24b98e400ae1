/*
 * IPv4 header helpers. Packet bytes are read through a util/buf.h cursor
 * or after an explicit length check; writes go to buffers whose size the
 * caller passed.
 */
#include "dp/pkt.h"

#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"

/* ICMP (RFC 792). */
enum {
	ICMP_DEST_UNREACH = 3,
	ICMP_FRAG_NEEDED = 4, /* code */
	ICMP_HDR_LEN = 8,
	ICMP_QUOTE_DATA = 8, /* bytes of the offending datagram's data quoted */
	ICMP_TTL = 64,
	ICMP_TOS = 0xc0, /* precedence "internetwork control", as routers send errors */
};

/* TCP (RFC 9293) and its MSS option (kind 2, length 4). */
enum {
	TCP_HDR_MIN = 20,
	TCP_FLAGS_OFF = 13,
	TCP_CSUM_OFF = 16,
	TCP_FLAG_SYN = 0x02,
	TCP_OPT_EOL = 0,
	TCP_OPT_NOP = 1,
	TCP_OPT_MSS = 2,
	TCP_OPT_MSS_LEN = 4,
};

/* IPv4 option type bits (RFC 791 §3.1). */
enum { IPOPT_EOL = 0, IPOPT_NOP = 1, IPOPT_COPIED = 0x80 };

int dp_pkt_ipv4_parse(const uint8_t *p, size_t len, bool check_csum, struct dp_pkt_ipv4 *h)
{
	struct buf_cursor c;
	uint8_t vihl;
	buf_init(&c, p, len);
	if (buf_peek_u8(&c, &vihl))
		return ERR_TRUNCATED;
	if (vihl >> 4 != 4)
		return ERR_PROTO;
	if (len < DP_IPV4_HDR_MIN)
		return ERR_TRUNCATED;
	/* 20 bytes are there: the fixed fields cannot fail from here on. */
	(void)buf_skip(&c, 1);
	(void)buf_get_u8(&c, &h->tos);
	(void)buf_get_u16(&c, &h->total_len);
	(void)buf_get_u16(&c, &h->id);
	(void)buf_get_u16(&c, &h->frag);
	(void)buf_get_u8(&c, &h->ttl);
	(void)buf_get_u8(&c, &h->proto);
	(void)buf_get_u16(&c, &h->csum);
	(void)buf_get_u32(&c, &h->src);
	(void)buf_get_u32(&c, &h->dst);
	h->hlen = (uint8_t)((vihl & 0x0f) * 4);
	if (h->hlen < DP_IPV4_HDR_MIN)
		return ERR_INVAL;
	if (h->hlen > len)
		return ERR_TRUNCATED;
	if (h->total_len < h->hlen)
		return ERR_INVAL;
	if (h->total_len > len)
		return ERR_TRUNCATED;
	if (check_csum && dp_pkt_csum(p, h->hlen) != 0)
		return ERR_AUTH;
	return 0;
}

void dp_pkt_ipv4_write(uint8_t out[static DP_IPV4_HDR_MIN], const struct dp_pkt_ipv4 *h)
{
	out[0] = 0x45;
	out[1] = h->tos;
	buf_store_u16(out + 2, h->total_len);
	buf_store_u16(out + 4, h->id);
	buf_store_u16(out + 6, h->frag);
	out[8] = h->ttl;
	out[9] = h->proto;
	buf_store_u16(out + 10, 0);
	buf_store_u32(out + 12, h->src);
	buf_store_u32(out + 16, h->dst);
	buf_store_u16(out + 10, dp_pkt_csum(out, DP_IPV4_HDR_MIN));
}

uint32_t dp_pkt_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	/* 64-bit accumulator: no carry handling inside the loop. */
	uint64_t s = sum;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		s += (uint32_t)p[i] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/* Fold a 32-bit sum to 16 bits with end-around carry (not complemented). */
static uint16_t fold16(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

uint16_t dp_pkt_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold16(sum);
}

/* RFC 1624 eqn. 3 with m and m' given as (unfolded) sums: HC' = ~(~HC + ~m + m'). */
static uint16_t csum_replace(uint16_t csum, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t s = (uint16_t)~csum;
	s += (uint16_t)~fold16(old_sum);
	s += fold16(new_sum);
	return (uint16_t)~fold16(s);
}

uint16_t dp_pkt_csum_update16(uint16_t csum, uint16_t old, uint16_t new_val)
{
	return csum_replace(csum, old, new_val);
}

void dp_pkt_ipv4_set_csum(uint8_t *hdr, size_t hlen)
{
	buf_store_u16(hdr + 10, 0);
	buf_store_u16(hdr + 10, dp_pkt_csum(hdr, hlen));
}

void dp_pkt_flow(const uint8_t *p, const struct dp_pkt_ipv4 *h, struct dp_pkt_flow *f)
{
	f->proto = h->proto;
	f->src = h->src;
	f->dst = h->dst;
	f->fragment = (h->frag & DP_IPV4_OFFMASK) != 0;
	f->has_ports = false;
	f->sport = f->dport = 0;
	bool ported =
	    h->proto == DP_PROTO_TCP || h->proto == DP_PROTO_UDP || h->proto == DP_PROTO_SCTP;
	/* Ports only in an unfragmented packet or a first fragment that holds them. */
	if (!ported || f->fragment || (size_t)h->total_len - h->hlen < 4)
		return;
	f->sport = buf_load_u16(p + h->hlen);
	f->dport = buf_load_u16(p + h->hlen + 2);
	f->has_ports = true;
}

/*
 * Copy the options of the first fragment's header that later fragments
 * repeat (copied flag set), padded with EOL to a multiple of 4.
 */
static int copied_options(struct dp_pkt_frag *f)
{
	struct buf_cursor c;
	buf_init(&c, f->pkt + DP_IPV4_HDR_MIN, (size_t)f->h.hlen - DP_IPV4_HDR_MIN);
	size_t n = 0;
	while (!buf_empty(&c)) {
		uint8_t type, olen;
		(void)buf_get_u8(&c, &type);
		if (type == IPOPT_EOL)
			break;
		if (type == IPOPT_NOP)
			continue;
		if (buf_peek_u8(&c, &olen) || olen < 2 || (size_t)olen - 1 > buf_left(&c))
			return ERR_BADLEN;
		const uint8_t *body;
		(void)buf_get_ref(&c, (size_t)olen - 1, &body);
		if (type & IPOPT_COPIED) {
			f->opts[n] = type;
			memcpy(f->opts + n + 1, body, (size_t)olen - 1);
			n += olen;
		}
	}
	while (n % 4)
		f->opts[n++] = IPOPT_EOL;
	f->opts_len = (uint8_t)n;
	return 0;
}

/* Header length and payload bytes of the next fragment. */
static void next_sizes(const struct dp_pkt_frag *f, size_t max_len, size_t *hlen, size_t *data)
{
	*hlen = f->done ? DP_IPV4_HDR_MIN + (size_t)f->opts_len : f->h.hlen;
	size_t left = f->data_len - f->done;
	size_t room = max_len - *hlen;
	*data = left <= room ? left : room & ~(size_t)7;
}

int dp_pkt_frag_init(struct dp_pkt_frag *f, const uint8_t *pkt, size_t len, size_t max_len)
{
	memset(f, 0, sizeof(*f));
	f->pkt = pkt;
	int rc = dp_pkt_ipv4_parse(pkt, len, false, &f->h);
	if (rc)
		return rc;
	rc = copied_options(f);
	if (rc)
		return rc;
	f->data_len = (size_t)f->h.total_len - f->h.hlen;
	/* The datagram must end within 65535 bytes, or later offsets overflow 13 bits. */
	if (dp_pkt_ipv4_frag_off(&f->h) + f->data_len > DP_IPV4_MAX_LEN)
		return ERR_BADLEN;
	size_t later_hlen = DP_IPV4_HDR_MIN + (size_t)f->opts_len;
	if (max_len > DP_IPV4_MAX_LEN || max_len < MAX(f->h.hlen, later_hlen) + 8)
		return ERR_INVAL;
	f->max_len = max_len;
	int count = 0;
	struct dp_pkt_frag sim = *f;
	do {
		size_t hl, data;
		next_sizes(&sim, max_len, &hl, &data);
		sim.done += data;
		count++;
	} while (sim.done < sim.data_len);
	return count;
}

int dp_pkt_frag_next(struct dp_pkt_frag *f, uint8_t *out, size_t cap)
{
	if (f->finished)
		return 0;
	size_t hl, data;
	next_sizes(f, f->max_len, &hl, &data);
	if (hl + data > cap)
		return ERR_NOSPACE;
	bool first = f->done == 0;
	bool last = f->done + data == f->data_len;
	memcpy(out, f->pkt, DP_IPV4_HDR_MIN);
	if (first)
		memcpy(out + DP_IPV4_HDR_MIN, f->pkt + DP_IPV4_HDR_MIN,
		       (size_t)f->h.hlen - DP_IPV4_HDR_MIN);
	else
		memcpy(out + DP_IPV4_HDR_MIN, f->opts, f->opts_len);
	memcpy(out + hl, f->pkt + f->h.hlen + f->done, data);
	out[0] = (uint8_t)(0x40 | hl / 4);
	size_t off8 = (f->h.frag & DP_IPV4_OFFMASK) + f->done / 8;
	uint16_t frag = (uint16_t)off8;
	if (!last || (f->h.frag & DP_IPV4_MF))
		frag |= DP_IPV4_MF;
	buf_store_u16(out + 2, (uint16_t)(hl + data));
	buf_store_u16(out + 6, frag);
	dp_pkt_ipv4_set_csum(out, hl);
	f->done += data;
	f->finished = last;
	return (int)(hl + data);
}

/* RFC 1122 §3.2.2: the source must be a unicast address to get an ICMP error. */
static bool unicast_src(uint32_t a)
{
	uint8_t top = (uint8_t)(a >> 24);
	return a != 0 && top != 127 && top < 224;
}

static bool multicast_or_bcast(uint32_t a)
{
	return (a >> 24) >= 224;
}

/* Is the packet an ICMP error message? (RFC 1122: never answer one with another.) */
static bool is_icmp_error(const uint8_t *p, const struct dp_pkt_ipv4 *h)
{
	if (h->proto != DP_PROTO_ICMP || h->total_len == h->hlen)
		return false;
	uint8_t type = p[h->hlen];
	/* 3 unreachable, 4 source quench, 5 redirect, 11 time exceeded, 12 parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

int dp_pkt_icmp_frag_needed(const uint8_t *orig, size_t orig_len, uint32_t src, uint16_t mtu,
			    uint16_t ip_id, uint8_t *out, size_t cap)
{
	struct dp_pkt_ipv4 h;
	int rc = dp_pkt_ipv4_parse(orig, orig_len, false, &h);
	if (rc)
		return rc;
	if ((h.frag & DP_IPV4_OFFMASK) || !unicast_src(h.src) || multicast_or_bcast(h.dst) ||
	    is_icmp_error(orig, &h))
		return ERR_PROTO;
	size_t quote = h.hlen + MIN((size_t)h.total_len - h.hlen, (size_t)ICMP_QUOTE_DATA);
	size_t total = DP_IPV4_HDR_MIN + ICMP_HDR_LEN + quote;
	if (total > cap)
		return ERR_NOSPACE;
	struct dp_pkt_ipv4 ip = {
	    .tos = ICMP_TOS,
	    .total_len = (uint16_t)total,
	    .id = ip_id,
	    .ttl = ICMP_TTL,
	    .proto = DP_PROTO_ICMP,
	    .src = src,
	    .dst = h.src,
	};
	dp_pkt_ipv4_write(out, &ip);
	uint8_t *icmp = out + DP_IPV4_HDR_MIN;
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_FRAG_NEEDED;
	buf_store_u16(icmp + 2, 0);
	buf_store_u16(icmp + 4, 0); /* unused (RFC 1191) */
	buf_store_u16(icmp + 6, mtu);
	memcpy(icmp + ICMP_HDR_LEN, orig, quote);
	buf_store_u16(icmp + 2, dp_pkt_csum(icmp, ICMP_HDR_LEN + quote));
	return (int)total;
}

void dp_pkt_ratelimit_init(struct dp_pkt_ratelimit *r, uint32_t per_sec, uint32_t burst)
{
	r->last_ns = 0;
	r->period_ns = per_sec ? 1000000000u / per_sec : 0;
	r->cap_ns = r->period_ns * burst;
	r->tokens_ns = r->cap_ns;
}

bool dp_pkt_ratelimit_take(struct dp_pkt_ratelimit *r, uint64_t now_ns)
{
	if (!r->period_ns)
		return false;
	if (now_ns > r->last_ns) {
		uint64_t t = r->tokens_ns + (now_ns - r->last_ns);
		r->tokens_ns = t < r->cap_ns && t >= r->tokens_ns ? t : r->cap_ns;
		r->last_ns = now_ns;
	}
	if (r->tokens_ns < r->period_ns)
		return false;
	r->tokens_ns -= r->period_ns;
	return true;
}

/*
 * Checksum after bytes [off, off + n) of seg (seg_len bytes) change from
 * their current value to nv: re-sum the 16-bit words they touch, so an
 * option at an odd offset is handled too.
 */
static uint16_t csum_patch(uint16_t csum, uint8_t *seg, size_t seg_len, size_t off,
			   const uint8_t *nv, size_t n)
{
	size_t start = off & ~(size_t)1, end = (off + n + 1) & ~(size_t)1;
	size_t have = MIN(end, seg_len) - start;
	uint32_t old_sum = dp_pkt_csum_add(0, seg + start, have);
	memcpy(seg + off, nv, n);
	uint32_t new_sum = dp_pkt_csum_add(0, seg + start, have);
	return csum_replace(csum, old_sum, new_sum);
}

/* Offset of the MSS option's value in the TCP header, 0 if none, or ERR_INVAL. */
static int find_mss(const uint8_t *tcp, size_t doff)
{
	struct buf_cursor c;
	buf_init(&c, tcp + TCP_HDR_MIN, doff - TCP_HDR_MIN);
	while (!buf_empty(&c)) {
		size_t at = TCP_HDR_MIN + c.pos;
		uint8_t kind, olen;
		(void)buf_get_u8(&c, &kind);
		if (kind == TCP_OPT_EOL)
			return 0;
		if (kind == TCP_OPT_NOP)
			continue;
		if (buf_peek_u8(&c, &olen) || olen < 2 || (size_t)olen - 1 > buf_left(&c))
			return ERR_INVAL;
		if (kind == TCP_OPT_MSS) {
			if (olen != TCP_OPT_MSS_LEN)
				return ERR_INVAL;
			return (int)(at + 2);
		}
		(void)buf_skip(&c, (size_t)olen - 1);
	}
	return 0;
}

int dp_pkt_clamp_mss(uint8_t *pkt, size_t len, uint16_t mss)
{
	struct dp_pkt_ipv4 h;
	int rc = dp_pkt_ipv4_parse(pkt, len, false, &h);
	if (rc)
		return rc;
	if (h.proto != DP_PROTO_TCP || dp_pkt_ipv4_is_fragment(&h))
		return 0;
	uint8_t *tcp = pkt + h.hlen;
	size_t seg_len = (size_t)h.total_len - h.hlen;
	if (seg_len < TCP_HDR_MIN)
		return ERR_TRUNCATED;
	if (!(tcp[TCP_FLAGS_OFF] & TCP_FLAG_SYN))
		return 0;
	size_t doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < TCP_HDR_MIN)
		return ERR_INVAL;
	if (doff > seg_len)
		return ERR_TRUNCATED;
	int at = find_mss(tcp, doff);
	if (at <= 0)
		return at;
	size_t off = (size_t)at;
	if (buf_load_u16(tcp + off) <= mss)
		return 0;
	uint8_t nv[2];
	buf_store_u16(nv, mss);
	uint16_t csum = buf_load_u16(tcp + TCP_CSUM_OFF);
	buf_store_u16(tcp + TCP_CSUM_OFF, csum_patch(csum, tcp, seg_len, off, nv, 2));
	return 1;
}
