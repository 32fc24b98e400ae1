/*
 * Group member internals shared by gm.c (engine, ike1 glue, timers,
 * commands), gm_reg.c (attempts and GROUPKEY-PULL), gm_install.c (policy
 * installation, expiry, re-registration time) and gm_show.c. Use gm.h.
 */
#ifndef GVPN_GDOI_GM_PRIV_H
#define GVPN_GDOI_GM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rsa.h"
#include "gdoi/gm.h"
#include "gdoi/policy_wire.h"
#include "gdoi/sid.h"
#include "ike1/sa.h"
#include "wire/payload.h"

#define GM_MSG_MAX   16384 /* largest pull message accepted */
#define GM_NONCE_LEN 32
#define GM_REUSE_MS  10000 /* a pull on an old SA that the KS no longer knows: give up then */

enum gm_state {
	GM_ST_IDLE = 0, /* nothing on the wire; next_ns says when the next attempt starts */
	GM_ST_PHASE1,	/* Main Mode to the KS being tried */
	GM_ST_WAIT2,	/* pull message 1 sent */
	GM_ST_WAIT4,	/* pull message 3 sent */
};

struct gm_group_cfg {
	char name[GDOI_NAME_MAX];
	struct gdoi_identity id;
	size_t n_servers;
	uint32_t servers[GDOI_GM_SERVERS_MAX];
	bool fail_close;
};

struct gm_group {
	struct gdoi_gm *gm;
	uint32_t handle;
	struct gm_group_cfg cfg;
	enum gm_state st;
	size_t srv;		 /* index of the server being tried or to try next */
	bool backing_off;	 /* the whole list failed; waiting for next_ns */
	uint32_t backoff_ms;	 /* the next back-off */
	uint64_t next_ns;	 /* IDLE: start of the next attempt (CLOCK_NEVER: none planned) */
	bool rereg_due;		 /* next_ns is the re-registration time of the installed policy */
	uint64_t attempt_end_ns; /* attempt running: give up then */
	uint64_t retx_ns;	 /* attempt running: resend the last pull message then */
	uint8_t n_retx;
	struct ike1_sa *sa; /* registration SA (sa->user == this group) */
	bool reused;	    /* the attempt runs on the SA of an earlier registration */
	uint32_t mid;
	uint8_t ni[GM_NONCE_LEN];
	uint16_t nr_len;
	uint8_t nr[WIRE_NONCE_MAX];
	struct gdoi_policy *pending; /* message 2's policy, waiting for message 4's keys */
	bool registered;	     /* pol holds an installed policy */
	bool ever_registered;	     /* fail-close lifts at the first success */
	uint32_t reg_ks;	     /* the KS pol came from */
	struct gdoi_policy pol;
	uint64_t succeeded, attempted;
	uint8_t kack_len;  /* K_ack of the last registration (notes §5.3), for ACKs */
	uint8_t kack_hash; /* enum crypto_hash_alg of its prf */
	uint8_t kack[IKE1_PRF_MAX];
	uint64_t activate_ns; /* next TEK activation to publish (gm_rekey.c), CLOCK_NEVER none */
	/*
	 * The KEK a rekey replaced, kept until a push under the new one is
	 * accepted or it expires: later rounds of that same rekey are still
	 * protected with it (notes §4.11 step 5).
	 */
	bool has_prev_kek;
	struct gdoi_kek prev_kek;
	/* The KS public key of the registration, decoded once (checks every push). */
	bool has_ks_pub;
	struct crypto_rsa ks_pub;
	uint64_t rekeys_received, rekeys_after_reg, acks_sent;
	uint32_t last_rekey_from, last_rekey_seq;
	uint64_t last_rekey_ns; /* when the last rekey was accepted; 0: never */
	/*
	 * Sender IDs (sid.h): the running attempt asked for one in message 3
	 * (message 2's policy has a GCM TEK) and message 4 brought sid_new;
	 * sid is the installed registration's, kept across rekeys, replaced
	 * by the next registration's.
	 */
	bool sid_asked;
	struct gdoi_sids sid_new;
	struct gdoi_sids sid;
	bool sid_asked_reg; /* the installed registration asked for one */
	bool sid_warned;    /* GM_NO_SID logged; again only after a registration brought one */
};

struct gdoi_gm {
	struct ike1_sa_table ike;
	uint8_t vid[GDOI_VID_LEN];
	struct wire_data vid_data;
	gdoi_psk_fn psk;
	void *psk_arg;
	uint32_t caps;
	bool plain;
	uint32_t attempt_ms, backoff_min_ms, backoff_max_ms;
	struct gdoi_gm_io io;
	struct crypto_rng *rng;
	struct diag *diag;
	size_t n_groups;
	struct gm_group *groups[GDOI_GM_GROUPS_MAX];
	uint32_t next_handle;
	uint64_t now;
	struct gdoi_gm_stats st;
	/* Scratch (single-threaded engine). */
	struct wire_gdoi_sa wsa;
	struct wire_kd wkd;
	uint8_t msg[1024];
	uint8_t rx[GM_MSG_MAX];
};

/* gm.c */
void gm_event(struct gdoi_gm *gm, enum gdoi_gm_event_type type, const struct gm_group *g,
	      uint32_t ks, const char *why, uint32_t spi);
uint32_t gm_local(const struct gdoi_gm *gm);
/* Forget the group's registration SA; delete it (telling the KS) when it is still up. */
void gm_drop_sa(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, bool tell_peer);

/* gm_reg.c */
/* Start an attempt to servers[srv] at now. */
void gm_attempt_start(struct gdoi_gm *gm, struct gm_group *g, uint64_t now);
/*
 * The attempt failed: next server, or back-off after the last one. An
 * attempt on the SA of an earlier registration (the KS may have restarted
 * and forgotten it) first retries the same KS with a fresh phase 1.
 */
void gm_attempt_failed(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const char *why);
/* Abandon a running attempt without counting it as failed (clear, removal). */
void gm_attempt_abort(struct gdoi_gm *gm, struct gm_group *g, uint64_t now);
/* Phase 1 to the KS is up: send pull message 1. */
void gm_pull_start(struct gdoi_gm *gm, struct gm_group *g, uint64_t now);
/* A pull message on g's SA. */
void gm_pull_input(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, const uint8_t *msg,
		   size_t len);
/* Timers of a running attempt (retransmission, give-up). */
void gm_attempt_tick(struct gdoi_gm *gm, struct gm_group *g, uint64_t now);
uint64_t gm_attempt_deadline(const struct gm_group *g);

/* gm_install.c */
/*
 * Message 4 accepted: install g->pending (logs, io.install, re-registration
 * time). ks_pub: the KS key its KD decoder decoded, taken over (may be empty).
 */
void gm_install(struct gdoi_gm *gm, struct gm_group *g, uint64_t now, struct crypto_rsa *ks_pub);
/* Drop expired TEKs/KEK of the installed policy; re-register when the last TEK went. */
void gm_expire(struct gdoi_gm *gm, struct gm_group *g, uint64_t now);
/* Earliest expiry in the installed policy (CLOCK_NEVER when none). */
uint64_t gm_expiry_deadline(const struct gm_group *g);
/* Drop the installed policy (io.remove); an attempt in progress goes on. */
void gm_uninstall(struct gdoi_gm *gm, struct gm_group *g);
/* Tell the data plane the group's state (fail-close or policy). */
void gm_publish(struct gdoi_gm *gm, struct gm_group *g);
/* When to register again if no rekey renews the installed keys. */
uint64_t gm_rereg_time(struct gdoi_gm *gm, const struct gdoi_policy *p, uint64_t now);
/*
 * A rekey brought a GCM TEK to a registration that did not ask for a
 * sender ID (its policy had none): register again for one before the
 * activation delay ends, at a random point of its first half (every
 * member gets the push at once). Otherwise t, the planned time.
 */
uint64_t gm_sid_rereg_time(struct gdoi_gm *gm, const struct gm_group *g, uint64_t now, uint64_t t);

/* gm_rekey.c */
/* A GROUPKEY-PUSH (exchange 33). */
void gm_rekey_input(struct gdoi_gm *gm, uint64_t now, const struct ike1_peer *peer,
		    const uint8_t *msg, size_t len);
/* Forget the KEK kept from before the last KEK rekey. */
void gm_rekey_forget(struct gm_group *g);
/* A new registration, or none: forget the replaced KEK and the parsed KS key. */
void gm_rekey_reset(struct gm_group *g);
/* Publish TEKs whose activation delay is over. */
void gm_rekey_tick(struct gdoi_gm *gm, struct gm_group *g, uint64_t now);

#endif
