/*
 * The diagnostics context: syslog messages, the log buffer, debug switches
 * and event traces of one gvpnd (or of one or many simulated engines).
 *
 * There is no global instance: every engine is handed a struct diag *, and
 * the simulator may give each of its engines its own or let them share one.
 * All functions are thread-safe (data-plane workers log too).
 *
 * A message goes, as one line
 *     *Nov 22 12:34:56.789: %GDOI-5-GM_REGS_COMPL: Registration to KS ...
 * to the in-memory buffer (`logging buffered BYTES`, default 64 KiB; the
 * oldest lines are overwritten), to syslog(3) when enabled (priority =
 * severity) and to an optional hook (tests capture messages with it).
 * Messages flagged DIAG_MF_RATELIMIT (data plane) pass once per source
 * address and message per 60 s; the next one that passes carries
 * " (<n> similar suppressed)".
 */
#ifndef GVPN_DIAG_LOG_H
#define GVPN_DIAG_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/catalog.h"
#include "diag/debug.h"
#include "diag/trace.h"
#include "util/clock.h"
#include "util/ring.h"

enum {
	DIAG_LOG_DEFAULT_BYTES = 64 * 1024,
	DIAG_LOG_MIN_BYTES = 4096,
	DIAG_LOG_MAX_BYTES = 256 * 1024 * 1024,
	DIAG_LINE_MAX = 1024, /* longer message lines are cut */
	DIAG_RL_SLOTS = 256,  /* rate-limit memory: (message, source) pairs */
	DIAG_IP4_STRLEN = 16,
};

#define DIAG_RL_INTERVAL_NS (60 * NS_PER_SEC)

/* One line as handed to the hook or read back from the buffer. */
struct diag_record {
	uint64_t wall_ns;
	enum diag_msg_id id; /* DIAG_MSG_DEBUG for debug lines */
	uint8_t severity;    /* 7 for debug lines */
	const char *line;    /* "%GDOI-5-X: text" or "GDOI:GM REKEY:EVT:(1):text", no stamp */
	size_t line_len;
	const char *text; /* the message text after "X: " (the whole line for debug) */
};

/* Called after each line is stored, outside the lock; may not free d. */
typedef void (*diag_hook_fn)(void *arg, const struct diag_record *rec);

struct diag_log_stats {
	uint64_t messages;     /* catalogue messages logged */
	uint64_t debug_lines;  /* debug lines logged */
	uint64_t rate_limited; /* messages suppressed by the rate limit */
	uint64_t overwritten;  /* lines pushed out of the buffer */
	uint64_t syslog_lines; /* lines handed to syslog(3) */
	size_t buffer_bytes;   /* configured size */
	size_t buffer_lines;   /* lines held now */
	bool syslog_on;
	bool buffer_on;
};

struct diag_rl_slot {
	uint64_t since_ns; /* start of the current 60 s window (monotonic) */
	uint32_t src;
	uint32_t suppressed;
	uint16_t id;
	bool used;
};

struct diag {
	const struct clock *clock; /* wall time for stamps, monotonic for limits */
	pthread_mutex_t lock;	   /* guards everything below except dbg */
	struct rring buf;	   /* allocated on the first line */
	size_t buf_bytes;
	bool buf_on;
	bool syslog_on;
	bool local_time; /* stamps in the TZ zone instead of UTC */
	diag_hook_fn hook;
	void *hook_arg;
	uint64_t boot_mono_ns;
	struct diag_log_stats st;
	struct diag_rl_slot rl[DIAG_RL_SLOTS];
	struct diag_debug dbg;
	struct diag_traces tr;
};

/*
 * Initialise d with the given clock (borrowed; must outlive d). Buffer on
 * with 64 KiB, syslog off, UTC stamps unless TZ is set. 0 or ERR_NOMEM.
 */
int diag_init(struct diag *d, const struct clock *clock);
void diag_free(struct diag *d);

void diag_set_hook(struct diag *d, diag_hook_fn fn, void *arg);
void diag_set_syslog(struct diag *d, bool on);
void diag_set_local_time(struct diag *d, bool local);

/* `logging buffered BYTES`: keeps the newest lines that fit. 0, ERR_INVAL, ERR_NOMEM. */
int diag_log_set_buffer_size(struct diag *d, size_t bytes);
/* `logging buffered` on/off (off frees the buffer). */
void diag_log_set_buffered(struct diag *d, bool on);
/* `clear logging`. */
void diag_log_clear(struct diag *d);
void diag_log_get_stats(struct diag *d, struct diag_log_stats *out);

/*
 * Visit the buffered lines, oldest first, under the lock: fn must not call
 * diag functions. A non-zero return from fn stops the walk and is returned.
 */
typedef int (*diag_log_visit_fn)(void *arg, const struct diag_record *rec);
int diag_log_foreach(struct diag *d, diag_log_visit_fn fn, void *arg);
/* "*Nov 22 12:34:56.789: <line>" for a record (no newline). */
int diag_log_format_record(struct dbuf *out, const struct diag *d, const struct diag_record *rec);

/*
 * Emit catalogue message id. Use the macros, which check the arguments
 * against the message's format at compile time:
 *   diag_log(d, DIAG_MSG_GM_REGS_COMPL, ks, group, gm);
 *   diag_log_src(d, DIAG_MSG_RECVD_PKT_INV_SPI, src_addr, ...);  (rate-limit key)
 */
#define diag_log(d, id, ...)	      diag_log_emit((d), (id), 0, diag_fmt_##id, ##__VA_ARGS__)
#define diag_log_src(d, id, src, ...) diag_log_emit((d), (id), (src), diag_fmt_##id, ##__VA_ARGS__)
void diag_log_emit(struct diag *d, enum diag_msg_id id, uint32_t src, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Store a finished debug line (used by debug.c). */
void diag_log_debug_line(struct diag *d, const char *line, size_t len);

/* Dotted quad of an IPv4 address in host byte order; returns buf. */
const char *diag_ip4(uint32_t addr, char buf[static DIAG_IP4_STRLEN]);

#endif
