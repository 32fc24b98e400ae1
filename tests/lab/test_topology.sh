#!/bin/bash
# The reference lab itself (scripts/lab.sh), before any daemon is involved:
# every namespace, link, address, route and setting of the guide's topology;
# h13 reaches h14 in clear through GM1, the WAN and GM2; `up` is idempotent
# and completes a partial lab; LAB_WAN_MTU; captures; management of the
# daemons (with a stand-in gvpnd, so it runs before the real one exists);
# `down` leaves no namespace, process or file behind and may run twice.
# Nothing may change in the root namespace at any point.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
need_root

# The guide's topology, written out here independently of lab.sh:
# "NODE IFACE ADDRESS/PREFIX"
ADDRS=(
	"ks1 eth0 10.1.11.2/16"
	"ks2 eth0 10.1.12.2/16"
	"gm1 eth0 10.1.13.2/16"
	"gm1 eth1 192.168.13.1/24"
	"gm2 eth0 10.1.14.2/16"
	"gm2 eth1 192.168.14.1/24"
	"h13 eth0 192.168.13.2/24"
	"h14 eth0 192.168.14.2/24"
)
# "NODE ROUTE" as `ip -4 route` prints it; these are each node's only routes
# that are not connected ones. The key servers send multicast onto the WAN.
ROUTES=(
	"h13 default via 192.168.13.1 dev eth0"
	"h14 default via 192.168.14.1 dev eth0"
	"gm1 192.168.14.0/24 via 10.1.14.2 dev eth0"
	"gm2 192.168.13.0/24 via 10.1.13.2 dev eth0"
	"ks1 224.0.0.0/4 dev eth0 scope link"
	"ks2 224.0.0.0/4 dev eth0 scope link"
)
NODES="ks1 ks2 gm1 gm2 h13 h14 wan"
WAN_NODES="ks1 ks2 gm1 gm2"
STUB_DIR=""

lab_namespaces() { ip netns list | awk '$1 ~ /^gvpn-/ {print $1}' | sort; }

# What the root namespace holds; must never change.
root_state() {
	ip -o link show | sed 's/^[0-9]*: //; s/ qlen [0-9]*//' | awk '{print $1, $2}'
	ip -o addr show | sed 's/ *valid_lft.*//'
	ip route show table all | sed 's/ expires [^ ]*//'
}

# Everything `up` could change, with interface indexes (a recreated link
# gets a new one), to compare the lab before and after a second `up`.
lab_state() {
	local n ns
	for n in $NODES; do
		ns=gvpn-$n
		echo "== $ns"
		ip -n "$ns" -o link show | sed 's/ state [A-Z]* / /; s/link\/ether.*//'
		ip -n "$ns" -o addr show
		ip -n "$ns" route show
		ip netns exec "$ns" sysctl net.ipv4.ip_forward net.ipv4.conf.all.rp_filter \
			net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6
	done
}


# link_ok NS IF MTU: IF exists, is administratively up with carrier, has MTU.
link_ok() {
	local l
	l=$(ip -n "$1" -o link show dev "$2") || return 1
	[[ $l == *"<"*UP*LOWER_UP*">"* ]] && [[ $l == *" mtu $3 "* ]]
}

# peer_in NS IF PEERNS PEERIF: IF is a veth whose other end is PEERIF in PEERNS.
peer_in() {
	local l peer idx
	l=$(ip -n "$1" -o link show dev "$2") || return 1
	[[ $l == *" link-netns $3"* ]] || return 1
	peer=$(sed -n 's/^[0-9]*: [^@]*@if\([0-9]*\):.*/\1/p' <<<"$l")
	idx=$(ip -n "$3" -o link show dev "$4" | cut -d: -f1)
	[ -n "$peer" ] && [ "$peer" = "$idx" ]
}

addr_ok() { output_has " inet $3 brd " ip -n "gvpn-$1" -4 -o addr show dev "$2"; }

# only_routes NODE EXPECTED...: the node's routes, less the connected ones,
# are exactly these.
only_routes() {
	local node=$1 got want
	shift
	got=$(ip -n "gvpn-$node" -4 route show | { grep -v ' proto kernel ' || true; } | sed 's/ *$//' | sort)
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	[ "$got" = "$want" ] || { echo "routes of $node: got [$got] want [$want]"; return 1; }
}

sysctl_is() { [ "$(ip netns exec "gvpn-$1" sysctl -n "$2")" = "$3" ]; }

no_ipv6() {
	local n
	for n in $NODES; do
		[ -z "$(ip -n "gvpn-$n" -6 -o addr show)" ] || { echo "gvpn-$n has IPv6 addresses"; return 1; }
		sysctl_is "$n" net.ipv6.conf.all.disable_ipv6 1 || return 1
	done
}

# check_topology MTU: the whole topology as the guide draws it.
check_topology() {
	local wan_mtu=$1 n a r want
	check "lab namespaces are exactly gvpn-{$(echo "$NODES" | tr ' ' ,)}" \
		test "$(lab_namespaces | tr '\n' ' ')" = "$(for n in $NODES; do echo "gvpn-$n"; done | sort | tr '\n' ' ')"
	check "gvpn-wan has bridge br0, up, mtu $wan_mtu" link_ok gvpn-wan br0 "$wan_mtu"
	check "br0 has exactly the ports ks1 ks2 gm1 gm2" test \
		"$(ip -n gvpn-wan -o link show master br0 | sed 's/^[0-9]*: \([^@]*\)@.*/\1/' | sort | tr '\n' ' ')" = "gm1 gm2 ks1 ks2 "
	for n in $WAN_NODES; do
		check "$n eth0 is a veth to port $n of br0 in gvpn-wan" peer_in "gvpn-$n" eth0 gvpn-wan "$n"
		check "$n eth0 and its br0 port are up with mtu $wan_mtu" \
			eval "link_ok gvpn-$n eth0 $wan_mtu && link_ok gvpn-wan $n $wan_mtu"
	done
	check "gm1 eth1 is a veth to h13 eth0 (mtu 1500)" \
		eval "peer_in gvpn-gm1 eth1 gvpn-h13 eth0 && link_ok gvpn-gm1 eth1 1500 && link_ok gvpn-h13 eth0 1500"
	check "gm2 eth1 is a veth to h14 eth0 (mtu 1500)" \
		eval "peer_in gvpn-gm2 eth1 gvpn-h14 eth0 && link_ok gvpn-gm2 eth1 1500 && link_ok gvpn-h14 eth0 1500"
	for n in $NODES; do
		check "$n loopback is up" output_has '<LOOPBACK,UP' ip -n "gvpn-$n" -o link show dev lo
	done
	for a in "${ADDRS[@]}"; do
		# shellcheck disable=SC2086 # "NODE IFACE ADDR" split on purpose
		set -- $a
		check "$1 $2 has $3" addr_ok "$1" "$2" "$3"
	done
	for n in $NODES; do
		want=()
		for r in "${ROUTES[@]}"; do
			if [ "${r%% *}" = "$n" ]; then want+=("${r#* }"); fi
		done
		check "$n routes: ${want[*]:-connected only}" only_routes "$n" "${want[@]}"
	done
	# shellcheck disable=SC2016 # expanded by eval
	check "ip_forward is 1 on gm1 and gm2, 0 elsewhere" eval \
		'for n in $NODES; do case $n in gm*) v=1;; *) v=0;; esac; sysctl_is $n net.ipv4.ip_forward $v || exit 1; done'
	# shellcheck disable=SC2016 # expanded by eval
	check "rp_filter is 0 on the GMs (all, eth0, eth1)" eval \
		'for n in gm1 gm2; do for i in all eth0 eth1; do sysctl_is $n net.ipv4.conf.$i.rp_filter 0 || exit 1; done; done'
	check "the GMs answer pings to multicast groups they joined" eval \
		"sysctl_is gm1 net.ipv4.icmp_echo_ignore_broadcasts 0 && sysctl_is gm2 net.ipv4.icmp_echo_ignore_broadcasts 0"
	check "IPv6 is disabled and no namespace has an IPv6 address" no_ipv6
}

# ---------------------------------------------------------------------------
echo "== topology"
lab_down # start from nothing (a second down is harmless)
ROOT_BEFORE=$(root_state)
# shellcheck disable=SC2119 # no options: the plain topology
lab_up
check_topology 1500
check "the root namespace is unchanged" test "$(root_state)" = "$ROOT_BEFORE"

echo "== traffic in clear"
check "lab.sh exec h13 ping -c 1 -W 2 192.168.14.2" in_ns h13 ping -c 1 -W 2 192.168.14.2
check "h14 -> h13 crosses two routers (reply ttl 62)" \
	output_has 'ttl=62' in_ns h14 ping -c 1 -W 2 192.168.13.2
for n in ks1 ks2 gm2; do
	check "gm1 reaches $n over the WAN" in_ns gm1 ping -c 1 -W 2 "$(
		case $n in ks1) echo 10.1.11.2 ;; ks2) echo 10.1.12.2 ;; gm2) echo 10.1.14.2 ;; esac
	)"
done
check "ks1 has no route to the LANs" eval "! in_ns ks1 ping -c 1 -W 1 192.168.13.2 >/dev/null 2>&1"

echo "== multicast over the WAN (the guide's ping 226.1.1.1)"
# gm2 joins 226.1.1.1 on eth0 the way a GM waiting for multicast rekeys does
bg_in_ns gm2 "$PYTHON" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton("226.1.1.1") + socket.inet_aton("10.1.14.2"))
time.sleep(120)'
JOINER=$BG_PID
check "gm2 joined 226.1.1.1" poll 5 output_has 'inet  *226\.1\.1\.1' ip -n gvpn-gm2 maddr show dev eth0
MPING=$(in_ns ks1 ping -c 2 -W 2 226.1.1.1 2>&1 || true)
check "ks1 ping 226.1.1.1 is answered by the member gm2" output_has 'bytes from 10\.1\.14\.2' echo "$MPING"
check "... and not by gm1, which did not join" eval "! output_has '10\.1\.13\.2' echo \"\$MPING\""
check "the member stops" bg_stop "$JOINER" python3 gvpn-gm2

echo "== capture"
PCAP=$(lab capture start wan br0 -- icmp 2>/dev/null)
check "capture start printed a pcap path" test -n "$PCAP"
CAP_PID=$(lab pids | awk '$1 == "wan" && $2 == "tcpdump" {print $3}')
check "lab.sh pids lists the tcpdump (pid ${CAP_PID:-none}) in gvpn-wan" lablib_pid_is "$CAP_PID" tcpdump gvpn-wan
check "ping h13 -> h14 while capturing" in_ns h13 ping -c 2 -i 0.2 -W 2 192.168.14.2
check "capture stop" lab capture stop
check "the tcpdump is gone" poll 5 eval "! lablib_pid_alive $CAP_PID"
check "the WAN carried h13 -> h14 in clear (tcpdump -r)" \
	eval "[ \$(tcpdump -n -r '$PCAP' 2>/dev/null | grep -c 'IP 192.168.13.2 > 192.168.14.2: ICMP echo request') = 2 ]"
if command -v tshark >/dev/null; then
	check "tshark reads the capture (2 echo replies)" \
		eval "[ \$(tshark -r '$PCAP' -Y 'icmp.type == 0' 2>/dev/null | wc -l) = 2 ]"
fi
check "capture refuses a file name tcpdump may not write" eval "! lab capture start gm1 eth0 /tmp/x.txt 2>/dev/null"

echo "== idempotent up"
STATE_BEFORE=$(lab_state)
OUT=$(lab up 2>&1)
check "second up succeeds and says nothing changed" eval "grep -q 'nothing changed' <<<'$OUT'"
check "second up leaves every link, address, route and sysctl as it was" \
	test "$(lab_state)" = "$STATE_BEFORE"

echo "== partial lab is completed"
ip netns del gvpn-h14
ip -n gvpn-ks2 addr flush dev eth0
ip -n gvpn-gm1 route del 192.168.14.0/24
ip -n gvpn-wan link set dev ks1 nomaster
check "up completes the lab" lab up
check "the whole topology is back" check_topology 1500
check "h13 reaches h14 again" in_ns h13 ping -c 1 -W 2 192.168.14.2

echo "== LAB_WAN_MTU"
check "LAB_WAN_MTU=1400 up" env LAB_WAN_MTU=1400 "$LAB" up
check "the whole topology with WAN MTU 1400" check_topology 1400
check "a 1400-byte packet crosses the WAN, a 1401-byte one does not (DF)" eval \
	"in_ns gm1 ping -c 1 -W 2 -M do -s 1372 10.1.14.2 >/dev/null && ! in_ns gm1 ping -c 1 -W 1 -M do -s 1373 10.1.14.2 >/dev/null 2>&1"
check "up with the default MTU restores 1500" lab up
check "the whole topology with WAN MTU 1500" check_topology 1500
check "LAB_WAN_MTU=abc is refused" eval "! LAB_WAN_MTU=abc '$LAB' up 2>/dev/null"

echo "== daemons (stand-in gvpnd)"
OUT=$(GVPN_BUILD=/nonexistent "$LAB" up --daemons 2>&1) && fail "up --daemons without gvpnd succeeded"
check "up --daemons without gvpnd fails and names it" grep -q 'no gvpnd at /nonexistent/gvpnd' <<<"$OUT"
check "start refuses a node that runs no daemon (h13)" eval "! '$LAB' start h13 2>/dev/null"
# A stand-in that behaves like gvpnd towards lab.sh: it checks its arguments,
# creates the control socket, counts its starts in the state dir and removes
# the socket on SIGTERM. Its process name is gvpnd (the script's file name).
STUB_DIR=$(mktemp -d /tmp/gvpn-lab-test.XXXXXX)
on_exit rm -rf "$STUB_DIR"
cat >"$STUB_DIR/gvpnd" <<'EOF'
#!/usr/bin/python3
import os, signal, socket, sys
args = sys.argv[1:]
fg = "--foreground" in args
if fg:
    args.remove("--foreground")
opt = dict(zip(args[0::2], args[1::2]))
if not fg or len(args) % 2 or set(opt) != {"--config", "--socket", "--state-dir"} \
        or not os.path.isfile(opt["--config"]):
    sys.exit("usage: gvpnd --config FILE --socket PATH --state-dir DIR --foreground")
with open(os.path.join(opt["--state-dir"], "starts"), "a") as f:
    f.write("start\n")
srv = socket.socket(socket.AF_UNIX)
srv.bind(opt["--socket"])
srv.listen(1)
def stop(*_):
    os.unlink(opt["--socket"])
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("stand-in gvpnd listening on", opt["--socket"], flush=True)
while True:
    signal.pause()
EOF
chmod 0755 "$STUB_DIR/gvpnd"
echo "hostname STUB" >"$STUB_DIR/stub.conf"
GVPN_BUILD=$STUB_DIR
export GVPN_BUILD
pid_of() { lab pids | awk -v n="$1" '$1 == n && $2 == "gvpnd" {print $3}'; }
starts() { wc -l <"$LABLIB_DIR/$1/state/starts"; }

check "start gm1 --config FILE" lab start gm1 --config "$STUB_DIR/stub.conf"
P1=$(pid_of gm1)
check "gvpnd pid ${P1:-none} runs in gvpn-gm1 under the name gvpnd" lablib_pid_is "$P1" gvpnd gvpn-gm1
check "its control socket exists" test -S "$LABLIB_DIR/gm1/gvpnd.sock"
check "its config copy has mode 0600" test "$(stat -c %a "$LABLIB_DIR/gm1/gm1.conf")" = 600
check "it logs to gvpnd.log" grep -q 'stand-in gvpnd listening' "$LABLIB_DIR/gm1/gvpnd.log"
check "start again is a no-op (same pid)" eval "lab start gm1 && test \"\$(pid_of gm1)\" = '$P1'"
check "exec gm1 exports GVPN_SOCKET" \
	test "$(in_ns gm1 printenv GVPN_SOCKET)" = "$LABLIB_DIR/gm1/gvpnd.sock"
check "exec puts GVPN_BUILD first in PATH" test "$(in_ns gm1 sh -c 'command -v gvpnd')" = "$STUB_DIR/gvpnd"
check "exec h13 has no GVPN_SOCKET" eval "! GVPN_SOCKET=/x in_ns h13 printenv GVPN_SOCKET"
check "exec runs in the node's namespace" \
	output_has 'inet 192.168.14.1/24' in_ns gm2 ip -4 -o addr show dev eth1
check "exec passes the command's exit status" eval "in_ns h13 sh -c 'exit 3'; test \$? = 3"
check "kill gm1 (SIGKILL)" lab kill gm1
check "... the daemon is gone" poll 5 eval "! lablib_pid_alive $P1"
check "... and its socket stays, as after a crash" test -S "$LABLIB_DIR/gm1/gvpnd.sock"
check "start gm1 after the crash reuses config and state dir" lab start gm1
P2=$(pid_of gm1)
check "... new pid ${P2:-none}, second start recorded in the state dir" \
	eval "[ -n '$P2' ] && [ '$P2' != '$P1' ] && [ \$(starts gm1) = 2 ]"
check "restart gm1" lab restart gm1
P3=$(pid_of gm1)
check "... old pid gone, new one runs, state dir kept" \
	eval "! lablib_pid_alive $P2 && lablib_pid_is '$P3' gvpnd gvpn-gm1 && [ \$(starts gm1) = 3 ]"
check "stop gm1 (SIGTERM) removes pid and socket" \
	eval "lab stop gm1 && ! lablib_pid_alive $P3 && ! test -e '$LABLIB_DIR/gm1/gvpnd.sock' && [ -z \"\$(pid_of gm1)\" ]"
check "stop of a stopped daemon succeeds" lab stop gm1
# a recorded PID that is not our daemon must never be signalled
sleep 600 &
FOREIGN=$!
on_exit bg_stop "$FOREIGN" sleep ""
echo "$FOREIGN" >"$LABLIB_DIR/gm1/gvpnd.pid"
check "stop and kill leave a foreign recorded pid alone" \
	eval "lab stop gm1 && echo $FOREIGN >'$LABLIB_DIR/gm1/gvpnd.pid' && lab kill gm1 && lablib_pid_alive $FOREIGN"
for n in ks1 gm2; do
	check "start $n" lab start "$n" --config "$STUB_DIR/stub.conf"
done
PKS1=$(pid_of ks1)
PGM2=$(pid_of gm2)
lablib_pid_is "$PKS1" gvpnd gvpn-ks1 || fail "ks1's daemon is not the one lab.sh started"
kill -KILL "$PKS1" # a crash behind lab.sh's back
check "a daemon that died on its own shows as dead in status" \
	eval "poll 5 eval '! lablib_pid_alive $PKS1' && output_has '^  ks1  dead' lab status"
check "up --daemons ks1,gm2 restarts the dead ks1 and keeps gm2" eval \
	"lab up --daemons ks1,gm2 && lablib_pid_is \"\$(pid_of ks1)\" gvpnd gvpn-ks1 && [ \"\$(pid_of gm2)\" = $PGM2 ]"
check "a capture runs too" eval "lab capture start gm2 >/dev/null"

echo "== down"
RECORDED=$(lab pids | awk '{print $3}' | tr '\n' ' ')
check "lab.sh pids lists 2 daemons and 1 capture" test "$(wc -w <<<"$RECORDED")" = 3
DOWN_OUT=$(lab down 2>&1) || fail "down: $DOWN_OUT"
pass "down"
check "down met no process it did not start" eval "! grep -q 'still running' <<<\"\$DOWN_OUT\""
check "no gvpn- namespace is left" test -z "$(lab_namespaces)"
check "no recorded process is left ($RECORDED)" \
	poll 5 eval "for p in $RECORDED; do ! lablib_pid_alive \$p || exit 1; done"
check "$LABLIB_DIR is gone" test ! -e "$LABLIB_DIR"
check "the root namespace is unchanged" test "$(root_state)" = "$ROOT_BEFORE"
check "a second down succeeds" lab down
check "status says the lab is down (status 3)" eval "lab status >/dev/null; test \$? = 3"
lab_done
