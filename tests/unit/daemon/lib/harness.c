#include "harness.h"

#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/dbuf.h"

#define WALL_2026 (1795348800ULL * NS_PER_SEC) /* Sun 2026-11-22 12:00:00 UTC */

static void *run(void *arg)
{
	struct harness *h = arg;
	daemon_run(h->d);
	return NULL;
}

static void launch(struct harness *h, const struct harness_opts *o);

void harness_start(struct harness *h, const char *config_text, const struct harness_opts *o)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->dir, "/tmp/gvpn-daemon-XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->config, sizeof(h->config), "%s/gvpnd.conf", h->dir);
	snprintf(h->socket, sizeof(h->socket), "%s/run/gvpnd.sock", h->dir);
	snprintf(h->state, sizeof(h->state), "%s/state", h->dir);
	FILE *f = fopen(h->config, "w");
	assert_non_null(f);
	fputs(config_text, f);
	fclose(f);
	assert_int_equal(chmod(h->config, 0600), 0);
	if (o && o->fake_clock)
		clock_fake_init(&h->clk, 100 * NS_PER_SEC, WALL_2026);
	launch(h, o);
}

void harness_halt(struct harness *h)
{
	if (h->running) {
		daemon_stop(h->d);
		pthread_join(h->thread, NULL);
		h->running = false;
	}
	daemon_free(h->d);
	h->d = NULL;
}

void harness_resume(struct harness *h, const struct harness_opts *o)
{
	launch(h, o);
}

void harness_stop(struct harness *h)
{
	harness_halt(h);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
	assert_int_equal(system(cmd), 0);
}

/* Start the daemon thread on h's directory (configuration, socket, state). */
static void launch(struct harness *h, const struct harness_opts *o)
{
	struct daemon_opts d = {
	    .config_path = h->config,
	    .socket_path = h->socket,
	    .state_dir = h->state,
	    .no_udp = !(o && o->udp),
	    .udp_any_port = true,
	    .engines = o ? o->engines : NULL,
	    /* GVPN_TEST_LOG=1: the daemon's log lines on stderr, to debug a test */
	    .log_stderr = getenv("GVPN_TEST_LOG") != NULL,
	    .clock = o && o->fake_clock ? &h->clk : NULL,
	};
	struct dbuf err = DBUF_INIT;
	int rc = daemon_new(&d, &h->d, &err);
	if (rc)
		fprintf(stderr, "daemon_new: %s", dbuf_str(&err));
	dbuf_free(&err);
	assert_int_equal(rc, 0);
	assert_int_equal(pthread_create(&h->thread, NULL, run, h), 0);
	h->running = true;
}

void harness_connect(struct harness *h, struct cli_client *c)
{
	assert_int_equal(cli_connect(c, h->socket), 0);
}

const char *harness_cmd(struct harness *h, unsigned flags, const char *line, unsigned *status)
{
	static struct dbuf out;
	struct cli_client c;
	struct cli_answer a;
	harness_connect(h, &c);
	assert_int_equal(cli_request(&c, line, flags, &a), 0);
	dbuf_reset(&out);
	dbuf_append(&out, a.out.p, a.out.len);
	if (status)
		*status = a.status;
	cli_answer_free(&a);
	cli_close(&c);
	return dbuf_str(&out);
}

char *harness_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct dbuf b = DBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		dbuf_append(&b, buf, n);
	fclose(f);
	char *s = strdup(dbuf_str(&b));
	dbuf_free(&b);
	return s;
}

void harness_golden(const char *path, const char *got)
{
	const char *update = getenv("GVPN_UPDATE_GOLDEN");
	if (update && *update == '1') {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	char *want = harness_slurp(path);
	if (!want)
		fail_msg("no %s (GVPN_UPDATE_GOLDEN=1 creates it)", path);
	if (strcmp(want, got))
		fprintf(stderr, "---- got, differing from %s:\n%s---- end\n", path, got);
	assert_string_equal(want, got);
	free(want);
}
