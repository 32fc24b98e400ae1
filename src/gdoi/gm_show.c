/*
 * Group member show accessors: `show crypto gdoi` (GROUP INFORMATION),
 * `show crypto gdoi gm` and `show crypto gdoi gm acl` read snapshots from
 * here. Nothing secret is copied into the info struct.
 */
#include <string.h>

#include "gdoi/gm_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

size_t gdoi_gm_group_count(const struct gdoi_gm *gm)
{
	return gm->n_groups;
}

int gdoi_gm_group_find(const struct gdoi_gm *gm, const char *name)
{
	for (size_t i = 0; i < gm->n_groups; i++)
		if (!strcmp(gm->groups[i]->cfg.name, name))
			return (int)i;
	return ERR_NOTFOUND;
}

const struct gdoi_policy *gdoi_gm_group_policy(const struct gdoi_gm *gm, size_t i)
{
	return i < gm->n_groups && gm->groups[i]->registered ? &gm->groups[i]->pol : NULL;
}

static void status(const struct gm_group *g, struct gdoi_gm_group_info *o)
{
	o->registered = g->registered;
	o->registering = g->st != GM_ST_IDLE || g->backing_off || !g->registered;
	o->status = g->registered && !o->registering ? "Registered"
		    : o->registering		     ? "Registering"
						     : "Not registered";
	o->registered_with = g->registered ? g->reg_ks : 0;
	o->registering_to = o->registering ? g->cfg.servers[g->srv] : 0;
}

static void kek_info(const struct gdoi_policy *p, uint64_t now, struct gdoi_gm_group_info *o)
{
	o->has_kek = p->has_kek;
	if (!p->has_kek)
		return;
	o->multicast = p->kek.multicast;
	o->kek_remaining_sec = gdoi_remaining_sec(p->kek.expires_ns, now);
	o->kek_alg = gdoi_kek_alg_name(p->kek.alg);
	o->kek_key_bits = (uint32_t)crypto_cbc_key_len(p->kek.alg) * 8u;
	o->sig_hash = crypto_hash_name(p->kek.sig_hash);
	o->sig_key_bits = p->kek.sig_key_bits;
}

static void tek_info(const struct gdoi_policy *p, uint64_t now, struct gdoi_gm_group_info *o)
{
	bool inbound_only = p->n_teks > 0;
	o->n_teks = p->n_teks;
	for (size_t i = 0; i < p->n_teks; i++) {
		const struct gdoi_tek *t = &p->tek[i];
		struct gdoi_gm_tek_info *x = &o->tek[i];
		x->spi = t->spi;
		x->sa_num = t->sa_num;
		gdoi_transform_format(&t->xf, x->transform, sizeof(x->transform));
		x->life_sec = t->life_sec;
		x->remaining_sec = gdoi_remaining_sec(t->expires_ns, now);
		x->replay = t->replay;
		x->replay_window = t->replay_window;
		x->receive_only = t->receive_only;
		x->outbound = gdoi_policy_outbound(p, t->sa_num, now) == t;
		x->counter_mode = gdoi_sid_counter_mode(&t->xf);
		inbound_only &= t->receive_only;
	}
	o->sa_direction = inbound_only ? "Inbound Only" : "Both";
}

int gdoi_gm_group_info(const struct gdoi_gm *gm, size_t i, uint64_t now,
		       struct gdoi_gm_group_info *o)
{
	if (i >= gm->n_groups)
		return ERR_NOTFOUND;
	const struct gm_group *g = gm->groups[i];
	memset(o, 0, sizeof(*o));
	memcpy(o->name, g->cfg.name, sizeof(o->name));
	o->id = g->cfg.id;
	o->handle = g->handle;
	o->n_servers = g->cfg.n_servers;
	memcpy(o->servers, g->cfg.servers, sizeof(o->servers));
	o->gm_addr = gm_local(gm);
	struct gdoi_peer_caps me = {.gvpn = !gm->plain,
				    .major = GDOI_VERSION_MAJOR,
				    .minor = GDOI_VERSION_MINOR,
				    .caps = gm->caps};
	gdoi_caps_format(&me, o->version, sizeof(o->version));
	status(g, o);
	uint64_t next = g->st == GM_ST_IDLE ? g->next_ns : g->attempt_end_ns;
	o->reregister_in_sec = next == CLOCK_NEVER ? 0 : gdoi_remaining_sec(next, now);
	o->succeeded = g->succeeded;
	o->attempted = g->attempted;
	o->last_rekey_from = g->last_rekey_from;
	o->last_rekey_seq = g->last_rekey_seq;
	o->last_rekey_sec_ago =
	    !g->last_rekey_ns ? UINT32_MAX
	    : now > g->last_rekey_ns
		? (uint32_t)MIN((now - g->last_rekey_ns) / NS_PER_SEC, UINT32_MAX - 1)
		: 0;
	o->rekeys_received = g->rekeys_received;
	o->rekeys_after_reg = g->rekeys_after_reg;
	o->acks_sent = g->acks_sent;
	o->sa_direction = "Both";
	o->fail_close = g->cfg.fail_close;
	o->fail_close_active = g->cfg.fail_close && !g->ever_registered;
	if (!g->registered)
		return 0;
	o->seq = g->pol.seq;
	o->acl_known = true;
	o->acl_from = g->reg_ks;
	kek_info(&g->pol, now, o);
	if (o->has_kek) {
		memcpy(o->kek_spi, g->pol.kek.spi, GDOI_KEK_SPI_LEN);
		o->kek_src = g->pol.kek.ks_addr ? g->pol.kek.ks_addr : g->reg_ks;
		o->kek_dst = g->pol.kek.multicast ? g->pol.kek.mcast_addr : gm_local(gm);
	}
	o->has_prev_kek = g->has_prev_kek && g->prev_kek.expires_ns > now;
	if (o->has_prev_kek) {
		memcpy(o->prev_kek_spi, g->prev_kek.spi, GDOI_KEK_SPI_LEN);
		o->prev_kek_remaining_sec = gdoi_remaining_sec(g->prev_kek.expires_ns, now);
	}
	tek_info(&g->pol, now, o);
	o->counter_mode = gdoi_sid_policy_needs(&g->pol);
	o->sid_bits = g->sid.bits;
	o->n_sids = g->sid.n;
	memcpy(o->sids, g->sid.v, sizeof(o->sids));
	return 0;
}

void gdoi_gm_get_stats(const struct gdoi_gm *gm, struct gdoi_gm_stats *out)
{
	*out = gm->st;
}
