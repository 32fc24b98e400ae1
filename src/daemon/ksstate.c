#include "daemon/ksstate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "daemon/file.h"
#include "diag/log.h"
#include "gdoi/ks.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

enum {
	STATE_MAX_BYTES = 256 * 1024 * 1024, /* far above a million members */
};

/* One line to stderr, and to syslog when the daemon logs there. */
static void report(const struct daemon_ksstate *s, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report(const struct daemon_ksstate *s, int prio, const char *fmt, ...)
{
	char line[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gvpnd: %s\n", line);
	if (s->diag && s->diag->syslog_on)
		syslog(prio, "%s", line);
}

void daemon_ksstate_write(struct daemon_ksstate *s, const uint8_t *blob, size_t len)
{
	if (!s->dir)
		return;
	int rc = daemon_file_write(s->dir, DAEMON_KS_STATE_FILE, blob, len);
	if (rc && !s->failing)
		report(s, LOG_ERR, "cannot write the key server state %s/%s: %s%s%s", s->dir,
		       DAEMON_KS_STATE_FILE, err_name(rc), rc == ERR_IO ? ": " : "",
		       rc == ERR_IO ? strerror(errno) : "");
	else if (!rc && s->failing)
		report(s, LOG_NOTICE, "key server state %s/%s written again", s->dir,
		       DAEMON_KS_STATE_FILE);
	s->failing = rc != 0;
}

void daemon_ksstate_flush(struct daemon_ksstate *s, const struct gdoi_ks *ks, uint64_t now)
{
	if (!s->dir || !ks)
		return;
	struct dbuf d = DBUF_INIT;
	d.secret = true;
	int rc = gdoi_ks_state_save(ks, now, &d);
	if (rc)
		report(s, LOG_ERR, "cannot save the key server state: %s", err_name(rc));
	else
		daemon_ksstate_write(s, d.p, d.len);
	dbuf_free(&d);
}

static const char *why_unusable(int rc)
{
	switch (rc) {
	case ERR_AUTH:
		return "checksum mismatch";
	case ERR_PROTO:
		return "malformed";
	case ERR_UNSUPP:
		return "unknown format version";
	case ERR_LIMIT:
		return "too large";
	case ERR_INVAL:
		return "readable by group or others";
	default:
		return NULL; /* not the file's fault: it stays */
	}
}

/* Rename the unusable file to ks-state.corrupt-<UTC stamp>; the new name in to. */
static int move_aside(const struct daemon_ksstate *s, char *to, size_t to_len)
{
	time_t t = (time_t)(clock_wall_ns(s->clock) / NS_PER_SEC);
	struct tm tm;
	char stamp[32] = "0";
	if (gmtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	char from[4096];
	snprintf(from, sizeof(from), "%s/%s", s->dir, DAEMON_KS_STATE_FILE);
	snprintf(to, to_len, "%s/%s%s", s->dir, DAEMON_KS_STATE_CORRUPT, stamp);
	return rename(from, to) ? ERR_IO : 0;
}

/* Wall time since the file was written, 0 when the clock is behind it. */
static uint64_t age_ns(const struct daemon_ksstate *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", s->dir, DAEMON_KS_STATE_FILE);
	struct stat st;
	if (stat(path, &st))
		return 0;
	uint64_t mtime = (uint64_t)st.st_mtim.tv_sec * NS_PER_SEC + (uint64_t)st.st_mtim.tv_nsec;
	uint64_t wall = clock_wall_ns(s->clock);
	return wall > mtime ? wall - mtime : 0;
}

int daemon_ksstate_load(struct daemon_ksstate *s, struct gdoi_ks *ks, uint64_t now)
{
	if (!s->dir || !ks)
		return ERR_NOTFOUND;
	struct dbuf d = DBUF_INIT;
	d.secret = true;
	int rc = daemon_file_read(s->dir, DAEMON_KS_STATE_FILE, STATE_MAX_BYTES, &d);
	if (rc == ERR_NOTFOUND) {
		dbuf_free(&d);
		return rc;
	}
	uint64_t age = age_ns(s);
	if (!rc)
		rc = gdoi_ks_state_load(ks, d.p, d.len, now, age);
	dbuf_free(&d);
	if (!rc) {
		report(s, LOG_NOTICE, "key server state loaded from %s/%s (saved %llu s ago)",
		       s->dir, DAEMON_KS_STATE_FILE, (unsigned long long)(age / NS_PER_SEC));
		return 0;
	}
	const char *why = why_unusable(rc);
	if (!why) {
		report(s, LOG_ERR,
		       "cannot load the key server state %s/%s: %s; the key server starts with "
		       "fresh keys",
		       s->dir, DAEMON_KS_STATE_FILE, err_name(rc));
		return rc;
	}
	char to[4096];
	if (move_aside(s, to, sizeof(to)))
		report(s, LOG_ERR,
		       "key server state %s/%s is unusable (%s) and cannot be moved aside: %s; "
		       "the key server starts with fresh keys",
		       s->dir, DAEMON_KS_STATE_FILE, why, strerror(errno));
	else
		report(s, LOG_ERR,
		       "key server state %s/%s is unusable (%s), moved to %s; the key server "
		       "starts with fresh keys",
		       s->dir, DAEMON_KS_STATE_FILE, why, to);
	return rc;
}
