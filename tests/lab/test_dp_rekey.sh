#!/bin/bash
# TEK roll-overs under traffic, on the product's path (issue 4, lab): KS1
# runs examples/ks1.conf with the TEK lifetime cut to 120 s and the KEK
# lifetime to 300 s (the shortest the configuration takes for each); it
# pushes the next TEK a minute before the current one ends, so a new TEK
# every minute, and a new KEK on the way. GM1 and GM2 run
# examples/{gm1,gm2}.conf. TRANSPORT=unicast (the default) or multicast
# chooses `rekey transport` (multicast: to 239.192.1.190; see
# test_dp_rekey_mcast.sh). While h13 sends a numbered UDP stream (100
# datagrams a second) to h14, at each of three roll-overs:
#  - GM1 and GM2 move to the new SPI (after the activation delay);
#  - GM2 then still holds the old TEK (accept both), until it expires and
#    neither member lists it any more; the stream goes on; no drops so far;
# and at the end:
#  - every datagram arrived exactly once (no loss at any roll-over), and
#    neither member dropped anything for an unknown SPI, a failed ICV,
#    replay or a missing SA;
#  - the WAN carried the stream as ESP under each of the four SPIs, never
#    in clear;
#  - each member counts at least three rekeys of the chosen transport (show
#    crypto gdoi: Unicast rekey received, or Multicast rekey rcvd).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

PPS=100
ROLLOVERS=3
TRANSPORT=${TRANSPORT:-unicast}
PORT=6100
TMP=""

case $TRANSPORT in
unicast) RCVD='Unicast rekey received' ;;
multicast) RCVD='Multicast rekey rcvd' ;;
*) fail "TRANSPORT=$TRANSPORT: unicast or multicast" ;;
esac
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

# spi_gone NODE SPI: NODE's show crypto ipsec sa no longer lists SPI (0x%08x)
spi_gone() {
	! output_has "spi: $(printf '0x%X' "$2")(" in_ns "$1" gvpn show crypto ipsec sa
}

# rekeys_rcvd NODE: the member's count of rekeys of $TRANSPORT (show crypto gdoi)
rekeys_rcvd() {
	in_ns "$1" gvpn show crypto gdoi | sed -n "s/^ *$RCVD *: *\([0-9]*\).*/\1/p" | head -1
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

start_short_teks "$TMP" "$TRANSPORT" 300
check "the copy of ks1.conf sets 300 s KEKs (rekey lifetime seconds)" \
	grep -q '^  rekey lifetime seconds 300$' "$TMP/ks1.conf"
SPI1=$(out_spi gm1) || fail "gm1 has no outbound SPI"
check "gm1 and gm2 send with the first TEK, SPI $SPI1" test "$(out_spi gm2)" = "$SPI1"
check "its lifetime is at most 120 s (show crypto ipsec sa: remaining key lifetime)" \
	eval "[ \$(json_get \"\$(in_ns gm1 gvpn show crypto ipsec sa --json)\" \
		interfaces.0.flows.-1.inboundEspSas.0.remainingKeyLifetimeSec) -le 120 ]"

echo "== a UDP stream h13 -> h14 ($PPS/s) across $ROLLOVERS roll-overs ($TRANSPORT rekeys)"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
stream_start "$PORT" "$PPS"
SPIS=("$SPI1")
for r in $(seq "$ROLLOVERS"); do
	old=${SPIS[-1]}
	echo "== roll-over $r: from $old"
	check "gm1 moved to a new TEK within 130 s (the rekey, then the activation delay)" \
		poll 130 spi_is_not gm1 "$old"
	new=$(out_spi gm1)
	SPIS+=("$new")
	pass "gm1 sends with $new"
	check "gm2 sends with $new too" poll 30 eval "[ \"\$(out_spi gm2)\" = $new ]"
	check "gm2 still accepts the old TEK: two inbound SAs" eval "[ \$(inbound_sas gm2) -ge 2 ]"
	check "the old TEK $old expires at the end of its 120 s: gm1 and gm2 no longer list it" \
		poll 90 eval "spi_gone gm1 $old && spi_gone gm2 $old"
	DEC=$(dp_ctr gm2 inbound decrypted)
	check "the stream goes on (gm2 decrypts 200 more)" \
		poll 10 dp_at_least gm2 inbound decrypted $((DEC + 200))
	check "no drops so far: gm2 unknown SPI, ICV, replay; gm1 no SA" \
		eval "no_drops gm2 badSpi macFail replayTbar replayWindow && no_drops gm1 noSa"
done
stream_stop "at every roll-over: no loss"
lab capture stop wan >/dev/null 2>&1
for spi in "${SPIS[@]}"; do
	check "the WAN carried the stream as ESP under $spi (the capture may miss some)" \
		eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $spi) -ge 10 ]"
done
check "... and never in clear" test "$(pcap_count "$CAP" udp)" = 0
check "gm2 dropped nothing: unknown SPI, ICV, replay" no_drops gm2 badSpi macFail replayTbar replayWindow
check "gm1 never lacked an SA to send with" no_drops gm1 noSa
for n in gm1 gm2; do
	check "$n received at least $ROLLOVERS rekeys ($RCVD, show crypto gdoi)" \
		eval "[ \"\$(rekeys_rcvd $n)\" -ge $ROLLOVERS ]"
done
lab_done
