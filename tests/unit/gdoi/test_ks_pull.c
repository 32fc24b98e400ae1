/*
 * The key server's GROUPKEY-PULL against a hand-driven member: a bare ike1
 * table plays the GM, so the test can send what a gvpn GM never would (KE_I,
 * no ID, a gdoid-style host-order group number, a forged HASH) and look at
 * every answer:
 *
 *   GM -> KS  HDR*, HASH(1), Ni, ID [, KE]
 *   KS -> GM  HDR*, HASH(2), Nr, SA       or a protected notify
 *   GM -> KS  HDR*, HASH(3) [, KE] [, GAP]
 *   KS -> GM  HDR*, HASH(4), SEQ, KD      or a protected notify
 *
 * The group is AES-CBC: a sender-ID request (GAP) gets no SID, and a GAP
 * whose SENDER_ID_REQUEST is no integer is refused as malformed.
 */
#include "test.h"

#include <stdlib.h>

#include "gdoi/ks.h"
#include "ike1/prot.h"
#include "util/clock.h"
#include "util/err.h"
#include "wire/build.h"
#include "wire/names.h"

#define KS_IP 0x0a010b02u
#define GM_IP 0x0a010d02u
#define QMAX  16

static const struct ike1_policy p1[] = {
    {CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, WIRE_GROUP_ECP256, 86400},
};

static const struct gdoi_acl_entry acl[] = {
    {.seq = 10, .action = GDOI_ACL_PERMIT, .proto = 0, .src_wild = ~0u, .dst_wild = ~0u},
};

struct dgram {
	bool to_ks;
	size_t len;
	uint8_t b[4096];
};

struct net {
	uint64_t now;
	struct gdoi_ks *ks;
	struct ike1_sa_table gm;
	struct ike1_sa *sa; /* the GM's, once up */
	struct crypto_rng rng;
	struct dgram q[QMAX];
	size_t nq;
	struct dgram last_to_gm;
	size_t to_gm;
	uint16_t notify; /* last protected notify the GM got */
	size_t registered;
};

static void queue(struct net *n, bool to_ks, const uint8_t *msg, size_t len)
{
	assert_true(n->nq < QMAX && len <= sizeof(n->q[0].b));
	struct dgram *d = &n->q[n->nq++];
	d->to_ks = to_ks;
	d->len = len;
	memcpy(d->b, msg, len);
}

static void ks_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	(void)peer;
	queue(ctx, false, msg, len);
}

static void gm_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	(void)peer;
	queue(ctx, true, msg, len);
}

static int psk(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	(void)ctx;
	(void)peer;
	memcpy(key, "psk", 3);
	return 3;
}

static void gm_up(void *ctx, struct ike1_sa *sa, const struct ike1_vids *vids)
{
	struct net *n = ctx;
	(void)vids;
	n->sa = sa;
}

static void gm_info(void *ctx, struct ike1_sa *sa, const struct wire_msg *m)
{
	struct net *n = ctx;
	struct wire_notify no;
	(void)sa;
	if (m->n > 1 && m->pl[1].type == WIRE_PL_N && wire_notify_decode(&m->pl[1], &no, NULL) == 0)
		n->notify = no.type;
}

static void ks_event(void *ctx, const struct gdoi_ks_event *ev)
{
	struct net *n = ctx;
	n->registered += ev->type == GDOI_KS_EV_REGISTERED;
}

/* Deliver everything queued (and what that causes) to the GM table or the KS. */
static void flush(struct net *n)
{
	for (size_t i = 0; i < n->nq; i++) {
		struct dgram d = n->q[i];
		struct ike1_sa *sa;
		if (d.to_ks) {
			gdoi_ks_input(n->ks, n->now, &(struct ike1_peer){GM_IP, 848}, d.b, d.len);
		} else {
			n->last_to_gm = d;
			n->to_gm++;
			(void)ike1_sa_input(&n->gm, n->now, &(struct ike1_peer){KS_IP, 848}, d.b,
					    d.len, &sa);
		}
	}
	n->nq = 0;
}

static void net_up(struct net *n)
{
	memset(n, 0, sizeof(*n));
	n->now = 10 * NS_PER_SEC;
	crypto_rng_seeded(&n->rng, 11);
	static struct gdoi_ks_sa_config sa;
	static struct gdoi_ks_group_config g;
	sa = (struct gdoi_ks_sa_config){
	    .number = 1, .xf = {GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA1}, .acl = acl, .n_acl = 1};
	g = (struct gdoi_ks_group_config){
	    .name = "G1", .id = {GDOI_ID_NUMBER, 1234}, .rsa_label = "k", .sas = &sa, .n_sas = 1};
	struct gdoi_ks_config kc = {.psk = psk, .caps = GDOI_CAPS_ALL, .groups = &g, .n_groups = 1};
	ike1_config_default(&kc.ike);
	kc.ike.policies = p1;
	kc.ike.n_policies = 1;
	kc.ike.local = (struct ike1_peer){KS_IP, 848};
	struct gdoi_ks_io kio = {.ctx = n, .send = ks_send, .event = ks_event};
	char err[96];
	assert_int_equal(gdoi_ks_new(&kc, &kio, &n->rng, NULL, n->now, &n->ks, err, sizeof(err)),
			 0);
	struct ike1_config gc;
	ike1_config_default(&gc);
	gc.policies = p1;
	gc.n_policies = 1;
	gc.local = (struct ike1_peer){GM_IP, 848};
	struct ike1_io gio = {.ctx = n, .send = gm_send, .psk = psk, .up = gm_up, .info = gm_info};
	assert_int_equal(ike1_sa_table_init(&n->gm, &gc, &gio, &n->rng, NULL), 0);
	assert_int_equal(ike1_sa_initiate(&n->gm, n->now, &(struct ike1_peer){KS_IP, 848}, NULL),
			 0);
	for (int i = 0; i < 6 && !n->sa; i++)
		flush(n);
	assert_non_null(n->sa);
}

static void net_down(struct net *n)
{
	ike1_sa_table_free(&n->gm);
	gdoi_ks_free(n->ks);
}

struct pull {
	uint32_t mid;
	uint8_t ni[32];
};

/* 1  -->  HDR*, HASH(1), Ni, ID [, KE]: id_data is the ID_KEY_ID value as sent. */
static void send_msg1(struct net *n, struct pull *p, const uint8_t id_data[4], bool with_id,
		      bool with_ke)
{
	struct wire_builder b;
	uint8_t buf[512];
	static const uint8_t ke[64] = {1};
	memset(p->ni, 0x5a, sizeof(p->ni));
	p->mid = ike1_prot_new_mid(n->sa);
	assert_int_equal(
	    ike1_prot_begin(n->sa, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, p->mid), 0);
	wire_build_nonce(&b, &(struct wire_data){p->ni, sizeof(p->ni)});
	if (with_id)
		wire_build_id(&b,
			      &(struct wire_id){.type = WIRE_ID_KEY_ID, .data = id_data, .len = 4});
	if (with_ke)
		wire_build_ke(&b, &(struct wire_data){ke, sizeof(ke)});
	assert_true(ike1_prot_send(n->sa, n->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES) > 0);
	flush(n);
}

static const uint8_t id_1234[4] = {0x00, 0x00, 0x04, 0xd2};

/* Open message 2 on the GM side; returns Nr's length (copied to nr). */
static size_t open_msg2(struct net *n, struct pull *p, uint8_t *nr)
{
	uint8_t plain[4096];
	struct ike1_prot_in in;
	struct ike1_bytes ni = {p->ni, sizeof(p->ni)};
	assert_int_equal(ike1_prot_open(n->sa, n->now, n->last_to_gm.b, n->last_to_gm.len, ni,
					IKE1_NO_BYTES, plain, sizeof(plain), &in),
			 0);
	const struct wire_payload *npl = wire_msg_find(&in.m, WIRE_PL_NONCE, 0);
	assert_non_null(npl);
	assert_non_null(wire_msg_find(&in.m, WIRE_PL_SA, 0));
	memcpy(nr, npl->body, npl->len);
	return npl->len;
}

static void test_full_exchange_and_cached_answers(void **state)
{
	(void)state;
	struct net n;
	struct pull p;
	uint8_t nr[256], first[4096];
	net_up(&n);
	send_msg1(&n, &p, id_1234, true, false);
	assert_int_equal(n.to_gm, 4); /* MM2, MM4, MM6 and message 2 */
	size_t len2 = n.last_to_gm.len;
	memcpy(first, n.last_to_gm.b, len2);
	/* A retransmitted message 1 is answered with message 2 again, octet for octet. */
	assert_true(ike1_prot_resend(n.sa, n.now, p.mid) == 0);
	flush(&n);
	assert_int_equal(n.to_gm, 5);
	assert_int_equal(n.last_to_gm.len, len2);
	assert_memory_equal(n.last_to_gm.b, first, len2);
	size_t nr_len = open_msg2(&n, &p, nr);
	/* 3  -->  HDR*, HASH(3) */
	struct wire_builder b;
	uint8_t buf[256];
	assert_int_equal(
	    ike1_prot_begin(n.sa, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, p.mid), 0);
	struct ike1_bytes ni = {p.ni, sizeof(p.ni)}, nrb = {nr, nr_len};
	assert_true(ike1_prot_send(n.sa, n.now, &b, ni, nrb) > 0);
	flush(&n);
	assert_int_equal(n.registered, 1);
	/* 4  <--  HDR*, HASH(4), SEQ, KD; again from the cache for a repeated message 3. */
	size_t len4 = n.last_to_gm.len;
	memcpy(first, n.last_to_gm.b, len4);
	assert_true(ike1_prot_resend(n.sa, n.now, p.mid) == 0);
	flush(&n);
	assert_int_equal(n.registered, 1);
	assert_memory_equal(n.last_to_gm.b, first, len4);
	uint8_t plain[4096];
	struct ike1_prot_in in;
	assert_int_equal(
	    ike1_prot_open(n.sa, n.now, first, len4, ni, nrb, plain, sizeof(plain), &in), 0);
	assert_non_null(wire_msg_find(&in.m, WIRE_PL_SEQ, 0));
	assert_non_null(wire_msg_find(&in.m, WIRE_PL_KD, 0));
	net_down(&n);
}

static void test_refusals(void **state)
{
	(void)state;
	struct net n;
	struct pull p;
	struct gdoi_ks_stats st;
	/* KE_I in message 1: no PFS here. */
	net_up(&n);
	send_msg1(&n, &p, id_1234, true, true);
	assert_int_equal(n.notify, WIRE_N_NO_PROPOSAL_CHOSEN);
	gdoi_ks_get_stats(n.ks, &st);
	assert_int_equal(st.no_pfs, 1);
	net_down(&n);
	/* No ID payload. */
	net_up(&n);
	send_msg1(&n, &p, id_1234, false, false);
	assert_int_equal(n.notify, WIRE_N_PAYLOAD_MALFORMED);
	net_down(&n);
	/* gdoid's host-order group number: 1234 reads as 3523477504, an unknown group. */
	net_up(&n);
	static const uint8_t le[4] = {0xd2, 0x04, 0x00, 0x00};
	send_msg1(&n, &p, le, true, false);
	assert_int_equal(n.notify, WIRE_N_INVALID_ID_INFORMATION);
	gdoi_ks_get_stats(n.ks, &st);
	assert_int_equal(st.bad_id, 1);
	assert_int_equal(st.refused, 1);
	/* The KS dropped the SA: a second try on it is not answered. */
	size_t before = n.to_gm;
	send_msg1(&n, &p, id_1234, true, false);
	assert_int_equal(n.to_gm, before);
	net_down(&n);
}

static void test_forged_hash_changes_nothing(void **state)
{
	(void)state;
	struct net n;
	struct pull p;
	uint8_t nr[256];
	net_up(&n);
	send_msg1(&n, &p, id_1234, true, false);
	size_t nr_len = open_msg2(&n, &p, nr);
	/* Message 3 with HASH(3) over a wrong nonce: dropped, no member, the exchange waits. */
	struct wire_builder b;
	uint8_t buf[256], bad[32] = {0};
	assert_int_equal(
	    ike1_prot_begin(n.sa, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, p.mid), 0);
	struct ike1_bytes ni = {p.ni, sizeof(p.ni)};
	(void)nr_len;
	int len = ike1_prot_seal(n.sa, n.now, &b, ni, (struct ike1_bytes){bad, sizeof(bad)});
	assert_true(len > 0);
	gdoi_ks_input(n.ks, n.now, &(struct ike1_peer){GM_IP, 848}, buf, (size_t)len);
	struct gdoi_ks_stats st;
	gdoi_ks_get_stats(n.ks, &st);
	assert_int_equal(st.hash_fail, 1);
	assert_int_equal(n.registered, 0);
	struct gdoi_ks_mem m;
	gdoi_ks_mem(n.ks, &m);
	assert_int_equal(m.members, 0);
	assert_int_equal(m.pulls, 1);
	net_down(&n);
}

/* 3  -->  HDR*, HASH(3), GAP with these attribute octets. */
static void send_msg3_gap(struct net *n, struct pull *p, const uint8_t *nr, size_t nr_len,
			  const uint8_t *attrs, size_t attrs_len)
{
	struct wire_builder b;
	uint8_t buf[256];
	struct wire_gap gap = {0};
	assert_int_equal(wire_attrs_from(&gap.attrs, attrs, attrs_len, NULL), 0);
	assert_int_equal(
	    ike1_prot_begin(n->sa, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, p->mid), 0);
	wire_build_gap(&b, &gap);
	struct ike1_bytes ni = {p->ni, sizeof(p->ni)}, nrb = {nr, nr_len};
	assert_true(ike1_prot_send(n->sa, n->now, &b, ni, nrb) > 0);
	flush(n);
}

static void test_sender_id_request(void **state)
{
	(void)state;
	struct net n;
	struct pull p;
	uint8_t nr[256];
	/* A well-formed request in a CBC group: registered, no SID key packet. */
	static const uint8_t one[] = {0x80, WIRE_GAPA_SENDER_ID_REQUEST, 0, 1};
	net_up(&n);
	send_msg1(&n, &p, id_1234, true, false);
	size_t nr_len = open_msg2(&n, &p, nr);
	send_msg3_gap(&n, &p, nr, nr_len, one, sizeof(one));
	assert_int_equal(n.registered, 1);
	uint8_t plain[4096];
	struct ike1_prot_in in;
	struct ike1_bytes ni = {p.ni, sizeof(p.ni)}, nrb = {nr, nr_len};
	assert_int_equal(ike1_prot_open(n.sa, n.now, n.last_to_gm.b, n.last_to_gm.len, ni, nrb,
					plain, sizeof(plain), &in),
			 0);
	struct wire_kd kd;
	const struct wire_payload *kpl = wire_msg_find(&in.m, WIRE_PL_KD, 0);
	assert_non_null(kpl);
	assert_int_equal(wire_kd_decode(kpl, &kd, NULL), 0);
	assert_null(wire_kd_find(&kd, WIRE_KD_SID, NULL, 0));
	struct gdoi_ks_member_info m;
	assert_int_equal(gdoi_ks_member_get(n.ks, GM_IP, "G1", &m), 0);
	assert_int_equal(m.sid, 0);
	net_down(&n);
	/* SENDER_ID_REQUEST as 9 octets: no integer, refused, no member. */
	static const uint8_t nine[] = {0, WIRE_GAPA_SENDER_ID_REQUEST, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0,
				       1};
	net_up(&n);
	send_msg1(&n, &p, id_1234, true, false);
	nr_len = open_msg2(&n, &p, nr);
	send_msg3_gap(&n, &p, nr, nr_len, nine, sizeof(nine));
	assert_int_equal(n.notify, WIRE_N_PAYLOAD_MALFORMED);
	assert_int_equal(n.registered, 0);
	struct gdoi_ks_mem mem;
	gdoi_ks_mem(n.ks, &mem);
	assert_int_equal(mem.members, 0);
	net_down(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_full_exchange_and_cached_answers),
	    TEST(test_refusals),
	    TEST(test_forged_hash_changes_nothing),
	    TEST(test_sender_id_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
