/*
 * Control-socket protocol between gvpn (client) and gvpnd (server).
 *
 * A stream of frames over a UNIX stream socket. Every frame starts with a
 * 12-byte header; integers are big-endian:
 *
 *   0  4  magic "GVPC"
 *   4  1  version (CTL_PROTO_VERSION)
 *   5  1  type: 1 request, 2 response
 *   6  2  flags (CTL_REQ_* or CTL_RESP_*); unknown bits are an error
 *   8  4  body length
 *
 * Request body:  u32 id | u16 command length | command (no NUL bytes)
 * Response body: u32 id | u16 status | u32 output length | output
 *                | u16 pair count | pairs: u8 token length, token,
 *                  u16 help length, help (no NUL bytes in either)
 *
 * The id ties a response to its request. A long output may be sent as
 * several responses with the same id, all but the last flagged
 * CTL_RESP_MORE. Help (`?`) and completion (Tab) answers carry the
 * candidate tokens with their help strings as pairs.
 *
 * Sizes are bounded (CTL_MAX_*) on both sides. A server that reads a frame
 * of another version answers CTL_ST_VERSION in version-1 framing and closes
 * the connection. Decoders read only through util/buf.h cursors, borrow
 * their strings from the frame (not NUL-terminated) and reject trailing
 * bytes.
 */
#ifndef GVPN_CTL_PROTO_H
#define GVPN_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct dbuf;

enum {
	CTL_PROTO_VERSION = 1,
	CTL_HDR_LEN = 12,
	CTL_MAX_CMD = 4096,
	CTL_MAX_OUTPUT = 64 * 1024 * 1024, /* a 10 MB log buffer fits, with room */
	CTL_MAX_PAIRS = 4096,
	CTL_MAX_TOKEN = 255,
	CTL_MAX_HELP = 1024,
};

enum ctl_frame_type {
	CTL_T_REQUEST = 1,
	CTL_T_RESPONSE = 2,
};

/* Request flags. */
enum {
	CTL_REQ_JSON = 1 << 0,	    /* --json: render show output as JSON */
	CTL_REQ_HELP = 1 << 1,	    /* `?`: list what may follow the command line */
	CTL_REQ_COMPLETE = 1 << 2,  /* Tab: complete the last token */
	CTL_REQ_TIMESTAMP = 1 << 3, /* terminal exec prompt timestamp: Time source line first */
	CTL_REQ_ALL = (1 << 4) - 1,
};

/* Response flags. */
enum {
	CTL_RESP_MORE = 1 << 0, /* more responses with this id follow */
	CTL_RESP_JSON = 1 << 1, /* the output is JSON */
	CTL_RESP_ALL = (1 << 2) - 1,
};

/* Response status. The output holds the IOS-style message for errors. */
enum ctl_status {
	CTL_ST_OK = 0,
	CTL_ST_SYNTAX = 1,     /* % Invalid input detected */
	CTL_ST_INCOMPLETE = 2, /* % Incomplete command. */
	CTL_ST_AMBIGUOUS = 3,  /* % Ambiguous command */
	CTL_ST_FAILED = 4,     /* the command ran and failed */
	CTL_ST_DENIED = 5,     /* not allowed for this client */
	CTL_ST_BUSY = 6,       /* try again */
	CTL_ST_VERSION = 7,    /* unsupported protocol version */
	CTL_ST_TOO_BIG = 8,    /* request over a limit */
	CTL_ST_MALFORMED = 9,  /* request could not be decoded */
};

/* "OK", "SYNTAX", ...; "UNKNOWN" for other values (which decoders accept). */
const char *ctl_status_name(unsigned status);

struct ctl_request {
	uint32_t id;
	uint16_t flags;
	const char *cmd; /* decode: points into the frame */
	size_t cmd_len;
};

struct ctl_pair {
	const char *token;
	size_t token_len;
	const char *help;
	size_t help_len;
};

struct ctl_response {
	uint32_t id;
	uint16_t flags;
	uint16_t status;
	const char *out; /* decode: points into the frame */
	size_t out_len;
	size_t npairs;
	/* encode: the pairs; decode: NULL, read them with ctl_proto_next_pair */
	const struct ctl_pair *pairs;
	struct buf_cursor pair_cur; /* decode only: the validated pairs not read yet */
	size_t pairs_left;	    /* decode only */
};

/* What a decoder found wrong; optional out parameter. */
struct ctl_proto_error {
	const char *field; /* "magic", "version", "command length", ... */
	size_t offset;	   /* of the field in the frame */
	uint64_t expected; /* limit or expected value */
	uint64_t actual;
};

/*
 * Append one frame to out. 0, ERR_LIMIT (a size over CTL_MAX_*), ERR_INVAL
 * (unknown flag, NUL byte in a command/token/help) or ERR_NOMEM; out is
 * unchanged on error.
 */
int ctl_proto_encode_request(struct dbuf *out, const struct ctl_request *req);
int ctl_proto_encode_response(struct dbuf *out, const struct ctl_response *resp);

/*
 * Size of the frame starting at p, from its header, for reading a stream:
 * 0 and *frame_len (read until that many bytes are there), ERR_TRUNCATED
 * (fewer than CTL_HDR_LEN bytes yet), ERR_PROTO (bad magic or type),
 * ERR_UNSUPP (other version) or ERR_LIMIT (body larger than any valid one).
 */
int ctl_proto_frame_len(const uint8_t *p, size_t len, size_t *frame_len,
			struct ctl_proto_error *err);

/*
 * Decode exactly one frame of len bytes. 0, ERR_TRUNCATED, ERR_TRAILING,
 * ERR_PROTO (bad magic, wrong type, unknown flags), ERR_UNSUPP (version),
 * ERR_LIMIT (a size over CTL_MAX_*) or ERR_INVAL (NUL byte in a string).
 * err (may be NULL) names the field.
 */
int ctl_proto_decode_request(const uint8_t *p, size_t len, struct ctl_request *req,
			     struct ctl_proto_error *err);
int ctl_proto_decode_response(const uint8_t *p, size_t len, struct ctl_response *resp,
			      struct ctl_proto_error *err);

/* Next pair of a decoded response: true and *pair, or false at the end. */
bool ctl_proto_next_pair(struct ctl_response *resp, struct ctl_pair *pair);

#endif
