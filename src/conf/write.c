/* The configuration writer (conf/write.h). */
#include "conf/write.h"

#include <stdarg.h>
#include <stdio.h>

#include "conf/names.h"
#include "util/dbuf.h"
#include "util/err.h"

struct w {
	struct dbuf *out;
	bool failed;
	bool first_block; /* no "!" before the first block */
	char ip[4][16];	  /* dotted quads of one line */
	unsigned ipn;
};

__attribute__((format(printf, 2, 3))) static void put(struct w *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (dbuf_vprintf(w->out, fmt, ap))
		w->failed = true;
	va_end(ap);
}

/* A "!" line between top-level blocks. */
static void sep(struct w *w)
{
	if (!w->first_block)
		put(w, "!\n");
	w->first_block = false;
}

/* Dotted quad in one of four rotating buffers (enough for one line). */
static const char *ipstr(struct w *w, uint32_t a)
{
	char *b = w->ip[w->ipn++ % 4];
	snprintf(b, sizeof(w->ip[0]), "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
	return b;
}

#define IP(a) ipstr(w, a)

static void policies(struct w *w, const struct conf_config *c)
{
	static const char *const hash[] = {
	    [CONF_HASH_SHA1] = "sha", [CONF_HASH_SHA256] = "sha256", [CONF_HASH_SHA384] = "sha384"};
	for (size_t i = 0; i < c->n_isakmp_policies; i++) {
		const struct conf_isakmp_policy *p = &c->isakmp_policies[i];
		sep(w);
		put(w, "crypto isakmp policy %u\n", p->priority);
		if (p->enc == CONF_IKE_ENC_3DES)
			put(w, " encryption 3des\n");
		else
			put(w, " encryption aes %u\n", p->key_bits);
		put(w, " hash %s\n", p->hash < 4 && hash[p->hash] ? hash[p->hash] : "sha");
		put(w, " authentication pre-share\n");
		put(w, " group %u\n", p->dh_group);
		if (p->lifetime_sec != 86400)
			put(w, " lifetime %u\n", p->lifetime_sec);
	}
	if (c->n_isakmp_keys)
		sep(w);
	for (size_t i = 0; i < c->n_isakmp_keys; i++) {
		const struct conf_isakmp_key *k = &c->isakmp_keys[i];
		put(w, "crypto isakmp key %s address %s", k->key, IP(k->addr));
		if (k->mask != UINT32_MAX)
			put(w, " %s", IP(k->mask));
		put(w, "\n");
	}
	if (c->phase1_doi_ipsec) {
		sep(w);
		put(w, "crypto gdoi phase1-doi ipsec\n");
	}
}

static void ipsec(struct w *w, const struct conf_config *c)
{
	static const char *const auth[] = {[CONF_ESP_AUTH_NONE] = "",
					   [CONF_ESP_AUTH_SHA1] = " esp-sha-hmac",
					   [CONF_ESP_AUTH_SHA256] = " esp-sha256-hmac",
					   [CONF_ESP_AUTH_SHA384] = " esp-sha384-hmac"};
	if (c->n_transform_sets)
		sep(w);
	for (size_t i = 0; i < c->n_transform_sets; i++) {
		const struct conf_transform_set *t = &c->transform_sets[i];
		put(w, "crypto ipsec transform-set %s ", t->name);
		switch (t->enc) {
		case CONF_ESP_GCM:
			put(w, "esp-gcm %u", t->key_bits);
			break;
		case CONF_ESP_3DES:
			put(w, "esp-3des");
			break;
		case CONF_ESP_NULL:
			put(w, "esp-null");
			break;
		default:
			put(w, "esp-aes %u", t->key_bits);
			break;
		}
		put(w, "%s\n", t->auth < 4 ? auth[t->auth] : "");
	}
	for (size_t i = 0; i < c->n_profiles; i++) {
		const struct conf_profile *p = &c->profiles[i];
		sep(w);
		put(w, "crypto ipsec profile %s\n", p->name);
		if (p->n_sets) {
			put(w, " set transform-set");
			for (size_t k = 0; k < p->n_sets; k++)
				put(w, " %s", p->sets[k].name);
			put(w, "\n");
		}
		if (p->life_sec != 3600)
			put(w, " set security-association lifetime seconds %u\n", p->life_sec);
	}
	if (c->df_bit_clear) {
		sep(w);
		put(w, "crypto ipsec df-bit clear\n");
	}
}

static void sa(struct w *w, const struct conf_gdoi_sa *s)
{
	put(w, "  sa ipsec %u\n", s->number);
	if (s->profile.name[0])
		put(w, "   profile %s\n", s->profile.name);
	if (s->match.name[0])
		put(w, "   match address ipv4 %s\n", s->match.name);
	if (s->replay == CONF_REPLAY_NONE)
		put(w, "   no replay\n");
	else if (s->replay == CONF_REPLAY_TIME)
		put(w, "   replay time window-size %u\n", s->replay_window);
	else if (s->replay_window != 64)
		put(w, "   replay counter window-size %u\n", s->replay_window);
}

static void server(struct w *w, const struct conf_gdoi_server *s)
{
	put(w, " server local\n");
	if (s->rekey_alg == CONF_KEK_3DES)
		put(w, "  rekey algorithm 3des\n");
	else if (s->rekey_key_bits != 128)
		put(w, "  rekey algorithm aes %u\n", s->rekey_key_bits);
	if (s->rekey_life_sec != 86400)
		put(w, "  rekey lifetime seconds %u\n", s->rekey_life_sec);
	if (s->retrans_period_sec != 10 || s->retrans_count != 2)
		put(w, "  rekey retransmit %u number %u\n", s->retrans_period_sec,
		    s->retrans_count);
	if (s->rsa_label.name[0])
		put(w, "  rekey authentication mypubkey rsa %s\n", s->rsa_label.name);
	if (s->transport == CONF_REKEY_UNICAST)
		put(w, "  rekey transport unicast\n");
	if (s->rekey_acl.name[0])
		put(w, "  rekey address ipv4 %s\n", s->rekey_acl.name);
	if (s->auth_acl.name[0])
		put(w, "  authorization address ipv4 %s\n", s->auth_acl.name);
	if (s->receive_only)
		put(w, "  sa receive-only\n");
	for (size_t i = 0; i < s->n_sas; i++)
		sa(w, &s->sas[i]);
	if (s->addr_line)
		put(w, "  address ipv4 %s\n", IP(s->addr));
	if (s->redundancy) {
		put(w, "  redundancy\n");
		if (s->priority != 1)
			put(w, "   local priority %u\n", s->priority);
		for (size_t i = 0; i < s->n_peers; i++)
			put(w, "   peer address ipv4 %s\n", IP(s->peers[i]));
	}
}

static void groups(struct w *w, const struct conf_config *c)
{
	for (size_t i = 0; i < c->n_groups; i++) {
		const struct conf_gdoi_group *g = &c->groups[i];
		sep(w);
		put(w, "crypto gdoi group %s\n", g->name);
		if (g->identity_line)
			put(w, " identity number %u\n", g->identity);
		if (g->has_server)
			server(w, &g->server);
		for (size_t k = 0; k < g->n_servers; k++)
			put(w, " server address ipv4 %s\n", IP(g->servers[k].addr));
		if (g->fail_close)
			put(w, " client fail-close\n");
	}
}

static void maps(struct w *w, const struct conf_config *c)
{
	for (size_t i = 0; i < c->n_crypto_maps; i++) {
		const struct conf_crypto_map *m = &c->crypto_maps[i];
		sep(w);
		put(w, "crypto map %s %u gdoi\n", m->name, m->seq);
		if (m->group.name[0])
			put(w, " set group %s\n", m->group.name);
		if (m->match.name[0])
			put(w, " match address %s\n", m->match.name);
	}
	for (size_t i = 0; i < c->n_fail_closes; i++) {
		const struct conf_fail_close *f = &c->fail_closes[i];
		sep(w);
		put(w, "crypto map %s gdoi fail-close\n", f->map);
		if (f->match.name[0])
			put(w, " match address %s\n", f->match.name);
		if (f->activate)
			put(w, " activate\n");
	}
}

static void interfaces(struct w *w, const struct conf_config *c)
{
	for (size_t i = 0; i < c->n_interfaces; i++) {
		const struct conf_interface *f = &c->interfaces[i];
		sep(w);
		put(w, "interface %s\n", f->name);
		if (f->crypto_map.name[0])
			put(w, " crypto map %s\n", f->crypto_map.name);
		if (f->adjust_mss)
			put(w, " ip tcp adjust-mss %u\n", f->adjust_mss);
	}
}

static void addr_spec(struct w *w, uint32_t addr, uint32_t wild)
{
	if (wild == UINT32_MAX)
		put(w, " any");
	else if (wild == 0)
		put(w, " host %s", IP(addr));
	else
		put(w, " %s %s", IP(addr), IP(wild));
}

static void port_spec(struct w *w, const struct conf_ports *p)
{
	static const char *const op[] = {[CONF_PORT_EQ] = "eq",
					 [CONF_PORT_NEQ] = "neq",
					 [CONF_PORT_LT] = "lt",
					 [CONF_PORT_GT] = "gt",
					 [CONF_PORT_RANGE] = "range"};
	if (p->op == CONF_PORT_ANY || p->op > CONF_PORT_RANGE)
		return;
	put(w, " %s %u", op[p->op], p->a);
	if (p->op == CONF_PORT_RANGE)
		put(w, " %u", p->b);
}

static void acls(struct w *w, const struct conf_config *c)
{
	for (size_t i = 0; i < c->n_acls; i++) {
		const struct conf_acl *a = &c->acls[i];
		sep(w);
		put(w, "ip access-list %s %s\n", a->standard ? "standard" : "extended", a->name);
		for (size_t k = 0; k < a->n_lines; k++) {
			const struct conf_acl_line *l = &a->lines[k];
			put(w, " %s", l->permit ? "permit" : "deny");
			if (a->standard) {
				addr_spec(w, l->src, l->src_wild);
			} else {
				const char *pn = conf_names_proto_name(l->proto);
				if (pn)
					put(w, " %s", pn);
				else
					put(w, " %u", l->proto);
				addr_spec(w, l->src, l->src_wild);
				port_spec(w, &l->sport);
				addr_spec(w, l->dst, l->dst_wild);
				port_spec(w, &l->dport);
			}
			put(w, "\n");
		}
	}
}

int conf_write(const struct conf_config *c, struct dbuf *out)
{
	struct w w = {.out = out, .first_block = true};
	if (c->hostname[0]) {
		sep(&w);
		put(&w, "hostname %s\n", c->hostname);
	}
	if (c->log_buffered_bytes) {
		sep(&w);
		put(&w, "logging buffered %u\n", c->log_buffered_bytes);
	}
	policies(&w, c);
	ipsec(&w, c);
	groups(&w, c);
	maps(&w, c);
	interfaces(&w, c);
	acls(&w, c);
	put(&w, "!\nend\n");
	return w.failed ? ERR_NOMEM : 0;
}
