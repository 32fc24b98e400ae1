/*
 * wire/isakmp, payload, p1sa, build: header checks, the payload chain, the
 * generic payload bodies, and whole sample messages (main mode, pull, push,
 * ACK, informational) decoded, re-encoded byte for byte and truncated.
 */
#include "test.h"

#include "samples.h"
#include "util/err.h"
#include "wire/body.h"
#include "wire/build.h"
#include "wire/isakmp.h"
#include "wire/names.h"
#include "wire/p1sa.h"
#include "wire/payload.h"

static uint8_t msg[4096];
static uint8_t out[4096];
static struct wire_msg m;

static size_t build(enum sample_msg s)
{
	return sample_build(s, &sample_default, msg, sizeof(msg));
}

static void test_header_round_trip(void **state)
{
	(void)state;
	struct wire_isakmp_hdr h = {.icookie = {1, 2, 3, 4, 5, 6, 7, 8},
				    .rcookie = {9, 10, 11, 12, 13, 14, 15, 16},
				    .next = WIRE_PL_HASH, .version = 0x10, .exch = 32,
				    .flags = WIRE_FLAG_E, .msgid = 0xdeadbeef, .len = 28};
	uint8_t b[28];
	struct wire_isakmp_hdr d;
	wire_isakmp_hdr_encode(&h, b);
	assert_int_equal(wire_isakmp_hdr_decode(b, sizeof(b), &d, NULL), 0);
	assert_memory_equal(&h, &d, sizeof(h));
	assert_int_equal(b[16], WIRE_PL_HASH);
	assert_int_equal(buf_load_u32(b + 20), 0xdeadbeef);
}

static void expect_hdr_err(const uint8_t *b, size_t len, int code, uint16_t notify, size_t off)
{
	struct wire_isakmp_hdr h;
	struct wire_err e;
	assert_int_equal(wire_isakmp_hdr_decode(b, len, &h, &e), code);
	assert_int_equal(e.notify, notify);
	assert_int_equal(e.offset, off);
	assert_string_equal(e.payload, "ISAKMP header");
}

static void test_header_rejects_bad_version_length_and_short_input(void **state)
{
	(void)state;
	size_t len = build(SAMPLE_MM1);
	expect_hdr_err(msg, 27, ERR_TRUNCATED, WIRE_N_PAYLOAD_MALFORMED, 0);
	msg[17] = 0x20; /* IKEv2 */
	expect_hdr_err(msg, len, ERR_INVAL, WIRE_N_INVALID_MAJOR_VERSION, 17);
	msg[17] = 0x11;
	expect_hdr_err(msg, len, ERR_INVAL, WIRE_N_INVALID_MINOR_VERSION, 17);
	msg[17] = 0x10;
	buf_store_u32(msg + 24, (uint32_t)len + 1);
	expect_hdr_err(msg, len, ERR_BADLEN, WIRE_N_UNEQUAL_PAYLOAD_LENGTHS, 24);
	buf_store_u32(msg + 24, (uint32_t)len - 1);
	expect_hdr_err(msg, len, ERR_TRAILING, WIRE_N_UNEQUAL_PAYLOAD_LENGTHS, 24);
}

static void test_header_rejects_every_undefined_flag(void **state)
{
	(void)state;
	size_t len = build(SAMPLE_PULL1);
	struct wire_isakmp_hdr h;
	for (unsigned bit = 0; bit < 8; bit++) {
		msg[19] = (uint8_t)(1u << bit);
		int rc = wire_isakmp_hdr_decode(msg, len, &h, NULL);
		if ((1u << bit) & WIRE_FLAGS_KNOWN)
			assert_int_equal(rc, 0);
		else
			expect_hdr_err(msg, len, ERR_INVAL, WIRE_N_INVALID_FLAGS, 19);
	}
}

/* Header + raw payloads: each entry {type, body length}, bodies filled with 0xab. */
static size_t chain_msg(const uint8_t *types, const size_t *lens, size_t n, size_t pad)
{
	struct wire_isakmp_hdr h = {.version = 0x10, .exch = WIRE_EXCH_INFO};
	struct wire_builder b;
	static uint8_t body[512];
	memset(body, 0xab, sizeof(body));
	wire_build_init(&b, msg, sizeof(msg), &h);
	for (size_t i = 0; i < n; i++)
		wire_build_raw(&b, types[i], body, lens[i]);
	buf_put_zero(&b.w, pad);
	int len = wire_build_finish(&b);
	assert_true(len > 0);
	return (size_t)len;
}

static void test_chain_yields_payloads_in_order_and_allows_padding(void **state)
{
	(void)state;
	const uint8_t types[] = {WIRE_PL_HASH, WIRE_PL_N, WIRE_PL_VID};
	const size_t lens[] = {20, 12, 0};
	size_t len = chain_msg(types, lens, 3, 7);
	assert_int_equal(wire_msg_decode(msg, len, &m, NULL), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.pad_len, 7);
	size_t off = 28;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(m.pl[i].type, types[i]);
		assert_int_equal(m.pl[i].len, lens[i]);
		assert_int_equal(m.pl[i].off, off);
		assert_ptr_equal(m.pl[i].body, msg + off + 4);
		assert_false(m.pl[i].priv);
		off += 4 + lens[i];
	}
	assert_int_equal(m.pl[2].next, WIRE_PL_NONE);
	assert_ptr_equal(wire_msg_find(&m, WIRE_PL_N, 0), &m.pl[1]);
	assert_null(wire_msg_find(&m, WIRE_PL_N, 1));
}

static void test_chain_reports_private_types_and_rejects_unknown_public_types(void **state)
{
	(void)state;
	const uint8_t priv[] = {WIRE_PL_HASH, WIRE_PL_COOP_ANNOUNCE, 255, WIRE_PL_NONCE};
	const size_t lens[] = {20, 8, 1, 16};
	size_t len = chain_msg(priv, lens, 4, 0);
	assert_int_equal(wire_msg_decode(msg, len, &m, NULL), 0);
	assert_int_equal(m.n, 4);
	assert_true(m.pl[1].priv && m.pl[2].priv);
	assert_false(m.pl[3].priv);
	for (unsigned t = WIRE_PL_LAST_PUBLIC + 1; t < WIRE_PL_PRIVATE_MIN; t++) {
		const uint8_t types[] = {WIRE_PL_HASH, (uint8_t)t, WIRE_PL_NONCE};
		len = chain_msg(types, lens, 3, 0);
		struct wire_err e;
		assert_int_equal(wire_msg_decode(msg, len, &m, &e), ERR_INVAL);
		assert_int_equal(e.notify, WIRE_N_INVALID_PAYLOAD_TYPE);
		assert_int_equal(e.kind, WIRE_ERR_UNKNOWN_TYPE);
		assert_string_equal(e.payload, "HASH"); /* the payload whose Next Payload names it */
		assert_int_equal(e.offset, 28);
		assert_int_equal(e.actual, t);
	}
	/* First payload unknown: named by the header. */
	const uint8_t first[] = {99};
	len = chain_msg(first, lens, 1, 0);
	struct wire_err e;
	assert_int_equal(wire_msg_decode(msg, len, &m, &e), ERR_INVAL);
	assert_string_equal(e.payload, "ISAKMP header");
	assert_int_equal(e.offset, 16);
}

static void test_chain_rejects_payload_length_below_4_or_past_the_end(void **state)
{
	(void)state;
	const uint8_t types[] = {WIRE_PL_HASH, WIRE_PL_NONCE};
	const size_t lens[] = {20, 16};
	size_t len = chain_msg(types, lens, 2, 0);
	struct wire_err e;
	for (uint16_t bad = 0; bad < 4; bad++) {
		buf_store_u16(msg + 28 + 2, bad);
		assert_int_equal(wire_msg_decode(msg, len, &m, &e), ERR_BADLEN);
		assert_int_equal(e.kind, WIRE_ERR_TOO_SHORT);
		assert_int_equal(e.notify, WIRE_N_PAYLOAD_MALFORMED);
		assert_string_equal(e.payload, "HASH");
		assert_string_equal(e.field, "Payload Length");
		assert_int_equal(e.offset, 30);
	}
	buf_store_u16(msg + 30, 24);
	buf_store_u16(msg + 52 + 2, 21); /* NONCE one octet too long */
	assert_int_equal(wire_msg_decode(msg, len, &m, &e), ERR_BADLEN);
	assert_int_equal(e.kind, WIRE_ERR_EXCEEDS);
	assert_string_equal(e.payload, "NONCE");
	assert_int_equal(e.actual, 21);
	assert_int_equal(e.expected, 20);
	char text[160];
	wire_err_format(&e, text, sizeof(text));
	assert_string_equal(text, "NONCE: Payload Length at offset 54: 21 exceeds the 20 bytes "
				  "left (PAYLOAD-MALFORMED)");
}

static void test_chain_limit_on_payload_count(void **state)
{
	(void)state;
	uint8_t types[WIRE_MSG_MAX_PAYLOADS + 1];
	size_t lens[WIRE_MSG_MAX_PAYLOADS + 1];
	for (size_t i = 0; i <= WIRE_MSG_MAX_PAYLOADS; i++) {
		types[i] = WIRE_PL_VID;
		lens[i] = 1;
	}
	size_t len = chain_msg(types, lens, WIRE_MSG_MAX_PAYLOADS, 0);
	assert_int_equal(wire_msg_decode(msg, len, &m, NULL), 0);
	len = chain_msg(types, lens, WIRE_MSG_MAX_PAYLOADS + 1, 0);
	assert_int_equal(wire_msg_decode(msg, len, &m, NULL), ERR_LIMIT);
}

/* Payload types of each sample in order, as the RFC notation of notes §2.1, §4.1, §4.10, §5.3. */
static const struct {
	enum sample_msg s;
	uint8_t exch;
	uint8_t types[8];
} shapes[] = {
	{SAMPLE_MM1, 2, {WIRE_PL_SA, WIRE_PL_VID, WIRE_PL_VID}},
	{SAMPLE_MM2, 2, {WIRE_PL_SA, WIRE_PL_VID, WIRE_PL_VID}},
	{SAMPLE_MM3, 2, {WIRE_PL_KE, WIRE_PL_NONCE, WIRE_PL_CR}},
	{SAMPLE_MM4, 2, {WIRE_PL_KE, WIRE_PL_NONCE, WIRE_PL_CR}},
	{SAMPLE_MM5, 2, {WIRE_PL_ID, WIRE_PL_CERT, WIRE_PL_SIG, WIRE_PL_N}},
	{SAMPLE_MM6, 2, {WIRE_PL_ID, WIRE_PL_CERT, WIRE_PL_SIG}},
	{SAMPLE_PULL1, 32, {WIRE_PL_HASH, WIRE_PL_NONCE, WIRE_PL_ID}},
	{SAMPLE_PULL2, 32, {WIRE_PL_HASH, WIRE_PL_NONCE, WIRE_PL_SA}},
	{SAMPLE_PULL3, 32, {WIRE_PL_HASH}},
	{SAMPLE_PULL4, 32, {WIRE_PL_HASH, WIRE_PL_SEQ, WIRE_PL_KD}},
	{SAMPLE_PUSH, 33, {WIRE_PL_SEQ, WIRE_PL_D, WIRE_PL_SA, WIRE_PL_KD, WIRE_PL_SIG}},
	{SAMPLE_ACK, 35, {WIRE_PL_HASH, WIRE_PL_SEQ, WIRE_PL_ID}},
	{SAMPLE_INFO_N, 5, {WIRE_PL_HASH, WIRE_PL_N}},
	{SAMPLE_INFO_D, 5, {WIRE_PL_HASH, WIRE_PL_D}},
	{SAMPLE_PULL2_GAP, 32, {WIRE_PL_HASH, WIRE_PL_NONCE, WIRE_PL_SA}},
	{SAMPLE_PULL3_GAP, 32, {WIRE_PL_HASH, WIRE_PL_GAP}},
};

static void test_every_sample_has_its_shape_and_round_trips(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t len = build(shapes[i].s);
		struct wire_err e;
		if (sample_decode_all(msg, len, WIRE_DIALECT_RFC6407, &m, &e) < 0) {
			char t[200];
			wire_err_format(&e, t, sizeof(t));
			fail_msg("%s: %s", sample_name(shapes[i].s), t);
		}
		assert_int_equal(m.hdr.exch, shapes[i].exch);
		assert_int_equal(m.hdr.flags, 0);
		size_t n = 0;
		while (n < 8 && shapes[i].types[n])
			n++;
		assert_int_equal(m.n, n);
		for (size_t j = 0; j < n; j++)
			assert_int_equal(m.pl[j].type, shapes[i].types[j]);
		assert_int_equal(m.pad_len, 0);
		size_t len2 = sample_rebuild(&m, WIRE_DIALECT_RFC6407, out, sizeof(out));
		assert_int_equal(len2, len);
		assert_memory_equal(out, msg, len);
	}
}

/* The payload of m that contains offset off, or NULL (header). */
static const struct wire_payload *payload_at(size_t off)
{
	for (size_t i = 0; i < m.n; i++)
		if (off >= m.pl[i].off && off < m.pl[i].off + 4 + m.pl[i].len)
			return &m.pl[i];
	return NULL;
}

static void test_every_truncation_is_rejected_naming_the_cut_payload(void **state)
{
	(void)state;
	for (enum sample_msg s = 0; s < SAMPLE_COUNT; s++) {
		size_t len = build(s);
		assert_int_equal(wire_msg_decode(msg, len, &m, NULL), 0);
		static uint8_t cut[4096];
		for (size_t l = 0; l < len; l++) {
			struct wire_msg mm;
			struct wire_err e;
			memcpy(cut, msg, l);
			if (l >= 28)
				buf_store_u32(cut + 24, (uint32_t)l);
			int rc = wire_msg_decode(cut, l, &mm, &e);
			assert_true(rc < 0);
			const struct wire_payload *pl = payload_at(l);
			if (l < 28) {
				assert_string_equal(e.payload, "ISAKMP header");
				continue;
			}
			assert_non_null(pl);
			assert_string_equal(e.payload, wire_pl_name(pl->type));
			assert_int_equal(e.notify, WIRE_N_PAYLOAD_MALFORMED);
			assert_true(e.offset >= pl->off && e.offset < pl->off + 4);
		}
	}
}

static void test_p1sa_round_trip_with_three_transforms(void **state)
{
	(void)state;
	struct wire_p1sa sa, d;
	sample_p1sa(&sa, WIRE_DOI_IPSEC, 3);
	struct buf_writer w;
	buf_w_init(&w, out + 4, sizeof(out) - 4);
	wire_p1sa_encode(&w, &sa);
	assert_true(buf_w_result(&w) > 0);
	struct wire_payload pl = {.type = WIRE_PL_SA, .body = out + 4, .len = w.len, .off = 0};
	assert_int_equal(wire_p1sa_decode(&pl, &d, NULL), 0);
	assert_true(wire_p1sa_equal(&sa, &d));
	assert_int_equal(d.n_props, 1);
	assert_int_equal(d.props[0].n_xforms, 3);
	struct wire_attr a;
	uint64_t v;
	assert_true(wire_attrs_find(&d.xforms[0].attrs, WIRE_P1A_LIFE_DURATION, &a));
	assert_false(a.tv);
	assert_int_equal(a.len, 4);
	assert_int_equal(wire_attr_uint(&a, &v), 0);
	assert_int_equal(v, 86400);
	assert_true(wire_attrs_find(&d.xforms[2].attrs, WIRE_P1A_ENCR, &a));
	assert_int_equal(a.value, WIRE_P1_ENCR_3DES);
	d.xforms[1].num = 9;
	assert_false(wire_p1sa_equal(&sa, &d));
}

/* Decode an SA body at out+4 (offset 0 = generic header) and return the error. */
static int p1sa_body(size_t len, struct wire_err *e)
{
	struct wire_p1sa d;
	struct wire_payload pl = {.type = WIRE_PL_SA, .body = out + 4, .len = len, .off = 0};
	return wire_p1sa_decode(&pl, &d, e);
}

static void test_p1sa_rejects_bad_doi_counts_chains_and_attributes(void **state)
{
	(void)state;
	struct wire_p1sa sa;
	struct wire_err e;
	sample_p1sa(&sa, WIRE_DOI_GDOI, 2);
	struct buf_writer w;
	buf_w_init(&w, out + 4, sizeof(out) - 4);
	wire_p1sa_encode(&w, &sa);
	size_t len = w.len;
	/* Layout: 4 hdr | DOI 4 | SIT 4 | P hdr @12 | P body 4 @16 | T1 hdr @20 | T1 body @24 ... */
	assert_int_equal(p1sa_body(len, &e), 0);
	out[7] = 3;
	assert_int_equal(p1sa_body(len, &e), ERR_INVAL);
	assert_int_equal(e.notify, WIRE_N_DOI_NOT_SUPPORTED);
	out[7] = 2;
	out[11] = 2; /* SIT_SECRECY */
	assert_int_equal(p1sa_body(len, &e), ERR_INVAL);
	assert_int_equal(e.notify, WIRE_N_SITUATION_NOT_SUPPORTED);
	out[11] = 1;
	out[19] = 3; /* # Transforms 3, only 2 present */
	assert_int_equal(p1sa_body(len, &e), ERR_PROTO);
	assert_int_equal(e.notify, WIRE_N_BAD_PROPOSAL_SYNTAX);
	assert_string_equal(e.field, "# Transforms");
	assert_int_equal(e.offset, 19);
	out[19] = 0;
	assert_int_equal(p1sa_body(len, &e), ERR_INVAL);
	assert_int_equal(e.notify, WIRE_N_BAD_PROPOSAL_SYNTAX);
	out[19] = 2;
	out[20] = WIRE_PL_KE; /* transform followed by a KE inside the proposal */
	assert_int_equal(p1sa_body(len, &e), ERR_INVAL);
	assert_int_equal(e.notify, WIRE_N_BAD_PROPOSAL_SYNTAX);
	assert_string_equal(e.payload, "Transform");
	out[20] = WIRE_PL_T;
	/* First attribute of transform 1 (@28) made a TLV longer than its container. */
	buf_store_u16(out + 28, WIRE_P1A_ENCR);
	buf_store_u16(out + 30, 200);
	assert_int_equal(p1sa_body(len, &e), ERR_BADLEN);
	assert_string_equal(e.payload, "Transform");
	assert_string_equal(e.field, "attribute length");
	assert_int_equal(e.offset, 30);
	assert_int_equal(e.notify, WIRE_N_PAYLOAD_MALFORMED);
}

static void test_generic_bodies_round_trip(void **state)
{
	(void)state;
	struct wire_id id, id2;
	struct wire_cert c, c2;
	struct wire_notify n, n2;
	struct wire_delete d, d2;
	struct buf_writer w;
	struct wire_payload pl = {.off = 100};
	sample_group_id(&id);
	buf_w_init(&w, out, sizeof(out));
	wire_id_encode(&w, &id);
	pl.type = WIRE_PL_ID, pl.body = out, pl.len = w.len;
	assert_int_equal(wire_id_decode(&pl, &id2, NULL), 0);
	assert_true(wire_id_equal(&id, &id2));
	uint32_t group;
	assert_int_equal(wire_id_key_id(&id2, &group), 0);
	assert_int_equal(group, SAMPLE_GROUP);
	sample_ipv4_id(&id, 1);
	assert_int_equal(wire_id_key_id(&id, &group), ERR_INVAL);

	sample_cert(&c);
	buf_w_init(&w, out, sizeof(out));
	wire_cert_encode(&w, &c);
	pl.type = WIRE_PL_CERT, pl.len = w.len;
	assert_int_equal(wire_cert_decode(&pl, &c2, NULL), 0);
	assert_true(wire_cert_equal(&c, &c2));
	sample_cr(&c);
	buf_w_init(&w, out, sizeof(out));
	wire_cert_encode(&w, &c);
	pl.type = WIRE_PL_CR, pl.len = w.len;
	assert_int_equal(wire_cr_decode(&pl, &c2, NULL), 0);
	assert_true(wire_cert_equal(&c, &c2));
	assert_int_equal(wire_cert_decode(&pl, &c2, NULL), ERR_BADLEN); /* CERT needs data */

	sample_notify(&n);
	buf_w_init(&w, out, sizeof(out));
	wire_notify_encode(&w, &n);
	pl.type = WIRE_PL_N, pl.len = w.len;
	assert_int_equal(wire_notify_decode(&pl, &n2, NULL), 0);
	assert_true(wire_notify_equal(&n, &n2));
	assert_int_equal(n2.data_len, 4);

	sample_delete_teks(&d);
	buf_w_init(&w, out, sizeof(out));
	wire_delete_encode(&w, &d);
	pl.type = WIRE_PL_D, pl.len = w.len;
	assert_int_equal(wire_delete_decode(&pl, &d2, NULL), 0);
	assert_true(wire_delete_equal(&d, &d2));
	assert_int_equal(buf_load_u32(wire_delete_spi(&d2, 1)), SAMPLE_TEK2_SPI);
}

static void test_generic_bodies_reject_bad_sizes(void **state)
{
	(void)state;
	struct wire_err e;
	struct wire_id id;
	struct wire_notify n;
	struct wire_delete d;
	struct wire_data data;
	uint8_t b[64] = {WIRE_ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0, 1, 9};
	struct wire_payload pl = {.type = WIRE_PL_ID, .body = b, .len = 9, .off = 28};
	assert_int_equal(wire_id_decode(&pl, &id, &e), ERR_BADLEN);
	assert_int_equal(e.notify, WIRE_N_INVALID_ID_INFORMATION);
	assert_int_equal(e.offset, 36);
	pl.len = 3;
	assert_int_equal(wire_id_decode(&pl, &id, &e), ERR_BADLEN);
	/* Notify whose SPI Size runs past the payload. */
	uint8_t nb[] = {0, 0, 0, 1, 1, 16, 0x60, 0x02, 1, 2, 3};
	pl = (struct wire_payload){.type = WIRE_PL_N, .body = nb, .len = sizeof(nb), .off = 28};
	assert_int_equal(wire_notify_decode(&pl, &n, &e), ERR_BADLEN);
	assert_string_equal(e.field, "SPI Size");
	assert_int_equal(e.offset, 37);
	/* Delete: 2 SPIs of 4 declared, 7 octets present, then 9. */
	uint8_t db[20] = {0, 0, 0, 2, 1, 4, 0, 2};
	pl = (struct wire_payload){.type = WIRE_PL_D, .body = db, .len = 15, .off = 28};
	assert_int_equal(wire_delete_decode(&pl, &d, &e), ERR_BADLEN);
	pl.len = 17;
	assert_int_equal(wire_delete_decode(&pl, &d, &e), ERR_TRAILING);
	pl.len = 16;
	assert_int_equal(wire_delete_decode(&pl, &d, &e), 0);
	/* Nonce bounds (RFC 2409: 8..256). */
	static uint8_t nonce[300];
	pl = (struct wire_payload){.type = WIRE_PL_NONCE, .body = nonce, .len = 7, .off = 28};
	assert_int_equal(wire_nonce_decode(&pl, &data, &e), ERR_BADLEN);
	pl.len = 8;
	assert_int_equal(wire_nonce_decode(&pl, &data, &e), 0);
	pl.len = 257;
	assert_int_equal(wire_nonce_decode(&pl, &data, &e), ERR_LIMIT);
	pl.len = 0;
	pl.type = WIRE_PL_HASH;
	assert_int_equal(wire_hash_decode(&pl, &data, &e), ERR_BADLEN);
	assert_int_equal(wire_vid_decode(&pl, &data, &e), 0);
}

static void test_builder_reports_no_space_and_oversized_payloads(void **state)
{
	(void)state;
	size_t len = build(SAMPLE_MM5);
	for (size_t cap = 0; cap < len; cap++)
		assert_int_equal(sample_build_result(SAMPLE_MM5, &sample_default, out, cap),
				 ERR_NOSPACE);
	static uint8_t big[70000];
	static uint8_t body[65532];
	struct wire_isakmp_hdr h = {.version = 0x10};
	struct wire_builder b;
	wire_build_init(&b, big, sizeof(big), &h);
	wire_build_raw(&b, WIRE_PL_VID, body, 65531);
	assert_int_equal(wire_build_finish(&b), 28 + 65535);
	wire_build_init(&b, big, sizeof(big), &h);
	wire_build_raw(&b, WIRE_PL_VID, body, 65532);
	assert_int_equal(wire_build_finish(&b), ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_header_round_trip),
		TEST(test_header_rejects_bad_version_length_and_short_input),
		TEST(test_header_rejects_every_undefined_flag),
		TEST(test_chain_yields_payloads_in_order_and_allows_padding),
		TEST(test_chain_reports_private_types_and_rejects_unknown_public_types),
		TEST(test_chain_rejects_payload_length_below_4_or_past_the_end),
		TEST(test_chain_limit_on_payload_count),
		TEST(test_every_sample_has_its_shape_and_round_trips),
		TEST(test_every_truncation_is_rejected_naming_the_cut_payload),
		TEST(test_p1sa_round_trip_with_three_transforms),
		TEST(test_p1sa_rejects_bad_doi_counts_chains_and_attributes),
		TEST(test_generic_bodies_round_trip),
		TEST(test_generic_bodies_reject_bad_sizes),
		TEST(test_builder_reports_no_space_and_oversized_payloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
