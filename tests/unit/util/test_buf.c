/* util/buf: the cursor never reads past its window; the writer's error sticks. */
#include "test.h"

#include "util/buf.h"
#include "util/err.h"

static void test_reads_big_endian(void **state)
{
	(void)state;
	const uint8_t m[] = {1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0, 0, 0, 0, 0, 0, 0, 9};
	struct buf_cursor c;
	buf_init(&c, m, sizeof(m));
	uint8_t a;
	uint16_t b;
	uint32_t d;
	uint64_t e;
	assert_int_equal(buf_get_u8(&c, &a), 0);
	assert_int_equal(a, 1);
	assert_int_equal(buf_get_u16(&c, &b), 0);
	assert_int_equal(b, 0x0203);
	assert_int_equal(buf_get_u32(&c, &d), 0);
	assert_int_equal(d, 0x04050607);
	assert_int_equal(buf_get_u64(&c, &e), 0);
	assert_int_equal(e, 9);
	assert_true(buf_empty(&c));
}

static void test_every_read_past_end_fails_and_consumes_nothing(void **state)
{
	(void)state;
	const uint8_t m[3] = {1, 2, 3};
	for (size_t len = 0; len <= 3; len++) {
		struct buf_cursor c;
		buf_init(&c, m, len);
		uint32_t v32;
		uint64_t v64;
		uint8_t out[4];
		const uint8_t *ref;
		struct buf_cursor sub;
		assert_int_equal(buf_get_u32(&c, &v32), ERR_TRUNCATED);
		assert_int_equal(buf_get_u64(&c, &v64), ERR_TRUNCATED);
		assert_int_equal(buf_get_bytes(&c, out, len + 1), ERR_TRUNCATED);
		assert_int_equal(buf_get_ref(&c, len + 1, &ref), ERR_TRUNCATED);
		assert_int_equal(buf_skip(&c, len + 1), ERR_TRUNCATED);
		assert_int_equal(buf_sub(&c, len + 1, &sub), ERR_TRUNCATED);
		assert_int_equal(buf_left(&c), len);
		if (len < 2) {
			uint16_t v16;
			assert_int_equal(buf_get_u16(&c, &v16), ERR_TRUNCATED);
			assert_int_equal(buf_peek_u16(&c, &v16), ERR_TRUNCATED);
		}
		if (len == 0) {
			uint8_t v8;
			assert_int_equal(buf_get_u8(&c, &v8), ERR_TRUNCATED);
			assert_int_equal(buf_peek_u8(&c, &v8), ERR_TRUNCATED);
		}
	}
}

static void test_sub_cursor_keeps_absolute_offsets(void **state)
{
	(void)state;
	const uint8_t m[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	struct buf_cursor c, sub, subsub;
	buf_init(&c, m, sizeof(m));
	assert_int_equal(buf_skip(&c, 2), 0);
	assert_int_equal(buf_sub(&c, 4, &sub), 0);
	assert_int_equal(buf_offset(&c), 6);
	assert_int_equal(buf_left(&sub), 4);
	assert_int_equal(buf_skip(&sub, 1), 0);
	assert_int_equal(buf_offset(&sub), 3);
	assert_int_equal(buf_sub(&sub, 2, &subsub), 0);
	assert_int_equal(buf_offset(&subsub), 3);
	uint16_t v;
	assert_int_equal(buf_get_u16(&subsub, &v), 0);
	assert_int_equal(v, 0x0304);
	uint8_t x;
	assert_int_equal(buf_get_u8(&subsub, &x), ERR_TRUNCATED);
	assert_int_equal(buf_left(&sub), 1);
}

static void test_writer_error_is_sticky(void **state)
{
	(void)state;
	uint8_t out[6];
	struct buf_writer w;
	buf_w_init(&w, out, sizeof(out));
	buf_put_u16(&w, 0x0102);
	buf_put_u32(&w, 0x03040506);
	assert_int_equal(buf_w_result(&w), 6);
	buf_put_u8(&w, 7);
	assert_int_equal(buf_w_result(&w), ERR_NOSPACE);
	buf_w_init(&w, out, 3);
	buf_put_u32(&w, 1);
	buf_put_u8(&w, 1); /* would fit, but the error sticks */
	assert_int_equal(buf_w_result(&w), ERR_NOSPACE);
	assert_null(buf_put_space(&w, 0));
}

static void test_writer_patch_lengths(void **state)
{
	(void)state;
	uint8_t out[8];
	struct buf_writer w;
	buf_w_init(&w, out, sizeof(out));
	buf_put_u16(&w, 0);
	buf_put_u32(&w, 0xaabbccdd);
	buf_patch_u16(&w, 0, (uint16_t)w.len);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 6);
	buf_patch_u16(&w, 5, 1); /* beyond what was written: ignored */
	assert_int_equal(out[5], 0xdd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_reads_big_endian),
		TEST(test_every_read_past_end_fails_and_consumes_nothing),
		TEST(test_sub_cursor_keeps_absolute_offsets),
		TEST(test_writer_error_is_sticky),
		TEST(test_writer_patch_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
