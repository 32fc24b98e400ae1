/*
 * Anti-replay for ESP.
 *
 * Time-based anti-replay (TBAR, protocol-notes §5.4) for group SAs: the
 * sender puts the low 32 bits of its pseudotime in milliseconds in the ESP
 * Sequence Number field; the receiver accepts a packet (after its ICV
 * verified) iff d = (int32)(seq - (uint32)PT_receiver) satisfies
 * |d| <= window_ms. The subtraction is RFC 1982 serial arithmetic on 32
 * bits, so the check is correct across the 49.7-day wrap of the low 32 bits
 * as long as sender and receiver are within 24.8 days of each other. TBAR
 * is stateless: nothing to update, safe from any number of threads.
 *
 * Counter window (RFC 4303 §3.4.3) for pairwise SAs (IKEv2 child SAs): a
 * bitmap of the last `size` sequence numbers below the highest seen. Check
 * before the ICV (cheap reject, no state change), update after the ICV
 * verified. 32-bit sequence numbers (no ESN); 0 is never valid. A window
 * is single-writer: the SA must be received by one worker (its queue), or
 * the caller serialises.
 */
#ifndef GVPN_DP_REPLAY_H
#define GVPN_DP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

/* Signed distance of seq from the receiver's pseudotime, in ms (RFC 1982). */
static inline int32_t dp_replay_tbar_delta(uint32_t seq, uint64_t pt_ms)
{
	uint32_t d = seq - (uint32_t)pt_ms;
	/* Two's-complement reinterpretation without implementation-defined conversion. */
	return d <= INT32_MAX ? (int32_t)d : -(int32_t)(UINT32_MAX - d) - 1;
}

/* true iff |delta| <= window_ms (window_ms is the configured seconds * 1000). */
bool dp_replay_tbar_ok(uint32_t seq, uint64_t pt_ms, uint32_t window_ms);

/* Low 32 bits of the pseudotime: the Sequence Number a TBAR sender puts in ESP. */
static inline uint32_t dp_replay_tbar_seq(uint64_t pt_ms)
{
	return (uint32_t)pt_ms;
}

/*
 * Local pseudotime in ms from the monotonic clock and the offset learnt from
 * the KS (offset = PT_ks - now_mono_ms when the value was received). Modular
 * arithmetic: only the low 32 bits ever matter on the wire.
 */
static inline uint64_t dp_replay_pseudotime_ms(uint64_t now_ns, int64_t offset_ms)
{
	return now_ns / 1000000u + (uint64_t)offset_ms;
}

enum { DP_REPLAY_WIN_MIN = 64, DP_REPLAY_WIN_MAX = 1024 };

struct dp_replay_win {
	uint64_t top;  /* highest sequence number accepted (0: none yet) */
	uint32_t size; /* window in packets: 64, 128, 256, 512 or 1024 */
	/* One word more than the window so that a full window survives a shift. */
	uint64_t bits[DP_REPLAY_WIN_MAX / 64 + 1];
};

/* 0, or ERR_INVAL when size is not a power of two in [64, 1024]. */
int dp_replay_win_init(struct dp_replay_win *w, uint32_t size);
/*
 * 0 when seq may be accepted; ERR_REPLAY when it was seen or is older than
 * the window; ERR_INVAL for seq 0. Changes nothing.
 */
int dp_replay_win_check(const struct dp_replay_win *w, uint32_t seq);
/* Record seq (call only after dp_replay_win_check returned 0 and the ICV verified). */
void dp_replay_win_update(struct dp_replay_win *w, uint32_t seq);

#endif
