/*
 * Key Download payload (17): RFC 6407 §5.5, notes §4.7.
 *
 *   KD body:    Number of Key Packets (2) | RESERVED (2) | key packets
 *   Key packet: KD Type (1) | RESERVED (1) | KD Length (2, whole key packet) |
 *               SPI Size (1) | SPI | attributes (rest)
 *
 * SPI sizes are part of the format: TEK 4 (the ESP SPI), KEK 16 (the KEK
 * SPI), SID 0; LKH and unknown types may carry any size. Attribute meaning
 * depends on the key packet type (enum wire_kd_attr); the decoder checks
 * only their structure. Keys are referenced in the packet, never copied:
 * the caller copies what it keeps into its own wiped storage.
 */
#ifndef GVPN_WIRE_KD_H
#define GVPN_WIRE_KD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/attr.h"
#include "wire/err.h"
#include "wire/isakmp.h"

#define WIRE_KD_MAX_PACKETS 72 /* a KEK, an SID packet and one TEK per SA TEK, with room */

struct wire_kd_packet {
	uint8_t type; /* enum wire_kd_type */
	uint8_t spi_size;
	const uint8_t *spi;
	struct wire_attrs attrs;
	size_t off; /* absolute offset of the key packet */
};

struct wire_kd {
	uint16_t n_packets;
	struct wire_kd_packet pk[WIRE_KD_MAX_PACKETS];
};

/*
 * Decode a KD body. Errors (PAYLOAD-MALFORMED unless noted): KD Length
 * below 5 or past the payload, SPI past the key packet, SPI size wrong for
 * the type (INVALID-SPI), attribute structure, number of key packets found
 * differing from the declared one, bytes after the last key packet, more
 * than WIRE_KD_MAX_PACKETS (ERR_LIMIT).
 */
int wire_kd_decode(const struct wire_payload *pl, struct wire_kd *out, struct wire_err *err);
/* Write a KD body; each key packet's KD Length is filled in (ERR_LIMIT past 65535). */
void wire_kd_encode(struct buf_writer *w, const struct wire_kd *kd);
bool wire_kd_equal(const struct wire_kd *a, const struct wire_kd *b);
/* The first key packet of a type whose SPI equals spi (spi_len octets), or NULL. */
const struct wire_kd_packet *wire_kd_find(const struct wire_kd *kd, uint8_t type,
					  const uint8_t *spi, size_t spi_len);

#endif
