/*
 * Every ESP transform the data plane supports, with deterministic key
 * material, for the dp unit tests.
 */
#ifndef GVPN_TEST_DP_XFORMS_H
#define GVPN_TEST_DP_XFORMS_H

#include <stddef.h>
#include <stdint.h>

#include "dp/esp.h"

struct test_xform {
	const char *name; /* IOS name, as dp_esp_xform_name prints it */
	struct dp_esp_xform xf;
};

extern const struct test_xform test_xforms[];
extern const size_t test_nxforms;

/* Key material for xf, derived from seed: enc key (GCM: key | salt) and auth key. */
struct test_keys {
	uint8_t enc[DP_ESP_ENC_KEY_MAX];
	size_t enc_len;
	uint8_t auth[DP_ESP_AUTH_KEY_MAX];
	size_t auth_len;
	uint8_t ivgen[DP_ESP_IVGEN_KEY_LEN];
};
void test_keys_for(const struct dp_esp_xform *xf, uint8_t seed, struct test_keys *k);

/* Key a context for worker w of nworkers; GCM gets SID 0x5a in 8 bits. Fails the test on error. */
void test_ctx_init(struct dp_esp_ctx *c, const struct dp_esp_xform *xf, uint32_t spi, uint8_t seed,
		   uint32_t worker, uint32_t nworkers);

#endif
