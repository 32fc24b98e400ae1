/*
 * Logging helpers shared by the engines of gdoi/ (internal). Every engine
 * may run without a diag context (unit tests of one module); these wrappers
 * make that a no-op. Debug lines are checked before formatting (DIAG_DEBUG).
 */
#ifndef GVPN_GDOI_LOG_PRIV_H
#define GVPN_GDOI_LOG_PRIV_H

#include "diag/log.h"

#define GLOG(d, ...)                                                                               \
	do {                                                                                       \
		if (d)                                                                             \
			diag_log((d), __VA_ARGS__);                                                \
	} while (0)

#define GDBG(d, role, feat, lvl, handle, group, peer, ...)                                         \
	do {                                                                                       \
		if (d)                                                                             \
			DIAG_DEBUG((d), role, feat, (lvl), (handle), (group), (peer),              \
				   __VA_ARGS__);                                                   \
	} while (0)

#define GTRACE(d, group, peer, ...)                                                                \
	do {                                                                                       \
		if (d)                                                                             \
			diag_trace((d), DIAG_TRACE_REGISTRATION, (group), (peer), __VA_ARGS__);    \
	} while (0)

#define GEXIT(d, code, err, group, peer, ...)                                                      \
	do {                                                                                       \
		if (d)                                                                             \
			diag_trace_exit((d), code, (err), (group), (peer), __VA_ARGS__);           \
	} while (0)

/*
 * Write a reason (printf style) into err (may be NULL) and return rc, so a
 * check can say `return gdoi_errf(err, cap, ERR_INVAL, "...", ...)`.
 */
int gdoi_errf(char *err, size_t cap, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Is a debug level on at all (to skip building a costly summary)? */
#define GDBG_ON(d, role, feat, lvl, group, peer)                                                   \
	((d) && diag_debug_on((d), role, feat, (lvl), (group), (peer)))

#endif
