/* The UDP 848 dispatch rule; see dispatch.h. */
#include "gdoi/dispatch.h"

#include "gdoi/gm.h"
#include "wire/isakmp.h"
#include "wire/names.h"

enum gdoi_route gdoi_dispatch(const struct gdoi_gm *gm, const struct gdoi_ks *ks,
			      const uint8_t *msg, size_t len)
{
	struct wire_isakmp_hdr h;
	if (wire_isakmp_hdr_decode(msg, len, &h, NULL) < 0)
		return GDOI_ROUTE_DROP;
	if (h.exch == WIRE_EXCH_GROUPKEY_PUSH)
		return gm ? GDOI_ROUTE_GM : GDOI_ROUTE_DROP;
	if (h.exch == WIRE_EXCH_PUSH_ACK)
		return ks ? GDOI_ROUTE_KS : GDOI_ROUTE_DROP;
	if (gm && gdoi_gm_owns(gm, msg, len))
		return GDOI_ROUTE_GM;
	if (ks)
		return GDOI_ROUTE_KS;
	return gm ? GDOI_ROUTE_GM : GDOI_ROUTE_DROP;
}
