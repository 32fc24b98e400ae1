/*
 * Sender IDs for counter-mode TEKs (RFC 6054; RFC 6407 GAP and KD; notes
 * §4.6, §4.7). Every member of a group shares the AES-GCM key, so the
 * 8-octet ESP IV must never repeat across members: the key server gives
 * each registration its own SID, which fills the most significant
 * NUMBER_OF_SID_BITS bits of every IV the member sends (the data plane
 * fills the rest with its counter).
 *
 *   pull message 3 (GM)  GAP  SENDER_ID_REQUEST (3, basic) = SIDs wanted
 *   pull message 4 (KS)  KD   key packet type SID (4), SPI size 0:
 *                              NUMBER_OF_SID_BITS (1, basic) 1..32
 *                              SID_VALUE (2, variable) per SID: a gvpn KS
 *                              sends 4 octets, a member also takes 2
 *
 * gvpn members ask for one SID when message 2's policy has a GCM TEK; a
 * gvpn key server hands out one per registration (whatever number was
 * asked for). The decoder takes at most GDOI_SIDS_MAX values.
 */
#ifndef GVPN_GDOI_SID_H
#define GVPN_GDOI_SID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdoi/policy.h"
#include "gdoi/policy_wire.h"
#include "wire/gdoi.h"
#include "wire/kd.h"

#define GDOI_SID_BITS_DEFAULT 16 /* NUMBER_OF_SID_BITS a gvpn KS uses */
#define GDOI_SID_BITS_MAX     32
#define GDOI_SIDS_MAX	      4 /* SID_VALUEs accepted in one SID key packet */
#define GDOI_SID_VALUE_LEN    4 /* octets of a SID_VALUE we send, network order */
#define GDOI_SID_REQ_LEN      4 /* octets of the GAP attributes of a request */

/* SIDs of one registration; bits == 0 (and n == 0): none. */
struct gdoi_sids {
	uint8_t bits; /* NUMBER_OF_SID_BITS */
	uint8_t n;
	uint32_t v[GDOI_SIDS_MAX];
};

/* Does the transform run a counter (GCM), so that senders need a SID? */
bool gdoi_sid_counter_mode(const struct gdoi_transform *x);
/* Does the policy have a counter-mode TEK? */
bool gdoi_sid_policy_needs(const struct gdoi_policy *p);
/* Largest SID of a bits-wide space (2^bits - 1). */
uint32_t gdoi_sid_max(uint8_t bits);

/* GM: a GAP asking for n SIDs; its attributes live in buf. */
void gdoi_sid_request_encode(uint16_t n, uint8_t buf[static GDOI_SID_REQ_LEN],
			     struct wire_gap *out);
/*
 * KS: how many SIDs a message-3 GAP asks for (*n = 0 when it does not).
 * 0, or ERR_INVAL (a SENDER_ID_REQUEST that is no integer).
 */
int gdoi_sid_request_decode(const struct wire_gap *g, uint16_t *n);

/*
 * KS: append the SID key packet of s (1..GDOI_SIDS_MAX values) to kd, its
 * attributes in the arena. 0, ERR_LIMIT (kd full) or ERR_NOSPACE.
 */
int gdoi_sid_kd_encode(const struct gdoi_sids *s, struct gdoi_arena *a, struct wire_kd *kd);
/*
 * GM: the SIDs of a decoded KD. No SID key packet gives 0 with out->n == 0.
 * ERR_INVAL with why: a second SID packet, NUMBER_OF_SID_BITS missing,
 * repeated, not basic or outside 1..32, a SID_VALUE not 2 or 4 octets or not
 * below 2^bits, no SID_VALUE, more than GDOI_SIDS_MAX. Other attribute
 * types are ignored.
 */
int gdoi_sid_kd_decode(const struct wire_kd *kd, struct gdoi_sids *out, char *why, size_t cap);

/* "1, 2" (the values) or "none"; returns the length (snprintf style). */
int gdoi_sid_format(const struct gdoi_sids *s, char *out, size_t cap);

#endif
