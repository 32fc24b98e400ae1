/*
 * Member swarm: N GDOI group members in one process, each on its own
 * loopback address (127.1.0.1 + i, UDP 848, one socket each, all on one
 * epoll), registering (IKEv1 Main Mode + GROUPKEY-PULL) with one key server.
 *
 * The key server is, by default, the gdoi_ks engine in a forked child on its
 * own socket (127.255.0.1:848; bench/swarm_ks.c), so that it has a core of
 * its own and its memory is measured alone: heap in use (mallinfo2) and
 * VmRSS before the first registration, right after the last one, and once
 * the phase-1 handshake state has been dropped (ike1 grace; --settle). With
 * --ks-pid the key server is an external process already listening at
 * --ks-addr (gvpnd); then CPU and VmRSS come from /proc/PID and the heap
 * in use from `gdb -p PID` (mallinfo2). --serve runs only the in-process key
 * server (for an external swarm, or perf -p).
 *
 * Pacing: at most --window members register at once (a new one starts when
 * one finishes), so the key server always has work queued without being
 * buried in retransmissions. Members pay their own DH in this process; when
 * both processes share a small machine, the wall-clock rate says more about
 * the machine than about the key server, so the report adds the key server's
 * CPU time, the time it waited for a CPU, and the rate per second of
 * key-server CPU ("one key-server core").
 *
 * Timing: from the first member's first message to the last member's install
 * callback (the moment of GM_REGS_COMPL). --rekey then times one unicast
 * rekey from its start to the last member's GROUPKEY-PUSH ACK.
 *
 * docs/benchmarks.md describes the measurements and records the results.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gdoi/gm.h"
#include "swarm.h"
#include "util/clock.h"
#include "util/err.h"
#include "wire/names.h"

enum {
	MEMBERS_MAX = 60000,
	BATCH = 64,
};

#define GM_BASE 0x7f010001u /* 127.1.0.1: member i is GM_BASE + i */

/* ---- the members ---- */

struct member {
	int fd;
	uint32_t addr;
	struct gdoi_gm *gm;
	uint64_t deadline; /* as last pushed onto the heap */
	uint64_t done_ns;  /* policy installed */
	bool acked;	   /* sent its ACK of the rekey */
};

struct heap_ent {
	uint64_t at;
	uint32_t idx;
};

struct swarm {
	struct swarm_opts o;
	struct member *m;
	unsigned started, done, failed_attempts;
	uint64_t first_ns, last_ns;
	uint64_t tx_errors, rx;
	struct heap_ent *heap;
	size_t heap_n, heap_cap;
	int ep;
	struct gdoi_gm_config cfg;
	struct gdoi_gm_group_config group;
	uint32_t servers[1];
	/* The rekey phase: from the trigger to the last member's ACK. */
	bool rekeying;
	unsigned acked;
	uint64_t rekey_t0, first_push_ns, last_ack_ns;
	size_t push_len; /* bytes of the first push received (UDP payload) */
};

static void heap_push(struct swarm *s, uint64_t at, uint32_t idx)
{
	if (s->heap_n == s->heap_cap) {
		s->heap_cap = s->heap_cap ? 2 * s->heap_cap : 1024;
		s->heap = realloc(s->heap, s->heap_cap * sizeof(*s->heap));
		if (!s->heap) {
			perror("realloc");
			exit(1);
		}
	}
	size_t i = s->heap_n++;
	while (i && s->heap[(i - 1) / 2].at > at) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = (struct heap_ent){at, idx};
}

static struct heap_ent heap_pop(struct swarm *s)
{
	struct heap_ent top = s->heap[0], last = s->heap[--s->heap_n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->heap_n)
			break;
		if (c + 1 < s->heap_n && s->heap[c + 1].at < s->heap[c].at)
			c++;
		if (s->heap[c].at >= last.at)
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->heap_n)
		s->heap[i] = last;
	return top;
}

/* After a call into member i: put its next deadline on the heap if it moved. */
static void reschedule(struct swarm *s, uint32_t i)
{
	struct member *m = &s->m[i];
	uint64_t dl = gdoi_gm_next_deadline(m->gm);
	if (dl != CLOCK_NEVER && dl != m->deadline)
		heap_push(s, dl, i);
	m->deadline = dl;
}

static struct swarm *g_swarm; /* for the callbacks' member -> swarm link */

static void gm_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct member *m = ctx;
	if (!g_swarm->first_ns)
		g_swarm->first_ns = swarm_now_ns();
	/* ISAKMP header byte 18 is the exchange type. */
	if (g_swarm->rekeying && len > 18 && msg[18] == WIRE_EXCH_PUSH_ACK && !m->acked) {
		m->acked = true;
		g_swarm->acked++;
		g_swarm->last_ack_ns = swarm_now_ns();
	}
	swarm_udp_send(m->fd, peer, msg, len, &g_swarm->tx_errors);
}

static void gm_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct member *m = ctx;
	if (in->state != GDOI_GM_DP_POLICY || m->done_ns)
		return;
	m->done_ns = swarm_now_ns();
	g_swarm->last_ns = m->done_ns;
	g_swarm->done++;
}

static void gm_remove(void *ctx, const char *group, uint32_t handle)
{
	(void)ctx;
	(void)group;
	(void)handle;
}

static void gm_event(void *ctx, const struct gdoi_gm_event *ev)
{
	(void)ctx;
	g_swarm->failed_attempts += ev->type == GDOI_GM_EV_ATTEMPT_FAILED;
}

static const struct gdoi_gm_io gm_io = {
    .send = gm_send, .install = gm_install, .remove = gm_remove, .event = gm_event};

static int member_open(struct swarm *s, uint32_t i)
{
	struct member *m = &s->m[i];
	m->addr = GM_BASE + i;
	m->deadline = CLOCK_NEVER;
	m->fd = swarm_udp_bind(m->addr, s->o.gm_port, 0);
	if (m->fd < 0)
		return -1;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, m->fd, &ev);
}

static int member_start(struct swarm *s, uint32_t i, uint64_t now)
{
	struct member *m = &s->m[i];
	struct gdoi_gm_io io = gm_io;
	char err[160] = "";
	io.ctx = m;
	s->cfg.ike.local.ip4 = m->addr;
	int rc =
	    gdoi_gm_new(&s->cfg, &io, crypto_rng_system(), NULL, now, &m->gm, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "gdoi_gm_new: %s (%s)\n", err_name(rc), err);
		return -1;
	}
	s->started++;
	reschedule(s, i);
	return 0;
}

static void member_rx(struct swarm *s, uint32_t i, uint8_t *buf)
{
	struct member *m = &s->m[i];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(m->fd, buf, SWARM_MSG_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		s->rx++;
		if (s->rekeying && !s->first_push_ns && n > 18 &&
		    buf[18] == WIRE_EXCH_GROUPKEY_PUSH) {
			s->first_push_ns = swarm_now_ns();
			s->push_len = (size_t)n;
		}
		struct ike1_peer p = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
		if (m->gm)
			gdoi_gm_input(m->gm, swarm_now_ns(), &p, buf, (size_t)n);
	}
	if (m->gm)
		reschedule(s, i);
}

static void run_timers(struct swarm *s)
{
	uint64_t now = swarm_now_ns();
	while (s->heap_n && s->heap[0].at <= now) {
		struct heap_ent e = heap_pop(s);
		struct member *m = &s->m[e.idx];
		if (m->deadline != e.at) /* stale entry */
			continue;
		m->deadline = CLOCK_NEVER;
		gdoi_gm_tick(m->gm, now);
		reschedule(s, e.idx);
	}
}

static int epoll_timeout(const struct swarm *s, uint64_t stop_ns)
{
	uint64_t now = swarm_now_ns(), at = stop_ns;
	if (s->heap_n && s->heap[0].at < at)
		at = s->heap[0].at;
	if (at <= now)
		return 0;
	uint64_t ms = (at - now + NS_PER_MS - 1) / NS_PER_MS;
	return ms > 1000 ? 1000 : (int)ms;
}

/* One round of the event loop: datagrams and timers, waiting until stop at most. */
static void swarm_poll(struct swarm *s, uint64_t stop)
{
	static uint8_t buf[SWARM_MSG_MAX];
	struct epoll_event evs[BATCH];
	run_timers(s);
	int n = epoll_wait(s->ep, evs, BATCH, epoll_timeout(s, stop));
	for (int i = 0; i < n; i++)
		member_rx(s, evs[i].data.u32, buf);
	run_timers(s);
}

/* Run the swarm until every member registered or the timeout. */
static void swarm_run(struct swarm *s)
{
	uint64_t stop = swarm_now_ns() + (uint64_t)s->o.timeout_sec * NS_PER_SEC;
	while (s->done < s->o.members && swarm_now_ns() < stop) {
		uint64_t now = swarm_now_ns();
		while (s->started < s->o.members && s->started - s->done < s->o.window)
			if (member_start(s, s->started, now))
				return;
		swarm_poll(s, stop);
	}
}

/* After the trigger: serve the members until each registered one sent its ACK. */
static void swarm_rekey_wait(struct swarm *s)
{
	uint64_t stop = swarm_now_ns() + (uint64_t)s->o.rekey_timeout_sec * NS_PER_SEC;
	while (s->acked < s->done && swarm_now_ns() < stop)
		swarm_poll(s, stop);
}

/* ---- set-up and report ---- */

static int raise_nofile(unsigned need)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rlim_t want = (rlim_t)need + 64;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want) {
		fprintf(stderr,
			"need %llu file descriptors (one socket per member) but the hard limit "
			"is %llu: raise it (ulimit -Hn, or run as root with a higher "
			"/proc/sys/fs/nr_open) or use fewer members\n",
			(unsigned long long)want, (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("setrlimit(RLIMIT_NOFILE)");
		return -1;
	}
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--members N] [--group 14|19|20] [--window W] [--settle SEC]\n"
		"          [--timeout SEC] [--ks-addr 127.A.B.C] [--ks-pid PID | --serve]\n"
		"          [--gm-port PORT] [--no-gdb] [--rekey | --rekey-cmd CMD]\n"
		"  --members N    group members, each on 127.1.0.1 + i (default 1000)\n"
		"  --group G      IKE DH group of both sides (default 19)\n"
		"  --window W     members registering at once (default 200)\n"
		"  --settle SEC   wait before the settled memory sample (default 35: ike1\n"
		"                 drops handshake state 30 s after completion; 0: skip)\n"
		"  --timeout SEC  give up after (default 300)\n"
		"  --ks-addr A    key server address in 127/8 (default 127.255.0.1)\n"
		"  --ks-pid PID   the key server is this running process (e.g. gvpnd)\n"
		"  --serve        run only the in-process key server until SIGINT/SIGTERM\n"
		"  --gm-port P    the members' UDP port (default 848; another when the key\n"
		"                 server holds 0.0.0.0:848 in the same namespace, as gvpnd)\n"
		"  --no-gdb       with --ks-pid: RSS only (default: also its heap in use,\n"
		"                 read with gdb -p PID at the measuring points)\n"
		"  --rekey        then one unicast rekey: time from its start to the last\n"
		"                 member's ACK (own key server: gdoi_ks_rekey_now)\n"
		"  --rekey-cmd C  with --ks-pid: the shell command that starts the rekey\n"
		"  --rekey-timeout SEC  wait for the ACKs (default 60)\n"
		"  --rekey-pace N  own key server: unicast pushes per second (default: the\n"
		"                 engine's, 20000)\n",
		prog);
}

static int parse(int argc, char **argv, struct swarm_opts *o)
{
	static const struct option lo[] = {
	    {"members", 1, NULL, 'n'},	  {"group", 1, NULL, 'g'},
	    {"window", 1, NULL, 'w'},	  {"settle", 1, NULL, 's'},
	    {"timeout", 1, NULL, 't'},	  {"ks-addr", 1, NULL, 'k'},
	    {"ks-pid", 1, NULL, 'p'},	  {"gm-port", 1, NULL, 'P'},
	    {"no-gdb", 0, NULL, 'G'},	  {"rekey", 0, NULL, 'r'},
	    {"rekey-cmd", 1, NULL, 'R'},  {"rekey-timeout", 1, NULL, 'T'},
	    {"rekey-pace", 1, NULL, 'A'}, {"serve", 0, NULL, 'S'},
	    {"help", 0, NULL, 'h'},	  {0, 0, 0, 0}};
	*o = (struct swarm_opts){.members = 1000,
				 .window = 200,
				 .settle_sec = 35,
				 .timeout_sec = 300,
				 .group = 19,
				 .ks_addr = SWARM_KS_DFLT,
				 .gm_port = SWARM_PORT,
				 .rekey_timeout_sec = 60};
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		struct in_addr a;
		switch (c) {
		case 'n':
			o->members = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'g':
			o->group = (uint8_t)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			o->window = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's':
			o->settle_sec = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o->timeout_sec = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			if (inet_pton(AF_INET, optarg, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
				fprintf(stderr, "--ks-addr: an address in 127.0.0.0/8\n");
				return -1;
			}
			o->ks_addr = ntohl(a.s_addr);
			break;
		case 'p':
			o->ks_pid = (pid_t)strtol(optarg, NULL, 10);
			break;
		case 'S':
			o->serve = true;
			break;
		case 'P':
			o->gm_port = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'G':
			o->no_gdb = true;
			break;
		case 'r':
			o->rekey = true;
			break;
		case 'R':
			o->rekey = true;
			o->rekey_cmd = optarg;
			break;
		case 'T':
			o->rekey_timeout_sec = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'A':
			o->rekey_pace = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (o->members < 1 || o->members > MEMBERS_MAX || o->window < 1 ||
	    (o->group != 14 && o->group != 19 && o->group != 20) || optind != argc ||
	    (o->serve && o->ks_pid) || o->ks_pid < 0 || !o->gm_port ||
	    (o->rekey && o->ks_pid && !o->rekey_cmd) || (o->rekey_cmd && !o->ks_pid)) {
		usage(argv[0]);
		return -1;
	}
	if (o->ks_addr >= GM_BASE && o->ks_addr < GM_BASE + o->members) {
		fprintf(stderr, "--ks-addr is one of the members' addresses\n");
		return -1;
	}
	return 0;
}

/* The key server at the three measuring points; ks valid for our own child only. */
struct ks_view {
	pid_t pid;
	bool own;
	/* before, right after, settled, before the rekey, after the last ACK */
	struct swarm_proc proc[5];
	struct swarm_ks_sample ks[5];
	bool heap_known; /* ks[].heap_bytes: our child, or gdb could read the external one's */
	bool settled;
};

static double per_member(double before, double after, unsigned n)
{
	return (after - before) / n;
}

static void print_report(const struct swarm *s, const struct ks_view *v,
			 const struct swarm_proc *sw0, const struct swarm_proc *sw1)
{
	const struct swarm_opts *o = &s->o;
	double wall = s->last_ns > s->first_ns ? (double)(s->last_ns - s->first_ns) / 1e9 : 0;
	double ks_cpu = v->proc[1].cpu_sec - v->proc[0].cpu_sec;
	double ks_wait = v->proc[1].runq_wait_sec - v->proc[0].runq_wait_sec;
	double sw_cpu = sw1->cpu_sec - sw0->cpu_sec;
	double sw_wait = sw1->runq_wait_sec - sw0->runq_wait_sec;
	unsigned n = s->done;
	char a[INET_ADDRSTRLEN];
	if (v->own)
		printf(
		    "key server: gdoi_ks engine in a forked child (pid %d) at %s:%d, not gvpnd\n",
		    (int)v->pid, swarm_ip4(o->ks_addr, a), SWARM_PORT);
	else
		printf("key server: external process %d at %s:%d\n", (int)v->pid,
		       swarm_ip4(o->ks_addr, a), SWARM_PORT);
	printf("members: %u of %u registered, DH group %u, window %u, %u failed attempts, "
	       "%llu send errors\n",
	       n, o->members, o->group, o->window, s->failed_attempts,
	       (unsigned long long)(s->tx_errors + (v->own ? v->ks[1].tx_errors : 0)));
	if (!n || wall <= 0)
		return;
	double rate_core = ks_cpu > 0 ? n / ks_cpu : 0;
	printf("time: %.3f s from the first phase-1 message to the last install\n", wall);
	printf("registrations/s, wall clock:               %6.0f\n", n / wall);
	printf("registrations/s per key-server CPU second: %6.0f  (KS CPU %.3f s = %.0f%% of the "
	       "run; %.0f us per registration)\n",
	       rate_core, ks_cpu, 100 * ks_cpu / wall, 1e6 * ks_cpu / n);
	printf("waiting for a CPU (run queue): KS %.3f s, swarm %.3f s; swarm CPU %.3f s "
	       "(%.0f us per member, its DH included), swarm RSS %ld MiB\n",
	       ks_wait, sw_wait, sw_cpu, 1e6 * sw_cpu / n, sw1->rss_kib / 1024);
	if (v->own) {
		const struct swarm_ks_sample *k0 = &v->ks[0], *k1 = &v->ks[1];
		printf("KS ike1: %llu DH, %llu retransmitted requests answered from cache, %llu "
		       "dropped at limits\n",
		       (unsigned long long)(k1->ike.dh_computed - k0->ike.dh_computed),
		       (unsigned long long)(k1->ike.dup_answered - k0->ike.dup_answered),
		       (unsigned long long)(k1->ike.drop_limit - k0->ike.drop_limit));
	}
	printf("KS memory per member, right after the last registration: ");
	if (v->heap_known)
		printf("heap %.0f B, ",
		       per_member((double)v->ks[0].heap_bytes, (double)v->ks[1].heap_bytes, n));
	printf("RSS %.0f B\n",
	       per_member((double)v->proc[0].rss_kib, (double)v->proc[1].rss_kib, n) * 1024);
	if (v->own)
		printf("  engine view: %zu SAs %zu B (%zu with handshake state), chains %zu B, "
		       "member records %zu B\n",
		       v->ks[1].mem.sas, v->ks[1].mem.sa_bytes, v->ks[1].mem.sas_handshake,
		       v->ks[1].mem.chain_bytes, v->ks[1].mem.members * v->ks[1].mem.member_bytes);
	double mem = 0;
	const char *mem_what = "RSS";
	if (v->settled) {
		printf("KS memory per member, %u s later: ", o->settle_sec);
		if (v->heap_known)
			printf("heap %.0f B, ", per_member((double)v->ks[0].heap_bytes,
							   (double)v->ks[2].heap_bytes, n));
		printf("RSS %.0f B\n",
		       per_member((double)v->proc[0].rss_kib, (double)v->proc[2].rss_kib, n) *
			   1024);
		if (v->own)
			printf("  engine view: %zu SAs %zu B (%zu with handshake state), chains "
			       "%zu B, member records %zu B\n",
			       v->ks[2].mem.sas, v->ks[2].mem.sa_bytes, v->ks[2].mem.sas_handshake,
			       v->ks[2].mem.chain_bytes,
			       v->ks[2].mem.members * v->ks[2].mem.member_bytes);
	}
	int at = v->settled ? 2 : 1;
	if (v->heap_known) {
		mem = per_member((double)v->ks[0].heap_bytes, (double)v->ks[at].heap_bytes, n);
		mem_what = "heap";
	} else {
		mem = per_member((double)v->proc[0].rss_kib, (double)v->proc[at].rss_kib, n) * 1024;
	}
	printf("targets: ");
	if (o->group == 19)
		printf(">= 500 registrations/s on one KS core: %.0f, %s; ", rate_core,
		       rate_core >= 500 ? "met" : "MISSED");
	printf("< 4096 B of KS memory per member: %.0f B (%s, %u s after the last registration), "
	       "%s\n",
	       mem, mem_what, v->settled ? o->settle_sec : 0, mem < 4096 ? "met" : "MISSED");
}

/* Start the rekey: our child's gdoi_ks_rekey_now, or the external command. */
static int rekey_start(const struct swarm *s, const struct ks_view *v, int cmd_fd, int res_fd)
{
	if (v->own) {
		int32_t r;
		if (swarm_write_all(cmd_fd, "r", 1) || swarm_read_all(res_fd, &r, sizeof(r)))
			return -1;
		if (r < 0)
			fprintf(stderr, "the key server cannot rekey: %s\n", err_name(r));
		return r < 0 ? -1 : 0;
	}
	int st = system(s->o.rekey_cmd);
	if (st != 0)
		fprintf(stderr, "rekey command failed (status %d): %s\n", st, s->o.rekey_cmd);
	return st != 0 ? -1 : 0;
}

static void print_rekey(const struct swarm *s, const struct ks_view *v,
			const struct swarm_proc *sw0, const struct swarm_proc *sw1)
{
	unsigned n = s->done;
	double t = s->acked ? (double)(s->last_ack_ns - s->rekey_t0) / 1e9 : 0;
	double ks_cpu = v->proc[4].cpu_sec - v->proc[3].cpu_sec;
	printf("rekey: %u of %u members acknowledged", s->acked, n);
	if (s->acked)
		printf(", the last %.3f s after the start (first push received after %.1f ms, "
		       "%zu bytes)",
		       t, s->first_push_ns ? (double)(s->first_push_ns - s->rekey_t0) / 1e6 : -1.0,
		       s->push_len);
	printf("\nrekey: KS CPU %.3f s (%.0f us per member), waited for a CPU %.3f s; swarm CPU "
	       "%.3f s (%.0f us per member), waited %.3f s\n",
	       ks_cpu, n ? 1e6 * ks_cpu / n : 0.0,
	       v->proc[4].runq_wait_sec - v->proc[3].runq_wait_sec, sw1->cpu_sec - sw0->cpu_sec,
	       n ? 1e6 * (sw1->cpu_sec - sw0->cpu_sec) / n : 0.0,
	       sw1->runq_wait_sec - sw0->runq_wait_sec);
	if (v->own)
		printf("rekey: the key server counted %llu ACKs, %llu retransmission rounds, "
		       "%llu ms start to last ACK\n",
		       (unsigned long long)(v->ks[4].rekey_acks - v->ks[3].rekey_acks),
		       (unsigned long long)(v->ks[4].rekeys_retransmitted -
					    v->ks[3].rekeys_retransmitted),
		       (unsigned long long)v->ks[4].last_rekey_ms);
	if (n == 10000)
		printf("targets: 10,000 members acknowledged in < 2 s: %.3f s, %s\n", t,
		       s->acked == n && t < 2 ? "met" : "MISSED");
	else
		printf("targets: (the rekey target, < 2 s, is for 10,000 members)\n");
}

static int ks_ask(int cmd_fd, int res_fd, struct swarm_ks_sample *s)
{
	return swarm_write_all(cmd_fd, "s", 1) || swarm_read_all(res_fd, s, sizeof(*s)) ? -1 : 0;
}

/*
 * Sample point i of the key server: /proc, plus its own view for our child,
 * or the heap in use through gdb for an external one (when gdb can). Our
 * child's baseline comes unasked (cmd_fd -1).
 */
static int ks_point(struct ks_view *v, int i, int cmd_fd, int res_fd)
{
	if (v->own && cmd_fd >= 0 && ks_ask(cmd_fd, res_fd, &v->ks[i]))
		return -1;
	if (!v->own && v->heap_known && swarm_gdb_heap(v->pid, &v->ks[i].heap_bytes)) {
		fprintf(stderr, "gdb could not read the key server's heap: RSS only\n");
		v->heap_known = false;
	}
	return swarm_proc_sample(v->pid, &v->proc[i]);
}

/* One unicast rekey to the registered members, measured from its start to the last ACK. */
static int rekey_phase(struct swarm *s, struct ks_view *v, int cmd_fd, int res_fd)
{
	struct swarm_proc sw0, sw1;
	if (ks_point(v, 3, cmd_fd, res_fd))
		return -1;
	swarm_proc_sample(getpid(), &sw0);
	s->rekeying = true;
	s->rekey_t0 = swarm_now_ns();
	if (rekey_start(s, v, cmd_fd, res_fd))
		return -1;
	swarm_rekey_wait(s);
	swarm_proc_sample(getpid(), &sw1);
	if (ks_point(v, 4, cmd_fd, res_fd))
		return -1;
	print_rekey(s, v, &sw0, &sw1);
	return 0;
}

static void gm_config(struct swarm *s)
{
	s->servers[0] = s->o.ks_addr;
	s->group = (struct gdoi_gm_group_config){
	    .name = "G1", .id = {GDOI_ID_NUMBER, 3333}, .servers = s->servers, .n_servers = 1};
	swarm_ike_config(&s->cfg.ike, 0, s->o.gm_port, s->o.group);
	s->cfg.psk = swarm_psk;
	s->cfg.caps = GDOI_CAPS_ALL;
	s->cfg.groups = &s->group;
	s->cfg.n_groups = 1;
}

int main(int argc, char **argv)
{
	static struct swarm sw;
	struct swarm *s = &sw;
	struct ks_view v = {.pid = 0};
	int cmd[2] = {-1, -1}, res[2] = {-1, -1};
	if (parse(argc, argv, &s->o))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	if (s->o.serve)
		return swarm_ks_main(&s->o, -1, -1);
	if (raise_nofile(s->o.members + 16))
		return 1;

	/* Our key server first, before this process touches OpenSSL. */
	v.own = s->o.ks_pid == 0;
	v.pid = s->o.ks_pid;
	if (v.own) {
		if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
			perror("pipe");
			return 1;
		}
		fflush(stdout);
		v.pid = fork();
		if (v.pid < 0) {
			perror("fork");
			return 1;
		}
		if (v.pid == 0) {
			close(cmd[1]);
			close(res[0]);
			_exit(swarm_ks_main(&s->o, cmd[0], res[1]));
		}
		close(cmd[0]);
		close(res[1]);
	}

	int rc = 1;
	s->m = calloc(s->o.members, sizeof(*s->m));
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!s->m || s->ep < 0)
		goto out;
	for (uint32_t i = 0; i < s->o.members; i++)
		if (member_open(s, i))
			goto out;
	gm_config(s);
	g_swarm = s;
	if (v.own && swarm_read_all(res[0], &v.ks[0], sizeof(v.ks[0]))) {
		fprintf(stderr, "the key server did not start\n");
		goto out;
	}
	v.heap_known = v.own || !s->o.no_gdb;
	if (ks_point(&v, 0, -1, -1)) {
		fprintf(stderr, "key server process %d: not found in /proc\n", (int)v.pid);
		goto out;
	}

	struct swarm_proc sw0, sw1;
	swarm_proc_sample(getpid(), &sw0);
	swarm_run(s);
	swarm_proc_sample(getpid(), &sw1);
	if (ks_point(&v, 1, cmd[1], res[0]))
		goto out;
	if (s->o.settle_sec && s->done) {
		struct timespec ts = {(time_t)s->o.settle_sec, 0};
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		v.settled = ks_point(&v, 2, cmd[1], res[0]) == 0;
	}
	print_report(s, &v, &sw0, &sw1);
	if (s->o.rekey && s->done && rekey_phase(s, &v, cmd[1], res[0]))
		goto out;
	rc = s->done == s->o.members ? 0 : 1;
out:
	if (v.own && v.pid > 0) {
		close(cmd[1]);
		waitpid(v.pid, NULL, 0);
	}
	for (uint32_t i = 0; s->m && i < s->o.members; i++) {
		if (s->m[i].gm)
			gdoi_gm_free(s->m[i].gm);
		if (s->m[i].fd > 0)
			close(s->m[i].fd);
	}
	free(s->m);
	free(s->heap);
	return rc;
}
