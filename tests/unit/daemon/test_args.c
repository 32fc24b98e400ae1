/* daemon/args: the gvpnd command line. */
#include "test.h"

#include "daemon/args.h"
#include "util/err.h"

static int parse(struct daemon_args *a, char *err, const char *const *argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return daemon_args_parse(argc, (char *const *)argv, a, err, 128);
}

/* The lab's command line. */
static void test_lab_line(void **state)
{
	(void)state;
	struct daemon_args a;
	char err[128];
	const char *argv[] = {"gvpnd",	   "--config",	   "/run/gvpn-lab/gm1/gm1.conf",
			      "--socket",  "/run/s.sock",  "--state-dir",
			      "/run/st",   "--foreground", NULL};
	assert_int_equal(parse(&a, err, argv), 0);
	assert_string_equal(a.config, "/run/gvpn-lab/gm1/gm1.conf");
	assert_string_equal(a.socket, "/run/s.sock");
	assert_string_equal(a.state_dir, "/run/st");
	assert_true(a.foreground);
	assert_false(a.check_config);
}

static void test_defaults_and_equals(void **state)
{
	(void)state;
	struct daemon_args a;
	char err[128];
	const char *argv[] = {"gvpnd", "--config=/etc/gvpn.conf", NULL};
	assert_int_equal(parse(&a, err, argv), 0);
	assert_string_equal(a.config, "/etc/gvpn.conf");
	assert_string_equal(a.socket, DAEMON_DEFAULT_SOCKET);
	assert_string_equal(a.state_dir, DAEMON_DEFAULT_STATE_DIR);
	assert_false(a.foreground);
}

/* --check-config FILE, or --check-config with --config. */
static void test_check_config(void **state)
{
	(void)state;
	struct daemon_args a;
	char err[128];
	const char *one[] = {"gvpnd", "--check-config", "ks1.conf", NULL};
	assert_int_equal(parse(&a, err, one), 0);
	assert_true(a.check_config);
	assert_string_equal(a.config, "ks1.conf");
	const char *two[] = {"gvpnd", "--config", "ks1.conf", "--check-config", NULL};
	assert_int_equal(parse(&a, err, two), 0);
	assert_true(a.check_config);
	assert_string_equal(a.config, "ks1.conf");
	const char *clash[] = {"gvpnd", "--config", "a.conf", "--check-config", "b.conf", NULL};
	assert_int_equal(parse(&a, err, clash), ERR_SYNTAX);
	assert_string_equal(err, "--check-config given twice");
}

static void test_errors(void **state)
{
	(void)state;
	struct daemon_args a;
	char err[128];
	const char *none[] = {"gvpnd", NULL};
	assert_int_equal(parse(&a, err, none), ERR_SYNTAX);
	assert_string_equal(err, "--config FILE is required");
	const char *unknown[] = {"gvpnd", "--config", "x", "--verbose", NULL};
	assert_int_equal(parse(&a, err, unknown), ERR_SYNTAX);
	assert_string_equal(err, "unknown option '--verbose'");
	const char *missing[] = {"gvpnd", "--config", NULL};
	assert_int_equal(parse(&a, err, missing), ERR_SYNTAX);
	assert_string_equal(err, "--config needs a value");
	const char *stray[] = {"gvpnd", "--config", "x", "extra", NULL};
	assert_int_equal(parse(&a, err, stray), ERR_SYNTAX);
	assert_string_equal(err, "unexpected argument 'extra'");
	const char *flagval[] = {"gvpnd", "--config", "x", "--foreground=yes", NULL};
	assert_int_equal(parse(&a, err, flagval), ERR_SYNTAX);
	assert_string_equal(err, "--foreground takes no value");
	const char *empty[] = {"gvpnd", "--config=", NULL};
	assert_int_equal(parse(&a, err, empty), ERR_SYNTAX);
	assert_string_equal(err, "--config: empty value");
}

static void test_help_version(void **state)
{
	(void)state;
	struct daemon_args a;
	char err[128];
	const char *h[] = {"gvpnd", "--help", NULL};
	assert_int_equal(parse(&a, err, h), 0);
	assert_true(a.help);
	const char *v[] = {"gvpnd", "--version", NULL};
	assert_int_equal(parse(&a, err, v), 0);
	assert_true(a.version);
	assert_non_null(strstr(daemon_args_usage(), "--check-config"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_lab_line), TEST(test_defaults_and_equals), TEST(test_check_config),
	    TEST(test_errors),	 TEST(test_help_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
