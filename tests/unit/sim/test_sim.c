/*
 * The simulator itself, driven by a toy request/response engine that
 * retransmits until answered: delivery order, loss, duplication, down nodes,
 * multicast, and determinism for a seed.
 */
#include "test.h"

#include "sim.h"

enum { PORT = 848 };

struct toy {
	struct sim *sim;
	uint32_t addr, peer;
	bool client;
	uint64_t next_send; /* CLOCK_NEVER once answered */
	int sent, received, answered;
	uint64_t answered_at;
};

static void toy_input(void *e, uint64_t now, uint32_t src, uint16_t sport, uint32_t dst,
		      uint16_t dport, const uint8_t *p, size_t len)
{
	struct toy *t = e;
	(void)dst;
	(void)dport;
	t->received++;
	if (!t->client) {
		sim_send(t->sim, t->addr, PORT, src, sport, p, len); /* echo */
		return;
	}
	if (t->next_send != CLOCK_NEVER) {
		t->answered++;
		t->answered_at = now;
		t->next_send = CLOCK_NEVER;
	}
}

static void toy_tick(void *e, uint64_t now)
{
	struct toy *t = e;
	if (t->next_send == CLOCK_NEVER || now < t->next_send)
		return;
	uint8_t msg[4] = {1, 2, 3, 4};
	sim_send(t->sim, t->addr, PORT, t->peer, PORT, msg, sizeof(msg));
	t->sent++;
	t->next_send = now + NS_PER_SEC; /* retransmit every second */
}

static uint64_t toy_deadline(void *e)
{
	struct toy *t = e;
	return t->client ? t->next_send : CLOCK_NEVER;
}

static const struct sim_node_ops toy_ops = {toy_input, toy_tick, toy_deadline};

static bool all_answered(void *arg)
{
	struct toy *clients = arg;
	for (int i = 0; i < 100; i++)
		if (!clients[i].answered)
			return false;
	return true;
}

/* 100 clients, one server, lossy links: everyone gets through by retransmitting. */
static uint64_t run_lossy(uint64_t seed, struct sim_stats *out)
{
	struct sim_link link = {.loss = 0.3, .duplicate = 0.05, .delay_min_ns = NS_PER_MS,
				.delay_max_ns = 20 * NS_PER_MS};
	struct sim *s = sim_new(seed, 0, &link);
	struct toy server = {.sim = s, .addr = 0x0a000001, .next_send = CLOCK_NEVER};
	static struct toy clients[100];
	sim_node_add(s, server.addr, &toy_ops, &server);
	for (int i = 0; i < 100; i++) {
		clients[i] = (struct toy){.sim = s, .addr = 0x0a000100u + (uint32_t)i,
					  .peer = server.addr, .client = true, .next_send = 0};
		sim_node_add(s, clients[i].addr, &toy_ops, &clients[i]);
	}
	assert_true(sim_run_until_cond(s, 120 * NS_PER_SEC, all_answered, clients));
	uint64_t sum = 0;
	for (int i = 0; i < 100; i++) {
		assert_int_equal(clients[i].answered, 1);
		sum = sum * 31 + clients[i].answered_at + (uint64_t)clients[i].sent;
	}
	*out = *sim_stats(s);
	assert_true(out->lost > 0);
	assert_true(out->duplicated > 0);
	sim_free(s);
	return sum;
}

static void test_loss_is_recovered_and_runs_are_deterministic(void **state)
{
	(void)state;
	struct sim_stats a, b, c;
	uint64_t r1 = run_lossy(42, &a);
	uint64_t r2 = run_lossy(42, &b);
	uint64_t r3 = run_lossy(43, &c);
	assert_int_equal(r1, r2);
	assert_int_equal(a.lost, b.lost);
	assert_int_equal(a.events, b.events);
	assert_int_not_equal(r1, r3);
}

static void test_down_node_gets_nothing_and_time_advances(void **state)
{
	(void)state;
	struct sim *s = sim_new(1, 1000, NULL);
	struct toy server = {.sim = s, .addr = 1, .next_send = CLOCK_NEVER};
	struct toy client = {.sim = s, .addr = 2, .peer = 1, .client = true, .next_send = 1000};
	struct sim_node *sn = sim_node_add(s, 1, &toy_ops, &server);
	sim_node_add(s, 2, &toy_ops, &client);
	sim_node_set_up(sn, false);
	sim_run_until(s, 5 * NS_PER_SEC + 1000);
	assert_int_equal(sim_now(s), 5 * NS_PER_SEC + 1000);
	assert_int_equal(client.sent, 6); /* t = 0, 1, ..., 5 s */
	assert_int_equal(server.received, 0);
	assert_int_equal(sim_stats(s)->to_down_node, 5);
	sim_node_set_up(sn, true);
	sim_run_until(s, 7 * NS_PER_SEC);
	assert_int_equal(client.answered, 1);
	/* The request sent at 5 s was still in flight (1 ms link) when the
	 * server came back, so it is answered: 1 ms there, 1 ms back. */
	assert_int_equal(client.answered_at, 5 * NS_PER_SEC + 1000 + 2 * NS_PER_MS);
	assert_int_equal(clock_mono_ns(sim_clock(s)), sim_now(s));
	sim_free(s);
}

static void test_multicast_reaches_every_member_but_the_sender(void **state)
{
	(void)state;
	struct sim *s = sim_new(7, 0, NULL);
	struct toy members[5];
	for (uint32_t i = 0; i < 5; i++) {
		members[i] = (struct toy){.sim = s, .addr = 10 + i, .client = true,
					  .next_send = CLOCK_NEVER};
		struct sim_node *n = sim_node_add(s, 10 + i, &toy_ops, &members[i]);
		if (i != 3)
			sim_node_join(n, 0xefc001be); /* 239.192.1.190 */
	}
	sim_send(s, 10, PORT, 0xefc001be, PORT, "x", 1);
	sim_run_until(s, NS_PER_SEC);
	assert_int_equal(members[0].received, 0); /* sender */
	assert_int_equal(members[1].received, 1);
	assert_int_equal(members[2].received, 1);
	assert_int_equal(members[3].received, 0); /* not joined */
	assert_int_equal(members[4].received, 1);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_loss_is_recovered_and_runs_are_deterministic),
		TEST(test_down_node_gets_nothing_and_time_advances),
		TEST(test_multicast_reaches_every_member_but_the_sender),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
