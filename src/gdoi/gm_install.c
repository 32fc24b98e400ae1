/*
 * Group member policy installation: the data-plane snapshot, the syslog
 * messages of a completed registration, expiry of installed keys and the
 * re-registration time (behavior-reference §2.4).
 */
#include <stdlib.h>
#include <string.h>

#include "gdoi/gm_priv.h"
#include "gdoi/log_priv.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/mem.h"

#define REREG_FLOOR_MS 60000u

/*
 * A GCM TEK without a sender ID may only decrypt (the data plane sees
 * sid_bits 0): say so once, not at every publish, until a registration
 * brings one. Rekeys that add the first GCM TEK land here too.
 */
static void sid_check(struct gdoi_gm *gm, struct gm_group *g)
{
	if (g->sid.n || !gdoi_sid_policy_needs(&g->pol) || g->sid_warned)
		return;
	char ksb[DIAG_IP4_STRLEN];
	diag_ip4(g->reg_ks, ksb);
	g->sid_warned = true;
	GLOG(gm->diag, DIAG_MSG_GM_NO_SID, g->cfg.name, ksb);
}

/* The registration's SIDs replace the last one's (a new IV space each time). */
static void sid_take(struct gdoi_gm *gm, struct gm_group *g, uint32_t ks)
{
	g->sid = g->sid_asked ? g->sid_new : (struct gdoi_sids){0};
	g->sid_asked_reg = g->sid_asked;
	g->sid_asked = false;
	memset(&g->sid_new, 0, sizeof(g->sid_new));
	if (!g->sid.n)
		return;
	g->sid_warned = false;
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     ks, "Group %s: sender ID %u (%u bits) assigned", g->cfg.name, (unsigned)g->sid.v[0],
	     (unsigned)g->sid.bits);
}

uint64_t gm_sid_rereg_time(struct gdoi_gm *gm, const struct gm_group *g, uint64_t now, uint64_t t)
{
	if (g->sid.n || g->sid_asked_reg || !gdoi_sid_policy_needs(&g->pol))
		return t;
	uint64_t spread_ms = (uint64_t)MAX(g->pol.atd_sec, 2u) * 1000u / 2u;
	return MIN(t, now + crypto_rng_uniform(gm->rng, spread_ms) * NS_PER_MS);
}

void gm_publish(struct gdoi_gm *gm, struct gm_group *g)
{
	if (!gm->io.install)
		return;
	struct gdoi_gm_install in = {.group = g->cfg.name,
				     .handle = g->handle,
				     .ks_addr = g->reg_ks,
				     .gm_addr = gm_local(gm)};
	if (g->registered) {
		in.state = GDOI_GM_DP_POLICY;
		in.policy = &g->pol;
		in.sid = g->sid.n ? g->sid.v[0] : 0;
		in.sid_bits = g->sid.n ? g->sid.bits : 0;
		sid_check(gm, g);
	} else if (g->cfg.fail_close && !g->ever_registered) {
		in.state = GDOI_GM_DP_FAIL_CLOSED;
	} else {
		return;
	}
	gm->io.install(gm->io.ctx, &in);
}

void gm_uninstall(struct gdoi_gm *gm, struct gm_group *g)
{
	if (!g->registered)
		return;
	g->registered = false;
	gdoi_policy_clear(&g->pol);
	memset(&g->sid, 0, sizeof(g->sid)); /* only a registration hands one out */
	g->sid_asked_reg = false;
	gm_rekey_reset(g);
	if (gm->io.remove)
		gm->io.remove(gm->io.ctx, g->cfg.name, g->handle);
}

/*
 * Lead of a key of lifetime L (seconds): min(0.25 L, max(60 s, U(0.03,
 * 0.05) L)), drawn in ppm steps. IOS caps it at 0.5 L, but a key server
 * (ours, and IOS at L = 120 s) may push as late as 0.5 L before expiry:
 * with the same cap a member of a short-lived TEK re-registers at the
 * moment the push arrives. From L = 240 s up the two caps agree.
 */
static uint64_t lead_ms(struct gdoi_gm *gm, uint32_t life)
{
	uint64_t l_ms = (uint64_t)life * 1000u;
	uint64_t ppm = 30000u + crypto_rng_uniform(gm->rng, 20001u);
	uint64_t frac = l_ms / 1000u * ppm / 1000u;
	return MIN(l_ms / 4u, MAX((uint64_t)REREG_FLOOR_MS, frac));
}

static uint64_t before(uint64_t t, uint64_t ms)
{
	uint64_t d = ms * NS_PER_MS;
	return t > d ? t - d : 0;
}

/*
 * When to register again if no rekey renews the keys: before the newest
 * TEK of each `sa ipsec` runs out (an older one is covered by a newer one),
 * and before the KEK does.
 */
uint64_t gm_rereg_time(struct gdoi_gm *gm, const struct gdoi_policy *p, uint64_t now)
{
	uint64_t t = CLOCK_NEVER;
	for (size_t i = 0; i < p->n_teks; i++) {
		const struct gdoi_tek *k = &p->tek[i];
		bool newest = true;
		for (size_t j = 0; j < p->n_teks; j++)
			if (p->tek[j].sa_num == k->sa_num && p->tek[j].expires_ns > k->expires_ns)
				newest = false;
		if (newest)
			t = MIN(t, before(k->expires_ns, lead_ms(gm, k->life_sec)));
	}
	if (p->has_kek)
		t = MIN(t, before(p->kek.expires_ns, lead_ms(gm, p->kek.life_sec)));
	return t <= now ? now + NS_PER_SEC : t;
}

static void install_logs(struct gdoi_gm *gm, const struct gm_group *g, uint32_t ks)
{
	const struct gdoi_policy *p = &g->pol;
	char ksb[DIAG_IP4_STRLEN], me[DIAG_IP4_STRLEN], spi[2 * GDOI_KEK_SPI_LEN + 1];
	diag_ip4(ks, ksb);
	diag_ip4(gm_local(gm), me);
	if (p->has_kek) {
		if (p->kek.multicast)
			GLOG(gm->diag, DIAG_MSG_GM_REKEY_TRANS_2_MULTI, g->cfg.name);
		else
			GLOG(gm->diag, DIAG_MSG_GM_REKEY_TRANS_2_UNI, g->cfg.name);
		hex_encode_upper(p->kek.spi, GDOI_KEK_SPI_LEN, spi, sizeof(spi));
		GLOG(gm->diag, DIAG_MSG_SA_KEK_UPDATED, g->cfg.name, spi);
	}
	for (size_t i = 0; i < p->n_teks; i++)
		GLOG(gm->diag, DIAG_MSG_SA_TEK_UPDATED, g->cfg.name, p->tek[i].spi);
	GLOG(gm->diag, DIAG_MSG_GM_REGS_COMPL, ksb, g->cfg.name, me);
	GLOG(gm->diag, DIAG_MSG_GM_INSTALL_POLICIES_SUCCESS, ksb, g->cfg.name, me);
	GTRACE(gm->diag, g->cfg.name, ks, "GM_REG_COMPLETE: group %s KS %s, %zu TEKs, seq %u",
	       g->cfg.name, ksb, p->n_teks, (unsigned)p->seq);
}

void gm_install(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, struct crypto_rsa *ks_pub)
{
	struct gdoi_policy *p = g->pending;
	uint32_t ks = g->cfg.servers[g->srv];
	g->pending = NULL;
	gdoi_policy_clear(&g->pol);
	g->pol = *p;
	gdoi_policy_clear(p);
	free(p);
	g->registered = g->ever_registered = true;
	g->reg_ks = ks;
	g->succeeded++;
	g->rekeys_after_reg = 0;
	g->st = GM_ST_IDLE;
	g->srv = 0;
	g->backing_off = false;
	g->backoff_ms = gm->backoff_min_ms;
	g->attempt_end_ns = g->retx_ns = CLOCK_NEVER;
	g->next_ns = gm_rereg_time(gm, &g->pol, now);
	g->activate_ns = CLOCK_NEVER;
	gm_rekey_reset(g);
	if (ks_pub->key) {
		g->ks_pub = *ks_pub;
		g->has_ks_pub = true;
		*ks_pub = (struct crypto_rsa){0};
	}
	g->rereg_due = true;
	gm->st.registrations++;
	sid_take(gm, g, ks);
	gm_publish(gm, g);
	install_logs(gm, g, ks);
	gm_event(gm, GDOI_GM_EV_REGISTERED, g, ks, NULL, 0);
	GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_DETAIL, g->handle,
	     g->cfg.name, ks, "Group %s: re-registers in %llu s", g->cfg.name,
	     (unsigned long long)((g->next_ns - now) / NS_PER_SEC));
}

uint64_t gm_expiry_deadline(const struct gm_group *g)
{
	if (!g->registered)
		return CLOCK_NEVER;
	uint64_t t = g->pol.has_kek ? g->pol.kek.expires_ns : CLOCK_NEVER;
	for (size_t i = 0; i < g->pol.n_teks; i++)
		t = MIN(t, g->pol.tek[i].expires_ns);
	return t;
}

void gm_expire(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	if (!g->registered || gm_expiry_deadline(g) > now)
		return;
	struct gdoi_policy *p = &g->pol;
	for (size_t i = 0; i < p->n_teks; i++)
		if (p->tek[i].expires_ns <= now) {
			GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT,
			     g->handle, g->cfg.name, g->reg_ks, "Group %s: TEK spi 0x%08X expired",
			     g->cfg.name, (unsigned)p->tek[i].spi);
			gm_event(gm, GDOI_GM_EV_TEK_EXPIRED, g, g->reg_ks, NULL, p->tek[i].spi);
		}
	gdoi_policy_expire_teks(p, now);
	if (p->has_kek && p->kek.expires_ns <= now) {
		mem_wipe(&p->kek, sizeof(p->kek));
		p->has_kek = false;
	}
	if (p->n_teks) {
		gm_publish(gm, g);
		return;
	}
	/* Every TEK ran out and nothing renewed it: register again now. */
	GLOG(gm->diag, DIAG_MSG_GM_RE_REGISTER, g->cfg.name);
	gm_event(gm, GDOI_GM_EV_REREGISTER, g, g->reg_ks, "SAs expired", 0);
	gm_uninstall(gm, g);
	if (g->st == GM_ST_IDLE && !g->backing_off) {
		g->next_ns = now;
		g->rereg_due = false;
	}
}
