/*
 * ike1 against real captures of Cisco's GDOI reference implementation
 * (tests/data/gdoid): from the PSK, nonces, cookies and g^xy of keys.txt
 * derive SKEYID*, the key and the IVs and compare them with keys.txt;
 * decrypt Main Mode frames 5-6 and GROUPKEY-PULL frames 7-10 and compare the
 * plaintext with the *.decrypted.pcap twin octet for octet (padding
 * included); verify HASH_I, HASH_R and HASH(1)-HASH(4). The pull is opened
 * with the protected-exchange API on an SA built from the derived keys.
 */
#include "test.h"

#include <stdlib.h>

#include "ike1/prot.h"
#include "ike1/sa.h"
#include "pcap.h"
#include "util/err.h"
#include "vectors.h"
#include "wire/isakmp.h"
#include "wire/names.h"

#define NFRAMES 14

struct capture {
	const char *file, *twin;
	enum crypto_cbc_alg cipher;
};

static const struct capture captures[] = {
    {"registration-rekey.pcap", "gdoid/registration-rekey.decrypted.pcap", CRYPTO_CBC_AES128},
    {"multicast-rekey.pcap", "gdoid/multicast-rekey.decrypted.pcap", CRYPTO_CBC_3DES},
    {"rfc-layout-registration.pcap", "gdoid/rfc-layout-registration.decrypted.pcap",
     CRYPTO_CBC_AES128},
};

static struct vfile *keys;

struct frames {
	struct test_pcap *pcap, *twin;
	struct test_pcap_udp f[NFRAMES], d[NFRAMES];
};

static void load_frames(const struct capture *c, struct frames *fr)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "gdoid/%s", c->file);
	fr->pcap = test_pcap_load(test_data_path(rel));
	fr->twin = test_pcap_load(test_data_path(c->twin));
	assert_int_equal(test_pcap_all_udp(fr->pcap, fr->f, NFRAMES), NFRAMES);
	assert_int_equal(test_pcap_all_udp(fr->twin, fr->d, NFRAMES), NFRAMES);
}

static void free_frames(struct frames *fr)
{
	test_pcap_free(fr->pcap);
	test_pcap_free(fr->twin);
}

static size_t kv(const struct capture *c, const char *name, uint8_t *out, size_t cap)
{
	return vfile_hex(keys, c->file, name, out, cap);
}

static void expect_kv(const struct capture *c, const char *name, const uint8_t *got, size_t len)
{
	uint8_t want[256];
	assert_int_equal(kv(c, name, want, sizeof(want)), len);
	assert_memory_equal(got, want, len);
}

/* Phase-1 inputs of keys.txt. */
struct p1 {
	uint8_t psk[64], cky_i[8], cky_r[8], gxi[128], gxr[128], ni[64], nr[64], gxy[128];
	size_t psk_len, gxi_len, gxr_len, ni_len, nr_len, gxy_len;
};

#define B(a, n) ((struct ike1_bytes){(a), (n)})

static void load_p1(const struct capture *c, struct p1 *v)
{
	v->psk_len = kv(c, "psk_hex", v->psk, sizeof(v->psk));
	assert_int_equal(kv(c, "cky_i", v->cky_i, 8), 8);
	assert_int_equal(kv(c, "cky_r", v->cky_r, 8), 8);
	v->gxi_len = kv(c, "g_xi", v->gxi, sizeof(v->gxi));
	v->gxr_len = kv(c, "g_xr", v->gxr, sizeof(v->gxr));
	v->ni_len = kv(c, "ni_b", v->ni, sizeof(v->ni));
	v->nr_len = kv(c, "nr_b", v->nr, sizeof(v->nr));
	v->gxy_len = kv(c, "g_xy", v->gxy, sizeof(v->gxy));
}

/* SKEYID = prf(PSK, Ni_b | Nr_b), then SKEYID_d/a/e and the key; all as keys.txt lists them. */
static void derive_keys(const struct capture *c, const struct p1 *v, struct ike1_keys *k,
			uint8_t skeyid[static IKE1_PRF_MAX])
{
	assert_int_equal(ike1_keys_skeyid_psk(CRYPTO_HASH_SHA1, v->psk, v->psk_len,
					      B(v->ni, v->ni_len), B(v->nr, v->nr_len), skeyid),
			 20);
	expect_kv(c, "skeyid", skeyid, 20);
	*k = (struct ike1_keys){.hash = CRYPTO_HASH_SHA1, .cipher = c->cipher};
	assert_int_equal(ike1_keys_derive(k, skeyid, B(v->gxy, v->gxy_len), v->cky_i, v->cky_r), 0);
	expect_kv(c, "skeyid_d", k->skeyid_d, 20);
	expect_kv(c, "skeyid_a", k->skeyid_a, 20);
	expect_kv(c, "skeyid_e", k->skeyid_e, 20);
	expect_kv(c, "p1_enc_key", k->key, k->key_len);
}

/* Decrypt one frame on iv; the plaintext must be the twin's body. iv becomes the next IV. */
static void decrypt_frame(const struct ike1_keys *k, const struct frames *fr, size_t i, uint8_t *iv,
			  uint8_t *plain)
{
	const struct test_pcap_udp *f = &fr->f[i - 1], *d = &fr->d[i - 1];
	assert_int_equal(f->len, d->len);
	assert_int_equal(f->payload[WIRE_HDR_OFF_FLAGS] & WIRE_FLAG_E, WIRE_FLAG_E);
	uint8_t next[CRYPTO_BLOCK_MAX];
	memcpy(plain, d->payload, WIRE_ISAKMP_HDR_LEN);
	int n = ike1_crypt_open(k, iv, f->payload + 28, plain + 28, f->len - 28, next);
	assert_int_equal(n, (int)f->len - 28);
	assert_memory_equal(plain + 28, d->payload + 28, f->len - 28);
	memcpy(iv, next, k->block_len);
}

static const struct wire_payload *find(const struct wire_msg *m, uint8_t type)
{
	const struct wire_payload *pl = wire_msg_find(m, type, 0);
	assert_non_null(pl);
	return pl;
}

/* Main Mode: IVs, frames 5 and 6, HASH_I and HASH_R. */
static void check_main_mode(const struct capture *c, const struct frames *fr,
			    const struct ike1_keys *k, const struct p1 *v, const uint8_t *skeyid)
{
	uint8_t iv[CRYPTO_BLOCK_MAX], plain[2048], h[IKE1_PRF_MAX];
	const size_t bl = k->block_len;
	assert_int_equal(ike1_keys_iv_phase1(CRYPTO_HASH_SHA1, B(v->gxi, v->gxi_len),
					     B(v->gxr, v->gxr_len), bl, iv),
			 (int)bl);
	expect_kv(c, "p1_iv_mm5", iv, bl);

	struct wire_msg m1, m5;
	assert_int_equal(wire_msg_decode(fr->f[0].payload, fr->f[0].len, &m1, NULL), 0);
	const struct wire_payload *sai = find(&m1, WIRE_PL_SA);

	/* 5  HDR*, IDii, HASH_I [, N]: HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b |
	 * IDii_b) */
	decrypt_frame(k, fr, 5, iv, plain);
	expect_kv(c, "p1_iv_mm6", iv, bl);
	assert_int_equal(wire_msg_decode(plain, fr->f[4].len, &m5, NULL), 0);
	const struct wire_payload *id = find(&m5, WIRE_PL_ID), *hash = find(&m5, WIRE_PL_HASH);
	assert_int_equal(ike1_keys_hash_auth(CRYPTO_HASH_SHA1, skeyid, 20, 1, B(v->gxi, v->gxi_len),
					     B(v->gxr, v->gxr_len), v->cky_i, v->cky_r,
					     B(sai->body, sai->len), B(id->body, id->len), h),
			 20);
	assert_int_equal(hash->len, 20);
	assert_memory_equal(h, hash->body, 20);

	/* 6  HDR*, IDir, HASH_R [, N]: the chain continues from MM5's last block */
	decrypt_frame(k, fr, 6, iv, plain);
	expect_kv(c, "p1_last_block", iv, bl);
	struct wire_msg m6;
	assert_int_equal(wire_msg_decode(plain, fr->f[5].len, &m6, NULL), 0);
	id = find(&m6, WIRE_PL_ID);
	hash = find(&m6, WIRE_PL_HASH);
	ike1_keys_hash_auth(CRYPTO_HASH_SHA1, skeyid, 20, 0, B(v->gxi, v->gxi_len),
			    B(v->gxr, v->gxr_len), v->cky_i, v->cky_r, B(sai->body, sai->len),
			    B(id->body, id->len), h);
	assert_memory_equal(h, hash->body, 20);
}

static void nop_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)msg;
	(void)len;
}

/* GROUPKEY-PULL frames 7-10 through ike1_prot_open on an SA holding the derived keys. */
static void check_pull(const struct capture *c, const struct frames *fr, const struct ike1_keys *k)
{
	struct ike1_sa_table t;
	struct ike1_config cfg;
	struct ike1_policy pol = {c->cipher, CRYPTO_HASH_SHA1, WIRE_P1_AUTH_PSK, 2, 600};
	struct crypto_rng rng;
	crypto_rng_seeded(&rng, 1);
	ike1_config_default(&cfg);
	cfg.policies = &pol;
	cfg.n_policies = 1;
	cfg.weak_groups = true;
	assert_int_equal(
	    ike1_sa_table_init(&t, &cfg, &(struct ike1_io){.send = nop_send}, &rng, NULL), 0);
	struct ike1_sa sa = {.t = &t, .state = IKE1_GDOI_IDLE, .keys = *k};
	kv(c, "cky_i", sa.cky_i, 8);
	kv(c, "cky_r", sa.cky_r, 8);
	kv(c, "p1_last_block", sa.p1_last, k->block_len);

	uint8_t mid_b[4], iv[CRYPTO_BLOCK_MAX], ni[64], nr[64], plain[2048];
	kv(c, "pull_message_id", mid_b, 4);
	uint32_t mid = buf_load_u32(mid_b);
	assert_int_equal(ike1_keys_iv_mid(CRYPTO_HASH_SHA1, sa.p1_last, k->block_len, mid, iv),
			 k->block_len);
	expect_kv(c, "pull_iv_frame7", iv, k->block_len);
	size_t ni_len = kv(c, "pull_ni_b", ni, sizeof(ni)),
	       nr_len = kv(c, "pull_nr_b", nr, sizeof(nr));
	const struct ike1_bytes none = IKE1_NO_BYTES;
	/* HASH(1) = prf(M-ID | Ni | ID), HASH(2) adds Ni_b, HASH(3)/(4) Ni_b | Nr_b. */
	const struct ike1_bytes n_i[4] = {none, B(ni, ni_len), B(ni, ni_len), B(ni, ni_len)};
	const struct ike1_bytes n_r[4] = {none, none, B(nr, nr_len), B(nr, nr_len)};
	struct ike1_prot_in in;
	for (size_t i = 7; i <= 10; i++) {
		const struct test_pcap_udp *f = &fr->f[i - 1], *d = &fr->d[i - 1];
		if (i == 8) {
			/* A flipped octet: refused, and the chain does not move. */
			uint8_t bad[2048];
			memcpy(bad, f->payload, f->len);
			bad[f->len - 20] ^= 0x40;
			int rc = ike1_prot_open(&sa, 0, bad, f->len, n_i[1], n_r[1], plain,
						sizeof(plain), &in);
			assert_true(rc == ERR_AUTH || rc == ERR_PROTO);
		}
		assert_int_equal(ike1_prot_open(&sa, 0, f->payload, f->len, n_i[i - 7], n_r[i - 7],
						plain, sizeof(plain), &in),
				 0);
		assert_memory_equal(plain + 28, d->payload + 28, f->len - 28);
		assert_int_equal(in.m.hdr.exch, WIRE_EXCH_GROUPKEY_PULL);
		assert_int_equal(in.m.hdr.msgid, mid);
		/* HASH(1) without the nonce bodies would not verify from HASH(2) on. */
		if (i == 9) {
			assert_int_equal(ike1_prot_open(&sa, 0, fr->f[9].payload, fr->f[9].len,
							none, none, plain, sizeof(plain), &in),
					 ERR_AUTH);
		}
	}
	/* Frame 10 again: the last message accepted on the chain is a duplicate. */
	assert_int_equal(ike1_prot_open(&sa, 0, fr->f[9].payload, fr->f[9].len, n_i[3], n_r[3],
					plain, sizeof(plain), &in),
			 IKE1_PROT_DUP);
	ike1_chains_clear(sa.chains);
	free(sa.chains);
	ike1_sa_table_free(&t);
}

static void run_capture(const struct capture *c)
{
	struct frames fr;
	struct p1 v;
	struct ike1_keys k;
	uint8_t skeyid[IKE1_PRF_MAX];
	load_frames(c, &fr);
	load_p1(c, &v);
	derive_keys(c, &v, &k, skeyid);
	check_main_mode(c, &fr, &k, &v, skeyid);
	check_pull(c, &fr, &k);
	ike1_keys_clear(&k);
	free_frames(&fr);
}

static void test_registration_rekey(void **state)
{
	(void)state;
	run_capture(&captures[0]);
}

static void test_multicast_rekey_3des(void **state)
{
	(void)state;
	run_capture(&captures[1]);
}

static void test_rfc_layout_registration(void **state)
{
	(void)state;
	run_capture(&captures[2]);
}

static int setup(void **state)
{
	(void)state;
	keys = vfile_load("gdoid/keys.txt");
	return 0;
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
	    TEST(test_multicast_rekey_3des),
	    TEST(test_rfc_layout_registration),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
