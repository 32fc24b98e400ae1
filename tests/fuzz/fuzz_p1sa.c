/*
 * Phase 1 SA payload body (proposals, transforms, attributes); the same
 * bytes also go through the other generic body decoders (ID, N, D, CERT,
 * CR, NONCE) since they share no state.
 */
#include "fuzz_wire.h"
#include "wire/names.h"
#include "wire/p1sa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = {WIRE_PL_SA, WIRE_PL_ID, WIRE_PL_N,    WIRE_PL_D,
					WIRE_PL_CERT, WIRE_PL_CR, WIRE_PL_NONCE};
	if (size > WIRE_PAYLOAD_MAX - WIRE_GEN_HDR_LEN)
		return 0;
	for (size_t i = 0; i < sizeof(types); i++) {
		struct wire_payload pl = {.type = types[i], .body = data, .len = size, .off = 28};
		fz_payload(&pl, WIRE_EXCH_IDPROT);
	}
	return 0;
}
