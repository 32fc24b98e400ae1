#!/bin/bash
# Benchmarks (docs/benchmarks.md): builds the bench targets of bench/*.c
# (bench_<name>, not part of the default build) and runs them.
#
#   scripts/bench.sh                  every benchmark with its standard runs
#   scripts/bench.sh esp_micro [ARGS] ESP encap+decap against raw AES-GCM
#   scripts/bench.sh crypto_micro     DH (groups 19, 14), RSA key decode and verify
#   scripts/bench.sh swarm [OPTIONS]  member swarm against the key server engine
#                                     in a child process (bench_member_swarm --help)
#   scripts/bench.sh swarm --gvpnd [OPTIONS]
#                                     the same against a real gvpnd key server, run
#                                     in the network namespace gvbench-swarm
#   scripts/bench.sh dataplane [--rounds N] [--seconds S]
#                                     iperf3 h13 -> h14 in the lab: clear routing vs gvpn's
#                                     data plane vs strongSwan (bench/dataplane.sh; root)
#   scripts/bench.sh list             the benchmarks
#
# GVPN_BUILD names the build directory (default: build, as `make bench`).
# The machine is shared and noisy, so each benchmark compares against a
# baseline measured in the same run and prints ratios next to the rates.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GVPN_BUILD=${GVPN_BUILD:-$ROOT/build}
JOBS=${JOBS:-2}
PROG=${0##*/}

usage() {
	sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

build() {
	if [[ ! -f $GVPN_BUILD/CMakeCache.txt ]]; then
		cmake -S "$ROOT" -B "$GVPN_BUILD" >/dev/null
	fi
	local log
	if ! log=$(cmake --build "$GVPN_BUILD" -j"$JOBS" --target "$@" 2>&1); then
		echo "$log" >&2
		return 1
	fi
}

header() {
	echo
	echo "=== $* ==="
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
}

bin_of() {
	local b
	for b in "$GVPN_BUILD/$1" "$GVPN_BUILD/bench/$1"; do
		[[ -x $b ]] && { echo "$b"; return; }
	done
	echo "$PROG: $1 not built" >&2
	return 1
}

run_esp_micro() {
	build bench_esp_micro || return 1
	header "esp_micro: ESP encap+decap vs raw AES-GCM seal+open (target ratio <= 1.3)"
	"$(bin_of bench_esp_micro)" "$@"
}

run_crypto_micro() {
	build bench_crypto_micro || return 1
	header "crypto_micro: DH generate+derive, RSA SPKI decode and verify"
	local b
	b=$(bin_of bench_crypto_micro)
	"$b" dh 19 && "$b" dh 14 5 300 && "$b" rsa
}

run_dataplane() {
	build gvpnd gvpn gvpn-dptest bench_esp_micro || return 1
	GVPN_BUILD=$GVPN_BUILD "$ROOT/bench/dataplane.sh" "$@"
}

run_swarm() {
	build bench_member_swarm || return 1
	header "member_swarm $*"
	"$(bin_of bench_member_swarm)" "$@"
}

# ---- member swarm against gvpnd ----
#
# gvpnd runs as a key server in its own network namespace (gvbench-swarm: not
# gvpn-*, which are the lab's and checked by test_topology; made
# and removed here; only its loopback is up, the KS at 127.255.0.1) with the
# configuration of examples/ks1.conf for the DH group asked for; the swarm
# runs in the same namespace. gvpnd holds 0.0.0.0:848 there, so the members
# use UDP 1848. Everything started here is stopped by PID on exit.
BENCH_NS=gvbench-swarm
GVPND_PID=
GVPND_DIR=

gvpnd_config() {
	cat <<EOF
hostname BENCHKS
crypto isakmp policy 10
 encryption aes 256
 hash sha256
 authentication pre-share
 group $1
crypto isakmp key s3cret address 0.0.0.0 0.0.0.0
crypto ipsec transform-set gdoi-ts esp-aes 256 esp-sha256-hmac
crypto ipsec profile gdoi-p
 set transform-set gdoi-ts
 set security-association lifetime seconds 900
ip access-list extended ENCPOL
 deny udp any eq 848 any eq 848
 deny icmp any any
 permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255
crypto gdoi group G1
 identity number 3333
 server local
  rekey algorithm aes 128
  rekey lifetime seconds 1200
  rekey retransmit 10 number 5
  rekey authentication mypubkey rsa get
  rekey transport unicast
  sa ipsec 1
   profile gdoi-p
   match address ipv4 ENCPOL
   replay time window-size 4
  address ipv4 127.255.0.1
EOF
}

ns_exists() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$BENCH_NS"
}

gvpnd_stop() {
	if [[ -n $GVPND_PID ]] && [[ $(cat "/proc/$GVPND_PID/comm" 2>/dev/null) == gvpnd ]]; then
		kill "$GVPND_PID" 2>/dev/null || true
		wait "$GVPND_PID" 2>/dev/null || true
	fi
	GVPND_PID=
	if ns_exists; then
		if [[ -z $(ip netns pids "$BENCH_NS" 2>/dev/null) ]]; then
			ip netns del "$BENCH_NS"
		else
			echo "$PROG: processes left in $BENCH_NS, namespace kept" >&2
		fi
	fi
	[[ -z $GVPND_DIR ]] || rm -rf "$GVPND_DIR"
	GVPND_DIR=
}

# run_swarm_gvpnd [swarm options]: one swarm run against a fresh gvpnd.
# --rekey becomes the exec command `crypto gdoi ks rekey` through the control
# socket (gvpn), which pushes a new TEK generation to the members.
run_swarm_gvpnd() {
	local group=19 a prev='' i rc=0 rekey=0
	local -a args=()
	for a in "$@"; do
		[[ $prev == --group ]] && group=$a
		prev=$a
		if [[ $a == --rekey ]]; then
			rekey=1
		else
			args+=("$a")
		fi
	done
	if [[ $(id -u) != 0 ]]; then
		echo "$PROG: swarm --gvpnd needs root (network namespace)" >&2
		return 1
	fi
	if ns_exists; then
		echo "$PROG: namespace $BENCH_NS exists (another bench run?)" >&2
		return 1
	fi
	build gvpnd gvpn bench_member_swarm || return 1
	GVPND_DIR=$(mktemp -d /tmp/gvpn-bench.XXXXXX)
	trap gvpnd_stop EXIT
	gvpnd_config "$group" >"$GVPND_DIR/ks.conf"
	if ! "$GVPN_BUILD/gvpnd" --check-config "$GVPND_DIR/ks.conf" >"$GVPND_DIR/check.log" 2>&1; then
		echo "$PROG: this gvpnd cannot run the key server configuration:" >&2
		cat "$GVPND_DIR/check.log" >&2
		gvpnd_stop
		return 1
	fi
	ip netns add "$BENCH_NS"
	ip -n "$BENCH_NS" link set lo up
	mkdir -m 0700 "$GVPND_DIR/state"
	ip netns exec "$BENCH_NS" "$GVPN_BUILD/gvpnd" --config "$GVPND_DIR/ks.conf" \
		--socket "$GVPND_DIR/gvpnd.sock" --state-dir "$GVPND_DIR/state" --foreground \
		>"$GVPND_DIR/gvpnd.log" 2>&1 &
	GVPND_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ -S $GVPND_DIR/gvpnd.sock ]] && break
		sleep 0.1
	done
	if [[ ! -S $GVPND_DIR/gvpnd.sock ]]; then
		echo "$PROG: gvpnd did not start:" >&2
		tail -5 "$GVPND_DIR/gvpnd.log" >&2
		gvpnd_stop
		return 1
	fi
	# The rekey key of `rekey authentication mypubkey rsa get`, when this
	# gvpnd can make one (without it members still register).
	"$GVPN_BUILD/gvpn" --socket "$GVPND_DIR/gvpnd.sock" \
		crypto key generate rsa label get modulus 2048 >/dev/null 2>&1 || true
	header "member_swarm --gvpnd $* (gvpnd pid $GVPND_PID in namespace $BENCH_NS)"
	if [[ $rekey == 1 ]]; then
		args+=(--rekey-cmd "$GVPN_BUILD/gvpn --socket $GVPND_DIR/gvpnd.sock crypto gdoi ks rekey >/dev/null")
	fi
	ip netns exec "$BENCH_NS" "$(bin_of bench_member_swarm)" --ks-pid "$GVPND_PID" \
		--ks-addr 127.255.0.1 --gm-port 1848 "${args[@]}" || rc=$?
	if grep -q KS_NO_RSA_KEYS "$GVPND_DIR/gvpnd.log"; then
		echo "note: gvpnd had no RSA key for the KEK (KS_NO_RSA_KEYS); members registered without it"
	fi
	gvpnd_stop
	trap - EXIT
	return $rc
}

# The standard matrix of the registration issue: DH group 19 and 14, 1,000 and
# 10,000 members, each run followed by one unicast rekey (issue 4's benchmark); against the engine in a child process (which also gives the
# heap per member) and, as root, against gvpnd.
run_swarm_matrix() {
	local g n failed=0
	for g in 19 14; do
		for n in 1000 10000; do
			run_swarm --members "$n" --group "$g" --rekey || failed=1
			if [[ $(id -u) == 0 ]]; then
				run_swarm_gvpnd --members "$n" --group "$g" --rekey || failed=1
			fi
		done
	done
	return $failed
}

cmd=${1:-all}
[[ $# -gt 0 ]] && shift
case $cmd in
all)
	rc=0
	run_esp_micro || rc=1
	run_swarm_matrix || rc=1
	if [[ $(id -u) == 0 ]]; then run_dataplane || rc=1; fi
	exit $rc
	;;
esp_micro | esp-micro)
	run_esp_micro "$@"
	;;
swarm | member_swarm)
	if [[ $# -eq 0 ]]; then
		run_swarm_matrix
	elif [[ $1 == --gvpnd ]]; then
		shift
		run_swarm_gvpnd "$@"
	else
		run_swarm "$@"
	fi
	;;
dataplane)
	run_dataplane "$@"
	;;
crypto_micro | crypto-micro)
	run_crypto_micro
	;;
list)
	echo "dataplane  iperf3 TCP/UDP through the lab's GM1 and GM2: clear, gvpn, strongSwan (root)"
	echo "crypto_micro  DH generate+derive (19, 14), RSA-2048 SPKI decode and verify"
	echo "esp_micro  ESP encap+decap of 1400-byte packets vs raw AES-GCM (one core)"
	echo "swarm      N group members over loopback UDP registering with one key server"
	;;
-h | --help | help)
	usage
	;;
*)
	echo "$PROG: unknown benchmark '$cmd' (try: $PROG list)" >&2
	exit 2
	;;
esac
