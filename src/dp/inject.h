/*
 * Injection of extra IPv4 packets that are not the verdict of a queued one:
 * the second and later encrypted fragments of a packet fragmented before
 * encryption, and the ICMP "fragmentation needed" sent to an inner source.
 *
 * A raw socket (IPPROTO_RAW, so the caller writes the whole IPv4 header; the
 * kernel fills in a zero source address and identification and always
 * computes the header checksum) marked with SO_MARK. The encap rule returns
 * packets carrying that mark before its NFQUEUE target, so an injected ESP
 * packet is never queued (and encrypted) a second time. The source address
 * may be any address, not just a local one: with header preservation an
 * ESP packet carries the inner source.
 *
 * One struct dp_inject per worker thread; packets are collected in a
 * preallocated buffer and sent with one sendmmsg() by dp_inject_flush().
 */
#ifndef GVPN_DP_INJECT_H
#define GVPN_DP_INJECT_H

#include <stddef.h>
#include <stdint.h>

struct mmsghdr;
struct iovec;
struct sockaddr_in;

enum {
	DP_INJECT_PKTS_DEFAULT = 64,
	/* one 64 KiB packet cut into fragments, with room for their headers */
	DP_INJECT_BUF_DEFAULT = 96 * 1024,
};

struct dp_inject {
	int fd;
	uint32_t mark;
	unsigned max_pkts;
	unsigned n;              /* packets waiting in buf */
	uint8_t *buf;
	size_t cap;
	size_t used;
	size_t reserved;         /* bytes reserved by the last _reserve() */
	struct mmsghdr *msgs;
	struct iovec *iov;
	struct sockaddr_in *dst;
	uint64_t sent;           /* packets the kernel accepted */
	uint64_t errors;         /* packets the kernel refused (no route, too big ...) */
};

/*
 * Open the raw socket with mark (must not be 0) and allocate room for
 * max_pkts packets (0: DP_INJECT_PKTS_DEFAULT) in buf_cap bytes
 * (0: DP_INJECT_BUF_DEFAULT). Needs CAP_NET_RAW and, for SO_MARK,
 * CAP_NET_ADMIN. Returns 0, ERR_INVAL, ERR_NOMEM or ERR_IO (errno kept).
 */
int dp_inject_open(struct dp_inject *ij, uint32_t mark, size_t buf_cap, unsigned max_pkts);

/* Close the socket and free the buffers; pending packets are discarded.
 * Safe on a zeroed or closed struct. */
void dp_inject_close(struct dp_inject *ij);

/*
 * Room for one packet of up to len bytes, to be written by the caller and
 * completed with dp_inject_commit(). NULL when the buffer or the packet
 * table is full (flush first) or len exceeds the buffer.
 */
uint8_t *dp_inject_reserve(struct dp_inject *ij, size_t len);

/*
 * Queue the packet of len bytes (<= what was reserved) written at the last
 * reserved place. It must be an IPv4 packet whose total length field equals
 * len; it is sent to its destination address. Returns 0, ERR_STATE (nothing
 * reserved) or ERR_INVAL (not an IPv4 header of that length).
 */
int dp_inject_commit(struct dp_inject *ij, size_t len);

/* Copy and queue a complete packet, flushing first when full. Returns 0,
 * ERR_INVAL (as above, or larger than the buffer) or ERR_IO. */
int dp_inject_send(struct dp_inject *ij, const uint8_t *pkt, size_t len);

/*
 * Send every queued packet (sendmmsg, non-blocking) and empty the buffer.
 * Returns the number the kernel accepted; refusals are counted in errors.
 */
int dp_inject_flush(struct dp_inject *ij);

#endif
