#!/bin/bash
# A TEK roll-over under traffic, on the product's path: KS1 runs
# examples/ks1.conf with the TEK lifetime cut to 120 s (the shortest the
# configuration takes), so that it pushes a new TEK about a minute after it
# starts; GM1 and GM2 run examples/{gm1,gm2}.conf. While h13 sends a
# numbered UDP stream (50 datagrams a second) to h14:
#  - both members receive the rekey and GM1 then sends with the new SPI;
#  - GM2 holds both TEKs for a while (accept either) and decrypts with both,
#    until the old one expires;
#  - the WAN carries the stream as ESP under the old SPI, then the new one,
#    never in clear;
#  - every datagram arrives exactly once (no loss at the roll-over), and
#    neither member drops anything for an unknown SPI, a failed ICV or replay.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

PPS=50
PORT=6100
TMP=""

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"

# spi_is_not NODE SPI: NODE sends with an SPI other than SPI (and has one)
spi_is_not() {
	local s
	s=$(out_spi "$1") && [ "$s" != "$2" ]
}

# inbound_sas NODE: how many inbound ESP SAs the permit flow of NODE lists
inbound_sas() {
	json_get "$(in_ns "$1" gvpn show crypto ipsec sa --json)" interfaces.0.flows.-1.inboundEspSas |
		"$PYTHON" -c 'import json, sys; print(len(json.load(sys.stdin)))'
}

no_drops() { # NODE REASON...: those drop counters of NODE are 0
	local n=$1 r v
	shift
	for r in "$@"; do
		v=$(dp_ctr "$n" drops "$r")
		[ "$v" = 0 ] || { echo "$n drops.$r = $v"; return 1; }
	done
}

# shellcheck disable=SC2119 # the topology; the daemons come one by one
lab_up
TMP=$(mktemp -d /tmp/gvpn-dpr.XXXXXX)
on_exit rm -rf "$TMP"

start_short_teks "$TMP"
SPI1=$(out_spi gm1) || fail "gm1 has no outbound SPI"
check "gm1 and gm2 send with the first TEK, SPI $SPI1" test "$(out_spi gm2)" = "$SPI1"
check "its lifetime is at most 120 s (show crypto ipsec sa: remaining key lifetime)" \
	eval "[ \$(json_get \"\$(in_ns gm1 gvpn show crypto ipsec sa --json)\" \
		interfaces.0.flows.-1.inboundEspSas.0.remainingKeyLifetimeSec) -le 120 ]"

echo "== a UDP stream h13 -> h14 across the roll-over"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
bg_in_ns h14 "$PYTHON" "$LAB_REPO/tests/lab/tools/dp_traffic.py" udp-stream-rx "$PORT" 3 "$TMP/rx"
RX=$BG_PID
poll 5 output_has ":$PORT " in_ns h14 ss -uln || fail "stream receiver did not listen"
bg_in_ns h13 "$PYTHON" "$LAB_REPO/tests/lab/tools/dp_traffic.py" udp-stream-tx 192.168.14.2 "$PORT" "$PPS" "$TMP/stop" >"$TMP/sent"
TX=$BG_PID
check "gm1 moved to a new TEK within 110 s (the rekey, then the activation delay)" \
	poll 110 spi_is_not gm1 "$SPI1"
SPI2=$(out_spi gm1)
pass "gm1 sends with $SPI2"
check "gm2 sends with $SPI2 too" poll 30 eval "[ \"\$(out_spi gm2)\" = $SPI2 ]"
check "gm2 still accepts the old TEK: two inbound SAs" eval "[ \$(inbound_sas gm2) -ge 2 ]"
check "the old TEK expires at the end of its 120 s: gm1 and gm2 list one inbound SA again" \
	poll 90 eval "[ \$(inbound_sas gm2) = 1 ] && [ \$(inbound_sas gm1) = 1 ]"
DEC=$(dp_ctr gm2 inbound decrypted)
check "the stream goes on under the new TEK alone (gm2 decrypts 100 more)" \
	poll 10 dp_at_least gm2 inbound decrypted $((DEC + 100))
touch "$TMP/stop"
wait "$TX" || fail "the stream sender failed"
SENT=$(cat "$TMP/sent")
wait "$RX" || fail "the stream receiver failed"
lab capture stop wan >/dev/null 2>&1
read -r _ GOT _ DISTINCT _ FIRST _ LAST <"$TMP/rx"
pass "h13 sent $SENT datagrams; h14 got $GOT ($DISTINCT distinct, $FIRST..$LAST)"
check "every datagram arrived exactly once: no loss at the roll-over" \
	test "$GOT $DISTINCT $FIRST $LAST" = "$SENT $SENT 0 $((SENT - 1))"
check "the WAN carried the stream as ESP under $SPI1 (the capture may miss some)" \
	eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI1) -ge 10 ]"
check "... then under $SPI2" eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI2) -ge 10 ]"
check "... and never in clear" test "$(pcap_count "$CAP" udp)" = 0
check "gm2 dropped nothing: unknown SPI, ICV, replay" no_drops gm2 badSpi macFail replayTbar replayWindow
check "gm1 never lacked an SA to send with" no_drops gm1 noSa
check "gm1 and gm2 each received a rekey (show crypto gdoi)" \
	eval "in_ns gm1 gvpn show crypto gdoi | grep -Eq 'Unicast rekey received *: *[1-9]' &&
	      in_ns gm2 gvpn show crypto gdoi | grep -Eq 'Unicast rekey received *: *[1-9]'"
lab_done
