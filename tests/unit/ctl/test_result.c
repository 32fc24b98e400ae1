/*
 * ctl/result: the show model and its two renderers.
 *
 * Goldens rebuild IOS outputs of the troubleshooting guide (seed 002) from
 * hand-built results. The seed's PDF extraction collapsed most runs of
 * spaces, so each golden is checked twice: exactly against our IOS layout,
 * and with runs of spaces collapsed against the seed's lines.
 */
#include "test.h"

#include <stdlib.h>

#include "ctl/result.h"
#include "util/dbuf.h"
#include "util/err.h"

static char *render(struct result *r, bool json)
{
	struct dbuf out = DBUF_INIT;
	int rc = json ? result_render_json(r, &out, true) : result_render_text(r, &out);
	assert_int_equal(rc, 0);
	char *s = strdup(dbuf_str(&out));
	dbuf_free(&out);
	return s;
}

static void assert_text(struct result *r, const char *want)
{
	char *got = render(r, false);
	assert_string_equal(got, want);
	free(got);
}

static void assert_json(struct result *r, const char *want)
{
	char *got = render(r, true);
	assert_string_equal(got, want);
	free(got);
}

/* Collapse runs of spaces and drop leading ones on each line, as the seed's extraction did. */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	char *o = out;
	bool bol = true;
	for (; *s; s++) {
		if (*s == ' ' && (bol || s[1] == ' ' || s[1] == '\n'))
			continue;
		*o++ = *s;
		bol = *s == '\n';
	}
	*o = '\0';
	return out;
}

static void assert_seed(struct result *r, const char *seed)
{
	char *got = render(r, false);
	char *sq = squeeze(got);
	assert_string_equal(sq, seed);
	free(sq);
	free(got);
}

/* KS1#show crypto gdoi ks rekey (seed 002) */
static struct result *ks_rekey(void)
{
	struct result *r = result_new();
	struct result_node *g = result_item(result_list(result_root(r), "groups"));
	/* IOS prints these labels in a 36-character field after 4 spaces. */
	result_align(g, RESULT_ALIGN_COLUMN, 40, 1);
	result_text(g, "Group %s (%s)", "G1", "Unicast");
	result_set_flags(result_kv_str(g, "Group Name", "%s", "G1"), RESULT_JSON_ONLY);
	result_set_flags(result_kv_str(g, "Rekey Transport", "%s", "Unicast"), RESULT_JSON_ONLY);
	struct result_node *b = result_set_indent(result_section(g, NULL), 4);
	result_kv_u64(b, "Number of Rekeys sent", 341);
	result_kv_u64(b, "Number of Rekeys retransmitted", 0);
	result_kv_u64(b, "KEK rekey lifetime (sec)", 1200);
	result_set_key(result_set_indent(result_kv_u64(b, "Remaining lifetime (sec)", 894), 4),
		       "kekRemainingLifetimeSec");
	result_kv_u64(b, "Retransmit period", 10);
	result_kv_u64(b, "Number of retransmissions", 5);
	struct result_node *sa = result_item(result_list(b, "IPSec SAs"));
	result_set_flags(result_kv_u64(sa, "SA Number", 1), RESULT_JSON_ONLY);
	result_set_key(result_kv_u64(sa, "IPSec SA 1 lifetime (sec)", 900), "lifetimeSec");
	result_set_indent(result_kv_u64(sa, "Remaining lifetime (sec)", 405), 4);
	return r;
}

static void test_golden_ks_rekey(void **state)
{
	(void)state;
	struct result *r = ks_rekey();
	assert_text(r, "Group G1 (Unicast)\n"
		       "    Number of Rekeys sent               : 341\n"
		       "    Number of Rekeys retransmitted      : 0\n"
		       "    KEK rekey lifetime (sec)            : 1200\n"
		       "        Remaining lifetime (sec)        : 894\n"
		       "    Retransmit period                   : 10\n"
		       "    Number of retransmissions           : 5\n"
		       "    IPSec SA 1 lifetime (sec)           : 900\n"
		       "        Remaining lifetime (sec)        : 405\n");
	assert_seed(r, "Group G1 (Unicast)\n"
		       "Number of Rekeys sent : 341\n"
		       "Number of Rekeys retransmitted : 0\n"
		       "KEK rekey lifetime (sec) : 1200\n"
		       "Remaining lifetime (sec) : 894\n"
		       "Retransmit period : 10\n"
		       "Number of retransmissions : 5\n"
		       "IPSec SA 1 lifetime (sec) : 900\n"
		       "Remaining lifetime (sec) : 405\n");
	assert_json(r, "{\n"
		       "  \"groups\": [\n"
		       "    {\n"
		       "      \"groupName\": \"G1\",\n"
		       "      \"rekeyTransport\": \"Unicast\",\n"
		       "      \"numberOfRekeysSent\": 341,\n"
		       "      \"numberOfRekeysRetransmitted\": 0,\n"
		       "      \"kekRekeyLifetimeSec\": 1200,\n"
		       "      \"kekRemainingLifetimeSec\": 894,\n"
		       "      \"retransmitPeriod\": 10,\n"
		       "      \"numberOfRetransmissions\": 5,\n"
		       "      \"ipsecSas\": [\n"
		       "        {\n"
		       "          \"saNumber\": 1,\n"
		       "          \"lifetimeSec\": 900,\n"
		       "          \"remainingLifetimeSec\": 405\n"
		       "        }\n"
		       "      ]\n"
		       "    }\n"
		       "  ]\n"
		       "}\n");
	result_free(r);
}

/* GM1#show crypto gdoi gm rekey (seed 002): default alignment, one space before the colon. */
static void test_golden_gm_rekey(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *g = result_item(result_list(result_root(r), "groups"));
	result_text(g, "Group %s (%s)", "G1", "Unicast");
	result_set_flags(result_kv_str(g, "Group Name", "%s", "G1"), RESULT_JSON_ONLY);
	result_set_flags(result_kv_str(g, "Rekey Transport", "%s", "Unicast"), RESULT_JSON_ONLY);
	struct result_node *b = result_set_indent(result_section(g, NULL), 4);
	result_set_key(result_kv_u64(b, "Number of Rekeys received (cumulative)", 340),
		       "rekeysReceivedCumulative");
	result_set_key(result_kv_u64(b, "Number of Rekeys received after registration", 340),
		       "rekeysReceivedAfterRegistration");
	result_set_key(result_kv_u64(b, "Number of Rekey Acks sent", 340), "rekeyAcksSent");

	assert_text(r, "Group G1 (Unicast)\n"
		       "    Number of Rekeys received (cumulative)       : 340\n"
		       "    Number of Rekeys received after registration : 340\n"
		       "    Number of Rekey Acks sent                    : 340\n");
	assert_seed(r, "Group G1 (Unicast)\n"
		       "Number of Rekeys received (cumulative) : 340\n"
		       "Number of Rekeys received after registration : 340\n"
		       "Number of Rekey Acks sent : 340\n");
	assert_json(r, "{\n"
		       "  \"groups\": [\n"
		       "    {\n"
		       "      \"groupName\": \"G1\",\n"
		       "      \"rekeyTransport\": \"Unicast\",\n"
		       "      \"rekeysReceivedCumulative\": 340,\n"
		       "      \"rekeysReceivedAfterRegistration\": 340,\n"
		       "      \"rekeyAcksSent\": 340\n"
		       "    }\n"
		       "  ]\n"
		       "}\n");
	result_free(r);
}

/*
 * KS1#show crypto gdoi ks members (seed 002): a kv and a tight kv on one
 * line, an indented block sharing the colon column, arrays of numbers.
 */
static void add_member(struct result_node *list, const char *gm, const char *ks, uint64_t sent)
{
	struct result_node *m = result_item(list);
	result_align(m, RESULT_ALIGN_COLUMN, 0, 1);
	struct result_node *row = result_row(m);
	result_kv_str(row, "Group Member ID", "%s", gm);
	result_set_sep(result_kv_str(row, "GM Version", "%s", "1.0.4"), ": ");
	struct result_node *b = result_set_indent(result_section(m, NULL), 1);
	result_kv_u64(b, "Group ID", 3333);
	result_kv_str(b, "Group Name", "%s", "G1");
	result_kv_str(b, "Key Server ID", "%s", ks);
	result_kv_u64(b, "Rekeys sent", sent);
	result_kv_u64(b, "Rekeys retries", 0);
	result_kv_u64(b, "Rekey Acks Rcvd", sent);
	result_kv_u64(b, "Rekey Acks missed", 0);
	result_blank(b);
	struct result_node *s = result_kv_array(b, "Sent seq num", RESULT_JOIN_SPACE);
	struct result_node *rc = result_kv_array(b, "Rcvd seq num", RESULT_JOIN_SPACE);
	static const uint64_t seq[] = {2, 1, 2, 1};
	for (size_t i = 0; i < 4; i++) {
		result_add_u64(s, seq[i]);
		result_add_u64(rc, seq[i]);
	}
	result_blank(m);
}

static void test_golden_ks_members(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *root = result_root(r);
	result_text(root, "Group Member Information :");
	result_blank(root);
	struct result_node *g = result_item(result_list(root, "groups"));
	result_set_flags(result_kv_str(g, "Group Name", "%s", "G1"), RESULT_JSON_ONLY);
	result_set_sep(result_set_key(result_kv_u64(g, "Number of rekeys sent for group G1", 346),
				      "rekeysSent"),
		       " : ");
	result_blank(g);
	struct result_node *members = result_list(g, "members");
	add_member(members, "10.1.14.2", "10.1.11.2", 346);
	add_member(members, "10.1.13.2", "10.1.12.2", 340);

	char *got = render(r, false);
	const char *member1 = "Group Member ID    : 10.1.14.2  GM Version: 1.0.4\n"
			      " Group ID          : 3333\n"
			      " Group Name        : G1\n"
			      " Key Server ID     : 10.1.11.2\n"
			      " Rekeys sent       : 346\n"
			      " Rekeys retries    : 0\n"
			      " Rekey Acks Rcvd   : 346\n"
			      " Rekey Acks missed : 0\n"
			      "\n"
			      " Sent seq num      : 2 1 2 1\n"
			      " Rcvd seq num      : 2 1 2 1\n"
			      "\n";
	assert_non_null(strstr(got, member1));
	const char *head =
	    "Group Member Information :\n\nNumber of rekeys sent for group G1 : 346\n\n";
	assert_memory_equal(got, head, strlen(head));
	free(got);

	got = render(r, true);
	assert_non_null(strstr(got, "      \"rekeysSent\": 346,\n"
				    "      \"members\": [\n"
				    "        {\n"
				    "          \"groupMemberId\": \"10.1.14.2\",\n"
				    "          \"gmVersion\": \"1.0.4\",\n"
				    "          \"groupId\": 3333,\n"));
	assert_non_null(strstr(got, "\"rekeyAcksRcvd\": 346,\n"));
	assert_non_null(strstr(got, "\"sentSeqNum\": [2, 1, 2, 1],\n"));
	free(got);
	result_free(r);
}

/* Two kvs per line, as in `show crypto gdoi ks policy`: both columns aligned. */
static void test_rows_align_every_cell(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *k = result_set_indent(result_heading(result_root(r), "KEK POLICY"), 2);
	result_align(k, RESULT_ALIGN_COLUMN, 0, 1);
	result_kv_str(k, "spi", "%s", "0x18864836BA888BCD1126671EEAFEB4C7");
	struct result_node *row = result_row(k);
	result_kv_str(row, "management alg", "%s", "disabled");
	result_kv_str(row, "encrypt alg", "%s", "3DES");
	row = result_row(k);
	result_kv_u64(row, "orig life(sec)", 1200);
	result_kv_u64(row, "remaining life(sec)", 528);
	assert_text(r, "KEK POLICY\n"
		       "  spi            : 0x18864836BA888BCD1126671EEAFEB4C7\n"
		       "  management alg : disabled  encrypt alg         : 3DES\n"
		       "  orig life(sec) : 1200      remaining life(sec) : 528\n");
	assert_seed(r, "KEK POLICY\n"
		       "spi : 0x18864836BA888BCD1126671EEAFEB4C7\n"
		       "management alg : disabled encrypt alg : 3DES\n"
		       "orig life(sec) : 1200 remaining life(sec) : 528\n");
	assert_json(r, "{\n"
		       "  \"kekPolicy\": {\n"
		       "    \"spi\": \"0x18864836BA888BCD1126671EEAFEB4C7\",\n"
		       "    \"managementAlg\": \"disabled\",\n"
		       "    \"encryptAlg\": \"3DES\",\n"
		       "    \"origLifeSec\": 1200,\n"
		       "    \"remainingLifeSec\": 528\n"
		       "  }\n"
		       "}\n");
	result_free(r);
}

/* `show crypto gdoi rekey sa` and `show crypto isakmp sa` tables. */
static void test_tables(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *root = result_root(r);
	result_text(root, "GETVPN REKEY SA");
	struct result_node *t = result_table(root, "Rekey SAs");
	result_table_col(t, "dst", 16, 0, NULL);
	result_table_col(t, "src", 16, 0, NULL);
	result_table_col(t, "conn-id", 16, 0, NULL);
	result_table_col(t, "status", 0, 0, NULL);
	struct result_node *row = result_table_row(t);
	result_add_str(row, "%s", "10.1.13.2");
	result_add_str(row, "%s", "10.1.11.2");
	result_add_u64(row, 1114);
	result_add_str(row, "%s", "ACTIVE");
	result_blank(root);
	result_text(root, "IPv4 Crypto ISAKMP SA");
	t = result_table(root, "IPv4 SAs");
	result_table_col(t, "dst", 16, 0, NULL);
	result_table_col(t, "src", 16, 0, NULL);
	result_table_col(t, "state", 15, 0, NULL);
	result_table_col(t, "conn-id", 8, RESULT_RIGHT, NULL);
	result_table_col(t, "status", 0, 0, NULL);
	row = result_table_row(t);
	result_add_str(row, "%s", "10.1.11.2");
	result_add_str(row, "%s", "10.1.13.2");
	result_add_str(row, "%s", "GDOI_IDLE");
	result_add_u64(row, 1074);
	result_add_str(row, "%s", "ACTIVE");
	assert_text(r, "GETVPN REKEY SA\n"
		       "dst             src             conn-id         status\n"
		       "10.1.13.2       10.1.11.2       1114            ACTIVE\n"
		       "\n"
		       "IPv4 Crypto ISAKMP SA\n"
		       "dst             src             state          conn-id status\n"
		       "10.1.11.2       10.1.13.2       GDOI_IDLE         1074 ACTIVE\n");
	char *got = render(r, true);
	assert_non_null(strstr(got, "  \"rekeySas\": [\n"
				    "    {\n"
				    "      \"dst\": \"10.1.13.2\",\n"
				    "      \"src\": \"10.1.11.2\",\n"
				    "      \"connId\": 1114,\n"
				    "      \"status\": \"ACTIVE\"\n"
				    "    }\n"
				    "  ],\n"));
	assert_non_null(strstr(got, "\"ipv4Sas\": ["));
	free(got);
	result_free(r);
}

/* Group Server list: one value per line, continuation at the value column. */
static void test_array_on_lines_and_units(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *s = result_set_indent(result_section(result_root(r), NULL), 4);
	result_kv_str(s, "Group Name", "%s", "G1");
	struct result_node *l = result_kv_array(s, "Group Server list", RESULT_JOIN_LINES);
	result_add_str(l, "%s", "10.1.11.2");
	result_add_str(l, "%s", "10.1.12.2");
	result_set_unit(result_kv_u64(s, "Re-registers in", 139), " sec");
	result_kv_dbl(s, "Replay Value", 621388.66, 2);
	assert_text(r, "    Group Name        : G1\n"
		       "    Group Server list : 10.1.11.2\n"
		       "                        10.1.12.2\n"
		       "    Re-registers in   : 139 sec\n"
		       "    Replay Value      : 621388.66\n");
	assert_json(r, "{\n"
		       "  \"groupName\": \"G1\",\n"
		       "  \"groupServerList\": [\"10.1.11.2\", \"10.1.12.2\"],\n"
		       "  \"reRegistersIn\": 139,\n"
		       "  \"replayValue\": 621388.66\n"
		       "}\n");
	result_free(r);
}

static void test_secrets_are_hidden_in_both(void **state)
{
	(void)state;
	struct result *r = result_new();
	result_kv_secret(result_root(r), "pre-shared key");
	char *t = render(r, false), *j = render(r, true);
	assert_string_equal(t, "pre-shared key : (hidden)\n");
	assert_string_equal(j, "{\n  \"preSharedKey\": \"(hidden)\"\n}\n");
	free(t);
	free(j);
	result_free(r);
}

static void test_empty_result(void **state)
{
	(void)state;
	struct result *r = result_new();
	assert_true(result_empty(r));
	assert_text(r, "");
	assert_json(r, "{}\n");
	/* Text-only content still leaves JSON empty. */
	result_text(result_root(r), "%% No group configured");
	assert_json(r, "{}\n");
	struct dbuf out = DBUF_INIT;
	assert_int_equal(result_render_json(r, &out, false), 0);
	assert_string_equal(dbuf_str(&out), "{}\n");
	dbuf_free(&out);
	result_free(r);
}

static void test_camel_case(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"Rekey Acks Rcvd", "rekeyAcksRcvd"},
	    {"orig life(sec)", "origLifeSec"},
	    {"IPSec SA Direction", "ipsecSaDirection"},
	    {"conn-id", "connId"},
	    {"Re-registers in", "reRegistersIn"},
	    {"Rekey Acks sents", "rekeyAcksSents"},
	    {"GM Version", "gmVersion"},
	    {"rekeyTransport", "rekeyTransport"},
	    {"Anti-Replay(Time Based)", "antiReplayTimeBased"},
	    {"IPSec SA 1 lifetime (sec)", "ipsecSa1LifetimeSec"},
	    {"# of teks", "ofTeks"},
	    {"()", "value"},
	};
	char out[64];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		result_camel(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	result_camel("Number of Rekeys sent", out, 7);
	assert_string_equal(out, "number");
}

static void test_json_types_and_escaping(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *root = result_root(r);
	result_kv_i64(root, "skew", -3);
	result_kv_hexdec(root, "spi", 0x8BF147EF);
	result_kv_hex(root, "flags", 0x40, 8);
	result_kv_bool(root, "Supported", true, "Yes", "No");
	result_kv_str(root, "name", "a\"b\\c\n\x01\xff\xc3\xa9");
	struct result_node *lines = result_lines(root, "lines");
	result_add_str(lines, "%s", "*Nov  6 15:55:16.117: one");
	assert_text(r, "skew      : -3\n"
		       "spi       : 0x8BF147EF(2347845615)\n"
		       "flags     : 0x00000040\n"
		       "Supported : Yes\n"
		       "name      : a\"b\\c\n\x01\xff\xc3\xa9\n"
		       "*Nov  6 15:55:16.117: one\n");
	assert_json(r, "{\n"
		       "  \"skew\": -3,\n"
		       "  \"spi\": 2347845615,\n"
		       "  \"flags\": 64,\n"
		       "  \"supported\": true,\n"
		       "  \"name\": \"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\",\n"
		       "  \"lines\": [\n"
		       "    \"*Nov  6 15:55:16.117: one\"\n"
		       "  ]\n"
		       "}\n");
	result_free(r);
}

static void test_duplicate_json_keys_are_an_error(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *root = result_root(r);
	result_kv_u64(root, "Remaining lifetime (sec)", 1);
	struct result_node *s = result_section(root, NULL); /* transparent: same object */
	result_kv_u64(s, "Remaining lifetime (sec)", 2);
	struct dbuf out = DBUF_INIT;
	assert_int_equal(result_render_json(r, &out, true), ERR_EXISTS);
	dbuf_free(&out);
	/* A labelled section is its own object: no clash. */
	result_free(r);
	r = result_new();
	root = result_root(r);
	result_kv_u64(root, "Remaining lifetime (sec)", 1);
	result_kv_u64(result_section(root, "kek"), "Remaining lifetime (sec)", 2);
	assert_json(r, "{\n  \"remainingLifetimeSec\": 1,\n  \"kek\": {\n    "
		       "\"remainingLifetimeSec\": 2\n  }\n}\n");
	result_free(r);
}

static void test_misuse_is_sticky(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *t = result_table(result_root(r), "t");
	struct result_node *bad = result_kv_u64(t, "x", 1); /* kv in a table */
	assert_int_equal(result_error(r), ERR_INVAL);
	/* The placeholder absorbs further calls. */
	result_set_key(result_kv_u64(result_section(bad, "y"), "z", 2), "k");
	result_add_u64(bad, 3);
	struct dbuf out = DBUF_INIT;
	assert_int_equal(result_render_text(r, &out), ERR_INVAL);
	assert_int_equal(result_render_json(r, &out, true), ERR_INVAL);
	dbuf_free(&out);
	result_free(r);

	r = result_new();
	result_add_u64(result_kv_u64(result_root(r), "scalar", 1), 2); /* not an array */
	assert_int_equal(result_error(r), ERR_INVAL);
	result_free(r);
}

static void test_align_none_and_custom_separators(void **state)
{
	(void)state;
	struct result *r = result_new();
	struct result_node *root = result_root(r);
	result_align(root, RESULT_ALIGN_NONE, 0, 0);
	result_kv_str(root, "Local Address", "%s", "10.1.11.2");
	result_kv_u64(root, "Local Priority", 200);
	result_set_sep(result_kv_dbl(root, "Replay Value", 442843.29, 2), " ");
	result_set_unit(result_set_sep(result_kv_dbl(root, "Max time delta", 0, 2), " : "),
			" secs");
	assert_text(r, "Local Address: 10.1.11.2\n"
		       "Local Priority: 200\n"
		       "Replay Value 442843.29\n"
		       "Max time delta : 0.00 secs\n");
	result_free(r);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		TEST(test_golden_ks_rekey),
		TEST(test_golden_gm_rekey),
		TEST(test_golden_ks_members),
		TEST(test_rows_align_every_cell),
		TEST(test_tables),
		TEST(test_array_on_lines_and_units),
		TEST(test_secrets_are_hidden_in_both),
		TEST(test_empty_result),
		TEST(test_camel_case),
		TEST(test_json_types_and_escaping),
		TEST(test_duplicate_json_keys_are_an_error),
		TEST(test_misuse_is_sticky),
		TEST(test_align_none_and_custom_separators),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
