#include "showpair.h"

#include "harness.h"
#include "util/dbuf.h"

static bool registered(void *arg)
{
	struct showpair *p = arg;
	return p->gm->registrations > 0;
}

static void start(struct showpair *p, uint64_t seed, bool gm_fail_close, uint32_t mcast_addr,
		  const struct gdoi_transform *xf);

void showpair_start(struct showpair *p, uint64_t seed, bool gm_fail_close)
{
	start(p, seed, gm_fail_close, 0, NULL);
}

void showpair_start_mcast(struct showpair *p, uint64_t seed, bool gm_fail_close,
			  uint32_t mcast_addr)
{
	start(p, seed, gm_fail_close, mcast_addr, NULL);
}

void showpair_start_xf(struct showpair *p, uint64_t seed, const struct gdoi_transform *xf)
{
	start(p, seed, false, 0, xf);
}

static void start(struct showpair *p, uint64_t seed, bool gm_fail_close, uint32_t mcast_addr,
		  const struct gdoi_transform *xf)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(crypto_rsa_generate(&p->rsa, 2048), 0);
	p->s = sim_new(seed, 0, NULL);
	p->ks_log = h_log_new(p->s, false);
	p->gm_log = h_log_new(p->s, false);
	struct h_ks_setup ks;
	struct h_gm_setup gm;
	uint32_t servers[] = {SHOWPAIR_KS};
	h_ks_setup(&ks, SHOWPAIR_KS, "psk", &p->rsa);
	h_gm_setup(&gm, SHOWPAIR_GM, "psk", servers, 1);
	gm.group.fail_close = gm_fail_close;
	ks.group.multicast = mcast_addr != 0;
	ks.group.mcast_addr = mcast_addr;
	if (xf)
		ks.sa.xf = *xf;
	/* gdoi/ks_config.c memcpy()s these even when empty: no NULL under UBSan */
	static const uint32_t no_peers[1];
	ks.group.auth = ks.auth;
	ks.group.peers = no_peers;
	p->ks = h_ks_new(p->s, &ks, &p->ks_log->d);
	p->gm = h_gm_new(p->s, &gm, &p->gm_log->d, 0);
	if (mcast_addr)
		sim_node_join(p->gm->node, mcast_addr);
	assert_true(sim_run_until_cond(p->s, 5 * NS_PER_SEC, registered, p));
	/* some time passes: remaining lifetimes and uptimes move */
	sim_run_until(p->s, 60 * NS_PER_SEC);
	p->cmds = ctl_commands_new();
	assert_non_null(p->cmds);
}

void showpair_worlds(struct showpair *p, struct ctl_world *gm, struct ctl_world *ks)
{
	*gm = (struct ctl_world){.diag = &p->gm_log->d,
				 .clock = sim_clock(p->s),
				 .hostname = "GM1",
				 .gm = p->gm->gm,
				 .gm_ifname = "eth0"};
	*ks = (struct ctl_world){
	    .diag = &p->ks_log->d, .clock = sim_clock(p->s), .hostname = "KS1", .ks = p->ks->ks};
}

void showpair_stop(struct showpair *p)
{
	ctl_reply_free(&p->rep);
	ctl_commands_free(p->cmds);
	h_gm_free(p->gm);
	h_ks_free(p->ks);
	h_log_free(p->ks_log);
	h_log_free(p->gm_log);
	sim_free(p->s);
	crypto_rsa_clear(&p->rsa);
}

const char *showpair_run(struct showpair *p, struct ctl_world *w, const char *cmd, unsigned flags,
			 unsigned *status)
{
	ctl_reply_free(&p->rep);
	assert_int_equal(ctl_run(p->cmds, w, &p->sess, cmd, strlen(cmd), flags, &p->rep), 0);
	if (status)
		*status = p->rep.status;
	return dbuf_str(&p->rep.out);
}

void showpair_golden(struct showpair *p, const char *path, const struct showpair_show *shows,
		     size_t n)
{
	struct dbuf all = DBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		for (int json = 0; json < 2; json++) {
			unsigned st;
			const char *out =
			    showpair_run(p, shows[i].w, shows[i].cmd, json ? CTL_REQ_JSON : 0, &st);
			assert_int_equal(st, CTL_ST_OK);
			dbuf_printf(&all, "==== %s#%s%s\n%s", shows[i].w->hostname, shows[i].cmd,
				    json ? " --json" : "", out);
		}
	}
	harness_golden(path, dbuf_str(&all));
	dbuf_free(&all);
}
