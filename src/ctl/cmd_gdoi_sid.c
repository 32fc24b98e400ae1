/*
 * Sender-ID commands (behavior-reference §4.1; RFC 6054, notes §4.6):
 *
 *   show crypto gdoi gm identifier [detail]   per group: whether a TEK runs in
 *                                             counter mode (GCM), the SID bits,
 *                                             the SIDs in use, when the next is
 *                                             asked for (the next registration);
 *                                             detail: per TEK, send or receive
 *   show crypto gdoi ks identifier [detail]   per group: SID bits, the next SID,
 *                                             SIDs handed out and refused,
 *                                             members holding one; detail: the
 *                                             SID of every member
 */
#include <stdio.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_gdoi.h"
#include "util/err.h"
#include "diag/log.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "util/mem.h"

static const char *mode_text(bool counter)
{
	return counter ? "counter mode (AES-GCM)" : "not counter mode";
}

/* ---- show crypto gdoi gm identifier [detail] ---- */

/* detail: what each TEK may do with the registration's SID. */
static void gm_tek_list(struct result_node *it, const struct gdoi_gm_group_info *g)
{
	struct result_node *list =
	    result_list(result_set_indent(result_section(it, NULL), 4), "TEKs");
	for (size_t i = 0; i < g->n_teks; i++) {
		const struct gdoi_gm_tek_info *k = &g->tek[i];
		const char *use = k->receive_only    ? "receive only (SA direction)"
				  : !k->counter_mode ? "send and receive (no SID needed)"
				  : g->n_sids	     ? "send and receive with the SID"
						     : "receive only (no SID)";
		struct result_node *s = result_set_indent(result_item(list), 2);
		result_align(s, RESULT_ALIGN_COLUMN, 0, 0);
		result_kv_hexdec(s, "spi", k->spi);
		result_kv_str(s, "transform", "%s", k->transform);
		result_kv_str(s, "use", "%s", use);
	}
}

static void gm_identifier(struct ctl_exec *x, struct result_node *it, size_t index,
			  const struct gdoi_gm_group_info *g, const struct ctl_args *a)
{
	(void)x;
	(void)index;
	result_align(it, RESULT_ALIGN_COLUMN, 0, 1);
	result_kv_str(it, "Group Name", "%s", g->name);
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	result_kv_str(s, "Transform mode", "%s",
		      g->registered ? mode_text(g->counter_mode) : "(no policy)");
	result_kv_u64(s, "Sender ID bits", g->sid_bits);
	struct result_node *ids = result_kv_array(s, "Sender IDs in use", RESULT_JOIN_SPACE);
	for (size_t i = 0; i < g->n_sids; i++)
		result_add_u64(ids, g->sids[i]);
	if (!g->n_sids) { /* JSON: the empty list; text: say so */
		result_set_flags(ids, RESULT_JSON_ONLY);
		result_set_flags(result_kv_str(s, "Sender IDs in use", "%s", "none"),
				 RESULT_TEXT_ONLY);
	}
	/* A SID comes only with a registration: the next one asks again. */
	result_set_key(result_set_unit(result_kv_u64(s, "Next request in", g->reregister_in_sec),
				       " sec (next registration)"),
		       "nextRequestSec");
	if (ctl_arg_has(a, "detail"))
		gm_tek_list(it, g);
	result_blank(it);
}

static int show_gm_identifier(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_gm(x))
		return ERR_STATE;
	return ctl_gdoi_each_gm_group(x, a, -1, gm_identifier);
}

/* ---- show crypto gdoi ks identifier [detail] ---- */

struct sid_walk {
	struct result_node *table;
};

static int sid_row(void *arg, const struct gdoi_ks_member_info *m)
{
	struct sid_walk *w = arg;
	char b[DIAG_IP4_STRLEN];
	struct result_node *row = result_table_row(w->table);
	result_add_str(row, "%s", diag_ip4(m->addr, b));
	if (m->sid)
		result_add_u64(row, m->sid);
	else
		result_add_str(row, "%s", "none");
	return 0;
}

static void ks_identifier(struct ctl_exec *x, struct result_node *it,
			  const struct gdoi_ks_group_info *g, const struct ctl_args *a)
{
	result_align(it, RESULT_ALIGN_COLUMN, 0, 1);
	result_kv_str(it, "Group Name", "%s", g->name);
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	uint32_t max = gdoi_sid_max(g->sid_bits);
	result_kv_str(s, "Transform mode", "%s", mode_text(g->counter_mode));
	result_kv_u64(s, "Sender ID bits", g->sid_bits);
	if (g->sid_next > max)
		result_set_key(result_kv_str(s, "Next sender ID", "%s", "none left"),
			       "nextSidNone");
	else
		result_kv_u64(s, "Next sender ID", g->sid_next);
	result_kv_u64(s, "Sender IDs allocated", g->sids_given);
	result_set_key(result_kv_u64(s, "Sender IDs refused (none left)", g->sids_refused),
		       "senderIdsRefused");
	result_set_key(result_kv_u64(s, "Members holding a sender ID", g->sid_members),
		       "membersWithSenderId");
	if (ctl_arg_has(a, "detail")) {
		struct result_node *m = result_set_indent(result_section(it, NULL), 4);
		struct result_node *t = result_table(m, "members");
		result_table_col(t, "Group Member ID", 18, 0, NULL);
		result_table_col(t, "Sender ID", 0, 0, NULL);
		struct sid_walk w = {t};
		gdoi_ks_members_foreach(x->w->ks, g->name, sid_row, &w);
	}
	result_blank(it);
}

static int show_ks_identifier(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	return ctl_gdoi_each_ks_group(x, a, ks_identifier);
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto gdoi gm identifier [detail]", show_gm_identifier, CTL_CMD_SHOW},
    {"show crypto gdoi ks identifier [detail]", show_ks_identifier, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"show crypto gdoi gm identifier", "Show the sender IDs of counter-mode (GCM) groups"},
    {"show crypto gdoi gm identifier detail", "What every TEK may do with them"},
    {"show crypto gdoi ks identifier", "Show the sender-ID allocation of each group"},
    {"show crypto gdoi ks identifier detail", "The sender ID of every member too"},
};

int ctl_cmd_gdoi_sid_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
