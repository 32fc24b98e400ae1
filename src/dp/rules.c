/*
 * gvpn-owned iptables chains: rendering of iptables-restore input from a
 * spec and the current iptables-save output, and running the two tools.
 * See rules.h and docs/dataplane.md.
 */
#include "dp/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

extern char **environ;

#define ENC_PREFIX "GVPN-ENC-"
#define DEC_PREFIX "GVPN-DEC-"
#define GVPN_PREFIX "GVPN-"

enum {
	PREFIX_LEN = 9, /* strlen(ENC_PREFIX) */
	MAX_TABLES = 8,
	TOOL_TIMEOUT_MS = 30000,
	LOCK_WAIT_SEC = 10, /* iptables-restore -w: xtables lock (legacy backend) */
};

void dp_rules_chain_names(const char *ifname, char enc[32], char dec[32])
{
	snprintf(enc, 32, ENC_PREFIX "%.15s", ifname);
	snprintf(dec, 32, DEC_PREFIX "%.15s", ifname);
}

bool dp_rules_ifname_ok(const char *ifname)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (n == 0 || n > DP_RULES_IFNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = ifname[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return false;
	}
	return true;
}

/* ---- which chains are ours ------------------------------------------------ */

/* Which gvpn chains a rendering removes: those of ifname, or (ifname NULL)
 * every gvpn chain whose interface is not in keep. */
struct owner {
	const char *ifname;
	const char *const *keep;
	size_t n_keep;
};

static bool chain_is_ours(const struct owner *o, const char *name, size_t len)
{
	const char *ifn;
	size_t ifl;

	if (len < PREFIX_LEN || (strncmp(name, ENC_PREFIX, PREFIX_LEN) != 0 &&
				 strncmp(name, DEC_PREFIX, PREFIX_LEN) != 0)) {
		/* other GVPN- chains (none today) belong to no interface */
		return !o->ifname && len > 5 && strncmp(name, GVPN_PREFIX, 5) == 0;
	}
	ifn = name + PREFIX_LEN;
	ifl = len - PREFIX_LEN;
	if (o->ifname)
		return strlen(o->ifname) == ifl && memcmp(o->ifname, ifn, ifl) == 0;
	for (size_t i = 0; i < o->n_keep; i++)
		if (strlen(o->keep[i]) == ifl && memcmp(o->keep[i], ifn, ifl) == 0)
			return false;
	return true;
}

/* ---- iptables-save parsing ------------------------------------------------ */

/* What must go from one table, collected from iptables-save output. */
struct table_plan {
	char name[16];
	struct dbuf stale;  /* names of our chains present, one per line */
	struct dbuf dels;   /* "-D ..." lines: jumps to our chains */
};

struct plan {
	struct table_plan t[MAX_TABLES];
	size_t n;
};

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		dbuf_free(&p->t[i].stale);
		dbuf_free(&p->t[i].dels);
	}
	p->n = 0;
}

static struct table_plan *plan_table(struct plan *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->t[i].name) == len && memcmp(p->t[i].name, name, len) == 0)
			return &p->t[i];
	if (p->n == MAX_TABLES || len >= sizeof p->t[0].name)
		return NULL;
	memset(&p->t[p->n], 0, sizeof p->t[p->n]);
	memcpy(p->t[p->n].name, name, len);
	return &p->t[p->n++];
}

/* Next token of an iptables-save rule line: words, "quoted strings". */
static bool next_token(const char **s, const char *end, const char **tok, size_t *len)
{
	const char *p = *s;

	while (p < end && *p == ' ')
		p++;
	if (p >= end)
		return false;
	*tok = p;
	if (*p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		if (p < end)
			p++;
	} else {
		while (p < end && *p != ' ')
			p++;
	}
	*len = (size_t)(p - *tok);
	*s = p;
	return true;
}

static bool tok_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(tok, word, len) == 0;
}

/* For "-A CHAIN ...": the chain (name, len) and whether the rule jumps or
 * goes to one of our chains. */
static bool rule_targets_ours(const struct owner *o, const char *line, const char *end,
			      const char **chain, size_t *chain_len)
{
	const char *s = line, *tok;
	size_t len;
	bool target = false, ours = false;

	if (!next_token(&s, end, &tok, &len) || !tok_is(tok, len, "-A"))
		return false;
	if (!next_token(&s, end, chain, chain_len))
		return false;
	while (next_token(&s, end, &tok, &len)) {
		if (target && chain_is_ours(o, tok, len))
			ours = true;
		target = tok_is(tok, len, "-j") || tok_is(tok, len, "-g") ||
			 tok_is(tok, len, "--jump") || tok_is(tok, len, "--goto");
	}
	return ours;
}

static int plan_line(struct plan *p, struct table_plan **cur, const struct owner *o,
		     const char *line, const char *end)
{
	const char *chain;
	size_t clen;

	if (line < end && line[0] == '*') {
		*cur = plan_table(p, line + 1, (size_t)(end - line - 1));
		return 0;
	}
	if (!*cur)
		return 0;
	if (line < end && line[0] == ':') {
		const char *sp = memchr(line, ' ', (size_t)(end - line));
		size_t n = (size_t)((sp ? sp : end) - line - 1);

		if (chain_is_ours(o, line + 1, n))
			return dbuf_printf(&(*cur)->stale, "%.*s\n", (int)n, line + 1);
		return 0;
	}
	/* Jumps inside our own chains vanish with the flush. */
	if (rule_targets_ours(o, line, end, &chain, &clen) && !chain_is_ours(o, chain, clen))
		return dbuf_printf(&(*cur)->dels, "-D %.*s\n", (int)(end - line - 3), line + 3);
	return 0;
}

/* Parse iptables-save output into what must be removed for owner o. */
static int plan_build(struct plan *p, const struct owner *o, const char *save)
{
	struct table_plan *cur = NULL;
	const char *s = save ? save : "";

	memset(p, 0, sizeof *p);
	while (*s) {
		const char *eol = strchr(s, '\n');
		const char *end = eol ? eol : s + strlen(s);
		int rc = plan_line(p, &cur, o, s, end);

		if (rc < 0) {
			plan_free(p);
			return rc;
		}
		s = eol ? eol + 1 : end;
	}
	return 0;
}

/* ---- rendering ------------------------------------------------------------ */

static bool line_listed(const struct dbuf *list, const char *name)
{
	const char *s = list->len ? (const char *)list->p : "";
	size_t n = strlen(name);

	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t l = eol ? (size_t)(eol - s) : strlen(s);

		if (l == n && memcmp(s, name, n) == 0)
			return true;
		if (!eol)
			break;
		s = eol + 1;
	}
	return false;
}

/* Flush the stale chains (our declaration lines), then delete the jumps. */
static int render_stale_head(struct dbuf *out, struct table_plan *t)
{
	const char *s = t->stale.len ? (const char *)t->stale.p : "";
	int rc = 0;

	while (*s && rc == 0) {
		const char *eol = strchr(s, '\n');

		rc = dbuf_printf(out, ":%.*s - [0:0]\n", (int)(eol - s), s);
		s = eol + 1;
	}
	if (rc == 0 && t->dels.len)
		rc = dbuf_append(out, t->dels.p, t->dels.len);
	return rc;
}

/* Delete the stale chains that are not wanted (keep: wanted chain names). */
static int render_stale_tail(struct dbuf *out, struct table_plan *t, const char *keep1,
			     const char *keep2)
{
	const char *s = t->stale.len ? (const char *)t->stale.p : "";
	int rc = 0;

	while (*s && rc == 0) {
		const char *eol = strchr(s, '\n');
		size_t n = (size_t)(eol - s);
		bool keep = (keep1 && strlen(keep1) == n && memcmp(keep1, s, n) == 0) ||
			    (keep2 && strlen(keep2) == n && memcmp(keep2, s, n) == 0);

		if (!keep)
			rc = dbuf_printf(out, "-X %.*s\n", (int)n, s);
		s = eol + 1;
	}
	return rc;
}

static int mask_len(uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return (n == 32 || (mask << n) == 0) ? n : -1;
}

static int render_addr(struct dbuf *out, const char *opt, uint32_t addr, uint32_t mask)
{
	uint32_t a = addr & mask;
	int len = mask_len(mask);

	if (mask == 0)
		return 0;
	if (len >= 0)
		return dbuf_printf(out, " %s %u.%u.%u.%u/%d", opt, a >> 24, (a >> 16) & 255u,
				   (a >> 8) & 255u, a & 255u, len);
	return dbuf_printf(out, " %s %u.%u.%u.%u/%u.%u.%u.%u", opt, a >> 24, (a >> 16) & 255u,
			   (a >> 8) & 255u, a & 255u, mask >> 24, (mask >> 16) & 255u,
			   (mask >> 8) & 255u, mask & 255u);
}

static int render_ports(struct dbuf *out, const char *opt, uint16_t lo, uint16_t hi)
{
	if (lo == 0 && hi == 0xffff)
		return 0;
	if (lo == hi)
		return dbuf_printf(out, " %s %u", opt, lo);
	return dbuf_printf(out, " %s %u:%u", opt, lo, hi);
}

static bool ports_any(uint16_t lo, uint16_t hi)
{
	return lo == 0 && hi == 0xffff;
}

static int render_target(struct dbuf *out, const struct dp_rules_spec *sp,
			 enum dp_rules_action act)
{
	if (act == DP_RULES_PROTECT && sp->stopped)
		act = DP_RULES_DROP;
	switch (act) {
	case DP_RULES_CLEAR:
		return dbuf_printf(out, " -j RETURN\n");
	case DP_RULES_DROP:
		return dbuf_printf(out, " -j DROP\n");
	case DP_RULES_PROTECT:
		break;
	default:
		return ERR_INVAL;
	}
	if (sp->nqueues == 1)
		dbuf_printf(out, " -j NFQUEUE --queue-num %u", sp->queue_base);
	else
		dbuf_printf(out, " -j NFQUEUE --queue-balance %u:%u", sp->queue_base,
			    sp->queue_base + sp->nqueues - 1u);
	return dbuf_printf(out, "%s\n", sp->bypass ? " --queue-bypass" : "");
}

static int render_entry(struct dbuf *out, const struct dp_rules_spec *sp, const char *chain,
			const struct dp_rules_entry *e)
{
	bool l4 = e->proto == 6 || e->proto == 17;
	bool ports = !ports_any(e->sport_lo, e->sport_hi) || !ports_any(e->dport_lo, e->dport_hi);

	if ((ports && (!l4 || e->fragments)) || e->sport_lo > e->sport_hi ||
	    e->dport_lo > e->dport_hi)
		return ERR_INVAL;
	dbuf_printf(out, "-A %s", chain);
	if (e->proto == 6 || e->proto == 17 || e->proto == 1)
		dbuf_printf(out, " -p %s", e->proto == 6 ? "tcp" : e->proto == 17 ? "udp" : "icmp");
	else if (e->proto)
		dbuf_printf(out, " -p %u", e->proto);
	render_addr(out, "-s", e->src, e->src_mask);
	render_addr(out, "-d", e->dst, e->dst_mask);
	if (e->fragments)
		dbuf_printf(out, " -f");
	if (ports) {
		dbuf_printf(out, " -m %s", e->proto == 6 ? "tcp" : "udp");
		render_ports(out, "--sport", e->sport_lo, e->sport_hi);
		render_ports(out, "--dport", e->dport_lo, e->dport_hi);
	}
	return render_target(out, sp, e->action);
}

/* The body of GVPN-ENC-IF and its jump. */
static int render_encap(struct dbuf *out, const struct dp_rules_spec *sp, const char *chain)
{
	int rc;

	/* Our own injected packets (already encrypted, or ICMP) and GDOI. */
	dbuf_printf(out, "-A %s -m mark --mark 0x%x -j RETURN\n", chain, sp->mark);
	dbuf_printf(out, "-A %s -p udp -m udp --sport %d -j RETURN\n", chain, DP_RULES_GDOI_PORT);
	dbuf_printf(out, "-A %s -p udp -m udp --dport %d -j RETURN\n", chain, DP_RULES_GDOI_PORT);
	for (size_t i = 0; i < sp->n_entries; i++) {
		rc = render_entry(out, sp, chain, &sp->entries[i]);
		if (rc < 0)
			return rc;
	}
	if (sp->final != DP_RULES_CLEAR) {
		dbuf_printf(out, "-A %s", chain);
		rc = render_target(out, sp, sp->final);
		if (rc < 0)
			return rc;
	}
	/* Inserted first: a packet some earlier mangle rule ACCEPTed would
	 * skip us and leave in clear. */
	return dbuf_printf(out, "-I POSTROUTING 1 -o %s -j %s\n", sp->ifname, chain);
}

static int render_decap(struct dbuf *out, const struct dp_rules_spec *sp, const char *chain)
{
	dbuf_printf(out, "-A %s", chain);
	render_target(out, sp, DP_RULES_PROTECT);
	/* Never reached (NFQUEUE is terminal; with --queue-bypass it accepts).
	 * The socket match is there because loading it enables nf_defrag_ipv4
	 * in this network namespace without conntrack: ESP fragmented on the
	 * way reaches the queue reassembled (defrag runs at priority -400,
	 * before raw). */
	dbuf_printf(out, "-A %s -p esp -m socket -j RETURN\n", chain);
	return dbuf_printf(out, "-I PREROUTING 1 -i %s -p esp -j %s\n", sp->ifname, chain);
}

static bool spec_ok(const struct dp_rules_spec *sp)
{
	if (!dp_rules_ifname_ok(sp->ifname) || sp->nqueues == 0 || sp->mark == 0 ||
	    (unsigned)sp->queue_base + sp->nqueues - 1u > 0xffffu)
		return false;
	if (sp->n_entries && !sp->entries)
		return false;
	return sp->final == DP_RULES_CLEAR || sp->final == DP_RULES_PROTECT ||
	       sp->final == DP_RULES_DROP;
}

/* One table of the apply text: stale removal, then the wanted chain. */
static int render_table(struct dbuf *out, const struct dp_rules_spec *sp, struct plan *p,
			const char *table, const char *want)
{
	struct table_plan *t = plan_table(p, table, strlen(table));
	int rc;

	if (!t)
		return ERR_NOMEM;
	if (!want && !t->stale.len && !t->dels.len)
		return 0;
	dbuf_printf(out, "*%s\n", table);
	if (want && !line_listed(&t->stale, want))
		dbuf_printf(out, ":%s - [0:0]\n", want);
	rc = render_stale_head(out, t);
	if (rc == 0)
		rc = render_stale_tail(out, t, want, NULL);
	if (rc == 0 && want)
		rc = strcmp(table, "mangle") == 0 ? render_encap(out, sp, want)
						  : render_decap(out, sp, want);
	if (rc == 0)
		rc = dbuf_printf(out, "COMMIT\n");
	return rc;
}

int dp_rules_render(const struct dp_rules_spec *sp, const char *save_text, struct dbuf *out)
{
	struct owner o = {.ifname = sp->ifname};
	char enc[32], dec[32];
	struct plan p;
	int rc;

	if (!spec_ok(sp))
		return ERR_INVAL;
	dp_rules_chain_names(sp->ifname, enc, dec);
	rc = plan_build(&p, &o, save_text);
	if (rc < 0)
		return rc;
	/* raw first: on a start the decap chain is ready before encryption
	 * begins; the order does not matter for leaks (encap is one commit). */
	rc = render_table(out, sp, &p, "raw", sp->stopped ? NULL : dec);
	if (rc == 0)
		rc = render_table(out, sp, &p, "mangle", enc);
	for (size_t i = 0; rc == 0 && i < p.n; i++)
		if (strcmp(p.t[i].name, "raw") != 0 && strcmp(p.t[i].name, "mangle") != 0)
			rc = render_table(out, sp, &p, p.t[i].name, NULL);
	plan_free(&p);
	return rc;
}

int dp_rules_render_remove(const char *ifname, const char *const *keep, size_t n_keep,
			   const char *save_text, struct dbuf *out)
{
	struct owner o = {.ifname = ifname, .keep = keep, .n_keep = n_keep};
	struct plan p;
	int rc = plan_build(&p, &o, save_text);

	for (size_t i = 0; rc == 0 && i < p.n; i++) {
		struct table_plan *t = &p.t[i];

		if (!t->stale.len && !t->dels.len)
			continue;
		rc = dbuf_printf(out, "*%s\n", t->name);
		if (rc == 0)
			rc = render_stale_head(out, t);
		if (rc == 0)
			rc = render_stale_tail(out, t, NULL, NULL);
		if (rc == 0)
			rc = dbuf_printf(out, "COMMIT\n");
	}
	plan_free(&p);
	return rc;
}

/* ---- running the tools ------------------------------------------------------ */

struct tool_io {
	const char *in;  /* standard input */
	size_t in_len;
	struct dbuf *out; /* standard output (may be NULL: discarded) */
	struct dbuf err;  /* standard error */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int spawn_path(pid_t *pid, const char *cmd, char *const argv[],
		      const posix_spawn_file_actions_t *fa)
{
	static const char *const dirs[] = {"/usr/sbin/", "/sbin/", "/usr/bin/"};
	char path[256];
	int e = posix_spawnp(pid, cmd, fa, NULL, argv, environ);

	/* A daemon started with a short PATH still finds the tools. */
	for (size_t i = 0; e == ENOENT && !strchr(cmd, '/') && i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof path, "%s%s", dirs[i], cmd);
		e = posix_spawn(pid, path, fa, NULL, argv, environ);
	}
	return e;
}

/* Start argv[0] with pipes on fds 0, 1 and 2 (ours in fds[]). */
static int spawn_tool(char *const argv[], pid_t *pid, int fds[3])
{
	int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
	posix_spawn_file_actions_t fa;
	int e = 0;

	for (int i = 0; i < 3 && e == 0; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0)
			e = errno;
	if (e == 0)
		e = posix_spawn_file_actions_init(&fa);
	if (e == 0) {
		posix_spawn_file_actions_adddup2(&fa, p[0][0], 0);
		posix_spawn_file_actions_adddup2(&fa, p[1][1], 1);
		posix_spawn_file_actions_adddup2(&fa, p[2][1], 2);
		e = spawn_path(pid, argv[0], argv, &fa);
		posix_spawn_file_actions_destroy(&fa);
	}
	close_fd(&p[0][0]);
	close_fd(&p[1][1]);
	close_fd(&p[2][1]);
	fds[0] = p[0][1];
	fds[1] = p[1][0];
	fds[2] = p[2][0];
	if (e != 0) {
		for (int i = 0; i < 3; i++)
			close_fd(&fds[i]);
		errno = e;
		return ERR_IO;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is there from fd into d (NULL: discard); close it at EOF. */
static void pump_read(int *fd, struct dbuf *d)
{
	char buf[4096];
	ssize_t n = read(*fd, buf, sizeof buf);

	if (n > 0) {
		if (d)
			(void)dbuf_append(d, buf, (size_t)n);
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close_fd(fd);
	}
}

static void pump_write(int *fd, struct tool_io *io, size_t *done)
{
	ssize_t n = write(*fd, io->in + *done, io->in_len - *done);

	if (n > 0)
		*done += (size_t)n;
	if ((n < 0 && errno != EINTR && errno != EAGAIN) || *done == io->in_len)
		close_fd(fd);
}

/* Feed stdin and drain stdout/stderr until both close or time runs out. */
static int pump(int fds[3], struct tool_io *io)
{
	long long deadline = now_ms() + TOOL_TIMEOUT_MS;
	size_t done = 0;

	if (io->in_len == 0)
		close_fd(&fds[0]);
	while (fds[0] >= 0 || fds[1] >= 0 || fds[2] >= 0) {
		struct pollfd pf[3] = {{fds[0], POLLOUT, 0}, {fds[1], POLLIN, 0}, {fds[2], POLLIN, 0}};
		long long left = deadline - now_ms();

		if (left <= 0)
			return ERR_TIMEOUT;
		if (poll(pf, 3, (int)left) < 0 && errno != EINTR)
			return ERR_IO;
		if (pf[0].revents)
			pump_write(&fds[0], io, &done);
		if (pf[1].revents)
			pump_read(&fds[1], io->out);
		if (pf[2].revents)
			pump_read(&fds[2], &io->err);
	}
	return 0;
}

static void set_err(struct dp_rules_ctx *ctx, const char *what, const char *detail)
{
	snprintf(ctx->err, sizeof ctx->err, "%s: %s", what, detail);
	for (char *c = ctx->err; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

/* Run argv with io; 0 when it exited with status 0. SIGPIPE (the tool died
 * before reading its input) is blocked for this thread and consumed. */
static int run_tool(struct dp_rules_ctx *ctx, char *const argv[], struct tool_io *io)
{
	sigset_t pipe_set, old;
	int fds[3], rc, st = 0;
	pid_t pid;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	rc = spawn_tool(argv, &pid, fds);
	if (rc < 0) {
		set_err(ctx, argv[0], strerror(errno));
		goto out;
	}
	rc = pump(fds, io);
	for (int i = 0; i < 3; i++)
		close_fd(&fds[i]);
	if (rc < 0)
		kill(pid, SIGKILL); /* our own child, by PID */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		rc = ERR_IO;
	if (rc < 0)
		set_err(ctx, argv[0], io->err.len ? dbuf_str(&io->err)
				      : rc == ERR_TIMEOUT ? "timed out" : "failed");
out: {
	struct timespec zero = {0, 0};

	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
	return rc < 0 ? ERR_IO : 0;
}

static int save_rules(struct dp_rules_ctx *ctx, struct dbuf *out)
{
	char *argv[] = {(char *)(ctx->save_cmd ? ctx->save_cmd : "iptables-save"), NULL};
	struct tool_io io = {.out = out};
	int rc = run_tool(ctx, argv, &io);

	dbuf_free(&io.err);
	if (rc == 0 && dbuf_putc(out, '\0') == 0)
		out->len--; /* keep it a C string */
	return rc;
}

static int restore_rules(struct dp_rules_ctx *ctx, const struct dbuf *text)
{
	char wait_s[16];
	char *argv[] = {(char *)(ctx->restore_cmd ? ctx->restore_cmd : "iptables-restore"),
			(char *)"-w", wait_s, (char *)"--noflush", NULL};
	struct tool_io io = {.in = (const char *)text->p, .in_len = text->len};
	int rc;

	snprintf(wait_s, sizeof wait_s, "%d", LOCK_WAIT_SEC);
	rc = run_tool(ctx, argv, &io);
	dbuf_free(&io.err);
	return rc;
}

int dp_rules_apply(struct dp_rules_ctx *ctx, const struct dp_rules_spec *spec)
{
	struct dbuf save = DBUF_INIT, text = DBUF_INIT;
	int rc;

	ctx->err[0] = '\0';
	if (!spec_ok(spec)) {
		set_err(ctx, "rules", "invalid specification");
		return ERR_INVAL;
	}
	rc = save_rules(ctx, &save);
	if (rc == 0)
		rc = dp_rules_render(spec, dbuf_str(&save), &text);
	if (rc == 0)
		rc = restore_rules(ctx, &text);
	else if (!ctx->err[0])
		set_err(ctx, "rules", err_name(rc));
	dbuf_free(&save);
	dbuf_free(&text);
	return rc;
}

static int remove_common(struct dp_rules_ctx *ctx, const char *ifname, const char *const *keep,
			 size_t n_keep)
{
	struct dbuf save = DBUF_INIT, text = DBUF_INIT;
	int rc;

	ctx->err[0] = '\0';
	rc = save_rules(ctx, &save);
	if (rc == 0)
		rc = dp_rules_render_remove(ifname, keep, n_keep, dbuf_str(&save), &text);
	if (rc == 0 && text.len)
		rc = restore_rules(ctx, &text);
	dbuf_free(&save);
	dbuf_free(&text);
	return rc;
}

int dp_rules_remove(struct dp_rules_ctx *ctx, const char *ifname)
{
	if (!dp_rules_ifname_ok(ifname))
		return ERR_INVAL;
	return remove_common(ctx, ifname, NULL, 0);
}

int dp_rules_purge(struct dp_rules_ctx *ctx, const char *const *keep, size_t n_keep)
{
	return remove_common(ctx, NULL, keep, n_keep);
}

int dp_rules_present(struct dp_rules_ctx *ctx, const char *ifname, bool *present)
{
	struct dbuf save = DBUF_INIT, text = DBUF_INIT;
	int rc;

	ctx->err[0] = '\0';
	rc = save_rules(ctx, &save);
	if (rc == 0)
		rc = dp_rules_render_remove(ifname, NULL, 0, dbuf_str(&save), &text);
	*present = rc == 0 && text.len > 0;
	dbuf_free(&save);
	dbuf_free(&text);
	return rc;
}
