/*
 * Data-plane worker threads: one thread per NFQUEUE queue.
 *
 * A worker owns everything it touches on the packet path: its queue socket,
 * its receive/verdict buffers, its injection socket and its processor
 * context (crypto contexts, counters, snapshot epoch). Per batch it
 *
 *   1. waits for up to DP_NFQ_BATCH_MAX datagrams (one recvmmsg),
 *   2. calls proc->batch_begin (the processor picks up the current SA
 *      snapshot here),
 *   3. for each queued packet calls proc->packet, which decides ACCEPT
 *      (unchanged), REPLACE (writes the new packet straight into the
 *      verdict buffer) or DROP, and may queue extra packets on the inject
 *      socket,
 *   4. sends all verdicts in one send(), then the injected packets in one
 *      sendmmsg(),
 *   5. calls proc->batch_end (the processor announces it holds no snapshot
 *      reference any more).
 *
 * When no packet comes for DP_WORKER_IDLE_MS the worker still runs steps 2
 * and 5, so an idle worker never holds back the release of an old snapshot
 * for longer than that, and notices a stop request.
 *
 * No lock and no allocation per packet: all buffers are allocated by
 * dp_worker_init().
 */
#ifndef GVPN_DP_WORKER_H
#define GVPN_DP_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/inject.h"
#include "dp/io_nfq.h"

enum {
	DP_WORKER_IDLE_MS = 100,
	DP_WORKER_MAX = 64,
};

/* Which way a queued packet goes, from the netfilter hook it was queued at. */
enum dp_worker_dir {
	DP_WORKER_OUT = 1, /* mangle POSTROUTING on the crypto-map interface: encap */
	DP_WORKER_IN,      /* raw PREROUTING, ESP from the crypto-map interface: decap */
};

enum dp_worker_action {
	DP_WORKER_ACCEPT = 1, /* let the packet go on unchanged */
	DP_WORKER_REPLACE,    /* let p->out[0..p->out_len) go on instead */
	DP_WORKER_DROP,       /* drop it */
};

/* One queued packet as the processor sees it. */
struct dp_worker_pkt {
	enum dp_worker_dir dir;
	uint8_t *data;       /* the IPv4 packet (complete: the copy range is 0xffff);
			      * in the receive buffer, may be changed in place */
	size_t len;
	uint32_t mark;
	uint32_t indev, outdev; /* ifindexes, 0 when not known at that hook */
	uint8_t *out;           /* room for the replacement (in the verdict buffer) */
	size_t out_cap;         /* >= DP_NFQ_PAYLOAD_MAX + DP_NFQ_TX_SLACK: bytes after
				 * the replacement are scratch (e.g. fragments to inject) */
	size_t out_len;         /* set by the processor for DP_WORKER_REPLACE,
				 * 1..DP_NFQ_PAYLOAD_MAX */
	struct dp_inject *inject; /* the worker's injection socket */
};

/*
 * The packet processor: what the worker calls. ctx is the per-worker
 * context given to dp_worker_init (the processor's own state for this
 * thread). batch_begin/batch_end may be NULL.
 */
struct dp_worker_proc {
	void (*batch_begin)(void *ctx);
	enum dp_worker_action (*packet)(void *ctx, struct dp_worker_pkt *p);
	void (*batch_end)(void *ctx);
};

/* I/O-level counters of one worker (written by its thread only). */
enum dp_worker_stat {
	DP_WSTAT_BATCHES,       /* receive calls that returned packets */
	DP_WSTAT_DATAGRAMS,
	DP_WSTAT_PACKETS,       /* queued packets handled */
	DP_WSTAT_ACCEPT,        /* verdict accept, unchanged */
	DP_WSTAT_REPLACE,       /* verdict accept with a new payload */
	DP_WSTAT_DROP,          /* verdict drop */
	DP_WSTAT_TRUNCATED,     /* packet longer than its copy: dropped */
	DP_WSTAT_OTHER_HOOK,    /* queued at a hook we do not handle: accepted */
	DP_WSTAT_MALFORMED,     /* netlink messages that did not parse */
	DP_WSTAT_NL_ERRORS,     /* error replies from the kernel (e.g. to a verdict) */
	DP_WSTAT_RECV_ERRORS,
	DP_WSTAT_SEND_ERRORS,   /* verdict sends that failed */
	DP_WSTAT_INJECTED,      /* extra packets the kernel accepted */
	DP_WSTAT_INJECT_ERRORS, /* extra packets refused */
	DP_WSTAT_COUNT
};

/* Stable lower-case names ("batches", ...). */
const char *dp_worker_stat_name(enum dp_worker_stat s);

struct dp_worker_cfg {
	unsigned index;        /* 0.. (thread name gvpn-dp<index>) */
	uint16_t queue;        /* NFQUEUE number */
	unsigned batch;        /* datagrams per receive, 1..DP_NFQ_BATCH_MAX (0: max) */
	uint32_t inject_mark;  /* SO_MARK of the injection socket */
	const struct dp_worker_proc *proc;
	void *proc_ctx;
	/* Unit tests: no sockets; only dp_worker_handle() is usable. */
	bool no_sockets;
};

struct dp_worker {
	unsigned index;
	uint16_t queue;
	struct dp_io_nfq nfq;
	struct dp_io_nfq_batch batch;
	struct dp_inject inject;
	const struct dp_worker_proc *proc;
	void *proc_ctx;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	_Atomic uint64_t stat[DP_WSTAT_COUNT];
};

/*
 * Bind the queue, open the injection socket and allocate the buffers.
 * Returns 0, ERR_INVAL, ERR_NOMEM or ERR_IO (errno kept). On error nothing
 * is left open.
 */
int dp_worker_init(struct dp_worker *w, const struct dp_worker_cfg *cfg);

/* Start the thread (all signals blocked in it). 0 or ERR_IO. */
int dp_worker_start(struct dp_worker *w);

/* Ask the thread to stop and wait for it (at most about DP_WORKER_IDLE_MS). */
void dp_worker_stop(struct dp_worker *w);

/* Release what init acquired (stops the thread first if it runs). */
void dp_worker_fini(struct dp_worker *w);

/*
 * Handle every message of one received datagram: one verdict per packet
 * into w->batch (not sent). The thread calls this for each datagram of a
 * batch; unit tests call it directly with built messages. Returns the
 * number of packets handled.
 */
unsigned dp_worker_handle(struct dp_worker *w, const uint8_t *dgram, size_t len);

/* One iteration of the thread: receive, handle, send, inject. Returns the
 * number of datagrams, 0 on timeout, or ERR_IO (socket broken). */
int dp_worker_run_once(struct dp_worker *w);

/* Read one counter (any thread). */
uint64_t dp_worker_stat(const struct dp_worker *w, enum dp_worker_stat s);

#endif
