/* gvpnd: the GETVPN/GDOI daemon. See daemon/args.h for the command line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/args.h"
#include "daemon/daemon.h"
#include "daemon/runcfg.h"
#include "util/dbuf.h"

static int check_config(const char *path)
{
	struct dbuf err = DBUF_INIT;
	int rc = daemon_runcfg_check(path, &err);
	fputs(dbuf_str(&err), stderr);
	dbuf_free(&err);
	if (!rc)
		printf("%s: configuration OK\n", path);
	return rc ? 1 : 0;
}

/*
 * Without --foreground: the parent waits until the child is ready (socket
 * listening) or failed, so that `gvpnd --config ... && gvpn show ...` works.
 * Returns in the child with the write end of the pipe in *ready_fd.
 */
static void detach(int *ready_fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		perror("gvpnd: pipe");
		exit(1);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("gvpnd: fork");
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		char ok = 0;
		ssize_t n = read(p[0], &ok, 1);
		exit(n == 1 && ok == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	if (chdir("/"))
		exit(1);
	*ready_fd = p[1];
}

static void quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

int main(int argc, char **argv)
{
	struct daemon_args a;
	char why[256];
	if (daemon_args_parse(argc, argv, &a, why, sizeof(why))) {
		fprintf(stderr, "gvpnd: %s\n%s", why, daemon_args_usage());
		return 2;
	}
	if (a.help) {
		fputs(daemon_args_usage(), stdout);
		return 0;
	}
	if (a.version) {
		printf("gvpnd %s\n", GVPN_VERSION);
		return 0;
	}
	if (a.check_config)
		return check_config(a.config);

	int ready_fd = -1;
	if (!a.foreground)
		detach(&ready_fd);
	if (daemon_block_signals()) {
		perror("gvpnd: signals");
		return 1;
	}
	struct daemon_opts o = {
	    .config_path = a.config,
	    .socket_path = a.socket,
	    .state_dir = a.state_dir,
	    .signals = true,
	    .purge_stale_dp = true,
	    .log_stderr = a.foreground,
	    .syslog = true,
	};
	struct dbuf err = DBUF_INIT;
	struct daemon *d;
	if (daemon_new(&o, &d, &err)) {
		fputs(dbuf_str(&err), stderr);
		dbuf_free(&err);
		return 1;
	}
	dbuf_free(&err);
	if (ready_fd >= 0) {
		char ok = 1;
		if (write(ready_fd, &ok, 1) != 1)
			ok = 0;
		close(ready_fd);
		quiet_stdio();
	}
	int rc = daemon_run(d);
	daemon_free(d);
	return rc ? 1 : 0;
}
