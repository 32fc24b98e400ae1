#!/bin/sh
# Install every Debian 12 package that building, testing, the lab and the
# benchmarks need. Idempotent and quiet when everything is already there;
# `apt-get update` runs only when something is missing.
set -eu

PACKAGES="
build-essential cmake pkg-config clang libclang-rt-14-dev
libssl-dev libcmocka-dev libreadline-dev libmnl-dev
iproute2 iptables nftables iputils-ping procps psmisc kmod
tshark tcpdump iperf3 python3 socat
strongswan-charon strongswan-swanctl libcharon-extra-plugins
libstrongswan-standard-plugins libstrongswan-extra-plugins
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "bootstrap: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "bootstrap: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; the default (no) is fine.
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
# strongSwan's packages start charon through systemd where there is one; the
# lab runs its own daemons, so make sure a packaged one does not hold ports.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now strongswan-starter.service >/dev/null 2>&1 || true
fi
echo "bootstrap: done"
