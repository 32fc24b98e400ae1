/*
 * The fixture of the show tests: a key server and a group member of group
 * G1 (test_registration_lib.h's set-up) registered in the simulator with
 * a fixed seed, then 60 s of simulated time, so that SPIs, lifetimes and
 * counters are the same every run; and the exec commands to run against
 * a struct ctl_world built from them.
 */
#ifndef GVPN_TEST_DAEMON_SHOWPAIR_H
#define GVPN_TEST_DAEMON_SHOWPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "../../sim/test_registration_lib.h"
#include "crypto/rsa.h"
#include "ctl/exec.h"

#define SHOWPAIR_KS 0x0a010b02u /* 10.1.11.2 */
#define SHOWPAIR_GM 0x0a010d02u /* 10.1.13.2 */

struct showpair {
	struct sim *s;
	struct h_log *ks_log, *gm_log;
	struct h_ks *ks;
	struct h_gm *gm;
	struct crypto_rsa rsa;
	struct ctl_commands *cmds;
	struct ctl_session sess;
	struct ctl_reply rep;
};

/* Register the pair (asserts); gm_fail_close configures the member's group fail-close. */
void showpair_start(struct showpair *p, uint64_t seed, bool gm_fail_close);
/* The same with `rekey transport multicast` to mcast_addr (0: unicast), the member joined. */
void showpair_start_mcast(struct showpair *p, uint64_t seed, bool gm_fail_close,
			  uint32_t mcast_addr);
/* The same with the TEK transform xf (e.g. AES-GCM), unicast, no fail-close. */
void showpair_start_xf(struct showpair *p, uint64_t seed, const struct gdoi_transform *xf);
void showpair_stop(struct showpair *p);
/*
 * The command worlds of the pair as gvpnd builds them: *gm the member
 * "GM1" (crypto map on eth0), *ks the key server "KS1"; a test adds what
 * else its commands need (local ACL, IKE SAs, data plane).
 */
void showpair_worlds(struct showpair *p, struct ctl_world *gm, struct ctl_world *ks);
/*
 * Run one command line through ctl_run() (asserts it ran); returns the
 * output, valid until the next call, and the status in *status (may be NULL).
 */
const char *showpair_run(struct showpair *p, struct ctl_world *w, const char *cmd, unsigned flags,
			 unsigned *status);

/*
 * Run each show in text and in JSON (asserting CTL_ST_OK) and compare the
 * transcript ("==== HOST#cmd[ --json]" then the output) with the golden
 * file at path (harness_golden).
 */
struct showpair_show {
	struct ctl_world *w;
	const char *cmd;
};
void showpair_golden(struct showpair *p, const char *path, const struct showpair_show *shows,
		     size_t n);

#endif
