/*
 * Builders of well-formed IPv4 test packets (header checksum and L4
 * checksum correct, TTL 64, ID 0x4242, payload bytes i & 0xff) for the dp
 * unit tests. Each returns the packet length; the test fails if cap is short.
 */
#ifndef GVPN_TEST_DP_PKTGEN_H
#define GVPN_TEST_DP_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

size_t pktgen_udp(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, size_t payload);
/* TCP with flags (0x02 SYN, 0x10 ACK ...) and opt_len bytes of options (multiple of 4). */
size_t pktgen_tcp(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, uint8_t flags, const uint8_t *opts, size_t opt_len,
		  size_t payload);
/* ICMP echo request with payload bytes of data. */
size_t pktgen_icmp_echo(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, size_t payload);
/* Any IPv4 protocol with an opaque payload. */
size_t pktgen_raw(uint8_t *p, size_t cap, uint8_t proto, uint32_t src, uint32_t dst,
		  size_t payload);
/* Recompute the TCP/UDP checksum over pseudo header + segment: 0 when the stored one is right. */
uint16_t pktgen_l4_csum(const uint8_t *p, size_t len);

#endif
