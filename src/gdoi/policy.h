/*
 * The GDOI group policy model (RFC 6407; notes §4, §5.4, §5.6): what a key
 * server hands out in GROUPKEY-PULL message 2 (SA) and 4 (SEQ, KD), and what
 * a group member installs from it.
 *
 *   KEK   the key that protects GROUPKEY-PUSH: 16-octet SPI (the cookie pair
 *         of every push), CBC cipher (3DES, AES-128/192/256), IV and key
 *         (KEK_ALGORITHM_KEY = IV | key, notes §4.7), lifetime, the
 *         signature parameters of the rekey key (hash, RSA, key length) and
 *         the KS public key (DER SubjectPublicKeyInfo), transport (unicast or
 *         multicast with the group address) and whether ACKs are requested.
 *   TEKs  ESP SAs, the same SPI on every member and in both directions:
 *         transform (AES-CBC 128/192/256, AES-GCM 128/256 with a 4-octet salt
 *         after the key, 3DES, NULL; HMAC-SHA1/-256/-384 for the non-GCM
 *         ones), keys, lifetime, replay method and window, receive-only.
 *   ACL   the `match address` lines in order, first match wins; permit =
 *         encrypt with a TEK of the same sa_num, deny = send in clear.
 *   GAP   activation / deactivation delays (ATD/DTD), SEQ, KS pseudotime.
 *
 * One struct serves both roles. On the KS, sa_num is the `sa ipsec N`
 * number; on a GM it is a tag the decoder gives each set of TEKs that share
 * their selectors (ACL lines), numbered from 1 in download order.
 *
 * Times are engine-local monotonic nanoseconds (util/clock.h). Key material
 * lives in fixed arrays inside the struct: wipe with gdoi_policy_clear().
 */
#ifndef GVPN_GDOI_POLICY_H
#define GVPN_GDOI_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/hash.h"

#define GDOI_KEK_SPI_LEN   16
#define GDOI_KEK_KEY_MAX   32 /* AES-256 */
#define GDOI_KEK_IV_MAX	   16
#define GDOI_TEK_ENC_MAX   36 /* AES-256-GCM key | salt */
#define GDOI_TEK_AUTH_MAX  48 /* HMAC-SHA-384 key */
#define GDOI_GCM_SALT_LEN  4
#define GDOI_SPKI_MAX	   1100	    /* DER SPKI of an RSA key up to 8192 bits */
#define GDOI_TEKS_MAX	   16	    /* live TEKs of a group (generations x `sa ipsec`) */
#define GDOI_ACL_MAX	   64	    /* ACL lines of a group, all `sa ipsec` together */
#define GDOI_LIFE_MAX_SEC  2592000u /* 30 days (long SA lifetime) */
#define GDOI_LIFE_LONG_SEC 86400u   /* above this: long SA lifetime (needs the capability) */
#define GDOI_SPI_MIN	   256u	    /* ESP SPIs 1-255 are reserved (RFC 4303 §2.1) */

/* ESP encryption of a TEK. */
enum gdoi_enc {
	GDOI_ENC_NULL = 1, /* RFC 2410, with an HMAC */
	GDOI_ENC_3DES,	   /* 192-bit key */
	GDOI_ENC_AES_CBC,  /* 128/192/256 */
	GDOI_ENC_AES_GCM,  /* 128/256, 16-octet ICV (transform 20) */
};

/* ESP integrity (HMAC, RFC 2404 / RFC 4868); none for GCM. */
enum gdoi_auth {
	GDOI_AUTH_NONE = 0,
	GDOI_AUTH_SHA1,	  /* HMAC-SHA1-96, 20-octet key */
	GDOI_AUTH_SHA256, /* HMAC-SHA-256-128, 32-octet key */
	GDOI_AUTH_SHA384, /* HMAC-SHA-384-192, 48-octet key */
};

struct gdoi_transform {
	uint8_t enc;	   /* enum gdoi_enc */
	uint16_t key_bits; /* cipher key (AES 128/192/256, 3DES 192, NULL 0), without the salt */
	uint8_t auth;	   /* enum gdoi_auth */
};

/* Replay protection of a TEK; the values are those of GVPN_REPLAY_METHOD (notes §5.4). */
enum gdoi_replay {
	GDOI_REPLAY_NONE = 0,
	GDOI_REPLAY_COUNTER = 1, /* window in packets */
	GDOI_REPLAY_TIME = 2,	 /* TBAR, window in seconds */
};

/* ACL entries: an IOS extended ACL line (notes §5.6). Same meaning as dp/acl.h. */
enum gdoi_acl_action {
	GDOI_ACL_PERMIT = 0, /* encrypt */
	GDOI_ACL_DENY = 1,   /* send in clear */
};

enum gdoi_port_op {
	GDOI_PORT_ANY = 0,
	GDOI_PORT_EQ,	 /* eq a */
	GDOI_PORT_NEQ,	 /* neq a */
	GDOI_PORT_LT,	 /* lt a */
	GDOI_PORT_GT,	 /* gt a */
	GDOI_PORT_RANGE, /* range a b */
};

struct gdoi_ports {
	uint8_t op; /* enum gdoi_port_op */
	uint16_t a, b;
};

struct gdoi_acl_entry {
	uint32_t seq;		/* line number (10, 20, ...); 0 when the KS did not send one */
	uint8_t action;		/* enum gdoi_acl_action */
	uint8_t proto;		/* IP protocol, 0 = ip (any) */
	uint32_t src, src_wild; /* host byte order; wildcard bit 1 = don't care */
	uint32_t dst, dst_wild;
	struct gdoi_ports sport, dport;
	uint16_t sa_num; /* TEKs that encrypt it (permit lines) */
};

struct gdoi_kek {
	uint8_t spi[GDOI_KEK_SPI_LEN];
	enum crypto_cbc_alg alg; /* CRYPTO_CBC_3DES or _AES128/192/256 */
	uint8_t key[GDOI_KEK_KEY_MAX];
	uint8_t iv[GDOI_KEK_IV_MAX];
	bool has_keys;	   /* key/iv valid (a GM has them after message 4) */
	uint32_t life_sec; /* lifetime as created (KS) or as received (GM) */
	uint64_t created_ns, expires_ns;
	enum crypto_hash_alg sig_hash;
	uint8_t sig_alg; /* enum wire_sig_alg: 1 RSA */
	uint16_t sig_key_bits;
	bool multicast;	     /* rekey transport */
	uint32_t mcast_addr; /* group address of multicast rekeys */
	uint32_t ks_addr;    /* where rekeys come from (SA KEK source) */
	bool ack_requested;  /* KEK_ACK_REQUESTED (gvpn ACK, notes §5.3) */
};

struct gdoi_tek {
	uint32_t spi;
	uint16_t sa_num;
	struct gdoi_transform xf;
	uint8_t enc_key[GDOI_TEK_ENC_MAX]; /* key | salt for GCM */
	uint8_t auth_key[GDOI_TEK_AUTH_MAX];
	bool has_keys;
	uint32_t life_sec;
	uint64_t created_ns, expires_ns;
	/*
	 * GM: not used for sending before this time (a TEK from a rekey waits
	 * out the activation delay, ATD); 0 = at once. Receiving starts at once.
	 */
	uint64_t active_ns;
	uint8_t replay;		/* enum gdoi_replay */
	uint16_t replay_window; /* packets (counter) or seconds (time) */
	bool receive_only;	/* SA Direction receiver-only: decrypt only */
};

struct gdoi_policy {
	bool has_kek;
	struct gdoi_kek kek;
	size_t n_teks;
	struct gdoi_tek tek[GDOI_TEKS_MAX];
	size_t n_acl;
	struct gdoi_acl_entry acl[GDOI_ACL_MAX];
	bool has_gap;
	uint16_t atd_sec, dtd_sec;
	bool has_seq;
	uint32_t seq; /* GROUPKEY-PUSH sequence number (message 4 SEQ) */
	bool has_pseudotime;
	uint64_t pt_ms; /* KS pseudotime (ms) at pt_at_ns */
	uint64_t pt_at_ns;
	size_t spki_len; /* KS rekey public key, 0 when not sent */
	uint8_t spki[GDOI_SPKI_MAX];
	/*
	 * GM: the size of the key in spki once the KD decoder accepted it, 0
	 * before. A KD that carries these very bytes again is not decoded
	 * again (gdoi_policy_decode_kd).
	 */
	uint16_t spki_bits;
};

/* ---- transforms ---- */

/* Is the transform one gvpn implements? 0, or ERR_UNSUPP with *why set (static text). */
int gdoi_transform_check(const struct gdoi_transform *x, const char **why);
bool gdoi_transform_equal(const struct gdoi_transform *a, const struct gdoi_transform *b);
/* Octets of TEK_ALGORITHM_KEY: cipher key (+ 4 salt octets for GCM); 0 for NULL. */
size_t gdoi_transform_enc_len(const struct gdoi_transform *x);
/* Octets of TEK_INTEGRITY_KEY; 0 without HMAC. */
size_t gdoi_transform_auth_len(const struct gdoi_transform *x);
/* IOS transform-set text: "esp-aes 256 esp-sha256-hmac", "esp-gcm 128", "esp-null esp-sha-hmac". */
int gdoi_transform_format(const struct gdoi_transform *x, char *out, size_t cap);

/* ---- KEK ---- */

/* KEK algorithms gvpn uses: 3DES and AES-128/192/256 CBC. */
bool gdoi_kek_alg_ok(enum crypto_cbc_alg alg);
/* "3DES", "AES" (show policy), and key size in bits. */
const char *gdoi_kek_alg_name(enum crypto_cbc_alg alg);

/* ---- ACL ---- */

/* Is the wildcard contiguous (a prefix: 0...01...1)? */
bool gdoi_wild_contiguous(uint32_t wild);
/* What gdoi_acl_entry_check accepts beyond an IOS ACL line. */
enum gdoi_acl_check {
	GDOI_ACL_CONTIGUOUS = 1 << 0, /* require prefix wildcards (what SA TEK IDs can carry) */
	GDOI_ACL_IP_PORTS = 1 << 1,   /* allow ports with protocol 0: an RFC 6407 selector may
				       * say "any protocol, port P" (gdoid does); it matches the
				       * packets that have ports */
};
/*
 * Check one entry: known action and port operators, ports only on TCP
 * (6), UDP (17) or SCTP (132) (and 0 with GDOI_ACL_IP_PORTS), `lt 0`, `gt
 * 65535`, range a > b refused; flags as above. 0 or ERR_INVAL with *why.
 */
int gdoi_acl_entry_check(const struct gdoi_acl_entry *e, unsigned flags, const char **why);
/* Same line (everything but sa_num; padding never compared). */
bool gdoi_acl_line_equal(const struct gdoi_acl_entry *a, const struct gdoi_acl_entry *b);
/*
 * `show crypto gdoi gm acl` text of an entry:
 *   "access-list deny udp any port = 848 any port = 848"
 *   "access-list permit ip 10.1.0.0 0.0.255.255 host 10.2.0.1"
 * Operators `port = P`, `port != P`, `port < P`, `port > P`, `port range A B`.
 * Returns the length (snprintf style).
 */
int gdoi_acl_entry_format(const struct gdoi_acl_entry *e, char *out, size_t cap);

struct dp_acl_entry;
/*
 * The downloaded ACL as dp/acl.h entries for dp_acl_create (tek_tag =
 * sa_num). A line with ports on protocol 0 (an RFC selector "any protocol,
 * port P") becomes three lines, TCP, UDP and SCTP, with the same number:
 * the packets it can match. Returns the number of entries written, or
 * ERR_NOSPACE when cap is too small.
 */
int gdoi_acl_to_dp(const struct gdoi_acl_entry *in, size_t n, struct dp_acl_entry *out, size_t cap);

/* ---- policy ---- */

/* The TEK with this SPI, or NULL. */
struct gdoi_tek *gdoi_policy_tek(struct gdoi_policy *p, uint32_t spi);
/*
 * The TEK a sender encrypts with for sa_num at now, among the TEKs of that
 * sa_num that may send (not receive-only, not expired):
 *  - the newest TEK that came in a rekey (active_ns != 0) and whose
 *    activation delay is over: every member has had it for receiving
 *    since the push;
 *  - otherwise the oldest running TEK (members that have not yet learnt a
 *    newer one, e.g. when the KS cannot rekey, can still decrypt it).
 * NULL if none.
 */
const struct gdoi_tek *gdoi_policy_outbound(const struct gdoi_policy *p, uint16_t sa_num,
					    uint64_t now);
/* Drop TEKs whose expires_ns <= now (the KEK is left alone). Returns how many went. */
size_t gdoi_policy_expire_teks(struct gdoi_policy *p, uint64_t now);
/* Seconds left of a key at now (rounded down, 0 when past). */
uint32_t gdoi_remaining_sec(uint64_t expires_ns, uint64_t now);
/* Wipe every key and reset the policy to empty. */
void gdoi_policy_clear(struct gdoi_policy *p);

#endif
