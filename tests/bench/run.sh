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
# Then captured traffic (issue 7): gen-pcap's ~BENCH_SIZE capture of the sites of
# rules/default.rules, timed with a bare libpcap loop (pcap-count), tshark's HTTP
# dissector and `tempo audit`, each checked against the generator's truth, in a
# third table; and the memory runs of issue 8: tempo on a capture of a million
# half-open streams, of 10,000 unfinished 64 KiB uploads (LIMIT_HTTP_MEMORY) and
# on one 1 GB chunked body, under 512 MiB of RSS each.
#   BENCH_SIZE (default 1G), BENCH_SEED (1), BENCH_MALFORMED (100), TEMPO (build/tempo),
#   GEN (build/gen-log), GEN_PCAP (build/gen-pcap), PCAP_COUNT (build/pcap-count),
#   BENCH_HALF_OPEN (1000000 streams), BENCH_ONE_BODY (1G),
#   BENCH_ONLY=jsonl or BENCH_ONLY=pcap (that part alone)
cd "$(dirname "$0")/../.." || exit 3
SIZE=${BENCH_SIZE:-1G}
SEED=${BENCH_SEED:-1}
MALFORMED=${BENCH_MALFORMED:-100}
TEMPO=${TEMPO:-build/tempo}
GEN=${GEN:-build/gen-log}
GEN_PCAP=${GEN_PCAP:-build/gen-pcap}
PCAP_COUNT=${PCAP_COUNT:-build/pcap-count}
HALF_OPEN=${BENCH_HALF_OPEN:-1000000}
ONE_BODY=${BENCH_ONE_BODY:-1G}
RULES=rules/demo.rules
D=build/bench
LOG=$D/bench.log
TIME=/usr/bin/time
status=0

for tool in "$TEMPO" "$GEN" "$GEN_PCAP" "$PCAP_COUNT" "$TIME"; do
    [ -x "$tool" ] || { echo "bench: $tool is missing (make build/tempo build/gen-log" \
        "build/gen-pcap build/pcap-count bench-deps)" >&2; exit 2; }
done
case ${BENCH_ONLY:-} in
    jsonl) tools=jq ;;
    pcap) tools="tshark jq" ;;
    *) tools="mawk goaccess gzip jq tshark" ;;
esac
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

# truth_of FILE KEY - a value of a generator's truth file (key=value lines)
truth_of() {
    awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$1"
}

# workload FILE TRUTH STAMP CMD... - reuse FILE (and its truth file) when the
# same generator made it with the same options (STAMP, kept in FILE.stamp);
# else make it with CMD
workload() {
    wf=$1; wt=$2; ws=$3; shift 3
    if [ -f "$wf" ] && [ -f "$wt" ] && [ "$(cat "$wf.stamp" 2>/dev/null)" = "$ws" ]; then
        echo "reusing $wf ($ws)"
    else
        rm -f "$wf" "$wf.stamp"
        echo "generating $wf: $*"
        "$@" || { echo "bench: $1 failed" >&2; exit 3; }
        echo "$ws" > "$wf.stamp"
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
    workload "$J" "$D/truth.jsonl" "size=$SIZE seed=$SEED jsonl gen=$(cksum < tests/bench/gen_log.c)" \
        "$GEN" --jsonl --size "$SIZE" --seed "$SEED" --truth "$D/truth.jsonl" -o "$J"
    jtruth() { truth_of "$D/truth.jsonl" "$1"; }
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

# ---- captured traffic: a pcap of the default rules' sites, then the memory runs ----
bench_pcap() {
    P=$D/bench.pcap
    workload "$P" "$D/truth.pcap" "size=$SIZE seed=$SEED pcap gen=$(cksum < tests/bench/gen_pcap.c)" \
        "$GEN_PCAP" --size "$SIZE" --seed "$SEED" --truth "$D/truth.pcap" -o "$P"
    ptruth() { truth_of "$2" "$1"; }
    PT=$D/truth.pcap
    pbytes=$(wc -c < "$P" | tr -d ' ')
    packets=$(ptruth packets "$PT")
    echo "input: $pbytes bytes, $packets packets, $(ptruth connections "$PT") connections," \
         "$(ptruth requests "$PT") HTTP requests, $(ptruth chat.calls "$PT") chat calls" \
         "($(ptruth chat.stream_calls "$PT") streamed), $(ptruth chat.reads "$PT") results read"
    cat "$P" > /dev/null
    timed pcap-count "$PCAP_COUNT" "$P"
    # tshark's output is counted, not stored: `exec` so that time sees tshark itself
    timed tshark sh -c \
        'exec tshark -r "$1" -Y http.request -T fields -e http.request.uri | wc -l' sh "$P"
    timed tempo-pcap "$TEMPO" audit -r rules/default.rules --format json "$P"
    got=$(awk '{ print $1; exit }' "$D/pcap-count.out")
    [ "$got" = "$packets" ] || { echo "CHECK pcap-count: $got packets, truth $packets"; status=1; }
    got=$(awk '{ print $1; exit }' "$D/tshark.out")
    [ "$got" = "$(ptruth requests "$PT")" ] ||
        { echo "CHECK tshark: $got requests, truth $(ptruth requests "$PT")"; status=1; }
    if [ "$(cat "$D/tempo-pcap.rc")" = 0 ]; then
        msg=$(jq -r '.sources[0] | "\(.format) \(.capture.packets) \(.capture.streams)" +
            " \(.capture.exchanges) \(.capture.incomplete)"' "$D/tempo-pcap.out")
        want="pcap $packets $(ptruth connections "$PT") $(ptruth requests "$PT") 0"
        for s in chat embeddings torchserve kserve; do
            msg="$msg $(jq -r --arg s $s '[.sites[] | select(.name == $s)] |
                "\(map(.calls) | add // 0)/\(map(.reads) | add // 0)"' "$D/tempo-pcap.out")"
            want="$want $(ptruth $s.calls "$PT")/$(ptruth $s.reads "$PT")"
        done
        if [ "$msg" = "$want" ]; then
            echo "check tempo-pcap: packets, streams, exchanges and each site's calls/reads" \
                 "match the truth: ok"
        else
            echo "CHECK tempo-pcap: got '$msg', truth '$want'"; status=1
        fi
        # the times: each model's first-read waits (request's first byte minus the
        # call's last response byte), to the microsecond (or the report's 10
        # significant digits, for waits of hours)
        msg=; want=
        for m in m-1 m-2 m-3 m-4; do
            msg="$msg $(jq -r --arg m $m '[.sites[] | select(.name == "chat" and .by == $m)] |
                if length == 0 then "0:,,," else .[0] | "\(.reads):" +
                    ([.wait_s.min, .wait_s.p50, .wait_s.p99, .wait_s.max] |
                    map(if . == null then "" else . * 1e6 | round | tostring end) | join(","))
                end' "$D/tempo-pcap.out")"
            want="$want $(ptruth chat.$m.reads "$PT"):$(ptruth chat.$m.wait_us.min "$PT")"
            want="$want,$(ptruth chat.$m.wait_us.p50 "$PT"),$(ptruth chat.$m.wait_us.p99 "$PT")"
            want="$want,$(ptruth chat.$m.wait_us.max "$PT")"
        done
        if awk -v a="$msg" -v b="$want" 'BEGIN {
                n = split(a, x, " "); if (n != split(b, y, " ")) exit 1
                for (i = 1; i <= n; i++) {
                    split(x[i], p, ":"); split(y[i], q, ":")
                    if (p[1] != q[1]) exit 1        # reads: exact
                    if (q[1] == 0) continue
                    if (split(p[2], u, ",") != 4 || split(q[2], v, ",") != 4) exit 1
                    for (j = 1; j <= 4; j++) {
                        d = u[j] - v[j]; if (d < 0) d = -d
                        if (u[j] !~ /^[0-9]+$/ || d > 1 + v[j] * 1e-9) exit 1
                    }
                }
            }'; then
            echo "check tempo-pcap: each chat model's reads and wait min/p50/p99/max match the" \
                 "truth (1 us, or 10 significant digits): ok"
        else
            echo "CHECK tempo-pcap waits: got '$msg', truth '$want'"; status=1
        fi
    fi
    tsec=$(tail -n 1 "$D/tshark.time" | awk '{ print $1 }')
    echo
    printf '%-10s %9s %9s %12s %13s %10s\n' tool seconds MB/s packets/s "peak RSS MB" "vs tshark"
    for name in pcap-count tshark tempo-pcap; do
        [ -f "$D/$name.time" ] || continue
        if [ "$(cat "$D/$name.rc")" != 0 ]; then
            printf '%-10s failed (exit %s): see %s\n' "$name" "$(cat "$D/$name.rc")" \
                "$D/$name.err"
            continue
        fi
        tail -n 1 "$D/$name.time" | awk -v n="$name" -v b="$pbytes" -v l="$packets" -v g="$tsec" '
            { s = $1; rss = $2 / 1024; t = s > 0 ? s : 0.01
              printf "%-10s %9.2f %9.1f %12.0f %13.1f %9.2fx\n", n, s, b / 1e6 / t, l / t, rss,
                     (g > 0 ? g / t : 0) }'
    done
    echo "(target: tempo at least 10x faster than tshark; peak RSS under 500 MB)"
    if [ "$(cat "$D/tempo-pcap.rc")" = 0 ]; then
        rss=$(tail -n 1 "$D/tempo-pcap.time" | awk '{ printf "%d", $2 / 1024 }')
        [ "$rss" -le 500 ] || { echo "CHECK tempo-pcap: peak RSS $rss MB > 500 MB"; status=1; }
    fi

    # ---- memory: a million half-open streams, one 1 GB chunked body (issue 8) ----
    echo
    for run in halfopen uploads onebody; do
        F=$D/$run.pcap
        case $run in
            halfopen) opt="--half-open $HALF_OPEN" ;;
            uploads) opt="--half-open 10000 --partial 64K" ;; # 64 KiB of body each, unfinished
            onebody) opt="--one-body $ONE_BODY" ;;
        esac
        # shellcheck disable=SC2086 # $opt is an option and its value
        workload "$F" "$D/truth.$run" "$opt seed=$SEED gen=$(cksum < tests/bench/gen_pcap.c)" \
            "$GEN_PCAP" $opt --seed "$SEED" --truth "$D/truth.$run" -o "$F"
        cat "$F" > /dev/null
        timed tempo-$run "$TEMPO" audit -r rules/default.rules --format json "$F"
    done
    echo
    printf '%-15s %10s %10s %9s %13s %9s %11s %10s\n' capture MB streams seconds \
        "peak RSS MB" evicted incomplete exchanges
    for run in halfopen uploads onebody; do
        F=$D/$run.pcap
        [ -f "$D/tempo-$run.time" ] || continue
        if [ "$(cat "$D/tempo-$run.rc")" != 0 ]; then
            printf '%-15s failed (exit %s): see %s\n' "tempo-$run" "$(cat "$D/tempo-$run.rc")" \
                "$D/tempo-$run.err"
            continue
        fi
        c=$(jq -r '.sources[0].capture | "\(.streams) \(.evicted) \(.incomplete) \(.exchanges)"' \
            "$D/tempo-$run.out")
        set -- $c
        tail -n 1 "$D/tempo-$run.time" | awk -v n="tempo-$run" -v b="$(wc -c < "$F")" \
            -v st="$1" -v ev="$2" -v inc="$3" -v ex="$4" '
            { printf "%-15s %10.1f %10d %9.2f %13.1f %9d %11d %10d\n", n, b / 1e6, st, $1,
                     $2 / 1024, ev, inc, ex }'
        rss_kb=$(tail -n 1 "$D/tempo-$run.time" | awk '{ print $2 }')
        [ "$rss_kb" -lt 524288 ] ||
            { echo "CHECK tempo-$run: peak RSS $((rss_kb / 1024)) MiB >= 512 MiB"; status=1; }
        # every connection counted, and the packets libpcap would count
        want="$(ptruth packets "$D/truth.$run") $(ptruth connections "$D/truth.$run")"
        got=$(jq -r '.sources[0].capture | "\(.packets) \(.streams)"' "$D/tempo-$run.out")
        [ "$got" = "$want" ] ||
            { echo "CHECK tempo-$run: packets/streams '$got', truth '$want'"; status=1; }
    done
    echo "(target: under 512 MiB of RSS each, the evictions counted in the report)"
}

case ${BENCH_ONLY:-} in
    jsonl) bench_jsonl; exit $status ;;
    pcap) bench_pcap; exit $status ;;
esac

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
truth() { truth_of "$D/truth" "$1"; } # KEY - a value of the nginx log's truth
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
echo
bench_pcap
exit $status
