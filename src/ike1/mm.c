/*
 * Main Mode with pre-shared keys, initiator and responder (RFC 2409 §5,
 * notes §2). Each handler parses and checks everything before it changes
 * the SA: a malformed message costs a (rate-limited) notify and a counter,
 * never state. Retransmitted requests are answered from the cache before
 * any parsing or crypto.
 */
#include "ike1/mm.h"

#include <stdlib.h>
#include <string.h>

#include "ike1/info.h"
#include "ike1/sa_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/build.h"
#include "wire/names.h"

#define NONCE_LEN 32 /* notes §1.10: gvpn sends 32 octets */
#define GDOI_PORT 848
#define IKE_PORT  500
#define UDP	  17

/* The payloads Main Mode looks at, found in one message. */
struct mm_pls {
	const struct wire_payload *sa, *ke, *nonce, *id, *hash;
};

/* ---- helpers ---- */

static void hdr_for(const struct ike1_sa *sa, struct wire_isakmp_hdr *h, uint8_t flags)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, sa->cky_i, IKE1_COOKIE_LEN);
	memcpy(h->rcookie, sa->cky_r, IKE1_COOKIE_LEN);
	h->version = WIRE_ISAKMP_VERSION;
	h->exch = WIRE_EXCH_IDPROT;
	h->flags = flags;
}

static struct ike1_mm *mm_new(struct ike1_sa *sa)
{
	sa->mm = calloc(1, sizeof(*sa->mm));
	if (sa->mm) {
		sa->mm->retx_ns = CLOCK_NEVER;
		sa->mm->give_up_ns = CLOCK_NEVER;
		sa->mm->grace_end_ns = CLOCK_NEVER;
	}
	return sa->mm;
}

/* Forget the secrets of a finished handshake; keep only the message cache. */
static void mm_strip(struct ike1_mm *mm)
{
	if (mm->have_dh)
		crypto_dh_clear(&mm->dh);
	mm->have_dh = false;
	free(mm->sai_b);
	mm->sai_b = NULL;
	mem_wipe(mm->skeyid, sizeof(mm->skeyid));
	mem_wipe(mm->ni, sizeof(mm->ni));
	mem_wipe(mm->nr, sizeof(mm->nr));
}

void ike1_mm_free(struct ike1_sa *sa)
{
	struct ike1_mm *mm = sa->mm;
	if (!mm)
		return;
	mm_strip(mm);
	ike1_cache_clear(&mm->cache);
	mem_wipe(mm, sizeof(*mm));
	free(mm);
	sa->mm = NULL;
}

/* Send a new message of the exchange and arm its timers. */
static void transmit(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
		     uint8_t msgno)
{
	struct ike1_sa_table *t = sa->t;
	struct ike1_mm *mm = sa->mm;
	mm->msg = msgno;
	if (ike1_cache_set_tx(&mm->cache, msg, len) < 0)
		ike1_cache_clear(&mm->cache); /* no copy: retransmissions just do not happen */
	ike1_sa_send(t, &sa->peer, msg, len);
	IKE1_DBG(t, sa, DIAG_IKE_EVENT, "MM%u sent, state %s", msgno, ike1_state_name(sa->state));
	mm->sent_ns = now;
	mm->n_retx = 0;
	mm->give_up_ns = ike1_sa_after(now, t->cfg.give_up_ms);
	/* Only the initiator retransmits; the responder answers retransmissions. */
	mm->retx_ns = sa->role == IKE1_INITIATOR && t->cfg.n_retrans
			  ? ike1_sa_after(now, t->cfg.retrans_ms[0])
			  : CLOCK_NEVER;
	ike1_sa_schedule(t, MIN(mm->retx_ns, mm->give_up_ns));
}

/* End the negotiation (returns 0 so handlers can `return fail(...)`). */
static int fail(struct ike1_sa *sa, uint64_t now, uint8_t msgno, enum ike1_reason why,
		uint16_t notify, const char *detail)
{
	struct ike1_result r = {
	    .reason = why, .notify = notify, .msg = msgno, .state = sa->state, .detail = detail};
	if (notify)
		ike1_info_send_error(sa->t, sa, now, &sa->peer, sa->cky_i, sa->cky_r, notify);
	ike1_sa_fail(sa, now, &r);
	return 0;
}

/* A message we cannot use: count, tell the peer (rate-limited), change nothing. */
static int malformed(struct ike1_sa *sa, uint64_t now, uint16_t notify, const char *what)
{
	sa->t->st.drop_malformed++;
	IKE1_DBG(sa->t, sa, DIAG_IKE_ERROR, "MM message dropped: %s", what);
	ike1_info_send_error(sa->t, sa, now, &sa->peer, sa->cky_i, sa->cky_r,
			     notify ? notify : WIRE_N_PAYLOAD_MALFORMED);
	return 0;
}

static void keep_vid(struct ike1_mm *mm, const struct wire_payload *pl)
{
	struct ike1_vids *v = &mm->vids;
	if (v->n == IKE1_VIDS_MAX || pl->len > sizeof(mm->vid_store) - mm->vid_used)
		return;
	memcpy(mm->vid_store + mm->vid_used, pl->body, pl->len);
	v->v[v->n++] = (struct wire_data){mm->vid_store + mm->vid_used, pl->len};
	mm->vid_used += pl->len;
}

/* Pick out the payloads; a second copy of one we use is malformed. VIDs go to mm. */
static int collect(const struct wire_msg *m, struct mm_pls *p, struct ike1_mm *mm)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < m->n; i++) {
		const struct wire_payload *pl = &m->pl[i], **slot = NULL;
		switch (pl->type) {
		case WIRE_PL_SA:
			slot = &p->sa;
			break;
		case WIRE_PL_KE:
			slot = &p->ke;
			break;
		case WIRE_PL_NONCE:
			slot = &p->nonce;
			break;
		case WIRE_PL_ID:
			slot = &p->id;
			break;
		case WIRE_PL_HASH:
			slot = &p->hash;
			break;
		case WIRE_PL_VID:
			if (mm)
				keep_vid(mm, pl);
			break;
		default:
			break; /* N (INITIAL-CONTACT), CR, private types: not needed */
		}
		if (slot && *slot)
			return ERR_PROTO;
		if (slot)
			*slot = pl;
	}
	return 0;
}

static void apply_choice(struct ike1_sa *sa, const struct ike1_policy *p)
{
	sa->keys.hash = p->hash;
	sa->keys.cipher = p->cipher;
	sa->group = p->group;
	sa->life_sec = p->life_sec;
}

/* Our identity: ID_IPV4_ADDR, protocol and port 0 (what gdoid sends). */
struct id_buf {
	uint8_t ip[4];
	uint8_t body[8];
	size_t len;
	struct wire_id id;
};

static void own_id(const struct ike1_sa *sa, struct id_buf *b)
{
	buf_store_u32(b->ip, sa->t->cfg.local.ip4);
	b->id = (struct wire_id){.type = WIRE_ID_IPV4_ADDR, .data = b->ip, .len = 4};
	struct buf_writer w;
	buf_w_init(&w, b->body, sizeof(b->body));
	wire_id_encode(&w, &b->id);
	b->len = w.len;
}

/* The peer's ID must be its own address (the PSK is bound to it). */
static bool peer_id_ok(const struct wire_payload *pl, const struct ike1_peer *peer)
{
	struct wire_id id;
	if (wire_id_decode(pl, &id, NULL) < 0 || id.type != WIRE_ID_IPV4_ADDR || id.len != 4)
		return false;
	bool any = id.proto == 0 && id.port == 0;
	bool udp = id.proto == UDP && (id.port == GDOI_PORT || id.port == IKE_PORT);
	return (any || udp) && buf_load_u32(id.data) == peer->ip4;
}

/* HASH_I (initiator = 1) or HASH_R over the given ID body. */
static int auth_hash(const struct ike1_sa *sa, int initiator, const uint8_t *id_b, size_t id_len,
		     uint8_t out[static IKE1_PRF_MAX])
{
	const struct ike1_mm *mm = sa->mm;
	struct ike1_bytes own = {mm->dh.pub, mm->dh.pub_len};
	struct ike1_bytes peer = {mm->gx_peer, mm->gx_peer_len};
	bool we_init = sa->role == IKE1_INITIATOR;
	return ike1_keys_hash_auth(sa->keys.hash, mm->skeyid, sa->keys.prf_len, initiator,
				   we_init ? own : peer, we_init ? peer : own, sa->cky_i, sa->cky_r,
				   (struct ike1_bytes){mm->sai_b, mm->sai_len},
				   (struct ike1_bytes){id_b, id_len}, out);
}

/*
 * g^xy, SKEYID (pre-shared key), SKEYID_d/a/e, the key and the phase-1 IV,
 * once both KE payloads and nonces are known.
 */
static int derive(struct ike1_sa *sa, const uint8_t *psk, size_t psk_len)
{
	struct ike1_mm *mm = sa->mm;
	uint8_t gxy[CRYPTO_DH_SECRET_MAX];
	int n = crypto_dh_derive(&mm->dh, mm->gx_peer, mm->gx_peer_len, gxy);
	if (n < 0)
		return n;
	sa->t->st.dh_computed++;
	struct ike1_bytes ni = {mm->ni, mm->ni_len}, nr = {mm->nr, mm->nr_len};
	struct ike1_bytes own = {mm->dh.pub, mm->dh.pub_len}, peer = {mm->gx_peer, mm->gx_peer_len};
	bool we_init = sa->role == IKE1_INITIATOR;
	int rc = ike1_keys_skeyid_psk(sa->keys.hash, psk, psk_len, ni, nr, mm->skeyid);
	if (rc >= 0)
		rc = ike1_keys_derive(&sa->keys, mm->skeyid, (struct ike1_bytes){gxy, (size_t)n},
				      sa->cky_i, sa->cky_r);
	if (rc >= 0)
		rc = ike1_keys_iv_phase1(sa->keys.hash, we_init ? own : peer, we_init ? peer : own,
					 sa->keys.block_len, mm->iv);
	mem_wipe(gxy, sizeof(gxy));
	return rc < 0 ? rc : 0;
}

static int get_psk(struct ike1_sa *sa, uint8_t psk[static IKE1_PSK_MAX])
{
	if (!sa->t->io.psk)
		return ERR_NOTFOUND;
	int n = sa->t->io.psk(sa->t->io.ctx, &sa->peer, psk);
	return n <= 0 || n > IKE1_PSK_MAX ? ERR_NOTFOUND : n;
}

/* Keep the peer's KE and nonce bodies (lengths checked by wire and by the group). */
static int take_ke_nonce(struct ike1_sa *sa, const struct mm_pls *p)
{
	struct ike1_mm *mm = sa->mm;
	struct wire_data ke, nonce;
	if (!p->ke || !p->nonce || wire_ke_decode(p->ke, &ke, NULL) < 0 ||
	    wire_nonce_decode(p->nonce, &nonce, NULL) < 0)
		return ERR_PROTO;
	if (ke.len != crypto_dh_pub_len(sa->group))
		return ERR_BADLEN;
	memcpy(mm->gx_peer, ke.p, ke.len);
	mm->gx_peer_len = (uint16_t)ke.len;
	bool we_init = sa->role == IKE1_INITIATOR;
	memcpy(we_init ? mm->nr : mm->ni, nonce.p, nonce.len);
	*(we_init ? &mm->nr_len : &mm->ni_len) = (uint16_t)nonce.len;
	return 0;
}

/* Our DH value and nonce (drawn once; a retried derivation reuses them). */
static int own_ke_nonce(struct ike1_sa *sa)
{
	struct ike1_mm *mm = sa->mm;
	bool we_init = sa->role == IKE1_INITIATOR;
	if (!mm->have_dh) {
		int rc = crypto_dh_generate(&mm->dh, sa->group, sa->t->rng);
		if (rc < 0)
			return rc;
		mm->have_dh = true;
		rc = crypto_rng_fill(sa->t->rng, we_init ? mm->ni : mm->nr, NONCE_LEN);
		if (rc < 0)
			return rc;
		*(we_init ? &mm->ni_len : &mm->nr_len) = NONCE_LEN;
	}
	return 0;
}

/* HDR, KE, Nonce: messages 3 and 4. */
static int build_ke_nonce(struct ike1_sa *sa, uint8_t *buf, size_t cap)
{
	struct ike1_mm *mm = sa->mm;
	struct wire_isakmp_hdr h;
	struct wire_builder b;
	bool we_init = sa->role == IKE1_INITIATOR;
	hdr_for(sa, &h, 0);
	wire_build_init(&b, buf, cap, &h);
	wire_build_ke(&b, &(struct wire_data){mm->dh.pub, mm->dh.pub_len});
	wire_build_nonce(
	    &b, &(struct wire_data){we_init ? mm->ni : mm->nr, we_init ? mm->ni_len : mm->nr_len});
	return wire_build_finish(&b);
}

/* HDR*, ID, HASH: messages 5 and 6, encrypted on the phase-1 chain. */
static int build_auth(struct ike1_sa *sa, uint8_t *buf, size_t cap)
{
	struct ike1_mm *mm = sa->mm;
	struct id_buf id;
	uint8_t hash[IKE1_PRF_MAX];
	own_id(sa, &id);
	int rc = auth_hash(sa, sa->role == IKE1_INITIATOR, id.body, id.len, hash);
	if (rc < 0)
		return rc;
	struct wire_isakmp_hdr h;
	struct wire_builder b;
	hdr_for(sa, &h, WIRE_FLAG_E);
	wire_build_init(&b, buf, cap, &h);
	wire_build_id(&b, &id.id);
	wire_build_hash(&b, &(struct wire_data){hash, sa->keys.prf_len});
	int len = wire_build_finish(&b);
	if (len < 0)
		return len;
	uint8_t next[CRYPTO_BLOCK_MAX];
	int n = ike1_crypt_seal(&sa->keys, mm->iv, buf + WIRE_ISAKMP_HDR_LEN,
				(size_t)len - WIRE_ISAKMP_HDR_LEN, cap - WIRE_ISAKMP_HDR_LEN, next);
	if (n < 0)
		return n;
	memcpy(mm->iv, next, sizeof(next)); /* sent: the chain moves on */
	buf_patch_u32(&b.w, WIRE_HDR_OFF_LENGTH, (uint32_t)(WIRE_ISAKMP_HDR_LEN + (size_t)n));
	return WIRE_ISAKMP_HDR_LEN + n;
}

/*
 * Decrypt message 5 or 6 on the phase-1 chain into plain and decode it;
 * next gets the block that continues the chain once the message verified.
 */
static int open_auth(struct ike1_sa *sa, const uint8_t *msg, size_t len, uint8_t *plain,
		     struct wire_msg *m, uint8_t next[static CRYPTO_BLOCK_MAX])
{
	if (len > IKE1_MSG_MAX)
		return ERR_BADLEN;
	memcpy(plain, msg, WIRE_ISAKMP_HDR_LEN);
	int rc = ike1_crypt_open(&sa->keys, sa->mm->iv, msg + WIRE_ISAKMP_HDR_LEN,
				 plain + WIRE_ISAKMP_HDR_LEN, len - WIRE_ISAKMP_HDR_LEN, next);
	if (rc < 0)
		return rc;
	return wire_msg_decode(plain, len, m, NULL);
}

/* Check the peer's ID and HASH_I/HASH_R (constant time). 0, ERR_PROTO (missing), ERR_AUTH. */
static int check_auth(struct ike1_sa *sa, const struct mm_pls *p, bool *bad_id)
{
	struct wire_data hash;
	uint8_t want[IKE1_PRF_MAX];
	*bad_id = false;
	if (!p->id || !p->hash || wire_hash_decode(p->hash, &hash, NULL) < 0)
		return ERR_PROTO;
	int rc = auth_hash(sa, sa->role == IKE1_RESPONDER, p->id->body, p->id->len, want);
	if (rc < 0)
		return rc;
	if (hash.len != sa->keys.prf_len || !mem_equal_ct(hash.p, want, hash.len))
		return ERR_AUTH;
	*bad_id = !peer_id_ok(p->id, &sa->peer);
	return 0;
}

/* ---- initiator ---- */

int ike1_mm_start(struct ike1_sa *sa, uint64_t now)
{
	struct ike1_sa_table *t = sa->t;
	if (!mm_new(sa))
		return ERR_NOMEM;
	/* 1  HDR, SA [, VID]  --> */
	uint8_t buf[IKE1_MSG_MAX];
	struct wire_isakmp_hdr h;
	struct wire_builder b;
	hdr_for(sa, &h, 0);
	wire_build_init(&b, buf, sizeof(buf), &h);
	size_t sa_at = b.w.len;
	ike1_policy_build_offer(&b, t->cfg.policies, t->cfg.n_policies, t->cfg.doi);
	size_t sa_end = b.w.len;
	for (size_t i = 0; i < t->cfg.n_vids; i++)
		wire_build_vid(&b, &t->cfg.vids[i]);
	int len = wire_build_finish(&b);
	if (len < 0)
		return len;
	/* SAi_b, the SA body as sent, is hashed into HASH_I and HASH_R. */
	sa->mm->sai_len = sa_end - sa_at - WIRE_GEN_HDR_LEN;
	sa->mm->sai_b = malloc(sa->mm->sai_len);
	if (!sa->mm->sai_b)
		return ERR_NOMEM;
	memcpy(sa->mm->sai_b, buf + sa_at + WIRE_GEN_HDR_LEN, sa->mm->sai_len);
	transmit(sa, now, buf, (size_t)len, 1);
	return 0;
}

static void note_rx(struct ike1_sa *sa, const uint8_t *msg, size_t len)
{
	uint8_t d[IKE1_DIGEST_LEN];
	if (ike1_cache_digest(msg, len, d) == 0)
		ike1_cache_note_rx(&sa->mm->cache, d);
}

/* <--  2  HDR, SA [, VID] */
static int initiator_mm2(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
			 const struct wire_isakmp_hdr *h)
{
	struct wire_msg m;
	struct wire_err err = {0};
	struct mm_pls p;
	struct wire_p1sa ans;
	struct ike1_policy chosen;
	if (wire_msg_decode(msg, len, &m, &err) < 0)
		return malformed(sa, now, err.notify, "MM2 undecodable");
	if (collect(&m, &p, NULL) < 0 || !p.sa || wire_p1sa_decode(p.sa, &ans, &err) < 0)
		return malformed(sa, now, err.notify, "MM2 without a valid SA");
	int rc =
	    ike1_policy_check_answer(sa->t->cfg.policies, sa->t->cfg.n_policies, &ans, &chosen);
	memcpy(sa->cky_r, h->rcookie, IKE1_COOKIE_LEN);
	if (rc < 0)
		return fail(sa, now, 2, IKE1_R_NO_PROPOSAL, WIRE_N_NO_PROPOSAL_CHOSEN,
			    "MM2 chose a transform that was not offered");
	collect(&m, &p, sa->mm);
	apply_choice(sa, &chosen);
	note_rx(sa, msg, len);
	sa->state = IKE1_MM_SA_SETUP;
	/* 3  HDR, KE, Ni  --> */
	uint8_t buf[IKE1_MSG_MAX];
	int n = own_ke_nonce(sa);
	if (n >= 0)
		n = build_ke_nonce(sa, buf, sizeof(buf));
	if (n < 0)
		return fail(sa, now, 3, IKE1_R_INTERNAL, 0, "cannot build MM3");
	transmit(sa, now, buf, (size_t)n, 3);
	return 0;
}

/*
 * Messages 3 and 4 carry the peer's KE and nonce. Take them, compute g^xy
 * and the keys. Returns 0 when the keys are ready; otherwise the message
 * was dropped (malformed, state unchanged) or the SA failed, and the
 * caller stops.
 */
static int key_exchange(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
			uint8_t msgno)
{
	struct wire_msg m;
	struct wire_err err = {0};
	struct mm_pls p;
	if (wire_msg_decode(msg, len, &m, &err) < 0 || collect(&m, &p, NULL) < 0) {
		malformed(sa, now, err.notify, "KE message undecodable");
		return -1;
	}
	int rc = take_ke_nonce(sa, &p);
	if (rc < 0) {
		malformed(sa, now, rc == ERR_BADLEN ? WIRE_N_INVALID_KEY_INFORMATION : 0,
			  "no valid KE and nonce");
		return -1;
	}
	uint8_t psk[IKE1_PSK_MAX];
	int psk_len = get_psk(sa, psk);
	if (psk_len < 0) {
		/* The responder tells the peer; the initiator just stops. */
		fail(sa, now, msgno, IKE1_R_AUTH,
		     sa->role == IKE1_RESPONDER ? WIRE_N_AUTHENTICATION_FAILED : 0,
		     "no pre-shared key for the peer");
		return -1;
	}
	rc = own_ke_nonce(sa);
	if (rc >= 0)
		rc = derive(sa, psk, (size_t)psk_len);
	mem_wipe(psk, sizeof(psk));
	if (rc == ERR_INVAL || rc == ERR_BADLEN) {
		malformed(sa, now, WIRE_N_INVALID_KEY_INFORMATION, "bad DH public value");
		return -1;
	}
	if (rc < 0) {
		fail(sa, now, msgno, IKE1_R_INTERNAL, 0, "key derivation failed");
		return -1;
	}
	note_rx(sa, msg, len);
	sa->state = IKE1_MM_KEY_EXCH;
	return 0;
}

/* <--  4  HDR, KE, Nr */
static int initiator_mm4(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len)
{
	if (key_exchange(sa, now, msg, len, 4) < 0)
		return 0;
	/* 5  HDR*, IDii, HASH_I  --> */
	uint8_t buf[IKE1_MSG_MAX];
	int n = build_auth(sa, buf, sizeof(buf));
	if (n < 0)
		return fail(sa, now, 5, IKE1_R_INTERNAL, 0, "cannot build MM5");
	transmit(sa, now, buf, (size_t)n, 5);
	return 0;
}

/* <--  6  HDR*, IDir, HASH_R */
static int initiator_mm6(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len)
{
	uint8_t plain[IKE1_MSG_MAX], next[CRYPTO_BLOCK_MAX];
	struct wire_msg m;
	struct mm_pls p;
	bool bad_id;
	/*
	 * A bad MM6 changes nothing: the chain stays where it was, MM5 is
	 * retransmitted, and the responder's cached MM6 can still decrypt.
	 */
	if (open_auth(sa, msg, len, plain, &m, next) < 0 || collect(&m, &p, NULL) < 0 ||
	    check_auth(sa, &p, &bad_id) < 0) {
		sa->t->st.drop_auth++;
		IKE1_DBG(sa->t, sa, DIAG_IKE_ERROR,
			 "MM6 dropped: does not decrypt or HASH_R mismatch");
		return 0;
	}
	if (bad_id)
		return fail(sa, now, 6, IKE1_R_AUTH, WIRE_N_INVALID_ID_INFORMATION,
			    "responder identity is not its address");
	memcpy(sa->mm->iv, next, sizeof(next));
	memcpy(sa->p1_last, next, sizeof(next));
	sa->state = IKE1_MM_KEY_AUTH;
	mm_strip(sa->mm);
	ike1_sa_established(sa, now, &sa->mm->vids);
	ike1_mm_free(sa); /* the initiator has nothing left to answer */
	return 0;
}

/* ---- responder ---- */

/* MM1 with no SA yet: choose a transform, create the SA, answer MM2. */
void ike1_mm_first(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		   const uint8_t *msg, size_t len, const struct wire_isakmp_hdr *h)
{
	static const uint8_t zero[IKE1_COOKIE_LEN];
	struct wire_msg m;
	struct wire_err err = {0};
	struct mm_pls p;
	struct wire_p1sa offer;
	if (h->flags || wire_msg_decode(msg, len, &m, &err) < 0 || collect(&m, &p, NULL) < 0 ||
	    !p.sa || wire_p1sa_decode(p.sa, &offer, &err) < 0) {
		t->st.drop_malformed++;
		ike1_info_send_error(t, NULL, now, peer, h->icookie, zero,
				     err.notify ? err.notify : WIRE_N_PAYLOAD_MALFORMED);
		return;
	}
	size_t pi, xi;
	struct ike1_policy chosen;
	if (ike1_policy_choose(t->cfg.policies, t->cfg.n_policies, t->cfg.weak_groups, &offer, &pi,
			       &xi, &chosen) < 0) {
		struct ike1_result r = {.reason = IKE1_R_NO_PROPOSAL,
					.notify = WIRE_N_NO_PROPOSAL_CHOSEN,
					.msg = 1,
					.detail = "no offered transform matches a policy"};
		struct ike1_policy first;
		if (offer.n_xforms && ike1_policy_from_xform(&offer.xforms[0], &first) == 0)
			ike1_policy_format(&first, r.offer, sizeof(r.offer));
		t->st.failed++;
		ike1_info_send_error(t, NULL, now, peer, h->icookie, zero,
				     WIRE_N_NO_PROPOSAL_CHOSEN);
		if (t->io.down)
			t->io.down(t->io.ctx, NULL, peer, &r);
		return;
	}
	struct ike1_sa *sa = ike1_sa_new(t, now, peer, IKE1_RESPONDER, h->icookie);
	if (!sa)
		return;
	if (!mm_new(sa) || !(sa->mm->sai_b = malloc(p.sa->len))) {
		struct ike1_result r = {.reason = IKE1_R_INTERNAL, .msg = 1, .detail = "no memory"};
		ike1_sa_fail(sa, now, &r);
		return;
	}
	sa->doi = offer.doi;
	memcpy(sa->mm->sai_b, p.sa->body, p.sa->len);
	sa->mm->sai_len = p.sa->len;
	collect(&m, &p, sa->mm);
	apply_choice(sa, &chosen);
	note_rx(sa, msg, len);
	sa->state = IKE1_MM_SA_SETUP;
	/* 2  <--  HDR, SA [, VID]: the chosen transform echoed byte for byte */
	uint8_t buf[IKE1_MSG_MAX];
	struct wire_isakmp_hdr out;
	struct wire_builder b;
	hdr_for(sa, &out, 0);
	wire_build_init(&b, buf, sizeof(buf), &out);
	ike1_policy_build_answer(&b, &offer, pi, xi);
	for (size_t i = 0; i < t->cfg.n_vids; i++)
		wire_build_vid(&b, &t->cfg.vids[i]);
	int n = wire_build_finish(&b);
	if (n < 0) {
		struct ike1_result r = {.reason = IKE1_R_INTERNAL, .msg = 2, .detail = "MM2"};
		ike1_sa_fail(sa, now, &r);
		return;
	}
	transmit(sa, now, buf, (size_t)n, 2);
}

/* -->  3  HDR, KE, Ni */
static int responder_mm3(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len)
{
	if (key_exchange(sa, now, msg, len, 3) < 0)
		return 0;
	/* 4  <--  HDR, KE, Nr */
	uint8_t buf[IKE1_MSG_MAX];
	int n = build_ke_nonce(sa, buf, sizeof(buf));
	if (n < 0)
		return fail(sa, now, 4, IKE1_R_INTERNAL, 0, "cannot build MM4");
	transmit(sa, now, buf, (size_t)n, 4);
	return 0;
}

/* -->  5  HDR*, IDii, HASH_I */
static int responder_mm5(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len)
{
	uint8_t plain[IKE1_MSG_MAX], next[CRYPTO_BLOCK_MAX];
	struct wire_msg m;
	struct mm_pls p;
	bool bad_id;
	/* Garbage after decryption is what a different pre-shared key looks like. */
	if (open_auth(sa, msg, len, plain, &m, next) < 0 || collect(&m, &p, NULL) < 0)
		return fail(sa, now, 5, IKE1_R_AUTH, WIRE_N_AUTHENTICATION_FAILED,
			    "MM5 does not decrypt (pre-shared key mismatch?)");
	int rc = check_auth(sa, &p, &bad_id);
	if (rc == ERR_PROTO)
		return fail(sa, now, 5, IKE1_R_INVALID_PAYLOAD, WIRE_N_PAYLOAD_MALFORMED,
			    "MM5 without ID and HASH");
	if (rc < 0)
		return fail(sa, now, 5, IKE1_R_AUTH, WIRE_N_INVALID_HASH_INFORMATION,
			    "HASH_I mismatch (pre-shared key mismatch?)");
	if (bad_id)
		return fail(sa, now, 5, IKE1_R_AUTH, WIRE_N_INVALID_ID_INFORMATION,
			    "initiator identity is not its address");
	memcpy(sa->mm->iv, next, sizeof(next));
	note_rx(sa, msg, len);
	sa->state = IKE1_MM_KEY_AUTH;
	/* 6  <--  HDR*, IDir, HASH_R */
	uint8_t buf[IKE1_MSG_MAX];
	int n = build_auth(sa, buf, sizeof(buf));
	if (n < 0)
		return fail(sa, now, 6, IKE1_R_INTERNAL, 0, "cannot build MM6");
	memcpy(sa->p1_last, sa->mm->iv, sizeof(sa->p1_last));
	transmit(sa, now, buf, (size_t)n, 6);
	/* Keep MM6 for a retransmitted MM5 during the grace period, nothing else. */
	sa->mm->retx_ns = CLOCK_NEVER;
	sa->mm->give_up_ns = CLOCK_NEVER;
	sa->mm->grace_end_ns = ike1_sa_after(now, sa->t->cfg.grace_ms);
	ike1_sa_schedule(sa->t, sa->mm->grace_end_ns);
	mm_strip(sa->mm);
	ike1_sa_established(sa, now, &sa->mm->vids);
	return 0;
}

/* ---- dispatch and timers ---- */

void ike1_mm_input(struct ike1_sa *sa, uint64_t now, const uint8_t *msg, size_t len,
		   const struct wire_isakmp_hdr *h)
{
	struct ike1_sa_table *t = sa->t;
	struct ike1_mm *mm = sa->mm;
	if (sa->deleted || !mm || h->msgid) {
		t->st.dup_ignored++;
		return;
	}
	/* A retransmitted request: the cached reply, no parsing, no crypto. */
	if (ike1_cache_is_dup(&mm->cache, msg, len)) {
		if (sa->role == IKE1_RESPONDER && mm->cache.tx) {
			ike1_sa_send(t, &sa->peer, mm->cache.tx, mm->cache.tx_len);
			t->st.dup_answered++;
		} else {
			t->st.dup_ignored++;
		}
		return;
	}
	bool enc = h->flags & WIRE_FLAG_E;
	/* Either side in MM_KEY_EXCH waits for an encrypted message (5 or 6). */
	bool want_enc = sa->state == IKE1_MM_KEY_EXCH;
	if (enc != want_enc || sa->state == IKE1_GDOI_IDLE) {
		t->st.drop_malformed++; /* late or out-of-order: nothing to do with it */
		return;
	}
	if (sa->role == IKE1_INITIATOR) {
		if (sa->state == IKE1_MM_NO_STATE)
			initiator_mm2(sa, now, msg, len, h);
		else if (sa->state == IKE1_MM_SA_SETUP)
			initiator_mm4(sa, now, msg, len);
		else
			initiator_mm6(sa, now, msg, len);
	} else {
		if (sa->state == IKE1_MM_SA_SETUP)
			responder_mm3(sa, now, msg, len);
		else
			responder_mm5(sa, now, msg, len);
	}
}

uint64_t ike1_mm_deadline(const struct ike1_sa *sa)
{
	const struct ike1_mm *mm = sa->mm;
	if (!mm)
		return CLOCK_NEVER;
	return MIN(mm->grace_end_ns, MIN(mm->retx_ns, mm->give_up_ns));
}

void ike1_mm_tick(struct ike1_sa *sa, uint64_t now)
{
	struct ike1_sa_table *t = sa->t;
	struct ike1_mm *mm = sa->mm;
	if (now >= mm->grace_end_ns) {
		ike1_mm_free(sa);
		return;
	}
	if (now >= mm->give_up_ns) {
		struct ike1_result r = {.reason = IKE1_R_TIMEOUT,
					.msg = mm->msg,
					.state = sa->state,
					.detail = "no answer from the peer"};
		ike1_sa_fail(sa, now, &r);
		return;
	}
	if (now >= mm->retx_ns && mm->cache.tx) {
		ike1_sa_send(t, &sa->peer, mm->cache.tx, mm->cache.tx_len);
		t->st.retransmits++;
		mm->n_retx++;
		mm->retx_ns = mm->n_retx < t->cfg.n_retrans
				  ? ike1_sa_after(now, t->cfg.retrans_ms[mm->n_retx])
				  : CLOCK_NEVER;
		IKE1_DBG(t, sa, DIAG_IKE_EVENT, "retransmitting MM%u (%u)", mm->msg, mm->n_retx);
	}
}
