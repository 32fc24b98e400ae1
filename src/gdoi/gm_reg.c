/*
 * Group member registration: attempts to the servers of a group in order,
 * and GROUPKEY-PULL as the initiator (RFC 6407 §3, notes §4.1):
 *
 *   1  GM -> KS  HDR*, HASH(1), Ni, ID        HASH(1) = prf(SKEYID_a, M-ID | Ni | ID)
 *   2  KS -> GM  HDR*, HASH(2), Nr, SA        HASH(2) = prf(SKEYID_a, M-ID | Ni_b | Nr | SA)
 *   3  GM -> KS  HDR*, HASH(3) [, GAP]        HASH(3) = prf(SKEYID_a, M-ID | Ni_b | Nr_b [| GAP])
 *   4  KS -> GM  HDR*, HASH(4), SEQ, KD       HASH(4) = prf(SKEYID_a, M-ID | Ni_b | Nr_b | SEQ |
 * KD)
 *
 * The GAP of message 3 asks for a sender ID when message 2's policy has a
 * counter-mode (GCM) TEK; message 4's KD then carries it (sid.h).
 *
 * The GM retransmits messages 1 and 3 itself (ike1 keeps the copy); the
 * whole attempt, phase 1 included, has gm->attempt_ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdoi/gm_priv.h"
#include "gdoi/log_priv.h"
#include "ike1/crypt.h"
#include "ike1/prot.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/build.h"
#include "wire/names.h"

#define GDOI_UDP_PORT 848

static uint32_t ks_of(const struct gm_group *g)
{
	return g->cfg.servers[g->srv < g->cfg.n_servers ? g->srv : 0];
}

static uint64_t after_ms(uint64_t now, uint64_t ms)
{
	uint64_t d = ms * NS_PER_MS;
	return now > CLOCK_NEVER - d ? CLOCK_NEVER : now + d;
}

/* Forget what the attempt gathered: message 2's policy and message 4's SIDs. */
static void free_pending(struct gm_group *g)
{
	g->sid_asked = false;
	memset(&g->sid_new, 0, sizeof(g->sid_new));
	if (!g->pending)
		return;
	gdoi_policy_clear(g->pending);
	free(g->pending);
	g->pending = NULL;
}

/* A registration SA that a new pull can run on right away. */
static bool sa_usable(const struct gdoi_gm *gm, const struct ike1_sa *sa, uint32_t ks, uint64_t now)
{
	return sa && !sa->deleted && sa->state == IKE1_GDOI_IDLE && sa->peer.ip4 == ks &&
	       sa->expires_ns > after_ms(now, gm->attempt_ms);
}

void gm_attempt_start(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	uint32_t ks = ks_of(g);
	char ksb[DIAG_IP4_STRLEN], me[DIAG_IP4_STRLEN];
	diag_ip4(ks, ksb);
	diag_ip4(gm_local(gm), me);
	g->attempted++;
	gm->st.attempts++;
	g->backing_off = false;
	g->rereg_due = false;
	g->next_ns = CLOCK_NEVER;
	g->attempt_end_ns = after_ms(now, gm->attempt_ms);
	g->retx_ns = CLOCK_NEVER;
	free_pending(g);
	GLOG(gm->diag, DIAG_MSG_GM_REGSTER, ksb, g->cfg.name, me);
	GTRACE(gm->diag, g->cfg.name, ks, "GM_REG_START: group %s to KS %s (attempt %llu)",
	       g->cfg.name, ksb, (unsigned long long)g->attempted);
	g->reused = sa_usable(gm, g->sa, ks, now);
	if (g->reused) {
		g->attempt_end_ns = after_ms(now, MIN(gm->attempt_ms, GM_REUSE_MS));
		gm_pull_start(gm, g, now);
		return;
	}
	gm_drop_sa(gm, g, now, true);
	struct ike1_sa *sa;
	struct ike1_peer peer = {ks, GDOI_UDP_PORT};
	g->st = GM_ST_PHASE1;
	if (ike1_sa_initiate(&gm->ike, now, &peer, &sa) < 0) {
		gm_attempt_failed(gm, g, now, "cannot start IKE phase 1");
		return;
	}
	sa->user = g;
	g->sa = sa;
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     ks, "Group %s: IKE phase 1 to KS %s started", g->cfg.name, ksb);
}

void gm_attempt_failed(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const char *why)
{
	uint32_t ks = ks_of(g);
	char ksb[DIAG_IP4_STRLEN];
	diag_ip4(ks, ksb);
	gm->st.failures++;
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_ERROR, g->handle, g->cfg.name,
	     ks, "Group %s: registration to KS %s failed: %s", g->cfg.name, ksb, why);
	GEXIT(gm->diag, REGISTRATION_FAILED, ERR_TIMEOUT, g->cfg.name, ks, "KS %s: %s", ksb, why);
	gm_event(gm, GDOI_GM_EV_ATTEMPT_FAILED, g, ks, why, 0);
	free_pending(g);
	g->st = GM_ST_IDLE;
	g->attempt_end_ns = g->retx_ns = CLOCK_NEVER;
	gm_drop_sa(gm, g, now, !g->reused); /* a failed attempt's SA is never reused */
	if (g->reused) {
		g->reused = false;
		g->next_ns = now; /* same KS, fresh phase 1, on the next tick */
		return;
	}
	if (++g->srv < g->cfg.n_servers) {
		g->next_ns = now; /* next server at once (on the next tick) */
		return;
	}
	g->srv = 0;
	g->backing_off = true;
	g->next_ns = after_ms(now, g->backoff_ms);
	g->backoff_ms = (uint32_t)MIN((uint64_t)g->backoff_ms * 2u, gm->backoff_max_ms);
}

void gm_attempt_abort(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	free_pending(g);
	g->st = GM_ST_IDLE;
	g->attempt_end_ns = g->retx_ns = CLOCK_NEVER;
	g->backing_off = false;
	g->reused = false;
	g->srv = 0;
	g->backoff_ms = gm->backoff_min_ms;
	gm_drop_sa(gm, g, now, true);
}

static void arm_retx(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	g->n_retx = 0;
	g->retx_ns = gm->ike.cfg.n_retrans ? after_ms(now, gm->ike.cfg.retrans_ms[0]) : CLOCK_NEVER;
}

/* 1  -->  HDR*, HASH(1), Ni, ID */
void gm_pull_start(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	struct wire_builder b;
	struct wire_id id;
	uint8_t idv[4];
	g->mid = ike1_prot_new_mid(g->sa);
	int rc = g->mid && crypto_rng_fill(gm->rng, g->ni, sizeof(g->ni)) == 0 ? 0 : ERR_CRYPTO;
	if (rc == 0)
		rc = ike1_prot_begin(g->sa, &b, gm->msg, sizeof(gm->msg), WIRE_EXCH_GROUPKEY_PULL,
				     g->mid);
	if (rc == 0) {
		gdoi_identity_to_wire(&g->cfg.id, idv, &id);
		wire_build_nonce(&b, &(struct wire_data){g->ni, sizeof(g->ni)});
		wire_build_id(&b, &id);
		rc = ike1_prot_send(g->sa, now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
	}
	if (rc < 0) {
		gm_attempt_failed(gm, g, now, "cannot send GROUPKEY-PULL message 1");
		return;
	}
	g->st = GM_ST_WAIT2;
	arm_retx(gm, g, now);
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     ks_of(g), "Group %s: sent GROUPKEY-PULL message 1 (M-ID %08x)", g->cfg.name,
	     (unsigned)g->mid);
}

void gm_attempt_tick(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	if (g->st == GM_ST_IDLE)
		return;
	if (now >= g->attempt_end_ns) {
		char why[64];
		snprintf(why, sizeof(why), "no answer within %u s",
			 (unsigned)(gm->attempt_ms / 1000u));
		gm_attempt_failed(gm, g, now, why);
		return;
	}
	if ((g->st != GM_ST_WAIT2 && g->st != GM_ST_WAIT4) || now < g->retx_ns)
		return;
	(void)ike1_prot_resend(g->sa, now, g->mid);
	g->n_retx++;
	g->retx_ns = g->n_retx < gm->ike.cfg.n_retrans
			 ? after_ms(now, gm->ike.cfg.retrans_ms[g->n_retx])
			 : CLOCK_NEVER;
}

uint64_t gm_attempt_deadline(const struct gm_group *g)
{
	return g->st == GM_ST_IDLE ? CLOCK_NEVER : MIN(g->attempt_end_ns, g->retx_ns);
}

/* ---- messages 2 and 4 ---- */

static void reject(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const char *why)
{
	char ksb[DIAG_IP4_STRLEN];
	diag_ip4(ks_of(g), ksb);
	gm->st.rejected_policies++;
	GLOG(gm->diag, DIAG_MSG_GM_REJECTING_SA_PAYLOAD, ksb, g->cfg.name, why);
	gm_event(gm, GDOI_GM_EV_POLICY_REJECTED, g, ks_of(g), why, 0);
	gm_attempt_failed(gm, g, now, why);
}

static void bad_message(struct gdoi_gm *gm, struct gm_group *g, int msgno, int rc)
{
	char ksb[DIAG_IP4_STRLEN], what[24];
	diag_ip4(ks_of(g), ksb);
	if (rc == ERR_AUTH) {
		gm->st.hash_fail++;
		snprintf(what, sizeof(what), "GROUPKEY-PULL %d", msgno);
		GLOG(gm->diag, DIAG_MSG_GM_HASH_FAIL, what, ksb, g->cfg.name);
	} else {
		gm->st.malformed++;
	}
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_ERROR, g->handle, g->cfg.name,
	     ks_of(g), "Group %s: message %d from KS %s dropped: %s", g->cfg.name, msgno, ksb,
	     err_name(rc));
}

/* The one payload of a type after HASH; NULL when absent or repeated (*dup). */
static const struct wire_payload *one(const struct ike1_prot_in *in, uint8_t type, bool *dup)
{
	const struct wire_payload *found = NULL;
	for (size_t i = 1; i <= in->n_after; i++) {
		if (in->m.pl[i].type != type)
			continue;
		if (found)
			*dup = true;
		found = &in->m.pl[i];
	}
	return found;
}

static void dbg_policy(struct gdoi_gm *gm, const struct gm_group *g, const struct gdoi_policy *p)
{
	if (!GDBG_ON(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET, g->cfg.name,
		     ks_of(g)))
		return;
	char line[160], xf[48];
	if (p->has_kek)
		diag_debug_emit(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET,
				g->handle, "SA KEK: alg %s-%u, lifetime %u s, sig %s, %s rekey",
				gdoi_kek_alg_name(p->kek.alg),
				(unsigned)crypto_cbc_key_len(p->kek.alg) * 8u,
				(unsigned)p->kek.life_sec, crypto_hash_name(p->kek.sig_hash),
				p->kek.multicast ? "multicast" : "unicast");
	if (p->has_gap)
		diag_debug_emit(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET,
				g->handle, "GAP: ATD %u s, DTD %u s", (unsigned)p->atd_sec,
				(unsigned)p->dtd_sec);
	for (size_t i = 0; i < p->n_teks; i++) {
		gdoi_transform_format(&p->tek[i].xf, xf, sizeof(xf));
		diag_debug_emit(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET,
				g->handle, "SA TEK: spi 0x%08X %s, lifetime %u s%s",
				(unsigned)p->tek[i].spi, xf, (unsigned)p->tek[i].life_sec,
				p->tek[i].receive_only ? ", receive-only" : "");
	}
	for (size_t i = 0; i < p->n_acl; i++) {
		gdoi_acl_entry_format(&p->acl[i], line, sizeof(line));
		diag_debug_emit(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET,
				g->handle, "ACL: %s", line);
	}
}

/* Message 2's SA into g->pending; 0, or the attempt failed (rejected). */
static int take_sa(struct gdoi_gm *gm, struct gm_group *g, const struct wire_payload *sa_pl,
		   uint64_t now)
{
	char why[160];
	struct wire_err err = {0};
	if (wire_gdoi_sa_decode(sa_pl, WIRE_DIALECT_AUTO, &gm->wsa, &err) < 0) {
		char txt[128];
		wire_err_format(&err, txt, sizeof(txt));
		snprintf(why, sizeof(why), "malformed SA payload: %s", txt);
		reject(gm, g, now, why);
		return ERR_PROTO;
	}
	g->pending = malloc(sizeof(*g->pending));
	if (!g->pending) {
		gm_attempt_failed(gm, g, now, "no memory");
		return ERR_NOMEM;
	}
	int rc = gdoi_policy_decode_sa(&gm->wsa, now, g->pending, why, sizeof(why));
	if (rc < 0) {
		reject(gm, g, now, why);
		return rc;
	}
	dbg_policy(gm, g, g->pending);
	return 0;
}

/* -->  2  HDR*, HASH(2), Nr, SA;   3  -->  HDR*, HASH(3) */
static void msg2(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const uint8_t *msg,
		 size_t len)
{
	struct ike1_prot_in in;
	struct ike1_bytes ni = {g->ni, sizeof(g->ni)};
	int rc =
	    ike1_prot_open(g->sa, now, msg, len, ni, IKE1_NO_BYTES, gm->rx, sizeof(gm->rx), &in);
	if (rc == IKE1_PROT_DUP)
		return;
	if (rc < 0) {
		bad_message(gm, g, 2, rc);
		return;
	}
	bool dup = false;
	const struct wire_payload *npl = one(&in, WIRE_PL_NONCE, &dup),
				  *spl = one(&in, WIRE_PL_SA, &dup);
	struct wire_data nr;
	if (!npl || !spl || dup || wire_nonce_decode(npl, &nr, NULL) < 0) {
		reject(gm, g, now, "message 2 without one nonce and one SA");
		return;
	}
	memcpy(g->nr, nr.p, nr.len);
	g->nr_len = (uint16_t)nr.len;
	if (take_sa(gm, g, spl, now) < 0)
		return;
	struct wire_builder b;
	struct ike1_bytes nrb = {g->nr, g->nr_len};
	/* A GCM TEK is shared by every sender: ask for our own IV space (sid.h). */
	g->sid_asked = gdoi_sid_policy_needs(g->pending);
	rc = ike1_prot_begin(g->sa, &b, gm->msg, sizeof(gm->msg), WIRE_EXCH_GROUPKEY_PULL, g->mid);
	if (rc == 0 && g->sid_asked) {
		uint8_t req[GDOI_SID_REQ_LEN];
		struct wire_gap gap;
		gdoi_sid_request_encode(1, req, &gap);
		wire_build_gap(&b, &gap);
	}
	if (rc == 0)
		rc = ike1_prot_send(g->sa, now, &b, ni, nrb);
	if (rc < 0) {
		gm_attempt_failed(gm, g, now, "cannot send GROUPKEY-PULL message 3");
		return;
	}
	g->st = GM_ST_WAIT4;
	arm_retx(gm, g, now);
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     ks_of(g), "Group %s: policy accepted (%zu TEKs, %zu ACL lines), sent message 3",
	     g->cfg.name, g->pending->n_teks, g->pending->n_acl);
}

/* -->  4  HDR*, HASH(4), SEQ, KD */
static void msg4(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const uint8_t *msg,
		 size_t len)
{
	struct ike1_prot_in in;
	struct ike1_bytes ni = {g->ni, sizeof(g->ni)}, nr = {g->nr, g->nr_len};
	int rc = ike1_prot_open(g->sa, now, msg, len, ni, nr, gm->rx, sizeof(gm->rx), &in);
	if (rc == IKE1_PROT_DUP)
		return;
	if (rc < 0) {
		bad_message(gm, g, 4, rc);
		return;
	}
	bool dup = false;
	const struct wire_payload *seq = one(&in, WIRE_PL_SEQ, &dup),
				  *kd = one(&in, WIRE_PL_KD, &dup);
	struct wire_err err = {0};
	char why[160];
	uint32_t seqv = 0;
	if (!kd || dup || (seq && wire_seq_decode(seq, &seqv, &err) < 0) ||
	    wire_kd_decode(kd, &gm->wkd, &err) < 0) {
		char txt[128] = "";
		if (err.code)
			wire_err_format(&err, txt, sizeof(txt));
		snprintf(why, sizeof(why), "message 4 without a valid KD%s%s", *txt ? ": " : "",
			 txt);
		reject(gm, g, now, why);
		return;
	}
	struct crypto_rsa ks_pub;
	if (gdoi_policy_decode_kd_key(g->pending, &gm->wkd, &ks_pub, why, sizeof(why)) < 0 ||
	    gdoi_sid_kd_decode(&gm->wkd, &g->sid_new, why, sizeof(why)) < 0) {
		crypto_rsa_clear(&ks_pub);
		reject(gm, g, now, why);
		return;
	}
	g->pending->has_seq = seq != NULL;
	g->pending->seq = seqv;
	/* The rekey phase acknowledges pushes with K_ack of this registration's SA. */
	int n = ike1_keys_kack(&g->sa->keys, g->sa->cky_i, g->sa->cky_r, g->kack);
	g->kack_len = n > 0 ? (uint8_t)n : 0;
	g->kack_hash = (uint8_t)g->sa->keys.hash;
	ike1_prot_end(g->sa, now, g->mid);
	gm_install(gm, g, now, &ks_pub);
}

void gm_pull_input(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const uint8_t *msg,
		   size_t len)
{
	struct wire_isakmp_hdr h;
	if (ike1_prot_peek(msg, len, &h) < 0 || h.exch != WIRE_EXCH_GROUPKEY_PULL ||
	    len > sizeof(gm->rx)) {
		gm->st.malformed++;
		return;
	}
	if ((g->st != GM_ST_WAIT2 && g->st != GM_ST_WAIT4) || h.msgid != g->mid) {
		gm->st.stale++;
		return;
	}
	/*
	 * A copy of a message already accepted (the network duplicated it):
	 * drop it here, because ike1 would answer it with our last message and
	 * the KS would answer that with its cached reply, and so on.
	 */
	struct ike1_chain *c = g->sa->chains ? ike1_chains_find(g->sa->chains, g->mid) : NULL;
	if (c && ike1_cache_is_dup(&c->cache, msg, len)) {
		gm->st.stale++;
		return;
	}
	if (g->st == GM_ST_WAIT2)
		msg2(gm, g, now, msg, len);
	else
		msg4(gm, g, now, msg, len);
}
