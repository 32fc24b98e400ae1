/* Group identities; see ident.h. */
#include "gdoi/ident.h"

#include <stdio.h>

#include "util/buf.h"
#include "wire/names.h"

int gdoi_identity_format(const struct gdoi_identity *id, char *out, size_t cap)
{
	if (id->type == GDOI_ID_ADDRESS)
		return snprintf(out, cap, "%u.%u.%u.%u", (unsigned)(id->value >> 24),
				(unsigned)(id->value >> 16) & 255u,
				(unsigned)(id->value >> 8) & 255u, (unsigned)id->value & 255u);
	return snprintf(out, cap, "%u", (unsigned)id->value);
}

void gdoi_identity_to_wire(const struct gdoi_identity *id, uint8_t data[static 4],
			   struct wire_id *out)
{
	buf_store_u32(data, id->value);
	*out = (struct wire_id){.type = id->type == GDOI_ID_ADDRESS ? WIRE_ID_IPV4_ADDR
								    : WIRE_ID_KEY_ID,
				.data = data,
				.len = 4};
}
