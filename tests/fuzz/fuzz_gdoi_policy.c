/*
 * The GM's policy decoder (gdoi/policy_wire.h) on arbitrary SA and KD
 * bodies. Input: SA body length (2 octets, big-endian), the SA body, then
 * the KD body. Beyond "no crash, no sanitizer report":
 *  - an accepted SA gives a policy whose TEKs have usable SPIs and whose
 *    ACL lines pass the checks and name a TEK set;
 *  - a KD either gives every TEK (and the KEK) its keys or none; the public
 *    key it decoded is handed over only on success, of the size recorded;
 *  - the same KD decoded again for a policy that holds the accepted key (a
 *    member's push) is accepted with the same key and decodes none;
 *  - its SID key packet (gdoi/sid.h) is either refused with a reason or
 *    gives 1-32 bits and 1-GDOI_SIDS_MAX SIDs that fit them, which encode
 *    and decode again to the same SIDs;
 *  - the accepted policy, encoded again for a full gvpn member and decoded
 *    again, has the same TEKs and the same ACL lines.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/rsa.h"
#include "gdoi/caps.h"
#include "gdoi/policy_wire.h"
#include "gdoi/sid.h"
#include "util/clock.h"
#include "wire/build.h"
#include "wire/names.h"

#define NOW (1000 * NS_PER_SEC)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

static bool has_line(const struct gdoi_policy *p, const struct gdoi_acl_entry *e)
{
	for (size_t i = 0; i < p->n_acl; i++)
		if (gdoi_acl_line_equal(&p->acl[i], e))
			return true;
	return false;
}

static void check_policy(const struct gdoi_policy *p)
{
	require(p->n_teks >= 1);
	for (size_t i = 0; i < p->n_teks; i++) {
		require(p->tek[i].spi >= GDOI_SPI_MIN);
		require(gdoi_transform_check(&p->tek[i].xf, NULL) == 0);
	}
	for (size_t i = 0; i < p->n_acl; i++) {
		require(gdoi_acl_entry_check(&p->acl[i], GDOI_ACL_CONTIGUOUS | GDOI_ACL_IP_PORTS,
					     NULL) == 0);
		bool named = false;
		for (size_t t = 0; t < p->n_teks; t++)
			named |= p->tek[t].sa_num == p->acl[i].sa_num;
		require(named);
	}
}

static void check_keys(const struct gdoi_policy *p, bool all)
{
	for (size_t i = 0; i < p->n_teks; i++)
		require(p->tek[i].has_keys == all);
	if (p->has_kek)
		require(p->kek.has_keys == all);
}

/* Encode for a full member, make bytes, decode again. */
static void check_roundtrip(const struct gdoi_policy *p)
{
	static struct gdoi_arena arena;
	static struct wire_gdoi_sa sa, sa2;
	static struct gdoi_policy q;
	static uint8_t msg[65536];
	struct gdoi_enc_opts o = {.caps = GDOI_CAPS_ALL, .now = NOW};
	char why[160];
	if (gdoi_policy_encode_sa(p, &o, &arena, &sa, NULL) < 0) {
		gdoi_arena_wipe(&arena);
		return; /* more SA TEKs than one payload holds: the encoder refuses */
	}
	struct wire_builder b;
	struct wire_isakmp_hdr h = {.version = WIRE_ISAKMP_VERSION,
				    .exch = WIRE_EXCH_GROUPKEY_PULL};
	wire_build_init(&b, msg, sizeof(msg), &h);
	wire_build_gdoi_sa(&b, &sa, WIRE_DIALECT_RFC6407);
	int len = wire_build_finish(&b);
	gdoi_arena_wipe(&arena);
	if (len < 0)
		return;
	struct wire_msg m;
	require(wire_msg_decode(msg, (size_t)len, &m, NULL) == 0);
	require(wire_gdoi_sa_decode(&m.pl[0], WIRE_DIALECT_RFC6407, &sa2, NULL) == 0);
	require(gdoi_policy_decode_sa(&sa2, NOW, &q, why, sizeof(why)) == 0);
	require(q.n_teks == p->n_teks && q.has_kek == p->has_kek);
	for (size_t i = 0; i < p->n_teks; i++) {
		require(q.tek[i].spi == p->tek[i].spi);
		require(gdoi_transform_equal(&q.tek[i].xf, &p->tek[i].xf));
		require(q.tek[i].expires_ns == p->tek[i].expires_ns);
	}
	for (size_t i = 0; i < p->n_acl; i++)
		require(has_line(&q, &p->acl[i]));
	for (size_t i = 0; i < q.n_acl; i++)
		require(has_line(p, &q.acl[i]));
}

/* The KD of an accepted policy p again, for before (p without keys) holding p's key. */
static void check_known_key(const struct gdoi_policy *before, const struct gdoi_policy *p,
			    const struct wire_kd *kd)
{
	static struct gdoi_policy q;
	struct crypto_rsa key;
	char why[160] = "";
	q = *before;
	memcpy(q.spki, p->spki, p->spki_len);
	q.spki_len = p->spki_len;
	q.spki_bits = p->spki_bits;
	require(gdoi_policy_decode_kd_key(&q, kd, &key, why, sizeof(why)) == 0);
	require(!key.key); /* known: not decoded */
	require(q.spki_len == p->spki_len && !memcmp(q.spki, p->spki, p->spki_len));
	require(q.spki_bits == p->spki_bits && q.kek.sig_key_bits == p->kek.sig_key_bits);
	check_keys(&q, true);
	gdoi_policy_clear(&q);
}

/* The SIDs of an accepted SID key packet, encoded again and decoded again. */
static void check_sids(const struct wire_kd *kd)
{
	static struct gdoi_arena arena;
	static struct wire_kd kd2;
	struct gdoi_sids s, s2;
	char why[160] = "";
	if (gdoi_sid_kd_decode(kd, &s, why, sizeof(why)) < 0) {
		require(why[0] != 0 && s.n == 0);
		return;
	}
	if (!s.n)
		return;
	require(s.bits >= 1 && s.bits <= GDOI_SID_BITS_MAX && s.n <= GDOI_SIDS_MAX);
	for (size_t i = 0; i < s.n; i++)
		require(s.v[i] <= gdoi_sid_max(s.bits));
	kd2.n_packets = 0;
	require(gdoi_sid_kd_encode(&s, &arena, &kd2) == 0);
	require(gdoi_sid_kd_decode(&kd2, &s2, why, sizeof(why)) == 0);
	gdoi_arena_wipe(&arena);
	require(s2.bits == s.bits && s2.n == s.n);
	require(memcmp(s2.v, s.v, s.n * sizeof(s.v[0])) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_gdoi_sa sa;
	static struct wire_kd kd;
	static struct gdoi_policy p, before;
	char why[160] = "";
	if (size < 2)
		return 0;
	size_t n = (size_t)data[0] << 8 | data[1];
	if (n > size - 2 || size - 2 - n > WIRE_PAYLOAD_MAX - WIRE_GEN_HDR_LEN)
		return 0;
	struct wire_payload spl = {.type = WIRE_PL_SA, .body = data + 2, .len = n, .off = 32};
	struct wire_payload kpl = {
	    .type = WIRE_PL_KD, .body = data + 2 + n, .len = size - 2 - n, .off = 32 + n};
	if (wire_gdoi_sa_decode(&spl, WIRE_DIALECT_AUTO, &sa, NULL) < 0)
		return 0;
	if (gdoi_policy_decode_sa(&sa, NOW, &p, why, sizeof(why)) < 0) {
		require(why[0] != 0); /* a rejection always says why */
		return 0;
	}
	check_policy(&p);
	check_keys(&p, false);
	check_roundtrip(&p);
	if (wire_kd_decode(&kpl, &kd, NULL) == 0) {
		struct crypto_rsa key;
		why[0] = 0;
		before = p;
		int rc = gdoi_policy_decode_kd_key(&p, &kd, &key, why, sizeof(why));
		require(rc == 0 || why[0] != 0);
		require(rc == 0 || !key.key);
		require(!key.key || (key.bits == p.spki_bits && !key.has_private));
		crypto_rsa_clear(&key);
		check_keys(&p, rc == 0);
		if (rc == 0 && p.spki_bits)
			check_known_key(&before, &p, &kd);
		check_sids(&kd);
	}
	gdoi_policy_clear(&p);
	gdoi_policy_clear(&before);
	return 0;
}
