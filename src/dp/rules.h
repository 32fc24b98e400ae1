/*
 * The iptables rules that steer packets of one crypto-map interface into the
 * data plane's queues, kept in chains gvpnd owns:
 *
 *   mangle POSTROUTING -o IF -j GVPN-ENC-IF   (inserted first: after routing,
 *                                              forwarded and local traffic)
 *   raw    PREROUTING  -i IF -p esp -j GVPN-DEC-IF  (before conntrack)
 *
 * GVPN-ENC-IF returns (leaves in clear) packets carrying the injection mark
 * and UDP 848 in either direction (gvpnd's own GDOI traffic), then the
 * entries of the spec in order (clear entries RETURN, protect entries go
 * to the queues), then the final action. GVPN-DEC-IF queues every ESP
 * packet. docs/dataplane.md shows the rules as iptables-save prints them.
 *
 * Every change is one iptables-restore --noflush run (one transaction per
 * table): the chains are flushed and refilled, and stale jumps to them
 * (left by a crashed gvpnd, maybe for another set of queues) are deleted
 * and re-inserted, in the same commit. So a fail-close configuration never
 * has a moment without its drop. The programs run with posix_spawn and an
 * argument vector, never through a shell; the restore text goes to their
 * standard input.
 *
 * These functions run on the control thread (they fork and wait).
 */
#ifndef GVPN_DP_RULES_H
#define GVPN_DP_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dbuf;

enum {
	DP_RULES_GDOI_PORT = 848,  /* UDP port of GDOI (behavior-reference.md §1) */
	DP_RULES_IFNAME_MAX = 15,  /* IFNAMSIZ - 1 */
	DP_RULES_ERR_MAX = 512,
};

/* What a rule does with the packets it matches. */
enum dp_rules_action {
	DP_RULES_CLEAR = 1, /* RETURN: the packet leaves in clear */
	DP_RULES_PROTECT,   /* NFQUEUE to the workers (DROP when stopped) */
	DP_RULES_DROP,      /* DROP */
};

/*
 * One classifier entry as iptables can express it. Addresses and masks are
 * host order (mask 0 = any; a non-contiguous mask is written in dotted
 * form). Port ranges only count for TCP and UDP; 0..65535 means any.
 */
struct dp_rules_entry {
	uint8_t proto; /* IP protocol, 0 = any */
	uint32_t src, src_mask;
	uint32_t dst, dst_mask;
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	/* Only non-first fragments (-f; ports must be any). A permit entry with
	 * ports needs this companion: the classifier matches such an entry for
	 * fragments, which carry no ports (dp/acl.h), iptables does not. */
	bool fragments;
	enum dp_rules_action action;
};

struct dp_rules_spec {
	const char *ifname;  /* the crypto-map interface */
	uint16_t queue_base; /* first queue; the workers use base..base+n-1 */
	uint16_t nqueues;    /* 1..: --queue-num or --queue-balance (flow hash) */
	bool bypass;         /* --queue-bypass: fail-open when nobody listens */
	uint32_t mark;       /* injection mark (SO_MARK of dp/inject) */
	const struct dp_rules_entry *entries; /* after the fixed exclusions */
	size_t n_entries;
	enum dp_rules_action final; /* for what no entry matched */
	/* The daemon stopped in fail-close mode: protect actions become DROP,
	 * and there is no decap chain (nothing could decrypt). */
	bool stopped;
};

/* How the iptables programs are called, and the last error. */
struct dp_rules_ctx {
	const char *save_cmd;    /* NULL: "iptables-save" (PATH, then /usr/sbin, /sbin) */
	const char *restore_cmd; /* NULL: "iptables-restore" */
	char err[DP_RULES_ERR_MAX]; /* why the last call failed (tool's stderr) */
};

/* Chain names for ifname ("GVPN-ENC-eth0", "GVPN-DEC-eth0"). */
void dp_rules_chain_names(const char *ifname, char enc[32], char dec[32]);

/* true if ifname is usable in a chain name (1..15 of [A-Za-z0-9._@-]). */
bool dp_rules_ifname_ok(const char *ifname);

/*
 * Render the iptables-restore --noflush input that turns the tables
 * described by save_text (iptables-save output) into spec: stale jumps to
 * this interface's chains deleted, chains flushed and refilled, jumps
 * inserted at position 1. Appends to out. Pure function (unit tested).
 * Returns 0, ERR_INVAL (bad spec) or ERR_NOMEM.
 */
int dp_rules_render(const struct dp_rules_spec *spec, const char *save_text, struct dbuf *out);

/*
 * Render the text that removes gvpn chains and every jump to them: those of
 * ifname, or with ifname NULL those of every interface not in keep[0..n_keep).
 * Appends nothing when there is nothing to remove. Returns 0 or ERR_NOMEM.
 */
int dp_rules_render_remove(const char *ifname, const char *const *keep, size_t n_keep,
			   const char *save_text, struct dbuf *out);

/* Read the current rules, then apply spec in one restore run.
 * Returns 0, ERR_INVAL, ERR_NOMEM or ERR_IO (ctx->err says why). */
int dp_rules_apply(struct dp_rules_ctx *ctx, const struct dp_rules_spec *spec);

/* Remove the chains of ifname and the jumps to them (nothing to do is 0). */
int dp_rules_remove(struct dp_rules_ctx *ctx, const char *ifname);

/* Remove every gvpn chain except those of the interfaces in keep (e.g.
 * at daemon start, what a crash left for interfaces no longer configured). */
int dp_rules_purge(struct dp_rules_ctx *ctx, const char *const *keep, size_t n_keep);

/* true if the current rules contain any gvpn chain (of ifname, or any if NULL). */
int dp_rules_present(struct dp_rules_ctx *ctx, const char *ifname, bool *present);

#endif
