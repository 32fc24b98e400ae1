#include "daemon/keystore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl/result.h"
#include "daemon/file.h"
#include "util/clock.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

#define FILE_MAGIC  "gvpn-rsa-key 1"
#define FILE_SUFFIX ".key"

struct key_entry {
	char label[DAEMON_KEY_LABEL_MAX + 1];
	struct crypto_rsa rsa;
	bool exportable;
	uint64_t generated_sec; /* wall clock, Unix seconds */
};

struct daemon_keystore {
	char *dir; /* STATE_DIR/keys */
	const struct clock *clock;
	size_t n;
	struct key_entry *keys[DAEMON_KEYS_MAX]; /* sorted by label */
};

/* ---- labels and entries ---- */

static bool label_ok(const char *label)
{
	size_t n = label ? strlen(label) : 0;
	if (n == 0 || n > DAEMON_KEY_LABEL_MAX || label[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = label[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

static void file_name(char *out, size_t cap, const char *label)
{
	snprintf(out, cap, "%s" FILE_SUFFIX, label);
}

static void entry_free(struct key_entry *e)
{
	if (!e)
		return;
	crypto_rsa_clear(&e->rsa);
	mem_wipe(e, sizeof(*e));
	free(e);
}

/* Index of label, or of where it would be inserted (*found false). */
static size_t find(const struct daemon_keystore *ks, const char *label, bool *found)
{
	size_t lo = 0, hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ks->keys[mid]->label, label);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void insert_at(struct daemon_keystore *ks, size_t at, struct key_entry *e)
{
	memmove(&ks->keys[at + 1], &ks->keys[at], (ks->n - at) * sizeof(ks->keys[0]));
	ks->keys[at] = e;
	ks->n++;
}

static const struct key_entry *lookup(const struct daemon_keystore *ks, const char *label)
{
	bool found;
	size_t i = label ? find(ks, label, &found) : 0;
	return label && found ? ks->keys[i] : NULL;
}

/* ---- the key file ---- */

/* Header line "name value": the value of name at *p (line consumed), or NULL. */
static const char *header_value(const char **p, const char *end, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *eol = memchr(*p, '\n', (size_t)(end - *p));
	if (!eol || (size_t)(eol - *p) < nlen + 1 || memcmp(*p, name, nlen) || (*p)[nlen] != ' ')
		return NULL;
	const char *v = *p + nlen + 1;
	*vlen = (size_t)(eol - v);
	*p = eol + 1;
	return v;
}

/* Parse a key file; *why says what is wrong on error. */
static int parse_file(const char *text, size_t len, struct key_entry *e, const char **why)
{
	const char *p = text, *end = text + len;
	size_t mlen = strlen(FILE_MAGIC);
	if (len < mlen + 1 || memcmp(p, FILE_MAGIC "\n", mlen + 1)) {
		*why = "not a gvpn RSA key file (first line)";
		return ERR_INVAL;
	}
	p += mlen + 1;
	size_t vlen;
	const char *v = header_value(&p, end, "exportable", &vlen);
	if (v && vlen == 3 && !memcmp(v, "yes", 3))
		e->exportable = true;
	else if (!v || vlen != 2 || memcmp(v, "no", 2)) {
		*why = "bad or missing \"exportable\" line";
		return ERR_INVAL;
	}
	v = header_value(&p, end, "generated", &vlen);
	uint64_t sec = 0;
	for (size_t i = 0; v && i < vlen && vlen <= 19; i++) {
		if (v[i] < '0' || v[i] > '9') {
			v = NULL;
			break;
		}
		sec = sec * 10 + (uint64_t)(v[i] - '0');
	}
	if (!v || vlen == 0 || vlen > 19) {
		*why = "bad or missing \"generated\" line";
		return ERR_INVAL;
	}
	e->generated_sec = sec;
	int rc = crypto_rsa_from_pem(&e->rsa, p, (size_t)(end - p));
	if (!rc && !e->rsa.has_private) {
		crypto_rsa_clear(&e->rsa);
		rc = ERR_INVAL;
	}
	if (rc)
		*why = "no valid RSA private key in it";
	return rc;
}

static int write_file(const struct daemon_keystore *ks, const struct key_entry *e)
{
	struct dbuf text = DBUF_INIT;
	text.secret = true;
	char name[DAEMON_KEY_LABEL_MAX + sizeof(FILE_SUFFIX)];
	file_name(name, sizeof(name), e->label);
	int rc = dbuf_printf(&text, FILE_MAGIC "\nexportable %s\ngenerated %" PRIu64 "\n",
			     e->exportable ? "yes" : "no", e->generated_sec);
	if (!rc)
		rc = crypto_rsa_private_pem(&e->rsa, &text);
	if (!rc)
		rc = daemon_file_write(ks->dir, name, text.p, text.len);
	dbuf_free(&text);
	return rc;
}

/*
 * Read and parse ks->dir/name (label_len characters of label, then the
 * suffix) into e: NULL, or why the file cannot be used. *rc is set only
 * for ERR_NOMEM, which stops the whole open.
 */
static const char *read_entry(const struct daemon_keystore *ks, const char *name, size_t label_len,
			      struct key_entry *e, int *rc)
{
	if (label_len > DAEMON_KEY_LABEL_MAX)
		return "the name is not a key label";
	memcpy(e->label, name, label_len);
	if (!label_ok(e->label))
		return "the name is not a key label";
	struct dbuf text = DBUF_INIT;
	text.secret = true;
	const char *why = NULL;
	int r = daemon_file_read(ks->dir, name, DAEMON_KEY_FILE_MAX, &text);
	if (r == ERR_INVAL)
		why = "group or others may read it, or no regular file (must be mode 0600)";
	else if (r == ERR_LIMIT)
		why = "too large";
	else if (r == ERR_NOMEM)
		*rc = r;
	else if (r)
		why = strerror(errno);
	else
		parse_file((const char *)text.p, text.len, e, &why);
	dbuf_free(&text);
	return why;
}

/* Load ks->dir/name; a problem is reported in err and the file skipped. */
static int load_one(struct daemon_keystore *ks, const char *name, struct dbuf *err)
{
	size_t n = strlen(name), slen = strlen(FILE_SUFFIX);
	if (name[0] == '.')
		return 0; /* a temporary file of daemon_file_write */
	if (n <= slen || strcmp(name + n - slen, FILE_SUFFIX))
		return 0; /* not ours */
	struct key_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	int rc = 0;
	const char *why = read_entry(ks, name, n - slen, e, &rc);
	if (!why && !rc && ks->n == DAEMON_KEYS_MAX)
		why = "too many keys in the store";
	if (why)
		dbuf_printf(err, "%s/%s: %s; key not loaded\n", ks->dir, name, why);
	if (!why && !rc) {
		bool found;
		insert_at(ks, find(ks, e->label, &found), e);
		e = NULL;
	}
	entry_free(e);
	return rc;
}

static int load_all(struct daemon_keystore *ks, struct dbuf *err)
{
	DIR *d = opendir(ks->dir);
	if (!d) {
		dbuf_printf(err, "%s: cannot read the key directory: %s\n", ks->dir,
			    strerror(errno));
		return ERR_IO;
	}
	int rc = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d)) != NULL)
		rc = load_one(ks, de->d_name, err);
	closedir(d);
	return rc;
}

/* ---- life cycle ---- */

int daemon_keystore_open(const char *state_dir, const struct clock *clock,
			 struct daemon_keystore **out, struct dbuf *err)
{
	struct daemon_keystore *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return ERR_NOMEM;
	ks->clock = clock ? clock : &clock_system;
	size_t n = strlen(state_dir) + sizeof("/keys");
	ks->dir = malloc(n);
	if (!ks->dir) {
		free(ks);
		return ERR_NOMEM;
	}
	snprintf(ks->dir, n, "%s/keys", state_dir);
	int rc = daemon_dir_ensure(ks->dir);
	if (rc) {
		dbuf_printf(err, "%s: cannot use the key directory: %s\n", ks->dir,
			    rc == ERR_INVAL ? "not a directory of ours" : strerror(errno));
		rc = ERR_IO;
	}
	if (!rc)
		rc = load_all(ks, err);
	if (rc) {
		daemon_keystore_free(ks);
		return rc;
	}
	*out = ks;
	return 0;
}

void daemon_keystore_free(struct daemon_keystore *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->n; i++)
		entry_free(ks->keys[i]);
	free(ks->dir);
	free(ks);
}

const struct crypto_rsa *daemon_keystore_get(const struct daemon_keystore *ks, const char *label)
{
	const struct key_entry *e = ks ? lookup(ks, label) : NULL;
	return e ? &e->rsa : NULL;
}

size_t daemon_keystore_count(const struct daemon_keystore *ks)
{
	return ks ? ks->n : 0;
}

/* ---- adding keys ---- */

/* Checks common to generate and import: a valid, unused label, room left. */
static int check_new(const struct daemon_keystore *ks, const char *label, size_t *at,
		     struct dbuf *msg)
{
	bool found;
	if (!label_ok(label)) {
		dbuf_printf(msg,
			    "%% Invalid key label: 1 to %d characters of letters, digits, '.', "
			    "'_' and '-', not starting with '.'\n",
			    DAEMON_KEY_LABEL_MAX);
		return ERR_INVAL;
	}
	*at = find(ks, label, &found);
	if (found) {
		dbuf_printf(msg,
			    "%% You already have RSA keys defined named %s.\n"
			    "%% Keys not replaced: remove them first with "
			    "'crypto key zeroize rsa %s'.\n",
			    label, label);
		return ERR_EXISTS;
	}
	if (ks->n == DAEMON_KEYS_MAX) {
		dbuf_printf(msg, "%% The key store is full (%d key pairs)\n", DAEMON_KEYS_MAX);
		return ERR_LIMIT;
	}
	return 0;
}

/* Write e's file and add it at `at`; e is consumed. */
static int add_entry(struct daemon_keystore *ks, size_t at, struct key_entry *e, struct dbuf *msg)
{
	e->generated_sec = clock_wall_ns(ks->clock) / NS_PER_SEC;
	int rc = write_file(ks, e);
	if (rc) {
		dbuf_printf(msg, "%% Cannot write %s/%s" FILE_SUFFIX ": %s; key discarded\n",
			    ks->dir, e->label, rc == ERR_IO ? strerror(errno) : err_name(rc));
		entry_free(e);
		return rc;
	}
	insert_at(ks, at, e);
	return 0;
}

static bool bits_ok(unsigned bits)
{
	return bits >= DAEMON_KEY_BITS_MIN && bits <= DAEMON_KEY_BITS_MAX;
}

int daemon_keystore_generate(struct daemon_keystore *ks, const char *label, unsigned bits,
			     bool exportable, struct dbuf *msg)
{
	size_t at;
	int rc = check_new(ks, label, &at, msg);
	if (rc)
		return rc;
	if (!bits_ok(bits)) {
		dbuf_printf(msg, "%% The key modulus size must be %d to %d bits\n",
			    DAEMON_KEY_BITS_MIN, DAEMON_KEY_BITS_MAX);
		return ERR_INVAL;
	}
	struct key_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	snprintf(e->label, sizeof(e->label), "%s", label);
	e->exportable = exportable;
	dbuf_printf(msg,
		    "The name for the keys will be: %s\n\n"
		    "%% The key modulus size is %u bits\n"
		    "%% Generating %u bit RSA keys, keys will be %sexportable...\n",
		    label, bits, bits, exportable ? "" : "non-");
	uint64_t t0 = clock_mono_ns(ks->clock);
	rc = crypto_rsa_generate(&e->rsa, bits);
	if (rc) {
		dbuf_printf(msg, "%% Key generation failed: %s\n", err_name(rc));
		entry_free(e);
		return rc;
	}
	uint64_t secs = (clock_mono_ns(ks->clock) - t0 + NS_PER_SEC / 2) / NS_PER_SEC;
	rc = add_entry(ks, at, e, msg);
	if (!rc)
		dbuf_printf(msg, "[OK] (elapsed time was %" PRIu64 " seconds)\n", secs);
	return rc;
}

int daemon_keystore_import_pem(struct daemon_keystore *ks, const char *label, const char *pem,
			       size_t len, bool exportable, struct dbuf *msg)
{
	size_t at;
	int rc = check_new(ks, label, &at, msg);
	if (rc)
		return rc;
	struct key_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	snprintf(e->label, sizeof(e->label), "%s", label);
	e->exportable = exportable;
	rc = len <= DAEMON_KEY_FILE_MAX ? crypto_rsa_from_pem(&e->rsa, pem, len) : ERR_LIMIT;
	if (!rc && !e->rsa.has_private) {
		dbuf_printf(msg,
			    "%% The PEM text holds a public key only: a private key is needed\n");
		rc = ERR_INVAL;
	} else if (!rc && !bits_ok(e->rsa.bits)) {
		dbuf_printf(msg, "%% The key modulus size is %u bits: it must be %d to %d bits\n",
			    e->rsa.bits, DAEMON_KEY_BITS_MIN, DAEMON_KEY_BITS_MAX);
		rc = ERR_INVAL;
	} else if (rc) {
		dbuf_printf(msg, "%% No unencrypted RSA private key found in the PEM text "
				 "(\"-----BEGIN PRIVATE KEY-----\" or "
				 "\"-----BEGIN RSA PRIVATE KEY-----\")\n");
		rc = ERR_INVAL;
	}
	if (rc) {
		entry_free(e);
		return rc;
	}
	unsigned bits = e->rsa.bits;
	rc = add_entry(ks, at, e, msg);
	if (!rc)
		dbuf_printf(msg, "%% Key pair import succeeded: %s, %u bits, %sexportable.\n",
			    label, bits, exportable ? "" : "non-");
	return rc;
}

/* Read a whole file (secret) of at most DAEMON_KEY_FILE_MAX bytes. */
static int read_import_file(const char *path, struct dbuf *out, struct dbuf *msg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int rc = errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
		dbuf_printf(msg, "%% Cannot open %s: %s\n", path, strerror(errno));
		return rc;
	}
	int rc = daemon_fd_read(fd, DAEMON_KEY_FILE_MAX, out);
	if (rc == ERR_IO)
		dbuf_printf(msg, "%% Cannot read %s: %s\n", path, strerror(errno));
	else if (rc == ERR_LIMIT)
		dbuf_printf(msg, "%% %s is larger than %d bytes: no key file\n", path,
			    DAEMON_KEY_FILE_MAX);
	close(fd);
	return rc;
}

int daemon_keystore_import_file(struct daemon_keystore *ks, const char *label, const char *path,
				bool exportable, struct dbuf *msg)
{
	if (!path || path[0] != '/') {
		dbuf_printf(msg, "%% The file must be given by its absolute path\n");
		return ERR_INVAL;
	}
	struct dbuf text = DBUF_INIT;
	text.secret = true;
	int rc = read_import_file(path, &text, msg);
	if (!rc)
		rc = daemon_keystore_import_pem(ks, label, (const char *)text.p, text.len,
						exportable, msg);
	dbuf_free(&text);
	return rc;
}

/* ---- export, removal ---- */

static int not_found(const char *label, struct dbuf *msg)
{
	dbuf_printf(msg, "%% RSA keypair '%s' not found\n", label ? label : "");
	return ERR_NOTFOUND;
}

int daemon_keystore_export_pem(const struct daemon_keystore *ks, const char *label,
			       struct dbuf *out, struct dbuf *msg)
{
	const struct key_entry *e = lookup(ks, label);
	if (!e)
		return not_found(label, msg);
	if (!e->exportable) {
		dbuf_printf(msg, "%% RSA keypair '%s' is not exportable.\n", label);
		return ERR_STATE;
	}
	struct dbuf pem = DBUF_INIT;
	pem.secret = true;
	out->secret = true;
	int rc = crypto_rsa_public_pem(&e->rsa, &pem);
	if (!rc)
		rc = crypto_rsa_private_pem(&e->rsa, &pem);
	if (!rc)
		rc = dbuf_append(out, pem.p, pem.len);
	if (rc)
		dbuf_printf(msg, "%% Cannot export RSA keypair '%s': %s\n", label, err_name(rc));
	dbuf_free(&pem);
	return rc;
}

int daemon_keystore_remove(struct daemon_keystore *ks, const char *label, struct dbuf *msg)
{
	bool found;
	size_t i = label ? find(ks, label, &found) : 0;
	if (!label || !found)
		return not_found(label, msg);
	char name[DAEMON_KEY_LABEL_MAX + sizeof(FILE_SUFFIX)];
	file_name(name, sizeof(name), label);
	int dfd = open(ks->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (unlinkat(dfd, name, 0) && errno != ENOENT)) {
		dbuf_printf(msg, "%% Cannot remove %s/%s: %s; key kept\n", ks->dir, name,
			    strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return ERR_IO;
	}
	fsync(dfd); /* the removal survives a power cut */
	close(dfd);
	dbuf_printf(msg, "%% Keys to be removed are named '%s'.\n", label);
	entry_free(ks->keys[i]);
	memmove(&ks->keys[i], &ks->keys[i + 1], (ks->n - i - 1) * sizeof(ks->keys[0]));
	ks->n--;
	return 0;
}

/* ---- show ---- */

/* "14:02:11 UTC Dec 6 2026", as IOS prints the generation time. */
static void format_time(char *buf, size_t cap, uint64_t sec)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(buf, cap, "(unknown)");
		return;
	}
	snprintf(buf, cap, "%02d:%02d:%02d UTC %s %d %d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 mon[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
}

enum {
	KEY_DATA_GROUP = 4, /* bytes: 8 hex digits */
	KEY_DATA_LINE = 8,  /* groups a line */
};

/* Key Data: text lines of 8 groups of 8 hex digits; JSON one hex string. */
static void show_key_data(struct result_node *item, const struct dbuf *der)
{
	enum { LINE_BYTES = KEY_DATA_GROUP * KEY_DATA_LINE };
	struct dbuf hex = DBUF_INIT;
	if (dbuf_reserve(&hex, der->len * 2 + 1) == 0)
		for (size_t i = 0; i < der->len; i++)
			dbuf_printf(&hex, "%02X", der->p[i]);
	result_set_flags(result_kv_str(item, "Key Data", "%s", dbuf_str(&hex)), RESULT_JSON_ONLY);
	result_set_flags(result_set_indent(result_text(item, "Key Data:"), 1), RESULT_TEXT_ONLY);
	const char *h = dbuf_str(&hex);
	for (size_t off = 0; off < der->len; off += LINE_BYTES) {
		char line[LINE_BYTES * 2 + KEY_DATA_LINE + 1];
		size_t n = 0;
		for (size_t b = off; b < der->len && b < off + LINE_BYTES; b++) {
			if (b > off && (b - off) % KEY_DATA_GROUP == 0)
				line[n++] = ' ';
			line[n++] = h[2 * b];
			line[n++] = h[2 * b + 1];
		}
		line[n] = 0;
		result_set_indent(result_text(item, "%s", line), 2);
	}
	dbuf_free(&hex);
}

static void show_one(struct result_node *list, const struct daemon_keystore *ks,
		     const struct key_entry *e)
{
	struct result_node *item = result_item(list);
	char when[64];
	format_time(when, sizeof(when), e->generated_sec);
	result_text(item, "%% Key pair was generated at: %s", when);
	result_set_flags(result_kv_str(item, "Generated At", "%s", when), RESULT_JSON_ONLY);
	result_set_sep(result_kv_str(item, "Key name", "%s", e->label), ": ");
	result_set_sep(result_kv_str(item, "Key type", "RSA KEYS"), ": ");
	result_set_flags(result_kv_u64(item, "Modulus Bits", e->rsa.bits), RESULT_JSON_ONLY);
	result_set_indent(
	    result_set_sep(result_kv_str(item, "Storage Device", "%s", ks->dir), ": "), 1);
	result_set_indent(result_set_sep(result_kv_str(item, "Usage", "General Purpose Key"), ": "),
			  1);
	result_set_indent(result_text(item, "Key is %sexportable.", e->exportable ? "" : "not "),
			  1);
	result_set_flags(result_kv_bool(item, "Exportable", e->exportable, "yes", "no"),
			 RESULT_JSON_ONLY);
	struct dbuf der = DBUF_INIT;
	if (crypto_rsa_public_spki(&e->rsa, &der) == 0)
		show_key_data(item, &der);
	dbuf_free(&der);
}

int daemon_keystore_show(const struct daemon_keystore *ks, const char *label, struct result *r)
{
	struct result_node *list = result_list(result_root(r), "keys");
	for (size_t i = 0; ks && i < ks->n; i++)
		if (!label || !strcmp(label, ks->keys[i]->label))
			show_one(list, ks, ks->keys[i]);
	return result_error(r);
}
