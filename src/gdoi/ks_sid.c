/*
 * Key server sender IDs (RFC 6054; notes §4.6; sid.h). A member that asks
 * in pull message 3, in a group whose policy has a counter-mode (GCM) TEK,
 * gets one SID for its registration.
 *
 * Uniqueness: a member keeps its SID across rekeys and sends with it under
 * every GCM TEK of the group, so a SID could only be handed out again once
 * no key it may have been used with is alive. gvpn keeps the simple rule:
 * never again. SIDs count up from 1 per group (0 is never handed out), and
 * a restarted KS continues above every SID it may have given before: the
 * state file holds a reserved high-water mark, written before a SID above
 * it leaves the KS (one write per SID_BLOCK registrations). After 2^bits - 1
 * SIDs the group has none left: members register without one (receive
 * only) and KS_SID_EXHAUSTED says so.
 */
#include <string.h>

#include "gdoi/ks_priv.h"
#include "gdoi/log_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

/*
 * SIDs reserved per state-file write, and at most lost per restart. Each
 * write serialises every member (and gvpnd fsyncs it), so a registration
 * storm of 10,000 GCM members costs 40 writes, and 255 of 65535 SIDs per
 * restart is a small price.
 */
#define SID_BLOCK 256u

/* ks_sid_saved_next must never wrap: a KS numbers below 2^31. */
_Static_assert(GDOI_SID_BITS_DEFAULT < 32, "KS SID numbering fits in 31 bits");

void ks_sid_init(struct ks_group *g)
{
	g->sid_bits = GDOI_SID_BITS_DEFAULT;
	g->sid_next = 1;
	g->sid_reserved = 0;
}

static void exhausted(struct gdoi_ks *ks, struct ks_group *g, const struct ks_member *m)
{
	char peer[DIAG_IP4_STRLEN];
	diag_ip4(m->addr, peer);
	g->sids_refused++;
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_TERSE, g->handle, g->cfg.name,
	     m->addr, "Group %s: no sender ID left for GM %s", g->cfg.name, peer);
	/* Every later registration would say the same: once per group and run. */
	if (g->sid_exhausted_logged)
		return;
	g->sid_exhausted_logged = true;
	GLOG(ks->diag, DIAG_MSG_KS_SID_EXHAUSTED, g->cfg.name, peer, gdoi_sid_max(g->sid_bits),
	     (unsigned)g->sid_bits);
}

int ks_sid_assign(struct gdoi_ks *ks, struct ks_group *g, struct ks_member *m, uint64_t now)
{
	uint32_t max = gdoi_sid_max(g->sid_bits);
	m->sid = 0;
	if (g->sid_next > max) {
		exhausted(ks, g, m);
		return ERR_LIMIT;
	}
	if (g->sid_next > g->sid_reserved) {
		g->sid_reserved = (uint32_t)MIN((uint64_t)g->sid_next + SID_BLOCK - 1u, max);
		ks_persist_now(ks, now);
	}
	m->sid = g->sid_next++;
	g->sids_given++;
	GDBG(ks->diag, DIAG_ROLE_KS, DIAG_FEAT_REGISTRATION, DIAG_LVL_EVENT, g->handle, g->cfg.name,
	     m->addr, "Group %s: sender ID %u (%u bits) for this registration", g->cfg.name,
	     (unsigned)m->sid, (unsigned)g->sid_bits);
	return 0;
}

uint32_t ks_sid_saved_next(const struct ks_group *g)
{
	return MAX(g->sid_next, g->sid_reserved + 1u);
}

void ks_sid_restore(struct ks_group *g, const struct ks_saved_group *s)
{
	if (!s->sid_bits)
		return; /* a file from before sender IDs: the group had none to give */
	/* The members' SIDs are of the saved width: new ones must not overlap them. */
	g->sid_bits = s->sid_bits;
	g->sid_next = MAX(g->sid_next, s->sid_next);
	g->sid_reserved = g->sid_next - 1u;
}
