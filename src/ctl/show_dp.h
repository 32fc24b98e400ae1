/*
 * Pieces shared by the data-plane command files (cmd_ipsec.c, cmd_dp.c);
 * not an API for other layers.
 *
 * The commands read the current SA snapshot of the crypto-map interface's
 * data plane (dp/sad.h) and the counters of its workers. They run on the
 * control thread, the only thread that publishes and reclaims snapshots,
 * so the snapshot stays valid while a command renders it; counters are
 * summed with relaxed loads as the workers go on counting.
 */
#ifndef GVPN_CTL_SHOW_DP_H
#define GVPN_CTL_SHOW_DP_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/cmdtab.h"
#include "dp/sad.h"

struct ctl_exec;

enum { CTL_DP_SAS_MAX = 64 };

/* What a data-plane command sees. */
struct ctl_dp {
	struct dp_runtime *rt; /* NULL in tests with a bare database */
	struct dp_sad *sad;
	const struct dp_sad_snap *snap;
	const struct dp_sad_map
	    *map; /* the interface's crypto map; NULL before the first publish */
	const char *ifname;
	const char *map_name;
};

/*
 * Fill *d from the command's world. Without a data plane the command fails
 * with "% No crypto map is attached to an interface ..." and ERR_STATE is
 * returned.
 */
int ctl_dp_get(struct ctl_exec *x, struct ctl_dp *d);

/* The SAs of group g in the snapshot, oldest first; returns how many (<= max). */
size_t ctl_dp_group_sas(const struct dp_sad_snap *s, const struct dp_sad_group *g,
			const struct dp_sad_sa **out, size_t max);

/* The JSON-and-text name of a downloaded ACL: "gdoi_group_<group>_temp_acl". */
void ctl_dp_acl_name(const struct dp_sad_group *g, char *buf, size_t cap);

int ctl_cmd_ipsec_register(struct ctl_cmdtab *t);
int ctl_cmd_dp_register(struct ctl_cmdtab *t);

#endif
