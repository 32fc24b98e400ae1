/*
 * Pieces shared by the GDOI command files (cmd_gdoi*.c); not an API for
 * other layers.
 */
#ifndef GVPN_CTL_SHOW_GDOI_H
#define GVPN_CTL_SHOW_GDOI_H

#include "ctl/cmdtab.h"
#include "gdoi/caps.h"

struct ctl_exec;

/*
 * Version string a GM or KS shows (behavior-reference §1); the same number
 * the KS logs for a member in REJECT_GM_VERSION_REGISTER (0x1001B).
 */
#define CTL_GDOI_VERSION GDOI_VERSION_TEXT

/*
 * `show crypto gdoi [group G] [detail]`: the GROUP INFORMATION blocks of
 * the GM groups (list "groups") and of the KS groups (list
 * "keyServerGroups"). Each returns 0 when its role is absent.
 */
int ctl_show_gdoi_gm_groups(struct ctl_exec *x, const struct ctl_args *a);
int ctl_show_gdoi_ks_groups(struct ctl_exec *x, const struct ctl_args *a);

/* The GM's "KEK POLICY:" block (`show crypto gdoi`, `show crypto gdoi gm rekey detail`). */
struct result_node;
struct ctl_args;
struct gdoi_gm_group_info;
struct gdoi_ks_group_info;
void ctl_gdoi_gm_kek_block(struct result_node *parent, const struct gdoi_gm_group_info *g);

/* 0 when the box runs that role, else "% This box is not a group member"
 * (key server) and ERR_STATE. */
int ctl_gdoi_need_gm(struct ctl_exec *x);
int ctl_gdoi_need_ks(struct ctl_exec *x);

/*
 * Visit the GM groups (only: one group's index, or -1 for all), or the KS
 * groups, with their snapshot, each under a new item of the list "groups".
 * Returns the result's error state.
 */
typedef void (*ctl_gdoi_gm_fn)(struct ctl_exec *x, struct result_node *item, size_t i,
			       const struct gdoi_gm_group_info *g, const struct ctl_args *a);
int ctl_gdoi_each_gm_group(struct ctl_exec *x, const struct ctl_args *a, int only,
			   ctl_gdoi_gm_fn fn);
typedef void (*ctl_gdoi_ks_fn)(struct ctl_exec *x, struct result_node *item,
			       const struct gdoi_ks_group_info *g, const struct ctl_args *a);
int ctl_gdoi_each_ks_group(struct ctl_exec *x, const struct ctl_args *a, ctl_gdoi_ks_fn fn);

int ctl_cmd_gdoi_gm_register(struct ctl_cmdtab *t);
int ctl_cmd_gdoi_ks_register(struct ctl_cmdtab *t);
int ctl_cmd_gdoi_register(struct ctl_cmdtab *t);
int ctl_cmd_gdoi_rekey_register(struct ctl_cmdtab *t);
int ctl_cmd_gdoi_sid_register(struct ctl_cmdtab *t);

#endif
