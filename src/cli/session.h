/*
 * What the exec prompt does with one line, apart from the terminal: used
 * by the interactive prompt and the one-shot command of gvpn, and by the
 * golden transcript tests (which feed lines and compare the text).
 *
 *   "show crypto gdoi ?"  help: the tokens that may follow, IOS layout
 *   "sh?"                 the keywords the word may complete to
 *   "exit", "quit"        end the session (CLI_SESSION_EXIT)
 *   anything else         sent to gvpnd; its output, or its error with the
 *                         caret under the bad word (shifted by the prompt)
 */
#ifndef GVPN_CLI_SESSION_H
#define GVPN_CLI_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/client.h"

enum {
	CLI_SESSION_EXIT = 1, /* returned by cli_session_line for exit/quit */
	CLI_PROMPT_MAX = 80,
};

struct cli_session {
	struct cli_client *client;
	char prompt[CLI_PROMPT_MAX]; /* "GM1#" */
	bool json;		     /* --json on every request */
	bool timestamp;		     /* terminal exec prompt timestamp */
};

/*
 * Ask the daemon for its hostname and set s->prompt to "<hostname>#"
 * ("gvpn#" when it has none). 0 or the error of cli_request.
 */
int cli_session_prompt(struct cli_session *s);

/*
 * Run one line. The text the terminal shows after the line is appended
 * to out; *status gets the daemon's CTL_ST_* (CTL_ST_OK for help and empty
 * lines). Returns 0, CLI_SESSION_EXIT, or a negative error of cli_request
 * (the connection is unusable).
 */
int cli_session_line(struct cli_session *s, const char *line, struct dbuf *out,
		     unsigned *status);

/* IOS help layout of a `?` answer; partial: the line ended inside a word. */
void cli_format_help(const struct cli_answer *a, bool partial, struct dbuf *out);

/* "gvpn: cannot reach gvpnd at PATH: <reason>" for a failed connect (errno). */
void cli_format_connect_error(struct dbuf *out, const char *path, int rc);

#endif
