/*
 * gvpnd as an object: configuration, diagnostics, the control socket, the
 * GDOI socket, the engines and the data plane, run by one event loop on
 * the calling thread.
 *
 *   struct daemon *d;
 *   daemon_new(&opts, &d, &err);   // config loaded, sockets open, engines made
 *   daemon_run(d);                 // until SIGTERM/SIGINT or daemon_stop()
 *   daemon_free(d);                // clean stop: socket removed, data plane
 *                                  // stopped, keys wiped
 *
 * main() runs it with signals; tests run it in a thread against a temporary
 * socket and stop it with daemon_stop().
 */
#ifndef GVPN_DAEMON_DAEMON_H
#define GVPN_DAEMON_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

struct clock;
struct daemon_engines_cfg;
struct daemon;
struct dbuf;

struct daemon_opts {
	const char *config_path;
	const char *socket_path;
	const char *state_dir;
	/*
	 * Take SIGTERM/SIGINT (clean stop) and SIGHUP (reload) through a
	 * signalfd. The caller must have blocked them in every thread
	 * (daemon_block_signals() before any thread starts).
	 */
	bool signals;
	bool log_stderr; /* --foreground: every log line to stderr too */
	bool syslog;	 /* syslog(3) with ident gvpnd */
	bool no_udp;	 /* tests: no GDOI socket */
	/*
	 * A configuration without a crypto map removes the data-plane rules an
	 * earlier run left (daemon/runcfg.h). gvpnd sets it; tests that run no
	 * data plane leave the host's iptables alone.
	 */
	bool purge_stale_dp;
	/*
	 * Tests: a port the kernel chooses instead of 848; datagrams the
	 * engines address to port 848 then go to that port, so that one
	 * daemon running both roles on loopback talks to itself without
	 * privileges.
	 */
	bool udp_any_port;
	/* Tests: engines configured directly (daemon/runcfg.h). */
	const struct daemon_engines_cfg *engines;
	/*
	 * NULL: the system clock. A test's fake clock gives fixed stamps and
	 * uptimes; it must not be used with engines (their deadlines would be
	 * read as CLOCK_MONOTONIC times by the timer).
	 */
	const struct clock *clock;
};

/*
 * Build the daemon. 0 and *out, or a negative ERR_* with the reason (one
 * or more lines, config errors as FILE:LINE: ...) appended to err.
 */
int daemon_new(const struct daemon_opts *opts, struct daemon **out, struct dbuf *err);
/* Run the loop until a stop. 0 or ERR_IO. */
int daemon_run(struct daemon *d);
/* Ask daemon_run to return; any thread, async-signal-safe. */
void daemon_stop(struct daemon *d);
/* Clean stop and free; NULL is fine. */
void daemon_free(struct daemon *d);

/* Block the signals the daemon takes by signalfd (call before threads start). */
int daemon_block_signals(void);

/* The UDP port in use; 0 without a GDOI socket. */
uint16_t daemon_udp_port_of(const struct daemon *d);

#endif
