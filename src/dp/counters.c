#include "dp/counters.h"

#include <stdlib.h>
#include <string.h>

static const char *const ctr_names[DP_CTR_COUNT] = {
    [DP_CTR_LAN_IN] = "lan_in",
    [DP_CTR_CLASS_PERMIT] = "classified_permit",
    [DP_CTR_CLASS_DENY] = "classified_deny",
    [DP_CTR_ENCRYPTED] = "encrypted",
    [DP_CTR_WAN_OUT] = "wan_out",
    [DP_CTR_WAN_IN] = "wan_in",
    [DP_CTR_SPI_FOUND] = "spi_lookup",
    [DP_CTR_AUTHENTICATED] = "authenticated",
    [DP_CTR_REPLAY_OK] = "anti_replay",
    [DP_CTR_DECRYPTED] = "decrypted",
    [DP_CTR_LAN_OUT] = "lan_out",
    [DP_CTR_NO_CRYPTO_MAP] = "no_crypto_map",
    [DP_CTR_FRAGMENTED] = "fragmented",
    [DP_CTR_FRAGMENTS] = "fragments",
    [DP_CTR_ICMP_SENT] = "icmp_frag_needed",
    [DP_CTR_ICMP_RATELIMITED] = "icmp_ratelimited",
    [DP_CTR_MSS_CLAMPED] = "mss_clamped",
    [DP_CTR_ADDR_MISMATCH] = "addr_mismatch",
    [DP_CTR_ECN_CE] = "ecn_ce",
};

static const char *const drop_names[DP_DROP_COUNT] = {
    [DP_DROP_NONE] = "none",
    [DP_DROP_SHORT_PACKET] = "short_packet",
    [DP_DROP_NOT_IPV4] = "not_ipv4",
    [DP_DROP_BAD_IP_HEADER] = "bad_ip_header",
    [DP_DROP_NO_SPACE] = "no_space",
    [DP_DROP_CRYPTO_ERROR] = "crypto_error",
    [DP_DROP_NO_SA] = "no_sa",
    [DP_DROP_NO_SENDER_ID] = "no_sender_id",
    [DP_DROP_IV_EXHAUSTED] = "iv_exhausted",
    [DP_DROP_SEQ_EXHAUSTED] = "seq_exhausted",
    [DP_DROP_POLICY_DEFAULT] = "policy_default",
    [DP_DROP_FRAG_NEEDED_SENT] = "frag_needed_sent",
    [DP_DROP_TOO_BIG] = "too_big",
    [DP_DROP_TOO_MANY_FRAGS] = "too_many_frags",
    [DP_DROP_NOT_ESP] = "not_esp",
    [DP_DROP_ESP_FRAGMENT] = "esp_fragment",
    [DP_DROP_BAD_SPI] = "bad_spi",
    [DP_DROP_BAD_LENGTH] = "bad_length",
    [DP_DROP_MAC_FAIL] = "mac_fail",
    [DP_DROP_REPLAY_TBAR] = "replay_tbar",
    [DP_DROP_REPLAY_WINDOW] = "replay_window",
    [DP_DROP_BAD_PADDING] = "bad_padding",
    [DP_DROP_BAD_NEXT_HEADER] = "bad_next_header",
    [DP_DROP_BAD_INNER] = "bad_inner",
    [DP_DROP_ADDR_MISMATCH] = "addr_mismatch",
    [DP_DROP_ECN] = "ecn_drop",
    [DP_DROP_POLICY_MISMATCH] = "policy_mismatch",
};

const char *dp_counters_ctr_name(enum dp_ctr c)
{
	return (unsigned)c < DP_CTR_COUNT ? ctr_names[c] : "?";
}

const char *dp_counters_drop_name(enum dp_drop d)
{
	return (unsigned)d < DP_DROP_COUNT ? drop_names[d] : "?";
}

struct dp_counters *dp_counters_alloc(size_t n)
{
	if (!n || n > SIZE_MAX / sizeof(struct dp_counters))
		return NULL;
	/* sizeof is a multiple of the alignment, as aligned_alloc requires. */
	struct dp_counters *b = aligned_alloc(DP_CACHE_LINE, n * sizeof(*b));
	if (b)
		dp_counters_clear(b, n);
	return b;
}

void dp_counters_free(struct dp_counters *blocks)
{
	free(blocks);
}

void dp_counters_sum(const struct dp_counters *blocks, size_t n, struct dp_counters_total *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t w = 0; w < n; w++) {
		for (size_t i = 0; i < DP_CTR_COUNT; i++)
			t->ctr[i] += atomic_load_explicit(&blocks[w].ctr[i], memory_order_relaxed);
		for (size_t i = 0; i < DP_DROP_COUNT; i++)
			t->drop[i] +=
			    atomic_load_explicit(&blocks[w].drop[i], memory_order_relaxed);
	}
	for (size_t i = 1; i < DP_DROP_COUNT; i++)
		t->drops += t->drop[i];
}

void dp_counters_clear(struct dp_counters *blocks, size_t n)
{
	for (size_t w = 0; w < n; w++) {
		for (size_t i = 0; i < DP_CTR_COUNT; i++)
			atomic_store_explicit(&blocks[w].ctr[i], 0, memory_order_relaxed);
		for (size_t i = 0; i < DP_DROP_COUNT; i++)
			atomic_store_explicit(&blocks[w].drop[i], 0, memory_order_relaxed);
	}
}
