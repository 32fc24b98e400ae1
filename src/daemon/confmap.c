#include "daemon/confmap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

/* The language's limits fit the engines' (the parser refuses more). */
_Static_assert(CONF_ISAKMP_POLICIES_MAX <= IKE1_POLICIES_MAX, "isakmp policies");
_Static_assert(CONF_GROUP_SAS_MAX <= GDOI_KS_SAS_MAX, "sa ipsec per group");
_Static_assert(CONF_GROUP_SERVERS_MAX <= GDOI_GM_SERVERS_MAX, "server addresses");
_Static_assert(CONF_GROUPS_MAX <= GDOI_KS_GROUPS_MAX && CONF_GROUPS_MAX <= GDOI_GM_GROUPS_MAX,
	       "groups");
_Static_assert(CONF_ACL_LINES_MAX <= GDOI_AUTH_ACL_MAX, "authorization lines");

struct ctx {
	const struct conf_config *c;
	const struct daemon_confmap_env *env;
	struct daemon_confmap *m;
	struct dbuf *err;
	int rc;
};

__attribute__((format(printf, 3, 4))) static void problem(struct ctx *x, uint32_t line,
							  const char *fmt, ...)
{
	x->rc = ERR_INVAL;
	if (!x->err)
		return;
	dbuf_printf(x->err, "%s:%u: ", x->c->file[0] ? x->c->file : "config", (unsigned)line);
	va_list ap;
	va_start(ap, fmt);
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dbuf_printf(x->err, "%s\n", msg);
}

/* ---- crypto isakmp ---- */

static enum crypto_hash_alg hash_of(uint8_t h)
{
	switch (h) {
	case CONF_HASH_SHA1:
		return CRYPTO_HASH_SHA1;
	case CONF_HASH_SHA256:
		return CRYPTO_HASH_SHA256;
	case CONF_HASH_SHA384:
		return CRYPTO_HASH_SHA384;
	default:
		return 0;
	}
}

/* AES 128/192/256 or 3DES as a CBC algorithm; 0 for anything else. */
static enum crypto_cbc_alg cbc_of(bool aes, uint16_t key_bits)
{
	if (!aes)
		return key_bits == 192 ? CRYPTO_CBC_3DES : 0;
	switch (key_bits) {
	case 128:
		return CRYPTO_CBC_AES128;
	case 192:
		return CRYPTO_CBC_AES192;
	case 256:
		return CRYPTO_CBC_AES256;
	default:
		return 0;
	}
}

static void map_isakmp(struct ctx *x)
{
	const struct conf_config *c = x->c;
	struct daemon_confmap *m = x->m;
	for (size_t i = 0; i < c->n_isakmp_policies; i++)
		if (c->isakmp_policies[i].dh_group == WIRE_GROUP_MODP1024)
			m->weak_groups = true;
	for (size_t i = 0; i < c->n_isakmp_policies; i++) {
		const struct conf_isakmp_policy *p = &c->isakmp_policies[i];
		struct ike1_policy *o = &m->policies[m->n_policies++];
		o->cipher = cbc_of(p->enc == CONF_IKE_ENC_AES, p->key_bits);
		o->hash = hash_of(p->hash);
		o->auth = p->auth == CONF_IKE_AUTH_PSK ? WIRE_P1_AUTH_PSK : 0;
		o->group = p->dh_group;
		o->life_sec = p->lifetime_sec;
		if (ike1_policy_check(o, m->weak_groups))
			problem(x, p->line, "isakmp policy %u: not supported by this version",
				(unsigned)p->priority);
	}
}

static bool covers(uint32_t addr, uint32_t mask, uint32_t peer)
{
	return (peer & mask) == (addr & mask);
}

int daemon_confmap_psk(const struct daemon_confmap *m, uint32_t peer,
		       uint8_t key[static IKE1_PSK_MAX])
{
	const struct conf_config *c = m->conf;
	const struct conf_isakmp_key *best = NULL;
	for (size_t i = 0; i < c->n_isakmp_keys; i++) {
		const struct conf_isakmp_key *k = &c->isakmp_keys[i];
		/* a longer mask (more one bits) is a larger number for contiguous masks */
		if (covers(k->addr, k->mask, peer) && (!best || k->mask > best->mask))
			best = k;
	}
	if (!best)
		return -1;
	size_t len = strnlen(best->key, sizeof(best->key));
	if (len > IKE1_PSK_MAX)
		return -1;
	memcpy(key, best->key, len);
	return (int)len;
}

int daemon_confmap_psk_cb(void *arg, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	return daemon_confmap_psk(arg, peer->ip4, key);
}

/* ---- ACLs ---- */

static uint8_t port_op(uint8_t op)
{
	switch (op) {
	case CONF_PORT_EQ:
		return GDOI_PORT_EQ;
	case CONF_PORT_NEQ:
		return GDOI_PORT_NEQ;
	case CONF_PORT_LT:
		return GDOI_PORT_LT;
	case CONF_PORT_GT:
		return GDOI_PORT_GT;
	case CONF_PORT_RANGE:
		return GDOI_PORT_RANGE;
	default:
		return GDOI_PORT_ANY;
	}
}

static struct gdoi_ports ports_of(const struct conf_ports *p)
{
	return (struct gdoi_ports){.op = port_op(p->op), .a = p->a, .b = p->b};
}

/* The lines of extended ACL a into out (room for cap), tagged sa_num; count or -1. */
static int map_ext_acl(struct ctx *x, const struct conf_acl *a, uint32_t ref_line, uint16_t sa_num,
		       struct gdoi_acl_entry *out, size_t cap)
{
	if (a->n_lines > GDOI_KS_ACL_LINES_MAX) {
		problem(x, ref_line, "access-list %s has %zu lines; a key server sends at most %d",
			a->name, a->n_lines, GDOI_KS_ACL_LINES_MAX);
		return -1;
	}
	if (a->n_lines > cap) {
		problem(x, ref_line,
			"access-list %s: the group's ACLs together have more than %d lines",
			a->name, GDOI_ACL_MAX);
		return -1;
	}
	int bad = 0;
	for (size_t i = 0; i < a->n_lines; i++) {
		const struct conf_acl_line *l = &a->lines[i];
		struct gdoi_acl_entry *e = &out[i];
		*e = (struct gdoi_acl_entry){
		    .seq = (uint32_t)(i + 1) * 10,
		    .action = l->permit ? GDOI_ACL_PERMIT : GDOI_ACL_DENY,
		    .proto = l->proto,
		    .src = l->src,
		    .src_wild = l->src_wild,
		    .dst = l->dst,
		    .dst_wild = l->dst_wild,
		    .sport = ports_of(&l->sport),
		    .dport = ports_of(&l->dport),
		    .sa_num = sa_num,
		};
		const char *why = NULL;
		if (gdoi_acl_entry_check(e, GDOI_ACL_CONTIGUOUS, &why)) {
			problem(x, l->line, "access-list %s: %s (a GDOI policy cannot carry it)",
				a->name, why ? why : "unusable line");
			bad = 1;
		}
	}
	return bad ? -1 : (int)a->n_lines;
}

/* ---- key server ---- */

static int xform_of(const struct conf_transform_set *t, struct gdoi_transform *xf)
{
	static const uint8_t enc[] = {
	    [CONF_ESP_AES] = GDOI_ENC_AES_CBC,
	    [CONF_ESP_GCM] = GDOI_ENC_AES_GCM,
	    [CONF_ESP_3DES] = GDOI_ENC_3DES,
	    [CONF_ESP_NULL] = GDOI_ENC_NULL,
	};
	static const uint8_t auth[] = {
	    [CONF_ESP_AUTH_NONE] = GDOI_AUTH_NONE,
	    [CONF_ESP_AUTH_SHA1] = GDOI_AUTH_SHA1,
	    [CONF_ESP_AUTH_SHA256] = GDOI_AUTH_SHA256,
	    [CONF_ESP_AUTH_SHA384] = GDOI_AUTH_SHA384,
	};
	if (t->enc >= sizeof(enc) || !enc[t->enc] || t->auth >= sizeof(auth))
		return ERR_UNSUPP;
	*xf = (struct gdoi_transform){
	    .enc = enc[t->enc], .key_bits = t->key_bits, .auth = auth[t->auth]};
	return 0;
}

static void map_sa(struct ctx *x, const struct conf_gdoi_group *g, size_t gi, size_t si,
		   size_t *acl_used)
{
	const struct conf_config *c = x->c;
	struct daemon_confmap *m = x->m;
	const struct conf_gdoi_sa *s = &g->server.sas[si];
	struct gdoi_ks_sa_config *o = &m->ks_sas[gi][si];
	o->number = s->number;
	o->profile = s->profile.name;
	o->replay = s->replay;
	o->replay_window = s->replay_window;
	o->receive_only = g->server.receive_only;
	const struct conf_profile *p = conf_find_profile(c, s->profile.name);
	if (!p || !p->n_sets) {
		problem(x, s->profile.line, "profile %s has no transform set", s->profile.name);
		return;
	}
	o->life_sec = p->life_sec;
	/* a key server hands out one transform: the profile's first */
	const struct conf_transform_set *t = conf_find_transform_set(c, p->sets[0].name);
	const char *why = NULL;
	if (!t) {
		problem(x, p->sets[0].line, "transform-set %s not defined", p->sets[0].name);
	} else if (xform_of(t, &o->xf) || gdoi_transform_check(&o->xf, &why)) {
		problem(x, t->line, "transform-set %s: not supported for GDOI: %s", t->name,
			why ? why : "unknown transform");
	}
	const struct conf_acl *a = conf_find_acl(c, s->match.name);
	if (!a || a->standard) {
		problem(x, s->match.line, "match address %s: not an extended access-list",
			s->match.name);
		return;
	}
	o->acl_name = a->name;
	int n = map_ext_acl(x, a, s->match.line, s->number, &m->ks_acl[gi][*acl_used],
			    GDOI_ACL_MAX - *acl_used);
	if (n < 0)
		return;
	o->acl = &m->ks_acl[gi][*acl_used];
	o->n_acl = (size_t)n;
	*acl_used += (size_t)n;
}

static void map_auth(struct ctx *x, const struct conf_gdoi_server *s, size_t gi,
		     struct gdoi_ks_group_config *o)
{
	if (!s->auth_acl.name[0])
		return;
	const struct conf_acl *a = conf_find_acl(x->c, s->auth_acl.name);
	if (!a || !a->standard) {
		problem(x, s->auth_acl.line, "authorization address %s: not a standard access-list",
			s->auth_acl.name);
		return;
	}
	if (a->n_lines > GDOI_AUTH_ACL_MAX) {
		problem(x, s->auth_acl.line, "access-list %s: more than %d lines", a->name,
			GDOI_AUTH_ACL_MAX);
		return;
	}
	for (size_t i = 0; i < a->n_lines; i++)
		x->m->ks_auth[gi][i] = (struct gdoi_std_acl_entry){
		    .permit = a->lines[i].permit,
		    .addr = a->lines[i].src,
		    .wild = a->lines[i].src_wild,
		};
	o->authorize = true;
	o->auth = x->m->ks_auth[gi];
	o->n_auth = a->n_lines;
}

/* Multicast rekeys go to the destination of the first permit line of `rekey address ipv4`. */
static void map_rekey_dest(struct ctx *x, const struct conf_gdoi_group *g,
			   struct gdoi_ks_group_config *o)
{
	const struct conf_gdoi_server *s = &g->server;
	o->multicast = s->transport == CONF_REKEY_MULTICAST;
	if (!o->multicast)
		return;
	const struct conf_acl *a =
	    s->rekey_acl.name[0] ? conf_find_acl(x->c, s->rekey_acl.name) : NULL;
	for (size_t i = 0; a && i < a->n_lines; i++)
		if (a->lines[i].permit && a->lines[i].dst_wild == 0) {
			o->mcast_addr = a->lines[i].dst;
			break;
		}
	if ((o->mcast_addr >> 28) != 0xe)
		problem(
		    x, s->rekey_acl.line ? s->rekey_acl.line : s->line,
		    "group %s: multicast rekeys need `rekey address ipv4 ACL` whose first permit "
		    "line names a multicast host (or `rekey transport unicast`)",
		    g->name);
}

static void map_ks_group(struct ctx *x, const struct conf_gdoi_group *g)
{
	struct daemon_confmap *m = x->m;
	size_t gi = m->ks.n_groups++;
	const struct conf_gdoi_server *s = &g->server;
	struct gdoi_ks_group_config *o = &m->ks_groups[gi];
	o->name = g->name;
	o->id = (struct gdoi_identity){.type = GDOI_ID_NUMBER, .value = g->identity};
	o->ks_addr = s->addr;
	o->kek_alg = cbc_of(s->rekey_alg == CONF_KEK_AES, s->rekey_key_bits);
	if (!o->kek_alg)
		problem(x, s->line, "group %s: rekey algorithm not supported", g->name);
	o->kek_life_sec = s->rekey_life_sec;
	o->retrans_period_sec = s->retrans_period_sec;
	o->retrans_count = s->retrans_count;
	map_rekey_dest(x, g, o);
	if (s->rsa_label.name[0]) {
		o->rsa_label = s->rsa_label.name;
		if (x->env && x->env->rsa_key)
			o->rsa_key = x->env->rsa_key(x->env->arg, s->rsa_label.name);
	}
	map_auth(x, s, gi, o);
	size_t acl_used = 0;
	for (size_t i = 0; i < s->n_sas; i++)
		map_sa(x, g, gi, i, &acl_used);
	o->sas = m->ks_sas[gi];
	o->n_sas = s->n_sas;
	o->redundancy = s->redundancy;
	o->priority = s->priority;
	o->peers = s->peers;
	o->n_peers = s->n_peers;
	if (!m->ks.ike.local.ip4)
		m->ks.ike.local.ip4 = s->addr;
}

/* ---- group member and data plane ---- */

static const struct conf_interface *crypto_map_interface(struct ctx *x)
{
	const struct conf_config *c = x->c;
	const struct conf_interface *found = NULL;
	for (size_t i = 0; i < c->n_interfaces; i++) {
		const struct conf_interface *f = &c->interfaces[i];
		if (!f->crypto_map.name[0])
			continue;
		if (found)
			problem(x, f->crypto_map.line,
				"interface %s: a crypto map is already on %s; gvpnd runs one "
				"crypto-map interface",
				f->name, found->name);
		else
			found = f;
	}
	return found;
}

static void map_gm_group(struct ctx *x, const struct conf_crypto_map *e)
{
	const struct conf_config *c = x->c;
	struct daemon_confmap *m = x->m;
	const struct conf_gdoi_group *g = conf_find_group(c, e->group.name);
	if (!g || g->has_server || !g->n_servers) {
		problem(x, e->group.line, "crypto map %s %u: set group %s: not a member group",
			e->name, (unsigned)e->seq, e->group.name);
		return;
	}
	for (size_t i = 0; i < m->gm.n_groups; i++)
		if (!strcmp(m->gm_groups[i].name, g->name))
			return; /* twice on the map: the first entry counts */
	if (m->gm.n_groups >= GDOI_GM_GROUPS_MAX) {
		problem(x, e->line, "crypto map %s: more than %d groups", e->name,
			GDOI_GM_GROUPS_MAX);
		return;
	}
	size_t gi = m->gm.n_groups++;
	size_t ns = g->n_servers;
	for (size_t i = 0; i < ns; i++)
		m->gm_servers[gi][i] = g->servers[i].addr;
	m->gm_groups[gi] = (struct gdoi_gm_group_config){
	    .name = g->name,
	    .id = {.type = GDOI_ID_NUMBER, .value = g->identity},
	    .servers = m->gm_servers[gi],
	    .n_servers = ns,
	    .fail_close = conf_group_fail_close(c, g),
	};
	m->dp_groups[m->n_dp_groups++] = g->name;
	if (m->gm_groups[gi].fail_close)
		m->dp.fail_close = true;
}

/* The entries of crypto map name, in sequence order. */
static void map_crypto_map(struct ctx *x, const char *name, uint32_t ref_line)
{
	const struct conf_config *c = x->c;
	bool any = false;
	uint32_t last = 0;
	for (;;) {
		const struct conf_crypto_map *next = NULL;
		for (size_t i = 0; i < c->n_crypto_maps; i++) {
			const struct conf_crypto_map *e = &c->crypto_maps[i];
			if (strcmp(e->name, name) || (any && e->seq <= last))
				continue;
			if (!next || e->seq < next->seq)
				next = e;
		}
		if (!next)
			break;
		any = true;
		last = next->seq;
		map_gm_group(x, next);
	}
	if (!any)
		problem(x, ref_line, "crypto map %s is not defined", name);
}

static void map_member(struct ctx *x)
{
	struct daemon_confmap *m = x->m;
	const struct conf_interface *f = crypto_map_interface(x);
	if (!f)
		return;
	m->ifname = f->name;
	m->map_name = f->crypto_map.name;
	map_crypto_map(x, f->crypto_map.name, f->crypto_map.line);
	m->dp.ifname = f->name;
	m->dp.adjust_mss = f->adjust_mss;
	m->dp.df = x->c->df_bit_clear ? DP_ESP_DF_CLEAR : DP_ESP_DF_COPY;
	if (x->env && x->env->if_addr)
		m->gm.ike.local.ip4 = x->env->if_addr(x->env->arg, f->name);
}

/* ---- the whole ---- */

int daemon_confmap_build(const struct conf_config *c, const struct daemon_confmap_env *env,
			 struct daemon_confmap **out, struct dbuf *err)
{
	struct daemon_confmap *m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	struct ctx x = {.c = c, .env = env, .m = m, .err = err};
	m->conf = c;
	ike1_config_default(&m->ks.ike);
	ike1_config_default(&m->gm.ike);
	map_isakmp(&x);
	for (size_t i = 0; i < c->n_groups && i < GDOI_KS_GROUPS_MAX; i++)
		if (c->groups[i].has_server)
			map_ks_group(&x, &c->groups[i]);
	map_member(&x);
	if (x.rc) {
		daemon_confmap_free(m);
		return x.rc;
	}
	struct ike1_config *ikes[] = {&m->ks.ike, &m->gm.ike};
	for (size_t i = 0; i < 2; i++) {
		ikes[i]->policies = m->policies;
		ikes[i]->n_policies = m->n_policies;
		ikes[i]->weak_groups = m->weak_groups;
		/* `crypto gdoi phase1-doi` (what this side offers in main mode 1) */
		ikes[i]->doi = c->phase1_doi_ipsec ? WIRE_DOI_IPSEC : WIRE_DOI_GDOI;
	}
	m->ks.psk = m->gm.psk = daemon_confmap_psk_cb;
	m->ks.psk_arg = m->gm.psk_arg = m;
	m->ks.caps = m->gm.caps = GDOI_CAPS_ALL;
	m->ks.groups = m->ks_groups;
	m->gm.groups = m->gm_groups;
	m->eng.ks = m->ks.n_groups ? &m->ks : NULL;
	m->eng.gm = m->gm.n_groups ? &m->gm : NULL;
	if (m->ifname && m->gm.n_groups) {
		m->eng.dp = &m->dp;
		m->eng.dp_groups = m->dp_groups;
		m->eng.n_dp_groups = m->n_dp_groups;
	}
	*out = m;
	return 0;
}

void daemon_confmap_free(struct daemon_confmap *m)
{
	free(m);
}

/* ---- trying the engines ---- */

/* The line of the group a message names ("group G: ..."), else of the first of groups. */
static uint32_t line_of_message(const struct conf_config *c, const char *msg, bool ks)
{
	uint32_t first = 0;
	for (size_t i = 0; i < c->n_groups; i++) {
		const struct conf_gdoi_group *g = &c->groups[i];
		if (g->has_server != ks)
			continue;
		if (!first)
			first = g->line;
		char pat[CONF_NAME_MAX + 16];
		snprintf(pat, sizeof(pat), "group %s:", g->name);
		if (strstr(msg, pat))
			return g->line;
	}
	return first;
}

static void send_nothing(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	(void)ctx, (void)peer, (void)msg, (void)len;
}

static void install_nothing(void *ctx, const struct gdoi_gm_install *in)
{
	(void)ctx, (void)in;
}

static void remove_nothing(void *ctx, const char *group, uint32_t handle)
{
	(void)ctx, (void)group, (void)handle;
}

int daemon_confmap_try(const struct daemon_confmap *m, struct dbuf *err)
{
	struct ctx x = {.c = m->conf, .err = err};
	char why[256] = "";
	if (m->eng.ks) {
		const struct gdoi_ks_io io = {.send = send_nothing};
		struct gdoi_ks *ks = NULL;
		int rc = gdoi_ks_new(m->eng.ks, &io, crypto_rng_system(), NULL, 0, &ks, why,
				     sizeof(why));
		gdoi_ks_free(ks);
		if (rc)
			problem(&x, line_of_message(m->conf, why, true), "key server: %s",
				why[0] ? why : err_name(rc));
	}
	if (m->eng.gm) {
		const struct gdoi_gm_io io = {
		    .send = send_nothing, .install = install_nothing, .remove = remove_nothing};
		struct gdoi_gm *gm = NULL;
		why[0] = 0;
		int rc = gdoi_gm_new(m->eng.gm, &io, crypto_rng_system(), NULL, 0, &gm, why,
				     sizeof(why));
		gdoi_gm_free(gm);
		if (rc)
			problem(&x, line_of_message(m->conf, why, false), "group member: %s",
				why[0] ? why : err_name(rc));
	}
	return x.rc;
}

/* ---- comparisons for a reload ---- */

bool daemon_confmap_same_ike(const struct daemon_confmap *a, const struct daemon_confmap *b)
{
	return a->n_policies == b->n_policies && a->weak_groups == b->weak_groups &&
	       !memcmp(a->policies, b->policies, a->n_policies * sizeof(a->policies[0])) &&
	       a->ks.ike.local.ip4 == b->ks.ike.local.ip4 &&
	       a->gm.ike.local.ip4 == b->gm.ike.local.ip4 && a->gm.ike.doi == b->gm.ike.doi &&
	       a->ks.ike.doi == b->ks.ike.doi && !a->eng.ks == !b->eng.ks &&
	       !a->eng.gm == !b->eng.gm;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

bool daemon_confmap_same_dp(const struct daemon_confmap *a, const struct daemon_confmap *b)
{
	if (!a->eng.dp != !b->eng.dp)
		return false;
	if (!a->eng.dp)
		return true;
	if (!same_str(a->dp.ifname, b->dp.ifname) || a->dp.fail_close != b->dp.fail_close ||
	    a->dp.df != b->dp.df || a->dp.adjust_mss != b->dp.adjust_mss ||
	    a->n_dp_groups != b->n_dp_groups)
		return false;
	for (size_t i = 0; i < a->n_dp_groups; i++)
		if (strcmp(a->dp_groups[i], b->dp_groups[i]))
			return false;
	return true;
}
