#include "diag/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag/log.h"
#include "diag/timefmt.h"
#include "util/dbuf.h"
#include "util/err.h"

static const struct {
	const char *name;
	const char *help;
	const char *tag;
} rings[DIAG_TRACE_COUNT] = {
    [DIAG_TRACE_COOP] = {"coop", "GDOI COOP Event Traces", "GDOI_COOP_EVENT"},
    [DIAG_TRACE_EXIT] = {"exit", "GDOI Exit Traces", ""},
    [DIAG_TRACE_INFRA] = {"infra", "GDOI INFRA Event Traces", "GDOI_INFRA_EVENT"},
    [DIAG_TRACE_REGISTRATION] = {"registration", "GDOI Registration event Traces",
				 "GDOI_REG_EVENT"},
    [DIAG_TRACE_REKEY] = {"rekey", "GDOI Rekey event Traces", "GDOI_REKEY_EVENT"},
};

const char *diag_trace_ring_name(enum diag_trace_ring ring)
{
	return (unsigned)ring < DIAG_TRACE_COUNT ? rings[ring].name : NULL;
}

const char *diag_trace_ring_help(enum diag_trace_ring ring)
{
	return (unsigned)ring < DIAG_TRACE_COUNT ? rings[ring].help : NULL;
}

const char *diag_trace_ring_tag(enum diag_trace_ring ring)
{
	return (unsigned)ring < DIAG_TRACE_COUNT ? rings[ring].tag : NULL;
}

int diag_trace_ring_find(const char *name)
{
	for (int i = 0; i < DIAG_TRACE_COUNT; i++)
		if (!strcmp(name, rings[i].name))
			return i;
	return -1;
}

/*
 * New zeroed entry in a ring, or NULL when the ring is disabled or cannot
 * get memory (tracing never fails its caller). Called with the lock held.
 */
static struct diag_trace_entry *new_entry(struct diag *d, enum diag_trace_ring ring,
					  const char *group, uint32_t peer)
{
	if ((unsigned)ring >= DIAG_TRACE_COUNT)
		return NULL;
	struct diag_trace_ring_state *r = &d->tr.r[ring];
	if (r->disabled)
		return NULL;
	if (!r->ring.slots && ring_init(&r->ring, sizeof(struct diag_trace_entry), r->size))
		return NULL;
	struct diag_trace_entry *e = ring_push(&r->ring);
	e->seq = ++d->tr.seq;
	e->wall_ns = clock_wall_ns(d->clock);
	e->mono_ns = clock_mono_ns(d->clock);
	e->peer = peer;
	if (group)
		snprintf(e->group, sizeof(e->group), "%s", group);
	return e;
}

void diag_trace(struct diag *d, enum diag_trace_ring ring, const char *group, uint32_t peer,
		const char *fmt, ...)
{
	pthread_mutex_lock(&d->lock);
	struct diag_trace_entry *e = new_entry(d, ring, group, peer);
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&d->lock);
}

void diag_trace_exit_at(struct diag *d, const char *file, unsigned line, const char *code, int err,
			const char *group, uint32_t peer, const char *fmt, ...)
{
	pthread_mutex_lock(&d->lock);
	struct diag_trace_entry *e = new_entry(d, DIAG_TRACE_EXIT, group, peer);
	if (e) {
		e->file = file;
		e->line = line;
		e->err = err;
		int n = snprintf(e->text, sizeof(e->text), "%s:", code);
		if (n >= 0 && (size_t)n < sizeof(e->text)) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(e->text + n, sizeof(e->text) - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	pthread_mutex_unlock(&d->lock);
}

int diag_trace_set_size(struct diag *d, enum diag_trace_ring ring, size_t entries)
{
	if ((unsigned)ring >= DIAG_TRACE_COUNT || entries < 1 || entries > DIAG_TRACE_MAX_SIZE)
		return ERR_INVAL;
	int rc = 0;
	pthread_mutex_lock(&d->lock);
	struct diag_trace_ring_state *r = &d->tr.r[ring];
	if (r->ring.slots)
		rc = ring_resize(&r->ring, entries);
	if (!rc)
		r->size = entries;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

void diag_trace_clear(struct diag *d, enum diag_trace_ring ring)
{
	if ((unsigned)ring >= DIAG_TRACE_COUNT)
		return;
	pthread_mutex_lock(&d->lock);
	ring_clear(&d->tr.r[ring].ring);
	pthread_mutex_unlock(&d->lock);
}

void diag_trace_enable(struct diag *d, enum diag_trace_ring ring, bool on)
{
	if ((unsigned)ring >= DIAG_TRACE_COUNT)
		return;
	pthread_mutex_lock(&d->lock);
	d->tr.r[ring].disabled = !on;
	pthread_mutex_unlock(&d->lock);
}

void diag_trace_params(struct diag *d, enum diag_trace_ring ring, struct diag_trace_params *out)
{
	memset(out, 0, sizeof(*out));
	if ((unsigned)ring >= DIAG_TRACE_COUNT)
		return;
	pthread_mutex_lock(&d->lock);
	const struct diag_trace_ring_state *r = &d->tr.r[ring];
	out->size = r->size;
	out->count = r->ring.count;
	out->enabled = !r->disabled;
	pthread_mutex_unlock(&d->lock);
}

/* Does an entry fall in the query's time selection? */
static bool selected(const struct diag *d, const struct diag_trace_query *q,
		     const struct diag_trace_ring_state *r, const struct diag_trace_entry *e,
		     uint64_t now_mono)
{
	switch (q->when) {
	case DIAG_TRACE_WHEN_ALL:
		return true;
	case DIAG_TRACE_WHEN_LATEST:
		return e->seq > r->shown;
	case DIAG_TRACE_WHEN_BACK:
		return e->mono_ns + q->arg_ns >= now_mono;
	case DIAG_TRACE_WHEN_CLOCK:
		return e->wall_ns >= q->arg_ns;
	case DIAG_TRACE_WHEN_FROM_BOOT:
		return e->mono_ns >= d->boot_mono_ns + q->arg_ns;
	}
	return false;
}

/* Ring of the next entry in insertion order among the selected rings, or -1. */
static int next_merged(const struct diag *d, unsigned mask, const size_t *pos)
{
	int best = -1;
	uint64_t best_seq = UINT64_MAX;
	for (int i = 0; i < DIAG_TRACE_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		const struct diag_trace_entry *e = ring_get(&d->tr.r[i].ring, pos[i]);
		if (e && e->seq < best_seq) {
			best = i;
			best_seq = e->seq;
		}
	}
	return best;
}

static int walk(struct diag *d, const struct diag_trace_query *q, diag_trace_visit_fn fn, void *arg)
{
	uint64_t now = clock_mono_ns(d->clock);
	unsigned mask = q->rings & DIAG_TRACE_ALL_RINGS;
	size_t pos[DIAG_TRACE_COUNT] = {0};
	int rc = 0;
	if (q->merged) {
		int i;
		while (!rc && (i = next_merged(d, mask, pos)) >= 0) {
			const struct diag_trace_entry *e = ring_get(&d->tr.r[i].ring, pos[i]++);
			if (selected(d, q, &d->tr.r[i], e, now))
				rc = fn(arg, (enum diag_trace_ring)i, e);
		}
		return rc;
	}
	for (int i = 0; i < DIAG_TRACE_COUNT && !rc; i++) {
		if (!(mask & (1u << i)))
			continue;
		const struct diag_trace_entry *e;
		for (size_t k = 0; !rc && (e = ring_get(&d->tr.r[i].ring, k)); k++)
			if (selected(d, q, &d->tr.r[i], e, now))
				rc = fn(arg, (enum diag_trace_ring)i, e);
	}
	return rc;
}

int diag_trace_query(struct diag *d, const struct diag_trace_query *q, diag_trace_visit_fn fn,
		     void *arg)
{
	pthread_mutex_lock(&d->lock);
	int rc = walk(d, q, fn, arg);
	for (int i = 0; i < DIAG_TRACE_COUNT; i++) {
		struct diag_trace_ring_state *r = &d->tr.r[i];
		const struct diag_trace_entry *newest =
		    r->ring.count ? ring_get(&r->ring, r->ring.count - 1) : NULL;
		if ((q->rings & (1u << i)) && newest)
			r->shown = newest->seq;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int diag_trace_format_text(struct dbuf *out, enum diag_trace_ring ring,
			   const struct diag_trace_entry *e)
{
	const char *tag = diag_trace_ring_tag(ring);
	if (tag && *tag)
		return dbuf_printf(out, "%s: %s", tag, e->text);
	return dbuf_printf(out, "%s", e->text);
}

/*
 * Path from the last "src/" or "tests/" directory on, so traces do not
 * depend on where the tree was built.
 */
static const char *short_path(const char *file)
{
	static const char *const roots[] = {"src/", "tests/"};
	const char *best = NULL;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		for (const char *p = strstr(file, roots[i]); p; p = strstr(p + 1, roots[i]))
			if ((p == file || p[-1] == '/') && (!best || p > best))
				best = p;
	return best ? best : file;
}

int diag_trace_format_location(struct dbuf *out, enum diag_trace_ring ring,
			       const struct diag_trace_entry *e)
{
	if (ring != DIAG_TRACE_EXIT || !e->file)
		return 0;
	return dbuf_printf(out, "-Traceback= %s:%" PRIu32 " (%s)", short_path(e->file), e->line,
			   err_name(e->err));
}

int diag_trace_format(struct dbuf *out, const struct diag *d, enum diag_trace_ring ring,
		      const struct diag_trace_entry *e, bool detail)
{
	char stamp[DIAG_TIME_STAMP_LEN];
	diag_time_stamp(stamp, sizeof(stamp), e->wall_ns, d->local_time);
	int rc = dbuf_printf(out, "%s: ", stamp);
	if (!rc)
		rc = diag_trace_format_text(out, ring, e);
	if (!rc)
		rc = dbuf_putc(out, '\n');
	if (!rc && detail && ring == DIAG_TRACE_EXIT && e->file) {
		rc = diag_trace_format_location(out, ring, e);
		if (!rc)
			rc = dbuf_putc(out, '\n');
	}
	return rc;
}
