/*
 * The key server engine: life cycle, the glue to its ike1 table (send, PSK,
 * SA up and down), input dispatch, timers and configuration replace. The
 * exchange itself is in ks_pull.c, keys in ks_policy.c, members in
 * ks_members.c, show accessors in ks_show.c.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdoi/ike_log.h"
#include "gdoi/ks_priv.h"
#include "gdoi/log_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

/*
 * Unicast rekey pacing, pushes per second. 20,000: 10,000 members get their
 * push within 0.5 s (the target is every ACK within 2 s), in batches of
 * KS_REKEY_BATCH_MAX every 2 ms, each of which fits the default socket send
 * buffer. At 1,500 bytes a push that is 240 Mbit/s while a rekey is sent: a
 * key server on a slower link configures a lower pace. The engine's CPU is
 * not the limit (about 40 us per member for push and ACK).
 */
#define KS_REKEY_PACE_DEFAULT 20000u

void ks_event(struct gdoi_ks *ks, enum gdoi_ks_event_type type, const struct ks_group *g,
	      uint32_t peer, uint16_t notify, uint32_t spi)
{
	if (!ks->io.event)
		return;
	struct gdoi_ks_event ev = {.type = type,
				   .group = g ? g->cfg.name : NULL,
				   .peer = peer,
				   .notify = notify,
				   .spi = spi};
	ks->io.event(ks->io.ctx, &ev);
}

/* Changes to what a state file holds: keys, numbers, members and their counters. */
static uint64_t state_sig(const struct gdoi_ks *ks)
{
	uint64_t v[7 * GDOI_KS_GROUPS_MAX + 1] = {ks->st.registrations};
	for (size_t i = 0; i < ks->n_groups; i++) {
		const struct ks_group *g = ks->groups[i];
		uint64_t *x = &v[1 + 7 * i];
		x[0] = g->seq;
		x[1] = g->n_members;
		x[2] = g->pv->version;
		x[3] = g->rst.acks;
		x[4] = g->rst.ejected;
		x[5] = g->handle;
		x[6] = g->sid_reserved;
	}
	return hash_bytes(v, sizeof(v));
}

void ks_maybe_persist(struct gdoi_ks *ks, uint64_t now)
{
	if (!ks->io.persist)
		return;
	uint64_t sig = state_sig(ks);
	if (sig == ks->persist_sig)
		return;
	if (now < ks->persist_ns) {
		ks_schedule(ks, ks->persist_ns);
		return;
	}
	struct dbuf d = {0};
	if (gdoi_ks_state_save(ks, now, &d) == 0) {
		ks->io.persist(ks->io.ctx, d.p, d.len);
		ks->persist_sig = sig;
		ks->persist_ns = now + NS_PER_SEC;
	}
	dbuf_free(&d);
}

void ks_persist_now(struct gdoi_ks *ks, uint64_t now)
{
	ks->persist_ns = 0;
	ks_maybe_persist(ks, now);
}

void ks_schedule(struct gdoi_ks *ks, uint64_t when)
{
	if (when < ks->next_ns)
		ks->next_ns = when;
}

/* ---- ike1 glue ---- */

static void ike_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct gdoi_ks *ks = ctx;
	if (ks->io.send)
		ks->io.send(ks->io.ctx, peer, msg, len);
}

static int ike_psk(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	struct gdoi_ks *ks = ctx;
	return ks->psk ? ks->psk(ks->psk_arg, peer, key) : -1;
}

/* Phase 1 with a GM is complete: remember what it announced in its VID. */
static void ike_up(void *ctx, struct ike1_sa *sa, const struct ike1_vids *vids)
{
	struct gdoi_ks *ks = ctx;
	struct ks_sa *ksa = calloc(1, sizeof(*ksa));
	if (!ksa) {
		ike1_sa_delete(&ks->ike, sa, ks->now, true);
		return;
	}
	for (size_t i = 0; i < vids->n; i++)
		if (gdoi_caps_parse(vids->v[i].p, vids->v[i].len, &ksa->caps))
			break;
	sa->user = ksa;
	char ip[DIAG_IP4_STRLEN], ver[40];
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, sa->conn_id, NULL,
	     sa->peer.ip4, "Phase 1 with GM %s complete (%s)", diag_ip4(sa->peer.ip4, ip),
	     (gdoi_caps_format(&ksa->caps, ver, sizeof(ver)), ver));
}

static void ks_sa_release(struct gdoi_ks *ks, struct ike1_sa *sa)
{
	struct ks_sa *ksa = sa->user;
	if (!ksa)
		return;
	if (ksa->pull)
		ks_pull_free(ks, ksa->pull);
	sa->user = NULL;
	free(ksa);
}

static void ike_down(void *ctx, struct ike1_sa *sa, const struct ike1_peer *peer,
		     const struct ike1_result *r)
{
	struct gdoi_ks *ks = ctx;
	if (sa)
		ks_sa_release(ks, sa);
	gdoi_log_ike_down(ks->diag, DIAG_ROLE_KS, &ks->ike, sa, peer, r);
}

/* Protected informationals from GMs (notifies): nothing to act on, say so in the debug. */
static void ike_info(void *ctx, struct ike1_sa *sa, const struct wire_msg *m)
{
	struct gdoi_ks *ks = ctx;
	for (size_t i = 1; i < m->n; i++) {
		struct wire_notify n;
		if (m->pl[i].type != WIRE_PL_N || wire_notify_decode(&m->pl[i], &n, NULL) < 0)
			continue;
		GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_INFRA, DIAG_LVL_EVENT, sa->conn_id, NULL,
		     sa->peer.ip4, "Notify %s from GM", wire_notify_name(n.type));
	}
}

/* ---- life cycle ---- */

static int ks_groups_create(struct gdoi_ks *ks, const struct gdoi_ks_config *cfg, uint64_t now,
			    char *err, size_t cap)
{
	struct ks_group_cfg *c = malloc(sizeof(*c));
	int rc = c ? 0 : ERR_NOMEM;
	for (size_t i = 0; rc == 0 && i < cfg->n_groups; i++) {
		rc = ks_cfg_copy(&cfg->groups[i], cfg->ike.local.ip4, c, err, cap);
		if (rc == 0)
			rc = ks_group_new(ks, c, now, &ks->groups[ks->n_groups]);
		if (rc == 0)
			ks->n_groups++;
	}
	if (c)
		mem_wipe(c, sizeof(*c));
	free(c);
	return rc;
}

int gdoi_ks_new(const struct gdoi_ks_config *cfg, const struct gdoi_ks_io *io,
		struct crypto_rng *rng, struct diag *diag, uint64_t now, struct gdoi_ks **out,
		char *err, size_t err_cap)
{
	*out = NULL;
	int rc = ks_cfg_check_set(cfg, err, err_cap);
	if (rc < 0)
		return rc;
	struct gdoi_ks *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return ERR_NOMEM;
	list_init(&ks->pulls);
	ks->psk = cfg->psk;
	ks->psk_arg = cfg->psk_arg;
	ks->caps = cfg->caps;
	ks->plain = cfg->plain;
	ks->io = *io;
	ks->rng = rng;
	ks->diag = diag;
	ks->now = now;
	ks->next_ns = CLOCK_NEVER;
	ks->next_handle = 1;
	uint32_t pace = cfg->rekey_pace ? cfg->rekey_pace : KS_REKEY_PACE_DEFAULT;
	ks->rekey_batch = MIN(pace, KS_REKEY_BATCH_MAX);
	ks->rekey_batch_ns = (uint64_t)ks->rekey_batch * NS_PER_SEC / pace;
	gdoi_caps_vid(cfg->caps, ks->vid);
	ks->vid_data = (struct wire_data){ks->vid, sizeof(ks->vid)};
	struct ike1_config ic = cfg->ike;
	ic.vids = cfg->plain ? NULL : &ks->vid_data;
	ic.n_vids = cfg->plain ? 0 : 1;
	struct ike1_io iio = {.ctx = ks,
			      .send = ike_send,
			      .psk = ike_psk,
			      .up = ike_up,
			      .down = ike_down,
			      .info = ike_info};
	rc = htab_init(&ks->members, 256);
	if (rc == 0)
		rc = ike1_sa_table_init(&ks->ike, &ic, &iio, rng, diag);
	if (rc == ERR_INVAL)
		snprintf(err, err_cap, "ISAKMP policies or limits not usable");
	if (rc == 0)
		rc = ks_groups_create(ks, cfg, now, err, err_cap);
	if (rc < 0) {
		gdoi_ks_free(ks);
		return rc;
	}
	for (size_t i = 0; i < ks->n_groups; i++)
		ks_schedule(ks, ks_group_deadline(ks->groups[i]));
	*out = ks;
	return 0;
}

static int release_sa(void *arg, struct ike1_sa *sa)
{
	ks_sa_release(arg, sa);
	return 0;
}

void gdoi_ks_free(struct gdoi_ks *ks)
{
	if (!ks)
		return;
	ike1_sa_foreach(&ks->ike, release_sa, ks);
	ike1_sa_table_free(&ks->ike);
	for (size_t i = 0; i < ks->n_groups; i++)
		ks_group_free(ks, ks->groups[i]);
	htab_free(&ks->members);
	mem_wipe(ks, sizeof(*ks));
	free(ks);
}

/* ---- input and timers ---- */

void gdoi_ks_input(struct gdoi_ks *ks, uint64_t now, const struct ike1_peer *peer,
		   const uint8_t *msg, size_t len)
{
	assert(now >= ks->now);
	ks->now = now;
	struct wire_isakmp_hdr h;
	if (wire_isakmp_hdr_decode(msg, len, &h, NULL) == 0 && h.exch == WIRE_EXCH_PUSH_ACK) {
		ks_rekey_ack_input(ks, now, peer, msg, len);
		ks_maybe_persist(ks, now);
		return;
	}
	struct ike1_sa *sa = NULL;
	int v = ike1_sa_input(&ks->ike, now, peer, msg, len, &sa);
	if (v == IKE1_IN_UPPER && sa)
		ks_pull_input(ks, sa, now, msg, len);
	else if (v == IKE1_IN_NOT_MINE)
		ks->st.stale++;
	ks_maybe_persist(ks, now);
}

void gdoi_ks_tick(struct gdoi_ks *ks, uint64_t now)
{
	assert(now >= ks->now);
	ks->now = now;
	if (ike1_sa_next_deadline(&ks->ike) <= now)
		ike1_sa_tick(&ks->ike, now);
	uint64_t next = ks_pulls_expire(ks, now);
	for (size_t i = 0; i < ks->n_groups; i++)
		next = MIN(next, ks_group_tick(ks, ks->groups[i], now));
	ks->next_ns = next;
	ks_maybe_persist(ks, now);
}

uint64_t gdoi_ks_next_deadline(const struct gdoi_ks *ks)
{
	return MIN(ks->next_ns, ike1_sa_next_deadline(&ks->ike));
}

struct ike1_sa_table *gdoi_ks_ike(struct gdoi_ks *ks)
{
	return &ks->ike;
}

/* ---- configuration replace ---- */

static struct ks_group *find_group(struct gdoi_ks *ks, const char *name)
{
	for (size_t i = 0; i < ks->n_groups; i++)
		if (!strcmp(ks->groups[i]->cfg.name, name))
			return ks->groups[i];
	return NULL;
}

static bool in_set(struct ks_group *const *set, size_t n, const struct ks_group *g)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == g)
			return true;
	return false;
}

static void drop_group(struct gdoi_ks *ks, struct ks_group *g)
{
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &ks->pulls)
	{
		struct ks_pull *p = container_of(pos, struct ks_pull, link);
		if (p->g == g)
			ks_pull_free(ks, p);
	}
	GTRACE(ks->diag, g->cfg.name, 0, "KS_GROUP_REMOVED: group %s with %zu members", g->cfg.name,
	       g->n_members);
	ks_group_free(ks, g);
}

/* Copy and check every group first, so that a configuration error changes nothing. */
static int copy_all(const struct gdoi_ks_config *cfg, uint32_t local, struct ks_group_cfg *out,
		    char *err, size_t cap)
{
	int rc = ks_cfg_check_set(cfg, err, cap);
	for (size_t i = 0; rc == 0 && i < cfg->n_groups; i++)
		rc = ks_cfg_copy(&cfg->groups[i], local, &out[i], err, cap);
	return rc;
}

/*
 * Configuration errors are found before anything changes. An internal
 * failure (no memory, RNG) half-way leaves the groups reconfigured so far
 * changed and everything else as it was.
 */
int gdoi_ks_config_replace(struct gdoi_ks *ks, const struct gdoi_ks_config *cfg, uint64_t now,
			   char *err, size_t err_cap)
{
	assert(now >= ks->now);
	ks->now = now;
	if (cfg->n_groups > GDOI_KS_GROUPS_MAX)
		return ERR_INVAL;
	struct ks_group_cfg *c = calloc(cfg->n_groups ? cfg->n_groups : 1, sizeof(*c));
	if (!c)
		return ERR_NOMEM;
	struct ks_group *next[GDOI_KS_GROUPS_MAX] = {0};
	bool created[GDOI_KS_GROUPS_MAX] = {0};
	int rc = copy_all(cfg, ks->ike.cfg.local.ip4, c, err, err_cap);
	for (size_t i = 0; rc == 0 && i < cfg->n_groups; i++) {
		next[i] = find_group(ks, c[i].name);
		created[i] = !next[i];
		rc = next[i] ? ks_group_reconfigure(ks, next[i], &c[i], now)
			     : ks_group_new(ks, &c[i], now, &next[i]);
	}
	for (size_t i = 0; rc < 0 && i < cfg->n_groups; i++)
		if (created[i] && next[i])
			ks_group_free(ks, next[i]);
	if (rc == 0) {
		for (size_t i = 0; i < ks->n_groups; i++)
			if (!in_set(next, cfg->n_groups, ks->groups[i]))
				drop_group(ks, ks->groups[i]);
		memcpy(ks->groups, next, sizeof(next));
		ks->n_groups = cfg->n_groups;
		for (size_t i = 0; i < ks->n_groups; i++)
			ks_schedule(ks, ks_group_deadline(ks->groups[i]));
		ks_maybe_persist(ks, now);
	}
	mem_wipe(c, (cfg->n_groups ? cfg->n_groups : 1) * sizeof(*c));
	free(c);
	return rc;
}
