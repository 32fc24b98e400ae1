#include "daemon/engines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/log.h"
#include "dp/rules.h"
#include "gdoi/dispatch.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

enum {
	SRC_SLOTS = 256, /* peers whose local address we remember */
};

/* Which local address a peer last reached us at: replies leave from it. */
struct src_slot {
	uint32_t peer, local;
};

struct daemon_engines {
	struct daemon_engines_env env;
	struct gdoi_ks *ks;
	struct gdoi_gm *gm;
	uint32_t ks_local, gm_local; /* the engines' own addresses */
	struct dp_runtime *dp;
	struct daemon_gmdp *gmdp;
	uint64_t dp_poll_ns; /* next dp_runtime_poll */
	/* the time of the engine call under way (installs come without one) */
	uint64_t now;
	struct src_slot src[SRC_SLOTS];
};

static struct src_slot *src_slot(struct daemon_engines *e, uint32_t peer)
{
	/* direct-mapped: a forgotten peer costs only the default source address */
	return &e->src[(peer ^ (peer >> 8) ^ (peer >> 16)) % SRC_SLOTS];
}

static uint32_t source_for(struct daemon_engines *e, uint32_t peer, uint32_t dflt)
{
	const struct src_slot *s = src_slot(e, peer);
	return s->peer == peer && s->local ? s->local : dflt;
}

/* ---- engine outputs ---- */

static void ks_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct daemon_engines *e = ctx;
	/* a KS with `address ipv4` speaks from it; else from where the GM came */
	uint32_t src = e->ks_local ? e->ks_local : source_for(e, peer->ip4, 0);
	e->env.send(e->env.send_arg, peer, src, msg, len);
}

static void gm_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct daemon_engines *e = ctx;
	e->env.send(e->env.send_arg, peer, source_for(e, peer->ip4, e->gm_local), msg, len);
}

static void gm_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct daemon_engines *e = ctx;
	if (e->env.keylog && in->policy)
		daemon_keylog_policy(e->env.keylog, in->group, in->ks_addr, in->policy);
	if (!e->gmdp)
		return;
	int rc = daemon_gmdp_install(e->gmdp, in, e->now);
	if (rc && rc != ERR_NOTFOUND && e->env.diag)
		diag_trace_exit(e->env.diag, POLICY_NOT_INSTALLED, rc, in->group, in->ks_addr,
				"data plane refused the policy: %s", err_name(rc));
}

static void gm_remove(void *ctx, const char *group, uint32_t handle)
{
	struct daemon_engines *e = ctx;
	(void)handle;
	if (e->gmdp)
		daemon_gmdp_remove(e->gmdp, group);
}

/* ---- life cycle ---- */

static int dp_publish(void *arg, const struct dp_sad_group_desc *groups, size_t n)
{
	return dp_runtime_publish(arg, groups, n);
}

/* The runtime's events (started, rules applied, MTU, iptables errors) go
 * where gvpnd's other start-up and reload messages go (gvpnd.log in the lab). */
static void dp_log(void *arg, int severity, const char *msg)
{
	(void)arg;
	(void)severity;
	fprintf(stderr, "gvpnd: %s\n", msg);
}

/*
 * Chains of interfaces that no longer carry the crypto map go once the new
 * runtime has its own (a crash, or a fail-close stop, may have left them;
 * a fail-close chain of an old interface would drop forever). Failure is
 * only reported: the data plane itself runs.
 */
void daemon_engines_purge_dp(const struct dp_runtime_cfg *dc)
{
	struct dp_rules_ctx ctx = {0};
	const char *keep[1] = {NULL};
	size_t n_keep = 0;
	if (dc) {
		ctx.save_cmd = dc->iptables_save;
		ctx.restore_cmd = dc->iptables_restore;
		keep[n_keep++] = dc->ifname;
	}
	if (dp_rules_purge(&ctx, keep, n_keep))
		fprintf(stderr, "gvpnd: data plane: cannot remove the rules of %s: %s\n",
			dc ? "other interfaces" : "an earlier run", ctx.err);
}

static int start_dp(struct daemon_engines *e, const struct daemon_engines_cfg *cfg, uint64_t now,
		    struct dbuf *err)
{
	struct dp_sad *sad = cfg->test_sad;
	daemon_gmdp_publish_fn publish = cfg->test_publish;
	void *arg = cfg->test_publish_arg;
	if (cfg->dp) {
		struct dp_runtime_cfg dc = *cfg->dp;
		if (!dc.log)
			dc.log = dp_log;
		int rc = dp_runtime_start(&dc, &e->dp);
		if (rc) {
			dbuf_printf(err, "gvpnd: data plane on %s: %s\n", cfg->dp->ifname,
				    err_name(rc));
			return rc;
		}
		daemon_engines_purge_dp(&dc);
		sad = dp_runtime_sad(e->dp);
		publish = dp_publish;
		arg = e->dp;
		e->dp_poll_ns = now + DP_RUNTIME_POLL_MS * NS_PER_MS;
	}
	if (!sad)
		return 0;
	int rc = daemon_gmdp_new(sad, cfg->dp_groups, cfg->n_dp_groups, publish, arg, e->env.rng,
				 e->env.diag, &e->gmdp);
	if (rc)
		dbuf_printf(err, "gvpnd: data plane groups: %s\n", err_name(rc));
	return rc;
}

/* The KS's TEKs go to the key export when a member gets them or a new one comes. */
static void ks_event(void *ctx, const struct gdoi_ks_event *ev)
{
	struct daemon_engines *e = ctx;
	if (!e->env.keylog || !e->ks || !ev->group ||
	    (ev->type != GDOI_KS_EV_REGISTERED && ev->type != GDOI_KS_EV_TEK_ROLLED))
		return;
	int i = gdoi_ks_group_find(e->ks, ev->group);
	if (i >= 0)
		daemon_keylog_policy(e->env.keylog, ev->group, ev->peer,
				     gdoi_ks_group_policy(e->ks, (size_t)i));
}

static void ks_persist(void *ctx, const uint8_t *blob, size_t len)
{
	struct daemon_engines *e = ctx;
	e->env.ks_persist(e->env.ks_persist_arg, blob, len);
}

/* cfg with the phase-1 key export hook when there is one. */
static void ike_keylog(struct daemon_engines *e, struct ike1_config *ike)
{
	if (e->env.keylog) {
		ike->keylog = daemon_keylog_ike1;
		ike->keylog_arg = e->env.keylog;
	}
}

static int start_ks(struct daemon_engines *e, const struct gdoi_ks_config *cfg, uint64_t now,
		    struct dbuf *err)
{
	static const struct gdoi_ks_io io = {.send = ks_send, .event = ks_event};
	struct gdoi_ks_io kio = io;
	kio.ctx = e;
	if (e->env.ks_persist)
		kio.persist = ks_persist;
	struct gdoi_ks_config c = *cfg;
	ike_keylog(e, &c.ike);
	char why[256] = "";
	int rc = gdoi_ks_new(&c, &kio, e->env.rng, e->env.diag, now, &e->ks, why, sizeof(why));
	if (rc)
		dbuf_printf(err, "gvpnd: key server: %s%s%s\n", err_name(rc), why[0] ? ": " : "",
			    why);
	/* the TEKs just made, for a KS started with `debug crypto ipsec keys` on (a reload) */
	for (size_t i = 0; !rc && e->env.keylog && i < cfg->n_groups; i++)
		daemon_keylog_policy(e->env.keylog, cfg->groups[i].name, 0,
				     gdoi_ks_group_policy(e->ks, i));
	e->ks_local = cfg->ike.local.ip4;
	return rc;
}

static int start_gm(struct daemon_engines *e, const struct gdoi_gm_config *cfg, uint64_t now,
		    struct dbuf *err)
{
	struct gdoi_gm_io io = {
	    .ctx = e, .send = gm_send, .install = gm_install, .remove = gm_remove};
	struct gdoi_gm_config c = *cfg;
	ike_keylog(e, &c.ike);
	char why[256] = "";
	int rc = gdoi_gm_new(&c, &io, e->env.rng, e->env.diag, now, &e->gm, why, sizeof(why));
	if (rc)
		dbuf_printf(err, "gvpnd: group member: %s%s%s\n", err_name(rc), why[0] ? ": " : "",
			    why);
	e->gm_local = cfg->ike.local.ip4;
	return rc;
}

int daemon_engines_new(const struct daemon_engines_cfg *cfg, const struct daemon_engines_env *env,
		       uint64_t now, struct daemon_engines **out, struct dbuf *err)
{
	struct daemon_engines *e = calloc(1, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	e->env = *env;
	e->dp_poll_ns = CLOCK_NEVER;
	e->now = now;
	/* the data plane first: the GM installs fail-close groups while it starts */
	int rc = start_dp(e, cfg, now, err);
	if (!rc && cfg->ks)
		rc = start_ks(e, cfg->ks, now, err);
	if (!rc && cfg->gm)
		rc = start_gm(e, cfg->gm, now, err);
	if (rc) {
		daemon_engines_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void daemon_engines_free(struct daemon_engines *e)
{
	if (!e)
		return;
	gdoi_gm_free(e->gm);
	gdoi_ks_free(e->ks);
	/* stop the workers before the SAs they may use go */
	if (e->dp)
		dp_runtime_stop(e->dp);
	daemon_gmdp_free(e->gmdp);
	free(e);
}

/* ---- datagrams and time ---- */

void daemon_engines_input(struct daemon_engines *e, uint64_t now, const struct ike1_peer *from,
			  uint32_t local_ip4, const uint8_t *msg, size_t len)
{
	e->now = now;
	struct src_slot *s = src_slot(e, from->ip4);
	s->peer = from->ip4;
	s->local = local_ip4;
	enum gdoi_route route = gdoi_dispatch(e->gm, e->ks, msg, len);
	/*
	 * A member registering with the key server of its own box: its MM1
	 * (cookies of its own SA) would go back to it. What comes from the
	 * member's own address was sent by the member, so it is the KS's.
	 */
	if (route == GDOI_ROUTE_GM && e->ks && from->ip4 == e->gm_local)
		route = GDOI_ROUTE_KS;
	switch (route) {
	case GDOI_ROUTE_GM:
		gdoi_gm_input(e->gm, now, from, msg, len);
		break;
	case GDOI_ROUTE_KS:
		gdoi_ks_input(e->ks, now, from, msg, len);
		break;
	default:
		break;
	}
}

void daemon_engines_tick(struct daemon_engines *e, uint64_t now)
{
	e->now = now;
	if (e->ks && gdoi_ks_next_deadline(e->ks) <= now)
		gdoi_ks_tick(e->ks, now);
	if (e->gm && gdoi_gm_next_deadline(e->gm) <= now)
		gdoi_gm_tick(e->gm, now);
	if (e->dp && e->dp_poll_ns <= now)
		daemon_engines_dp_poll(e, now);
}

uint64_t daemon_engines_next_deadline(const struct daemon_engines *e)
{
	uint64_t d = e->dp_poll_ns;
	if (e->ks) {
		uint64_t k = gdoi_ks_next_deadline(e->ks);
		d = k < d ? k : d;
	}
	if (e->gm) {
		uint64_t g = gdoi_gm_next_deadline(e->gm);
		d = g < d ? g : d;
	}
	return d;
}

void daemon_engines_dp_poll(struct daemon_engines *e, uint64_t now)
{
	if (!e->dp)
		return;
	dp_runtime_poll(e->dp);
	e->dp_poll_ns = now + DP_RUNTIME_POLL_MS * NS_PER_MS;
}

int daemon_engines_dp_fd(const struct daemon_engines *e)
{
	return e->dp ? dp_runtime_fd(e->dp) : -1;
}

/* ---- commands ---- */

int daemon_engines_clear(struct daemon_engines *e, const char *group, uint64_t now,
			 struct dbuf *msg)
{
	if (!e->gm) {
		dbuf_printf(msg, "%% clear crypto gdoi on a key server is not implemented yet\n");
		return ERR_UNSUPP;
	}
	e->now = now;
	int rc = gdoi_gm_clear(e->gm, group, "console", now);
	if (rc == ERR_NOTFOUND)
		dbuf_printf(msg, "%% Group %s not found\n", group ? group : "");
	return rc;
}

struct gdoi_ks *daemon_engines_ks(struct daemon_engines *e)
{
	return e->ks;
}

struct gdoi_gm *daemon_engines_gm(struct daemon_engines *e)
{
	return e->gm;
}

struct dp_runtime *daemon_engines_dp(struct daemon_engines *e)
{
	return e->dp;
}
