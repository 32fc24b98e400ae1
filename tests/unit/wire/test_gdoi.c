/*
 * wire/gdoi and wire/kd: GDOI SA (SA KEK, GAP, SA TEK) in both layouts, AUTO
 * detection, Key Download, SEQ; round trips, every truncation of the nested
 * structures, and the length/type/count errors with their exact wording.
 */
#include "test.h"

#include "samples.h"
#include "util/err.h"
#include "wire/build.h"
#include "wire/gdoi.h"
#include "wire/kd.h"
#include "wire/names.h"

static uint8_t buf[8192];
static struct wire_gdoi_sa sa, got;
static struct wire_kd kd, kd2;

/* Encode an SA body at buf + 4 (so body offset 4, as after a generic header at 0). */
static struct wire_payload encode_sa(const struct wire_gdoi_sa *s, enum wire_dialect d)
{
	struct buf_writer w;
	buf_w_init(&w, buf + 4, sizeof(buf) - 4);
	wire_gdoi_sa_encode(&w, s, d);
	assert_true(buf_w_result(&w) > 0);
	buf_store_u16(buf + 2, (uint16_t)(w.len + 4));
	return (struct wire_payload){.type = WIRE_PL_SA, .body = buf + 4, .len = w.len, .off = 0};
}

static struct wire_payload encode_kd(const struct wire_kd *k)
{
	struct buf_writer w;
	buf_w_init(&w, buf + 4, sizeof(buf) - 4);
	wire_kd_encode(&w, k);
	assert_true(buf_w_result(&w) > 0);
	return (struct wire_payload){.type = WIRE_PL_KD, .body = buf + 4, .len = w.len, .off = 0};
}

static void test_sa_round_trips_in_both_layouts_and_auto_tells_them_apart(void **state)
{
	(void)state;
	const enum wire_dialect ds[] = {WIRE_DIALECT_RFC6407, WIRE_DIALECT_GDOID};
	for (int gap = 0; gap < 2; gap++) {
		sample_gdoi_sa(&sa, gap);
		for (size_t i = 0; i < 2; i++) {
			struct wire_payload pl = encode_sa(&sa, ds[i]);
			assert_int_equal(wire_gdoi_sa_decode(&pl, ds[i], &got, NULL), 0);
			assert_true(wire_gdoi_sa_equal(&sa, &got));
			assert_int_equal(got.dialect, ds[i]);
			assert_int_equal(got.attr_next, WIRE_PL_SAK);
			assert_int_equal(got.kek.off, 16);
			assert_int_equal(wire_gdoi_sa_decode(&pl, WIRE_DIALECT_AUTO, &got, NULL), 0);
			assert_true(wire_gdoi_sa_equal(&sa, &got));
			assert_int_equal(got.dialect, ds[i]);
			assert_int_equal(got.teks[1].dialect, ds[i]);
			/* The other layout forced is rejected. */
			assert_true(wire_gdoi_sa_decode(&pl, ds[1 - i], &got, NULL) < 0);
		}
	}
}

static void test_sa_layouts_differ_exactly_in_kek_trailer_and_tek_id_lengths(void **state)
{
	(void)state;
	static uint8_t rfc[1024];
	sample_gdoi_sa(&sa, 0);
	struct wire_payload pl = encode_sa(&sa, WIRE_DIALECT_RFC6407);
	size_t rfc_len = pl.len;
	memcpy(rfc, pl.body, rfc_len);
	pl = encode_sa(&sa, WIRE_DIALECT_GDOID);
	/* +2 after the KEK SPI, -1 for each of the 4 TEK ID lengths. */
	assert_int_equal(pl.len, rfc_len + 2 - 4);
	/* SA KEK: generic header, proto, 2 x (type, port, len 1, data 4), SPI, trailer. */
	size_t kek = 12, trailer = kek + 4 + 1 + 8 + 8 + 16;
	assert_int_equal(buf_load_u16(rfc + kek + 2), 4 + 1 + 16 + 16 + 4 + sa.kek.attrs.len);
	assert_int_equal(buf_load_u16(pl.body + kek + 2), 4 + 1 + 16 + 16 + 6 + sa.kek.attrs.len);
	assert_memory_equal(rfc + trailer, "\0\0\0\0", 4);
	assert_memory_equal(pl.body + trailer, "\0\0\0\0\0\0", 6);
	assert_memory_equal(rfc + trailer + 4, pl.body + trailer + 6, sa.kek.attrs.len);
	/* First SA TEK: 2-octet versus 1-octet SRC ID Data Len of 8. */
	size_t tek_rfc = kek + buf_load_u16(rfc + kek + 2), tek_g = kek + buf_load_u16(pl.body + kek + 2);
	assert_int_equal(buf_load_u16(rfc + tek_rfc + 4 + 5), 8);
	assert_int_equal(pl.body[tek_g + 4 + 5], 8);
}

static void test_sa_encoder_fills_every_next_payload(void **state)
{
	(void)state;
	sample_gdoi_sa(&sa, 1);
	struct wire_payload pl = encode_sa(&sa, WIRE_DIALECT_RFC6407);
	const uint8_t *b = pl.body;
	assert_int_equal(buf_load_u32(b), WIRE_DOI_GDOI);
	assert_int_equal(buf_load_u16(b + 8), WIRE_PL_SAK); /* SA Attribute Next Payload */
	assert_int_equal(buf_load_u16(b + 10), 0);           /* RESERVED2 */
	size_t at = 12;
	const uint8_t chain[] = {WIRE_PL_GAP, WIRE_PL_SAT, WIRE_PL_SAT, WIRE_PL_NONE};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(b[at], chain[i]);
		at += buf_load_u16(b + at + 2);
	}
	assert_int_equal(at, pl.len);
	/* An SA with no KEK starts with the GAP; an empty SA says 0. */
	sa.has_kek = false;
	pl = encode_sa(&sa, WIRE_DIALECT_RFC6407);
	assert_int_equal(buf_load_u16(pl.body + 8), WIRE_PL_GAP);
	memset(&sa, 0, sizeof(sa));
	sa.doi = WIRE_DOI_GDOI;
	pl = encode_sa(&sa, WIRE_DIALECT_RFC6407);
	assert_int_equal(pl.len, 12);
	assert_int_equal(buf_load_u16(pl.body + 8), 0);
	assert_int_equal(wire_gdoi_sa_decode(&pl, WIRE_DIALECT_AUTO, &got, NULL), 0);
	assert_false(got.has_kek || got.has_gap || got.n_teks);
}

/* Decode the SA at buf with dialect d and return the error text. */
static int sa_err(size_t len, enum wire_dialect d, char *text, size_t cap)
{
	struct wire_err e;
	struct wire_payload pl = {.type = WIRE_PL_SA, .body = buf + 4, .len = len, .off = 0};
	wire_err_clear(&e);
	int rc = wire_gdoi_sa_decode(&pl, d, &got, &e);
	wire_err_format(&e, text, cap);
	return rc;
}

static void test_sa_errors_name_payload_field_offset_and_values(void **state)
{
	(void)state;
	char t[200];
	sample_gdoi_sa(&sa, 0);
	struct wire_payload pl = encode_sa(&sa, WIRE_DIALECT_RFC6407);
	size_t len = pl.len;
	size_t kek = 16;                             /* absolute offset of the SA KEK */
	size_t tek = kek + buf_load_u16(buf + kek + 2); /* first SA TEK */
	/* SRC ID Data Len of the first TEK: 300 where 8 are the data and then more. */
	size_t src_len_at = tek + 4 + 1 + 1 + 1 + 2;
	buf_store_u16(buf + src_len_at, 300);
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_BADLEN);
	size_t left = buf_load_u16(buf + tek + 2) - (src_len_at + 2 - tek);
	char want[200];
	snprintf(want, sizeof(want),
		 "SA TEK: SRC ID Data Len at offset %zu: 300 exceeds the %zu bytes left "
		 "(PAYLOAD-MALFORMED)", src_len_at, left);
	assert_string_equal(t, want);
	buf_store_u16(buf + src_len_at, 4); /* 4 octets for an IPv4 subnet */
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_BADLEN);
	assert_non_null(strstr(t, "INVALID-ID-INFORMATION"));
	buf_store_u16(buf + src_len_at, 8);
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), 0);
	/* DOI 1 in a GDOI SA. */
	buf[4 + 3] = 1;
	assert_int_equal(sa_err(len, WIRE_DIALECT_AUTO, t, sizeof(t)), ERR_INVAL);
	assert_string_equal(t, "SA: Domain of Interpretation at offset 4: 1, expected 2 (GDOI) "
			       "(DOI-NOT-SUPPORTED)");
	buf[4 + 3] = 2;
	/* Nested type that is not SA KEK / SA TEK / GAP. */
	buf[4 + 9] = WIRE_PL_KD;
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_INVAL);
	assert_string_equal(t, "SA: SA Attribute Next Payload at offset 12: unknown payload "
			       "type 17 (INVALID-PAYLOAD-TYPE)");
	buf[4 + 9] = WIRE_PL_SAK;
	buf[tek] = WIRE_PL_ID;
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_INVAL);
	assert_non_null(strstr(t, "SA TEK: Next Payload at offset"));
}

/* An SA body at buf + 4 whose nested payloads are the sample KEK / GAP / first TEK in this order. */
static size_t custom_sa(const uint8_t *types, size_t n)
{
	struct buf_writer w;
	sample_gdoi_sa(&sa, 1);
	buf_w_init(&w, buf + 4, sizeof(buf) - 4);
	buf_put_u32(&w, WIRE_DOI_GDOI);
	buf_put_u32(&w, 0);
	buf_put_u16(&w, n ? types[0] : 0);
	buf_put_u16(&w, 0);
	for (size_t i = 0; i < n; i++) {
		size_t at = wire_gen_begin(&w);
		wire_gen_set_next(&w, at, i + 1 < n ? types[i + 1] : 0);
		if (types[i] == WIRE_PL_SAK)
			wire_sa_kek_encode(&w, &sa.kek, WIRE_DIALECT_RFC6407);
		else if (types[i] == WIRE_PL_GAP)
			wire_gap_encode(&w, &sa.gap);
		else
			wire_sa_tek_encode(&w, &sa.teks[0], WIRE_DIALECT_RFC6407);
		wire_gen_end(&w, at);
	}
	assert_true(buf_w_result(&w) > 0);
	return w.len;
}

static void test_sa_accepts_any_order_but_one_kek_and_one_gap(void **state)
{
	(void)state;
	char t[200];
	const uint8_t reversed[] = {WIRE_PL_SAT, WIRE_PL_GAP, WIRE_PL_SAT, WIRE_PL_SAK};
	size_t len = custom_sa(reversed, 4);
	assert_int_equal(sa_err(len, WIRE_DIALECT_AUTO, t, sizeof(t)), 0);
	assert_true(got.has_kek && got.has_gap);
	assert_int_equal(got.n_teks, 2);
	assert_int_equal(got.attr_next, WIRE_PL_SAT);
	const uint8_t two_gaps[] = {WIRE_PL_SAK, WIRE_PL_GAP, WIRE_PL_GAP};
	len = custom_sa(two_gaps, 3);
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_PROTO);
	size_t second_gap = 16 + buf_load_u16(buf + 16 + 2) + 12;
	char want[120];
	snprintf(want, sizeof(want), "SA: GAP at offset %zu: more than 1 present "
		 "(PAYLOAD-MALFORMED)", second_gap);
	assert_string_equal(t, want);
	const uint8_t two_keks[] = {WIRE_PL_SAK, WIRE_PL_SAT, WIRE_PL_SAK};
	len = custom_sa(two_keks, 3);
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_PROTO);
	assert_non_null(strstr(t, "SA: SA KEK at offset"));
	/* Bytes after the last nested payload. */
	len = custom_sa(reversed, 4);
	assert_int_equal(sa_err(len + 3, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_TRAILING);
	assert_non_null(strstr(t, "3 bytes left over"));
}

static void test_sa_limit_on_tek_count(void **state)
{
	(void)state;
	char t[200];
	uint8_t types[WIRE_GDOI_MAX_TEKS + 1];
	memset(types, WIRE_PL_SAT, sizeof(types));
	size_t len = custom_sa(types, WIRE_GDOI_MAX_TEKS);
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), 0);
	assert_int_equal(got.n_teks, WIRE_GDOI_MAX_TEKS);
	len = custom_sa(types, WIRE_GDOI_MAX_TEKS + 1);
	assert_int_equal(sa_err(len, WIRE_DIALECT_RFC6407, t, sizeof(t)), ERR_LIMIT);
	assert_non_null(strstr(t, "65 exceeds the limit of 64"));
}

static void test_every_truncation_of_the_sa_body_is_rejected(void **state)
{
	(void)state;
	const enum wire_dialect ds[] = {WIRE_DIALECT_RFC6407, WIRE_DIALECT_GDOID,
					WIRE_DIALECT_AUTO};
	sample_gdoi_sa(&sa, 1);
	for (size_t i = 0; i < 3; i++) {
		struct wire_payload pl = encode_sa(&sa, i == 2 ? WIRE_DIALECT_GDOID : ds[i]);
		for (size_t len = 0; len < pl.len; len++) {
			struct wire_payload cut = pl;
			struct wire_err e;
			cut.len = len;
			assert_true(wire_gdoi_sa_decode(&cut, ds[i], &got, &e) < 0);
			assert_true(e.offset <= 4 + len);
			assert_int_equal(e.notify, WIRE_N_PAYLOAD_MALFORMED);
		}
	}
}

static void test_kek_and_tek_decoders_stand_alone(void **state)
{
	(void)state;
	struct wire_sa_kek k;
	struct wire_sa_tek t;
	struct buf_writer w;
	sample_gdoi_sa(&sa, 0);
	for (int d = WIRE_DIALECT_RFC6407; d <= WIRE_DIALECT_GDOID; d++) {
		buf_w_init(&w, buf, sizeof(buf));
		wire_sa_kek_encode(&w, &sa.kek, (enum wire_dialect)d);
		struct wire_payload pl = {.type = WIRE_PL_SAK, .body = buf, .len = w.len};
		assert_int_equal(wire_sa_kek_decode(&pl, WIRE_DIALECT_AUTO, &k, NULL), 0);
		assert_true(wire_sa_kek_equal(&sa.kek, &k));
		assert_int_equal(k.dialect, d);
		buf_w_init(&w, buf, sizeof(buf));
		wire_sa_tek_encode(&w, &sa.teks[1], (enum wire_dialect)d);
		pl = (struct wire_payload){.type = WIRE_PL_SAT, .body = buf, .len = w.len};
		assert_int_equal(wire_sa_tek_decode(&pl, WIRE_DIALECT_AUTO, &t, NULL), 0);
		assert_true(wire_sa_tek_equal(&sa.teks[1], &t));
		assert_int_equal(t.dialect, d);
	}
	/* A TEK of another protocol keeps its octets undecoded. */
	static const uint8_t other[] = {128, 1, 2, 3};
	struct wire_payload pl = {.type = WIRE_PL_SAT, .body = other, .len = sizeof(other)};
	assert_int_equal(wire_sa_tek_decode(&pl, WIRE_DIALECT_RFC6407, &t, NULL), 0);
	assert_int_equal(t.proto_id, 128);
	assert_int_equal(t.other_len, 3);
	buf_w_init(&w, buf, sizeof(buf));
	wire_sa_tek_encode(&w, &t, WIRE_DIALECT_RFC6407);
	assert_memory_equal(buf, other, sizeof(other));
	/* An ID longer than a 1-octet length can say cannot be encoded. */
	static uint8_t long_id[300];
	sa.kek.src.data = long_id;
	sa.kek.src.type = WIRE_ID_KEY_ID;
	sa.kek.src.len = 300;
	buf_w_init(&w, buf, sizeof(buf));
	wire_sa_kek_encode(&w, &sa.kek, WIRE_DIALECT_RFC6407);
	assert_int_equal(buf_w_result(&w), ERR_LIMIT);
}

static void test_gap_and_seq(void **state)
{
	(void)state;
	struct wire_gap g;
	uint32_t seq;
	struct buf_writer w;
	struct wire_attr a;
	sample_gdoi_sa(&sa, 1);
	buf_w_init(&w, buf, sizeof(buf));
	wire_gap_encode(&w, &sa.gap);
	struct wire_payload pl = {.type = WIRE_PL_GAP, .body = buf, .len = w.len};
	assert_int_equal(wire_gap_decode(&pl, &g, NULL), 0);
	assert_true(wire_gap_equal(&g, &sa.gap));
	assert_true(wire_attrs_find(&g.attrs, WIRE_GAPA_ATD, &a));
	assert_int_equal(a.value, 60);
	buf_w_init(&w, buf, sizeof(buf));
	wire_seq_encode(&w, 0xfedcba98);
	pl = (struct wire_payload){.type = WIRE_PL_SEQ, .body = buf, .len = 4, .off = 40};
	assert_int_equal(wire_seq_decode(&pl, &seq, NULL), 0);
	assert_int_equal(seq, 0xfedcba98);
	for (size_t len = 0; len < 9; len++) {
		struct wire_err e;
		pl.len = len;
		if (len == 4)
			continue;
		assert_int_equal(wire_seq_decode(&pl, &seq, &e), ERR_BADLEN);
		assert_int_equal(e.offset, 44);
	}
}

static void test_kd_round_trip_and_lookup(void **state)
{
	(void)state;
	sample_kd(&kd, 1);
	struct wire_payload pl = encode_kd(&kd);
	assert_int_equal(wire_kd_decode(&pl, &kd2, NULL), 0);
	assert_true(wire_kd_equal(&kd, &kd2));
	assert_int_equal(kd2.n_packets, 4);
	/* Layout: count, reserved, then the KEK packet with its KD Length. */
	assert_int_equal(buf_load_u16(pl.body), 4);
	assert_int_equal(buf_load_u16(pl.body + 4 + 2), 4 + 1 + 16 + kd.pk[0].attrs.len);
	assert_int_equal(kd2.pk[0].off, 8);
	const uint8_t spi[4] = {0x55, 0x66, 0x77, 0x88};
	const struct wire_kd_packet *p = wire_kd_find(&kd2, WIRE_KD_TEK, spi, 4);
	assert_ptr_equal(p, &kd2.pk[2]);
	struct wire_attr a;
	assert_true(wire_attrs_find(&p->attrs, WIRE_KDA_TEK_ALG_KEY, &a));
	assert_int_equal(a.len, 36);
	assert_null(wire_kd_find(&kd2, WIRE_KD_KEK, spi, 4));
	assert_non_null(wire_kd_find(&kd2, WIRE_KD_SID, NULL, 0));
	kd2.pk[3].attrs.count = 1;
	assert_false(wire_kd_equal(&kd, &kd2));
}

static int kd_err(size_t len, struct wire_err *e)
{
	struct wire_payload pl = {.type = WIRE_PL_KD, .body = buf + 4, .len = len, .off = 0};
	return wire_kd_decode(&pl, &kd2, e);
}

static void test_kd_rejects_counts_lengths_and_spi_sizes(void **state)
{
	(void)state;
	struct wire_err e;
	sample_kd(&kd, 0);
	size_t len = encode_kd(&kd).len;
	size_t p2 = 8 + buf_load_u16(buf + 8 + 2); /* second key packet */
	buf_store_u16(buf + 4, 4);
	assert_int_equal(kd_err(len, &e), ERR_PROTO);
	assert_string_equal(e.field, "Number of Key Packets");
	assert_int_equal(e.actual, 3);
	assert_int_equal(e.expected, 4);
	buf_store_u16(buf + 4, 2);
	assert_int_equal(kd_err(len, &e), ERR_TRAILING);
	buf_store_u16(buf + 4, 3);
	assert_int_equal(kd_err(len, &e), 0);
	buf[p2 + 4] = 16; /* TEK with a 16-octet SPI */
	assert_int_equal(kd_err(len, &e), ERR_BADLEN);
	assert_int_equal(e.notify, WIRE_N_INVALID_SPI);
	assert_int_equal(e.offset, p2 + 4);
	buf[p2 + 4] = 4;
	uint16_t l2 = buf_load_u16(buf + p2 + 2);
	buf_store_u16(buf + p2 + 2, 4);
	assert_int_equal(kd_err(len, &e), ERR_BADLEN);
	assert_int_equal(e.kind, WIRE_ERR_TOO_SHORT);
	buf_store_u16(buf + p2 + 2, (uint16_t)(len + 1));
	assert_int_equal(kd_err(len, &e), ERR_BADLEN);
	assert_int_equal(e.kind, WIRE_ERR_EXCEEDS);
	assert_string_equal(e.field, "KD Length");
	buf_store_u16(buf + p2 + 2, (uint16_t)(l2 - 1)); /* last attribute now runs past */
	assert_int_equal(kd_err(len, &e), ERR_BADLEN);
	assert_string_equal(e.field, "attribute length");
	for (size_t cut = 0; cut < len; cut++)
		assert_true(kd_err(cut, &e) < 0 || cut == 0);
	assert_int_equal(kd_err(0, &e), ERR_BADLEN);
}

static void test_pull_and_push_messages_decode_in_both_layouts(void **state)
{
	(void)state;
	const enum sample_msg msgs[] = {SAMPLE_PULL2, SAMPLE_PULL2_GAP, SAMPLE_PUSH};
	for (int d = WIRE_DIALECT_RFC6407; d <= WIRE_DIALECT_GDOID; d++) {
		struct sample_opt o = {.p1_doi = WIRE_DOI_GDOI, .dialect = (enum wire_dialect)d};
		for (size_t i = 0; i < 3; i++) {
			size_t len = sample_build(msgs[i], &o, buf, sizeof(buf));
			struct wire_msg m;
			assert_int_equal(sample_decode_all(buf, len, WIRE_DIALECT_AUTO, &m, NULL), 0);
			const struct wire_payload *pl = wire_msg_find(&m, WIRE_PL_SA, 0);
			assert_non_null(pl);
			assert_int_equal(wire_gdoi_sa_decode(pl, WIRE_DIALECT_AUTO, &got, NULL), 0);
			assert_int_equal(got.dialect, d);
			sample_gdoi_sa(&sa, msgs[i] == SAMPLE_PULL2_GAP);
			assert_true(wire_gdoi_sa_equal(&sa, &got));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_sa_round_trips_in_both_layouts_and_auto_tells_them_apart),
		TEST(test_sa_layouts_differ_exactly_in_kek_trailer_and_tek_id_lengths),
		TEST(test_sa_encoder_fills_every_next_payload),
		TEST(test_sa_errors_name_payload_field_offset_and_values),
		TEST(test_sa_accepts_any_order_but_one_kek_and_one_gap),
		TEST(test_sa_limit_on_tek_count),
		TEST(test_every_truncation_of_the_sa_body_is_rejected),
		TEST(test_kek_and_tek_decoders_stand_alone),
		TEST(test_gap_and_seq),
		TEST(test_kd_round_trip_and_lookup),
		TEST(test_kd_rejects_counts_lengths_and_spi_sizes),
		TEST(test_pull_and_push_messages_decode_in_both_layouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
