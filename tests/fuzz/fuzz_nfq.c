/*
 * libFuzzer target for the NFQUEUE netlink parser (dp/io_nfq) and the
 * worker's per-datagram handling (dp/worker with a pass-through processor,
 * no sockets), plus the /proc nfnetlink_queue line parser.
 *
 * Any input must parse without reading outside it; every packet's payload
 * must lie inside the input; the iterator must end; every handled packet
 * gets exactly one verdict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp/io_nfq.h"
#include "dp/worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Echo every packet back as its own replacement, drop every third. */
static enum dp_worker_action echo(void *ctx, struct dp_worker_pkt *p)
{
	unsigned *n = ctx;

	if (++*n % 3 == 0)
		return DP_WORKER_DROP;
	if (p->len > p->out_cap)
		abort();
	memcpy(p->out, p->data, p->len);
	p->out_len = p->len;
	return p->len ? DP_WORKER_REPLACE : DP_WORKER_ACCEPT;
}

static void parse_all(const uint8_t *data, size_t size)
{
	struct dp_nfq_iter it;
	struct dp_nfq_msg m;
	size_t rounds = 0;
	int rc;

	dp_io_nfq_iter_init(&it, data, size);
	while ((rc = dp_io_nfq_next(&it, &m)) > 0) {
		if (++rounds > size / 16 + 1)
			abort(); /* every message is at least 16 bytes */
		if (m.kind == DP_NFQ_MSG_PACKET && m.pkt.payload &&
		    (m.pkt.payload < data || m.pkt.payload + m.pkt.payload_len > data + size))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dp_worker w;
	static bool ready;
	static unsigned calls;
	static const struct dp_worker_proc proc = {.packet = echo};
	struct dp_io_nfq_kstats k;
	uint64_t before, after;
	unsigned n;

	if (!ready) {
		struct dp_worker_cfg cfg = {.proc = &proc, .proc_ctx = &calls, .batch = 4,
					    .no_sockets = true};

		if (dp_worker_init(&w, &cfg) != 0)
			abort();
		ready = true;
	}
	parse_all(data, size);
	before = dp_worker_stat(&w, DP_WSTAT_ACCEPT) + dp_worker_stat(&w, DP_WSTAT_REPLACE) +
		 dp_worker_stat(&w, DP_WSTAT_DROP);
	w.batch.tx_len = 0;
	w.batch.verdicts = 0;
	n = dp_worker_handle(&w, data, size);
	after = dp_worker_stat(&w, DP_WSTAT_ACCEPT) + dp_worker_stat(&w, DP_WSTAT_REPLACE) +
		dp_worker_stat(&w, DP_WSTAT_DROP);
	/* four slots of verdict room: beyond that packets are counted, not sent */
	if (n <= 4 && after - before != n)
		abort();
	(void)dp_io_nfq_kstats_parse((const char *)data, size, 8480, &k);
	return 0;
}
