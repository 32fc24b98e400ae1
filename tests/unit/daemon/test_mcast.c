/*
 * daemon/mcast: the GDOI socket joins the group address of each installed
 * multicast KEK on the crypto-map interface, once per address, and leaves
 * it when no policy asks for it any more (removal, unicast transport, a
 * new address or interface). A failed join is not retried at every event.
 */
#include "test.h"

#include "daemon/mcast.h"
#include "gdoi/policy.h"
#include "util/err.h"

#define G1 0xefc001beu /* 239.192.1.190 */
#define G2 0xefc001bfu

struct call {
	bool join;
	uint32_t group;
	int ifindex;
};

static struct call calls[16];
static size_t ncalls;
static int fail_join;

static int record(void *arg, bool join, const struct daemon_mcast_member *m)
{
	(void)arg;
	assert_true(ncalls < 16);
	calls[ncalls++] = (struct call){join, m->group, m->ifindex};
	return join && fail_join ? ERR_IO : 0;
}

static void kek(struct gdoi_policy *p, bool multicast, uint32_t addr)
{
	memset(p, 0, sizeof(*p));
	p->has_kek = true;
	p->kek.multicast = multicast;
	p->kek.mcast_addr = addr;
}

static void test_wanted(void **state)
{
	(void)state;
	struct gdoi_policy a, b, c, u;
	kek(&a, true, G1);
	kek(&b, true, G1); /* a second group with the same address */
	kek(&c, true, G2);
	kek(&u, false, 0);
	struct daemon_mcast_member want[DAEMON_MCAST_MAX];
	size_t n = 0;
	daemon_mcast_want(&a, 7, want, &n);
	daemon_mcast_want(&b, 7, want, &n);
	daemon_mcast_want(&u, 7, want, &n);
	daemon_mcast_want(NULL, 7, want, &n);
	daemon_mcast_want(&c, 7, want, &n);
	assert_int_equal(n, 2);
	assert_int_equal(want[0].group, G1);
	assert_int_equal(want[0].ifindex, 7);
	assert_int_equal(want[1].group, G2);
	/* no KEK (not registered): nothing */
	a.has_kek = false;
	n = 0;
	daemon_mcast_want(&a, 7, want, &n);
	assert_int_equal(n, 0);
	assert_int_equal(daemon_mcast_wanted(NULL, 7, want), 0);
}

static void test_sync(void **state)
{
	(void)state;
	struct daemon_mcast s = {0};
	ncalls = 0;
	fail_join = 0;
	struct daemon_mcast_member w1[] = {{G1, 3}};
	assert_int_equal(daemon_mcast_sync(&s, w1, 1, record, NULL), 0);
	assert_int_equal(ncalls, 1);
	assert_true(calls[0].join);
	assert_int_equal(calls[0].group, G1);
	assert_int_equal(calls[0].ifindex, 3);
	/* the same again (every event): nothing */
	assert_int_equal(daemon_mcast_sync(&s, w1, 1, record, NULL), 0);
	assert_int_equal(ncalls, 1);
	/* a rekey moves the group to another address: leave the old, join the new */
	struct daemon_mcast_member w2[] = {{G2, 3}};
	assert_int_equal(daemon_mcast_sync(&s, w2, 1, record, NULL), 0);
	assert_int_equal(ncalls, 3);
	assert_false(calls[1].join);
	assert_int_equal(calls[1].group, G1);
	assert_true(calls[2].join);
	assert_int_equal(calls[2].group, G2);
	/* the crypto map's interface changed (reload): leave and join on the new one */
	struct daemon_mcast_member w3[] = {{G2, 4}};
	assert_int_equal(daemon_mcast_sync(&s, w3, 1, record, NULL), 0);
	assert_int_equal(ncalls, 5);
	assert_int_equal(calls[3].ifindex, 3);
	assert_int_equal(calls[4].ifindex, 4);
	/* unicast transport or the policy removed: leave */
	assert_int_equal(daemon_mcast_sync(&s, NULL, 0, record, NULL), 0);
	assert_int_equal(ncalls, 6);
	assert_false(calls[5].join);
	assert_int_equal(s.n, 0);
	/* a failed join is reported once, then counts as joined */
	fail_join = 1;
	assert_int_equal(daemon_mcast_sync(&s, w1, 1, record, NULL), ERR_IO);
	assert_int_equal(daemon_mcast_sync(&s, w1, 1, record, NULL), 0);
	assert_int_equal(ncalls, 7);
	assert_int_equal(s.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_wanted),
	    TEST(test_sync),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
