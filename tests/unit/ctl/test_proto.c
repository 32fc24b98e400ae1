/* ctl/proto: control-socket frames round-trip; truncated, oversized and malformed ones are refused.
 */
#include "test.h"

#include <stdlib.h>

#include "ctl/proto.h"
#include "util/dbuf.h"
#include "util/err.h"

static struct ctl_request req_of(const char *cmd, uint16_t flags)
{
	return (struct ctl_request){
	    .id = 0x01020304, .flags = flags, .cmd = cmd, .cmd_len = strlen(cmd)};
}

static const struct ctl_pair help_pairs[] = {
    {"all-features", 12, "All features in GDOI", 20},
    {"condition", 9, "GDOI Conditional Debugging", 26},
    {"gm", 2, "Group Member", 12},
    {"ks", 2, "Key Server", 10},
};

static struct ctl_response resp_of(const char *out, const struct ctl_pair *pairs, size_t n)
{
	return (struct ctl_response){.id = 7,
				     .flags = CTL_RESP_JSON,
				     .status = CTL_ST_OK,
				     .out = out,
				     .out_len = strlen(out),
				     .pairs = pairs,
				     .npairs = n};
}

/* The wire format is an interface between two programs: pin it. */
static void test_request_bytes(void **state)
{
	(void)state;
	struct dbuf out = DBUF_INIT;
	struct ctl_request req = req_of("show", CTL_REQ_JSON | CTL_REQ_TIMESTAMP);
	assert_int_equal(ctl_proto_encode_request(&out, &req), 0);
	static const uint8_t want[] = {'G', 'V', 'P', 'C', 1, 1, 0, 0x09, 0,   0,   0,
				       10,  1,	 2,   3,   4, 0, 4, 's',  'h', 'o', 'w'};
	assert_int_equal(out.len, sizeof(want));
	assert_memory_equal(out.p, want, sizeof(want));
	dbuf_free(&out);
}

static void test_request_round_trip(void **state)
{
	(void)state;
	static const char *const cmds[] = {"", "show crypto gdoi ks members", "debug cry gdoi ?"};
	for (size_t i = 0; i < 3; i++) {
		for (uint16_t flags = 0; flags <= CTL_REQ_ALL; flags++) {
			struct dbuf out = DBUF_INIT;
			struct ctl_request req = req_of(cmds[i], flags), got;
			assert_int_equal(ctl_proto_encode_request(&out, &req), 0);
			size_t flen = 0;
			assert_int_equal(ctl_proto_frame_len(out.p, out.len, &flen, NULL), 0);
			assert_int_equal(flen, out.len);
			assert_int_equal(ctl_proto_decode_request(out.p, out.len, &got, NULL), 0);
			assert_int_equal(got.id, req.id);
			assert_int_equal(got.flags, flags);
			assert_int_equal(got.cmd_len, req.cmd_len);
			assert_memory_equal(got.cmd, req.cmd, req.cmd_len);
			dbuf_free(&out);
		}
	}
}

static void test_response_round_trip(void **state)
{
	(void)state;
	struct dbuf out = DBUF_INIT;
	struct ctl_response resp = resp_of("{}\n", help_pairs, 4), got;
	resp.flags |= CTL_RESP_MORE;
	resp.status = CTL_ST_INCOMPLETE;
	assert_int_equal(ctl_proto_encode_response(&out, &resp), 0);
	assert_int_equal(ctl_proto_decode_response(out.p, out.len, &got, NULL), 0);
	assert_int_equal(got.id, 7);
	assert_int_equal(got.flags, CTL_RESP_JSON | CTL_RESP_MORE);
	assert_int_equal(got.status, CTL_ST_INCOMPLETE);
	assert_int_equal(got.out_len, 3);
	assert_memory_equal(got.out, "{}\n", 3);
	assert_int_equal(got.npairs, 4);
	struct ctl_pair p;
	for (size_t i = 0; i < 4; i++) {
		assert_true(ctl_proto_next_pair(&got, &p));
		assert_int_equal(p.token_len, help_pairs[i].token_len);
		assert_memory_equal(p.token, help_pairs[i].token, p.token_len);
		assert_int_equal(p.help_len, help_pairs[i].help_len);
		assert_memory_equal(p.help, help_pairs[i].help, p.help_len);
	}
	assert_false(ctl_proto_next_pair(&got, &p));
	assert_int_equal(got.npairs, 4);
	dbuf_free(&out);

	/* Empty output, no pairs; output may hold any byte. */
	resp = resp_of("", NULL, 0);
	assert_int_equal(ctl_proto_encode_response(&out, &resp), 0);
	assert_int_equal(ctl_proto_decode_response(out.p, out.len, &got, NULL), 0);
	assert_int_equal(got.out_len, 0);
	assert_false(ctl_proto_next_pair(&got, &p));
	dbuf_free(&out);
	resp.out = "a\0b";
	resp.out_len = 3;
	assert_int_equal(ctl_proto_encode_response(&out, &resp), 0);
	assert_int_equal(ctl_proto_decode_response(out.p, out.len, &got, NULL), 0);
	assert_memory_equal(got.out, "a\0b", 3);
	dbuf_free(&out);
}

/* Every proper prefix of a valid frame is refused as truncated, nothing more is read. */
static void test_every_truncation_is_refused(void **state)
{
	(void)state;
	struct dbuf req = DBUF_INIT, resp = DBUF_INIT;
	struct ctl_request rq = req_of("show crypto gdoi", CTL_REQ_HELP);
	struct ctl_response rs = resp_of("text", help_pairs, 4);
	assert_int_equal(ctl_proto_encode_request(&req, &rq), 0);
	assert_int_equal(ctl_proto_encode_response(&resp, &rs), 0);
	for (size_t n = 0; n < req.len; n++) {
		uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
		memcpy(copy, req.p, n);
		struct ctl_request got;
		assert_int_equal(ctl_proto_decode_request(copy, n, &got, NULL), ERR_TRUNCATED);
		size_t flen;
		assert_int_equal(ctl_proto_frame_len(copy, n, &flen, NULL),
				 n < CTL_HDR_LEN ? ERR_TRUNCATED : 0);
		free(copy);
	}
	for (size_t n = 0; n < resp.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, resp.p, n);
		struct ctl_response got;
		assert_int_equal(ctl_proto_decode_response(copy, n, &got, NULL), ERR_TRUNCATED);
		free(copy);
	}
	dbuf_free(&req);
	dbuf_free(&resp);
}

static void test_malformed_frames(void **state)
{
	(void)state;
	struct dbuf out = DBUF_INIT;
	struct ctl_request rq = req_of("show", 0), got;
	struct ctl_proto_error err;
	assert_int_equal(ctl_proto_encode_request(&out, &rq), 0);
	uint8_t f[64];
	size_t n = out.len;
	size_t flen;

#define MUTATE(off, val, rc, name)                                                                 \
	do {                                                                                       \
		memcpy(f, out.p, n);                                                               \
		f[off] = (val);                                                                    \
		assert_int_equal(ctl_proto_decode_request(f, n, &got, &err), rc);                  \
		assert_string_equal(err.field, name);                                              \
	} while (0)

	MUTATE(0, 'X', ERR_PROTO, "magic");
	MUTATE(4, 2, ERR_UNSUPP, "version");
	assert_int_equal(err.expected, 1);
	assert_int_equal(err.actual, 2);
	assert_int_equal(ctl_proto_frame_len(f, n, &flen, NULL), ERR_UNSUPP);
	MUTATE(5, CTL_T_RESPONSE, ERR_PROTO, "type");
	MUTATE(7, 0x10, ERR_PROTO, "flags");
	MUTATE(9, 0x10, ERR_LIMIT, "body length"); /* 1 MiB: no request is that big */
	assert_int_equal(ctl_proto_frame_len(f, n, &flen, NULL), ERR_LIMIT);
	MUTATE(11, 11, ERR_TRUNCATED, "body");	 /* says one byte more than there is */
	MUTATE(17, 5, ERR_TRUNCATED, "command"); /* command longer than the body */
	MUTATE(17, 3, ERR_TRAILING, "request body");
	MUTATE(19, 0, ERR_INVAL, "command");	/* NUL byte */
	MUTATE(16, 0x10, ERR_LIMIT, "command"); /* 4096 + 4 > CTL_MAX_CMD */
	assert_int_equal(err.offset, 16);
#undef MUTATE

	/* A byte after the frame. */
	memcpy(f, out.p, n);
	f[n] = 0;
	assert_int_equal(ctl_proto_decode_request(f, n + 1, &got, &err), ERR_TRAILING);
	/* A response is not a request and vice versa. */
	struct ctl_response resp;
	assert_int_equal(ctl_proto_decode_response(out.p, out.len, &resp, NULL), ERR_PROTO);
	dbuf_free(&out);
}

static void test_response_limits_on_decode(void **state)
{
	(void)state;
	struct dbuf out = DBUF_INIT;
	struct ctl_response rs = resp_of("", help_pairs, 1), got;
	struct ctl_proto_error err;
	assert_int_equal(ctl_proto_encode_response(&out, &rs), 0);
	/* body: id(4) status(2) outlen(4)=0 npairs(2) token... */
	uint8_t f[128];
	memcpy(f, out.p, out.len);
	f[12 + 10] = 0x10; /* pair count 4097 */
	f[12 + 11] = 0x01;
	assert_int_equal(ctl_proto_decode_response(f, out.len, &got, &err), ERR_LIMIT);
	assert_string_equal(err.field, "pair count");
	memcpy(f, out.p, out.len);
	f[12 + 6] = 0x10; /* output length 256 MiB */
	assert_int_equal(ctl_proto_decode_response(f, out.len, &got, &err), ERR_LIMIT);
	assert_string_equal(err.field, "output length");
	memcpy(f, out.p, out.len);
	f[12 + 12 + 1] = 0; /* NUL in the token */
	assert_int_equal(ctl_proto_decode_response(f, out.len, &got, &err), ERR_INVAL);
	assert_string_equal(err.field, "pair token");
	memcpy(f, out.p, out.len);
	f[12 + 12] = 255; /* token longer than the rest of the frame */
	assert_int_equal(ctl_proto_decode_response(f, out.len, &got, &err), ERR_TRUNCATED);
	dbuf_free(&out);
}

static void test_encoder_limits_leave_output_unchanged(void **state)
{
	(void)state;
	struct dbuf out = DBUF_INIT;
	assert_int_equal(dbuf_append(&out, "x", 1), 0);
	char *big = malloc(CTL_MAX_CMD + 2);
	memset(big, 'a', CTL_MAX_CMD + 1);
	big[CTL_MAX_CMD + 1] = '\0';
	struct ctl_request rq = req_of(big, 0);
	assert_int_equal(ctl_proto_encode_request(&out, &rq), ERR_LIMIT);
	rq.cmd_len = CTL_MAX_CMD;
	assert_int_equal(ctl_proto_encode_request(&out, &rq), 0);
	assert_int_equal(out.len, 1 + CTL_HDR_LEN + 6 + CTL_MAX_CMD);
	out.len = 1;
	rq = req_of("sh\0w", 0);
	rq.cmd_len = 4;
	assert_int_equal(ctl_proto_encode_request(&out, &rq), ERR_INVAL);
	rq = req_of("show", 0x100);
	assert_int_equal(ctl_proto_encode_request(&out, &rq), ERR_INVAL);

	struct ctl_pair p = {big, CTL_MAX_TOKEN + 1, "h", 1};
	struct ctl_response rs = resp_of("", &p, 1);
	assert_int_equal(ctl_proto_encode_response(&out, &rs), ERR_LIMIT);
	p.token_len = CTL_MAX_TOKEN;
	p.help = big;
	p.help_len = CTL_MAX_HELP + 1;
	assert_int_equal(ctl_proto_encode_response(&out, &rs), ERR_LIMIT);
	p.help_len = CTL_MAX_HELP;
	assert_int_equal(ctl_proto_encode_response(&out, &rs), 0);
	out.len = 1;
	rs.npairs = CTL_MAX_PAIRS + 1;
	assert_int_equal(ctl_proto_encode_response(&out, &rs), ERR_LIMIT);
	rs = resp_of("", NULL, 0);
	rs.flags = 0x80;
	assert_int_equal(ctl_proto_encode_response(&out, &rs), ERR_INVAL);
	assert_int_equal(out.len, 1);
	assert_int_equal(out.p[0], 'x');
	free(big);
	dbuf_free(&out);
}

/* Frames arrive back to back on the stream; frame_len splits them. */
static void test_stream_of_frames(void **state)
{
	(void)state;
	struct dbuf s = DBUF_INIT;
	struct ctl_response a = resp_of("part one\n", NULL, 0), b = resp_of("part two\n", NULL, 0);
	a.flags |= CTL_RESP_MORE;
	assert_int_equal(ctl_proto_encode_response(&s, &a), 0);
	assert_int_equal(ctl_proto_encode_response(&s, &b), 0);
	struct ctl_request r = req_of("show logging", 0);
	assert_int_equal(ctl_proto_encode_request(&s, &r), 0);

	size_t off = 0, flen, frames = 0;
	struct dbuf text = DBUF_INIT;
	while (off < s.len) {
		assert_int_equal(ctl_proto_frame_len(s.p + off, s.len - off, &flen, NULL), 0);
		if (s.p[off + 5] == CTL_T_RESPONSE) {
			struct ctl_response got;
			assert_int_equal(ctl_proto_decode_response(s.p + off, flen, &got, NULL), 0);
			assert_int_equal(dbuf_append(&text, got.out, got.out_len), 0);
		} else {
			struct ctl_request got;
			assert_int_equal(ctl_proto_decode_request(s.p + off, flen, &got, NULL), 0);
		}
		off += flen;
		frames++;
	}
	assert_int_equal(frames, 3);
	assert_string_equal(dbuf_str(&text), "part one\npart two\n");
	dbuf_free(&text);
	dbuf_free(&s);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(ctl_status_name(CTL_ST_OK), "OK");
	assert_string_equal(ctl_status_name(CTL_ST_AMBIGUOUS), "AMBIGUOUS");
	assert_string_equal(ctl_status_name(CTL_ST_MALFORMED), "MALFORMED");
	assert_string_equal(ctl_status_name(999), "UNKNOWN");
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_request_bytes),
		TEST(test_request_round_trip),
		TEST(test_response_round_trip),
		TEST(test_every_truncation_is_refused),
		TEST(test_malformed_frames),
		TEST(test_response_limits_on_decode),
		TEST(test_encoder_limits_leave_output_unchanged),
		TEST(test_stream_of_frames),
		TEST(test_status_names),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
