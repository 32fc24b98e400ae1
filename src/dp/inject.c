/*
 * Raw IPv4 injection socket with SO_MARK. See inject.h.
 */
#include "dp/inject.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/err.h"

enum {
	IP4_HDR_MIN = 20,
	SNDBUF = 4 * 1024 * 1024,
};

static void free_buffers(struct dp_inject *ij)
{
	free(ij->buf);
	free(ij->msgs);
	free(ij->iov);
	free(ij->dst);
	ij->buf = NULL;
	ij->msgs = NULL;
	ij->iov = NULL;
	ij->dst = NULL;
}

static int open_socket(struct dp_inject *ij)
{
	int sndbuf = SNDBUF;

	/* IPPROTO_RAW implies IP_HDRINCL: the packet is sent as written. */
	ij->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (ij->fd < 0)
		return ERR_IO;
	if (setsockopt(ij->fd, SOL_SOCKET, SO_MARK, &ij->mark, sizeof ij->mark) < 0)
		return ERR_IO;
	/* Sized against the device MTU, never a route's learnt path MTU: with
	 * header preservation that path MTU is the inner flow's, lowered by our
	 * own ICMP frag-needed, and would refuse every full-size ESP packet. */
	int pmtu = IP_PMTUDISC_PROBE;
	if (setsockopt(ij->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0)
		return ERR_IO;
	/* Bursts of fragments should not hit a small default send buffer. */
	if (setsockopt(ij->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) < 0)
		(void)setsockopt(ij->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	return 0;
}

int dp_inject_open(struct dp_inject *ij, uint32_t mark, size_t buf_cap, unsigned max_pkts)
{
	int rc;

	memset(ij, 0, sizeof *ij);
	ij->fd = -1;
	if (mark == 0)
		return ERR_INVAL;
	ij->mark = mark;
	ij->cap = buf_cap ? buf_cap : DP_INJECT_BUF_DEFAULT;
	ij->max_pkts = max_pkts ? max_pkts : DP_INJECT_PKTS_DEFAULT;
	ij->buf = malloc(ij->cap);
	ij->msgs = calloc(ij->max_pkts, sizeof *ij->msgs);
	ij->iov = calloc(ij->max_pkts, sizeof *ij->iov);
	ij->dst = calloc(ij->max_pkts, sizeof *ij->dst);
	if (!ij->buf || !ij->msgs || !ij->iov || !ij->dst) {
		free_buffers(ij);
		return ERR_NOMEM;
	}
	rc = open_socket(ij);
	if (rc < 0) {
		int saved = errno;

		dp_inject_close(ij);
		errno = saved;
	}
	return rc;
}

void dp_inject_close(struct dp_inject *ij)
{
	if (ij->fd >= 0)
		close(ij->fd);
	ij->fd = -1;
	free_buffers(ij);
	ij->n = 0;
	ij->used = 0;
	ij->reserved = 0;
}

uint8_t *dp_inject_reserve(struct dp_inject *ij, size_t len)
{
	if (ij->n >= ij->max_pkts || len > ij->cap - ij->used)
		return NULL;
	ij->reserved = len;
	return ij->buf + ij->used;
}

int dp_inject_commit(struct dp_inject *ij, size_t len)
{
	uint8_t *p = ij->buf + ij->used;
	unsigned i = ij->n;

	if (ij->reserved == 0)
		return ERR_STATE;
	if (len > ij->reserved || len < IP4_HDR_MIN || (p[0] >> 4) != 4 ||
	    buf_load_u16(p + 2) != len)
		return ERR_INVAL;
	ij->reserved = 0;
	memset(&ij->dst[i], 0, sizeof ij->dst[i]);
	ij->dst[i].sin_family = AF_INET;
	memcpy(&ij->dst[i].sin_addr, p + 16, 4);
	ij->iov[i].iov_base = p;
	ij->iov[i].iov_len = len;
	memset(&ij->msgs[i], 0, sizeof ij->msgs[i]);
	ij->msgs[i].msg_hdr.msg_name = &ij->dst[i];
	ij->msgs[i].msg_hdr.msg_namelen = sizeof ij->dst[i];
	ij->msgs[i].msg_hdr.msg_iov = &ij->iov[i];
	ij->msgs[i].msg_hdr.msg_iovlen = 1;
	ij->used += len;
	ij->n++;
	return 0;
}

int dp_inject_send(struct dp_inject *ij, const uint8_t *pkt, size_t len)
{
	uint8_t *p = dp_inject_reserve(ij, len);

	if (!p) {
		(void)dp_inject_flush(ij);
		p = dp_inject_reserve(ij, len);
		if (!p)
			return ERR_INVAL;
	}
	memcpy(p, pkt, len);
	return dp_inject_commit(ij, len);
}

int dp_inject_flush(struct dp_inject *ij)
{
	unsigned done = 0;
	int ok = 0;

	while (done < ij->n) {
		int r = sendmmsg(ij->fd, ij->msgs + done, ij->n - done, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* sendmmsg reports the error of the first packet it
			 * could not send; skip that one and go on. */
			ij->errors++;
			done++;
			continue;
		}
		if (r == 0)
			break;
		done += (unsigned)r;
		ok += r;
	}
	ij->errors += ij->n - done;
	ij->sent += (uint64_t)ok;
	ij->n = 0;
	ij->used = 0;
	ij->reserved = 0;
	return ok;
}
