#include "cli/session.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/proto.h"
#include "util/err.h"

void cli_format_connect_error(struct dbuf *out, const char *path, int rc)
{
	const char *why = rc == ERR_IO ? strerror(errno) : err_name(rc);
	const char *hint = "";
	if (rc == ERR_IO && (errno == ENOENT || errno == ECONNREFUSED))
		hint = " (is gvpnd running? use --socket PATH or GVPN_SOCKET)";
	else if (rc == ERR_IO && errno == EACCES)
		hint = " (the control socket is for the daemon's user only)";
	dbuf_printf(out, "gvpn: cannot reach gvpnd at %s: %s%s\n", path, why, hint);
}

/* The value of "hostname" in the JSON of `show version`. */
static bool json_hostname(const char *json, char *out, size_t cap)
{
	const char *key = "\"hostname\": \"";
	const char *p = strstr(json, key);
	if (!p)
		return false;
	p += strlen(key);
	size_t n = 0;
	while (p[n] && p[n] != '"' && n + 1 < cap) {
		if (!isgraph((unsigned char)p[n]) || p[n] == '\\')
			return false;
		n++;
	}
	memcpy(out, p, n);
	out[n] = 0;
	return n > 0 && p[n] == '"';
}

int cli_session_prompt(struct cli_session *s)
{
	struct cli_answer a;
	char host[CLI_PROMPT_MAX - 1];
	int rc = cli_request(s->client, "show version", CTL_REQ_JSON, &a);
	if (!rc && a.status == CTL_ST_OK && json_hostname(dbuf_str(&a.out), host, sizeof(host)))
		snprintf(s->prompt, sizeof(s->prompt), "%s#", host);
	else
		snprintf(s->prompt, sizeof(s->prompt), "gvpn#");
	cli_answer_free(&a);
	return rc;
}

void cli_format_help(const struct cli_answer *a, bool partial, struct dbuf *out)
{
	if (partial) {
		for (size_t i = 0; i < a->npairs; i++)
			dbuf_printf(out, "%s  ", a->pairs[i].token);
		dbuf_printf(out, "\n\n");
		return;
	}
	int width = 0;
	for (size_t i = 0; i < a->npairs; i++) {
		int n = (int)strlen(a->pairs[i].token);
		if (strcmp(a->pairs[i].token, "<cr>") && n > width)
			width = n;
	}
	for (size_t i = 0; i < a->npairs; i++) {
		if (!strcmp(a->pairs[i].token, "<cr>"))
			dbuf_printf(out, "  <cr>\n");
		else
			dbuf_printf(out, "  %-*s  %s\n", width, a->pairs[i].token, a->pairs[i].help);
	}
	dbuf_printf(out, "\n");
}

static bool is_word(const char *line, const char *word)
{
	while (isspace((unsigned char)*line))
		line++;
	size_t n = strlen(word);
	if (strncmp(line, word, n))
		return false;
	for (line += n; *line; line++)
		if (!isspace((unsigned char)*line))
			return false;
	return true;
}

/* An error answer with a caret line: shift the caret by the prompt. */
static void put_output(const struct cli_session *s, const struct cli_answer *a, struct dbuf *out)
{
	/* the caret line starts with the spaces up to the bad word, or the caret */
	char first = a->out.len ? (char)a->out.p[0] : 0;
	if (a->status == CTL_ST_SYNTAX && (first == ' ' || first == '^'))
		dbuf_printf(out, "%*s", (int)strlen(s->prompt), "");
	dbuf_append(out, a->out.p, a->out.len);
}

static unsigned req_flags(const struct cli_session *s)
{
	return (s->json ? CTL_REQ_JSON : 0) | (s->timestamp ? CTL_REQ_TIMESTAMP : 0);
}

static int help_line(struct cli_session *s, const char *line, size_t len, struct dbuf *out,
		     unsigned *status)
{
	char buf[CTL_MAX_CMD + 1];
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = 0;
	struct cli_answer a;
	int rc = cli_request(s->client, buf, CTL_REQ_HELP, &a);
	if (!rc) {
		*status = a.status;
		bool partial = len && !isspace((unsigned char)buf[len - 1]);
		if (a.status == CTL_ST_OK)
			cli_format_help(&a, partial, out);
		else
			put_output(s, &a, out);
	}
	cli_answer_free(&a);
	return rc;
}

int cli_session_line(struct cli_session *s, const char *line, struct dbuf *out,
		     unsigned *status)
{
	*status = CTL_ST_OK;
	if (is_word(line, "exit") || is_word(line, "quit") || is_word(line, "logout"))
		return CLI_SESSION_EXIT;
	const char *q = strchr(line, '?');
	if (q)
		return help_line(s, line, (size_t)(q - line), out, status);
	if (is_word(line, ""))
		return 0;
	struct cli_answer a;
	int rc = cli_request(s->client, line, req_flags(s), &a);
	if (!rc) {
		*status = a.status;
		put_output(s, &a, out);
	}
	cli_answer_free(&a);
	return rc;
}
