#!/bin/sh
# OpenTelemetry traces end to end: tests/data/otlp/genai.jsonl was written by
# the OpenTelemetry JS SDK (tests/otel/gen.js says how, and the ground truth):
# 120 chat calls to gpt-4o-mini read 3 h later through linked spans, 120 to
# claude-3-haiku read 50 ms later, 120 embeddings never read. The same figures
# come from a pretty-printed copy; base64 ids and a bad span among good ones.
. tests/lib.sh
FIX=tests/data/otlp/genai.jsonl
cat > "$T/g.rules" <<'RULES'
tempo 1
delay 1h
confidence 99%
min_calls 10
call genai where gen_ai.operation.name ~ "*" key=span_id by=gen_ai.request.model
read genai where link.span_id ~ "*" key=link.span_id
verdict unused    when read_share < 1%
verdict batch     when tolerant_share >= confidence
verdict streaming when p50_wait >= 1m
verdict realtime
RULES

# check_fixture NAME REPORT LINES: the ground truth of gen.js in a report
check_fixture() {
    check_eq "$1 format" otlp "$(jq -r '.sources[0].format' "$2")"
    check_eq "$1 lines" "$3" "$(jq -r '.sources[0].lines' "$2")"
    check_eq "$1 events" 600 "$(jq -r '.sources[0].events' "$2")"
    check_eq "$1 skipped" 0 "$(jq -r '.sources[0].skipped' "$2")"
    check_eq "$1 batch site" '{"v":"batch","c":120,"r":120,"p50":10800}' \
        "$(jq -c '.sites[] | select(.name == "genai" and .by == "gpt-4o-mini")
                  | {v: .verdict, c: .calls, r: .reads, p50: .wait_s.p50}' "$2")"
    check_eq "$1 realtime site" '{"v":"realtime","c":120,"r":120,"p50":0.05}' \
        "$(jq -c '.sites[] | select(.name == "genai" and .by == "claude-3-haiku")
                  | {v: .verdict, c: .calls, r: .reads, p50: .wait_s.p50}' "$2")"
    check_eq "$1 unused site" '{"v":"unused","c":120,"r":0}' \
        "$(jq -c '.sites[] | select(.name == "genai" and .by == "text-embedding-3-small")
                  | {v: .verdict, c: .calls, r: .reads}' "$2")"
    check_eq "$1 latency" 0.8 "$(jq -r '.sites[] | select(.by == "gpt-4o-mini") | .latency_s.p50' "$2")"
}

check_exit "otlp audit" 0 "$TEMPO" audit -r "$T/g.rules" --format json "$FIX"
cp "$T/out" "$T/r.json"
check_fixture "one line per request" "$T/r.json" 6

# The shipped rules know the GenAI conventions (min_calls 100: 120 calls suffice).
check_exit "otlp default rules" 0 "$TEMPO" audit -r rules/default.rules --format json "$FIX"
cp "$T/out" "$T/d.json"
check_fixture "default rules" "$T/d.json" 6

# A single pretty-printed document, as `jq .` writes it.
jq . "$FIX" > "$T/pretty.json"
check_exit "otlp pretty" 0 "$TEMPO" audit -r "$T/g.rules" --format json "$T/pretty.json"
cp "$T/out" "$T/p.json"
check_fixture "pretty" "$T/p.json" "$(wc -l < "$T/pretty.json" | tr -d ' ')"

# Base64 ids (proto3 JSON bytes, as some exporters write them) find hex ones:
# call span id 00000000000000b1 is "AAAAAAAAALE=", its read links it in hex.
# Bare-number times, kind and status as proto enum names, upper-case hex.
T0=1767571200
{
    printf '{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{"name":"x"},"spans":['
    printf '{"traceId":"AAAAAAAAAAAAAAAAAAAAoQ==","spanId":"AAAAAAAAALE=","name":"chat m","kind":"SPAN_KIND_CLIENT",'
    printf '"startTimeUnixNano":%s000000000,"endTimeUnixNano":%s500000000,' $T0 $T0
    printf '"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},'
    printf '{"key":"gen_ai.request.model","value":{"stringValue":"m"}}]}]}]}]}\n'
    printf '{"resourceSpans":[{"scopeSpans":[{"spans":['
    printf '{"traceId":"000000000000000000000000000000A2","spanId":"00000000000000C1","name":"read",'
    printf '"startTimeUnixNano":"%s","endTimeUnixNano":"%s",' $((T0 + 7200))000000000 $((T0 + 7201))000000000
    printf '"links":[{"traceId":"000000000000000000000000000000A1","spanId":"00000000000000B1"}]}]}]}]}\n'
} > "$T/b64.jsonl"
check_exit "otlp base64" 0 "$TEMPO" audit -r "$T/g.rules" --format json "$T/b64.jsonl"
cp "$T/out" "$T/b.json"
check_eq "base64 events" 2 "$(jq -r '.sources[0].events' "$T/b.json")"
check_eq "base64 call read" '{"c":1,"r":1,"p50":7199.5}' \
    "$(jq -c '.sites[] | select(.by == "m") | {c: .calls, r: .reads, p50: .wait_s.p50}' "$T/b.json")"

# The shipped rules key a GenAI call by its span id and its gen_ai.response.id:
# a span carrying the response id reads it (2 h later), before a linked span does.
{
    printf '{"resourceSpans":[{"scopeSpans":[{"spans":['
    printf '{"traceId":"000000000000000000000000000000A1","spanId":"00000000000000B1","name":"chat r",'
    printf '"startTimeUnixNano":"%s000000000","endTimeUnixNano":"%s500000000",' $T0 $T0
    printf '"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},'
    printf '{"key":"gen_ai.request.model","value":{"stringValue":"r"}},'
    printf '{"key":"gen_ai.response.id","value":{"stringValue":"chatcmpl-1"}}]},'
    printf '{"traceId":"000000000000000000000000000000A3","spanId":"00000000000000C3","name":"fetch",'
    printf '"startTimeUnixNano":"%s","endTimeUnixNano":"%s",' $((T0 + 7200))000000000 $((T0 + 7201))000000000
    printf '"attributes":[{"key":"gen_ai.response.id","value":{"stringValue":"chatcmpl-1"}}]},'
    printf '{"traceId":"000000000000000000000000000000A2","spanId":"00000000000000C2","name":"read",'
    printf '"startTimeUnixNano":"%s","endTimeUnixNano":"%s",' $((T0 + 9000))000000000 $((T0 + 9001))000000000
    printf '"links":[{"traceId":"000000000000000000000000000000A1","spanId":"00000000000000B1"}]}]}]}]}\n'
} > "$T/respid.jsonl"
check_exit "otlp response id" 0 "$TEMPO" audit -r rules/default.rules --format json "$T/respid.jsonl"
check_eq "response id read" '{"c":1,"r":1,"p50":7199.5}' \
    "$(jq -c '.sites[] | select(.by == "r") | {c: .calls, r: .reads, p50: .wait_s.p50}' "$T/out")"

# A bad span among good ones is skipped by itself; bad lines are counted.
{
    head -n 1 "$FIX" | jq -c '.resourceSpans[0].scopeSpans[0].spans[1] |= del(.endTimeUnixNano)'
    tail -n +2 "$FIX"
    echo 'not json at all'
    echo '{"resource_logs": []}'
} > "$T/bad.jsonl"
check_exit "otlp bad span" 0 "$TEMPO" audit -r "$T/g.rules" --format json "$T/bad.jsonl"
cp "$T/out" "$T/x.json"
check_eq "bad span events" 599 "$(jq -r '.sources[0].events' "$T/x.json")"
check_eq "bad span skipped" 3 "$(jq -r '.sources[0].skipped' "$T/x.json")"
check_eq "bad span reasons" \
    '[[1,"span without a valid endTimeUnixNano"],[7,"not a JSON object"],[8,"no resourceSpans in object"]]' \
    "$(jq -c '[.sources[0].first_errors[] | [.line, .message]]' "$T/x.json")"
check_eq "bad span calls" 359 \
    "$(jq '[.sites[] | select(.name == "genai") | .calls] | add' "$T/x.json")"

# An unclosed document at the end of input is one skipped record, not a crash.
head -n 40 "$T/pretty.json" > "$T/cut.json"
check_exit "otlp cut" 0 "$TEMPO" audit -r "$T/g.rules" --format json "$T/cut.json"
check_eq "cut skipped" 1 "$(jq -r '.sources[0].skipped' "$T/out")"
check_contains "cut reason" "$T/out" "JSON document not closed at the end of input"

finish
