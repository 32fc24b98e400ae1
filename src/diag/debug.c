#include "diag/debug.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag/log.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

/* Keyword, the word in confirmations, the tag in debug lines. */
static const struct {
	const char *keyword;
	const char *title;
	const char *tag;
} features[DIAG_FEAT_COUNT] = {
    [DIAG_FEAT_INFRA] = {"infrastructure", "Infrastructure", "INFRA"},
    [DIAG_FEAT_REGISTRATION] = {"registration", "Registration", "REGISTRATION"},
    [DIAG_FEAT_REKEY] = {"rekey", "Rekey", "REKEY"},
    [DIAG_FEAT_REPLAY] = {"replay", "Replay", "REPLAY"},
    [DIAG_FEAT_COOP] = {"coop", "COOP", "COOP"},
    [DIAG_FEAT_ACL] = {"acl", "ACL", "ACL"},
    [DIAG_FEAT_POLICY] = {"policy", "Policy", "POLICY"},
};

/* Lowest level first, as the bits are. */
static const struct {
	const char *keyword;
	const char *title;
	const char *tag;
} levels[] = {
    {"error", "Error", "ERR"},	 {"terse", "Terse", "TER"},   {"event", "Event", "EVT"},
    {"detail", "Detail", "DET"}, {"packet", "Packet", "PAK"},
};

static const char *const role_keywords[DIAG_ROLE_COUNT] = {"gm", "ks"};
static const char *const role_titles[DIAG_ROLE_COUNT] = {"Group Member", "Key Server"};
static const char *const role_tags[DIAG_ROLE_COUNT] = {"GM", "KS"};

/* Index of the single bit of level, or -1. */
static int level_index(unsigned level)
{
	for (unsigned i = 0; i < ARRAY_SIZE(levels); i++)
		if (level == 1u << i)
			return (int)i;
	return -1;
}

const char *diag_role_name(enum diag_role role)
{
	return (unsigned)role < DIAG_ROLE_COUNT ? role_keywords[role] : NULL;
}

const char *diag_feature_name(enum diag_feature feature)
{
	return (unsigned)feature < DIAG_FEAT_COUNT ? features[feature].keyword : NULL;
}

const char *diag_level_name(unsigned level)
{
	if (level == DIAG_LVL_ALL)
		return "all-levels";
	int i = level_index(level);
	return i < 0 ? NULL : levels[i].keyword;
}

int diag_feature_find(const char *name, int *feature)
{
	if (!strcmp(name, "all-features")) {
		*feature = DIAG_FEAT_ALL;
		return 0;
	}
	for (int i = 0; i < DIAG_FEAT_COUNT; i++) {
		if (!strcmp(name, features[i].keyword)) {
			*feature = i;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

int diag_level_find(const char *name, unsigned *level)
{
	if (!strcmp(name, "all-levels")) {
		*level = DIAG_LVL_ALL;
		return 0;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(levels); i++) {
		if (!strcmp(name, levels[i].keyword)) {
			*level = 1u << i;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

static bool valid_pair(int role, int feature)
{
	return (unsigned)role < DIAG_ROLE_COUNT && (unsigned)feature < DIAG_FEAT_COUNT &&
	       !(role == DIAG_ROLE_GM && feature == DIAG_FEAT_COOP);
}

/*
 * Apply keep/add masks to every (role, feature) the command names. A single
 * pair that cannot exist (COOP on a GM) is an error; ranges skip it.
 */
static int apply(struct diag *d, int role, int feature, unsigned keep, unsigned add)
{
	if (role != DIAG_ROLE_ALL && (unsigned)role >= DIAG_ROLE_COUNT)
		return ERR_INVAL;
	if (feature != DIAG_FEAT_ALL && (unsigned)feature >= DIAG_FEAT_COUNT)
		return ERR_INVAL;
	if (role != DIAG_ROLE_ALL && feature != DIAG_FEAT_ALL && !valid_pair(role, feature))
		return ERR_INVAL;
	for (int r = 0; r < DIAG_ROLE_COUNT; r++) {
		if (role != DIAG_ROLE_ALL && r != role)
			continue;
		for (int f = 0; f < DIAG_FEAT_COUNT; f++) {
			if ((feature != DIAG_FEAT_ALL && f != feature) || !valid_pair(r, f))
				continue;
			atomic_uint *m = &d->dbg.gdoi[r][f];
			atomic_store_explicit(m, (atomic_load(m) & keep) | add,
					      memory_order_relaxed);
		}
	}
	return 0;
}

int diag_debug_gdoi_enable(struct diag *d, int role, int feature, unsigned level)
{
	if (level != DIAG_LVL_ALL && level_index(level) < 0)
		return ERR_INVAL;
	/* Cumulative: the level and every lower one (lower bits). */
	return apply(d, role, feature, DIAG_LVL_ALL, level == DIAG_LVL_ALL ? level : level * 2 - 1);
}

int diag_debug_gdoi_disable(struct diag *d, int role, int feature, unsigned level)
{
	if (level == 0 || level == DIAG_LVL_ALL)
		return apply(d, role, feature, 0, 0);
	if (level_index(level) < 0)
		return ERR_INVAL;
	return apply(d, role, feature, level - 1, 0);
}

unsigned diag_debug_gdoi_levels(struct diag *d, enum diag_role role, enum diag_feature feature)
{
	if ((unsigned)role >= DIAG_ROLE_COUNT || (unsigned)feature >= DIAG_FEAT_COUNT)
		return 0;
	return atomic_load_explicit(&d->dbg.gdoi[role][feature], memory_order_relaxed);
}

static void set_bits(atomic_uint *m, unsigned bits, bool on)
{
	if (on)
		atomic_fetch_or_explicit(m, bits, memory_order_relaxed);
	else
		atomic_fetch_and_explicit(m, ~bits, memory_order_relaxed);
}

void diag_debug_isakmp_set(struct diag *d, unsigned bits, bool on)
{
	set_bits(&d->dbg.isakmp, bits, on);
}

void diag_debug_ipsec_set(struct diag *d, unsigned bits, bool on)
{
	set_bits(&d->dbg.ipsec, bits, on);
}

unsigned diag_debug_isakmp_levels(struct diag *d)
{
	return atomic_load_explicit(&d->dbg.isakmp, memory_order_relaxed);
}

unsigned diag_debug_ipsec_levels(struct diag *d)
{
	return atomic_load_explicit(&d->dbg.ipsec, memory_order_relaxed);
}

void diag_debug_all_off(struct diag *d)
{
	apply(d, DIAG_ROLE_ALL, DIAG_FEAT_ALL, 0, 0);
	atomic_store(&d->dbg.isakmp, 0);
	atomic_store(&d->dbg.ipsec, 0);
}

int diag_debug_describe(struct dbuf *out, enum diag_role role, enum diag_feature feature,
			unsigned lv)
{
	if (!valid_pair(role, feature))
		return ERR_INVAL;
	int rc = dbuf_printf(out, "GDOI %s %s Debug level: (", role_titles[role],
			     features[feature].title);
	const char *sep = "";
	/* Highest first, as IOS lists them. */
	for (int i = (int)ARRAY_SIZE(levels) - 1; i >= 0 && !rc; i--) {
		if (lv & (1u << i)) {
			rc = dbuf_printf(out, "%s%s", sep, levels[i].title);
			sep = ", ";
		}
	}
	if (!rc && !(lv & DIAG_LVL_ALL))
		rc = dbuf_printf(out, "None");
	return rc ? rc : dbuf_printf(out, ")\n");
}

/* ---- Conditions ---- */

bool diag_debug_cond_match(struct diag_debug *g, const char *group, uint32_t peer)
{
	bool testable = false, match = false, unmatched;
	pthread_mutex_lock(&g->lock);
	unsigned n = atomic_load_explicit(&g->ncond, memory_order_relaxed);
	for (unsigned i = 0; i < n && !match; i++) {
		const struct diag_cond *c = &g->cond[i];
		if (c->type == DIAG_COND_PEER && peer) {
			testable = true;
			match = c->peer == peer;
		} else if (c->type == DIAG_COND_GROUP && group) {
			testable = true;
			match = !strcmp(c->group, group);
		}
	}
	unmatched = g->unmatched;
	pthread_mutex_unlock(&g->lock);
	if (!n)
		return true;
	return match || (!testable && unmatched);
}

static bool same_cond(const struct diag_cond *a, const struct diag_cond *b)
{
	if (a->type != b->type)
		return false;
	return a->type == DIAG_COND_PEER ? a->peer == b->peer : !strcmp(a->group, b->group);
}

static int cond_add(struct diag *d, const struct diag_cond *c)
{
	struct diag_debug *g = &d->dbg;
	int rc = 0;
	pthread_mutex_lock(&g->lock);
	unsigned n = atomic_load(&g->ncond);
	for (unsigned i = 0; i < n && !rc; i++)
		if (same_cond(&g->cond[i], c))
			rc = ERR_EXISTS;
	if (!rc && n >= DIAG_COND_MAX)
		rc = ERR_LIMIT;
	if (!rc) {
		g->cond[n] = *c;
		atomic_store(&g->ncond, n + 1);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static int cond_del(struct diag *d, const struct diag_cond *c)
{
	struct diag_debug *g = &d->dbg;
	int rc = ERR_NOTFOUND;
	pthread_mutex_lock(&g->lock);
	unsigned n = atomic_load(&g->ncond);
	for (unsigned i = 0; i < n; i++) {
		if (!same_cond(&g->cond[i], c))
			continue;
		/* Keep the order of the others: show lists them as added. */
		memmove(&g->cond[i], &g->cond[i + 1], (n - i - 1) * sizeof(g->cond[0]));
		atomic_store(&g->ncond, n - 1);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static int group_cond(struct diag_cond *c, const char *group)
{
	size_t len = group ? strlen(group) : 0;
	if (!len || len >= sizeof(c->group))
		return ERR_INVAL;
	memset(c, 0, sizeof(*c));
	c->type = DIAG_COND_GROUP;
	memcpy(c->group, group, len);
	return 0;
}

int diag_debug_cond_add_peer(struct diag *d, uint32_t peer)
{
	if (!peer)
		return ERR_INVAL;
	return cond_add(d, &(struct diag_cond){.type = DIAG_COND_PEER, .peer = peer});
}

int diag_debug_cond_add_group(struct diag *d, const char *group)
{
	struct diag_cond c;
	int rc = group_cond(&c, group);
	return rc ? rc : cond_add(d, &c);
}

int diag_debug_cond_del_peer(struct diag *d, uint32_t peer)
{
	return cond_del(d, &(struct diag_cond){.type = DIAG_COND_PEER, .peer = peer});
}

int diag_debug_cond_del_group(struct diag *d, const char *group)
{
	struct diag_cond c;
	return group_cond(&c, group) ? ERR_NOTFOUND : cond_del(d, &c);
}

void diag_debug_cond_set_unmatched(struct diag *d, bool on)
{
	pthread_mutex_lock(&d->dbg.lock);
	d->dbg.unmatched = on;
	pthread_mutex_unlock(&d->dbg.lock);
}

void diag_debug_cond_clear(struct diag *d)
{
	pthread_mutex_lock(&d->dbg.lock);
	atomic_store(&d->dbg.ncond, 0);
	d->dbg.unmatched = false;
	pthread_mutex_unlock(&d->dbg.lock);
}

size_t diag_debug_cond_list(struct diag *d, struct diag_cond *out, size_t max, bool *unmatched)
{
	pthread_mutex_lock(&d->dbg.lock);
	size_t n = atomic_load(&d->dbg.ncond);
	memcpy(out, d->dbg.cond, MIN(n, max) * sizeof(*out));
	*unmatched = d->dbg.unmatched;
	pthread_mutex_unlock(&d->dbg.lock);
	return n;
}

const char *diag_debug_cond_reply(bool add, int rc)
{
	switch (rc) {
	case 0:
		return add ? "% GDOI Debug Condition added." : "% GDOI Debug Condition removed.";
	case ERR_EXISTS:
		return "% GDOI Debug Condition already exists.";
	case ERR_LIMIT:
		return "% Too many GDOI Debug Conditions.";
	case ERR_NOTFOUND:
		return "% GDOI Debug Condition not found.";
	default:
		return "% Invalid GDOI Debug Condition.";
	}
}

/* ---- Lines ---- */

/* Format "<prefix><text>" and store it as a debug line. */
static void emit_line(struct diag *d, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void emit_line(struct diag *d, const char *prefix, const char *fmt, va_list ap)
{
	char line[DIAG_LINE_MAX + 1];
	size_t len = strlen(prefix);
	if (len > DIAG_LINE_MAX)
		len = DIAG_LINE_MAX;
	memcpy(line, prefix, len);
	int n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (n > 0)
		len = MIN(len + (size_t)n, sizeof(line) - 1);
	diag_log_debug_line(d, line, len);
}

void diag_debug_emit(struct diag *d, enum diag_role role, enum diag_feature feature, unsigned level,
		     uint32_t handle, const char *fmt, ...)
{
	char prefix[64];
	int li = level_index(level);
	snprintf(prefix, sizeof(prefix), "GDOI:%s %s:%s:(%" PRIu32 "):",
		 (unsigned)role < DIAG_ROLE_COUNT ? role_tags[role] : "?",
		 (unsigned)feature < DIAG_FEAT_COUNT ? features[feature].tag : "?",
		 li < 0 ? "?" : levels[li].tag, handle);
	va_list ap;
	va_start(ap, fmt);
	emit_line(d, prefix, fmt, ap);
	va_end(ap);
}

/* Line prefix for one ISAKMP / IPsec level bit. */
static const char *ike_tag(unsigned level)
{
	switch (level) {
	case DIAG_IKE_ERROR:
		return "ISAKMP-ERROR";
	case DIAG_IKE_PACKET:
		return "ISAKMP-PAK";
	case DIAG_IKE_KEYS:
		return "ISAKMP-KEYS";
	default:
		return "ISAKMP";
	}
}

static const char *ipsec_tag(unsigned level)
{
	switch (level) {
	case DIAG_IPSEC_ERROR:
		return "IPSEC-ERROR";
	case DIAG_IPSEC_STATES:
		return "IPSEC-STATES";
	case DIAG_IPSEC_MESSAGE:
		return "IPSEC-MSG";
	case DIAG_IPSEC_KEYS:
		return "IPSEC-KEYS";
	case DIAG_IPSEC_HWREQ:
		return "IPSEC-HWREQ";
	default:
		return "IPSEC";
	}
}

/* "<tag>: (<conn-id>):<text>" */
static void emit_conn(struct diag *d, const char *tag, uint32_t conn_id, const char *fmt,
		      va_list ap) __attribute__((format(printf, 4, 0)));
static void emit_conn(struct diag *d, const char *tag, uint32_t conn_id, const char *fmt,
		      va_list ap)
{
	char prefix[48];
	snprintf(prefix, sizeof(prefix), "%s: (%" PRIu32 "):", tag, conn_id);
	emit_line(d, prefix, fmt, ap);
}

void diag_debug_isakmp_emit(struct diag *d, unsigned level, uint32_t conn_id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_conn(d, ike_tag(level), conn_id, fmt, ap);
	va_end(ap);
}

void diag_debug_ipsec_emit(struct diag *d, unsigned level, uint32_t conn_id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_conn(d, ipsec_tag(level), conn_id, fmt, ap);
	va_end(ap);
}
