/*
 * libFuzzer target: the group member's GROUPKEY-PUSH path (gdoi/rekey.h
 * and gm_rekey.c) on a member registered with a fixed KEK, KS key and
 * policy (restored before every input, so one input cannot change what
 * the next one meets).
 *
 * Input: a mode octet, then
 *   mode even: the first payload type and the plaintext payload chain of a
 *              push up to (not including) SIG. The harness plays the key
 *              server: it links a SIG payload after the last payload it
 *              can find, signs, pads and encrypts with the KEK, so the
 *              fuzzer reaches everything after the signature check
 *              (policy decode, merge, deletes, ACK);
 *   mode odd:  a whole datagram as it could arrive (cookies, lengths and
 *              ciphertext of the fuzzer's choosing), also parsed as a push
 *              ACK (the key server's decoder).
 * Beyond "no crash, no sanitizer report": after a signed input the member
 * still has a KEK and its SEQ never went down; a push is never answered
 * with anything but one ACK.
 *
 * Seeds: tests/fuzz/corpus/rekey/ (plaintext chains of the gdoid captures'
 * pushes, frames 11-13, in mode 0).
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/rng.h"
#include "gdoi/caps.h"
#include "gdoi/gm_priv.h"
#include "gdoi/rekey.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/mem.h"
#include "wire/build.h"
#include "wire/names.h"

#define NOW   (1000 * NS_PER_SEC)
#define KS_IP 0x0a000001u
#define GM_IP 0x0a000002u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

static const struct ike1_policy p1[] = {
    {CRYPTO_CBC_AES128, CRYPTO_HASH_SHA256, WIRE_P1_AUTH_PSK, 14, 86400},
};

static struct crypto_rng rng;
static struct crypto_rsa ks_key;
static struct gdoi_gm *gm;
static struct gm_group *grp;
static struct gdoi_policy tmpl; /* what the member holds before each input */
static size_t sends;
static uint8_t msg[GDOI_REKEY_MSG_MAX + 1024];

static void on_send(void *ctx, const struct ike1_peer *peer, const uint8_t *m, size_t len)
{
	(void)ctx;
	(void)peer;
	struct gdoi_rekey_ack a;
	require(gdoi_rekey_ack_parse(m, len, &a) == 0); /* only ACKs go out */
	sends++;
}

static void make_template(void)
{
	struct gdoi_kek *k = &tmpl.kek;
	tmpl.has_kek = true;
	memset(k->spi, 0xa5, sizeof(k->spi));
	k->alg = CRYPTO_CBC_AES128;
	memset(k->key, 0x11, 16);
	memset(k->iv, 0x22, 16);
	k->has_keys = true;
	k->life_sec = 86400;
	k->expires_ns = NOW + 86400 * NS_PER_SEC;
	k->sig_hash = CRYPTO_HASH_SHA256;
	k->sig_alg = WIRE_SIG_ALG_RSA;
	k->ack_requested = true;
	struct gdoi_tek *t = &tmpl.tek[0];
	t->spi = 0x10002000;
	t->sa_num = 1;
	t->xf = (struct gdoi_transform){GDOI_ENC_AES_CBC, 128, GDOI_AUTH_SHA256};
	t->has_keys = true;
	t->life_sec = 3600;
	t->expires_ns = NOW + 3600 * NS_PER_SEC;
	tmpl.n_teks = 1;
	tmpl.acl[0] = (struct gdoi_acl_entry){
	    .action = GDOI_ACL_PERMIT, .src_wild = ~0u, .dst_wild = ~0u, .sa_num = 1};
	tmpl.n_acl = 1;
	tmpl.has_gap = true;
	tmpl.atd_sec = tmpl.dtd_sec = 10;
	tmpl.has_seq = true;
	tmpl.seq = 0;
	struct dbuf d = {0};
	require(crypto_rsa_public_spki(&ks_key, &d) == 0);
	memcpy(tmpl.spki, d.p, d.len);
	tmpl.spki_len = d.len;
	dbuf_free(&d);
}

static void init(void)
{
	crypto_rng_seeded(&rng, 1);
	require(crypto_rsa_generate(&ks_key, 1024) == 0); /* the cheapest allowed: fast signing */
	make_template();
	static const uint32_t servers[] = {KS_IP};
	struct gdoi_gm_group_config g = {
	    .name = "G1", .id = {GDOI_ID_NUMBER, 1}, .servers = servers, .n_servers = 1};
	struct gdoi_gm_config c = {.caps = GDOI_CAPS_ALL, .groups = &g, .n_groups = 1};
	ike1_config_default(&c.ike);
	c.ike.policies = p1;
	c.ike.n_policies = 1;
	c.ike.local = (struct ike1_peer){GM_IP, 848};
	struct gdoi_gm_io io = {.send = on_send};
	char err[128];
	require(gdoi_gm_new(&c, &io, &rng, NULL, NOW, &gm, err, sizeof(err)) == 0);
	grp = gm->groups[0];
}

/* The member as registration left it (no attempt running, nothing due). */
static void reset(void)
{
	gdoi_policy_clear(&grp->pol);
	grp->pol = tmpl;
	grp->registered = grp->ever_registered = true;
	grp->st = GM_ST_IDLE;
	grp->next_ns = CLOCK_NEVER;
	grp->activate_ns = CLOCK_NEVER;
	grp->kack_len = 32;
	grp->kack_hash = CRYPTO_HASH_SHA256;
	memset(grp->kack, 0x33, 32);
	gm_rekey_forget(grp);
}

/* Offset of the Next Payload octet of the chain's last payload, or 0. */
static size_t last_next_at(const uint8_t *m, size_t len, uint8_t first)
{
	struct wire_chain ch;
	struct wire_payload pl;
	size_t at = WIRE_HDR_OFF_NEXT;
	wire_chain_init(&ch, m, len, first);
	int rc;
	while ((rc = wire_chain_next(&ch, &pl, NULL)) == 1)
		at = pl.off;
	return rc == 0 ? at : 0;
}

/* Play the KS: HDR | chain | SIG, signed, padded, encrypted with the KEK. */
static size_t seal(const uint8_t *chain, size_t n, uint8_t first)
{
	size_t sig_len = crypto_rsa_size(&ks_key);
	size_t unpadded = WIRE_ISAKMP_HDR_LEN + n + WIRE_GEN_HDR_LEN + sig_len;
	size_t total = WIRE_ISAKMP_HDR_LEN + (unpadded - WIRE_ISAKMP_HDR_LEN + 15) / 16 * 16;
	if (total > GDOI_REKEY_MSG_MAX)
		return 0;
	struct wire_isakmp_hdr h = {.version = WIRE_ISAKMP_VERSION,
				    .exch = WIRE_EXCH_GROUPKEY_PUSH,
				    .flags = WIRE_FLAG_E,
				    .next = first,
				    .len = (uint32_t)total};
	memcpy(h.icookie, tmpl.kek.spi, 8);
	memcpy(h.rcookie, tmpl.kek.spi + 8, 8);
	wire_isakmp_hdr_encode(&h, msg);
	memcpy(msg + WIRE_ISAKMP_HDR_LEN, chain, n);
	size_t link = last_next_at(msg, WIRE_ISAKMP_HDR_LEN + n, first);
	if (link)
		msg[link] = WIRE_PL_SIG;
	uint8_t *sig = msg + WIRE_ISAKMP_HDR_LEN + n;
	sig[0] = 0;
	sig[1] = 0;
	buf_store_u16(sig + 2, (uint16_t)(WIRE_GEN_HDR_LEN + sig_len));
	static const uint8_t label[5] = {'r', 'e', 'k', 'e', 'y'};
	struct crypto_iov iov[2] = {{label, 5}, {msg, WIRE_ISAKMP_HDR_LEN + n}};
	uint8_t dg[CRYPTO_HASH_MAX];
	require(crypto_hash(CRYPTO_HASH_SHA256, iov, 2, dg) >= 0);
	require(crypto_rsa_sign_digest(&ks_key, CRYPTO_HASH_SHA256, dg, 32, CRYPTO_SIG_RAW_DIGEST,
				       sig + WIRE_GEN_HDR_LEN, sig_len) == (int)sig_len);
	memset(msg + unpadded, 0, total - unpadded);
	require(crypto_cbc_encrypt(tmpl.kek.alg, tmpl.kek.key, tmpl.kek.iv,
				   msg + WIRE_ISAKMP_HDR_LEN, msg + WIRE_ISAKMP_HDR_LEN,
				   total - WIRE_ISAKMP_HDR_LEN, NULL) == 0);
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!gm)
		init();
	if (size < 2)
		return 0;
	reset();
	sends = 0;
	const struct ike1_peer ks = {KS_IP, 848};
	if (data[0] & 1) {
		struct gdoi_rekey_ack a;
		(void)gdoi_rekey_ack_parse(data + 1, size - 1, &a);
		/* Only pushes: other exchanges belong to ike1's own target. */
		if (size - 1 < WIRE_ISAKMP_HDR_LEN || data[1 + 18] != WIRE_EXCH_GROUPKEY_PUSH)
			return 0;
		gdoi_gm_input(gm, NOW, &ks, data + 1, size - 1);
		require(sends == 0); /* nothing it cannot have verified is answered */
		return 0;
	}
	size_t len = seal(data + 2, size - 2, data[1]);
	if (!len)
		return 0;
	gdoi_gm_input(gm, NOW, &ks, msg, len);
	require(sends <= 1);
	require(grp->registered && grp->pol.has_kek && grp->pol.kek.has_keys);
	require(sends == 0 || grp->pol.seq > 0);
	/* Activation of what got installed (publishes the policy again). */
	gm_rekey_tick(gm, grp, NOW + 3000 * NS_PER_SEC);
	return 0;
}
