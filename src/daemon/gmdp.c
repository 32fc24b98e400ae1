#include "daemon/gmdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/log.h"
#include "dp/runtime.h"
#include "util/clock.h"
#include "util/err.h"

enum { PARK_MAX = 2 * GDOI_TEKS_MAX };

/* A GCM SA that left the group's set while its key may still come back. */
struct parked {
	struct dp_sad_sa *sa;
	uint32_t sid;
	uint8_t sid_bits;
};

struct grp {
	char name[DP_SAD_NAME_MAX];
	struct dp_acl *acl; /* NULL: not registered */
	struct dp_sad_sa *sas[GDOI_TEKS_MAX];
	size_t nsas;
	uint64_t hold; /* dp_sad_group_desc.hold_mask: SAs that do not send yet */
	int64_t pt_offset_ms;
	/* the sender ID the GCM SAs of sas[] were created with */
	uint32_t sid;
	uint8_t sid_bits;
	/*
	 * GCM SAs with a sender ID that are no longer installed (removed, fail
	 * closed, or replaced under a new SID) and have not expired: a later
	 * install of the same SPI and SID takes the object back, so its IV
	 * counters go on instead of starting again at 1.
	 */
	struct parked park[PARK_MAX];
	size_t npark;
};

struct daemon_gmdp {
	struct dp_sad *sad;
	daemon_gmdp_publish_fn publish;
	void *arg;
	struct crypto_rng *rng;
	struct diag *diag;
	size_t n;
	struct grp g[];
};

int daemon_gmdp_new(struct dp_sad *sad, const char *const *groups, size_t n,
		    daemon_gmdp_publish_fn publish, void *arg, struct crypto_rng *rng,
		    struct diag *diag, struct daemon_gmdp **out)
{
	if (n > DP_RUNTIME_GROUPS_MAX)
		return ERR_LIMIT;
	struct daemon_gmdp *g = calloc(1, sizeof(*g) + n * sizeof(g->g[0]));
	if (!g)
		return ERR_NOMEM;
	g->sad = sad;
	g->publish = publish;
	g->arg = arg;
	g->rng = rng;
	g->diag = diag;
	g->n = n;
	for (size_t i = 0; i < n; i++)
		snprintf(g->g[i].name, sizeof(g->g[i].name), "%s", groups[i]);
	*out = g;
	return 0;
}

/* Does this SA's IV carry the sender ID (a counter under the group key)? */
static bool uses_sid(const struct dp_sad_sa *sa)
{
	return sa->xf.encr == DP_ESP_ENCR_AES_GCM;
}

static void park_drop(struct grp *x, size_t i)
{
	dp_sad_sa_unref(x->park[i].sa);
	x->park[i] = x->park[--x->npark];
}

/* Release the parked SAs that expired by now. */
static void park_prune(struct grp *x, uint64_t now)
{
	for (size_t i = x->npark; i-- > 0;)
		if (x->park[i].sa->expire_ns <= now)
			park_drop(x, i);
}

/*
 * Our reference to sa leaves the group's set (it was created under the
 * group's current SID). A GCM SA that could send is parked; a full park
 * gives up the one that expires first.
 */
static void release_sa(struct grp *x, struct dp_sad_sa *sa)
{
	if (!uses_sid(sa) || !sa->can_send) {
		dp_sad_sa_unref(sa);
		return;
	}
	if (x->npark == PARK_MAX) {
		size_t first = 0;
		for (size_t i = 1; i < x->npark; i++)
			if (x->park[i].sa->expire_ns < x->park[first].sa->expire_ns)
				first = i;
		park_drop(x, first);
	}
	x->park[x->npark++] = (struct parked){sa, x->sid, x->sid_bits};
}

/* Take back the parked SA of this SPI and SID, or NULL. */
static struct dp_sad_sa *unpark(struct grp *x, uint32_t spi, uint32_t sid, uint8_t sid_bits)
{
	for (size_t i = 0; i < x->npark; i++) {
		struct parked *k = &x->park[i];
		if (k->sa->spi == spi && k->sid == sid && k->sid_bits == sid_bits) {
			struct dp_sad_sa *sa = k->sa;
			*k = x->park[--x->npark];
			return sa;
		}
	}
	return NULL;
}

static void grp_clear(struct grp *x)
{
	dp_acl_unref(x->acl);
	x->acl = NULL;
	for (size_t i = 0; i < x->nsas; i++)
		release_sa(x, x->sas[i]);
	x->nsas = 0;
	x->hold = 0;
	x->pt_offset_ms = 0;
}

void daemon_gmdp_free(struct daemon_gmdp *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		struct grp *x = &g->g[i];
		dp_acl_unref(x->acl);
		for (size_t j = 0; j < x->nsas; j++)
			dp_sad_sa_unref(x->sas[j]);
		while (x->npark)
			park_drop(x, x->npark - 1);
	}
	free(g);
}

static struct grp *find(struct daemon_gmdp *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->g[i].name, name))
			return &g->g[i];
	return NULL;
}

static int publish(struct daemon_gmdp *g)
{
	struct dp_sad_group_desc d[DP_RUNTIME_GROUPS_MAX];
	for (size_t i = 0; i < g->n; i++)
		d[i] = (struct dp_sad_group_desc){
		    .name = g->g[i].name,
		    .pt_offset_ms = g->g[i].pt_offset_ms,
		    .acl = g->g[i].acl,
		    .sas = g->g[i].sas,
		    .nsas = g->g[i].nsas,
		    .hold_mask = g->g[i].hold,
		};
	return g->publish(g->arg, d, g->n);
}

/* ---- policy to data plane ---- */

int daemon_gmdp_xform(const struct gdoi_transform *in, struct dp_esp_xform *out)
{
	memset(out, 0, sizeof(*out));
	switch (in->enc) {
	case GDOI_ENC_NULL:
		out->encr = DP_ESP_ENCR_NULL;
		break;
	case GDOI_ENC_3DES:
		out->encr = DP_ESP_ENCR_3DES_CBC;
		break;
	case GDOI_ENC_AES_CBC:
		out->encr = DP_ESP_ENCR_AES_CBC;
		break;
	case GDOI_ENC_AES_GCM:
		out->encr = DP_ESP_ENCR_AES_GCM;
		break;
	default:
		return ERR_UNSUPP;
	}
	out->key_bits = in->key_bits;
	switch (in->auth) {
	case GDOI_AUTH_NONE:
		out->auth = DP_ESP_AUTH_NONE;
		break;
	case GDOI_AUTH_SHA1:
		out->auth = DP_ESP_AUTH_SHA1_96;
		break;
	case GDOI_AUTH_SHA256:
		out->auth = DP_ESP_AUTH_SHA256_128;
		break;
	default: /* HMAC-SHA-384 is not in the data plane */
		return ERR_UNSUPP;
	}
	return dp_esp_xform_check(out, false) ? ERR_UNSUPP : 0;
}

static int make_acl(struct daemon_gmdp *g, const char *group, const struct gdoi_policy *p,
		    struct dp_acl **out)
{
	/* an ip selector with ports becomes up to three lines (TCP, UDP, SCTP) */
	struct dp_acl_entry e[3 * GDOI_ACL_MAX];
	int n = gdoi_acl_to_dp(p->acl, p->n_acl, e, sizeof(e) / sizeof(e[0]));
	if (n < 0)
		return n;
	return dp_acl_create(group, e, (size_t)n, g->sad->nworkers, out);
}

/*
 * Index of the group's SA with this SPI that install in may keep, or -1:
 * a GCM SA only while the registration's sender ID is the one it was
 * created with (a new SID never continues an old counter).
 */
static int existing_sa(const struct grp *x, uint32_t spi, const struct gdoi_gm_install *in)
{
	bool same_sid = in->sid == x->sid && in->sid_bits == x->sid_bits;
	for (size_t i = 0; i < x->nsas; i++)
		if (x->sas[i]->spi == spi)
			return same_sid || !uses_sid(x->sas[i]) ? (int)i : -1;
	return -1;
}

static int make_sa(struct daemon_gmdp *g, const char *group, const struct gdoi_tek *t,
		   const struct gdoi_gm_install *in, struct dp_sad_sa **out)
{
	struct dp_sad_sa_params p = {
	    .spi = t->spi,
	    .enc_key = t->enc_key,
	    .enc_key_len = gdoi_transform_enc_len(&t->xf),
	    .auth_key = t->auth_key,
	    .auth_key_len = gdoi_transform_auth_len(&t->xf),
	    .sid = in->sid,
	    .sid_bits = in->sid_bits,
	    .replay = t->replay == GDOI_REPLAY_TIME	 ? DP_SAD_REPLAY_TBAR
		      : t->replay == GDOI_REPLAY_COUNTER ? DP_SAD_REPLAY_COUNTER
							 : DP_SAD_REPLAY_NONE,
	    .replay_window = t->replay_window,
	    .inbound_only = t->receive_only,
	    .tek_tag = t->sa_num,
	    .lifetime_sec = t->life_sec,
	    .expire_ns = t->expires_ns,
	    .group = group,
	};
	int rc = daemon_gmdp_xform(&t->xf, &p.xf);
	if (!rc)
		rc = dp_sad_sa_create(g->sad, &p, g->rng, out);
	if (rc && g->diag)
		diag_trace_exit(g->diag, TEK_NOT_INSTALLED, rc, group, 0,
				"SPI 0x%08X not usable by the data plane", t->spi);
	return rc;
}

/* Is a TEK with this SPI among the n SAs? */
static bool in_set(struct dp_sad_sa *const *sas, size_t n, uint32_t spi)
{
	for (size_t i = 0; i < n; i++)
		if (sas[i]->spi == spi)
			return true;
	return false;
}

/*
 * May TEK t send at now? Not before its activation time (a rekeyed TEK
 * waits out the activation delay), and only when it is the engine's own
 * choice for its sa_num (gdoi_policy_outbound) -- unless that choice is
 * not usable by the data plane, then any active one may.
 */
static bool may_send(const struct gdoi_policy *p, const struct gdoi_tek *t,
		     struct dp_sad_sa *const *sas, size_t n, uint64_t now)
{
	if (t->active_ns > now)
		return false;
	const struct gdoi_tek *o = gdoi_policy_outbound(p, t->sa_num, now);
	return !o || o == t || !in_set(sas, n, o->spi);
}

/*
 * The SA set of install in. An SPI the group has already keeps its SA (our
 * reference moves to the new set: kept[i] marks it) unless it is GCM and
 * the sender ID changed; then a parked SA of that SPI and SID comes back,
 * or a new SA is made (new SPIs too). *hold gets a bit for each SA that
 * only receives at now (may_send).
 */
static int make_sas(struct daemon_gmdp *g, struct grp *x, const struct gdoi_gm_install *in,
		    uint64_t now, struct dp_sad_sa **sas, size_t *n, uint64_t *hold,
		    bool kept[static GDOI_TEKS_MAX])
{
	const struct gdoi_policy *p = in->policy;
	const struct gdoi_tek *of[GDOI_TEKS_MAX];
	*n = 0;
	memset(kept, 0, GDOI_TEKS_MAX * sizeof(kept[0]));
	for (size_t i = 0; i < p->n_teks && *n < GDOI_TEKS_MAX; i++) {
		const struct gdoi_tek *t = &p->tek[i];
		if (!t->has_keys)
			continue;
		int old = existing_sa(x, t->spi, in);
		struct dp_sad_sa *sa;
		if (old >= 0) {
			sa = x->sas[old];
			kept[old] = true;
		} else if (!(sa = unpark(x, t->spi, in->sid, in->sid_bits)) &&
			   make_sa(g, x->name, t, in, &sa)) {
			continue;
		}
		of[*n] = t;
		sas[(*n)++] = sa;
	}
	*hold = 0;
	for (size_t i = 0; i < *n; i++)
		if (!may_send(p, of[i], sas, *n, now))
			*hold |= UINT64_C(1) << i;
	return *n ? 0 : ERR_INVAL;
}

/* Release (or park) what the new set does not keep. */
static void drop_old(struct grp *x, const bool kept[static GDOI_TEKS_MAX])
{
	for (size_t i = 0; i < x->nsas; i++)
		if (!kept[i])
			release_sa(x, x->sas[i]);
	x->nsas = 0;
	dp_acl_unref(x->acl);
	x->acl = NULL;
}

int daemon_gmdp_install(struct daemon_gmdp *g, const struct gdoi_gm_install *in, uint64_t now)
{
	struct grp *x = find(g, in->group);
	if (!x)
		return ERR_NOTFOUND;
	if (in->state != GDOI_GM_DP_POLICY || !in->policy) {
		grp_clear(x);
		return publish(g);
	}
	const struct gdoi_policy *p = in->policy;
	struct dp_acl *acl;
	int rc = make_acl(g, x->name, p, &acl);
	if (rc)
		return rc;
	struct dp_sad_sa *sas[GDOI_TEKS_MAX];
	bool kept[GDOI_TEKS_MAX];
	size_t n;
	uint64_t hold;
	park_prune(x, now);
	rc = make_sas(g, x, in, now, sas, &n, &hold, kept);
	if (rc) {
		/* nothing usable: new SAs (none) and the new ACL go, the old state stays */
		dp_acl_unref(acl);
		return rc;
	}
	drop_old(x, kept);
	x->sid = in->sid;
	x->sid_bits = in->sid_bits;
	x->acl = acl;
	memcpy(x->sas, sas, n * sizeof(sas[0]));
	x->nsas = n;
	x->hold = hold;
	x->pt_offset_ms =
	    p->has_pseudotime ? (int64_t)p->pt_ms - (int64_t)(p->pt_at_ns / NS_PER_MS) : 0;
	return publish(g);
}

int daemon_gmdp_remove(struct daemon_gmdp *g, const char *group)
{
	struct grp *x = find(g, group);
	if (!x)
		return ERR_NOTFOUND;
	grp_clear(x);
	return publish(g);
}
