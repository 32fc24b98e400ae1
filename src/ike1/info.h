/*
 * Informational exchanges (RFC 2409 §5.7, notes §1.8-1.9, §3.3).
 *
 *   unprotected:  HDR(exch 5, M-ID 0), N                 before phase 1 completes
 *   protected:    HDR*(exch 5, random M-ID), HASH(1), N|D  on a complete SA
 *                 HASH(1) = prf(SKEYID_a, M-ID | N/D payload)
 *
 * Error notifies carry Protocol-ID 1 (ISAKMP) and the cookie pair as a
 * 16-octet SPI. Deleting an ISAKMP SA is a protected Delete with
 * Protocol-ID 1, SPI size 16, SPI = CKY-I | CKY-R.
 */
#ifndef GVPN_IKE1_INFO_H
#define GVPN_IKE1_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "ike1/prot.h"
#include "ike1/sa.h"
#include "wire/payload.h"

/*
 * Build an unprotected notify of the given type about the cookie pair
 * (cky_r may be all zero). Returns the length or ERR_NOSPACE.
 */
int ike1_info_build_clear(uint8_t *buf, size_t cap, const uint8_t cky_i[static IKE1_COOKIE_LEN],
			  const uint8_t cky_r[static IKE1_COOKIE_LEN], uint32_t doi, uint16_t type);
/*
 * Parse an unprotected informational: exchange 5, not encrypted, M-ID 0,
 * a Notify first. Returns 0, ERR_PROTO or a decode error.
 */
int ike1_info_parse_clear(const uint8_t *msg, size_t len, struct wire_msg *m,
			  struct wire_notify *n);

/*
 * Build a protected informational with one Notify (n != NULL) or one Delete
 * (d != NULL) on a complete SA, with a fresh M-ID. Returns the length,
 * ERR_STATE or ERR_NOSPACE.
 */
int ike1_info_build_protected(struct ike1_sa *sa, const struct wire_notify *n,
			      const struct wire_delete *d, uint8_t *buf, size_t cap);
/* Decrypt and verify a protected informational (HASH(1)). See ike1_prot_open_once. */
int ike1_info_open(struct ike1_sa *sa, const uint8_t *msg, size_t len, uint8_t *plain, size_t cap,
		   struct ike1_prot_in *in);

/*
 * Tell peer about an error: protected when sa is complete, in the clear
 * otherwise; at most one per peer per cfg.notify_gap_ms (counted when
 * suppressed). The SPI is the cookie pair given.
 */
void ike1_info_send_error(struct ike1_sa_table *t, struct ike1_sa *sa, uint64_t now,
			  const struct ike1_peer *peer, const uint8_t cky_i[static IKE1_COOKIE_LEN],
			  const uint8_t cky_r[static IKE1_COOKIE_LEN], uint16_t type);
/* Send the protected Delete of sa's ISAKMP SA. 0 or ERR_*. */
int ike1_info_send_delete(struct ike1_sa *sa);

/* An exchange-5 datagram (called by the table's dispatch). */
void ike1_info_input(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		     const uint8_t *msg, size_t len, const struct wire_isakmp_hdr *h);

#endif
