/*
 * Files of the state directory (--state-dir): the directory itself and
 * atomic replacement of the files in it.
 *
 * Every file gvpnd writes there may hold secrets (KS keys, the RSA key
 * pair, sequence numbers a restart must not lose), so each is written with
 * mode 0600 in a directory of mode 0700, and replaced atomically:
 *
 *   1. write ".<name>.tmp" (O_EXCL after removing a leftover, mode 0600)
 *   2. fsync it
 *   3. rename it over <name>
 *   4. fsync the directory, so that the rename itself survives a power cut
 *
 * A crash at any point leaves either the old file or the new one under
 * <name>, never a partial one: the temporary file only ever replaces the
 * target by the rename of step 3. A leftover temporary file of a crashed
 * run is removed by the next write of the same name.
 */
#ifndef GVPN_DAEMON_FILE_H
#define GVPN_DAEMON_FILE_H

#include <stddef.h>

struct dbuf;

/*
 * Create dir (and missing parents) with mode 0700, or check an existing one:
 * it must be a directory owned by us, and group/other permission bits are
 * removed (chmod 0700) because the files in it are secret.
 * 0, ERR_INVAL (exists and is not a directory, or owned by someone else)
 * or ERR_IO (errno set).
 */
int daemon_dir_ensure(const char *dir);

/*
 * Atomically replace dir/name with len bytes of data (mode 0600). name is a
 * plain file name (no '/', not "." or ".."). 0, ERR_INVAL (bad name) or
 * ERR_IO (errno set; the target is unchanged and the temporary file gone).
 */
int daemon_file_write(const char *dir, const char *name, const void *data, size_t len);

/*
 * Read dir/name whole into out (appended; mark out secret first for key
 * files). Refuses a file that group or others may read, as a key file that
 * others can read is no secret any more. 0, ERR_NOTFOUND (no such file),
 * ERR_INVAL (readable by others), ERR_LIMIT (over max_len) or ERR_IO/ERR_NOMEM.
 */
int daemon_file_read(const char *dir, const char *name, size_t max_len, struct dbuf *out);

/*
 * Read fd to its end, appended to out (kept NUL-terminated). 0, ERR_LIMIT
 * (more than max_len bytes in out), ERR_IO (errno tells why) or ERR_NOMEM.
 */
int daemon_fd_read(int fd, size_t max_len, struct dbuf *out);

/*
 * Test hook: the steps of daemon_file_write, and a function called after
 * each with the step just done. A test sets it to stop the writer midway
 * (e.g. _exit() in a child after the temporary file is written) to show
 * that the target never holds a partial file. NULL in production.
 */
enum daemon_file_step {
	DAEMON_FILE_TMP_WRITTEN = 1,
	DAEMON_FILE_TMP_SYNCED,
	DAEMON_FILE_RENAMED,
};
extern void (*daemon_file_test_hook)(enum daemon_file_step step);

#endif
