/* diag/log: the log buffer, its stamps, eviction, resizing and the data-plane rate limit. */
#include "test.h"

#include <pthread.h>
#include <stdlib.h>

#include "capture.h"
#include "diag/log.h"
#include "util/dbuf.h"
#include "util/err.h"

struct collect {
	struct dbuf out;
	const struct diag *d;
	size_t n;
	size_t stop_after; /* 0 = never */
};

static int collect_line(void *arg, const struct diag_record *rec)
{
	struct collect *c = arg;
	assert_int_equal(diag_log_format_record(&c->out, c->d, rec), 0);
	assert_int_equal(dbuf_putc(&c->out, '\n'), 0);
	c->n++;
	return c->stop_after && c->n >= c->stop_after ? 1 : 0;
}

/* The buffer as `show logging` prints its lines. */
static char *buffer_text(struct diag *d, size_t *n)
{
	struct collect c = {.out = DBUF_INIT, .d = d};
	assert_int_equal(diag_log_foreach(d, collect_line, &c), 0);
	*n = c.n;
	char *s = strdup(dbuf_str(&c.out));
	dbuf_free(&c.out);
	return s;
}

static void test_lines_carry_millisecond_stamps(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	diag_log(&d, DIAG_MSG_GM_REGS_COMPL, "10.1.12.2", "G1", "10.1.13.2");
	clock_fake_advance(&clk, 1234 * NS_PER_MS);
	diag_log(&d, DIAG_MSG_GDOI_ON_OFF, "ON");
	size_t n;
	char *text = buffer_text(&d, &n);
	assert_int_equal(n, 2);
	assert_string_equal(text, "*Nov 22 12:34:56.789: %GDOI-5-GM_REGS_COMPL: Registration to KS "
				  "10.1.12.2 complete for group G1 using address 10.1.13.2\n"
				  "*Nov 22 12:34:58.023: %CRYPTO-6-GDOI_ON_OFF: GDOI is ON\n");
	free(text);
	struct diag_log_stats st;
	diag_log_get_stats(&d, &st);
	assert_int_equal(st.messages, 2);
	assert_int_equal(st.buffer_lines, 2);
	assert_int_equal(st.buffer_bytes, DIAG_LOG_DEFAULT_BYTES);
	assert_true(st.buffer_on);
	assert_false(st.syslog_on);
	diag_free(&d);
}

static void fill(struct diag *d, int from, int to)
{
	for (int i = from; i < to; i++)
		diag_log(d, DIAG_MSG_KS_SEND_UNICAST_REKEY, "G1", "10.1.11.2", (uint32_t)i);
}

static void test_buffer_evicts_oldest_and_resizes(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	assert_int_equal(diag_log_set_buffer_size(&d, 4095), ERR_INVAL);
	assert_int_equal(diag_log_set_buffer_size(&d, DIAG_LOG_MAX_BYTES + 1), ERR_INVAL);
	assert_int_equal(diag_log_set_buffer_size(&d, 4096), 0);
	fill(&d, 1, 201);

	/*
	 * A record is 4 (ring) + 12 (header) + 104 bytes of line for a 3-digit
	 * seq: 34 whole records fit in 4096 bytes.
	 */
	const size_t fit = 4096 / (4 + 12 +
				   strlen("%GDOI-5-KS_SEND_UNICAST_REKEY: Sending Unicast "
					  "Rekey for group G1 from address 10.1.11.2 with "
					  "seq # 200"));
	assert_int_equal(fit, 34);
	size_t n;
	char *text = buffer_text(&d, &n);
	struct diag_log_stats st;
	diag_log_get_stats(&d, &st);
	assert_int_equal(n, fit);
	assert_int_equal(st.buffer_lines, n);
	assert_int_equal(st.overwritten, 200 - n);
	assert_int_equal(st.messages, 200);
	/* Whole lines, oldest first, ending with the newest. */
	char want_last[64];
	snprintf(want_last, sizeof(want_last), "with seq # 200\n");
	assert_string_equal(text + strlen(text) - strlen(want_last), want_last);
	assert_null(strstr(text, "seq # 1\n"));
	free(text);

	/* Growing keeps everything; shrinking keeps the newest lines that fit. */
	assert_int_equal(diag_log_set_buffer_size(&d, 65536), 0);
	fill(&d, 201, 261);
	text = buffer_text(&d, &n);
	assert_int_equal(n, st.buffer_lines + 60);
	free(text);
	assert_int_equal(diag_log_set_buffer_size(&d, 4096), 0);
	text = buffer_text(&d, &n);
	assert_int_equal(n, fit);
	assert_non_null(strstr(text, "with seq # 227\n"));
	assert_null(strstr(text, "with seq # 226\n"));
	free(text);

	diag_log_clear(&d);
	text = buffer_text(&d, &n);
	assert_int_equal(n, 0);
	free(text);

	/* logging buffered off: nothing stored, the hook still sees the line. */
	diag_log_set_buffered(&d, false);
	size_t seen = c.n;
	fill(&d, 1, 3);
	assert_int_equal(c.n, seen + 2);
	text = buffer_text(&d, &n);
	assert_int_equal(n, 0);
	free(text);
	diag_free(&d);
}

static void test_foreach_stops_when_asked(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	fill(&d, 1, 6);
	struct collect col = {.out = DBUF_INIT, .d = &d, .stop_after = 2};
	assert_int_equal(diag_log_foreach(&d, collect_line, &col), 1);
	assert_int_equal(col.n, 2);
	dbuf_free(&col.out);
	diag_free(&d);
}

static void inv_spi(struct diag *d, uint32_t src)
{
	char s[DIAG_IP4_STRLEN];
	diag_log_src(d, DIAG_MSG_RECVD_PKT_INV_SPI, src, "192.168.14.2", 50, 0x8BF147EF, 0x8BF147EF,
		     diag_ip4(src, s), "eth1");
}

static void test_rate_limit_per_source_and_message(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	const uint32_t a = 0xC0A80D02, b = 0xC0A80D03; /* 192.168.13.2 / .3 */

	for (int i = 0; i < 5; i++) {
		inv_spi(&d, a);
		clock_fake_advance(&clk, NS_PER_SEC);
	}
	assert_int_equal(c.n, 1);
	assert_string_equal(
	    capture_last(&c),
	    "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi "
	    "for destaddr=192.168.14.2, prot=50, spi=0x8BF147EF(2347845615), "
	    "srcaddr=192.168.13.2, input interface=eth1");
	/* Another source, another message: own budgets. */
	inv_spi(&d, b);
	diag_log_src(&d, DIAG_MSG_PKT_REPLAY_ERR, a, 13, 1);
	assert_int_equal(c.n, 3);
	/* Control-plane messages are never limited. */
	for (int i = 0; i < 3; i++)
		diag_log(&d, DIAG_MSG_GM_RE_REGISTER, "G1");
	assert_int_equal(c.n, 6);

	/* 60 s after the first one passed: the next carries the count. */
	clock_fake_advance(&clk, 55 * NS_PER_SEC);
	inv_spi(&d, a);
	assert_int_equal(c.n, 7);
	assert_non_null(strstr(capture_last(&c), "input interface=eth1 (4 similar suppressed)"));
	inv_spi(&d, a);
	assert_int_equal(c.n, 7);
	clock_fake_advance(&clk, 60 * NS_PER_SEC);
	inv_spi(&d, a);
	assert_non_null(strstr(capture_last(&c), "(1 similar suppressed)"));
	clock_fake_advance(&clk, 60 * NS_PER_SEC);
	inv_spi(&d, a);
	assert_null(strstr(capture_last(&c), "suppressed"));

	struct diag_log_stats st;
	diag_log_get_stats(&d, &st);
	assert_int_equal(st.rate_limited, 5);
	diag_free(&d);
}

/* A flood of spoofed sources cannot grow memory; every source still gets its first line. */
static void test_rate_limit_table_is_bounded(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	for (uint32_t src = 1; src <= 5000; src++)
		diag_log_src(&d, DIAG_MSG_RECVD_PKT_MAC_ERR, src, 1, 0x1234, "x");
	assert_int_equal(c.n, 5000);
	diag_free(&d);
}

static void test_long_lines_are_cut(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_log(&d, DIAG_MSG_GM_UNREGISTER, big);
	assert_int_equal(strlen(capture_last(&c)), DIAG_LINE_MAX);
	size_t n;
	char *text = buffer_text(&d, &n);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(text), strlen("*Nov 22 12:34:56.789: ") + DIAG_LINE_MAX + 1);
	free(text);
	diag_free(&d);
}

static void test_syslog_output_is_counted(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	diag_set_syslog(&d, true);
	diag_log(&d, DIAG_MSG_GDOI_ON_OFF, "ON");
	diag_set_syslog(&d, false);
	diag_log(&d, DIAG_MSG_GDOI_ON_OFF, "OFF");
	struct diag_log_stats st;
	diag_log_get_stats(&d, &st);
	assert_int_equal(st.syslog_lines, 1);
	assert_int_equal(st.messages, 2);
	diag_free(&d);
}

static void *log_many(void *arg)
{
	for (int i = 0; i < 1000; i++)
		diag_log((struct diag *)arg, DIAG_MSG_KS_UNSOL_ACK, (uint32_t)i, "10.1.13.2", "G1");
	return NULL;
}

/* Data-plane workers and the control thread share one context. */
static void test_threads_share_a_context(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	diag_set_hook(&d, NULL, NULL);
	assert_int_equal(diag_log_set_buffer_size(&d, 1024 * 1024), 0);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, log_many, &d), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	struct diag_log_stats st;
	diag_log_get_stats(&d, &st);
	assert_int_equal(st.messages, 4000);
	assert_int_equal(st.buffer_lines, 4000);
	diag_free(&d);
}

static void test_ip4(void **state)
{
	(void)state;
	char s[DIAG_IP4_STRLEN];
	assert_string_equal(diag_ip4(0x0A010D02, s), "10.1.13.2");
	assert_string_equal(diag_ip4(0xFFFFFFFF, s), "255.255.255.255");
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_lines_carry_millisecond_stamps),
		TEST(test_buffer_evicts_oldest_and_resizes),
		TEST(test_foreach_stops_when_asked),
		TEST(test_rate_limit_per_source_and_message),
		TEST(test_rate_limit_table_is_bounded),
		TEST(test_long_lines_are_cut),
		TEST(test_syslog_output_is_counted),
		TEST(test_threads_share_a_context),
		TEST(test_ip4),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
