/*
 * Security association database, published snapshots, and the per-packet
 * paths that use them.
 *
 * Objects (all created, published and released by ONE control thread):
 *  - struct dp_sad_sa: one ESP SA (group TEK: same SPI both directions).
 *    Holds its metadata for `show crypto ipsec sa` and, per worker, a keyed
 *    ESP context (OpenSSL contexts are not shared between threads), the IV
 *    counter, the send sequence counter and the SA's packet/byte/error
 *    counters. An SA outlives the snapshots that show it: contexts and IV
 *    counters carry over from one snapshot to the next, so an IV is never
 *    reused because a snapshot was rebuilt. Reference counted (control
 *    thread only: creator + each snapshot holding it).
 *  - struct dp_acl (dp/acl.h): the downloaded and the local policies, also
 *    shared by snapshots.
 *  - struct dp_sad_snap: an immutable view built from a struct dp_sad_desc:
 *    the crypto maps (interface, MTU, DF policy, MSS clamp, local deny ACL,
 *    groups in crypto-map order), per group its ACL with, for each permit
 *    entry, the SA to send with (the newest SA of the group with the entry's
 *    tek_tag that may send and is not held back by the group's hold_mask),
 *    and an open-addressed SPI table over every SA (inbound: any SA of the
 *    group is accepted, old and new).
 *
 * Publication and reclamation (epochs):
 *  - dp_sad_publish() swaps the current snapshot pointer (C11 atomic
 *    exchange), then sets the global version to the new snapshot's version;
 *    the old snapshot goes on a retired list.
 *  - A worker calls dp_sad_enter() at the start of each batch: it stores the
 *    global version it sees into its own slot, then loads the current
 *    pointer. It uses that snapshot until its next dp_sad_enter(), or until
 *    dp_sad_quiesce() (call it before blocking for a long time) which stores
 *    "idle" in its slot.
 *  - A retired snapshot of version r can only be in use by a worker whose
 *    slot holds a version <= r (it loaded the pointer after storing the
 *    version, and the pointer was at least that new). So dp_sad_reclaim()
 *    frees every retired snapshot whose version is below the smallest
 *    non-idle slot value. Stores and loads are sequentially consistent,
 *    which also covers the idle -> active transition.
 *  - Workers never block, lock or allocate; the control thread calls
 *    dp_sad_reclaim() (dp_sad_publish() does too) from time to time.
 *
 * Per packet (worker thread, after dp_sad_enter):
 *  - dp_sad_output(): a packet leaving through an interface (encap hook):
 *    classify (local deny ACL first, then each group's ACL, first match
 *    wins; deny = clear), clamp the TCP MSS, encapsulate with header
 *    preservation, fragment before encryption when the result would exceed
 *    the MTU and DF allows it, else ICMP frag-needed (rate limited).
 *  - dp_sad_input(): an ESP packet arriving (decap hook): SPI lookup,
 *    verify and decrypt, anti-replay (TBAR or counter window), inner checks
 *    (RFC 6040 ECN, address preservation check, optional policy check),
 *    MSS clamp; the inner packet is returned in place.
 *  Both return an enum dp_verdict and fill a struct dp_out (below).
 */
#ifndef GVPN_DP_SAD_H
#define GVPN_DP_SAD_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rng.h"
#include "dp/acl.h"
#include "dp/counters.h"
#include "dp/esp.h"
#include "dp/pkt.h"
#include "dp/replay.h"

enum dp_sad_replay {
	DP_SAD_REPLAY_NONE = 0,
	DP_SAD_REPLAY_TBAR,    /* window in seconds (1..100) */
	DP_SAD_REPLAY_COUNTER, /* window in packets (64..1024); one receiving worker only */
};

/* What the control plane knows about an SA when it installs it. */
struct dp_sad_sa_params {
	uint32_t spi; /* >= 256 (RFC 4303 §2.1: 1-255 reserved) */
	struct dp_esp_xform xf;
	const uint8_t *enc_key; /* GCM: key | salt */
	size_t enc_key_len;
	const uint8_t *auth_key;
	size_t auth_key_len;
	uint32_t sid;	  /* GCM sender ID from the KS; */
	uint8_t sid_bits; /* 0: none yet, the SA cannot send */
	enum dp_sad_replay replay;
	uint32_t replay_window;
	bool inbound_only;     /* `sa receive-only` / not yet activated for sending */
	uint32_t tek_tag;      /* ACL entries with this tag send with this SA */
	uint64_t lifetime_sec; /* for show */
	uint64_t expire_ns;    /* monotonic deadline, for show (CLOCK_NEVER: none) */
	const char *group;     /* group name, for show */
};

/* Per-SA counters of one worker (single writer). */
struct dp_sad_sa_stats {
	_Atomic uint64_t out_pkts, out_bytes, out_errors;
	_Atomic uint64_t in_pkts, in_bytes, in_errors, in_auth_fail, in_replay;
};

/* Everything of one SA that one worker touches, on its own cache lines. */
struct dp_sad_sa_worker {
	alignas(DP_CACHE_LINE) struct dp_esp_ctx esp;
	uint32_t seq; /* last sequence number sent when not TBAR */
	struct dp_sad_sa_stats st;
};

enum { DP_SAD_NAME_MAX = 64 };

struct dp_sad_sa {
	/* read-only after dp_sad_sa_create: safe to read from the control thread */
	uint32_t spi;
	struct dp_esp_xform xf;
	char xf_name[DP_ESP_NAME_MAX]; /* "esp-gcm 256" */
	char group[DP_SAD_NAME_MAX];
	enum dp_sad_replay replay;
	uint32_t replay_window;
	bool inbound_only;
	bool can_send; /* not inbound_only, and a GCM SA has its sender ID */
	uint32_t tek_tag;
	uint64_t lifetime_sec, expire_ns;
	uint64_t order; /* creation order within the dp_sad: newest = largest */
	size_t nworkers;
	struct dp_sad_sa_worker *w; /* [nworkers] */
	struct dp_replay_win *win;  /* DP_SAD_REPLAY_COUNTER only */
	unsigned refs;		    /* control thread only */
};

/* Sums of struct dp_sad_sa_stats over workers (`#pkts encaps`, `#recv errors` ...). */
struct dp_sad_sa_totals {
	uint64_t out_pkts, out_bytes, out_errors;
	uint64_t in_pkts, in_bytes, in_errors, in_auth_fail, in_replay;
};

/* One GDOI group in a snapshot description. */
struct dp_sad_group_desc {
	const char *name;
	int64_t pt_offset_ms;	      /* TBAR: local pseudotime = now_mono_ms + offset */
	struct dp_acl *acl;	      /* downloaded policy; NULL before registration */
	struct dp_sad_sa *const *sas; /* the group's installed SAs */
	size_t nsas;
	/*
	 * Bit i set: sas[i] only receives in this snapshot, it is never
	 * chosen to send (a rekeyed TEK still waiting out its activation
	 * delay). Only the first 64 SAs can be held.
	 */
	uint64_t hold_mask;
};

/* A crypto map attached to an interface. */
struct dp_sad_map_desc {
	int ifindex;
	uint16_t mtu;		  /* egress MTU, 576..65535 */
	enum dp_esp_df df;	  /* `crypto ipsec df-bit` */
	uint16_t adjust_mss;	  /* `ip tcp adjust-mss`; 0 = off */
	uint32_t icmp_src;	  /* source of ICMP frag-needed; 0 = never send one */
	struct dp_acl *local_acl; /* crypto map `match address` (deny entries apply); NULL */
	const size_t *groups;	  /* indices into dp_sad_desc.groups, crypto-map order */
	size_t ngroups;
	bool default_drop;	 /* nothing matched: drop (policy_default) instead of clear */
	bool addr_mismatch_drop; /* inbound: drop when inner src/dst differ from the outer */
	bool policy_check; /* inbound: the inner packet must match a permit of the SA's group */
};

struct dp_sad_desc {
	const struct dp_sad_group_desc *groups;
	size_t ngroups;
	const struct dp_sad_map_desc *maps;
	size_t nmaps;
};

/* Compiled forms (read by workers; fields are for sad.c and tests). */
struct dp_sad_group {
	char name[DP_SAD_NAME_MAX];
	int64_t pt_offset_ms;
	struct dp_acl *acl;
	struct dp_sad_sa **out_sa; /* [acl->n]: SA for each permit entry, NULL if none */
};

struct dp_sad_map {
	struct dp_sad_map_desc cfg; /* groups pointer not used: see below */
	struct dp_sad_group **groups;
	size_t ngroups;
};

struct dp_sad_slot {
	uint32_t spi;
	struct dp_sad_sa *sa; /* NULL: empty */
	const struct dp_sad_group *group;
};

struct dp_sad_snap {
	uint64_t version;
	struct dp_sad_group *groups;
	size_t ngroups;
	struct dp_sad_map *maps;
	size_t nmaps;
	struct dp_sad_slot *slots; /* open addressing, linear probing */
	size_t mask;
	struct dp_sad_sa **sas; /* every SA referenced (one reference each) */
	size_t nsas;
	struct dp_sad_snap *retired_next;
};

/* Per-worker slot of the epoch scheme. */
struct dp_sad_epoch {
	alignas(DP_CACHE_LINE) _Atomic uint64_t seen;
};

struct dp_sad {
	size_t nworkers;
	_Atomic(struct dp_sad_snap *) cur;
	_Atomic uint64_t version;
	struct dp_sad_epoch *epochs;  /* [nworkers] */
	struct dp_counters *counters; /* [nworkers] */
	struct dp_sad_snap *retired;  /* control thread only */
	uint64_t last_version;	      /* control thread only */
	uint64_t next_order;	      /* control thread only */
};

/* ---- control thread ---- */

/* A database for nworkers workers, with an empty snapshot published. 0, ERR_INVAL, ERR_NOMEM. */
int dp_sad_create(size_t nworkers, struct dp_sad **out);
/* Free everything. Workers must have stopped. */
void dp_sad_destroy(struct dp_sad *sad);

/*
 * Create an SA with one keyed ESP context per worker. rng provides the CBC
 * IV-generator key. Returns 0, ERR_INVAL (SPI below 256, transform, key
 * lengths, sender ID, replay window), ERR_NOMEM, ERR_CRYPTO. The caller
 * holds one reference.
 * GCM IV counters start at 1 in a new SA: create the SA of a TEK once and
 * keep it across rekeys and snapshots; a second SA object for the same key
 * may send only with a different sender ID (a new registration's SID).
 */
int dp_sad_sa_create(struct dp_sad *sad, const struct dp_sad_sa_params *p, struct crypto_rng *rng,
		     struct dp_sad_sa **out);
void dp_sad_sa_unref(struct dp_sad_sa *sa);
void dp_sad_sa_totals(const struct dp_sad_sa *sa, struct dp_sad_sa_totals *t);

/*
 * Build a snapshot from d (references are taken on every ACL and SA it
 * names; the caller keeps its own). Returns 0, ERR_EXISTS (an SPI twice),
 * ERR_INVAL (bad group index, MTU out of range, two maps on one ifindex, an
 * SA of another database), ERR_NOMEM.
 */
int dp_sad_snap_build(struct dp_sad *sad, const struct dp_sad_desc *d, struct dp_sad_snap **out);
/* Free a snapshot that was never published. */
void dp_sad_snap_free(struct dp_sad_snap *s);
/* Make s current (ownership passes to sad), retire the previous one, reclaim. */
void dp_sad_publish(struct dp_sad *sad, struct dp_sad_snap *s);
/* Free the retired snapshots no worker can still see; returns how many remain. */
size_t dp_sad_reclaim(struct dp_sad *sad);
/* The current snapshot, for show commands on the control thread. */
const struct dp_sad_snap *dp_sad_current(struct dp_sad *sad);
/* SA with this SPI in s, or NULL. Any thread holding s. */
const struct dp_sad_slot *dp_sad_lookup(const struct dp_sad_snap *s, uint32_t spi);
/* Sum of all workers' counters (`show crypto datapath`). */
void dp_sad_counters(const struct dp_sad *sad, struct dp_counters_total *t);

/* ---- worker threads ---- */

struct dp_sad_worker {
	struct dp_sad *sad;
	size_t index;
	const struct dp_sad_snap *snap; /* set by dp_sad_enter */
	struct dp_counters *ctr;
	uint16_t ip_id;
	struct dp_pkt_ratelimit icmp_rl;
};

enum {
	DP_SAD_ICMP_PER_SEC = 100, /* frag-needed per worker and second ... */
	DP_SAD_ICMP_BURST = 20,	   /* ... with this burst */
};

/* Bind worker state to worker index (0 .. nworkers-1). ip_id_seed randomises the IDs. */
int dp_sad_worker_init(struct dp_sad_worker *w, struct dp_sad *sad, size_t index,
		       uint16_t ip_id_seed);
/* Start of a batch: pick up the current snapshot. */
const struct dp_sad_snap *dp_sad_enter(struct dp_sad_worker *w);
/* Holding no snapshot (before a blocking wait). */
void dp_sad_quiesce(struct dp_sad_worker *w);

enum dp_verdict {
	DP_VERDICT_DROP = 0,	  /* drop the packet; out->drop says why (counted) */
	DP_VERDICT_PASS,	  /* let the original packet through unchanged (clear) */
	DP_VERDICT_PASS_MODIFIED, /* let it through; its bytes were changed in place (MSS) */
	DP_VERDICT_REPLACE,	  /* replace it by out->pkt[0] */
};

enum {
	DP_OUT_MAX = 64,	 /* packets one input can produce */
	DP_OUT_CAP = 128 * 1024, /* arena that holds a 64 KiB packet cut into ESP fragments */
};

struct dp_out_pkt {
	uint8_t *p;
	size_t len;
};

/*
 * Output of one packet. The worker sets buf/cap (an arena it owns, e.g. the
 * payload area of its NFQUEUE verdict); each dp_sad_output/dp_sad_input
 * call resets the rest. Packets:
 *  - verdict REPLACE: pkt[0] replaces the original (outbound: written at
 *    buf; inbound: points INTO the input packet, which was decrypted in
 *    place); pkt[1..n-1] are further packets to send (ESP fragments).
 *  - verdict DROP: pkt[0..n-1], if any, are to be sent (an ICMP
 *    frag-needed toward the inner source).
 *  - PASS / PASS_MODIFIED: n == 0.
 * Every packet listed is a complete IPv4 packet (send with IP_HDRINCL). The
 * bytes stay valid until buf is reused.
 */
struct dp_out {
	uint8_t *buf;
	size_t cap;
	size_t used;
	size_t n;
	struct dp_out_pkt pkt[DP_OUT_MAX];
	enum dp_drop drop; /* DROP: the reason (already counted) */
	/* for logs (rate-limited by the caller): */
	const struct dp_sad_sa *sa; /* SA used, or NULL */
	uint32_t spi;		    /* inbound: SPI of the packet */
	uint32_t src, dst;	    /* addresses of the packet (outer = inner src/dst) */
	uint32_t seq;		    /* inbound: ESP sequence number */
	uint64_t pt_ms;		    /* TBAR: local pseudotime used */
};

/*
 * One packet leaving through interface ifindex (len bytes, modified in
 * place only for MSS clamping). now_ns: monotonic time (one reading per
 * batch is fine). Counts every checkpoint and drop on the worker's block.
 */
enum dp_verdict dp_sad_output(struct dp_sad_worker *w, int ifindex, uint8_t *pkt, size_t len,
			      uint64_t now_ns, struct dp_out *out);
/* One ESP packet received on interface ifindex; decrypted in place. */
enum dp_verdict dp_sad_input(struct dp_sad_worker *w, int ifindex, uint8_t *pkt, size_t len,
			     uint64_t now_ns, struct dp_out *out);

#endif
