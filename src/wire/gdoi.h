/*
 * GDOI payloads (RFC 6407 §5): the GDOI SA payload with its nested SA KEK,
 * GAP and SA TEK payloads, and SEQ. Key Download is in kd.h.
 *
 * GDOI SA body (notes §4.2):
 *   DOI (4) = 2 | Situation (4) | SA Attribute Next Payload (2) | RESERVED2 (2) |
 *   nested payloads, each with a generic header: [SA KEK] [GAP] SA TEK ...
 * The SA Attribute Next Payload names the first nested payload; each nested
 * payload names the next, the last says 0. The decoder accepts them in any
 * order but at most one SA KEK and one GAP; the encoder writes KEK, GAP, TEKs.
 *
 * Two layouts exist on the wire ("dialects"):
 *   RFC6407  4 octets after the KEK SPI; 2-octet ID Data Len in the ESP SA TEK.
 *   GDOID    6 octets after the KEK SPI; 1-octet ID Data Len in the ESP SA TEK
 *            (Cisco's 2011 reference implementation, RFC 3547-era TEK layout).
 * The SA KEK uses 1-octet ID lengths in both. Decoders take the dialect to
 * use, or WIRE_DIALECT_AUTO: try RFC6407 and fall back to GDOID when the
 * lengths are inconsistent; the dialect used is stored in the result. The
 * two layouts cannot both parse the same bytes in the common cases because
 * the length octets then land on address octets (see the unit tests).
 */
#ifndef GVPN_WIRE_GDOI_H
#define GVPN_WIRE_GDOI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/attr.h"
#include "wire/err.h"
#include "wire/isakmp.h"

enum wire_dialect {
	WIRE_DIALECT_AUTO = 0,
	WIRE_DIALECT_RFC6407 = 1,
	WIRE_DIALECT_GDOID = 2,
};

/* "auto", "rfc6407", "gdoid". */
const char *wire_dialect_name(enum wire_dialect d);

#define WIRE_KEK_SPI_LEN   16
#define WIRE_GDOI_MAX_TEKS 64 /* SA TEK payloads per SA payload */

/* Source or destination identity of an SA KEK / SA TEK. */
struct wire_gdoi_id {
	uint8_t type; /* enum wire_id_type */
	uint16_t port;
	const uint8_t *data;
	uint16_t len;
};

/* SA KEK (payload 15): RFC 6407 §5.3. */
struct wire_sa_kek {
	uint8_t proto; /* IP protocol of the rekey datagrams (17) */
	struct wire_gdoi_id src, dst;
	uint8_t spi[WIRE_KEK_SPI_LEN];
	struct wire_attrs attrs; /* enum wire_kek_attr */
	enum wire_dialect dialect; /* decoded with (set by the decoder) */
	size_t off;
};

/* SA TEK (payload 16): RFC 6407 §5.4; the ESP layout of §5.4.1 is decoded. */
struct wire_sa_tek {
	uint8_t proto_id; /* enum wire_gdoi_proto */
	/* proto_id == WIRE_GDOI_PROTO_IPSEC_ESP: */
	uint8_t ip_proto; /* protocol of the protected traffic, 0 = any */
	struct wire_gdoi_id src, dst;
	uint8_t transform_id; /* enum wire_esp */
	uint32_t spi;
	struct wire_attrs attrs; /* enum wire_tek_attr */
	/* any other proto_id: the octets after Protocol-ID, not decoded */
	const uint8_t *other;
	size_t other_len;
	enum wire_dialect dialect;
	size_t off;
};

/* GAP (payload 22): RFC 6407 §5.4.3; attributes only (enum wire_gap_attr). */
struct wire_gap {
	struct wire_attrs attrs;
	size_t off;
};

struct wire_gdoi_sa {
	uint32_t doi;        /* 2 */
	uint32_t situation;  /* 0; any value is accepted and kept */
	uint16_t attr_next;  /* as received; the encoder derives it */
	enum wire_dialect dialect; /* the one the decoder used */
	bool has_kek;
	struct wire_sa_kek kek;
	bool has_gap;
	struct wire_gap gap;
	size_t n_teks;
	struct wire_sa_tek teks[WIRE_GDOI_MAX_TEKS];
};

/*
 * Body decoders of single payloads (pl found by a chain walker). Errors:
 * lengths (PAYLOAD-MALFORMED), ID data size versus type
 * (INVALID-ID-INFORMATION). With WIRE_DIALECT_AUTO the error reported when
 * both layouts fail is the one found further into the payload.
 */
int wire_sa_kek_decode(const struct wire_payload *pl, enum wire_dialect d,
		       struct wire_sa_kek *out, struct wire_err *err);
int wire_sa_tek_decode(const struct wire_payload *pl, enum wire_dialect d,
		       struct wire_sa_tek *out, struct wire_err *err);
int wire_gap_decode(const struct wire_payload *pl, struct wire_gap *out, struct wire_err *err);

/*
 * GDOI SA payload body with its nested chain. Errors besides those above:
 * DOI other than 2 (DOI-NOT-SUPPORTED), a nested type other than 15/16/22
 * (INVALID-PAYLOAD-TYPE), a second SA KEK or GAP, more than
 * WIRE_GDOI_MAX_TEKS SA TEKs (ERR_LIMIT), bytes after the nested chain.
 * AUTO decodes the whole SA with one dialect (RFC6407 first).
 */
int wire_gdoi_sa_decode(const struct wire_payload *pl, enum wire_dialect d,
			struct wire_gdoi_sa *out, struct wire_err *err);

/*
 * Encoders write the body in the given dialect (AUTO means RFC6407). An ID
 * longer than its length field allows sets w->err = ERR_LIMIT.
 */
void wire_sa_kek_encode(struct buf_writer *w, const struct wire_sa_kek *k, enum wire_dialect d);
void wire_sa_tek_encode(struct buf_writer *w, const struct wire_sa_tek *t, enum wire_dialect d);
void wire_gap_encode(struct buf_writer *w, const struct wire_gap *g);
/* Fills the SA Attribute Next Payload and every nested Next Payload and length. */
void wire_gdoi_sa_encode(struct buf_writer *w, const struct wire_gdoi_sa *sa,
			 enum wire_dialect d);

/* Content equality; offsets, dialect and attr_next are not compared. */
bool wire_sa_kek_equal(const struct wire_sa_kek *a, const struct wire_sa_kek *b);
bool wire_sa_tek_equal(const struct wire_sa_tek *a, const struct wire_sa_tek *b);
bool wire_gap_equal(const struct wire_gap *a, const struct wire_gap *b);
bool wire_gdoi_sa_equal(const struct wire_gdoi_sa *a, const struct wire_gdoi_sa *b);

/* SEQ (payload 18): exactly a 4-octet sequence number. */
int wire_seq_decode(const struct wire_payload *pl, uint32_t *seq, struct wire_err *err);
void wire_seq_encode(struct buf_writer *w, uint32_t seq);

#endif
