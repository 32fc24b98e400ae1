/*
 * The per-packet paths over a snapshot (see sad.h): no allocation, no lock,
 * every drop counted once under its reason, every checkpoint once.
 */
#include "dp/sad.h"

#include <string.h>

#include "util/buf.h"
#include "util/err.h"

static struct dp_counters *ctr(struct dp_sad_worker *w)
{
	return w->ctr;
}

static enum dp_verdict drop(struct dp_sad_worker *w, struct dp_out *out, enum dp_drop why)
{
	out->drop = why;
	dp_counters_drop(ctr(w), why);
	return DP_VERDICT_DROP;
}

static void out_reset(struct dp_out *out)
{
	out->used = 0;
	out->n = 0;
	out->drop = DP_DROP_NONE;
	out->sa = NULL;
	out->spi = out->seq = 0;
	out->src = out->dst = 0;
	out->pt_ms = 0;
}

static const struct dp_sad_map *find_map(const struct dp_sad_snap *s, int ifindex)
{
	for (size_t i = 0; i < s->nmaps; i++)
		if (s->maps[i].cfg.ifindex == ifindex)
			return &s->maps[i];
	return NULL;
}

static enum dp_drop ip_drop(int rc)
{
	return rc == ERR_TRUNCATED ? DP_DROP_SHORT_PACKET
	       : rc == ERR_PROTO   ? DP_DROP_NOT_IPV4
				   : DP_DROP_BAD_IP_HEADER;
}

/* ---- outbound ---- */

/* Result of classification: clear, encrypt with (group, sa), or drop. */
struct decision {
	const struct dp_sad_group *group;
	struct dp_sad_sa *sa;
	bool encrypt;
	bool matched;
};

/*
 * Local deny ACL first (its permit entries only mean "not excluded"), then
 * each group in crypto-map order: a permit encrypts, a deny or no match
 * hands over to the next group (IOS crypto-map semantics).
 */
static void classify(struct dp_sad_worker *w, const struct dp_sad_map *m,
		     const struct dp_pkt_flow *f, struct decision *d)
{
	memset(d, 0, sizeof(*d));
	if (m->cfg.local_acl) {
		int i = dp_acl_match(m->cfg.local_acl, w->index, f);
		if (i >= 0 && m->cfg.local_acl->rules[i].e.action == DP_ACL_DENY) {
			d->matched = true;
			return;
		}
	}
	for (size_t g = 0; g < m->ngroups; g++) {
		const struct dp_sad_group *grp = m->groups[g];
		if (!grp->acl)
			continue;
		int i = dp_acl_match(grp->acl, w->index, f);
		if (i < 0)
			continue;
		d->matched = true;
		if (grp->acl->rules[i].e.action == DP_ACL_PERMIT) {
			d->encrypt = true;
			d->group = grp;
			d->sa = grp->out_sa[i];
			return;
		}
	}
}

/* Sequence number for the next packet on this SA (TBAR pseudotime or a counter). */
static int next_seq(struct dp_sad_sa *sa, struct dp_sad_sa_worker *sw, const struct dp_sad_group *g,
		    uint64_t now_ns, uint32_t *seq)
{
	if (sa->replay == DP_SAD_REPLAY_TBAR) {
		*seq = dp_replay_tbar_seq(dp_replay_pseudotime_ms(now_ns, g->pt_offset_ms));
		return 0;
	}
	/* A counter-replay receiver rejects a cycled counter (RFC 4303 §3.3.3). */
	if (sa->replay == DP_SAD_REPLAY_COUNTER && sw->seq == UINT32_MAX)
		return ERR_LIMIT;
	*seq = ++sw->seq;
	if (*seq == 0)
		*seq = ++sw->seq;
	return 0;
}

/* Encapsulate one inner packet lying at out->buf + used + headroom (in place). */
static int encap_one(struct dp_sad_worker *w, const struct dp_sad_map *m, const struct decision *d,
		     size_t inner_len, uint64_t now_ns, struct dp_out *out, enum dp_drop *why)
{
	struct dp_sad_sa *sa = d->sa;
	struct dp_sad_sa_worker *sw = &sa->w[w->index];
	uint8_t *dst = out->buf + out->used;
	struct dp_esp_encap_params p = {.df = m->cfg.df};
	if (next_seq(sa, sw, d->group, now_ns, &p.seq)) {
		*why = DP_DROP_SEQ_EXHAUSTED;
		return ERR_LIMIT;
	}
	p.ip_id = w->ip_id;
	w->ip_id = (uint16_t)(w->ip_id + w->sad->nworkers); /* workers use distinct residues */
	int n = dp_esp_encap(&sw->esp, &p, dst + dp_esp_headroom(&sa->xf), inner_len, dst,
			     out->cap - out->used, why);
	if (n < 0)
		return n;
	out->pkt[out->n++] = (struct dp_out_pkt){dst, (size_t)n};
	out->used += (size_t)n;
	dp_counters_inc(ctr(w), DP_CTR_ENCRYPTED);
	dp_counters_add(&sw->st.out_pkts, 1);
	dp_counters_add(&sw->st.out_bytes, inner_len);
	return 0;
}

/* Room for an inner packet of len bytes encapsulated by sa at the end of the arena? */
static bool room_for(const struct dp_out *out, const struct dp_sad_sa *sa, size_t len)
{
	return out->n < DP_OUT_MAX && out->cap - out->used >= dp_esp_encap_len(&sa->xf, len);
}

static enum dp_verdict encap_whole(struct dp_sad_worker *w, const struct dp_sad_map *m,
				   const struct decision *d, const uint8_t *pkt, size_t len,
				   uint64_t now_ns, struct dp_out *out)
{
	enum dp_drop why;
	if (!room_for(out, d->sa, len))
		return drop(w, out, DP_DROP_NO_SPACE);
	memcpy(out->buf + dp_esp_headroom(&d->sa->xf), pkt, len);
	if (encap_one(w, m, d, len, now_ns, out, &why)) {
		dp_counters_add(&d->sa->w[w->index].st.out_errors, 1);
		return drop(w, out, why);
	}
	return DP_VERDICT_REPLACE;
}

/* DF forbids fragmenting: ICMP frag-needed to the source with the inner MTU. */
static enum dp_verdict frag_needed(struct dp_sad_worker *w, const struct dp_sad_map *m,
				   const struct dp_sad_sa *sa, const uint8_t *pkt, size_t len,
				   uint64_t now_ns, struct dp_out *out)
{
	if (!m->cfg.icmp_src || out->cap < DP_PKT_ICMP_FRAG_MAX)
		return drop(w, out, DP_DROP_TOO_BIG);
	if (!dp_pkt_ratelimit_take(&w->icmp_rl, now_ns)) {
		dp_counters_inc(ctr(w), DP_CTR_ICMP_RATELIMITED);
		return drop(w, out, DP_DROP_TOO_BIG);
	}
	size_t mtu = dp_esp_max_inner(&sa->xf, m->cfg.mtu);
	int n = dp_pkt_icmp_frag_needed(pkt, len, m->cfg.icmp_src, (uint16_t)mtu, w->ip_id,
					out->buf, out->cap);
	if (n < 0)
		return drop(w, out, DP_DROP_TOO_BIG);
	w->ip_id = (uint16_t)(w->ip_id + w->sad->nworkers);
	out->pkt[out->n++] = (struct dp_out_pkt){out->buf, (size_t)n};
	out->used = (size_t)n;
	dp_counters_inc(ctr(w), DP_CTR_ICMP_SENT);
	return drop(w, out, DP_DROP_FRAG_NEEDED_SENT);
}

/* Undo a partly built output: nothing of it may be sent. */
static enum dp_verdict drop_all(struct dp_sad_worker *w, struct dp_out *out, enum dp_drop why)
{
	out->n = 0;
	out->used = 0;
	return drop(w, out, why);
}

/*
 * Fragment the inner packet so that each piece fits the MTU once
 * encapsulated, then encapsulate each piece in place in the arena. Space is
 * checked up front (each piece is at most one MTU), so a result is never
 * partial.
 */
static enum dp_verdict encap_fragments(struct dp_sad_worker *w, const struct dp_sad_map *m,
				       const struct decision *d, const uint8_t *pkt, size_t len,
				       uint64_t now_ns, struct dp_out *out)
{
	struct dp_pkt_frag f;
	size_t hr = dp_esp_headroom(&d->sa->xf);
	int count = dp_pkt_frag_init(&f, pkt, len, dp_esp_max_inner(&d->sa->xf, m->cfg.mtu));
	if (count == ERR_INVAL)
		return drop(w, out, DP_DROP_TOO_BIG); /* MTU too small for this header */
	if (count < 0)
		return drop(w, out, DP_DROP_BAD_IP_HEADER);
	if (count > DP_OUT_MAX)
		return drop(w, out, DP_DROP_TOO_MANY_FRAGS);
	if ((size_t)count * m->cfg.mtu > out->cap - out->used)
		return drop(w, out, DP_DROP_NO_SPACE);
	int n;
	while ((n = dp_pkt_frag_next(&f, out->buf + out->used + hr, out->cap - out->used - hr)) >
	       0) {
		enum dp_drop why;
		if (encap_one(w, m, d, (size_t)n, now_ns, out, &why)) {
			dp_counters_add(&d->sa->w[w->index].st.out_errors, 1);
			return drop_all(w, out, why);
		}
	}
	if (n < 0)
		return drop_all(w, out, DP_DROP_NO_SPACE);
	dp_counters_inc(ctr(w), DP_CTR_FRAGMENTED);
	dp_counters_add(&ctr(w)->ctr[DP_CTR_FRAGMENTS], (uint64_t)count);
	return DP_VERDICT_REPLACE;
}

static enum dp_verdict encrypt(struct dp_sad_worker *w, const struct dp_sad_map *m,
			       const struct decision *d, const struct dp_pkt_ipv4 *h,
			       const uint8_t *pkt, uint64_t now_ns, struct dp_out *out)
{
	size_t len = h->total_len;
	out->sa = d->sa;
	if (!d->sa)
		return drop(w, out, DP_DROP_NO_SA);
	if (dp_esp_encap_len(&d->sa->xf, len) <= m->cfg.mtu)
		return encap_whole(w, m, d, pkt, len, now_ns, out);
	/* Too big once encapsulated. DF set and not overridden by `df-bit clear`: PMTUD. */
	if (dp_pkt_ipv4_df(h) && m->cfg.df != DP_ESP_DF_CLEAR)
		return frag_needed(w, m, d->sa, pkt, len, now_ns, out);
	return encap_fragments(w, m, d, pkt, len, now_ns, out);
}

/* Clamp the MSS of a TCP SYN; true when the packet changed. */
static bool clamp(struct dp_sad_worker *w, const struct dp_sad_map *m, uint8_t *pkt, size_t len)
{
	if (!m || !m->cfg.adjust_mss || dp_pkt_clamp_mss(pkt, len, m->cfg.adjust_mss) != 1)
		return false;
	dp_counters_inc(ctr(w), DP_CTR_MSS_CLAMPED);
	return true;
}

enum dp_verdict dp_sad_output(struct dp_sad_worker *w, int ifindex, uint8_t *pkt, size_t len,
			      uint64_t now_ns, struct dp_out *out)
{
	out_reset(out);
	dp_counters_inc(ctr(w), DP_CTR_LAN_IN);
	struct dp_pkt_ipv4 h;
	int rc = dp_pkt_ipv4_parse(pkt, len, false, &h);
	if (rc)
		return drop(w, out, ip_drop(rc));
	out->src = h.src;
	out->dst = h.dst;
	const struct dp_sad_map *m = find_map(w->snap, ifindex);
	if (!m) {
		dp_counters_inc(ctr(w), DP_CTR_NO_CRYPTO_MAP);
		dp_counters_inc(ctr(w), DP_CTR_WAN_OUT);
		return DP_VERDICT_PASS;
	}
	bool modified = clamp(w, m, pkt, len);
	struct dp_pkt_flow f;
	dp_pkt_flow(pkt, &h, &f);
	struct decision d;
	classify(w, m, &f, &d);
	if (d.encrypt) {
		dp_counters_inc(ctr(w), DP_CTR_CLASS_PERMIT);
		enum dp_verdict v = encrypt(w, m, &d, &h, pkt, now_ns, out);
		if (v == DP_VERDICT_REPLACE)
			dp_counters_add(&ctr(w)->ctr[DP_CTR_WAN_OUT], out->n);
		return v;
	}
	if (!d.matched && m->cfg.default_drop)
		return drop(w, out, DP_DROP_POLICY_DEFAULT);
	dp_counters_inc(ctr(w), DP_CTR_CLASS_DENY);
	dp_counters_inc(ctr(w), DP_CTR_WAN_OUT);
	return modified ? DP_VERDICT_PASS_MODIFIED : DP_VERDICT_PASS;
}

/* ---- inbound ---- */

static enum dp_verdict in_fail(struct dp_sad_worker *w, struct dp_sad_sa_worker *sw,
			       struct dp_out *out, enum dp_drop why)
{
	dp_counters_add(&sw->st.in_errors, 1);
	if (why == DP_DROP_MAC_FAIL)
		dp_counters_add(&sw->st.in_auth_fail, 1);
	if (why == DP_DROP_REPLAY_TBAR || why == DP_DROP_REPLAY_WINDOW)
		dp_counters_add(&sw->st.in_replay, 1);
	return drop(w, out, why);
}

/* Anti-replay after authentication (protocol-notes §5.4, RFC 4303 §3.4.3). */
static enum dp_drop replay_check(const struct dp_sad_slot *sl, uint32_t seq, uint64_t now_ns,
				 struct dp_out *out)
{
	const struct dp_sad_sa *sa = sl->sa;
	switch (sa->replay) {
	case DP_SAD_REPLAY_TBAR:
		out->pt_ms = dp_replay_pseudotime_ms(now_ns, sl->group->pt_offset_ms);
		return dp_replay_tbar_ok(seq, out->pt_ms, sa->replay_window * 1000u)
			   ? DP_DROP_NONE
			   : DP_DROP_REPLAY_TBAR;
	case DP_SAD_REPLAY_COUNTER:
		if (dp_replay_win_check(sa->win, seq))
			return DP_DROP_REPLAY_WINDOW;
		dp_replay_win_update(sa->win, seq);
		return DP_DROP_NONE;
	default:
		return DP_DROP_NONE;
	}
}

/* Optional: the inner packet must be one the group's policy would encrypt. */
static bool policy_ok(const struct dp_sad_group *g, const uint8_t *inner,
		      const struct dp_pkt_ipv4 *h)
{
	if (!g->acl)
		return false;
	struct dp_pkt_flow f;
	dp_pkt_flow(inner, h, &f);
	int i = dp_acl_lookup(g->acl, &f);
	return i >= 0 && g->acl->rules[i].e.action == DP_ACL_PERMIT;
}

/* After the replay check: inner packet checks and the map's inbound options. */
static enum dp_verdict deliver(struct dp_sad_worker *w, const struct dp_sad_map *m,
			       const struct dp_sad_slot *sl, struct dp_sad_sa_worker *sw,
			       uint8_t *pkt, struct dp_esp_decapped *d, struct dp_out *out)
{
	enum dp_drop why;
	if (dp_esp_inner(pkt, d, &why))
		return in_fail(w, sw, out, why);
	dp_counters_inc(ctr(w), DP_CTR_DECRYPTED);
	if (d->ecn_ce)
		dp_counters_inc(ctr(w), DP_CTR_ECN_CE);
	if (d->addr_mismatch) {
		dp_counters_inc(ctr(w), DP_CTR_ADDR_MISMATCH);
		if (m && m->cfg.addr_mismatch_drop)
			return in_fail(w, sw, out, DP_DROP_ADDR_MISMATCH);
	}
	uint8_t *inner = pkt + d->inner_off;
	if (m && m->cfg.policy_check && !policy_ok(sl->group, inner, &d->inner))
		return in_fail(w, sw, out, DP_DROP_POLICY_MISMATCH);
	clamp(w, m, inner, d->inner_len);
	dp_counters_add(&sw->st.in_pkts, 1);
	dp_counters_add(&sw->st.in_bytes, d->inner_len);
	dp_counters_inc(ctr(w), DP_CTR_LAN_OUT);
	out->pkt[0] = (struct dp_out_pkt){inner, d->inner_len};
	out->n = 1;
	return DP_VERDICT_REPLACE;
}

enum dp_verdict dp_sad_input(struct dp_sad_worker *w, int ifindex, uint8_t *pkt, size_t len,
			     uint64_t now_ns, struct dp_out *out)
{
	out_reset(out);
	dp_counters_inc(ctr(w), DP_CTR_WAN_IN);
	struct dp_esp_decapped d;
	enum dp_drop why;
	memset(&d, 0, sizeof(d));
	if (dp_esp_outer(pkt, len, &d.outer, &out->spi, &why))
		return drop(w, out, why);
	out->src = d.outer.src;
	out->dst = d.outer.dst;
	const struct dp_sad_slot *sl = dp_sad_lookup(w->snap, out->spi);
	if (!sl)
		return drop(w, out, DP_DROP_BAD_SPI);
	dp_counters_inc(ctr(w), DP_CTR_SPI_FOUND);
	struct dp_sad_sa_worker *sw = &sl->sa->w[w->index];
	out->sa = sl->sa;
	int rc = dp_esp_open(&sw->esp, pkt + d.outer.hlen, (size_t)d.outer.total_len - d.outer.hlen,
			     &d.esp, &why);
	if (d.esp.authenticated)
		dp_counters_inc(ctr(w), DP_CTR_AUTHENTICATED);
	if (rc)
		return in_fail(w, sw, out, why);
	out->seq = d.esp.seq;
	why = replay_check(sl, d.esp.seq, now_ns, out);
	if (why != DP_DROP_NONE)
		return in_fail(w, sw, out, why);
	dp_counters_inc(ctr(w), DP_CTR_REPLAY_OK);
	return deliver(w, find_map(w->snap, ifindex), sl, sw, pkt, &d, out);
}
