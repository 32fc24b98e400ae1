/*
 * Types both engines use: the group identity of GROUPKEY-PULL message 1
 * (notes §4.8), name sizes and the pre-shared key lookup.
 */
#ifndef GVPN_GDOI_IDENT_H
#define GVPN_GDOI_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "ike1/sa.h"
#include "wire/payload.h"

#define GDOI_NAME_MAX 64 /* group, ACL, profile, key label names with the NUL */

/* `identity number N` (ID_KEY_ID, 4 octets big-endian) or `identity address ipv4 A`. */
enum gdoi_id_type {
	GDOI_ID_NUMBER = 1,
	GDOI_ID_ADDRESS = 2,
};

struct gdoi_identity {
	uint8_t type; /* enum gdoi_id_type */
	uint32_t value;
};

/* "3333" or "10.1.1.1". */
int gdoi_identity_format(const struct gdoi_identity *id, char *out, size_t cap);
/* The ID payload of message 1; data (4 octets) receives the value. */
void gdoi_identity_to_wire(const struct gdoi_identity *id, uint8_t data[static 4],
			   struct wire_id *out);

/* Pre-shared key of a peer: copy to key, return its length, negative when none. */
typedef int (*gdoi_psk_fn)(void *arg, const struct ike1_peer *peer,
			   uint8_t key[static IKE1_PSK_MAX]);

#endif
