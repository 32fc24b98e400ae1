# shellcheck shell=bash
# Helpers shared by the data-plane lab tests (tests/lab/test_dp_*.sh).
# Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/dplib.sh"
#
# udp_crosses and udp_blocked write their receiver's result under $TMP (a
# directory the test creates).

TRAFFIC=("$PYTHON" "$LAB_REPO/tests/lab/tools/dp_traffic.py")

# text_has ERE TEXT: a line of TEXT matches the extended regex ERE.
text_has() { grep -Eq -- "$1" <<<"$2"; }

# gm_registered NODE: NODE's gvpnd has registered its group.
gm_registered() {
	json_match "$(in_ns "$1" gvpn show crypto gdoi --json 2>/dev/null)" \
		'{"groups": [{"registrationStatus": "Registered"}]}' 2>/dev/null
}

# REKEY_GROUP: the group address of multicast rekeys (ks1_short_conf multicast).
REKEY_GROUP=239.192.1.190

# ks1_short_conf FILE [unicast|multicast] [KEK_SECONDS]: write to FILE a copy
# of examples/ks1.conf whose TEKs live 120 s (the shortest the configuration
# takes); with multicast, rekeys go to $REKEY_GROUP (`rekey transport
# multicast`, `rekey address ipv4 REKEY_ADDR` permitting udp 10.1.11.2:848 to
# it); with KEK_SECONDS, `rekey lifetime seconds KEK_SECONDS` (300 at least).
ks1_short_conf() {
	"$PYTHON" - "$LAB_REPO/examples/ks1.conf" "$1" "${2:-unicast}" "${3:-}" "$REKEY_GROUP" <<'EOF' ||
import re, sys
src, dst, transport, kek, group = sys.argv[1:]
text = open(src).read()
edits = [(r" set security-association lifetime seconds \d+\n",
          " set security-association lifetime seconds 120\n")]
if kek:
    edits.append((r"  rekey lifetime seconds \d+\n", "  rekey lifetime seconds %s\n" % kek))
if transport == "multicast":
    edits += [(r"  rekey transport unicast\n",
               "  rekey transport multicast\n  rekey address ipv4 REKEY_ADDR\n"),
              (r"crypto gdoi group G1\n",
               "ip access-list extended REKEY_ADDR\n"
               " permit udp host 10.1.11.2 eq 848 host %s eq 848\n!\n"
               "crypto gdoi group G1\n" % group)]
elif transport != "unicast":
    sys.exit("transport %r: unicast or multicast" % transport)
for old, new in edits:
    text, n = re.subn(old, new, text)
    if n != 1:
        sys.exit("ks1.conf: %r not found once" % old)
open(dst, "w").write(text)
EOF
		fail "could not write a copy of ks1.conf with 120 s TEKs"
	"$GVPN_BUILD/gvpnd" --check-config "$1" >/dev/null ||
		fail "the copy of ks1.conf ($1) does not pass --check-config"
}

# ks1_gcm_conf FILE: write to FILE a copy of examples/ks1.conf whose
# transform set is `esp-gcm 128` (AES-GCM-128, 16-byte ICV, no HMAC).
ks1_gcm_conf() {
	sed 's/^crypto ipsec transform-set gdoi-ts .*/crypto ipsec transform-set gdoi-ts esp-gcm 128/' \
		"$LAB_REPO/examples/ks1.conf" >"$1"
	grep -q '^crypto ipsec transform-set gdoi-ts esp-gcm 128$' "$1" ||
		fail "examples/ks1.conf has no transform-set gdoi-ts to change"
	"$GVPN_BUILD/gvpnd" --check-config "$1" >/dev/null ||
		fail "the copy of ks1.conf with esp-gcm 128 ($1) does not pass --check-config"
}

# gm_sid NODE: "SID BITS" of NODE's first group (show crypto gdoi gm
# identifier: its first sender ID in use and the Sender ID bits); fails when
# the member has none.
gm_sid() {
	local j
	j=$(in_ns "$1" gvpn show crypto gdoi gm identifier --json) || return 1
	echo "$(json_get "$j" groups.0.senderIdsInUse.0) $(json_get "$j" groups.0.senderIdBits)"
}

# start_short_teks DIR [unicast|multicast] [KEK_SECONDS]: start KS1 with a
# copy (DIR/ks1.conf, see ks1_short_conf) of examples/ks1.conf whose TEKs
# live 120 s, then GM1 and GM2, and wait until both members registered.
start_short_teks() {
	ks1_short_conf "$1/ks1.conf" "${2:-unicast}" "${3:-}"
	check "ks1 starts with a TEK lifetime of 120 s (${2:-unicast} rekeys)" \
		lab start ks1 --config "$1/ks1.conf"
	check "gm1 starts" lab start gm1
	check "gm2 starts" lab start gm2
	poll 10 gm_registered gm1 || fail "gm1 not registered within 10 s"
	poll 10 gm_registered gm2 || fail "gm2 not registered within 10 s"
	pass "gm1 and gm2 registered"
}

# dp_ctr NODE SECTION NAME: a counter of gvpnd's `show crypto datapath --json`
# (SECTION outbound, inbound, events, drops or queues; NAME in camel case).
dp_ctr() { json_get "$(in_ns "$1" gvpn show crypto datapath --json)" "$2.$3"; }

# dp_at_least NODE SECTION NAME MIN: that counter is at least MIN.
dp_at_least() {
	local v
	v=$(dp_ctr "$1" "$2" "$3")
	[ "$v" -ge "$4" ] || { echo "$1 $2.$3 = $v, want >= $4"; return 1; }
}

# stream_start PORT PPS: a numbered UDP stream h13 -> 192.168.14.2:PORT at
# PPS datagrams/s (tools/dp_traffic.py), the receiver listening first; it
# runs until stream_stop.
stream_start() {
	bg_in_ns h14 "${TRAFFIC[@]}" udp-stream-rx "$1" 3 "$TMP/rx"
	STREAM_RX=$BG_PID
	poll 5 output_has ":$1 " in_ns h14 ss -uln || fail "stream receiver did not listen"
	bg_in_ns h13 "${TRAFFIC[@]}" udp-stream-tx 192.168.14.2 "$1" "$2" "$TMP/stop" >"$TMP/sent"
	STREAM_TX=$BG_PID
}

# stream_stop WHAT: stop the stream and check that every datagram h13 sent
# arrived at h14 exactly once ("... WHAT" names when, for the check).
stream_stop() {
	local sent got distinct first last
	touch "$TMP/stop"
	wait "$STREAM_TX" || fail "the stream sender failed"
	sent=$(cat "$TMP/sent")
	wait "$STREAM_RX" || fail "the stream receiver failed"
	read -r _ got _ distinct _ first _ last <"$TMP/rx"
	pass "h13 sent $sent datagrams; h14 got $got ($distinct distinct, $first..$last)"
	check "every datagram arrived exactly once $1" \
		test "$got $distinct $first $last" = "$sent $sent 0 $((sent - 1))"
}

# capture NODE IFACE FILTER...: start a capture (lab.sh: tcpdump in NODE's
# namespace, stopped by its PID through `lab capture stop`), print its file.
capture() {
	local node=$1 ifc=$2
	shift 2
	lab capture start "$node" "$ifc" -- "$@" 2>/dev/null
}

# pcap_count FILE FILTER: packets of FILE matching FILTER (tcpdump syntax).
pcap_count() {
	local f=$1
	shift
	tcpdump -n -r "$f" "$@" 2>/dev/null | wc -l
}

# udp_got SIZE df|nodf PORT WAIT: send one datagram of SIZE bytes h13 -> h14
# and print what h14 got within WAIT seconds (its size, or "timeout").
udp_got() {
	local out=$TMP/udp.$3 rx
	rm -f "$out"
	in_ns h14 "${TRAFFIC[@]}" udp-rx "$3" "$4" "$out" &
	rx=$!
	poll 5 output_has ":$3 " in_ns h14 ss -uln || return 1
	in_ns h13 "${TRAFFIC[@]}" udp-tx 192.168.14.2 "$3" "$1" "$2" >/dev/null
	wait "$rx"
	cat "$out"
}

# tcp_send FILE PORT: FILE from h13 to h14 over TCP; h14 writes "sha256 len"
# to FILE.rx, which must match FILE.
tcp_send() {
	in_ns h14 "${TRAFFIC[@]}" tcp-rx "$2" "$1.rx" &
	local rx=$!
	poll 5 output_has ":$2 " in_ns h14 ss -tln || { echo "tcp receiver did not listen"; return 1; }
	in_ns h13 "${TRAFFIC[@]}" tcp-tx 192.168.14.2 "$2" "$1" || return 1
	wait "$rx"
	local want
	want="$(sha256sum "$1" | cut -d' ' -f1) $(stat -c %s "$1")"
	[ "$(cat "$1.rx")" = "$want" ] || { echo "h14 got '$(cat "$1.rx")', want '$want'"; return 1; }
}

# udp_crosses SIZE df|nodf PORT: one datagram h13 -> h14 arrives whole.
udp_crosses() {
	local got
	got=$(udp_got "$1" "$2" "$3" 3) || return 1
	[ "$got" = "$1" ] || { echo "h14 got: $got"; return 1; }
}

# udp_blocked PORT: one 200-byte datagram h13 -> h14 does not arrive.
udp_blocked() {
	local got
	got=$(udp_got 200 nodf "$1" 1) || return 1
	[ "$got" = timeout ] || { echo "h14 got: $got"; return 1; }
}

# gvpn_rules NODE: how many lines of NODE's iptables-save name a gvpn chain.
gvpn_rules() { in_ns "$1" iptables-save | { grep -c 'GVPN-' || true; }; }

# esp_count FILE SRC DST SPI: ESP packets SRC > DST with SPI (0x%08x, as
# tcpdump prints it) in the capture FILE.
esp_count() {
	tcpdump -n -r "$1" esp 2>/dev/null | { grep -c "IP $2 > $3: ESP(spi=$4," || true; }
}

# out_spi NODE: the SPI NODE's gvpnd sends with (show crypto ipsec sa: the
# permit flow's current outbound spi), as 0x%08x; fails if there is none.
out_spi() {
	local s
	s=$(in_ns "$1" gvpn show crypto ipsec sa |
		sed -n 's/^ *current outbound spi: \(0x[0-9A-F]*\)([1-9].*/\1/p' | head -1)
	[ -n "$s" ] && printf '0x%08x\n' "$s"
}
