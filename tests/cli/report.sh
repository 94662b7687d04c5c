#!/bin/sh
# tempo report on a generated workload (tests/bench/gen_log.c: churn computed
# 06:00-18:00 UTC and read the next morning 08:00-09:00, fraud read within
# seconds, summary never read, triage read within minutes, weekly read by a
# Monday 07:00 bulk report): the files it writes, the schedules it picks, the
# costs and the migration targets; --no-charts; a missing gnuplot; the audit's
# table and Markdown carrying the same per-site details.
. tests/lib.sh
RULES=$ROOT/rules/demo.rules
GEN=${GEN:-$ROOT/build/gen-log}
[ -x "$GEN" ] || { fail "build/gen-log missing (make test builds it)"; finish; }
"$GEN" --seed 11 --days 14 --calls 6000 > "$T/g.log" 2>/dev/null

check_exit "report runs" 0 "$TEMPO" report -r "$RULES" -o "$T/r" "$T/g.log"
for f in report.html report.md report.json sites.csv tempo-curve.svg cost.svg; do
    if [ -s "$T/r/$f" ]; then pass; else fail "missing $f"; fi
done
check_contains "stdout lists the HTML" "$T/out" "$T/r/report.html"
check_contains "stderr says where" "$T/err" "report written to $T/r"
# one wait and one week chart per site that has reads / calls; all well-formed SVG
check_eq "week charts" 5 "$(ls "$T/r"/week-*.svg 2>/dev/null | wc -l)"
check_eq "wait charts (summary is never read)" 4 "$(ls "$T/r"/wait-*.svg 2>/dev/null | wc -l)"
bad=0
for f in "$T/r"/*.svg; do xmllint --noout "$f" 2>/dev/null || bad=$((bad + 1)); done
check_eq "SVG files are well-formed XML" 0 "$bad"
check_eq "no temporary files left" "" "$(ls -A "$T/r" | grep '^\.' )"

J=$T/r/report.json
jq -e . "$J" >/dev/null 2>&1 && pass || fail "report.json is not JSON"
# churn: daily, at an hour whose run (plus batch_time 30m) delivers before 08:00
check_eq "churn cadence" daily "$(site_field "$J" churn .schedule.cadence)"
h=$(site_field "$J" churn '.schedule.cron' | awk '{print $2}')
ok=no; case "$h" in 18|19|20|21|22|23|0|1|2|3|4|5|6|7) ok=yes ;; esac
check_eq "churn runs between the last call and the first read (hour $h)" yes "$ok"
check_eq "churn on time" 1 "$(site_field "$J" churn .schedule.on_time_share)"
check_eq "churn runner-up is weekly" weekly "$(site_field "$J" churn .schedule.next.cadence)"
check_eq "churn moves to batch" batch "$(site_field "$J" churn .migration)"
# weekly: read once a week, so a weekly run before Monday 07:00 serves it
check_eq "weekly cadence" weekly "$(site_field "$J" weekly .schedule.cadence)"
check_eq "weekly on time" 1 "$(site_field "$J" weekly .schedule.on_time_share)"
# fraud: read within seconds, no cadence, and the note says why
check_eq "fraud has no cadence" null "$(site_field "$J" fraud .schedule.cadence)"
check_contains "fraud note" "$J" "even hourly runs"
check_eq "fraud stays (kept)" stay "$(site_field "$J" fraud .migration)"
# summary: never read: stop it, it saves everything it costs
check_eq "summary stops" stop "$(site_field "$J" summary .migration)"
check_eq "summary saves all" "$(site_field "$J" summary .cost.monthly_now)" \
    "$(site_field "$J" summary .cost.monthly_savings)"
check_eq "triage micro-batch" micro-batch "$(site_field "$J" triage .migration)"
# per-call cost: 30-day volume x price, as the rules say
calls=$(site_field "$J" churn .calls); days=$(jq -r .window.days "$J")
want=$(awk -v c="$calls" -v d="$days" 'BEGIN { printf "%.4f", c / d * 30 * 0.004 }')
check_eq "churn monthly now" "$want" "$(site_field "$J" churn '.cost.monthly_now * 10000 | round / 10000' | awk '{printf "%.4f", $1}')"
want=$(awk -v c="$calls" -v d="$days" 'BEGIN { printf "%.4f", c / d * 30 * (0.004 - 0.001) }')
check_eq "churn savings" "$want" "$(site_field "$J" churn '.cost.monthly_savings' | awk '{printf "%.4f", $1}')"
sum=$(jq '[.sites[].cost.monthly_savings // 0] | add' "$J" | awk '{printf "%.4f", $1}')
check_eq "totals add up" "$sum" "$(jq .totals.monthly_savings "$J" | awk '{printf "%.4f", $1}')"
check_eq "tempo curve has 7 points" 7 "$(site_field "$J" churn '.tempo_curve | length')"
check_contains "readers broken down" "$J" "crm-sync"

# sites.csv: a header and one row per site, each with the header's field count
C=$T/r/sites.csv
check_eq "csv rows" 6 "$(wc -l < "$C")"
hdr=$(head -n 1 "$C" | tr -d '\r' | awk -F, '{print NF}')
rows_ok=$(tail -n +2 "$C" | tr -d '\r' | perl -ne 'chomp; my @f = ($_ =~ /("(?:[^"]|"")*"|[^,]*)(?:,|$)/g); print scalar(@f) - 1, "\n"' | sort -u)
check_eq "csv field counts" "$hdr" "$rows_ok"
check_contains "csv has churn" "$C" '"churn"'

# the HTML: self-contained, no script, charts inline, the migration plan
H=$T/r/report.html
check_not_contains "no script" "$H" "<script"
check_contains "CSP" "$H" "Content-Security-Policy"
check_contains "charts inline" "$H" "<svg"
check_contains "cron line" "$H" "* * *"
check_not_contains "no network" "$H" 'src="http'
check_contains "md links charts" "$T/r/report.md" "tempo-curve.svg"

# the audit's own formats carry the details too
"$TEMPO" audit -r "$RULES" "$T/g.log" > "$T/table" 2>/dev/null
check_contains "table: tempo curve" "$T/table" "tempo curve"
check_contains "table: schedule" "$T/table" "daily at"
"$TEMPO" audit -r "$RULES" --format md "$T/g.log" > "$T/md" 2>/dev/null
check_contains "md: schedule" "$T/md" "daily at"
check_not_contains "md: no chart links without charts" "$T/md" ".svg"

# --no-charts; gnuplot missing; a default directory named by the date
check_exit "no charts" 0 "$TEMPO" report --no-charts -r "$RULES" -o "$T/n" "$T/g.log"
check_eq "no SVG written" 0 "$(ls "$T/n" | grep -c '\.svg$')"
check_not_contains "no chart in HTML" "$T/n/report.html" "<svg"
check_exit "gnuplot missing" 2 env TEMPO_GNUPLOT=/nonexistent "$TEMPO" report -r "$RULES" -o "$T/m" "$T/g.log"
check_contains "names the package" "$T/err" "gnuplot-nox"
( cd "$T" && SOURCE_DATE_EPOCH=1795000000 "$TEMPO" report --no-charts -r "$RULES" "$T/g.log" >/dev/null 2>&1 )
if [ -s "$T/reports/2026-11-18/report.html" ]; then pass; else fail "default directory reports/DATE"; fi
check_exit "-o is for report" 2 "$TEMPO" audit -r "$RULES" -o "$T/x" "$T/g.log"
finish
