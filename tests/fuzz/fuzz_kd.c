/* Key Download payload body: key packets and their attributes; SEQ on the same bytes. */
#include "fuzz_wire.h"
#include "wire/kd.h"
#include "wire/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_kd kd;
	if (size > WIRE_PAYLOAD_MAX - WIRE_GEN_HDR_LEN)
		return 0;
	struct wire_payload pl = {.type = WIRE_PL_KD, .body = data, .len = size, .off = 28};
	fz_payload(&pl, WIRE_EXCH_GROUPKEY_PUSH);
	if (wire_kd_decode(&pl, &kd, NULL) == 0 && kd.n_packets > 0) {
		const struct wire_kd_packet *p = &kd.pk[kd.n_packets - 1];
		const struct wire_kd_packet *q = wire_kd_find(&kd, p->type, p->spi, p->spi_size);
		fz_require(q != NULL && q <= p);
	}
	pl.type = WIRE_PL_SEQ;
	fz_payload(&pl, WIRE_EXCH_GROUPKEY_PUSH);
	return 0;
}
