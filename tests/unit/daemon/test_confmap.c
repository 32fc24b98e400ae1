/*
 * daemon/confmap: parsed configurations (conf_parse of real text) turned
 * into the engines' and the data plane's configurations, field by field:
 * the key server and member configurations of the example, the
 * lab's example files, PSK choice by longest mask, crypto-map order and
 * data-plane settings, FILE:LINE errors for what only the daemon can
 * refuse, and the comparisons that decide how a reload applies.
 */
#include "test.h"

#include <stdlib.h>

#include "conf/parse.h"
#include "daemon/confmap.h"
#include "util/dbuf.h"
#include "util/err.h"
#include "wire/names.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* The lab's example files: KS1 and GM1 are the examples (KS key label GETVPN_KEYS). */
static char ks_text[16 * 1024], gm_text[16 * 1024];

static void read_file(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, cap - 1, fp);
	fclose(fp);
	buf[n] = 0;
}

static void read_example(const char *node, char *buf, size_t cap)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/examples/%s.conf", GVPN_SOURCE_DIR, node);
	read_file(path, buf, cap);
}

static int setup(void **state)
{
	(void)state;
	read_example("ks1", ks_text, sizeof(ks_text));
	read_example("gm1", gm_text, sizeof(gm_text));
	return 0;
}

/* ---- the world the map looks at ---- */

static const struct crypto_rsa *fake_key = (const struct crypto_rsa *)&fake_key;
static char asked_label[CONF_NAME_MAX];

static const struct crypto_rsa *rsa_key(void *arg, const char *label)
{
	(void)arg;
	snprintf(asked_label, sizeof(asked_label), "%s", label);
	return fake_key;
}

static uint32_t if_addr(void *arg, const char *ifname)
{
	(void)arg;
	return !strcmp(ifname, "eth0") ? IP4(10, 1, 13, 2) : 0;
}

static const struct daemon_confmap_env env = {.rsa_key = rsa_key, .if_addr = if_addr};

struct fx {
	struct conf_config *conf;
	struct daemon_confmap *map;
	struct dbuf err;
};

/* Parse text (must succeed), then map it; the map's result. */
static int build(struct fx *f, const char *file, const char *text,
		 const struct daemon_confmap_env *e)
{
	f->conf = conf_config_new();
	assert_non_null(f->conf);
	int rc = conf_parse(text, strlen(text), file, f->conf, &f->err);
	if (rc)
		fprintf(stderr, "%s", dbuf_str(&f->err));
	assert_int_equal(rc, 0);
	f->map = NULL;
	return daemon_confmap_build(f->conf, e, &f->map, &f->err);
}

static void done(struct fx *f)
{
	daemon_confmap_free(f->map);
	conf_config_free(f->conf);
	dbuf_free(&f->err);
	memset(f, 0, sizeof(*f));
}

/* err has a line starting with want (FILE:LINE:) that also contains word. */
static void assert_error(struct fx *f, const char *want, const char *word)
{
	const char *s = dbuf_str(&f->err);
	const char *p = strstr(s, want);
	if (!p || (p != s && p[-1] != '\n') || !strstr(p, word)) {
		fprintf(stderr, "want a line '%s ... %s' in:\n%s", want, word, s);
		fail();
	}
}

/* ---- key server ---- */

static void test_key_server_of_ks1(void **state)
{
	(void)state;
	struct fx f = {0};
	assert_int_equal(build(&f, "ks1.conf", ks_text, &env), 0);
	const struct daemon_confmap *m = f.map;

	/* ike1: one policy, the KS speaks from its `address ipv4` */
	assert_int_equal(m->n_policies, 1);
	assert_int_equal(m->policies[0].cipher, CRYPTO_CBC_AES256);
	assert_int_equal(m->policies[0].hash, CRYPTO_HASH_SHA256);
	assert_int_equal(m->policies[0].auth, WIRE_P1_AUTH_PSK);
	assert_int_equal(m->policies[0].group, 14);
	assert_int_equal(m->policies[0].life_sec, 86400);
	assert_false(m->weak_groups);
	assert_ptr_equal(m->ks.ike.policies, m->policies);
	assert_int_equal(m->ks.ike.n_policies, 1);
	assert_int_equal(m->ks.ike.local.ip4, IP4(10, 1, 11, 2));
	assert_ptr_equal(m->ks.psk, daemon_confmap_psk_cb);
	assert_int_equal(m->ks.caps, GDOI_CAPS_ALL);

	/* roles: a key server only */
	assert_ptr_equal(m->eng.ks, &m->ks);
	assert_null(m->eng.gm);
	assert_null(m->eng.dp);

	assert_int_equal(m->ks.n_groups, 1);
	const struct gdoi_ks_group_config *g = &m->ks.groups[0];
	assert_string_equal(g->name, "G1");
	assert_int_equal(g->id.type, GDOI_ID_NUMBER);
	assert_int_equal(g->id.value, 3333);
	assert_int_equal(g->ks_addr, IP4(10, 1, 11, 2));
	assert_int_equal(g->kek_alg, CRYPTO_CBC_AES128);
	assert_int_equal(g->kek_life_sec, 1200);
	assert_int_equal(g->retrans_period_sec, 10);
	assert_int_equal(g->retrans_count, 5);
	assert_false(g->multicast);
	assert_string_equal(g->rsa_label, "GETVPN_KEYS");
	assert_string_equal(asked_label, "GETVPN_KEYS");
	assert_ptr_equal(g->rsa_key, fake_key);

	assert_true(g->authorize);
	assert_int_equal(g->n_auth, 1);
	assert_true(g->auth[0].permit);
	assert_int_equal(g->auth[0].addr, IP4(10, 1, 0, 0));
	assert_int_equal(g->auth[0].wild, 0x0000ffffu);

	assert_int_equal(g->n_sas, 1);
	const struct gdoi_ks_sa_config *sa = &g->sas[0];
	assert_int_equal(sa->number, 1);
	assert_string_equal(sa->profile, "gdoi-p");
	assert_int_equal(sa->xf.enc, GDOI_ENC_AES_CBC);
	assert_int_equal(sa->xf.key_bits, 256);
	assert_int_equal(sa->xf.auth, GDOI_AUTH_SHA256);
	assert_int_equal(sa->life_sec, 900);
	assert_int_equal(sa->replay, GDOI_REPLAY_TIME);
	assert_int_equal(sa->replay_window, 4);
	assert_false(sa->receive_only);
	assert_string_equal(sa->acl_name, "ENCPOL");
	assert_int_equal(sa->n_acl, 3);
	const struct gdoi_acl_entry *a = sa->acl;
	assert_int_equal(a[0].seq, 10);
	assert_int_equal(a[0].action, GDOI_ACL_DENY);
	assert_int_equal(a[0].proto, 17);
	assert_int_equal(a[0].src_wild, 0xffffffffu);
	assert_int_equal(a[0].sport.op, GDOI_PORT_EQ);
	assert_int_equal(a[0].sport.a, 848);
	assert_int_equal(a[0].dport.op, GDOI_PORT_EQ);
	assert_int_equal(a[0].dport.a, 848);
	assert_int_equal(a[1].seq, 20);
	assert_int_equal(a[1].action, GDOI_ACL_DENY);
	assert_int_equal(a[1].proto, 1);
	assert_int_equal(a[1].sport.op, GDOI_PORT_ANY);
	assert_int_equal(a[2].seq, 30);
	assert_int_equal(a[2].action, GDOI_ACL_PERMIT);
	assert_int_equal(a[2].proto, 0);
	assert_int_equal(a[2].src, IP4(192, 168, 0, 0));
	assert_int_equal(a[2].src_wild, 0x0000ffffu);
	assert_int_equal(a[2].dst, IP4(192, 168, 0, 0));
	assert_int_equal(a[2].dst_wild, 0x0000ffffu);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(a[i].sa_num, 1);

	assert_true(g->redundancy);
	assert_int_equal(g->priority, 10);
	assert_int_equal(g->n_peers, 1);
	assert_int_equal(g->peers[0], IP4(10, 1, 12, 2));

	/* the one key covers every member */
	uint8_t key[IKE1_PSK_MAX];
	assert_int_equal(daemon_confmap_psk(m, IP4(10, 1, 13, 2), key), 6);
	assert_memory_equal(key, "s3cret", 6);
	done(&f);
}

/* The engines take it: a KS is made and freed (no RSA key: the KS logs it). */
static void test_key_server_engine_accepts(void **state)
{
	(void)state;
	struct fx f = {0};
	assert_int_equal(build(&f, "ks1.conf", ks_text, NULL), 0);
	assert_null(f.map->ks.groups[0].rsa_key);
	assert_int_equal(daemon_confmap_try(f.map, &f.err), 0);
	done(&f);
}

/* ---- group member and data plane ---- */

static void test_member_of_gm1(void **state)
{
	(void)state;
	struct fx f = {0};
	assert_int_equal(build(&f, "gm1.conf", gm_text, &env), 0);
	const struct daemon_confmap *m = f.map;
	assert_null(m->eng.ks);
	assert_ptr_equal(m->eng.gm, &m->gm);
	assert_ptr_equal(m->eng.dp, &m->dp);
	assert_int_equal(m->gm.ike.n_policies, 1);
	assert_int_equal(m->gm.ike.local.ip4, IP4(10, 1, 13, 2)); /* eth0's address */
	assert_int_equal(m->gm.n_groups, 1);
	const struct gdoi_gm_group_config *g = &m->gm.groups[0];
	assert_string_equal(g->name, "G1");
	assert_int_equal(g->id.type, GDOI_ID_NUMBER);
	assert_int_equal(g->id.value, 3333);
	assert_int_equal(g->n_servers, 2);
	assert_int_equal(g->servers[0], IP4(10, 1, 11, 2));
	assert_int_equal(g->servers[1], IP4(10, 1, 12, 2));
	assert_false(g->fail_close);

	assert_string_equal(m->dp.ifname, "eth0");
	assert_string_equal(m->map_name, "gm_map");
	assert_false(m->dp.fail_close);
	assert_int_equal(m->dp.df, DP_ESP_DF_COPY);
	assert_int_equal(m->dp.adjust_mss, 0);
	assert_int_equal(m->eng.n_dp_groups, 1);
	assert_string_equal(m->eng.dp_groups[0], "G1");

	/* a key per server; nobody else has one */
	uint8_t key[IKE1_PSK_MAX];
	assert_int_equal(daemon_confmap_psk(m, IP4(10, 1, 12, 2), key), 6);
	assert_int_equal(daemon_confmap_psk(m, IP4(10, 1, 12, 3), key), -1);
	assert_int_equal(daemon_confmap_try(m, &f.err), 0);
	done(&f);
}

/* Without an environment (--check-config) the registration address is unknown. */
static void test_member_without_environment(void **state)
{
	(void)state;
	struct fx f = {0};
	assert_int_equal(build(&f, "gm1.conf", gm_text, NULL), 0);
	assert_int_equal(f.map->gm.ike.local.ip4, 0);
	assert_string_equal(f.map->dp.ifname, "eth0");
	done(&f);
}

static void test_crypto_map_order_and_dp_settings(void **state)
{
	(void)state;
	static const char text[] = "crypto isakmp policy 1\n"
				   "crypto isakmp key k address 10.1.0.0 255.255.0.0\n"
				   "crypto ipsec df-bit clear\n"
				   "crypto gdoi group B\n"
				   " identity number 2\n"
				   " server address ipv4 10.1.12.2\n"
				   " client fail-close\n"
				   "crypto gdoi group A\n"
				   " identity number 1\n"
				   " server address ipv4 10.1.11.2\n"
				   "crypto gdoi group UNUSED\n"
				   " identity number 9\n"
				   " server address ipv4 10.1.11.2\n"
				   "crypto map m 20 gdoi\n"
				   " set group B\n"
				   "crypto map m 10 gdoi\n"
				   " set group A\n"
				   "interface eth0\n"
				   " crypto map m\n"
				   " ip tcp adjust-mss 1360\n";
	struct fx f = {0};
	assert_int_equal(build(&f, "t.conf", text, &env), 0);
	const struct daemon_confmap *m = f.map;
	/* sequence order, not file order; a group on no map does not run */
	assert_int_equal(m->gm.n_groups, 2);
	assert_string_equal(m->gm.groups[0].name, "A");
	assert_string_equal(m->gm.groups[1].name, "B");
	assert_false(m->gm.groups[0].fail_close);
	assert_true(m->gm.groups[1].fail_close);
	assert_int_equal(m->eng.n_dp_groups, 2);
	assert_string_equal(m->eng.dp_groups[0], "A");
	assert_string_equal(m->eng.dp_groups[1], "B");
	assert_true(m->dp.fail_close);
	assert_int_equal(m->dp.df, DP_ESP_DF_CLEAR);
	assert_int_equal(m->dp.adjust_mss, 1360);
	/* IOS defaults of an empty isakmp policy */
	assert_int_equal(m->policies[0].cipher, CRYPTO_CBC_AES128);
	assert_int_equal(m->policies[0].hash, CRYPTO_HASH_SHA1);
	assert_int_equal(m->policies[0].group, 14);
	done(&f);
}

static void test_psk_longest_mask(void **state)
{
	(void)state;
	static const char text[] = "crypto isakmp policy 1\n"
				   "crypto isakmp key wide address 0.0.0.0 0.0.0.0\n"
				   "crypto isakmp key host address 10.1.11.2\n"
				   "crypto isakmp key net address 10.1.0.0 255.255.0.0\n";
	struct fx f = {0};
	assert_int_equal(build(&f, "t.conf", text, &env), 0);
	uint8_t key[IKE1_PSK_MAX];
	assert_int_equal(daemon_confmap_psk(f.map, IP4(10, 1, 11, 2), key), 4);
	assert_memory_equal(key, "host", 4);
	assert_int_equal(daemon_confmap_psk(f.map, IP4(10, 1, 11, 3), key), 3);
	assert_memory_equal(key, "net", 3);
	assert_int_equal(daemon_confmap_psk(f.map, IP4(10, 2, 0, 1), key), 4);
	assert_memory_equal(key, "wide", 4);
	/* no roles: nothing to run */
	assert_null(f.map->eng.ks);
	assert_null(f.map->eng.gm);
	done(&f);
}

/* ---- what only the daemon refuses ---- */

static const char ks_head[] = "crypto isakmp policy 1\n"
			      "crypto ipsec transform-set ts esp-aes 256 esp-sha-hmac\n"
			      "crypto ipsec profile p\n"
			      " set transform-set ts\n";

static void build_ks_with(struct fx *f, const char *acl_line)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "%s"
		 "ip access-list extended E\n"
		 " %s\n"
		 "crypto gdoi group G\n"
		 " identity number 1\n"
		 " server local\n"
		 "  rekey transport unicast\n"
		 "  sa ipsec 1\n"
		 "   profile p\n"
		 "   match address ipv4 E\n"
		 "  address ipv4 10.1.11.2\n",
		 ks_head, acl_line);
	assert_int_equal(build(f, "ks.conf", text, &env), ERR_INVAL);
	assert_null(f->map);
}

static void test_error_noncontiguous_wildcard(void **state)
{
	(void)state;
	struct fx f = {0};
	/* line 6: the ACL line a TEK's selectors cannot carry */
	build_ks_with(&f, "permit ip 10.0.0.0 0.255.0.255 any");
	assert_error(&f, "ks.conf:6: ", "access-list E");
	done(&f);
}

static void test_error_multicast_without_group_address(void **state)
{
	(void)state;
	static const char tail[] = "ip access-list extended E\n"
				   " permit ip any any\n"
				   "crypto gdoi group G\n"
				   " identity number 1\n"
				   " server local\n"
				   "  sa ipsec 1\n"
				   "   profile p\n"
				   "   match address ipv4 E\n"
				   "  address ipv4 10.1.11.2\n";
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", ks_head, tail);
	struct fx f = {0};
	assert_int_equal(build(&f, "ks.conf", text, &env), ERR_INVAL);
	/* line 9: `server local` */
	assert_error(&f, "ks.conf:9: ", "rekey address");
	done(&f);
}

/* A member group on crypto map m; the interfaces follow. */
static const char gm_head[] = "crypto isakmp policy 1\n"
			      "crypto gdoi group G\n"
			      " identity number 1\n"
			      " server address ipv4 10.1.11.2\n"
			      "crypto map m 10 gdoi\n"
			      " set group G\n";

static void test_error_two_crypto_map_interfaces(void **state)
{
	(void)state;
	char text[1024];
	snprintf(text, sizeof(text),
		 "%sinterface eth0\n crypto map m\ninterface eth1\n crypto map m\n", gm_head);
	struct fx f = {0};
	assert_int_equal(build(&f, "gm.conf", text, &env), ERR_INVAL);
	assert_error(&f, "gm.conf:10: ", "eth1");
	done(&f);
}

/* An interface that does not exist is no error: the map does not look (check time). */
static void test_unknown_interface_is_no_error(void **state)
{
	(void)state;
	char text[1024];
	snprintf(text, sizeof(text), "%sinterface nosuch9\n crypto map m\n", gm_head);
	struct fx f = {0};
	assert_int_equal(build(&f, "gm.conf", text, NULL), 0);
	assert_int_equal(daemon_confmap_try(f.map, &f.err), 0);
	assert_string_equal(f.map->dp.ifname, "nosuch9");
	done(&f);
}

/* ---- reload comparisons ---- */

/* text with the first from replaced by to, into out. */
static void variant(char *out, size_t cap, const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	assert_non_null(p);
	snprintf(out, cap, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
}

static void test_same_ike_and_dp(void **state)
{
	(void)state;
	struct fx a = {0}, b = {0};
	static char text[sizeof(ks_text) + 64];
	assert_int_equal(build(&a, "ks1.conf", ks_text, &env), 0);
	/* only a group setting changed: the engines can take it in place */
	variant(text, sizeof(text), ks_text, "lifetime seconds 1200", "lifetime seconds 1300");
	assert_int_equal(build(&b, "ks1.conf", text, &env), 0);
	assert_true(daemon_confmap_same_ike(a.map, b.map));
	assert_true(daemon_confmap_same_dp(a.map, b.map));
	done(&b);
	/* another DH group: new engines */
	variant(text, sizeof(text), ks_text, " group 14", " group 19");
	assert_int_equal(build(&b, "ks1.conf", text, &env), 0);
	assert_false(daemon_confmap_same_ike(a.map, b.map));
	done(&b);
	done(&a);

	assert_int_equal(build(&a, "gm1.conf", gm_text, &env), 0);
	variant(text, sizeof(text), gm_text, " crypto map gm_map\n",
		" crypto map gm_map\n ip tcp adjust-mss 1360\n");
	assert_int_equal(build(&b, "gm1.conf", text, &env), 0);
	assert_true(daemon_confmap_same_ike(a.map, b.map));
	assert_false(daemon_confmap_same_dp(a.map, b.map));
	done(&b);
	done(&a);
}

/*
 * `crypto gdoi phase1-doi`: the DOI both ike1 set-ups offer (GDOI by
 * default, IPsec when configured); a change makes new engines, and the
 * engines take DOI 1.
 */
static void test_phase1_doi(void **state)
{
	(void)state;
	struct fx a = {0}, b = {0};
	static char text[sizeof(gm_text) + 64];
	assert_int_equal(build(&a, "gm1.conf", gm_text, &env), 0);
	assert_int_equal(a.map->gm.ike.doi, WIRE_DOI_GDOI);
	assert_int_equal(a.map->ks.ike.doi, WIRE_DOI_GDOI);
	variant(text, sizeof(text), gm_text, "crypto gdoi group G1\n",
		"crypto gdoi phase1-doi ipsec\ncrypto gdoi group G1\n");
	assert_int_equal(build(&b, "gm1.conf", text, &env), 0);
	assert_int_equal(b.map->gm.ike.doi, WIRE_DOI_IPSEC);
	assert_int_equal(b.map->ks.ike.doi, WIRE_DOI_IPSEC);
	assert_false(daemon_confmap_same_ike(a.map, b.map));
	assert_true(daemon_confmap_same_dp(a.map, b.map));
	assert_int_equal(daemon_confmap_try(b.map, &b.err), 0);
	done(&b);
	/* the explicit default is the default */
	variant(text, sizeof(text), gm_text, "crypto gdoi group G1\n",
		"crypto gdoi phase1-doi gdoi\ncrypto gdoi group G1\n");
	assert_int_equal(build(&b, "gm1.conf", text, &env), 0);
	assert_int_equal(b.map->gm.ike.doi, WIRE_DOI_GDOI);
	assert_true(daemon_confmap_same_ike(a.map, b.map));
	done(&b);
	done(&a);
}

/* ---- the lab's example files ---- */

static void test_examples(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool ks, gm;
		uint32_t local;
	} ex[] = {
	    {"ks1", true, false, IP4(10, 1, 11, 2)},
	    {"ks2", true, false, IP4(10, 1, 12, 2)},
	    {"gm1", false, true, IP4(10, 1, 13, 2)},
	    {"gm2", false, true, IP4(10, 1, 13, 2)}, /* if_addr's answer for eth0 */
	};
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		static char text[16 * 1024];
		read_example(ex[i].name, text, sizeof(text));
		struct fx f = {0};
		assert_int_equal(build(&f, ex[i].name, text, &env), 0);
		assert_int_equal(f.map->eng.ks != NULL, ex[i].ks);
		assert_int_equal(f.map->eng.gm != NULL, ex[i].gm);
		if (ex[i].ks) {
			assert_int_equal(f.map->ks.ike.local.ip4, ex[i].local);
			assert_string_equal(f.map->ks.groups[0].name, "G1");
		} else {
			assert_int_equal(f.map->gm.ike.local.ip4, ex[i].local);
			assert_string_equal(f.map->dp.ifname, "eth0");
			assert_int_equal(f.map->gm.groups[0].n_servers, 2);
			assert_int_equal(f.map->gm.groups[0].servers[0], IP4(10, 1, 11, 2));
			assert_int_equal(f.map->gm.groups[0].servers[1], IP4(10, 1, 12, 2));
		}
		daemon_confmap_free(f.map);
		/* and the engines take them, without keys or addresses */
		assert_int_equal(daemon_confmap_build(f.conf, NULL, &f.map, &f.err), 0);
		int rc = daemon_confmap_try(f.map, &f.err);
		if (rc)
			fprintf(stderr, "%s", dbuf_str(&f.err));
		assert_int_equal(rc, 0);
		done(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_key_server_of_ks1),
	    TEST(test_key_server_engine_accepts),
	    TEST(test_member_of_gm1),
	    TEST(test_member_without_environment),
	    TEST(test_crypto_map_order_and_dp_settings),
	    TEST(test_psk_longest_mask),
	    TEST(test_error_noncontiguous_wildcard),
	    TEST(test_error_multicast_without_group_address),
	    TEST(test_error_two_crypto_map_interfaces),
	    TEST(test_unknown_interface_is_no_error),
	    TEST(test_same_ike_and_dp),
	    TEST(test_phase1_doi),
	    TEST(test_examples),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
