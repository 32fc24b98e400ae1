/*
 * dp/io_nfq: the NFQUEUE netlink message parser, the verdict builder and
 * the /proc/net/netfilter/nfnetlink_queue reader. No socket is opened:
 * messages are built here byte by byte, as the kernel lays them out
 * (linux/netfilter/nfnetlink_queue.h, host-order netlink headers,
 * big-endian NFQUEUE values).
 */
#include "test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>

#include "dp/io_nfq.h"
#include "util/buf.h"
#include "util/err.h"

#define PKT_TYPE ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)
#define VERDICT_TYPE ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT)

/* A tiny message writer: netlink header, nfgenmsg, attributes. */
struct mb {
	uint8_t buf[4096];
	size_t len;   /* whole datagram */
	size_t start; /* current message */
};

static void mb_u16h(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void mb_u32h(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void mb_begin(struct mb *m, uint16_t type, uint16_t queue)
{
	m->start = m->len;
	memset(m->buf + m->len, 0, 20);
	mb_u16h(m->buf + m->len + 4, type);
	m->buf[m->len + 16] = AF_UNSPEC;
	m->buf[m->len + 17] = NFNETLINK_V0;
	buf_store_u16(m->buf + m->len + 18, queue);
	m->len += 20;
}

static void mb_attr(struct mb *m, uint16_t type, const void *v, size_t len)
{
	size_t alen = 4 + len;

	mb_u16h(m->buf + m->len, (uint16_t)alen);
	mb_u16h(m->buf + m->len + 2, type);
	memcpy(m->buf + m->len + 4, v, len);
	memset(m->buf + m->len + alen, 0, (4 - alen % 4) % 4);
	m->len += (alen + 3) & ~(size_t)3;
}

static void mb_attr_be32(struct mb *m, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	buf_store_u32(b, v);
	mb_attr(m, type, b, 4);
}

static void mb_pkt_hdr(struct mb *m, uint32_t id, uint16_t proto, uint8_t hook)
{
	uint8_t h[7];

	buf_store_u32(h, id);
	buf_store_u16(h + 4, proto);
	h[6] = hook;
	mb_attr(m, NFQA_PACKET_HDR, h, sizeof h);
}

static void mb_end(struct mb *m)
{
	mb_u32h(m->buf + m->start, (uint32_t)(m->len - m->start));
}

/* A packet message as the kernel sends one at mangle POSTROUTING. */
static void mb_packet(struct mb *m, uint16_t queue, uint32_t id, uint8_t hook,
		      const uint8_t *payload, size_t len)
{
	mb_begin(m, PKT_TYPE, queue);
	mb_pkt_hdr(m, id, 0x0800, hook);
	mb_attr_be32(m, NFQA_MARK, 0x11);
	mb_attr_be32(m, NFQA_IFINDEX_OUTDEV, 7);
	mb_attr_be32(m, NFQA_SKB_INFO, 0);
	mb_attr(m, NFQA_PAYLOAD, payload, len);
	mb_end(m);
}

static const uint8_t ip_pkt[] = {0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 17, 0, 0,
				 192, 168, 13, 2, 192, 168, 14, 2,
				 0x30, 0x39, 0x30, 0x39, 0, 8, 0, 0};

static int parse_one(const struct mb *m, struct dp_nfq_msg *msg)
{
	struct dp_nfq_iter it;

	dp_io_nfq_iter_init(&it, m->buf, m->len);
	return dp_io_nfq_next(&it, msg);
}

static void test_packet_fields(void **state)
{
	struct mb m = {0};
	struct dp_nfq_msg msg;

	(void)state;
	mb_packet(&m, 8480, 0xdeadbeef, 4, ip_pkt, sizeof ip_pkt);
	assert_int_equal(parse_one(&m, &msg), 1);
	assert_int_equal(msg.kind, DP_NFQ_MSG_PACKET);
	assert_int_equal(msg.pkt.queue, 8480);
	assert_int_equal(msg.pkt.id, 0xdeadbeef);
	assert_int_equal(msg.pkt.hw_proto, 0x0800);
	assert_int_equal(msg.pkt.hook, DP_NFQ_HOOK_POST_ROUTING);
	assert_int_equal(msg.pkt.mark, 0x11);
	assert_int_equal(msg.pkt.outdev, 7);
	assert_int_equal(msg.pkt.indev, 0);
	assert_int_equal(msg.pkt.payload_len, sizeof ip_pkt);
	assert_memory_equal(msg.pkt.payload, ip_pkt, sizeof ip_pkt);
	assert_int_equal(msg.pkt.cap_len, sizeof ip_pkt);
	assert_false(msg.pkt.truncated);
}

static void test_several_messages_in_one_datagram(void **state)
{
	struct mb m = {0};
	struct dp_nfq_iter it;
	struct dp_nfq_msg msg;

	(void)state;
	mb_packet(&m, 1, 10, 0, ip_pkt, 21); /* 21 bytes: attribute padding */
	mb_packet(&m, 1, 11, 4, ip_pkt, sizeof ip_pkt);
	dp_io_nfq_iter_init(&it, m.buf, m.len);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 1);
	assert_int_equal(msg.pkt.id, 10);
	assert_int_equal(msg.pkt.payload_len, 21);
	assert_int_equal(msg.pkt.hook, DP_NFQ_HOOK_PRE_ROUTING);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 1);
	assert_int_equal(msg.pkt.id, 11);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 0);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 0);
}

static void test_cap_len_marks_truncation(void **state)
{
	struct mb m = {0};
	struct dp_nfq_msg msg;

	(void)state;
	mb_begin(&m, PKT_TYPE, 0);
	mb_pkt_hdr(&m, 5, 0x0800, 4);
	mb_attr(&m, NFQA_PAYLOAD, ip_pkt, 20);
	mb_attr_be32(&m, NFQA_CAP_LEN, 1500);
	mb_end(&m);
	assert_int_equal(parse_one(&m, &msg), 1);
	assert_int_equal(msg.pkt.cap_len, 1500);
	assert_true(msg.pkt.truncated);
}

static void test_error_and_other(void **state)
{
	struct mb m = {0};
	struct dp_nfq_iter it;
	struct dp_nfq_msg msg;
	int32_t e = -ENOENT;

	(void)state;
	/* NLMSG_ERROR: int error, then the request header (seq at +8) */
	memset(m.buf, 0, 36);
	mb_u32h(m.buf, 36);
	mb_u16h(m.buf + 4, NLMSG_ERROR);
	memcpy(m.buf + 16, &e, 4);
	mb_u32h(m.buf + 16 + 4 + 8, 77);
	m.len = 36;
	/* NLMSG_NOOP */
	memset(m.buf + 36, 0, 16);
	mb_u32h(m.buf + 36, 16);
	mb_u16h(m.buf + 40, NLMSG_NOOP);
	m.len += 16;
	dp_io_nfq_iter_init(&it, m.buf, m.len);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 1);
	assert_int_equal(msg.kind, DP_NFQ_MSG_ERROR);
	assert_int_equal(msg.error, -ENOENT);
	assert_int_equal(msg.err_seq, 77);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 1);
	assert_int_equal(msg.kind, DP_NFQ_MSG_OTHER);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 0);
}

/* Each malformation, and that the iterator stops after it. */
static void expect_bad(struct mb *m, int code)
{
	struct dp_nfq_iter it;
	struct dp_nfq_msg msg;

	dp_io_nfq_iter_init(&it, m->buf, m->len);
	assert_int_equal(dp_io_nfq_next(&it, &msg), code);
	assert_int_equal(dp_io_nfq_next(&it, &msg), 0);
}

static void test_malformed(void **state)
{
	struct mb m = {0};

	(void)state;
	/* datagram shorter than a netlink header */
	m.len = 10;
	expect_bad(&m, ERR_TRUNCATED);
	/* nlmsg_len below the header size */
	mb_packet(&m, 0, 1, 4, ip_pkt, sizeof ip_pkt);
	m.len = 0;
	mb_packet(&m, 0, 1, 4, ip_pkt, sizeof ip_pkt);
	mb_u32h(m.buf, 8);
	expect_bad(&m, ERR_BADLEN);
	/* nlmsg_len beyond the datagram */
	mb_u32h(m.buf, (uint32_t)m.len + 4);
	expect_bad(&m, ERR_TRUNCATED);
	/* attribute running past the message */
	m.len = 0;
	mb_packet(&m, 0, 1, 4, ip_pkt, sizeof ip_pkt);
	mb_u16h(m.buf + 20, 200);
	expect_bad(&m, ERR_TRUNCATED);
	/* attribute length below 4 */
	mb_u16h(m.buf + 20, 2);
	expect_bad(&m, ERR_BADLEN);
	/* packet header too short */
	m.len = 0;
	mb_begin(&m, PKT_TYPE, 0);
	mb_attr(&m, NFQA_PACKET_HDR, ip_pkt, 6);
	mb_end(&m);
	expect_bad(&m, ERR_BADLEN);
	/* u32 attribute of the wrong size */
	m.len = 0;
	mb_begin(&m, PKT_TYPE, 0);
	mb_pkt_hdr(&m, 1, 0x0800, 4);
	mb_attr(&m, NFQA_MARK, ip_pkt, 3);
	mb_end(&m);
	expect_bad(&m, ERR_BADLEN);
	/* no packet header */
	m.len = 0;
	mb_begin(&m, PKT_TYPE, 0);
	mb_attr(&m, NFQA_PAYLOAD, ip_pkt, sizeof ip_pkt);
	mb_end(&m);
	expect_bad(&m, ERR_PROTO);
	/* payload twice: which one would the verdict be about? */
	m.len = 0;
	mb_begin(&m, PKT_TYPE, 0);
	mb_pkt_hdr(&m, 1, 0x0800, 4);
	mb_attr(&m, NFQA_PAYLOAD, ip_pkt, 20);
	mb_attr(&m, NFQA_PAYLOAD, ip_pkt, 20);
	mb_end(&m);
	expect_bad(&m, ERR_PROTO);
	/* packet message without room for nfgenmsg */
	m.len = 0;
	memset(m.buf, 0, 16);
	mb_u32h(m.buf, 18);
	mb_u16h(m.buf + 4, PKT_TYPE);
	m.len = 18;
	expect_bad(&m, ERR_BADLEN);
}

static void test_unknown_attributes_are_skipped(void **state)
{
	struct mb m = {0};
	struct dp_nfq_msg msg;
	uint8_t ts[16] = {0};

	(void)state;
	mb_begin(&m, PKT_TYPE, 3);
	mb_attr(&m, NFQA_TIMESTAMP, ts, sizeof ts);
	mb_attr(&m, 200, ts, 5);
	mb_pkt_hdr(&m, 9, 0x0800, 0);
	mb_attr(&m, NFQA_PAYLOAD, ip_pkt, sizeof ip_pkt);
	mb_end(&m);
	assert_int_equal(parse_one(&m, &msg), 1);
	assert_int_equal(msg.pkt.id, 9);
	assert_int_equal(msg.pkt.payload_len, sizeof ip_pkt);
}

/* Walk the verdict messages in a batch's transmit buffer. */
struct verdict {
	uint16_t type, flags, queue;
	uint32_t verdict, id;
	const uint8_t *payload;
	size_t payload_len;
};

static size_t read_verdict(const uint8_t *p, size_t left, struct verdict *v)
{
	uint32_t len;
	size_t pos = 20;

	memset(v, 0, sizeof v[0]);
	assert_true(left >= 20);
	memcpy(&len, p, 4);
	assert_true(len <= left && len >= 32);
	memcpy(&v->type, p + 4, 2);
	memcpy(&v->flags, p + 6, 2);
	v->queue = buf_load_u16(p + 18);
	while (pos < len) {
		uint16_t alen, type;

		memcpy(&alen, p + pos, 2);
		memcpy(&type, p + pos + 2, 2);
		if (type == NFQA_VERDICT_HDR) {
			assert_int_equal(alen, 12);
			v->verdict = buf_load_u32(p + pos + 4);
			v->id = buf_load_u32(p + pos + 8);
		} else if (type == NFQA_PAYLOAD) {
			v->payload = p + pos + 4;
			v->payload_len = alen - 4u;
		}
		pos += (alen + 3u) & ~3u;
	}
	assert_int_equal(pos, len);
	return (len + 3u) & ~3u;
}

static void test_verdicts_concatenate(void **state)
{
	struct dp_io_nfq_batch b;
	struct verdict v;
	uint8_t *out;
	size_t pos = 0;

	(void)state;
	assert_int_equal(dp_io_nfq_batch_init(&b, 2, 0), 0);
	/* a replacement payload of odd length, written into the buffer */
	out = dp_io_nfq_verdict_begin(&b, 8481, 42, 100);
	assert_non_null(out);
	memcpy(out, ip_pkt, 23);
	/* a second begin before end is refused */
	assert_null(dp_io_nfq_verdict_begin(&b, 8481, 43, 0));
	assert_int_equal(dp_io_nfq_verdict_end(&b, DP_NFQ_ACCEPT, 23), 0);
	assert_int_equal(dp_io_nfq_verdict_end(&b, DP_NFQ_ACCEPT, 0), ERR_STATE);
	assert_int_equal(dp_io_nfq_verdict(&b, 8481, 43, DP_NFQ_DROP), 0);
	assert_int_equal(b.verdicts, 2);

	pos += read_verdict(b.tx + pos, b.tx_len - pos, &v);
	assert_int_equal(v.type, VERDICT_TYPE);
	assert_int_equal(v.flags, NLM_F_REQUEST);
	assert_int_equal(v.queue, 8481);
	assert_int_equal(v.verdict, DP_NFQ_ACCEPT);
	assert_int_equal(v.id, 42);
	assert_int_equal(v.payload_len, 23);
	assert_memory_equal(v.payload, ip_pkt, 23);
	pos += read_verdict(b.tx + pos, b.tx_len - pos, &v);
	assert_int_equal(v.verdict, DP_NFQ_DROP);
	assert_int_equal(v.id, 43);
	assert_null(v.payload);
	assert_int_equal(pos, b.tx_len);
	dp_io_nfq_batch_free(&b);
}

static void test_batch_holds_maximal_verdicts(void **state)
{
	struct dp_io_nfq_batch b;

	(void)state;
	assert_int_equal(dp_io_nfq_batch_init(&b, DP_NFQ_BATCH_MAX, 0), 0);
	for (unsigned i = 0; i < DP_NFQ_BATCH_MAX; i++) {
		uint8_t *out = dp_io_nfq_verdict_begin(&b, 0, i, DP_NFQ_PAYLOAD_MAX);

		assert_non_null(out);
		assert_true(dp_io_nfq_verdict_room(&b) >= DP_NFQ_PAYLOAD_MAX + DP_NFQ_TX_SLACK);
		out[0] = 0x45;
		assert_int_equal(dp_io_nfq_verdict_end(&b, DP_NFQ_ACCEPT, DP_NFQ_PAYLOAD_MAX), 0);
	}
	/* full: the next one does not fit (the slack is never handed out as a
	 * verdict), a payload cannot exceed 64 KiB */
	assert_null(dp_io_nfq_verdict_begin(&b, 0, 99, 0));
	assert_int_equal(dp_io_nfq_verdict_room(&b), 0);
	dp_io_nfq_batch_free(&b);
	assert_int_equal(dp_io_nfq_batch_init(&b, 1, 0), 0);
	assert_null(dp_io_nfq_verdict_begin(&b, 0, 1, DP_NFQ_PAYLOAD_MAX + 1));
	assert_non_null(dp_io_nfq_verdict_begin(&b, 0, 1, 10));
	assert_int_equal(dp_io_nfq_verdict_end(&b, DP_NFQ_ACCEPT, DP_NFQ_PAYLOAD_MAX + 1),
			 ERR_INVAL);
	dp_io_nfq_batch_free(&b);
	assert_int_equal(dp_io_nfq_batch_init(&b, 0, 0), ERR_INVAL);
	assert_int_equal(dp_io_nfq_batch_init(&b, DP_NFQ_BATCH_MAX + 1, 0), ERR_INVAL);
}

/* The kernel's format: "%5u %6u %5u %1u %5u %5u %5u %8u %2d\n". */
static const char proc_text[] =
	"    0   1234     0 2 65535     0     0        9  1\n"
	" 8480 3735928     5 2 65535    17     3   120443  1\n";

static void test_kstats(void **state)
{
	struct dp_io_nfq_kstats k;

	(void)state;
	assert_int_equal(dp_io_nfq_kstats_parse(proc_text, strlen(proc_text), 8480, &k), 0);
	assert_int_equal(k.queue, 8480);
	assert_int_equal(k.portid, 3735928);
	assert_int_equal(k.queued, 5);
	assert_int_equal(k.queue_dropped, 17);
	assert_int_equal(k.user_dropped, 3);
	assert_int_equal(k.id_sequence, 120443);
	assert_int_equal(dp_io_nfq_kstats_parse(proc_text, strlen(proc_text), 0, &k), 0);
	assert_int_equal(k.id_sequence, 9);
	assert_int_equal(dp_io_nfq_kstats_parse(proc_text, strlen(proc_text), 1, &k),
			 ERR_NOTFOUND);
	assert_int_equal(dp_io_nfq_kstats_parse("", 0, 1, &k), ERR_NOTFOUND);
	assert_int_equal(dp_io_nfq_kstats_parse("1 2 x\n", 6, 1, &k), ERR_SYNTAX);
	assert_int_equal(dp_io_nfq_kstats_parse("1 2 -3 4 5 6 7 8 9\n", 19, 1, &k), ERR_SYNTAX);
	assert_int_equal(dp_io_nfq_kstats_parse("1 2 3 4 5 6 7 8 99999999999999999999999\n",
						41, 1, &k),
			 ERR_SYNTAX);
}

/* The last field touching the end of an unterminated buffer ends there. */
static void test_kstats_unterminated(void **state)
{
	static const char line[] = "7 1 2 3 4 5 6 42";
	char *buf = malloc(sizeof(line) - 1);
	struct dp_io_nfq_kstats k;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, line, sizeof(line) - 1);
	assert_int_equal(dp_io_nfq_kstats_parse(buf, sizeof(line) - 1, 7, &k), 0);
	assert_int_equal(k.id_sequence, 42);
	assert_int_equal(dp_io_nfq_kstats_parse(buf, sizeof(line) - 2, 7, &k), 0);
	assert_int_equal(k.id_sequence, 4);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_packet_fields),
		TEST(test_several_messages_in_one_datagram),
		TEST(test_cap_len_marks_truncation),
		TEST(test_error_and_other),
		TEST(test_malformed),
		TEST(test_unknown_attributes_are_skipped),
		TEST(test_verdicts_concatenate),
		TEST(test_batch_holds_maximal_verdicts),
		TEST(test_kstats),
		TEST(test_kstats_unterminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
