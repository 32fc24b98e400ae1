/*
 * Key server show accessors (`show crypto gdoi ks`, `ks policy`, `ks acl`,
 * `ks rekey`) and the memory account of gdoi_ks_mem. Snapshots are copies;
 * the policy accessor hands out the current version read-only.
 */
#include <string.h>

#include "gdoi/ks_priv.h"
#include "ike1/crypt.h"
#include "util/clock.h"
#include "util/err.h"

size_t gdoi_ks_group_count(const struct gdoi_ks *ks)
{
	return ks->n_groups;
}

int gdoi_ks_group_find(const struct gdoi_ks *ks, const char *name)
{
	for (size_t i = 0; i < ks->n_groups; i++)
		if (!strcmp(ks->groups[i]->cfg.name, name))
			return (int)i;
	return ERR_NOTFOUND;
}

const struct gdoi_policy *gdoi_ks_group_policy(const struct gdoi_ks *ks, size_t i)
{
	return i < ks->n_groups ? &ks->groups[i]->pv->p : NULL;
}

static const struct ks_sa_cfg *sa_cfg(const struct ks_group_cfg *c, uint16_t number)
{
	for (size_t i = 0; i < c->n_sas; i++)
		if (c->sa[i].number == number)
			return &c->sa[i];
	return NULL;
}

static void tek_info(const struct ks_group_cfg *c, const struct gdoi_tek *t, uint64_t now,
		     struct gdoi_ks_tek_info *o)
{
	const struct ks_sa_cfg *s = sa_cfg(c, t->sa_num);
	memset(o, 0, sizeof(*o));
	o->spi = t->spi;
	o->sa_num = t->sa_num;
	if (s) {
		memcpy(o->profile, s->profile, sizeof(o->profile));
		memcpy(o->acl_name, s->acl_name, sizeof(o->acl_name));
	}
	o->xf = t->xf;
	gdoi_transform_format(&t->xf, o->transform, sizeof(o->transform));
	o->alg_key_bytes = (uint32_t)gdoi_transform_enc_len(&t->xf);
	o->sig_key_bytes = (uint32_t)gdoi_transform_auth_len(&t->xf);
	o->life_sec = t->life_sec;
	o->remaining_sec = gdoi_remaining_sec(t->expires_ns, now);
	o->elapsed_sec = now > t->created_ns ? (uint32_t)((now - t->created_ns) / NS_PER_SEC) : 0;
	o->replay = t->replay;
	o->replay_window = t->replay_window;
	o->receive_only = t->receive_only;
}

/* Seconds until a roll-over time (0 when due), UINT32_MAX for CLOCK_NEVER. */
static uint32_t due_in_sec(uint64_t at_ns, uint64_t now)
{
	if (at_ns == CLOCK_NEVER)
		return UINT32_MAX;
	uint64_t s = at_ns > now ? (at_ns - now) / NS_PER_SEC : 0;
	return s < UINT32_MAX ? (uint32_t)s : UINT32_MAX - 1;
}

static void kek_info(const struct ks_group *g, uint64_t now, struct gdoi_ks_group_info *o)
{
	const struct gdoi_policy *p = &g->pv->p;
	const struct ks_group_cfg *c = &g->cfg;
	o->has_kek = p->has_kek;
	if (!p->has_kek)
		return;
	memcpy(o->kek_spi, p->kek.spi, sizeof(o->kek_spi));
	o->kek_alg = gdoi_kek_alg_name(p->kek.alg);
	o->kek_key_bytes = (uint32_t)crypto_cbc_key_len(p->kek.alg);
	o->kek_iv_bytes = (uint32_t)crypto_cbc_block_len(p->kek.alg);
	o->kek_life_sec = p->kek.life_sec;
	o->kek_remaining_sec = gdoi_remaining_sec(p->kek.expires_ns, now);
	o->kek_rekey_in_sec = due_in_sec(g->kek_roll_ns, now);
	o->sig_hash = crypto_hash_name(p->kek.sig_hash);
	o->sig_key_bits = c->rsa_bits;
	o->sig_key_bytes = (uint32_t)c->spki_len;
	o->sig_size = c->rsa_bits / 8u;
	memcpy(o->sig_key_name, c->rsa_label, sizeof(o->sig_key_name));
	o->rsa_key_missing = c->rsa_missing;
}

static void sid_info(const struct ks_group *g, struct gdoi_ks_group_info *o)
{
	o->counter_mode = gdoi_sid_policy_needs(&g->pv->p);
	o->sid_bits = g->sid_bits;
	o->sid_next = g->sid_next;
	o->sids_given = g->sids_given;
	o->sids_refused = g->sids_refused;
	const struct list_node *pos;
	list_for_each(pos, &g->members)
	{
		o->sid_members += container_of(pos, const struct ks_member, link)->sid != 0;
	}
}

int gdoi_ks_group_info(const struct gdoi_ks *ks, size_t i, uint64_t now,
		       struct gdoi_ks_group_info *o)
{
	if (i >= ks->n_groups)
		return ERR_NOTFOUND;
	const struct ks_group *g = ks->groups[i];
	const struct ks_group_cfg *c = &g->cfg;
	const struct gdoi_policy *p = &g->pv->p;
	memset(o, 0, sizeof(*o));
	memcpy(o->name, c->name, sizeof(o->name));
	o->id = c->id;
	o->handle = g->handle;
	o->ks_addr = c->ks_addr;
	o->n_members = g->n_members;
	o->multicast = c->multicast;
	o->mcast_addr = c->mcast_addr;
	o->seq = p->seq;
	o->rekeys_sent = g->rekeys_sent;
	o->rekeys_retransmitted = g->rst.retransmits;
	o->rekey_acks = g->rst.acks;
	o->rekey_acks_bad = g->rst.acks_bad;
	o->rekey_acks_unsol = g->rst.acks_unsol;
	o->members_ejected = g->rst.ejected;
	o->last_rekey_ms = g->rst.last_duration_ms;
	o->rekey_active = g->rk.active;
	o->can_rekey = p->has_kek && g->has_rsa;
	o->retrans_period_sec = c->retrans_period_sec;
	o->retrans_count = c->retrans_count;
	kek_info(g, now, o);
	o->atd_sec = p->atd_sec;
	o->dtd_sec = p->dtd_sec;
	o->pseudotime_ms = ks_group_pt_ms(g, now);
	o->n_sas = c->n_sas;
	for (size_t s = 0; s < c->n_sas; s++) {
		o->sa[s].number = c->sa[s].number;
		memcpy(o->sa[s].profile, c->sa[s].profile, sizeof(o->sa[s].profile));
		memcpy(o->sa[s].acl_name, c->sa[s].acl_name, sizeof(o->sa[s].acl_name));
		o->sa[s].rekey_in_sec = due_in_sec(g->tek_roll_ns[s], now);
	}
	o->n_teks = p->n_teks;
	for (size_t t = 0; t < p->n_teks; t++)
		tek_info(c, &p->tek[t], now, &o->tek[t]);
	o->redundancy = c->redundancy;
	o->priority = c->priority;
	o->n_peers = c->n_peers;
	memcpy(o->peers, c->peers, c->n_peers * sizeof(c->peers[0]));
	sid_info(g, o);
	return 0;
}

void gdoi_ks_get_stats(const struct gdoi_ks *ks, struct gdoi_ks_stats *out)
{
	*out = ks->st;
}

static int count_sa(void *arg, struct ike1_sa *sa)
{
	struct gdoi_ks_mem *m = arg;
	m->sas++;
	m->sa_bytes += sizeof(*sa) + (sa->user ? sizeof(struct ks_sa) : 0);
	if (sa->mm)
		m->sas_handshake++;
	if (sa->chains) {
		m->sas_chains++;
		m->chain_bytes += sizeof(*sa->chains);
		for (size_t i = 0; i < IKE1_CHAINS_MAX; i++)
			m->chain_bytes += sa->chains->c[i].cache.tx_len;
	}
	return 0;
}

void gdoi_ks_mem(const struct gdoi_ks *ks, struct gdoi_ks_mem *out)
{
	memset(out, 0, sizeof(*out));
	out->members = ks->n_members;
	out->member_bytes = sizeof(struct ks_member);
	out->pulls = ks->n_pulls;
	/* ike1_sa_foreach takes a mutable table; it only walks it here. */
	ike1_sa_foreach((struct ike1_sa_table *)&ks->ike, count_sa, out);
}
