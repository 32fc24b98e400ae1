/*
 * gdoi/sid: the GAP SENDER_ID_REQUEST and the KD SID key packet through
 * the wire and back, the GM's refusals of malformed SID packets (each with
 * a reason), which transforms need a SID, and the version number the key
 * server logs for a member.
 */
#include "test.h"

#include "gdoi/caps.h"
#include "gdoi/sid.h"
#include "util/err.h"
#include "wire/build.h"
#include "wire/names.h"

static struct gdoi_arena arena;
static struct wire_kd kd, kd2;
static uint8_t msg[4096];
static char why[160];

/* kd as bytes in a message and decoded again into kd2. */
static void through_wire(void)
{
	struct wire_builder b;
	struct wire_isakmp_hdr h = {.version = WIRE_ISAKMP_VERSION,
				    .exch = WIRE_EXCH_GROUPKEY_PULL};
	wire_build_init(&b, msg, sizeof(msg), &h);
	wire_build_kd(&b, &kd);
	int len = wire_build_finish(&b);
	assert_true(len > 0);
	struct wire_msg m;
	assert_int_equal(wire_msg_decode(msg, (size_t)len, &m, NULL), 0);
	assert_int_equal(wire_kd_decode(&m.pl[0], &kd2, NULL), 0);
}

static void test_kd_roundtrip(void **state)
{
	(void)state;
	static const struct gdoi_sids cases[] = {
	    {.bits = 16, .n = 1, .v = {1}},
	    {.bits = 16, .n = 1, .v = {65535}},
	    {.bits = 1, .n = 2, .v = {0, 1}},
	    {.bits = 32, .n = 4, .v = {7, 0xfffffffeu, 0xffffffffu, 3}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kd.n_packets = 0;
		assert_int_equal(gdoi_sid_kd_encode(&cases[i], &arena, &kd), 0);
		through_wire();
		gdoi_arena_wipe(&arena);
		assert_int_equal(kd2.n_packets, 1);
		assert_int_equal(kd2.pk[0].type, WIRE_KD_SID);
		assert_int_equal(kd2.pk[0].spi_size, 0);
		struct gdoi_sids out;
		assert_int_equal(gdoi_sid_kd_decode(&kd2, &out, why, sizeof(why)), 0);
		assert_int_equal(out.bits, cases[i].bits);
		assert_int_equal(out.n, cases[i].n);
		assert_memory_equal(out.v, cases[i].v, cases[i].n * sizeof(out.v[0]));
	}
}

static void test_kd_without_sid_packet(void **state)
{
	(void)state;
	struct gdoi_sids out = {.bits = 9, .n = 1};
	kd.n_packets = 0;
	assert_int_equal(gdoi_sid_kd_decode(&kd, &out, why, sizeof(why)), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(out.bits, 0);
}

/* SID key packets with these attribute octets, through the wire. */
struct sid_case {
	const char *what;
	size_t len;
	uint8_t attrs[48];
};

#define BITS(n)	 0x80, 1, 0, (n)	  /* NUMBER_OF_SID_BITS, basic */
#define SID(v)	 0, 2, 0, 4, 0, 0, 0, (v) /* SID_VALUE, 4 octets */
#define BITS_V16 0, 1, 0, 4, 0, 0, 0, 16  /* NUMBER_OF_SID_BITS, variable */

static const struct sid_case malformed[] = {
    {"bits 0", 12, {BITS(0), SID(0)}},
    {"bits 33", 12, {BITS(33), SID(1)}},
    {"bits not basic", 16, {BITS_V16, SID(1)}},
    {"bits twice", 16, {BITS(16), BITS(8), SID(1)}},
    {"no bits", 8, {SID(1)}},
    {"no value", 4, {BITS(16)}},
    {"value of 3 octets", 11, {BITS(16), 0, 2, 0, 3, 0, 0, 1}},
    {"value basic", 8, {BITS(16), 0x80, 2, 0, 1}},
    {"value too big", 12, {BITS(16), 0, 2, 0, 4, 0, 1, 0, 0}},
    {"five values", 44, {BITS(1), SID(1), SID(0), SID(1), SID(0), SID(1)}},
};

/* An unknown attribute is not ours to judge: ignored. */
static const struct sid_case good = {"good", 16, {0x80, 99, 0, 5, BITS(12), SID(0xff)}};

static int decode_case(const struct sid_case *c, size_t packets, struct gdoi_sids *out)
{
	kd.n_packets = 0;
	for (size_t i = 0; i < packets; i++) {
		kd.pk[i] = (struct wire_kd_packet){.type = WIRE_KD_SID};
		assert_int_equal(wire_attrs_from(&kd.pk[i].attrs, c->attrs, c->len, NULL), 0);
		kd.n_packets++;
	}
	through_wire();
	why[0] = 0;
	int rc = gdoi_sid_kd_decode(&kd2, out, why, sizeof(why));
	if (rc < 0) {
		assert_int_equal(rc, ERR_INVAL);
		assert_true(why[0] != 0);
		assert_int_equal(out->n, 0);
	}
	return rc;
}

static void test_malformed_sid_packets_refused(void **state)
{
	(void)state;
	struct gdoi_sids out;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		if (decode_case(&malformed[i], 1, &out) != ERR_INVAL)
			fail_msg("%s accepted", malformed[i].what);
	assert_int_equal(decode_case(&good, 1, &out), 0);
	assert_int_equal(out.bits, 12);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0], 0xff);
	/* gdoid's 2-octet SID_VALUE */
	static const struct sid_case two = {"2 octets", 10, {BITS(16), 0, 2, 0, 2, 0x12, 0x34}};
	assert_int_equal(decode_case(&two, 1, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0], 0x1234);
	/* Two SID key packets: which one would count? Neither. */
	assert_int_equal(decode_case(&good, 2, &out), ERR_INVAL);
	assert_non_null(strstr(why, "more than one"));
}

static void test_request_roundtrip(void **state)
{
	(void)state;
	uint8_t buf[GDOI_SID_REQ_LEN];
	struct wire_gap gap, gap2;
	gdoi_sid_request_encode(1, buf, &gap);
	struct wire_builder b;
	struct wire_isakmp_hdr h = {.version = WIRE_ISAKMP_VERSION,
				    .exch = WIRE_EXCH_GROUPKEY_PULL};
	wire_build_init(&b, msg, sizeof(msg), &h);
	wire_build_gap(&b, &gap);
	int len = wire_build_finish(&b);
	assert_true(len > 0);
	struct wire_msg m;
	assert_int_equal(wire_msg_decode(msg, (size_t)len, &m, NULL), 0);
	assert_int_equal(m.pl[0].type, WIRE_PL_GAP);
	assert_int_equal(wire_gap_decode(&m.pl[0], &gap2, NULL), 0);
	uint16_t n = 0;
	assert_int_equal(gdoi_sid_request_decode(&gap2, &n), 0);
	assert_int_equal(n, 1);
}

static void test_request_absent_or_malformed(void **state)
{
	(void)state;
	static uint8_t attrs[32];
	struct buf_writer w;
	struct wire_gap gap = {0};
	uint16_t n = 7;
	buf_w_init(&w, attrs, sizeof(attrs));
	wire_attr_put_tv(&w, WIRE_GAPA_ATD, 30); /* a GAP without the request */
	assert_int_equal(wire_attrs_from(&gap.attrs, attrs, w.len, NULL), 0);
	assert_int_equal(gdoi_sid_request_decode(&gap, &n), 0);
	assert_int_equal(n, 0);
	static const uint8_t nine[9] = {0};
	buf_w_init(&w, attrs, sizeof(attrs));
	wire_attr_put_tlv(&w, WIRE_GAPA_SENDER_ID_REQUEST, nine, sizeof(nine));
	assert_int_equal(wire_attrs_from(&gap.attrs, attrs, w.len, NULL), 0);
	assert_int_equal(gdoi_sid_request_decode(&gap, &n), ERR_INVAL);
}

static void test_which_transforms_need_a_sid(void **state)
{
	(void)state;
	struct gdoi_transform gcm = {GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE};
	struct gdoi_transform cbc = {GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256};
	assert_true(gdoi_sid_counter_mode(&gcm));
	assert_false(gdoi_sid_counter_mode(&cbc));
	static struct gdoi_policy p;
	p.n_teks = 2;
	p.tek[0].xf = cbc;
	p.tek[1].xf = cbc;
	assert_false(gdoi_sid_policy_needs(&p));
	p.tek[1].xf = gcm;
	assert_true(gdoi_sid_policy_needs(&p));
	assert_int_equal(gdoi_sid_max(16), 65535);
	assert_int_equal(gdoi_sid_max(1), 1);
	assert_int_equal(gdoi_sid_max(32), UINT32_MAX);
	assert_int_equal(gdoi_sid_max(0), 0);
}

/* What a member's show says (1.0.27) and what a KS logs about it (0x1001B) agree. */
static void test_version_shown_and_logged_agree(void **state)
{
	(void)state;
	struct gdoi_peer_caps me = {
	    .gvpn = true, .major = GDOI_VERSION_MAJOR, .minor = GDOI_VERSION_MINOR};
	uint32_t code = gdoi_caps_version_code(&me);
	char text[16];
	snprintf(text, sizeof(text), "%u.%u.%u", (unsigned)(code >> 16),
		 (unsigned)(code >> 8 & 0xff), (unsigned)(code & 0xff));
	assert_string_equal(text, GDOI_VERSION_TEXT);
	assert_string_equal(GDOI_VERSION_TEXT, "1.0.27");
	assert_int_equal(code, 0x1001B);
	struct gdoi_peer_caps plain = {0};
	assert_int_equal(gdoi_caps_version_code(&plain), 0);
	assert_true(GDOI_CAPS_ALL & GDOI_CAP_GCM_SID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_kd_roundtrip),
	    TEST(test_kd_without_sid_packet),
	    TEST(test_malformed_sid_packets_refused),
	    TEST(test_request_roundtrip),
	    TEST(test_request_absent_or_malformed),
	    TEST(test_which_transforms_need_a_sid),
	    TEST(test_version_shown_and_logged_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
