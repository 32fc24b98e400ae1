/*
 * Syslog message catalogue.
 *
 * Every message is one entry of catalog_defs.h (mnemonic, facility,
 * severity, format, explanation, action) and is emitted by id:
 *
 *	diag_log(d, DIAG_MSG_GM_RECV_REKEY, "G1", "10.1.11.2", "10.1.20.2", seq);
 *
 * diag_log() (log.h) pastes the id into the name of the message's format
 * array declared below, so -Wformat checks each call against the format of
 * its message; an unknown id does not compile. Messages print as
 * `%<FACILITY>-<severity>-<MNEMONIC>: <text>`.
 */
#ifndef GVPN_DIAG_CATALOG_H
#define GVPN_DIAG_CATALOG_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

enum diag_facility {
	DIAG_FAC_GDOI,
	DIAG_FAC_CRYPTO,
	DIAG_FAC_IKEV2,
};

/* Message flags. */
enum {
	DIAG_MF_RATELIMIT = 1 << 0, /* data plane: one per source and message per 60 s */
};

enum diag_msg_id {
#define DIAG_MSG(name, fac, sev, flags, fmt, expl, action) DIAG_MSG_##name,
#include "diag/catalog_defs.h"
#undef DIAG_MSG
	DIAG_MSG_COUNT,
	DIAG_MSG_DEBUG = DIAG_MSG_COUNT, /* not a message: marks debug lines in records */
};

/*
 * One format array per message, named after its id, for diag_log()'s
 * compile-time format check. Unused ones cost nothing once optimised.
 */
#define DIAG_MSG(name, fac, sev, flags, fmt, expl, action)                                         \
	__attribute__((unused)) static const char diag_fmt_DIAG_MSG_##name[] = fmt;
#include "diag/catalog_defs.h"
#undef DIAG_MSG

struct diag_msg_def {
	enum diag_msg_id id;
	enum diag_facility facility;
	uint8_t severity; /* 0..7 */
	uint8_t flags;	  /* DIAG_MF_* */
	const char *mnemonic;
	const char *format;
	const char *explanation;
	const char *action;
};

/* Entry of a message id; NULL for an id outside the catalogue. */
const struct diag_msg_def *diag_catalog_get(enum diag_msg_id id);
/* Number of messages; ids 0 .. count-1 are all valid (for listing). */
size_t diag_catalog_count(void);
/* Entry by mnemonic (exact, case-insensitive), NULL if none. */
const struct diag_msg_def *diag_catalog_find(const char *mnemonic);
/* "GDOI", "CRYPTO", "IKEV2". */
const char *diag_facility_name(enum diag_facility f);

#endif
