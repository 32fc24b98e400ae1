/*
 * The group member engine: life cycle, the glue to its ike1 table, input
 * dispatch, timers and the commands (clear, configuration replace). The
 * registration itself is in gm_reg.c, installation in gm_install.c, show
 * accessors in gm_show.c.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdoi/gm_priv.h"
#include "gdoi/ike_log.h"
#include "gdoi/log_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

#define ATTEMPT_MS_DEFAULT     30000u
#define BACKOFF_MIN_MS_DEFAULT 10000u
#define BACKOFF_MAX_MS_DEFAULT 300000u

void gm_event(struct gdoi_gm *gm, enum gdoi_gm_event_type type, const struct gm_group *g,
	      uint32_t ks, const char *why, uint32_t spi)
{
	if (!gm->io.event)
		return;
	struct gdoi_gm_event ev = {
	    .type = type, .group = g->cfg.name, .ks = ks, .why = why, .spi = spi};
	gm->io.event(gm->io.ctx, &ev);
}

uint32_t gm_local(const struct gdoi_gm *gm)
{
	return gm->ike.cfg.local.ip4;
}

void gm_drop_sa(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, bool tell_peer)
{
	struct ike1_sa *sa = g->sa;
	if (!sa)
		return;
	g->sa = NULL;
	sa->user = NULL;
	if (!sa->deleted)
		ike1_sa_delete(&gm->ike, sa, now, tell_peer);
}

/* ---- ike1 glue ---- */

static void ike_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct gdoi_gm *gm = ctx;
	if (gm->io.send)
		gm->io.send(gm->io.ctx, peer, msg, len);
}

static int ike_psk(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	struct gdoi_gm *gm = ctx;
	return gm->psk ? gm->psk(gm->psk_arg, peer, key) : -1;
}

static void ike_up(void *ctx, struct ike1_sa *sa, const struct ike1_vids *vids)
{
	struct gdoi_gm *gm = ctx;
	struct gm_group *g = sa->user;
	struct gdoi_peer_caps ks_caps = {0};
	for (size_t i = 0; i < vids->n; i++)
		if (gdoi_caps_parse(vids->v[i].p, vids->v[i].len, &ks_caps))
			break;
	if (!g || g->sa != sa || g->st != GM_ST_PHASE1)
		return;
	char ver[40];
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     sa->peer.ip4, "Group %s: IKE phase 1 complete, KS speaks %s", g->cfg.name,
	     (gdoi_caps_format(&ks_caps, ver, sizeof(ver)), ver));
	gm_pull_start(gm, g, gm->now);
}

static void ike_down(void *ctx, struct ike1_sa *sa, const struct ike1_peer *peer,
		     const struct ike1_result *r)
{
	struct gdoi_gm *gm = ctx;
	struct gm_group *g = sa ? sa->user : NULL;
	gdoi_log_ike_down(gm->diag, DIAG_ROLE_GM, &gm->ike, sa, peer, r);
	if (!g || g->sa != sa)
		return;
	g->sa = NULL;
	sa->user = NULL;
	if (g->st == GM_ST_IDLE)
		return; /* the SA of an earlier registration ran out: nothing to do */
	char why[96];
	snprintf(why, sizeof(why), "IKE: %s", r->detail ? r->detail : ike1_reason_name(r->reason));
	gm_attempt_failed(gm, g, gm->now, why);
}

/* The KS refused the registration with a protected notify (unknown group, unauthorized...). */
static void ike_info(void *ctx, struct ike1_sa *sa, const struct wire_msg *m)
{
	struct gdoi_gm *gm = ctx;
	struct gm_group *g = sa->user;
	for (size_t i = 1; i < m->n; i++) {
		struct wire_notify n;
		if (m->pl[i].type != WIRE_PL_N || wire_notify_decode(&m->pl[i], &n, NULL) < 0 ||
		    n.type >= WIRE_N_CONNECTED)
			continue;
		gm->st.notifies++;
		if (!g || g->sa != sa || g->st == GM_ST_IDLE)
			continue;
		char ks[DIAG_IP4_STRLEN], why[64];
		GLOG(gm->diag, DIAG_MSG_IKMP_MODE_FAILURE, diag_ip4(sa->peer.ip4, ks));
		snprintf(why, sizeof(why), "KS answered %s", wire_notify_name(n.type));
		gm_attempt_failed(gm, g, gm->now, why);
		return;
	}
}

/* ---- configuration ---- */

static int copy_group(const struct gdoi_gm_group_config *in, struct gm_group_cfg *out, char *err,
		      size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (!in->name || !*in->name || strlen(in->name) >= GDOI_NAME_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "group name empty or too long");
	memcpy(out->name, in->name, strlen(in->name) + 1);
	if (in->id.type != GDOI_ID_NUMBER && in->id.type != GDOI_ID_ADDRESS)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: no identity", out->name);
	if (!in->n_servers || in->n_servers > GDOI_GM_SERVERS_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: needs 1-%u server addresses",
				 out->name, (unsigned)GDOI_GM_SERVERS_MAX);
	out->id = in->id;
	memcpy(out->servers, in->servers, in->n_servers * sizeof(in->servers[0]));
	out->n_servers = in->n_servers;
	out->fail_close = in->fail_close;
	return 0;
}

static int check_groups(const struct gdoi_gm_config *cfg, struct gm_group_cfg *out, char *err,
			size_t cap)
{
	if (cfg->n_groups > GDOI_GM_GROUPS_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "more than %u groups",
				 (unsigned)GDOI_GM_GROUPS_MAX);
	for (size_t i = 0; i < cfg->n_groups; i++) {
		int rc = copy_group(&cfg->groups[i], &out[i], err, cap);
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(out[i].name, out[j].name))
				return gdoi_errf(err, cap, ERR_INVAL, "group %s configured twice",
						 out[i].name);
	}
	return 0;
}

static struct gm_group *group_new(struct gdoi_gm *gm, const struct gm_group_cfg *c, uint64_t now)
{
	struct gm_group *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->gm = gm;
	g->handle = gm->next_handle++;
	g->cfg = *c;
	g->next_ns = now;
	g->backoff_ms = gm->backoff_min_ms;
	g->attempt_end_ns = g->retx_ns = CLOCK_NEVER;
	return g;
}

static void group_free(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, bool tell)
{
	gm_attempt_abort(gm, g, now);
	if (!tell)
		g->registered = false; /* freeing the engine: no callbacks */
	gm_uninstall(gm, g);
	gm_rekey_reset(g);
	gdoi_policy_clear(&g->pol);
	mem_wipe(g, sizeof(*g));
	free(g);
}

int gdoi_gm_new(const struct gdoi_gm_config *cfg, const struct gdoi_gm_io *io,
		struct crypto_rng *rng, struct diag *diag, uint64_t now, struct gdoi_gm **out,
		char *err, size_t err_cap)
{
	struct gm_group_cfg gc[GDOI_GM_GROUPS_MAX];
	*out = NULL;
	int rc = check_groups(cfg, gc, err, err_cap);
	if (rc < 0)
		return rc;
	struct gdoi_gm *gm = calloc(1, sizeof(*gm));
	if (!gm)
		return ERR_NOMEM;
	gm->psk = cfg->psk;
	gm->psk_arg = cfg->psk_arg;
	gm->caps = cfg->caps;
	gm->plain = cfg->plain;
	gm->attempt_ms = cfg->attempt_ms ? cfg->attempt_ms : ATTEMPT_MS_DEFAULT;
	gm->backoff_min_ms = cfg->backoff_min_ms ? cfg->backoff_min_ms : BACKOFF_MIN_MS_DEFAULT;
	gm->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : BACKOFF_MAX_MS_DEFAULT;
	gm->io = *io;
	gm->rng = rng;
	gm->diag = diag;
	gm->now = now;
	gm->next_handle = 1;
	gdoi_caps_vid(cfg->caps, gm->vid);
	gm->vid_data = (struct wire_data){gm->vid, sizeof(gm->vid)};
	struct ike1_config ic = cfg->ike;
	ic.vids = cfg->plain ? NULL : &gm->vid_data;
	ic.n_vids = cfg->plain ? 0 : 1;
	struct ike1_io iio = {.ctx = gm,
			      .send = ike_send,
			      .psk = ike_psk,
			      .up = ike_up,
			      .down = ike_down,
			      .info = ike_info};
	rc = ike1_sa_table_init(&gm->ike, &ic, &iio, rng, diag);
	if (rc == ERR_INVAL)
		gdoi_errf(err, err_cap, ERR_INVAL, "ISAKMP policies or limits not usable");
	for (size_t i = 0; rc == 0 && i < cfg->n_groups; i++) {
		gm->groups[i] = group_new(gm, &gc[i], now);
		rc = gm->groups[i] ? 0 : ERR_NOMEM;
		gm->n_groups += rc == 0;
	}
	if (rc < 0) {
		gdoi_gm_free(gm);
		return rc;
	}
	for (size_t i = 0; i < gm->n_groups; i++)
		gm_publish(gm, gm->groups[i]);
	*out = gm;
	return 0;
}

void gdoi_gm_free(struct gdoi_gm *gm)
{
	if (!gm)
		return;
	/* The table goes first, without callbacks, so no group hears of its SA. */
	ike1_sa_table_free(&gm->ike);
	for (size_t i = 0; i < gm->n_groups; i++) {
		gm->groups[i]->sa = NULL;
		group_free(gm, gm->groups[i], gm->now, false);
	}
	mem_wipe(gm, sizeof(*gm));
	free(gm);
}

/* ---- input and timers ---- */

void gdoi_gm_input(struct gdoi_gm *gm, uint64_t now, const struct ike1_peer *peer,
		   const uint8_t *msg, size_t len)
{
	assert(now >= gm->now);
	gm->now = now;
	struct wire_isakmp_hdr h;
	if (wire_isakmp_hdr_decode(msg, len, &h, NULL) == 0 && h.exch == WIRE_EXCH_GROUPKEY_PUSH) {
		gm_rekey_input(gm, now, peer, msg, len);
		return;
	}
	struct ike1_sa *sa = NULL;
	int v = ike1_sa_input(&gm->ike, now, peer, msg, len, &sa);
	if (v == IKE1_IN_UPPER && sa && sa->user)
		gm_pull_input(gm, sa->user, now, msg, len);
	else if (v != IKE1_IN_DONE)
		gm->st.stale++;
}

static void group_tick(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	gm_expire(gm, g, now);
	gm_rekey_tick(gm, g, now);
	if (g->st != GM_ST_IDLE) {
		gm_attempt_tick(gm, g, now);
		return;
	}
	if (now < g->next_ns)
		return;
	if (g->rereg_due) {
		/* Keys about to run out and no rekey renewed them. */
		GLOG(gm->diag, DIAG_MSG_GM_RE_REGISTER, g->cfg.name);
		gm_event(gm, GDOI_GM_EV_REREGISTER, g, g->reg_ks, "re-register timer", 0);
	}
	gm_attempt_start(gm, g, now);
}

void gdoi_gm_tick(struct gdoi_gm *gm, uint64_t now)
{
	assert(now >= gm->now);
	gm->now = now;
	if (ike1_sa_next_deadline(&gm->ike) <= now)
		ike1_sa_tick(&gm->ike, now);
	for (size_t i = 0; i < gm->n_groups; i++)
		group_tick(gm, gm->groups[i], now);
}

uint64_t gdoi_gm_next_deadline(const struct gdoi_gm *gm)
{
	uint64_t next = ike1_sa_next_deadline(&gm->ike);
	for (size_t i = 0; i < gm->n_groups; i++) {
		const struct gm_group *g = gm->groups[i];
		next = MIN(next, g->st == GM_ST_IDLE ? g->next_ns : gm_attempt_deadline(g));
		next = MIN(next, gm_expiry_deadline(g));
		if (g->registered)
			next = MIN(next, g->activate_ns);
	}
	return next;
}

/* ---- commands ---- */

static void clear_group(struct gdoi_gm *gm, struct gm_group *g, const char *user, uint64_t now)
{
	GLOG(gm->diag, DIAG_MSG_GM_CLEAR_REGISTER, g->cfg.name, user ? user : "console");
	gm_event(gm, GDOI_GM_EV_REREGISTER, g, g->reg_ks, "clear crypto gdoi", 0);
	gm_attempt_abort(gm, g, now);
	gm_uninstall(gm, g);
	g->next_ns = now;
	g->rereg_due = false;
}

int gdoi_gm_clear(struct gdoi_gm *gm, const char *group, const char *user, uint64_t now)
{
	assert(now >= gm->now);
	gm->now = now;
	int found = 0;
	for (size_t i = 0; i < gm->n_groups; i++) {
		if (group && strcmp(group, gm->groups[i]->cfg.name))
			continue;
		clear_group(gm, gm->groups[i], user, now);
		found = 1;
	}
	return found ? 0 : ERR_NOTFOUND;
}

static struct gm_group *find_group(struct gdoi_gm *gm, const char *name)
{
	for (size_t i = 0; i < gm->n_groups; i++)
		if (!strcmp(gm->groups[i]->cfg.name, name))
			return gm->groups[i];
	return NULL;
}

/* A kept group takes its new configuration. */
static void reconfigure(struct gdoi_gm *gm, struct gm_group *g, const struct gm_group_cfg *c,
			uint64_t now)
{
	bool new_id = c->id.type != g->cfg.id.type || c->id.value != g->cfg.id.value;
	g->cfg = *c;
	if (g->srv >= c->n_servers)
		g->srv = 0;
	if (new_id)
		clear_group(gm, g, "configuration", now);
	else
		gm_publish(gm, g); /* fail-close may have changed */
}

int gdoi_gm_config_replace(struct gdoi_gm *gm, const struct gdoi_gm_config *cfg, uint64_t now,
			   char *err, size_t err_cap)
{
	struct gm_group_cfg gc[GDOI_GM_GROUPS_MAX];
	struct gm_group *next[GDOI_GM_GROUPS_MAX] = {0};
	assert(now >= gm->now);
	gm->now = now;
	int rc = check_groups(cfg, gc, err, err_cap);
	for (size_t i = 0; rc == 0 && i < cfg->n_groups; i++) {
		next[i] = find_group(gm, gc[i].name);
		if (!next[i] && !(next[i] = group_new(gm, &gc[i], now)))
			rc = ERR_NOMEM;
	}
	if (rc < 0) {
		for (size_t i = 0; i < cfg->n_groups; i++)
			if (next[i] && !find_group(gm, next[i]->cfg.name))
				group_free(gm, next[i], now, false);
		return rc;
	}
	bool was[GDOI_GM_GROUPS_MAX] = {0};
	for (size_t i = 0; i < cfg->n_groups; i++)
		for (size_t j = 0; j < gm->n_groups; j++)
			was[i] |= gm->groups[j] == next[i];
	for (size_t i = 0; i < gm->n_groups; i++) {
		struct gm_group *g = gm->groups[i];
		bool kept = false;
		for (size_t j = 0; j < cfg->n_groups; j++)
			kept |= next[j] == g;
		if (!kept) {
			GLOG(gm->diag, DIAG_MSG_GM_UNREGISTER, g->cfg.name);
			group_free(gm, g, now, true);
		}
	}
	for (size_t i = 0; i < cfg->n_groups; i++) {
		if (was[i])
			reconfigure(gm, next[i], &gc[i], now);
		else
			gm_publish(gm, next[i]);
	}
	memcpy(gm->groups, next, sizeof(next));
	gm->n_groups = cfg->n_groups;
	return 0;
}

bool gdoi_gm_owns(const struct gdoi_gm *gm, const uint8_t *msg, size_t len)
{
	static const uint8_t zero[IKE1_COOKIE_LEN];
	struct wire_isakmp_hdr h;
	if (wire_isakmp_hdr_decode(msg, len, &h, NULL) < 0)
		return false;
	/* ike1_sa_find takes a mutable table; it only looks. */
	struct ike1_sa_table *t = (struct ike1_sa_table *)&gm->ike;
	struct ike1_sa *sa = ike1_sa_find(t, h.icookie, h.rcookie);
	if (!sa) /* the answer to our MM1: we do not know the responder cookie yet */
		sa = ike1_sa_find(t, h.icookie, zero);
	return sa && sa->role == IKE1_INITIATOR;
}

struct ike1_sa_table *gdoi_gm_ike(struct gdoi_gm *gm)
{
	return &gm->ike;
}
