/*
 * The configuration parser on arbitrary bytes; a configuration that
 * parses is written, parsed again and must give an equal model and the
 * same text a second time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parse.h"
#include "conf/write.h"
#include "util/dbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_config: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_config a, b;
	struct dbuf err = DBUF_INIT, w1 = DBUF_INIT, w2 = DBUF_INIT;
	int rc = conf_parse((const char *)data, size, "fuzz.conf", &a, &err);
	require(rc != 0 || err.len == 0, "success with an error message");
	require(rc == 0 || err.len > 0, "failure without an error message");
	if (rc == 0) {
		require(conf_write(&a, &w1) == 0, "write failed");
		rc = conf_parse((const char *)w1.p, w1.len, "written", &b, &err);
		if (rc)
			fprintf(stderr, "%s\n---\n%s", dbuf_str(&err), dbuf_str(&w1));
		require(rc == 0, "written configuration does not parse");
		require(conf_config_equal(&a, &b), "reparsed model differs");
		require(conf_write(&b, &w2) == 0, "second write failed");
		require(w1.len == w2.len && !memcmp(w1.p, w2.p, w1.len), "writer not a fixed point");
	}
	dbuf_free(&err);
	dbuf_free(&w1);
	dbuf_free(&w2);
	return 0;
}
