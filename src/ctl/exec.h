/*
 * Exec commands: run one command line typed at `gvpn` against the daemon's
 * state and produce the control-protocol answer (status, output, help pairs).
 *
 *   struct ctl_commands *c = ctl_commands_new();     // every command registered
 *   struct ctl_reply rep;
 *   ctl_run(c, &world, &session, "sh cry gdoi", 11, CTL_REQ_JSON, &rep);
 *   ... send rep.status, rep.out, rep.pairs ...
 *   ctl_reply_free(&rep);
 *
 * Show commands fill one struct result (ctl/result.h) that is rendered as
 * IOS text or, with CTL_REQ_JSON, as JSON; with CTL_REQ_TIMESTAMP (or the
 * session's `terminal exec prompt timestamp`) the text starts with the
 * `Time source is ...` line. Errors come back as IOS messages ("% Invalid
 * input detected at '^' marker." after a line with the caret under the bad
 * word, counted from the start of the command line) with a CTL_ST_* status.
 *
 * Everything runs on the daemon's control thread; handlers read engine
 * state through read-only accessors and act through struct ctl_ops.
 */
#ifndef GVPN_CTL_EXEC_H
#define GVPN_CTL_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/cmdtab.h"
#include "ctl/proto.h"
#include "util/dbuf.h"

struct clock;
struct diag;
struct dp_runtime;
struct dp_sad;
struct gdoi_gm;
struct gdoi_ks;
struct ike1_sa_table;
struct result;

enum {
	CTL_IKE_TABLES_MAX = 4,
};

/*
 * Actions exec commands ask of the daemon. Any hook may be NULL: the
 * command then answers "% Not supported" (e.g. a role not configured).
 * msg gets the text shown to the user (may stay empty). Hooks return 0 or
 * a negative ERR_*; an error prints msg (or the error's name) with
 * status CTL_ST_FAILED.
 */
struct ctl_ops {
	/* `show running-config`: the configuration in IOS syntax. */
	int (*running_config)(void *arg, struct dbuf *out);
	/* `clear crypto gdoi [group G]` (group NULL: all groups). */
	int (*clear_gdoi)(void *arg, const char *group, struct dbuf *msg);
	/*
	 * RSA key store (daemon/keystore.h): `crypto key generate rsa label L
	 * modulus N [exportable]`, `show crypto key mypubkey rsa [L]` (label
	 * NULL: every key), `crypto key export rsa L pem` (out gets the PEM
	 * blocks; the handler marks it secret), `crypto key import rsa L pem
	 * [exportable] url FILE` (a file on the daemon's machine: the
	 * control protocol carries one line, no PEM text), `crypto key
	 * zeroize rsa L`.
	 */
	int (*key_generate)(void *arg, const char *label, unsigned bits, bool exportable,
			    struct dbuf *msg);
	int (*key_show)(void *arg, const char *label, struct result *r);
	int (*key_export)(void *arg, const char *label, struct dbuf *out, struct dbuf *msg);
	int (*key_import)(void *arg, const char *label, const char *path, bool exportable,
			  struct dbuf *msg);
	int (*key_zeroize)(void *arg, const char *label, struct dbuf *msg);
};

/* What exec commands may see. Pointers are NULL when the part is absent. */
struct ctl_world {
	struct diag *diag;
	const struct clock *clock; /* monotonic "now" for remaining lifetimes */
	const char *hostname;
	uint64_t start_ns; /* monotonic time the daemon started (uptime) */
	struct gdoi_ks *ks;
	struct gdoi_gm *gm;
	/* the GM's crypto-map interface and its local `match address` lines */
	const char *gm_ifname;
	const char *const *gm_local_acl;
	size_t gm_local_acl_n;
	/*
	 * The data plane of that interface (`show crypto ipsec sa`, `show
	 * crypto datapath`, `show access-lists`): the runtime in gvpnd, or a
	 * bare SA database (tests; used when dp is NULL). Both NULL: no crypto
	 * map, nothing is encrypted. gm_map is the crypto map's name.
	 */
	struct dp_runtime *dp;
	struct dp_sad *dp_sad;
	const char *gm_map;
	/* ISAKMP SA tables, for `show crypto isakmp sa` (KS and GM each own one) */
	struct ike1_sa_table *ike[CTL_IKE_TABLES_MAX];
	size_t n_ike;
	const struct ctl_ops *ops;
	void *ops_arg;
};

/* Per control connection (an interactive `gvpn` keeps one). */
struct ctl_session {
	bool timestamp; /* `terminal exec prompt timestamp` */
};

/* One command being run: what a handler gets. */
struct ctl_exec {
	struct ctl_world *w;
	struct ctl_session *s;
	struct result *r;  /* CTL_CMD_SHOW commands fill this */
	struct dbuf *out;  /* other commands print here */
	uint16_t status;   /* CTL_ST_OK unless the handler says otherwise */
};

/* The answer to one request; strings are owned by the reply. */
struct ctl_reply {
	uint16_t status;
	uint16_t flags; /* CTL_RESP_JSON */
	struct dbuf out;
	struct ctl_pair *pairs;
	size_t npairs;
};

struct ctl_commands;

/* The table with every exec command; NULL on ERR_NOMEM. */
struct ctl_commands *ctl_commands_new(void);
void ctl_commands_free(struct ctl_commands *c);
/* The underlying table (tests, and to add commands). */
struct ctl_cmdtab *ctl_commands_table(struct ctl_commands *c);

/*
 * Run line (len bytes, no NUL needed) with request flags CTL_REQ_*: help
 * (`?`), completion (Tab) or execution. rep is initialised here; free it
 * with ctl_reply_free. Returns 0, or ERR_NOMEM when the reply could not
 * be built (rep then holds a short error text).
 */
int ctl_run(struct ctl_commands *c, struct ctl_world *w, struct ctl_session *s, const char *line,
	    size_t len, unsigned flags, struct ctl_reply *rep);
void ctl_reply_free(struct ctl_reply *rep);

/* ---- for handlers ---- */

/* Print a message line (appends "\n"); for non-show commands. */
void ctl_printf(struct ctl_exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail the command with an IOS-style message ("% ..."); returns ERR_STATE. */
int ctl_fail(struct ctl_exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Monotonic now from the world's clock. */
uint64_t ctl_now(const struct ctl_exec *x);

/* Registration of each feature's commands (one file per feature). */
int ctl_cmd_diag_register(struct ctl_cmdtab *t);
int ctl_cmd_system_register(struct ctl_cmdtab *t);
int ctl_cmd_isakmp_register(struct ctl_cmdtab *t);

#endif
