/*
 * JSON renderer of the show result model.
 *
 * Sections with a label become objects, transparent sections and rows merge
 * into the enclosing object, lists and tables become arrays of objects, kvs
 * become members. Text-only nodes (titles, free text, blank lines) are
 * skipped. Keys of one object are checked for duplicates: two values under
 * one key would silently lose one of them in most JSON readers.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/result.h"
#include "ctl/result_impl.h"
#include "util/dbuf.h"
#include "util/err.h"

enum { KEY_MAX = 128 };

struct jctx {
	struct dbuf *out;
	bool pretty;
	int err;
	unsigned depth;
	bool empty;	  /* current container has no element yet */
	struct dbuf keys; /* keys of the open objects, '\0'-separated, one '\1' per object start */
};

static void keep_err(struct jctx *j, int rc)
{
	if (rc && !j->err)
		j->err = rc;
}

static void newline(struct jctx *j)
{
	if (!j->pretty)
		return;
	keep_err(j, dbuf_putc(j->out, '\n'));
	for (unsigned i = 0; i < j->depth; i++)
		keep_err(j, dbuf_append(j->out, "  ", 2));
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_string(struct jctx *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	keep_err(j, dbuf_putc(j->out, '"'));
	while (n) {
		size_t len = utf8_len(p, n);
		if (!len) {
			/* Never emit invalid UTF-8: replace the byte. */
			keep_err(j, dbuf_printf(j->out, "\\ufffd"));
			len = 1;
		} else if (*p == '"' || *p == '\\') {
			keep_err(j, dbuf_printf(j->out, "\\%c", *p));
		} else if (*p == '\n') {
			keep_err(j, dbuf_printf(j->out, "\\n"));
		} else if (*p == '\t') {
			keep_err(j, dbuf_printf(j->out, "\\t"));
		} else if (*p < 0x20 || *p == 0x7f) {
			keep_err(j, dbuf_printf(j->out, "\\u%04x", *p));
		} else {
			keep_err(j, dbuf_append(j->out, p, len));
		}
		p += len;
		n -= len;
	}
	keep_err(j, dbuf_putc(j->out, '"'));
}

static void put_value(struct jctx *j, const struct result_value *v)
{
	switch (v->type) {
	case RV_STR:
		put_string(j, v->s);
		return;
	case RV_SECRET:
		put_string(j, "(hidden)");
		return;
	case RV_BOOL:
		keep_err(j, dbuf_printf(j->out, "%s", v->v.b ? "true" : "false"));
		return;
	case RV_DBL:
		if (!isfinite(v->v.d)) {
			keep_err(j, dbuf_printf(j->out, "null"));
			return;
		}
		keep_err(j, dbuf_printf(j->out, "%.*f", (int)v->aux, v->v.d));
		return;
	case RV_I64:
		keep_err(j, dbuf_printf(j->out, "%" PRId64, v->v.i));
		return;
	case RV_U64:
	case RV_HEX:
	case RV_HEXDEC:
		keep_err(j, dbuf_printf(j->out, "%" PRIu64, v->v.u));
		return;
	}
}

/* Open an object or array; elements then start with element(). */
static void open_container(struct jctx *j, char c)
{
	keep_err(j, dbuf_putc(j->out, c));
	j->depth++;
	j->empty = true;
	if (c == '{')
		keep_err(j, dbuf_putc(&j->keys, '\1'));
}

static void close_container(struct jctx *j, char c)
{
	j->depth--;
	if (!j->empty)
		newline(j);
	keep_err(j, dbuf_putc(j->out, c));
	j->empty = false;
	if (c == '}') {
		/* Forget the keys of the closed object. */
		while (j->keys.len && j->keys.p[j->keys.len - 1] != '\1')
			j->keys.len--;
		if (j->keys.len)
			j->keys.len--;
	}
}

static void element(struct jctx *j, bool inline_elem)
{
	if (!j->empty)
		keep_err(j, dbuf_printf(j->out, j->pretty && inline_elem ? ", " : ","));
	if (!inline_elem)
		newline(j);
	j->empty = false;
}

/* Is key already a member of the innermost open object? */
static bool seen_key(const struct jctx *j, const char *key)
{
	size_t i = j->keys.len;
	while (i && j->keys.p[i - 1] != '\1')
		i--;
	const char *p = (const char *)j->keys.p + i;
	const char *end = (const char *)j->keys.p + j->keys.len;
	for (; p < end; p += strlen(p) + 1)
		if (!strcmp(p, key))
			return true;
	return false;
}

/* Start a member of the current object: the explicit key, else camelCase(label). */
static void put_key(struct jctx *j, const char *explicit_key, const char *label)
{
	char key[KEY_MAX];
	if (explicit_key)
		snprintf(key, sizeof(key), "%s", explicit_key);
	else
		result_camel(label, key, sizeof(key));
	if (seen_key(j, key))
		keep_err(j, ERR_EXISTS);
	keep_err(j, dbuf_append(&j->keys, key, strlen(key) + 1));
	element(j, false);
	put_string(j, key);
	keep_err(j, dbuf_printf(j->out, j->pretty ? ": " : ":"));
}

static void member(struct jctx *j, const struct result_node *n, const char *label)
{
	put_key(j, n->key, label);
}

static void members(struct jctx *j, const struct result_node *n);

static void object_of(struct jctx *j, const struct result_node *n)
{
	open_container(j, '{');
	members(j, n);
	close_container(j, '}');
}

static void put_values(struct jctx *j, const struct result_node *n, bool one_per_line)
{
	open_container(j, '[');
	for (size_t i = 0; i < n->nvals; i++) {
		element(j, !one_per_line);
		put_value(j, &n->vals[i]);
	}
	if (!one_per_line && !j->empty)
		j->empty = true; /* inline: close without a newline */
	close_container(j, ']');
}

static void table_rows(struct jctx *j, const struct result_node *tbl)
{
	open_container(j, '[');
	for (const struct result_node *row = tbl->first; row; row = row->next) {
		element(j, false);
		open_container(j, '{');
		for (size_t c = 0; c < tbl->ncols && c < row->nvals; c++) {
			const struct result_col *col = &tbl->cols[c];
			if (col->flags & RESULT_TEXT_ONLY)
				continue;
			put_key(j, col->key, col->header);
			put_value(j, &row->vals[c]);
		}
		close_container(j, '}');
	}
	close_container(j, ']');
}

static void members(struct jctx *j, const struct result_node *n)
{
	for (const struct result_node *c = n->first; c; c = c->next) {
		if (!result_visible(c, true))
			continue;
		switch (c->kind) {
		case RN_SECTION:
			if (!c->label && !c->key) {
				members(j, c); /* transparent */
				break;
			}
			member(j, c, c->label);
			object_of(j, c);
			break;
		case RN_ROW:
			members(j, c);
			break;
		case RN_KV:
			member(j, c, c->label);
			if (c->array)
				put_values(j, c, false);
			else if (c->nvals)
				put_value(j, &c->vals[0]);
			else
				keep_err(j, dbuf_printf(j->out, "null"));
			break;
		case RN_LIST:
			member(j, c, c->label ? c->label : "items");
			open_container(j, '[');
			for (const struct result_node *it = c->first; it; it = it->next) {
				if (!result_visible(it, true))
					continue;
				element(j, false);
				object_of(j, it);
			}
			close_container(j, ']');
			break;
		case RN_LINES:
			member(j, c, c->label ? c->label : "lines");
			put_values(j, c, true);
			break;
		case RN_TABLE:
			member(j, c, c->label ? c->label : "rows");
			table_rows(j, c);
			break;
		case RN_TEXT:
		case RN_BLANK:
		case RN_TROW:
			break;
		}
	}
}

int result_render_json(struct result *r, struct dbuf *out, bool pretty)
{
	if (r->err)
		return r->err;
	struct jctx j = {.out = out, .pretty = pretty, .keys = DBUF_INIT};
	object_of(&j, &r->root);
	keep_err(&j, dbuf_putc(out, '\n'));
	dbuf_free(&j.keys);
	return j.err;
}
