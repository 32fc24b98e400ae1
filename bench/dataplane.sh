#!/bin/bash
# The data-plane benchmark of issue 5 (docs/benchmarks.md, "dataplane"):
# single-flow TCP, UDP with 1400-byte datagrams and UDP with 64-byte
# datagrams from h13 to h14 through GM1 and GM2 of the reference lab, in
# alternating rounds of
#   clear   the same topology routing in clear: nothing of gvpn runs on GM1
#           and GM2 (a clean fail-open stop removes every rule; checked
#           before each clear measurement: no iptables rule and no bound
#           queue in either GM);
#   dptest  gvpn's data plane with AES-GCM-128: gvpn-dptest (the runtime
#           gvpnd uses: NFQUEUE workers, rules, ESP) on GM1 and GM2 with one
#           static AES-GCM-128 group SA (sender IDs 1 and 2) and the
#           policy of examples/ks1.conf;
#   gvpnd   the whole product: KS1, GM1 and GM2 running gvpnd after both
#           members registered. The key server runs examples/ks1.conf with
#           `esp-gcm 128` when this gvpnd registers members with it and GM1
#           then sends with a GCM SA and its sender ID; otherwise (a key
#           server refuses GCM to members that do not announce GCM sender
#           IDs, as before gvpn had them) with the example's own transform,
#           AES-256-CBC + HMAC-SHA-256-128, and the report says so;
# then the strongSwan userspace tunnel (../shared/peers/strongswan/lab.sh
# bench, its own sw-* namespaces) and esp_micro, all in the same run.
#
#   bench/dataplane.sh [--rounds N] [--seconds S] [--no-strongswan] [--no-esp-micro]
#
# Run it as root through `scripts/bench.sh dataplane`, which builds gvpnd,
# gvpn, gvpn-dptest and bench_esp_micro first. Environment:
#   GVPN_BUILD     build directory (default build/)
#   GVPN_SW_LAB    the strongSwan peer lab's lab.sh
#                  (default ../shared/peers/strongswan/lab.sh from the repository)
#   SW_BENCH_MODES its modes (default "plain gcm128")
#   GVPN_LAB_LOCK  lock file the whole run holds with flock(1), so that no
#                  other lab run overlaps (default /work/notes/lab.lock when
#                  its directory exists; empty: no lock)
#   DPBENCH_KEEP   directory to keep the raw iperf3 JSON and the TSV in
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=dataplane
GVPN_BUILD=${GVPN_BUILD:-$ROOT/build}
GVPN_BUILD=$(cd "$GVPN_BUILD" && pwd)
export GVPN_BUILD
LAB=$ROOT/scripts/lab.sh
SW_LAB=${GVPN_SW_LAB:-$ROOT/../shared/peers/strongswan/lab.sh}
SW_MODES=${SW_BENCH_MODES:-plain gcm128}
if [[ -z ${GVPN_LAB_LOCK+x} ]]; then
	GVPN_LAB_LOCK=
	[[ -d /work/notes ]] && GVPN_LAB_LOCK=/work/notes/lab.lock
fi

ARGS=("$@")
ROUNDS=3
SECS=8
DO_SW=1
DO_MICRO=1
while [[ $# -gt 0 ]]; do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--no-strongswan) DO_SW=0; shift ;;
	--no-esp-micro) DO_MICRO=0; shift ;;
	-h | --help) sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "$PROG: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "$PROG: --rounds wants a positive number" >&2; exit 2; }
[[ $SECS =~ ^[1-9][0-9]*$ ]] || { echo "$PROG: --seconds wants a positive number" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "$PROG: needs root (network namespaces)" >&2; exit 1; }

# The whole run holds the lab lock: re-run under flock(1) once.
if [[ -n $GVPN_LAB_LOCK && -z ${DPBENCH_LOCKED:-} ]]; then
	export DPBENCH_LOCKED=1 GVPN_LAB_LOCK
	echo "$PROG: waiting for the lab lock $GVPN_LAB_LOCK" >&2
	exec flock "$GVPN_LAB_LOCK" "${BASH_SOURCE[0]}" "${ARGS[@]}"
fi

for c in iperf3 jq ip iptables-save flock; do
	command -v "$c" >/dev/null || { echo "$PROG: needs $c" >&2; exit 1; }
done
for b in gvpnd gvpn gvpn-dptest; do
	[[ -x $GVPN_BUILD/$b ]] || { echo "$PROG: no $GVPN_BUILD/$b (scripts/bench.sh dataplane builds it)" >&2; exit 1; }
done

H13=gvpn-h13
H14=gvpn-h14
DST=192.168.14.2
PORT=5201
TMP=$(mktemp -d /tmp/gvpn-dpbench.XXXXXX)
TSV=$TMP/results.tsv # mode test round Mbit/s pps lost% (pps, lost% "-" for TCP)
: >"$TSV"
SRV_PID=
LAB_UP=0
SW_UP=0
declare -A DPT_PID=()
DPT_KEY=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n') # AES-128 key | 4-byte salt
GVPND_XF=            # the transform the gvpnd rounds ran with

log() { echo "$PROG: $*" >&2; }

pid_is() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]; }

# dpt_stop NODE: SIGTERM our gvpn-dptest (a clean stop removes its rules and
# writes its counters), SIGKILL if it is still there after 10 s.
dpt_stop() {
	local pid=${DPT_PID[$1]:-}
	[[ -n $pid ]] || return 0
	DPT_PID[$1]=
	pid_is "$pid" gvpn-dptest || return 0
	kill -TERM "$pid" 2>/dev/null || true
	poll 10 eval "! pid_is $pid gvpn-dptest" || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? n
	if [[ -n $SRV_PID ]] && pid_is "$SRV_PID" timeout; then
		kill "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	for n in "${!DPT_PID[@]}"; do dpt_stop "$n"; done
	if [[ $SW_UP == 1 ]]; then
		SW_LAB_DIR=$TMP/sw-lab bash "$SW_LAB" down >/dev/null 2>&1 || log "strongSwan lab down failed"
	fi
	if [[ $LAB_UP == 1 ]]; then
		"$LAB" down >/dev/null 2>&1 || log "lab down failed"
	fi
	if [[ -n ${DPBENCH_KEEP:-} ]]; then
		{ mkdir -p "$DPBENCH_KEEP" && cp -r "$TMP"/. "$DPBENCH_KEEP"/; } || true
	fi
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"; }

# poll SECONDS CMD...: CMD until it succeeds, at most SECONDS.
poll() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

listening() { ip netns exec "$H14" ss -tln "sport = :$PORT" | grep -q ":$PORT"; }

gm_registered() {
	local j
	j=$("$LAB" exec "$1" gvpn show crypto gdoi --json 2>/dev/null) || return 1
	[[ $(jq -r '.groups[0].registrationStatus' <<<"$j") == Registered ]]
}

# dp NODE JQ: a value of NODE's `show crypto datapath --json`.
dp() { "$LAB" exec "$1" gvpn show crypto datapath --json | jq -r "$2"; }

# gm_clean NODE: NODE has no iptables rule at all and no bound queue, so
# nothing can drop or queue traffic in the clear rounds.
gm_clean() {
	local ns=gvpn-$1 rules queues
	rules=$(ip netns exec "$ns" iptables-save | grep -c '^-A' || true)
	queues=$(ip netns exec "$ns" cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null | wc -l)
	[[ $rules == 0 && $queues == 0 ]] || {
		log "$1 is not clean: $rules iptables rules, $queues bound queues"
		return 1
	}
}

# dpt_start NODE SID: gvpn-dptest on NODE's eth0 with the static AES-GCM-128
# SA (the same key on both members, distinct GCM sender IDs) and the
# example key server's policy.
dpt_start() {
	local node=$1 pid
	rm -f "$TMP/dpt-$node.stats"
	setsid ip netns exec "gvpn-$node" "$GVPN_BUILD/gvpn-dptest" --if eth0 --spi 0x1000 \
		--transform gcm128 --key "$DPT_KEY" --sid "$2" --replay tbar:100 \
		--acl 'deny udp any eq 848 any eq 848' --acl 'deny icmp any any' \
		--acl 'permit ip 192.168.0.0/16 192.168.0.0/16' --stats "$TMP/dpt-$node.stats" \
		>/dev/null 2>"$TMP/dpt-$node.log" &
	pid=$!
	DPT_PID[$node]=$pid
	poll 10 grep -q 'running on' "$TMP/dpt-$node.log" || {
		log "gvpn-dptest did not start on $node:"
		tail -5 "$TMP/dpt-$node.log" >&2
		return 1
	}
}

# dpt_stat NODE KEY: a counter gvpn-dptest wrote when it stopped.
dpt_stat() { awk -v k="$2" '$1 == k { print $2 }' "$TMP/dpt-$1.stats" 2>/dev/null; }

# gvpnd_up: GM1 and GM2 run gvpnd and have registered; false after 20 s.
gvpnd_up() {
	local n
	for n in gm1 gm2; do "$LAB" start "$n" >/dev/null 2>&1; done
	for n in gm1 gm2; do
		poll 20 gm_registered "$n" || { log "$n did not register"; return 1; }
	done
}

# Leaving a mode stops what it started: a clean stop of gvpnd or
# gvpn-dptest (fail-open) removes every rule it installed.
leave_mode() {
	local n enc
	case $1 in
	dptest)
		for n in gm1 gm2; do dpt_stop "$n"; done
		enc=$(dpt_stat gm1 ctr.encrypted)
		log "dptest: gm1 encrypted ${enc:-?} packets; queue drops gm1 $(dpt_stat gm1 nfq.queue_dropped)+$(dpt_stat gm1 nfq.user_dropped) gm2 $(dpt_stat gm2 nfq.queue_dropped)+$(dpt_stat gm2 nfq.user_dropped)"
		[[ ${enc:-0} -gt 0 ]] || { log "gm1's gvpn-dptest encrypted nothing"; return 1; }
		;;
	gvpnd) for n in gm1 gm2; do "$LAB" stop "$n" >/dev/null 2>&1 || true; done ;;
	esac
}

enter_mode() {
	local n
	case $1 in
	clear) for n in gm1 gm2; do gm_clean "$n"; done ;;
	dptest) dpt_start gm1 1 && dpt_start gm2 2 ;;
	gvpnd) gvpnd_up ;;
	esac
	# a path MTU learnt through an encrypting round must not shape the next
	ip -n "$H13" route flush cache
	ip -n "$H14" route flush cache
}

# h14_udp: UDP datagrams that reached h14's UDP layer so far, whether the
# iperf3 server read them or its socket buffer overflowed (Udp InDatagrams +
# RcvbufErrors of h14's /proc/net/snmp).
h14_udp() {
	# shellcheck disable=SC2016 # awk's own $2, $6
	ip netns exec "$H14" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $2 + $6 }' /proc/net/snmp
}

# measure MODE TEST ROUND: one iperf3 run h13 -> h14; appends to the TSV
# "Mbit/s pps lost% delivered-pps": the receiver's figures (pps = datagrams
# received / the receiver's interval), and for UDP the datagrams the path
# delivered to h14 per second of that interval (h14_udp).
# Every iperf3, like every gvpnd and gvpn-dptest, runs in its own session:
# with the kernel's autogroup scheduling each session is one scheduling
# group, so the busy processes of every mode share the two CPUs process by
# process, as the daemons the lab starts (setsid) do.
measure() {
	local mode=$1 t=$2 r=$3 out=$TMP/$1-$2-$3.json res enc0=0 enc1 udp0 udp1 secs
	local -a args=(-c "$DST" -p "$PORT" -t "$SECS" -J)
	case $t in
	tcp) ;;
	udp1400) args+=(-u -b 10G -l 1400) ;;
	udp64) args+=(-u -b 10G -l 64) ;;
	esac
	[[ $mode == gvpnd ]] && enc0=$(dp gm1 .outbound.encrypted)
	# timeouts: an iperf3 whose namespace went away spins instead of exiting
	udp0=$(h14_udp)
	setsid timeout $((SECS + 40)) ip netns exec "$H14" iperf3 -s -1 -B "$DST" -p "$PORT" >/dev/null 2>&1 &
	SRV_PID=$!
	poll 10 listening || { log "iperf3 server did not listen"; return 1; }
	setsid timeout $((SECS + 30)) ip netns exec "$H13" iperf3 "${args[@]}" >"$out" 2>"$out.err" || true
	wait "$SRV_PID" 2>/dev/null || true
	SRV_PID=
	udp1=$(h14_udp)
	if [[ $t == tcp ]]; then
		res=$(jq -r 'select(.end.sum_received.bytes > 0) | (.end.sum_received.bits_per_second / 1e6 * 10 | round / 10 | tostring) + " - -"' "$out" 2>/dev/null) || res=
	else
		res=$(jq -r '.end.sum_received | select(.packets > 0) | ((.bits_per_second / 1e6 * 10 | round / 10 | tostring) + " " +
			(((.packets - .lost_packets) / .seconds) | floor | tostring) + " " +
			(.lost_percent * 100 | round / 100 | tostring))' "$out" 2>/dev/null) || res=
	fi
	[[ -n $res ]] || res="FAIL - -"
	if [[ $t != tcp && $res != FAIL* ]]; then
		secs=$(jq -r '.end.sum_received.seconds' "$out")
		res="$res $(awk -v n=$((udp1 - udp0)) -v s="$secs" 'BEGIN { printf "%d", n / s }')"
	else
		res="$res -"
	fi
	printf '%s\t%s\t%s\t%s\n' "$mode" "$t" "$r" "${res// /$'\t'}" >>"$TSV"
	if [[ $mode == gvpnd ]]; then
		enc1=$(dp gm1 .outbound.encrypted)
		log "round $r $mode $t: $res (Mbit/s pps lost% delivered-pps); gm1 encrypted $((enc1 - enc0)) packets, queue drops gm1 $(dp gm1 '.queues.queueDropped')+$(dp gm1 '.queues.userDropped') gm2 $(dp gm2 '.queues.queueDropped')+$(dp gm2 '.queues.userDropped')"
		((enc1 - enc0 > 0)) || { log "gm1 encrypted nothing: the gvpn round did not go through the data plane"; return 1; }
	else
		log "round $r $mode $t: $res (Mbit/s pps lost% delivered-pps)"
	fi
}

# ---- esp_micro (the crypto ceiling), first: it uses no lab ----
MICRO=
if [[ $DO_MICRO == 1 ]]; then
	mb=
	for b in "$GVPN_BUILD/bench_esp_micro" "$GVPN_BUILD/bench/bench_esp_micro"; do
		[[ -x $b ]] && mb=$b && break
	done
	if [[ -n $mb ]]; then
		log "esp_micro: 9 rounds of 100000 packets"
		"$mb" 9 100000 >"$TMP/esp_micro.txt" 2>&1 || true
		MICRO=$(sed -n 's/^ratio esp\/raw cost (median of rounds): \([0-9.]*\).*/\1/p' "$TMP/esp_micro.txt")
	else
		log "esp_micro: bench_esp_micro not built"
	fi
fi

# ---- the gvpn lab ----
for n in gvpn-ks1 gvpn-gm1 gvpn-gm2 gvpn-h13 gvpn-h14 gvpn-wan; do
	if ns_exists "$n"; then
		log "the lab is up already ($n): run scripts/lab.sh down first"
		exit 1
	fi
done
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M UTC')
LAB_UP=1
"$LAB" up >/dev/null 2>&1
sed 's/^crypto ipsec transform-set gdoi-ts .*/crypto ipsec transform-set gdoi-ts esp-gcm 128/' \
	"$ROOT/examples/ks1.conf" >"$TMP/ks1-gcm.conf"
grep -q '^crypto ipsec transform-set gdoi-ts esp-gcm 128$' "$TMP/ks1-gcm.conf" ||
	{ log "examples/ks1.conf has no transform-set gdoi-ts to change"; exit 1; }
# The key server with AES-GCM-128 if this gvpnd's members can register with
# it; a key server refuses GCM to members that do not announce GCM sender
# IDs (GDOI-4-REJECT_GM_VERSION_REGISTER), then the example's transform.
"$LAB" start ks1 --config "$TMP/ks1-gcm.conf" >/dev/null 2>&1
ks_rejects() { grep -q 'REJECT_GM_VERSION_REGISTER' /run/gvpn-lab/ks1/gvpnd.log; }
gm1_decided() { gm_registered gm1 || ks_rejects; }
# gm1_gcm: GM1's SAs are AES-GCM-128 (`transform: esp-gcm ,`) and it holds
# a sender ID, without which it could only receive.
gm1_gcm() {
	[[ $("$LAB" exec gm1 gvpn show crypto ipsec sa --json | jq -r '[.. | .transform? // empty] | unique | join(",")') == esp-gcm ]] &&
		[[ $("$LAB" exec gm1 gvpn show crypto gdoi gm identifier --json | jq -r '.groups[0].senderIdsInUse | length') -ge 1 ]]
}
for n in gm1 gm2; do "$LAB" start "$n" >/dev/null 2>&1; done
poll 20 gm1_decided || true
if ! ks_rejects && gvpnd_up && gm1_gcm; then
	GVPND_XF="esp-gcm 128 (examples/ks1.conf with esp-gcm 128)"
else
	why=$(grep -o 'REJECT_GM_VERSION_REGISTER.*' /run/gvpn-lab/ks1/gvpnd.log | tail -1 || true)
	log "the members do not register with an AES-GCM-128 key server or get no GCM SA with a sender ID (${why:-see the log of ks1}); gvpnd rounds use examples/ks1.conf as it is"
	GVPND_XF="esp-aes 256 esp-sha256-hmac (examples/ks1.conf; AES-GCM-128 refused: ${why:-members did not register, or gm1 had no GCM SA with a sender ID})"
	for n in gm1 gm2 ks1; do "$LAB" stop "$n" >/dev/null 2>&1; done
	"$LAB" start ks1 --config "$ROOT/examples/ks1.conf" >/dev/null 2>&1
	gvpnd_up || { log "the members do not register with examples/ks1.conf either"; exit 1; }
fi
leave_mode gvpnd
CUR=none

# Modes in ABBA order (clear dptest gvpnd | gvpnd dptest clear | ...), so
# that no mode always runs first or last in a round.
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then order="clear dptest gvpnd"; else order="gvpnd dptest clear"; fi
	for m in $order; do
		if [[ $m != "$CUR" ]]; then
			leave_mode "$CUR"
			enter_mode "$m"
			CUR=$m
		fi
		for t in tcp udp1400 udp64; do measure "$m" "$t" "$r"; done
	done
done
leave_mode "$CUR"
"$LAB" down >/dev/null 2>&1
LAB_UP=0

# ---- the strongSwan userspace tunnel, its own lab ----
SW_NOTE=
if [[ $DO_SW == 0 ]]; then
	SW_NOTE="skipped: --no-strongswan"
elif [[ ! -f $SW_LAB ]]; then
	SW_NOTE="skipped: strongSwan peer lab not found ($SW_LAB)"
elif ns_exists sw-gwA || ns_exists sw-gwB || ns_exists sw-hostA || ns_exists sw-hostB; then
	SW_NOTE="skipped: the strongSwan peer lab is in use (sw-* namespaces exist)"
else
	SW_UP=1
	for ((r = 1; r <= ROUNDS; r++)); do
		# one round at a time, so its rounds interleave in time with ours as
		# closely as one lab at a time allows; its TSV is rewritten each call
		if SW_LAB_DIR=$TMP/sw-lab SW_BENCH_MODES=$SW_MODES bash "$SW_LAB" bench 1 "$SECS" \
			>"$TMP/sw-bench-$r.out" 2>&1; then
			awk -F'\t' -v r="$r" 'BEGIN { OFS = "\t" } { $1 = "sw-" $1; $3 = r; print }' \
				"$TMP/sw-lab/bench.tsv" | tee -a "$TSV" | sed "s/^/$PROG: strongSwan: /" >&2
		else
			log "strongSwan bench round $r failed:"
			tail -5 "$TMP/sw-bench-$r.out" >&2
		fi
	done
	SW_LAB_DIR=$TMP/sw-lab bash "$SW_LAB" down >/dev/null 2>&1 || log "strongSwan lab down failed"
	SW_UP=0
fi
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----
echo "=== dataplane: h13 -> h14 through GM1 and GM2: clear, dptest (AES-GCM-128), gvpnd; $ROUNDS rounds of ${SECS} s per test ==="
echo "date: $START, $(nproc) cores, load $LOAD0 at the start, $LOAD1 at the end"
echo "iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2): TCP one flow; UDP -b 10G -l 1400 (1428-byte IP packets: fit the"
echo "1446 that AES-GCM-128 and the 1438 that AES-256-CBC+SHA-256 leave of a 1500 WAN MTU: no fragmentation)"
echo "and -l 64; receiver figures, and for UDP the datagrams per second delivered to h14 (its UDP layer,"
echo "whether iperf3 read them or its socket buffer overflowed). Every iperf3, gvpn-dptest and gvpnd runs in"
echo "its own session (one autogroup each). gvpnd transform: $GVPND_XF"
echo
# medians per mode/test, then the ratios (median of per-round ratios)
awk -F'\t' -v micro="$MICRO" -v swnote="$SW_NOTE" -v xf="$GVPND_XF" '
function median(s,   n, a, i, j, t) {
	n = split(s, a, " ")
	if (n == 0) return ""
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function range(s,   n, a, i, lo, hi) {
	n = split(s, a, " ")
	lo = hi = a[1]
	for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
	return "[" lo "-" hi "]"
}
$4 != "FAIL" {
	k = $1 SUBSEP $2
	if (!(k in seen)) { seen[k] = 1; order[++no] = k }
	mb[k] = mb[k] " " $4; v[$1, $2, $3] = $4
	if ($5 != "-") { pps[k] = pps[k] " " $5; p[$1, $2, $3] = $5; loss[k] = loss[k] " " $6 }
	if ($7 != "" && $7 != "-") { dlv[k] = dlv[k] " " $7; d[$1, $2, $3] = $7 }
	if ($3 > maxr) maxr = $3
}
# ratio A/B per round for test T of Mbit/s (what 0), received pps (1) or
# delivered pps (2)
function ratio(a, b, t, what,   r, s, x, y) {
	s = ""
	for (r = 1; r <= maxr; r++) {
		x = what == 2 ? d[a, t, r] : what ? p[a, t, r] : v[a, t, r]
		y = what == 2 ? d[b, t, r] : what ? p[b, t, r] : v[b, t, r]
		if (x != "" && y + 0 > 0) s = s " " (x / y)
	}
	return s
}
function verdict(s, target, le,   m, n, a, i, lo, hi) {
	if (s == "") return "n/a"
	m = median(s)
	n = split(s, a, " "); lo = hi = a[1]
	for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
	return sprintf("%.3f (rounds %.3f-%.3f) target %s %s: %s", m, lo, hi, le ? "<=" : ">=", target,
		(le ? m <= target : m >= target) ? "met" : "MISSED")
}
END {
	printf "%-12s %-8s %5s %26s %26s %10s %26s\n", "mode", "test", "runs", "Mbit/s median [min-max]", "pps median [min-max]", "lost% med", "delivered pps [min-max]"
	for (i = 1; i <= no; i++) {
		split(order[i], kk, SUBSEP); k = order[i]
		n = split(mb[k], tmp, " ")
		printf "%-12s %-8s %5d %26s %26s %10s %26s\n", kk[1], kk[2], n,
			sprintf("%.1f %s", median(mb[k]), range(mb[k])),
			(pps[k] != "") ? sprintf("%d %s", median(pps[k]), range(pps[k])) : "-",
			(loss[k] != "") ? sprintf("%.2f", median(loss[k])) : "-",
			(dlv[k] != "") ? sprintf("%d %s", median(dlv[k]), range(dlv[k])) : "-"
	}
	print ""
	print "ratios (median of the per-round ratios):"
	print "AES-GCM-128 (dptest):"
	print "  dptest/clear UDP 1400 B throughput: " verdict(ratio("dptest", "clear", "udp1400", 0), 0.6, 0)
	print "  dptest/clear UDP 64 B packet rate:  " verdict(ratio("dptest", "clear", "udp64", 1), 0.5, 0)
	print "  dptest/clear UDP 1400 B delivered:  " verdict(ratio("dptest", "clear", "udp1400", 2), 0.6, 0)
	print "  dptest/clear UDP 64 B delivered:    " verdict(ratio("dptest", "clear", "udp64", 2), 0.5, 0)
	if (swnote != "") print "  dptest/strongSwan TCP: " swnote
	else print "  dptest/strongSwan-gcm128 TCP:       " verdict(ratio("dptest", "sw-gcm128", "tcp", 0), 5, 0)
	print "gvpnd, " xf ":"
	print "  gvpnd/clear UDP 1400 B throughput:  " verdict(ratio("gvpnd", "clear", "udp1400", 0), 0.6, 0)
	print "  gvpnd/clear UDP 64 B packet rate:   " verdict(ratio("gvpnd", "clear", "udp64", 1), 0.5, 0)
	print "  the same, delivered to h14 (datagrams that reached its UDP layer, read or not):"
	print "  gvpnd/clear UDP 1400 B delivered:    " verdict(ratio("gvpnd", "clear", "udp1400", 2), 0.6, 0)
	print "  gvpnd/clear UDP 64 B delivered:      " verdict(ratio("gvpnd", "clear", "udp64", 2), 0.5, 0)
	if (swnote == "")  print "  gvpnd/strongSwan-gcm128 TCP:        " verdict(ratio("gvpnd", "sw-gcm128", "tcp", 0), 5, 0)
	if (micro != "") printf "esp_micro ESP/raw AES-GCM cost:   %s target <= 1.3: %s\n", micro, (micro + 0 <= 1.3) ? "met" : "MISSED"
	else print "esp_micro: not run"
	print "for orientation: dptest/clear TCP " verdict(ratio("dptest", "clear", "tcp", 0), 0, 0) ", gvpnd/clear TCP " verdict(ratio("gvpnd", "clear", "tcp", 0), 0, 0)
}' "$TSV" | sed 's/ target >= 0: met//g'
if [[ -n $MICRO ]]; then
	echo
	echo "esp_micro (bench_esp_micro 9 100000):"
	tail -2 "$TMP/esp_micro.txt"
fi
