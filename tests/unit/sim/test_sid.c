/*
 * Sender IDs of an AES-GCM group in the simulator (RFC 6054; notes §4.6),
 * deterministic from a seed (GVPN_SEED replays another):
 *  - 200 members register: each gets a SID of 16 bits, none is 0, no two
 *    are equal, and the KS's member records and the data-plane snapshot
 *    say the same;
 *  - a member that registers again gets a new SID, above every earlier one;
 *  - a rekey keeps every member's SID (no re-registration);
 *  - a KS killed right after registrations and restarted from its last
 *    state file keeps the saved members' SIDs and hands out new ones above
 *    everything it may have given before; a state file
 *    from before sender IDs (version 1) still loads;
 *  - when the 16-bit space is used up, members register without a SID
 *    (receive only), KS_SID_EXHAUSTED and GM_NO_SID say so;
 *  - a member without the GCM-SID capability is refused, and the KS logs
 *    its version as 0x1001B (1.0.27, what the member's show says);
 *  - a profile changed from CBC to GCM: members register again for a SID
 *    before the activation delay of the pushed GCM TEK ends;
 *  - a CBC group hands out no SID.
 */
#include "test_registration_lib.h"

#include "crypto/hash.h"
#include "util/dbuf.h"

#define IP_KS	0x0a010b02u /* 10.1.11.2 */
#define IP_GM0	0x0a020001u /* 10.2.0.1 */
#define GMS_MAX 256

struct s_world {
	struct sim *s;
	struct h_log *ks_log, *gm_log;
	struct h_ks *ks;
	size_t n;
	struct h_gm *gm[GMS_MAX];
	uint32_t sid[GMS_MAX]; /* of each member's last install */
	uint8_t sid_bits[GMS_MAX];
	size_t persists;
	struct dbuf saved; /* the last state the KS handed to io.persist */
};

static struct s_world *world; /* the callbacks' way back (one world at a time) */

static void s_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct h_gm *g = ctx;
	h_gm_install(ctx, in);
	size_t i = g->addr - IP_GM0;
	world->sid[i] = in->sid;
	world->sid_bits[i] = in->sid_bits;
}

static void s_persist(void *ctx, const uint8_t *blob, size_t len)
{
	(void)ctx;
	world->persists++;
	dbuf_reset(&world->saved);
	world->saved.secret = true;
	assert_int_equal(dbuf_append(&world->saved, blob, len), 0);
}

static const struct gdoi_ks_io *ks_io(struct h_ks *k)
{
	static struct gdoi_ks_io io;
	io = (struct gdoi_ks_io){
	    .ctx = k, .send = h_ks_send, .persist = s_persist, .event = h_ks_event};
	return &io;
}

static void ks_start(struct s_world *w, const struct h_ks_setup *setup)
{
	struct h_ks *k = calloc(1, sizeof(*k));
	assert_non_null(k);
	k->sim = w->s;
	k->addr = setup->cfg.ike.local.ip4;
	char err[128] = "";
	if (gdoi_ks_new(&setup->cfg, ks_io(k), sim_rng(w->s), &w->ks_log->d, 0, &k->ks, err,
			sizeof(err)) < 0)
		fail_msg("gdoi_ks_new: %s", err);
	k->node = sim_node_add(w->s, k->addr, &h_ks_ops, k);
	w->ks = k;
}

/* The KS process restarts with the same configuration and loads blob (NULL: none). */
static int ks_restart(struct s_world *w, const struct h_ks_setup *setup, const uint8_t *blob,
		      size_t len)
{
	char err[128] = "";
	gdoi_ks_free(w->ks->ks);
	assert_int_equal(gdoi_ks_new(&setup->cfg, ks_io(w->ks), sim_rng(w->s), &w->ks_log->d,
				     sim_now(w->s), &w->ks->ks, err, sizeof(err)),
			 0);
	int rc = blob ? gdoi_ks_state_load(w->ks->ks, blob, len, sim_now(w->s), NS_PER_SEC) : 0;
	sim_node_set_engine(w->ks->node, w->ks);
	return rc;
}

static void gm_add(struct s_world *w, uint32_t caps, uint64_t start)
{
	assert_true(w->n < GMS_MAX);
	struct h_gm_setup g;
	uint32_t servers[] = {IP_KS};
	h_gm_setup(&g, IP_GM0 + (uint32_t)w->n, "psk", servers, 1);
	g.cfg.caps = caps;
	struct h_gm *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->sim = w->s;
	m->addr = g.cfg.ike.local.ip4;
	struct gdoi_gm_io io = {.ctx = m,
				.send = h_gm_send,
				.install = s_install,
				.remove = h_gm_remove,
				.event = h_gm_event};
	char err[128] = "";
	if (gdoi_gm_new(&g.cfg, &io, sim_rng(w->s), &w->gm_log->d, start, &m->gm, err,
			sizeof(err)) < 0)
		fail_msg("gdoi_gm_new: %s", err);
	m->node = sim_node_add(w->s, m->addr, &h_gm_ops, m);
	w->gm[w->n++] = m;
}

/* KS: group G1 with an AES-GCM-128 TEK of 600 s (rolls), KEK 1200 s. */
static void gcm_cfg(struct h_ks_setup *k)
{
	h_ks_setup(k, IP_KS, "psk", &h_rsa);
	k->sa.xf = (struct gdoi_transform){GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE};
	k->sa.life_sec = 600;
	k->group.kek_life_sec = 1200;
}

static bool all_registered(void *arg)
{
	struct s_world *w = arg;
	for (size_t i = 0; i < w->n; i++)
		if (!w->gm[i]->registrations)
			return false;
	return true;
}

/* A KS and n full gvpn members (first registrations spread over 2 s), all registered. */
static void world_up(struct s_world *w, size_t n, const struct h_ks_setup *ks)
{
	memset(w, 0, sizeof(*w));
	world = w;
	w->s = sim_new(h_seed(20261206), 0, NULL);
	w->ks_log = h_log_new(w->s, true);
	w->gm_log = h_log_new(w->s, true);
	ks_start(w, ks);
	for (size_t i = 0; i < n; i++)
		gm_add(w, GDOI_CAPS_ALL, i * 2 * NS_PER_SEC / n);
	assert_true(sim_run_until_cond(w->s, 20 * NS_PER_SEC, all_registered, w));
}

static void world_down(struct s_world *w)
{
	for (size_t i = 0; i < w->n; i++)
		h_gm_free(w->gm[i]);
	h_ks_free(w->ks);
	dbuf_free(&w->saved);
	h_log_free(w->ks_log);
	h_log_free(w->gm_log);
	sim_free(w->s);
	world = NULL;
}

static struct gdoi_ks_member_info ks_member(const struct s_world *w, size_t i)
{
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w->ks->ks, IP_GM0 + (uint32_t)i, "G1", &m), 0);
	return m;
}

static struct gdoi_ks_group_info ks_group(const struct s_world *w)
{
	static struct gdoi_ks_group_info gi;
	assert_int_equal(gdoi_ks_group_info(w->ks->ks, 0, sim_now(w->s), &gi), 0);
	return gi;
}

/* Member i registers again at once (clear crypto gdoi) and is done within 10 s. */
static void reregister(struct s_world *w, size_t i)
{
	size_t before = w->gm[i]->registrations;
	assert_int_equal(gdoi_gm_clear(w->gm[i]->gm, "G1", "test", sim_now(w->s)), 0);
	sim_node_touch(w->gm[i]->node);
	sim_run_until(w->s, sim_now(w->s) + 10 * NS_PER_SEC);
	assert_int_equal(w->gm[i]->registrations, before + 1);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void test_two_hundred_members_distinct_sids(void **state)
{
	(void)state;
	struct h_ks_setup k;
	gcm_cfg(&k);
	static struct s_world w;
	world_up(&w, 200, &k);
	uint32_t sorted[GMS_MAX];
	for (size_t i = 0; i < w.n; i++) {
		assert_int_equal(w.sid_bits[i], GDOI_SID_BITS_DEFAULT);
		assert_int_not_equal(w.sid[i], 0);
		assert_int_equal(ks_member(&w, i).sid, w.sid[i]);
		assert_int_equal(ks_member(&w, i).sid_bits, GDOI_SID_BITS_DEFAULT);
		struct gdoi_gm_group_info gi;
		assert_int_equal(gdoi_gm_group_info(w.gm[i]->gm, 0, sim_now(w.s), &gi), 0);
		assert_true(gi.counter_mode);
		assert_int_equal(gi.n_sids, 1);
		assert_int_equal(gi.sids[0], w.sid[i]);
		sorted[i] = w.sid[i];
	}
	qsort(sorted, w.n, sizeof(sorted[0]), cmp_u32);
	for (size_t i = 1; i < w.n; i++)
		assert_true(sorted[i] != sorted[i - 1]);
	struct gdoi_ks_group_info gi = ks_group(&w);
	assert_true(gi.counter_mode);
	assert_int_equal(gi.sid_bits, GDOI_SID_BITS_DEFAULT);
	assert_int_equal(gi.sids_given, 200);
	assert_int_equal(gi.sid_members, 200);
	assert_int_equal(gi.sid_next, 201);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_NO_SID], 0);
	world_down(&w);
}

static void test_reregistration_gets_a_new_sid(void **state)
{
	(void)state;
	struct h_ks_setup k;
	gcm_cfg(&k);
	static struct s_world w;
	world_up(&w, 3, &k);
	uint32_t first = w.sid[0], other = w.sid[1];
	reregister(&w, 0);
	assert_int_not_equal(w.sid[0], first);
	assert_true(w.sid[0] > MAX(MAX(first, other), w.sid[2]));
	assert_int_equal(ks_member(&w, 0).sid, w.sid[0]);
	assert_int_equal(w.sid[1], other); /* the others keep theirs */
	assert_int_equal(ks_member(&w, 1).sid, other);
	assert_int_equal(ks_group(&w).sids_given, 4);
	world_down(&w);
}

static void test_rekey_keeps_the_sid(void **state)
{
	(void)state;
	struct h_ks_setup k;
	gcm_cfg(&k);
	static struct s_world w;
	world_up(&w, 3, &k);
	uint32_t sid[3];
	size_t installs[3];
	for (size_t i = 0; i < 3; i++) {
		sid[i] = w.sid[i];
		installs[i] = w.gm[i]->installs;
	}
	sim_run_until(w.s, 700 * NS_PER_SEC); /* the TEK rolled once (~485 s), pushed */
	for (size_t i = 0; i < 3; i++) {
		struct gdoi_gm_group_info gi;
		assert_int_equal(gdoi_gm_group_info(w.gm[i]->gm, 0, sim_now(w.s), &gi), 0);
		assert_true(gi.rekeys_received >= 1);
		assert_int_equal(w.gm[i]->registrations, 1);
		assert_true(w.gm[i]->installs > installs[i]); /* the new TEK was installed */
		assert_int_equal(w.sid[i], sid[i]);
		assert_int_equal(w.sid_bits[i], GDOI_SID_BITS_DEFAULT);
	}
	assert_int_equal(ks_group(&w).sids_given, 3);
	world_down(&w);
}

/* The same state as a version-1 file (before sender IDs): only a KS without members. */
static void as_version1(const struct dbuf *v2, struct dbuf *v1)
{
	/* "GVKS" | version | groups | name len | "G1" | seq | pseudotime | SID bits | next SID */
	const size_t sid_at = 4 + 2 + 2 + 1 + 2 + 4 + 8, sid_len = 1 + 4;
	dbuf_reset(v1);
	assert_int_equal(dbuf_append(v1, v2->p, sid_at), 0);
	assert_int_equal(dbuf_append(v1, v2->p + sid_at + sid_len, v2->len - sid_at - sid_len - 32),
			 0);
	v1->p[5] = 1;
	uint8_t sum[CRYPTO_HASH_MAX];
	struct crypto_iov iov = {v1->p, v1->len};
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, sum), 32);
	assert_int_equal(dbuf_append(v1, sum, 32), 0);
}

static void test_ks_restart_continues_sid_numbering(void **state)
{
	(void)state;
	struct h_ks_setup k;
	gcm_cfg(&k);
	static struct s_world w;
	world_up(&w, 3, &k);
	uint32_t top = MAX(MAX(w.sid[0], w.sid[1]), w.sid[2]);
	/*
	 * Killed right after the last registration: the last state file was
	 * written before the first SID left the KS and may lack the later
	 * members (saves are at most once a second), but not their SIDs.
	 */
	assert_true(w.persists >= 1);
	struct dbuf d = {0};
	assert_int_equal(dbuf_append(&d, w.saved.p, w.saved.len), 0);
	assert_int_equal(ks_restart(&w, &k, d.p, d.len), 0);
	size_t kept = 0;
	for (size_t i = 0; i < 3; i++) {
		struct gdoi_ks_member_info m;
		if (gdoi_ks_member_get(w.ks->ks, IP_GM0 + (uint32_t)i, "G1", &m) < 0)
			continue;
		assert_int_equal(m.sid, w.sid[i]);
		kept++;
	}
	assert_true(kept >= 1);
	struct gdoi_ks_group_info gi = ks_group(&w);
	assert_true(gi.sid_next > top);
	/* A member registering now (and one registering again) gets a SID never given. */
	gm_add(&w, GDOI_CAPS_ALL, sim_now(w.s));
	sim_run_until(w.s, sim_now(w.s) + 10 * NS_PER_SEC);
	assert_int_equal(w.gm[3]->registrations, 1);
	assert_true(w.sid[3] > top);
	reregister(&w, 0);
	assert_true(w.sid[0] > w.sid[3]);
	/* A version-1 file still loads: the group had no SID to give, numbering from 1. */
	assert_int_equal(ks_restart(&w, &k, NULL, 0), 0);
	struct dbuf fresh = {0}, v1 = {0};
	assert_int_equal(gdoi_ks_state_save(w.ks->ks, sim_now(w.s), &fresh), 0);
	as_version1(&fresh, &v1);
	assert_int_equal(ks_restart(&w, &k, v1.p, v1.len), 0);
	assert_int_equal(ks_group(&w).sid_next, 1);
	dbuf_free(&fresh);
	dbuf_free(&v1);
	dbuf_free(&d);
	world_down(&w);
}

/* The saved next SID (big-endian u32 after the SID bits) set to next, checksum redone. */
static void patch_next_sid(struct dbuf *d, uint32_t next)
{
	const size_t at = 4 + 2 + 2 + 1 + 2 + 4 + 8 + 1;
	d->p[at] = (uint8_t)(next >> 24);
	d->p[at + 1] = (uint8_t)(next >> 16);
	d->p[at + 2] = (uint8_t)(next >> 8);
	d->p[at + 3] = (uint8_t)next;
	struct crypto_iov iov = {d->p, d->len - 32};
	assert_int_equal(crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, d->p + d->len - 32), 32);
}

static void test_exhausted_sid_space_means_receive_only(void **state)
{
	(void)state;
	struct h_ks_setup k;
	gcm_cfg(&k);
	static struct s_world w;
	world_up(&w, 1, &k);
	struct dbuf d = {0};
	assert_int_equal(gdoi_ks_state_save(w.ks->ks, sim_now(w.s), &d), 0);
	patch_next_sid(&d, 65535); /* the last one of 16 bits */
	assert_int_equal(ks_restart(&w, &k, d.p, d.len), 0);
	gm_add(&w, GDOI_CAPS_ALL, sim_now(w.s));
	sim_run_until(w.s, sim_now(w.s) + 10 * NS_PER_SEC);
	assert_int_equal(w.sid[1], 65535);
	gm_add(&w, GDOI_CAPS_ALL, sim_now(w.s));
	gm_add(&w, GDOI_CAPS_ALL, sim_now(w.s) + 2 * NS_PER_SEC); /* after the first */
	sim_run_until(w.s, sim_now(w.s) + 10 * NS_PER_SEC);
	for (size_t i = 2; i < 4; i++) {
		assert_int_equal(w.gm[i]->registrations, 1); /* registered, keys installed */
		assert_int_equal(w.gm[i]->state, GDOI_GM_DP_POLICY);
		assert_int_equal(w.sid_bits[i], 0); /* but no IV space: receive only */
		assert_int_equal(ks_member(&w, i).sid, 0);
	}
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_SID_EXHAUSTED,
		     "Group G1: no sender ID left for GM 10.2.0.3 (all 65535 of the 16-bit space "
		     "handed out); it may only receive with the group's counter-mode SAs");
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_SID_EXHAUSTED], 1); /* once per group */
	assert_int_equal(ks_group(&w).sids_refused, 2);
	at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_NO_SID,
		     "Group G1: no sender ID from KS 10.1.11.2; the group's counter-mode SAs are "
		     "used for receiving only");
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_NO_SID], 2); /* once per member */
	dbuf_free(&d);
	world_down(&w);
}

static void test_member_without_capability_refused(void **state)
{
	(void)state;
	struct h_ks_setup k;
	gcm_cfg(&k);
	static struct s_world w;
	world_up(&w, 1, &k);
	gm_add(&w, GDOI_CAPS_ALL & ~GDOI_CAP_GCM_SID, sim_now(w.s));
	sim_run_until(w.s, sim_now(w.s) + 10 * NS_PER_SEC);
	assert_int_equal(w.gm[1]->registrations, 0);
	assert_int_equal(w.gm[1]->installs, 0);
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_REJECT_GM_VERSION_REGISTER,
		     "Reject registration of GM 10.2.0.2(ver 0x1001B) in group G1 as it cannot "
		     "support these GETVPN features enabled: GCM");
	assert_int_equal(ks_group(&w).sids_given, 1);
	world_down(&w);
}

/*
 * The key server's profile changes from CBC to GCM: the push brings the
 * members their first GCM TEK, for which their registrations asked no SID.
 * They register again for one before the activation delay ends, so that
 * none is left without a SID when senders switch to the new TEK.
 */
static void test_switch_to_gcm_gets_members_sids(void **state)
{
	(void)state;
	struct h_ks_setup k;
	h_ks_setup(&k, IP_KS, "psk", &h_rsa);
	static struct s_world w;
	world_up(&w, 3, &k);
	sim_run_until(w.s, 30 * NS_PER_SEC);
	k.sa.xf = (struct gdoi_transform){GDOI_ENC_AES_GCM, 256, GDOI_AUTH_NONE};
	char err[128] = "";
	assert_int_equal(gdoi_ks_config_replace(w.ks->ks, &k.cfg, sim_now(w.s), err, sizeof(err)),
			 0);
	sim_node_touch(w.ks->node);
	struct gdoi_ks_group_info gi = ks_group(&w);
	uint64_t atd_ns = (uint64_t)gi.atd_sec * NS_PER_SEC;
	sim_run_until(w.s, sim_now(w.s) + atd_ns);
	for (size_t i = 0; i < w.n; i++) {
		struct gdoi_gm_group_info g;
		assert_int_equal(gdoi_gm_group_info(w.gm[i]->gm, 0, sim_now(w.s), &g), 0);
		assert_true(g.rekeys_received >= 1);
		assert_true(g.counter_mode);
		assert_int_equal(w.gm[i]->registrations, 2);
		assert_int_equal(w.sid_bits[i], GDOI_SID_BITS_DEFAULT);
		assert_int_not_equal(w.sid[i], 0);
	}
	assert_int_equal(ks_group(&w).sids_given, 3);
	world_down(&w);
}

static void test_cbc_group_hands_out_no_sid(void **state)
{
	(void)state;
	struct h_ks_setup k;
	h_ks_setup(&k, IP_KS, "psk", &h_rsa);
	static struct s_world w;
	world_up(&w, 2, &k);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(w.sid_bits[i], 0);
		assert_int_equal(ks_member(&w, i).sid, 0);
	}
	struct gdoi_ks_group_info gi = ks_group(&w);
	assert_false(gi.counter_mode);
	assert_int_equal(gi.sids_given, 0);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_NO_SID], 0);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_two_hundred_members_distinct_sids),
	    TEST(test_reregistration_gets_a_new_sid),
	    TEST(test_rekey_keeps_the_sid),
	    TEST(test_ks_restart_continues_sid_numbering),
	    TEST(test_exhausted_sid_space_means_receive_only),
	    TEST(test_member_without_capability_refused),
	    TEST(test_switch_to_gcm_gets_members_sids),
	    TEST(test_cbc_group_hands_out_no_sid),
	};
	return cmocka_run_group_tests(tests, h_rsa_setup, h_rsa_teardown);
}
