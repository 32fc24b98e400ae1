/*
 * The per-packet paths allocate nothing: dp_sad_output (encap, fragmentation,
 * ICMP) and dp_sad_input (decap) in steady state.
 *
 * OpenSSL's allocations are counted exactly through CRYPTO_set_mem_functions
 * (set before OpenSSL allocates anything). For the rest only net heap growth
 * is checked (mallinfo2(), glibc's allocator; not meaningful under ASan):
 * dp/ itself has no allocation call in any per-packet function.
 * HMAC transforms make two OpenSSL allocations per MAC before OpenSSL 3.5
 * (crypto/hash.h); GCM and CBC make none.
 */
#include "test.h"

#include <malloc.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "dp/sad.h"
#include "pktgen.h"
#include "util/buf.h"
#include "xforms.h"

static unsigned long ossl_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

enum { WAN = 4, ROUNDS = 50 };

struct side {
	struct dp_sad *sad;
	struct dp_sad_worker w;
	struct dp_out out;
	uint8_t arena[DP_OUT_CAP];
};

static void side_init(struct side *s, const struct dp_esp_xform *xf, struct crypto_rng *rng)
{
	assert_int_equal(dp_sad_create(1, &s->sad), 0);
	assert_int_equal(dp_sad_worker_init(&s->w, s->sad, 0, 1), 0);
	struct test_keys k;
	test_keys_for(xf, 3, &k);
	struct dp_sad_sa_params p = {.spi = 0x4242,
				     .xf = *xf,
				     .enc_key = k.enc,
				     .enc_key_len = k.enc_len,
				     .auth_key = k.auth,
				     .auth_key_len = k.auth_len,
				     .sid = 1,
				     .sid_bits = 8,
				     .replay = DP_SAD_REPLAY_TBAR,
				     .replay_window = 10};
	struct dp_sad_sa *sa;
	assert_int_equal(dp_sad_sa_create(s->sad, &p, rng, &sa), 0);
	struct dp_acl *acl;
	static const struct dp_acl_entry permit = {
	    .action = DP_ACL_PERMIT, .src_wild = ~0u, .dst_wild = ~0u};
	assert_int_equal(dp_acl_create("P", &permit, 1, 1, &acl), 0);
	struct dp_sad_group_desc gd = {.name = "G", .acl = acl, .sas = &sa, .nsas = 1};
	static const size_t idx[] = {0};
	struct dp_sad_map_desc md = {.ifindex = WAN,
				     .mtu = 1500,
				     .icmp_src = 1,
				     .adjust_mss = 1300,
				     .groups = idx,
				     .ngroups = 1};
	struct dp_sad_desc d = {&gd, 1, &md, 1};
	struct dp_sad_snap *snap;
	assert_int_equal(dp_sad_snap_build(s->sad, &d, &snap), 0);
	dp_sad_publish(s->sad, snap);
	dp_sad_sa_unref(sa);
	dp_acl_unref(acl);
	s->out.buf = s->arena;
	s->out.cap = sizeof(s->arena);
	dp_sad_enter(&s->w);
}

/* One round: a packet, a fragmented one, a DF one (ICMP), each received back. */
static void round_trip(struct side *a, struct side *b, uint64_t now)
{
	static uint8_t pkt[4000], rx[2048];
	size_t sizes[] = {100, 3000};
	for (size_t i = 0; i < 2; i++) {
		size_t n = pktgen_udp(pkt, sizeof(pkt), 0x0a000001, 0x0a000002, 1, 2, sizes[i]);
		assert_int_equal(dp_sad_output(&a->w, WAN, pkt, n, now, &a->out),
				 DP_VERDICT_REPLACE);
		for (size_t k = 0; k < a->out.n; k++) {
			memcpy(rx, a->out.pkt[k].p, a->out.pkt[k].len);
			assert_int_equal(
			    dp_sad_input(&b->w, WAN, rx, a->out.pkt[k].len, now, &b->out),
			    DP_VERDICT_REPLACE);
		}
	}
	size_t n = pktgen_udp(pkt, sizeof(pkt), 0x0a000001, 0x0a000002, 1, 2, 2000);
	buf_store_u16(pkt + 6, DP_IPV4_DF);
	dp_pkt_ipv4_set_csum(pkt, 20);
	assert_int_equal(dp_sad_output(&a->w, WAN, pkt, n, now, &a->out), DP_VERDICT_DROP);
}

static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

static void check_transform(const struct dp_esp_xform *xf, unsigned long ossl_per_round)
{
	struct crypto_rng rng;
	crypto_rng_seeded(&rng, 5);
	static struct side a, b;
	side_init(&a, xf, &rng);
	side_init(&b, xf, &rng);
	uint64_t now = 5000000000ull;
	round_trip(&a, &b, now); /* warm-up: lazy provider state */
	unsigned long before = ossl_allocs;
	size_t heap = heap_in_use();
	for (int r = 0; r < ROUNDS; r++)
		round_trip(&a, &b, now + (uint64_t)r * 1000000);
	assert_int_equal(ossl_allocs - before, ossl_per_round * ROUNDS);
	assert_int_equal(heap_in_use(), heap);
	dp_sad_quiesce(&a.w);
	dp_sad_quiesce(&b.w);
	dp_sad_destroy(a.sad);
	dp_sad_destroy(b.sad);
}

static void test_gcm_paths_allocate_nothing(void **state)
{
	(void)state;
	check_transform(&test_xforms[0].xf, 0); /* esp-gcm */
	check_transform(&test_xforms[2].xf, 0); /* esp-gcm 256 */
}

static void test_hmac_paths(void **state)
{
	(void)state;
	/* Per round: 1 + 3 fragments encapsulated and decapsulated = 8 MACs. */
	unsigned long per_mac = OPENSSL_VERSION_NUMBER >= 0x30500000L ? 0 : 2;
	check_transform(&test_xforms[3].xf, 8 * per_mac);  /* esp-aes esp-sha-hmac */
	check_transform(&test_xforms[10].xf, 8 * per_mac); /* esp-null esp-sha256-hmac */
}

int main(void)
{
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free)) {
		fprintf(stderr, "OpenSSL allocated before main\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    TEST(test_gcm_paths_allocate_nothing),
	    TEST(test_hmac_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
