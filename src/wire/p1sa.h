/*
 * Phase 1 SA payload body in the IPsec style (RFC 2408 §3.4-3.6, RFC 2407
 * §4.2): DOI, situation, then a chain of Proposal payloads, each with a chain
 * of Transform payloads carrying data attributes.
 *
 *   SA body:        DOI (4) | Situation (4) | Proposals
 *   Proposal body:  Proposal # | Protocol-ID | SPI Size | # Transforms | SPI | Transforms
 *   Transform body: Transform # | Transform-ID | RESERVED2 (2) | attributes
 *
 * DOI 1 (IPsec) and 2 (GDOI, RFC 6407 §2.1 and gdoid) are accepted. The
 * situation may be 0 (what gdoid sends) or SIT_IDENTITY_ONLY; the secrecy and
 * integrity situations (which add labelled-domain fields) are not supported.
 * Proposals and transforms are stored in two flat arrays; each proposal
 * names its first transform and count.
 */
#ifndef GVPN_WIRE_P1SA_H
#define GVPN_WIRE_P1SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wire/attr.h"
#include "wire/err.h"
#include "wire/isakmp.h"

#define WIRE_P1_MAX_PROPS  8  /* per SA payload */
#define WIRE_P1_MAX_XFORMS 32 /* per SA payload, all proposals together */

struct wire_p1_xform {
	uint8_t num;
	uint8_t id;               /* WIRE_KEY_IKE in phase 1 */
	struct wire_attrs attrs;
	size_t off;               /* absolute offset of the Transform payload */
};

struct wire_p1_prop {
	uint8_t num;
	uint8_t proto;            /* WIRE_PROTO_ISAKMP in phase 1 */
	uint8_t spi_size;
	const uint8_t *spi;
	uint8_t n_xforms;         /* declared and found */
	uint8_t first;            /* index of its first transform in wire_p1sa.xforms */
	size_t off;
};

struct wire_p1sa {
	uint32_t doi;
	uint32_t situation;
	uint8_t n_props;
	struct wire_p1_prop props[WIRE_P1_MAX_PROPS];
	uint8_t n_xforms;
	struct wire_p1_xform xforms[WIRE_P1_MAX_XFORMS];
};

/*
 * Decode the body of an SA payload (pl->type must be WIRE_PL_SA). Errors:
 * DOI other than 1/2 (DOI-NOT-SUPPORTED), secrecy/integrity situation
 * (SITUATION-NOT-SUPPORTED), no proposal, a proposal without transforms, a
 * transform count that differs from the declared one, a Next Payload inside
 * the SA other than Proposal/Transform/0 (BAD-PROPOSAL-SYNTAX), lengths
 * (PAYLOAD-MALFORMED), more than the limits above (ERR_LIMIT).
 */
int wire_p1sa_decode(const struct wire_payload *pl, struct wire_p1sa *sa, struct wire_err *err);
/* Write the SA body: proposals and transforms chained, lengths filled. */
void wire_p1sa_encode(struct buf_writer *w, const struct wire_p1sa *sa);
/* Same content (offsets are not compared). */
bool wire_p1sa_equal(const struct wire_p1sa *a, const struct wire_p1sa *b);

#endif
