/*
 * Golden transcripts of the exec prompt (style.md §9): each
 * transcripts/<name>.in is a list of lines typed at the prompt of a gvpnd
 * started with transcripts/<name>.conf; the text the terminal shows,
 * prompts and `?` answers included, must equal transcripts/<name>.refout.
 * GVPN_UPDATE_GOLDEN=1 rewrites the .refout files (review the diff).
 */
#include "test.h"

#include <dirent.h>
#include <stdlib.h>

#include "cli/session.h"
#include "harness.h"
#include "util/dbuf.h"

#define TDIR GVPN_SOURCE_DIR "/tests/unit/daemon/transcripts"

/*
 * The time source depends on the host (NTP or not): "Time source is X, "
 * becomes "Time source is <source>, " in the transcript.
 */
static void normalise(struct dbuf *b)
{
	static const char key[] = "Time source is ";
	struct dbuf n = DBUF_INIT;
	const char *p = dbuf_str(b), *hit;
	while ((hit = strstr(p, key)) && strchr(hit, ',')) {
		dbuf_append(&n, p, (size_t)(hit - p));
		dbuf_printf(&n, "%s<source>", key);
		p = strchr(hit, ',');
	}
	dbuf_printf(&n, "%s", p);
	dbuf_free(b);
	*b = n;
}

/* Play name.in against a daemon with name.conf; the transcript into out. */
static void play(const char *name, struct dbuf *out)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.conf", TDIR, name);
	char *conf = harness_slurp(path);
	snprintf(path, sizeof(path), "%s/%s.in", TDIR, name);
	char *in = harness_slurp(path);
	assert_non_null(conf);
	assert_non_null(in);
	struct harness h;
	struct harness_opts o = {.fake_clock = true};
	harness_start(&h, conf, &o);
	struct cli_client c;
	harness_connect(&h, &c);
	struct cli_session s = {.client = &c};
	assert_int_equal(cli_session_prompt(&s), 0);
	for (char *line = strtok(in, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#') /* comments of the .in file */
			continue;
		unsigned status;
		dbuf_printf(out, "%s%s\n", s.prompt, line);
		int rc = cli_session_line(&s, line, out, &status);
		assert_true(rc >= 0);
		if (rc == CLI_SESSION_EXIT)
			break;
	}
	cli_close(&c);
	harness_stop(&h);
	normalise(out);
	free(conf);
	free(in);
}

static void check_one(const char *name)
{
	struct dbuf got = DBUF_INIT;
	play(name, &got);
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.refout", TDIR, name);
	harness_golden(path, dbuf_str(&got));
	dbuf_free(&got);
}

static void test_transcripts(void **state)
{
	(void)state;
	DIR *d = opendir(TDIR);
	assert_non_null(d);
	size_t played = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".in"))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 3), e->d_name);
		check_one(name);
		played++;
	}
	closedir(d);
	assert_true(played > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_transcripts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
