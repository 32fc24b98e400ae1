#!/bin/bash
# The data-plane show commands on real daemons: KS1, GM1 and GM2 run gvpnd
# with examples/{ks1,gm1,gm2}.conf (scripts/lab.sh up --daemons). After both
# members registered, h13 sends UDP datagrams to h14 (permitted: encrypted)
# and pings it (ICMP is denied in the example policy: clear). Then, through
# `gvpn` in each namespace:
#  - GM1 `show crypto datapath`: every drop reason listed, the runtime's
#    queue bound; lan_in, classified_permit, encrypted and wan_out count
#    the datagrams (the pings pass by the kernel's deny rules, unqueued);
#    GM2 decrypted and lan_out, no mac_fail;
#  - GM1 `show crypto ipsec sa`: eth0, a flow per downloaded ACL line, the
#    TEK as current outbound SPI and #pkts encaps; GM2: #pkts decaps;
#  - GM1 `show access-lists`: the downloaded ACL, (N matches) on a permit
#    line;
#  - `clear crypto datapath` zeroes GM1's lan_in.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

N=20 # UDP datagrams h13 -> h14

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"

lab_up --daemons ks1,gm1,gm2

poll 5 gm_registered gm1 || fail "gm1 not registered within 5 s"
poll 5 gm_registered gm2 || fail "gm2 not registered within 5 s"
pass "gm1 and gm2 registered"

out=$(in_ns gm1 gvpn show crypto datapath)
check "gm1: show crypto datapath names the interface" text_has '^Data plane of eth0 ' "$out"
check "gm1: drop reason mac_fail listed" text_has '^  mac_fail +: [0-9]+$' "$out"
check "gm1: drop reason bad_spi listed" text_has '^  bad_spi +: [0-9]+$' "$out"
check "gm1: the queues are bound" text_has '^  [0-9]+ +yes ' "$out"

for i in $(seq "$N"); do
	in_ns h13 "${TRAFFIC[@]}" udp-tx 192.168.14.2 "$((6000 + i))" 200 nodf >/dev/null
done
in_ns h13 ping -c 2 -i 0.2 -W 2 192.168.14.2 >/dev/null || fail "ping h13 -> h14 (clear) failed"
pass "h13 sent $N UDP datagrams and 2 pings to h14"

# the pings never reach the classifier: the kernel passes deny lines itself
check "gm1: lan_in >= $N" dp_at_least gm1 outbound lanIn "$N"
check "gm1: classified_permit >= $N" dp_at_least gm1 outbound classifiedPermit "$N"
check "gm1: encrypted >= $N" dp_at_least gm1 outbound encrypted "$N"
check "gm1: wan_out >= $N" dp_at_least gm1 outbound wanOut "$N"
check "gm2: decrypted >= $N" dp_at_least gm2 inbound decrypted "$N"
check "gm2: lan_out >= $N" dp_at_least gm2 inbound lanOut "$N"
[ "$(dp_ctr gm2 drops macFail)" = 0 ] || fail "gm2: mac_fail is not 0"
pass "gm2: no mac_fail"

out=$(in_ns gm1 gvpn show crypto ipsec sa)
check "gm1: ipsec sa on eth0" text_has '^interface: eth0$' "$out"
check "gm1: local addr 10.1.13.2" text_has '^    Crypto map tag: .*, local addr 10\.1\.13\.2$' "$out"
check "gm1: a flow of group G1" text_has '^   Group: G1$' "$out"
check "gm1: a TEK sends" text_has '^     current outbound spi: 0x[0-9A-F]+\([1-9][0-9]*\)$' "$out"
check "gm1: the TEK's SA block" text_has '^        Status: ACTIVE\(ACTIVE\)$' "$out"
enc=$(json_get "$(in_ns gm1 gvpn show crypto ipsec sa --json)" interfaces.0.flows.-1.pktsEncaps)
[ "$enc" -ge "$N" ] || fail "gm1: #pkts encaps of the last flow is $enc, want >= $N"
pass "gm1: #pkts encaps $enc"
dec=$(json_get "$(in_ns gm2 gvpn show crypto ipsec sa --json)" interfaces.0.flows.-1.pktsDecaps)
[ "$dec" -ge "$N" ] || fail "gm2: #pkts decaps of the last flow is $dec, want >= $N"
pass "gm2: #pkts decaps $dec"

out=$(in_ns gm1 gvpn show access-lists)
check "gm1: the downloaded ACL" text_has '^Extended IP access list gdoi_group_G1_temp_acl$' "$out"
check "gm1: the deny icmp line" text_has '^ +[0-9]+ deny icmp any any' "$out"
check "gm1: a permit line matched" text_has '^ +[0-9]+ permit .* \([0-9]+ match(es)?\)$' "$out"

check "gm1: clear crypto datapath" in_ns gm1 gvpn clear crypto datapath
lan_in_zero() { [ "$(dp_ctr gm1 outbound lanIn)" = 0 ]; }
check "gm1: lan_in back to 0" lan_in_zero

lab_done
