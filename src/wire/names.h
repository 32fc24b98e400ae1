/*
 * ISAKMP / IPsec DOI / GDOI numbers and their names.
 *
 * Every registry the wire layer touches is an enum here, with the source in
 * a comment; names.c holds one table per enum. The *_name() functions return
 * a stable upper-case name, or "UNKNOWN" for a value without one (callers
 * print the number next to it). Values are passed as unsigned so that a
 * number read off the wire can be named without a cast to the enum.
 *
 * Sources: RFC 2407 (IPsec DOI), RFC 2408 (ISAKMP), RFC 2409 (IKE, appendix A),
 * RFC 6407 (GDOI), IANA "ISAKMP" / "IPsec DOI" / "IKE attributes" registries,
 * and gvpn's own private values from shared/docs/protocol-notes.md §5.
 */
#ifndef GVPN_WIRE_NAMES_H
#define GVPN_WIRE_NAMES_H

#include <stdint.h>

/* Exchange types: RFC 2408 §3.1; 32/33 are GROUPKEY-PULL/PUSH in the GDOI DOI
 * (RFC 6407 §3, §4; Quick Mode / New Group Mode in the IPsec DOI); 35 is the
 * gvpn GROUPKEY-PUSH acknowledgement (notes §5.3); 240 gvpn COOP (notes §5.5). */
enum wire_exch {
	WIRE_EXCH_NONE = 0,
	WIRE_EXCH_BASE = 1,
	WIRE_EXCH_IDPROT = 2, /* Identity Protection = Main Mode */
	WIRE_EXCH_AUTH_ONLY = 3,
	WIRE_EXCH_AGGRESSIVE = 4,
	WIRE_EXCH_INFO = 5,
	WIRE_EXCH_TRANSACTION = 6,
	WIRE_EXCH_GROUPKEY_PULL = 32,
	WIRE_EXCH_GROUPKEY_PUSH = 33,
	WIRE_EXCH_PUSH_ACK = 35,
	WIRE_EXCH_GVPN_COOP = 240,
};

/* Payload types: RFC 2408 §3.1, RFC 6407 §5, RFC 3947; 128-255 private use
 * (Cisco 132 = IKEv1 fragmentation; gvpn COOP 200-202, notes §5.5). */
enum wire_pl {
	WIRE_PL_NONE = 0,
	WIRE_PL_SA = 1,
	WIRE_PL_P = 2,
	WIRE_PL_T = 3,
	WIRE_PL_KE = 4,
	WIRE_PL_ID = 5,
	WIRE_PL_CERT = 6,
	WIRE_PL_CR = 7,
	WIRE_PL_HASH = 8,
	WIRE_PL_SIG = 9,
	WIRE_PL_NONCE = 10,
	WIRE_PL_N = 11,
	WIRE_PL_D = 12,
	WIRE_PL_VID = 13,
	WIRE_PL_ATTR = 14,
	WIRE_PL_SAK = 15,
	WIRE_PL_SAT = 16,
	WIRE_PL_KD = 17,
	WIRE_PL_SEQ = 18,
	WIRE_PL_POP = 19,
	WIRE_PL_NATD = 20,
	WIRE_PL_NATOA = 21,
	WIRE_PL_GAP = 22,
	WIRE_PL_LAST_PUBLIC = 22, /* highest assigned public type */
	WIRE_PL_PRIVATE_MIN = 128,
	WIRE_PL_CISCO_FRAG = 132,
	WIRE_PL_COOP_ANNOUNCE = 200,
	WIRE_PL_COOP_STATE = 201,
	WIRE_PL_COOP_ACK = 202,
};

/* Notify message types: RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706. */
enum wire_notify_type {
	WIRE_N_INVALID_PAYLOAD_TYPE = 1,
	WIRE_N_DOI_NOT_SUPPORTED = 2,
	WIRE_N_SITUATION_NOT_SUPPORTED = 3,
	WIRE_N_INVALID_COOKIE = 4,
	WIRE_N_INVALID_MAJOR_VERSION = 5,
	WIRE_N_INVALID_MINOR_VERSION = 6,
	WIRE_N_INVALID_EXCHANGE_TYPE = 7,
	WIRE_N_INVALID_FLAGS = 8,
	WIRE_N_INVALID_MESSAGE_ID = 9,
	WIRE_N_INVALID_PROTOCOL_ID = 10,
	WIRE_N_INVALID_SPI = 11,
	WIRE_N_INVALID_TRANSFORM_ID = 12,
	WIRE_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	WIRE_N_NO_PROPOSAL_CHOSEN = 14,
	WIRE_N_BAD_PROPOSAL_SYNTAX = 15,
	WIRE_N_PAYLOAD_MALFORMED = 16,
	WIRE_N_INVALID_KEY_INFORMATION = 17,
	WIRE_N_INVALID_ID_INFORMATION = 18,
	WIRE_N_INVALID_CERT_ENCODING = 19,
	WIRE_N_INVALID_CERTIFICATE = 20,
	WIRE_N_CERT_TYPE_UNSUPPORTED = 21,
	WIRE_N_INVALID_CERT_AUTHORITY = 22,
	WIRE_N_INVALID_HASH_INFORMATION = 23,
	WIRE_N_AUTHENTICATION_FAILED = 24,
	WIRE_N_INVALID_SIGNATURE = 25,
	WIRE_N_ADDRESS_NOTIFICATION = 26,
	WIRE_N_NOTIFY_SA_LIFETIME = 27,
	WIRE_N_CERTIFICATE_UNAVAILABLE = 28,
	WIRE_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	WIRE_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	WIRE_N_CONNECTED = 16384,
	WIRE_N_RESPONDER_LIFETIME = 24576,
	WIRE_N_REPLAY_STATUS = 24577,
	WIRE_N_INITIAL_CONTACT = 24578,
	WIRE_N_R_U_THERE = 36136,
	WIRE_N_R_U_THERE_ACK = 36137,
};

/* Identification types: RFC 2407 §4.6.2.1, RFC 3554 (12), RFC 8052 (13). */
enum wire_id_type {
	WIRE_ID_IPV4_ADDR = 1,
	WIRE_ID_FQDN = 2,
	WIRE_ID_USER_FQDN = 3,
	WIRE_ID_IPV4_ADDR_SUBNET = 4,
	WIRE_ID_IPV6_ADDR = 5,
	WIRE_ID_IPV6_ADDR_SUBNET = 6,
	WIRE_ID_IPV4_ADDR_RANGE = 7,
	WIRE_ID_IPV6_ADDR_RANGE = 8,
	WIRE_ID_DER_ASN1_DN = 9,
	WIRE_ID_DER_ASN1_GN = 10,
	WIRE_ID_KEY_ID = 11,
	WIRE_ID_LIST = 12,
	WIRE_ID_OID = 13,
};

/* Domains of interpretation: RFC 2408 §3.4, RFC 2407, RFC 6407. */
enum wire_doi {
	WIRE_DOI_ISAKMP = 0,
	WIRE_DOI_IPSEC = 1,
	WIRE_DOI_GDOI = 2,
};

/* Protocol IDs of the IPsec DOI (proposals, N, D): RFC 2407 §4.4.1. */
enum wire_proto {
	WIRE_PROTO_ISAKMP = 1,
	WIRE_PROTO_IPSEC_AH = 2,
	WIRE_PROTO_IPSEC_ESP = 3,
	WIRE_PROTO_IPCOMP = 4,
};

/* SA TEK / GDOI Delete protocol IDs: RFC 6407 §5.4. */
enum wire_gdoi_proto {
	WIRE_GDOI_PROTO_IPSEC_ESP = 1,
	WIRE_GDOI_PROTO_IPSEC_AH = 2,
};

/* IPsec DOI situation bits: RFC 2407 §4.2. */
enum wire_sit {
	WIRE_SIT_IDENTITY_ONLY = 1,
	WIRE_SIT_SECRECY = 2,
	WIRE_SIT_INTEGRITY = 4,
};

/* Phase 1 transform ID: RFC 2407 §4.4.2. */
enum wire_p1_xform_id {
	WIRE_KEY_IKE = 1,
};

/* Phase 1 (IKE) attribute classes: RFC 2409 appendix A. */
enum wire_p1_attr {
	WIRE_P1A_ENCR = 1,
	WIRE_P1A_HASH = 2,
	WIRE_P1A_AUTH = 3,
	WIRE_P1A_GROUP_DESC = 4,
	WIRE_P1A_GROUP_TYPE = 5,
	WIRE_P1A_GROUP_PRIME = 6,
	WIRE_P1A_GROUP_GEN1 = 7,
	WIRE_P1A_GROUP_GEN2 = 8,
	WIRE_P1A_GROUP_CURVE_A = 9,
	WIRE_P1A_GROUP_CURVE_B = 10,
	WIRE_P1A_LIFE_TYPE = 11,
	WIRE_P1A_LIFE_DURATION = 12,
	WIRE_P1A_PRF = 13,
	WIRE_P1A_KEY_LENGTH = 14,
	WIRE_P1A_FIELD_SIZE = 15,
	WIRE_P1A_GROUP_ORDER = 16,
};

/* Phase 1 encryption algorithms: RFC 2409 appendix A, IANA. */
enum wire_p1_encr {
	WIRE_P1_ENCR_DES = 1,
	WIRE_P1_ENCR_IDEA = 2,
	WIRE_P1_ENCR_BLOWFISH = 3,
	WIRE_P1_ENCR_RC5 = 4,
	WIRE_P1_ENCR_3DES = 5,
	WIRE_P1_ENCR_CAST = 6,
	WIRE_P1_ENCR_AES_CBC = 7,
	WIRE_P1_ENCR_CAMELLIA = 8,
};

/* Phase 1 hash algorithms: RFC 2409 appendix A, IANA (4-6 SHA-2). */
enum wire_p1_hash {
	WIRE_P1_HASH_MD5 = 1,
	WIRE_P1_HASH_SHA1 = 2,
	WIRE_P1_HASH_TIGER = 3,
	WIRE_P1_HASH_SHA256 = 4,
	WIRE_P1_HASH_SHA384 = 5,
	WIRE_P1_HASH_SHA512 = 6,
};

/* Phase 1 authentication methods: RFC 2409 appendix A, RFC 4754. */
enum wire_p1_auth {
	WIRE_P1_AUTH_PSK = 1,
	WIRE_P1_AUTH_DSS = 2,
	WIRE_P1_AUTH_RSA_SIG = 3,
	WIRE_P1_AUTH_RSA_ENC = 4,
	WIRE_P1_AUTH_RSA_ENC_REV = 5,
	WIRE_P1_AUTH_ECDSA_256 = 9,
	WIRE_P1_AUTH_ECDSA_384 = 10,
	WIRE_P1_AUTH_ECDSA_521 = 11,
};

/* Diffie-Hellman groups (Group Description): RFC 2409 §6, RFC 3526, RFC 5903. */
enum wire_group {
	WIRE_GROUP_MODP768 = 1,
	WIRE_GROUP_MODP1024 = 2,
	WIRE_GROUP_MODP1536 = 5,
	WIRE_GROUP_MODP2048 = 14,
	WIRE_GROUP_MODP3072 = 15,
	WIRE_GROUP_MODP4096 = 16,
	WIRE_GROUP_MODP6144 = 17,
	WIRE_GROUP_MODP8192 = 18,
	WIRE_GROUP_ECP256 = 19,
	WIRE_GROUP_ECP384 = 20,
	WIRE_GROUP_ECP521 = 21,
	WIRE_GROUP_MODP2048_256 = 24,
};

/* Life types, shared by phase 1 (attr 11) and the IPsec DOI (attr 1). */
enum wire_life_type {
	WIRE_LIFE_SECONDS = 1,
	WIRE_LIFE_KILOBYTES = 2,
};

/* SA KEK attributes: RFC 6407 §5.3.1-5.3.x; 9 = KEK_ACK_REQUESTED (RFC 8263). */
enum wire_kek_attr {
	WIRE_KEKA_MGMT_ALG = 1,
	WIRE_KEKA_ALG = 2,
	WIRE_KEKA_KEY_LENGTH = 3,
	WIRE_KEKA_KEY_LIFETIME = 4,
	WIRE_KEKA_SIG_HASH_ALG = 5,
	WIRE_KEKA_SIG_ALG = 6,
	WIRE_KEKA_SIG_KEY_LENGTH = 7,
	WIRE_KEKA_KE_OAKLEY_GROUP = 8,
	WIRE_KEKA_ACK_REQUESTED = 9,
};

/* KEK_MANAGEMENT_ALGORITHM values: RFC 6407 §5.3.1. */
enum wire_kek_mgmt {
	WIRE_KEK_MGMT_LKH = 1,
};

/* KEK_ALGORITHM values (CBC): RFC 6407 §5.3.2. */
enum wire_kek_alg {
	WIRE_KEK_ALG_DES = 1,
	WIRE_KEK_ALG_3DES = 2,
	WIRE_KEK_ALG_AES = 3,
};

/* SIG_HASH_ALGORITHM values: RFC 6407 §5.3.5. */
enum wire_sig_hash {
	WIRE_SIG_HASH_MD5 = 1,
	WIRE_SIG_HASH_SHA1 = 2,
	WIRE_SIG_HASH_SHA256 = 3,
	WIRE_SIG_HASH_SHA384 = 4,
	WIRE_SIG_HASH_SHA512 = 5,
};

/* SIG_ALGORITHM values: RFC 6407 §5.3.6. */
enum wire_sig_alg {
	WIRE_SIG_ALG_RSA = 1,
	WIRE_SIG_ALG_DSS = 2,
	WIRE_SIG_ALG_ECDSS = 3,
	WIRE_SIG_ALG_ECDSA_256 = 4,
	WIRE_SIG_ALG_ECDSA_384 = 5,
	WIRE_SIG_ALG_ECDSA_521 = 6,
};

/* IPsec DOI SA attributes, used in the SA TEK: RFC 2407 §4.5, RFC 6407 (14, 15),
 * gvpn private use 32001-32006 (notes §5.4, §5.6). */
enum wire_tek_attr {
	WIRE_TEKA_LIFE_TYPE = 1,
	WIRE_TEKA_LIFE_DURATION = 2,
	WIRE_TEKA_GROUP_DESC = 3,
	WIRE_TEKA_ENCAP_MODE = 4,
	WIRE_TEKA_AUTH_ALG = 5,
	WIRE_TEKA_KEY_LENGTH = 6,
	WIRE_TEKA_KEY_ROUNDS = 7,
	WIRE_TEKA_COMP_DICT_SIZE = 8,
	WIRE_TEKA_COMP_PRIV_ALG = 9,
	WIRE_TEKA_ECN_TUNNEL = 10,
	WIRE_TEKA_ESN = 11,
	WIRE_TEKA_AUTH_KEY_LENGTH = 12,
	WIRE_TEKA_SIG_ENC_ALG = 13,
	WIRE_TEKA_ADDR_PRESERVATION = 14,
	WIRE_TEKA_SA_DIRECTION = 15,
	WIRE_TEKA_GVPN_REPLAY_METHOD = 32001,
	WIRE_TEKA_GVPN_REPLAY_WINDOW = 32002,
	WIRE_TEKA_GVPN_PSEUDOTIME = 32003,
	WIRE_TEKA_GVPN_PORT_RANGE = 32004,
	WIRE_TEKA_GVPN_ACL_ACTION = 32005,
	WIRE_TEKA_GVPN_ACL_SEQ = 32006,
};

/* Encapsulation Mode values: RFC 2407 §4.5, RFC 3947. */
enum wire_encap {
	WIRE_ENCAP_TUNNEL = 1,
	WIRE_ENCAP_TRANSPORT = 2,
	WIRE_ENCAP_UDP_TUNNEL = 3,
	WIRE_ENCAP_UDP_TRANSPORT = 4,
};

/* Authentication Algorithm values: RFC 2407 §4.5, IANA (5-7 RFC 4868, 11-13 GMAC). */
enum wire_auth_alg {
	WIRE_AUTH_HMAC_MD5 = 1,
	WIRE_AUTH_HMAC_SHA1 = 2,
	WIRE_AUTH_DES_MAC = 3,
	WIRE_AUTH_KPDK = 4,
	WIRE_AUTH_HMAC_SHA2_256 = 5,
	WIRE_AUTH_HMAC_SHA2_384 = 6,
	WIRE_AUTH_HMAC_SHA2_512 = 7,
	WIRE_AUTH_AES_XCBC_MAC = 9,
	WIRE_AUTH_AES_128_GMAC = 11,
	WIRE_AUTH_AES_192_GMAC = 12,
	WIRE_AUTH_AES_256_GMAC = 13,
};

/* Address Preservation values: RFC 6407 §5.4.1. */
enum wire_addr_pres {
	WIRE_ADDR_PRES_NONE = 1,
	WIRE_ADDR_PRES_SOURCE = 2,
	WIRE_ADDR_PRES_DESTINATION = 3,
	WIRE_ADDR_PRES_BOTH = 4,
};

/* SA Direction values: RFC 6407 §5.4.1. */
enum wire_sa_dir {
	WIRE_SA_DIR_SENDER = 1,
	WIRE_SA_DIR_RECEIVER = 2,
	WIRE_SA_DIR_SYMMETRIC = 3,
};

/* gvpn replay methods (GVPN_REPLAY_METHOD, notes §5.4). */
enum wire_gvpn_replay {
	WIRE_GVPN_REPLAY_NONE = 0,
	WIRE_GVPN_REPLAY_COUNTER = 1,
	WIRE_GVPN_REPLAY_TIME = 2,
};

/* GAP attributes: RFC 6407 §5.4.3 (section number per notes [R]). */
enum wire_gap_attr {
	WIRE_GAPA_ATD = 1,
	WIRE_GAPA_DTD = 2,
	WIRE_GAPA_SENDER_ID_REQUEST = 3,
};

/* Key Download key packet types: RFC 6407 §5.5. */
enum wire_kd_type {
	WIRE_KD_TEK = 1,
	WIRE_KD_KEK = 2,
	WIRE_KD_LKH = 3,
	WIRE_KD_SID = 4,
};

/* Key packet attributes: RFC 6407 §5.5.1-5.5.4 (numbers repeat per packet type). */
enum wire_kd_attr {
	WIRE_KDA_TEK_ALG_KEY = 1,
	WIRE_KDA_TEK_INTEGRITY_KEY = 2,
	WIRE_KDA_TEK_SOURCE_AUTH_KEY = 3,
	WIRE_KDA_KEK_ALG_KEY = 1,
	WIRE_KDA_KEK_SIG_ALG_KEY = 2,
	WIRE_KDA_LKH_DOWNLOAD_ARRAY = 1,
	WIRE_KDA_LKH_UPDATE_ARRAY = 2,
	WIRE_KDA_LKH_SIG_ALG_KEY = 3,
	WIRE_KDA_SID_NUMBER_OF_BITS = 1,
	WIRE_KDA_SID_VALUE = 2,
};

/* ESP transform IDs: RFC 2407 §4.4.4, IANA (12 AES-CBC, 18-20 AES-GCM, 21 GMAC). */
enum wire_esp {
	WIRE_ESP_DES_IV64 = 1,
	WIRE_ESP_DES = 2,
	WIRE_ESP_3DES = 3,
	WIRE_ESP_RC5 = 4,
	WIRE_ESP_IDEA = 5,
	WIRE_ESP_CAST = 6,
	WIRE_ESP_BLOWFISH = 7,
	WIRE_ESP_3IDEA = 8,
	WIRE_ESP_DES_IV32 = 9,
	WIRE_ESP_RC4 = 10,
	WIRE_ESP_NULL = 11,
	WIRE_ESP_AES_CBC = 12,
	WIRE_ESP_AES_CTR = 13,
	WIRE_ESP_AES_CCM_8 = 14,
	WIRE_ESP_AES_CCM_12 = 15,
	WIRE_ESP_AES_CCM_16 = 16,
	WIRE_ESP_AES_GCM_8 = 18,
	WIRE_ESP_AES_GCM_12 = 19,
	WIRE_ESP_AES_GCM_16 = 20,
	WIRE_ESP_NULL_AUTH_AES_GMAC = 21,
};

const char *wire_exch_name(unsigned v);
const char *wire_pl_name(unsigned v);
const char *wire_notify_name(unsigned v);
const char *wire_id_type_name(unsigned v);
const char *wire_doi_name(unsigned v);
const char *wire_proto_name(unsigned v);
const char *wire_gdoi_proto_name(unsigned v);
const char *wire_p1_attr_name(unsigned type);
/* Name of a phase 1 attribute value; depends on the attribute type. */
const char *wire_p1_attr_value_name(unsigned type, unsigned value);
const char *wire_kek_attr_name(unsigned type);
const char *wire_kek_attr_value_name(unsigned type, unsigned value);
const char *wire_tek_attr_name(unsigned type);
const char *wire_tek_attr_value_name(unsigned type, unsigned value);
const char *wire_gap_attr_name(unsigned type);
const char *wire_kd_type_name(unsigned v);
/* Key packet attribute names depend on the key packet type. */
const char *wire_kd_attr_name(unsigned kd_type, unsigned attr_type);
const char *wire_esp_name(unsigned v);

#endif
