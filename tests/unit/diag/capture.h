/* Helpers for the diag tests: a fake clock and a hook that keeps the lines. */
#ifndef GVPN_TEST_DIAG_CAPTURE_H
#define GVPN_TEST_DIAG_CAPTURE_H

#include <string.h>

#include "diag/log.h"

enum { CAPTURE_MAX = 16 };

/* The newest CAPTURE_MAX records handed to the hook, and how many came. */
struct capture {
	size_t n;
	enum diag_msg_id id[CAPTURE_MAX];
	uint8_t sev[CAPTURE_MAX];
	char line[CAPTURE_MAX][DIAG_LINE_MAX + 1];
	char text[CAPTURE_MAX][DIAG_LINE_MAX + 1];
};

static inline void capture_hook(void *arg, const struct diag_record *rec)
{
	struct capture *c = arg;
	size_t i = c->n++ % CAPTURE_MAX;
	c->id[i] = rec->id;
	c->sev[i] = rec->severity;
	snprintf(c->line[i], sizeof(c->line[i]), "%.*s", (int)rec->line_len, rec->line);
	snprintf(c->text[i], sizeof(c->text[i]), "%s", rec->text);
}

/* Line of the newest record ("" if none). */
static inline const char *capture_last(const struct capture *c)
{
	return c->n ? c->line[(c->n - 1) % CAPTURE_MAX] : "";
}

/* 2026-11-22 12:34:56.789 UTC, a Sunday. */
#define TEST_WALL_NS (1795350896789ULL * NS_PER_MS)
#define TEST_MONO_NS (1000 * NS_PER_SEC)

/* d with a fake clock at TEST_WALL_NS, UTC stamps and c capturing lines. */
static inline void capture_setup(struct diag *d, struct clock *clk, struct capture *c)
{
	clock_fake_init(clk, TEST_MONO_NS, TEST_WALL_NS);
	assert_int_equal(diag_init(d, clk), 0);
	diag_set_local_time(d, false);
	memset(c, 0, sizeof(*c));
	diag_set_hook(d, capture_hook, c);
}

#endif
