/*
 * diag/catalog: every message of behavior-reference §3 is present with its
 * facility and severity, and the messages the seed documents print come
 * out character for character.
 */
#include "test.h"

#include <strings.h>

#include "capture.h"
#include "diag/catalog.h"
#include "diag/log.h"

struct expect {
	enum diag_facility fac;
	int sev;
	const char *mnemonic;
};

/* behavior-reference §3.1-3.4, in its order, plus the gvpn additions. */
static const struct expect reference[] = {
    /* §3.1 group member */
    {DIAG_FAC_CRYPTO, 5, "GM_REGSTER"},
    {DIAG_FAC_CRYPTO, 6, "GDOI_ON_OFF"},
    {DIAG_FAC_GDOI, 5, "GM_CM_ATTACH"},
    {DIAG_FAC_GDOI, 5, "GM_CM_DETACH"},
    {DIAG_FAC_GDOI, 5, "GM_REKEY_TRANS_2_UNI"},
    {DIAG_FAC_GDOI, 5, "GM_REKEY_TRANS_2_MULTI"},
    {DIAG_FAC_GDOI, 5, "SA_KEK_UPDATED"},
    {DIAG_FAC_GDOI, 5, "SA_TEK_UPDATED"},
    {DIAG_FAC_GDOI, 5, "GM_REGS_COMPL"},
    {DIAG_FAC_GDOI, 5, "GM_INSTALL_POLICIES_SUCCESS"},
    {DIAG_FAC_GDOI, 5, "GM_RECV_REKEY"},
    {DIAG_FAC_GDOI, 5, "GM_RECV_DELETE"},
    {DIAG_FAC_GDOI, 4, "GM_RE_REGISTER"},
    {DIAG_FAC_GDOI, 5, "GM_CLEAR_REGISTER"},
    {DIAG_FAC_GDOI, 5, "GM_UNREGISTER"},
    {DIAG_FAC_GDOI, 5, "GM_ACL_MERGE"},
    {DIAG_FAC_GDOI, 3, "GM_INCOMPLETE_CFG"},
    {DIAG_FAC_GDOI, 3, "GM_REJECTING_SA_PAYLOAD"},
    {DIAG_FAC_GDOI, 4, "GM_HASH_FAIL"},
    {DIAG_FAC_GDOI, 3, "GDOI_REKEY_SEQ_FAILURE"},
    {DIAG_FAC_GDOI, 3, "GDOI_REKEY_FAILURE"},
    {DIAG_FAC_CRYPTO, 6, "IKMP_MODE_FAILURE"},
    {DIAG_FAC_GDOI, 4, "GM_RECOVERY_REGISTRATION"},
    {DIAG_FAC_GDOI, 4, "PSEUDO_TIME_LARGE"},
    {DIAG_FAC_GDOI, 4, "REPLAY_FAILED"},
    {DIAG_FAC_GDOI, 4, "TIMEBASED_REPLAY_FAILED"},
    {DIAG_FAC_CRYPTO, 4, "PKT_REPLAY_ERR"},
    {DIAG_FAC_CRYPTO, 4, "RECVD_PKT_INV_SPI"},
    {DIAG_FAC_CRYPTO, 4, "RECVD_PKT_NOT_IPSEC"},
    {DIAG_FAC_CRYPTO, 4, "RECVD_PKT_MAC_ERR"},
    /* §3.2 key server */
    {DIAG_FAC_GDOI, 5, "KS_REGS_COMPL"},
    {DIAG_FAC_GDOI, 5, "KS_FIRST_GM"},
    {DIAG_FAC_GDOI, 6, "KS_LAST_GM"},
    {DIAG_FAC_GDOI, 5, "KS_SEND_UNICAST_REKEY"},
    {DIAG_FAC_GDOI, 5, "KS_SEND_MCAST_REKEY"},
    {DIAG_FAC_GDOI, 5, "KS_REKEY_TRANS_2_UNI"},
    {DIAG_FAC_GDOI, 5, "KS_REKEY_TRANS_2_MULTI"},
    {DIAG_FAC_GDOI, 4, "KS_NACK_GM_EJECT"},
    {DIAG_FAC_GDOI, 5, "KS_UNSOL_ACK"},
    {DIAG_FAC_GDOI, 5, "KS_GM_REVOKED"},
    {DIAG_FAC_GDOI, 5, "KS_CLEAR_REGISTER"},
    {DIAG_FAC_GDOI, 5, "KS_CONV_SAS_DUPLEX"},
    {DIAG_FAC_GDOI, 5, "KS_CONV_SAS_INGRESS"},
    {DIAG_FAC_GDOI, 1, "KS_NO_RSA_KEYS"},
    {DIAG_FAC_GDOI, 4, "KS_HASH_FAIL"},
    {DIAG_FAC_GDOI, 3, "KS_BAD_ID"},
    {DIAG_FAC_GDOI, 3, "KS_UNAUTHORIZED"},
    {DIAG_FAC_GDOI, 1, "UNAUTHORIZED_IPADDR"},
    {DIAG_FAC_GDOI, 1, "UNAUTHORIZED_IDENTITY"},
    {DIAG_FAC_GDOI, 4, "REJECT_GM_VERSION_REGISTER"},
    {DIAG_FAC_GDOI, 5, "KS_STATE_RESTORED"},
    /* §3.3 COOP */
    {DIAG_FAC_GDOI, 5, "COOP_KS_ELECTION"},
    {DIAG_FAC_GDOI, 5, "COOP_KS_TRANS_TO_PRI"},
    {DIAG_FAC_GDOI, 5, "COOP_KS_ADD"},
    {DIAG_FAC_GDOI, 5, "COOP_KS_REMOVE"},
    {DIAG_FAC_GDOI, 3, "COOP_KS_UNREACH"},
    {DIAG_FAC_GDOI, 5, "COOP_KS_REACH"},
    {DIAG_FAC_GDOI, 3, "COOP_CONFIG_MISMATCH"},
    {DIAG_FAC_GDOI, 3, "COOP_KS_UNAUTH"},
    {DIAG_FAC_GDOI, 3, "COOP_KS_VER_MISMATCH"},
    {DIAG_FAC_GDOI, 4, "COOP_SPLIT_DETECTED"},
    {DIAG_FAC_GDOI, 4, "COOP_PACKET_DROPPED"},
    /* §3.4 IKE and IKEv2 */
    {DIAG_FAC_IKEV2, 5, "SA_UP"},
    {DIAG_FAC_IKEV2, 5, "SA_DOWN"},
    {DIAG_FAC_IKEV2, 4, "NO_PROPOSAL_CHOSEN"},
    {DIAG_FAC_CRYPTO, 4, "IKMP_AUTH_FAIL"},
    {DIAG_FAC_CRYPTO, 4, "IKMP_NO_PROPOSAL"},
    {DIAG_FAC_CRYPTO, 4, "IKMP_RETRANS_EXHAUSTED"},
    {DIAG_FAC_CRYPTO, 4, "IKMP_BAD_MESSAGE"},
    /* gvpn additions */
    {DIAG_FAC_GDOI, 3, "KS_STATE_CORRUPT"},
    {DIAG_FAC_GDOI, 3, "KS_SID_EXHAUSTED"},
    {DIAG_FAC_GDOI, 4, "GM_NO_SID"},
};

static void test_every_reference_message_is_catalogued(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reference) / sizeof(reference[0]); i++) {
		const struct diag_msg_def *m = diag_catalog_find(reference[i].mnemonic);
		if (!m)
			fail_msg("%s missing", reference[i].mnemonic);
		assert_string_equal(m->mnemonic, reference[i].mnemonic);
		assert_int_equal(m->facility, reference[i].fac);
		assert_int_equal(m->severity, reference[i].sev);
		assert_ptr_equal(diag_catalog_get(m->id), m);
	}
	assert_int_equal(diag_catalog_count(), sizeof(reference) / sizeof(reference[0]));
}

static void test_entries_are_complete_and_unique(void **state)
{
	(void)state;
	size_t n = diag_catalog_count();
	assert_int_equal(n, DIAG_MSG_COUNT);
	for (size_t i = 0; i < n; i++) {
		const struct diag_msg_def *m = diag_catalog_get((enum diag_msg_id)i);
		assert_non_null(m);
		assert_int_equal(m->id, i);
		assert_true(m->severity <= 7);
		assert_true(strlen(m->format) > 0);
		assert_true(strlen(m->explanation) > 10);
		assert_true(strlen(m->action) > 3);
		for (size_t k = 0; k < i; k++)
			assert_true(strcasecmp(m->mnemonic,
					       diag_catalog_get((enum diag_msg_id)k)->mnemonic));
	}
	assert_null(diag_catalog_get(DIAG_MSG_COUNT));
	assert_null(diag_catalog_find("NO_SUCH_MESSAGE"));
	assert_ptr_equal(diag_catalog_find("gm_recv_rekey"),
			 diag_catalog_get(DIAG_MSG_GM_RECV_REKEY));
	assert_string_equal(diag_facility_name(DIAG_FAC_IKEV2), "IKEV2");
}

static void test_data_plane_messages_are_rate_limited(void **state)
{
	(void)state;
	static const enum diag_msg_id dp[] = {
	    DIAG_MSG_PKT_REPLAY_ERR,	      DIAG_MSG_RECVD_PKT_INV_SPI,
	    DIAG_MSG_RECVD_PKT_NOT_IPSEC,     DIAG_MSG_RECVD_PKT_MAC_ERR,
	    DIAG_MSG_TIMEBASED_REPLAY_FAILED,
	};
	for (size_t i = 0; i < sizeof(dp) / sizeof(dp[0]); i++)
		assert_true(diag_catalog_get(dp[i])->flags & DIAG_MF_RATELIMIT);
	assert_false(diag_catalog_get(DIAG_MSG_GM_REGS_COMPL)->flags & DIAG_MF_RATELIMIT);
}

/* The seed guide's messages (Japanese copy, seed 003), joined where the PDF broke lines. */
static void test_seed_messages_exact_text(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);

#define SEED(want, ...)                                                                            \
	do {                                                                                       \
		diag_log(&d, __VA_ARGS__);                                                         \
		assert_string_equal(capture_last(&c), want);                                       \
	} while (0)

	SEED("%GDOI-5-GM_REKEY_TRANS_2_UNI: Group G1 transitioned to Unicast Rekey.",
	     DIAG_MSG_GM_REKEY_TRANS_2_UNI, "G1");
	SEED("%GDOI-5-GM_REGS_COMPL: Registration to KS 10.1.12.2 complete for group G1 using "
	     "address 10.1.13.2",
	     DIAG_MSG_GM_REGS_COMPL, "10.1.12.2", "G1", "10.1.13.2");
	SEED(
	    "%GDOI-5-GM_INSTALL_POLICIES_SUCCESS: SUCCESS: Installation of Reg/Rekey policies from "
	    "KS 10.1.12.2 for group G1 & gm identity 10.1.13.2",
	    DIAG_MSG_GM_INSTALL_POLICIES_SUCCESS, "10.1.12.2", "G1", "10.1.13.2");
	SEED("%GDOI-5-KS_SEND_UNICAST_REKEY: Sending Unicast Rekey for group G1 from address "
	     "10.1.11.2 with seq # 11",
	     DIAG_MSG_KS_SEND_UNICAST_REKEY, "G1", "10.1.11.2", 11);
	SEED("%GDOI-5-GM_RECV_REKEY: Received Rekey for group G1 from 10.1.11.2 to 10.1.20.2 with "
	     "seq # 11",
	     DIAG_MSG_GM_RECV_REKEY, "G1", "10.1.11.2", "10.1.20.2", 11);
	SEED("%GDOI-1-KS_NO_RSA_KEYS: RSA Key - get : Not found, Required for group G1",
	     DIAG_MSG_KS_NO_RSA_KEYS, "get", "G1");
	SEED("%GDOI-4-GM_RE_REGISTER: The IPSec SA created for group G1 may have expired/been "
	     "cleared, or didn't go through. Re-register to KS.",
	     DIAG_MSG_GM_RE_REGISTER, "G1");
	SEED("%GDOI-5-KS_SEND_MCAST_REKEY: Sending Multicast Rekey for group G1 from address "
	     "10.1.11.2 to 226.1.1.1 with seq # 6",
	     DIAG_MSG_KS_SEND_MCAST_REKEY, "G1", "10.1.11.2", "226.1.1.1", 6);
	SEED("%GDOI-3-GDOI_REKEY_SEQ_FAILURE: Failed to process rekey seq # 1 in seq payload for "
	     "group G1, last seq # 11",
	     DIAG_MSG_GDOI_REKEY_SEQ_FAILURE, 1, "G1", 11);
	SEED("%GDOI-3-GDOI_REKEY_FAILURE: Processing of REKEY payloads failed on GM 10.1.13.2 in "
	     "the "
	     "group G1, with peer at 10.1.11.2",
	     DIAG_MSG_GDOI_REKEY_FAILURE, "10.1.13.2", "G1", "10.1.11.2");
	SEED("%CRYPTO-6-IKMP_MODE_FAILURE: Processing of GDOI mode failed with peer at 10.1.11.2",
	     DIAG_MSG_IKMP_MODE_FAILURE, "10.1.11.2");
	SEED("%GDOI-3-COOP_CONFIG_MISMATCH: WARNNING: replay method configuration between Primary "
	     "KS and Secondary KS are mismatched",
	     DIAG_MSG_COOP_CONFIG_MISMATCH, "replay method");
	SEED("%CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed connection id=13, sequence "
	     "number=1",
	     DIAG_MSG_PKT_REPLAY_ERR, 13, 1);
	SEED("%GDOI-4-TIMEBASED_REPLAY_FAILED: An anti replay check has failed in group G1: "
	     "my_pseudotime = 620051.84 secs, peer_pseudotime = 619767.09 secs, replay_window = 4 "
	     "(sec), src_ip = 192.168.13.2, dst_ip = 192.168.14.2",
	     DIAG_MSG_TIMEBASED_REPLAY_FAILED, "G1", 620051.84, 619767.09, 4, "192.168.13.2",
	     "192.168.14.2");
	SEED("%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC packet. (ip) vrf/dest_addr= "
	     "/192.168.14.2, src_addr= 192.168.13.2, prot= 50",
	     DIAG_MSG_RECVD_PKT_NOT_IPSEC, "", "192.168.14.2", "192.168.13.2", 50);
	/* Seed 003. */
	SEED("%GDOI-4-REJECT_GM_VERSION_REGISTER: Reject registration of GM 10.40.10.10(ver "
	     "0x1000001) in group MYGETVPN as it cannot support these GETVPN features enabled: "
	     "Long-SA",
	     DIAG_MSG_REJECT_GM_VERSION_REGISTER, "10.40.10.10", 0x1000001, "MYGETVPN", "Long-SA");
#undef SEED

	/* IOS prints no fields here; gvpn appends them after the IOS text. */
	diag_log(&d, DIAG_MSG_SA_KEK_UPDATED, "G1", "0x18864836BA888BCD1126671EEAFEB4C7");
	assert_memory_equal(capture_last(&c), "%GDOI-5-SA_KEK_UPDATED: SA KEK was updated", 41);
	diag_log(&d, DIAG_MSG_SA_TEK_UPDATED, "G1", 0x91E3985A);
	assert_string_equal(
	    capture_last(&c),
	    "%GDOI-5-SA_TEK_UPDATED: SA TEK was updated (group G1, spi 0x91E3985A)");
	diag_free(&d);
}

static void test_hook_gets_id_severity_and_text(void **state)
{
	(void)state;
	struct diag d;
	struct clock clk;
	static struct capture c;
	capture_setup(&d, &clk, &c);
	diag_log(&d, DIAG_MSG_KS_STATE_CORRUPT, "G1", "/var/lib/gvpn/G1.state", "bad MAC",
		 "/var/lib/gvpn/G1.state.corrupt");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.id[0], DIAG_MSG_KS_STATE_CORRUPT);
	assert_int_equal(c.sev[0], 3);
	assert_string_equal(c.text[0],
			    "Group G1: key server state file /var/lib/gvpn/G1.state is "
			    "corrupt (bad MAC), moved to /var/lib/gvpn/G1.state.corrupt; "
			    "starting with new keys");
	diag_free(&d);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_every_reference_message_is_catalogued),
		TEST(test_entries_are_complete_and_unique),
		TEST(test_data_plane_messages_are_rate_limited),
		TEST(test_seed_messages_exact_text),
		TEST(test_hook_gets_id_severity_and_text),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
