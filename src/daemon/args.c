#include "daemon/args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

const char *daemon_args_usage(void)
{
	return "usage: gvpnd --config FILE [--socket PATH] [--state-dir DIR] [--foreground]\n"
	       "       gvpnd --check-config FILE\n"
	       "       gvpnd --help | --version\n"
	       "\n"
	       "  --config FILE      IOS-style configuration to run\n"
	       "  --socket PATH      control socket (default " DAEMON_DEFAULT_SOCKET ")\n"
	       "  --state-dir DIR    persistent state, mode 0700 (default " DAEMON_DEFAULT_STATE_DIR
	       ")\n"
	       "  --foreground       do not detach; log to stderr as well as syslog\n"
	       "  --check-config     check the configuration, print FILE:LINE: errors, exit 0/1\n";
}

enum opt_kind { OPT_FLAG, OPT_VALUE, OPT_MAYBE_VALUE };

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t off_str;	 /* offsetof the const char * (values) */
	size_t off_flag; /* offsetof the bool */
};

#define STR(f) offsetof(struct daemon_args, f)
#define FLAG(f) offsetof(struct daemon_args, f)
static const struct opt opts[] = {
    {"config", OPT_VALUE, STR(config), 0},
    {"socket", OPT_VALUE, STR(socket), 0},
    {"state-dir", OPT_VALUE, STR(state_dir), 0},
    {"foreground", OPT_FLAG, 0, FLAG(foreground)},
    {"check-config", OPT_MAYBE_VALUE, STR(config), FLAG(check_config)},
    {"help", OPT_FLAG, 0, FLAG(help)},
    {"version", OPT_FLAG, 0, FLAG(version)},
};

static const struct opt *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].name) == len && !memcmp(opts[i].name, name, len))
			return &opts[i];
	return NULL;
}

static int __attribute__((format(printf, 3, 4))) fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return ERR_SYNTAX;
}

/* Store a value; a second, different value of the same option is an error. */
static int set_value(struct daemon_args *a, const struct opt *o, const char *v, char *err,
		     size_t cap)
{
	const char **slot = (const char **)(void *)((char *)a + o->off_str);
	if (!*v)
		return fail(err, cap, "--%s: empty value", o->name);
	if (*slot && strcmp(*slot, v))
		return fail(err, cap, "--%s given twice", o->name);
	*slot = v;
	return 0;
}

/* One option at argv[*i]; advances *i past a separate value. */
static int parse_one(struct daemon_args *a, int argc, char *const argv[], int *i, char *err,
		     size_t cap)
{
	const char *arg = argv[*i];
	if (strncmp(arg, "--", 2))
		return fail(err, cap, "unexpected argument '%s'", arg);
	const char *name = arg + 2, *eq = strchr(name, '=');
	const struct opt *o = find_opt(name, eq ? (size_t)(eq - name) : strlen(name));
	if (!o)
		return fail(err, cap, "unknown option '%s'", arg);
	if (o->kind != OPT_VALUE) {
		bool *flag = (bool *)(void *)((char *)a + o->off_flag);
		*flag = true;
	}
	if (o->kind == OPT_FLAG) {
		if (eq)
			return fail(err, cap, "--%s takes no value", o->name);
		return 0;
	}
	if (eq)
		return set_value(a, o, eq + 1, err, cap);
	bool next_is_value = *i + 1 < argc && argv[*i + 1][0] != '-';
	if (o->kind == OPT_MAYBE_VALUE && !next_is_value)
		return 0;
	if (!next_is_value)
		return fail(err, cap, "--%s needs a value", o->name);
	return set_value(a, o, argv[++*i], err, cap);
}

int daemon_args_parse(int argc, char *const argv[], struct daemon_args *out, char *err,
		      size_t err_cap)
{
	memset(out, 0, sizeof(*out));
	if (err_cap)
		err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		int rc = parse_one(out, argc, argv, &i, err, err_cap);
		if (rc)
			return rc;
	}
	if (out->help || out->version)
		return 0;
	if (!out->config)
		return fail(err, err_cap, "%s", "--config FILE is required");
	if (!out->socket)
		out->socket = DAEMON_DEFAULT_SOCKET;
	if (!out->state_dir)
		out->state_dir = DAEMON_DEFAULT_STATE_DIR;
	return 0;
}
