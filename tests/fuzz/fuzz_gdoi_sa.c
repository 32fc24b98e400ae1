/*
 * GDOI SA payload body (DOI, situation, nested SA KEK / GAP / SA TEK chain)
 * in the RFC 6407 layout, the gdoid layout and AUTO; the input is also fed
 * to the stand-alone SA KEK, SA TEK and GAP decoders.
 */
#include "fuzz_wire.h"
#include "wire/gdoi.h"
#include "wire/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = {WIRE_PL_SA, WIRE_PL_SAK, WIRE_PL_SAT, WIRE_PL_GAP};
	if (size > WIRE_PAYLOAD_MAX - WIRE_GEN_HDR_LEN)
		return 0;
	for (size_t i = 0; i < sizeof(types); i++) {
		struct wire_payload pl = {.type = types[i], .body = data, .len = size, .off = 28};
		fz_payload(&pl, WIRE_EXCH_GROUPKEY_PULL);
	}
	return 0;
}
