/*
 * Data-plane runtime of one crypto-map interface: workers over NFQUEUE,
 * the SA snapshot, the iptables rules and the interface watch.
 * See runtime.h and docs/dataplane.md.
 */
#include "dp/runtime.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "diag/log.h"
#include "dp/rules.h"
#include "util/err.h"
#include "util/mem.h"

enum {
	MTU_MIN = 576,
};

/* Per-worker processor state (the ctx of struct dp_worker_proc). */
struct rt_worker {
	struct dp_runtime *rt;
	struct dp_sad_worker sw;
	struct dp_out out;
	uint64_t now_ns;
	struct dp_pkt_ratelimit log_rl;
};

/* What was last published, kept to rebuild the snapshot on an MTU change.
 * The ACLs and SAs are kept alive by the current snapshot's references
 * (everything here runs on the one control thread). */
struct rt_policy {
	struct dp_sad_group_desc *groups;
	char (*names)[DP_SAD_NAME_MAX];
	struct dp_sad_sa **sas;   /* all groups' SA pointers, back to back */
	size_t ngroups;
	bool registered;
};

struct dp_runtime {
	struct dp_runtime_cfg cfg; /* ifname points to ifname[] */
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint16_t mtu;
	uint32_t ifaddr;
	struct dp_sad *sad;
	size_t nworkers;
	struct dp_worker *workers;
	struct rt_worker *procs;
	struct dp_rules_ctx rules;
	struct dp_rules_entry *rent; /* rules now installed (entries, final) */
	size_t nrent;
	enum dp_rules_action rfinal;
	bool rules_installed;
	struct rt_policy pol;
	uint64_t snapshots, rules_applied, rules_failed;
	struct mnl_socket *rtnl;    /* link and address events (dp_runtime_fd) */
};

static const struct dp_worker_proc rt_proc;

static void rt_log(struct dp_runtime *rt, int sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rt_log(struct dp_runtime *rt, int sev, const char *fmt, ...)
{
	char msg[DP_RULES_ERR_MAX + 128];
	va_list ap;

	if (!rt->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rt->cfg.log(rt->cfg.log_arg, sev, msg);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the interface ---------------------------------------------------------- */

/* MTU and primary IPv4 address of ifindex (address 0 when it has none). */
static int read_link(int ifindex, uint16_t *mtu, uint32_t *addr)
{
	struct ifreq ifr;
	int fd, rc = 0;

	memset(&ifr, 0, sizeof ifr);
	if (!if_indextoname((unsigned)ifindex, ifr.ifr_name))
		return ERR_NOTFOUND;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ERR_IO;
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
		rc = ERR_IO;
	else
		*mtu = (uint16_t)MIN(MAX(ifr.ifr_mtu, MTU_MIN), 65535);
	*addr = 0;
	if (rc == 0 && ioctl(fd, SIOCGIFADDR, &ifr) == 0) {
		struct sockaddr_in sin;

		memcpy(&sin, &ifr.ifr_addr, sizeof sin);
		*addr = ntohl(sin.sin_addr.s_addr);
	}
	close(fd);
	return rc;
}

/* ---- snapshot ------------------------------------------------------------------ */

static void policy_free(struct rt_policy *p)
{
	free(p->groups);
	free(p->names);
	free(p->sas);
	memset(p, 0, sizeof *p);
}

/* Deep copy of the group descriptions (names and SA arrays). */
static int policy_copy(struct rt_policy *p, const struct dp_sad_group_desc *g, size_t n)
{
	size_t nsas = 0, k = 0;

	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < n; i++)
		nsas += g[i].nsas;
	p->groups = calloc(n ? n : 1, sizeof *p->groups);
	p->names = calloc(n ? n : 1, sizeof *p->names);
	p->sas = calloc(nsas ? nsas : 1, sizeof *p->sas);
	if (!p->groups || !p->names || !p->sas) {
		policy_free(p);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		p->groups[i] = g[i];
		snprintf(p->names[i], sizeof p->names[i], "%s", g[i].name ? g[i].name : "");
		p->groups[i].name = p->names[i];
		if (g[i].nsas)
			memcpy(p->sas + k, g[i].sas, g[i].nsas * sizeof *p->sas);
		p->groups[i].sas = p->sas + k;
		k += g[i].nsas;
		if (g[i].acl)
			p->registered = true;
	}
	p->ngroups = n;
	return 0;
}

/* Build and publish the snapshot of pol with the interface as it is now. */
static int publish_snapshot(struct dp_runtime *rt, const struct rt_policy *pol)
{
	size_t idx[DP_RUNTIME_GROUPS_MAX];
	struct dp_sad_map_desc map = {
		.ifindex = rt->ifindex,
		.mtu = rt->mtu,
		.df = rt->cfg.df,
		.adjust_mss = rt->cfg.adjust_mss,
		.icmp_src = rt->ifaddr,
		.local_acl = rt->cfg.local_acl,
		.groups = idx,
		.ngroups = pol->ngroups,
		/* fail-close: nothing leaves in clear before the first policy */
		.default_drop = rt->cfg.fail_close && !pol->registered,
		.addr_mismatch_drop = rt->cfg.addr_mismatch_drop,
		.policy_check = rt->cfg.policy_check,
	};
	struct dp_sad_desc d = {.groups = pol->groups, .ngroups = pol->ngroups,
				.maps = &map, .nmaps = 1};
	struct dp_sad_snap *s;
	int rc;

	if (pol->ngroups > ARRAY_SIZE(idx))
		return ERR_LIMIT;
	for (size_t i = 0; i < pol->ngroups; i++)
		idx[i] = i;
	rc = dp_sad_snap_build(rt->sad, &d, &s);
	if (rc < 0)
		return rc;
	dp_sad_publish(rt->sad, s);
	rt->snapshots++;
	return 0;
}

/* ---- rules ---------------------------------------------------------------------- */

/* One classifier entry as an iptables rule (plus the fragment companion
 * of a permit with ports); false when iptables cannot say the same. */
static bool entry_rules(const struct dp_acl_rule *r, bool permit, struct dp_rules_entry *out,
			size_t *n)
{
	struct dp_rules_entry e = {
		.proto = r->e.proto,
		.src = r->e.src, .src_mask = r->src_mask,
		.dst = r->e.dst, .dst_mask = r->dst_mask,
		.sport_lo = 0, .sport_hi = 0xffff, .dport_lo = 0, .dport_hi = 0xffff,
		.action = permit ? DP_RULES_PROTECT : DP_RULES_CLEAR,
	};

	if (r->has_ports) {
		/* neq needs negation, SCTP a module we do not rely on */
		if (r->sp_out || r->dp_out || (r->e.proto != 6 && r->e.proto != 17))
			return false;
		e.sport_lo = r->sp_lo;
		e.sport_hi = r->sp_hi;
		e.dport_lo = r->dp_lo;
		e.dport_hi = r->dp_hi;
	}
	out[(*n)++] = e;
	if (r->has_ports && permit) {
		/* dp/acl matches port-less fragments against a permit */
		e.sport_lo = e.dport_lo = 0;
		e.sport_hi = e.dport_hi = 0xffff;
		e.fragments = true;
		out[(*n)++] = e;
	}
	return true;
}

/*
 * The encap chain for the current state: the local ACL's leading deny
 * entries, then (one group) the group's entries in order, as far as
 * iptables can express them. Whatever is left goes to the queues, where
 * the classifier decides with the full policy. Returns the entry count.
 */
static size_t rules_for(struct dp_runtime *rt, const struct rt_policy *pol,
			struct dp_rules_entry *out, enum dp_rules_action *final)
{
	const struct dp_acl *loc = rt->cfg.local_acl, *g;
	size_t n = 0, i;

	*final = DP_RULES_PROTECT;
	if (!pol->registered && !rt->cfg.fail_close) {
		*final = DP_RULES_CLEAR; /* fail-open: nothing to do yet */
		return 0;
	}
	if (rt->cfg.no_kernel_acl && pol->registered)
		return 0;
	for (i = 0; loc && i < loc->n && loc->rules[i].e.action == DP_ACL_DENY; i++)
		if (!entry_rules(&loc->rules[i], false, out, &n))
			return n;
	if (loc && i < loc->n)
		return n; /* a local permit: the rest depends on the classifier */
	if (!pol->registered) {
		*final = DP_RULES_DROP; /* fail-close before the first registration */
		return n;
	}
	if (pol->ngroups != 1 || !(g = pol->groups[0].acl))
		return n;
	for (i = 0; i < g->n; i++)
		if (!entry_rules(&g->rules[i], g->rules[i].e.action == DP_ACL_PERMIT, out, &n))
			return n;
	*final = DP_RULES_CLEAR; /* the whole policy is in the kernel */
	return n;
}

static size_t rules_cap(const struct dp_runtime *rt, const struct rt_policy *pol)
{
	size_t n = rt->cfg.local_acl ? rt->cfg.local_acl->n : 0;

	if (pol->ngroups == 1 && pol->groups[0].acl)
		n += 2 * pol->groups[0].acl->n;
	return n + 1;
}

static bool entries_equal(const struct dp_rules_entry *a, const struct dp_rules_entry *b)
{
	return a->proto == b->proto && a->src == b->src && a->src_mask == b->src_mask &&
	       a->dst == b->dst && a->dst_mask == b->dst_mask && a->sport_lo == b->sport_lo &&
	       a->sport_hi == b->sport_hi && a->dport_lo == b->dport_lo &&
	       a->dport_hi == b->dport_hi && a->fragments == b->fragments &&
	       a->action == b->action;
}

static int apply_rules(struct dp_runtime *rt, const struct dp_rules_entry *e, size_t n,
		       enum dp_rules_action final, bool stopped)
{
	struct dp_rules_spec sp = {
		.ifname = rt->ifname, .queue_base = rt->cfg.queue_base,
		.nqueues = (uint16_t)rt->nworkers, .bypass = !rt->cfg.fail_close,
		.mark = rt->cfg.inject_mark, .entries = e, .n_entries = n, .final = final,
		.stopped = stopped,
	};
	int rc = dp_rules_apply(&rt->rules, &sp);

	if (rc < 0) {
		rt->rules_failed++;
		rt_log(rt, 3, "gvpn data plane %s: cannot apply rules: %s", rt->ifname,
		       rt->rules.err);
		return rc;
	}
	rt->rules_applied++;
	rt_log(rt, 6, "gvpn data plane %s: rules applied (%zu entries, %s%s)", rt->ifname, n,
	       final == DP_RULES_CLEAR ? "rest clear" : final == DP_RULES_DROP ? "rest drop"
									: "rest queued",
	       stopped ? ", stopped" : "");
	return 0;
}

/* Install the rules for pol unless they are those already installed. */
static int sync_rules(struct dp_runtime *rt, const struct rt_policy *pol)
{
	struct dp_rules_entry *e = calloc(rules_cap(rt, pol), sizeof *e);
	enum dp_rules_action final;
	size_t n;
	bool same;
	int rc;

	if (!e)
		return ERR_NOMEM;
	n = rules_for(rt, pol, e, &final);
	same = rt->rules_installed && n == rt->nrent && final == rt->rfinal;
	for (size_t i = 0; same && i < n; i++)
		same = entries_equal(&e[i], &rt->rent[i]);
	if (same) {
		free(e);
		return 0;
	}
	rc = apply_rules(rt, e, n, final, false);
	if (rc < 0) {
		free(e);
		return rc;
	}
	free(rt->rent);
	rt->rent = e;
	rt->nrent = n;
	rt->rfinal = final;
	rt->rules_installed = true;
	return 0;
}

/* ---- worker processor -------------------------------------------------------------- */

static void proc_begin(void *ctx)
{
	struct rt_worker *pw = ctx;

	dp_sad_enter(&pw->sw);
	pw->now_ns = mono_ns();
}

static void proc_end(void *ctx)
{
	struct rt_worker *pw = ctx;

	/* the worker blocks in recvmmsg next: hold no snapshot meanwhile */
	dp_sad_quiesce(&pw->sw);
}

static uint32_t sa_conn_id(const struct dp_out *o)
{
	return o->sa ? (uint32_t)o->sa->order : 0;
}

/* The sender's pseudotime is in the ESP sequence number (low 32 bits, ms). */
static void log_tbar(struct diag *d, const struct dp_out *o, const char *src, const char *dst)
{
	double mine = (double)o->pt_ms / 1000.0;
	double peer = mine + (double)dp_replay_tbar_delta(o->seq, o->pt_ms) / 1000.0;

	diag_log_src(d, DIAG_MSG_TIMEBASED_REPLAY_FAILED, o->src, o->sa ? o->sa->group : "", mine,
		     peer, o->sa ? o->sa->replay_window : 0, src, dst);
}

/* Syslog for the drops an operator must hear about (rate limited). */
static void log_drop(struct rt_worker *pw, const struct dp_out *o)
{
	struct diag *d = pw->rt->cfg.diag;
	char src[DIAG_IP4_STRLEN], dst[DIAG_IP4_STRLEN];

	if (!d || !dp_pkt_ratelimit_take(&pw->log_rl, pw->now_ns))
		return;
	diag_ip4(o->src, src);
	diag_ip4(o->dst, dst);
	switch (o->drop) {
	case DP_DROP_BAD_SPI:
		diag_log_src(d, DIAG_MSG_RECVD_PKT_INV_SPI, o->src, dst, 50u, o->spi, o->spi, src,
			     pw->rt->ifname);
		break;
	case DP_DROP_MAC_FAIL:
		diag_log_src(d, DIAG_MSG_RECVD_PKT_MAC_ERR, o->src, sa_conn_id(o), o->spi, src);
		break;
	case DP_DROP_REPLAY_TBAR:
		log_tbar(d, o, src, dst);
		/* fall through */
	case DP_DROP_REPLAY_WINDOW:
		diag_log_src(d, DIAG_MSG_PKT_REPLAY_ERR, o->src, sa_conn_id(o), o->seq);
		break;
	default:
		break;
	}
}

/* Extra packets of a result (ESP fragments, ICMP) go out on the worker's
 * injection socket, copied out of the arena before the next verdict. */
static void inject_extra(struct dp_worker_pkt *p, const struct dp_out *o, size_t first)
{
	for (size_t i = first; i < o->n; i++)
		(void)dp_inject_send(p->inject, o->pkt[i].p, o->pkt[i].len);
}

static enum dp_worker_action proc_packet(void *ctx, struct dp_worker_pkt *p)
{
	struct rt_worker *pw = ctx;
	struct dp_out *o = &pw->out;
	enum dp_verdict v;

	o->buf = p->out;
	o->cap = p->out_cap;
	if (p->dir == DP_WORKER_OUT)
		v = dp_sad_output(&pw->sw, (int)p->outdev, p->data, p->len, pw->now_ns, o);
	else
		v = dp_sad_input(&pw->sw, (int)p->indev, p->data, p->len, pw->now_ns, o);
	switch (v) {
	case DP_VERDICT_PASS:
		return DP_WORKER_ACCEPT;
	case DP_VERDICT_PASS_MODIFIED: /* MSS clamped in place: send the new bytes */
		memcpy(p->out, p->data, p->len);
		p->out_len = p->len;
		return DP_WORKER_REPLACE;
	case DP_VERDICT_REPLACE:
		if (o->n == 0 || o->pkt[0].len > DP_NFQ_PAYLOAD_MAX)
			return DP_WORKER_DROP;
		if (p->dir == DP_WORKER_OUT && p->indev == 0) {
			/*
			 * The member's own packet (no input device at POSTROUTING).
			 * As a verdict the ESP packet would keep the socket's route,
			 * whose path MTU our ICMP lowered for these very addresses
			 * (header preservation): the kernel would then drop every
			 * full-size ESP packet and tell the socket the same MTU again.
			 * The injection socket sends it against the device MTU.
			 */
			inject_extra(p, o, 0);
			return DP_WORKER_DROP;
		}
		inject_extra(p, o, 1);
		/* outbound results start at p->out; a decrypted packet lies in
		 * the receive buffer */
		if (o->pkt[0].p != p->out)
			memmove(p->out, o->pkt[0].p, o->pkt[0].len);
		p->out_len = o->pkt[0].len;
		return DP_WORKER_REPLACE;
	default:
		inject_extra(p, o, 0); /* ICMP frag-needed */
		log_drop(pw, o);
		return DP_WORKER_DROP;
	}
}

static const struct dp_worker_proc rt_proc = {
	.batch_begin = proc_begin,
	.packet = proc_packet,
	.batch_end = proc_end,
};

/* ---- interface watch (control thread) --------------------------------------------- */

/* Re-read MTU and address; republish when they changed. */
static void refresh_link(struct dp_runtime *rt)
{
	uint16_t mtu;
	uint32_t addr;
	int rc = read_link(rt->ifindex, &mtu, &addr);

	if (rc < 0 || (mtu == rt->mtu && addr == rt->ifaddr))
		return;
	rt_log(rt, 5, "gvpn data plane %s: MTU %u -> %u, ICMP source %08x -> %08x", rt->ifname,
	       rt->mtu, mtu, rt->ifaddr, addr);
	rt->mtu = mtu;
	rt->ifaddr = addr;
	rc = publish_snapshot(rt, &rt->pol);
	if (rc < 0)
		rt_log(rt, 3, "gvpn data plane %s: cannot republish: %s", rt->ifname, err_name(rc));
}

/* Non-blocking rtnetlink socket for link and IPv4 address events. A
 * failure only costs the immediate reaction: dp_runtime_poll also runs
 * on the caller's timer. */
static struct mnl_socket *open_rtnl(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (nl && mnl_socket_bind(nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		nl = NULL;
	}
	return nl;
}

int dp_runtime_fd(const struct dp_runtime *rt)
{
	return rt->rtnl ? mnl_socket_get_fd(rt->rtnl) : -1;
}

void dp_runtime_poll(struct dp_runtime *rt)
{
	uint8_t buf[8192];

	/* Any event will do: we re-read our interface rather than parse them. */
	while (rt->rtnl && recv(mnl_socket_get_fd(rt->rtnl), buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	refresh_link(rt);
	(void)dp_sad_reclaim(rt->sad);
}

/* ---- start / stop ------------------------------------------------------------------ */

static int check_cfg(struct dp_runtime *rt, const struct dp_runtime_cfg *cfg)
{
	if (!dp_rules_ifname_ok(cfg->ifname) || cfg->nqueues > DP_WORKER_MAX ||
	    (unsigned)cfg->df > DP_ESP_DF_SET)
		return ERR_INVAL;
	rt->cfg = *cfg;
	snprintf(rt->ifname, sizeof rt->ifname, "%s", cfg->ifname);
	rt->cfg.ifname = rt->ifname;
	rt->nworkers = cfg->nqueues ? cfg->nqueues : 1;
	if (!rt->cfg.queue_base)
		rt->cfg.queue_base = DP_RUNTIME_QUEUE_BASE;
	if (!rt->cfg.inject_mark)
		rt->cfg.inject_mark = DP_RUNTIME_MARK;
	rt->rules.save_cmd = cfg->iptables_save;
	rt->rules.restore_cmd = cfg->iptables_restore;
	if ((unsigned)rt->cfg.queue_base + rt->nworkers - 1u > 0xffffu)
		return ERR_INVAL;
	rt->ifindex = (int)if_nametoindex(rt->ifname);
	if (rt->ifindex <= 0)
		return ERR_NOTFOUND;
	return read_link(rt->ifindex, &rt->mtu, &rt->ifaddr);
}

static int start_workers(struct dp_runtime *rt)
{
	uint16_t seed;
	int rc;

	rt->workers = calloc(rt->nworkers, sizeof *rt->workers);
	rt->procs = calloc(rt->nworkers, sizeof *rt->procs);
	if (!rt->workers || !rt->procs)
		return ERR_NOMEM;
	for (size_t i = 0; i < rt->nworkers; i++) {
		struct dp_worker_cfg wc = {
			.index = (unsigned)i, .queue = (uint16_t)(rt->cfg.queue_base + i),
			.inject_mark = rt->cfg.inject_mark, .proc = &rt_proc,
			.proc_ctx = &rt->procs[i],
		};

		if (getrandom(&seed, sizeof seed, 0) != sizeof seed)
			seed = (uint16_t)mono_ns();
		rt->procs[i].rt = rt;
		dp_pkt_ratelimit_init(&rt->procs[i].log_rl, DP_RUNTIME_LOG_PER_SEC,
				      DP_RUNTIME_LOG_BURST);
		rc = dp_sad_worker_init(&rt->procs[i].sw, rt->sad, i, seed);
		if (rc == 0)
			rc = dp_worker_init(&rt->workers[i], &wc);
		if (rc < 0) {
			rt_log(rt, 3, "gvpn data plane %s: queue %zu: %s (%s)", rt->ifname,
			       rt->cfg.queue_base + i, err_name(rc), strerror(errno));
			return rc;
		}
	}
	for (size_t i = 0; i < rt->nworkers; i++) {
		rc = dp_worker_start(&rt->workers[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void free_runtime(struct dp_runtime *rt)
{
	if (rt->rtnl)
		mnl_socket_close(rt->rtnl);
	for (size_t i = 0; rt->workers && i < rt->nworkers; i++)
		dp_worker_fini(&rt->workers[i]);
	free(rt->workers);
	free(rt->procs);
	if (rt->sad)
		dp_sad_destroy(rt->sad);
	dp_acl_unref(rt->cfg.local_acl);
	policy_free(&rt->pol);
	free(rt->rent);
	free(rt);
}

int dp_runtime_start(const struct dp_runtime_cfg *cfg, struct dp_runtime **out)
{
	struct dp_runtime *rt = calloc(1, sizeof *rt);
	int rc;

	*out = NULL;
	if (!rt)
		return ERR_NOMEM;
	rc = check_cfg(rt, cfg);
	if (rc < 0) {
		rt->cfg.local_acl = NULL; /* no reference taken yet */
		free_runtime(rt);
		return rc;
	}
	if (rt->cfg.local_acl)
		dp_acl_ref(rt->cfg.local_acl);
	rc = dp_sad_create(rt->nworkers, &rt->sad);
	if (rc == 0)
		rc = policy_copy(&rt->pol, NULL, 0);
	if (rc == 0)
		rc = publish_snapshot(rt, &rt->pol);
	/* Queues are bound before any rule points at them. */
	if (rc == 0)
		rc = start_workers(rt);
	if (rc == 0)
		rc = sync_rules(rt, &rt->pol);
	if (rc == 0)
		rt->rtnl = open_rtnl();
	if (rc < 0) {
		free_runtime(rt);
		return rc;
	}
	rt_log(rt, 5, "gvpn data plane %s: started, %zu queue(s) from %u, MTU %u, %s", rt->ifname,
	       rt->nworkers, rt->cfg.queue_base, rt->mtu,
	       rt->cfg.fail_close ? "fail-close" : "fail-open");
	*out = rt;
	return 0;
}

struct dp_sad *dp_runtime_sad(struct dp_runtime *rt)
{
	return rt->sad;
}

int dp_runtime_publish(struct dp_runtime *rt, const struct dp_sad_group_desc *groups,
		       size_t ngroups)
{
	struct rt_policy pol;
	int rc;

	rc = policy_copy(&pol, groups, ngroups);
	if (rc < 0)
		return rc;
	rc = publish_snapshot(rt, &pol);
	if (rc == 0) {
		policy_free(&rt->pol);
		rt->pol = pol;
		if (sync_rules(rt, &rt->pol) < 0)
			rc = ERR_IO;
	} else {
		policy_free(&pol);
	}
	return rc;
}

void dp_runtime_stats(struct dp_runtime *rt, struct dp_runtime_stats *st)
{
	memset(st, 0, sizeof *st);
	dp_sad_counters(rt->sad, &st->dp);
	st->nqueues = (unsigned)rt->nworkers;
	for (size_t i = 0; i < rt->nworkers; i++) {
		for (int s = 0; s < DP_WSTAT_COUNT; s++)
			st->io[s] += dp_worker_stat(&rt->workers[i], (enum dp_worker_stat)s);
		if (dp_io_nfq_kstats_read(rt->workers[i].queue, &st->queue[i]) == 0) {
			st->queue_bound[i] = true;
			st->queue_dropped += st->queue[i].queue_dropped;
			st->user_dropped += st->queue[i].user_dropped;
		}
	}
	st->mtu = rt->mtu;
	st->icmp_src = rt->ifaddr;
	st->registered = rt->pol.registered;
	st->snapshots = rt->snapshots;
	st->rules_applied = rt->rules_applied;
	st->rules_failed = rt->rules_failed;
}

int dp_runtime_stop(struct dp_runtime *rt)
{
	int rc;

	/* Rules first: from here on nothing new is queued to the workers. */
	if (rt->cfg.fail_close)
		rc = apply_rules(rt, rt->rent, rt->nrent, rt->rfinal, true);
	else if ((rc = dp_rules_remove(&rt->rules, rt->ifname)) < 0)
		rt_log(rt, 3, "gvpn data plane %s: cannot remove rules: %s", rt->ifname,
		       rt->rules.err);
	rt_log(rt, 5, "gvpn data plane %s: stopped (%s)", rt->ifname,
	       rt->cfg.fail_close ? "fail-close: encap chain drops" : "rules removed");
	free_runtime(rt);
	return rc < 0 ? ERR_IO : 0;
}
