/* Hex encoding, decoding and dumps for logs, show output and test vectors. */
#ifndef GVPN_UTIL_HEX_H
#define GVPN_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "util/dbuf.h"

/*
 * Write 2*n lower-case hex digits and a NUL into out (capacity cap).
 * Returns the number of digits or ERR_NOSPACE.
 */
int hex_encode(const void *p, size_t n, char *out, size_t cap);
/* Same, upper case (IOS prints SPIs that way). */
int hex_encode_upper(const void *p, size_t n, char *out, size_t cap);
/*
 * Decode hex digits into out; whitespace and ':' between byte pairs are
 * skipped. Returns the byte count, ERR_INVAL on a bad digit or odd count,
 * ERR_NOSPACE when out is too small.
 */
int hex_decode(const char *s, uint8_t *out, size_t cap);
/* Append a classic dump: "0000: 01 02 ... |ascii|" lines, 16 bytes a line. */
int hex_dump(struct dbuf *d, const void *p, size_t n, const char *indent);

#endif
