/*
 * dp/sad: snapshots (SPI table, sender choice, references), epochs, and the
 * per-packet paths between two group members: classification, encap with
 * fragmentation or ICMP frag-needed, MSS clamping, decap with TBAR and the
 * counter window, counters. Ends with a multi-threaded publish/retire test.
 */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "dp/sad.h"
#include "pktgen.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "xforms.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

enum { WAN_IF = 7, LAN_IF = 3, MTU = 1500, ICMP_SRC = 0xc0a80001 };

static const uint32_t host_a = IP(10, 1, 0, 5), host_b = IP(10, 2, 0, 9);
static const uint64_t now0 = 1000ull * 1000000000; /* 1000 s of monotonic time */

/* A group member: its database, one worker, and what it has installed. */
struct gm {
	struct dp_sad *sad;
	struct dp_sad_worker w;
	struct dp_acl *acl, *local;
	struct dp_sad_sa *sa[4];
	size_t nsa;
	struct dp_out out;
	uint8_t arena[DP_OUT_CAP];
};

static struct crypto_rng *rng(void)
{
	static struct crypto_rng r;
	static bool init;
	if (!init) {
		crypto_rng_seeded(&r, 42);
		init = true;
	}
	return &r;
}

static struct dp_sad_sa_params sa_params(const struct dp_esp_xform *xf, uint32_t spi,
					 struct test_keys *k)
{
	test_keys_for(xf, (uint8_t)spi, k);
	return (struct dp_sad_sa_params){
	    .spi = spi,
	    .xf = *xf,
	    .enc_key = k->enc,
	    .enc_key_len = k->enc_len,
	    .auth_key = k->auth,
	    .auth_key_len = k->auth_len,
	    .sid = 7,
	    .sid_bits = 8,
	    .replay = DP_SAD_REPLAY_TBAR,
	    .replay_window = 4,
	    .tek_tag = 1,
	    .lifetime_sec = 3600,
	    .expire_ns = CLOCK_NEVER,
	    .group = "G1",
	};
}

static struct dp_sad_sa *add_sa(struct gm *g, const struct dp_sad_sa_params *p)
{
	struct dp_sad_sa *sa;
	assert_int_equal(dp_sad_sa_create(g->sad, p, rng(), &sa), 0);
	g->sa[g->nsa++] = sa;
	return sa;
}

/* The seed guide's downloaded policy, then permit ip any any (tag 1). */
static const struct dp_acl_entry policy[] = {
    {.seq = 10, .action = DP_ACL_DENY, .proto = 1, .src_wild = ~0u, .dst_wild = ~0u},
    {.seq = 20,
     .action = DP_ACL_DENY,
     .proto = 17,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .sport = {DP_ACL_PORT_EQ, 848, 0},
     .dport = {DP_ACL_PORT_EQ, 848, 0}},
    {.seq = 30, .action = DP_ACL_PERMIT, .src_wild = ~0u, .dst_wild = ~0u, .tek_tag = 1},
};
/* Local `match address`: never encrypt TCP to port 22. */
static const struct dp_acl_entry local_deny[] = {
    {.seq = 10,
     .action = DP_ACL_DENY,
     .proto = 6,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .dport = {DP_ACL_PORT_EQ, 22, 0}},
};

struct opts {
	int64_t pt_offset_ms;
	uint16_t mtu, adjust_mss;
	enum dp_esp_df df;
	bool default_drop, addr_drop, policy_check, no_acl;
};

/* Publish the gm's current SAs and ACLs on the WAN interface. */
static void publish(struct gm *g, const struct opts *o)
{
	struct dp_sad_group_desc gd = {
	    .name = "G1",
	    .pt_offset_ms = o->pt_offset_ms,
	    .acl = o->no_acl ? NULL : g->acl,
	    .sas = g->sa,
	    .nsas = g->nsa,
	};
	static const size_t idx[] = {0};
	struct dp_sad_map_desc md = {
	    .ifindex = WAN_IF,
	    .mtu = o->mtu ? o->mtu : MTU,
	    .df = o->df,
	    .adjust_mss = o->adjust_mss,
	    .icmp_src = ICMP_SRC,
	    .local_acl = g->local,
	    .groups = idx,
	    .ngroups = 1,
	    .default_drop = o->default_drop,
	    .addr_mismatch_drop = o->addr_drop,
	    .policy_check = o->policy_check,
	};
	struct dp_sad_desc d = {&gd, 1, &md, 1};
	struct dp_sad_snap *s;
	assert_int_equal(dp_sad_snap_build(g->sad, &d, &s), 0);
	dp_sad_publish(g->sad, s);
	dp_sad_enter(&g->w);
}

static void gm_init(struct gm *g, const struct dp_esp_xform *xf, enum dp_sad_replay replay)
{
	memset(g, 0, sizeof(*g));
	assert_int_equal(dp_sad_create(1, &g->sad), 0);
	assert_int_equal(dp_sad_worker_init(&g->w, g->sad, 0, 100), 0);
	assert_int_equal(dp_acl_create("GETVPN", policy, ARRAY_SIZE(policy), 1, &g->acl), 0);
	assert_int_equal(dp_acl_create("LOCAL", local_deny, 1, 1, &g->local), 0);
	struct test_keys k;
	struct dp_sad_sa_params p = sa_params(xf, 0x11111111, &k);
	p.replay = replay;
	p.replay_window = replay == DP_SAD_REPLAY_COUNTER ? 64 : 4;
	add_sa(g, &p);
	g->out.buf = g->arena;
	g->out.cap = sizeof(g->arena);
	publish(g, &(struct opts){0});
}

static void gm_free(struct gm *g)
{
	dp_sad_quiesce(&g->w);
	for (size_t i = 0; i < g->nsa; i++)
		dp_sad_sa_unref(g->sa[i]);
	dp_acl_unref(g->acl);
	dp_acl_unref(g->local);
	dp_sad_destroy(g->sad);
}

static uint64_t ctr(struct gm *g, enum dp_ctr c)
{
	struct dp_counters_total t;
	dp_sad_counters(g->sad, &t);
	return t.ctr[c];
}

static uint64_t drops(struct gm *g, enum dp_drop d)
{
	struct dp_counters_total t;
	dp_sad_counters(g->sad, &t);
	return d == DP_DROP_NONE ? t.drops : t.drop[d];
}

/* GM a sends pkt to the WAN; returns the verdict. */
static enum dp_verdict send_pkt(struct gm *a, uint8_t *pkt, size_t len, uint64_t now)
{
	return dp_sad_output(&a->w, WAN_IF, pkt, len, now, &a->out);
}

/* GM b receives the i-th output packet of a (copied). */
static enum dp_verdict recv_pkt(struct gm *b, struct gm *a, size_t i, uint64_t now, uint8_t *buf)
{
	memcpy(buf, a->out.pkt[i].p, a->out.pkt[i].len);
	return dp_sad_input(&b->w, WAN_IF, buf, a->out.pkt[i].len, now, &b->out);
}

/* `permit <proto> any any` sending with the TEK of tag. */
static struct dp_acl_entry permit_any(uint32_t seq, uint8_t proto, uint32_t tag)
{
	return (struct dp_acl_entry){.seq = seq,
				     .action = DP_ACL_PERMIT,
				     .proto = proto,
				     .src_wild = ~0u,
				     .dst_wild = ~0u,
				     .tek_tag = tag};
}

/* Replace the gm's downloaded policy (publish() makes it current). */
static void set_policy(struct gm *g, const struct dp_acl_entry *e, size_t n)
{
	dp_acl_unref(g->acl);
	assert_int_equal(dp_acl_create("T", e, n, 1, &g->acl), 0);
}

static const struct dp_esp_xform gcm128 = {DP_ESP_ENCR_AES_GCM, 128, DP_ESP_AUTH_NONE};

/* ---- snapshots ---- */

static void test_snapshot_table_and_errors(void **state)
{
	(void)state;
	struct dp_sad *sad;
	assert_int_equal(dp_sad_create(2, &sad), 0);
	enum { N = 300 };
	static struct dp_sad_sa *sas[N];
	struct test_keys k;
	for (size_t i = 0; i < N; i++) {
		/* SPIs sharing their low bits stress the hash. */
		struct dp_sad_sa_params p = sa_params(&gcm128, (uint32_t)(0x1000 + (i << 12)), &k);
		assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sas[i]), 0);
	}
	struct dp_sad_group_desc gd = {.name = "G", .sas = sas, .nsas = N};
	struct dp_sad_desc d = {&gd, 1, NULL, 0};
	struct dp_sad_snap *s;
	assert_int_equal(dp_sad_snap_build(sad, &d, &s), 0);
	for (size_t i = 0; i < N; i++) {
		const struct dp_sad_slot *sl = dp_sad_lookup(s, sas[i]->spi);
		assert_non_null(sl);
		assert_ptr_equal(sl->sa, sas[i]);
		assert_string_equal(sl->group->name, "G");
		assert_int_equal(sas[i]->refs, 2);
	}
	assert_null(dp_sad_lookup(s, 0x1001));
	dp_sad_publish(sad, s);

	/* The same SPI twice. */
	struct dp_sad_sa *twice[] = {sas[0], sas[0]};
	gd.sas = twice;
	gd.nsas = 2;
	assert_int_equal(dp_sad_snap_build(sad, &d, &s), ERR_EXISTS);
	assert_null(s);
	assert_int_equal(sas[0]->refs, 2); /* the failed build gave its references back */
	/* Maps: MTU, group index, duplicate interface. */
	gd.nsas = 1;
	size_t bad_idx = 1, good_idx = 0;
	struct dp_sad_map_desc md[2] = {
	    {.ifindex = 1, .mtu = 1500, .groups = &bad_idx, .ngroups = 1},
	    {.ifindex = 1, .mtu = 1500, .groups = &good_idx, .ngroups = 1},
	};
	d = (struct dp_sad_desc){&gd, 1, md, 1};
	assert_int_equal(dp_sad_snap_build(sad, &d, &s), ERR_INVAL);
	md[0].groups = &good_idx;
	md[0].mtu = 575;
	assert_int_equal(dp_sad_snap_build(sad, &d, &s), ERR_INVAL);
	md[0].mtu = 1500;
	d.nmaps = 2;
	assert_int_equal(dp_sad_snap_build(sad, &d, &s), ERR_INVAL);
	/* An SA of a database with another worker count. */
	struct dp_sad *other;
	assert_int_equal(dp_sad_create(1, &other), 0);
	struct dp_sad_sa *foreign;
	struct dp_sad_sa_params p = sa_params(&gcm128, 0x9999, &k);
	assert_int_equal(dp_sad_sa_create(other, &p, rng(), &foreign), 0);
	gd.sas = &foreign;
	d.nmaps = 0;
	assert_int_equal(dp_sad_snap_build(sad, &d, &s), ERR_INVAL);
	dp_sad_sa_unref(foreign);
	dp_sad_destroy(other);

	for (size_t i = 0; i < N; i++)
		dp_sad_sa_unref(sas[i]); /* the published snapshot still holds them */
	assert_non_null(dp_sad_lookup(dp_sad_current(sad), sas[5]->spi));
	dp_sad_destroy(sad);
}

static void test_sa_params_refused(void **state)
{
	(void)state;
	struct dp_sad *sad;
	assert_int_equal(dp_sad_create(1, &sad), 0);
	struct test_keys k;
	struct dp_sad_sa *sa;
	struct dp_sad_sa_params p = sa_params(&gcm128, 255, &k);
	assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sa), ERR_INVAL); /* reserved SPI */
	p = sa_params(&gcm128, 0x1234, &k);
	p.replay_window = 101;
	assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sa), ERR_INVAL);
	p.replay = DP_SAD_REPLAY_COUNTER;
	p.replay_window = 100;
	assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sa), ERR_INVAL);
	p.replay = DP_SAD_REPLAY_NONE;
	p.enc_key_len = 16; /* salt missing */
	assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sa), ERR_INVAL);
	p = sa_params(&(struct dp_esp_xform){DP_ESP_ENCR_AES_CBC, 128, DP_ESP_AUTH_NONE}, 0x1234,
		      &k);
	assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sa), ERR_INVAL); /* no integrity */
	struct dp_sad *none;
	assert_int_equal(dp_sad_create(0, &none), ERR_INVAL);
	assert_null(none);
	p = sa_params(&test_xforms[7].xf, 0x1234, &k);
	assert_int_equal(dp_sad_sa_create(sad, &p, rng(), &sa), 0);
	assert_string_equal(sa->xf_name, "esp-256-aes esp-sha256-hmac");
	assert_string_equal(sa->group, "G1");
	assert_true(sa->can_send);
	dp_sad_sa_unref(sa);
	dp_sad_destroy(sad);
}

/* The newest SA with the entry's tag that may send; receive-only SAs never send. */
static void test_sender_choice(void **state)
{
	(void)state;
	struct gm g;
	gm_init(&g, &gcm128, DP_SAD_REPLAY_TBAR);
	struct test_keys k;
	struct dp_sad_sa_params p = sa_params(&gcm128, 0x22222222, &k);
	struct dp_sad_sa *newer = add_sa(&g, &p);
	p = sa_params(&gcm128, 0x33333333, &k);
	p.inbound_only = true;
	add_sa(&g, &p);
	p = sa_params(&gcm128, 0x44444444, &k);
	p.tek_tag = 2;
	struct dp_sad_sa *tag2 = add_sa(&g, &p);
	const struct dp_acl_entry e[] = {permit_any(10, 6, 1), permit_any(20, 17, 2),
					 permit_any(30, 0, 3)};
	set_policy(&g, e, ARRAY_SIZE(e));
	publish(&g, &(struct opts){0});
	const struct dp_sad_group *grp = &g.w.snap->groups[0];
	assert_ptr_equal(grp->out_sa[0], newer);
	assert_ptr_equal(grp->out_sa[1], tag2);
	assert_null(grp->out_sa[2]);
	/* All four are accepted inbound. */
	for (size_t i = 0; i < g.nsa; i++)
		assert_non_null(dp_sad_lookup(g.w.snap, g.sa[i]->spi));
	/* Sending on entry 30: no SA. */
	uint8_t pkt[256];
	size_t n = pktgen_raw(pkt, sizeof(pkt), 47, host_a, host_b, 40);
	assert_int_equal(send_pkt(&g, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(g.out.drop, DP_DROP_NO_SA);
	assert_int_equal(drops(&g, DP_DROP_NO_SA), 1);
	/* TCP goes out with the newer SA. */
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 0x10, NULL, 0, 10);
	assert_int_equal(send_pkt(&g, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(buf_load_u32(g.out.pkt[0].p + 20), 0x22222222);
	assert_ptr_equal(g.out.sa, newer);
	gm_free(&g);
}

/* Epochs, single-threaded: a worker holding an old snapshot keeps it alive. */
static void test_epochs(void **state)
{
	(void)state;
	struct dp_sad *sad;
	assert_int_equal(dp_sad_create(2, &sad), 0);
	struct dp_sad_worker w0, w1;
	assert_int_equal(dp_sad_worker_init(&w0, sad, 0, 0), 0);
	assert_int_equal(dp_sad_worker_init(&w1, sad, 1, 0), 0);
	assert_int_equal(dp_sad_worker_init(&w1, sad, 2, 0), ERR_INVAL);
	assert_int_equal(dp_sad_worker_init(&w1, sad, 1, 0), 0);
	static const struct dp_sad_desc none = {0};
	struct dp_sad_snap *s;
	const struct dp_sad_snap *v1 = dp_sad_enter(&w0);
	assert_int_equal(v1->version, 1);
	assert_int_equal(dp_sad_snap_build(sad, &none, &s), 0);
	dp_sad_publish(sad, s); /* v2; w0 still on v1, w1 idle */
	assert_int_equal(dp_sad_reclaim(sad), 1);
	assert_ptr_equal(dp_sad_enter(&w1), s);
	assert_int_equal(dp_sad_reclaim(sad), 1);
	assert_ptr_equal(dp_sad_enter(&w0), s); /* w0 moved on: v1 goes */
	assert_int_equal(dp_sad_reclaim(sad), 0);
	assert_int_equal(dp_sad_snap_build(sad, &none, &s), 0);
	dp_sad_publish(sad, s); /* v3: both still on v2 */
	assert_int_equal(dp_sad_reclaim(sad), 1);
	dp_sad_quiesce(&w0);
	assert_int_equal(dp_sad_reclaim(sad), 1);
	dp_sad_quiesce(&w1);
	assert_null(w1.snap);
	assert_int_equal(dp_sad_reclaim(sad), 0);
	/* An unpublished snapshot is freed by its builder. */
	assert_int_equal(dp_sad_snap_build(sad, &none, &s), 0);
	dp_sad_snap_free(s);
	dp_sad_destroy(sad);
}

/* ---- outbound ---- */

static void test_output_classification(void **state)
{
	(void)state;
	struct gm a;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	uint8_t pkt[2048];
	size_t n = pktgen_icmp_echo(pkt, sizeof(pkt), host_a, host_b, 56);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_PASS); /* deny icmp */
	assert_int_equal(a.out.n, 0);
	n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 848, 848, 100);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_PASS); /* deny GDOI */
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 40000, 22, 0x10, NULL, 0, 10);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_PASS); /* local deny */
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 40000, 80, 0x10, NULL, 0, 1000);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(a.out.n, 1);
	assert_ptr_equal(a.out.pkt[0].p, a.arena);
	assert_int_equal(a.out.pkt[0].len, dp_esp_encap_len(&gcm128, n));
	assert_int_equal(a.out.src, host_a);
	assert_int_equal(a.out.dst, host_b);
	/* On an interface without a crypto map everything passes. */
	assert_int_equal(dp_sad_output(&a.w, LAN_IF, pkt, n, now0, &a.out), DP_VERDICT_PASS);
	/* Not IPv4 / malformed. */
	pkt[0] = 0x60;
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_NOT_IPV4);
	assert_int_equal(send_pkt(&a, pkt, 10, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_NOT_IPV4);
	assert_int_equal(send_pkt(&a, pkt, 0, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_SHORT_PACKET);

	assert_int_equal(ctr(&a, DP_CTR_LAN_IN), 8);
	assert_int_equal(ctr(&a, DP_CTR_CLASS_DENY), 3);
	assert_int_equal(ctr(&a, DP_CTR_CLASS_PERMIT), 1);
	assert_int_equal(ctr(&a, DP_CTR_ENCRYPTED), 1);
	assert_int_equal(ctr(&a, DP_CTR_NO_CRYPTO_MAP), 1);
	assert_int_equal(ctr(&a, DP_CTR_WAN_OUT), 5);
	assert_int_equal(drops(&a, DP_DROP_NONE), 3);
	/* ACL counters: the local ACL counted its deny, the policy its lines. */
	assert_int_equal(dp_acl_matches(a.local, 0), 1);
	assert_int_equal(dp_acl_matches(a.acl, 0), 1);
	assert_int_equal(dp_acl_matches(a.acl, 1), 1);
	assert_int_equal(dp_acl_matches(a.acl, 2), 1);
	/* Per-SA counters. */
	struct dp_sad_sa_totals t;
	dp_sad_sa_totals(a.sa[0], &t);
	assert_int_equal(t.out_pkts, 1);
	assert_int_equal(t.out_bytes, n);
	gm_free(&a);
}

static void test_output_default_and_no_policy(void **state)
{
	(void)state;
	struct gm a;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	const struct dp_acl_entry only_tcp[] = {permit_any(10, 6, 1)};
	set_policy(&a, only_tcp, 1);
	uint8_t pkt[512];
	size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 10);
	publish(&a, &(struct opts){0});
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_PASS); /* GETVPN default: clear */
	publish(&a, &(struct opts){.default_drop = true});
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_POLICY_DEFAULT);
	/* Before registration (no ACL): clear, or dropped when the default is drop. */
	publish(&a, &(struct opts){.no_acl = true});
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_PASS);
	gm_free(&a);
}

/* Two members with the same TEK, the second receives what the first sends. */
static void test_round_trip_counters(void **state)
{
	(void)state;
	for (size_t x = 0; x < test_nxforms; x++) {
		struct gm a, b;
		gm_init(&a, &test_xforms[x].xf, DP_SAD_REPLAY_TBAR);
		gm_init(&b, &test_xforms[x].xf, DP_SAD_REPLAY_TBAR);
		uint8_t pkt[2048], orig[2048], rx[2048];
		size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 5000, 5001, 1372);
		memcpy(orig, pkt, n);
		assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
		assert_int_equal(recv_pkt(&b, &a, 0, now0 + 3000000, rx), DP_VERDICT_REPLACE);
		assert_int_equal(b.out.n, 1);
		assert_int_equal(b.out.pkt[0].len, n);
		assert_memory_equal(b.out.pkt[0].p, orig, n);
		assert_true(b.out.pkt[0].p >= rx &&
			    b.out.pkt[0].p < rx + sizeof(rx)); /* in place */
		assert_int_equal(b.out.spi, 0x11111111);
		assert_int_equal(b.out.seq, (uint32_t)(now0 / 1000000));
		static const enum dp_ctr path[] = {DP_CTR_WAN_IN,	 DP_CTR_SPI_FOUND,
						   DP_CTR_AUTHENTICATED, DP_CTR_REPLAY_OK,
						   DP_CTR_DECRYPTED,	 DP_CTR_LAN_OUT};
		for (size_t i = 0; i < ARRAY_SIZE(path); i++)
			assert_int_equal(ctr(&b, path[i]), 1);
		assert_int_equal(drops(&b, DP_DROP_NONE), 0);
		struct dp_sad_sa_totals t;
		dp_sad_sa_totals(b.sa[0], &t);
		assert_int_equal(t.in_pkts, 1);
		assert_int_equal(t.in_bytes, n);
		gm_free(&a);
		gm_free(&b);
	}
}

/* ---- TBAR and the counter window ---- */

static void test_tbar(void **state)
{
	(void)state;
	struct gm a, b;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	gm_init(&b, &gcm128, DP_SAD_REPLAY_TBAR);
	/* Both learnt PT = 5,000,000 ms at monotonic 1000 s; b's clock then runs 3.5 s ahead. */
	publish(&a, &(struct opts){.pt_offset_ms = 5000000 - 1000000});
	publish(&b, &(struct opts){.pt_offset_ms = 5000000 - 1000000 + 3500});
	uint8_t pkt[512], rx[512];
	size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 100);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(buf_load_u32(a.out.pkt[0].p + 24), 5000000); /* seq = pseudotime ms */
	assert_int_equal(recv_pkt(&b, &a, 0, now0, rx), DP_VERDICT_REPLACE); /* 3.5 s <= 4 s */
	assert_int_equal(b.out.pt_ms, 5003500);
	/* 0.6 s later at b the same packet is 4.1 s old: replayed, dropped. */
	assert_int_equal(recv_pkt(&b, &a, 0, now0 + 600000000, rx), DP_VERDICT_DROP);
	assert_int_equal(b.out.drop, DP_DROP_REPLAY_TBAR);
	assert_int_equal(b.out.seq, 5000000);
	assert_int_equal(b.out.pt_ms, 5004100);
	assert_int_equal(drops(&b, DP_DROP_REPLAY_TBAR), 1);
	assert_int_equal(ctr(&b, DP_CTR_AUTHENTICATED), 2);
	assert_int_equal(ctr(&b, DP_CTR_REPLAY_OK), 1);
	struct dp_sad_sa_totals t;
	dp_sad_sa_totals(b.sa[0], &t);
	assert_int_equal(t.in_replay, 1);
	assert_int_equal(t.in_errors, 1);
	gm_free(&a);
	gm_free(&b);
}

static void test_counter_window_and_seq(void **state)
{
	(void)state;
	struct gm a, b;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_COUNTER);
	gm_init(&b, &gcm128, DP_SAD_REPLAY_COUNTER);
	uint8_t pkt[512], rx[512];
	size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 100);
	for (uint32_t i = 1; i <= 3; i++) {
		assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
		assert_int_equal(buf_load_u32(a.out.pkt[0].p + 24), i);
		assert_int_equal(recv_pkt(&b, &a, 0, now0, rx), DP_VERDICT_REPLACE);
	}
	assert_int_equal(recv_pkt(&b, &a, 0, now0, rx), DP_VERDICT_DROP);
	assert_int_equal(b.out.drop, DP_DROP_REPLAY_WINDOW);
	/* The sender never lets a counter-replay SA's sequence number cycle. */
	a.sa[0]->w[0].seq = UINT32_MAX;
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_SEQ_EXHAUSTED);
	gm_free(&a);
	gm_free(&b);
	/* Without replay protection the counter wraps past 0 to 1. */
	gm_init(&a, &gcm128, DP_SAD_REPLAY_NONE);
	a.sa[0]->w[0].seq = UINT32_MAX;
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(buf_load_u32(a.out.pkt[0].p + 24), 1);
	gm_free(&a);
}

/* ---- MTU: fragmentation before encryption, ICMP frag-needed ---- */

/* Decap every ESP fragment at b and reassemble the inner datagram. */
static size_t receive_and_reassemble(struct gm *b, struct gm *a, uint8_t *whole)
{
	size_t end = 0, hl0 = 0;
	for (size_t i = 0; i < a->out.n; i++) {
		static uint8_t rx[2048];
		assert_true(a->out.pkt[i].len <= MTU);
		assert_int_equal(recv_pkt(b, a, i, now0, rx), DP_VERDICT_REPLACE);
		const uint8_t *f = b->out.pkt[0].p;
		struct dp_pkt_ipv4 h;
		assert_int_equal(dp_pkt_ipv4_parse(f, b->out.pkt[0].len, true, &h), 0);
		assert_int_equal(dp_pkt_ipv4_frag_off(&h), end);
		assert_int_equal(!!(h.frag & DP_IPV4_MF), i + 1 < a->out.n);
		if (i == 0) {
			hl0 = h.hlen;
			memcpy(whole, f, hl0);
		}
		memcpy(whole + hl0 + end, f + h.hlen, h.total_len - h.hlen);
		end += h.total_len - h.hlen;
	}
	return hl0 + end;
}

static void test_fragment_before_encryption(void **state)
{
	(void)state;
	for (size_t x = 0; x < test_nxforms; x++) {
		struct gm a, b;
		gm_init(&a, &test_xforms[x].xf, DP_SAD_REPLAY_TBAR);
		gm_init(&b, &test_xforms[x].xf, DP_SAD_REPLAY_TBAR);
		static uint8_t pkt[9000], orig[9000], whole[9000];
		size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 8000); /* DF clear */
		memcpy(orig, pkt, n);
		assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
		size_t chunk = (dp_esp_max_inner(&test_xforms[x].xf, MTU) - 20) & ~(size_t)7;
		assert_int_equal(a.out.n, (n - 20 + chunk - 1) / chunk);
		assert_int_equal(ctr(&a, DP_CTR_FRAGMENTED), 1);
		assert_int_equal(ctr(&a, DP_CTR_FRAGMENTS), a.out.n);
		assert_int_equal(ctr(&a, DP_CTR_ENCRYPTED), a.out.n);
		assert_int_equal(ctr(&a, DP_CTR_WAN_OUT), a.out.n);
		size_t len = receive_and_reassemble(&b, &a, whole);
		assert_int_equal(len, n);
		assert_memory_equal(whole + 20, orig + 20, n - 20);
		gm_free(&a);
		gm_free(&b);
	}
}

static void test_df_set_sends_icmp(void **state)
{
	(void)state;
	struct gm a;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	uint8_t pkt[2048];
	size_t n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 40000, 443, 0x10, NULL, 0, 1460);
	buf_store_u16(pkt + 6, DP_IPV4_DF);
	dp_pkt_ipv4_set_csum(pkt, 20);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_FRAG_NEEDED_SENT);
	assert_int_equal(a.out.n, 1);
	const uint8_t *icmp = a.out.pkt[0].p;
	struct dp_pkt_ipv4 h;
	assert_int_equal(dp_pkt_ipv4_parse(icmp, a.out.pkt[0].len, true, &h), 0);
	assert_int_equal(h.src, ICMP_SRC);
	assert_int_equal(h.dst, host_a);
	assert_int_equal(icmp[20], 3);
	assert_int_equal(icmp[21], 4);
	assert_int_equal(buf_load_u16(icmp + 26), 1446); /* 1500 minus the GCM overhead */
	assert_int_equal(dp_pkt_csum(icmp + 20, a.out.pkt[0].len - 20), 0);
	assert_memory_equal(icmp + 28, pkt, 28);
	/* The largest packet that fits goes through. */
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 40000, 443, 0x10, NULL, 0, 1446 - 40);
	buf_store_u16(pkt + 6, DP_IPV4_DF);
	dp_pkt_ipv4_set_csum(pkt, 20);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(a.out.pkt[0].len, MTU);
	/* Rate limit: the burst is spent, then too_big without ICMP. */
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 40000, 443, 0x10, NULL, 0, 1460);
	buf_store_u16(pkt + 6, DP_IPV4_DF);
	dp_pkt_ipv4_set_csum(pkt, 20);
	for (int i = 1; i < DP_SAD_ICMP_BURST; i++)
		assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(ctr(&a, DP_CTR_ICMP_SENT), DP_SAD_ICMP_BURST);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_TOO_BIG);
	assert_int_equal(a.out.n, 0);
	assert_int_equal(ctr(&a, DP_CTR_ICMP_RATELIMITED), 1);
	assert_int_equal(send_pkt(&a, pkt, n, now0 + 1000000000), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_FRAG_NEEDED_SENT);
	/* `df-bit clear`: fragmented before encryption instead. */
	publish(&a, &(struct opts){.df = DP_ESP_DF_CLEAR});
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(a.out.n, 2);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(buf_load_u16(a.out.pkt[i].p + 6) & DP_IPV4_DF, 0);
	/* `df-bit set`: outer DF on every fragment of a DF-clear inner packet. */
	publish(&a, &(struct opts){.df = DP_ESP_DF_SET});
	buf_store_u16(pkt + 6, 0);
	dp_pkt_ipv4_set_csum(pkt, 20);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(a.out.n, 2);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(buf_load_u16(a.out.pkt[i].p + 6), DP_IPV4_DF);
	gm_free(&a);
}

static void test_arena_limits(void **state)
{
	(void)state;
	struct gm a;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	static uint8_t pkt[70000];
	size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 65535 - 28);
	/* A 64 KiB datagram at MTU 576 needs more than DP_OUT_MAX fragments. */
	publish(&a, &(struct opts){.mtu = 576});
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_TOO_MANY_FRAGS);
	/* At 1500 it fits in DP_OUT_CAP. */
	publish(&a, &(struct opts){0});
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(a.out.n, (65515 + 1423) / 1424); /* 1424 data bytes per fragment */
	/* A small arena: no_space, never a partial result. */
	a.out.cap = 3000;
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_NO_SPACE);
	a.out.cap = 100;
	n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 100);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_DROP);
	assert_int_equal(a.out.drop, DP_DROP_NO_SPACE);
	gm_free(&a);
}

/* ---- MSS ---- */

static void test_mss_clamp_both_ways(void **state)
{
	(void)state;
	struct gm a, b;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	gm_init(&b, &gcm128, DP_SAD_REPLAY_TBAR);
	static const uint8_t mss1460[] = {2, 4, 0x05, 0xb4};
	uint8_t pkt[512], rx[512];
	/* Clear (local deny, port 22) SYN: clamped in place. */
	publish(&a, &(struct opts){.adjust_mss = 1360});
	size_t n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 5555, 22, 0x02, mss1460, 4, 0);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_PASS_MODIFIED);
	assert_int_equal(buf_load_u16(pkt + 42), 1360);
	assert_int_equal(pktgen_l4_csum(pkt, n), 0);
	/* Encrypted SYN: clamped before encryption; b decapsulates 1360. */
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 5555, 80, 0x02, mss1460, 4, 0);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(recv_pkt(&b, &a, 0, now0, rx), DP_VERDICT_REPLACE);
	assert_int_equal(buf_load_u16(b.out.pkt[0].p + 42), 1360);
	/* b clamps what it decapsulates with its own setting. */
	publish(&a, &(struct opts){0});
	publish(&b, &(struct opts){.adjust_mss = 1200});
	n = pktgen_tcp(pkt, sizeof(pkt), host_a, host_b, 5555, 80, 0x02, mss1460, 4, 0);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(recv_pkt(&b, &a, 0, now0, rx), DP_VERDICT_REPLACE);
	assert_int_equal(buf_load_u16(b.out.pkt[0].p + 42), 1200);
	assert_int_equal(pktgen_l4_csum(b.out.pkt[0].p, b.out.pkt[0].len), 0);
	assert_int_equal(ctr(&a, DP_CTR_MSS_CLAMPED), 2);
	assert_int_equal(ctr(&b, DP_CTR_MSS_CLAMPED), 1);
	gm_free(&a);
	gm_free(&b);
}

/* ---- inbound failures ---- */

static void test_inbound_every_bit_flip_counted(void **state)
{
	(void)state;
	struct gm a, b;
	gm_init(&a, &test_xforms[4].xf, DP_SAD_REPLAY_TBAR); /* AES-CBC + SHA-256 */
	gm_init(&b, &test_xforms[4].xf, DP_SAD_REPLAY_TBAR);
	uint8_t pkt[512], rx[512];
	size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 50);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	const uint8_t *esp = a.out.pkt[0].p;
	size_t len = a.out.pkt[0].len;
	uint64_t before = drops(&b, DP_DROP_NONE);
	uint64_t by_reason[DP_DROP_COUNT] = {0};
	for (size_t bit = 0; bit < len * 8; bit++) {
		memcpy(rx, esp, len);
		rx[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		uint64_t old = drops(&b, DP_DROP_NONE);
		if (dp_sad_input(&b.w, WAN_IF, rx, len, now0, &b.out) != DP_VERDICT_DROP)
			fail_msg("flip of bit %zu accepted", bit);
		enum dp_drop why = b.out.drop;
		assert_int_equal(drops(&b, DP_DROP_NONE), old + 1);
		assert_int_equal(drops(&b, why) - by_reason[why], 1); /* under its own name */
		by_reason[why]++;
		if (bit / 8 >= 24)
			assert_int_equal(why, DP_DROP_MAC_FAIL);
		else if (bit / 8 >= 20)
			assert_int_equal(why, DP_DROP_BAD_SPI);
	}
	for (size_t l = 0; l < len; l++) {
		memcpy(rx, esp, len);
		assert_int_equal(dp_sad_input(&b.w, WAN_IF, rx, l, now0, &b.out), DP_VERDICT_DROP);
		assert_int_equal(b.out.drop, DP_DROP_SHORT_PACKET);
	}
	assert_int_equal(drops(&b, DP_DROP_NONE) - before, len * 8 + len);
	assert_int_equal(ctr(&b, DP_CTR_LAN_OUT), 0);
	struct dp_sad_sa_totals t;
	dp_sad_sa_totals(b.sa[0], &t);
	assert_int_equal(t.in_auth_fail, drops(&b, DP_DROP_MAC_FAIL));
	gm_free(&a);
	gm_free(&b);
}

static void test_inbound_bad_spi_addr_and_policy(void **state)
{
	(void)state;
	struct gm a, b;
	gm_init(&a, &gcm128, DP_SAD_REPLAY_TBAR);
	gm_init(&b, &gcm128, DP_SAD_REPLAY_TBAR);
	uint8_t pkt[512], rx[512];
	size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 20);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	/* Unknown SPI: the SPI and addresses are reported for the INV_SPI log. */
	memcpy(rx, a.out.pkt[0].p, a.out.pkt[0].len);
	buf_store_u32(rx + 20, 0xabcdef01);
	assert_int_equal(dp_sad_input(&b.w, WAN_IF, rx, a.out.pkt[0].len, now0, &b.out),
			 DP_VERDICT_DROP);
	assert_int_equal(b.out.drop, DP_DROP_BAD_SPI);
	assert_int_equal(b.out.spi, 0xabcdef01);
	assert_int_equal(b.out.src, host_a);
	/* Outer source rewritten (e.g. by NAT): counted, dropped only when configured. */
	memcpy(rx, a.out.pkt[0].p, a.out.pkt[0].len);
	buf_store_u32(rx + 12, IP(203, 0, 113, 1));
	dp_pkt_ipv4_set_csum(rx, 20);
	uint8_t rx2[512];
	memcpy(rx2, rx, a.out.pkt[0].len);
	assert_int_equal(dp_sad_input(&b.w, WAN_IF, rx, a.out.pkt[0].len, now0, &b.out),
			 DP_VERDICT_REPLACE);
	assert_int_equal(ctr(&b, DP_CTR_ADDR_MISMATCH), 1);
	publish(&b, &(struct opts){.addr_drop = true});
	assert_int_equal(dp_sad_input(&b.w, WAN_IF, rx2, a.out.pkt[0].len, now0, &b.out),
			 DP_VERDICT_DROP);
	assert_int_equal(b.out.drop, DP_DROP_ADDR_MISMATCH);
	/* Policy check: an ICMP packet is denied by the group's policy. */
	publish(&b, &(struct opts){.policy_check = true});
	n = pktgen_icmp_echo(pkt, sizeof(pkt), host_a, host_b, 8);
	const struct dp_esp_xform *xf = &gcm128;
	struct dp_esp_encap_params p = {.seq = (uint32_t)(now0 / 1000000)};
	enum dp_drop why;
	int len = dp_esp_encap(&a.sa[0]->w[0].esp, &p, pkt, n, rx, sizeof(rx), &why);
	assert_true(len > 0 && (size_t)len == dp_esp_encap_len(xf, n));
	assert_int_equal(dp_sad_input(&b.w, WAN_IF, rx, (size_t)len, now0, &b.out),
			 DP_VERDICT_DROP);
	assert_int_equal(b.out.drop, DP_DROP_POLICY_MISMATCH);
	/* UDP is permitted. */
	n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 20);
	assert_int_equal(send_pkt(&a, pkt, n, now0), DP_VERDICT_REPLACE);
	assert_int_equal(recv_pkt(&b, &a, 0, now0, rx), DP_VERDICT_REPLACE);
	/* Not ESP at all. */
	n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 20);
	assert_int_equal(dp_sad_input(&b.w, WAN_IF, pkt, n, now0, &b.out), DP_VERDICT_DROP);
	assert_int_equal(b.out.drop, DP_DROP_NOT_ESP);
	gm_free(&a);
	gm_free(&b);
}

/* ---- threads: publish and retire while workers encrypt ---- */

enum { STRESS_WORKERS = 3, STRESS_SNAPSHOTS = 200000, STRESS_BATCHES = 30000 };

struct stress {
	struct dp_sad *sad;
	_Atomic unsigned done; /* workers finished */
	_Atomic unsigned long batches;
};

struct stress_worker {
	struct stress *st;
	size_t index;
	unsigned long errors;
};

/* Every snapshot published holds one group named "S<version-ish>" whose SA sends. */
static void *stress_run(void *arg)
{
	struct stress_worker *sw = arg;
	struct dp_sad_worker w;
	dp_sad_worker_init(&w, sw->st->sad, sw->index, 0);
	static _Thread_local uint8_t arena[8192], pkt[256];
	struct dp_out out = {.buf = arena, .cap = sizeof(arena)};
	uint64_t last = 0;
	for (unsigned long b = 0; b < STRESS_BATCHES; b++) {
		const struct dp_sad_snap *s = dp_sad_enter(&w);
		if (s->version < last || (s->ngroups && s->groups[0].name[0] != 'S'))
			sw->errors++;
		last = s->version;
		for (int k = 0; k < 2; k++) {
			size_t n = pktgen_udp(pkt, sizeof(pkt), host_a, host_b, 1, 2, 64);
			enum dp_verdict v = dp_sad_output(&w, WAN_IF, pkt, n, now0, &out);
			if (s->nmaps && v != DP_VERDICT_REPLACE)
				sw->errors++;
		}
		if (b % 64 == 0)
			dp_sad_quiesce(&w);
		atomic_fetch_add(&sw->st->batches, 1);
	}
	dp_sad_quiesce(&w);
	atomic_fetch_add(&sw->st->done, 1);
	return NULL;
}

static void test_publish_retire_threads(void **state)
{
	(void)state;
	struct stress st = {0};
	assert_int_equal(dp_sad_create(STRESS_WORKERS, &st.sad), 0);
	struct dp_acl *acl;
	assert_int_equal(dp_acl_create("P", policy, ARRAY_SIZE(policy), STRESS_WORKERS, &acl), 0);
	pthread_t th[STRESS_WORKERS];
	struct stress_worker sw[STRESS_WORKERS];
	for (size_t i = 0; i < STRESS_WORKERS; i++) {
		sw[i] = (struct stress_worker){&st, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, stress_run, &sw[i]), 0);
	}
	size_t max_left = 0;
	struct dp_sad_sa *prev = NULL;
	/* Publish until every worker has run all its batches (bounded as well). */
	unsigned v = 0;
	for (; atomic_load(&st.done) < STRESS_WORKERS && v < STRESS_SNAPSHOTS; v++) {
		/* A rekey each time: new SA, the previous one still accepted. */
		struct test_keys k;
		struct dp_sad_sa_params p = sa_params(&gcm128, 0x1000 + v, &k);
		struct dp_sad_sa *sa;
		assert_int_equal(dp_sad_sa_create(st.sad, &p, rng(), &sa), 0);
		struct dp_sad_sa *list[2] = {sa, prev};
		char name[16];
		snprintf(name, sizeof(name), "S%u", v);
		struct dp_sad_group_desc gd = {
		    .name = name, .acl = acl, .sas = list, .nsas = prev ? 2 : 1};
		static const size_t idx[] = {0};
		struct dp_sad_map_desc md = {
		    .ifindex = WAN_IF, .mtu = MTU, .groups = idx, .ngroups = 1};
		struct dp_sad_desc d = {&gd, 1, &md, 1};
		struct dp_sad_snap *s;
		assert_int_equal(dp_sad_snap_build(st.sad, &d, &s), 0);
		dp_sad_publish(st.sad, s);
		dp_sad_sa_unref(prev);
		prev = sa;
		size_t left = dp_sad_reclaim(st.sad);
		max_left = MAX(max_left, left);
	}
	for (size_t i = 0; i < STRESS_WORKERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(sw[i].errors, 0);
	}
	/* Every worker is idle: everything retired can go. */
	assert_int_equal(dp_sad_reclaim(st.sad), 0);
	assert_true(atomic_load(&st.batches) > 0);
	struct dp_counters_total t;
	dp_sad_counters(st.sad, &t);
	assert_int_equal(t.drops, 0);
	assert_int_equal(t.ctr[DP_CTR_ENCRYPTED] + t.ctr[DP_CTR_NO_CRYPTO_MAP],
			 t.ctr[DP_CTR_LAN_IN]);
	assert_int_equal(atomic_load(&st.batches), STRESS_WORKERS * STRESS_BATCHES);
	print_message("stress: %u snapshots, %lu batches, %llu encrypted, at most %zu waiting\n", v,
		      atomic_load(&st.batches), (unsigned long long)t.ctr[DP_CTR_ENCRYPTED],
		      max_left);
	dp_sad_sa_unref(prev);
	dp_acl_unref(acl);
	dp_sad_destroy(st.sad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_snapshot_table_and_errors),
	    TEST(test_sa_params_refused),
	    TEST(test_sender_choice),
	    TEST(test_epochs),
	    TEST(test_output_classification),
	    TEST(test_output_default_and_no_policy),
	    TEST(test_round_trip_counters),
	    TEST(test_tbar),
	    TEST(test_counter_window_and_seq),
	    TEST(test_fragment_before_encryption),
	    TEST(test_df_set_sends_icmp),
	    TEST(test_arena_limits),
	    TEST(test_mss_clamp_both_ways),
	    TEST(test_inbound_every_bit_flip_counted),
	    TEST(test_inbound_bad_spi_addr_and_policy),
	    TEST(test_publish_retire_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
