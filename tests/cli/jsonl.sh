#!/bin/sh
# JSON lines end to end. The generated workload (gen_log --jsonl: the demo's
# five call sites as a gateway's JSON log, times alternately epoch seconds and
# RFC 3339, durations in latency_ms) audited with tests/data/jsonl/gateway.rules
# (`where` rules on fields, keys by field) must match the generator's truth:
# verdicts, calls, reads, wait p50/min/max to the millisecond, skipped lines.
# Then `status == 200` and `status == "200"` match alike, gzip and standard
# input give the same figures, and a small hand-written file exercises dotted
# paths, arrays, nanosecond and RFC 3339 times, at=start and unit=s.
. tests/lib.sh
RULES=$ROOT/tests/data/jsonl/gateway.rules
GEN=${GEN:-$ROOT/build/gen-log}
if [ ! -x "$GEN" ]; then
    GEN=$T/gen-log
    cc -std=c11 -O2 -o "$GEN" tests/bench/gen_log.c -lm || { fail "cannot build gen-log"; finish; }
fi
# ms SECONDS - seconds with a fraction as whole milliseconds
ms() {
    awk -v x="$1" 'BEGIN { if (x == "" || x == "null") print x; else printf "%.0f\n", x * 1000 }'
}
truth() { awk -F= -v k="$1" '$1 == k { print $2; exit }' "$T/truth"; }
check_truth() {
    if [ -z "$2" ]; then fail "$1: no value in the truth file"; else check_eq "$1" "$2" "$3"; fi
}

MALFORMED=7
"$GEN" --seed 42 --calls 3000 --malformed $MALFORMED --jsonl --truth "$T/truth" -o "$T/gw.jsonl" ||
    { fail "gen-log --jsonl failed"; finish; }
check_eq "generated: first line is JSON" '"call"' "$(head -n 1 "$T/gw.jsonl" | jq .kind)"

check_exit "audit jsonl" 0 "$TEMPO" audit -r "$RULES" --format json "$T/gw.jsonl"
cp "$T/out" "$T/plain.json"
check_eq "format" jsonl "$(jq -r '.sources[0].format' "$T/plain.json")"
check_truth "lines" "$(truth lines)" "$(jq -r '.sources[0].lines' "$T/plain.json")"
check_truth "skipped = malformed" "$(truth malformed)" \
    "$(jq -r '.sources[0].skipped' "$T/plain.json")"
check_eq "truth has the malformed lines asked" $MALFORMED "$(truth malformed)"
check_eq "first error" "not JSON" "$(jq -r '.sources[0].first_errors[0].message' "$T/plain.json")"
check_contains "malformed line shown with its file" "$T/err" "gw.jsonl:"
check_eq "five sites" 5 "$(jq '[.sites[] | select(.by == null)] | length' "$T/plain.json")"
for s in churn fraud summary triage weekly; do
    check_truth "$s: verdict" "$(truth "$s.verdict")" "$(site_field "$T/plain.json" "$s" .verdict)"
    check_truth "$s: calls" "$(truth "$s.calls")" "$(site_field "$T/plain.json" "$s" .calls)"
    check_truth "$s: reads" "$(truth "$s.reads")" "$(site_field "$T/plain.json" "$s" .reads)"
    [ "$s" = summary ] && continue
    for q in p50 min max; do
        check_truth "$s: wait $q (ms)" "$(truth "$s.${q}_wait_ms")" \
            "$(ms "$(site_field "$T/plain.json" "$s" ".wait_s.$q")")"
    done
done
check_eq "summary: no wait" null "$(site_field "$T/plain.json" summary .wait_s)"
check_eq "churn readers by a nested field" true \
    "$(site_field "$T/plain.json" churn '[.readers[].by] | any(startswith("crm-sync/3.2"))')"

# ---- status == 200 (a number) and status == "200" (a string) match alike ----
for form in '200' '"200"'; do
    sed -e "s|and status == \"200\" |and status == $form |" \
        -e "s|and status == 200 |and status == $form |" "$RULES" > "$T/status.rules"
    check_exit "audit status == $form" 0 "$TEMPO" audit -r "$T/status.rules" --format json \
        "$T/gw.jsonl"
    check_truth "status == $form: churn calls" "$(truth churn.calls)" \
        "$(site_field "$T/out" churn .calls)"
    check_truth "status == $form: fraud calls" "$(truth fraud.calls)" \
        "$(site_field "$T/out" fraud .calls)"
done
sed 's|and status == 200 |and status == 404 |' "$RULES" > "$T/status.rules"
check_exit "audit status == 404" 0 "$TEMPO" audit -r "$T/status.rules" --format json "$T/gw.jsonl"
n=$(site_field "$T/out" churn .calls)
check_eq "status == 404: no churn calls" 0 "${n:-0}"

# ---- gzip and standard input: the same sites ----
gzip -c "$T/gw.jsonl" > "$T/gw.jsonl.gz"
jq -c '.sites' "$T/plain.json" > "$T/a"
check_exit "audit gzip" 0 "$TEMPO" audit -r "$RULES" --format json "$T/gw.jsonl.gz"
jq -c '.sites' "$T/out" > "$T/b"
if [ -s "$T/a" ] && cmp -s "$T/a" "$T/b"; then pass; else fail "gzip: sites differ"; fi
check_exit "audit stdin" 0 sh -c '"$1" audit -r "$2" --format json - < "$3"' sh \
    "$TEMPO" "$RULES" "$T/gw.jsonl"
jq -c '.sites' "$T/out" > "$T/b"
if [ -s "$T/a" ] && cmp -s "$T/a" "$T/b"; then pass; else fail "stdin: sites differ"; fi

# ---- by hand: dotted paths, arrays, time forms, at=start, unit=s ----
cat > "$T/hand.rules" <<'R'
tempo 1
min_calls 1
jsonl time=meta.at at=start duration=took unit=s
call chat where req.route == "/v1/chat" and choices.0.index == 0 key=resp.id by=req.model
read chat where req.route == "/v1/results" and ok == true key=req.headers.x-result-id
R
cat > "$T/hand.jsonl" <<'J'
{"meta":{"at":"2026-11-22T10:00:00.000Z"},"took":1.5,"req":{"route":"/v1/chat","model":"m1"},"resp":{"id":"r1"},"choices":[{"index":0}]}
{"meta":{"at":1795341600000000000},"took":"0.5","req":{"route":"/v1/chat","model":"m1"},"resp":{"id":"r2"},"choices":[{"index":0},{"index":1}]}
{"meta":{"at":1795341660000},"took":0.25,"ok":true,"req":{"route":"/v1/results","headers":{"x-result-id":"r1"}}}
{"meta":{"at":"2026-11-22T11:00:01.5+01:00"},"took":0,"ok":true,"req":{"route":"/v1/results","headers":{"x-result-id":"r2"}}}
{"meta":{"at":1795341700},"ok":false,"req":{"route":"/v1/results","headers":{"x-result-id":"r2"}}}
{"meta":{"at":1795341600},"took":1,"req":{"route":"/v1/chat"},"resp":{"id":"r3"},"choices":[{"index":1}]}
{"meta":{},"req":{"route":"/v1/chat"}}
[1]
J
check_exit "audit by hand" 0 "$TEMPO" audit -r "$T/hand.rules" --format json "$T/hand.jsonl"
check_eq "hand: calls" 2 "$(jq '[.sites[] | .calls] | add' "$T/out")"
check_eq "hand: reads" 2 "$(jq '[.sites[] | .reads] | add' "$T/out")"
check_eq "hand: by model" m1 "$(jq -r '.sites[0].by' "$T/out")"
# r1 ready 10:00:01.5, read 10:01:00: 58.5 s; r2 ready 10:00:00.5, read at 10:00:01.5: 1 s
check_eq "hand: min wait" 1 "$(jq '.sites[0].wait_s.min' "$T/out")"
check_eq "hand: max wait" 58.5 "$(jq '.sites[0].wait_s.max' "$T/out")"
check_eq "hand: skipped" 2 "$(jq '.sources[0].skipped' "$T/out")"
check_contains "hand: no time" "$T/err" "hand.jsonl:7: no time field"
check_contains "hand: not an object" "$T/err" "hand.jsonl:8: not a JSON object"
finish
