#include "diag/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Month index of a name or prefix of at least three letters, or -1. */
static int month_of(const char *w, size_t n)
{
	static const char *const full[12] = {"january",	  "february", "march",	  "april",
					     "may",	  "june",     "july",	  "august",
					     "september", "october",  "november", "december"};
	if (n < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (n <= strlen(full[i]) && !strncasecmp(w, full[i], n))
			return i;
	return -1;
}

/* Next space-separated word of *s: its start and length (0 at the end). */
static size_t next_word(const char **s, const char **w)
{
	while (**s == ' ')
		(*s)++;
	*w = *s;
	while (**s && **s != ' ')
		(*s)++;
	return (size_t)(*s - *w);
}

/* The time of day "hh:mm[:ss]" of word w (length n) into tm. */
static int parse_tod(const char *w, size_t n, struct tm *tm)
{
	char buf[16];
	if (!n || n >= sizeof(buf))
		return ERR_SYNTAX;
	memcpy(buf, w, n);
	buf[n] = '\0';
	const char *p = buf;
	unsigned h, m, sec = 0;
	if (parse_num(&p, &h) || *p++ != ':' || parse_num(&p, &m))
		return ERR_SYNTAX;
	if (*p == ':' && (p++, parse_num(&p, &sec)))
		return ERR_SYNTAX;
	if (*p)
		return ERR_SYNTAX;
	if (h > 23 || m > 59 || sec > 59)
		return ERR_INVAL;
	tm->tm_hour = (int)h;
	tm->tm_min = (int)m;
	tm->tm_sec = (int)sec;
	return 0;
}

/* A whole word of digits as a number. */
static int word_num(const char *w, size_t n, unsigned *v)
{
	char buf[8];
	if (!n || n >= sizeof(buf))
		return ERR_SYNTAX;
	memcpy(buf, w, n);
	buf[n] = '\0';
	const char *p = buf;
	return parse_num(&p, v) || *p ? ERR_SYNTAX : 0;
}

/* "<day> <month> [<year>]" after the time of day, into tm. */
static int parse_date(const char *s, struct tm *tm)
{
	const char *w;
	size_t n = next_word(&s, &w);
	if (!n)
		return 0;
	unsigned day, year;
	if (word_num(w, n, &day))
		return ERR_SYNTAX;
	n = next_word(&s, &w);
	int mon = month_of(w, n);
	if (mon < 0)
		return ERR_SYNTAX;
	n = next_word(&s, &w);
	if (n) {
		if (word_num(w, n, &year))
			return ERR_SYNTAX;
		if (year < 1970 || year > 9999)
			return ERR_INVAL;
		tm->tm_year = (int)year - 1900;
	}
	if (next_word(&s, &w))
		return ERR_SYNTAX;
	if (day < 1 || day > 31)
		return ERR_INVAL;
	tm->tm_mday = (int)day;
	tm->tm_mon = mon;
	return 0;
}

int diag_time_parse_clock(const char *s, uint64_t now_wall_ns, bool local, uint64_t *wall_ns)
{
	struct tm tm;
	unsigned ms;
	char zone[16];
	split(now_wall_ns, local, &tm, &ms, zone, sizeof(zone));
	const char *w;
	size_t n = next_word(&s, &w);
	int rc = parse_tod(w, n, &tm);
	if (!rc)
		rc = parse_date(s, &tm);
	if (rc)
		return rc;
	int mday = tm.tm_mday;
	tm.tm_isdst = -1;
	time_t t = local ? mktime(&tm) : timegm(&tm);
	/* mktime/timegm normalise 31 Nov into 1 Dec: refuse such dates. */
	if (t < 0 || tm.tm_mday != mday)
		return ERR_INVAL;
	*wall_ns = (uint64_t)t * NS_PER_SEC;
	return 0;
}
