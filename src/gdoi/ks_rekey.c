/*
 * Key server GROUPKEY-PUSH (RFC 6407 §4; notes §4.10, §5.3;
 * behavior-reference §2.2, §2.3). When a group's keys change (scheduled
 * roll-over, configuration, `crypto gdoi ks rekey`) the whole current
 * policy (KEK, every live TEK, ACL, GAP, pseudotime) is pushed, encrypted
 * with the KEK the members hold and signed with the group's RSA key.
 *
 * The transport is the one of the KEK the members hold (a push that moves
 * the group to multicast still goes unicast, so they learn the address).
 * Unicast: round 0 to every member, then every P seconds a new round (next
 * sequence number, new signature) to the members that have not
 * acknowledged yet, N retransmission rounds at most. A member that misses
 * the ACKs of N rekeys in a row (the issue ties the limit to `rekey
 * retransmit P number N`) is removed and must register again.
 * Multicast: one copy per round to the group address, always N + 1
 * rounds, no ACKs, nobody removed.
 */
#include <stdlib.h>
#include <string.h>

#include "gdoi/ks_priv.h"
#include "gdoi/log_priv.h"
#include "gdoi/rekey.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

#define GDOI_PORT_UDP 848

/* ---- key ---- */

int ks_rekey_set_key(struct ks_group *g, const struct crypto_rsa *key)
{
	if (g->has_rsa)
		crypto_rsa_clear(&g->rsa);
	g->has_rsa = false;
	if (!key || !key->has_private)
		return 0;
	/* Our own copy: the daemon's key store may replace or free its key at any time. */
	struct dbuf d = {.secret = true};
	int rc = crypto_rsa_private_pem(key, &d);
	if (rc == 0)
		rc = crypto_rsa_from_pem(&g->rsa, (const char *)d.p, d.len);
	dbuf_free(&d);
	g->has_rsa = rc == 0;
	return rc;
}

/* ---- per-round messages ---- */

static void msgs_free(struct ks_rekey *rk)
{
	for (size_t i = 0; i < rk->n_msgs; i++)
		free(rk->msg[i].p);
	rk->n_msgs = 0;
}

static int build_msg(struct gdoi_ks *ks, struct ks_group *g, uint32_t caps, uint64_t now,
		     struct ks_rekey_msg *out)
{
	struct ks_rekey *rk = &g->rk;
	struct gdoi_enc_opts o = {.caps = caps, .now = now, .pt_ms = ks_group_pt_ms(g, now)};
	int rc = gdoi_policy_encode_sa(&rk->pv->p, &o, &ks->arena, &ks->wsa, NULL);
	if (rc == 0)
		rc = gdoi_policy_encode_kd(&rk->pv->p, &o, &ks->arena, &ks->wkd);
	if (rc == 0) {
		struct wire_delete del = {.doi = WIRE_DOI_GDOI,
					  .proto = WIRE_GDOI_PROTO_IPSEC_ESP,
					  .spi_size = 4,
					  .n_spis = (uint16_t)rk->n_del,
					  .spis = rk->del_spi[0]};
		struct gdoi_rekey_build b = {.kek = &rk->kek,
					     .seq = rk->seq,
					     .sa = &ks->wsa,
					     .kd = &ks->wkd,
					     .del = rk->n_del ? &del : NULL,
					     .key = &g->rsa,
					     .hash = g->cfg.sig_hash};
		rc = gdoi_rekey_build(&b, ks->msg, sizeof(ks->msg));
	}
	gdoi_arena_wipe(&ks->arena);
	out->p = rc > 0 ? malloc((size_t)rc) : NULL;
	if (rc > 0 && !out->p)
		rc = ERR_NOMEM;
	if (rc > 0) {
		memcpy(out->p, ks->msg, (size_t)rc);
		out->len = (size_t)rc;
		out->caps = caps;
	}
	return rc < 0 ? rc : 0;
}

/* This round's message for a member with caps (built once per distinct caps). */
static const struct ks_rekey_msg *msg_for(struct gdoi_ks *ks, struct ks_group *g, uint32_t caps,
					  uint64_t now)
{
	struct ks_rekey *rk = &g->rk;
	for (size_t i = 0; i < rk->n_msgs; i++)
		if (rk->msg[i].caps == caps)
			return &rk->msg[i];
	if (rk->n_msgs == KS_REKEY_MSGS)
		msgs_free(rk); /* unusual mix of members: rebuild rather than grow */
	struct ks_rekey_msg *m = &rk->msg[rk->n_msgs];
	if (build_msg(ks, g, caps, now, m) < 0) {
		g->rst.build_fail++;
		return NULL;
	}
	rk->n_msgs++;
	return m;
}

/* ---- rounds ---- */

static void push_seq(uint32_t hist[static 4], uint32_t seq)
{
	memmove(hist + 1, hist, 3 * sizeof(hist[0]));
	hist[0] = seq;
}

static void send_to(struct gdoi_ks *ks, uint32_t addr, uint16_t port, const struct ks_rekey_msg *m)
{
	if (ks->io.send)
		ks->io.send(ks->io.ctx, &(struct ike1_peer){addr, port ? port : GDOI_PORT_UDP},
			    m->p, m->len);
}

static bool waiting(const struct ks_rekey *rk, const struct ks_member *m)
{
	return m->rk_pending == rk->id;
}

/*
 * One batch of the round: members still waiting that this round has not
 * reached yet, at most ks->rekey_batch of them; the next batch follows
 * ks->rekey_batch_ns later, so that a large group does not overflow the
 * socket or the path in one burst.
 */
static void send_unicast(struct gdoi_ks *ks, struct ks_group *g, uint64_t now)
{
	struct ks_rekey *rk = &g->rk;
	uint32_t sent = 0;
	struct list_node *pos;
	rk->batch_ns = CLOCK_NEVER;
	list_for_each(pos, &g->members)
	{
		struct ks_member *m = container_of(pos, struct ks_member, link);
		if (!waiting(rk, m) || m->rk_sent_seq == rk->seq)
			continue;
		if (sent == ks->rekey_batch) {
			rk->batch_ns = now + ks->rekey_batch_ns;
			return;
		}
		const struct ks_rekey_msg *msg = msg_for(ks, g, m->caps.caps, now);
		if (!msg)
			continue;
		send_to(ks, m->addr, m->port, msg);
		m->rk_sent_seq = rk->seq;
		sent++;
		if (rk->round)
			m->rekey_retries++;
		else
			m->rekeys_sent++;
		push_seq(m->sent_seq, rk->seq);
	}
}

/* Multicast: what every member understands (the intersection of their capabilities). */
static uint32_t group_caps(const struct gdoi_ks *ks, const struct ks_group *g)
{
	uint32_t caps = ks->caps;
	const struct list_node *pos;
	list_for_each(pos, &g->members)
	{
		caps &= container_of(pos, struct ks_member, link)->caps.caps;
	}
	return caps;
}

static void send_round(struct gdoi_ks *ks, struct ks_group *g, uint64_t now)
{
	struct ks_rekey *rk = &g->rk;
	char ksa[DIAG_IP4_STRLEN], grp[DIAG_IP4_STRLEN];
	diag_ip4(g->cfg.ks_addr, ksa);
	msgs_free(rk);
	g->pv->p.seq = rk->seq; /* members registering now start from here */
	if (rk->round)
		g->rst.retransmits++;
	else
		g->rekeys_sent++;
	if (rk->kek.multicast) {
		const struct ks_rekey_msg *m = msg_for(ks, g, group_caps(ks, g), now);
		if (m)
			send_to(ks, rk->kek.mcast_addr, GDOI_PORT_UDP, m);
		GLOG(ks->diag, DIAG_MSG_KS_SEND_MCAST_REKEY, g->cfg.name, ksa,
		     diag_ip4(rk->kek.mcast_addr, grp), rk->seq);
	} else {
		if (!rk->round)
			GLOG(ks->diag, DIAG_MSG_KS_SEND_UNICAST_REKEY, g->cfg.name, ksa, rk->seq);
		send_unicast(ks, g, now);
	}
	KS_TRACE_REKEY(ks, g, "REKEY_SENT: round %u seq %u", (unsigned)rk->round,
		       (unsigned)rk->seq);
	rk->next_ns = now + (uint64_t)g->cfg.retrans_period_sec * NS_PER_SEC;
}

static void rekey_stop(struct ks_rekey *rk)
{
	msgs_free(rk);
	ks_polver_unref(rk->pv);
	rk->pv = NULL;
	mem_wipe(&rk->kek, sizeof(rk->kek));
	rk->active = rk->deferred = false;
	rk->n_del = 0;
	rk->next_ns = rk->batch_ns = CLOCK_NEVER;
}

static void eject(struct gdoi_ks *ks, struct ks_group *g, struct ks_member *m)
{
	char ip[DIAG_IP4_STRLEN];
	GLOG(ks->diag, DIAG_MSG_KS_NACK_GM_EJECT, diag_ip4(m->addr, ip), g->cfg.name,
	     m->missed_row);
	KS_TRACE_REKEY(ks, g, "GM_EJECTED: %s after %u missed rekeys", ip, (unsigned)m->missed_row);
	g->rst.ejected++;
	ks_member_free(ks, m);
}

/* The rekey is over: count the members that acknowledged no round of it. */
static void rekey_end(struct gdoi_ks *ks, struct ks_group *g, uint64_t now)
{
	struct ks_rekey *rk = &g->rk;
	uint32_t limit = g->cfg.retrans_count ? g->cfg.retrans_count : 1;
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &g->members)
	{
		struct ks_member *m = container_of(pos, struct ks_member, link);
		if (rk->kek.multicast || !waiting(rk, m))
			continue;
		m->rk_pending = 0;
		m->acks_missed++;
		if (++m->missed_row >= limit)
			eject(ks, g, m);
	}
	if (!g->rst.last_duration_ms || rk->kek.multicast)
		g->rst.last_duration_ms = (now - rk->started_ns) / NS_PER_MS;
	bool deferred = rk->deferred;
	rekey_stop(rk);
	if (deferred)
		ks_rekey_start(ks, g, now);
}

static bool anyone_waiting(const struct ks_group *g)
{
	const struct list_node *pos;
	list_for_each(pos, &g->members)
	{
		if (waiting(&g->rk, container_of(pos, struct ks_member, link)))
			return true;
	}
	return false;
}

void ks_rekey_tick(struct gdoi_ks *ks, struct ks_group *g, uint64_t now)
{
	struct ks_rekey *rk = &g->rk;
	if (rk->active && rk->batch_ns <= now)
		send_unicast(ks, g, now);
	if (!rk->active || rk->next_ns > now)
		return;
	bool more = rk->kek.multicast || anyone_waiting(g);
	if (!more || rk->round >= g->cfg.retrans_count || rk->seq == UINT32_MAX) {
		rekey_end(ks, g, now);
		return;
	}
	rk->round++;
	rk->seq = ++g->seq;
	send_round(ks, g, now);
}

/* ---- start ---- */

static bool can_push(const struct ks_group *g)
{
	return g->pv->p.has_kek && g->has_rsa && g->n_members && g->seq < UINT32_MAX;
}

void ks_rekey_start(struct gdoi_ks *ks, struct ks_group *g, uint64_t now)
{
	struct ks_rekey *rk = &g->rk;
	if (rk->active) {
		/*
		 * Let the running rekey finish its rounds, then push the newer
		 * policy: members that missed part of it still hold the KEK it
		 * is protected with, and the lead time includes W for this.
		 */
		rk->deferred = true;
		return;
	}
	struct gdoi_kek held = g->push_kek;
	bool had = held.has_keys;
	/* Later pushes are protected by the KEK this one delivers. */
	g->push_kek = g->pv->p.kek;
	if (!had || !can_push(g)) {
		mem_wipe(&held, sizeof(held));
		return;
	}
	rk->active = true;
	rk->id = rk->id + 1 ? rk->id + 1 : 1;
	rk->kek = held;
	mem_wipe(&held, sizeof(held));
	rk->pv = g->pv;
	rk->pv->refs++;
	rk->round = 0;
	rk->seq = rk->seq_first = ++g->seq;
	rk->n_del = g->n_del;
	memcpy(rk->del_spi, g->del_spi, sizeof(rk->del_spi));
	g->n_del = 0;
	rk->started_ns = now;
	g->rst.last_duration_ms = 0;
	struct list_node *pos;
	list_for_each(pos, &g->members)
	{
		container_of(pos, struct ks_member, link)->rk_pending = rk->id;
	}
	send_round(ks, g, now);
	ks_schedule(ks, rk->next_ns);
}

void ks_rekey_member_registered(struct ks_group *g, struct ks_member *m, uint32_t version)
{
	/* Its message 4 carried keys older than the rekey in progress: it needs the push too. */
	bool older = g->rk.active && version < g->rk.pv->version && !g->rk.kek.multicast;
	m->rk_pending = older ? g->rk.id : 0;
	m->missed_row = 0;
}

void ks_rekey_free(struct ks_group *g)
{
	rekey_stop(&g->rk);
	mem_wipe(&g->push_kek, sizeof(g->push_kek));
	if (g->has_rsa)
		crypto_rsa_clear(&g->rsa);
	g->has_rsa = false;
}

/* ---- acknowledgements ---- */

static struct ks_group *group_of_ack(struct gdoi_ks *ks, const uint8_t spi[GDOI_KEK_SPI_LEN])
{
	for (size_t i = 0; i < ks->n_groups; i++) {
		struct ks_group *g = ks->groups[i];
		if (g->rk.active && !memcmp(g->rk.kek.spi, spi, GDOI_KEK_SPI_LEN))
			return g;
	}
	return NULL;
}

static void acked(struct ks_group *g, struct ks_member *m, uint32_t seq, uint64_t now)
{
	m->rk_pending = 0;
	m->rk_acked = g->rk.id;
	m->missed_row = 0;
	m->acks_rcvd++;
	push_seq(m->rcvd_seq, seq);
	g->rst.acks++;
	g->rst.last_duration_ms = (now - g->rk.started_ns) / NS_PER_MS;
}

void ks_rekey_ack_input(struct gdoi_ks *ks, uint64_t now, const struct ike1_peer *peer,
			const uint8_t *msg, size_t len)
{
	struct gdoi_rekey_ack a;
	struct ks_group *g = NULL;
	struct ks_member *m = NULL;
	if (gdoi_rekey_ack_parse(msg, len, &a) < 0 || !(g = group_of_ack(ks, a.spi)) ||
	    !(m = ks_member_find(ks, a.addr, g))) {
		ks->st.stale++; /* not for a rekey in progress, or from no member */
		if (g)
			g->rst.acks_bad++;
		return;
	}
	struct gdoi_kack k = {
	    .prf = (enum crypto_hash_alg)m->kack_hash, .len = m->kack_len, .key = m->kack};
	char ip[DIAG_IP4_STRLEN];
	if (gdoi_rekey_ack_verify(&a, &k) < 0) {
		g->rst.acks_bad++;
		GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REKEY, DIAG_LVL_ERROR, g->handle,
		     g->cfg.name, peer->ip4, "Group %s: ACK from %s with a bad HASH dropped",
		     g->cfg.name, diag_ip4(peer->ip4, ip));
		return;
	}
	bool in_rekey = a.seq >= g->rk.seq_first && a.seq <= g->rk.seq;
	if (in_rekey && m->rk_acked == g->rk.id)
		return; /* a later ACK of a round already acknowledged (delayed or re-sent) */
	if (!waiting(&g->rk, m) || !in_rekey) {
		g->rst.acks_unsol++;
		GLOG(ks->diag, DIAG_MSG_KS_UNSOL_ACK, a.seq, diag_ip4(a.addr, ip), g->cfg.name);
		return;
	}
	acked(g, m, a.seq, now);
	KS_TRACE_REKEY(ks, g, "ACK_RCVD: from %s seq %u", diag_ip4(a.addr, ip), (unsigned)a.seq);
}

/* ---- commands ---- */

static struct ks_group *named(struct gdoi_ks *ks, size_t i, const char *group)
{
	struct ks_group *g = ks->groups[i];
	return !group || !strcmp(group, g->cfg.name) ? g : NULL;
}

int gdoi_ks_rekey_now(struct gdoi_ks *ks, const char *group, bool replace_now, uint64_t now)
{
	ks->now = MAX(ks->now, now);
	int rc = ERR_NOTFOUND;
	for (size_t i = 0; i < ks->n_groups; i++) {
		struct ks_group *g = named(ks, i, group);
		if (!g)
			continue;
		int r = ks_group_rekey_now(ks, g, replace_now, now);
		rc = rc == ERR_NOTFOUND || rc == ERR_STATE ? r : rc;
		ks_schedule(ks, ks_group_deadline(g));
	}
	ks_maybe_persist(ks, now);
	return rc;
}

int gdoi_ks_clear_members(struct gdoi_ks *ks, const char *group, const char *user, uint64_t now)
{
	ks->now = MAX(ks->now, now);
	int rc = ERR_NOTFOUND;
	for (size_t i = 0; i < ks->n_groups; i++) {
		struct ks_group *g = named(ks, i, group);
		if (!g)
			continue;
		GLOG(ks->diag, DIAG_MSG_KS_CLEAR_REGISTER, g->cfg.name, user ? user : "console");
		struct list_node *pos, *tmp;
		list_for_each_safe(pos, tmp, &g->members)
		    ks_member_free(ks, container_of(pos, struct ks_member, link));
		rc = 0;
	}
	ks_maybe_persist(ks, now);
	return rc;
}

int gdoi_ks_restore_seq(struct gdoi_ks *ks, const char *group, uint32_t seq)
{
	for (size_t i = 0; i < ks->n_groups; i++) {
		struct ks_group *g = named(ks, i, group);
		if (!g || !group)
			continue;
		g->seq = MAX(g->seq, seq);
		g->pv->p.seq = MAX(g->pv->p.seq, g->seq);
		return 0;
	}
	return ERR_NOTFOUND;
}
