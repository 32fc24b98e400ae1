#!/bin/bash
# The data plane on the product's path: KS1, GM1 and GM2 run gvpnd with
# examples/{ks1,gm1,gm2}.conf (scripts/lab.sh up --daemons). The key server's
# policy is
#     deny udp any eq 848 any eq 848
#     deny icmp any any
#     permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255
# with AES-256-CBC + HMAC-SHA-256-128. After both members registered:
#  - the members' rules (encap chain in mangle POSTROUTING, decap chain in
#    raw PREROUTING, GDOI never queued);
#  - TCP and UDP from h13 to h14 cross the WAN bridge only as ESP between
#    192.168.13.2 and 192.168.14.2 (header preservation) with the TEK's
#    SPI; ICMP crosses in clear; so does TCP that GM1 itself sends from
#    its LAN address (and the replies it decrypts for itself);
#  - 50 MB of TCP arrive intact with every MTU at 1500 (PMTUD through
#    GM1's own ICMP, mtu 1438 for this transform);
#  - a 1472-byte UDP datagram with DF gets ICMP frag-needed from GM1
#    carrying mtu 1438; without DF it arrives whole (fragmented before
#    encryption);
#  - a tampered ESP packet injected on the WAN is dropped by GM2 and counted
#    (show crypto datapath mac_fail, show crypto ipsec sa detail verify
#    failed, RECVD_PKT_MAC_ERR in show logging);
#  - show crypto gdoi gm and show crypto ipsec sa agree with what was sent;
#  - a SIGKILL and restart of GM1's gvpnd (fail-open), a clean stop that
#    leaves no gvpn rule behind;
#  - crypto ipsec df-bit clear and ip tcp adjust-mss from the configuration;
#  - client fail-close: nothing leaves before the first registration, after
#    a crash or after a clean stop.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

# AES-CBC-256 + HMAC-SHA-256-128 on a 1500-byte WAN: outer IP 20, ESP 8,
# IV 16, ICV 16; the padded payload (inner + 2) must fit 1440 bytes.
INNER_MTU=1438
TMP=""

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"

# ---- helpers -------------------------------------------------------------

# jumps NODE CHAIN: how many rules jump to CHAIN on NODE
jumps() { in_ns "$1" iptables-save | { grep -c -- "-j $2\$" || true; }; }

# ---- test ------------------------------------------------------------------

lab_up --daemons ks1,gm1,gm2
TMP=$(mktemp -d /tmp/gvpn-dpg.XXXXXX)
on_exit rm -rf "$TMP"

poll 5 gm_registered gm1 || fail "gm1 not registered within 5 s"
poll 5 gm_registered gm2 || fail "gm2 not registered within 5 s"
pass "gm1 and gm2 registered with KS1"

echo "== the members' policy and rules"
out=$(in_ns gm1 gvpn show crypto gdoi gm)
check "gm1: show crypto gdoi gm names group G1" \
	text_has '^Group Member Information For Group G1:$' "$out"
check "gm1: ... and the ACL received from the KS" \
	text_has '^ +ACL Received From KS +: gdoi_group_G1_temp_acl$' "$out"
SPI=$(out_spi gm1) || fail "gm1: no current outbound spi in show crypto ipsec sa"
pass "gm1 sends with the TEK SPI $SPI"
check "gm2 has the same TEK as its outbound SA (one SPI for the group)" \
	test "$(out_spi gm2)" = "$SPI"
mangle=$(in_ns gm1 iptables-save -t mangle)
check "gm1: encap chain hooked first in mangle POSTROUTING -o eth0" \
	text_has '^-A POSTROUTING -o eth0 -j GVPN-ENC-eth0$' "$mangle"
check "gm1: GDOI (UDP 848) and ICMP return in the kernel, in clear" \
	eval "text_has '--sport 848 -j RETURN' \"\$mangle\" && text_has '--dport 848 -j RETURN' \"\$mangle\" &&
	      text_has '-p icmp -j RETURN' \"\$mangle\""
check "gm1: 192.168.0.0/16 <-> 192.168.0.0/16 is queued" \
	text_has '-s 192.168.0.0/16 -d 192.168.0.0/16 -j NFQUEUE --queue-' "$mangle"
check "gm2: decap chain for ESP in raw PREROUTING -i eth0" \
	output_has '^-A PREROUTING -i eth0 -p esp -j GVPN-DEC-eth0$' in_ns gm2 iptables-save -t raw

echo "== what crosses the WAN"
head -c 1000000 /dev/urandom >"$TMP/small"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "ping h13 -> h14 (ICMP is denied in the policy)" in_ns h13 ping -c 2 -i 0.2 -W 2 192.168.14.2
check "1 MB TCP h13 -> h14 arrives intact (sha256, length)" tcp_send "$TMP/small" 5001
check "UDP h13 -> h14 (200 bytes)" udp_crosses 200 nodf 5002
lab capture stop wan >/dev/null 2>&1
check "ICMP echo request and reply crossed the WAN in clear" \
	eval "[ \$(pcap_count '$CAP' 'icmp[icmptype] == icmp-echo') -ge 2 ] &&
	      [ \$(pcap_count '$CAP' 'icmp[icmptype] == icmp-echoreply') -ge 2 ]"
check "not one clear TCP or UDP packet between the hosts on the WAN" \
	test "$(pcap_count "$CAP" 'tcp or udp')" = 0
check "ESP 192.168.13.2 > 192.168.14.2 with SPI $SPI carried the data (header preservation; the capture may miss some)" \
	eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI) -ge 10 ]"
check "... and ESP 192.168.14.2 > 192.168.13.2 the TCP ACKs" \
	eval "[ \$(esp_count '$CAP' 192.168.14.2 192.168.13.2 $SPI) -ge 10 ]"
check "the capture holds nothing else between the hosts (ESP or ICMP only)" \
	test "$(pcap_count "$CAP" 'not esp and not icmp')" = 0
check "gm2 decrypted what gm1 encrypted (inbound decrypted >= 500)" dp_at_least gm2 inbound decrypted 500
check "gm1 queued no ICMP: it returned in the kernel (classified_deny = 0)" \
	eval "[ \$(dp_ctr gm1 outbound classifiedDeny) = 0 ]"

echo "== traffic gm1 sends itself (from its LAN address 192.168.13.1)"
CAP=$(capture wan br0 host 192.168.13.1 and host 192.168.14.2)
in_ns h14 "${TRAFFIC[@]}" tcp-rx 5020 "$TMP/own.rx" &
RX=$!
poll 5 output_has ':5020 ' in_ns h14 ss -tln || fail "tcp receiver did not listen"
check "1 MB TCP from gm1 (socat bound to 192.168.13.1) to h14" \
	in_ns gm1 timeout 60 socat -u "FILE:$TMP/small" TCP4:192.168.14.2:5020,bind=192.168.13.1
wait $RX
lab capture stop wan >/dev/null 2>&1
check "... arrives intact (sha256, length)" \
	test "$(cat "$TMP/own.rx")" = "$(sha256sum "$TMP/small" | cut -d' ' -f1) 1000000"
check "it crossed the WAN as ESP 192.168.13.1 > 192.168.14.2 (the capture may miss some)" \
	eval "[ \$(esp_count '$CAP' 192.168.13.1 192.168.14.2 $SPI) -ge 10 ]"
check "... and h14's ACKs as ESP to gm1 itself, which decrypted them for its own socket" \
	eval "[ \$(esp_count '$CAP' 192.168.14.2 192.168.13.1 $SPI) -ge 10 ]"
check "... never in clear" test "$(pcap_count "$CAP" 'tcp or udp')" = 0
check "gm1 sent its own ESP through the injection socket (queues.injected >= 500)" \
	dp_at_least gm1 queues injected 500

echo "== 50 MB TCP with all MTUs at 1500 (PMTUD through the encrypting GM)"
head -c 52428800 /dev/urandom >"$TMP/big"
in_ns h13 ip route flush cache
CAP=$(capture wan br0 '(tcp or udp) and host 192.168.13.2 and host 192.168.14.2')
INJ=$(dp_ctr gm1 queues injected)
check "50 MB TCP h13 -> h14 arrives intact (sha256 and length equal)" tcp_send "$TMP/big" 5003
check "gm1 sent the forwarded ESP as verdicts (fewer than 100 injected, ICMP only)" \
	eval "[ \$(dp_ctr gm1 queues injected) -lt $((INJ + 100)) ]"
lab capture stop wan >/dev/null 2>&1
check "... and not one clear TCP/UDP packet between the hosts crossed the WAN" \
	test "$(pcap_count "$CAP")" = 0
check "gm1 sent ICMP frag-needed for full-size segments (icmp_frag_needed >= 1)" \
	dp_at_least gm1 events icmpFragNeeded 1
check "h13 learnt the reduced path MTU $INNER_MTU (ip route get)" \
	output_has "mtu $INNER_MTU" in_ns h13 ip route get 192.168.14.2
check "no queue overflow on gm1 or gm2 (queue_dropped = user_dropped = 0)" \
	eval "[ \$(dp_ctr gm1 queues queueDropped) = 0 ] && [ \$(dp_ctr gm1 queues userDropped) = 0 ] &&
	      [ \$(dp_ctr gm2 queues queueDropped) = 0 ] && [ \$(dp_ctr gm2 queues userDropped) = 0 ]"
check "gm2 saw no authentication failure or replay drop during the transfer" \
	eval "[ \$(dp_ctr gm2 drops macFail) = 0 ] && [ \$(dp_ctr gm2 drops replayTbar) = 0 ]"

echo "== 1472-byte UDP with and without DF"
in_ns h13 ip route flush cache
CAP=$(capture h13 eth0 icmp)
BEFORE=$(dp_ctr gm1 events icmpFragNeeded)
in_ns h14 "${TRAFFIC[@]}" udp-rx 5004 1 "$TMP/udp.df" &
RX=$!
poll 5 output_has ':5004 ' in_ns h14 ss -uln || fail "udp receiver did not listen"
ERR=$(in_ns h13 "${TRAFFIC[@]}" udp-tx 192.168.14.2 5004 1472 df)
wait $RX
check "1472-byte UDP with DF set does not cross (too big once encrypted)" test "$(cat "$TMP/udp.df")" = timeout
check "h13's socket got EMSGSIZE from an ICMP frag-needed" test "$ERR" = EMSGSIZE
check "gm1 answered with ICMP frag-needed (icmp_frag_needed +1)" \
	dp_at_least gm1 events icmpFragNeeded $((BEFORE + 1))
poll 5 test "$(pcap_count "$CAP" 'icmp[icmptype] == icmp-unreach')" -ge 1 || true
lab capture stop h13 >/dev/null 2>&1
check "h13 received 'need to frag (mtu $INNER_MTU)' from GM1 (10.1.13.2)" \
	eval "tcpdump -n -r '$CAP' 2>/dev/null | grep -q 'IP 10.1.13.2 > 192.168.13.2: ICMP 192.168.14.2 unreachable - need to frag (mtu $INNER_MTU)'"
check "h13 caches mtu $INNER_MTU for h14" output_has "mtu $INNER_MTU" in_ns h13 ip route get 192.168.14.2
in_ns h13 ip route flush cache
BEFORE=$(dp_ctr gm1 events fragmented)
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "1472-byte UDP without DF arrives whole at h14" udp_crosses 1472 nodf 5005
lab capture stop wan >/dev/null 2>&1
check "gm1 fragmented it before encryption (fragmented +1)" \
	dp_at_least gm1 events fragmented $((BEFORE + 1))
check "... into ESP packets that are not fragments themselves (2 ESP, no IP fragment, no clear UDP)" \
	eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI) -ge 2 ] &&
	      [ \$(pcap_count '$CAP' 'ip[6:2] & 0x3fff != 0') = 0 ] && [ \$(pcap_count '$CAP' udp) = 0 ]"

echo "== tampered ESP injected on the WAN"
CAP=$(capture gm2 eth0 esp and src 192.168.13.2)
check "UDP h13 -> h14 to have an ESP packet" udp_crosses 300 nodf 5006
lab capture stop gm2 >/dev/null 2>&1
BEFORE=$(dp_ctr gm2 drops macFail)
BEFORE_DEC=$(dp_ctr gm2 inbound decrypted)
GM2_MAC=$(ip -n gvpn-gm2 -o link show dev eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
check "ks1 sends that ESP packet again with one ICV byte flipped (AF_PACKET to gm2 $GM2_MAC)" \
	in_ns ks1 "${TRAFFIC[@]}" esp-tamper "$CAP" eth0 "$GM2_MAC"
check "gm2 dropped it as mac_fail (show crypto datapath: $BEFORE -> $((BEFORE + 1)))" \
	poll 5 dp_at_least gm2 drops macFail $((BEFORE + 1))
check "... and decrypted nothing more" test "$(dp_ctr gm2 inbound decrypted)" = "$BEFORE_DEC"
check "... counted on the SA (show crypto ipsec sa detail: #pkts verify failed >= 1)" \
	output_has '#pkts verify failed: [1-9]' in_ns gm2 gvpn show crypto ipsec sa detail
check "... and logged %CRYPTO-4-RECVD_PKT_MAC_ERR (show logging)" \
	poll 5 output_has 'CRYPTO-4-RECVD_PKT_MAC_ERR' in_ns gm2 gvpn show logging
check "UDP h13 -> h14 still crosses afterwards" udp_crosses 300 nodf 5007

echo "== show crypto ipsec sa after the traffic"
enc=$(json_get "$(in_ns gm1 gvpn show crypto ipsec sa --json)" interfaces.0.flows.-1.pktsEncaps)
check "gm1: #pkts encaps of the permit flow >= 36000 (the 50 MB)" test "$enc" -ge 36000
dec=$(json_get "$(in_ns gm2 gvpn show crypto ipsec sa --json)" interfaces.0.flows.-1.pktsDecaps)
check "gm2: #pkts decaps of the permit flow >= 36000" test "$dec" -ge 36000

echo "== gvpnd on gm1 crashes and restarts (fail-open)"
check "gm1 is killed (SIGKILL)" lab kill gm1
check "its rules stay, with --queue-bypass (fail-open: no listener, the kernel accepts)" \
	eval "[ \$(jumps gm1 GVPN-ENC-eth0) = 1 ] && in_ns gm1 iptables-save -t mangle | grep -q -- '-j NFQUEUE .*--queue-bypass'"
CAP=$(capture wan br0 udp and host 192.168.13.2 and host 192.168.14.2)
check "UDP h13 -> h14 crosses while gm1 is down" udp_crosses 200 nodf 5008
lab capture stop wan >/dev/null 2>&1
check "... in clear on the WAN (the GETVPN default)" test "$(pcap_count "$CAP" udp)" -ge 1
# what a run on another interface (eth9) could have left: a fail-close chain
in_ns gm1 iptables -t mangle -N GVPN-ENC-eth9
in_ns gm1 iptables -t mangle -A GVPN-ENC-eth9 -j DROP
in_ns gm1 iptables -t mangle -I POSTROUTING -o eth9 -j GVPN-ENC-eth9
check "gm1 restarts" lab start gm1
poll 10 gm_registered gm1 || fail "gm1 not registered again within 10 s"
pass "gm1 registered again"
check "it replaced the crashed run's rules: one jump to each chain" \
	eval "[ \$(jumps gm1 GVPN-ENC-eth0) = 1 ] && [ \$(jumps gm1 GVPN-DEC-eth0) = 1 ]"
check "... and removed the stale chain of eth9, which carries no crypto map" \
	eval "! in_ns gm1 iptables-save | grep -q GVPN-ENC-eth9"
check "gvpnd.log tells the data plane started and applied its rules" \
	eval "grep -q 'gvpnd: gvpn data plane eth0: started' '$LABLIB_DIR/gm1/gvpnd.log' &&
	      grep -q 'gvpnd: gvpn data plane eth0: rules applied' '$LABLIB_DIR/gm1/gvpnd.log'"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "UDP h13 -> h14 crosses" udp_crosses 200 nodf 5009
lab capture stop wan >/dev/null 2>&1
check "... as ESP again, nothing in clear" \
	eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI) -ge 1 ] && [ \$(pcap_count '$CAP' udp) = 0 ]"

echo "== clean stop (fail-open)"
check "gm1 stops" lab stop gm1
check "no gvpn rule is left on gm1 (iptables-save)" test "$(gvpn_rules gm1)" = 0
CAP=$(capture wan br0 udp and host 192.168.13.2 and host 192.168.14.2)
check "UDP h13 -> h14 crosses now" udp_crosses 200 nodf 5010
lab capture stop wan >/dev/null 2>&1
check "... in clear on the WAN" test "$(pcap_count "$CAP" udp)" -ge 1

echo "== crypto ipsec df-bit clear and ip tcp adjust-mss through the configuration"
sed -e 's/^interface eth0$/crypto ipsec df-bit clear\n!\n&/' -e 's/^ crypto map gm_map$/&\n ip tcp adjust-mss 1300/' \
	"$LAB_REPO/examples/gm1.conf" >"$TMP/gm1-mss.conf"
{ grep -q '^ ip tcp adjust-mss 1300$' "$TMP/gm1-mss.conf" &&
	grep -q '^crypto ipsec df-bit clear$' "$TMP/gm1-mss.conf"; } || fail "could not edit a copy of gm1.conf"
check "gm1 starts with df-bit clear and adjust-mss 1300 on eth0" lab start gm1 --config "$TMP/gm1-mss.conf"
poll 10 gm_registered gm1 || fail "gm1 not registered within 10 s"
pass "gm1 registered"
in_ns h13 ip route flush cache
BEFORE=$(dp_ctr gm1 events fragmented)
check "1472-byte UDP with DF set now arrives whole at h14 (DF cleared before encryption)" \
	udp_crosses 1472 df 5021
check "gm1 fragmented it before encryption (fragmented +1)" \
	dp_at_least gm1 events fragmented $((BEFORE + 1))
SYNS=$(capture h14 eth0 'tcp[tcpflags] & tcp-syn != 0')
check "1 MB TCP h13 -> h14" tcp_send "$TMP/small" 5022
lab capture stop h14 >/dev/null 2>&1
check "h13's SYN reached h14 with its MSS clamped to 1300 by gm1 (mss_clamped >= 1)" \
	eval "tcpdump -n -r '$SYNS' 2>/dev/null | grep -q 'IP 192.168.13.2\\.[0-9]* > 192.168.14.2\\.5022: Flags \\[S\\],.*mss 1300,' &&
	      dp_at_least gm1 events mssClamped 1"
check "gm1 stops" lab stop gm1

echo "== client fail-close"
sed 's/^ identity number 3333$/&\n client fail-close/' "$LAB_REPO/examples/gm1.conf" >"$TMP/gm1-fc.conf"
grep -q '^ client fail-close$' "$TMP/gm1-fc.conf" || fail "could not add client fail-close to gm1.conf"
# gm1 cannot reach a key server until the rule goes
in_ns gm1 iptables -I OUTPUT -p udp --dport 848 -j DROP
check "gm1 starts with 'client fail-close' while UDP 848 is blocked" \
	lab start gm1 --config "$TMP/gm1-fc.conf"
check "show crypto gdoi gm: Fail-Close Revert : Enabled (dropping)" \
	poll 5 output_has '^ *Fail-Close Revert *: Enabled (dropping)$' in_ns gm1 gvpn show crypto gdoi gm
check "show crypto datapath: unmatched traffic dropped" \
	output_has '^ *Unmatched traffic *: dropped' in_ns gm1 gvpn show crypto datapath
check "gm1's encap chain ends in DROP" output_has '^-A GVPN-ENC-eth0 -j DROP$' in_ns gm1 iptables-save -t mangle
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "UDP h13 -> h14 is dropped before the first registration" udp_blocked 5011
check "... and so is ping" eval "! in_ns h13 ping -c 1 -W 1 192.168.14.2 >/dev/null"
lab capture stop wan >/dev/null 2>&1
check "... nothing of it crossed the WAN" test "$(pcap_count "$CAP")" = 0
in_ns gm1 iptables -D OUTPUT -p udp --dport 848 -j DROP
check "clear crypto gdoi: gm1 registers at once" in_ns gm1 gvpn clear crypto gdoi
poll 10 gm_registered gm1 || fail "gm1 not registered within 10 s"
pass "gm1 registered (fail-close)"
check "show crypto gdoi gm: Fail-Close Revert : Enabled (no longer dropping)" \
	output_has '^ *Fail-Close Revert *: Enabled$' in_ns gm1 gvpn show crypto gdoi gm
check "UDP h13 -> h14 crosses" udp_crosses 200 nodf 5012
check "ping h13 -> h14 passes (deny icmp: clear)" in_ns h13 ping -c 1 -W 2 192.168.14.2
check "gm1 is killed (SIGKILL)" lab kill gm1
check "its rules stay without --queue-bypass" \
	eval "in_ns gm1 iptables-save -t mangle | grep -q -- '-j NFQUEUE' && ! in_ns gm1 iptables-save | grep -q -- '--queue-bypass'"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "after the crash UDP h13 -> h14 does not arrive" udp_blocked 5013
lab capture stop wan >/dev/null 2>&1
check "... and did not cross the WAN in clear" test "$(pcap_count "$CAP" udp)" = 0
check "ping (a clear entry of the policy) still passes" in_ns h13 ping -c 1 -W 2 192.168.14.2
check "gm1 restarts (fail-close)" lab start gm1
poll 10 gm_registered gm1 || fail "gm1 not registered again within 10 s"
pass "gm1 registered again"
check "UDP h13 -> h14 crosses again" udp_crosses 200 nodf 5014
check "gm1 stops cleanly" lab stop gm1
check "what stays on gm1: the encap chain with DROP instead of the queue, no decap chain" \
	eval "in_ns gm1 iptables-save -t mangle | grep -q -- '-s 192.168.0.0/16 -d 192.168.0.0/16 -j DROP' &&
	      ! in_ns gm1 iptables-save | grep -q -e NFQUEUE -e GVPN-DEC"
check "after the clean stop UDP h13 -> h14 still does not arrive" udp_blocked 5015
grep -v '^ crypto map gm_map$' "$TMP/gm1-fc.conf" >"$TMP/gm1-nomap.conf"
check "gm1 starts with the crypto map taken off eth0" lab start gm1 --config "$TMP/gm1-nomap.conf"
check "... which removed the fail-close chain the clean stop kept" \
	poll 5 eval "[ \$(gvpn_rules gm1) = 0 ]"
check "UDP h13 -> h14 crosses in clear again" udp_crosses 200 nodf 5016
check "gm1 stops" lab stop gm1
check "gm2 stops" lab stop gm2
check "no gvpn rule is left on gm2 (iptables-save)" test "$(gvpn_rules gm2)" = 0
lab_done
