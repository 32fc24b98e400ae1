/* diag/timefmt: IOS stamps, show-clock format, the Time source header, hh:mm parsing. */
#include "test.h"

#include <stdlib.h>
#include <time.h>

#include "diag/timefmt.h"
#include "util/clock.h"
#include "util/err.h"

#define WALL_2026 (1795350896789ULL * NS_PER_MS) /* Sun 2026-11-22 12:34:56.789 UTC */
#define WALL_2013 (1383753316117ULL * NS_PER_MS) /* Wed 2013-11-06 15:55:16.117 UTC */
#define TBAR_2013 (1384388972081ULL * NS_PER_MS) /* Thu 2013-11-14 00:29:32.081 UTC */

static void test_log_stamp(void **state)
{
	(void)state;
	char b[DIAG_TIME_STAMP_LEN];
	assert_int_equal(diag_time_stamp(b, sizeof(b), WALL_2026, false), 20);
	assert_string_equal(b, "*Nov 22 12:34:56.789");
	diag_time_stamp(b, sizeof(b), WALL_2013, false);
	assert_string_equal(b, "*Nov  6 15:55:16.117");
	/* Truncation keeps a terminated string and reports the needed length. */
	char small[8];
	assert_int_equal(diag_time_stamp(small, sizeof(small), WALL_2026, false), 20);
	assert_string_equal(small, "*Nov 22");
}

static void test_clock_format(void **state)
{
	(void)state;
	char b[DIAG_TIME_CLOCK_LEN];
	diag_time_clock(b, sizeof(b), WALL_2026, false);
	assert_string_equal(b, "12:34:56.789 UTC Sun Nov 22 2026");
	diag_time_clock(b, sizeof(b), WALL_2013, false);
	assert_string_equal(b, "15:55:16.117 UTC Wed Nov 6 2013");
}

/* The seed's TBAR history stamp, in the zone named by TZ. */
static void test_local_zone(void **state)
{
	(void)state;
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "EST5", 1);
	tzset();
	assert_true(diag_time_local_default());
	char b[DIAG_TIME_CLOCK_LEN];
	diag_time_clock(b, sizeof(b), TBAR_2013, true);
	assert_string_equal(b, "19:29:32.081 EST Wed Nov 13 2013");
	diag_time_stamp(b, sizeof(b), TBAR_2013, true);
	assert_string_equal(b, "*Nov 13 19:29:32.081");
	unsetenv("TZ");
	assert_false(diag_time_local_default());
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	}
	tzset();
}

static void test_time_source_line(void **state)
{
	(void)state;
	char b[DIAG_TIME_SOURCE_LEN];
	diag_time_source_line(b, sizeof(b), "NTP", true, WALL_2026, false);
	assert_string_equal(b, "Time source is NTP, 12:34:56.789 UTC Sun Nov 22 2026");
	diag_time_source_line(b, sizeof(b), "hardware calendar", false, WALL_2026, false);
	assert_string_equal(b,
			    "Time source is hardware calendar, *12:34:56.789 UTC Sun Nov 22 2026");
	const char *src;
	bool auth;
	diag_time_source_detect(&src, &auth);
	assert_string_equal(src, auth ? "NTP" : "hardware calendar");
}

static void test_parse_hhmm(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		uint64_t sec;
	} cases[] = {
	    {"00:01", 0, 60},	    {"1:30", 0, 5400},
	    {"100:00", 0, 360000},  {"00:60", ERR_INVAL, 0},
	    {"12", ERR_SYNTAX, 0},  {"12:", ERR_SYNTAX, 0},
	    {":12", ERR_SYNTAX, 0}, {"1:2:3", ERR_SYNTAX, 0},
	    {"a:b", ERR_SYNTAX, 0}, {"1234567:00", ERR_SYNTAX, 0},
	    {"", ERR_SYNTAX, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ns = 7;
		assert_int_equal(diag_time_parse_hhmm(cases[i].in, &ns), cases[i].rc);
		if (!cases[i].rc)
			assert_int_equal(ns, cases[i].sec * NS_PER_SEC);
	}
}

static void test_parse_clock(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		uint64_t sec; /* expected, Unix seconds UTC */
	} cases[] = {
	    {"15:55", 0, 1383753300}, /* day of "now" */
	    {"15:55:16", 0, 1383753316},
	    {"15:55:16 6 Nov", 0, 1383753316},
	    {"0:00 1 january 2014", 0, 1388534400},
	    {"23:59:59 31 DEC 2013", 0, 1388534399},
	    {"12:00 13 nov", 0, 1384344000},
	    {"24:00", ERR_INVAL, 0},
	    {"12:00 31 nov", ERR_INVAL, 0},
	    {"12:00 0 nov", ERR_INVAL, 0},
	    {"12:00 1 no", ERR_SYNTAX, 0},
	    {"12:00 1", ERR_SYNTAX, 0},
	    {"12:00 1 nov 2013 x", ERR_SYNTAX, 0},
	    {"12:00 1 nov 1969", ERR_INVAL, 0},
	    {"noon", ERR_SYNTAX, 0},
	    {"", ERR_SYNTAX, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ns = 0;
		assert_int_equal(diag_time_parse_clock(cases[i].in, WALL_2013, false, &ns),
				 cases[i].rc);
		if (!cases[i].rc)
			assert_int_equal(ns, cases[i].sec * NS_PER_SEC);
	}
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_log_stamp),
		TEST(test_clock_format),
		TEST(test_local_zone),
		TEST(test_time_source_line),
		TEST(test_parse_hhmm),
		TEST(test_parse_clock),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
