#!/bin/bash
# The data plane with a static group SA (no GDOI yet): gvpn-dptest runs the
# real runtime (NFQUEUE workers, rules, injection) on the WAN interface eth0
# of GM1 and GM2 with the same AES-GCM-128 SA and the policy
#     deny icmp any any
#     permit ip 192.168.0.0 0.0.255.255 192.168.0.0 0.0.255.255
# Checks: what crosses the WAN (ESP with preserved addresses, ICMP in
# clear, never clear TCP/UDP between the hosts), a 50 MB TCP transfer with
# all MTUs at 1500 (PMTUD through our ICMP), DF and non-DF 1472-byte UDP,
# a tampered ESP packet, fail-open and fail-close on clean stop and crash,
# and fail-close before the first registration.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dplib.sh"
need_root

DPT=$GVPN_BUILD/gvpn-dptest
KEY=00112233445566778899aabbccddeeff01020304 # AES-128 key | 4-byte salt
SA_ARGS=(--if eth0 --spi 0x1000 --transform gcm128 --key "$KEY" --replay tbar:100
	--acl 'deny icmp any any' --acl 'permit ip 192.168.0.0/16 192.168.0.0/16')
INNER_MTU=1446 # 1500 - 54: outer IP 20, ESP 8, IV 8, trailer 2 (+0 pad), ICV 16
TMP=""
declare -A DPT_PID

[ -x "$DPT" ] || fail "no $DPT (build the target gvpn-dptest, or set GVPN_BUILD)"

# ---- helpers -------------------------------------------------------------

# step MSG CMD...: like check, but CMD runs in this shell (check runs it in
# a command substitution), for the commands that start, signal or wait for
# gvpn-dptest and must keep their PID bookkeeping and cleanups.
step() {
	local msg=$1
	shift
	if "$@" >"$TMP/step.out" 2>&1; then
		pass "$msg"
	else
		tail -n 20 "$TMP/step.out" | sed 's/^/     | /' >&2
		fail "$msg"
	fi
}

# dpt_start NODE ARGS...: gvpn-dptest on NODE (GCM sender ID = 1 for gm1,
# 2 for gm2: the two members must never produce the same IV).
dpt_start() {
	local node=$1 pid
	shift
	rm -f "$TMP/$node.stats" "$TMP/$node.log"
	ip netns exec "gvpn-$node" "$DPT" "$@" --stats "$TMP/$node.stats" \
		>"$TMP/$node.out" 2>"$TMP/$node.log" &
	pid=$!
	DPT_PID[$node]=$pid
	on_exit dpt_reap "$pid" "gvpn-$node"
	poll 10 grep -q 'running on' "$TMP/$node.log" || {
		cat "$TMP/$node.log" >&2
		return 1
	}
}

# dpt_reap PID NS: SIGTERM our gvpn-dptest if it still runs (end of test).
dpt_reap() {
	lablib_pid_is "$1" gvpn-dptest "$2" || return 0
	kill -TERM "$1"
	poll 10 eval "! lablib_pid_alive $1" || kill -KILL "$1"
}

# dpt_signal NODE SIG: signal NODE's gvpn-dptest, after checking it is ours.
dpt_signal() {
	local pid=${DPT_PID[$1]}
	lablib_pid_is "$pid" gvpn-dptest "gvpn-$1" || return 1
	kill -"$2" "$pid"
}

# dpt_stop NODE: clean stop (SIGTERM); true when it exited with status 0.
dpt_stop() {
	local pid=${DPT_PID[$1]} rc=0
	dpt_signal "$1" TERM || return 1
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { tail -5 "$TMP/$1.log"; return 1; }
}

# dpt_crash NODE: SIGKILL, and wait until it is gone.
dpt_crash() {
	local pid=${DPT_PID[$1]}
	dpt_signal "$1" KILL || return 1
	wait "$pid" 2>/dev/null || true
	! lablib_pid_alive "$pid"
}

# ctr NODE KEY: a counter of NODE's gvpn-dptest, freshly written (SIGUSR1).
ctr() {
	rm -f "$TMP/$1.stats"
	dpt_signal "$1" USR1 || return 1
	poll 5 test -s "$TMP/$1.stats" || return 1
	awk -v k="$2" '$1 == k {print $2; f = 1} END {exit !f}' "$TMP/$1.stats"
}

# stat_ge NODE KEY MIN: the counter is at least MIN.
stat_ge() {
	local v
	v=$(ctr "$1" "$2") || return 1
	[ "$v" -ge "$3" ] || { echo "$1 $2 = $v, want >= $3"; return 1; }
}

# jumps NODE CHAIN: how many rules jump to CHAIN on NODE
jumps() { in_ns "$1" iptables-save | { grep -c -- "-j $2\$" || true; }; }

# ---- test ------------------------------------------------------------------
# shellcheck disable=SC2119 # the plain topology, no daemons
lab_up
TMP=$(mktemp -d /tmp/gvpn-dpt.XXXXXX)
on_exit rm -rf "$TMP"

echo "== static SA on gm1 and gm2 (fail-open)"
step "gvpn-dptest starts on gm1 (sender ID 1)" dpt_start gm1 "${SA_ARGS[@]}" --sid 1
step "gvpn-dptest starts on gm2 (sender ID 2)" dpt_start gm2 "${SA_ARGS[@]}" --sid 2
check "gm1 encap chain: ICMP returns in clear, 192.168/16 is queued, in mangle POSTROUTING -o eth0" \
	eval "in_ns gm1 iptables-save -t mangle | grep -q -- '-A POSTROUTING -o eth0 -j GVPN-ENC-eth0' &&
	      in_ns gm1 iptables-save -t mangle | grep -q -- '-A GVPN-ENC-eth0 -p icmp -j RETURN' &&
	      in_ns gm1 iptables-save -t mangle | grep -q -- '-s 192.168.0.0/16 -d 192.168.0.0/16 -j NFQUEUE --queue-num 8480 --queue-bypass'"
check "gm1 decap chain: ESP from eth0 queued in raw PREROUTING" \
	output_has '-A PREROUTING -i eth0 -p esp -j GVPN-DEC-eth0' in_ns gm1 iptables-save -t raw
check "gvpnd's GDOI traffic (UDP 848 both ways) is never queued" \
	eval "in_ns gm1 iptables-save -t mangle | grep -q -- '--sport 848 -j RETURN' &&
	      in_ns gm1 iptables-save -t mangle | grep -q -- '--dport 848 -j RETURN'"

echo "== what crosses the WAN"
head -c 1000000 /dev/urandom >"$TMP/small"
CAP=$(capture wan br0 host 192.168.13.2 and host 192.168.14.2)
check "ping h13 -> h14 (ICMP is denied in the policy)" in_ns h13 ping -c 2 -i 0.2 -W 2 192.168.14.2
in_ns h14 "${TRAFFIC[@]}" tcp-rx 5001 "$TMP/small.rx" &
RX=$!
poll 5 output_has ':5001 ' in_ns h14 ss -tln || fail "tcp receiver did not listen"
check "1 MB TCP h13 -> h14" in_ns h13 "${TRAFFIC[@]}" tcp-tx 192.168.14.2 5001 "$TMP/small"
wait $RX
check "... arrives intact (sha256)" test "$(cut -d' ' -f1 "$TMP/small.rx")" = "$(sha256sum "$TMP/small" | cut -d' ' -f1)"
check "UDP h13 -> h14 (200 bytes)" udp_crosses 200 nodf 5002
lab capture stop wan >/dev/null
check "ICMP echo request 192.168.13.2 > 192.168.14.2 crossed the WAN in clear" \
	test "$(pcap_count "$CAP" 'icmp[icmptype] == icmp-echo')" -ge 2
check "no clear TCP or UDP between the hosts on the WAN" test "$(pcap_count "$CAP" 'tcp or udp')" = 0
check "ESP 192.168.13.2 > 192.168.14.2 (header preservation, SPI 0x1000) carried it (the capture may miss some)" \
	eval "[ \$(tcpdump -n -r '$CAP' esp 2>/dev/null | grep -c 'IP 192.168.13.2 > 192.168.14.2: ESP(spi=0x00001000') -ge 10 ]"
check "... and ESP 192.168.14.2 > 192.168.13.2 the TCP ACKs" \
	eval "[ \$(tcpdump -n -r '$CAP' esp 2>/dev/null | grep -c 'IP 192.168.14.2 > 192.168.13.2: ESP(spi=0x00001000') -ge 10 ]"
check "gm2 decrypted what gm1 encrypted (ctr.decrypted >= 700)" stat_ge gm2 ctr.decrypted 700
check "gm1 queued no ICMP: it returned in the kernel (io.packets == ctr.lan_in + ctr.wan_in)" \
	eval "[ \$(ctr gm1 io.packets) = \$((\$(ctr gm1 ctr.lan_in) + \$(ctr gm1 ctr.wan_in))) ] &&
	      [ \$(ctr gm1 ctr.classified_deny) = 0 ]"

echo "== 50 MB TCP with all MTUs at 1500 (PMTUD through the encrypting GM)"
head -c 52428800 /dev/urandom >"$TMP/big"
in_ns h13 ip route flush cache
CAP=$(capture wan br0 '(tcp or udp) and host 192.168.13.2 and host 192.168.14.2')
in_ns h14 "${TRAFFIC[@]}" tcp-rx 5003 "$TMP/big.rx" &
RX=$!
poll 5 output_has ':5003 ' in_ns h14 ss -tln || fail "tcp receiver did not listen"
check "50 MB TCP h13 -> h14" in_ns h13 "${TRAFFIC[@]}" tcp-tx 192.168.14.2 5003 "$TMP/big"
wait $RX
lab capture stop wan >/dev/null
check "... arrives intact: sha256 and length equal" \
	test "$(cat "$TMP/big.rx")" = "$(sha256sum "$TMP/big" | cut -d' ' -f1) 52428800"
check "... and not one clear TCP/UDP packet between the hosts crossed the WAN" \
	test "$(pcap_count "$CAP")" = 0
check "gm1 sent ICMP frag-needed for full-size segments (ctr.icmp_frag_needed >= 1)" \
	stat_ge gm1 ctr.icmp_frag_needed 1
check "h13 learnt the reduced path MTU $INNER_MTU (ip route get)" \
	output_has "mtu $INNER_MTU" in_ns h13 ip route get 192.168.14.2
check "gm1 verdicts were batched (datagrams per receive call > 1 on average)" \
	eval "[ \$(ctr gm1 io.datagrams) -gt \$(ctr gm1 io.batches) ]"
check "no queue overflow on gm1 or gm2 (nfnetlink_queue queue_dropped/user_dropped = 0)" \
	eval "[ \$(ctr gm1 nfq.queue_dropped) = 0 ] && [ \$(ctr gm1 nfq.user_dropped) = 0 ] &&
	      [ \$(ctr gm2 nfq.queue_dropped) = 0 ] && [ \$(ctr gm2 nfq.user_dropped) = 0 ]"

echo "== 1472-byte UDP with and without DF"
in_ns h13 ip route flush cache
CAP=$(capture h13 eth0 icmp)
BEFORE=$(ctr gm1 ctr.icmp_frag_needed)
in_ns h14 "${TRAFFIC[@]}" udp-rx 5004 1 "$TMP/udp.df" &
RX=$!
poll 5 output_has ':5004 ' in_ns h14 ss -uln || fail "udp receiver did not listen"
ERR=$(in_ns h13 "${TRAFFIC[@]}" udp-tx 192.168.14.2 5004 1472 df)
wait $RX
check "1472-byte UDP with DF set does not cross (too big once encrypted)" test "$(cat "$TMP/udp.df")" = timeout
check "h13's socket got the error EMSGSIZE from an ICMP frag-needed" test "$ERR" = EMSGSIZE
check "gm1 answered with ICMP frag-needed (ctr.icmp_frag_needed +1)" stat_ge gm1 ctr.icmp_frag_needed $((BEFORE + 1))
poll 5 test "$(pcap_count "$CAP" 'icmp[icmptype] == icmp-unreach')" -ge 1 || true
lab capture stop h13 >/dev/null
check "h13 received 'need to frag (mtu $INNER_MTU)' from GM1 (10.1.13.2)" \
	eval "tcpdump -n -r '$CAP' 2>/dev/null | grep -q 'IP 10.1.13.2 > 192.168.13.2: ICMP 192.168.14.2 unreachable - need to frag (mtu $INNER_MTU)'"
check "h13 caches mtu $INNER_MTU for h14" output_has "mtu $INNER_MTU" in_ns h13 ip route get 192.168.14.2
in_ns h13 ip route flush cache
BEFORE=$(ctr gm1 ctr.fragmented)
check "1472-byte UDP without DF arrives whole at h14" udp_crosses 1472 nodf 5005
check "gm1 fragmented it before encryption (ctr.fragmented +1, 2 ESP packets)" \
	stat_ge gm1 ctr.fragmented $((BEFORE + 1))
check "gm1 injected the second fragment on its marked raw socket (io.injected >= 1)" \
	stat_ge gm1 io.injected 1

echo "== MTU change on gm1's eth0 (the runtime follows it)"
in_ns gm1 ip link set dev eth0 mtu 1400
on_exit in_ns gm1 ip link set dev eth0 mtu 1500
# shellcheck disable=SC2016 # expanded by eval, at each poll
check "gm1 republished its snapshot with MTU 1400" poll 5 eval '[ "$(ctr gm1 mtu)" = 1400 ]'
in_ns h13 ip route flush cache
# 1372 bytes of UDP: a 1400-byte IP packet, which the kernel forwards (it
# fits the new MTU) but which is too big once encrypted
check "1400-byte IP packet with DF from h13 gets EMSGSIZE (too big once encrypted)" \
	eval "[ \"\$(in_ns h13 ${TRAFFIC[*]} udp-tx 192.168.14.2 5014 1372 df)\" = EMSGSIZE ]"
check "h13 now caches mtu $((1400 - 54)) for h14" output_has "mtu $((1400 - 54))" in_ns h13 ip route get 192.168.14.2
in_ns gm1 ip link set dev eth0 mtu 1500
# shellcheck disable=SC2016 # expanded by eval, at each poll
check "back to MTU 1500" poll 5 eval '[ "$(ctr gm1 mtu)" = 1500 ]'
in_ns h13 ip route flush cache

echo "== tampered ESP"
CAP=$(capture gm2 eth0 esp and src 192.168.13.2)
check "UDP h13 -> h14 to have an ESP packet" udp_crosses 300 nodf 5006
lab capture stop gm2 >/dev/null
BEFORE=$(ctr gm2 drop.mac_fail)
GM2_MAC=$(ip -n gvpn-gm2 -o link show dev eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p')
check "ks1 sends that ESP packet again with one ICV byte flipped (AF_PACKET to gm2 $GM2_MAC)" \
	in_ns ks1 "${TRAFFIC[@]}" esp-tamper "$CAP" eth0 "$GM2_MAC"
check "gm2 dropped it as mac_fail (drop.mac_fail $BEFORE -> $((BEFORE + 1)))" \
	poll 5 stat_ge gm2 drop.mac_fail $((BEFORE + 1))
check "... counted on the SA (sa.in_auth_fail >= 1) and logged RECVD_PKT_MAC_ERR" \
	eval "stat_ge gm2 sa.in_auth_fail 1 && grep -q 'RECVD_PKT_MAC_ERR' '$TMP/gm2.log'"

echo "== fail-open: clean stop"
step "gm1 stops cleanly on SIGTERM" dpt_stop gm1
step "gm2 stops cleanly on SIGTERM" dpt_stop gm2
check "no gvpn rule is left on gm1 (iptables-save)" test "$(gvpn_rules gm1)" = 0
check "no gvpn rule is left on gm2 (iptables-save)" test "$(gvpn_rules gm2)" = 0
CAP=$(capture wan br0 udp and host 192.168.13.2 and host 192.168.14.2)
check "UDP h13 -> h14 crosses now" udp_crosses 200 nodf 5007
lab capture stop wan >/dev/null
check "... in clear on the WAN" test "$(pcap_count "$CAP" udp)" -ge 1

echo "== fail-close before the first registration"
step "gm1 starts fail-close with no policy, local deny 'deny tcp any any eq 22'" \
	dpt_start gm1 "${SA_ARGS[@]}" --sid 1 --fail-close --no-policy --local-deny 'deny tcp any any eq 22'
check "gm1 encap chain ends in DROP (nothing queued before registration)" \
	output_has '-A GVPN-ENC-eth0 -j DROP' in_ns gm1 iptables-save -t mangle
check "ping h13 -> h14 is dropped" eval "! in_ns h13 ping -c 1 -W 1 192.168.14.2 >/dev/null"
check "UDP h13 -> h14 is dropped" udp_blocked 5008
in_ns gm2 "${TRAFFIC[@]}" udp-rx 848 3 "$TMP/udp.848" &
RX=$!
poll 5 output_has ':848 ' in_ns gm2 ss -uln || fail "udp 848 receiver did not listen"
in_ns gm1 "${TRAFFIC[@]}" udp-tx 10.1.14.2 848 100 nodf
wait $RX
check "GDOI traffic (UDP 848 gm1 -> gm2) still passes" test "$(cat "$TMP/udp.848")" = 100
step "gm1 stops cleanly" dpt_stop gm1

echo "== fail-close: crash and restart"
step "gm1 starts with --fail-close, the policy, 2 queues and ip tcp adjust-mss 1300" \
	dpt_start gm1 "${SA_ARGS[@]}" --sid 1 --fail-close --queues 2 --mss 1300
step "gm2 starts (fail-open)" dpt_start gm2 "${SA_ARGS[@]}" --sid 2
check "gm1's queues: flow-hash balance over 8480:8481, no --queue-bypass" \
	eval "in_ns gm1 iptables-save | grep -q -- '-j NFQUEUE --queue-balance 8480:8481\$' &&
	      ! in_ns gm1 iptables-save | grep -q -- '--queue-bypass'"
check "both queues are bound (nfnetlink_queue lists 8480 and 8481)" \
	eval "ctr gm1 queue.8480 >/dev/null && [ \"\$(ctr gm1 queue.8481)\" = bound ]"
check "UDP h13 -> h14 crosses (encrypted)" udp_crosses 200 nodf 5009
SYNS=$(capture h14 eth0 'tcp[tcpflags] & tcp-syn != 0')
in_ns h14 "${TRAFFIC[@]}" tcp-rx 5015 "$TMP/mss.rx" &
RX=$!
poll 5 output_has ':5015 ' in_ns h14 ss -tln || fail "tcp receiver did not listen"
check "1 MB TCP h13 -> h14" in_ns h13 "${TRAFFIC[@]}" tcp-tx 192.168.14.2 5015 "$TMP/small"
wait $RX
lab capture stop h14 >/dev/null
check "h13's SYN reached h14 with its MSS clamped to 1300 by gm1 (ctr.mss_clamped >= 1)" \
	eval "tcpdump -n -r '$SYNS' 2>/dev/null | grep -q 'IP 192.168.13.2\\.[0-9]* > 192.168.14.2\\.5015: Flags \\[S\\],.*mss 1300,' &&
	      stat_ge gm1 ctr.mss_clamped 1"
step "gm1 is killed (SIGKILL)" dpt_crash gm1
CAP=$(capture wan br0 udp and host 192.168.13.2 and host 192.168.14.2)
check "after the crash UDP h13 -> h14 does not arrive" udp_blocked 5010
lab capture stop wan >/dev/null
check "... and did not cross the WAN in clear" test "$(pcap_count "$CAP" udp)" = 0
check "ICMP (a clear entry of the policy) still passes after the crash" \
	in_ns h13 ping -c 1 -W 2 192.168.14.2
step "gm1 restarts (fail-close, 1 queue) over the crashed run's rules" \
	dpt_start gm1 "${SA_ARGS[@]}" --sid 1 --fail-close
check "... which it replaced: one jump to each chain" \
	eval "[ \$(jumps gm1 GVPN-ENC-eth0) = 1 ] && [ \$(jumps gm1 GVPN-DEC-eth0) = 1 ]"
check "UDP h13 -> h14 crosses again" udp_crosses 200 nodf 5011
step "gm1 stops cleanly (fail-close)" dpt_stop gm1
check "what stays on gm1: the encap chain, with DROP instead of the queue, no decap chain" \
	eval "in_ns gm1 iptables-save -t mangle | grep -q -- '-s 192.168.0.0/16 -d 192.168.0.0/16 -j DROP' &&
	      ! in_ns gm1 iptables-save | grep -q -e NFQUEUE -e GVPN-DEC"
check "after the clean stop UDP h13 -> h14 still does not arrive" udp_blocked 5012
check "gvpn-dptest --purge removes it" in_ns gm1 "$DPT" --purge
check "no gvpn rule is left on gm1" test "$(gvpn_rules gm1)" = 0
step "gm2 stops cleanly" dpt_stop gm2
check "UDP h13 -> h14 crosses in clear again" udp_crosses 200 nodf 5013
lab_done
