/* Informational exchanges; see info.h. */
#include "ike1/info.h"

#include <string.h>

#include "ike1/sa_priv.h"
#include "util/err.h"
#include "wire/build.h"
#include "wire/names.h"

static void spi_of(uint8_t spi[static IKE1_SPI_LEN], const uint8_t *cky_i, const uint8_t *cky_r)
{
	memcpy(spi, cky_i, IKE1_COOKIE_LEN);
	memcpy(spi + IKE1_COOKIE_LEN, cky_r, IKE1_COOKIE_LEN);
}

int ike1_info_build_clear(uint8_t *buf, size_t cap, const uint8_t cky_i[static IKE1_COOKIE_LEN],
			  const uint8_t cky_r[static IKE1_COOKIE_LEN], uint32_t doi, uint16_t type)
{
	struct wire_isakmp_hdr h = {.version = WIRE_ISAKMP_VERSION, .exch = WIRE_EXCH_INFO};
	memcpy(h.icookie, cky_i, IKE1_COOKIE_LEN);
	memcpy(h.rcookie, cky_r, IKE1_COOKIE_LEN);
	uint8_t spi[IKE1_SPI_LEN];
	spi_of(spi, cky_i, cky_r);
	struct wire_notify n = {.doi = doi,
				.proto = WIRE_PROTO_ISAKMP,
				.spi_size = IKE1_SPI_LEN,
				.type = type,
				.spi = spi};
	struct wire_builder b;
	wire_build_init(&b, buf, cap, &h);
	wire_build_notify(&b, &n);
	return wire_build_finish(&b);
}

int ike1_info_parse_clear(const uint8_t *msg, size_t len, struct wire_msg *m, struct wire_notify *n)
{
	int rc = wire_msg_decode(msg, len, m, NULL);
	if (rc < 0)
		return rc;
	if (m->hdr.exch != WIRE_EXCH_INFO || (m->hdr.flags & WIRE_FLAG_E) || m->hdr.msgid ||
	    !m->n || m->pl[0].type != WIRE_PL_N)
		return ERR_PROTO;
	return wire_notify_decode(&m->pl[0], n, NULL);
}

int ike1_info_build_protected(struct ike1_sa *sa, const struct wire_notify *n,
			      const struct wire_delete *d, uint8_t *buf, size_t cap)
{
	struct wire_builder b;
	int rc = ike1_prot_begin(sa, &b, buf, cap, WIRE_EXCH_INFO, ike1_prot_new_mid(sa));
	if (rc < 0)
		return rc;
	if (n)
		wire_build_notify(&b, n);
	if (d)
		wire_build_delete(&b, d);
	return ike1_prot_seal_once(sa, &b);
}

int ike1_info_open(struct ike1_sa *sa, const uint8_t *msg, size_t len, uint8_t *plain, size_t cap,
		   struct ike1_prot_in *in)
{
	return ike1_prot_open_once(sa, msg, len, plain, cap, in);
}

static void send_protected(struct ike1_sa *sa, const struct wire_notify *n,
			   const struct wire_delete *d)
{
	uint8_t buf[256];
	int len = ike1_info_build_protected(sa, n, d, buf, sizeof(buf));
	if (len > 0)
		ike1_sa_send(sa->t, &sa->peer, buf, (size_t)len);
}

void ike1_info_send_error(struct ike1_sa_table *t, struct ike1_sa *sa, uint64_t now,
			  const struct ike1_peer *peer, const uint8_t cky_i[static IKE1_COOKIE_LEN],
			  const uint8_t cky_r[static IKE1_COOKIE_LEN], uint16_t type)
{
	if (!ike1_sa_notify_allowed(t, peer, now)) {
		t->st.notify_limited++;
		return;
	}
	t->st.notify_sent++;
	uint32_t doi = sa ? sa->doi : t->cfg.doi;
	if (sa && sa->state == IKE1_GDOI_IDLE && !sa->deleted) {
		uint8_t spi[IKE1_SPI_LEN];
		spi_of(spi, cky_i, cky_r);
		struct wire_notify n = {.doi = doi,
					.proto = WIRE_PROTO_ISAKMP,
					.spi_size = IKE1_SPI_LEN,
					.type = type,
					.spi = spi};
		send_protected(sa, &n, NULL);
		return;
	}
	uint8_t buf[128];
	int len = ike1_info_build_clear(buf, sizeof(buf), cky_i, cky_r, doi, type);
	if (len > 0)
		ike1_sa_send(t, peer, buf, (size_t)len);
	char ip[DIAG_IP4_STRLEN];
	IKE1_DBG(t, sa, DIAG_IKE_EVENT, "sent notify %s to %s", wire_notify_name(type),
		 diag_ip4(peer->ip4, ip));
}

int ike1_info_send_delete(struct ike1_sa *sa)
{
	uint8_t spi[IKE1_SPI_LEN];
	spi_of(spi, sa->cky_i, sa->cky_r);
	struct wire_delete d = {.doi = sa->doi,
				.proto = WIRE_PROTO_ISAKMP,
				.spi_size = IKE1_SPI_LEN,
				.n_spis = 1,
				.spis = spi};
	uint8_t buf[256];
	int len = ike1_info_build_protected(sa, NULL, &d, buf, sizeof(buf));
	if (len < 0)
		return len;
	ike1_sa_send(sa->t, &sa->peer, buf, (size_t)len);
	return 0;
}

/* What an error notify received during Main Mode means for the SA. */
static enum ike1_reason notify_reason(uint16_t type)
{
	switch (type) {
	case WIRE_N_NO_PROPOSAL_CHOSEN:
		return IKE1_R_NO_PROPOSAL;
	case WIRE_N_AUTHENTICATION_FAILED:
	case WIRE_N_INVALID_HASH_INFORMATION:
	case WIRE_N_INVALID_SIGNATURE:
		return IKE1_R_AUTH;
	default:
		return IKE1_R_PEER_NOTIFY;
	}
}

/*
 * An unprotected notify can only be believed as far as it goes: it may end
 * a negotiation with this peer (which an on-path attacker could do anyway)
 * but never touches a complete SA.
 */
static void clear_input(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
			const uint8_t *msg, size_t len, const struct wire_isakmp_hdr *h)
{
	struct wire_msg m;
	struct wire_notify n;
	struct ike1_sa *sa = ike1_sa_find(t, h->icookie, h->rcookie);
	if (ike1_info_parse_clear(msg, len, &m, &n) < 0) {
		t->st.drop_malformed++;
		return;
	}
	if (!sa || sa->deleted || sa->state == IKE1_GDOI_IDLE || sa->peer.ip4 != peer->ip4 ||
	    n.type >= WIRE_N_CONNECTED) {
		t->st.dup_ignored++;
		return;
	}
	struct ike1_result r = {.reason = notify_reason(n.type),
				.notify = n.type,
				.state = sa->state,
				.detail = "error notify from the peer"};
	ike1_sa_fail(sa, now, &r);
}

/* DPD (RFC 3706): answer R-U-THERE with R-U-THERE-ACK and the same data. */
static void dpd_ack(struct ike1_sa *sa, const struct wire_notify *n)
{
	struct wire_notify ack = *n;
	ack.type = WIRE_N_R_U_THERE_ACK;
	send_protected(sa, &ack, NULL);
}

/* A Delete of ISAKMP SAs: only this peer's own SAs can be named. */
static bool delete_isakmp(struct ike1_sa *sa, uint64_t now, const struct wire_delete *d)
{
	if (d->proto != WIRE_PROTO_ISAKMP || d->spi_size != IKE1_SPI_LEN)
		return false;
	for (size_t i = 0; i < d->n_spis; i++) {
		const uint8_t *spi = wire_delete_spi(d, i);
		struct ike1_sa *x = ike1_sa_find(sa->t, spi, spi + IKE1_COOKIE_LEN);
		if (!x || x->deleted || x->peer.ip4 != sa->peer.ip4)
			continue;
		struct ike1_result r = {
		    .reason = IKE1_R_PEER_DELETE, .state = x->state, .detail = "Delete received"};
		ike1_sa_fail(x, now, &r);
	}
	return true;
}

static void protected_input(struct ike1_sa_table *t, uint64_t now, struct ike1_sa *sa,
			    const uint8_t *msg, size_t len)
{
	uint8_t plain[IKE1_MSG_MAX];
	struct ike1_prot_in in;
	int rc = ike1_info_open(sa, msg, len, plain, sizeof(plain), &in);
	if (rc < 0) {
		if (rc == ERR_AUTH)
			t->st.drop_auth++;
		else
			t->st.drop_malformed++;
		IKE1_DBG(t, sa, DIAG_IKE_ERROR, "protected informational dropped: %s",
			 err_name(rc));
		return;
	}
	bool consumed = false;
	for (size_t i = 1; i < in.m.n; i++) {
		const struct wire_payload *pl = &in.m.pl[i];
		struct wire_notify n;
		struct wire_delete d;
		if (pl->type == WIRE_PL_N && wire_notify_decode(pl, &n, NULL) == 0 &&
		    (n.type == WIRE_N_R_U_THERE || n.type == WIRE_N_R_U_THERE_ACK)) {
			if (n.type == WIRE_N_R_U_THERE)
				dpd_ack(sa, &n);
			consumed = true;
		} else if (pl->type == WIRE_PL_D && wire_delete_decode(pl, &d, NULL) == 0) {
			consumed = delete_isakmp(sa, now, &d);
		}
	}
	if (!consumed && t->io.info && !sa->deleted)
		t->io.info(t->io.ctx, sa, &in.m);
}

void ike1_info_input(struct ike1_sa_table *t, uint64_t now, const struct ike1_peer *peer,
		     const uint8_t *msg, size_t len, const struct wire_isakmp_hdr *h)
{
	if (!(h->flags & WIRE_FLAG_E)) {
		clear_input(t, now, peer, msg, len, h);
		return;
	}
	struct ike1_sa *sa = ike1_sa_find(t, h->icookie, h->rcookie);
	if (!sa || sa->state != IKE1_GDOI_IDLE || sa->deleted) {
		t->st.drop_unknown_sa++;
		return;
	}
	protected_input(t, now, sa, msg, len);
}
