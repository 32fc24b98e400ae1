/*
 * Command line of gvpnd:
 *
 *   gvpnd --config FILE [--socket PATH] [--state-dir DIR] [--foreground]
 *   gvpnd --check-config FILE        (or --config FILE --check-config)
 *   gvpnd --help | --version
 *
 * Options may also be written --opt=VALUE.
 */
#ifndef GVPN_DAEMON_ARGS_H
#define GVPN_DAEMON_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define DAEMON_DEFAULT_SOCKET "/run/gvpn/gvpnd.sock"
#define DAEMON_DEFAULT_STATE_DIR "/var/lib/gvpn"

struct daemon_args {
	const char *config;    /* borrowed from argv */
	const char *socket;    /* DAEMON_DEFAULT_SOCKET unless given */
	const char *state_dir; /* DAEMON_DEFAULT_STATE_DIR unless given */
	bool foreground;       /* stay attached; log to stderr too */
	bool check_config;     /* validate the configuration and exit */
	bool help, version;
};

/*
 * Parse argv[1..argc-1] into out. 0, or ERR_SYNTAX with a one-line reason
 * in err (unknown option, missing value, option given twice, no --config,
 * stray argument).
 */
int daemon_args_parse(int argc, char *const argv[], struct daemon_args *out, char *err,
		      size_t err_cap);

/* The usage text (ends with a newline). */
const char *daemon_args_usage(void);

#endif
