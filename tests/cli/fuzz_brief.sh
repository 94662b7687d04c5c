#!/bin/sh
# A brief libFuzzer run of the capture path (tests/fuzz/fuzz_pcap.c: capture
# file -> source -> libpcap -> TCP -> HTTP -> events) in `make test` (issue 7):
# tests/fuzz/run.sh builds it with clang and runs it FUZZ_BRIEF_SECONDS
# (default 20) from its seed corpus, in build/fuzz/brief/. The build must work,
# inputs must run, none may crash, and run.sh must exit 0. `make fuzz` runs
# every target longer; crashes stay in build/fuzz/brief/pcap/crashes/.
. tests/lib.sh
secs=${FUZZ_BRIEF_SECONDS:-20}
work=build/fuzz/brief
if ! command -v clang >/dev/null; then
    fail "clang is not installed: run 'make test-deps' (clang, libclang-rt-14-dev)"
    finish
fi
rm -rf "$work/pcap/corpus" # from the seeds each time: the same work whatever ran before
mkdir -p "$work/pcap/crashes"
touch "$T/started" # crash files are named by their hash: count the ones written since
FUZZ_TARGETS=pcap FUZZ_SECONDS=$secs FUZZ_WORK=$work sh tests/fuzz/run.sh >"$T/run" 2>&1
rc=$?
cat "$T/run"
line=$(grep '^pcap ' "$T/run" | tail -n 1)
if grep -q '^pcap: build failed' "$T/run"; then
    fail "the pcap target did not build with clang -fsanitize=fuzzer (is libclang-rt-14-dev" \
        "installed? make test-deps)"
    finish
fi
check_eq "a result line" yes "$([ -n "$line" ] && echo yes || echo no)"
execs=$(echo "$line" | awk '{ print $2 }')
check_eq "inputs were run" yes "$([ "${execs:-0}" -gt 0 ] 2>/dev/null && echo yes || echo no)"
new=$(find "$work/pcap/crashes" -type f -newer "$T/started")
check_eq "new crash files" 0 "$(echo "$new" | grep -c .)"
echo "$new" | grep . | head -n 3 | sed 's|^|  reproduce: build/fuzz/fuzz_pcap |'
check_eq "run.sh exit" 0 "$rc"
finish
