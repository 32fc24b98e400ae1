/*
 * Protected phase-2-style exchanges on an established ISAKMP SA (RFC 2409
 * §5.5, §5.7; RFC 6407 §3; notes §3): GDOI GROUPKEY-PULL (32), gvpn COOP
 * (240) and informationals (5) all have the shape
 *
 *   HDR*(cookies, exchange, M-ID), HASH(n), payloads...
 *   HASH(n) = prf(SKEYID_a, M-ID | [Ni_b] | [Nr_b] | payloads after HASH)
 *
 * encrypted with the phase-1 key on the IV chain of their M-ID (first IV =
 * H(last phase-1 block | M-ID), then the last ciphertext block of the
 * previous message of the exchange). The caller says which nonce bodies the
 * HASH covers (GROUPKEY-PULL: none for HASH(1), Ni_b for HASH(2), both for
 * HASH(3) and HASH(4)).
 *
 * Building (the caller adds its payloads with the wire/build.h functions):
 *
 *   struct wire_builder b;
 *   ike1_prot_begin(sa, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, mid);
 *   wire_build_nonce(&b, &ni);
 *   wire_build_id(&b, &group_id);
 *   int len = ike1_prot_send(sa, now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
 *
 * Receiving: ike1_sa_input() returns IKE1_IN_UPPER with the SA; the caller
 * finds its exchange by the M-ID (ike1_prot_peek), then
 *
 *   int rc = ike1_prot_open(sa, now, msg, len, ni_b, nr_b, plain, cap, &in);
 *
 * decrypts on the M-ID's chain, verifies HASH(n) in constant time and only
 * then advances the chain. A retransmission of the last message accepted on
 * an M-ID is answered with the message last sent on it (when it was sent
 * with caching) and reported as IKE1_PROT_DUP: do nothing more.
 *
 * Chains are bounded (IKE1_CHAINS_MAX per SA). ike1_prot_end() marks an
 * exchange finished; its chain and cached reply stay for cfg.grace_ms so a
 * lost last reply can still be re-sent, then go.
 */
#ifndef GVPN_IKE1_PROT_H
#define GVPN_IKE1_PROT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike1/sa.h"
#include "wire/build.h"
#include "wire/isakmp.h"

#define IKE1_NO_BYTES ((struct ike1_bytes){NULL, 0})
#define IKE1_PROT_DUP 1 /* ike1_prot_open: retransmission, answered from the cache */

/* A fresh random non-zero M-ID with no chain on sa. */
uint32_t ike1_prot_new_mid(struct ike1_sa *sa);

/*
 * Start a protected message in buf: the header (sa's cookies, exch, mid, E
 * flag) and a HASH payload to be filled by the seal. 0 or ERR_STATE (sa not
 * complete).
 */
int ike1_prot_begin(struct ike1_sa *sa, struct wire_builder *b, void *buf, size_t cap, uint8_t exch,
		    uint32_t mid);
/*
 * Finish the message begun with ike1_prot_begin: compute HASH(n) over the
 * M-ID, the given nonce bodies and the payloads after HASH, pad and encrypt
 * on the M-ID's chain (started here when new), advance the chain. The
 * buffer must have room for one block of padding. Returns the message
 * length, ERR_NOSPACE, ERR_LIMIT (too many exchanges in progress) or ERR_*.
 */
int ike1_prot_seal(struct ike1_sa *sa, uint64_t now, struct wire_builder *b, struct ike1_bytes ni_b,
		   struct ike1_bytes nr_b);
/* Seal, send to the SA's peer and keep a copy for retransmission and duplicate answers. */
int ike1_prot_send(struct ike1_sa *sa, uint64_t now, struct wire_builder *b, struct ike1_bytes ni_b,
		   struct ike1_bytes nr_b);
/* Send the cached last message of mid again (the requester's timer). 0 or ERR_NOTFOUND. */
int ike1_prot_resend(struct ike1_sa *sa, uint64_t now, uint32_t mid);
/* The exchange of mid is over: keep its chain only for the grace period. */
void ike1_prot_end(struct ike1_sa *sa, uint64_t now, uint32_t mid);
/* Is there a chain (an exchange in progress or in its grace period) for mid? */
bool ike1_prot_active(struct ike1_sa *sa, uint32_t mid);

/* Header of a received message without decrypting (exchange type, M-ID). 0 or ERR_*. */
int ike1_prot_peek(const uint8_t *msg, size_t len, struct wire_isakmp_hdr *h);

struct ike1_prot_in {
	struct wire_msg m;		  /* decoded plaintext; m.pl[0] is the HASH */
	struct ike1_bytes after;	  /* the payloads after HASH, as received */
	const struct wire_payload *first; /* first payload after HASH (NULL when none) */
	size_t n_after;			  /* payloads after HASH: m.pl[1 .. n_after] */
	struct wire_err err;		  /* decode error details */
};

/*
 * Decrypt and verify a message received on sa (cookies already matched,
 * exchange type not judged). plain (capacity cap >= len) receives the
 * header and the decrypted body; in->m points into it. Returns 0,
 * IKE1_PROT_DUP, ERR_STATE (sa not complete), ERR_BADLEN, ERR_PROTO (not
 * encrypted, no HASH first, undecodable), ERR_AUTH (HASH mismatch: the chain
 * did not move), ERR_LIMIT (no chain slot for a new M-ID) or ERR_*.
 */
int ike1_prot_open(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
		   struct ike1_bytes ni_b, struct ike1_bytes nr_b, uint8_t *plain, size_t cap,
		   struct ike1_prot_in *in);

/*
 * One-shot variants for informationals (no chain is kept): seal a message
 * begun with ike1_prot_begin, and open one without touching the chains.
 */
int ike1_prot_seal_once(struct ike1_sa *sa, struct wire_builder *b);
int ike1_prot_open_once(struct ike1_sa *sa, const uint8_t *msg, size_t len, uint8_t *plain,
			size_t cap, struct ike1_prot_in *in);

#endif
