/*
 * The data-plane show commands on real state: a KS and a GM register in
 * the simulator (seeded), the GM's installed policy goes through the
 * daemon's glue (daemon/gmdp) into an SA database with the crypto map of
 * eth0, and packets are pushed through the data plane's output and input
 * paths (encrypted, clear, tampered, unknown SPI) so that every kind of
 * counter moves. Then `show crypto ipsec sa [detail]`, `show crypto
 * datapath` and `show access-lists` run through ctl_run() in text and
 * JSON and must equal shows/dp.refout (GVPN_UPDATE_GOLDEN=1 rewrites it).
 * Also: the zero state (a crypto map before registration), a GM without
 * crypto map, `clear crypto datapath`, and the fail-close line of
 * `show crypto gdoi gm`. Counts are also asserted directly, so that a
 * regenerated golden cannot hide a wrong value.
 */
#include "daemon/gmdp.h"
#include "dp/pkt.h"
#include "harness.h"
#include "pktgen.h"
#include "showpair.h"
#include "util/dbuf.h"

#define IP_KS1	       SHOWPAIR_KS
#define IP_GM	       SHOWPAIR_GM
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GOLDEN	       GVPN_SOURCE_DIR "/tests/unit/daemon/shows/dp.refout"

enum { WAN_IF = 2, MTU = 1500 };

/* One data plane: database, its one worker, the glue, the local ACL. */
struct plane {
	struct dp_sad *sad;
	struct dp_sad_worker w;
	struct daemon_gmdp *gmdp;
	struct dp_acl *local;
	struct dp_out out;
	uint8_t arena[DP_OUT_CAP];
};

struct world {
	struct showpair p;
	struct plane live, idle;
	struct ctl_world w, idle_w, none_w;
};

static struct world W;

/* gvpnd's runtime publishes the groups with the interface's crypto map: so do we. */
static int publish(void *arg, const struct dp_sad_group_desc *g, size_t n)
{
	struct plane *p = arg;
	static const size_t idx[] = {0};
	struct dp_sad_map_desc md = {.ifindex = WAN_IF,
				     .mtu = MTU,
				     .icmp_src = IP_GM,
				     .local_acl = p->local,
				     .groups = idx,
				     .ngroups = n};
	struct dp_sad_desc d = {.groups = g, .ngroups = n, .maps = &md, .nmaps = 1};
	struct dp_sad_snap *s;
	int rc = dp_sad_snap_build(p->sad, &d, &s);
	if (rc)
		return rc;
	dp_sad_publish(p->sad, s);
	return 0;
}

static void plane_init(struct plane *p)
{
	static const char *const groups[] = {"G1"};
	/* `match address`: deny ip host 10.1.13.2 any (our own traffic) */
	static const struct dp_acl_entry local[] = {
	    {.seq = 10, .action = DP_ACL_DENY, .src = IP_GM, .dst_wild = ~0u}};
	assert_int_equal(dp_sad_create(1, &p->sad), 0);
	assert_int_equal(dp_sad_worker_init(&p->w, p->sad, 0, 100), 0);
	assert_int_equal(dp_acl_create("gm_local", local, 1, 1, &p->local), 0);
	assert_int_equal(
	    daemon_gmdp_new(p->sad, groups, 1, publish, p, sim_rng(W.p.s), NULL, &p->gmdp), 0);
	/* before the first install: the crypto map with a group without policy */
	struct dp_sad_group_desc g = {.name = "G1"};
	assert_int_equal(publish(p, &g, 1), 0);
	p->out.buf = p->arena;
	p->out.cap = sizeof(p->arena);
}

static void plane_free(struct plane *p)
{
	dp_sad_quiesce(&p->w);
	struct dp_sad_group_desc g = {.name = "G1"};
	assert_int_equal(publish(p, &g, 1), 0); /* the old snapshot held the SAs */
	daemon_gmdp_free(p->gmdp);
	dp_acl_unref(p->local);
	dp_sad_destroy(p->sad);
}

/* A packet leaving eth0; returns the verdict, the ESP packet copied to esp. */
static enum dp_verdict out_pkt(uint8_t *pkt, size_t len, uint8_t *esp, size_t *esp_len)
{
	struct plane *p = &W.live;
	dp_sad_enter(&p->w);
	enum dp_verdict v = dp_sad_output(&p->w, WAN_IF, pkt, len, sim_now(W.p.s), &p->out);
	if (v == DP_VERDICT_REPLACE && esp) {
		memcpy(esp, p->out.pkt[0].p, p->out.pkt[0].len);
		*esp_len = p->out.pkt[0].len;
	}
	return v;
}

static enum dp_verdict in_pkt(uint8_t *esp, size_t len)
{
	struct plane *p = &W.live;
	dp_sad_enter(&p->w);
	return dp_sad_input(&p->w, WAN_IF, esp, len, sim_now(W.p.s), &p->out);
}

static void traffic(void)
{
	uint8_t pkt[2048], esp[2048], copy[2048];
	size_t len, elen = 0;
	uint32_t a = IP(192, 168, 13, 2), b = IP(192, 168, 14, 2);

	/* 3 UDP datagrams: permit ip any any, encrypted, then received back */
	for (int i = 0; i < 3; i++) {
		len = pktgen_udp(pkt, sizeof(pkt), a, b, 5000, 6000, 100);
		assert_int_equal(out_pkt(pkt, len, esp, &elen), DP_VERDICT_REPLACE);
		assert_int_equal(in_pkt(esp, elen), DP_VERDICT_REPLACE);
	}
	/* 1 TCP segment to port 1500: the tcp range line */
	len = pktgen_tcp(pkt, sizeof(pkt), IP(10, 1, 0, 5), IP(10, 2, 0, 9), 40000, 1500, 0x10,
			 NULL, 0, 10);
	assert_int_equal(out_pkt(pkt, len, esp, &elen), DP_VERDICT_REPLACE);
	memcpy(copy, esp, elen);
	/* that ESP packet tampered (last ICV byte) -> mac_fail */
	copy[elen - 1] ^= 1;
	assert_int_equal(in_pkt(copy, elen), DP_VERDICT_DROP);
	/* and with an SPI nobody has -> bad_spi */
	memcpy(copy, esp, elen);
	copy[20] ^= 0xff;
	assert_int_equal(in_pkt(copy, elen), DP_VERDICT_DROP);
	/* 2 pings: deny icmp, in clear */
	for (int i = 0; i < 2; i++) {
		len = pktgen_icmp_echo(pkt, sizeof(pkt), a, b, 56);
		assert_int_equal(out_pkt(pkt, len, NULL, NULL), DP_VERDICT_PASS);
	}
	/* GDOI from the member itself: the local deny line */
	len = pktgen_udp(pkt, sizeof(pkt), IP_GM, IP_KS1, 848, 848, 40);
	assert_int_equal(out_pkt(pkt, len, NULL, NULL), DP_VERDICT_PASS);
	dp_sad_quiesce(&W.live.w);
}

static int setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	showpair_start(&W.p, 20261206, true);
	assert_true(W.p.gm->has_policy);

	plane_init(&W.live);
	plane_init(&W.idle);
	struct gdoi_gm_install in = {.group = "G1",
				     .state = GDOI_GM_DP_POLICY,
				     .policy = &W.p.gm->pol,
				     .ks_addr = IP_KS1,
				     .gm_addr = IP_GM};
	assert_int_equal(daemon_gmdp_install(W.live.gmdp, &in, sim_now(W.p.s)), 0);
	traffic();

	struct ctl_world ks_w;
	showpair_worlds(&W.p, &W.w, &ks_w);
	W.w.dp_sad = W.live.sad;
	W.w.gm_map = "gm_map";
	W.idle_w = W.w;
	W.idle_w.dp_sad = W.idle.sad;
	W.none_w = W.w;
	W.none_w.dp_sad = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	plane_free(&W.live);
	plane_free(&W.idle);
	showpair_stop(&W.p);
	return 0;
}

static const char *run(struct ctl_world *w, const char *cmd, unsigned flags, unsigned *status)
{
	return showpair_run(&W.p, w, cmd, flags, status);
}

static void has(const char *out, const char *want)
{
	if (!strstr(out, want))
		fail_msg("missing \"%s\" in:\n%s", want, out);
}

/* Facts asserted without the golden. */
static void test_facts(void **state)
{
	(void)state;
	unsigned st;
	const char *out = run(&W.w, "show crypto ipsec sa", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	has(out, "interface: eth0\n    Crypto map tag: gm_map, local addr 10.1.13.2\n");
	has(out, "   local  ident (addr/mask/prot/port): (10.1.0.0/255.255.0.0/6/0)\n"
		 "   remote ident (addr/mask/prot/port): (10.2.0.0/255.255.0.0/6/1000-2000)\n"
		 "   Group: G1\n");
	/* the group's one SA carries all 4 packets out, 3 in, and 1 MAC failure */
	has(out, "    #pkts encaps: 4, #pkts encrypt: 4, #pkts digest: 4\n"
		 "    #pkts decaps: 3, #pkts decrypt: 3, #pkts verify: 3\n");
	has(out, "    #send errors 0, #recv errors 1\n");
	has(out, "        transform: esp-256-aes esp-sha256-hmac ,\n");
	has(out, "        replay detection support: Y  replay window size: 4\n");
	out = run(&W.w, "show crypto ipsec sa interface eth0 detail", 0, &st);
	has(out, "interface: eth0\n");
	has(out, "    #pkts verify failed: 1\n");
	out = run(&W.w, "show crypto ipsec sa interface eth1", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	assert_string_equal(out, "");
	out = run(&W.w, "show crypto datapath", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	has(out, "  lan_in ");
	has(out, "  mac_fail ");
	out = run(&W.w, "show crypto datapath", CTL_REQ_JSON, &st);
	has(out, "\"lanIn\": 7");
	has(out, "\"classifiedPermit\": 4");
	has(out, "\"classifiedDeny\": 3");
	has(out, "\"encrypted\": 4");
	has(out, "\"wanIn\": 5");
	has(out, "\"lanOut\": 3");
	has(out, "\"macFail\": 1");
	has(out, "\"badSpi\": 1");
	out = run(&W.w, "show access-lists", 0, &st);
	has(out, "Extended IP access list gm_local\n    10 deny ip host 10.1.13.2 any (1 match)\n");
	has(out, "Extended IP access list gdoi_group_G1_temp_acl\n    10 deny icmp any any (2 "
		 "matches)\n");
	has(out, "    40 permit ip any any (3 matches)\n");
	out = run(&W.w, "show access-lists gm_local", 0, &st);
	assert_null(strstr(out, "gdoi_group"));
	/* fail-close configured, registered: the mode line says so */
	out = run(&W.w, "show crypto gdoi gm", 0, &st);
	has(out, "       Fail-Close Revert     : Enabled\n");
	/* a member without crypto map */
	out = run(&W.none_w, "show crypto ipsec sa", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	assert_string_equal(out, "% No crypto map is attached to an interface: no data plane "
				 "(nothing is encrypted)\n");
	out = run(&W.none_w, "show crypto datapath", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
	out = run(&W.none_w, "show access-lists", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
}

static const struct {
	int world; /* 0 live, 1 zero state */
	const char *cmd;
} shows[] = {
    {0, "show crypto ipsec sa"},
    {0, "show crypto ipsec sa detail"},
    {0, "show crypto datapath"},
    {0, "show access-lists"},
    {0, "show access-lists gdoi_group_G1_temp_acl"},
    {1, "show crypto ipsec sa"},
    {1, "show crypto datapath"},
    {1, "show access-lists"},
};

static void test_golden(void **state)
{
	(void)state;
	struct dbuf all = DBUF_INIT;
	for (size_t i = 0; i < sizeof(shows) / sizeof(shows[0]); i++) {
		struct ctl_world *w = shows[i].world ? &W.idle_w : &W.w;
		for (int json = 0; json < 2; json++) {
			unsigned st;
			const char *out = run(w, shows[i].cmd, json ? CTL_REQ_JSON : 0, &st);
			assert_int_equal(st, CTL_ST_OK);
			dbuf_printf(&all, "==== %s%s#%s%s\n%s", w->hostname,
				    shows[i].world ? " (before registration)" : "", shows[i].cmd,
				    json ? " --json" : "", out);
		}
	}
	harness_golden(GOLDEN, dbuf_str(&all));
	dbuf_free(&all);
}

/* Runs last: zeroes the checkpoint and drop counters. */
static void test_clear(void **state)
{
	(void)state;
	unsigned st;
	run(&W.w, "clear crypto datapath", 0, &st);
	assert_int_equal(st, CTL_ST_OK);
	const char *out = run(&W.w, "show crypto datapath", CTL_REQ_JSON, &st);
	has(out, "\"lanIn\": 0");
	has(out, "\"macFail\": 0");
	out = run(&W.none_w, "clear crypto datapath", 0, &st);
	assert_int_equal(st, CTL_ST_FAILED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_facts),
	    TEST(test_golden),
	    TEST(test_clear),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
