/*
 * The data plane of one crypto-map interface, as gvpnd uses it:
 *
 *   struct dp_runtime *rt;
 *   dp_runtime_start(&cfg, &rt);          // queues, workers, rules
 *   dp_sad_sa_create(dp_runtime_sad(rt), &params, rng, &sa);  // per TEK
 *   dp_runtime_publish(rt, groups, n);    // after each registration / rekey
 *   poll dp_runtime_fd(rt) -> dp_runtime_poll(rt);  // and about once a second
 *   dp_runtime_stats(rt, &st);            // show commands
 *   dp_runtime_stop(rt);                  // clean stop (frees rt)
 *
 * Start binds cfg.nqueues NFQUEUE queues (queue_base ...), starts one worker
 * thread per queue and installs the rules of dp/rules.h. Publishing builds
 * an SA snapshot (dp/sad.h) for this interface from the group descriptions
 * plus the interface settings the runtime owns (MTU, DF policy, MSS clamp,
 * ICMP source address, local ACL), swaps it in for the workers, and
 * re-applies the rules when the policy changed what the kernel can decide
 * by itself (deny entries return in clear without being queued).
 *
 * Fail modes (docs/dataplane.md has every case):
 *  - fail-open (default): before the first registration nothing is queued
 *    and traffic passes in clear; the queue rules carry --queue-bypass, so a
 *    crashed daemon also lets traffic pass in clear; a clean stop removes
 *    every rule.
 *  - fail-close: before the first registration everything leaving the
 *    interface is dropped except GDOI (UDP 848), injected packets and the
 *    local deny ACL; the queues have no bypass, so a crashed daemon drops
 *    what the policy would encrypt; a clean stop leaves the encap chain in
 *    place with DROP where it queued.
 *
 * All functions, and every dp_sad_* call on dp_runtime_sad(), run on ONE
 * control thread, the daemon's event loop (dp/sad.h: SAs and snapshots
 * are created, published and released by one thread; these functions also
 * fork iptables). The only other threads are the workers. MTU and address
 * changes of the interface reach that thread through dp_runtime_fd().
 */
#ifndef GVPN_DP_RUNTIME_H
#define GVPN_DP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/acl.h"
#include "dp/counters.h"
#include "dp/esp.h"
#include "dp/io_nfq.h"
#include "dp/sad.h"
#include "dp/worker.h"

struct diag;
struct dp_runtime;

enum {
	DP_RUNTIME_QUEUE_BASE = 8480,
	DP_RUNTIME_MARK = 0x4756,   /* "GV": SO_MARK of injected packets */
	DP_RUNTIME_LOG_PER_SEC = 10, /* data-plane syslog messages per worker ... */
	DP_RUNTIME_LOG_BURST = 10,   /* ... and burst, before diag's own rate limit */
	DP_RUNTIME_POLL_MS = 1000,   /* how often dp_runtime_poll should run at least */
	DP_RUNTIME_GROUPS_MAX = 64,  /* groups per crypto map */
};

/* Runtime events (rules applied, MTU change, errors): severity 0..7 as syslog. */
typedef void (*dp_runtime_log_fn)(void *arg, int severity, const char *msg);

struct dp_runtime_cfg {
	const char *ifname;      /* the interface carrying the crypto map */
	unsigned nqueues;        /* worker threads = queues, 1..DP_WORKER_MAX (0: 1) */
	uint16_t queue_base;     /* first queue number (0: DP_RUNTIME_QUEUE_BASE) */
	bool fail_close;         /* `crypto map ... gdoi fail-close` */
	enum dp_esp_df df;       /* `crypto ipsec df-bit copy|clear|set` */
	uint16_t adjust_mss;     /* `ip tcp adjust-mss` (0: off) */
	uint32_t inject_mark;    /* 0: DP_RUNTIME_MARK */
	struct dp_acl *local_acl; /* crypto map `match address` (a reference is taken) */
	bool addr_mismatch_drop; /* see struct dp_sad_map_desc */
	bool policy_check;
	/* Queue everything the exclusions let through, even deny entries, so
	 * that the classifier counts every match (show access-lists). */
	bool no_kernel_acl;
	dp_runtime_log_fn log;   /* may be NULL */
	void *log_arg;
	struct diag *diag;       /* data-plane syslog (RECVD_PKT_INV_SPI ...); NULL: none */
	const char *iptables_save;    /* NULL: iptables-save */
	const char *iptables_restore; /* NULL: iptables-restore */
};

/*
 * Start the data plane on cfg->ifname. Returns 0 and *out, or:
 *   ERR_INVAL    bad configuration (name, queue range, DF value);
 *   ERR_NOTFOUND no such interface;
 *   ERR_IO       a queue could not be bound (another process holds it,
 *                no CAP_NET_ADMIN), or iptables failed (logged with the
 *                tool's message);
 *   ERR_NOMEM.
 * On failure nothing is left running; rules from a previous run stay as
 * they were.
 */
int dp_runtime_start(const struct dp_runtime_cfg *cfg, struct dp_runtime **out);

/* The SA database: create SAs here (dp_sad_sa_create) before publishing. */
struct dp_sad *dp_runtime_sad(struct dp_runtime *rt);

/*
 * A socket that becomes readable on link and address events (rtnetlink),
 * or -1 if it could not be opened. Call dp_runtime_poll() when it is
 * readable and also about every DP_RUNTIME_POLL_MS.
 */
int dp_runtime_fd(const struct dp_runtime *rt);

/*
 * Housekeeping on the control thread: drain the event socket, re-read the
 * interface's MTU and IPv4 address (SIOCGIFMTU, SIOCGIFADDR), republish
 * the snapshot when either changed (logged), and free the snapshots no
 * worker can still see (until then they stay in memory).
 */
void dp_runtime_poll(struct dp_runtime *rt);

/*
 * Publish the groups of this interface's crypto map, in crypto-map order
 * (their ACLs and SAs are referenced by the new snapshot; the caller keeps
 * its own references and may drop them after this returns). A group with
 * acl NULL is not registered yet. Returns 0, ERR_EXISTS (SPI twice),
 * ERR_INVAL, ERR_LIMIT (more than DP_RUNTIME_GROUPS_MAX groups), ERR_NOMEM
 * (snapshot not changed), or ERR_IO when the snapshot
 * is live but the rules could not be updated (the previous rules stay; they
 * never let traffic out in clear that the new ones would not).
 */
int dp_runtime_publish(struct dp_runtime *rt, const struct dp_sad_group_desc *groups,
		       size_t ngroups);

struct dp_runtime_stats {
	struct dp_counters_total dp;     /* checkpoints and drop reasons, all workers */
	uint64_t io[DP_WSTAT_COUNT];     /* queue I/O counters, all workers */
	unsigned nqueues;
	/* per queue, from /proc/net/netfilter/nfnetlink_queue (bound: listed) */
	struct dp_io_nfq_kstats queue[DP_WORKER_MAX];
	bool queue_bound[DP_WORKER_MAX];
	uint64_t queue_dropped;          /* sum: queue full */
	uint64_t user_dropped;           /* sum: socket buffer full */
	uint16_t mtu;                    /* egress MTU in use */
	uint32_t icmp_src;               /* source of our ICMP frag-needed */
	bool registered;                 /* a group has a policy */
	uint64_t snapshots;              /* snapshots published */
	uint64_t rules_applied;          /* iptables-restore runs */
	uint64_t rules_failed;
};

/* Fill *st (any time between start and stop). */
void dp_runtime_stats(struct dp_runtime *rt, struct dp_runtime_stats *st);

/*
 * Clean stop: fail-open removes every rule; fail-close first turns the
 * queue targets into DROP (and removes the decap chain). Then the workers
 * stop and everything is freed (rt is gone even on error). Returns 0 or
 * ERR_IO when iptables failed (logged).
 */
int dp_runtime_stop(struct dp_runtime *rt);

#endif
