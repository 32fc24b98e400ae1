#!/bin/sh
# Run one libFuzzer target for FUZZ_SECONDS (default 20) over a scratch copy
# of its seed corpus, so that new inputs never land in the source tree.
# Usage: run-fuzzer.sh FUZZER SEED_DIR
set -eu
fuzzer=$1
seeds=$2
secs=${FUZZ_SECONDS:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/gvpn-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
[ -d "$seeds" ] && cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" 2>"$work/log" || {
	tail -n 60 "$work/log" >&2
	for f in "$work"/artifacts/*; do
		[ -f "$f" ] && { echo "crashing input (hex):" >&2; od -An -tx1 "$f" | head -20 >&2; }
	done
	exit 1
}
grep -E "^stat::number_of_executed_units|^Done" "$work/log" || true
