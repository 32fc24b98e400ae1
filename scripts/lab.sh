#!/bin/bash
# The reference lab of the GETVPN troubleshooting guide, built in network
# namespaces on one Linux host: two key servers, two group members, a host
# behind each member and one WAN segment. Optionally runs a gvpnd per router.
# `lab.sh help` lists the subcommands; docs/lab.md explains the lab.
#
# Safety: every address, route, link and process lives in a namespace called
# gvpn-* that this script creates (the WAN bridge too, in gvpn-wan); nothing
# is added to the root namespace. Recorded PIDs are signalled only after their
# name and namespace have been checked.
set -euo pipefail
shopt -s inherit_errexit # a failure inside $(...) stops the script too

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lablib.sh
. "$LAB_ROOT/scripts/lablib.sh"

PROG=${0##*/}
GVPN_BUILD=${GVPN_BUILD:-$LAB_ROOT/build}
LAB_WAN_MTU=${LAB_WAN_MTU:-1500}
LAB_TIMEOUT=${LAB_TIMEOUT:-15}     # seconds to wait for a daemon or a capture
LAB_VERBOSE=${LAB_VERBOSE:-0}      # 1: list every change `up` makes
LAN_MTU=1500
DEFAULT_DAEMONS="ks1 gm1 gm2"
CAPDIR=$LABLIB_DIR/captures

# Topology of the guide. WAN_ADDR: the eth0 address of each router, all on
# the WAN segment 10.1.0.0/16 (a veth whose peer, named after the node, is a
# port of br0 in gvpn-wan). LAN: router eth1 <-> host eth0, one veth each.
declare -A WAN_ADDR=([ks1]=10.1.11.2/16 [ks2]=10.1.12.2/16 [gm1]=10.1.13.2/16 [gm2]=10.1.14.2/16)
WAN_NODES="ks1 ks2 gm1 gm2"
declare -A LAN_HOST=([gm1]=h13 [gm2]=h14)
declare -A LAN_GW_ADDR=([gm1]=192.168.13.1/24 [gm2]=192.168.14.1/24)
declare -A LAN_HOST_ADDR=([gm1]=192.168.13.2/24 [gm2]=192.168.14.2/24)
# Static routes: "NODE PREFIX GATEWAY DEV" ("-": no gateway). The GMs route
# the other LAN over the WAN to the other GM (in clear until gvpnd encrypts
# it). The key servers send multicast (rekeys, the guide's `ping 226.1.1.1`)
# onto the WAN, which floods it to every router like a multicast-enabled core.
ROUTES=(
	"h13 default 192.168.13.1 eth0"
	"h14 default 192.168.14.1 eth0"
	"gm1 192.168.14.0/24 10.1.14.2 eth0"
	"gm2 192.168.13.0/24 10.1.13.2 eth0"
	"ks1 224.0.0.0/4 - eth0"
	"ks2 224.0.0.0/4 - eth0"
)

CHANGES=0

die() { echo "$PROG: error: $*" >&2; exit 1; }
info() { echo "$PROG: $*" >&2; }

# changed WHAT: count one change made by `up` (listed with LAB_VERBOSE=1).
changed() {
	CHANGES=$((CHANGES + 1))
	if [ "$LAB_VERBOSE" = 1 ]; then info "  + $*"; fi
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"; }

need_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "'$c' not found (run scripts/bootstrap.sh)"
	done
}

node_or_die() { lablib_node "$1" 2>/dev/null || die "unknown node '$1' (one of: $LABLIB_NODES)"; }
ns_of() { echo "gvpn-$1"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
is_daemon_node() { case " $LABLIB_DAEMON_NODES " in *" $1 "*) return 0 ;; esac; return 1; }
node_dir() { echo "$LABLIB_DIR/$1"; }

# ---------------------------------------------------------------------------
# topology: every ensure_* checks first and changes only what is missing, so
# `up` on a complete lab changes nothing and on a partial one completes it.
# ---------------------------------------------------------------------------

link_exists() { ip -n "$1" link show dev "$2" >/dev/null 2>&1; }

# ensure_sysctls NS KEY=VALUE...: set the keys that differ (one read, one write).
ensure_sysctls() {
	local ns=$1 kv keys=() want=() cur=() set=() i
	shift
	for kv in "$@"; do
		keys+=("${kv%%=*}")
		want+=("${kv#*=}")
	done
	mapfile -t cur < <(nsx "$ns" sysctl -n "${keys[@]}")
	for i in "${!keys[@]}"; do
		if [ "${cur[$i]:-}" != "${want[$i]}" ]; then
			set+=("${keys[$i]}=${want[$i]}")
			changed "$ns sysctl ${keys[$i]}=${want[$i]}"
		fi
	done
	if [ ${#set[@]} -gt 0 ]; then nsx "$ns" sysctl -qw "${set[@]}"; fi
}

have_ipv6() { [ -d /proc/sys/net/ipv6 ]; }

# ensure_ns NS: the namespace, with IPv6 off for links created later and lo up.
ensure_ns() {
	local ns=$1
	if ! lablib_ns_exists "$ns"; then
		ip netns add "$ns"
		changed "namespace $ns"
	fi
	if have_ipv6; then
		ensure_sysctls "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	fi
	ensure_up "$ns" lo
}

ensure_up() {
	if ! lablib_out_has '[<,]UP[,>]' ip -n "$1" -o link show dev "$2"; then
		ip -n "$1" link set dev "$2" up
		changed "$1 $2 up"
	fi
}

ensure_mtu() {
	local cur
	cur=$(ip -n "$1" -o link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
	if [ "$cur" != "$3" ]; then
		ip -n "$1" link set dev "$2" mtu "$3"
		changed "$1 $2 mtu $3"
	fi
}

# veth_peer_index NS IF: print the ifindex of IF's veth peer (from "IF@ifN").
veth_peer_index() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p'
}

link_index() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null | sed -n 's/^\([0-9]*\):.*/\1/p'
}

# is_veth_pair NSA IFA NSB IFB: true if IFA in NSA and IFB in NSB are the two
# ends of one veth (each one's peer index is the other's index, and the peer
# of IFA lives in NSB).
is_veth_pair() {
	local ia ib pa pb
	ia=$(link_index "$1" "$2"); ib=$(link_index "$3" "$4")
	pa=$(veth_peer_index "$1" "$2"); pb=$(veth_peer_index "$3" "$4")
	[ -n "$ia" ] && [ -n "$ib" ] && [ "$pa" = "$ib" ] && [ "$pb" = "$ia" ] || return 1
	lablib_out_has "link-netns $3\b" ip -n "$1" -o link show dev "$2"
}

# ensure_veth NSA IFA NSB IFB: a veth with one end in each namespace. Leftover
# ends that are not such a pair are deleted and the pair is made again. The
# command runs inside NSA (ip -n), so no link ever appears in the root namespace.
ensure_veth() {
	local nsa=$1 ifa=$2 nsb=$3 ifb=$4
	if link_exists "$nsa" "$ifa" && link_exists "$nsb" "$ifb" && is_veth_pair "$@"; then
		return 0
	fi
	# a half of a pair whose other namespace was just deleted may vanish by
	# itself any moment (the kernel cleans up namespaces asynchronously)
	ip -n "$nsa" link del dev "$ifa" 2>/dev/null || true
	ip -n "$nsb" link del dev "$ifb" 2>/dev/null || true
	ip -n "$nsa" link add "$ifa" type veth peer name "$ifb" netns "$nsb"
	changed "veth $nsa:$ifa <-> $nsb:$ifb"
}

# ensure_bridge: br0 in gvpn-wan, no STP, no multicast snooping (so multicast
# rekeys are flooded to every router like on a plain hub).
ensure_bridge() {
	local ns=gvpn-wan
	if ! lablib_out_has 'bridge ' ip -n "$ns" -d link show dev br0 2>/dev/null; then
		if link_exists "$ns" br0; then ip -n "$ns" link del dev br0; fi
		ip -n "$ns" link add br0 type bridge stp_state 0 mcast_snooping 0
		changed "bridge gvpn-wan:br0"
	fi
	if ! lablib_out_has 'mcast_snooping 0' ip -n "$ns" -d link show dev br0; then
		ip -n "$ns" link set dev br0 type bridge mcast_snooping 0
		changed "gvpn-wan br0 mcast_snooping 0"
	fi
	ensure_mtu "$ns" br0 "$LAB_WAN_MTU"
	ensure_up "$ns" br0
}

ensure_master() {
	if ! lablib_out_has " master $3 " ip -n "$1" -o link show dev "$2"; then
		ip -n "$1" link set dev "$2" master "$3"
		changed "$1 $2 master $3"
	fi
}

# ensure_addr NS IF ADDR/PREFIX (with the broadcast address of the prefix).
ensure_addr() {
	if ! lablib_out_has "inet $3 " ip -n "$1" -4 -o addr show dev "$2"; then
		ip -n "$1" addr add "$3" brd + dev "$2"
		changed "$1 $2 address $3"
	fi
}

# ensure_route NS PREFIX GATEWAY|- DEV
ensure_route() {
	local ns=$1 prefix=$2 gw=$3 dev=$4 via=()
	if [ "$gw" != - ]; then via=(via "$gw"); fi
	if ! lablib_out_has "^$prefix ${via[*]:+${via[*]} }dev $dev\b" ip -n "$ns" -4 route show exact "$prefix"; then
		ip -n "$ns" route replace "$prefix" "${via[@]}" dev "$dev"
		changed "$ns route $prefix ${via[*]} dev $dev"
	fi
}

# node_sysctls NODE: IPv6 off on every interface, forwarding only on the GMs,
# no reverse-path filter on the GMs (encrypted traffic keeps the inner
# addresses, which need not match the WAN routes), and GMs answer pings to a
# multicast group they joined (the guide's multicast rekey reachability test).
node_sysctls() {
	local node=$1 ns ifs i kv=()
	ns=$(ns_of "$node")
	ifs=$(ip -n "$ns" -o link show | sed -n 's/^[0-9]*: \([^@:]*\)[@:].*/\1/p')
	if have_ipv6; then
		for i in all default $ifs; do kv+=("net.ipv6.conf.$i.disable_ipv6=1"); done
	fi
	case $node in
	gm*)
		kv+=(net.ipv4.ip_forward=1 net.ipv4.icmp_echo_ignore_broadcasts=0)
		for i in all default $ifs; do kv+=("net.ipv4.conf.$i.rp_filter=0"); done
		;;
	*) kv+=(net.ipv4.ip_forward=0) ;;
	esac
	ensure_sysctls "$ns" "${kv[@]}"
}

topology_up() {
	local node ns gm host r
	if ! [[ $LAB_WAN_MTU =~ ^[0-9]+$ ]] || [ "$LAB_WAN_MTU" -lt 576 ] || [ "$LAB_WAN_MTU" -gt 9000 ]; then
		die "LAB_WAN_MTU must be a number from 576 to 9000, not '$LAB_WAN_MTU'"
	fi
	for node in $LABLIB_NODES; do ensure_ns "$(ns_of "$node")"; done
	ensure_bridge
	for node in $WAN_NODES; do
		ns=$(ns_of "$node")
		ensure_veth gvpn-wan "$node" "$ns" eth0
		ensure_master gvpn-wan "$node" br0
		ensure_mtu gvpn-wan "$node" "$LAB_WAN_MTU"
		ensure_mtu "$ns" eth0 "$LAB_WAN_MTU"
		ensure_up gvpn-wan "$node"
		ensure_up "$ns" eth0
		ensure_addr "$ns" eth0 "${WAN_ADDR[$node]}"
	done
	for gm in "${!LAN_HOST[@]}"; do
		host=${LAN_HOST[$gm]}
		ensure_veth "$(ns_of "$gm")" eth1 "$(ns_of "$host")" eth0
		ensure_mtu "$(ns_of "$gm")" eth1 "$LAN_MTU"
		ensure_mtu "$(ns_of "$host")" eth0 "$LAN_MTU"
		ensure_up "$(ns_of "$gm")" eth1
		ensure_up "$(ns_of "$host")" eth0
		ensure_addr "$(ns_of "$gm")" eth1 "${LAN_GW_ADDR[$gm]}"
		ensure_addr "$(ns_of "$host")" eth0 "${LAN_HOST_ADDR[$gm]}"
	done
	for r in "${ROUTES[@]}"; do
		# shellcheck disable=SC2086 # "NODE PREFIX GW DEV" split on purpose
		set -- $r
		ensure_route "$(ns_of "$1")" "$2" "$3" "$4"
	done
	for node in $LABLIB_NODES; do node_sysctls "$node"; done
}

# ---------------------------------------------------------------------------
# daemons
# ---------------------------------------------------------------------------

daemon_pidfile() { echo "$(node_dir "$1")/gvpnd.pid"; }
daemon_sock() { echo "$(node_dir "$1")/gvpnd.sock"; }

# daemon_pid NODE: print the PID of NODE's gvpnd if the recorded one still runs.
daemon_pid() {
	local f pid
	f=$(daemon_pidfile "$1")
	[ -f "$f" ] || return 1
	pid=$(cat "$f" 2>/dev/null) || return 1
	lablib_pid_is "$pid" gvpnd "$(ns_of "$1")" || return 1
	echo "$pid"
}

need_gvpnd() {
	[ -x "$GVPN_BUILD/gvpnd" ] ||
		die "no gvpnd at $GVPN_BUILD/gvpnd: build it first (make build) or point GVPN_BUILD at a build directory"
}

need_lab_ns() {
	lablib_ns_exists "$(ns_of "$1")" || die "namespace $(ns_of "$1") does not exist: run '$PROG up' first"
}

daemon_node_or_die() {
	local n
	n=$(node_or_die "$1")
	is_daemon_node "$n" || die "$n runs no daemon (daemon nodes: $LABLIB_DAEMON_NODES)"
	echo "$n"
}

# install_config NODE [FILE]: copy FILE (default examples/NODE.conf) to the
# node's state directory with mode 0600 (it may hold keys).
install_config() {
	local node=$1 src=${2:-$LAB_ROOT/examples/$1.conf} dir
	[ -f "$src" ] || die "configuration $src not found"
	dir=$(node_dir "$node")
	install -d -m 0700 "$LABLIB_DIR" "$dir" "$dir/state"
	install -m 0600 "$src" "$dir/$node.conf"
}

daemon_ready() {
	local pid=$1 node=$2
	lablib_pid_alive "$pid" || return 0 # dead: stop waiting, the caller reports it
	lablib_pid_is "$pid" gvpnd "$(ns_of "$node")" && [ -S "$(daemon_sock "$node")" ]
}

# launch NODE: start gvpnd with the config in the node's directory (a copy of
# examples/NODE.conf is made if there is none yet) and wait until its control
# socket appears. `ip netns exec` and `setsid` exec, so
# $! is gvpnd's own PID (checked by name and namespace before it is trusted).
launch() {
	local node=$1 dir ns pid sock log
	dir=$(node_dir "$node"); ns=$(ns_of "$node"); sock=$(daemon_sock "$node")
	log=$dir/gvpnd.log
	[ -f "$dir/$node.conf" ] || install_config "$node"
	rm -f "$sock" # a crashed daemon leaves it; it must not look like readiness
	echo "=== $PROG: starting gvpnd in $ns at $(date '+%F %T') ===" >>"$log"
	GVPN_SOCKET=$sock setsid ip netns exec "$ns" "$GVPN_BUILD/gvpnd" \
		--config "$dir/$node.conf" --socket "$sock" --state-dir "$dir/state" \
		--foreground </dev/null >>"$log" 2>&1 &
	pid=$!
	echo "$pid" >"$(daemon_pidfile "$node")"
	if ! lablib_poll "$LAB_TIMEOUT" daemon_ready "$pid" "$node" ||
		! lablib_pid_is "$pid" gvpnd "$ns"; then
		tail -n 20 "$log" >&2 || true
		rm -f "$(daemon_pidfile "$node")"
		if ! lablib_pid_alive "$pid"; then die "$node: gvpnd exited at start (log: $log)"; fi
		if lablib_pid_is "$pid" gvpnd "$ns"; then
			stop_pid "$pid" gvpnd "$ns" TERM
		else
			info "warning: pid $pid is no longer gvpnd ($(cat "/proc/$pid/comm" 2>/dev/null)); left alone"
		fi
		die "$node: no control socket $sock after ${LAB_TIMEOUT}s (log: $log)"
	fi
	info "$node: gvpnd running in $ns (pid $pid, socket $sock)"
	ensure_rsa_keys "$node"
}

# rsa_labels NODE: the labels of `rekey authentication mypubkey rsa LABEL`
# in NODE's configuration, one a line.
rsa_labels() {
	sed -n 's/^[[:space:]]*rekey authentication mypubkey rsa[[:space:]]\{1,\}\([^[:space:]!]\{1,\}\).*/\1/p' \
		"$(node_dir "$1")/$1.conf" | sort -u
}

ks_keys_ready() {
	local out
	out=$(nsx "$(ns_of "$1")" "$GVPN_BUILD/gvpn" --socket "$(daemon_sock "$1")" \
		show crypto gdoi ks policy 2>/dev/null) || return 1
	! grep -q '(missing)' <<<"$out"
}

# ensure_rsa_keys NODE: a key server signs its rekeys with the key pair its
# configuration names; one missing from its key store (state/keys/LABEL.key)
# is generated through the control socket (2048 bits), which the key server
# takes at once. Failures are warnings: the key server still registers
# members without the key (KS_NO_RSA_KEYS).
ensure_rsa_keys() {
	local node=$1 label made=0
	for label in $(rsa_labels "$node"); do
		[ -f "$(node_dir "$node")/state/keys/$label.key" ] && continue
		if nsx "$(ns_of "$node")" "$GVPN_BUILD/gvpn" --socket "$(daemon_sock "$node")" \
			crypto key generate rsa label "$label" modulus 2048 >/dev/null; then
			info "$node: RSA key pair $label generated (state/keys/$label.key)"
			made=1
		else
			info "warning: $node: could not generate RSA key $label; rekeys cannot be signed"
		fi
	done
	[ $made = 1 ] || return 0
	lablib_poll "$LAB_TIMEOUT" ks_keys_ready "$node" ||
		info "warning: $node: the key server does not show its RSA key"
}

# stop_pid PID COMM NS SIGNAL: signal PID if it is still COMM in NS, then wait
# for it to go (SIGKILL after LAB_TIMEOUT for SIGTERM).
stop_pid() {
	local pid=$1 comm=$2 ns=$3 sig=$4
	lablib_pid_is "$pid" "$comm" "$ns" || return 0
	kill -s "$sig" "$pid" 2>/dev/null || true
	if lablib_poll "$LAB_TIMEOUT" pid_gone "$pid"; then return 0; fi
	[ "$sig" = KILL ] && die "pid $pid ($comm) survived SIGKILL"
	info "pid $pid ($comm) ignored SIG$sig for ${LAB_TIMEOUT}s; sending SIGKILL"
	kill -s KILL "$pid" 2>/dev/null || true
	lablib_poll "$LAB_TIMEOUT" pid_gone "$pid" || die "pid $pid ($comm) survived SIGKILL"
}

pid_gone() { ! lablib_pid_alive "$1"; }

cmd_start() {
	local node conf="" pid
	[ $# -ge 1 ] || die "usage: $PROG start NODE [--config FILE]"
	node=$(daemon_node_or_die "$1")
	shift
	if [ "${1:-}" = --config ]; then
		[ $# -ge 2 ] || die "--config needs a file"
		conf=$2
	elif [ $# -gt 0 ]; then
		die "unexpected argument '$1'"
	fi
	need_root; need_gvpnd; need_lab_ns "$node"
	if pid=$(daemon_pid "$node"); then
		info "$node: gvpnd already running (pid $pid)"
		return 0
	fi
	if [ -n "$conf" ]; then install_config "$node" "$conf"; fi
	launch "$node"
}

# daemon_stop NODE TERM|KILL
daemon_stop() {
	local node=$1 sig=$2 pid
	if ! pid=$(daemon_pid "$node"); then
		rm -f "$(daemon_pidfile "$node")"
		return 1
	fi
	stop_pid "$pid" gvpnd "$(ns_of "$node")" "$sig"
	rm -f "$(daemon_pidfile "$node")"
	# a clean exit removes the socket; after SIGKILL it stays, as after a crash
	if [ "$sig" = TERM ]; then rm -f "$(daemon_sock "$node")"; fi
	info "$node: gvpnd stopped (pid $pid, SIG$sig)"
}

# cmd_stop_signal COMMAND SIGNAL NODE: `stop` (TERM) and `kill` (KILL, a crash).
cmd_stop_signal() {
	local node
	[ $# -eq 3 ] || die "usage: $PROG $1 NODE"
	node=$(daemon_node_or_die "$3")
	need_root
	daemon_stop "$node" "$2" || info "$node: gvpnd not running"
}

cmd_restart() {
	local node
	[ $# -eq 1 ] || die "usage: $PROG restart NODE"
	node=$(daemon_node_or_die "$1")
	need_root; need_gvpnd; need_lab_ns "$node"
	daemon_stop "$node" TERM || true
	launch "$node"
}

# parse_daemons LIST: "ks1,gm1 gm2" -> validated, de-duplicated "ks1 gm1 gm2"
parse_daemons() {
	local n out=""
	for n in ${1//,/ }; do
		n=$(daemon_node_or_die "$n")
		case " $out " in *" $n "*) ;; *) out="$out $n" ;; esac
	done
	[ -n "$out" ] || die "--daemons: empty node list"
	echo "${out# }"
}

# ---------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------

cmd_up() {
	local daemons="" node pid
	while [ $# -gt 0 ]; do
		case $1 in
		--daemons=*) daemons=$(parse_daemons "${1#--daemons=}") ;;
		--daemons)
			if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then
				daemons=$(parse_daemons "$2")
				shift
			else
				daemons=$DEFAULT_DAEMONS
			fi
			;;
		*) die "up: unknown option '$1' (usage: $PROG up [--daemons [NODE,...]])" ;;
		esac
		shift
	done
	need_root
	need_cmds ip sysctl
	# fail before touching anything if the daemons cannot run
	if [ -n "$daemons" ]; then
		need_gvpnd
		for node in $daemons; do
			[ -f "$(node_dir "$node")/$node.conf" ] || [ -f "$LAB_ROOT/examples/$node.conf" ] ||
				die "configuration examples/$node.conf not found"
		done
	fi
	topology_up
	if [ "$CHANGES" = 0 ]; then
		info "topology already up (nothing changed)"
	else
		info "topology up ($CHANGES changes; LAB_VERBOSE=1 lists them)"
	fi
	for node in $daemons; do
		if pid=$(daemon_pid "$node"); then
			info "$node: gvpnd already running (pid $pid)"
		else
			launch "$node"
		fi
	done
	print_hints "$daemons"
}

print_hints() {
	local me=$0 n
	echo
	echo "The reference lab is up. To look around:"
	echo "  $me status"
	if [ -n "$1" ]; then
		for n in $1; do
			case $n in
			gm*)
				echo "  $me exec $n gvpn show crypto gdoi        # registration, ACL, KEK, TEKs"
				echo "  $me exec $n gvpn show crypto isakmp sa"
				;;
			ks*)
				echo "  $me exec $n gvpn show crypto gdoi ks members"
				echo "  $me exec $n gvpn show crypto gdoi ks policy"
				;;
			esac
		done
		# a member for the rest, if there is one
		n=${1%% *}
		case " $1 " in *" gm"[0-9]*) n=$(tr ' ' '\n' <<<"$1" | grep -m1 '^gm') ;; esac
		echo "  $me exec $n gvpn                         # interactive prompt (? for help)"
		echo "  $me exec $n gvpn show logging            # or: tail -f $LABLIB_DIR/$n/gvpnd.log"
		echo "  $me restart $n                          # a restarted daemon starts afresh"
	else
		echo "  $me up --daemons            # start gvpnd on ks1, gm1, gm2"
	fi
	echo "  $me exec h13 ping 192.168.14.2"
	echo "  $me capture start gm1 eth0 -- udp port 848 or esp; ...; $me capture stop"
	echo "  $me down"
}

# down [--keep-logs]: stop what the lab started, delete its namespaces and
# its run-time directory. Processes it did not start are named, not killed.
cmd_down() {
	local keep=0 node ns pids found=0
	case ${1:-} in
	"") ;;
	--keep-logs) keep=1 ;;
	*) die "usage: $PROG down [--keep-logs]" ;;
	esac
	need_root
	capture_stop_all quiet
	for node in $LABLIB_DAEMON_NODES; do daemon_stop "$node" TERM || true; done
	# routers and hosts first, then the WAN bridge namespace
	for node in $LABLIB_NODES; do
		ns=$(ns_of "$node")
		lablib_ns_exists "$ns" || continue
		found=1
		pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		if [ -n "${pids// /}" ]; then
			info "warning: still running in $ns (not started by $PROG, left alone): ${pids% }"
		fi
		ip netns del "$ns"
	done
	if [ -d "$LABLIB_DIR" ]; then
		found=1
		if [ $keep = 1 ]; then
			find "$LABLIB_DIR" -mindepth 1 \( -type f -o -type s \) ! -name '*.log' \
				! -name '*.pcap' ! -name '*.cap' -delete
			find "$LABLIB_DIR" -mindepth 1 -depth -type d -empty -delete
			info "logs and captures kept in $LABLIB_DIR"
		else
			rm -rf "$LABLIB_DIR"
		fi
	fi
	if [ $found = 1 ]; then info "lab down"; else info "nothing to remove (lab was not up)"; fi
}

# status: namespaces with their addresses and routes, daemons, captures.
# Exit status: 0 lab complete, 1 partly there, 3 not up.
cmd_status() {
	local node ns n_up=0 n_all=0 pid pids p
	need_root
	echo "namespaces:"
	for node in $LABLIB_NODES; do
		ns=$(ns_of "$node")
		n_all=$((n_all + 1))
		if ! lablib_ns_exists "$ns"; then
			printf '  %-9s missing\n' "$ns"
			continue
		fi
		n_up=$((n_up + 1))
		printf '  %s\n' "$ns"
		if [ "$node" = wan ]; then
			printf '    br0 ports: %s\n' \
				"$(ip -n "$ns" -o link show master br0 2>/dev/null | sed -n 's/^[0-9]*: \([^@:]*\).*/\1/p' | tr '\n' ' ')"
		else
			ip -n "$ns" -4 -br addr show | awk '$1 != "lo" { sub(/@.*/, "", $1); $1 = $1; printf "    %-5s %-5s %s\n", $1, $2, $3 }'
			ip -n "$ns" -4 route show | grep -v ' proto kernel ' | sed 's/ *$//; s/^/    route /' || true
		fi
		pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		if [ -n "${pids// /}" ]; then
			printf '    processes: %s\n' "$(for p in $pids; do printf '%s(%s) ' "$p" "$(cat "/proc/$p/comm" 2>/dev/null)"; done)"
		fi
	done
	echo "daemons:"
	for node in $LABLIB_DAEMON_NODES; do
		if pid=$(daemon_pid "$node"); then
			printf '  %-4s running  pid %s  socket %s\n' "$node" "$pid" "$(daemon_sock "$node")"
		elif [ -f "$(daemon_pidfile "$node")" ]; then
			printf '  %-4s dead     (recorded pid %s; log %s/gvpnd.log)\n' "$node" \
				"$(cat "$(daemon_pidfile "$node")")" "$(node_dir "$node")"
		else
			printf '  %-4s stopped\n' "$node"
		fi
	done
	echo "captures:"
	capture_list
	if [ $n_up = 0 ]; then return 3; fi
	if [ $n_up != "$n_all" ]; then return 1; fi
	return 0
}

# pids: one line "NODE COMM PID" per running process the lab started.
cmd_pids() {
	local node pid f tag
	need_root
	for node in $LABLIB_DAEMON_NODES; do
		if pid=$(daemon_pid "$node"); then echo "$node gvpnd $pid"; fi
	done
	for f in "$CAPDIR"/*.pid; do
		[ -f "$f" ] || continue
		tag=$(basename "$f" .pid)
		if pid=$(capture_pid "$tag"); then echo "${tag%%_*} tcpdump $pid"; fi
	done
}

# exec NODE CMD...: run CMD in NODE's namespace with GVPN_SOCKET set to the
# node's daemon socket and the build directory first in PATH.
cmd_exec() {
	local node ns envs=()
	[ $# -ge 2 ] || die "usage: $PROG exec NODE CMD..."
	node=$(node_or_die "$1")
	shift
	need_root
	ns=$(ns_of "$node")
	need_lab_ns "$node"
	if is_daemon_node "$node"; then
		envs+=("GVPN_SOCKET=$(daemon_sock "$node")")
	else
		envs+=(-u GVPN_SOCKET)
	fi
	exec ip netns exec "$ns" env "${envs[@]}" "PATH=$GVPN_BUILD:$PATH" "$@"
}

# ---------------------------------------------------------------------------
# captures: tcpdump in a namespace writing a pcap. One per NODE_IFACE tag; the
# PID, the file name and tcpdump's messages sit in $CAPDIR/TAG.{pid,file,err}.
# ---------------------------------------------------------------------------

capture_pid() {
	local tag=$1 pid
	pid=$(cat "$CAPDIR/$tag.pid" 2>/dev/null) || return 1
	lablib_pid_is "$pid" tcpdump "$(ns_of "${tag%%_*}")" || return 1
	echo "$pid"
}

capture_listening() {
	local pid=$1 err=$2
	lablib_pid_alive "$pid" || return 0
	grep -q 'listening on' "$err" 2>/dev/null
}

cmd_capture() {
	local action=${1:-}
	[ $# -gt 0 ] && shift
	case $action in
	start) capture_start "$@" ;;
	stop) capture_stop "$@" ;;
	list) need_root; capture_list ;;
	*) die "usage: $PROG capture start NODE [IFACE] [FILE] [-- FILTER...] | capture stop [NODE [IFACE]] | capture list" ;;
	esac
}

capture_start() {
	local pos=() filter=() node ns ifc file tag pid err
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then
			shift
			filter=("$@")
			break
		fi
		pos+=("$1")
		shift
	done
	if [ ${#pos[@]} -lt 1 ] || [ ${#pos[@]} -gt 3 ]; then
		die "usage: $PROG capture start NODE [IFACE] [FILE] [-- FILTER...]"
	fi
	node=$(node_or_die "${pos[0]}")
	need_root; need_cmds tcpdump; need_lab_ns "$node"
	ns=$(ns_of "$node")
	if [ "$node" = wan ]; then ifc=${pos[1]:-br0}; else ifc=${pos[1]:-eth0}; fi
	link_exists "$ns" "$ifc" || die "$ns has no interface '$ifc'"
	tag=${node}_$ifc
	if pid=$(capture_pid "$tag"); then die "already capturing on $node $ifc (pid $pid)"; fi
	install -d -m 0700 "$LABLIB_DIR" "$CAPDIR"
	file=${pos[2]:-$CAPDIR/$node-$ifc-$(date +%Y%m%d-%H%M%S).pcap}
	case $file in
	*.pcap | *.cap) ;;
	*) die "capture file must end in .pcap or .cap (Debian's AppArmor profile for tcpdump writes no other names)" ;;
	esac
	[ "${file#/}" != "$file" ] || file=$PWD/$file
	err=$CAPDIR/$tag.err
	# --immediate-mode: without it packets of the last second before the stop
	# are still in the kernel ring and never reach the file. -Z root: write
	# the file as root, wherever it is.
	setsid ip netns exec "$ns" tcpdump -i "$ifc" -n -s 0 -U --immediate-mode -Z root \
		-w "$file" "${filter[@]}" </dev/null >/dev/null 2>"$err" &
	pid=$!
	echo "$pid" >"$CAPDIR/$tag.pid"
	echo "$file" >"$CAPDIR/$tag.file"
	if ! lablib_poll "$LAB_TIMEOUT" capture_listening "$pid" "$err" ||
		! lablib_pid_is "$pid" tcpdump "$ns"; then
		cat "$err" >&2 || true
		rm -f "$CAPDIR/$tag.pid" "$CAPDIR/$tag.file"
		die "tcpdump did not start on $ns $ifc"
	fi
	info "capturing on $ns $ifc -> $file (pid $pid)"
	echo "$file"
}

# capture_stop [NODE [IFACE]]: stop the matching captures (all by default).
capture_stop() {
	local node="" ifc="" f tag n=0
	if [ $# -ge 1 ]; then node=$(node_or_die "$1"); fi
	if [ $# -ge 2 ]; then ifc=$2; fi
	[ $# -le 2 ] || die "usage: $PROG capture stop [NODE [IFACE]]"
	need_root
	for f in "$CAPDIR"/*.pid; do
		[ -f "$f" ] || continue
		tag=$(basename "$f" .pid)
		if [ -n "$node" ] && [ "${tag%%_*}" != "$node" ]; then continue; fi
		if [ -n "$ifc" ] && [ "${tag#*_}" != "$ifc" ]; then continue; fi
		capture_stop_one "$tag" ""
		n=$((n + 1))
	done
	[ $n -gt 0 ] || info "no capture running${node:+ on $node}"
}

capture_stop_all() {
	local f
	for f in "$CAPDIR"/*.pid; do
		[ -f "$f" ] || continue
		capture_stop_one "$(basename "$f" .pid)" "$1"
	done
}

# capture_stop_one TAG QUIET: SIGTERM makes tcpdump flush the file and exit.
capture_stop_one() {
	local tag=$1 quiet=$2 pid file count
	file=$(cat "$CAPDIR/$tag.file" 2>/dev/null || echo '?')
	if pid=$(capture_pid "$tag"); then
		stop_pid "$pid" tcpdump "$(ns_of "${tag%%_*}")" TERM
	fi
	rm -f "$CAPDIR/$tag.pid" "$CAPDIR/$tag.file"
	count=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$CAPDIR/$tag.err" 2>/dev/null || true)
	[ -n "$quiet" ] || info "capture ${tag%%_*} ${tag#*_} stopped: $file (${count:-?} packets)"
	[ -n "$quiet" ] || echo "$file"
}

capture_list() {
	local f tag pid n=0
	for f in "$CAPDIR"/*.pid; do
		[ -f "$f" ] || continue
		tag=$(basename "$f" .pid)
		if pid=$(capture_pid "$tag"); then
			printf '  %-4s %-5s pid %s -> %s\n' "${tag%%_*}" "${tag#*_}" "$pid" "$(cat "$CAPDIR/$tag.file" 2>/dev/null)"
			n=$((n + 1))
		fi
	done
	[ $n -gt 0 ] || echo "  none"
}

usage() {
	cat <<EOF
usage: $PROG COMMAND [ARGS]   (as root)

  up [--daemons [NODE,...]]   build the lab (idempotent: completes a partial one);
                              --daemons starts gvpnd on NODEs (default: ks1,gm1,gm2)
  down [--keep-logs]          stop what the lab started, delete its namespaces and
                              $LABLIB_DIR (--keep-logs keeps *.log and captures)
  status                      namespaces, addresses, routes, daemons, captures
                              (exit 0 complete, 1 partial, 3 down)
  pids                        "NODE COMM PID" of every process the lab started
  exec NODE CMD...            run CMD in NODE's namespace (GVPN_SOCKET and PATH set)
  start NODE [--config FILE]  start gvpnd on NODE with $LABLIB_DIR/NODE/NODE.conf,
                              copied from examples/NODE.conf if not there yet
                              (--config FILE: copy FILE there first)
  stop NODE                   SIGTERM gvpnd on NODE (SIGKILL after LAB_TIMEOUT)
  restart NODE                stop, then start (config and state dir stay)
  kill NODE                   SIGKILL gvpnd on NODE (a crash; the socket file stays)
  capture start NODE [IFACE] [FILE] [-- FILTER...]
                              tcpdump on IFACE (eth0; br0 on wan) into FILE
                              (default $CAPDIR/NODE-IFACE-TIME.pcap)
  capture stop [NODE [IFACE]] stop captures (all by default), print the files
  capture list                running captures

NODE: ks1 ks2 gm1 gm2 h13 h14 wan (or gvpn-NODE). Daemon nodes: $LABLIB_DAEMON_NODES.
Environment: GVPN_BUILD (build dir with gvpnd and gvpn; now $GVPN_BUILD),
LAB_WAN_MTU (MTU of the WAN links, default 1500), LAB_TIMEOUT (seconds, default 15),
LAB_VERBOSE=1 (list what up changes).
EOF
}

main() {
	local cmd=${1:-help}
	[ $# -gt 0 ] && shift
	# an absolute build path, so PATH and daemons do not depend on the cwd
	if [ -d "$GVPN_BUILD" ]; then GVPN_BUILD=$(cd "$GVPN_BUILD" && pwd); fi
	case $cmd in
	up) cmd_up "$@" ;;
	down) cmd_down "$@" ;;
	status) cmd_status "$@" ;;
	pids) cmd_pids "$@" ;;
	exec) cmd_exec "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop_signal stop TERM "$@" ;;
	restart) cmd_restart "$@" ;;
	kill) cmd_stop_signal kill KILL "$@" ;;
	capture) cmd_capture "$@" ;;
	help | -h | --help) usage ;;
	*) usage >&2; die "unknown command '$cmd'" ;;
	esac
}

main "$@"
