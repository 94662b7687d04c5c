#!/bin/sh
# Hostile text in the logs must stay text in every output of `tempo report`:
# user agents (by= values: site rows and readers) and a source file name that
# hold gnuplot backquotes, newlines, `set output '|...'`, <script>, HTML
# attribute breakouts, shell pipes and spreadsheet formulas. Nothing may run
# (no /tmp/pwned-* file appears), no output carries live markup or formulas.
. tests/lib.sh
P=$$
rm -f /tmp/pwned-*-$P
cat > "$T/h.rules" <<'RULES'
tempo 1
min_calls 1
delay 1h
logformat h '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
call gen  POST /v1/gen/{id}      key=id   by=header.user-agent
read gen  GET /v1/results/{key}  by=header.user-agent
keep gen "<script>alert('keep')</script> =cmd|' /c calc'!A0"
price gen realtime $0.01/call batch 50%
RULES
# nginx writes " and control bytes in a logged string as \xHH; the decoder
# turns them back, so these by= values hold real quotes and newlines.
UAS="\`touch /tmp/pwned-bq-$P\`
<script>alert(1)</script>
\\x22><img src=x onerror=alert(1)>
=cmd|'/c calc'!A0
| rm -rf /tmp/pwned-rm-$P
line1\\x0Aset output '|touch /tmp/pwned-nl-$P'
+1
-2
@SUM(A1)
\\x22; system(\\x22touch /tmp/pwned-sys-$P\\x22) ; \\x22"
SRC="$T/\`touch pwned-src-$P\`<b>x.log"
printf '%s\n' "$UAS" | awk '{ n++; for (k = 1; k <= 3; k++) {
    printf "10.0.0.1 - - [0%d/Nov/2026:%02d:%02d:00 +0200] \"POST /v1/gen/u%dk%d HTTP/1.1\" 200 10 \"-\" \"%s\" 0.250\n", 2 + k, 8 + k, n, n, k, $0
    printf "10.0.0.2 - - [0%d/Nov/2026:%02d:%02d:00 +0200] \"GET /v1/results/u%dk%d HTTP/1.1\" 200 10 \"-\" \"%s\" 0.010\n", 3 + k, 8 + k, n, n, k, $0
} }' | sort -t '[' -k 2 > "$SRC"
check_exit "report on hostile input" 0 "$TEMPO" report -r "$T/h.rules" -o "$T/r" "$SRC"
check_eq "nothing ran" "" "$(ls /tmp/pwned-*-$P "$T"/pwned-* 2>/dev/null; ls "$T/r" | grep pwned)"
check_eq "sites split by the hostile agents" 10 "$(jq '.sites | length' "$T/r/report.json")"
check_contains "the agents are in the JSON as text" "$T/r/report.json" 'touch /tmp/pwned-bq'
H=$T/r/report.html
check_eq "no live script in HTML" 0 "$(grep -ci '<script' "$H")"
check_eq "no live img in HTML" 0 "$(grep -ci '<img' "$H")"
check_contains "escaped in HTML" "$H" "&lt;script&gt;alert(1)&lt;/script&gt;"
check_eq "no live script in Markdown" 0 "$(grep -ci '<script' "$T/r/report.md")"
check_eq "no live img in Markdown" 0 "$(grep -ci '<img' "$T/r/report.md")"
check_eq "no formula cell in CSV" 0 "$(grep -cE '(^|,)"[=+@-]' "$T/r/sites.csv")"
check_contains "formula neutralised in CSV" "$T/r/sites.csv" "\"'=cmd|'/c calc'!A0"
check_eq "no script in charts" 0 "$(cat "$T/r"/*.svg | grep -ci '<script')"
bad=0
for f in "$T/r"/*.svg; do xmllint --noout "$f" 2>/dev/null || bad=$((bad + 1)); done
check_eq "charts are well-formed" 0 "$bad"
check_eq "charts drawn" 1 "$([ "$(ls "$T/r"/*.svg | wc -l)" -ge 10 ] && echo 1)"
# valid UTF-8 everywhere (iconv fails on invalid input)
for f in report.html report.md report.json sites.csv; do
    iconv -f UTF-8 -t UTF-8 "$T/r/$f" >/dev/null 2>&1 && pass || fail "$f is not valid UTF-8"
done
check_eq "nothing ran after all" "" "$(ls /tmp/pwned-*-$P "$T"/pwned-* 2>/dev/null)"
finish
