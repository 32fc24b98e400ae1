/*
 * The protected-exchange API between two established SAs: a GROUPKEY-PULL
 * shaped exchange with HASH(1)-HASH(4), retransmissions answered from the
 * cache, the requester's resend, per-M-ID chains (bounded, independent,
 * expiring after the grace period), informationals and DPD.
 */
#include "pair.h"

#include "wire/build.h"

static struct pair P;

static const struct ike1_policy pol = {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 14,
				       86400};

static void established(struct pair *p)
{
	pair_init(p, &pol, 1);
	assert_int_equal(pair_start(p), 0);
	pair_handshake(p);
	assert_non_null(p->s[GM].up_sa);
	assert_non_null(p->s[KS].up_sa);
	p->nsent = 0;
}

/* Deliver the next datagram; it must be for the upper layer. */
static struct ike1_sa *to_upper(struct pair *p, struct pkt *k)
{
	assert_true(p->nq > 0);
	*k = p->q[0];
	assert_true(pair_deliver(p));
	assert_int_equal(p->verdict, IKE1_IN_UPPER);
	return p->upper_sa;
}

static const uint8_t ni_b[16] = "nonce-of-the-gm", nr_b[16] = "nonce-of-the-ks";
static const uint8_t group_id[] = {0x0b, 0, 0, 0, 0, 0, 0x04, 0xd2};

#define NI ((struct ike1_bytes){ni_b, sizeof(ni_b)})
#define NR ((struct ike1_bytes){nr_b, sizeof(nr_b)})

static void test_pull_shaped_exchange(void **state)
{
	(void)state;
	struct pair *p = &P;
	established(p);
	struct ike1_sa *gm = p->s[GM].up_sa, *ks = p->s[KS].up_sa;
	uint8_t buf[1024], plain[1024];
	struct wire_builder b;
	struct ike1_prot_in in;
	struct pkt k;
	uint32_t mid = ike1_prot_new_mid(gm);
	assert_int_not_equal(mid, 0);

	/* GM: 1  HDR*, HASH(1), Ni, ID  -->       HASH(1) = prf(SKEYID_a, M-ID | Ni | ID) */
	assert_int_equal(ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, mid),
			 0);
	wire_build_nonce(&b, &(struct wire_data){ni_b, sizeof(ni_b)});
	wire_build_raw(&b, WIRE_PL_ID, group_id, sizeof(group_id));
	int len = ike1_prot_send(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
	assert_true(len > 0);
	assert_int_equal((len - 28) % 16, 0);
	assert_true(ike1_prot_active(gm, mid));
	assert_ptr_equal(to_upper(p, &k), ks);
	struct wire_isakmp_hdr h;
	assert_int_equal(ike1_prot_peek(k.b, k.len, &h), 0);
	assert_int_equal(h.msgid, mid);
	assert_int_equal(h.exch, WIRE_EXCH_GROUPKEY_PULL);
	assert_int_equal(ike1_prot_open(ks, p->now, k.b, k.len, IKE1_NO_BYTES, IKE1_NO_BYTES, plain,
					sizeof(plain), &in),
			 0);
	assert_int_equal(in.n_after, 2);
	assert_int_equal(in.first->type, WIRE_PL_NONCE);
	assert_int_equal(in.m.pl[2].type, WIRE_PL_ID);
	assert_memory_equal(in.m.pl[2].body, group_id, sizeof(group_id));

	/* KS: 2  <--  HDR*, HASH(2), Nr, SA         HASH(2) = prf(SKEYID_a, M-ID | Ni_b | Nr | SA)
	 */
	assert_int_equal(ike1_prot_begin(ks, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, mid),
			 0);
	wire_build_nonce(&b, &(struct wire_data){nr_b, sizeof(nr_b)});
	wire_build_raw(&b, WIRE_PL_SA, "\x00\x00\x00\x02\x00\x00\x00\x00", 8);
	assert_true(ike1_prot_send(ks, p->now, &b, NI, IKE1_NO_BYTES) > 0);
	to_upper(p, &k);
	/* Without Ni_b the HASH does not verify, and nothing moves. */
	assert_int_equal(ike1_prot_open(gm, p->now, k.b, k.len, IKE1_NO_BYTES, IKE1_NO_BYTES, plain,
					sizeof(plain), &in),
			 ERR_AUTH);
	assert_int_equal(
	    ike1_prot_open(gm, p->now, k.b, k.len, NI, IKE1_NO_BYTES, plain, sizeof(plain), &in),
	    0);
	assert_int_equal(in.first->type, WIRE_PL_NONCE);

	/* GM: 3  HDR*, HASH(3)  -->               HASH(3) = prf(SKEYID_a, M-ID | Ni_b | Nr_b) */
	assert_int_equal(ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, mid),
			 0);
	assert_true(ike1_prot_send(gm, p->now, &b, NI, NR) > 0);
	to_upper(p, &k);
	struct pkt pull3 = k;
	assert_int_equal(ike1_prot_open(ks, p->now, k.b, k.len, NI, NR, plain, sizeof(plain), &in),
			 0);
	assert_int_equal(in.n_after, 0);
	assert_null(in.first);

	/* KS: 4  <--  HDR*, HASH(4), SEQ, KD        HASH(4) = prf(SKEYID_a, M-ID | Ni_b | Nr_b |
	 * SEQ | KD) */
	assert_int_equal(ike1_prot_begin(ks, &b, buf, sizeof(buf), WIRE_EXCH_GROUPKEY_PULL, mid),
			 0);
	wire_build_seq(&b, 0);
	wire_build_raw(&b, WIRE_PL_KD, "\x00\x00\x00\x00", 4);
	assert_true(ike1_prot_send(ks, p->now, &b, NI, NR) > 0);
	struct pkt pull4 = p->q[0];
	/* PULL 4 is lost; the GM resends PULL 3 and the KS answers from its cache. */
	p->nq = 0;
	assert_int_equal(ike1_prot_resend(gm, p->now, mid), 0);
	to_upper(p, &k);
	assert_memory_equal(k.b, pull3.b, pull3.len);
	assert_int_equal(ike1_prot_open(ks, p->now, k.b, k.len, NI, NR, plain, sizeof(plain), &in),
			 IKE1_PROT_DUP);
	assert_int_equal(p->s[KS].t.st.dup_answered, 1);
	to_upper(p, &k);
	assert_memory_equal(k.b, pull4.b, pull4.len);
	assert_int_equal(ike1_prot_open(gm, p->now, k.b, k.len, NI, NR, plain, sizeof(plain), &in),
			 0);
	assert_int_equal(in.first->type, WIRE_PL_SEQ);
	assert_int_equal(in.m.pl[2].type, WIRE_PL_KD);

	/* Both ends finish; the chains stay for the grace period, then go. */
	ike1_prot_end(gm, p->now, mid);
	ike1_prot_end(ks, p->now, mid);
	pair_run(p, p->now + 29 * NS_PER_SEC);
	assert_true(ike1_prot_active(ks, mid));
	pair_run(p, p->now + 2 * NS_PER_SEC);
	assert_false(ike1_prot_active(ks, mid));
	assert_null(ks->chains);
	assert_null(gm->chains);
	pair_free(p);
}

/* Two exchanges interleaved: each M-ID has its own IV chain. */
static void test_chains_are_per_mid(void **state)
{
	(void)state;
	struct pair *p = &P;
	established(p);
	struct ike1_sa *gm = p->s[GM].up_sa, *ks = p->s[KS].up_sa;
	uint8_t buf[512], plain[512];
	struct wire_builder b;
	struct ike1_prot_in in;
	struct pkt k1, k2, k3;
	uint32_t m1 = 0x11111111, m2 = 0x22222222;
	/* GM: HDR*(M-ID 1), HASH(1), Ni -->  then HDR*(M-ID 2), HASH(1), Ni --> */
	ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GVPN_COOP, m1);
	wire_build_nonce(&b, &(struct wire_data){ni_b, 16});
	ike1_prot_send(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
	ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GVPN_COOP, m2);
	wire_build_nonce(&b, &(struct wire_data){nr_b, 16});
	ike1_prot_send(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
	/* ... and a second message on M-ID 1 */
	ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GVPN_COOP, m1);
	ike1_prot_send(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
	to_upper(p, &k1);
	to_upper(p, &k2);
	to_upper(p, &k3);
	/* Delivered out of order across M-IDs: M-ID 2 first, then both of M-ID 1. */
	assert_int_equal(ike1_prot_open(ks, p->now, k2.b, k2.len, IKE1_NO_BYTES, IKE1_NO_BYTES,
					plain, sizeof(plain), &in),
			 0);
	/* The second message of M-ID 1 cannot be read before the first. */
	assert_true(ike1_prot_open(ks, p->now, k3.b, k3.len, IKE1_NO_BYTES, IKE1_NO_BYTES, plain,
				   sizeof(plain), &in) < 0);
	assert_int_equal(ike1_prot_open(ks, p->now, k1.b, k1.len, IKE1_NO_BYTES, IKE1_NO_BYTES,
					plain, sizeof(plain), &in),
			 0);
	assert_int_equal(ike1_prot_open(ks, p->now, k3.b, k3.len, IKE1_NO_BYTES, IKE1_NO_BYTES,
					plain, sizeof(plain), &in),
			 0);
	pair_free(p);
}

static void test_chain_limit(void **state)
{
	(void)state;
	struct pair *p = &P;
	established(p);
	struct ike1_sa *gm = p->s[GM].up_sa;
	uint8_t buf[256];
	struct wire_builder b;
	for (uint32_t m = 1; m <= IKE1_CHAINS_MAX; m++) {
		ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GVPN_COOP, m);
		assert_true(ike1_prot_seal(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES) > 0);
	}
	ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GVPN_COOP, 99);
	assert_int_equal(ike1_prot_seal(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES), ERR_LIMIT);
	/* A finished exchange frees its slot for the next one. */
	ike1_prot_end(gm, p->now, 2);
	ike1_prot_begin(gm, &b, buf, sizeof(buf), WIRE_EXCH_GVPN_COOP, 99);
	assert_true(ike1_prot_seal(gm, p->now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES) > 0);
	assert_false(ike1_prot_active(gm, 2));
	assert_int_equal(ike1_prot_resend(gm, p->now, 12345), ERR_NOTFOUND);
	pair_free(p);
}

static void test_not_before_phase1_completes(void **state)
{
	(void)state;
	struct pair *p = &P;
	pair_init(p, &pol, 1);
	assert_int_equal(pair_start(p), 0);
	struct ike1_peer ks = pair_addr(KS);
	struct ike1_sa *gm;
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, &gm), 0);
	uint8_t buf[256];
	struct wire_builder b;
	assert_int_equal(ike1_prot_begin(gm, &b, buf, sizeof(buf), 32, 1), ERR_STATE);
	/* A pull-type message for an SA still in Main Mode is dropped by the table. */
	struct pkt k = p->q[0];
	k.b[18] = WIRE_EXCH_GROUPKEY_PULL;
	k.to = GM;
	pair_feed(p, &k);
	assert_int_equal(p->verdict, IKE1_IN_DONE);
	assert_int_equal(p->s[GM].t.st.drop_malformed, 1);
	pair_free(p);
}

/* A GROUPKEY-PUSH (cookies = a KEK SPI) is none of ike1's business. */
static void test_push_is_not_mine(void **state)
{
	(void)state;
	struct pair *p = &P;
	established(p);
	struct wire_isakmp_hdr h = {.version = 0x10, .exch = WIRE_EXCH_GROUPKEY_PUSH, .flags = 1};
	memset(h.icookie, 0x42, 8);
	memset(h.rcookie, 0x43, 8);
	struct pkt k = {.to = GM, .len = 28};
	h.len = 28;
	wire_isakmp_hdr_encode(&h, k.b);
	pair_feed(p, &k);
	assert_int_equal(p->verdict, IKE1_IN_NOT_MINE);
	pair_free(p);
}

static void test_dpd_and_protected_notify(void **state)
{
	(void)state;
	struct pair *p = &P;
	established(p);
	struct ike1_sa *gm = p->s[GM].up_sa, *ks = p->s[KS].up_sa;
	uint8_t buf[256], plain[256], spi[16], seq[4] = {0, 0, 0, 7};
	memcpy(spi, gm->cky_i, 8);
	memcpy(spi + 8, gm->cky_r, 8);
	/* GM: HDR*, HASH(1), N(R-U-THERE, seq 7)  -->  KS: <-- HDR*, HASH(1), N(R-U-THERE-ACK, seq
	 * 7) */
	struct wire_notify n = {.doi = 2,
				.proto = 1,
				.spi_size = 16,
				.type = WIRE_N_R_U_THERE,
				.spi = spi,
				.data = seq,
				.data_len = 4};
	int len = ike1_info_build_protected(gm, &n, NULL, buf, sizeof(buf));
	assert_true(len > 0);
	struct pkt k = {.to = KS, .len = (size_t)len};
	memcpy(k.b, buf, (size_t)len);
	pair_feed(p, &k);
	assert_int_equal(p->verdict, IKE1_IN_DONE);
	assert_int_equal(p->nq, 1);
	struct ike1_prot_in in;
	assert_int_equal(ike1_info_open(gm, p->q[0].b, p->q[0].len, plain, sizeof(plain), &in), 0);
	struct wire_notify ack;
	assert_int_equal(wire_notify_decode(in.first, &ack, NULL), 0);
	assert_int_equal(ack.type, WIRE_N_R_U_THERE_ACK);
	assert_memory_equal(ack.data, seq, 4);
	pair_pump(p);
	/* Any other notify goes to the upper layer; a forged one nowhere. */
	n.type = WIRE_N_INVALID_ID_INFORMATION;
	n.data_len = 0;
	len = ike1_info_build_protected(gm, &n, NULL, buf, sizeof(buf));
	k.len = (size_t)len;
	memcpy(k.b, buf, (size_t)len);
	pair_feed(p, &k);
	assert_int_equal(p->s[KS].infos, 1);
	k.b[k.len - 1] ^= 1;
	pair_feed(p, &k);
	assert_int_equal(p->s[KS].infos, 1);
	assert_int_equal(p->s[KS].t.st.drop_auth + p->s[KS].t.st.drop_malformed, 1);
	(void)ks;
	pair_free(p);
}

/* Unprotected notify round trip, and a clear notify never touches a complete SA. */
static void test_clear_notify(void **state)
{
	(void)state;
	uint8_t buf[128], ci[8] = {1, 2, 3, 4, 5, 6, 7, 8}, cr[8] = {0};
	int len = ike1_info_build_clear(buf, sizeof(buf), ci, cr, 2, WIRE_N_PAYLOAD_MALFORMED);
	assert_int_equal(len, 28 + 4 + 8 + 16);
	struct wire_msg m;
	struct wire_notify n;
	assert_int_equal(ike1_info_parse_clear(buf, (size_t)len, &m, &n), 0);
	assert_int_equal(n.type, WIRE_N_PAYLOAD_MALFORMED);
	assert_int_equal(n.proto, WIRE_PROTO_ISAKMP);
	assert_memory_equal(n.spi, ci, 8);

	struct pair *p = &P;
	established(p);
	struct ike1_sa *gm = p->s[GM].up_sa;
	len = ike1_info_build_clear(buf, sizeof(buf), gm->cky_i, gm->cky_r, 2,
				    WIRE_N_AUTHENTICATION_FAILED);
	struct pkt k = {.to = GM, .len = (size_t)len};
	memcpy(k.b, buf, (size_t)len);
	pair_feed(p, &k);
	assert_int_equal(p->s[GM].downs, 0);
	assert_int_equal(gm->state, IKE1_GDOI_IDLE);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_pull_shaped_exchange), TEST(test_chains_are_per_mid),
	    TEST(test_chain_limit),	     TEST(test_not_before_phase1_completes),
	    TEST(test_push_is_not_mine),     TEST(test_dpd_and_protected_notify),
	    TEST(test_clear_notify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
