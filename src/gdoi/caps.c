/* The gvpn capability Vendor ID; see caps.h. */
#include "gdoi/caps.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

static const uint8_t magic[16] = {0x8c, 0x9c, 0x23, 0x53, 0xb0, 0x8e, 0x15, 0xeb,
				  0x91, 0x55, 0xa2, 0x92, 0x00, 0xc5, 0xbd, 0xdc};

void gdoi_caps_vid(uint32_t caps, uint8_t out[static GDOI_VID_LEN])
{
	memcpy(out, magic, sizeof(magic));
	out[16] = GDOI_VERSION_MAJOR;
	out[17] = GDOI_VERSION_MINOR;
	buf_store_u32(out + 18, caps);
}

bool gdoi_caps_parse(const uint8_t *vid, size_t len, struct gdoi_peer_caps *out)
{
	if (len != GDOI_VID_LEN || memcmp(vid, magic, sizeof(magic)))
		return false;
	out->gvpn = true;
	out->major = vid[16];
	out->minor = vid[17];
	out->caps = buf_load_u32(vid + 18);
	return true;
}

uint32_t gdoi_caps_version_code(const struct gdoi_peer_caps *c)
{
	if (!c->gvpn)
		return 0;
	return (uint32_t)c->major << 16 | (uint32_t)c->minor << 8 | GDOI_VERSION_LEVEL;
}

int gdoi_caps_format(const struct gdoi_peer_caps *c, char *out, size_t cap)
{
	if (!c->gvpn)
		return snprintf(out, cap, "RFC 6407");
	return snprintf(out, cap, "gvpn %u.%u, capabilities 0x%08x", (unsigned)c->major,
			(unsigned)c->minor, (unsigned)c->caps);
}
