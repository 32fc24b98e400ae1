/*
 * conf/: the issue's two example configurations parse to the expected
 * model; each class of error gives its exact FILE:LINE message; parse ->
 * write -> parse -> write is a fixed point; every examples/NAME.conf parses.
 */
#include "test.h"

#include <dirent.h>
#include <stdlib.h>

#include "conf/parse.h"
#include "conf/write.h"
#include "util/dbuf.h"
#include "util/err.h"

#define EXAMPLES GVPN_SOURCE_DIR "/examples"

static const char ks_text[] = "hostname KS1\n"
			      "crypto isakmp policy 10\n"
			      " encryption aes 256\n"
			      " hash sha256\n"
			      " authentication pre-share\n"
			      " group 14\n"
			      "crypto isakmp key s3cret address 0.0.0.0 0.0.0.0\n"
			      "crypto ipsec transform-set gdoi-ts esp-aes 256 esp-sha256-hmac\n"
			      "crypto ipsec profile gdoi-p\n"
			      " set transform-set gdoi-ts\n"
			      " set security-association lifetime seconds 900\n"
			      "ip access-list extended ENCPOL\n"
			      " deny udp any eq 848 any eq 848\n"
			      " deny icmp any any\n"
			      " permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255\n"
			      "ip access-list standard GM_ALLOWED\n"
			      " permit 10.1.0.0 0.0.255.255\n"
			      "crypto gdoi group G1\n"
			      " identity number 3333\n"
			      " server local\n"
			      "  rekey algorithm aes 128\n"
			      "  rekey lifetime seconds 1200\n"
			      "  rekey retransmit 10 number 5\n"
			      "  rekey authentication mypubkey rsa get\n"
			      "  rekey transport unicast\n"
			      "  authorization address ipv4 GM_ALLOWED\n"
			      "  sa ipsec 1\n"
			      "   profile gdoi-p\n"
			      "   match address ipv4 ENCPOL\n"
			      "   replay time window-size 4\n"
			      "  address ipv4 10.1.11.2\n"
			      "  redundancy\n"
			      "   local priority 10\n"
			      "   peer address ipv4 10.1.12.2\n";

static const char gm_text[] = "hostname GM1\n"
			      "crypto isakmp policy 10\n"
			      " encryption aes 256\n"
			      " hash sha256\n"
			      " authentication pre-share\n"
			      " group 14\n"
			      "crypto isakmp key s3cret address 10.1.11.2\n"
			      "crypto isakmp key s3cret address 10.1.12.2\n"
			      "crypto gdoi group G1\n"
			      " identity number 3333\n"
			      " server address ipv4 10.1.11.2\n"
			      " server address ipv4 10.1.12.2\n"
			      "crypto map gm_map 10 gdoi\n"
			      " set group G1\n"
			      "interface eth0\n"
			      " crypto map gm_map\n";

/* A configuration with every command of the language. */
static const char all_text[] =
    "hostname ALL\n"
    "logging buffered 100000\n"
    "crypto isakmp policy 5\n"
    " encryption 3des\n"
    " hash sha\n"
    " authentication pre-share\n"
    " group 2\n"
    " lifetime 3600\n"
    "crypto isakmp policy 10\n"
    " encr aes 192\n"
    " hash sha384\n"
    " group 21\n"
    "crypto isakmp key 0 k1 address 10.0.0.0 255.0.0.0\n"
    "crypto isakmp key k2 address 10.1.1.1\n"
    "crypto isakmp key k3 address 0.0.0.0\n"
    "crypto gdoi phase1-doi gdoi\n"
    "crypto gdoi phase1-doi ipsec\n"
    "crypto ipsec transform-set t1 esp-aes esp-sha-hmac\n"
    " mode tunnel\n"
    "crypto ipsec transform-set t2 esp-gcm 256\n"
    "crypto ipsec transform-set t3 esp-3des esp-sha384-hmac\n"
    "crypto ipsec transform-set t4 esp-sha256-hmac esp-null\n"
    "crypto ipsec transform-set t5 esp-gcm\n"
    "crypto ipsec profile p1\n"
    " set transform-set t1 t2 t3\n"
    "crypto ipsec profile p2\n"
    " set transform-set t4\n"
    " set security-association lifetime seconds 2592000\n"
    "crypto ipsec df-bit clear\n"
    "ip access-list extended E1\n"
    " permit tcp 10.0.0.0 0.255.255.255 range 1000 2000 host 10.2.2.2 neq 22\n"
    " deny udp host 1.2.3.4 lt 1024 any gt 1023\n"
    " permit 47 any any\n"
    " deny esp any any\n"
    " permit 200 10.9.9.9 0.0.0.0 any\n"
    " permit udp any eq isakmp any eq 0\n"
    "ip access-list extended MC\n"
    " permit udp host 10.1.11.2 eq 848 host 239.1.1.1 eq 848\n"
    "ip access-list standard S1\n"
    " permit any\n"
    " deny host 10.1.1.1\n"
    " permit 10.1.2.3\n"
    " deny 10.3.0.0 0.0.255.255\n"
    "crypto gdoi group KS\n"
    " identity number 0\n"
    " server local\n"
    "  rekey algorithm 3des\n"
    "  rekey lifetime seconds 300\n"
    "  rekey retransmit 60 number 1\n"
    "  rekey authentication mypubkey rsa GETVPN_KEYS\n"
    "  rekey transport multicast\n"
    "  rekey address ipv4 MC\n"
    "  authorization address ipv4 S1\n"
    "  sa receive-only\n"
    "  sa ipsec 1\n"
    "   profile p1\n"
    "   match address ipv4 E1\n"
    "   replay counter window-size 1024\n"
    "  sa ipsec 2\n"
    "   profile p2\n"
    "   match address ipv4 E1\n"
    "   no replay\n"
    "  sa ipsec 65535\n"
    "   profile p2\n"
    "   match address ipv4 E1\n"
    "   replay counter window-size 64\n"
    "  address ipv4 10.1.11.2\n"
    "  redundancy\n"
    "   local priority 255\n"
    "   peer address ipv4 10.1.12.2\n"
    "   peer address ipv4 10.1.13.2\n"
    "crypto gdoi group KS2\n"
    " identity number 4294967295\n"
    " server local\n"
    "  rekey algorithm aes 256\n"
    "  sa ipsec 7\n"
    "   profile p1\n"
    "   match address ipv4 E1\n"
    "  address ipv4 10.1.11.2\n"
    "crypto gdoi group GM\n"
    " identity number 1\n"
    " server address ipv4 10.1.11.2\n"
    " server address ipv4 10.1.12.2\n"
    " client fail-close\n"
    "crypto gdoi group GM2\n"
    " identity number 2\n"
    " server address ipv4 10.1.12.2\n"
    "crypto map m1 10 gdoi\n"
    " set group GM\n"
    " match address E1\n"
    "crypto map m1 20 gdoi\n"
    " set group GM2\n"
    "crypto map m1 gdoi fail-close\n"
    " match address E1\n"
    " activate\n"
    "interface eth0\n"
    " crypto map m1\n"
    " ip tcp adjust-mss 1360\n"
    "interface eth1\n"
    " ip tcp adjust-mss 500\n";

static struct conf_config *parse_ok(const char *text, size_t len, const char *file)
{
	struct conf_config *c = conf_config_new();
	struct dbuf err = DBUF_INIT;
	assert_non_null(c);
	int rc = conf_parse(text, len, file, c, &err);
	if (rc)
		fprintf(stderr, "%s", dbuf_str(&err));
	assert_int_equal(rc, 0);
	assert_int_equal(err.len, 0);
	dbuf_free(&err);
	return c;
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

static void test_issue_ks(void **state)
{
	(void)state;
	struct conf_config *c = parse_ok(ks_text, sizeof(ks_text) - 1, "ks1.conf");
	assert_string_equal(c->file, "ks1.conf");
	assert_string_equal(c->hostname, "KS1");
	assert_int_equal(c->hostname_line, 1);
	assert_int_equal(c->log_buffered_bytes, 0);

	assert_int_equal(c->n_isakmp_policies, 1);
	const struct conf_isakmp_policy *p = &c->isakmp_policies[0];
	assert_int_equal(p->line, 2);
	assert_int_equal(p->priority, 10);
	assert_int_equal(p->enc, CONF_IKE_ENC_AES);
	assert_int_equal(p->key_bits, 256);
	assert_int_equal(p->hash, CONF_HASH_SHA256);
	assert_int_equal(p->auth, CONF_IKE_AUTH_PSK);
	assert_int_equal(p->dh_group, 14);
	assert_int_equal(p->lifetime_sec, 86400);

	assert_int_equal(c->n_isakmp_keys, 1);
	assert_string_equal(c->isakmp_keys[0].key, "s3cret");
	assert_int_equal(c->isakmp_keys[0].addr, 0);
	assert_int_equal(c->isakmp_keys[0].mask, 0);
	assert_int_equal(c->isakmp_keys[0].line, 7);

	assert_int_equal(c->n_transform_sets, 1);
	const struct conf_transform_set *t = conf_find_transform_set(c, "gdoi-ts");
	assert_non_null(t);
	assert_int_equal(t->enc, CONF_ESP_AES);
	assert_int_equal(t->key_bits, 256);
	assert_int_equal(t->auth, CONF_ESP_AUTH_SHA256);

	const struct conf_profile *pr = conf_find_profile(c, "gdoi-p");
	assert_non_null(pr);
	assert_int_equal(pr->n_sets, 1);
	assert_string_equal(pr->sets[0].name, "gdoi-ts");
	assert_int_equal(pr->sets[0].line, 10);
	assert_int_equal(pr->life_sec, 900);

	const struct conf_acl *a = conf_find_acl(c, "ENCPOL");
	assert_non_null(a);
	assert_false(a->standard);
	assert_int_equal(a->n_lines, 3);
	assert_false(a->lines[0].permit);
	assert_int_equal(a->lines[0].proto, 17);
	assert_int_equal(a->lines[0].src_wild, UINT32_MAX);
	assert_int_equal(a->lines[0].sport.op, CONF_PORT_EQ);
	assert_int_equal(a->lines[0].sport.a, 848);
	assert_int_equal(a->lines[0].dport.op, CONF_PORT_EQ);
	assert_int_equal(a->lines[0].dport.a, 848);
	assert_int_equal(a->lines[1].proto, 1);
	assert_int_equal(a->lines[1].sport.op, CONF_PORT_ANY);
	assert_true(a->lines[2].permit);
	assert_int_equal(a->lines[2].proto, 0);
	assert_int_equal(a->lines[2].src, ip4(192, 168, 0, 0));
	assert_int_equal(a->lines[2].src_wild, 0xffff);
	assert_int_equal(a->lines[2].dst, ip4(192, 168, 0, 0));
	assert_int_equal(a->lines[2].dst_wild, 0xffff);
	assert_int_equal(a->lines[2].line, 15);

	a = conf_find_acl(c, "GM_ALLOWED");
	assert_non_null(a);
	assert_true(a->standard);
	assert_int_equal(a->n_lines, 1);
	assert_true(a->lines[0].permit);
	assert_int_equal(a->lines[0].src, ip4(10, 1, 0, 0));
	assert_int_equal(a->lines[0].src_wild, 0xffff);

	assert_int_equal(c->n_groups, 1);
	const struct conf_gdoi_group *g = conf_find_group(c, "G1");
	assert_non_null(g);
	assert_int_equal(g->line, 18);
	assert_int_equal(g->identity, 3333);
	assert_true(g->has_server);
	assert_int_equal(g->n_servers, 0);
	assert_false(conf_group_fail_close(c, g));
	const struct conf_gdoi_server *s = &g->server;
	assert_int_equal(s->line, 20);
	assert_int_equal(s->rekey_alg, CONF_KEK_AES);
	assert_int_equal(s->rekey_key_bits, 128);
	assert_int_equal(s->rekey_life_sec, 1200);
	assert_int_equal(s->retrans_period_sec, 10);
	assert_int_equal(s->retrans_count, 5);
	assert_string_equal(s->rsa_label.name, "get");
	assert_int_equal(s->transport, CONF_REKEY_UNICAST);
	assert_string_equal(s->rekey_acl.name, "");
	assert_string_equal(s->auth_acl.name, "GM_ALLOWED");
	assert_int_equal(s->auth_acl.line, 26);
	assert_int_equal(s->n_sas, 1);
	assert_int_equal(s->sas[0].number, 1);
	assert_int_equal(s->sas[0].line, 27);
	assert_string_equal(s->sas[0].profile.name, "gdoi-p");
	assert_string_equal(s->sas[0].match.name, "ENCPOL");
	assert_int_equal(s->sas[0].replay, CONF_REPLAY_TIME);
	assert_int_equal(s->sas[0].replay_window, 4);
	assert_int_equal(s->addr, ip4(10, 1, 11, 2));
	assert_int_equal(s->addr_line, 31);
	assert_true(s->redundancy);
	assert_int_equal(s->priority, 10);
	assert_int_equal(s->n_peers, 1);
	assert_int_equal(s->peers[0], ip4(10, 1, 12, 2));
	assert_int_equal(c->n_crypto_maps, 0);
	assert_int_equal(c->n_interfaces, 0);
	conf_config_free(c);
}

static void test_issue_gm(void **state)
{
	(void)state;
	/* not NUL-terminated: the parser must stop at len */
	size_t len = sizeof(gm_text) - 1;
	char *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, gm_text, len);
	struct conf_config *c = parse_ok(copy, len, "gm1.conf");
	free(copy);
	assert_string_equal(c->hostname, "GM1");
	assert_int_equal(c->n_isakmp_keys, 2);
	assert_int_equal(c->isakmp_keys[0].addr, ip4(10, 1, 11, 2));
	assert_int_equal(c->isakmp_keys[0].mask, UINT32_MAX);
	assert_int_equal(c->isakmp_keys[1].addr, ip4(10, 1, 12, 2));
	const struct conf_gdoi_group *g = conf_find_group(c, "G1");
	assert_non_null(g);
	assert_false(g->has_server);
	assert_int_equal(g->identity, 3333);
	assert_int_equal(g->n_servers, 2);
	assert_int_equal(g->servers[0].addr, ip4(10, 1, 11, 2));
	assert_int_equal(g->servers[0].line, 11);
	assert_int_equal(g->servers[1].addr, ip4(10, 1, 12, 2));
	assert_false(g->fail_close);
	assert_false(c->phase1_doi_ipsec); /* default: DOI 2, GDOI */
	assert_int_equal(c->phase1_doi_line, 0);
	const struct conf_crypto_map *m = conf_find_crypto_map(c, "gm_map");
	assert_non_null(m);
	assert_int_equal(m->seq, 10);
	assert_string_equal(m->group.name, "G1");
	assert_int_equal(m->group.line, 14);
	assert_int_equal(c->n_interfaces, 1);
	assert_string_equal(c->interfaces[0].name, "eth0");
	assert_string_equal(c->interfaces[0].crypto_map.name, "gm_map");
	assert_int_equal(c->interfaces[0].adjust_mss, 0);
	conf_config_free(c);
}

/* Write, reparse, compare, write again: the same text. */
static void round_trip(const char *text, size_t len, const char *file)
{
	struct conf_config *a = parse_ok(text, len, file);
	struct dbuf w1 = DBUF_INIT, w2 = DBUF_INIT;
	assert_int_equal(conf_write(a, &w1), 0);
	struct conf_config *b = parse_ok((const char *)w1.p, w1.len, "written");
	assert_true(conf_config_equal(a, b));
	assert_int_equal(conf_write(b, &w2), 0);
	assert_string_equal(dbuf_str(&w1), dbuf_str(&w2));
	dbuf_free(&w1);
	dbuf_free(&w2);
	conf_config_free(a);
	conf_config_free(b);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(ks_text, sizeof(ks_text) - 1, "ks");
	round_trip(gm_text, sizeof(gm_text) - 1, "gm");
	round_trip(all_text, sizeof(all_text) - 1, "all");
}

static void test_every_command(void **state)
{
	(void)state;
	struct conf_config *c = parse_ok(all_text, sizeof(all_text) - 1, "all");
	assert_int_equal(c->log_buffered_bytes, 100000);
	assert_true(c->df_bit_clear);
	assert_true(c->phase1_doi_ipsec); /* the last of the two */
	assert_int_equal(c->phase1_doi_line, 17);
	assert_int_equal(c->isakmp_policies[0].enc, CONF_IKE_ENC_3DES);
	assert_int_equal(c->isakmp_policies[0].key_bits, 192);
	assert_int_equal(c->isakmp_policies[0].lifetime_sec, 3600);
	assert_int_equal(c->isakmp_policies[1].auth, CONF_IKE_AUTH_PSK); /* default */
	assert_string_equal(c->isakmp_keys[0].key, "k1");
	assert_int_equal(c->isakmp_keys[0].mask, 0xff000000);
	assert_int_equal(c->isakmp_keys[2].addr, 0); /* IOS form of any peer */
	assert_int_equal(c->isakmp_keys[2].mask, 0);
	assert_int_equal(c->isakmp_policies[1].key_bits, 192);
	const struct conf_transform_set *t = conf_find_transform_set(c, "t1");
	assert_int_equal(t->key_bits, 128);
	assert_int_equal(t->auth, CONF_ESP_AUTH_SHA1);
	t = conf_find_transform_set(c, "t4");
	assert_int_equal(t->enc, CONF_ESP_NULL);
	assert_int_equal(t->auth, CONF_ESP_AUTH_SHA256);
	assert_int_equal(conf_find_profile(c, "p1")->n_sets, 3);
	const struct conf_acl *a = conf_find_acl(c, "E1");
	assert_int_equal(a->lines[0].sport.op, CONF_PORT_RANGE);
	assert_int_equal(a->lines[0].sport.a, 1000);
	assert_int_equal(a->lines[0].sport.b, 2000);
	assert_int_equal(a->lines[0].dst_wild, 0);
	assert_int_equal(a->lines[0].dport.op, CONF_PORT_NEQ);
	assert_int_equal(a->lines[1].sport.op, CONF_PORT_LT);
	assert_int_equal(a->lines[1].dport.op, CONF_PORT_GT);
	assert_int_equal(a->lines[2].proto, 47);
	assert_int_equal(a->lines[4].proto, 200);
	assert_int_equal(a->lines[5].sport.a, 500);
	a = conf_find_acl(c, "S1");
	assert_int_equal(a->lines[2].src, ip4(10, 1, 2, 3));
	assert_int_equal(a->lines[2].src_wild, 0);
	const struct conf_gdoi_server *s = &conf_find_group(c, "KS")->server;
	assert_int_equal(s->rekey_alg, CONF_KEK_3DES);
	assert_int_equal(s->transport, CONF_REKEY_MULTICAST);
	assert_string_equal(s->rekey_acl.name, "MC");
	assert_true(s->receive_only);
	assert_int_equal(s->n_sas, 3);
	assert_int_equal(s->sas[0].replay, CONF_REPLAY_COUNTER);
	assert_int_equal(s->sas[0].replay_window, 1024);
	assert_int_equal(s->sas[1].replay, CONF_REPLAY_NONE);
	assert_int_equal(s->n_peers, 2);
	s = &conf_find_group(c, "KS2")->server;
	assert_int_equal(s->retrans_count, 2); /* default */
	assert_int_equal(s->priority, 1);
	assert_false(s->redundancy);
	assert_int_equal(s->sas[0].replay, CONF_REPLAY_COUNTER);
	assert_int_equal(s->sas[0].replay_window, 64);
	assert_true(conf_group_fail_close(c, conf_find_group(c, "GM")));
	/* GM2 is fail-close through the activated crypto map form */
	assert_false(conf_find_group(c, "GM2")->fail_close);
	assert_true(conf_group_fail_close(c, conf_find_group(c, "GM2")));
	assert_true(conf_find_fail_close(c, "m1")->activate);
	assert_int_equal(conf_find_crypto_map(c, "m1")->seq, 10);
	assert_int_equal(c->interfaces[0].adjust_mss, 1360);
	conf_config_free(c);
}

/* The exact messages of a text that does not parse, and the code. */
static void expect_errors(const char *text, int code, const char *messages)
{
	struct conf_config *c = conf_config_new();
	struct dbuf err = DBUF_INIT;
	assert_int_equal(conf_parse(text, strlen(text), "t.conf", c, &err), code);
	assert_string_equal(dbuf_str(&err), messages);
	dbuf_free(&err);
	conf_config_free(c);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_errors("crypto isakmp policy 10\n encryption aes 512\n", ERR_SYNTAX,
		      "t.conf:2: 'aes 512': expected 128, 192 or 256\n");
	expect_errors("crypto isakmp policy 10\n hash md5\n group 5\n lifetime 10\n", ERR_SYNTAX,
		      "t.conf:2: 'hash md5': expected sha, sha256 or sha384\n"
		      "t.conf:3: 'group 5': expected 2, 14, 15, 16, 19, 20 or 21\n"
		      "t.conf:4: 'lifetime 10': expected a number from 60 to 86400\n");
	expect_errors("hostname A\nfoo bar\n", ERR_SYNTAX,
		      "t.conf:2: 'foo': unknown command, expected hostname, logging, crypto, ip, "
		      "interface or end\n");
	expect_errors("crypto isakmp policy 10\n encryption\n", ERR_SYNTAX,
		      "t.conf:2: 'encryption': incomplete command, expected aes or 3des after "
		      "it\n");
	expect_errors("crypto ipsec transform-set t esp-aes 512\n", ERR_SYNTAX,
		      "t.conf:1: 'esp-aes 512': expected 128, 192 or 256\n");
	expect_errors("crypto ipsec transform-set t esp-gcm 256 esp-sha-hmac\n", ERR_SYNTAX,
		      "t.conf:1: 'esp-sha-hmac': expected no HMAC with esp-gcm (GCM "
		      "authenticates itself)\n");
	expect_errors("crypto ipsec transform-set t esp-des\n", ERR_SYNTAX,
		      "t.conf:1: 't esp-des': expected esp-aes, esp-gcm, esp-3des or esp-null, "
		      "or esp-sha-hmac, esp-sha256-hmac or esp-sha384-hmac\n");
	expect_errors("ip access-list extended A\n permit tcp any eq 70000 any\n"
		      " permit icmp any eq 1 any\n permit ip 10.1.1 any\n"
		      " permit tcp any range 20 10 any\n",
		      ERR_SYNTAX,
		      "t.conf:2: 'eq 70000': expected a port number from 0 to 65535\n"
		      "t.conf:3: 'any eq': expected no port operator (ports only with tcp and "
		      "udp)\n"
		      "t.conf:4: 'ip 10.1.1': expected any, host or an IPv4 address\n"
		      "t.conf:5: '20 10': expected a port not below the start of the range\n");
	expect_errors("crypto gdoi group G\n identity number 1\n server local\n"
		      "  rekey lifetime seconds 100\n  sa ipsec 1\n   replay time window-size 0\n"
		      "   profile p\n   match address ipv4 E\n"
		      "   replay counter window-size 100\n  address ipv4 10.1.1.1\n"
		      "  redundancy\n   local priority 0\n"
		      "crypto ipsec transform-set t esp-aes\n"
		      "crypto ipsec profile p\n set transform-set t\n"
		      "ip access-list extended E\n permit ip any any\n",
		      ERR_SYNTAX,
		      "t.conf:4: 'seconds 100': expected a number from 300 to 2592000\n"
		      "t.conf:6: 'window-size 0': expected a number from 1 to 100\n"
		      "t.conf:9: 'window-size 100': expected 64, 128, 256, 512 or 1024\n"
		      "t.conf:12: 'priority 0': expected a number from 1 to 255\n");
	/* submode commands outside their submode are unknown at the top */
	expect_errors("interface eth0\n ip tcp adjust-mss 1500\n", ERR_SYNTAX,
		      "t.conf:2: 'adjust-mss 1500': expected a number from 500 to 1460\n");
	expect_errors("identity number 3\n", ERR_SYNTAX,
		      "t.conf:1: 'identity': unknown command, expected hostname, logging, crypto, "
		      "ip, interface or end\n");
	expect_errors("crypto gdoi group G\n idnetity number 3\n", ERR_SYNTAX,
		      "t.conf:2: 'idnetity': unknown command, expected identity, server or "
		      "client (or a command of an enclosing mode)\n"
		      "t.conf:1: 'crypto gdoi group G': missing 'identity number N'\n"
		      "t.conf:1: 'crypto gdoi group G': missing 'server address ipv4 A' (member) "
		      "or 'server local' (key server)\n");
	expect_errors("hostname A B\n", ERR_SYNTAX, "t.conf:1: 'A B': expected end of line\n");
	expect_errors("crypto gdoi phase1-doi 1\ncrypto gdoi phase1-doi\n"
		      "crypto gdoi phase1-doi ipsec gdoi\ncrypto gdoi phase-doi ipsec\n",
		      ERR_SYNTAX,
		      "t.conf:1: 'phase1-doi 1': expected ipsec or gdoi\n"
		      "t.conf:2: 'phase1-doi': incomplete command, expected ipsec or gdoi after "
		      "it\n"
		      "t.conf:3: 'ipsec gdoi': expected end of line\n"
		      "t.conf:4: 'gdoi phase-doi': expected group or phase1-doi\n");
	expect_errors("crypto map m 10 ipsec-isakmp\n", ERR_SYNTAX,
		      "t.conf:1: '10 ipsec-isakmp': expected gdoi (the only crypto map type)\n");
	/* a key is never quoted */
	expect_errors("crypto isakmp key s3cret adress 1.1.1.1\n"
		      "crypto isakmp key s3cret address 1.1.1.1\n"
		      "crypto isakmp key s3cret address 1.1.1.1\n",
		      ERR_SYNTAX,
		      "t.conf:1: '<key> adress': expected 'address'\n"
		      "t.conf:3: 'crypto isakmp key <key> address 1.1.1.1': duplicate key for "
		      "this address (first defined at line 2)\n");
	expect_errors("hostname \x01x\n", ERR_SYNTAX,
		      "t.conf:1: invalid byte 0x01 at column 10 (only printable ASCII)\n");
}

static void test_duplicates_and_limits(void **state)
{
	(void)state;
	expect_errors("crypto ipsec transform-set t esp-3des esp-sha-hmac\n"
		      "crypto ipsec transform-set t esp-null esp-sha-hmac\n",
		      ERR_SYNTAX,
		      "t.conf:2: 'crypto ipsec transform-set t': duplicate transform-set (first "
		      "defined at line 1)\n");
	expect_errors("ip access-list standard A\nip access-list extended A\n", ERR_SYNTAX,
		      "t.conf:2: 'ip access-list extended A': duplicate access list (first "
		      "defined at line 1)\n");
	expect_errors("crypto gdoi group G\n identity number 1\n server address ipv4 1.1.1.1\n"
		      " server address ipv4 1.1.1.1\ncrypto gdoi group G\n",
		      ERR_SYNTAX,
		      "t.conf:4: 'server address ipv4 1.1.1.1': duplicate server address (first "
		      "defined at line 3)\n"
		      "t.conf:5: 'crypto gdoi group G': duplicate crypto gdoi group (first "
		      "defined at line 1)\n");
	/* a bad block still eats its lines: one error, not one per line */
	expect_errors("crypto isakmp policy 0\n encryption aes 256\n hash sha\n", ERR_SYNTAX,
		      "t.conf:1: 'policy 0': expected a number from 1 to 10000\n");
	struct dbuf text = DBUF_INIT;
	for (int i = 0; i <= CONF_GROUP_SERVERS_MAX; i++)
		dbuf_printf(&text, "%sserver address ipv4 10.0.0.%d\n",
			    i ? "" : "crypto gdoi group G\n identity number 1\n", i + 1);
	expect_errors(dbuf_str(&text), ERR_SYNTAX,
		      "t.conf:11: 'server address ipv4 10.0.0.9': too many server addresses (at "
		      "most 8)\n");
	/* errors are capped with a count of the rest */
	dbuf_reset(&text);
	for (int i = 0; i < CONF_ERRORS_MAX + 5; i++)
		dbuf_printf(&text, "x\n");
	struct conf_config *c = conf_config_new();
	struct dbuf err = DBUF_INIT;
	assert_int_equal(conf_parse((const char *)text.p, text.len, "t.conf", c, &err), ERR_SYNTAX);
	assert_non_null(strstr(dbuf_str(&err), "t.conf:100: 'x'"));
	assert_null(strstr(dbuf_str(&err), "t.conf:101:"));
	assert_non_null(strstr(dbuf_str(&err), "t.conf: 5 more errors not shown\n"));
	dbuf_free(&err);
	dbuf_free(&text);
	conf_config_free(c);
}

static void test_reference_errors(void **state)
{
	(void)state;
	expect_errors("crypto ipsec profile p\n set transform-set nope\n"
		      "crypto ipsec profile q\n",
		      ERR_INVAL,
		      "t.conf:2: 'nope': undefined transform-set (expected crypto ipsec "
		      "transform-set nope ...)\n"
		      "t.conf:3: 'crypto ipsec profile q': missing 'set transform-set'\n");
	expect_errors("ip access-list extended E\n permit ip any any\n"
		      "ip access-list standard S\n permit any\n"
		      "crypto gdoi group G\n identity number 1\n server local\n"
		      "  authorization address ipv4 E\n  rekey address ipv4 S\n"
		      "  sa ipsec 1\n   profile p\n   match address ipv4 X\n"
		      "  sa ipsec 2\n",
		      ERR_INVAL,
		      "t.conf:7: 'server local': group G: missing 'address ipv4 A'\n"
		      "t.conf:8: 'E': expected a standard access list, it is extended (line 1)\n"
		      "t.conf:9: 'S': expected an extended access list, it is standard (line 3)\n"
		      "t.conf:11: 'p': undefined IPsec profile (expected crypto ipsec profile p)\n"
		      "t.conf:12: 'X': undefined access list (expected ip access-list extended "
		      "X)\n"
		      "t.conf:13: 'sa ipsec 2': missing 'profile NAME'\n"
		      "t.conf:13: 'sa ipsec 2': missing 'match address ipv4 ACL'\n");
	expect_errors("crypto gdoi group K\n identity number 1\n server local\n"
		      "  address ipv4 1.1.1.1\n"
		      "crypto gdoi group M\n"
		      "crypto map m 10 gdoi\n set group K\n"
		      "crypto map m 20 gdoi\n set group Z\n"
		      "crypto map n 10 gdoi\n"
		      "crypto map x gdoi fail-close\n activate\n"
		      "interface eth0\n crypto map y\n",
		      ERR_INVAL,
		      "t.conf:3: 'server local': group K: missing 'sa ipsec N'\n"
		      "t.conf:5: 'crypto gdoi group M': missing 'identity number N'\n"
		      "t.conf:5: 'crypto gdoi group M': missing 'server address ipv4 A' (member) "
		      "or 'server local' (key server)\n"
		      "t.conf:7: 'K': expected a member group ('server address ipv4'), it is a key "
		      "server group\n"
		      "t.conf:9: 'Z': undefined GDOI group (expected crypto gdoi group Z)\n"
		      "t.conf:10: 'crypto map n 10 gdoi': missing 'set group NAME'\n"
		      "t.conf:11: 'x': undefined crypto map (expected crypto map x SEQ gdoi)\n"
		      "t.conf:14: 'y': undefined crypto map (expected crypto map y SEQ gdoi)\n");
}

static void test_group_checks(void **state)
{
	(void)state;
	expect_errors("crypto gdoi group A\n identity number 7\n server address ipv4 1.1.1.1\n"
		      "crypto gdoi group B\n identity number 7\n server address ipv4 1.1.1.1\n",
		      ERR_INVAL,
		      "t.conf:5: 'identity number 7': expected a number of its own, group A has "
		      "it too (line 2)\n");
	expect_errors("crypto ipsec transform-set t esp-gcm\n"
		      "crypto ipsec profile p\n set transform-set t\n"
		      "ip access-list extended E\n permit ip any any\n"
		      "crypto gdoi group G\n identity number 1\n server local\n"
		      "  sa ipsec 1\n   profile p\n   match address ipv4 E\n"
		      "  address ipv4 10.1.11.2\n  redundancy\n   peer address ipv4 10.1.11.2\n",
		      ERR_INVAL,
		      "t.conf:14: 'peer address ipv4': group G: expected another key server, this "
		      "is the local address (line 12)\n");
}

static void test_modes(void **state)
{
	(void)state;
	/* indentation does not matter; exit leaves a submode; end ends */
	static const char text[] = "crypto gdoi group G\n"
				   "identity number 1\n"
				   "server local\n"
				   "sa ipsec 1\n"
				   "profile p\n"
				   "exit\n"
				   "address ipv4 1.1.1.1\n"
				   "exit\n"
				   "exit\n"
				   "hostname H\r\n"
				   "\t! a comment \x01\xff\n"
				   "\n"
				   "end\n"
				   "this is not parsed\n";
	struct conf_config *c = conf_config_new();
	struct dbuf err = DBUF_INIT;
	assert_int_equal(conf_parse(text, sizeof(text) - 1, NULL, c, &err), ERR_INVAL);
	/* only the missing match address: the rest was understood */
	assert_string_equal(dbuf_str(&err),
			    "config:4: 'sa ipsec 1': missing 'match address ipv4 ACL'\n"
			    "config:5: 'p': undefined IPsec profile (expected crypto ipsec "
			    "profile p)\n");
	assert_string_equal(c->hostname, "H");
	assert_int_equal(c->groups[0].server.addr, ip4(1, 1, 1, 1));
	dbuf_free(&err);
	conf_config_free(c);

	/* empty input is an empty configuration */
	c = parse_ok("", 0, "empty");
	assert_int_equal(c->n_groups, 0);
	conf_config_free(c);
	c = parse_ok(NULL, 0, "null");
	conf_config_free(c);
}

static void test_examples(void **state)
{
	(void)state;
	DIR *d = opendir(EXAMPLES);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", EXAMPLES, e->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		static char buf[65536];
		size_t got = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		round_trip(buf, got, e->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);

	/* the lab's addresses and roles */
	FILE *f = fopen(EXAMPLES "/ks2.conf", "rb");
	assert_non_null(f);
	static char buf[65536];
	size_t got = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct conf_config *c = parse_ok(buf, got, "ks2.conf");
	const struct conf_gdoi_server *s = &conf_find_group(c, "G1")->server;
	assert_int_equal(s->addr, ip4(10, 1, 12, 2));
	assert_int_equal(s->n_peers, 1);
	assert_int_equal(s->peers[0], ip4(10, 1, 11, 2));
	conf_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_issue_ks),	 TEST(test_issue_gm),	   TEST(test_round_trip),
	    TEST(test_every_command),	 TEST(test_syntax_errors), TEST(test_duplicates_and_limits),
	    TEST(test_reference_errors), TEST(test_group_checks),  TEST(test_modes),
	    TEST(test_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
