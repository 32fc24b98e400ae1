/*
 * Sample ISAKMP/GDOI messages for the wire tests: every message shape gvpn
 * sends (main mode 1-6, GROUPKEY-PULL 1-4, GROUPKEY-PUSH, the gvpn push ACK,
 * informationals with N and D), built with the wire/ builder from fixed
 * values so that tests can compare decoded fields with sample_* structs.
 *
 * Messages are plaintext: the E flag is clear even where the real exchange
 * encrypts, which is what the decoder tests and the tshark test need.
 */
#ifndef GVPN_TEST_WIRE_SAMPLES_H
#define GVPN_TEST_WIRE_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "wire/gdoi.h"
#include "wire/isakmp.h"
#include "wire/kd.h"
#include "wire/p1sa.h"
#include "wire/payload.h"

enum sample_msg {
	SAMPLE_MM1,
	SAMPLE_MM2,
	SAMPLE_MM3,
	SAMPLE_MM4,
	SAMPLE_MM5,
	SAMPLE_MM6,
	SAMPLE_PULL1,
	SAMPLE_PULL2,
	SAMPLE_PULL3,
	SAMPLE_PULL4,
	SAMPLE_PUSH,
	SAMPLE_ACK,
	SAMPLE_INFO_N,
	SAMPLE_INFO_D,
	SAMPLE_PULL2_GAP, /* PULL 2 whose SA has a GAP between SA KEK and SA TEKs */
	SAMPLE_PULL3_GAP, /* PULL 3 with a top-level GAP (SENDER_ID_REQUEST) */
	SAMPLE_COUNT,
};

/* Options for sample_build(). */
struct sample_opt {
	uint32_t p1_doi;           /* DOI of the phase 1 SA (1 or 2) */
	enum wire_dialect dialect; /* layout of SA KEK / SA TEK */
};

/* Defaults: phase 1 DOI 2, RFC 6407 layout. */
extern const struct sample_opt sample_default;

const char *sample_name(enum sample_msg m);
/* Build a sample message; returns the builder's result (length, ERR_NOSPACE). */
int sample_build_result(enum sample_msg m, const struct sample_opt *opt, uint8_t *buf,
			size_t cap);
/* Build a sample message; returns its length (asserts it fits). */
size_t sample_build(enum sample_msg m, const struct sample_opt *opt, uint8_t *buf, size_t cap);

/* The structs the samples are built from (pointers into static storage). */
void sample_p1sa(struct wire_p1sa *sa, uint32_t doi, int n_xforms);
void sample_gdoi_sa(struct wire_gdoi_sa *sa, int with_gap);
void sample_kd(struct wire_kd *kd, int with_sid);
void sample_group_id(struct wire_id *id);
void sample_ipv4_id(struct wire_id *id, int ks);
void sample_notify(struct wire_notify *n);
void sample_delete_isakmp(struct wire_delete *d);
void sample_delete_teks(struct wire_delete *d);
void sample_cert(struct wire_cert *c);
void sample_cr(struct wire_cert *c);
void sample_data(struct wire_data *d, uint8_t fill, size_t len);

/*
 * Decode the header, the chain and every body (the SA by exchange type) with
 * dialect d. Returns 0 or the first error.
 */
int sample_decode_all(const uint8_t *msg, size_t len, enum wire_dialect d, struct wire_msg *m,
		      struct wire_err *err);
/*
 * Rebuild a message decoded by sample_decode_all() with the builder, each
 * body decoded and encoded again (GDOI SAs in the dialect they were decoded
 * with); padding is dropped. Returns the length.
 */
size_t sample_rebuild(const struct wire_msg *m, enum wire_dialect d, uint8_t *out, size_t cap);

/* Values the tests compare against. */
extern const uint8_t sample_kek_spi[16];
#define SAMPLE_TEK1_SPI 0x11223344u
#define SAMPLE_TEK2_SPI 0x55667788u
#define SAMPLE_SEQ      7u
#define SAMPLE_GROUP    3333u

#endif
