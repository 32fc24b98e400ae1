# shellcheck shell=bash disable=SC2034 # the variables are for the sourcing scripts
# Helpers shared by scripts/lab.sh and the lab tests (tests/lab/lib.sh).
# Source it; it defines names only and changes nothing.
#
# Everything the lab makes is called gvpn-*: one network namespace per node
# and the run-time directory LABLIB_DIR.

LABLIB_DIR=/run/gvpn-lab
# Every node of the reference topology; "wan" holds the bridge of the WAN segment.
LABLIB_NODES="ks1 ks2 gm1 gm2 h13 h14 wan"
# The nodes that can run a gvpnd.
LABLIB_DAEMON_NODES="ks1 ks2 gm1 gm2"

# lablib_node NAME: print the short node name for NAME ("gm1" or "gvpn-gm1");
# fail (status 1, message on stderr) for anything else.
lablib_node() {
	local n=${1#gvpn-} m
	for m in $LABLIB_NODES; do
		if [ "$n" = "$m" ]; then
			echo "$n"
			return 0
		fi
	done
	echo "unknown node '$1' (one of: $LABLIB_NODES)" >&2
	return 1
}

# lablib_ns NODE: print the namespace of NODE (gvpn-NODE).
lablib_ns() {
	local n
	n=$(lablib_node "$1") || return 1
	echo "gvpn-$n"
}

# lablib_ns_exists NS: true if the named network namespace exists.
lablib_ns_exists() {
	local names
	names=$(ip netns list 2>/dev/null | awk '{print $1}')
	grep -qx -- "$1" <<<"$names"
}

# lablib_out_has REGEX CMD...: true if CMD succeeds and its output matches
# REGEX (grep). Use it instead of `CMD | grep -q REGEX`: under pipefail that
# pipeline fails at random when grep exits at the first match and CMD, still
# writing, dies of SIGPIPE.
lablib_out_has() {
	local re=$1 out
	shift
	out=$("$@") || return 1
	grep -q -- "$re" <<<"$out"
}

# lablib_now_us: time since boot in microseconds (10 ms resolution); monotonic,
# unlike the wall clock, so a clock step cannot stretch or cut a timeout.
lablib_now_us() {
	local up _
	read -r up _ </proc/uptime
	lablib_seconds_to_us "$up"
}

# lablib_seconds_to_us SECONDS: "2", "0.5" or "1.25" -> microseconds.
lablib_seconds_to_us() {
	local s=$1 int frac
	if ! [[ $s =~ ^([0-9]+)(\.([0-9]{1,6}))?[0-9]*$ ]]; then
		echo "not a number of seconds: '$s'" >&2
		return 1
	fi
	int=${BASH_REMATCH[1]}
	frac=${BASH_REMATCH[3]}
	frac=$(printf '%-6s' "$frac")
	frac=${frac// /0}
	echo "$((10#$int * 1000000 + 10#$frac))"
}

# lablib_poll TIMEOUT CMD...: run CMD until it succeeds (status 0) or TIMEOUT
# seconds have passed; CMD runs at least once. Interval LABLIB_POLL_INTERVAL
# (default 0.05 s). Returns 0 on success, 1 on timeout.
lablib_poll() {
	local deadline
	deadline=$(lablib_seconds_to_us "$1") || return 2
	shift
	deadline=$(($(lablib_now_us) + deadline))
	while :; do
		if "$@"; then
			return 0
		fi
		if [ "$(lablib_now_us)" -ge "$deadline" ]; then
			return 1
		fi
		sleep "${LABLIB_POLL_INTERVAL:-0.05}"
	done
}

# lablib_pid_alive PID: true if PID runs (a zombie does not count: nothing
# may reap children of an exited lab.sh quickly, e.g. under a minimal init).
lablib_pid_alive() {
	local state
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# lablib_pid_is PID COMM NS: true if PID is alive, is called COMM and lives in
# the network namespace NS. Check this before signalling a recorded PID: the
# number may have been reused by an unrelated process.
lablib_pid_is() {
	lablib_pid_alive "$1" || return 1
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || return 1
	[ "$(ip netns identify "$1" 2>/dev/null)" = "$3" ]
}
