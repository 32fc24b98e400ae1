#include "cli/client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "util/err.h"

const char *cli_socket_path(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *env = getenv("GVPN_SOCKET");
	return env && *env ? env : CLI_DEFAULT_SOCKET;
}

int cli_connect(struct cli_client *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_id = 1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(c->path))
		return ERR_INVAL;
	strcpy(sa.sun_path, path);
	strcpy(c->path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		int saved = errno;
		close(fd);
		errno = saved;
		return ERR_IO;
	}
	c->fd = fd;
	return 0;
}

void cli_close(struct cli_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	dbuf_free(&c->in);
}

void cli_answer_free(struct cli_answer *ans)
{
	for (size_t i = 0; i < ans->npairs; i++) {
		free(ans->pairs[i].token);
		free(ans->pairs[i].help);
	}
	free(ans->pairs);
	dbuf_free(&ans->out);
	memset(ans, 0, sizeof(*ans));
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until c->in starts with a whole frame; *flen = its length. */
static int read_frame(struct cli_client *c, size_t *flen)
{
	for (;;) {
		int rc = ctl_proto_frame_len(c->in.p, c->in.len, flen, NULL);
		if (!rc && *flen <= c->in.len)
			return 0;
		if (rc && rc != ERR_TRUNCATED)
			return rc == ERR_LIMIT ? ERR_LIMIT : ERR_PROTO;
		if (dbuf_reserve(&c->in, 65536))
			return ERR_NOMEM;
		ssize_t n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ECONNRESET;
		if (n <= 0)
			return ERR_IO;
		c->in.len += (size_t)n;
	}
}

static int take_pairs(struct ctl_response *resp, struct cli_answer *ans)
{
	struct ctl_pair p;
	while (ctl_proto_next_pair(resp, &p)) {
		struct cli_pair *v = realloc(ans->pairs, (ans->npairs + 1) * sizeof(*v));
		if (!v)
			return ERR_NOMEM;
		ans->pairs = v;
		v[ans->npairs].token = strndup(p.token, p.token_len);
		v[ans->npairs].help = strndup(p.help, p.help_len);
		if (!v[ans->npairs].token || !v[ans->npairs].help) {
			free(v[ans->npairs].token);
			free(v[ans->npairs].help);
			return ERR_NOMEM;
		}
		ans->npairs++;
	}
	return 0;
}

/* One response frame into ans; *more when others of this id follow. */
static int take_response(struct cli_client *c, uint32_t id, struct cli_answer *ans, bool *more)
{
	size_t flen;
	int rc = read_frame(c, &flen);
	if (rc)
		return rc;
	struct ctl_response resp;
	rc = ctl_proto_decode_response(c->in.p, flen, &resp, NULL);
	/* id 0: the server could not read our request and tells us why */
	if (!rc && resp.id != id && resp.id != 0)
		rc = ERR_PROTO;
	if (!rc) {
		ans->status = resp.status;
		ans->flags = resp.flags & CTL_RESP_JSON;
		rc = dbuf_append(&ans->out, resp.out, resp.out_len);
	}
	if (!rc)
		rc = take_pairs(&resp, ans);
	*more = !rc && (resp.flags & CTL_RESP_MORE);
	memmove(c->in.p, c->in.p + flen, c->in.len - flen);
	c->in.len -= flen;
	return rc == ERR_TRUNCATED || rc == ERR_TRAILING || rc == ERR_INVAL || rc == ERR_UNSUPP
		   ? ERR_PROTO
		   : rc;
}

int cli_request(struct cli_client *c, const char *line, unsigned flags, struct cli_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	struct ctl_request req = {
	    .id = c->next_id++,
	    .flags = (uint16_t)flags,
	    .cmd = line,
	    .cmd_len = strlen(line),
	};
	struct dbuf frame = DBUF_INIT;
	int rc = ctl_proto_encode_request(&frame, &req);
	if (!rc)
		rc = send_all(c->fd, frame.p, frame.len);
	dbuf_free(&frame);
	bool more = !rc;
	while (more && !rc)
		rc = take_response(c, req.id, ans, &more);
	return rc;
}
