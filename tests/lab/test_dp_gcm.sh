#!/bin/bash
# AES-GCM TEKs on the product's path, with GDOI sender IDs (RFC 6054): KS1
# runs examples/ks1.conf with `esp-gcm 128` (ks1_gcm_conf), GM1 and GM2
# examples/{gm1,gm2}.conf. After both members registered, each with its
# sender ID from the key server (show crypto gdoi gm identifier), GM1
# turns on `debug crypto ipsec keys` and registers again (clear crypto
# gdoi), which brings it a new SID and so a new SA object for the TEK;
# then, with the WAN captured:
#  - show crypto ipsec sa on both members: transform esp-gcm (AES-GCM-128
#    as IOS names it), one TEK SPI;
#  - 1 MB of TCP and a UDP datagram from h13 to h14 arrive intact, and
#    cross the WAN only as ESP between 192.168.13.2 and 192.168.14.2 (header
#    preservation) under that SPI, h14's ACKs as ESP sent by GM2;
#  - the 8-octet IV of every ESP packet GM1 sent carries GM1's new sender ID
#    in its top sid_bits, every one GM2 sent GM2's, the two SIDs differ, and no
#    IV appears twice under the group's one key;
#  - tshark, given the ESP SA table GM1 wrote (key | salt of the TEK,
#    "AES-GCM with 16 octet ICV"), decrypts every ESP packet of both members
#    with its ICV good, inner addresses h13 and h14;
#  - neither member dropped anything (ICV, replay, no SA, no sender ID).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

TSHARK=/usr/bin/tshark
TMP=""

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"
[ -x "$TSHARK" ] || fail "no $TSHARK (scripts/bootstrap.sh installs it)"

# registrations NODE N: NODE is registered and has registered N times.
registrations() {
	json_match "$(in_ns "$1" gvpn show crypto gdoi --json 2>/dev/null)" \
		"{\"groups\": [{\"registrationStatus\": \"Registered\", \"succeededRegistration\": $2}]}" \
		2>/dev/null
}

# registered_or_rejected: both members registered, or KS1 refused one.
registered_or_rejected() {
	{ gm_registered gm1 && gm_registered gm2; } ||
		grep -q REJECT_GM_VERSION_REGISTER "$LABLIB_DIR/ks1/gvpnd.log"
}

# transform NODE: the transform of the SAs NODE's show crypto ipsec sa lists
# (one line per distinct transform).
transform() {
	in_ns "$1" gvpn show crypto ipsec sa | sed -n 's/^ *transform: \(.*\) ,$/\1/p' | sort -u
}

# top_bits HEX BITS: the top BITS (1..32) bits of the 16-hex-digit IV HEX.
top_bits() { echo $((16#${1:0:8} >> (32 - $2))); }

lab_up
TMP=$(mktemp -d /tmp/gvpn-dpgcm.XXXXXX)
on_exit rm -rf "$TMP"

ks1_gcm_conf "$TMP/ks1.conf"
check "ks1 starts with examples/ks1.conf and esp-gcm 128" lab start ks1 --config "$TMP/ks1.conf"
check "gm1 starts" lab start gm1
check "gm2 starts" lab start gm2
poll 10 registered_or_rejected || true
if grep -q REJECT_GM_VERSION_REGISTER "$LABLIB_DIR/ks1/gvpnd.log"; then
	fail "ks1 refused a member the GCM policy: $(grep -o 'REJECT_GM_VERSION_REGISTER.*' "$LABLIB_DIR/ks1/gvpnd.log" | tail -1)"
fi
gm_registered gm1 || fail "gm1 not registered within 10 s"
gm_registered gm2 || fail "gm2 not registered within 10 s"
pass "gm1 and gm2 registered with the AES-GCM-128 policy"

echo "== sender IDs"
read -r SID2 BITS2 < <(gm_sid gm2) || fail "gm2: no sender ID in show crypto gdoi gm identifier"
pass "gm2 has sender ID $SID2 ($BITS2 bits)"
read -r OLD1 BITS1 < <(gm_sid gm1) || fail "gm1: no sender ID in show crypto gdoi gm identifier"
pass "gm1 has sender ID $OLD1 ($BITS1 bits)"
check "gm1: debug crypto ipsec keys" in_ns gm1 gvpn debug crypto ipsec keys
check "gm1: clear crypto gdoi (registers again, its TEK goes to the key table)" \
	in_ns gm1 gvpn clear crypto gdoi
poll 10 registrations gm1 2 || fail "gm1 did not register again within 10 s"
read -r SID1 BITS1 < <(gm_sid gm1) || fail "gm1: no sender ID after registering again"
pass "gm1 registered again, sender ID $SID1 ($BITS1 bits)"
check "... a new one (the key server never hands out a SID twice): gm1's GCM SA is a new object" \
	test "$SID1" != "$OLD1"
check "the key server gave gm1 and gm2 different sender IDs" \
	test "$SID1/$BITS1" != "$SID2/$BITS2"
check "... with the same number of bits" test "$BITS1" = "$BITS2"
BITS=$BITS1

echo "== the SAs"
SPI=$(out_spi gm1) || fail "gm1: no current outbound spi in show crypto ipsec sa"
pass "gm1 sends with the TEK SPI $SPI"
check "gm2 sends with the same TEK" test "$(out_spi gm2)" = "$SPI"
check "gm1: show crypto ipsec sa: transform esp-gcm (IOS leaves out the 128)" test "$(transform gm1)" = "esp-gcm"
check "gm2: show crypto ipsec sa: transform esp-gcm (IOS leaves out the 128)" test "$(transform gm2)" = "esp-gcm"

echo "== traffic across the WAN"
head -c 1000000 /dev/urandom >"$TMP/data"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "1 MB TCP h13 -> h14 arrives intact (sha256, length)" tcp_send "$TMP/data" 5101
check "UDP h13 -> h14 (1400 bytes) arrives whole" udp_crosses 1400 nodf 5102
lab capture stop wan >/dev/null 2>&1
check "not one clear TCP or UDP packet between the hosts on the WAN" \
	test "$(pcap_count "$CAP" 'tcp or udp')" = 0
check "ESP 192.168.13.2 > 192.168.14.2 with SPI $SPI carried the data (header preservation)" \
	eval "[ \$(esp_count '$CAP' 192.168.13.2 192.168.14.2 $SPI) -ge 100 ]"
check "... and ESP 192.168.14.2 > 192.168.13.2 (from gm2) h14's ACKs" \
	eval "[ \$(esp_count '$CAP' 192.168.14.2 192.168.13.2 $SPI) -ge 10 ]"
check "gm2 decrypted what gm1 encrypted (inbound decrypted >= 500)" \
	dp_at_least gm2 inbound decrypted 500
for n in gm1 gm2; do
	check "$n dropped nothing (mac_fail, replay, no SA, no sender ID all 0)" \
		eval "[ \$(dp_ctr $n drops macFail) = 0 ] && [ \$(dp_ctr $n drops replayTbar) = 0 ] &&
		      [ \$(dp_ctr $n drops noSa) = 0 ] && [ \$(dp_ctr $n drops noSenderId) = 0 ]"
done

echo "== sender IDs in the IVs"
"${TRAFFIC[@]}" esp-ivs "$CAP" >"$TMP/ivs" || fail "could not read the IVs of $CAP"
# tops SRC: the distinct top $BITS bits of the IVs of ESP from SRC under $SPI
tops() { awk -v s="$1" -v spi="$SPI" '$1 == s && $3 == spi { print $5 }' "$TMP/ivs" |
	while read -r iv; do top_bits "$iv" "$BITS"; done | sort -u | tr '\n' ' '; }
check "every IV gm1 sent starts with its sender ID $SID1" test "$(tops 192.168.13.2)" = "$SID1 "
check "every IV gm2 sent starts with its sender ID $SID2" test "$(tops 192.168.14.2)" = "$SID2 "
check "no IV twice under the group's key ($(wc -l <"$TMP/ivs") ESP packets)" \
	test "$(awk -v spi="$SPI" '$3 == spi { print $5 }' "$TMP/ivs" | sort | uniq -d | wc -l)" = 0

echo "== tshark with gm1's ESP SA table"
TABLE=$LABLIB_DIR/gm1/state/wireshark/esp_sa
[ -s "$TABLE" ] || fail "gm1 wrote no $TABLE"
check "the table names the TEK as AES-GCM with a 16-octet ICV, no HMAC" \
	grep -q "^\"IPv4\",\"\\*\",\"\\*\",\"$SPI\",\"AES-GCM with 16 octet ICV \\[RFC4106\\]\",\"0x[0-9a-f]\\{40\\}\",\"NULL\",\"\"$" "$TABLE"
mkdir -p "$TMP/profile/wireshark"
cp "$TABLE" "$TMP/profile/wireshark/esp_sa"
HOME=$TMP XDG_CONFIG_HOME=$TMP/profile "$TSHARK" -n -r "$CAP" \
	-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE \
	-T fields -E separator=/t -E occurrence=a -E aggregator=, \
	-e esp.spi -e ip.src -e ip.dst -e esp.icv_good -Y esp \
	>"$TMP/tshark.tsv" 2>"$TMP/tshark.err" || { cat "$TMP/tshark.err" >&2; fail "tshark failed"; }
# decrypted SRC DST: ESP frames outer SRC -> DST whose inner packet (same
# addresses) tshark showed with a good ICV, then "of" and all ESP frames.
decrypted() {
	awk -F '\t' -v s="$1" -v d="$2" '$2 ~ "^" s {
		all++; if ($2 == s "," s && $3 == d "," d && ($4 == "1" || $4 == "True")) ok++ }
		END { printf "%d of %d\n", ok, all }' "$TMP/tshark.tsv"
}
got=$(decrypted 192.168.13.2 192.168.14.2)
check "tshark decrypted every ESP packet of gm1, ICV good ($got)" \
	eval "[ '${got% of *}' = '${got#* of }' ] && [ '${got% of *}' -ge 100 ]"
got=$(decrypted 192.168.14.2 192.168.13.2)
check "... and every one of gm2 with the same key ($got)" \
	eval "[ '${got% of *}' = '${got#* of }' ] && [ '${got% of *}' -ge 10 ]"

check "gm1 stops" lab stop gm1
check "gm2 stops" lab stop gm2
lab_done
