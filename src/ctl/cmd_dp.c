/*
 * Data-plane commands of gvpn's own and the IOS ACL view:
 *  - `show crypto datapath`: the checkpoints along both paths, the events,
 *    every drop reason by its stable name (dp/counters.h), and with gvpnd's
 *    runtime the queue I/O and the kernel's queue counters;
 *  - `clear crypto datapath`: zero the checkpoint and drop counters;
 *  - `show access-lists [NAME]`: the crypto map's local ACL and each
 *    group's downloaded ACL with per-line match counts, as IOS prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_dp.h"
#include "diag/log.h"
#include "dp/runtime.h"
#include "util/err.h"
#include "util/mem.h"

int ctl_dp_get(struct ctl_exec *x, struct ctl_dp *d)
{
	const struct ctl_world *w = x->w;
	memset(d, 0, sizeof(*d));
	d->rt = w->dp;
	d->sad = w->dp ? dp_runtime_sad(w->dp) : w->dp_sad;
	if (!d->sad)
		return ctl_fail(x, "%% No crypto map is attached to an interface: no data plane "
				   "(nothing is encrypted)");
	d->snap = dp_sad_current(d->sad);
	d->map = d->snap && d->snap->nmaps ? &d->snap->maps[0] : NULL;
	d->ifname = w->gm_ifname ? w->gm_ifname : "(unknown)";
	d->map_name = w->gm_map ? w->gm_map : "(unnamed)";
	return 0;
}

static int by_order(const void *a, const void *b)
{
	const struct dp_sad_sa *x = *(const struct dp_sad_sa *const *)a;
	const struct dp_sad_sa *y = *(const struct dp_sad_sa *const *)b;
	return x->order < y->order ? -1 : x->order > y->order;
}

size_t ctl_dp_group_sas(const struct dp_sad_snap *s, const struct dp_sad_group *g,
			const struct dp_sad_sa **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; s && i < s->nsas && n < max; i++) {
		const struct dp_sad_slot *slot = dp_sad_lookup(s, s->sas[i]->spi);
		if (slot && slot->group == g)
			out[n++] = s->sas[i];
	}
	qsort(out, n, sizeof(*out), by_order);
	return n;
}

void ctl_dp_acl_name(const struct dp_sad_group *g, char *buf, size_t cap)
{
	snprintf(buf, cap, "gdoi_group_%s_temp_acl", g->name);
}

/* ---- show crypto datapath ---- */

static void counter(struct result_node *s, const char *name, uint64_t v)
{
	result_kv_u64(s, name, v);
}

static void ctr_block(struct result_node *root, const char *title, const char *key,
		      const struct dp_counters_total *t, enum dp_ctr from, enum dp_ctr to)
{
	struct result_node *h = result_set_key(result_heading(root, title), key);
	struct result_node *s = result_set_indent(result_section(h, NULL), 2);
	for (enum dp_ctr c = from; c < to; c++)
		counter(s, dp_counters_ctr_name(c), t->ctr[c]);
	result_blank(root);
}

static void queue_block(struct result_node *root, const struct dp_runtime_stats *st)
{
	struct result_node *h = result_set_key(result_heading(root, "Queues:"), "queues");
	struct result_node *s = result_set_indent(result_section(h, NULL), 2);
	for (int i = 0; i < DP_WSTAT_COUNT; i++)
		counter(s, dp_worker_stat_name((enum dp_worker_stat)i), st->io[i]);
	counter(s, "queue_dropped", st->queue_dropped);
	counter(s, "user_dropped", st->user_dropped);
	struct result_node *t = result_set_indent(result_table(h, "kernel queues"), 2);
	result_table_col(t, "queue", 7, 0, NULL);
	result_table_col(t, "bound", 7, 0, NULL);
	result_table_col(t, "waiting", 9, RESULT_RIGHT, NULL);
	result_table_col(t, "queue_dropped", 15, RESULT_RIGHT, NULL);
	result_table_col(t, "user_dropped", 14, RESULT_RIGHT, NULL);
	for (unsigned i = 0; i < st->nqueues && i < DP_WORKER_MAX; i++) {
		struct result_node *r = result_table_row(t);
		result_add_u64(r, st->queue[i].queue);
		result_add_bool(r, st->queue_bound[i], "yes", "no");
		result_add_u64(r, st->queue[i].queued);
		result_add_u64(r, st->queue[i].queue_dropped);
		result_add_u64(r, st->queue[i].user_dropped);
	}
	result_blank(root);
}

static int show_datapath(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	struct ctl_dp d;
	if (ctl_dp_get(x, &d))
		return 0;
	struct dp_runtime_stats st;
	struct dp_counters_total t;
	if (d.rt) {
		dp_runtime_stats(d.rt, &st);
		t = st.dp;
	} else {
		dp_sad_counters(d.sad, &t);
	}
	struct result_node *root = result_root(x->r);
	char ip[DIAG_IP4_STRLEN];
	result_text(root, "Data plane of %s (crypto map %s), %zu worker%s", d.ifname, d.map_name,
		    d.sad->nworkers, d.sad->nworkers == 1 ? "" : "s");
	struct result_node *s = result_set_indent(result_section(root, NULL), 2);
	result_set_flags(result_kv_str(s, "Interface", "%s", d.ifname), RESULT_JSON_ONLY);
	result_set_flags(result_kv_str(s, "Crypto map", "%s", d.map_name), RESULT_JSON_ONLY);
	result_set_flags(result_kv_u64(s, "Workers", d.sad->nworkers), RESULT_JSON_ONLY);
	result_kv_str(s, "Local address", "%s", diag_ip4(d.map ? d.map->cfg.icmp_src : 0, ip));
	result_kv_u64(s, "MTU", d.map ? d.map->cfg.mtu : 0);
	size_t ngroups = d.map ? d.map->ngroups : 0, nreg = 0;
	for (size_t i = 0; i < ngroups; i++)
		nreg += d.map->groups[i]->acl != NULL;
	result_kv_u64(s, "Groups", ngroups);
	result_kv_u64(s, "Groups with a policy", nreg);
	result_kv_u64(s, "SAs", d.snap ? d.snap->nsas : 0);
	result_kv_str(s, "Unmatched traffic", "%s",
		      d.map && d.map->cfg.default_drop ? "dropped (fail-close, no policy yet)"
						       : "passes in clear");
	if (d.rt) {
		result_kv_u64(s, "Snapshots published", st.snapshots);
		result_kv_str(s, "Rules applied", "%llu (%llu failed)",
			      (unsigned long long)st.rules_applied,
			      (unsigned long long)st.rules_failed);
	}
	result_blank(root);
	ctr_block(root, "Outbound (LAN -> WAN):", "outbound", &t, DP_CTR_LAN_IN, DP_CTR_WAN_IN);
	ctr_block(root, "Inbound (WAN -> LAN):", "inbound", &t, DP_CTR_WAN_IN,
		  DP_CTR_NO_CRYPTO_MAP);
	ctr_block(root, "Events:", "events", &t, DP_CTR_NO_CRYPTO_MAP, DP_CTR_COUNT);
	struct result_node *h = result_set_key(result_heading(root, "Drops:"), "drops");
	struct result_node *ds = result_set_indent(result_section(h, NULL), 2);
	counter(ds, "total", t.drops);
	for (enum dp_drop r = DP_DROP_NONE + 1; r < DP_DROP_COUNT; r++)
		counter(ds, dp_counters_drop_name(r), t.drop[r]);
	if (d.rt) {
		result_blank(root);
		queue_block(root, &st);
	}
	return result_error(x->r);
}

static int clear_datapath(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	struct ctl_dp d;
	if (ctl_dp_get(x, &d))
		return 0;
	/* racy against running workers by design (dp/counters.h): fine for a reset */
	dp_counters_clear(d.sad->counters, d.sad->nworkers);
	return 0;
}

/* ---- show access-lists ---- */

static void acl_block(struct result_node *list, const struct dp_acl *acl, const char *name)
{
	struct result_node *it = result_item(list);
	result_align(it, RESULT_ALIGN_NONE, 0, 0);
	result_text(it, "Extended IP access list %s", name);
	result_set_flags(result_kv_str(it, "name", "%s", name), RESULT_JSON_ONLY);
	struct result_node *l = result_list(it, "entries");
	for (size_t i = 0; i < acl->n; i++) {
		char line[192];
		dp_acl_render_show(acl, i, line, sizeof(line));
		result_text(it, "%s", line);
		struct result_node *e = result_item(l);
		result_set_flags(e, RESULT_JSON_ONLY);
		result_kv_u64(e, "seq", acl->rules[i].e.seq);
		/* the line without its leading spaces and match suffix */
		char *p = line + strspn(line, " ");
		char *m = strstr(p, " (");
		if (m)
			*m = 0;
		result_kv_str(e, "line", "%s", p);
		result_kv_u64(e, "matches", dp_acl_matches(acl, i));
	}
}

static int show_access_lists(struct ctl_exec *x, const struct ctl_args *a)
{
	struct ctl_dp d;
	if (ctl_dp_get(x, &d))
		return 0;
	const char *only = ctl_arg_str(a, "acl-name");
	struct result_node *list = result_list(result_root(x->r), "access lists");
	if (!d.map)
		return result_error(x->r);
	const struct dp_acl *local = d.map->cfg.local_acl;
	if (local && (!only || !strcmp(only, local->name)))
		acl_block(list, local, local->name);
	for (size_t k = 0; k < d.map->ngroups; k++) {
		const struct dp_sad_group *g = d.map->groups[k];
		char name[DP_SAD_NAME_MAX + 32];
		ctl_dp_acl_name(g, name, sizeof(name));
		if (g->acl && (!only || !strcmp(only, name)))
			acl_block(list, g->acl, name);
	}
	return result_error(x->r);
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto datapath", show_datapath, CTL_CMD_SHOW},
    {"clear crypto datapath", clear_datapath, 0},
    {"show access-lists [WORD:acl-name]", show_access_lists, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"show crypto datapath", "Data-plane checkpoints and drop counters"},
    {"clear crypto datapath", "Zero the data-plane checkpoint and drop counters"},
    {"show access-lists", "List access lists"},
    {"$acl-name", "ACL name"},
};

int ctl_cmd_dp_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
