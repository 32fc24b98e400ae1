/*
 * gdoi/ks without a network: configuration checks with their messages,
 * fresh keys, TEK and KEK roll-over at the rekey times of
 * behavior-reference §2.2 (two generations at most), configuration
 * replace, and the UDP 848 dispatch rule.
 */
#include "test.h"

#include <stdlib.h>

#include "gdoi/dispatch.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "util/clock.h"
#include "util/err.h"
#include "wire/isakmp.h"
#include "wire/names.h"

#define T0    (5 * NS_PER_SEC)
#define KS_IP 0x0a010b02u

static const struct ike1_policy p1[] = {
    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, WIRE_GROUP_ECP256, 86400},
};

static const struct gdoi_acl_entry acl[] = {
    {.seq = 10,
     .action = GDOI_ACL_DENY,
     .proto = 17,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .sport = {GDOI_PORT_EQ, 848, 0},
     .dport = {GDOI_PORT_EQ, 848, 0}},
    {.seq = 20, .action = GDOI_ACL_PERMIT, .proto = 0, .src_wild = ~0u, .dst_wild = ~0u},
};

struct fixture {
	struct gdoi_ks_config cfg;
	struct gdoi_ks_group_config group[2];
	struct gdoi_ks_sa_config sa[2];
	struct gdoi_acl_entry acl2[40];
	struct crypto_rng rng;
	size_t sent, rolled_teks, rolled_keks;
};

static void on_event(void *ctx, const struct gdoi_ks_event *ev)
{
	struct fixture *f = ctx;
	f->rolled_teks += ev->type == GDOI_KS_EV_TEK_ROLLED;
	f->rolled_keks += ev->type == GDOI_KS_EV_KEK_ROLLED;
}

static void on_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct fixture *f = ctx;
	(void)peer;
	(void)msg;
	(void)len;
	f->sent++;
}

static void fixture(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	crypto_rng_seeded(&f->rng, 99);
	f->sa[0] = (struct gdoi_ks_sa_config){.number = 1,
					      .acl_name = "ENC",
					      .xf = {GDOI_ENC_AES_GCM, 256, GDOI_AUTH_NONE},
					      .life_sec = 600,
					      .acl = acl,
					      .n_acl = 2};
	f->group[0] = (struct gdoi_ks_group_config){.name = "G1",
						    .id = {GDOI_ID_NUMBER, 1},
						    .rsa_label = "k",
						    .kek_life_sec = 1200,
						    .sas = f->sa,
						    .n_sas = 1};
	ike1_config_default(&f->cfg.ike);
	f->cfg.ike.policies = p1;
	f->cfg.ike.n_policies = 1;
	f->cfg.ike.local = (struct ike1_peer){KS_IP, 848};
	f->cfg.caps = GDOI_CAPS_ALL;
	f->cfg.groups = f->group;
	f->cfg.n_groups = 1;
}

static struct gdoi_ks *ks_new(struct fixture *f)
{
	struct gdoi_ks_io io = {.ctx = f, .send = on_send, .event = on_event};
	struct gdoi_ks *ks;
	char err[160];
	int rc = gdoi_ks_new(&f->cfg, &io, &f->rng, NULL, T0, &ks, err, sizeof(err));
	if (rc < 0)
		fail_msg("%s", err);
	return ks;
}

static int new_error(struct fixture *f, char *err, size_t cap)
{
	struct gdoi_ks_io io = {.ctx = f, .send = on_send};
	struct gdoi_ks *ks = NULL;
	err[0] = 0;
	int rc = gdoi_ks_new(&f->cfg, &io, &f->rng, NULL, T0, &ks, err, cap);
	gdoi_ks_free(ks);
	return rc;
}

static void test_configuration_errors_name_the_problem(void **state)
{
	(void)state;
	static struct fixture f;
	char err[160];
	fixture(&f);
	f.acl2[0] = acl[1];
	f.acl2[0].src_wild = 0x00ff00ffu;
	f.sa[0].acl = f.acl2;
	f.sa[0].n_acl = 1;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1 ACL ENC line 20: non-contiguous wildcard");

	fixture(&f);
	f.sa[0].xf = (struct gdoi_transform){GDOI_ENC_AES_CBC, 100, GDOI_AUTH_SHA1};
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1 sa ipsec 1: AES-CBC key length not 128/192/256");

	fixture(&f);
	for (size_t i = 0; i < 33; i++)
		f.acl2[i] = acl[1];
	f.sa[0].acl = f.acl2;
	f.sa[0].n_acl = 32;
	f.sa[1] = f.sa[0];
	f.sa[1].number = 2;
	f.sa[1].n_acl = 1;
	f.group[0].n_sas = 2;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1: 33 ACL lines in all; at most 32 fit the policy");

	fixture(&f);
	f.group[1] = f.group[0];
	f.cfg.n_groups = 2;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1 configured twice");
	f.group[1].name = "G2";
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "groups G2 and G1 share an identity");

	fixture(&f);
	f.group[0].multicast = true;
	f.group[0].mcast_addr = 0x0a000001;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1: multicast rekey needs a group address");

	fixture(&f);
	f.sa[0].replay = GDOI_REPLAY_TIME;
	f.sa[0].replay_window = 101;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1 sa ipsec 1: time window 101 s not 1-100");

	fixture(&f);
	f.sa[0].life_sec = 60;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "group G1 sa ipsec 1: lifetime 60 s not 120-2592000");

	fixture(&f);
	f.cfg.ike.n_policies = 0;
	assert_int_equal(new_error(&f, err, sizeof(err)), ERR_INVAL);
	assert_string_equal(err, "ISAKMP policies or limits not usable");
}

static void test_fresh_policy_from_configuration(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f);
	f.group[0].ks_addr = 0x0a0a0a0a;
	struct gdoi_ks *ks = ks_new(&f);
	const struct gdoi_policy *p = gdoi_ks_group_policy(ks, 0);
	assert_true(p->has_kek);
	assert_int_equal(p->kek.alg, CRYPTO_CBC_AES128); /* default */
	assert_int_equal(p->kek.ks_addr, 0x0a0a0a0a);
	assert_false(p->kek.multicast);
	assert_true(p->kek.ack_requested); /* unicast: acknowledged rekeys */
	assert_int_equal(p->spki_len, 0);  /* label configured, no key handed in */
	assert_int_equal(p->n_teks, 1);
	assert_true(p->tek[0].spi >= GDOI_SPI_MIN);
	assert_int_equal(p->tek[0].life_sec, 600);
	assert_int_equal(p->n_acl, 2);
	assert_int_equal(p->acl[0].sa_num, 1);
	assert_int_equal(p->atd_sec, 60); /* min(600 / 10, 60) */
	assert_true(p->has_seq);
	struct gdoi_ks_group_info gi;
	assert_int_equal(gdoi_ks_group_info(ks, 0, T0, &gi), 0);
	assert_true(gi.rsa_key_missing);
	assert_string_equal(gi.tek[0].transform, "esp-gcm 256");
	assert_int_equal(gi.tek[0].alg_key_bytes, 36);
	assert_int_equal(gi.kek_remaining_sec, 1200);
	assert_int_equal(gi.retrans_period_sec, 10);
	assert_int_equal(gi.retrans_count, 2);
	assert_int_equal(gdoi_ks_group_find(ks, "G1"), 0);
	assert_int_equal(gdoi_ks_group_find(ks, "G9"), ERR_NOTFOUND);
	/* Without `rekey authentication` there is no KEK and no SEQ. */
	gdoi_ks_free(ks);
	f.group[0].rsa_label = NULL;
	ks = ks_new(&f);
	p = gdoi_ks_group_policy(ks, 0);
	assert_false(p->has_kek);
	assert_false(p->has_seq);
	gdoi_ks_free(ks);
}

/* Run the KS's own timers up to t; returns how many ticks it took. */
static size_t run_to(struct gdoi_ks *ks, uint64_t t)
{
	size_t n = 0;
	for (uint64_t d; (d = gdoi_ks_next_deadline(ks)) <= t; n++)
		gdoi_ks_tick(ks, d);
	return n;
}

static void test_tek_roll_over_times(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f);
	struct gdoi_ks *ks = ks_new(&f);
	uint32_t first = gdoi_ks_group_policy(ks, 0)->tek[0].spi;
	/*
	 * L = 600 s, W = 10 (2 + 1) = 30 s: lead = min(450, max(90, 30) + 30) -
	 * U(0, 10) = 110..120 s, so the next TEK comes at 480..490 s.
	 */
	run_to(ks, T0 + 479 * NS_PER_SEC);
	assert_int_equal(gdoi_ks_group_policy(ks, 0)->n_teks, 1);
	run_to(ks, T0 + 490 * NS_PER_SEC);
	const struct gdoi_policy *p = gdoi_ks_group_policy(ks, 0);
	assert_int_equal(p->n_teks, 2);
	assert_int_equal(p->tek[0].spi, first); /* old first, new second */
	assert_int_not_equal(p->tek[1].spi, first);
	assert_int_equal(f.rolled_teks, 1);
	/* The old one leaves at its expiry, 600 s. */
	run_to(ks, T0 + 599 * NS_PER_SEC);
	assert_int_equal(gdoi_ks_group_policy(ks, 0)->n_teks, 2);
	run_to(ks, T0 + 600 * NS_PER_SEC);
	p = gdoi_ks_group_policy(ks, 0);
	assert_int_equal(p->n_teks, 1);
	assert_int_not_equal(p->tek[0].spi, first);
	/* Over a long run there are never more than two generations. */
	for (uint64_t t = 600; t < 20000; t += 7) {
		run_to(ks, T0 + t * NS_PER_SEC);
		assert_in_range(gdoi_ks_group_policy(ks, 0)->n_teks, 1, 2);
	}
	assert_in_range(f.rolled_teks, 39, 42);
	/* KEK: L = 1200 s, lead = min(900, max(200, 60) + 30) - U(0, 10) = 220..230 s. */
	assert_in_range(f.rolled_keks, 20000 / 975, 20000 / 970 + 1);
	gdoi_ks_free(ks);
}

/* Short lifetimes: the lead is capped at L / 2 so generations do not pile up. */
static void test_short_lifetime_keeps_two_generations(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f);
	f.sa[0].life_sec = 120;
	struct gdoi_ks *ks = ks_new(&f);
	for (uint64_t t = 1; t < 2000; t++) {
		run_to(ks, T0 + t * NS_PER_SEC);
		assert_in_range(gdoi_ks_group_policy(ks, 0)->n_teks, 1, 2);
	}
	gdoi_ks_free(ks);
}

static void test_config_replace(void **state)
{
	(void)state;
	static struct fixture f;
	char err[160];
	fixture(&f);
	struct gdoi_ks *ks = ks_new(&f);
	const struct gdoi_policy *p = gdoi_ks_group_policy(ks, 0);
	uint32_t spi = p->tek[0].spi;
	uint8_t kek[GDOI_KEK_SPI_LEN];
	memcpy(kek, p->kek.spi, sizeof(kek));
	uint64_t t = T0 + 100 * NS_PER_SEC;
	/* Lifetime only: nothing new (applies from the next generation). */
	f.sa[0].life_sec = 900;
	assert_int_equal(gdoi_ks_config_replace(ks, &f.cfg, t, err, sizeof(err)), 0);
	p = gdoi_ks_group_policy(ks, 0);
	assert_int_equal(p->n_teks, 1);
	assert_int_equal(p->tek[0].spi, spi);
	/* A changed ACL: a new TEK now, the old one kept only briefly (90 s). */
	f.acl2[0] = acl[1];
	f.sa[0].acl = f.acl2;
	f.sa[0].n_acl = 1;
	assert_int_equal(gdoi_ks_config_replace(ks, &f.cfg, t, err, sizeof(err)), 0);
	p = gdoi_ks_group_policy(ks, 0);
	assert_int_equal(p->n_teks, 2);
	assert_int_equal(p->tek[0].spi, spi);
	assert_int_equal(p->tek[0].expires_ns, t + 90 * NS_PER_SEC);
	assert_int_equal(p->tek[1].life_sec, 900);
	assert_int_equal(p->n_acl, 1);
	assert_memory_equal(p->kek.spi, kek, sizeof(kek)); /* the KEK stays */
	/* A second group appears; a bad configuration changes nothing. */
	f.group[1] = f.group[0];
	f.group[1].name = "G2";
	f.group[1].id.value = 2;
	f.cfg.n_groups = 2;
	assert_int_equal(gdoi_ks_config_replace(ks, &f.cfg, t, err, sizeof(err)), 0);
	assert_int_equal(gdoi_ks_group_count(ks), 2);
	f.group[1].id.value = 1;
	assert_int_equal(gdoi_ks_config_replace(ks, &f.cfg, t, err, sizeof(err)), ERR_INVAL);
	assert_int_equal(gdoi_ks_group_count(ks), 2);
	/* G1 goes; G2 stays with its keys. */
	uint32_t g2_spi = gdoi_ks_group_policy(ks, 1)->tek[0].spi;
	f.group[0] = f.group[1];
	f.group[0].name = "G2";
	f.group[0].id.value = 2;
	f.cfg.n_groups = 1;
	assert_int_equal(gdoi_ks_config_replace(ks, &f.cfg, t, err, sizeof(err)), 0);
	assert_int_equal(gdoi_ks_group_count(ks), 1);
	assert_int_equal(gdoi_ks_group_policy(ks, 0)->tek[0].spi, g2_spi);
	gdoi_ks_free(ks);
}

/* ---- dispatch ---- */

struct capture_send {
	uint8_t msg[2048];
	size_t len;
};

static void gm_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct capture_send *c = ctx;
	(void)peer;
	if (len <= sizeof(c->msg)) {
		memcpy(c->msg, msg, len);
		c->len = len;
	}
}

static size_t header(uint8_t out[WIRE_ISAKMP_HDR_LEN], const uint8_t *icky, const uint8_t *rcky,
		     uint8_t exch)
{
	struct wire_isakmp_hdr h = {
	    .version = WIRE_ISAKMP_VERSION, .exch = exch, .len = WIRE_ISAKMP_HDR_LEN};
	memcpy(h.icookie, icky, 8);
	memcpy(h.rcookie, rcky, 8);
	wire_isakmp_hdr_encode(&h, out);
	return WIRE_ISAKMP_HDR_LEN;
}

static void test_dispatch_rule(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f);
	struct gdoi_ks *ks = ks_new(&f);
	static struct capture_send cap;
	uint32_t servers[] = {0x0a000001};
	struct gdoi_gm_group_config gg = {
	    .name = "G1", .id = {GDOI_ID_NUMBER, 1}, .servers = servers, .n_servers = 1};
	struct gdoi_gm_config gc = {.caps = GDOI_CAPS_ALL, .groups = &gg, .n_groups = 1};
	ike1_config_default(&gc.ike);
	gc.ike.policies = p1;
	gc.ike.n_policies = 1;
	gc.ike.local = (struct ike1_peer){0x0a000002, 848};
	struct gdoi_gm_io io = {.ctx = &cap, .send = gm_send};
	struct gdoi_gm *gm;
	char err[96];
	assert_int_equal(gdoi_gm_new(&gc, &io, &f.rng, NULL, T0, &gm, err, sizeof(err)), 0);
	gdoi_gm_tick(gm, T0); /* sends Main Mode 1 */
	assert_true(cap.len > WIRE_ISAKMP_HDR_LEN);
	const uint8_t *icky = cap.msg, zero[8] = {0}, other[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t h[WIRE_ISAKMP_HDR_LEN];
	/* The answer to our Main Mode 1 (responder cookie new to us) is the GM's. */
	header(h, icky, other, WIRE_EXCH_IDPROT);
	assert_int_equal(gdoi_dispatch(gm, ks, h, sizeof(h)), GDOI_ROUTE_GM);
	/* A member's Main Mode 1 to us, and anything else unknown, is the KS's. */
	header(h, other, zero, WIRE_EXCH_IDPROT);
	assert_int_equal(gdoi_dispatch(gm, ks, h, sizeof(h)), GDOI_ROUTE_KS);
	header(h, other, other, WIRE_EXCH_GROUPKEY_PULL);
	assert_int_equal(gdoi_dispatch(gm, ks, h, sizeof(h)), GDOI_ROUTE_KS);
	assert_int_equal(gdoi_dispatch(gm, NULL, h, sizeof(h)), GDOI_ROUTE_GM);
	/* Rekeys always go to the GM, acknowledgements to the KS. */
	header(h, other, other, WIRE_EXCH_GROUPKEY_PUSH);
	assert_int_equal(gdoi_dispatch(gm, ks, h, sizeof(h)), GDOI_ROUTE_GM);
	assert_int_equal(gdoi_dispatch(NULL, ks, h, sizeof(h)), GDOI_ROUTE_DROP);
	header(h, other, other, WIRE_EXCH_PUSH_ACK);
	assert_int_equal(gdoi_dispatch(gm, ks, h, sizeof(h)), GDOI_ROUTE_KS);
	assert_int_equal(gdoi_dispatch(gm, NULL, h, sizeof(h)), GDOI_ROUTE_DROP);
	/* Not ISAKMP at all. */
	assert_int_equal(gdoi_dispatch(gm, ks, h, 12), GDOI_ROUTE_DROP);
	h[17] = 0x20; /* version 2.0 */
	assert_int_equal(gdoi_dispatch(gm, ks, h, sizeof(h)), GDOI_ROUTE_DROP);
	gdoi_gm_free(gm);
	gdoi_ks_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_configuration_errors_name_the_problem),
	    TEST(test_fresh_policy_from_configuration),
	    TEST(test_tek_roll_over_times),
	    TEST(test_short_lifetime_keeps_two_generations),
	    TEST(test_config_replace),
	    TEST(test_dispatch_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
