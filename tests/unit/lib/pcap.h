/*
 * Tiny classic-libpcap reader and writer for tests: UDP over IPv4 only.
 *
 * The reader loads a whole capture (Ethernet, raw-IP or IPv4 link types,
 * microsecond or nanosecond, either byte order) and yields the UDP
 * datagrams with their addresses and 1-based frame numbers, as Wireshark
 * counts them. Frames that are not unfragmented UDP/IPv4 are skipped. It
 * fails the running cmocka test on a malformed file.
 *
 * The writer produces an Ethernet capture of UDP datagrams with correct
 * IPv4 header and UDP checksums (or of whole IPv4 packets given by the
 * caller, such as ESP) and deterministic timestamps (frame i at
 * i seconds), so tshark can decode it and the file is reproducible.
 */
#ifndef GVPN_TEST_PCAP_H
#define GVPN_TEST_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_pcap_udp {
	size_t frame; /* 1-based frame number in the file */
	uint8_t src[4], dst[4];
	uint16_t sport, dport;
	uint8_t ttl;
	const uint8_t *payload; /* into the loaded file */
	size_t len;
	const uint8_t *ip; /* IPv4 header, for checksum checks */
	size_t ip_len;	   /* IPv4 total length */
};

struct test_pcap;

/* Load a capture by absolute path (test_data_path() gives one for tests/data). */
struct test_pcap *test_pcap_load(const char *path);
/* Next UDP datagram; false at the end of the file. */
bool test_pcap_next_udp(struct test_pcap *r, struct test_pcap_udp *out);
/* All UDP datagrams at once: fills up to cap entries, returns how many there are. */
size_t test_pcap_all_udp(struct test_pcap *r, struct test_pcap_udp *out, size_t cap);
void test_pcap_free(struct test_pcap *r);
/* True when the IPv4 header checksum and the UDP checksum of a datagram verify. */
bool test_pcap_checksums_ok(const struct test_pcap_udp *u);

struct test_pcap_writer;

/* Create (truncate) a capture file; fails the test on error. */
struct test_pcap_writer *test_pcap_create(const char *path);
/* Append one UDP/IPv4 datagram of len bytes. */
void test_pcap_write_udp(struct test_pcap_writer *w, const uint8_t src[4], uint16_t sport,
			 const uint8_t dst[4], uint16_t dport, const void *payload, size_t len);
/* Append one whole IPv4 packet (header included, written as given), e.g. ESP. */
void test_pcap_write_ip(struct test_pcap_writer *w, const void *ip, size_t len);
/* Flush and close; fails the test if the file could not be written. */
void test_pcap_close(struct test_pcap_writer *w);

#endif
