/*
 * daemon/udp: the GDOI socket's multicast side. Multicast sends have TTL
 * DAEMON_UDP_MCAST_TTL and no local loop copy and leave through the
 * interface of their source address; a joined group's datagrams arrive
 * with the group as local address; leaving stops them. Over the loopback
 * interface (a socket option only: no address or route is changed).
 */
#include "test.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon/loop.h"
#include "daemon/udp.h"
#include "util/clock.h"
#include "util/err.h"

#define GROUP	  0xefc001beu /* 239.192.1.190 */
#define LOOPBACK  0x7f000001u

struct rx {
	struct daemon_loop *loop;
	unsigned n;
	uint32_t from, local;
	char data[16];
};

static void on_rx(void *arg, const struct ike1_peer *from, uint32_t local_ip4, const uint8_t *msg,
		  size_t len)
{
	struct rx *r = arg;
	r->n++;
	r->from = from->ip4;
	r->local = local_ip4;
	snprintf(r->data, sizeof(r->data), "%.*s", (int)len, (const char *)msg);
	daemon_loop_stop(r->loop);
}

static uint64_t deadline;
static uint64_t next_deadline(void *arg)
{
	(void)arg;
	return deadline;
}

static void on_tick(void *arg, uint64_t now)
{
	(void)now;
	daemon_loop_stop(arg);
}

/* Run the loop until a datagram arrives or 2 s pass. */
static void wait_rx(struct daemon_loop *l)
{
	deadline = daemon_loop_now() + 2 * NS_PER_SEC;
	assert_int_equal(daemon_loop_run(l), 0);
}

static int sockopt_int(struct daemon_udp *u, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);
	assert_int_equal(getsockopt(daemon_udp_fd(u), IPPROTO_IP, opt, &v, &len), 0);
	return v;
}

static void test_multicast(void **state)
{
	(void)state;
	struct daemon_loop loop;
	struct daemon_loop_hooks hooks = {.next_deadline = next_deadline, .tick = on_tick};
	assert_int_equal(daemon_loop_init(&loop, &hooks, &loop), 0);
	struct rx ks_rx = {.loop = &loop}, gm_rx = {.loop = &loop};
	struct daemon_udp *ks, *gm;
	assert_int_equal(daemon_udp_open(&loop, 0, 0, on_rx, &ks_rx, &ks), 0);
	assert_int_equal(daemon_udp_open(&loop, 0, 0, on_rx, &gm_rx, &gm), 0);
	int lo = (int)if_nametoindex("lo");
	assert_true(lo > 0);
	assert_int_equal(sockopt_int(ks, IP_MULTICAST_TTL), DAEMON_UDP_MCAST_TTL);
	assert_int_equal(sockopt_int(ks, IP_MULTICAST_LOOP), 0);

	/* the member joins the group on the interface */
	assert_int_equal(daemon_udp_join(gm, GROUP, LOOPBACK, lo), 0);
	struct ike1_peer to = {.ip4 = GROUP, .port = daemon_udp_port(gm)};
	assert_int_equal(daemon_udp_send(ks, &to, LOOPBACK, (const uint8_t *)"push1", 5), 0);
	wait_rx(&loop);
	assert_int_equal(gm_rx.n, 1);
	assert_string_equal(gm_rx.data, "push1");
	assert_int_equal(gm_rx.local, GROUP); /* IP_PKTINFO: the group address */
	assert_int_equal(gm_rx.from, LOOPBACK);
	assert_int_equal(ks_rx.n, 0);
	/* the push left through the interface of its source address */
	struct in_addr ifa;
	socklen_t ifa_len = sizeof(ifa);
	assert_int_equal(getsockopt(daemon_udp_fd(ks), IPPROTO_IP, IP_MULTICAST_IF, &ifa, &ifa_len),
			 0);
	assert_int_equal(ntohl(ifa.s_addr), LOOPBACK);

	/* left: nothing more arrives */
	assert_int_equal(daemon_udp_leave(gm, GROUP, LOOPBACK, lo), 0);
	assert_int_equal(daemon_udp_leave(gm, GROUP, LOOPBACK, lo), ERR_IO);
	assert_int_equal(daemon_udp_send(ks, &to, LOOPBACK, (const uint8_t *)"push2", 5), 0);
	deadline = daemon_loop_now() + 200 * NS_PER_MS;
	assert_int_equal(daemon_loop_run(&loop), 0);
	assert_int_equal(gm_rx.n, 1);

	struct daemon_udp_stats st;
	daemon_udp_get_stats(ks, &st);
	assert_int_equal(st.tx, 2);
	assert_int_equal(st.tx_errors, 0);
	daemon_udp_close(gm);
	daemon_udp_close(ks);
	daemon_loop_free(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_multicast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
