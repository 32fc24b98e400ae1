/*
 * GROUPKEY-PUSH and its acknowledgement on the wire (RFC 6407 §4, notes
 * §4.10, §4.11, §5.3), shared by the key server (build, ACK check) and the
 * group member (open, verify, ACK build). No state: the engines keep it.
 *
 * Push:  HDR*, SEQ, [D,] [SA, KD,] SIG
 *   HDR  cookies = KEK SPI, exchange 33, E flag, Message ID 0.
 *   SIG  RSA PKCS#1 v1.5 over H("rekey" | HDR | SEQ ... up to SIG), the
 *        payloads in plaintext and the header as sent (E set, Length = the
 *        final, padded length). gdoid signs with Length = the unpadded
 *        length instead; the verifier accepts both, and both signature
 *        forms (bare digest as gdoid, DigestInfo as standard signers).
 *   The payload chain is zero-padded to the KEK's block size and
 *   CBC-encrypted with the KEK key and the KEK's static IV (notes §4.10:
 *   what gdoid does; the first block differs every time because SEQ does).
 *
 * ACK:   HDR, HASH, SEQ, ID (exchange 35, not encrypted, cookies = the
 *        push's KEK SPI, Message ID 0)
 *   HASH = prf(K_ack, 00000000 | SEQ payload | ID payload), ID = the
 *   member's ID_IPV4_ADDR. K_ack is per member (registration), so one
 *   member cannot acknowledge for another.
 */
#ifndef GVPN_GDOI_REKEY_H
#define GVPN_GDOI_REKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "gdoi/policy.h"
#include "wire/gdoi.h"
#include "wire/isakmp.h"
#include "wire/kd.h"
#include "wire/payload.h"

#define GDOI_REKEY_MSG_MAX 16384 /* largest push built or accepted */
#define GDOI_REKEY_DEL_MAX 4	 /* Delete payloads per push */

/* What a push carries (KS side). sa and kd are both set or both NULL. */
struct gdoi_rekey_build {
	const struct gdoi_kek *kek; /* protects the push: SPI, alg, key, IV */
	uint32_t seq;
	const struct wire_gdoi_sa *sa;
	const struct wire_kd *kd;
	const struct wire_delete *del; /* SAs to delete (may be NULL) */
	const struct crypto_rsa *key;  /* private */
	enum crypto_hash_alg hash;     /* SIG_HASH_ALGORITHM of the KEK policy */
	enum crypto_sig_form form;     /* 0: CRYPTO_SIG_RAW_DIGEST (what gvpn emits) */
	bool unpadded_len;	       /* sign as gdoid's sender does (tests) */
};

/*
 * Build, sign and encrypt a push into out. Returns the message length,
 * ERR_NOSPACE, ERR_LIMIT, ERR_INVAL (no private key, unknown KEK cipher) or
 * ERR_CRYPTO. out holds only ciphertext afterwards (the plaintext keys of
 * the KD were wiped in place).
 */
int gdoi_rekey_build(const struct gdoi_rekey_build *in, uint8_t *out, size_t cap);

/* A push opened with a KEK (GM side); payloads point into the plaintext buffer. */
struct gdoi_rekey_in {
	struct wire_msg m;
	uint32_t seq;
	const struct wire_payload *sa, *kd, *sig;
	size_t n_del;
	const struct wire_payload *del[GDOI_REKEY_DEL_MAX];
	enum crypto_sig_form form; /* set by gdoi_rekey_verify */
	bool unpadded_len;	   /* the signature covered the unpadded length (gdoid) */
};

/* Does msg look like a push protected by a KEK with this SPI? */
bool gdoi_rekey_is_for(const uint8_t *msg, size_t len, const uint8_t spi[GDOI_KEK_SPI_LEN]);

/*
 * Decrypt msg with kek into plain (cap >= len; plain may not alias msg) and
 * walk its chain: exactly one SEQ (first) and one SIG (last), at most one
 * SA and one KD (together), up to GDOI_REKEY_DEL_MAX Deletes, nothing else
 * but CERT. Returns 0, ERR_BADLEN, ERR_INVAL (not a push for this KEK),
 * ERR_PROTO (chain, SEQ) or ERR_CRYPTO. On failure plain is wiped.
 */
int gdoi_rekey_open(const uint8_t *msg, size_t len, const struct gdoi_kek *kek, uint8_t *plain,
		    size_t cap, struct gdoi_rekey_in *out);

/*
 * Check the signature of an opened push (plain from gdoi_rekey_open) with
 * the KS public key: both header lengths, both signature forms. 0 or
 * ERR_AUTH (ERR_INVAL: hash not usable).
 */
int gdoi_rekey_verify(struct gdoi_rekey_in *in, const uint8_t *plain, const struct crypto_rsa *pub,
		      enum crypto_hash_alg hash);

/* ---- acknowledgement ---- */

/* prf and K_ack of one registration. */
struct gdoi_kack {
	enum crypto_hash_alg prf;
	size_t len;
	const uint8_t *key;
};

/* Build an ACK for the push (spi, seq) from member addr. Length or ERR_NOSPACE/ERR_CRYPTO. */
int gdoi_rekey_ack_build(const uint8_t spi[GDOI_KEK_SPI_LEN], uint32_t seq, uint32_t addr,
			 const struct gdoi_kack *k, uint8_t *out, size_t cap);

struct gdoi_rekey_ack {
	uint8_t spi[GDOI_KEK_SPI_LEN];
	uint32_t seq;
	uint32_t addr; /* the ID */
	const uint8_t *hash;
	size_t hash_len;
	const uint8_t *covered; /* SEQ and ID payloads as sent */
	size_t covered_len;
};

/* Parse an ACK (untrusted). 0, ERR_PROTO (malformed) or ERR_INVAL (not an ACK). */
int gdoi_rekey_ack_parse(const uint8_t *msg, size_t len, struct gdoi_rekey_ack *out);
/* Check its HASH with the member's K_ack (constant time). 0 or ERR_AUTH. */
int gdoi_rekey_ack_verify(const struct gdoi_rekey_ack *a, const struct gdoi_kack *k);

#endif
