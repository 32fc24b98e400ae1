/* daemon/file: state directory and atomic file replacement. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/file.h"
#include "util/dbuf.h"
#include "util/err.h"

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/gvpn-file-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void rm_rf(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static char *path_of(const char *dir, const char *name)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static void assert_content(const char *dir, const char *name, const char *want)
{
	struct dbuf got = DBUF_INIT;
	assert_int_equal(daemon_file_read(dir, name, 1 << 20, &got), 0);
	assert_string_equal(dbuf_str(&got), want);
	dbuf_free(&got);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The state directory is made 0700, with parents, and an open one is closed. */
static void test_dir_ensure(void **state)
{
	(void)state;
	char *top = make_tmpdir();
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/a/b/state", top);
	assert_int_equal(daemon_dir_ensure(sub), 0);
	assert_int_equal(mode_of(sub), 0700);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(daemon_dir_ensure(sub), 0);
	assert_int_equal(mode_of(sub), 0700);
	/* a file where the directory should be */
	snprintf(sub, sizeof(sub), "%s/file", top);
	int fd = open(sub, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(daemon_dir_ensure(sub), ERR_INVAL);
	rm_rf(top);
	free(top);
}

/* A write creates the file with mode 0600 whatever the umask, and replaces it. */
static void test_write_mode_and_replace(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	mode_t old = umask(0);
	assert_int_equal(daemon_file_write(dir, "ks.state", "one", 3), 0);
	umask(old);
	assert_int_equal(mode_of(path_of(dir, "ks.state")), 0600);
	assert_content(dir, "ks.state", "one");
	assert_int_equal(daemon_file_write(dir, "ks.state", "second", 6), 0);
	assert_content(dir, "ks.state", "second");
	assert_int_equal(mode_of(path_of(dir, "ks.state")), 0600);
	/* no temporary file is left behind */
	assert_int_equal(access(path_of(dir, ".ks.state.tmp"), F_OK), -1);
	rm_rf(dir);
	free(dir);
}

static void test_bad_names(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	assert_int_equal(daemon_file_write(dir, "../x", "a", 1), ERR_INVAL);
	assert_int_equal(daemon_file_write(dir, "", "a", 1), ERR_INVAL);
	assert_int_equal(daemon_file_write(dir, "..", "a", 1), ERR_INVAL);
	assert_int_equal(daemon_file_write(dir, "a/b", "a", 1), ERR_INVAL);
	rm_rf(dir);
	free(dir);
}

static void crash_hook(enum daemon_file_step step)
{
	if (step == DAEMON_FILE_TMP_SYNCED)
		_exit(42);
}

/*
 * A writer killed after its temporary file is complete, before the rename:
 * the target still holds the old contents, and the next write succeeds
 * over the leftover temporary file.
 */
static void test_crash_midway(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	assert_int_equal(daemon_file_write(dir, "keys", "old keys", 8), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		daemon_file_test_hook = crash_hook;
		daemon_file_write(dir, "keys", "NEW KEYS, never seen", 20);
		_exit(0); /* not reached: the hook exits first */
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);
	assert_content(dir, "keys", "old keys");
	/* the crashed writer's temporary file is there, complete but unused */
	assert_int_equal(access(path_of(dir, ".keys.tmp"), F_OK), 0);
	assert_int_equal(daemon_file_write(dir, "keys", "newer", 5), 0);
	assert_content(dir, "keys", "newer");
	assert_int_equal(access(path_of(dir, ".keys.tmp"), F_OK), -1);
	rm_rf(dir);
	free(dir);
}

/* A key file others may read is refused; a missing one says so. */
static void test_read_checks(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	struct dbuf b = DBUF_INIT;
	assert_int_equal(daemon_file_read(dir, "none", 100, &b), ERR_NOTFOUND);
	assert_int_equal(daemon_file_write(dir, "k", "0123456789", 10), 0);
	assert_int_equal(daemon_file_read(dir, "k", 5, &b), ERR_LIMIT);
	dbuf_reset(&b);
	assert_int_equal(chmod(path_of(dir, "k"), 0644), 0);
	assert_int_equal(daemon_file_read(dir, "k", 100, &b), ERR_INVAL);
	dbuf_free(&b);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_dir_ensure),   TEST(test_write_mode_and_replace), TEST(test_bad_names),
	    TEST(test_crash_midway), TEST(test_read_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
