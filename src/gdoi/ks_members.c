/*
 * The key server's member database: one record per (member address,
 * group), hashed by both, listed per group in registration order. A record
 * is made only after a registration's HASH(3) verified (DoS rule) and keeps
 * what the rekey phase needs: K_ack, the registration cookies and the
 * per-member rekey counters (zero until then).
 */
#include <stdlib.h>
#include <string.h>

#include "gdoi/ks_priv.h"
#include "ike1/keys.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

static uint64_t member_hash(uint32_t addr, uint32_t handle)
{
	uint32_t k[2] = {addr, handle};
	return hash_bytes(k, sizeof(k));
}

struct ks_member *ks_member_find(const struct gdoi_ks *ks, uint32_t addr, const struct ks_group *g)
{
	uint64_t h = member_hash(addr, g->handle);
	for (struct htab_node *n = htab_first(&ks->members, h); n; n = htab_next(n, h)) {
		struct ks_member *m = container_of(n, struct ks_member, hnode);
		if (m->addr == addr && m->g == g)
			return m;
	}
	return NULL;
}

static struct ks_member *member_add(struct gdoi_ks *ks, struct ks_group *g, uint32_t addr,
				    bool *first)
{
	struct ks_member *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->g = g;
	m->addr = addr;
	if (htab_insert(&ks->members, &m->hnode, member_hash(m->addr, g->handle)) < 0) {
		free(m);
		return NULL;
	}
	list_add_tail(&g->members, &m->link);
	*first = g->n_members++ == 0;
	ks->n_members++;
	return m;
}

struct ks_member *ks_member_register(struct gdoi_ks *ks, struct ks_group *g, struct ike1_sa *sa,
				     const struct gdoi_peer_caps *caps, uint64_t now, bool *first)
{
	struct ks_member *m = ks_member_find(ks, sa->peer.ip4, g);
	*first = false;
	if (!m && !(m = member_add(ks, g, sa->peer.ip4, first)))
		return NULL;
	m->port = sa->peer.port;
	m->caps = *caps;
	m->registered_ns = now;
	m->registrations++;
	m->sid = 0; /* the last registration's is gone; ks_sid_assign gives a new one */
	memcpy(m->cky_i, sa->cky_i, IKE1_COOKIE_LEN);
	memcpy(m->cky_r, sa->cky_r, IKE1_COOKIE_LEN);
	uint8_t kack[IKE1_PRF_MAX];
	int n = ike1_keys_kack(&sa->keys, sa->cky_i, sa->cky_r, kack);
	mem_wipe(m->kack, sizeof(m->kack));
	m->kack_len = n > 0 ? (uint8_t)n : 0;
	m->kack_hash = (uint8_t)sa->keys.hash;
	if (n > 0)
		memcpy(m->kack, kack, (size_t)n);
	mem_wipe(kack, sizeof(kack));
	return m;
}

struct ks_member *ks_member_restore(struct gdoi_ks *ks, struct ks_group *g,
				    const struct ks_saved_member *s, uint64_t now,
				    uint64_t elapsed_ns)
{
	bool first;
	struct ks_member *m = ks_member_find(ks, s->addr, g);
	if (!m && !(m = member_add(ks, g, s->addr, &first)))
		return NULL;
	m->port = s->port;
	m->caps = s->caps;
	uint64_t age = s->age_ms * NS_PER_MS + elapsed_ns;
	m->registered_ns = now > age ? now - age : 0;
	m->registrations = s->registrations;
	memcpy(m->cky_i, s->cky_i, sizeof(m->cky_i));
	memcpy(m->cky_r, s->cky_r, sizeof(m->cky_r));
	m->kack_len = s->kack_len;
	m->kack_hash = s->kack_hash;
	memcpy(m->kack, s->kack, sizeof(m->kack));
	m->rekeys_sent = s->rekeys_sent;
	m->rekey_retries = s->rekey_retries;
	m->acks_rcvd = s->acks_rcvd;
	m->acks_missed = s->acks_missed;
	m->missed_row = s->missed_row;
	memcpy(m->sent_seq, s->sent_seq, sizeof(m->sent_seq));
	memcpy(m->rcvd_seq, s->rcvd_seq, sizeof(m->rcvd_seq));
	m->sid = s->sid;
	return m;
}

void ks_member_free(struct gdoi_ks *ks, struct ks_member *m)
{
	htab_remove(&ks->members, &m->hnode);
	list_del(&m->link);
	m->g->n_members--;
	ks->n_members--;
	mem_wipe(m, sizeof(*m));
	free(m);
}

/* ---- show ---- */

static void member_info(const struct ks_member *m, struct gdoi_ks_member_info *out)
{
	memset(out, 0, sizeof(*out));
	out->addr = m->addr;
	out->group = m->g->cfg.name;
	out->group_id = m->g->cfg.id;
	out->ks_addr = m->g->cfg.ks_addr;
	out->caps = m->caps;
	gdoi_caps_format(&m->caps, out->version, sizeof(out->version));
	out->registered_ns = m->registered_ns;
	out->registrations = m->registrations;
	out->rekeys_sent = m->rekeys_sent;
	out->rekey_retries = m->rekey_retries;
	out->acks_rcvd = m->acks_rcvd;
	out->acks_missed = m->acks_missed;
	memcpy(out->sent_seq, m->sent_seq, sizeof(out->sent_seq));
	memcpy(out->rcvd_seq, m->rcvd_seq, sizeof(out->rcvd_seq));
	out->sid = m->sid;
	out->sid_bits = m->sid ? m->g->sid_bits : 0;
}

int gdoi_ks_members_foreach(const struct gdoi_ks *ks, const char *group,
			    int (*fn)(void *arg, const struct gdoi_ks_member_info *m), void *arg)
{
	struct gdoi_ks_member_info info;
	for (size_t i = 0; i < ks->n_groups; i++) {
		const struct ks_group *g = ks->groups[i];
		if (group && strcmp(group, g->cfg.name))
			continue;
		const struct list_node *pos;
		list_for_each(pos, &g->members)
		{
			member_info(container_of(pos, struct ks_member, link), &info);
			int rc = fn(arg, &info);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int gdoi_ks_member_get(const struct gdoi_ks *ks, uint32_t addr, const char *group,
		       struct gdoi_ks_member_info *out)
{
	for (size_t i = 0; i < ks->n_groups; i++) {
		const struct ks_group *g = ks->groups[i];
		if (group && strcmp(group, g->cfg.name))
			continue;
		const struct ks_member *m = ks_member_find(ks, addr, g);
		if (m) {
			member_info(m, out);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}
