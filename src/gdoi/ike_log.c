/* Logging of ISAKMP SA failures for both engines; see ike_log.h. */
#include "gdoi/ike_log.h"

#include <stdarg.h>
#include <stdio.h>

#include "gdoi/log_priv.h"
#include "wire/names.h"

void gdoi_log_ike_down(struct diag *d, enum diag_role role, const struct ike1_sa_table *t,
		       const struct ike1_sa *sa, const struct ike1_peer *peer,
		       const struct ike1_result *r)
{
	char ip[DIAG_IP4_STRLEN];
	if (!d)
		return;
	diag_ip4(peer->ip4, ip);
	bool initiator = sa && sa->role == IKE1_INITIATOR;
	const char *detail = r->detail ? r->detail : ike1_reason_name(r->reason);
	switch (r->reason) {
	case IKE1_R_AUTH:
		diag_log(d, DIAG_MSG_IKMP_AUTH_FAIL, ip, detail);
		return;
	case IKE1_R_NO_PROPOSAL:
		diag_log(d, DIAG_MSG_IKMP_NO_PROPOSAL, ip, r->offer[0] ? r->offer : "-");
		return;
	case IKE1_R_TIMEOUT:
		if (initiator) {
			diag_log(d, DIAG_MSG_IKMP_RETRANS_EXHAUSTED, ip, (uint32_t)t->cfg.n_retrans,
				 ike1_state_name(r->state));
			return;
		}
		break;
	default:
		break;
	}
	GDBG(d, role, DIAG_FEAT_INFRA, DIAG_LVL_EVENT, sa ? sa->conn_id : 0, NULL, peer->ip4,
	     "ISAKMP SA with %s down: %s (%s%s%s)", ip, ike1_reason_name(r->reason), detail,
	     r->notify ? ", notify " : "", r->notify ? wire_notify_name(r->notify) : "");
}

int gdoi_errf(char *err, size_t cap, int rc, const char *fmt, ...)
{
	if (err && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return rc;
}
