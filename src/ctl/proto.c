#include "ctl/proto.h"

#include <string.h>

#include "util/dbuf.h"
#include "util/err.h"

static const uint8_t magic[4] = {'G', 'V', 'P', 'C'};

/* Largest body any valid frame can have, so a header can be refused early. */
enum {
	MAX_REQ_BODY = 4 + 2 + CTL_MAX_CMD,
	MAX_RESP_BODY =
	    4 + 2 + 4 + CTL_MAX_OUTPUT + 2 + CTL_MAX_PAIRS * (1 + CTL_MAX_TOKEN + 2 + CTL_MAX_HELP),
};

const char *ctl_status_name(unsigned status)
{
	static const char *const names[] = {
	    [CTL_ST_OK] = "OK",
	    [CTL_ST_SYNTAX] = "SYNTAX",
	    [CTL_ST_INCOMPLETE] = "INCOMPLETE",
	    [CTL_ST_AMBIGUOUS] = "AMBIGUOUS",
	    [CTL_ST_FAILED] = "FAILED",
	    [CTL_ST_DENIED] = "DENIED",
	    [CTL_ST_BUSY] = "BUSY",
	    [CTL_ST_VERSION] = "VERSION",
	    [CTL_ST_TOO_BIG] = "TOO_BIG",
	    [CTL_ST_MALFORMED] = "MALFORMED",
	};
	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "UNKNOWN";
}

/* ---- Encoding ---- */

static bool has_nul(const char *s, size_t n)
{
	return n && memchr(s, '\0', n);
}

static void put_header(struct buf_writer *w, enum ctl_frame_type type, uint16_t flags,
		       size_t body_len)
{
	buf_put_bytes(w, magic, sizeof(magic));
	buf_put_u8(w, CTL_PROTO_VERSION);
	buf_put_u8(w, (uint8_t)type);
	buf_put_u16(w, flags);
	buf_put_u32(w, (uint32_t)body_len);
}

/* Reserve room for a frame of body_len in out and point w at it. */
static int start_frame(struct dbuf *out, struct buf_writer *w, size_t body_len)
{
	int rc = dbuf_reserve(out, CTL_HDR_LEN + body_len);
	if (rc)
		return rc;
	buf_w_init(w, out->p + out->len, CTL_HDR_LEN + body_len);
	return 0;
}

/* Commit the frame written through w (its size was computed exactly). */
static int end_frame(struct dbuf *out, const struct buf_writer *w)
{
	int n = buf_w_result(w);
	if (n < 0 || (size_t)n != w->cap)
		return ERR_NOSPACE; /* size computation and writes disagree: a bug */
	out->len += (size_t)n;
	return 0;
}

int ctl_proto_encode_request(struct dbuf *out, const struct ctl_request *req)
{
	if (req->flags & ~CTL_REQ_ALL || has_nul(req->cmd, req->cmd_len))
		return ERR_INVAL;
	if (req->cmd_len > CTL_MAX_CMD)
		return ERR_LIMIT;
	size_t body = 4 + 2 + req->cmd_len;
	struct buf_writer w;
	int rc = start_frame(out, &w, body);
	if (rc)
		return rc;
	put_header(&w, CTL_T_REQUEST, req->flags, body);
	buf_put_u32(&w, req->id);
	buf_put_u16(&w, (uint16_t)req->cmd_len);
	buf_put_bytes(&w, req->cmd, req->cmd_len);
	return end_frame(out, &w);
}

/* Bytes the pairs take, or ERR_LIMIT / ERR_INVAL. */
static long pairs_len(const struct ctl_pair *pairs, size_t n)
{
	if (n > CTL_MAX_PAIRS)
		return ERR_LIMIT;
	long len = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ctl_pair *p = &pairs[i];
		if (p->token_len > CTL_MAX_TOKEN || p->help_len > CTL_MAX_HELP)
			return ERR_LIMIT;
		if (has_nul(p->token, p->token_len) || has_nul(p->help, p->help_len))
			return ERR_INVAL;
		len += (long)(1 + p->token_len + 2 + p->help_len);
	}
	return len;
}

int ctl_proto_encode_response(struct dbuf *out, const struct ctl_response *resp)
{
	if (resp->flags & ~CTL_RESP_ALL)
		return ERR_INVAL;
	if (resp->out_len > CTL_MAX_OUTPUT)
		return ERR_LIMIT;
	long plen = pairs_len(resp->pairs, resp->npairs);
	if (plen < 0)
		return (int)plen;
	size_t body = 4 + 2 + 4 + resp->out_len + 2 + (size_t)plen;
	struct buf_writer w;
	int rc = start_frame(out, &w, body);
	if (rc)
		return rc;
	put_header(&w, CTL_T_RESPONSE, resp->flags, body);
	buf_put_u32(&w, resp->id);
	buf_put_u16(&w, resp->status);
	buf_put_u32(&w, (uint32_t)resp->out_len);
	buf_put_bytes(&w, resp->out, resp->out_len);
	buf_put_u16(&w, (uint16_t)resp->npairs);
	for (size_t i = 0; i < resp->npairs; i++) {
		const struct ctl_pair *p = &resp->pairs[i];
		buf_put_u8(&w, (uint8_t)p->token_len);
		buf_put_bytes(&w, p->token, p->token_len);
		buf_put_u16(&w, (uint16_t)p->help_len);
		buf_put_bytes(&w, p->help, p->help_len);
	}
	return end_frame(out, &w);
}

/* ---- Decoding ---- */

static int bad(struct ctl_proto_error *err, int rc, const char *field, size_t offset,
	       uint64_t expected, uint64_t actual)
{
	if (err)
		*err = (struct ctl_proto_error){
		    .field = field, .offset = offset, .expected = expected, .actual = actual};
	return rc;
}

/* Read and check a header; *body gets a cursor over exactly the body. */
static int read_header(struct buf_cursor *c, enum ctl_frame_type want, uint16_t flag_mask,
		       uint16_t *flags, struct buf_cursor *body, struct ctl_proto_error *err)
{
	uint8_t m[4], version, type;
	uint32_t len;
	if (buf_left(c) < CTL_HDR_LEN)
		return bad(err, ERR_TRUNCATED, "header", 0, CTL_HDR_LEN, buf_left(c));
	buf_get_bytes(c, m, sizeof(m));
	buf_get_u8(c, &version);
	buf_get_u8(c, &type);
	buf_get_u16(c, flags);
	buf_get_u32(c, &len);
	if (memcmp(m, magic, sizeof(m)))
		return bad(err, ERR_PROTO, "magic", 0, buf_load_u32(magic), buf_load_u32(m));
	if (version != CTL_PROTO_VERSION)
		return bad(err, ERR_UNSUPP, "version", 4, CTL_PROTO_VERSION, version);
	if (type != want)
		return bad(err, ERR_PROTO, "type", 5, want, type);
	if (*flags & ~flag_mask)
		return bad(err, ERR_PROTO, "flags", 6, flag_mask, *flags);
	size_t max = want == CTL_T_REQUEST ? MAX_REQ_BODY : MAX_RESP_BODY;
	if (len > max)
		return bad(err, ERR_LIMIT, "body length", 8, max, len);
	if (buf_sub(c, len, body))
		return bad(err, ERR_TRUNCATED, "body", CTL_HDR_LEN, len, buf_left(c));
	if (!buf_empty(c))
		return bad(err, ERR_TRAILING, "frame", buf_offset(c), CTL_HDR_LEN + len,
			   CTL_HDR_LEN + len + buf_left(c));
	return 0;
}

int ctl_proto_frame_len(const uint8_t *p, size_t len, size_t *frame_len,
			struct ctl_proto_error *err)
{
	if (len < CTL_HDR_LEN)
		return bad(err, ERR_TRUNCATED, "header", 0, CTL_HDR_LEN, len);
	if (memcmp(p, magic, sizeof(magic)))
		return bad(err, ERR_PROTO, "magic", 0, buf_load_u32(magic), buf_load_u32(p));
	if (p[4] != CTL_PROTO_VERSION)
		return bad(err, ERR_UNSUPP, "version", 4, CTL_PROTO_VERSION, p[4]);
	size_t max;
	if (p[5] == CTL_T_REQUEST)
		max = MAX_REQ_BODY;
	else if (p[5] == CTL_T_RESPONSE)
		max = MAX_RESP_BODY;
	else
		return bad(err, ERR_PROTO, "type", 5, CTL_T_RESPONSE, p[5]);
	uint32_t body = buf_load_u32(p + 8);
	if (body > max)
		return bad(err, ERR_LIMIT, "body length", 8, max, body);
	*frame_len = CTL_HDR_LEN + (size_t)body;
	return 0;
}

/* A u8/u16-length-prefixed string with a limit and no NUL bytes. */
static int get_string(struct buf_cursor *c, bool wide, size_t max, const char *field,
		      const char **s, size_t *n, struct ctl_proto_error *err)
{
	size_t at = buf_offset(c);
	size_t len;
	if (wide) {
		uint16_t v;
		if (buf_get_u16(c, &v))
			return bad(err, ERR_TRUNCATED, field, at, 2, buf_left(c));
		len = v;
	} else {
		uint8_t v;
		if (buf_get_u8(c, &v))
			return bad(err, ERR_TRUNCATED, field, at, 1, buf_left(c));
		len = v;
	}
	if (len > max)
		return bad(err, ERR_LIMIT, field, at, max, len);
	const uint8_t *ref;
	if (buf_get_ref(c, len, &ref))
		return bad(err, ERR_TRUNCATED, field, at, len, buf_left(c));
	if (has_nul((const char *)ref, len))
		return bad(err, ERR_INVAL, field, at, 0, 0);
	*s = (const char *)ref;
	*n = len;
	return 0;
}

int ctl_proto_decode_request(const uint8_t *p, size_t len, struct ctl_request *req,
			     struct ctl_proto_error *err)
{
	struct buf_cursor c, body;
	buf_init(&c, p, len);
	memset(req, 0, sizeof(*req));
	int rc = read_header(&c, CTL_T_REQUEST, CTL_REQ_ALL, &req->flags, &body, err);
	if (rc)
		return rc;
	if (buf_get_u32(&body, &req->id))
		return bad(err, ERR_TRUNCATED, "id", buf_offset(&body), 4, buf_left(&body));
	rc = get_string(&body, true, CTL_MAX_CMD, "command", &req->cmd, &req->cmd_len, err);
	if (rc)
		return rc;
	if (!buf_empty(&body))
		return bad(err, ERR_TRAILING, "request body", buf_offset(&body), 0,
			   buf_left(&body));
	return 0;
}

/* Check every pair once so that ctl_proto_next_pair() cannot fail. */
static int check_pairs(struct buf_cursor *c, size_t n, struct ctl_proto_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;
		int rc = get_string(c, false, CTL_MAX_TOKEN, "pair token", &s, &len, err);
		if (!rc)
			rc = get_string(c, true, CTL_MAX_HELP, "pair help", &s, &len, err);
		if (rc)
			return rc;
	}
	return 0;
}

int ctl_proto_decode_response(const uint8_t *p, size_t len, struct ctl_response *resp,
			      struct ctl_proto_error *err)
{
	struct buf_cursor c, body;
	buf_init(&c, p, len);
	memset(resp, 0, sizeof(*resp));
	int rc = read_header(&c, CTL_T_RESPONSE, CTL_RESP_ALL, &resp->flags, &body, err);
	if (rc)
		return rc;
	uint32_t out_len;
	uint16_t npairs;
	if (buf_get_u32(&body, &resp->id) || buf_get_u16(&body, &resp->status))
		return bad(err, ERR_TRUNCATED, "id/status", buf_offset(&body), 6, buf_left(&body));
	size_t at = buf_offset(&body);
	if (buf_get_u32(&body, &out_len))
		return bad(err, ERR_TRUNCATED, "output length", at, 4, buf_left(&body));
	if (out_len > CTL_MAX_OUTPUT)
		return bad(err, ERR_LIMIT, "output length", at, CTL_MAX_OUTPUT, out_len);
	const uint8_t *out;
	if (buf_get_ref(&body, out_len, &out))
		return bad(err, ERR_TRUNCATED, "output", at + 4, out_len, buf_left(&body));
	resp->out = (const char *)out;
	resp->out_len = out_len;
	at = buf_offset(&body);
	if (buf_get_u16(&body, &npairs))
		return bad(err, ERR_TRUNCATED, "pair count", at, 2, buf_left(&body));
	if (npairs > CTL_MAX_PAIRS)
		return bad(err, ERR_LIMIT, "pair count", at, CTL_MAX_PAIRS, npairs);
	resp->npairs = npairs;
	resp->pairs_left = npairs;
	resp->pair_cur = body; /* starts at the first pair */
	rc = check_pairs(&body, npairs, err);
	if (rc)
		return rc;
	if (!buf_empty(&body))
		return bad(err, ERR_TRAILING, "response body", buf_offset(&body), 0,
			   buf_left(&body));
	return 0;
}

bool ctl_proto_next_pair(struct ctl_response *resp, struct ctl_pair *pair)
{
	if (!resp->pairs_left)
		return false;
	/* Validated by the decoder: these reads succeed. */
	if (get_string(&resp->pair_cur, false, CTL_MAX_TOKEN, "pair token", &pair->token,
		       &pair->token_len, NULL) ||
	    get_string(&resp->pair_cur, true, CTL_MAX_HELP, "pair help", &pair->help,
		       &pair->help_len, NULL))
		return false;
	resp->pairs_left--;
	return true;
}
