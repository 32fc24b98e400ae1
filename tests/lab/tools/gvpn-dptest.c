/*
 * gvpn-dptest: the real data-plane runtime (dp/runtime.h) on one interface
 * of the network namespace it runs in, with one static group SA from the
 * command line instead of GDOI. For lab tests and experiments before (and
 * besides) the daemon.
 *
 *   gvpn-dptest --if eth0 --spi 0x1000 --transform gcm128 \
 *       --key 00112233445566778899aabbccddeeff01020304 --sid 1 \
 *       --acl 'deny icmp any any' \
 *       --acl 'permit ip 192.168.0.0/16 192.168.0.0/16' --stats /run/x.stats
 *
 * Signals: SIGUSR1 writes the counters (to --stats FILE, replaced
 * atomically, or to stdout); SIGTERM/SIGINT stop cleanly (fail-open: no rule
 * stays; fail-close: the encap chain stays with DROP) and write them once
 * more. SIGKILL is the crash case. `--purge` removes every gvpn chain of
 * the namespace and exits.
 *
 * Exit status: 0 after a clean stop, 1 on a runtime error, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "crypto/rng.h"
#include "diag/log.h"
#include "dp/acl.h"
#include "dp/rules.h"
#include "dp/runtime.h"
#include "dp/sad.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/mem.h"

enum { MAX_ACL = 64, KEY_MAX = 64 };

struct opts {
	struct dp_runtime_cfg rt;
	struct dp_sad_sa_params sa;
	uint8_t enc_key[KEY_MAX], auth_key[KEY_MAX];
	struct dp_acl_entry acl[MAX_ACL], local[MAX_ACL];
	size_t nacl, nlocal;
	const char *stats;
	bool no_policy, purge;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: gvpn-dptest --if IF --spi N --transform T --key HEX [options]\n"
		"       gvpn-dptest --purge\n"
		"  --transform gcm128|gcm192|gcm256|aes128|aes192|aes256|3des|null"
		"[-sha1|-sha256]\n"
		"  --key HEX          cipher key (GCM: key + 4-byte salt)\n"
		"  --auth-key HEX     HMAC key (CBC and NULL transforms)\n"
		"  --sid N            GCM sender ID (distinct per member), --sid-bits B (8)\n"
		"  --replay none|tbar:SEC|counter:N   (default tbar:100)\n"
		"  --acl 'permit|deny PROTO SRC [PORTS] DST [PORTS]'  (repeat; in order)\n"
		"  --local-deny 'deny ...'   crypto map match address entries (repeat)\n"
		"  --queues N  --queue-base N  --fail-close  --df copy|clear|set  --mss N\n"
		"  --no-kernel-acl  --no-policy (never publish: before registration)\n"
		"  --stats FILE       where SIGUSR1 and the stop write the counters\n"
		"addresses: any | host A | A/LEN | A WILDCARD; ports: eq|neq|lt|gt P, range A B\n");
	exit(2);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "gvpn-dptest: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static unsigned long number(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max)
		die("bad %s '%s'", what, s);
	return v;
}

/* ---- ACL text ---- */

struct toks {
	char *t[16];
	int n, i;
	char buf[256];
};

static const char *next(struct toks *k)
{
	return k->i < k->n ? k->t[k->i++] : NULL;
}

static const char *peek(const struct toks *k)
{
	return k->i < k->n ? k->t[k->i] : NULL;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		die("bad address '%s'", s ? s : "");
	return ntohl(a.s_addr);
}

/* any | host A | A/LEN | A WILDCARD */
static void parse_addr(struct toks *k, uint32_t *addr, uint32_t *wild)
{
	const char *s = next(k);
	char a[64];
	const char *slash;

	if (!s)
		die("address missing");
	if (strcmp(s, "any") == 0) {
		*addr = 0;
		*wild = 0xffffffffu;
	} else if (strcmp(s, "host") == 0) {
		*addr = ip4(next(k));
		*wild = 0;
	} else if ((slash = strchr(s, '/'))) {
		unsigned long len = number(slash + 1, 32, "prefix length");

		snprintf(a, sizeof a, "%.*s", (int)(slash - s), s);
		*addr = ip4(a);
		*wild = len == 0 ? 0xffffffffu : (len == 32 ? 0 : 0xffffffffu >> len);
	} else {
		*addr = ip4(s);
		*wild = ip4(next(k));
	}
}

static void parse_ports(struct toks *k, struct dp_acl_ports *p)
{
	static const struct {
		const char *kw;
		enum dp_acl_port_op op;
	} ops[] = {{"eq", DP_ACL_PORT_EQ}, {"neq", DP_ACL_PORT_NEQ}, {"lt", DP_ACL_PORT_LT},
		   {"gt", DP_ACL_PORT_GT}, {"range", DP_ACL_PORT_RANGE}};
	const char *s = peek(k);

	p->op = DP_ACL_PORT_ANY;
	for (size_t i = 0; s && i < ARRAY_SIZE(ops); i++) {
		if (strcmp(s, ops[i].kw) != 0)
			continue;
		next(k);
		p->op = ops[i].op;
		p->a = (uint16_t)number(next(k) ? k->t[k->i - 1] : "", 65535, "port");
		if (p->op == DP_ACL_PORT_RANGE)
			p->b = (uint16_t)number(next(k) ? k->t[k->i - 1] : "", 65535, "port");
		return;
	}
}

static uint8_t parse_proto(const char *s)
{
	static const struct {
		const char *kw;
		uint8_t proto;
	} names[] = {{"ip", 0}, {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"gre", 47},
		     {"esp", 50}, {"eigrp", 88}, {"ospf", 89}, {"sctp", 132}};

	for (size_t i = 0; s && i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i].kw) == 0)
			return names[i].proto;
	return (uint8_t)number(s ? s : "", 255, "protocol");
}

static void parse_acl(const char *text, uint32_t seq, struct dp_acl_entry *e)
{
	struct toks k = {0};
	const char *act;
	char *save = NULL;

	snprintf(k.buf, sizeof k.buf, "%s", text);
	for (char *t = strtok_r(k.buf, " \t", &save); t && k.n < 16;
	     t = strtok_r(NULL, " \t", &save))
		k.t[k.n++] = t;
	memset(e, 0, sizeof *e);
	e->seq = seq;
	act = next(&k);
	if (!act || (strcmp(act, "permit") && strcmp(act, "deny")))
		die("ACL entry must start with permit or deny: '%s'", text);
	e->action = act[0] == 'p' ? DP_ACL_PERMIT : DP_ACL_DENY;
	e->proto = parse_proto(next(&k));
	parse_addr(&k, &e->src, &e->src_wild);
	parse_ports(&k, &e->sport);
	parse_addr(&k, &e->dst, &e->dst_wild);
	parse_ports(&k, &e->dport);
	if (peek(&k))
		die("trailing '%s' in ACL entry '%s'", peek(&k), text);
}

/* ---- transform and keys ---- */

static void parse_transform(const char *s, struct dp_esp_xform *xf)
{
	static const struct {
		const char *kw;
		enum dp_esp_encr encr;
		uint16_t bits;
	} encr[] = {{"gcm128", DP_ESP_ENCR_AES_GCM, 128}, {"gcm192", DP_ESP_ENCR_AES_GCM, 192},
		    {"gcm256", DP_ESP_ENCR_AES_GCM, 256}, {"aes128", DP_ESP_ENCR_AES_CBC, 128},
		    {"aes192", DP_ESP_ENCR_AES_CBC, 192}, {"aes256", DP_ESP_ENCR_AES_CBC, 256},
		    {"3des", DP_ESP_ENCR_3DES_CBC, 192}, {"null", DP_ESP_ENCR_NULL, 0}};
	const char *dash = strchr(s, '-');
	size_t len = dash ? (size_t)(dash - s) : strlen(s);

	memset(xf, 0, sizeof *xf);
	for (size_t i = 0; i < ARRAY_SIZE(encr); i++)
		if (strlen(encr[i].kw) == len && strncmp(s, encr[i].kw, len) == 0) {
			xf->encr = encr[i].encr;
			xf->key_bits = encr[i].bits;
		}
	if (!xf->encr)
		die("unknown transform '%s'", s);
	if (dash && strcmp(dash, "-sha1") == 0)
		xf->auth = DP_ESP_AUTH_SHA1_96;
	else if (dash && strcmp(dash, "-sha256") == 0)
		xf->auth = DP_ESP_AUTH_SHA256_128;
	else if (dash)
		die("unknown integrity '%s'", dash + 1);
	if (dp_esp_xform_check(xf, false) < 0)
		die("transform '%s' is not allowed", s);
}

static size_t parse_key(const char *s, uint8_t *out)
{
	int n = hex_decode(s, out, KEY_MAX);

	if (n <= 0)
		die("bad hex key");
	return (size_t)n;
}

static void parse_replay(const char *s, struct dp_sad_sa_params *sa)
{
	if (strcmp(s, "none") == 0) {
		sa->replay = DP_SAD_REPLAY_NONE;
	} else if (strncmp(s, "tbar:", 5) == 0) {
		sa->replay = DP_SAD_REPLAY_TBAR;
		sa->replay_window = (uint32_t)number(s + 5, 100, "TBAR window");
	} else if (strncmp(s, "counter:", 8) == 0) {
		sa->replay = DP_SAD_REPLAY_COUNTER;
		sa->replay_window = (uint32_t)number(s + 8, 1024, "counter window");
	} else {
		die("bad --replay '%s'", s);
	}
}

static enum dp_esp_df parse_df(const char *s)
{
	if (strcmp(s, "copy") == 0)
		return DP_ESP_DF_COPY;
	if (strcmp(s, "clear") == 0)
		return DP_ESP_DF_CLEAR;
	if (strcmp(s, "set") == 0)
		return DP_ESP_DF_SET;
	die("bad --df '%s'", s);
}

/* ---- options ---- */

static void parse_opt(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'i': o->rt.ifname = arg; break;
	case 'q': o->rt.nqueues = (unsigned)number(arg, DP_WORKER_MAX, "--queues"); break;
	case 'b': o->rt.queue_base = (uint16_t)number(arg, 65535, "--queue-base"); break;
	case 'f': o->rt.fail_close = true; break;
	case 'd': o->rt.df = parse_df(arg); break;
	case 'm': o->rt.adjust_mss = (uint16_t)number(arg, 65535, "--mss"); break;
	case 'K': o->rt.no_kernel_acl = true; break;
	case 's': o->sa.spi = (uint32_t)number(arg, UINT32_MAX, "--spi"); break;
	case 't': parse_transform(arg, &o->sa.xf); break;
	case 'k': o->sa.enc_key_len = parse_key(arg, o->enc_key); break;
	case 'a': o->sa.auth_key_len = parse_key(arg, o->auth_key); break;
	case 'I': o->sa.sid = (uint32_t)number(arg, UINT32_MAX, "--sid"); break;
	case 'B': o->sa.sid_bits = (uint8_t)number(arg, 32, "--sid-bits"); break;
	case 'r': parse_replay(arg, &o->sa); break;
	case 'A':
		if (o->nacl == MAX_ACL)
			die("too many --acl");
		parse_acl(arg, (uint32_t)(o->nacl + 1) * 10, &o->acl[o->nacl]);
		o->nacl++;
		break;
	case 'L':
		if (o->nlocal == MAX_ACL)
			die("too many --local-deny");
		parse_acl(arg, (uint32_t)(o->nlocal + 1) * 10, &o->local[o->nlocal]);
		o->nlocal++;
		break;
	case 'S': o->stats = arg; break;
	case 'N': o->no_policy = true; break;
	case 'P': o->purge = true; break;
	default: usage();
	}
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{"if", 1, NULL, 'i'},         {"queues", 1, NULL, 'q'},
		{"queue-base", 1, NULL, 'b'}, {"fail-close", 0, NULL, 'f'},
		{"df", 1, NULL, 'd'},         {"mss", 1, NULL, 'm'},
		{"no-kernel-acl", 0, NULL, 'K'}, {"spi", 1, NULL, 's'},
		{"transform", 1, NULL, 't'},  {"key", 1, NULL, 'k'},
		{"auth-key", 1, NULL, 'a'},   {"sid", 1, NULL, 'I'},
		{"sid-bits", 1, NULL, 'B'},   {"replay", 1, NULL, 'r'},
		{"acl", 1, NULL, 'A'},        {"local-deny", 1, NULL, 'L'},
		{"stats", 1, NULL, 'S'},      {"no-policy", 0, NULL, 'N'},
		{"purge", 0, NULL, 'P'},      {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof *o);
	o->sa.sid_bits = 8;
	o->sa.replay = DP_SAD_REPLAY_TBAR;
	o->sa.replay_window = 100;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		parse_opt(o, c, optarg);
	if (optind != argc)
		usage();
	if (o->purge)
		return;
	if (!o->rt.ifname || !o->sa.spi || !o->sa.xf.encr || !o->sa.enc_key_len)
		usage();
	o->sa.enc_key = o->enc_key;
	o->sa.auth_key = o->auth_key;
	o->sa.tek_tag = 1;
	o->sa.lifetime_sec = 86400;
	o->sa.expire_ns = CLOCK_NEVER;
	o->sa.group = "dptest";
	for (size_t i = 0; i < o->nacl; i++)
		o->acl[i].tek_tag = 1;
	if (o->sa.xf.encr != DP_ESP_ENCR_AES_GCM)
		o->sa.sid_bits = 0;
}

/* ---- counters ---- */

static void write_stats(FILE *f, struct dp_runtime *rt, const struct dp_sad_sa *sa)
{
	struct dp_runtime_stats st;
	struct dp_sad_sa_totals t;

	dp_runtime_stats(rt, &st);
	for (int i = 0; i < DP_CTR_COUNT; i++)
		fprintf(f, "ctr.%s %" PRIu64 "\n", dp_counters_ctr_name(i), st.dp.ctr[i]);
	for (int i = 1; i < DP_DROP_COUNT; i++)
		fprintf(f, "drop.%s %" PRIu64 "\n", dp_counters_drop_name(i), st.dp.drop[i]);
	fprintf(f, "drops %" PRIu64 "\n", st.dp.drops);
	for (int i = 0; i < DP_WSTAT_COUNT; i++)
		fprintf(f, "io.%s %" PRIu64 "\n", dp_worker_stat_name(i), st.io[i]);
	for (unsigned i = 0; i < st.nqueues; i++)
		fprintf(f, "queue.%u %s queued %u queue_dropped %u user_dropped %u\n",
			st.queue[i].queue, st.queue_bound[i] ? "bound" : "unbound", st.queue[i].queued,
			st.queue[i].queue_dropped, st.queue[i].user_dropped);
	fprintf(f, "nfq.queue_dropped %" PRIu64 "\nnfq.user_dropped %" PRIu64 "\n",
		st.queue_dropped, st.user_dropped);
	fprintf(f, "mtu %u\nregistered %d\nsnapshots %" PRIu64 "\nrules_applied %" PRIu64 "\n",
		st.mtu, st.registered, st.snapshots, st.rules_applied);
	if (sa) {
		dp_sad_sa_totals(sa, &t);
		fprintf(f, "sa.out_pkts %" PRIu64 "\nsa.in_pkts %" PRIu64 "\nsa.in_auth_fail %" PRIu64
			   "\nsa.in_replay %" PRIu64 "\n",
			t.out_pkts, t.in_pkts, t.in_auth_fail, t.in_replay);
	}
}

/* To --stats FILE through a temporary file and rename: a reader polling the
 * file never sees half of it. */
static void dump_stats(const char *path, struct dp_runtime *rt, const struct dp_sad_sa *sa)
{
	char tmp[4096];
	FILE *f;

	if (!path) {
		write_stats(stdout, rt, sa);
		fflush(stdout);
		return;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "gvpn-dptest: %s: %s\n", tmp, strerror(errno));
		return;
	}
	write_stats(f, rt, sa);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		fprintf(stderr, "gvpn-dptest: %s: %s\n", path, strerror(errno));
}

/* ---- logging ---- */

static void on_log(void *arg, int severity, const char *msg)
{
	(void)arg;
	fprintf(stderr, "<%d> %s\n", severity, msg);
}

static void on_diag(void *arg, const struct diag_record *rec)
{
	(void)arg;
	fprintf(stderr, "%.*s\n", (int)rec->line_len, rec->line);
}

/* ---- main ---- */

static int purge(void)
{
	struct dp_rules_ctx ctx = {0};

	if (dp_rules_purge(&ctx, NULL, 0) < 0) {
		fprintf(stderr, "gvpn-dptest: purge: %s\n", ctx.err);
		return 1;
	}
	return 0;
}

/* The static SA and the policy: what a registration would install. */
static int install_policy(struct opts *o, struct dp_runtime *rt, struct dp_sad_sa **sa)
{
	struct dp_acl *acl = NULL;
	struct dp_sad_group_desc g = {.name = "dptest"};
	int rc;

	rc = dp_sad_sa_create(dp_runtime_sad(rt), &o->sa, crypto_rng_system(), sa);
	mem_wipe(o->enc_key, sizeof o->enc_key);
	mem_wipe(o->auth_key, sizeof o->auth_key);
	if (rc < 0 || o->no_policy)
		return rc;
	rc = dp_acl_create("dptest", o->acl, o->nacl, o->rt.nqueues ? o->rt.nqueues : 1, &acl);
	if (rc < 0)
		return rc;
	g.acl = acl;
	g.sas = sa;
	g.nsas = 1;
	rc = dp_runtime_publish(rt, &g, 1);
	dp_acl_unref(acl);
	return rc;
}

/* The control loop: signals (through a signalfd) and the runtime's
 * housekeeping, which runs on link events and every second. */
static int wait_loop(int sfd, struct opts *o, struct dp_runtime *rt, const struct dp_sad_sa *sa)
{
	for (;;) {
		struct pollfd pf[2] = {{sfd, POLLIN, 0}, {dp_runtime_fd(rt), POLLIN, 0}};
		struct signalfd_siginfo si;
		int n = poll(pf, 2, DP_RUNTIME_POLL_MS);

		if (n < 0 && errno != EINTR)
			return ERR_IO;
		if (n <= 0 || pf[1].revents)
			dp_runtime_poll(rt);
		if (!pf[0].revents || read(sfd, &si, sizeof si) != sizeof si)
			continue;
		if (si.ssi_signo != SIGUSR1)
			return 0;
		dump_stats(o->stats, rt, sa);
	}
}

static int run(struct opts *o, struct diag *d, int sfd)
{
	struct dp_acl *local = NULL;
	struct dp_runtime *rt;
	struct dp_sad_sa *sa = NULL;
	int rc;

	if (o->nlocal &&
	    dp_acl_create("local", o->local, o->nlocal, o->rt.nqueues ? o->rt.nqueues : 1, &local))
		die("bad --local-deny");
	o->rt.local_acl = local;
	o->rt.log = on_log;
	o->rt.diag = d;
	rc = dp_runtime_start(&o->rt, &rt);
	dp_acl_unref(local);
	if (rc < 0) {
		fprintf(stderr, "gvpn-dptest: start: %s\n", err_name(rc));
		return 1;
	}
	rc = install_policy(o, rt, &sa);
	if (rc < 0)
		fprintf(stderr, "gvpn-dptest: policy: %s\n", err_name(rc));
	fprintf(stderr, "gvpn-dptest: running on %s (pid %d)\n", o->rt.ifname, (int)getpid());
	if (rc == 0)
		rc = wait_loop(sfd, o, rt, sa);
	dump_stats(o->stats, rt, sa);
	if (dp_runtime_stop(rt) < 0)
		rc = ERR_IO;
	if (sa)
		dp_sad_sa_unref(sa); /* after stop: the runtime's snapshots are gone */
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct diag d;
	sigset_t set;
	int rc, sfd;

	parse_args(&o, argc, argv);
	if (o.purge)
		return purge();
	/* Block the signals we wait for before any thread exists. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0 || diag_init(&d, &clock_system) < 0)
		return 1;
	diag_set_hook(&d, on_diag, NULL);
	rc = run(&o, &d, sfd);
	diag_free(&d);
	close(sfd);
	return rc;
}
