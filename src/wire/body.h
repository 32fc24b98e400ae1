/*
 * Any payload body by type: one entry point over the per-payload codecs, for
 * code that handles payloads generically (fuzzing, debug dumps, tests).
 * Engines that expect a given payload call its own decoder instead.
 *
 * The SA payload has two bodies: the IPsec-style phase 1 SA (p1sa.h) and the
 * GDOI SA (gdoi.h). The exchange type decides: GROUPKEY-PULL and
 * GROUPKEY-PUSH carry GDOI SAs, every other exchange the phase 1 form.
 */
#ifndef GVPN_WIRE_BODY_H
#define GVPN_WIRE_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/err.h"
#include "wire/gdoi.h"
#include "wire/isakmp.h"
#include "wire/kd.h"
#include "wire/p1sa.h"
#include "wire/payload.h"

enum wire_body_kind {
	WIRE_BODY_NONE = 0, /* no codec for this type (P/T outside an SA, ATTR, POP, NAT-*, private) */
	WIRE_BODY_P1SA,
	WIRE_BODY_GDOI_SA,
	WIRE_BODY_DATA,     /* KE, HASH, SIG, NONCE, VID */
	WIRE_BODY_ID,
	WIRE_BODY_CERT,     /* CERT, CR */
	WIRE_BODY_NOTIFY,
	WIRE_BODY_DELETE,
	WIRE_BODY_SAK,
	WIRE_BODY_SAT,
	WIRE_BODY_GAP,
	WIRE_BODY_KD,
	WIRE_BODY_SEQ,
};

struct wire_body {
	uint8_t type; /* payload type */
	enum wire_body_kind kind;
	union {
		struct wire_p1sa p1sa;
		struct wire_gdoi_sa gdoi_sa;
		struct wire_data data;
		struct wire_id id;
		struct wire_cert cert;
		struct wire_notify notify;
		struct wire_delete del;
		struct wire_sa_kek kek;
		struct wire_sa_tek tek;
		struct wire_gap gap;
		struct wire_kd kd;
		uint32_t seq;
	} u;
};

/* True when the exchange carries GDOI SA payloads (32, 33). */
bool wire_exch_has_gdoi_sa(unsigned exch);

/*
 * Decode the body of pl. Returns 0 (kind == WIRE_BODY_NONE when the type has
 * no codec) or the error of the payload's decoder.
 */
int wire_body_decode(const struct wire_payload *pl, unsigned exch, enum wire_dialect d,
		     struct wire_body *out, struct wire_err *err);
/* Encode the body again (nothing for WIRE_BODY_NONE). */
void wire_body_encode(struct buf_writer *w, const struct wire_body *b, enum wire_dialect d);
bool wire_body_equal(const struct wire_body *a, const struct wire_body *b);

#endif
