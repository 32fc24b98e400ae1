#!/bin/bash
# Registration in the reference lab with real daemons: KS1, GM1 and GM2 run
# gvpnd with examples/{ks1,gm1,gm2}.conf (scripts/lab.sh up --daemons). Both
# members must register with KS1 within 5 s; then, through `gvpn` in each
# namespace:
#  - GM1 `show crypto gdoi`: Registered, registered with 10.1.11.2, the
#    ACL downloaded from KS1, the KEK policy and a TEK on the crypto-map
#    interface; the same facts in `--json`;
#  - KS1 `show crypto gdoi ks members`: both members, in text and JSON;
#  - `show crypto isakmp sa` on GM1: its registration SA to KS1, GDOI_IDLE;
#  - `clear crypto gdoi` on GM2 makes it register again;
#  - `gvpnd --check-config` names the bad line of a broken gm1.conf; SIGHUP
#    with it is refused and logged, GM1 stays registered; SIGHUP with the
#    good file applies it in place (no new registration); one with a new
#    data-plane setting recreates engines and data plane (registers again);
#  - the daemons stop cleanly (control sockets removed).
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_root

KS1=10.1.11.2
GM1=10.1.13.2
GM2=10.1.14.2

[ -x "$GVPN_BUILD/gvpnd" ] || fail "no $GVPN_BUILD/gvpnd (build it, or set GVPN_BUILD)"
[ -x "$GVPN_BUILD/gvpn" ] || fail "no $GVPN_BUILD/gvpn (build it, or set GVPN_BUILD)"
for n in ks1 gm1 gm2; do
	[ -f "$LAB_REPO/examples/$n.conf" ] || fail "no examples/$n.conf"
done

# text_has ERE TEXT: a line of TEXT matches the extended regex ERE.
text_has() { grep -Eq -- "$1" <<<"$2"; }

# gdoi_json NODE ARGS...: `gvpn ARGS --json` in NODE.
gdoi_json() {
	local node=$1
	shift
	in_ns "$node" gvpn "$@" --json
}

registered() {
	json_match "$(gdoi_json "$1" show crypto gdoi 2>/dev/null)" \
		'{"groups": [{"registrationStatus": "Registered"}]}' 2>/dev/null
}

lab_up --daemons ks1,gm1,gm2

# ---- registration --------------------------------------------------------

poll 5 registered gm1 || fail "gm1 not registered within 5 s"
pass "gm1 registered within 5 s"
poll 5 registered gm2 || fail "gm2 not registered within 5 s"
pass "gm2 registered within 5 s"

# ---- the member's view ---------------------------------------------------

out=$(in_ns gm1 gvpn show crypto gdoi)
check "gm1: Registration status : Registered" \
	text_has '^ +Registration status +: Registered$' "$out"
check "gm1: Registered with : $KS1" \
	text_has "^ +Registered with +: $KS1\$" "$out"
check "gm1: ACL downloaded from KS1" \
	text_has "^ ACL Downloaded From KS $KS1:\$" "$out"
check "gm1: the downloaded ACL has access-list lines" \
	text_has '^ +access-list (permit|deny) ' "$out"
check "gm1: KEK policy" text_has '^KEK POLICY:$' "$out"
check "gm1: KEK transport" text_has '^ +Rekey Transport Type +: Unicast$' "$out"
check "gm1: TEK policy" \
	text_has '^TEK POLICY for the current KS-Policy ACEs Downloaded:$' "$out"
check "gm1: a TEK with its SPI" text_has '^ +spi: 0x[0-9A-F]+\([0-9]+\)$' "$out"

json=$(gdoi_json gm1 show crypto gdoi)
check "gm1 --json: registered with KS1, ACL, KEK, TEK" json_match "$json" \
	"{\"groups\": [{\"groupName\": \"*\", \"registrationStatus\": \"Registered\",
	  \"registeredWith\": \"$KS1\", \"groupMember\": \"$GM1\",
	  \"acl\": {\"downloadedFromKs\": \"$KS1\", \"entries\": [\"*\"]},
	  \"kekPolicy\": {\"rekeyTransportType\": \"Unicast\", \"lifetimeSecs\": \"*\"},
	  \"tekPolicy\": {\"ipsecSas\": [{\"spi\": \"*\", \"transform\": \"*\"}]}}]}"
check "gm2 --json: registered with KS1" json_match "$(gdoi_json gm2 show crypto gdoi)" \
	"{\"groups\": [{\"registrationStatus\": \"Registered\", \"registeredWith\": \"$KS1\",
	  \"groupMember\": \"$GM2\"}]}"

check "gm1: registration SA to KS1 is GDOI_IDLE" \
	text_has "^$KS1 +$GM1 +GDOI_IDLE +[0-9]+ ACTIVE\$" "$(in_ns gm1 gvpn show crypto isakmp sa)"

# ---- the key server's view -----------------------------------------------

out=$(in_ns ks1 gvpn show crypto gdoi ks members)
check "ks1: member $GM1 listed" text_has "^Group Member ID +: $GM1 " "$out"
check "ks1: member $GM2 listed" text_has "^Group Member ID +: $GM2 " "$out"
check "ks1: members registered with KS1" text_has "^ Key Server ID +: $KS1\$" "$out"
check "ks1 --json: both members" json_match "$(gdoi_json ks1 show crypto gdoi ks members)" \
	"{\"groups\": [{\"members\": [{\"groupMemberId\": \"*\", \"keyServerId\": \"$KS1\"}]}]}" \
	"groups.0.members.0.groupMemberId=*" "groups.0.members.1.groupMemberId=*"
members=$(gdoi_json ks1 show crypto gdoi ks members |
	"$PYTHON" -c 'import json,sys; print(" ".join(sorted(m["groupMemberId"] for g in json.load(sys.stdin)["groups"] for m in g["members"])))')
[ "$members" = "$GM1 $GM2" ] || fail "ks1 --json: members are '$members', want '$GM1 $GM2'"
pass "ks1 --json: exactly $GM1 and $GM2"

out=$(in_ns ks1 gvpn show crypto isakmp sa)
check "ks1: GM1's registration SA is GDOI_IDLE" text_has "^$KS1 +$GM1 +GDOI_IDLE +[0-9]+ ACTIVE\$" "$out"
check "ks1: GM2's registration SA is GDOI_IDLE" text_has "^$KS1 +$GM2 +GDOI_IDLE +[0-9]+ ACTIVE\$" "$out"

out=$(in_ns ks1 gvpn show crypto gdoi ks policy)
check "ks1: rekeys signed with the RSA key of ks1.conf (generated by lab.sh)" \
	text_has 'sig key name +: GETVPN_KEYS$' "$out"
check "gm1: the KEK carries the KS's 2048-bit key" \
	text_has '^ +Sig Key Length \(bits\) +: 2048$' "$(in_ns gm1 gvpn show crypto gdoi)"

# ---- clear crypto gdoi ---------------------------------------------------

succeeded() {
	json_match "$(gdoi_json gm2 show crypto gdoi 2>/dev/null)" \
		"{\"groups\": [{\"registrationStatus\": \"Registered\", \"succeededRegistration\": $1}]}" \
		2>/dev/null
}
check "gm2: clear crypto gdoi" in_ns gm2 gvpn clear crypto gdoi
poll 5 succeeded 2 || fail "gm2 did not register again within 5 s of clear crypto gdoi"
pass "gm2 registered again after clear crypto gdoi"

# ---- configuration check and reload (SIGHUP) ----------------------------

conf=$LABLIB_DIR/gm1/gm1.conf
log=$LABLIB_DIR/gm1/gvpnd.log
check "gvpnd --check-config accepts examples/gm1.conf" \
	"$GVPN_BUILD/gvpnd" --check-config "$LAB_REPO/examples/gm1.conf"
cp -p "$conf" "$conf.good"
n=$(grep -n '^ server address ipv4 10\.1\.12\.2$' "$conf" | cut -d: -f1)
[ -n "$n" ] || fail "gm1.conf has no 'server address ipv4 10.1.12.2' line"
sed -i "${n}s/10\.1\.12\.2/10.1.12/" "$conf"
if out=$("$GVPN_BUILD/gvpnd" --check-config "$conf" 2>&1); then
	fail "--check-config accepted a truncated address: $out"
fi
text_has "^$conf:$n: " "$out" || fail "--check-config did not name $conf:$n: $out"
pass "--check-config refuses the bad line as $conf:$n"

succ=$(json_get "$(gdoi_json gm1 show crypto gdoi)" groups.0.succeededRegistration)
gm1_pid=$(cat "$LABLIB_DIR/gm1/gvpnd.pid")
kill -s HUP "$gm1_pid"
poll 5 output_has "reload of $conf refused" cat "$log" || fail "gm1 did not log the refused reload"
pass "gm1: SIGHUP with a bad file is refused and logged"
check "gm1: the refusal names $conf:$n" output_has "$conf:$n: " cat "$log"
check "gm1: still registered after the refused reload" registered gm1

cp -p "$conf.good" "$conf"
kill -s HUP "$gm1_pid"
poll 5 output_has "reload of $conf done" cat "$log" || fail "gm1 did not reload the good file"
pass "gm1: SIGHUP with the good file applied"
check "gm1: the same registration after an unchanged reload (groups replaced in place)" \
	json_match "$(gdoi_json gm1 show crypto gdoi)" \
	"{\"groups\": [{\"registrationStatus\": \"Registered\", \"succeededRegistration\": $succ}]}"

# a data-plane setting changes: new engines and data plane, a new registration
reloads_done() { [ "$(grep -c "reload of $conf done" "$log")" -ge "$1" ]; }
sed -i 's/^ crypto map gm_map$/ crypto map gm_map\n ip tcp adjust-mss 1360/' "$conf"
kill -s HUP "$gm1_pid"
poll 5 reloads_done 2 || fail "gm1 did not reload the file with ip tcp adjust-mss"
pass "gm1: SIGHUP with a new data-plane setting applied"
poll 5 registered gm1 || fail "gm1 not registered again within 5 s of the reload"
pass "gm1: registered again with the recreated engines"
check "gm1: running-config has the new setting" \
	output_has '^ ip tcp adjust-mss 1360$' in_ns gm1 gvpn show running-config
check "gm1: the data plane runs on eth0 again" \
	output_has '^Data plane of eth0 (crypto map gm_map)' in_ns gm1 gvpn show crypto datapath

# ---- clean stop ----------------------------------------------------------

for n in gm1 gm2 ks1; do
	check "$n: gvpnd stops on SIGTERM" lab stop "$n"
	[ ! -e "$LABLIB_DIR/$n/gvpnd.sock" ] || fail "$n: control socket left after a clean stop"
	pass "$n: control socket removed"
done

lab_done
