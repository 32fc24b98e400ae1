/*
 * Key server internals shared by ks.c (engine, ike1 glue, timers),
 * ks_config.c (configuration copy and checks), ks_policy.c (keys and their
 * roll-over), ks_pull.c (GROUPKEY-PULL) and ks_members.c (member database
 * and show). Not for other layers: use ks.h.
 */
#ifndef GVPN_GDOI_KS_PRIV_H
#define GVPN_GDOI_KS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdoi/caps.h"
#include "gdoi/ks.h"
#include "gdoi/policy_wire.h"
#include "gdoi/sid.h"
#include "ike1/sa.h"
#include "util/list.h"
#include "wire/payload.h"

#define KS_MSG_MAX   16384 /* largest pull message built or accepted */
#define KS_NONCE_LEN 32	   /* notes §4.1: send 32 */

/* `sa ipsec N` as the engine keeps it. */
struct ks_sa_cfg {
	uint16_t number;
	char profile[GDOI_NAME_MAX];
	char acl_name[GDOI_NAME_MAX];
	struct gdoi_transform xf;
	uint32_t life_sec;
	size_t n_acl;
	struct gdoi_acl_entry acl[GDOI_KS_ACL_LINES_MAX];
	uint8_t replay;
	uint16_t replay_window;
	bool receive_only;
};

/* A group's configuration, deep-copied (no pointer into the caller's). */
struct ks_group_cfg {
	char name[GDOI_NAME_MAX];
	struct gdoi_identity id;
	uint32_t ks_addr;
	enum crypto_cbc_alg kek_alg;
	uint32_t kek_life_sec;
	enum crypto_hash_alg sig_hash;
	uint32_t retrans_period_sec, retrans_count;
	bool multicast;
	uint32_t mcast_addr;
	bool has_label; /* rekey authentication configured: the policy has a KEK */
	char rsa_label[GDOI_NAME_MAX];
	bool rsa_missing;
	const struct crypto_rsa *rsa_key; /* borrowed while a group is made or reconfigured */
	unsigned rsa_bits;
	size_t spki_len;
	uint8_t spki[GDOI_SPKI_MAX];
	bool authorize;
	size_t n_auth;
	struct gdoi_std_acl_entry auth[GDOI_AUTH_ACL_MAX];
	size_t n_sas;
	struct ks_sa_cfg sa[GDOI_KS_SAS_MAX];
	uint16_t atd_sec, dtd_sec;
	bool redundancy;
	uint8_t priority;
	size_t n_peers;
	uint32_t peers[GDOI_PEERS_MAX];
	uint32_t needs; /* capabilities the policy needs from a member (enum gdoi_cap) */
};

#define KS_REKEY_MSGS 4 /* distinct member capability sets served per round */
/*
 * Unicast pushes go out in batches of at most this many (pacing, see
 * ks.c): 40 pushes of up to 1,500 bytes (two IP fragments each at MTU 1500)
 * take about 180 KB of socket send buffer, under Linux's default of 208 KiB,
 * so a batch never meets a full socket even if the link sent nothing while
 * the key server wrote it.
 */
#define KS_REKEY_BATCH_MAX 40u

/* One round's message for members with these capabilities. */
struct ks_rekey_msg {
	uint32_t caps;
	size_t len;
	uint8_t *p; /* ciphertext only */
};

/*
 * A rekey in progress (notes §5.3): round k goes out with sequence number
 * seq_first + k, re-signed, to every member that has not acknowledged any
 * round yet (unicast) or to the group address (multicast, all N + 1 rounds).
 */
struct ks_rekey {
	bool active;
	bool deferred; /* new keys came while active: push them when it ends */
	uint32_t id;   /* members pending on this rekey carry it in rk_pending */
	uint32_t seq_first, seq;
	uint32_t round;
	uint64_t started_ns, next_ns; /* next round, or the end (misses counted) */
	uint64_t batch_ns;	      /* the round's next batch of unicast sends (pacing) */
	struct gdoi_kek kek;	      /* protects every round: the KEK members held */
	struct ks_polver *pv;	      /* the policy pushed */
	size_t n_msgs;
	struct ks_rekey_msg msg[KS_REKEY_MSGS];
	size_t n_del; /* TEKs the push deletes (`rekey replace-now`) */
	uint8_t del_spi[GDOI_TEKS_MAX][4];
};

/* Rekey counters of a group (show crypto gdoi ks rekey). */
struct ks_rekey_stats {
	uint64_t retransmits;	   /* rounds after the first */
	uint64_t acks, acks_bad;   /* accepted ACKs; ACKs failing checks */
	uint64_t acks_unsol;	   /* ACKs for rekeys not sent to that member */
	uint64_t ejected;	   /* members removed for missed ACKs */
	uint64_t build_fail;	   /* rounds that could not be built or signed */
	uint64_t last_duration_ms; /* start to last ACK (or end) of the last rekey */
};

/*
 * An immutable version of a group's policy. Exchanges in progress hold a
 * reference so that message 4 carries the keys of the SA sent in message 2
 * even when the keys rolled over in between.
 */
struct ks_polver {
	unsigned refs;
	uint32_t version;
	struct gdoi_policy p;
};

struct ks_group {
	struct gdoi_ks *ks;
	uint32_t handle;
	struct ks_group_cfg cfg;
	struct ks_polver *pv;	  /* current policy */
	uint64_t created_ns;	  /* pseudotime pt_base_ms */
	uint64_t pt_base_ms;	  /* pseudotime restored from a state file */
	struct list_node members; /* struct ks_member, registration order */
	size_t n_members;
	uint64_t tek_roll_ns[GDOI_KS_SAS_MAX]; /* next TEK generation per `sa ipsec` */
	uint64_t kek_roll_ns;
	uint32_t withheld_logged; /* policy version whose withheld lines were logged */
	uint64_t rekeys_sent;
	/* Rekey (ks_rekey.c). */
	bool has_rsa;		  /* rsa holds the private rekey key (own copy) */
	struct crypto_rsa rsa;	  /* signs pushes */
	uint32_t seq;		  /* last GROUPKEY-PUSH sequence number used */
	struct gdoi_kek push_kek; /* the KEK members hold: protects the next push */
	struct ks_rekey rk;
	size_t n_del; /* TEK SPIs to delete with the next rekey (replace-now) */
	uint8_t del_spi[GDOI_TEKS_MAX][4];
	struct ks_rekey_stats rst;
	/*
	 * Sender IDs (ks_sid.c): handed out in order from 1, never twice, as
	 * members keep theirs across rekeys. The state file holds sid_reserved,
	 * written before any SID above the last saved one leaves the KS.
	 */
	uint8_t sid_bits;
	uint32_t sid_next;     /* the next to hand out; above gdoi_sid_max(): none left */
	uint32_t sid_reserved; /* highest the state file covers */
	uint64_t sids_given, sids_refused;
	bool sid_exhausted_logged;
};

/* What the KS keeps per ike1 SA (sa->user). */
struct ks_pull;
struct ks_sa {
	struct gdoi_peer_caps caps; /* from the GM's Main Mode VID */
	struct ks_pull *pull;	    /* exchange in progress, NULL when none */
};

/* A GROUPKEY-PULL between messages 1 and 3. */
struct ks_pull {
	struct list_node link; /* ks->pulls, oldest first */
	struct ike1_sa *sa;
	uint32_t mid;
	struct ks_group *g;
	struct ks_polver *pv; /* the policy sent in message 2 */
	uint64_t expires_ns;
	uint16_t ni_len;
	uint8_t ni[WIRE_NONCE_MAX];
	uint8_t nr[KS_NONCE_LEN];
};

/* A registered member (well under 4 KiB: see gdoi_ks_mem). */
struct ks_member {
	struct htab_node hnode; /* ks->members, key (address, group handle) */
	struct list_node link;	/* group->members */
	struct ks_group *g;
	uint32_t addr;
	uint16_t port;
	struct gdoi_peer_caps caps;
	uint64_t registered_ns;
	uint32_t registrations;
	uint8_t cky_i[IKE1_COOKIE_LEN], cky_r[IKE1_COOKIE_LEN]; /* of the registration SA */
	uint8_t kack_len;
	uint8_t kack_hash;	    /* enum crypto_hash_alg of the prf */
	uint8_t kack[IKE1_PRF_MAX]; /* K_ack (notes §5.3) */
	uint32_t rekeys_sent, rekey_retries, acks_rcvd, acks_missed;
	uint32_t sent_seq[4], rcvd_seq[4];
	uint32_t rk_pending;  /* id of the rekey waiting for our ACK, 0 none */
	uint32_t rk_sent_seq; /* sequence number of the round last sent to it */
	uint32_t rk_acked;    /* id of the last rekey it acknowledged */
	uint32_t missed_row;  /* rekeys in a row not acknowledged */
	uint32_t sid;	      /* sender ID of its last registration (group's bits), 0 none */
};

struct gdoi_ks {
	struct ike1_sa_table ike;
	uint8_t vid[GDOI_VID_LEN];
	struct wire_data vid_data;
	gdoi_psk_fn psk;
	void *psk_arg;
	uint32_t caps;
	bool plain;
	struct gdoi_ks_io io;
	struct crypto_rng *rng;
	struct diag *diag;
	size_t n_groups;
	struct ks_group *groups[GDOI_KS_GROUPS_MAX];
	uint32_t next_handle;
	struct htab members;
	size_t n_members;
	struct list_node pulls;
	size_t n_pulls;
	uint64_t now;
	uint64_t next_ns;	 /* own timers (rolls, expiry, stale pulls) */
	uint32_t rekey_batch;	 /* unicast pushes per batch (pacing) */
	uint64_t rekey_batch_ns; /* and the time between two batches */
	uint64_t persist_sig;	 /* state_sig() of the state last handed to io.persist */
	uint64_t persist_ns;	 /* no io.persist call before this */
	struct gdoi_ks_stats st;
	/* Scratch for building and opening messages (single-threaded engine). */
	struct gdoi_arena arena;
	struct wire_gdoi_sa wsa;
	struct wire_kd wkd;
	uint8_t msg[KS_MSG_MAX];
	uint8_t rx[KS_MSG_MAX]; /* decrypted input */
};

/* A rekey-ring event trace of a group (GDOI_REKEY_EVENT). */
#define KS_TRACE_REKEY(ks, g, ...)                                                                 \
	do {                                                                                       \
		if ((ks)->diag)                                                                    \
			diag_trace((ks)->diag, DIAG_TRACE_REKEY, (g)->cfg.name, 0, __VA_ARGS__);   \
	} while (0)

/* A group as a state file holds it (ks_state.c); times are "ms left at save". */
struct ks_saved_member {
	uint32_t addr;
	uint16_t port;
	struct gdoi_peer_caps caps;
	uint64_t age_ms; /* since its last registration */
	uint32_t registrations;
	uint8_t cky_i[IKE1_COOKIE_LEN], cky_r[IKE1_COOKIE_LEN];
	uint8_t kack_len, kack_hash;
	uint8_t kack[IKE1_PRF_MAX];
	uint32_t rekeys_sent, rekey_retries, acks_rcvd, acks_missed, missed_row;
	uint32_t sent_seq[4], rcvd_seq[4];
	uint32_t sid;
};

struct ks_saved_group {
	char name[GDOI_NAME_MAX];
	uint32_t seq;
	uint64_t pt_ms;
	uint8_t sid_bits;  /* 0: a file from before sender IDs */
	uint32_t sid_next; /* never handed out before the save */
	bool has_kek, has_push_kek;
	struct gdoi_kek kek, push_kek; /* expires_ns: ms left */
	uint64_t kek_roll_ms;	       /* ms left, UINT64_MAX never */
	size_t n_teks;
	struct gdoi_tek tek[GDOI_TEKS_MAX]; /* expires_ns: ms left */
	size_t n_rolls;
	uint16_t roll_sa[GDOI_KS_SAS_MAX];
	uint64_t roll_ms[GDOI_KS_SAS_MAX];
	size_t n_members;
	struct ks_saved_member *m;
};

/* ks_config.c */
int ks_cfg_copy(const struct gdoi_ks_group_config *in, uint32_t local_addr,
		struct ks_group_cfg *out, char *err, size_t cap);
/* Check a whole set of groups (names and identities unique). */
int ks_cfg_check_set(const struct gdoi_ks_config *cfg, char *err, size_t cap);
/* Did an `sa ipsec` change in a way that needs new keys? */
bool ks_sa_cfg_changed(const struct ks_sa_cfg *a, const struct ks_sa_cfg *b);

/* ks_policy.c */
int ks_group_new(struct gdoi_ks *ks, const struct ks_group_cfg *cfg, uint64_t now,
		 struct ks_group **out);
void ks_group_free(struct gdoi_ks *ks, struct ks_group *g);
/* Apply a changed configuration to a live group (config replace). */
int ks_group_reconfigure(struct gdoi_ks *ks, struct ks_group *g, const struct ks_group_cfg *cfg,
			 uint64_t now);
/* Roll keys and drop expired TEKs as due; returns the group's next deadline. */
uint64_t ks_group_tick(struct gdoi_ks *ks, struct ks_group *g, uint64_t now);
uint64_t ks_group_deadline(const struct ks_group *g);
/*
 * `crypto gdoi ks rekey [replace-now]`: new TEKs at once, pushed; with
 * replace_now the running ones leave the policy and the push deletes them.
 * 0, ERR_STATE (cannot rekey), ERR_NOMEM.
 */
int ks_group_rekey_now(struct gdoi_ks *ks, struct ks_group *g, bool replace_now, uint64_t now);
/*
 * A restarted KS takes a saved group's keys where its configuration still
 * fits them, and continues its sequence number and pseudotime.
 */
int ks_group_restore(struct gdoi_ks *ks, struct ks_group *g, const struct ks_saved_group *s,
		     uint64_t now, uint64_t elapsed_ns);
/* KS pseudotime of the group at now (ms). */
uint64_t ks_group_pt_ms(const struct ks_group *g, uint64_t now);
void ks_polver_unref(struct ks_polver *pv);
struct ks_group *ks_group_by_id(struct gdoi_ks *ks, const struct wire_id *id);

/* ks_pull.c */
void ks_pull_input(struct gdoi_ks *ks, struct ike1_sa *sa, uint64_t now, const uint8_t *msg,
		   size_t len);
/* Forget an exchange (its SA went down, it expired, or its group went away). */
void ks_pull_free(struct gdoi_ks *ks, struct ks_pull *p);
/* Drop exchanges whose time is up; returns the next expiry. */
uint64_t ks_pulls_expire(struct gdoi_ks *ks, uint64_t now);

/* ks_members.c */
struct ks_member *ks_member_find(const struct gdoi_ks *ks, uint32_t addr, const struct ks_group *g);
/* Create or refresh the member of a completed registration on sa. NULL on no memory. */
struct ks_member *ks_member_register(struct gdoi_ks *ks, struct ks_group *g, struct ike1_sa *sa,
				     const struct gdoi_peer_caps *caps, uint64_t now, bool *first);
void ks_member_free(struct gdoi_ks *ks, struct ks_member *m);
/* The member of a state file (a KS restart). NULL on no memory. */
struct ks_member *ks_member_restore(struct gdoi_ks *ks, struct ks_group *g,
				    const struct ks_saved_member *s, uint64_t now,
				    uint64_t elapsed_ns);

/* ks_sid.c */
/* A new group's numbering: GDOI_SID_BITS_DEFAULT bits, from 1. */
void ks_sid_init(struct ks_group *g);
/*
 * Give m a SID of its registration (a member that asked, in a group with a
 * GCM TEK). The state file is written first when the SID is above what it
 * covers. 0 with m->sid set, or ERR_LIMIT when none is left (logged; m->sid 0).
 */
int ks_sid_assign(struct gdoi_ks *ks, struct ks_group *g, struct ks_member *m, uint64_t now);
/* Continue a saved group's numbering (KS restart): never below the saved next. */
void ks_sid_restore(struct ks_group *g, const struct ks_saved_group *s);
/* The first SID never handed out, as the state file stores it. */
uint32_t ks_sid_saved_next(const struct ks_group *g);

/* ks_rekey.c */
/* Take the group's own copy of the private key (NULL: none). */
int ks_rekey_set_key(struct ks_group *g, const struct crypto_rsa *key);
/* The policy's keys changed: push them (ends a rekey still running). */
void ks_rekey_start(struct gdoi_ks *ks, struct ks_group *g, uint64_t now);
/* Next round or the end of the rekey when due. */
void ks_rekey_tick(struct gdoi_ks *ks, struct ks_group *g, uint64_t now);
/* A member registered with policy version `version`: join a rekey of newer keys. */
void ks_rekey_member_registered(struct ks_group *g, struct ks_member *m, uint32_t version);
/* An exchange-35 datagram. */
void ks_rekey_ack_input(struct gdoi_ks *ks, uint64_t now, const struct ike1_peer *peer,
			const uint8_t *msg, size_t len);
/* Stop a rekey and release the group's rekey state (group freed). */
void ks_rekey_free(struct ks_group *g);

/* ks.c */
void ks_event(struct gdoi_ks *ks, enum gdoi_ks_event_type type, const struct ks_group *g,
	      uint32_t peer, uint16_t notify, uint32_t spi);
/* Hand the state to io.persist when it changed (at most once a second). */
void ks_maybe_persist(struct gdoi_ks *ks, uint64_t now);
/* The same at once, whatever the last call was (state that must be on disk first). */
void ks_persist_now(struct gdoi_ks *ks, uint64_t now);
/* Make sure the engine's own deadline is no later than when. */
void ks_schedule(struct gdoi_ks *ks, uint64_t when);

#endif
