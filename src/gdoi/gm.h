/*
 * The GDOI group member engine (RFC 6407 §3; behavior-reference §2.4):
 * registration of each configured group with the key servers of its
 * `server address ipv4` list, in order, through IKEv1 Main Mode and
 * GROUPKEY-PULL (the GM is the initiator of both):
 *
 *   GM -> KS  HDR*, HASH(1), Ni, ID
 *   KS -> GM  HDR*, HASH(2), Nr, SA        policy decoded and checked (policy_wire.h)
 *   GM -> KS  HDR*, HASH(3) [, GAP]        GAP: a sender-ID request (GCM TEK, sid.h)
 *   KS -> GM  HDR*, HASH(4), SEQ, KD       keys (and the SID); the policy is installed
 *
 * Per group:
 *  - an attempt to one KS (phase 1 + pull) has 30 s; then the next server;
 *    after the whole list failed, back-off 10 s doubling to 300 s (status
 *    `Registering`, `Re-registers in` counting down), reset by a success;
 *  - a success installs KEK, TEKs and the downloaded ACL through io.install
 *    and logs GM_REKEY_TRANS_2_UNI/_2_MULTI, SA_KEK_UPDATED, SA_TEK_UPDATED
 *    (per TEK), GM_REGS_COMPL, GM_INSTALL_POLICIES_SUCCESS, in that order;
 *  - re-registration is scheduled before the newest TEK of each `sa ipsec`
 *    (or the KEK) expires, lead = min(0.5 L, max(60 s, U(0.03, 0.05) L)); it
 *    runs on the still-valid registration SA when there is one, logs
 *    GM_RE_REGISTER, and keeps the installed SAs until the new policy
 *    replaces them (no gap);
 *  - TEKs leave the installed policy when they expire; when the last one
 *    goes without renewal the group registers at once (GM_RE_REGISTER);
 *  - fail-close (config): until the first successful registration the
 *    group's install state says "drop everything but control traffic".
 * Rekeys (GROUPKEY-PUSH, gm_rekey.c): a push protected by the installed KEK
 * is decrypted, its signature checked with the KS key of the registration
 * and its SEQ with the last accepted one (message 4's, then each rekey's);
 * the new TEKs are installed next to the old ones (receive at once, send
 * after the activation delay: gdoi_tek.active_ns, the install callback runs
 * again when it is reached), a new KEK replaces the old one, and unicast
 * pushes are acknowledged with K_ack of the registration (notes §5.3).
 *
 * Sans-I/O like the KS (ks.h): one struct gdoi_gm per process for all
 * groups, one ike1 table, `now` passed in, output through struct gdoi_gm_io.
 */
#ifndef GVPN_GDOI_GM_H
#define GVPN_GDOI_GM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rng.h"
#include "gdoi/caps.h"
#include "gdoi/ident.h"
#include "gdoi/policy.h"
#include "gdoi/sid.h"
#include "ike1/sa.h"

struct diag;
struct gdoi_gm;

#define GDOI_GM_GROUPS_MAX  16
#define GDOI_GM_SERVERS_MAX 8

struct gdoi_gm_group_config {
	const char *name;
	struct gdoi_identity id;
	const uint32_t *servers; /* `server address ipv4`, in order */
	size_t n_servers;
	bool fail_close; /* `crypto map ... gdoi fail-close` + activate */
};

struct gdoi_gm_config {
	/*
	 * The ike1 table (policies, timers, local address = the registration
	 * address). The engine sets the VIDs. Policies are borrowed.
	 */
	struct ike1_config ike;
	gdoi_psk_fn psk;
	void *psk_arg;
	uint32_t caps; /* announced capabilities (GDOI_CAPS_ALL) */
	bool plain;    /* no gvpn VID: a plain RFC 6407 member (tests, interop) */
	const struct gdoi_gm_group_config *groups;
	size_t n_groups;
	uint32_t attempt_ms;	 /* per-server attempt (phase 1 + pull); 0: 30000 */
	uint32_t backoff_min_ms; /* after the whole list failed; 0: 10000 */
	uint32_t backoff_max_ms; /* 0: 300000 */
};

/* What the data plane should do for a group. */
enum gdoi_gm_dp_state {
	GDOI_GM_DP_FAIL_CLOSED = 1, /* no keys yet, fail-close: drop all but control traffic */
	GDOI_GM_DP_POLICY,	    /* encrypt/decrypt with the policy */
};

/* The group's snapshot for the data plane (valid during the install call). */
struct gdoi_gm_install {
	const char *group;
	uint32_t handle;
	enum gdoi_gm_dp_state state;
	/*
	 * DP_POLICY: KEK, TEKs with keys (send with gdoi_policy_outbound(),
	 * receive with every TEK), the downloaded ACL (first match; permit
	 * lines name the TEKs of their sa_num), GAP, pseudotime. Copy what you
	 * keep; the engine wipes it later. NULL for FAIL_CLOSED.
	 */
	const struct gdoi_policy *policy;
	uint32_t ks_addr; /* the KS the policy came from */
	uint32_t gm_addr; /* our registration address */
	/*
	 * GCM sender ID of this registration (RFC 6054, notes §4.6): the KS
	 * assigns it in GROUPKEY-PULL message 4 and it stays the member's for
	 * every counter-mode TEK of the group until it registers again.
	 * sid_bits 0: none assigned, GCM TEKs may only receive.
	 */
	uint32_t sid;
	uint8_t sid_bits;
};

enum gdoi_gm_event_type {
	GDOI_GM_EV_REGISTERED = 1,  /* policy installed */
	GDOI_GM_EV_ATTEMPT_FAILED,  /* an attempt to one KS failed (why says how) */
	GDOI_GM_EV_POLICY_REJECTED, /* the KS's policy was not acceptable */
	GDOI_GM_EV_TEK_EXPIRED,	    /* a TEK left the installed policy */
	GDOI_GM_EV_REREGISTER,	    /* re-registration started (timer, expiry or clear) */
};

struct gdoi_gm_event {
	enum gdoi_gm_event_type type;
	const char *group;
	uint32_t ks;
	const char *why; /* ATTEMPT_FAILED, POLICY_REJECTED, REREGISTER */
	uint32_t spi;	 /* TEK_EXPIRED */
};

struct gdoi_gm_io {
	void *ctx;
	/* Send one datagram from UDP 848 to peer. */
	void (*send)(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len);
	/* Install or replace the group's data-plane state. */
	void (*install)(void *ctx, const struct gdoi_gm_install *in);
	/* Remove every SA and the policy of the group (clear, removal, all keys expired). */
	void (*remove)(void *ctx, const char *group, uint32_t handle);
	/* Optional event hook. */
	void (*event)(void *ctx, const struct gdoi_gm_event *ev);
};

/*
 * Create a GM. cfg is copied; rng and diag (may be NULL) are borrowed.
 * Registration of every group starts at now (first tick); groups with
 * fail-close are installed as DP_FAIL_CLOSED before this returns.
 * Returns 0, ERR_INVAL with err (no servers, duplicate group, bad ike1
 * policies), ERR_NOMEM.
 */
int gdoi_gm_new(const struct gdoi_gm_config *cfg, const struct gdoi_gm_io *io,
		struct crypto_rng *rng, struct diag *diag, uint64_t now, struct gdoi_gm **out,
		char *err, size_t err_cap);
/* Free everything (keys wiped) without calling back. */
void gdoi_gm_free(struct gdoi_gm *gm);

void gdoi_gm_input(struct gdoi_gm *gm, uint64_t now, const struct ike1_peer *peer,
		   const uint8_t *msg, size_t len);
void gdoi_gm_tick(struct gdoi_gm *gm, uint64_t now);
uint64_t gdoi_gm_next_deadline(const struct gdoi_gm *gm);

/*
 * `clear crypto gdoi [group NAME]` (group NULL: all): log GM_CLEAR_REGISTER
 * (by user), drop the group's SAs (io.remove) and its registration SA
 * (Delete to the KS), register again from the first server at once.
 * Returns 0 or ERR_NOTFOUND.
 */
int gdoi_gm_clear(struct gdoi_gm *gm, const char *group, const char *user, uint64_t now);

/*
 * Replace the group configuration. Kept groups (same name) keep their
 * policy; a changed server list applies to the next attempt; a changed
 * identity re-registers at once. New groups start registering; removed
 * groups are removed (io.remove, GM_UNREGISTER). 0, ERR_INVAL, ERR_NOMEM.
 */
int gdoi_gm_config_replace(struct gdoi_gm *gm, const struct gdoi_gm_config *cfg, uint64_t now,
			   char *err, size_t err_cap);

/* Does a datagram belong to one of this GM's ISAKMP SAs (dispatch.h)? */
bool gdoi_gm_owns(const struct gdoi_gm *gm, const uint8_t *msg, size_t len);
struct ike1_sa_table *gdoi_gm_ike(struct gdoi_gm *gm);

/* ---- show accessors ---- */

struct gdoi_gm_tek_info {
	uint32_t spi;
	uint16_t sa_num;
	char transform[48];
	uint32_t life_sec, remaining_sec;
	uint8_t replay;
	uint16_t replay_window;
	bool receive_only;
	bool outbound;	   /* the TEK this member sends with now */
	bool counter_mode; /* GCM: sending needs the registration's sender ID */
};

struct gdoi_gm_group_info {
	char name[GDOI_NAME_MAX];
	struct gdoi_identity id;
	uint32_t handle;
	size_t n_servers;
	uint32_t servers[GDOI_GM_SERVERS_MAX];
	uint32_t gm_addr;
	char version[40];	    /* what we announce */
	const char *status;	    /* "Registered", "Registering", "Not registered" */
	bool registered;	    /* a policy is installed */
	bool registering;	    /* an attempt runs or waits (back-off) */
	uint32_t registered_with;   /* KS of the installed policy, 0 when none */
	uint32_t registering_to;    /* KS being (or to be) tried while registering */
	uint32_t reregister_in_sec; /* `Re-registers in`: next attempt or re-registration */
	uint64_t succeeded, attempted;
	/* Rekeys accepted (GROUPKEY-PUSH). */
	uint32_t last_rekey_from, last_rekey_seq;
	/* seconds since the last rekey was accepted; UINT32_MAX: none yet */
	uint32_t last_rekey_sec_ago;
	uint64_t rekeys_received, rekeys_after_reg, acks_sent;
	uint32_t seq; /* SEQ from the last registration */
	bool acl_known;
	uint32_t acl_from; /* `ACL Downloaded From KS <addr>` (UNKNOWN when !acl_known) */
	bool has_kek;
	bool multicast; /* `Rekey Transport Type` */
	/* `show crypto gdoi rekey sa`: the KEK SA (dst = us or the group address, src = KS). */
	uint8_t kek_spi[GDOI_KEK_SPI_LEN];
	uint32_t kek_src, kek_dst;
	bool has_prev_kek; /* the KEK a rekey replaced, still accepted (previous) */
	uint8_t prev_kek_spi[GDOI_KEK_SPI_LEN];
	uint32_t prev_kek_remaining_sec;
	uint32_t kek_remaining_sec;
	const char *kek_alg; /* "AES", "3DES" */
	uint32_t kek_key_bits;
	const char *sig_hash; /* "sha256" */
	uint32_t sig_key_bits;
	const char *sa_direction; /* "Both" or "Inbound Only" */
	bool fail_close;	  /* configured */
	bool fail_close_active;	  /* dropping: no registration yet */
	size_t n_teks;
	struct gdoi_gm_tek_info tek[GDOI_TEKS_MAX];
	/*
	 * `show crypto gdoi gm identifier`: the installed policy has a
	 * counter-mode (GCM) TEK; the registration's sender IDs (n_sids 0:
	 * none, GCM SAs receive only). The next SID comes with the next
	 * registration (reregister_in_sec).
	 */
	bool counter_mode;
	uint8_t sid_bits;
	uint8_t n_sids;
	uint32_t sids[GDOI_SIDS_MAX];
};

size_t gdoi_gm_group_count(const struct gdoi_gm *gm);
int gdoi_gm_group_find(const struct gdoi_gm *gm, const char *name);
/* Group i at now. 0 or ERR_NOTFOUND. */
int gdoi_gm_group_info(const struct gdoi_gm *gm, size_t i, uint64_t now,
		       struct gdoi_gm_group_info *out);
/*
 * The installed policy of group i (ACL for `show crypto gdoi gm acl` with
 * gdoi_acl_entry_format). Holds keys: render nothing secret. NULL when
 * nothing is installed or for a bad index.
 */
const struct gdoi_policy *gdoi_gm_group_policy(const struct gdoi_gm *gm, size_t i);

struct gdoi_gm_stats {
	uint64_t attempts, registrations, failures, rejected_policies;
	uint64_t hash_fail, malformed, stale, notifies;
	/* GROUPKEY-PUSH refused: no KEK with its SPI, undecryptable or malformed,
	 * bad signature, sequence number not above the last, policy not acceptable. */
	uint64_t rekey_unknown_kek, rekey_malformed, rekey_bad_sig, rekey_replayed, rekey_rejected;
};
void gdoi_gm_get_stats(const struct gdoi_gm *gm, struct gdoi_gm_stats *out);

#endif
