/* wire/attr: TV/TLV attributes, iteration, lookup, integer values and the structural checks. */
#include "test.h"

#include "util/err.h"
#include "wire/attr.h"
#include "wire/names.h"

static void test_writers_produce_tv_and_tlv_forms(void **state)
{
	(void)state;
	uint8_t b[64];
	struct buf_writer w;
	buf_w_init(&w, b, sizeof(b));
	wire_attr_put_tv(&w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(&w, WIRE_TEKA_LIFE_DURATION, 86400);
	wire_attr_put_u64(&w, WIRE_TEKA_GVPN_PSEUDOTIME, 0x0102030405060708ull);
	wire_attr_put_tlv(&w, WIRE_KDA_TEK_ALG_KEY, "\xaa\xbb", 2);
	const uint8_t want[] = {0x80, 0x01, 0x00, 0x01,                         /* TV */
				0x00, 0x02, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80, /* 86400 */
				0x7d, 0x03, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
				0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb};
	assert_int_equal(buf_w_result(&w), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void test_iteration_find_and_integer_values(void **state)
{
	(void)state;
	const uint8_t b[] = {0x80, 0x0b, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x03, 0x01, 0x00, 0x00,
			     0x80, 0x0e, 0x00, 0x80, 0x00, 0x10, 0x00, 0x00};
	struct buf_cursor c;
	struct wire_attrs attrs;
	buf_init(&c, b, sizeof(b));
	c.base = 100;
	assert_int_equal(wire_attrs_decode(&c, "T", &attrs, NULL), 0);
	assert_true(buf_empty(&c));
	assert_int_equal(attrs.count, 4);
	assert_int_equal(attrs.off, 100);
	struct wire_attr_iter it;
	struct wire_attr a;
	uint64_t v;
	wire_attr_iter_init(&it, &attrs);
	assert_true(wire_attr_iter_next(&it, &a));
	assert_true(a.tv);
	assert_int_equal(a.type, WIRE_P1A_LIFE_TYPE);
	assert_int_equal(a.off, 100);
	assert_true(wire_attr_iter_next(&it, &a));
	assert_false(a.tv);
	assert_int_equal(a.len, 3);
	assert_int_equal(a.off, 104);
	assert_int_equal(wire_attr_uint(&a, &v), 0);
	assert_int_equal(v, 0x010000);
	assert_true(wire_attr_iter_next(&it, &a));
	assert_int_equal(wire_attr_uint(&a, &v), 0);
	assert_int_equal(v, 128);
	assert_true(wire_attr_iter_next(&it, &a));
	assert_int_equal(a.len, 0);
	assert_int_equal(wire_attr_uint(&a, &v), ERR_BADLEN); /* empty TLV has no integer */
	assert_false(wire_attr_iter_next(&it, &a));
	assert_true(wire_attrs_find(&attrs, WIRE_P1A_KEY_LENGTH, &a));
	assert_int_equal(a.value, 128);
	assert_false(wire_attrs_find(&attrs, WIRE_P1A_HASH, &a));
}

static int decode(const uint8_t *b, size_t len, struct wire_err *e)
{
	struct buf_cursor c;
	struct wire_attrs attrs;
	buf_init(&c, b, len);
	c.base = 40;
	return wire_attrs_decode(&c, "SA TEK", &attrs, e);
}

static void test_structure_errors(void **state)
{
	(void)state;
	struct wire_err e;
	char t[160];
	const uint8_t past[] = {0x80, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x09, 1, 2, 3, 4};
	assert_int_equal(decode(past, sizeof(past), &e), ERR_BADLEN);
	wire_err_format(&e, t, sizeof(t));
	assert_string_equal(t, "SA TEK: attribute length at offset 46: 9 exceeds the 4 bytes left "
			       "(PAYLOAD-MALFORMED)");
	assert_int_equal(decode(past, 7, &e), ERR_TRUNCATED); /* half an attribute header */
	assert_int_equal(e.offset, 44);
	assert_int_equal(e.actual, 3);
	const uint8_t zero[] = {0x80, 0x00, 0x00, 0x01};
	assert_int_equal(decode(zero, sizeof(zero), &e), ERR_INVAL);
	assert_string_equal(e.field, "attribute type");
	assert_int_equal(decode(zero, 0, &e), 0);
}

static void test_wrap_spans_and_equality(void **state)
{
	(void)state;
	uint8_t b[32], c[32];
	struct buf_writer w;
	struct wire_attrs x, y;
	buf_w_init(&w, b, sizeof(b));
	wire_attr_put_tv(&w, WIRE_GAPA_ATD, 10);
	wire_attr_put_tv(&w, WIRE_GAPA_DTD, 20);
	assert_int_equal(wire_attrs_from(&x, b, w.len, NULL), 0);
	memcpy(c, b, w.len);
	assert_int_equal(wire_attrs_from(&y, c, w.len, NULL), 0);
	assert_true(wire_attrs_equal(&x, &y));
	c[3] = 21;
	assert_false(wire_attrs_equal(&x, &y));
	assert_int_equal(wire_attrs_from(&y, c, 6, NULL), ERR_TRUNCATED);
	struct wire_attr a = {.type = WIRE_GAPA_DTD, .tv = true, .value = 20};
	buf_w_init(&w, c, sizeof(c));
	wire_attr_put(&w, &a);
	wire_attrs_put(&w, &x);
	assert_memory_equal(c, b + 4, 4);
	assert_memory_equal(c + 4, b, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_writers_produce_tv_and_tlv_forms),
		TEST(test_iteration_find_and_integer_values),
		TEST(test_structure_errors),
		TEST(test_wrap_spans_and_equality),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
