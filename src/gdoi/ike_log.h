/*
 * Syslog and debug lines for the ISAKMP SA events both engines see
 * (internal to gdoi/): phase-1 failures become CRYPTO-4-IKMP_* messages
 * (behavior-reference §3.4); the rest goes to the debug output.
 */
#ifndef GVPN_GDOI_IKE_LOG_H
#define GVPN_GDOI_IKE_LOG_H

#include "diag/debug.h"
#include "ike1/sa.h"

/*
 * An SA went down (io.down). Logs failures of Main Mode: authentication
 * (IKMP_AUTH_FAIL), no proposal (IKMP_NO_PROPOSAL) and, for the initiator,
 * retransmissions exhausted (IKMP_RETRANS_EXHAUSTED). Expiry and deletion
 * of complete SAs are debug lines only.
 */
void gdoi_log_ike_down(struct diag *d, enum diag_role role, const struct ike1_sa_table *t,
		       const struct ike1_sa *sa, const struct ike1_peer *peer,
		       const struct ike1_result *r);

#endif
