/* dp/acl: first match, wildcards, port operators, fragments, counters, rendering. */
#include "test.h"

#include "dp/acl.h"
#include "util/err.h"
#include "util/mem.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define ANY	       0, 0xffffffffu

static struct dp_pkt_flow flow(uint8_t proto, uint32_t src, uint32_t dst, int sport, int dport)
{
	struct dp_pkt_flow f = {.proto = proto, .src = src, .dst = dst};
	if (sport >= 0) {
		f.has_ports = true;
		f.sport = (uint16_t)sport;
		f.dport = (uint16_t)dport;
	} else {
		f.fragment = true; /* a non-first fragment */
	}
	return f;
}

static struct dp_acl *make(const struct dp_acl_entry *e, size_t n, size_t nworkers)
{
	struct dp_acl *a;
	assert_int_equal(dp_acl_create("GETVPN", e, n, nworkers, &a), 0);
	return a;
}

/* The typical downloaded GETVPN policy (seed guide). */
static const struct dp_acl_entry typical[] = {
    {.seq = 10, .action = DP_ACL_DENY, .proto = 1, .src = 0, .src_wild = ~0u, .dst_wild = ~0u},
    {.seq = 20, .action = DP_ACL_DENY, .proto = 88, .src_wild = ~0u, .dst_wild = ~0u},
    {.seq = 30,
     .action = DP_ACL_DENY,
     .src_wild = ~0u,
     .dst = IP(224, 0, 0, 0),
     .dst_wild = IP(0, 255, 255, 255)},
    {.seq = 40,
     .action = DP_ACL_DENY,
     .src = IP(224, 0, 0, 0),
     .src_wild = IP(0, 255, 255, 255),
     .dst_wild = ~0u},
    {.seq = 50,
     .action = DP_ACL_DENY,
     .proto = 17,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .sport = {DP_ACL_PORT_EQ, 848, 0},
     .dport = {DP_ACL_PORT_EQ, 848, 0}},
    {.seq = 60, .action = DP_ACL_PERMIT, .src_wild = ~0u, .dst_wild = ~0u, .tek_tag = 1},
};

static void test_first_match_typical_policy(void **state)
{
	(void)state;
	struct dp_acl *a = make(typical, ARRAY_SIZE(typical), 1);
	struct {
		struct dp_pkt_flow f;
		int want;
	} cases[] = {
	    /* 1 */ {flow(1, IP(10, 1, 1, 1), IP(10, 2, 2, 2), -1, 0), 0},     /* ICMP */
	    /* 2 */ {flow(88, IP(10, 1, 1, 1), IP(224, 0, 0, 10), -1, 0), 1},  /* EIGRP before mcast
										*/
	    /* 3 */ {flow(17, IP(10, 1, 1, 1), IP(224, 1, 2, 3), 5, 6), 2},    /* to multicast */
	    /* 4 */ {flow(6, IP(224, 9, 1, 1), IP(10, 0, 0, 1), 5, 6), 3},     /* from multicast */
	    /* 5 */ {flow(17, IP(10, 1, 1, 1), IP(10, 9, 9, 9), 848, 848), 4}, /* GDOI */
	    /* 6 */ {flow(17, IP(10, 1, 1, 1), IP(10, 9, 9, 9), 848, 849), 5}, /* not both ports */
	    /* 7 */ {flow(6, IP(10, 1, 1, 1), IP(10, 9, 9, 9), 848, 848), 5},  /* TCP, not UDP */
	    /* 8 */ {flow(50, IP(10, 1, 1, 1), IP(10, 9, 9, 9), -1, 0), 5},
	    /* 9 */ {flow(17, IP(10, 1, 1, 1), IP(10, 9, 9, 9), -1, 0), 5}, /* later fragment of
									       GDOI: deny skipped */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (dp_acl_lookup(a, &cases[i].f) != cases[i].want)
			fail_msg("case %zu: got %d want %d", i + 1, dp_acl_lookup(a, &cases[i].f),
				 cases[i].want);
	dp_acl_unref(a);
}

static void test_wildcards(void **state)
{
	(void)state;
	const struct dp_acl_entry e[] = {
	    /* host */
	    {.seq = 10, .action = DP_ACL_PERMIT, .src = IP(10, 0, 0, 1), .dst_wild = ~0u},
	    /* non-contiguous: 10.x.0.y with x, y anything (wildcard 0.255.0.255) */
	    {.seq = 20,
	     .action = DP_ACL_DENY,
	     .src = IP(10, 0, 0, 0),
	     .src_wild = IP(0, 255, 0, 255),
	     .dst_wild = ~0u},
	    /* address bits under the wildcard are ignored (normalised) */
	    {.seq = 30,
	     .action = DP_ACL_PERMIT,
	     .src = IP(192, 168, 1, 77),
	     .src_wild = IP(0, 0, 0, 255),
	     .dst = IP(172, 16, 5, 5),
	     .dst_wild = IP(0, 0, 255, 255)},
	};
	struct dp_acl *a = make(e, ARRAY_SIZE(e), 1);
	struct dp_pkt_flow f = flow(6, IP(10, 0, 0, 1), IP(1, 1, 1, 1), 1, 2);
	assert_int_equal(dp_acl_lookup(a, &f), 0);
	f.src = IP(10, 77, 0, 3);
	assert_int_equal(dp_acl_lookup(a, &f), 1);
	f.src = IP(10, 77, 1, 3);
	assert_int_equal(dp_acl_lookup(a, &f), -1);
	f.src = IP(192, 168, 1, 5);
	f.dst = IP(172, 16, 200, 1);
	assert_int_equal(dp_acl_lookup(a, &f), 2);
	f.dst = IP(172, 17, 200, 1);
	assert_int_equal(dp_acl_lookup(a, &f), -1);
	assert_int_equal(a->rules[2].e.src, IP(192, 168, 1, 0));
	dp_acl_unref(a);
}

/* Port operators, boundaries included. */
static void test_port_operators(void **state)
{
	(void)state;
	struct {
		struct dp_acl_ports op;
		uint16_t port;
		bool match;
	} cases[] = {
	    /* 1 */ {{DP_ACL_PORT_EQ, 80, 0}, 80, true},
	    /* 2 */ {{DP_ACL_PORT_EQ, 80, 0}, 81, false},
	    /* 3 */ {{DP_ACL_PORT_NEQ, 23, 0}, 23, false},
	    /* 4 */ {{DP_ACL_PORT_NEQ, 23, 0}, 22, true},
	    /* 5 */ {{DP_ACL_PORT_NEQ, 23, 0}, 24, true},
	    /* 6 */ {{DP_ACL_PORT_LT, 1024, 0}, 1023, true},
	    /* 7 */ {{DP_ACL_PORT_LT, 1024, 0}, 1024, false},
	    /* 8 */ {{DP_ACL_PORT_LT, 1, 0}, 0, true},
	    /* 9 */ {{DP_ACL_PORT_GT, 1023, 0}, 1024, true},
	    /* 10 */ {{DP_ACL_PORT_GT, 1023, 0}, 1023, false},
	    /* 11 */ {{DP_ACL_PORT_GT, 65534, 0}, 65535, true},
	    /* 12 */ {{DP_ACL_PORT_RANGE, 1000, 2000}, 999, false},
	    /* 13 */ {{DP_ACL_PORT_RANGE, 1000, 2000}, 1000, true},
	    /* 14 */ {{DP_ACL_PORT_RANGE, 1000, 2000}, 2000, true},
	    /* 15 */ {{DP_ACL_PORT_RANGE, 1000, 2000}, 2001, false},
	    /* 16 */ {{DP_ACL_PORT_RANGE, 5, 5}, 5, true},
	    /* 17 */ {{DP_ACL_PORT_ANY, 0, 0}, 0, true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (int dir = 0; dir < 2; dir++) {
			struct dp_acl_entry e = {.seq = 10,
						 .action = DP_ACL_PERMIT,
						 .proto = 6,
						 .src_wild = ~0u,
						 .dst_wild = ~0u};
			if (dir)
				e.dport = cases[i].op;
			else
				e.sport = cases[i].op;
			struct dp_acl *a = make(&e, 1, 1);
			struct dp_pkt_flow f =
			    flow(6, 1, 2, dir ? 7 : cases[i].port, dir ? cases[i].port : 7);
			if ((dp_acl_lookup(a, &f) == 0) != cases[i].match)
				fail_msg("port case %zu (%s)", i + 1, dir ? "dst" : "src");
			dp_acl_unref(a);
		}
	}
}

static void test_invalid_entries(void **state)
{
	(void)state;
	struct dp_acl *a;
	struct dp_acl_entry e = {.action = DP_ACL_PERMIT,
				 .proto = 1,
				 .src_wild = ~0u,
				 .dst_wild = ~0u,
				 .dport = {DP_ACL_PORT_EQ, 80, 0}};
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL); /* ports on ICMP */
	e.proto = 0;
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL); /* ports on ip */
	e.proto = 17;
	e.dport = (struct dp_acl_ports){DP_ACL_PORT_LT, 0, 0};
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL);
	e.dport = (struct dp_acl_ports){DP_ACL_PORT_GT, 65535, 0};
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL);
	e.dport = (struct dp_acl_ports){DP_ACL_PORT_RANGE, 10, 9};
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL);
	e.dport = (struct dp_acl_ports){(enum dp_acl_port_op)99, 1, 1};
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL);
	e.dport = (struct dp_acl_ports){DP_ACL_PORT_ANY, 0, 0};
	e.action = (enum dp_acl_action)7;
	assert_int_equal(dp_acl_create("x", &e, 1, 1, &a), ERR_INVAL);
	e.action = DP_ACL_DENY;
	assert_int_equal(dp_acl_create("x", &e, 1, 0, &a), ERR_INVAL);
	assert_null(a);
	/* An empty ACL matches nothing. */
	assert_int_equal(dp_acl_create("empty", NULL, 0, 2, &a), 0);
	struct dp_pkt_flow f = flow(6, 1, 2, 3, 4);
	assert_int_equal(dp_acl_match(a, 1, &f), -1);
	dp_acl_unref(a);
}

/*
 * Non-first fragments (no ports): an entry with port conditions matches them
 * on L3 alone if it is a permit, and is skipped if it is a deny (IOS).
 */
static void test_fragments_follow_ios(void **state)
{
	(void)state;
	const struct dp_acl_entry e[] = {
	    {.seq = 10,
	     .action = DP_ACL_DENY,
	     .proto = 6,
	     .src_wild = ~0u,
	     .dst_wild = ~0u,
	     .dport = {DP_ACL_PORT_EQ, 22, 0}},
	    {.seq = 20,
	     .action = DP_ACL_PERMIT,
	     .proto = 6,
	     .src = IP(10, 1, 0, 0),
	     .src_wild = IP(0, 0, 255, 255),
	     .dst_wild = ~0u,
	     .dport = {DP_ACL_PORT_EQ, 80, 0}},
	    {.seq = 30, .action = DP_ACL_DENY, .src_wild = ~0u, .dst_wild = ~0u},
	};
	struct dp_acl *a = make(e, ARRAY_SIZE(e), 1);
	struct dp_pkt_flow frag = flow(6, IP(10, 1, 2, 3), IP(10, 2, 0, 1), -1, 0);
	assert_int_equal(dp_acl_lookup(a, &frag), 1); /* deny 10 skipped, permit 20 on L3 */
	frag.src = IP(10, 9, 2, 3);		      /* L3 of 20 does not match */
	assert_int_equal(dp_acl_lookup(a, &frag), 2);
	frag.proto = 17; /* protocol must still match */
	frag.src = IP(10, 1, 2, 3);
	assert_int_equal(dp_acl_lookup(a, &frag), 2);
	struct dp_pkt_flow first = flow(6, IP(10, 1, 2, 3), IP(10, 2, 0, 1), 5000, 22);
	assert_int_equal(dp_acl_lookup(a, &first), 0);
	first.dport = 443;
	assert_int_equal(dp_acl_lookup(a, &first), 2);
	dp_acl_unref(a);
}

static void test_counters_per_worker(void **state)
{
	(void)state;
	struct dp_acl *a = make(typical, ARRAY_SIZE(typical), 3);
	struct dp_pkt_flow icmp = flow(1, 1, 2, -1, 0);
	struct dp_pkt_flow tcp = flow(6, 1, 2, 1, 2);
	for (size_t w = 0; w < 3; w++)
		for (size_t k = 0; k <= w; k++)
			assert_int_equal(dp_acl_match(a, w, &icmp), 0);
	assert_int_equal(dp_acl_match(a, 2, &tcp), 5);
	assert_int_equal(dp_acl_matches(a, 0), 6);
	assert_int_equal(dp_acl_matches(a, 5), 1);
	assert_int_equal(dp_acl_matches(a, 1), 0);
	assert_int_equal(dp_acl_matches(a, 99), 0);
	/* Lookup alone counts nothing. */
	assert_int_equal(dp_acl_lookup(a, &tcp), 5);
	assert_int_equal(dp_acl_matches(a, 5), 1);
	/* Rows do not share cache lines. */
	assert_int_equal(a->stride * sizeof(a->hits[0]) % 64, 0);
	dp_acl_clear_counters(a);
	assert_int_equal(dp_acl_matches(a, 0), 0);
	dp_acl_unref(a);
}

static void test_render(void **state)
{
	(void)state;
	const struct dp_acl_entry e[] = {
	    {.seq = 10,
	     .action = DP_ACL_PERMIT,
	     .src = IP(192, 168, 0, 0),
	     .src_wild = IP(0, 0, 255, 255),
	     .dst = IP(192, 168, 0, 0),
	     .dst_wild = IP(0, 0, 255, 255)},
	    {.seq = 20,
	     .action = DP_ACL_DENY,
	     .proto = 17,
	     .src_wild = ~0u,
	     .dst_wild = ~0u,
	     .sport = {DP_ACL_PORT_EQ, 848, 0},
	     .dport = {DP_ACL_PORT_EQ, 848, 0}},
	    {.seq = 30,
	     .action = DP_ACL_PERMIT,
	     .proto = 6,
	     .src = IP(10, 0, 0, 1),
	     .dst = IP(10, 0, 0, 2),
	     .sport = {DP_ACL_PORT_RANGE, 1000, 2000},
	     .dport = {DP_ACL_PORT_GT, 1023, 0}},
	    {.seq = 40,
	     .action = DP_ACL_DENY,
	     .proto = 132,
	     .src_wild = ~0u,
	     .dst_wild = ~0u,
	     .sport = {DP_ACL_PORT_LT, 1024, 0},
	     .dport = {DP_ACL_PORT_NEQ, 23, 0}},
	    {.seq = 50, .action = DP_ACL_PERMIT, .proto = 200, .src_wild = ~0u, .dst_wild = ~0u},
	};
	struct dp_acl *a = make(e, ARRAY_SIZE(e), 2);
	char buf[160];
	for (int i = 0; i < 1234; i++)
		dp_acl_match(a, (size_t)i % 2,
			     &(struct dp_pkt_flow){
				 .proto = 6, .src = IP(192, 168, 1, 1), .dst = IP(192, 168, 2, 2)});
	dp_acl_render_show(a, 0, buf, sizeof(buf));
	assert_string_equal(buf, "    10 permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255 "
				 "(1234 matches)");
	dp_acl_render_show(a, 1, buf, sizeof(buf));
	assert_string_equal(buf, "    20 deny udp any eq 848 any eq 848");
	dp_acl_render_gm(a, 1, buf, sizeof(buf));
	assert_string_equal(buf, "access-list deny udp any port = 848 any port = 848");
	dp_acl_match(a, 1,
		     &(struct dp_pkt_flow){.proto = 6,
					   .src = IP(10, 0, 0, 1),
					   .dst = IP(10, 0, 0, 2),
					   .has_ports = true,
					   .sport = 1500,
					   .dport = 8080});
	dp_acl_render_show(a, 2, buf, sizeof(buf));
	assert_string_equal(buf,
			    "    30 permit tcp host 10.0.0.1 range 1000 2000 host 10.0.0.2 gt 1023 "
			    "(1 match)");
	dp_acl_render_gm(a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "access-list permit tcp host 10.0.0.1 port range 1000 2000 "
				 "host 10.0.0.2 port > 1023");
	dp_acl_render_show(a, 3, buf, sizeof(buf));
	assert_string_equal(buf, "    40 deny sctp any lt 1024 any neq 23");
	dp_acl_render_gm(a, 3, buf, sizeof(buf));
	assert_string_equal(buf, "access-list deny sctp any port < 1024 any port != 23");
	dp_acl_render_gm(a, 4, buf, sizeof(buf));
	assert_string_equal(buf, "access-list permit 200 any any");
	/* Truncation: snprintf-style length, NUL-terminated. */
	int n = dp_acl_render_gm(a, 1, buf, 12);
	assert_int_equal(n, (int)strlen("access-list deny udp any port = 848 any port = 848"));
	assert_string_equal(buf, "access-list");
	assert_int_equal(dp_acl_render_gm(a, 5, buf, sizeof(buf)), ERR_INVAL);
	assert_string_equal(dp_acl_proto_name(88), "eigrp");
	assert_null(dp_acl_proto_name(99));
	dp_acl_unref(a);
}

static void test_refcount(void **state)
{
	(void)state;
	struct dp_acl *a = make(typical, 1, 1);
	dp_acl_ref(a);
	dp_acl_unref(a);
	assert_int_equal(a->refs, 1);
	dp_acl_unref(a); /* freed: ASan checks */
	dp_acl_unref(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_first_match_typical_policy),
	    TEST(test_wildcards),
	    TEST(test_port_operators),
	    TEST(test_invalid_entries),
	    TEST(test_fragments_follow_ios),
	    TEST(test_counters_per_worker),
	    TEST(test_render),
	    TEST(test_refcount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
