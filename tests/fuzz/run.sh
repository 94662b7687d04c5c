#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - `make fuzz`: builds every tests/fuzz/fuzz_*.c with
# clang's libFuzzer (Debian: clang, libclang-rt-14-dev) under ASan and UBSan and
# runs each for SECONDS (default 300, FUZZ_SECONDS overrides) on a copy of its
# corpus; new crashes land in build/fuzz/NAME/crashes/ - copy each into
# tests/fuzz/corpus/NAME/ once fixed, so `make test` replays it for ever.
cd "$(dirname "$0")/../.." || exit 3
secs=${1:-${FUZZ_SECONDS:-300}}
for p in clang libclang-rt-14-dev; do
    dpkg -s $p >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $p >/dev/null
done
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -Iinclude -Ibuild/gen $(pkg-config --cflags libpcap sqlite3 libcjson zlib)"
LIBS="$(pkg-config --libs libpcap sqlite3 libcjson zlib) -lm"
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
lib=$(ls src/*.c | grep -v '^src/main.c$')
mkdir -p build/fuzz && make --no-print-directory build/gen/report_css.h >/dev/null || exit 3
status=0
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c); name=${name#fuzz_}
    bin=build/fuzz/fuzz_$name
    clang $CFLAGS $SAN -o "$bin" "$t" $lib $LIBS || { status=1; continue; }
    work=build/fuzz/$name; mkdir -p "$work/corpus" "$work/crashes"
    cp -n tests/fuzz/corpus/$name/* "$work/corpus/" 2>/dev/null
    "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/crashes/" \
        "$work/corpus" >"$work/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1)
    crashes=$(ls "$work/crashes" | wc -l)
    printf '%-10s %10s execs %8s/s  %-10s crashes %s\n' "$name" "$execs" "$rate" "$cov" "$crashes"
    [ "$rc" -ne 0 ] && status=1
done
exit $status
