/*
 * Key server configuration: deep copy of the caller's structs with every
 * check the KS needs to be able to serve the group (a configuration error is
 * reported with the group and the item; nothing is half-applied).
 */
#include <stdio.h>
#include <string.h>

#include "gdoi/ks_priv.h"
#include "gdoi/log_priv.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/gdoi.h"

#define TEK_LIFE_DEFAULT       3600u
#define TEK_LIFE_MIN	       120u
#define KEK_LIFE_DEFAULT       86400u
#define KEK_LIFE_MIN	       300u
#define RETRANS_PERIOD_DEFAULT 10u
#define RETRANS_COUNT_DEFAULT  2u
#define GENERATIONS	       2 /* TEKs of one `sa ipsec` alive at once (old and new) */

static int copy_name(char out[static GDOI_NAME_MAX], const char *in)
{
	if (!in) {
		out[0] = 0;
		return 0;
	}
	size_t n = strlen(in);
	if (n >= GDOI_NAME_MAX)
		return ERR_INVAL;
	memcpy(out, in, n + 1);
	return 0;
}

static bool is_multicast(uint32_t a)
{
	return (a >> 28) == 0xeu;
}

static int check_replay(const struct gdoi_ks_sa_config *s, const char *g, char *err, size_t cap)
{
	switch (s->replay) {
	case GDOI_REPLAY_NONE:
		return 0;
	case GDOI_REPLAY_COUNTER:
		if (s->replay_window < 64 || s->replay_window > 1024 ||
		    (s->replay_window & (s->replay_window - 1u)))
			return gdoi_errf(
			    err, cap, ERR_INVAL,
			    "group %s sa ipsec %u: counter window %u not 64-1024 (power of 2)", g,
			    (unsigned)s->number, (unsigned)s->replay_window);
		return 0;
	case GDOI_REPLAY_TIME:
		if (s->replay_window < 1 || s->replay_window > 100)
			return gdoi_errf(err, cap, ERR_INVAL,
					 "group %s sa ipsec %u: time window %u s not 1-100", g,
					 (unsigned)s->number, (unsigned)s->replay_window);
		return 0;
	default:
		return gdoi_errf(err, cap, ERR_INVAL, "group %s sa ipsec %u: unknown replay method",
				 g, (unsigned)s->number);
	}
}

static int copy_sa(const struct gdoi_ks_sa_config *s, const char *g, struct ks_sa_cfg *o, char *err,
		   size_t cap)
{
	const char *why;
	memset(o, 0, sizeof(*o));
	o->number = s->number;
	if (copy_name(o->profile, s->profile) < 0 || copy_name(o->acl_name, s->acl_name) < 0)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s sa ipsec %u: name too long", g,
				 (unsigned)s->number);
	if (gdoi_transform_check(&s->xf, &why) < 0)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s sa ipsec %u: %s", g,
				 (unsigned)s->number, why);
	o->xf = s->xf;
	o->life_sec = s->life_sec ? s->life_sec : TEK_LIFE_DEFAULT;
	if (o->life_sec < TEK_LIFE_MIN || o->life_sec > GDOI_LIFE_MAX_SEC)
		return gdoi_errf(
		    err, cap, ERR_INVAL, "group %s sa ipsec %u: lifetime %u s not %u-%u", g,
		    (unsigned)s->number, (unsigned)o->life_sec, TEK_LIFE_MIN, GDOI_LIFE_MAX_SEC);
	if (!s->n_acl || s->n_acl > GDOI_KS_ACL_LINES_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s sa ipsec %u: ACL needs 1-%u lines",
				 g, (unsigned)s->number, (unsigned)GDOI_KS_ACL_LINES_MAX);
	for (size_t i = 0; i < s->n_acl; i++) {
		o->acl[i] = s->acl[i];
		o->acl[i].sa_num = s->number;
		if (gdoi_acl_entry_check(&o->acl[i], GDOI_ACL_CONTIGUOUS, &why) < 0)
			return gdoi_errf(err, cap, ERR_INVAL, "group %s ACL %s line %u: %s", g,
					 o->acl_name, (unsigned)s->acl[i].seq, why);
	}
	o->n_acl = s->n_acl;
	int rc = check_replay(s, g, err, cap);
	o->replay = s->replay;
	o->replay_window = s->replay_window;
	o->receive_only = s->receive_only;
	return rc;
}

/* The `sa ipsec` set: numbers unique, and what they add up to fits one SA payload. */
static int copy_sas(const struct gdoi_ks_group_config *in, struct ks_group_cfg *out, char *err,
		    size_t cap)
{
	size_t lines = 0;
	if (!in->n_sas || in->n_sas > GDOI_KS_SAS_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: needs 1-%u sa ipsec", out->name,
				 (unsigned)GDOI_KS_SAS_MAX);
	for (size_t i = 0; i < in->n_sas; i++) {
		int rc = copy_sa(&in->sas[i], out->name, &out->sa[i], err, cap);
		if (rc < 0)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (out->sa[j].number == out->sa[i].number)
				return gdoi_errf(err, cap, ERR_INVAL, "group %s: sa ipsec %u twice",
						 out->name, (unsigned)out->sa[i].number);
		lines += out->sa[i].n_acl;
		if (out->sa[i].life_sec > GDOI_LIFE_LONG_SEC)
			out->needs |= GDOI_CAP_LONG_SA;
		if (out->sa[i].replay == GDOI_REPLAY_TIME)
			out->needs |= GDOI_CAP_TBAR;
		if (out->sa[i].xf.enc == GDOI_ENC_AES_GCM)
			out->needs |= GDOI_CAP_GCM_SID;
	}
	out->n_sas = in->n_sas;
	if (lines * GENERATIONS > WIRE_GDOI_MAX_TEKS || lines * GENERATIONS > GDOI_ACL_MAX)
		return gdoi_errf(err, cap, ERR_INVAL,
				 "group %s: %zu ACL lines in all; at most %u fit the policy",
				 out->name, lines, (unsigned)(WIRE_GDOI_MAX_TEKS / GENERATIONS));
	return 0;
}

static int copy_rekey(const struct gdoi_ks_group_config *in, struct ks_group_cfg *out, char *err,
		      size_t cap)
{
	out->kek_alg = in->kek_alg ? in->kek_alg : CRYPTO_CBC_AES128;
	if (!gdoi_kek_alg_ok(out->kek_alg))
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: rekey algorithm not 3DES/AES",
				 out->name);
	out->kek_life_sec = in->kek_life_sec ? in->kek_life_sec : KEK_LIFE_DEFAULT;
	if (out->kek_life_sec < KEK_LIFE_MIN || out->kek_life_sec > GDOI_LIFE_MAX_SEC)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: rekey lifetime %u s not %u-%u",
				 out->name, (unsigned)out->kek_life_sec, KEK_LIFE_MIN,
				 GDOI_LIFE_MAX_SEC);
	if (out->kek_life_sec > GDOI_LIFE_LONG_SEC && in->rsa_label)
		out->needs |= GDOI_CAP_LONG_SA;
	out->sig_hash = in->sig_hash ? in->sig_hash : CRYPTO_HASH_SHA256;
	if (out->sig_hash == CRYPTO_HASH_MD5 || !crypto_hash_len(out->sig_hash))
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: rekey signature hash", out->name);
	out->retrans_period_sec =
	    in->retrans_period_sec ? in->retrans_period_sec : RETRANS_PERIOD_DEFAULT;
	out->retrans_count = in->retrans_count ? in->retrans_count : RETRANS_COUNT_DEFAULT;
	out->multicast = in->multicast;
	out->mcast_addr = in->mcast_addr;
	if (in->multicast && !is_multicast(in->mcast_addr))
		return gdoi_errf(err, cap, ERR_INVAL,
				 "group %s: multicast rekey needs a group address", out->name);
	if (!in->rsa_label)
		return 0;
	out->has_label = true;
	if (copy_name(out->rsa_label, in->rsa_label) < 0)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: key label too long", out->name);
	out->rsa_missing = !in->rsa_key;
	out->rsa_key = in->rsa_key;
	if (!in->rsa_key)
		return 0;
	struct dbuf d = {0};
	int rc = crypto_rsa_public_spki(in->rsa_key, &d);
	if (rc == 0 && d.len > GDOI_SPKI_MAX)
		rc = ERR_LIMIT;
	if (rc == 0) {
		memcpy(out->spki, d.p, d.len);
		out->spki_len = d.len;
		out->rsa_bits = in->rsa_key->bits;
	}
	dbuf_free(&d);
	return rc < 0 ? gdoi_errf(err, cap, rc, "group %s: RSA key %s unusable", out->name,
				  out->rsa_label)
		      : 0;
}

static int copy_members(const struct gdoi_ks_group_config *in, struct ks_group_cfg *out, char *err,
			size_t cap)
{
	out->authorize = in->authorize;
	if (in->n_auth > GDOI_AUTH_ACL_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: authorization ACL too long",
				 out->name);
	if (in->n_auth)
		memcpy(out->auth, in->auth, in->n_auth * sizeof(in->auth[0]));
	out->n_auth = in->n_auth;
	out->redundancy = in->redundancy;
	out->priority = in->priority;
	if (in->n_peers > GDOI_PEERS_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: too many redundancy peers",
				 out->name);
	if (in->n_peers)
		memcpy(out->peers, in->peers, in->n_peers * sizeof(in->peers[0]));
	out->n_peers = in->n_peers;
	return 0;
}

int ks_cfg_copy(const struct gdoi_ks_group_config *in, uint32_t local_addr,
		struct ks_group_cfg *out, char *err, size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (!in->name || !*in->name || copy_name(out->name, in->name) < 0)
		return gdoi_errf(err, cap, ERR_INVAL, "group name empty or too long");
	if (in->id.type != GDOI_ID_NUMBER && in->id.type != GDOI_ID_ADDRESS)
		return gdoi_errf(err, cap, ERR_INVAL, "group %s: no identity", out->name);
	out->id = in->id;
	out->ks_addr = in->ks_addr ? in->ks_addr : local_addr;
	out->atd_sec = in->atd_sec;
	out->dtd_sec = in->dtd_sec;
	int rc = copy_sas(in, out, err, cap);
	if (rc == 0)
		rc = copy_rekey(in, out, err, cap);
	if (rc == 0)
		rc = copy_members(in, out, err, cap);
	return rc;
}

int ks_cfg_check_set(const struct gdoi_ks_config *cfg, char *err, size_t cap)
{
	if (cfg->n_groups > GDOI_KS_GROUPS_MAX)
		return gdoi_errf(err, cap, ERR_INVAL, "more than %u groups",
				 (unsigned)GDOI_KS_GROUPS_MAX);
	for (size_t i = 0; i < cfg->n_groups; i++)
		for (size_t j = 0; j < i; j++) {
			const struct gdoi_ks_group_config *a = &cfg->groups[i],
							  *b = &cfg->groups[j];
			if (a->name && b->name && !strcmp(a->name, b->name))
				return gdoi_errf(err, cap, ERR_INVAL, "group %s configured twice",
						 a->name);
			if (a->id.type == b->id.type && a->id.value == b->id.value)
				return gdoi_errf(err, cap, ERR_INVAL,
						 "groups %s and %s share an identity",
						 a->name ? a->name : "?", b->name ? b->name : "?");
		}
	return 0;
}

bool ks_sa_cfg_changed(const struct ks_sa_cfg *a, const struct ks_sa_cfg *b)
{
	if (!gdoi_transform_equal(&a->xf, &b->xf) || a->n_acl != b->n_acl ||
	    a->replay != b->replay || a->replay_window != b->replay_window ||
	    a->receive_only != b->receive_only)
		return true;
	for (size_t i = 0; i < a->n_acl; i++)
		if (!gdoi_acl_line_equal(&a->acl[i], &b->acl[i]))
			return true;
	return false;
}
