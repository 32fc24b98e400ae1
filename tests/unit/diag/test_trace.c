/* diag/trace: event-trace rings, their parameters and the display options. */
#include "test.h"

#include <stdlib.h>

#include "capture.h"
#include "diag/log.h"
#include "diag/timefmt.h"
#include "diag/trace.h"
#include "util/dbuf.h"
#include "util/err.h"

/* 2013-11-06 15:55:16.117 UTC (the seed's rekey trace). */
#define SEED_WALL_NS (1383753316117ULL * NS_PER_MS)

struct show {
	struct dbuf out;
	const struct diag *d;
	bool detail;
};

static int show_entry(void *arg, enum diag_trace_ring ring, const struct diag_trace_entry *e)
{
	struct show *s = arg;
	assert_int_equal(diag_trace_format(&s->out, s->d, ring, e, s->detail), 0);
	return 0;
}

/* What `show monitor event-trace gdoi ...` prints for query q. */
static char *show(struct diag *d, unsigned rings, bool merged, enum diag_trace_when when,
		  uint64_t arg_ns, bool detail)
{
	struct show s = {.out = DBUF_INIT, .d = d, .detail = detail};
	struct diag_trace_query q = {
	    .rings = rings, .merged = merged, .when = when, .arg_ns = arg_ns};
	assert_int_equal(diag_trace_query(d, &q, show_entry, &s), 0);
	char *text = strdup(dbuf_str(&s.out));
	dbuf_free(&s.out);
	return text;
}

static void setup(struct diag *d, struct clock *clk)
{
	static struct capture c;
	capture_setup(d, clk, &c);
	clk->fake_wall = SEED_WALL_NS;
}

static void ack_sent(struct diag *d, uint32_t seq)
{
	diag_trace(d, DIAG_TRACE_REKEY, "G1", 0x0A010C02,
		   "ACK_SENT: From %s to %s with seq no %u for the group %s", "10.1.12.2",
		   "10.1.13.2", seq, "G1");
}

static void test_rekey_ring_renders_like_ios(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	setup(&d, &clk);
	ack_sent(&d, 1);
	diag_trace(&d, DIAG_TRACE_REKEY, "G1", 0x0A010C02,
		   "REKEY_RCVD: From 10.1.12.2 to 10.1.13.2 with seq no 1 for the group G1");
	char *text = show(&d, 1u << DIAG_TRACE_REKEY, false, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_string_equal(text,
			    "*Nov  6 15:55:16.117: GDOI_REKEY_EVENT: ACK_SENT: From 10.1.12.2 "
			    "to 10.1.13.2 with seq no 1 for the group G1\n"
			    "*Nov  6 15:55:16.117: GDOI_REKEY_EVENT: REKEY_RCVD: From 10.1.12.2 "
			    "to 10.1.13.2 with seq no 1 for the group G1\n");
	free(text);
	diag_free(&d);
}

static void test_exit_ring_detail_names_the_location(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	setup(&d, &clk);
	clk.fake_wall = SEED_WALL_NS - 2390506 * NS_PER_MS; /* 15:15:25.611 */
	int line = __LINE__ + 1;
	diag_trace_exit(&d, NULL_VALUE_FOUND, ERR_NOTFOUND, NULL, 0, "Invalid GROUP Name");
	diag_trace_exit(&d, MAP_NOT_APPLIED_IN_ANY_INTERFACE, ERR_STATE, "G1", 0, "%s", "");

	char *text = show(&d, 1u << DIAG_TRACE_EXIT, false, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_string_equal(text, "*Nov  6 15:15:25.611: NULL_VALUE_FOUND:Invalid GROUP Name\n"
				  "*Nov  6 15:15:25.611: MAP_NOT_APPLIED_IN_ANY_INTERFACE:\n");
	free(text);
	text = show(&d, 1u << DIAG_TRACE_EXIT, false, DIAG_TRACE_WHEN_ALL, 0, true);
	char want[256];
	snprintf(want, sizeof(want),
		 "*Nov  6 15:15:25.611: NULL_VALUE_FOUND:Invalid GROUP Name\n"
		 "-Traceback= tests/unit/diag/test_trace.c:%d (NOTFOUND)\n"
		 "*Nov  6 15:15:25.611: MAP_NOT_APPLIED_IN_ANY_INTERFACE:\n"
		 "-Traceback= tests/unit/diag/test_trace.c:%d (STATE)\n",
		 line, line + 1);
	assert_string_equal(text, want);
	free(text);
	diag_free(&d);
}

static void test_size_clear_and_disable(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	setup(&d, &clk);
	struct diag_trace_params p;
	diag_trace_params(&d, DIAG_TRACE_REKEY, &p);
	assert_int_equal(p.size, DIAG_TRACE_DEFAULT_SIZE);
	assert_int_equal(p.count, 0);
	assert_true(p.enabled);

	for (uint32_t i = 1; i <= 600; i++)
		ack_sent(&d, i);
	diag_trace_params(&d, DIAG_TRACE_REKEY, &p);
	assert_int_equal(p.count, 512);
	char *text = show(&d, 1u << DIAG_TRACE_REKEY, false, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_non_null(strstr(text, "with seq no 89 for"));
	assert_null(strstr(text, "with seq no 88 for"));
	free(text);

	assert_int_equal(diag_trace_set_size(&d, DIAG_TRACE_REKEY, 0), ERR_INVAL);
	assert_int_equal(diag_trace_set_size(&d, DIAG_TRACE_REKEY, DIAG_TRACE_MAX_SIZE + 1),
			 ERR_INVAL);
	assert_int_equal(diag_trace_set_size(&d, DIAG_TRACE_REKEY, 2), 0);
	text = show(&d, 1u << DIAG_TRACE_REKEY, false, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_null(strstr(text, "seq no 598 "));
	assert_non_null(strstr(text, "seq no 599 "));
	assert_non_null(strstr(text, "seq no 600 "));
	free(text);
	/* A size set before the first entry is used when the ring is created. */
	assert_int_equal(diag_trace_set_size(&d, DIAG_TRACE_COOP, 1), 0);
	diag_trace(&d, DIAG_TRACE_COOP, "G1", 0, "one");
	diag_trace(&d, DIAG_TRACE_COOP, "G1", 0, "two");
	diag_trace_params(&d, DIAG_TRACE_COOP, &p);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.size, 1);

	diag_trace_enable(&d, DIAG_TRACE_REKEY, false);
	ack_sent(&d, 601);
	diag_trace_params(&d, DIAG_TRACE_REKEY, &p);
	assert_false(p.enabled);
	text = show(&d, 1u << DIAG_TRACE_REKEY, false, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_null(strstr(text, "seq no 601 "));
	free(text);
	diag_trace_enable(&d, DIAG_TRACE_REKEY, true);
	diag_trace_clear(&d, DIAG_TRACE_REKEY);
	diag_trace_params(&d, DIAG_TRACE_REKEY, &p);
	assert_int_equal(p.count, 0);
	diag_free(&d);
}

/* Interleaved events in three rings, one second apart. */
static void three_rings(struct diag *d, struct clock *clk)
{
	diag_trace(d, DIAG_TRACE_REGISTRATION, "G1", 0, "REG_START");
	clock_fake_advance(clk, NS_PER_SEC);
	ack_sent(d, 1);
	clock_fake_advance(clk, NS_PER_SEC);
	diag_trace(d, DIAG_TRACE_COOP, "G1", 0, "ANN_SENT");
	clock_fake_advance(clk, NS_PER_SEC);
	diag_trace(d, DIAG_TRACE_REGISTRATION, "G1", 0, "REG_DONE");
}

static void test_merged_and_per_ring_order(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	setup(&d, &clk);
	three_rings(&d, &clk);
	char *text = show(&d, DIAG_TRACE_ALL_RINGS, true, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_string_equal(text,
			    "*Nov  6 15:55:16.117: GDOI_REG_EVENT: REG_START\n"
			    "*Nov  6 15:55:17.117: GDOI_REKEY_EVENT: ACK_SENT: From 10.1.12.2 to "
			    "10.1.13.2 with seq no 1 for the group G1\n"
			    "*Nov  6 15:55:18.117: GDOI_COOP_EVENT: ANN_SENT\n"
			    "*Nov  6 15:55:19.117: GDOI_REG_EVENT: REG_DONE\n");
	free(text);
	/* `all`: ring by ring (coop, exit, infra, registration, rekey). */
	text = show(&d, DIAG_TRACE_ALL_RINGS, false, DIAG_TRACE_WHEN_ALL, 0, false);
	const char *coop = strstr(text, "ANN_SENT"), *start = strstr(text, "REG_START"),
		   *done = strstr(text, "REG_DONE"), *ack = strstr(text, "ACK_SENT");
	assert_true(coop && start && done && ack);
	assert_true(coop < start && start < done && done < ack);
	free(text);
	diag_free(&d);
}

static void test_time_selections(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	setup(&d, &clk);
	clock_fake_advance(&clk, 100 * NS_PER_SEC); /* 100 s after "boot" */
	three_rings(&d, &clk);			    /* at +100, +101, +102, +103 s */
	const unsigned regs = 1u << DIAG_TRACE_REGISTRATION;

	/* latest: only what came since the ring was last shown. */
	char *text = show(&d, regs, false, DIAG_TRACE_WHEN_LATEST, 0, false);
	assert_non_null(strstr(text, "REG_START"));
	free(text);
	text = show(&d, regs, false, DIAG_TRACE_WHEN_LATEST, 0, false);
	assert_string_equal(text, "");
	free(text);
	diag_trace(&d, DIAG_TRACE_REGISTRATION, "G1", 0, "REG_AGAIN");
	text = show(&d, regs, false, DIAG_TRACE_WHEN_LATEST, 0, false);
	assert_null(strstr(text, "REG_DONE"));
	assert_non_null(strstr(text, "REG_AGAIN"));
	free(text);

	/* back 00:01 from +163 s: entries of the last 60 s. */
	clock_fake_advance(&clk, 60 * NS_PER_SEC);
	uint64_t back;
	assert_int_equal(diag_time_parse_hhmm("00:01", &back), 0);
	text = show(&d, DIAG_TRACE_ALL_RINGS, true, DIAG_TRACE_WHEN_BACK, back, false);
	assert_null(strstr(text, "REG_START"));
	assert_non_null(strstr(text, "REG_DONE"));
	free(text);

	/* clock: from a wall time on. */
	text = show(&d, DIAG_TRACE_ALL_RINGS, true, DIAG_TRACE_WHEN_CLOCK,
		    SEED_WALL_NS + 101500 * NS_PER_MS, false);
	assert_null(strstr(text, "ACK_SENT"));
	assert_non_null(strstr(text, "ANN_SENT"));
	free(text);

	/* from-boot 102: entries at 102 s or later after diag_init. */
	text = show(&d, DIAG_TRACE_ALL_RINGS, true, DIAG_TRACE_WHEN_FROM_BOOT, 102 * NS_PER_SEC,
		    false);
	assert_null(strstr(text, "ACK_SENT"));
	assert_non_null(strstr(text, "ANN_SENT"));
	free(text);
	diag_free(&d);
}

static void test_ring_names(void **state)
{
	(void)state;
	static const char *const names[] = {"coop", "exit", "infra", "registration", "rekey"};
	for (int i = 0; i < DIAG_TRACE_COUNT; i++) {
		assert_string_equal(diag_trace_ring_name((enum diag_trace_ring)i), names[i]);
		assert_int_equal(diag_trace_ring_find(names[i]), i);
		assert_non_null(diag_trace_ring_help((enum diag_trace_ring)i));
	}
	assert_string_equal(diag_trace_ring_help(DIAG_TRACE_EXIT), "GDOI Exit Traces");
	assert_int_equal(diag_trace_ring_find("merged"), -1);
	assert_null(diag_trace_ring_name(DIAG_TRACE_COUNT));
}

static void test_long_texts_are_cut(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	setup(&d, &clk);
	char big[400];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_trace(&d, DIAG_TRACE_INFRA, big, 0, "%s", big);
	char *text = show(&d, 1u << DIAG_TRACE_INFRA, false, DIAG_TRACE_WHEN_ALL, 0, false);
	assert_int_equal(strlen(text), strlen("*Nov  6 15:55:16.117: GDOI_INFRA_EVENT: ") +
					   DIAG_TRACE_TEXT_MAX - 1 + 1);
	free(text);
	diag_free(&d);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_rekey_ring_renders_like_ios),
		TEST(test_exit_ring_detail_names_the_location),
		TEST(test_size_clear_and_disable),
		TEST(test_merged_and_per_ring_order),
		TEST(test_time_selections),
		TEST(test_ring_names),
		TEST(test_long_texts_are_cut),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
