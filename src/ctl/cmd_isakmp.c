/* `show crypto isakmp sa`: the phase-1 SAs of every ike1 table the daemon runs. */
#include "ctl/exec.h"
#include "ctl/result.h"
#include "diag/log.h"
#include "ike1/sa.h"
#include "util/mem.h"

struct sa_walk {
	struct result_node *table;
};

static int add_row(void *arg, struct ike1_sa *sa)
{
	struct sa_walk *w = arg;
	struct ike1_sa_row r;
	char dst[DIAG_IP4_STRLEN], src[DIAG_IP4_STRLEN];
	ike1_sa_row(sa, &r);
	struct result_node *row = result_table_row(w->table);
	result_add_str(row, "%s", diag_ip4(r.dst.ip4, dst));
	result_add_str(row, "%s", diag_ip4(r.src.ip4, src));
	result_add_str(row, "%s", r.state);
	result_add_u64(row, r.conn_id);
	result_add_str(row, "%s", r.status);
	return 0;
}

static struct result_node *sa_table(struct result_node *root, const char *label)
{
	struct result_node *t = result_table(root, label);
	result_table_col(t, "dst", 16, 0, NULL);
	result_table_col(t, "src", 16, 0, NULL);
	result_table_col(t, "state", 15, 0, NULL);
	result_table_col(t, "conn-id", 8, RESULT_RIGHT, NULL);
	result_table_col(t, "status", 0, 0, NULL);
	return t;
}

static int show_isakmp_sa(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	struct result_node *root = result_root(x->r);
	result_text(root, "IPv4 Crypto ISAKMP SA");
	struct sa_walk w = {.table = sa_table(root, "IPv4 SAs")};
	for (size_t i = 0; i < x->w->n_ike; i++)
		ike1_sa_foreach(x->w->ike[i], add_row, &w);
	result_blank(root);
	result_text(root, "IPv6 Crypto ISAKMP SA");
	result_blank(root);
	/* gvpn has no IPv6 SAs: the JSON array stays empty */
	result_set_flags(result_table(root, "IPv6 SAs"), RESULT_JSON_ONLY);
	return result_error(x->r);
}

static const struct ctl_cmd_def cmds[] = {
    {"show crypto isakmp sa", show_isakmp_sa, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"crypto isakmp", "Show ISAKMP"},
    {"isakmp sa", "Show ISAKMP Security Associations"},
};

int ctl_cmd_isakmp_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
