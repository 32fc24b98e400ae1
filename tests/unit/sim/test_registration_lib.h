/*
 * Harness of the registration tests: GDOI key servers and group members as
 * simulator nodes (tests/unit/sim/lib/sim.h), with the data-plane installs
 * and the syslog lines they produce kept for assertions.
 *
 * Every node talks on UDP 848. Engines of one role share one diag context
 * (struct h_log), whose hook keeps per-message counts and, optionally, the
 * lines in order.
 */
#ifndef GVPN_TEST_REGISTRATION_LIB_H
#define GVPN_TEST_REGISTRATION_LIB_H

#include "test.h"

#include <stdlib.h>

#include "crypto/rsa.h"
#include "diag/log.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "sim.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

#define H_UNUSED    __attribute__((unused))
#define H_PORT	    848
#define H_LINES_MAX 4096

/* The simulator seed: GVPN_SEED, or dflt; printed so that a failure can be replayed. */
static H_UNUSED uint64_t h_seed(uint64_t dflt)
{
	const char *s = getenv("GVPN_SEED");
	uint64_t v = s ? strtoull(s, NULL, 0) : dflt;
	printf("# seed %llu (GVPN_SEED to replay another)\n", (unsigned long long)v);
	return v;
}

/* ---- syslog capture ---- */

struct h_line {
	enum diag_msg_id id;
	char text[256];
};

struct h_log {
	struct diag d;
	bool keep; /* keep the lines (small tests) */
	size_t count[DIAG_MSG_COUNT + 1];
	size_t n;
	struct h_line line[H_LINES_MAX];
};

static H_UNUSED void h_log_hook(void *arg, const struct diag_record *rec)
{
	struct h_log *l = arg;
	l->count[rec->id <= DIAG_MSG_COUNT ? rec->id : DIAG_MSG_COUNT]++;
	if (!l->keep || l->n == H_LINES_MAX)
		return;
	l->line[l->n].id = rec->id;
	/* Debug lines are kept whole ("GDOI:GM REGISTRATION:EVT:(1):..."). */
	snprintf(l->line[l->n].text, sizeof(l->line[l->n].text), "%s",
		 rec->id == DIAG_MSG_DEBUG ? rec->line : rec->text);
	l->n++;
}

static H_UNUSED struct h_log *h_log_new(struct sim *s, bool keep)
{
	struct h_log *l = calloc(1, sizeof(*l));
	assert_non_null(l);
	assert_int_equal(diag_init(&l->d, sim_clock(s)), 0);
	diag_set_local_time(&l->d, false);
	l->keep = keep;
	diag_set_hook(&l->d, h_log_hook, l);
	return l;
}

static H_UNUSED void h_log_free(struct h_log *l)
{
	diag_free(&l->d);
	free(l);
}

/* Kept syslog lines, debug lines not counted. */
static H_UNUSED size_t h_log_messages(const struct h_log *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->line[i].id != DIAG_MSG_DEBUG;
	return n;
}

/* Index of the first kept line with this id at or after from, or -1. */
static H_UNUSED int h_log_find(const struct h_log *l, enum diag_msg_id id, size_t from)
{
	for (size_t i = from; i < l->n; i++)
		if (l->line[i].id == id)
			return (int)i;
	return -1;
}

/* Assert the next line with this id after *from has exactly this text; advance *from. */
static H_UNUSED void h_log_expect(const struct h_log *l, size_t *from, enum diag_msg_id id,
				  const char *text)
{
	int i = h_log_find(l, id, *from);
	if (i < 0)
		fail_msg("no %s after line %zu", diag_catalog_get(id)->mnemonic, *from);
	assert_string_equal(l->line[i].text, text);
	*from = (size_t)i + 1;
}

/* ---- the KS's rekey key, made once per test program ---- */

static H_UNUSED struct crypto_rsa h_rsa;

static H_UNUSED int h_rsa_setup(void **state)
{
	(void)state;
	return crypto_rsa_generate(&h_rsa, 2048);
}

static H_UNUSED int h_rsa_teardown(void **state)
{
	(void)state;
	crypto_rsa_clear(&h_rsa);
	return 0;
}

/* ---- configuration ---- */

static const struct ike1_policy h_p1_policy[] = {
    /* DH group 19 (ECP-256): the cheapest group gvpn allows without weak_groups. */
    {.cipher = CRYPTO_CBC_AES256,
     .hash = CRYPTO_HASH_SHA256,
     .auth = WIRE_P1_AUTH_PSK,
     .group = WIRE_GROUP_ECP256,
     .life_sec = 86400},
};

static H_UNUSED int h_psk(void *arg, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	const char *psk = arg;
	(void)peer;
	if (!psk)
		return -1;
	size_t n = strlen(psk);
	memcpy(key, psk, n);
	return (int)n;
}

static H_UNUSED void h_ike_config(struct ike1_config *c, uint32_t local)
{
	ike1_config_default(c);
	c->policies = h_p1_policy;
	c->n_policies = 1;
	c->local = (struct ike1_peer){local, H_PORT};
	c->max_half_open = 4096;
}

/* The ACL of the troubleshooting guide's sample policy, plus a port range. */
static const struct gdoi_acl_entry h_acl[] = {
    {.seq = 10, .action = GDOI_ACL_DENY, .proto = 1, .src_wild = ~0u, .dst_wild = ~0u},
    {.seq = 20,
     .action = GDOI_ACL_DENY,
     .proto = 17,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .sport = {GDOI_PORT_EQ, 848, 0},
     .dport = {GDOI_PORT_EQ, 848, 0}},
    {.seq = 30,
     .action = GDOI_ACL_PERMIT,
     .proto = 6,
     .src = 0x0a010000,
     .src_wild = 0xffff,
     .dst = 0x0a020000,
     .dst_wild = 0xffff,
     .dport = {GDOI_PORT_RANGE, 1000, 2000}},
    {.seq = 40, .action = GDOI_ACL_PERMIT, .proto = 0, .src_wild = ~0u, .dst_wild = ~0u},
};

struct h_ks_setup {
	struct gdoi_ks_config cfg;
	struct gdoi_ks_group_config group;
	struct gdoi_ks_sa_config sa;
	struct gdoi_std_acl_entry auth[2];
	struct crypto_rsa *rsa;
};

/* KS config: group G1, identity 3333, unicast rekey, AES-256 CBC / SHA-256 TEK. */
static H_UNUSED void h_ks_setup(struct h_ks_setup *k, uint32_t addr, const char *psk,
				struct crypto_rsa *rsa)
{
	memset(k, 0, sizeof(*k));
	k->rsa = rsa;
	k->sa = (struct gdoi_ks_sa_config){.number = 1,
					   .profile = "gdoi-p",
					   .acl_name = "ENCPOL",
					   .xf = {GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256},
					   .life_sec = 3600,
					   .acl = h_acl,
					   .n_acl = sizeof(h_acl) / sizeof(h_acl[0]),
					   .replay = GDOI_REPLAY_TIME,
					   .replay_window = 4};
	k->group = (struct gdoi_ks_group_config){.name = "G1",
						 .id = {GDOI_ID_NUMBER, 3333},
						 .kek_alg = CRYPTO_CBC_AES128,
						 .kek_life_sec = 86400,
						 .rsa_label = "key1",
						 .rsa_key = rsa,
						 .sas = &k->sa,
						 .n_sas = 1};
	h_ike_config(&k->cfg.ike, addr);
	k->cfg.psk = h_psk;
	k->cfg.psk_arg = (void *)psk;
	k->cfg.caps = GDOI_CAPS_ALL;
	k->cfg.groups = &k->group;
	k->cfg.n_groups = 1;
}

struct h_gm_setup {
	struct gdoi_gm_config cfg;
	struct gdoi_gm_group_config group;
	uint32_t servers[GDOI_GM_SERVERS_MAX];
};

static H_UNUSED void h_gm_setup(struct h_gm_setup *g, uint32_t addr, const char *psk,
				const uint32_t *servers, size_t n)
{
	memset(g, 0, sizeof(*g));
	memcpy(g->servers, servers, n * sizeof(*servers));
	g->group = (struct gdoi_gm_group_config){
	    .name = "G1", .id = {GDOI_ID_NUMBER, 3333}, .servers = g->servers, .n_servers = n};
	h_ike_config(&g->cfg.ike, addr);
	g->cfg.psk = h_psk;
	g->cfg.psk_arg = (void *)psk;
	g->cfg.caps = GDOI_CAPS_ALL;
	g->cfg.groups = &g->group;
	g->cfg.n_groups = 1;
}

/* ---- nodes ---- */

struct h_ks {
	struct sim *sim;
	struct sim_node *node;
	uint32_t addr;
	struct gdoi_ks *ks;
	size_t rx;		     /* datagrams delivered */
	struct wire_isakmp_hdr last; /* header of the last one */
	size_t registered, refused;  /* events */
};

struct h_gm {
	struct sim *sim;
	struct sim_node *node;
	uint32_t addr;
	struct gdoi_gm *gm;
	size_t rx;
	struct wire_isakmp_hdr last;
	size_t installs, removes;
	enum gdoi_gm_dp_state state; /* of the last install; 0 after a remove */
	bool has_policy;
	struct gdoi_policy pol; /* copy of the last installed policy */
	uint64_t registered_at; /* first REGISTERED event */
	size_t registrations, failures;
	bool gap; /* h_gm_check_gap saw no usable TEK */
};

static H_UNUSED void h_send(struct sim *s, uint32_t from, const struct ike1_peer *peer,
			    const uint8_t *msg, size_t len)
{
	sim_send(s, from, H_PORT, peer->ip4, peer->port, msg, len);
}

static H_UNUSED void h_ks_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg,
			       size_t len)
{
	struct h_ks *k = ctx;
	h_send(k->sim, k->addr, peer, msg, len);
}

static H_UNUSED void h_ks_event(void *ctx, const struct gdoi_ks_event *ev)
{
	struct h_ks *k = ctx;
	k->registered += ev->type == GDOI_KS_EV_REGISTERED;
	k->refused += ev->type == GDOI_KS_EV_REFUSED;
}

static H_UNUSED void h_ks_input(void *e, uint64_t now, uint32_t src, uint16_t sport, uint32_t dst,
				uint16_t dport, const uint8_t *p, size_t len)
{
	struct h_ks *k = e;
	(void)dst;
	(void)dport;
	k->rx++;
	wire_isakmp_hdr_decode(p, len, &k->last, NULL);
	gdoi_ks_input(k->ks, now, &(struct ike1_peer){src, sport}, p, len);
}

static H_UNUSED void h_ks_tick(void *e, uint64_t now)
{
	struct h_ks *k = e;
	gdoi_ks_tick(k->ks, now);
}

static H_UNUSED uint64_t h_ks_deadline(void *e)
{
	struct h_ks *k = e;
	return gdoi_ks_next_deadline(k->ks);
}

static const struct sim_node_ops h_ks_ops = {h_ks_input, h_ks_tick, h_ks_deadline};

static H_UNUSED struct h_ks *h_ks_new(struct sim *s, const struct h_ks_setup *setup, struct diag *d)
{
	struct h_ks *k = calloc(1, sizeof(*k));
	assert_non_null(k);
	k->sim = s;
	k->addr = setup->cfg.ike.local.ip4;
	struct gdoi_ks_io io = {.ctx = k, .send = h_ks_send, .event = h_ks_event};
	char err[128] = "";
	int rc = gdoi_ks_new(&setup->cfg, &io, sim_rng(s), d, sim_now(s), &k->ks, err, sizeof(err));
	if (rc < 0)
		fail_msg("gdoi_ks_new: %s (%s)", err_name(rc), err);
	k->node = sim_node_add(s, k->addr, &h_ks_ops, k);
	return k;
}

/* The KS process restarts: same configuration, fresh keys, nothing remembered. */
static H_UNUSED void h_ks_restart(struct h_ks *k, const struct h_ks_setup *setup, struct diag *d)
{
	struct gdoi_ks_io io = {.ctx = k, .send = h_ks_send, .event = h_ks_event};
	char err[128] = "";
	gdoi_ks_free(k->ks);
	assert_int_equal(gdoi_ks_new(&setup->cfg, &io, sim_rng(k->sim), d, sim_now(k->sim), &k->ks,
				     err, sizeof(err)),
			 0);
	sim_node_set_engine(k->node, k);
}

static H_UNUSED void h_ks_free(struct h_ks *k)
{
	gdoi_ks_free(k->ks);
	free(k);
}

static H_UNUSED void h_gm_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg,
			       size_t len)
{
	struct h_gm *g = ctx;
	h_send(g->sim, g->addr, peer, msg, len);
}

static H_UNUSED void h_gm_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct h_gm *g = ctx;
	g->installs++;
	g->state = in->state;
	g->has_policy = in->policy != NULL;
	if (in->policy)
		g->pol = *in->policy;
	else
		gdoi_policy_clear(&g->pol);
}

static H_UNUSED void h_gm_remove(void *ctx, const char *group, uint32_t handle)
{
	struct h_gm *g = ctx;
	(void)group;
	(void)handle;
	g->removes++;
	g->state = 0;
	g->has_policy = false;
	gdoi_policy_clear(&g->pol);
}

static H_UNUSED void h_gm_event(void *ctx, const struct gdoi_gm_event *ev)
{
	struct h_gm *g = ctx;
	if (ev->type == GDOI_GM_EV_REGISTERED && !g->registrations++)
		g->registered_at = sim_now(g->sim);
	g->failures += ev->type == GDOI_GM_EV_ATTEMPT_FAILED;
}

static H_UNUSED void h_gm_input(void *e, uint64_t now, uint32_t src, uint16_t sport, uint32_t dst,
				uint16_t dport, const uint8_t *p, size_t len)
{
	struct h_gm *g = e;
	(void)dst;
	(void)dport;
	g->rx++;
	wire_isakmp_hdr_decode(p, len, &g->last, NULL);
	gdoi_gm_input(g->gm, now, &(struct ike1_peer){src, sport}, p, len);
}

static H_UNUSED void h_gm_tick(void *e, uint64_t now)
{
	struct h_gm *g = e;
	gdoi_gm_tick(g->gm, now);
}

static H_UNUSED uint64_t h_gm_deadline(void *e)
{
	struct h_gm *g = e;
	return gdoi_gm_next_deadline(g->gm);
}

static const struct sim_node_ops h_gm_ops = {h_gm_input, h_gm_tick, h_gm_deadline};

static H_UNUSED struct h_gm *h_gm_new(struct sim *s, const struct h_gm_setup *setup, struct diag *d,
				      uint64_t start)
{
	struct h_gm *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	g->sim = s;
	g->addr = setup->cfg.ike.local.ip4;
	struct gdoi_gm_io io = {.ctx = g,
				.send = h_gm_send,
				.install = h_gm_install,
				.remove = h_gm_remove,
				.event = h_gm_event};
	char err[128] = "";
	int rc = gdoi_gm_new(&setup->cfg, &io, sim_rng(s), d, start, &g->gm, err, sizeof(err));
	if (rc < 0)
		fail_msg("gdoi_gm_new: %s (%s)", err_name(rc), err);
	g->node = sim_node_add(s, g->addr, &h_gm_ops, g);
	return g;
}

static H_UNUSED void h_gm_free(struct h_gm *g)
{
	gdoi_gm_free(g->gm);
	gdoi_policy_clear(&g->pol);
	free(g);
}

/* State name of the only (or first) ISAKMP SA of a table, "none" without one. */
static H_UNUSED int h_first_sa(void *arg, struct ike1_sa *sa)
{
	*(struct ike1_sa **)arg = sa;
	return 1;
}

static H_UNUSED const char *h_sa_state(struct ike1_sa_table *t)
{
	struct ike1_sa *sa = NULL;
	ike1_sa_foreach(t, h_first_sa, &sa);
	if (!sa)
		return "none";
	struct ike1_sa_row row;
	ike1_sa_row(sa, &row);
	return row.state;
}

/* Does the GM's installed policy have a TEK to send with for every sa_num at now? */
static H_UNUSED bool h_gm_can_send(const struct h_gm *g, uint64_t now)
{
	if (!g->has_policy || !g->pol.n_teks)
		return false;
	for (size_t i = 0; i < g->pol.n_acl; i++)
		if (g->pol.acl[i].action == GDOI_ACL_PERMIT &&
		    !gdoi_policy_outbound(&g->pol, g->pol.acl[i].sa_num, now))
			return false;
	return true;
}

#endif
