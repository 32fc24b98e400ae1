#include "util/dbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

int dbuf_reserve(struct dbuf *d, size_t n)
{
	if (d->cap - d->len > n)
		return 0;
	size_t want = d->cap ? d->cap : 64;
	while (want - d->len <= n) {
		if (want > SIZE_MAX / 2)
			return ERR_NOMEM;
		want *= 2;
	}
	uint8_t *np;
	if (d->secret) {
		/* realloc may leave a copy behind: move by hand and wipe. */
		np = malloc(want);
		if (!np)
			return ERR_NOMEM;
		if (d->len)
			memcpy(np, d->p, d->len);
		if (d->p)
			mem_wipe(d->p, d->cap);
		free(d->p);
	} else {
		np = realloc(d->p, want);
		if (!np)
			return ERR_NOMEM;
	}
	d->p = np;
	d->cap = want;
	return 0;
}

int dbuf_append(struct dbuf *d, const void *p, size_t n)
{
	int rc = dbuf_reserve(d, n);
	if (rc)
		return rc;
	if (n)
		memcpy(d->p + d->len, p, n);
	d->len += n;
	d->p[d->len] = 0;
	return 0;
}

int dbuf_putc(struct dbuf *d, char ch)
{
	return dbuf_append(d, &ch, 1);
}

int dbuf_vprintf(struct dbuf *d, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return ERR_INVAL;
	int rc = dbuf_reserve(d, (size_t)n + 1);
	if (rc)
		return rc;
	vsnprintf((char *)d->p + d->len, (size_t)n + 1, fmt, ap);
	d->len += (size_t)n;
	return 0;
}

int dbuf_printf(struct dbuf *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = dbuf_vprintf(d, fmt, ap);
	va_end(ap);
	return rc;
}

const char *dbuf_str(struct dbuf *d)
{
	if (!d->p)
		return "";
	return (const char *)d->p;
}

void dbuf_reset(struct dbuf *d)
{
	if (d->secret && d->p)
		mem_wipe(d->p, d->cap);
	d->len = 0;
	if (d->p)
		d->p[0] = 0;
}

void dbuf_free(struct dbuf *d)
{
	if (d->secret && d->p)
		mem_wipe(d->p, d->cap);
	free(d->p);
	d->p = NULL;
	d->len = d->cap = 0;
}
