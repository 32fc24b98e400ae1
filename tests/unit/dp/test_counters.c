/* dp/counters: every counter and drop reason has a unique name; per-worker blocks sum. */
#include "test.h"

#include "dp/counters.h"

static void test_names_complete_and_unique(void **state)
{
	(void)state;
	for (int i = 0; i < DP_CTR_COUNT; i++) {
		const char *a = dp_counters_ctr_name((enum dp_ctr)i);
		assert_non_null(a);
		assert_string_not_equal(a, "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a, dp_counters_ctr_name((enum dp_ctr)j));
	}
	for (int i = 0; i < DP_DROP_COUNT; i++) {
		const char *a = dp_counters_drop_name((enum dp_drop)i);
		assert_non_null(a);
		assert_string_not_equal(a, "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a, dp_counters_drop_name((enum dp_drop)j));
	}
	assert_string_equal(dp_counters_ctr_name(DP_CTR_COUNT), "?");
	assert_string_equal(dp_counters_drop_name(DP_DROP_COUNT), "?");
	assert_string_equal(dp_counters_drop_name(DP_DROP_MAC_FAIL), "mac_fail");
	assert_string_equal(dp_counters_drop_name(DP_DROP_REPLAY_TBAR), "replay_tbar");
	assert_string_equal(dp_counters_ctr_name(DP_CTR_SPI_FOUND), "spi_lookup");
}

static void test_blocks_sum_and_clear(void **state)
{
	(void)state;
	struct dp_counters *b = dp_counters_alloc(3);
	assert_non_null(b);
	assert_int_equal((uintptr_t)&b[1] % DP_CACHE_LINE, 0);
	assert_int_equal(sizeof(b[0]) % DP_CACHE_LINE, 0);
	for (size_t w = 0; w < 3; w++) {
		for (size_t k = 0; k <= w; k++)
			dp_counters_inc(&b[w], DP_CTR_LAN_IN);
		dp_counters_drop(&b[w], DP_DROP_BAD_SPI);
	}
	dp_counters_drop(&b[2], DP_DROP_MAC_FAIL);
	struct dp_counters_total t;
	dp_counters_sum(b, 3, &t);
	assert_int_equal(t.ctr[DP_CTR_LAN_IN], 6);
	assert_int_equal(t.drop[DP_DROP_BAD_SPI], 3);
	assert_int_equal(t.drop[DP_DROP_MAC_FAIL], 1);
	assert_int_equal(t.drops, 4);
	dp_counters_clear(b, 3);
	dp_counters_sum(b, 3, &t);
	assert_int_equal(t.ctr[DP_CTR_LAN_IN], 0);
	assert_int_equal(t.drops, 0);
	dp_counters_free(b);
	assert_null(dp_counters_alloc(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_names_complete_and_unique),
	    TEST(test_blocks_sum_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
