#include "daemon/runcfg.h"

#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/parse.h"
#include "conf/write.h"
#include "ctl/exec.h"
#include "daemon/confmap.h"
#include "daemon/engines.h"
#include "daemon/file.h"
#include "daemon/keylog.h"
#include "daemon/keystore.h"
#include "daemon/ksstate.h"
#include "diag/log.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

enum {
	CONFIG_MAX_BYTES = 4 * 1024 * 1024,
};

/* A parsed configuration and its engine form (map borrows conf). */
struct loaded {
	struct conf_config *conf;
	struct daemon_confmap *map;
};

struct daemon_runcfg {
	struct daemon_runcfg_env env;
	char *path;
	struct loaded cur; /* the running configuration */
	/*
	 * What the running engines were created from: their ike1 tables
	 * borrow its isakmp policies, so it lives as long as they do (the
	 * same as cur until a reload replaces the groups in place).
	 */
	struct loaded eng_from;
	uint64_t start_ns;
	/* RSA keys of STATE_DIR/keys (`rekey authentication mypubkey rsa LABEL`); NULL: none */
	struct daemon_keystore *keys;
	struct daemon_keylog *keylog; /* debug crypto isakmp|ipsec keys */
	struct daemon_engines *eng;   /* NULL: nothing to run */
	/* the key server's STATE_DIR/ks-state (dir NULL: none) */
	struct daemon_ksstate ks_state;
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
	mem_wipe(buf, sizeof(buf));
	fclose(f);
	return rc;
}

static void loaded_free(struct loaded *l)
{
	daemon_confmap_free(l->map);
	conf_config_free(l->conf);
	*l = (struct loaded){0};
}

/* Read, parse and convert path. 0, or the error with FILE:LINE reasons in err. */
static int load(const char *path, const struct daemon_confmap_env *env, struct loaded *out,
		struct dbuf *err)
{
	struct dbuf text = DBUF_INIT;
	text.secret = true; /* pre-shared keys */
	*out = (struct loaded){0};
	int rc = read_config(path, &text, err);
	if (!rc)
		rc = (out->conf = conf_config_new()) ? 0 : ERR_NOMEM;
	if (!rc)
		rc = conf_parse(text.p ? (const char *)text.p : "", text.len, path, out->conf, err);
	if (!rc)
		rc = daemon_confmap_build(out->conf, env, &out->map, err);
	dbuf_free(&text);
	if (rc)
		loaded_free(out);
	return rc;
}

/* ---- what the map looks up in the world ---- */

/* The IPv4 address of ifname (the member's registration address); 0 when it has none. */
static uint32_t if_addr(void *arg, const char *ifname)
{
	(void)arg;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	uint32_t a = 0;
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0 && ifr.ifr_addr.sa_family == AF_INET) {
		struct sockaddr_in sin;
		memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
		a = ntohl(sin.sin_addr.s_addr);
	}
	close(fd);
	return a;
}

static const struct crypto_rsa *rsa_key(void *arg, const char *label)
{
	struct daemon_runcfg *r = arg;
	return r->keys ? daemon_keystore_get(r->keys, label) : NULL;
}

static struct daemon_confmap_env map_env(struct daemon_runcfg *r)
{
	return (struct daemon_confmap_env){.rsa_key = rsa_key, .if_addr = if_addr, .arg = r};
}

/* Settings that are not engines: `logging buffered`. */
static void apply_settings(struct daemon_runcfg *r)
{
	const struct conf_config *c = r->cur.conf;
	if (c->log_buffered_bytes && r->env.diag)
		diag_log_set_buffer_size(r->env.diag, c->log_buffered_bytes);
}

/* ---- ops for the exec commands ---- */

static int op_running_config(void *arg, struct dbuf *out)
{
	struct daemon_runcfg *r = arg;
	out->secret = true;
	return conf_write(r->cur.conf, out);
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

/*
 * The RSA key store (daemon/keystore.h). After a key is generated,
 * imported or removed the groups take the key their `rekey authentication`
 * label names now; the key command itself has succeeded either way.
 */
static int keys_applied(struct daemon_runcfg *r, int rc, struct dbuf *msg)
{
	if (rc)
		return rc;
	struct dbuf err = DBUF_INIT;
	if (daemon_runcfg_keys_changed(r, clock_mono_ns(r->env.clock), &err))
		dbuf_printf(msg, "%% The key server did not take the key change:\n%s",
			    dbuf_str(&err));
	dbuf_free(&err);
	return 0;
}

static int op_key_generate(void *arg, const char *label, unsigned bits, bool exportable,
			   struct dbuf *msg)
{
	struct daemon_runcfg *r = arg;
	return keys_applied(r, daemon_keystore_generate(r->keys, label, bits, exportable, msg),
			    msg);
}

static int op_key_import(void *arg, const char *label, const char *path, bool exportable,
			 struct dbuf *msg)
{
	struct daemon_runcfg *r = arg;
	return keys_applied(r, daemon_keystore_import_file(r->keys, label, path, exportable, msg),
			    msg);
}

static int op_key_zeroize(void *arg, const char *label, struct dbuf *msg)
{
	struct daemon_runcfg *r = arg;
	return keys_applied(r, daemon_keystore_remove(r->keys, label, msg), msg);
}

static int op_key_export(void *arg, const char *label, struct dbuf *out, struct dbuf *msg)
{
	struct daemon_runcfg *r = arg;
	return daemon_keystore_export_pem(r->keys, label, out, msg);
}

static int op_key_show(void *arg, const char *label, struct result *res)
{
	struct daemon_runcfg *r = arg;
	return daemon_keystore_show(r->keys, label, res);
}

/* Open STATE_DIR's key store; key files it skips are reported on stderr. */
static int open_keys(struct daemon_runcfg *r, struct dbuf *err)
{
	struct dbuf skipped = DBUF_INIT;
	int rc = daemon_keystore_open(r->env.state_dir, r->env.clock, &r->keys, &skipped);
	if (rc)
		dbuf_append(err, skipped.p, skipped.len);
	for (const char *p = dbuf_str(&skipped); !rc && *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(stderr, "gvpnd: %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	dbuf_free(&skipped);
	if (rc)
		return rc;
	r->ops.key_generate = op_key_generate;
	r->ops.key_import = op_key_import;
	r->ops.key_zeroize = op_key_zeroize;
	r->ops.key_export = op_key_export;
	r->ops.key_show = op_key_show;
	return 0;
}

/* ---- engines ---- */

static int send_datagram(void *arg, const struct ike1_peer *to, uint32_t src_ip4,
			 const uint8_t *msg, size_t len)
{
	struct daemon_runcfg *r = arg;
	return r->env.send(r->env.send_arg, to, src_ip4, msg, len);
}

/* The engines ask for keys through the running configuration, so that a reload changes them. */
static int psk_of(void *arg, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	struct daemon_runcfg *r = arg;
	return r->cur.map ? daemon_confmap_psk(r->cur.map, peer->ip4, key) : -1;
}

/* m's engine configurations with the daemon's PSK look-up and diag. */
struct eng_cfgs {
	struct gdoi_ks_config ks;
	struct gdoi_gm_config gm;
	struct dp_runtime_cfg dp;
	struct daemon_engines_cfg eng;
};

static void eng_cfgs_of(struct daemon_runcfg *r, const struct daemon_confmap *m, struct eng_cfgs *o)
{
	o->ks = m->ks;
	o->gm = m->gm;
	o->dp = m->dp;
	o->ks.psk = o->gm.psk = psk_of;
	o->ks.psk_arg = o->gm.psk_arg = r;
	o->dp.diag = r->env.diag;
	o->eng = m->eng;
	o->eng.ks = m->eng.ks ? &o->ks : NULL;
	o->eng.gm = m->eng.gm ? &o->gm : NULL;
	o->eng.dp = m->eng.dp ? &o->dp : NULL;
}

static void ks_persist(void *arg, const uint8_t *blob, size_t len)
{
	struct daemon_runcfg *r = arg;
	daemon_ksstate_write(&r->ks_state, blob, len);
}

/* The key server's state is saved before its engine goes (clean stop, recreate). */
static void stop_engines(struct daemon_runcfg *r)
{
	if (r->eng)
		daemon_ksstate_flush(&r->ks_state, daemon_engines_ks(r->eng),
				     clock_mono_ns(r->env.clock));
	daemon_engines_free(r->eng);
	r->eng = NULL;
}

static int start_engines(struct daemon_runcfg *r, uint64_t now, struct dbuf *err)
{
	struct eng_cfgs c;
	const struct daemon_engines_cfg *cfg = r->env.engines;
	if (!cfg) {
		eng_cfgs_of(r, r->eng_from.map, &c);
		cfg = &c.eng;
		if (cfg->gm && !cfg->gm->ike.local.ip4)
			fprintf(stderr,
				"gvpnd: %s has no IPv4 address: the group member cannot register "
				"until it has one and the configuration is reloaded (SIGHUP)\n",
				r->eng_from.map->ifname);
	}
	r->gm_ifname = NULL;
	if (r->env.purge_stale_dp && !cfg->dp)
		daemon_engines_purge_dp(NULL);
	if (!cfg->ks && !cfg->gm)
		return 0;
	struct daemon_engines_env env = {
	    .diag = r->env.diag,
	    .rng = r->env.rng,
	    .send = send_datagram,
	    .send_arg = r,
	    .keylog = r->keylog,
	    .ks_persist = r->ks_state.dir ? ks_persist : NULL,
	    .ks_persist_arg = r,
	};
	r->gm_ifname = cfg->dp ? cfg->dp->ifname : NULL;
	int rc = daemon_engines_new(cfg, &env, now, &r->eng, err);
	/* a key server carries on from its saved state (daemon/ksstate.h) */
	struct gdoi_ks *ks = rc ? NULL : daemon_engines_ks(r->eng);
	if (!ks || daemon_ksstate_load(&r->ks_state, ks, now))
		return rc;
	/* the TEKs it carries on with, for `debug crypto ipsec keys` (on across a reload) */
	for (size_t i = 0; r->keylog && i < cfg->ks->n_groups; i++)
		daemon_keylog_policy(r->keylog, cfg->ks->groups[i].name, 0,
				     gdoi_ks_group_policy(ks, i));
	return 0;
}

/* ---- life cycle ---- */

int daemon_runcfg_check(const char *path, struct dbuf *err)
{
	struct loaded l;
	int rc = load(path, NULL, &l, err);
	if (!rc)
		rc = daemon_confmap_try(l.map, err);
	loaded_free(&l);
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
	r->ops.running_config = op_running_config;
	r->ops.clear_gdoi = op_clear_gdoi;
	r->ks_state =
	    (struct daemon_ksstate){.dir = env->state_dir, .diag = env->diag, .clock = env->clock};
	int rc = r->path ? 0 : ERR_NOMEM;
	if (!rc && env->state_dir)
		rc = open_keys(r, err);
	if (!rc && env->state_dir && env->diag)
		rc = daemon_keylog_new(env->state_dir, env->diag, &r->keylog);
	struct daemon_confmap_env menv = map_env(r);
	if (!rc)
		rc = load(path, &menv, &r->cur, err);
	if (!rc) {
		r->eng_from = r->cur;
		apply_settings(r);
		rc = start_engines(r, now, err);
	}
	if (rc) {
		daemon_runcfg_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void drop_eng_from(struct daemon_runcfg *r)
{
	if (r->eng_from.conf != r->cur.conf)
		loaded_free(&r->eng_from);
	r->eng_from = (struct loaded){0};
}

void daemon_runcfg_free(struct daemon_runcfg *r)
{
	if (!r)
		return;
	stop_engines(r);
	drop_eng_from(r);
	loaded_free(&r->cur);
	daemon_keystore_free(r->keys);
	daemon_keylog_free(r->keylog);
	free(r->path);
	free(r);
}

/*
 * Reload in place: the same ike1 set-up and data plane, so the engines take
 * the new groups by config_replace (members, keys and registrations of kept
 * groups stay). 0 or the engine's error (err says which).
 */
static int replace_groups(struct daemon_runcfg *r, const struct daemon_confmap *m, uint64_t now,
			  struct dbuf *err)
{
	struct eng_cfgs c;
	eng_cfgs_of(r, m, &c);
	char why[256] = "";
	struct gdoi_ks *ks = daemon_engines_ks(r->eng);
	struct gdoi_gm *gm = daemon_engines_gm(r->eng);
	int rc = ks ? gdoi_ks_config_replace(ks, &c.ks, now, why, sizeof(why)) : 0;
	if (rc) {
		dbuf_printf(err, "%s: key server: %s\n", r->path, why[0] ? why : err_name(rc));
		return rc;
	}
	rc = gm ? gdoi_gm_config_replace(gm, &c.gm, now, why, sizeof(why)) : 0;
	if (rc)
		dbuf_printf(err, "%s: group member: %s (key-server groups already replaced)\n",
			    r->path, why[0] ? why : err_name(rc));
	return rc;
}

/* Reload with new engines: the old ones stop first (the data plane's queues are theirs). */
static int restart_engines(struct daemon_runcfg *r, struct loaded *next, uint64_t now,
			   struct dbuf *err)
{
	stop_engines(r);
	struct loaded prev_from = r->eng_from;
	r->eng_from = *next;
	int rc = start_engines(r, now, err);
	if (!rc) {
		if (prev_from.conf != r->cur.conf)
			loaded_free(&prev_from);
		return 0;
	}
	/* back to what ran before */
	r->eng_from = prev_from;
	struct dbuf again = DBUF_INIT;
	if (start_engines(r, now, &again))
		dbuf_printf(err, "%s: the previous configuration could not be restarted either: %s",
			    r->path, dbuf_str(&again));
	dbuf_free(&again);
	return rc;
}

/* cur becomes next; the old one is freed unless the engines still borrow it. */
static void make_current(struct daemon_runcfg *r, struct loaded *next)
{
	if (r->cur.conf != r->eng_from.conf)
		loaded_free(&r->cur);
	r->cur = *next;
	apply_settings(r);
}

/*
 * Make next the running configuration. The rule: the same ike1 set-up
 * (isakmp policies, local addresses, roles) and the same data plane -> the
 * groups are replaced in place (gdoi_*_config_replace: members, keys and
 * registrations of kept groups stay); otherwise the engines are recreated
 * (members register again). On error next is freed and nothing changed
 * (but see replace_groups).
 */
static int apply(struct daemon_runcfg *r, struct loaded *next, uint64_t now, struct dbuf *err)
{
	int rc;
	if (r->env.engines) {
		/* tests: the engines do not come from the file */
		loaded_free(&r->cur);
		r->cur = r->eng_from = *next;
		apply_settings(r);
		return 0;
	}
	const struct daemon_confmap *m = r->eng_from.map;
	if (r->eng && daemon_confmap_same_ike(m, next->map) && daemon_confmap_same_dp(m, next->map))
		rc = replace_groups(r, next->map, now, err);
	else
		rc = restart_engines(r, next, now, err);
	if (rc)
		loaded_free(next);
	else
		make_current(r, next);
	return rc;
}

int daemon_runcfg_reload(struct daemon_runcfg *r, uint64_t now, struct dbuf *err)
{
	struct daemon_confmap_env menv = map_env(r);
	struct loaded next;
	int rc = load(r->path, &menv, &next, err);
	return rc ? rc : apply(r, &next, now, err);
}

int daemon_runcfg_keys_changed(struct daemon_runcfg *r, uint64_t now, struct dbuf *err)
{
	struct daemon_confmap_env menv = map_env(r);
	struct loaded next = {.conf = conf_config_new()};
	if (!next.conf)
		return ERR_NOMEM;
	memcpy(next.conf, r->cur.conf, sizeof(*next.conf));
	int rc = daemon_confmap_build(next.conf, &menv, &next.map, err);
	if (rc) {
		loaded_free(&next);
		return rc;
	}
	return apply(r, &next, now, err);
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
	w->hostname = r->cur.conf->hostname[0] ? r->cur.conf->hostname : NULL;
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
	if (w->gm_ifname && r->eng_from.map)
		w->gm_map = r->eng_from.map->map_name;
	w->dp = daemon_engines_dp(r->eng);
}
