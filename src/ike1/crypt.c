/* Message body encryption, IV chains and message caches; see crypt.h. */
#include "ike1/crypt.h"

#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

int ike1_crypt_seal(const struct ike1_keys *k, const uint8_t *iv, uint8_t *body, size_t len,
		    size_t cap, uint8_t iv_next[static CRYPTO_BLOCK_MAX])
{
	size_t block = k->block_len;
	if (!block || block > CRYPTO_BLOCK_MAX)
		return ERR_INVAL;
	/* Zero padding only when needed (gdoid and the Go package do the same). */
	size_t padded = (len + block - 1) / block * block;
	if (!padded)
		padded = block;
	if (padded > cap)
		return ERR_NOSPACE;
	memset(body + len, 0, padded - len);
	int rc = crypto_cbc_encrypt(k->cipher, k->key, iv, body, body, padded, iv_next);
	return rc < 0 ? rc : (int)padded;
}

int ike1_crypt_open(const struct ike1_keys *k, const uint8_t *iv, const uint8_t *in, uint8_t *out,
		    size_t len, uint8_t iv_next[static CRYPTO_BLOCK_MAX])
{
	size_t block = k->block_len;
	if (!block || block > CRYPTO_BLOCK_MAX)
		return ERR_INVAL;
	if (!len || len % block)
		return ERR_BADLEN;
	int rc = crypto_cbc_decrypt(k->cipher, k->key, iv, in, out, len, iv_next);
	return rc < 0 ? rc : (int)len;
}

int ike1_cache_digest(const uint8_t *msg, size_t len, uint8_t out[static IKE1_DIGEST_LEN])
{
	uint8_t d[CRYPTO_HASH_MAX];
	const struct crypto_iov in = {msg, len};
	int rc = crypto_hash(CRYPTO_HASH_SHA256, &in, 1, d);
	if (rc < 0)
		return rc;
	memcpy(out, d, IKE1_DIGEST_LEN);
	return 0;
}

bool ike1_cache_is_dup(const struct ike1_cache *c, const uint8_t *msg, size_t len)
{
	uint8_t d[IKE1_DIGEST_LEN];
	if (!c->has_rx || ike1_cache_digest(msg, len, d) < 0)
		return false;
	return memcmp(d, c->rx, sizeof(d)) == 0;
}

void ike1_cache_note_rx(struct ike1_cache *c, const uint8_t digest[static IKE1_DIGEST_LEN])
{
	memcpy(c->rx, digest, IKE1_DIGEST_LEN);
	c->has_rx = true;
}

int ike1_cache_set_tx(struct ike1_cache *c, const uint8_t *msg, size_t len)
{
	if (!len || len > UINT16_MAX)
		return ERR_BADLEN;
	uint8_t *p = malloc(len);
	if (!p)
		return ERR_NOMEM;
	memcpy(p, msg, len);
	free(c->tx);
	c->tx = p;
	c->tx_len = (uint16_t)len;
	return 0;
}

void ike1_cache_clear(struct ike1_cache *c)
{
	free(c->tx);
	memset(c, 0, sizeof(*c));
}

struct ike1_chain *ike1_chains_find(struct ike1_chains *cs, uint32_t mid)
{
	for (size_t i = 0; i < IKE1_CHAINS_MAX; i++)
		if (cs->c[i].used && cs->c[i].mid == mid)
			return &cs->c[i];
	return NULL;
}

/* A slot for a new chain: a free one, else the oldest reusable one. */
static struct ike1_chain *free_slot(struct ike1_chains *cs, uint64_t now, uint64_t idle_ns)
{
	struct ike1_chain *best = NULL;
	for (size_t i = 0; i < IKE1_CHAINS_MAX; i++) {
		struct ike1_chain *c = &cs->c[i];
		if (!c->used)
			return c;
		bool reusable = c->done || now - c->last_ns > idle_ns;
		if (reusable && (!best || c->last_ns < best->last_ns))
			best = c;
	}
	if (best)
		ike1_chain_drop(best);
	return best;
}

int ike1_chains_open(struct ike1_chains *cs, const struct ike1_keys *k, const uint8_t *p1_last,
		     uint32_t mid, uint64_t now, uint64_t idle_ns, struct ike1_chain **out)
{
	if (ike1_chains_find(cs, mid))
		return ERR_EXISTS;
	struct ike1_chain *c = free_slot(cs, now, idle_ns);
	if (!c)
		return ERR_LIMIT;
	int rc = ike1_keys_iv_mid(k->hash, p1_last, k->block_len, mid, c->iv);
	if (rc < 0)
		return rc;
	c->used = true;
	c->done = false;
	c->mid = mid;
	c->last_ns = now;
	*out = c;
	return 0;
}

void ike1_chain_commit(struct ike1_chain *c, const uint8_t *iv_next, size_t block_len, uint64_t now)
{
	memcpy(c->iv, iv_next, MIN(block_len, sizeof(c->iv)));
	c->last_ns = now;
}

void ike1_chain_drop(struct ike1_chain *c)
{
	ike1_cache_clear(&c->cache);
	mem_wipe(c, sizeof(*c));
}

/* When chain c may be dropped. */
static uint64_t chain_expiry(const struct ike1_chain *c, uint64_t grace_ns, uint64_t idle_ns)
{
	uint64_t after = c->done ? grace_ns : idle_ns;
	return c->last_ns > CLOCK_NEVER - after ? CLOCK_NEVER : c->last_ns + after;
}

size_t ike1_chains_expire(struct ike1_chains *cs, uint64_t now, uint64_t grace_ns, uint64_t idle_ns)
{
	size_t left = 0;
	for (size_t i = 0; i < IKE1_CHAINS_MAX; i++) {
		struct ike1_chain *c = &cs->c[i];
		if (!c->used)
			continue;
		if (now >= chain_expiry(c, grace_ns, idle_ns))
			ike1_chain_drop(c);
		else
			left++;
	}
	return left;
}

uint64_t ike1_chains_deadline(const struct ike1_chains *cs, uint64_t grace_ns, uint64_t idle_ns)
{
	uint64_t t = CLOCK_NEVER;
	for (size_t i = 0; i < IKE1_CHAINS_MAX; i++)
		if (cs->c[i].used)
			t = MIN(t, chain_expiry(&cs->c[i], grace_ns, idle_ns));
	return t;
}

void ike1_chains_clear(struct ike1_chains *cs)
{
	for (size_t i = 0; i < IKE1_CHAINS_MAX; i++)
		if (cs->c[i].used)
			ike1_chain_drop(&cs->c[i]);
}
