/*
 * Rekey (GROUPKEY-PUSH) behaviour in the simulator, deterministic from a
 * seed (GVPN_SEED replays another):
 *  - without loss, members keep their first registration through TEK and
 *    KEK roll-overs: every push is accepted and acknowledged, the sequence
 *    number continues across KEK rekeys, the logs say what happened;
 *  - replayed, reordered, forged (another RSA key) and garbled pushes are
 *    refused with the right messages and change nothing;
 *  - a member that misses the ACKs of N rekeys in a row is removed, and
 *    registers again before its keys run out;
 *  - one member cannot acknowledge in another's name;
 *  - multicast: every round to the group address, no ACKs, nobody removed;
 *    a change of transport reaches the members through the old one;
 *  - `crypto gdoi ks rekey`, `clear crypto gdoi ks members` and a restored
 *    sequence number;
 *  - a key server killed between two rekeys and restarted from its state
 *    file serves the same keys and members, continues the sequence number,
 *    and the members accept its next rekeys; a corrupted file is refused;
 *  - many members (GVPN_REKEY_MEMBERS, default 2000, the number) through 10 TEK
 *    roll-overs at 30 % loss on every link: a member is only ever without
 *    a TEK when it never received the key that would have covered that
 *    moment (every round of that rekey lost), and such members register
 *    again; everyone ends with keys. Set GVPN_REKEY_MEMBERS lower for a
 *    quick run while working on the engines.
 */
#include "test_registration_lib.h"

#include "gdoi/gm_priv.h"
#include "gdoi/policy_wire.h"
#include "gdoi/rekey.h"

#define IP_KS	0x0a010b02u /* 10.1.11.2 */
#define IP_GM0	0x0a020001u
#define GMS_MAX 4000

static uint64_t seed(void)
{
	const char *s = getenv("GVPN_SEED");
	uint64_t v = s ? strtoull(s, NULL, 0) : 20261206;
	printf("# seed %llu (GVPN_SEED to replay another)\n", (unsigned long long)v);
	return v;
}

static struct crypto_rsa forger;

/* ---- nodes with a tap on the KS's pushes and the GM's installs ---- */

struct r_push {
	uint32_t dst;
	size_t len;
	uint8_t p[GDOI_REKEY_MSG_MAX];
};

struct r_world {
	struct sim *s;
	struct h_log *ks_log, *gm_log;
	struct h_ks *ks;
	size_t n;
	struct h_gm **gm;
	uint64_t *max_exp; /* per member: latest TEK expiry it ever installed */
	size_t *gaps;	   /* per member: polls without a TEK to send with */
	size_t n_push;
	struct r_push push[8]; /* last pushes sent to gm[0] */
	size_t persists;
	struct dbuf saved; /* the last state the KS handed to io.persist */
};

static struct r_world *world_of_ks;

static void r_ks_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct r_world *w = world_of_ks;
	struct wire_isakmp_hdr h;
	if (wire_isakmp_hdr_decode(msg, len, &h, NULL) == 0 && h.exch == WIRE_EXCH_GROUPKEY_PUSH &&
	    peer->ip4 == IP_GM0) {
		struct r_push *p = &w->push[w->n_push++ % 8];
		p->dst = peer->ip4;
		p->len = len;
		memcpy(p->p, msg, len);
	}
	h_ks_send(ctx, peer, msg, len);
}

static void r_ks_persist(void *ctx, const uint8_t *blob, size_t len)
{
	(void)ctx;
	struct r_world *w = world_of_ks;
	w->persists++;
	dbuf_reset(&w->saved);
	w->saved.secret = true;
	assert_int_equal(dbuf_append(&w->saved, blob, len), 0);
}

static struct h_ks *r_ks_new(struct r_world *w, const struct h_ks_setup *setup)
{
	struct h_ks *k = calloc(1, sizeof(*k));
	assert_non_null(k);
	k->sim = w->s;
	k->addr = setup->cfg.ike.local.ip4;
	world_of_ks = w;
	struct gdoi_ks_io io = {
	    .ctx = k, .send = r_ks_send, .persist = r_ks_persist, .event = h_ks_event};
	char err[128] = "";
	if (gdoi_ks_new(&setup->cfg, &io, sim_rng(w->s), &w->ks_log->d, 0, &k->ks, err,
			sizeof(err)) < 0)
		fail_msg("gdoi_ks_new: %s", err);
	k->node = sim_node_add(w->s, k->addr, &h_ks_ops, k);
	return k;
}

/* Members are h_gm nodes; their installs also feed max_exp. */
static struct r_world *world_of_gm;

static void r_gm_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct h_gm *g = ctx;
	h_gm_install(ctx, in);
	struct r_world *w = world_of_gm;
	size_t i = g->addr - IP_GM0;
	for (size_t t = 0; in->policy && t < in->policy->n_teks; t++)
		w->max_exp[i] = MAX(w->max_exp[i], in->policy->tek[t].expires_ns);
}

static struct h_gm *r_gm_new(struct r_world *w, const struct h_gm_setup *setup, uint64_t start)
{
	struct h_gm *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	g->sim = w->s;
	g->addr = setup->cfg.ike.local.ip4;
	world_of_gm = w;
	struct gdoi_gm_io io = {.ctx = g,
				.send = h_gm_send,
				.install = r_gm_install,
				.remove = h_gm_remove,
				.event = h_gm_event};
	char err[128] = "";
	if (gdoi_gm_new(&setup->cfg, &io, sim_rng(w->s), &w->gm_log->d, start, &g->gm, err,
			sizeof(err)) < 0)
		fail_msg("gdoi_gm_new: %s", err);
	g->node = sim_node_add(w->s, g->addr, &h_gm_ops, g);
	return g;
}

static void world_up(struct r_world *w, size_t n, const struct sim_link *link,
		     struct h_ks_setup *ks, bool keep)
{
	memset(w, 0, sizeof(*w));
	w->s = sim_new(seed(), 0, link);
	w->ks_log = h_log_new(w->s, keep);
	w->gm_log = h_log_new(w->s, keep);
	w->ks = r_ks_new(w, ks);
	w->n = n;
	w->gm = calloc(n, sizeof(*w->gm));
	w->max_exp = calloc(n, sizeof(*w->max_exp));
	w->gaps = calloc(n, sizeof(*w->gaps));
	assert_true(w->gm && w->max_exp && w->gaps);
	uint32_t servers[] = {IP_KS};
	for (size_t i = 0; i < n; i++) {
		struct h_gm_setup g;
		h_gm_setup(&g, IP_GM0 + (uint32_t)i, "psk", servers, 1);
		/* Spread the first registrations over 2 s, as members that boot at different times.
		 */
		w->gm[i] = r_gm_new(w, &g, i * 2 * NS_PER_SEC / n);
	}
}

static void world_down(struct r_world *w)
{
	for (size_t i = 0; i < w->n; i++)
		h_gm_free(w->gm[i]);
	free(w->gm);
	free(w->max_exp);
	free(w->gaps);
	h_ks_free(w->ks);
	dbuf_free(&w->saved);
	h_log_free(w->ks_log);
	h_log_free(w->gm_log);
	sim_free(w->s);
}

/* KS: TEK 600 s, KEK 1200 s (both roll), retransmit 10 s x 2 (the defaults). */
static void ks_cfg(struct h_ks_setup *k)
{
	h_ks_setup(k, IP_KS, "psk", &h_rsa);
	k->sa.life_sec = 600;
	k->group.kek_life_sec = 1200;
}

static bool all_registered(void *arg)
{
	struct r_world *w = arg;
	for (size_t i = 0; i < w->n; i++)
		if (!w->gm[i]->registrations)
			return false;
	return true;
}

/* world_up with no loss, then every member registered within 10 s. */
static void world_registered(struct r_world *w, size_t n, struct h_ks_setup *ks, bool keep)
{
	world_up(w, n, NULL, ks, keep);
	assert_true(sim_run_until_cond(w->s, 10 * NS_PER_SEC, all_registered, w));
}

/* Every datagram to the key server lost (deaf) or delivered after 1 ms. */
static void ks_deaf(struct r_world *w, bool deaf)
{
	struct sim_link l = {
	    .loss = deaf ? 1.0 : 0.0, .delay_min_ns = NS_PER_MS, .delay_max_ns = NS_PER_MS};
	sim_node_set_link(w->ks->node, &l);
}

/* Poll every member every step until end: count the moments without a TEK. */
static void watch(struct r_world *w, uint64_t end, uint64_t step)
{
	for (uint64_t t = sim_now(w->s) + step; t <= end; t += step) {
		sim_run_until(w->s, t);
		for (size_t i = 0; i < w->n; i++)
			if (w->gm[i]->registrations && !h_gm_can_send(w->gm[i], t)) {
				w->gaps[i]++;
				/* Allowed only when it never got a key valid now: every round lost.
				 */
				if (w->max_exp[i] > t)
					fail_msg("member %zu held a TEK valid until %.1f s but had "
						 "none to send with at %.1f s",
						 i, (double)w->max_exp[i] / 1e9, (double)t / 1e9);
			}
	}
}

static struct gdoi_gm_group_info gm_info(const struct r_world *w, size_t i)
{
	struct gdoi_gm_group_info gi;
	assert_int_equal(gdoi_gm_group_info(w->gm[i]->gm, 0, sim_now(w->s), &gi), 0);
	return gi;
}

/* ---- no loss: keys roll for ever on the first registration ---- */

static void test_rollovers_without_loss(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	k.cfg.rekey_pace = 100; /* 40 pushes per 400 ms: 50 members take 2 batches */
	struct r_world w;
	world_registered(&w, 50, &k, false);
	/* Message 4's KD decoder handed each member the KS key: pushes check with it. */
	for (size_t i = 0; i < w.n; i++)
		assert_true(w.gm[i]->gm->groups[0]->has_ks_pub);
	watch(&w, 3000 * NS_PER_SEC, NS_PER_SEC);
	struct gdoi_ks_group_info ki;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	/* TEK roll-overs every ~485 s (6) and KEK roll-overs every ~970 s (3), one push each. */
	assert_true(ki.rekeys_sent >= 8 && ki.rekeys_sent <= 10);
	assert_int_equal(ki.rekeys_retransmitted, 0);
	assert_int_equal(ki.seq, ki.rekeys_sent); /* one sequence number per push, never reset */
	assert_int_equal(ki.n_members, 50);
	/* Paced: the last ACK came with the second batch, 400 ms after the first. */
	assert_true(ki.last_rekey_ms >= 400 && ki.last_rekey_ms < 500);
	for (size_t i = 0; i < w.n; i++) {
		assert_int_equal(w.gaps[i], 0);
		assert_int_equal(w.gm[i]->registrations, 1);
		struct gdoi_gm_group_info gi = gm_info(&w, i);
		assert_int_equal(gi.rekeys_received, ki.rekeys_sent);
		assert_int_equal(gi.acks_sent, ki.rekeys_sent);
		assert_int_equal(gi.last_rekey_seq, ki.seq);
		assert_int_equal(gi.last_rekey_from, IP_KS);
		struct gdoi_ks_member_info m;
		assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0 + (uint32_t)i, "G1", &m), 0);
		assert_int_equal(m.rekeys_sent, ki.rekeys_sent);
		assert_int_equal(m.acks_rcvd, ki.rekeys_sent);
		assert_int_equal(m.acks_missed, 0);
		assert_int_equal(m.rekey_retries, 0);
		assert_int_equal(m.sent_seq[0], ki.seq);
		assert_int_equal(m.rcvd_seq[0], ki.seq);
		/* It still holds the key of the registration, with its size. */
		const struct gm_group *g = w.gm[i]->gm->groups[0];
		assert_true(g->has_ks_pub && g->pol.spki_len);
		assert_int_equal(g->pol.spki_bits, g->ks_pub.bits);
		/* The member holds the KS's newest KEK (`show crypto gdoi rekey sa`). */
		assert_memory_equal(w.gm[i]->pol.kek.spi, ki.kek_spi, GDOI_KEK_SPI_LEN);
		assert_memory_equal(gi.kek_spi, ki.kek_spi, GDOI_KEK_SPI_LEN);
		assert_int_equal(gi.kek_src, IP_KS);
		assert_int_equal(gi.kek_dst, IP_GM0 + i);
	}
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_RECV_REKEY], 50 * ki.rekeys_sent);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_INSTALL_POLICIES_SUCCESS],
			 50 * (1 + ki.rekeys_sent));
	/* Once at registration, then once per KEK roll-over: the same for everyone. */
	assert_int_equal(w.gm_log->count[DIAG_MSG_SA_KEK_UPDATED] % 50, 0);
	assert_true(w.gm_log->count[DIAG_MSG_SA_KEK_UPDATED] >= 50 * 3);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_RE_REGISTER], 0);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GDOI_REKEY_FAILURE], 0);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_SEND_UNICAST_REKEY], ki.rekeys_sent);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_NACK_GM_EJECT], 0);
	world_down(&w);
}

/* ---- refusals ---- */

static size_t installs(const struct r_world *w)
{
	return w->gm[0]->installs;
}

/* Deliver a push straight to gm[0]. */
static void deliver(struct r_world *w, const uint8_t *p, size_t len)
{
	gdoi_gm_input(w->gm[0]->gm, sim_now(w->s), &(struct ike1_peer){IP_KS, H_PORT}, p, len);
}

static size_t count(const struct r_world *w, enum diag_msg_id id)
{
	return w->gm_log->count[id];
}

static void test_replayed_reordered_forged_garbled_refused(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	k.group.retrans_count = 3;
	struct r_world w;
	world_registered(&w, 1, &k, true);
	/* The member is away during the first TEK rekey (~485 s) and its rounds. */
	sim_run_until(w.s, 400 * NS_PER_SEC);
	sim_node_set_up(w.gm[0]->node, false);
	sim_run_until(w.s, 540 * NS_PER_SEC);
	sim_node_set_up(w.gm[0]->node, true);
	assert_int_equal(w.n_push, 4); /* round 0 and three retransmissions, seq 1..4 */
	static struct r_push rounds[4];
	memcpy(rounds, w.push, sizeof(rounds));
	struct gdoi_gm_group_info gi = gm_info(&w, 0);
	assert_int_equal(gi.rekeys_received, 0);
	/* Reordered: the last round first is accepted ... */
	deliver(&w, rounds[3].p, rounds[3].len);
	gi = gm_info(&w, 0);
	assert_int_equal(gi.rekeys_received, 1);
	assert_int_equal(gi.last_rekey_seq, 4);
	assert_int_equal(count(&w, DIAG_MSG_SA_TEK_UPDATED),
			 2); /* registration, then the new one */
	size_t before = installs(&w);
	static struct gdoi_policy held;
	held = w.gm[0]->pol;
	/* ... the earlier rounds after it are not, and neither is a replay of it. */
	for (size_t r = 0; r < 4; r++) {
		deliver(&w, rounds[r].p, rounds[r].len);
		assert_int_equal(count(&w, DIAG_MSG_GDOI_REKEY_SEQ_FAILURE), r + 1);
		assert_int_equal(count(&w, DIAG_MSG_GDOI_REKEY_FAILURE), r + 1);
	}
	size_t at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_SEND_UNICAST_REKEY,
		     "Sending Unicast Rekey for group G1 from address 10.1.11.2 with seq # 1");
	at = 0;
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_RECV_REKEY,
		     "Received Rekey for group G1 from 10.1.11.2 to 10.2.0.1 with seq # 4");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_INSTALL_POLICIES_SUCCESS,
		     "SUCCESS: Installation of Reg/Rekey policies from KS 10.1.11.2 for group G1 & "
		     "gm identity 10.2.0.1");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GDOI_REKEY_SEQ_FAILURE,
		     "Failed to process rekey seq # 1 in seq payload for group G1, last seq # 4");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GDOI_REKEY_FAILURE,
		     "Processing of REKEY payloads failed on GM 10.2.0.1 in the group G1, with "
		     "peer at 10.1.11.2");
	/* Forged: right KEK and a fresh SEQ, but signed with another RSA key. */
	static struct gdoi_arena arena;
	static struct wire_gdoi_sa wsa;
	static struct wire_kd wkd;
	static uint8_t forged[GDOI_REKEY_MSG_MAX];
	struct gdoi_enc_opts o = {.caps = GDOI_CAPS_ALL, .now = sim_now(w.s)};
	assert_int_equal(gdoi_policy_encode_sa(&held, &o, &arena, &wsa, NULL), 0);
	assert_int_equal(gdoi_policy_encode_kd(&held, &o, &arena, &wkd), 0);
	struct gdoi_rekey_build b = {.kek = &held.kek,
				     .seq = 5,
				     .sa = &wsa,
				     .kd = &wkd,
				     .key = &forger,
				     .hash = held.kek.sig_hash};
	int n = gdoi_rekey_build(&b, forged, sizeof(forged));
	gdoi_arena_wipe(&arena);
	assert_true(n > 0);
	deliver(&w, forged, (size_t)n);
	assert_int_equal(count(&w, DIAG_MSG_GM_HASH_FAIL), 1);
	assert_int_equal(count(&w, DIAG_MSG_GDOI_REKEY_FAILURE), 5);
	/* Garbled: a genuine round with one ciphertext octet changed. */
	rounds[3].p[rounds[3].len / 2] ^= 0x40;
	deliver(&w, rounds[3].p, rounds[3].len);
	assert_int_equal(count(&w, DIAG_MSG_GDOI_REKEY_FAILURE), 6);
	/* None of it changed anything. */
	assert_int_equal(installs(&w), before);
	gi = gm_info(&w, 0);
	assert_int_equal(gi.rekeys_received, 1);
	assert_int_equal(gi.last_rekey_seq, 4);
	assert_int_equal(w.gm[0]->pol.n_teks, held.n_teks);
	assert_memory_equal(w.gm[0]->pol.tek, held.tek, sizeof(held.tek));
	struct gdoi_gm_stats st;
	gdoi_gm_get_stats(w.gm[0]->gm, &st);
	assert_int_equal(st.rekey_replayed, 4);
	assert_int_equal(st.rekey_bad_sig, 2); /* forged, and the garbled one */
	/* The next genuine rekey (seq 5: the forgery did not use it up) is accepted. */
	sim_run_until(w.s, 1200 * NS_PER_SEC);
	gi = gm_info(&w, 0);
	assert_true(gi.rekeys_received >= 2);
	assert_int_equal(count(&w, DIAG_MSG_GM_RE_REGISTER), 0);
	gdoi_policy_clear(&held);
	world_down(&w);
}

/* ---- ejection ---- */

static void test_member_missing_acks_is_removed_and_reregisters(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	struct r_world w;
	world_registered(&w, 1, &k, false);
	/*
	 * Nothing reaches the KS from 100 s to 1010 s: the member gets the TEK
	 * rekeys (~485 s, ~970 s) and the KEK rekey (~975 s), but its ACKs are
	 * lost. Two rekeys in a row unacknowledged (N = 2): removed.
	 */
	sim_run_until(w.s, 100 * NS_PER_SEC);
	ks_deaf(&w, true);
	watch(&w, 1010 * NS_PER_SEC, NS_PER_SEC);
	ks_deaf(&w, false);
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0, "G1", &m), ERR_NOTFOUND);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_NACK_GM_EJECT], 1);
	struct gdoi_ks_group_info ki;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	assert_int_equal(ki.members_ejected, 1);
	assert_int_equal(ki.n_members, 0);
	assert_true(gm_info(&w, 0).rekeys_received >= 3); /* it had the keys all along */
	/* It gets no more rekeys, so it registers again before its keys run out. */
	watch(&w, 2500 * NS_PER_SEC, NS_PER_SEC);
	assert_int_equal(w.gaps[0], 0);
	assert_int_equal(w.gm[0]->registrations, 2);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_RE_REGISTER], 1);
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0, "G1", &m), 0);
	assert_true(m.acks_rcvd >= 1); /* and is rekeyed as before */
	world_down(&w);
}

/* ---- acknowledgements ---- */

static struct gdoi_kack kack_of(const struct r_world *w, size_t i)
{
	const struct gm_group *g = w->gm[i]->gm->groups[0];
	return (struct gdoi_kack){(enum crypto_hash_alg)g->kack_hash, g->kack_len, g->kack};
}

static void test_member_cannot_acknowledge_for_another(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	struct r_world w;
	world_registered(&w, 2, &k, false);
	/* The members' own ACKs of the first TEK rekey (~485 s) are lost. */
	sim_run_until(w.s, 400 * NS_PER_SEC);
	ks_deaf(&w, true);
	sim_run_until(w.s, 495 * NS_PER_SEC);
	struct gdoi_ks_group_info ki;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	assert_true(ki.rekey_active);
	uint8_t ack[256];
	struct ike1_peer from = {IP_GM0, H_PORT};
	/* Member 0 acknowledges in member 1's name with its own K_ack: refused. */
	struct gdoi_kack k0 = kack_of(&w, 0), k1 = kack_of(&w, 1);
	int n = gdoi_rekey_ack_build(w.push[0].p, ki.seq, IP_GM0 + 1, &k0, ack, sizeof(ack));
	assert_true(n > 0);
	gdoi_ks_input(w.ks->ks, sim_now(w.s), &from, ack, (size_t)n);
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	assert_int_equal(ki.rekey_acks_bad, 1);
	assert_int_equal(ki.rekey_acks, 0);
	/* Member 1's own ACK counts, once; a second copy changes nothing. */
	n = gdoi_rekey_ack_build(w.push[0].p, ki.seq, IP_GM0 + 1, &k1, ack, sizeof(ack));
	gdoi_ks_input(w.ks->ks, sim_now(w.s), &from, ack, (size_t)n);
	gdoi_ks_input(w.ks->ks, sim_now(w.s), &from, ack, (size_t)n);
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	assert_int_equal(ki.rekey_acks, 1);
	assert_int_equal(ki.rekey_acks_unsol, 0);
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0 + 1, "G1", &m), 0);
	assert_int_equal(m.acks_rcvd, 1);
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0, "G1", &m), 0);
	assert_int_equal(m.acks_rcvd, 0);
	world_down(&w);
}

/* ---- multicast ---- */

static bool rekey_idle(void *arg)
{
	struct r_world *w = arg;
	struct gdoi_ks_group_info ki;
	return gdoi_ks_group_info(w->ks->ks, 0, sim_now(w->s), &ki) == 0 && !ki.rekey_active;
}

#define IP_MCAST 0xefc001beu /* 239.192.1.190 */

static void test_multicast_rounds_without_acks(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	k.group.multicast = true;
	k.group.mcast_addr = IP_MCAST;
	struct r_world w;
	world_up(&w, 5, NULL, &k, false);
	for (size_t i = 0; i < w.n; i++)
		sim_node_join(w.gm[i]->node, IP_MCAST);
	assert_true(sim_run_until_cond(w.s, 10 * NS_PER_SEC, all_registered, &w));
	watch(&w, 1500 * NS_PER_SEC, NS_PER_SEC);
	assert_true(sim_run_until_cond(w.s, 1600 * NS_PER_SEC, rekey_idle, &w));
	struct gdoi_ks_group_info ki;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	assert_true(ki.rekeys_sent >= 3);
	/* Always all N = 2 retransmissions, one copy each to the group address. */
	assert_int_equal(ki.rekeys_retransmitted, 2 * ki.rekeys_sent);
	assert_int_equal(ki.seq, 3 * ki.rekeys_sent);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_SEND_MCAST_REKEY], 3 * ki.rekeys_sent);
	assert_int_equal(ki.rekey_acks, 0);
	assert_int_equal(ki.members_ejected, 0);
	assert_int_equal(ki.n_members, 5);
	for (size_t i = 0; i < w.n; i++) {
		struct gdoi_gm_group_info gi = gm_info(&w, i);
		assert_true(gi.multicast);
		assert_int_equal(gi.rekeys_received, 3 * ki.rekeys_sent); /* every round is newer */
		assert_int_equal(gi.acks_sent, 0);
		assert_int_equal(w.gaps[i], 0);
		assert_int_equal(w.gm[i]->registrations, 1);
	}
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_REKEY_TRANS_2_MULTI], 5);
	world_down(&w);
}

static void test_transport_change_reaches_members(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	struct r_world w;
	world_up(&w, 3, NULL, &k, false);
	for (size_t i = 0; i < w.n; i++)
		sim_node_join(w.gm[i]->node, IP_MCAST);
	assert_true(sim_run_until_cond(w.s, 10 * NS_PER_SEC, all_registered, &w));
	sim_run_until(w.s, 100 * NS_PER_SEC);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_REKEY_TRANS_2_UNI], 3); /* at registration */
	/* `rekey transport multicast`: announced by a unicast push under the KEK they hold. */
	k.group.multicast = true;
	k.group.mcast_addr = IP_MCAST;
	char err[128] = "";
	assert_int_equal(gdoi_ks_config_replace(w.ks->ks, &k.cfg, sim_now(w.s), err, sizeof(err)),
			 0);
	sim_node_touch(w.ks->node);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_REKEY_TRANS_2_MULTI], 1);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_SEND_UNICAST_REKEY], 1);
	sim_run_until(w.s, 101 * NS_PER_SEC);
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_REKEY_TRANS_2_MULTI], 3);
	for (size_t i = 0; i < w.n; i++) {
		struct gdoi_gm_group_info gi = gm_info(&w, i);
		assert_true(gi.multicast);
		assert_int_equal(gi.kek_dst, IP_MCAST);
		assert_int_equal(gi.acks_sent, 1);
	}
	/* The next rekeys go to the group address, and keep everyone keyed. */
	watch(&w, 1500 * NS_PER_SEC, NS_PER_SEC);
	assert_true(w.ks_log->count[DIAG_MSG_KS_SEND_MCAST_REKEY] >= 3);
	for (size_t i = 0; i < w.n; i++) {
		assert_int_equal(w.gaps[i], 0);
		assert_int_equal(w.gm[i]->registrations, 1);
		assert_int_equal(gm_info(&w, i).acks_sent, 1);
	}
	world_down(&w);
}

/* ---- commands ---- */

static void test_rekey_now_clear_members_and_restored_seq(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	struct r_world w;
	world_registered(&w, 3, &k, false);
	sim_run_until(w.s, 100 * NS_PER_SEC);
	uint32_t old_spi = w.gm[0]->pol.tek[0].spi;
	/* `crypto gdoi ks rekey`: a new TEK pushed now; the old one runs out within 90 s. */
	assert_int_equal(gdoi_ks_rekey_now(w.ks->ks, "NOPE", false, sim_now(w.s)), ERR_NOTFOUND);
	assert_int_equal(gdoi_ks_rekey_now(w.ks->ks, NULL, false, sim_now(w.s)), 0);
	sim_node_touch(w.ks->node);
	sim_run_until(w.s, 101 * NS_PER_SEC);
	for (size_t i = 0; i < w.n; i++) {
		assert_int_equal(gm_info(&w, i).rekeys_received, 1);
		assert_int_equal(w.gm[i]->pol.n_teks, 2);
		const struct gdoi_tek *old = gdoi_policy_tek(&w.gm[i]->pol, old_spi);
		assert_non_null(old);
		assert_true(old->expires_ns <= 191 * NS_PER_SEC);
	}
	watch(&w, 300 * NS_PER_SEC, NS_PER_SEC);
	for (size_t i = 0; i < w.n; i++) {
		assert_int_equal(w.gaps[i], 0);
		assert_int_equal(w.gm[i]->pol.n_teks, 1);
		assert_true(w.gm[i]->pol.tek[0].spi != old_spi);
	}
	/* A restarted KS continues above the restored sequence number. */
	assert_int_equal(gdoi_ks_restore_seq(w.ks->ks, "G1", 1000), 0);
	assert_int_equal(gdoi_ks_restore_seq(w.ks->ks, "G1", 5), 0); /* never lowers */
	/* ... and `rekey replace-now` deletes the running TEK: members drop it after DTD. */
	uint32_t running = w.gm[0]->pol.tek[0].spi;
	assert_int_equal(gdoi_ks_rekey_now(w.ks->ks, "G1", true, sim_now(w.s)), 0);
	sim_node_touch(w.ks->node);
	sim_run_until(w.s, 301 * NS_PER_SEC);
	assert_int_equal(gm_info(&w, 0).last_rekey_seq, 1001);
	assert_int_equal(gdoi_ks_group_policy(w.ks->ks, 0)->n_teks, 1);
	assert_true(gdoi_ks_group_policy(w.ks->ks, 0)->tek[0].spi != running);
	const struct gdoi_tek *gone = gdoi_policy_tek(&w.gm[0]->pol, running);
	assert_non_null(gone);
	assert_true(gone->expires_ns <= (301 + w.gm[0]->pol.dtd_sec) * NS_PER_SEC);
	/* `clear crypto gdoi ks members`: nobody left to rekey; members register again in time. */
	assert_int_equal(gdoi_ks_clear_members(w.ks->ks, "G1", "admin", sim_now(w.s)), 0);
	struct gdoi_ks_group_info ki;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	assert_int_equal(ki.n_members, 0);
	assert_int_equal(w.ks_log->count[DIAG_MSG_KS_CLEAR_REGISTER], 1);
	watch(&w, 1200 * NS_PER_SEC, NS_PER_SEC);
	for (size_t i = 0; i < w.n; i++) {
		assert_int_equal(w.gaps[i], 0);
		assert_int_equal(w.gm[i]->registrations, 2);
	}
	world_down(&w);
}

/* ---- key server restart ---- */

/* The KS process restarts with the same configuration and loads blob. */
static int ks_restart(struct r_world *w, const struct h_ks_setup *setup, const uint8_t *blob,
		      size_t len, uint64_t elapsed_ns)
{
	struct gdoi_ks_io io = {
	    .ctx = w->ks, .send = r_ks_send, .persist = r_ks_persist, .event = h_ks_event};
	char err[128] = "";
	gdoi_ks_free(w->ks->ks);
	assert_int_equal(gdoi_ks_new(&setup->cfg, &io, sim_rng(w->s), &w->ks_log->d, sim_now(w->s),
				     &w->ks->ks, err, sizeof(err)),
			 0);
	int rc = blob ? gdoi_ks_state_load(w->ks->ks, blob, len, sim_now(w->s), elapsed_ns) : 0;
	sim_node_set_engine(w->ks->node, w->ks);
	return rc;
}

static void test_ks_restart_continues_from_its_state(void **state)
{
	(void)state;
	struct h_ks_setup k;
	ks_cfg(&k);
	struct r_world w;
	world_registered(&w, 3, &k, false);
	sim_run_until(w.s, 600 * NS_PER_SEC); /* one TEK rekey (~485 s) done */
	struct gdoi_ks_group_info before, after;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &before), 0);
	assert_int_equal(before.seq, 1);
	/* What the KS handed to io.persist when its state last changed (the ACKs of ~485 s). */
	assert_true(w.persists >= 2);
	struct dbuf d = {0};
	assert_int_equal(dbuf_append(&d, w.saved.p, w.saved.len), 0);
	struct dbuf now_state = {0};
	assert_int_equal(gdoi_ks_state_save(w.ks->ks, sim_now(w.s), &now_state), 0);
	assert_true(now_state.secret);
	dbuf_free(&now_state);
	/* Killed; back 30 s later. A corrupted or cut file is refused and changes nothing. */
	sim_node_set_up(w.ks->node, false);
	sim_run_until(w.s, 630 * NS_PER_SEC);
	sim_node_set_up(w.ks->node, true);
	uint8_t *bad = malloc(d.len);
	assert_non_null(bad);
	memcpy(bad, d.p, d.len);
	bad[d.len / 2] ^= 1;
	assert_int_equal(ks_restart(&w, &k, bad, d.len, 30 * NS_PER_SEC), ERR_AUTH);
	assert_int_equal(gdoi_ks_state_load(w.ks->ks, d.p, d.len - 1, sim_now(w.s), 0), ERR_AUTH);
	assert_int_equal(gdoi_ks_state_load(w.ks->ks, d.p, 10, sim_now(w.s), 0), ERR_PROTO);
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &after), 0);
	assert_int_equal(after.seq, 0);
	assert_int_equal(after.n_members, 0);
	free(bad);
	/* The good file: same KEK, members and K_ack, the sequence number far above. */
	assert_int_equal(ks_restart(&w, &k, d.p, d.len, 30 * NS_PER_SEC), 0);
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &after), 0);
	assert_int_equal(after.seq, before.seq + GDOI_KS_SEQ_MARGIN);
	assert_int_equal(after.n_members, 3);
	assert_memory_equal(after.kek_spi, before.kek_spi, GDOI_KEK_SPI_LEN);
	assert_int_equal(after.n_teks, before.n_teks);
	assert_int_equal(after.tek[0].spi, before.tek[0].spi);
	assert_true(after.pseudotime_ms >= before.pseudotime_ms + 30000);
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0, "G1", &m), 0);
	assert_int_equal(m.acks_rcvd, 1);
	dbuf_free(&d);
	/* The next rekeys (TEK ~970 s, KEK ~975 s) reach everyone, acknowledged; nobody
	 * re-registers. */
	watch(&w, 1300 * NS_PER_SEC, NS_PER_SEC);
	for (size_t i = 0; i < w.n; i++) {
		struct gdoi_gm_group_info gi = gm_info(&w, i);
		assert_true(gi.rekeys_received >= 3);
		assert_true(gi.last_rekey_seq > GDOI_KS_SEQ_MARGIN);
		assert_int_equal(w.gm[i]->registrations, 1);
		assert_int_equal(w.gaps[i], 0);
		assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM0 + (uint32_t)i, "G1", &m), 0);
		assert_int_equal(m.acks_rcvd, gi.rekeys_received);
	}
	assert_int_equal(w.gm_log->count[DIAG_MSG_GDOI_REKEY_FAILURE], 0);
	world_down(&w);
}

/* ---- many members, 30 % loss ---- */

static size_t members_param(void)
{
	const char *s = getenv("GVPN_REKEY_MEMBERS");
	size_t n = s ? strtoul(s, NULL, 0) : 2000;
	return n < 1 ? 1 : n > GMS_MAX ? GMS_MAX : n;
}

static void test_many_members_ten_rollovers_at_30pct_loss(void **state)
{
	(void)state;
	struct sim_link link = {
	    .loss = 0.30, .delay_min_ns = NS_PER_MS, .delay_max_ns = 20 * NS_PER_MS};
	struct h_ks_setup k;
	ks_cfg(&k);
	k.sa.life_sec = 3600;
	k.group.kek_life_sec = 7200;
	struct r_world w;
	size_t n = members_param();
	world_up(&w, n, &link, &k, false);
	/* 10 TEK roll-overs: the first at ~3385 s, then every ~3385 s. */
	uint64_t end = 3600 * NS_PER_SEC + 10 * 3385 * NS_PER_SEC;
	watch(&w, end, 5 * NS_PER_SEC);
	struct gdoi_ks_group_info ki;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &ki), 0);
	size_t gap_members = 0, rereg = 0, fresh = 0;
	for (size_t i = 0; i < n; i++) {
		gap_members += w.gaps[i] > 0;
		rereg += w.gm[i]->registrations > 1;
		assert_true(h_gm_can_send(w.gm[i], sim_now(w.s))); /* everyone ends with keys */
		fresh += gm_info(&w, i).last_rekey_seq + 3 >= ki.seq;
	}
	/* A member without keys for a moment must have registered again since. */
	for (size_t i = 0; i < n; i++)
		if (w.gaps[i])
			assert_true(w.gm[i]->registrations > 1);
	const struct sim_stats *st = sim_stats(w.s);
	printf("# %zu members, %llu rekeys (%llu rounds resent), seq %u; %zu re-registered, "
	       "%zu ever without a TEK, %llu ejected, %llu unsolicited ACKs; %llu datagrams, "
	       "%llu lost\n",
	       n, (unsigned long long)ki.rekeys_sent, (unsigned long long)ki.rekeys_retransmitted,
	       (unsigned)ki.seq, rereg, gap_members, (unsigned long long)ki.members_ejected,
	       (unsigned long long)ki.rekey_acks_unsol, (unsigned long long)st->sent,
	       (unsigned long long)st->lost);
	assert_true(ki.rekeys_sent >= 15);	  /* 10 TEK + 5 KEK roll-overs at least */
	assert_true(ki.rekeys_retransmitted > 0); /* the loss made rounds necessary */
	assert_true(st->lost > st->sent / 5);	  /* and it really happened */
	assert_true(fresh * 10 >= n * 8);	  /* most members got the last rekey */
	assert_int_equal(w.gm_log->count[DIAG_MSG_GM_HASH_FAIL], 0);
	assert_int_equal(ki.rekey_acks_unsol, 0); /* every member that ACKs was sent the rekey */
	world_down(&w);
}

static int setup(void **state)
{
	if (h_rsa_setup(state) < 0)
		return -1;
	return crypto_rsa_generate(&forger, 2048);
}

static int teardown(void **state)
{
	crypto_rsa_clear(&forger);
	return h_rsa_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_rollovers_without_loss),
	    TEST(test_replayed_reordered_forged_garbled_refused),
	    TEST(test_member_missing_acks_is_removed_and_reregisters),
	    TEST(test_member_cannot_acknowledge_for_another),
	    TEST(test_multicast_rounds_without_acks),
	    TEST(test_transport_change_reaches_members),
	    TEST(test_rekey_now_clear_members_and_restored_seq),
	    TEST(test_ks_restart_continues_from_its_state),
	    TEST(test_many_members_ten_rollovers_at_30pct_loss),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
