/*
 * libFuzzer target for the control-socket protocol (ctl/proto).
 *
 * Any input must decode without crashing or reading past its end, and
 * whatever decodes must re-encode to exactly the same bytes (the encoding
 * is canonical), so decoder and encoder agree on every field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/proto.h"
#include "util/dbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_bytes(const struct dbuf *out, const uint8_t *data, size_t size)
{
	if (out->len != size || memcmp(out->p, data, size))
		abort();
}

static void request(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	if (ctl_proto_decode_request(data, size, &req, NULL))
		return;
	struct dbuf out = DBUF_INIT;
	if (ctl_proto_encode_request(&out, &req))
		abort();
	same_bytes(&out, data, size);
	dbuf_free(&out);
}

static void response(const uint8_t *data, size_t size)
{
	struct ctl_response resp;
	if (ctl_proto_decode_response(data, size, &resp, NULL))
		return;
	struct ctl_pair *pairs = calloc(resp.npairs ? resp.npairs : 1, sizeof(*pairs));
	if (!pairs)
		return;
	size_t n = 0;
	while (ctl_proto_next_pair(&resp, &pairs[n]))
		n++;
	if (n != resp.npairs)
		abort();
	resp.pairs = pairs;
	struct dbuf out = DBUF_INIT;
	if (ctl_proto_encode_response(&out, &resp))
		abort();
	same_bytes(&out, data, size);
	dbuf_free(&out);
	free(pairs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t flen;
	if (!ctl_proto_frame_len(data, size, &flen, NULL) && flen < 12)
		abort();
	request(data, size);
	response(data, size);
	return 0;
}
