/*
 * dp/worker: per-datagram handling with a trivial processor and no sockets.
 * Datagrams are built as the kernel sends them; the verdicts the worker
 * writes are read back from its transmit buffer.
 */
#include "test.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "dp/worker.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- a kernel-like packet message ---- */

static size_t put_attr(uint8_t *p, uint16_t type, const void *v, size_t len)
{
	uint16_t alen = (uint16_t)(4 + len);

	memcpy(p, &alen, 2);
	memcpy(p + 2, &type, 2);
	memcpy(p + 4, v, len);
	memset(p + alen, 0, (4u - alen % 4u) % 4u);
	return (alen + 3u) & ~3u;
}

/* One NFQNL_MSG_PACKET for queue 3; cap_len > len marks a truncated copy. */
static size_t build(uint8_t *buf, uint32_t id, uint8_t hook, uint16_t proto, const uint8_t *pkt,
		    size_t len, uint32_t cap_len)
{
	uint16_t type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	uint8_t hdr[7], be[4];
	size_t pos = 20;
	uint32_t total;

	memset(buf, 0, 20);
	memcpy(buf + 4, &type, 2);
	buf[16] = AF_UNSPEC;
	buf_store_u16(buf + 18, 3);
	buf_store_u32(hdr, id);
	buf_store_u16(hdr + 4, proto);
	hdr[6] = hook;
	pos += put_attr(buf + pos, NFQA_PACKET_HDR, hdr, sizeof hdr);
	buf_store_u32(be, 5);
	pos += put_attr(buf + pos, hook == 0 ? NFQA_IFINDEX_INDEV : NFQA_IFINDEX_OUTDEV, be, 4);
	if (cap_len) {
		buf_store_u32(be, cap_len);
		pos += put_attr(buf + pos, NFQA_CAP_LEN, be, 4);
	}
	pos += put_attr(buf + pos, NFQA_PAYLOAD, pkt, len);
	total = (uint32_t)pos;
	memcpy(buf, &total, 4);
	return pos;
}

/* ---- the trivial processor: what it saw, what it answers ---- */

struct seen {
	unsigned begins, ends, packets;
	enum dp_worker_dir dir;
	uint32_t indev, outdev;
	size_t len;
	enum dp_worker_action answer;
	size_t out_len; /* for REPLACE: reversed copy of the first out_len bytes */
};

static void begin(void *ctx)
{
	((struct seen *)ctx)->begins++;
}

static void end(void *ctx)
{
	((struct seen *)ctx)->ends++;
}

static enum dp_worker_action packet(void *ctx, struct dp_worker_pkt *p)
{
	struct seen *s = ctx;

	s->packets++;
	s->dir = p->dir;
	s->indev = p->indev;
	s->outdev = p->outdev;
	s->len = p->len;
	assert_true(p->out_cap >= DP_NFQ_PAYLOAD_MAX);
	assert_non_null(p->inject);
	for (size_t i = 0; i < s->out_len && i < p->len; i++)
		p->out[i] = p->data[p->len - 1 - i];
	p->out_len = s->out_len;
	return s->answer;
}

static const struct dp_worker_proc proc = {
    .batch_begin = begin, .packet = packet, .batch_end = end};

struct fixture {
	struct dp_worker w;
	struct seen s;
	uint8_t dgram[2048];
	uint8_t ip[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct dp_worker_cfg cfg = {.proc = &proc, .batch = 4, .no_sockets = true};

	assert_non_null(f);
	cfg.proc_ctx = &f->s;
	assert_int_equal(dp_worker_init(&f->w, &cfg), 0);
	for (size_t i = 0; i < sizeof f->ip; i++)
		f->ip[i] = (uint8_t)i;
	f->ip[0] = 0x45;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dp_worker_fini(&f->w);
	free(f);
	return 0;
}

/* The only verdict in the transmit buffer. */
static void one_verdict(struct fixture *f, uint32_t id, uint32_t verdict, size_t payload_len)
{
	const uint8_t *h = f->w.batch.tx;
	uint32_t len;
	uint16_t alen, type;

	assert_int_equal(f->w.batch.verdicts, 1);
	memcpy(&len, h, 4);
	assert_int_equal(f->w.batch.tx_len, (len + 3u) & ~3u);
	assert_int_equal(buf_load_u16(h + 18), 3);
	assert_int_equal(buf_load_u32(h + 24), verdict);
	assert_int_equal(buf_load_u32(h + 28), id);
	if (payload_len == 0) {
		assert_int_equal(len, 32);
	} else {
		memcpy(&alen, h + 32, 2);
		memcpy(&type, h + 34, 2);
		assert_int_equal(type, NFQA_PAYLOAD);
		assert_int_equal(alen, 4 + payload_len);
	}
	f->w.batch.tx_len = 0;
	f->w.batch.verdicts = 0;
}

static void test_encap_hook_replace(void **state)
{
	struct fixture *f = *state;
	size_t n = build(f->dgram, 77, 4, 0x0800, f->ip, sizeof f->ip, 0);

	f->s.answer = DP_WORKER_REPLACE;
	f->s.out_len = 40;
	assert_int_equal(dp_worker_handle(&f->w, f->dgram, n), 1);
	assert_int_equal(f->s.dir, DP_WORKER_OUT);
	assert_int_equal(f->s.outdev, 5);
	assert_int_equal(f->s.len, sizeof f->ip);
	one_verdict(f, 77, NF_ACCEPT, 40);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_REPLACE), 1);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_PACKETS), 1);
}

static void test_decap_hook_accept_and_drop(void **state)
{
	struct fixture *f = *state;
	size_t n = build(f->dgram, 1, 0, 0x0800, f->ip, sizeof f->ip, 0);

	f->s.answer = DP_WORKER_ACCEPT;
	dp_worker_handle(&f->w, f->dgram, n);
	assert_int_equal(f->s.dir, DP_WORKER_IN);
	assert_int_equal(f->s.indev, 5);
	one_verdict(f, 1, NF_ACCEPT, 0);
	f->s.answer = DP_WORKER_DROP;
	dp_worker_handle(&f->w, f->dgram, n);
	one_verdict(f, 1, NF_DROP, 0);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_ACCEPT), 1);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_DROP), 1);
}

/* A processor that asks to replace with nothing gets a drop, never the
 * (possibly clear) original. */
static void test_empty_replacement_drops(void **state)
{
	struct fixture *f = *state;
	size_t n = build(f->dgram, 9, 4, 0x0800, f->ip, sizeof f->ip, 0);

	f->s.answer = DP_WORKER_REPLACE;
	f->s.out_len = 0;
	dp_worker_handle(&f->w, f->dgram, n);
	one_verdict(f, 9, NF_DROP, 0);
}

/* Packets the processor must not see: truncated copy, not IPv4, other hook. */
static void test_unprocessed_packets(void **state)
{
	struct fixture *f = *state;
	size_t n;

	f->s.answer = DP_WORKER_ACCEPT;
	n = build(f->dgram, 2, 4, 0x0800, f->ip, 20, 1500);
	dp_worker_handle(&f->w, f->dgram, n);
	one_verdict(f, 2, NF_DROP, 0);
	n = build(f->dgram, 3, 4, 0x86dd, f->ip, 40, 0);
	dp_worker_handle(&f->w, f->dgram, n);
	one_verdict(f, 3, NF_DROP, 0);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_TRUNCATED), 2);
	n = build(f->dgram, 4, 2, 0x0800, f->ip, 40, 0); /* FORWARD */
	dp_worker_handle(&f->w, f->dgram, n);
	one_verdict(f, 4, NF_ACCEPT, 0);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_OTHER_HOOK), 1);
	assert_int_equal(f->s.packets, 0);
}

static void test_malformed_and_errors_counted(void **state)
{
	struct fixture *f = *state;
	size_t n = build(f->dgram, 5, 4, 0x0800, f->ip, sizeof f->ip, 0);
	uint8_t err[36] = {0};
	uint32_t len = 36;
	uint16_t type = NLMSG_ERROR;
	int32_t e = -2;

	assert_int_equal(dp_worker_handle(&f->w, f->dgram, n - 4), 0);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_MALFORMED), 1);
	assert_int_equal(f->w.batch.verdicts, 0);
	memcpy(err, &len, 4);
	memcpy(err + 4, &type, 2);
	memcpy(err + 16, &e, 4);
	assert_int_equal(dp_worker_handle(&f->w, err, sizeof err), 0);
	assert_int_equal(dp_worker_stat(&f->w, DP_WSTAT_NL_ERRORS), 1);
	assert_string_equal(dp_worker_stat_name(DP_WSTAT_NL_ERRORS), "nl_errors");
	assert_string_equal(dp_worker_stat_name(DP_WSTAT_COUNT), "?");
}

static void test_no_processor_refused(void **state)
{
	struct dp_worker w;
	struct dp_worker_proc none = {0};
	struct dp_worker_cfg cfg = {.proc = &none, .no_sockets = true};

	(void)state;
	assert_int_equal(dp_worker_init(&w, &cfg), ERR_INVAL);
	dp_worker_fini(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_encap_hook_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decap_hook_accept_and_drop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_replacement_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unprocessed_packets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_and_errors_counted, setup, teardown),
	    TEST(test_no_processor_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
