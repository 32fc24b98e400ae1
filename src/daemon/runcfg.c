#include "daemon/runcfg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/exec.h"
#include "daemon/engines.h"
#include "daemon/file.h"
#include "diag/log.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

enum {
	CONFIG_MAX_BYTES = 4 * 1024 * 1024,
	HOSTNAME_MAX = 64,
};

struct daemon_runcfg {
	struct daemon_runcfg_env env;
	char *path;
	struct dbuf text; /* the configuration as read */
	char hostname[HOSTNAME_MAX];
	uint64_t start_ns;
	struct daemon_engines *eng; /* NULL: nothing to run */
	const char *gm_ifname;
	struct ctl_ops ops;
};

/* ---- the configuration file ---- */

static int read_config(const char *path, struct dbuf *text, struct dbuf *err)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		dbuf_printf(err, "%s: cannot open: %m\n", path);
		return ERR_IO;
	}
	char buf[4096];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		rc = dbuf_append(text, buf, n);
		if (!rc && text->len > CONFIG_MAX_BYTES) {
			dbuf_printf(err, "%s: larger than %d bytes\n", path, CONFIG_MAX_BYTES);
			rc = ERR_LIMIT;
		}
	}
	if (!rc && ferror(f)) {
		dbuf_printf(err, "%s: read error\n", path);
		rc = ERR_IO;
	}
	fclose(f);
	return rc;
}

/* `hostname NAME`: the prompt of the CLI. */
static void find_hostname(const char *text, char *out, size_t cap)
{
	out[0] = 0;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > 9 && !strncmp(p, "hostname ", 9)) {
			size_t i = 0;
			for (const char *q = p + 9; q < p + len && i + 1 < cap; q++)
				if (isgraph((unsigned char)*q))
					out[i++] = *q;
			out[i] = 0;
		}
		p += len + (eol != NULL);
	}
}

/* ---- ops for the exec commands ---- */

static int op_running_config(void *arg, struct dbuf *out)
{
	struct daemon_runcfg *r = arg;
	return dbuf_append(out, r->text.p, r->text.len);
}

static int op_clear_gdoi(void *arg, const char *group, struct dbuf *msg)
{
	struct daemon_runcfg *r = arg;
	if (!r->eng) {
		dbuf_printf(msg, "%% No GDOI group is configured\n");
		return ERR_NOTFOUND;
	}
	return daemon_engines_clear(r->eng, group, clock_mono_ns(r->env.clock), msg);
}

/* ---- engines ---- */

static int send_datagram(void *arg, const struct ike1_peer *to, uint32_t src_ip4,
			 const uint8_t *msg, size_t len)
{
	struct daemon_runcfg *r = arg;
	return r->env.send(r->env.send_arg, to, src_ip4, msg, len);
}

static int start_engines(struct daemon_runcfg *r, const struct daemon_engines_cfg *cfg,
			 uint64_t now, struct dbuf *err)
{
	if (!cfg || (!cfg->ks && !cfg->gm))
		return 0;
	struct daemon_engines_env env = {
	    .diag = r->env.diag,
	    .rng = r->env.rng,
	    .send = send_datagram,
	    .send_arg = r,
	};
	r->gm_ifname = cfg->dp ? cfg->dp->ifname : NULL;
	return daemon_engines_new(cfg, &env, now, &r->eng, err);
}

/* ---- life cycle ---- */

int daemon_runcfg_check(const char *path, struct dbuf *err)
{
	struct dbuf text = DBUF_INIT;
	int rc = read_config(path, &text, err);
	dbuf_free(&text);
	return rc;
}

int daemon_runcfg_new(const struct daemon_runcfg_env *env, const char *path, uint64_t now,
		      struct daemon_runcfg **out, struct dbuf *err)
{
	struct daemon_runcfg *r = calloc(1, sizeof(*r));
	if (!r)
		return ERR_NOMEM;
	r->env = *env;
	r->start_ns = now;
	r->path = strdup(path);
	int rc = r->path ? read_config(path, &r->text, err) : ERR_NOMEM;
	if (rc) {
		daemon_runcfg_free(r);
		return rc;
	}
	find_hostname(dbuf_str(&r->text), r->hostname, sizeof(r->hostname));
	r->ops.running_config = op_running_config;
	r->ops.clear_gdoi = op_clear_gdoi;
	rc = start_engines(r, env->engines, now, err);
	if (rc) {
		daemon_runcfg_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void daemon_runcfg_free(struct daemon_runcfg *r)
{
	if (!r)
		return;
	daemon_engines_free(r->eng);
	dbuf_free(&r->text);
	free(r->path);
	free(r);
}

int daemon_runcfg_reload(struct daemon_runcfg *r, uint64_t now, struct dbuf *err)
{
	(void)now;
	struct dbuf text = DBUF_INIT;
	int rc = read_config(r->path, &text, err);
	if (rc) {
		dbuf_free(&text);
		return rc;
	}
	dbuf_free(&r->text);
	r->text = text;
	find_hostname(dbuf_str(&r->text), r->hostname, sizeof(r->hostname));
	return 0;
}

/* ---- datagrams and time ---- */

void daemon_runcfg_input(struct daemon_runcfg *r, uint64_t now, const struct ike1_peer *from,
			 uint32_t local_ip4, const uint8_t *msg, size_t len)
{
	if (r->eng)
		daemon_engines_input(r->eng, now, from, local_ip4, msg, len);
}

void daemon_runcfg_tick(struct daemon_runcfg *r, uint64_t now)
{
	if (r->eng)
		daemon_engines_tick(r->eng, now);
}

uint64_t daemon_runcfg_next_deadline(const struct daemon_runcfg *r)
{
	return r->eng ? daemon_engines_next_deadline(r->eng) : CLOCK_NEVER;
}

int daemon_runcfg_dp_fd(const struct daemon_runcfg *r)
{
	return r->eng ? daemon_engines_dp_fd(r->eng) : -1;
}

void daemon_runcfg_dp_poll(struct daemon_runcfg *r, uint64_t now)
{
	if (r->eng)
		daemon_engines_dp_poll(r->eng, now);
}

void daemon_runcfg_world(struct daemon_runcfg *r, struct ctl_world *w)
{
	memset(w, 0, sizeof(*w));
	w->diag = r->env.diag;
	w->clock = r->env.clock;
	w->hostname = r->hostname[0] ? r->hostname : NULL;
	w->start_ns = r->start_ns;
	w->ops = &r->ops;
	w->ops_arg = r;
	if (!r->eng)
		return;
	w->ks = daemon_engines_ks(r->eng);
	w->gm = daemon_engines_gm(r->eng);
	if (w->gm)
		w->ike[w->n_ike++] = gdoi_gm_ike(w->gm);
	if (w->ks)
		w->ike[w->n_ike++] = gdoi_ks_ike(w->ks);
	w->gm_ifname = r->gm_ifname;
	w->dp = daemon_engines_dp(r->eng);
}
