/*
 * The running configuration and what it runs: the parsed configuration,
 * the GDOI key server and group member engines it calls for, the data
 * plane of the crypto-map interface, and the glue between them and the
 * daemon's sockets (datagram dispatch, source addresses, deadlines).
 *
 * A KS engine exists when the configuration has `server local` groups, a
 * GM engine when it has member groups; a datagram goes to one of them by
 * gdoi/dispatch.h. Everything runs on the control thread.
 */
#ifndef GVPN_DAEMON_RUNCFG_H
#define GVPN_DAEMON_RUNCFG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/rng.h"
#include "ike1/sa.h"

struct clock;
struct ctl_world;
struct daemon_runcfg;
struct dbuf;
struct diag;

struct daemon_engines_cfg;

struct daemon_runcfg_env {
	struct diag *diag;
	const struct clock *clock;
	struct crypto_rng *rng;
	const char *state_dir;
	/*
	 * Tests: the engines configured directly instead of from the file
	 * (which then gives the hostname and the settings). NULL in gvpnd.
	 */
	const struct daemon_engines_cfg *engines;
	/*
	 * When the configuration has no crypto map, remove every gvpn chain an
	 * earlier run left (a fail-close stop keeps its DROP chain on purpose,
	 * docs/dataplane.md): taking the crypto map out of the configuration
	 * then really ends its effect, at start and at a reload.
	 */
	bool purge_stale_dp;
	/* Send a datagram to `to` from src_ip4 (0: any); 0 or a negative ERR_*. */
	int (*send)(void *arg, const struct ike1_peer *to, uint32_t src_ip4, const uint8_t *msg,
		    size_t len);
	void *send_arg;
};

/*
 * Load the configuration at path and start what it describes. env is
 * copied (its pointers borrowed). 0 and *out, or ERR_SYNTAX / ERR_INVAL /
 * ERR_IO with the reasons appended to err (FILE:LINE: ... per problem).
 */
int daemon_runcfg_new(const struct daemon_runcfg_env *env, const char *path, uint64_t now,
		      struct daemon_runcfg **out, struct dbuf *err);
/* Stop the data plane, free the engines (keys wiped). NULL is fine. */
void daemon_runcfg_free(struct daemon_runcfg *r);

/*
 * SIGHUP: read the file again and apply it when it is valid; on any
 * error nothing changes and err says why (FILE:LINE: ... per problem).
 * 0 or the error.
 *
 * How it applies: when the isakmp policies, the local addresses (KS
 * `address ipv4`, the crypto-map interface's address), the roles and the
 * data plane (interface, its settings, the crypto map's groups) are the
 * same, the engines stay and take the new groups by
 * gdoi_ks_config_replace / gdoi_gm_config_replace: members, keys and
 * registrations of kept groups survive (a changed `sa ipsec` gets a new
 * TEK generation, a changed server list applies to the next attempt).
 * Otherwise the engines and the data plane are recreated from the new
 * configuration (GMs register again; the key server saves its state
 * before and loads it after, so it keeps its keys, members and sequence
 * numbers, daemon/ksstate.h); if that fails, the previous
 * configuration is started again. Pre-shared keys are looked up in the
 * running configuration at each handshake, so a changed key applies to
 * the next phase 1 either way.
 */
int daemon_runcfg_reload(struct daemon_runcfg *r, uint64_t now, struct dbuf *err);

/*
 * The key store changed (a key generated, imported or removed): convert
 * the running configuration again so that `rekey authentication mypubkey
 * rsa LABEL` takes the key it names now. Same rule and errors as reload.
 */
int daemon_runcfg_keys_changed(struct daemon_runcfg *r, uint64_t now, struct dbuf *err);

/* --check-config: parse and validate only. 0, or the errors in err. */
int daemon_runcfg_check(const char *path, struct dbuf *err);

/* A datagram from UDP 848, addressed to local_ip4. */
void daemon_runcfg_input(struct daemon_runcfg *r, uint64_t now, const struct ike1_peer *from,
			 uint32_t local_ip4, const uint8_t *msg, size_t len);
void daemon_runcfg_tick(struct daemon_runcfg *r, uint64_t now);
uint64_t daemon_runcfg_next_deadline(const struct daemon_runcfg *r);

/* The data plane's event socket (-1: none); readable -> daemon_runcfg_dp_poll. */
int daemon_runcfg_dp_fd(const struct daemon_runcfg *r);
void daemon_runcfg_dp_poll(struct daemon_runcfg *r, uint64_t now);

/* Point w (diag, clock, hostname, engines, ops) at the current state. */
void daemon_runcfg_world(struct daemon_runcfg *r, struct ctl_world *w);

#endif
