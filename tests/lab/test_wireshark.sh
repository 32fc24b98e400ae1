#!/bin/bash
# Wireshark decodes a registration and the traffic of the lab, given the keys
# gvpnd writes (docs/protocol.md, "Decrypting a capture"). KS1 runs
# examples/ks1.conf; GM1 runs a copy of examples/gm1.conf with
# `crypto gdoi phase1-doi ipsec` (the default DOI 2 is opaque to Wireshark
# 4.0). With `debug crypto isakmp keys` and `debug crypto ipsec keys` on
# GM1, `clear crypto gdoi` makes it register again (a new phase 1) while
# tcpdump captures UDP 848 and ESP on GM1's WAN side (eth0); h13 then sends
# three UDP datagrams to h14, encrypted by GM1. tshark reads the capture
# with the two tables exactly as GM1 wrote them in its state directory and
# must show:
#  - main mode 1: an SA with DOI 1;
#  - main mode 5 and 6 decrypted: ID (GM1's, KS1's address) and HASH;
#  - the GROUPKEY-PULL (exchange 32, one M-ID) decrypted: HASH, NONCE, ID;
#    HASH, NONCE, SA with the KEK SPI of KS1's `show crypto gdoi ks
#    policy`; HASH; HASH, SEQ (KS1's Seq num), KD with that KEK SPI and the
#    TEK SPI of GM1's `show crypto gdoi`;
#  - each ESP packet under that TEK SPI decrypted (inner UDP h13 -> h14, the
#    payload sent) with its ICV checked good;
#  - and without the tables, main mode 5 shows no payload (the keys do it).
# Everything it creates (configuration copy, capture, tshark profile) is
# removed at the end; the lab's run-time directory goes with `lab.sh down`.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

KS1=10.1.11.2
GM1=10.1.13.2
TSHARK=/usr/bin/tshark
N=3 # UDP datagrams h13 -> h14
PORT=7001

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"
[ -x "$TSHARK" ] || fail "no $TSHARK (scripts/bootstrap.sh installs it)"

gdoi_json() { in_ns gm1 gvpn show crypto gdoi --json; }

# succeeded N: GM1 is registered and has registered N times.
succeeded() {
	json_match "$(gdoi_json 2>/dev/null)" \
		"{\"groups\": [{\"registrationStatus\": \"Registered\", \"succeededRegistration\": $1}]}" \
		2>/dev/null
}

lab_up --daemons ks1

WORK=$(mktemp -d /tmp/gvpn-wireshark-XXXXXX)
on_exit rm -rf "$WORK"
CAP=$LABLIB_DIR/captures/wireshark.pcap
TABLES=$LABLIB_DIR/gm1/state/wireshark

# ---- GM1 with phase1-doi ipsec -------------------------------------------

sed 's/^crypto gdoi group G1$/crypto gdoi phase1-doi ipsec\n&/' \
	"$LAB_REPO/examples/gm1.conf" >"$WORK/gm1.conf"
check "gm1.conf + crypto gdoi phase1-doi ipsec is valid" \
	"$GVPN_BUILD/gvpnd" --check-config "$WORK/gm1.conf"
lab start gm1 --config "$WORK/gm1.conf" >"$WORK/lab.out" 2>&1 ||
	{ cat "$WORK/lab.out" >&2; fail "gm1 did not start"; }
poll 5 succeeded 1 || fail "gm1 not registered within 5 s"
pass "gm1 registered"
check "gm1: show running-config has crypto gdoi phase1-doi ipsec" \
	text_has '^crypto gdoi phase1-doi ipsec$' "$(in_ns gm1 gvpn show running-config)"

check "gm1: debug crypto isakmp keys" in_ns gm1 gvpn debug crypto isakmp keys
check "gm1: debug crypto ipsec keys" in_ns gm1 gvpn debug crypto ipsec keys

# ---- capture a registration and some traffic ------------------------------

stop_capture() { lab capture stop gm1 eth0 >/dev/null 2>&1 || true; }
on_exit stop_capture
on_exit rm -f "$CAP"
lab capture start gm1 eth0 "$CAP" -- udp port 848 or esp >"$WORK/lab.out" 2>&1 ||
	{ cat "$WORK/lab.out" >&2; fail "tcpdump did not start on gm1 eth0"; }
pass "capturing UDP 848 and ESP on gm1 eth0"

check "gm1: clear crypto gdoi" in_ns gm1 gvpn clear crypto gdoi
poll 5 succeeded 2 || fail "gm1 did not register again within 5 s of clear crypto gdoi"
pass "gm1 registered again (captured)"

for i in $(seq "$N"); do
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_ns h13 bash -c 'printf "%s" "$1" >"/dev/udp/$2/$3"' _ "gvpn wireshark $i" \
		192.168.14.2 "$PORT" || fail "h13 could not send datagram $i"
done
poll 5 dp_at_least gm1 outbound wanOut "$N" >/dev/null || fail "gm1 did not send $N ESP packets"
pass "h13 sent $N UDP datagrams to h14, gm1 encrypted them"

lab capture stop gm1 eth0 >"$WORK/lab.out" 2>&1 ||
	{ cat "$WORK/lab.out" >&2; fail "the capture did not stop"; }
[ -s "$CAP" ] || fail "no capture in $CAP"
pass "capture stopped"

# ---- what GM1 and KS1 say -------------------------------------------------

tek=$(json_get "$(gdoi_json)" groups.0.tekPolicy.ipsecSas.0.spi)
tek=$(printf '%08x' "$tek")
ks=$(in_ns ks1 gvpn show crypto gdoi ks policy)
kek=$(sed -n 's/^ *spi *: 0x\([0-9A-F]\{32\}\)$/\1/p' <<<"$ks" | head -n 1 | tr 'A-F' 'a-f')
seq=$(sed -n 's/.*Seq num *: \([0-9]\{1,\}\)$/\1/p' <<<"$ks" | head -n 1)
if [ -z "$kek" ] || [ -z "$seq" ]; then
	fail "ks1: no KEK spi or Seq num in show crypto gdoi ks policy"
fi
pass "TEK spi $tek (gm1), KEK spi $kek and seq $seq (ks1)"

for t in ikev1_decryption_table esp_sa; do
	[ -s "$TABLES/$t" ] || fail "gm1 wrote no $TABLES/$t"
	[ "$(stat -c %a "$TABLES/$t")" = 600 ] || fail "$TABLES/$t is not mode 0600"
done
pass "gm1 wrote both tables, mode 0600"

# ---- tshark ---------------------------------------------------------------

FIELDS=(frame.number ip.src ip.dst isakmp.exchangetype isakmp.messageid
	isakmp.typepayload isakmp.sa.doi isakmp.id.data.ipv4_addr isakmp.hash
	isakmp.sak.spi isakmp.kd.payload.spi isakmp.seq.seq esp.spi udp.dstport
	data.data esp.icv_good)

# decode PROFILE_DIR: tshark's fields of the capture, one line a frame, as a
# JSON summary (main mode, pull and ESP frames in capture order). The
# profile directory is Wireshark's configuration: the tables go there.
decode() {
	local conf=$1 args=() f
	for f in "${FIELDS[@]}"; do args+=(-e "$f"); done
	HOME=$WORK XDG_CONFIG_HOME=$conf "$TSHARK" -n -r "$CAP" -d udp.port==848,isakmp \
		-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE \
		-T fields -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" \
		2>"$WORK/tshark.err" >"$WORK/fields.tsv" ||
		{ cat "$WORK/tshark.err" >&2; return 1; }
	"$PYTHON" -c "$SUMMARY_PY" "${FIELDS[*]}" <"$WORK/fields.tsv"
}

SUMMARY_PY='
import json, sys
names = sys.argv[1].split()
def split(v):
    return v.split(",") if v else []
mm, pull, esp = [], [], []
for line in sys.stdin.read().splitlines():
    r = dict(zip(names, line.split("\t") + [""] * len(names)))
    x = r["isakmp.exchangetype"]
    if x == "2":
        mm.append({"src": r["ip.src"], "types": r["isakmp.typepayload"],
                   "doi": r["isakmp.sa.doi"], "id": r["isakmp.id.data.ipv4_addr"],
                   "hashLen": len(r["isakmp.hash"]) // 2})
    elif x == "32":
        pull.append({"src": r["ip.src"], "mid": r["isakmp.messageid"],
                     "types": r["isakmp.typepayload"], "sakSpi": r["isakmp.sak.spi"],
                     "kdSpis": split(r["isakmp.kd.payload.spi"]), "seq": r["isakmp.seq.seq"]})
    elif r["esp.spi"]:
        data = bytes.fromhex(r["data.data"]).decode("ascii", "replace") if r["data.data"] else ""
        esp.append({"spi": r["esp.spi"], "src": split(r["ip.src"]), "dst": split(r["ip.dst"]),
                    "dport": r["udp.dstport"], "data": data,
                    "icvGood": r["esp.icv_good"] in ("1", "True")})
print(json.dumps({"mainMode": mm, "pull": pull, "esp": esp}))
'

mkdir -p "$WORK/profile/wireshark" "$WORK/empty/wireshark"
cp "$TABLES/ikev1_decryption_table" "$TABLES/esp_sa" "$WORK/profile/wireshark/"
sum=$(decode "$WORK/profile") || fail "tshark failed on $CAP"
pass "tshark read the capture with gm1's tables"

check "six main mode messages" json_match "$sum" "mainMode.5.src=$KS1"
json_match "$sum" 'mainMode.6=*' 2>/dev/null &&
	fail "more than six main mode messages (a retransmission?): $sum"
check "main mode 1: SA offered with DOI 1 (IPsec)" json_match "$sum" \
	"mainMode.0.src=$GM1" 'mainMode.0.types=1,2,3,13' 'mainMode.0.doi=1'
check "main mode 5 decrypted: ID $GM1, HASH" json_match "$sum" \
	"mainMode.4.src=$GM1" 'mainMode.4.types=5,8' "mainMode.4.id=$GM1" 'mainMode.4.hashLen=32'
check "main mode 6 decrypted: ID $KS1, HASH" json_match "$sum" \
	"mainMode.5.src=$KS1" 'mainMode.5.types=5,8' "mainMode.5.id=$KS1" 'mainMode.5.hashLen=32'

mid=$(json_get "$sum" pull.0.mid) || fail "no GROUPKEY-PULL in the capture: $sum"
check "GROUPKEY-PULL: four messages, one M-ID $mid" json_match "$sum" \
	"pull.0.mid=$mid" "pull.1.mid=$mid" "pull.2.mid=$mid" "pull.3.mid=$mid"
json_match "$sum" 'pull.4=*' 2>/dev/null && fail "more than four pull messages: $sum"
check "pull 1 (gm1) decrypted: HASH, NONCE, ID" json_match "$sum" \
	"pull.0.src=$GM1" 'pull.0.types=8,10,5'
check "pull 2 (ks1) decrypted: HASH, NONCE, SA with SA KEK spi $kek" json_match "$sum" \
	"pull.1.src=$KS1" 'pull.1.types=8,10,1' "pull.1.sakSpi=$kek"
check "pull 3 (gm1) decrypted: HASH" json_match "$sum" "pull.2.src=$GM1" 'pull.2.types=8'
check "pull 4 (ks1) decrypted: HASH, SEQ $seq, KD with KEK $kek and TEK $tek" \
	json_match "$sum" "pull.3.src=$KS1" 'pull.3.types=8,18,17' "pull.3.seq=\"$seq\"" \
	"pull.3.kdSpis=[\"$kek\", \"$tek\"]"

for i in $(seq 0 $((N - 1))); do
	check "ESP $((i + 1)) decrypted: spi 0x$tek, UDP 192.168.13.2 -> 192.168.14.2:$PORT" \
		json_match "$sum" "esp.$i.spi=\"0x$tek\"" "esp.$i.src.0=192.168.13.2" \
		"esp.$i.dst.0=192.168.14.2" "esp.$i.src.1=192.168.13.2" "esp.$i.dst.1=192.168.14.2" "esp.$i.dport=\"$PORT\""
	check "ESP $((i + 1)): payload 'gvpn wireshark $((i + 1))', ICV good" json_match "$sum" \
		"esp.$i.data=gvpn wireshark $((i + 1))" "esp.$i.icvGood=true"
done
json_match "$sum" "esp.$N=*" 2>/dev/null && fail "more than $N ESP packets: $sum"

sum=$(decode "$WORK/empty") || fail "tshark failed on $CAP"
check "without the tables main mode 5 shows no payload" json_match "$sum" 'mainMode.4.types=""'

lab_done
