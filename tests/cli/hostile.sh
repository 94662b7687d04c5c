#!/bin/sh
# Hostile inputs through `tempo audit` (issue 8): 1 MiB and 10 MiB lines, NUL
# runs, invalid UTF-8 (the reports stay valid UTF-8), pcap record headers that
# lie about their length, pcapng blocks claiming 1 GiB or a length not a
# multiple of 4, a 1 MiB path against a pattern with two '*', 10,000-level
# JSON nesting (JSON lines, OTLP, an HTTP body in a capture), numbers out of
# range (times, durations, token counts, years), OTLP of the wrong shape. Each
# run has a timeout and a cap on peak RSS; each gives a per-file message or a
# counted skip and exit 0 or 2 (PRODUCT.md §5), never a crash, a sanitizer
# report or a hang. Captures come from tests/data/hostile/mkcap.c, built here.
. tests/lib.sh
RSS_CAP_KB=524288 # 512 MiB, the issue's bound for a 1 GB capture
LIMIT_S=120       # a run past this is a hang

# run_hostile WHAT WANT_EXIT COMMAND... - like check_exit, under a timeout ($LIMIT_S),
# with peak RSS from /usr/bin/time when it is installed; stdout in $T/out,
# stderr in $T/err.
run_hostile() {
    what=$1; want=$2; shift 2
    rm -f "$T/rss"
    if [ -x /usr/bin/time ]; then
        timeout "$LIMIT_S" /usr/bin/time -f '%M' -o "$T/rss" "$@" > "$T/out" 2> "$T/err"
    else
        timeout "$LIMIT_S" "$@" > "$T/out" 2> "$T/err"
    fi
    got=$?
    if [ "$got" = 124 ]; then fail "$what: still running after $LIMIT_S s"
    elif [ "$got" -ge 128 ]; then fail "$what: killed by a signal (exit $got)"; head -n 20 "$T/err"
    elif [ "$got" != "$want" ]; then fail "$what: expected exit $want, got $got"; head -n 5 "$T/err"
    else pass; fi
    if grep -qE 'Sanitizer|runtime error:' "$T/err"; then
        fail "$what: sanitizer report"; grep -E -A5 'Sanitizer|runtime error:' "$T/err" | head -n 20
    else pass; fi
    if [ -s "$T/rss" ]; then
        rss=$(tail -n 1 "$T/rss")
        if [ "$rss" -le $RSS_CAP_KB ]; then pass
        else fail "$what: peak RSS $rss KB over $RSS_CAP_KB KB"; fi
    fi
}
# src FIELD - a field of the first source in the JSON report $T/out
src() { jq -r ".sources[0].$1" "$T/out"; }
# skipped_lines - the lines the first source shows as skipped
skipped_lines() { jq -r '[.sources[0].first_errors[].line | tostring] | join(" ")' "$T/out"; }
# utf8_ok WHAT FILE - FILE is valid UTF-8
utf8_ok() {
    if iconv -f UTF-8 -t UTF-8 "$2" > /dev/null 2>&1; then pass
    else fail "$1: $2 is not valid UTF-8"; fi
}
# zeros N / fill N CHAR - N NUL bytes / N bytes of CHAR
zeros() { head -c "$1" /dev/zero; }
fill() { head -c "$1" /dev/zero | tr '\0' "$2"; }
MIB=1048576

# cline TIME REQUEST [AGENT] - a combined-format line
cline() {
    printf '127.0.0.1 - - [10/Oct/2026:%s +0000] "%s HTTP/1.1" 200 12 "-" "%s"\n' "$1" "$2" \
        "${3:-curl/8.0}"
}
cat > "$T/a.rules" <<'RULES'
tempo 1
min_calls 1
call gen POST /v1/gen/{model} key=query.id by=model
read gen GET /v1/results/{key} by=header.user-agent
RULES

# ---- long lines: 1 MiB - 1 (read), 1 MiB + 1 and 10 MiB (skipped), a last
# ---- line of 10 MiB without '\n'; plain, gzip'd and on standard input ----
{ cline 13:00:00 "POST /v1/gen/m1?id=a1"
  cline 13:00:01 "POST /v1/gen/m1?id=a2" "$(fill $((MIB - 100)) u)"
  cline 13:00:02 "POST /v1/gen/m1?id=a3" "$(fill $((MIB + 1)) v)"
  fill $((10 * MIB)) y; echo
  cline 15:00:00 "GET /v1/results/a1"
  fill $((10 * MIB)) z; } > "$T/long.log"
check_eq "long: the second line is under 1 MiB" 1 \
    "$([ "$(sed -n 2p "$T/long.log" | wc -c)" -le $MIB ] && echo 1)"
gzip -c "$T/long.log" > "$T/long.log.gz"
for how in file gzip stdin; do
    case $how in
    file) run_hostile "long lines ($how)" 0 "$TEMPO" audit -r "$T/a.rules" --format json \
        "$T/long.log" ;;
    gzip) run_hostile "long lines ($how)" 0 "$TEMPO" audit -r "$T/a.rules" --format json \
        "$T/long.log.gz" ;;
    stdin) run_hostile "long lines ($how)" 0 sh -c '"$1" audit -r "$2" --format json - < "$3"' \
        sh "$TEMPO" "$T/a.rules" "$T/long.log" ;;
    esac
    check_eq "long ($how): lines" 6 "$(src lines)"
    check_eq "long ($how): events" 3 "$(src events)"
    check_eq "long ($how): skipped" 3 "$(src skipped)"
    check_eq "long ($how): skipped lines" "3 4 6" "$(skipped_lines)"
    check_eq "long ($how): reasons" 3 "$(grep -c ': line longer than 1 MiB' "$T/err")"
    check_eq "long ($how): calls" 2 "$(jq -r '[.sites[].calls] | add' "$T/out")"
    check_eq "long ($how): the read" 1 "$(jq -r '[.sites[].reads] | add' "$T/out")"
done

# ---- NUL runs: inside lines, between them, a log of nothing else ----
# nginx logs a NUL in a header as \x00; a raw one is kept as data too (and
# escaped by every report).
{ cline 13:00:00 "POST /v1/gen/m1?id=n1"
  zeros 100000; echo
  printf 'abc'; zeros 5000; printf 'def\n'
  cline 13:00:01 "POST /v1/gen/m1?id=n2"
  zeros $((3 * MIB)); echo
  printf '127.0.0.1 - - [10/Oct/2026:15:00:00 +0000] "GET /v1/results/n1 HTTP/1.1" 200 1 '
  printf '"-" "c\000\000l"\n'; } > "$T/nul.log"
run_hostile "NUL runs" 0 "$TEMPO" audit -r "$T/a.rules" --format json "$T/nul.log"
check_eq "NUL runs: lines" 6 "$(src lines)"
check_eq "NUL runs: events" 3 "$(src events)"
check_eq "NUL runs: skipped" 3 "$(src skipped)"
check_eq "NUL runs: the skipped lines" "2 3 5" "$(skipped_lines)"
check_eq "NUL runs: each skip shown" 3 "$(grep -cE '^[^ ]*nul.log:[235]: ' "$T/err")"
check_eq "NUL runs: the call read" 1 "$(jq -r '.sites[0].reads' "$T/out")"
check_eq "NUL runs: the reader, escaped" '"c\u0000\u0000l"' \
    "$(jq -c '.sites[0].readers[0].by' "$T/out")"
printf '{"ts":1700000000,"kind":"call","id":"x\000y"}\n{"ts":1700000001,"kind":"call","id":"ok"}\n' \
    > "$T/nul.jsonl"
printf 'tempo 1\nmin_calls 1\ncall c where kind == "call" key=id\n' > "$T/c.rules"
run_hostile "NUL in JSON lines" 0 "$TEMPO" audit -r "$T/c.rules" --format json "$T/nul.jsonl"
check_eq "NUL in JSON lines: events" 1 "$(src events)"
check_eq "NUL in JSON lines: skipped" 1 "$(src skipped)"
check_contains "NUL in JSON lines: said" "$T/err" "nul.jsonl:1: "
zeros $((3 * MIB)) > "$T/zeros.log"
run_hostile "only NULs" 2 "$TEMPO" audit -r "$T/a.rules" --format json "$T/zeros.log"
check_contains "only NULs: said" "$T/err" "zeros.log: cannot tell the format"

# ---- invalid UTF-8 in paths, user agents, by= values, keys and a file name:
# ---- every report stays valid UTF-8 ----
bad=$(printf 'bad\377name.log')
{ cline 13:00:00 "POST /v1/gen/m$(printf '\377\300\257')?id=k$(printf '\355\240\200')" \
      "ua-$(printf '\364\220\200\200')"
  cline 13:00:01 "POST /v1/gen/$(printf '\303(')?id=k2" 'ua-\xff\xfe'
  cline 15:00:00 "GET /v1/results/k$(printf '\355\240\200')" "reader-$(printf '\200\201')"
  cline 15:00:01 "GET /v1/results/k2" 'r\xc3\x28'
  cline 15:00:02 "GET /v1/results/k2" "$(printf '\342\202')"; } > "$T/$bad"
printf '%s\n' '{"ts":1700000000,"kind":"call","id":"j1","by":"b\udc00"}' \
    "{\"ts\":1700000001,\"kind\":\"call\",\"id\":\"j2\",\"by\":\"b$(printf '\377')\"}" \
    '{"ts":1700000002,"kind":"call","id":"j3","by":"\u00e9\ud83d\ude00"}' > "$T/u.jsonl"
cat "$T/a.rules" - > "$T/u.rules" <<'RULES'
call json where kind == "call" key=id by=by
keep gen "kept: \377 not UTF-8"
RULES
run_hostile "invalid UTF-8: report" 0 "$TEMPO" report -r "$T/u.rules" -o "$T/rep" --no-charts \
    "$T/$bad" "$T/u.jsonl"
for f in report.json report.md report.html sites.csv; do utf8_ok "invalid UTF-8" "$T/rep/$f"; done
jq -e . "$T/rep/report.json" > /dev/null 2>&1 && pass ||
    fail "invalid UTF-8: report.json is not JSON"
# gen by two models, json by "b\377" and "é😀"; "b\udc00" is no JSON (a lone surrogate)
check_eq "invalid UTF-8: site rows" "gen gen json json" \
    "$(jq -r '[.sites[].name] | sort | join(" ")' "$T/rep/report.json")"
check_eq "invalid UTF-8: every call" 4 "$(jq '[.sites[].calls] | add' "$T/rep/report.json")"
# gen_sites FIELD - FIELD of each gen site of the report
gen_sites() {
    jq -r "[.sites[] | select(.name == \"gen\") | .$1 | tostring] | join(\" \")" "$T/rep/report.json"
}
check_eq "invalid UTF-8: reads found by their keys" "1 1" "$(gen_sites reads)"
check_eq "invalid UTF-8: kept with its reason" "true true" "$(gen_sites kept)"
check_contains "invalid UTF-8: the lone surrogate said" "$T/err" "u.jsonl:1: not JSON"
check_eq "invalid UTF-8: the file name, its bad byte replaced" true \
    "$(jq -r '.sources[0].path | endswith("/bad\ufffdname.log")' "$T/rep/report.json")"
run_hostile "invalid UTF-8: gate" 1 "$TEMPO" gate -r "$T/u.rules" --summary "$T/sum.md" \
    --junit "$T/junit.xml" --sarif "$T/sarif.json" "$T/$bad" "$T/u.jsonl"
for f in sum.md junit.xml sarif.json out; do utf8_ok "invalid UTF-8: gate" "$T/$f"; done
xmllint --noout "$T/junit.xml" 2>/dev/null && pass || fail "invalid UTF-8: junit.xml is not XML"
jq -e . "$T/sarif.json" > /dev/null 2>&1 && pass || fail "invalid UTF-8: sarif.json is not JSON"

# ---- captures: record headers that lie, blocks claiming 1 GiB, nesting ----
cc -std=c11 -O1 -o "$T/mkcap" tests/data/hostile/mkcap.c || fail "mkcap does not build"
cat > "$T/cap.rules" <<'RULES'
tempo 1
min_calls 1
call chat POST /v1/chat/completions key=resp.id by=req.model
RULES
# cap KIND WANT_EXIT - the capture KIND through tempo audit
cap() {
    "$T/mkcap" "$1" "$T/$1.pcap" || fail "mkcap $1"
    run_hostile "capture $1" "$2" "$TEMPO" audit -r "$T/cap.rules" --format json "$T/$1.pcap"
}
for k in good ng-good; do
    cap $k 0
    check_eq "$k: exchanges" 1 "$(src capture.exchanges)"
    check_eq "$k: by model" m1 "$(jq -r '.sites[0].by' "$T/out")"
done
# read past: caplen > the file's snaplen, caplen > len (libpcap lets them by)
for k in snaplen caplen-len; do
    cap $k 0
    check_eq "$k: the exchanges around it" 2 "$(src capture.exchanges)"
    check_eq "$k: packets" 13 "$(src capture.packets)"
done
check_eq "caplen-len: no skip" 0 "$(src skipped)"
# refused at the record, what came before kept: caplen 2^31, a 1 GiB EPB, an
# EPB of 61 bytes
for k in caplen-2g ng-epb-1g ng-epb-odd; do
    cap $k 0
    check_eq "$k: the exchange before it" 1 "$(src capture.exchanges)"
    check_eq "$k: counted" 1 "$(src skipped)"
    check_eq "$k: the damaged record" 7 "$(src 'first_errors[0].line')"
    check_contains "$k: said" "$T/err" "$k.pcap: damaged capture at record 7: "
    [ $k = caplen-2g ] && check_contains "$k: why" "$T/err" "2147483648"
done
# refused at the start: a section header block of 1 GiB or of 30 bytes
for k in ng-shb-1g ng-shb-odd; do
    cap $k 2
    check_contains "$k: said" "$T/err" "$k.pcap: not a readable capture: "
done
# an HTTP body nested 10,000 deep: the exchange stays, its fields are not read
for k in deep ng-deep; do
    cap $k 0
    check_eq "$k: exchanges" 2 "$(src capture.exchanges)"
    check_eq "$k: calls" 2 "$(jq '[.sites[].calls] | add' "$T/out")"
    check_eq "$k: no model from the deep body" 1 \
        "$(jq '[.sites[] | select(.by == null)] | length' "$T/out")"
done
cap utf8 0
check_eq "utf8 capture: exchanges" 3 "$(src capture.exchanges)"
utf8_ok "utf8 capture" "$T/out"

# ---- a 1 MiB path against a pattern with two '*': matching must not
# ---- backtrack its way to hours (each '*' tries every split of the rest) ----
printf 'tempo 1\nmin_calls 1\ncall x POST /a/*/b/*/c\ncall y POST /a/*\n' > "$T/star.rules"
{ cline 12:00:00 "POST /a/short"
  printf '127.0.0.1 - - [10/Oct/2026:13:00:00 +0000] "POST /a'; fill $((MIB / 2 - 100)) '\n' |
      sed 's|^|/b|' | tr -d '\n'; printf 'x HTTP/1.1" 200 1 "-" "a"\n'; } > "$T/star.log"
LIMIT_S=30
run_hostile "two stars, a 1 MiB path" 0 "$TEMPO" audit -r "$T/star.rules" --format json \
    "$T/star.log"
LIMIT_S=120
check_eq "two stars: the lines read" 2 "$(src events)"
check_eq "two stars: calls of y, not x" "y 2" \
    "$(jq -r '.sites[] | select(.calls > 0) | "\(.name) \(.calls)"' "$T/out")"

# ---- 10,000-level nesting in JSON lines and OTLP (one line, and pretty) ----
deep() { fill 10000 '['; fill 10000 ']'; }
{ printf '{"ts":1700000000,"kind":"call","id":"d","x":'; deep; echo '}'
  echo '{"ts":1700000001,"kind":"call","id":"ok"}'; } > "$T/deep.jsonl"
run_hostile "deep JSON lines" 0 "$TEMPO" audit -r "$T/c.rules" --format json "$T/deep.jsonl"
check_eq "deep JSON lines: events" 1 "$(src events)"
check_contains "deep JSON lines: said" "$T/err" "deep.jsonl:1: JSON nesting deeper than 1000"
# span FIELDS - an OTLP record of one span with these fields
span() { printf '{"resourceSpans":[{"scopeSpans":[{"spans":[{%s}]}]}]}' "$1"; }
S='"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000"'
OK=$(span "\"name\":\"ok\",$S")
printf 'tempo 1\nmin_calls 1\ncall c where name ~ "*" by=kind\n' > "$T/o.rules"
{ printf '{"resourceSpans":'; deep; echo '}'; echo "$OK"; } > "$T/deep.otlp"
run_hostile "deep OTLP" 0 "$TEMPO" audit -r "$T/o.rules" --format json "$T/deep.otlp"
check_eq "deep OTLP: events" 1 "$(src events)"
check_eq "deep OTLP: skipped" 1 "$(src skipped)"
check_contains "deep OTLP: said" "$T/err" "deep.otlp:1: "
{ echo "$OK"; echo '{'; echo '  "resourceSpans":'
  i=0; while [ $i -lt 100 ]; do echo "  $(fill 100 '[')"; i=$((i + 1)); done
  i=0; while [ $i -lt 100 ]; do echo "  $(fill 100 ']')"; i=$((i + 1)); done
  echo '}'; echo "$OK"; } > "$T/deep-pretty.otlp"
run_hostile "deep pretty OTLP" 0 "$TEMPO" audit -r "$T/o.rules" --format json "$T/deep-pretty.otlp"
check_eq "deep pretty OTLP: events" 2 "$(src events)"
check_eq "deep pretty OTLP: skipped" 1 "$(src skipped)"

# ---- numbers out of range: times, durations, token counts ----
cat > "$T/n.rules" <<'RULES'
tempo 1
min_calls 1
jsonl time=ts duration=latency_ms unit=ms
call c where kind == "call" key=id
price c realtime $2.50/1M-in $10.00/1M-out batch 50%
RULES
BIG=99999999999999999999999
for v in 1e999 -1e999 $BIG "\"$BIG\"" -$BIG; do
    printf '{"ts":%s,"kind":"call","id":"t"}\n' "$v"
    printf '{"ts":1700000000,"kind":"call","id":"d","latency_ms":%s}\n' "$v"
done > "$T/range.jsonl"
{ echo '{"ts":1700000000,"kind":"call","id":"k1","usage":{"prompt_tokens":1e999}}'
  echo "{\"ts\":1700000000,\"kind\":\"call\",\"id\":\"k2\",\"usage\":{\"prompt_tokens\":$BIG}}"
  echo '{"ts":1700000000,"kind":"call","id":"ok","latency_ms":5,"usage":{"prompt_tokens":10}}'; } \
    >> "$T/range.jsonl"
run_hostile "numbers out of range (JSON lines)" 0 "$TEMPO" audit -r "$T/n.rules" --format json \
    "$T/range.jsonl"
check_eq "range: skipped" 11 "$(src skipped)"
check_eq "range: events" 2 "$(src events)"
check_contains "range: a bad time" "$T/err" "range.jsonl:1: bad time"
check_contains "range: a bad duration" "$T/err" "range.jsonl:2: bad duration"
check_eq "range: the cost is a finite number" number \
    "$(jq -r '.sites[0].cost.monthly_now | type' "$T/out")"
printf 'tempo 1\nmin_calls 1\nlogformat t %s\ncall c POST /c\n' \
    "'\$msec \"\$request\" \$status \$request_time'" > "$T/t.rules"
{ for v in 99999999999999999999999 1e999 -1700000000.000; do
      printf '%s "POST /c HTTP/1.1" 200 0.5\n' "$v"; done
  for v in 1e999 -1e999 99999999999999999999999 -0.5; do
      printf '1700000000.000 "POST /c HTTP/1.1" 200 %s\n' "$v"; done
  printf '1700000000.000 "POST /c HTTP/1.1" 200 0.5\n'; } > "$T/range.log"
run_hostile "numbers out of range (access log)" 0 "$TEMPO" audit -r "$T/t.rules" --format json \
    "$T/range.log"
check_eq "access range: events" 1 "$(src events)"
check_eq "access range: skipped" 7 "$(src skipped)"
check_contains "access range: a bad time" "$T/err" 'range.log:1: bad time in $msec'
check_contains "access range: a bad duration" "$T/err" 'range.log:4: bad $request_time'
# Apache %t at the ends of the years it reads: in UTC past 9999 or before
# 0000; the report's times must stay RFC 3339 (four-digit years)
printf 'tempo 1\nmin_calls 1\nlogformat a %s\ncall c POST /c\n' "'%h %l %u %t \"%r\" %>s %b'" \
    > "$T/y.rules"
{ echo '1.2.3.4 - - [31/Dec/9999:23:59:59 -2359] "POST /c HTTP/1.1" 200 5'
  echo '1.2.3.4 - - [01/Jan/0000:00:00:00 +2359] "POST /c HTTP/1.1" 200 5'
  echo '1.2.3.4 - - [10/Oct/2026:13:00:00 +0000] "POST /c HTTP/1.1" 200 5'; } > "$T/years.log"
run_hostile "years out of range" 0 "$TEMPO" audit -r "$T/y.rules" --format json "$T/years.log"
check_eq "years out of range: RFC 3339 window" "ok ok" \
    "$(jq -r '[.window.start, .window.end | if test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T") then "ok"
              else . end] | join(" ")' "$T/out")"
{ for v in 1e999 -1e999 '"99999999999999999999999"' '{}' '"-1"'; do
      span "\"name\":\"s\",\"startTimeUnixNano\":$v,\"endTimeUnixNano\":\"1700000001000000000\""
      echo
  done; echo "$OK"; } > "$T/range.otlp"
run_hostile "numbers out of range (OTLP)" 0 "$TEMPO" audit -r "$T/o.rules" --format json \
    "$T/range.otlp"
check_eq "OTLP range: events" 1 "$(src events)"
check_eq "OTLP range: skipped" 5 "$(src skipped)"
check_contains "OTLP range: said" "$T/err" "range.otlp:1: span without a valid startTimeUnixNano"

# ---- OTLP of the wrong shape: each a counted skip (or, for a list of
# ---- attributes of the wrong shape, the span without them) ----
# shape NAME WANT_EVENTS LINE - LINE then a good record, through tempo audit
shape() {
    { echo "$3"; echo "$OK"; } > "$T/shape.otlp"
    run_hostile "OTLP shape: $1" 0 "$TEMPO" audit -r "$T/o.rules" --format json "$T/shape.otlp"
    check_eq "OTLP shape: $1: events" $((1 + $2)) "$(src events)"
    check_eq "OTLP shape: $1: counted" $((1 - $2)) "$(src skipped)"
    [ "$2" = 0 ] && check_contains "OTLP shape: $1: said" "$T/err" "shape.otlp:1: "
}
shape "resourceSpans an object" 0 '{"resourceSpans":{"scopeSpans":[]}}'
shape "resourceSpans a string" 0 '{"resourceSpans":"x"}'
shape "resourceSpans null" 0 '{"resourceSpans":null}'
shape "a resourceSpans item a number" 0 '{"resourceSpans":[1]}'
shape "scopeSpans an object" 0 \
    "{\"resourceSpans\":[{\"scopeSpans\":{\"spans\":[{\"name\":\"s\",$S}]}}]}"
shape "spans a string" 0 '{"resourceSpans":[{"scopeSpans":[{"spans":"x"}]}]}'
shape "a span a number" 0 '{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}'
shape "startTimeUnixNano an object" 0 "$(span '"name":"s","startTimeUnixNano":{},"endTimeUnixNano":[]')"
shape "kind unknown" 0 "$(span "\"name\":\"s\",\"kind\":\"bogus\",$S")"
shape "ends before it starts" 0 \
    "$(span '"name":"s","startTimeUnixNano":"1700000002000000000","endTimeUnixNano":"1700000001000000000"')"
shape "attributes an object" 1 "$(span "\"name\":\"s\",\"attributes\":{\"key\":\"k\"},$S")"
A='1,{"key":5},{"key":"k","value":null},{"key":"v","value":{"intValue":1e999}},'
A="$A"'{"key":"w","value":{"arrayValue":{"values":"x"}}},{"key":"z","value":{"kvlistValue":7}}'
shape "attribute values of every wrong kind" 1 \
    "{\"resourceSpans\":[{\"resource\":[],\"scopeSpans\":[{\"scope\":\"x\",\"spans\":[{\"name\":\"s\",\"attributes\":[$A],$S}]}]}]}"
finish
