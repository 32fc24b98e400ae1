/*
 * The multicast groups a group member listens on. A group whose installed
 * policy has a multicast KEK (`rekey transport multicast` on its key
 * server) receives its GROUPKEY-PUSHes at the KEK's group address, so the
 * GDOI socket joins that address on the crypto-map interface; when the
 * policy goes (removal, clear) or its transport or address changes, the
 * socket leaves it again.
 *
 * The daemon computes what is wanted after each event (datagram, timer,
 * command, reload) and daemon_mcast_sync() turns the difference into
 * join and leave calls. Several groups with one address share a join.
 */
#ifndef GVPN_DAEMON_MCAST_H
#define GVPN_DAEMON_MCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdoi/gm.h"

struct gdoi_policy;

enum { DAEMON_MCAST_MAX = GDOI_GM_GROUPS_MAX };

/* One membership: group address on an interface (ifindex; 0: by route). */
struct daemon_mcast_member {
	uint32_t group;
	int ifindex;
};

/* What is joined now. Zero-initialised: nothing. */
struct daemon_mcast {
	size_t n;
	struct daemon_mcast_member m[DAEMON_MCAST_MAX];
};

/* Join (join true) or leave one membership; 0 or a negative ERR_*. */
typedef int (*daemon_mcast_fn)(void *arg, bool join, const struct daemon_mcast_member *m);

/*
 * Add the membership policy p asks for (a multicast KEK with its group
 * address) to want[*n] unless it is there already; p may be NULL.
 */
void daemon_mcast_want(const struct gdoi_policy *p, int ifindex,
		       struct daemon_mcast_member want[static DAEMON_MCAST_MAX], size_t *n);

/* Every membership of gm's installed policies (gm may be NULL); returns the count. */
size_t daemon_mcast_wanted(const struct gdoi_gm *gm, int ifindex,
			   struct daemon_mcast_member want[static DAEMON_MCAST_MAX]);

/*
 * Leave what is joined but not wanted, then join what is wanted but not
 * joined. A failed join is reported through fn's result only: it counts as
 * joined (no retry at every event) until it is no longer wanted. Returns
 * the first error or 0.
 */
int daemon_mcast_sync(struct daemon_mcast *s, const struct daemon_mcast_member *want, size_t n,
		      daemon_mcast_fn fn, void *arg);

#endif
