/*
 * Main Mode (RFC 2409 §5, notes §2.1), both roles, for one ISAKMP SA.
 * Internal to ike1/: sa.c creates SAs, dispatches Main Mode datagrams here
 * and drives the timers. The exchange, with the state each side is in
 * after the message:
 *
 *   1  I -> R  HDR, SA [, VID]              I: MM_NO_STATE
 *   2  R -> I  HDR, SA [, VID]              R: MM_SA_SETUP
 *   3  I -> R  HDR, KE, Ni                  I: MM_SA_SETUP
 *   4  R -> I  HDR, KE, Nr                  R: MM_KEY_EXCH
 *   5  I -> R  HDR*, IDii, HASH_I           I: MM_KEY_EXCH
 *   6  R -> I  HDR*, IDir, HASH_R           R, then I: GDOI_IDLE
 */
#ifndef GVPN_IKE1_MM_H
#define GVPN_IKE1_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/dh.h"
#include "ike1/sa.h"
#include "wire/isakmp.h"

struct ike1_mm {
	uint8_t msg;		 /* last message sent or accepted (1-6) */
	uint8_t n_retx;		 /* retransmissions of the current message */
	struct ike1_cache cache; /* last accepted request, last message sent */
	uint64_t sent_ns;	 /* first transmission of the current message */
	uint64_t retx_ns;	 /* next retransmission, CLOCK_NEVER when none */
	uint64_t give_up_ns;	 /* no progress by then: TIMEOUT */
	uint64_t grace_end_ns;	 /* complete: handshake state freed then */
	bool have_dh;
	struct crypto_dh dh;
	uint16_t ni_len, nr_len, gx_peer_len;
	uint8_t ni[WIRE_NONCE_MAX], nr[WIRE_NONCE_MAX];
	uint8_t gx_peer[CRYPTO_DH_PUB_MAX];
	uint8_t skeyid[IKE1_PRF_MAX];
	uint8_t iv[CRYPTO_BLOCK_MAX]; /* phase-1 IV chain */
	uint8_t *sai_b;		      /* the initiator's SA body (MM1) */
	size_t sai_len;
	struct ike1_vids vids; /* the peer's, pointing into vid_store */
	size_t vid_used;
	uint8_t vid_store[256];
};

/* Initiator: build and send MM1 for a new SA. 0 or ERR_*. */
int ike1_mm_start(struct ike1_sa *sa, uint64_t now);
/*
 * Responder: a message with a zero responder cookie and no SA yet. Creates
 * the SA and answers MM2, or refuses (notify, io.down with sa NULL).
 */
void ike1_mm_first(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		   const uint8_t *msg, size_t len, const struct wire_isakmp_hdr *h);
/* A Main Mode datagram for an existing SA. */
void ike1_mm_input(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
		   const struct wire_isakmp_hdr *h);
/* Retransmit or give up as due; free the handshake state after the grace period. */
void ike1_mm_tick(struct ike1_sa *sa, uint64_t now);
/* The next time ike1_mm_tick has work for sa, CLOCK_NEVER if none. */
uint64_t ike1_mm_deadline(const struct ike1_sa *sa);
/* Free (and wipe) the handshake state. */
void ike1_mm_free(struct ike1_sa *sa);

#endif
