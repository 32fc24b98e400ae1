#!/bin/bash
# A key server that crashes carries on where it stopped (STATE_DIR/ks-state,
# docs/configuration.md "How gvpnd runs it"). KS1 runs examples/ks1.conf with
# the TEK lifetime cut to 120 s (the shortest the configuration takes); GM1
# and GM2 run examples/{gm1,gm2}.conf. After both registered and accepted a
# rekey (`crypto gdoi ks rekey`):
#  - KS1's state file (mode 0600) lists both members;
#  - KS1's gvpnd is killed with SIGKILL (its PID from lab.sh's pidfile) and
#    started again with `lab.sh start ks1`; its log says it loaded the state;
#  - KS1 has the same KEK SPI, only TEKs it had before, both members, and a
#    sequence number above the one of the last push;
#  - the members kept their keys (same TEK SPIs in `show crypto gdoi`) and
#    their registration;
#  - the next `crypto gdoi ks rekey` reaches both: rekeys received goes up,
#    the sequence number is above every one before the crash, KS1 gets
#    their acknowledgements, and no member registered again.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

GM1=10.1.13.2
GM2=10.1.14.2
TMP=""

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"

STATE=$LABLIB_DIR/ks1/state/ks-state

# gj NODE ARGS... PATH: a value of `gvpn ARGS --json` in NODE.
gj() {
	local node=$1 path=${*: -1}
	local args=("${@:2:$#-2}")
	json_get "$(in_ns "$node" gvpn "${args[@]}" --json)" "$path"
}

# rekeys NODE / last_seq NODE / registrations NODE: the member's counters.
rekeys() { gj "$1" show crypto gdoi gm rekey groups.0.rekeysReceived; }
last_seq() { gj "$1" show crypto gdoi gm rekey groups.0.lastRekeySeqNum; }
registrations() { gj "$1" show crypto gdoi groups.0.succeededRegistration; }

# member_teks NODE: the TEK SPIs the member holds (show crypto gdoi), sorted.
member_teks() {
	in_ns "$1" gvpn show crypto gdoi --json | "$PYTHON" -c '
import json, sys
print(" ".join(sorted(str(s["spi"]) for g in json.load(sys.stdin)["groups"]
                      for s in g["tekPolicy"]["ipsecSas"])))'
}

# ks_teks: KS1's TEK SPIs (show crypto gdoi ks policy), sorted.
ks_teks() {
	in_ns ks1 gvpn show crypto gdoi ks policy --json | "$PYTHON" -c '
import json, sys
print(" ".join(sorted(str(t["spi"]) for g in json.load(sys.stdin)["groups"]
                      for t in g["tekPolicies"])))'
}

# ks_members: KS1's members, sorted.
ks_members() {
	in_ns ks1 gvpn show crypto gdoi ks members --json | "$PYTHON" -c '
import json, sys
print(" ".join(sorted(m["groupMemberId"] for g in json.load(sys.stdin)["groups"]
                      for m in g["members"])))'
}

# ks_acked_above SEQ: KS1 has, for every member, an acknowledgement of a push above SEQ.
ks_acked_above() {
	in_ns ks1 gvpn show crypto gdoi ks members --json | "$PYTHON" -c '
import json, sys
ms = [m for g in json.load(sys.stdin)["groups"] for m in g["members"]]
sys.exit(0 if len(ms) == 2 and all(m["rcvdSeqNum"][0] > int(sys.argv[1]) for m in ms) else 1)' "$1"
}

# state_lists_members: the state file holds both members (address, port 848 big-endian).
state_lists_members() {
	"$PYTHON" - "$STATE" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
sys.exit(0 if bytes([10, 1, 13, 2, 3, 0x50]) in b and bytes([10, 1, 14, 2, 3, 0x50]) in b else 1)
EOF
}

# above NODE FN N: FN NODE prints a number above N.
above() { [ "$("$2" "$1")" -gt "$3" ]; }

# shellcheck disable=SC2119 # the topology; the daemons come one by one
lab_up
TMP=$(mktemp -d /tmp/gvpn-ksr.XXXXXX)
on_exit rm -rf "$TMP"

start_short_teks "$TMP"

check "ks1 saved its state with both members within 5 s" poll 5 state_lists_members
check "the state file has mode 0600" test "$(stat -c %a "$STATE")" = 600

echo "== a rekey before the crash"
R1=$(rekeys gm1)
R2=$(rekeys gm2)
check "ks1: crypto gdoi ks rekey" in_ns ks1 gvpn crypto gdoi ks rekey
check "gm1 accepted it" poll 10 above gm1 rekeys "$R1"
check "gm2 accepted it" poll 10 above gm2 rekeys "$R2"

R1=$(rekeys gm1)
R2=$(rekeys gm2)
S1=$(last_seq gm1)
S2=$(last_seq gm2)
SEQ=$((S1 > S2 ? S1 : S2))
KS_SEQ=$(gj ks1 show crypto gdoi ks policy groups.0.seqNum)
[ "$KS_SEQ" -ge "$SEQ" ] || fail "ks1 shows seq $KS_SEQ below the members' $SEQ"
KEK=$(gj ks1 show crypto gdoi ks policy groups.0.kekPolicy.spi)
KS_TEKS=$(ks_teks)
T1=$(member_teks gm1)
T2=$(member_teks gm2)
G1=$(registrations gm1)
G2=$(registrations gm2)
pass "before the crash: seq $SEQ, KEK $KEK, TEKs $KS_TEKS; gm1 $R1 rekeys, gm2 $R2"

echo "== SIGKILL and restart"
PID=$(cat "$LABLIB_DIR/ks1/gvpnd.pid")
[ "$(cat "/proc/$PID/comm" 2>/dev/null)" = gvpnd ] || fail "pid $PID of ks1's pidfile is not gvpnd"
kill -s KILL "$PID"
poll 5 eval "! lablib_pid_alive $PID" || fail "ks1's gvpnd (pid $PID) survived SIGKILL"
pass "ks1's gvpnd (pid $PID) killed with SIGKILL"
check "ks1 starts again" lab start ks1
check "ks1's log: state loaded" output_has "key server state loaded from $STATE" cat "$LABLIB_DIR/ks1/gvpnd.log"

check "ks1: the same KEK SPI" test "$(gj ks1 show crypto gdoi ks policy groups.0.kekPolicy.spi)" = "$KEK"
after=$(ks_teks)
for t in $after; do
	[[ " $KS_TEKS " == *" $t "* ]] || fail "ks1 has TEK $t it did not have before the crash ($KS_TEKS)"
done
[ -n "$after" ] || fail "ks1 has no TEK after the restart"
pass "ks1: only TEKs of before the crash ($after)"
check "ks1: sequence number above $SEQ" \
	test "$(gj ks1 show crypto gdoi ks policy groups.0.seqNum)" -gt "$SEQ"
check "ks1: both members still in its database" test "$(ks_members)" = "$GM1 $GM2"
check "gm1 kept its TEKs" test "$(member_teks gm1)" = "$T1"
check "gm2 kept its TEKs" test "$(member_teks gm2)" = "$T2"
check "gm1 still registered" gm_registered gm1
check "gm2 still registered" gm_registered gm2

echo "== the next rekey"
check "ks1: crypto gdoi ks rekey" in_ns ks1 gvpn crypto gdoi ks rekey
check "gm1 accepted it (rekeys received above $R1)" poll 10 above gm1 rekeys "$R1"
check "gm2 accepted it (rekeys received above $R2)" poll 10 above gm2 rekeys "$R2"
check "gm1: its sequence number is above $SEQ" above gm1 last_seq "$SEQ"
check "gm2: its sequence number is above $SEQ" above gm2 last_seq "$SEQ"
check "ks1 got both acknowledgements" poll 10 ks_acked_above "$SEQ"
check "gm1 did not register again" test "$(registrations gm1)" = "$G1"
check "gm2 did not register again" test "$(registrations gm2)" = "$G2"
check "gm1 holds the new TEK" eval "[ \"\$(member_teks gm1)\" != '$T1' ]"

for n in gm1 gm2 ks1; do
	check "$n: gvpnd stops on SIGTERM" lab stop "$n"
done
check "ks1's clean stop left a state file of mode 0600" test "$(stat -c %a "$STATE")" = 600
lab_done
