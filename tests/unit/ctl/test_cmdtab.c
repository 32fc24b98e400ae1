/* ctl/cmdtab: grammar strings, prefixes, ambiguity, help and completion. */
#include "test.h"

#include <stdlib.h>

#include "ctl/cmdtab.h"
#include "util/dbuf.h"
#include "util/err.h"

static int fn_a(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)x;
	(void)a;
	return 1;
}

static int fn_b(struct ctl_exec *x, const struct ctl_args *a)
{
	(void)x;
	(void)a;
	return 2;
}

static const struct ctl_cmd_def defs[] = {
    {"show crypto gdoi [group WORD:group] [detail]", fn_a, 0},
    {"show crypto gdoi ks members [summary|A.B.C.D:member]", fn_b, 0},
    {"show crypto gdoi ks policy", fn_b, 0},
    {"show crypto isakmp sa", fn_b, 0},
    {"show clock", fn_b, 0},
    {"logging buffered <4096-65536>:bytes", fn_b, 0},
    {"debug crypto gdoi {gm|ks} {registration|rekey} [error|detail]", fn_b, 0},
};

static const struct ctl_help_def help[] = {
    {"show", "Show running system information"},
    {"gdoi", "GDOI"},
    {"ks", "Key Server"},
    {"gdoi ks", "Show GDOI key server information"},
    {"$member", "Member address"},
    {"detail", "Detailed"},
};

static struct ctl_cmdtab *table(void)
{
	struct ctl_cmdtab *t = ctl_cmdtab_new();
	assert_non_null(t);
	assert_int_equal(ctl_cmdtab_add(t, defs, sizeof(defs) / sizeof(defs[0])), 0);
	assert_int_equal(ctl_cmdtab_add_help(t, help, sizeof(help) / sizeof(help[0])), 0);
	return t;
}

static enum ctl_match match(struct ctl_cmdtab *t, const char *line,
			    const struct ctl_cmd_def **def, struct ctl_args *a, size_t *bad)
{
	static struct ctl_words w;
	assert_int_equal(ctl_words_split(&w, line, strlen(line)), 0);
	return ctl_cmdtab_match(t, &w, def, a, bad);
}

static void test_prefixes(void **state)
{
	(void)state;
	struct ctl_cmdtab *t = table();
	const struct ctl_cmd_def *def;
	struct ctl_args a;
	size_t bad;
	assert_int_equal(match(t, "sh cry gdoi", &def, &a, &bad), CTL_MATCH_OK);
	assert_ptr_equal(def, &defs[0]);
	assert_false(ctl_arg_has(&a, "detail"));
	assert_int_equal(match(t, "sh cry gd ks mem 10.1.13.2", &def, &a, &bad), CTL_MATCH_OK);
	assert_ptr_equal(def, &defs[1]);
	uint32_t ip;
	assert_int_equal(ctl_arg_ip4(&a, "member", &ip), 0);
	assert_int_equal(ip, 0x0a010d02);
	assert_int_equal(match(t, "show crypto gdoi group G1 det", &def, &a, &bad), CTL_MATCH_OK);
	assert_string_equal(ctl_arg_str(&a, "group"), "G1");
	assert_string_equal(ctl_arg_str(&a, "detail"), "detail");
	/* "group" is both a keyword and a WORD value after it */
	assert_int_equal(match(t, "show crypto gdoi group group", &def, &a, &bad), CTL_MATCH_OK);
	assert_string_equal(ctl_arg_str(&a, "group"), "group");
	assert_int_equal(match(t, "deb cry gdoi ks reg", &def, &a, &bad), CTL_MATCH_OK);
	assert_true(ctl_arg_has(&a, "ks"));
	assert_true(ctl_arg_has(&a, "registration"));
	ctl_cmdtab_free(t);
}

static void test_errors(void **state)
{
	(void)state;
	struct ctl_cmdtab *t = table();
	const struct ctl_cmd_def *def;
	struct ctl_args a;
	size_t bad;
	/* "c" starts crypto and clock */
	assert_int_equal(match(t, "show c", &def, &a, &bad), CTL_MATCH_AMBIGUOUS);
	assert_int_equal(bad, 1);
	assert_int_equal(match(t, "show crypto gdoix", &def, &a, &bad), CTL_MATCH_SYNTAX);
	assert_int_equal(bad, 2);
	assert_int_equal(match(t, "show crypto", &def, &a, &bad), CTL_MATCH_INCOMPLETE);
	assert_int_equal(match(t, "show crypto isakmp sa extra", &def, &a, &bad),
			 CTL_MATCH_SYNTAX);
	assert_int_equal(bad, 4);
	/* number range and address syntax are checked */
	assert_int_equal(match(t, "logging buffered 100", &def, &a, &bad), CTL_MATCH_SYNTAX);
	assert_int_equal(bad, 2);
	assert_int_equal(match(t, "logging buffered 8192", &def, &a, &bad), CTL_MATCH_OK);
	uint32_t n;
	assert_int_equal(ctl_arg_u32(&a, "bytes", &n), 0);
	assert_int_equal(n, 8192);
	assert_int_equal(match(t, "sh cry gdoi ks mem 10.1.13", &def, &a, &bad),
			 CTL_MATCH_SYNTAX);
	ctl_cmdtab_free(t);
}

static int collect(void *arg, const char *token, const char *h)
{
	struct dbuf *b = arg;
	dbuf_printf(b, "%s|%s\n", token, h);
	return 0;
}

static const char *help_of(struct ctl_cmdtab *t, const char *line, bool complete, int *rc)
{
	static struct ctl_words w;
	static struct dbuf b;
	size_t bad;
	dbuf_reset(&b);
	assert_int_equal(ctl_words_split(&w, line, strlen(line)), 0);
	*rc = complete ? ctl_cmdtab_complete(t, &w, collect, &b, &bad)
		       : ctl_cmdtab_help(t, &w, collect, &b, &bad);
	return dbuf_str(&b);
}

static void test_help(void **state)
{
	(void)state;
	struct ctl_cmdtab *t = table();
	int rc;
	assert_string_equal(help_of(t, "show crypto gdoi ", false, &rc),
			    "detail|Detailed\n"
			    "group|\n"
			    "ks|Show GDOI key server information\n"
			    "<cr>|<cr>\n");
	assert_int_equal(rc, CTL_MATCH_OK);
	assert_string_equal(help_of(t, "show crypto gdoi ks members ", false, &rc),
			    "A.B.C.D|Member address\n"
			    "summary|\n"
			    "<cr>|<cr>\n");
	/* inside a word: the keywords it may complete to */
	assert_string_equal(help_of(t, "sh c", false, &rc), "clock|\ncrypto|\n");
	assert_string_equal(help_of(t, "sh cr", true, &rc), "crypto|\n");
	/* completion never offers variables or <cr> */
	assert_string_equal(help_of(t, "show crypto gdoi ks members ", true, &rc), "summary|\n");
	help_of(t, "show crypto gdoix ", false, &rc);
	assert_int_equal(rc, CTL_MATCH_SYNTAX);
	help_of(t, "show x", false, &rc);
	assert_int_equal(rc, CTL_MATCH_SYNTAX);
	ctl_cmdtab_free(t);
}

static void test_bad_syntax_strings(void **state)
{
	(void)state;
	struct ctl_cmdtab *t = ctl_cmdtab_new();
	const struct ctl_cmd_def bad[] = {
	    {"show [detail", fn_a, 0}, {"show WORD", fn_a, 0},	{"show <5-1>:n", fn_a, 0},
	    {"show Foo", fn_a, 0},     {"show {a|b", fn_a, 0}, {"show ]", fn_a, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctl_cmdtab_add(t, &bad[i], 1), ERR_SYNTAX);
	ctl_cmdtab_free(t);
}

static void test_words(void **state)
{
	(void)state;
	struct ctl_words w;
	assert_int_equal(ctl_words_split(&w, "  sh  cry ", 10), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.w[1], "cry");
	assert_int_equal(w.off[1], 6);
	assert_true(w.trailing_space);
	char many[200] = "";
	for (int i = 0; i < CTL_MAX_WORDS + 1; i++)
		strcat(many, "a ");
	assert_int_equal(ctl_words_split(&w, many, strlen(many)), ERR_LIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_prefixes), TEST(test_errors), TEST(test_help),
	    TEST(test_bad_syntax_strings), TEST(test_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
