/* The configuration model: life cycle, equality, look-ups (conf/model.h). */
#include "conf/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void conf_config_init(struct conf_config *c)
{
	memset(c, 0, sizeof(*c));
}

struct conf_config *conf_config_new(void)
{
	struct conf_config *c = malloc(sizeof(*c));
	if (c)
		conf_config_init(c);
	return c;
}

void conf_config_wipe(struct conf_config *c)
{
	mem_wipe(c, sizeof(*c));
}

void conf_config_free(struct conf_config *c)
{
	if (!c)
		return;
	conf_config_wipe(c);
	free(c);
}

/* ---- equality, lines ignored ---- */

#define EQ(f)	 (a->f == b->f)
#define STREQ(f) (strcmp(a->f, b->f) == 0)

static bool ref_eq(const struct conf_ref *a, const struct conf_ref *b)
{
	return STREQ(name);
}

static bool policy_eq(const struct conf_isakmp_policy *a, const struct conf_isakmp_policy *b)
{
	return EQ(priority) && EQ(enc) && EQ(key_bits) && EQ(hash) && EQ(auth) && EQ(dh_group) &&
	       EQ(lifetime_sec);
}

static bool key_eq(const struct conf_isakmp_key *a, const struct conf_isakmp_key *b)
{
	return STREQ(key) && EQ(addr) && EQ(mask);
}

static bool ts_eq(const struct conf_transform_set *a, const struct conf_transform_set *b)
{
	return STREQ(name) && EQ(enc) && EQ(key_bits) && EQ(auth);
}

static bool profile_eq(const struct conf_profile *a, const struct conf_profile *b)
{
	if (!STREQ(name) || !EQ(n_sets) || !EQ(life_sec))
		return false;
	for (size_t i = 0; i < a->n_sets; i++)
		if (!ref_eq(&a->sets[i], &b->sets[i]))
			return false;
	return true;
}

static bool ports_eq(const struct conf_ports *a, const struct conf_ports *b)
{
	return EQ(op) && EQ(a) && EQ(b);
}

static bool acl_line_eq(const struct conf_acl_line *a, const struct conf_acl_line *b)
{
	return EQ(permit) && EQ(proto) && EQ(src) && EQ(src_wild) && EQ(dst) && EQ(dst_wild) &&
	       ports_eq(&a->sport, &b->sport) && ports_eq(&a->dport, &b->dport);
}

static bool acl_eq(const struct conf_acl *a, const struct conf_acl *b)
{
	if (!STREQ(name) || !EQ(standard) || !EQ(n_lines))
		return false;
	for (size_t i = 0; i < a->n_lines; i++)
		if (!acl_line_eq(&a->lines[i], &b->lines[i]))
			return false;
	return true;
}

static bool sa_eq(const struct conf_gdoi_sa *a, const struct conf_gdoi_sa *b)
{
	return EQ(number) && ref_eq(&a->profile, &b->profile) && ref_eq(&a->match, &b->match) &&
	       EQ(replay) && EQ(replay_window);
}

static bool server_eq(const struct conf_gdoi_server *a, const struct conf_gdoi_server *b)
{
	if (!(EQ(rekey_alg) && EQ(rekey_key_bits) && EQ(rekey_life_sec) && EQ(retrans_period_sec) &&
	      EQ(retrans_count) && ref_eq(&a->rsa_label, &b->rsa_label) && EQ(transport) &&
	      ref_eq(&a->rekey_acl, &b->rekey_acl) && ref_eq(&a->auth_acl, &b->auth_acl) &&
	      EQ(receive_only) && EQ(n_sas) && EQ(addr) && EQ(redundancy) && EQ(priority) &&
	      EQ(n_peers)))
		return false;
	if ((a->addr_line != 0) != (b->addr_line != 0))
		return false;
	for (size_t i = 0; i < a->n_sas; i++)
		if (!sa_eq(&a->sas[i], &b->sas[i]))
			return false;
	for (size_t i = 0; i < a->n_peers; i++)
		if (a->peers[i] != b->peers[i])
			return false;
	return true;
}

static bool group_eq(const struct conf_gdoi_group *a, const struct conf_gdoi_group *b)
{
	if (!(STREQ(name) && EQ(identity) && EQ(has_server) && EQ(n_servers) && EQ(fail_close)))
		return false;
	if ((a->identity_line != 0) != (b->identity_line != 0))
		return false;
	if (a->has_server && !server_eq(&a->server, &b->server))
		return false;
	for (size_t i = 0; i < a->n_servers; i++)
		if (a->servers[i].addr != b->servers[i].addr)
			return false;
	return true;
}

static bool map_eq(const struct conf_crypto_map *a, const struct conf_crypto_map *b)
{
	return STREQ(name) && EQ(seq) && ref_eq(&a->group, &b->group) &&
	       ref_eq(&a->match, &b->match);
}

static bool fc_eq(const struct conf_fail_close *a, const struct conf_fail_close *b)
{
	return STREQ(map) && EQ(activate) && ref_eq(&a->match, &b->match);
}

static bool if_eq(const struct conf_interface *a, const struct conf_interface *b)
{
	return STREQ(name) && ref_eq(&a->crypto_map, &b->crypto_map) && EQ(adjust_mss);
}

#define LIST_EQ(arr, n, fn)                                                                        \
	do {                                                                                       \
		if (a->n != b->n)                                                                  \
			return false;                                                              \
		for (size_t i_ = 0; i_ < a->n; i_++)                                               \
			if (!fn(&a->arr[i_], &b->arr[i_]))                                         \
				return false;                                                      \
	} while (0)

bool conf_config_equal(const struct conf_config *a, const struct conf_config *b)
{
	if (!(STREQ(hostname) && EQ(log_buffered_bytes) && EQ(df_bit_clear) &&
	      EQ(phase1_doi_ipsec)))
		return false;
	LIST_EQ(isakmp_policies, n_isakmp_policies, policy_eq);
	LIST_EQ(isakmp_keys, n_isakmp_keys, key_eq);
	LIST_EQ(transform_sets, n_transform_sets, ts_eq);
	LIST_EQ(profiles, n_profiles, profile_eq);
	LIST_EQ(acls, n_acls, acl_eq);
	LIST_EQ(groups, n_groups, group_eq);
	LIST_EQ(crypto_maps, n_crypto_maps, map_eq);
	LIST_EQ(fail_closes, n_fail_closes, fc_eq);
	LIST_EQ(interfaces, n_interfaces, if_eq);
	return true;
}

/* ---- look-ups ---- */

#define FIND(arr, n, field)                                                                        \
	do {                                                                                       \
		for (size_t i_ = 0; i_ < c->n; i_++)                                               \
			if (!strcmp(c->arr[i_].field, name))                                       \
				return &c->arr[i_];                                                \
		return NULL;                                                                       \
	} while (0)

const struct conf_transform_set *conf_find_transform_set(const struct conf_config *c,
							 const char *name)
{
	FIND(transform_sets, n_transform_sets, name);
}

const struct conf_profile *conf_find_profile(const struct conf_config *c, const char *name)
{
	FIND(profiles, n_profiles, name);
}

const struct conf_acl *conf_find_acl(const struct conf_config *c, const char *name)
{
	FIND(acls, n_acls, name);
}

const struct conf_gdoi_group *conf_find_group(const struct conf_config *c, const char *name)
{
	FIND(groups, n_groups, name);
}

const struct conf_fail_close *conf_find_fail_close(const struct conf_config *c, const char *name)
{
	FIND(fail_closes, n_fail_closes, map);
}

const struct conf_crypto_map *conf_find_crypto_map(const struct conf_config *c, const char *name)
{
	const struct conf_crypto_map *best = NULL;
	for (size_t i = 0; i < c->n_crypto_maps; i++) {
		const struct conf_crypto_map *m = &c->crypto_maps[i];
		if (!strcmp(m->name, name) && (!best || m->seq < best->seq))
			best = m;
	}
	return best;
}

bool conf_group_fail_close(const struct conf_config *c, const struct conf_gdoi_group *g)
{
	if (g->fail_close)
		return true;
	for (size_t i = 0; i < c->n_crypto_maps; i++) {
		const struct conf_crypto_map *m = &c->crypto_maps[i];
		if (strcmp(m->group.name, g->name))
			continue;
		const struct conf_fail_close *fc = conf_find_fail_close(c, m->name);
		if (fc && fc->activate)
			return true;
	}
	return false;
}
