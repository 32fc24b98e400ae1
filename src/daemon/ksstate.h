/*
 * The key server's state file: STATE_DIR/ks-state.
 *
 * The KS engine hands its state (gdoi_ks_state_save: KEK and TEKs in use,
 * push sequence numbers, member database, ending in a SHA-256) to its
 * io.persist callback whenever it changes, at most once a second; that is
 * the write coalescing, so every call is written at once, atomically and
 * with mode 0600 (daemon/file.h). gvpnd also saves it on a clean stop
 * (SIGTERM/SIGINT) and before a SIGHUP recreates the engines, and loads it
 * after every start of a key server, so a restart or a recreate carries on
 * with the same keys, members and (higher) sequence numbers.
 *
 * A file that cannot be used (checksum mismatch, malformed, another
 * version, too large, readable by group or others) is reported on stderr
 * and to syslog with its path and the reason, renamed to
 * ks-state.corrupt-YYYYMMDDTHHMMSSZ (UTC), and the key server keeps the
 * fresh keys it was created with.
 */
#ifndef GVPN_DAEMON_KSSTATE_H
#define GVPN_DAEMON_KSSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct clock;
struct diag;
struct gdoi_ks;

#define DAEMON_KS_STATE_FILE	"ks-state"
#define DAEMON_KS_STATE_CORRUPT "ks-state.corrupt-" /* + UTC stamp */

struct daemon_ksstate {
	const char *dir;	   /* borrowed; NULL: nothing is written or read */
	struct diag *diag;	   /* may be NULL; its syslog setting decides syslog(3) */
	const struct clock *clock; /* wall time: the file's age, the corrupt name */
	bool failing;		   /* the last write failed (reported once per run of failures) */
};

/* io.persist of the key server: write blob as dir/ks-state. */
void daemon_ksstate_write(struct daemon_ksstate *s, const uint8_t *blob, size_t len);

/* Save ks's state now (clean stop, engines about to be recreated). NULL ks is fine. */
void daemon_ksstate_flush(struct daemon_ksstate *s, const struct gdoi_ks *ks, uint64_t now);

/*
 * Load dir/ks-state into ks (just created from the configuration), with
 * the wall time since the file's modification as the time that passed.
 * 0 (loaded), ERR_NOTFOUND (no file), or the reason it was not used
 * (reported; an unusable file moved aside as described above).
 */
int daemon_ksstate_load(struct daemon_ksstate *s, struct gdoi_ks *ks, uint64_t now);

#endif
