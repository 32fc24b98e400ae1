/*
 * gdoi/gm without a key server: configuration checks, the attempt and
 * back-off schedule of behavior-reference §2.4 (30 s per server, then 10 s
 * doubling to 300 s), what `show crypto gdoi` says meanwhile, fail-close,
 * clear and configuration replace.
 */
#include "test.h"

#include "diag/log.h"
#include "gdoi/gm.h"
#include "ike1/prot.h"
#include "wire/build.h"
#include "util/clock.h"
#include "util/err.h"
#include "wire/names.h"

#define T0 (2 * NS_PER_SEC)

static const struct ike1_policy p1[] = {
    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, WIRE_GROUP_ECP256, 86400},
};

struct fixture {
	struct gdoi_gm_config cfg;
	struct gdoi_gm_group_config group[2];
	uint32_t servers[3];
	struct crypto_rng rng;
	size_t sent, installs, removes;
	enum gdoi_gm_dp_state state;
	uint32_t last_dst;
};

static void on_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct fixture *f = ctx;
	(void)msg;
	(void)len;
	f->sent++;
	f->last_dst = peer->ip4;
}

static void on_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct fixture *f = ctx;
	f->installs++;
	f->state = in->state;
}

static void on_remove(void *ctx, const char *group, uint32_t handle)
{
	struct fixture *f = ctx;
	(void)group;
	(void)handle;
	f->removes++;
}

static void fixture(struct fixture *f, size_t n_servers)
{
	memset(f, 0, sizeof(*f));
	crypto_rng_seeded(&f->rng, 5);
	f->servers[0] = 0x0a010b02;
	f->servers[1] = 0x0a010c02;
	f->group[0] = (struct gdoi_gm_group_config){.name = "G1",
						    .id = {GDOI_ID_NUMBER, 3333},
						    .servers = f->servers,
						    .n_servers = n_servers};
	ike1_config_default(&f->cfg.ike);
	f->cfg.ike.policies = p1;
	f->cfg.ike.n_policies = 1;
	f->cfg.ike.local = (struct ike1_peer){0x0a010d02, 848};
	f->cfg.caps = GDOI_CAPS_ALL;
	f->cfg.groups = f->group;
	f->cfg.n_groups = 1;
}

static struct gdoi_gm *gm_new(struct fixture *f, struct diag *d)
{
	struct gdoi_gm_io io = {
	    .ctx = f, .send = on_send, .install = on_install, .remove = on_remove};
	struct gdoi_gm *gm;
	char err[128];
	int rc = gdoi_gm_new(&f->cfg, &io, &f->rng, d, T0, &gm, err, sizeof(err));
	if (rc < 0)
		fail_msg("%s", err);
	return gm;
}

static void info(struct gdoi_gm *gm, uint64_t now, struct gdoi_gm_group_info *i)
{
	assert_int_equal(gdoi_gm_group_info(gm, 0, now, i), 0);
}

/*
 * Tick to each deadline up to end; record when an attempt started and to
 * which server (the first datagram of an attempt is Main Mode 1).
 */
struct attempt {
	uint64_t at_sec;
	uint32_t ks;
};

static size_t run(struct gdoi_gm *gm, struct fixture *f, uint64_t end, struct attempt *out,
		  size_t max)
{
	size_t n = 0;
	uint64_t seen = 0;
	struct gdoi_gm_group_info gi;
	for (uint64_t d; (d = gdoi_gm_next_deadline(gm)) <= end;) {
		gdoi_gm_tick(gm, d);
		info(gm, d, &gi);
		if (gi.attempted != seen && n < max) {
			seen = gi.attempted;
			out[n++] = (struct attempt){(d - T0) / NS_PER_SEC, f->last_dst};
		}
	}
	return n;
}

static void test_backoff_schedule_one_server(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f, 1);
	struct gdoi_gm *gm = gm_new(&f, NULL);
	struct attempt a[16];
	size_t n = run(gm, &f, T0 + 1200 * NS_PER_SEC, a, 16);
	/* 30 s each; back-off 10, 20, 40, 80, 160, 300, 300 s. */
	static const uint64_t want[] = {0, 40, 90, 160, 270, 460, 790, 1120};
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].at_sec, want[i]);
		assert_int_equal(a[i].ks, f.servers[0]);
	}
	/* In back-off: Registering, to the first server, next try counted down. */
	struct gdoi_gm_group_info gi;
	info(gm, T0 + 1155 * NS_PER_SEC, &gi);
	assert_int_equal(gi.attempted, 8);
	assert_int_equal(gi.succeeded, 0);
	struct gdoi_gm_stats st;
	gdoi_gm_get_stats(gm, &st);
	assert_int_equal(st.failures, 8); /* the last one at 1150 s */
	gdoi_gm_free(gm);
}

static void test_servers_in_order_then_backoff(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f, 2);
	struct gdoi_gm *gm = gm_new(&f, NULL);
	struct attempt a[8];
	size_t n = run(gm, &f, T0 + 215 * NS_PER_SEC, a, 8);
	static const struct {
		uint64_t at;
		int srv;
	} want[] = {{0, 0}, {30, 1}, {70, 0}, {100, 1}, {150, 0}, {180, 1}};
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].at_sec, want[i].at);
		assert_int_equal(a[i].ks, f.servers[want[i].srv]);
	}
	struct gdoi_gm_group_info gi;
	info(gm, T0 + 215 * NS_PER_SEC, &gi); /* back-off of 40 s after 210 s */
	assert_string_equal(gi.status, "Registering");
	assert_false(gi.registered);
	assert_int_equal(gi.registering_to, f.servers[0]);
	assert_int_equal(gi.reregister_in_sec, 35);
	assert_false(gi.acl_known);
	assert_int_equal(gi.n_servers, 2);
	assert_string_equal(gi.version, "gvpn 1.0, capabilities 0x0000002f");
	gdoi_gm_free(gm);
}

static void test_fail_close_until_registered(void **state)
{
	(void)state;
	static struct fixture f;
	fixture(&f, 1);
	f.group[0].fail_close = true;
	struct gdoi_gm *gm = gm_new(&f, NULL);
	assert_int_equal(f.installs, 1);
	assert_int_equal(f.state, GDOI_GM_DP_FAIL_CLOSED);
	struct gdoi_gm_group_info gi;
	info(gm, T0, &gi);
	assert_true(gi.fail_close);
	assert_true(gi.fail_close_active);
	assert_null(gdoi_gm_group_policy(gm, 0));
	/* Without fail-close nothing is installed before a registration. */
	gdoi_gm_free(gm);
	fixture(&f, 1);
	gm = gm_new(&f, NULL);
	assert_int_equal(f.installs, 0);
	gdoi_gm_free(gm);
}

static void test_configuration_errors(void **state)
{
	(void)state;
	static struct fixture f;
	struct gdoi_gm_io io = {0};
	struct gdoi_gm *gm;
	char err[128];
	fixture(&f, 0);
	assert_int_equal(gdoi_gm_new(&f.cfg, &io, &f.rng, NULL, T0, &gm, err, sizeof(err)),
			 ERR_INVAL);
	assert_string_equal(err, "group G1: needs 1-8 server addresses");
	fixture(&f, 1);
	f.group[1] = f.group[0];
	f.cfg.n_groups = 2;
	assert_int_equal(gdoi_gm_new(&f.cfg, &io, &f.rng, NULL, T0, &gm, err, sizeof(err)),
			 ERR_INVAL);
	assert_string_equal(err, "group G1 configured twice");
	fixture(&f, 1);
	f.group[0].id.type = 0;
	assert_int_equal(gdoi_gm_new(&f.cfg, &io, &f.rng, NULL, T0, &gm, err, sizeof(err)),
			 ERR_INVAL);
	assert_string_equal(err, "group G1: no identity");
}

static void capture_hook(void *arg, const struct diag_record *rec)
{
	size_t *clear = arg;
	*clear += rec->id == DIAG_MSG_GM_CLEAR_REGISTER || rec->id == DIAG_MSG_GM_UNREGISTER;
}

static void test_clear_and_replace_without_registration(void **state)
{
	(void)state;
	static struct fixture f;
	struct clock clk;
	struct diag d;
	size_t logged = 0;
	clock_fake_init(&clk, T0, T0);
	assert_int_equal(diag_init(&d, &clk), 0);
	diag_set_hook(&d, capture_hook, &logged);
	fixture(&f, 1);
	struct gdoi_gm *gm = gm_new(&f, &d);
	gdoi_gm_tick(gm, T0);
	size_t sent = f.sent;
	/* clear: the attempt in progress is dropped and a new one starts at once. */
	assert_int_equal(gdoi_gm_clear(gm, NULL, "admin", T0 + NS_PER_SEC), 0);
	assert_int_equal(gdoi_gm_next_deadline(gm), T0 + NS_PER_SEC);
	gdoi_gm_tick(gm, T0 + NS_PER_SEC);
	assert_true(f.sent > sent);
	struct gdoi_gm_group_info gi;
	info(gm, T0 + NS_PER_SEC, &gi);
	assert_int_equal(gi.attempted, 2);
	assert_int_equal(logged, 1);
	assert_int_equal(f.removes, 0); /* nothing was installed */
	/* Replace: G1 kept (new server list), G2 added. */
	uint32_t s2[] = {0x0a010c02};
	f.group[0].servers = s2;
	f.group[1] = (struct gdoi_gm_group_config){
	    .name = "G2", .id = {GDOI_ID_NUMBER, 7}, .servers = s2, .n_servers = 1};
	f.cfg.n_groups = 2;
	char err[96];
	assert_int_equal(gdoi_gm_config_replace(gm, &f.cfg, T0 + 2 * NS_PER_SEC, err, sizeof(err)),
			 0);
	assert_int_equal(gdoi_gm_group_count(gm), 2);
	assert_int_equal(gdoi_gm_group_find(gm, "G2"), 1);
	info(gm, T0 + 2 * NS_PER_SEC, &gi);
	assert_int_equal(gi.servers[0], 0x0a010c02);
	assert_int_equal(gi.attempted, 2); /* the attempt in progress goes on */
	/* Removing G1 unregisters it. */
	f.cfg.groups = &f.group[1];
	f.cfg.n_groups = 1;
	assert_int_equal(gdoi_gm_config_replace(gm, &f.cfg, T0 + 3 * NS_PER_SEC, err, sizeof(err)),
			 0);
	assert_int_equal(gdoi_gm_group_count(gm), 1);
	assert_int_equal(gdoi_gm_group_find(gm, "G1"), ERR_NOTFOUND);
	assert_int_equal(logged, 2);
	gdoi_gm_free(gm);
	diag_free(&d);
}

/* ---- a hand-driven KS that answers with a policy the GM must refuse ---- */

struct fake_ks {
	struct ike1_sa_table t;
	struct gdoi_gm *gm;
	struct fixture *f;
	uint8_t q[32][2048];
	size_t qlen[32], nq;
	bool to_gm[32];
	uint64_t now;
	struct diag d;
	char rejected[256];
	size_t installs;
};

static void fk_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct fake_ks *k = ctx;
	(void)in;
	k->installs++;
}

static void fk_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct fake_ks *k = ctx;
	(void)peer;
	assert_true(k->nq < 32);
	memcpy(k->q[k->nq], msg, len);
	k->qlen[k->nq] = len;
	k->to_gm[k->nq++] = true;
}

static void fk_gm_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct fake_ks *k = ctx;
	(void)peer;
	assert_true(k->nq < 32);
	memcpy(k->q[k->nq], msg, len);
	k->qlen[k->nq] = len;
	k->to_gm[k->nq++] = false;
}

static int fk_psk(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	(void)ctx;
	(void)peer;
	memcpy(key, "psk", 3);
	return 3;
}

/* The SA of message 2: one ESP_DES TEK (RFC 2407 transform 2, which gvpn refuses). */
static void build_des_sa(struct wire_builder *b, uint8_t *attrs, size_t cap)
{
	static struct wire_gdoi_sa sa;
	static const uint8_t any[8] = {0};
	struct buf_writer w;
	buf_w_init(&w, attrs, cap);
	wire_attr_put_tv(&w, WIRE_TEKA_LIFE_TYPE, WIRE_LIFE_SECONDS);
	wire_attr_put_u32(&w, WIRE_TEKA_LIFE_DURATION, 3600);
	wire_attr_put_tv(&w, WIRE_TEKA_AUTH_ALG, WIRE_AUTH_HMAC_SHA1);
	memset(&sa, 0, sizeof(sa));
	sa.doi = WIRE_DOI_GDOI;
	sa.n_teks = 1;
	sa.teks[0] =
	    (struct wire_sa_tek){.proto_id = WIRE_GDOI_PROTO_IPSEC_ESP,
				 .src = {.type = WIRE_ID_IPV4_ADDR_SUBNET, .data = any, .len = 8},
				 .dst = {.type = WIRE_ID_IPV4_ADDR_SUBNET, .data = any, .len = 8},
				 .transform_id = WIRE_ESP_DES,
				 .spi = 0x12345678};
	assert_int_equal(wire_attrs_from(&sa.teks[0].attrs, attrs, w.len, NULL), 0);
	wire_build_gdoi_sa(b, &sa, WIRE_DIALECT_RFC6407);
}

/* 1 -->, 2 <-- HDR*, HASH(2), Nr, SA (ESP_DES) */
static void fk_answer(struct fake_ks *k, struct ike1_sa *sa, const uint8_t *msg, size_t len)
{
	uint8_t plain[2048], buf[1024], attrs[64], nr[32] = {7};
	struct ike1_prot_in in;
	if (ike1_prot_open(sa, k->now, msg, len, IKE1_NO_BYTES, IKE1_NO_BYTES, plain, sizeof(plain),
			   &in) != 0)
		return;
	const struct wire_payload *ni = wire_msg_find(&in.m, WIRE_PL_NONCE, 0);
	assert_non_null(ni);
	struct wire_builder b;
	assert_int_equal(
	    ike1_prot_begin(sa, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, in.m.hdr.msgid), 0);
	wire_build_nonce(&b, &(struct wire_data){nr, sizeof(nr)});
	build_des_sa(&b, attrs, sizeof(attrs));
	assert_true(ike1_prot_send(sa, k->now, &b, (struct ike1_bytes){ni->body, ni->len},
				   IKE1_NO_BYTES) > 0);
}

/* Deliver everything, including what the deliveries send, in order. */
static void fk_flush(struct fake_ks *k)
{
	for (size_t i = 0; i < k->nq; i++) {
		struct ike1_sa *sa = NULL;
		if (k->to_gm[i]) {
			gdoi_gm_input(k->gm, k->now, &(struct ike1_peer){0x0a010b02, 848}, k->q[i],
				      k->qlen[i]);
			continue;
		}
		if (ike1_sa_input(&k->t, k->now, &(struct ike1_peer){0x0a010d02, 848}, k->q[i],
				  k->qlen[i], &sa) == IKE1_IN_UPPER)
			fk_answer(k, sa, k->q[i], k->qlen[i]);
	}
}

static void reject_hook(void *arg, const struct diag_record *rec)
{
	struct fake_ks *k = arg;
	if (rec->id == DIAG_MSG_GM_REJECTING_SA_PAYLOAD)
		snprintf(k->rejected, sizeof(k->rejected), "%s", rec->text);
}

static void test_policy_rejected_with_reason(void **state)
{
	(void)state;
	static struct fixture f;
	static struct fake_ks k;
	struct clock clk;
	memset(&k, 0, sizeof(k));
	clock_fake_init(&clk, T0, T0);
	assert_int_equal(diag_init(&k.d, &clk), 0);
	diag_set_hook(&k.d, reject_hook, &k);
	fixture(&f, 1);
	f.cfg.psk = fk_psk;
	struct gdoi_gm_io io = {.ctx = &k, .send = fk_gm_send, .install = fk_install};
	char err[96];
	assert_int_equal(gdoi_gm_new(&f.cfg, &io, &f.rng, &k.d, T0, &k.gm, err, sizeof(err)), 0);
	struct ike1_config kc;
	ike1_config_default(&kc);
	kc.policies = p1;
	kc.n_policies = 1;
	kc.local = (struct ike1_peer){0x0a010b02, 848};
	struct ike1_io kio = {.ctx = &k, .send = fk_send, .psk = fk_psk};
	assert_int_equal(ike1_sa_table_init(&k.t, &kc, &kio, &f.rng, NULL), 0);
	k.now = T0;
	gdoi_gm_tick(k.gm, T0);
	fk_flush(&k);
	assert_string_equal(k.rejected, "Policy from KS 10.1.11.2 for group G1 rejected: ESP "
					"transform 2 (ESP_DES) not supported");
	assert_int_equal(k.installs, 0);
	struct gdoi_gm_stats st;
	gdoi_gm_get_stats(k.gm, &st);
	assert_int_equal(st.rejected_policies, 1);
	assert_int_equal(st.failures, 1);
	gdoi_gm_free(k.gm);
	ike1_sa_table_free(&k.t);
	diag_free(&k.d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_backoff_schedule_one_server),
	    TEST(test_servers_in_order_then_backoff),
	    TEST(test_fail_close_until_registered),
	    TEST(test_configuration_errors),
	    TEST(test_clear_and_replace_without_registration),
	    TEST(test_policy_rejected_with_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
