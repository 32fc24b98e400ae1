/*
 * Worker thread: NFQUEUE batch in, processor per packet, verdicts and
 * injected packets out. See worker.h.
 */
#include "dp/worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

enum { ETHERTYPE_IPV4 = 0x0800 };

static const char *const stat_names[DP_WSTAT_COUNT] = {
	[DP_WSTAT_BATCHES] = "batches",
	[DP_WSTAT_DATAGRAMS] = "datagrams",
	[DP_WSTAT_PACKETS] = "packets",
	[DP_WSTAT_ACCEPT] = "accept",
	[DP_WSTAT_REPLACE] = "replace",
	[DP_WSTAT_DROP] = "drop",
	[DP_WSTAT_TRUNCATED] = "truncated",
	[DP_WSTAT_OTHER_HOOK] = "other_hook",
	[DP_WSTAT_MALFORMED] = "malformed",
	[DP_WSTAT_NL_ERRORS] = "nl_errors",
	[DP_WSTAT_RECV_ERRORS] = "recv_errors",
	[DP_WSTAT_SEND_ERRORS] = "send_errors",
	[DP_WSTAT_INJECTED] = "injected",
	[DP_WSTAT_INJECT_ERRORS] = "inject_errors",
};

const char *dp_worker_stat_name(enum dp_worker_stat s)
{
	return (unsigned)s < DP_WSTAT_COUNT ? stat_names[s] : "?";
}

/* Single writer: a relaxed load and store, no locked instruction. */
static void stat_add(struct dp_worker *w, enum dp_worker_stat s, uint64_t v)
{
	atomic_store_explicit(&w->stat[s],
			      atomic_load_explicit(&w->stat[s], memory_order_relaxed) + v,
			      memory_order_relaxed);
}

uint64_t dp_worker_stat(const struct dp_worker *w, enum dp_worker_stat s)
{
	return atomic_load_explicit(&w->stat[s], memory_order_relaxed);
}

int dp_worker_init(struct dp_worker *w, const struct dp_worker_cfg *cfg)
{
	struct dp_io_nfq_cfg qc = {.queue = cfg->queue, .recv_timeout_ms = DP_WORKER_IDLE_MS};
	int rc;

	memset(w, 0, sizeof *w);
	w->nfq.fd = -1;
	w->inject.fd = -1;
	if (!cfg->proc || !cfg->proc->packet)
		return ERR_INVAL;
	w->index = cfg->index;
	w->queue = cfg->queue;
	w->proc = cfg->proc;
	w->proc_ctx = cfg->proc_ctx;
	rc = dp_io_nfq_batch_init(&w->batch, cfg->batch ? cfg->batch : DP_NFQ_BATCH_MAX, 0);
	if (rc < 0 || cfg->no_sockets)
		return rc;
	rc = dp_inject_open(&w->inject, cfg->inject_mark, 0, 0);
	if (rc == 0)
		rc = dp_io_nfq_open(&w->nfq, &qc);
	if (rc < 0) {
		int saved = errno;

		dp_worker_fini(w);
		errno = saved;
	}
	return rc;
}

/* What the processor's answer means for the verdict. */
static void finish_verdict(struct dp_worker *w, enum dp_worker_action a, size_t out_len)
{
	switch (a) {
	case DP_WORKER_REPLACE:
		if (out_len > 0 && out_len <= DP_NFQ_PAYLOAD_MAX) {
			(void)dp_io_nfq_verdict_end(&w->batch, DP_NFQ_ACCEPT, out_len);
			stat_add(w, DP_WSTAT_REPLACE, 1);
			return;
		}
		/* an empty or oversized replacement is a processor bug: drop
		 * rather than send the original, which may be clear text */
		break;
	case DP_WORKER_ACCEPT:
		(void)dp_io_nfq_verdict_end(&w->batch, DP_NFQ_ACCEPT, 0);
		stat_add(w, DP_WSTAT_ACCEPT, 1);
		return;
	default:
		break;
	}
	(void)dp_io_nfq_verdict_end(&w->batch, DP_NFQ_DROP, 0);
	stat_add(w, DP_WSTAT_DROP, 1);
}

/* The verdict for a packet the processor never sees. */
static void quick_verdict(struct dp_worker *w, const struct dp_nfq_msg *m,
			  enum dp_nfq_verdict v, enum dp_worker_stat why)
{
	if (dp_io_nfq_verdict(&w->batch, m->pkt.queue, m->pkt.id, v) == 0)
		stat_add(w, v == DP_NFQ_ACCEPT ? DP_WSTAT_ACCEPT : DP_WSTAT_DROP, 1);
	stat_add(w, why, 1);
}

static void handle_packet(struct dp_worker *w, const struct dp_nfq_msg *m)
{
	struct dp_worker_pkt p = {0};
	enum dp_worker_action a;

	stat_add(w, DP_WSTAT_PACKETS, 1);
	if (m->pkt.truncated || !m->pkt.payload || m->pkt.hw_proto != ETHERTYPE_IPV4) {
		/* Nothing we could encrypt; never let it pass unprocessed. */
		quick_verdict(w, m, DP_NFQ_DROP, DP_WSTAT_TRUNCATED);
		return;
	}
	if (m->pkt.hook == DP_NFQ_HOOK_POST_ROUTING)
		p.dir = DP_WORKER_OUT;
	else if (m->pkt.hook == DP_NFQ_HOOK_PRE_ROUTING)
		p.dir = DP_WORKER_IN;
	else {
		/* Only our rules queue to these queues, at these two hooks. */
		quick_verdict(w, m, DP_NFQ_ACCEPT, DP_WSTAT_OTHER_HOOK);
		return;
	}
	p.out = dp_io_nfq_verdict_begin(&w->batch, m->pkt.queue, m->pkt.id, DP_NFQ_PAYLOAD_MAX);
	if (!p.out) {
		/* cannot happen: the buffer holds a full batch of maximal verdicts */
		stat_add(w, DP_WSTAT_SEND_ERRORS, 1);
		return;
	}
	/* The receive buffer is ours: the processor may edit the packet. */
	p.data = (uint8_t *)(uintptr_t)m->pkt.payload;
	p.len = m->pkt.payload_len;
	p.mark = m->pkt.mark;
	p.indev = m->pkt.indev;
	p.outdev = m->pkt.outdev;
	p.out_cap = dp_io_nfq_verdict_room(&w->batch);
	p.inject = &w->inject;
	a = w->proc->packet(w->proc_ctx, &p);
	finish_verdict(w, a, p.out_len);
}

unsigned dp_worker_handle(struct dp_worker *w, const uint8_t *dgram, size_t len)
{
	struct dp_nfq_iter it;
	struct dp_nfq_msg m;
	unsigned n = 0;
	int rc;

	dp_io_nfq_iter_init(&it, dgram, len);
	while ((rc = dp_io_nfq_next(&it, &m)) > 0) {
		if (m.kind == DP_NFQ_MSG_PACKET) {
			handle_packet(w, &m);
			n++;
		} else if (m.kind == DP_NFQ_MSG_ERROR && m.error != 0) {
			stat_add(w, DP_WSTAT_NL_ERRORS, 1);
		}
	}
	if (rc < 0)
		stat_add(w, DP_WSTAT_MALFORMED, 1);
	return n;
}

static void send_out(struct dp_worker *w)
{
	uint64_t before = w->inject.errors;
	int n;

	if (dp_io_nfq_flush(&w->nfq, &w->batch) < 0)
		stat_add(w, DP_WSTAT_SEND_ERRORS, 1);
	if (w->inject.n == 0)
		return;
	n = dp_inject_flush(&w->inject);
	if (n > 0)
		stat_add(w, DP_WSTAT_INJECTED, (uint64_t)n);
	stat_add(w, DP_WSTAT_INJECT_ERRORS, w->inject.errors - before);
}

int dp_worker_run_once(struct dp_worker *w)
{
	int n = dp_io_nfq_recv(&w->nfq, &w->batch);
	int saved = errno;

	if (w->proc->batch_begin)
		w->proc->batch_begin(w->proc_ctx);
	if (n < 0)
		stat_add(w, DP_WSTAT_RECV_ERRORS, 1);
	for (int i = 0; i < n; i++) {
		size_t len;
		const uint8_t *d = dp_io_nfq_datagram(&w->batch, (unsigned)i, &len);

		dp_worker_handle(w, d, len);
	}
	if (n > 0) {
		stat_add(w, DP_WSTAT_BATCHES, 1);
		stat_add(w, DP_WSTAT_DATAGRAMS, (uint64_t)n);
		send_out(w);
	}
	if (w->proc->batch_end)
		w->proc->batch_end(w->proc_ctx);
	errno = saved;
	return n;
}

static void *worker_main(void *arg)
{
	struct dp_worker *w = arg;
	char name[16];

	snprintf(name, sizeof name, "gvpn-dp%u", w->index);
	pthread_setname_np(pthread_self(), name);
	while (!atomic_load_explicit(&w->stop, memory_order_acquire)) {
		/* only a closed socket ends the loop; anything else is counted */
		if (dp_worker_run_once(w) < 0 && (errno == EBADF || errno == ENOTSOCK))
			break;
	}
	return NULL;
}

int dp_worker_start(struct dp_worker *w)
{
	sigset_t all, old;
	int e;

	if (w->nfq.fd < 0 || w->started)
		return ERR_STATE;
	atomic_store(&w->stop, false);
	/* Signals belong to the daemon's main thread, not to workers. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		return ERR_IO;
	}
	w->started = true;
	return 0;
}

void dp_worker_stop(struct dp_worker *w)
{
	if (!w->started)
		return;
	atomic_store_explicit(&w->stop, true, memory_order_release);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void dp_worker_fini(struct dp_worker *w)
{
	dp_worker_stop(w);
	dp_io_nfq_close(&w->nfq);
	dp_inject_close(&w->inject);
	dp_io_nfq_batch_free(&w->batch);
}
