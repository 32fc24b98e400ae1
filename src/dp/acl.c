#include "dp/acl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/counters.h"
#include "util/err.h"

static bool ported_proto(uint8_t proto)
{
	return proto == DP_PROTO_TCP || proto == DP_PROTO_UDP || proto == DP_PROTO_SCTP;
}

/* Operator to the inclusive range [lo, hi] (outside for neq). ERR_INVAL if impossible. */
static int port_range(const struct dp_acl_ports *p, uint16_t *lo, uint16_t *hi, bool *out)
{
	*out = false;
	switch (p->op) {
	case DP_ACL_PORT_ANY:
		*lo = 0, *hi = UINT16_MAX;
		return 0;
	case DP_ACL_PORT_EQ:
		*lo = *hi = p->a;
		return 0;
	case DP_ACL_PORT_NEQ:
		*lo = *hi = p->a;
		*out = true;
		return 0;
	case DP_ACL_PORT_LT:
		if (p->a == 0)
			return ERR_INVAL;
		*lo = 0, *hi = (uint16_t)(p->a - 1);
		return 0;
	case DP_ACL_PORT_GT:
		if (p->a == UINT16_MAX)
			return ERR_INVAL;
		*lo = (uint16_t)(p->a + 1), *hi = UINT16_MAX;
		return 0;
	case DP_ACL_PORT_RANGE:
		if (p->a > p->b)
			return ERR_INVAL;
		*lo = p->a, *hi = p->b;
		return 0;
	}
	return ERR_INVAL;
}

static int compile(const struct dp_acl_entry *e, struct dp_acl_rule *r)
{
	if (e->action != DP_ACL_PERMIT && e->action != DP_ACL_DENY)
		return ERR_INVAL;
	r->e = *e;
	r->src_mask = ~e->src_wild;
	r->dst_mask = ~e->dst_wild;
	r->e.src &= r->src_mask; /* IOS normalises "10.1.1.1 0.0.0.255" to 10.1.1.0 */
	r->e.dst &= r->dst_mask;
	int rc = port_range(&e->sport, &r->sp_lo, &r->sp_hi, &r->sp_out);
	if (!rc)
		rc = port_range(&e->dport, &r->dp_lo, &r->dp_hi, &r->dp_out);
	if (rc)
		return rc;
	r->has_ports = e->sport.op != DP_ACL_PORT_ANY || e->dport.op != DP_ACL_PORT_ANY;
	if (r->has_ports && !ported_proto(e->proto))
		return ERR_INVAL;
	return 0;
}

int dp_acl_create(const char *name, const struct dp_acl_entry *entries, size_t n, size_t nworkers,
		  struct dp_acl **out)
{
	*out = NULL;
	if (n > DP_ACL_MAX_ENTRIES || nworkers == 0)
		return ERR_INVAL;
	struct dp_acl *a = calloc(1, sizeof(*a));
	if (!a)
		return ERR_NOMEM;
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	a->n = n;
	a->nworkers = nworkers;
	a->refs = 1;
	/* One cache-line multiple of counters per worker: no false sharing. */
	size_t per_line = DP_CACHE_LINE / sizeof(a->hits[0]);
	a->stride = (n + per_line - 1) / per_line * per_line;
	if (!a->stride)
		a->stride = per_line;
	a->rules = calloc(n ? n : 1, sizeof(*a->rules));
	a->hits = aligned_alloc(DP_CACHE_LINE, nworkers * a->stride * sizeof(a->hits[0]));
	if (!a->rules || !a->hits) {
		dp_acl_unref(a);
		return ERR_NOMEM;
	}
	dp_acl_clear_counters(a);
	for (size_t i = 0; i < n; i++) {
		int rc = compile(&entries[i], &a->rules[i]);
		if (rc) {
			dp_acl_unref(a);
			return rc;
		}
	}
	*out = a;
	return 0;
}

void dp_acl_ref(struct dp_acl *a)
{
	a->refs++;
}

void dp_acl_unref(struct dp_acl *a)
{
	if (!a || --a->refs)
		return;
	free(a->rules);
	free(a->hits);
	free(a);
}

static bool port_ok(uint16_t port, uint16_t lo, uint16_t hi, bool outside)
{
	return (port >= lo && port <= hi) != outside;
}

bool dp_acl_rule_match(const struct dp_acl_rule *r, const struct dp_pkt_flow *f)
{
	if (r->e.proto && r->e.proto != f->proto)
		return false;
	if ((f->src & r->src_mask) != r->e.src || (f->dst & r->dst_mask) != r->e.dst)
		return false;
	if (!r->has_ports)
		return true;
	/* Unknown ports: IOS lets a permit match on L3 alone and skips a deny. */
	if (!f->has_ports)
		return r->e.action == DP_ACL_PERMIT;
	return port_ok(f->sport, r->sp_lo, r->sp_hi, r->sp_out) &&
	       port_ok(f->dport, r->dp_lo, r->dp_hi, r->dp_out);
}

int dp_acl_lookup(const struct dp_acl *a, const struct dp_pkt_flow *f)
{
	for (size_t i = 0; i < a->n; i++)
		if (dp_acl_rule_match(&a->rules[i], f))
			return (int)i;
	return -1;
}

int dp_acl_match(const struct dp_acl *a, size_t worker, const struct dp_pkt_flow *f)
{
	int i = dp_acl_lookup(a, f);
	if (i >= 0)
		dp_counters_add(&a->hits[worker * a->stride + (size_t)i], 1);
	return i;
}

uint64_t dp_acl_matches(const struct dp_acl *a, size_t i)
{
	uint64_t sum = 0;
	for (size_t w = 0; w < a->nworkers && i < a->n; w++)
		sum += atomic_load_explicit(&a->hits[w * a->stride + i], memory_order_relaxed);
	return sum;
}

void dp_acl_clear_counters(struct dp_acl *a)
{
	for (size_t k = 0; k < a->nworkers * a->stride; k++)
		atomic_store_explicit(&a->hits[k], 0, memory_order_relaxed);
}

/* ---- rendering ---- */

const char *dp_acl_proto_name(uint8_t proto)
{
	switch (proto) {
	case 0:
		return "ip";
	case 1:
		return "icmp";
	case 2:
		return "igmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 51:
		return "ahp";
	case 88:
		return "eigrp";
	case 89:
		return "ospf";
	case 103:
		return "pim";
	case 132:
		return "sctp";
	default:
		return NULL;
	}
}

/* Bounded appender: keeps counting past the end like snprintf. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_ip(struct out *o, uint32_t a)
{
	put(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void put_addr(struct out *o, uint32_t addr, uint32_t wild)
{
	if (wild == UINT32_MAX) {
		put(o, " any");
	} else if (wild == 0) {
		put(o, " host ");
		put_ip(o, addr);
	} else {
		put(o, " ");
		put_ip(o, addr);
		put(o, " ");
		put_ip(o, wild);
	}
}

static void put_proto(struct out *o, uint8_t proto)
{
	const char *name = dp_acl_proto_name(proto);
	if (name)
		put(o, "%s", name);
	else
		put(o, "%u", proto);
}

/* How port operators are written: `eq 848` (show access-lists), `port = 848` (GM ACL). */
struct port_style {
	const char *prefix;
	const char *ops[DP_ACL_PORT_RANGE];
};

static const struct port_style ios_style = {
    "",
    {[DP_ACL_PORT_EQ] = "eq",
     [DP_ACL_PORT_NEQ] = "neq",
     [DP_ACL_PORT_LT] = "lt",
     [DP_ACL_PORT_GT] = "gt"},
};
static const struct port_style gm_style = {
    "port ",
    {[DP_ACL_PORT_EQ] = "=",
     [DP_ACL_PORT_NEQ] = "!=",
     [DP_ACL_PORT_LT] = "<",
     [DP_ACL_PORT_GT] = ">"},
};

static void put_ports(struct out *o, const struct port_style *st, const struct dp_acl_ports *p)
{
	if (p->op == DP_ACL_PORT_ANY)
		return;
	if (p->op == DP_ACL_PORT_RANGE)
		put(o, " %srange %u %u", st->prefix, p->a, p->b);
	else
		put(o, " %s%s %u", st->prefix, st->ops[p->op], p->a);
}

static void put_body(struct out *o, const struct dp_acl_rule *r, const struct port_style *st)
{
	put(o, "%s ", r->e.action == DP_ACL_PERMIT ? "permit" : "deny");
	put_proto(o, r->e.proto);
	put_addr(o, r->e.src, r->e.src_wild);
	put_ports(o, st, &r->e.sport);
	put_addr(o, r->e.dst, r->e.dst_wild);
	put_ports(o, st, &r->e.dport);
}

static int finish(struct out *o)
{
	if (o->cap)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len > INT32_MAX ? ERR_NOSPACE : (int)o->len;
}

int dp_acl_render_show(const struct dp_acl *a, size_t i, char *buf, size_t cap)
{
	if (i >= a->n)
		return ERR_INVAL;
	struct out o = {buf, cap, 0};
	put(&o, "    %u ", a->rules[i].e.seq);
	put_body(&o, &a->rules[i], &ios_style);
	uint64_t m = dp_acl_matches(a, i);
	if (m)
		put(&o, " (%llu match%s)", (unsigned long long)m, m == 1 ? "" : "es");
	return finish(&o);
}

int dp_acl_render_gm(const struct dp_acl *a, size_t i, char *buf, size_t cap)
{
	if (i >= a->n)
		return ERR_INVAL;
	struct out o = {buf, cap, 0};
	put(&o, "access-list ");
	put_body(&o, &a->rules[i], &gm_style);
	return finish(&o);
}
