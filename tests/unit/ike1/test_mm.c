/*
 * Main Mode between two ike1 tables in memory: every algorithm combination,
 * failures with their reasons, loss, duplication, reordering, the reply
 * cache, timeouts, rate-limited notifies, lifetime and deletion, `show`.
 */
#include "pair.h"

#include "diag/log.h"
#include "util/hex.h"
#include "wire/p1sa.h"

static struct pair P;

static const struct ike1_policy aes256_sha256_g19 = {CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256,
						     WIRE_P1_AUTH_PSK, 19, 86400};

static void decode(const struct pkt *k, struct wire_msg *m)
{
	assert_int_equal(wire_msg_decode(k->b, k->len, m, NULL), 0);
}

static void test_step_by_step(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct wire_msg m;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);

	/* GM: 1  HDR, SA, VID  --> */
	struct ike1_peer ks = pair_addr(KS);
	struct ike1_sa *gm = NULL;
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, &gm), 0);
	assert_int_equal(gm->state, IKE1_MM_NO_STATE);
	assert_int_equal(gm->conn_id, 1001);
	decode(&p->sent[0], &m);
	assert_int_equal(m.hdr.exch, WIRE_EXCH_IDPROT);
	assert_int_equal(m.hdr.flags, 0);
	assert_memory_equal(m.hdr.rcookie, (uint8_t[8]){0}, 8);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.pl[0].type, WIRE_PL_SA);
	assert_int_equal(m.pl[1].type, WIRE_PL_VID);

	/* KS: 2  <--  HDR, SA, VID (the offered transform, byte for byte) */
	assert_true(pair_deliver(p));
	struct ike1_sa *kss = pair_sa(p, KS);
	assert_non_null(kss);
	assert_int_equal(kss->state, IKE1_MM_SA_SETUP);
	assert_int_equal(kss->role, IKE1_RESPONDER);
	struct wire_msg m1, m2;
	struct wire_p1sa offer, ans;
	decode(&p->sent[0], &m1);
	decode(&p->sent[1], &m2);
	assert_int_equal(wire_p1sa_decode(&m1.pl[0], &offer, NULL), 0);
	assert_int_equal(wire_p1sa_decode(&m2.pl[0], &ans, NULL), 0);
	assert_int_equal(ans.n_props, 1);
	assert_int_equal(ans.n_xforms, 1);
	assert_int_equal(ans.doi, WIRE_DOI_GDOI);
	assert_int_equal(ans.xforms[0].num, offer.xforms[0].num);
	assert_true(wire_attrs_equal(&ans.xforms[0].attrs, &offer.xforms[0].attrs));

	/* GM: 3  HDR, KE, Ni  --> */
	assert_true(pair_deliver(p));
	assert_int_equal(gm->state, IKE1_MM_SA_SETUP);
	assert_memory_equal(gm->cky_r, kss->cky_r, 8);
	decode(&p->sent[2], &m);
	assert_int_equal(m.pl[0].type, WIRE_PL_KE);
	assert_int_equal(m.pl[0].len, 64); /* ECP-256: x | y */
	assert_int_equal(m.pl[1].type, WIRE_PL_NONCE);
	assert_int_equal(m.pl[1].len, 32);

	/* KS: 4  <--  HDR, KE, Nr */
	assert_true(pair_deliver(p));
	assert_int_equal(kss->state, IKE1_MM_KEY_EXCH);
	assert_int_equal(p->s[KS].t.st.dh_computed, 1);

	/* GM: 5  HDR*, IDii, HASH_I  --> */
	assert_true(pair_deliver(p));
	assert_int_equal(gm->state, IKE1_MM_KEY_EXCH);
	assert_int_equal(p->sent[4].b[19], WIRE_FLAG_E);
	assert_int_equal((p->sent[4].len - 28) % 16, 0);

	/* KS: 6  <--  HDR*, IDir, HASH_R; the KS is done once it has sent it */
	assert_true(pair_deliver(p));
	assert_int_equal(kss->state, IKE1_GDOI_IDLE);
	assert_int_equal(p->s[KS].ups, 1);
	assert_non_null(kss->mm); /* MM6 kept for a retransmitted MM5 */

	/* GM verifies HASH_R: GDOI_IDLE, handshake state gone */
	assert_true(pair_deliver(p));
	assert_false(pair_deliver(p));
	assert_int_equal(gm->state, IKE1_GDOI_IDLE);
	assert_int_equal(p->s[GM].ups, 1);
	assert_null(gm->mm);
	pair_assert_same_keys(p);
	assert_int_equal(p->nsent, 6);
	/* Each side got the other's Vendor ID. */
	assert_int_equal(p->s[GM].peer_vids, 1);
	assert_memory_equal(p->s[GM].peer_vid0, pair_vid[KS].p, 22);
	assert_memory_equal(p->s[KS].peer_vid0, pair_vid[GM].p, 22);
	assert_int_equal(gm->life_sec, 86400);
	pair_free(p);
}

struct combo {
	enum crypto_cbc_alg c;
	enum crypto_hash_alg h;
	uint8_t g;
	uint32_t doi;
};

static void run_combo(const struct combo *k)
{
	struct pair *p = &P;
	struct ike1_policy pol = pair_policy(k->c, k->h, k->g);
	pair_init(p, &pol, 1);
	for (int i = 0; i < 2; i++) {
		p->s[i].cfg.weak_groups = k->g == 2;
		p->s[i].cfg.doi = k->doi;
	}
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(p->s[GM].ups, 1);
	assert_int_equal(p->s[KS].ups, 1);
	assert_int_equal(p->s[GM].downs + p->s[KS].downs, 0);
	pair_assert_same_keys(p);
	struct ike1_sa *a = p->s[GM].up_sa;
	assert_int_equal(a->keys.cipher, k->c);
	assert_int_equal(a->keys.hash, k->h);
	assert_int_equal(a->group, k->g);
	assert_int_equal(a->doi, k->doi);
	assert_int_equal(p->s[KS].up_sa->doi, k->doi);
	assert_int_equal(p->nsent, 6);
	pair_free(p);
}

static void test_all_combinations(void **state)
{
	(void)state;
	static const enum crypto_cbc_alg ciphers[] = {CRYPTO_CBC_AES128, CRYPTO_CBC_AES256,
						      CRYPTO_CBC_3DES};
	static const enum crypto_hash_alg hashes[] = {CRYPTO_HASH_SHA1, CRYPTO_HASH_SHA256,
						      CRYPTO_HASH_SHA384};
	static const uint8_t groups[] = {2, 14, 19, 20};
	static const uint32_t dois[] = {WIRE_DOI_IPSEC, WIRE_DOI_GDOI};
	for (size_t c = 0; c < 3; c++)
		for (size_t h = 0; h < 3; h++)
			for (size_t g = 0; g < 4; g++)
				for (size_t d = 0; d < 2; d++)
					run_combo(&(struct combo){ciphers[c], hashes[h], groups[g],
								  dois[d]});
}

/* The responder takes the first acceptable transform in the initiator's order. */
static void test_responder_choice_follows_initiator_order(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct ike1_policy gm[3] = {
	    pair_policy(CRYPTO_CBC_AES128, CRYPTO_HASH_SHA1, 14),
	    pair_policy(CRYPTO_CBC_AES256, CRYPTO_HASH_SHA384, 20),
	    pair_policy(CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256, 19),
	};
	struct ike1_policy ks[2] = {
	    pair_policy(CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256, 19),
	    pair_policy(CRYPTO_CBC_AES256, CRYPTO_HASH_SHA384, 20),
	};
	pair_init(p, gm, 3);
	pair_config(p, KS, ks, 2);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_non_null(p->s[KS].up_sa);
	assert_int_equal(p->s[KS].up_sa->group, 20);
	assert_int_equal(p->s[GM].up_sa->keys.hash, CRYPTO_HASH_SHA384);
	pair_free(p);
}

static void test_wrong_psk_fails_on_both_sides(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	p->s[KS].psk = "another key";
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	/* KS: MM5 does not verify -> AUTHENTICATION failure, notify in the clear */
	assert_int_equal(p->s[KS].downs, 1);
	assert_int_equal(p->s[KS].last_down.reason, IKE1_R_AUTH);
	assert_int_equal(p->s[KS].last_down.msg, 5);
	assert_int_equal(p->s[KS].ups + p->s[GM].ups, 0);
	struct wire_msg m;
	assert_int_equal(wire_msg_decode(p->sent[5].b, p->sent[5].len, &m, NULL), 0);
	assert_int_equal(m.hdr.exch, WIRE_EXCH_INFO);
	/* GM: the notify ends its negotiation with the same reason */
	assert_int_equal(p->s[GM].downs, 1);
	assert_int_equal(p->s[GM].last_down.reason, IKE1_R_AUTH);
	assert_int_equal(p->s[GM].last_down.notify, p->s[KS].last_down.notify);
	struct ike1_sa_row row;
	ike1_sa_row(pair_sa(p, KS), &row);
	assert_string_equal(row.status, "ACTIVE (deleted)");
	assert_string_equal(row.state, "MM_KEY_EXCH");
	pair_free(p);
}

static void test_missing_psk_is_authentication_failure(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	p->s[KS].psk = NULL;
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(p->s[KS].last_down.reason, IKE1_R_AUTH);
	assert_int_equal(p->s[KS].last_down.msg, 3);
	assert_int_equal(p->s[GM].last_down.reason, IKE1_R_AUTH);
	assert_int_equal(p->s[KS].t.st.dh_computed, 0);
	pair_free(p);
}

static void test_no_proposal_chosen(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct ike1_policy gm = pair_policy(CRYPTO_CBC_AES128, CRYPTO_HASH_SHA1, 14);
	pair_init(p, &gm, 1);
	pair_config(p, KS, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	/* KS: no SA is created, the caller hears what was offered */
	assert_int_equal(p->s[KS].downs_without_sa, 1);
	assert_int_equal(p->s[KS].last_down.reason, IKE1_R_NO_PROPOSAL);
	assert_string_equal(p->s[KS].last_down.offer, "aes-128 sha1 psk group14 86400s");
	assert_null(pair_sa(p, KS));
	/* GM: NO-PROPOSAL-CHOSEN notify (its SA has no responder cookie yet) */
	assert_int_equal(p->s[GM].last_down.reason, IKE1_R_NO_PROPOSAL);
	assert_int_equal(p->s[GM].last_down.notify, WIRE_N_NO_PROPOSAL_CHOSEN);
	pair_free(p);
}

/* A longer lifetime than the responder allows is not acceptable; a shorter one is. */
static void test_lifetime_rule(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct ike1_policy gm = aes256_sha256_g19, ks = aes256_sha256_g19;
	gm.life_sec = 90000;
	pair_init(p, &gm, 1);
	pair_config(p, KS, &ks, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(p->s[KS].last_down.reason, IKE1_R_NO_PROPOSAL);
	pair_free(p);

	gm.life_sec = 600;
	pair_init(p, &gm, 1);
	pair_config(p, KS, &ks, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(p->s[KS].up_sa->life_sec, 600);
	assert_int_equal(p->s[GM].up_sa->life_sec, 600);
	pair_free(p);
}

static void test_weak_groups_need_permission(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct ike1_policy g2 = pair_policy(CRYPTO_CBC_AES128, CRYPTO_HASH_SHA1, 2);
	pair_init(p, &g2, 1);
	assert_int_equal(pair_start(p), ERR_INVAL);
	pair_free(p);
	/* A KS with a group-2 policy but without permission refuses to start, and
	 * one that allows it only for itself still negotiates. */
	pair_init(p, &g2, 1);
	p->s[GM].cfg.weak_groups = true;
	p->s[KS].cfg.weak_groups = true;
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(p->s[KS].ups, 1);
	pair_free(p);
}

/* Drop the first transmission of MM1, MM4 and MM6. */
static int drop_firsts(struct pair *p, const struct pkt *k, size_t i)
{
	(void)p;
	(void)k;
	return i == 0 || i == 4 || i == 8 ? 1 : 0;
}

static void test_lost_messages_are_retransmitted(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	p->filter = drop_firsts;
	uint64_t t0 = p->now;
	pair_handshake(p);
	pair_run(p, t0 + 60 * NS_PER_SEC);
	assert_int_equal(p->s[GM].ups, 1);
	assert_int_equal(p->s[KS].ups, 1);
	pair_assert_same_keys(p);
	/* MM1, MM3 (its answer MM4 was lost) and MM5 (MM6 lost) went twice. */
	assert_int_equal(p->s[GM].t.st.retransmits, 3);
	assert_int_equal(p->s[KS].t.st.dup_answered, 2);
	assert_int_equal(p->s[KS].t.st.dh_computed, 1);
	pair_free(p);
}

/* Every datagram delivered twice. */
static int duplicate_all(struct pair *p, const struct pkt *k, size_t i)
{
	(void)p;
	(void)k;
	(void)i;
	return 2;
}

static void test_duplicates_are_harmless(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	p->filter = duplicate_all;
	pair_handshake(p);
	assert_int_equal(p->s[GM].ups, 1);
	assert_int_equal(p->s[KS].ups, 1);
	pair_assert_same_keys(p);
	assert_int_equal(p->s[KS].t.st.dh_computed, 1);
	assert_int_equal(p->s[GM].t.st.dh_computed, 1);
	assert_int_equal(p->s[GM].downs + p->s[KS].downs, 0);
	pair_free(p);
}

/* A retransmitted MM3 gets the very same MM4 without a new DH computation. */
static void test_retransmitted_request_answered_from_cache(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	struct ike1_peer ks = pair_addr(KS);
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, NULL), 0);
	pair_deliver(p); /* MM1 -> KS */
	pair_deliver(p); /* MM2 -> GM */
	struct pkt mm3 = p->q[0];
	pair_deliver(p); /* MM3 -> KS, MM4 queued */
	assert_int_equal(p->s[KS].t.st.dh_computed, 1);
	struct pkt mm4 = p->q[0];
	pair_feed(p, &mm3); /* the same MM3 again */
	assert_int_equal(p->nq, 2);
	assert_int_equal(p->q[1].len, mm4.len);
	assert_memory_equal(p->q[1].b, mm4.b, mm4.len);
	assert_int_equal(p->s[KS].t.st.dh_computed, 1);
	assert_int_equal(p->s[KS].t.st.dup_answered, 1);
	pair_pump(p);
	assert_int_equal(p->s[GM].ups, 1);
	/* After completion a retransmitted MM5 still gets the cached MM6 ... */
	struct pkt mm5 = p->sent[5]; /* after MM1, MM2, MM3, MM4 and the resent MM4 */
	assert_int_equal(mm5.to, KS);
	assert_int_equal(mm5.b[19], WIRE_FLAG_E);
	pair_feed(p, &mm5);
	assert_int_equal(p->s[KS].t.st.dup_answered, 2);
	pair_pump(p);
	/* ... until the grace period is over, then the handshake state is gone. */
	pair_run(p, p->now + 31 * NS_PER_SEC);
	assert_null(p->s[KS].up_sa->mm);
	assert_true(sizeof(struct ike1_sa) < 600);
	pair_feed(p, &mm5);
	assert_int_equal(p->nq, 0);
	pair_free(p);
}

/* Deliver MM3 before a late duplicate MM1 and keep going. */
static int reorder(struct pair *p, const struct pkt *k, size_t i)
{
	if (i == 2) { /* MM3: first re-inject the MM1 seen earlier */
		pair_feed(p, &p->sent[0]);
		(void)k;
	}
	return 0;
}

static void test_reordered_late_duplicate(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	p->filter = reorder;
	pair_handshake(p);
	assert_int_equal(p->s[GM].ups, 1);
	assert_int_equal(p->s[KS].ups, 1);
	/* The late MM1 got the cached MM2, which the GM ignored as a duplicate. */
	assert_int_equal(p->s[KS].t.st.dup_answered, 1);
	assert_int_equal(p->s[GM].t.st.dup_ignored, 1);
	pair_free(p);
}

static int drop_all(struct pair *p, const struct pkt *k, size_t i)
{
	(void)p;
	(void)k;
	(void)i;
	return 1;
}

static void test_timeout(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	p->filter = drop_all;
	uint64_t t0 = p->now;
	pair_handshake(p);
	/* MM1 at 0 s, again at 1, 3, 7, 15 s; nothing after that. */
	static const uint64_t at[] = {1, 3, 7, 15};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(pair_deadline(p), t0 + at[i] * NS_PER_SEC);
		pair_run(p, t0 + at[i] * NS_PER_SEC);
		assert_int_equal(p->s[GM].t.st.retransmits, i + 1);
	}
	assert_int_equal(pair_deadline(p), t0 + 30 * NS_PER_SEC);
	pair_run(p, t0 + 30 * NS_PER_SEC);
	assert_int_equal(p->s[GM].downs, 1);
	assert_int_equal(p->s[GM].last_down.reason, IKE1_R_TIMEOUT);
	assert_int_equal(p->s[GM].last_down.msg, 1);
	assert_int_equal(p->s[GM].t.st.retransmits, 4);
	/* The dead SA is shown for a while, then freed. */
	struct ike1_sa_row row;
	ike1_sa_row(pair_sa(p, GM), &row);
	assert_string_equal(row.status, "ACTIVE (deleted)");
	pair_run(p, t0 + 91 * NS_PER_SEC);
	assert_null(pair_sa(p, GM));
	assert_int_equal(pair_deadline(p), CLOCK_NEVER);
	pair_free(p);
}

/* Only MM1 gets through: the initiator is gone for the responder. */
static int only_first(struct pair *p, const struct pkt *k, size_t i)
{
	(void)p;
	(void)k;
	return i == 0 ? 0 : 1;
}

/* A responder whose initiator vanishes gives up on the half-open SA. */
static void test_half_open_responder_times_out(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	p->filter = only_first;
	uint64_t t0 = p->now;
	pair_handshake(p);
	assert_int_equal(p->s[KS].t.half_open, 1);
	pair_run(p, t0 + 30 * NS_PER_SEC);
	assert_int_equal(p->s[KS].last_down.reason, IKE1_R_TIMEOUT);
	assert_int_equal(p->s[KS].last_down.msg, 2);
	assert_int_equal(p->s[KS].t.half_open, 0);
	assert_int_equal(p->s[KS].t.st.retransmits, 0); /* responders never retransmit */
	pair_free(p);
}

static void test_malformed_input_rate_limited_notify(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	struct ike1_peer ks = pair_addr(KS);
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, NULL), 0);
	pair_deliver(p); /* MM1 -> KS */
	pair_deliver(p); /* MM2 -> GM */
	struct pkt mm3 = p->q[0];
	p->nq = 0;
	struct ike1_sa *kss = pair_sa(p, KS);
	/* MM3 with a KE of the wrong size for group 19 (one octet cut). */
	struct pkt bad = mm3;
	struct wire_msg m;
	decode(&mm3, &m);
	size_t ke_len_at = m.pl[0].off + 2;
	bad.b[ke_len_at + 1]--;
	memmove(bad.b + m.pl[0].off + 4 + 63, bad.b + m.pl[0].off + 4 + 64,
		mm3.len - (m.pl[0].off + 68));
	bad.len--;
	bad.b[27]--;
	pair_feed(p, &bad);
	assert_int_equal(p->nq, 1); /* one notify */
	decode(&p->q[0], &m);
	assert_int_equal(m.hdr.exch, WIRE_EXCH_INFO);
	struct wire_notify n;
	assert_int_equal(wire_notify_decode(&m.pl[0], &n, NULL), 0);
	assert_int_equal(n.type, WIRE_N_INVALID_KEY_INFORMATION);
	assert_int_equal(kss->state, IKE1_MM_SA_SETUP); /* no state change */
	assert_int_equal(p->s[KS].t.st.dh_computed, 0);
	/* Garbage within the same second: counted, not answered. */
	bad.b[28] = 99;
	pair_feed(p, &bad);
	assert_int_equal(p->nq, 1);
	assert_int_equal(p->s[KS].t.st.notify_limited, 1);
	p->nq = 0; /* (keep the notifies from the GM, which would end its negotiation) */
	/* One second later a malformed message is answered again. */
	p->now += NS_PER_SEC;
	pair_feed(p, &bad);
	assert_int_equal(p->nq, 1);
	p->nq = 0;
	/* The genuine MM3 still completes the exchange. */
	pair_feed(p, &mm3);
	pair_pump(p);
	assert_int_equal(p->s[GM].ups, 1);
	assert_int_equal(p->s[KS].ups, 1);
	assert_int_equal(p->s[KS].t.st.drop_malformed, 3);
	pair_free(p);
}

/* Garbage that is not even an ISAKMP header: counted, never answered. */
static void test_garbage_is_dropped_silently(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	struct pkt g = {.to = KS, .len = 20};
	memset(g.b, 0xee, sizeof(g.b));
	pair_feed(p, &g);
	g.len = 100; /* Length field disagrees */
	pair_feed(p, &g);
	assert_int_equal(p->nq, 0);
	assert_int_equal(p->s[KS].t.st.drop_malformed, 2);
	assert_null(pair_sa(p, KS));
	pair_free(p);
}

static void test_lifetime_expiry_sends_delete(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct ike1_policy gm = aes256_sha256_g19, ks = aes256_sha256_g19;
	gm.life_sec = 60;
	pair_init(p, &gm, 1);
	pair_config(p, KS, &ks, 1);
	assert_int_equal(pair_start(p), 0);
	uint64_t t0 = p->now;
	pair_handshake(p);
	struct ike1_sa *gms = p->s[GM].up_sa;
	assert_int_equal(gms->expires_ns, t0 + 60 * NS_PER_SEC);
	/* Both expire at 60 s; whoever ticks first sends HDR*, HASH(1), D. */
	pair_run(p, t0 + 60 * NS_PER_SEC);
	assert_int_equal(p->s[GM].last_down.reason, IKE1_R_EXPIRED);
	assert_true(p->s[KS].last_down.reason == IKE1_R_EXPIRED ||
		    p->s[KS].last_down.reason == IKE1_R_PEER_DELETE);
	assert_int_equal(p->s[KS].downs, 1);
	struct ike1_sa_row row;
	ike1_sa_row(pair_sa(p, GM), &row);
	assert_string_equal(row.state, "MM_NO_STATE");
	assert_string_equal(row.status, "ACTIVE (deleted)");
	pair_free(p);
}

static void test_delete_tells_the_peer(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	struct ike1_sa *kss = p->s[KS].up_sa;
	size_t before = p->nsent;
	/* KS: HDR*, HASH(1), D(Protocol-ID 1, SPI size 16, CKY-I | CKY-R)  --> */
	ike1_sa_delete(&p->s[KS].t, kss, p->now, true);
	assert_int_equal(p->s[KS].last_down.reason, IKE1_R_DELETED);
	assert_int_equal(p->nsent, before + 1);
	struct ike1_prot_in in;
	uint8_t plain[512];
	struct ike1_sa *gms = p->s[GM].up_sa;
	assert_int_equal(ike1_info_open(gms, p->q[0].b, p->q[0].len, plain, sizeof(plain), &in), 0);
	assert_int_equal(in.first->type, WIRE_PL_D);
	struct wire_delete d;
	assert_int_equal(wire_delete_decode(in.first, &d, NULL), 0);
	assert_int_equal(d.proto, WIRE_PROTO_ISAKMP);
	assert_int_equal(d.spi_size, 16);
	assert_memory_equal(wire_delete_spi(&d, 0), gms->cky_i, 8);
	pair_pump(p);
	assert_int_equal(p->s[GM].last_down.reason, IKE1_R_PEER_DELETE);
	/* Deleting twice does nothing. */
	ike1_sa_delete(&p->s[KS].t, kss, p->now, true);
	assert_int_equal(p->s[KS].downs, 1);
	pair_free(p);
}

static int show_row(void *arg, struct ike1_sa *sa)
{
	struct ike1_sa_row *rows = arg;
	ike1_sa_row(sa, &rows[sa->conn_id - 1001]);
	return 0;
}

static void test_show_rows(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	struct ike1_sa_row r[2];
	/* dst = the responder (the KS), src = the initiator, on both ends */
	assert_int_equal(ike1_sa_foreach(&p->s[GM].t, show_row, r), 0);
	assert_int_equal(r[0].dst.ip4, IP_KS);
	assert_int_equal(r[0].src.ip4, IP_GM);
	assert_string_equal(r[0].state, "GDOI_IDLE");
	assert_string_equal(r[0].status, "ACTIVE");
	assert_int_equal(r[0].conn_id, 1001);
	assert_int_equal(ike1_sa_foreach(&p->s[KS].t, show_row, r), 0);
	assert_int_equal(r[0].dst.ip4, IP_KS);
	assert_int_equal(r[0].src.ip4, IP_GM);
	assert_int_equal(r[0].role, IKE1_RESPONDER);
	pair_free(p);
}

static void test_wireshark_line(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct ike1_policy pol = pair_policy(CRYPTO_CBC_AES128, CRYPTO_HASH_SHA1, 14);
	pair_init(p, &pol, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	struct ike1_sa *sa = p->s[GM].up_sa;
	char line[100], want[100];
	assert_int_equal(ike1_sa_wireshark_line(sa, line, sizeof(line)), 16 + 1 + 32);
	hex_encode(sa->cky_i, 8, want, sizeof(want));
	want[16] = ',';
	hex_encode(sa->keys.key, 16, want + 17, sizeof(want) - 17);
	assert_string_equal(line, want);
	assert_int_equal(ike1_sa_wireshark_line(sa, line, 40), ERR_NOSPACE);
	pair_free(p);
}

/* The load gate: no more half-open SAs than configured. */
static void test_half_open_limit(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &aes256_sha256_g19, 1);
	p->s[KS].cfg.max_half_open = 1;
	assert_int_equal(pair_start(p), 0);
	struct ike1_peer ks = pair_addr(KS);
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, NULL), 0);
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, NULL), 0);
	pair_deliver(p);
	pair_deliver(p);
	assert_int_equal(p->s[KS].t.count, 1);
	assert_int_equal(p->s[KS].t.st.drop_limit, 1);
	pair_free(p);
}

struct lines {
	int n, mm1_sent, established;
};

static void hook(void *arg, const struct diag_record *rec)
{
	struct lines *l = arg;
	l->n++;
	if (strstr(rec->line, "(1001):MM1 sent, state MM_NO_STATE"))
		l->mm1_sent++;
	if (strstr(rec->line, "SA established"))
		l->established++;
}

/* `debug crypto isakmp` lines name the connection; nothing is printed when it is off. */
static void test_debug_lines(void **state)
{
	(void)state;
	struct pair *p = &P;
	struct clock clk;
	struct diag d;
	struct lines l = {0};
	clock_fake_init(&clk, 0, 0);
	assert_int_equal(diag_init(&d, &clk), 0);
	diag_set_hook(&d, hook, &l);
	pair_init(p, &aes256_sha256_g19, 1);
	p->diag = &d;
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(l.n, 0);
	pair_free(p);
	diag_debug_isakmp_set(&d, DIAG_IKE_EVENT, true);
	pair_init(p, &aes256_sha256_g19, 1);
	p->diag = &d;
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_int_equal(l.mm1_sent, 1);
	assert_int_equal(l.established, 2);
	pair_free(p);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_step_by_step),
	    TEST(test_all_combinations),
	    TEST(test_responder_choice_follows_initiator_order),
	    TEST(test_wrong_psk_fails_on_both_sides),
	    TEST(test_missing_psk_is_authentication_failure),
	    TEST(test_no_proposal_chosen),
	    TEST(test_lifetime_rule),
	    TEST(test_weak_groups_need_permission),
	    TEST(test_lost_messages_are_retransmitted),
	    TEST(test_duplicates_are_harmless),
	    TEST(test_retransmitted_request_answered_from_cache),
	    TEST(test_reordered_late_duplicate),
	    TEST(test_timeout),
	    TEST(test_half_open_responder_times_out),
	    TEST(test_malformed_input_rate_limited_notify),
	    TEST(test_garbage_is_dropped_silently),
	    TEST(test_lifetime_expiry_sends_delete),
	    TEST(test_delete_tells_the_peer),
	    TEST(test_show_rows),
	    TEST(test_wireshark_line),
	    TEST(test_half_open_limit),
	    TEST(test_debug_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
