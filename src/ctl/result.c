#include "ctl/result.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/result_impl.h"
#include "util/dbuf.h"
#include "util/err.h"

struct result *result_new(void)
{
	struct result *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->root.kind = RN_SECTION;
	r->root.res = r;
	r->root.align = RESULT_ALIGN_COLUMN;
	r->root.gap = 1;
	r->sink.kind = RN_SECTION;
	r->sink.res = r;
	return r;
}

static void free_values(struct result_node *n)
{
	for (size_t i = 0; i < n->nvals; i++)
		free(n->vals[i].s);
	free(n->vals);
}

static void free_node(struct result_node *n)
{
	struct result_node *c = n->first;
	while (c) {
		struct result_node *next = c->next;
		free_node(c);
		free(c);
		c = next;
	}
	free_values(n);
	for (size_t i = 0; i < n->ncols; i++) {
		free(n->cols[i].header);
		free(n->cols[i].key);
	}
	free(n->cols);
	free(n->label);
	free(n->key);
	free(n->unit);
	free(n->sep);
	free(n->text);
}

void result_free(struct result *r)
{
	if (!r)
		return;
	free_node(&r->root);
	free(r);
}

int result_error(const struct result *r)
{
	return r->err;
}

struct result_node *result_root(struct result *r)
{
	return &r->root;
}

bool result_empty(const struct result *r)
{
	return !r->root.first;
}

static bool is_sink(const struct result_node *n)
{
	return n == &n->res->sink;
}

/* Record the first error and hand out the placeholder. */
static struct result_node *fail(struct result *r, int err)
{
	if (!r->err)
		r->err = err;
	return &r->sink;
}

static bool usable(const struct result_node *n)
{
	return !is_sink(n) && !n->res->err;
}

static char *dup_str(struct result *r, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		fail(r, ERR_NOMEM);
	return d;
}

static char *vformat(struct result *r, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static char *vformat(struct result *r, const char *fmt, va_list ap)
{
	struct dbuf b = DBUF_INIT;
	if (dbuf_vprintf(&b, fmt, ap)) {
		dbuf_free(&b);
		fail(r, ERR_NOMEM);
		return NULL;
	}
	if (!b.p) /* empty string: dbuf never allocated */
		return dup_str(r, "");
	return (char *)b.p;
}

static bool accepts(enum rn_kind parent, enum rn_kind child)
{
	switch (parent) {
	case RN_SECTION:
		return child != RN_TROW;
	case RN_LIST:
		return child == RN_SECTION;
	case RN_ROW:
		return child == RN_KV;
	case RN_TABLE:
		return child == RN_TROW;
	default:
		return false;
	}
}

/* New child of parent, or the placeholder after an error. */
static struct result_node *add(struct result_node *parent, enum rn_kind kind, const char *label)
{
	struct result *r = parent->res;
	if (!usable(parent))
		return &r->sink;
	if (!accepts(parent->kind, kind))
		return fail(r, ERR_INVAL);
	struct result_node *n = calloc(1, sizeof(*n));
	if (!n)
		return fail(r, ERR_NOMEM);
	n->kind = kind;
	n->res = r;
	n->parent = parent;
	n->gap = 1;
	if (label && !(n->label = dup_str(r, label))) {
		free(n);
		return &r->sink;
	}
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	return n;
}

struct result_node *result_section(struct result_node *parent, const char *label)
{
	return add(parent, RN_SECTION, label);
}

struct result_node *result_heading(struct result_node *parent, const char *label)
{
	struct result_node *n = add(parent, RN_SECTION, label);
	if (!is_sink(n))
		n->title = true;
	return n;
}

struct result_node *result_list(struct result_node *parent, const char *label)
{
	return add(parent, RN_LIST, label);
}

struct result_node *result_item(struct result_node *list)
{
	return add(list, RN_SECTION, NULL);
}

struct result_node *result_row(struct result_node *parent)
{
	return add(parent, RN_ROW, NULL);
}

/* Append a value to n (which the caller checked may hold values). */
static void push_value(struct result_node *n, const struct result_value *v)
{
	struct result *r = n->res;
	if (n->nvals == n->vcap) {
		size_t cap = n->vcap ? n->vcap * 2 : 4;
		struct result_value *vals = realloc(n->vals, cap * sizeof(*vals));
		if (!vals) {
			free(v->s);
			fail(r, ERR_NOMEM);
			return;
		}
		n->vals = vals;
		n->vcap = cap;
	}
	n->vals[n->nvals++] = *v;
}

/* A single-valued kv (v->s, if any, is owned and freed on failure). */
static struct result_node *kv(struct result_node *parent, const char *label,
			      const struct result_value *v)
{
	struct result_node *n = add(parent, RN_KV, label);
	if (is_sink(n)) {
		free(v->s);
		return n;
	}
	push_value(n, v);
	return n;
}

/*
 * New kv (label) or text line (label NULL) owning the formatted string s;
 * s NULL means formatting failed or was skipped after an error.
 */
static struct result_node *add_owned(struct result_node *parent, enum rn_kind kind,
				     const char *label, char *s)
{
	if (!s)
		return &parent->res->sink;
	if (kind == RN_KV)
		return kv(parent, label, &(struct result_value){.type = RV_STR, .s = s});
	struct result_node *n = add(parent, RN_TEXT, NULL);
	if (is_sink(n))
		free(s);
	else
		n->text = s;
	return n;
}

struct result_node *result_kv_str(struct result_node *parent, const char *label, const char *fmt,
				  ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = usable(parent) ? vformat(parent->res, fmt, ap) : NULL;
	va_end(ap);
	return add_owned(parent, RN_KV, label, s);
}

struct result_node *result_kv_u64(struct result_node *parent, const char *label, uint64_t v)
{
	return kv(parent, label, &(struct result_value){.type = RV_U64, .v.u = v});
}

struct result_node *result_kv_i64(struct result_node *parent, const char *label, int64_t v)
{
	return kv(parent, label, &(struct result_value){.type = RV_I64, .v.i = v});
}

struct result_node *result_kv_dbl(struct result_node *parent, const char *label, double v,
				  unsigned decimals)
{
	return kv(parent, label, &(struct result_value){.type = RV_DBL, .aux = decimals, .v.d = v});
}

struct result_node *result_kv_hex(struct result_node *parent, const char *label, uint64_t v,
				  unsigned digits)
{
	return kv(parent, label, &(struct result_value){.type = RV_HEX, .aux = digits, .v.u = v});
}

struct result_node *result_kv_hexdec(struct result_node *parent, const char *label, uint32_t v)
{
	return kv(parent, label, &(struct result_value){.type = RV_HEXDEC, .v.u = v});
}

static struct result_value bool_value(struct result *r, bool v, const char *yes, const char *no)
{
	return (struct result_value){.type = RV_BOOL, .s = dup_str(r, v ? yes : no), .v.b = v};
}

struct result_node *result_kv_bool(struct result_node *parent, const char *label, bool v,
				   const char *yes, const char *no)
{
	struct result_value val = bool_value(parent->res, v, yes, no);
	if (!val.s)
		return &parent->res->sink;
	return kv(parent, label, &val);
}

struct result_node *result_kv_secret(struct result_node *parent, const char *label)
{
	return kv(parent, label, &(struct result_value){.type = RV_SECRET});
}

struct result_node *result_kv_array(struct result_node *parent, const char *label,
				    enum result_join join)
{
	struct result_node *n = add(parent, RN_KV, label);
	if (!is_sink(n)) {
		n->array = true;
		n->join = join;
	}
	return n;
}

/* May values be appended to n? Records ERR_INVAL when n cannot hold them. */
static bool takes_values(struct result_node *n)
{
	if (!usable(n))
		return false;
	if ((n->kind == RN_KV && n->array) || n->kind == RN_LINES || n->kind == RN_TROW)
		return true;
	fail(n->res, ERR_INVAL);
	return false;
}

static void add_value(struct result_node *n, struct result_value v)
{
	if (takes_values(n))
		push_value(n, &v);
	else
		free(v.s);
}

void result_add_str(struct result_node *n, const char *fmt, ...)
{
	if (!takes_values(n))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(n->res, fmt, ap);
	va_end(ap);
	if (s)
		push_value(n, &(struct result_value){.type = RV_STR, .s = s});
}

void result_add_u64(struct result_node *n, uint64_t v)
{
	add_value(n, (struct result_value){.type = RV_U64, .v.u = v});
}

void result_add_i64(struct result_node *n, int64_t v)
{
	add_value(n, (struct result_value){.type = RV_I64, .v.i = v});
}

void result_add_dbl(struct result_node *n, double v, unsigned decimals)
{
	add_value(n, (struct result_value){.type = RV_DBL, .aux = decimals, .v.d = v});
}

void result_add_hex(struct result_node *n, uint64_t v, unsigned digits)
{
	add_value(n, (struct result_value){.type = RV_HEX, .aux = digits, .v.u = v});
}

void result_add_bool(struct result_node *n, bool v, const char *yes, const char *no)
{
	if (!takes_values(n))
		return;
	struct result_value val = bool_value(n->res, v, yes, no);
	if (val.s)
		push_value(n, &val);
}

struct result_node *result_text(struct result_node *parent, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = usable(parent) ? vformat(parent->res, fmt, ap) : NULL;
	va_end(ap);
	return add_owned(parent, RN_TEXT, NULL, s);
}

struct result_node *result_blank(struct result_node *parent)
{
	return add(parent, RN_BLANK, NULL);
}

struct result_node *result_lines(struct result_node *parent, const char *label)
{
	return add(parent, RN_LINES, label);
}

struct result_node *result_table(struct result_node *parent, const char *label)
{
	return add(parent, RN_TABLE, label);
}

void result_table_col(struct result_node *table, const char *header, unsigned width, unsigned flags,
		      const char *key)
{
	struct result *r = table->res;
	if (!usable(table))
		return;
	/* Columns are fixed before the first row so rows stay rectangular. */
	if (table->kind != RN_TABLE || table->first) {
		fail(r, ERR_INVAL);
		return;
	}
	struct result_col *cols = realloc(table->cols, (table->ncols + 1) * sizeof(*cols));
	if (!cols) {
		fail(r, ERR_NOMEM);
		return;
	}
	table->cols = cols;
	struct result_col *c = &cols[table->ncols++];
	*c = (struct result_col){
	    .header = dup_str(r, header), .key = dup_str(r, key), .width = width, .flags = flags};
}

struct result_node *result_table_row(struct result_node *table)
{
	return add(table, RN_TROW, NULL);
}

/* ---- Modifiers ---- */

static struct result_node *set_str(struct result_node *n, char **field, const char *s)
{
	if (!usable(n))
		return n;
	char *d = dup_str(n->res, s);
	if (s && !d)
		return n;
	free(*field);
	*field = d;
	return n;
}

struct result_node *result_set_key(struct result_node *n, const char *key)
{
	return set_str(n, &n->key, key);
}

struct result_node *result_set_unit(struct result_node *kv, const char *unit)
{
	return set_str(kv, &kv->unit, unit);
}

struct result_node *result_set_sep(struct result_node *kv, const char *sep)
{
	return set_str(kv, &kv->sep, sep);
}

struct result_node *result_set_flags(struct result_node *n, unsigned flags)
{
	if (!is_sink(n))
		n->flags |= flags;
	return n;
}

struct result_node *result_set_indent(struct result_node *n, unsigned spaces)
{
	if (!is_sink(n))
		n->indent = spaces;
	return n;
}

struct result_node *result_set_width(struct result_node *kv, unsigned width)
{
	if (!is_sink(kv))
		kv->width = width;
	return kv;
}

struct result_node *result_align(struct result_node *section, enum result_align mode, unsigned col,
				 unsigned gap)
{
	if (!usable(section))
		return section;
	if (section->kind != RN_SECTION)
		return fail(section->res, ERR_INVAL);
	section->align = mode;
	section->col = col;
	section->gap = gap;
	return section;
}

/* ---- Shared by the renderers ---- */

int result_value_text(const struct result_value *v, struct dbuf *out)
{
	switch (v->type) {
	case RV_STR:
	case RV_BOOL:
		return dbuf_printf(out, "%s", v->s ? v->s : "");
	case RV_U64:
		return dbuf_printf(out, "%" PRIu64, v->v.u);
	case RV_I64:
		return dbuf_printf(out, "%" PRId64, v->v.i);
	case RV_DBL:
		return dbuf_printf(out, "%.*f", (int)v->aux, v->v.d);
	case RV_HEX:
		return dbuf_printf(out, "0x%0*" PRIX64, (int)v->aux, v->v.u);
	case RV_HEXDEC:
		return dbuf_printf(out, "0x%" PRIX64 "(%" PRIu64 ")", v->v.u, v->v.u);
	case RV_SECRET:
		return dbuf_printf(out, "(hidden)");
	}
	return ERR_INVAL;
}

/*
 * A word is "camel" when a capital follows a small letter inside it
 * ("rekeyTransport"): its inner capitals are kept. Other words are
 * lowered after their first letter ("IPSec" -> "Ipsec", "SA" -> "Sa").
 */
static bool camel_word(const char *w, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (isupper((unsigned char)w[i]) && islower((unsigned char)w[i - 1]))
			return true;
	return false;
}

void result_camel(const char *label, char *out, size_t out_len)
{
	size_t o = 0;
	bool first = true;
	const char *p = label ? label : "";
	if (!out_len)
		return;
	while (*p) {
		if (!isalnum((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t n = 0;
		while (isalnum((unsigned char)p[n]))
			n++;
		bool keep = camel_word(p, n);
		for (size_t i = 0; i < n && o + 1 < out_len; i++) {
			int c = (unsigned char)p[i];
			if (i == 0)
				c = first ? tolower(c) : toupper(c);
			else if (!keep)
				c = tolower(c);
			out[o++] = (char)c;
		}
		first = false;
		p += n;
	}
	if (!o && out_len > 5) {
		memcpy(out, "value", 5);
		o = 5;
	}
	out[o] = '\0';
}
