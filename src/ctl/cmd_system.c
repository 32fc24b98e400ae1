/*
 * Commands about the box and the session: show running-config, show clock,
 * terminal settings, the RSA key store hooks (crypto key ..., show crypto key
 * mypubkey rsa), clear crypto gdoi.
 */
#include <inttypes.h>
#include <string.h>

#include "ctl/exec.h"
#include "ctl/result.h"
#include "diag/log.h"
#include "diag/timefmt.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

static int not_supported(struct ctl_exec *x)
{
	return ctl_fail(x, "%% Not supported by this daemon");
}

static int show_running(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	const struct ctl_ops *ops = x->w->ops;
	if (!ops || !ops->running_config)
		return not_supported(x);
	struct dbuf text = DBUF_INIT;
	int rc = ops->running_config(x->w->ops_arg, &text);
	if (!rc) {
		/* one line per config line: JSON gets an array of lines */
		struct result_node *l = result_lines(result_root(x->r), "lines");
		const char *p = dbuf_str(&text);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			result_add_str(l, "%.*s", (int)n, p);
			p += n + (nl != NULL);
		}
	}
	dbuf_free(&text);
	return rc ? ctl_fail(x, "%% Cannot build the running configuration: %s", err_name(rc))
		  : result_error(x->r);
}

static int show_clock(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	if (!x->w->diag)
		return not_supported(x);
	char buf[DIAG_TIME_CLOCK_LEN];
	diag_time_clock(buf, sizeof(buf), clock_wall_ns(x->w->diag->clock), x->w->diag->local_time);
	struct result_node *root = result_root(x->r);
	result_text(root, "*%s", buf);
	result_set_flags(result_kv_str(root, "Clock", "*%s", buf), RESULT_JSON_ONLY);
	return result_error(x->r);
}

static int show_version(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)a;
	struct result_node *root = result_root(x->r);
	uint64_t up = (ctl_now(x) - x->w->start_ns) / NS_PER_SEC;
	const char *host = x->w->hostname ? x->w->hostname : "gvpn";
	result_text(root, "gvpn GETVPN/GDOI daemon, Version %s", GVPN_VERSION);
	result_text(root, "%s uptime is %" PRIu64 " days, %" PRIu64 " hours, %" PRIu64 " minutes",
		    host, up / 86400, up / 3600 % 24, up / 60 % 60);
	struct result_node *j = result_set_flags(result_section(root, NULL), RESULT_JSON_ONLY);
	result_kv_str(j, "Version", "%s", GVPN_VERSION);
	result_kv_str(j, "Hostname", "%s", host);
	result_kv_u64(j, "Uptime Sec", up);
	return result_error(x->r);
}

static int terminal_timestamp(struct ctl_exec *x, const struct ctl_args *a)
{
	x->s->timestamp = !ctl_arg_has(a, "no");
	return 0;
}

/* A key store command's end: its message printed, the status set. */
static int key_done(struct ctl_exec *x, int rc, struct dbuf *msg)
{
	if (rc && !msg->len)
		dbuf_printf(msg, "%% Failed: %s\n", err_name(rc));
	dbuf_append(x->out, msg->p, msg->len);
	dbuf_free(msg);
	if (rc)
		x->status = CTL_ST_FAILED;
	return 0;
}

static int key_generate(struct ctl_exec *x, const struct ctl_args *a)
{
	const struct ctl_ops *ops = x->w->ops;
	uint32_t bits = 2048;
	if (!ops || !ops->key_generate)
		return not_supported(x);
	ctl_arg_u32(a, "bits", &bits);
	struct dbuf msg = DBUF_INIT;
	int rc = ops->key_generate(x->w->ops_arg, ctl_arg_str(a, "label-name"), bits,
				   ctl_arg_has(a, "exportable"), &msg);
	return key_done(x, rc, &msg);
}

static int key_export(struct ctl_exec *x, const struct ctl_args *a)
{
	const struct ctl_ops *ops = x->w->ops;
	if (!ops || !ops->key_export)
		return not_supported(x);
	struct dbuf msg = DBUF_INIT;
	x->out->secret = true; /* the private key passes through it */
	int rc = ops->key_export(x->w->ops_arg, ctl_arg_str(a, "label-name"), x->out, &msg);
	return key_done(x, rc, &msg);
}

static int key_import(struct ctl_exec *x, const struct ctl_args *a)
{
	const struct ctl_ops *ops = x->w->ops;
	if (!ops || !ops->key_import)
		return not_supported(x);
	struct dbuf msg = DBUF_INIT;
	int rc = ops->key_import(x->w->ops_arg, ctl_arg_str(a, "label-name"),
				 ctl_arg_str(a, "file"), ctl_arg_has(a, "exportable"), &msg);
	return key_done(x, rc, &msg);
}

static int key_zeroize(struct ctl_exec *x, const struct ctl_args *a)
{
	const struct ctl_ops *ops = x->w->ops;
	if (!ops || !ops->key_zeroize)
		return not_supported(x);
	struct dbuf msg = DBUF_INIT;
	int rc = ops->key_zeroize(x->w->ops_arg, ctl_arg_str(a, "label-name"), &msg);
	return key_done(x, rc, &msg);
}

static int key_show(struct ctl_exec *x, const struct ctl_args *a)
{
	const struct ctl_ops *ops = x->w->ops;
	if (!ops || !ops->key_show)
		return not_supported(x);
	return ops->key_show(x->w->ops_arg, ctl_arg_str(a, "label-name"), x->r);
}

static const struct ctl_cmd_def cmds[] = {
    {"show running-config", show_running, CTL_CMD_SHOW},
    {"show clock", show_clock, CTL_CMD_SHOW},
    {"show version", show_version, CTL_CMD_SHOW},
    {"terminal exec prompt timestamp", terminal_timestamp, 0},
    {"terminal no exec prompt timestamp", terminal_timestamp, 0},
    {"crypto key generate rsa [general-keys] label WORD:label-name [modulus <1024-4096>:bits] "
     "[exportable]",
     key_generate, 0},
    {"crypto key export rsa WORD:label-name pem [terminal]", key_export, 0},
    {"crypto key import rsa WORD:label-name pem [exportable] url WORD:file", key_import, 0},
    {"crypto key zeroize rsa WORD:label-name", key_zeroize, 0},
    {"show crypto key mypubkey rsa [WORD:label-name]", key_show, CTL_CMD_SHOW},
};

static const struct ctl_help_def help[] = {
    {"running-config", "Current operating configuration"},
    {"show clock", "Display the system clock"},
    {"version", "System hardware and software status"},
    {"terminal", "Set terminal line parameters"},
    {"exec", "Configure EXEC"},
    {"prompt", "EXEC prompt"},
    {"timestamp", "Print a timestamp before every show command"},
    {"terminal no", "Negate a command or set its defaults"},
    {"clear", "Reset functions"},
    {"group", "Group"},
    {"key", "Long term key operations"},
    {"show crypto key", "Show long term public keys"},
    {"generate", "Generate new keys"},
    {"generate rsa", "Generate RSA keys"},
    {"general-keys", "Generate a general purpose RSA key pair for signing and encryption"},
    {"export", "Export keys"},
    {"export rsa", "Export RSA keys"},
    {"import", "Import keys"},
    {"import rsa", "Import RSA keys"},
    {"zeroize", "Remove keys"},
    {"zeroize rsa", "Remove RSA keys"},
    {"pem", "File type to export or import: PEM"},
    {"pem terminal", "Print the PEM blocks"},
    {"url", "Read the PEM text from a file on the daemon's machine"},
    {"$file", "Absolute path of the PEM file"},
    {"label", "Provide a label"},
    {"$label-name", "RSA keypair label"},
    {"modulus", "Provide number of modulus bits on the command line"},
    {"$bits", "Size of the key modulus"},
    {"exportable", "Allow the key to be exported"},
    {"mypubkey", "Show public keys associated with this router"},
    {"mypubkey rsa", "Show RSA public keys"},
};

int ctl_cmd_system_register(struct ctl_cmdtab *t)
{
	int rc = ctl_cmdtab_add(t, cmds, ARRAY_SIZE(cmds));
	return rc ? rc : ctl_cmdtab_add_help(t, help, ARRAY_SIZE(help));
}
