/*
 * The GROUPKEY-PUSH commands on real engine state: a KS and a GM register
 * in the simulator (showpair.h, seeded), then `crypto gdoi ks rekey` and
 * `crypto gdoi ks group G1 rekey replace-now` run through ctl_run() as
 * gvpnd would run them and the push reaches the member and is
 * acknowledged. The rekey shows (text and JSON) must then equal
 * shows/rekey.refout (GVPN_UPDATE_GOLDEN=1 rewrites it; review the diff);
 * the effects (sequence numbers, counters, members cleared) are asserted
 * directly, so that a regenerated golden cannot hide a wrong value.
 */
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "harness.h"
#include "showpair.h"
#include "util/dbuf.h"

#define GOLDEN	     GVPN_SOURCE_DIR "/tests/unit/daemon/shows/rekey.refout"
#define GOLDEN_MCAST GVPN_SOURCE_DIR "/tests/unit/daemon/shows/rekey_mcast.refout"

struct world {
	struct showpair p;
	struct ctl_world gm_w, ks_w;
};

static struct world W;

#define MCAST 0xefc001beu /* 239.192.1.190 */

static int start(uint32_t mcast)
{
	memset(&W, 0, sizeof(W));
	showpair_start_mcast(&W.p, 20261206, false, mcast);
	showpair_worlds(&W.p, &W.gm_w, &W.ks_w);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return start(0);
}

static int setup_mcast(void **state)
{
	(void)state;
	return start(MCAST);
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

static struct gdoi_ks_group_info ks_info(void)
{
	struct gdoi_ks_group_info g;
	assert_int_equal(gdoi_ks_group_info(W.p.ks->ks, 0, sim_now(W.p.s), &g), 0);
	return g;
}

static struct gdoi_gm_group_info gm_info(void)
{
	struct gdoi_gm_group_info g;
	assert_int_equal(gdoi_gm_group_info(W.p.gm->gm, 0, sim_now(W.p.s), &g), 0);
	return g;
}

static bool rekey_over(void *arg)
{
	(void)arg;
	return !ks_info().rekey_active;
}

/* An exec command on the KS, then until its push is over (ACKed, the round ended). */
static void ks_exec(const char *cmd)
{
	unsigned st;
	const char *out = run(&W.ks_w, cmd, 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_string_equal(out, "");
	sim_node_touch(W.p.ks->node);
	assert_true(sim_run_until_cond(W.p.s, sim_now(W.p.s) + 60 * NS_PER_SEC, rekey_over, NULL));
}

static void test_rekey_now(void **state)
{
	(void)state;
	unsigned st;
	const char *out = run(&W.gm_w, "crypto gdoi ks rekey", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% This box is not a key server\n");
	out = run(&W.ks_w, "crypto gdoi ks group G9 rekey", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% Group G9 not found\n");
	/* nothing pushed yet: the registration's SEQ only */
	uint32_t seq0 = ks_info().seq;
	uint32_t spi0 = ks_info().tek[0].spi;
	assert_int_equal(ks_info().rekeys_sent, 0);
	assert_int_equal(gm_info().rekeys_received, 0);

	ks_exec("crypto gdoi ks rekey");
	struct gdoi_ks_group_info k = ks_info();
	assert_int_equal(k.seq, seq0 + 1);
	assert_int_equal(k.rekeys_sent, 1);
	assert_int_equal(k.rekey_acks, 1);
	assert_int_equal(k.n_teks, 2); /* the old TEK runs out briefly */
	struct gdoi_gm_group_info g = gm_info();
	assert_int_equal(g.rekeys_received, 1);
	assert_int_equal(g.acks_sent, 1);
	assert_int_equal(g.last_rekey_seq, seq0 + 1);
	assert_int_equal(g.last_rekey_from, SHOWPAIR_KS);

	ks_exec("cry gd ks group G1 rekey replace-now");
	k = ks_info();
	assert_int_equal(k.seq, seq0 + 2);
	assert_int_equal(k.rekeys_sent, 2);
	assert_int_equal(k.n_teks, 1); /* replace-now: the running ones left the policy */
	assert_true(k.tek[0].spi != spi0);
	assert_int_equal(gm_info().rekeys_received, 2);
	assert_int_equal(gm_info().last_rekey_seq, seq0 + 2);

	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(W.p.ks->ks, SHOWPAIR_GM, "G1", &m), 0);
	assert_int_equal(m.rekeys_sent, 2);
	assert_int_equal(m.acks_rcvd, 2);
	assert_int_equal(m.sent_seq[0], seq0 + 2);
	assert_int_equal(m.rcvd_seq[0], seq0 + 2);

	out = run(&W.ks_w, "show crypto gdoi ks rekey", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "Group G1 (Unicast)\n"));
	assert_non_null(strstr(out, "    Number of Rekeys sent               : 2\n"));
	out = run(&W.gm_w, "show crypto gdoi gm rekey", 0, &st);
	assert_non_null(strstr(out, "    Number of Rekeys received (cumulative) "));
	out = run(&W.gm_w, "show crypto gdoi gm", 0, &st);
	assert_non_null(strstr(out, "       Rekey Rcvd(hh:mm:ss)  : 00:00:0"));
	assert_non_null(strstr(out, "       Last rekey seq num    : 2\n"));
	out = run(&W.gm_w, "show crypto gdoi rekey sa", 0, &st);
	assert_non_null(strstr(out, "GETVPN REKEY SA\ndst             src             conn-id"
				    "         status\n10.1.13.2       10.1.11.2       "));
}

static const struct showpair_show shows[] = {
    /* KS */
    {&W.ks_w, "show crypto gdoi ks rekey"},
    {&W.ks_w, "show crypto gdoi ks members"},
    {&W.ks_w, "show crypto gdoi rekey sa"},
    /* GM */
    {&W.gm_w, "show crypto gdoi gm"},
    {&W.gm_w, "show crypto gdoi gm rekey"},
    {&W.gm_w, "show crypto gdoi gm rekey detail"},
    {&W.gm_w, "show crypto gdoi rekey sa"},
    {&W.gm_w, "show crypto gdoi rekey sa detail"},
};

static void test_golden(void **state)
{
	(void)state;
	showpair_golden(&W.p, GOLDEN, shows, sizeof(shows) / sizeof(shows[0]));
}

static void test_clear_members(void **state)
{
	(void)state;
	unsigned st;
	const char *out = run(&W.ks_w, "clear crypto gdoi ks members group G9", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% Group G9 not found\n");
	assert_int_equal(ks_info().n_members, 1);
	uint32_t spi = ks_info().tek[0].spi;
	uint32_t seq = ks_info().seq;

	out = run(&W.ks_w, "clear crypto gdoi ks members", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_string_equal(out, "");
	assert_int_equal(ks_info().n_members, 0);
	assert_int_equal(W.p.ks_log->count[DIAG_MSG_KS_CLEAR_REGISTER], 1);
	assert_int_equal(ks_info().tek[0].spi, spi); /* keys kept without `now` */
	out = run(&W.ks_w, "show crypto gdoi ks members", 0, &st);
	assert_string_equal(out, "Group Member Information :\n\n"
				 "Number of rekeys sent for group G1 : 2\n\n");
	out = run(&W.ks_w, "show crypto gdoi rekey sa", 0, &st);
	assert_string_equal(out, "GETVPN REKEY SA\ndst             src             conn-id         "
				 "status\n\n");

	/* the member is not told: it keeps its keys and registers again before they expire */
	assert_true(gm_info().registered);
	sim_node_touch(W.p.ks->node);
	sim_run_until(W.p.s, sim_now(W.p.s) + 4000 * NS_PER_SEC);
	assert_true(W.p.gm->registrations >= 2);
	assert_int_equal(ks_info().n_members, 1);

	/* `now`: cleared, and the TEKs replaced at once (nobody left to push to) */
	spi = ks_info().tek[0].spi;
	seq = ks_info().seq;
	out = run(&W.ks_w, "clear crypto gdoi ks members now", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_int_equal(ks_info().n_members, 0);
	assert_int_equal(ks_info().n_teks, 1);
	assert_true(ks_info().tek[0].spi != spi);
	assert_int_equal(ks_info().seq, seq); /* no push: no member */
}

/* `rekey transport multicast`: one copy per round to the group address, no ACKs. */
static const struct showpair_show mcast_shows[] = {
    {&W.ks_w, "show crypto gdoi ks rekey"},
    {&W.ks_w, "show crypto gdoi rekey sa"},
    {&W.gm_w, "show crypto gdoi gm rekey"},
    {&W.gm_w, "show crypto gdoi rekey sa detail"},
};

static void test_multicast(void **state)
{
	(void)state;
	uint32_t seq0 = ks_info().seq;
	ks_exec("crypto gdoi ks rekey");
	struct gdoi_ks_group_info k = ks_info();
	assert_true(k.multicast);
	assert_int_equal(k.rekeys_sent, 1);
	assert_int_equal(k.rekeys_retransmitted, k.retrans_count); /* always N rounds more */
	assert_int_equal(k.seq, seq0 + 1 + k.retrans_count);	   /* a new number per round */
	assert_int_equal(k.rekey_acks, 0);
	struct gdoi_gm_group_info g = gm_info();
	assert_true(g.multicast);
	assert_int_equal(g.kek_dst, MCAST);
	assert_int_equal(g.rekeys_received, 1 + k.retrans_count); /* each round is newer */
	assert_int_equal(g.acks_sent, 0);
	unsigned st;
	const char *out = run(&W.ks_w, "show crypto gdoi rekey sa", 0, &st);
	assert_non_null(strstr(out, "\n239.192.1.190   10.1.11.2       1               ACTIVE\n"));
	out = run(&W.gm_w, "show crypto gdoi gm rekey", 0, &st);
	assert_non_null(strstr(out, "Group G1 (Multicast)\n"));
	showpair_golden(&W.p, GOLDEN_MCAST, mcast_shows,
			sizeof(mcast_shows) / sizeof(mcast_shows[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_rekey_now),
	    TEST(test_golden),
	    TEST(test_clear_members),
	};
	const struct CMUnitTest mcast[] = {
	    TEST(test_multicast),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	return rc + cmocka_run_group_tests(mcast, setup_mcast, teardown);
}
