/*
 * daemon/keystore: RSA key pairs under STATE_DIR/keys (files 0600 in a
 * 0700 directory), reloaded on open, corrupted or open files reported and
 * skipped, export only of exportable keys, import of PEM text and files,
 * zeroize, and `show crypto key mypubkey rsa` in text (golden) and JSON;
 * then the exec commands through ctl_run with ops that call the store, and
 * in an in-process gvpnd, where the key server takes a generated key at once.
 */
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "daemon/keystore.h"
#include "harness.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

/* 2026-12-06 14:02:11 UTC */
#define WALL_NS (1796565731ULL * NS_PER_SEC)

/* A fixed 1024-bit key (made with `openssl genpkey`, test data only). */
static const char fixed_pem[] = "-----BEGIN PRIVATE KEY-----\n"
				"MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBANSi0kt5Ouq7LzTB\n"
				"wNHY+iPz+Tp625BzSco9A+16d+qt6fPa2uz4c4O8pORJSCiQsV+u8PshcqUrF1oJ\n"
				"wXZ5FlqwsJxMI+DcGmVd15a4kfvVV4oGQfpYgQeA9fqqynAuLYL3GR4ydHZWmSdi\n"
				"YpFCBDnYSrlyAeCtBDnnnOjVLusDAgMBAAECgYB++We4mAD9sJ9k0ppw9S+SDpty\n"
				"N3ErlhynPr48rlgzdHzzGGqI/WgFb73LcJM9XgH9UDsoy3VpegzswEydkXstv3zz\n"
				"SNwUlXnecGrDF/lhCHNZKRDIRtNyU5+sxZ964C1UrwJb7C7rMHTnHFO/Tn6WNLEj\n"
				"GG+bUodfQw/oM0xYGQJBAPkT5xn5zRVUVoglDDwMTWfG4OITuREo5rmaH88Ixx0Y\n"
				"qLWqCSlQZ3eFZxtmCiYEIedLYMJIbycWjZgpwcCbCy0CQQDai6YvPpafItD/GNU8\n"
				"xcf0MT40lJtiIHWP6CdOd0LaJRo6lbC4CMp1VyTezt7rm3s2dyrwMUImJn5akAm7\n"
				"6uzvAkAj8SRLEknuxwHJmZb/X0MYM5Gl7fSprj5FECGA7aJV54YI2OWDia+0hpKP\n"
				"WJUkUTpXNwBaaLtpZ469I2FrGrRtAkAnOdeLNU2tpH8kul1TuiAomUoT//RfyXmw\n"
				"abfcYpWSOAScLU/5yEImi4ynnTPv0Alufjcrw3ufA1u8f4vvubvrAkEAoUtPr1wC\n"
				"bhOHWwcBTXhy5qB7rjlP+wv/CUCYE4dj8VFg5vvQn5VUbvqw/IODw3PtOnOovlI2\n"
				"k8BnfCc+uC7eGQ==\n"
				"-----END PRIVATE KEY-----\n";

/* The same key in the traditional "RSA PRIVATE KEY" form. */
static const char fixed_pem_traditional[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXAIBAAKBgQDUotJLeTrquy80wcDR2Poj8/k6etuQc0nKPQPtenfqrenz2trs\n"
    "+HODvKTkSUgokLFfrvD7IXKlKxdaCcF2eRZasLCcTCPg3BplXdeWuJH71VeKBkH6\n"
    "WIEHgPX6qspwLi2C9xkeMnR2VpknYmKRQgQ52Eq5cgHgrQQ555zo1S7rAwIDAQAB\n"
    "AoGAfvlnuJgA/bCfZNKacPUvkg6bcjdxK5Ycpz6+PK5YM3R88xhqiP1oBW+9y3CT\n"
    "PV4B/VA7KMt1aXoM7MBMnZF7Lb9880jcFJV53nBqwxf5YQhzWSkQyEbTclOfrMWf\n"
    "euAtVK8CW+wu6zB05xxTv05+ljSxIxhvm1KHX0MP6DNMWBkCQQD5E+cZ+c0VVFaI\n"
    "JQw8DE1nxuDiE7kRKOa5mh/PCMcdGKi1qgkpUGd3hWcbZgomBCHnS2DCSG8nFo2Y\n"
    "KcHAmwstAkEA2oumLz6WnyLQ/xjVPMXH9DE+NJSbYiB1j+gnTndC2iUaOpWwuAjK\n"
    "dVck3s7e65t7Nncq8DFCJiZ+WpAJu+rs7wJAI/EkSxJJ7scByZmW/19DGDORpe30\n"
    "qa4+RRAhgO2iVeeGCNjlg4mvtIaSj1iVJFE6VzcAWmi7aWeOvSNhaxq0bQJAJznX\n"
    "izVNraR/JLpdU7ogKJlKE//0X8l5sGm33GKVkjgEnC1P+chCJouMp50z79AJbn43\n"
    "K8N7nwNbvH+L77m76wJBAKFLT69cAm4Th1sHAU14cuage645T/sL/wlAmBOHY/FR\n"
    "YOb70J+VVG76sPyDg8Nz7TpzqL5SNpPAZ3wnPrgu3hk=\n"
    "-----END RSA PRIVATE KEY-----\n";

/* The same key encrypted (PKCS#8, AES-128-CBC, passphrase "secret"). */
static const char fixed_pem_encrypted[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIIC3TBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI/guxsa1aua0CAggA\n"
    "MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAECBBDxo7OWEDcDx425RA2wfoELBIIC\n"
    "gIj6pzA4PO9YuOW2fQiAIXhkY97fLKj7B38MWRdFwj0R1U3xEbVUYVHn+YLTDbH4\n"
    "SqUELkCnSD22sQSaI0J5t6gdF6tfguVpzvHqHwnQH4OZ8cUB93KpFktbW1ryLBYn\n"
    "XpUdySd6+hD7P+u7prYk92c7Y0zL1acp8a5bUNcmU1aIQ0wA/cbvZw2wjUOAfAYk\n"
    "XGpXZGfozec1zVUvusJ4H84oc4HWYslrUpbP1j7+24qCDhYes3qIt4Ez1w5dvwts\n"
    "4tSupVAnMt0OnNOy8NXf4XjhuXhLEMYqvddt6Y86HuSSP0UZZQ1edXlpcaYD2hHg\n"
    "9zwHmRqPqMueHjFo1+8FY4ASjZy6ae0Svhwa/ePWIV5G0ULbhlGnsI5I28Rh4DhI\n"
    "licuJBTMOBsrp2x/ym9Km5xC0Pdeltahv1Rkqr9Prf4YpSwXq2UrITCHY+vfizN3\n"
    "sFiLADwxc2Tw8X6zsL7Q2hvu5uxk7v3H8f6RL3yyas3PkF/wmH8RrISS4yDtdM5+\n"
    "tkL34RJftxhPXB2+fho0FbBht4jlTmThGQU/7fjNZkX+8UfK3LepVsJkch8H6L01\n"
    "BAbl7rnDp0LlqlJlK0D0iFvPPgcFRBjJ+q0G6hoHW4WIWbZ7+lGYFlxwLBd7zecm\n"
    "FqqAwp6Ae5Y0DsMa14Yb0SDQJgO8fwW9NngyIIXaEbG0wjddot9EJ+z7/2Lx+vKo\n"
    "FKkmV/si1+/+wXWyFqrWNheez+4OOV2yWXCKQp4kFcuPy/yjwi7UXfQu7fNlcSAd\n"
    "P9hCX62WxSOn7WeSMRpuSPf70r+HcPu6mKMH49/G5jJjouRSSzcT3+krtv5DXQE0\n"
    "U+F8LfsCIgArUNw3UjaO1n8=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

/* Its DER SubjectPublicKeyInfo, from `openssl pkey -pubout -outform DER`. */
static const char fixed_spki_hex[] =
    "30819F300D06092A864886F70D010101050003818D0030818902818100D4A2D24B793AEABB2F34C1C0D1D8FA"
    "23F3F93A7ADB907349CA3D03ED7A77EAADE9F3DADAECF87383BCA4E449482890B15FAEF0FB2172A52B175A09"
    "C17679165AB0B09C4C23E0DC1A655DD796B891FBD5578A0641FA58810780F5FAAACA702E2D82F7191E327476"
    "569927626291420439D84AB97201E0AD0439E79CE8D52EEB030203010001";

/* The golden text of `show crypto key mypubkey rsa` for it; %s: the key directory. */
static const char fixed_show_fmt[] =
    "%% Key pair was generated at: 14:02:11 UTC Dec 6 2026\n"
    "Key name: ks-sig\n"
    "Key type: RSA KEYS\n"
    " Storage Device: %s\n"
    " Usage: General Purpose Key\n"
    " Key is exportable.\n"
    " Key Data:\n"
    "  30819F30 0D06092A 864886F7 0D010101 05000381 8D003081 89028181 00D4A2D2\n"
    "  4B793AEA BB2F34C1 C0D1D8FA 23F3F93A 7ADB9073 49CA3D03 ED7A77EA ADE9F3DA\n"
    "  DAECF873 83BCA4E4 49482890 B15FAEF0 FB2172A5 2B175A09 C1767916 5AB0B09C\n"
    "  4C23E0DC 1A655DD7 96B891FB D5578A06 41FA5881 0780F5FA AACA702E 2D82F719\n"
    "  1E327476 56992762 62914204 39D84AB9 7201E0AD 0439E79C E8D52EEB 03020301\n"
    "  0001\n";

struct fx {
	char dir[64];
	char keys[80];
	struct clock clock;
	struct daemon_keystore *ks;
	struct dbuf err, msg;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/gvpn-keystore-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->keys, sizeof(f->keys), "%s/keys", f->dir);
	clock_fake_init(&f->clock, NS_PER_SEC, WALL_NS);
}

static void fx_fini(struct fx *f)
{
	daemon_keystore_free(f->ks);
	dbuf_free(&f->err);
	dbuf_free(&f->msg);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	struct fx *f = malloc(sizeof(*f));
	assert_non_null(f);
	fx_init(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	free(*state);
	return 0;
}

/* (Re)open the store of f->dir; err collects the complaints. */
static void reopen(struct fx *f)
{
	daemon_keystore_free(f->ks);
	f->ks = NULL;
	dbuf_reset(&f->err);
	assert_int_equal(daemon_keystore_open(f->dir, &f->clock, &f->ks, &f->err), 0);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static const char *key_path(const struct fx *f, const char *label)
{
	static char p[256];
	snprintf(p, sizeof(p), "%s/%s.key", f->keys, label);
	return p;
}

static void write_raw(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void spki_of(const struct crypto_rsa *k, struct dbuf *out)
{
	assert_non_null(k);
	dbuf_reset(out);
	assert_int_equal(crypto_rsa_public_spki(k, out), 0);
}

/* A generated key is a 0600 file in a 0700 directory, and comes back on reopen. */
static void test_generate_and_reload(void **state)
{
	struct fx *f = *state;
	reopen(f);
	assert_int_equal(mode_of(f->keys), 0700);
	assert_int_equal(daemon_keystore_count(f->ks), 0);
	assert_int_equal(daemon_keystore_generate(f->ks, "ks1", 1024, false, &f->msg), 0);
	assert_non_null(strstr(dbuf_str(&f->msg), "The name for the keys will be: ks1\n"));
	assert_non_null(strstr(dbuf_str(&f->msg), "% The key modulus size is 1024 bits\n"));
	assert_non_null(strstr(dbuf_str(&f->msg), "keys will be non-exportable...\n[OK]"));
	const struct crypto_rsa *k = daemon_keystore_get(f->ks, "ks1");
	assert_non_null(k);
	assert_true(k->has_private);
	assert_int_equal(k->bits, 1024);
	assert_int_equal(mode_of(key_path(f, "ks1")), 0600);
	struct dbuf before = DBUF_INIT, after = DBUF_INIT;
	spki_of(k, &before);
	reopen(f);
	assert_string_equal(dbuf_str(&f->err), "");
	assert_int_equal(daemon_keystore_count(f->ks), 1);
	k = daemon_keystore_get(f->ks, "ks1");
	assert_non_null(k);
	assert_true(k->has_private);
	spki_of(k, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.p, after.p, before.len);
	assert_null(daemon_keystore_get(f->ks, "ks2"));
	dbuf_free(&before);
	dbuf_free(&after);
}

/* A directory others may enter is closed to 0700 on open. */
static void test_dir_mode_fixed(void **state)
{
	struct fx *f = *state;
	assert_int_equal(mkdir(f->keys, 0755), 0);
	assert_int_equal(chmod(f->keys, 0755), 0);
	reopen(f);
	assert_int_equal(mode_of(f->keys), 0700);
}

/* An existing label is never replaced; bad labels and sizes are refused. */
static void test_generate_refusals(void **state)
{
	struct fx *f = *state;
	reopen(f);
	assert_int_equal(daemon_keystore_generate(f->ks, "ks1", 1024, true, &f->msg), 0);
	struct dbuf before = DBUF_INIT, after = DBUF_INIT;
	spki_of(daemon_keystore_get(f->ks, "ks1"), &before);
	dbuf_reset(&f->msg);
	assert_int_equal(daemon_keystore_generate(f->ks, "ks1", 1024, true, &f->msg), ERR_EXISTS);
	assert_non_null(
	    strstr(dbuf_str(&f->msg), "% You already have RSA keys defined named ks1.\n"));
	assert_non_null(strstr(dbuf_str(&f->msg), "crypto key zeroize rsa ks1"));
	spki_of(daemon_keystore_get(f->ks, "ks1"), &after);
	assert_memory_equal(before.p, after.p, before.len);
	const char *bad[] = {
	    "",	   ".hidden", "a/b",
	    "a b", "../x",    "x123456789x123456789x123456789x123456789x123456789x123456789x1234"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(daemon_keystore_generate(f->ks, bad[i], 1024, true, &f->msg),
				 ERR_INVAL);
	assert_int_equal(daemon_keystore_generate(f->ks, "small", 512, true, &f->msg), ERR_INVAL);
	assert_int_equal(daemon_keystore_generate(f->ks, "big", 8192, true, &f->msg), ERR_INVAL);
	assert_int_equal(daemon_keystore_count(f->ks), 1);
	dbuf_free(&before);
	dbuf_free(&after);
}

/* Export needs an exportable key; its output imports as the same key pair. */
static void test_export_import(void **state)
{
	struct fx *f = *state;
	reopen(f);
	assert_int_equal(daemon_keystore_generate(f->ks, "locked", 1024, false, &f->msg), 0);
	assert_int_equal(daemon_keystore_generate(f->ks, "open", 1024, true, &f->msg), 0);
	struct dbuf pem = DBUF_INIT;
	dbuf_reset(&f->msg);
	assert_int_equal(daemon_keystore_export_pem(f->ks, "locked", &pem, &f->msg), ERR_STATE);
	assert_int_equal(pem.len, 0);
	assert_string_equal(dbuf_str(&f->msg), "% RSA keypair 'locked' is not exportable.\n");
	assert_int_equal(daemon_keystore_export_pem(f->ks, "none", &pem, &f->msg), ERR_NOTFOUND);
	assert_int_equal(daemon_keystore_export_pem(f->ks, "open", &pem, &f->msg), 0);
	assert_true(pem.secret);
	const char *text = dbuf_str(&pem);
	assert_non_null(strstr(text, "-----BEGIN PUBLIC KEY-----\n"));
	assert_non_null(strstr(text, "-----BEGIN PRIVATE KEY-----\n"));
	assert_true(strstr(text, "PUBLIC") < strstr(text, "PRIVATE"));

	/* the whole export (public block first) imports on another store */
	struct fx other;
	fx_init(&other);
	reopen(&other);
	assert_int_equal(
	    daemon_keystore_import_pem(other.ks, "copy", text, pem.len, false, &other.msg), 0);
	assert_non_null(strstr(dbuf_str(&other.msg), "% Key pair import succeeded"));
	struct dbuf a = DBUF_INIT, b = DBUF_INIT;
	spki_of(daemon_keystore_get(f->ks, "open"), &a);
	spki_of(daemon_keystore_get(other.ks, "copy"), &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	assert_true(daemon_keystore_get(other.ks, "copy")->has_private);
	/* imported non-exportable: export refused, also after a reload */
	reopen(&other);
	assert_int_equal(daemon_keystore_export_pem(other.ks, "copy", &b, &other.msg), ERR_STATE);
	assert_int_equal(mode_of(key_path(&other, "copy")), 0600);

	/* a public key alone, garbage, and a used label are refused */
	const char *pub_end = strstr(text, "-----BEGIN PRIVATE KEY-----");
	dbuf_reset(&other.msg);
	assert_int_equal(daemon_keystore_import_pem(other.ks, "pub", text, (size_t)(pub_end - text),
						    true, &other.msg),
			 ERR_INVAL);
	assert_non_null(strstr(dbuf_str(&other.msg), "public key only"));
	assert_int_equal(
	    daemon_keystore_import_pem(other.ks, "junk", "hello\n", 6, true, &other.msg),
	    ERR_INVAL);
	assert_int_equal(
	    daemon_keystore_import_pem(other.ks, "copy", text, pem.len, true, &other.msg),
	    ERR_EXISTS);
	assert_int_equal(daemon_keystore_count(other.ks), 1);

	fx_fini(&other);
	dbuf_free(&a);
	dbuf_free(&b);
	dbuf_free(&pem);
}

/* Import from a file by absolute path; the key then signs like the original. */
static void test_import_file(void **state)
{
	struct fx *f = *state;
	reopen(f);
	char path[128];
	snprintf(path, sizeof(path), "%s/in.pem", f->dir);
	write_raw(path, fixed_pem, 0644);
	assert_int_equal(daemon_keystore_import_file(f->ks, "ks-sig", path, true, &f->msg), 0);
	const struct crypto_rsa *k = daemon_keystore_get(f->ks, "ks-sig");
	assert_non_null(k);
	struct dbuf der = DBUF_INIT;
	spki_of(k, &der);
	char hex[sizeof(fixed_spki_hex)];
	assert_int_equal(der.len * 2 + 1, sizeof(hex));
	for (size_t i = 0; i < der.len; i++)
		snprintf(hex + 2 * i, 3, "%02X", der.p[i]);
	assert_string_equal(hex, fixed_spki_hex);
	dbuf_free(&der);
	dbuf_reset(&f->msg);
	assert_int_equal(daemon_keystore_import_file(f->ks, "rel", "in.pem", true, &f->msg),
			 ERR_INVAL);
	assert_non_null(strstr(dbuf_str(&f->msg), "absolute path"));
	snprintf(path, sizeof(path), "%s/missing.pem", f->dir);
	dbuf_reset(&f->msg);
	assert_int_equal(daemon_keystore_import_file(f->ks, "miss", path, true, &f->msg),
			 ERR_NOTFOUND);
	assert_non_null(strstr(dbuf_str(&f->msg), path));
	assert_int_equal(daemon_keystore_count(f->ks), 1);
}

/* The traditional form imports as the same key; an encrypted one is refused, never prompted for. */
static void test_import_forms(void **state)
{
	struct fx *f = *state;
	reopen(f);
	assert_int_equal(daemon_keystore_import_pem(f->ks, "trad", fixed_pem_traditional,
						    sizeof(fixed_pem_traditional) - 1, false,
						    &f->msg),
			 0);
	assert_int_equal(daemon_keystore_import_pem(f->ks, "pkcs8", fixed_pem,
						    sizeof(fixed_pem) - 1, false, &f->msg),
			 0);
	struct dbuf a = DBUF_INIT, b = DBUF_INIT;
	spki_of(daemon_keystore_get(f->ks, "trad"), &a);
	spki_of(daemon_keystore_get(f->ks, "pkcs8"), &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	dbuf_reset(&f->msg);
	assert_int_equal(daemon_keystore_import_pem(f->ks, "enc", fixed_pem_encrypted,
						    sizeof(fixed_pem_encrypted) - 1, false,
						    &f->msg),
			 ERR_INVAL);
	assert_non_null(strstr(dbuf_str(&f->msg), "No unencrypted RSA private key"));
	assert_null(daemon_keystore_get(f->ks, "enc"));
	assert_int_equal(access(key_path(f, "enc"), F_OK), -1);
	dbuf_free(&a);
	dbuf_free(&b);
}

/* Bad files are reported with their path and skipped; good ones still load. */
static void test_bad_files_skipped(void **state)
{
	struct fx *f = *state;
	reopen(f);
	assert_int_equal(daemon_keystore_generate(f->ks, "good", 1024, false, &f->msg), 0);
	write_raw(key_path(f, "garbled"),
		  "gvpn-rsa-key 1\nexportable no\ngenerated 5\n-----BEGIN PRIVATE KEY-----\n"
		  "MIICdgIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
		  0600);
	write_raw(key_path(f, "nomagic"), fixed_pem, 0600);
	/* a good key file that others may read is no secret: refused */
	char open_text[sizeof(fixed_pem) + 64];
	snprintf(open_text, sizeof(open_text), "gvpn-rsa-key 1\nexportable no\ngenerated 5\n%s",
		 fixed_pem);
	write_raw(key_path(f, "world"), open_text, 0644);
	write_raw(key_path(f, "fine"), open_text, 0600);
	write_raw(key_path(f, "bad label"), open_text, 0600);
	char other[192];
	snprintf(other, sizeof(other), "%s/README", f->keys);
	write_raw(other, "not a key\n", 0600);
	snprintf(other, sizeof(other), "%s/.left.key.tmp", f->keys);
	write_raw(other, "partial", 0600);
	reopen(f);
	const char *err = dbuf_str(&f->err);
	char want[512];
	snprintf(want, sizeof(want), "%s: no valid RSA private key in it; key not loaded\n",
		 key_path(f, "garbled"));
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s: not a gvpn RSA key file", key_path(f, "nomagic"));
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s: group or others may read it", key_path(f, "world"));
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s: the name is not a key label", key_path(f, "bad label"));
	assert_non_null(strstr(err, want));
	assert_null(strstr(err, "README"));
	assert_null(strstr(err, ".tmp"));
	assert_int_equal(daemon_keystore_count(f->ks), 2);
	assert_non_null(daemon_keystore_get(f->ks, "good"));
	assert_non_null(daemon_keystore_get(f->ks, "fine"));
	assert_null(daemon_keystore_get(f->ks, "garbled"));
	assert_null(daemon_keystore_get(f->ks, "world"));
}

/* Zeroize removes the key and its file. */
static void test_zeroize(void **state)
{
	struct fx *f = *state;
	reopen(f);
	assert_int_equal(daemon_keystore_generate(f->ks, "a", 1024, false, &f->msg), 0);
	assert_int_equal(daemon_keystore_generate(f->ks, "b", 1024, false, &f->msg), 0);
	dbuf_reset(&f->msg);
	assert_int_equal(daemon_keystore_remove(f->ks, "a", &f->msg), 0);
	assert_string_equal(dbuf_str(&f->msg), "% Keys to be removed are named 'a'.\n");
	assert_null(daemon_keystore_get(f->ks, "a"));
	assert_int_equal(access(key_path(f, "a"), F_OK), -1);
	assert_int_equal(daemon_keystore_remove(f->ks, "a", &f->msg), ERR_NOTFOUND);
	reopen(f);
	assert_int_equal(daemon_keystore_count(f->ks), 1);
	assert_non_null(daemon_keystore_get(f->ks, "b"));
	/* the label may be used again */
	assert_int_equal(daemon_keystore_generate(f->ks, "a", 1024, false, &f->msg), 0);
}

static void import_fixed(struct fx *f)
{
	reopen(f);
	assert_int_equal(daemon_keystore_import_pem(f->ks, "ks-sig", fixed_pem,
						    sizeof(fixed_pem) - 1, true, &f->msg),
			 0);
}

/* show crypto key mypubkey rsa: the IOS layout, Key Data in 8-digit groups. */
static void test_show_golden(void **state)
{
	struct fx *f = *state;
	import_fixed(f);
	struct result *r = result_new();
	assert_int_equal(daemon_keystore_show(f->ks, NULL, r), 0);
	struct dbuf out = DBUF_INIT, want = DBUF_INIT;
	assert_int_equal(result_render_text(r, &out), 0);
	dbuf_printf(&want, fixed_show_fmt, f->keys);
	assert_string_equal(dbuf_str(&out), dbuf_str(&want));
	dbuf_reset(&out);
	assert_int_equal(result_render_json(r, &out, false), 0);
	const char *j = dbuf_str(&out);
	assert_non_null(strstr(j, "{\"keys\":[{\"generatedAt\":\"14:02:11 UTC Dec 6 2026\","
				  "\"keyName\":\"ks-sig\",\"keyType\":\"RSA KEYS\","
				  "\"modulusBits\":1024,\"storageDevice\":\""));
	assert_non_null(strstr(j, "\"usage\":\"General Purpose Key\",\"exportable\":true,"
				  "\"keyData\":\""));
	assert_non_null(strstr(j, fixed_spki_hex));
	result_free(r);
	/* a label that does not exist shows nothing */
	r = result_new();
	assert_int_equal(daemon_keystore_show(f->ks, "nope", r), 0);
	dbuf_reset(&out);
	assert_int_equal(result_render_text(r, &out), 0);
	assert_string_equal(dbuf_str(&out), "");
	result_free(r);
	dbuf_free(&out);
	dbuf_free(&want);
}

/* ---- the exec commands, with ops that call the store as gvpnd does ---- */

static int op_generate(void *arg, const char *label, unsigned bits, bool exportable,
		       struct dbuf *msg)
{
	return daemon_keystore_generate(arg, label, bits, exportable, msg);
}
static int op_show(void *arg, const char *label, struct result *r)
{
	return daemon_keystore_show(arg, label, r);
}
static int op_export(void *arg, const char *label, struct dbuf *out, struct dbuf *msg)
{
	return daemon_keystore_export_pem(arg, label, out, msg);
}
static int op_import(void *arg, const char *label, const char *path, bool exportable,
		     struct dbuf *msg)
{
	return daemon_keystore_import_file(arg, label, path, exportable, msg);
}
static int op_zeroize(void *arg, const char *label, struct dbuf *msg)
{
	return daemon_keystore_remove(arg, label, msg);
}

static const struct ctl_ops key_ops = {
    .key_generate = op_generate,
    .key_show = op_show,
    .key_export = op_export,
    .key_import = op_import,
    .key_zeroize = op_zeroize,
};

struct cli {
	struct ctl_commands *cmds;
	struct ctl_world w;
	struct ctl_session s;
	struct ctl_reply rep;
};

static const char *run(struct cli *c, const char *line, unsigned *status)
{
	ctl_reply_free(&c->rep);
	assert_int_equal(ctl_run(c->cmds, &c->w, &c->s, line, strlen(line), 0, &c->rep), 0);
	*status = c->rep.status;
	return dbuf_str(&c->rep.out);
}

static void test_exec_commands(void **state)
{
	struct fx *f = *state;
	import_fixed(f);
	struct cli c = {.cmds = ctl_commands_new()};
	assert_non_null(c.cmds);
	c.w.clock = &f->clock;
	c.w.ops = &key_ops;
	c.w.ops_arg = f->ks;
	unsigned st;
	char path[128];

	/* export prints the PEM blocks; imported elsewhere they are the same key */
	const char *out = run(&c, "crypto key export rsa ks-sig pem", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_true(c.rep.out.secret);
	assert_non_null(strstr(out, "-----BEGIN PUBLIC KEY-----\n"));
	assert_non_null(strstr(out, "-----BEGIN PRIVATE KEY-----\n"));
	snprintf(path, sizeof(path), "%s/export.pem", f->dir);
	write_raw(path, out, 0600);
	char line[256];
	snprintf(line, sizeof(line), "crypto key import rsa twin pem exportable url %s", path);
	out = run(&c, line, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "% Key pair import succeeded: twin, 1024 bits, exportable.\n"));
	struct dbuf a = DBUF_INIT, b = DBUF_INIT;
	spki_of(daemon_keystore_get(f->ks, "ks-sig"), &a);
	spki_of(daemon_keystore_get(f->ks, "twin"), &b);
	assert_memory_equal(a.p, b.p, a.len);
	dbuf_free(&a);
	dbuf_free(&b);

	/* generate with the IOS keywords; non-exportable refuses export */
	out = run(&c, "crypto key generate rsa general-keys label gen modulus 1024", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "The name for the keys will be: gen\n"));
	out = run(&c, "crypto key export rsa gen pem terminal", &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% RSA keypair 'gen' is not exportable.\n");
	out = run(&c, "crypto key generate rsa label gen modulus 1024", &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_non_null(strstr(out, "% You already have RSA keys defined named gen.\n"));
	out = run(&c, "crypto key generate rsa label x modulus 512", &st);
	assert_int_equal(st, CTL_ST_SYNTAX);

	/* show, all keys or one */
	out = run(&c, "show crypto key mypubkey rsa ks-sig", &st);
	assert_int_equal(st, CTL_ST_OK);
	char want[2048];
	snprintf(want, sizeof(want), fixed_show_fmt, f->keys);
	assert_string_equal(out, want);
	out = run(&c, "show crypto key mypubkey rsa", &st);
	assert_non_null(strstr(out, "Key name: gen\n"));
	assert_non_null(strstr(out, "Key name: twin\n"));
	assert_true(strstr(out, "Key name: gen\n") < strstr(out, "Key name: ks-sig\n"));

	/* zeroize */
	out = run(&c, "crypto key zeroize rsa gen", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_null(daemon_keystore_get(f->ks, "gen"));
	out = run(&c, "crypto key zeroize rsa gen", &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% RSA keypair 'gen' not found\n");

	/* without the hooks */
	c.w.ops = NULL;
	out = run(&c, "crypto key export rsa ks-sig pem", &st);
	assert_int_equal(st, CTL_ST_FAILED);
	ctl_reply_free(&c.rep);
	ctl_commands_free(c.cmds);
}

/* ---- gvpnd in-process: the key server takes a key generated at the prompt ---- */

static const char ks_config[] = "hostname KS1\n"
				"crypto isakmp policy 10\n"
				" encryption aes 256\n"
				" hash sha256\n"
				" authentication pre-share\n"
				" group 14\n"
				"crypto isakmp key s3cret address 0.0.0.0 0.0.0.0\n"
				"crypto ipsec transform-set ts esp-aes 256 esp-sha256-hmac\n"
				"crypto ipsec profile p\n"
				" set transform-set ts\n"
				"ip access-list extended ENCPOL\n"
				" permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255\n"
				"crypto gdoi group G1\n"
				" identity number 3333\n"
				" server local\n"
				"  rekey authentication mypubkey rsa KSKEY\n"
				"  rekey transport unicast\n"
				"  sa ipsec 1\n"
				"   profile p\n"
				"   match address ipv4 ENCPOL\n"
				"  address ipv4 127.0.0.1\n"
				"end\n";

static void test_daemon_wiring(void **state)
{
	(void)state;
	struct harness h;
	harness_start(&h, ks_config, NULL);
	unsigned st;
	const char *out = harness_cmd(&h, 0, "show crypto gdoi ks policy", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "sig key name        : (missing)\n"));
	out =
	    harness_cmd(&h, 0, "crypto key generate rsa label KSKEY modulus 1024 exportable", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "The name for the keys will be: KSKEY\n"));
	assert_null(strstr(out, "did not take"));
	out = harness_cmd(&h, 0, "show crypto gdoi ks policy", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_null(strstr(out, "(missing)"));
	assert_non_null(strstr(out, "sig key name        : KSKEY\n"));
	assert_non_null(strstr(out, "sig size            : 128\n"));
	out = harness_cmd(&h, 0, "show crypto key mypubkey rsa", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "Key name: KSKEY\n"));
	char path[256];
	snprintf(path, sizeof(path), "%s/keys/KSKEY.key", h.state);
	assert_int_equal(mode_of(path), 0600);
	out = harness_cmd(&h, 0, "crypto key zeroize rsa KSKEY", &st);
	assert_int_equal(st, CTL_ST_OK);
	out = harness_cmd(&h, 0, "show crypto gdoi ks policy", &st);
	assert_non_null(strstr(out, "sig key name        : (missing)\n"));
	harness_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_generate_and_reload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dir_mode_fixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_generate_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_export_import, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_files_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zeroize, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_show_golden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_commands, setup, teardown),
	    cmocka_unit_test(test_daemon_wiring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
