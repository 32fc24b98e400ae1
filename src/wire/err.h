/*
 * Decode errors of the wire layer.
 *
 * Every decoder fills a struct wire_err when it rejects input: which payload,
 * which field, the absolute offset of that field in the message, what was
 * found versus what was expected, and the ISAKMP notify type an engine should
 * answer with (if it answers at all: that is the engine's rate-limited
 * decision). wire_err_format() turns it into one line such as
 *   "SA TEK: SRC ID Data Len at offset 112: 300 exceeds the 24 bytes left (PAYLOAD-MALFORMED)".
 * Decoders accept err == NULL when the caller only wants the return code.
 */
#ifndef GVPN_WIRE_ERR_H
#define GVPN_WIRE_ERR_H

#include <stddef.h>
#include <stdint.h>

/* What went wrong; selects the wording and the ERR_* code. */
enum wire_err_kind {
	WIRE_ERR_NONE = 0,
	WIRE_ERR_TRUNCATED,    /* field needs `expected` bytes, `actual` left      (ERR_TRUNCATED) */
	WIRE_ERR_EXCEEDS,      /* declared length `actual` > `expected` bytes left (ERR_BADLEN) */
	WIRE_ERR_TOO_SHORT,    /* declared length `actual` < minimum `expected`    (ERR_BADLEN) */
	WIRE_ERR_BAD_SIZE,     /* size `actual`, the format requires `expected`    (ERR_BADLEN) */
	WIRE_ERR_VALUE,        /* value `actual` not allowed; `expect_text` says   (ERR_INVAL) */
	WIRE_ERR_MISMATCH,     /* `actual` found where `expected` was declared     (ERR_PROTO) */
	WIRE_ERR_TRAILING,     /* `actual` bytes after the last field              (ERR_TRAILING) */
	WIRE_ERR_LIMIT,        /* item number `actual` exceeds gvpn's limit `expected` (ERR_LIMIT) */
	WIRE_ERR_UNKNOWN_TYPE, /* payload type `actual` is not known               (ERR_INVAL) */
	WIRE_ERR_DUPLICATE,    /* a second `field` where at most `expected` may be (ERR_PROTO) */
};

struct wire_err {
	int code;                /* negative ERR_* (0 when clear) */
	uint16_t notify;         /* enum wire_notify_type to answer with */
	enum wire_err_kind kind;
	const char *payload;     /* "SA TEK", "ISAKMP header", ... (static) */
	const char *field;       /* "SRC ID Data Len", ... (static) */
	size_t offset;           /* absolute offset of the field in the message */
	uint64_t actual;
	uint64_t expected;
	const char *expect_text; /* WIRE_ERR_VALUE: what is allowed, e.g. "0x10" (static) */
};

void wire_err_clear(struct wire_err *e);

/*
 * Record an error (e may be NULL) and return its negative ERR_* code, so a
 * decoder can write `return wire_err_set(...)`. The code follows the kind.
 */
int wire_err_set(struct wire_err *e, enum wire_err_kind kind, uint16_t notify,
		 const char *payload, const char *field, size_t offset, uint64_t actual,
		 uint64_t expected);
/* WIRE_ERR_VALUE with a text of the allowed values. */
int wire_err_value(struct wire_err *e, uint16_t notify, const char *payload, const char *field,
		   size_t offset, uint64_t actual, const char *expect_text);

/*
 * Write the one-line description into out (always NUL-terminated when cap >
 * 0). Returns the length the full text needs, like snprintf.
 */
int wire_err_format(const struct wire_err *e, char *out, size_t cap);

#endif
