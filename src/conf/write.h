/*
 * The configuration writer: struct conf_config to canonical IOS-style
 * text, as `show running-config` prints it: top-level blocks separated by
 * `!` lines, one space of indentation per submode, defaults left out,
 * pre-shared keys as configured. conf_parse of the text gives a model
 * equal to c (conf_config_equal), and writing that again gives the same
 * text.
 */
#ifndef GVPN_CONF_WRITE_H
#define GVPN_CONF_WRITE_H

#include "conf/model.h"

struct dbuf;

/*
 * Append the text of c to out. 0 or ERR_NOMEM. The caller should mark out
 * secret (out->secret = true) before: it holds the pre-shared keys.
 */
int conf_write(const struct conf_config *c, struct dbuf *out);

#endif
