#!/bin/bash
# Benchmarks (docs/benchmarks.md): builds the bench targets of bench/*.c
# (bench_<name>, not part of the default build) and runs them.
#
#   scripts/bench.sh                  every benchmark with its standard runs
#   scripts/bench.sh esp_micro [ARGS] ESP encap+decap against raw AES-GCM
#   scripts/bench.sh swarm [OPTIONS]  member swarm against one key server
#                                     (options of bench_member_swarm, --help)
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
	sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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
	build bench_esp_micro
	header "esp_micro: ESP encap+decap vs raw AES-GCM seal+open (target ratio <= 1.3)"
	"$(bin_of bench_esp_micro)" "$@"
}

run_swarm() {
	build bench_member_swarm
	header "member_swarm $*"
	"$(bin_of bench_member_swarm)" "$@"
}

# The standard matrix of the registration issue: DH group 19 and 14, 1,000 and
# 10,000 members.
run_swarm_matrix() {
	local g n
	for g in 19 14; do
		for n in 1000 10000; do
			run_swarm --members "$n" --group "$g"
		done
	done
}

cmd=${1:-all}
[[ $# -gt 0 ]] && shift
case $cmd in
all)
	run_esp_micro
	run_swarm_matrix
	;;
esp_micro | esp-micro)
	run_esp_micro "$@"
	;;
swarm | member_swarm)
	if [[ $# -eq 0 ]]; then
		run_swarm_matrix
	else
		run_swarm "$@"
	fi
	;;
list)
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
