# tests/lib.sh - sourced by tests/cli/*.sh. Assertions print
# "FAIL file:line: expected X, got Y"; `finish` prints "N passed, N failed"
# and exits 1 if any failed. $TEMPO is the binary under test; $T a scratch
# directory removed at exit.
PASSED=0; FAILED=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
: "${TEMPO:=$(pwd)/build/san/tempo}"
ROOT=$(pwd)

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $0: $*"; }
# check_eq WHAT EXPECTED GOT
check_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}
# check_contains WHAT FILE TEXT  (fixed string)
check_contains() {
    if grep -qF -- "$3" "$2"; then pass; else fail "$1: expected '$3' in $2"; head -n 20 "$2"; fi
}
check_not_contains() {
    if grep -qF -- "$3" "$2"; then fail "$1: did not expect '$3' in $2"; else pass; fi
}
# check_exit WHAT EXPECTED COMMAND...
check_exit() {
    what=$1; want=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" = "$want" ]; then pass; else
        fail "$what: expected exit $want, got $got"; head -n 10 "$T/err"; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}

# site_json FILE SITE [BY] - the JSON object of one site of a report, compact, via jq.
site_json() {
    if [ -n "$3" ]; then
        jq -c --arg s "$2" --arg b "$3" '.sites[] | select(.name == $s and .by == $b)' "$1"
    else
        jq -c --arg s "$2" '.sites[] | select(.name == $s)' "$1"
    fi
}
# site_field FILE SITE JQ_PATH - e.g. site_field r.json churn .wait_s.p50
site_field() {
    jq -r --arg s "$2" ".sites[] | select(.name == \$s) | $3" "$1"
}
