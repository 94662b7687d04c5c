#!/bin/sh
# End to end on a generated workload: tests/bench/gen_log.c writes two weeks of
# an nginx log with five call sites of known behaviour (churn batch, fraud
# realtime, summary unused, triage streaming, weekly bulk-read batch), noise
# and malformed lines, and the ground truth (--truth, key=value). The audit's
# JSON must match it exactly: verdicts, calls, reads, wait p50/min/max to the
# millisecond, skipped lines; a --since/--until window must hold exactly the
# calls of its days; gzip, standard input and a split into two sources must
# give the same figures. No jq: the JSON is flattened by a small awk parser.
. tests/lib.sh
RULES=${RULES:-$ROOT/rules/demo.rules}
GEN=${GEN:-$ROOT/build/gen-log}
if [ ! -x "$GEN" ]; then
    GEN=$T/gen-log
    cc -std=c11 -O2 -o "$GEN" tests/bench/gen_log.c -lm || { fail "cannot build gen-log"; finish; }
fi

# flat FILE: one "path=value" line per JSON scalar, e.g. sites.0.wait_s.p50=74949.105
# (strings without their quotes, escapes left as written, null as null).
cat > "$T/flat.awk" <<'AWK'
function ws() { while (pos <= n && index(" \t\r\n", substr(s, pos, 1))) pos++ }
function str(   out, c) {
    pos++; out = ""
    while (pos <= n) {
        c = substr(s, pos, 1)
        if (c == "\\") { out = out c substr(s, pos + 1, 1); pos += 2; continue }
        pos++
        if (c == "\"") return out
        out = out c
    }
    bad = 1; return out
}
function val(path,   c, k, i, lit) {
    ws(); c = substr(s, pos, 1)
    if (c == "{") {
        pos++; ws(); if (substr(s, pos, 1) == "}") { pos++; return }
        while (pos <= n) {
            ws(); k = str(); ws(); pos++
            val(path == "" ? k : path "." k)
            ws(); c = substr(s, pos, 1); pos++
            if (c == "}") return
            if (c != ",") { bad = 1; return }
        }
        bad = 1; return
    }
    if (c == "[") {
        pos++; ws(); if (substr(s, pos, 1) == "]") { pos++; return }
        for (i = 0; pos <= n; i++) {
            val(path "." i)
            ws(); c = substr(s, pos, 1); pos++
            if (c == "]") return
            if (c != ",") { bad = 1; return }
        }
        bad = 1; return
    }
    if (c == "\"") { print path "=" str(); return }
    lit = ""
    while (pos <= n && index(",}] \t\r\n", substr(s, pos, 1)) == 0) {
        lit = lit substr(s, pos, 1); pos++
    }
    if (lit == "") { bad = 1; pos++; return }
    print path "=" lit
}
{ s = s $0 "\n" }
END { n = length(s); pos = 1; val(""); ws(); if (bad || pos <= n) print "json_error=1" }
AWK
flat() { awk -f "$T/flat.awk" "$1"; }
# get FLAT KEY - the value of one flattened key
get() { awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$1"; }
# site FLAT SITE FIELD - FIELD (e.g. wait_s.p50) of the site called SITE
site() {
    awk -v site="$2" -v f="$3" '
        { eq = index($0, "="); k = substr($0, 1, eq - 1); v[k] = substr($0, eq + 1) }
        k ~ /^sites\.[0-9]+\.name$/ && v[k] == site { split(k, a, "."); at = a[2] }
        END { if (at != "" && (("sites." at "." f) in v)) print v["sites." at "." f] }' "$1"
}
# check_same WHAT FILE1 FILE2: the files are equal and not empty
check_same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then pass; else
        fail "$1: $2 and $3 differ"; diff "$2" "$3" | head; fi
}
# truth KEY - a value of the generator's truth file
truth() { get "$T/truth" "$1"; }
# ms SECONDS - seconds with a fraction as whole milliseconds ("74949.105" -> 74949105)
ms() {
    awk -v x="$1" 'BEGIN { if (x == "" || x == "null") print x; else printf "%.0f\n", x * 1000 }'
}
# check_truth WHAT EXPECTED GOT: like check_eq, but an empty truth is a failure too
check_truth() {
    if [ -z "$2" ]; then fail "$1: no value in the truth file"; else check_eq "$1" "$2" "$3"; fi
}

SITES="churn fraud summary triage weekly"
MALFORMED=7
"$GEN" --seed 42 --calls 3000 --malformed $MALFORMED --truth "$T/truth" -o "$T/gw.log" ||
    { fail "gen-log failed"; finish; }

# ---- one plain file: every figure against the truth ----
check_exit "audit plain" 0 "$TEMPO" audit -r "$RULES" --format json "$T/gw.log"
cp "$T/out" "$T/plain.json"
flat "$T/plain.json" > "$T/plain.flat"
check_eq "plain: JSON parses" "" "$(get "$T/plain.flat" json_error)"
check_truth "plain: lines" "$(truth lines)" "$(get "$T/plain.flat" sources.0.lines)"
check_truth "plain: skipped = malformed" "$(truth malformed)" \
    "$(get "$T/plain.flat" sources.0.skipped)"
check_eq "plain: truth has the malformed lines asked" $MALFORMED "$(truth malformed)"
check_truth "plain: events" "$(($(truth lines) - $(truth malformed)))" \
    "$(get "$T/plain.flat" sources.0.events)"
check_eq "plain: five sites" 5 "$(grep -c '^sites\.[0-9]*\.name=' "$T/plain.flat")"
check_contains "plain: malformed line reported" "$T/err" "gw.log:"
for s in $SITES; do
    check_truth "$s: verdict" "$(truth "$s.verdict")" "$(site "$T/plain.flat" "$s" verdict)"
    check_truth "$s: calls" "$(truth "$s.calls")" "$(site "$T/plain.flat" "$s" calls)"
    check_truth "$s: reads" "$(truth "$s.reads")" "$(site "$T/plain.flat" "$s" reads)"
    if [ "$s" = summary ]; then
        check_eq "summary: no reads in the truth" 0 "$(truth summary.reads)"
        check_eq "summary: no wait" null "$(site "$T/plain.flat" summary wait_s)"
        continue
    fi
    for q in p50 min max; do
        check_truth "$s: wait $q (ms)" "$(truth "$s.${q}_wait_ms")" \
            "$(ms "$(site "$T/plain.flat" "$s" "wait_s.$q")")"
    done
done
# the truth is what the workload promises, not an echo of the audit
check_eq "truth: churn waits 14-27 h" 1 \
    "$(awk -v a="$(truth churn.min_wait_ms)" -v b="$(truth churn.max_wait_ms)" \
        'BEGIN { print (a >= 14 * 3600000 && b < 27 * 3600000) }')"
check_eq "truth: fraud waits 5-100 ms" "5 100" \
    "$(truth fraud.min_wait_ms) $(truth fraud.max_wait_ms)"
check_eq "truth: triage waits 2-40 min" 1 \
    "$(awk -v a="$(truth triage.min_wait_ms)" -v b="$(truth triage.max_wait_ms)" \
        'BEGIN { print (a >= 120000 && b <= 2400000) }')"
check_eq "fraud kept" true "$(site "$T/plain.flat" fraud kept)"

# ---- --since/--until: exactly the calls of the days inside [since, until) ----
since=2026-11-04; until=2026-11-11
check_exit "audit window" 0 "$TEMPO" audit -r "$RULES" --format json \
    --since "${since}T00:00:00Z" --until "${until}T00:00:00Z" "$T/gw.log"
flat "$T/out" > "$T/window.flat"
for s in $SITES; do
    want=$(awk -F= -v s="$s" -v a="$since" -v b="$until" '
        $1 ~ "^day\\." && $1 ~ "\\." s "\\.calls$" {
            d = substr($1, 5, 10); if (d >= a && d < b) n += $2 }
        END { print n + 0 }' "$T/truth")
    all=$(truth "$s.calls")
    check_truth "$s: calls in window" "$want" "$(site "$T/window.flat" "$s" calls)"
    # the window must really cut: fewer calls than the whole log, unless none at all
    if [ "$all" -gt 0 ] && [ "$want" -ge "$all" ]; then
        fail "$s: the window does not narrow ($want of $all calls)"
    else pass; fi
done

# ---- gzip: the same JSON but for the file's name and its gzip flag ----
gzip -c "$T/gw.log" > "$T/gw.log.gz"
check_exit "audit gzip" 0 "$TEMPO" audit -r "$RULES" --format json "$T/gw.log.gz"
flat "$T/out" > "$T/gz.flat"
check_eq "gzip: flagged" true "$(get "$T/gz.flat" sources.0.gzip)"
same() { grep -v -e '^generated_at=' -e '^sources\.0\.path=' -e '^sources\.0\.gzip=' \
              -e '^sources\.0\.bytes=' "$1"; }
same "$T/plain.flat" > "$T/a"; same "$T/gz.flat" > "$T/b"
check_same "gzip JSON equals plain" "$T/a" "$T/b"

# ---- standard input ----
check_exit "audit stdin" 0 sh -c '"$1" audit -r "$2" --format json - < "$3"' sh \
    "$TEMPO" "$RULES" "$T/gw.log"
flat "$T/out" > "$T/stdin.flat"
check_eq "stdin: path" - "$(get "$T/stdin.flat" sources.0.path)"
same "$T/stdin.flat" > "$T/b"
check_same "stdin JSON equals plain" "$T/a" "$T/b"

# ---- two sources: the gateway's calls, the results service's reads (gzip) ----
"$GEN" --seed 42 --calls 3000 --malformed $MALFORMED --truth "$T/truth2" -o "$T/gateway.log" \
    --reads-to "$T/results.log" || fail "gen-log --reads-to failed"
gzip "$T/results.log"
grep -v -e '^lines' -e '^bytes' "$T/truth" > "$T/a"
grep -v -e '^lines' -e '^bytes' "$T/truth2" > "$T/b"
check_same "split: same truth" "$T/a" "$T/b"
check_exit "audit two sources" 0 "$TEMPO" audit -r "$RULES" --format json \
    "$T/gateway.log" "$T/results.log.gz"
flat "$T/out" > "$T/split.flat"
check_truth "split: gateway lines" "$(get "$T/truth2" lines.main)" \
    "$(get "$T/split.flat" sources.0.lines)"
check_truth "split: results lines" "$(get "$T/truth2" lines.reads)" \
    "$(get "$T/split.flat" sources.1.lines)"
grep '^sites\.' "$T/plain.flat" > "$T/a"; grep '^sites\.' "$T/split.flat" > "$T/b"
check_same "two sources: sites as from one file" "$T/a" "$T/b"
finish
