/*
 * Registration behaviour in the simulator (deterministic from a seed, which
 * is printed; set GVPN_SEED to replay another):
 *  - one KS and 1,000 members under 10 % loss on every link all register
 *    within a bound, and the KS holds well under 4 KiB per member;
 *  - a wrong pre-shared key fails on both sides, each logging why;
 *  - a member outside `authorization address` gets no keys;
 *  - with the first server down, members register with the second;
 *  - `clear crypto gdoi` makes a member register again;
 *  - re-registration before the TEK expires leaves no moment without a TEK;
 *  - a plain RFC 6407 member gets only the permit lines it can express;
 *  - a KS without its RSA key still registers members (KS_NO_RSA_KEYS).
 */
#include "test_registration_lib.h"

#define IP_KS1 0x0a010b02u /* 10.1.11.2 */
#define IP_KS2 0x0a010c02u /* 10.1.12.2 */
#define IP_GM  0x0a010d02u /* 10.1.13.2 */
#define N_BIG  1000

static uint64_t seed(void)
{
	const char *s = getenv("GVPN_SEED");
	uint64_t v = s ? strtoull(s, NULL, 0) : 20261122;
	printf("# seed %llu (GVPN_SEED to replay another)\n", (unsigned long long)v);
	return v;
}

/* ---- 1,000 members, 10 % loss ---- */

struct big {
	struct h_gm *gm[N_BIG];
};

static bool all_registered(void *arg)
{
	struct big *b = arg;
	for (size_t i = 0; i < N_BIG; i++)
		if (!b->gm[i]->registrations)
			return false;
	return true;
}

/*
 * Bound. Each of the 5 request/response round trips of a registration
 * (3 Main Mode, 2 pull) succeeds with p = 0.9^2 = 0.81; the initiator
 * retransmits after 1, 2, 4, 8 s, so a round trip is lost for good only
 * when 5 tries fail: 0.19^5 = 2.5e-4, i.e. an attempt fails with about
 * 1.2e-3. Such a member waits for the 30 s attempt timeout and the 10 s
 * back-off, then succeeds with the same odds: a second failure among
 * 1,000 members has probability 1000 * (1.2e-3)^2 = 1.5e-3. Two attempts
 * with the back-off take at most 30 + 10 + 30 = 70 s; round trips of up
 * to 40 ms add nothing that matters. 75 s it is.
 */
#define BIG_BOUND_NS (75 * NS_PER_SEC)

static void test_thousand_members_register_under_loss(void **state)
{
	(void)state;
	struct sim_link link = {
	    .loss = 0.10, .delay_min_ns = NS_PER_MS, .delay_max_ns = 20 * NS_PER_MS};
	struct sim *s = sim_new(seed(), 0, &link);
	struct h_log *ks_log = h_log_new(s, false), *gm_log = h_log_new(s, false);
	struct h_ks_setup ks_setup;
	h_ks_setup(&ks_setup, IP_KS1, "big-psk", &h_rsa);
	struct h_ks *ks = h_ks_new(s, &ks_setup, &ks_log->d);
	static struct big b;
	uint32_t servers[] = {IP_KS1};
	for (size_t i = 0; i < N_BIG; i++) {
		struct h_gm_setup g;
		h_gm_setup(&g, 0x0a020000u + 1u + (uint32_t)i, "big-psk", servers, 1);
		b.gm[i] = h_gm_new(s, &g, &gm_log->d, 0);
	}
	assert_true(sim_run_until_cond(s, BIG_BOUND_NS, all_registered, &b));
	uint64_t last = 0, failures = 0;
	for (size_t i = 0; i < N_BIG; i++) {
		last = MAX(last, b.gm[i]->registered_at);
		failures += b.gm[i]->failures;
		assert_true(h_gm_can_send(b.gm[i], sim_now(s)));
	}
	const struct sim_stats *st = sim_stats(s);
	printf(
	    "# %d members registered by %.3f s; %llu failed attempts; %llu datagrams, %llu lost\n",
	    N_BIG, (double)last / 1e9, (unsigned long long)failures, (unsigned long long)st->sent,
	    (unsigned long long)st->lost);
	assert_true(st->lost > st->sent / 20);		       /* the loss really happened */
	assert_true(gdoi_ks_ike(ks->ks)->st.dup_answered > 0); /* retransmissions from cache */
	assert_int_equal(ks_log->count[DIAG_MSG_KS_REGS_COMPL], ks->registered);
	assert_int_equal(gm_log->count[DIAG_MSG_GM_REGS_COMPL], N_BIG);

	/* After the grace and dead-SA periods only the member records and SAs remain. */
	sim_run_until(s, sim_now(s) + 120 * NS_PER_SEC);
	struct gdoi_ks_mem m;
	gdoi_ks_mem(ks->ks, &m);
	size_t per = (m.member_bytes * m.members + m.sa_bytes + m.chain_bytes) / m.members;
	printf("# KS memory: member record %zu B, %zu SAs holding %zu B, %zu B per member\n",
	       m.member_bytes, m.sas, m.sa_bytes, per);
	assert_int_equal(m.members, N_BIG);
	/*
	 * One SA per member, plus those of failed attempts whose Delete from
	 * the GM was lost: they stay until their lifetime ends.
	 */
	assert_in_range(m.sas, N_BIG, N_BIG + failures);
	assert_int_equal(m.sas_handshake, 0);
	assert_int_equal(m.sas_chains, 0);
	assert_int_equal(m.pulls, 0);
	assert_true(per < 1024);
	for (size_t i = 0; i < N_BIG; i++)
		h_gm_free(b.gm[i]);
	h_ks_free(ks);
	h_log_free(ks_log);
	h_log_free(gm_log);
	sim_free(s);
}

/* ---- small worlds: one KS (or two) and one GM, no loss ---- */

struct small {
	struct sim *s;
	struct h_log *ks_log, *gm_log;
	struct h_ks *ks, *ks2;
	struct h_gm *gm;
};

static void small_down(struct small *w)
{
	h_gm_free(w->gm);
	h_ks_free(w->ks);
	if (w->ks2)
		h_ks_free(w->ks2);
	h_log_free(w->ks_log);
	h_log_free(w->gm_log);
	sim_free(w->s);
}

static void small_up(struct small *w, struct h_ks_setup *ks, struct h_gm_setup *gm)
{
	memset(w, 0, sizeof(*w));
	w->s = sim_new(seed(), 0, NULL);
	w->ks_log = h_log_new(w->s, true);
	w->gm_log = h_log_new(w->s, true);
	w->ks = h_ks_new(w->s, ks, &w->ks_log->d);
	w->gm = h_gm_new(w->s, gm, &w->gm_log->d, 0);
}

/* The usual pair: KS1 serving G1, a member with KS1 as its only server, one PSK. */
struct pair_cfg {
	struct h_ks_setup ks;
	struct h_gm_setup gm;
};

static void pair_cfg(struct pair_cfg *c)
{
	uint32_t servers[] = {IP_KS1};
	h_ks_setup(&c->ks, IP_KS1, "psk", &h_rsa);
	h_gm_setup(&c->gm, IP_GM, "psk", servers, 1);
}

static void test_wrong_psk_fails_on_both_sides(void **state)
{
	(void)state;
	struct small w;
	struct h_ks_setup ks;
	struct h_gm_setup gm;
	uint32_t servers[] = {IP_KS1};
	h_ks_setup(&ks, IP_KS1, "the-right-key", &h_rsa);
	h_gm_setup(&gm, IP_GM, "a-wrong-key", servers, 1);
	small_up(&w, &ks, &gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	/* KS: MM5 does not decrypt with the key it derived. */
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_IKMP_AUTH_FAIL,
		     "IKE phase 1 with 10.1.13.2 failed: authentication failed (MM5 does not "
		     "decrypt (pre-shared key mismatch?))");
	/* GM: the KS said AUTHENTICATION-FAILED. */
	at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_IKMP_AUTH_FAIL,
		     "IKE phase 1 with 10.1.11.2 failed: authentication failed (error notify from "
		     "the peer)");
	struct gdoi_gm_group_info gi;
	assert_int_equal(gdoi_gm_group_info(w.gm->gm, 0, sim_now(w.s), &gi), 0);
	assert_string_equal(gi.status, "Registering");
	assert_int_equal(gi.succeeded, 0);
	assert_int_equal(gi.attempted, 1);
	assert_true(gi.reregister_in_sec > 0 && gi.reregister_in_sec <= 10); /* back-off */
	assert_int_equal(w.gm->installs, 0);
	assert_int_equal(w.ks->registered, 0);
	/* It keeps trying: 10 s, then 20 s later. */
	sim_run_until(w.s, 40 * NS_PER_SEC);
	assert_int_equal(gdoi_gm_group_info(w.gm->gm, 0, sim_now(w.s), &gi), 0);
	assert_int_equal(gi.attempted, 3);
	assert_int_equal(w.ks_log->count[DIAG_MSG_IKMP_AUTH_FAIL], 3);
	small_down(&w);
}

static void test_unauthorized_member_gets_no_keys(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	/* authorization address ipv4 GM-LIST: permit 10.1.14.0 0.0.0.255 */
	c.ks.auth[0] = (struct gdoi_std_acl_entry){true, 0x0a010e00u, 0xffu};
	c.ks.group.authorize = true;
	c.ks.group.auth = c.ks.auth;
	c.ks.group.n_auth = 1;
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_UNAUTHORIZED_IPADDR,
		     "Registration of GM 10.1.13.2 in group G1 dropped: address not authorized");
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_UNAUTHORIZED,
		     "Unauthorized GM 10.1.13.2 tried to register in group G1");
	at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_IKMP_MODE_FAILURE,
		     "Processing of GDOI mode failed with peer at 10.1.11.2");
	assert_int_equal(w.ks->refused, 1);
	assert_int_equal(w.ks->registered, 0);
	assert_int_equal(w.gm->installs, 0); /* no TEK installed, ever */
	assert_false(w.gm->has_policy);
	struct gdoi_ks_mem m;
	gdoi_ks_mem(w.ks->ks, &m);
	assert_int_equal(m.members, 0);
	/* Phase 1 completed, but the KS deleted the SA: "ACTIVE (deleted)". */
	struct ike1_sa *sa = NULL;
	ike1_sa_foreach(gdoi_ks_ike(w.ks->ks), h_first_sa, &sa);
	assert_non_null(sa);
	struct ike1_sa_row row;
	ike1_sa_row(sa, &row);
	assert_string_equal(row.state, "MM_NO_STATE");
	assert_string_equal(row.status, "ACTIVE (deleted)");
	small_down(&w);
}

static void test_second_server_when_first_is_down(void **state)
{
	(void)state;
	struct small w;
	struct h_ks_setup ks1, ks2;
	struct h_gm_setup gm;
	uint32_t servers[] = {IP_KS1, IP_KS2};
	h_ks_setup(&ks1, IP_KS1, "psk", &h_rsa);
	h_ks_setup(&ks2, IP_KS2, "psk", &h_rsa);
	h_gm_setup(&gm, IP_GM, "psk", servers, 2);
	small_up(&w, &ks1, &gm);
	w.ks2 = h_ks_new(w.s, &ks2, &w.ks_log->d);
	sim_node_set_up(w.ks->node, false); /* KS1 is silent */
	sim_run_until(w.s, 29 * NS_PER_SEC);
	struct gdoi_gm_group_info gi;
	assert_int_equal(gdoi_gm_group_info(w.gm->gm, 0, sim_now(w.s), &gi), 0);
	assert_string_equal(gi.status, "Registering");
	assert_int_equal(gi.registering_to, IP_KS1);
	assert_int_equal(w.gm->registrations, 0);
	/* The 30 s attempt to KS1 runs out; KS2 answers at once. */
	sim_run_until(w.s, 32 * NS_PER_SEC);
	assert_int_equal(gdoi_gm_group_info(w.gm->gm, 0, sim_now(w.s), &gi), 0);
	assert_string_equal(gi.status, "Registered");
	assert_int_equal(gi.registered_with, IP_KS2);
	assert_int_equal(gi.acl_from, IP_KS2);
	assert_int_equal(gi.attempted, 2);
	assert_int_equal(gi.succeeded, 1);
	assert_in_range(w.gm->registered_at, 30 * NS_PER_SEC, 31 * NS_PER_SEC);
	size_t at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGSTER,
		     "Start registration to KS 10.1.11.2 for group G1 using address 10.1.13.2");
	h_log_expect(
	    w.gm_log, &at, DIAG_MSG_IKMP_RETRANS_EXHAUSTED,
	    "IKE phase 1 with 10.1.11.2 failed: no answer after 4 retransmissions in state "
	    "MM_NO_STATE");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGSTER,
		     "Start registration to KS 10.1.12.2 for group G1 using address 10.1.13.2");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGS_COMPL,
		     "Registration to KS 10.1.12.2 complete for group G1 using address 10.1.13.2");
	assert_int_equal(w.ks2->registered, 1);
	small_down(&w);
}

static void test_clear_crypto_gdoi_registers_again(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	assert_int_equal(w.gm->registrations, 1);
	/* clear crypto gdoi group G1 */
	assert_int_equal(gdoi_gm_clear(w.gm->gm, "G1", "admin", sim_now(w.s)), 0);
	sim_node_touch(w.gm->node);
	assert_int_equal(w.gm->removes, 1); /* the SAs went at once */
	assert_false(w.gm->has_policy);
	sim_run_until(w.s, 10 * NS_PER_SEC);
	assert_int_equal(w.gm->registrations, 2);
	assert_true(w.gm->has_policy);
	size_t at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGS_COMPL,
		     "Registration to KS 10.1.11.2 complete for group G1 using address 10.1.13.2");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_CLEAR_REGISTER,
		     "Config: GM cleared gdoi configuration for the group G1 (by admin), "
		     "registering again");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGSTER,
		     "Start registration to KS 10.1.11.2 for group G1 using address 10.1.13.2");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGS_COMPL,
		     "Registration to KS 10.1.11.2 complete for group G1 using address 10.1.13.2");
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM, "G1", &m), 0);
	assert_int_equal(m.registrations, 2);
	/* The old registration SA was deleted (with a Delete to the KS); one new one is up. */
	struct gdoi_ks_mem mem;
	sim_run_until(w.s, 100 * NS_PER_SEC);
	gdoi_ks_mem(w.ks->ks, &mem);
	assert_int_equal(mem.sas, 1);
	assert_int_equal(gdoi_gm_clear(w.gm->gm, "NOPE", "admin", sim_now(w.s)), ERR_NOTFOUND);
	small_down(&w);
}

/* Poll the installed policy every second of simulated time. */
static void watch_until(struct small *w, uint64_t end, size_t *no_tek_seconds)
{
	for (uint64_t t = sim_now(w->s) + NS_PER_SEC; t <= end; t += NS_PER_SEC) {
		sim_run_until(w->s, t);
		if (!h_gm_can_send(w->gm, t))
			(*no_tek_seconds)++;
	}
}

static void test_reregistration_before_tek_expiry_leaves_no_gap(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	c.ks.sa.life_sec = 600; /* KS rolls 110-120 s before expiry, the GM registers 60 s before */
	/* No rekey key (KS_NO_RSA_KEYS): only re-registration renews the keys. */
	c.ks.group.rsa_key = NULL;
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	assert_int_equal(w.gm->registrations, 1);
	uint32_t first_spi = w.gm->pol.tek[0].spi;
	size_t gaps = 0;
	watch_until(&w, 2000 * NS_PER_SEC, &gaps);
	assert_int_equal(gaps, 0);
	assert_int_equal(w.gm->removes, 0);
	/* Registered again before each expiry: at ~540 s, ~1020 s, ~1500 s, ~1980 s. */
	assert_int_equal(w.gm->registrations, 5);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_RE_REGISTER], 4);
	assert_int_equal(w.gm->failures, 0);
	struct gdoi_ks_mem mem;
	gdoi_ks_mem(w.ks->ks, &mem);
	assert_int_equal(mem.sas, 1); /* every re-registration ran on the same phase-1 SA */
	size_t at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_RE_REGISTER,
		     "The IPSec SA created for group G1 may have expired/been cleared, or didn't "
		     "go through. Re-register to KS.");
	/* Keys rolled: the first TEK is long gone, the installed ones are the KS's. */
	assert_true(gdoi_policy_tek(&w.gm->pol, first_spi) == NULL);
	const struct gdoi_policy *kp = gdoi_ks_group_policy(w.ks->ks, 0);
	for (size_t i = 0; i < w.gm->pol.n_teks; i++)
		assert_non_null(gdoi_policy_tek((struct gdoi_policy *)kp, w.gm->pol.tek[i].spi));
	small_down(&w);
}

/*
 * The KS restarts and forgets the registration SA: the member's
 * re-registration on that SA gets no answer, and after 10 s it runs a
 * fresh phase 1 to the same KS, still before its TEK expires.
 */
static void test_ks_restart_reregistration_falls_back_to_phase1(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	c.ks.sa.life_sec = 600;
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 100 * NS_PER_SEC);
	assert_int_equal(w.gm->registrations, 1);
	h_ks_restart(w.ks, &c.ks, &w.ks_log->d);
	size_t gaps = 0;
	watch_until(&w, 600 * NS_PER_SEC, &gaps);
	assert_int_equal(gaps, 0);
	assert_int_equal(w.gm->registrations, 2);
	assert_int_equal(w.gm->failures, 1); /* the pull on the forgotten SA */
	struct gdoi_gm_group_info gi;
	assert_int_equal(gdoi_gm_group_info(w.gm->gm, 0, sim_now(w.s), &gi), 0);
	assert_int_equal(gi.attempted, 3);
	const struct gdoi_policy *kp = gdoi_ks_group_policy(w.ks->ks, 0);
	assert_int_equal(w.gm->pol.tek[0].spi, kp->tek[0].spi); /* the new KS's keys */
	small_down(&w);
}

/* One KS serving two groups, one GM in both: two registrations, two SAs, two records. */
static void test_member_of_two_groups(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	struct gdoi_ks_sa_config sa2 = c.ks.sa;
	sa2.xf = (struct gdoi_transform){GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE};
	sa2.replay = GDOI_REPLAY_NONE;
	struct gdoi_ks_group_config kg[2] = {c.ks.group, c.ks.group};
	kg[1].name = "G2";
	kg[1].id.value = 4444;
	kg[1].sas = &sa2;
	c.ks.cfg.groups = kg;
	c.ks.cfg.n_groups = 2;
	c.gm.cfg.caps |= GDOI_CAP_GCM_SID; /* a GCM group needs it */
	struct gdoi_gm_group_config gg[2] = {c.gm.group, c.gm.group};
	gg[1].name = "G2";
	gg[1].id.value = 4444;
	c.gm.cfg.groups = gg;
	c.gm.cfg.n_groups = 2;
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	assert_int_equal(w.gm->registrations, 2);
	struct gdoi_gm_group_info gi;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(gdoi_gm_group_info(w.gm->gm, i, sim_now(w.s), &gi), 0);
		assert_string_equal(gi.status, "Registered");
		const struct gdoi_policy *gp = gdoi_gm_group_policy(w.gm->gm, i);
		const struct gdoi_policy *kp = gdoi_ks_group_policy(w.ks->ks, i);
		assert_int_equal(gp->tek[0].spi, kp->tek[0].spi);
		assert_memory_equal(gp->kek.spi, kp->kek.spi, GDOI_KEK_SPI_LEN);
	}
	assert_int_equal(gdoi_gm_group_policy(w.gm->gm, 1)->tek[0].xf.enc, GDOI_ENC_AES_GCM);
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM, "G1", &m), 0);
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM, "G2", &m), 0);
	struct gdoi_ks_mem mem;
	gdoi_ks_mem(w.ks->ks, &mem);
	assert_int_equal(mem.members, 2);
	assert_int_equal(mem.sas, 2);
	small_down(&w);
}

static void test_plain_member_gets_only_rfc_lines(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	c.ks.sa.replay = GDOI_REPLAY_NONE; /* TBAR would need the capability */
	c.gm.cfg.plain = true;		   /* no gvpn VID: an RFC 6407 member */
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	assert_int_equal(w.gm->registrations, 1);
	/* Only line 40 (permit ip any any): deny lines and the port range were withheld. */
	assert_int_equal(w.gm->pol.n_acl, 1);
	assert_int_equal(w.gm->pol.acl[0].seq, 0); /* plain members get no line numbers */
	assert_int_equal(w.gm->pol.acl[0].action, GDOI_ACL_PERMIT);
	assert_int_equal(w.gm->pol.acl[0].proto, 0);
	struct gdoi_ks_stats st;
	gdoi_ks_get_stats(w.ks->ks, &st);
	assert_int_equal(st.withheld_lines, 3);
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM, NULL, &m), 0);
	assert_string_equal(m.version, "RFC 6407");
	small_down(&w);
}

static void test_tbar_group_refuses_plain_member(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c); /* replay time window-size 4 */
	c.gm.cfg.plain = true;
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	size_t at = 0;
	h_log_expect(
	    w.ks_log, &at, DIAG_MSG_REJECT_GM_VERSION_REGISTER,
	    "Reject registration of GM 10.1.13.2(ver 0x0) in group G1 as it cannot support "
	    "these GETVPN features enabled: TBAR");
	assert_int_equal(w.gm->installs, 0);
	small_down(&w);
}

static void test_missing_rsa_key_still_registers(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	c.ks.group.rsa_key = NULL; /* label key1 configured, no such key */
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_NO_RSA_KEYS,
		     "RSA Key - key1 : Not found, Required for group G1");
	assert_int_equal(w.gm->registrations, 1);
	assert_true(w.gm->pol.has_kek);
	assert_int_equal(w.gm->pol.spki_len, 0); /* no key to verify rekeys with */
	struct gdoi_ks_group_info gi;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &gi), 0);
	assert_true(gi.rsa_key_missing);
	small_down(&w);
}

static void test_unknown_group_is_refused(void **state)
{
	(void)state;
	struct small w;
	struct pair_cfg c;
	pair_cfg(&c);
	c.gm.group.id.value = 4444;
	small_up(&w, &c.ks, &c.gm);
	sim_run_until(w.s, 5 * NS_PER_SEC);
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_BAD_ID,
		     "GM 10.1.13.2 requested group identity 4444, which is not configured");
	assert_int_equal(w.gm->installs, 0);
	struct gdoi_gm_stats st;
	gdoi_gm_get_stats(w.gm->gm, &st);
	assert_int_equal(st.notifies, 1); /* INVALID-ID-INFORMATION */
	small_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_thousand_members_register_under_loss),
	    TEST(test_wrong_psk_fails_on_both_sides),
	    TEST(test_unauthorized_member_gets_no_keys),
	    TEST(test_second_server_when_first_is_down),
	    TEST(test_clear_crypto_gdoi_registers_again),
	    TEST(test_reregistration_before_tek_expiry_leaves_no_gap),
	    TEST(test_ks_restart_reregistration_falls_back_to_phase1),
	    TEST(test_member_of_two_groups),
	    TEST(test_plain_member_gets_only_rfc_lines),
	    TEST(test_tbar_group_refuses_plain_member),
	    TEST(test_missing_rsa_key_still_registers),
	    TEST(test_unknown_group_is_refused),
	};
	return cmocka_run_group_tests(tests, h_rsa_setup, h_rsa_teardown);
}
