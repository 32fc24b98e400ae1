/*
 * Classifier: an ordered IPv4 extended access list, first match wins.
 *
 * Used for the policy a GM downloads from its KS (permit = encrypt with the
 * group's TEK, deny = pass in clear; protocol-notes §5.6) and for the GM's
 * local `match address` ACL, whose deny entries are checked first.
 *
 * Matching, per entry in order:
 *  - protocol: 0 (`ip`) matches any, otherwise equal;
 *  - addresses: (addr & ~wildcard) == entry address; any wildcard works,
 *    contiguous or not (the entry address is normalised on create);
 *  - ports (TCP, UDP, SCTP entries only): any, eq, neq, lt, gt, range, all
 *    kept as an inclusive range [lo, hi] plus an "outside" flag for neq.
 * Packets without ports (non-first fragments, or a first fragment too short
 * to hold them) follow IOS ("Access Control Lists and IP Fragments", the
 * IOS IP configuration guide): an entry with port conditions whose other
 * fields match is a match if it is a permit and skipped if it is a deny.
 * For a crypto ACL this encrypts every fragment of a protected flow: the
 * alternative (only port-less entries match) would send the later fragments
 * of a permitted TCP flow in clear.
 *
 * Cost: a linear scan, a few compares per entry; fine for the tens of entries
 * a GETVPN policy has (the typical downloaded policy has 6). A prefix trie
 * would be the next step past a few hundred.
 *
 * Counters: per entry and per worker (single writer, relaxed atomics, one
 * cache-line aligned row per worker), summed on read.
 *
 * Lifetime: created and released by the control thread; a published
 * snapshot (dp/sad.h) holds a reference. The entries never change after
 * dp_acl_create.
 */
#ifndef GVPN_DP_ACL_H
#define GVPN_DP_ACL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/pkt.h"

enum dp_acl_action {
	DP_ACL_PERMIT = 0, /* encrypt (downloaded ACL); ignored in a local ACL */
	DP_ACL_DENY = 1,   /* pass in clear */
};

/* Port operators of an IOS extended ACL. */
enum dp_acl_port_op {
	DP_ACL_PORT_ANY = 0,
	DP_ACL_PORT_EQ,	   /* eq a */
	DP_ACL_PORT_NEQ,   /* neq a */
	DP_ACL_PORT_LT,	   /* lt a   (a > 0) */
	DP_ACL_PORT_GT,	   /* gt a   (a < 65535) */
	DP_ACL_PORT_RANGE, /* range a b   (a <= b) */
};

struct dp_acl_ports {
	enum dp_acl_port_op op;
	uint16_t a, b; /* operands as configured (b only for range) */
};

/* One line as configured / downloaded (host byte order). */
struct dp_acl_entry {
	uint32_t seq; /* line number printed by show (10, 20, ...) */
	enum dp_acl_action action;
	uint8_t proto;		/* 0 = ip (any) */
	uint32_t src, src_wild; /* wildcard bit 1 = don't care */
	uint32_t dst, dst_wild;
	struct dp_acl_ports sport, dport;
	uint32_t tek_tag; /* permit: which TEK of the group encrypts it (dp/sad.h) */
};

/* A compiled entry: the configured line plus the matching form. */
struct dp_acl_rule {
	struct dp_acl_entry e;
	uint32_t src_mask, dst_mask; /* ~wildcard */
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
	bool sp_out, dp_out; /* neq: match outside [lo, hi] */
	bool has_ports;
};

enum { DP_ACL_NAME_MAX = 64, DP_ACL_MAX_ENTRIES = 4096 };

struct dp_acl {
	char name[DP_ACL_NAME_MAX];
	size_t n;
	struct dp_acl_rule *rules;
	size_t nworkers;
	size_t stride;		/* counters per worker row (cache-line multiple) */
	_Atomic uint64_t *hits; /* [nworkers][stride] */
	unsigned refs;		/* control thread only */
};

/*
 * Build an ACL from n entries (copied) with counters for nworkers workers.
 * Refuses (ERR_INVAL) port operators on a protocol other than TCP, UDP or
 * SCTP, `lt 0`, `gt 65535`, a range with a > b, unknown operators or
 * actions, and more than DP_ACL_MAX_ENTRIES entries. ERR_NOMEM. The new ACL
 * holds one reference.
 */
int dp_acl_create(const char *name, const struct dp_acl_entry *entries, size_t n, size_t nworkers,
		  struct dp_acl **out);
void dp_acl_ref(struct dp_acl *a);
/* Drop a reference; frees on the last. NULL is fine. */
void dp_acl_unref(struct dp_acl *a);

/* Does the rule match the flow (fragment rule above included)? */
bool dp_acl_rule_match(const struct dp_acl_rule *r, const struct dp_pkt_flow *f);
/* Index of the first matching entry or -1; counts nothing (inbound policy checks). */
int dp_acl_lookup(const struct dp_acl *a, const struct dp_pkt_flow *f);
/* dp_acl_lookup, and count the match on worker's row. */
int dp_acl_match(const struct dp_acl *a, size_t worker, const struct dp_pkt_flow *f);

/* Matches of entry i summed over workers. */
uint64_t dp_acl_matches(const struct dp_acl *a, size_t i);
void dp_acl_clear_counters(struct dp_acl *a);

/*
 * Text of entry i, written NUL-terminated to buf. Returns the length
 * (snprintf-style: may be >= cap when truncated) or ERR_INVAL.
 *  - dp_acl_render_show:  `    10 permit ip 192.168.0.0 0.0.255.255 host 10.0.0.1 (1234 matches)`
 *    (`show access-lists`: 4 spaces, line number, IOS operators `eq 848`,
 *    `range 1000 2000`; the match suffix only when non-zero, `(1 match)`).
 *  - dp_acl_render_gm:    `access-list deny udp any port = 848 any port = 848`
 *    (`show crypto gdoi gm acl`; operators `port = P`, `port != P`,
 *    `port < P`, `port > P`, `port range A B`).
 * Addresses: `any` (wildcard all ones), `host A` (wildcard 0), else `A W`.
 * Protocols by IOS keyword (ip icmp igmp tcp udp gre esp ahp eigrp ospf pim
 * sctp) or number.
 */
int dp_acl_render_show(const struct dp_acl *a, size_t i, char *buf, size_t cap);
int dp_acl_render_gm(const struct dp_acl *a, size_t i, char *buf, size_t cap);
/* IOS protocol keyword for an IP protocol number, NULL when IOS has none. */
const char *dp_acl_proto_name(uint8_t proto);

#endif
