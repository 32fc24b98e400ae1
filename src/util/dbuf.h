/*
 * Growable byte buffer for control-plane work (building show output, state
 * files, log records). Never used on the per-packet path. A buffer marked
 * secret is wiped before its memory is released or moved.
 */
#ifndef GVPN_UTIL_DBUF_H
#define GVPN_UTIL_DBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool secret; /* wipe on free and on reallocation */
};

#define DBUF_INIT {0}

/* Make room for n more bytes. 0 or ERR_NOMEM. */
int dbuf_reserve(struct dbuf *d, size_t n);
int dbuf_append(struct dbuf *d, const void *p, size_t n);
int dbuf_putc(struct dbuf *d, char ch);
/* Append formatted text; the buffer stays NUL-terminated (len excludes it). */
int dbuf_printf(struct dbuf *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dbuf_vprintf(struct dbuf *d, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* NUL-terminated view of the contents ("" when empty). */
const char *dbuf_str(struct dbuf *d);
void dbuf_reset(struct dbuf *d); /* len = 0, memory kept (wiped if secret) */
void dbuf_free(struct dbuf *d);

#endif
