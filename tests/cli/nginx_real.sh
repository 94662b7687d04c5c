#!/bin/sh
# A log written by the real server: start Debian's nginx on 127.0.0.1 with a
# custom log_format, drive calls and later reads with curl, stop it, and audit
# nginx's own access log. Three sites: "slow" read 1.5 s after each call
# (batch at delay 1s), "fast" read at once (realtime), "never" never read
# (unused). Bounded: every curl has a timeout, nginx is stopped at exit.
. tests/lib.sh
nginx_port 20000
port=$NGX_PORT
nginx_start "    log_format tempo '\$remote_addr - \$remote_user [\$time_local] \"\$request\" \$status \$body_bytes_sent \"\$http_user_agent\" \$request_time \$msec \$request_id';
    access_log $T/ngx/logs/access.log tempo;
    server {
        listen 127.0.0.1:$port;
        location ~ ^/v1/(slow|fast|never)/infer\$ {
            add_header X-Request-Id \$request_id always;
            return 200 '{\"ok\":true}';
        }
        location /v1/results/ { return 200 '{\"result\":1}'; }
        location /healthz { return 204; }
    }"
base=$NGX_BASE
call() { # site -> prints the request id nginx gave the call
    curl -s -m 5 -X POST -D - -o /dev/null -A "app/1.0" -d '{"x":1}' "$base/v1/$1/infer" |
        tr -d '\r' | sed -n 's/^X-Request-Id: //Ip'
}
read_result() { curl -s -m 5 -o /dev/null -A "$2" "$base/v1/results/$1"; }

: > "$T/slow.ids"
for n in 1 2 3 4 5 6 7 8; do
    call slow >> "$T/slow.ids"
    id=$(call fast); read_result "$id" "ui/2.0"
    call never > /dev/null
done
check_eq "request ids collected" 8 "$(grep -c . "$T/slow.ids")"
sleep 1.5
while read -r id; do read_result "$id" "nightly/1.0"; done < "$T/slow.ids"
sleep 1.2          # the log must cover "never" for more than the delay
curl -s -m 2 -o /dev/null "$base/healthz"
nginx_stop

cat > "$T/real.rules" <<'RULES'
tempo 1
delay 1s
min_calls 5
logformat tempo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_user_agent" $request_time $msec $request_id'
call slow  POST /v1/slow/infer   key=request_id
call fast  POST /v1/fast/infer   key=request_id
call never POST /v1/never/infer  key=request_id
read slow  GET /v1/results/{key}  by=header.user-agent
read fast  GET /v1/results/{key}  by=header.user-agent
read never GET /v1/results/{key}
RULES
LOG="$T/ngx/logs/access.log"
check_eq "access log lines" 42 "$(wc -l < "$LOG" | tr -d ' ')"
check_exit "audit of nginx's own log" 0 "$TEMPO" audit -r "$T/real.rules" --format json "$LOG"
cp "$T/out" "$T/report.json"
check_eq "source format" nginx "$(jq -r '.sources[0].format' "$T/report.json")"
check_eq "skipped lines" 0 "$(jq -r '.sources[0].skipped' "$T/report.json")"
check_eq "slow verdict" batch "$(site_field "$T/report.json" slow .verdict)"
check_eq "slow calls" 8 "$(site_field "$T/report.json" slow .calls)"
check_eq "slow reads" 8 "$(site_field "$T/report.json" slow .reads)"
check_eq "slow p50 >= 1.4s" true "$(site_field "$T/report.json" slow '.wait_s.p50 >= 1.4')"
check_eq "slow reader" "nightly/1.0" "$(site_field "$T/report.json" slow '.readers[0].by')"
check_eq "fast verdict" realtime "$(site_field "$T/report.json" fast .verdict)"
check_eq "fast reads" 8 "$(site_field "$T/report.json" fast .reads)"
check_eq "fast p50 < 1s" true "$(site_field "$T/report.json" fast '.wait_s.p50 < 1')"
check_eq "never verdict" unused "$(site_field "$T/report.json" never .verdict)"
check_eq "never reads" 0 "$(site_field "$T/report.json" never .reads)"
check_eq "never censored" 0 "$(site_field "$T/report.json" never .censored)"
check_eq "latency measured" true "$(site_field "$T/report.json" fast '.latency_s.p50 >= 0')"
finish
