/*
 * The GDOI engines of one gvpnd and their glue to the world: the key
 * server (when the configuration has `server local` groups), the group
 * member (member groups), and the data plane of the GM's crypto-map
 * interface.
 *
 *  - datagrams from UDP 848 go to one engine by gdoi/dispatch.h;
 *  - what an engine sends leaves from the local address the peer last
 *    reached us at (a reply leaves from the address the request came to),
 *    else from the engine's own address (the KS's `address ipv4`, the GM's
 *    registration address);
 *  - the GM's installs and removals go to the data plane (daemon/gmdp.h);
 *  - one deadline: the earliest of the engines' and the data plane's
 *    housekeeping (dp_runtime_poll about once a second).
 *
 * Everything runs on the control thread.
 */
#ifndef GVPN_DAEMON_ENGINES_H
#define GVPN_DAEMON_ENGINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/gmdp.h"
#include "daemon/keylog.h"
#include "dp/runtime.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"

struct daemon_engines;
struct dbuf;
struct diag;

struct daemon_engines_cfg {
	const struct gdoi_ks_config *ks; /* NULL: no key server */
	const struct gdoi_gm_config *gm; /* NULL: no group member */
	/*
	 * The GM's crypto map: the data plane on dp->ifname for the groups
	 * dp_groups (crypto-map order). NULL: no data plane (installs are
	 * only shown, nothing is encrypted).
	 */
	const struct dp_runtime_cfg *dp;
	const char *const *dp_groups;
	size_t n_dp_groups;
	/*
	 * Tests: instead of a runtime, SAs go to this database and each
	 * snapshot to test_publish (dp NULL, dp_groups as above).
	 */
	struct dp_sad *test_sad;
	daemon_gmdp_publish_fn test_publish;
	void *test_publish_arg;
};

struct daemon_engines_env {
	struct diag *diag;
	struct crypto_rng *rng;
	/* Send a datagram from src_ip4 (0: any); 0 or a negative ERR_*. */
	int (*send)(void *arg, const struct ike1_peer *to, uint32_t src_ip4, const uint8_t *msg,
		    size_t len);
	void *send_arg;
	/*
	 * Wireshark key export (daemon/keylog.h), borrowed; NULL: none. Phase
	 * 1 SAs of both engines, the GM's installed TEKs and the KS's TEKs (at
	 * each registration and roll-over) go to it.
	 */
	struct daemon_keylog *keylog;
	/*
	 * The key server's io.persist (daemon/ksstate.h): its state blob
	 * whenever it changed, at most once a second. NULL: not persisted.
	 */
	void (*ks_persist)(void *arg, const uint8_t *blob, size_t len);
	void *ks_persist_arg;
};

/*
 * Create the engines cfg asks for (cfg's contents are copied by the
 * engines; env is copied). 0 and *out, or the engine's or the data
 * plane's error with a line of explanation appended to err.
 */
int daemon_engines_new(const struct daemon_engines_cfg *cfg, const struct daemon_engines_env *env,
		       uint64_t now, struct daemon_engines **out, struct dbuf *err);
/* Stop the data plane (rules removed), free the engines (keys wiped). NULL is fine. */
void daemon_engines_free(struct daemon_engines *e);
/*
 * Remove the gvpn chains of every interface but dc->ifname (dc NULL: all
 * of them, with the default iptables commands): what a crash or a
 * fail-close stop left where there is no crypto map now. A failure is
 * reported on stderr only.
 */
void daemon_engines_purge_dp(const struct dp_runtime_cfg *dc);

/* A datagram addressed to local_ip4 (host order). */
void daemon_engines_input(struct daemon_engines *e, uint64_t now, const struct ike1_peer *from,
			  uint32_t local_ip4, const uint8_t *msg, size_t len);
void daemon_engines_tick(struct daemon_engines *e, uint64_t now);
uint64_t daemon_engines_next_deadline(const struct daemon_engines *e);

/*
 * `clear crypto gdoi [group G]`: GM groups register again. A message for
 * the user goes to msg. 0, ERR_NOTFOUND (no such group), ERR_UNSUPP (a
 * key server only: not implemented there yet).
 */
int daemon_engines_clear(struct daemon_engines *e, const char *group, uint64_t now,
			 struct dbuf *msg);

/* Accessors for the exec commands (NULL when absent). */
struct gdoi_ks *daemon_engines_ks(struct daemon_engines *e);
struct gdoi_gm *daemon_engines_gm(struct daemon_engines *e);
struct dp_runtime *daemon_engines_dp(struct daemon_engines *e);
/* The data plane's event socket (-1 when none): readable -> daemon_engines_dp_poll. */
int daemon_engines_dp_fd(const struct daemon_engines *e);
void daemon_engines_dp_poll(struct daemon_engines *e, uint64_t now);

#endif
