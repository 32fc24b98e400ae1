#include "daemon/udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/loop.h"
#include "util/err.h"

struct daemon_udp {
	struct daemon_loop *loop;
	struct daemon_watch w;
	uint16_t port;
	daemon_udp_recv_fn fn;
	void *arg;
	struct daemon_udp_stats st;
	uint32_t mc_if; /* IP_MULTICAST_IF address set, 0: none */
	uint8_t buf[DAEMON_UDP_MAX];
};

/* One datagram; false when the socket is drained. */
static bool recv_one(struct daemon_udp *u)
{
	struct sockaddr_in from;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = u->buf, .iov_len = sizeof(u->buf)};
	struct msghdr mh = {
	    .msg_name = &from,
	    .msg_namelen = sizeof(from),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n = recvmsg(u->w.fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR;
	if (mh.msg_flags & MSG_TRUNC) {
		u->st.rx_truncated++;
		return true;
	}
	uint32_t local = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local = ntohl(pi.ipi_addr.s_addr);
		}
	}
	struct ike1_peer peer = {.ip4 = ntohl(from.sin_addr.s_addr), .port = ntohs(from.sin_port)};
	u->st.rx++;
	u->st.rx_bytes += (uint64_t)n;
	u->fn(u->arg, &peer, local, u->buf, (size_t)n);
	return true;
}

static void on_readable(void *arg, uint32_t events)
{
	struct daemon_udp *u = arg;
	(void)events;
	/* bounded, so that a flood cannot starve the control socket and timers */
	for (int i = 0; i < 256 && recv_one(u); i++)
		;
}

int daemon_udp_open(struct daemon_loop *loop, uint32_t bind_ip4, uint16_t port,
		    daemon_udp_recv_fn fn, void *arg, struct daemon_udp **out)
{
	struct daemon_udp *u = calloc(1, sizeof(*u));
	if (!u)
		return ERR_NOMEM;
	int one = 1, off = 0, ttl = DAEMON_UDP_MCAST_TTL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(bind_ip4)};
	socklen_t salen = sizeof(sa);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen))
		goto fail;
	u->loop = loop;
	u->fn = fn;
	u->arg = arg;
	u->port = ntohs(sa.sin_port);
	u->w = (struct daemon_watch){.fd = fd, .events = EPOLLIN, .fn = on_readable, .arg = u};
	if (daemon_loop_add(loop, &u->w))
		goto fail;
	*out = u;
	return 0;
fail:;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	free(u);
	errno = saved;
	return ERR_IO;
}

void daemon_udp_close(struct daemon_udp *u)
{
	if (!u)
		return;
	daemon_loop_del(u->loop, &u->w);
	close(u->w.fd);
	free(u);
}

uint16_t daemon_udp_port(const struct daemon_udp *u)
{
	return u->port;
}

int daemon_udp_fd(const struct daemon_udp *u)
{
	return u->w.fd;
}

/* A multicast datagram leaves through the interface of its source address. */
static int mcast_if(struct daemon_udp *u, uint32_t src_ip4)
{
	if (!src_ip4 || src_ip4 == u->mc_if)
		return 0;
	struct ip_mreqn m = {.imr_address.s_addr = htonl(src_ip4)};
	if (setsockopt(u->w.fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)))
		return ERR_IO;
	u->mc_if = src_ip4;
	return 0;
}

int daemon_udp_send(struct daemon_udp *u, const struct ike1_peer *to, uint32_t src_ip4,
		    const uint8_t *msg, size_t len)
{
	if (IN_MULTICAST(to->ip4) && mcast_if(u, src_ip4)) {
		u->st.tx_errors++;
		return ERR_IO;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(to->port),
				 .sin_addr.s_addr = htonl(to->ip4)};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	if (src_ip4) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo pi = {.ipi_spec_dst.s_addr = htonl(src_ip4)};
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	ssize_t n;
	do
		n = sendmsg(u->w.fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		u->st.tx_errors++;
		return ERR_IO;
	}
	u->st.tx++;
	u->st.tx_bytes += len;
	return 0;
}

static int membership(struct daemon_udp *u, int opt, uint32_t group, uint32_t ifaddr,
		      int ifindex)
{
	struct ip_mreqn m = {.imr_multiaddr.s_addr = htonl(group),
			     .imr_address.s_addr = htonl(ifaddr),
			     .imr_ifindex = ifindex};
	return setsockopt(u->w.fd, IPPROTO_IP, opt, &m, sizeof(m)) ? ERR_IO : 0;
}

int daemon_udp_join(struct daemon_udp *u, uint32_t group, uint32_t ifaddr, int ifindex)
{
	return membership(u, IP_ADD_MEMBERSHIP, group, ifaddr, ifindex);
}

int daemon_udp_leave(struct daemon_udp *u, uint32_t group, uint32_t ifaddr, int ifindex)
{
	return membership(u, IP_DROP_MEMBERSHIP, group, ifaddr, ifindex);
}

void daemon_udp_get_stats(const struct daemon_udp *u, struct daemon_udp_stats *out)
{
	*out = u->st;
}
