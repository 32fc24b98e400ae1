/*
 * The configuration parser (conf/parse.h).
 *
 * The text is cut into lines through a struct buf_cursor and each line
 * into words (pointer and length into the text; nothing is read past
 * len). A line is handled by the command table of the current submode;
 * when its first words are not a command of that submode, the parent
 * submodes are tried in turn, as IOS does, and a command of a parent
 * leaves the inner submodes. A command whose arguments are wrong still
 * enters its submode, with a scratch item that is thrown away, so the
 * lines under it do not each give an error of their own.
 */
#include "conf/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/names.h"
#include "util/buf.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "util/mem.h"

enum {
	LINE_MAX_BYTES = 4096,
	WORDS_MAX = 40,
	QUOTE_MAX = 64, /* a quoted word longer than this is cut with "..." */
	DEPTH_MAX = 4,
};

enum mode {
	M_TOP,
	M_ISAKMP,
	M_TS,
	M_PROFILE,
	M_ACL_EXT,
	M_ACL_STD,
	M_GROUP,
	M_SERVER,
	M_SA,
	M_REDUND,
	M_MAP,
	M_FAILCLOSE,
	M_IF,
};

/* Keywords of each mode, for "unknown command" messages. */
static const char *const mode_words[] = {
    [M_TOP] = "hostname, logging, crypto, ip, interface or end",
    [M_ISAKMP] = "encryption, hash, authentication, group or lifetime",
    [M_TS] = "mode",
    [M_PROFILE] = "set",
    [M_ACL_EXT] = "permit or deny",
    [M_ACL_STD] = "permit or deny",
    [M_GROUP] = "identity, server or client",
    [M_SERVER] = "rekey, authorization, sa, address or redundancy",
    [M_SA] = "profile, match, replay or no replay",
    [M_REDUND] = "local or peer",
    [M_MAP] = "set or match",
    [M_FAILCLOSE] = "activate or match",
    [M_IF] = "crypto map or ip tcp adjust-mss",
};

struct word {
	const char *p;
	size_t len;
};

struct line {
	uint32_t no;
	size_t n;
	struct word w[WORDS_MAX];
};

struct ps {
	struct conf_config *c;
	struct dbuf *err;
	const char *file;
	size_t n_errors;
	bool syntax; /* a line did not parse */
	bool inval;  /* a check across commands failed */
	bool nomem;
	size_t secret_word; /* 1 + index of a word never quoted (a key); 0: none */

	/* Messages of the checks across commands, sorted by line before output. */
	struct dbuf chk_text;
	struct chk {
		uint32_t line;
		size_t off, len;
	} chk[CONF_ERRORS_MAX];
	size_t n_chk;

	enum mode stack[DEPTH_MAX];
	size_t depth; /* stack[depth] is the current mode */

	/* The items the submodes work on (possibly the scratch ones below). */
	struct conf_isakmp_policy *policy;
	struct conf_transform_set *ts;
	struct conf_profile *profile;
	struct conf_acl *acl;
	struct conf_gdoi_group *group;
	struct conf_gdoi_sa *sa;
	struct conf_crypto_map *map;
	struct conf_fail_close *fc;
	struct conf_interface *iface;

	struct conf_isakmp_policy s_policy;
	struct conf_transform_set s_ts;
	struct conf_profile s_profile;
	struct conf_acl s_acl;
	struct conf_gdoi_group s_group;
	struct conf_gdoi_sa s_sa;
	struct conf_crypto_map s_map;
	struct conf_fail_close s_fc;
	struct conf_interface s_if;
};

/* ---- messages ---- */

static void put_word(struct dbuf *d, const struct word *w)
{
	if (w->len > QUOTE_MAX)
		dbuf_printf(d, "%.*s...", QUOTE_MAX, w->p);
	else
		dbuf_printf(d, "%.*s", (int)w->len, w->p);
}

/* Start an error line; false when no more are written (the count goes on). */
static bool err_begin(struct ps *ps, uint32_t line)
{
	ps->n_errors++;
	if (!ps->err || ps->n_errors > CONF_ERRORS_MAX)
		return false;
	dbuf_printf(ps->err, "%s:%u: ", ps->file, line);
	return true;
}

static void err_end(struct ps *ps)
{
	if (dbuf_putc(ps->err, '\n'))
		ps->nomem = true;
}

__attribute__((format(printf, 3, 4))) static void errorf(struct ps *ps, uint32_t line,
							 const char *fmt, ...)
{
	if (!err_begin(ps, line))
		return;
	va_list ap;
	va_start(ap, fmt);
	dbuf_vprintf(ps->err, fmt, ap);
	va_end(ap);
	err_end(ps);
}

/*
 * "'W[from] ... W[to]': TEXT" for words from..to of l (to < n), the
 * syntax error of a line.
 */
__attribute__((format(printf, 5, 6))) static void
syntax_at(struct ps *ps, const struct line *l, size_t from, size_t to, const char *fmt, ...)
{
	ps->syntax = true;
	if (!err_begin(ps, l->no))
		return;
	dbuf_putc(ps->err, '\'');
	for (size_t i = from; i <= to && i < l->n; i++) {
		if (i > from)
			dbuf_putc(ps->err, ' ');
		if (i + 1 == ps->secret_word)
			dbuf_printf(ps->err, "<key>");
		else
			put_word(ps->err, &l->w[i]);
	}
	dbuf_printf(ps->err, "': ");
	va_list ap;
	va_start(ap, fmt);
	dbuf_vprintf(ps->err, fmt, ap);
	va_end(ap);
	err_end(ps);
}

/* ---- word cursor: each step checks one word, the first failure is reported ---- */

struct cur {
	struct ps *ps;
	const struct line *l;
	size_t i;
	bool bad;
};

static void cur_fail(struct cur *c, const char *expected)
{
	if (c->bad)
		return;
	c->bad = true;
	const struct line *l = c->l;
	if (c->i < l->n)
		syntax_at(c->ps, l, c->i ? c->i - 1 : 0, c->i, "expected %s", expected);
	else
		syntax_at(c->ps, l, l->n - 1, l->n - 1, "incomplete command, expected %s after it",
			  expected);
}

static bool word_is(const struct word *w, const char *s)
{
	size_t n = strlen(s);
	return w->len == n && !memcmp(w->p, s, n);
}

static const struct word *peek(const struct cur *c)
{
	return !c->bad && c->i < c->l->n ? &c->l->w[c->i] : NULL;
}

/* Consume keyword s if it is next. */
static bool accept(struct cur *c, const char *s)
{
	const struct word *w = peek(c);
	if (w && word_is(w, s)) {
		c->i++;
		return true;
	}
	return false;
}

/* Keyword s must come next. */
static bool expect(struct cur *c, const char *s)
{
	if (accept(c, s))
		return true;
	char text[80];
	snprintf(text, sizeof(text), "'%s'", s);
	cur_fail(c, text);
	return false;
}

static bool at_end(const struct cur *c)
{
	return !c->bad && c->i == c->l->n;
}

/* The line must end here. */
static bool eol(struct cur *c)
{
	if (c->bad)
		return false;
	if (c->i == c->l->n)
		return true;
	cur_fail(c, "end of line");
	return false;
}

static bool parse_u32(const struct word *w, uint32_t *out)
{
	if (w->len == 0 || w->len > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < w->len; i++) {
		if (w->p[i] < '0' || w->p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(w->p[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A decimal number in [min, max]. */
static bool num(struct cur *c, uint32_t min, uint32_t max, uint32_t *out)
{
	const struct word *w = peek(c);
	uint32_t v;
	if (w && parse_u32(w, &v) && v >= min && v <= max) {
		*out = v;
		c->i++;
		return true;
	}
	char text[80];
	snprintf(text, sizeof(text), "a number from %u to %u", min, max);
	cur_fail(c, text);
	return false;
}

static bool parse_ip(const struct word *w, uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part) {
			if (i >= w->len || w->p[i] != '.')
				return false;
			i++;
		}
		size_t start = i;
		uint32_t octet = 0;
		while (i < w->len && w->p[i] >= '0' && w->p[i] <= '9' && i - start < 3)
			octet = octet * 10 + (uint32_t)(w->p[i++] - '0');
		if (i == start || octet > 255)
			return false;
		v = v << 8 | octet;
	}
	if (i != w->len)
		return false;
	*out = v;
	return true;
}

static bool ip(struct cur *c, const char *what, uint32_t *out)
{
	const struct word *w = peek(c);
	if (w && parse_ip(w, out)) {
		c->i++;
		return true;
	}
	cur_fail(c, what);
	return false;
}

/* A name of at most cap - 1 characters, copied with its NUL. */
static bool name(struct cur *c, const char *what, char *dst, size_t cap)
{
	const struct word *w = peek(c);
	if (w && w->len < cap) {
		memcpy(dst, w->p, w->len);
		dst[w->len] = '\0';
		c->i++;
		return true;
	}
	char text[96];
	snprintf(text, sizeof(text), "%s of at most %zu characters", what, cap - 1);
	cur_fail(c, text);
	return false;
}

static bool ref(struct cur *c, const char *what, struct conf_ref *r)
{
	char tmp[CONF_NAME_MAX];
	if (!name(c, what, tmp, sizeof(tmp)))
		return false;
	memcpy(r->name, tmp, sizeof(tmp));
	r->line = c->l->no;
	return true;
}

static bool choice(struct cur *c, const struct conf_names_kv *t, size_t n, const char *expected,
		   uint32_t *out)
{
	const struct word *w = peek(c);
	for (size_t i = 0; w && i < n; i++)
		if (word_is(w, t[i].word)) {
			*out = t[i].value;
			c->i++;
			return true;
		}
	cur_fail(c, expected);
	return false;
}

/* ---- modes ---- */

static void push(struct ps *ps, enum mode m)
{
	if (ps->depth + 1 < DEPTH_MAX)
		ps->stack[++ps->depth] = m;
}

enum { MINE = 0, NOT_MINE = 1 };

static bool dup_name(struct ps *ps, const struct line *l, size_t i, uint32_t first_line,
		     const char *what)
{
	syntax_at(ps, l, 0, i, "duplicate %s (first defined at line %u)", what, first_line);
	return true;
}

static bool over_limit(struct ps *ps, const struct line *l, size_t last, const char *what,
		       unsigned max)
{
	syntax_at(ps, l, 0, last, "too many %s (at most %u)", what, max);
	return true;
}

/* ---- top level ---- */

static void policy_defaults(struct conf_isakmp_policy *p)
{
	p->enc = CONF_IKE_ENC_AES;
	p->key_bits = 128;
	p->hash = CONF_HASH_SHA1;
	p->auth = CONF_IKE_AUTH_PSK;
	p->dh_group = 14;
	p->lifetime_sec = 86400;
}

static void top_isakmp_policy(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	uint32_t prio = 0;
	ps->policy = &ps->s_policy;
	memset(ps->policy, 0, sizeof(*ps->policy));
	policy_defaults(ps->policy);
	if (num(c, 1, 10000, &prio) && eol(c)) {
		for (size_t i = 0; i < cf->n_isakmp_policies; i++)
			if (cf->isakmp_policies[i].priority == prio) {
				dup_name(ps, c->l, 3, cf->isakmp_policies[i].line,
					 "crypto isakmp policy");
				goto enter;
			}
		if (cf->n_isakmp_policies == CONF_ISAKMP_POLICIES_MAX) {
			over_limit(ps, c->l, 3, "isakmp policies", CONF_ISAKMP_POLICIES_MAX);
			goto enter;
		}
		ps->policy = &cf->isakmp_policies[cf->n_isakmp_policies++];
		policy_defaults(ps->policy);
		ps->policy->priority = (uint16_t)prio;
		ps->policy->line = c->l->no;
	}
enter:
	push(ps, M_ISAKMP);
}

static bool netmask_ok(uint32_t m)
{
	uint32_t inv = ~m;
	return (inv & (inv + 1)) == 0;
}

static void top_isakmp_key(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	struct conf_isakmp_key k = {.line = c->l->no, .mask = UINT32_MAX};
	/* IOS `key 0 KEY`: type 0 = clear text; type 6 (encrypted) is not supported. */
	if (c->i + 1 < c->l->n && !word_is(&c->l->w[c->i + 1], "address")) {
		if (word_is(&c->l->w[c->i], "6")) {
			cur_fail(c,
				 "a key or 0 and a key (type 6 encrypted keys are not supported)");
			return;
		}
		accept(c, "0");
	}
	ps->secret_word = c->i + 1; /* messages show <key> */
	if (!name(c, "a key", k.key, sizeof(k.key)) || !expect(c, "address") ||
	    !ip(c, "an IPv4 address", &k.addr))
		goto out;
	if (at_end(c) && k.addr == 0) {
		k.mask = 0; /* IOS shows `address 0.0.0.0 0.0.0.0` (any peer) so */
	} else if (!at_end(c)) {
		const struct word *w = peek(c);
		uint32_t m;
		if (w && parse_ip(w, &m) && netmask_ok(m)) {
			k.mask = m;
			c->i++;
		} else {
			cur_fail(c, "a netmask or end of line");
			goto out;
		}
	}
	if (!eol(c))
		goto out;
	k.addr &= k.mask;
	for (size_t i = 0; i < cf->n_isakmp_keys; i++) {
		const struct conf_isakmp_key *o = &cf->isakmp_keys[i];
		if (o->addr == k.addr && o->mask == k.mask) {
			dup_name(ps, c->l, c->l->n - 1, o->line, "key for this address");
			goto out;
		}
	}
	if (cf->n_isakmp_keys == CONF_ISAKMP_KEYS_MAX) {
		over_limit(ps, c->l, 2, "isakmp keys", CONF_ISAKMP_KEYS_MAX);
		goto out;
	}
	cf->isakmp_keys[cf->n_isakmp_keys++] = k;
out:
	mem_wipe(&k, sizeof(k));
}

static const struct conf_names_kv esp_auth_words[] = {
    {"esp-sha-hmac", CONF_ESP_AUTH_SHA1},
    {"esp-sha256-hmac", CONF_ESP_AUTH_SHA256},
    {"esp-sha384-hmac", CONF_ESP_AUTH_SHA384},
};

/* The transforms after the set's name, in either order. */
static bool transforms(struct cur *c, struct conf_transform_set *t)
{
	static const struct conf_names_kv aes_bits[] = {{"128", 128}, {"192", 192}, {"256", 256}};
	static const struct conf_names_kv gcm_bits[] = {{"128", 128}, {"256", 256}};
	static const char enc_list[] = "esp-aes, esp-gcm, esp-3des or esp-null";
	static const char auth_list[] = "esp-sha-hmac, esp-sha256-hmac or esp-sha384-hmac";
	bool has_enc = false, has_auth = false;
	size_t auth_at = 0;
	while (!c->bad && c->i < c->l->n) {
		const struct word *w = peek(c);
		uint32_t v;
		bool is_enc = word_is(w, "esp-aes") || word_is(w, "esp-gcm") ||
			      word_is(w, "esp-3des") || word_is(w, "esp-null");
		if (is_enc && has_enc) {
			cur_fail(c, has_auth ? "end of line" : auth_list);
			return false;
		}
		if (accept(c, "esp-aes") || accept(c, "esp-gcm")) {
			bool gcm = word_is(&c->l->w[c->i - 1], "esp-gcm");
			t->enc = gcm ? CONF_ESP_GCM : CONF_ESP_AES;
			t->key_bits = 128;
			const struct word *b = peek(c);
			if (b && b->len && b->p[0] >= '0' && b->p[0] <= '9') {
				if (gcm ? !choice(c, gcm_bits, 2, "128 or 256", &v)
					: !choice(c, aes_bits, 3, "128, 192 or 256", &v))
					return false;
				t->key_bits = (uint16_t)v;
			}
			has_enc = true;
		} else if (accept(c, "esp-3des")) {
			t->enc = CONF_ESP_3DES;
			t->key_bits = 192;
			has_enc = true;
		} else if (accept(c, "esp-null")) {
			t->enc = CONF_ESP_NULL;
			t->key_bits = 0;
			has_enc = true;
		} else if (!has_auth) {
			char text[128];
			snprintf(text, sizeof(text), "%s%s%s", has_enc ? "" : enc_list,
				 has_enc ? "" : ", or ", auth_list);
			if (!choice(c, esp_auth_words, ARRAY_SIZE(esp_auth_words), text, &v))
				return false;
			t->auth = (uint8_t)v;
			has_auth = true;
			auth_at = c->i - 1;
		} else {
			cur_fail(c, has_enc ? "end of line" : enc_list);
			return false;
		}
	}
	if (c->bad)
		return false;
	if (!has_enc) {
		cur_fail(c, enc_list);
		return false;
	}
	if (t->enc == CONF_ESP_GCM && has_auth) {
		syntax_at(c->ps, c->l, auth_at, auth_at,
			  "expected no HMAC with esp-gcm (GCM authenticates itself)");
		c->bad = true;
		return false;
	}
	if (t->enc == CONF_ESP_NULL && !has_auth) {
		cur_fail(c, auth_list);
		return false;
	}
	return true;
}

static void top_transform_set(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	ps->ts = &ps->s_ts;
	memset(ps->ts, 0, sizeof(*ps->ts));
	struct conf_transform_set t = {.line = c->l->no};
	if (!name(c, "a transform-set name", t.name, sizeof(t.name)) || !transforms(c, &t))
		goto enter;
	const struct conf_transform_set *o = conf_find_transform_set(cf, t.name);
	if (o) {
		dup_name(ps, c->l, 3, o->line, "transform-set");
		goto enter;
	}
	if (cf->n_transform_sets == CONF_TRANSFORM_SETS_MAX) {
		over_limit(ps, c->l, 3, "transform-sets", CONF_TRANSFORM_SETS_MAX);
		goto enter;
	}
	ps->ts = &cf->transform_sets[cf->n_transform_sets++];
	*ps->ts = t;
enter:
	push(ps, M_TS);
}

static void top_profile(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	ps->profile = &ps->s_profile;
	memset(ps->profile, 0, sizeof(*ps->profile));
	char nm[CONF_NAME_MAX];
	if (!name(c, "a profile name", nm, sizeof(nm)) || !eol(c))
		goto enter;
	const struct conf_profile *o = conf_find_profile(cf, nm);
	if (o) {
		dup_name(ps, c->l, 3, o->line, "crypto ipsec profile");
		goto enter;
	}
	if (cf->n_profiles == CONF_PROFILES_MAX) {
		over_limit(ps, c->l, 3, "IPsec profiles", CONF_PROFILES_MAX);
		goto enter;
	}
	ps->profile = &cf->profiles[cf->n_profiles++];
	memcpy(ps->profile->name, nm, sizeof(nm));
	ps->profile->line = c->l->no;
	ps->profile->life_sec = 3600;
enter:
	push(ps, M_PROFILE);
}

static void top_acl(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	static const struct conf_names_kv kinds[] = {{"extended", 0}, {"standard", 1}};
	uint32_t std = 0;
	char nm[CONF_NAME_MAX];
	ps->acl = &ps->s_acl;
	memset(ps->acl, 0, sizeof(*ps->acl));
	if (!choice(c, kinds, 2, "extended or standard", &std)) {
		/* no idea which: the lines under it would each be an error */
		ps->acl->standard = false;
		goto enter;
	}
	ps->acl->standard = std;
	if (!name(c, "an access list name", nm, sizeof(nm)) || !eol(c))
		goto enter;
	const struct conf_acl *o = conf_find_acl(cf, nm);
	if (o) {
		dup_name(ps, c->l, 3, o->line, "access list");
		goto enter;
	}
	if (cf->n_acls == CONF_ACLS_MAX) {
		over_limit(ps, c->l, 3, "access lists", CONF_ACLS_MAX);
		goto enter;
	}
	ps->acl = &cf->acls[cf->n_acls++];
	memcpy(ps->acl->name, nm, sizeof(nm));
	ps->acl->standard = std;
	ps->acl->line = c->l->no;
enter:
	push(ps, ps->acl->standard ? M_ACL_STD : M_ACL_EXT);
}

static void top_group(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	char nm[CONF_NAME_MAX];
	ps->group = &ps->s_group;
	memset(ps->group, 0, sizeof(*ps->group));
	if (word_is(&c->l->w[c->i < c->l->n ? c->i : 0], "ipv6")) {
		cur_fail(c, "a group name (IPv6 groups are not supported)");
		goto enter;
	}
	if (!name(c, "a group name", nm, sizeof(nm)) || !eol(c))
		goto enter;
	const struct conf_gdoi_group *o = conf_find_group(cf, nm);
	if (o) {
		dup_name(ps, c->l, 3, o->line, "crypto gdoi group");
		goto enter;
	}
	if (cf->n_groups == CONF_GROUPS_MAX) {
		over_limit(ps, c->l, 3, "GDOI groups", CONF_GROUPS_MAX);
		goto enter;
	}
	ps->group = &cf->groups[cf->n_groups++];
	memcpy(ps->group->name, nm, sizeof(nm));
	ps->group->line = c->l->no;
enter:
	push(ps, M_GROUP);
}

static void top_map(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	char nm[CONF_NAME_MAX];
	uint32_t seq = 0;
	ps->map = &ps->s_map;
	memset(ps->map, 0, sizeof(*ps->map));
	if (!name(c, "a crypto map name", nm, sizeof(nm)))
		goto enter_map;
	if (accept(c, "gdoi")) {
		/* crypto map NAME gdoi fail-close */
		ps->fc = &ps->s_fc;
		memset(ps->fc, 0, sizeof(*ps->fc));
		if (!expect(c, "fail-close") || !eol(c))
			goto enter_fc;
		const struct conf_fail_close *o = conf_find_fail_close(cf, nm);
		if (o) {
			dup_name(ps, c->l, 4, o->line, "crypto map fail-close");
			goto enter_fc;
		}
		if (cf->n_fail_closes == CONF_CRYPTO_MAPS_MAX) {
			over_limit(ps, c->l, 4, "fail-close blocks", CONF_CRYPTO_MAPS_MAX);
			goto enter_fc;
		}
		ps->fc = &cf->fail_closes[cf->n_fail_closes++];
		memcpy(ps->fc->map, nm, sizeof(nm));
		ps->fc->line = c->l->no;
	enter_fc:
		push(ps, M_FAILCLOSE);
		return;
	}
	if (!num(c, 1, 65535, &seq))
		goto enter_map;
	if (!accept(c, "gdoi")) {
		cur_fail(c, "gdoi (the only crypto map type)");
		goto enter_map;
	}
	if (!eol(c))
		goto enter_map;
	for (size_t i = 0; i < cf->n_crypto_maps; i++) {
		const struct conf_crypto_map *o = &cf->crypto_maps[i];
		if (o->seq == seq && !strcmp(o->name, nm)) {
			dup_name(ps, c->l, 3, o->line, "crypto map entry");
			goto enter_map;
		}
	}
	if (cf->n_crypto_maps == CONF_CRYPTO_MAPS_MAX) {
		over_limit(ps, c->l, 3, "crypto map entries", CONF_CRYPTO_MAPS_MAX);
		goto enter_map;
	}
	ps->map = &cf->crypto_maps[cf->n_crypto_maps++];
	memcpy(ps->map->name, nm, sizeof(nm));
	ps->map->seq = (uint16_t)seq;
	ps->map->line = c->l->no;
enter_map:
	push(ps, M_MAP);
}

static void top_interface(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	char nm[CONF_IFNAME_MAX];
	ps->iface = &ps->s_if;
	memset(ps->iface, 0, sizeof(*ps->iface));
	if (!name(c, "an interface name", nm, sizeof(nm)) || !eol(c))
		goto enter;
	for (size_t i = 0; i < cf->n_interfaces; i++)
		if (!strcmp(cf->interfaces[i].name, nm)) {
			dup_name(ps, c->l, 1, cf->interfaces[i].line, "interface");
			goto enter;
		}
	if (cf->n_interfaces == CONF_INTERFACES_MAX) {
		over_limit(ps, c->l, 1, "interfaces", CONF_INTERFACES_MAX);
		goto enter;
	}
	ps->iface = &cf->interfaces[cf->n_interfaces++];
	memcpy(ps->iface->name, nm, sizeof(nm));
	ps->iface->line = c->l->no;
enter:
	push(ps, M_IF);
}

/* `crypto gdoi phase1-doi ipsec|gdoi`; the last one counts */
static void top_phase1_doi(struct ps *ps, struct cur *c)
{
	static const struct conf_names_kv t[] = {{"ipsec", 1}, {"gdoi", 0}};
	uint32_t v;
	if (choice(c, t, 2, "ipsec or gdoi", &v) && eol(c)) {
		ps->c->phase1_doi_ipsec = v == 1;
		ps->c->phase1_doi_line = c->l->no;
	}
}

static int mode_top(struct ps *ps, struct cur *c)
{
	struct conf_config *cf = ps->c;
	if (accept(c, "hostname")) {
		char nm[CONF_HOSTNAME_MAX];
		if (name(c, "a host name", nm, sizeof(nm)) && eol(c)) {
			memcpy(cf->hostname, nm, sizeof(nm));
			cf->hostname_line = c->l->no;
		}
	} else if (accept(c, "logging")) {
		uint32_t v;
		if (expect(c, "buffered") && num(c, 4096, 2147483647, &v) && eol(c)) {
			cf->log_buffered_bytes = v;
			cf->log_buffered_line = c->l->no;
		}
	} else if (accept(c, "crypto")) {
		if (accept(c, "isakmp")) {
			if (accept(c, "policy"))
				top_isakmp_policy(ps, c);
			else if (accept(c, "key"))
				top_isakmp_key(ps, c);
			else
				cur_fail(c, "policy or key");
		} else if (accept(c, "ipsec")) {
			if (accept(c, "transform-set")) {
				top_transform_set(ps, c);
			} else if (accept(c, "profile")) {
				top_profile(ps, c);
			} else if (accept(c, "df-bit")) {
				if (expect(c, "clear") && eol(c)) {
					cf->df_bit_clear = true;
					cf->df_bit_line = c->l->no;
				}
			} else {
				cur_fail(c, "transform-set, profile or df-bit");
			}
		} else if (accept(c, "gdoi")) {
			if (accept(c, "group"))
				top_group(ps, c);
			else if (accept(c, "phase1-doi"))
				top_phase1_doi(ps, c);
			else
				cur_fail(c, "group or phase1-doi");
		} else if (accept(c, "map")) {
			top_map(ps, c);
		} else {
			cur_fail(c, "isakmp, ipsec, gdoi or map");
		}
	} else if (accept(c, "ip")) {
		if (expect(c, "access-list"))
			top_acl(ps, c);
	} else if (accept(c, "interface")) {
		top_interface(ps, c);
	} else {
		return NOT_MINE;
	}
	return MINE;
}

/* ---- crypto isakmp policy ---- */

static int mode_isakmp(struct ps *ps, struct cur *c)
{
	struct conf_isakmp_policy *p = ps->policy;
	uint32_t v;
	if (accept(c, "encryption") || accept(c, "encr")) { /* IOS prints `encr` */
		static const struct conf_names_kv bits[] = {
		    {"128", 128}, {"192", 192}, {"256", 256}};
		if (accept(c, "aes")) {
			uint32_t b = 128;
			if (!at_end(c) && !choice(c, bits, 3, "128, 192 or 256", &b))
				return MINE;
			if (eol(c)) {
				p->enc = CONF_IKE_ENC_AES;
				p->key_bits = (uint16_t)b;
			}
		} else if (accept(c, "3des")) {
			if (eol(c)) {
				p->enc = CONF_IKE_ENC_3DES;
				p->key_bits = 192;
			}
		} else {
			cur_fail(c, "aes or 3des");
		}
	} else if (accept(c, "hash")) {
		static const struct conf_names_kv t[] = {{"sha", CONF_HASH_SHA1},
							 {"sha256", CONF_HASH_SHA256},
							 {"sha384", CONF_HASH_SHA384}};
		if (choice(c, t, 3, "sha, sha256 or sha384", &v) && eol(c))
			p->hash = (uint8_t)v;
	} else if (accept(c, "authentication")) {
		if (expect(c, "pre-share") && eol(c))
			p->auth = CONF_IKE_AUTH_PSK;
	} else if (accept(c, "group")) {
		static const struct conf_names_kv t[] = {{"2", 2},   {"14", 14}, {"15", 15},
							 {"16", 16}, {"19", 19}, {"20", 20},
							 {"21", 21}};
		if (choice(c, t, ARRAY_SIZE(t), "2, 14, 15, 16, 19, 20 or 21", &v) && eol(c))
			p->dh_group = (uint8_t)v;
	} else if (accept(c, "lifetime")) {
		if (num(c, 60, 86400, &v) && eol(c))
			p->lifetime_sec = v;
	} else {
		return NOT_MINE;
	}
	return MINE;
}

/* ---- crypto ipsec transform-set / profile ---- */

static int mode_ts(struct ps *ps, struct cur *c)
{
	(void)ps;
	if (!accept(c, "mode"))
		return NOT_MINE;
	/* Group SAs are tunnel mode (with address preservation); nothing to store. */
	if (expect(c, "tunnel"))
		eol(c);
	return MINE;
}

static int mode_profile(struct ps *ps, struct cur *c)
{
	struct conf_profile *p = ps->profile;
	if (!accept(c, "set"))
		return NOT_MINE;
	if (accept(c, "transform-set")) {
		struct conf_ref sets[CONF_PROFILE_SETS_MAX];
		size_t n = 0;
		do {
			if (n == CONF_PROFILE_SETS_MAX) {
				cur_fail(c, "end of line (at most 6 transform-sets)");
				return MINE;
			}
			if (!ref(c, "a transform-set name", &sets[n++]))
				return MINE;
		} while (!at_end(c));
		memcpy(p->sets, sets, n * sizeof(sets[0]));
		p->n_sets = n;
	} else if (accept(c, "security-association")) {
		uint32_t v;
		if (expect(c, "lifetime") && expect(c, "seconds") && num(c, 120, 2592000, &v) &&
		    eol(c))
			p->life_sec = v;
	} else {
		cur_fail(c, "transform-set or security-association");
	}
	return MINE;
}

/* ---- ip access-list ---- */

static bool port(struct cur *c, uint16_t *out)
{
	const struct word *w = peek(c);
	uint32_t v;
	if (w && parse_u32(w, &v) && v <= 65535) {
		*out = (uint16_t)v;
		c->i++;
		return true;
	}
	for (size_t i = 0; w && i < conf_names_n_port; i++)
		if (word_is(w, conf_names_port[i].word)) {
			*out = (uint16_t)conf_names_port[i].value;
			c->i++;
			return true;
		}
	cur_fail(c, "a port number from 0 to 65535");
	return false;
}

/* [eq|neq|lt|gt P | range A B]; only tcp and udp. */
static bool ports(struct cur *c, uint8_t proto, struct conf_ports *p)
{
	static const struct conf_names_kv ops[] = {{"eq", CONF_PORT_EQ},
						   {"neq", CONF_PORT_NEQ},
						   {"lt", CONF_PORT_LT},
						   {"gt", CONF_PORT_GT},
						   {"range", CONF_PORT_RANGE}};
	const struct word *w = peek(c);
	if (!w)
		return !c->bad;
	uint32_t op = 0;
	size_t i;
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (word_is(w, ops[i].word))
			break;
	if (i == ARRAY_SIZE(ops))
		return true; /* no port operator */
	if (proto != 6 && proto != 17) {
		cur_fail(c, "no port operator (ports only with tcp and udp)");
		return false;
	}
	choice(c, ops, ARRAY_SIZE(ops), "", &op);
	p->op = (uint8_t)op;
	if (!port(c, &p->a))
		return false;
	if (op == CONF_PORT_RANGE) {
		if (!port(c, &p->b))
			return false;
		if (p->b < p->a) {
			c->i--;
			cur_fail(c, "a port not below the start of the range");
			return false;
		}
	}
	return true;
}

/* any | host A | A WILDCARD (standard: A alone is a host). */
static bool addr_spec(struct cur *c, bool standard, uint32_t *addr, uint32_t *wild)
{
	static const char what[] = "any, host or an IPv4 address";
	if (accept(c, "any")) {
		*addr = 0;
		*wild = UINT32_MAX;
		return true;
	}
	if (accept(c, "host")) {
		*wild = 0;
		return ip(c, "an IPv4 address", addr);
	}
	if (!ip(c, what, addr))
		return false;
	*wild = 0;
	if (standard && at_end(c))
		return true;
	if (!ip(c, "a wildcard mask", wild))
		return false;
	*addr &= ~*wild;
	return true;
}

static int mode_acl(struct ps *ps, struct cur *c, bool standard)
{
	struct conf_acl *a = ps->acl;
	struct conf_acl_line ln = {.line = c->l->no};
	if (accept(c, "permit"))
		ln.permit = true;
	else if (!accept(c, "deny"))
		return NOT_MINE;
	if (standard) {
		ln.dst_wild = UINT32_MAX;
		if (!addr_spec(c, true, &ln.src, &ln.src_wild) || !eol(c))
			return MINE;
	} else {
		uint32_t proto;
		const struct word *w = peek(c);
		if (w && parse_u32(w, &proto) && proto <= 255) {
			c->i++;
		} else if (!choice(c, conf_names_proto, conf_names_n_proto,
				   "ip, tcp, udp, icmp, esp, gre, another protocol name or a "
				   "number from 0 to 255",
				   &proto)) {
			return MINE;
		}
		ln.proto = (uint8_t)proto;
		if (!addr_spec(c, false, &ln.src, &ln.src_wild) || !ports(c, ln.proto, &ln.sport) ||
		    !addr_spec(c, false, &ln.dst, &ln.dst_wild) || !ports(c, ln.proto, &ln.dport) ||
		    !eol(c))
			return MINE;
	}
	if (a->n_lines == CONF_ACL_LINES_MAX) {
		over_limit(ps, c->l, 0, "lines in this access list", CONF_ACL_LINES_MAX);
		return MINE;
	}
	a->lines[a->n_lines++] = ln;
	return MINE;
}

static int mode_acl_ext(struct ps *ps, struct cur *c)
{
	return mode_acl(ps, c, false);
}

static int mode_acl_std(struct ps *ps, struct cur *c)
{
	return mode_acl(ps, c, true);
}

/* ---- crypto gdoi group ---- */

static void server_defaults(struct conf_gdoi_server *s)
{
	s->rekey_alg = CONF_KEK_AES;
	s->rekey_key_bits = 128;
	s->rekey_life_sec = 86400;
	s->retrans_period_sec = 10;
	s->retrans_count = 2;
	s->transport = CONF_REKEY_MULTICAST;
	s->priority = 1;
}

static int mode_group(struct ps *ps, struct cur *c)
{
	struct conf_gdoi_group *g = ps->group;
	uint32_t v;
	if (accept(c, "identity")) {
		if (expect(c, "number") && num(c, 0, UINT32_MAX, &v) && eol(c)) {
			g->identity = v;
			g->identity_line = c->l->no;
		}
	} else if (accept(c, "server")) {
		if (accept(c, "local")) {
			eol(c); /* the submode is entered anyway */
			if (!g->has_server) {
				g->has_server = true;
				memset(&g->server, 0, sizeof(g->server));
				server_defaults(&g->server);
				g->server.line = c->l->no;
			}
			push(ps, M_SERVER);
		} else if (accept(c, "address")) {
			uint32_t a;
			if (!expect(c, "ipv4") || !ip(c, "an IPv4 address", &a) || !eol(c))
				return MINE;
			for (size_t i = 0; i < g->n_servers; i++)
				if (g->servers[i].addr == a) {
					dup_name(ps, c->l, 3, g->servers[i].line, "server address");
					return MINE;
				}
			if (g->n_servers == CONF_GROUP_SERVERS_MAX) {
				over_limit(ps, c->l, 3, "server addresses", CONF_GROUP_SERVERS_MAX);
				return MINE;
			}
			g->servers[g->n_servers].addr = a;
			g->servers[g->n_servers++].line = c->l->no;
		} else {
			cur_fail(c, "local or address");
		}
	} else if (accept(c, "client")) {
		if (expect(c, "fail-close") && eol(c)) {
			g->fail_close = true;
			g->fail_close_line = c->l->no;
		}
	} else {
		return NOT_MINE;
	}
	return MINE;
}

static void server_rekey(struct cur *c, struct conf_gdoi_server *s)
{
	uint32_t v, n;
	if (accept(c, "algorithm")) {
		static const struct conf_names_kv bits[] = {
		    {"128", 128}, {"192", 192}, {"256", 256}};
		if (accept(c, "aes")) {
			if (choice(c, bits, 3, "128, 192 or 256", &v) && eol(c)) {
				s->rekey_alg = CONF_KEK_AES;
				s->rekey_key_bits = (uint16_t)v;
			}
		} else if (accept(c, "3des") || accept(c, "3des-cbc")) {
			if (eol(c)) {
				s->rekey_alg = CONF_KEK_3DES;
				s->rekey_key_bits = 192;
			}
		} else {
			cur_fail(c, "aes or 3des");
		}
	} else if (accept(c, "lifetime")) {
		if (expect(c, "seconds") && num(c, 300, 2592000, &v) && eol(c))
			s->rekey_life_sec = v;
	} else if (accept(c, "retransmit")) {
		if (num(c, 10, 60, &v) && expect(c, "number") && num(c, 1, 10, &n) && eol(c)) {
			s->retrans_period_sec = v;
			s->retrans_count = n;
		}
	} else if (accept(c, "authentication")) {
		struct conf_ref r;
		if (expect(c, "mypubkey") && expect(c, "rsa") && ref(c, "a key label", &r) &&
		    eol(c))
			s->rsa_label = r;
	} else if (accept(c, "transport")) {
		static const struct conf_names_kv t[] = {{"unicast", CONF_REKEY_UNICAST},
							 {"multicast", CONF_REKEY_MULTICAST}};
		if (choice(c, t, 2, "unicast or multicast", &v) && eol(c)) {
			s->transport = (uint8_t)v;
			s->transport_line = c->l->no;
		}
	} else if (accept(c, "address")) {
		struct conf_ref r;
		if (expect(c, "ipv4") && ref(c, "an access list name", &r) && eol(c))
			s->rekey_acl = r;
	} else {
		cur_fail(c,
			 "algorithm, lifetime, retransmit, authentication, transport or address");
	}
}

static void sa_defaults(struct conf_gdoi_sa *sa)
{
	sa->replay = CONF_REPLAY_COUNTER;
	sa->replay_window = 64;
}

static void server_sa(struct ps *ps, struct cur *c, struct conf_gdoi_server *s)
{
	uint32_t v;
	ps->sa = &ps->s_sa;
	memset(ps->sa, 0, sizeof(*ps->sa));
	sa_defaults(ps->sa);
	if (!num(c, 1, 65535, &v) || !eol(c))
		goto enter;
	for (size_t i = 0; i < s->n_sas; i++)
		if (s->sas[i].number == v) {
			dup_name(ps, c->l, 2, s->sas[i].line, "sa ipsec");
			goto enter;
		}
	if (s->n_sas == CONF_GROUP_SAS_MAX) {
		over_limit(ps, c->l, 2, "sa ipsec entries", CONF_GROUP_SAS_MAX);
		goto enter;
	}
	ps->sa = &s->sas[s->n_sas++];
	sa_defaults(ps->sa);
	ps->sa->number = (uint16_t)v;
	ps->sa->line = c->l->no;
enter:
	push(ps, M_SA);
}

static int mode_server(struct ps *ps, struct cur *c)
{
	struct conf_gdoi_server *s = &ps->group->server;
	if (accept(c, "rekey")) {
		server_rekey(c, s);
	} else if (accept(c, "authorization")) {
		struct conf_ref r;
		if (expect(c, "address") && expect(c, "ipv4") &&
		    ref(c, "an access list name", &r) && eol(c))
			s->auth_acl = r;
	} else if (accept(c, "sa")) {
		if (accept(c, "ipsec"))
			server_sa(ps, c, s);
		else if (accept(c, "receive-only")) {
			if (eol(c))
				s->receive_only = true;
		} else
			cur_fail(c, "ipsec or receive-only");
	} else if (accept(c, "address")) {
		uint32_t a;
		if (expect(c, "ipv4") && ip(c, "an IPv4 address", &a) && eol(c)) {
			s->addr = a;
			s->addr_line = c->l->no;
		}
	} else if (accept(c, "redundancy")) {
		if (eol(c)) {
			s->redundancy = true;
			if (!s->redundancy_line)
				s->redundancy_line = c->l->no;
		}
		push(ps, M_REDUND);
	} else {
		return NOT_MINE;
	}
	return MINE;
}

static int mode_sa(struct ps *ps, struct cur *c)
{
	struct conf_gdoi_sa *sa = ps->sa;
	uint32_t v;
	struct conf_ref r;
	if (accept(c, "profile")) {
		if (ref(c, "a profile name", &r) && eol(c))
			sa->profile = r;
	} else if (accept(c, "match")) {
		if (expect(c, "address") && expect(c, "ipv4") &&
		    ref(c, "an access list name", &r) && eol(c))
			sa->match = r;
	} else if (accept(c, "replay")) {
		if (accept(c, "time")) {
			if (expect(c, "window-size") && num(c, 1, 100, &v) && eol(c)) {
				sa->replay = CONF_REPLAY_TIME;
				sa->replay_window = (uint16_t)v;
				sa->replay_line = c->l->no;
			}
		} else if (accept(c, "counter")) {
			static const struct conf_names_kv t[] = {
			    {"64", 64}, {"128", 128}, {"256", 256}, {"512", 512}, {"1024", 1024}};
			if (expect(c, "window-size") &&
			    choice(c, t, ARRAY_SIZE(t), "64, 128, 256, 512 or 1024", &v) &&
			    eol(c)) {
				sa->replay = CONF_REPLAY_COUNTER;
				sa->replay_window = (uint16_t)v;
				sa->replay_line = c->l->no;
			}
		} else {
			cur_fail(c, "time or counter");
		}
	} else if (c->l->n >= 2 && word_is(&c->l->w[0], "no") && word_is(&c->l->w[1], "replay")) {
		c->i = 2;
		if (eol(c)) {
			sa->replay = CONF_REPLAY_NONE;
			sa->replay_window = 0;
			sa->replay_line = c->l->no;
		}
	} else {
		return NOT_MINE;
	}
	return MINE;
}

static int mode_redund(struct ps *ps, struct cur *c)
{
	struct conf_gdoi_server *s = &ps->group->server;
	uint32_t v;
	if (accept(c, "local")) {
		if (expect(c, "priority") && num(c, 1, 255, &v) && eol(c))
			s->priority = (uint8_t)v;
	} else if (accept(c, "peer")) {
		if (!expect(c, "address") || !expect(c, "ipv4") || !ip(c, "an IPv4 address", &v) ||
		    !eol(c))
			return MINE;
		for (size_t i = 0; i < s->n_peers; i++)
			if (s->peers[i] == v) {
				dup_name(ps, c->l, 3, s->peer_lines[i], "peer address");
				return MINE;
			}
		if (s->n_peers == CONF_PEERS_MAX) {
			over_limit(ps, c->l, 3, "peer addresses", CONF_PEERS_MAX);
			return MINE;
		}
		s->peer_lines[s->n_peers] = c->l->no;
		s->peers[s->n_peers++] = v;
	} else {
		return NOT_MINE;
	}
	return MINE;
}

/* ---- crypto map / interface ---- */

static int mode_map(struct ps *ps, struct cur *c)
{
	struct conf_crypto_map *m = ps->map;
	struct conf_ref r;
	if (accept(c, "set")) {
		if (expect(c, "group") && ref(c, "a group name", &r) && eol(c))
			m->group = r;
	} else if (accept(c, "match")) {
		if (expect(c, "address") && ref(c, "an access list name", &r) && eol(c))
			m->match = r;
	} else {
		return NOT_MINE;
	}
	return MINE;
}

static int mode_failclose(struct ps *ps, struct cur *c)
{
	struct conf_fail_close *f = ps->fc;
	struct conf_ref r;
	if (accept(c, "activate")) {
		if (eol(c))
			f->activate = true;
	} else if (accept(c, "match")) {
		if (expect(c, "address") && ref(c, "an access list name", &r) && eol(c))
			f->match = r;
	} else {
		return NOT_MINE;
	}
	return MINE;
}

static int mode_if(struct ps *ps, struct cur *c)
{
	struct conf_interface *f = ps->iface;
	const struct line *l = c->l;
	/* `crypto map NAME` has exactly three words; longer is the global command. */
	if (l->n == 3 && word_is(&l->w[0], "crypto") && word_is(&l->w[1], "map")) {
		c->i = 2;
		struct conf_ref r;
		if (ref(c, "a crypto map name", &r))
			f->crypto_map = r;
	} else if (l->n >= 2 && word_is(&l->w[0], "ip") && word_is(&l->w[1], "tcp")) {
		uint32_t v;
		c->i = 2;
		if (expect(c, "adjust-mss") && num(c, 500, 1460, &v) && eol(c)) {
			f->adjust_mss = (uint16_t)v;
			f->adjust_mss_line = l->no;
		}
	} else {
		return NOT_MINE;
	}
	return MINE;
}

typedef int (*mode_fn)(struct ps *ps, struct cur *c);

static const mode_fn mode_fns[] = {
    [M_TOP] = mode_top,		[M_ISAKMP] = mode_isakmp,   [M_TS] = mode_ts,
    [M_PROFILE] = mode_profile, [M_ACL_EXT] = mode_acl_ext, [M_ACL_STD] = mode_acl_std,
    [M_GROUP] = mode_group,	[M_SERVER] = mode_server,   [M_SA] = mode_sa,
    [M_REDUND] = mode_redund,	[M_MAP] = mode_map,	    [M_FAILCLOSE] = mode_failclose,
    [M_IF] = mode_if,
};

/* ---- lines ---- */

/* Returns true to go on, false after `end`. */
static bool do_line(struct ps *ps, const struct line *l)
{
	if (l->n == 0)
		return true;
	if (word_is(&l->w[0], "end")) {
		if (l->n > 1)
			syntax_at(ps, l, 0, 1, "expected end of line");
		return false;
	}
	if (word_is(&l->w[0], "exit")) {
		if (l->n > 1)
			syntax_at(ps, l, 0, 1, "expected end of line");
		else if (ps->depth > 0)
			ps->depth--;
		return true;
	}
	size_t saved = ps->depth;
	ps->secret_word = 0;
	for (;;) {
		struct cur c = {.ps = ps, .l = l};
		if (mode_fns[ps->stack[ps->depth]](ps, &c) == MINE)
			return true;
		if (ps->depth == 0)
			break;
		ps->depth--;
	}
	ps->depth = saved;
	if (saved == 0)
		syntax_at(ps, l, 0, 0, "unknown command, expected %s", mode_words[M_TOP]);
	else
		syntax_at(ps, l, 0, 0,
			  "unknown command, expected %s (or a command of an enclosing mode)",
			  mode_words[ps->stack[saved]]);
	return true;
}

/* Split one line (no '\n') into words; false (and an error) on a bad byte or size. */
static bool split(struct ps *ps, const char *p, size_t len, struct line *l)
{
	l->n = 0;
	if (len && p[len - 1] == '\r')
		len--;
	size_t i = 0;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < len && p[i] == '!')
		return true; /* comment: anything goes */
	if (len > LINE_MAX_BYTES) {
		ps->syntax = true;
		errorf(ps, l->no, "line longer than %d bytes", LINE_MAX_BYTES);
		return false;
	}
	for (size_t k = i; k < len; k++) {
		unsigned char ch = (unsigned char)p[k];
		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f) {
			ps->syntax = true;
			errorf(ps, l->no,
			       "invalid byte 0x%02x at column %zu (only printable ASCII)", ch,
			       k + 1);
			return false;
		}
	}
	while (i < len) {
		size_t start = i;
		while (i < len && p[i] != ' ' && p[i] != '\t')
			i++;
		if (l->n == WORDS_MAX) {
			ps->syntax = true;
			errorf(ps, l->no, "more than %d words", WORDS_MAX);
			l->n = 0;
			return false;
		}
		l->w[l->n].p = p + start;
		l->w[l->n++].len = i - start;
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
	}
	return true;
}

/* ---- checks across commands ---- */

__attribute__((format(printf, 3, 4))) static void invalid(struct ps *ps, uint32_t line,
							  const char *fmt, ...)
{
	ps->inval = true;
	if (ps->n_chk == CONF_ERRORS_MAX) {
		ps->n_errors++; /* counted, not shown */
		return;
	}
	struct chk *k = &ps->chk[ps->n_chk++];
	k->line = line;
	k->off = ps->chk_text.len;
	va_list ap;
	va_start(ap, fmt);
	if (dbuf_vprintf(&ps->chk_text, fmt, ap))
		ps->nomem = true;
	va_end(ap);
	k->len = ps->chk_text.len - k->off;
}

/* The check messages in line order (stable), after the syntax errors. */
static void flush_checks(struct ps *ps)
{
	for (size_t i = 1; i < ps->n_chk; i++) {
		struct chk k = ps->chk[i];
		size_t j = i;
		for (; j > 0 && ps->chk[j - 1].line > k.line; j--)
			ps->chk[j] = ps->chk[j - 1];
		ps->chk[j] = k;
	}
	for (size_t i = 0; i < ps->n_chk; i++) {
		const struct chk *k = &ps->chk[i];
		errorf(ps, k->line, "%.*s", (int)k->len, (const char *)ps->chk_text.p + k->off);
	}
	dbuf_free(&ps->chk_text);
}

/* ACL reference: must exist and be of the kind wanted. */
static void check_acl_ref(struct ps *ps, const struct conf_ref *r, bool standard)
{
	if (!r->line)
		return;
	const struct conf_acl *a = conf_find_acl(ps->c, r->name);
	if (!a)
		invalid(ps, r->line, "'%s': undefined access list (expected ip access-list %s %s)",
			r->name, standard ? "standard" : "extended", r->name);
	else if (a->standard != standard)
		invalid(ps, r->line, "'%s': expected %s access list, it is %s (line %u)", r->name,
			standard ? "a standard" : "an extended",
			a->standard ? "standard" : "extended", a->line);
}

static void check_server(struct ps *ps, const struct conf_gdoi_group *g)
{
	const struct conf_gdoi_server *s = &g->server;
	if (!s->n_sas)
		invalid(ps, s->line, "'server local': group %s: missing 'sa ipsec N'", g->name);
	if (!s->addr_line)
		invalid(ps, s->line, "'server local': group %s: missing 'address ipv4 A'", g->name);
	check_acl_ref(ps, &s->auth_acl, true);
	check_acl_ref(ps, &s->rekey_acl, false);
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->addr_line && s->peers[i] == s->addr)
			invalid(
			    ps, s->peer_lines[i],
			    "'peer address ipv4': group %s: expected another key server, this is "
			    "the local address (line %u)",
			    g->name, s->addr_line);
	for (size_t i = 0; i < s->n_sas; i++) {
		const struct conf_gdoi_sa *sa = &s->sas[i];
		if (!sa->profile.line)
			invalid(ps, sa->line, "'sa ipsec %u': missing 'profile NAME'", sa->number);
		else if (!conf_find_profile(ps->c, sa->profile.name))
			invalid(ps, sa->profile.line,
				"'%s': undefined IPsec profile (expected crypto ipsec profile %s)",
				sa->profile.name, sa->profile.name);
		if (!sa->match.line)
			invalid(ps, sa->line, "'sa ipsec %u': missing 'match address ipv4 ACL'",
				sa->number);
		check_acl_ref(ps, &sa->match, false);
	}
}

static void check(struct ps *ps)
{
	const struct conf_config *c = ps->c;
	for (size_t i = 0; i < c->n_profiles; i++) {
		const struct conf_profile *p = &c->profiles[i];
		if (!p->n_sets)
			invalid(ps, p->line,
				"'crypto ipsec profile %s': missing 'set transform-set'", p->name);
		for (size_t k = 0; k < p->n_sets; k++)
			if (!conf_find_transform_set(c, p->sets[k].name))
				invalid(ps, p->sets[k].line,
					"'%s': undefined transform-set (expected crypto ipsec "
					"transform-set %s ...)",
					p->sets[k].name, p->sets[k].name);
	}
	for (size_t i = 0; i < c->n_groups; i++) {
		const struct conf_gdoi_group *g = &c->groups[i];
		for (size_t k = 0; k < i && g->identity_line; k++)
			if (c->groups[k].identity_line && c->groups[k].identity == g->identity) {
				invalid(
				    ps, g->identity_line,
				    "'identity number %u': expected a number of its own, group %s "
				    "has it too (line %u)",
				    g->identity, c->groups[k].name, c->groups[k].identity_line);
				break;
			}
		if (!g->identity_line)
			invalid(ps, g->line, "'crypto gdoi group %s': missing 'identity number N'",
				g->name);
		if (g->has_server && g->n_servers)
			invalid(ps, g->servers[0].line,
				"'server address': group %s is a key server group ('server local' "
				"at line %u); expected one or the other",
				g->name, g->server.line);
		else if (g->has_server)
			check_server(ps, g);
		else if (!g->n_servers)
			invalid(ps, g->line,
				"'crypto gdoi group %s': missing 'server address ipv4 A' (member) "
				"or 'server local' (key server)",
				g->name);
		if (g->fail_close && g->has_server)
			invalid(ps, g->fail_close_line,
				"'client fail-close': group %s is a key server group", g->name);
	}
	for (size_t i = 0; i < c->n_crypto_maps; i++) {
		const struct conf_crypto_map *m = &c->crypto_maps[i];
		const struct conf_gdoi_group *g;
		if (!m->group.line)
			invalid(ps, m->line, "'crypto map %s %u gdoi': missing 'set group NAME'",
				m->name, m->seq);
		else if (!(g = conf_find_group(c, m->group.name)))
			invalid(ps, m->group.line,
				"'%s': undefined GDOI group (expected crypto gdoi group %s)",
				m->group.name, m->group.name);
		else if (g->has_server)
			invalid(
			    ps, m->group.line,
			    "'%s': expected a member group ('server address ipv4'), it is a key "
			    "server group",
			    m->group.name);
		check_acl_ref(ps, &m->match, false);
	}
	for (size_t i = 0; i < c->n_fail_closes; i++) {
		const struct conf_fail_close *f = &c->fail_closes[i];
		if (!conf_find_crypto_map(c, f->map))
			invalid(ps, f->line,
				"'%s': undefined crypto map (expected crypto map %s SEQ gdoi)",
				f->map, f->map);
		check_acl_ref(ps, &f->match, false);
	}
	for (size_t i = 0; i < c->n_interfaces; i++) {
		const struct conf_interface *f = &c->interfaces[i];
		if (f->crypto_map.line && !conf_find_crypto_map(c, f->crypto_map.name))
			invalid(ps, f->crypto_map.line,
				"'%s': undefined crypto map (expected crypto map %s SEQ gdoi)",
				f->crypto_map.name, f->crypto_map.name);
	}
}

int conf_parse(const char *text, size_t len, const char *filename, struct conf_config *out,
	       struct dbuf *err)
{
	static struct line zero_line;
	struct ps *ps = calloc(1, sizeof(*ps));
	struct line *l = malloc(sizeof(*l));
	int rc = ERR_NOMEM;
	conf_config_init(out);
	if (!ps || !l)
		goto out;
	*l = zero_line;
	ps->c = out;
	ps->err = err;
	ps->file = filename ? filename : "config";
	snprintf(out->file, sizeof(out->file), "%s", ps->file);

	struct buf_cursor cur;
	buf_init(&cur, text, text ? len : 0);
	uint32_t no = 0;
	while (!buf_empty(&cur)) {
		const char *p = (const char *)buf_here(&cur);
		size_t left = buf_left(&cur);
		const char *nl = memchr(p, '\n', left);
		size_t n = nl ? (size_t)(nl - p) : left;
		buf_skip(&cur, nl ? n + 1 : n);
		l->no = ++no;
		if (split(ps, p, n, l) && !do_line(ps, l))
			break;
	}
	check(ps);
	flush_checks(ps);
	if (ps->err && ps->n_errors > CONF_ERRORS_MAX)
		dbuf_printf(ps->err, "%s: %zu more errors not shown\n", ps->file,
			    ps->n_errors - CONF_ERRORS_MAX);
	if (ps->nomem)
		rc = ERR_NOMEM;
	else if (ps->syntax)
		rc = ERR_SYNTAX;
	else if (ps->inval)
		rc = ERR_INVAL;
	else
		rc = 0;
out:
	if (ps)
		mem_wipe(ps, sizeof(*ps));
	free(ps);
	free(l);
	return rc;
}
