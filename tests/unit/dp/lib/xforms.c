#include "xforms.h"

#include "test.h"

const struct test_xform test_xforms[] = {
    {"esp-gcm", {DP_ESP_ENCR_AES_GCM, 128, DP_ESP_AUTH_NONE}},
    {"esp-gcm 192", {DP_ESP_ENCR_AES_GCM, 192, DP_ESP_AUTH_NONE}},
    {"esp-gcm 256", {DP_ESP_ENCR_AES_GCM, 256, DP_ESP_AUTH_NONE}},
    {"esp-aes esp-sha-hmac", {DP_ESP_ENCR_AES_CBC, 128, DP_ESP_AUTH_SHA1_96}},
    {"esp-aes esp-sha256-hmac", {DP_ESP_ENCR_AES_CBC, 128, DP_ESP_AUTH_SHA256_128}},
    {"esp-192-aes esp-sha-hmac", {DP_ESP_ENCR_AES_CBC, 192, DP_ESP_AUTH_SHA1_96}},
    {"esp-256-aes esp-sha-hmac", {DP_ESP_ENCR_AES_CBC, 256, DP_ESP_AUTH_SHA1_96}},
    {"esp-256-aes esp-sha256-hmac", {DP_ESP_ENCR_AES_CBC, 256, DP_ESP_AUTH_SHA256_128}},
    {"esp-3des esp-sha-hmac", {DP_ESP_ENCR_3DES_CBC, 192, DP_ESP_AUTH_SHA1_96}},
    {"esp-null esp-sha-hmac", {DP_ESP_ENCR_NULL, 0, DP_ESP_AUTH_SHA1_96}},
    {"esp-null esp-sha256-hmac", {DP_ESP_ENCR_NULL, 0, DP_ESP_AUTH_SHA256_128}},
};
const size_t test_nxforms = sizeof(test_xforms) / sizeof(test_xforms[0]);

void test_keys_for(const struct dp_esp_xform *xf, uint8_t seed, struct test_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->enc_len = dp_esp_enc_key_len(xf);
	k->auth_len = dp_esp_auth_key_len(xf);
	for (size_t i = 0; i < sizeof(k->enc); i++)
		k->enc[i] = (uint8_t)(seed * 31 + i * 7 + 1);
	for (size_t i = 0; i < sizeof(k->auth); i++)
		k->auth[i] = (uint8_t)(seed * 17 + i * 3 + 2);
	for (size_t i = 0; i < sizeof(k->ivgen); i++)
		k->ivgen[i] = (uint8_t)(seed + i * 11 + 3);
}

void test_ctx_init(struct dp_esp_ctx *c, const struct dp_esp_xform *xf, uint32_t spi, uint8_t seed,
		   uint32_t worker, uint32_t nworkers)
{
	struct test_keys k;
	test_keys_for(xf, seed, &k);
	struct dp_esp_ivspace ivs = {.sid = 0x5a,
				     .sid_bits = 8,
				     .worker = worker,
				     .nworkers = nworkers,
				     .ivgen_key = k.ivgen};
	assert_int_equal(dp_esp_ctx_init(c, xf, spi, k.enc, k.enc_len, k.auth, k.auth_len, &ivs),
			 0);
}
