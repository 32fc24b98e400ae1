#include "daemon/ctlsrv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/file.h"
#include "daemon/loop.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/list.h"

struct ctlsrv_conn {
	struct list_node link;
	struct ctlsrv *srv;
	struct daemon_watch w;
	struct dbuf in;
	struct dbuf out; /* encoded frames not yet written, from out_off */
	size_t out_off;
	struct ctl_session session;
	bool denied;  /* another uid: every request gets CTL_ST_DENIED */
	bool closing; /* close once out is written */
};

struct ctlsrv {
	struct daemon_loop *loop;
	struct daemon_watch w;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ctlsrv_handler_fn fn;
	void *arg;
	struct list_node conns;
	size_t nconns;
};

static void conn_close(struct ctlsrv_conn *c)
{
	daemon_loop_del(c->srv->loop, &c->w);
	close(c->w.fd);
	list_del(&c->link);
	c->srv->nconns--;
	dbuf_free(&c->in);
	dbuf_free(&c->out);
	free(c);
}

/* ---- output ---- */

/* Write what is queued; 0, or ERR_IO when the connection is dead. */
static int conn_flush(struct ctlsrv_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->w.fd, c->out.p + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return ERR_IO;
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out.len) {
		dbuf_reset(&c->out);
		c->out_off = 0;
	}
	/* while replies are pending, read nothing more (backpressure) */
	uint32_t ev = c->out.len ? EPOLLOUT : EPOLLIN;
	return daemon_loop_mod(c->srv->loop, &c->w, ev) ? ERR_IO : 0;
}

/* Queue rep as one or more response frames for request id. */
static int queue_reply(struct ctlsrv_conn *c, uint32_t id, const struct ctl_reply *rep)
{
	size_t off = 0;
	if (rep->out.secret)
		c->out.secret = true; /* an exported key, the running config's PSKs */
	do {
		size_t n = rep->out.len - off;
		bool last = n <= CTLSRV_CHUNK;
		if (!last)
			n = CTLSRV_CHUNK;
		struct ctl_response resp = {
		    .id = id,
		    .flags = (uint16_t)(rep->flags | (last ? 0 : CTL_RESP_MORE)),
		    .status = rep->status,
		    .out = (const char *)rep->out.p + off,
		    .out_len = n,
		    .npairs = last ? rep->npairs : 0,
		    .pairs = last ? rep->pairs : NULL,
		};
		int rc = ctl_proto_encode_response(&c->out, &resp);
		if (rc)
			return rc;
		off += n;
	} while (off < rep->out.len);
	return 0;
}

/* An error answer that ends the connection (bad framing, wrong version). */
static void queue_fatal(struct ctlsrv_conn *c, uint32_t id, enum ctl_status st, const char *msg)
{
	struct ctl_reply rep = {.status = (uint16_t)st};
	dbuf_printf(&rep.out, "%s\n", msg);
	queue_reply(c, id, &rep);
	ctl_reply_free(&rep);
	c->closing = true;
}

/* ---- input ---- */

static void handle_request(struct ctlsrv_conn *c, const struct ctl_request *req)
{
	struct ctl_reply rep = {0};
	if (c->denied) {
		rep.status = CTL_ST_DENIED;
		dbuf_printf(&rep.out, "%% Permission denied\n");
	} else {
		c->srv->fn(c->srv->arg, &c->session, req, &rep);
	}
	if (queue_reply(c, req->id, &rep))
		c->closing = true;
	ctl_reply_free(&rep);
}

/*
 * Take every complete frame out of c->in. Returns false when the
 * connection must close after the queued answer.
 */
static void consume_frames(struct ctlsrv_conn *c)
{
	size_t used = 0;
	while (!c->closing && used < c->in.len) {
		size_t flen = 0;
		struct ctl_proto_error perr;
		int rc = ctl_proto_frame_len(c->in.p + used, c->in.len - used, &flen, &perr);
		if (rc == ERR_TRUNCATED || (!rc && flen > c->in.len - used))
			break;
		if (rc == ERR_UNSUPP) {
			queue_fatal(c, 0, CTL_ST_VERSION, "% Unsupported control protocol version");
			break;
		}
		if (rc) {
			queue_fatal(c, 0, rc == ERR_LIMIT ? CTL_ST_TOO_BIG : CTL_ST_MALFORMED,
				    "% Malformed request");
			break;
		}
		struct ctl_request req;
		rc = ctl_proto_decode_request(c->in.p + used, flen, &req, &perr);
		if (rc) {
			queue_fatal(c, 0, rc == ERR_LIMIT ? CTL_ST_TOO_BIG : CTL_ST_MALFORMED,
				    "% Malformed request");
			break;
		}
		handle_request(c, &req);
		used += flen;
	}
	if (used) {
		memmove(c->in.p, c->in.p + used, c->in.len - used);
		c->in.len -= used;
	}
}

static void on_conn(void *arg, uint32_t events)
{
	struct ctlsrv_conn *c = arg;
	if (events & EPOLLIN) {
		if (dbuf_reserve(&c->in, 4096)) {
			conn_close(c);
			return;
		}
		ssize_t n = recv(c->w.fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1,
				 MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) { /* the client went away */
			conn_close(c);
			return;
		}
		c->in.len += (size_t)n;
		consume_frames(c);
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		conn_close(c);
		return;
	}
	if (conn_flush(c) || (c->closing && !c->out.len))
		conn_close(c);
}

static bool peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	return cr.uid == 0 || cr.uid == geteuid();
}

static void on_accept(void *arg, uint32_t events)
{
	struct ctlsrv *s = arg;
	(void)events;
	int fd = accept4(s->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (s->nconns >= CTLSRV_MAX_CLIENTS) {
		close(fd);
		return;
	}
	struct ctlsrv_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = s;
	c->denied = !peer_allowed(fd);
	c->w = (struct daemon_watch){.fd = fd, .events = EPOLLIN, .fn = on_conn, .arg = c};
	if (daemon_loop_add(s->loop, &c->w)) {
		close(fd);
		free(c);
		return;
	}
	list_add_tail(&s->conns, &c->link);
	s->nconns++;
}

/* ---- the listening socket ---- */

/* Create the socket's directory (0700) only when it does not exist. */
static int socket_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	size_t n = (size_t)(slash - path);
	if (n >= sizeof(dir))
		return ERR_INVAL;
	memcpy(dir, path, n);
	dir[n] = 0;
	struct stat st;
	if (!stat(dir, &st))
		return 0;
	return errno == ENOENT ? daemon_dir_ensure(dir) : ERR_IO;
}

/* A socket file from a previous run: gone if nobody answers on it. */
static int clear_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(sa->sun_path, &st))
		return errno == ENOENT ? 0 : ERR_IO;
	if (!S_ISSOCK(st.st_mode))
		return ERR_INVAL;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!rc)
		return ERR_EXISTS;
	return unlink(sa->sun_path) && errno != ENOENT ? ERR_IO : 0;
}

static int listen_on(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	/* the file is created by bind with 0777 & ~umask: make that 0600 */
	mode_t old = umask(0177);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	umask(old);
	if (rc || listen(fd, 16)) {
		int saved = errno;
		close(fd);
		errno = saved;
		return ERR_IO;
	}
	return fd;
}

int ctlsrv_open(struct daemon_loop *loop, const char *path, ctlsrv_handler_fn fn, void *arg,
		struct ctlsrv **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return ERR_INVAL;
	strcpy(sa.sun_path, path);
	int rc = socket_dir(path);
	if (!rc)
		rc = clear_stale(&sa);
	if (rc)
		return rc;
	struct ctlsrv *s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	int fd = listen_on(&sa);
	if (fd < 0) {
		free(s);
		return fd;
	}
	s->loop = loop;
	s->fn = fn;
	s->arg = arg;
	strcpy(s->path, path);
	list_init(&s->conns);
	s->w = (struct daemon_watch){.fd = fd, .events = EPOLLIN, .fn = on_accept, .arg = s};
	if (daemon_loop_add(loop, &s->w)) {
		close(fd);
		unlink(path);
		free(s);
		return ERR_IO;
	}
	*out = s;
	return 0;
}

void ctlsrv_close(struct ctlsrv *s)
{
	if (!s)
		return;
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &s->conns)
	{
		conn_close(container_of(pos, struct ctlsrv_conn, link));
	}
	daemon_loop_del(s->loop, &s->w);
	close(s->w.fd);
	unlink(s->path);
	free(s);
}

size_t ctlsrv_clients(const struct ctlsrv *s)
{
	return s->nconns;
}
