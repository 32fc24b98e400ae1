/*
 * Diffie-Hellman for IKE: MODP groups 1, 2, 14, 15, 16 and ECP 19, 20, 21.
 *
 * Keys come from the caller's crypto_rng (MODP keys are loaded into OpenSSL
 * with EVP_PKEY_fromdata), never from OpenSSL's own DRBG, so a seeded rng
 * gives reproducible key pairs in tests and the simulator. The public value
 * is computed here (BN modular exponentiation, EC point multiplication by
 * the generator, both constant time in the secret) because OpenSSL 3.0
 * does not derive it on import.
 *
 * MODP primes are OpenSSL's copies of RFC 2409 §6.1-6.2 and RFC 3526 §3-5
 * (BN_get_rfc*_prime_*), generator 2. The private exponent is not full
 * size: it has twice the bits of the group's estimated strength, taking the
 * upper estimates of RFC 3526 §8 (2048: 320 bits, 3072: 420, 4096: 480)
 * and 256 bits for the weak RFC 2409 groups (768, 1024 bits), whose
 * strength is well below 128 bits. That is the usual IKE practice and keeps
 * the exponentiations short. A drawn value below 2 is drawn again.
 *
 * ECP private scalars are drawn by rejection: as many random bytes as the
 * group order has, top bits masked to its bit length, redrawn while 0 or
 * >= n (RFC 5903 §2 requires 0 < x < n).
 *
 * Peer values are checked before use (the cheap checks: the full MODP
 * subgroup test would cost another exponentiation with a 2047-bit exponent
 * for no benefit with safe primes): the length must be exact (ERR_BADLEN);
 * MODP requires 1 < y < p-1 (RFC 2631 §2.1.5 range, rejecting the 0, 1 and
 * p-1 small-subgroup values); ECP requires coordinates below the field
 * prime, the point on the curve and not at infinity (the full check for
 * these cofactor-1 curves). Both give ERR_INVAL.
 *
 * The shared secret is left-padded to the prime length (MODP: OpenSSL strips
 * leading zeros by default) or is the x coordinate padded to the field size
 * (ECP, RFC 5903 §7).
 *
 * ECP works on the curve objects directly, not through EVP_PKEY: importing
 * an EC key (EVP_PKEY_fromdata with a group name) makes OpenSSL build the
 * EC_GROUP again from its parameters for every key (curve, Montgomery
 * context, inverses), about a fifth of a group-19 key server's cost per
 * registration. Each curve is built once per process (build_params under
 * pthread_once) and shared read-only: the private scalar is kept as a
 * secure BIGNUM (dh->key), the peer point is decoded with
 * EC_POINT_oct2point (which refuses coordinates >= p and points off the
 * curve) and the secret is the x coordinate of x * peer, computed by
 * EC_POINT_mul, which is the same constant-time multiplication that
 * OpenSSL's ECDH uses (cofactor 1 for all three curves). MODP keys stay
 * EVP_PKEYs: the exponentiation is 80 % of their cost, the import little.
 */
#include "crypto/dh.h"
#include "crypto/evp.h" /* first of the OpenSSL headers: see there */

#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "util/err.h"
#include "util/mem.h"

/* Attempts before giving up on drawing a private value (each fails with p < 2^-30). */
enum { DRAW_TRIES = 64 };

struct group_info {
	enum crypto_dh_group group;
	const char *name;
	size_t len;	   /* prime length (MODP) or field size (ECP), bytes */
	unsigned exp_bits; /* MODP private exponent size; 0 for ECP */
	BIGNUM *(*prime)(BIGNUM *);
	int curve_nid;	   /* ECP only */
	const char *curve; /* OpenSSL group name, ECP only */
};

static const struct group_info groups[] = {
    {CRYPTO_DH_MODP768, "MODP_768", 96, 256, BN_get_rfc2409_prime_768, 0, NULL},
    {CRYPTO_DH_MODP1024, "MODP_1024", 128, 256, BN_get_rfc2409_prime_1024, 0, NULL},
    {CRYPTO_DH_MODP2048, "MODP_2048", 256, 320, BN_get_rfc3526_prime_2048, 0, NULL},
    {CRYPTO_DH_MODP3072, "MODP_3072", 384, 420, BN_get_rfc3526_prime_3072, 0, NULL},
    {CRYPTO_DH_MODP4096, "MODP_4096", 512, 480, BN_get_rfc3526_prime_4096, 0, NULL},
    {CRYPTO_DH_ECP256, "ECP_256", 32, 0, NULL, NID_X9_62_prime256v1, "prime256v1"},
    {CRYPTO_DH_ECP384, "ECP_384", 48, 0, NULL, NID_secp384r1, "secp384r1"},
    {CRYPTO_DH_ECP521, "ECP_521", 66, 0, NULL, NID_secp521r1, "secp521r1"},
};

/* Per-group OpenSSL objects built once (primes, curves, generator). */
static struct {
	BIGNUM *p[ARRAY_SIZE(groups)];
	EC_GROUP *ec[ARRAY_SIZE(groups)];
	BIGNUM *g;
} params;
static pthread_once_t params_once = PTHREAD_ONCE_INIT;

static void build_params(void)
{
	params.g = BN_new();
	if (params.g && !BN_set_word(params.g, 2)) {
		BN_free(params.g);
		params.g = NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (groups[i].prime)
			params.p[i] = groups[i].prime(NULL);
		else
			params.ec[i] = EC_GROUP_new_by_curve_name(groups[i].curve_nid);
	}
}

static const struct group_info *info(int g)
{
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		if ((int)groups[i].group == g)
			return &groups[i];
	return NULL;
}

static size_t idx(const struct group_info *gi)
{
	return (size_t)(gi - groups);
}

static bool is_ec(const struct group_info *gi)
{
	return gi->curve != NULL;
}

/* The group's prime / curve, or NULL when it could not be built. */
static const BIGNUM *prime_of(const struct group_info *gi)
{
	pthread_once(&params_once, build_params);
	return params.g ? params.p[idx(gi)] : NULL;
}

static const EC_GROUP *curve_of(const struct group_info *gi)
{
	pthread_once(&params_once, build_params);
	return params.ec[idx(gi)];
}

bool crypto_dh_supported(int group)
{
	return info(group) != NULL;
}

size_t crypto_dh_pub_len(enum crypto_dh_group g)
{
	const struct group_info *gi = info((int)g);
	return !gi ? 0 : is_ec(gi) ? 2 * gi->len : gi->len;
}

size_t crypto_dh_secret_len(enum crypto_dh_group g)
{
	const struct group_info *gi = info((int)g);
	return gi ? gi->len : 0;
}

const char *crypto_dh_name(enum crypto_dh_group g)
{
	const struct group_info *gi = info((int)g);
	return gi ? gi->name : "unknown";
}

/* Build an EVP_PKEY of type from params; selection says key pair or public only. */
static EVP_PKEY *pkey_from(const char *type, OSSL_PARAM_BLD *bld, int selection)
{
	EVP_PKEY *pkey = NULL;
	OSSL_PARAM *p = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!p || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, p) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	/* Secure BIGNUMs (the private value) sit in a block this cleanses. */
	OSSL_PARAM_free(p);
	return pkey;
}

/* MODP: y = 2^x mod p, encoded to the prime length; key = (p, g, x, y). */
static int modp_load(struct crypto_dh *dh, const struct group_info *gi, BIGNUM *x, BN_CTX *bn)
{
	const BIGNUM *p = prime_of(gi);
	BIGNUM *y = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int rc = ERR_CRYPTO;
	if (!p || !y || !bld)
		goto out;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_mod_exp_mont_consttime(y, params.g, x, p, bn, NULL) ||
	    BN_bn2binpad(y, dh->pub, (int)gi->len) != (int)gi->len)
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, params.g) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		goto out;
	dh->key = pkey_from("DH", bld, EVP_PKEY_KEYPAIR);
	if (dh->key) {
		dh->pub_len = gi->len;
		rc = 0;
	}
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	return rc;
}

/* ECP: Q = x*G, encoded x | y without the 0x04 prefix; key = a secure copy of x. */
static int ecp_load(struct crypto_dh *dh, const struct group_info *gi, BIGNUM *x, BN_CTX *bn)
{
	const EC_GROUP *curve = curve_of(gi);
	EC_POINT *q = curve ? EC_POINT_new(curve) : NULL;
	BIGNUM *k = BN_secure_new();
	uint8_t oct[1 + CRYPTO_DH_PUB_MAX];
	size_t oct_len = 1 + 2 * gi->len;
	int rc = ERR_CRYPTO;
	if (!q || !k || !BN_copy(k, x))
		goto out;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	BN_set_flags(k, BN_FLG_CONSTTIME);
	if (!EC_POINT_mul(curve, q, x, NULL, NULL, bn) ||
	    EC_POINT_point2oct(curve, q, POINT_CONVERSION_UNCOMPRESSED, oct, oct_len, bn) !=
		oct_len)
		goto out;
	memcpy(dh->pub, oct + 1, oct_len - 1);
	dh->pub_len = oct_len - 1;
	dh->key = k;
	k = NULL;
	rc = 0;
out:
	BN_clear_free(k);
	EC_POINT_free(q);
	return rc;
}

/* Is x an acceptable private value: 1 < x < p-1 (MODP) or 0 < x < n (ECP)? */
static bool priv_ok(const struct group_info *gi, const BIGNUM *x, BN_CTX *bn)
{
	if (BN_is_negative(x))
		return false;
	if (is_ec(gi))
		return !BN_is_zero(x) && BN_cmp(x, EC_GROUP_get0_order(curve_of(gi))) < 0;
	BN_CTX_start(bn);
	BIGNUM *pm1 = BN_CTX_get(bn);
	bool ok = pm1 && BN_sub(pm1, prime_of(gi), BN_value_one()) &&
		  BN_cmp(x, BN_value_one()) > 0 && BN_cmp(x, pm1) < 0;
	BN_CTX_end(bn);
	return ok;
}

/* Are this group's OpenSSL objects available? */
static bool available(const struct group_info *gi)
{
	return is_ec(gi) ? curve_of(gi) != NULL : prime_of(gi) != NULL;
}

/* Set up dh with private value x; ERR_INVAL when x is out of range. */
static int load(struct crypto_dh *dh, const struct group_info *gi, BIGNUM *x, BN_CTX *bn)
{
	dh->group = gi->group;
	if (!priv_ok(gi, x, bn))
		return ERR_INVAL;
	int rc = is_ec(gi) ? ecp_load(dh, gi, x, bn) : modp_load(dh, gi, x, bn);
	if (rc) {
		crypto_dh_clear(dh);
		return crypto_evp_fail();
	}
	return 0;
}

/* Draw a private value from rng into x (see the header comment for sizes). */
static int draw_private(const struct group_info *gi, struct crypto_rng *rng, BIGNUM *x, BN_CTX *bn)
{
	uint8_t buf[CRYPTO_DH_SECRET_MAX];
	size_t bits =
	    is_ec(gi) ? (size_t)BN_num_bits(EC_GROUP_get0_order(curve_of(gi))) : gi->exp_bits;
	size_t n = (bits + 7) / 8;
	int rc = ERR_CRYPTO;
	for (int i = 0; i < DRAW_TRIES; i++) {
		rc = crypto_rng_fill(rng, buf, n);
		if (rc)
			break;
		buf[0] &= (uint8_t)(0xff >> (8 * n - bits));
		rc = ERR_CRYPTO;
		if (!BN_bin2bn(buf, (int)n, x))
			break;
		if (priv_ok(gi, x, bn)) {
			rc = 0;
			break;
		}
	}
	mem_wipe(buf, sizeof(buf));
	return rc;
}

/* The private value lives in a secure BIGNUM: cleared on free, never swapped if possible. */
static int with_private(struct crypto_dh *dh, const struct group_info *gi, struct crypto_rng *rng,
			const uint8_t *priv, size_t priv_len)
{
	memset(dh, 0, sizeof(*dh));
	if (!available(gi))
		return ERR_UNSUPP;
	BN_CTX *bn = BN_CTX_secure_new();
	BIGNUM *x = BN_secure_new();
	int rc = ERR_NOMEM;
	if (bn && x) {
		if (rng)
			rc = draw_private(gi, rng, x, bn);
		else
			rc = BN_bin2bn(priv, (int)priv_len, x) ? 0 : ERR_CRYPTO;
	}
	if (!rc)
		rc = load(dh, gi, x, bn);
	BN_clear_free(x);
	BN_CTX_free(bn);
	return rc;
}

int crypto_dh_generate(struct crypto_dh *dh, enum crypto_dh_group g, struct crypto_rng *rng)
{
	const struct group_info *gi = info((int)g);
	if (!gi) {
		memset(dh, 0, sizeof(*dh));
		return ERR_UNSUPP;
	}
	return with_private(dh, gi, rng, NULL, 0);
}

int crypto_dh_from_private(struct crypto_dh *dh, enum crypto_dh_group g, const uint8_t *priv,
			   size_t priv_len)
{
	const struct group_info *gi = info((int)g);
	memset(dh, 0, sizeof(*dh));
	if (!gi)
		return ERR_UNSUPP;
	if (!priv_len || priv_len > CRYPTO_DH_SECRET_MAX)
		return ERR_BADLEN;
	return with_private(dh, gi, NULL, priv, priv_len);
}

/* The peer's MODP value as a public key after the 1 < y < p-1 check. */
static int modp_peer(const struct group_info *gi, const uint8_t *peer, EVP_PKEY **out)
{
	const BIGNUM *p = prime_of(gi);
	BIGNUM *y = BN_bin2bn(peer, (int)gi->len, NULL);
	BIGNUM *pm1 = BN_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int rc = ERR_CRYPTO;
	if (!p || !y || !pm1 || !bld || !BN_sub(pm1, p, BN_value_one()))
		goto out;
	rc = ERR_INVAL;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0)
		goto out;
	rc = ERR_CRYPTO;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, params.g) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
		goto out;
	*out = pkey_from("DH", bld, EVP_PKEY_PUBLIC_KEY);
	rc = *out ? 0 : ERR_CRYPTO;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(pm1);
	BN_free(y);
	return rc;
}

/*
 * ECDH with the peer's value (x | y): the x coordinate of x * peer, padded
 * to the field size. ERR_INVAL when the value is not a point of the curve
 * (oct2point checks the range and the curve equation; an uncompressed
 * encoding is never the point at infinity).
 */
static int ecp_derive(const struct group_info *gi, const BIGNUM *x, const uint8_t *peer,
		      uint8_t *out)
{
	const EC_GROUP *curve = curve_of(gi);
	uint8_t oct[1 + CRYPTO_DH_PUB_MAX];
	size_t oct_len = 1 + 2 * gi->len;
	BN_CTX *bn = BN_CTX_secure_new();
	EC_POINT *p = curve ? EC_POINT_new(curve) : NULL;
	EC_POINT *s = curve ? EC_POINT_new(curve) : NULL;
	int rc = ERR_CRYPTO;
	if (!bn || !p || !s)
		goto out;
	oct[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(oct + 1, peer, oct_len - 1);
	rc = ERR_INVAL;
	if (!EC_POINT_oct2point(curve, p, oct, oct_len, bn) || EC_POINT_is_at_infinity(curve, p) ||
	    EC_POINT_is_on_curve(curve, p, bn) != 1)
		goto out;
	rc = ERR_CRYPTO;
	BN_CTX_start(bn);
	BIGNUM *sx = BN_CTX_get(bn);
	if (sx && EC_POINT_mul(curve, s, NULL, p, x, bn) && !EC_POINT_is_at_infinity(curve, s) &&
	    EC_POINT_get_affine_coordinates(curve, s, sx, NULL, bn) &&
	    BN_bn2binpad(sx, out, (int)gi->len) == (int)gi->len)
		rc = 0;
	BN_CTX_end(bn); /* sx is cleared: the context is a secure one */
out:
	EC_POINT_clear_free(s);
	EC_POINT_free(p);
	BN_CTX_free(bn);
	return rc;
}

/* EVP_PKEY_derive into out, left-padded to len. */
static int derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *out, size_t len)
{
	uint8_t tmp[CRYPTO_DH_SECRET_MAX];
	size_t got = sizeof(tmp);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
	/* validate_peer = 0: the peer value was checked by modp_peer. */
	bool ok = ctx && EVP_PKEY_derive_init(ctx) > 0 &&
		  EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) > 0 &&
		  EVP_PKEY_derive(ctx, tmp, &got) > 0 && got <= len;
	if (ok) {
		memset(out, 0, len - got);
		memcpy(out + len - got, tmp, got);
	}
	mem_wipe(tmp, sizeof(tmp));
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : ERR_CRYPTO;
}

int crypto_dh_derive(struct crypto_dh *dh, const uint8_t *peer, size_t peer_len,
		     uint8_t out[static CRYPTO_DH_SECRET_MAX])
{
	const struct group_info *gi = info((int)dh->group);
	if (!gi || !dh->key)
		return ERR_INVAL;
	if (peer_len != crypto_dh_pub_len(gi->group))
		return ERR_BADLEN;
	int rc;
	if (is_ec(gi)) {
		rc = ecp_derive(gi, dh->key, peer, out);
	} else {
		EVP_PKEY *pk = NULL;
		rc = modp_peer(gi, peer, &pk);
		if (!rc)
			rc = derive(dh->key, pk, out, gi->len);
		EVP_PKEY_free(pk);
	}
	if (rc) {
		crypto_evp_fail();
		return rc;
	}
	return (int)gi->len;
}

void crypto_dh_clear(struct crypto_dh *dh)
{
	/* The private value is cleared when freed (BN_clear_free; OpenSSL for EVP_PKEY). */
	const struct group_info *gi = info((int)dh->group);
	if (gi && is_ec(gi))
		BN_clear_free(dh->key);
	else
		EVP_PKEY_free(dh->key);
	memset(dh, 0, sizeof(*dh));
}
