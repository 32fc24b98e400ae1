/*
 * The configuration parser: IOS-style text to struct conf_config
 * (conf/model.h). The language is in docs/configuration.md.
 *
 * The text is untrusted: it is read only within [text, text + len), need
 * not be NUL-terminated, and may hold any bytes (a NUL or a control
 * character other than tab/CR is an error at its line).
 *
 * Errors: one line per problem appended to err, "FILE:LINE: message\n",
 * the message naming the offending word(s) in quotes and what was
 * expected, e.g. "ks1.conf:12: 'aes 512': expected 128, 192 or 256".
 * All errors are collected (syntax first, in line order, then the checks
 * across commands: undefined or duplicate names, missing required
 * commands), up to CONF_ERRORS_MAX lines and a last line saying how many
 * more there were.
 */
#ifndef GVPN_CONF_PARSE_H
#define GVPN_CONF_PARSE_H

#include <stddef.h>

#include "conf/model.h"

struct dbuf;

enum { CONF_ERRORS_MAX = 100 };

/*
 * Parse and validate text (len bytes) read from filename (used only in
 * messages; NULL gives "config"). out is initialised first and holds what
 * parsed even on error (not to be used then, but conf_config_free/_wipe it:
 * it may hold keys). err may be NULL.
 *
 * Returns 0; ERR_SYNTAX when a line did not parse (unknown command, bad
 * or missing argument, value out of range, a limit exceeded); ERR_INVAL
 * when every line parsed but the checks across commands failed; ERR_NOMEM.
 */
int conf_parse(const char *text, size_t len, const char *filename, struct conf_config *out,
	       struct dbuf *err);

#endif
