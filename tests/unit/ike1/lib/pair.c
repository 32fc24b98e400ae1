/* The two-table harness of pair.h. */
#include "pair.h"

/* Default VID of each side: 22 octets like the gvpn capability VID. */
const struct wire_data pair_vid[2] = {
    {(const uint8_t *)"gvpn-test-vid-gm-01234", 22},
    {(const uint8_t *)"gvpn-test-vid-ks-56789", 22},
};

struct ike1_peer pair_addr(int idx)
{
	return (struct ike1_peer){idx == GM ? IP_GM : IP_KS, 848};
}

static void pair_send(void *ctx, const struct ike1_peer *peer, const uint8_t *msg, size_t len)
{
	struct side *s = ctx;
	struct pair *p = s->pair;
	assert_true(len <= sizeof(p->q[0].b));
	assert_int_equal(peer->ip4, s->idx == GM ? IP_KS : IP_GM);
	assert_true(p->nq < PAIR_QMAX);
	struct pkt *k = &p->q[p->nq++];
	k->to = 1 - s->idx;
	k->len = len;
	memcpy(k->b, msg, len);
	if (p->nsent < PAIR_SENT_MAX)
		p->sent[p->nsent++] = *k;
}

static int pair_psk(void *ctx, const struct ike1_peer *peer, uint8_t key[static IKE1_PSK_MAX])
{
	struct side *s = ctx;
	(void)peer;
	if (!s->psk)
		return -1;
	size_t n = strlen(s->psk);
	memcpy(key, s->psk, n);
	return (int)n;
}

static void pair_up(void *ctx, struct ike1_sa *sa, const struct ike1_vids *vids)
{
	struct side *s = ctx;
	s->ups++;
	s->up_sa = sa;
	s->peer_vids = vids->n;
	if (vids->n && vids->v[0].len <= sizeof(s->peer_vid0)) {
		memcpy(s->peer_vid0, vids->v[0].p, vids->v[0].len);
		s->peer_vid0_len = vids->v[0].len;
	}
}

static void pair_down(void *ctx, struct ike1_sa *sa, const struct ike1_peer *peer,
		      const struct ike1_result *r)
{
	struct side *s = ctx;
	(void)peer;
	s->downs++;
	if (!sa)
		s->downs_without_sa++;
	if (sa == s->up_sa)
		s->up_sa = NULL;
	s->last_down = *r;
}

static void pair_info(void *ctx, struct ike1_sa *sa, const struct wire_msg *m)
{
	struct side *s = ctx;
	(void)sa;
	(void)m;
	s->infos++;
}

struct ike1_policy pair_policy(enum crypto_cbc_alg c, enum crypto_hash_alg h, uint8_t group)
{
	return (struct ike1_policy){
	    .cipher = c, .hash = h, .auth = WIRE_P1_AUTH_PSK, .group = group, .life_sec = 86400};
}

/* Configure side idx with n policies (copied) before pair_start. */
void pair_config(struct pair *p, int idx, const struct ike1_policy *pol, size_t n)
{
	struct side *s = &p->s[idx];
	ike1_config_default(&s->cfg);
	memcpy(s->pol, pol, n * sizeof(*pol));
	s->cfg.policies = s->pol;
	s->cfg.n_policies = n;
	s->cfg.local = pair_addr(idx);
	s->cfg.vids = &pair_vid[idx];
	s->cfg.n_vids = 1;
}

void pair_init(struct pair *p, const struct ike1_policy *pol, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->now = 1000 * NS_PER_SEC;
	for (int i = 0; i < 2; i++) {
		p->s[i].pair = p;
		p->s[i].idx = i;
		p->s[i].psk = "correct horse battery";
		crypto_rng_seeded(&p->s[i].rng, 42 + (uint64_t)i);
		pair_config(p, i, pol, n);
	}
}

/* Create both tables from the side configurations. Returns ike1_sa_table_init of the worse. */
int pair_start(struct pair *p)
{
	int worst = 0;
	for (int i = 0; i < 2; i++) {
		struct side *s = &p->s[i];
		struct ike1_io io = {.ctx = s,
				     .send = pair_send,
				     .psk = pair_psk,
				     .up = pair_up,
				     .down = pair_down,
				     .info = pair_info};
		int rc = ike1_sa_table_init(&s->t, &s->cfg, &io, &s->rng, p->diag);
		if (rc < 0)
			worst = rc;
	}
	return worst;
}

void pair_free(struct pair *p)
{
	for (int i = 0; i < 2; i++)
		ike1_sa_table_free(&p->s[i].t);
}

void pair_feed(struct pair *p, const struct pkt *k)
{
	struct ike1_peer from = pair_addr(1 - k->to);
	struct ike1_sa *sa = NULL;
	p->verdict = ike1_sa_input(&p->s[k->to].t, p->now, &from, k->b, k->len, &sa);
	p->upper_sa = sa;
}

/* Deliver the oldest queued datagram through the filter. false when the queue is empty. */
bool pair_deliver(struct pair *p)
{
	if (!p->nq)
		return false;
	struct pkt k = p->q[0];
	memmove(&p->q[0], &p->q[1], (p->nq - 1) * sizeof(p->q[0]));
	p->nq--;
	int what = p->filter ? p->filter(p, &k, p->delivered) : 0;
	p->delivered++;
	if (what == 1)
		return true;
	pair_feed(p, &k);
	if (what == 2)
		pair_feed(p, &k);
	return true;
}

void pair_pump(struct pair *p)
{
	for (int guard = 0; guard < 1000 && pair_deliver(p); guard++)
		;
}

uint64_t pair_deadline(const struct pair *p)
{
	return MIN(ike1_sa_next_deadline(&p->s[0].t), ike1_sa_next_deadline(&p->s[1].t));
}

/* Deliver everything, then advance the clock to each deadline up to `until`. */
void pair_run(struct pair *p, uint64_t until)
{
	for (int guard = 0; guard < 10000; guard++) {
		pair_pump(p);
		uint64_t next = pair_deadline(p);
		if (next > until)
			break;
		if (next > p->now)
			p->now = next;
		for (int i = 0; i < 2; i++)
			ike1_sa_tick(&p->s[i].t, p->now);
	}
	if (p->now < until)
		p->now = until;
}

/* The only SA of a side's table (or NULL). */
static int pair_first_cb(void *arg, struct ike1_sa *sa)
{
	*(struct ike1_sa **)arg = sa;
	return 1;
}

struct ike1_sa *pair_sa(struct pair *p, int idx)
{
	struct ike1_sa *sa = NULL;
	ike1_sa_foreach(&p->s[idx].t, pair_first_cb, &sa);
	return sa;
}

/* Start Main Mode from the GM and run to quiet. */
void pair_handshake(struct pair *p)
{
	struct ike1_peer ks = pair_addr(KS);
	assert_int_equal(ike1_sa_initiate(&p->s[GM].t, p->now, &ks, NULL), 0);
	pair_pump(p);
}

/* Both sides up with the same keys, cookies and last phase-1 block. */
void pair_assert_same_keys(struct pair *p)
{
	struct ike1_sa *a = p->s[GM].up_sa, *b = p->s[KS].up_sa;
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_equal(a->cky_i, b->cky_i, 8);
	assert_memory_equal(a->cky_r, b->cky_r, 8);
	assert_int_equal(a->keys.prf_len, b->keys.prf_len);
	assert_int_equal(a->keys.key_len, b->keys.key_len);
	assert_memory_equal(a->keys.skeyid_d, b->keys.skeyid_d, a->keys.prf_len);
	assert_memory_equal(a->keys.skeyid_a, b->keys.skeyid_a, a->keys.prf_len);
	assert_memory_equal(a->keys.skeyid_e, b->keys.skeyid_e, a->keys.prf_len);
	assert_memory_equal(a->keys.key, b->keys.key, a->keys.key_len);
	assert_memory_equal(a->p1_last, b->p1_last, a->keys.block_len);
}
