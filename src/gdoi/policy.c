/* The group policy model: transforms, ACL entries, TEK bookkeeping; see policy.h. */
#include "gdoi/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dp/acl.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/mem.h"

/* ---- transforms ---- */

static bool auth_ok(uint8_t a)
{
	return a == GDOI_AUTH_SHA1 || a == GDOI_AUTH_SHA256 || a == GDOI_AUTH_SHA384;
}

int gdoi_transform_check(const struct gdoi_transform *x, const char **why)
{
	const char *w = NULL;
	switch (x->enc) {
	case GDOI_ENC_NULL:
		if (x->key_bits)
			w = "ESP-NULL with a key length";
		else if (!auth_ok(x->auth))
			w = "ESP-NULL needs an HMAC";
		break;
	case GDOI_ENC_3DES:
		if (x->key_bits != 192)
			w = "3DES key length is not 192 bits";
		else if (!auth_ok(x->auth))
			w = "3DES without a supported HMAC";
		break;
	case GDOI_ENC_AES_CBC:
		if (x->key_bits != 128 && x->key_bits != 192 && x->key_bits != 256)
			w = "AES-CBC key length not 128/192/256";
		else if (!auth_ok(x->auth))
			w = "AES-CBC without a supported HMAC";
		break;
	case GDOI_ENC_AES_GCM:
		if (x->key_bits != 128 && x->key_bits != 256)
			w = "AES-GCM key length not 128/256";
		else if (x->auth != GDOI_AUTH_NONE)
			w = "AES-GCM with an HMAC";
		break;
	default:
		w = "unknown ESP transform";
	}
	if (why)
		*why = w;
	return w ? ERR_UNSUPP : 0;
}

bool gdoi_transform_equal(const struct gdoi_transform *a, const struct gdoi_transform *b)
{
	return a->enc == b->enc && a->key_bits == b->key_bits && a->auth == b->auth;
}

size_t gdoi_transform_enc_len(const struct gdoi_transform *x)
{
	size_t n = x->key_bits / 8u;
	return x->enc == GDOI_ENC_AES_GCM ? n + GDOI_GCM_SALT_LEN : n;
}

size_t gdoi_transform_auth_len(const struct gdoi_transform *x)
{
	switch (x->auth) {
	case GDOI_AUTH_SHA1:
		return 20;
	case GDOI_AUTH_SHA256:
		return 32;
	case GDOI_AUTH_SHA384:
		return 48;
	default:
		return 0;
	}
}

int gdoi_transform_format(const struct gdoi_transform *x, char *out, size_t cap)
{
	static const char *const auth[] = {
	    [GDOI_AUTH_NONE] = "",
	    [GDOI_AUTH_SHA1] = " esp-sha-hmac",
	    [GDOI_AUTH_SHA256] = " esp-sha256-hmac",
	    [GDOI_AUTH_SHA384] = " esp-sha384-hmac",
	};
	const char *a = x->auth < ARRAY_SIZE(auth) ? auth[x->auth] : " esp-?";
	switch (x->enc) {
	case GDOI_ENC_NULL:
		return snprintf(out, cap, "esp-null%s", a);
	case GDOI_ENC_3DES:
		return snprintf(out, cap, "esp-3des%s", a);
	case GDOI_ENC_AES_CBC:
		if (x->key_bits == 128)
			return snprintf(out, cap, "esp-aes%s", a);
		return snprintf(out, cap, "esp-aes %u%s", (unsigned)x->key_bits, a);
	case GDOI_ENC_AES_GCM:
		return snprintf(out, cap, "esp-gcm %u", (unsigned)x->key_bits);
	default:
		return snprintf(out, cap, "unknown");
	}
}

/* ---- KEK ---- */

bool gdoi_kek_alg_ok(enum crypto_cbc_alg alg)
{
	return alg == CRYPTO_CBC_3DES || alg == CRYPTO_CBC_AES128 || alg == CRYPTO_CBC_AES192 ||
	       alg == CRYPTO_CBC_AES256;
}

const char *gdoi_kek_alg_name(enum crypto_cbc_alg alg)
{
	return alg == CRYPTO_CBC_3DES ? "3DES" : gdoi_kek_alg_ok(alg) ? "AES" : "UNKNOWN";
}

/* ---- ACL ---- */

bool gdoi_wild_contiguous(uint32_t wild)
{
	/* A prefix wildcard is 2^k - 1: adding one leaves a single bit (or none). */
	uint32_t w1 = wild + 1u;
	return (w1 & wild) == 0;
}

static bool ports_equal(const struct gdoi_ports *a, const struct gdoi_ports *b)
{
	return a->op == b->op && a->a == b->a && a->b == b->b;
}

bool gdoi_acl_line_equal(const struct gdoi_acl_entry *a, const struct gdoi_acl_entry *b)
{
	return a->seq == b->seq && a->action == b->action && a->proto == b->proto &&
	       a->src == b->src && a->src_wild == b->src_wild && a->dst == b->dst &&
	       a->dst_wild == b->dst_wild && ports_equal(&a->sport, &b->sport) &&
	       ports_equal(&a->dport, &b->dport);
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static const char *ports_check(const struct gdoi_ports *p, uint8_t proto, unsigned flags)
{
	if (p->op > GDOI_PORT_RANGE)
		return "unknown port operator";
	bool ip_ok = proto == 0 && (flags & GDOI_ACL_IP_PORTS);
	if (p->op != GDOI_PORT_ANY && !has_ports(proto) && !ip_ok)
		return "port operator on a protocol without ports";
	if (p->op == GDOI_PORT_LT && p->a == 0)
		return "lt 0 matches nothing";
	if (p->op == GDOI_PORT_GT && p->a == 65535)
		return "gt 65535 matches nothing";
	if (p->op == GDOI_PORT_RANGE && p->a > p->b)
		return "port range with low > high";
	return NULL;
}

int gdoi_acl_entry_check(const struct gdoi_acl_entry *e, unsigned flags, const char **why)
{
	const char *w = NULL;
	if (e->action != GDOI_ACL_PERMIT && e->action != GDOI_ACL_DENY)
		w = "unknown action";
	else if ((w = ports_check(&e->sport, e->proto, flags)) ||
		 (w = ports_check(&e->dport, e->proto, flags)))
		;
	else if ((flags & GDOI_ACL_CONTIGUOUS) &&
		 (!gdoi_wild_contiguous(e->src_wild) || !gdoi_wild_contiguous(e->dst_wild)))
		w = "non-contiguous wildcard";
	if (why)
		*why = w;
	return w ? ERR_INVAL : 0;
}

static void ip4_text(uint32_t a, char out[static 16])
{
	snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16) & 255u,
		 (unsigned)(a >> 8) & 255u, (unsigned)a & 255u);
}

/* snprintf-style appender: keeps counting past the end so the caller learns the length. */
struct sbuf {
	char *p;
	size_t cap, len;
};

static void __attribute__((format(printf, 2, 3))) sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	size_t left = s->len < s->cap ? s->cap - s->len : 0;
	va_start(ap, fmt);
	int n = vsnprintf(left ? s->p + s->len : NULL, left, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

static void addr_text(struct sbuf *s, uint32_t a, uint32_t w)
{
	char x[16], y[16];
	if (w == 0xffffffffu) {
		sb_printf(s, " any");
		return;
	}
	ip4_text(a & ~w, x);
	if (w == 0) {
		sb_printf(s, " host %s", x);
		return;
	}
	ip4_text(w, y);
	sb_printf(s, " %s %s", x, y);
}

static void port_text(struct sbuf *s, const struct gdoi_ports *p)
{
	switch (p->op) {
	case GDOI_PORT_EQ:
		sb_printf(s, " port = %u", (unsigned)p->a);
		break;
	case GDOI_PORT_NEQ:
		sb_printf(s, " port != %u", (unsigned)p->a);
		break;
	case GDOI_PORT_LT:
		sb_printf(s, " port < %u", (unsigned)p->a);
		break;
	case GDOI_PORT_GT:
		sb_printf(s, " port > %u", (unsigned)p->a);
		break;
	case GDOI_PORT_RANGE:
		sb_printf(s, " port range %u %u", (unsigned)p->a, (unsigned)p->b);
		break;
	default:
		break;
	}
}

int gdoi_acl_entry_format(const struct gdoi_acl_entry *e, char *out, size_t cap)
{
	struct sbuf s = {out, cap, 0};
	if (cap)
		out[0] = 0;
	const char *pn = dp_acl_proto_name(e->proto);
	sb_printf(&s, "access-list %s ", e->action == GDOI_ACL_DENY ? "deny" : "permit");
	if (pn)
		sb_printf(&s, "%s", pn);
	else
		sb_printf(&s, "%u", (unsigned)e->proto);
	addr_text(&s, e->src, e->src_wild);
	port_text(&s, &e->sport);
	addr_text(&s, e->dst, e->dst_wild);
	port_text(&s, &e->dport);
	return (int)s.len;
}

/* The two models share their operator and action numbers. */
_Static_assert(GDOI_PORT_ANY == (int)DP_ACL_PORT_ANY && GDOI_PORT_EQ == (int)DP_ACL_PORT_EQ &&
		   GDOI_PORT_NEQ == (int)DP_ACL_PORT_NEQ && GDOI_PORT_LT == (int)DP_ACL_PORT_LT &&
		   GDOI_PORT_GT == (int)DP_ACL_PORT_GT && GDOI_PORT_RANGE == (int)DP_ACL_PORT_RANGE,
	       "port operators of gdoi and dp differ");
_Static_assert(GDOI_ACL_PERMIT == (int)DP_ACL_PERMIT && GDOI_ACL_DENY == (int)DP_ACL_DENY,
	       "ACL actions of gdoi and dp differ");

static struct dp_acl_entry dp_entry(const struct gdoi_acl_entry *e, uint8_t proto)
{
	return (struct dp_acl_entry){
	    .seq = e->seq,
	    .action = (enum dp_acl_action)e->action,
	    .proto = proto,
	    .src = e->src,
	    .src_wild = e->src_wild,
	    .dst = e->dst,
	    .dst_wild = e->dst_wild,
	    .sport = {(enum dp_acl_port_op)e->sport.op, e->sport.a, e->sport.b},
	    .dport = {(enum dp_acl_port_op)e->dport.op, e->dport.a, e->dport.b},
	    .tek_tag = e->sa_num,
	};
}

int gdoi_acl_to_dp(const struct gdoi_acl_entry *in, size_t n, struct dp_acl_entry *out, size_t cap)
{
	static const uint8_t with_ports[] = {6, 17, 132};
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct gdoi_acl_entry *e = &in[i];
		bool expand =
		    e->proto == 0 && (e->sport.op != GDOI_PORT_ANY || e->dport.op != GDOI_PORT_ANY);
		size_t m = expand ? ARRAY_SIZE(with_ports) : 1;
		if (cap - k < m || k > cap)
			return ERR_NOSPACE;
		for (size_t j = 0; j < m; j++)
			out[k++] = dp_entry(e, expand ? with_ports[j] : e->proto);
	}
	return (int)k;
}

/* ---- policy ---- */

struct gdoi_tek *gdoi_policy_tek(struct gdoi_policy *p, uint32_t spi)
{
	for (size_t i = 0; i < p->n_teks; i++)
		if (p->tek[i].spi == spi)
			return &p->tek[i];
	return NULL;
}

/*
 * Preference of a sending TEK: 2 rekeyed and past its activation delay, 1
 * from a registration, 0 still waiting for its activation (used only when
 * nothing else can send, e.g. the old TEK ran out before the delay).
 */
static int rank(const struct gdoi_tek *t, uint64_t now)
{
	if (!t->active_ns)
		return 1;
	return t->active_ns <= now ? 2 : 0;
}

static bool better(const struct gdoi_tek *t, const struct gdoi_tek *best, uint64_t now)
{
	if (!best)
		return true;
	int rt = rank(t, now), rb = rank(best, now);
	if (rt != rb)
		return rt > rb;
	if (rt == 2)
		return t->expires_ns > best->expires_ns;
	return rt == 1 ? t->expires_ns < best->expires_ns : t->active_ns < best->active_ns;
}

const struct gdoi_tek *gdoi_policy_outbound(const struct gdoi_policy *p, uint16_t sa_num,
					    uint64_t now)
{
	const struct gdoi_tek *best = NULL;
	for (size_t i = 0; i < p->n_teks; i++) {
		const struct gdoi_tek *t = &p->tek[i];
		if (t->sa_num != sa_num || t->receive_only || !t->has_keys || t->expires_ns <= now)
			continue;
		if (better(t, best, now))
			best = t;
	}
	return best;
}

size_t gdoi_policy_expire_teks(struct gdoi_policy *p, uint64_t now)
{
	size_t kept = 0, gone = 0;
	for (size_t i = 0; i < p->n_teks; i++) {
		if (p->tek[i].expires_ns <= now) {
			gone++;
			continue;
		}
		if (kept != i)
			p->tek[kept] = p->tek[i];
		kept++;
	}
	mem_wipe(&p->tek[kept], (p->n_teks - kept) * sizeof(p->tek[0]));
	p->n_teks = kept;
	return gone;
}

uint32_t gdoi_remaining_sec(uint64_t expires_ns, uint64_t now)
{
	if (expires_ns <= now)
		return 0;
	uint64_t s = (expires_ns - now) / NS_PER_SEC;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

void gdoi_policy_clear(struct gdoi_policy *p)
{
	mem_wipe(p, sizeof(*p));
}
