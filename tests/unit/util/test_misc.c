/* util/hex, util/dbuf, util/list, util/mem, util/clock. */
#include "test.h"

#include <stdlib.h>

#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/list.h"
#include "util/mem.h"

static void test_hex_round_trip_and_errors(void **state)
{
	(void)state;
	uint8_t b[4];
	char s[9];
	assert_int_equal(hex_decode("de ad:BE\nef", b, sizeof(b)), 4);
	assert_int_equal(hex_encode(b, 4, s, sizeof(s)), 8);
	assert_string_equal(s, "deadbeef");
	assert_int_equal(hex_encode_upper(b, 4, s, sizeof(s)), 8);
	assert_string_equal(s, "DEADBEEF");
	assert_int_equal(hex_encode(b, 4, s, 8), ERR_NOSPACE);
	assert_int_equal(hex_decode("abc", b, sizeof(b)), ERR_INVAL);
	assert_int_equal(hex_decode("a bc", b, sizeof(b)), ERR_INVAL);
	assert_int_equal(hex_decode("zz", b, sizeof(b)), ERR_INVAL);
	assert_int_equal(hex_decode("0011223344", b, sizeof(b)), ERR_NOSPACE);
}

static void test_hex_dump_layout(void **state)
{
	(void)state;
	struct dbuf d = DBUF_INIT;
	assert_int_equal(hex_dump(&d, "AB\x01", 3, "  "), 0);
	assert_string_equal(dbuf_str(&d), "  0000: 41 42 01                                         |AB.|\n");
	dbuf_free(&d);
}

static void test_dbuf_grows_and_wipes(void **state)
{
	(void)state;
	struct dbuf d = DBUF_INIT;
	d.secret = true;
	for (int i = 0; i < 100; i++)
		assert_int_equal(dbuf_printf(&d, "%d,", i), 0);
	assert_int_equal(strncmp(dbuf_str(&d), "0,1,2,", 6), 0);
	assert_int_equal(d.len, strlen(dbuf_str(&d)));
	dbuf_reset(&d);
	assert_int_equal(d.len, 0);
	assert_string_equal(dbuf_str(&d), "");
	dbuf_free(&d);
	assert_null(d.p);
}

struct item {
	int key;
	struct list_node link;
	struct htab_node hnode;
};

static void test_list_and_htab(void **state)
{
	(void)state;
	struct list_node head;
	struct htab t;
	list_init(&head);
	assert_int_equal(htab_init(&t, 2), 0);
	struct item items[100];
	for (int i = 0; i < 100; i++) {
		items[i].key = i;
		list_add_tail(&head, &items[i].link);
		htab_insert(&t, &items[i].hnode, hash_bytes(&items[i].key, sizeof(int)));
	}
	assert_int_equal(list_count(&head), 100);
	assert_true(t.nbuckets >= 64);
	int k = 42;
	uint64_t h = hash_bytes(&k, sizeof(k));
	struct htab_node *n = htab_first(&t, h);
	while (n && container_of(n, struct item, hnode)->key != k)
		n = htab_next(n, h);
	assert_non_null(n);
	htab_remove(&t, n);
	list_del(&items[42].link);
	assert_int_equal(t.count, 99);
	assert_int_equal(list_count(&head), 99);
	size_t bucket = 0, seen = 0;
	for (n = htab_iter(&t, &bucket, NULL); n; n = htab_iter(&t, &bucket, n))
		seen++;
	assert_int_equal(seen, 99);
	htab_free(&t);
}

static void test_mem_and_fake_clock(void **state)
{
	(void)state;
	uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8];
	memcpy(b, a, 8);
	assert_true(mem_equal_ct(a, b, 8));
	b[7] ^= 1;
	assert_false(mem_equal_ct(a, b, 8));
	mem_wipe(a, sizeof(a));
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(a[i], 0);
	struct clock c;
	clock_fake_init(&c, 5, 1000);
	clock_fake_advance(&c, 10);
	assert_int_equal(clock_mono_ns(&c), 15);
	assert_int_equal(clock_wall_ns(&c), 1010);
	clock_fake_set(&c, 20);
	assert_int_equal(clock_mono_ns(&c), 20);
	assert_true(clock_mono_ns(&clock_system) > 0);
	assert_string_equal(err_name(ERR_TRUNCATED), "TRUNCATED");
	assert_string_equal(err_name(-1000), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_hex_round_trip_and_errors), TEST(test_hex_dump_layout),
		TEST(test_dbuf_grows_and_wipes),      TEST(test_list_and_htab),
		TEST(test_mem_and_fake_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
