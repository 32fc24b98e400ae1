/*
 * Which engine gets a datagram that arrived on UDP 848, when a process runs
 * a GM, a KS or both (the daemon's rule):
 *
 *   1. not an ISAKMP header (short, bad version, wrong Length)   -> drop
 *   2. exchange 33, GROUPKEY-PUSH                                -> GM
 *   3. exchange 35, gvpn push acknowledgement                    -> KS
 *   4. the cookies name one of the GM's ISAKMP SAs (the GM only
 *      ever initiates: its MM2 answers match on CKY-I alone)     -> GM
 *   5. anything else (new Main Mode, pulls on KS SAs, notifies)  -> KS,
 *      or the GM when there is no KS (it counts what it drops)
 */
#ifndef GVPN_GDOI_DISPATCH_H
#define GVPN_GDOI_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

struct gdoi_gm;
struct gdoi_ks;

enum gdoi_route {
	GDOI_ROUTE_DROP = 0,
	GDOI_ROUTE_GM,
	GDOI_ROUTE_KS,
};

/* gm and ks may be NULL (role not configured). */
enum gdoi_route gdoi_dispatch(const struct gdoi_gm *gm, const struct gdoi_ks *ks,
			      const uint8_t *msg, size_t len);

#endif
