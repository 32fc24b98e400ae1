/*
 * Member swarm: N GDOI group members in one process, each on its own
 * loopback address (127.1.x.y, UDP 848, one socket each, all on one epoll),
 * registering (IKEv1 Main Mode + GROUPKEY-PULL) with one key server.
 *
 * The key server is the gdoi_ks engine in a forked child process on its own
 * socket (127.255.0.1:848 by default), so it has a core of its own and its
 * memory is measured alone: heap in use (mallinfo2) and VmRSS of the child
 * before the first registration, right after the last one, and after the
 * phase-1 handshake state has been dropped (ike1 grace, --settle seconds).
 * Its configuration is that of examples/ks1.conf: pre-shared key for every
 * address, no authorization ACL, esp-aes 256 / esp-sha256-hmac TEK with a
 * three-line ACL, AES-128 KEK signed with an RSA-2048 key, unicast rekey.
 *
 * Pacing: at most --window members register at once (a new one starts when
 * one finishes), so the key server always has work queued but is not buried
 * in retransmissions. Members pay their own DH in this process; with both
 * processes busy the machine's two cores are shared, so besides the
 * wall-clock rate the report gives the key server's CPU time and the rate
 * per second of key-server CPU ("one key-server core").
 *
 * Timing: from the first member's first message to the last member's install
 * callback (the moment of GM_REGS_COMPL).
 *
 * Usage: bench_member_swarm [--members N] [--group 14|19|20] [--window W]
 *                           [--settle SEC] [--timeout SEC] [--ks-addr A.B.C.D]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
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

#include "crypto/rsa.h"
#include "diag/log.h"
#include "gdoi/gm.h"
#include "gdoi/ks.h"
#include "util/clock.h"
#include "util/err.h"
#include "wire/names.h"

enum {
	PORT = 848,
	MEMBERS_MAX = 60000,
	BATCH = 64,
	MSG_MAX = 65535,
};

#define PSK	 "s3cret"
#define GM_BASE	 0x7f010001u /* 127.1.0.1: member i is GM_BASE + i */
#define KS_DFLT	 0x7fff0001u /* 127.255.0.1 */
#define NS_PER_S 1e9

struct opts {
	unsigned members, window, settle_sec, timeout_sec;
	uint8_t group;
	uint32_t ks_addr;
};

/* ---- shared helpers ---- */

static uint64_t now_ns(void)
{
	return clock_mono_ns(&clock_system);
}

static double cpu_sec(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long vmrss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static struct sockaddr_in sin_of(uint32_t ip4, uint16_t port)
{
	return (struct sockaddr_in){
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip4)};
}

static const char *ip4_str(uint32_t ip4, char buf[static INET_ADDRSTRLEN])
{
	struct in_addr a = {htonl(ip4)};
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* A non-blocking UDP socket bound to ip4:PORT; -1 with a message on failure. */
static int udp_bind(uint32_t ip4, int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return -1;
	}
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_in sa = sin_of(ip4, PORT);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char b[INET_ADDRSTRLEN];
		fprintf(stderr, "bind %s:%d: %s\n", ip4_str(ip4, b), PORT, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void udp_send(int fd, const struct ike1_peer *peer, const uint8_t *msg, size_t len,
		     uint64_t *errors)
{
	struct sockaddr_in to = sin_of(peer->ip4, peer->port);
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		(*errors)++;
}

static int psk_cb(void *arg, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	(void)arg;
	(void)peer;
	memcpy(key, PSK, sizeof(PSK) - 1);
	return (int)sizeof(PSK) - 1;
}

/* `crypto isakmp policy 10`: aes 256, sha256, pre-share, group G. */
static struct ike1_policy p1_policy = {.cipher = CRYPTO_CBC_AES256,
				       .hash = CRYPTO_HASH_SHA256,
				       .auth = WIRE_P1_AUTH_PSK,
				       .group = WIRE_GROUP_ECP256,
				       .life_sec = 86400};

static void ike_config(struct ike1_config *c, uint32_t local)
{
	ike1_config_default(c);
	c->policies = &p1_policy;
	c->n_policies = 1;
	c->local = (struct ike1_peer){local, PORT};
}

/* ---- the key server (child process) ---- */

/* The ACL ENCPOL of examples/ks1.conf. */
static const struct gdoi_acl_entry ks_acl[] = {
    {.seq = 10,
     .action = GDOI_ACL_DENY,
     .proto = 17,
     .src_wild = ~0u,
     .dst_wild = ~0u,
     .sport = {GDOI_PORT_EQ, 848, 0},
     .dport = {GDOI_PORT_EQ, 848, 0}},
    {.seq = 20, .action = GDOI_ACL_DENY, .proto = 1, .src_wild = ~0u, .dst_wild = ~0u},
    {.seq = 30,
     .action = GDOI_ACL_PERMIT,
     .proto = 0,
     .src = 0xc0a80000,
     .src_wild = 0xffff,
     .dst = 0xc0a80000,
     .dst_wild = 0xffff},
};

/* What the KS reports at each measuring point (written to the pipe). */
struct ks_sample {
	double cpu_sec;
	size_t heap_bytes; /* mallinfo2: in use (arena + mmap) */
	long rss_kib;
	struct gdoi_ks_stats st;
	struct gdoi_ks_mem mem;
	struct ike1_stats ike;
	size_t members;
	uint64_t tx_errors;
};

struct ks_proc {
	int fd;
	struct gdoi_ks *ks;
	struct diag diag;
	uint64_t tx_errors;
};

static void ks_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct ks_proc *k = ctx;
	udp_send(k->fd, peer, msg, len, &k->tx_errors);
}

static void ks_sample(struct ks_proc *k, struct ks_sample *s)
{
	struct mallinfo2 mi = mallinfo2();
	memset(s, 0, sizeof(*s));
	s->cpu_sec = cpu_sec(RUSAGE_SELF);
	s->heap_bytes = mi.uordblks + mi.hblkhd;
	s->rss_kib = vmrss_kib();
	gdoi_ks_get_stats(k->ks, &s->st);
	gdoi_ks_mem(k->ks, &s->mem);
	s->ike = gdoi_ks_ike(k->ks)->st;
	s->members = s->mem.members;
	s->tx_errors = k->tx_errors;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;
	while (n) {
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int ks_setup(struct ks_proc *k, const struct opts *o, struct crypto_rsa *rsa)
{
	static const struct gdoi_ks_sa_config sa = {.number = 1,
						    .profile = "gdoi-p",
						    .acl_name = "ENCPOL",
						    .xf = {GDOI_ENC_AES_CBC, 256, GDOI_AUTH_SHA256},
						    .life_sec = 900,
						    .acl = ks_acl,
						    .n_acl = sizeof(ks_acl) / sizeof(ks_acl[0]),
						    .replay = GDOI_REPLAY_TIME,
						    .replay_window = 4};
	struct gdoi_ks_group_config group = {.name = "G1",
					     .id = {GDOI_ID_NUMBER, 3333},
					     .ks_addr = o->ks_addr,
					     .kek_alg = CRYPTO_CBC_AES128,
					     .kek_life_sec = 1200,
					     .retrans_period_sec = 10,
					     .retrans_count = 5,
					     .rsa_label = "get",
					     .rsa_key = rsa,
					     .sas = &sa,
					     .n_sas = 1};
	struct gdoi_ks_config cfg = {
	    .psk = psk_cb, .caps = GDOI_CAPS_ALL, .groups = &group, .n_groups = 1};
	ike_config(&cfg.ike, o->ks_addr);
	struct gdoi_ks_io io = {.ctx = k, .send = ks_send};
	char err[160] = "";
	if (diag_init(&k->diag, &clock_system))
		return -1;
	int rc = gdoi_ks_new(&cfg, &io, crypto_rng_system(), &k->diag, now_ns(), &k->ks, err,
			     sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "gdoi_ks_new: %s (%s)\n", err_name(rc), err);
		return -1;
	}
	return 0;
}

static void ks_drain(struct ks_proc *k, uint8_t *buf)
{
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(k->fd, buf, MSG_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		struct ike1_peer p = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
		gdoi_ks_input(k->ks, now_ns(), &p, buf, (size_t)n);
	}
}

/*
 * The child: set up, report a baseline sample, then serve until the parent
 * closes the command pipe; each byte on it asks for one more sample.
 */
static int ks_main(const struct opts *o, int cmd_fd, int out_fd)
{
	static uint8_t buf[MSG_MAX];
	struct ks_proc k = {.fd = -1};
	struct crypto_rsa rsa;
	if (crypto_rsa_generate(&rsa, 2048)) {
		fprintf(stderr, "ks: RSA key generation failed\n");
		return 1;
	}
	k.fd = udp_bind(o->ks_addr, 4 << 20);
	if (k.fd < 0 || ks_setup(&k, o, &rsa))
		return 1;
	crypto_rsa_clear(&rsa);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = k.fd};
	epoll_ctl(ep, EPOLL_CTL_ADD, k.fd, &ev);
	ev.data.fd = cmd_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, cmd_fd, &ev);
	struct ks_sample s;
	malloc_trim(0);
	ks_sample(&k, &s);
	if (write_all(out_fd, &s, sizeof(s)))
		return 1;
	for (;;) {
		uint64_t now = now_ns(), dl = gdoi_ks_next_deadline(k.ks);
		int timeout = -1;
		if (dl != CLOCK_NEVER)
			timeout = dl <= now ? 0 : (int)((dl - now + NS_PER_MS - 1) / NS_PER_MS);
		struct epoll_event evs[2];
		int n = epoll_wait(ep, evs, 2, timeout);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == k.fd) {
				ks_drain(&k, buf);
				continue;
			}
			char c;
			if (read(cmd_fd, &c, 1) != 1)
				goto out;
			ks_sample(&k, &s);
			if (write_all(out_fd, &s, sizeof(s)))
				goto out;
		}
		if (gdoi_ks_next_deadline(k.ks) <= now_ns())
			gdoi_ks_tick(k.ks, now_ns());
	}
out:
	gdoi_ks_free(k.ks);
	diag_free(&k.diag);
	close(k.fd);
	return 0;
}

/* ---- the members (parent) ---- */

struct member {
	int fd;
	uint32_t addr;
	struct gdoi_gm *gm;
	uint64_t deadline; /* as last pushed onto the heap */
	uint64_t done_ns;  /* policy installed */
};

struct heap_ent {
	uint64_t at;
	uint32_t idx;
};

struct swarm {
	struct opts o;
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
		g_swarm->first_ns = now_ns();
	udp_send(m->fd, peer, msg, len, &g_swarm->tx_errors);
}

static void gm_install(void *ctx, const struct gdoi_gm_install *in)
{
	struct member *m = ctx;
	if (in->state != GDOI_GM_DP_POLICY || m->done_ns)
		return;
	m->done_ns = now_ns();
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
	m->fd = udp_bind(m->addr, 0);
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
		ssize_t n = recvfrom(m->fd, buf, MSG_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		s->rx++;
		struct ike1_peer p = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
		if (m->gm)
			gdoi_gm_input(m->gm, now_ns(), &p, buf, (size_t)n);
	}
	if (m->gm)
		reschedule(s, i);
}

static void run_timers(struct swarm *s)
{
	uint64_t now = now_ns();
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
	uint64_t now = now_ns(), at = stop_ns;
	if (s->heap_n && s->heap[0].at < at)
		at = s->heap[0].at;
	if (at <= now)
		return 0;
	uint64_t ms = (at - now + NS_PER_MS - 1) / NS_PER_MS;
	return ms > 1000 ? 1000 : (int)ms;
}

/* Run the swarm until every member registered or the timeout. */
static void swarm_run(struct swarm *s)
{
	static uint8_t buf[MSG_MAX];
	struct epoll_event evs[BATCH];
	uint64_t stop = now_ns() + (uint64_t)s->o.timeout_sec * NS_PER_SEC;
	while (s->done < s->o.members && now_ns() < stop) {
		uint64_t now = now_ns();
		while (s->started < s->o.members && s->started - s->done < s->o.window)
			if (member_start(s, s->started, now))
				return;
		run_timers(s);
		int n = epoll_wait(s->ep, evs, BATCH, epoll_timeout(s, stop));
		for (int i = 0; i < n; i++)
			member_rx(s, evs[i].data.u32, buf);
		run_timers(s);
	}
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
		"          [--timeout SEC] [--ks-addr 127.A.B.C]\n"
		"  --members N    group members, each on 127.1.0.1 + i (default 1000)\n"
		"  --group G      IKE DH group of both sides (default 19)\n"
		"  --window W     members registering at once (default 200)\n"
		"  --settle SEC   wait before the settled memory sample (default 35,\n"
		"                 ike1 drops handshake state 30 s after completion; 0: skip)\n"
		"  --timeout SEC  give up after (default 300)\n"
		"  --ks-addr A    key server address in 127/8 (default 127.255.0.1)\n",
		prog);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"members", 1, NULL, 'n'}, {"group", 1, NULL, 'g'},
					   {"window", 1, NULL, 'w'},  {"settle", 1, NULL, 's'},
					   {"timeout", 1, NULL, 't'}, {"ks-addr", 1, NULL, 'k'},
					   {"help", 0, NULL, 'h'},    {0, 0, 0, 0}};
	*o = (struct opts){.members = 1000,
			   .window = 200,
			   .settle_sec = 35,
			   .timeout_sec = 300,
			   .group = 19,
			   .ks_addr = KS_DFLT};
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
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (o->members < 1 || o->members > MEMBERS_MAX || o->window < 1 ||
	    (o->group != 14 && o->group != 19 && o->group != 20) || optind != argc) {
		usage(argv[0]);
		return -1;
	}
	if (o->ks_addr >= GM_BASE && o->ks_addr < GM_BASE + o->members) {
		fprintf(stderr, "--ks-addr is one of the members' addresses\n");
		return -1;
	}
	return 0;
}

static void print_report(const struct swarm *s, const struct ks_sample *k0,
			 const struct ks_sample *k1, const struct ks_sample *k2, double swarm_cpu)
{
	const struct opts *o = &s->o;
	double wall = s->last_ns > s->first_ns ? (double)(s->last_ns - s->first_ns) / NS_PER_S : 0;
	double ks_cpu = k1->cpu_sec - k0->cpu_sec;
	unsigned n = s->done;
	char ks[INET_ADDRSTRLEN];
	printf("key server: in-process gdoi_ks engine in a forked child at %s:%d "
	       "(gvpnd cannot yet run a KS from a config file)\n",
	       ip4_str(o->ks_addr, ks), PORT);
	printf("members: %u of %u registered, DH group %u, window %u, %u failed attempts, "
	       "%llu send errors\n",
	       n, o->members, o->group, o->window, s->failed_attempts,
	       (unsigned long long)(s->tx_errors + k1->tx_errors));
	if (!n || wall <= 0)
		return;
	printf("time: %.3f s from the first phase-1 message to the last install\n", wall);
	printf("registrations/s (wall clock):            %8.0f\n", n / wall);
	printf("registrations/s per key-server CPU second: %6.0f  (KS CPU %.3f s = %.0f%% of "
	       "one core over the run)\n",
	       ks_cpu > 0 ? n / ks_cpu : 0, ks_cpu, 100 * ks_cpu / wall);
	printf("swarm CPU: %.3f s (%.0f%% of one core; %.0f us per member incl. its DH)\n",
	       swarm_cpu, 100 * swarm_cpu / wall, 1e6 * swarm_cpu / n);
	printf("KS ike1: %llu DH, %llu retransmitted requests answered from cache, %llu "
	       "dropped at limits, %llu retransmits\n",
	       (unsigned long long)(k1->ike.dh_computed - k0->ike.dh_computed),
	       (unsigned long long)(k1->ike.dup_answered - k0->ike.dup_answered),
	       (unsigned long long)(k1->ike.drop_limit - k0->ike.drop_limit),
	       (unsigned long long)(k1->ike.retransmits - k0->ike.retransmits));
	printf("KS memory per member, right after the last registration: heap %.0f B, RSS %.0f "
	       "B (engine: %zu SAs %zu B, %zu with handshake state, %zu B chains)\n",
	       ((double)k1->heap_bytes - (double)k0->heap_bytes) / n,
	       (double)(k1->rss_kib - k0->rss_kib) * 1024 / n, k1->mem.sas, k1->mem.sa_bytes,
	       k1->mem.sas_handshake, k1->mem.chain_bytes);
	if (k2)
		printf("KS memory per member, settled (%u s later): heap %.0f B, RSS %.0f B "
		       "(engine: member record %zu B, %zu SAs %zu B, %zu with handshake state)\n",
		       o->settle_sec, ((double)k2->heap_bytes - (double)k0->heap_bytes) / n,
		       (double)(k2->rss_kib - k0->rss_kib) * 1024 / n, k2->mem.member_bytes,
		       k2->mem.sas, k2->mem.sa_bytes, k2->mem.sas_handshake);
	const struct ks_sample *kf = k2 ? k2 : k1;
	double per = ((double)kf->heap_bytes - (double)k0->heap_bytes) / n;
	printf("targets: group %u %s; KS memory %.0f B/member %s 4096 B\n", o->group,
	       o->group == 19
		   ? (ks_cpu > 0 && n / ks_cpu >= 500 ? ">= 500 reg/s per KS core: met"
						      : ">= 500 reg/s per KS core: MISSED")
		   : "(rate target is for group 19)",
	       per, per < 4096 ? "< (met)" : ">= (MISSED)");
}

static int ks_ask(int cmd_fd, int res_fd, struct ks_sample *s)
{
	return write_all(cmd_fd, "s", 1) || read_all(res_fd, s, sizeof(*s)) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct swarm sw;
	struct swarm *s = &sw;
	if (parse(argc, argv, &s->o))
		return 2;
	if (raise_nofile(s->o.members + 16))
		return 1;
	p1_policy.group = s->o.group;
	signal(SIGPIPE, SIG_IGN);

	/* The key server first, before this process touches OpenSSL. */
	int cmd[2], res[2];
	if (pipe2(cmd, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		perror("pipe");
		return 1;
	}
	fflush(stdout);
	pid_t ks_pid = fork();
	if (ks_pid < 0) {
		perror("fork");
		return 1;
	}
	if (ks_pid == 0) {
		close(cmd[1]);
		close(res[0]);
		_exit(ks_main(&s->o, cmd[0], res[1]));
	}
	close(cmd[0]);
	close(res[1]);

	int rc = 1;
	struct ks_sample k0, k1, k2;
	bool settled = false;
	s->m = calloc(s->o.members, sizeof(*s->m));
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!s->m || s->ep < 0)
		goto out;
	for (uint32_t i = 0; i < s->o.members; i++)
		if (member_open(s, i))
			goto out;
	s->servers[0] = s->o.ks_addr;
	s->group = (struct gdoi_gm_group_config){
	    .name = "G1", .id = {GDOI_ID_NUMBER, 3333}, .servers = s->servers, .n_servers = 1};
	ike_config(&s->cfg.ike, 0);
	s->cfg.psk = psk_cb;
	s->cfg.caps = GDOI_CAPS_ALL;
	s->cfg.groups = &s->group;
	s->cfg.n_groups = 1;
	g_swarm = s;
	if (read_all(res[0], &k0, sizeof(k0))) {
		fprintf(stderr, "the key server did not start\n");
		goto out;
	}

	double cpu0 = cpu_sec(RUSAGE_SELF);
	swarm_run(s);
	double swarm_cpu = cpu_sec(RUSAGE_SELF) - cpu0;
	if (ks_ask(cmd[1], res[0], &k1))
		goto out;
	if (s->o.settle_sec && s->done) {
		struct timespec ts = {(time_t)s->o.settle_sec, 0};
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		settled = ks_ask(cmd[1], res[0], &k2) == 0;
	}
	print_report(s, &k0, &k1, settled ? &k2 : NULL, swarm_cpu);
	rc = s->done == s->o.members ? 0 : 1;
out:
	close(cmd[1]);
	waitpid(ks_pid, NULL, 0);
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
