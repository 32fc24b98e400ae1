/*
 * gvpnd's control socket end to end, in-process: the daemon runs its loop
 * in a thread against a temporary socket; the test talks to it through the
 * CLI's client code.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/session.h"
#include "ctl/proto.h"
#include "harness.h"
#include "util/dbuf.h"
#include "util/err.h"

static const char config[] = "hostname GM1\n!\nend\n";

static int setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct harness_opts o = {.fake_clock = true};
	harness_start(h, config, &o);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct harness *h = *state;
	harness_stop(h);
	free(h);
	return 0;
}

/* The socket exists with mode 0600 and answers a show; JSON on request. */
static void test_show_and_json(void **state)
{
	struct harness *h = *state;
	struct stat st;
	assert_int_equal(stat(h->socket, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	unsigned status;
	const char *out = harness_cmd(h, 0, "show version", &status);
	assert_int_equal(status, CTL_ST_OK);
	assert_string_equal(out, "gvpn GETVPN/GDOI daemon, Version " GVPN_VERSION "\n"
				 "GM1 uptime is 0 days, 0 hours, 0 minutes\n");
	out = harness_cmd(h, CTL_REQ_JSON, "sh ver", &status);
	assert_int_equal(status, CTL_ST_OK);
	assert_string_equal(out, "{\n"
				 "  \"version\": \"" GVPN_VERSION "\",\n"
				 "  \"hostname\": \"GM1\",\n"
				 "  \"uptimeSec\": 0\n"
				 "}\n");
}

/* Errors come back with their status and IOS text. */
static void test_errors(void **state)
{
	struct harness *h = *state;
	unsigned status;
	const char *out = harness_cmd(h, 0, "show crypto gdoix", &status);
	assert_int_equal(status, CTL_ST_SYNTAX);
	assert_string_equal(out, "            ^\n% Invalid input detected at '^' marker.\n");
	out = harness_cmd(h, 0, "show crypto", &status);
	assert_int_equal(status, CTL_ST_INCOMPLETE);
	assert_string_equal(out, "% Incomplete command.\n");
	out = harness_cmd(h, 0, "sh c", &status);
	assert_int_equal(status, CTL_ST_AMBIGUOUS);
	assert_string_equal(out, "% Ambiguous command:  \"sh c\"\n");
}

/* `?` answers carry the tokens and help strings as pairs. */
static void test_help_pairs(void **state)
{
	struct harness *h = *state;
	struct cli_client c;
	struct cli_answer a;
	harness_connect(h, &c);
	assert_int_equal(cli_request(&c, "show crypto isakmp ", CTL_REQ_HELP, &a), 0);
	assert_int_equal(a.status, CTL_ST_OK);
	assert_int_equal(a.npairs, 1);
	assert_string_equal(a.pairs[0].token, "sa");
	assert_string_equal(a.pairs[0].help, "Show ISAKMP Security Associations");
	cli_answer_free(&a);
	assert_int_equal(cli_request(&c, "show crypto isakmp sa", CTL_REQ_COMPLETE, &a), 0);
	assert_int_equal(a.npairs, 1);
	assert_string_equal(a.pairs[0].token, "sa");
	cli_answer_free(&a);
	cli_close(&c);
}

/*
 * `terminal exec prompt timestamp` holds for the connection it was typed
 * on: show output there starts with the Time source line, elsewhere not.
 */
static void test_timestamp_session(void **state)
{
	struct harness *h = *state;
	struct cli_client c;
	struct cli_answer a;
	harness_connect(h, &c);
	assert_int_equal(cli_request(&c, "terminal exec prompt timestamp", 0, &a), 0);
	assert_int_equal(a.status, CTL_ST_OK);
	cli_answer_free(&a);
	assert_int_equal(cli_request(&c, "show clock", 0, &a), 0);
	assert_non_null(strstr(dbuf_str(&a.out), "Time source is "));
	assert_non_null(strstr(dbuf_str(&a.out), "12:00:00.000 UTC Sun Nov 22 2026\n"
						 "*12:00:00.000 UTC Sun Nov 22 2026\n"));
	cli_answer_free(&a);
	/* JSON never gets the text line */
	assert_int_equal(cli_request(&c, "show clock", CTL_REQ_JSON, &a), 0);
	assert_string_equal(dbuf_str(&a.out), "{\n  \"clock\": \"*12:00:00.000 UTC Sun Nov 22 2026\"\n}\n");
	cli_answer_free(&a);
	cli_close(&c);
	assert_string_equal(harness_cmd(h, 0, "show clock", NULL),
			    "*12:00:00.000 UTC Sun Nov 22 2026\n");
	/* the flag of the request does the same for one command */
	assert_non_null(strstr(harness_cmd(h, CTL_REQ_TIMESTAMP, "show clock", NULL),
			       "Time source is "));
}

/* Exec commands change the daemon's state (debug switches here). */
static void test_debug_roundtrip(void **state)
{
	struct harness *h = *state;
	unsigned status;
	const char *out = harness_cmd(h, 0, "debug crypto gdoi condition peer add ipv4 10.1.20.2",
				      &status);
	assert_int_equal(status, CTL_ST_OK);
	assert_string_equal(out, "% GDOI Debug Condition added.\n");
	out = harness_cmd(h, 0, "debug crypto gdoi condition peer address ipv4 10.1.20.2", &status);
	assert_int_equal(status, CTL_ST_FAILED);
	assert_string_equal(out, "% GDOI Debug Condition already exists.\n");
	assert_string_equal(harness_cmd(h, 0, "show crypto gdoi debug-condition", NULL),
			    "GDOI Conditional Filters:\n"
			    "Peer Address 10.1.20.2\n"
			    "Unmatched NOT set\n");
	out = harness_cmd(h, 0, "debug crypto gdoi ks registration all-levels", &status);
	assert_string_equal(out, "GDOI Key Server Registration Debug level: (Packet, Detail, "
				 "Event, Terse, Error)\n");
	assert_non_null(strstr(harness_cmd(h, 0, "show debugging", NULL), "Registration"));
	assert_string_equal(harness_cmd(h, 0, "undebug all", NULL),
			    "All possible debugging has been turned off\n");
	assert_string_equal(harness_cmd(h, 0, "show debugging", NULL), "");
}

/* Several requests on one connection, and pipelined without waiting. */
static void test_pipelined(void **state)
{
	struct harness *h = *state;
	struct cli_client c;
	harness_connect(h, &c);
	struct dbuf frames = DBUF_INIT;
	for (uint32_t id = 1; id <= 3; id++) {
		struct ctl_request req = {.id = id, .cmd = "show clock", .cmd_len = 10};
		assert_int_equal(ctl_proto_encode_request(&frames, &req), 0);
	}
	assert_int_equal(send(c.fd, frames.p, frames.len, 0), (ssize_t)frames.len);
	dbuf_free(&frames);
	/* three answers with ids 1, 2, 3 arrive in order */
	for (uint32_t id = 1; id <= 3; id++) {
		uint8_t buf[512];
		size_t have = 0, flen = 0;
		while (ctl_proto_frame_len(buf, have, &flen, NULL) || flen > have) {
			ssize_t n = recv(c.fd, buf + have, 1, 0);
			assert_int_equal(n, 1);
			have++;
		}
		struct ctl_response r;
		assert_int_equal(ctl_proto_decode_response(buf, flen, &r, NULL), 0);
		assert_int_equal(r.id, id);
		assert_int_equal(r.status, CTL_ST_OK);
	}
	cli_close(&c);
}

/* Garbage and a frame of another version are answered, then the connection closes. */
static void test_bad_frames(void **state)
{
	struct harness *h = *state;
	struct cli_client c;
	uint8_t buf[256];
	static const uint8_t garbage[16] = "GET / HTTP/1.0\r\n";
	harness_connect(h, &c);
	assert_int_equal(send(c.fd, garbage, sizeof(garbage), 0), (ssize_t)sizeof(garbage));
	ssize_t n = recv(c.fd, buf, sizeof(buf), MSG_WAITALL);
	struct ctl_response r;
	assert_true(n > CTL_HDR_LEN);
	assert_int_equal(ctl_proto_decode_response(buf, (size_t)n, &r, NULL), 0);
	assert_int_equal(r.status, CTL_ST_MALFORMED);
	assert_int_equal(recv(c.fd, buf, sizeof(buf), 0), 0); /* closed */
	cli_close(&c);

	harness_connect(h, &c);
	struct dbuf f = DBUF_INIT;
	struct ctl_request req = {.id = 9, .cmd = "show clock", .cmd_len = 10};
	assert_int_equal(ctl_proto_encode_request(&f, &req), 0);
	f.p[4] = 2; /* version */
	assert_int_equal(send(c.fd, f.p, f.len, 0), (ssize_t)f.len);
	dbuf_free(&f);
	n = recv(c.fd, buf, sizeof(buf), MSG_WAITALL);
	assert_true(n > CTL_HDR_LEN);
	assert_int_equal(ctl_proto_decode_response(buf, (size_t)n, &r, NULL), 0);
	assert_int_equal(r.status, CTL_ST_VERSION);
	cli_close(&c);
}

/* A second daemon on the same socket is refused while the first one runs. */
static void test_socket_in_use(void **state)
{
	struct harness *h = *state;
	struct daemon_opts o = {
	    .config_path = h->config,
	    .socket_path = h->socket,
	    .state_dir = h->state,
	    .no_udp = true,
	};
	struct daemon *d2;
	struct dbuf err = DBUF_INIT;
	assert_int_equal(daemon_new(&o, &d2, &err), ERR_EXISTS);
	assert_non_null(strstr(dbuf_str(&err), "another gvpnd answers"));
	dbuf_free(&err);
	/* the first one still answers */
	assert_non_null(strstr(harness_cmd(h, 0, "show version", NULL), "GM1 uptime"));
}

/* A stale socket file (a crashed daemon's) is replaced; a clean stop removes it. */
static void test_stale_socket_and_clean_stop(void **state)
{
	(void)state;
	struct harness h2;
	harness_start(&h2, config, NULL);
	char sock[128];
	strcpy(sock, h2.socket);
	/* take the daemon down without its clean stop: the file stays */
	daemon_stop(h2.d);
	pthread_join(h2.thread, NULL);
	h2.running = false;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, sock);
	daemon_free(h2.d); /* clean stop: the file goes */
	h2.d = NULL;
	assert_int_equal(access(sock, F_OK), -1);
	/* a stale file where nobody listens */
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(access(sock, F_OK), 0);
	struct daemon_opts o = {
	    .config_path = h2.config, .socket_path = sock, .state_dir = h2.state, .no_udp = true};
	struct dbuf err = DBUF_INIT;
	assert_int_equal(daemon_new(&o, &h2.d, &err), 0);
	dbuf_free(&err);
	struct cli_client c;
	assert_int_equal(cli_connect(&c, sock), 0);
	cli_close(&c);
	harness_stop(&h2);
}

/* The client names the socket when the daemon is not there. */
static void test_unreachable(void **state)
{
	(void)state;
	struct cli_client c;
	struct dbuf msg = DBUF_INIT;
	int rc = cli_connect(&c, "/tmp/gvpn-no-such-dir/gvpnd.sock");
	assert_int_equal(rc, ERR_IO);
	cli_format_connect_error(&msg, "/tmp/gvpn-no-such-dir/gvpnd.sock", rc);
	assert_string_equal(dbuf_str(&msg),
			    "gvpn: cannot reach gvpnd at /tmp/gvpn-no-such-dir/gvpnd.sock: No "
			    "such file or directory (is gvpnd running? use --socket PATH or "
			    "GVPN_SOCKET)\n");
	dbuf_free(&msg);
	setenv("GVPN_SOCKET", "/tmp/x.sock", 1);
	assert_string_equal(cli_socket_path(NULL), "/tmp/x.sock");
	assert_string_equal(cli_socket_path("/a.sock"), "/a.sock");
	unsetenv("GVPN_SOCKET");
	assert_string_equal(cli_socket_path(NULL), CLI_DEFAULT_SOCKET);
}

/* A configuration that cannot be read stops the start with the reason. */
static void test_bad_config(void **state)
{
	(void)state;
	struct daemon_opts o = {.config_path = "/tmp/gvpn-no-such.conf",
				.socket_path = "/tmp/gvpn-no-such.sock",
				.state_dir = "/tmp/gvpn-test-state-unused",
				.no_udp = true};
	struct daemon *d;
	struct dbuf err = DBUF_INIT;
	assert_true(daemon_new(&o, &d, &err) < 0);
	assert_non_null(strstr(dbuf_str(&err), "/tmp/gvpn-no-such.conf"));
	assert_int_equal(access("/tmp/gvpn-no-such.sock", F_OK), -1);
	dbuf_free(&err);
	assert_int_equal(system("rm -rf /tmp/gvpn-test-state-unused"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_show_and_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_help_pairs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timestamp_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_debug_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pipelined, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_socket_in_use, setup, teardown),
	    TEST(test_stale_socket_and_clean_stop),
	    TEST(test_unreachable),
	    TEST(test_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
