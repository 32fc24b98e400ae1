/*
 * In-memory network simulator for the sans-I/O engines.
 *
 * A struct sim holds a fake clock, a seeded RNG and a set of nodes, each
 * wrapping one engine through three callbacks (input, tick, next deadline).
 * Engines send by calling sim_send() from their output callback; datagrams
 * travel with a random delay (which also reorders them), may be lost or
 * duplicated, and are delivered in time order. Everything is deterministic
 * for a given seed, which tests print so a failure can be replayed.
 *
 * Time only moves inside sim_run_*(): to the next datagram arrival or the
 * earliest engine deadline, whichever comes first.
 */
#ifndef GVPN_SIM_H
#define GVPN_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rng.h"
#include "util/clock.h"

struct sim;
struct sim_node;

struct sim_node_ops {
	/* A datagram for this node arrived. */
	void (*input)(void *engine, uint64_t now, uint32_t src_addr, uint16_t src_port,
		      uint32_t dst_addr, uint16_t dst_port, const uint8_t *p, size_t len);
	/* The deadline returned by next_deadline has come. */
	void (*tick)(void *engine, uint64_t now);
	/* Earliest time the engine wants tick(); CLOCK_NEVER for none. */
	uint64_t (*next_deadline)(void *engine);
};

struct sim_link {
	double loss;        /* probability a datagram is dropped, 0..1 */
	double duplicate;   /* probability a delivered datagram arrives twice */
	uint64_t delay_min_ns;
	uint64_t delay_max_ns; /* uniform in [min, max]; a spread reorders */
};

struct sim_stats {
	uint64_t sent, delivered, lost, duplicated, to_down_node, events;
};

/* New simulator at time start_ns with the given seed and default link. */
struct sim *sim_new(uint64_t seed, uint64_t start_ns, const struct sim_link *dflt);
void sim_free(struct sim *s);

uint64_t sim_now(const struct sim *s);
const struct clock *sim_clock(struct sim *s); /* fake clock following sim time */
struct crypto_rng *sim_rng(struct sim *s);      /* seeded stream for engines */
uint64_t sim_seed(const struct sim *s);
const struct sim_stats *sim_stats(const struct sim *s);

/* Add a node owning IPv4 address addr (host byte order). */
struct sim_node *sim_node_add(struct sim *s, uint32_t addr, const struct sim_node_ops *ops,
			      void *engine);
struct sim_node *sim_node_find(struct sim *s, uint32_t addr);
/* Swap the engine of a node (a restarted process); deadlines are re-read. */
void sim_node_set_engine(struct sim_node *n, void *engine);
/* A down node gets no datagrams (they are dropped) and no ticks. */
void sim_node_set_up(struct sim_node *n, bool up);
/* Per-node override of the link parameters for datagrams sent TO it. */
void sim_node_set_link(struct sim_node *n, const struct sim_link *l);
/* Tell the simulator the node's deadline may have changed (after a command). */
void sim_node_touch(struct sim_node *n);
/* Join / leave a multicast group address (each member gets its own copy). */
void sim_node_join(struct sim_node *n, uint32_t group);

/* Send a datagram (called from an engine's output callback). Copies bytes. */
void sim_send(struct sim *s, uint32_t src_addr, uint16_t src_port, uint32_t dst_addr,
	      uint16_t dst_port, const void *p, size_t len);

/* Run until time t (inclusive). */
void sim_run_until(struct sim *s, uint64_t t);
/*
 * Run until cond(arg) is true (checked after every event) or time t.
 * Returns true when the condition was met.
 */
bool sim_run_until_cond(struct sim *s, uint64_t t, bool (*cond)(void *arg), void *arg);

#endif
