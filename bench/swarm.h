/*
 * Shared parts of bench_member_swarm (bench/member_swarm.c): options, UDP
 * on loopback, process measurements from /proc, the phase-1 policy both
 * sides use, and the in-process key server (bench/swarm_ks.c).
 */
#ifndef GVPN_BENCH_SWARM_H
#define GVPN_BENCH_SWARM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gdoi/ks.h"
#include "ike1/sa.h"

enum {
	SWARM_PORT = 848,
	SWARM_MSG_MAX = 65535,
};

#define SWARM_PSK     "s3cret"
#define SWARM_KS_DFLT 0x7fff0001u /* 127.255.0.1 */

struct swarm_opts {
	unsigned members, window, settle_sec, timeout_sec;
	uint8_t group;
	uint32_t ks_addr;
	uint16_t gm_port;      /* the members' UDP port (848; another beside a wildcard-bound KS) */
	pid_t ks_pid;	       /* external key server (0: our own child) */
	bool serve;	       /* run only the key server */
	bool no_gdb;	       /* external key server: do not read its heap with gdb */
	bool rekey;	       /* after registering (and settling): one unicast rekey */
	const char *rekey_cmd; /* external key server: the command that starts it */
	unsigned rekey_timeout_sec; /* wait for every ACK this long */
	unsigned rekey_pace; /* own key server: pushes per second (0: the engine\'s default) */
};

uint64_t swarm_now_ns(void);
const char *swarm_ip4(uint32_t ip4, char buf[static INET_ADDRSTRLEN]);
/* A non-blocking UDP socket bound to ip4:port; -1 with a message on failure. */
int swarm_udp_bind(uint32_t ip4, uint16_t port, int rcvbuf);
void swarm_udp_send(int fd, const struct ike1_peer *peer, const uint8_t *msg, size_t len,
		    uint64_t *errors);
int swarm_write_all(int fd, const void *p, size_t n);
int swarm_read_all(int fd, void *p, size_t n);

/* Pre-shared key SWARM_PSK for every peer (`crypto isakmp key ... address 0.0.0.0 0.0.0.0`). */
int swarm_psk(void *arg, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX]);
/* ike1 defaults with `crypto isakmp policy 10`: aes 256, sha256, pre-share, group. */
void swarm_ike_config(struct ike1_config *c, uint32_t local, uint16_t port, uint8_t group);

/* A process as /proc shows it. */
struct swarm_proc {
	double cpu_sec;	      /* user + system */
	double runq_wait_sec; /* time runnable but waiting for a CPU (schedstat) */
	long rss_kib;
};
int swarm_proc_sample(pid_t pid, struct swarm_proc *out);
/*
 * The heap in use of another process (mallinfo2 uordblks + hblkhd: main
 * arena and mmapped chunks) through `gdb -p PID`, which stops it for about
 * a second. 0, or -1 when gdb is missing or cannot tell.
 */
int swarm_gdb_heap(pid_t pid, size_t *bytes);

/* What the in-process key server says about itself at a measuring point. */
struct swarm_ks_sample {
	size_t heap_bytes; /* mallinfo2: bytes in use (arena + mmap) */
	struct gdoi_ks_stats st;
	struct gdoi_ks_mem mem;
	struct ike1_stats ike;
	uint64_t tx_errors;
	/* Group G1's rekey counters (gdoi_ks_group_info). */
	uint64_t rekey_acks, rekeys_retransmitted, last_rekey_ms;
	bool rekey_active;
};

/*
 * The key server process: RSA key, socket, engine; one sample to out_fd
 * (the baseline) when ready, then serve. With cmd_fd >= 0, each byte read
 * from it asks for one more sample and its end stops the server; with
 * cmd_fd < 0 (--serve) SIGINT/SIGTERM stop it and the final sample is
 * printed. Returns the exit status.
 */
int swarm_ks_main(const struct swarm_opts *o, int cmd_fd, int out_fd);

#endif
