#include "pcap.h"

#include <stdio.h>
#include <stdlib.h>

#include "test.h"

#include "util/buf.h"

#define MAGIC_US      0xa1b2c3d4u
#define MAGIC_NS      0xa1b23c4du
#define LINK_ETHERNET 1
#define LINK_RAW      101
#define LINK_IPV4     228
#define ETH_HDR	      14
#define ETH_IPV4      0x0800
#define ETH_VLAN      0x8100
#define IP_UDP	      17
#define UDP_HDR	      8

struct test_pcap {
	uint8_t *data;
	size_t len;
	size_t pos;   /* next record */
	bool swapped; /* file written in the other byte order than big-endian reads give */
	uint32_t link;
	size_t frame;
};

static uint32_t rd32(const struct test_pcap *r, const uint8_t *p)
{
	uint32_t be = buf_load_u32(p);
	if (!r->swapped)
		return be;
	return (be >> 24) | ((be >> 8) & 0xff00) | ((be << 8) & 0xff0000) | (be << 24);
}

struct test_pcap *test_pcap_load(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	struct test_pcap *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	size_t cap = 0;
	for (;;) {
		if (r->len == cap) {
			cap = cap ? cap * 2 : 65536;
			r->data = realloc(r->data, cap);
			assert_non_null(r->data);
		}
		size_t n = fread(r->data + r->len, 1, cap - r->len, fp);
		r->len += n;
		if (n == 0)
			break;
	}
	fclose(fp);
	if (r->len < 24)
		fail_msg("%s: no pcap global header", path);
	uint32_t magic = buf_load_u32(r->data);
	r->swapped = magic != MAGIC_US && magic != MAGIC_NS;
	magic = rd32(r, r->data);
	if (magic != MAGIC_US && magic != MAGIC_NS)
		fail_msg("%s: not a classic pcap file (magic %08x)", path, magic);
	r->link = rd32(r, r->data + 20);
	if (r->link != LINK_ETHERNET && r->link != LINK_RAW && r->link != LINK_IPV4)
		fail_msg("%s: link type %u not supported", path, r->link);
	r->pos = 24;
	return r;
}

void test_pcap_free(struct test_pcap *r)
{
	if (r) {
		free(r->data);
		free(r);
	}
}

/* Strip the link header; returns the IPv4 packet or NULL. */
static const uint8_t *link_payload(const struct test_pcap *r, const uint8_t *p, size_t *len)
{
	if (r->link != LINK_ETHERNET)
		return p;
	if (*len < ETH_HDR)
		return NULL;
	size_t off = 12;
	uint16_t type = buf_load_u16(p + off);
	if (type == ETH_VLAN) {
		off += 4;
		if (*len < off + 2)
			return NULL;
		type = buf_load_u16(p + off);
	}
	if (type != ETH_IPV4)
		return NULL;
	*len -= off + 2;
	return p + off + 2;
}

/* Parse IPv4 + UDP; false when the frame is something else. */
static bool parse_udp(const uint8_t *ip, size_t len, struct test_pcap_udp *u)
{
	if (len < 20 || (ip[0] >> 4) != 4)
		return false;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t total = buf_load_u16(ip + 2);
	if (ihl < 20 || total < ihl + UDP_HDR || total > len || ip[9] != IP_UDP)
		return false;
	if (buf_load_u16(ip + 6) & 0x3fff) /* fragment offset or more-fragments */
		return false;
	const uint8_t *udp = ip + ihl;
	size_t ulen = buf_load_u16(udp + 4);
	if (ulen < UDP_HDR || ulen > total - ihl)
		return false;
	memcpy(u->src, ip + 12, 4);
	memcpy(u->dst, ip + 16, 4);
	u->ttl = ip[8];
	u->sport = buf_load_u16(udp);
	u->dport = buf_load_u16(udp + 2);
	u->payload = udp + UDP_HDR;
	u->len = ulen - UDP_HDR;
	u->ip = ip;
	u->ip_len = total;
	return true;
}

bool test_pcap_next_udp(struct test_pcap *r, struct test_pcap_udp *out)
{
	while (r->pos < r->len) {
		if (r->len - r->pos < 16)
			fail_msg("pcap: truncated record header at %zu", r->pos);
		size_t incl = rd32(r, r->data + r->pos + 8);
		const uint8_t *p = r->data + r->pos + 16;
		if (incl > r->len - r->pos - 16)
			fail_msg("pcap: record at %zu runs past the file", r->pos);
		r->pos += 16 + incl;
		r->frame++;
		const uint8_t *ip = link_payload(r, p, &incl);
		if (ip && parse_udp(ip, incl, out)) {
			out->frame = r->frame;
			return true;
		}
	}
	return false;
}

size_t test_pcap_all_udp(struct test_pcap *r, struct test_pcap_udp *out, size_t cap)
{
	size_t n = 0;
	struct test_pcap_udp u;
	while (test_pcap_next_udp(r, &u)) {
		if (n < cap)
			out[n] = u;
		n++;
	}
	return n;
}

/* One's-complement sum of 16-bit words (RFC 1071), not yet folded or inverted. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += buf_load_u16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static uint16_t udp_checksum(const uint8_t src[4], const uint8_t dst[4], const uint8_t *udp,
			     size_t ulen)
{
	uint32_t acc = sum16(0, src, 4);
	acc = sum16(acc, dst, 4);
	acc += IP_UDP + (uint32_t)ulen;
	acc = sum16(acc, udp, ulen);
	uint16_t c = fold(acc);
	return c ? c : 0xffff; /* 0 means "no checksum" in UDP over IPv4 */
}

bool test_pcap_checksums_ok(const struct test_pcap_udp *u)
{
	size_t ihl = (size_t)(u->ip[0] & 0x0f) * 4;
	if (fold(sum16(0, u->ip, ihl)) != 0)
		return false;
	const uint8_t *udp = u->ip + ihl;
	size_t ulen = u->len + UDP_HDR;
	return fold(sum16(sum16(sum16(IP_UDP + (uint32_t)ulen, u->src, 4), u->dst, 4), udp,
			  ulen)) == 0;
}

struct test_pcap_writer {
	FILE *fp;
	uint32_t frames;
	uint16_t ip_id;
};

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

struct test_pcap_writer *test_pcap_create(const char *path)
{
	struct test_pcap_writer *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->fp = fopen(path, "wb");
	if (!w->fp)
		fail_msg("cannot create %s", path);
	uint8_t gh[24] = {0};
	put32le(gh, MAGIC_US);
	put16le(gh + 4, 2);
	put16le(gh + 6, 4);
	put32le(gh + 16, 65535);
	put32le(gh + 20, LINK_ETHERNET);
	fwrite(gh, 1, sizeof(gh), w->fp);
	return w;
}

/* One Ethernet frame around an IPv4 packet (ip_len bytes at f + ETH_HDR). */
static void write_frame(struct test_pcap_writer *w, uint8_t *f, size_t ip_len)
{
	size_t frame = ETH_HDR + ip_len;
	static const uint8_t mac_dst[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};
	memcpy(f, mac_dst, 6);
	memcpy(f + 6, mac_src, 6);
	buf_store_u16(f + 12, ETH_IPV4);
	uint8_t rh[16];
	put32le(rh, ++w->frames);
	put32le(rh + 4, 0);
	put32le(rh + 8, (uint32_t)frame);
	put32le(rh + 12, (uint32_t)frame);
	fwrite(rh, 1, sizeof(rh), w->fp);
	fwrite(f, 1, frame, w->fp);
}

void test_pcap_write_udp(struct test_pcap_writer *w, const uint8_t src[4], uint16_t sport,
			 const uint8_t dst[4], uint16_t dport, const void *payload, size_t len)
{
	size_t ulen = UDP_HDR + len, total = 20 + ulen, frame = ETH_HDR + total;
	assert_true(total <= 65535);
	uint8_t *f = calloc(1, frame);
	assert_non_null(f);
	uint8_t *ip = f + ETH_HDR, *udp = ip + 20;
	ip[0] = 0x45;
	buf_store_u16(ip + 2, (uint16_t)total);
	buf_store_u16(ip + 4, ++w->ip_id);
	buf_store_u16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IP_UDP;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	buf_store_u16(ip + 10, fold(sum16(0, ip, 20)));
	buf_store_u16(udp, sport);
	buf_store_u16(udp + 2, dport);
	buf_store_u16(udp + 4, (uint16_t)ulen);
	if (len)
		memcpy(udp + UDP_HDR, payload, len);
	buf_store_u16(udp + 6, udp_checksum(src, dst, udp, ulen));
	write_frame(w, f, total);
	free(f);
}

void test_pcap_write_ip(struct test_pcap_writer *w, const void *ip, size_t len)
{
	assert_true(len >= 20 && len <= 65535);
	uint8_t *f = calloc(1, ETH_HDR + len);
	assert_non_null(f);
	memcpy(f + ETH_HDR, ip, len);
	write_frame(w, f, len);
	free(f);
}

void test_pcap_close(struct test_pcap_writer *w)
{
	bool bad = ferror(w->fp) != 0;
	if (fclose(w->fp) != 0)
		bad = true;
	free(w);
	if (bad)
		fail_msg("pcap: write failed");
}
