/*
 * GROUPKEY-PUSH commands (behavior-reference §4.1, §4.3; seed guide, "Rekey
 * Troubleshooting"):
 *
 *   show crypto gdoi ks rekey                    per group: rekeys sent and
 *                                                retransmitted, KEK and TEK
 *                                                lifetimes, retransmission
 *   show crypto gdoi gm rekey [detail]           per group: rekeys received,
 *                                                after registration, ACKs sent
 *   show crypto gdoi rekey sa [detail]           the KEK SAs (GETVPN REKEY SA)
 *   crypto gdoi ks [group G] rekey [replace-now] rekey now
 *   clear crypto gdoi ks members [group G] [now] forget the members
 *
 * The guide's lines come first, in its order; gvpn's additions (sequence
 * number, ACK counts, the KEK SPI...) follow them.
 */
#include <stdio.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_gdoi.h"
#include "diag/log.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "util/err.h"
#include "util/mem.h"

static const char *transport(bool multicast)
{
	return multicast ? "Multicast" : "Unicast";
}

/* "0x18864836BA888BCD1126671EEAFEB4C7" */
static const char *kek_spi_str(const uint8_t spi[GDOI_KEK_SPI_LEN],
			       char out[static 2 * GDOI_KEK_SPI_LEN + 3])
{
	memcpy(out, "0x", 3);
	for (size_t i = 0; i < GDOI_KEK_SPI_LEN; i++)
		snprintf(out + 2 + 2 * i, 3, "%02X", spi[i]);
	return out;
}

/* A "(sec)" line whose key is given (the label repeats within a group). */
static struct result_node *sec_kv(struct result_node *s, const char *label, const char *key,
				  uint64_t v)
{
	return result_set_key(result_kv_u64(s, label, v), key);
}

/* ---- show crypto gdoi ks rekey ---- */

static void ks_rekey_group(struct ctl_exec *x, struct result_node *it,
			   const struct gdoi_ks_group_info *g, const struct ctl_args *a)
{
	(void)x;
	(void)a;
	result_align(it, RESULT_ALIGN_COLUMN, 40, 1);
	result_text(it, "Group %s (%s)", g->name, transport(g->multicast));
	struct result_node *j = result_set_flags(result_section(it, NULL), RESULT_JSON_ONLY);
	result_kv_str(j, "Group Name", "%s", g->name);
	result_kv_str(j, "Rekey Transport", "%s", transport(g->multicast));
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	result_kv_u64(s, "Number of Rekeys sent", g->rekeys_sent);
	result_kv_u64(s, "Number of Rekeys retransmitted", g->rekeys_retransmitted);
	if (g->has_kek) {
		sec_kv(s, "KEK rekey lifetime (sec)", "kekRekeyLifetimeSec", g->kek_life_sec);
		result_set_indent(sec_kv(s, "Remaining lifetime (sec)", "kekRemainingLifetimeSec",
					 g->kek_remaining_sec),
				  4);
	}
	result_kv_u64(s, "Retransmit period", g->retrans_period_sec);
	result_kv_u64(s, "Number of retransmissions", g->retrans_count);
	struct result_node *teks = result_list(s, "IPSec SAs");
	for (size_t i = 0; i < g->n_teks; i++) {
		const struct gdoi_ks_tek_info *t = &g->tek[i];
		struct result_node *ti = result_item(teks);
		char label[48];
		snprintf(label, sizeof(label), "IPSec SA %u lifetime (sec)", (unsigned)t->sa_num);
		struct result_node *tj =
		    result_set_flags(result_section(ti, NULL), RESULT_JSON_ONLY);
		result_kv_u64(tj, "SA number", t->sa_num);
		result_kv_hex(tj, "spi", t->spi, 8);
		sec_kv(ti, label, "lifetimeSec", t->life_sec);
		result_set_indent(sec_kv(ti, "Remaining lifetime (sec)", "remainingLifetimeSec",
					 t->remaining_sec),
				  4);
	}
	/* gvpn's additions */
	result_kv_u64(s, "Seq num", g->seq);
	if (g->has_kek && g->kek_rekey_in_sec != UINT32_MAX)
		result_kv_u64(s, "Next KEK rekey in (sec)", g->kek_rekey_in_sec);
	struct result_node *next = result_list(s, "Next TEK rekeys");
	for (size_t i = 0; i < g->n_sas; i++) {
		if (g->sa[i].rekey_in_sec == UINT32_MAX)
			continue;
		char label[48];
		snprintf(label, sizeof(label), "Next IPSec SA %u rekey in (sec)",
			 (unsigned)g->sa[i].number);
		struct result_node *ni = result_item(next);
		result_set_flags(result_kv_u64(ni, "SA number", g->sa[i].number), RESULT_JSON_ONLY);
		sec_kv(ni, label, "inSec", g->sa[i].rekey_in_sec);
	}
	result_kv_u64(s, "Number of Rekey Acks received", g->rekey_acks);
	result_kv_u64(s, "Number of Rekey Acks refused", g->rekey_acks_bad);
	result_kv_u64(s, "Members removed (acks missed)", g->members_ejected);
	result_kv_u64(s, "Last rekey duration (msec)", g->last_rekey_ms);
	result_kv_bool(s, "Rekey in progress", g->rekey_active, "yes", "no");
	if (!g->has_kek)
		result_kv_str(s, "Rekey possible", "%s",
			      "no (no rekey authentication key configured)");
	else if (!g->can_rekey)
		result_kv_str(s, "Rekey possible", "%s", "no (RSA key missing)");
	else
		result_kv_str(s, "Rekey possible", "%s", "yes");
	result_blank(it);
}

static int show_ks_rekey(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	return ctl_gdoi_each_ks_group(x, a, ks_rekey_group);
}

/* ---- show crypto gdoi gm rekey [detail] ---- */

/*
 * detail: " Rekey (KEK) SA information :", the current and the previous KEK
 * (still accepted during a KEK roll-over) as ISAKMP cookie pairs: the KEK
 * SPI is the header's CKY-I | CKY-R, both chosen by the key server (his-cookie
 * = CKY-I, my-cookie = CKY-R).
 */
static void kek_sa_row(struct result_node *t, const char *which, const char *key,
		       const struct gdoi_gm_group_info *g, const uint8_t *spi)
{
	char b[DIAG_IP4_STRLEN], my[17], his[17];
	for (size_t i = 0; i < 8; i++) {
		snprintf(his + 2 * i, 3, "%02X", spi[i]);
		snprintf(my + 2 * i, 3, "%02X", spi[8 + i]);
	}
	struct result_node *row = result_table_row(t);
	result_add_str(row, "%s", which);
	result_add_str(row, "%s", diag_ip4(g->kek_dst, b));
	result_add_str(row, "%s", diag_ip4(g->kek_src, b));
	result_add_u64(row, g->handle);
	result_add_str(row, "%s", my);
	result_add_str(row, "%s", his);
	result_add_str(row, "%s", key);
}

static void kek_sa_table(struct result_node *it, const struct gdoi_gm_group_info *g)
{
	struct result_node *h = result_set_indent(result_section(it, "Rekey SAs"), 1);
	result_text(h, "Rekey (KEK) SA information :");
	struct result_node *t = result_table(h, "KEK SAs");
	result_table_col(t, "", 10, RESULT_TEXT_ONLY, NULL);
	result_table_col(t, "dst", 16, 0, NULL);
	result_table_col(t, "src", 16, 0, NULL);
	result_table_col(t, "conn-id", 10, 0, NULL);
	result_table_col(t, "my-cookie", 17, 0, NULL);
	result_table_col(t, "his-cookie", 17, 0, NULL);
	result_table_col(t, "kek", 0, RESULT_JSON_ONLY, NULL);
	if (g->has_kek)
		kek_sa_row(t, "Current :", "current", g, g->kek_spi);
	if (g->has_prev_kek)
		kek_sa_row(t, "Previous:", "previous", g, g->prev_kek_spi);
	else /* the rows are the JSON array: IOS's empty row is text only */
		result_text(h, "%-10s%-16s%-16s%-10s%-17s%s", "Previous:", "---", "---", "---",
			    "---", "---");
}

static void gm_rekey_group(struct ctl_exec *x, struct result_node *it, size_t i,
			   const struct gdoi_gm_group_info *g, const struct ctl_args *a)
{
	(void)x;
	(void)i;
	bool detail = ctl_arg_has(a, "detail");
	char b[DIAG_IP4_STRLEN];
	result_align(it, RESULT_ALIGN_COLUMN, 0, 1);
	result_text(it, "Group %s (%s)", g->name, transport(g->multicast));
	struct result_node *j = result_set_flags(result_section(it, NULL), RESULT_JSON_ONLY);
	result_kv_str(j, "Group Name", "%s", g->name);
	result_kv_str(j, "Rekey Transport", "%s", transport(g->multicast));
	struct result_node *s = result_set_indent(result_section(it, NULL), 4);
	result_set_key(
	    result_kv_u64(s, "Number of Rekeys received (cumulative)", g->rekeys_received),
	    "rekeysReceived");
	result_set_key(
	    result_kv_u64(s, "Number of Rekeys received after registration", g->rekeys_after_reg),
	    "rekeysAfterRegistration");
	result_set_key(result_kv_u64(s, "Number of Rekey Acks sent", g->acks_sent),
		       "rekeyAcksSent");
	/* gvpn's additions */
	result_kv_str(s, "Last rekey from", "%s", diag_ip4(g->last_rekey_from, b));
	result_kv_u64(s, "Last rekey seq num", g->last_rekey_seq);
	if (detail) {
		result_blank(it);
		kek_sa_table(it, g);
		result_blank(it);
		struct result_node *k = result_section(it, NULL);
		result_align(k, RESULT_ALIGN_COLUMN, 0, 1);
		ctl_gdoi_gm_kek_block(k, g);
	}
	result_blank(it);
}

static int show_gm_rekey(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_gm(x))
		return ERR_STATE;
	return ctl_gdoi_each_gm_group(x, a, -1, gm_rekey_group);
}

/* ---- show crypto gdoi rekey sa [detail] ---- */

/*
 * One KEK SA: the GM's (dst = itself or the group address, src = the KS),
 * or on a KS one per member (unicast) or the group address (multicast).
 * conn-id is the group's handle: each group has one KEK SA at a time.
 */
struct kek_row {
	uint32_t dst, src, conn_id;
	const char *status, *group;
	const uint8_t *spi;
};

static void add_kek_row(struct result_node *t, const struct kek_row *k)
{
	char b[DIAG_IP4_STRLEN], spi[2 * GDOI_KEK_SPI_LEN + 3];
	struct result_node *row = result_table_row(t);
	result_add_str(row, "%s", diag_ip4(k->dst, b));
	result_add_str(row, "%s", diag_ip4(k->src, b));
	result_add_u64(row, k->conn_id);
	result_add_str(row, "%s", k->status);
	result_add_str(row, "%s", k->group);
	result_add_str(row, "%s", kek_spi_str(k->spi, spi));
}

static struct result_node *kek_table(struct result_node *root)
{
	struct result_node *t = result_table(root, "REKEY SAs");
	result_table_col(t, "dst", 16, 0, NULL);
	result_table_col(t, "src", 16, 0, NULL);
	result_table_col(t, "conn-id", 16, 0, NULL);
	result_table_col(t, "status", 0, 0, NULL);
	result_table_col(t, "group", 0, RESULT_JSON_ONLY, NULL);
	result_table_col(t, "spi", 0, RESULT_JSON_ONLY, NULL);
	return t;
}

struct ks_rows {
	struct result_node *t;
	struct kek_row k;
};

static int ks_member_row(void *arg, const struct gdoi_ks_member_info *m)
{
	struct ks_rows *w = arg;
	w->k.dst = m->addr;
	add_kek_row(w->t, &w->k);
	return 0;
}

static void ks_rekey_sas(struct ctl_exec *x, struct result_node *t)
{
	struct gdoi_ks *ks = x->w->ks;
	uint64_t now = ctl_now(x);
	for (size_t i = 0; ks && i < gdoi_ks_group_count(ks); i++) {
		struct gdoi_ks_group_info g;
		if (gdoi_ks_group_info(ks, i, now, &g) || !g.has_kek)
			continue;
		struct ks_rows w = {.t = t,
				    .k = {.src = g.ks_addr,
					  .conn_id = g.handle,
					  .status = "ACTIVE",
					  .group = g.name,
					  .spi = g.kek_spi}};
		if (g.multicast) {
			w.k.dst = g.mcast_addr;
			add_kek_row(t, &w.k);
		} else {
			gdoi_ks_members_foreach(ks, g.name, ks_member_row, &w);
		}
	}
}

static void gm_rekey_sas(struct ctl_exec *x, struct result_node *t)
{
	struct gdoi_gm *gm = x->w->gm;
	uint64_t now = ctl_now(x);
	for (size_t i = 0; gm && i < gdoi_gm_group_count(gm); i++) {
		struct gdoi_gm_group_info g;
		if (gdoi_gm_group_info(gm, i, now, &g) || !g.has_kek)
			continue;
		struct kek_row k = {.dst = g.kek_dst,
				    .src = g.kek_src,
				    .conn_id = g.handle,
				    .status = "ACTIVE",
				    .group = g.name,
				    .spi = g.kek_spi};
		add_kek_row(t, &k);
	}
}

/* detail, on a GM: per group the KEK policy, the addresses and the sequence numbers. */
static void gm_rekey_sa_detail(struct ctl_exec *x, struct result_node *root)
{
	struct gdoi_gm *gm = x->w->gm;
	uint64_t now = ctl_now(x);
	struct result_node *list = result_list(root, "groups");
	for (size_t i = 0; gm && i < gdoi_gm_group_count(gm); i++) {
		struct gdoi_gm_group_info g;
		char b[DIAG_IP4_STRLEN], spi[2 * GDOI_KEK_SPI_LEN + 3];
		if (gdoi_gm_group_info(gm, i, now, &g) || !g.has_kek)
			continue;
		struct result_node *it = result_item(list);
		result_align(it, RESULT_ALIGN_COLUMN, 0, 1);
		result_kv_str(it, "Group", "%s", g.name);
		struct result_node *s = result_set_indent(result_section(it, NULL), 4);
		result_kv_str(s, "Rekey Transport Type", "%s", transport(g.multicast));
		result_kv_str(s, "KEK spi", "%s", kek_spi_str(g.kek_spi, spi));
		result_kv_u64(s, "Remaining lifetime (sec)", g.kek_remaining_sec);
		result_kv_str(s, "Encrypt Algorithm", "%s", g.kek_alg);
		result_kv_str(s, "Local addr/port", "%s/848", diag_ip4(g.kek_dst, b));
		result_kv_str(s, "Remote addr/port", "%s/848", diag_ip4(g.kek_src, b));
		result_kv_u64(s, "Seq num", g.seq);
		if (g.has_prev_kek) {
			result_kv_str(s, "Previous KEK spi", "%s",
				      kek_spi_str(g.prev_kek_spi, spi));
			result_kv_u64(s, "Previous KEK remaining (sec)", g.prev_kek_remaining_sec);
		}
		result_blank(it);
	}
}

static int show_rekey_sa(struct ctl_exec *x, const struct ctl_args *a)
{
	struct result_node *root = result_root(x->r);
	result_text(root, "GETVPN REKEY SA");
	struct result_node *t = kek_table(root);
	gm_rekey_sas(x, t);
	ks_rekey_sas(x, t);
	result_blank(root);
	if (ctl_arg_has(a, "detail"))
		gm_rekey_sa_detail(x, root);
	return result_error(x->r);
}

/* ---- crypto gdoi ks [group G] rekey [replace-now] ---- */

static int rekey_now(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	const char *group = ctl_arg_str(a, "group-name");
	int rc = gdoi_ks_rekey_now(x->w->ks, group, ctl_arg_has(a, "replace-now"), ctl_now(x));
	if (rc == ERR_NOTFOUND)
		return ctl_fail(x, "%% Group %s not found", group ? group : "");
	if (rc == ERR_STATE)
		return ctl_fail(x,
				"%% Cannot rekey%s%s: no KEK (rekey authentication) or no RSA key",
				group ? " group " : "", group ? group : "");
	if (rc)
		return ctl_fail(x, "%% Rekey failed: %s", err_name(rc));
	return 0;
}

/* ---- clear crypto gdoi ks members [group G] [now] ---- */

/*
 * Members are forgotten (KS_CLEAR_REGISTER): they get no more rekeys and
 * register again before their keys run out. With `now` the key server also
 * replaces its TEKs at once (as `rekey replace-now`), so that what the
 * cleared members hold is no longer served to anyone.
 */
static int clear_members(struct ctl_exec *x, const struct ctl_args *a)
{
	if (ctl_gdoi_need_ks(x))
		return ERR_STATE;
	const char *group = ctl_arg_str(a, "group-name");
	uint64_t now = ctl_now(x);
	int rc = gdoi_ks_clear_members(x->w->ks, group, "console", now);
	if (rc == ERR_NOTFOUND)
		return ctl_fail(x, "%% Group %s not found", group ? group : "");
	if (rc)
		return ctl_fail(x, "%% clear failed: %s", err_name(rc));
	if (!ctl_arg_has(a, "now"))
		return 0;
	rc = gdoi_ks_rekey_now(x->w->ks, group, true, now);
	if (rc == ERR_STATE)
		return ctl_fail(x, "%% Members cleared; the TEKs stay until they expire: "
				   "no KEK (rekey authentication) or no RSA key");
	if (rc)
		return ctl_fail(x, "%% Members cleared; new TEKs failed: %s", err_name(rc));
	return 0;
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto gdoi ks rekey", show_ks_rekey, CTL_CMD_SHOW},
    {"show crypto gdoi gm rekey [detail]", show_gm_rekey, CTL_CMD_SHOW},
    {"show crypto gdoi rekey sa [detail]", show_rekey_sa, CTL_CMD_SHOW},
    {"crypto gdoi ks [group WORD:group-name] rekey [replace-now]", rekey_now, 0},
    {"clear crypto gdoi ks members [group WORD:group-name] [now]", clear_members, 0},
};

static const struct ctl_help_def help[] = {
    {"show crypto gdoi ks rekey", "Show the key server's rekey counters and lifetimes"},
    {"show crypto gdoi gm rekey", "Show the rekeys this group member received"},
    {"show crypto gdoi rekey", "Show GDOI rekey information"},
    {"show crypto gdoi rekey sa", "Show the rekey (KEK) security associations"},
    {"show crypto gdoi gm rekey detail", "The KEK policy too"},
    {"crypto gdoi ks group WORD rekey", "Send a rekey now (new TEKs)"},
    {"show crypto gdoi rekey sa detail", "KEK policy, addresses and sequence numbers too"},
    {"crypto gdoi ks", "Key server"},
    {"crypto gdoi ks group", "One group only"},
    {"crypto gdoi ks rekey", "Send a rekey now (new TEKs)"},
    {"rekey replace-now", "The running TEKs are deleted at once"},
    {"clear crypto gdoi ks", "Key server"},
    {"clear crypto gdoi ks members", "Forget the registered members (they register again)"},
    {"members group", "One group only"},
    {"members now", "Replace the TEKs at once too"},
};

int ctl_cmd_gdoi_rekey_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
