/*
 * Encryption of ISAKMP message bodies with the phase-1 key (RFC 2409
 * appendix B, notes §2.7) and the IV state that goes with it.
 *
 * Only the body (everything after the 28-octet header) is encrypted; the
 * caller builds the header (E flag, Length including the padding) with
 * wire/. Padding is zero octets, added only when the body is not already a
 * multiple of the block size. On input the padding is not looked at: the
 * payload chain says where the payloads end.
 *
 * IV chains. Phase 1 has one chain (messages 5, 6), every later exchange one
 * per Message ID, starting at H(last phase-1 block | M-ID); each message
 * continues from the last ciphertext block of the previous message of its
 * exchange, in either direction. Decryption hands back the would-be next IV
 * and the caller commits it only after the message verified, so that a
 * garbled or forged message cannot desynchronise the chain.
 *
 * Message caches. A responder answers a retransmitted request with the reply
 * it already sent, byte for byte, without decrypting or recomputing
 * anything; a requester retransmits its last message as sent. struct
 * ike1_cache holds a digest of the last accepted message and a copy of the
 * last one sent.
 */
#ifndef GVPN_IKE1_CRYPT_H
#define GVPN_IKE1_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike1/keys.h"

/*
 * Zero-pad body (len bytes, buffer capacity cap) to the block size and
 * encrypt it in place from iv; iv_next receives the last ciphertext block.
 * Returns the padded length, ERR_NOSPACE when padding does not fit, ERR_INVAL
 * (bad cipher) or ERR_CRYPTO.
 */
int ike1_crypt_seal(const struct ike1_keys *k, const uint8_t *iv, uint8_t *body, size_t len,
		    size_t cap, uint8_t iv_next[static CRYPTO_BLOCK_MAX]);
/*
 * Decrypt len bytes of in into out (may be the same buffer) from iv;
 * iv_next receives the last ciphertext block, to be committed only once the
 * message has verified. Returns len, ERR_BADLEN when len is zero or not a
 * multiple of the block size, ERR_INVAL or ERR_CRYPTO.
 */
int ike1_crypt_open(const struct ike1_keys *k, const uint8_t *iv, const uint8_t *in, uint8_t *out,
		    size_t len, uint8_t iv_next[static CRYPTO_BLOCK_MAX]);

#define IKE1_DIGEST_LEN 16 /* SHA-256 prefix identifying a datagram */

struct ike1_cache {
	uint8_t rx[IKE1_DIGEST_LEN]; /* last accepted message */
	bool has_rx;
	uint16_t tx_len;
	uint8_t *tx; /* last message sent, owned; NULL when none */
};

/* Digest of a datagram for duplicate detection. 0 or ERR_CRYPTO. */
int ike1_cache_digest(const uint8_t *msg, size_t len, uint8_t out[static IKE1_DIGEST_LEN]);
/* true when msg is the last accepted message again. */
bool ike1_cache_is_dup(const struct ike1_cache *c, const uint8_t *msg, size_t len);
/* Remember an accepted message by its digest. */
void ike1_cache_note_rx(struct ike1_cache *c, const uint8_t digest[static IKE1_DIGEST_LEN]);
/* Keep a copy of the message just sent (replaces the previous one). 0 or ERR_NOMEM/ERR_BADLEN. */
int ike1_cache_set_tx(struct ike1_cache *c, const uint8_t *msg, size_t len);
/* Free the copy and forget the digest. */
void ike1_cache_clear(struct ike1_cache *c);

/* Per-M-ID chains of one ISAKMP SA (phase-2-style exchanges). */
#define IKE1_CHAINS_MAX 4 /* concurrent exchanges per SA */

struct ike1_chain {
	uint32_t mid;
	bool used;
	bool done;	  /* the owner ended the exchange; kept for its grace period */
	uint64_t last_ns; /* last message in or out */
	uint8_t iv[CRYPTO_BLOCK_MAX];
	struct ike1_cache cache;
};

struct ike1_chains {
	struct ike1_chain c[IKE1_CHAINS_MAX];
};

/* The chain of mid, or NULL. */
struct ike1_chain *ike1_chains_find(struct ike1_chains *cs, uint32_t mid);
/*
 * Start the chain of a new mid with IV = H(p1_last | mid). A full table
 * reuses the least recently used slot that is done or idle for longer than
 * idle_ns. Returns 0, ERR_EXISTS (mid already has a chain), ERR_LIMIT (all
 * slots busy) or the error of the IV computation.
 */
int ike1_chains_open(struct ike1_chains *cs, const struct ike1_keys *k, const uint8_t *p1_last,
		     uint32_t mid, uint64_t now, uint64_t idle_ns, struct ike1_chain **out);
/* Advance a chain after a message verified (or was sent). */
void ike1_chain_commit(struct ike1_chain *c, const uint8_t *iv_next, size_t block_len,
		       uint64_t now);
/* Free the slot (cache included). */
void ike1_chain_drop(struct ike1_chain *c);
/*
 * Drop chains that are done and older than grace_ns, or idle longer than
 * idle_ns. Returns the number of chains still in use.
 */
size_t ike1_chains_expire(struct ike1_chains *cs, uint64_t now, uint64_t grace_ns,
			  uint64_t idle_ns);
/* Earliest time ike1_chains_expire would drop something, CLOCK_NEVER if none. */
uint64_t ike1_chains_deadline(const struct ike1_chains *cs, uint64_t grace_ns, uint64_t idle_ns);
void ike1_chains_clear(struct ike1_chains *cs);

#endif
