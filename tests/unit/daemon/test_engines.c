/*
 * gvpnd with both GDOI roles, in-process, over real UDP on loopback: the
 * key server at 127.0.0.1, the member at 127.0.0.2, one daemon, one
 * socket (datagrams for port 848 go to the test's port). The member
 * registers; the exec commands show it through the control socket; the
 * installed policy reaches the data plane (a bare SA database here, the
 * NFQUEUE runtime in gvpnd); `clear crypto gdoi` makes it register again.
 */
#include "../sim/test_registration_lib.h"

#include <time.h>

#include "crypto/rsa.h"
#include "ctl/proto.h"
#include "daemon/engines.h"
#include "harness.h"

#define IP_KS 0x7f000001u /* 127.0.0.1 */
#define IP_GM 0x7f000002u /* 127.0.0.2 */

struct published {
	size_t count;
	size_t ngroups;
	bool has_acl;
	size_t nsas;
	uint32_t spi[GDOI_TEKS_MAX];
	size_t acl_n;
};

static struct published pub;
static struct dp_sad *sad;

/* The test's data plane: build and publish a snapshot, remember what it held. */
static int publish(void *arg, const struct dp_sad_group_desc *g, size_t n)
{
	(void)arg;
	struct dp_sad_desc d = {.groups = g, .ngroups = n};
	struct dp_sad_snap *snap;
	int rc = dp_sad_snap_build(sad, &d, &snap);
	if (rc)
		return rc;
	dp_sad_publish(sad, snap);
	pub.count++;
	pub.ngroups = n;
	pub.has_acl = n && g[0].acl;
	pub.nsas = n ? g[0].nsas : 0;
	pub.acl_n = pub.has_acl ? g[0].acl->n : 0;
	for (size_t i = 0; i < pub.nsas; i++)
		pub.spi[i] = g[0].sas[i]->spi;
	return 0;
}

struct fixture {
	struct crypto_rsa rsa;
	struct h_ks_setup ks;
	struct h_gm_setup gm;
	struct daemon_engines_cfg cfg;
	struct harness h;
};

static const char *const dp_groups[] = {"G1"};
static const uint32_t no_peers[1];

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	memset(&pub, 0, sizeof(pub));
	assert_int_equal(dp_sad_create(1, &sad), 0);
	assert_int_equal(crypto_rsa_generate(&f->rsa, 2048), 0);
	uint32_t servers[] = {IP_KS};
	h_ks_setup(&f->ks, IP_KS, "loopback-psk", &f->rsa);
	f->ks.group.auth = f->ks.auth; /* gdoi copies them even when empty */
	f->ks.group.peers = no_peers;
	h_gm_setup(&f->gm, IP_GM, "loopback-psk", servers, 1);
	f->cfg = (struct daemon_engines_cfg){
	    .ks = &f->ks.cfg,
	    .gm = &f->gm.cfg,
	    .dp_groups = dp_groups,
	    .n_dp_groups = 1,
	    .test_sad = sad,
	    .test_publish = publish,
	};
	struct harness_opts o = {.udp = true, .engines = &f->cfg};
	harness_start(&f->h, "hostname BOTH\n", &o);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	harness_stop(&f->h);
	dp_sad_destroy(sad);
	crypto_rsa_clear(&f->rsa);
	free(f);
	return 0;
}

/* Run cmd until its output contains want, for up to 5 s (polled every 10 ms). */
static bool poll_for(struct harness *h, const char *cmd, const char *want)
{
	for (int i = 0; i < 500; i++) {
		if (strstr(harness_cmd(h, 0, cmd, NULL), want))
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	fprintf(stderr, "last output of %s:\n%s", cmd, harness_cmd(h, 0, cmd, NULL));
	return false;
}

static void test_register_show_clear(void **state)
{
	struct fixture *f = *state;
	struct harness *h = &f->h;
	assert_true(poll_for(h, "show crypto gdoi", "Registration status   : Registered\n"));
	const char *out = harness_cmd(h, 0, "show crypto gdoi", NULL);
	assert_non_null(strstr(out, "       Registered with       : 127.0.0.1\n"));
	assert_non_null(strstr(out, "    Group member             : 127.0.0.2 "));
	assert_non_null(strstr(out, " ACL Downloaded From KS 127.0.0.1:\n"));
	/* both roles in one box: the KS block follows the GM's */
	assert_non_null(strstr(out, "    Group Name               : G1 (Unicast)\n"));
	out = harness_cmd(h, 0, "show crypto gdoi ks members", NULL);
	assert_non_null(strstr(out, "Group Member ID    : 127.0.0.2  GM Version: "));
	out = harness_cmd(h, 0, "show crypto isakmp sa", NULL);
	/* the member's SA and the key server's view of it */
	assert_non_null(strstr(out, "127.0.0.1       127.0.0.2       GDOI_IDLE"));

	/* the data plane got the policy: the ACL and the TEK */
	assert_true(pub.count >= 1);
	assert_true(pub.has_acl);
	assert_int_equal(pub.acl_n, 4);
	assert_int_equal(pub.nsas, 1);
	const char *json = harness_cmd(h, CTL_REQ_JSON, "show crypto gdoi", NULL);
	char spi[32];
	snprintf(spi, sizeof(spi), "\"spi\": %u,", pub.spi[0]);
	assert_non_null(strstr(json, spi));

	/* clear: the member registers again (2 successes) */
	unsigned st;
	out = harness_cmd(h, 0, "clear crypto gdoi", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_true(poll_for(h, "show crypto gdoi gm", "Succeeded registration: 2\n"));
	out = harness_cmd(h, 0, "clear crypto gdoi group NOPE", &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% Group NOPE not found\n");
}

/*
 * The rekey commands through gvpnd: the push leaves at once, the loop runs
 * the key server's rounds, the member accepts and acknowledges over UDP.
 */
static void test_rekey_commands(void **state)
{
	struct fixture *f = *state;
	struct harness *h = &f->h;
	assert_true(poll_for(h, "show crypto gdoi", "Registration status   : Registered\n"));
	unsigned st;
	const char *out = harness_cmd(h, 0, "crypto gdoi ks rekey", &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_string_equal(out, "");
	assert_true(poll_for(h, "show crypto gdoi gm rekey",
			     "Number of Rekeys received (cumulative)       : 1\n"));
	assert_true(
	    poll_for(h, "show crypto gdoi ks rekey", "Number of Rekey Acks received       : 1\n"));
	out = harness_cmd(h, 0, "show crypto gdoi rekey sa", NULL);
	/* the member's KEK SA, then the key server's view of it */
	assert_non_null(strstr(out, "127.0.0.2       127.0.0.1       1               ACTIVE\n"
				    "127.0.0.2       127.0.0.1       1               ACTIVE\n"));
	out = harness_cmd(h, 0, "clear crypto gdoi ks members", &st);
	assert_int_equal(st, CTL_ST_OK);
	out = harness_cmd(h, 0, "show crypto gdoi ks members", NULL);
	assert_null(strstr(out, "Group Member ID"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_register_show_clear, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_commands, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
