/* crypto/rsa: key generation, PEM and SPKI round trips, both signature forms, the gdoid key. */
#include "test.h"

#include <stdlib.h>

#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/mem.h"
#include "vectors.h"

static struct crypto_rsa key; /* one 2048-bit key for the whole file: generation is slow */

static int setup_key(void **state)
{
	(void)state;
	return crypto_rsa_generate(&key, 2048);
}

static int teardown_key(void **state)
{
	(void)state;
	crypto_rsa_clear(&key);
	return 0;
}

static void digest_of(enum crypto_hash_alg alg, const char *text, uint8_t out[CRYPTO_HASH_MAX])
{
	struct crypto_iov v = {text, strlen(text)};
	assert_int_equal(crypto_hash(alg, &v, 1, out), (int)crypto_hash_len(alg));
}

static void test_generate_and_sizes(void **state)
{
	(void)state;
	assert_non_null(key.key);
	assert_true(key.has_private);
	assert_int_equal(key.bits, 2048);
	assert_int_equal(crypto_rsa_size(&key), 256);
	struct crypto_rsa small;
	assert_int_equal(crypto_rsa_generate(&small, 512), ERR_INVAL);
	assert_null(small.key);
	assert_int_equal(crypto_rsa_generate(&small, 1023), ERR_INVAL);
	assert_int_equal(crypto_rsa_generate(&small, 16384), ERR_INVAL);
}

static void spki_of(const struct crypto_rsa *k, struct dbuf *out)
{
	assert_int_equal(crypto_rsa_public_spki(k, out), 0);
	assert_true(out->len > 0);
}

static void test_private_pem_round_trip(void **state)
{
	(void)state;
	struct dbuf pem = DBUF_INIT, a = DBUF_INIT, b = DBUF_INIT;
	assert_int_equal(crypto_rsa_private_pem(&key, &pem), 0);
	assert_true(pem.secret);
	/* PKCS#8, unencrypted */
	assert_non_null(strstr(dbuf_str(&pem), "-----BEGIN PRIVATE KEY-----\n"));
	struct crypto_rsa back;
	assert_int_equal(crypto_rsa_from_pem(&back, (const char *)pem.p, pem.len), 0);
	assert_true(back.has_private);
	assert_int_equal(back.bits, 2048);
	spki_of(&key, &a);
	spki_of(&back, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	/* The reloaded key signs what the original verifies. */
	uint8_t d[CRYPTO_HASH_MAX], sig[512];
	digest_of(CRYPTO_HASH_SHA256, "pem", d);
	int n = crypto_rsa_sign_digest(&back, CRYPTO_HASH_SHA256, d, 32, CRYPTO_SIG_RAW_DIGEST, sig,
				       sizeof(sig));
	assert_int_equal(n, 256);
	assert_int_equal(crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA256, d, 32, sig, 256, NULL),
			 0);
	crypto_rsa_clear(&back);
	dbuf_free(&pem);
	dbuf_free(&a);
	dbuf_free(&b);
}

static void test_public_pem_round_trip(void **state)
{
	(void)state;
	struct dbuf pem = DBUF_INIT, a = DBUF_INIT, b = DBUF_INIT;
	assert_int_equal(crypto_rsa_public_pem(&key, &pem), 0);
	assert_non_null(strstr(dbuf_str(&pem), "-----BEGIN PUBLIC KEY-----\n"));
	assert_null(strstr(dbuf_str(&pem), "PRIVATE"));
	struct crypto_rsa pub;
	assert_int_equal(crypto_rsa_from_pem(&pub, (const char *)pem.p, pem.len), 0);
	assert_false(pub.has_private);
	assert_int_equal(pub.bits, 2048);
	spki_of(&key, &a);
	spki_of(&pub, &b);
	assert_memory_equal(a.p, b.p, a.len);
	/* A public key cannot sign or export a private PEM. */
	uint8_t d[32] = {0}, sig[256];
	struct dbuf priv = DBUF_INIT;
	assert_int_equal(crypto_rsa_sign_digest(&pub, CRYPTO_HASH_SHA256, d, 32,
						CRYPTO_SIG_RAW_DIGEST, sig, sizeof(sig)),
			 ERR_INVAL);
	assert_int_equal(crypto_rsa_private_pem(&pub, &priv), ERR_INVAL);
	crypto_rsa_clear(&pub);
	dbuf_free(&pem);
	dbuf_free(&a);
	dbuf_free(&b);
}

static void test_pem_garbage_rejected(void **state)
{
	(void)state;
	struct crypto_rsa k;
	const char *junk = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
	assert_int_equal(crypto_rsa_from_pem(&k, junk, strlen(junk)), ERR_INVAL);
	assert_null(k.key);
	assert_int_equal(crypto_rsa_from_pem(&k, "hello", 5), ERR_INVAL);
	assert_int_equal(crypto_rsa_from_pem(&k, "", 0), ERR_INVAL);
}

static void test_spki_round_trip(void **state)
{
	(void)state;
	struct dbuf a = DBUF_INIT, b = DBUF_INIT;
	spki_of(&key, &a);
	assert_int_equal(a.len, 294); /* DER SPKI of a 2048-bit key with e = 65537 */
	struct crypto_rsa pub;
	assert_int_equal(crypto_rsa_from_spki(&pub, a.p, a.len), 0);
	assert_false(pub.has_private);
	spki_of(&pub, &b);
	assert_int_equal(b.len, a.len);
	assert_memory_equal(a.p, b.p, a.len);
	crypto_rsa_clear(&pub);
	/* Truncated, trailing and corrupted encodings. */
	assert_int_equal(crypto_rsa_from_spki(&pub, a.p, a.len - 1), ERR_INVAL);
	assert_int_equal(dbuf_append(&a, "\0", 1), 0);
	assert_int_equal(crypto_rsa_from_spki(&pub, a.p, a.len), ERR_TRAILING);
	assert_null(pub.key);
	a.p[0] = 0x31; /* SET instead of SEQUENCE */
	assert_int_equal(crypto_rsa_from_spki(&pub, a.p, a.len - 1), ERR_INVAL);
	assert_int_equal(crypto_rsa_from_spki(&pub, a.p, 0), ERR_INVAL);
	dbuf_free(&a);
	dbuf_free(&b);
}

/*
 * The SPKI decoder is made once and shared: decodes of different keys,
 * interleaved with refused encodings, each give back exactly their own key,
 * and two decodes of one key are independent.
 */
static void check_spki_decodes_to(const struct dbuf *der)
{
	struct crypto_rsa pub;
	struct dbuf back = DBUF_INIT;
	assert_int_equal(crypto_rsa_from_spki(&pub, der->p, der->len), 0);
	spki_of(&pub, &back);
	assert_int_equal(back.len, der->len);
	assert_memory_equal(back.p, der->p, der->len);
	crypto_rsa_clear(&pub);
	dbuf_free(&back);
}

static void test_spki_repeated_decodes(void **state)
{
	(void)state;
	struct crypto_rsa other, pub;
	struct dbuf a = DBUF_INIT, b = DBUF_INIT, bad = DBUF_INIT;
	assert_int_equal(crypto_rsa_generate(&other, 1024), 0);
	spki_of(&key, &a);
	spki_of(&other, &b);
	assert_int_equal(dbuf_append(&bad, a.p, a.len), 0);
	bad.p[40] ^= 0xff; /* inside the modulus's length octets or value */
	for (int i = 0; i < 20; i++) {
		check_spki_decodes_to(i % 2 ? &a : &b);
		assert_int_equal(crypto_rsa_from_spki(&pub, a.p, a.len - 1 - (size_t)i), ERR_INVAL);
		assert_null(pub.key);
		if (crypto_rsa_from_spki(&pub, bad.p, bad.len) == 0) {
			/* a changed modulus byte still decodes: then it is another key */
			struct dbuf back = DBUF_INIT;
			spki_of(&pub, &back);
			assert_memory_equal(back.p, bad.p, bad.len);
			crypto_rsa_clear(&pub);
			dbuf_free(&back);
		}
		check_spki_decodes_to(i % 2 ? &b : &a);
	}
	/* Two decodes of the same bytes are independent: one freed, the other verifies. */
	struct crypto_rsa p1, p2;
	uint8_t d[CRYPTO_HASH_MAX], sig[512];
	digest_of(CRYPTO_HASH_SHA256, "push", d);
	int sl = crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 32, CRYPTO_SIG_RAW_DIGEST, sig,
					sizeof(sig));
	assert_int_equal(sl, 256);
	assert_int_equal(crypto_rsa_from_spki(&p1, a.p, a.len), 0);
	assert_int_equal(crypto_rsa_from_spki(&p2, a.p, a.len), 0);
	assert_false(p2.has_private);
	assert_int_equal(p2.bits, 2048);
	crypto_rsa_clear(&p1);
	assert_int_equal(
	    crypto_rsa_verify_digest(&p2, CRYPTO_HASH_SHA256, d, 32, sig, (size_t)sl, NULL), 0);
	assert_int_equal(crypto_rsa_sign_digest(&p2, CRYPTO_HASH_SHA256, d, 32,
						CRYPTO_SIG_RAW_DIGEST, sig, sizeof(sig)),
			 ERR_INVAL);
	crypto_rsa_clear(&p2);
	crypto_rsa_clear(&other);
	dbuf_free(&a);
	dbuf_free(&b);
	dbuf_free(&bad);
}

/* Sign in one form, verify reports that form; any change breaks verification. */
static void check_sign_verify(enum crypto_hash_alg alg, enum crypto_sig_form form)
{
	uint8_t d[CRYPTO_HASH_MAX], sig[512];
	size_t dl = crypto_hash_len(alg);
	digest_of(alg, "rekey message", d);
	int n = crypto_rsa_sign_digest(&key, alg, d, dl, form, sig, sizeof(sig));
	assert_int_equal(n, 256);
	enum crypto_sig_form got = 0;
	assert_int_equal(crypto_rsa_verify_digest(&key, alg, d, dl, sig, 256, &got), 0);
	assert_int_equal(got, form);
	sig[100] ^= 0x04;
	assert_int_equal(crypto_rsa_verify_digest(&key, alg, d, dl, sig, 256, &got), ERR_AUTH);
	sig[100] ^= 0x04;
	d[dl - 1] ^= 0x01;
	assert_int_equal(crypto_rsa_verify_digest(&key, alg, d, dl, sig, 256, &got), ERR_AUTH);
	d[dl - 1] ^= 0x01;
	assert_int_equal(crypto_rsa_verify_digest(&key, alg, d, dl, sig, 255, &got), ERR_AUTH);
	assert_int_equal(crypto_rsa_verify_digest(&key, alg, d, dl, sig, 256, NULL), 0);
}

static void test_sign_verify_both_forms(void **state)
{
	(void)state;
	const enum crypto_hash_alg algs[] = {CRYPTO_HASH_SHA1, CRYPTO_HASH_SHA256,
					     CRYPTO_HASH_SHA384, CRYPTO_HASH_SHA512,
					     CRYPTO_HASH_MD5};
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++) {
		check_sign_verify(algs[i], CRYPTO_SIG_RAW_DIGEST);
		check_sign_verify(algs[i], CRYPTO_SIG_DIGEST_INFO);
	}
}

/* The two forms give different signatures, and each verifies only as its own form. */
static void test_forms_are_distinct(void **state)
{
	(void)state;
	uint8_t d[CRYPTO_HASH_MAX], s1[256], s2[256];
	digest_of(CRYPTO_HASH_SHA256, "abc", d);
	assert_int_equal(crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 32,
						CRYPTO_SIG_DIGEST_INFO, s1, sizeof(s1)),
			 256);
	assert_int_equal(crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 32,
						CRYPTO_SIG_RAW_DIGEST, s2, sizeof(s2)),
			 256);
	assert_memory_not_equal(s1, s2, 256);
	enum crypto_sig_form f1 = 0, f2 = 0;
	assert_int_equal(crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA256, d, 32, s1, 256, &f1),
			 0);
	assert_int_equal(crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA256, d, 32, s2, 256, &f2),
			 0);
	assert_int_equal(f1, CRYPTO_SIG_DIGEST_INFO);
	assert_int_equal(f2, CRYPTO_SIG_RAW_DIGEST);
	/* PKCS#1 v1.5 is deterministic: signing again gives the same bytes. */
	uint8_t s3[256];
	assert_int_equal(crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 32,
						CRYPTO_SIG_RAW_DIGEST, s3, sizeof(s3)),
			 256);
	assert_memory_equal(s2, s3, 256);
	/* The same 20 leading bytes as a SHA-1 digest do not verify. */
	assert_int_equal(crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA1, d, 20, s1, 256, NULL),
			 ERR_AUTH);
	assert_int_equal(crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA1, d, 20, s2, 256, NULL),
			 ERR_AUTH);
}

static void test_sign_argument_errors(void **state)
{
	(void)state;
	uint8_t d[32] = {0}, sig[512];
	assert_int_equal(crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 20,
						CRYPTO_SIG_RAW_DIGEST, sig, sizeof(sig)),
			 ERR_INVAL);
	assert_int_equal(
	    crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 32, 0, sig, sizeof(sig)),
	    ERR_INVAL);
	assert_int_equal(crypto_rsa_sign_digest(&key, CRYPTO_HASH_SHA256, d, 32,
						CRYPTO_SIG_RAW_DIGEST, sig, 255),
			 ERR_NOSPACE);
	assert_int_equal(crypto_rsa_verify_digest(&key, CRYPTO_HASH_SHA256, d, 31, sig, 256, NULL),
			 ERR_INVAL);
	struct crypto_rsa empty = {0};
	assert_int_equal(crypto_rsa_size(&empty), 0);
	assert_int_equal(
	    crypto_rsa_verify_digest(&empty, CRYPTO_HASH_SHA256, d, 32, sig, 256, NULL), ERR_INVAL);
}

/* The gdoid key server's key: loads, and its DER SPKI hashes to keys.txt's value. */
static void test_gdoid_public_key(void **state)
{
	(void)state;
	size_t len;
	uint8_t *pem = test_read_file("gdoid/ks-rsa-pub.pem", &len);
	struct crypto_rsa k;
	assert_int_equal(crypto_rsa_from_pem(&k, (const char *)pem, len), 0);
	free(pem);
	assert_false(k.has_private);
	assert_int_equal(k.bits, 2048);

	struct vfile *f = vfile_load("gdoid/keys.txt");
	uint8_t want[32], got[CRYPTO_HASH_MAX];
	assert_int_equal(vfile_hex(f, "rsa-public-key", "spki_der_sha256", want, sizeof(want)), 32);
	assert_string_equal(vfile_text(f, "rsa-public-key", "modulus_bits"), "2048");
	vfile_free(f);
	struct dbuf der = DBUF_INIT;
	spki_of(&k, &der);
	assert_int_equal(der.len, 294);
	struct crypto_iov v = {der.p, der.len};
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA256, &v, 1, got), 32);
	assert_memory_equal(got, want, 32);
	/* The DER loads back as the same key. */
	struct crypto_rsa k2;
	assert_int_equal(crypto_rsa_from_spki(&k2, der.p, der.len), 0);
	crypto_rsa_clear(&k2);
	dbuf_free(&der);
	crypto_rsa_clear(&k);
}

/* Little-endian 32-bit field of a pcap header. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Record `frame` (1-based) of a little-endian classic pcap file: its bytes and length. */
static const uint8_t *pcap_frame(const uint8_t *pcap, size_t len, int frame, size_t *flen)
{
	assert_true(len >= 24);
	assert_int_equal(le32(pcap), 0xa1b2c3d4);
	size_t at = 24;
	for (int i = 1;; i++) {
		assert_true(at + 16 <= len);
		size_t n = le32(pcap + at + 8);
		assert_true(at + 16 + n <= len);
		if (i == frame) {
			*flen = n;
			return pcap + at + 16;
		}
		at += 16 + n;
	}
}

/*
 * A real gdoid rekey signature: the frame's SIG payload carries 256 bytes
 * that verify over the digest listed in keys.txt in the raw-digest form
 * (gdoid sends no DigestInfo). Rather than decoding ISAKMP here (wire/'s
 * job), try every 256-byte window of the frame: exactly one verifies.
 */
static void check_gdoid_signature(const char *capture, const char *section, int frame,
				  enum crypto_hash_alg alg)
{
	char name[32];
	snprintf(name, sizeof(name), "digest.frame%d", frame);
	struct vfile *f = vfile_load("gdoid/keys.txt");
	uint8_t d[CRYPTO_HASH_MAX];
	size_t dl = vfile_hex(f, section, name, d, sizeof(d));
	vfile_free(f);
	assert_int_equal(dl, crypto_hash_len(alg));

	size_t plen, pemlen, flen;
	uint8_t *pcap = test_read_file(capture, &plen);
	uint8_t *pem = test_read_file("gdoid/ks-rsa-pub.pem", &pemlen);
	struct crypto_rsa k;
	assert_int_equal(crypto_rsa_from_pem(&k, (const char *)pem, pemlen), 0);
	const uint8_t *fr = pcap_frame(pcap, plen, frame, &flen);
	int found = 0;
	for (size_t off = 0; off + 256 <= flen; off++) {
		enum crypto_sig_form form = 0;
		if (crypto_rsa_verify_digest(&k, alg, d, dl, fr + off, 256, &form) == 0) {
			assert_int_equal(form, CRYPTO_SIG_RAW_DIGEST);
			found++;
		}
	}
	assert_int_equal(found, 1);
	/* Any other digest fails on the same bytes. */
	d[0] ^= 1;
	for (size_t off = 0; off + 256 <= flen; off++)
		assert_int_equal(crypto_rsa_verify_digest(&k, alg, d, dl, fr + off, 256, NULL),
				 ERR_AUTH);
	crypto_rsa_clear(&k);
	free(pem);
	free(pcap);
}

static void test_gdoid_rekey_signatures_verify(void **state)
{
	(void)state;
	check_gdoid_signature("gdoid/registration-rekey.decrypted.pcap", "registration-rekey.pcap",
			      11, CRYPTO_HASH_SHA1);
	check_gdoid_signature("gdoid/registration-rekey.decrypted.pcap", "registration-rekey.pcap",
			      14, CRYPTO_HASH_SHA1);
	check_gdoid_signature("gdoid/multicast-rekey.decrypted.pcap", "multicast-rekey.pcap", 12,
			      CRYPTO_HASH_SHA256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_generate_and_sizes),
	    TEST(test_private_pem_round_trip),
	    TEST(test_public_pem_round_trip),
	    TEST(test_pem_garbage_rejected),
	    TEST(test_spki_round_trip),
	    TEST(test_spki_repeated_decodes),
	    TEST(test_sign_verify_both_forms),
	    TEST(test_forms_are_distinct),
	    TEST(test_sign_argument_errors),
	    TEST(test_gdoid_public_key),
	    TEST(test_gdoid_rekey_signatures_verify),
	};
	return cmocka_run_group_tests(tests, setup_key, teardown_key);
}
