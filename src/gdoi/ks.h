/*
 * The GDOI key server engine (RFC 6407 §3; notes §4.1, §5): IKEv1 Main Mode
 * responder for group members, then GROUPKEY-PULL responder for each group
 * it serves (told apart by the ID in pull message 1):
 *
 *   GM -> KS  HDR*, HASH(1), Ni, ID
 *   KS -> GM  HDR*, HASH(2), Nr, SA          policy as this member may see it
 *   GM -> KS  HDR*, HASH(3) [, GAP]          proves the GM saw Nr; may ask for a SID
 *   KS -> GM  HDR*, HASH(4), SEQ, KD         keys (and the member's sender ID in a
 *                                            GCM group, ks_sid.c); the member record
 *                                            is made
 *
 * Refusals after phase 1, each logged and answered with a protected notify,
 * after which the registration SA is deleted ("ACTIVE (deleted)"):
 *   unknown group ID               INVALID-ID-INFORMATION, KS_BAD_ID
 *   KE_I in message 1 or 3         NO-PROPOSAL-CHOSEN (gvpn offers no PFS)
 *   outside `authorization address` AUTHENTICATION-FAILED, UNAUTHORIZED_IPADDR
 *                                  + KS_UNAUTHORIZED; no keys, no message 2 or 4
 *   policy needs a capability the GM did not announce (long SA lifetime,
 *   TBAR, GCM)                     AUTHENTICATION-FAILED, REJECT_GM_VERSION_REGISTER
 * Member state is created only after a valid HASH(3) (DoS rule); everything
 * before lives in the exchange (bounded by the ike1 table and its load gate).
 * Retransmitted requests are answered from ike1's cache, byte for byte.
 *
 * Sans-I/O (docs/hacking.md): one struct gdoi_ks per process, fed with
 * gdoi_ks_input()/gdoi_ks_tick(); `now` is monotonic nanoseconds and never
 * goes backwards; randomness from the rng (keys, SPIs, cookies, nonces);
 * output through struct gdoi_ks_io. The KS owns its ike1 table.
 *
 * A TEK is replaced at its rekey time (behavior-reference §2.2: expiry -
 * min(0.75 L, max(90 s, 0.05 L) + W) - U(0, 10 s)) by a new one with a new
 * SPI; the old one stays in the policy until it expires, so a member that
 * registers in between gets both. The KEK is replaced at its own rekey time
 * (lead max(200 s, 0.05 L) + W). Each replacement (and a configuration
 * change that makes new keys) is pushed to the members (GROUPKEY-PUSH,
 * ks_rekey.c): encrypted with the KEK they hold, signed with the group's
 * RSA key (the engine keeps its own copy of rsa_key), unicast with ACKs and
 * retransmission rounds, or multicast to the group address; members that
 * miss the ACKs of N rekeys in a row are removed.
 */
#ifndef GVPN_GDOI_KS_H
#define GVPN_GDOI_KS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "gdoi/caps.h"
#include "gdoi/ident.h"
#include "gdoi/policy.h"
#include "ike1/sa.h"
#include "util/dbuf.h"

struct diag;
struct gdoi_ks;

#define GDOI_KS_SAS_MAX	      8	 /* `sa ipsec N` per group */
#define GDOI_KS_ACL_LINES_MAX 32 /* lines of one `match address` ACL */
#define GDOI_AUTH_ACL_MAX     64
#define GDOI_PEERS_MAX	      8
#define GDOI_KS_GROUPS_MAX    16 /* groups one KS serves */

/* One line of a standard ACL (`authorization address ipv4 ACL`). */
struct gdoi_std_acl_entry {
	bool permit;
	uint32_t addr, wild; /* host byte order, wildcard bit 1 = don't care */
};

/* `sa ipsec N` of a group. */
struct gdoi_ks_sa_config {
	uint16_t number;
	const char *profile; /* IPsec profile name (show), may be NULL */
	struct gdoi_transform xf;
	uint32_t life_sec;		  /* 0: 3600 */
	const char *acl_name;		  /* `match address ipv4 NAME` */
	const struct gdoi_acl_entry *acl; /* its lines; seq numbers as configured */
	size_t n_acl;
	uint8_t replay;		/* enum gdoi_replay */
	uint16_t replay_window; /* packets (counter) or seconds (time) */
	bool receive_only;	/* `sa receive-only` */
};

struct gdoi_ks_group_config {
	const char *name;
	struct gdoi_identity id;
	uint32_t ks_addr;	       /* `address ipv4`; 0: the engine's local address */
	enum crypto_cbc_alg kek_alg;   /* `rekey algorithm`; 0: AES-128 */
	uint32_t kek_life_sec;	       /* `rekey lifetime seconds`; 0: 86400 */
	enum crypto_hash_alg sig_hash; /* rekey signature hash; 0: SHA-256 */
	uint32_t retrans_period_sec;   /* `rekey retransmit P number N`; 0: 10 */
	uint32_t retrans_count;	       /* 0: 2 */
	bool multicast;		       /* `rekey transport unicast` absent */
	uint32_t mcast_addr;	       /* `rekey address ipv4`: the group address */
	/*
	 * `rekey authentication mypubkey rsa LABEL`: NULL means no KEK at all
	 * (members re-register before their TEKs expire). The key store is the
	 * daemon's: rsa_key is the key of that label, or NULL when it was not
	 * found (KS_NO_RSA_KEYS; members still get keys, no rekey can be signed).
	 * Borrowed for the call; the engine keeps the public key.
	 */
	const char *rsa_label;
	const struct crypto_rsa *rsa_key;
	bool authorize; /* `authorization address ipv4 ACL` present */
	const struct gdoi_std_acl_entry *auth;
	size_t n_auth;
	const struct gdoi_ks_sa_config *sas;
	size_t n_sas;
	uint16_t atd_sec, dtd_sec; /* GAP; 0: min(TEK life / 10, 60) and the same for DTD */
	/* `redundancy`: stored and shown; COOP is a later phase. */
	bool redundancy;
	uint8_t priority;
	const uint32_t *peers;
	size_t n_peers;
};

struct gdoi_ks_config {
	/*
	 * The ike1 table: policies, retransmissions, limits and the local
	 * address (ike1_config_default() then fill policies and local). The
	 * engine sets vids itself. Policies are borrowed (must outlive the KS).
	 */
	struct ike1_config ike;
	gdoi_psk_fn psk;
	void *psk_arg;
	uint32_t caps; /* announced capabilities (GDOI_CAPS_ALL) */
	bool plain;    /* send no gvpn VID: behave as a plain RFC 6407 KS (tests, interop) */
	const struct gdoi_ks_group_config *groups;
	size_t n_groups;
	/*
	 * Unicast rekey pacing (behavior-reference §2.3): pushes per second,
	 * sent in batches of up to 40 (at 20,000/s one every 2 ms); 0: 20,000
	 * (10,000 members in 0.5 s; ks.c says why).
	 */
	uint32_t rekey_pace;
};

/* Events for tests and the daemon (optional hook). */
enum gdoi_ks_event_type {
	GDOI_KS_EV_REGISTERED = 1, /* message 4 sent; member record made or updated */
	GDOI_KS_EV_REFUSED,	   /* registration refused after phase 1 (notify says why) */
	GDOI_KS_EV_TEK_ROLLED,	   /* a new TEK generation entered the policy */
	GDOI_KS_EV_KEK_ROLLED,	   /* a new KEK replaced the old one */
};

struct gdoi_ks_event {
	enum gdoi_ks_event_type type;
	const char *group; /* NULL when no group was identified */
	uint32_t peer;
	uint16_t notify; /* REFUSED: the notify sent */
	uint32_t spi;	 /* TEK_ROLLED: the new SPI */
};

struct gdoi_ks_io {
	void *ctx;
	/* Send one datagram from UDP 848 to peer. */
	void (*send)(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len);
	/*
	 * Persist state, may be NULL: called with a gdoi_ks_state_save blob
	 * when the state changed (keys, sequence number, members, their
	 * counters), at most once a second; the daemon writes it atomically,
	 * mode 0600, and gives it to gdoi_ks_state_load after a restart.
	 */
	void (*persist)(void *ctx, const uint8_t *blob, size_t len);
	/* Optional event hook. */
	void (*event)(void *ctx, const struct gdoi_ks_event *ev);
};

/*
 * Create a KS. cfg is copied (group configurations deep-copied, the RSA
 * public key exported); rng and diag (may be NULL) are borrowed. Keys,
 * SPIs and the KEK are drawn now. Returns 0, ERR_INVAL with err (a
 * configuration the KS cannot serve: non-contiguous wildcard, too many
 * lines, bad transform, duplicate group) or ERR_NOMEM / ERR_CRYPTO.
 */
int gdoi_ks_new(const struct gdoi_ks_config *cfg, const struct gdoi_ks_io *io,
		struct crypto_rng *rng, struct diag *diag, uint64_t now, struct gdoi_ks **out,
		char *err, size_t err_cap);
/* Free everything (keys wiped), sending nothing. */
void gdoi_ks_free(struct gdoi_ks *ks);

/* A datagram for the KS (see gdoi/dispatch.h). */
void gdoi_ks_input(struct gdoi_ks *ks, uint64_t now, const struct ike1_peer *peer,
		   const uint8_t *msg, size_t len);
/* Timers: ike1 retransmissions and expiry, key roll-over, stale exchanges. */
void gdoi_ks_tick(struct gdoi_ks *ks, uint64_t now);
/* When gdoi_ks_tick must next run; CLOCK_NEVER when nothing is pending. */
uint64_t gdoi_ks_next_deadline(const struct gdoi_ks *ks);

/*
 * Replace the group configuration (a reload). Groups are matched by name:
 * a kept group keeps its members and keys; an `sa ipsec` whose transform,
 * ACL or replay settings changed gets a new TEK generation (the old one
 * runs out); a new group gets fresh keys; a removed group loses its members
 * and exchanges. The ike1 part of cfg is not changed. Same errors as
 * gdoi_ks_new; on error nothing changes.
 */
int gdoi_ks_config_replace(struct gdoi_ks *ks, const struct gdoi_ks_config *cfg, uint64_t now,
			   char *err, size_t err_cap);

/*
 * `crypto gdoi ks [group NAME] rekey [replace-now]` (group NULL: every
 * group): a triggered rekey, as after a policy change (behavior-reference
 * §2.2): a new TEK for every `sa ipsec`, the running ones kept only
 * min(remaining, max(90 s, min(5 % L, 3600 s))), the policy pushed to the
 * members. replace_now: the running TEKs leave the policy at once and the
 * push deletes them (members drop them after the deactivation delay).
 * Returns 0, ERR_NOTFOUND (no such group), ERR_STATE (the group cannot
 * rekey: no KEK or no private RSA key) or ERR_NOMEM / ERR_CRYPTO.
 */
int gdoi_ks_rekey_now(struct gdoi_ks *ks, const char *group, bool replace_now, uint64_t now);

/*
 * `clear crypto gdoi ks members [group NAME]` (group NULL: all): forget the
 * members (KS_CLEAR_REGISTER, by user). They get no more rekeys and
 * register again before their keys run out. 0 or ERR_NOTFOUND.
 */
int gdoi_ks_clear_members(struct gdoi_ks *ks, const char *group, const char *user, uint64_t now);

/*
 * A restarted KS continues the group's GROUPKEY-PUSH sequence numbers above
 * seq (the highest it may ever have sent, from its state file, plus a
 * margin: notes §4.11), so members accept its next rekey. Never lowers the
 * number. 0 or ERR_NOTFOUND.
 */
int gdoi_ks_restore_seq(struct gdoi_ks *ks, const char *group, uint32_t seq);

/*
 * Persistence: a key server that restarts carries on where it stopped.
 * gdoi_ks_state_save appends to out (out->secret is set: it holds keys)
 * the state of every group: name, GROUPKEY-PUSH sequence number,
 * pseudotime, the KEK (and the one members hold while a rekey hands over a
 * new one), every live TEK with its keys, the roll-over times, and the
 * member database with K_ack and counters. Times are stored as "left at
 * save", so the blob does not depend on the monotonic clock: the loader is
 * told how much time passed (from the wall clock). The blob starts with
 * "GVKS" and a version and ends with the SHA-256 of everything before it.
 * Write it atomically with mode 0600. 0 or ERR_NOMEM.
 */
#define GDOI_KS_SEQ_MARGIN 1000 /* added on load: covers rekeys after the last save */
int gdoi_ks_state_save(const struct gdoi_ks *ks, uint64_t now, struct dbuf *out);
/*
 * Load a saved state into a KS just made from the configuration (groups
 * matched by name; groups not in the blob keep their fresh keys). A saved
 * KEK or TEK is used when its algorithm, transform and replay settings are
 * still the configured ones and it has not expired (elapsed_ns: time since
 * the save); otherwise the fresh one stays. Sequence numbers continue at
 * the saved one + GDOI_KS_SEQ_MARGIN, the pseudotime where it was plus
 * elapsed_ns. Members come back with their K_ack, so they are rekeyed
 * without registering again. Everything is checked before anything
 * changes (only running out of memory half-way leaves a part loaded):
 * ERR_AUTH (checksum: a corrupted file), ERR_PROTO (malformed),
 * ERR_UNSUPP (another version), ERR_NOMEM.
 */
int gdoi_ks_state_load(struct gdoi_ks *ks, const uint8_t *blob, size_t len, uint64_t now,
		       uint64_t elapsed_ns);

/* The ike1 table, for `show crypto isakmp sa` (read only). */
struct ike1_sa_table *gdoi_ks_ike(struct gdoi_ks *ks);

/* ---- show accessors (snapshots valid until the next call into the engine) ---- */

struct gdoi_ks_tek_info {
	uint32_t spi;
	uint16_t sa_num;
	char profile[GDOI_NAME_MAX];
	char acl_name[GDOI_NAME_MAX];
	struct gdoi_transform xf;
	char transform[48];	/* "esp-aes 256 esp-sha256-hmac" */
	uint32_t alg_key_bytes; /* `alg key size` */
	uint32_t sig_key_bytes; /* `sig key size` (HMAC key) */
	uint32_t life_sec, remaining_sec, elapsed_sec;
	uint8_t replay;
	uint16_t replay_window;
	bool receive_only;
};

struct gdoi_ks_group_info {
	char name[GDOI_NAME_MAX];
	struct gdoi_identity id;
	uint32_t handle;
	uint32_t ks_addr;
	size_t n_members;
	bool multicast;
	uint32_t mcast_addr;
	uint32_t seq;	      /* `Seq num`: the last GROUPKEY-PUSH sequence number used */
	uint64_t rekeys_sent; /* `Number of Rekeys sent` (a rekey with its rounds counts once) */
	uint64_t
	    rekeys_retransmitted; /* `Number of Rekeys retransmitted` (rounds after the first) */
	uint64_t rekey_acks, rekey_acks_bad; /* ACKs accepted; refused (HASH, unknown member) */
	uint64_t rekey_acks_unsol;	     /* ACKs for a rekey not sent to that member */
	uint64_t members_ejected;	     /* removed after missing the ACKs of N rekeys */
	uint64_t last_rekey_ms;		     /* start to last ACK (or end) of the last rekey */
	bool rekey_active;		     /* a rekey's rounds are still running */
	bool can_rekey;			     /* KEK and the private RSA key present */
	uint32_t retrans_period_sec, retrans_count;
	bool has_kek;
	uint8_t kek_spi[GDOI_KEK_SPI_LEN];
	const char *kek_alg; /* "AES", "3DES" */
	uint32_t kek_key_bytes, kek_iv_bytes;
	uint32_t kek_life_sec, kek_remaining_sec;
	const char *sig_hash;	/* "sha256" */
	uint32_t sig_key_bits;	/* of the RSA key; 0 when missing */
	uint32_t sig_key_bytes; /* DER SPKI octets (`sig key length`) */
	uint32_t sig_size;	/* signature octets */
	char sig_key_name[GDOI_NAME_MAX];
	bool rsa_key_missing;
	uint16_t atd_sec, dtd_sec;
	uint64_t pseudotime_ms;
	/* seconds to the next KEK roll-over; UINT32_MAX: none scheduled */
	uint32_t kek_rekey_in_sec;
	size_t n_sas;
	struct {
		uint16_t number;
		char profile[GDOI_NAME_MAX];
		char acl_name[GDOI_NAME_MAX];
		uint32_t rekey_in_sec; /* to this SA's next TEK; UINT32_MAX: none scheduled */
	} sa[GDOI_KS_SAS_MAX];
	size_t n_teks;
	struct gdoi_ks_tek_info tek[GDOI_TEKS_MAX];
	bool redundancy;
	uint8_t priority;
	size_t n_peers;
	uint32_t peers[GDOI_PEERS_MAX];
	/*
	 * Sender IDs (`show crypto gdoi ks identifier`): the policy has a
	 * counter-mode (GCM) TEK; NUMBER_OF_SID_BITS; the next SID to hand out
	 * (above 2^bits - 1: none left); SIDs handed out and refused (none
	 * left) since the KS started; members holding one now.
	 */
	bool counter_mode;
	uint8_t sid_bits;
	uint32_t sid_next;
	uint64_t sids_given, sids_refused;
	size_t sid_members;
};

size_t gdoi_ks_group_count(const struct gdoi_ks *ks);
/* Group i (configuration order) at now. 0 or ERR_NOTFOUND. */
int gdoi_ks_group_info(const struct gdoi_ks *ks, size_t i, uint64_t now,
		       struct gdoi_ks_group_info *out);
/* Index of a group by name, or ERR_NOTFOUND. */
int gdoi_ks_group_find(const struct gdoi_ks *ks, const char *name);
/*
 * The group's current policy (ACL lines with their sa_num, TEKs, KEK). Key
 * material is in it: render nothing secret. Valid until the next call into
 * the engine. NULL for a bad index.
 */
const struct gdoi_policy *gdoi_ks_group_policy(const struct gdoi_ks *ks, size_t i);

/* `show crypto gdoi ks members`. */
struct gdoi_ks_member_info {
	uint32_t addr;
	const char *group;
	struct gdoi_identity group_id;
	uint32_t ks_addr; /* `Key Server ID`: the KS that registered it */
	struct gdoi_peer_caps caps;
	char version[40];	/* "gvpn 1.0, capabilities 0x0000002f" or "RFC 6407" */
	uint64_t registered_ns; /* last registration (monotonic) */
	uint32_t registrations;
	uint32_t rekeys_sent, rekey_retries, acks_rcvd, acks_missed;
	uint32_t sent_seq[4], rcvd_seq[4]; /* last four, newest first */
	uint32_t sid;			   /* sender ID of its last registration; 0: none */
	uint8_t sid_bits;		   /* its width (0 with no SID) */
};

/*
 * Visit the members of one group (name) or of all (NULL), in registration
 * order per group. A non-zero return from fn stops and is returned.
 */
int gdoi_ks_members_foreach(const struct gdoi_ks *ks, const char *group,
			    int (*fn)(void *arg, const struct gdoi_ks_member_info *m), void *arg);
/* One member by address and group (NULL: first group that has it). 0 or ERR_NOTFOUND. */
int gdoi_ks_member_get(const struct gdoi_ks *ks, uint32_t addr, const char *group,
		       struct gdoi_ks_member_info *out);

struct gdoi_ks_stats {
	uint64_t registrations; /* message 4 sent */
	uint64_t refused;	/* refusals after phase 1 */
	uint64_t bad_id, unauthorized, version_rejects, no_pfs;
	uint64_t hash_fail;	 /* pull messages failing HASH(n) */
	uint64_t malformed;	 /* pull messages missing payloads / undecodable */
	uint64_t stale;		 /* pull messages for no exchange in progress */
	uint64_t withheld_lines; /* ACL lines withheld from plain members (sum) */
	uint64_t pulls_expired;	 /* exchanges abandoned before message 3 */
};
void gdoi_ks_get_stats(const struct gdoi_ks *ks, struct gdoi_ks_stats *out);

/* Memory the KS holds per member, for capacity planning and tests. */
struct gdoi_ks_mem {
	size_t members;
	size_t member_bytes;  /* sizeof of a member record */
	size_t sas;	      /* ike1 SAs in the table */
	size_t sa_bytes;      /* ike1 SA records plus our per-SA data, all SAs */
	size_t sas_handshake; /* SAs still holding Main Mode state (grace period) */
	size_t sas_chains;    /* SAs still holding exchange chains (grace period) */
	size_t chain_bytes;   /* those chains with their cached messages */
	size_t pulls;	      /* exchanges in progress */
};
void gdoi_ks_mem(const struct gdoi_ks *ks, struct gdoi_ks_mem *out);

#endif
