#include "samples.h"

#include <string.h>

#include "test.h"

#include "util/buf.h"
#include "wire/attr.h"
#include "wire/body.h"
#include "wire/build.h"
#include "wire/names.h"

const struct sample_opt sample_default = {.p1_doi = WIRE_DOI_GDOI,
					  .dialect = WIRE_DIALECT_RFC6407};

const uint8_t sample_kek_spi[16] = {0xc0, 0xff, 0xee, 0x01, 0x02, 0x03, 0x04, 0x05,
				    0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d};

static const uint8_t icookie[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
static const uint8_t rcookie[8] = {0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

/* RFC 3706 DPD vendor ID. */
static const uint8_t vid_dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				    0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
/* gvpn capability VID (notes §5.2): magic, version 1.0, capabilities 0x3f. */
static const uint8_t vid_gvpn[22] = {0x8c, 0x9c, 0x23, 0x53, 0xb0, 0x8e, 0x15, 0xeb,
				     0x91, 0x55, 0xa2, 0x92, 0x00, 0xc5, 0xbd, 0xdc,
				     0x01, 0x00, 0x00, 0x00, 0x00, 0x3f};

/*
 * A self-signed X.509 certificate (EC P-256, CN=gvpn-test-gm), made for these
 * tests with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256
 * -subj /CN=gvpn-test-gm -set_serial 1 -outform DER`; real DER so that tshark
 * decodes the CERT payload without BER errors.
 */
static const uint8_t cert_der[] = {
	0x30, 0x82, 0x01, 0x72, 0x30, 0x82, 0x01, 0x18, 0xa0, 0x03, 0x02, 0x01,
	0x02, 0x02, 0x01, 0x01, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
	0x3d, 0x04, 0x03, 0x02, 0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03,
	0x55, 0x04, 0x03, 0x0c, 0x0c, 0x67, 0x76, 0x70, 0x6e, 0x2d, 0x74, 0x65,
	0x73, 0x74, 0x2d, 0x67, 0x6d, 0x30, 0x20, 0x17, 0x0d, 0x32, 0x36, 0x31,
	0x31, 0x32, 0x32, 0x31, 0x33, 0x34, 0x30, 0x35, 0x36, 0x5a, 0x18, 0x0f,
	0x32, 0x31, 0x32, 0x36, 0x31, 0x30, 0x32, 0x39, 0x31, 0x33, 0x34, 0x30,
	0x35, 0x36, 0x5a, 0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55,
	0x04, 0x03, 0x0c, 0x0c, 0x67, 0x76, 0x70, 0x6e, 0x2d, 0x74, 0x65, 0x73,
	0x74, 0x2d, 0x67, 0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
	0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0xa5, 0xbe, 0x56, 0xd0, 0x2c,
	0x66, 0x44, 0xf6, 0x99, 0x6a, 0xff, 0x29, 0xa8, 0x73, 0x55, 0xc0, 0xf9,
	0x63, 0xb2, 0x9f, 0x44, 0x40, 0x6f, 0xd5, 0x1b, 0x63, 0xbb, 0x2f, 0x4b,
	0x35, 0x23, 0x7b, 0xcf, 0x60, 0x58, 0x4b, 0x2c, 0x8d, 0xef, 0x4c, 0x6b,
	0x93, 0x87, 0x43, 0x87, 0xc0, 0xb8, 0x13, 0x96, 0x57, 0xdd, 0x32, 0xc5,
	0xc0, 0x8e, 0xfc, 0xf7, 0xf3, 0x36, 0x1c, 0x84, 0x0a, 0xd9, 0x72, 0xa3,
	0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16,
	0x04, 0x14, 0x26, 0x87, 0x2e, 0xd4, 0x14, 0xec, 0x63, 0x49, 0x5f, 0x10,
	0x6e, 0xf6, 0x95, 0x9b, 0x00, 0xf8, 0x3b, 0x58, 0x6c, 0xfa, 0x30, 0x1f,
	0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0x26,
	0x87, 0x2e, 0xd4, 0x14, 0xec, 0x63, 0x49, 0x5f, 0x10, 0x6e, 0xf6, 0x95,
	0x9b, 0x00, 0xf8, 0x3b, 0x58, 0x6c, 0xfa, 0x30, 0x0f, 0x06, 0x03, 0x55,
	0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff,
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
	0x03, 0x48, 0x00, 0x30, 0x45, 0x02, 0x20, 0x02, 0x01, 0x01, 0xa4, 0x32,
	0x09, 0xaf, 0xbe, 0x33, 0x12, 0x61, 0x9b, 0x87, 0xab, 0x16, 0x92, 0xdb,
	0xd0, 0x78, 0xa3, 0x9f, 0x0f, 0xfc, 0xdf, 0x0c, 0x51, 0x3e, 0xdd, 0x16,
	0x3f, 0xf2, 0x72, 0x02, 0x21, 0x00, 0xab, 0x80, 0xfc, 0xe4, 0x70, 0x22,
	0xda, 0xd2, 0x10, 0x4c, 0x86, 0xb0, 0x87, 0x71, 0xd4, 0x30, 0xbe, 0xe9,
	0x6f, 0x18, 0xa8, 0x76, 0x4a, 0xa4, 0x8a, 0xd5, 0xcf, 0xe2, 0x8f, 0x70,
	0x9f, 0xdc
};

static const uint8_t group_id[4] = {0x00, 0x00, 0x0d, 0x05}; /* 3333, network order */
static const uint8_t gm_addr[4] = {10, 0, 0, 2};
static const uint8_t ks_addr[4] = {10, 0, 0, 1};
static const uint8_t rekey_group[4] = {239, 192, 1, 190};
static const uint8_t tek1_src[8] = {10, 1, 0, 0, 255, 255, 0, 0};
static const uint8_t tek1_dst[8] = {10, 2, 0, 0, 255, 255, 0, 0};
static const uint8_t tek2_src[4] = {10, 1, 1, 1};
static const uint8_t tek2_dst[4] = {239, 1, 1, 1};
static const uint8_t tek_spis[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

/* Deterministic filler for keys, nonces, KE values and signatures. */
static uint8_t pattern[4096];

static void init_pattern(void)
{
	if (pattern[1])
		return;
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
}

void sample_data(struct wire_data *d, uint8_t fill, size_t len)
{
	init_pattern();
	assert_true(fill + len <= sizeof(pattern));
	d->p = pattern + fill;
	d->len = len;
}

typedef void (*fill_fn)(struct buf_writer *w);

/* Write attributes with the wire writers into store and describe them as a span. */
static struct wire_attrs span(uint8_t *store, size_t cap, fill_fn fill)
{
	struct buf_writer w;
	struct wire_attrs a;
	buf_w_init(&w, store, cap);
	fill(&w);
	assert_true(buf_w_result(&w) >= 0);
	assert_int_equal(wire_attrs_from(&a, store, w.len, NULL), 0);
	return a;
}

static void p1_aes256(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_P1A_ENCR, WIRE_P1_ENCR_AES_CBC);
	wire_attr_put_tv(w, WIRE_P1A_KEY_LENGTH, 256);
	wire_attr_put_tv(w, WIRE_P1A_HASH, WIRE_P1_HASH_SHA256);
	wire_attr_put_tv(w, WIRE_P1A_AUTH, WIRE_P1_AUTH_RSA_SIG);
	wire_attr_put_tv(w, WIRE_P1A_GROUP_DESC, WIRE_GROUP_MODP2048);
	wire_attr_put_tv(w, WIRE_P1A_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(w, WIRE_P1A_LIFE_DURATION, 86400);
}

static void p1_aes128(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_P1A_ENCR, WIRE_P1_ENCR_AES_CBC);
	wire_attr_put_tv(w, WIRE_P1A_KEY_LENGTH, 128);
	wire_attr_put_tv(w, WIRE_P1A_HASH, WIRE_P1_HASH_SHA1);
	wire_attr_put_tv(w, WIRE_P1A_AUTH, WIRE_P1_AUTH_PSK);
	wire_attr_put_tv(w, WIRE_P1A_GROUP_DESC, WIRE_GROUP_MODP2048);
	wire_attr_put_tv(w, WIRE_P1A_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_tv(w, WIRE_P1A_LIFE_DURATION, 3600);
}

static void p1_3des(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_P1A_ENCR, WIRE_P1_ENCR_3DES);
	wire_attr_put_tv(w, WIRE_P1A_HASH, WIRE_P1_HASH_SHA1);
	wire_attr_put_tv(w, WIRE_P1A_AUTH, WIRE_P1_AUTH_PSK);
	wire_attr_put_tv(w, WIRE_P1A_GROUP_DESC, WIRE_GROUP_MODP1024);
}

void sample_p1sa(struct wire_p1sa *sa, uint32_t doi, int n_xforms)
{
	static uint8_t s1[64], s2[64], s3[64];
	fill_fn fills[3] = {p1_aes256, p1_aes128, p1_3des};
	uint8_t *stores[3] = {s1, s2, s3};
	assert_true(n_xforms >= 1 && n_xforms <= 3);
	memset(sa, 0, sizeof(*sa));
	sa->doi = doi;
	sa->situation = WIRE_SIT_IDENTITY_ONLY;
	sa->n_props = 1;
	sa->props[0] = (struct wire_p1_prop){.num = 1, .proto = WIRE_PROTO_ISAKMP,
					     .n_xforms = (uint8_t)n_xforms};
	sa->n_xforms = (uint8_t)n_xforms;
	for (int i = 0; i < n_xforms; i++) {
		sa->xforms[i].num = (uint8_t)(i + 1);
		sa->xforms[i].id = WIRE_KEY_IKE;
		sa->xforms[i].attrs = span(stores[i], 64, fills[i]);
	}
}

static void kek_attrs(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_KEKA_ALG, WIRE_KEK_ALG_AES);
	wire_attr_put_tv(w, WIRE_KEKA_KEY_LENGTH, 128);
	wire_attr_put_u32(w, WIRE_KEKA_KEY_LIFETIME, 86400);
	wire_attr_put_tv(w, WIRE_KEKA_SIG_HASH_ALG, WIRE_SIG_HASH_SHA256);
	wire_attr_put_tv(w, WIRE_KEKA_SIG_ALG, WIRE_SIG_ALG_RSA);
	wire_attr_put_tv(w, WIRE_KEKA_SIG_KEY_LENGTH, 2048);
	wire_attr_put_tv(w, WIRE_KEKA_ACK_REQUESTED, 1);
}

static void tek1_attrs(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(w, WIRE_TEKA_LIFE_DURATION, 3600);
	wire_attr_put_tv(w, WIRE_TEKA_ENCAP_MODE, WIRE_ENCAP_TUNNEL);
	wire_attr_put_tv(w, WIRE_TEKA_AUTH_ALG, WIRE_AUTH_HMAC_SHA2_256);
	wire_attr_put_tv(w, WIRE_TEKA_KEY_LENGTH, 128);
	wire_attr_put_tv(w, WIRE_TEKA_ADDR_PRESERVATION, WIRE_ADDR_PRES_BOTH);
	wire_attr_put_tv(w, WIRE_TEKA_SA_DIRECTION, WIRE_SA_DIR_SYMMETRIC);
}

static void tek2_attrs(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(w, WIRE_TEKA_LIFE_DURATION, 7200);
	wire_attr_put_tv(w, WIRE_TEKA_ENCAP_MODE, WIRE_ENCAP_TUNNEL);
	wire_attr_put_tv(w, WIRE_TEKA_KEY_LENGTH, 256);
	wire_attr_put_tv(w, WIRE_TEKA_ADDR_PRESERVATION, WIRE_ADDR_PRES_BOTH);
	wire_attr_put_tv(w, WIRE_TEKA_SA_DIRECTION, WIRE_SA_DIR_SYMMETRIC);
	wire_attr_put_tv(w, WIRE_TEKA_GVPN_REPLAY_METHOD, WIRE_GVPN_REPLAY_TIME);
	wire_attr_put_tv(w, WIRE_TEKA_GVPN_REPLAY_WINDOW, 10);
	wire_attr_put_u64(w, WIRE_TEKA_GVPN_PSEUDOTIME, 0x0000000123456789ull);
}

static void gap_attrs(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_GAPA_ATD, 60);
	wire_attr_put_tv(w, WIRE_GAPA_DTD, 30);
}

static void gap_sid_attrs(struct buf_writer *w)
{
	wire_attr_put_tv(w, WIRE_GAPA_SENDER_ID_REQUEST, 2);
}

static void set_id(struct wire_gdoi_id *id, uint8_t type, uint16_t port, const uint8_t *data,
		   uint16_t len)
{
	id->type = type;
	id->port = port;
	id->data = data;
	id->len = len;
}

void sample_gdoi_sa(struct wire_gdoi_sa *sa, int with_gap)
{
	static uint8_t sk[64], st1[64], st2[64], sg[16];
	memset(sa, 0, sizeof(*sa));
	sa->doi = WIRE_DOI_GDOI;
	sa->has_kek = true;
	struct wire_sa_kek *k = &sa->kek;
	k->proto = 17;
	set_id(&k->src, WIRE_ID_IPV4_ADDR, 848, ks_addr, 4);
	set_id(&k->dst, WIRE_ID_IPV4_ADDR, 848, rekey_group, 4);
	memcpy(k->spi, sample_kek_spi, sizeof(k->spi));
	k->attrs = span(sk, sizeof(sk), kek_attrs);
	if (with_gap) {
		sa->has_gap = true;
		sa->gap.attrs = span(sg, sizeof(sg), gap_attrs);
	}
	sa->n_teks = 2;
	struct wire_sa_tek *t = &sa->teks[0];
	t->proto_id = WIRE_GDOI_PROTO_IPSEC_ESP;
	set_id(&t->src, WIRE_ID_IPV4_ADDR_SUBNET, 0, tek1_src, 8);
	set_id(&t->dst, WIRE_ID_IPV4_ADDR_SUBNET, 0, tek1_dst, 8);
	t->transform_id = WIRE_ESP_AES_CBC;
	t->spi = SAMPLE_TEK1_SPI;
	t->attrs = span(st1, sizeof(st1), tek1_attrs);
	t = &sa->teks[1];
	t->proto_id = WIRE_GDOI_PROTO_IPSEC_ESP;
	t->ip_proto = 17;
	set_id(&t->src, WIRE_ID_IPV4_ADDR, 5000, tek2_src, 4);
	set_id(&t->dst, WIRE_ID_IPV4_ADDR, 5000, tek2_dst, 4);
	t->transform_id = WIRE_ESP_AES_GCM_16;
	t->spi = SAMPLE_TEK2_SPI;
	t->attrs = span(st2, sizeof(st2), tek2_attrs);
}

static void kd_kek_attrs(struct buf_writer *w)
{
	struct wire_data iv_key, pub;
	sample_data(&iv_key, 40, 32);
	sample_data(&pub, 80, 294);
	wire_attr_put_tlv(w, WIRE_KDA_KEK_ALG_KEY, iv_key.p, (uint16_t)iv_key.len);
	wire_attr_put_tlv(w, WIRE_KDA_KEK_SIG_ALG_KEY, pub.p, (uint16_t)pub.len);
}

static void kd_tek1_attrs(struct buf_writer *w)
{
	struct wire_data key, integ;
	sample_data(&key, 120, 16);
	sample_data(&integ, 140, 32);
	wire_attr_put_tlv(w, WIRE_KDA_TEK_ALG_KEY, key.p, (uint16_t)key.len);
	wire_attr_put_tlv(w, WIRE_KDA_TEK_INTEGRITY_KEY, integ.p, (uint16_t)integ.len);
}

static void kd_tek2_attrs(struct buf_writer *w)
{
	struct wire_data key_salt;
	sample_data(&key_salt, 160, 36);
	wire_attr_put_tlv(w, WIRE_KDA_TEK_ALG_KEY, key_salt.p, (uint16_t)key_salt.len);
}

static void kd_sid_attrs(struct buf_writer *w)
{
	static const uint8_t sid1[1] = {5}, sid2[1] = {6};
	wire_attr_put_tv(w, WIRE_KDA_SID_NUMBER_OF_BITS, 8);
	wire_attr_put_tlv(w, WIRE_KDA_SID_VALUE, sid1, 1);
	wire_attr_put_tlv(w, WIRE_KDA_SID_VALUE, sid2, 1);
}

void sample_kd(struct wire_kd *kd, int with_sid)
{
	static uint8_t sk[400], s1[64], s2[64], ss[32];
	memset(kd, 0, sizeof(*kd));
	kd->n_packets = with_sid ? 4 : 3;
	kd->pk[0] = (struct wire_kd_packet){.type = WIRE_KD_KEK, .spi_size = 16,
					    .spi = sample_kek_spi};
	kd->pk[0].attrs = span(sk, sizeof(sk), kd_kek_attrs);
	kd->pk[1] = (struct wire_kd_packet){.type = WIRE_KD_TEK, .spi_size = 4, .spi = tek_spis};
	kd->pk[1].attrs = span(s1, sizeof(s1), kd_tek1_attrs);
	kd->pk[2] = (struct wire_kd_packet){.type = WIRE_KD_TEK, .spi_size = 4,
					    .spi = tek_spis + 4};
	kd->pk[2].attrs = span(s2, sizeof(s2), kd_tek2_attrs);
	if (with_sid) {
		kd->pk[3] = (struct wire_kd_packet){.type = WIRE_KD_SID};
		kd->pk[3].attrs = span(ss, sizeof(ss), kd_sid_attrs);
	}
}

void sample_group_id(struct wire_id *id)
{
	*id = (struct wire_id){.type = WIRE_ID_KEY_ID, .data = group_id, .len = 4};
}

void sample_ipv4_id(struct wire_id *id, int ks)
{
	*id = (struct wire_id){.type = WIRE_ID_IPV4_ADDR, .data = ks ? ks_addr : gm_addr, .len = 4};
}

static uint8_t cookies[16];

static const uint8_t *cookie_pair(void)
{
	memcpy(cookies, icookie, 8);
	memcpy(cookies + 8, rcookie, 8);
	return cookies;
}

void sample_notify(struct wire_notify *n)
{
	static const uint8_t seq[4] = {0, 0, 0, 42};
	*n = (struct wire_notify){.doi = WIRE_DOI_GDOI, .proto = WIRE_PROTO_ISAKMP,
				  .spi_size = 16, .type = WIRE_N_R_U_THERE,
				  .spi = cookie_pair(), .data = seq, .data_len = 4};
}

static void initial_contact(struct wire_notify *n)
{
	*n = (struct wire_notify){.doi = WIRE_DOI_IPSEC, .proto = WIRE_PROTO_ISAKMP,
				  .spi_size = 16, .type = WIRE_N_INITIAL_CONTACT,
				  .spi = cookie_pair()};
}

void sample_delete_isakmp(struct wire_delete *d)
{
	*d = (struct wire_delete){.doi = WIRE_DOI_GDOI, .proto = WIRE_PROTO_ISAKMP,
				  .spi_size = 16, .n_spis = 1, .spis = cookie_pair()};
}

void sample_delete_teks(struct wire_delete *d)
{
	*d = (struct wire_delete){.doi = WIRE_DOI_GDOI, .proto = WIRE_GDOI_PROTO_IPSEC_ESP,
				  .spi_size = 4, .n_spis = 2, .spis = tek_spis};
}

void sample_cert(struct wire_cert *c)
{
	*c = (struct wire_cert){.encoding = 4, .data = cert_der, .len = sizeof(cert_der)};
}

void sample_cr(struct wire_cert *c)
{
	*c = (struct wire_cert){.encoding = 4};
}

static const char *const names[SAMPLE_COUNT] = {
	[SAMPLE_MM1] = "MM1",     [SAMPLE_MM2] = "MM2",       [SAMPLE_MM3] = "MM3",
	[SAMPLE_MM4] = "MM4",     [SAMPLE_MM5] = "MM5",       [SAMPLE_MM6] = "MM6",
	[SAMPLE_PULL1] = "PULL1", [SAMPLE_PULL2] = "PULL2",   [SAMPLE_PULL3] = "PULL3",
	[SAMPLE_PULL4] = "PULL4", [SAMPLE_PUSH] = "PUSH",     [SAMPLE_ACK] = "ACK",
	[SAMPLE_INFO_N] = "INFO-N", [SAMPLE_INFO_D] = "INFO-D",
	[SAMPLE_PULL2_GAP] = "PULL2-GAP", [SAMPLE_PULL3_GAP] = "PULL3-GAP",
};

const char *sample_name(enum sample_msg m)
{
	return m < SAMPLE_COUNT ? names[m] : "?";
}

static void header(enum sample_msg m, struct wire_isakmp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->version = WIRE_ISAKMP_VERSION;
	memcpy(h->icookie, icookie, 8);
	memcpy(h->rcookie, rcookie, 8);
	if (m <= SAMPLE_MM6) {
		h->exch = WIRE_EXCH_IDPROT;
		if (m == SAMPLE_MM1)
			memset(h->rcookie, 0, 8);
	} else if (m == SAMPLE_PUSH || m == SAMPLE_ACK) {
		h->exch = m == SAMPLE_PUSH ? WIRE_EXCH_GROUPKEY_PUSH : WIRE_EXCH_PUSH_ACK;
		memcpy(h->icookie, sample_kek_spi, 8);
		memcpy(h->rcookie, sample_kek_spi + 8, 8);
	} else if (m == SAMPLE_INFO_N || m == SAMPLE_INFO_D) {
		h->exch = WIRE_EXCH_INFO;
		h->msgid = 0x0badcafe;
	} else {
		h->exch = WIRE_EXCH_GROUPKEY_PULL;
		h->msgid = 0x508802d2;
	}
}

static void build_mm(struct wire_builder *b, enum sample_msg m, const struct sample_opt *o)
{
	struct wire_p1sa sa;
	struct wire_data d;
	struct wire_cert c;
	struct wire_id id;
	struct wire_notify n;
	switch (m) {
	case SAMPLE_MM1:
	case SAMPLE_MM2:
		sample_p1sa(&sa, o->p1_doi, m == SAMPLE_MM1 ? 3 : 1);
		wire_build_p1sa(b, &sa);
		wire_build_vid(b, &(struct wire_data){vid_dpd, sizeof(vid_dpd)});
		wire_build_vid(b, &(struct wire_data){vid_gvpn, sizeof(vid_gvpn)});
		break;
	case SAMPLE_MM3:
	case SAMPLE_MM4:
		sample_data(&d, m == SAMPLE_MM3 ? 1 : 2, 256);
		wire_build_ke(b, &d);
		sample_data(&d, m == SAMPLE_MM3 ? 3 : 4, 32);
		wire_build_nonce(b, &d);
		sample_cr(&c);
		wire_build_cr(b, &c);
		break;
	default:
		sample_ipv4_id(&id, m == SAMPLE_MM6);
		wire_build_id(b, &id);
		sample_cert(&c);
		wire_build_cert(b, &c);
		sample_data(&d, m == SAMPLE_MM5 ? 5 : 6, 256);
		wire_build_sig(b, &d);
		if (m == SAMPLE_MM5) {
			initial_contact(&n);
			wire_build_notify(b, &n);
		}
		break;
	}
}

static void build_pull(struct wire_builder *b, enum sample_msg m, const struct sample_opt *o)
{
	static struct wire_gdoi_sa sa; /* large: keep it off the stack */
	struct wire_data hash, nonce;
	struct wire_id id;
	struct wire_gap gap;
	static uint8_t gs[8];
	static struct wire_kd kd;
	sample_data(&hash, (uint8_t)(10 + m), 32);
	wire_build_hash(b, &hash);
	switch (m) {
	case SAMPLE_PULL1:
		sample_data(&nonce, 30, 32);
		wire_build_nonce(b, &nonce);
		sample_group_id(&id);
		wire_build_id(b, &id);
		break;
	case SAMPLE_PULL2:
	case SAMPLE_PULL2_GAP:
		sample_data(&nonce, 31, 32);
		wire_build_nonce(b, &nonce);
		sample_gdoi_sa(&sa, m == SAMPLE_PULL2_GAP);
		wire_build_gdoi_sa(b, &sa, o->dialect);
		break;
	case SAMPLE_PULL3_GAP:
		gap.attrs = span(gs, sizeof(gs), gap_sid_attrs);
		wire_build_gap(b, &gap);
		break;
	case SAMPLE_PULL4:
		wire_build_seq(b, SAMPLE_SEQ);
		sample_kd(&kd, 0);
		wire_build_kd(b, &kd);
		break;
	default: /* SAMPLE_PULL3: HASH only */
		break;
	}
}

static void build_other(struct wire_builder *b, enum sample_msg m, const struct sample_opt *o)
{
	static struct wire_gdoi_sa sa;
	static struct wire_kd kd;
	struct wire_data d;
	struct wire_delete del;
	struct wire_notify n;
	struct wire_id id;
	switch (m) {
	case SAMPLE_PUSH: /* SEQ, D, SA, KD, SIG */
		wire_build_seq(b, SAMPLE_SEQ + 1);
		sample_delete_teks(&del);
		wire_build_delete(b, &del);
		sample_gdoi_sa(&sa, 0);
		wire_build_gdoi_sa(b, &sa, o->dialect);
		sample_kd(&kd, 0);
		wire_build_kd(b, &kd);
		sample_data(&d, 50, 256);
		wire_build_sig(b, &d);
		break;
	case SAMPLE_ACK: /* HASH, SEQ, ID (notes §5.3) */
		sample_data(&d, 60, 32);
		wire_build_hash(b, &d);
		wire_build_seq(b, SAMPLE_SEQ + 1);
		sample_ipv4_id(&id, 0);
		wire_build_id(b, &id);
		break;
	case SAMPLE_INFO_N:
		sample_data(&d, 61, 32);
		wire_build_hash(b, &d);
		sample_notify(&n);
		wire_build_notify(b, &n);
		break;
	default: /* SAMPLE_INFO_D */
		sample_data(&d, 62, 32);
		wire_build_hash(b, &d);
		sample_delete_isakmp(&del);
		wire_build_delete(b, &del);
		break;
	}
}

int sample_build_result(enum sample_msg m, const struct sample_opt *opt, uint8_t *buf,
			size_t cap)
{
	struct wire_isakmp_hdr h;
	struct wire_builder b;
	header(m, &h);
	wire_build_init(&b, buf, cap, &h);
	if (m <= SAMPLE_MM6)
		build_mm(&b, m, opt);
	else if ((m >= SAMPLE_PULL1 && m <= SAMPLE_PULL4) || m == SAMPLE_PULL2_GAP ||
		 m == SAMPLE_PULL3_GAP)
		build_pull(&b, m, opt);
	else
		build_other(&b, m, opt);
	return wire_build_finish(&b);
}

size_t sample_build(enum sample_msg m, const struct sample_opt *opt, uint8_t *buf, size_t cap)
{
	int len = sample_build_result(m, opt, buf, cap);
	assert_true(len > 0);
	return (size_t)len;
}

int sample_decode_all(const uint8_t *msg, size_t len, enum wire_dialect d, struct wire_msg *m,
		      struct wire_err *err)
{
	static struct wire_body body;
	int rc = wire_msg_decode(msg, len, m, err);
	for (size_t i = 0; rc == 0 && i < m->n; i++)
		rc = wire_body_decode(&m->pl[i], m->hdr.exch, d, &body, err);
	return rc;
}

size_t sample_rebuild(const struct wire_msg *m, enum wire_dialect d, uint8_t *out, size_t cap)
{
	static struct wire_body body;
	struct wire_builder b;
	wire_build_init(&b, out, cap, &m->hdr);
	for (size_t i = 0; i < m->n; i++) {
		const struct wire_payload *pl = &m->pl[i];
		assert_int_equal(wire_body_decode(pl, m->hdr.exch, d, &body, NULL), 0);
		enum wire_dialect used = d;
		if (body.kind == WIRE_BODY_GDOI_SA)
			used = body.u.gdoi_sa.dialect;
		else if (body.kind == WIRE_BODY_SAK)
			used = body.u.kek.dialect;
		else if (body.kind == WIRE_BODY_SAT)
			used = body.u.tek.dialect;
		size_t at = wire_build_begin(&b, pl->type);
		if (body.kind == WIRE_BODY_NONE)
			buf_put_bytes(&b.w, pl->body, pl->len);
		else
			wire_body_encode(&b.w, &body, used);
		wire_build_end(&b, at);
	}
	int len = wire_build_finish(&b);
	assert_true(len > 0);
	return (size_t)len;
}
