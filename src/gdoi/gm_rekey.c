/*
 * Group member GROUPKEY-PUSH processing (RFC 6407 §4; notes §4.11, §5.3):
 *
 *   1. the KEK is found by the cookie pair (unknown: dropped, counted);
 *   2. decrypted with it; a malformed chain is refused;
 *   3. the signature is checked with the KS key of the registration;
 *   4. SEQ must be above the last accepted one (registration or rekey),
 *      else GDOI_REKEY_SEQ_FAILURE and nothing changes;
 *   5. the policy is installed next to the running one: new TEKs receive
 *      at once and send after the activation delay, TEKs the push no longer
 *      lists run out on their own, a new KEK replaces the old one;
 *   6. unicast rekeys are acknowledged (K_ack of the registration).
 * Every refusal logs the cause, then GDOI_REKEY_FAILURE, and changes
 * nothing. A push is never answered with a notify (it may be multicast).
 */
#include <stdlib.h>
#include <string.h>

#include "gdoi/gm_priv.h"
#include "gdoi/log_priv.h"
#include "gdoi/rekey.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/mem.h"
#include "wire/names.h"

void gm_rekey_forget(struct gm_group *g)
{
	mem_wipe(&g->prev_kek, sizeof(g->prev_kek));
	g->has_prev_kek = false;
}

void gm_rekey_reset(struct gm_group *g)
{
	gm_rekey_forget(g);
	if (g->has_ks_pub)
		crypto_rsa_clear(&g->ks_pub);
	g->has_ks_pub = false;
}

/* The group and KEK (current, or the one the last KEK rekey replaced) of a push. */
static struct gm_group *group_of(struct gdoi_gm *gm, const uint8_t *msg, size_t len, uint64_t now,
				 const struct gdoi_kek **kek)
{
	for (size_t i = 0; i < gm->n_groups; i++) {
		struct gm_group *g = gm->groups[i];
		if (!g->registered)
			continue;
		*kek = &g->pol.kek;
		if (g->pol.has_kek && g->pol.kek.has_keys &&
		    gdoi_rekey_is_for(msg, len, (*kek)->spi))
			return g;
		*kek = &g->prev_kek;
		if (g->has_prev_kek && g->prev_kek.expires_ns > now &&
		    gdoi_rekey_is_for(msg, len, (*kek)->spi))
			return g;
	}
	return NULL;
}

static void failed(struct gdoi_gm *gm, const struct gm_group *g, uint32_t ks)
{
	char me[DIAG_IP4_STRLEN], peer[DIAG_IP4_STRLEN];
	GLOG(gm->diag, DIAG_MSG_GDOI_REKEY_FAILURE, diag_ip4(gm_local(gm), me), g->cfg.name,
	     diag_ip4(ks, peer));
	GLOG(gm->diag, DIAG_MSG_IKMP_MODE_FAILURE, peer);
}

/* ---- checks ---- */

/*
 * The KS key of the registration: message 4's KD decoder hands it over;
 * decoded here, once, only for a policy installed otherwise.
 */
static const struct crypto_rsa *ks_key(struct gm_group *g)
{
	if (!g->has_ks_pub && g->pol.spki_len &&
	    crypto_rsa_from_spki(&g->ks_pub, g->pol.spki, g->pol.spki_len) == 0)
		g->has_ks_pub = true;
	return g->has_ks_pub ? &g->ks_pub : NULL;
}

static int check_sig(struct gdoi_gm *gm, struct gm_group *g, struct gdoi_rekey_in *in, uint32_t ks)
{
	const struct crypto_rsa *pub = ks_key(g);
	int rc = pub ? gdoi_rekey_verify(in, gm->rx, pub, g->pol.kek.sig_hash) : ERR_NOTFOUND;
	if (rc < 0) {
		char peer[DIAG_IP4_STRLEN];
		gm->st.rekey_bad_sig++;
		GLOG(gm->diag, DIAG_MSG_GM_HASH_FAIL, "rekey", diag_ip4(ks, peer), g->cfg.name);
	}
	return rc;
}

static int check_seq(struct gdoi_gm *gm, struct gm_group *g, uint32_t seq)
{
	if (seq > g->pol.seq)
		return 0;
	gm->st.rekey_replayed++;
	GLOG(gm->diag, DIAG_MSG_GDOI_REKEY_SEQ_FAILURE, seq, g->cfg.name, g->pol.seq);
	return ERR_REPLAY;
}

/* gdoid names the KEK key packet of a KEK rekey by the old SPI: accept a lone KEK packet. */
static void kek_packet_fixup(struct wire_kd *kd, const struct gdoi_policy *p)
{
	if (!p->has_kek || wire_kd_find(kd, WIRE_KD_KEK, p->kek.spi, GDOI_KEK_SPI_LEN))
		return;
	struct wire_kd_packet *only = NULL;
	for (size_t i = 0; i < kd->n_packets; i++) {
		if (kd->pk[i].type != WIRE_KD_KEK)
			continue;
		if (only)
			return;
		only = &kd->pk[i];
	}
	if (only)
		only->spi = p->kek.spi;
}

/* The signing key of old, so the KD decoder does not decode it again in a push. */
static void known_key(struct gdoi_policy *n, const struct gdoi_policy *old)
{
	n->spki_len = old->spki_len;
	n->spki_bits = old->spki_bits;
	memcpy(n->spki, old->spki, old->spki_len);
}

/* SA and KD of the push as a policy with keys; NULL when refused (logged). */
static struct gdoi_policy *decode_policy(struct gdoi_gm *gm, struct gm_group *g,
					 const struct gdoi_rekey_in *in, uint32_t ks, uint64_t now)
{
	char why[160] = "malformed SA or KD payload";
	struct gdoi_policy *p = calloc(1, sizeof(*p));
	int rc = p ? 0 : ERR_NOMEM;
	if (rc == 0 && (wire_gdoi_sa_decode(in->sa, WIRE_DIALECT_AUTO, &gm->wsa, NULL) < 0 ||
			wire_kd_decode(in->kd, &gm->wkd, NULL) < 0))
		rc = ERR_PROTO;
	if (rc == 0)
		rc = gdoi_policy_decode_push_sa(&gm->wsa, now, p, why, sizeof(why));
	if (rc == 0) {
		kek_packet_fixup(&gm->wkd, p);
		known_key(p, &g->pol);
		rc = gdoi_policy_decode_kd(p, &gm->wkd, why, sizeof(why));
	}
	if (rc == 0)
		return p;
	char peer[DIAG_IP4_STRLEN];
	gm->st.rekey_rejected++;
	GLOG(gm->diag, DIAG_MSG_GM_REJECTING_SA_PAYLOAD, diag_ip4(ks, peer), g->cfg.name, why);
	if (p)
		gdoi_policy_clear(p);
	free(p);
	return NULL;
}

/* ---- install ---- */

static const struct gdoi_tek *find_tek(const struct gdoi_policy *p, uint32_t spi)
{
	for (size_t i = 0; i < p->n_teks; i++)
		if (p->tek[i].spi == spi)
			return &p->tek[i];
	return NULL;
}

/* New TEKs of n wait out the activation delay; ones we had keep their times. */
static void stamp_teks(struct gdoi_policy *n, const struct gdoi_policy *old, uint64_t now,
		       uint64_t *activate)
{
	uint16_t atd = n->has_gap ? n->atd_sec : old->atd_sec;
	for (size_t i = 0; i < n->n_teks; i++) {
		struct gdoi_tek *t = &n->tek[i];
		const struct gdoi_tek *o = find_tek(old, t->spi);
		if (o) {
			t->created_ns = o->created_ns;
			t->active_ns = o->active_ns;
			continue;
		}
		t->active_ns = now + (uint64_t)atd * NS_PER_SEC + 1;
		*activate = MIN(*activate, t->active_ns);
	}
}

/* TEKs we hold that the push no longer lists keep running until they expire. */
static void keep_old_teks(struct gdoi_policy *n, const struct gdoi_policy *old, uint64_t now)
{
	for (size_t i = 0; i < old->n_teks && n->n_teks < GDOI_TEKS_MAX; i++) {
		const struct gdoi_tek *o = &old->tek[i];
		if (o->expires_ns > now && !find_tek(n, o->spi))
			n->tek[n->n_teks++] = *o;
	}
}

static void log_new_keys(struct gdoi_gm *gm, const struct gm_group *g, const struct gdoi_policy *n,
			 const struct gdoi_policy *old)
{
	if (n->has_kek && (!old->has_kek || memcmp(n->kek.spi, old->kek.spi, GDOI_KEK_SPI_LEN))) {
		char spi[2 * GDOI_KEK_SPI_LEN + 1];
		hex_encode_upper(n->kek.spi, GDOI_KEK_SPI_LEN, spi, sizeof(spi));
		GLOG(gm->diag, DIAG_MSG_SA_KEK_UPDATED, g->cfg.name, spi);
	}
	for (size_t i = 0; i < n->n_teks; i++)
		if (!find_tek(old, n->tek[i].spi))
			GLOG(gm->diag, DIAG_MSG_SA_TEK_UPDATED, g->cfg.name, n->tek[i].spi);
	if (!n->has_kek || !old->has_kek || n->kek.multicast == old->kek.multicast)
		return;
	if (n->kek.multicast)
		GLOG(gm->diag, DIAG_MSG_GM_REKEY_TRANS_2_MULTI, g->cfg.name);
	else
		GLOG(gm->diag, DIAG_MSG_GM_REKEY_TRANS_2_UNI, g->cfg.name);
}

/* A push with only a new KEK (gdoid's KEK rekey): the rest of the policy stays. */
static void keep_policy(struct gdoi_policy *n, const struct gdoi_policy *old)
{
	if (!n->n_teks) {
		n->n_acl = old->n_acl;
		memcpy(n->acl, old->acl, sizeof(n->acl));
	}
	if (!n->has_gap) {
		n->has_gap = old->has_gap;
		n->atd_sec = old->atd_sec;
		n->dtd_sec = old->dtd_sec;
	}
	if (!n->has_pseudotime) {
		n->has_pseudotime = old->has_pseudotime;
		n->pt_ms = old->pt_ms;
		n->pt_at_ns = old->pt_at_ns;
	}
}

/* Merge the pushed policy n into the installed one. */
static void merge(struct gdoi_gm *gm, struct gm_group *g, struct gdoi_policy *n, uint64_t now)
{
	struct gdoi_policy *old = &g->pol;
	keep_policy(n, old);
	stamp_teks(n, old, now, &g->activate_ns);
	keep_old_teks(n, old, now);
	if (!n->has_kek) {
		n->has_kek = old->has_kek;
		n->kek = old->kek;
	}
	/* The signing key stays the one of the registration. */
	known_key(n, old);
	log_new_keys(gm, g, n, old);
	if (old->has_kek && memcmp(n->kek.spi, old->kek.spi, GDOI_KEK_SPI_LEN)) {
		g->prev_kek = old->kek;
		g->has_prev_kek = true;
	}
	gdoi_policy_clear(old);
	*old = *n;
}

/* Deletes: named TEKs stop after the deactivation delay; a KEK delete means re-register. */
static bool apply_deletes(struct gdoi_gm *gm, struct gm_group *g, const struct gdoi_rekey_in *in,
			  uint64_t now)
{
	bool rereg = false;
	struct gdoi_policy *p = &g->pol;
	uint64_t end = now + (uint64_t)p->dtd_sec * NS_PER_SEC;
	for (size_t i = 0; i < in->n_del; i++) {
		struct wire_delete d;
		if (wire_delete_decode(in->del[i], &d, NULL) < 0)
			continue;
		for (size_t k = 0; k < d.n_spis; k++) {
			const uint8_t *spi = wire_delete_spi(&d, k);
			struct gdoi_tek *t =
			    d.spi_size == 4 ? gdoi_policy_tek(p, buf_load_u32(spi)) : NULL;
			if (t)
				t->expires_ns = MIN(t->expires_ns, end);
			rereg |= d.spi_size == GDOI_KEK_SPI_LEN;
		}
		GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_EVENT, g->handle,
		     g->cfg.name, g->reg_ks, "Group %s: rekey deletes %u SAs", g->cfg.name,
		     (unsigned)d.n_spis);
	}
	return rereg;
}

/* ---- acknowledgement ---- */

static void send_ack(struct gdoi_gm *gm, struct gm_group *g, const struct ike1_peer *peer,
		     const uint8_t spi[GDOI_KEK_SPI_LEN], uint32_t seq)
{
	struct gdoi_kack k = {
	    .prf = (enum crypto_hash_alg)g->kack_hash, .len = g->kack_len, .key = g->kack};
	int n = gdoi_rekey_ack_build(spi, seq, gm_local(gm), &k, gm->msg, sizeof(gm->msg));
	if (n < 0 || !gm->io.send)
		return;
	gm->io.send(gm->io.ctx, peer, gm->msg, (size_t)n);
	g->acks_sent++;
}

/* ---- the push ---- */

static void accepted(struct gdoi_gm *gm, struct gm_group *g, const struct ike1_peer *peer,
		     uint32_t seq, bool multicast, bool policy, uint64_t now)
{
	char ks[DIAG_IP4_STRLEN], dst[DIAG_IP4_STRLEN], me[DIAG_IP4_STRLEN];
	g->pol.seq = seq;
	g->pol.has_seq = true;
	g->rekeys_received++;
	g->rekeys_after_reg++;
	g->last_rekey_from = peer->ip4;
	g->last_rekey_seq = seq;
	g->last_rekey_ns = now ? now : 1;
	GLOG(gm->diag, DIAG_MSG_GM_RECV_REKEY, g->cfg.name, diag_ip4(peer->ip4, ks),
	     diag_ip4(multicast ? g->pol.kek.mcast_addr : gm_local(gm), dst), seq);
	if (policy)
		GLOG(gm->diag, DIAG_MSG_GM_INSTALL_POLICIES_SUCCESS, ks, g->cfg.name,
		     diag_ip4(gm_local(gm), me));
	if (g->st == GM_ST_IDLE && !g->backing_off) {
		g->next_ns = gm_sid_rereg_time(gm, g, now, gm_rereg_time(gm, &g->pol, now));
		g->rereg_due = true;
	}
	gm_publish(gm, g);
}

static void process(struct gdoi_gm *gm, struct gm_group *g, const struct ike1_peer *peer,
		    const struct gdoi_kek *kek, struct gdoi_rekey_in *in, uint64_t now)
{
	uint8_t spi[GDOI_KEK_SPI_LEN];
	memcpy(spi, kek->spi, sizeof(spi));
	bool ack = kek->ack_requested && !kek->multicast && g->kack_len;
	bool multicast = kek->multicast;
	bool newest = kek == &g->pol.kek;
	if (check_sig(gm, g, in, peer->ip4) < 0 || check_seq(gm, g, in->seq) < 0) {
		failed(gm, g, peer->ip4);
		return;
	}
	struct gdoi_policy *n = NULL;
	if (in->sa && !(n = decode_policy(gm, g, in, peer->ip4, now))) {
		failed(gm, g, peer->ip4);
		return;
	}
	/* A push under the newest KEK: the one before it is no longer needed. */
	if (newest)
		gm_rekey_forget(g);
	if (n) {
		merge(gm, g, n, now);
		mem_wipe(n, sizeof(*n)); /* its keys were copied into g->pol */
		free(n);
	}
	bool rereg = apply_deletes(gm, g, in, now);
	accepted(gm, g, peer, in->seq, multicast, in->sa != NULL, now);
	if (ack)
		send_ack(gm, g, peer, spi, in->seq);
	if (rereg && g->st == GM_ST_IDLE) {
		g->next_ns = now;
		g->rereg_due = true;
	}
}

void gm_rekey_input(struct gdoi_gm *gm, uint64_t now, const struct ike1_peer *peer,
		    const uint8_t *msg, size_t len)
{
	const struct gdoi_kek *kek = NULL;
	struct gm_group *g = group_of(gm, msg, len, now, &kek);
	if (!g) {
		gm->st.rekey_unknown_kek++;
		return;
	}
	struct gdoi_rekey_in *in = malloc(sizeof(*in));
	int rc = in ? gdoi_rekey_open(msg, len, kek, gm->rx, sizeof(gm->rx), in) : ERR_NOMEM;
	if (rc < 0) {
		gm->st.rekey_malformed++;
		GDBG(gm->diag, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_ERROR, g->handle,
		     g->cfg.name, peer->ip4, "Group %s: rekey not decodable (%s)", g->cfg.name,
		     err_name(rc));
		failed(gm, g, peer->ip4);
	} else {
		process(gm, g, peer, kek, in, now);
	}
	mem_wipe(gm->rx, MIN(len, sizeof(gm->rx)));
	free(in);
}

void gm_rekey_tick(struct gdoi_gm *gm, struct gm_group *g, uint64_t now)
{
	if (!g->registered || g->activate_ns > now)
		return;
	g->activate_ns = CLOCK_NEVER;
	for (size_t i = 0; i < g->pol.n_teks; i++)
		if (g->pol.tek[i].active_ns > now)
			g->activate_ns = MIN(g->activate_ns, g->pol.tek[i].active_ns);
	/* The data plane moves its sending to the TEK that just became active. */
	gm_publish(gm, g);
}
