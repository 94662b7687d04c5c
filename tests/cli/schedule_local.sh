#!/bin/sh
# The issue's schedule case, in a log written at +02:00: a site called every 10
# minutes 06:00-18:00 local time on weekdays whose results are read the next
# morning 08:00-09:00 local, and one read within seconds. The first gets a
# daily run at an hour that delivers (run + batch_time 30m) before 08:00 local
# = 06:00 UTC, shown in UTC and at +02:00, with weekly as the runner-up; the
# second gets no cadence, and says why.
. tests/lib.sh
cat > "$T/s.rules" <<'RULES'
tempo 1
min_calls 10
batch_time 30m
logformat h '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
call nightly POST /v1/score/{id} key=id
call live    POST /v1/live/{id}  key=id
read nightly GET /v1/scores/{key}
read live    GET /v1/lives/{key}
RULES
# days 2..13 Nov 2026 (2 Nov is a Monday); skip Saturday 7 and Sunday 8
awk 'BEGIN {
    n = 0
    for (d = 2; d <= 13; d++) {
        if (d == 7 || d == 8) continue
        for (m = 6 * 60; m < 18 * 60; m += 10) {
            n++; h = int(m / 60); mi = m % 60
            printf "10.0.0.1 - - [%02d/Nov/2026:%02d:%02d:00 +0200] \"POST /v1/score/c%d HTTP/1.1\" 200 10 \"-\" \"job\" 0.500\n", d, h, mi, n
            rm = 8 * 60 + (n * 7) % 60
            printf "10.0.0.2 - - [%02d/Nov/2026:%02d:%02d:%02d +0200] \"GET /v1/scores/c%d HTTP/1.1\" 200 10 \"-\" \"crm\" 0.010\n", d + 1, int(rm / 60), rm % 60, n % 60, n
            printf "10.0.0.3 - - [%02d/Nov/2026:%02d:%02d:00 +0200] \"POST /v1/live/l%d HTTP/1.1\" 200 10 \"-\" \"app\" 0.300\n", d, h, mi, n
            printf "10.0.0.3 - - [%02d/Nov/2026:%02d:%02d:05 +0200] \"GET /v1/lives/l%d HTTP/1.1\" 200 10 \"-\" \"app\" 0.010\n", d, h, mi, n
        }
    }
}' > "$T/local.log"
check_exit "audit" 0 "$TEMPO" audit -r "$T/s.rules" --format json "$T/local.log"
cp "$T/out" "$T/a.json"
check_eq "offset kept" "+02:00" "$(jq -r .window.utc_offset "$T/a.json")"
check_eq "nightly daily" daily "$(site_field "$T/a.json" nightly .schedule.cadence)"
h=$(site_field "$T/a.json" nightly .schedule.cron | awk '{print $2}')
ok=no; case "$h" in 16|17|18|19|20|21|22|23|0|1|2|3|4|5) ok=yes ;; esac
check_eq "nightly runs after 18:00 local and delivers before 08:00 local (UTC hour $h)" yes "$ok"
check_eq "nightly all on time" 1 "$(site_field "$T/a.json" nightly .schedule.on_time_share)"
when=$(site_field "$T/a.json" nightly .schedule.when)
local_h=$(( (h + 2) % 24 ))
case "$when" in *"$(printf '%02d:00' "$h") UTC"*"$(printf '%02d:00' "$local_h") +02:00"*) pass ;;
    *) fail "when in UTC and local: '$when'" ;; esac
check_eq "runner-up weekly" weekly "$(site_field "$T/a.json" nightly .schedule.next.cadence)"
nx=$(site_field "$T/a.json" nightly .schedule.next.on_time_share)
check_eq "weekly misses" yes "$(awk -v x="$nx" 'BEGIN { print (x < 0.99 ? "yes" : "no") }')"
check_eq "live has no cadence" null "$(site_field "$T/a.json" live .schedule.cadence)"
check_eq "live on time share 0" 0 "$(site_field "$T/a.json" live .schedule.on_time_share)"
check_contains "live says why" "$T/a.json" "even hourly runs"
check_exit "report" 0 "$TEMPO" report -r "$T/s.rules" -o "$T/r" "$T/local.log"
check_contains "week chart in local time" "$T/r/week-1.svg" "UTC+02:00"
check_contains "html shows the cron line" "$T/r/report.html" "0 $h * * *"
finish
