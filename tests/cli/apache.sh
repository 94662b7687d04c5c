#!/bin/sh
# Apache access logs end to end: a LogFormat string from httpd.conf, %t as the
# time the request was received (its start) and %D microseconds to its end, a
# request id from %{X-Request-Id}i. Waits are computed from those: ready =
# %t + %D, a read's time = its %t.
. tests/lib.sh
cat > "$T/a.rules" <<'RULES'
tempo 1
min_calls 3
delay 30m
logformat api '%h %l %u %t "%r" %>s %b %D "%{X-Request-Id}i"'
call score POST /score               key=header.x-request-id
read score GET /results/{key}        by=remote_addr
RULES
{
    # three calls at 10:00:00, 10:00:10, 10:00:20, each 500 ms long
    for s in 00 10 20; do
        printf '10.0.0.1 - - [24/Nov/2026:10:00:%s +0100] "POST /score HTTP/1.1" 200 12 500000 "id-%s"\n' "$s" "$s"
    done
    # reads: id-00 at 11:00:00.. (59m59.5s later), id-10 at 10:05:10.5 would need sub-second
    printf '10.0.0.9 - - [24/Nov/2026:11:00:00 +0100] "GET /results/id-00 HTTP/1.1" 200 40 1000 "-"\n'
    printf '10.0.0.9 - - [24/Nov/2026:10:05:11 +0100] "GET /results/id-10 HTTP/1.1" 200 40 1000 "-"\n'
    printf '10.0.0.7 - - [24/Nov/2026:12:00:20 +0100] "GET /results/id-20 HTTP/1.1" 200 40 1000 "-"\n'
} > "$T/access_log"
check_exit "apache audit" 0 "$TEMPO" audit -r "$T/a.rules" --format json "$T/access_log"
cp "$T/out" "$T/r.json"
check_eq "format" apache "$(jq -r '.sources[0].format' "$T/r.json")"
check_eq "events" 6 "$(jq -r '.sources[0].events' "$T/r.json")"
check_eq "calls" 3 "$(site_field "$T/r.json" score .calls)"
check_eq "reads" 3 "$(site_field "$T/r.json" score .reads)"
# waits: 3599.5 s, 300.5 s, 7199.5 s -> min 300.5, p50 3599.5, max 7199.5
check_eq "min wait" 300.5 "$(site_field "$T/r.json" score .wait_s.min)"
check_eq "p50 wait" 3599.5 "$(site_field "$T/r.json" score .wait_s.p50)"
check_eq "max wait" 7199.5 "$(site_field "$T/r.json" score .wait_s.max)"
check_eq "latency" 0.5 "$(site_field "$T/r.json" score .latency_s.p50)"
check_eq "window start in UTC" "2026-11-24T09:00:00Z" "$(jq -r '.window.start' "$T/r.json")"
# 2 of 3 tolerate 30m: not batch at 99%; p50 >= 1m: streaming
check_eq "tolerant share" 0.6666666667 "$(site_field "$T/r.json" score .tolerant_share)"
check_eq "verdict" streaming "$(site_field "$T/r.json" score .verdict)"
check_eq "readers" "10.0.0.9=2 10.0.0.7=1" \
    "$(site_field "$T/r.json" score '[.readers[] | "\(.by)=\(.reads)"] | join(" ")')"
# The same log through standard input and as --format md
"$TEMPO" audit -r "$T/a.rules" --format md - < "$T/access_log" > "$T/r.md" 2>"$T/err"
check_contains "md through stdin" "$T/r.md" "| score | streaming |"
finish
