#include "util/hex.h"

#include <ctype.h>

#include "util/err.h"

static int encode(const void *p, size_t n, char *out, size_t cap, const char *digits)
{
	const uint8_t *b = p;
	if (cap < 2 * n + 1)
		return ERR_NOSPACE;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
	return (int)(2 * n);
}

int hex_encode(const void *p, size_t n, char *out, size_t cap)
{
	return encode(p, n, out, cap, "0123456789abcdef");
}

int hex_encode_upper(const void *p, size_t n, char *out, size_t cap)
{
	return encode(p, n, out, cap, "0123456789ABCDEF");
}

static int nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ':') {
			if (hi >= 0)
				return ERR_INVAL;
			continue;
		}
		int v = nibble(*s);
		if (v < 0)
			return ERR_INVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return ERR_NOSPACE;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return ERR_INVAL;
	return (int)n;
}

int hex_dump(struct dbuf *d, const void *p, size_t n, const char *indent)
{
	const uint8_t *b = p;
	int rc = 0;
	for (size_t off = 0; off < n && rc == 0; off += 16) {
		rc = dbuf_printf(d, "%s%04zx:", indent ? indent : "", off);
		for (size_t i = 0; i < 16 && rc == 0; i++) {
			if (off + i < n)
				rc = dbuf_printf(d, " %02x", b[off + i]);
			else
				rc = dbuf_printf(d, "   ");
		}
		if (rc == 0)
			rc = dbuf_printf(d, "  |");
		for (size_t i = 0; i < 16 && off + i < n && rc == 0; i++) {
			uint8_t ch = b[off + i];
			rc = dbuf_putc(d, (char)(ch >= 0x20 && ch < 0x7f ? ch : '.'));
		}
		if (rc == 0)
			rc = dbuf_printf(d, "|\n");
	}
	return rc;
}
