/*
 * Keyword tables shared by the parser and the writer: IP protocol and
 * port names of IOS access lists.
 */
#ifndef GVPN_CONF_NAMES_H
#define GVPN_CONF_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct conf_names_kv {
	const char *word;
	uint32_t value;
};

/* `ip`, `icmp`, `tcp`, `udp`, `gre`, `esp`, ... with their protocol numbers. */
extern const struct conf_names_kv conf_names_proto[];
extern const size_t conf_names_n_proto;
/* `www`, `isakmp`, ... with their port numbers (accepted, never written). */
extern const struct conf_names_kv conf_names_port[];
extern const size_t conf_names_n_port;

/* The name of protocol p, NULL when it has none (written as a number). */
const char *conf_names_proto_name(uint8_t p);

#endif
