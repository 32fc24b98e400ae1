/* dp/replay: TBAR (protocol-notes §5.4) and the RFC 4303 counter window, as numbered tables. */
#include "test.h"

#include "dp/replay.h"
#include "util/err.h"
#include "util/mem.h"

struct tbar_case {
	uint32_t seq;
	uint64_t pt_ms;
	uint32_t window_ms;
	int32_t delta;
	bool ok;
};

static const struct tbar_case tbar_cases[] = {
    /* 1 */ {1000, 1000, 4000, 0, true},
    /* 2 */ {5000, 1000, 4000, 4000, true},  /* exactly +window */
    /* 3 */ {5001, 1000, 4000, 4001, false}, /* one past */
    /* 4 */ {0, 4000, 4000, -4000, true},    /* exactly -window */
    /* 5 */ {0, 4001, 4000, -4001, false},
    /* 6 */ {UINT32_MAX, 0, 4000, -1, true},			/* sender just before the wrap */
    /* 7 */ {2, 0xfffffffeull, 4000, 4, true},			/* sender just after the wrap */
    /* 8 */ {0xfffff000u, 0x100000800ull, 100000, -6144, true}, /* receiver wrapped, high bits
								   ignored */
    /* 9 */ {0x80000000u, 0, 100000, INT32_MIN, false},		/* farthest apart: |INT32_MIN| */
    /* 10 */ {0x7fffffffu, 0, 100000, INT32_MAX, false},
    /* 11 */ {100000, 0, 100000, 100000, true}, /* 100 s window, largest configurable */
    /* 12 */ {0, 100001, 100000, -100001, false},
    /* 13 */ {123, 0x5000000000000000ull + 123, 1, 0, true}, /* 64-bit pseudotime */
    /* 14 */ {0, 0, 0, 0, true},			     /* zero window still accepts "now" */
    /* 15 */ {1, 0, 0, 1, false},
};

static void test_tbar_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(tbar_cases); i++) {
		const struct tbar_case *c = &tbar_cases[i];
		if (dp_replay_tbar_delta(c->seq, c->pt_ms) != c->delta ||
		    dp_replay_tbar_ok(c->seq, c->pt_ms, c->window_ms) != c->ok)
			fail_msg("TBAR case %zu: delta %d (want %d)", i + 1,
				 dp_replay_tbar_delta(c->seq, c->pt_ms), c->delta);
	}
}

static void test_tbar_seq_and_pseudotime(void **state)
{
	(void)state;
	/* Sequence number = low 32 bits of the pseudotime in ms. */
	assert_int_equal(dp_replay_tbar_seq(0x123456789abcull), 0x56789abcu);
	/* offset = PT_ks - now_ms: 5 s of monotonic time, KS at 1000 s. */
	uint64_t now_ns = 5000000000ull;
	int64_t offset = 1000000 - 5000;
	assert_int_equal(dp_replay_pseudotime_ms(now_ns, offset), 1000000);
	assert_int_equal(dp_replay_pseudotime_ms(now_ns + 1500000, offset), 1000001);
	/* A negative pseudotime offset larger than now still yields the right low 32 bits. */
	uint64_t pt = dp_replay_pseudotime_ms(1000000, -5);
	assert_int_equal((uint32_t)pt, UINT32_MAX - 3);
}

/* Counter window: each step checks seq, and when accepted records it. */
struct win_step {
	uint32_t seq;
	int rc; /* of the check */
};

static void run_window(uint32_t size, const struct win_step *steps, size_t n)
{
	struct dp_replay_win w;
	assert_int_equal(dp_replay_win_init(&w, size), 0);
	for (size_t i = 0; i < n; i++) {
		int rc = dp_replay_win_check(&w, steps[i].seq);
		if (rc != steps[i].rc)
			fail_msg("window %u step %zu (seq %u): rc %d want %d", size, i + 1,
				 steps[i].seq, rc, steps[i].rc);
		if (rc == 0)
			dp_replay_win_update(&w, steps[i].seq);
	}
}

static void test_window_64(void **state)
{
	(void)state;
	static const struct win_step steps[] = {
	    /* 1 */ {0, ERR_INVAL},
	    /* 2 */ {1, 0},
	    /* 3 */ {1, ERR_REPLAY},
	    /* 4 */ {3, 0},
	    /* 5 */ {2, 0}, /* late but inside */
	    /* 6 */ {2, ERR_REPLAY},
	    /* 7 */ {66, 0},	     /* window now 3..66 */
	    /* 8 */ {3, ERR_REPLAY}, /* seen */
	    /* 9 */ {2, ERR_REPLAY}, /* too old: 66 - 2 = 64 */
	    /* 10 */ {4, 0},	     /* 66 - 4 = 62: inside, unseen */
	    /* 11 */ {200, 0},	     /* jump past a whole window */
	    /* 12 */ {137, 0},	     /* oldest inside: 200 - 137 = 63 */
	    /* 13 */ {136, ERR_REPLAY},
	    /* 14 */ {199, 0},
	    /* 15 */ {66, ERR_REPLAY},
	    /* 16 */ {UINT32_MAX, 0},
	    /* 17 */ {UINT32_MAX, ERR_REPLAY},
	    /* 18 */ {UINT32_MAX - 63, 0},
	    /* 19 */ {UINT32_MAX - 64, ERR_REPLAY},
	};
	run_window(64, steps, ARRAY_SIZE(steps));
}

static void test_window_1024(void **state)
{
	(void)state;
	static const struct win_step steps[] = {
	    /* 1 */ {5000, 0},
	    /* 2 */ {3977, 0},		/* 5000 - 1023 */
	    /* 3 */ {3976, ERR_REPLAY}, /* 5000 - 1024 */
	    /* 4 */ {5063, 0},		/* shift by less than a word */
	    /* 5 */ {4040, 0},
	    /* 6 */ {3977, ERR_REPLAY},
	    /* 7 */ {5000, ERR_REPLAY},	 /* still remembered after the shift */
	    /* 8 */ {6100, 0},		 /* shift by more than a window */
	    /* 9 */ {5100, 0},		 /* unseen, inside */
	    /* 10 */ {5063, ERR_REPLAY}, /* outside now */
	};
	run_window(1024, steps, ARRAY_SIZE(steps));
}

/* Every seq of a sliding stream accepted once, duplicates refused, for each size. */
static void test_window_every_size(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {64, 128, 256, 512, 1024};
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct dp_replay_win w;
		assert_int_equal(dp_replay_win_init(&w, sizes[s]), 0);
		/* Deliver in reversed blocks of size/2: all inside the window. */
		uint32_t block = sizes[s] / 2;
		for (uint32_t base = 1; base < 20 * sizes[s]; base += block) {
			for (uint32_t k = block; k-- > 0;) {
				uint32_t seq = base + k;
				assert_int_equal(dp_replay_win_check(&w, seq), 0);
				dp_replay_win_update(&w, seq);
				assert_int_equal(dp_replay_win_check(&w, seq), ERR_REPLAY);
			}
		}
		uint32_t top = (uint32_t)w.top;
		assert_int_equal(dp_replay_win_check(&w, top - sizes[s] + 1), ERR_REPLAY);
		assert_int_equal(dp_replay_win_check(&w, top - sizes[s]), ERR_REPLAY);
	}
}

static void test_window_sizes(void **state)
{
	(void)state;
	struct dp_replay_win w;
	assert_int_equal(dp_replay_win_init(&w, 32), ERR_INVAL);
	assert_int_equal(dp_replay_win_init(&w, 96), ERR_INVAL);
	assert_int_equal(dp_replay_win_init(&w, 2048), ERR_INVAL);
	assert_int_equal(dp_replay_win_init(&w, 512), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_tbar_table),  TEST(test_tbar_seq_and_pseudotime), TEST(test_window_64),
	    TEST(test_window_1024), TEST(test_window_every_size),	TEST(test_window_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
