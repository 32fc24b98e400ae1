/*
 * NFQUEUE packet I/O over a netlink socket (libmnl, no libnetfilter_queue).
 *
 * One struct dp_io_nfq is one bound queue, used by one worker thread. The
 * worker receives up to DP_NFQ_BATCH_MAX datagrams per recvmmsg() call into a
 * struct dp_io_nfq_batch, parses each with dp_io_nfq_next(), writes one
 * verdict per packet into the batch's transmit buffer (the replacement
 * payload, if any, is written by the caller straight into that buffer) and
 * sends all verdicts of the batch with one send() (dp_io_nfq_flush()).
 *
 * The queue is configured the way docs/dataplane.md explains: copy the whole
 * packet (range 0xffff), queue length 4096, no NFQA_CFG_F_FAIL_OPEN (a full
 * queue drops, it never lets clear text through) and no NFQA_CFG_F_GSO (the
 * kernel segments GSO packets and completes partial checksums before it
 * queues them). The socket gets a 32 MB receive buffer and
 * NETLINK_NO_ENOBUFS; the kernel's own per-queue drop counters are read
 * from /proc/net/netfilter/nfnetlink_queue.
 *
 * Everything here is allocation-free after dp_io_nfq_open() and
 * dp_io_nfq_batch_init().
 */
#ifndef GVPN_DP_IO_NFQ_H
#define GVPN_DP_IO_NFQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmsghdr;
struct iovec;
struct mnl_socket;

enum {
	DP_NFQ_BATCH_MAX = 64,          /* datagrams per recvmmsg() */
	DP_NFQ_COPY_RANGE = 0xffff,     /* bytes of each packet copied to us */
	DP_NFQ_QUEUE_MAXLEN = 4096,     /* packets the kernel holds per queue */
	DP_NFQ_SOCKBUF = 32 * 1024 * 1024, /* SO_RCVBUFFORCE / SO_SNDBUFFORCE */
	/* Netlink and NFQUEUE headers around a copied packet: nlmsghdr 16,
	 * nfgenmsg 4, attributes (packet header, mark, interfaces, hardware
	 * address, timestamp, skb info, cap len, uid/gid ...) well below 512. */
	DP_NFQ_MSG_OVERHEAD = 512,
	/* Room for one received datagram holding a full copied packet. */
	DP_NFQ_RX_SLOT = DP_NFQ_COPY_RANGE + DP_NFQ_MSG_OVERHEAD,
	/* Netlink header + nfgenmsg + verdict header + payload header. */
	DP_NFQ_VERDICT_OVERHEAD = 16 + 4 + 12 + 4,
	DP_NFQ_PAYLOAD_MAX = 0xffff,    /* largest IPv4 packet a verdict can carry */
	/* Scratch room after the last possible verdict, so that a processor
	 * can build a packet and its fragments behind an open verdict's
	 * payload (dp/sad.h DP_OUT_CAP) before the extra ones are injected. */
	DP_NFQ_TX_SLACK = 128 * 1024,
};

/* NFQUEUE verdicts (linux/netfilter.h NF_DROP / NF_ACCEPT). */
enum dp_nfq_verdict {
	DP_NFQ_DROP = 0,
	DP_NFQ_ACCEPT = 1,
};

/* Netfilter hooks (linux/netfilter.h enum nf_inet_hooks). */
enum dp_nfq_hook {
	DP_NFQ_HOOK_PRE_ROUTING = 0,
	DP_NFQ_HOOK_LOCAL_IN = 1,
	DP_NFQ_HOOK_FORWARD = 2,
	DP_NFQ_HOOK_LOCAL_OUT = 3,
	DP_NFQ_HOOK_POST_ROUTING = 4,
};

enum dp_nfq_msg_kind {
	DP_NFQ_MSG_PACKET = 1, /* a queued packet: the fields of .pkt are set */
	DP_NFQ_MSG_ERROR,      /* NLMSG_ERROR: .error is the negative errno (0 = ACK) */
	DP_NFQ_MSG_OTHER,      /* anything else (NOOP, DONE, unknown types): skip */
};

/* Bits of dp_nfq_pkt.skb_info (NFQA_SKB_*). */
enum {
	DP_NFQ_SKB_CSUMNOTREADY = 1u << 0,
	DP_NFQ_SKB_GSO = 1u << 1,
	DP_NFQ_SKB_CSUM_NOTVERIFIED = 1u << 2,
};

/* One parsed netlink message. Pointers point into the parsed datagram. */
struct dp_nfq_msg {
	enum dp_nfq_msg_kind kind;
	int error;         /* DP_NFQ_MSG_ERROR: -errno reported by the kernel */
	uint32_t err_seq;  /* DP_NFQ_MSG_ERROR: sequence number of the request */
	uint16_t nl_type;  /* raw nlmsg_type */
	struct {
		uint32_t id;        /* packet id for the verdict */
		uint16_t queue;     /* queue number (nfgenmsg res_id) */
		uint16_t hw_proto;  /* ETH_P_* of the packet, host order */
		uint8_t hook;       /* enum dp_nfq_hook */
		uint32_t mark;      /* skb mark (0 if absent) */
		uint32_t indev;     /* input ifindex (0 if absent) */
		uint32_t outdev;    /* output ifindex (0 if absent) */
		uint32_t skb_info;  /* DP_NFQ_SKB_* bits */
		uint32_t cap_len;   /* original packet length */
		bool truncated;     /* payload_len < cap_len: copy range too small */
		const uint8_t *payload; /* the IPv4 packet (NULL if absent) */
		size_t payload_len;
	} pkt;
};

/* Iterator over the netlink messages of one received datagram. */
struct dp_nfq_iter {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

/* Start iterating over the len bytes at p (one datagram from the socket). */
void dp_io_nfq_iter_init(struct dp_nfq_iter *it, const void *p, size_t len);

/*
 * Parse the next message into *m. Returns 1 when a message was parsed, 0 at
 * the end of the datagram, or a negative code, after which the rest of the
 * datagram is skipped:
 *   ERR_TRUNCATED  a netlink header or length runs past the datagram;
 *   ERR_BADLEN     a netlink or attribute length below its minimum, or a
 *                  fixed-size NFQUEUE attribute of the wrong size;
 *   ERR_PROTO      a packet message without a packet header, or with a
 *                  packet header or payload attribute twice.
 * Never reads outside [p, p + len).
 */
int dp_io_nfq_next(struct dp_nfq_iter *it, struct dp_nfq_msg *m);

/* Configuration of one queue socket. */
struct dp_io_nfq_cfg {
	uint16_t queue;         /* queue number to bind */
	uint32_t maxlen;        /* 0: DP_NFQ_QUEUE_MAXLEN */
	int sockbuf;            /* 0: DP_NFQ_SOCKBUF (bytes, both directions) */
	unsigned recv_timeout_ms; /* recv wait before returning 0; 0: block */
};

struct dp_io_nfq {
	struct mnl_socket *nl;
	int fd;
	uint16_t queue;
	uint32_t portid;
	uint32_t seq;
};

/*
 * Open a netlink socket, bind it to queue cfg->queue and configure it as
 * described above (every configuration message is acknowledged before this
 * returns). Returns 0, ERR_IO (errno kept: EPERM without CAP_NET_ADMIN, EBUSY
 * when another process holds the queue) or ERR_PROTO (unexpected reply).
 */
int dp_io_nfq_open(struct dp_io_nfq *q, const struct dp_io_nfq_cfg *cfg);

/* Unbind the queue and close the socket. Packets still queued are dropped
 * by the kernel (or bypass, per the rule). Safe on a closed or zeroed q. */
void dp_io_nfq_close(struct dp_io_nfq *q);

/* Receive and transmit buffers of one worker, allocated once. */
struct dp_io_nfq_batch {
	unsigned slots;        /* datagrams per receive call */
	size_t slot_len;
	uint8_t *rx;           /* slots * slot_len */
	struct mmsghdr *msgs;
	struct iovec *iov;
	unsigned received;     /* datagrams of the last dp_io_nfq_recv() */
	uint8_t *tx;           /* verdict messages, concatenated */
	size_t tx_cap;
	size_t tx_len;
	unsigned verdicts;     /* verdicts in tx */
	size_t open_at;        /* offset of the verdict being built, or SIZE_MAX */
	uint64_t sends;        /* send() calls made by dp_io_nfq_flush() */
	uint64_t send_errors;  /* send() calls that failed (verdicts lost) */
	uint64_t truncated;    /* datagrams cut by the receive buffer */
};

/*
 * Allocate buffers for `slots` datagrams (1..DP_NFQ_BATCH_MAX) of slot_len
 * bytes each (0: DP_NFQ_RX_SLOT) and a transmit buffer big enough for one
 * verdict per datagram, each with a payload of up to DP_NFQ_PAYLOAD_MAX
 * bytes, so that a whole batch always leaves in one send().
 * Returns 0, ERR_INVAL or ERR_NOMEM.
 */
int dp_io_nfq_batch_init(struct dp_io_nfq_batch *b, unsigned slots, size_t slot_len);
void dp_io_nfq_batch_free(struct dp_io_nfq_batch *b);

/*
 * Wait for at least one datagram (up to the configured timeout), then take
 * whatever else is ready, up to b->slots, in one recvmmsg(). Returns the
 * number of datagrams (also in b->received), 0 on timeout or EINTR, or ERR_IO.
 */
int dp_io_nfq_recv(struct dp_io_nfq *q, struct dp_io_nfq_batch *b);

/* Datagram i (< b->received) of the last receive; *len its length. */
const uint8_t *dp_io_nfq_datagram(const struct dp_io_nfq_batch *b, unsigned i, size_t *len);

/*
 * Start a verdict for packet id of queue. Returns where a replacement payload
 * may be written (room for max_payload bytes, <= DP_NFQ_PAYLOAD_MAX), or NULL
 * when the transmit buffer is full (flush, then retry) or max_payload is too
 * big. Finish it with dp_io_nfq_verdict_end() before starting another one.
 */
uint8_t *dp_io_nfq_verdict_begin(struct dp_io_nfq_batch *b, uint16_t queue, uint32_t id,
				 size_t max_payload);

/*
 * Bytes usable from the payload pointer of the open verdict to the end of
 * the transmit buffer (at least the max_payload given to _begin plus
 * DP_NFQ_TX_SLACK; 0 when no verdict is open). Only the first payload_len bytes given to _end are
 * sent; the rest is scratch space until the next _begin.
 */
size_t dp_io_nfq_verdict_room(const struct dp_io_nfq_batch *b);

/*
 * Finish the open verdict: verdict is DP_NFQ_ACCEPT or DP_NFQ_DROP;
 * payload_len bytes written at the pointer of _begin replace the packet
 * (0: keep the packet as it is). Returns 0 or ERR_STATE (no open verdict) /
 * ERR_INVAL (payload_len larger than reserved).
 */
int dp_io_nfq_verdict_end(struct dp_io_nfq_batch *b, enum dp_nfq_verdict verdict,
			  size_t payload_len);

/* A verdict without payload (begin + end). Returns 0 or ERR_NOSPACE. */
int dp_io_nfq_verdict(struct dp_io_nfq_batch *b, uint16_t queue, uint32_t id,
		      enum dp_nfq_verdict verdict);

/*
 * Send every verdict in the transmit buffer with one send() and empty it.
 * Returns the number of verdicts sent (0 if none were pending) or ERR_IO
 * (counted in send_errors; the kernel keeps those packets queued until the
 * queue is unbound, so this only happens on a broken socket).
 */
int dp_io_nfq_flush(struct dp_io_nfq *q, struct dp_io_nfq_batch *b);

/* One line of /proc/net/netfilter/nfnetlink_queue. */
struct dp_io_nfq_kstats {
	uint16_t queue;
	uint32_t portid;       /* netlink port of the listener (0: none) */
	uint32_t queued;       /* packets waiting for a verdict now */
	uint32_t queue_dropped;/* dropped because the queue was full */
	uint32_t user_dropped; /* dropped because our socket buffer was full */
	uint32_t id_sequence;  /* last packet id handed out */
};

/*
 * Find queue's line in text (the content of the proc file) and fill *out.
 * Returns 0, ERR_NOTFOUND (queue not listed: nobody bound it) or ERR_SYNTAX.
 */
int dp_io_nfq_kstats_parse(const char *text, size_t len, uint16_t queue,
			   struct dp_io_nfq_kstats *out);

/* Read the proc file of the caller's network namespace and parse it as
 * above. Also returns ERR_IO when the file cannot be read. */
int dp_io_nfq_kstats_read(uint16_t queue, struct dp_io_nfq_kstats *out);

#endif
