/*
 * The GM's policy decoder against the gdoid reference captures
 * (tests/data/gdoid): pull message 2 (frame 8, the SA) and message 4
 * (frame 10, SEQ and KD) of each *.decrypted.pcap become a policy whose
 * KEK, TEKs, keys and public key are those listed in keys.txt. Two captures
 * use gdoid's own payload layouts, the third the RFC 6407 ones; decoding a
 * capture with the other layout must fail cleanly.
 */
#include "test.h"

#include <stdlib.h>

#include "crypto/hash.h"
#include "gdoi/policy_wire.h"
#include "pcap.h"
#include "util/clock.h"
#include "util/err.h"
#include "vectors.h"
#include "wire/names.h"

#define NFRAMES 14
#define NOW	(50 * NS_PER_SEC)

struct tek_expect {
	const char *name; /* keys.txt prefix: "tek.feb9f28b" */
	uint32_t spi;
	struct gdoi_transform xf;
	bool receive_only;
	uint32_t src, src_wild, dst;
	uint16_t port;
};

struct capture {
	const char *section; /* keys.txt section */
	const char *file;
	enum wire_dialect dialect;
	enum crypto_cbc_alg kek_alg;
	enum crypto_hash_alg sig_hash;
	bool multicast;
	bool gap;
	size_t n_teks;
	struct tek_expect tek[2];
};

#define AES128_SHA1                                                                                \
	{                                                                                          \
		GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA1                                              \
	}
#define DES3_SHA1                                                                                  \
	{                                                                                          \
		GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1                                                 \
	}

static const struct capture captures[] = {
    {"registration-rekey.pcap",
     "gdoid/registration-rekey.decrypted.pcap",
     WIRE_DIALECT_GDOID,
     CRYPTO_CBC_AES128,
     CRYPTO_HASH_SHA1,
     false,
     false,
     1,
     {{"tek.feb9f28b", 0xfeb9f28b, AES128_SHA1, true, 0x0af80001, 0, 0xefc00101, 5000}}},
    {"multicast-rekey.pcap",
     "gdoid/multicast-rekey.decrypted.pcap",
     WIRE_DIALECT_GDOID,
     CRYPTO_CBC_3DES,
     CRYPTO_HASH_SHA256,
     true,
     true,
     2,
     {{"tek.0f1f5c14", 0x0f1f5c14, DES3_SHA1, true, 0x0af80001, 0, 0xefc00101, 5000},
      {"tek.c8e22562", 0xc8e22562, AES128_SHA1, false, 0x0af80000, 0xff, 0xefc00102, 0}}},
    {"rfc-layout-registration.pcap",
     "gdoid/rfc-layout-registration.decrypted.pcap",
     WIRE_DIALECT_RFC6407,
     CRYPTO_CBC_AES128,
     CRYPTO_HASH_SHA1,
     false,
     false,
     1,
     {{"tek.22f338bb", 0x22f338bb, AES128_SHA1, true, 0x0af80001, 0, 0xefc00101, 5000}}},
};

static struct vfile *keys;
static struct test_pcap_udp frames[NFRAMES];
static struct wire_msg m8, m10;
static struct wire_gdoi_sa sa;
static struct wire_kd kd;
static char why[160];

static struct test_pcap *load(const struct capture *c)
{
	struct test_pcap *pc = test_pcap_load(test_data_path(c->file));
	assert_int_equal(test_pcap_all_udp(pc, frames, NFRAMES), NFRAMES);
	/* The twins hold plaintext bodies with the E flag cleared: decode them as they are. */
	assert_int_equal(wire_msg_decode(frames[7].payload, frames[7].len, &m8, NULL), 0);
	assert_int_equal(wire_msg_decode(frames[9].payload, frames[9].len, &m10, NULL), 0);
	assert_int_equal(m8.hdr.exch, WIRE_EXCH_GROUPKEY_PULL);
	return pc;
}

/* Frame 8's SA and frame 10's SEQ and KD into a policy, as the GM does. */
static int decode(const struct capture *c, enum wire_dialect d, struct gdoi_policy *p)
{
	const struct wire_payload *spl = wire_msg_find(&m8, WIRE_PL_SA, 0);
	const struct wire_payload *kpl = wire_msg_find(&m10, WIRE_PL_KD, 0);
	const struct wire_payload *seq = wire_msg_find(&m10, WIRE_PL_SEQ, 0);
	assert_non_null(spl);
	assert_non_null(kpl);
	assert_non_null(seq);
	(void)c;
	int rc = wire_gdoi_sa_decode(spl, d, &sa, NULL);
	if (rc < 0)
		return rc;
	rc = gdoi_policy_decode_sa(&sa, NOW, p, why, sizeof(why));
	if (rc < 0)
		return rc;
	assert_int_equal(wire_kd_decode(kpl, &kd, NULL), 0);
	assert_int_equal(wire_seq_decode(seq, &p->seq, NULL), 0);
	return gdoi_policy_decode_kd(p, &kd, why, sizeof(why));
}

static void expect_hex(const struct capture *c, const char *name, const uint8_t *got, size_t len)
{
	uint8_t want[64];
	size_t n = vfile_hex(keys, c->section, name, want, sizeof(want));
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
}

static void expect_tek(const struct capture *c, const struct gdoi_policy *p,
		       const struct tek_expect *e)
{
	char name[64];
	const struct gdoi_tek *t = gdoi_policy_tek((struct gdoi_policy *)p, e->spi);
	assert_non_null(t);
	assert_true(gdoi_transform_equal(&t->xf, &e->xf));
	assert_true(t->has_keys);
	assert_int_equal(t->life_sec, 120);
	assert_int_equal(t->receive_only, e->receive_only);
	snprintf(name, sizeof(name), "%s.encr_key", e->name);
	expect_hex(c, name, t->enc_key, gdoi_transform_enc_len(&t->xf));
	snprintf(name, sizeof(name), "%s.auth_key", e->name);
	expect_hex(c, name, t->auth_key, gdoi_transform_auth_len(&t->xf));
	/* Its selector is one permit line of the downloaded ACL. */
	const struct gdoi_acl_entry *a = NULL;
	for (size_t i = 0; i < p->n_acl; i++)
		if (p->acl[i].sa_num == t->sa_num)
			a = &p->acl[i];
	assert_non_null(a);
	assert_int_equal(a->action, GDOI_ACL_PERMIT);
	assert_int_equal(a->proto, 0);
	assert_int_equal(a->src, e->src);
	assert_int_equal(a->src_wild, e->src_wild);
	assert_int_equal(a->dst, e->dst);
	assert_int_equal(a->dst_wild, 0);
	assert_int_equal(a->sport.op, e->port ? GDOI_PORT_EQ : GDOI_PORT_ANY);
	assert_int_equal(a->sport.a, e->port);
	assert_int_equal(a->dport.a, e->port);
}

static void expect_capture(const struct capture *c)
{
	static struct gdoi_policy p;
	struct test_pcap *pc = load(c);
	int rc = decode(c, c->dialect, &p);
	if (rc < 0)
		fail_msg("%s: %s (%s)", c->section, err_name(rc), why);
	/* KEK: SPI, algorithm, IV | key, lifetime, signature parameters, public key. */
	assert_true(p.has_kek);
	assert_true(p.kek.has_keys);
	expect_hex(c, "kek.1.spi", p.kek.spi, GDOI_KEK_SPI_LEN);
	assert_int_equal(p.kek.alg, c->kek_alg);
	expect_hex(c, "kek.1.key", p.kek.key, crypto_cbc_key_len(c->kek_alg));
	expect_hex(c, "kek.1.iv", p.kek.iv, crypto_cbc_block_len(c->kek_alg));
	assert_int_equal(p.kek.life_sec, 25);
	assert_int_equal(p.kek.sig_hash, c->sig_hash);
	assert_int_equal(p.kek.sig_key_bits, 2048);
	assert_int_equal(p.kek.ks_addr, 0x0af80001);
	assert_int_equal(p.kek.multicast, c->multicast);
	assert_int_equal(p.kek.mcast_addr, c->multicast ? 0xefc00164u : 0); /* 239.192.1.100 */
	uint8_t digest[CRYPTO_HASH_MAX];
	struct crypto_iov iov = {p.spki, p.spki_len};
	assert_int_equal(p.spki_len, 294);
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, digest), 32);
	uint8_t want[32];
	vfile_hex(keys, "rsa-public-key", "spki_der_sha256", want, sizeof(want));
	assert_memory_equal(digest, want, 32);
	/* SEQ 0 from the pull; TEKs and their lines; GAP where gdoid sent one. */
	assert_int_equal(p.seq, 0);
	assert_int_equal(p.n_teks, c->n_teks);
	assert_int_equal(p.n_acl, c->n_teks);
	for (size_t i = 0; i < c->n_teks; i++)
		expect_tek(c, &p, &c->tek[i]);
	assert_int_equal(p.has_gap, c->gap);
	if (c->gap) {
		assert_int_equal(p.atd_sec, 10);
		assert_int_equal(p.dtd_sec, 20);
	}
	/* The other layout cannot read this capture and says so. */
	enum wire_dialect other =
	    c->dialect == WIRE_DIALECT_GDOID ? WIRE_DIALECT_RFC6407 : WIRE_DIALECT_GDOID;
	assert_true(decode(c, other, &p) < 0);
	/* AUTO finds the right one. */
	assert_int_equal(decode(c, WIRE_DIALECT_AUTO, &p), 0);
	assert_int_equal(sa.dialect, c->dialect);
	gdoi_policy_clear(&p);
	test_pcap_free(pc);
}

static void test_registration_rekey(void **state)
{
	(void)state;
	expect_capture(&captures[0]);
}

static void test_multicast_rekey(void **state)
{
	(void)state;
	expect_capture(&captures[1]);
}

static void test_rfc_layout_registration(void **state)
{
	(void)state;
	expect_capture(&captures[2]);
}

static int setup(void **state)
{
	(void)state;
	keys = vfile_load("gdoid/keys.txt");
	return keys ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	vfile_free(keys);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_registration_rekey),
	    TEST(test_multicast_rekey),
	    TEST(test_rfc_layout_registration),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
