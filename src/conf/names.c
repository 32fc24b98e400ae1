/* Keyword tables of access lists (conf/names.h). */
#include "conf/names.h"

#include "util/mem.h"

const struct conf_names_kv conf_names_proto[] = {
    {"ip", 0},	 {"icmp", 1}, {"igmp", 2},   {"tcp", 6},   {"udp", 17},	 {"gre", 47},
    {"esp", 50}, {"ahp", 51}, {"eigrp", 88}, {"ospf", 89}, {"pim", 103},
};
const size_t conf_names_n_proto = ARRAY_SIZE(conf_names_proto);

const struct conf_names_kv conf_names_port[] = {
    {"ftp-data", 20}, {"ftp", 21},    {"telnet", 23},  {"smtp", 25},	{"domain", 53},
    {"bootps", 67},   {"bootpc", 68}, {"tftp", 69},    {"www", 80},	{"ntp", 123},
    {"snmp", 161},    {"bgp", 179},   {"isakmp", 500}, {"syslog", 514}, {"non500-isakmp", 4500},
};
const size_t conf_names_n_port = ARRAY_SIZE(conf_names_port);

const char *conf_names_proto_name(uint8_t p)
{
	for (size_t i = 0; i < conf_names_n_proto; i++)
		if (conf_names_proto[i].value == p)
			return conf_names_proto[i].word;
	return NULL;
}
