/*
 * The IKEv1 engine: a table of ISAKMP (phase 1) SAs, Main Mode with
 * pre-shared keys in both roles, informationals, and the input dispatch for
 * the protected exchanges of the layer above (GDOI pull, COOP).
 *
 * Sans-I/O (docs/hacking.md): the owner feeds datagrams with
 * ike1_sa_input(), calls ike1_sa_tick() when ike1_sa_next_deadline() comes,
 * and hears back through struct ike1_io. Time is passed in, never read;
 * randomness (cookies, nonces, DH, M-IDs) comes from the table's RNG.
 *
 * Life of an SA (state names as IOS `show crypto isakmp sa` prints them):
 *
 *   initiator                          responder
 *   MM_NO_STATE   --> HDR, SA [, VID]
 *                                      <-- HDR, SA [, VID]        MM_SA_SETUP
 *   MM_SA_SETUP   --> HDR, KE, Ni
 *                                      <-- HDR, KE, Nr            MM_KEY_EXCH
 *   MM_KEY_EXCH   --> HDR*, IDii, HASH_I
 *                                      <-- HDR*, IDir, HASH_R     GDOI_IDLE
 *   GDOI_IDLE
 *
 * Completion calls io.up(); failure, expiry and deletion call io.down()
 * once, after which the SA stays in the table marked deleted ("ACTIVE
 * (deleted)") for cfg.dead_keep_ms and is then freed. A completed SA drops
 * its handshake state (DH, nonces, cached messages) after cfg.grace_ms and
 * keeps only the keys, cookies, the last phase-1 block and its lifetime.
 */
#ifndef GVPN_IKE1_SA_H
#define GVPN_IKE1_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/dh.h"
#include "crypto/rng.h"
#include "ike1/crypt.h"
#include "ike1/keys.h"
#include "ike1/policy.h"
#include "util/list.h"
#include "wire/payload.h"

struct diag;

/* A UDP endpoint; IPv4 only for now (GDOI members are IPv4 in gvpn). */
struct ike1_peer {
	uint32_t ip4; /* host byte order */
	uint16_t port;
};

enum ike1_role {
	IKE1_INITIATOR = 1,
	IKE1_RESPONDER = 2,
};

/* States in IOS spelling; see the drawing above. */
enum ike1_state {
	IKE1_MM_NO_STATE = 0,
	IKE1_MM_SA_SETUP,
	IKE1_MM_KEY_EXCH,
	IKE1_MM_KEY_AUTH, /* authenticated, not yet usable (transient) */
	IKE1_GDOI_IDLE,	  /* complete: protected exchanges may run */
};

/* Why an SA failed or went away (the caller logs it, e.g. CRYPTO-4-IKMP_*). */
enum ike1_reason {
	IKE1_R_NONE = 0,
	IKE1_R_NO_PROPOSAL,	/* no acceptable transform (either side) */
	IKE1_R_AUTH,		/* bad HASH_I/HASH_R, undecryptable MM5, no PSK */
	IKE1_R_INVALID_PAYLOAD, /* a required payload missing or malformed */
	IKE1_R_TIMEOUT,		/* retransmissions exhausted / half-open too long */
	IKE1_R_PEER_NOTIFY,	/* the peer sent an error notify during Main Mode */
	IKE1_R_EXPIRED,		/* lifetime reached */
	IKE1_R_DELETED,		/* deleted locally (ike1_sa_delete) */
	IKE1_R_PEER_DELETE,	/* the peer sent a Delete for it */
	IKE1_R_INTERNAL,	/* no memory, crypto library failure */
};

struct ike1_result {
	enum ike1_reason reason;
	uint16_t notify; /* notify sent (ours) or received (PEER_NOTIFY); 0 none */
	uint8_t msg;	 /* Main Mode message (1-6) being processed, 0 n/a */
	enum ike1_state state;
	const char *detail; /* static text, e.g. "HASH_I mismatch" */
	char offer[96];	    /* NO_PROPOSAL on the responder: the first offered transform */
};

/* Vendor IDs received from the peer in MM1/MM2 (valid during the up() call). */
#define IKE1_VIDS_MAX 8
struct ike1_vids {
	size_t n;
	struct wire_data v[IKE1_VIDS_MAX];
};

struct ike1_sa;

#define IKE1_PSK_MAX 128

struct ike1_io {
	void *ctx;
	/* Send one datagram to peer (UDP 848). */
	void (*send)(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len);
	/*
	 * The pre-shared key for a peer address: copy it to key, return its
	 * length, or a negative value when none is configured.
	 */
	int (*psk)(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX]);
	/* Phase 1 complete (either role). May start protected exchanges. */
	void (*up)(void *ctx, struct ike1_sa *sa, const struct ike1_vids *peer_vids);
	/*
	 * Failure, expiry or deletion. sa is NULL when no SA was created (a
	 * responder refusing MM1). Do not keep sa past this call.
	 */
	void (*down)(void *ctx, struct ike1_sa *sa, const struct ike1_peer *peer,
		     const struct ike1_result *r);
	/*
	 * Optional: a verified protected informational that ike1 does not
	 * consume itself (Notify other than DPD, Delete of non-ISAKMP SPIs).
	 * payloads are those after HASH(1), in a decoded message.
	 */
	void (*info)(void *ctx, struct ike1_sa *sa, const struct wire_msg *m);
};

#define IKE1_RETRANS_MAX 8

/*
 * What a key export needs of an SA that just completed (Wireshark's IKEv1
 * decryption table: initiator cookie -> encryption key). Valid during the
 * keylog call only; key is secret.
 */
struct ike1_keylog {
	const uint8_t *cky_i; /* IKE1_COOKIE_LEN octets */
	const uint8_t *cky_r;
	enum crypto_cbc_alg cipher;
	enum crypto_hash_alg hash;
	const uint8_t *key; /* the phase-1 message cipher key */
	size_t key_len;
	struct ike1_peer peer;
	enum ike1_role role;
	uint32_t conn_id;
};

struct ike1_config {
	const struct ike1_policy *policies; /* offered / accepted, in priority order */
	size_t n_policies;
	bool weak_groups;	      /* allow DH groups 1 and 2 */
	uint32_t doi;		      /* phase-1 SA DOI sent: 2 GDOI (default) or 1 IPsec */
	const struct wire_data *vids; /* Vendor IDs to send in MM1/MM2 */
	size_t n_vids;
	struct ike1_peer local;		       /* our address: ID payloads and `show` */
	uint32_t retrans_ms[IKE1_RETRANS_MAX]; /* gaps between retransmissions */
	size_t n_retrans;
	uint32_t give_up_ms;	/* no progress for this long: fail with TIMEOUT */
	uint32_t grace_ms;	/* keep cached replies after an exchange completes */
	uint32_t dead_keep_ms;	/* keep deleted SAs visible ("ACTIVE (deleted)") */
	uint32_t notify_gap_ms; /* at most one error notify per peer per gap */
	size_t max_sas;		/* table size limit */
	size_t max_half_open;	/* SAs in negotiation (load gate before DH) */
	/*
	 * Optional key export (`debug crypto isakmp keys`): called once per SA,
	 * either role, when it reaches GDOI_IDLE, just before io.up(). NULL:
	 * none (the default).
	 */
	void (*keylog)(void *arg, const struct ike1_keylog *k);
	void *keylog_arg;
};

/* Defaults: DOI 2, retransmit after 1, 2, 4, 8 s, give up at 30 s, grace 30 s,
 * dead SAs kept 60 s, one notify per peer per second, 20000 SAs, 1000 half-open. */
void ike1_config_default(struct ike1_config *cfg);

/* Counters of the table (`show crypto isakmp stats`-style, and tests). */
struct ike1_stats {
	uint64_t rx, tx;
	uint64_t retransmits;  /* our timer-driven resends */
	uint64_t dup_answered; /* retransmitted requests answered from the cache */
	uint64_t dup_ignored;  /* duplicates with nothing to answer */
	uint64_t dh_computed;  /* g^xy computations (one per handshake) */
	uint64_t established, failed;
	uint64_t drop_malformed;  /* undecodable or out-of-state messages */
	uint64_t drop_auth;	  /* bad HASH / undecryptable */
	uint64_t drop_unknown_sa; /* cookies of no SA */
	uint64_t drop_limit;	  /* table or half-open limit */
	uint64_t notify_sent, notify_limited;
};

/* Handshake state of an SA in Main Mode; freed after completion + grace. */
struct ike1_mm;

struct ike1_sa {
	struct htab_node hnode;
	struct list_node link; /* table order: creation */
	struct ike1_sa_table *t;
	uint8_t cky_i[IKE1_COOKIE_LEN];
	uint8_t cky_r[IKE1_COOKIE_LEN];
	struct ike1_peer peer;
	uint32_t conn_id;
	uint8_t role;  /* enum ike1_role */
	uint8_t state; /* enum ike1_state */
	bool deleted;
	uint8_t group; /* negotiated DH group */
	uint32_t doi;  /* DOI of the SA payload (1 or 2) */
	uint32_t life_sec;
	uint64_t created_ns;
	uint64_t expires_ns; /* lifetime end once complete; CLOCK_NEVER before */
	uint64_t free_ns;    /* deleted: when it leaves the table */
	struct ike1_keys keys;
	uint8_t p1_last[CRYPTO_BLOCK_MAX]; /* last ciphertext block of MM6 */
	struct ike1_mm *mm;
	struct ike1_chains *chains; /* phase-2-style exchanges in progress */
	void *user;		    /* the upper layer's */
};

struct ike1_sa_table {
	struct ike1_config cfg;
	struct ike1_io io;
	struct crypto_rng *rng;
	struct diag *diag; /* may be NULL */
	struct htab by_cookie;
	struct list_node all;
	size_t count, half_open;
	uint32_t next_conn_id;
	uint64_t now_ns;  /* last time seen (asserted monotonic) */
	uint64_t next_ns; /* cached earliest deadline */
	struct ike1_stats st;
	struct {
		uint32_t ip4;
		uint64_t at_ns;
	} rl[256]; /* last error notify per peer (direct-mapped) */
};

/*
 * Set up a table. cfg is copied (the policies and VIDs it points to are
 * borrowed and must outlive the table); rng is borrowed. Returns 0,
 * ERR_INVAL (a policy is invalid, e.g. group 2 without weak_groups) or
 * ERR_NOMEM.
 */
int ike1_sa_table_init(struct ike1_sa_table *t, const struct ike1_config *cfg,
		       const struct ike1_io *io, struct crypto_rng *rng, struct diag *diag);
/* Free every SA (wiping keys) without calling back or sending anything. */
void ike1_sa_table_free(struct ike1_sa_table *t);

/*
 * Start Main Mode toward peer as initiator: sends MM1. *out (may be NULL)
 * gets the new SA. Returns 0, ERR_LIMIT, ERR_NOMEM or ERR_CRYPTO.
 */
int ike1_sa_initiate(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		     struct ike1_sa **out);

/* What ike1_sa_input() did with a datagram. */
enum ike1_verdict {
	IKE1_IN_DONE = 0,    /* consumed (handled, answered from cache, or dropped and counted) */
	IKE1_IN_UPPER = 1,   /* a protected exchange (pull, COOP...) on *sa: call ike1_prot_open */
	IKE1_IN_NOT_MINE = 2 /* not an exchange of a phase-1 SA of this table (e.g. a push) */
};

/*
 * Feed one datagram from peer. Returns an enum ike1_verdict; *sa (may be
 * NULL) is set for IKE1_IN_UPPER. Drops are not errors: they are counted in
 * t->st and debug-logged. The message bytes are not kept.
 */
int ike1_sa_input(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		  const uint8_t *msg, size_t len, struct ike1_sa **sa);

/* Retransmit, time out, expire and free what is due at now. */
void ike1_sa_tick(struct ike1_sa_table *t, uint64_t now);
/* When ike1_sa_tick must next run; CLOCK_NEVER when nothing is pending. */
uint64_t ike1_sa_next_deadline(const struct ike1_sa_table *t);

/* The SA with these cookies (any state), or NULL. */
struct ike1_sa *ike1_sa_find(struct ike1_sa_table *t, const uint8_t cky_i[static IKE1_COOKIE_LEN],
			     const uint8_t cky_r[static IKE1_COOKIE_LEN]);

/*
 * Delete an SA: a complete SA first tells the peer with a protected
 * informational carrying a Delete (Protocol-ID 1, SPI size 16, the cookies)
 * when notify_peer is set. Calls io.down() with IKE1_R_DELETED. Idempotent.
 */
void ike1_sa_delete(struct ike1_sa_table *t, struct ike1_sa *sa, uint64_t now, bool notify_peer);

/* `show crypto isakmp sa`: one row per SA, in creation order. */
struct ike1_sa_row {
	struct ike1_peer dst; /* the responder */
	struct ike1_peer src; /* the initiator */
	const char *state;    /* "MM_NO_STATE", ..., "GDOI_IDLE" */
	uint32_t conn_id;
	const char *status; /* "ACTIVE" or "ACTIVE (deleted)" */
	enum ike1_role role;
	uint64_t expires_ns;
};
void ike1_sa_row(const struct ike1_sa *sa, struct ike1_sa_row *row);
/* Visit every SA; a non-zero return from fn stops and is returned. */
int ike1_sa_foreach(struct ike1_sa_table *t, int (*fn)(void *arg, struct ike1_sa *sa), void *arg);

const char *ike1_state_name(enum ike1_state s);
const char *ike1_reason_name(enum ike1_reason r);

/*
 * Wireshark IKEv1 decryption table line for an SA:
 * "<icookie hex>,<encryption key hex>" (16 + 1 + 2*key_len characters).
 * For `debug crypto isakmp keys`-style export to a protected place only.
 * Returns the length or ERR_NOSPACE / ERR_STATE (no keys yet).
 */
int ike1_sa_wireshark_line(const struct ike1_sa *sa, char *out, size_t cap);

#endif
