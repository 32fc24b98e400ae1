/*
 * ESP tunnel mode with header preservation. The received packet is
 * untrusted: every offset is checked against the lengths before use, the
 * outer header is read by dp_pkt_ipv4_parse (a cursor), and the ESP fields
 * by buf_load_* only after the length checks that cover them.
 */
#include "dp/esp.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/mem.h"

enum { GCM_ALIGN = 4, MIN_CTR_BITS = 16, TRAILER_LEN = 2 };

static bool is_cbc(enum dp_esp_encr e)
{
	return e == DP_ESP_ENCR_AES_CBC || e == DP_ESP_ENCR_3DES_CBC;
}

static bool aes_bits_ok(uint16_t bits)
{
	return bits == 128 || bits == 192 || bits == 256;
}

int dp_esp_xform_check(const struct dp_esp_xform *xf, bool allow_no_integrity)
{
	bool hmac = xf->auth == DP_ESP_AUTH_SHA1_96 || xf->auth == DP_ESP_AUTH_SHA256_128;
	switch (xf->encr) {
	case DP_ESP_ENCR_AES_GCM:
		return aes_bits_ok(xf->key_bits) && xf->auth == DP_ESP_AUTH_NONE ? 0 : ERR_INVAL;
	case DP_ESP_ENCR_AES_CBC:
		if (!aes_bits_ok(xf->key_bits))
			return ERR_INVAL;
		return hmac || (allow_no_integrity && xf->auth == DP_ESP_AUTH_NONE) ? 0 : ERR_INVAL;
	case DP_ESP_ENCR_3DES_CBC:
		return xf->key_bits == 192 && hmac ? 0 : ERR_INVAL;
	case DP_ESP_ENCR_NULL:
		return xf->key_bits == 0 && hmac ? 0 : ERR_INVAL;
	}
	return ERR_INVAL;
}

int dp_esp_xform_from_ids(uint8_t transform_id, uint16_t key_bits, uint16_t auth_alg,
			  struct dp_esp_xform *xf)
{
	memset(xf, 0, sizeof(*xf));
	switch (auth_alg) {
	case 0:
		xf->auth = DP_ESP_AUTH_NONE;
		break;
	case DP_ESP_AUTH_ALG_HMAC_SHA1:
		xf->auth = DP_ESP_AUTH_SHA1_96;
		break;
	case DP_ESP_AUTH_ALG_HMAC_SHA2_256:
		xf->auth = DP_ESP_AUTH_SHA256_128;
		break;
	default:
		return ERR_UNSUPP;
	}
	switch (transform_id) {
	case DP_ESP_ID_3DES:
		xf->encr = DP_ESP_ENCR_3DES_CBC;
		xf->key_bits = 192;
		break;
	case DP_ESP_ID_NULL:
		xf->encr = DP_ESP_ENCR_NULL;
		break;
	case DP_ESP_ID_AES_CBC:
		xf->encr = DP_ESP_ENCR_AES_CBC;
		xf->key_bits = key_bits ? key_bits : 128;
		break;
	case DP_ESP_ID_AES_GCM_16:
		xf->encr = DP_ESP_ENCR_AES_GCM;
		xf->key_bits = key_bits ? key_bits : 128;
		break;
	default:
		return ERR_UNSUPP;
	}
	return dp_esp_xform_check(xf, false) ? ERR_UNSUPP : 0;
}

const char *dp_esp_xform_name(const struct dp_esp_xform *xf, char buf[static DP_ESP_NAME_MAX])
{
	const char *auth = xf->auth == DP_ESP_AUTH_SHA1_96	? " esp-sha-hmac"
			   : xf->auth == DP_ESP_AUTH_SHA256_128 ? " esp-sha256-hmac"
								: "";
	switch (xf->encr) {
	case DP_ESP_ENCR_AES_GCM:
		if (xf->key_bits == 128)
			snprintf(buf, DP_ESP_NAME_MAX, "esp-gcm");
		else
			snprintf(buf, DP_ESP_NAME_MAX, "esp-gcm %u", xf->key_bits);
		break;
	case DP_ESP_ENCR_AES_CBC:
		if (xf->key_bits == 128)
			snprintf(buf, DP_ESP_NAME_MAX, "esp-aes%s", auth);
		else
			snprintf(buf, DP_ESP_NAME_MAX, "esp-%u-aes%s", xf->key_bits, auth);
		break;
	case DP_ESP_ENCR_3DES_CBC:
		snprintf(buf, DP_ESP_NAME_MAX, "esp-3des%s", auth);
		break;
	case DP_ESP_ENCR_NULL:
		snprintf(buf, DP_ESP_NAME_MAX, "esp-null%s", auth);
		break;
	default:
		snprintf(buf, DP_ESP_NAME_MAX, "unknown");
	}
	return buf;
}

size_t dp_esp_enc_key_len(const struct dp_esp_xform *xf)
{
	size_t k = xf->key_bits / 8u;
	return xf->encr == DP_ESP_ENCR_AES_GCM ? k + DP_ESP_SALT_LEN : k;
}

size_t dp_esp_auth_key_len(const struct dp_esp_xform *xf)
{
	return xf->auth == DP_ESP_AUTH_SHA1_96 ? 20 : xf->auth == DP_ESP_AUTH_SHA256_128 ? 32 : 0;
}

size_t dp_esp_iv_len(const struct dp_esp_xform *xf)
{
	switch (xf->encr) {
	case DP_ESP_ENCR_AES_GCM:
		return 8;
	case DP_ESP_ENCR_AES_CBC:
		return 16;
	case DP_ESP_ENCR_3DES_CBC:
		return 8;
	default:
		return 0;
	}
}

size_t dp_esp_icv_len(const struct dp_esp_xform *xf)
{
	if (xf->encr == DP_ESP_ENCR_AES_GCM)
		return CRYPTO_GCM_TAG_LEN;
	return xf->auth == DP_ESP_AUTH_SHA1_96 ? 12 : xf->auth == DP_ESP_AUTH_SHA256_128 ? 16 : 0;
}

/* Payload + trailer is padded to this (RFC 4303 §2.4). */
static size_t align_of(const struct dp_esp_xform *xf)
{
	return is_cbc(xf->encr) ? dp_esp_iv_len(xf) : GCM_ALIGN;
}

size_t dp_esp_headroom(const struct dp_esp_xform *xf)
{
	return DP_IPV4_HDR_MIN + DP_ESP_HDR_LEN + dp_esp_iv_len(xf);
}

static size_t padded_len(size_t payload_len, size_t align)
{
	return (payload_len + TRAILER_LEN + align - 1) / align * align;
}

size_t dp_esp_encap_len(const struct dp_esp_xform *xf, size_t inner_len)
{
	return dp_esp_headroom(xf) + padded_len(inner_len, align_of(xf)) + dp_esp_icv_len(xf);
}

size_t dp_esp_max_inner(const struct dp_esp_xform *xf, size_t mtu)
{
	size_t fixed = dp_esp_headroom(xf) + dp_esp_icv_len(xf), align = align_of(xf);
	if (mtu < fixed + align)
		return 0;
	return (mtu - fixed) / align * align - TRAILER_LEN;
}

/* ---- contexts ---- */

static enum crypto_cbc_alg cbc_alg(const struct dp_esp_xform *xf)
{
	if (xf->encr == DP_ESP_ENCR_3DES_CBC)
		return CRYPTO_CBC_3DES;
	return xf->key_bits == 128   ? CRYPTO_CBC_AES128
	       : xf->key_bits == 192 ? CRYPTO_CBC_AES192
				     : CRYPTO_CBC_AES256;
}

static unsigned bits_for(uint32_t n)
{
	unsigned b = 0;
	while (b < 32 && (1ull << b) < n)
		b++;
	return b;
}

/* Lay out the IV space (see esp.h). */
static int iv_setup(struct dp_esp_ctx *c, const struct dp_esp_ivspace *ivs)
{
	if (!ivs->nworkers || ivs->worker >= ivs->nworkers)
		return ERR_INVAL;
	unsigned wbits = bits_for(ivs->nworkers);
	c->iv_next = 1;
	if (c->xf.encr != DP_ESP_ENCR_AES_GCM) {
		c->iv_base = (uint64_t)ivs->worker << 32;
		c->iv_last = UINT64_MAX;
		c->can_send = true;
		return 0;
	}
	if (ivs->sid_bits > 32 || (ivs->sid_bits < 32 && ivs->sid >> ivs->sid_bits))
		return ERR_INVAL;
	if (!ivs->sid_bits) {
		c->can_send = false; /* receive only until the KS assigns a sender ID */
		return 0;
	}
	unsigned cbits = 64 - ivs->sid_bits - wbits;
	if (cbits < MIN_CTR_BITS)
		return ERR_INVAL;
	c->iv_base = (uint64_t)ivs->sid << (64 - ivs->sid_bits) | (uint64_t)ivs->worker << cbits;
	c->iv_last = (1ull << cbits) - 1;
	c->can_send = true;
	return 0;
}

static int keys_setup(struct dp_esp_ctx *c, const uint8_t *ek, size_t elen, const uint8_t *ak,
		      size_t alen, const struct dp_esp_ivspace *ivs)
{
	const struct dp_esp_xform *xf = &c->xf;
	if (elen != dp_esp_enc_key_len(xf) || alen != dp_esp_auth_key_len(xf))
		return ERR_INVAL;
	int rc = 0;
	if (xf->encr == DP_ESP_ENCR_AES_GCM) {
		size_t klen = elen - DP_ESP_SALT_LEN;
		memcpy(c->salt, ek + klen, DP_ESP_SALT_LEN);
		rc = crypto_gcm_init(&c->gcm, ek, klen);
	} else if (is_cbc(xf->encr)) {
		if (!ivs->ivgen_key)
			return ERR_INVAL;
		rc = crypto_cbc_ctx_init(&c->cbc, cbc_alg(xf), ek);
		if (!rc)
			rc = crypto_cbc_ctx_init(&c->ivgen, CRYPTO_CBC_AES128, ivs->ivgen_key);
	}
	if (!rc && xf->auth != DP_ESP_AUTH_NONE)
		rc = crypto_hmac_init(&c->mac,
				      xf->auth == DP_ESP_AUTH_SHA1_96 ? CRYPTO_HASH_SHA1
								      : CRYPTO_HASH_SHA256,
				      ak, alen);
	return rc;
}

static int ctx_init(struct dp_esp_ctx *c, const struct dp_esp_xform *xf, uint32_t spi,
		    const uint8_t *ek, size_t elen, const uint8_t *ak, size_t alen,
		    const struct dp_esp_ivspace *ivs, bool allow_no_integrity)
{
	memset(c, 0, sizeof(*c));
	if (dp_esp_xform_check(xf, allow_no_integrity))
		return ERR_INVAL;
	c->xf = *xf;
	c->spi = spi;
	c->iv_len = (uint8_t)dp_esp_iv_len(xf);
	c->icv_len = (uint8_t)dp_esp_icv_len(xf);
	c->align = (uint8_t)align_of(xf);
	int rc = iv_setup(c, ivs);
	if (!rc)
		rc = keys_setup(c, ek, elen, ak, alen, ivs);
	if (rc)
		dp_esp_ctx_clear(c);
	return rc;
}

int dp_esp_ctx_init(struct dp_esp_ctx *c, const struct dp_esp_xform *xf, uint32_t spi,
		    const uint8_t *enc_key, size_t enc_key_len, const uint8_t *auth_key,
		    size_t auth_key_len, const struct dp_esp_ivspace *ivs)
{
	return ctx_init(c, xf, spi, enc_key, enc_key_len, auth_key, auth_key_len, ivs, false);
}

int dp_esp_ctx_init_unauthenticated(struct dp_esp_ctx *c, const struct dp_esp_xform *xf,
				    uint32_t spi, const uint8_t *enc_key, size_t enc_key_len,
				    const struct dp_esp_ivspace *ivs)
{
	return ctx_init(c, xf, spi, enc_key, enc_key_len, NULL, 0, ivs, true);
}

void dp_esp_ctx_clear(struct dp_esp_ctx *c)
{
	crypto_gcm_clear(&c->gcm);
	crypto_cbc_ctx_clear(&c->cbc);
	crypto_cbc_ctx_clear(&c->ivgen);
	crypto_hmac_clear(&c->mac);
	mem_wipe(c, sizeof(*c));
}

int dp_esp_next_iv(struct dp_esp_ctx *c, uint8_t iv[static DP_ESP_IV_MAX])
{
	if (!c->can_send)
		return ERR_STATE;
	if (c->iv_next > c->iv_last || c->iv_next == 0)
		return ERR_LIMIT;
	uint64_t ctr = c->iv_next++;
	if (c->xf.encr == DP_ESP_ENCR_AES_GCM) {
		uint64_t v = c->iv_base | ctr;
		buf_store_u32(iv, (uint32_t)(v >> 32));
		buf_store_u32(iv + 4, (uint32_t)v);
		return 0;
	}
	if (!c->iv_len)
		return 0;
	/* AES-128_K(worker | counter): ECB of one block through CBC with a zero IV. */
	static const uint8_t zero[CRYPTO_BLOCK_MAX];
	uint8_t in[CRYPTO_BLOCK_MAX], out[CRYPTO_BLOCK_MAX];
	buf_store_u32(in, (uint32_t)(c->iv_base >> 32));
	buf_store_u32(in + 4, 0);
	buf_store_u32(in + 8, (uint32_t)(ctr >> 32));
	buf_store_u32(in + 12, (uint32_t)ctr);
	if (crypto_cbc_ctx_encrypt(&c->ivgen, zero, in, out, sizeof(in)))
		return ERR_CRYPTO;
	memcpy(iv, out, c->iv_len);
	return 0;
}

/* ---- seal / open ---- */

static int hmac_icv(struct dp_esp_ctx *c, const uint8_t *p, size_t len,
		    uint8_t icv[static CRYPTO_HASH_MAX])
{
	struct crypto_iov v = {p, len};
	return crypto_hmac_mac(&c->mac, &v, 1, icv) < 0 ? ERR_CRYPTO : 0;
}

static void gcm_nonce(const struct dp_esp_ctx *c, const uint8_t *iv,
		      uint8_t nonce[static CRYPTO_GCM_NONCE_LEN])
{
	memcpy(nonce, c->salt, DP_ESP_SALT_LEN);
	memcpy(nonce + DP_ESP_SALT_LEN, iv, 8);
}

int dp_esp_seal(struct dp_esp_ctx *c, uint32_t seq, const uint8_t *iv, uint8_t *esp,
		size_t payload_len, uint8_t next_header, size_t cap)
{
	size_t body = DP_ESP_HDR_LEN + c->iv_len;
	size_t ct_len = padded_len(payload_len, c->align);
	size_t total = body + ct_len + c->icv_len;
	if (total > cap)
		return ERR_NOSPACE;
	if (total > DP_IPV4_MAX_LEN)
		return ERR_LIMIT;
	buf_store_u32(esp, c->spi);
	buf_store_u32(esp + 4, seq);
	memcpy(esp + DP_ESP_HDR_LEN, iv, c->iv_len);
	uint8_t *pt = esp + body;
	size_t pad = ct_len - payload_len - TRAILER_LEN;
	for (size_t i = 0; i < pad; i++)
		pt[payload_len + i] = (uint8_t)(i + 1); /* RFC 4303 §2.4 default padding */
	pt[ct_len - 2] = (uint8_t)pad;
	pt[ct_len - 1] = next_header;
	int rc = 0;
	if (c->xf.encr == DP_ESP_ENCR_AES_GCM) {
		uint8_t nonce[CRYPTO_GCM_NONCE_LEN];
		gcm_nonce(c, iv, nonce);
		rc = crypto_gcm_seal(&c->gcm, nonce, esp, DP_ESP_HDR_LEN, pt, pt, ct_len,
				     pt + ct_len, c->icv_len);
		return rc ? ERR_CRYPTO : (int)total;
	}
	if (is_cbc(c->xf.encr) && crypto_cbc_ctx_encrypt(&c->cbc, iv, pt, pt, ct_len))
		return ERR_CRYPTO;
	if (c->icv_len) {
		uint8_t icv[CRYPTO_HASH_MAX];
		rc = hmac_icv(c, esp, body + ct_len, icv);
		memcpy(pt + ct_len, icv, c->icv_len);
	}
	return rc ? rc : (int)total;
}

static int fail(enum dp_drop *why, enum dp_drop reason, int rc)
{
	*why = reason;
	return rc;
}

/* RFC 4303 §2.4: pad length fits, and the pad bytes are 1, 2, 3, ... */
static bool padding_ok(const uint8_t *pt, size_t ct_len, uint8_t pad)
{
	if ((size_t)pad + TRAILER_LEN > ct_len)
		return false;
	const uint8_t *p = pt + ct_len - TRAILER_LEN - pad;
	uint8_t bad = 0;
	for (size_t i = 0; i < pad; i++)
		bad |= (uint8_t)(p[i] ^ (uint8_t)(i + 1));
	return bad == 0;
}

/* HMAC transforms: verify the ICV in constant time, then decrypt (CBC). */
static int open_hmac(struct dp_esp_ctx *c, uint8_t *esp, size_t body, size_t ct_len,
		     struct dp_esp_opened *o, enum dp_drop *why)
{
	uint8_t *pt = esp + body;
	if (c->icv_len) {
		uint8_t icv[CRYPTO_HASH_MAX];
		if (hmac_icv(c, esp, body + ct_len, icv))
			return fail(why, DP_DROP_CRYPTO_ERROR, ERR_CRYPTO);
		if (!mem_equal_ct(icv, pt + ct_len, c->icv_len))
			return fail(why, DP_DROP_MAC_FAIL, ERR_AUTH);
	}
	o->authenticated = true;
	if (is_cbc(c->xf.encr) &&
	    crypto_cbc_ctx_decrypt(&c->cbc, esp + DP_ESP_HDR_LEN, pt, pt, ct_len))
		return fail(why, DP_DROP_CRYPTO_ERROR, ERR_CRYPTO);
	return 0;
}

static int open_gcm(struct dp_esp_ctx *c, uint8_t *esp, size_t body, size_t ct_len,
		    struct dp_esp_opened *o, enum dp_drop *why)
{
	uint8_t nonce[CRYPTO_GCM_NONCE_LEN];
	uint8_t *pt = esp + body;
	gcm_nonce(c, esp + DP_ESP_HDR_LEN, nonce);
	int rc = crypto_gcm_open(&c->gcm, nonce, esp, DP_ESP_HDR_LEN, pt, pt, ct_len, pt + ct_len,
				 c->icv_len);
	if (rc == ERR_AUTH)
		return fail(why, DP_DROP_MAC_FAIL, ERR_AUTH);
	if (rc)
		return fail(why, DP_DROP_CRYPTO_ERROR, ERR_CRYPTO);
	o->authenticated = true;
	return 0;
}

int dp_esp_open(struct dp_esp_ctx *c, uint8_t *esp, size_t len, struct dp_esp_opened *o,
		enum dp_drop *why)
{
	memset(o, 0, sizeof(*o));
	*why = DP_DROP_NONE;
	size_t body = DP_ESP_HDR_LEN + c->iv_len;
	if (len < DP_ESP_HDR_LEN)
		return fail(why, DP_DROP_SHORT_PACKET, ERR_TRUNCATED);
	o->spi = buf_load_u32(esp);
	o->seq = buf_load_u32(esp + 4);
	if (o->spi != c->spi)
		return fail(why, DP_DROP_BAD_SPI, ERR_NOTFOUND);
	/* At least the trailer (CBC: one block) between the IV and the ICV. */
	size_t min_ct = is_cbc(c->xf.encr) ? c->align : TRAILER_LEN;
	if (len < body + min_ct + c->icv_len)
		return fail(why, DP_DROP_SHORT_PACKET, ERR_TRUNCATED);
	size_t ct_len = len - body - c->icv_len;
	if (is_cbc(c->xf.encr) && ct_len % c->align)
		return fail(why, DP_DROP_BAD_LENGTH, ERR_BADLEN);
	int rc = c->xf.encr == DP_ESP_ENCR_AES_GCM ? open_gcm(c, esp, body, ct_len, o, why)
						   : open_hmac(c, esp, body, ct_len, o, why);
	if (rc)
		return rc;
	const uint8_t *pt = esp + body;
	uint8_t pad = pt[ct_len - 2];
	if (!padding_ok(pt, ct_len, pad))
		return fail(why, DP_DROP_BAD_PADDING, ERR_PROTO);
	o->next_header = pt[ct_len - 1];
	o->payload_off = body;
	o->payload_len = ct_len - TRAILER_LEN - pad;
	return 0;
}

/* ---- encap / decap ---- */

static uint16_t outer_frag(enum dp_esp_df df, const struct dp_pkt_ipv4 *inner)
{
	switch (df) {
	case DP_ESP_DF_SET:
		return DP_IPV4_DF;
	case DP_ESP_DF_CLEAR:
		return 0;
	default:
		return inner->frag & DP_IPV4_DF;
	}
}

static enum dp_drop ip_drop(int rc)
{
	return rc == ERR_TRUNCATED ? DP_DROP_SHORT_PACKET
	       : rc == ERR_PROTO   ? DP_DROP_NOT_IPV4
				   : DP_DROP_BAD_IP_HEADER;
}

int dp_esp_encap(struct dp_esp_ctx *c, const struct dp_esp_encap_params *p, const uint8_t *inner,
		 size_t inner_len, uint8_t *out, size_t cap, enum dp_drop *why)
{
	*why = DP_DROP_NONE;
	struct dp_pkt_ipv4 in;
	int rc = dp_pkt_ipv4_parse(inner, inner_len, false, &in);
	if (rc)
		return fail(why, ip_drop(rc), rc);
	inner_len = in.total_len; /* drop link-layer padding */
	size_t hr = DP_IPV4_HDR_MIN + DP_ESP_HDR_LEN + c->iv_len;
	size_t total = hr + padded_len(inner_len, c->align) + c->icv_len;
	if (total > cap)
		return fail(why, DP_DROP_NO_SPACE, ERR_NOSPACE);
	if (total > DP_IPV4_MAX_LEN)
		return fail(why, DP_DROP_TOO_BIG, ERR_LIMIT);
	uint8_t iv[DP_ESP_IV_MAX];
	rc = dp_esp_next_iv(c, iv);
	if (rc)
		return fail(why,
			    rc == ERR_STATE   ? DP_DROP_NO_SENDER_ID
			    : rc == ERR_LIMIT ? DP_DROP_IV_EXHAUSTED
					      : DP_DROP_CRYPTO_ERROR,
			    rc);
	if (inner != out + hr)
		memmove(out + hr, inner, inner_len);
	rc = dp_esp_seal(c, p->seq, iv, out + DP_IPV4_HDR_MIN, inner_len, DP_PROTO_IPIP,
			 cap - DP_IPV4_HDR_MIN);
	if (rc < 0)
		return fail(why, DP_DROP_CRYPTO_ERROR, rc);
	struct dp_pkt_ipv4 o = {
	    .tos = in.tos, /* DSCP and ECN copied (RFC 6040 normal mode) */
	    .total_len = (uint16_t)total,
	    .id = p->ip_id,
	    .frag = outer_frag(p->df, &in),
	    .ttl = in.ttl,
	    .proto = DP_PROTO_ESP,
	    .src = in.src,
	    .dst = in.dst,
	};
	dp_pkt_ipv4_write(out, &o);
	return (int)total;
}

int dp_esp_outer(const uint8_t *pkt, size_t len, struct dp_pkt_ipv4 *outer, uint32_t *spi,
		 enum dp_drop *why)
{
	*why = DP_DROP_NONE;
	int rc = dp_pkt_ipv4_parse(pkt, len, true, outer);
	if (rc)
		return fail(why, ip_drop(rc), rc);
	if (dp_pkt_ipv4_is_fragment(outer))
		return fail(why, DP_DROP_ESP_FRAGMENT, ERR_UNSUPP);
	if (outer->proto != DP_PROTO_ESP)
		return fail(why, DP_DROP_NOT_ESP, ERR_NOTFOUND);
	if ((size_t)outer->total_len - outer->hlen < DP_ESP_HDR_LEN)
		return fail(why, DP_DROP_SHORT_PACKET, ERR_TRUNCATED);
	*spi = buf_load_u32(pkt + outer->hlen);
	return 0;
}

/*
 * RFC 6040 §4.2 decapsulation table, for the cases that change something:
 * outer CE: Not-ECT inner -> drop, ECT inner -> CE; outer ECT(1) over
 * ECT(0) -> ECT(1). Returns the new inner ECN or -1 to drop.
 */
static int ecn_decap(uint8_t inner_ecn, uint8_t outer_ecn)
{
	enum { NOT_ECT = 0, ECT1 = 1, ECT0 = 2, CE = 3 };
	if (outer_ecn == CE)
		return inner_ecn == NOT_ECT ? -1 : CE;
	if (outer_ecn == ECT1 && inner_ecn == ECT0)
		return ECT1;
	return inner_ecn;
}

int dp_esp_inner(uint8_t *pkt, struct dp_esp_decapped *d, enum dp_drop *why)
{
	*why = DP_DROP_NONE;
	if (d->esp.next_header != DP_PROTO_IPIP)
		return fail(why, DP_DROP_BAD_NEXT_HEADER, ERR_PROTO);
	d->inner_off = d->outer.hlen + d->esp.payload_off;
	d->inner_len = d->esp.payload_len;
	uint8_t *in = pkt + d->inner_off;
	if (dp_pkt_ipv4_parse(in, d->inner_len, true, &d->inner) ||
	    d->inner.total_len != d->inner_len)
		return fail(why, DP_DROP_BAD_INNER, ERR_INVAL);
	uint8_t ecn = d->inner.tos & DP_IPV4_ECN_MASK;
	int new_ecn = ecn_decap(ecn, d->outer.tos & DP_IPV4_ECN_MASK);
	if (new_ecn < 0)
		return fail(why, DP_DROP_ECN, ERR_STATE);
	if ((uint8_t)new_ecn != ecn) {
		uint16_t old_word = buf_load_u16(in);
		d->inner.tos = (uint8_t)((d->inner.tos & ~DP_IPV4_ECN_MASK) | new_ecn);
		in[1] = d->inner.tos;
		uint16_t csum =
		    dp_pkt_csum_update16(buf_load_u16(in + 10), old_word, buf_load_u16(in));
		buf_store_u16(in + 10, csum);
		d->ecn_ce = new_ecn == DP_IPV4_ECN_CE;
	}
	d->addr_mismatch = d->inner.src != d->outer.src || d->inner.dst != d->outer.dst;
	return 0;
}

int dp_esp_decap(struct dp_esp_ctx *c, uint8_t *pkt, size_t len, struct dp_esp_decapped *d,
		 enum dp_drop *why)
{
	memset(d, 0, sizeof(*d));
	uint32_t spi;
	int rc = dp_esp_outer(pkt, len, &d->outer, &spi, why);
	if (rc)
		return rc;
	rc = dp_esp_open(c, pkt + d->outer.hlen, (size_t)d->outer.total_len - d->outer.hlen,
			 &d->esp, why);
	if (rc)
		return rc;
	return dp_esp_inner(pkt, d, why);
}
