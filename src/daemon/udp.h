/*
 * The GDOI socket: UDP port 848 on every local IPv4 address.
 *
 * One socket bound to the wildcard address with IP_PKTINFO: each datagram
 * comes with the local address it was sent to, and each send names the
 * source address, so a reply leaves from the address the request came to
 * and a KS speaks from its `address ipv4` even on a host with several
 * addresses. The wildcard bind also receives multicast rekeys once the
 * group is joined (their local_ip4 is then the group address).
 *
 * Multicast sends (a KS's `rekey transport multicast` pushes): TTL
 * DAEMON_UDP_MCAST_TTL, so that a push crosses a routed WAN; no copy to
 * the sender's own host (IP_MULTICAST_LOOP off); they leave through the
 * interface of their source address (IP_MULTICAST_IF, set when the
 * source changes), else by the routing table.
 *
 * Non-blocking; datagrams are drained on each wake-up.
 */
#ifndef GVPN_DAEMON_UDP_H
#define GVPN_DAEMON_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "ike1/sa.h"

struct daemon_loop;
struct daemon_udp;

enum {
	DAEMON_GDOI_PORT = 848,
	DAEMON_UDP_MAX = 65535,
	DAEMON_UDP_MCAST_TTL = 16, /* hops a multicast rekey may cross */
};

/* A datagram from `from` that was addressed to local_ip4 (host order). */
typedef void (*daemon_udp_recv_fn)(void *arg, const struct ike1_peer *from, uint32_t local_ip4,
				   const uint8_t *msg, size_t len);

struct daemon_udp_stats {
	uint64_t rx, tx, rx_bytes, tx_bytes;
	uint64_t tx_errors; /* sendmsg failed (no route, buffer full) */
	uint64_t rx_truncated;
};

/*
 * Open the socket on port (DAEMON_GDOI_PORT; 0 lets the kernel pick one,
 * for tests) and watch it on loop. bind_ip4 0 = every address. 0 and *out,
 * or ERR_IO (errno: EADDRINUSE, EACCES ...), ERR_NOMEM.
 */
int daemon_udp_open(struct daemon_loop *loop, uint32_t bind_ip4, uint16_t port,
		    daemon_udp_recv_fn fn, void *arg, struct daemon_udp **out);
void daemon_udp_close(struct daemon_udp *u);

/* The port bound (after port 0). */
uint16_t daemon_udp_port(const struct daemon_udp *u);
/* The socket (tests read its options). */
int daemon_udp_fd(const struct daemon_udp *u);

/*
 * Send one datagram to `to` from src_ip4 (0: the kernel chooses). To a
 * multicast address it leaves through src_ip4's interface. 0 or ERR_IO
 * (counted; a datagram lost like on the wire).
 */
int daemon_udp_send(struct daemon_udp *u, const struct ike1_peer *to, uint32_t src_ip4,
		    const uint8_t *msg, size_t len);

/*
 * Join / leave an IPv4 multicast group on the interface ifindex (0: the
 * one with address ifaddr; both 0: the kernel chooses by route). 0 or
 * ERR_IO (errno: EADDRINUSE already joined, EADDRNOTAVAIL not joined ...).
 */
int daemon_udp_join(struct daemon_udp *u, uint32_t group, uint32_t ifaddr, int ifindex);
int daemon_udp_leave(struct daemon_udp *u, uint32_t group, uint32_t ifaddr, int ifindex);

void daemon_udp_get_stats(const struct daemon_udp *u, struct daemon_udp_stats *out);

#endif
