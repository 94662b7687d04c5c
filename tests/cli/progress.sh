#!/bin/sh
# The progress line: on a terminal (a pseudo-terminal made by script(1)),
# standard error shows bytes read of all the sources, the rate and the time
# left, redrawn in place and cleared at the end; when standard error is not a
# terminal, nothing but the run's own messages. Uses the release build: the
# line appears every 2^18 lines, so the log has a million.
. tests/lib.sh
B=${TEMPO_RELEASE:-$ROOT/build/tempo}
"$ROOT/build/gen-log" --seed 5 --calls 400000 > "$T/big.log" 2>/dev/null
lines=$(wc -l < "$T/big.log")
[ "$lines" -gt 800000 ] && pass || fail "generated only $lines lines"
script -qec "'$B' audit -r '$ROOT/rules/demo.rules' '$T/big.log' >/dev/null" /dev/null > "$T/tty" 2>&1
check_contains "progress: bytes of the total" "$T/tty" " MB read, "
check_contains "progress: rate" "$T/tty" "MB/s, "
check_contains "progress: time left" "$T/tty" " left"
check_contains "progress: redrawn in place" "$T/tty" "$(printf '\r')"
"$B" audit -r "$ROOT/rules/demo.rules" "$T/big.log" > /dev/null 2> "$T/notty"
check_not_contains "no progress off a terminal" "$T/notty" "MB/s"
check_eq "no carriage return off a terminal" 0 "$(tr -cd '\r' < "$T/notty" | wc -c)"
finish
