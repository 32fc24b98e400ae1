/*
 * The parsed configuration: a plain C model of gvpnd's IOS-style
 * configuration file (docs/configuration.md has the language).
 *
 * Everything is held in fixed-size arrays inside one struct conf_config,
 * so a model has no pointers, is copied with memcpy and freed at once
 * (conf_config_free wipes it: it holds the pre-shared keys). The limits
 * below are the language's; a file over a limit is refused with
 * FILE:LINE.
 *
 * Values are effective values: where a command is absent the parser has
 * put its default (noted at each field), so a consumer needs no default
 * table of its own. Exceptions say "0: not configured".
 *
 * Every item keeps the line of the command that made it (`line`), and
 * every reference to another item by name keeps the line of the
 * referencing command (struct conf_ref), for FILE:LINE messages of later
 * checks (config->file is the name given to the parser).
 *
 * Addresses and wildcards are IPv4 in host byte order. A wildcard has
 * bit 1 = don't care (IOS); the parser clears the don't-care bits of the
 * address (`10.1.2.3 0.0.255.255` is stored as 10.1.0.0).
 *
 * Items stored for later features (parsed, checked, written back, shown by
 * `show running-config`, not acted on yet) are marked [later].
 */
#ifndef GVPN_CONF_MODEL_H
#define GVPN_CONF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of the language. */
enum {
	CONF_NAME_MAX = 64,	/* names (ACL, set, profile, group, map, label), with the NUL */
	CONF_HOSTNAME_MAX = 64, /* with the NUL */
	CONF_IFNAME_MAX = 16,	/* interface names (IFNAMSIZ), with the NUL */
	CONF_KEY_MAX = 128,	/* pre-shared key, with the NUL */
	CONF_FILE_MAX = 256,	/* file name kept for messages (cut), with the NUL */
	CONF_ISAKMP_POLICIES_MAX = 16,
	CONF_ISAKMP_KEYS_MAX = 64,
	CONF_TRANSFORM_SETS_MAX = 16,
	CONF_PROFILES_MAX = 16,
	CONF_PROFILE_SETS_MAX = 6, /* `set transform-set A B ...` names per profile */
	CONF_ACLS_MAX = 32,	   /* extended and standard together */
	CONF_ACL_LINES_MAX = 64,   /* lines per ACL */
	CONF_GROUPS_MAX = 16,
	CONF_GROUP_SAS_MAX = 8,	    /* `sa ipsec N` per group */
	CONF_GROUP_SERVERS_MAX = 8, /* `server address ipv4` per member group */
	CONF_PEERS_MAX = 8,	    /* `peer address ipv4` per redundancy block */
	CONF_CRYPTO_MAPS_MAX = 16,  /* `crypto map NAME SEQ gdoi` entries */
	CONF_INTERFACES_MAX = 8,
};

/* ---- crypto isakmp policy ---- */

enum conf_ike_enc {
	CONF_IKE_ENC_AES = 1, /* key_bits 128, 192 or 256 */
	CONF_IKE_ENC_3DES,    /* key_bits 192 */
};

enum conf_hash {
	CONF_HASH_SHA1 = 1, /* `sha` */
	CONF_HASH_SHA256,
	CONF_HASH_SHA384,
};

enum conf_ike_auth {
	CONF_IKE_AUTH_PSK = 1, /* `pre-share`, the only method */
};

struct conf_isakmp_policy {
	uint32_t line;
	uint16_t priority;     /* `crypto isakmp policy N`, 1..10000 */
	uint8_t enc;	       /* enum conf_ike_enc; default AES */
	uint16_t key_bits;     /* default 128 (3DES: 192) */
	uint8_t hash;	       /* enum conf_hash; default SHA1 */
	uint8_t auth;	       /* enum conf_ike_auth; default PSK */
	uint8_t dh_group;      /* 2, 14, 15, 16, 19, 20, 21; default 14 */
	uint32_t lifetime_sec; /* 60..86400; default 86400 */
};

/* `crypto isakmp key KEY address A [MASK]` */
struct conf_isakmp_key {
	uint32_t line;
	char key[CONF_KEY_MAX]; /* secret: wiped by conf_config_free/_wipe */
	uint32_t addr, mask; /* mask default 255.255.255.255; addr has the non-mask bits cleared */
};

/* ---- crypto ipsec ---- */

enum conf_esp_enc {
	CONF_ESP_AES = 1, /* esp-aes [128|192|256], default 128 */
	CONF_ESP_GCM,	  /* esp-gcm [128|256], default 128; no HMAC allowed */
	CONF_ESP_3DES,	  /* key_bits 192 */
	CONF_ESP_NULL,	  /* key_bits 0 */
};

enum conf_esp_auth {
	CONF_ESP_AUTH_NONE = 0,
	CONF_ESP_AUTH_SHA1,   /* esp-sha-hmac */
	CONF_ESP_AUTH_SHA256, /* esp-sha256-hmac */
	CONF_ESP_AUTH_SHA384, /* esp-sha384-hmac */
};

/* `crypto ipsec transform-set NAME ENC [AUTH]` */
struct conf_transform_set {
	uint32_t line;
	char name[CONF_NAME_MAX];
	uint8_t enc;	   /* enum conf_esp_enc */
	uint16_t key_bits; /* cipher key without salt: 128/192/256, 3DES 192, NULL 0 */
	uint8_t auth;	   /* enum conf_esp_auth */
};

/* A name that refers to another item, with the line that names it. */
struct conf_ref {
	uint32_t line; /* 0: not configured (name is "") */
	char name[CONF_NAME_MAX];
};

/* `crypto ipsec profile NAME` */
struct conf_profile {
	uint32_t line;
	char name[CONF_NAME_MAX];
	struct conf_ref sets[CONF_PROFILE_SETS_MAX]; /* `set transform-set A [B ...]`, in order */
	size_t n_sets;
	uint32_t life_sec; /* `set security-association lifetime seconds N`,
			      120..2592000; default 3600 */
};

/* ---- ip access-list ---- */

enum conf_port_op {
	CONF_PORT_ANY = 0,
	CONF_PORT_EQ,	 /* eq a */
	CONF_PORT_NEQ,	 /* neq a */
	CONF_PORT_LT,	 /* lt a */
	CONF_PORT_GT,	 /* gt a */
	CONF_PORT_RANGE, /* range a b, a <= b */
};

struct conf_ports {
	uint8_t op; /* enum conf_port_op */
	uint16_t a, b;
};

/*
 * One ACL line. Standard ACLs use only permit, src and src_wild (proto 0,
 * dst any). `any` is 0.0.0.0/255.255.255.255, `host A` is A/0.0.0.0.
 * Ports only with tcp (6) and udp (17).
 */
struct conf_acl_line {
	uint32_t line;
	bool permit;   /* false: deny */
	uint8_t proto; /* IP protocol; 0 = `ip` (any) */
	uint32_t src, src_wild;
	uint32_t dst, dst_wild;
	struct conf_ports sport, dport;
};

/* `ip access-list extended NAME` / `ip access-list standard NAME` */
struct conf_acl {
	uint32_t line;
	char name[CONF_NAME_MAX];
	bool standard;
	struct conf_acl_line lines[CONF_ACL_LINES_MAX]; /* in order */
	size_t n_lines;
};

/* ---- crypto gdoi group ---- */

enum conf_kek_alg {
	CONF_KEK_AES = 1, /* `rekey algorithm aes 128|192|256`; key_bits */
	CONF_KEK_3DES,	  /* `rekey algorithm 3des`; key_bits 192 */
};

/* Anti-replay of an `sa ipsec`; same values as gdoi's enum gdoi_replay. */
enum conf_replay {
	CONF_REPLAY_NONE = 0,	 /* `no replay` */
	CONF_REPLAY_COUNTER = 1, /* `replay counter window-size N` (64..1024, a power of 2) */
	CONF_REPLAY_TIME = 2,	 /* `replay time window-size N` (1..100 seconds) */
};

/* `sa ipsec N` under `server local` */
struct conf_gdoi_sa {
	uint32_t line;
	uint16_t number;	 /* 1..65535 */
	struct conf_ref profile; /* `profile NAME` (required) */
	struct conf_ref match;	 /* `match address ipv4 ACL`, extended (required) */
	uint8_t replay;		 /* enum conf_replay; default COUNTER */
	uint16_t replay_window;	 /* packets or seconds; default 64 (counter) */
	uint32_t replay_line;	 /* line of the replay command; 0: default */
};

enum conf_rekey_transport {
	CONF_REKEY_MULTICAST = 0, /* default */
	CONF_REKEY_UNICAST = 1,
};

/* `server local`: this daemon is a key server of the group. */
struct conf_gdoi_server {
	uint32_t line;
	uint8_t rekey_alg;	     /* enum conf_kek_alg; default AES */
	uint16_t rekey_key_bits;     /* default 128 */
	uint32_t rekey_life_sec;     /* `rekey lifetime seconds N`, 300..2592000; default 86400 */
	uint32_t retrans_period_sec; /* `rekey retransmit P number N`: P 10..60, default 10 */
	uint32_t retrans_count;	     /* N 1..10, default 2 */
	struct conf_ref rsa_label;   /* `rekey authentication mypubkey rsa LABEL`; "": none */
	uint8_t transport;	     /* enum conf_rekey_transport */
	uint32_t transport_line;     /* 0: default */
	struct conf_ref
	    rekey_acl; /* `rekey address ipv4 ACL` (extended): multicast group; "": none */
	struct conf_ref auth_acl; /* `authorization address ipv4 ACL` (standard); "": none */
	bool receive_only;	  /* `sa receive-only` */
	struct conf_gdoi_sa sas[CONF_GROUP_SAS_MAX]; /* in configuration order */
	size_t n_sas;
	uint32_t addr;	    /* `address ipv4 A` (required) */
	uint32_t addr_line; /* 0: not configured */
	/* `redundancy` [later: COOP] */
	bool redundancy;
	uint32_t redundancy_line;
	uint8_t priority;		/* `local priority N`, 1..255; default 1 */
	uint32_t peers[CONF_PEERS_MAX]; /* `peer address ipv4 A`, in order */
	uint32_t peer_lines[CONF_PEERS_MAX];
	size_t n_peers;
};

/* A server of `server address ipv4 A`. */
struct conf_gdoi_server_addr {
	uint32_t line;
	uint32_t addr;
};

/*
 * `crypto gdoi group NAME`. A key-server group has has_server (`server
 * local`); a member group has n_servers > 0. Exactly one of the two.
 */
struct conf_gdoi_group {
	uint32_t line;
	char name[CONF_NAME_MAX];
	uint32_t identity;	/* `identity number N` (required), 0..4294967295 */
	uint32_t identity_line; /* 0: not configured (an error) */
	bool has_server;
	struct conf_gdoi_server server;
	struct conf_gdoi_server_addr servers[CONF_GROUP_SERVERS_MAX]; /* in order */
	size_t n_servers;
	bool fail_close; /* `client fail-close` (or the crypto map form, see conf_crypto_map) */
	uint32_t fail_close_line;
};

/* ---- crypto map / interface ---- */

/* `crypto map NAME SEQ gdoi` */
struct conf_crypto_map {
	uint32_t line;
	char name[CONF_NAME_MAX];
	uint16_t seq;	       /* 1..65535 */
	struct conf_ref group; /* `set group G` (required, a member group) */
	struct conf_ref
	    match; /* `match address ACL` (extended): local deny ACL [later]; "": none */
};

/*
 * `crypto map NAME gdoi fail-close` followed by `activate` in its submode
 * (the IOS form). One per map name.
 */
struct conf_fail_close {
	uint32_t line;
	char map[CONF_NAME_MAX];
	bool activate;	       /* `activate` given: fail-close is on */
	struct conf_ref match; /* `match address ACL` in the submode [later]; "": none */
};

/* `interface IFNAME` */
struct conf_interface {
	uint32_t line;
	char name[CONF_IFNAME_MAX];
	struct conf_ref crypto_map; /* `crypto map NAME`; "": none */
	uint16_t adjust_mss;	    /* `ip tcp adjust-mss N`, 500..1460; 0: not configured */
	uint32_t adjust_mss_line;
};

/* ---- the whole file ---- */

struct conf_config {
	char file[CONF_FILE_MAX];	  /* the name given to the parser (messages) */
	char hostname[CONF_HOSTNAME_MAX]; /* `hostname NAME`; "": not configured */
	uint32_t hostname_line;
	uint32_t log_buffered_bytes; /* `logging buffered N`, 4096..2147483647; 0: not configured */
	uint32_t log_buffered_line;
	bool df_bit_clear; /* `crypto ipsec df-bit clear` */
	uint32_t df_bit_line;
	/*
	 * `crypto gdoi phase1-doi ipsec|gdoi` (gvpn's own command): the DOI
	 * of the phase-1 SA payload this daemon offers when it initiates.
	 * false: 2, GDOI (default); true: 1, IPsec (Wireshark can decrypt).
	 */
	bool phase1_doi_ipsec;
	uint32_t phase1_doi_line; /* 0: not configured */

	struct conf_isakmp_policy isakmp_policies[CONF_ISAKMP_POLICIES_MAX]; /* in file order */
	size_t n_isakmp_policies;
	struct conf_isakmp_key isakmp_keys[CONF_ISAKMP_KEYS_MAX];
	size_t n_isakmp_keys;
	struct conf_transform_set transform_sets[CONF_TRANSFORM_SETS_MAX];
	size_t n_transform_sets;
	struct conf_profile profiles[CONF_PROFILES_MAX];
	size_t n_profiles;
	struct conf_acl acls[CONF_ACLS_MAX];
	size_t n_acls;
	struct conf_gdoi_group groups[CONF_GROUPS_MAX];
	size_t n_groups;
	struct conf_crypto_map crypto_maps[CONF_CRYPTO_MAPS_MAX];
	size_t n_crypto_maps;
	struct conf_fail_close fail_closes[CONF_CRYPTO_MAPS_MAX];
	size_t n_fail_closes;
	struct conf_interface interfaces[CONF_INTERFACES_MAX];
	size_t n_interfaces;
};

/*
 * An empty configuration (no items, not a valid daemon configuration by
 * itself but one conf_write renders as an empty file).
 */
void conf_config_init(struct conf_config *c);
/* Heap model, initialised; NULL when out of memory. */
struct conf_config *conf_config_new(void);
/* Wipe (keys) and free; NULL is fine. */
void conf_config_free(struct conf_config *c);
/* Wipe the whole model (keys included), leaving it initialised. */
void conf_config_wipe(struct conf_config *c);

/*
 * Same configuration: every value equal, ignoring line numbers and file
 * names (a written-and-reparsed model equals the original).
 */
bool conf_config_equal(const struct conf_config *a, const struct conf_config *b);

/* Look-ups by name (exact, case-sensitive as on IOS); NULL when absent. */
const struct conf_transform_set *conf_find_transform_set(const struct conf_config *c,
							 const char *name);
const struct conf_profile *conf_find_profile(const struct conf_config *c, const char *name);
const struct conf_acl *conf_find_acl(const struct conf_config *c, const char *name);
const struct conf_gdoi_group *conf_find_group(const struct conf_config *c, const char *name);
/* The lowest-sequence entry of crypto map NAME. */
const struct conf_crypto_map *conf_find_crypto_map(const struct conf_config *c, const char *name);
/* The fail-close block of crypto map NAME. */
const struct conf_fail_close *conf_find_fail_close(const struct conf_config *c, const char *name);

/*
 * Is member group g fail-close: `client fail-close` in the group, or an
 * activated `crypto map M gdoi fail-close` for a map M with an entry
 * `set group` g.
 */
bool conf_group_fail_close(const struct conf_config *c, const struct conf_gdoi_group *g);

#endif
