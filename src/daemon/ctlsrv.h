/*
 * The control socket: a UNIX stream socket speaking ctl/proto.h, served on
 * the daemon's event loop.
 *
 * The socket is created with mode 0600 (and its directory with 0700 when
 * it has to be made), so only the daemon's user can talk to it; a client
 * of another uid (SO_PEERCRED) is answered CTL_ST_DENIED. A socket file
 * left by a crashed daemon is replaced; one a live daemon answers on is
 * not (ERR_EXISTS). Closing the server removes the file.
 *
 * Requests are handled one at a time in arrival order: the handler runs
 * on the loop thread and its reply is queued on the connection; a client
 * that does not read its replies stops being read (no unbounded queue).
 */
#ifndef GVPN_DAEMON_CTLSRV_H
#define GVPN_DAEMON_CTLSRV_H

#include <stddef.h>

#include "ctl/exec.h"
#include "ctl/proto.h"

struct daemon_loop;
struct ctlsrv;
struct ctlsrv_conn;

enum {
	CTLSRV_MAX_CLIENTS = 32,
	CTLSRV_CHUNK = 256 * 1024, /* output bytes per response frame */
};

/*
 * Handle one request of conn; fill rep (ctl_reply_free is called by the
 * server after sending it). session is the connection's.
 */
typedef void (*ctlsrv_handler_fn)(void *arg, struct ctl_session *session,
				  const struct ctl_request *req, struct ctl_reply *rep);

/*
 * Listen on path. 0 and *out, or ERR_EXISTS (a daemon answers there),
 * ERR_INVAL (path too long, or not a socket), ERR_IO (errno set).
 */
int ctlsrv_open(struct daemon_loop *loop, const char *path, ctlsrv_handler_fn fn, void *arg,
		struct ctlsrv **out);
/* Close every client, stop listening and remove the socket file. */
void ctlsrv_close(struct ctlsrv *s);
/* Clients connected now. */
size_t ctlsrv_clients(const struct ctlsrv *s);

#endif
