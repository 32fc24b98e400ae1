/*
 * Key server policy: fresh keys and SPIs from the engine's RNG, the policy
 * versions exchanges refer to, and the roll-over of TEKs and the KEK at
 * their rekey times (behavior-reference §2.2). Every change makes a new
 * immutable version; the old one lives on while an exchange holds it.
 */
#include <stdlib.h>
#include <string.h>

#include "gdoi/ks_priv.h"
#include "gdoi/log_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

#define TEK_LEAD_FLOOR_SEC	 90u
#define KEK_LEAD_FLOOR_SEC	 200u
#define LEAD_JITTER_MS		 10000u
#define ATD_MAX_SEC		 60u
#define TRIGGERED_KEEP_FLOOR_SEC 90u
#define TRIGGERED_KEEP_CAP_SEC	 3600u

static uint64_t add_ns(uint64_t t, uint64_t d)
{
	return t > CLOCK_NEVER - d ? CLOCK_NEVER : t + d;
}

static int fill(struct gdoi_ks *ks, void *p, size_t n)
{
	return crypto_rng_fill(ks->rng, p, n) < 0 ? ERR_CRYPTO : 0;
}

/*
 * Rekey lead (§2.2): min(0.75 L, max(floor, 0.05 L) + W) - U(0, 10 s), W =
 * P (N + 1). Capped at L / 2 so that no more than two generations of one
 * TEK are alive at once (short lifetimes would otherwise stack up to four).
 */
static uint64_t lead_ns(struct gdoi_ks *ks, const struct ks_group_cfg *c, uint32_t life,
			uint32_t floor)
{
	uint64_t l_ms = (uint64_t)life * 1000u;
	uint64_t w_ms = (uint64_t)c->retrans_period_sec * (c->retrans_count + 1u) * 1000u;
	uint64_t base = MAX((uint64_t)floor * 1000u, l_ms / 20u) + w_ms;
	uint64_t lead = MIN(l_ms * 3u / 4u, base);
	uint64_t jitter = crypto_rng_uniform(ks->rng, LEAD_JITTER_MS + 1u);
	lead = lead > jitter + 1000u ? lead - jitter : 1000u;
	return MIN(lead, l_ms / 2u) * NS_PER_MS;
}

static bool spi_in_use(const struct gdoi_ks *ks, const struct gdoi_policy *extra, uint32_t spi)
{
	for (size_t i = 0; extra && i < extra->n_teks; i++)
		if (extra->tek[i].spi == spi)
			return true;
	for (size_t g = 0; g < ks->n_groups; g++) {
		const struct gdoi_policy *p = &ks->groups[g]->pv->p;
		for (size_t i = 0; i < p->n_teks; i++)
			if (p->tek[i].spi == spi)
				return true;
	}
	return false;
}

/* A TEK SPI that no group of this KS uses (>= 256: 1-255 are reserved). */
static int new_spi(struct gdoi_ks *ks, const struct gdoi_policy *p, uint32_t *spi)
{
	uint8_t b[4];
	do {
		if (fill(ks, b, sizeof(b)) < 0)
			return ERR_CRYPTO;
		*spi = buf_load_u32(b);
	} while (*spi < GDOI_SPI_MIN || spi_in_use(ks, p, *spi));
	return 0;
}

static int make_tek(struct gdoi_ks *ks, const struct ks_sa_cfg *s, const struct gdoi_policy *p,
		    uint64_t now, struct gdoi_tek *t)
{
	memset(t, 0, sizeof(*t));
	t->sa_num = s->number;
	t->xf = s->xf;
	t->life_sec = s->life_sec;
	t->created_ns = now;
	t->expires_ns = add_ns(now, (uint64_t)s->life_sec * NS_PER_SEC);
	t->replay = s->replay;
	t->replay_window = s->replay_window;
	t->receive_only = s->receive_only;
	int rc = new_spi(ks, p, &t->spi);
	if (rc == 0)
		rc = fill(ks, t->enc_key, gdoi_transform_enc_len(&t->xf));
	if (rc == 0)
		rc = fill(ks, t->auth_key, gdoi_transform_auth_len(&t->xf));
	t->has_keys = rc == 0;
	return rc;
}

static void kek_transport(const struct ks_group_cfg *c, struct gdoi_kek *k)
{
	k->multicast = c->multicast;
	k->mcast_addr = c->multicast ? c->mcast_addr : 0;
	k->ks_addr = c->ks_addr;
	k->ack_requested = !c->multicast; /* unicast rekeys are acknowledged (notes §5.3) */
	k->sig_hash = c->sig_hash;
	k->sig_alg = WIRE_SIG_ALG_RSA;
	k->sig_key_bits = (uint16_t)c->rsa_bits;
}

static int make_kek(struct gdoi_ks *ks, const struct ks_group_cfg *c, uint64_t now,
		    struct gdoi_kek *k)
{
	static const uint8_t zero[GDOI_KEK_SPI_LEN];
	memset(k, 0, sizeof(*k));
	k->alg = c->kek_alg;
	k->life_sec = c->kek_life_sec;
	k->created_ns = now;
	k->expires_ns = add_ns(now, (uint64_t)c->kek_life_sec * NS_PER_SEC);
	kek_transport(c, k);
	int rc = 0;
	do
		rc = fill(ks, k->spi, sizeof(k->spi));
	while (rc == 0 && !memcmp(k->spi, zero, sizeof(zero)));
	if (rc == 0)
		rc = fill(ks, k->key, crypto_cbc_key_len(k->alg));
	if (rc == 0)
		rc = fill(ks, k->iv, crypto_cbc_block_len(k->alg));
	k->has_keys = rc == 0;
	return rc;
}

static size_t sa_index(const struct ks_group_cfg *c, uint16_t number)
{
	for (size_t i = 0; i < c->n_sas; i++)
		if (c->sa[i].number == number)
			return i;
	return c->n_sas;
}

/* TEKs in `sa ipsec` order, then oldest first: the order SA TEKs go out in. */
static void sort_teks(const struct ks_group_cfg *c, struct gdoi_policy *p)
{
	for (size_t i = 1; i < p->n_teks; i++) {
		struct gdoi_tek t = p->tek[i];
		size_t j = i, ti = sa_index(c, t.sa_num);
		while (j > 0) {
			const struct gdoi_tek *u = &p->tek[j - 1];
			size_t ui = sa_index(c, u->sa_num);
			if (ui < ti || (ui == ti && u->created_ns <= t.created_ns))
				break;
			p->tek[j] = *u;
			j--;
		}
		p->tek[j] = t;
	}
}

/* The flat ACL, GAP and SEQ presence from the configuration. */
static void fill_lines(const struct ks_group_cfg *c, struct gdoi_policy *p)
{
	uint32_t min_life = GDOI_LIFE_MAX_SEC;
	p->n_acl = 0;
	for (size_t i = 0; i < c->n_sas; i++) {
		for (size_t j = 0; j < c->sa[i].n_acl && p->n_acl < GDOI_ACL_MAX; j++)
			p->acl[p->n_acl++] = c->sa[i].acl[j];
		min_life = MIN(min_life, c->sa[i].life_sec);
	}
	uint16_t atd = (uint16_t)MIN(min_life / 10u, ATD_MAX_SEC);
	p->has_gap = true;
	p->atd_sec = c->atd_sec ? c->atd_sec : atd;
	p->dtd_sec = c->dtd_sec ? c->dtd_sec : atd;
	p->has_seq = p->has_kek;
	p->spki_len = c->spki_len;
	memcpy(p->spki, c->spki, c->spki_len);
}

/* Append a new TEK for c->sa[si]; *roll gets the time its successor is due. */
static int add_tek(struct gdoi_ks *ks, const struct ks_group_cfg *c, size_t si,
		   struct gdoi_policy *p, uint64_t now, uint64_t *roll)
{
	if (p->n_teks == GDOI_TEKS_MAX)
		return ERR_LIMIT;
	struct gdoi_tek *t = &p->tek[p->n_teks];
	int rc = make_tek(ks, &c->sa[si], p, now, t);
	if (rc < 0) {
		mem_wipe(t, sizeof(*t));
		return rc;
	}
	p->n_teks++;
	*roll = add_ns(now, (uint64_t)t->life_sec * NS_PER_SEC -
				lead_ns(ks, c, t->life_sec, TEK_LEAD_FLOOR_SEC));
	return 0;
}

static int set_kek(struct gdoi_ks *ks, struct ks_group *g, const struct ks_group_cfg *c,
		   struct gdoi_policy *p, uint64_t now)
{
	int rc = make_kek(ks, c, now, &p->kek);
	if (rc < 0)
		return rc;
	p->has_kek = true;
	g->kek_roll_ns = add_ns(now, (uint64_t)c->kek_life_sec * NS_PER_SEC -
					 lead_ns(ks, c, c->kek_life_sec, KEK_LEAD_FLOOR_SEC));
	return 0;
}

static struct ks_polver *polver_new(void)
{
	struct ks_polver *pv = calloc(1, sizeof(*pv));
	if (pv)
		pv->refs = 1;
	return pv;
}

void ks_polver_unref(struct ks_polver *pv)
{
	if (!pv || --pv->refs)
		return;
	gdoi_policy_clear(&pv->p);
	free(pv);
}

static struct ks_polver *polver_clone(const struct ks_polver *old)
{
	struct ks_polver *pv = polver_new();
	if (pv) {
		pv->p = old->p;
		pv->version = old->version + 1;
	}
	return pv;
}

static void publish(struct ks_group *g, struct ks_polver *pv)
{
	ks_polver_unref(g->pv);
	g->pv = pv;
}

int ks_group_new(struct gdoi_ks *ks, const struct ks_group_cfg *cfg, uint64_t now,
		 struct ks_group **out)
{
	struct ks_group *g = calloc(1, sizeof(*g));
	struct ks_polver *pv = polver_new();
	int rc = g && pv ? 0 : ERR_NOMEM;
	if (rc == 0) {
		g->ks = ks;
		g->handle = ks->next_handle++;
		g->cfg = *cfg;
		g->created_ns = now;
		list_init(&g->members);
		g->kek_roll_ns = CLOCK_NEVER;
		ks_sid_init(g);
		pv->version = 1;
	}
	if (rc == 0 && cfg->has_label)
		rc = set_kek(ks, g, cfg, &pv->p, now);
	for (size_t i = 0; rc == 0 && i < cfg->n_sas; i++)
		rc = add_tek(ks, cfg, i, &pv->p, now, &g->tek_roll_ns[i]);
	if (rc < 0) {
		ks_polver_unref(pv);
		if (g)
			mem_wipe(g, sizeof(*g));
		free(g);
		return rc;
	}
	fill_lines(cfg, &pv->p);
	g->pv = pv;
	g->push_kek = pv->p.kek; /* what members registering now will hold */
	g->rk.next_ns = g->rk.batch_ns = CLOCK_NEVER;
	g->cfg.rsa_key = NULL;
	if (ks_rekey_set_key(g, cfg->rsa_key) < 0)
		GLOG(ks->diag, DIAG_MSG_KS_NO_RSA_KEYS, cfg->rsa_label, cfg->name);
	*out = g;
	return 0;
}

void ks_group_free(struct gdoi_ks *ks, struct ks_group *g)
{
	struct list_node *pos, *tmp;
	list_for_each_safe(pos, tmp, &g->members)
	    ks_member_free(ks, container_of(pos, struct ks_member, link));
	ks_rekey_free(g);
	ks_polver_unref(g->pv);
	mem_wipe(g, sizeof(*g));
	free(g);
}

uint64_t ks_group_pt_ms(const struct ks_group *g, uint64_t now)
{
	return g->pt_base_ms + (now > g->created_ns ? (now - g->created_ns) / NS_PER_MS : 0);
}

uint64_t ks_group_deadline(const struct ks_group *g)
{
	uint64_t next = MIN(g->kek_roll_ns, MIN(g->rk.next_ns, g->rk.batch_ns));
	const struct gdoi_policy *p = &g->pv->p;
	for (size_t i = 0; i < g->cfg.n_sas; i++)
		next = MIN(next, g->tek_roll_ns[i]);
	for (size_t i = 0; i < p->n_teks; i++)
		next = MIN(next, p->tek[i].expires_ns);
	return next;
}

static void rolled_tek(struct gdoi_ks *ks, struct ks_group *g, const struct gdoi_tek *t)
{
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REKEY, DIAG_LVL_EVENT, g->handle, g->cfg.name, 0,
	     "Group %s: new TEK spi 0x%08X for sa ipsec %u, lifetime %u s", g->cfg.name,
	     (unsigned)t->spi, (unsigned)t->sa_num, (unsigned)t->life_sec);
	KS_TRACE_REKEY(ks, g, "TEK_CREATED: spi 0x%08X sa ipsec %u", (unsigned)t->spi,
		       (unsigned)t->sa_num);
	ks_event(ks, GDOI_KS_EV_TEK_ROLLED, g, 0, 0, t->spi);
}

enum { ROLL_EXPIRED = 1, ROLL_NEW_KEYS = 2 };

/* Roll what is due into a new version; returns ROLL_* flags of what changed. */
static int roll(struct gdoi_ks *ks, struct ks_group *g, struct gdoi_policy *p, uint64_t now)
{
	int changed = gdoi_policy_expire_teks(p, now) ? ROLL_EXPIRED : 0;
	for (size_t i = 0; i < g->cfg.n_sas; i++) {
		if (now < g->tek_roll_ns[i])
			continue;
		if (add_tek(ks, &g->cfg, i, p, now, &g->tek_roll_ns[i]) < 0) {
			/* Retry in a second rather than spin; the old TEK still runs. */
			g->tek_roll_ns[i] = add_ns(now, NS_PER_SEC);
			continue;
		}
		rolled_tek(ks, g, &p->tek[p->n_teks - 1]);
		changed |= ROLL_NEW_KEYS;
	}
	if (p->has_kek && now >= g->kek_roll_ns) {
		if (set_kek(ks, g, &g->cfg, p, now) == 0) {
			ks_event(ks, GDOI_KS_EV_KEK_ROLLED, g, 0, 0, 0);
			KS_TRACE_REKEY(ks, g, "KEK_CREATED: lifetime %u s",
				       (unsigned)g->cfg.kek_life_sec);
			changed |= ROLL_NEW_KEYS;
		} else {
			g->kek_roll_ns = add_ns(now, NS_PER_SEC);
		}
	}
	if (changed)
		sort_teks(&g->cfg, p);
	return changed;
}

uint64_t ks_group_tick(struct gdoi_ks *ks, struct ks_group *g, uint64_t now)
{
	if (ks_group_deadline(g) > now)
		return ks_group_deadline(g);
	ks_rekey_tick(ks, g, now);
	struct ks_polver *pv = polver_clone(g->pv);
	if (!pv)
		return add_ns(now, NS_PER_SEC);
	int changed = roll(ks, g, &pv->p, now);
	if (changed)
		publish(g, pv);
	else
		ks_polver_unref(pv);
	if (changed & ROLL_NEW_KEYS)
		ks_rekey_start(ks, g, now);
	return ks_group_deadline(g);
}

/* An `sa ipsec` changed: its running TEKs stay only briefly (§2.2 triggered rekey). */
static void shorten(struct gdoi_policy *p, uint16_t number, uint64_t now)
{
	for (size_t i = 0; i < p->n_teks; i++) {
		struct gdoi_tek *t = &p->tek[i];
		if (t->sa_num != number)
			continue;
		uint64_t keep = MIN((uint64_t)t->life_sec / 20u, TRIGGERED_KEEP_CAP_SEC);
		keep = MAX(keep, TRIGGERED_KEEP_FLOOR_SEC);
		t->expires_ns = MIN(t->expires_ns, add_ns(now, keep * NS_PER_SEC));
	}
}

static void drop_sa(struct gdoi_policy *p, uint16_t number)
{
	size_t kept = 0;
	for (size_t i = 0; i < p->n_teks; i++)
		if (p->tek[i].sa_num != number)
			p->tek[kept++] = p->tek[i];
	mem_wipe(&p->tek[kept], (p->n_teks - kept) * sizeof(p->tek[0]));
	p->n_teks = kept;
}

static int reconf_teks(struct gdoi_ks *ks, struct ks_group *g, const struct ks_group_cfg *c,
		       struct gdoi_policy *p, uint64_t now, uint64_t roll[static GDOI_KS_SAS_MAX])
{
	for (size_t i = 0; i < g->cfg.n_sas; i++)
		if (sa_index(c, g->cfg.sa[i].number) == c->n_sas)
			drop_sa(p, g->cfg.sa[i].number);
	for (size_t i = 0; i < c->n_sas; i++) {
		size_t old = sa_index(&g->cfg, c->sa[i].number);
		bool fresh = old == g->cfg.n_sas || ks_sa_cfg_changed(&g->cfg.sa[old], &c->sa[i]);
		if (!fresh) {
			roll[i] = g->tek_roll_ns[old];
			continue;
		}
		if (old != g->cfg.n_sas)
			shorten(p, c->sa[i].number, now);
		int rc = add_tek(ks, c, i, p, now, &roll[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int reconf_kek(struct gdoi_ks *ks, struct ks_group *g, const struct ks_group_cfg *c,
		      struct gdoi_policy *p, uint64_t now)
{
	if (!c->has_label) {
		mem_wipe(&p->kek, sizeof(p->kek));
		p->has_kek = false;
		g->kek_roll_ns = CLOCK_NEVER;
		return 0;
	}
	if (!p->has_kek || c->kek_alg != g->cfg.kek_alg)
		return set_kek(ks, g, c, p, now);
	if (c->multicast && !g->cfg.multicast)
		GLOG(ks->diag, DIAG_MSG_KS_REKEY_TRANS_2_MULTI, c->name);
	else if (!c->multicast && g->cfg.multicast)
		GLOG(ks->diag, DIAG_MSG_KS_REKEY_TRANS_2_UNI, c->name);
	kek_transport(c, &p->kek);
	return 0;
}

/* Does b hold a KEK, a rekey transport or a TEK that a did not? */
static bool keys_changed(const struct gdoi_policy *a, const struct gdoi_policy *b)
{
	if (b->has_kek && (!a->has_kek || memcmp(a->kek.spi, b->kek.spi, GDOI_KEK_SPI_LEN)))
		return true;
	if (b->has_kek &&
	    (a->kek.multicast != b->kek.multicast || a->kek.mcast_addr != b->kek.mcast_addr))
		return true;
	for (size_t i = 0; i < b->n_teks; i++) {
		bool found = false;
		for (size_t j = 0; j < a->n_teks && !found; j++)
			found = a->tek[j].spi == b->tek[i].spi;
		if (!found)
			return true;
	}
	return false;
}

int ks_group_reconfigure(struct gdoi_ks *ks, struct ks_group *g, const struct ks_group_cfg *c,
			 uint64_t now)
{
	uint64_t roll[GDOI_KS_SAS_MAX];
	uint64_t kek_roll = g->kek_roll_ns;
	struct ks_polver *pv = polver_clone(g->pv);
	if (!pv)
		return ERR_NOMEM;
	int rc = reconf_kek(ks, g, c, &pv->p, now);
	if (rc == 0)
		rc = reconf_teks(ks, g, c, &pv->p, now, roll);
	if (rc < 0) {
		g->kek_roll_ns = kek_roll;
		ks_polver_unref(pv);
		return rc;
	}
	g->cfg = *c;
	g->cfg.rsa_key = NULL;
	memcpy(g->tek_roll_ns, roll, sizeof(roll));
	fill_lines(c, &pv->p);
	sort_teks(c, &pv->p);
	bool fresh = keys_changed(&g->pv->p, &pv->p);
	publish(g, pv);
	if (ks_rekey_set_key(g, c->rsa_key) < 0)
		GLOG(ks->diag, DIAG_MSG_KS_NO_RSA_KEYS, c->rsa_label, c->name);
	/* Triggered rekey (§2.2): new keys reach the members at once. */
	if (fresh)
		ks_rekey_start(ks, g, now);
	return 0;
}

/* replace-now: the running TEKs go at once; the next push names them in a Delete. */
static void replace_now(struct ks_group *g, struct gdoi_policy *p)
{
	for (size_t i = 0; i < p->n_teks; i++) {
		if (g->n_del < GDOI_TEKS_MAX)
			buf_store_u32(g->del_spi[g->n_del++], p->tek[i].spi);
		mem_wipe(&p->tek[i], sizeof(p->tek[i]));
	}
	p->n_teks = 0;
}

int ks_group_rekey_now(struct gdoi_ks *ks, struct ks_group *g, bool replace, uint64_t now)
{
	if (!g->pv->p.has_kek || !g->has_rsa)
		return ERR_STATE;
	struct ks_polver *pv = polver_clone(g->pv);
	if (!pv)
		return ERR_NOMEM;
	if (replace)
		replace_now(g, &pv->p);
	/* A triggered rekey (§2.2): new TEKs now, the running ones only briefly. */
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < g->cfg.n_sas; i++) {
		shorten(&pv->p, g->cfg.sa[i].number, now);
		rc = add_tek(ks, &g->cfg, i, &pv->p, now, &g->tek_roll_ns[i]);
		if (rc == 0)
			rolled_tek(ks, g, &pv->p.tek[pv->p.n_teks - 1]);
	}
	if (rc < 0) {
		ks_polver_unref(pv);
		return rc;
	}
	sort_teks(&g->cfg, &pv->p);
	publish(g, pv);
	ks_rekey_start(ks, g, now);
	return 0;
}

/* ---- restart ---- */

/* An absolute time from "ms left at save" minus the time the KS was down; 0 when past. */
static uint64_t rebase(uint64_t left_ms, uint64_t elapsed_ms, uint64_t now)
{
	if (left_ms == UINT64_MAX)
		return CLOCK_NEVER;
	return left_ms > elapsed_ms ? add_ns(now, (left_ms - elapsed_ms) * NS_PER_MS) : 0;
}

static bool restore_kek(const struct ks_group_cfg *c, const struct gdoi_kek *in, uint64_t el_ms,
			uint64_t now, struct gdoi_kek *out)
{
	uint64_t exp = rebase(in->expires_ns, el_ms, now);
	if (in->alg != c->kek_alg || !in->has_keys || exp <= now)
		return false;
	*out = *in;
	out->expires_ns = exp;
	uint64_t life = (uint64_t)in->life_sec * NS_PER_SEC;
	out->created_ns = exp > life ? exp - life : 0;
	kek_transport(c, out);
	return true;
}

static bool tek_fits(const struct ks_sa_cfg *sa, const struct gdoi_tek *t)
{
	return t->sa_num == sa->number && gdoi_transform_equal(&t->xf, &sa->xf) &&
	       t->replay == sa->replay && t->replay_window == sa->replay_window &&
	       t->receive_only == sa->receive_only && t->has_keys;
}

/* The saved TEKs of one `sa ipsec` replace its fresh ones when any is still alive. */
static void restore_teks(struct ks_group *g, size_t si, const struct ks_saved_group *s,
			 uint64_t el_ms, uint64_t now, struct gdoi_policy *p)
{
	const struct ks_sa_cfg *sa = &g->cfg.sa[si];
	struct gdoi_tek keep[GDOI_TEKS_MAX];
	size_t n = 0;
	for (size_t i = 0; i < s->n_teks && n < GDOI_TEKS_MAX; i++) {
		uint64_t exp = rebase(s->tek[i].expires_ns, el_ms, now);
		if (!tek_fits(sa, &s->tek[i]) || exp <= now)
			continue;
		keep[n] = s->tek[i];
		keep[n].expires_ns = exp;
		uint64_t life = (uint64_t)keep[n].life_sec * NS_PER_SEC;
		keep[n].created_ns = exp > life ? exp - life : 0;
		n++;
	}
	if (n) {
		drop_sa(p, sa->number);
		for (size_t i = 0; i < n && p->n_teks < GDOI_TEKS_MAX; i++)
			p->tek[p->n_teks++] = keep[i];
		for (size_t r = 0; r < s->n_rolls; r++)
			if (s->roll_sa[r] == sa->number)
				g->tek_roll_ns[si] = MAX(rebase(s->roll_ms[r], el_ms, now), now);
	}
	mem_wipe(keep, sizeof(keep));
}

int ks_group_restore(struct gdoi_ks *ks, struct ks_group *g, const struct ks_saved_group *s,
		     uint64_t now, uint64_t elapsed_ns)
{
	(void)ks;
	uint64_t el_ms = elapsed_ns / NS_PER_MS;
	struct ks_polver *pv = polver_clone(g->pv);
	if (!pv)
		return ERR_NOMEM;
	struct gdoi_kek k;
	if (s->has_kek && pv->p.has_kek && restore_kek(&g->cfg, &s->kek, el_ms, now, &k)) {
		pv->p.kek = k;
		g->kek_roll_ns = MAX(rebase(s->kek_roll_ms, el_ms, now), now);
		/* The KEK members hold, when a rekey had not yet handed over the new one. */
		if (!s->has_push_kek ||
		    !restore_kek(&g->cfg, &s->push_kek, el_ms, now, &g->push_kek))
			g->push_kek = k;
	}
	mem_wipe(&k, sizeof(k));
	for (size_t i = 0; i < g->cfg.n_sas; i++)
		restore_teks(g, i, s, el_ms, now, &pv->p);
	sort_teks(&g->cfg, &pv->p);
	publish(g, pv);
	/* Never below a number sent before the restart: a margin covers a lost last save. */
	uint64_t seq = (uint64_t)s->seq + GDOI_KS_SEQ_MARGIN;
	g->seq = MAX(g->seq, seq > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)seq);
	g->pv->p.seq = g->seq;
	g->pt_base_ms = s->pt_ms + el_ms;
	g->created_ns = now;
	return 0;
}

struct ks_group *ks_group_by_id(struct gdoi_ks *ks, const struct wire_id *id)
{
	uint32_t v;
	uint8_t type;
	if (id->type == WIRE_ID_KEY_ID && wire_id_key_id(id, &v) == 0)
		type = GDOI_ID_NUMBER;
	else if (id->type == WIRE_ID_IPV4_ADDR && id->len == 4) {
		type = GDOI_ID_ADDRESS;
		v = buf_load_u32(id->data);
	} else {
		return NULL;
	}
	for (size_t i = 0; i < ks->n_groups; i++) {
		struct ks_group *g = ks->groups[i];
		if (g->cfg.id.type == type && g->cfg.id.value == v)
			return g;
	}
	return NULL;
}
