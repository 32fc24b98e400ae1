/*
 * Diagnostics commands: logging, debug switches and conditions, event
 * traces. The show results are built by ctl/show_diag.c; this file parses
 * the arguments and flips the switches of diag/.
 */
#include <stdio.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/show_diag.h"
#include "diag/debug.h"
#include "diag/log.h"
#include "diag/timefmt.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

static int need_diag(struct ctl_exec *x)
{
	return x->w->diag ? 0 : ctl_fail(x, "%% Diagnostics not available");
}

/* ---- show ---- */

static int show_logging(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	return need_diag(x) ? ERR_STATE : ctl_show_logging(x->r, x->w->diag);
}

static int show_catalog(struct ctl_exec *x, const struct ctl_args *a)
{
	return ctl_show_logging_catalog(x->r, ctl_arg_str(a, "filter"));
}

static int show_debugging(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	return need_diag(x) ? ERR_STATE : ctl_show_debugging(x->r, x->w->diag);
}

static int show_condition(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	return need_diag(x) ? ERR_STATE : ctl_show_debug_condition(x->r, x->w->diag);
}

/* The ring keyword of the line, -1 for all/merged. */
static int ring_arg(const struct ctl_args *a)
{
	for (int r = 0; r < DIAG_TRACE_COUNT; r++)
		if (ctl_arg_has(a, diag_trace_ring_name((enum diag_trace_ring)r)))
			return r;
	return -1;
}

/* `clock hh:mm[:ss] [day month [year]]` back into one string for diag. */
static int clock_arg(struct ctl_exec *x, const struct ctl_args *a, uint64_t *wall_ns)
{
	char s[96];
	const char *day = ctl_arg_str(a, "day"), *month = ctl_arg_str(a, "month"),
		   *year = ctl_arg_str(a, "year");
	snprintf(s, sizeof(s), "%s%s%s%s%s%s%s", ctl_arg_str(a, "time"), day ? " " : "",
		 day ? day : "", month ? " " : "", month ? month : "", year ? " " : "",
		 year ? year : "");
	int rc = diag_time_parse_clock(s, clock_wall_ns(x->w->diag->clock),
				       x->w->diag->local_time, wall_ns);
	return rc ? ctl_fail(x, "%% Invalid time: %s", s) : 0;
}

static int trace_when(struct ctl_exec *x, const struct ctl_args *a, struct diag_trace_query *q)
{
	uint32_t secs;
	if (ctl_arg_has(a, "latest")) {
		q->when = DIAG_TRACE_WHEN_LATEST;
	} else if (ctl_arg_has(a, "back")) {
		q->when = DIAG_TRACE_WHEN_BACK;
		if (diag_time_parse_hhmm(ctl_arg_str(a, "hhmm"), &q->arg_ns))
			return ctl_fail(x, "%% Invalid time, expected hh:mm");
	} else if (ctl_arg_has(a, "clock")) {
		q->when = DIAG_TRACE_WHEN_CLOCK;
		return clock_arg(x, a, &q->arg_ns);
	} else if (ctl_arg_has(a, "from-boot")) {
		q->when = DIAG_TRACE_WHEN_FROM_BOOT;
		if (!ctl_arg_u32(a, "seconds", &secs))
			q->arg_ns = secs * NS_PER_SEC;
	} else {
		q->when = DIAG_TRACE_WHEN_ALL;
	}
	return 0;
}

static int show_trace(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	int ring = ring_arg(a);
	struct diag_trace_query q = {
	    .rings = ring < 0 ? DIAG_TRACE_ALL_RINGS : 1u << ring,
	    .merged = ctl_arg_has(a, "merged"),
	};
	int rc = trace_when(x, a, &q);
	return rc ? rc : ctl_show_event_trace(x->r, x->w->diag, &q, ctl_arg_has(a, "detail"));
}

static int show_trace_params(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	return ctl_show_event_trace_params(x->r, x->w->diag, (enum diag_trace_ring)ring_arg(a));
}

/* ---- debug crypto gdoi ---- */

static const char *const level_words[] = {"error",  "terse",  "event",
					  "detail", "packet", "all-levels"};

/* The level of the line; default when none is typed. */
static unsigned level_arg(const struct ctl_args *a, unsigned dflt)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_words); i++) {
		unsigned lv;
		if (ctl_arg_has(a, level_words[i]) && !diag_level_find(level_words[i], &lv))
			return lv;
	}
	return dflt;
}

static int feature_arg(const struct ctl_args *a)
{
	if (ctl_arg_has(a, "all-features"))
		return DIAG_FEAT_ALL;
	for (int f = 0; f < DIAG_FEAT_COUNT; f++)
		if (ctl_arg_has(a, diag_feature_name((enum diag_feature)f)))
			return f;
	return DIAG_FEAT_ALL;
}

static int role_arg(const struct ctl_args *a)
{
	return ctl_arg_has(a, "gm") ? DIAG_ROLE_GM : ctl_arg_has(a, "ks") ? DIAG_ROLE_KS
									  : DIAG_ROLE_ALL;
}

/* The confirmation line of every switch the command touched. */
static void describe(struct ctl_exec *x, int role, int feature)
{
	for (int r = 0; r < DIAG_ROLE_COUNT; r++) {
		if (role != DIAG_ROLE_ALL && role != r)
			continue;
		for (int f = 0; f < DIAG_FEAT_COUNT; f++) {
			if (feature != DIAG_FEAT_ALL && feature != f)
				continue;
			if (r == DIAG_ROLE_GM && f == DIAG_FEAT_COOP)
				continue;
			diag_debug_describe(x->out, r, f, diag_debug_gdoi_levels(x->w->diag, r, f));
		}
	}
}

static int debug_gdoi(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	bool off = ctl_arg_has(a, "no");
	int role = role_arg(a), feature = feature_arg(a);
	unsigned level = level_arg(a, off ? 0 : DIAG_LVL_ALL);
	int rc = off ? diag_debug_gdoi_disable(x->w->diag, role, feature, level)
		     : diag_debug_gdoi_enable(x->w->diag, role, feature, level);
	if (rc)
		return ctl_fail(x, "%% Invalid debug switch");
	describe(x, role, feature);
	return 0;
}

static int debug_condition(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	bool add = !ctl_arg_has(a, "no");
	struct diag *d = x->w->diag;
	uint32_t peer;
	int rc = 0;
	if (ctl_arg_has(a, "unmatched")) {
		diag_debug_cond_set_unmatched(d, add);
	} else if (ctl_arg_has(a, "all")) {
		diag_debug_cond_clear(d);
	} else if (!ctl_arg_ip4(a, "peer", &peer)) {
		rc = add ? diag_debug_cond_add_peer(d, peer) : diag_debug_cond_del_peer(d, peer);
	} else {
		const char *g = ctl_arg_str(a, "group-name");
		rc = add ? diag_debug_cond_add_group(d, g) : diag_debug_cond_del_group(d, g);
	}
	const char *reply = diag_debug_cond_reply(add, rc);
	if (rc)
		return ctl_fail(x, "%s", reply);
	ctl_printf(x, "%s", reply);
	return 0;
}

/* ---- debug crypto isakmp / ipsec ---- */

struct switch_word {
	const char *word;
	unsigned bit;
	const char *title; /* in "Crypto ISAKMP <title>debugging is on" */
};

static const struct switch_word isakmp_words[] = {
    {"error", DIAG_IKE_ERROR, "Error "},   {"detail", DIAG_IKE_DETAIL, "Detail "},
    {"packet", DIAG_IKE_PACKET, "Packet "}, {"keys", DIAG_IKE_KEYS, "Keys "},
};

static const struct switch_word ipsec_words[] = {
    {"error", DIAG_IPSEC_ERROR, "Error "},     {"states", DIAG_IPSEC_STATES, "States "},
    {"message", DIAG_IPSEC_MESSAGE, "Message "}, {"keys", DIAG_IPSEC_KEYS, "Keys "},
    {"hw-req", DIAG_IPSEC_HWREQ, "HW Request "},
};

static const struct switch_word *switch_of(const struct ctl_args *a, const struct switch_word *v,
					   size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ctl_arg_has(a, v[i].word))
			return &v[i];
	return NULL;
}

static int debug_crypto(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	bool on = !ctl_arg_has(a, "no"), ike = ctl_arg_has(a, "isakmp");
	const struct switch_word *sw =
	    ike ? switch_of(a, isakmp_words, ARRAY_SIZE(isakmp_words))
		: switch_of(a, ipsec_words, ARRAY_SIZE(ipsec_words));
	/* the plain command: events and errors (and state changes for IPsec) */
	unsigned bits = sw ? sw->bit
		      : ike ? DIAG_IKE_EVENT | DIAG_IKE_ERROR
			    : DIAG_IPSEC_EVENT | DIAG_IPSEC_ERROR | DIAG_IPSEC_STATES;
	if (!sw && !on)
		bits = ~0u;
	if (ike)
		diag_debug_isakmp_set(x->w->diag, bits, on);
	else
		diag_debug_ipsec_set(x->w->diag, bits, on);
	ctl_printf(x, "Crypto %s %sdebugging is %s", ike ? "ISAKMP" : "IPSEC",
		   sw ? sw->title : "", on ? "on" : "off");
	/* the keys switches also write secrets to disk (daemon/keylog.h) */
	if (on && sw && !strcmp(sw->word, "keys"))
		ctl_printf(x, "%% New %s keys are written in the clear to STATE_DIR/wireshark/%s",
			   ike ? "ISAKMP SA" : "IPsec TEK", ike ? "ikev1_decryption_table" : "esp_sa");
	return 0;
}

static int undebug_all(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	if (need_diag(x))
		return ERR_STATE;
	diag_debug_all_off(x->w->diag);
	ctl_printf(x, "All possible debugging has been turned off");
	return 0;
}

/* ---- logging and event-trace settings ---- */

static int logging_buffered(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	uint32_t bytes;
	if (ctl_arg_has(a, "no")) {
		diag_log_set_buffered(x->w->diag, false);
		return 0;
	}
	diag_log_set_buffered(x->w->diag, true);
	if (ctl_arg_u32(a, "bytes", &bytes))
		return 0;
	if (diag_log_set_buffer_size(x->w->diag, bytes))
		return ctl_fail(x, "%% Cannot set the log buffer to %u bytes", bytes);
	return 0;
}

static int clear_logging(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	if (need_diag(x))
		return ERR_STATE;
	diag_log_clear(x->w->diag);
	return 0;
}

static int trace_settings(struct ctl_exec *x, const struct ctl_args *a)
{
	if (need_diag(x))
		return ERR_STATE;
	enum diag_trace_ring ring = (enum diag_trace_ring)ring_arg(a);
	uint32_t size;
	if (!ctl_arg_u32(a, "entries", &size)) {
		if (diag_trace_set_size(x->w->diag, ring, size))
			return ctl_fail(x, "%% Cannot resize the trace to %u entries", size);
	} else if (ctl_arg_has(a, "clear")) {
		diag_trace_clear(x->w->diag, ring);
	} else {
		diag_trace_enable(x->w->diag, ring, ctl_arg_has(a, "enable"));
	}
	return 0;
}

#define RINGS "{coop|exit|infra|registration|rekey}"
#define LEVELS "{all-levels|detail|error|event|packet|terse}"
#define GM_FEATURES "{all-features|infrastructure|registration|rekey|replay|acl|policy}"
#define KS_FEATURES "{all-features|infrastructure|registration|rekey|replay|coop|acl|policy}"
#define GDOI_SWITCH "{all-features " LEVELS "|gm " GM_FEATURES " [" LEVELS "]|ks " KS_FEATURES " [" LEVELS "]}"
#define CONDITION "condition {peer address ipv4 A.B.C.D:peer|group WORD:group-name|unmatched}"

static const struct ctl_cmd_def cmds[] = {
    {"show logging", show_logging, CTL_CMD_SHOW},
    {"show logging catalog [WORD:filter]", show_catalog, CTL_CMD_SHOW},
    {"show debugging", show_debugging, CTL_CMD_SHOW},
    {"show crypto gdoi debug-condition", show_condition, CTL_CMD_SHOW},
    {"show monitor event-trace gdoi {" RINGS "|all|merged} {all|latest|back WORD:hhmm"
     "|clock WORD:time [WORD:day WORD:month [WORD:year]]|from-boot [<0-4294967295>:seconds]}"
     " [detail]",
     show_trace, CTL_CMD_SHOW},
    {"show monitor event-trace gdoi " RINGS " parameters", show_trace_params, CTL_CMD_SHOW},
    {"debug crypto gdoi " GDOI_SWITCH, debug_gdoi, 0},
    {"no debug crypto gdoi " GDOI_SWITCH, debug_gdoi, 0},
    {"debug crypto gdoi " CONDITION, debug_condition, 0},
    {"no debug crypto gdoi {" CONDITION "|condition all}", debug_condition, 0},
    {"debug crypto isakmp [error|detail|packet|keys]", debug_crypto, 0},
    {"no debug crypto isakmp [error|detail|packet|keys]", debug_crypto, 0},
    {"debug crypto ipsec [error|states|message|keys|hw-req]", debug_crypto, 0},
    {"no debug crypto ipsec [error|states|message|keys|hw-req]", debug_crypto, 0},
    {"undebug all", undebug_all, 0},
    {"no debug all", undebug_all, 0},
    {"logging buffered [<4096-268435456>:bytes]", logging_buffered, 0},
    {"no logging buffered", logging_buffered, 0},
    {"clear logging", clear_logging, 0},
    {"monitor event-trace gdoi " RINGS " {size <1-1000000>:entries|clear|enable|disable}",
     trace_settings, 0},
};

static const struct ctl_help_def help[] = {
    {"show", "Show running system information"},
    {"logging", "Modify message logging facilities"},
    {"show logging", "Show the contents of logging buffers"},
    {"catalog", "Syslog messages gvpn can emit, with explanation and action"},
    {"$filter", "Facility (GDOI, CRYPTO) or part of a mnemonic"},
    {"debugging", "State of each debugging option"},
    {"crypto", "Encryption module"},
    {"gdoi", "Group Domain of Interpretation"},
    {"debug-condition", "GDOI Conditional Debug Filters"},
    {"monitor", "Monitoring different system events"},
    {"event-trace", "Tracing system events"},
    {"event-trace gdoi", "GDOI Event Traces"},
    {"gdoi coop", "GDOI COOP Event Traces"},
    {"gdoi exit", "GDOI Exit Traces"},
    {"gdoi infra", "GDOI INFRA Event Traces"},
    {"gdoi registration", "GDOI Registration Event Traces"},
    {"gdoi rekey", "GDOI Rekey Event Traces"},
    {"gdoi all", "Show all the traces in current buffer"},
    {"merged", "Show entries in all event traces sorted by time"},
    {"all", "Show all the traces in current buffer"},
    {"latest", "Show latest trace events since last display"},
    {"back", "Show trace from this far back in the past"},
    {"$hhmm", "Duration, hh:mm"},
    {"clock", "Show trace from a specific clock time/date"},
    {"$time", "Time, hh:mm[:ss]"},
    {"$day", "Day of the month"},
    {"$month", "Month of the year"},
    {"$year", "Year"},
    {"from-boot", "Show trace from this many seconds after booting"},
    {"$seconds", "Number of seconds"},
    {"detail", "Show detailed information"},
    {"parameters", "Trace parameters"},
    {"debug", "Debugging functions"},
    {"no", "Negate a command or set its defaults"},
    {"undebug", "Disable debugging functions"},
    {"undebug all", "Disable all debugging"},
    {"debug all", "Disable all debugging"},
    {"all-features", "All features in GDOI"},
    {"gm", "Group Member"},
    {"ks", "Key Server"},
    {"infrastructure", "Infrastructure"},
    {"registration", "Registration"},
    {"rekey", "Rekey"},
    {"replay", "Anti-replay"},
    {"coop", "Cooperative Key Server"},
    {"acl", "Access lists"},
    {"policy", "Policy"},
    {"error", "Errors only"},
    {"isakmp detail", "Detailed messages"},
    {"isakmp packet", "Decoded packets"},
#define LEVEL_HELP(f)                                                                             \
	{f " detail", "Detail level"}, {f " error", "Error level"}, {f " event", "Event level"},  \
	    {f " packet", "Packet level"}, {f " terse", "Terse level"},                           \
	    {f " all-levels", "All levels"}
    LEVEL_HELP("all-features"), LEVEL_HELP("infrastructure"), LEVEL_HELP("registration"),
    LEVEL_HELP("rekey"),        LEVEL_HELP("replay"),         LEVEL_HELP("coop"),
    LEVEL_HELP("acl"),          LEVEL_HELP("policy"),
    {"condition", "Conditional debugging"},
    {"peer", "Peer filter"},
    {"address", "Peer address"},
    {"ipv4", "IPv4 address"},
    {"$peer", "Peer IP address"},
    {"condition group", "Group filter"},
    {"$group-name", "Group name"},
    {"unmatched", "Also show debugs that carry no condition information"},
    {"condition all", "All conditions"},
    {"isakmp", "ISAKMP debug messages"},
    {"ipsec", "IPSEC processing"},
    {"keys", "Key life cycle; keys to the Wireshark tables in STATE_DIR/wireshark"},
    {"states", "IPSEC SA state changes"},
    {"message", "IPSEC message"},
    {"hw-req", "IPSEC hardware requests"},
    {"buffered", "Set buffered logging parameters"},
    {"$bytes", "Logging buffer size"},
    {"clear", "Reset functions"},
    {"clear logging", "Clear logging buffer"},
    {"size", "Set the size of the trace"},
    {"$entries", "Number of entries"},
    {"enable", "Enable the trace"},
    {"disable", "Disable the trace"},
};

int ctl_cmd_diag_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
