/*
 * ESP (RFC 4303) tunnel mode for one IPv4 packet and one SA, with GETVPN
 * header preservation (protocol-notes §6).
 *
 * Packet on the wire:
 *
 *   outer IPv4 (20) | SPI (4) | Seq (4) | IV | inner IPv4 packet |
 *   padding 1, 2, 3, ... | pad length | next header 4 | ICV
 *
 * Transforms (struct dp_esp_xform):
 *   AES-GCM-128/192/256, 16-byte ICV (RFC 4106): key material = key | 4-byte
 *     salt, nonce = salt | 8-byte IV, AAD = SPI | Seq. IV = sender ID |
 *     worker | counter (protocol-notes §4.6): the KS-assigned SID fills the
 *     top sid_bits, then the worker index (enough bits for nworkers), then a
 *     counter from 1 that never wraps (iv_exhausted). Different SIDs,
 *     workers and counters give distinct IVs under one group key.
 *   AES-CBC-128/192/256 or 3DES-CBC (RFC 3602, RFC 2451) with HMAC-SHA1-96
 *     (RFC 2404) or HMAC-SHA-256-128 (RFC 4868). The ICV covers SPI..Next
 *     Header and is verified, in constant time, before decryption. IV =
 *     AES-128_K(worker | counter) with a random per-SA key K: one block
 *     cipher call per packet, unpredictable without K (RFC 3602 §3), never
 *     repeated (distinct inputs); 3DES uses the first 8 bytes.
 *   ESP-NULL (RFC 2410) with HMAC-SHA1-96 or HMAC-SHA-256-128: no IV,
 *     payload in clear, for troubleshooting.
 *   AES-CBC without integrity exists only so the RFC 3602 packet vectors can
 *     be checked; dp_esp_xform_check() refuses it unless asked not to.
 * Padding: CBC to the cipher block, GCM and NULL to 4 bytes.
 *
 * Header preservation (encap): outer version/IHL 0x45, TOS copied (DSCP and
 * ECN: RFC 6040 normal mode copies the ECN field), total length, ID from the
 * caller (per-worker counter), DF per policy (copy/clear/set), TTL copied,
 * protocol 50, source and destination copied, checksum computed; no options.
 * Decap applies RFC 6040 §4.2 to the inner ECN field (outer CE marks an ECT
 * inner packet CE; a Not-ECT inner with outer CE is dropped) and leaves the
 * inner DSCP alone.
 *
 * Threading: a struct dp_esp_ctx belongs to one thread at a time (it holds
 * OpenSSL contexts and the IV counter). dp/sad.h keeps one per SA per worker.
 * Nothing here allocates after dp_esp_ctx_init (but see crypto/hash.h:
 * HMAC makes two small allocations per MAC on OpenSSL < 3.5).
 *
 * Every function that can drop a packet reports why in *why (enum dp_drop)
 * next to its ERR_* return.
 */
#ifndef GVPN_DP_ESP_H
#define GVPN_DP_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "dp/counters.h"
#include "dp/pkt.h"

enum dp_esp_encr {
	DP_ESP_ENCR_NULL = 1,
	DP_ESP_ENCR_AES_CBC,
	DP_ESP_ENCR_3DES_CBC,
	DP_ESP_ENCR_AES_GCM,
};

enum dp_esp_auth {
	DP_ESP_AUTH_NONE = 0,	/* GCM (integrity built in); or the vector-only CBC case */
	DP_ESP_AUTH_SHA1_96,	/* RFC 2404 */
	DP_ESP_AUTH_SHA256_128, /* RFC 4868 */
};

struct dp_esp_xform {
	enum dp_esp_encr encr;
	uint16_t key_bits; /* AES 128/192/256; 3DES 192; NULL 0 */
	enum dp_esp_auth auth;
};

/* IPsec DOI numbers (RFC 2407 §4.4.4, §4.5; IANA) the KS sends in SA TEKs. */
enum {
	DP_ESP_ID_3DES = 3,
	DP_ESP_ID_NULL = 11,
	DP_ESP_ID_AES_CBC = 12,
	DP_ESP_ID_AES_GCM_16 = 20,
	DP_ESP_AUTH_ALG_HMAC_SHA1 = 2,
	DP_ESP_AUTH_ALG_HMAC_SHA2_256 = 5,
};

/* Outer DF bit policy (`crypto ipsec df-bit {copy|clear|set}`). */
enum dp_esp_df {
	DP_ESP_DF_COPY = 0,
	DP_ESP_DF_CLEAR,
	DP_ESP_DF_SET,
};

enum {
	DP_ESP_HDR_LEN = 8, /* SPI + Seq */
	DP_ESP_IV_MAX = 16,
	DP_ESP_ICV_MAX = 16,
	DP_ESP_SALT_LEN = 4, /* RFC 4106 */
	DP_ESP_ENC_KEY_MAX = 32 + DP_ESP_SALT_LEN,
	DP_ESP_AUTH_KEY_MAX = 32,
	DP_ESP_IVGEN_KEY_LEN = 16, /* AES-128 key of the CBC IV generator */
	/* outer IPv4 + ESP header + IV: where the inner packet starts in an encap buffer */
	DP_ESP_HEADROOM_MAX = DP_IPV4_HDR_MIN + DP_ESP_HDR_LEN + DP_ESP_IV_MAX,
	/* largest growth: header room + 15 padding + 2 trailer + ICV */
	DP_ESP_OVERHEAD_MAX = DP_ESP_HEADROOM_MAX + 15 + 2 + DP_ESP_ICV_MAX,
	DP_ESP_NAME_MAX = 48,
};

/* 0 if xf is a supported transform; ERR_INVAL otherwise. allow_no_integrity
 * lets AES-CBC without HMAC through (RFC 3602 vector tests only). */
int dp_esp_xform_check(const struct dp_esp_xform *xf, bool allow_no_integrity);
/* From the SA TEK's transform ID, key length attribute (bits, 0 = default)
 * and authentication algorithm attribute (0 = none). 0 or ERR_UNSUPP. */
int dp_esp_xform_from_ids(uint8_t transform_id, uint16_t key_bits, uint16_t auth_alg,
			  struct dp_esp_xform *xf);
/* IOS transform text: "esp-gcm", "esp-gcm 256", "esp-256-aes esp-sha256-hmac",
 * "esp-3des esp-sha-hmac", "esp-null esp-sha-hmac". */
const char *dp_esp_xform_name(const struct dp_esp_xform *xf, char buf[static DP_ESP_NAME_MAX]);

/* Key material lengths: encryption (GCM includes the salt) and integrity. */
size_t dp_esp_enc_key_len(const struct dp_esp_xform *xf);
size_t dp_esp_auth_key_len(const struct dp_esp_xform *xf);
size_t dp_esp_iv_len(const struct dp_esp_xform *xf);
size_t dp_esp_icv_len(const struct dp_esp_xform *xf);
/* Outer IPv4 + ESP header + IV: the inner packet's offset in an encapsulated packet. */
size_t dp_esp_headroom(const struct dp_esp_xform *xf);
/* Total size of the encapsulated packet (outer header included) for an inner packet. */
size_t dp_esp_encap_len(const struct dp_esp_xform *xf, size_t inner_len);
/* Largest inner packet whose encapsulation fits mtu (0 if none): the MTU to
 * report in ICMP frag-needed and the fragment size limit. */
size_t dp_esp_max_inner(const struct dp_esp_xform *xf, size_t mtu);

/* Where this context's IVs come from (see the top of this file). */
struct dp_esp_ivspace {
	uint32_t sid;	  /* GCM sender ID assigned by the KS */
	uint8_t sid_bits; /* 0: no SID, the context can only receive (GCM) */
	uint32_t worker;  /* index of the worker owning the context */
	uint32_t nworkers;
	const uint8_t *ivgen_key; /* CBC: DP_ESP_IVGEN_KEY_LEN random bytes, same for all workers */
};

/* Per-SA, per-worker state. Treat as opaque; fields are for dp/sad.c and tests. */
struct dp_esp_ctx {
	struct dp_esp_xform xf;
	uint32_t spi;
	uint8_t iv_len, icv_len, align;
	bool can_send;
	uint8_t salt[DP_ESP_SALT_LEN];
	struct crypto_gcm_ctx gcm;
	struct crypto_cbc_ctx cbc;
	struct crypto_hmac_ctx mac;
	struct crypto_cbc_ctx ivgen;
	uint64_t iv_base; /* GCM: SID and worker bits in place; CBC: worker in the high half */
	uint64_t iv_next; /* next counter value */
	uint64_t iv_last; /* last usable counter value */
};

/*
 * Key one context. enc_key is the cipher key (GCM: key | salt), auth_key the
 * HMAC key; their lengths must be dp_esp_enc_key_len / dp_esp_auth_key_len.
 * Returns 0, ERR_INVAL (transform, key length, IV space: sid_bits > 32 or
 * fewer than 16 counter bits, CBC without ivgen_key), or the crypto layer's
 * ERR_NOMEM / ERR_UNSUPP / ERR_CRYPTO. On error the context is cleared.
 */
int dp_esp_ctx_init(struct dp_esp_ctx *c, const struct dp_esp_xform *xf, uint32_t spi,
		    const uint8_t *enc_key, size_t enc_key_len, const uint8_t *auth_key,
		    size_t auth_key_len, const struct dp_esp_ivspace *ivs);
/* Free and wipe; safe on a cleared context. */
void dp_esp_ctx_clear(struct dp_esp_ctx *c);
/* Same as dp_esp_ctx_init but accepts AES-CBC without integrity (vector tests). */
int dp_esp_ctx_init_unauthenticated(struct dp_esp_ctx *c, const struct dp_esp_xform *xf,
				    uint32_t spi, const uint8_t *enc_key, size_t enc_key_len,
				    const struct dp_esp_ivspace *ivs);

/* Next IV (iv_len bytes). 0, ERR_STATE (GCM without SID), ERR_LIMIT (counter space used up),
 * ERR_CRYPTO. */
int dp_esp_next_iv(struct dp_esp_ctx *c, uint8_t iv[static DP_ESP_IV_MAX]);

/*
 * Low level, for known-answer tests: build the ESP part (SPI .. ICV) in
 * place. The payload (payload_len bytes) is already at esp + 8 + iv_len;
 * the trailer and ICV are appended and the payload encrypted in place.
 * Returns the ESP length, or ERR_NOSPACE (cap), ERR_INVAL, ERR_CRYPTO.
 */
int dp_esp_seal(struct dp_esp_ctx *c, uint32_t seq, const uint8_t *iv, uint8_t *esp,
		size_t payload_len, uint8_t next_header, size_t cap);

/* The result of dp_esp_open: offsets are from the start of the ESP header. */
struct dp_esp_opened {
	uint32_t spi, seq;
	size_t payload_off, payload_len;
	uint8_t next_header;
	bool authenticated; /* the ICV verified (set even if a later check failed) */
};
/*
 * Verify and decrypt the ESP part (SPI .. ICV, len bytes) in place and
 * check its trailer. Returns 0 or: ERR_TRUNCATED (short_packet), ERR_NOTFOUND
 * (bad_spi: not this context's SPI), ERR_BADLEN (bad_length), ERR_AUTH
 * (mac_fail), ERR_PROTO (bad_padding), ERR_CRYPTO (crypto_error). The next
 * header is returned, not checked.
 */
int dp_esp_open(struct dp_esp_ctx *c, uint8_t *esp, size_t len, struct dp_esp_opened *o,
		enum dp_drop *why);

/* Per-packet encap parameters. */
struct dp_esp_encap_params {
	uint32_t seq;	/* TBAR: dp_replay_tbar_seq(pseudotime); else a counter */
	uint16_t ip_id; /* outer IPv4 ID */
	enum dp_esp_df df;
};
/*
 * Encapsulate the inner IPv4 packet (inner_len bytes, validated by the
 * caller or not: it is parsed again) into out (cap bytes). inner may be
 * anywhere, including out + dp_esp_headroom() (in place: no copy). Returns
 * the outer packet length, or ERR_NOSPACE (no_space), ERR_LIMIT (result
 * over 65535: too_big, or IV counter exhausted: iv_exhausted), ERR_STATE
 * (no_sender_id), ERR_TRUNCATED/ERR_INVAL/ERR_PROTO (the inner header:
 * short_packet / bad_ip_header / not_ipv4), ERR_CRYPTO.
 */
int dp_esp_encap(struct dp_esp_ctx *c, const struct dp_esp_encap_params *p, const uint8_t *inner,
		 size_t inner_len, uint8_t *out, size_t cap, enum dp_drop *why);

/*
 * Decap, step 1: parse and check the outer IPv4 header of a received packet
 * (checksum included) and locate its ESP part. 0 or: ERR_TRUNCATED
 * (short_packet: below 20 bytes, the IHL, the total length, or no room for
 * SPI and Seq), ERR_PROTO (not_ipv4), ERR_INVAL / ERR_AUTH (bad_ip_header),
 * ERR_UNSUPP (esp_fragment), ERR_NOTFOUND (not_esp). *spi is the SPI to look up.
 */
int dp_esp_outer(const uint8_t *pkt, size_t len, struct dp_pkt_ipv4 *outer, uint32_t *spi,
		 enum dp_drop *why);

/* The inner packet of a decapsulated one. */
struct dp_esp_decapped {
	struct dp_pkt_ipv4 outer, inner;
	struct dp_esp_opened esp;
	size_t inner_off, inner_len; /* from the start of the outer packet */
	bool addr_mismatch;	     /* inner src/dst differ from the outer ones */
	bool ecn_ce;		     /* the outer CE mark was copied to the inner header */
};
/*
 * Decap, step 3 (after dp_esp_open and the replay check): check the inner
 * packet (next header 4, IPv4 header valid with its checksum, total length
 * equal to the decrypted payload), apply RFC 6040 (may rewrite the inner
 * TOS and checksum), compare inner and outer addresses. d->outer and d->esp
 * must be filled. 0 or ERR_PROTO (bad_next_header), ERR_INVAL (bad_inner),
 * ERR_STATE (ecn_drop).
 */
int dp_esp_inner(uint8_t *pkt, struct dp_esp_decapped *d, enum dp_drop *why);

/*
 * The three decap steps at once for a packet expected on this context's SA
 * (no replay check): for tests, fuzzing and benchmarks. The ESP part is
 * decrypted in place; the inner packet is at pkt + d->inner_off. Returns 0
 * or the codes of the steps.
 */
int dp_esp_decap(struct dp_esp_ctx *c, uint8_t *pkt, size_t len, struct dp_esp_decapped *d,
		 enum dp_drop *why);

#endif
