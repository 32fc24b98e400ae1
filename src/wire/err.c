#include "wire/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "wire/names.h"

void wire_err_clear(struct wire_err *e)
{
	memset(e, 0, sizeof(*e));
}

static int kind_code(enum wire_err_kind kind)
{
	switch (kind) {
	case WIRE_ERR_TRUNCATED:
		return ERR_TRUNCATED;
	case WIRE_ERR_EXCEEDS:
	case WIRE_ERR_TOO_SHORT:
	case WIRE_ERR_BAD_SIZE:
		return ERR_BADLEN;
	case WIRE_ERR_MISMATCH:
	case WIRE_ERR_DUPLICATE:
		return ERR_PROTO;
	case WIRE_ERR_TRAILING:
		return ERR_TRAILING;
	case WIRE_ERR_LIMIT:
		return ERR_LIMIT;
	case WIRE_ERR_NONE:
	case WIRE_ERR_VALUE:
	case WIRE_ERR_UNKNOWN_TYPE:
	default:
		return ERR_INVAL;
	}
}

int wire_err_set(struct wire_err *e, enum wire_err_kind kind, uint16_t notify,
		 const char *payload, const char *field, size_t offset, uint64_t actual,
		 uint64_t expected)
{
	int code = kind_code(kind);
	if (e) {
		e->code = code;
		e->notify = notify;
		e->kind = kind;
		e->payload = payload;
		e->field = field;
		e->offset = offset;
		e->actual = actual;
		e->expected = expected;
		e->expect_text = NULL;
	}
	return code;
}

int wire_err_value(struct wire_err *e, uint16_t notify, const char *payload, const char *field,
		   size_t offset, uint64_t actual, const char *expect_text)
{
	int code = wire_err_set(e, WIRE_ERR_VALUE, notify, payload, field, offset, actual, 0);
	if (e)
		e->expect_text = expect_text;
	return code;
}

/* The part after "payload: field at offset N: ". */
static int detail(const struct wire_err *e, char *out, size_t cap)
{
	uint64_t a = e->actual, x = e->expected;
	switch (e->kind) {
	case WIRE_ERR_TRUNCATED:
		return snprintf(out, cap, "needs %" PRIu64 " bytes, %" PRIu64 " left", x, a);
	case WIRE_ERR_EXCEEDS:
		return snprintf(out, cap, "%" PRIu64 " exceeds the %" PRIu64 " bytes left", a, x);
	case WIRE_ERR_TOO_SHORT:
		return snprintf(out, cap, "%" PRIu64 " is below the minimum of %" PRIu64, a, x);
	case WIRE_ERR_BAD_SIZE:
		return snprintf(out, cap, "%" PRIu64 " bytes, expected %" PRIu64, a, x);
	case WIRE_ERR_VALUE:
		return snprintf(out, cap, "%" PRIu64 ", expected %s", a,
				e->expect_text ? e->expect_text : "another value");
	case WIRE_ERR_MISMATCH:
		return snprintf(out, cap, "%" PRIu64 " found, %" PRIu64 " declared", a, x);
	case WIRE_ERR_TRAILING:
		return snprintf(out, cap, "%" PRIu64 " bytes left over", a);
	case WIRE_ERR_LIMIT:
		return snprintf(out, cap, "%" PRIu64 " exceeds the limit of %" PRIu64, a, x);
	case WIRE_ERR_UNKNOWN_TYPE:
		return snprintf(out, cap, "unknown payload type %" PRIu64, a);
	case WIRE_ERR_DUPLICATE:
		return snprintf(out, cap, "more than %" PRIu64 " present", x);
	case WIRE_ERR_NONE:
	default:
		return snprintf(out, cap, "no error");
	}
}

int wire_err_format(const struct wire_err *e, char *out, size_t cap)
{
	char d[96];
	detail(e, d, sizeof(d));
	return snprintf(out, cap, "%s: %s at offset %zu: %s (%s)", e->payload ? e->payload : "?",
			e->field ? e->field : "?", e->offset, d, wire_notify_name(e->notify));
}
