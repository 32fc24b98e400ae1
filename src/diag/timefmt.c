#include "diag/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <time.h>

#include "util/clock.h"
#include "util/err.h"

/* Our own names: strftime's %a/%b follow the locale, IOS output does not. */
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

bool diag_time_local_default(void)
{
	const char *tz = getenv("TZ");
	return tz && *tz;
}

/* Broken-down time and milliseconds; *zone gets the zone abbreviation. */
static void split(uint64_t wall_ns, bool local, struct tm *tm, unsigned *ms, char *zone,
		  size_t zone_len)
{
	time_t secs = (time_t)(wall_ns / NS_PER_SEC);
	*ms = (unsigned)(wall_ns % NS_PER_SEC / NS_PER_MS);
	memset(tm, 0, sizeof(*tm));
	if (local) {
		tzset();
		localtime_r(&secs, tm);
		if (!strftime(zone, zone_len, "%Z", tm))
			snprintf(zone, zone_len, "%s", "UTC");
	} else {
		gmtime_r(&secs, tm);
		snprintf(zone, zone_len, "%s", "UTC");
	}
	/* Out-of-range fields would index past the name tables. */
	if (tm->tm_mon < 0 || tm->tm_mon > 11)
		tm->tm_mon = 0;
	if (tm->tm_wday < 0 || tm->tm_wday > 6)
		tm->tm_wday = 0;
}

static size_t outlen(int n)
{
	return n < 0 ? 0 : (size_t)n;
}

size_t diag_time_stamp(char *buf, size_t n, uint64_t wall_ns, bool local)
{
	struct tm tm;
	unsigned ms;
	char zone[16];
	split(wall_ns, local, &tm, &ms, zone, sizeof(zone));
	return outlen(snprintf(buf, n, "*%s %2d %02d:%02d:%02d.%03u", months[tm.tm_mon], tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec, ms));
}

size_t diag_time_clock(char *buf, size_t n, uint64_t wall_ns, bool local)
{
	struct tm tm;
	unsigned ms;
	char zone[16];
	split(wall_ns, local, &tm, &ms, zone, sizeof(zone));
	return outlen(snprintf(buf, n, "%02d:%02d:%02d.%03u %s %s %s %d %d", tm.tm_hour, tm.tm_min,
			       tm.tm_sec, ms, zone, days[tm.tm_wday], months[tm.tm_mon], tm.tm_mday,
			       tm.tm_year + 1900));
}

size_t diag_time_source_line(char *buf, size_t n, const char *source, bool authoritative,
			     uint64_t wall_ns, bool local)
{
	char clk[DIAG_TIME_CLOCK_LEN];
	diag_time_clock(clk, sizeof(clk), wall_ns, local);
	return outlen(
	    snprintf(buf, n, "Time source is %s, %s%s", source, authoritative ? "" : "*", clk));
}

void diag_time_source_detect(const char **source, bool *authoritative)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	int state = adjtimex(&tx);
	bool synced = state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
	*source = synced ? "NTP" : "hardware calendar";
	*authoritative = synced;
}

static int parse_num(const char **s, unsigned *v)
{
	const char *p = *s;
	unsigned n = 0;
	int digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 6) {
		n = n * 10 + (unsigned)(*p - '0');
		p++;
		digits++;
	}
	if (!digits || (*p >= '0' && *p <= '9'))
		return ERR_SYNTAX;
	*v = n;
	*s = p;
	return 0;
}

int diag_time_parse_hhmm(const char *s, uint64_t *ns)
{
	unsigned h, m;
	if (parse_num(&s, &h) || *s++ != ':' || parse_num(&s, &m) || *s)
		return ERR_SYNTAX;
	if (m > 59)
		return ERR_INVAL;
	*ns = ((uint64_t)h * 3600 + m * 60) * NS_PER_SEC;
	return 0;
}
