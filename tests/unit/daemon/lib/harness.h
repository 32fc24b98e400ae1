/*
 * A gvpnd running in a thread of the test, against a temporary directory
 * (configuration file, control socket, state directory), and the client
 * side to talk to it.
 */
#ifndef GVPN_TEST_DAEMON_HARNESS_H
#define GVPN_TEST_DAEMON_HARNESS_H

#include <pthread.h>
#include <stdbool.h>

#include "cli/client.h"
#include "daemon/daemon.h"
#include "util/clock.h"

struct harness {
	char dir[64];
	char config[128];
	char socket[128];
	char state[128];
	struct clock clk; /* fake, when fake_clock */
	struct daemon *d;
	pthread_t thread;
	bool running;
};

struct harness_opts {
	bool fake_clock; /* stamps from a fixed wall time (Nov 22 2026 12:00:00 UTC) */
	bool udp;	 /* open a GDOI socket on a kernel-chosen port */
	const struct daemon_engines_cfg *engines; /* engines configured directly */
};

/* Write config_text, start the daemon thread; asserts on failure. */
void harness_start(struct harness *h, const char *config_text, const struct harness_opts *o);
/* Stop the daemon (clean stop), join it, remove the directory. */
void harness_stop(struct harness *h);
/*
 * A restart: harness_halt stops the daemon cleanly and keeps the directory;
 * harness_resume starts it again there (same configuration file and state
 * directory; o as for harness_start, fake_clock aside).
 */
void harness_halt(struct harness *h);
void harness_resume(struct harness *h, const struct harness_opts *o);

/* Connect a client to h's socket (asserts). */
void harness_connect(struct harness *h, struct cli_client *c);
/*
 * Run one command line; returns the output (owned by the harness, valid
 * until the next call) and the status in *status (may be NULL).
 */
const char *harness_cmd(struct harness *h, unsigned flags, const char *line, unsigned *status);

/* A whole file as a NUL-terminated string (malloc), NULL when unreadable. */
char *harness_slurp(const char *path);
/*
 * Compare got with the golden file at path; with GVPN_UPDATE_GOLDEN=1 in
 * the environment, write got there first. Fails the test on a difference
 * (printing what was got) or a missing file.
 */
void harness_golden(const char *path, const char *got);

#endif
