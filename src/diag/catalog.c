#include "diag/catalog.h"

#include <strings.h>

#include "util/mem.h"

static const struct diag_msg_def catalog[] = {
#define DIAG_MSG(name, fac, sev, fl, fmt, expl, act)                                               \
	{.id = DIAG_MSG_##name,                                                                    \
	 .facility = DIAG_FAC_##fac,                                                               \
	 .severity = (sev),                                                                        \
	 .flags = (fl),                                                                            \
	 .mnemonic = #name,                                                                        \
	 .format = (fmt),                                                                          \
	 .explanation = (expl),                                                                    \
	 .action = (act)},
#include "diag/catalog_defs.h"
#undef DIAG_MSG
};

_Static_assert(ARRAY_SIZE(catalog) == DIAG_MSG_COUNT, "catalogue and enum disagree");
#define DIAG_MSG(name, fac, sev, fl, fmt, expl, act)                                               \
	_Static_assert((sev) >= 0 && (sev) <= 7, #name ": severity is 0..7");
#include "diag/catalog_defs.h"
#undef DIAG_MSG

const struct diag_msg_def *diag_catalog_get(enum diag_msg_id id)
{
	if ((unsigned)id >= ARRAY_SIZE(catalog))
		return NULL;
	return &catalog[id];
}

size_t diag_catalog_count(void)
{
	return ARRAY_SIZE(catalog);
}

const struct diag_msg_def *diag_catalog_find(const char *mnemonic)
{
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (!strcasecmp(catalog[i].mnemonic, mnemonic))
			return &catalog[i];
	return NULL;
}

const char *diag_facility_name(enum diag_facility f)
{
	switch (f) {
	case DIAG_FAC_GDOI:
		return "GDOI";
	case DIAG_FAC_CRYPTO:
		return "CRYPTO";
	case DIAG_FAC_IKEV2:
		return "IKEV2";
	}
	return "UNKNOWN";
}
