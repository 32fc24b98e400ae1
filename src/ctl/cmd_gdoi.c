/*
 * Commands for both GDOI roles: `show crypto gdoi [group G] [detail]`
 * (the GM's GROUP INFORMATION blocks, then the KS's) and
 * `clear crypto gdoi [group G]`.
 */
#include "ctl/exec.h"
#include "ctl/result.h"
#include "ctl/show_gdoi.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

static int show_gdoi(struct ctl_exec *x, const struct ctl_args *a)
{
	const char *name = ctl_arg_str(a, "group-name");
	if (name && !(x->w->gm && gdoi_gm_group_find(x->w->gm, name) >= 0) &&
	    !(x->w->ks && gdoi_ks_group_find(x->w->ks, name) >= 0))
		return ctl_fail(x, "%% Group %s not found", name);
	int rc = ctl_show_gdoi_gm_groups(x, a);
	return rc ? rc : ctl_show_gdoi_ks_groups(x, a);
}

static int clear_gdoi(struct ctl_exec *x, const struct ctl_args *a)
{
	const struct ctl_ops *ops = x->w->ops;
	if (!ops || !ops->clear_gdoi)
		return ctl_fail(x, "%% Not supported by this daemon");
	int rc = ops->clear_gdoi(x->w->ops_arg, ctl_arg_str(a, "group-name"), x->out);
	if (rc && x->status == CTL_ST_OK) {
		if (!x->out->len)
			dbuf_printf(x->out, "%% clear crypto gdoi failed: %s\n", err_name(rc));
		x->status = CTL_ST_FAILED;
	}
	return 0;
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto gdoi [group WORD:group-name] [detail]", show_gdoi, CTL_CMD_SHOW},
    {"clear crypto gdoi [group WORD:group-name]", clear_gdoi, 0},
};

static const struct ctl_help_def help[] = {
    {"gdoi group", "Show a specific GDOI group information"},
    {"clear crypto", "Encryption module"},
    {"gdoi detail", "Detailed information"},
};

int ctl_cmd_gdoi_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
