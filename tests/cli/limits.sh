#!/bin/sh
# The named limits end to end through $TEMPO at N - 1, N and N + 1 (issue 8,
# "Memory"): LIMIT_LINE (and a CRLF line at the edge of the first read),
# LIMIT_READ_BLOCK, LIMIT_FIRST_ERRORS, LIMIT_KEY, LIMIT_BY, LIMIT_SOURCES,
# LIMIT_RULES_FILE, LIMIT_RULES, LIMIT_RULE_DEPTH, LIMIT_STORE_BATCH and
# LIMIT_BASELINE. tests/unit/test_limits.c takes the rest through the API.
. tests/lib.sh

# The values this file assumes, as include/limits.h defines them.
for d in 'LIMIT_LINE (1u << 20)' 'LIMIT_READ_BLOCK (4u << 20)' 'LIMIT_FIRST_ERRORS 5' \
    'LIMIT_RULES_FILE (1u << 20)' 'LIMIT_RULE_DEPTH 64' 'LIMIT_RULES 1024' 'LIMIT_KEY 512' \
    'LIMIT_BY 256' 'LIMIT_SOURCES 256' 'LIMIT_STORE_BATCH 10000' 'LIMIT_BASELINE (256u << 20)'; do
    grep -qF "#define $d " include/limits.h && pass ||
        fail "include/limits.h no longer says '$d': update tests/cli/limits.sh"
done
MIB=1048576

# xs N - N bytes of 'x'
xs() { head -c "$1" /dev/zero | tr '\0' x; }
# jline LEN [TS] - a JSON line of exactly LEN bytes (its '\n' not counted)
jline() {
    p="{\"ts\":${2:-1700000000},\"p\":\""
    printf '%s' "$p"; xs $(($1 - ${#p} - 2)); printf '"}'
}
cat > "$T/j.rules" <<'RULES'
tempo 1
min_calls 1
call c where p ~ "*"
RULES
# src FIELD - a field of the first source of $T/out (a JSON report)
src() { jq -r ".sources[0].$1" "$T/out"; }

# ---- LIMIT_LINE: lines of 1 MiB - 1, 1 MiB, 1 MiB + 1 bytes ----
for eol in lf crlf; do
    cr=""; [ $eol = crlf ] && cr="$(printf '\r')"
    { jline 40; printf '%s\n' "$cr"
      for n in $((MIB - 1)) $MIB $((MIB + 1)); do jline $n; printf '%s\n' "$cr"; done; } \
        > "$T/long.jsonl"
    check_exit "$eol: lines at LIMIT_LINE" 0 "$TEMPO" audit -r "$T/j.rules" --format json "$T/long.jsonl"
    check_eq "$eol: lines" 4 "$(src lines)"
    check_eq "$eol: events (a short one, N - 1 and N)" 3 "$(src events)"
    check_eq "$eol: skipped (N + 1)" 1 "$(src skipped)"
    check_eq "$eol: the skip's line" 4 "$(src 'first_errors[0].line')"
    check_contains "$eol: the skip's reason" "$T/err" "long.jsonl:4: line longer than 1 MiB"
done
# A first line longer than the head read for format detection (64 KiB) but
# within LIMIT_LINE: the log is still JSON lines, and read.
for n in 70000 $((MIB - 1)) $MIB; do
    { jline $n; echo; jline 40; echo; } > "$T/first.jsonl"
    check_exit "a first line of $n bytes" 0 "$TEMPO" audit -r "$T/j.rules" --format json \
        "$T/first.jsonl"
    check_eq "a first line of $n bytes: events" 2 "$(src events)"
done
# A CRLF line of exactly 1 MiB whose '\r' is the last byte of the first read
# (LIMIT_READ_BLOCK + LIMIT_LINE + 1 bytes): it fits, like any other.
awk 'BEGIN { s = sprintf("%999s", ""); gsub(/ /, "p", s)
             for (i = 0; i < 4096; i++) printf "{\"ts\":1700000000,\"p\":\"%s\"}\n", s }' \
    > "$T/edge.jsonl"
check_eq "edge: the padding is LIMIT_READ_BLOCK bytes" 4194304 "$(wc -c < "$T/edge.jsonl")"
for n in $((MIB - 1)) $MIB $((MIB + 1)); do
    { cat "$T/edge.jsonl"; jline $n; printf '\r\n'; jline 40; printf '\n'; } > "$T/edge$n.jsonl"
    check_exit "edge $n: read" 0 "$TEMPO" audit -r "$T/j.rules" --format json "$T/edge$n.jsonl"
    fits=1; [ $n -gt $MIB ] && fits=0
    check_eq "edge $n: events" $((4096 + 1 + fits)) "$(src events)"
    check_eq "edge $n: skipped" $((1 - fits)) "$(src skipped)"
done

# ---- LIMIT_READ_BLOCK: logs of 4 MiB - 1, 4 MiB, 4 MiB + 1 bytes, read whole ----
# 32768 lines of 128 bytes make 4 MiB; the last line loses its '\n', or a
# one-byte line follows.
awk 'BEGIN { s = sprintf("%103s", ""); gsub(/ /, "q", s)
             for (i = 0; i < 32767; i++) printf "{\"ts\":1700000000,\"p\":\"%s\"}\n", s
             printf "{\"ts\":1700000000,\"p\":\"%s\"}", s }' > "$T/rb-1.jsonl"
{ cat "$T/rb-1.jsonl"; echo; } > "$T/rb0.jsonl"
{ cat "$T/rb0.jsonl"; printf 7; } > "$T/rb1.jsonl"
for k in -1 0 1; do
    f="$T/rb$k.jsonl"
    check_eq "read block $k: size" $((4194304 + k)) "$(wc -c < "$f")"
    check_exit "read block $k" 0 "$TEMPO" audit -r "$T/j.rules" --format json "$f"
    check_eq "read block $k: events" 32768 "$(src events)"
    check_eq "read block $k: lines" $((32768 + (k > 0))) "$(src lines)"
    check_eq "read block $k: skipped" $((k > 0)) "$(src skipped)"
    check_eq "read block $k: calls" 32768 "$(jq -r '.sites[0].calls' "$T/out")"
done

# ---- LIMIT_FIRST_ERRORS: 4, 5, 6 bad lines ----
cat > "$T/q.rules" <<'RULES'
tempo 1
min_calls 1
call score POST /v1/score key=query.request_id by=header.user-agent
read score GET /v1/results/{key} by=header.user-agent
RULES
# cline TIME REQUEST [AGENT] - a combined-format line
cline() {
    printf '127.0.0.1 - - [10/Oct/2026:%s +0000] "%s HTTP/1.1" 200 12 "-" "%s"\n' "$1" "$2" \
        "${3:-curl/8.0}"
}
for k in 4 5 6; do
    { cline 13:00:00 "POST /v1/score?request_id=a1"
      i=0; while [ $i -lt $k ]; do echo "bad line $i"; i=$((i + 1)); done
      cline 15:00:00 "GET /v1/results/a1"; } > "$T/bad$k.log"
    shown=$k; [ $k -gt 5 ] && shown=5
    check_exit "$k bad lines" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/bad$k.log"
    check_eq "$k bad lines: skipped" $k "$(src skipped)"
    check_eq "$k bad lines: shown in the report" $shown "$(src 'first_errors | length')"
    check_eq "$k bad lines: the last shown" $((1 + shown)) "$(src "first_errors[$((shown - 1))].line")"
    check_eq "$k bad lines: shown on stderr" $shown "$(grep -c "^$T/bad$k.log:[0-9]*: " "$T/err")"
    if [ $k -gt 5 ]; then
        check_contains "$k bad lines: the rest counted" "$T/err" "bad$k.log: 1 more lines skipped"
    else
        check_not_contains "$k bad lines: nothing more" "$T/err" "more lines skipped"
    fi
    check_eq "$k bad lines: the call is read" 1 "$(jq -r '.sites[0].reads' "$T/out")"
done

# ---- LIMIT_KEY: keys of 511, 512, 513 bytes; LIMIT_BY: by= of 255, 256, 257 ----
for n in 511 512 513; do
    key=$(xs $n)
    { cline 13:00:00 "POST /v1/score?request_id=$key"; cline 15:00:00 "GET /v1/results/$key"; } \
        > "$T/key$n.log"
    check_exit "key $n" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/key$n.log"
    check_eq "key $n: calls" 1 "$(jq -r '.sites[0].calls' "$T/out")"
    check_eq "key $n: read by its key" $((n <= 512)) "$(jq -r '.sites[0].reads' "$T/out")"
done
{ for n in 255 256 257; do
      ua="$n$(xs $((n - 3)))"
      cline 13:00:0$((n - 255)) "POST /v1/score?request_id=b$n" "$ua"
      cline 15:00:0$((n - 255)) "GET /v1/results/b$n" "$ua"
  done; } > "$T/by.log"
check_exit "by=" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/by.log"
check_eq "by=: one site row per value" 3 "$(jq '.sites | length' "$T/out")"
check_eq "by=: values cut at 256 bytes" "255 256 256" \
    "$(jq -r '[.sites[].by | length] | sort | map(tostring) | join(" ")' "$T/out")"
check_eq "by=: readers cut at 256 bytes" "255 256 256" \
    "$(jq -r '[.sites[].readers[].by | length] | sort | map(tostring) | join(" ")' "$T/out")"
# a cut through a two-byte character leaves valid UTF-8
ua="$(xs 255)$(printf '\303\251')"
{ cline 13:00:00 "POST /v1/score?request_id=u1" "$ua"; cline 15:00:00 "GET /v1/results/u1" "$ua"; } \
    > "$T/utf8.log"
check_exit "by= cut in a character" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/utf8.log"
iconv -f UTF-8 -t UTF-8 "$T/out" > /dev/null 2>&1 && pass || fail "report with a cut by= is not UTF-8"
check_eq "by= cut in a character: 255 bytes and U+FFFD" 256 "$(jq -r '.sites[0].by | length' "$T/out")"

# ---- LIMIT_SOURCES: 256 sources, and 257 ----
{ cline 13:00:00 "POST /v1/score?request_id=s1"; } > "$T/one.log"
for k in 256 257; do
    set --
    i=0; while [ $i -lt $k ]; do set -- "$@" "$T/one.log"; i=$((i + 1)); done
    want=0; [ $k -gt 256 ] && want=2
    check_exit "$k sources" $want "$TEMPO" audit -r "$T/q.rules" --format json "$@"
    if [ $want = 0 ]; then
        check_eq "$k sources: all read" $k "$(jq '.sources | length' "$T/out")"
        check_eq "$k sources: calls" $k "$(jq -r '.sites[0].calls' "$T/out")"
    else
        check_contains "$k sources: said" "$T/err" "more than 256 sources"
    fi
done
set --

# ---- LIMIT_RULES_FILE: rules files of 1 MiB - 1, 1 MiB, 1 MiB + 1 bytes ----
for n in $((MIB - 1)) $MIB $((MIB + 1)); do
    { echo 'tempo 1'; echo 'call a POST /a'; awk -v n=$((n - 23)) 'BEGIN {
          s = sprintf("%999s", ""); gsub(/ /, "#", s)
          for (; n >= 1000; n -= 1000) print s
          if (n > 0) print substr(s, 1, n - 1) }'; } > "$T/big.rules"
    check_eq "rules file $n: size" $n "$(wc -c < "$T/big.rules")"
    want=0; [ $n -gt $MIB ] && want=2
    check_exit "rules file $n" $want "$TEMPO" rules check "$T/big.rules"
    [ $want = 2 ] && check_contains "rules file $n: said" "$T/err" "1 MiB"
done

# ---- LIMIT_RULES: 1024 and 1025 call rules; LIMIT_RULE_DEPTH: 64 and 65 levels ----
for k in 1024 1025; do
    awk -v k=$k 'BEGIN { print "tempo 1"; for (i = 0; i < k; i++) printf "call s%d POST /c%d\n", i, i }' \
        > "$T/many.rules"
    want=0; [ $k -gt 1024 ] && want=2
    check_exit "$k call rules" $want "$TEMPO" rules check "$T/many.rules"
    [ $want = 2 ] && check_contains "$k call rules: said" "$T/err" \
        "many.rules:1026:1: too many call rules (at most 1024)"
done
for k in 64 65; do
    awk -v k=$k 'BEGIN { printf "tempo 1\ncall a where "; for (i = 0; i < k; i++) printf "(";
                         printf "method == \"POST\""; for (i = 0; i < k; i++) printf ")"; print "" }' \
        > "$T/deep.rules"
    want=0; [ $k -gt 64 ] && want=2
    check_exit "depth $k" $want "$TEMPO" rules check "$T/deep.rules"
    [ $want = 2 ] && check_contains "depth $k: said" "$T/err" "nested deeper than 64 levels"
done

# ---- LIMIT_STORE_BATCH: 9999, 10000, 10001 calls stored whole ----
for k in 9999 10000 10001; do
    awk -v k=$k 'BEGIN { for (i = 0; i < k; i++)
        printf "127.0.0.1 - - [10/Oct/2026:%02d:%02d:%02d +0000] \"POST /v1/score?request_id=c%d HTTP/1.1\" 200 1 \"-\" \"a\"\n",
               10 + int(i / 3600), int(i / 60) % 60, i % 60, i }' > "$T/batch.log"
    rm -f "$T/batch.db"
    check_exit "ingest $k calls" 0 "$TEMPO" ingest -r "$T/q.rules" --db "$T/batch.db" "$T/batch.log"
    check_eq "$k calls stored" $k "$(sqlite3 "$T/batch.db" 'SELECT count(*) FROM calls')"
    check_exit "audit of $k stored calls" 0 "$TEMPO" audit -r "$T/q.rules" --db "$T/batch.db" --format json
    check_eq "$k calls audited" $k "$(jq -r '.sites[0].calls' "$T/out")"
done

# ---- LIMIT_BASELINE: a baseline of 256 MiB + 1 bytes is refused unread ----
printf '{"tempo": 1, "sites": [], "findings": []}' > "$T/base.json"
truncate -s $((256 * MIB + 1)) "$T/base.json"
check_exit "baseline past 256 MiB" 2 "$TEMPO" gate -r "$T/q.rules" --baseline "$T/base.json" "$T/one.log"
check_contains "baseline past 256 MiB: said" "$T/err" "base.json: larger than 256 MiB"
finish
