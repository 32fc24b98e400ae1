#include "ctl/show_diag.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctl/result.h"
#include "diag/catalog.h"
#include "diag/timefmt.h"
#include "util/dbuf.h"
#include "util/err.h"

/* ---- show logging ---- */

struct log_walk {
	struct result_node *lines;
	const struct diag *d;
	struct dbuf tmp;
	int err;
};

static int add_log_line(void *arg, const struct diag_record *rec)
{
	struct log_walk *w = arg;
	dbuf_reset(&w->tmp);
	w->err = diag_log_format_record(&w->tmp, w->d, rec);
	if (!w->err)
		result_add_str(w->lines, "%s", dbuf_str(&w->tmp));
	return w->err;
}

int ctl_show_logging(struct result *r, struct diag *d)
{
	struct diag_log_stats st;
	diag_log_get_stats(d, &st);
	struct result_node *root = result_root(r);
	result_text(root,
		    "Syslog logging: enabled (%" PRIu64 " messages rate-limited, %" PRIu64
		    " lines overwritten)",
		    st.rate_limited, st.overwritten);
	result_set_flags(result_kv_u64(root, "Messages Rate Limited", st.rate_limited),
			 RESULT_JSON_ONLY);
	result_set_flags(result_kv_u64(root, "Lines Overwritten", st.overwritten),
			 RESULT_JSON_ONLY);
	result_blank(root);

	struct result_node *s = result_set_indent(result_section(root, NULL), 4);
	result_text(s, "Console logging: disabled");
	if (st.buffer_on)
		result_text(s, "Buffer logging:  level debugging, %" PRIu64 " messages logged",
			    st.messages + st.debug_lines);
	else
		result_text(s, "Buffer logging:  disabled");
	if (st.syslog_on)
		result_text(s, "Trap logging: level debugging, %" PRIu64 " message lines logged",
			    st.syslog_lines);
	else
		result_text(s, "Trap logging: disabled");
	struct result_node *j = result_set_flags(result_section(root, NULL), RESULT_JSON_ONLY);
	result_kv_bool(j, "Buffer Logging", st.buffer_on, "enabled", "disabled");
	result_kv_u64(j, "Messages Logged", st.messages);
	result_kv_u64(j, "Debug Lines Logged", st.debug_lines);
	result_kv_bool(j, "Syslog Logging", st.syslog_on, "enabled", "disabled");
	result_kv_u64(j, "Syslog Lines Logged", st.syslog_lines);
	result_blank(root);

	result_text(root, "Log Buffer (%zu bytes):", st.buffer_bytes);
	result_set_flags(result_kv_u64(root, "Buffer Size Bytes", st.buffer_bytes),
			 RESULT_JSON_ONLY);
	result_blank(root);
	struct log_walk w = {.lines = result_lines(root, "lines"), .d = d, .tmp = DBUF_INIT};
	diag_log_foreach(d, add_log_line, &w);
	dbuf_free(&w.tmp);
	return w.err ? w.err : result_error(r);
}

/* ---- show logging catalog ---- */

static bool catalog_match(const struct diag_msg_def *m, const char *filter)
{
	if (!filter || !*filter)
		return true;
	if (!strcasecmp(filter, diag_facility_name(m->facility)))
		return true;
	size_t n = strlen(filter);
	for (const char *p = m->mnemonic; *p; p++)
		if (!strncasecmp(p, filter, n))
			return true;
	return false;
}

int ctl_show_logging_catalog(struct result *r, const char *filter)
{
	struct result_node *list = result_list(result_root(r), "messages");
	for (size_t i = 0; i < diag_catalog_count(); i++) {
		const struct diag_msg_def *m = diag_catalog_get((enum diag_msg_id)i);
		if (!catalog_match(m, filter))
			continue;
		struct result_node *it = result_item(list);
		const char *fac = diag_facility_name(m->facility);
		result_text(it, "%%%s-%u-%s: %s", fac, m->severity, m->mnemonic, m->format);
		struct result_node *j =
		    result_set_flags(result_section(it, NULL), RESULT_JSON_ONLY);
		result_kv_str(j, "Facility", "%s", fac);
		result_kv_u64(j, "Severity", m->severity);
		result_kv_str(j, "Mnemonic", "%s", m->mnemonic);
		result_kv_str(j, "Format", "%s", m->format);
		result_kv_bool(j, "Rate Limited", m->flags & DIAG_MF_RATELIMIT, "yes", "no");
		struct result_node *b = result_set_indent(result_section(it, NULL), 4);
		result_set_sep(result_kv_str(b, "Explanation", "%s", m->explanation), ": ");
		result_set_key(
		    result_set_sep(result_kv_str(b, "Recommended Action", "%s", m->action), ": "),
		    "action");
		result_blank(it);
	}
	return result_error(r);
}

/* ---- show debugging ---- */

struct switch_name {
	unsigned bit;
	const char *word; /* in "Crypto ISAKMP <word>debugging is on" */
	const char *name; /* keyword, in JSON */
};

static const struct switch_name ike_levels[] = {
    {DIAG_IKE_EVENT, "", "event"},	    {DIAG_IKE_ERROR, "Error ", "error"},
    {DIAG_IKE_DETAIL, "Detail ", "detail"}, {DIAG_IKE_PACKET, "Packet ", "packet"},
    {DIAG_IKE_KEYS, "Keys ", "keys"},
};

static const struct switch_name ipsec_levels[] = {
    {DIAG_IPSEC_EVENT, "", "event"},	      {DIAG_IPSEC_ERROR, "Error ", "error"},
    {DIAG_IPSEC_STATES, "States ", "states"}, {DIAG_IPSEC_MESSAGE, "Message ", "message"},
    {DIAG_IPSEC_KEYS, "Keys ", "keys"},	      {DIAG_IPSEC_HWREQ, "HW Request ", "hw-req"},
};

static void crypto_switches(struct result_node *sec, const char *what, unsigned bits,
			    const struct switch_name *levels, size_t n)
{
	struct result_node *arr =
	    result_set_flags(result_kv_array(sec, what, RESULT_JOIN_SPACE), RESULT_JSON_ONLY);
	for (size_t i = 0; i < n; i++) {
		if (!(bits & levels[i].bit))
			continue;
		result_text(sec, "Crypto %s %sdebugging is on", what, levels[i].word);
		result_add_str(arr, "%s", levels[i].name);
	}
}

static void gdoi_switches(struct result_node *root, struct diag *d)
{
	struct result_node *sec = NULL, *list = NULL;
	struct dbuf line = DBUF_INIT;
	for (int role = 0; role < DIAG_ROLE_COUNT; role++) {
		for (int f = 0; f < DIAG_FEAT_COUNT; f++) {
			unsigned lv = diag_debug_gdoi_levels(d, role, f);
			if (!lv)
				continue;
			if (!sec) {
				sec = result_set_indent(result_heading(root, "GDOI:"), 2);
				list = result_list(sec, "features");
			}
			dbuf_reset(&line);
			if (diag_debug_describe(&line, role, f, lv) || !line.len)
				continue;
			struct result_node *it = result_item(list);
			result_text(it, "%.*s", (int)line.len - 1, (const char *)line.p);
			struct result_node *j =
			    result_set_flags(result_section(it, NULL), RESULT_JSON_ONLY);
			result_kv_str(j, "Role", "%s", diag_role_name(role));
			result_kv_str(j, "Feature", "%s", diag_feature_name(f));
			struct result_node *arr = result_kv_array(j, "Levels", RESULT_JOIN_SPACE);
			for (unsigned bit = DIAG_LVL_PACKET; bit; bit >>= 1)
				if (lv & bit)
					result_add_str(arr, "%s", diag_level_name(bit));
		}
	}
	dbuf_free(&line);
}

int ctl_show_debugging(struct result *r, struct diag *d)
{
	struct result_node *root = result_root(r);
	unsigned ike = diag_debug_isakmp_levels(d), ipsec = diag_debug_ipsec_levels(d);
	if (ike || ipsec) {
		struct result_node *sec = result_set_key(
		    result_set_indent(result_heading(root, "Cryptographic Subsystem:"), 2),
		    "crypto");
		if (ike)
			crypto_switches(sec, "ISAKMP", ike, ike_levels,
					sizeof(ike_levels) / sizeof(ike_levels[0]));
		if (ipsec)
			crypto_switches(sec, "IPSEC", ipsec, ipsec_levels,
					sizeof(ipsec_levels) / sizeof(ipsec_levels[0]));
	}
	gdoi_switches(root, d);
	return result_error(r);
}

/* ---- show crypto gdoi debug-condition ---- */

int ctl_show_debug_condition(struct result *r, struct diag *d)
{
	struct diag_cond conds[DIAG_COND_MAX];
	bool unmatched;
	size_t n = diag_debug_cond_list(d, conds, DIAG_COND_MAX, &unmatched);
	if (n > DIAG_COND_MAX)
		n = DIAG_COND_MAX;
	struct result_node *root = result_root(r);
	result_text(root, "GDOI Conditional Filters:");
	struct result_node *peers = result_kv_array(root, "Peer Addresses", RESULT_JOIN_SPACE);
	struct result_node *groups = result_kv_array(root, "Groups", RESULT_JOIN_SPACE);
	result_set_flags(peers, RESULT_JSON_ONLY);
	result_set_flags(groups, RESULT_JSON_ONLY);
	for (size_t i = 0; i < n; i++) {
		char ip[DIAG_IP4_STRLEN];
		if (conds[i].type == DIAG_COND_PEER) {
			diag_ip4(conds[i].peer, ip);
			result_text(root, "Peer Address %s", ip);
			result_add_str(peers, "%s", ip);
		} else {
			result_text(root, "Group %s", conds[i].group);
			result_add_str(groups, "%s", conds[i].group);
		}
	}
	result_text(root, "Unmatched %s", unmatched ? "set" : "NOT set");
	result_set_flags(result_kv_bool(root, "Unmatched", unmatched, "set", "NOT set"),
			 RESULT_JSON_ONLY);
	return result_error(r);
}

/* ---- show monitor event-trace gdoi ---- */

struct trace_walk {
	struct result_node *list;
	struct diag *d;
	bool detail;
	bool titles; /* several rings, ring by ring */
	int last_ring;
	struct dbuf tmp;
	int err;
};

static int add_trace_entry(void *arg, enum diag_trace_ring ring, const struct diag_trace_entry *e)
{
	struct trace_walk *w = arg;
	struct result_node *it = result_item(w->list);
	if (w->titles && (int)ring != w->last_ring)
		result_text(it, "%s:", diag_trace_ring_help(ring));
	w->last_ring = (int)ring;

	char stamp[DIAG_TIME_STAMP_LEN];
	diag_time_stamp(stamp, sizeof(stamp), e->wall_ns, w->d->local_time);
	dbuf_reset(&w->tmp);
	w->err = diag_trace_format_text(&w->tmp, ring, e);
	result_text(it, "%s: %s", stamp, dbuf_str(&w->tmp));
	struct result_node *j = result_set_flags(result_section(it, NULL), RESULT_JSON_ONLY);
	result_kv_str(j, "Time", "%s", stamp + 1);
	result_kv_str(j, "Ring", "%s", diag_trace_ring_name(ring));
	if (e->group[0])
		result_kv_str(j, "Group", "%s", e->group);
	if (e->peer) {
		char ip[DIAG_IP4_STRLEN];
		result_kv_str(j, "Peer", "%s", diag_ip4(e->peer, ip));
	}
	result_kv_str(j, "Text", "%s", dbuf_str(&w->tmp));

	dbuf_reset(&w->tmp);
	if (!w->err)
		w->err = diag_trace_format_location(&w->tmp, ring, e);
	if (!w->err && w->tmp.len) {
		if (w->detail)
			result_text(it, "%s", dbuf_str(&w->tmp));
		result_kv_str(j, "Location", "%s", dbuf_str(&w->tmp) + strlen("-Traceback= "));
	}
	return w->err;
}

int ctl_show_event_trace(struct result *r, struct diag *d, const struct diag_trace_query *q,
			 bool detail)
{
	unsigned rings = q->rings & DIAG_TRACE_ALL_RINGS;
	struct trace_walk w = {
	    .list = result_list(result_root(r), "entries"),
	    .d = d,
	    .detail = detail,
	    .titles = !q->merged && (rings & (rings - 1)), /* more than one ring */
	    .last_ring = -1,
	    .tmp = DBUF_INIT,
	};
	int rc = diag_trace_query(d, q, add_trace_entry, &w);
	dbuf_free(&w.tmp);
	return rc ? rc : result_error(r);
}

int ctl_show_event_trace_params(struct result *r, struct diag *d, enum diag_trace_ring ring)
{
	struct diag_trace_params p;
	if (!diag_trace_ring_name(ring))
		return ERR_INVAL;
	diag_trace_params(d, ring, &p);
	struct result_node *root = result_root(r);
	result_text(root, "Trace has %zu entries", p.size);
	result_text(root, "Stacktrace is disabled by default");
	if (!p.enabled)
		result_text(root, "Tracing is disabled");
	struct result_node *j = result_set_flags(result_section(root, NULL), RESULT_JSON_ONLY);
	result_kv_str(j, "Ring", "%s", diag_trace_ring_name(ring));
	result_kv_u64(j, "Size", p.size);
	result_kv_u64(j, "Entries Held", p.count);
	result_kv_bool(j, "Enabled", p.enabled, "yes", "no");
	result_kv_bool(j, "Stacktrace", false, "enabled", "disabled");
	return result_error(r);
}

int ctl_time_source_text(struct dbuf *out, struct diag *d)
{
	const char *source;
	bool authoritative;
	diag_time_source_detect(&source, &authoritative);
	char line[DIAG_TIME_SOURCE_LEN];
	diag_time_source_line(line, sizeof(line), source, authoritative, clock_wall_ns(d->clock),
			      d->local_time);
	return dbuf_printf(out, "%s\n", line);
}
