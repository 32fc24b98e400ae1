/* GROUPKEY-PUSH and its acknowledgement on the wire; see rekey.h. */
#include "gdoi/rekey.h"

#include <string.h>

#include "crypto/cipher.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/build.h"
#include "wire/names.h"
#include "wire/payload.h"

static const uint8_t REKEY_LABEL[5] = {'r', 'e', 'k', 'e', 'y'};

static void push_hdr(const uint8_t spi[GDOI_KEK_SPI_LEN], uint8_t exch, uint8_t flags,
		     struct wire_isakmp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, spi, WIRE_COOKIE_LEN);
	memcpy(h->rcookie, spi + WIRE_COOKIE_LEN, WIRE_COOKIE_LEN);
	h->version = WIRE_ISAKMP_VERSION;
	h->exch = exch;
	h->flags = flags;
}

/* Digest of "rekey" | hdr (with the Length given) | payloads up to the SIG payload. */
static int sign_digest(const uint8_t *plain, size_t sig_off, uint32_t hdr_len,
		       enum crypto_hash_alg hash, uint8_t out[static CRYPTO_HASH_MAX])
{
	uint8_t hdr[WIRE_ISAKMP_HDR_LEN];
	memcpy(hdr, plain, sizeof(hdr));
	buf_store_u32(hdr + WIRE_HDR_OFF_LENGTH, hdr_len);
	struct crypto_iov iov[3] = {{REKEY_LABEL, sizeof(REKEY_LABEL)},
				    {hdr, sizeof(hdr)},
				    {plain + WIRE_ISAKMP_HDR_LEN, sig_off - WIRE_ISAKMP_HDR_LEN}};
	return crypto_hash(hash, iov, 3, out) < 0 ? ERR_CRYPTO : 0;
}

static size_t round_up(size_t n, size_t block)
{
	return (n + block - 1) / block * block;
}

/* ---- build (KS) ---- */

/* The payloads before SIG, in RFC 6407 §4 order. 0 or ERR_NOSPACE. */
static int build_body(const struct gdoi_rekey_build *in, struct wire_builder *b)
{
	wire_build_seq(b, in->seq);
	if (in->del)
		wire_build_delete(b, in->del);
	if (in->sa)
		wire_build_gdoi_sa(b, in->sa, WIRE_DIALECT_RFC6407);
	if (in->kd)
		wire_build_kd(b, in->kd);
	int rc = buf_w_result(&b->w);
	return rc < 0 ? rc : 0;
}

static int sign_into(const struct gdoi_rekey_build *in, uint8_t *out, size_t sig_off,
		     uint32_t final_len, uint32_t unpadded_len, uint8_t *sig, size_t sig_cap)
{
	uint8_t dg[CRYPTO_HASH_MAX];
	int rc =
	    sign_digest(out, sig_off, in->unpadded_len ? unpadded_len : final_len, in->hash, dg);
	if (rc == 0)
		rc = crypto_rsa_sign_digest(in->key, in->hash, dg, crypto_hash_len(in->hash),
					    in->form ? in->form : CRYPTO_SIG_RAW_DIGEST, sig,
					    sig_cap);
	mem_wipe(dg, sizeof(dg));
	return rc;
}

int gdoi_rekey_build(const struct gdoi_rekey_build *in, uint8_t *out, size_t cap)
{
	size_t block = crypto_cbc_block_len(in->kek->alg);
	size_t sig_len = in->key ? crypto_rsa_size(in->key) : 0;
	if (!block || !sig_len || !crypto_hash_len(in->hash) || (!in->sa != !in->kd))
		return ERR_INVAL;
	struct wire_isakmp_hdr h;
	push_hdr(in->kek->spi, WIRE_EXCH_GROUPKEY_PUSH, WIRE_FLAG_E, &h);
	struct wire_builder b;
	wire_build_init(&b, out, cap, &h);
	int rc = build_body(in, &b);
	if (rc < 0)
		return rc;
	/* The signed header carries the final length: know it before signing. */
	size_t sig_off = b.w.len;
	size_t unpadded = sig_off + WIRE_GEN_HDR_LEN + sig_len;
	size_t total = WIRE_ISAKMP_HDR_LEN + round_up(unpadded - WIRE_ISAKMP_HDR_LEN, block);
	if (total > cap || total > UINT32_MAX)
		rc = ERR_NOSPACE;
	size_t at = rc == 0 ? wire_build_begin(&b, WIRE_PL_SIG) : 0;
	uint8_t *sig = rc == 0 ? buf_put_space(&b.w, sig_len) : NULL;
	if (rc == 0 && !sig)
		rc = ERR_NOSPACE;
	if (rc == 0)
		buf_store_u32(out + WIRE_HDR_OFF_LENGTH, (uint32_t)total);
	if (rc == 0)
		rc = sign_into(in, out, sig_off, (uint32_t)total, (uint32_t)unpadded, sig, sig_len);
	if (rc >= 0) {
		wire_build_end(&b, at);
		rc = wire_build_finish(&b);
	}
	if (rc >= 0) {
		buf_store_u32(out + WIRE_HDR_OFF_LENGTH, (uint32_t)total);
		memset(out + unpadded, 0, total - unpadded);
		rc = crypto_cbc_encrypt(in->kek->alg, in->kek->key, in->kek->iv,
					out + WIRE_ISAKMP_HDR_LEN, out + WIRE_ISAKMP_HDR_LEN,
					total - WIRE_ISAKMP_HDR_LEN, NULL) < 0
			 ? ERR_CRYPTO
			 : (int)total;
	}
	if (rc < 0)
		mem_wipe(out, MIN(cap, total));
	return rc;
}

/* ---- open and verify (GM) ---- */

bool gdoi_rekey_is_for(const uint8_t *msg, size_t len, const uint8_t spi[GDOI_KEK_SPI_LEN])
{
	return len >= WIRE_ISAKMP_HDR_LEN && !memcmp(msg, spi, GDOI_KEK_SPI_LEN);
}

/* Sort the payloads of the decrypted chain; SEQ first, SIG last (RFC 6407 §4). */
static int classify(struct gdoi_rekey_in *r)
{
	const struct wire_msg *m = &r->m;
	if (m->n < 2 || m->pl[0].type != WIRE_PL_SEQ || m->pl[m->n - 1].type != WIRE_PL_SIG)
		return ERR_PROTO;
	r->sig = &m->pl[m->n - 1];
	for (size_t i = 1; i + 1 < m->n; i++) {
		const struct wire_payload *p = &m->pl[i];
		if (p->type == WIRE_PL_SA && !r->sa)
			r->sa = p;
		else if (p->type == WIRE_PL_KD && !r->kd)
			r->kd = p;
		else if (p->type == WIRE_PL_D && r->n_del < GDOI_REKEY_DEL_MAX)
			r->del[r->n_del++] = p;
		else if (p->type != WIRE_PL_CERT)
			return ERR_PROTO;
	}
	if (!r->sa != !r->kd)
		return ERR_PROTO;
	return wire_seq_decode(&m->pl[0], &r->seq, NULL) < 0 ? ERR_PROTO : 0;
}

int gdoi_rekey_open(const uint8_t *msg, size_t len, const struct gdoi_kek *kek, uint8_t *plain,
		    size_t cap, struct gdoi_rekey_in *out)
{
	memset(out, 0, sizeof(*out));
	struct wire_isakmp_hdr h;
	size_t block = crypto_cbc_block_len(kek->alg);
	if (wire_isakmp_hdr_decode(msg, len, &h, NULL) < 0 || h.exch != WIRE_EXCH_GROUPKEY_PUSH ||
	    !(h.flags & WIRE_FLAG_E) || !gdoi_rekey_is_for(msg, len, kek->spi) || !block ||
	    !kek->has_keys)
		return ERR_INVAL;
	size_t body = len - WIRE_ISAKMP_HDR_LEN;
	if (!body || body % block || cap < len)
		return ERR_BADLEN;
	memcpy(plain, msg, WIRE_ISAKMP_HDR_LEN);
	int rc = crypto_cbc_decrypt(kek->alg, kek->key, kek->iv, msg + WIRE_ISAKMP_HDR_LEN,
				    plain + WIRE_ISAKMP_HDR_LEN, body, NULL) < 0
		     ? ERR_CRYPTO
		     : 0;
	if (rc == 0 && wire_msg_decode(plain, len, &out->m, NULL) < 0)
		rc = ERR_PROTO;
	if (rc == 0)
		rc = classify(out);
	if (rc < 0)
		mem_wipe(plain, len);
	return rc;
}

int gdoi_rekey_verify(struct gdoi_rekey_in *in, const uint8_t *plain, const struct crypto_rsa *pub,
		      enum crypto_hash_alg hash)
{
	size_t dlen = crypto_hash_len(hash);
	if (!dlen || !in->sig)
		return ERR_INVAL;
	uint32_t lens[2] = {in->m.hdr.len,
			    (uint32_t)(in->sig->off + WIRE_GEN_HDR_LEN + in->sig->len)};
	for (size_t i = 0; i < 2; i++) {
		uint8_t dg[CRYPTO_HASH_MAX];
		if (i == 1 && lens[1] == lens[0])
			break;
		if (sign_digest(plain, in->sig->off, lens[i], hash, dg) < 0)
			return ERR_CRYPTO;
		int rc = crypto_rsa_verify_digest(pub, hash, dg, dlen, in->sig->body, in->sig->len,
						  &in->form);
		if (rc == 0) {
			in->unpadded_len = i == 1;
			return 0;
		}
	}
	return ERR_AUTH;
}

/* ---- acknowledgement ---- */

static int ack_hash(const struct gdoi_kack *k, const uint8_t *covered, size_t len,
		    uint8_t out[static CRYPTO_HASH_MAX])
{
	static const uint8_t mid[4];
	struct crypto_iov iov[2] = {{mid, sizeof(mid)}, {covered, len}};
	return crypto_hmac(k->prf, k->key, k->len, iov, 2, out) < 0 ? ERR_CRYPTO : 0;
}

int gdoi_rekey_ack_build(const uint8_t spi[GDOI_KEK_SPI_LEN], uint32_t seq, uint32_t addr,
			 const struct gdoi_kack *k, uint8_t *out, size_t cap)
{
	size_t hlen = crypto_hash_len(k->prf);
	if (!hlen || !k->len)
		return ERR_INVAL;
	struct wire_isakmp_hdr h;
	push_hdr(spi, WIRE_EXCH_PUSH_ACK, 0, &h);
	struct wire_builder b;
	wire_build_init(&b, out, cap, &h);
	size_t at = wire_build_begin(&b, WIRE_PL_HASH);
	uint8_t *hash = buf_put_space(&b.w, hlen);
	wire_build_end(&b, at);
	size_t covered = b.w.len;
	wire_build_seq(&b, seq);
	uint8_t ip[4];
	buf_store_u32(ip, addr);
	wire_build_id(&b, &(struct wire_id){.type = WIRE_ID_IPV4_ADDR, .data = ip, .len = 4});
	int len = wire_build_finish(&b);
	if (len < 0 || !hash)
		return len < 0 ? len : ERR_NOSPACE;
	uint8_t mac[CRYPTO_HASH_MAX];
	int rc = ack_hash(k, out + covered, (size_t)len - covered, mac);
	memcpy(hash, mac, hlen);
	mem_wipe(mac, sizeof(mac));
	return rc < 0 ? rc : len;
}

int gdoi_rekey_ack_parse(const uint8_t *msg, size_t len, struct gdoi_rekey_ack *out)
{
	memset(out, 0, sizeof(*out));
	struct wire_msg m;
	if (wire_msg_decode(msg, len, &m, NULL) < 0)
		return ERR_PROTO;
	if (m.hdr.exch != WIRE_EXCH_PUSH_ACK || m.hdr.flags & WIRE_FLAG_E)
		return ERR_INVAL;
	if (m.n != 3 || m.pl[0].type != WIRE_PL_HASH || m.pl[1].type != WIRE_PL_SEQ ||
	    m.pl[2].type != WIRE_PL_ID)
		return ERR_PROTO;
	struct wire_data hash;
	struct wire_id id;
	if (wire_hash_decode(&m.pl[0], &hash, NULL) < 0 ||
	    wire_seq_decode(&m.pl[1], &out->seq, NULL) < 0 ||
	    wire_id_decode(&m.pl[2], &id, NULL) < 0 || id.type != WIRE_ID_IPV4_ADDR || id.len != 4)
		return ERR_PROTO;
	memcpy(out->spi, m.hdr.icookie, WIRE_COOKIE_LEN);
	memcpy(out->spi + WIRE_COOKIE_LEN, m.hdr.rcookie, WIRE_COOKIE_LEN);
	out->addr = buf_load_u32(id.data);
	out->hash = hash.p;
	out->hash_len = hash.len;
	out->covered = msg + m.pl[1].off;
	out->covered_len = m.pl[2].off + WIRE_GEN_HDR_LEN + m.pl[2].len - m.pl[1].off;
	return 0;
}

int gdoi_rekey_ack_verify(const struct gdoi_rekey_ack *a, const struct gdoi_kack *k)
{
	uint8_t mac[CRYPTO_HASH_MAX];
	size_t hlen = crypto_hash_len(k->prf);
	if (!hlen || a->hash_len != hlen || ack_hash(k, a->covered, a->covered_len, mac) < 0)
		return ERR_AUTH;
	bool ok = mem_equal_ct(mac, a->hash, hlen);
	mem_wipe(mac, sizeof(mac));
	return ok ? 0 : ERR_AUTH;
}
