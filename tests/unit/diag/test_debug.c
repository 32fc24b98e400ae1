/* diag/debug: levels, conditional filters, no formatting when off, line formats. */
#include "test.h"

#include "capture.h"
#include "diag/debug.h"
#include "diag/log.h"
#include "util/dbuf.h"
#include "util/err.h"

#define PEER_A 0x0A011402u /* 10.1.20.2 */
#define PEER_B 0x0A011403u /* 10.1.20.3 */

static void test_levels_are_cumulative(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	const unsigned below_detail = DIAG_LVL_ERROR | DIAG_LVL_TERSE | DIAG_LVL_EVENT;

	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_DETAIL),
			 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY),
			 below_detail | DIAG_LVL_DETAIL);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_KS, DIAG_FEAT_REKEY), 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_REPLAY), 0);
	/* A lower level does not take away a higher one. */
	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_ERROR),
			 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY),
			 below_detail | DIAG_LVL_DETAIL);
	/* `no ... event` leaves what is below event. */
	assert_int_equal(diag_debug_gdoi_disable(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_EVENT),
			 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY),
			 DIAG_LVL_ERROR | DIAG_LVL_TERSE);
	assert_int_equal(diag_debug_gdoi_disable(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, 0), 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY), 0);

	/* all-features: COOP exists for the KS only. */
	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_GM, DIAG_FEAT_ALL, DIAG_LVL_ALL), 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_INFRA), DIAG_LVL_ALL);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_COOP), 0);
	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_GM, DIAG_FEAT_COOP, DIAG_LVL_ERROR),
			 ERR_INVAL);
	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_KS, DIAG_FEAT_COOP, DIAG_LVL_ALL), 0);
	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_KS, DIAG_FEAT_COOP, 3), ERR_INVAL);
	assert_int_equal(diag_debug_gdoi_enable(&d, 7, DIAG_FEAT_COOP, DIAG_LVL_ERROR), ERR_INVAL);

	/* debug crypto gdoi all-features <level>: both roles. */
	diag_debug_all_off(&d);
	assert_int_equal(diag_debug_gdoi_enable(&d, DIAG_ROLE_ALL, DIAG_FEAT_ALL, DIAG_LVL_TERSE),
			 0);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_KS, DIAG_FEAT_COOP),
			 DIAG_LVL_ERROR | DIAG_LVL_TERSE);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_GM, DIAG_FEAT_POLICY),
			 DIAG_LVL_ERROR | DIAG_LVL_TERSE);
	diag_debug_isakmp_set(&d, DIAG_IKE_EVENT | DIAG_IKE_ERROR, true);
	diag_debug_all_off(&d);
	assert_int_equal(diag_debug_gdoi_levels(&d, DIAG_ROLE_KS, DIAG_FEAT_COOP), 0);
	assert_int_equal(diag_debug_isakmp_levels(&d), 0);
	diag_free(&d);
}

static void test_enable_confirmation_text(void **state)
{
	(void)state;
	struct dbuf out = DBUF_INIT;
	assert_int_equal(
	    diag_debug_describe(&out, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_ALL), 0);
	assert_int_equal(
	    diag_debug_describe(&out, DIAG_ROLE_GM, DIAG_FEAT_REPLAY,
				DIAG_LVL_ERROR | DIAG_LVL_TERSE | DIAG_LVL_EVENT | DIAG_LVL_DETAIL),
	    0);
	assert_int_equal(diag_debug_describe(&out, DIAG_ROLE_KS, DIAG_FEAT_COOP, 0), 0);
	assert_string_equal(
	    dbuf_str(&out),
	    "GDOI Key Server Registration Debug level: (Packet, Detail, Event, Terse, Error)\n"
	    "GDOI Group Member Replay Debug level: (Detail, Event, Terse, Error)\n"
	    "GDOI Key Server COOP Debug level: (None)\n");
	assert_int_equal(diag_debug_describe(&out, DIAG_ROLE_GM, DIAG_FEAT_COOP, 1), ERR_INVAL);
	dbuf_free(&out);
}

static void test_keyword_names(void **state)
{
	(void)state;
	int f;
	unsigned l;
	assert_int_equal(diag_feature_find("infrastructure", &f), 0);
	assert_int_equal(f, DIAG_FEAT_INFRA);
	assert_int_equal(diag_feature_find("all-features", &f), 0);
	assert_int_equal(f, DIAG_FEAT_ALL);
	assert_int_equal(diag_feature_find("bogus", &f), ERR_NOTFOUND);
	assert_int_equal(diag_level_find("all-levels", &l), 0);
	assert_int_equal(l, DIAG_LVL_ALL);
	assert_int_equal(diag_level_find("packet", &l), 0);
	assert_int_equal(l, DIAG_LVL_PACKET);
	assert_int_equal(diag_level_find("verbose", &l), ERR_NOTFOUND);
	assert_string_equal(diag_feature_name(DIAG_FEAT_COOP), "coop");
	assert_string_equal(diag_level_name(DIAG_LVL_TERSE), "terse");
	assert_string_equal(diag_level_name(DIAG_LVL_ALL), "all-levels");
	assert_string_equal(diag_role_name(DIAG_ROLE_KS), "ks");
	assert_null(diag_level_name(3));
}

/* Table of filter cases: conditions set, message info, printed? */
static void test_conditions_are_ored_and_unmatched(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	diag_debug_gdoi_enable(&d, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_ALL);
#define ON(group, peer)                                                                            \
	diag_debug_on(&d, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, (group), (peer))

	/* 1. No condition: everything. */
	assert_true(ON(NULL, 0));
	assert_true(ON("G2", PEER_B));
	/* 2. unmatched alone filters nothing. */
	diag_debug_cond_set_unmatched(&d, true);
	assert_true(ON("G2", PEER_B));
	diag_debug_cond_set_unmatched(&d, false);

	/* 3. One peer condition. */
	assert_int_equal(diag_debug_cond_add_peer(&d, PEER_A), 0);
	assert_true(ON(NULL, PEER_A));
	assert_true(ON("G2", PEER_A));
	assert_false(ON(NULL, PEER_B));
	assert_false(ON("G1", 0)); /* no peer to test: unmatched */
	assert_false(ON(NULL, 0));
	/* 4. unmatched lets the untestable ones through, not the mismatching ones. */
	diag_debug_cond_set_unmatched(&d, true);
	assert_true(ON("G1", 0));
	assert_true(ON(NULL, 0));
	assert_false(ON(NULL, PEER_B));
	diag_debug_cond_set_unmatched(&d, false);

	/* 5. Peer OR group. */
	assert_int_equal(diag_debug_cond_add_group(&d, "G1"), 0);
	assert_true(ON("G1", 0));
	assert_true(ON("G1", PEER_B));
	assert_true(ON("G2", PEER_A));
	assert_false(ON("G2", PEER_B));
	assert_false(ON(NULL, 0));

	/* 6. Removing the peer condition leaves the group one. */
	assert_int_equal(diag_debug_cond_del_peer(&d, PEER_A), 0);
	assert_false(ON("G2", PEER_A));
	assert_true(ON("G1", PEER_A));
	assert_false(ON(NULL, PEER_A)); /* no group to test */

	/* 7. Level still decides first. */
	assert_false(
	    diag_debug_on(&d, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, "G1", 0));

	/* 8. The filters apply to ISAKMP debugs too. */
	diag_debug_isakmp_set(&d, DIAG_IKE_EVENT, true);
	assert_true(diag_debug_isakmp_on(&d, DIAG_IKE_EVENT, "G1", 0));
	assert_false(diag_debug_isakmp_on(&d, DIAG_IKE_EVENT, NULL, PEER_B));
	assert_false(diag_debug_isakmp_on(&d, DIAG_IKE_PACKET, "G1", 0));

	diag_debug_cond_clear(&d);
	assert_true(ON(NULL, 0));
#undef ON
	diag_free(&d);
}

static void test_condition_bookkeeping(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	assert_int_equal(diag_debug_cond_add_peer(&d, PEER_A), 0);
	assert_string_equal(diag_debug_cond_reply(true, 0), "% GDOI Debug Condition added.");
	assert_int_equal(diag_debug_cond_add_peer(&d, PEER_A), ERR_EXISTS);
	assert_int_equal(diag_debug_cond_add_peer(&d, 0), ERR_INVAL);
	assert_int_equal(diag_debug_cond_add_group(&d, ""), ERR_INVAL);
	char longname[DIAG_NAME_MAX + 1];
	memset(longname, 'g', DIAG_NAME_MAX);
	longname[DIAG_NAME_MAX] = '\0';
	assert_int_equal(diag_debug_cond_add_group(&d, longname), ERR_INVAL);
	assert_int_equal(diag_debug_cond_add_group(&d, "G1"), 0);
	assert_int_equal(diag_debug_cond_del_group(&d, "G9"), ERR_NOTFOUND);
	assert_string_equal(diag_debug_cond_reply(false, ERR_NOTFOUND),
			    "% GDOI Debug Condition not found.");

	struct diag_cond list[DIAG_COND_MAX];
	bool unmatched = true;
	assert_int_equal(diag_debug_cond_list(&d, list, DIAG_COND_MAX, &unmatched), 2);
	assert_false(unmatched);
	assert_int_equal(list[0].type, DIAG_COND_PEER);
	assert_int_equal(list[0].peer, PEER_A);
	assert_int_equal(list[1].type, DIAG_COND_GROUP);
	assert_string_equal(list[1].group, "G1");

	for (uint32_t i = 2; i < DIAG_COND_MAX; i++)
		assert_int_equal(diag_debug_cond_add_peer(&d, PEER_A + i), 0);
	assert_int_equal(diag_debug_cond_add_peer(&d, 1), ERR_LIMIT);
	diag_free(&d);
}

static int calls;

static const char *costly(void)
{
	calls++;
	return "decoded";
}

static void test_nothing_is_formatted_when_off(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	calls = 0;
	DIAG_DEBUG(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_PACKET, 1, "G1", PEER_A, "%s",
		   costly());
	diag_debug_gdoi_enable(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_DETAIL);
	DIAG_DEBUG(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_PACKET, 1, "G1", PEER_A, "%s",
		   costly());
	diag_debug_cond_add_peer(&d, PEER_B);
	DIAG_DEBUG(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_DETAIL, 1, "G1", PEER_A, "%s",
		   costly());
	DIAG_DEBUG_ISAKMP(&d, DIAG_IKE_DETAIL, 7, NULL, PEER_B, "%s", costly());
	assert_int_equal(calls, 0);
	assert_int_equal(c.n, 0);
	DIAG_DEBUG(&d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_DETAIL, 1, "G1", PEER_B, "%s",
		   costly());
	assert_int_equal(calls, 1);
	assert_int_equal(c.n, 1);
	diag_free(&d);
}

static void test_debug_line_formats(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	diag_debug_gdoi_enable(&d, DIAG_ROLE_GM, DIAG_FEAT_REPLAY, DIAG_LVL_DETAIL);
	DIAG_DEBUG(
	    &d, DIAG_ROLE_GM, DIAG_FEAT_REPLAY, DIAG_LVL_DETAIL, 0, "G1", 0,
	    "my_pseudotime is %.2f (secs), peer_pseudotime is %.2f (secs), replay_window is %u "
	    "(secs), src_addr = %s, dest_addr = %s",
	    621602.30, 621561.14, 4u, "192.168.14.2", "192.168.13.2");
	/* The seed's debug line. */
	assert_string_equal(
	    capture_last(&c),
	    "GDOI:GM REPLAY:DET:(0):my_pseudotime is 621602.30 (secs), peer_pseudotime "
	    "is 621561.14 (secs), replay_window is 4 (secs), src_addr = 192.168.14.2, "
	    "dest_addr = 192.168.13.2");
	assert_int_equal(c.id[0], DIAG_MSG_DEBUG);
	assert_int_equal(c.sev[0], 7);

	diag_debug_gdoi_enable(&d, DIAG_ROLE_KS, DIAG_FEAT_COOP, DIAG_LVL_ALL);
	static const struct {
		unsigned lvl;
		const char *want;
	} lv[] = {
	    {DIAG_LVL_ERROR, "GDOI:KS COOP:ERR:(2147483650):x"},
	    {DIAG_LVL_TERSE, "GDOI:KS COOP:TER:(2147483650):x"},
	    {DIAG_LVL_EVENT, "GDOI:KS COOP:EVT:(2147483650):x"},
	    {DIAG_LVL_DETAIL, "GDOI:KS COOP:DET:(2147483650):x"},
	    {DIAG_LVL_PACKET, "GDOI:KS COOP:PAK:(2147483650):x"},
	};
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		DIAG_DEBUG(&d, DIAG_ROLE_KS, DIAG_FEAT_COOP, lv[i].lvl, 2147483650u, "G1", 0, "x");
		assert_string_equal(capture_last(&c), lv[i].want);
	}

	diag_debug_isakmp_set(&d, DIAG_IKE_EVENT | DIAG_IKE_ERROR | DIAG_IKE_PACKET, true);
	DIAG_DEBUG_ISAKMP(&d, DIAG_IKE_ERROR, 82124, NULL, 0,
			  "GDOI processing Failed: Deleting node");
	assert_string_equal(capture_last(&c),
			    "ISAKMP-ERROR: (82124):GDOI processing Failed: Deleting node");
	DIAG_DEBUG_ISAKMP(&d, DIAG_IKE_EVENT, 82124, NULL, 0, "Old State = %s New State = %s",
			  "IKE_KS_LISTEN", "IKE_KS_GET_SA_POLICY_AWAIT");
	assert_string_equal(
	    capture_last(&c),
	    "ISAKMP: (82124):Old State = IKE_KS_LISTEN New State = IKE_KS_GET_SA_POLICY_AWAIT");
	diag_debug_ipsec_set(&d, DIAG_IPSEC_STATES, true);
	DIAG_DEBUG_IPSEC(&d, DIAG_IPSEC_STATES, 1, "G1", 0, "sa created");
	assert_string_equal(capture_last(&c), "IPSEC-STATES: (1):sa created");
	assert_int_equal(diag_debug_ipsec_levels(&d), DIAG_IPSEC_STATES);

	/* Debug lines land in the buffer with their stamp. */
	struct diag_log_stats st;
	diag_log_get_stats(&d, &st);
	assert_int_equal(st.debug_lines, 9);
	assert_int_equal(st.messages, 0);
	assert_int_equal(st.buffer_lines, 9);
	diag_free(&d);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_levels_are_cumulative),
		TEST(test_enable_confirmation_text),
		TEST(test_keyword_names),
		TEST(test_conditions_are_ored_and_unmatched),
		TEST(test_condition_bookkeeping),
		TEST(test_nothing_is_formatted_when_off),
		TEST(test_debug_line_formats),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
