/* Helpers of bench_member_swarm: see swarm.h. */
#include "swarm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"
#include "wire/names.h"

uint64_t swarm_now_ns(void)
{
	return clock_mono_ns(&clock_system);
}

const char *swarm_ip4(uint32_t ip4, char buf[static INET_ADDRSTRLEN])
{
	struct in_addr a = {htonl(ip4)};
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static struct sockaddr_in sin_of(uint32_t ip4, uint16_t port)
{
	return (struct sockaddr_in){
	    .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip4)};
}

int swarm_udp_bind(uint32_t ip4, uint16_t port, int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("socket");
		return -1;
	}
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_in sa = sin_of(ip4, port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char b[INET_ADDRSTRLEN];
		fprintf(stderr, "bind %s:%d: %s\n", swarm_ip4(ip4, b), port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void swarm_udp_send(int fd, const struct ike1_peer *peer, const uint8_t *msg, size_t len,
		    uint64_t *errors)
{
	struct sockaddr_in to = sin_of(peer->ip4, peer->port);
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		(*errors)++;
}

int swarm_write_all(int fd, const void *p, size_t n)
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

int swarm_read_all(int fd, void *p, size_t n)
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

int swarm_psk(void *arg, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	(void)arg;
	(void)peer;
	memcpy(key, SWARM_PSK, sizeof(SWARM_PSK) - 1);
	return (int)sizeof(SWARM_PSK) - 1;
}

void swarm_ike_config(struct ike1_config *c, uint32_t local, uint16_t port, uint8_t group)
{
	/* One policy per DH group, so that the borrowed pointer stays valid. */
	static struct ike1_policy pol[256];
	pol[group] = (struct ike1_policy){.cipher = CRYPTO_CBC_AES256,
					  .hash = CRYPTO_HASH_SHA256,
					  .auth = WIRE_P1_AUTH_PSK,
					  .group = group,
					  .life_sec = 86400};
	ike1_config_default(c);
	c->policies = &pol[group];
	c->n_policies = 1;
	c->local = (struct ike1_peer){local, port};
}

int swarm_gdb_heap(pid_t pid, size_t *bytes)
{
	char cmd[128], line[1024];
	snprintf(cmd, sizeof(cmd),
		 "gdb -p %d -batch -ex 'print mallinfo2()' </dev/null 2>/dev/null", (int)pid);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	int found = 0;
	unsigned long long used = 0, mmapped = 0;
	while (fgets(line, sizeof(line), f)) {
		const char *u = strstr(line, "uordblks = "), *h = strstr(line, "hblkhd = ");
		if (u && h && sscanf(u, "uordblks = %llu", &used) == 1 &&
		    sscanf(h, "hblkhd = %llu", &mmapped) == 1)
			found = 1;
	}
	if (pclose(f) != 0 || !found)
		return -1;
	*bytes = (size_t)(used + mmapped);
	return 0;
}

int swarm_proc_sample(pid_t pid, struct swarm_proc *out)
{
	char path[64], line[512];
	*out = (struct swarm_proc){.rss_kib = -1};
	long tck = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	/* Fields 14 and 15 (utime, stime) follow the ")" that ends the name. */
	char *p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
	unsigned long ut, st;
	if (p &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
		out->cpu_sec = (double)(ut + st) / (double)tck;
	fclose(f);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmRSS: %ld kB", &out->rss_kib) == 1)
				break;
		fclose(f);
	}

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "r"))) {
		unsigned long long run, wait;
		if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
			out->runq_wait_sec = (double)wait / 1e9;
			/* schedstat has ns resolution where stat has ticks. */
			out->cpu_sec = (double)run / 1e9;
		}
		fclose(f);
	}
	return 0;
}
