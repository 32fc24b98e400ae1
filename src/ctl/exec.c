#include "ctl/exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/result.h"
#include "ctl/show_diag.h"
#include "ctl/show_dp.h"
#include "ctl/show_gdoi.h"
#include "diag/log.h"
#include "util/clock.h"
#include "util/err.h"

struct ctl_commands {
	struct ctl_cmdtab *t;
};

typedef int (*register_fn)(struct ctl_cmdtab *t);

/* Every feature's registration; order = priority among equal matches. */
static const register_fn registrations[] = {
    ctl_cmd_system_register,
    ctl_cmd_diag_register,
    ctl_cmd_isakmp_register,
    ctl_cmd_gdoi_register,
    ctl_cmd_gdoi_gm_register,
    ctl_cmd_gdoi_ks_register,
    ctl_cmd_gdoi_rekey_register,
    ctl_cmd_gdoi_sid_register,
    ctl_cmd_ipsec_register,
    ctl_cmd_dp_register,
};

struct ctl_commands *ctl_commands_new(void)
{
	struct ctl_commands *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->t = ctl_cmdtab_new();
	if (!c->t) {
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(registrations) / sizeof(registrations[0]); i++) {
		if (registrations[i](c->t)) {
			ctl_commands_free(c);
			return NULL;
		}
	}
	return c;
}

void ctl_commands_free(struct ctl_commands *c)
{
	if (!c)
		return;
	ctl_cmdtab_free(c->t);
	free(c);
}

struct ctl_cmdtab *ctl_commands_table(struct ctl_commands *c)
{
	return c->t;
}

void ctl_reply_free(struct ctl_reply *rep)
{
	for (size_t i = 0; i < rep->npairs; i++) {
		free((char *)rep->pairs[i].token);
		free((char *)rep->pairs[i].help);
	}
	free(rep->pairs);
	dbuf_free(&rep->out);
	memset(rep, 0, sizeof(*rep));
}

/* ---- handler helpers ---- */

void ctl_printf(struct ctl_exec *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dbuf_vprintf(x->out, fmt, ap);
	va_end(ap);
	dbuf_putc(x->out, '\n');
}

int ctl_fail(struct ctl_exec *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	dbuf_vprintf(x->out, fmt, ap);
	va_end(ap);
	dbuf_putc(x->out, '\n');
	x->status = CTL_ST_FAILED;
	return ERR_STATE;
}

uint64_t ctl_now(const struct ctl_exec *x)
{
	return x->w->clock ? clock_mono_ns(x->w->clock) : 0;
}

/* ---- errors in IOS words ---- */

static void caret_error(struct ctl_reply *rep, const struct ctl_words *w, size_t bad)
{
	size_t col = bad < w->n ? w->off[bad] : 0;
	for (size_t i = 0; i < col; i++)
		dbuf_putc(&rep->out, ' ');
	dbuf_printf(&rep->out, "^\n%% Invalid input detected at '^' marker.\n");
	rep->status = CTL_ST_SYNTAX;
}

static void match_error(struct ctl_reply *rep, enum ctl_match m, const struct ctl_words *w,
			size_t bad, const char *line, size_t len)
{
	switch (m) {
	case CTL_MATCH_SYNTAX:
		caret_error(rep, w, bad);
		break;
	case CTL_MATCH_AMBIGUOUS:
		dbuf_printf(&rep->out, "%% Ambiguous command:  \"%.*s\"\n", (int)len, line);
		rep->status = CTL_ST_AMBIGUOUS;
		break;
	default:
		dbuf_printf(&rep->out, "%% Incomplete command.\n");
		rep->status = CTL_ST_INCOMPLETE;
		break;
	}
}

/* ---- help and completion ---- */

static int add_pair(void *arg, const char *token, const char *help)
{
	struct ctl_reply *rep = arg;
	if (rep->npairs == CTL_MAX_PAIRS)
		return 0;
	struct ctl_pair *v = realloc(rep->pairs, (rep->npairs + 1) * sizeof(*v));
	if (!v)
		return ERR_NOMEM;
	rep->pairs = v;
	char *t = strdup(token), *h = strndup(help, CTL_MAX_HELP);
	if (!t || !h) {
		free(t);
		free(h);
		return ERR_NOMEM;
	}
	v[rep->npairs++] = (struct ctl_pair){
	    .token = t, .token_len = strlen(t), .help = h, .help_len = strlen(h)};
	return 0;
}

static int run_help(struct ctl_commands *c, const struct ctl_words *w, unsigned flags,
		    struct ctl_reply *rep, const char *line, size_t len)
{
	size_t bad = 0;
	int rc = flags & CTL_REQ_HELP ? ctl_cmdtab_help(c->t, w, add_pair, rep, &bad)
				      : ctl_cmdtab_complete(c->t, w, add_pair, rep, &bad);
	if (rc < 0)
		return rc;
	if (rc == CTL_MATCH_SYNTAX && (flags & CTL_REQ_HELP) && w->n == 1 && !w->trailing_space) {
		dbuf_printf(&rep->out, "%% Unrecognized command\n");
		rep->status = CTL_ST_SYNTAX;
	} else if (rc != CTL_MATCH_OK) {
		match_error(rep, rc, w, bad, line, len);
	}
	return 0;
}

/* ---- execution ---- */

static int render_show(struct ctl_exec *x, struct result *r, unsigned flags,
		       struct ctl_reply *rep)
{
	if (flags & CTL_REQ_JSON) {
		rep->flags |= CTL_RESP_JSON;
		return result_render_json(r, &rep->out, true);
	}
	if (((flags & CTL_REQ_TIMESTAMP) || x->s->timestamp) && x->w->diag) {
		int rc = ctl_time_source_text(&rep->out, x->w->diag);
		if (rc)
			return rc;
	}
	return result_render_text(r, &rep->out);
}

static int run_cmd(const struct ctl_cmd_def *def, const struct ctl_args *args,
		   struct ctl_exec *x, unsigned flags, struct ctl_reply *rep)
{
	bool show = def->flags & CTL_CMD_SHOW;
	struct result *r = show ? result_new() : NULL;
	if (show && !r)
		return ERR_NOMEM;
	x->r = r;
	int rc = def->fn(x, args);
	rep->status = x->status;
	if (rc && x->status == CTL_ST_OK) {
		/* a handler error without a message of its own */
		dbuf_printf(&rep->out, "%% Command failed: %s\n", err_name(rc));
		rep->status = CTL_ST_FAILED;
	}
	if (show && rep->status == CTL_ST_OK)
		rc = render_show(x, r, flags, rep);
	else
		rc = 0;
	result_free(r);
	return rc;
}

int ctl_run(struct ctl_commands *c, struct ctl_world *w, struct ctl_session *s, const char *line,
	    size_t len, unsigned flags, struct ctl_reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	struct ctl_words *words = malloc(sizeof(*words));
	if (!words)
		return ERR_NOMEM;
	int rc = 0;
	if (ctl_words_split(words, line, len)) {
		dbuf_printf(&rep->out, "%% Command too long\n");
		rep->status = CTL_ST_TOO_BIG;
	} else if (flags & (CTL_REQ_HELP | CTL_REQ_COMPLETE)) {
		rc = run_help(c, words, flags, rep, line, len);
	} else if (words->n) {
		const struct ctl_cmd_def *def = NULL;
		struct ctl_args args;
		size_t bad = 0;
		enum ctl_match m = ctl_cmdtab_match(c->t, words, &def, &args, &bad);
		if (m != CTL_MATCH_OK) {
			match_error(rep, m, words, bad, line, len);
		} else {
			struct ctl_exec x = {.w = w, .s = s, .out = &rep->out};
			rc = run_cmd(def, &args, &x, flags, rep);
		}
	}
	free(words);
	if (rc) {
		dbuf_reset(&rep->out);
		dbuf_printf(&rep->out, "%% Internal error: %s\n", err_name(rc));
		rep->status = CTL_ST_FAILED;
	}
	return rc;
}
