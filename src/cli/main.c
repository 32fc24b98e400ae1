/*
 * gvpn: the command line of gvpnd.
 *
 *   gvpn [--socket PATH] [--json] COMMAND...   one command, exit status 0 on success
 *   gvpn [--socket PATH] [--json]              interactive exec prompt "<hostname>#"
 *
 * The socket is --socket, else $GVPN_SOCKET, else /run/gvpn/gvpnd.sock.
 * --json may also follow the command (`gvpn show crypto gdoi --json`).
 * A command ending in '?' prints the help of the daemon's command table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli/client.h"
#include "cli/session.h"
#include "ctl/proto.h"
#include "util/dbuf.h"
#include "util/err.h"

struct opts {
	const char *socket;
	bool json;
	bool help;
	char cmd[CTL_MAX_CMD + 1];
};

static const char usage[] = "usage: gvpn [--socket PATH] [--json] [COMMAND...]\n"
			    "  with no COMMAND: interactive prompt (? for help, Tab completes)\n";

static int parse_args(int argc, char **argv, struct opts *o)
{
	size_t len = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
		} else if (!strcmp(a, "--socket") && i + 1 < argc) {
			o->socket = argv[++i];
		} else if (!strncmp(a, "--socket=", 9)) {
			o->socket = a + 9;
		} else if (!strncmp(a, "--", 2)) {
			fprintf(stderr, "gvpn: unknown option %s\n%s", a, usage);
			return 2;
		} else {
			size_t n = strlen(a);
			if (len + n + 2 > sizeof(o->cmd)) {
				fprintf(stderr, "gvpn: command too long\n");
				return 2;
			}
			if (len)
				o->cmd[len++] = ' ';
			memcpy(o->cmd + len, a, n + 1);
			len += n;
		}
	}
	return 0;
}

/* ---- one command ---- */

static int one_shot(struct cli_session *s, const char *cmd)
{
	struct dbuf out = DBUF_INIT;
	unsigned status;
	/* the caret of a syntax error points into the echoed command */
	s->prompt[0] = 0;
	int rc = cli_session_line(s, cmd, &out, &status);
	if (rc < 0) {
		fprintf(stderr, "gvpn: lost the connection to gvpnd at %s: %s\n",
			s->client->path, err_name(rc));
		dbuf_free(&out);
		return 1;
	}
	if (status == CTL_ST_OK) {
		fputs(dbuf_str(&out), stdout);
	} else {
		if (status == CTL_ST_SYNTAX && out.len && (out.p[0] == ' ' || out.p[0] == '^'))
			fprintf(stderr, "%s\n", cmd);
		fputs(dbuf_str(&out), stderr);
	}
	dbuf_free(&out);
	return status == CTL_ST_OK ? 0 : 1;
}

/* ---- interactive ---- */

static struct cli_session *rl_session;
static struct cli_answer rl_completions;
static size_t rl_next;

/* '?': show what may follow the text before the cursor, keep the line. */
static int gvpn_help(int count, int key)
{
	(void)count;
	(void)key;
	char *before = strndup(rl_line_buffer, (size_t)rl_point);
	if (!before)
		return 0;
	size_t n = strlen(before);
	char *q = malloc(n + 2);
	if (q) {
		memcpy(q, before, n);
		memcpy(q + n, "?", 2);
		struct dbuf out = DBUF_INIT;
		unsigned status;
		printf("?\n");
		if (cli_session_line(rl_session, q, &out, &status) >= 0)
			fputs(dbuf_str(&out), stdout);
		dbuf_free(&out);
		free(q);
	}
	free(before);
	rl_on_new_line();
	return 0;
}

static char *completion_gen(const char *text, int state)
{
	(void)text;
	if (!state)
		rl_next = 0;
	while (rl_next < rl_completions.npairs) {
		const char *t = rl_completions.pairs[rl_next++].token;
		if (strcmp(t, "<cr>"))
			return strdup(t);
	}
	return NULL;
}

static char **gvpn_complete(const char *text, int start, int end)
{
	(void)start;
	rl_attempted_completion_over = 1; /* never complete file names */
	char *before = strndup(rl_line_buffer, (size_t)end);
	if (!before)
		return NULL;
	cli_answer_free(&rl_completions);
	int rc = cli_request(rl_session->client, before, CTL_REQ_COMPLETE, &rl_completions);
	free(before);
	if (rc || rl_completions.status != CTL_ST_OK)
		return NULL;
	return rl_completion_matches(text, completion_gen);
}

static int interactive(struct cli_session *s)
{
	bool tty = isatty(STDIN_FILENO);
	rl_session = s;
	cli_session_prompt(s);
	if (tty) {
		rl_readline_name = "gvpn";
		rl_bind_key('?', gvpn_help);
		rl_attempted_completion_function = gvpn_complete;
	}
	int last = 0;
	for (;;) {
		char *line = tty ? readline(s->prompt) : NULL;
		if (!tty) {
			size_t cap = 0;
			if (getline(&line, &cap, stdin) < 0) {
				free(line);
				line = NULL;
			} else {
				line[strcspn(line, "\n")] = 0;
			}
		}
		if (!line)
			break;
		if (tty && *line)
			add_history(line);
		struct dbuf out = DBUF_INIT;
		unsigned status;
		int rc = cli_session_line(s, line, &out, &status);
		free(line);
		fputs(dbuf_str(&out), stdout);
		fflush(stdout);
		dbuf_free(&out);
		if (rc == CLI_SESSION_EXIT)
			break;
		if (rc < 0) {
			fprintf(stderr, "gvpn: lost the connection to gvpnd at %s\n", s->client->path);
			return 1;
		}
		last = status == CTL_ST_OK ? 0 : 1;
	}
	cli_answer_free(&rl_completions);
	return tty ? 0 : last;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		fputs(usage, stdout);
		return 0;
	}
	struct cli_client c;
	const char *path = cli_socket_path(o.socket);
	rc = cli_connect(&c, path);
	if (rc) {
		struct dbuf msg = DBUF_INIT;
		cli_format_connect_error(&msg, path, rc);
		fputs(dbuf_str(&msg), stderr);
		dbuf_free(&msg);
		return 1;
	}
	struct cli_session s = {.client = &c, .json = o.json};
	rc = o.cmd[0] ? one_shot(&s, o.cmd) : interactive(&s);
	cli_close(&c);
	return rc;
}
