/*
 * libFuzzer target: the key server's state-file loader (gdoi_ks_state_load)
 * on a fresh KS configured with group G1 (KEK AES-128, one `sa ipsec 1`
 * AES-CBC-128/SHA-256). The input is the file without its trailing
 * SHA-256, which the harness appends so that the parser is reached (a file
 * with a wrong sum is refused before it is read: ERR_AUTH). Beyond "no
 * crash, no sanitizer report": a file that loads saves again, and that
 * saved file loads into another fresh KS.
 *
 * Seeds: tests/fuzz/corpus/ks_state/ (one group with a KEK, its held KEK,
 * a TEK and a member; two groups, one unknown to the configuration; each
 * as version 1 and as version 2 with sender IDs).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/rng.h"
#include "gdoi/caps.h"
#include "gdoi/ks.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "wire/names.h"

#define NOW (5000 * NS_PER_SEC)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

static const struct ike1_policy p1[] = {
    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 14, 86400},
};
static const struct gdoi_acl_entry acl[] = {
    {.seq = 10, .action = GDOI_ACL_PERMIT, .src_wild = ~0u, .dst_wild = ~0u},
};

static struct crypto_rng rng;
static struct crypto_rsa key;
static struct gdoi_ks_config cfg;
static struct gdoi_ks_group_config grp;
static struct gdoi_ks_sa_config sa;

static void init(void)
{
	crypto_rng_seeded(&rng, 3);
	require(crypto_rsa_generate(&key, 1024) == 0);
	sa = (struct gdoi_ks_sa_config){.number = 1,
					.xf = {GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA256},
					.life_sec = 3600,
					.acl_name = "A",
					.acl = acl,
					.n_acl = 1};
	grp = (struct gdoi_ks_group_config){.name = "G1",
					    .id = {GDOI_ID_NUMBER, 1},
					    .kek_alg = CRYPTO_CBC_AES128,
					    .rsa_label = "k",
					    .rsa_key = &key,
					    .sas = &sa,
					    .n_sas = 1};
	ike1_config_default(&cfg.ike);
	cfg.ike.policies = p1;
	cfg.ike.n_policies = 1;
	cfg.ike.local = (struct ike1_peer){0x0a000001, 848};
	cfg.caps = GDOI_CAPS_ALL;
	cfg.groups = &grp;
	cfg.n_groups = 1;
}

static struct gdoi_ks *fresh(void)
{
	struct gdoi_ks_io io = {0};
	struct gdoi_ks *ks;
	char err[128];
	require(gdoi_ks_new(&cfg, &io, &rng, NULL, NOW, &ks, err, sizeof(err)) == 0);
	return ks;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		init();
		ready = 1;
	}
	uint8_t *blob = malloc(size + 32);
	require(blob != NULL);
	memcpy(blob, data, size);
	struct crypto_iov iov = {data, size};
	uint8_t sum[CRYPTO_HASH_MAX];
	require(crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, sum) >= 0);
	memcpy(blob + size, sum, 32);
	struct gdoi_ks *ks = fresh();
	if (gdoi_ks_state_load(ks, blob, size + 32, NOW, 10 * NS_PER_SEC) == 0) {
		struct dbuf d = {0};
		require(gdoi_ks_state_save(ks, NOW, &d) == 0);
		struct gdoi_ks *again = fresh();
		require(gdoi_ks_state_load(again, d.p, d.len, NOW, 0) == 0);
		gdoi_ks_free(again);
		dbuf_free(&d);
	}
	gdoi_ks_free(ks);
	free(blob);
	return 0;
}
