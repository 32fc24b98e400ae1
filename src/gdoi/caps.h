/*
 * gvpn version and capability negotiation (notes §5.2): a 22-octet Vendor ID
 * in Main Mode message 1 (GM) and 2 (KS).
 *
 *   magic (16) = 8c9c2353b08e15eb9155a29200c5bddc  (SHA-256("gvpn-gdoi-capabilities")[0..15])
 *   major (1) | minor (1) | capability flags (4, big-endian)
 *
 * A peer without this VID is a plain RFC 6407 peer: it gets no gvpn private
 * attribute and is refused a policy that needs a capability (§5.2 KS rule).
 */
#ifndef GVPN_GDOI_CAPS_H
#define GVPN_GDOI_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDOI_VID_LEN	   22
#define GDOI_VERSION_MAJOR 1
#define GDOI_VERSION_MINOR 0
/*
 * IOS shows GDOI versions as major.minor.level ("1.0.27") and logs them as
 * 0xMMmmLL (REJECT_GM_VERSION_REGISTER). The VID carries only major.minor;
 * every gvpn peer of a major.minor is shown with this level, so that what a
 * member's `show crypto gdoi` says and what a key server logs about it agree.
 */
#define GDOI_VERSION_LEVEL 27
#define GDOI_STR_(x)	   #x
#define GDOI_STR(x)	   GDOI_STR_(x)
/* "1.0.27": MAJOR.MINOR.LEVEL of this build. */
#define GDOI_VERSION_TEXT                                                                          \
	GDOI_STR(GDOI_VERSION_MAJOR)                                                               \
	"." GDOI_STR(GDOI_VERSION_MINOR) "." GDOI_STR(GDOI_VERSION_LEVEL)

/* Capability flags (notes §5.2). */
enum gdoi_cap {
	GDOI_CAP_REKEY_ACK = 1u << 0, /* §5.3 */
	GDOI_CAP_TBAR = 1u << 1,      /* §5.4 */
	GDOI_CAP_LONG_SA = 1u << 2,   /* lifetimes > 86400 s */
	GDOI_CAP_GCM_SID = 1u << 3,   /* §4.6 */
	GDOI_CAP_COOP_V1 = 1u << 4,   /* §5.5 */
	GDOI_CAP_ACL_EXT = 1u << 5,   /* §5.6 */
};
/* What this build implements and announces by default. */
#define GDOI_CAPS_ALL                                                                              \
	(GDOI_CAP_REKEY_ACK | GDOI_CAP_TBAR | GDOI_CAP_LONG_SA | GDOI_CAP_GCM_SID |                \
	 GDOI_CAP_ACL_EXT)

/* A peer's announcement; gvpn == false for a peer without the VID. */
struct gdoi_peer_caps {
	bool gvpn;
	uint8_t major, minor;
	uint32_t caps;
};

/* Write our VID (version 1.0 and caps) into out. */
void gdoi_caps_vid(uint32_t caps, uint8_t out[static GDOI_VID_LEN]);
/*
 * Read one Vendor ID body: true (and *out filled) when it is the gvpn VID.
 * Other VIDs (and a gvpn magic with a wrong length) give false. Unknown
 * flag bits are kept but mean nothing.
 */
bool gdoi_caps_parse(const uint8_t *vid, size_t len, struct gdoi_peer_caps *out);
/* A peer's version as IOS logs it: 0x1001B for gvpn 1.0 (1.0.27); 0 without the VID. */
uint32_t gdoi_caps_version_code(const struct gdoi_peer_caps *c);
/* "gvpn 1.0, capabilities 0x00000023" or "RFC 6407" (`show` text). */
int gdoi_caps_format(const struct gdoi_peer_caps *c, char *out, size_t cap);

#endif
