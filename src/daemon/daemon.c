#include "daemon/daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl/exec.h"
#include "daemon/ctlsrv.h"
#include "daemon/file.h"
#include "daemon/loop.h"
#include "daemon/mcast.h"
#include "daemon/runcfg.h"
#include "daemon/udp.h"
#include "diag/log.h"
#include "crypto/rng.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

struct daemon {
	struct daemon_opts o;
	const struct clock *clock;
	struct diag diag;
	bool diag_ok;
	struct daemon_loop loop;
	bool loop_ok;
	struct ctl_commands *cmds;
	struct ctlsrv *ctl;
	struct daemon_udp *udp;
	struct daemon_mcast mcast; /* groups the GDOI socket has joined */
	int sigfd;
	struct daemon_watch sig_w;
	struct daemon_watch dp_w;  /* the data plane's event socket, fd -1 when none */
	struct daemon_runcfg *run; /* configuration, engines, data plane */
	struct ctl_world world;
	struct ctl_ops ops;
};

/* ---- logging ---- */

/* --foreground: every log line also on stderr (the lab keeps it in gvpnd.log). */
static void log_to_stderr(void *arg, const struct diag_record *rec)
{
	struct daemon *d = arg;
	struct dbuf line = DBUF_INIT;
	if (!diag_log_format_record(&line, &d->diag, rec)) {
		dbuf_putc(&line, '\n');
		/* one write per line so that lines of several threads do not mix */
		if (write(STDERR_FILENO, line.p, line.len) < 0)
			line.len = 0;
	}
	dbuf_free(&line);
}

/* ---- multicast rekeys (daemon/mcast.h) ---- */

static int mcast_member(void *arg, bool join, const struct daemon_mcast_member *m)
{
	struct daemon *d = arg;
	int rc = join ? daemon_udp_join(d->udp, m->group, 0, m->ifindex)
		      : daemon_udp_leave(d->udp, m->group, 0, m->ifindex);
	if (rc) {
		char a[INET_ADDRSTRLEN];
		struct in_addr in = {.s_addr = htonl(m->group)};
		fprintf(stderr, "gvpnd: cannot %s multicast group %s: %s\n",
			join ? "join" : "leave", inet_ntop(AF_INET, &in, a, sizeof(a)),
			strerror(errno));
	}
	return rc;
}

/*
 * After every event that may change the member's policies: the GDOI
 * socket is a member of the group address of each multicast KEK, on the
 * crypto-map interface.
 */
static void mcast_sync(struct daemon *d)
{
	if (!d->udp)
		return;
	struct ctl_world w;
	daemon_runcfg_world(d->run, &w);
	struct daemon_mcast_member want[DAEMON_MCAST_MAX];
	size_t n = daemon_mcast_wanted(w.gm, 0, want);
	int ifindex = n && w.gm_ifname ? (int)if_nametoindex(w.gm_ifname) : 0;
	for (size_t i = 0; i < n; i++)
		want[i].ifindex = ifindex;
	daemon_mcast_sync(&d->mcast, want, n, mcast_member, d);
}

/* ---- the control socket ---- */

static void on_request(void *arg, struct ctl_session *session, const struct ctl_request *req,
		       struct ctl_reply *rep)
{
	struct daemon *d = arg;
	daemon_runcfg_world(d->run, &d->world);
	ctl_run(d->cmds, &d->world, session, req->cmd, req->cmd_len, req->flags, rep);
	mcast_sync(d);
}

/* ---- engines and the GDOI socket ---- */

static uint64_t next_deadline(void *arg)
{
	struct daemon *d = arg;
	return daemon_runcfg_next_deadline(d->run);
}

/* Engine time is the daemon's clock (the system one, or a test's). */
static uint64_t now_of(const struct daemon *d)
{
	return clock_mono_ns(d->clock);
}

static void tick(void *arg, uint64_t now)
{
	struct daemon *d = arg;
	(void)now;
	daemon_runcfg_tick(d->run, now_of(d));
	mcast_sync(d);
}

static void on_datagram(void *arg, const struct ike1_peer *from, uint32_t local_ip4,
			const uint8_t *msg, size_t len)
{
	struct daemon *d = arg;
	/* a multicast rekey came to the group address: no address to answer from */
	if (IN_MULTICAST(local_ip4))
		local_ip4 = 0;
	daemon_runcfg_input(d->run, now_of(d), from, local_ip4, msg, len);
	mcast_sync(d);
}

static int send_datagram(void *arg, const struct ike1_peer *to, uint32_t src_ip4,
			 const uint8_t *msg, size_t len)
{
	struct daemon *d = arg;
	if (!d->udp)
		return ERR_STATE;
	struct ike1_peer dst = *to;
	if (d->o.udp_any_port && dst.port == DAEMON_GDOI_PORT)
		dst.port = daemon_udp_port(d->udp); /* tests: see daemon_opts.udp_any_port */
	return daemon_udp_send(d->udp, &dst, src_ip4, msg, len);
}

static void on_dp_event(void *arg, uint32_t events)
{
	struct daemon *d = arg;
	(void)events;
	daemon_runcfg_dp_poll(d->run, now_of(d));
}

static int watch_dp(struct daemon *d)
{
	d->dp_w = (struct daemon_watch){
	    .fd = daemon_runcfg_dp_fd(d->run), .events = EPOLLIN, .fn = on_dp_event, .arg = d};
	return d->dp_w.fd >= 0 ? daemon_loop_add(&d->loop, &d->dp_w) : 0;
}

/* ---- signals ---- */

static const int handled_signals[] = {SIGTERM, SIGINT, SIGHUP};

static void signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(handled_signals) / sizeof(handled_signals[0]); i++)
		sigaddset(set, handled_signals[i]);
}

int daemon_block_signals(void)
{
	sigset_t set;
	signal_set(&set);
	/* a client that goes away mid-reply must not kill us */
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_BLOCK, &set, NULL) ? ERR_IO : 0;
}

/* One line of the reload's outcome to stderr and syslog. */
static void reload_log(struct daemon *d, int prio, const char *line, size_t len)
{
	fprintf(stderr, "gvpnd: %.*s\n", (int)len, line);
	if (d->o.syslog)
		syslog(prio, "%.*s", (int)len, line);
}

/*
 * SIGHUP: apply the configuration file again (daemon/runcfg.h says how);
 * on error the running configuration stays and each reason is logged.
 */
static void reload(struct daemon *d)
{
	/* the data plane may be recreated: its event socket is watched anew */
	if (d->dp_w.fd >= 0 && d->dp_w.fn)
		daemon_loop_del(&d->loop, &d->dp_w);
	d->dp_w.fd = -1;
	struct dbuf err = DBUF_INIT;
	int rc = daemon_runcfg_reload(d->run, now_of(d), &err);
	if (watch_dp(d)) {
		static const char msg[] = "data plane events not watched";
		reload_log(d, LOG_ERR, msg, sizeof(msg) - 1);
	}
	char head[512];
	int n = snprintf(head, sizeof(head), "reload of %s %s", d->o.config_path,
			 rc ? "refused, the running configuration stays:" : "done");
	reload_log(d, rc ? LOG_ERR : LOG_NOTICE, head,
		   n > 0 && (size_t)n < sizeof(head) ? (size_t)n : strlen(head));
	const char *p = dbuf_str(&err);
	while (*p) {
		size_t len = strcspn(p, "\n");
		if (len)
			reload_log(d, rc ? LOG_ERR : LOG_NOTICE, p, len);
		p += len + (p[len] == '\n');
	}
	dbuf_free(&err);
}

static void on_signal(void *arg, uint32_t events)
{
	struct daemon *d = arg;
	(void)events;
	struct signalfd_siginfo si;
	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload(d);
			mcast_sync(d);
		} else {
			daemon_loop_stop(&d->loop);
		}
	}
}

static int open_signals(struct daemon *d)
{
	sigset_t set;
	signal_set(&set);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return ERR_IO;
	d->sig_w =
	    (struct daemon_watch){.fd = d->sigfd, .events = EPOLLIN, .fn = on_signal, .arg = d};
	return daemon_loop_add(&d->loop, &d->sig_w);
}

/* ---- life cycle ---- */

static int fail(struct dbuf *err, int rc, const char *what, const char *detail)
{
	dbuf_printf(err, "gvpnd: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	return rc;
}

static int setup_diag(struct daemon *d)
{
	if (diag_init(&d->diag, d->clock))
		return ERR_NOMEM;
	d->diag_ok = true;
	if (d->o.syslog) {
		openlog("gvpnd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		diag_set_syslog(&d->diag, true);
	}
	if (d->o.log_stderr)
		diag_set_hook(&d->diag, log_to_stderr, d);
	return 0;
}

static int setup_sockets(struct daemon *d, struct dbuf *err)
{
	int rc;
	if (!d->o.no_udp) {
		uint16_t port = d->o.udp_any_port ? 0 : DAEMON_GDOI_PORT;
		rc = daemon_udp_open(&d->loop, 0, port, on_datagram, d, &d->udp);
		if (rc)
			return fail(err, rc, "cannot open UDP port 848", strerror(errno));
	}
	rc = ctlsrv_open(&d->loop, d->o.socket_path, on_request, d, &d->ctl);
	if (rc == ERR_EXISTS)
		return fail(err, rc, "another gvpnd answers on the control socket",
			    d->o.socket_path);
	if (rc)
		return fail(err, rc, "cannot create the control socket",
			    rc == ERR_IO ? strerror(errno) : d->o.socket_path);
	return 0;
}

int daemon_new(const struct daemon_opts *opts, struct daemon **out, struct dbuf *err)
{
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_NOMEM;
	d->o = *opts;
	d->clock = opts->clock ? opts->clock : &clock_system;
	d->sigfd = -1;
	d->dp_w.fd = -1;
	int rc = setup_diag(d);
	if (rc) {
		daemon_free(d);
		return fail(err, rc, "out of memory", NULL);
	}
	if (daemon_dir_ensure(d->o.state_dir)) {
		rc = fail(err, ERR_IO, "cannot use the state directory", d->o.state_dir);
		goto out;
	}
	static const struct daemon_loop_hooks hooks = {.next_deadline = next_deadline,
						       .tick = tick};
	if (daemon_loop_init(&d->loop, &hooks, d)) {
		rc = fail(err, ERR_IO, "event loop", strerror(errno));
		goto out;
	}
	d->loop_ok = true;
	d->cmds = ctl_commands_new();
	if (!d->cmds) {
		rc = fail(err, ERR_NOMEM, "out of memory", NULL);
		goto out;
	}
	const struct daemon_runcfg_env env = {
	    .diag = &d->diag,
	    .clock = d->clock,
	    .rng = crypto_rng_system(),
	    .state_dir = d->o.state_dir,
	    .engines = d->o.engines,
	    .purge_stale_dp = d->o.purge_stale_dp,
	    .send = send_datagram,
	    .send_arg = d,
	};
	rc = daemon_runcfg_new(&env, d->o.config_path, now_of(d), &d->run, err);
	if (rc)
		goto out;
	rc = setup_sockets(d, err);
	if (!rc && watch_dp(d))
		rc = fail(err, ERR_IO, "data plane events", strerror(errno));
	if (!rc && d->o.signals && open_signals(d))
		rc = fail(err, ERR_IO, "signalfd", strerror(errno));
	if (rc)
		goto out;
	daemon_runcfg_world(d->run, &d->world);
	*out = d;
	return 0;
out:
	daemon_free(d);
	return rc;
}

int daemon_run(struct daemon *d)
{
	return daemon_loop_run(&d->loop);
}

void daemon_stop(struct daemon *d)
{
	daemon_loop_stop(&d->loop);
}

uint16_t daemon_udp_port_of(const struct daemon *d)
{
	return d->udp ? daemon_udp_port(d->udp) : 0;
}

void daemon_free(struct daemon *d)
{
	if (!d)
		return;
	/* the socket goes first: from now on nobody may think we still run */
	ctlsrv_close(d->ctl);
	/* engines and data plane: rules removed, keys wiped */
	if (d->dp_w.fd >= 0 && d->dp_w.fn)
		daemon_loop_del(&d->loop, &d->dp_w);
	daemon_runcfg_free(d->run);
	daemon_udp_close(d->udp);
	if (d->sigfd >= 0) {
		daemon_loop_del(&d->loop, &d->sig_w);
		close(d->sigfd);
	}
	ctl_commands_free(d->cmds);
	if (d->loop_ok)
		daemon_loop_free(&d->loop);
	if (d->diag_ok) {
		diag_set_hook(&d->diag, NULL, NULL);
		diag_free(&d->diag);
	}
	if (d->o.syslog)
		closelog();
	free(d);
}
