#include "dp/replay.h"

#include <string.h>

#include "util/err.h"

enum { WORD_BITS = 64, NWORDS = DP_REPLAY_WIN_MAX / WORD_BITS + 1 };

bool dp_replay_tbar_ok(uint32_t seq, uint64_t pt_ms, uint32_t window_ms)
{
	/* Widen before taking the magnitude: |INT32_MIN| does not fit an int32_t. */
	int64_t d = dp_replay_tbar_delta(seq, pt_ms);
	return (d < 0 ? -d : d) <= (int64_t)window_ms;
}

int dp_replay_win_init(struct dp_replay_win *w, uint32_t size)
{
	if (size < DP_REPLAY_WIN_MIN || size > DP_REPLAY_WIN_MAX || (size & (size - 1)))
		return ERR_INVAL;
	memset(w, 0, sizeof(*w));
	w->size = size;
	return 0;
}

/* The ring of words covers size + 64 sequence numbers; only `size` are used. */
static size_t nwords(const struct dp_replay_win *w)
{
	return w->size / WORD_BITS + 1;
}

static size_t word_of(const struct dp_replay_win *w, uint64_t seq)
{
	return (size_t)((seq / WORD_BITS) % nwords(w));
}

static uint64_t bit_of(uint64_t seq)
{
	return 1ull << (seq % WORD_BITS);
}

int dp_replay_win_check(const struct dp_replay_win *w, uint32_t seq)
{
	if (seq == 0)
		return ERR_INVAL;
	if (seq > w->top)
		return 0;
	if (w->top - seq >= w->size)
		return ERR_REPLAY;
	return (w->bits[word_of(w, seq)] & bit_of(seq)) ? ERR_REPLAY : 0;
}

void dp_replay_win_update(struct dp_replay_win *w, uint32_t seq)
{
	if (seq > w->top) {
		/* Clear the words the window slides over, at most the whole ring. */
		uint64_t from = w->top / WORD_BITS, to = seq / WORD_BITS;
		uint64_t steps = to - from;
		if (steps > nwords(w))
			steps = nwords(w);
		for (uint64_t i = 1; i <= steps; i++)
			w->bits[word_of(w, (from + i) * WORD_BITS)] = 0;
		w->top = seq;
	}
	w->bits[word_of(w, seq)] |= bit_of(seq);
}
