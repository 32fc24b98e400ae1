/*
 * Wireshark key export (daemon/keylog.h): the table lines of every
 * algorithm against golden text, and the files: written only while the
 * debug switch is on, 0600 in a 0700 directory, each SA once, no key
 * material in the log; gvpnd's state directory is where they go.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/keylog.h"
#include "daemon/runcfg.h"
#include "diag/log.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

static const uint8_t COOKIE[8] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};

/* enc key 00 01 02 ..., auth key 40 41 42 ... */
static struct gdoi_tek tek(uint32_t spi, uint8_t enc, uint16_t bits, uint8_t auth)
{
	struct gdoi_tek t = {.spi = spi, .xf = {enc, bits, auth}, .has_keys = true};
	for (size_t i = 0; i < sizeof(t.enc_key); i++)
		t.enc_key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(t.auth_key); i++)
		t.auth_key[i] = (uint8_t)(0x40 + i);
	return t;
}

static void test_ike1_line(void **state)
{
	(void)state;
	uint8_t key[32];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	char line[DAEMON_KEYLOG_LINE_MAX];
	assert_int_equal(daemon_keylog_ike1_line(COOKIE, key, 16, line, sizeof(line)), 16 + 1 + 32);
	assert_string_equal(line, "0011223344556677,000102030405060708090a0b0c0d0e0f");
	assert_int_equal(daemon_keylog_ike1_line(COOKIE, key, 32, line, sizeof(line)), 16 + 1 + 64);
	assert_string_equal(line,
			    "0011223344556677,"
			    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	assert_int_equal(daemon_keylog_ike1_line(COOKIE, key, 24, line, sizeof(line)), 16 + 1 + 48);
	assert_string_equal(line, "0011223344556677,"
				  "000102030405060708090a0b0c0d0e0f1011121314151617");
	/* room for the text and its NUL, no more */
	assert_int_equal(daemon_keylog_ike1_line(COOKIE, key, 16, line, 50), 49);
	assert_int_equal(daemon_keylog_ike1_line(COOKIE, key, 16, line, 49), ERR_NOSPACE);
	assert_int_equal(daemon_keylog_ike1_line(COOKIE, key, 0, line, sizeof(line)), ERR_INVAL);
}

static void test_esp_lines(void **state)
{
	(void)state;
	static const struct {
		uint8_t enc;
		uint16_t bits;
		uint8_t auth;
		const char *want;
	} cases[] = {
	    {GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"AES-GCM with 16 octet ICV [RFC4106]\","
	     "\"0x000102030405060708090a0b0c0d0e0f10111213\",\"NULL\",\"\""},
	    {GDOI_ENC_AES_GCM, 256, GDOI_AUTH_NONE,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"AES-GCM with 16 octet ICV [RFC4106]\","
	     "\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223\","
	     "\"NULL\",\"\""},
	    {GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA1,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"AES-CBC [RFC3602]\","
	     "\"0x000102030405060708090a0b0c0d0e0f\",\"HMAC-SHA-1-96 [RFC2404]\","
	     "\"0x404142434445464748494a4b4c4d4e4f50515253\""},
	    {GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"AES-CBC [RFC3602]\","
	     "\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
	     "\"HMAC-SHA-256-128 [RFC4868]\","
	     "\"0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\""},
	    {GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"TripleDES-CBC [RFC2451]\","
	     "\"0x000102030405060708090a0b0c0d0e0f1011121314151617\",\"HMAC-SHA-1-96 [RFC2404]\","
	     "\"0x404142434445464748494a4b4c4d4e4f50515253\""},
	    {GDOI_ENC_NULL, 0, GDOI_AUTH_SHA1,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"NULL\",\"\",\"HMAC-SHA-1-96 [RFC2404]\","
	     "\"0x404142434445464748494a4b4c4d4e4f50515253\""},
	    {GDOI_ENC_NULL, 0, GDOI_AUTH_SHA256,
	     "\"IPv4\",\"*\",\"*\",\"0x00001234\",\"NULL\",\"\",\"HMAC-SHA-256-128 [RFC4868]\","
	     "\"0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\""},
	};
	char line[DAEMON_KEYLOG_LINE_MAX];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gdoi_tek t = tek(0x1234, cases[i].enc, cases[i].bits, cases[i].auth);
		int n = daemon_keylog_esp_line(&t, line, sizeof(line));
		assert_int_equal(n, (int)strlen(cases[i].want));
		assert_string_equal(line, cases[i].want);
		assert_int_equal(daemon_keylog_esp_line(&t, line, (size_t)n), ERR_NOSPACE);
	}
	/* the SPI is eight hex digits, as a received ESP SPI is printed */
	struct gdoi_tek t = tek(0xdeadbeef, GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE);
	assert_true(daemon_keylog_esp_line(&t, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, ",\"0xdeadbeef\","));
	t.has_keys = false;
	assert_int_equal(daemon_keylog_esp_line(&t, line, sizeof(line)), ERR_INVAL);
	t = tek(1, 99, 128, GDOI_AUTH_NONE);
	assert_int_equal(daemon_keylog_esp_line(&t, line, sizeof(line)), ERR_UNSUPP);
}

/* ---- files ---- */

struct fx {
	char dir[64];
	char ws[128];
	struct diag d;
	struct daemon_keylog *kl;
	char log[8192]; /* every log line, concatenated */
};

static void hook(void *arg, const struct diag_record *rec)
{
	struct fx *f = arg;
	size_t n = strlen(f->log);
	snprintf(f->log + n, sizeof(f->log) - n, "%s\n", rec->line);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/gvpn-keylog-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->ws, sizeof(f->ws), "%s/state/wireshark", f->dir);
	assert_int_equal(diag_init(&f->d, &clock_system), 0);
	diag_set_syslog(&f->d, false);
	diag_set_hook(&f->d, hook, f);
	char state_dir[96];
	snprintf(state_dir, sizeof(state_dir), "%s/state", f->dir);
	assert_int_equal(daemon_keylog_new(state_dir, &f->d, &f->kl), 0);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	daemon_keylog_free(f->kl);
	diag_free(&f->d);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The file's content ("" when it does not exist). */
static char *slurp(const struct fx *f, const char *name, char *out, size_t cap)
{
	char path[192];
	snprintf(path, sizeof(path), "%s/%s", f->ws, name);
	out[0] = 0;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return out;
	size_t n = fread(out, 1, cap - 1, fp);
	out[n] = 0;
	fclose(fp);
	return out;
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static struct ike1_keylog sa_keys(const uint8_t *cky, const uint8_t *key)
{
	return (struct ike1_keylog){.cky_i = cky,
				    .cky_r = cky,
				    .cipher = CRYPTO_CBC_AES128,
				    .hash = CRYPTO_HASH_SHA256,
				    .key = key,
				    .key_len = 16,
				    .peer = {0x0a010b02, 848},
				    .role = IKE1_RESPONDER,
				    .conn_id = 1001};
}

static void test_ike1_file(void **state)
{
	struct fx *f = *state;
	uint8_t key[16], cky2[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa0 + i);
	struct ike1_keylog k = sa_keys(COOKIE, key);
	char buf[1024];

	/* off by default: nothing is created */
	daemon_keylog_ike1(f->kl, &k);
	assert_int_equal(access(f->ws, F_OK), -1);

	diag_debug_isakmp_set(&f->d, DIAG_IKE_KEYS, true);
	daemon_keylog_ike1(f->kl, &k);
	assert_string_equal(slurp(f, DAEMON_KEYLOG_IKEV1, buf, sizeof(buf)),
			    "0011223344556677,a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n");
	assert_int_equal(mode_of(f->ws), 0700);
	char path[192];
	snprintf(path, sizeof(path), "%s/%s", f->ws, DAEMON_KEYLOG_IKEV1);
	assert_int_equal(mode_of(path), 0600);

	/* the same SA once; a second SA appended */
	daemon_keylog_ike1(f->kl, &k);
	k.cky_i = cky2;
	daemon_keylog_ike1(f->kl, &k);
	assert_string_equal(slurp(f, DAEMON_KEYLOG_IKEV1, buf, sizeof(buf)),
			    "0011223344556677,a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"
			    "0102030405060708,a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n");

	/* `no debug crypto isakmp keys` stops it */
	diag_debug_isakmp_set(&f->d, DIAG_IKE_KEYS, false);
	uint8_t cky3[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	k.cky_i = cky3;
	daemon_keylog_ike1(f->kl, &k);
	/* and `undebug all` after it was on again */
	diag_debug_isakmp_set(&f->d, DIAG_IKE_KEYS, true);
	diag_debug_all_off(&f->d);
	daemon_keylog_ike1(f->kl, &k);
	assert_null(strstr(slurp(f, DAEMON_KEYLOG_IKEV1, buf, sizeof(buf)), "0909"));

	/* the log names the SA, never the key */
	assert_non_null(strstr(f->log, "0011223344556677"));
	assert_null(strstr(f->log, "a0a1a2a3"));
}

static void test_esp_file(void **state)
{
	struct fx *f = *state;
	struct gdoi_policy *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->n_teks = 2;
	p->tek[0] = tek(0x1111, GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE);
	p->tek[1] = tek(0x2222, GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256);
	char buf[2048], want[1024], l0[DAEMON_KEYLOG_LINE_MAX], l1[DAEMON_KEYLOG_LINE_MAX];
	assert_true(daemon_keylog_esp_line(&p->tek[0], l0, sizeof(l0)) > 0);
	assert_true(daemon_keylog_esp_line(&p->tek[1], l1, sizeof(l1)) > 0);

	daemon_keylog_policy(f->kl, "G1", 0x0a010b02, p);
	assert_int_equal(access(f->ws, F_OK), -1);

	diag_debug_ipsec_set(&f->d, DIAG_IPSEC_KEYS, true);
	daemon_keylog_policy(f->kl, "G1", 0x0a010b02, p);
	snprintf(want, sizeof(want), "%s\n%s\n", l0, l1);
	assert_string_equal(slurp(f, DAEMON_KEYLOG_ESP, buf, sizeof(buf)), want);
	char path[192];
	snprintf(path, sizeof(path), "%s/%s", f->ws, DAEMON_KEYLOG_ESP);
	assert_int_equal(mode_of(path), 0600);

	/* a reinstall writes only the new TEK; one without keys is skipped */
	p->n_teks = 4;
	p->tek[2] = tek(0x3333, GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1);
	p->tek[3] = tek(0x4444, GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1);
	p->tek[3].has_keys = false;
	daemon_keylog_policy(f->kl, "G1", 0x0a010b02, p);
	char l2[DAEMON_KEYLOG_LINE_MAX];
	assert_true(daemon_keylog_esp_line(&p->tek[2], l2, sizeof(l2)) > 0);
	snprintf(want, sizeof(want), "%s\n%s\n%s\n", l0, l1, l2);
	assert_string_equal(slurp(f, DAEMON_KEYLOG_ESP, buf, sizeof(buf)), want);

	/* a debug condition on another group holds it back */
	p->tek[3].has_keys = true;
	assert_int_equal(diag_debug_cond_add_group(&f->d, "OTHER"), 0);
	daemon_keylog_policy(f->kl, "G1", 0x0a010b02, p);
	assert_string_equal(slurp(f, DAEMON_KEYLOG_ESP, buf, sizeof(buf)), want);
	diag_debug_cond_clear(&f->d);

	diag_debug_ipsec_set(&f->d, DIAG_IPSEC_KEYS, false);
	daemon_keylog_policy(f->kl, "G1", 0x0a010b02, p);
	assert_string_equal(slurp(f, DAEMON_KEYLOG_ESP, buf, sizeof(buf)), want);

	assert_non_null(strstr(f->log, "0x00001111"));
	assert_null(strstr(f->log, "00010203"));
	assert_null(strstr(f->log, "40414243"));
	free(p);
}

/* A table someone made readable to others is put back to 0600. */
static void test_file_mode_repaired(void **state)
{
	struct fx *f = *state;
	char path[192];
	assert_int_equal(daemon_keylog_append(f->ws, "t", "a", 1), 0);
	snprintf(path, sizeof(path), "%s/t", f->ws);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(f->ws, 0755), 0);
	assert_int_equal(daemon_keylog_append(f->ws, "t", "b", 1), 0);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(f->ws), 0700);
	char buf[16];
	assert_string_equal(slurp(f, "t", buf, sizeof(buf)), "a\nb\n");
}

static int send_nothing(void *arg, const struct ike1_peer *to, uint32_t src_ip4, const uint8_t *msg,
			size_t len)
{
	(void)arg, (void)to, (void)src_ip4, (void)msg, (void)len;
	return 0;
}

/*
 * gvpnd's wiring: the key server of examples/ks1.conf, started (as on a
 * reload) while `debug crypto ipsec keys` is on, writes its TEK to
 * STATE_DIR/wireshark/esp_sa.
 */
static void test_gvpnd_writes_under_its_state_dir(void **state)
{
	struct fx *f = *state;
	char path[192], state_dir[96];
	snprintf(path, sizeof(path), "%s/examples/ks1.conf", GVPN_SOURCE_DIR);
	snprintf(state_dir, sizeof(state_dir), "%s/state", f->dir);
	diag_debug_ipsec_set(&f->d, DIAG_IPSEC_KEYS, true);
	const struct daemon_runcfg_env env = {
	    .diag = &f->d,
	    .clock = &clock_system,
	    .rng = crypto_rng_system(),
	    .state_dir = state_dir,
	    .send = send_nothing,
	};
	struct daemon_runcfg *r;
	struct dbuf err = DBUF_INIT;
	int rc = daemon_runcfg_new(&env, path, clock_mono_ns(&clock_system), &r, &err);
	if (rc)
		fail_msg("%s", dbuf_str(&err));
	char buf[1024];
	slurp(f, DAEMON_KEYLOG_ESP, buf, sizeof(buf));
	/* ks1.conf: one `sa ipsec` with esp-aes 256 esp-sha256-hmac */
	assert_int_equal(strncmp(buf, "\"IPv4\",\"*\",\"*\",\"0x", 17), 0);
	assert_non_null(strstr(buf, "\"AES-CBC [RFC3602]\""));
	assert_non_null(strstr(buf, "\"HMAC-SHA-256-128 [RFC4868]\""));
	assert_non_null(strchr(buf, '\n'));
	assert_string_equal(strchr(buf, '\n'), "\n"); /* one line */
	daemon_runcfg_free(r);
	dbuf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_ike1_line),
	    TEST(test_esp_lines),
	    cmocka_unit_test_setup_teardown(test_ike1_file, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_esp_file, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_file_mode_repaired, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_gvpnd_writes_under_its_state_dir, fx_setup,
					    fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
