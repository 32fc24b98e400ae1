/*
 * `show crypto ipsec sa [interface IF] [detail]`: the IPsec flows of the crypto-map
 * interface in the IOS layout (behavior-reference §4.2, seed guide), from
 * the data plane's current snapshot.
 *
 * One flow per ACL line: the local `match address` deny lines first (they
 * are checked first), then each group's downloaded lines in crypto-map
 * order. A permit line lists the group's SAs of its TEK (inbound: every
 * one the group accepts; outbound: those that may send) with the SAs'
 * counters, so the permit lines of one TEK show the same SAs and counts
 * (group SAs are shared by all flows, unlike IOS's per-flow pairs). Deny
 * lines have no SA and zero counters. Drops that no SA can be blamed for
 * (unknown SPI, no SA yet, malformed packets) are in `show crypto datapath`.
 */
#include <stdio.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_dp.h"
#include "diag/log.h"
#include "dp/runtime.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

/* IOS prints this for software-crypto GDOI SAs. */
#define SIBLING_FLAGS "80000040"

static struct result_node *json_u64(struct result_node *n, const char *label, uint64_t v)
{
	return result_set_flags(result_kv_u64(n, label, v), RESULT_JSON_ONLY);
}

static struct result_node *json_str(struct result_node *n, const char *label, const char *v)
{
	return result_set_flags(result_kv_str(n, label, "%s", v), RESULT_JSON_ONLY);
}

/* Port of an ident: 0 for any, the port for eq, else the range (gvpn). */
static void ident_port(const struct dp_acl_ports *p, char *buf, size_t cap)
{
	switch (p->op) {
	case DP_ACL_PORT_ANY:
		snprintf(buf, cap, "0");
		break;
	case DP_ACL_PORT_EQ:
		snprintf(buf, cap, "%u", p->a);
		break;
	case DP_ACL_PORT_NEQ:
		snprintf(buf, cap, "!%u", p->a);
		break;
	case DP_ACL_PORT_LT:
		snprintf(buf, cap, "0-%u", p->a - 1u);
		break;
	case DP_ACL_PORT_GT:
		snprintf(buf, cap, "%u-65535", p->a + 1u);
		break;
	case DP_ACL_PORT_RANGE:
		snprintf(buf, cap, "%u-%u", p->a, p->b);
		break;
	}
}

/* "(192.168.13.0/255.255.255.0/6/80)" */
static void ident(const struct dp_acl_entry *e, bool local, char *buf, size_t cap)
{
	char a[DIAG_IP4_STRLEN], m[DIAG_IP4_STRLEN], port[16];
	uint32_t addr = local ? e->src : e->dst, wild = local ? e->src_wild : e->dst_wild;
	ident_port(local ? &e->sport : &e->dport, port, sizeof(port));
	snprintf(buf, cap, "(%s/%s/%u/%s)", diag_ip4(addr, a), diag_ip4(~wild, m), e->proto, port);
}

static uint64_t remaining_sec(const struct dp_sad_sa *sa, uint64_t now)
{
	if (sa->expire_ns == CLOCK_NEVER)
		return sa->lifetime_sec;
	return sa->expire_ns > now ? (sa->expire_ns - now) / NS_PER_SEC : 0;
}

struct flow_ctx {
	struct ctl_exec *x;
	const struct ctl_dp *d;
	bool detail;
	uint64_t now;
	uint32_t local_addr;
	uint16_t mtu;
};

static void sa_block(const struct flow_ctx *c, struct result_node *list, const struct dp_sad_sa *sa)
{
	struct result_node *it = result_item(list);
	result_align(it, RESULT_ALIGN_NONE, 0, 0);
	result_text(it, "      spi: 0x%X(%u)", sa->spi, sa->spi);
	result_set_flags(result_kv_hexdec(it, "spi", sa->spi), RESULT_JSON_ONLY);
	result_text(it, "        transform: %s ,", sa->xf_name);
	json_str(it, "transform", sa->xf_name);
	result_text(it, "        in use settings ={Tunnel, }");
	json_str(it, "in use settings", "Tunnel");
	result_text(it, "        conn id: %llu, flow_id: SW:%llu, sibling_flags %s, crypto map: %s",
		    (unsigned long long)sa->order, (unsigned long long)sa->order, SIBLING_FLAGS,
		    c->d->map_name);
	json_u64(it, "conn id", sa->order);
	result_set_flags(result_kv_str(it, "flow_id", "SW:%llu", (unsigned long long)sa->order),
			 RESULT_JSON_ONLY);
	json_str(it, "crypto map", c->d->map_name);
	json_str(it, "group", sa->group);
	uint64_t rem = remaining_sec(sa, c->now);
	result_text(it, "        sa timing: remaining key lifetime (sec): (%llu)",
		    (unsigned long long)rem);
	json_u64(it, "remaining key lifetime sec", rem);
	result_text(it, "        Kilobyte Volume Rekey has been disabled");
	result_set_flags(result_kv_bool(it, "kilobyte volume rekey", false, "yes", "no"),
			 RESULT_JSON_ONLY);
	size_t iv = dp_esp_iv_len(&sa->xf);
	result_text(it, "        IV size: %zu bytes", iv);
	json_u64(it, "IV size bytes", iv);
	bool replay = sa->replay != DP_SAD_REPLAY_NONE;
	if (replay)
		result_text(it, "        replay detection support: Y  replay window size: %u",
			    sa->replay_window);
	else
		result_text(it, "        replay detection support: N");
	result_set_flags(result_kv_bool(it, "replay detection support", replay, "Y", "N"),
			 RESULT_JSON_ONLY);
	json_str(it, "replay method",
		 sa->replay == DP_SAD_REPLAY_TBAR ? "time-based"
		 : replay			  ? "counter"
						  : "none");
	if (replay)
		json_u64(it, "replay window size", sa->replay_window);
	result_text(it, "        Status: ACTIVE(ACTIVE)");
	json_str(it, "status", "ACTIVE");
	/* gvpn's additions: the TEK tag ACL lines send with, and the direction */
	if (c->detail)
		result_text(it, "        tek tag: %u, %s", sa->tek_tag,
			    sa->can_send ? "sends and receives" : "receive only");
	json_u64(it, "tek tag", sa->tek_tag);
	result_set_flags(result_kv_bool(it, "can send", sa->can_send, "yes", "no"),
			 RESULT_JSON_ONLY);
	result_blank(it);
}

/* "     inbound esp sas:" with its SAs, then the empty ah and pcp lines. */
static void sa_lists(const struct flow_ctx *c, struct result_node *f, const char *dir,
		     const struct dp_sad_sa *const *sas, size_t n, bool outbound)
{
	char label[32];
	result_text(f, "     %s esp sas:", dir);
	snprintf(label, sizeof(label), "%s esp sas", dir);
	struct result_node *l = result_list(f, label);
	for (size_t i = 0; i < n; i++)
		if (!outbound || sas[i]->can_send)
			sa_block(c, l, sas[i]);
	if (!n)
		result_blank(f);
	result_text(f, "     %s ah sas:", dir);
	result_blank(f);
	result_text(f, "     %s pcp sas:", dir);
	result_blank(f);
}

/* "    #pkts encaps: 4, #pkts encrypt: 4, #pkts digest: 4": one count, three names. */
static void pkts_line(struct result_node *f, const char *const names[3], uint64_t v)
{
	unsigned long long n = v;
	result_text(f, "    #pkts %s: %llu, #pkts %s: %llu, #pkts %s: %llu", names[0], n, names[1],
		    n, names[2], n);
	for (int i = 0; i < 3; i++) {
		char label[32];
		snprintf(label, sizeof(label), "#pkts %s", names[i]);
		json_u64(f, label, v);
	}
}

/* One ACL line as an IOS flow; g NULL for the local `match address`. */
static void flow(const struct flow_ctx *c, struct result_node *list, const struct dp_acl *acl,
		 size_t i, const struct dp_sad_group *g)
{
	const struct dp_acl_entry *e = &acl->rules[i].e;
	const struct dp_sad_sa *sas[CTL_DP_SAS_MAX];
	size_t n = 0;
	char b[64], ip[DIAG_IP4_STRLEN];

	if (g && e->action == DP_ACL_PERMIT) {
		const struct dp_sad_sa *all[CTL_DP_SAS_MAX];
		size_t na = ctl_dp_group_sas(c->d->snap, g, all, CTL_DP_SAS_MAX);
		for (size_t k = 0; k < na; k++)
			if (all[k]->tek_tag == e->tek_tag)
				sas[n++] = all[k];
	}
	struct dp_sad_sa_totals t = {0};
	for (size_t k = 0; k < n; k++) {
		struct dp_sad_sa_totals one;
		dp_sad_sa_totals(sas[k], &one);
		t.out_pkts += one.out_pkts;
		t.out_errors += one.out_errors;
		t.in_pkts += one.in_pkts;
		t.in_errors += one.in_errors;
		t.in_auth_fail += one.in_auth_fail;
		t.in_replay += one.in_replay;
	}
	const struct dp_sad_sa *out = g && e->action == DP_ACL_PERMIT ? g->out_sa[i] : NULL;

	struct result_node *f = result_item(list);
	result_align(f, RESULT_ALIGN_NONE, 0, 0);
	result_text(f, "   protected vrf: (none)");
	json_str(f, "protected vrf", "(none)");
	ident(e, true, b, sizeof(b));
	result_text(f, "   local  ident (addr/mask/prot/port): %s", b);
	json_str(f, "local ident", b);
	ident(e, false, b, sizeof(b));
	result_text(f, "   remote ident (addr/mask/prot/port): %s", b);
	json_str(f, "remote ident", b);
	if (g) {
		result_text(f, "   Group: %s", g->name);
		json_str(f, "group", g->name);
	} else {
		json_str(f, "source", "local");
	}
	result_text(f, "   current_peer 0.0.0.0 port 848");
	json_str(f, "current peer", "0.0.0.0");
	const char *action = e->action == DP_ACL_PERMIT ? "PERMIT" : "DENY";
	result_text(f, "     %s, flags={}", action);
	json_str(f, "action", action);
	json_u64(f, "acl matches", dp_acl_matches(acl, i));
	static const char *const out_names[] = {"encaps", "encrypt", "digest"};
	static const char *const in_names[] = {"decaps", "decrypt", "verify"};
	pkts_line(f, out_names, t.out_pkts);
	pkts_line(f, in_names, t.in_pkts);
	result_text(f, "    #pkts compressed: 0, #pkts decompressed: 0");
	result_text(f, "    #pkts not compressed: 0, #pkts compr. failed: 0");
	result_text(f, "    #pkts not decompressed: 0, #pkts decompress failed: 0");
	result_text(f, "    #send errors %llu, #recv errors %llu", (unsigned long long)t.out_errors,
		    (unsigned long long)t.in_errors);
	json_u64(f, "send errors", t.out_errors);
	json_u64(f, "recv errors", t.in_errors);
	/* read while workers count (in_errors first): never below zero */
	uint64_t blamed = t.in_auth_fail + t.in_replay;
	uint64_t other = t.in_errors > blamed ? t.in_errors - blamed : 0;
	if (c->detail) {
		result_text(f,
			    "    #pkts encaps failed (send) %llu, #pkts decaps failed (rcv) %llu",
			    (unsigned long long)t.out_errors, (unsigned long long)other);
		result_text(f, "    #pkts verify failed: %llu", (unsigned long long)t.in_auth_fail);
		result_text(f, "    ##pkts replay failed (rcv): %llu",
			    (unsigned long long)t.in_replay);
	}
	json_u64(f, "pkts encaps failed", t.out_errors);
	json_u64(f, "pkts decaps failed", other);
	json_u64(f, "pkts verify failed", t.in_auth_fail);
	json_u64(f, "pkts replay failed", t.in_replay);
	result_blank(f);
	diag_ip4(c->local_addr, ip);
	result_text(f, "     local crypto endpt.: %s, remote crypto endpt.: 0.0.0.0", ip);
	json_str(f, "local crypto endpt", ip);
	json_str(f, "remote crypto endpt", "0.0.0.0");
	result_text(f, "     path mtu %u, ip mtu %u, ip mtu idb %s", c->mtu, c->mtu, c->d->ifname);
	json_u64(f, "path mtu", c->mtu);
	json_u64(f, "ip mtu", c->mtu);
	json_str(f, "ip mtu idb", c->d->ifname);
	uint32_t spi = out ? out->spi : 0;
	result_text(f, "     current outbound spi: 0x%X(%u)", spi, spi);
	result_set_flags(result_kv_hexdec(f, "current outbound spi", spi), RESULT_JSON_ONLY);
	result_text(f, "     PFS (Y/N): N, DH group: none");
	result_set_flags(result_kv_bool(f, "PFS", false, "Y", "N"), RESULT_JSON_ONLY);
	json_str(f, "DH group", "none");
	result_blank(f);
	sa_lists(c, f, "inbound", sas, n, false);
	sa_lists(c, f, "outbound", sas, n, true);
}

static int show_ipsec_sa(struct ctl_exec *x, const struct ctl_args *a)
{
	struct ctl_dp d;
	if (ctl_dp_get(x, &d))
		return 0;
	const char *only = ctl_arg_str(a, "ifname");
	if (only && strcmp(only, d.ifname))
		return 0; /* not the crypto-map interface: nothing, as IOS */
	struct flow_ctx c = {
	    .x = x, .d = &d, .detail = ctl_arg_has(a, "detail"), .now = ctl_now(x)};
	char ip[DIAG_IP4_STRLEN];
	if (d.map) {
		c.local_addr = d.map->cfg.icmp_src;
		c.mtu = d.map->cfg.mtu;
	}
	struct result_node *itf = result_item(result_list(result_root(x->r), "interfaces"));
	result_align(itf, RESULT_ALIGN_NONE, 0, 0);
	result_text(itf, "interface: %s", d.ifname);
	json_str(itf, "interface", d.ifname);
	diag_ip4(c.local_addr, ip);
	result_text(itf, "    Crypto map tag: %s, local addr %s", d.map_name, ip);
	json_str(itf, "crypto map tag", d.map_name);
	json_str(itf, "local addr", ip);
	result_blank(itf);
	struct result_node *flows = result_list(itf, "flows");
	if (!d.map)
		return result_error(x->r);
	const struct dp_acl *local = d.map->cfg.local_acl;
	for (size_t i = 0; local && i < local->n; i++)
		if (local->rules[i].e.action == DP_ACL_DENY)
			flow(&c, flows, local, i, NULL);
	for (size_t k = 0; k < d.map->ngroups; k++) {
		const struct dp_sad_group *g = d.map->groups[k];
		for (size_t i = 0; g->acl && i < g->acl->n; i++)
			flow(&c, flows, g->acl, i, g);
	}
	return result_error(x->r);
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto ipsec sa [interface WORD:ifname] [detail]", show_ipsec_sa, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"show crypto ipsec", "Show IPSEC info"},
    {"show crypto ipsec sa", "IPSEC SA table"},
    {"show crypto ipsec sa detail", "Detailed error counters"},
    {"show crypto ipsec sa interface", "Show info for specific interface"},
    {"$ifname", "Interface name"},
};

int ctl_cmd_ipsec_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
