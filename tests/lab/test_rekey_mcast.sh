#!/bin/bash
# Multicast rekeys on the product's path: KS1 runs examples/ks1.conf with
# `rekey transport multicast`, `rekey address ipv4 REKEY_ADDR` naming the
# group address 239.192.1.190 and the TEK lifetime cut to 120 s (so the
# activation delay is 12 s); GM1 and GM2 run examples/{gm1,gm2}.conf. After
# both registered:
#  - each member's GDOI socket has joined 239.192.1.190 on eth0, its
#    crypto-map interface (ip maddr), and shows the group as Multicast;
#  - while h13 sends a numbered UDP stream to h14, `crypto gdoi ks rekey` on
#    KS1 sends the push once to the group address (KS_SEND_MCAST_REKEY), and
#    the WAN carries it from 10.1.11.2 to 239.192.1.190:848 with TTL 16;
#  - both members receive it (Multicast rekey rcvd, GM_RECV_REKEY ... to
#    239.192.1.190) without acknowledging it, and send with the new TEK
#    after the activation delay, not before;
#  - the stream goes on under the new SPI and every datagram arrives once.
# The WAN bridge runs without multicast snooping (scripts/lab.sh), so the
# push is flooded to every member like on a shared segment.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

KS1=10.1.11.2
GROUP=239.192.1.190
PPS=50
PORT=6110
TMP=""

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"

# rekeys NODE: the member's cumulative rekey count (show crypto gdoi gm rekey).
rekeys() { json_get "$(in_ns "$1" gvpn show crypto gdoi gm rekey --json)" groups.0.rekeysReceived; }

# rekeys_above NODE N: NODE has accepted more than N rekeys.
rekeys_above() { [ "$(rekeys "$1")" -gt "$2" ]; }

# joined NODE: NODE's eth0 is a member of the group address.
joined() { output_has "inet  *$GROUP" in_ns "$1" ip maddr show dev eth0; }

# logged NODE ERE: a line of NODE's `show logging` matches ERE.
logged() { text_has "$2" "$(in_ns "$1" gvpn show logging)"; }

# spi_is NODE SPI: NODE sends with SPI.
spi_is() { [ "$(out_spi "$1")" = "$2" ]; }

# shellcheck disable=SC2119 # the topology; the daemons come one by one
lab_up
TMP=$(mktemp -d /tmp/gvpn-mcast.XXXXXX)
on_exit rm -rf "$TMP"

# ks1.conf with multicast rekeys to $GROUP and 120 s TEKs
"$PYTHON" - "$LAB_REPO/examples/ks1.conf" "$TMP/ks1.conf" "$KS1" "$GROUP" <<'EOF'
import sys
src, dst, ks, group = sys.argv[1:]
text = open(src).read()
for old, new in [
    (" set security-association lifetime seconds 900\n",
     " set security-association lifetime seconds 120\n"),
    ("  rekey transport unicast\n",
     "  rekey transport multicast\n  rekey address ipv4 REKEY_ADDR\n"),
    ("crypto gdoi group G1\n",
     "ip access-list extended REKEY_ADDR\n"
     " permit udp host %s eq 848 host %s eq 848\n!\ncrypto gdoi group G1\n" % (ks, group)),
]:
    if text.count(old) != 1:
        sys.exit("ks1.conf: %r not found once" % old)
    text = text.replace(old, new)
open(dst, "w").write(text)
EOF
check "the multicast ks1.conf passes --check-config" \
	"$GVPN_BUILD/gvpnd" --check-config "$TMP/ks1.conf"
check "ks1 starts with multicast rekeys to $GROUP" lab start ks1 --config "$TMP/ks1.conf"
check "gm1 starts" lab start gm1
check "gm2 starts" lab start gm2
poll 10 gm_registered gm1 || fail "gm1 not registered within 10 s"
poll 10 gm_registered gm2 || fail "gm2 not registered within 10 s"
pass "gm1 and gm2 registered"

for n in gm1 gm2; do
	check "$n: rekey transport Multicast (show crypto gdoi gm rekey)" \
		output_has '^Group G1 (Multicast)$' in_ns "$n" gvpn show crypto gdoi gm rekey
	check "$n: GM_REKEY_TRANS_2_MULTI logged" logged "$n" 'GM_REKEY_TRANS_2_MULTI'
	check "$n: eth0 joined $GROUP (ip maddr)" poll 5 joined "$n"
done
check "gm1's LAN interface did not join it: only the crypto-map interface" \
	eval "! output_has 'inet  *$GROUP' in_ns gm1 ip maddr show dev eth1"
SPI1=$(out_spi gm1) || fail "gm1 has no outbound SPI"
check "gm1 and gm2 send with the first TEK, SPI $SPI1" spi_is gm2 "$SPI1"
R1=$(rekeys gm1)
R2=$(rekeys gm2)

echo "== a UDP stream h13 -> h14 across a multicast rekey"
CAP=$(capture wan br0 "(udp port 848) or (host 192.168.13.2 and host 192.168.14.2)")
stream_start "$PORT" "$PPS"
check "the stream crosses (gm2 decrypts 50 datagrams)" poll 10 dp_at_least gm2 inbound decrypted 50

check "crypto gdoi ks rekey on ks1" in_ns ks1 gvpn crypto gdoi ks rekey
check "ks1 logged KS_SEND_MCAST_REKEY to $GROUP" \
	poll 5 logged ks1 "KS_SEND_MCAST_REKEY.* to $GROUP with seq"
check "gm1 received the rekey" poll 10 rekeys_above gm1 "$R1"
check "gm2 received the rekey" poll 10 rekeys_above gm2 "$R2"
for n in gm1 gm2; do
	check "$n: GM_RECV_REKEY from $KS1 to $GROUP" \
		logged "$n" "GM_RECV_REKEY.* from $KS1 to $GROUP with seq"
	check "$n: Multicast rekey rcvd counts it (show crypto gdoi)" \
		output_has 'Multicast rekey rcvd *: *[1-9]' in_ns "$n" gvpn show crypto gdoi
	check "$n: no acknowledgement sent" \
		test "$(json_get "$(in_ns "$n" gvpn show crypto gdoi gm rekey --json)" \
			groups.0.rekeyAcksSent)" = 0
done
check "gm1 still sends with $SPI1 right after the push (activation delay)" spi_is gm1 "$SPI1"
check "gm1 moves to a new TEK after the activation delay (12 s)" \
	poll 30 eval "! spi_is gm1 $SPI1"
SPI2=$(out_spi gm1)
pass "gm1 sends with $SPI2"
check "gm2 sends with $SPI2 too" poll 10 spi_is gm2 "$SPI2"
DEC=$(dp_ctr gm2 inbound decrypted)
check "the stream goes on under the new TEK (gm2 decrypts 100 more)" \
	poll 10 dp_at_least gm2 inbound decrypted $((DEC + 100))
stream_stop "across the rekey"
lab capture stop wan >/dev/null 2>&1
check "the WAN carried the push from $KS1 to $GROUP:848" \
	eval "[ \$(pcap_count '$CAP' src host $KS1 and dst host $GROUP and udp dst port 848) -ge 1 ]"
check "... with TTL 16" \
	output_has 'ttl 16,' tcpdump -n -v -r "$CAP" src host $KS1 and dst host $GROUP
check "the stream crossed as ESP under $SPI2" \
	eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI2) -ge 10 ]"
check "... and never in clear" test "$(pcap_count "$CAP" udp and host 192.168.13.2)" = 0
lab_done
