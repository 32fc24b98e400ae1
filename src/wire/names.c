/* Name tables for the registries in names.h, one per enum, in value order. */
#include "wire/names.h"

#include <stddef.h>

#include "util/mem.h"

struct name {
	unsigned v;
	const char *s;
};

static const char *find(const struct name *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return "UNKNOWN";
}

#define FIND(table, v) find(table, ARRAY_SIZE(table), v)

static const struct name exch[] = {
	{WIRE_EXCH_NONE, "NONE"},
	{WIRE_EXCH_BASE, "BASE"},
	{WIRE_EXCH_IDPROT, "MAIN-MODE"},
	{WIRE_EXCH_AUTH_ONLY, "AUTH-ONLY"},
	{WIRE_EXCH_AGGRESSIVE, "AGGRESSIVE"},
	{WIRE_EXCH_INFO, "INFORMATIONAL"},
	{WIRE_EXCH_TRANSACTION, "TRANSACTION"},
	{WIRE_EXCH_GROUPKEY_PULL, "GROUPKEY-PULL"},
	{WIRE_EXCH_GROUPKEY_PUSH, "GROUPKEY-PUSH"},
	{WIRE_EXCH_PUSH_ACK, "GROUPKEY-PUSH-ACK"},
	{WIRE_EXCH_GVPN_COOP, "GVPN-COOP"},
};

const char *wire_exch_name(unsigned v)
{
	return FIND(exch, v);
}

/* Short names as they appear in RFC message notation and in error texts. */
static const char *const payloads[] = {
	[WIRE_PL_NONE] = "NONE",   [WIRE_PL_SA] = "SA",      [WIRE_PL_P] = "Proposal",
	[WIRE_PL_T] = "Transform", [WIRE_PL_KE] = "KE",      [WIRE_PL_ID] = "ID",
	[WIRE_PL_CERT] = "CERT",   [WIRE_PL_CR] = "CR",      [WIRE_PL_HASH] = "HASH",
	[WIRE_PL_SIG] = "SIG",     [WIRE_PL_NONCE] = "NONCE", [WIRE_PL_N] = "N",
	[WIRE_PL_D] = "D",         [WIRE_PL_VID] = "VID",    [WIRE_PL_ATTR] = "ATTR",
	[WIRE_PL_SAK] = "SA KEK",  [WIRE_PL_SAT] = "SA TEK", [WIRE_PL_KD] = "KD",
	[WIRE_PL_SEQ] = "SEQ",     [WIRE_PL_POP] = "POP",    [WIRE_PL_NATD] = "NAT-D",
	[WIRE_PL_NATOA] = "NAT-OA", [WIRE_PL_GAP] = "GAP",
};

static const struct name private_payloads[] = {
	{WIRE_PL_CISCO_FRAG, "CISCO-FRAGMENTATION"},
	{WIRE_PL_COOP_ANNOUNCE, "COOP-ANNOUNCE"},
	{WIRE_PL_COOP_STATE, "COOP-STATE-CHUNK"},
	{WIRE_PL_COOP_ACK, "COOP-ACK"},
};

const char *wire_pl_name(unsigned v)
{
	if (v < ARRAY_SIZE(payloads))
		return payloads[v];
	return FIND(private_payloads, v);
}

static const struct name notifies[] = {
	{WIRE_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE"},
	{WIRE_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED"},
	{WIRE_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED"},
	{WIRE_N_INVALID_COOKIE, "INVALID-COOKIE"},
	{WIRE_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION"},
	{WIRE_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION"},
	{WIRE_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE"},
	{WIRE_N_INVALID_FLAGS, "INVALID-FLAGS"},
	{WIRE_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID"},
	{WIRE_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID"},
	{WIRE_N_INVALID_SPI, "INVALID-SPI"},
	{WIRE_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID"},
	{WIRE_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED"},
	{WIRE_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN"},
	{WIRE_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX"},
	{WIRE_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED"},
	{WIRE_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION"},
	{WIRE_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION"},
	{WIRE_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING"},
	{WIRE_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE"},
	{WIRE_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED"},
	{WIRE_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY"},
	{WIRE_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION"},
	{WIRE_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED"},
	{WIRE_N_INVALID_SIGNATURE, "INVALID-SIGNATURE"},
	{WIRE_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION"},
	{WIRE_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME"},
	{WIRE_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE"},
	{WIRE_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE"},
	{WIRE_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS"},
	{WIRE_N_CONNECTED, "CONNECTED"},
	{WIRE_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME"},
	{WIRE_N_REPLAY_STATUS, "REPLAY-STATUS"},
	{WIRE_N_INITIAL_CONTACT, "INITIAL-CONTACT"},
	{WIRE_N_R_U_THERE, "R-U-THERE"},
	{WIRE_N_R_U_THERE_ACK, "R-U-THERE-ACK"},
};

const char *wire_notify_name(unsigned v)
{
	return FIND(notifies, v);
}

static const struct name id_types[] = {
	{WIRE_ID_IPV4_ADDR, "ID_IPV4_ADDR"},
	{WIRE_ID_FQDN, "ID_FQDN"},
	{WIRE_ID_USER_FQDN, "ID_USER_FQDN"},
	{WIRE_ID_IPV4_ADDR_SUBNET, "ID_IPV4_ADDR_SUBNET"},
	{WIRE_ID_IPV6_ADDR, "ID_IPV6_ADDR"},
	{WIRE_ID_IPV6_ADDR_SUBNET, "ID_IPV6_ADDR_SUBNET"},
	{WIRE_ID_IPV4_ADDR_RANGE, "ID_IPV4_ADDR_RANGE"},
	{WIRE_ID_IPV6_ADDR_RANGE, "ID_IPV6_ADDR_RANGE"},
	{WIRE_ID_DER_ASN1_DN, "ID_DER_ASN1_DN"},
	{WIRE_ID_DER_ASN1_GN, "ID_DER_ASN1_GN"},
	{WIRE_ID_KEY_ID, "ID_KEY_ID"},
	{WIRE_ID_LIST, "ID_LIST"},
	{WIRE_ID_OID, "ID_OID"},
};

const char *wire_id_type_name(unsigned v)
{
	return FIND(id_types, v);
}

static const struct name dois[] = {
	{WIRE_DOI_ISAKMP, "ISAKMP"},
	{WIRE_DOI_IPSEC, "IPSEC"},
	{WIRE_DOI_GDOI, "GDOI"},
};

const char *wire_doi_name(unsigned v)
{
	return FIND(dois, v);
}

static const struct name protos[] = {
	{WIRE_PROTO_ISAKMP, "PROTO_ISAKMP"},
	{WIRE_PROTO_IPSEC_AH, "PROTO_IPSEC_AH"},
	{WIRE_PROTO_IPSEC_ESP, "PROTO_IPSEC_ESP"},
	{WIRE_PROTO_IPCOMP, "PROTO_IPCOMP"},
};

const char *wire_proto_name(unsigned v)
{
	return FIND(protos, v);
}

static const struct name gdoi_protos[] = {
	{WIRE_GDOI_PROTO_IPSEC_ESP, "GDOI_PROTO_IPSEC_ESP"},
	{WIRE_GDOI_PROTO_IPSEC_AH, "GDOI_PROTO_IPSEC_AH"},
};

const char *wire_gdoi_proto_name(unsigned v)
{
	return FIND(gdoi_protos, v);
}

static const struct name p1_attrs[] = {
	{WIRE_P1A_ENCR, "ENCRYPTION_ALGORITHM"},
	{WIRE_P1A_HASH, "HASH_ALGORITHM"},
	{WIRE_P1A_AUTH, "AUTHENTICATION_METHOD"},
	{WIRE_P1A_GROUP_DESC, "GROUP_DESCRIPTION"},
	{WIRE_P1A_GROUP_TYPE, "GROUP_TYPE"},
	{WIRE_P1A_GROUP_PRIME, "GROUP_PRIME"},
	{WIRE_P1A_GROUP_GEN1, "GROUP_GENERATOR_ONE"},
	{WIRE_P1A_GROUP_GEN2, "GROUP_GENERATOR_TWO"},
	{WIRE_P1A_GROUP_CURVE_A, "GROUP_CURVE_A"},
	{WIRE_P1A_GROUP_CURVE_B, "GROUP_CURVE_B"},
	{WIRE_P1A_LIFE_TYPE, "LIFE_TYPE"},
	{WIRE_P1A_LIFE_DURATION, "LIFE_DURATION"},
	{WIRE_P1A_PRF, "PRF"},
	{WIRE_P1A_KEY_LENGTH, "KEY_LENGTH"},
	{WIRE_P1A_FIELD_SIZE, "FIELD_SIZE"},
	{WIRE_P1A_GROUP_ORDER, "GROUP_ORDER"},
};

const char *wire_p1_attr_name(unsigned type)
{
	return FIND(p1_attrs, type);
}

static const struct name p1_encr[] = {
	{WIRE_P1_ENCR_DES, "DES-CBC"},       {WIRE_P1_ENCR_IDEA, "IDEA-CBC"},
	{WIRE_P1_ENCR_BLOWFISH, "BLOWFISH-CBC"}, {WIRE_P1_ENCR_RC5, "RC5-CBC"},
	{WIRE_P1_ENCR_3DES, "3DES-CBC"},     {WIRE_P1_ENCR_CAST, "CAST-CBC"},
	{WIRE_P1_ENCR_AES_CBC, "AES-CBC"},   {WIRE_P1_ENCR_CAMELLIA, "CAMELLIA-CBC"},
};

static const struct name p1_hash[] = {
	{WIRE_P1_HASH_MD5, "MD5"},         {WIRE_P1_HASH_SHA1, "SHA1"},
	{WIRE_P1_HASH_TIGER, "TIGER"},     {WIRE_P1_HASH_SHA256, "SHA2-256"},
	{WIRE_P1_HASH_SHA384, "SHA2-384"}, {WIRE_P1_HASH_SHA512, "SHA2-512"},
};

static const struct name p1_auth[] = {
	{WIRE_P1_AUTH_PSK, "PRE-SHARED-KEY"},
	{WIRE_P1_AUTH_DSS, "DSS-SIGNATURES"},
	{WIRE_P1_AUTH_RSA_SIG, "RSA-SIGNATURES"},
	{WIRE_P1_AUTH_RSA_ENC, "RSA-ENCRYPTION"},
	{WIRE_P1_AUTH_RSA_ENC_REV, "RSA-REVISED-ENCRYPTION"},
	{WIRE_P1_AUTH_ECDSA_256, "ECDSA-SHA256-P256"},
	{WIRE_P1_AUTH_ECDSA_384, "ECDSA-SHA384-P384"},
	{WIRE_P1_AUTH_ECDSA_521, "ECDSA-SHA512-P521"},
};

static const struct name groups[] = {
	{WIRE_GROUP_MODP768, "MODP-768"},   {WIRE_GROUP_MODP1024, "MODP-1024"},
	{WIRE_GROUP_MODP1536, "MODP-1536"}, {WIRE_GROUP_MODP2048, "MODP-2048"},
	{WIRE_GROUP_MODP3072, "MODP-3072"}, {WIRE_GROUP_MODP4096, "MODP-4096"},
	{WIRE_GROUP_MODP6144, "MODP-6144"}, {WIRE_GROUP_MODP8192, "MODP-8192"},
	{WIRE_GROUP_ECP256, "ECP-256"},     {WIRE_GROUP_ECP384, "ECP-384"},
	{WIRE_GROUP_ECP521, "ECP-521"},     {WIRE_GROUP_MODP2048_256, "MODP-2048-256"},
};

static const struct name life_types[] = {
	{WIRE_LIFE_SECONDS, "SECONDS"},
	{WIRE_LIFE_KILOBYTES, "KILOBYTES"},
};

const char *wire_p1_attr_value_name(unsigned type, unsigned value)
{
	switch (type) {
	case WIRE_P1A_ENCR:
		return FIND(p1_encr, value);
	case WIRE_P1A_HASH:
	case WIRE_P1A_PRF:
		return FIND(p1_hash, value);
	case WIRE_P1A_AUTH:
		return FIND(p1_auth, value);
	case WIRE_P1A_GROUP_DESC:
		return FIND(groups, value);
	case WIRE_P1A_LIFE_TYPE:
		return FIND(life_types, value);
	default:
		return "UNKNOWN";
	}
}

static const struct name kek_attrs[] = {
	{WIRE_KEKA_MGMT_ALG, "KEK_MANAGEMENT_ALGORITHM"},
	{WIRE_KEKA_ALG, "KEK_ALGORITHM"},
	{WIRE_KEKA_KEY_LENGTH, "KEK_KEY_LENGTH"},
	{WIRE_KEKA_KEY_LIFETIME, "KEK_KEY_LIFETIME"},
	{WIRE_KEKA_SIG_HASH_ALG, "SIG_HASH_ALGORITHM"},
	{WIRE_KEKA_SIG_ALG, "SIG_ALGORITHM"},
	{WIRE_KEKA_SIG_KEY_LENGTH, "SIG_KEY_LENGTH"},
	{WIRE_KEKA_KE_OAKLEY_GROUP, "KE_OAKLEY_GROUP"},
	{WIRE_KEKA_ACK_REQUESTED, "KEK_ACK_REQUESTED"},
};

const char *wire_kek_attr_name(unsigned type)
{
	return FIND(kek_attrs, type);
}

static const struct name kek_mgmt[] = {
	{WIRE_KEK_MGMT_LKH, "LKH"},
};

static const struct name kek_algs[] = {
	{WIRE_KEK_ALG_DES, "KEK_ALG_DES"},
	{WIRE_KEK_ALG_3DES, "KEK_ALG_3DES"},
	{WIRE_KEK_ALG_AES, "KEK_ALG_AES"},
};

static const struct name sig_hashes[] = {
	{WIRE_SIG_HASH_MD5, "SIG_HASH_MD5"},       {WIRE_SIG_HASH_SHA1, "SIG_HASH_SHA1"},
	{WIRE_SIG_HASH_SHA256, "SIG_HASH_SHA256"}, {WIRE_SIG_HASH_SHA384, "SIG_HASH_SHA384"},
	{WIRE_SIG_HASH_SHA512, "SIG_HASH_SHA512"},
};

static const struct name sig_algs[] = {
	{WIRE_SIG_ALG_RSA, "SIG_ALG_RSA"},
	{WIRE_SIG_ALG_DSS, "SIG_ALG_DSS"},
	{WIRE_SIG_ALG_ECDSS, "SIG_ALG_ECDSS"},
	{WIRE_SIG_ALG_ECDSA_256, "SIG_ALG_ECDSA_256"},
	{WIRE_SIG_ALG_ECDSA_384, "SIG_ALG_ECDSA_384"},
	{WIRE_SIG_ALG_ECDSA_521, "SIG_ALG_ECDSA_521"},
};

const char *wire_kek_attr_value_name(unsigned type, unsigned value)
{
	switch (type) {
	case WIRE_KEKA_MGMT_ALG:
		return FIND(kek_mgmt, value);
	case WIRE_KEKA_ALG:
		return FIND(kek_algs, value);
	case WIRE_KEKA_SIG_HASH_ALG:
		return FIND(sig_hashes, value);
	case WIRE_KEKA_SIG_ALG:
		return FIND(sig_algs, value);
	case WIRE_KEKA_KE_OAKLEY_GROUP:
		return FIND(groups, value);
	default:
		return "UNKNOWN";
	}
}

static const struct name tek_attrs[] = {
	{WIRE_TEKA_LIFE_TYPE, "SA_LIFE_TYPE"},
	{WIRE_TEKA_LIFE_DURATION, "SA_LIFE_DURATION"},
	{WIRE_TEKA_GROUP_DESC, "GROUP_DESCRIPTION"},
	{WIRE_TEKA_ENCAP_MODE, "ENCAPSULATION_MODE"},
	{WIRE_TEKA_AUTH_ALG, "AUTHENTICATION_ALGORITHM"},
	{WIRE_TEKA_KEY_LENGTH, "KEY_LENGTH"},
	{WIRE_TEKA_KEY_ROUNDS, "KEY_ROUNDS"},
	{WIRE_TEKA_COMP_DICT_SIZE, "COMPRESS_DICTIONARY_SIZE"},
	{WIRE_TEKA_COMP_PRIV_ALG, "COMPRESS_PRIVATE_ALGORITHM"},
	{WIRE_TEKA_ECN_TUNNEL, "ECN_TUNNEL"},
	{WIRE_TEKA_ESN, "EXTENDED_SEQUENCE_NUMBER"},
	{WIRE_TEKA_AUTH_KEY_LENGTH, "AUTH_KEY_LENGTH"},
	{WIRE_TEKA_SIG_ENC_ALG, "SIG_ENCODING_ALGORITHM"},
	{WIRE_TEKA_ADDR_PRESERVATION, "ADDRESS_PRESERVATION"},
	{WIRE_TEKA_SA_DIRECTION, "SA_DIRECTION"},
	{WIRE_TEKA_GVPN_REPLAY_METHOD, "GVPN_REPLAY_METHOD"},
	{WIRE_TEKA_GVPN_REPLAY_WINDOW, "GVPN_REPLAY_WINDOW"},
	{WIRE_TEKA_GVPN_PSEUDOTIME, "GVPN_PSEUDOTIME"},
	{WIRE_TEKA_GVPN_PORT_RANGE, "GVPN_PORT_RANGE"},
	{WIRE_TEKA_GVPN_ACL_ACTION, "GVPN_ACL_ACTION"},
	{WIRE_TEKA_GVPN_ACL_SEQ, "GVPN_ACL_SEQ"},
};

const char *wire_tek_attr_name(unsigned type)
{
	return FIND(tek_attrs, type);
}

static const struct name encaps[] = {
	{WIRE_ENCAP_TUNNEL, "TUNNEL"},
	{WIRE_ENCAP_TRANSPORT, "TRANSPORT"},
	{WIRE_ENCAP_UDP_TUNNEL, "UDP-ENCAPSULATED-TUNNEL"},
	{WIRE_ENCAP_UDP_TRANSPORT, "UDP-ENCAPSULATED-TRANSPORT"},
};

static const struct name auth_algs[] = {
	{WIRE_AUTH_HMAC_MD5, "HMAC-MD5"},
	{WIRE_AUTH_HMAC_SHA1, "HMAC-SHA1"},
	{WIRE_AUTH_DES_MAC, "DES-MAC"},
	{WIRE_AUTH_KPDK, "KPDK"},
	{WIRE_AUTH_HMAC_SHA2_256, "HMAC-SHA2-256"},
	{WIRE_AUTH_HMAC_SHA2_384, "HMAC-SHA2-384"},
	{WIRE_AUTH_HMAC_SHA2_512, "HMAC-SHA2-512"},
	{WIRE_AUTH_AES_XCBC_MAC, "AES-XCBC-MAC"},
	{WIRE_AUTH_AES_128_GMAC, "AES-128-GMAC"},
	{WIRE_AUTH_AES_192_GMAC, "AES-192-GMAC"},
	{WIRE_AUTH_AES_256_GMAC, "AES-256-GMAC"},
};

static const struct name addr_pres[] = {
	{WIRE_ADDR_PRES_NONE, "NONE"},
	{WIRE_ADDR_PRES_SOURCE, "SOURCE-ONLY"},
	{WIRE_ADDR_PRES_DESTINATION, "DESTINATION-ONLY"},
	{WIRE_ADDR_PRES_BOTH, "SOURCE-AND-DESTINATION"},
};

static const struct name sa_dirs[] = {
	{WIRE_SA_DIR_SENDER, "SENDER-ONLY"},
	{WIRE_SA_DIR_RECEIVER, "RECEIVER-ONLY"},
	{WIRE_SA_DIR_SYMMETRIC, "SYMMETRIC"},
};

static const struct name replay_methods[] = {
	{WIRE_GVPN_REPLAY_NONE, "NONE"},
	{WIRE_GVPN_REPLAY_COUNTER, "COUNTER"},
	{WIRE_GVPN_REPLAY_TIME, "TIME-BASED"},
};

const char *wire_tek_attr_value_name(unsigned type, unsigned value)
{
	switch (type) {
	case WIRE_TEKA_LIFE_TYPE:
		return FIND(life_types, value);
	case WIRE_TEKA_GROUP_DESC:
		return FIND(groups, value);
	case WIRE_TEKA_ENCAP_MODE:
		return FIND(encaps, value);
	case WIRE_TEKA_AUTH_ALG:
		return FIND(auth_algs, value);
	case WIRE_TEKA_ADDR_PRESERVATION:
		return FIND(addr_pres, value);
	case WIRE_TEKA_SA_DIRECTION:
		return FIND(sa_dirs, value);
	case WIRE_TEKA_GVPN_REPLAY_METHOD:
		return FIND(replay_methods, value);
	default:
		return "UNKNOWN";
	}
}

static const struct name gap_attrs[] = {
	{WIRE_GAPA_ATD, "ACTIVATION_TIME_DELAY"},
	{WIRE_GAPA_DTD, "DEACTIVATION_TIME_DELAY"},
	{WIRE_GAPA_SENDER_ID_REQUEST, "SENDER_ID_REQUEST"},
};

const char *wire_gap_attr_name(unsigned type)
{
	return FIND(gap_attrs, type);
}

static const struct name kd_types[] = {
	{WIRE_KD_TEK, "TEK"},
	{WIRE_KD_KEK, "KEK"},
	{WIRE_KD_LKH, "LKH"},
	{WIRE_KD_SID, "SID"},
};

const char *wire_kd_type_name(unsigned v)
{
	return FIND(kd_types, v);
}

static const struct name kd_tek_attrs[] = {
	{WIRE_KDA_TEK_ALG_KEY, "TEK_ALGORITHM_KEY"},
	{WIRE_KDA_TEK_INTEGRITY_KEY, "TEK_INTEGRITY_KEY"},
	{WIRE_KDA_TEK_SOURCE_AUTH_KEY, "TEK_SOURCE_AUTH_KEY"},
};

static const struct name kd_kek_attrs[] = {
	{WIRE_KDA_KEK_ALG_KEY, "KEK_ALGORITHM_KEY"},
	{WIRE_KDA_KEK_SIG_ALG_KEY, "SIG_ALGORITHM_KEY"},
};

static const struct name kd_lkh_attrs[] = {
	{WIRE_KDA_LKH_DOWNLOAD_ARRAY, "LKH_DOWNLOAD_ARRAY"},
	{WIRE_KDA_LKH_UPDATE_ARRAY, "LKH_UPDATE_ARRAY"},
	{WIRE_KDA_LKH_SIG_ALG_KEY, "SIG_ALGORITHM_KEY"},
};

static const struct name kd_sid_attrs[] = {
	{WIRE_KDA_SID_NUMBER_OF_BITS, "NUMBER_OF_SID_BITS"},
	{WIRE_KDA_SID_VALUE, "SID_VALUE"},
};

const char *wire_kd_attr_name(unsigned kd_type, unsigned attr_type)
{
	switch (kd_type) {
	case WIRE_KD_TEK:
		return FIND(kd_tek_attrs, attr_type);
	case WIRE_KD_KEK:
		return FIND(kd_kek_attrs, attr_type);
	case WIRE_KD_LKH:
		return FIND(kd_lkh_attrs, attr_type);
	case WIRE_KD_SID:
		return FIND(kd_sid_attrs, attr_type);
	default:
		return "UNKNOWN";
	}
}

static const struct name esps[] = {
	{WIRE_ESP_DES_IV64, "ESP_DES_IV64"},
	{WIRE_ESP_DES, "ESP_DES"},
	{WIRE_ESP_3DES, "ESP_3DES"},
	{WIRE_ESP_RC5, "ESP_RC5"},
	{WIRE_ESP_IDEA, "ESP_IDEA"},
	{WIRE_ESP_CAST, "ESP_CAST"},
	{WIRE_ESP_BLOWFISH, "ESP_BLOWFISH"},
	{WIRE_ESP_3IDEA, "ESP_3IDEA"},
	{WIRE_ESP_DES_IV32, "ESP_DES_IV32"},
	{WIRE_ESP_RC4, "ESP_RC4"},
	{WIRE_ESP_NULL, "ESP_NULL"},
	{WIRE_ESP_AES_CBC, "ESP_AES"},
	{WIRE_ESP_AES_CTR, "ESP_AES-CTR"},
	{WIRE_ESP_AES_CCM_8, "ESP_AES-CCM_8"},
	{WIRE_ESP_AES_CCM_12, "ESP_AES-CCM_12"},
	{WIRE_ESP_AES_CCM_16, "ESP_AES-CCM_16"},
	{WIRE_ESP_AES_GCM_8, "ESP_AES-GCM_8"},
	{WIRE_ESP_AES_GCM_12, "ESP_AES-GCM_12"},
	{WIRE_ESP_AES_GCM_16, "ESP_AES-GCM_16"},
	{WIRE_ESP_NULL_AUTH_AES_GMAC, "ESP_NULL_AUTH_AES-GMAC"},
};

const char *wire_esp_name(unsigned v)
{
	return FIND(esps, v);
}
