/*
 * Data-plane counters: one block per worker thread, summed when read.
 *
 * A worker only ever writes its own block, so an increment is a relaxed
 * load and store on an _Atomic field (no lock prefix, no sharing: each block
 * is cache-line aligned). Readers (the control thread, `show crypto
 * datapath`) sum the blocks with relaxed loads; a sum taken while workers
 * run is a consistent-enough snapshot of monotonic counters.
 *
 * Two kinds of counters:
 *  - enum dp_ctr: checkpoints on the two paths (a packet that passes a
 *    checkpoint is counted there once) and a few events that are not drops;
 *  - enum dp_drop: every reason a packet is dropped. A dropped packet is
 *    counted under exactly one reason. The names are stable: they are shown
 *    by the CLI and matched by tests and lab scripts.
 */
#ifndef GVPN_DP_COUNTERS_H
#define GVPN_DP_COUNTERS_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define DP_CACHE_LINE 64

/* Checkpoints in path order, then events. Names in dp_counters_ctr_name(). */
enum dp_ctr {
	/* outbound: LAN -> crypto-map interface */
	DP_CTR_LAN_IN,	     /* packets offered to the encap path */
	DP_CTR_CLASS_PERMIT, /* classified: encrypt */
	DP_CTR_CLASS_DENY,   /* classified: pass in clear (deny entry, local deny, default) */
	DP_CTR_ENCRYPTED,    /* ESP packets built (a fragmented packet counts each fragment) */
	DP_CTR_WAN_OUT,	     /* packets handed back to the kernel for the WAN (ESP and clear) */
	/* inbound: crypto-map interface -> LAN */
	DP_CTR_WAN_IN,	      /* ESP packets offered to the decap path */
	DP_CTR_SPI_FOUND,     /* SPI lookup hit */
	DP_CTR_AUTHENTICATED, /* ICV / GCM tag verified */
	DP_CTR_REPLAY_OK,     /* passed the anti-replay check (or none configured) */
	DP_CTR_DECRYPTED,     /* decrypted, trailer and inner header valid */
	DP_CTR_LAN_OUT,	      /* inner packets handed back to the kernel */
	/* events (not drops) */
	DP_CTR_NO_CRYPTO_MAP,	 /* outbound on an interface without a crypto map: passed */
	DP_CTR_FRAGMENTED,	 /* inner packets fragmented before encryption */
	DP_CTR_FRAGMENTS,	 /* fragments produced by that */
	DP_CTR_ICMP_SENT,	 /* ICMP fragmentation-needed generated */
	DP_CTR_ICMP_RATELIMITED, /* ... suppressed by the per-worker token bucket */
	DP_CTR_MSS_CLAMPED,	 /* TCP SYNs whose MSS option was lowered */
	DP_CTR_ADDR_MISMATCH,	 /* inner src/dst differ from the outer (header preservation) */
	DP_CTR_ECN_CE,		 /* outer CE propagated to the inner header (RFC 6040) */
	DP_CTR_COUNT
};

/* Drop reasons. Names in dp_counters_drop_name(). */
enum dp_drop {
	DP_DROP_NONE = 0,
	/* both directions */
	DP_DROP_SHORT_PACKET,  /* buffer shorter than a header or the IP total length */
	DP_DROP_NOT_IPV4,      /* IP version is not 4 */
	DP_DROP_BAD_IP_HEADER, /* IHL, total length or header checksum invalid */
	DP_DROP_NO_SPACE,      /* the worker's output arena is full */
	DP_DROP_CRYPTO_ERROR,  /* the crypto library failed (not an auth failure) */
	/* outbound */
	DP_DROP_NO_SA,	      /* permit entry but no SA to send with (fail-close, not registered) */
	DP_DROP_NO_SENDER_ID, /* GCM SA without a KS-assigned sender ID: cannot send */
	DP_DROP_IV_EXHAUSTED, /* the worker's GCM IV counter space is used up */
	DP_DROP_SEQ_EXHAUSTED,	  /* counter-replay SA: the sequence number would cycle */
	DP_DROP_POLICY_DEFAULT,	  /* nothing matched and the default action is drop */
	DP_DROP_FRAG_NEEDED_SENT, /* DF set and too big: ICMP frag-needed sent to the source */
	DP_DROP_TOO_BIG,	  /* DF set and too big: no ICMP (rate limit or not allowed) */
	DP_DROP_TOO_MANY_FRAGS,	  /* would need more fragments than one packet may produce */
	/* inbound */
	DP_DROP_NOT_ESP,	 /* outer protocol is not 50 */
	DP_DROP_ESP_FRAGMENT,	 /* outer packet is a fragment (no reassembly here) */
	DP_DROP_BAD_SPI,	 /* no SA with this SPI */
	DP_DROP_BAD_LENGTH,	 /* ciphertext not a multiple of the cipher block */
	DP_DROP_MAC_FAIL,	 /* ICV / GCM tag mismatch */
	DP_DROP_REPLAY_TBAR,	 /* outside the time-based anti-replay window */
	DP_DROP_REPLAY_WINDOW,	 /* counter anti-replay: duplicate or too old */
	DP_DROP_BAD_PADDING,	 /* pad length too large or pad bytes not 1, 2, 3, ... */
	DP_DROP_BAD_NEXT_HEADER, /* next header is not 4 (IPv4) */
	DP_DROP_BAD_INNER,	 /* inner IPv4 header invalid or length inconsistent */
	DP_DROP_ADDR_MISMATCH,	 /* inner src/dst differ from the outer and the policy drops */
	DP_DROP_ECN,		 /* outer CE on a Not-ECT inner packet (RFC 6040 §4.2) */
	DP_DROP_POLICY_MISMATCH, /* inner packet not permitted by the SA's group policy */
	DP_DROP_COUNT
};

struct dp_counters {
	alignas(DP_CACHE_LINE) _Atomic uint64_t ctr[DP_CTR_COUNT];
	_Atomic uint64_t drop[DP_DROP_COUNT];
};

/* Sums over workers, plain integers. */
struct dp_counters_total {
	uint64_t ctr[DP_CTR_COUNT];
	uint64_t drop[DP_DROP_COUNT];
	uint64_t drops; /* sum of drop[] */
};

/* Stable lower-case names ("lan_in", "mac_fail"); "?" out of range. */
const char *dp_counters_ctr_name(enum dp_ctr c);
const char *dp_counters_drop_name(enum dp_drop d);

/* n zeroed, cache-line aligned blocks (one per worker); NULL on ERR_NOMEM. */
struct dp_counters *dp_counters_alloc(size_t n);
void dp_counters_free(struct dp_counters *blocks);

/* Increment from the owning worker only (single writer, relaxed). */
static inline void dp_counters_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}
static inline void dp_counters_inc(struct dp_counters *b, enum dp_ctr c)
{
	dp_counters_add(&b->ctr[c], 1);
}
static inline void dp_counters_drop(struct dp_counters *b, enum dp_drop d)
{
	dp_counters_add(&b->drop[d], 1);
}

/* Sum n blocks into *t (any thread). */
void dp_counters_sum(const struct dp_counters *blocks, size_t n, struct dp_counters_total *t);
/* Zero n blocks (`clear crypto datapath`); racy against running workers by design. */
void dp_counters_clear(struct dp_counters *blocks, size_t n);

#endif
