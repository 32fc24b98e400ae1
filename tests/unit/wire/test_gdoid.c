/*
 * wire/ against real captures of Cisco's GDOI reference implementation
 * (tests/data/gdoid, *.decrypted.pcap: frames 1-4 clear, 5-14 plaintext with
 * the E flag cleared). Every value asserted here is taken from
 * tests/data/gdoid/expected.md. Also: the gdoid-layout captures decoded with
 * the RFC 6407 layout forced (and the RFC capture with the gdoid layout) must
 * be rejected exactly in the frames that carry an SA KEK / SA TEK, and AUTO
 * must pick the right layout for all three.
 */
#include "test.h"

#include "pcap.h"
#include "samples.h"
#include "util/hex.h"
#include "vectors.h"
#include "wire/body.h"
#include "wire/gdoi.h"
#include "wire/isakmp.h"
#include "wire/kd.h"
#include "wire/names.h"
#include "wire/p1sa.h"
#include "wire/payload.h"

#define NFRAMES 14

struct exp_frame {
	uint8_t exch;
	uint32_t len;
	uint8_t types[5];
	uint16_t lens[5];
};

/* One TEK policy of a capture (expected.md §4-§6). */
struct policy {
	uint8_t tid;
	uint8_t src_type;
	uint8_t src[8];
	uint16_t src_len, src_port;
	uint8_t dst[4];
	uint16_t dst_port;
	uint16_t key_len;  /* KEY_LENGTH attribute, 0 = absent */
	uint16_t ap, dir;  /* ADDRESS_PRESERVATION, SA_DIRECTION */
	uint16_t tek_key;  /* TEK_ALGORITHM_KEY octets in the KD */
};

struct tek {
	uint32_t spi;
	uint8_t policy;
	uint16_t life;
};

struct capture {
	const char *file;
	enum wire_dialect dialect;
	const char *cookies;   /* CKY-I | CKY-R of phase 1 and the pull */
	uint32_t pull_msgid;
	const char *kek1, *kek2;
	uint8_t kek_dst[4];
	uint16_t p1_attrs[8][2];
	uint16_t kek_attrs[7][2];
	bool gap;
	struct policy pol[2];
	struct tek f8[2], f11[4], f13[2];
	size_t n8, n11, n13;
	const char *f10_first_tek_key;
	struct exp_frame f[NFRAMES];
};

#define MM(len, ...)   {2, len, __VA_ARGS__}
#define PULL(len, ...)  {32, len, __VA_ARGS__}
#define PUSH(len, ...)  {33, len, __VA_ARGS__}
#define SA_ 1
#define KE_ 4
#define ID_ 5
#define HASH_ 8
#define SIG_ 9
#define NONCE_ 10
#define N_ 11
#define D_ 12
#define KD_ 17
#define SEQ_ 18

/* Frames whose plaintext carries a GDOI SA (SA KEK / SA TEK): 8, 11, 12, 13. */
static bool has_gdoi_sa(size_t frame)
{
	return frame == 8 || frame == 11 || frame == 12 || frame == 13;
}

static const struct capture caps[] = {
	{
		.file = "gdoid/registration-rekey.decrypted.pcap",
		.dialect = WIRE_DIALECT_GDOID,
		.cookies = "da76bbfb8d354cc2a565749a1a871691",
		.pull_msgid = 0x508802d2,
		.kek1 = "4296f1a979370787f0d09bab8d98eb8a",
		.kek2 = "ca37ff209e223e341032adb50052feac",
		.kek_dst = {10, 248, 0, 2},
		.p1_attrs = {{1, 7}, {2, 2}, {3, 1}, {4, 2}, {11, 1}, {12, 600}, {14, 128}},
		.kek_attrs = {{2, 3}, {3, 128}, {4, 25}, {5, 2}, {6, 1}, {7, 2048}},
		.pol = {{12, 1, {10, 248, 0, 1}, 4, 5000, {239, 192, 1, 1}, 5000, 128, 3, 2, 16}},
		.f8 = {{0xfeb9f28b, 0, 120}},
		.n8 = 1,
		.f11 = {{0xfeb9f28b, 0, 105}, {0x8aeb3f15, 0, 120}},
		.n11 = 2,
		.f13 = {{0x6c882f9b, 0, 120}},
		.n13 = 1,
		.f10_first_tek_key = "827935876325f2584f22a5a6a7b80899",
		.f = {MM(84, {SA_}, {56}), MM(84, {SA_}, {56}),
		      MM(180, {KE_, NONCE_}, {132, 20}), MM(180, {KE_, NONCE_}, {132, 20}),
		      MM(92, {ID_, HASH_, N_}, {12, 24, 28}),
		      MM(92, {ID_, HASH_, N_}, {12, 24, 28}),
		      PULL(92, {HASH_, NONCE_, ID_}, {24, 20, 12}),
		      PULL(220, {HASH_, NONCE_, SA_}, {24, 20, 138}), PULL(60, {HASH_}, {24}),
		      PULL(476, {HASH_, SEQ_, KD_}, {24, 8, 416}),
		      PUSH(972, {SEQ_, SA_, KD_, SIG_}, {8, 193, 469, 260}),
		      PUSH(748, {SEQ_, SA_, KD_, SIG_}, {8, 83, 363, 260}),
		      PUSH(860, {SEQ_, SA_, KD_, SIG_}, {8, 138, 416, 260}),
		      PUSH(332, {SEQ_, D_, SIG_}, {8, 24, 260})},
	},
	{
		.file = "gdoid/multicast-rekey.decrypted.pcap",
		.dialect = WIRE_DIALECT_GDOID,
		.cookies = "a924eef29bd5021737d36141d0b34bc9",
		.pull_msgid = 0x2bf71958,
		.kek1 = "71e2809b020ff25b6f84ea58488efc37",
		.kek2 = "031d3fa56ab578d9da6fe4f355a09e7b",
		.kek_dst = {239, 192, 1, 100},
		.p1_attrs = {{1, 5}, {2, 2}, {3, 1}, {4, 2}, {11, 1}, {12, 600}},
		.kek_attrs = {{2, 2}, {4, 25}, {5, 3}, {6, 1}, {7, 2048}},
		.gap = true,
		.pol = {{3, 1, {10, 248, 0, 1}, 4, 5000, {239, 192, 1, 1}, 5000, 0, 3, 2, 24},
			{12, 4, {10, 248, 0, 0, 255, 255, 255, 0}, 8, 0, {239, 192, 1, 2}, 0, 128, 0,
			 0, 16}},
		.f8 = {{0x0f1f5c14, 0, 120}, {0xc8e22562, 1, 120}},
		.n8 = 2,
		.f11 = {{0x0f1f5c14, 0, 105},
			{0xc8e22562, 1, 105},
			{0x4a5a0ea9, 0, 120},
			{0xb69206af, 1, 120}},
		.n11 = 4,
		.f13 = {{0x5df45bcd, 0, 120}, {0xcaec3900, 1, 120}},
		.n13 = 2,
		.f10_first_tek_key = "8d5c5b49ccbabdd600f89c98f57fa321cdb4e7cf787cd566",
		.f = {MM(80, {SA_}, {52}), MM(80, {SA_}, {52}),
		      MM(180, {KE_, NONCE_}, {132, 20}), MM(180, {KE_, NONCE_}, {132, 20}),
		      MM(92, {ID_, HASH_, N_}, {12, 24, 28}),
		      MM(92, {ID_, HASH_, N_}, {12, 24, 28}),
		      PULL(84, {HASH_, NONCE_, ID_}, {24, 20, 12}),
		      PULL(276, {HASH_, NONCE_, SA_}, {24, 20, 201}), PULL(52, {HASH_}, {24}),
		      PULL(540, {HASH_, SEQ_, KD_}, {24, 8, 477}),
		      PUSH(1204, {SEQ_, SA_, KD_, SIG_}, {8, 311, 591, 260}),
		      PUSH(756, {SEQ_, SA_, KD_, SIG_}, {8, 91, 363, 260}),
		      PUSH(980, {SEQ_, SA_, KD_, SIG_}, {8, 201, 477, 260}),
		      PUSH(332, {SEQ_, D_, SIG_}, {8, 36, 260})},
	},
	{
		.file = "gdoid/rfc-layout-registration.decrypted.pcap",
		.dialect = WIRE_DIALECT_RFC6407,
		.cookies = "ae3bd9503cfd94639a15f7dbd73e9cad",
		.pull_msgid = 0xe239e8d6,
		.kek1 = "c9cb4d9499e0e0a6ac00056944aed553",
		.kek2 = "b240298f480a96b2a2283b059ddd24c8",
		.kek_dst = {10, 248, 0, 2},
		.p1_attrs = {{1, 7}, {2, 2}, {3, 1}, {4, 2}, {11, 1}, {12, 600}, {14, 128}},
		.kek_attrs = {{2, 3}, {3, 128}, {4, 25}, {5, 2}, {6, 1}, {7, 2048}},
		.pol = {{12, 1, {10, 248, 0, 1}, 4, 5000, {239, 192, 1, 1}, 5000, 128, 3, 2, 16}},
		.f8 = {{0x22f338bb, 0, 120}},
		.n8 = 1,
		.f11 = {{0x22f338bb, 0, 105}, {0x1a4bcdd0, 0, 120}},
		.n11 = 2,
		.f13 = {{0x98c45dd2, 0, 120}},
		.n13 = 1,
		.f10_first_tek_key = "f677a6dad2ac4d56292d2e1c86adc0b3",
		.f = {MM(84, {SA_}, {56}), MM(84, {SA_}, {56}),
		      MM(180, {KE_, NONCE_}, {132, 20}), MM(180, {KE_, NONCE_}, {132, 20}),
		      MM(92, {ID_, HASH_, N_}, {12, 24, 28}),
		      MM(92, {ID_, HASH_, N_}, {12, 24, 28}),
		      PULL(92, {HASH_, NONCE_, ID_}, {24, 20, 12}),
		      PULL(220, {HASH_, NONCE_, SA_}, {24, 20, 138}), PULL(60, {HASH_}, {24}),
		      PULL(476, {HASH_, SEQ_, KD_}, {24, 8, 416}),
		      PUSH(972, {SEQ_, SA_, KD_, SIG_}, {8, 195, 469, 260}),
		      PUSH(748, {SEQ_, SA_, KD_, SIG_}, {8, 81, 363, 260}),
		      PUSH(860, {SEQ_, SA_, KD_, SIG_}, {8, 138, 416, 260}),
		      PUSH(332, {SEQ_, D_, SIG_}, {8, 24, 260})},
	},
};

static const uint8_t KS[4] = {10, 248, 0, 1};

static struct test_pcap_udp frames[NFRAMES];
static struct wire_msg m;
static struct wire_body body;

static void load(const struct capture *c, struct test_pcap **r)
{
	*r = test_pcap_load(test_data_path(c->file));
	assert_int_equal(test_pcap_all_udp(*r, frames, NFRAMES), NFRAMES);
	for (size_t i = 0; i < NFRAMES; i++) {
		assert_int_equal(frames[i].frame, i + 1);
		assert_int_equal(frames[i].sport, 848);
		assert_int_equal(frames[i].dport, 848);
		assert_true(test_pcap_checksums_ok(&frames[i]));
	}
}

static void hex(const char *s, uint8_t *out, size_t n)
{
	assert_int_equal(hex_decode(s, out, n), (int)n);
}

static void decode_body(const struct wire_payload *pl, enum wire_dialect d)
{
	struct wire_err e;
	if (wire_body_decode(pl, m.hdr.exch, d, &body, &e) < 0) {
		char t[200];
		wire_err_format(&e, t, sizeof(t));
		fail_msg("%s", t);
	}
}

static void expect_attrs(const struct wire_attrs *a, const uint16_t (*exp)[2], size_t max)
{
	struct wire_attr_iter it;
	struct wire_attr at;
	size_t i = 0;
	wire_attr_iter_init(&it, a);
	while (wire_attr_iter_next(&it, &at)) {
		assert_true(i < max && exp[i][0]);
		assert_true(at.tv); /* all of them are TV in these captures (quirks 8, 9) */
		assert_int_equal(at.type, exp[i][0]);
		assert_int_equal(at.value, exp[i][1]);
		i++;
	}
	assert_true(i == max || exp[i][0] == 0);
}

static void check_header(const struct capture *c, size_t fr)
{
	const struct exp_frame *x = &c->f[fr - 1];
	uint8_t ck[16];
	assert_int_equal(m.hdr.exch, x->exch);
	assert_int_equal(m.hdr.len, x->len);
	assert_int_equal(m.hdr.flags, 0);
	assert_int_equal(m.hdr.version, 0x10);
	size_t sum = 28, n = 0;
	while (n < 5 && x->types[n]) {
		assert_int_equal(m.pl[n].type, x->types[n]);
		assert_int_equal(m.pl[n].len + 4, x->lens[n]);
		sum += x->lens[n];
		n++;
	}
	assert_int_equal(m.n, n);
	assert_int_equal(m.pad_len, x->len - sum);
	hex(fr <= 10 ? c->cookies : fr <= 12 ? c->kek1 : c->kek2, ck, 16);
	if (fr == 1)
		memset(ck + 8, 0, 8);
	assert_memory_equal(m.hdr.icookie, ck, 8);
	assert_memory_equal(m.hdr.rcookie, ck + 8, 8);
	assert_int_equal(m.hdr.msgid, x->exch == 32 ? c->pull_msgid : 0);
}

static void check_p1sa(const struct capture *c)
{
	const struct wire_p1sa *sa = &body.u.p1sa;
	assert_int_equal(body.kind, WIRE_BODY_P1SA);
	assert_int_equal(sa->doi, WIRE_DOI_GDOI);
	assert_int_equal(sa->situation, 0);
	assert_int_equal(sa->n_props, 1);
	assert_int_equal(sa->props[0].num, 1);
	assert_int_equal(sa->props[0].proto, WIRE_PROTO_ISAKMP);
	assert_int_equal(sa->props[0].spi_size, 0);
	assert_int_equal(sa->n_xforms, 1);
	assert_int_equal(sa->xforms[0].num, 0); /* quirk 11 */
	assert_int_equal(sa->xforms[0].id, WIRE_KEY_IKE);
	expect_attrs(&sa->xforms[0].attrs, c->p1_attrs, 8);
}

static void check_mm(const struct capture *c, size_t fr)
{
	uint8_t ck[16];
	for (size_t i = 0; i < m.n; i++) {
		decode_body(&m.pl[i], WIRE_DIALECT_AUTO);
		switch (m.pl[i].type) {
		case WIRE_PL_SA:
			check_p1sa(c);
			break;
		case WIRE_PL_KE:
			assert_int_equal(body.u.data.len, 128);
			break;
		case WIRE_PL_NONCE:
			assert_int_equal(body.u.data.len, 16);
			break;
		case WIRE_PL_HASH:
			assert_int_equal(body.u.data.len, 20);
			break;
		case WIRE_PL_ID:
			assert_int_equal(body.u.id.type, WIRE_ID_IPV4_ADDR);
			assert_int_equal(body.u.id.proto, 0);
			assert_int_equal(body.u.id.port, 0);
			assert_int_equal(body.u.id.len, 4);
			assert_int_equal(body.u.id.data[3], fr == 5 ? 2 : 1);
			break;
		default: /* N: INITIAL-CONTACT with DOI 1 (quirk 12) */
			assert_int_equal(body.u.notify.doi, WIRE_DOI_IPSEC);
			assert_int_equal(body.u.notify.proto, WIRE_PROTO_ISAKMP);
			assert_int_equal(body.u.notify.type, WIRE_N_INITIAL_CONTACT);
			assert_int_equal(body.u.notify.spi_size, 16);
			hex(c->cookies, ck, 16);
			assert_memory_equal(body.u.notify.spi, ck, 16);
			assert_int_equal(body.u.notify.data_len, 0);
			break;
		}
	}
}

static void check_kek(const struct capture *c, const struct wire_sa_kek *k, const char *spi)
{
	uint8_t s[16];
	hex(spi, s, 16);
	assert_int_equal(k->proto, 17);
	assert_int_equal(k->src.type, WIRE_ID_IPV4_ADDR);
	assert_int_equal(k->src.port, 848);
	assert_int_equal(k->src.len, 4);
	assert_memory_equal(k->src.data, KS, 4);
	assert_int_equal(k->dst.type, WIRE_ID_IPV4_ADDR);
	assert_int_equal(k->dst.port, 848);
	assert_int_equal(k->dst.len, 4);
	assert_memory_equal(k->dst.data, c->kek_dst, 4);
	assert_memory_equal(k->spi, s, 16);
	expect_attrs(&k->attrs, c->kek_attrs, 7);
}

static void check_tek(const struct capture *c, const struct wire_sa_tek *t, const struct tek *x)
{
	const struct policy *p = &c->pol[x->policy];
	uint16_t attrs[8][2] = {{4, 1}, {5, 2}, {1, 1}, {2, x->life}};
	size_t n = 4;
	if (p->key_len)
		attrs[n][0] = 6, attrs[n++][1] = p->key_len;
	attrs[n][0] = 14, attrs[n++][1] = p->ap;
	attrs[n][0] = 15, attrs[n++][1] = p->dir;
	assert_int_equal(t->proto_id, WIRE_GDOI_PROTO_IPSEC_ESP);
	assert_int_equal(t->ip_proto, 0);
	assert_int_equal(t->src.type, p->src_type);
	assert_int_equal(t->src.port, p->src_port);
	assert_int_equal(t->src.len, p->src_len);
	assert_memory_equal(t->src.data, p->src, p->src_len);
	assert_int_equal(t->dst.type, WIRE_ID_IPV4_ADDR);
	assert_int_equal(t->dst.port, p->dst_port);
	assert_int_equal(t->dst.len, 4);
	assert_memory_equal(t->dst.data, p->dst, 4);
	assert_int_equal(t->transform_id, p->tid);
	assert_int_equal(t->spi, x->spi);
	expect_attrs(&t->attrs, (const uint16_t(*)[2])attrs, n);
}

static void check_sa(const struct capture *c, size_t fr)
{
	const struct wire_gdoi_sa *sa = &body.u.gdoi_sa;
	const struct tek *teks = fr == 8 ? c->f8 : fr == 11 ? c->f11 : c->f13;
	size_t n = fr == 8 ? c->n8 : fr == 11 ? c->n11 : fr == 12 ? 0 : c->n13;
	assert_int_equal(body.kind, WIRE_BODY_GDOI_SA);
	assert_int_equal(sa->dialect, c->dialect);
	assert_int_equal(sa->doi, WIRE_DOI_GDOI);
	assert_int_equal(sa->situation, 0);
	assert_int_equal(sa->attr_next, WIRE_PL_SAK);
	assert_true(sa->has_kek);
	check_kek(c, &sa->kek, fr >= 12 ? c->kek2 : c->kek1);
	assert_int_equal(sa->has_gap, c->gap);
	if (c->gap) {
		static const uint16_t gap[2][2] = {{WIRE_GAPA_ATD, 10}, {WIRE_GAPA_DTD, 20}};
		expect_attrs(&sa->gap.attrs, gap, 2);
	}
	assert_int_equal(sa->n_teks, n);
	for (size_t i = 0; i < n; i++)
		check_tek(c, &sa->teks[i], &teks[i]);
}

static void check_kd_packet(const struct wire_kd_packet *p, uint8_t type, const uint8_t *spi,
			    size_t spi_len, uint16_t len1, uint16_t len2)
{
	struct wire_attr_iter it;
	struct wire_attr a;
	assert_int_equal(p->type, type);
	assert_int_equal(p->spi_size, spi_len);
	assert_memory_equal(p->spi, spi, spi_len);
	assert_int_equal(p->attrs.count, 2);
	wire_attr_iter_init(&it, &p->attrs);
	assert_true(wire_attr_iter_next(&it, &a));
	assert_false(a.tv);
	assert_int_equal(a.type, 1);
	assert_int_equal(a.len, len1);
	assert_true(wire_attr_iter_next(&it, &a));
	assert_false(a.tv);
	assert_int_equal(a.type, 2);
	assert_int_equal(a.len, len2);
}

static void check_kd(const struct capture *c, size_t fr)
{
	const struct wire_kd *kd = &body.u.kd;
	const struct tek *teks = fr == 10 ? c->f8 : fr == 11 ? c->f11 : c->f13;
	size_t n = fr == 10 ? c->n8 : fr == 11 ? c->n11 : fr == 12 ? 0 : c->n13;
	uint8_t kek[16], spi[4];
	/* Quirk 7: the KEK rekey's KD keeps the old SPI; quirk 16: TEK rekeys repeat the KEK. */
	hex(fr == 13 ? c->kek2 : c->kek1, kek, 16);
	assert_int_equal(kd->n_packets, 1 + n);
	check_kd_packet(&kd->pk[0], WIRE_KD_KEK, kek, 16, 32, 294);
	for (size_t i = 0; i < n; i++) {
		buf_store_u32(spi, teks[i].spi);
		check_kd_packet(&kd->pk[1 + i], WIRE_KD_TEK, spi, 4,
				c->pol[teks[i].policy].tek_key, 20);
	}
	if (fr == 10) {
		uint8_t key[24];
		size_t klen = c->pol[teks[0].policy].tek_key;
		struct wire_attr a;
		hex(c->f10_first_tek_key, key, klen);
		assert_true(wire_attrs_find(&kd->pk[1].attrs, WIRE_KDA_TEK_ALG_KEY, &a));
		assert_memory_equal(a.val, key, klen);
	}
}

static void check_delete(const struct capture *c)
{
	const struct wire_delete *d = &body.u.del;
	const struct tek *all[3] = {c->f8, c->f11 + c->n8, c->f13};
	size_t counts[3] = {c->n8, c->n11 - c->n8, c->n13}, k = 0;
	assert_int_equal(d->doi, WIRE_DOI_GDOI);
	assert_int_equal(d->proto, WIRE_GDOI_PROTO_IPSEC_ESP);
	assert_int_equal(d->spi_size, 4);
	assert_int_equal(d->n_spis, c->n8 + c->n11 - c->n8 + c->n13);
	for (size_t g = 0; g < 3; g++)
		for (size_t i = 0; i < counts[g]; i++)
			assert_int_equal(buf_load_u32(wire_delete_spi(d, k++)), all[g][i].spi);
}

static void check_gdoi(const struct capture *c, size_t fr, enum wire_dialect d)
{
	uint32_t group;
	for (size_t i = 0; i < m.n; i++) {
		decode_body(&m.pl[i], d);
		switch (m.pl[i].type) {
		case WIRE_PL_SA:
			check_sa(c, fr);
			break;
		case WIRE_PL_KD:
			check_kd(c, fr);
			break;
		case WIRE_PL_SEQ:
			assert_int_equal(body.u.seq, fr == 10 ? 0 : fr - 10);
			break;
		case WIRE_PL_D:
			check_delete(c);
			break;
		case WIRE_PL_ID: /* quirk 3: group 1234 in host order, read big-endian */
			assert_int_equal(wire_id_key_id(&body.u.id, &group), 0);
			assert_int_equal(group, 3523477504u);
			break;
		case WIRE_PL_SIG:
			assert_int_equal(body.u.data.len, 256);
			break;
		case WIRE_PL_NONCE:
			assert_int_equal(body.u.data.len, 16);
			break;
		default:
			assert_int_equal(m.pl[i].type, WIRE_PL_HASH);
			assert_int_equal(body.u.data.len, 20);
			break;
		}
	}
}

static void decode_capture(const struct capture *c, enum wire_dialect d)
{
	struct test_pcap *r;
	load(c, &r);
	for (size_t fr = 1; fr <= NFRAMES; fr++) {
		struct wire_err e;
		assert_int_equal(wire_msg_decode(frames[fr - 1].payload, frames[fr - 1].len, &m, &e),
				 0);
		check_header(c, fr);
		if (fr <= 6)
			check_mm(c, fr);
		else
			check_gdoi(c, fr, d);
	}
	test_pcap_free(r);
}

static void test_registration_rekey_decodes_with_gdoid_layout(void **state)
{
	(void)state;
	decode_capture(&caps[0], WIRE_DIALECT_GDOID);
}

static void test_multicast_rekey_decodes_with_gdoid_layout(void **state)
{
	(void)state;
	decode_capture(&caps[1], WIRE_DIALECT_GDOID);
}

static void test_rfc_layout_registration_decodes_with_rfc_layout(void **state)
{
	(void)state;
	decode_capture(&caps[2], WIRE_DIALECT_RFC6407);
}

static void test_auto_picks_the_layout_of_every_capture(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++)
		decode_capture(&caps[i], WIRE_DIALECT_AUTO); /* check_sa asserts the dialect */
}

/* Decoding with the other layout forced must fail in exactly the frames with a GDOI SA. */
static void expect_wrong_layout_rejected(const struct capture *c, enum wire_dialect wrong)
{
	struct test_pcap *r;
	load(c, &r);
	for (size_t fr = 1; fr <= NFRAMES; fr++) {
		struct wire_err e;
		wire_err_clear(&e);
		int rc = sample_decode_all(frames[fr - 1].payload, frames[fr - 1].len, wrong, &m, &e);
		if (!has_gdoi_sa(fr)) {
			assert_int_equal(rc, 0);
			continue;
		}
		assert_true(rc < 0);
		/* The SA KEK comes first in every SA, so it is the payload that breaks. */
		assert_string_equal(e.payload, "SA KEK");
		assert_int_equal(e.notify, WIRE_N_PAYLOAD_MALFORMED);
		const struct wire_payload *sa = wire_msg_find(&m, WIRE_PL_SA, 0);
		assert_non_null(sa);
		assert_true(e.offset > sa->off && e.offset < sa->off + 4 + sa->len);
	}
	test_pcap_free(r);
}

static void test_wrong_layout_forced_is_rejected_cleanly(void **state)
{
	(void)state;
	expect_wrong_layout_rejected(&caps[0], WIRE_DIALECT_RFC6407);
	expect_wrong_layout_rejected(&caps[1], WIRE_DIALECT_RFC6407);
	expect_wrong_layout_rejected(&caps[2], WIRE_DIALECT_GDOID);
}

/* Re-encoding every frame gives the same octets (header Length aside: padding is dropped). */
static void test_every_frame_re_encodes_to_the_same_octets(void **state)
{
	(void)state;
	static uint8_t out[2048];
	for (size_t i = 0; i < 3; i++) {
		struct test_pcap *r;
		load(&caps[i], &r);
		for (size_t fr = 1; fr <= NFRAMES; fr++) {
			const struct test_pcap_udp *u = &frames[fr - 1];
			assert_int_equal(sample_decode_all(u->payload, u->len, WIRE_DIALECT_AUTO, &m,
							   NULL), 0);
			size_t len = sample_rebuild(&m, WIRE_DIALECT_AUTO, out, sizeof(out));
			assert_int_equal(len, u->len - m.pad_len);
			assert_memory_equal(out, u->payload, 24);
			assert_memory_equal(out + 28, u->payload + 28, len - 28);
		}
		test_pcap_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_registration_rekey_decodes_with_gdoid_layout),
		TEST(test_multicast_rekey_decodes_with_gdoid_layout),
		TEST(test_rfc_layout_registration_decodes_with_rfc_layout),
		TEST(test_auto_picks_the_layout_of_every_capture),
		TEST(test_wrong_layout_forced_is_rejected_cleanly),
		TEST(test_every_frame_re_encodes_to_the_same_octets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
