/*
 * Message builder: an ISAKMP header followed by a payload chain, with every
 * Next Payload and length filled in automatically.
 *
 *   struct wire_builder b;
 *   wire_build_init(&b, buf, sizeof(buf), &hdr);   // hdr.next and hdr.len are ignored
 *   wire_build_hash(&b, &hash);
 *   wire_build_nonce(&b, &nonce);
 *   wire_build_gdoi_sa(&b, &sa, WIRE_DIALECT_RFC6407);
 *   int len = wire_build_finish(&b);                // or ERR_NOSPACE / ERR_LIMIT
 *
 * Errors are sticky (util/buf.h): build the whole message, check once. The
 * message is plaintext; an engine that sends it encrypted encrypts the part
 * after the header, pads it and patches Length (WIRE_HDR_OFF_LENGTH).
 */
#ifndef GVPN_WIRE_BUILD_H
#define GVPN_WIRE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/gdoi.h"
#include "wire/isakmp.h"
#include "wire/kd.h"
#include "wire/p1sa.h"
#include "wire/payload.h"

struct wire_builder {
	struct buf_writer w;
	size_t next_at; /* the Next Payload octet to fill when the next payload starts */
};

/* Write the header (Next Payload 0 and Length 0 until filled in). */
void wire_build_init(struct wire_builder *b, void *buf, size_t cap,
		     const struct wire_isakmp_hdr *hdr);
/*
 * Generic form: start a payload of a type (links it into the chain), write
 * its body to b->w, then end it (fills its length). Returns the offset of
 * the payload's generic header, to pass to wire_build_end().
 */
size_t wire_build_begin(struct wire_builder *b, uint8_t type);
void wire_build_end(struct wire_builder *b, size_t at);
/* Fill the header Length. Returns the message length, ERR_NOSPACE or ERR_LIMIT (payload > 65535). */
int wire_build_finish(struct wire_builder *b);

/* One payload each. */
void wire_build_raw(struct wire_builder *b, uint8_t type, const void *body, size_t len);
void wire_build_p1sa(struct wire_builder *b, const struct wire_p1sa *sa);
void wire_build_ke(struct wire_builder *b, const struct wire_data *ke);
void wire_build_id(struct wire_builder *b, const struct wire_id *id);
void wire_build_cert(struct wire_builder *b, const struct wire_cert *cert);
void wire_build_cr(struct wire_builder *b, const struct wire_cert *cr);
void wire_build_hash(struct wire_builder *b, const struct wire_data *hash);
void wire_build_sig(struct wire_builder *b, const struct wire_data *sig);
void wire_build_nonce(struct wire_builder *b, const struct wire_data *nonce);
void wire_build_notify(struct wire_builder *b, const struct wire_notify *n);
void wire_build_delete(struct wire_builder *b, const struct wire_delete *d);
void wire_build_vid(struct wire_builder *b, const struct wire_data *vid);
void wire_build_gdoi_sa(struct wire_builder *b, const struct wire_gdoi_sa *sa,
			enum wire_dialect d);
void wire_build_gap(struct wire_builder *b, const struct wire_gap *gap);
void wire_build_kd(struct wire_builder *b, const struct wire_kd *kd);
void wire_build_seq(struct wire_builder *b, uint32_t seq);

#endif
