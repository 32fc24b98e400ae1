/*
 * The RSA key store of gvpnd: the key pairs that sign GDOI rekeys
 * (`rekey authentication mypubkey rsa LABEL`), kept under the state
 * directory and managed with the exec commands
 *
 *   crypto key generate rsa label L modulus N [exportable]
 *   crypto key export rsa L pem [terminal]
 *   crypto key import rsa L pem [exportable] url FILE
 *   crypto key zeroize rsa L
 *   show crypto key mypubkey rsa [L]
 *
 * Each key pair is one file STATE_DIR/keys/<label>.key, mode 0600, in a
 * directory of mode 0700, replaced atomically (daemon/file.h). The file is
 * a few "name value" header lines followed by the private key in PKCS#8
 * PEM:
 *
 *   gvpn-rsa-key 1
 *   exportable yes|no
 *   generated <Unix seconds>
 *   -----BEGIN PRIVATE KEY-----
 *   ...
 *
 * Labels are 1 to DAEMON_KEY_LABEL_MAX characters of [A-Za-z0-9._-], not
 * starting with '.', so that a label is also a safe file name.
 *
 * A label that exists is never replaced: IOS asks "Do you really want to
 * replace them?" at the console; gvpn has no such dialogue, so generate and
 * import refuse with the IOS message and point to `crypto key zeroize rsa
 * L`, after which the label can be generated or imported afresh.
 *
 * Private keys live only in OpenSSL objects (crypto/rsa.h) and in dbufs
 * marked secret; both are wiped when freed. Runs on the control thread.
 */
#ifndef GVPN_DAEMON_KEYSTORE_H
#define GVPN_DAEMON_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto/rsa.h"

struct clock;
struct daemon_keystore;
struct dbuf;
struct result;

enum {
	DAEMON_KEY_LABEL_MAX = 64,
	DAEMON_KEY_BITS_MIN = 1024,
	DAEMON_KEY_BITS_MAX = 4096,
	DAEMON_KEY_FILE_MAX = 64 * 1024, /* a key file or an imported PEM */
	DAEMON_KEYS_MAX = 64,		 /* key pairs in one store */
};

/*
 * Open the store of state_dir: create state_dir/keys (0700) when missing
 * and load every <label>.key in it. A file that cannot be used (readable
 * by group or others, corrupted, a name that is no label) is skipped with
 * a line "PATH: reason" appended to err; the store still opens. clock
 * (wall time of generation; NULL: the system clock) is borrowed.
 * 0 and *out, ERR_IO (the directory cannot be made or read; err says why)
 * or ERR_NOMEM.
 */
int daemon_keystore_open(const char *state_dir, const struct clock *clock,
			 struct daemon_keystore **out, struct dbuf *err);
/* Free the store; private keys wiped. NULL is fine. */
void daemon_keystore_free(struct daemon_keystore *ks);

/*
 * The key pair of label (private and public), NULL when there is none.
 * The pointer stays valid until that label is removed or the store freed
 * (adding other keys does not move it).
 */
const struct crypto_rsa *daemon_keystore_get(const struct daemon_keystore *ks, const char *label);
/* Number of key pairs. */
size_t daemon_keystore_count(const struct daemon_keystore *ks);

/*
 * `crypto key generate rsa label L modulus N [exportable]`: a new key pair
 * of bits (DAEMON_KEY_BITS_MIN..MAX) written to its file before it is
 * added. msg gets the IOS-style lines for the user ("The name for the
 * keys will be: L", "% The key modulus size is N bits", ...).
 * 0, ERR_INVAL (label or bits), ERR_EXISTS (label in use, nothing
 * changed), ERR_LIMIT (DAEMON_KEYS_MAX), ERR_IO (file not written; the
 * store is unchanged) or ERR_CRYPTO / ERR_NOMEM.
 */
int daemon_keystore_generate(struct daemon_keystore *ks, const char *label, unsigned bits,
			     bool exportable, struct dbuf *msg);

/*
 * `crypto key export rsa L pem`: the public key ("PUBLIC KEY", SPKI) and
 * the private key ("PRIVATE KEY", PKCS#8, unencrypted) PEM blocks appended
 * to out, which is marked secret. Only for keys made or imported
 * exportable. 0, ERR_NOTFOUND, ERR_STATE (not exportable; out unchanged)
 * or ERR_CRYPTO / ERR_NOMEM; msg says why on error.
 */
int daemon_keystore_export_pem(const struct daemon_keystore *ks, const char *label,
			       struct dbuf *out, struct dbuf *msg);

/*
 * Import a key pair under label from PEM text (len bytes) holding an
 * unencrypted RSA private key (PKCS#8 or traditional; other blocks such as
 * the public key of an export are skipped). exportable as given. Written
 * to its file before it is added. 0, ERR_INVAL (bad label, no private RSA
 * key in the text, size outside the range), ERR_EXISTS, ERR_LIMIT, ERR_IO
 * or ERR_NOMEM; msg says why.
 */
int daemon_keystore_import_pem(struct daemon_keystore *ks, const char *label, const char *pem,
			       size_t len, bool exportable, struct dbuf *msg);
/*
 * The same from a file on the daemon's machine (`... pem url FILE`): at
 * most DAEMON_KEY_FILE_MAX bytes. Also ERR_NOTFOUND / ERR_IO / ERR_LIMIT
 * for the file, with its path in msg.
 */
int daemon_keystore_import_file(struct daemon_keystore *ks, const char *label, const char *path,
				bool exportable, struct dbuf *msg);

/*
 * `crypto key zeroize rsa L`: remove the key pair and its file.
 * 0, ERR_NOTFOUND or ERR_IO (the file could not be removed: the key stays).
 */
int daemon_keystore_remove(struct daemon_keystore *ks, const char *label, struct dbuf *msg);

/*
 * `show crypto key mypubkey rsa [L]` (label NULL: every key, by label):
 *
 *   % Key pair was generated at: 14:02:11 UTC Dec 6 2026
 *   Key name: ks1
 *   Key type: RSA KEYS
 *    Storage Device: /var/lib/gvpn/keys
 *    Usage: General Purpose Key
 *    Key is exportable.
 *    Key Data:
 *     30820122 300D0609 2A864886 F70D0101 01050003 82010F00 3082010A 02820101
 *     ...
 *
 * Key Data is the DER SubjectPublicKeyInfo in groups of 8 hex digits, 8
 * groups a line. JSON: {"keys": [{"keyName", "keyType", "storageDevice",
 * "usage", "exportable", "modulusBits", "generatedAt", "keyData"}]}.
 * A label that does not exist shows nothing. 0 or the result's error.
 */
int daemon_keystore_show(const struct daemon_keystore *ks, const char *label, struct result *r);

#endif
