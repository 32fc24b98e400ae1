/*
 * Internals of the show result model, shared by result.c and the two
 * renderers (render_text.c, render_json.c). Nothing else includes this.
 */
#ifndef GVPN_CTL_RESULT_IMPL_H
#define GVPN_CTL_RESULT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/result.h"

struct dbuf;

enum rn_kind {
	RN_SECTION, /* also headings, list items and the root */
	RN_LIST,
	RN_ROW,
	RN_KV,
	RN_TEXT,
	RN_BLANK,
	RN_LINES,
	RN_TABLE,
	RN_TROW,
};

enum rv_type {
	RV_STR,
	RV_U64,
	RV_I64,
	RV_DBL,
	RV_HEX,
	RV_HEXDEC,
	RV_BOOL, /* s holds the text chosen for the value */
	RV_SECRET,
};

struct result_value {
	enum rv_type type;
	unsigned aux; /* decimals of RV_DBL, digits of RV_HEX */
	char *s;
	union {
		uint64_t u;
		int64_t i;
		double d;
		bool b;
	} v;
};

struct result_col {
	char *header;
	char *key;
	unsigned width;
	unsigned flags;
};

enum { RESULT_CELLS = 4 }; /* kvs per row that take part in alignment */

struct result_node {
	enum rn_kind kind;
	struct result *res;
	struct result_node *parent, *first, *last, *next;
	char *label; /* kv label, section/list/table/lines JSON key source */
	char *key;   /* explicit JSON key */
	char *unit;
	char *sep;
	char *text; /* text line */
	unsigned flags;
	unsigned indent;
	unsigned width;
	bool title; /* heading: print the label as a line */
	bool array; /* kv: array value */
	enum result_join join;
	struct result_value *vals;
	size_t nvals, vcap;
	enum result_align align;
	unsigned col, gap;
	struct result_col *cols;
	size_t ncols;
	/* Text renderer scratch, valid in scope nodes during one render. */
	unsigned m_col;
	unsigned m_label[RESULT_CELLS];
	unsigned m_value[RESULT_CELLS];
};

struct result {
	struct result_node root;
	struct result_node sink; /* returned after an error; never linked */
	int err;
};

/* Text of a value as printed (no unit); appended to out. */
int result_value_text(const struct result_value *v, struct dbuf *out);
/* Visible in the given renderer? */
static inline bool result_visible(const struct result_node *n, bool json)
{
	return !(n->flags & (json ? RESULT_TEXT_ONLY : RESULT_JSON_ONLY));
}

#endif
