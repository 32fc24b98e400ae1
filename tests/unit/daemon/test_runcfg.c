/*
 * daemon/runcfg: the configuration file to running engines. A key server
 * runs from examples/ks1.conf; `show running-config` is the writer's text
 * of the file; --check-config accepts it and names FILE:LINE of a broken
 * one; a SIGHUP reload of a changed group keeps the engine and its TEKs
 * (in place), one of a changed isakmp policy makes new engines, a broken
 * file changes nothing; a generated RSA key reaches the key server.
 */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

#include "conf/parse.h"
#include "conf/write.h"
#include "ctl/exec.h"
#include "daemon/runcfg.h"
#include "diag/log.h"
#include "gdoi/ks.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"

static char ks_text[16 * 1024];

struct fx {
	char dir[64], path[96], state[96];
	struct diag diag;
	struct daemon_runcfg *r;
	struct ctl_world w;
	struct dbuf err;
};

static int send_nothing(void *arg, const struct ike1_peer *to, uint32_t src_ip4, const uint8_t *msg,
			size_t len)
{
	(void)arg, (void)to, (void)src_ip4, (void)msg, (void)len;
	return 0;
}

static void write_config(struct fx *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* text with the first from replaced by to, into out. */
static void variant(char *out, size_t cap, const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	assert_non_null(p);
	snprintf(out, cap, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	char ex[512];
	snprintf(ex, sizeof(ex), "%s/examples/ks1.conf", GVPN_SOURCE_DIR);
	FILE *fp = fopen(ex, "r");
	assert_non_null(fp);
	ks_text[fread(ks_text, 1, sizeof(ks_text) - 1, fp)] = 0;
	fclose(fp);
	strcpy(f->dir, "/tmp/gvpn-runcfg-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/ks1.conf", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
	write_config(f, ks_text);
	assert_int_equal(diag_init(&f->diag, &clock_system), 0);
	const struct daemon_runcfg_env env = {
	    .diag = &f->diag,
	    .clock = &clock_system,
	    .rng = crypto_rng_system(),
	    .state_dir = f->state,
	    .send = send_nothing,
	};
	int rc = daemon_runcfg_new(&env, f->path, clock_mono_ns(&clock_system), &f->r, &f->err);
	if (rc)
		fprintf(stderr, "%s", dbuf_str(&f->err));
	assert_int_equal(rc, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	daemon_runcfg_free(f->r);
	diag_free(&f->diag);
	dbuf_free(&f->err);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct gdoi_ks_group_info *group_info(struct fx *f)
{
	static struct gdoi_ks_group_info gi;
	daemon_runcfg_world(f->r, &f->w);
	assert_non_null(f->w.ks);
	assert_int_equal(gdoi_ks_group_info(f->w.ks, 0, clock_mono_ns(&clock_system), &gi), 0);
	return &gi;
}

static const char *running_config(struct fx *f)
{
	static struct dbuf out;
	dbuf_free(&out);
	daemon_runcfg_world(f->r, &f->w);
	assert_int_equal(f->w.ops->running_config(f->w.ops_arg, &out), 0);
	return dbuf_str(&out);
}

static void test_runs_the_key_server_of_ks1(void **state)
{
	struct fx *f = *state;
	daemon_runcfg_world(f->r, &f->w);
	assert_string_equal(f->w.hostname, "KS1");
	assert_null(f->w.gm);
	assert_int_equal(f->w.n_ike, 1);
	struct gdoi_ks_group_info *gi = group_info(f);
	assert_string_equal(gi->name, "G1");
	assert_int_equal(gi->id.value, 3333);
	assert_int_equal(gi->kek_life_sec, 1200);
	assert_false(gi->multicast);
	assert_true(gi->rsa_key_missing); /* no key generated yet */
	assert_int_equal(gi->n_sas, 1);
	assert_string_equal(gi->sa[0].acl_name, "ENCPOL");
	assert_int_equal(gi->n_teks, 1);
	assert_string_equal(gi->tek[0].transform, "esp-aes 256 esp-sha256-hmac");
	assert_int_equal(gi->tek[0].life_sec, 900);
}

/* show running-config is the writer's form of the file (keys included). */
static void test_running_config_is_the_canonical_text(void **state)
{
	struct fx *f = *state;
	struct conf_config *c = conf_config_new();
	assert_non_null(c);
	assert_int_equal(conf_parse(ks_text, strlen(ks_text), f->path, c, NULL), 0);
	struct dbuf want = DBUF_INIT;
	assert_int_equal(conf_write(c, &want), 0);
	assert_string_equal(running_config(f), dbuf_str(&want));
	assert_non_null(strstr(dbuf_str(&want), "crypto isakmp key s3cret address 0.0.0.0"));
	dbuf_free(&want);
	conf_config_free(c);
}

static void test_check_config(void **state)
{
	struct fx *f = *state;
	struct dbuf err = DBUF_INIT;
	assert_int_equal(daemon_runcfg_check(f->path, &err), 0);
	assert_int_equal(err.len, 0);
	char bad[sizeof(ks_text) + 64], want[160];
	variant(bad, sizeof(bad), ks_text, "esp-sha256-hmac", "esp-sha512-hmac");
	write_config(f, bad);
	assert_int_not_equal(daemon_runcfg_check(f->path, &err), 0);
	snprintf(want, sizeof(want), "%s:16: ", f->path);
	assert_non_null(strstr(dbuf_str(&err), want));
	/* a transform the parser takes but GDOI cannot use: the daemon's own check */
	dbuf_reset(&err);
	variant(bad, sizeof(bad), ks_text, "esp-aes 256 esp-sha256-hmac", "esp-aes 256");
	write_config(f, bad);
	assert_int_equal(daemon_runcfg_check(f->path, &err), ERR_INVAL);
	assert_non_null(strstr(dbuf_str(&err), want));
	assert_non_null(strstr(dbuf_str(&err), "HMAC"));
	dbuf_free(&err);
	write_config(f, ks_text);
}

static void test_reload_in_place(void **state)
{
	struct fx *f = *state;
	uint32_t spi = group_info(f)->tek[0].spi;
	char text[sizeof(ks_text) + 64];
	variant(text, sizeof(text), ks_text, "rekey lifetime seconds 1200",
		"rekey lifetime seconds 1300");
	write_config(f, text);
	assert_int_equal(daemon_runcfg_reload(f->r, clock_mono_ns(&clock_system), &f->err), 0);
	/* the running KEK keeps its lifetime; the next one takes the new value */
	struct gdoi_ks_group_info *gi = group_info(f);
	assert_int_equal(gi->n_teks, 1);
	assert_int_equal(gi->tek[0].spi, spi); /* the same engine, the same TEK */
	assert_non_null(strstr(running_config(f), "rekey lifetime seconds 1300"));
}

static void test_reload_refused_changes_nothing(void **state)
{
	struct fx *f = *state;
	uint32_t spi = group_info(f)->tek[0].spi;
	char text[sizeof(ks_text) + 64], want[160];
	variant(text, sizeof(text), ks_text, "rekey lifetime seconds 1200",
		"rekey lifetime seconds 12");
	write_config(f, text);
	dbuf_reset(&f->err);
	assert_int_not_equal(daemon_runcfg_reload(f->r, clock_mono_ns(&clock_system), &f->err), 0);
	snprintf(want, sizeof(want), "%s:", f->path);
	assert_non_null(strstr(dbuf_str(&f->err), want));
	struct gdoi_ks_group_info *gi = group_info(f);
	assert_int_equal(gi->kek_life_sec, 1200);
	assert_int_equal(gi->tek[0].spi, spi);
	assert_non_null(strstr(running_config(f), "rekey lifetime seconds 1200"));
}

static void test_reload_new_isakmp_policy_restarts(void **state)
{
	struct fx *f = *state;
	uint32_t spi = group_info(f)->tek[0].spi;
	char text[sizeof(ks_text) + 64];
	variant(text, sizeof(text), ks_text, " group 14", " group 19");
	write_config(f, text);
	assert_int_equal(daemon_runcfg_reload(f->r, clock_mono_ns(&clock_system), &f->err), 0);
	/* a new key server, but it carries on from the state saved before (ks-state) */
	assert_int_equal(group_info(f)->tek[0].spi, spi);
	assert_non_null(strstr(running_config(f), " group 19"));
}

/* `crypto key generate rsa` for the label of ks1.conf: the key server takes it at once. */
static void test_generated_key_reaches_the_key_server(void **state)
{
	struct fx *f = *state;
	daemon_runcfg_world(f->r, &f->w);
	assert_non_null(f->w.ops->key_generate);
	struct dbuf msg = DBUF_INIT;
	assert_int_equal(f->w.ops->key_generate(f->w.ops_arg, "GETVPN_KEYS", 1024, false, &msg), 0);
	struct gdoi_ks_group_info *gi = group_info(f);
	assert_false(gi->rsa_key_missing);
	assert_int_equal(gi->sig_key_bits, 1024);
	assert_string_equal(gi->sig_key_name, "GETVPN_KEYS");
	dbuf_free(&msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_runs_the_key_server_of_ks1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_running_config_is_the_canonical_text, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_check_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_refused_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reload_new_isakmp_policy_restarts, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_generated_key_reaches_the_key_server, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
