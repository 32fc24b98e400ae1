/*
 * Key server shows: `show crypto gdoi ks [detail]`, `ks members [summary |
 * A.B.C.D]`, `ks policy`, `ks acl`, and the KS part of `show crypto gdoi`,
 * from the KS engine's snapshots (nothing secret is in them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_gdoi.h"
#include "diag/log.h"
#include "gdoi/ks.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

int ctl_gdoi_need_ks(struct ctl_exec *x)
{
	return x->w->ks ? 0 : ctl_fail(x, "%% This box is not a key server");
}

int ctl_gdoi_each_ks_group(struct ctl_exec *x, const struct ctl_args *a, ctl_gdoi_ks_fn fn)
{
	struct result_node *list = result_list(result_root(x->r), "groups");
	uint64_t now = ctl_now(x);
	for (size_t i = 0; i < gdoi_ks_group_count(x->w->ks); i++) {
		struct gdoi_ks_group_info g;
		if (!gdoi_ks_group_info(x->w->ks, i, now, &g))
			fn(x, result_item(list), &g, a);
	}
	return result_error(x->r);
}

static const char *replay_name(uint8_t replay)
{
	return replay == GDOI_REPLAY_TIME	? "Time Based"
	       : replay == GDOI_REPLAY_COUNTER ? "Counter Based"
					       : "Disabled";
}

/* The ACL name of `sa ipsec N`, or "". */
static const char *sa_acl(const struct gdoi_ks_group_info *g, uint16_t sa_num)
{
	for (size_t i = 0; i < g->n_sas; i++)
		if (g->sa[i].number == sa_num)
			return g->sa[i].acl_name;
	return "";
}

/* ---- show crypto gdoi (KS part) ---- */

static void ks_tek_block(struct result_node *list, const struct gdoi_ks_tek_info *t)
{
	struct result_node *it = result_set_indent(result_item(list), 6);
	result_kv_u64(it, "IPSec SA Number", t->sa_num);
	result_set_unit(result_kv_u64(it, "IPSec SA Rekey Lifetime", t->life_sec), " secs");
	result_kv_str(it, "Profile Name", "%s", t->profile[0] ? t->profile : "(none)");
	result_kv_str(it, "Replay method", "%s", replay_name(t->replay));
	result_kv_u64(it, "Replay Window Size", t->replay_window);
	result_text(it, "SA Rekey");
	result_set_unit(result_set_key(result_set_indent(result_kv_u64(it, "Remaining Lifetime",
								      t->remaining_sec),
							 3),
				       "saRekeyRemainingLifetime"),
			" secs");
	result_kv_str(it, "ACL Configured", "access-list %s", t->acl_name);
	result_blank(it);
}

static void redundancy_block(struct result_node *s, const struct gdoi_ks_group_info *g)
{
	char b[DIAG_IP4_STRLEN];
	if (!g->redundancy) {
		result_kv_str(s, "Redundancy", "%s", "Not configured");
		return;
	}
	result_kv_str(s, "Redundancy", "%s", "Configured");
	struct result_node *r = result_set_indent(result_section(s, "redundancyInfo"), 4);
	result_kv_str(r, "Local Address", "%s", diag_ip4(g->ks_addr, b));
	result_kv_u64(r, "Local Priority", g->priority);
	struct result_node *p = result_kv_array(r, "Peer Addresses", RESULT_JOIN_LINES);
	for (size_t i = 0; i < g->n_peers; i++)
		result_add_str(p, "%s", diag_ip4(g->peers[i], b));
}

static void ks_group_information(struct result_node *list, const struct gdoi_ks_group_info *g)
{
	char id[24];
	gdoi_identity_format(&g->id, id, sizeof(id));
	const char *transport = g->multicast ? "Multicast" : "Unicast";
	struct result_node *it = result_item(list);
	result_align(it, RESULT_ALIGN_COLUMN, 0, 0);
	result_text(it, "GROUP INFORMATION");
	result_blank(it);
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	result_set_flags(result_kv_str(s, "Group Name", "%s (%s)", g->name, transport),
			 RESULT_TEXT_ONLY);
	result_set_flags(result_kv_str(s, "Group Name", "%s", g->name), RESULT_JSON_ONLY);
	result_set_flags(result_kv_str(s, "Rekey Transport", "%s", transport), RESULT_JSON_ONLY);
	result_kv_str(s, "Group Identity", "%s", id);
	result_kv_u64(s, "Group Members", g->n_members);
	bool inbound_only = g->n_teks > 0;
	for (size_t i = 0; i < g->n_teks; i++)
		inbound_only &= g->tek[i].receive_only;
	result_kv_str(s, "IPSec SA Direction", "%s", inbound_only ? "Inbound Only" : "Both");
	if (g->has_kek) {
		result_set_unit(result_kv_u64(s, "Group Rekey Lifetime", g->kek_life_sec), " secs");
		result_text(s, "Group Rekey");
		result_set_unit(result_set_key(result_set_indent(result_kv_u64(s, "Remaining Lifetime",
									      g->kek_remaining_sec),
								 4),
					       "groupRekeyRemainingLifetime"),
				" secs");
	}
	result_set_unit(result_kv_u64(s, "Rekey Retransmit Period", g->retrans_period_sec),
			" secs");
	result_kv_u64(s, "Rekey Retransmit Attempts", g->retrans_count);
	result_blank(s);
	struct result_node *teks = result_set_indent(result_list(it, "IPSec SAs"), 0);
	for (size_t i = 0; i < g->n_teks; i++)
		ks_tek_block(teks, &g->tek[i]);
	struct result_node *t = result_set_indent(result_section(it, NULL), 5);
	result_kv_str(t, "Group Server list", "%s", "Local");
	redundancy_block(t, g);
	result_blank(it);
}

int ctl_show_gdoi_ks_groups(struct ctl_exec *x, const struct ctl_args *a)
{
	struct gdoi_ks *ks = x->w->ks;
	if (!ks)
		return 0;
	const char *name = ctl_arg_str(a, "group-name");
	int only = name ? gdoi_ks_group_find(ks, name) : -1;
	if (name && only < 0 && !x->w->gm)
		return ctl_fail(x, "%% Group %s not found", name);
	if (name && only < 0)
		return 0;
	struct result_node *list = result_list(result_root(x->r), "Key Server Groups");
	uint64_t now = ctl_now(x);
	for (size_t i = 0; i < gdoi_ks_group_count(ks); i++) {
		struct gdoi_ks_group_info g;
		if ((only < 0 || (size_t)only == i) && !gdoi_ks_group_info(ks, i, now, &g))
			ks_group_information(list, &g);
	}
	return result_error(x->r);
}

/* ---- show crypto gdoi ks [detail] ---- */

static int show_ks(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	struct gdoi_ks *ks = x->w->ks;
	uint64_t now = ctl_now(x), total = 0;
	size_t n = gdoi_ks_group_count(ks);
	for (size_t i = 0; i < n; i++) {
		struct gdoi_ks_group_info g;
		if (!gdoi_ks_group_info(ks, i, now, &g))
			total += g.n_members;
	}
	struct result_node *root = result_root(x->r);
	result_set_sep(result_kv_u64(root, "Total group members registered to this box", total),
		       ": ");
	result_blank(root);
	struct result_node *list = result_list(root, "groups");
	for (size_t i = 0; i < n; i++) {
		struct gdoi_ks_group_info g;
		if (gdoi_ks_group_info(ks, i, now, &g))
			continue;
		char id[24];
		gdoi_identity_format(&g.id, id, sizeof(id));
		struct result_node *it = result_item(list);
		result_align(it, RESULT_ALIGN_COLUMN, 0, 1);
		result_text(it, "Key Server Information For Group %s:", g.name);
		struct result_node *s = result_set_indent(result_section(it, NULL), 4);
		result_kv_str(s, "Group Name", "%s", g.name);
		result_kv_str(s, "Group Identity", "%s", id);
		result_kv_str(s, "Group Type", "%s", "GDOI (ISAKMP)");
		result_kv_u64(s, "Group Members", g.n_members);
		result_kv_str(s, "Rekey Transport", "%s", g.multicast ? "Multicast" : "Unicast");
		result_kv_str(s, "IPSec SA Direction", "%s", "Both");
		result_text(s, "ACL Configured:");
		struct result_node *acls = result_set_indent(result_lines(s, "ACLs Configured"), 4);
		for (size_t j = 0; j < g.n_sas; j++)
			result_add_str(acls, "access-list %s", g.sa[j].acl_name);
		if (ctl_arg_has(a, "detail"))
			redundancy_block(s, &g);
		result_blank(it);
	}
	return result_error(x->r);
}

/* ---- show crypto gdoi ks members [summary | A.B.C.D] ---- */

struct members_walk {
	struct result_node *list;
	uint32_t only; /* 0: all */
	bool summary;
	uint64_t now;
	size_t shown;
};

static void member_detail(struct result_node *list, const struct gdoi_ks_member_info *m,
			  uint64_t now)
{
	char b[DIAG_IP4_STRLEN], id[24];
	struct result_node *it = result_item(list);
	result_align(it, RESULT_ALIGN_COLUMN, 0, 1);
	struct result_node *row = result_row(it);
	result_kv_str(row, "Group Member ID", "%s", diag_ip4(m->addr, b));
	result_set_sep(result_kv_str(row, "GM Version", "%s", m->version), ": ");
	struct result_node *s = result_set_indent(result_section(it, NULL), 1);
	gdoi_identity_format(&m->group_id, id, sizeof(id));
	result_kv_str(s, "Group ID", "%s", id);
	result_kv_str(s, "Group Name", "%s", m->group);
	result_kv_str(s, "Key Server ID", "%s", diag_ip4(m->ks_addr, b));
	result_kv_u64(s, "Rekeys sent", m->rekeys_sent);
	result_kv_u64(s, "Rekeys retries", m->rekey_retries);
	result_kv_u64(s, "Rekey Acks Rcvd", m->acks_rcvd);
	result_kv_u64(s, "Rekey Acks missed", m->acks_missed);
	if (m->sid) /* GCM groups only (show crypto gdoi ks identifier) */
		result_kv_u64(s, "Sender ID", m->sid);
	result_blank(s);
	struct result_node *sent = result_kv_array(s, "Sent seq num", RESULT_JOIN_SPACE);
	struct result_node *rcvd = result_kv_array(s, "Rcvd seq num", RESULT_JOIN_SPACE);
	for (size_t i = 0; i < 4; i++) {
		result_add_u64(sent, m->sent_seq[i]);
		result_add_u64(rcvd, m->rcvd_seq[i]);
	}
	struct result_node *j = result_set_flags(result_section(s, NULL), RESULT_JSON_ONLY);
	result_kv_u64(j, "Registrations", m->registrations);
	result_kv_u64(j, "Registered Sec Ago",
		      now > m->registered_ns ? (now - m->registered_ns) / NS_PER_SEC : 0);
	result_blank(it);
}

static void member_summary(struct result_node *table, const struct gdoi_ks_member_info *m)
{
	char b[DIAG_IP4_STRLEN];
	struct result_node *row = result_table_row(table);
	result_add_str(row, "%s", diag_ip4(m->addr, b));
	result_add_str(row, "%s", m->version);
	result_add_str(row, "%s", "LOCAL");
}

static int add_member(void *arg, const struct gdoi_ks_member_info *m)
{
	struct members_walk *w = arg;
	if (w->only && m->addr != w->only)
		return 0;
	if (w->summary)
		member_summary(w->list, m);
	else
		member_detail(w->list, m, w->now);
	w->shown++;
	return 0;
}

static struct result_node *summary_table(struct result_node *g, uint32_t ks_addr)
{
	char b[DIAG_IP4_STRLEN];
	struct result_node *k = result_set_indent(result_section(g, NULL), 1);
	result_align(k, RESULT_ALIGN_NONE, 0, 0);
	result_kv_str(k, "Key Server ID", "%s", diag_ip4(ks_addr, b));
	struct result_node *t = result_set_indent(result_table(k, "members"), 2);
	result_table_col(t, "Group Member ID", 18, 0, NULL);
	result_table_col(t, "GM Version", 0, 0, NULL);
	result_table_col(t, "GMDB state", 0, 0, NULL);
	return t;
}

static int show_members(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	struct gdoi_ks *ks = x->w->ks;
	struct members_walk w = {.summary = ctl_arg_has(a, "summary"), .now = ctl_now(x)};
	if (ctl_arg_str(a, "member") && ctl_arg_ip4(a, "member", &w.only))
		return ctl_fail(x, "%% Invalid address");
	struct result_node *root = result_root(x->r);
	result_text(root, "Group Member Information :");
	result_blank(root);
	struct result_node *groups = result_list(root, "groups");
	for (size_t i = 0; i < gdoi_ks_group_count(ks); i++) {
		struct gdoi_ks_group_info gi;
		if (gdoi_ks_group_info(ks, i, w.now, &gi))
			continue;
		struct result_node *g = result_item(groups);
		result_set_flags(result_kv_str(g, "Group Name", "%s", gi.name), RESULT_JSON_ONLY);
		if (w.summary) {
			result_text(g, "Group Name: %s", gi.name);
			w.list = summary_table(g, gi.ks_addr);
		} else {
			char label[GDOI_NAME_MAX + 40];
			snprintf(label, sizeof(label), "Number of rekeys sent for group %s", gi.name);
			result_set_sep(result_set_key(result_kv_u64(g, label, gi.rekeys_sent),
						      "rekeysSent"),
				       " : ");
			result_blank(g);
			w.list = result_list(g, "members");
		}
		gdoi_ks_members_foreach(ks, gi.name, add_member, &w);
		if (w.summary)
			result_blank(g);
	}
	if (w.only && !w.shown)
		return ctl_fail(x, "%% No group member %s", ctl_arg_str(a, "member"));
	return result_error(x->r);
}

/* ---- show crypto gdoi ks policy ---- */

static void kek_policy(struct result_node *g, const struct gdoi_ks_group_info *gi)
{
	struct result_node *k = result_set_indent(result_section(g, "KEK Policy"), 3);
	result_text(k, "KEK POLICY (transport type : %s)", gi->multicast ? "Multicast" : "Unicast");
	struct result_node *s = result_set_indent(result_section(k, NULL), 2);
	char spi[2 * GDOI_KEK_SPI_LEN + 3] = "0x";
	for (size_t i = 0; i < GDOI_KEK_SPI_LEN; i++)
		snprintf(spi + 2 + 2 * i, 3, "%02X", gi->kek_spi[i]);
	result_kv_str(s, "spi", "%s", spi);
	struct result_node *row = result_row(s);
	result_kv_str(row, "management alg", "%s", "disabled");
	result_kv_str(row, "encrypt alg", "%s", gi->kek_alg);
	row = result_row(s);
	result_kv_u64(row, "crypto iv length", gi->kek_iv_bytes);
	result_kv_u64(row, "key size", gi->kek_key_bytes);
	row = result_row(s);
	result_kv_u64(row, "orig life(sec)", gi->kek_life_sec);
	result_kv_u64(row, "remaining life(sec)", gi->kek_remaining_sec);
	row = result_row(s);
	result_kv_str(row, "sig hash algorithm", "%s", gi->sig_hash ? gi->sig_hash : "none");
	result_kv_u64(row, "sig key length", gi->sig_key_bytes);
	result_kv_u64(s, "sig size", gi->sig_size);
	result_kv_str(s, "sig key name", "%s",
		      gi->rsa_key_missing ? "(missing)" : gi->sig_key_name);
}

static void tek_policy(struct result_node *list, const struct gdoi_ks_tek_info *t)
{
	struct result_node *it = result_set_indent(result_item(list), 3);
	result_text(it, "TEK POLICY (encaps : ENCAPS_TUNNEL)");
	struct result_node *s = result_set_indent(result_section(it, NULL), 2);
	result_kv_hex(s, "spi", t->spi, 8);
	result_kv_str(s, "access-list", "%s", t->acl_name);
	result_kv_str(s, "transform", "%s", t->transform);
	struct result_node *row = result_row(s);
	result_kv_u64(row, "alg key size", t->alg_key_bytes);
	result_kv_u64(row, "sig key size", t->sig_key_bytes);
	row = result_row(s);
	result_kv_u64(row, "orig life(sec)", t->life_sec);
	result_kv_u64(row, "remaining life(sec)", t->remaining_sec);
	row = result_row(s);
	result_kv_u64(row, "tek life(sec)", t->life_sec);
	result_kv_u64(row, "elapsed time(sec)", t->elapsed_sec);
	row = result_row(s);
	result_kv_u64(row, "override life (sec)", 0);
	result_kv_u64(row, "antireplay window size", t->replay_window);
	result_blank(it);
}

static int show_policy(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	struct gdoi_ks *ks = x->w->ks;
	uint64_t now = ctl_now(x);
	struct result_node *root = result_root(x->r);
	result_text(root, "Key Server Policy:");
	struct result_node *groups = result_list(root, "groups");
	for (size_t i = 0; i < gdoi_ks_group_count(ks); i++) {
		struct gdoi_ks_group_info gi;
		char b[DIAG_IP4_STRLEN];
		if (gdoi_ks_group_info(ks, i, now, &gi))
			continue;
		struct result_node *g = result_item(groups);
		result_align(g, RESULT_ALIGN_COLUMN, 0, 1);
		result_text(g, "For group %s (handle: %" PRIu32 ") server %s (handle: %" PRIu32 "):",
			    gi.name, gi.handle, diag_ip4(gi.ks_addr, b), gi.handle);
		struct result_node *j = result_set_flags(result_section(g, NULL), RESULT_JSON_ONLY);
		result_kv_str(j, "Group Name", "%s", gi.name);
		result_kv_u64(j, "Handle", gi.handle);
		result_kv_str(j, "Server", "%s", b);
		struct result_node *row = result_set_indent(result_row(g), 3);
		result_kv_u64(row, "# of teks", gi.n_teks);
		result_kv_u64(row, "Seq num", gi.seq);
		if (gi.has_kek)
			kek_policy(g, &gi);
		struct result_node *teks = result_list(g, "TEK Policies");
		bool time_based = false;
		for (size_t t = 0; t < gi.n_teks; t++) {
			tek_policy(teks, &gi.tek[t]);
			time_based |= gi.tek[t].replay == GDOI_REPLAY_TIME;
		}
		if (time_based)
			result_set_unit(result_set_sep(result_set_indent(result_kv_dbl(g, "Replay Value", (double)gi.pseudotime_ms / 1000.0, 2), 3),
						       " "),
					" secs");
		result_blank(g);
	}
	return result_error(x->r);
}

/* ---- show crypto gdoi ks acl ---- */

static int show_ks_acl(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	struct gdoi_ks *ks = x->w->ks;
	uint64_t now = ctl_now(x);
	struct result_node *groups = result_list(result_root(x->r), "groups");
	for (size_t i = 0; i < gdoi_ks_group_count(ks); i++) {
		struct gdoi_ks_group_info gi;
		const struct gdoi_policy *p = gdoi_ks_group_policy(ks, i);
		if (gdoi_ks_group_info(ks, i, now, &gi) || !p)
			continue;
		struct result_node *g = result_item(groups);
		result_align(g, RESULT_ALIGN_NONE, 0, 0);
		result_kv_str(g, "Group Name", "%s", gi.name);
		struct result_node *s = result_set_indent(result_section(g, NULL), 1);
		result_text(s, "Configured ACL:");
		struct result_node *l = result_set_indent(result_lines(s, "entries"), 2);
		for (size_t e = 0; e < p->n_acl; e++) {
			char line[160];
			gdoi_acl_entry_format(&p->acl[e], line, sizeof(line));
			const char *body = strncmp(line, "access-list ", 12) ? line : line + 12;
			result_add_str(l, "access-list %s %s", sa_acl(&gi, p->acl[e].sa_num), body);
		}
		result_blank(g);
	}
	return result_error(x->r);
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto gdoi ks [detail]", show_ks, CTL_CMD_SHOW},
    {"show crypto gdoi ks members [summary|A.B.C.D:member]", show_members, CTL_CMD_SHOW},
    {"show crypto gdoi ks policy", show_policy, CTL_CMD_SHOW},
    {"show crypto gdoi ks acl", show_ks_acl, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"show crypto gdoi ks", "Show GDOI key server information"},
    {"ks members", "Show the group members registered with this key server"},
    {"summary", "One line per group member"},
    {"$member", "Group member address"},
    {"show crypto gdoi ks policy", "Show the key server policy (KEK and TEKs)"},
    {"show crypto gdoi ks acl", "Show the ACLs configured for the groups"},
    {"show crypto gdoi ks detail", "Show redundancy information too"},
};

int ctl_cmd_gdoi_ks_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
