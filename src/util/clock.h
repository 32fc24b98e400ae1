/*
 * Time. Engines never read a clock: the caller passes `now` (monotonic
 * nanoseconds) in. Code that needs to read time itself (the daemon loop,
 * the log buffer's wall-clock stamps) goes through a struct clock, which
 * tests replace with a fake one they advance by hand.
 */
#ifndef GVPN_UTIL_CLOCK_H
#define GVPN_UTIL_CLOCK_H

#include <stdint.h>

#define NS_PER_US 1000ULL
#define NS_PER_MS 1000000ULL
#define NS_PER_SEC 1000000000ULL
#define CLOCK_NEVER UINT64_MAX /* "no deadline" */

struct clock {
	uint64_t (*mono_ns)(const struct clock *c); /* monotonic, arbitrary origin */
	uint64_t (*wall_ns)(const struct clock *c); /* since the Unix epoch */
	uint64_t fake_mono;                         /* used by the fake clock only */
	uint64_t fake_wall;
};

extern const struct clock clock_system;

static inline uint64_t clock_mono_ns(const struct clock *c)
{
	return c->mono_ns(c);
}
static inline uint64_t clock_wall_ns(const struct clock *c)
{
	return c->wall_ns(c);
}

/* A clock that only moves when told to. */
void clock_fake_init(struct clock *c, uint64_t mono_ns, uint64_t wall_ns);
void clock_fake_advance(struct clock *c, uint64_t ns);
void clock_fake_set(struct clock *c, uint64_t mono_ns);

#endif
