/*
 * The group policy on the wire (RFC 6407 §5, notes §4.2-4.7, §5.4, §5.6):
 * encoding into the GDOI SA and KD payload structs of wire/gdoi.h and
 * wire/kd.h (KS), and decoding with validation (GM).
 *
 * SA (pull message 2), for one member:
 *   SA KEK   src ID = KS address:848, dst ID = 0.0.0.0:848 (unicast) or the
 *            multicast group:848; attributes KEK_ALGORITHM, KEK_KEY_LENGTH
 *            (AES), KEK_KEY_LIFETIME (remaining seconds), SIG_HASH_ALGORITHM,
 *            SIG_ALGORITHM, SIG_KEY_LENGTH, and KEK_ACK_REQUESTED only to a
 *            member with the rekey-ACK capability.
 *   GAP      ATD, DTD.
 *   SA TEK   one per ACL line and TEK, in `sa ipsec` order, then TEK age,
 *            then ACL order (notes §4.5): the line's selectors as IDs (host
 *            -> ID_IPV4_ADDR, prefix -> ID_IPV4_ADDR_SUBNET, any -> 0/0),
 *            port = the `eq` port or 0, the TEK's transform, SPI, remaining
 *            lifetime, tunnel mode, address preservation 4, direction 3 (2 =
 *            receive-only). Members with the ACL-extension capability also
 *            get GVPN_PORT_RANGE (operators other than eq), GVPN_ACL_ACTION
 *            (deny lines) and GVPN_ACL_SEQ; others get only the permit lines
 *            whose ports are any or eq, and the withheld line numbers are
 *            reported to the caller. TBAR-capable members get
 *            GVPN_REPLAY_METHOD/WINDOW and, for time-based replay,
 *            GVPN_PSEUDOTIME.
 *   Port ranges (GVPN_PORT_RANGE: src_lo, src_hi, dst_lo, dst_hi): any is
 *   0-65535, eq P is P-P, lt/gt/range the interval, and neq P the inverted
 *   pair lo = P+1, hi = P-1 (lo > hi means "all but hi+1..lo-1"); neq 0 and
 *   neq 65535 are sent as the plain intervals they are. The decoder gives
 *   back the operator with the same matches (lt 11 for range 0 10).
 * KD (pull message 4): the KEK key packet (KEK_ALGORITHM_KEY = IV | key,
 *   SIG_ALGORITHM_KEY = the KS public key) and one TEK key packet per TEK
 *   the member's SA references (TEK_ALGORITHM_KEY, TEK_INTEGRITY_KEY).
 *
 * Variable parts of the wire structs (IDs, attribute spans) point into a
 * caller's arena, which then holds key material: wipe it after building the
 * message (gdoi_arena_wipe).
 */
#ifndef GVPN_GDOI_POLICY_WIRE_H
#define GVPN_GDOI_POLICY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdoi/policy.h"
#include "wire/gdoi.h"
#include "wire/kd.h"

#define GDOI_ARENA_LEN 24576

struct crypto_rsa;

struct gdoi_arena {
	size_t used;
	uint8_t buf[GDOI_ARENA_LEN];
};

/* Forget and wipe what the arena holds. */
void gdoi_arena_wipe(struct gdoi_arena *a);

/* Who the policy is encoded for. */
struct gdoi_enc_opts {
	uint32_t caps;	/* the member's gvpn capabilities (enum gdoi_cap); 0 for plain RFC 6407 */
	uint64_t now;	/* remaining lifetimes are computed at now */
	uint64_t pt_ms; /* KS pseudotime at now (GVPN_PSEUDOTIME) */
};

/* ACL lines left out for a member without the ACL-extension capability. */
struct gdoi_withheld {
	size_t n;
	uint32_t seq[GDOI_ACL_MAX]; /* line numbers, in ACL order, each once */
};

/* Would this ACL line reach a member with these capabilities? */
bool gdoi_acl_line_sendable(const struct gdoi_acl_entry *e, uint32_t caps);

/*
 * Fill *out (a GDOI SA for WIRE_DIALECT_RFC6407 encoding) with p as seen by
 * a member. wh (may be NULL) gets the withheld lines. Returns 0, ERR_LIMIT
 * (more than WIRE_GDOI_MAX_TEKS SA TEKs), ERR_NOSPACE (arena full) or
 * ERR_INVAL (nothing left to send: every line withheld).
 */
int gdoi_policy_encode_sa(const struct gdoi_policy *p, const struct gdoi_enc_opts *o,
			  struct gdoi_arena *a, struct wire_gdoi_sa *out, struct gdoi_withheld *wh);
/*
 * Fill *out with the key packets that go with gdoi_policy_encode_sa's SA
 * for the same member. Returns 0, ERR_NOSPACE or ERR_LIMIT.
 */
int gdoi_policy_encode_kd(const struct gdoi_policy *p, const struct gdoi_enc_opts *o,
			  struct gdoi_arena *a, struct wire_kd *out);

/*
 * GM: turn a decoded GDOI SA into a policy without keys, validating
 * everything a member will rely on. Times are set from now. On failure
 * returns ERR_UNSUPP (something gvpn does not implement: transform, LKH,
 * selector type, key length), ERR_INVAL (inconsistent or forbidden values:
 * SPI 0, zero lifetime, non-contiguous subnet mask) or ERR_LIMIT, and writes
 * the reason for GM_REJECTING_SA_PAYLOAD to why.
 */
int gdoi_policy_decode_sa(const struct wire_gdoi_sa *sa, uint64_t now, struct gdoi_policy *out,
			  char *why, size_t why_cap);
/*
 * The same for the SA of a GROUPKEY-PUSH, which may also carry only a new
 * SA KEK (a KEK rekey, as gdoid sends it): no SA TEK is then no error.
 */
int gdoi_policy_decode_push_sa(const struct wire_gdoi_sa *sa, uint64_t now, struct gdoi_policy *out,
			       char *why, size_t why_cap);
/*
 * GM: take the keys of every TEK and of the KEK from a decoded KD. A TEK or
 * KEK without its key packet, or with keys whose lengths do not fit its
 * algorithm, or a public key that is not a DER RSA SPKI of the announced
 * length fails with ERR_INVAL and why. Key packets for SAs not in the policy
 * are ignored. On failure p's keys are wiped.
 *
 * A public key is decoded (costly) unless it is byte for byte the one p
 * already holds with spki_bits set: a member puts its group's key there
 * before decoding a push. Its size is checked against SIG_KEY_LENGTH in
 * both cases; on success spki, spki_len and spki_bits are the KD's key.
 */
int gdoi_policy_decode_kd(struct gdoi_policy *p, const struct wire_kd *kd, char *why,
			  size_t why_cap);
/*
 * The same, and the public key it decoded goes to *key (release with
 * crypto_rsa_clear), so a member registering need not decode it again to
 * check pushes. *key is empty when the KD has none, when it was the key p
 * held, and on failure.
 */
int gdoi_policy_decode_kd_key(struct gdoi_policy *p, const struct wire_kd *kd,
			      struct crypto_rsa *key, char *why, size_t why_cap);

#endif
