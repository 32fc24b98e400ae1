/* Protected phase-2-style exchanges; see prot.h. */
#include "ike1/prot.h"

#include <stdlib.h>
#include <string.h>

#include "ike1/sa_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

/* Offsets of the HASH payload that ike1_prot_begin writes first. */
#define HASH_BODY_OFF (WIRE_ISAKMP_HDR_LEN + WIRE_GEN_HDR_LEN)

static bool complete(const struct ike1_sa *sa)
{
	return sa->state == IKE1_GDOI_IDLE && !sa->deleted;
}

static struct ike1_chains *chains_of(struct ike1_sa *sa)
{
	if (!sa->chains)
		sa->chains = calloc(1, sizeof(*sa->chains));
	return sa->chains;
}

uint32_t ike1_prot_new_mid(struct ike1_sa *sa)
{
	uint32_t mid = 0;
	uint8_t r[4];
	while (!mid || (sa->chains && ike1_chains_find(sa->chains, mid))) {
		if (crypto_rng_fill(sa->t->rng, r, sizeof(r)) < 0)
			return 0;
		mid = buf_load_u32(r);
	}
	return mid;
}

int ike1_prot_begin(struct ike1_sa *sa, struct wire_builder *b, void *buf, size_t cap, uint8_t exch,
		    uint32_t mid)
{
	if (!complete(sa))
		return ERR_STATE;
	struct wire_isakmp_hdr h = {
	    .version = WIRE_ISAKMP_VERSION, .exch = exch, .flags = WIRE_FLAG_E, .msgid = mid};
	memcpy(h.icookie, sa->cky_i, IKE1_COOKIE_LEN);
	memcpy(h.rcookie, sa->cky_r, IKE1_COOKIE_LEN);
	wire_build_init(b, buf, cap, &h);
	/* HASH(n) placeholder: filled once the rest of the message is known. */
	uint8_t zero[IKE1_PRF_MAX] = {0};
	wire_build_hash(b, &(struct wire_data){zero, sa->keys.prf_len});
	return 0;
}

/* Fill the HASH payload of a built plaintext message; returns the length or ERR_*. */
static int fill_hash(struct ike1_sa *sa, struct wire_builder *b, struct ike1_bytes ni_b,
		     struct ike1_bytes nr_b)
{
	int len = wire_build_finish(b);
	if (len < 0)
		return len;
	size_t rest_at = HASH_BODY_OFF + sa->keys.prf_len;
	uint8_t h[IKE1_PRF_MAX];
	struct ike1_bytes rest = {b->w.p + rest_at, (size_t)len - rest_at};
	uint32_t mid = buf_load_u32(b->w.p + WIRE_HDR_OFF_MSGID);
	int rc = ike1_keys_hash_n(&sa->keys, mid, ni_b, nr_b, rest, h);
	if (rc < 0)
		return rc;
	memcpy(b->w.p + HASH_BODY_OFF, h, sa->keys.prf_len);
	return len;
}

/* Encrypt the body of a finished plaintext message from iv; patch the Length. */
static int encrypt(struct ike1_sa *sa, struct wire_builder *b, size_t len, const uint8_t *iv,
		   uint8_t iv_next[static CRYPTO_BLOCK_MAX])
{
	uint8_t *body = b->w.p + WIRE_ISAKMP_HDR_LEN;
	int n = ike1_crypt_seal(&sa->keys, iv, body, len - WIRE_ISAKMP_HDR_LEN,
				b->w.cap - WIRE_ISAKMP_HDR_LEN, iv_next);
	if (n < 0)
		return n;
	size_t total = WIRE_ISAKMP_HDR_LEN + (size_t)n;
	buf_patch_u32(&b->w, WIRE_HDR_OFF_LENGTH, (uint32_t)total);
	return (int)total;
}

int ike1_prot_seal(struct ike1_sa *sa, uint64_t now, struct wire_builder *b, struct ike1_bytes ni_b,
		   struct ike1_bytes nr_b)
{
	struct ike1_chains *cs = chains_of(sa);
	if (!cs)
		return ERR_NOMEM;
	int len = fill_hash(sa, b, ni_b, nr_b);
	if (len < 0)
		return len;
	uint32_t mid = buf_load_u32(b->w.p + WIRE_HDR_OFF_MSGID);
	struct ike1_chain *c = ike1_chains_find(cs, mid);
	if (!c) {
		int rc = ike1_chains_open(cs, &sa->keys, sa->p1_last, mid, now,
					  (uint64_t)sa->t->cfg.give_up_ms * NS_PER_MS, &c);
		if (rc < 0)
			return rc;
		ike1_sa_schedule(sa->t, ike1_sa_after(now, sa->t->cfg.give_up_ms));
	}
	uint8_t next[CRYPTO_BLOCK_MAX];
	int total = encrypt(sa, b, (size_t)len, c->iv, next);
	if (total >= 0)
		ike1_chain_commit(c, next, sa->keys.block_len, now);
	return total;
}

int ike1_prot_send(struct ike1_sa *sa, uint64_t now, struct wire_builder *b, struct ike1_bytes ni_b,
		   struct ike1_bytes nr_b)
{
	int len = ike1_prot_seal(sa, now, b, ni_b, nr_b);
	if (len < 0)
		return len;
	struct ike1_chain *c =
	    ike1_chains_find(sa->chains, buf_load_u32(b->w.p + WIRE_HDR_OFF_MSGID));
	int rc = ike1_cache_set_tx(&c->cache, b->w.p, (size_t)len);
	ike1_sa_send(sa->t, &sa->peer, b->w.p, (size_t)len);
	return rc < 0 ? rc : len;
}

int ike1_prot_seal_once(struct ike1_sa *sa, struct wire_builder *b)
{
	int len = fill_hash(sa, b, IKE1_NO_BYTES, IKE1_NO_BYTES);
	if (len < 0)
		return len;
	uint8_t iv[CRYPTO_BLOCK_MAX], next[CRYPTO_BLOCK_MAX];
	uint32_t mid = buf_load_u32(b->w.p + WIRE_HDR_OFF_MSGID);
	int rc = ike1_keys_iv_mid(sa->keys.hash, sa->p1_last, sa->keys.block_len, mid, iv);
	return rc < 0 ? rc : encrypt(sa, b, (size_t)len, iv, next);
}

int ike1_prot_resend(struct ike1_sa *sa, uint64_t now, uint32_t mid)
{
	struct ike1_chain *c = sa->chains ? ike1_chains_find(sa->chains, mid) : NULL;
	if (!c || !c->cache.tx)
		return ERR_NOTFOUND;
	c->last_ns = now;
	ike1_sa_send(sa->t, &sa->peer, c->cache.tx, c->cache.tx_len);
	sa->t->st.retransmits++;
	return 0;
}

void ike1_prot_end(struct ike1_sa *sa, uint64_t now, uint32_t mid)
{
	struct ike1_chain *c = sa->chains ? ike1_chains_find(sa->chains, mid) : NULL;
	if (!c)
		return;
	c->done = true;
	c->last_ns = now;
	ike1_sa_schedule(sa->t, ike1_sa_after(now, sa->t->cfg.grace_ms));
}

bool ike1_prot_active(struct ike1_sa *sa, uint32_t mid)
{
	return sa->chains && ike1_chains_find(sa->chains, mid);
}

int ike1_prot_peek(const uint8_t *msg, size_t len, struct wire_isakmp_hdr *h)
{
	return wire_isakmp_hdr_decode(msg, len, h, NULL);
}

/* Decrypt msg into plain from iv and decode it; HASH must come first. */
static int decrypt_decode(struct ike1_sa *sa, const uint8_t *msg, size_t len, const uint8_t *iv,
			  uint8_t *plain, size_t cap, struct ike1_prot_in *in,
			  uint8_t next[static CRYPTO_BLOCK_MAX])
{
	struct wire_isakmp_hdr h;
	memset(in, 0, sizeof(*in));
	int rc = wire_isakmp_hdr_decode(msg, len, &h, &in->err);
	if (rc < 0)
		return rc;
	if (!(h.flags & WIRE_FLAG_E) || h.next != WIRE_PL_HASH || !h.msgid)
		return ERR_PROTO;
	if (cap < len)
		return ERR_NOSPACE;
	memcpy(plain, msg, WIRE_ISAKMP_HDR_LEN);
	rc = ike1_crypt_open(&sa->keys, iv, msg + WIRE_ISAKMP_HDR_LEN, plain + WIRE_ISAKMP_HDR_LEN,
			     len - WIRE_ISAKMP_HDR_LEN, next);
	if (rc < 0)
		return rc;
	if (wire_msg_decode(plain, len, &in->m, &in->err) < 0)
		return ERR_PROTO;
	const struct wire_payload *hp = &in->m.pl[0];
	if (hp->len != sa->keys.prf_len)
		return ERR_AUTH;
	const struct wire_payload *last = &in->m.pl[in->m.n - 1];
	size_t rest_at = hp->off + WIRE_GEN_HDR_LEN + hp->len;
	size_t end = last->off + WIRE_GEN_HDR_LEN + last->len;
	in->after = (struct ike1_bytes){plain + rest_at, end - rest_at};
	in->n_after = in->m.n - 1;
	in->first = in->n_after ? &in->m.pl[1] : NULL;
	return 0;
}

/* HASH(n) of the opened message, compared in constant time. */
static int verify(struct ike1_sa *sa, const struct ike1_prot_in *in, struct ike1_bytes ni_b,
		  struct ike1_bytes nr_b)
{
	uint8_t h[IKE1_PRF_MAX];
	int rc = ike1_keys_hash_n(&sa->keys, in->m.hdr.msgid, ni_b, nr_b, in->after, h);
	if (rc < 0)
		return rc;
	return mem_equal_ct(h, in->m.pl[0].body, sa->keys.prf_len) ? 0 : ERR_AUTH;
}

int ike1_prot_open_once(struct ike1_sa *sa, const uint8_t *msg, size_t len, uint8_t *plain,
			size_t cap, struct ike1_prot_in *in)
{
	if (!complete(sa))
		return ERR_STATE;
	uint8_t iv[CRYPTO_BLOCK_MAX], next[CRYPTO_BLOCK_MAX];
	if (len < WIRE_ISAKMP_HDR_LEN)
		return ERR_BADLEN;
	uint32_t mid = buf_load_u32(msg + WIRE_HDR_OFF_MSGID);
	int rc = ike1_keys_iv_mid(sa->keys.hash, sa->p1_last, sa->keys.block_len, mid, iv);
	if (rc >= 0)
		rc = decrypt_decode(sa, msg, len, iv, plain, cap, in, next);
	if (rc >= 0)
		rc = verify(sa, in, IKE1_NO_BYTES, IKE1_NO_BYTES);
	return rc;
}

/* A retransmitted message on a known chain: answer from the cache. */
static int duplicate(struct ike1_sa *sa, struct ike1_chain *c, uint64_t now)
{
	if (c->cache.tx) {
		ike1_sa_send(sa->t, &sa->peer, c->cache.tx, c->cache.tx_len);
		sa->t->st.dup_answered++;
	} else {
		sa->t->st.dup_ignored++;
	}
	c->last_ns = now;
	return IKE1_PROT_DUP;
}

int ike1_prot_open(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
		   struct ike1_bytes ni_b, struct ike1_bytes nr_b, uint8_t *plain, size_t cap,
		   struct ike1_prot_in *in)
{
	if (!complete(sa))
		return ERR_STATE;
	if (len < WIRE_ISAKMP_HDR_LEN)
		return ERR_BADLEN;
	struct ike1_chains *cs = chains_of(sa);
	if (!cs)
		return ERR_NOMEM;
	uint32_t mid = buf_load_u32(msg + WIRE_HDR_OFF_MSGID);
	struct ike1_chain *c = ike1_chains_find(cs, mid);
	if (c && ike1_cache_is_dup(&c->cache, msg, len))
		return duplicate(sa, c, now);
	/* A new M-ID gets its chain only once the message has verified. */
	uint8_t iv[CRYPTO_BLOCK_MAX], next[CRYPTO_BLOCK_MAX], digest[IKE1_DIGEST_LEN];
	int rc = 0;
	if (c)
		memcpy(iv, c->iv, sizeof(iv));
	else
		rc = ike1_keys_iv_mid(sa->keys.hash, sa->p1_last, sa->keys.block_len, mid, iv);
	if (rc >= 0)
		rc = decrypt_decode(sa, msg, len, iv, plain, cap, in, next);
	if (rc >= 0)
		rc = verify(sa, in, ni_b, nr_b);
	if (rc >= 0)
		rc = ike1_cache_digest(msg, len, digest);
	if (rc >= 0 && !c)
		rc = ike1_chains_open(cs, &sa->keys, sa->p1_last, mid, now,
				      (uint64_t)sa->t->cfg.give_up_ms * NS_PER_MS, &c);
	if (rc < 0)
		return rc;
	ike1_chain_commit(c, next, sa->keys.block_len, now);
	ike1_cache_note_rx(&c->cache, digest);
	ike1_sa_schedule(sa->t, ike1_sa_after(now, sa->t->cfg.give_up_ms));
	return 0;
}
