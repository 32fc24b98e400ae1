/*
 * Two ike1 tables joined by an in-memory wire with a fake clock, for the
 * Main Mode and protected-exchange tests. Side 0 is the group member
 * (initiator, 10.0.0.2), side 1 the key server (responder, 10.0.0.1), both on
 * UDP 848. Every datagram is queued; a test may drop, duplicate or reorder
 * them before delivery, and inspects the copies kept in `sent`.
 */
#ifndef GVPN_TEST_IKE1_PAIR_H
#define GVPN_TEST_IKE1_PAIR_H

#include "test.h"

#include <stdlib.h>

#include "crypto/rng.h"
#include "ike1/info.h"
#include "ike1/prot.h"
#include "ike1/sa.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/names.h"

#define GM	      0
#define KS	      1
#define IP_GM	      0x0a000002u
#define IP_KS	      0x0a000001u
#define PAIR_QMAX     64
#define PAIR_SENT_MAX 64

struct pkt {
	int to;
	size_t len;
	uint8_t b[4096];
};

struct pair;

struct side {
	struct pair *pair;
	int idx;
	struct ike1_sa_table t;
	struct ike1_config cfg;
	struct ike1_policy pol[8];
	struct crypto_rng rng;
	const char *psk; /* NULL: no key for the peer */
	int ups, downs, downs_without_sa, infos;
	struct ike1_sa *up_sa;
	struct ike1_result last_down;
	size_t peer_vids;
	uint8_t peer_vid0[32];
	size_t peer_vid0_len;
};

struct pair {
	struct side s[2];
	uint64_t now;
	struct pkt q[PAIR_QMAX];
	size_t nq;
	struct pkt sent[PAIR_SENT_MAX]; /* every datagram sent, in order */
	size_t nsent;
	/* Called for each datagram about to be delivered: 0 deliver, 1 drop, 2 deliver twice. */
	int (*filter)(struct pair *p, const struct pkt *k, size_t index);
	size_t delivered;
	int verdict; /* of the last delivery */
	struct ike1_sa *upper_sa;
	struct diag *diag; /* given to both tables when set before pair_start */
};

extern const struct wire_data pair_vid[2]; /* each side's Vendor ID (22 octets) */

/* UDP 848 address of side idx. */
struct ike1_peer pair_addr(int idx);
/* A pre-shared-key policy with a one-day lifetime. */
struct ike1_policy pair_policy(enum crypto_cbc_alg c, enum crypto_hash_alg h, uint8_t group);
/* Both sides with the same n policies, a common PSK and seeded RNGs. */
void pair_init(struct pair *p, const struct ike1_policy *pol, size_t n);
/* Configure side idx with n policies (copied) before pair_start. */
void pair_config(struct pair *p, int idx, const struct ike1_policy *pol, size_t n);
/* Create both tables from the side configurations. Returns the error of either, else 0. */
int pair_start(struct pair *p);
void pair_free(struct pair *p);

/* One datagram into its destination table (verdict and upper SA kept in p). */
void pair_feed(struct pair *p, const struct pkt *k);
/* Deliver the oldest queued datagram through the filter. false when the queue is empty. */
bool pair_deliver(struct pair *p);
/* Deliver until the queue is empty. */
void pair_pump(struct pair *p);
/* The earlier deadline of the two tables. */
uint64_t pair_deadline(const struct pair *p);
/* Deliver everything, then advance the clock to each deadline up to `until`. */
void pair_run(struct pair *p, uint64_t until);

/* The first SA of a side's table (or NULL). */
struct ike1_sa *pair_sa(struct pair *p, int idx);
/* Start Main Mode from the GM and deliver until quiet (no clock movement). */
void pair_handshake(struct pair *p);
/* Both sides up with the same keys, cookies and last phase-1 block. */
void pair_assert_same_keys(struct pair *p);

#endif
