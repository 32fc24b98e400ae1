/*
 * GDOI event traces: always-on rings of recent events.
 *
 * Five rings, `coop`, `exit`, `infra`, `registration`, `rekey`, of 512
 * entries each by default (`monitor event-trace gdoi <ring> size
 * <1-1000000>`, `clear`, `disable`/`enable`). An entry keeps its time (ms),
 * group, peer and a short text; the display prefixes the ring's event tag:
 *
 *   *Nov  6 15:55:16.117: GDOI_REKEY_EVENT: ACK_SENT: From 10.1.12.2 to ...
 *
 * The exit ring records error exits as `<ERROR_CODE>:<text>` with the
 * source location and error code, printed on a second line with `detail`
 * where IOS prints a traceback. Rings take memory on their first entry.
 *
 * All functions take struct diag (diag/log.h) and are thread-safe.
 */
#ifndef GVPN_DIAG_TRACE_H
#define GVPN_DIAG_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/debug.h"
#include "util/ring.h"

struct diag;
struct dbuf;

enum diag_trace_ring {
	DIAG_TRACE_COOP,
	DIAG_TRACE_EXIT,
	DIAG_TRACE_INFRA,
	DIAG_TRACE_REGISTRATION,
	DIAG_TRACE_REKEY,
	DIAG_TRACE_COUNT,
};

enum {
	DIAG_TRACE_DEFAULT_SIZE = 512,
	DIAG_TRACE_MAX_SIZE = 1000000,
	DIAG_TRACE_TEXT_MAX = 128, /* longer texts are cut */
	DIAG_TRACE_ALL_RINGS = (1 << DIAG_TRACE_COUNT) - 1,
};

struct diag_trace_entry {
	uint64_t seq;	  /* insertion order over all rings, from 1 */
	uint64_t wall_ns; /* for the timestamp and `clock` */
	uint64_t mono_ns; /* for `back` and `from-boot` */
	uint32_t peer;	  /* IPv4 host order, 0 if none */
	int32_t err;	  /* exit ring: ERR_* code, else 0 */
	const char *file; /* exit ring: source file (a string literal) */
	uint32_t line;
	char group[DIAG_NAME_MAX];
	char text[DIAG_TRACE_TEXT_MAX];
};

struct diag_trace_ring_state {
	struct ring ring; /* of struct diag_trace_entry, allocated lazily */
	size_t size;	  /* configured entries */
	bool disabled;
	uint64_t shown; /* newest seq already displayed, for `latest` */
};

/* Trace state, embedded in struct diag. */
struct diag_traces {
	struct diag_trace_ring_state r[DIAG_TRACE_COUNT];
	uint64_t seq;
};

/* Add an entry (format checked); no-op while the ring is disabled. */
void diag_trace(struct diag *d, enum diag_trace_ring ring, const char *group, uint32_t peer,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Record an error exit in the exit ring as "<CODE>:<text>" with the
 * caller's file and line:
 *   diag_trace_exit(d, NULL_VALUE_FOUND, ERR_NOTFOUND, NULL, 0, "Invalid GROUP Name");
 */
#define diag_trace_exit(d, code, err, group, peer, ...)                                            \
	diag_trace_exit_at((d), __FILE__, __LINE__, #code, (err), (group), (peer), __VA_ARGS__)
void diag_trace_exit_at(struct diag *d, const char *file, unsigned line, const char *code, int err,
			const char *group, uint32_t peer, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* Configuration. set_size: 0, ERR_INVAL (outside 1..1000000) or ERR_NOMEM. */
int diag_trace_set_size(struct diag *d, enum diag_trace_ring ring, size_t entries);
void diag_trace_clear(struct diag *d, enum diag_trace_ring ring);
void diag_trace_enable(struct diag *d, enum diag_trace_ring ring, bool on);

struct diag_trace_params {
	size_t size;  /* configured entries */
	size_t count; /* entries held */
	bool enabled;
};
void diag_trace_params(struct diag *d, enum diag_trace_ring ring, struct diag_trace_params *out);

/* "coop", "exit", ...; NULL out of range. */
const char *diag_trace_ring_name(enum diag_trace_ring ring);
/* Help text of the ring keyword: "GDOI COOP Event Traces". */
const char *diag_trace_ring_help(enum diag_trace_ring ring);
/* Tag printed before the text: "GDOI_REKEY_EVENT"; "" for the exit ring. */
const char *diag_trace_ring_tag(enum diag_trace_ring ring);
/* Ring by name, or -1. */
int diag_trace_ring_find(const char *name);

/* Which entries `show monitor event-trace gdoi ...` prints. */
enum diag_trace_when {
	DIAG_TRACE_WHEN_ALL,	   /* all */
	DIAG_TRACE_WHEN_LATEST,	   /* since the last display of that ring */
	DIAG_TRACE_WHEN_BACK,	   /* back <hh:mm>: arg_ns is the duration */
	DIAG_TRACE_WHEN_CLOCK,	   /* clock <time>: arg_ns is a wall time */
	DIAG_TRACE_WHEN_FROM_BOOT, /* from-boot [<s>]: arg_ns after diag_init */
};

struct diag_trace_query {
	unsigned rings; /* 1 << ring bits, DIAG_TRACE_ALL_RINGS for `all`/`merged` */
	bool merged;	/* one sequence sorted by time instead of ring by ring */
	enum diag_trace_when when;
	uint64_t arg_ns;
};

/*
 * Visit the selected entries, oldest first: ring by ring in enum order, or
 * all rings interleaved by time when merged. fn runs under the diag lock and
 * must not call diag functions; a non-zero return stops the walk and is
 * returned. Marks the visited rings as displayed (for `latest`).
 */
typedef int (*diag_trace_visit_fn)(void *arg, enum diag_trace_ring ring,
				   const struct diag_trace_entry *e);
int diag_trace_query(struct diag *d, const struct diag_trace_query *q, diag_trace_visit_fn fn,
		     void *arg);

/*
 * Append the display form of an entry to out: the stamp line and, with
 * detail for an exit entry, "-Traceback= <file>:<line> (<ERR_NAME>)".
 * Lines end with "\n". 0 or ERR_NOMEM.
 */
int diag_trace_format(struct dbuf *out, const struct diag *d, enum diag_trace_ring ring,
		      const struct diag_trace_entry *e, bool detail);
/* The text after the stamp: "GDOI_REKEY_EVENT: ACK_SENT: ..." (no newline). */
int diag_trace_format_text(struct dbuf *out, enum diag_trace_ring ring,
			   const struct diag_trace_entry *e);
/* The detail line without newline, or nothing (returns 0) for other rings. */
int diag_trace_format_location(struct dbuf *out, enum diag_trace_ring ring,
			       const struct diag_trace_entry *e);

#endif
