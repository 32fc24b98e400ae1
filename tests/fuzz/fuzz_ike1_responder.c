/*
 * libFuzzer target: the IKEv1 responder input path. Each input is a
 * sequence of datagrams, each prefixed by a 2-octet big-endian length, fed
 * one after another (1 ms apart, with a tick after each) to a fresh
 * responder table with a fixed pre-shared key and a seeded RNG, so that
 * the seeds MM1 / MM1+MM3 / MM1+MM3+MM5 (+ a protected message) drive a
 * real handshake and the fuzzer mutates from there. Messages the table
 * hands up (IKE1_IN_UPPER) go through ike1_prot_open as the GDOI layer would.
 *
 * Seeds: tests/fuzz/corpus/ike1_responder/. To regenerate them, build this
 * file as a program with -DGVPN_FUZZ_MAKE_SEEDS (links gv_ike1 and its
 * layers) and run it with the corpus directory as argument.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "crypto/rng.h"
#include "ike1/prot.h"
#include "ike1/sa.h"
#include "util/clock.h"
#include "wire/names.h"

#define PSK  "fuzz-pre-shared-key"
#define T0   (1000 * NS_PER_SEC)
#define STEP NS_PER_MS

static const struct ike1_policy policies[] = {
    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA1, WIRE_P1_AUTH_PSK, 14, 86400},
    {CRYPTO_CBC_AES256, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 19, 86400},
};

static int psk_cb(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	(void)ctx;
	(void)peer;
	memcpy(key, PSK, sizeof(PSK) - 1);
	return (int)sizeof(PSK) - 1;
}

/* The table under test (and, for the seed generator, its initiator). */
static int table(struct ike1_sa_table *t, struct crypto_rng *rng, uint64_t seed, uint32_t local,
		 const struct ike1_io *io)
{
	struct ike1_config cfg;
	ike1_config_default(&cfg);
	cfg.policies = policies;
	cfg.n_policies = sizeof(policies) / sizeof(policies[0]);
	cfg.local = (struct ike1_peer){local, 848};
	crypto_rng_seeded(rng, seed);
	return ike1_sa_table_init(t, &cfg, io, rng, NULL);
}

static const struct ike1_peer initiator = {0x0a000002, 848};

/* One datagram into the responder, as the daemon would, then a tick. */
static void feed(struct ike1_sa_table *t, uint64_t now, const uint8_t *p, size_t n)
{
	struct ike1_sa *sa = NULL;
	if (ike1_sa_input(t, now, &initiator, p, n, &sa) == IKE1_IN_UPPER && sa) {
		static uint8_t plain[65536];
		struct ike1_prot_in in;
		if (ike1_prot_open(sa, now, p, n, IKE1_NO_BYTES, IKE1_NO_BYTES, plain,
				   sizeof(plain), &in) == 0)
			ike1_prot_end(sa, now, in.m.hdr.msgid);
	}
	ike1_sa_tick(t, now);
}

#ifndef GVPN_FUZZ_MAKE_SEEDS

static void quiet_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)peer;
	(void)msg;
	(void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike1_sa_table t;
	struct crypto_rng rng;
	struct ike1_io io = {.send = quiet_send, .psk = psk_cb};
	if (table(&t, &rng, 7, 0x0a000001, &io) < 0)
		return 0;
	uint64_t now = T0;
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1];
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		feed(&t, now, data, n);
		data += n;
		size -= n;
		now += STEP;
	}
	/* Run the timers out: retransmission state, expiry and freeing paths. */
	ike1_sa_tick(&t, now + 100 * NS_PER_SEC);
	ike1_sa_table_free(&t);
	return 0;
}

#else /* seed generator */

struct wire {
	uint8_t q[8][2048];
	size_t len[8], n;
};

static void capture(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct wire *w = ctx;
	(void)peer;
	if (w->n < 8 && len <= sizeof(w->q[0])) {
		memcpy(w->q[w->n], msg, len);
		w->len[w->n++] = len;
	}
}

static void write_seed(const char *dir, const char *name, uint8_t *const *msgs, const size_t *lens,
		       size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		uint8_t l[2] = {(uint8_t)(lens[i] >> 8), (uint8_t)lens[i]};
		fwrite(l, 1, 2, f);
		fwrite(msgs[i], 1, lens[i], f);
	}
	fclose(f);
}

static int first_sa(void *arg, struct ike1_sa *sa)
{
	*(struct ike1_sa **)arg = sa;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	struct wire to_r = {0}, to_i = {0};
	struct ike1_sa *done = NULL;
	struct ike1_sa_table r, i;
	struct crypto_rng rr, ri;
	struct ike1_io rio = {.ctx = &to_i, .send = capture, .psk = psk_cb};
	struct ike1_io iio = {.ctx = &to_r, .send = capture, .psk = psk_cb};
	if (table(&r, &rr, 7, 0x0a000001, &rio) < 0 || table(&i, &ri, 8, 0x0a000002, &iio) < 0)
		return 1;
	/* The initiator's messages 1, 3, 5 reach the responder at the times the target uses. */
	struct ike1_peer resp = {0x0a000001, 848};
	uint64_t now = T0;
	ike1_sa_initiate(&i, now, &resp, NULL);
	for (size_t k = 0; k < 3; k++) {
		feed(&r, now, to_r.q[k], to_r.len[k]);
		now += STEP;
		struct ike1_sa *dummy;
		ike1_sa_input(&i, now, &resp, to_i.q[k], to_i.len[k], &dummy);
	}
	/* One protected message (exchange 32, HASH(1), Nonce) on the new SA. */
	ike1_sa_foreach(&i, first_sa, &done);
	uint8_t *msgs[4] = {to_r.q[0], to_r.q[1], to_r.q[2], to_r.q[3]};
	if (done && done->state == IKE1_GDOI_IDLE) {
		struct wire_builder b;
		ike1_prot_begin(done, &b, to_r.q[3], sizeof(to_r.q[3]), WIRE_EXCH_GROUPKEY_PULL,
				77);
		wire_build_nonce(&b, &(struct wire_data){(const uint8_t *)"0123456789abcdef", 16});
		int n = ike1_prot_seal(done, now, &b, IKE1_NO_BYTES, IKE1_NO_BYTES);
		to_r.len[3] = n > 0 ? (size_t)n : 0;
	}
	write_seed(argv[1], "mm1", msgs, to_r.len, 1);
	write_seed(argv[1], "mm1_mm3", msgs, to_r.len, 2);
	write_seed(argv[1], "mm1_mm3_mm5", msgs, to_r.len, 3);
	if (to_r.len[3])
		write_seed(argv[1], "mm1_mm3_mm5_pull1", msgs, to_r.len, 4);
	ike1_sa_table_free(&r);
	ike1_sa_table_free(&i);
	return 0;
}

#endif
