/*
 * GROUPKEY-PULL, key server side (RFC 6407 §3, notes §4.1):
 *
 *   GM -> KS  HDR*, HASH(1), Ni, ID        HASH(1) = prf(SKEYID_a, M-ID | Ni | ID)
 *   KS -> GM  HDR*, HASH(2), Nr, SA        HASH(2) = prf(SKEYID_a, M-ID | Ni_b | Nr | SA)
 *   GM -> KS  HDR*, HASH(3) [, GAP]        HASH(3) = prf(SKEYID_a, M-ID | Ni_b | Nr_b [| GAP])
 *   KS -> GM  HDR*, HASH(4), SEQ, KD       HASH(4) = prf(SKEYID_a, M-ID | Ni_b | Nr_b | SEQ | KD)
 *
 * A GAP with SENDER_ID_REQUEST, in a group whose policy has a GCM TEK, gets
 * the member a sender ID in a SID key packet of message 4's KD (ks_sid.c).
 *
 * ike1 decrypts and verifies each HASH before we look at a payload, and
 * answers retransmitted requests with the reply it cached. Between messages
 * 1 and 3 the exchange (nonces, the policy version sent) hangs off the SA;
 * the member record is made only once HASH(3) has verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdoi/ks_priv.h"
#include "gdoi/log_priv.h"
#include "ike1/info.h"
#include "ike1/prot.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/build.h"
#include "wire/names.h"

/* The payloads after HASH that a pull message may carry. */
struct pull_pls {
	const struct wire_payload *nonce, *id, *ke, *gap;
};

static int collect(const struct ike1_prot_in *in, struct pull_pls *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 1; i <= in->n_after; i++) {
		const struct wire_payload *pl = &in->m.pl[i], **slot = NULL;
		switch (pl->type) {
		case WIRE_PL_NONCE:
			slot = &p->nonce;
			break;
		case WIRE_PL_ID:
			slot = &p->id;
			break;
		case WIRE_PL_KE:
			slot = &p->ke;
			break;
		case WIRE_PL_GAP:
			slot = &p->gap;
			break;
		default:
			break; /* VID, N, private types: nothing to do with them */
		}
		if (slot && *slot)
			return ERR_PROTO;
		if (slot)
			*slot = pl;
	}
	return 0;
}

static uint32_t caps_of(const struct ks_sa *ksa)
{
	return ksa->caps.gvpn ? ksa->caps.caps : 0;
}

static const char *gname(const struct ks_group *g)
{
	return g ? g->cfg.name : NULL;
}

/* ---- refusals ---- */

/*
 * Refuse a registration after phase 1: tell the GM (protected notify, rate
 * limited by ike1), end the exchange and delete the registration SA here
 * (the GM deletes its side when it gets the notify, or times out).
 */
static void refuse(struct gdoi_ks *ks, struct ike1_sa *sa, const struct ks_group *g, uint32_t mid,
		   uint64_t now, uint16_t notify, const char *why)
{
	char peer[DIAG_IP4_STRLEN];
	diag_ip4(sa->peer.ip4, peer);
	ike1_info_send_error(&ks->ike, sa, now, &sa->peer, sa->cky_i, sa->cky_r, notify);
	ike1_prot_end(sa, now, mid);
	ks->st.refused++;
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_TERSE, g ? g->handle : 0,
	     gname(g), sa->peer.ip4, "Registration of GM %s in group %s refused: %s (%s)", peer,
	     g ? g->cfg.name : "unknown", why, wire_notify_name(notify));
	GTRACE(ks->diag, gname(g), sa->peer.ip4, "KS_REG_REFUSED: GM %s group %s: %s", peer,
	       g ? g->cfg.name : "unknown", why);
	ks_event(ks, GDOI_KS_EV_REFUSED, g, sa->peer.ip4, notify, 0);
	ike1_sa_delete(&ks->ike, sa, now, false);
}

static void bad_message(struct gdoi_ks *ks, struct ike1_sa *sa, const struct ks_group *g, int msgno,
			int rc)
{
	char peer[DIAG_IP4_STRLEN];
	diag_ip4(sa->peer.ip4, peer);
	if (rc == ERR_AUTH) {
		ks->st.hash_fail++;
		GLOG(ks->diag, DIAG_MSG_KS_HASH_FAIL, peer, g ? g->cfg.name : "unknown");
	} else {
		ks->st.malformed++;
	}
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_ERROR, g ? g->handle : 0,
	     gname(g), sa->peer.ip4, "GROUPKEY-PULL message %d from %s dropped: %s", msgno, peer,
	     err_name(rc));
	GEXIT(ks->diag, PULL_MSG_DROPPED, rc, gname(g), sa->peer.ip4, "message %d from %s", msgno,
	      peer);
}

static bool authorized(const struct ks_group_cfg *c, uint32_t addr)
{
	if (!c->authorize)
		return true;
	for (size_t i = 0; i < c->n_auth; i++) {
		const struct gdoi_std_acl_entry *e = &c->auth[i];
		if ((addr & ~e->wild) == (e->addr & ~e->wild))
			return e->permit;
	}
	return false; /* the implicit deny at the end of every ACL */
}

static void feature_list(uint32_t missing, char *out, size_t cap)
{
	static const struct {
		uint32_t cap;
		const char *name;
	} names[] = {
	    {GDOI_CAP_LONG_SA, "Long-SA"},
	    {GDOI_CAP_TBAR, "TBAR"},
	    {GDOI_CAP_GCM_SID, "GCM"},
	    {GDOI_CAP_ACL_EXT, "ACL-Extensions"},
	};
	size_t len = 0;
	out[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(missing & names[i].cap) || len >= cap)
			continue;
		int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", names[i].name);
		len += n > 0 ? (size_t)n : 0;
	}
}

static void reject_version(struct gdoi_ks *ks, struct ike1_sa *sa, const struct ks_group *g,
			   uint32_t mid, uint64_t now, const struct ks_sa *ksa, uint32_t missing)
{
	char peer[DIAG_IP4_STRLEN], list[64];
	diag_ip4(sa->peer.ip4, peer);
	feature_list(missing, list, sizeof(list));
	uint32_t ver = gdoi_caps_version_code(&ksa->caps);
	ks->st.version_rejects++;
	GLOG(ks->diag, DIAG_MSG_REJECT_GM_VERSION_REGISTER, peer, ver, g->cfg.name, list);
	refuse(ks, sa, g, mid, now, WIRE_N_AUTHENTICATION_FAILED, "member lacks a capability");
}

/* ---- debug output of what is sent (never key material) ---- */

static void dbg_sa(struct gdoi_ks *ks, const struct ks_group *g, const struct ike1_sa *sa,
		   const struct gdoi_policy *p, uint32_t caps, uint64_t now)
{
	if (!GDBG_ON(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET, g->cfg.name,
		     sa->peer.ip4))
		return;
	char txt[160], xf[48];
	if (p->has_kek)
		diag_debug_emit(
		    ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET, g->handle,
		    "SA KEK: alg %s-%u, lifetime %u s, sig %s RSA-%u, %s rekey",
		    gdoi_kek_alg_name(p->kek.alg), (unsigned)crypto_cbc_key_len(p->kek.alg) * 8u,
		    (unsigned)gdoi_remaining_sec(p->kek.expires_ns, now),
		    crypto_hash_name(p->kek.sig_hash), (unsigned)p->kek.sig_key_bits,
		    p->kek.multicast ? "multicast" : "unicast");
	for (size_t t = 0; t < p->n_teks; t++) {
		gdoi_transform_format(&p->tek[t].xf, xf, sizeof(xf));
		for (size_t i = 0; i < p->n_acl; i++) {
			if (p->acl[i].sa_num != p->tek[t].sa_num ||
			    !gdoi_acl_line_sendable(&p->acl[i], caps))
				continue;
			gdoi_acl_entry_format(&p->acl[i], txt, sizeof(txt));
			diag_debug_emit(
			    ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET,
			    g->handle, "SA TEK: spi 0x%08X %s, lifetime %u s, %s",
			    (unsigned)p->tek[t].spi, xf,
			    (unsigned)gdoi_remaining_sec(p->tek[t].expires_ns, now), txt);
		}
	}
}

static void dbg_kd(struct gdoi_ks *ks, const struct ks_group *g, const struct ike1_sa *sa,
		   const struct wire_kd *kd)
{
	if (!GDBG_ON(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET, g->cfg.name,
		     sa->peer.ip4))
		return;
	for (size_t i = 0; i < kd->n_packets; i++)
		diag_debug_emit(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_PACKET,
				g->handle,
				"KD: %s key packet, SPI size %u, %u attributes (keys not shown)",
				wire_kd_type_name(kd->pk[i].type), (unsigned)kd->pk[i].spi_size,
				(unsigned)kd->pk[i].attrs.count);
}

/* ---- withheld ACL lines ---- */

static void note_withheld(struct gdoi_ks *ks, struct ks_group *g, const struct ike1_sa *sa,
			  const struct gdoi_withheld *wh, uint32_t version)
{
	if (!wh->n)
		return;
	char peer[DIAG_IP4_STRLEN], lines[128];
	size_t len = 0;
	diag_ip4(sa->peer.ip4, peer);
	lines[0] = 0;
	for (size_t i = 0; i < wh->n && len < sizeof(lines); i++) {
		int n = snprintf(lines + len, sizeof(lines) - len, "%s%u", i ? "," : "",
				 (unsigned)wh->seq[i]);
		len += n > 0 ? (size_t)n : 0;
	}
	ks->st.withheld_lines += wh->n;
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_ACL, DIAG_LVL_TERSE, g->handle, g->cfg.name,
	     sa->peer.ip4, "Group %s: ACL lines %s withheld from GM %s (no gvpn ACL extensions)",
	     g->cfg.name, lines, peer);
	/* The always-on trace says it once per policy version, not once per member. */
	if (g->withheld_logged != version) {
		g->withheld_logged = version;
		GTRACE(ks->diag, g->cfg.name, sa->peer.ip4,
		       "KS_ACL_WITHHELD: group %s lines %s withheld from plain RFC 6407 GM %s and "
		       "others like it",
		       g->cfg.name, lines, peer);
	}
}

/* ---- messages 2 and 4 ---- */

static struct ike1_bytes ni_of(const struct ks_pull *pl)
{
	return (struct ike1_bytes){pl->ni, pl->ni_len};
}

static struct ike1_bytes nr_of(const struct ks_pull *pl)
{
	return (struct ike1_bytes){pl->nr, KS_NONCE_LEN};
}

/* 2  <--  HDR*, HASH(2), Nr, SA */
static int send_msg2(struct gdoi_ks *ks, struct ike1_sa *sa, const struct ks_sa *ksa,
		     struct ks_pull *pl, uint64_t now)
{
	struct ks_group *g = pl->g;
	const struct gdoi_policy *p = &pl->pv->p;
	struct gdoi_enc_opts o = {
	    .caps = caps_of(ksa), .now = now, .pt_ms = ks_group_pt_ms(g, now)};
	struct gdoi_withheld wh;
	struct wire_builder b;
	int rc =
	    ike1_prot_begin(sa, &b, ks->msg, sizeof(ks->msg), WIRE_EXCH_GROUPKEY_PULL, pl->mid);
	if (rc == 0)
		rc = gdoi_policy_encode_sa(p, &o, &ks->arena, &ks->wsa, &wh);
	if (rc == 0) {
		wire_build_nonce(&b, &(struct wire_data){pl->nr, KS_NONCE_LEN});
		wire_build_gdoi_sa(&b, &ks->wsa, WIRE_DIALECT_RFC6407);
		rc = ike1_prot_send(sa, now, &b, ni_of(pl), IKE1_NO_BYTES);
	}
	gdoi_arena_wipe(&ks->arena);
	if (rc < 0)
		return rc;
	note_withheld(ks, g, sa, &wh, pl->pv->version);
	dbg_sa(ks, g, sa, p, o.caps, now);
	return 0;
}

/* 4  <--  HDR*, HASH(4), SEQ, KD (with the member's SID key packet when it got one) */
static int send_msg4(struct gdoi_ks *ks, struct ike1_sa *sa, const struct ks_sa *ksa,
		     struct ks_pull *pl, const struct ks_member *m, uint64_t now)
{
	const struct gdoi_policy *p = &pl->pv->p;
	struct gdoi_enc_opts o = {.caps = caps_of(ksa), .now = now};
	struct wire_builder b = {0};
	int rc =
	    ike1_prot_begin(sa, &b, ks->msg, sizeof(ks->msg), WIRE_EXCH_GROUPKEY_PULL, pl->mid);
	if (rc == 0)
		rc = gdoi_policy_encode_kd(p, &o, &ks->arena, &ks->wkd);
	if (rc == 0 && m->sid) {
		struct gdoi_sids s = {.bits = pl->g->sid_bits, .n = 1, .v = {m->sid}};
		rc = gdoi_sid_kd_encode(&s, &ks->arena, &ks->wkd);
	}
	if (rc == 0) {
		if (p->has_seq)
			wire_build_seq(&b, p->seq);
		wire_build_kd(&b, &ks->wkd);
		dbg_kd(ks, pl->g, sa, &ks->wkd);
		rc = ike1_prot_send(sa, now, &b, ni_of(pl), nr_of(pl));
	}
	/* The plaintext keys were in both; the cache holds only the ciphertext. */
	gdoi_arena_wipe(&ks->arena);
	mem_wipe(ks->msg, MIN(b.w.len + CRYPTO_BLOCK_MAX, sizeof(ks->msg)));
	return rc < 0 ? rc : 0;
}

/* ---- the exchange ---- */

void ks_pull_free(struct gdoi_ks *ks, struct ks_pull *p)
{
	struct ks_sa *ksa = p->sa->user;
	if (ksa && ksa->pull == p)
		ksa->pull = NULL;
	list_del(&p->link);
	ks->n_pulls--;
	ks_polver_unref(p->pv);
	mem_wipe(p, sizeof(*p));
	free(p);
}

uint64_t ks_pulls_expire(struct gdoi_ks *ks, uint64_t now)
{
	while (!list_empty(&ks->pulls)) {
		struct ks_pull *p = container_of(ks->pulls.next, struct ks_pull, link);
		if (p->expires_ns > now)
			return p->expires_ns;
		ks->st.pulls_expired++;
		GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_DETAIL, p->g->handle,
		     p->g->cfg.name, p->sa->peer.ip4,
		     "GROUPKEY-PULL %08x abandoned before message 3", (unsigned)p->mid);
		ks_pull_free(ks, p);
	}
	return CLOCK_NEVER;
}

static struct ks_pull *pull_new(struct gdoi_ks *ks, struct ike1_sa *sa, struct ks_sa *ksa,
				struct ks_group *g, uint32_t mid, const struct wire_data *ni,
				uint64_t now)
{
	struct ks_pull *p = calloc(1, sizeof(*p));
	if (!p || crypto_rng_fill(ks->rng, p->nr, KS_NONCE_LEN) < 0) {
		free(p);
		return NULL;
	}
	if (ksa->pull) /* the GM started over on the same SA */
		ks_pull_free(ks, ksa->pull);
	p->sa = sa;
	p->mid = mid;
	p->g = g;
	p->pv = g->pv;
	p->pv->refs++;
	memcpy(p->ni, ni->p, ni->len);
	p->ni_len = (uint16_t)ni->len;
	p->expires_ns = now + (uint64_t)ks->ike.cfg.give_up_ms * NS_PER_MS;
	list_add_tail(&ks->pulls, &p->link);
	ks->n_pulls++;
	ksa->pull = p;
	ks_schedule(ks, p->expires_ns);
	return p;
}

/* Which group, and may this GM have its keys? NULL when refused (done here). */
static struct ks_group *admit(struct gdoi_ks *ks, struct ike1_sa *sa, const struct ks_sa *ksa,
			      const struct wire_id *id, uint32_t mid, uint64_t now)
{
	char peer[DIAG_IP4_STRLEN], want[24];
	diag_ip4(sa->peer.ip4, peer);
	struct ks_group *g = ks_group_by_id(ks, id);
	if (!g) {
		uint32_t num;
		if (wire_id_key_id(id, &num) == 0)
			snprintf(want, sizeof(want), "%u", (unsigned)num);
		else if (id->type == WIRE_ID_IPV4_ADDR && id->len == 4)
			diag_ip4(buf_load_u32(id->data), want);
		else
			snprintf(want, sizeof(want), "%s", wire_id_type_name(id->type));
		ks->st.bad_id++;
		GLOG(ks->diag, DIAG_MSG_KS_BAD_ID, peer, want);
		GEXIT(ks->diag, KS_BAD_ID, ERR_NOTFOUND, NULL, sa->peer.ip4, "group identity %s",
		      want);
		refuse(ks, sa, NULL, mid, now, WIRE_N_INVALID_ID_INFORMATION, "unknown group");
		return NULL;
	}
	if (!authorized(&g->cfg, sa->peer.ip4)) {
		ks->st.unauthorized++;
		GLOG(ks->diag, DIAG_MSG_UNAUTHORIZED_IPADDR, peer, g->cfg.name);
		GLOG(ks->diag, DIAG_MSG_KS_UNAUTHORIZED, peer, g->cfg.name);
		refuse(ks, sa, g, mid, now, WIRE_N_AUTHENTICATION_FAILED, "address not authorized");
		return NULL;
	}
	uint32_t missing = g->cfg.needs & ~caps_of(ksa);
	if (missing) {
		reject_version(ks, sa, g, mid, now, ksa, missing);
		return NULL;
	}
	return g;
}

/* -->  1  HDR*, HASH(1), Ni, ID */
static void msg1(struct gdoi_ks *ks, struct ike1_sa *sa, struct ks_sa *ksa, uint32_t mid,
		 uint64_t now, const uint8_t *msg, size_t len)
{
	struct ike1_prot_in in;
	struct pull_pls pls;
	struct wire_data ni;
	struct wire_id id;
	int rc = ike1_prot_open(sa, now, msg, len, IKE1_NO_BYTES, IKE1_NO_BYTES, ks->rx,
				sizeof(ks->rx), &in);
	if (rc == IKE1_PROT_DUP)
		return;
	if (rc < 0) {
		bad_message(ks, sa, NULL, 1, rc);
		return;
	}
	if (collect(&in, &pls) < 0 || !pls.nonce || !pls.id ||
	    wire_nonce_decode(pls.nonce, &ni, NULL) < 0 || wire_id_decode(pls.id, &id, NULL) < 0) {
		ks->st.malformed++;
		refuse(ks, sa, NULL, mid, now, WIRE_N_PAYLOAD_MALFORMED,
		       "message 1 without Ni and ID");
		return;
	}
	if (pls.ke) {
		ks->st.no_pfs++;
		refuse(ks, sa, NULL, mid, now, WIRE_N_NO_PROPOSAL_CHOSEN,
		       "KE_I: PFS is not offered");
		return;
	}
	struct ks_group *g = admit(ks, sa, ksa, &id, mid, now);
	if (!g)
		return;
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     sa->peer.ip4, "Received GROUPKEY-PULL message 1 for group %s (M-ID %08x)", g->cfg.name,
	     (unsigned)mid);
	struct ks_pull *pl = pull_new(ks, sa, ksa, g, mid, &ni, now);
	if (!pl) {
		GEXIT(ks->diag, NO_MEMORY, ERR_NOMEM, g->cfg.name, sa->peer.ip4, "pull state");
		return;
	}
	rc = send_msg2(ks, sa, ksa, pl, now);
	if (rc == ERR_INVAL) { /* every line withheld: nothing a plain member could use */
		ks_pull_free(ks, pl);
		reject_version(ks, sa, g, mid, now, ksa, GDOI_CAP_ACL_EXT);
	} else if (rc < 0) {
		GEXIT(ks->diag, SEND_FAILED, rc, g->cfg.name, sa->peer.ip4, "message 2");
		ks_pull_free(ks, pl);
	}
}

static void registered(struct gdoi_ks *ks, struct ks_group *g, const struct ike1_sa *sa,
		       const struct ks_member *m, bool first)
{
	char peer[DIAG_IP4_STRLEN];
	diag_ip4(sa->peer.ip4, peer);
	ks->st.registrations++;
	if (g->cfg.has_label && g->cfg.rsa_missing)
		GLOG(ks->diag, DIAG_MSG_KS_NO_RSA_KEYS, g->cfg.rsa_label, g->cfg.name);
	char ver[40];
	gdoi_caps_format(&m->caps, ver, sizeof(ver));
	GLOG(ks->diag, DIAG_MSG_KS_REGS_COMPL, g->cfg.name, peer, ver);
	if (first)
		GLOG(ks->diag, DIAG_MSG_KS_FIRST_GM, peer, g->cfg.name);
	GTRACE(ks->diag, g->cfg.name, sa->peer.ip4, "KS_REG_COMPLETE: GM %s registered in group %s",
	       peer, g->cfg.name);
	ks_event(ks, GDOI_KS_EV_REGISTERED, g, sa->peer.ip4, 0, 0);
}

/* SENDER_ID_REQUEST of message 3's GAP, if any (sid.h). 0 or ERR_INVAL. */
static int sid_request(const struct wire_payload *gap_pl, uint16_t *n)
{
	struct wire_gap gap;
	*n = 0;
	if (!gap_pl)
		return 0;
	if (wire_gap_decode(gap_pl, &gap, NULL) < 0)
		return ERR_INVAL;
	return gdoi_sid_request_decode(&gap, n);
}

/* -->  3  HDR*, HASH(3) [, GAP] */
static void msg3(struct gdoi_ks *ks, struct ike1_sa *sa, struct ks_sa *ksa, struct ks_pull *pl,
		 uint64_t now, const uint8_t *msg, size_t len)
{
	struct ike1_prot_in in;
	struct pull_pls pls;
	struct ks_group *g = pl->g;
	uint32_t mid = pl->mid;
	int rc =
	    ike1_prot_open(sa, now, msg, len, ni_of(pl), nr_of(pl), ks->rx, sizeof(ks->rx), &in);
	if (rc == IKE1_PROT_DUP)
		return;
	if (rc < 0) {
		bad_message(ks, sa, g, 3, rc);
		return;
	}
	if (collect(&in, &pls) < 0 || pls.ke) {
		ks_pull_free(ks, pl);
		ks->st.no_pfs++;
		refuse(ks, sa, g, mid, now, WIRE_N_NO_PROPOSAL_CHOSEN, "KE_I: PFS is not offered");
		return;
	}
	uint16_t sids_wanted;
	if (sid_request(pls.gap, &sids_wanted) < 0) {
		ks_pull_free(ks, pl);
		ks->st.malformed++;
		refuse(ks, sa, g, mid, now, WIRE_N_PAYLOAD_MALFORMED, "malformed GAP in message 3");
		return;
	}
	/* HASH(3) verified: the GM has seen Nr. Only now is there a member. */
	bool first;
	struct ks_member *m = ks_member_register(ks, g, sa, &ksa->caps, now, &first);
	if (m)
		ks_rekey_member_registered(g, m, pl->pv->version);
	/* Only counter-mode TEKs need one; without one left the member may still receive. */
	if (m && sids_wanted && gdoi_sid_policy_needs(&pl->pv->p))
		(void)ks_sid_assign(ks, g, m, now);
	rc = m ? send_msg4(ks, sa, ksa, pl, m, now) : ERR_NOMEM;
	ike1_prot_end(sa, now, mid);
	ks_pull_free(ks, pl);
	if (rc < 0) {
		GEXIT(ks->diag, SEND_FAILED, rc, g->cfg.name, sa->peer.ip4, "message 4");
		return;
	}
	registered(ks, g, sa, m, first);
}

/* A message for an exchange that is over: ike1 answers it from the cache, or it is stale. */
static void late(struct gdoi_ks *ks, struct ike1_sa *sa, uint64_t now, const uint8_t *msg,
		 size_t len)
{
	struct ike1_prot_in in;
	int rc = ike1_prot_open(sa, now, msg, len, IKE1_NO_BYTES, IKE1_NO_BYTES, ks->rx,
				sizeof(ks->rx), &in);
	if (rc != IKE1_PROT_DUP)
		ks->st.stale++;
}

void ks_pull_input(struct gdoi_ks *ks, struct ike1_sa *sa, uint64_t now, const uint8_t *msg,
		   size_t len)
{
	struct wire_isakmp_hdr h;
	struct ks_sa *ksa = sa->user;
	if (ike1_prot_peek(msg, len, &h) < 0 || len > KS_MSG_MAX) {
		ks->st.malformed++;
		return;
	}
	if (h.exch != WIRE_EXCH_GROUPKEY_PULL || !ksa) {
		ks->st.stale++;
		GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_INFRA, DIAG_LVL_DETAIL, 0, NULL,
		     sa->peer.ip4, "Exchange %u on a registration SA ignored", (unsigned)h.exch);
		return;
	}
	if (ksa->pull && ksa->pull->mid == h.msgid)
		msg3(ks, sa, ksa, ksa->pull, now, msg, len);
	else if (ike1_prot_active(sa, h.msgid))
		late(ks, sa, now, msg, len);
	else
		msg1(ks, sa, ksa, h.msgid, now, msg, len);
}
