/*
 * From the GM engine's installs to the data plane: each group's downloaded
 * ACL becomes a dp_acl (permit lines tagged with their TEK's sa_num), each
 * TEK a dp_sad_sa (created once per SPI and kept across installs, so a
 * TEK's IV counters never restart), and after every change the groups of
 * the crypto map are published as one snapshot.
 *
 * GCM TEKs (RFC 6054): their SAs are created with the registration's
 * sender ID (gdoi_gm_install.sid/sid_bits), which fills the top of every
 * IV they send. A TEK's SA is kept only while the SID stays the same; under
 * a new SID (a new registration) the TEK gets a new SA object, whose
 * counters start at 1 under that SID. An SA with a SID that leaves the set
 * (replaced, removed, fail-close) is parked until its TEK expires, and an
 * install of the same SPI and SID takes it back: an old SID's counter goes
 * on, it never starts again. Without a SID (sid_bits 0) a GCM SA only
 * receives (the data plane drops what it would send: no_sender_id).
 *
 * The publish step is a callback: dp_runtime_publish() in gvpnd, a bare
 * dp_sad in tests.
 */
#ifndef GVPN_DAEMON_GMDP_H
#define GVPN_DAEMON_GMDP_H

#include <stddef.h>
#include <stdint.h>

#include "dp/sad.h"
#include "gdoi/gm.h"

struct daemon_gmdp;
struct diag;

/* Publish the groups (crypto-map order); 0 or a negative ERR_*. */
typedef int (*daemon_gmdp_publish_fn)(void *arg, const struct dp_sad_group_desc *groups, size_t n);

/*
 * sad: the database SAs are created in (borrowed). groups: the crypto
 * map's groups in order (names copied); a group not installed yet is
 * published without ACL (nothing encrypted for it). rng keys the CBC IV
 * generators. diag (may be NULL) gets a line when a TEK cannot be used.
 * 0, ERR_LIMIT (more than DP_RUNTIME_GROUPS_MAX groups) or ERR_NOMEM.
 */
int daemon_gmdp_new(struct dp_sad *sad, const char *const *groups, size_t n,
		    daemon_gmdp_publish_fn publish, void *arg, struct crypto_rng *rng,
		    struct diag *diag, struct daemon_gmdp **out);
/* Drop every reference (the data plane must be stopped or have a newer snapshot). */
void daemon_gmdp_free(struct daemon_gmdp *g);

/*
 * The GM engine's io.install / io.remove. Install replaces the group's
 * ACL and SA set with the policy's (SAs of SPIs seen before are kept, GCM
 * ones only under the same sender ID);
 * every SA receives at once, but a TEK sends only from its active_ns on
 * and only when it is gdoi_policy_outbound()'s choice at now (the engine
 * installs again when a rekeyed TEK's activation time comes);
 * FAIL_CLOSED publishes the group without policy. 0, ERR_NOTFOUND (a group
 * not on the crypto map: nothing to do), ERR_INVAL (the policy has nothing
 * usable), ERR_NOMEM, or the publish callback's error.
 */
int daemon_gmdp_install(struct daemon_gmdp *g, const struct gdoi_gm_install *in, uint64_t now);
int daemon_gmdp_remove(struct daemon_gmdp *g, const char *group);

/* TEK transform to the data plane's form: 0 or ERR_UNSUPP (not implemented there). */
int daemon_gmdp_xform(const struct gdoi_transform *in, struct dp_esp_xform *out);

#endif
