/*
 * gvpnd's key server state file (daemon/ksstate.h), in-process over real
 * UDP on loopback as in test_engines: a key server at 127.0.0.1 and a
 * member at 127.0.0.2 in one daemon. The member registers (and takes a
 * rekey); gvpnd stops and starts again as a key server alone, so that
 * what it knows of the member can only come from STATE_DIR/ks-state:
 * same KEK and TEK SPIs, the member, a sequence number above every one
 * sent. A corrupted file is reported, moved aside, and the key server
 * starts fresh.
 */
#include "../sim/test_registration_lib.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/rsa.h"
#include "ctl/proto.h"
#include "daemon/engines.h"
#include "daemon/ksstate.h"
#include "harness.h"

#define IP_KS 0x7f000001u /* 127.0.0.1 */
#define IP_GM 0x7f000002u /* 127.0.0.2 */

static const uint32_t no_peers[1];

struct fixture {
	struct crypto_rsa rsa;
	struct h_ks_setup ks;
	struct h_gm_setup gm;
	struct daemon_engines_cfg both, ks_only;
	struct harness h;
	char path[256]; /* STATE_DIR/ks-state */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(crypto_rsa_generate(&f->rsa, 2048), 0);
	uint32_t servers[] = {IP_KS};
	h_ks_setup(&f->ks, IP_KS, "loopback-psk", &f->rsa);
	f->ks.group.auth = f->ks.auth;
	f->ks.group.peers = no_peers;
	h_gm_setup(&f->gm, IP_GM, "loopback-psk", servers, 1);
	f->both = (struct daemon_engines_cfg){.ks = &f->ks.cfg, .gm = &f->gm.cfg};
	f->ks_only = (struct daemon_engines_cfg){.ks = &f->ks.cfg};
	struct harness_opts o = {.udp = true, .engines = &f->both};
	harness_start(&f->h, "hostname KS1\n", &o);
	snprintf(f->path, sizeof(f->path), "%s/%s", f->h.state, DAEMON_KS_STATE_FILE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	harness_stop(&f->h);
	crypto_rsa_clear(&f->rsa);
	free(f);
	return 0;
}

static void pause_10ms(void)
{
	nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
}

/* Run cmd until its output contains want, for up to 5 s (polled every 10 ms). */
static bool poll_for(struct harness *h, const char *cmd, const char *want)
{
	for (int i = 0; i < 500; i++) {
		if (strstr(harness_cmd(h, 0, cmd, NULL), want))
			return true;
		pause_10ms();
	}
	fprintf(stderr, "last output of %s:\n%s", cmd, harness_cmd(h, 0, cmd, NULL));
	return false;
}

/* Up to 5 s for path to exist. */
static bool poll_file(const char *path)
{
	for (int i = 0; i < 500; i++) {
		if (access(path, F_OK) == 0)
			return true;
		pause_10ms();
	}
	return false;
}

/* What `show crypto gdoi ks policy` says of the group: KEK and TEK SPI, sequence number. */
struct policy {
	char kek[64], tek[64];
	unsigned long seq;
};

static struct policy policy_of(struct harness *h)
{
	struct policy p = {0};
	const char *out = harness_cmd(h, 0, "show crypto gdoi ks policy", NULL);
	const char *s = strstr(out, "Seq num                : ");
	assert_non_null(s);
	p.seq = strtoul(s + strlen("Seq num                : "), NULL, 10);
	const char *k = strstr(out, "KEK POLICY");
	const char *t = strstr(out, "TEK POLICY");
	assert_non_null(k);
	assert_non_null(t);
	assert_int_equal(sscanf(strstr(k, "spi"), "spi : %63s", p.kek), 1);
	assert_int_equal(sscanf(strstr(t, "spi"), "spi : %63s", p.tek), 1);
	return p;
}

static void rekey_acked(struct harness *h, const char *n)
{
	char want[96];
	unsigned st;
	harness_cmd(h, 0, "crypto gdoi ks rekey", &st);
	assert_int_equal(st, CTL_ST_OK);
	snprintf(want, sizeof(want), "Number of Rekey Acks received       : %s\n", n);
	assert_true(poll_for(h, "show crypto gdoi ks rekey", want));
}

static const char member_line[] = "Group Member ID    : 127.0.0.2  GM Version: ";

static void test_restart_keeps_keys_members_and_sequence(void **state)
{
	struct fixture *f = *state;
	struct harness *h = &f->h;
	assert_true(poll_for(h, "show crypto gdoi", "Registration status   : Registered\n"));
	rekey_acked(h, "1");
	struct policy before = policy_of(h);
	assert_true(before.seq >= 1);

	/* a clean stop saves; the key server alone starts from the file */
	harness_halt(h);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	harness_resume(h, &(struct harness_opts){.udp = true, .engines = &f->ks_only});
	struct policy after = policy_of(h);
	assert_string_equal(after.kek, before.kek);
	assert_string_equal(after.tek, before.tek);
	assert_true(after.seq > before.seq);
	const char *out = harness_cmd(h, 0, "show crypto gdoi ks members", NULL);
	assert_non_null(strstr(out, member_line));
	/* with its registration and counters: it will be rekeyed, not register again */
	out = harness_cmd(h, CTL_REQ_JSON, "show crypto gdoi ks members", NULL);
	assert_non_null(strstr(out, "\"registrations\": 1,"));
	assert_non_null(strstr(out, "\"rekeyAcksRcvd\": 1,"));
}

/* Whole file at path into buf; its length. */
static size_t read_all(const char *path, uint8_t *buf, size_t max)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, max);
	close(fd);
	assert_true(n > 0 && (size_t)n < max);
	return (size_t)n;
}

static void write_all(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/*
 * A crash loses what happened after the last write: the file of before
 * the rekey stands for it. The restarted key server keeps the keys and
 * still numbers its next push above the one the member accepted.
 */
static void test_state_of_before_a_rekey_still_numbers_above_it(void **state)
{
	struct fixture *f = *state;
	struct harness *h = &f->h;
	assert_true(poll_for(h, "show crypto gdoi", "Registration status   : Registered\n"));
	assert_true(poll_file(f->path)); /* written while running, not only at the stop */
	static uint8_t old[1 << 16];
	size_t len = read_all(f->path, old, sizeof(old));
	rekey_acked(h, "1");
	struct policy before = policy_of(h);
	harness_halt(h);
	write_all(f->path, old, len);
	harness_resume(h, &(struct harness_opts){.udp = true, .engines = &f->both});
	struct policy after = policy_of(h);
	assert_string_equal(after.kek, before.kek);
	assert_true(after.seq > before.seq);
	/* the member, registered again by its own restart, accepts the next push */
	assert_true(poll_for(h, "show crypto gdoi", "Registration status   : Registered\n"));
	unsigned st;
	harness_cmd(h, 0, "crypto gdoi ks rekey", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_true(poll_for(h, "show crypto gdoi gm rekey",
			     "Number of Rekeys received (cumulative)       : 1\n"));
}

/* Run the daemon's start with stderr into a file; the file's text (malloc). */
static char *resume_capturing_stderr(struct fixture *f, const struct harness_opts *o)
{
	char log[160];
	snprintf(log, sizeof(log), "%s/stderr.txt", f->h.dir);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	harness_resume(&f->h, o);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char *text = harness_slurp(log);
	assert_non_null(text);
	return text;
}

/* The name of the one ks-state.corrupt-* file in dir, "" when none. */
static void corrupt_name(const char *dir, char *out, size_t n)
{
	out[0] = '\0';
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		if (!strncmp(e->d_name, DAEMON_KS_STATE_CORRUPT, strlen(DAEMON_KS_STATE_CORRUPT)))
			snprintf(out, n, "%s", e->d_name);
	closedir(d);
}

static void test_corrupted_file_is_reported_moved_aside_and_ks_starts_fresh(void **state)
{
	struct fixture *f = *state;
	struct harness *h = &f->h;
	assert_true(poll_for(h, "show crypto gdoi", "Registration status   : Registered\n"));
	struct policy before = policy_of(h);
	harness_halt(h);
	static uint8_t blob[1 << 16];
	size_t len = read_all(f->path, blob, sizeof(blob));
	blob[len / 2] ^= 0x01; /* one bit anywhere: the SHA-256 no longer matches */
	write_all(f->path, blob, len);

	char *err =
	    resume_capturing_stderr(f, &(struct harness_opts){.udp = true, .engines = &f->ks_only});
	char name[256], want[1024];
	corrupt_name(h->state, name, sizeof(name));
	assert_true(name[0]);
	snprintf(want, sizeof(want),
		 "gvpnd: key server state %s is unusable (checksum mismatch), moved to %s/%s; "
		 "the key server starts with fresh keys\n",
		 f->path, h->state, name);
	if (!strstr(err, want))
		fail_msg("stderr:\n%s\nwanted:\n%s", err, want);
	free(err);

	struct policy after = policy_of(h);
	assert_string_not_equal(after.kek, before.kek);
	assert_string_not_equal(after.tek, before.tek);
	assert_null(strstr(harness_cmd(h, 0, "show crypto gdoi ks members", NULL), member_line));
	/* the fresh state replaces it at the next stop, mode 0600 */
	harness_halt(h);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	harness_resume(h, &(struct harness_opts){.udp = true, .engines = &f->ks_only});
	assert_string_equal(policy_of(h).tek, after.tek);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_restart_keeps_keys_members_and_sequence, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_state_of_before_a_rekey_still_numbers_above_it,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_corrupted_file_is_reported_moved_aside_and_ks_starts_fresh, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
