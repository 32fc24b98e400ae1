/*
 * SA database: SA objects, snapshot build, publication and epoch-based
 * reclamation (the scheme is described in sad.h). The per-packet paths are
 * in sad_path.c.
 */
#include "dp/sad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define EPOCH_IDLE UINT64_MAX

enum { SPI_MIN = 256, TBAR_WINDOW_MAX_SEC = 100 };

/* ---- SAs ---- */

static int check_replay(const struct dp_sad_sa_params *p)
{
	switch (p->replay) {
	case DP_SAD_REPLAY_NONE:
		return 0;
	case DP_SAD_REPLAY_TBAR:
		return p->replay_window >= 1 && p->replay_window <= TBAR_WINDOW_MAX_SEC ? 0
											: ERR_INVAL;
	case DP_SAD_REPLAY_COUNTER: {
		struct dp_replay_win w;
		return dp_replay_win_init(&w, p->replay_window);
	}
	}
	return ERR_INVAL;
}

static void sa_free(struct dp_sad_sa *sa)
{
	if (sa->w)
		for (size_t i = 0; i < sa->nworkers; i++)
			dp_esp_ctx_clear(&sa->w[i].esp);
	free(sa->w);
	free(sa->win);
	free(sa);
}

/* One keyed ESP context per worker; all share the CBC IV-generator key. */
static int sa_contexts(struct dp_sad_sa *sa, const struct dp_sad_sa_params *p,
		       struct crypto_rng *rng)
{
	uint8_t ivkey[DP_ESP_IVGEN_KEY_LEN];
	int rc = crypto_rng_fill(rng, ivkey, sizeof(ivkey));
	for (size_t i = 0; !rc && i < sa->nworkers; i++) {
		struct dp_esp_ivspace ivs = {
		    .sid = p->sid,
		    .sid_bits = p->sid_bits,
		    .worker = (uint32_t)i,
		    .nworkers = (uint32_t)sa->nworkers,
		    .ivgen_key = ivkey,
		};
		rc = dp_esp_ctx_init(&sa->w[i].esp, &p->xf, p->spi, p->enc_key, p->enc_key_len,
				     p->auth_key, p->auth_key_len, &ivs);
	}
	mem_wipe(ivkey, sizeof(ivkey));
	return rc;
}

static void sa_meta(struct dp_sad_sa *sa, const struct dp_sad_sa_params *p)
{
	sa->spi = p->spi;
	sa->xf = p->xf;
	dp_esp_xform_name(&p->xf, sa->xf_name);
	snprintf(sa->group, sizeof(sa->group), "%s", p->group ? p->group : "");
	sa->replay = p->replay;
	sa->replay_window = p->replay_window;
	sa->inbound_only = p->inbound_only;
	sa->tek_tag = p->tek_tag;
	sa->lifetime_sec = p->lifetime_sec;
	sa->expire_ns = p->expire_ns;
	sa->refs = 1;
}

int dp_sad_sa_create(struct dp_sad *sad, const struct dp_sad_sa_params *p, struct crypto_rng *rng,
		     struct dp_sad_sa **out)
{
	*out = NULL;
	if (p->spi < SPI_MIN || dp_esp_xform_check(&p->xf, false) || check_replay(p))
		return ERR_INVAL;
	struct dp_sad_sa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return ERR_NOMEM;
	sa_meta(sa, p);
	sa->order = ++sad->next_order;
	sa->nworkers = sad->nworkers;
	sa->w = aligned_alloc(DP_CACHE_LINE, sad->nworkers * sizeof(*sa->w));
	if (!sa->w) {
		sa_free(sa);
		return ERR_NOMEM;
	}
	memset(sa->w, 0, sad->nworkers * sizeof(*sa->w));
	int rc = sa_contexts(sa, p, rng);
	if (!rc && p->replay == DP_SAD_REPLAY_COUNTER) {
		sa->win = malloc(sizeof(*sa->win));
		rc = sa->win ? dp_replay_win_init(sa->win, p->replay_window) : ERR_NOMEM;
	}
	if (rc) {
		sa_free(sa);
		return rc;
	}
	sa->can_send = !p->inbound_only && sa->w[0].esp.can_send;
	*out = sa;
	return 0;
}

void dp_sad_sa_unref(struct dp_sad_sa *sa)
{
	if (sa && !--sa->refs)
		sa_free(sa);
}

void dp_sad_sa_totals(const struct dp_sad_sa *sa, struct dp_sad_sa_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sa->nworkers; i++) {
		const struct dp_sad_sa_stats *s = &sa->w[i].st;
		t->out_pkts += atomic_load_explicit(&s->out_pkts, memory_order_relaxed);
		t->out_bytes += atomic_load_explicit(&s->out_bytes, memory_order_relaxed);
		t->out_errors += atomic_load_explicit(&s->out_errors, memory_order_relaxed);
		t->in_pkts += atomic_load_explicit(&s->in_pkts, memory_order_relaxed);
		t->in_bytes += atomic_load_explicit(&s->in_bytes, memory_order_relaxed);
		t->in_errors += atomic_load_explicit(&s->in_errors, memory_order_relaxed);
		t->in_auth_fail += atomic_load_explicit(&s->in_auth_fail, memory_order_relaxed);
		t->in_replay += atomic_load_explicit(&s->in_replay, memory_order_relaxed);
	}
}

/* ---- snapshots ---- */

void dp_sad_snap_free(struct dp_sad_snap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ngroups; i++) {
		free(s->groups[i].out_sa);
		dp_acl_unref(s->groups[i].acl);
	}
	for (size_t i = 0; i < s->nmaps; i++) {
		free(s->maps[i].groups);
		dp_acl_unref(s->maps[i].cfg.local_acl);
	}
	for (size_t i = 0; i < s->nsas; i++)
		dp_sad_sa_unref(s->sas[i]);
	free(s->groups);
	free(s->maps);
	free(s->slots);
	free(s->sas);
	free(s);
}

static size_t spi_hash(uint32_t spi, size_t mask)
{
	/* Fibonacci hashing: SPIs from a KS may share low bits. */
	return (size_t)((spi * 0x9e3779b1u) >> 8) & mask;
}

const struct dp_sad_slot *dp_sad_lookup(const struct dp_sad_snap *s, uint32_t spi)
{
	for (size_t i = spi_hash(spi, s->mask);; i = (i + 1) & s->mask) {
		const struct dp_sad_slot *sl = &s->slots[i];
		if (!sl->sa)
			return NULL;
		if (sl->spi == spi)
			return sl;
	}
}

static int slot_insert(struct dp_sad_snap *s, struct dp_sad_sa *sa, const struct dp_sad_group *g)
{
	size_t i = spi_hash(sa->spi, s->mask);
	for (; s->slots[i].sa; i = (i + 1) & s->mask)
		if (s->slots[i].spi == sa->spi)
			return ERR_EXISTS;
	s->slots[i] = (struct dp_sad_slot){.spi = sa->spi, .sa = sa, .group = g};
	sa->refs++;
	s->sas[s->nsas++] = sa;
	return 0;
}

/*
 * The SA a permit entry sends with: the newest of the group with its tag
 * that may send and is not held (hold_mask).
 */
static struct dp_sad_sa *pick_sender(const struct dp_sad_group_desc *gd, uint32_t tag)
{
	struct dp_sad_sa *best = NULL;
	for (size_t i = 0; i < gd->nsas; i++) {
		struct dp_sad_sa *sa = gd->sas[i];
		if (sa->tek_tag != tag || sa->inbound_only)
			continue;
		if (i < 64 && (gd->hold_mask >> i) & 1u)
			continue;
		if (!best || sa->order > best->order)
			best = sa;
	}
	return best;
}

static int build_group(const struct dp_sad *sad, struct dp_sad_snap *s, struct dp_sad_group *g,
		       const struct dp_sad_group_desc *gd)
{
	snprintf(g->name, sizeof(g->name), "%s", gd->name ? gd->name : "");
	g->pt_offset_ms = gd->pt_offset_ms;
	if (gd->acl) {
		g->acl = gd->acl;
		dp_acl_ref(g->acl);
		g->out_sa = calloc(g->acl->n ? g->acl->n : 1, sizeof(*g->out_sa));
		if (!g->out_sa)
			return ERR_NOMEM;
		for (size_t i = 0; i < g->acl->n; i++)
			if (g->acl->rules[i].e.action == DP_ACL_PERMIT)
				g->out_sa[i] = pick_sender(gd, g->acl->rules[i].e.tek_tag);
	}
	for (size_t i = 0; i < gd->nsas; i++) {
		/* Its per-worker array must cover every worker of this database. */
		if (gd->sas[i]->nworkers != sad->nworkers)
			return ERR_INVAL;
		int rc = slot_insert(s, gd->sas[i], g);
		if (rc)
			return rc;
	}
	return 0;
}

static int build_map(struct dp_sad_snap *s, struct dp_sad_map *m, const struct dp_sad_map_desc *md)
{
	if (md->mtu < 576)
		return ERR_INVAL;
	m->cfg = *md;
	m->cfg.groups = NULL;
	if (md->local_acl)
		dp_acl_ref(md->local_acl);
	m->groups = calloc(md->ngroups ? md->ngroups : 1, sizeof(*m->groups));
	if (!m->groups)
		return ERR_NOMEM;
	for (size_t i = 0; i < md->ngroups; i++) {
		if (md->groups[i] >= s->ngroups)
			return ERR_INVAL;
		m->groups[i] = &s->groups[md->groups[i]];
	}
	m->ngroups = md->ngroups;
	for (size_t i = 0; i < (size_t)(m - s->maps); i++)
		if (s->maps[i].cfg.ifindex == md->ifindex)
			return ERR_INVAL;
	return 0;
}

static int snap_alloc(const struct dp_sad_desc *d, struct dp_sad_snap **out)
{
	size_t nsas = 0;
	for (size_t i = 0; i < d->ngroups; i++)
		nsas += d->groups[i].nsas;
	size_t cap = 8;
	while (cap < 2 * nsas)
		cap *= 2;
	struct dp_sad_snap *s = calloc(1, sizeof(*s));
	*out = s;
	if (!s)
		return ERR_NOMEM;
	s->groups = calloc(d->ngroups ? d->ngroups : 1, sizeof(*s->groups));
	s->maps = calloc(d->nmaps ? d->nmaps : 1, sizeof(*s->maps));
	s->slots = calloc(cap, sizeof(*s->slots));
	s->sas = calloc(nsas ? nsas : 1, sizeof(*s->sas));
	s->mask = cap - 1;
	return s->groups && s->maps && s->slots && s->sas ? 0 : ERR_NOMEM;
}

int dp_sad_snap_build(struct dp_sad *sad, const struct dp_sad_desc *d, struct dp_sad_snap **out)
{
	struct dp_sad_snap *s = NULL;
	int rc = snap_alloc(d, &s);
	for (size_t i = 0; !rc && i < d->ngroups; i++) {
		rc = build_group(sad, s, &s->groups[i], &d->groups[i]);
		s->ngroups = i + 1; /* what is built so far is freed on error */
	}
	for (size_t i = 0; !rc && i < d->nmaps; i++) {
		rc = build_map(s, &s->maps[i], &d->maps[i]);
		s->nmaps = i + 1;
	}
	if (rc) {
		dp_sad_snap_free(s);
		s = NULL;
	}
	*out = s;
	return rc;
}

/* ---- publication and epochs ---- */

int dp_sad_create(size_t nworkers, struct dp_sad **out)
{
	*out = NULL;
	if (nworkers == 0 || nworkers > UINT32_MAX)
		return ERR_INVAL;
	struct dp_sad *sad = calloc(1, sizeof(*sad));
	if (!sad)
		return ERR_NOMEM;
	sad->nworkers = nworkers;
	sad->epochs = aligned_alloc(DP_CACHE_LINE, nworkers * sizeof(*sad->epochs));
	sad->counters = dp_counters_alloc(nworkers);
	struct dp_sad_snap *empty = NULL;
	static const struct dp_sad_desc none = {0};
	if (!sad->epochs || !sad->counters || dp_sad_snap_build(sad, &none, &empty)) {
		dp_sad_destroy(sad);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < nworkers; i++)
		atomic_init(&sad->epochs[i].seen, EPOCH_IDLE);
	empty->version = ++sad->last_version;
	atomic_init(&sad->cur, empty);
	atomic_init(&sad->version, empty->version);
	*out = sad;
	return 0;
}

void dp_sad_destroy(struct dp_sad *sad)
{
	if (!sad)
		return;
	while (sad->retired) {
		struct dp_sad_snap *s = sad->retired;
		sad->retired = s->retired_next;
		dp_sad_snap_free(s);
	}
	dp_sad_snap_free(atomic_load(&sad->cur));
	free(sad->epochs);
	dp_counters_free(sad->counters);
	free(sad);
}

void dp_sad_publish(struct dp_sad *sad, struct dp_sad_snap *s)
{
	s->version = ++sad->last_version;
	struct dp_sad_snap *old = atomic_exchange(&sad->cur, s);
	atomic_store(&sad->version, s->version);
	old->retired_next = sad->retired;
	sad->retired = old;
	dp_sad_reclaim(sad);
}

size_t dp_sad_reclaim(struct dp_sad *sad)
{
	uint64_t oldest = EPOCH_IDLE;
	for (size_t i = 0; i < sad->nworkers; i++) {
		uint64_t v = atomic_load(&sad->epochs[i].seen);
		if (v < oldest)
			oldest = v;
	}
	size_t left = 0;
	for (struct dp_sad_snap **pp = &sad->retired; *pp;) {
		struct dp_sad_snap *s = *pp;
		if (s->version < oldest) {
			*pp = s->retired_next;
			dp_sad_snap_free(s);
		} else {
			pp = &s->retired_next;
			left++;
		}
	}
	return left;
}

const struct dp_sad_snap *dp_sad_current(struct dp_sad *sad)
{
	return atomic_load(&sad->cur);
}

void dp_sad_counters(const struct dp_sad *sad, struct dp_counters_total *t)
{
	dp_counters_sum(sad->counters, sad->nworkers, t);
}

int dp_sad_worker_init(struct dp_sad_worker *w, struct dp_sad *sad, size_t index,
		       uint16_t ip_id_seed)
{
	memset(w, 0, sizeof(*w));
	if (index >= sad->nworkers)
		return ERR_INVAL;
	w->sad = sad;
	w->index = index;
	w->ctr = &sad->counters[index];
	w->ip_id = ip_id_seed;
	dp_pkt_ratelimit_init(&w->icmp_rl, DP_SAD_ICMP_PER_SEC, DP_SAD_ICMP_BURST);
	return 0;
}

const struct dp_sad_snap *dp_sad_enter(struct dp_sad_worker *w)
{
	/* Announce the version first, then read the pointer (see sad.h). */
	atomic_store(&w->sad->epochs[w->index].seen, atomic_load(&w->sad->version));
	w->snap = atomic_load(&w->sad->cur);
	return w->snap;
}

void dp_sad_quiesce(struct dp_sad_worker *w)
{
	w->snap = NULL;
	atomic_store(&w->sad->epochs[w->index].seen, EPOCH_IDLE);
}
