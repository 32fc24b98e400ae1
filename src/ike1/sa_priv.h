/*
 * Helpers of the SA table shared by the files of ike1/ (mm.c, info.c,
 * prot.c). Not for other layers: they use sa.h, info.h and prot.h.
 */
#ifndef GVPN_IKE1_SA_PRIV_H
#define GVPN_IKE1_SA_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/log.h"
#include "ike1/sa.h"

#define IKE1_MSG_MAX 4096 /* largest message ike1 builds itself (MODP-4096 KE fits) */

/* Hand a datagram to io.send and count it. */
void ike1_sa_send(struct ike1_sa_table *t, const struct ike1_peer *peer, const uint8_t *msg,
		  size_t len);
/* A new SA in the table (cookie of its role drawn from the RNG when cky_r is NULL). */
struct ike1_sa *ike1_sa_new(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
			    enum ike1_role role, const uint8_t *cky_i);
/* Main Mode completed: state GDOI_IDLE, lifetime armed, io.up(). */
void ike1_sa_established(struct ike1_sa *sa, uint64_t now, const struct ike1_vids *vids);
/* The SA failed or is gone: mark deleted, io.down(), keep it visible a while. */
void ike1_sa_fail(struct ike1_sa *sa, uint64_t now, const struct ike1_result *r);
/* Make sure the table's deadline is no later than when. */
void ike1_sa_schedule(struct ike1_sa_table *t, uint64_t when);
/* May we send an error notify to peer now? (one per peer per notify_gap_ms) */
bool ike1_sa_notify_allowed(struct ike1_sa_table *t, const struct ike1_peer *peer, uint64_t now);
/* Add ms to a time without overflow. */
uint64_t ike1_sa_after(uint64_t now, uint32_t ms);

/*
 * `debug crypto isakmp` line about sa (may be NULL): "ISAKMP: (<conn-id>):text".
 * Nothing is formatted unless the level is on and the conditions match.
 */
#define IKE1_DBG(t, sa, level, ...)                                                                \
	do {                                                                                       \
		const struct ike1_sa *dbg_sa_ = (sa);                                              \
		if ((t)->diag)                                                                     \
			DIAG_DEBUG_ISAKMP((t)->diag, (level), dbg_sa_ ? dbg_sa_->conn_id : 0,      \
					  NULL, dbg_sa_ ? dbg_sa_->peer.ip4 : 0, __VA_ARGS__);     \
	} while (0)

#endif
