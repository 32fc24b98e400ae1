/*
 * daemon/gmdp: the GM's installs turned into data-plane snapshots. A TEK
 * keeps its SA object across installs (so its IV counters never restart),
 * new SPIs get new SAs, gone ones are released; ACL lines carry their
 * TEK's sa_num as tag; a transform the data plane lacks is left out.
 * GCM TEKs send with the registration's sender ID in their IVs: a new SID
 * gets a new SA object, an old SID's object (and counter) comes back, and
 * without a SID the SA only receives.
 */
#include "test.h"

#include <stdlib.h>

#include "daemon/gmdp.h"
#include "diag/log.h"
#include "util/err.h"

struct seen {
	size_t count, n;
	struct dp_sad_group_desc g[4];
	struct dp_sad_sa *sas[4][GDOI_TEKS_MAX];
};

static struct seen seen;
static struct dp_sad *sad;

static int publish(void *arg, const struct dp_sad_group_desc *g, size_t n)
{
	(void)arg;
	struct dp_sad_desc d = {.groups = g, .ngroups = n};
	struct dp_sad_snap *s;
	int rc = dp_sad_snap_build(sad, &d, &s);
	if (rc)
		return rc;
	dp_sad_publish(sad, s);
	seen.count++;
	seen.n = n;
	for (size_t i = 0; i < n; i++) {
		seen.g[i] = g[i];
		for (size_t j = 0; j < g[i].nsas; j++)
			seen.sas[i][j] = g[i].sas[j];
	}
	return 0;
}

static void tek(struct gdoi_policy *p, uint32_t spi, uint16_t sa_num, uint8_t auth)
{
	struct gdoi_tek *t = &p->tek[p->n_teks++];
	*t = (struct gdoi_tek){.spi = spi, .sa_num = sa_num,
			       .xf = {GDOI_ENC_AES_CBC, 128, auth}, .has_keys = true,
			       .life_sec = 3600, .expires_ns = 3600 * NS_PER_SEC,
			       .replay = GDOI_REPLAY_TIME, .replay_window = 4};
	memset(t->enc_key, 0x11, sizeof(t->enc_key));
	memset(t->auth_key, 0x22, sizeof(t->auth_key));
}

static void policy(struct gdoi_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->acl[p->n_acl++] = (struct gdoi_acl_entry){
	    .seq = 10, .action = GDOI_ACL_DENY, .proto = 17, .src_wild = ~0u, .dst_wild = ~0u,
	    .sport = {GDOI_PORT_EQ, 848, 0}, .dport = {GDOI_PORT_EQ, 848, 0}};
	p->acl[p->n_acl++] = (struct gdoi_acl_entry){
	    .seq = 20, .action = GDOI_ACL_PERMIT, .src = 0xc0a80d00, .src_wild = 0xff,
	    .dst = 0xc0a80e00, .dst_wild = 0xff, .sa_num = 1};
	p->has_pseudotime = true;
	p->pt_ms = 50000;
	p->pt_at_ns = 20 * NS_PER_SEC;
}

static struct daemon_gmdp *setup_gmdp(void)
{
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(dp_sad_create(2, &sad), 0);
	static const char *const groups[] = {"G1", "G2"};
	struct daemon_gmdp *g;
	assert_int_equal(daemon_gmdp_new(sad, groups, 2, publish, NULL, crypto_rng_system(), NULL,
					 &g),
			 0);
	return g;
}

static void teardown_gmdp(struct daemon_gmdp *g)
{
	/* an empty snapshot first: the published one still references the SAs */
	struct dp_sad_desc none = {0};
	struct dp_sad_snap *s;
	assert_int_equal(dp_sad_snap_build(sad, &none, &s), 0);
	dp_sad_publish(sad, s);
	daemon_gmdp_free(g);
	dp_sad_destroy(sad);
}

static void test_install_keeps_sas(void **state)
{
	(void)state;
	struct daemon_gmdp *g = setup_gmdp();
	struct gdoi_policy p;
	policy(&p);
	tek(&p, 0x1000, 1, GDOI_AUTH_SHA256);
	tek(&p, 0x2000, 1, GDOI_AUTH_SHA1);
	struct gdoi_gm_install in = {.group = "G1", .state = GDOI_GM_DP_POLICY, .policy = &p};
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_int_equal(seen.count, 1);
	assert_int_equal(seen.n, 2);
	/* G1 with its ACL and both SAs; G2 (not registered) without ACL */
	assert_non_null(seen.g[0].acl);
	assert_int_equal(seen.g[0].acl->n, 2);
	assert_int_equal(seen.g[0].acl->rules[0].e.action, DP_ACL_DENY);
	assert_int_equal(seen.g[0].acl->rules[0].e.dport.op, DP_ACL_PORT_EQ);
	assert_int_equal(seen.g[0].acl->rules[0].e.dport.a, 848);
	assert_int_equal(seen.g[0].acl->rules[1].e.tek_tag, 1);
	assert_int_equal(seen.g[0].nsas, 2);
	assert_int_equal(seen.g[0].pt_offset_ms, 50000 - 20000);
	assert_null(seen.g[1].acl);
	struct dp_sad_sa *first = seen.sas[0][0];
	assert_int_equal(first->spi, 0x1000);
	assert_int_equal(first->tek_tag, 1);
	assert_int_equal(first->replay, DP_SAD_REPLAY_TBAR);

	/* a re-registration: 0x1000 stays (same object), 0x2000 goes, 0x3000 comes */
	policy(&p);
	tek(&p, 0x1000, 1, GDOI_AUTH_SHA256);
	tek(&p, 0x3000, 1, GDOI_AUTH_SHA256);
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_int_equal(seen.g[0].nsas, 2);
	assert_ptr_equal(seen.sas[0][0], first);
	assert_int_equal(seen.sas[0][1]->spi, 0x3000);

	/* remove: the group is published without policy */
	assert_int_equal(daemon_gmdp_remove(g, "G1"), 0);
	assert_null(seen.g[0].acl);
	assert_int_equal(seen.g[0].nsas, 0);
	assert_int_equal(daemon_gmdp_remove(g, "G9"), ERR_NOTFOUND);
	teardown_gmdp(g);
}

/* The SA the group's permit line (index 1 of policy()) sends with. */
static uint32_t sending_spi(size_t group)
{
	const struct dp_sad_snap *s = dp_sad_current(sad);
	const struct dp_sad_sa *sa = s->groups[group].out_sa[1];
	return sa ? sa->spi : 0;
}

static void test_activation_delay(void **state)
{
	(void)state;
	struct daemon_gmdp *g = setup_gmdp();
	struct gdoi_policy p;
	policy(&p);
	tek(&p, 0x1000, 1, GDOI_AUTH_SHA256);
	struct gdoi_gm_install in = {.group = "G1", .state = GDOI_GM_DP_POLICY, .policy = &p};
	assert_int_equal(daemon_gmdp_install(g, &in, 10 * NS_PER_SEC), 0);
	assert_int_equal(sending_spi(0), 0x1000);

	/* a rekey at 100 s brings 0x2000, active from 130 s: received at once, not sent */
	tek(&p, 0x2000, 1, GDOI_AUTH_SHA256);
	p.tek[1].expires_ns = 7200 * NS_PER_SEC;
	p.tek[1].active_ns = 130 * NS_PER_SEC;
	assert_int_equal(daemon_gmdp_install(g, &in, 100 * NS_PER_SEC), 0);
	assert_int_equal(seen.g[0].nsas, 2);
	assert_int_equal(seen.g[0].hold_mask, 2);
	assert_int_equal(sending_spi(0), 0x1000);
	const struct dp_sad_snap *s = dp_sad_current(sad);
	assert_non_null(dp_sad_lookup(s, 0x2000));

	/* a snapshot rebuilt before the activation time still holds it */
	assert_int_equal(daemon_gmdp_install(g, &in, 130 * NS_PER_SEC - 1), 0);
	assert_int_equal(sending_spi(0), 0x1000);

	/* the engine's install at the activation time: the new SPI sends, the old receives */
	assert_int_equal(daemon_gmdp_install(g, &in, 130 * NS_PER_SEC), 0);
	assert_int_equal(sending_spi(0), 0x2000);
	assert_int_equal(seen.g[0].hold_mask, 1);
	s = dp_sad_current(sad);
	assert_non_null(dp_sad_lookup(s, 0x1000));
	teardown_gmdp(g);
}

static void test_unusable_and_fail_close(void **state)
{
	(void)state;
	struct daemon_gmdp *g = setup_gmdp();
	struct gdoi_policy p;
	policy(&p);
	/* HMAC-SHA-384 is not in the data plane: that TEK is left out */
	tek(&p, 0x1000, 1, GDOI_AUTH_SHA384);
	tek(&p, 0x2000, 1, GDOI_AUTH_SHA256);
	struct gdoi_gm_install in = {.group = "G2", .state = GDOI_GM_DP_POLICY, .policy = &p};
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_int_equal(seen.g[1].nsas, 1);
	assert_int_equal(seen.sas[1][0]->spi, 0x2000);
	/* nothing usable at all: refused, the previous state stays */
	size_t before = seen.count;
	policy(&p);
	tek(&p, 0x4000, 1, GDOI_AUTH_SHA384);
	assert_int_equal(daemon_gmdp_install(g, &in, 0), ERR_INVAL);
	assert_int_equal(seen.count, before);
	/* fail-close before registration: published, no policy */
	struct gdoi_gm_install fc = {.group = "G2", .state = GDOI_GM_DP_FAIL_CLOSED};
	assert_int_equal(daemon_gmdp_install(g, &fc, 0), 0);
	assert_null(seen.g[1].acl);
	/* an "any protocol, port 80" selector reaches the data plane as TCP, UDP and SCTP lines */
	policy(&p);
	p.acl[1].dport = (struct gdoi_ports){GDOI_PORT_EQ, 80, 0};
	tek(&p, 0x5000, 1, GDOI_AUTH_SHA256);
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_int_equal(seen.g[1].acl->n, 4);
	assert_int_equal(seen.g[1].acl->rules[1].e.proto, 6);
	assert_int_equal(seen.g[1].acl->rules[3].e.proto, 132);
	assert_int_equal(seen.g[1].acl->rules[3].e.dport.a, 80);
	/* a group not on the crypto map */
	struct gdoi_gm_install other = {.group = "G7", .state = GDOI_GM_DP_POLICY, .policy = &p};
	assert_int_equal(daemon_gmdp_install(g, &other, 0), ERR_NOTFOUND);
	teardown_gmdp(g);
}

static void gcm_tek(struct gdoi_policy *p, uint32_t spi)
{
	tek(p, spi, 1, GDOI_AUTH_NONE);
	p->tek[p->n_teks - 1].xf = (struct gdoi_transform){GDOI_ENC_AES_GCM, 128, GDOI_AUTH_NONE};
}

/* The group's SA of this SPI in the current snapshot. */
static struct dp_sad_sa *sa_of(uint32_t spi)
{
	const struct dp_sad_slot *sl = dp_sad_lookup(dp_sad_current(sad), spi);
	assert_non_null(sl);
	return sl->sa;
}

/* The top sid_bits of the next IV worker w's context of sa sends (and uses one IV). */
static uint32_t next_iv_sid(struct dp_sad_sa *sa, size_t w, unsigned sid_bits)
{
	uint8_t iv[DP_ESP_IV_MAX];
	assert_int_equal(dp_esp_next_iv(&sa->w[w].esp, iv), 0);
	uint64_t v = 0;
	for (size_t i = 0; i < 8; i++)
		v = v << 8 | iv[i];
	return (uint32_t)(v >> (64 - sid_bits));
}

static void test_gcm_sender_id(void **state)
{
	(void)state;
	struct daemon_gmdp *g = setup_gmdp();
	struct gdoi_policy p;
	policy(&p);
	gcm_tek(&p, 0x1000);
	struct gdoi_gm_install in = {
	    .group = "G1", .state = GDOI_GM_DP_POLICY, .policy = &p, .sid = 0x0123, .sid_bits = 16};
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	struct dp_sad_sa *first = sa_of(0x1000);
	assert_true(first->can_send);
	assert_int_equal(sending_spi(0), 0x1000);
	/* every worker's IVs start with the SID */
	assert_int_equal(next_iv_sid(first, 0, 16), 0x0123);
	assert_int_equal(next_iv_sid(first, 1, 16), 0x0123);
	uint64_t used = first->w[0].esp.iv_next;

	/* a rekey install under the same SID: same object, the counter goes on */
	gcm_tek(&p, 0x2000);
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_ptr_equal(sa_of(0x1000), first);
	assert_int_equal(first->w[0].esp.iv_next, used);
	struct dp_sad_sa *second = sa_of(0x2000);
	assert_int_equal(next_iv_sid(second, 0, 16), 0x0123);

	/* a new registration with a new SID: new objects for both SPIs, counters from 1 */
	in.sid = 0x0456;
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	struct dp_sad_sa *renewed = sa_of(0x1000);
	assert_ptr_not_equal(renewed, first);
	assert_ptr_not_equal(sa_of(0x2000), second);
	assert_true(renewed->can_send);
	assert_int_equal(renewed->w[0].esp.iv_next, 1);
	assert_int_equal(next_iv_sid(renewed, 0, 16), 0x0456);
	assert_int_equal(next_iv_sid(sa_of(0x2000), 1, 16), 0x0456);

	/* back to the old SID: its objects return, their counters were not restarted */
	in.sid = 0x0123;
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_ptr_equal(sa_of(0x1000), first);
	assert_ptr_equal(sa_of(0x2000), second);
	assert_int_equal(first->w[0].esp.iv_next, used);

	/* removed (e.g. clear crypto gdoi) and registered again with the same SID */
	assert_int_equal(daemon_gmdp_remove(g, "G1"), 0);
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_ptr_equal(sa_of(0x1000), first);
	assert_int_equal(first->w[0].esp.iv_next, used);

	/* a parked object goes once its TEK expired: a later install makes a new one */
	in.sid = 0x0789;
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	in.sid = 0x0123;
	assert_int_equal(daemon_gmdp_install(g, &in, 3600 * NS_PER_SEC), 0);
	assert_ptr_not_equal(sa_of(0x1000), first);
	teardown_gmdp(g);
}

static void test_gcm_park_full(void **state)
{
	(void)state;
	struct daemon_gmdp *g = setup_gmdp();
	struct gdoi_policy p;
	policy(&p);
	gcm_tek(&p, 0x1000);
	struct gdoi_gm_install in = {.group = "G1", .state = GDOI_GM_DP_POLICY, .policy = &p,
				     .sid_bits = 16};
	/* 40 registrations in a row: more old objects than the park holds */
	struct dp_sad_sa *last_old = NULL;
	for (uint32_t sid = 1; sid <= 40; sid++) {
		in.sid = sid;
		assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
		if (sid == 39)
			last_old = sa_of(0x1000);
		assert_int_equal(next_iv_sid(sa_of(0x1000), 0, 16), sid);
	}
	/* the most recent old SID is still parked: its object comes back */
	in.sid = 39;
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_ptr_equal(sa_of(0x1000), last_old);
	assert_int_equal(last_old->w[0].esp.iv_next, 2);
	teardown_gmdp(g);
}

static void test_gcm_without_sender_id(void **state)
{
	(void)state;
	struct daemon_gmdp *g = setup_gmdp();
	struct gdoi_policy p;
	policy(&p);
	gcm_tek(&p, 0x1000);
	tek(&p, 0x3000, 2, GDOI_AUTH_SHA256);
	struct gdoi_gm_install in = {.group = "G1", .state = GDOI_GM_DP_POLICY, .policy = &p};
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	/* no SID: the GCM SA is installed for receiving but cannot send */
	struct dp_sad_sa *gcm = sa_of(0x1000), *cbc = sa_of(0x3000);
	assert_false(gcm->can_send);
	uint8_t iv[DP_ESP_IV_MAX];
	assert_int_equal(dp_esp_next_iv(&gcm->w[0].esp, iv), ERR_STATE);
	assert_true(cbc->can_send);

	/* the SID arrives: a new, sending GCM object; the CBC SA does not change */
	in.sid = 7;
	in.sid_bits = 8;
	assert_int_equal(daemon_gmdp_install(g, &in, 0), 0);
	assert_ptr_not_equal(sa_of(0x1000), gcm);
	assert_true(sa_of(0x1000)->can_send);
	assert_int_equal(next_iv_sid(sa_of(0x1000), 0, 8), 7);
	assert_ptr_equal(sa_of(0x3000), cbc);
	teardown_gmdp(g);
}

static void test_xform(void **state)
{
	(void)state;
	struct dp_esp_xform x;
	assert_int_equal(daemon_gmdp_xform(&(struct gdoi_transform){GDOI_ENC_AES_GCM, 256, 0}, &x), 0);
	assert_int_equal(x.encr, DP_ESP_ENCR_AES_GCM);
	assert_int_equal(x.key_bits, 256);
	assert_int_equal(daemon_gmdp_xform(&(struct gdoi_transform){GDOI_ENC_3DES, 192, GDOI_AUTH_SHA1},
					   &x),
			 0);
	assert_int_equal(x.encr, DP_ESP_ENCR_3DES_CBC);
	assert_int_equal(x.auth, DP_ESP_AUTH_SHA1_96);
	assert_int_equal(daemon_gmdp_xform(&(struct gdoi_transform){GDOI_ENC_NULL, 0, GDOI_AUTH_SHA256},
					   &x),
			 0);
	/* CBC without integrity is refused (vector-only in dp/esp) */
	assert_int_equal(daemon_gmdp_xform(&(struct gdoi_transform){GDOI_ENC_AES_CBC, 128, 0}, &x),
			 ERR_UNSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_install_keeps_sas),
	    TEST(test_activation_delay),
	    TEST(test_unusable_and_fail_close),
	    TEST(test_gcm_sender_id),
	    TEST(test_gcm_park_full),
	    TEST(test_gcm_without_sender_id),
	    TEST(test_xform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
