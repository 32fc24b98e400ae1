/*
 * One key server and one group member registering through the simulator,
 * message by message (style.md §9): before each step the message in RFC
 * notation with its direction, after it the states of both sides and the
 * exact SAs installed; at the end the syslog lines of both, by id and text.
 */
#include "test_registration_lib.h"

/* Internals, only to compare the K_ack both ends derived. */
#include "gdoi/gm_priv.h"
#include "gdoi/ks_priv.h"

#include "util/dbuf.h"
#include "util/hex.h"

#define IP_KS 0x0a010c02u /* 10.1.12.2 */
#define IP_GM 0x0a010d02u /* 10.1.13.2 */

struct count_at_least {
	const size_t *n;
	size_t want;
};

static bool reached(void *arg)
{
	const struct count_at_least *c = arg;
	return *c->n >= c->want;
}

/* Run until the node with counter rx has been handed its n-th datagram. */
static void deliver(struct sim *s, const size_t *rx, size_t n)
{
	struct count_at_least c = {rx, n};
	assert_true(sim_run_until_cond(s, sim_now(s) + 5 * NS_PER_SEC, reached, &c));
}

struct world {
	struct sim *s;
	struct h_log *ks_log, *gm_log;
	struct h_ks *ks;
	struct h_gm *gm;
};

static void world_up_id(struct world *w, bool fail_close, uint32_t id, bool debug)
{
	struct h_ks_setup ks;
	struct h_gm_setup gm;
	uint32_t servers[] = {IP_KS};
	w->s = sim_new(7, NS_PER_SEC, NULL); /* 1 ms links, no loss */
	w->ks_log = h_log_new(w->s, true);
	w->gm_log = h_log_new(w->s, true);
	if (debug) {
		/* debug crypto gdoi all-features all-levels, on both */
		assert_int_equal(diag_debug_gdoi_enable(&w->ks_log->d, DIAG_ROLE_ALL, DIAG_FEAT_ALL,
							DIAG_LVL_ALL),
				 0);
		assert_int_equal(diag_debug_gdoi_enable(&w->gm_log->d, DIAG_ROLE_ALL, DIAG_FEAT_ALL,
							DIAG_LVL_ALL),
				 0);
	}
	h_ks_setup(&ks, IP_KS, "getvpn-psk", &h_rsa);
	w->ks = h_ks_new(w->s, &ks, &w->ks_log->d);
	h_gm_setup(&gm, IP_GM, "getvpn-psk", servers, 1);
	gm.group.fail_close = fail_close;
	gm.group.id.value = id;
	w->gm = h_gm_new(w->s, &gm, &w->gm_log->d, sim_now(w->s));
}

static void world_up(struct world *w, bool fail_close)
{
	world_up_id(w, fail_close, 3333, false);
}

static void world_down(struct world *w)
{
	h_gm_free(w->gm);
	h_ks_free(w->ks);
	h_log_free(w->ks_log);
	h_log_free(w->gm_log);
	sim_free(w->s);
}

static void expect_hdr(const struct wire_isakmp_hdr *h, uint8_t exch, bool encrypted, uint8_t next)
{
	assert_int_equal(h->exch, exch);
	assert_int_equal(!!(h->flags & WIRE_FLAG_E), encrypted);
	assert_int_equal(h->next, next);
}

static size_t ks_members(const struct world *w)
{
	struct gdoi_ks_mem m;
	gdoi_ks_mem(w->ks->ks, &m);
	return m.members;
}

static size_t ks_pulls(const struct world *w)
{
	struct gdoi_ks_mem m;
	gdoi_ks_mem(w->ks->ks, &m);
	return m.pulls;
}

static void gm_info(const struct world *w, struct gdoi_gm_group_info *i)
{
	assert_int_equal(gdoi_gm_group_info(w->gm->gm, 0, sim_now(w->s), i), 0);
}

/* The SAs the GM installed are exactly the KS's, keys included. */
static void expect_installed_equals_ks(const struct world *w)
{
	const struct gdoi_policy *ks = gdoi_ks_group_policy(w->ks->ks, 0);
	const struct gdoi_policy *gm = &w->gm->pol;
	assert_true(w->gm->has_policy);
	assert_int_equal(w->gm->state, GDOI_GM_DP_POLICY);
	assert_true(gm->has_kek);
	assert_memory_equal(gm->kek.spi, ks->kek.spi, GDOI_KEK_SPI_LEN);
	assert_int_equal(gm->kek.alg, CRYPTO_CBC_AES128);
	assert_memory_equal(gm->kek.key, ks->kek.key, 16);
	assert_memory_equal(gm->kek.iv, ks->kek.iv, 16);
	assert_false(gm->kek.multicast);
	assert_true(gm->kek.ack_requested); /* unicast, and the member announced REKEY_ACK */
	assert_int_equal(gm->spki_len, ks->spki_len);
	assert_memory_equal(gm->spki, ks->spki, ks->spki_len);
	assert_int_equal(gm->n_teks, 1);
	assert_int_equal(gm->tek[0].spi, ks->tek[0].spi);
	assert_true(gm->tek[0].has_keys);
	assert_memory_equal(gm->tek[0].enc_key, ks->tek[0].enc_key, 32);
	assert_memory_equal(gm->tek[0].auth_key, ks->tek[0].auth_key, 32);
	assert_int_equal(gm->tek[0].replay, GDOI_REPLAY_TIME);
	assert_int_equal(gm->tek[0].replay_window, 4);
	assert_int_equal(gm->n_acl, 4); /* deny lines and the port range: a gvpn member */
	for (size_t i = 0; i < 4; i++)
		assert_true(gdoi_acl_line_equal(&gm->acl[i], &ks->acl[i]));
	assert_int_equal(gm->acl[0].action, GDOI_ACL_DENY);
	assert_int_equal(gm->acl[2].dport.op, GDOI_PORT_RANGE);
	assert_true(gm->has_seq);
	assert_int_equal(gm->seq, 0);
}

static void test_registration_step_by_step(void **state)
{
	(void)state;
	struct world w;
	struct gdoi_gm_group_info gi;
	world_up(&w, true);
	struct ike1_sa_table *kst = gdoi_ks_ike(w.ks->ks), *gst = gdoi_gm_ike(w.gm->gm);
	/* Fail-close: before anything is on the wire, the group drops all but control traffic. */
	assert_int_equal(w.gm->installs, 1);
	assert_int_equal(w.gm->state, GDOI_GM_DP_FAIL_CLOSED);
	assert_false(w.gm->has_policy);

	/* 1  GM -> KS  HDR, SA, VID                                  (Main Mode 1) */
	deliver(w.s, &w.ks->rx, 1);
	expect_hdr(&w.ks->last, WIRE_EXCH_IDPROT, false, WIRE_PL_SA);
	assert_string_equal(h_sa_state(kst), "MM_SA_SETUP");
	assert_string_equal(h_sa_state(gst), "MM_NO_STATE");
	gm_info(&w, &gi);
	assert_string_equal(gi.status, "Registering");
	assert_int_equal(gi.registering_to, IP_KS);
	assert_int_equal(gi.attempted, 1);

	/* 2  KS -> GM  HDR, SA, VID                                  (Main Mode 2) */
	deliver(w.s, &w.gm->rx, 1);
	expect_hdr(&w.gm->last, WIRE_EXCH_IDPROT, false, WIRE_PL_SA);
	assert_string_equal(h_sa_state(gst), "MM_SA_SETUP");

	/* 3  GM -> KS  HDR, KE, Ni */
	deliver(w.s, &w.ks->rx, 2);
	expect_hdr(&w.ks->last, WIRE_EXCH_IDPROT, false, WIRE_PL_KE);
	assert_string_equal(h_sa_state(kst), "MM_KEY_EXCH");

	/* 4  KS -> GM  HDR, KE, Nr */
	deliver(w.s, &w.gm->rx, 2);
	expect_hdr(&w.gm->last, WIRE_EXCH_IDPROT, false, WIRE_PL_KE);
	assert_string_equal(h_sa_state(gst), "MM_KEY_EXCH");

	/* 5  GM -> KS  HDR*, IDii, HASH_I */
	deliver(w.s, &w.ks->rx, 3);
	expect_hdr(&w.ks->last, WIRE_EXCH_IDPROT, true, WIRE_PL_ID);
	assert_string_equal(h_sa_state(kst), "GDOI_IDLE");
	assert_int_equal(ks_members(&w), 0);

	/* 6  KS -> GM  HDR*, IDir, HASH_R; the GM starts GROUPKEY-PULL at once */
	deliver(w.s, &w.gm->rx, 3);
	expect_hdr(&w.gm->last, WIRE_EXCH_IDPROT, true, WIRE_PL_ID);
	assert_string_equal(h_sa_state(gst), "GDOI_IDLE");
	assert_int_equal(w.gm->state, GDOI_GM_DP_FAIL_CLOSED);

	/* 7  GM -> KS  HDR*, HASH(1), Ni, ID                         (GROUPKEY-PULL) */
	deliver(w.s, &w.ks->rx, 4);
	expect_hdr(&w.ks->last, WIRE_EXCH_GROUPKEY_PULL, true, WIRE_PL_HASH);
	assert_int_equal(ks_pulls(&w), 1);
	assert_int_equal(ks_members(&w), 0); /* no member before HASH(3) */

	/* 8  KS -> GM  HDR*, HASH(2), Nr, SA */
	deliver(w.s, &w.gm->rx, 4);
	expect_hdr(&w.gm->last, WIRE_EXCH_GROUPKEY_PULL, true, WIRE_PL_HASH);
	gm_info(&w, &gi);
	assert_string_equal(gi.status, "Registering");
	assert_false(w.gm->has_policy); /* policy known, keys not yet: nothing installed */
	assert_int_equal(w.gm->installs, 1);

	/* 9  GM -> KS  HDR*, HASH(3) */
	deliver(w.s, &w.ks->rx, 5);
	expect_hdr(&w.ks->last, WIRE_EXCH_GROUPKEY_PULL, true, WIRE_PL_HASH);
	assert_int_equal(ks_members(&w), 1); /* HASH(3) verified: now there is a member */
	assert_int_equal(ks_pulls(&w), 0);
	assert_int_equal(w.ks->registered, 1);

	/* 10 KS -> GM  HDR*, HASH(4), SEQ, KD */
	deliver(w.s, &w.gm->rx, 5);
	expect_hdr(&w.gm->last, WIRE_EXCH_GROUPKEY_PULL, true, WIRE_PL_HASH);
	assert_int_equal(w.gm->installs, 2);
	expect_installed_equals_ks(&w);
	gm_info(&w, &gi);
	assert_string_equal(gi.status, "Registered");
	assert_int_equal(gi.registered_with, IP_KS);
	assert_int_equal(gi.succeeded, 1);
	assert_int_equal(gi.attempted, 1);
	assert_false(gi.fail_close_active);
	assert_true(gi.acl_known);
	/* L = 3600 s: lead = min(1800, max(60, 108..180)) s. */
	assert_in_range(gi.reregister_in_sec, 3600 - 181, 3600 - 108);
	assert_string_equal(h_sa_state(kst), "GDOI_IDLE");
	assert_string_equal(h_sa_state(gst), "GDOI_IDLE");

	/* Both ends keep the same K_ack for acknowledging rekeys later (notes §5.3). */
	const struct ks_member *km = ks_member_find(w.ks->ks, IP_GM, w.ks->ks->groups[0]);
	const struct gm_group *gg = w.gm->gm->groups[0];
	assert_non_null(km);
	assert_int_equal(km->kack_len, 32);
	assert_int_equal(gg->kack_len, 32);
	assert_memory_equal(km->kack, gg->kack, 32);
	/* Nothing more on the wire: the registration SA stays, idle. */
	size_t ks_rx = w.ks->rx, gm_rx = w.gm->rx;
	sim_run_until(w.s, sim_now(w.s) + 60 * NS_PER_SEC);
	assert_int_equal(w.ks->rx, ks_rx);
	assert_int_equal(w.gm->rx, gm_rx);

	/* Syslog of the GM, in this order. */
	char txt[256], spi[40];
	size_t at = 0;
	const struct gdoi_policy *p = gdoi_ks_group_policy(w.ks->ks, 0);
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGSTER,
		     "Start registration to KS 10.1.12.2 for group G1 using address 10.1.13.2");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REKEY_TRANS_2_UNI,
		     "Group G1 transitioned to Unicast Rekey.");
	hex_encode_upper(p->kek.spi, GDOI_KEK_SPI_LEN, spi, sizeof(spi));
	snprintf(txt, sizeof(txt), "SA KEK was updated (group G1, spi %s)", spi);
	h_log_expect(w.gm_log, &at, DIAG_MSG_SA_KEK_UPDATED, txt);
	snprintf(txt, sizeof(txt), "SA TEK was updated (group G1, spi 0x%08X)",
		 (unsigned)p->tek[0].spi);
	h_log_expect(w.gm_log, &at, DIAG_MSG_SA_TEK_UPDATED, txt);
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_REGS_COMPL,
		     "Registration to KS 10.1.12.2 complete for group G1 using address 10.1.13.2");
	h_log_expect(w.gm_log, &at, DIAG_MSG_GM_INSTALL_POLICIES_SUCCESS,
		     "SUCCESS: Installation of Reg/Rekey policies from KS 10.1.12.2 for group G1 & "
		     "gm identity 10.1.13.2");
	assert_int_equal(at, h_log_messages(w.gm_log)); /* and nothing else */

	/* Syslog of the KS. */
	at = 0;
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_REGS_COMPL,
		     "KS completed successful registration in group G1 with GM 10.1.13.2 "
		     "(version gvpn 1.0, capabilities 0x0000002f)");
	h_log_expect(w.ks_log, &at, DIAG_MSG_KS_FIRST_GM, "First GM 10.1.13.2 joined group G1");
	assert_int_equal(at, h_log_messages(w.ks_log));
	world_down(&w);
}

/* The KS member record after the registration: what `show crypto gdoi ks members` prints. */
static void test_member_record_and_show(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, false);
	sim_run_until(w.s, sim_now(w.s) + 5 * NS_PER_SEC);
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(w.ks->ks, IP_GM, "G1", &m), 0);
	assert_string_equal(m.group, "G1");
	assert_int_equal(m.group_id.value, 3333);
	assert_int_equal(m.ks_addr, IP_KS);
	assert_true(m.caps.gvpn);
	assert_int_equal(m.caps.caps, GDOI_CAPS_ALL);
	assert_string_equal(m.version, "gvpn 1.0, capabilities 0x0000002f");
	assert_int_equal(m.registrations, 1);
	assert_int_equal(m.rekeys_sent, 0);
	assert_int_equal(m.sent_seq[0], 0);
	struct gdoi_ks_group_info g;
	assert_int_equal(gdoi_ks_group_info(w.ks->ks, 0, sim_now(w.s), &g), 0);
	assert_int_equal(g.n_members, 1);
	assert_true(g.has_kek);
	assert_string_equal(g.kek_alg, "AES");
	assert_int_equal(g.kek_key_bytes, 16);
	assert_int_equal(g.sig_key_bits, 2048);
	assert_string_equal(g.sig_key_name, "key1");
	assert_int_equal(g.n_teks, 1);
	assert_string_equal(g.tek[0].transform, "esp-aes 256 esp-sha256-hmac");
	assert_string_equal(g.tek[0].acl_name, "ENCPOL");
	assert_int_equal(g.tek[0].replay_window, 4);
	/* The GM's ACL as `show crypto gdoi gm acl` prints it. */
	const struct gdoi_policy *p = gdoi_gm_group_policy(w.gm->gm, 0);
	assert_non_null(p);
	char line[160];
	gdoi_acl_entry_format(&p->acl[1], line, sizeof(line));
	assert_string_equal(line, "access-list deny udp any port = 848 any port = 848");
	gdoi_acl_entry_format(&p->acl[2], line, sizeof(line));
	assert_string_equal(line,
			    "access-list permit tcp 10.1.0.0 0.0.255.255 10.2.0.0 0.0.255.255 "
			    "port range 1000 2000");
	world_down(&w);
}

/* Is any kept line containing needle there? */
static bool has_line(const struct h_log *l, const char *needle)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->line[i].text, needle))
			return true;
	return false;
}

/* No debug line shows these key octets, in either hex case. */
static void expect_not_shown(const struct h_log *l, const uint8_t *key, size_t len)
{
	char lo[2 * 64 + 1], up[2 * 64 + 1];
	size_t n = len < 8 ? len : 8; /* 8 octets are enough to recognise a key */
	hex_encode(key, n, lo, sizeof(lo));
	hex_encode_upper(key, n, up, sizeof(up));
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->line[i].text, lo) || strstr(l->line[i].text, up))
			fail_msg("key material in: %s", l->line[i].text);
}

struct trace_find {
	const char *needle;
	bool found;
};

static int trace_visit(void *arg, enum diag_trace_ring ring, const struct diag_trace_entry *e)
{
	struct trace_find *f = arg;
	struct dbuf d = {0};
	diag_trace_format_text(&d, ring, e);
	if (d.len && strstr(dbuf_str(&d), f->needle))
		f->found = true;
	dbuf_free(&d);
	return 0;
}

static bool has_trace(struct diag *d, enum diag_trace_ring ring, const char *needle)
{
	struct trace_find f = {needle, false};
	struct diag_trace_query q = {.rings = 1u << ring, .when = DIAG_TRACE_WHEN_ALL};
	diag_trace_query(d, &q, trace_visit, &f);
	return f.found;
}

/* debug crypto gdoi ... all-levels: events, details and decoded payloads, never a key. */
static void test_debug_output_and_event_traces(void **state)
{
	(void)state;
	struct world w;
	world_up_id(&w, false, 3333, true);
	sim_run_until(w.s, sim_now(w.s) + 5 * NS_PER_SEC);
	assert_true(w.gm->has_policy);
	assert_true(has_line(w.gm_log, "GDOI:GM REGISTRATION:EVT:(1):Group G1: sent GROUPKEY-PULL "
				       "message 1"));
	assert_true(has_line(w.gm_log, "GDOI:GM REGISTRATION:PAK:(1):SA TEK: spi 0x"));
	assert_true(has_line(w.gm_log, "GDOI:GM REGISTRATION:PAK:(1):ACL: access-list deny udp any "
				       "port = 848 any port = 848"));
	assert_true(has_line(w.gm_log, "GDOI:GM REGISTRATION:DET:(1):Group G1: re-registers in"));
	assert_true(has_line(w.ks_log,
			     "GDOI:KS REGISTRATION:EVT:(1):Received GROUPKEY-PULL message "
			     "1 for group G1"));
	assert_true(has_line(w.ks_log, "GDOI:KS REGISTRATION:PAK:(1):SA KEK: alg AES-128"));
	assert_true(has_line(w.ks_log, "GDOI:KS REGISTRATION:PAK:(1):KD: KEK key packet"));
	const struct gdoi_policy *p = gdoi_ks_group_policy(w.ks->ks, 0);
	for (size_t i = 0; i < 2; i++) {
		const struct h_log *l = i ? w.ks_log : w.gm_log;
		expect_not_shown(l, p->kek.key, 16);
		expect_not_shown(l, p->kek.iv, 16);
		expect_not_shown(l, p->tek[0].enc_key, 32);
		expect_not_shown(l, p->tek[0].auth_key, 32);
	}
	/* The always-on registration rings. */
	assert_true(
	    has_trace(&w.gm_log->d, DIAG_TRACE_REGISTRATION,
		      "GDOI_REG_EVENT: GM_REG_START: group G1 to KS 10.1.12.2 (attempt 1)"));
	assert_true(
	    has_trace(&w.gm_log->d, DIAG_TRACE_REGISTRATION,
		      "GDOI_REG_EVENT: GM_REG_COMPLETE: group G1 KS 10.1.12.2, 1 TEKs, seq 0"));
	assert_true(
	    has_trace(&w.ks_log->d, DIAG_TRACE_REGISTRATION,
		      "GDOI_REG_EVENT: KS_REG_COMPLETE: GM 10.1.13.2 registered in group G1"));
	world_down(&w);
	/* An error exit lands in the exit ring: a GM asking for a group the KS does not have. */
	world_up_id(&w, false, 4444, false);
	sim_run_until(w.s, sim_now(w.s) + 5 * NS_PER_SEC);
	assert_true(has_trace(&w.ks_log->d, DIAG_TRACE_EXIT, "KS_BAD_ID:group identity 4444"));
	assert_true(
	    has_trace(&w.gm_log->d, DIAG_TRACE_EXIT,
		      "REGISTRATION_FAILED:KS 10.1.12.2: KS answered INVALID-ID-INFORMATION"));
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_registration_step_by_step),
	    TEST(test_member_record_and_show),
	    TEST(test_debug_output_and_event_traces),
	};
	return cmocka_run_group_tests(tests, h_rsa_setup, h_rsa_teardown);
}
