/*
 * Key export for Wireshark: `debug crypto isakmp keys` and `debug crypto
 * ipsec keys`.
 *
 * While `debug crypto isakmp keys` is on, every ISAKMP (phase 1) SA that
 * completes, in either role, adds a line to Wireshark's IKEv1 decryption
 * table; while `debug crypto ipsec keys` is on, every TEK a member
 * installs (and every TEK of a key server's policy when it starts, when a
 * member registers and when a TEK rolls over) adds a line to Wireshark's
 * ESP SA table:
 *
 *   STATE_DIR/wireshark/ikev1_decryption_table
 *     <initiator cookie, 16 hex>,<encryption key, hex>
 *   STATE_DIR/wireshark/esp_sa
 *     "IPv4","*","*","0x<SPI, 8 hex>","<encryption>","0x<key>","<authentication>","0x<key>"
 *
 * The files are the UAT files of those names in a Wireshark profile
 * directory (copy them there, or give a line to tshark with
 * -o 'uat:ikev1_decryption_table:LINE' / -o 'uat:esp_sa:LINE'). The
 * encryption key of AES-GCM is the key followed by the 4-octet salt, as
 * Wireshark expects for RFC 4106; an absent key is written as "".
 *
 * The keys are secrets: nothing is written while the switch is off (it is
 * read at each SA, so `no debug ...` / `undebug all` stop the writing at
 * once), the files are mode 0600 in a directory of mode 0700, and no key
 * material goes to the log (the debug line names the cookie or SPI only).
 * Lines are appended; a cookie or SPI already written by this process is
 * not written again (a member reinstalls its whole policy at each
 * registration). The debug conditions apply: peer = the SA's peer (phase
 * 1), the key server (a member's TEKs) or the registering member (a key
 * server's TEKs), group = the TEK's group.
 *
 * Runs on the control thread, like the engines that call it.
 */
#ifndef GVPN_DAEMON_KEYLOG_H
#define GVPN_DAEMON_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "gdoi/policy.h"
#include "ike1/sa.h"

struct diag;
struct daemon_keylog;

#define DAEMON_KEYLOG_DIR      "wireshark"
#define DAEMON_KEYLOG_IKEV1    "ikev1_decryption_table"
#define DAEMON_KEYLOG_ESP      "esp_sa"
#define DAEMON_KEYLOG_LINE_MAX 320

/* ---- formatting (pure) ---- */

/*
 * The IKEv1 decryption table line (no newline): cookie and key in lower-case
 * hex. Returns its length, ERR_INVAL (no key) or ERR_NOSPACE.
 */
int daemon_keylog_ike1_line(const uint8_t cky_i[static IKE1_COOKIE_LEN], const uint8_t *key,
			    size_t key_len, char *out, size_t cap);

/*
 * The ESP SA table line of a TEK (no newline). Returns its length,
 * ERR_UNSUPP (a transform Wireshark cannot name), ERR_INVAL (no keys) or
 * ERR_NOSPACE.
 */
int daemon_keylog_esp_line(const struct gdoi_tek *tek, char *out, size_t cap);

/* Wireshark's names of a TEK's algorithms; NULL when it has none. */
const char *daemon_keylog_esp_encr_name(const struct gdoi_transform *xf);
const char *daemon_keylog_esp_auth_name(const struct gdoi_transform *xf);

/* ---- writing ---- */

/*
 * A key writer for STATE_DIR/wireshark. Nothing is created until the first
 * line is written. diag (borrowed) holds the debug switches. 0, ERR_INVAL
 * (path too long) or ERR_NOMEM.
 */
int daemon_keylog_new(const char *state_dir, struct diag *diag, struct daemon_keylog **out);
void daemon_keylog_free(struct daemon_keylog *kl);

/*
 * ike1_config.keylog callback (arg: the struct daemon_keylog): one line for
 * the SA when `debug crypto isakmp keys` is on.
 */
void daemon_keylog_ike1(void *arg, const struct ike1_keylog *k);

/*
 * The TEKs of a policy (a member's install, the key server's group policy),
 * each SPI once, when `debug crypto ipsec keys` is on. peer (for the debug
 * conditions): the key server of a member's policy; on the key server the
 * member registering, or 0.
 */
void daemon_keylog_policy(struct daemon_keylog *kl, const char *group, uint32_t peer,
			  const struct gdoi_policy *p);

/*
 * Write one line to dir/name (created 0600 in a 0700 directory, appended).
 * 0, or ERR_INVAL / ERR_IO (errno set). Exposed for the tests.
 */
int daemon_keylog_append(const char *dir, const char *name, const char *line, size_t len);

#endif
