/*
 * The GDOI show commands on real engine state: a KS and a GM register in
 * the simulator (seeded, so SPIs and timers are the same every run), then
 * every show runs through ctl_run() as gvpnd would run it, in text and in
 * JSON. The outputs must equal shows/gdoi.refout (GVPN_UPDATE_GOLDEN=1
 * rewrites it; review the diff). A few facts are also asserted directly,
 * so that a regenerated golden cannot hide a wrong value.
 */
#include "harness.h"
#include "showpair.h"
#include "util/dbuf.h"

#define GOLDEN GVPN_SOURCE_DIR "/tests/unit/daemon/shows/gdoi.refout"

struct world {
	struct showpair p;
	struct ctl_world gm_w, ks_w;
};

static struct world W;

static int setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	showpair_start(&W.p, 20261122, false);
	static const char *const local_acl[] = {"access-list deny ip host 10.1.13.2 any"};
	showpair_worlds(&W.p, &W.gm_w, &W.ks_w);
	W.gm_w.gm_local_acl = local_acl;
	W.gm_w.gm_local_acl_n = 1;
	W.gm_w.ike[W.gm_w.n_ike++] = gdoi_gm_ike(W.p.gm->gm);
	W.ks_w.ike[W.ks_w.n_ike++] = gdoi_ks_ike(W.p.ks->ks);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	showpair_stop(&W.p);
	return 0;
}

static const char *run(struct ctl_world *w, const char *cmd, unsigned flags, unsigned *status)
{
	return showpair_run(&W.p, w, cmd, flags, status);
}

/* Facts the lab test relies on, asserted without the golden. */
static void test_facts(void **state)
{
	(void)state;
	unsigned st;
	const char *out = run(&W.gm_w, "show crypto gdoi", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "       Registration status   : Registered\n"));
	assert_non_null(strstr(out, "       Registered with       : 10.1.11.2\n"));
	assert_non_null(strstr(out, "    Group Name               : G1\n"));
	assert_non_null(strstr(out, " ACL Downloaded From KS 10.1.11.2:\n"));
	assert_non_null(strstr(out, "   access-list deny udp any port = 848 any port = 848\n"));
	assert_non_null(strstr(out, "KEK POLICY:\n    Rekey Transport Type     : Unicast\n"));
	assert_non_null(strstr(out, "        transform: esp-aes 256 esp-sha256-hmac\n"));
	assert_non_null(strstr(out, "        Anti-Replay(Time Based) : 4 sec interval\n"));
	out = run(&W.gm_w, "show crypto gdoi --json", 0, &st);
	assert_int_equal(st, CTL_ST_SYNTAX); /* --json is the client's, never a word */
	out = run(&W.gm_w, "sh cry gdoi", CTL_REQ_JSON, &st);
	assert_non_null(strstr(out, "\"registrationStatus\": \"Registered\""));
	assert_non_null(strstr(out, "\"registeredWith\": \"10.1.11.2\""));
	out = run(&W.ks_w, "show crypto gdoi ks members", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "Group Member ID    : 10.1.13.2  GM Version: "));
	out = run(&W.ks_w, "show crypto gdoi ks members 10.1.13.9", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% No group member 10.1.13.9\n");
	out = run(&W.gm_w, "show crypto gdoi group G9", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% Group G9 not found\n");
	out = run(&W.gm_w, "show crypto gdoi ks", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% This box is not a key server\n");
}

static const struct showpair_show shows[] = {
    {&W.gm_w, "show crypto gdoi"},
    {&W.gm_w, "show crypto gdoi group G1 detail"},
    {&W.gm_w, "show crypto gdoi gm"},
    {&W.gm_w, "show crypto gdoi gm acl"},
    {&W.gm_w, "show crypto isakmp sa"},
    {&W.ks_w, "show crypto gdoi"},
    {&W.ks_w, "show crypto gdoi ks"},
    {&W.ks_w, "show crypto gdoi ks detail"},
    {&W.ks_w, "show crypto gdoi ks members"},
    {&W.ks_w, "show crypto gdoi ks members summary"},
    {&W.ks_w, "show crypto gdoi ks members 10.1.13.2"},
    {&W.ks_w, "show crypto gdoi ks policy"},
    {&W.ks_w, "show crypto gdoi ks acl"},
    {&W.ks_w, "show crypto isakmp sa"},
};

static void test_golden(void **state)
{
	(void)state;
	showpair_golden(&W.p, GOLDEN, shows, sizeof(shows) / sizeof(shows[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_facts),
	    TEST(test_golden),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
