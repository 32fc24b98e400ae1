/*
 * Key server state file (see gdoi_ks_state_save in ks.h). gvpn's own
 * format, all integers big-endian, times as milliseconds left at the save:
 *
 *   "GVKS" | version u16 = 2 | groups u16 | group ... | SHA-256 of all before
 *   group:  name len u8 | name | seq u32 | pseudotime ms u64 |
 *           SID bits u8 | next SID u32 (the first never handed out) |
 *           flags u8 (1 KEK, 2 KEK members hold) | [KEK] | [KEK held] |
 *           KEK roll ms u64 | rolls u8 | (sa u16 | roll ms u64) ... |
 *           TEKs u8 | TEK ... | members u32 | member ...
 *   KEK:    spi 16 | alg u8 | key 32 | iv 16 | life u32 | left ms u64 | sig hash u8 |
 *           sig key bits u16 | multicast u8 | group address u32 | KS address u32 | ack u8
 *   TEK:    spi u32 | sa u16 | enc u8 | key bits u16 | auth u8 | enc key 36 | auth key 48 |
 *           life u32 | left ms u64 | replay u8 | window u16 | receive-only u8
 *   member: addr u32 | port u16 | gvpn u8 | major u8 | minor u8 | caps u32 | age ms u64 |
 *           registrations u32 | CKY-I 8 | CKY-R 8 | K_ack len u8 | prf u8 | K_ack 64 |
 *           rekeys sent, retries, acks received, acks missed, missed in a row u32 |
 *           sent seq 4 x u32 | received seq 4 x u32 | SID u32 (0 none)
 * Version 1 (before sender IDs) lacks the two SID fields of a group and the
 * member's SID; it still loads (the groups then had no SID to give). The
 * loader reads everything through the cursor and checks it before any
 * of it is used.
 */
#include <stdlib.h>
#include <string.h>

#include "gdoi/ks_priv.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

#define MAGIC	       "GVKS"
#define VERSION	       2
#define VERSION_NO_SID 1 /* still loaded */
#define SUM_LEN	       32
#define NEVER	       UINT64_MAX

/* ---- save ---- */

struct out {
	struct dbuf *d;
	int rc;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->rc == 0)
		o->rc = dbuf_append(o->d, p, n);
}

static void put8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

static void put16(struct out *o, uint16_t v)
{
	uint8_t b[2];
	buf_store_u16(b, v);
	put(o, b, 2);
}

static void put32(struct out *o, uint32_t v)
{
	uint8_t b[4];
	buf_store_u32(b, v);
	put(o, b, 4);
}

static void put64(struct out *o, uint64_t v)
{
	put32(o, (uint32_t)(v >> 32));
	put32(o, (uint32_t)v);
}

static uint64_t left_ms(uint64_t t, uint64_t now)
{
	if (t == CLOCK_NEVER)
		return NEVER;
	return t > now ? (t - now) / NS_PER_MS : 0;
}

static void put_kek(struct out *o, const struct gdoi_kek *k, uint64_t now)
{
	put(o, k->spi, GDOI_KEK_SPI_LEN);
	put8(o, (uint8_t)k->alg);
	put(o, k->key, GDOI_KEK_KEY_MAX);
	put(o, k->iv, GDOI_KEK_IV_MAX);
	put32(o, k->life_sec);
	put64(o, left_ms(k->expires_ns, now));
	put8(o, (uint8_t)k->sig_hash);
	put16(o, k->sig_key_bits);
	put8(o, k->multicast);
	put32(o, k->mcast_addr);
	put32(o, k->ks_addr);
	put8(o, k->ack_requested);
}

static void put_tek(struct out *o, const struct gdoi_tek *t, uint64_t now)
{
	put32(o, t->spi);
	put16(o, t->sa_num);
	put8(o, t->xf.enc);
	put16(o, t->xf.key_bits);
	put8(o, t->xf.auth);
	put(o, t->enc_key, GDOI_TEK_ENC_MAX);
	put(o, t->auth_key, GDOI_TEK_AUTH_MAX);
	put32(o, t->life_sec);
	put64(o, left_ms(t->expires_ns, now));
	put8(o, t->replay);
	put16(o, t->replay_window);
	put8(o, t->receive_only);
}

static void put_member(struct out *o, const struct ks_member *m, uint64_t now)
{
	put32(o, m->addr);
	put16(o, m->port);
	put8(o, m->caps.gvpn);
	put8(o, m->caps.major);
	put8(o, m->caps.minor);
	put32(o, m->caps.caps);
	put64(o, now > m->registered_ns ? (now - m->registered_ns) / NS_PER_MS : 0);
	put32(o, m->registrations);
	put(o, m->cky_i, IKE1_COOKIE_LEN);
	put(o, m->cky_r, IKE1_COOKIE_LEN);
	put8(o, m->kack_len);
	put8(o, m->kack_hash);
	put(o, m->kack, IKE1_PRF_MAX);
	uint32_t c[5] = {m->rekeys_sent, m->rekey_retries, m->acks_rcvd, m->acks_missed,
			 m->missed_row};
	for (size_t i = 0; i < 5; i++)
		put32(o, c[i]);
	for (size_t i = 0; i < 4; i++)
		put32(o, m->sent_seq[i]);
	for (size_t i = 0; i < 4; i++)
		put32(o, m->rcvd_seq[i]);
	put32(o, m->sid);
}

static void put_group(struct out *o, const struct ks_group *g, uint64_t now)
{
	const struct gdoi_policy *p = &g->pv->p;
	size_t nl = strlen(g->cfg.name);
	put8(o, (uint8_t)nl);
	put(o, g->cfg.name, nl);
	put32(o, g->seq);
	put64(o, ks_group_pt_ms(g, now));
	put8(o, g->sid_bits);
	put32(o, ks_sid_saved_next(g));
	bool held = g->push_kek.has_keys;
	put8(o, (uint8_t)((p->has_kek ? 1 : 0) | (held ? 2 : 0)));
	if (p->has_kek)
		put_kek(o, &p->kek, now);
	if (held)
		put_kek(o, &g->push_kek, now);
	put64(o, left_ms(g->kek_roll_ns, now));
	put8(o, (uint8_t)g->cfg.n_sas);
	for (size_t i = 0; i < g->cfg.n_sas; i++) {
		put16(o, g->cfg.sa[i].number);
		put64(o, left_ms(g->tek_roll_ns[i], now));
	}
	put8(o, (uint8_t)p->n_teks);
	for (size_t i = 0; i < p->n_teks; i++)
		put_tek(o, &p->tek[i], now);
	put32(o, (uint32_t)g->n_members);
	const struct list_node *pos;
	list_for_each(pos, &g->members)
	{
		put_member(o, container_of(pos, struct ks_member, link), now);
	}
}

int gdoi_ks_state_save(const struct gdoi_ks *ks, uint64_t now, struct dbuf *out)
{
	out->secret = true;
	size_t start = out->len;
	struct out o = {out, 0};
	put(&o, MAGIC, 4);
	put16(&o, VERSION);
	put16(&o, (uint16_t)ks->n_groups);
	for (size_t i = 0; i < ks->n_groups; i++)
		put_group(&o, ks->groups[i], now);
	uint8_t sum[CRYPTO_HASH_MAX] = {0};
	if (o.rc == 0) {
		struct crypto_iov iov = {out->p + start, out->len - start};
		o.rc = crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, sum) < 0 ? ERR_CRYPTO : 0;
	}
	put(&o, sum, SUM_LEN);
	return o.rc;
}

/* ---- load ---- */

struct in {
	struct buf_cursor c;
	int rc;
	uint16_t version;
};

static void get(struct in *i, void *p, size_t n)
{
	if (i->rc == 0 && buf_get_bytes(&i->c, p, n) < 0)
		i->rc = ERR_PROTO;
}

static uint8_t get8(struct in *i)
{
	uint8_t v = 0;
	get(i, &v, 1);
	return v;
}

static uint16_t get16(struct in *i)
{
	uint8_t b[2] = {0};
	get(i, b, 2);
	return buf_load_u16(b);
}

static uint32_t get32(struct in *i)
{
	uint8_t b[4] = {0};
	get(i, b, 4);
	return buf_load_u32(b);
}

static uint64_t get64(struct in *i)
{
	uint64_t hi = get32(i);
	return hi << 32 | get32(i);
}

static void bad(struct in *i, bool cond)
{
	if (cond && i->rc == 0)
		i->rc = ERR_PROTO;
}

static void get_kek(struct in *i, struct gdoi_kek *k)
{
	get(i, k->spi, GDOI_KEK_SPI_LEN);
	k->alg = (enum crypto_cbc_alg)get8(i);
	get(i, k->key, GDOI_KEK_KEY_MAX);
	get(i, k->iv, GDOI_KEK_IV_MAX);
	k->life_sec = get32(i);
	k->expires_ns = get64(i); /* ms left until ks_group_restore */
	k->sig_hash = (enum crypto_hash_alg)get8(i);
	k->sig_key_bits = get16(i);
	k->multicast = get8(i) != 0;
	k->mcast_addr = get32(i);
	k->ks_addr = get32(i);
	k->ack_requested = get8(i) != 0;
	k->sig_alg = 1;
	k->has_keys = true;
	bad(i, !gdoi_kek_alg_ok(k->alg) || !crypto_hash_len(k->sig_hash));
}

static void get_tek(struct in *i, struct gdoi_tek *t)
{
	t->spi = get32(i);
	t->sa_num = get16(i);
	t->xf.enc = get8(i);
	t->xf.key_bits = get16(i);
	t->xf.auth = get8(i);
	get(i, t->enc_key, GDOI_TEK_ENC_MAX);
	get(i, t->auth_key, GDOI_TEK_AUTH_MAX);
	t->life_sec = get32(i);
	t->expires_ns = get64(i);
	t->replay = get8(i);
	t->replay_window = get16(i);
	t->receive_only = get8(i) != 0;
	t->has_keys = true;
	bad(i, t->spi < GDOI_SPI_MIN || gdoi_transform_check(&t->xf, NULL) < 0);
}

static void get_member(struct in *i, struct ks_saved_member *m)
{
	m->addr = get32(i);
	m->port = get16(i);
	m->caps.gvpn = get8(i) != 0;
	m->caps.major = get8(i);
	m->caps.minor = get8(i);
	m->caps.caps = get32(i);
	m->age_ms = get64(i);
	m->registrations = get32(i);
	get(i, m->cky_i, IKE1_COOKIE_LEN);
	get(i, m->cky_r, IKE1_COOKIE_LEN);
	m->kack_len = get8(i);
	m->kack_hash = get8(i);
	get(i, m->kack, IKE1_PRF_MAX);
	uint32_t *c[5] = {&m->rekeys_sent, &m->rekey_retries, &m->acks_rcvd, &m->acks_missed,
			  &m->missed_row};
	for (size_t k = 0; k < 5; k++)
		*c[k] = get32(i);
	for (size_t k = 0; k < 4; k++)
		m->sent_seq[k] = get32(i);
	for (size_t k = 0; k < 4; k++)
		m->rcvd_seq[k] = get32(i);
	m->sid = i->version >= VERSION ? get32(i) : 0;
	bad(i, m->kack_len > IKE1_PRF_MAX ||
		   (m->kack_len &&
		    crypto_hash_len((enum crypto_hash_alg)m->kack_hash) != m->kack_len));
}

/* Smallest encoding of a member (version 1): bounds the count before anything is allocated. */
#define MEMBER_LEN (4 + 2 + 3 + 4 + 8 + 4 + 16 + 2 + IKE1_PRF_MAX + 13 * 4)

static void get_group(struct in *i, struct ks_saved_group *g)
{
	size_t nl = get8(i);
	bad(i, nl == 0 || nl >= GDOI_NAME_MAX);
	get(i, g->name, i->rc ? 0 : nl);
	g->seq = get32(i);
	g->pt_ms = get64(i);
	if (i->version >= VERSION) {
		g->sid_bits = get8(i);
		g->sid_next = get32(i);
		bad(i, g->sid_bits < 1 || g->sid_bits > 31 || g->sid_next == 0);
	}
	uint8_t flags = get8(i);
	bad(i, flags > 3);
	g->has_kek = flags & 1;
	g->has_push_kek = flags & 2;
	if (g->has_kek)
		get_kek(i, &g->kek);
	if (g->has_push_kek)
		get_kek(i, &g->push_kek);
	g->kek_roll_ms = get64(i);
	g->n_rolls = get8(i);
	bad(i, g->n_rolls > GDOI_KS_SAS_MAX);
	for (size_t k = 0; i->rc == 0 && k < g->n_rolls; k++) {
		g->roll_sa[k] = get16(i);
		g->roll_ms[k] = get64(i);
	}
	g->n_teks = get8(i);
	bad(i, g->n_teks > GDOI_TEKS_MAX);
	for (size_t k = 0; i->rc == 0 && k < g->n_teks; k++)
		get_tek(i, &g->tek[k]);
	uint32_t n = get32(i);
	bad(i, n > buf_left(&i->c) / MEMBER_LEN);
	if (i->rc == 0 && n && !(g->m = calloc(n, sizeof(*g->m))))
		i->rc = ERR_NOMEM;
	for (size_t k = 0; i->rc == 0 && k < n; k++, g->n_members++) {
		get_member(i, &g->m[k]);
		/* A member's SID was handed out before the save: below the saved next. */
		bad(i, g->m[k].sid && g->m[k].sid >= g->sid_next);
	}
}

static void saved_free(struct ks_saved_group *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		if (s[i].m)
			mem_wipe(s[i].m, s[i].n_members * sizeof(*s[i].m));
		free(s[i].m);
	}
	if (s)
		mem_wipe(s, n * sizeof(*s));
	free(s);
}

static int check_sum(const uint8_t *blob, size_t len)
{
	uint8_t sum[CRYPTO_HASH_MAX];
	if (len < 8 + SUM_LEN)
		return ERR_PROTO;
	struct crypto_iov iov = {blob, len - SUM_LEN};
	if (crypto_hash(CRYPTO_HASH_SHA256, &iov, 1, sum) < 0)
		return ERR_CRYPTO;
	return mem_equal_ct(sum, blob + len - SUM_LEN, SUM_LEN) ? 0 : ERR_AUTH;
}

/* Checksum, header and every group into s (n groups). */
static int parse(const uint8_t *blob, size_t len, struct ks_saved_group **s, size_t *n)
{
	int rc = check_sum(blob, len);
	if (rc < 0)
		return rc;
	struct in i = {.rc = 0};
	buf_init(&i.c, blob, len - SUM_LEN);
	char magic[4];
	get(&i, magic, 4);
	if (i.rc == 0 && memcmp(magic, MAGIC, 4))
		return ERR_PROTO;
	i.version = get16(&i);
	if (i.version != VERSION && i.version != VERSION_NO_SID)
		return ERR_UNSUPP;
	*n = get16(&i);
	bad(&i, *n > GDOI_KS_GROUPS_MAX);
	if (i.rc == 0 && !(*s = calloc(*n ? *n : 1, sizeof(**s))))
		return ERR_NOMEM;
	for (size_t k = 0; i.rc == 0 && k < *n; k++)
		get_group(&i, &(*s)[k]);
	bad(&i, !buf_empty(&i.c));
	return i.rc;
}

static struct ks_group *named(struct gdoi_ks *ks, const char *name)
{
	for (size_t i = 0; i < ks->n_groups; i++)
		if (!strcmp(ks->groups[i]->cfg.name, name))
			return ks->groups[i];
	return NULL;
}

int gdoi_ks_state_load(struct gdoi_ks *ks, const uint8_t *blob, size_t len, uint64_t now,
		       uint64_t elapsed_ns)
{
	struct ks_saved_group *s = NULL;
	size_t n = 0;
	int rc = parse(blob, len, &s, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct ks_group *g = named(ks, s[i].name);
		if (!g)
			continue;
		rc = ks_group_restore(ks, g, &s[i], now, elapsed_ns);
		ks_sid_restore(g, &s[i]);
		for (size_t k = 0; rc == 0 && k < s[i].n_members; k++)
			if (!ks_member_restore(ks, g, &s[i].m[k], now, elapsed_ns))
				rc = ERR_NOMEM;
		ks_schedule(ks, ks_group_deadline(g));
	}
	saved_free(s, n);
	return rc;
}
