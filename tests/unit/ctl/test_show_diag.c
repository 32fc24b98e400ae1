/* ctl/show_diag: results of show logging, debugging, debug-condition and event traces. */
#include "test.h"

#include <stdlib.h>

#include "ctl/result.h"
#include "ctl/show_diag.h"
#include "diag/log.h"
#include "util/dbuf.h"
#include "util/err.h"

#define WALL_2013 (1383753316117ULL * NS_PER_MS) /* Wed 2013-11-06 15:55:16.117 UTC */

struct fixture {
	struct clock clk;
	struct diag d;
	struct result *r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	clock_fake_init(&f->clk, 5 * NS_PER_SEC, WALL_2013);
	assert_int_equal(diag_init(&f->d, &f->clk), 0);
	diag_set_local_time(&f->d, false);
	f->r = result_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	result_free(f->r);
	diag_free(&f->d);
	free(f);
	return 0;
}

static char *render(struct result *r, bool json)
{
	struct dbuf out = DBUF_INIT;
	assert_int_equal(json ? result_render_json(r, &out, true) : result_render_text(r, &out), 0);
	char *s = strdup(dbuf_str(&out));
	dbuf_free(&out);
	return s;
}

static void assert_render(struct result *r, const char *text, const char *json)
{
	char *t = render(r, false), *j = render(r, true);
	assert_string_equal(t, text);
	assert_string_equal(j, json);
	free(t);
	free(j);
}

/* The seed's debug-condition example. */
static void test_debug_condition(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(diag_debug_cond_add_peer(&f->d, 0x0A011402), 0);
	assert_int_equal(ctl_show_debug_condition(f->r, &f->d), 0);
	assert_render(f->r,
		      "GDOI Conditional Filters:\n"
		      "Peer Address 10.1.20.2\n"
		      "Unmatched NOT set\n",
		      "{\n"
		      "  \"peerAddresses\": [\"10.1.20.2\"],\n"
		      "  \"groups\": [],\n"
		      "  \"unmatched\": false\n"
		      "}\n");
	result_free(f->r);
	f->r = result_new();
	diag_debug_cond_add_group(&f->d, "G1");
	diag_debug_cond_set_unmatched(&f->d, true);
	assert_int_equal(ctl_show_debug_condition(f->r, &f->d), 0);
	char *t = render(f->r, false);
	assert_string_equal(t, "GDOI Conditional Filters:\n"
			       "Peer Address 10.1.20.2\n"
			       "Group G1\n"
			       "Unmatched set\n");
	free(t);
}

static void test_debugging(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(ctl_show_debugging(f->r, &f->d), 0);
	assert_render(f->r, "", "{}\n");

	diag_debug_isakmp_set(&f->d, DIAG_IKE_EVENT | DIAG_IKE_ERROR, true);
	diag_debug_gdoi_enable(&f->d, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_ALL);
	diag_debug_gdoi_enable(&f->d, DIAG_ROLE_KS, DIAG_FEAT_COOP, DIAG_LVL_EVENT);
	result_free(f->r);
	f->r = result_new();
	assert_int_equal(ctl_show_debugging(f->r, &f->d), 0);
	assert_render(
	    f->r,
	    "Cryptographic Subsystem:\n"
	    "  Crypto ISAKMP debugging is on\n"
	    "  Crypto ISAKMP Error debugging is on\n"
	    "GDOI:\n"
	    "  GDOI Key Server Registration Debug level: (Packet, Detail, Event, Terse, Error)\n"
	    "  GDOI Key Server COOP Debug level: (Event, Terse, Error)\n",
	    "{\n"
	    "  \"crypto\": {\n"
	    "    \"isakmp\": [\"event\", \"error\"]\n"
	    "  },\n"
	    "  \"gdoi\": {\n"
	    "    \"features\": [\n"
	    "      {\n"
	    "        \"role\": \"ks\",\n"
	    "        \"feature\": \"registration\",\n"
	    "        \"levels\": [\"packet\", \"detail\", \"event\", \"terse\", \"error\"]\n"
	    "      },\n"
	    "      {\n"
	    "        \"role\": \"ks\",\n"
	    "        \"feature\": \"coop\",\n"
	    "        \"levels\": [\"event\", \"terse\", \"error\"]\n"
	    "      }\n"
	    "    ]\n"
	    "  }\n"
	    "}\n");
}

static void test_logging(void **state)
{
	struct fixture *f = *state;
	diag_log(&f->d, DIAG_MSG_GM_REKEY_TRANS_2_UNI, "G1");
	clock_fake_advance(&f->clk, 5 * NS_PER_MS);
	diag_log(&f->d, DIAG_MSG_SA_TEK_UPDATED, "G1", 0x91E3985A);
	assert_int_equal(ctl_show_logging(f->r, &f->d), 0);
	assert_render(
	    f->r,
	    "Syslog logging: enabled (0 messages rate-limited, 0 lines overwritten)\n"
	    "\n"
	    "    Console logging: disabled\n"
	    "    Buffer logging:  level debugging, 2 messages logged\n"
	    "    Trap logging: disabled\n"
	    "\n"
	    "Log Buffer (65536 bytes):\n"
	    "\n"
	    "*Nov  6 15:55:16.117: %GDOI-5-GM_REKEY_TRANS_2_UNI: Group G1 transitioned to "
	    "Unicast Rekey.\n"
	    "*Nov  6 15:55:16.122: %GDOI-5-SA_TEK_UPDATED: SA TEK was updated (group G1, spi "
	    "0x91E3985A)\n",
	    "{\n"
	    "  \"messagesRateLimited\": 0,\n"
	    "  \"linesOverwritten\": 0,\n"
	    "  \"bufferLogging\": true,\n"
	    "  \"messagesLogged\": 2,\n"
	    "  \"debugLinesLogged\": 0,\n"
	    "  \"syslogLogging\": false,\n"
	    "  \"syslogLinesLogged\": 0,\n"
	    "  \"bufferSizeBytes\": 65536,\n"
	    "  \"lines\": [\n"
	    "    \"*Nov  6 15:55:16.117: %GDOI-5-GM_REKEY_TRANS_2_UNI: Group G1 transitioned "
	    "to Unicast Rekey.\",\n"
	    "    \"*Nov  6 15:55:16.122: %GDOI-5-SA_TEK_UPDATED: SA TEK was updated (group "
	    "G1, spi 0x91E3985A)\"\n"
	    "  ]\n"
	    "}\n");
}

static void test_logging_catalog(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(ctl_show_logging_catalog(f->r, "no_rsa"), 0);
	char *t = render(f->r, false);
	assert_memory_equal(
	    t,
	    "%GDOI-1-KS_NO_RSA_KEYS: RSA Key - %s : Not found, Required for group %s\n"
	    "    Explanation: ",
	    strlen("%GDOI-1-KS_NO_RSA_KEYS: RSA Key - %s : Not found, Required for "
		   "group %s\n    Explanation: "));
	assert_non_null(strstr(t, "\n    Recommended Action: Create or import"));
	free(t);
	t = render(f->r, true);
	assert_non_null(strstr(t, "\"mnemonic\": \"KS_NO_RSA_KEYS\",\n"));
	assert_non_null(strstr(t, "\"severity\": 1,\n"));
	assert_non_null(strstr(t, "\"action\": \"Create or import"));
	free(t);

	/* A facility lists all of its messages and nothing else. */
	result_free(f->r);
	f->r = result_new();
	assert_int_equal(ctl_show_logging_catalog(f->r, "ikev2"), 0);
	t = render(f->r, false);
	assert_non_null(strstr(t, "%IKEV2-5-SA_UP:"));
	assert_non_null(strstr(t, "%IKEV2-4-NO_PROPOSAL_CHOSEN:"));
	assert_null(strstr(t, "%GDOI-"));
	free(t);
}

static int exit_line;

static void rekey_events(struct fixture *f)
{
	diag_trace(&f->d, DIAG_TRACE_REKEY, "G1", 0x0A010C02,
		   "ACK_SENT: From 10.1.12.2 to 10.1.13.2 with seq no 1 for the group G1");
	exit_line = __LINE__ + 1;
	diag_trace_exit(&f->d, NULL_VALUE_FOUND, ERR_NOTFOUND, NULL, 0, "Invalid GROUP Name");
}

static void test_event_trace(void **state)
{
	struct fixture *f = *state;
	rekey_events(f);
	struct diag_trace_query q = {.rings = 1u << DIAG_TRACE_REKEY, .when = DIAG_TRACE_WHEN_ALL};
	assert_int_equal(ctl_show_event_trace(f->r, &f->d, &q, false), 0);
	assert_render(
	    f->r,
	    "*Nov  6 15:55:16.117: GDOI_REKEY_EVENT: ACK_SENT: From 10.1.12.2 to 10.1.13.2 "
	    "with seq no 1 for the group G1\n",
	    "{\n"
	    "  \"entries\": [\n"
	    "    {\n"
	    "      \"time\": \"Nov  6 15:55:16.117\",\n"
	    "      \"ring\": \"rekey\",\n"
	    "      \"group\": \"G1\",\n"
	    "      \"peer\": \"10.1.12.2\",\n"
	    "      \"text\": \"GDOI_REKEY_EVENT: ACK_SENT: From 10.1.12.2 to 10.1.13.2 with "
	    "seq no 1 for the group G1\"\n"
	    "    }\n"
	    "  ]\n"
	    "}\n");

	/* all rings, ring by ring: a title before each ring's entries; detail adds the location. */
	result_free(f->r);
	f->r = result_new();
	q.rings = DIAG_TRACE_ALL_RINGS;
	assert_int_equal(ctl_show_event_trace(f->r, &f->d, &q, true), 0);
	char want[512], loc[64];
	snprintf(loc, sizeof(loc), "tests/unit/ctl/test_show_diag.c:%d (NOTFOUND)", exit_line);
	snprintf(want, sizeof(want),
		 "GDOI Exit Traces:\n"
		 "*Nov  6 15:55:16.117: NULL_VALUE_FOUND:Invalid GROUP Name\n"
		 "-Traceback= %s\n"
		 "GDOI Rekey event Traces:\n"
		 "*Nov  6 15:55:16.117: GDOI_REKEY_EVENT: ACK_SENT: From 10.1.12.2 to "
		 "10.1.13.2 with seq no 1 for the group G1\n",
		 loc);
	char *t = render(f->r, false);
	assert_string_equal(t, want);
	free(t);
	t = render(f->r, true);
	snprintf(want, sizeof(want), "\"location\": \"%s\"", loc);
	assert_non_null(strstr(t, want));
	free(t);

	/* Nothing new since the last display. */
	result_free(f->r);
	f->r = result_new();
	q.when = DIAG_TRACE_WHEN_LATEST;
	assert_int_equal(ctl_show_event_trace(f->r, &f->d, &q, false), 0);
	assert_render(f->r, "", "{\n  \"entries\": []\n}\n");
}

static void test_event_trace_parameters(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(ctl_show_event_trace_params(f->r, &f->d, DIAG_TRACE_REKEY), 0);
	assert_render(f->r,
		      "Trace has 512 entries\n"
		      "Stacktrace is disabled by default\n",
		      "{\n"
		      "  \"ring\": \"rekey\",\n"
		      "  \"size\": 512,\n"
		      "  \"entriesHeld\": 0,\n"
		      "  \"enabled\": true,\n"
		      "  \"stacktrace\": false\n"
		      "}\n");
	assert_int_equal(ctl_show_event_trace_params(f->r, &f->d, DIAG_TRACE_COUNT), ERR_INVAL);
}

static void test_time_source_header(void **state)
{
	struct fixture *f = *state;
	struct dbuf out = DBUF_INIT;
	assert_int_equal(ctl_time_source_text(&out, &f->d), 0);
	const char *s = dbuf_str(&out);
	assert_memory_equal(s, "Time source is ", 15);
	assert_non_null(strstr(s, "15:55:16.117 UTC Wed Nov 6 2013\n"));
	dbuf_free(&out);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debug_condition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debugging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logging_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_trace_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_source_header, setup, teardown),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
