#include "daemon/mcast.h"

#include "gdoi/policy.h"

static bool has(const struct daemon_mcast_member *m, size_t n, const struct daemon_mcast_member *x)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].group == x->group && m[i].ifindex == x->ifindex)
			return true;
	return false;
}

void daemon_mcast_want(const struct gdoi_policy *p, int ifindex,
		       struct daemon_mcast_member want[static DAEMON_MCAST_MAX], size_t *n)
{
	if (!p || !p->has_kek || !p->kek.multicast || !p->kek.mcast_addr)
		return;
	struct daemon_mcast_member x = {.group = p->kek.mcast_addr, .ifindex = ifindex};
	if (*n < DAEMON_MCAST_MAX && !has(want, *n, &x))
		want[(*n)++] = x;
}

size_t daemon_mcast_wanted(const struct gdoi_gm *gm, int ifindex,
			   struct daemon_mcast_member want[static DAEMON_MCAST_MAX])
{
	size_t n = 0;
	size_t groups = gm ? gdoi_gm_group_count(gm) : 0;
	for (size_t i = 0; i < groups; i++)
		daemon_mcast_want(gdoi_gm_group_policy(gm, i), ifindex, want, &n);
	return n;
}

int daemon_mcast_sync(struct daemon_mcast *s, const struct daemon_mcast_member *want, size_t n,
		      daemon_mcast_fn fn, void *arg)
{
	int first = 0;
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (has(want, n, &s->m[i])) {
			s->m[kept++] = s->m[i];
			continue;
		}
		int rc = fn(arg, false, &s->m[i]);
		if (rc && !first)
			first = rc;
	}
	s->n = kept;
	for (size_t i = 0; i < n && s->n < DAEMON_MCAST_MAX; i++) {
		if (has(s->m, s->n, &want[i]))
			continue;
		int rc = fn(arg, true, &want[i]);
		if (rc && !first)
			first = rc;
		s->m[s->n++] = want[i];
	}
	return first;
}
