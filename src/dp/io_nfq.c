/*
 * NFQUEUE over netlink: message parser, queue configuration, batched
 * receive and concatenated verdicts. See io_nfq.h and docs/dataplane.md.
 */
#include "dp/io_nfq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"

/* nfnetlink message types of the queue subsystem. */
#define NFQ_TYPE(msg) ((uint16_t)((NFNL_SUBSYS_QUEUE << 8) | (msg)))

enum {
	NL_HDR = 16,      /* struct nlmsghdr */
	NFGEN_HDR = 4,    /* struct nfgenmsg */
	ATTR_HDR = 4,     /* struct nlattr */
	PKT_HDR_MIN = 7,  /* struct nfqnl_msg_packet_hdr (packed) */
	VERDICT_HDR = 8,  /* struct nfqnl_msg_verdict_hdr */
	/* nlmsghdr + nfgenmsg + verdict attribute, then the payload header */
	VERDICT_FIXED = NL_HDR + NFGEN_HDR + ATTR_HDR + VERDICT_HDR,
	ACK_WAIT_MS = 2000,
};

static size_t align4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

/* Host-order loads (netlink headers are in host byte order). */
static uint16_t load_h16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint32_t load_h32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void store_h16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof v);
}

static void store_h32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

/* ---- parser ---------------------------------------------------------- */

void dp_io_nfq_iter_init(struct dp_nfq_iter *it, const void *p, size_t len)
{
	it->p = p;
	it->len = len;
	it->pos = 0;
}

/* Attribute types whose value is one big-endian u32. */
static bool attr_is_u32(uint16_t type)
{
	switch (type) {
	case NFQA_MARK:
	case NFQA_IFINDEX_INDEV:
	case NFQA_IFINDEX_OUTDEV:
	case NFQA_IFINDEX_PHYSINDEV:
	case NFQA_IFINDEX_PHYSOUTDEV:
	case NFQA_CAP_LEN:
	case NFQA_SKB_INFO:
	case NFQA_UID:
	case NFQA_GID:
	case NFQA_PRIORITY:
		return true;
	default:
		return false;
	}
}

/* Store one attribute of a packet message; *seen tracks duplicates. */
static int packet_attr(struct dp_nfq_msg *m, uint16_t type, const uint8_t *v, size_t len,
		       uint32_t *seen, bool *have_cap)
{
	if (attr_is_u32(type) && len != 4)
		return ERR_BADLEN;
	switch (type) {
	case NFQA_PACKET_HDR:
		if (len < PKT_HDR_MIN)
			return ERR_BADLEN;
		if (*seen & (1u << NFQA_PACKET_HDR))
			return ERR_PROTO;
		m->pkt.id = buf_load_u32(v);
		m->pkt.hw_proto = buf_load_u16(v + 4);
		m->pkt.hook = v[6];
		break;
	case NFQA_PAYLOAD:
		if (*seen & (1u << NFQA_PAYLOAD))
			return ERR_PROTO;
		m->pkt.payload = v;
		m->pkt.payload_len = len;
		break;
	case NFQA_MARK:
		m->pkt.mark = buf_load_u32(v);
		break;
	case NFQA_IFINDEX_INDEV:
		m->pkt.indev = buf_load_u32(v);
		break;
	case NFQA_IFINDEX_OUTDEV:
		m->pkt.outdev = buf_load_u32(v);
		break;
	case NFQA_SKB_INFO:
		m->pkt.skb_info = buf_load_u32(v);
		break;
	case NFQA_CAP_LEN:
		m->pkt.cap_len = buf_load_u32(v);
		*have_cap = true;
		break;
	default:
		break; /* timestamps, hardware address, uid ...: not used */
	}
	if (type < 32)
		*seen |= 1u << type;
	return 0;
}

/* Body of an NFQNL_MSG_PACKET message: nfgenmsg, then attributes. */
static int parse_packet(struct dp_nfq_msg *m, const uint8_t *p, size_t len)
{
	uint32_t seen = 0;
	bool have_cap = false;
	size_t pos = NFGEN_HDR;

	if (len < NFGEN_HDR)
		return ERR_BADLEN;
	m->kind = DP_NFQ_MSG_PACKET;
	m->pkt.queue = buf_load_u16(p + 2);
	while (pos < len) {
		size_t left = len - pos, alen;
		uint16_t type;
		int rc;

		if (left < ATTR_HDR)
			return ERR_TRUNCATED;
		alen = load_h16(p + pos);
		type = (uint16_t)(load_h16(p + pos + 2) & 0x3fffu); /* NLA_TYPE_MASK */
		if (alen < ATTR_HDR)
			return ERR_BADLEN;
		if (alen > left)
			return ERR_TRUNCATED;
		rc = packet_attr(m, type, p + pos + ATTR_HDR, alen - ATTR_HDR, &seen, &have_cap);
		if (rc < 0)
			return rc;
		pos += MIN(align4(alen), left);
	}
	if (!(seen & (1u << NFQA_PACKET_HDR)))
		return ERR_PROTO;
	if (!have_cap)
		m->pkt.cap_len = (uint32_t)MIN(m->pkt.payload_len, (size_t)UINT32_MAX);
	m->pkt.truncated = m->pkt.cap_len > m->pkt.payload_len;
	return 0;
}

/* Body of NLMSG_ERROR: int error, then (part of) the request's header. */
static int parse_error(struct dp_nfq_msg *m, const uint8_t *p, size_t len)
{
	int32_t e;
	uint32_t raw;

	if (len < 4)
		return ERR_BADLEN;
	raw = load_h32(p);
	memcpy(&e, &raw, sizeof e);
	m->kind = DP_NFQ_MSG_ERROR;
	m->error = e;
	if (len >= 4 + 12)
		m->err_seq = load_h32(p + 4 + 8);
	return 0;
}

int dp_io_nfq_next(struct dp_nfq_iter *it, struct dp_nfq_msg *m)
{
	size_t left = it->len - it->pos, mlen;
	const uint8_t *h = it->p + it->pos;
	int rc;

	memset(m, 0, sizeof *m);
	if (left == 0)
		return 0;
	if (left < NL_HDR) {
		rc = ERR_TRUNCATED;
		goto bad;
	}
	mlen = load_h32(h);
	m->nl_type = load_h16(h + 4);
	if (mlen < NL_HDR) {
		rc = ERR_BADLEN;
		goto bad;
	}
	if (mlen > left) {
		rc = ERR_TRUNCATED;
		goto bad;
	}
	if (m->nl_type == NFQ_TYPE(NFQNL_MSG_PACKET))
		rc = parse_packet(m, h + NL_HDR, mlen - NL_HDR);
	else if (m->nl_type == NLMSG_ERROR)
		rc = parse_error(m, h + NL_HDR, mlen - NL_HDR);
	else {
		m->kind = DP_NFQ_MSG_OTHER;
		rc = 0;
	}
	if (rc < 0)
		goto bad;
	it->pos += MIN(align4(mlen), left);
	return 1;
bad:
	it->pos = it->len; /* no resynchronisation inside a broken datagram */
	return rc;
}

/* ---- configuration ----------------------------------------------------- */

static struct nlmsghdr *put_config_header(uint8_t *buf, struct dp_io_nfq *q)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = NFQ_TYPE(NFQNL_MSG_CONFIG);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++q->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof *nfg);
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(q->queue);
	return nlh;
}

/* Drop a packet that was queued before the queue was ready for a worker
 * (stale rules from a previous run): dropping never leaks clear text. */
static void drop_early(struct dp_io_nfq *q, const struct dp_nfq_msg *m)
{
	struct dp_io_nfq_batch one = {0};
	uint8_t buf[VERDICT_FIXED + ATTR_HDR];

	one.tx = buf;
	one.tx_cap = sizeof buf;
	one.open_at = SIZE_MAX;
	if (dp_io_nfq_verdict(&one, m->pkt.queue, m->pkt.id, DP_NFQ_DROP) == 0)
		(void)dp_io_nfq_flush(q, &one);
}

/* Wait for the kernel's answer to request seq. Returns 0 or ERR_*. */
static int wait_ack(struct dp_io_nfq *q, uint32_t seq, uint8_t *buf, size_t cap)
{
	for (;;) {
		ssize_t n = recv(q->fd, buf, cap, 0);
		struct dp_nfq_iter it;
		struct dp_nfq_msg m;
		int rc;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO; /* includes the ACK_WAIT_MS timeout */
		}
		dp_io_nfq_iter_init(&it, buf, (size_t)n);
		while ((rc = dp_io_nfq_next(&it, &m)) > 0) {
			if (m.kind == DP_NFQ_MSG_PACKET)
				drop_early(q, &m);
			else if (m.kind == DP_NFQ_MSG_ERROR && m.err_seq == seq) {
				if (m.error == 0)
					return 0;
				errno = -m.error;
				return ERR_IO;
			}
		}
		if (rc < 0)
			return ERR_PROTO;
	}
}

static int send_config(struct dp_io_nfq *q, struct nlmsghdr *nlh, uint8_t *buf, size_t cap)
{
	uint32_t seq = nlh->nlmsg_seq;

	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return ERR_IO;
	return wait_ack(q, seq, buf, cap);
}

static int bind_queue(struct dp_io_nfq *q, uint8_t *buf, size_t cap)
{
	struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_BIND, .pf = htons(AF_INET)};
	struct nlmsghdr *nlh = put_config_header(buf, q);

	mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof cmd, &cmd);
	return send_config(q, nlh, buf, cap);
}

static int configure_queue(struct dp_io_nfq *q, uint32_t maxlen, uint8_t *buf, size_t cap)
{
	struct nfqnl_msg_config_params params = {
		.copy_range = htonl(DP_NFQ_COPY_RANGE),
		.copy_mode = NFQNL_COPY_PACKET,
	};
	/* Every flag we know, all cleared: no FAIL_OPEN (leaks clear text when
	 * the queue is full), no GSO (see io_nfq.h), no conntrack/uid/secctx. */
	uint32_t mask = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_CONNTRACK | NFQA_CFG_F_GSO |
			NFQA_CFG_F_UID_GID | NFQA_CFG_F_SECCTX;
	struct nlmsghdr *nlh = put_config_header(buf, q);

	mnl_attr_put(nlh, NFQA_CFG_PARAMS, sizeof params, &params);
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(maxlen));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(0));
	return send_config(q, nlh, buf, cap);
}

static int set_timeout(int fd, int opt, unsigned ms)
{
	struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

static int socket_options(struct dp_io_nfq *q, int sockbuf)
{
	int one = 1;

	/* FORCE ignores rmem_max/wmem_max (we hold CAP_NET_ADMIN anyway, as
	 * binding a queue needs it); the plain option is the fallback. */
	if (setsockopt(q->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sockbuf, sizeof sockbuf) < 0 &&
	    setsockopt(q->fd, SOL_SOCKET, SO_RCVBUF, &sockbuf, sizeof sockbuf) < 0)
		return ERR_IO;
	/* A whole batch of verdicts goes in one message, which netlink refuses
	 * when it is larger than the send buffer. */
	if (setsockopt(q->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sockbuf, sizeof sockbuf) < 0 &&
	    setsockopt(q->fd, SOL_SOCKET, SO_SNDBUF, &sockbuf, sizeof sockbuf) < 0)
		return ERR_IO;
	/* Overruns are counted by the kernel (user_dropped); an ENOBUFS error
	 * in the receive path would only interrupt the worker. */
	if (mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &one, sizeof one) < 0)
		return ERR_IO;
	/* Error replies to verdicts need not echo the replacement payload. */
	(void)mnl_socket_setsockopt(q->nl, NETLINK_CAP_ACK, &one, sizeof one);
	return 0;
}

int dp_io_nfq_open(struct dp_io_nfq *q, const struct dp_io_nfq_cfg *cfg)
{
	size_t cap = DP_NFQ_RX_SLOT;
	uint8_t *buf;
	int rc;

	memset(q, 0, sizeof *q);
	q->fd = -1;
	q->queue = cfg->queue;
	buf = malloc(cap);
	if (!buf)
		return ERR_NOMEM;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!q->nl) {
		rc = ERR_IO;
		goto out;
	}
	q->fd = mnl_socket_get_fd(q->nl);
	rc = socket_options(q, cfg->sockbuf > 0 ? cfg->sockbuf : DP_NFQ_SOCKBUF);
	if (rc < 0)
		goto fail;
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = ERR_IO;
		goto fail;
	}
	q->portid = mnl_socket_get_portid(q->nl);
	if (set_timeout(q->fd, SO_RCVTIMEO, ACK_WAIT_MS) < 0) {
		rc = ERR_IO;
		goto fail;
	}
	rc = bind_queue(q, buf, cap);
	if (rc == 0)
		rc = configure_queue(q, cfg->maxlen ? cfg->maxlen : DP_NFQ_QUEUE_MAXLEN, buf, cap);
	if (rc == 0 && set_timeout(q->fd, SO_RCVTIMEO, cfg->recv_timeout_ms) < 0)
		rc = ERR_IO;
	if (rc == 0)
		goto out;
fail: {
	int saved = errno;

	dp_io_nfq_close(q);
	errno = saved;
}
out:
	free(buf);
	return rc;
}

void dp_io_nfq_close(struct dp_io_nfq *q)
{
	if (!q->nl)
		return;
	if (q->portid) {
		uint8_t buf[128];
		struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_UNBIND,
						   .pf = htons(AF_INET)};
		struct nlmsghdr *nlh = put_config_header(buf, q);

		/* Closing the socket unbinds too; this only makes it explicit.
		 * No ACK wait: the answer does not change what we do. */
		nlh->nlmsg_flags = NLM_F_REQUEST;
		mnl_attr_put(nlh, NFQA_CFG_CMD, sizeof cmd, &cmd);
		(void)mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
	}
	mnl_socket_close(q->nl);
	q->nl = NULL;
	q->fd = -1;
	q->portid = 0;
}

/* ---- batches ------------------------------------------------------------ */

int dp_io_nfq_batch_init(struct dp_io_nfq_batch *b, unsigned slots, size_t slot_len)
{
	memset(b, 0, sizeof *b);
	b->open_at = SIZE_MAX;
	if (slots == 0 || slots > DP_NFQ_BATCH_MAX)
		return ERR_INVAL;
	if (slot_len == 0)
		slot_len = DP_NFQ_RX_SLOT;
	b->slots = slots;
	b->slot_len = slot_len;
	b->tx_cap = (size_t)slots * (VERDICT_FIXED + ATTR_HDR + align4(DP_NFQ_PAYLOAD_MAX)) +
		    DP_NFQ_TX_SLACK;
	b->rx = malloc((size_t)slots * slot_len);
	b->msgs = calloc(slots, sizeof *b->msgs);
	b->iov = calloc(slots, sizeof *b->iov);
	b->tx = malloc(b->tx_cap);
	if (!b->rx || !b->msgs || !b->iov || !b->tx) {
		dp_io_nfq_batch_free(b);
		return ERR_NOMEM;
	}
	for (unsigned i = 0; i < slots; i++) {
		b->iov[i].iov_base = b->rx + (size_t)i * slot_len;
		b->iov[i].iov_len = slot_len;
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

void dp_io_nfq_batch_free(struct dp_io_nfq_batch *b)
{
	free(b->rx);
	free(b->msgs);
	free(b->iov);
	free(b->tx);
	memset(b, 0, sizeof *b);
	b->open_at = SIZE_MAX;
}

int dp_io_nfq_recv(struct dp_io_nfq *q, struct dp_io_nfq_batch *b)
{
	int n;

	b->received = 0;
	/* MSG_WAITFORONE: block (up to SO_RCVTIMEO) for the first datagram
	 * only, then take what is already there. */
	n = recvmmsg(q->fd, b->msgs, b->slots, MSG_WAITFORONE, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOBUFS)
			return 0;
		return ERR_IO;
	}
	for (int i = 0; i < n; i++)
		if (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
			b->truncated++;
	b->received = (unsigned)n;
	return n;
}

const uint8_t *dp_io_nfq_datagram(const struct dp_io_nfq_batch *b, unsigned i, size_t *len)
{
	size_t n = b->msgs[i].msg_len;

	*len = MIN(n, b->slot_len);
	return b->rx + (size_t)i * b->slot_len;
}

/* ---- verdicts ------------------------------------------------------------ */

uint8_t *dp_io_nfq_verdict_begin(struct dp_io_nfq_batch *b, uint16_t queue, uint32_t id,
				 size_t max_payload)
{
	uint8_t *h;

	if (b->open_at != SIZE_MAX || max_payload > DP_NFQ_PAYLOAD_MAX)
		return NULL;
	/* the slack stays free: it is the scratch room of the last verdict */
	if (b->tx_cap - DP_NFQ_TX_SLACK - b->tx_len < VERDICT_FIXED + ATTR_HDR + align4(max_payload))
		return NULL;
	h = b->tx + b->tx_len;
	/* nlmsghdr: length and verdict are filled in by _end */
	store_h16(h + 4, NFQ_TYPE(NFQNL_MSG_VERDICT));
	store_h16(h + 6, NLM_F_REQUEST);
	store_h32(h + 8, 0);
	store_h32(h + 12, 0);
	/* nfgenmsg */
	h[16] = AF_UNSPEC;
	h[17] = NFNETLINK_V0;
	buf_store_u16(h + 18, queue);
	/* NFQA_VERDICT_HDR { be32 verdict, be32 id } */
	store_h16(h + 20, ATTR_HDR + VERDICT_HDR);
	store_h16(h + 22, NFQA_VERDICT_HDR);
	buf_store_u32(h + 28, id);
	b->open_at = b->tx_len;
	return h + VERDICT_FIXED + ATTR_HDR;
}

size_t dp_io_nfq_verdict_room(const struct dp_io_nfq_batch *b)
{
	if (b->open_at == SIZE_MAX)
		return 0;
	return b->tx_cap - b->open_at - (VERDICT_FIXED + ATTR_HDR);
}

int dp_io_nfq_verdict_end(struct dp_io_nfq_batch *b, enum dp_nfq_verdict verdict,
			  size_t payload_len)
{
	uint8_t *h;
	size_t len = VERDICT_FIXED;

	if (b->open_at == SIZE_MAX)
		return ERR_STATE;
	h = b->tx + b->open_at;
	if (payload_len > DP_NFQ_PAYLOAD_MAX ||
	    b->tx_cap - b->open_at < VERDICT_FIXED + ATTR_HDR + align4(payload_len))
		return ERR_INVAL;
	buf_store_u32(h + 24, (uint32_t)verdict);
	if (payload_len > 0) {
		size_t alen = ATTR_HDR + payload_len;

		store_h16(h + VERDICT_FIXED, (uint16_t)alen);
		store_h16(h + VERDICT_FIXED + 2, NFQA_PAYLOAD);
		memset(h + VERDICT_FIXED + alen, 0, align4(alen) - alen);
		len += align4(alen);
	}
	store_h32(h, (uint32_t)len);
	b->tx_len = b->open_at + len;
	b->open_at = SIZE_MAX;
	b->verdicts++;
	return 0;
}

int dp_io_nfq_verdict(struct dp_io_nfq_batch *b, uint16_t queue, uint32_t id,
		      enum dp_nfq_verdict verdict)
{
	if (!dp_io_nfq_verdict_begin(b, queue, id, 0))
		return ERR_NOSPACE;
	return dp_io_nfq_verdict_end(b, verdict, 0);
}

int dp_io_nfq_flush(struct dp_io_nfq *q, struct dp_io_nfq_batch *b)
{
	unsigned n = b->verdicts;

	if (n == 0)
		return 0;
	b->verdicts = 0;
	/* The kernel walks every netlink message of the datagram; an error on
	 * one (say, an unknown id) is reported and the rest still apply. */
	for (int tries = 0; tries < 3; tries++) {
		ssize_t sent = send(q->fd, b->tx, b->tx_len, 0);

		if (sent >= 0) {
			b->sends++;
			b->tx_len = 0;
			return (int)MIN(n, (unsigned)INT_MAX);
		}
		if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN)
			break;
	}
	b->send_errors++;
	b->tx_len = 0;
	return ERR_IO;
}

/* ---- kernel counters ------------------------------------------------------ */

/*
 * Parse up to max unsigned decimal fields of one line; returns the count.
 * Digits are read by hand because the text is not NUL-terminated: strtoul
 * would run past end when the last field touches it.
 */
static int parse_fields(const char *s, const char *end, unsigned long *v, int max)
{
	int n = 0;

	while (s < end && n < max) {
		unsigned long x = 0;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s >= end)
			break;
		if (*s < '0' || *s > '9')
			return -1;
		for (; s < end && *s >= '0' && *s <= '9'; s++) {
			unsigned d = (unsigned)(*s - '0');

			if (x > (ULONG_MAX - d) / 10)
				return -1;
			x = x * 10 + d;
		}
		if (s < end && *s != ' ' && *s != '\t')
			return -1;
		v[n++] = x;
	}
	return n;
}

int dp_io_nfq_kstats_parse(const char *text, size_t len, uint16_t queue,
			   struct dp_io_nfq_kstats *out)
{
	const char *s = text, *end = text + len;

	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		unsigned long v[9];
		int n;

		if (!eol)
			eol = end;
		n = parse_fields(s, eol, v, 9);
		if (n < 8)
			return ERR_SYNTAX;
		if (v[0] == queue) {
			out->queue = queue;
			out->portid = (uint32_t)v[1];
			out->queued = (uint32_t)v[2];
			out->queue_dropped = (uint32_t)v[5];
			out->user_dropped = (uint32_t)v[6];
			out->id_sequence = (uint32_t)v[7];
			return 0;
		}
		s = eol + 1;
	}
	return ERR_NOTFOUND;
}

int dp_io_nfq_kstats_read(uint16_t queue, struct dp_io_nfq_kstats *out)
{
	char buf[16384];
	size_t len = 0;
	int fd = open("/proc/net/netfilter/nfnetlink_queue", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
	while (len < sizeof buf) {
		ssize_t n = read(fd, buf + len, sizeof buf - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return dp_io_nfq_kstats_parse(buf, len, queue, out);
}
