/*
 * Phase-1 policies (IOS `crypto isakmp policy`): what an initiator offers in
 * MM1 and what a responder accepts, and their encoding as transform
 * attributes (RFC 2409 appendix A, notes §2.2-2.3).
 *
 * One policy is one transform: encryption (AES-CBC 128/192/256 with Key
 * Length, or 3DES-CBC), hash (SHA-1, SHA-256, SHA-384; the PRF is HMAC with
 * it), authentication (pre-shared key), DH group (14, 15, 16, 19, 20, 21;
 * 1 and 2 only when weak groups are allowed) and lifetime in seconds. MM1
 * carries one proposal with one transform per policy, in priority order.
 */
#ifndef GVPN_IKE1_POLICY_H
#define GVPN_IKE1_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "wire/build.h"
#include "wire/p1sa.h"

#define IKE1_LIFE_DEFAULT_SEC 86400 /* IOS default */
#define IKE1_LIFE_ABSENT_SEC  28800 /* RFC 2407 §4.5: no lifetime attribute = 8 hours */
#define IKE1_POLICIES_MAX     16

struct ike1_policy {
	enum crypto_cbc_alg cipher;
	enum crypto_hash_alg hash;
	uint8_t auth;	   /* enum wire_p1_auth: WIRE_P1_AUTH_PSK */
	uint8_t group;	   /* enum wire_group */
	uint32_t life_sec; /* 0 in a parsed offer = none given */
};

/*
 * Is p something gvpn can negotiate? Returns 0, ERR_UNSUPP (algorithm or
 * authentication not implemented) or ERR_INVAL (weak group not allowed,
 * zero lifetime).
 */
int ike1_policy_check(const struct ike1_policy *p, bool weak_groups);

/*
 * Read a transform's attributes. Returns 0, or ERR_UNSUPP when an attribute
 * or value is not one gvpn understands (a responder must then skip the
 * transform), or ERR_BADLEN for a malformed value.
 */
int ike1_policy_from_xform(const struct wire_p1_xform *x, struct ike1_policy *out);

/*
 * Does the offered transform fit policy mine? Same cipher, hash,
 * authentication and group, and an offered lifetime no longer than ours.
 */
bool ike1_policy_accepts(const struct ike1_policy *mine, const struct ike1_policy *offer);

/* Append the SA payload offering every policy (MM1) to a message. */
void ike1_policy_build_offer(struct wire_builder *b, const struct ike1_policy *ps, size_t n,
			     uint32_t doi);

/*
 * Responder choice (RFC 2409 §5): the first transform, in the initiator's
 * order, that one of our policies accepts. Fills *prop / *xform with the
 * indices into offer and *chosen with the parsed transform (lifetime
 * resolved). Returns 0 or ERR_NOTFOUND.
 */
int ike1_policy_choose(const struct ike1_policy *ps, size_t n, bool weak_groups,
		       const struct wire_p1sa *offer, size_t *prop, size_t *xform,
		       struct ike1_policy *chosen);

/* Append the SA payload of MM2: the offer's header and the chosen transform, byte for byte. */
void ike1_policy_build_answer(struct wire_builder *b, const struct wire_p1sa *offer, size_t prop,
			      size_t xform);

/*
 * Initiator check of MM2: exactly one proposal with one transform that one
 * of our policies accepts. Returns 0 with *chosen filled, ERR_PROTO (shape)
 * or ERR_NOTFOUND (not something we offered).
 */
int ike1_policy_check_answer(const struct ike1_policy *ps, size_t n, const struct wire_p1sa *ans,
			     struct ike1_policy *chosen);

/* "aes-256 sha256 psk group19 86400s" into out. Returns snprintf's length. */
int ike1_policy_format(const struct ike1_policy *p, char *out, size_t cap);

#endif
