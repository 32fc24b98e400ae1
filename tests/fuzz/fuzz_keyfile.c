/*
 * The key store's loader (daemon/keystore) on arbitrary key files: the
 * bytes become STATE/keys/fuzz.key (mode 0600) and the store is opened.
 * Whatever the file holds, the open succeeds; a file that loads gives a
 * key pair with its private key and no complaint, any other is skipped
 * with a complaint naming its path.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/file.h"
#include "daemon/keystore.h"
#include "util/dbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char state[64], keys[96], file[128];

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_keyfile: %s\n", what);
		abort();
	}
}

static void cleanup(void)
{
	unlink(file);
	rmdir(keys);
	rmdir(state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!state[0]) {
		snprintf(state, sizeof(state), "/tmp/gvpn-fuzz-keyfile-XXXXXX");
		require(mkdtemp(state) != NULL, "mkdtemp");
		snprintf(keys, sizeof(keys), "%s/keys", state);
		snprintf(file, sizeof(file), "%s/fuzz.key", keys);
		require(daemon_dir_ensure(keys) == 0, "key directory");
		atexit(cleanup);
	}
	/* a plain write: daemon_file_write's fsyncs would make each run slow */
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	require(fd >= 0, "open the key file");
	require(write(fd, data, size) == (ssize_t)size, "write the key file");
	close(fd);
	struct daemon_keystore *ks = NULL;
	struct dbuf err = DBUF_INIT;
	require(daemon_keystore_open(state, NULL, &ks, &err) == 0, "open failed");
	const struct crypto_rsa *k = daemon_keystore_get(ks, "fuzz");
	if (k) {
		require(k->has_private, "a loaded key without its private half");
		require(err.len == 0, "a loaded key with a complaint");
		require(daemon_keystore_count(ks) == 1, "count");
	} else {
		require(strstr(dbuf_str(&err), file) != NULL, "a skipped file without its path");
		require(daemon_keystore_count(ks) == 0, "count");
	}
	daemon_keystore_free(ks);
	dbuf_free(&err);
	return 0;
}
