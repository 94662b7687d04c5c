#!/bin/sh
# Bad input and the command line's contract: missing file, empty file, binary
# garbage, a 1.5 MB line, NUL bytes, CRLF line ends, a directory, bad options.
# Each gets a clear message and the documented exit code, never a crash.
. tests/lib.sh
# A combined-format line (nginx's preset), with a request id in the query.
line() { # time path
    printf '127.0.0.1 - - [%s +0000] "%s HTTP/1.1" 200 12 "-" "curl/8.0"\n' "$1" "$2"
}
good="$T/good.log"
{
    line "10/Oct/2026:13:00:00" "POST /v1/score?request_id=a1"
    line "10/Oct/2026:13:00:01" "POST /v1/score?request_id=a2"
    line "10/Oct/2026:15:00:00" "GET /v1/results/a1"
} > "$good"
cat > "$T/q.rules" <<'RULES'
tempo 1
min_calls 1
call score POST /v1/score key=query.request_id
read score GET /v1/results/{key}
RULES

check_exit "good log" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$good"
check_eq "good calls" 2 "$(jq -r '.sites[0].calls' "$T/out")"
check_eq "good reads" 1 "$(jq -r '.sites[0].reads' "$T/out")"

# missing file: exit 2, names it
check_exit "missing file" 2 "$TEMPO" audit -r "$T/q.rules" "$T/nope.log"
check_contains "missing file named" "$T/err" "$T/nope.log: cannot open"

# a directory
check_exit "directory" 2 "$TEMPO" audit -r "$T/q.rules" "$T"
check_contains "directory named" "$T/err" "is a directory"

# empty file: not an error, no events, says so
: > "$T/empty.log"
check_exit "empty file" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/empty.log"
check_contains "empty file said" "$T/err" "empty input"
check_eq "empty: calls" 0 "$(jq -r '.sites[0].calls' "$T/out")"

# binary garbage: cannot tell the format, exit 2, names the file
head -c 65536 /dev/urandom > "$T/garbage.bin" 2>/dev/null ||
    awk 'BEGIN { srand(7); for (i = 0; i < 65536; i++) printf "%c", int(rand() * 256) }' > "$T/garbage.bin"
check_exit "binary garbage" 2 "$TEMPO" audit -r "$T/q.rules" "$T/garbage.bin"
check_contains "garbage named" "$T/err" "garbage.bin"

# a 1.5 MB line among good ones: skipped and counted, the rest read
{ head -n 2 "$good"; awk 'BEGIN { s = "x"; while (length(s) < 1500000) s = s s; print s }';
  tail -n 1 "$good"; } > "$T/long.log"
check_exit "long line" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/long.log"
check_eq "long: skipped" 1 "$(jq -r '.sources[0].skipped' "$T/out")"
check_eq "long: calls" 2 "$(jq -r '.sites[0].calls' "$T/out")"
check_eq "long: reads" 1 "$(jq -r '.sites[0].reads' "$T/out")"
check_contains "long: reason" "$T/err" "long.log:3: line longer than 1 MiB"

# NUL bytes inside a line: that line is refused, the others read
{ head -n 1 "$good"; printf '127.0.0.1 - - [10/Oct/2026:13:00:05 +0000] "POST /v1/sc\000ore HTTP/1.1" 200 1 "-" "\000"\n';
  tail -n 2 "$good"; } > "$T/nul.log"
check_exit "NUL bytes" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/nul.log"
check_eq "NUL: calls" 2 "$(jq -r '.sites[0].calls' "$T/out")"

# CRLF line ends: the same figures as LF
sed 's/$/\r/' "$good" > "$T/crlf.log"
check_exit "CRLF" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/crlf.log"
check_eq "CRLF: skipped" 0 "$(jq -r '.sources[0].skipped' "$T/out")"
check_eq "CRLF: calls" 2 "$(jq -r '.sites[0].calls' "$T/out")"
check_eq "CRLF: reads" 1 "$(jq -r '.sites[0].reads' "$T/out")"

# gzip and standard input: the same figures
gzip -c "$good" > "$T/good.log.gz"
check_exit "gzip" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/good.log.gz"
check_eq "gzip: reads" 1 "$(jq -r '.sites[0].reads' "$T/out")"
check_eq "gzip: flagged" true "$(jq -r '.sources[0].gzip' "$T/out")"
"$TEMPO" audit -r "$T/q.rules" --format json - < "$T/good.log.gz" > "$T/stdin.json" 2>"$T/err"
check_eq "stdin gzip: calls" 2 "$(jq -r '.sites[0].calls' "$T/stdin.json")"
# a truncated gzip: a clear error, exit 2
head -c 30 "$T/good.log.gz" > "$T/trunc.gz"
check_exit "truncated gzip" 2 "$TEMPO" audit -r "$T/q.rules" "$T/trunc.gz"
check_contains "truncated gzip said" "$T/err" "trunc.gz"

# --strict stops at the first bad line with its number
{ head -n 1 "$good"; echo "not a log line"; tail -n 2 "$good"; } > "$T/bad.log"
check_exit "bad line counted" 0 "$TEMPO" audit -r "$T/q.rules" --format json "$T/bad.log"
check_eq "bad line: skipped" 1 "$(jq -r '.sources[0].skipped' "$T/out")"
check_eq "bad line: first error line" 2 "$(jq -r '.sources[0].first_errors[0].line' "$T/out")"
check_contains "bad line shown" "$T/err" "bad.log:2: "
check_exit "strict" 2 "$TEMPO" audit -r "$T/q.rules" --strict "$T/bad.log"
check_contains "strict names the line" "$T/err" "bad.log:2: "

# the command line
check_exit "no arguments" 2 "$TEMPO"
check_exit "unknown command" 2 "$TEMPO" frobnicate
check_exit "unknown option" 2 "$TEMPO" audit --frob "$good"
check_exit "no source" 2 "$TEMPO" audit -r "$T/q.rules"
check_exit "bad format" 2 "$TEMPO" audit -r "$T/q.rules" --format xml "$good"
check_exit "bad --since" 2 "$TEMPO" audit -r "$T/q.rules" --since yesterday "$good"
check_exit "--help" 0 "$TEMPO" --help
check_contains "--help lists audit" "$T/out" "audit"
check_exit "help audit" 0 "$TEMPO" help audit
check_contains "help audit shows usage" "$T/out" "usage: tempo audit"
check_exit "--version" 0 "$TEMPO" --version
check_contains "--version" "$T/out" "tempo "
check_exit "missing rules file" 2 "$TEMPO" audit -r "$T/none.rules" "$good"
check_contains "missing rules named" "$T/err" "none.rules"
check_exit "rules check good" 0 "$TEMPO" rules check "$T/q.rules"
printf 'tempo 1\ndelay 1hr\n' > "$T/bad.rules"
check_exit "rules check bad" 2 "$TEMPO" rules check "$T/bad.rules"
check_contains "rules check caret" "$T/err" "bad.rules:2:7: "
check_exit "rules check shipped default" 0 "$TEMPO" rules check rules/default.rules

# formats: table and md carry the site and its verdict
check_exit "table" 0 "$TEMPO" audit -r "$T/q.rules" "$good"
check_contains "table has the site" "$T/out" "score"
check_exit "md" 0 "$TEMPO" audit -r "$T/q.rules" --format md "$good"
check_contains "md table" "$T/out" "| site |"
finish
