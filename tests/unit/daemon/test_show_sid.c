/*
 * The sender-ID shows on real engine state: a KS and a GM of an AES-GCM-128
 * group register in the simulator (seeded), then `show crypto gdoi gm
 * identifier [detail]`, `show crypto gdoi ks identifier [detail]` and the
 * member block of `show crypto gdoi ks members` run through ctl_run() in
 * text and JSON. The outputs must equal shows/sid.refout
 * (GVPN_UPDATE_GOLDEN=1 rewrites it; review the diff); the facts that
 * matter are also asserted directly.
 */
#include "harness.h"
#include "showpair.h"

#define GOLDEN GVPN_SOURCE_DIR "/tests/unit/daemon/shows/sid.refout"

struct world {
	struct showpair p;
	struct ctl_world gm_w, ks_w;
};

static struct world W;

static int setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	static const struct gdoi_transform gcm = {GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE};
	showpair_start_xf(&W.p, 20261206, &gcm);
	showpair_worlds(&W.p, &W.gm_w, &W.ks_w);
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

static void test_facts(void **state)
{
	(void)state;
	unsigned st;
	const char *out = run(&W.gm_w, "show crypto gdoi gm identifier", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, "Transform mode"));
	assert_non_null(strstr(out, ": counter mode (AES-GCM)"));
	assert_non_null(strstr(out, "    Sender ID bits    : 16\n"));
	assert_non_null(strstr(out, "    Sender IDs in use : 1\n"));
	out = run(&W.gm_w, "show crypto gdoi gm identifier detail", 0, &st);
	assert_non_null(strstr(out, ": send and receive with the SID\n"));
	out = run(&W.ks_w, "show crypto gdoi ks identifier detail", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_non_null(strstr(out, ": 2\n"));		     /* next sender ID */
	assert_non_null(strstr(out, "10.1.13.2         1")); /* the member's SID */
	out = run(&W.ks_w, "show crypto gdoi ks members", 0, &st);
	assert_non_null(strstr(out, "Sender ID"));
	out = run(&W.ks_w, "show crypto gdoi gm identifier", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% This box is not a group member\n");
	out = run(&W.gm_w, "show crypto gdoi ks identifier", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% This box is not a key server\n");
}

static const struct showpair_show shows[] = {
    {&W.gm_w, "show crypto gdoi gm identifier"},
    {&W.gm_w, "show crypto gdoi gm identifier detail"},
    {&W.ks_w, "show crypto gdoi ks identifier"},
    {&W.ks_w, "show crypto gdoi ks identifier detail"},
    {&W.ks_w, "show crypto gdoi ks members 10.1.13.2"},
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
