#include "daemon/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/dbuf.h"
#include "util/err.h"

void (*daemon_file_test_hook)(enum daemon_file_step step);

static void step_done(enum daemon_file_step step)
{
	if (daemon_file_test_hook)
		daemon_file_test_hook(step);
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return ERR_IO;
}

/* mkdir -p with mode 0700 for every directory we create. */
static int mkdir_parents(const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return ERR_IO;
	}
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir_one(buf);
		*p = '/';
		if (rc)
			return rc;
	}
	return mkdir_one(buf);
}

int daemon_dir_ensure(const char *dir)
{
	if (mkdir_parents(dir))
		return ERR_IO;
	struct stat st;
	if (lstat(dir, &st))
		return ERR_IO;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		errno = S_ISDIR(st.st_mode) ? EPERM : ENOTDIR;
		return ERR_INVAL;
	}
	if ((st.st_mode & 077) && chmod(dir, st.st_mode & 0700))
		return ERR_IO;
	return 0;
}

static bool name_ok(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) < NAME_MAX - 8;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Steps 1 and 2: the temporary file, written and synced. */
static int write_tmp(int dfd, const char *tmp, const void *data, size_t len)
{
	if (unlinkat(dfd, tmp, 0) && errno != ENOENT)
		return ERR_IO;
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return ERR_IO;
	int rc = write_all(fd, data, len);
	if (!rc)
		step_done(DAEMON_FILE_TMP_WRITTEN);
	if (!rc && fsync(fd))
		rc = ERR_IO;
	if (!rc)
		step_done(DAEMON_FILE_TMP_SYNCED);
	int saved = errno;
	if (close(fd) && !rc)
		return ERR_IO;
	errno = saved;
	return rc;
}

int daemon_file_write(const char *dir, const char *name, const void *data, size_t len)
{
	if (!name_ok(name))
		return ERR_INVAL;
	char tmp[NAME_MAX + 1];
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ERR_IO;
	int rc = write_tmp(dfd, tmp, data, len);
	if (!rc && renameat(dfd, tmp, dfd, name))
		rc = ERR_IO;
	if (rc) {
		int saved = errno;
		unlinkat(dfd, tmp, 0);
		errno = saved;
	} else {
		step_done(DAEMON_FILE_RENAMED);
		if (fsync(dfd))
			rc = ERR_IO;
	}
	int saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

int daemon_fd_read(int fd, size_t max_len, struct dbuf *out)
{
	for (;;) {
		if (dbuf_reserve(out, 4096))
			return ERR_NOMEM;
		/* reserve leaves room for the NUL that keeps dbuf_str() valid */
		ssize_t n = read(fd, out->p + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ERR_IO;
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		out->p[out->len] = 0;
		if (out->len > max_len)
			return ERR_LIMIT;
	}
}

int daemon_file_read(const char *dir, const char *name, size_t max_len, struct dbuf *out)
{
	if (!name_ok(name))
		return ERR_INVAL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int saved = errno;
	close(dfd);
	if (fd < 0) {
		errno = saved;
		return saved == ENOENT ? ERR_NOTFOUND : ERR_IO;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = ERR_IO;
	else if (!S_ISREG(st.st_mode) || (st.st_mode & 077))
		rc = ERR_INVAL;
	else if ((uint64_t)st.st_size > max_len)
		rc = ERR_LIMIT;
	if (!rc)
		rc = daemon_fd_read(fd, max_len, out);
	close(fd);
	return rc;
}
