/*
 * Debug switches and conditional filters.
 *
 *   debug crypto gdoi {all-features | gm <feature> | ks <feature>} <level>
 *   debug crypto gdoi condition {peer address ipv4 A | group NAME | unmatched}
 *   debug crypto isakmp [error | detail | packet | keys]
 *   debug crypto ipsec [error | states | message | keys | hw-req]
 *
 * GDOI levels are cumulative as on IOS: enabling `detail` switches on
 * detail, event, terse and error; `all-levels` switches on all five.
 * Disabling a level switches off that level and every level above it.
 *
 * Conditions (peer addresses, group names) are OR-ed. While at least one is
 * set, a debug message passes when its peer or its group matches one; a
 * message that carries no information a condition could test (no peer for
 * peer conditions, no group for group conditions) passes only when
 * `unmatched` is set. `unmatched` alone filters nothing. The conditions
 * apply to the ISAKMP and IPsec debugs too.
 *
 * The check runs before any formatting: DIAG_DEBUG() evaluates its format
 * arguments only when the message will be printed. The flags are read with
 * relaxed atomics so data-plane threads may test them at packet rate; the
 * conditions are behind a mutex, taken only when a flag is on and a
 * condition is set.
 *
 * Debug lines go to the log buffer (and to syslog(3) at debug severity):
 *   GDOI:<GM|KS> <FEATURE>:<ERR|TER|EVT|DET|PAK>:(<handle>):<text>
 *   ISAKMP: (<conn-id>):<text>, ISAKMP-ERROR: ..., ISAKMP-PAK: ...
 *   IPSEC: (<conn-id>):<text>, IPSEC-ERROR: ..., IPSEC-STATES: ...
 *
 * Every function taking a struct diag is declared here and defined in
 * debug.c; include diag/log.h, which completes struct diag.
 */
#ifndef GVPN_DIAG_DEBUG_H
#define GVPN_DIAG_DEBUG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct dbuf;

enum diag_role {
	DIAG_ROLE_GM,
	DIAG_ROLE_KS,
	DIAG_ROLE_COUNT,
	DIAG_ROLE_ALL = -1, /* `debug crypto gdoi all-features <level>` */
};

/* Second-level keywords of `debug crypto gdoi {gm|ks}`. COOP is KS only. */
enum diag_feature {
	DIAG_FEAT_INFRA,
	DIAG_FEAT_REGISTRATION,
	DIAG_FEAT_REKEY,
	DIAG_FEAT_REPLAY,
	DIAG_FEAT_COOP,
	DIAG_FEAT_ACL,
	DIAG_FEAT_POLICY,
	DIAG_FEAT_COUNT,
	DIAG_FEAT_ALL = -1, /* all-features */
};

/* GDOI levels, one bit each, lowest first (IOS 15.1(3)T names). */
enum diag_level {
	DIAG_LVL_ERROR = 1 << 0,
	DIAG_LVL_TERSE = 1 << 1,
	DIAG_LVL_EVENT = 1 << 2,
	DIAG_LVL_DETAIL = 1 << 3,
	DIAG_LVL_PACKET = 1 << 4,
	DIAG_LVL_ALL = (1 << 5) - 1, /* all-levels */
};

/* `debug crypto isakmp` keywords; the plain command sets EVENT|ERROR. */
enum diag_isakmp_level {
	DIAG_IKE_EVENT = 1 << 0,
	DIAG_IKE_ERROR = 1 << 1,
	DIAG_IKE_DETAIL = 1 << 2,
	DIAG_IKE_PACKET = 1 << 3,
	DIAG_IKE_KEYS = 1 << 4, /* key life cycle (no key material in the log); gvpnd also
				   writes phase-1 keys to a Wireshark table (daemon/keylog.h) */
};

/* `debug crypto ipsec` keywords; the plain command sets EVENT|ERROR|STATES. */
enum diag_ipsec_level {
	DIAG_IPSEC_EVENT = 1 << 0,
	DIAG_IPSEC_ERROR = 1 << 1,
	DIAG_IPSEC_STATES = 1 << 2,
	DIAG_IPSEC_MESSAGE = 1 << 3,
	DIAG_IPSEC_KEYS = 1 << 4, /* as DIAG_IKE_KEYS, for TEKs (Wireshark's ESP SA table) */
	DIAG_IPSEC_HWREQ = 1 << 5,
};

enum {
	DIAG_NAME_MAX = 64, /* group names, with the NUL */
	DIAG_COND_MAX = 32,
};

enum diag_cond_type {
	DIAG_COND_PEER,
	DIAG_COND_GROUP,
};

struct diag_cond {
	enum diag_cond_type type;
	uint32_t peer; /* IPv4, host byte order */
	char group[DIAG_NAME_MAX];
};

/* Debug state, embedded in struct diag. */
struct diag_debug {
	atomic_uint gdoi[DIAG_ROLE_COUNT][DIAG_FEAT_COUNT]; /* DIAG_LVL_* bits */
	atomic_uint isakmp;				    /* DIAG_IKE_* bits */
	atomic_uint ipsec;				    /* DIAG_IPSEC_* bits */
	atomic_uint ncond;				    /* conditions set */
	pthread_mutex_t lock;				    /* guards what follows */
	bool unmatched;
	struct diag_cond cond[DIAG_COND_MAX];
};

/* Slow path of the checks below: do the conditions let the message pass? */
bool diag_debug_cond_match(struct diag_debug *g, const char *group, uint32_t peer);

static inline bool diag_debug_check(struct diag_debug *g, atomic_uint *mask, unsigned level,
				    const char *group, uint32_t peer)
{
	if (!(atomic_load_explicit(mask, memory_order_relaxed) & level))
		return false;
	if (!atomic_load_explicit(&g->ncond, memory_order_relaxed))
		return true;
	return diag_debug_cond_match(g, group, peer);
}

/*
 * Would a debug message be printed? Cheap enough for the packet path.
 * role/feature are enum constants; level one DIAG_LVL_* bit; group NULL and
 * peer 0 when the message has no such information.
 */
#define diag_debug_on(d, role, feature, level, group, peer)                                        \
	diag_debug_check(&(d)->dbg, &(d)->dbg.gdoi[(role)][(feature)], (level), (group), (peer))
#define diag_debug_isakmp_on(d, level, group, peer)                                                \
	diag_debug_check(&(d)->dbg, &(d)->dbg.isakmp, (level), (group), (peer))
#define diag_debug_ipsec_on(d, level, group, peer)                                                 \
	diag_debug_check(&(d)->dbg, &(d)->dbg.ipsec, (level), (group), (peer))

/* Print a debug line; call only after the matching diag_debug_*_on(). */
void diag_debug_emit(struct diag *d, enum diag_role role, enum diag_feature feature, unsigned level,
		     uint32_t handle, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_debug_isakmp_emit(struct diag *d, unsigned level, uint32_t conn_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_debug_ipsec_emit(struct diag *d, unsigned level, uint32_t conn_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Check and print in one step; the format arguments are evaluated only when
 * the line is printed, so they may be costly (decoding a payload).
 *   DIAG_DEBUG(d, DIAG_ROLE_GM, DIAG_FEAT_REKEY, DIAG_LVL_EVENT, handle, group, peer,
 *              "Rekey received, seq %u", seq);
 */
#define DIAG_DEBUG(d, role, feature, level, handle, group, peer, ...)                              \
	do {                                                                                       \
		if (diag_debug_on((d), role, feature, (level), (group), (peer)))                   \
			diag_debug_emit((d), (role), (feature), (level), (handle), __VA_ARGS__);   \
	} while (0)
#define DIAG_DEBUG_ISAKMP(d, level, conn_id, group, peer, ...)                                     \
	do {                                                                                       \
		if (diag_debug_isakmp_on((d), (level), (group), (peer)))                           \
			diag_debug_isakmp_emit((d), (level), (conn_id), __VA_ARGS__);              \
	} while (0)
#define DIAG_DEBUG_IPSEC(d, level, conn_id, group, peer, ...)                                      \
	do {                                                                                       \
		if (diag_debug_ipsec_on((d), (level), (group), (peer)))                            \
			diag_debug_ipsec_emit((d), (level), (conn_id), __VA_ARGS__);               \
	} while (0)

/* ---- Commands ---- */

/*
 * `debug crypto gdoi ...`: enable `level` (one DIAG_LVL_* bit or
 * DIAG_LVL_ALL) and every level below it. role may be DIAG_ROLE_ALL and
 * feature DIAG_FEAT_ALL (all-features skips COOP for the GM role).
 * 0, or ERR_INVAL for an unknown role/feature/level or COOP on the GM.
 */
int diag_debug_gdoi_enable(struct diag *d, int role, int feature, unsigned level);
/* `no debug ...`: switch off `level` and every level above it (0 = all). */
int diag_debug_gdoi_disable(struct diag *d, int role, int feature, unsigned level);
/* DIAG_LVL_* bits set for one role and feature (0 for invalid ones). */
unsigned diag_debug_gdoi_levels(struct diag *d, enum diag_role role, enum diag_feature feature);
/* Set or clear DIAG_IKE_* / DIAG_IPSEC_* bits. */
void diag_debug_isakmp_set(struct diag *d, unsigned bits, bool on);
void diag_debug_ipsec_set(struct diag *d, unsigned bits, bool on);
unsigned diag_debug_isakmp_levels(struct diag *d);
unsigned diag_debug_ipsec_levels(struct diag *d);
/* `undebug all`: every switch off; conditions are kept (as on IOS). */
void diag_debug_all_off(struct diag *d);

/*
 * Confirmation printed when GDOI debugging is switched on, appended to out
 * with a newline:
 *   "GDOI Key Server Registration Debug level: (Packet, Detail, Event, Terse, Error)"
 * levels 0 prints "GDOI Key Server Registration Debug level: (None)".
 * 0, ERR_INVAL or ERR_NOMEM.
 */
int diag_debug_describe(struct dbuf *out, enum diag_role role, enum diag_feature feature,
			unsigned levels);

/* Names: "gm"/"ks", "registration", "detail"; NULL when out of range. */
const char *diag_role_name(enum diag_role role);
const char *diag_feature_name(enum diag_feature feature);
const char *diag_level_name(unsigned level);
/*
 * Inverse of the above for command parsing: 0 or ERR_NOTFOUND.
 * "all-features" gives DIAG_FEAT_ALL, "all-levels" DIAG_LVL_ALL.
 */
int diag_feature_find(const char *name, int *feature);
int diag_level_find(const char *name, unsigned *level);

/*
 * Conditions. add: 0, ERR_EXISTS, ERR_LIMIT (DIAG_COND_MAX), ERR_INVAL
 * (peer 0, empty or too long group). del: 0 or ERR_NOTFOUND.
 */
int diag_debug_cond_add_peer(struct diag *d, uint32_t peer);
int diag_debug_cond_add_group(struct diag *d, const char *group);
int diag_debug_cond_del_peer(struct diag *d, uint32_t peer);
int diag_debug_cond_del_group(struct diag *d, const char *group);
void diag_debug_cond_set_unmatched(struct diag *d, bool on);
/* `no debug crypto gdoi condition all`: every condition and unmatched off. */
void diag_debug_cond_clear(struct diag *d);
/*
 * Copy of the conditions in the order they were added, for show: returns
 * how many there are (copies at most max) and sets *unmatched.
 */
size_t diag_debug_cond_list(struct diag *d, struct diag_cond *out, size_t max, bool *unmatched);
/*
 * Reply to a condition command: "% GDOI Debug Condition added." for add and
 * rc 0, and the matching text for removal and each error code.
 */
const char *diag_debug_cond_reply(bool add, int rc);

#endif
