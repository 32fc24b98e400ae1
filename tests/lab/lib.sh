# shellcheck shell=bash
# Helpers for the lab tests (tests/lab/test_*.sh): bash scripts, run as root,
# that print each thing they check and exit non-zero at the first failure.
#
#   . "$(dirname "$0")/lib.sh"
#   lab_up --daemons          # builds the lab; lab_down runs on exit, always
#   check "h13 reaches h14" in_ns h13 ping -c 1 -W 2 192.168.14.2
#   poll 30 in_ns gm1 gvpn show crypto gdoi || fail "gm1 never answered"
#   json_match "$(in_ns gm1 gvpn show crypto gdoi --json)" \
#       '{"groups": [{"name": "G1"}]}' || fail "gm1 not registered"
#   lab_done
#
# CTest runs every tests/lab/test_*.sh with GVPN_BUILD set to its build dir.

set -euo pipefail
shopt -s inherit_errexit # a failure inside $(...) stops the script too

LAB_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB="$LAB_REPO/scripts/lab.sh"
# shellcheck source=scripts/lablib.sh
. "$LAB_REPO/scripts/lablib.sh"
GVPN_BUILD=${GVPN_BUILD:-$LAB_REPO/build}
export GVPN_BUILD
PYTHON=/usr/bin/python3 # Debian's, not whatever python3 comes first in PATH
TEST_NAME=$(basename "$0" .sh)
TEST_PASSED=0
TEST_CLEANUPS=()

# pass MSG: report one successful check.
pass() {
	TEST_PASSED=$((TEST_PASSED + 1))
	echo "ok   $*"
}

# fail MSG: report a failed check and end the test (the EXIT trap cleans up).
fail() {
	echo "FAIL $*" >&2
	exit 1
}

# check MSG CMD...: run CMD (its output is hidden unless it fails); pass or fail.
check() {
	local msg=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$msg"
	else
		[ -z "$out" ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/     | /' >&2
		fail "$msg"
	fi
}

# lab CMD...: scripts/lab.sh CMD...
lab() { "$LAB" "$@"; }

# in_ns NODE CMD...: run CMD in NODE's namespace (through `lab.sh exec`, so
# GVPN_SOCKET and PATH are those a person following the guide gets). Do not
# put it in the background with `&` (that forks a subshell whose PID is not
# CMD's); use bg_in_ns.
in_ns() { "$LAB" exec "$@"; }

# bg_in_ns NODE CMD...: start CMD in NODE's namespace in the background.
# BG_PID is CMD's own PID (lab.sh exec execs it); bg_stop stops it, and so
# does the end of the test.
bg_in_ns() {
	local comm ns
	ns=$(lablib_ns "$1") || fail "bg_in_ns: unknown node '$1'"
	comm=$(basename "$2")
	"$LAB" exec "$@" &
	BG_PID=$!
	on_exit bg_stop "$BG_PID" "${comm:0:15}" "$ns"
}

# bg_stop PID COMM NS: SIGTERM PID if it is still COMM in namespace NS (the
# checks keep a reused PID safe) and wait until it is gone.
bg_stop() {
	lablib_pid_is "$1" "$2" "$3" || return 0
	kill -TERM "$1" 2>/dev/null || true
	poll 5 eval "! lablib_pid_alive $1" || echo "warning: pid $1 ($2) did not stop" >&2
}

# output_has REGEX CMD...: CMD succeeds and its output matches REGEX. Prefer
# it to `CMD | grep -q REGEX`, which pipefail turns into a random failure
# (grep quits at the first match, CMD may die of SIGPIPE).
output_has() { lablib_out_has "$@"; }

# poll TIMEOUT CMD...: retry CMD every 50 ms until it succeeds (0) or TIMEOUT
# seconds have passed (1). For conditions; never sleep for them.
poll() { lablib_poll "$@"; }

# need_root: lab tests need root; anywhere else they are skipped (status 77).
need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP $TEST_NAME: needs root (network namespaces)"
		exit 77
	fi
}

# on_exit CMD...: run CMD when the test ends, before the lab goes down.
on_exit() { TEST_CLEANUPS+=("$(printf '%q ' "$@")"); }

# Runs on every exit: the test's own cleanups, diagnostics if it failed, then
# `lab.sh down`. Keeps the test's exit status.
lab_exit_trap() {
	local rc=$? c
	trap - EXIT INT TERM
	set +e
	for c in "${TEST_CLEANUPS[@]}"; do eval "$c"; done
	if [ "$rc" != 0 ]; then
		echo "---- $TEST_NAME failed (status $rc); lab state follows ----" >&2
		"$LAB" status >&2
		for c in "$LABLIB_DIR"/*/gvpnd.log; do
			[ -f "$c" ] || continue
			echo "---- tail of $c ----" >&2
			tail -n 30 "$c" >&2
		done
	fi
	"$LAB" down >/dev/null 2>&1 || echo "warning: lab.sh down failed" >&2
	exit "$rc"
}

# lab_up [ARGS]: `lab.sh up ARGS` with the cleanup trap armed first.
lab_up() {
	trap lab_exit_trap EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	"$LAB" up "$@" >/dev/null
}

# lab_down: `lab.sh down` (the trap also runs it; a second down is harmless).
lab_down() { "$LAB" down >/dev/null; }

# lab_done: the closing line.
lab_done() { echo "$TEST_NAME: $TEST_PASSED passed, 0 failed"; }

# json_match ACTUAL EXPECTED...: compare a subset of a JSON document (ACTUAL:
# the text, or - for stdin) with expectations, each either
#   - a JSON object or array: every key it names must be in ACTUAL with a
#     matching value; objects match recursively; an expected array matches if
#     each of its elements matches an element of the actual array, in the same
#     order (other elements may lie between); the string "*" matches any value;
#   - PATH=VALUE: the value at PATH (keys and list indexes joined by dots, e.g.
#     groups.0.name) equals VALUE read as JSON, or as a string if it is not JSON
#     (PATH=* only asks that PATH exists).
# Returns 0 on a match; else prints each mismatch to stderr and returns 1.
json_match() {
	local actual=$1
	shift
	if [ "$actual" = - ]; then actual=$(cat); fi
	"$PYTHON" -c "$JSON_MATCH_PY" "$actual" "$@"
}

# json_get JSON PATH: print the value at PATH (as above); strings bare, other
# values as JSON. Fails if PATH is not there.
json_get() {
	"$PYTHON" -c "$JSON_GET_PY" "$1" "$2"
}

JSON_COMMON_PY='
import json, sys

def walk(doc, path):
    """Value at a dotted path; raises KeyError naming the missing part."""
    cur, seen = doc, "$"
    for part in path.split(".") if path else []:
        if isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            raise KeyError(seen + "." + part)
        seen += "." + part
    return cur

def load(text, what):
    try:
        return json.loads(text)
    except ValueError as e:
        sys.stderr.write("json: %s is not JSON (%s): %.200r\n" % (what, e, text))
        sys.exit(2)
'

JSON_MATCH_PY=$JSON_COMMON_PY'
def same(exp, act):
    if isinstance(exp, bool) or isinstance(act, bool):
        return type(exp) is type(act) and exp == act
    return exp == act

def match(exp, act, path, errs):
    if exp == "*":
        return
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            errs.append("%s: expected an object, got %s" % (path, json.dumps(act)))
            return
        for k, v in exp.items():
            if k not in act:
                errs.append("%s.%s: missing (keys: %s)" % (path, k, ", ".join(sorted(act))))
            else:
                match(v, act[k], "%s.%s" % (path, k), errs)
    elif isinstance(exp, list):
        if not isinstance(act, list):
            errs.append("%s: expected an array, got %s" % (path, json.dumps(act)))
            return
        j = 0
        for i, e in enumerate(exp):
            while j < len(act) and not ok(e, act[j]):
                j += 1
            if j == len(act):
                errs.append("%s[%d]: no element (in order) matches %s" % (path, i, json.dumps(e)))
                return
            j += 1
    elif not same(exp, act):
        errs.append("%s: expected %s, got %s" % (path, json.dumps(exp), json.dumps(act)))

def ok(exp, act):
    errs = []
    match(exp, act, "$", errs)
    return not errs

actual = load(sys.argv[1], "the actual document")
errs = []
for arg in sys.argv[2:]:
    if arg[:1] in "{[":
        match(load(arg, "an expectation"), actual, "$", errs)
        continue
    path, eq, raw = arg.partition("=")
    if not eq:
        sys.stderr.write("json_match: %r is neither JSON nor PATH=VALUE\n" % arg)
        sys.exit(2)
    try:
        got = walk(actual, path)
    except KeyError as e:
        errs.append("%s: missing" % e.args[0])
        continue
    if raw == "*":
        continue
    try:
        want = json.loads(raw)
    except ValueError:
        want = raw
    if not (same(want, got) or (isinstance(got, str) and got == raw)):
        errs.append("$.%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got)))
for e in errs:
    sys.stderr.write("json mismatch: %s\n" % e)
if errs:
    sys.stderr.write("actual document: %.2000s\n" % json.dumps(actual))
sys.exit(1 if errs else 0)
'

JSON_GET_PY=$JSON_COMMON_PY'
try:
    v = walk(load(sys.argv[1], "the document"), sys.argv[2])
except KeyError as e:
    sys.stderr.write("json_get: %s: missing\n" % e.args[0])
    sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))
'
