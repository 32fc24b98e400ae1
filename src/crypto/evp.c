/*
 * Algorithm objects fetched once.
 *
 * With OpenSSL 3 an implicit fetch (EVP_sha256(), EVP_aes_128_cbc(), or a
 * name string handed to EVP_MAC) looks the algorithm up in the provider
 * store on every init, which takes a lock and shows up in per-packet
 * profiles. We fetch each object explicitly once, under pthread_once, and keep
 * it for the life of the process (never freed: the objects are reachable
 * from these tables until exit, so leak checkers stay quiet).
 *
 * A fetch that fails leaves NULL in the table; callers turn that into
 * ERR_UNSUPP (MD5 is absent when only the FIPS provider is loaded).
 */
#include "crypto/evp.h"

#include <pthread.h>

#include <openssl/err.h>

#include "util/err.h"
#include "util/mem.h"

/* Indexed by enum value; slot 0 unused. Names are OpenSSL's. */
static const char *const md_names[] = {
	[CRYPTO_HASH_MD5] = "MD5",	 [CRYPTO_HASH_SHA1] = "SHA1",
	[CRYPTO_HASH_SHA256] = "SHA256", [CRYPTO_HASH_SHA384] = "SHA384",
	[CRYPTO_HASH_SHA512] = "SHA512",
};
static const char *const cbc_names[] = {
	[CRYPTO_CBC_3DES] = "DES-EDE3-CBC",
	[CRYPTO_CBC_AES128] = "AES-128-CBC",
	[CRYPTO_CBC_AES192] = "AES-192-CBC",
	[CRYPTO_CBC_AES256] = "AES-256-CBC",
};
static const char *const gcm_names[] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};

static struct {
	EVP_MD *md[ARRAY_SIZE(md_names)];
	EVP_CIPHER *cbc[ARRAY_SIZE(cbc_names)];
	EVP_CIPHER *gcm[ARRAY_SIZE(gcm_names)];
	EVP_CIPHER *ctr256;
} algs;

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(md_names); i++)
		if (md_names[i])
			algs.md[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
	for (size_t i = 0; i < ARRAY_SIZE(cbc_names); i++)
		if (cbc_names[i])
			algs.cbc[i] = EVP_CIPHER_fetch(NULL, cbc_names[i], NULL);
	for (size_t i = 0; i < ARRAY_SIZE(gcm_names); i++)
		algs.gcm[i] = EVP_CIPHER_fetch(NULL, gcm_names[i], NULL);
	algs.ctr256 = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
	/* A missing algorithm is reported per call; drop the fetch errors. */
	ERR_clear_error();
}

static void load(void)
{
	pthread_once(&algs_once, fetch_all);
}

const EVP_MD *crypto_evp_md(enum crypto_hash_alg alg)
{
	load();
	if ((size_t)alg >= ARRAY_SIZE(algs.md))
		return NULL;
	return algs.md[alg];
}

const EVP_CIPHER *crypto_evp_cbc(enum crypto_cbc_alg alg)
{
	load();
	if ((size_t)alg >= ARRAY_SIZE(algs.cbc))
		return NULL;
	return algs.cbc[alg];
}

const EVP_CIPHER *crypto_evp_gcm(size_t key_len)
{
	load();
	switch (key_len) {
	case 16:
		return algs.gcm[0];
	case 24:
		return algs.gcm[1];
	case 32:
		return algs.gcm[2];
	default:
		return NULL;
	}
}

const EVP_CIPHER *crypto_evp_aes256_ctr(void)
{
	load();
	return algs.ctr256;
}

int crypto_evp_fail(void)
{
	ERR_clear_error();
	return ERR_CRYPTO;
}
