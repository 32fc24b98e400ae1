/*
 * Number mappings between the policy model and the wire registries, shared
 * by the policy encoder and decoder (policy_enc.c, policy_dec.c). Internal
 * to gdoi/.
 */
#ifndef GVPN_GDOI_POLICY_PRIV_H
#define GVPN_GDOI_POLICY_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "gdoi/policy.h"
#include "gdoi/policy_wire.h"
#include "util/buf.h"

#define GDOI_PORT	 848
#define GDOI_IPPROTO_UDP 17

/* ESP transform ID (enum wire_esp) of an encryption, 0 if none. */
uint8_t gdoi_map_esp_id(uint8_t enc);
/* IPsec DOI Authentication Algorithm (enum wire_auth_alg) of an HMAC, 0 if none. */
uint16_t gdoi_map_auth_attr(uint8_t auth);
/* KEK_ALGORITHM (enum wire_kek_alg) and key bits of a CBC cipher. */
uint16_t gdoi_map_kek_alg(enum crypto_cbc_alg alg);
uint16_t gdoi_map_kek_bits(enum crypto_cbc_alg alg);
/* SIG_HASH_ALGORITHM (enum wire_sig_hash) of a hash, 0 if none. */
uint16_t gdoi_map_sig_hash(enum crypto_hash_alg h);
/* Inverse of gdoi_map_sig_hash; false for MD5 and unknown values. */
bool gdoi_map_sig_hash_from(uint64_t v, enum crypto_hash_alg *out);

/* Arena writers (policy_enc.c), shared with the SID key packet (sid.c). */
void gdoi_arena_writer(struct gdoi_arena *a, struct buf_writer *w);
/* Claim the bytes w wrote; where they start, NULL when the arena overflowed. */
const uint8_t *gdoi_arena_take(struct gdoi_arena *a, const struct buf_writer *w);
/* Claim them as an attribute span. 0 or ERR_NOSPACE. */
int gdoi_arena_attrs(struct gdoi_arena *a, const struct buf_writer *w, struct wire_attrs *out);

#endif
