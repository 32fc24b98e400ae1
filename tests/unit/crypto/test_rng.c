/* crypto/rng: the seeded generator's stream, the system CSPRNG, uniform(). */
#include "test.h"

#include "crypto/rng.h"
#include "util/err.h"
#include "util/mem.h"

static void test_seeded_known_stream(void **state)
{
	(void)state;
	/*
	 * Pins the stream format (simulator runs are reproduced from a seed).
	 * Computed once with the OpenSSL 3.0 command line, independently of this code:
	 *   K=$(printf '\0\0\0\0\0\0\0\1' | openssl dgst -sha256 -binary | xxd -p -c 64)
	 *   head -c 48 /dev/zero | openssl enc -aes-256-ctr -K $K -iv 0000...00 | xxd -p
	 */
	static const uint8_t want[48] = {
		0xf3, 0xaa, 0xef, 0x46, 0x6e, 0x93, 0x9a, 0xb0, 0x99, 0x51, 0x4a, 0xbf,
		0x88, 0x0b, 0x18, 0x17, 0x7d, 0x35, 0x81, 0x3c, 0x50, 0x24, 0x7f, 0x8f,
		0xd7, 0x8a, 0x48, 0xff, 0xf3, 0x88, 0x41, 0xf8, 0x59, 0x72, 0x84, 0x01,
		0xb9, 0x1c, 0x6e, 0xb6, 0x92, 0x46, 0xcb, 0xa4, 0x4e, 0x80, 0x65, 0x1f};
	struct crypto_rng r;
	uint8_t out[48];
	crypto_rng_seeded(&r, 1);
	assert_int_equal(crypto_rng_fill(&r, out, sizeof(out)), 0);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(r.counter, 48);
}

static void test_seeded_reproducible_and_seed_dependent(void **state)
{
	(void)state;
	struct crypto_rng a, b, c;
	uint8_t x[1000], y[1000], z[1000];
	crypto_rng_seeded(&a, 42);
	crypto_rng_seeded(&b, 42);
	crypto_rng_seeded(&c, 43);
	assert_int_equal(crypto_rng_fill(&a, x, sizeof(x)), 0);
	assert_int_equal(crypto_rng_fill(&b, y, sizeof(y)), 0);
	assert_int_equal(crypto_rng_fill(&c, z, sizeof(z)), 0);
	assert_memory_equal(x, y, sizeof(x));
	assert_memory_not_equal(x, z, sizeof(x));
	/* The stream moves on: the next bytes are not the first ones again. */
	assert_int_equal(crypto_rng_fill(&a, y, sizeof(y)), 0);
	assert_memory_not_equal(x, y, sizeof(x));
}

/* The stream does not depend on how it is cut into calls (odd sizes cross block edges). */
static void test_seeded_stream_independent_of_call_sizes(void **state)
{
	(void)state;
	struct crypto_rng a, b;
	uint8_t whole[300], parts[300];
	const size_t cuts[] = {5, 11, 0, 1, 16, 37, 100, 130};
	crypto_rng_seeded(&a, 7);
	crypto_rng_seeded(&b, 7);
	assert_int_equal(crypto_rng_fill(&a, whole, sizeof(whole)), 0);
	size_t at = 0;
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		assert_int_equal(crypto_rng_fill(&b, parts + at, cuts[i]), 0);
		at += cuts[i];
	}
	assert_int_equal(at, sizeof(parts));
	assert_memory_equal(whole, parts, sizeof(whole));
}

static void test_system_rng_fills(void **state)
{
	(void)state;
	struct crypto_rng *r = crypto_rng_system();
	assert_ptr_equal(r, crypto_rng_system());
	uint8_t a[32] = {0}, b[32] = {0};
	assert_int_equal(crypto_rng_fill(r, a, sizeof(a)), 0);
	assert_int_equal(crypto_rng_fill(r, b, sizeof(b)), 0);
	/* Equal outputs would have probability 2^-256. */
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(crypto_rng_fill(r, a, 0), 0);
}

static void test_uniform_in_range(void **state)
{
	(void)state;
	const uint64_t bounds[] = {1, 2, 3, 7, 1000, (UINT64_C(1) << 63) + 1, UINT64_MAX};
	struct crypto_rng r;
	crypto_rng_seeded(&r, 99);
	for (size_t i = 0; i < ARRAY_SIZE(bounds); i++)
		for (int k = 0; k < 200; k++)
			assert_true(crypto_rng_uniform(&r, bounds[i]) < bounds[i]);
	assert_int_equal(crypto_rng_uniform(&r, 0), 0);
	assert_int_equal(crypto_rng_uniform(crypto_rng_system(), 1), 0);
	assert_true(crypto_rng_uniform(crypto_rng_system(), 10) < 10);
}

/* Every value is reached and none dominates (seeded, so the counts are fixed). */
static void test_uniform_covers_all_values(void **state)
{
	(void)state;
	struct crypto_rng r;
	unsigned count[6] = {0};
	crypto_rng_seeded(&r, 5);
	for (int k = 0; k < 6000; k++)
		count[crypto_rng_uniform(&r, 6)]++;
	for (size_t v = 0; v < 6; v++)
		assert_in_range(count[v], 850, 1150);
}

static int fail_fill(struct crypto_rng *rng, uint8_t *out, size_t n)
{
	(void)rng;
	(void)out;
	(void)n;
	return ERR_CRYPTO;
}

static void test_uniform_reports_rng_failure_as_zero(void **state)
{
	(void)state;
	struct crypto_rng r = {.fill = fail_fill};
	assert_int_equal(crypto_rng_uniform(&r, 1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_seeded_known_stream),
		TEST(test_seeded_reproducible_and_seed_dependent),
		TEST(test_seeded_stream_independent_of_call_sizes),
		TEST(test_system_rng_fills),
		TEST(test_uniform_in_range),
		TEST(test_uniform_covers_all_values),
		TEST(test_uniform_reports_rng_failure_as_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
