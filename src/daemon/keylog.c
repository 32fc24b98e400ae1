#include "daemon/keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/file.h"
#include "diag/log.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/mem.h"

enum {
	SEEN_MAX = 64, /* cookies / SPIs remembered as written (a ring) */
	PATH_MAX_LEN = 4096,
};

struct daemon_keylog {
	struct diag *diag;
	char dir[PATH_MAX_LEN];
	uint8_t cookies[SEEN_MAX][IKE1_COOKIE_LEN];
	size_t n_cookies, next_cookie;
	uint32_t spis[SEEN_MAX];
	size_t n_spis, next_spi;
};

/* ---- formatting ---- */

int daemon_keylog_ike1_line(const uint8_t cky_i[static IKE1_COOKIE_LEN], const uint8_t *key,
			    size_t key_len, char *out, size_t cap)
{
	if (!key || !key_len)
		return ERR_INVAL;
	size_t need = 2 * IKE1_COOKIE_LEN + 1 + 2 * key_len;
	if (cap < need + 1)
		return ERR_NOSPACE;
	hex_encode(cky_i, IKE1_COOKIE_LEN, out, cap);
	out[2 * IKE1_COOKIE_LEN] = ',';
	hex_encode(key, key_len, out + 2 * IKE1_COOKIE_LEN + 1, cap - 2 * IKE1_COOKIE_LEN - 1);
	return (int)need;
}

/* Names as Wireshark's ESP SA table spells them (its value strings). */
const char *daemon_keylog_esp_encr_name(const struct gdoi_transform *xf)
{
	switch (xf->enc) {
	case GDOI_ENC_NULL:
		return "NULL";
	case GDOI_ENC_3DES:
		return "TripleDES-CBC [RFC2451]";
	case GDOI_ENC_AES_CBC:
		return "AES-CBC [RFC3602]";
	case GDOI_ENC_AES_GCM:
		return "AES-GCM with 16 octet ICV [RFC4106]";
	default:
		return NULL;
	}
}

const char *daemon_keylog_esp_auth_name(const struct gdoi_transform *xf)
{
	switch (xf->auth) {
	case GDOI_AUTH_NONE:
		return "NULL";
	case GDOI_AUTH_SHA1:
		return "HMAC-SHA-1-96 [RFC2404]";
	case GDOI_AUTH_SHA256:
		return "HMAC-SHA-256-128 [RFC4868]";
	case GDOI_AUTH_SHA384:
		return "HMAC-SHA-384-192 [RFC4868]";
	default:
		return NULL;
	}
}

/* "0x<hex>" of a key, or "" when there is none. */
static void key_field(const uint8_t *key, size_t len, char out[static 2 + 2 * 64 + 1])
{
	out[0] = 0;
	if (!len)
		return;
	out[0] = '0';
	out[1] = 'x';
	hex_encode(key, len, out + 2, 2 * 64 + 1);
}

int daemon_keylog_esp_line(const struct gdoi_tek *tek, char *out, size_t cap)
{
	const char *encr = daemon_keylog_esp_encr_name(&tek->xf);
	const char *auth = daemon_keylog_esp_auth_name(&tek->xf);
	if (!encr || !auth)
		return ERR_UNSUPP;
	if (!tek->has_keys)
		return ERR_INVAL;
	size_t enc_len = gdoi_transform_enc_len(&tek->xf);
	size_t auth_len = gdoi_transform_auth_len(&tek->xf);
	if (enc_len > sizeof(tek->enc_key) || auth_len > sizeof(tek->auth_key))
		return ERR_UNSUPP;
	char ek[2 + 2 * 64 + 1], ak[2 + 2 * 64 + 1];
	key_field(tek->enc_key, enc_len, ek);
	key_field(tek->auth_key, auth_len, ak);
	int n = snprintf(out, cap, "\"IPv4\",\"*\",\"*\",\"0x%08x\",\"%s\",\"%s\",\"%s\",\"%s\"",
			 (unsigned)tek->spi, encr, ek, auth, ak);
	mem_wipe(ek, sizeof(ek));
	mem_wipe(ak, sizeof(ak));
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			mem_wipe(out, cap);
		return ERR_NOSPACE;
	}
	return n;
}

/* ---- writing ---- */

int daemon_keylog_append(const char *dir, const char *name, const char *line, size_t len)
{
	char path[PATH_MAX_LEN];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return ERR_INVAL;
	}
	int rc = daemon_dir_ensure(dir);
	if (rc)
		return rc;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ERR_IO;
	struct stat st;
	/* an older file someone made readable is put back to 0600 */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || ((st.st_mode & 077) && fchmod(fd, 0600))) {
		int e = S_ISREG(st.st_mode) ? errno : EINVAL;
		close(fd);
		errno = e;
		return ERR_IO;
	}
	/* one write of the line and its newline: appends never interleave */
	char buf[DAEMON_KEYLOG_LINE_MAX + 1];
	rc = 0;
	if (len > DAEMON_KEYLOG_LINE_MAX) {
		errno = EINVAL;
		rc = ERR_INVAL;
	} else {
		memcpy(buf, line, len);
		buf[len] = '\n';
		ssize_t w = write(fd, buf, len + 1);
		if (w != (ssize_t)(len + 1))
			rc = ERR_IO;
		mem_wipe(buf, sizeof(buf));
	}
	int e = errno;
	if (close(fd) && !rc)
		rc = ERR_IO;
	errno = e;
	return rc;
}

int daemon_keylog_new(const char *state_dir, struct diag *diag, struct daemon_keylog **out)
{
	*out = NULL;
	struct daemon_keylog *kl = calloc(1, sizeof(*kl));
	if (!kl)
		return ERR_NOMEM;
	int n = snprintf(kl->dir, sizeof(kl->dir), "%s/%s", state_dir, DAEMON_KEYLOG_DIR);
	if (n < 0 || (size_t)n >= sizeof(kl->dir)) {
		free(kl);
		return ERR_INVAL;
	}
	kl->diag = diag;
	*out = kl;
	return 0;
}

void daemon_keylog_free(struct daemon_keylog *kl)
{
	free(kl);
}

static bool cookie_seen(const struct daemon_keylog *kl, const uint8_t *cky)
{
	for (size_t i = 0; i < kl->n_cookies; i++)
		if (!memcmp(kl->cookies[i], cky, IKE1_COOKIE_LEN))
			return true;
	return false;
}

static bool spi_seen(const struct daemon_keylog *kl, uint32_t spi)
{
	for (size_t i = 0; i < kl->n_spis; i++)
		if (kl->spis[i] == spi)
			return true;
	return false;
}

void daemon_keylog_ike1(void *arg, const struct ike1_keylog *k)
{
	struct daemon_keylog *kl = arg;
	struct diag *d = kl->diag;
	if (!d || !diag_debug_isakmp_on(d, DIAG_IKE_KEYS, NULL, k->peer.ip4))
		return;
	if (cookie_seen(kl, k->cky_i))
		return;
	char cky[2 * IKE1_COOKIE_LEN + 1];
	hex_encode(k->cky_i, IKE1_COOKIE_LEN, cky, sizeof(cky));
	char line[DAEMON_KEYLOG_LINE_MAX];
	int n = daemon_keylog_ike1_line(k->cky_i, k->key, k->key_len, line, sizeof(line));
	int rc = n < 0 ? n : daemon_keylog_append(kl->dir, DAEMON_KEYLOG_IKEV1, line, (size_t)n);
	mem_wipe(line, sizeof(line));
	if (rc) {
		diag_debug_isakmp_emit(d, DIAG_IKE_KEYS, k->conn_id,
				       "cannot write the key of SA %s to %s/%s: %s", cky, kl->dir,
				       DAEMON_KEYLOG_IKEV1, err_name(rc));
		return;
	}
	memcpy(kl->cookies[kl->next_cookie], k->cky_i, IKE1_COOKIE_LEN);
	kl->next_cookie = (kl->next_cookie + 1) % SEEN_MAX;
	kl->n_cookies += kl->n_cookies < SEEN_MAX;
	diag_debug_isakmp_emit(d, DIAG_IKE_KEYS, k->conn_id, "key of SA %s written to %s/%s", cky,
			       kl->dir, DAEMON_KEYLOG_IKEV1);
}

static void keylog_tek(struct daemon_keylog *kl, const char *group, const struct gdoi_tek *t)
{
	struct diag *d = kl->diag;
	char line[DAEMON_KEYLOG_LINE_MAX];
	int n = daemon_keylog_esp_line(t, line, sizeof(line));
	int rc = n < 0 ? n : daemon_keylog_append(kl->dir, DAEMON_KEYLOG_ESP, line, (size_t)n);
	mem_wipe(line, sizeof(line));
	if (rc) {
		diag_debug_ipsec_emit(d, DIAG_IPSEC_KEYS, 0,
				      "cannot write TEK SPI 0x%08X of group %s to %s/%s: %s",
				      (unsigned)t->spi, group ? group : "-", kl->dir,
				      DAEMON_KEYLOG_ESP, err_name(rc));
		return;
	}
	kl->spis[kl->next_spi] = t->spi;
	kl->next_spi = (kl->next_spi + 1) % SEEN_MAX;
	kl->n_spis += kl->n_spis < SEEN_MAX;
	diag_debug_ipsec_emit(d, DIAG_IPSEC_KEYS, 0, "TEK SPI 0x%08X of group %s written to %s/%s",
			      (unsigned)t->spi, group ? group : "-", kl->dir, DAEMON_KEYLOG_ESP);
}

void daemon_keylog_policy(struct daemon_keylog *kl, const char *group, uint32_t peer,
			  const struct gdoi_policy *p)
{
	struct diag *d = kl ? kl->diag : NULL;
	if (!d || !p || !diag_debug_ipsec_on(d, DIAG_IPSEC_KEYS, group, peer))
		return;
	for (size_t i = 0; i < p->n_teks; i++) {
		const struct gdoi_tek *t = &p->tek[i];
		if (t->has_keys && !spi_seen(kl, t->spi))
			keylog_tek(kl, group, t);
	}
}
