/*
 * ISAKMP framing (RFC 2408 §3.1-3.2): the 28-octet header, the generic
 * payload header and the payload chain.
 *
 * A message is the header followed by a chain of payloads: the header's
 * Next Payload names the first, each payload names the one after it and the
 * last says 0. Bytes after the last payload are encryption padding and are
 * allowed. Decode the header with wire_isakmp_hdr_decode(), then walk the
 * chain with wire_chain_next() (or do both with wire_msg_decode()). For a
 * message with the E flag, decrypt first and walk the plaintext (header +
 * decrypted body) so that offsets stay those of the message.
 *
 * Payload types: 1-22 are known and yielded; 128-255 (private use) are
 * yielded with priv = true so the engine can ignore them (RFC 2408 §3.1);
 * anything else (0 cannot occur, 23-127) is an error answered with
 * INVALID-PAYLOAD-TYPE.
 */
#ifndef GVPN_WIRE_ISAKMP_H
#define GVPN_WIRE_ISAKMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/err.h"

#define WIRE_ISAKMP_HDR_LEN 28
#define WIRE_GEN_HDR_LEN    4
#define WIRE_ISAKMP_VERSION 0x10 /* major 1, minor 0 */
#define WIRE_COOKIE_LEN     8
#define WIRE_PAYLOAD_MAX    65535 /* largest payload the 16-bit length allows */

/* Header flags: RFC 2408 §3.1. */
enum wire_flag {
	WIRE_FLAG_E = 0x01, /* encryption */
	WIRE_FLAG_C = 0x02, /* commit */
	WIRE_FLAG_A = 0x04, /* authentication only */
};
#define WIRE_FLAGS_KNOWN 0x07

/* Offsets of header fields that encoders patch. */
enum {
	WIRE_HDR_OFF_NEXT = 16,
	WIRE_HDR_OFF_VERSION = 17,
	WIRE_HDR_OFF_FLAGS = 19,
	WIRE_HDR_OFF_MSGID = 20,
	WIRE_HDR_OFF_LENGTH = 24,
};

struct wire_isakmp_hdr {
	uint8_t icookie[WIRE_COOKIE_LEN];
	uint8_t rcookie[WIRE_COOKIE_LEN];
	uint8_t next;    /* type of the first payload */
	uint8_t version; /* 0x10 */
	uint8_t exch;    /* enum wire_exch */
	uint8_t flags;   /* enum wire_flag */
	uint32_t msgid;
	uint32_t len;    /* whole message, padding included */
};

/*
 * Decode the header of a datagram of len bytes and check it: len >= 28,
 * version 0x10 (INVALID-MAJOR-VERSION / INVALID-MINOR-VERSION), no undefined
 * flag bits (INVALID-FLAGS), Length equal to len (UNEQUAL-PAYLOAD-LENGTHS).
 * The exchange type is not judged here. Returns 0 or a negative ERR_*.
 */
int wire_isakmp_hdr_decode(const uint8_t *msg, size_t len, struct wire_isakmp_hdr *h,
			   struct wire_err *err);
void wire_isakmp_hdr_encode(const struct wire_isakmp_hdr *h, uint8_t out[WIRE_ISAKMP_HDR_LEN]);

/* One payload of a chain. */
struct wire_payload {
	uint8_t type;        /* enum wire_pl */
	uint8_t next;        /* type of the payload after it, 0 for the last */
	bool priv;           /* private-use type (128-255) */
	const uint8_t *body; /* after the generic header */
	size_t len;          /* body length */
	size_t off;          /* absolute offset of the generic header */
};

/*
 * Read the generic header of a payload of the given type at the cursor and
 * take its body as *body (a sub-cursor of exactly the declared length).
 * Checks that the length is at least 4 and within the bytes left
 * (PAYLOAD-MALFORMED). *pl gets type, next, body and offsets.
 */
int wire_gen_get(struct buf_cursor *c, uint8_t type, struct wire_payload *pl,
		 struct buf_cursor *body, struct wire_err *err);

/* Cursor over a body described by a struct wire_payload (absolute offsets kept). */
void wire_payload_cursor(const struct wire_payload *pl, struct buf_cursor *c);

struct wire_chain {
	struct buf_cursor c;     /* rest of the message */
	uint8_t next;            /* type of the next payload, 0 at the end */
	size_t next_at;          /* offset of the Next Payload octet that named it */
	const char *named_by;    /* payload holding that octet (for errors) */
};

/* Walk the payloads of msg (len bytes, len >= 28) starting with type first at offset 28. */
void wire_chain_init(struct wire_chain *ch, const uint8_t *msg, size_t len, uint8_t first);
/*
 * Next payload: returns 1 with *pl filled, 0 at the end of the chain, or a
 * negative ERR_* (generic header length wrong: PAYLOAD-MALFORMED; unknown
 * public type: INVALID-PAYLOAD-TYPE). After an error the chain stays stopped.
 */
int wire_chain_next(struct wire_chain *ch, struct wire_payload *pl, struct wire_err *err);
/* Bytes after the last payload (valid once wire_chain_next returned 0). */
size_t wire_chain_padding(const struct wire_chain *ch);

#define WIRE_MSG_MAX_PAYLOADS 32

/* A whole message: header and top-level payloads in order. */
struct wire_msg {
	struct wire_isakmp_hdr hdr;
	size_t n;
	struct wire_payload pl[WIRE_MSG_MAX_PAYLOADS];
	size_t pad_len;
};

/*
 * Header plus chain in one call; bodies are not decoded (use the body
 * decoders on m->pl[i]). More than WIRE_MSG_MAX_PAYLOADS payloads is
 * ERR_LIMIT (PAYLOAD-MALFORMED).
 */
int wire_msg_decode(const uint8_t *msg, size_t len, struct wire_msg *m, struct wire_err *err);
/* The nth (0-based) payload of a type, or NULL. */
const struct wire_payload *wire_msg_find(const struct wire_msg *m, uint8_t type, size_t nth);

/* Encoding helpers for generic headers (the builder and nested GDOI chains use them). */

/* Write a generic header with Next Payload 0 and length 0; returns its offset. */
size_t wire_gen_begin(struct buf_writer *w);
/* Patch the length of the payload begun at `at`; sets w->err = ERR_LIMIT when it exceeds 65535. */
void wire_gen_end(struct buf_writer *w, size_t at);
/* Write a Next Payload octet at byte offset `at` (of a payload or the header). */
void wire_gen_set_next(struct buf_writer *w, size_t at, uint8_t next);

#endif
