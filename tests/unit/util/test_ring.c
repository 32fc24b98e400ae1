/* util/ring: fixed rings keep the newest n; record rings evict whole records. */
#include "test.h"

#include "util/err.h"
#include "util/ring.h"

static void test_ring_overwrites_oldest(void **state)
{
	(void)state;
	struct ring r;
	assert_int_equal(ring_init(&r, sizeof(int), 3), 0);
	for (int i = 1; i <= 5; i++)
		*(int *)ring_push(&r) = i;
	assert_int_equal(r.count, 3);
	assert_int_equal(*(int *)ring_get(&r, 0), 3);
	assert_int_equal(*(int *)ring_get(&r, 2), 5);
	assert_null(ring_get(&r, 3));
	assert_int_equal(ring_resize(&r, 2), 0);
	assert_int_equal(*(int *)ring_get(&r, 0), 4);
	assert_int_equal(*(int *)ring_get(&r, 1), 5);
	assert_int_equal(ring_resize(&r, 4), 0);
	*(int *)ring_push(&r) = 6;
	assert_int_equal(r.count, 3);
	assert_int_equal(*(int *)ring_get(&r, 2), 6);
	ring_clear(&r);
	assert_null(ring_get(&r, 0));
	ring_free(&r);
}

static void test_rring_evicts_whole_records_and_wraps(void **state)
{
	(void)state;
	struct rring r;
	assert_int_equal(rring_init(&r, 32), 0);
	char rec[16];
	for (int i = 0; i < 20; i++) {
		int n = snprintf(rec, sizeof(rec), "msg-%d", i);
		assert_int_equal(rring_push(&r, rec, (size_t)n), 0);
	}
	/* 32 bytes hold three records of 4 + 5 bytes; the newest three remain. */
	size_t pos = 0;
	char out[16];
	long len;
	const char *want[] = {"msg-17", "msg-18", "msg-19"};
	for (int i = 0; i < 3; i++) {
		len = rring_next(&r, &pos, out, sizeof(out));
		assert_int_equal(len, 6);
		assert_memory_equal(out, want[i], 6);
	}
	assert_int_equal(rring_next(&r, &pos, out, sizeof(out)), -1);
	assert_int_equal(rring_push(&r, rec, 29), ERR_BADLEN);
	assert_int_equal(rring_resize(&r, 12), 0);
	pos = 0;
	assert_int_equal(rring_next(&r, &pos, out, sizeof(out)), 6);
	assert_memory_equal(out, "msg-19", 6);
	assert_int_equal(rring_next(&r, &pos, out, sizeof(out)), -1);
	rring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_ring_overwrites_oldest),
		TEST(test_rring_evicts_whole_records_and_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
