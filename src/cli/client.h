/*
 * Control-socket client of gvpn: connect to gvpnd, send one command line,
 * collect its answer (all response frames of the request, concatenated).
 * Blocking I/O; one request at a time.
 */
#ifndef GVPN_CLI_CLIENT_H
#define GVPN_CLI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "util/dbuf.h"

#define CLI_DEFAULT_SOCKET "/run/gvpn/gvpnd.sock"

struct cli_client {
	int fd;
	uint32_t next_id;
	struct dbuf in; /* bytes read past the last frame */
	char path[108];
};

struct cli_pair {
	char *token;
	char *help;
};

struct cli_answer {
	uint16_t status; /* enum ctl_status */
	uint16_t flags;	 /* CTL_RESP_JSON */
	struct dbuf out;
	struct cli_pair *pairs;
	size_t npairs;
};

/* The socket to use: opt if given, else $GVPN_SOCKET, else CLI_DEFAULT_SOCKET. */
const char *cli_socket_path(const char *opt);

/* 0, ERR_INVAL (path too long) or ERR_IO (errno set: ENOENT, ECONNREFUSED, EACCES ...). */
int cli_connect(struct cli_client *c, const char *path);
void cli_close(struct cli_client *c);

/*
 * Send line with CTL_REQ_* flags and read the whole answer into ans
 * (initialised here; free with cli_answer_free). 0, ERR_IO (connection
 * lost, errno set), ERR_PROTO (undecodable or unexpected answer),
 * ERR_LIMIT (line or answer over the protocol limits) or ERR_NOMEM.
 */
int cli_request(struct cli_client *c, const char *line, unsigned flags, struct cli_answer *ans);
void cli_answer_free(struct cli_answer *ans);

#endif
