/*
 * ISAKMP messages: header, payload chain and every body decoder on each
 * payload found (SA as phase 1 or GDOI by exchange type, in every layout).
 * The Length field is set to the input size first so that mutations which
 * change the size still reach the chain; the original input is tried too.
 */
#include <string.h>

#include "fuzz_wire.h"
#include "wire/build.h"
#include "wire/isakmp.h"

static void one(const uint8_t *data, size_t size)
{
	static struct wire_msg m;
	static uint8_t out[1 << 17];
	struct wire_err e;
	if (wire_msg_decode(data, size, &m, &e) < 0) {
		char text[256];
		fz_require(e.code < 0);
		(void)wire_err_format(&e, text, sizeof(text));
		return;
	}
	fz_require(m.n <= WIRE_MSG_MAX_PAYLOADS && m.pad_len <= size);
	for (size_t i = 0; i < m.n; i++)
		fz_payload(&m.pl[i], m.hdr.exch);
	/* The chain rebuilt with raw bodies is the input without its padding. */
	struct wire_builder b;
	wire_build_init(&b, out, sizeof(out), &m.hdr);
	for (size_t i = 0; i < m.n; i++)
		wire_build_raw(&b, m.pl[i].type, m.pl[i].body, m.pl[i].len);
	int len = wire_build_finish(&b);
	fz_require(len >= 0 && (size_t)len == size - m.pad_len);
	/* Same octets except RESERVED, which the decoder ignores and the builder zeroes. */
	for (size_t i = 0; i < m.n; i++)
		out[m.pl[i].off + 1] = data[m.pl[i].off + 1];
	fz_require(memcmp(out + 28, data + 28, (size_t)len - 28) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 17];
	one(data, size);
	if (size >= WIRE_ISAKMP_HDR_LEN && size <= sizeof(copy)) {
		memcpy(copy, data, size);
		buf_store_u32(copy + WIRE_HDR_OFF_LENGTH, (uint32_t)size);
		one(copy, size);
	}
	return 0;
}
