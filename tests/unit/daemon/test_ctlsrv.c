/*
 * daemon/ctlsrv with a handler of the test's: long answers are split into
 * frames flagged CTL_RESP_MORE and the client puts them back together;
 * many clients are served one request at a time.
 */
#include "test.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/client.h"
#include "daemon/ctlsrv.h"
#include "daemon/loop.h"
#include "util/err.h"

enum { BIG = 3 * CTLSRV_CHUNK + 123 };

struct fixture {
	struct daemon_loop loop;
	struct ctlsrv *srv;
	pthread_t thread;
	char dir[64], path[96];
	unsigned calls;
};

static void handler(void *arg, struct ctl_session *s, const struct ctl_request *req,
		    struct ctl_reply *rep)
{
	struct fixture *f = arg;
	(void)s;
	f->calls++;
	if (req->cmd_len == 3 && !memcmp(req->cmd, "big", 3)) {
		for (size_t i = 0; i < BIG; i++)
			dbuf_putc(&rep->out, (char)('a' + i % 26));
	} else {
		dbuf_printf(&rep->out, "echo %.*s\n", (int)req->cmd_len, req->cmd);
	}
}

static void *run(void *arg)
{
	struct fixture *f = arg;
	daemon_loop_run(&f->loop);
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/gvpn-ctlsrv-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/new/ctl.sock", f->dir);
	assert_int_equal(daemon_loop_init(&f->loop, NULL, NULL), 0);
	assert_int_equal(ctlsrv_open(&f->loop, f->path, handler, f, &f->srv), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, run, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	daemon_loop_stop(&f->loop);
	pthread_join(f->thread, NULL);
	ctlsrv_close(f->srv);
	assert_int_equal(access(f->path, F_OK), -1);
	daemon_loop_free(&f->loop);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_big_answer(void **state)
{
	struct fixture *f = *state;
	struct cli_client c;
	struct cli_answer a;
	assert_int_equal(cli_connect(&c, f->path), 0);
	assert_int_equal(cli_request(&c, "big", 0, &a), 0);
	assert_int_equal(a.status, CTL_ST_OK);
	assert_int_equal(a.out.len, BIG);
	for (size_t i = 0; i < BIG; i += 4099)
		assert_int_equal(a.out.p[i], 'a' + i % 26);
	cli_answer_free(&a);
	/* the connection is still in step after a multi-frame answer */
	assert_int_equal(cli_request(&c, "x", 0, &a), 0);
	assert_string_equal(dbuf_str(&a.out), "echo x\n");
	cli_answer_free(&a);
	cli_close(&c);
}

/* Many clients at once are served; clients that vanish are cleaned up. */
static void test_many_clients(void **state)
{
	struct fixture *f = *state;
	struct cli_client c[8];
	for (int i = 0; i < 8; i++)
		assert_int_equal(cli_connect(&c[i], f->path), 0);
	for (int i = 7; i >= 0; i--) {
		struct cli_answer a;
		char cmd[8];
		snprintf(cmd, sizeof(cmd), "n%d", i);
		assert_int_equal(cli_request(&c[i], cmd, 0, &a), 0);
		char want[16];
		snprintf(want, sizeof(want), "echo n%d\n", i);
		assert_string_equal(dbuf_str(&a.out), want);
		cli_answer_free(&a);
		cli_close(&c[i]);
	}
	assert_int_equal(f->calls, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_big_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
