#include "diag/log.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "diag/timefmt.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

/*
 * A buffer record is a small header followed by the line without its stamp:
 * the stamp is formatted when the buffer is shown, so it follows the time
 * zone setting of that moment.
 */
enum { REC_HDR = 12 };

static void put_hdr(uint8_t *h, uint64_t wall_ns, uint8_t sev, uint16_t id)
{
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)(wall_ns >> (56 - 8 * i));
	h[8] = sev;
	h[9] = 0;
	h[10] = (uint8_t)(id >> 8);
	h[11] = (uint8_t)id;
}

static void get_hdr(const uint8_t *h, struct diag_record *rec)
{
	uint64_t w = 0;
	for (int i = 0; i < 8; i++)
		w = w << 8 | h[i];
	rec->wall_ns = w;
	rec->severity = h[8];
	rec->id = (enum diag_msg_id)((unsigned)h[10] << 8 | h[11]);
}

int diag_init(struct diag *d, const struct clock *clock)
{
	memset(d, 0, sizeof(*d));
	d->clock = clock;
	d->buf_bytes = DIAG_LOG_DEFAULT_BYTES;
	d->buf_on = true;
	d->local_time = diag_time_local_default();
	d->boot_mono_ns = clock_mono_ns(clock);
	if (pthread_mutex_init(&d->lock, NULL))
		return ERR_NOMEM;
	if (pthread_mutex_init(&d->dbg.lock, NULL)) {
		pthread_mutex_destroy(&d->lock);
		return ERR_NOMEM;
	}
	for (int i = 0; i < DIAG_TRACE_COUNT; i++)
		d->tr.r[i].size = DIAG_TRACE_DEFAULT_SIZE;
	return 0;
}

void diag_free(struct diag *d)
{
	rring_free(&d->buf);
	for (int i = 0; i < DIAG_TRACE_COUNT; i++)
		ring_free(&d->tr.r[i].ring);
	pthread_mutex_destroy(&d->dbg.lock);
	pthread_mutex_destroy(&d->lock);
	memset(d, 0, sizeof(*d));
}

void diag_set_hook(struct diag *d, diag_hook_fn fn, void *arg)
{
	pthread_mutex_lock(&d->lock);
	d->hook = fn;
	d->hook_arg = arg;
	pthread_mutex_unlock(&d->lock);
}

void diag_set_syslog(struct diag *d, bool on)
{
	pthread_mutex_lock(&d->lock);
	d->syslog_on = on;
	pthread_mutex_unlock(&d->lock);
}

void diag_set_local_time(struct diag *d, bool local)
{
	pthread_mutex_lock(&d->lock);
	d->local_time = local;
	pthread_mutex_unlock(&d->lock);
}

int diag_log_set_buffer_size(struct diag *d, size_t bytes)
{
	if (bytes < DIAG_LOG_MIN_BYTES || bytes > DIAG_LOG_MAX_BYTES)
		return ERR_INVAL;
	int rc = 0;
	pthread_mutex_lock(&d->lock);
	if (d->buf.mem)
		rc = rring_resize(&d->buf, bytes);
	if (!rc)
		d->buf_bytes = bytes;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

void diag_log_set_buffered(struct diag *d, bool on)
{
	pthread_mutex_lock(&d->lock);
	d->buf_on = on;
	if (!on)
		rring_free(&d->buf);
	pthread_mutex_unlock(&d->lock);
}

void diag_log_clear(struct diag *d)
{
	pthread_mutex_lock(&d->lock);
	rring_clear(&d->buf);
	pthread_mutex_unlock(&d->lock);
}

void diag_log_get_stats(struct diag *d, struct diag_log_stats *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->st;
	out->overwritten = d->buf.dropped;
	out->buffer_bytes = d->buf_bytes;
	out->buffer_lines = d->buf.count;
	out->syslog_on = d->syslog_on;
	out->buffer_on = d->buf_on;
	pthread_mutex_unlock(&d->lock);
}

int diag_log_foreach(struct diag *d, diag_log_visit_fn fn, void *arg)
{
	uint8_t rec[REC_HDR + DIAG_LINE_MAX];
	size_t pos = 0;
	long len;
	int rc = 0;
	pthread_mutex_lock(&d->lock);
	while (!rc && (len = rring_next(&d->buf, &pos, rec, sizeof(rec))) >= 0) {
		/* Records are written by us and never longer than rec. */
		if (len < REC_HDR || (size_t)len > sizeof(rec))
			continue;
		struct diag_record r;
		get_hdr(rec, &r);
		r.line = (const char *)rec + REC_HDR;
		r.line_len = (size_t)len - REC_HDR;
		const char *colon = r.id == DIAG_MSG_DEBUG ? NULL : memchr(r.line, ':', r.line_len);
		r.text = colon && colon + 2 <= r.line + r.line_len ? colon + 2 : r.line;
		rc = fn(arg, &r);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int diag_log_format_record(struct dbuf *out, const struct diag *d, const struct diag_record *rec)
{
	char stamp[DIAG_TIME_STAMP_LEN];
	diag_time_stamp(stamp, sizeof(stamp), rec->wall_ns, d->local_time);
	return dbuf_printf(out, "%s: %.*s", stamp, (int)rec->line_len, rec->line);
}

/*
 * Rate limit of data-plane messages. A small set-associative table keyed by
 * (message, source): a flood of spoofed sources can only evict entries, so
 * memory stays bounded and at worst a suppressed count is lost.
 * Returns true when the message may pass; *suppressed gets the count to
 * report with it. Called with the lock held.
 */
enum { RL_WAYS = 4 };

static bool rl_pass(struct diag *d, enum diag_msg_id id, uint32_t src, uint64_t now,
		    uint32_t *suppressed)
{
	uint32_t h = (src * 2654435761u) ^ ((uint32_t)id * 40503u);
	struct diag_rl_slot *set = &d->rl[(h % (DIAG_RL_SLOTS / RL_WAYS)) * RL_WAYS];
	struct diag_rl_slot *victim = &set[0];
	*suppressed = 0;
	for (int i = 0; i < RL_WAYS; i++) {
		struct diag_rl_slot *s = &set[i];
		if (s->used && s->id == (uint16_t)id && s->src == src) {
			if (now - s->since_ns < DIAG_RL_INTERVAL_NS) {
				s->suppressed++;
				return false;
			}
			*suppressed = s->suppressed;
			s->suppressed = 0;
			s->since_ns = now;
			return true;
		}
		if (!s->used || (victim->used && s->since_ns < victim->since_ns))
			victim = s;
	}
	*victim =
	    (struct diag_rl_slot){.since_ns = now, .src = src, .id = (uint16_t)id, .used = true};
	return true;
}

/* Store one finished line (without stamp) and hand it to syslog and the hook. */
static void store_line(struct diag *d, enum diag_msg_id id, uint8_t sev, const char *line,
		       size_t len, size_t text_off)
{
	uint8_t rec[REC_HDR + DIAG_LINE_MAX];
	if (len > DIAG_LINE_MAX)
		len = DIAG_LINE_MAX;
	uint64_t wall = clock_wall_ns(d->clock);
	put_hdr(rec, wall, sev, (uint16_t)id);
	memcpy(rec + REC_HDR, line, len);

	pthread_mutex_lock(&d->lock);
	if (d->buf_on) {
		if (!d->buf.mem)
			rring_init(&d->buf, d->buf_bytes);
		if (d->buf.mem)
			rring_push(&d->buf, rec, REC_HDR + len);
	}
	bool to_syslog = d->syslog_on;
	if (to_syslog)
		d->st.syslog_lines++;
	diag_hook_fn hook = d->hook;
	void *hook_arg = d->hook_arg;
	pthread_mutex_unlock(&d->lock);

	/* Outside the lock: syslog(3) may block on a full socket. */
	if (to_syslog)
		syslog(sev, "%.*s", (int)len, line);

	if (hook) {
		char copy[DIAG_LINE_MAX + 1];
		memcpy(copy, line, len);
		copy[len] = '\0';
		struct diag_record r = {.wall_ns = wall,
					.id = id,
					.severity = sev,
					.line = copy,
					.line_len = len,
					.text = copy + (text_off <= len ? text_off : len)};
		hook(hook_arg, &r);
	}
}

void diag_log_emit(struct diag *d, enum diag_msg_id id, uint32_t src, const char *fmt, ...)
{
	const struct diag_msg_def *def = diag_catalog_get(id);
	if (!def)
		return;
	assert(!strcmp(fmt, def->format));
	uint32_t suppressed = 0;
	pthread_mutex_lock(&d->lock);
	bool pass = !(def->flags & DIAG_MF_RATELIMIT) ||
		    rl_pass(d, id, src, clock_mono_ns(d->clock), &suppressed);
	if (pass)
		d->st.messages++;
	else
		d->st.rate_limited++;
	pthread_mutex_unlock(&d->lock);
	if (!pass)
		return;

	char line[DIAG_LINE_MAX + 1];
	int hdr = snprintf(line, sizeof(line), "%%%s-%u-%s: ", diag_facility_name(def->facility),
			   def->severity, def->mnemonic);
	size_t len = (size_t)hdr;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	len = n < 0 ? len : MIN(len + (size_t)n, sizeof(line) - 1);
	if (suppressed) {
		n = snprintf(line + len, sizeof(line) - len, " (%" PRIu32 " similar suppressed)",
			     suppressed);
		len = n < 0 ? len : MIN(len + (size_t)n, sizeof(line) - 1);
	}
	store_line(d, id, def->severity, line, len, (size_t)hdr);
}

void diag_log_debug_line(struct diag *d, const char *line, size_t len)
{
	pthread_mutex_lock(&d->lock);
	d->st.debug_lines++;
	pthread_mutex_unlock(&d->lock);
	store_line(d, DIAG_MSG_DEBUG, LOG_DEBUG, line, len, 0);
}

const char *diag_ip4(uint32_t addr, char buf[static DIAG_IP4_STRLEN])
{
	snprintf(buf, DIAG_IP4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}
