/*
 * IOS-style text renderer of the show result model.
 *
 * Two passes: measure() finds, for every alignment scope, the colon column
 * and the widths of row cells; emit() prints. Lines are built in a scratch
 * buffer so trailing spaces can be dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl/result.h"
#include "ctl/result_impl.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

struct tctx {
	struct dbuf *out;
	struct dbuf line; /* line being built */
	struct dbuf tmp;  /* value texts */
	int err;
};

static void keep_err(struct tctx *t, int rc)
{
	if (rc && !t->err)
		t->err = rc;
}

/* Text of all values of a node as one string, joined (not for LINES). */
static const char *value_str(struct tctx *t, const struct result_node *n, size_t *len)
{
	dbuf_reset(&t->tmp);
	const char *sep = n->join == RESULT_JOIN_COMMA ? ", " : " ";
	for (size_t i = 0; i < n->nvals; i++) {
		if (i)
			keep_err(t, dbuf_printf(&t->tmp, "%s", sep));
		keep_err(t, result_value_text(&n->vals[i], &t->tmp));
	}
	if (n->unit && n->nvals)
		keep_err(t, dbuf_printf(&t->tmp, "%s", n->unit));
	*len = t->tmp.len;
	return dbuf_str(&t->tmp);
}

/* Length of the text of the first value of n (with unit): what a row pads. */
static size_t first_value_len(struct tctx *t, const struct result_node *n)
{
	size_t len;
	if (n->array && n->join == RESULT_JOIN_LINES && n->nvals) {
		dbuf_reset(&t->tmp);
		keep_err(t, result_value_text(&n->vals[0], &t->tmp));
		return t->tmp.len;
	}
	value_str(t, n, &len);
	return len;
}

static struct result_node *scope_of(const struct result_node *n)
{
	struct result_node *s = n->parent;
	while (s->parent && !(s->kind == RN_SECTION && s->align != RESULT_ALIGN_INHERIT))
		s = s->parent;
	return s;
}

static bool aligned(const struct result_node *kv, const struct result_node *scope)
{
	return !kv->sep && scope->align == RESULT_ALIGN_COLUMN;
}

static void measure_cells(struct tctx *t, const struct result_node *row, unsigned ind)
{
	struct result_node *scope = scope_of(row);
	size_t ncells = 0;
	for (const struct result_node *c = row->first; c; c = c->next)
		if (result_visible(c, false))
			ncells++;
	size_t i = 0;
	for (const struct result_node *c = row->first; c; c = c->next) {
		if (!result_visible(c, false))
			continue;
		unsigned llen = (unsigned)strlen(c->label ? c->label : "");
		if (i == 0 && aligned(c, scope))
			scope->m_col = MAX(scope->m_col, ind + c->indent + llen + scope->gap);
		else if (i < RESULT_CELLS && aligned(c, scope))
			scope->m_label[i] = MAX(scope->m_label[i], llen);
		if (i + 1 < ncells && i < RESULT_CELLS) {
			unsigned vlen = (unsigned)first_value_len(t, c);
			scope->m_value[i] = MAX(scope->m_value[i], MAX(vlen, c->width));
		}
		i++;
	}
}

static void measure(struct tctx *t, struct result_node *n, unsigned ind)
{
	if (n->kind == RN_SECTION && n->align != RESULT_ALIGN_INHERIT) {
		n->m_col = n->col;
		memset(n->m_label, 0, sizeof(n->m_label));
		memset(n->m_value, 0, sizeof(n->m_value));
	}
	for (struct result_node *c = n->first; c; c = c->next) {
		if (!result_visible(c, false))
			continue;
		if (c->kind == RN_KV) {
			struct result_node *scope = scope_of(c);
			if (aligned(c, scope))
				scope->m_col = MAX(scope->m_col,
						   ind + c->indent +
						       (unsigned)strlen(c->label ? c->label : "") +
						       scope->gap);
		} else if (c->kind == RN_ROW) {
			measure_cells(t, c, ind + c->indent);
		} else if (c->kind == RN_SECTION || c->kind == RN_LIST) {
			measure(t, c, ind + c->indent);
		}
	}
}

static void pad_to(struct tctx *t, size_t col)
{
	while (t->line.len < col)
		keep_err(t, dbuf_putc(&t->line, ' '));
}

/* Emit the line built so far without trailing spaces, and start a new one. */
static void end_line(struct tctx *t)
{
	size_t len = t->line.len;
	while (len && t->line.p[len - 1] == ' ')
		len--;
	if (len)
		keep_err(t, dbuf_append(t->out, t->line.p, len));
	keep_err(t, dbuf_putc(t->out, '\n'));
	dbuf_reset(&t->line);
}

/*
 * Print one kv into the current line starting at its label; returns the
 * column where its value started (for continuation lines).
 */
static size_t put_kv(struct tctx *t, const struct result_node *kv, const struct result_node *scope,
		     size_t label_width)
{
	const char *label = kv->label ? kv->label : "";
	keep_err(t, dbuf_printf(&t->line, "%s", label));
	if (kv->sep) {
		keep_err(t, dbuf_printf(&t->line, "%s", kv->sep));
	} else if (scope->align == RESULT_ALIGN_COLUMN) {
		pad_to(t, t->line.len +
			      (label_width > strlen(label) ? label_width - strlen(label) : 0));
		keep_err(t, dbuf_printf(&t->line, ": "));
	} else {
		keep_err(t, dbuf_printf(&t->line, ": "));
	}
	size_t vcol = t->line.len;
	if (kv->array && kv->join == RESULT_JOIN_LINES) {
		for (size_t i = 0; i < kv->nvals; i++) {
			if (i) {
				end_line(t);
				pad_to(t, vcol);
			}
			keep_err(t, result_value_text(&kv->vals[i], &t->line));
		}
		if (kv->unit && kv->nvals)
			keep_err(t, dbuf_printf(&t->line, "%s", kv->unit));
	} else {
		size_t len;
		const char *v = value_str(t, kv, &len);
		keep_err(t, dbuf_append(&t->line, v, len));
	}
	return vcol;
}

static void emit_kv(struct tctx *t, const struct result_node *kv, unsigned ind)
{
	const struct result_node *scope = scope_of(kv);
	size_t at = ind + kv->indent;
	pad_to(t, at);
	/* The label field reaches up to the colon column of the scope. */
	put_kv(t, kv, scope, scope->m_col > at ? scope->m_col - at : 0);
	end_line(t);
}

static void emit_row(struct tctx *t, const struct result_node *row, unsigned ind)
{
	const struct result_node *scope = scope_of(row);
	size_t i = 0, vstart = 0;
	for (const struct result_node *c = row->first; c; c = c->next) {
		if (!result_visible(c, false))
			continue;
		if (i == 0) {
			size_t at = ind + c->indent;
			pad_to(t, at);
			size_t lw = scope->m_col > at ? scope->m_col - at : 0;
			vstart = put_kv(t, c, scope, lw);
		} else {
			/* Previous value padded to the widest in the scope, then a gap. */
			if (i - 1 < RESULT_CELLS)
				pad_to(t, vstart + scope->m_value[i - 1]);
			keep_err(t, dbuf_printf(&t->line, "  "));
			size_t lw = i < RESULT_CELLS ? scope->m_label[i] + scope->gap : 0;
			vstart = put_kv(t, c, scope, lw);
		}
		i++;
	}
	end_line(t);
}

static void emit_lines(struct tctx *t, const struct result_node *n, unsigned ind)
{
	for (size_t i = 0; i < n->nvals; i++) {
		pad_to(t, ind);
		keep_err(t, result_value_text(&n->vals[i], &t->line));
		end_line(t);
	}
}

/* Text width of each column: fixed, or widest cell + 1. */
static void column_widths(struct tctx *t, const struct result_node *tbl, unsigned *w)
{
	for (size_t c = 0; c < tbl->ncols; c++) {
		w[c] = tbl->cols[c].width;
		if (w[c])
			continue;
		size_t max = strlen(tbl->cols[c].header ? tbl->cols[c].header : "");
		for (const struct result_node *row = tbl->first; row; row = row->next) {
			if (c >= row->nvals)
				continue;
			dbuf_reset(&t->tmp);
			keep_err(t, result_value_text(&row->vals[c], &t->tmp));
			max = MAX(max, t->tmp.len);
		}
		w[c] = (unsigned)max + 1;
	}
}

static void put_cell(struct tctx *t, const char *s, size_t len, unsigned width, bool right,
		     bool last)
{
	size_t start = t->line.len;
	if (right && width > len + 1)
		pad_to(t, start + width - 1 - len);
	keep_err(t, dbuf_append(&t->line, s, len));
	if (!last)
		pad_to(t, MAX(start + width, t->line.len + 1));
}

static void emit_table_line(struct tctx *t, const struct result_node *tbl, const unsigned *w,
			    const struct result_node *row, unsigned ind)
{
	size_t last = 0;
	for (size_t c = 0; c < tbl->ncols; c++)
		if (!(tbl->cols[c].flags & RESULT_JSON_ONLY))
			last = c;
	pad_to(t, ind);
	for (size_t c = 0; c < tbl->ncols; c++) {
		const struct result_col *col = &tbl->cols[c];
		if (col->flags & RESULT_JSON_ONLY)
			continue;
		const char *s = col->header ? col->header : "";
		size_t len = strlen(s);
		if (row) {
			dbuf_reset(&t->tmp);
			if (c < row->nvals)
				keep_err(t, result_value_text(&row->vals[c], &t->tmp));
			s = dbuf_str(&t->tmp);
			len = t->tmp.len;
		}
		put_cell(t, s, len, w[c], col->flags & RESULT_RIGHT, c == last);
	}
	end_line(t);
}

static void emit_table(struct tctx *t, const struct result_node *tbl, unsigned ind)
{
	if (!tbl->ncols)
		return;
	unsigned *w = calloc(tbl->ncols, sizeof(*w));
	if (!w) {
		keep_err(t, ERR_NOMEM);
		return;
	}
	column_widths(t, tbl, w);
	emit_table_line(t, tbl, w, NULL, ind);
	for (const struct result_node *row = tbl->first; row; row = row->next)
		emit_table_line(t, tbl, w, row, ind);
	free(w);
}

static void emit(struct tctx *t, const struct result_node *n, unsigned ind)
{
	for (const struct result_node *c = n->first; c && !t->err; c = c->next) {
		if (!result_visible(c, false))
			continue;
		unsigned at = ind + c->indent;
		switch (c->kind) {
		case RN_SECTION:
			if (c->title && c->label) {
				pad_to(t, ind);
				keep_err(t, dbuf_printf(&t->line, "%s", c->label));
				end_line(t);
			}
			emit(t, c, at);
			break;
		case RN_LIST:
			emit(t, c, at);
			break;
		case RN_ROW:
			emit_row(t, c, at);
			break;
		case RN_KV:
			emit_kv(t, c, ind);
			break;
		case RN_TEXT:
			pad_to(t, at);
			keep_err(t, dbuf_printf(&t->line, "%s", c->text ? c->text : ""));
			end_line(t);
			break;
		case RN_BLANK:
			end_line(t);
			break;
		case RN_LINES:
			emit_lines(t, c, at);
			break;
		case RN_TABLE:
			emit_table(t, c, at);
			break;
		case RN_TROW:
			break;
		}
	}
}

int result_render_text(struct result *r, struct dbuf *out)
{
	if (r->err)
		return r->err;
	struct tctx t = {.out = out, .line = DBUF_INIT, .tmp = DBUF_INIT};
	measure(&t, &r->root, r->root.indent);
	emit(&t, &r->root, r->root.indent);
	dbuf_free(&t.line);
	dbuf_free(&t.tmp);
	return t.err;
}
