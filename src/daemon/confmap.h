/*
 * From the parsed configuration (conf/model.h) to what the engines and the
 * data plane take (struct daemon_engines_cfg and what it points to):
 *
 *  - `crypto isakmp policy N`, in file order -> ike1 policies of both
 *    engines (group 2 allows weak groups: the configuration asks for it);
 *  - `crypto isakmp key K address A M` -> the PSK callback: the key of the
 *    most specific entry (longest mask) that covers the peer;
 *  - `server local` groups -> the key server: identity, `address ipv4`
 *    (also the KS's ike1 local address: the first group's), rekey
 *    settings (algorithm, lifetime, retransmit, unicast or multicast with
 *    the group address of `rekey address ipv4 ACL`), the RSA key of
 *    `rekey authentication mypubkey rsa LABEL` (looked up through the
 *    environment; missing = NULL, the KS logs KS_NO_RSA_KEYS),
 *    `authorization address ipv4` (standard ACL lines), and per `sa
 *    ipsec`: the first transform set of the profile, the profile's
 *    lifetime, the `match address` ACL (lines numbered 10, 20, ...) and
 *    replay; `redundancy` is passed through for show;
 *  - the crypto map on an interface -> the group member and the data
 *    plane: the member groups of that map in crypto-map (sequence) order
 *    with their `server address` lists in order and fail-close; the
 *    interface, `ip tcp adjust-mss`, `crypto ipsec df-bit clear` and
 *    fail-close (any group of the map) for dp_runtime_cfg. The member's
 *    registration address is the interface's address (looked up through
 *    the environment; 0 when unknown). Member groups on no applied crypto
 *    map do not register (as on IOS).
 *
 * Errors are for what only the daemon knows (the parser has checked the
 * language): a transform, ACL line or isakmp policy the engines cannot
 * use, limits of the engines, a second interface with a crypto map. Each
 * is one line "FILE:LINE: message" appended to err.
 */
#ifndef GVPN_DAEMON_CONFMAP_H
#define GVPN_DAEMON_CONFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/model.h"
#include "crypto/rsa.h"
#include "daemon/engines.h"
#include "dp/runtime.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "ike1/policy.h"

struct dbuf;

/* What the map looks up in the world; every member may be NULL. */
struct daemon_confmap_env {
	/* The RSA key pair of a label, NULL when there is none. */
	const struct crypto_rsa *(*rsa_key)(void *arg, const char *label);
	/* The IPv4 address (host order) of an interface, 0 when unknown. */
	uint32_t (*if_addr)(void *arg, const char *ifname);
	void *arg;
};

struct daemon_confmap {
	const struct conf_config *conf; /* borrowed: must outlive the map */
	struct ike1_policy policies[IKE1_POLICIES_MAX];
	size_t n_policies;
	bool weak_groups;

	/* key server (ks.n_groups > 0) */
	struct gdoi_ks_config ks;
	struct gdoi_ks_group_config ks_groups[GDOI_KS_GROUPS_MAX];
	struct gdoi_ks_sa_config ks_sas[GDOI_KS_GROUPS_MAX][GDOI_KS_SAS_MAX];
	struct gdoi_acl_entry ks_acl[GDOI_KS_GROUPS_MAX][GDOI_ACL_MAX];
	struct gdoi_std_acl_entry ks_auth[GDOI_KS_GROUPS_MAX][GDOI_AUTH_ACL_MAX];

	/* group member (gm.n_groups > 0) */
	struct gdoi_gm_config gm;
	struct gdoi_gm_group_config gm_groups[GDOI_GM_GROUPS_MAX];
	uint32_t gm_servers[GDOI_GM_GROUPS_MAX][GDOI_GM_SERVERS_MAX];
	const char *ifname;   /* the crypto-map interface, NULL when none */
	const char *map_name; /* the crypto map on it */

	/* data plane of the crypto-map interface (when ifname) */
	struct dp_runtime_cfg dp;
	const char *dp_groups[GDOI_GM_GROUPS_MAX];
	size_t n_dp_groups;

	/* the whole, as daemon_engines_new takes it */
	struct daemon_engines_cfg eng;
};

/*
 * Convert c. env may be NULL (--check-config: no keys, no addresses).
 * The engine configurations' psk callback is daemon_confmap_psk_cb with
 * the map as argument. 0 and *out, ERR_INVAL with the reasons in err, or
 * ERR_NOMEM.
 */
int daemon_confmap_build(const struct conf_config *c, const struct daemon_confmap_env *env,
			 struct daemon_confmap **out, struct dbuf *err);
void daemon_confmap_free(struct daemon_confmap *m);

/*
 * Try the engine configurations on throw-away engines (keys are drawn,
 * nothing is sent) and report what they refuse as FILE:LINE of the group
 * the message names (else of the first group). 0 or ERR_INVAL.
 */
int daemon_confmap_try(const struct daemon_confmap *m, struct dbuf *err);

/* The pre-shared key for peer (longest mask); its length, or -1 when none. */
int daemon_confmap_psk(const struct daemon_confmap *m, uint32_t peer,
		       uint8_t key[static IKE1_PSK_MAX]);
/* gdoi_psk_fn with a struct daemon_confmap * as arg. */
int daemon_confmap_psk_cb(void *arg, const struct ike1_peer *peer,
			  uint8_t key[static IKE1_PSK_MAX]);

/* Same ike1 set-up (policies, local addresses, phase-1 DOI): engines can take the rest by
 * config_replace. */
bool daemon_confmap_same_ike(const struct daemon_confmap *a, const struct daemon_confmap *b);
/* Same data plane (interface, its settings, the map's groups in order). */
bool daemon_confmap_same_dp(const struct daemon_confmap *a, const struct daemon_confmap *b);

#endif
