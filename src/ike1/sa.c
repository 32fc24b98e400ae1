/* The ISAKMP SA table and the engine's input, timers and show rows; see sa.h. */
#include "ike1/sa.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ike1/info.h"
#include "ike1/mm.h"
#include "ike1/sa_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/mem.h"
#include "wire/names.h"

#define FIRST_CONN_ID 1001 /* IOS numbers its connections from here */

static const uint8_t zero_cookie[IKE1_COOKIE_LEN];

void ike1_config_default(struct ike1_config *cfg)
{
	static const uint32_t retrans[] = {1000, 2000, 4000, 8000};
	memset(cfg, 0, sizeof(*cfg));
	cfg->doi = WIRE_DOI_GDOI;
	cfg->local.port = 848;
	memcpy(cfg->retrans_ms, retrans, sizeof(retrans));
	cfg->n_retrans = ARRAY_SIZE(retrans);
	cfg->give_up_ms = 30000;
	cfg->grace_ms = 30000;
	cfg->dead_keep_ms = 60000;
	cfg->notify_gap_ms = 1000;
	cfg->max_sas = 20000;
	cfg->max_half_open = 1000;
}

uint64_t ike1_sa_after(uint64_t now, uint32_t ms)
{
	uint64_t d = (uint64_t)ms * NS_PER_MS;
	return now > CLOCK_NEVER - d ? CLOCK_NEVER : now + d;
}

void ike1_sa_schedule(struct ike1_sa_table *t, uint64_t when)
{
	if (when < t->next_ns)
		t->next_ns = when;
}

int ike1_sa_table_init(struct ike1_sa_table *t, const struct ike1_config *cfg,
		       const struct ike1_io *io, struct crypto_rng *rng, struct diag *diag)
{
	memset(t, 0, sizeof(*t));
	list_init(&t->all); /* ike1_sa_table_free works after a failed init */
	if (!cfg->n_policies || cfg->n_policies > IKE1_POLICIES_MAX ||
	    cfg->n_retrans > IKE1_RETRANS_MAX || cfg->n_vids > IKE1_VIDS_MAX ||
	    (cfg->doi != WIRE_DOI_IPSEC && cfg->doi != WIRE_DOI_GDOI))
		return ERR_INVAL;
	for (size_t i = 0; i < cfg->n_policies; i++)
		if (ike1_policy_check(&cfg->policies[i], cfg->weak_groups) < 0)
			return ERR_INVAL;
	if (htab_init(&t->by_cookie, 64) < 0)
		return ERR_NOMEM;
	t->cfg = *cfg;
	t->io = *io;
	t->rng = rng;
	t->diag = diag;
	t->next_conn_id = FIRST_CONN_ID;
	t->next_ns = CLOCK_NEVER;
	return 0;
}

static void sa_free(struct ike1_sa_table *t, struct ike1_sa *sa)
{
	htab_remove(&t->by_cookie, &sa->hnode);
	list_del(&sa->link);
	if (sa->mm)
		ike1_mm_free(sa);
	if (sa->chains) {
		ike1_chains_clear(sa->chains);
		free(sa->chains);
	}
	if (sa->state != IKE1_GDOI_IDLE && !sa->deleted && t->half_open)
		t->half_open--;
	t->count--;
	mem_wipe(sa, sizeof(*sa));
	free(sa);
}

void ike1_sa_table_free(struct ike1_sa_table *t)
{
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &t->all) sa_free(t, container_of(pos, struct ike1_sa, link));
	htab_free(&t->by_cookie);
}

/* SAs are hashed on the initiator cookie alone: MM1 arrives before CKY-R exists. */
static uint64_t cookie_hash(const uint8_t *cky_i)
{
	return hash_bytes(cky_i, IKE1_COOKIE_LEN);
}

struct ike1_sa *ike1_sa_find(struct ike1_sa_table *t, const uint8_t cky_i[static IKE1_COOKIE_LEN],
			     const uint8_t cky_r[static IKE1_COOKIE_LEN])
{
	uint64_t h = cookie_hash(cky_i);
	for (struct htab_node *n = htab_first(&t->by_cookie, h); n; n = htab_next(n, h)) {
		struct ike1_sa *sa = container_of(n, struct ike1_sa, hnode);
		if (!memcmp(sa->cky_i, cky_i, IKE1_COOKIE_LEN) &&
		    !memcmp(sa->cky_r, cky_r, IKE1_COOKIE_LEN))
			return sa;
	}
	return NULL;
}

/*
 * The SA a datagram belongs to. Before MM2 has arrived the initiator's SA
 * has no responder cookie yet, and a retransmitted MM1 names the
 * responder's SA without one: such messages are matched on the initiator
 * cookie and the peer address.
 */
static struct ike1_sa *lookup(struct ike1_sa_table *t, const struct ike1_peer *peer,
			      const struct wire_isakmp_hdr *h)
{
	struct ike1_sa *sa = ike1_sa_find(t, h->icookie, h->rcookie);
	if (sa)
		return sa;
	bool no_r = !memcmp(h->rcookie, zero_cookie, IKE1_COOKIE_LEN);
	uint64_t hv = cookie_hash(h->icookie);
	for (struct htab_node *n = htab_first(&t->by_cookie, hv); n; n = htab_next(n, hv)) {
		sa = container_of(n, struct ike1_sa, hnode);
		if (memcmp(sa->cky_i, h->icookie, IKE1_COOKIE_LEN) || sa->peer.ip4 != peer->ip4)
			continue;
		if (no_r ? sa->role == IKE1_RESPONDER
			 : sa->role == IKE1_INITIATOR &&
			       !memcmp(sa->cky_r, zero_cookie, IKE1_COOKIE_LEN))
			return sa;
	}
	return NULL;
}

static int random_cookie(struct ike1_sa_table *t, uint8_t out[static IKE1_COOKIE_LEN])
{
	do {
		if (crypto_rng_fill(t->rng, out, IKE1_COOKIE_LEN) < 0)
			return ERR_CRYPTO;
	} while (!memcmp(out, zero_cookie, IKE1_COOKIE_LEN));
	return 0;
}

struct ike1_sa *ike1_sa_new(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
			    enum ike1_role role, const uint8_t *cky_i)
{
	if (t->count >= t->cfg.max_sas || t->half_open >= t->cfg.max_half_open) {
		t->st.drop_limit++;
		return NULL;
	}
	struct ike1_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->t = t;
	sa->peer = *peer;
	sa->role = (uint8_t)role;
	sa->state = IKE1_MM_NO_STATE;
	sa->doi = t->cfg.doi;
	sa->created_ns = now;
	sa->expires_ns = CLOCK_NEVER;
	sa->free_ns = CLOCK_NEVER;
	int rc = role == IKE1_INITIATOR ? random_cookie(t, sa->cky_i) : random_cookie(t, sa->cky_r);
	if (rc < 0) {
		free(sa);
		return NULL;
	}
	if (cky_i)
		memcpy(sa->cky_i, cky_i, IKE1_COOKIE_LEN);
	if (htab_insert(&t->by_cookie, &sa->hnode, cookie_hash(sa->cky_i)) < 0) {
		free(sa);
		return NULL;
	}
	sa->conn_id = t->next_conn_id++;
	list_add_tail(&t->all, &sa->link);
	t->count++;
	t->half_open++;
	return sa;
}

void ike1_sa_send(struct ike1_sa_table *t, const struct ike1_peer *peer, const uint8_t *msg,
		  size_t len)
{
	t->st.tx++;
	if (t->io.send)
		t->io.send(t->io.ctx, peer, msg, len);
}

void ike1_sa_established(struct ike1_sa *sa, uint64_t now, const struct ike1_vids *vids)
{
	struct ike1_sa_table *t = sa->t;
	sa->state = IKE1_GDOI_IDLE;
	uint64_t life = (uint64_t)sa->life_sec * NS_PER_SEC;
	sa->expires_ns = now > CLOCK_NEVER - life ? CLOCK_NEVER : now + life;
	ike1_sa_schedule(t, sa->expires_ns);
	if (t->half_open)
		t->half_open--;
	t->st.established++;
	IKE1_DBG(t, sa, DIAG_IKE_EVENT, "SA established, lifetime %u s", (unsigned)sa->life_sec);
	if (t->cfg.keylog) {
		struct ike1_keylog k = {.cky_i = sa->cky_i,
					.cky_r = sa->cky_r,
					.cipher = sa->keys.cipher,
					.hash = sa->keys.hash,
					.key = sa->keys.key,
					.key_len = sa->keys.key_len,
					.peer = sa->peer,
					.role = (enum ike1_role)sa->role,
					.conn_id = sa->conn_id};
		t->cfg.keylog(t->cfg.keylog_arg, &k);
	}
	if (t->io.up)
		t->io.up(t->io.ctx, sa, vids);
}

void ike1_sa_fail(struct ike1_sa *sa, uint64_t now, const struct ike1_result *r)
{
	struct ike1_sa_table *t = sa->t;
	if (sa->deleted)
		return;
	if (sa->state != IKE1_GDOI_IDLE) {
		t->st.failed++;
		if (t->half_open)
			t->half_open--;
	}
	sa->deleted = true;
	sa->free_ns = ike1_sa_after(now, t->cfg.dead_keep_ms);
	ike1_sa_schedule(t, sa->free_ns);
	/* Nothing of a dead SA is needed any more except what `show` prints. */
	if (sa->mm)
		ike1_mm_free(sa);
	if (sa->chains) {
		ike1_chains_clear(sa->chains);
		free(sa->chains);
		sa->chains = NULL;
	}
	IKE1_DBG(t, sa, DIAG_IKE_EVENT, "SA down: %s (%s)", ike1_reason_name(r->reason),
		 r->detail ? r->detail : "");
	if (t->io.down)
		t->io.down(t->io.ctx, sa, &sa->peer, r);
	ike1_keys_clear(&sa->keys);
}

void ike1_sa_delete(struct ike1_sa_table *t, struct ike1_sa *sa, uint64_t now, bool notify_peer)
{
	(void)t;
	if (sa->deleted)
		return;
	if (notify_peer && sa->state == IKE1_GDOI_IDLE)
		(void)ike1_info_send_delete(sa);
	struct ike1_result r = {.reason = IKE1_R_DELETED, .state = sa->state, .detail = "deleted"};
	ike1_sa_fail(sa, now, &r);
}

bool ike1_sa_notify_allowed(struct ike1_sa_table *t, const struct ike1_peer *peer, uint64_t now)
{
	size_t slot = (size_t)(hash_bytes(&peer->ip4, sizeof(peer->ip4)) % ARRAY_SIZE(t->rl));
	uint64_t gap = (uint64_t)t->cfg.notify_gap_ms * NS_PER_MS;
	if (t->rl[slot].ip4 == peer->ip4 && t->rl[slot].at_ns && now - t->rl[slot].at_ns < gap)
		return false;
	t->rl[slot].ip4 = peer->ip4;
	t->rl[slot].at_ns = now ? now : 1;
	return true;
}

int ike1_sa_initiate(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		     struct ike1_sa **out)
{
	assert(now >= t->now_ns);
	t->now_ns = now;
	struct ike1_sa *sa = ike1_sa_new(t, now, peer, IKE1_INITIATOR, NULL);
	if (!sa)
		return t->count >= t->cfg.max_sas || t->half_open >= t->cfg.max_half_open
			   ? ERR_LIMIT
			   : ERR_NOMEM;
	int rc = ike1_mm_start(sa, now);
	if (rc < 0) {
		sa_free(t, sa);
		return rc;
	}
	if (out)
		*out = sa;
	return 0;
}

int ike1_sa_input(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		  const uint8_t *msg, size_t len, struct ike1_sa **out)
{
	assert(now >= t->now_ns);
	t->now_ns = now;
	t->st.rx++;
	if (out)
		*out = NULL;
	struct wire_isakmp_hdr h;
	struct wire_err err;
	if (wire_isakmp_hdr_decode(msg, len, &h, &err) < 0) {
		t->st.drop_malformed++;
		return IKE1_IN_DONE;
	}
	if (h.exch == WIRE_EXCH_INFO) {
		ike1_info_input(t, now, peer, msg, len, &h);
		return IKE1_IN_DONE;
	}
	struct ike1_sa *sa = lookup(t, peer, &h);
	if (h.exch == WIRE_EXCH_IDPROT) {
		if (sa)
			ike1_mm_input(sa, now, msg, len, &h);
		else if (!memcmp(h.rcookie, zero_cookie, IKE1_COOKIE_LEN) && !h.msgid)
			ike1_mm_first(t, now, peer, msg, len, &h);
		else
			t->st.drop_unknown_sa++;
		return IKE1_IN_DONE;
	}
	if (!sa)
		return IKE1_IN_NOT_MINE;
	if (sa->state != IKE1_GDOI_IDLE || sa->deleted) {
		t->st.drop_malformed++;
		return IKE1_IN_DONE;
	}
	if (out)
		*out = sa;
	return IKE1_IN_UPPER;
}

/* Everything due for one SA; returns its next deadline. */
static uint64_t sa_tick(struct ike1_sa_table *t, struct ike1_sa *sa, uint64_t now)
{
	if (sa->deleted)
		return sa->free_ns;
	if (now >= sa->expires_ns) {
		if (sa->state == IKE1_GDOI_IDLE)
			(void)ike1_info_send_delete(sa);
		struct ike1_result r = {
		    .reason = IKE1_R_EXPIRED, .state = sa->state, .detail = "lifetime expired"};
		ike1_sa_fail(sa, now, &r);
		return sa->free_ns;
	}
	uint64_t next = sa->expires_ns;
	if (sa->mm) {
		ike1_mm_tick(sa, now);
		if (sa->deleted)
			return sa->free_ns;
		next = MIN(next, ike1_mm_deadline(sa));
	}
	if (sa->chains) {
		uint64_t grace = (uint64_t)t->cfg.grace_ms * NS_PER_MS;
		uint64_t idle = (uint64_t)t->cfg.give_up_ms * NS_PER_MS;
		if (!ike1_chains_expire(sa->chains, now, grace, idle)) {
			free(sa->chains);
			sa->chains = NULL;
		} else {
			next = MIN(next, ike1_chains_deadline(sa->chains, grace, idle));
		}
	}
	return next;
}

void ike1_sa_tick(struct ike1_sa_table *t, uint64_t now)
{
	assert(now >= t->now_ns);
	t->now_ns = now;
	uint64_t next = CLOCK_NEVER;
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &t->all)
	{
		struct ike1_sa *sa = container_of(pos, struct ike1_sa, link);
		if (sa->deleted && now >= sa->free_ns) {
			sa_free(t, sa);
			continue;
		}
		next = MIN(next, sa_tick(t, sa, now));
	}
	/* Callbacks during the walk may have scheduled earlier work. */
	t->next_ns = MIN(next, t->next_ns > now ? t->next_ns : CLOCK_NEVER);
}

uint64_t ike1_sa_next_deadline(const struct ike1_sa_table *t)
{
	return t->next_ns;
}

static const char *const state_names[] = {
    [IKE1_MM_NO_STATE] = "MM_NO_STATE", [IKE1_MM_SA_SETUP] = "MM_SA_SETUP",
    [IKE1_MM_KEY_EXCH] = "MM_KEY_EXCH", [IKE1_MM_KEY_AUTH] = "MM_KEY_AUTH",
    [IKE1_GDOI_IDLE] = "GDOI_IDLE",
};

const char *ike1_state_name(enum ike1_state s)
{
	return (size_t)s < ARRAY_SIZE(state_names) ? state_names[s] : "UNKNOWN";
}

static const char *const reason_names[] = {
    [IKE1_R_NONE] = "none",
    [IKE1_R_NO_PROPOSAL] = "no proposal chosen",
    [IKE1_R_AUTH] = "authentication failed",
    [IKE1_R_INVALID_PAYLOAD] = "invalid payload",
    [IKE1_R_TIMEOUT] = "retransmissions exhausted",
    [IKE1_R_PEER_NOTIFY] = "error notify from peer",
    [IKE1_R_EXPIRED] = "lifetime expired",
    [IKE1_R_DELETED] = "deleted",
    [IKE1_R_PEER_DELETE] = "deleted by peer",
    [IKE1_R_INTERNAL] = "internal error",
};

const char *ike1_reason_name(enum ike1_reason r)
{
	return (size_t)r < ARRAY_SIZE(reason_names) ? reason_names[r] : "unknown";
}

void ike1_sa_row(const struct ike1_sa *sa, struct ike1_sa_row *row)
{
	const struct ike1_peer *local = &sa->t->cfg.local;
	bool init = sa->role == IKE1_INITIATOR;
	row->dst = init ? sa->peer : *local;
	row->src = init ? *local : sa->peer;
	/* IOS shows an SA that was deleted after completing as MM_NO_STATE. */
	enum ike1_state s = sa->deleted && sa->state == IKE1_GDOI_IDLE ? IKE1_MM_NO_STATE
								       : (enum ike1_state)sa->state;
	row->state = ike1_state_name(s);
	row->conn_id = sa->conn_id;
	row->status = sa->deleted ? "ACTIVE (deleted)" : "ACTIVE";
	row->role = (enum ike1_role)sa->role;
	row->expires_ns = sa->expires_ns;
}

int ike1_sa_foreach(struct ike1_sa_table *t, int (*fn)(void *arg, struct ike1_sa *sa), void *arg)
{
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &t->all)
	{
		int rc = fn(arg, container_of(pos, struct ike1_sa, link));
		if (rc)
			return rc;
	}
	return 0;
}

int ike1_sa_wireshark_line(const struct ike1_sa *sa, char *out, size_t cap)
{
	if (sa->state != IKE1_GDOI_IDLE || sa->deleted || !sa->keys.key_len)
		return ERR_STATE;
	size_t need = 2 * IKE1_COOKIE_LEN + 1 + 2 * (size_t)sa->keys.key_len + 1;
	if (cap < need)
		return ERR_NOSPACE;
	hex_encode(sa->cky_i, IKE1_COOKIE_LEN, out, cap);
	out[2 * IKE1_COOKIE_LEN] = ',';
	hex_encode(sa->keys.key, sa->keys.key_len, out + 2 * IKE1_COOKIE_LEN + 1,
		   cap - 2 * IKE1_COOKIE_LEN - 1);
	return (int)need - 1;
}
