/*
 * Show results for the diagnostics commands (data from diag/):
 *
 *   show logging                              ctl_show_logging
 *   show logging catalog [<filter>]           ctl_show_logging_catalog
 *   show debugging                            ctl_show_debugging
 *   show crypto gdoi debug-condition          ctl_show_debug_condition
 *   show monitor event-trace gdoi ...         ctl_show_event_trace
 *   show monitor event-trace gdoi <ring> parameters   ctl_show_event_trace_params
 *
 * Each fills r (usually empty; content is appended at the root) and returns
 * result_error(r). The command handlers (argument parsing, registration in
 * the command table) belong to the ctl command files; these builders only
 * turn diag state into the one result both renderers print.
 */
#ifndef GVPN_CTL_SHOW_DIAG_H
#define GVPN_CTL_SHOW_DIAG_H

#include <stdbool.h>

#include "diag/log.h"
#include "diag/trace.h"

struct result;
struct dbuf;

/* Header with buffer size and counters, then the buffered lines, oldest first. */
int ctl_show_logging(struct result *r, struct diag *d);

/*
 * The message catalogue: "%FAC-SEV-MNEMONIC: format" with explanation and
 * recommended action. filter NULL lists everything; otherwise a facility
 * name ("GDOI") or part of a mnemonic ("REKEY"), case-insensitive.
 */
int ctl_show_logging_catalog(struct result *r, const char *filter);

/* The debug switches that are on (nothing when none is). */
int ctl_show_debugging(struct result *r, struct diag *d);

/* "GDOI Conditional Filters:", one line per condition, "Unmatched NOT set". */
int ctl_show_debug_condition(struct result *r, struct diag *d);

/*
 * Entries selected by q, "*<stamp>: <text>" per line; detail adds the exit
 * ring's location lines. Several rings shown ring by ring get a title line
 * each. Marks the rings as displayed (for `latest`).
 */
int ctl_show_event_trace(struct result *r, struct diag *d, const struct diag_trace_query *q,
			 bool detail);

/* "Trace has <n> entries" and "Stacktrace is disabled by default". */
int ctl_show_event_trace_params(struct result *r, struct diag *d, enum diag_trace_ring ring);

/*
 * Append the `terminal exec prompt timestamp` header to out:
 * "Time source is NTP, 12:34:56.789 UTC Sun Nov 22 2026\n" (now from d's clock).
 * 0 or ERR_NOMEM.
 */
int ctl_time_source_text(struct dbuf *out, struct diag *d);

#endif
