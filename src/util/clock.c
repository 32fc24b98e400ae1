#include "util/clock.h"

#include <time.h>

static uint64_t read_clock(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t sys_mono(const struct clock *c)
{
	(void)c;
	return read_clock(CLOCK_MONOTONIC);
}

static uint64_t sys_wall(const struct clock *c)
{
	(void)c;
	return read_clock(CLOCK_REALTIME);
}

const struct clock clock_system = {.mono_ns = sys_mono, .wall_ns = sys_wall};

static uint64_t fake_mono(const struct clock *c)
{
	return c->fake_mono;
}

static uint64_t fake_wall(const struct clock *c)
{
	return c->fake_wall;
}

void clock_fake_init(struct clock *c, uint64_t mono_ns, uint64_t wall_ns)
{
	c->mono_ns = fake_mono;
	c->wall_ns = fake_wall;
	c->fake_mono = mono_ns;
	c->fake_wall = wall_ns;
}

void clock_fake_advance(struct clock *c, uint64_t ns)
{
	c->fake_mono += ns;
	c->fake_wall += ns;
}

void clock_fake_set(struct clock *c, uint64_t mono_ns)
{
	if (mono_ns > c->fake_mono)
		clock_fake_advance(c, mono_ns - c->fake_mono);
}
