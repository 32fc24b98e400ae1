/*
 * The key server of bench_member_swarm when no external one is given: the
 * gdoi_ks engine on its own UDP socket in its own process, configured like
 * examples/ks1.conf (PSK for every address, no authorization ACL, one
 * `sa ipsec 1` with esp-aes 256 esp-sha256-hmac and a three-line ACL,
 * AES-128 KEK signed with an RSA-2048 key, unicast rekey).
 */
#include "swarm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/rsa.h"
#include "diag/log.h"
#include "util/clock.h"
#include "util/err.h"

/* ACL ENCPOL of examples/ks1.conf. */
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

struct ks_proc {
	int fd;
	struct gdoi_ks *ks;
	struct diag diag;
	uint64_t tx_errors;
};

static void ks_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct ks_proc *k = ctx;
	swarm_udp_send(k->fd, peer, msg, len, &k->tx_errors);
}

static void ks_sample(struct ks_proc *k, struct swarm_ks_sample *s)
{
	struct mallinfo2 mi = mallinfo2();
	memset(s, 0, sizeof(*s));
	s->heap_bytes = mi.uordblks + mi.hblkhd;
	gdoi_ks_get_stats(k->ks, &s->st);
	gdoi_ks_mem(k->ks, &s->mem);
	s->ike = gdoi_ks_ike(k->ks)->st;
	s->tx_errors = k->tx_errors;
	static struct gdoi_ks_group_info gi;
	if (gdoi_ks_group_info(k->ks, 0, swarm_now_ns(), &gi) == 0) {
		s->rekey_acks = gi.rekey_acks;
		s->rekeys_retransmitted = gi.rekeys_retransmitted;
		s->last_rekey_ms = gi.last_rekey_ms;
		s->rekey_active = gi.rekey_active;
	}
}

static int ks_setup(struct ks_proc *k, const struct swarm_opts *o, struct crypto_rsa *rsa)
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
	struct gdoi_ks_config cfg = {.psk = swarm_psk,
				     .caps = GDOI_CAPS_ALL,
				     .groups = &group,
				     .n_groups = 1,
				     .rekey_pace = o->rekey_pace};
	swarm_ike_config(&cfg.ike, o->ks_addr, SWARM_PORT, o->group);
	struct gdoi_ks_io io = {.ctx = k, .send = ks_send};
	char err[160] = "";
	if (diag_init(&k->diag, &clock_system))
		return -1;
	int rc = gdoi_ks_new(&cfg, &io, crypto_rng_system(), &k->diag, swarm_now_ns(), &k->ks, err,
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
		ssize_t n = recvfrom(k->fd, buf, SWARM_MSG_MAX, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		struct ike1_peer p = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
		gdoi_ks_input(k->ks, swarm_now_ns(), &p, buf, (size_t)n);
	}
}

static void print_sample(const struct swarm_ks_sample *s0, const struct swarm_ks_sample *s)
{
	size_t n = s->mem.members;
	printf("key server: %zu members, %llu registrations, %llu DH, heap %+.0f B (%.0f B per "
	       "member)\n",
	       n, (unsigned long long)s->st.registrations, (unsigned long long)s->ike.dh_computed,
	       (double)s->heap_bytes - (double)s0->heap_bytes,
	       n ? ((double)s->heap_bytes - (double)s0->heap_bytes) / (double)n : 0.0);
	fflush(stdout);
}

int swarm_ks_main(const struct swarm_opts *o, int cmd_fd, int out_fd)
{
	static uint8_t buf[SWARM_MSG_MAX];
	struct ks_proc k = {.fd = -1};
	struct crypto_rsa rsa;
	int rc = 1;
	if (crypto_rsa_generate(&rsa, 2048)) {
		fprintf(stderr, "key server: RSA key generation failed\n");
		return 1;
	}
	k.fd = swarm_udp_bind(o->ks_addr, SWARM_PORT, 4 << 20);
	if (k.fd < 0 || ks_setup(&k, o, &rsa)) {
		crypto_rsa_clear(&rsa);
		return 1;
	}
	crypto_rsa_clear(&rsa);
	if (cmd_fd < 0) { /* --serve: stop on SIGINT/SIGTERM */
		sigset_t ss;
		sigemptyset(&ss);
		sigaddset(&ss, SIGINT);
		sigaddset(&ss, SIGTERM);
		sigprocmask(SIG_BLOCK, &ss, NULL);
		cmd_fd = signalfd(-1, &ss, SFD_CLOEXEC);
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = k.fd};
	if (cmd_fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, k.fd, &ev))
		goto out;
	ev.data.fd = cmd_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, cmd_fd, &ev))
		goto out;
	struct swarm_ks_sample s0, s;
	malloc_trim(0);
	ks_sample(&k, &s0);
	if (out_fd >= 0 && swarm_write_all(out_fd, &s0, sizeof(s0)))
		goto out;
	if (out_fd < 0) {
		char a[INET_ADDRSTRLEN];
		printf("key server ready at %s:%d, DH group %u, pid %d\n", swarm_ip4(o->ks_addr, a),
		       SWARM_PORT, o->group, (int)getpid());
		fflush(stdout);
	}
	for (;;) {
		uint64_t now = swarm_now_ns(), dl = gdoi_ks_next_deadline(k.ks);
		int timeout = -1;
		if (dl != CLOCK_NEVER)
			timeout = dl <= now ? 0 : (int)((dl - now + NS_PER_MS - 1) / NS_PER_MS);
		struct epoll_event evs[2];
		int n = epoll_wait(ep, evs, 2, timeout);
		if (n < 0 && errno != EINTR)
			goto out;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == k.fd) {
				ks_drain(&k, buf);
				continue;
			}
			if (out_fd < 0) { /* a signal: stop */
				ks_sample(&k, &s);
				print_sample(&s0, &s);
				rc = 0;
				goto out;
			}
			char c;
			if (read(cmd_fd, &c, 1) != 1) {
				rc = 0;
				goto out;
			}
			if (c == 'r') { /* rekey every group now; answer with the result */
				int32_t r = gdoi_ks_rekey_now(k.ks, NULL, false, swarm_now_ns());
				if (swarm_write_all(out_fd, &r, sizeof(r)))
					goto out;
				continue;
			}
			ks_sample(&k, &s);
			if (swarm_write_all(out_fd, &s, sizeof(s)))
				goto out;
		}
		if (gdoi_ks_next_deadline(k.ks) <= swarm_now_ns())
			gdoi_ks_tick(k.ks, swarm_now_ns());
	}
out:
	if (ep >= 0)
		close(ep);
	gdoi_ks_free(k.ks);
	diag_free(&k.diag);
	close(k.fd);
	return rc;
}
