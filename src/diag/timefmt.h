/*
 * IOS time formats.
 *
 *   log stamp   "*Nov  6 15:55:16.117"   syslog buffer, debug lines, event traces
 *   clock       "19:29:32.081 EST Wed Nov 13 2013"   show clock, TBAR history
 *   source line "Time source is NTP, 12:34:56.789 UTC Sun Nov 22 2026"
 *
 * Times are wall-clock nanoseconds since the Unix epoch (clock_wall_ns()).
 * `local` selects the local time zone (TZ) instead of UTC; names of months
 * and days never depend on the locale. Every formatter writes a
 * NUL-terminated string (truncated to fit n) and returns the length it
 * needed, like snprintf.
 */
#ifndef GVPN_DIAG_TIMEFMT_H
#define GVPN_DIAG_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	DIAG_TIME_STAMP_LEN = 24, /* "*Nov 22 12:34:56.789" + NUL, with room */
	DIAG_TIME_CLOCK_LEN = 64,
	DIAG_TIME_SOURCE_LEN = 128,
};

/*
 * true when the TZ environment variable names a zone: gvpn prints UTC
 * unless the operator asked for local time that way.
 */
bool diag_time_local_default(void);

/* "*Mon dd hh:mm:ss.mmm", day padded with a space as IOS does ("Nov  6"). */
size_t diag_time_stamp(char *buf, size_t n, uint64_t wall_ns, bool local);

/* "hh:mm:ss.mmm TZ Day Mon d yyyy", day not padded. */
size_t diag_time_clock(char *buf, size_t n, uint64_t wall_ns, bool local);

/*
 * Header printed before every show with `terminal exec prompt timestamp`:
 * "Time source is <source>, [*]<clock>". The star marks a clock that is not
 * authoritative (not synchronised), as on IOS.
 */
size_t diag_time_source_line(char *buf, size_t n, const char *source, bool authoritative,
			     uint64_t wall_ns, bool local);

/*
 * What the system clock is synchronised to: *source = "NTP" and
 * *authoritative = true when the kernel says the clock is synchronised,
 * "hardware calendar" and false otherwise.
 */
void diag_time_source_detect(const char **source, bool *authoritative);

/*
 * Parse "hh:mm" (the argument of `show monitor event-trace ... back`) into
 * nanoseconds. 0, ERR_SYNTAX (not hh:mm) or ERR_INVAL (minutes > 59).
 */
int diag_time_parse_hhmm(const char *s, uint64_t *ns);

/*
 * Parse the argument of `show monitor event-trace ... clock`:
 * "hh:mm[:ss] [<day> <month> [<year>]]" (month: "Nov", "november", any
 * unique prefix of three letters or more, case-insensitive), read in UTC
 * or the local zone. Without a date, the day of now_wall_ns; without a
 * year, its year. 0 and *wall_ns, ERR_SYNTAX or ERR_INVAL (a field out of
 * range, a time before 1970).
 */
int diag_time_parse_clock(const char *s, uint64_t now_wall_ns, bool local, uint64_t *wall_ns);

#endif
