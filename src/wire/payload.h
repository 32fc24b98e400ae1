/*
 * Bodies of the generic IKEv1 payloads (RFC 2408 §3.7-3.16, RFC 2407 §4.6.2):
 * KE, ID, CERT, CR, HASH, SIG, NONCE, N, D and VID.
 *
 * Decoders take a payload found by the chain walker (struct wire_payload) and
 * fill a plain struct whose variable parts point into the packet. Encoders
 * write the body only (no generic header) to a buf_writer; build.h wraps
 * them into a message. All decoders return 0 or a negative ERR_* with err
 * filled (PAYLOAD-MALFORMED unless stated otherwise).
 */
#ifndef GVPN_WIRE_PAYLOAD_H
#define GVPN_WIRE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/err.h"
#include "wire/isakmp.h"

/* Opaque octets: KE, HASH, SIG, NONCE, VID bodies. */
struct wire_data {
	const uint8_t *p;
	size_t len;
};

#define WIRE_NONCE_MIN 8   /* RFC 2409 §5 */
#define WIRE_NONCE_MAX 256

/* KE, HASH, SIG: at least one octet. NONCE: 8..256 octets. VID: any length. */
int wire_ke_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err);
int wire_hash_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err);
int wire_sig_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err);
int wire_nonce_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err);
int wire_vid_decode(const struct wire_payload *pl, struct wire_data *out, struct wire_err *err);
void wire_data_encode(struct buf_writer *w, const struct wire_data *d);
bool wire_data_equal(const struct wire_data *a, const struct wire_data *b);

/* Identification payload body: RFC 2407 §4.6.2. */
struct wire_id {
	uint8_t type;  /* enum wire_id_type */
	uint8_t proto; /* IP protocol, 0 = any */
	uint16_t port; /* 0 = any */
	const uint8_t *data;
	size_t len;
};

/*
 * Size the data of an ID type must have (4 for ID_IPV4_ADDR, 8 for an IPv4
 * subnet or range, 16/32 for IPv6), or 0 when it is variable.
 */
size_t wire_id_data_size(unsigned type);
/*
 * Check an identity's data length against its type; on a mismatch fill err
 * (INVALID-ID-INFORMATION) naming payload and field at offset off.
 */
int wire_id_data_check(unsigned type, size_t len, const char *payload, const char *field,
		       size_t off, struct wire_err *err);

/* At least 4 octets; fixed-size ID types must have their size (INVALID-ID-INFORMATION). */
int wire_id_decode(const struct wire_payload *pl, struct wire_id *out, struct wire_err *err);
void wire_id_encode(struct buf_writer *w, const struct wire_id *id);
bool wire_id_equal(const struct wire_id *a, const struct wire_id *b);
/*
 * GDOI group number of an ID_KEY_ID with 4 octets, read big-endian (notes
 * §4.8). gdoid sends it in host order; that is data: its 1234 reads as
 * 3523477504 here. Returns 0 or ERR_INVAL (other type or size).
 */
int wire_id_key_id(const struct wire_id *id, uint32_t *group);

/* CERT (RFC 2408 §3.9) and CR (§3.10): encoding octet and data. */
struct wire_cert {
	uint8_t encoding; /* 4 = X.509 signature */
	const uint8_t *data;
	size_t len;
};

/* CERT needs at least one data octet; CR may carry none (any CA). */
int wire_cert_decode(const struct wire_payload *pl, struct wire_cert *out, struct wire_err *err);
int wire_cr_decode(const struct wire_payload *pl, struct wire_cert *out, struct wire_err *err);
void wire_cert_encode(struct buf_writer *w, const struct wire_cert *c);
bool wire_cert_equal(const struct wire_cert *a, const struct wire_cert *b);

/* Notification (RFC 2408 §3.14). */
struct wire_notify {
	uint32_t doi;
	uint8_t proto;    /* enum wire_proto */
	uint8_t spi_size;
	uint16_t type;    /* enum wire_notify_type */
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
};

int wire_notify_decode(const struct wire_payload *pl, struct wire_notify *out,
		       struct wire_err *err);
void wire_notify_encode(struct buf_writer *w, const struct wire_notify *n);
bool wire_notify_equal(const struct wire_notify *a, const struct wire_notify *b);

/* Delete (RFC 2408 §3.15): n_spis SPIs of spi_size octets each, back to back. */
struct wire_delete {
	uint32_t doi;
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spis;
	const uint8_t *spis;
};

/* The body must hold exactly n_spis * spi_size octets of SPIs. */
int wire_delete_decode(const struct wire_payload *pl, struct wire_delete *out,
		       struct wire_err *err);
void wire_delete_encode(struct buf_writer *w, const struct wire_delete *d);
bool wire_delete_equal(const struct wire_delete *a, const struct wire_delete *b);
/* The i-th SPI (i < n_spis). */
const uint8_t *wire_delete_spi(const struct wire_delete *d, size_t i);

#endif
