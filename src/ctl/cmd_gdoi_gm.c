/*
 * Group member shows: `show crypto gdoi [group G] [detail]` (GROUP
 * INFORMATION, with the KS block on a key server), `show crypto gdoi gm`
 * and `show crypto gdoi gm acl`, from the GM engine's snapshots.
 *
 * Layout (behavior-reference §4.1, seed guide): one alignment scope per
 * group, colon column right after the widest label with no gap, so that
 * "Succeeded registration: 1" and "    Group Name               : G1" line up.
 */
#include <stdio.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_gdoi.h"
#include "diag/log.h"
#include "gdoi/gm.h"
#include "util/err.h"
#include "util/mem.h"

/* ---- pieces shared by `show crypto gdoi` and `show crypto gdoi gm` ---- */

static const char *ip(uint32_t a, char buf[static DIAG_IP4_STRLEN])
{
	return diag_ip4(a, buf);
}

static void server_list(struct result_node *s, const struct gdoi_gm_group_info *g)
{
	char b[DIAG_IP4_STRLEN];
	struct result_node *l = result_kv_array(s, "Group Server list", RESULT_JOIN_LINES);
	result_set_indent(l, 1);
	for (size_t i = 0; i < g->n_servers; i++)
		result_add_str(l, "%s", ip(g->servers[i], b));
}

/* "Group member : 10.1.13.2  vrf: None" and the registration block under it. */
static void member_block(struct result_node *s, const struct gdoi_gm_group_info *g,
			 bool gm_view)
{
	char b[DIAG_IP4_STRLEN];
	struct result_node *row = result_row(s);
	result_set_width(result_kv_str(row, "Group member", "%s", ip(g->gm_addr, b)), 16);
	result_set_sep(result_kv_str(row, "vrf", "%s", "None"), ": ");
	struct result_node *m = result_set_indent(result_section(s, NULL), 3);
	if (gm_view) {
		result_kv_str(m, "Local addr/port", "%s/848", ip(g->gm_addr, b));
		uint32_t ks = g->registered ? g->registered_with : g->registering_to;
		result_kv_str(m, "Remote addr/port", "%s/848", ip(ks, b));
		result_kv_str(m, "fvrf/ivrf", "%s", "None/None");
	}
	result_kv_str(m, "Version", "%s", CTL_GDOI_VERSION);
	result_set_flags(result_kv_str(m, "Capabilities", "%s", g->version), RESULT_JSON_ONLY);
	result_kv_str(m, "Registration status", "%s", g->status);
	if (g->registering && !g->registered)
		result_kv_str(m, "Registering to", "%s", ip(g->registering_to, b));
	else
		result_kv_str(m, "Registered with", "%s", ip(g->registered_with, b));
	result_set_unit(result_kv_u64(m, "Re-registers in", g->reregister_in_sec), " sec");
	result_kv_u64(m, "Succeeded registration", g->succeeded);
	result_kv_u64(m, "Attempted registration", g->attempted);
	result_kv_str(m, "Last rekey from", "%s", ip(g->last_rekey_from, b));
	result_kv_u64(m, "Last rekey seq num", g->last_rekey_seq);
	result_kv_u64(m, g->multicast ? "Multicast rekey rcvd" : "Unicast rekey received",
		      g->rekeys_received);
	result_kv_u64(m, "Rekey ACKs sent", g->acks_sent);
	uint32_t ago = g->last_rekey_sec_ago;
	if (ago == UINT32_MAX)
		result_kv_str(m, "Rekey Received", "%s", "never");
	else
		result_set_key(result_kv_str(m, "Rekey Rcvd(hh:mm:ss)", "%02u:%02u:%02u", ago / 3600,
					     ago / 60 % 60, ago % 60),
			       "rekeyReceived");
	if (gm_view) {
		result_kv_str(m, "DP Error Monitoring", "%s", "OFF");
		result_kv_u64(m, "Active TEK Number", g->n_teks);
		result_kv_str(m, "Fail-Close Revert", "%s",
			      !g->fail_close	     ? "Disabled"
			      : g->fail_close_active ? "Enabled (dropping)"
						     : "Enabled");
	}
	result_kv_str(m, "allowable rekey cipher", "%s", "any");
	result_kv_str(m, "allowable rekey hash", "%s", "any");
	result_kv_str(m, "allowable transformtag", "%s", "any ESP");
	result_blank(s);
	struct result_node *c = result_set_indent(result_heading(s, "Rekeys cumulative"), 3);
	result_kv_u64(c, "Total received", g->rekeys_received);
	result_kv_u64(c, "After latest register", g->rekeys_after_reg);
	result_kv_u64(c, "Rekey Acks sents", g->acks_sent);
}

/* " ACL Downloaded From KS 10.1.11.2:" and the access-list lines. */
static void acl_block(struct result_node *parent, const struct gdoi_gm_group_info *g,
		      const struct gdoi_policy *p)
{
	char b[DIAG_IP4_STRLEN];
	struct result_node *s = result_set_indent(result_section(parent, "acl"), 1);
	if (g->acl_known)
		result_text(s, "ACL Downloaded From KS %s:", ip(g->acl_from, b));
	else
		result_text(s, "ACL Downloaded From KS UNKNOWN:");
	result_set_flags(result_kv_str(s, "Downloaded From KS", "%s",
				       g->acl_known ? ip(g->acl_from, b) : "UNKNOWN"),
			 RESULT_JSON_ONLY);
	struct result_node *l = result_set_indent(result_lines(s, "entries"), 2);
	for (size_t i = 0; p && i < p->n_acl; i++) {
		char line[160];
		gdoi_acl_entry_format(&p->acl[i], line, sizeof(line));
		result_add_str(l, "%s", line);
	}
}

/* IOS names of the rekey signature hashes. */
static const char *sig_hash_name(const char *h)
{
	if (!h)
		return "none";
	if (!strcmp(h, "sha1"))
		return "HMAC_AUTH_SHA";
	if (!strcmp(h, "sha256"))
		return "HMAC_AUTH_SHA256";
	if (!strcmp(h, "sha384"))
		return "HMAC_AUTH_SHA384";
	if (!strcmp(h, "sha512"))
		return "HMAC_AUTH_SHA512";
	return h;
}

void ctl_gdoi_gm_kek_block(struct result_node *parent, const struct gdoi_gm_group_info *g)
{
	struct result_node *k = result_heading(parent, "KEK POLICY:");
	result_set_key(k, "kekPolicy");
	if (!g->has_kek) {
		result_set_indent(result_text(k, "(none: members re-register before the TEKs expire)"), 4);
		return;
	}
	struct result_node *s = result_set_indent(result_section(k, NULL), 4);
	result_kv_str(s, "Rekey Transport Type", "%s", g->multicast ? "Multicast" : "Unicast");
	result_kv_u64(s, "Lifetime (secs)", g->kek_remaining_sec);
	result_kv_str(s, "Encrypt Algorithm", "%s", g->kek_alg);
	result_kv_u64(s, "Key Size", g->kek_key_bits);
	result_kv_str(s, "Sig Hash Algorithm", "%s", sig_hash_name(g->sig_hash));
	result_kv_u64(s, "Sig Key Length (bits)", g->sig_key_bits);
}

static void replay_line(struct result_node *s, uint8_t replay, uint16_t window)
{
	if (replay == GDOI_REPLAY_TIME)
		result_set_key(result_set_unit(result_set_sep(result_kv_u64(s, "Anti-Replay(Time Based)", window), " : "),
					       " sec interval"),
			       "antiReplayTimeBasedSec");
	else if (replay == GDOI_REPLAY_COUNTER)
		result_set_key(result_set_sep(result_kv_u64(s, "Anti-Replay(Counter Based)", window), " : "),
			       "antiReplayCounterBased");
}

static void tek_block(struct result_node *parent, const struct gdoi_gm_group_info *g,
		      const char *ifname, bool detail)
{
	struct result_node *t = result_heading(parent, "TEK POLICY for the current KS-Policy ACEs Downloaded:");
	result_set_key(t, "tekPolicy");
	struct result_node *itf = result_set_indent(result_section(t, NULL), 2);
	result_text(itf, "%s:", ifname ? ifname : "(no crypto map interface)");
	result_set_flags(result_kv_str(itf, "Interface", "%s", ifname ? ifname : ""),
			 RESULT_JSON_ONLY);
	struct result_node *list = result_list(itf, "IPsec SAs");
	for (size_t i = 0; i < g->n_teks; i++) {
		const struct gdoi_gm_tek_info *k = &g->tek[i];
		struct result_node *it = result_set_indent(result_item(list), 2);
		result_align(it, RESULT_ALIGN_NONE, 0, 0);
		result_text(it, "IPsec SA:");
		struct result_node *s = result_set_indent(result_section(it, NULL), 4);
		result_kv_hexdec(s, "spi", k->spi);
		result_kv_str(s, "transform", "%s", k->transform);
		result_text(s, "sa timing:remaining key lifetime (sec): (%u)", k->remaining_sec);
		result_set_flags(result_kv_u64(s, "Remaining Key Lifetime Sec", k->remaining_sec),
				 RESULT_JSON_ONLY);
		replay_line(s, k->replay, k->replay_window);
		/* gvpn's additions: shown with detail, always in JSON */
		unsigned fl = detail ? 0 : RESULT_JSON_ONLY;
		result_set_flags(result_kv_bool(s, "Used to send", k->outbound, "yes", "no"), fl);
		result_set_flags(result_kv_bool(s, "Receive only", k->receive_only, "yes", "no"), fl);
		result_set_flags(result_kv_u64(s, "Lifetime (sec)", k->life_sec), fl);
		result_set_flags(result_kv_u64(s, "SA number", k->sa_num), fl);
	}
}

/* ---- show crypto gdoi ---- */

int ctl_gdoi_need_gm(struct ctl_exec *x)
{
	return x->w->gm ? 0 : ctl_fail(x, "%% This box is not a group member");
}

int ctl_gdoi_each_gm_group(struct ctl_exec *x, const struct ctl_args *a, int only,
			   ctl_gdoi_gm_fn fn)
{
	struct result_node *list = result_list(result_root(x->r), "groups");
	uint64_t now = ctl_now(x);
	for (size_t i = 0; i < gdoi_gm_group_count(x->w->gm); i++) {
		struct gdoi_gm_group_info g;
		if ((only < 0 || (size_t)only == i) && !gdoi_gm_group_info(x->w->gm, i, now, &g))
			fn(x, result_item(list), i, &g, a);
	}
	return result_error(x->r);
}

static void group_information(struct ctl_exec *x, struct result_node *it, size_t i,
			      const struct gdoi_gm_group_info *g, const struct ctl_args *a)
{
	char id[24];
	gdoi_identity_format(&g->id, id, sizeof(id));
	result_align(it, RESULT_ALIGN_COLUMN, 0, 0);
	result_text(it, "GROUP INFORMATION");
	result_blank(it);
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	result_kv_str(s, "Group Name", "%s", g->name);
	result_kv_str(s, "Group Identity", "%s", id);
	result_kv_str(s, "Crypto Path", "%s", "ipv4");
	result_kv_str(s, "Key Management Path", "%s", "ipv4");
	result_kv_u64(s, "Rekeys received", g->rekeys_received);
	result_kv_str(s, "IPSec SA Direction", "%s", g->sa_direction);
	result_blank(s);
	server_list(s, g);
	result_blank(s);
	member_block(s, g, false);
	result_blank(it);
	acl_block(it, g, gdoi_gm_group_policy(x->w->gm, i));
	result_blank(it);
	ctl_gdoi_gm_kek_block(it, g);
	result_blank(it);
	tek_block(it, g, x->w->gm_ifname, ctl_arg_has(a, "detail"));
	result_blank(it);
}

int ctl_show_gdoi_gm_groups(struct ctl_exec *x, const struct ctl_args *a)
{
	if (!x->w->gm)
		return 0;
	const char *name = ctl_arg_str(a, "group-name");
	int only = name ? gdoi_gm_group_find(x->w->gm, name) : -1;
	if (name && only < 0)
		return 0; /* a KS group, or none (cmd_gdoi.c says so) */
	return ctl_gdoi_each_gm_group(x, a, only, group_information);
}

/* ---- show crypto gdoi gm ---- */

static void gm_information(struct ctl_exec *x, struct result_node *it, size_t i,
			   const struct gdoi_gm_group_info *g, const struct ctl_args *a)
{
	(void)x;
	(void)i;
	(void)a;
	result_align(it, RESULT_ALIGN_COLUMN, 0, 0);
	result_text(it, "Group Member Information For Group %s:", g->name);
	result_set_flags(result_kv_str(it, "Group Name", "%s", g->name), RESULT_JSON_ONLY);
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	result_kv_str(s, "IPSec SA Direction", "%s", g->sa_direction);
	result_kv_str(s, "ACL Received From KS", "gdoi_group_%s_temp_acl", g->name);
	result_blank(s);
	member_block(s, g, true);
	result_blank(it);
}

static int show_gm(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_gm(x))
		return ERR_STATE;
	return ctl_gdoi_each_gm_group(x, a, -1, gm_information);
}

/* ---- show crypto gdoi gm acl ---- */

static void gm_acl(struct ctl_exec *x, struct result_node *it, size_t i,
		   const struct gdoi_gm_group_info *g, const struct ctl_args *a)
{
	(void)a;
	result_align(it, RESULT_ALIGN_NONE, 0, 0);
	result_kv_str(it, "Group Name", "%s", g->name);
	acl_block(it, g, gdoi_gm_group_policy(x->w->gm, i));
	struct result_node *l = result_set_indent(result_section(it, "local"), 1);
	result_text(l, "ACL Configured Locally:");
	struct result_node *lines = result_set_indent(result_lines(l, "entries"), 2);
	for (size_t j = 0; j < x->w->gm_local_acl_n; j++)
		result_add_str(lines, "%s", x->w->gm_local_acl[j]);
	result_blank(it);
}

static int show_gm_acl(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_gm(x))
		return ERR_STATE;
	return ctl_gdoi_each_gm_group(x, a, -1, gm_acl);
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto gdoi gm", show_gm, CTL_CMD_SHOW},
    {"show crypto gdoi gm acl", show_gm_acl, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"show crypto gdoi gm", "Show GDOI group member information"},
    {"show crypto gdoi gm acl", "Show the ACLs of the group member"},
};

int ctl_cmd_gdoi_gm_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
