/* wire/names and wire/err: registry names (RFC/IANA values) and the error text. */
#include "test.h"

#include "util/err.h"
#include "wire/err.h"
#include "wire/gdoi.h"
#include "wire/names.h"

static void test_exchange_and_payload_names(void **state)
{
	(void)state;
	assert_string_equal(wire_exch_name(2), "MAIN-MODE");
	assert_string_equal(wire_exch_name(5), "INFORMATIONAL");
	assert_string_equal(wire_exch_name(32), "GROUPKEY-PULL");
	assert_string_equal(wire_exch_name(33), "GROUPKEY-PUSH");
	assert_string_equal(wire_exch_name(35), "GROUPKEY-PUSH-ACK");
	assert_string_equal(wire_exch_name(240), "GVPN-COOP");
	assert_string_equal(wire_exch_name(34), "UNKNOWN");
	const char *pl[] = {"NONE", "SA", "Proposal", "Transform", "KE", "ID", "CERT", "CR",
			    "HASH", "SIG", "NONCE", "N", "D", "VID", "ATTR", "SA KEK", "SA TEK",
			    "KD", "SEQ", "POP", "NAT-D", "NAT-OA", "GAP"};
	for (unsigned i = 0; i < sizeof(pl) / sizeof(pl[0]); i++)
		assert_string_equal(wire_pl_name(i), pl[i]);
	assert_string_equal(wire_pl_name(23), "UNKNOWN");
	assert_string_equal(wire_pl_name(132), "CISCO-FRAGMENTATION");
	assert_string_equal(wire_pl_name(200), "COOP-ANNOUNCE");
	assert_string_equal(wire_pl_name(201), "COOP-STATE-CHUNK");
	assert_string_equal(wire_pl_name(202), "COOP-ACK");
}

static void test_notify_id_doi_and_protocol_names(void **state)
{
	(void)state;
	assert_string_equal(wire_notify_name(1), "INVALID-PAYLOAD-TYPE");
	assert_string_equal(wire_notify_name(16), "PAYLOAD-MALFORMED");
	assert_string_equal(wire_notify_name(30), "UNEQUAL-PAYLOAD-LENGTHS");
	assert_string_equal(wire_notify_name(24578), "INITIAL-CONTACT");
	assert_string_equal(wire_notify_name(36136), "R-U-THERE");
	assert_string_equal(wire_id_type_name(11), "ID_KEY_ID");
	assert_string_equal(wire_id_type_name(13), "ID_OID");
	assert_string_equal(wire_doi_name(2), "GDOI");
	assert_string_equal(wire_proto_name(3), "PROTO_IPSEC_ESP");
	assert_string_equal(wire_gdoi_proto_name(1), "GDOI_PROTO_IPSEC_ESP");
	assert_string_equal(wire_esp_name(12), "ESP_AES");
	assert_string_equal(wire_esp_name(20), "ESP_AES-GCM_16");
	assert_string_equal(wire_esp_name(17), "UNKNOWN");
	assert_string_equal(wire_dialect_name(WIRE_DIALECT_GDOID), "gdoid");
}

static void test_attribute_names_depend_on_their_registry(void **state)
{
	(void)state;
	assert_string_equal(wire_p1_attr_name(14), "KEY_LENGTH");
	assert_string_equal(wire_p1_attr_value_name(1, 7), "AES-CBC");
	assert_string_equal(wire_p1_attr_value_name(2, 4), "SHA2-256");
	assert_string_equal(wire_p1_attr_value_name(3, 1), "PRE-SHARED-KEY");
	assert_string_equal(wire_p1_attr_value_name(4, 14), "MODP-2048");
	assert_string_equal(wire_kek_attr_name(2), "KEK_ALGORITHM");
	assert_string_equal(wire_kek_attr_name(9), "KEK_ACK_REQUESTED");
	assert_string_equal(wire_kek_attr_value_name(2, 3), "KEK_ALG_AES");
	assert_string_equal(wire_kek_attr_value_name(5, 3), "SIG_HASH_SHA256");
	assert_string_equal(wire_tek_attr_name(14), "ADDRESS_PRESERVATION");
	assert_string_equal(wire_tek_attr_name(15), "SA_DIRECTION");
	assert_string_equal(wire_tek_attr_name(32003), "GVPN_PSEUDOTIME");
	assert_string_equal(wire_tek_attr_name(32006), "GVPN_ACL_SEQ");
	assert_string_equal(wire_tek_attr_value_name(14, 4), "SOURCE-AND-DESTINATION");
	assert_string_equal(wire_tek_attr_value_name(15, 3), "SYMMETRIC");
	assert_string_equal(wire_tek_attr_value_name(14, 0), "UNKNOWN");
	assert_string_equal(wire_gap_attr_name(3), "SENDER_ID_REQUEST");
	assert_string_equal(wire_kd_type_name(4), "SID");
	assert_string_equal(wire_kd_attr_name(1, 1), "TEK_ALGORITHM_KEY");
	assert_string_equal(wire_kd_attr_name(2, 1), "KEK_ALGORITHM_KEY");
	assert_string_equal(wire_kd_attr_name(2, 2), "SIG_ALGORITHM_KEY");
	assert_string_equal(wire_kd_attr_name(4, 2), "SID_VALUE");
	assert_string_equal(wire_kd_attr_name(9, 1), "UNKNOWN");
}

static void test_error_codes_and_text(void **state)
{
	(void)state;
	struct wire_err e;
	char t[200];
	assert_int_equal(wire_err_set(&e, WIRE_ERR_EXCEEDS, WIRE_N_PAYLOAD_MALFORMED, "SA TEK",
				      "SRC ID Data Len", 112, 300, 24), ERR_BADLEN);
	assert_int_equal(e.code, ERR_BADLEN);
	int n = wire_err_format(&e, t, sizeof(t));
	assert_string_equal(t, "SA TEK: SRC ID Data Len at offset 112: 300 exceeds the 24 bytes "
			       "left (PAYLOAD-MALFORMED)");
	assert_int_equal(n, (int)strlen(t));
	assert_int_equal(wire_err_format(&e, t, 10), n); /* snprintf-like: truncated, full size */
	assert_string_equal(t, "SA TEK: S");
	assert_int_equal(wire_err_value(&e, WIRE_N_INVALID_FLAGS, "ISAKMP header", "Flags", 19,
					0x08, "E, C, A"), ERR_INVAL);
	wire_err_format(&e, t, sizeof(t));
	assert_string_equal(t, "ISAKMP header: Flags at offset 19: 8, expected E, C, A "
			       "(INVALID-FLAGS)");
	assert_int_equal(wire_err_set(NULL, WIRE_ERR_TRAILING, 16, "x", "y", 0, 1, 0), ERR_TRAILING);
	assert_int_equal(wire_err_set(NULL, WIRE_ERR_LIMIT, 16, "x", "y", 0, 1, 0), ERR_LIMIT);
	assert_int_equal(wire_err_set(NULL, WIRE_ERR_MISMATCH, 16, "x", "y", 0, 1, 0), ERR_PROTO);
	assert_int_equal(wire_err_set(NULL, WIRE_ERR_TRUNCATED, 16, "x", "y", 0, 1, 0),
			 ERR_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_exchange_and_payload_names),
		TEST(test_notify_id_doi_and_protocol_names),
		TEST(test_attribute_names_depend_on_their_registry),
		TEST(test_error_codes_and_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
