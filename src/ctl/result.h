/*
 * Show results: one model, two renderers.
 *
 * A show handler fills ONE struct result from read-only engine snapshots;
 * result_render_text() prints it in the IOS layout and result_render_json()
 * prints the same data as JSON. There is no second JSON path.
 *
 * The model is a tree of nodes, kept in the order added:
 *
 *   section   a block. Its label is only its JSON key (camelCased); a section
 *             without label is transparent in JSON (its children belong to the
 *             enclosing object) and exists for indentation and alignment.
 *             result_heading() is a section whose label is also printed as a
 *             title line ("Rekeys cumulative", "KEK POLICY:").
 *   list      a JSON array of items; each item is a section (an object).
 *   kv        "label : value" in text, "labelInCamelCase": value in JSON.
 *             Values are strings, numbers (they stay numbers in JSON),
 *             booleans, secrets (always printed as "(hidden)") or arrays
 *             (result_kv_array + result_add_*).
 *   row       several kvs on one text line ("orig life(sec): 900
 *             remaining life(sec): 500"); transparent in JSON.
 *   table     column headers and rows; JSON: array of objects keyed by
 *             the camelCased headers ("conn-id" -> connId).
 *   lines     free-form lines that are data (log lines, trace entries):
 *             one text line each, a JSON array of strings.
 *   text      a free-form text-only line (titles with values, remarks).
 *   blank     an empty text line.
 *
 * Text layout: every node may be indented (result_set_indent: for a section,
 * its children; otherwise the line itself). Values of the kvs in an
 * alignment scope start in one column: the colon of every aligned kv of the
 * scope sits in the same column, whatever the kv's indentation. A scope is
 * the nearest section (or the root) with an alignment other than
 * RESULT_ALIGN_INHERIT, the default of every section but the root. In rows,
 * the second and later kvs are aligned too (their labels padded to the
 * widest in the scope, the previous value padded likewise). A kv with its
 * own separator (result_set_sep: "label: value", "Replay Value 4 secs")
 * opts out of alignment. Trailing spaces are never printed.
 *
 * JSON keys: the label in camelCase, punctuation dropped ("Rekey Acks Rcvd"
 * -> rekeyAcksRcvd, "orig life(sec)" -> origLifeSec), or the key given to
 * result_set_key() verbatim. An empty result prints {}.
 *
 * Errors are sticky: when an allocation fails or the API is misused (a kv
 * added to a table), the result remembers the first error and every later
 * call returns a harmless placeholder node, so handlers need not check each
 * call; the renderers then return that error. No function returns NULL.
 */
#ifndef GVPN_CTL_RESULT_H
#define GVPN_CTL_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dbuf;
struct result;
struct result_node;

enum result_flags {
	RESULT_TEXT_ONLY = 1 << 0, /* not in JSON (decorations, titles with values) */
	RESULT_JSON_ONLY = 1 << 1, /* not in text (values IOS shows inside a title) */
	RESULT_RIGHT = 1 << 2,	   /* table column: right-aligned */
};

enum result_align {
	RESULT_ALIGN_INHERIT, /* share the enclosing scope's columns */
	RESULT_ALIGN_COLUMN,  /* own scope: colon at max(col, widest label + gap) */
	RESULT_ALIGN_NONE,    /* own scope, no alignment: "label: value" */
};

/* How the values of an array kv print in text. */
enum result_join {
	RESULT_JOIN_SPACE, /* "2 1 2 1" */
	RESULT_JOIN_COMMA, /* "a, b" */
	RESULT_JOIN_LINES, /* one per line, continuation lines at the value column */
};

/* New empty result; NULL only when memory is exhausted. */
struct result *result_new(void);
void result_free(struct result *r);
/* First error recorded (ERR_NOMEM, ERR_INVAL), 0 if none. */
int result_error(const struct result *r);
/* The root section (alignment RESULT_ALIGN_COLUMN, column 0, gap 1). */
struct result_node *result_root(struct result *r);
/* True when nothing was added. */
bool result_empty(const struct result *r);

/* ---- Containers ---- */

/* Section; label = JSON key (camelCased), NULL for a transparent block. */
struct result_node *result_section(struct result_node *parent, const char *label);
/* Section whose label is also printed as a title line. */
struct result_node *result_heading(struct result_node *parent, const char *label);
/* JSON array under key camelCase(label); items are added with result_item. */
struct result_node *result_list(struct result_node *parent, const char *label);
struct result_node *result_item(struct result_node *list);
/* Several kvs on one text line; add them with result_kv_* on the row. */
struct result_node *result_row(struct result_node *parent);

/* ---- Key/value pairs (parent: a section, item or row) ---- */

struct result_node *result_kv_str(struct result_node *parent, const char *label, const char *fmt,
				  ...) __attribute__((format(printf, 3, 4)));
struct result_node *result_kv_u64(struct result_node *parent, const char *label, uint64_t v);
struct result_node *result_kv_i64(struct result_node *parent, const char *label, int64_t v);
/* Fixed-point text ("442843.29" with decimals 2); a JSON number. */
struct result_node *result_kv_dbl(struct result_node *parent, const char *label, double v,
				  unsigned decimals);
/* "0x91E3985A" (at least `digits` hex digits); a JSON number. */
struct result_node *result_kv_hex(struct result_node *parent, const char *label, uint64_t v,
				  unsigned digits);
/* "0x8BF147EF(2347845615)" as IOS prints SPIs; a JSON number. */
struct result_node *result_kv_hexdec(struct result_node *parent, const char *label, uint32_t v);
/* Text yes or no (e.g. "Yes"/"No", "Both"/"Inbound Only"); JSON true/false. */
struct result_node *result_kv_bool(struct result_node *parent, const char *label, bool v,
				   const char *yes, const char *no);
/* A secret: the value never enters the result; prints "(hidden)". */
struct result_node *result_kv_secret(struct result_node *parent, const char *label);
/* A kv holding an array of values (always an array in JSON, even empty). */
struct result_node *result_kv_array(struct result_node *parent, const char *label,
				    enum result_join join);

/* ---- Values appended to an array kv, a lines node or a table row ---- */

void result_add_str(struct result_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void result_add_u64(struct result_node *n, uint64_t v);
void result_add_i64(struct result_node *n, int64_t v);
void result_add_dbl(struct result_node *n, double v, unsigned decimals);
void result_add_hex(struct result_node *n, uint64_t v, unsigned digits);
void result_add_bool(struct result_node *n, bool v, const char *yes, const char *no);

/* ---- Free-form ---- */

/* Text-only line. */
struct result_node *result_text(struct result_node *parent, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
struct result_node *result_blank(struct result_node *parent);
/* Lines that are data: add them with result_add_str; JSON array of strings. */
struct result_node *result_lines(struct result_node *parent, const char *label);

/* ---- Tables ---- */

struct result_node *result_table(struct result_node *parent, const char *label);
/*
 * Add a column. width = text field width including the space to the next
 * column (0 = widest cell + 1). flags: RESULT_RIGHT, RESULT_TEXT_ONLY,
 * RESULT_JSON_ONLY. key: JSON key, NULL for camelCase(header).
 */
void result_table_col(struct result_node *table, const char *header, unsigned width, unsigned flags,
		      const char *key);
/* New row; fill it with result_add_* in column order. */
struct result_node *result_table_row(struct result_node *table);

/* ---- Modifiers; each returns n ---- */

/* Use key verbatim as the JSON key. */
struct result_node *result_set_key(struct result_node *n, const char *key);
struct result_node *result_set_flags(struct result_node *n, unsigned flags);
/* Extra indentation in spaces (a section: of its children). */
struct result_node *result_set_indent(struct result_node *n, unsigned spaces);
/* Text printed after the value, not in JSON (" sec", " secs"). */
struct result_node *result_set_unit(struct result_node *kv, const char *unit);
/* Own separator between label and value; such a kv is not aligned. */
struct result_node *result_set_sep(struct result_node *kv, const char *sep);
/* Minimum text width of the value when another kv follows on its row. */
struct result_node *result_set_width(struct result_node *kv, unsigned width);
/*
 * Alignment of a section (root, section, heading or item): see the top of
 * this file. col is the minimum column of the colon counted from the start
 * of the line, gap the spaces between the widest label and the colon.
 */
struct result_node *result_align(struct result_node *section, enum result_align mode, unsigned col,
				 unsigned gap);

/* ---- Rendering (append to out) ---- */

/* IOS-style text. 0 or the result's error / ERR_NOMEM. */
int result_render_text(struct result *r, struct dbuf *out);
/*
 * JSON, ending with a newline; pretty = two-space indentation. 0, the
 * result's error, ERR_NOMEM, or ERR_EXISTS when two values of one object
 * got the same key (a handler bug: give one of them result_set_key).
 */
int result_render_json(struct result *r, struct dbuf *out, bool pretty);

/* camelCase key of a label into out (NUL-terminated, cut to fit). */
void result_camel(const char *label, char *out, size_t out_len);

#endif
