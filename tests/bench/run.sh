#!/bin/sh
# tests/bench/run.sh - `make bench` (after `make build/tempo build/gen-log` and the
# install of goaccess, mawk and GNU time). Generates a ~1 GB nginx log of the demo
# workload into build/bench/ (kept and reused while size, seed and generator are
# the same), then times on that same file, warm in the page cache: `wc -l`, a mawk
# one-liner, goaccess (JSON report, no UI) and `tempo audit --format json`, plus
# tempo on a gzip'd copy. Prints one table: seconds, MB/s, lines/s, peak RSS and
# speed relative to goaccess; tempo's allocations per event (TEMPO_STATS=1).
# Checks that goaccess really parsed the log and that tempo's counts match the
# generator's truth; exits 1 if not.
# Then the same workload as JSON lines (gen-log --jsonl, ~BENCH_SIZE, no malformed
# lines: jq stops at the first one): `wc -l`, `jq -c 'select(.kind=="call")'` and
# `tempo audit` with tests/data/jsonl/gateway.rules, in a second table.
#   BENCH_SIZE (default 1G), BENCH_SEED (1), BENCH_MALFORMED (100), TEMPO (build/tempo),
#   GEN (build/gen-log), BENCH_ONLY=jsonl (the JSON-lines part alone)
cd "$(dirname "$0")/../.." || exit 3
SIZE=${BENCH_SIZE:-1G}
SEED=${BENCH_SEED:-1}
MALFORMED=${BENCH_MALFORMED:-100}
TEMPO=${TEMPO:-build/tempo}
GEN=${GEN:-build/gen-log}
RULES=rules/demo.rules
D=build/bench
LOG=$D/bench.log
TIME=/usr/bin/time
status=0

for tool in "$TEMPO" "$GEN" "$TIME"; do
    [ -x "$tool" ] ||
        { echo "bench: $tool is missing (make build/tempo build/gen-log bench-deps)" >&2; exit 2; }
done
[ "${BENCH_ONLY:-}" = jsonl ] && tools=jq || tools="mawk goaccess gzip jq"
for tool in $tools; do
    command -v $tool >/dev/null ||
        { echo "bench: $tool is not installed (make bench-deps)" >&2; exit 2; }
done
mkdir -p "$D"

# timed NAME CMD... - run once under GNU time; stdout to $D/NAME.out, stderr to $D/NAME.err
timed() {
    name=$1; shift
    echo "running $name"
    "$TIME" -f '%e %M' -o "$D/$name.time" "$@" > "$D/$name.out" 2> "$D/$name.err"
    rc=$?
    echo $rc > "$D/$name.rc"
    if [ $rc -ne 0 ]; then
        echo "bench: $name exited $rc" >&2; tail -n 5 "$D/$name.err" >&2; status=1
    fi
}

# table BYTES LINES NAME... - seconds, MB/s, lines/s and peak RSS of timed runs
table() {
    tb=$1; tl=$2; shift 2
    printf '%-10s %9s %9s %12s %13s\n' tool seconds MB/s lines/s "peak RSS MB"
    for name in "$@"; do
        [ -f "$D/$name.time" ] || continue
        if [ "$(cat "$D/$name.rc")" != 0 ]; then
            printf '%-10s failed (exit %s): see %s\n' "$name" "$(cat "$D/$name.rc")" \
                "$D/$name.err"
            continue
        fi
        tail -n 1 "$D/$name.time" | awk -v n="$name" -v b="$tb" -v l="$tl" '
            { s = $1; rss = $2 / 1024; t = s > 0 ? s : 0.01
              printf "%-10s %9.2f %9.1f %12.0f %13.1f\n", n, s, b / 1e6 / t, l / t, rss }'
    done
}

# ---- JSON lines: the same workload as a gateway's JSON log ----
bench_jsonl() {
    J=$D/bench.jsonl
    jstamp="size=$SIZE seed=$SEED jsonl gen=$(cksum < tests/bench/gen_log.c)"
    if [ -f "$J" ] && [ -f "$D/truth.jsonl" ] &&
        [ "$(cat "$D/stamp.jsonl" 2>/dev/null)" = "$jstamp" ]; then
        echo "reusing $J ($jstamp)"
    else
        rm -f "$J" "$D/stamp.jsonl"
        echo "generating $J: --jsonl --size $SIZE --seed $SEED"
        "$GEN" --jsonl --size "$SIZE" --seed "$SEED" --truth "$D/truth.jsonl" -o "$J" ||
            { echo "bench: gen-log --jsonl failed" >&2; exit 3; }
        echo "$jstamp" > "$D/stamp.jsonl"
    fi
    jtruth() { awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' \
        "$D/truth.jsonl"; }
    jbytes=$(wc -c < "$J" | tr -d ' ')
    jlines=$(jtruth lines)
    echo "input: $jbytes bytes, $jlines JSON lines, $(jtruth calls) calls"
    cat "$J" > /dev/null
    timed wc-jsonl wc -l "$J"
    # jq's output is counted, not stored: `exec` so that time sees jq itself
    timed jq sh -c 'exec jq -c "select(.kind==\"call\")" "$1" | wc -l' sh "$J"
    timed tempo-jsonl "$TEMPO" audit -r tests/data/jsonl/gateway.rules --format json "$J"
    got=$(awk '{ print $1; exit }' "$D/wc-jsonl.out")
    [ "$got" = "$jlines" ] || { echo "CHECK wc-jsonl: $got lines, truth $jlines"; status=1; }
    got=$(awk '{ print $1; exit }' "$D/jq.out")
    [ "$got" = "$(jtruth calls)" ] ||
        { echo "CHECK jq: $got calls selected, truth $(jtruth calls)"; status=1; }
    if [ "$(cat "$D/tempo-jsonl.rc")" = 0 ]; then
        msg=$(jq -r '.sources[0] | "\(.format) \(.lines) \(.skipped)"' "$D/tempo-jsonl.out")
        want="jsonl $jlines 0"
        for s in churn fraud summary triage weekly; do
            msg="$msg $(jq -r --arg s $s \
                '.sites[] | select(.name == $s and .by == null) | "\(.calls)/\(.reads)"' \
                "$D/tempo-jsonl.out")"
            want="$want $(jtruth $s.calls)/$(jtruth $s.reads)"
        done
        if [ "$msg" = "$want" ]; then
            echo "check tempo-jsonl: format, lines and each site's calls/reads match the truth: ok"
        else
            echo "CHECK tempo-jsonl: got '$msg', truth '$want'"; status=1
        fi
    fi
    echo
    table "$jbytes" "$jlines" wc-jsonl jq tempo-jsonl
    echo "(JSON lines; target: tempo faster than jq)"
}
if [ "${BENCH_ONLY:-}" = jsonl ]; then
    bench_jsonl
    exit $status
fi

# ---- the workload: reuse it when it was made by the same generator with the same options ----
stamp="size=$SIZE seed=$SEED malformed=$MALFORMED gen=$(cksum < tests/bench/gen_log.c)"
if [ -f "$LOG" ] && [ -f "$D/truth" ] && [ "$(cat "$D/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "reusing $LOG ($stamp)"
else
    rm -f "$LOG" "$LOG.gz" "$D/stamp" "$D"/*.time "$D"/*.rc
    echo "generating $LOG: --size $SIZE --seed $SEED --malformed $MALFORMED"
    "$GEN" --size "$SIZE" --seed "$SEED" --malformed "$MALFORMED" --truth "$D/truth" -o "$LOG" ||
        { echo "bench: gen-log failed" >&2; exit 3; }
    echo "$stamp" > "$D/stamp"
fi
if [ ! -f "$LOG.gz" ] || [ "$LOG.gz" -ot "$LOG" ]; then
    echo "compressing $LOG.gz (gzip -1)"
    gzip -1 -c "$LOG" > "$LOG.gz.tmp" && mv "$LOG.gz.tmp" "$LOG.gz" || exit 3
fi
truth() { # KEY - a value of the generator's truth file (key=value lines)
    awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$D/truth"
}
bytes=$(wc -c < "$LOG" | tr -d ' ')
gzbytes=$(wc -c < "$LOG.gz" | tr -d ' ')
lines=$(truth lines)
echo "input: $bytes bytes ($gzbytes gzip'd), $lines lines, $(truth calls) calls," \
     "$(truth malformed) malformed lines, $(truth days) days"
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
cat "$LOG" > /dev/null  # every tool starts with the file in the page cache

GOACCESS_FORMAT='%h %^ %e [%d:%t %^] "%r" %s %b "%R" "%u" %T %^ %^'
timed wc wc -l "$LOG"
timed mawk mawk '{ c[$7]++ } END { for (k in c) n++; print n " paths, " NR " lines" }' "$LOG"
timed goaccess goaccess "$LOG" --log-format="$GOACCESS_FORMAT" --date-format='%d/%b/%Y' \
    --time-format='%H:%M:%S' --no-global-config --no-progress -o "$D/goaccess.json"
TEMPO_STATS=1; export TEMPO_STATS
timed tempo "$TEMPO" audit -r "$RULES" --format json "$LOG"
timed tempo-gz "$TEMPO" audit -r "$RULES" --format json "$LOG.gz"
unset TEMPO_STATS

# ---- did every tool read the whole file? ----
got=$(awk '{ print $1; exit }' "$D/wc.out")
[ "$got" = "$lines" ] || { echo "CHECK wc: $got lines, the generator wrote $lines"; status=1; }
good=$((lines - $(truth malformed)))
total=$(sed -n 's/.*"total_requests": *\([0-9]*\).*/\1/p' "$D/goaccess.json" | head -n 1)
valid=$(sed -n 's/.*"valid_requests": *\([0-9]*\).*/\1/p' "$D/goaccess.json" | head -n 1)
if [ "$valid" = "$good" ] && [ "$total" = "$lines" ]; then
    echo "check goaccess: $valid valid of $total requests = lines minus malformed: ok"
else
    echo "CHECK goaccess: total $total valid $valid, expected total $lines valid $good"; status=1
fi
if command -v jq >/dev/null; then
    for run in tempo tempo-gz; do
        [ "$(cat "$D/$run.rc")" = 0 ] || continue
        j=$D/$run.out
        msg=$(jq -r '.sources[0] | "\(.lines) \(.skipped)"' "$j" 2>/dev/null)
        want="$lines $(truth malformed)"
        for s in churn fraud summary triage weekly; do
            got=$(jq -r --arg s $s '.sites[] | select(.name == $s) | "\(.calls)/\(.reads)"' "$j")
            msg="$msg $got"
            want="$want $(truth $s.calls)/$(truth $s.reads)"
        done
        if [ "$msg" = "$want" ]; then
            echo "check $run: lines, skipped and each site's calls/reads match the truth: ok"
        else
            echo "CHECK $run: got '$msg', truth '$want'"; status=1
        fi
    done
fi

# ---- the table ----
stat_of() { # the value after "NAME " in tempo's TEMPO_STATS line
    sed -n "s/.*[ :]$2 \([0-9][0-9.]*\).*/\1/p" "$D/$1.err" | tail -n 1
}
gsec=$(tail -n 1 "$D/goaccess.time" | awk '{ print $1 }')
echo
printf '%-10s %9s %9s %12s %13s %12s\n' tool seconds MB/s lines/s "peak RSS MB" "vs goaccess"
for name in wc mawk goaccess tempo tempo-gz; do
    [ -f "$D/$name.time" ] || continue
    if [ "$(cat "$D/$name.rc")" != 0 ]; then
        printf '%-10s failed (exit %s): see %s\n' "$name" "$(cat "$D/$name.rc")" "$D/$name.err"
        continue
    fi
    tail -n 1 "$D/$name.time" | awk -v n="$name" -v b="$bytes" -v l="$lines" -v g="$gsec" '
        { s = $1; rss = $2 / 1024; t = s > 0 ? s : 0.01
          printf "%-10s %9.2f %9.1f %12.0f %13.1f %11.2fx\n", n, s, b / 1e6 / t, l / t, rss,
                 (g > 0 ? g / t : 0) }'
done
echo "(MB/s and lines/s of the uncompressed log; vs goaccess = goaccess seconds / seconds)"
for run in tempo tempo-gz; do
    ape=$(stat_of $run "allocations per event")
    allocs=$(stat_of $run allocations)
    events=$(stat_of $run events)
    if [ -n "$ape" ]; then
        echo "$run: $events events, $allocs allocations, $ape allocations per event"
    else
        echo "$run: no TEMPO_STATS line on standard error"
    fi
done
echo
bench_jsonl
exit $status
