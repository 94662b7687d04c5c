#!/bin/sh
# tests/fuzz/run.sh [SECONDS] - `make fuzz`: builds tests/fuzz/fuzz_*.c with
# clang's libFuzzer (Debian: clang, libclang-rt-14-dev) under ASan and UBSan and
# runs each for SECONDS (default 300, FUZZ_SECONDS overrides) on a copy of its
# corpus; new crashes land in build/fuzz/NAME/crashes/ - minimise each
# (-minimize_crash=1 -runs=10000), copy it into
# tests/fuzz/corpus/NAME/ once fixed, so `make test` replays it for ever.
#   FUZZ_TARGETS="pcap http"  only these targets (default: every fuzz_*.c)
#   FUZZ_RSS_MB=2048          libFuzzer's -rss_limit_mb (and -malloc_limit_mb)
#   FUZZ_TIMEOUT=25           seconds one input may take before it is a hang
#   FUZZ_WORK=build/fuzz      where NAME/corpus, NAME/crashes and NAME/log go
#   FUZZ_CFLAGS=              more flags for the targets themselves (not src/)
# Objects are compiled once into build/fuzz/obj/ (again when a source, a
# header or the flags change); a target links only the modules its headers
# name (fuzz_tcp.c: tcp.c and the base), all of src/ if that is not enough.
# Prints one line per target - NAME EXECS execs RATE/s cov: N ft: N crashes N
# (new N) - and exits 1 if a build failed or a target crashed.
cd "$(dirname "$0")/../.." || exit 3
secs=${1:-${FUZZ_SECONDS:-300}}
for p in clang libclang-rt-14-dev; do
    dpkg -s $p >/dev/null 2>&1 ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $p >/dev/null
done
command -v clang >/dev/null || {
    echo "run.sh: clang is not installed (make test-deps installs clang and libclang-rt-14-dev)" >&2
    exit 2
}
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -Iinclude -Ibuild/gen"
CFLAGS="$CFLAGS $(pkg-config --cflags libpcap sqlite3 libcjson zlib)"
LIBS="$(pkg-config --libs libpcap sqlite3 libcjson zlib) -lm"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
# Zero large shadow ranges with memset rather than mmap: the decoders' big
# per-file buffers otherwise cost page faults on every run (2x the execs/s).
ASAN_OPTIONS="clear_shadow_mmap_threshold=4294967296${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
obj=build/fuzz/obj
mkdir -p "$obj" && make --no-print-directory build/gen/report_css.h >/dev/null || exit 3
stamp="clang $(clang --version | head -n 1) $CFLAGS $SAN"
if [ "$(cat "$obj/flags" 2>/dev/null)" != "$stamp" ]; then
    rm -f "$obj"/*.o
    echo "$stamp" >"$obj/flags"
fi

# deps FILE...: the src/*.c that FILE needs, by module: a header X.h included
# by it, by a source file taken or by a header brings src/X.c and src/X_*.c.
deps() {
    todo=$*; mods=" arena xmalloc span buf err "
    while [ -n "$todo" ]; do
        set -- $todo; f=$1; shift; todo=$*
        for inc in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
            m=${inc%%_*}
            case "$mods" in *" $m "*) continue ;; esac
            mods="$mods$m "
            [ -f "include/$m.h" ] && todo="$todo include/$m.h"
            for c in src/$m.c src/${m}_*.c; do
                [ -f "$c" ] && [ "$c" != src/main.c ] && todo="$todo $c"
            done
        done
    done
    for m in $mods; do
        for c in src/$m.c src/${m}_*.c; do
            [ -f "$c" ] && [ "$c" != src/main.c ] && echo "$c"
        done
    done | sort -u
}

# objects FILE.c...: compile what is missing or stale; prints the objects.
objects() {
    for c in "$@"; do
        o=$obj/$(basename "$c" .c).o
        if [ ! -f "$o" ] || [ "$c" -nt "$o" ] ||
            [ -n "$(find include src -name '*.h' -newer "$o" | head -n 1)" ]; then
            clang $CFLAGS $SAN -fsanitize=fuzzer-no-link -c -o "$o.tmp" "$c" >&2 &&
                mv "$o.tmp" "$o" || { rm -f "$o.tmp"; return 1; }
        fi
        echo "$o"
    done
}

status=0
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c); name=${name#fuzz_}
    if [ -n "$FUZZ_TARGETS" ]; then
        case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
    fi
    bin=build/fuzz/fuzz_$name
    objs=$(objects $(deps "$t")) &&
        clang $CFLAGS $FUZZ_CFLAGS $SAN -fsanitize=fuzzer -o "$bin" "$t" $objs $LIBS 2>/dev/null ||
        { objs=$(objects $(ls src/*.c | grep -v '^src/main.c$')) &&
            clang $CFLAGS $FUZZ_CFLAGS $SAN -fsanitize=fuzzer -o "$bin" "$t" $objs $LIBS; } ||
        { echo "$name: build failed"; status=1; continue; }
    work=${FUZZ_WORK:-build/fuzz}/$name; mkdir -p "$work/corpus" "$work/crashes"
    cp -n tests/fuzz/corpus/$name/* "$work/corpus/" 2>/dev/null
    touch "$work/started" # crash files are named by their hash: one found again is new too
    "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -timeout="${FUZZ_TIMEOUT:-25}" -artifact_prefix="$work/crashes/" \
        "$work/corpus" >"$work/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/log" | tail -n 1)
    crashes=$(ls "$work/crashes" | wc -l)
    new=$(find "$work/crashes" -type f -newer "$work/started" | wc -l)
    printf '%-10s %10s execs %8s/s  %-22s crashes %s (new %s)\n' "$name" "${execs:-0}" \
        "${rate:-0}" "${cov:-cov: 0 ft: 0}" "$crashes" "$new"
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -E '^==[0-9]+==|^SUMMARY|runtime error|broken:|Test unit written' \
            "$work/log" | head -n 8
    fi
done
exit $status
