#!/bin/sh
# Captured traffic, made here: Debian's nginx on 127.0.0.1 answers chat-like
# calls (a JSON body with the request's id) and result reads; curl drives them,
# several over one keep-alive connection; tcpdump captures the loopback. tshark's
# HTTP dissector on the same capture is the oracle for the exchanges (method,
# path, status, first request byte and response end, to the microsecond). Then
# damaged copies (editcap: first packets cut off; mergecap: every packet twice;
# the file cut short) must not crash or hang Tempo, and the duplicated one must
# give the same figures. Bounded: timeouts everywhere,
# nginx and tcpdump stopped at exit.
. tests/lib.sh
for tool in tcpdump tshark editcap mergecap curl; do
    command -v "$tool" >/dev/null || { fail "$tool not installed (make test installs it)"; finish; }
done
nginx_port 21000
port=$NGX_PORT
TPID=
at_exit() { [ -n "$TPID" ] && kill -TERM "$TPID" 2>/dev/null; }
nginx_start "    access_log off;
    keepalive_requests 1000;
    server {
        listen 127.0.0.1:$port;
        location = /v1/chat/completions {
            default_type application/json;
            return 200 '{\"id\":\"chatcmpl-\$request_id\",\"object\":\"chat.completion\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}';
        }
        location /v1/results/ { default_type application/json; return 200 '{\"ok\":true}'; }
        location /healthz { return 204; }
    }"
base=$NGX_BASE

capture_start "$port" "$T/cap.pcap"
# 6 calls on one keep-alive connection, then a read of each id (3 connections of 2)
ids=""
J='Content-Type: application/json'
U=$base/v1/chat/completions
out=$(curl -s -m 10 -H "$J" -d '{"model":"m1","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"m1","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"m1","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"m2","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"m2","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"m2","messages":[]}' "$U")
ids=$(printf '%s' "$out" | sed 's/}{/}\n{/g' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
check_eq "six calls answered" 6 "$(printf '%s\n' "$ids" | grep -c chatcmpl)"
set -- $ids
curl -s -m 5 -o /dev/null "$base/v1/results/$1" -o /dev/null "$base/v1/results/$2"
curl -s -m 5 -o /dev/null "$base/v1/results/$3" -o /dev/null "$base/v1/results/$4"
curl -s -m 5 -o /dev/null "$base/v1/results/$5" -o /dev/null "$base/v1/results/$6"
capture_stop
[ -s "$T/cap.pcap" ] && pass || { fail "no capture written"; finish; }

cat > "$T/r.rules" <<'RULES'
tempo 1
min_calls 1
delay 1s
call chat  POST /v1/chat/completions  key=resp.id  by=req.model
read chat  GET /v1/results/{key}
RULES
cat > "$T/all.rules" <<'RULES'
tempo 1
min_calls 1
call chat    where path == "/v1/chat/completions"
call results where path ~ "/v1/results/*"
call other   where path ~ "*"
RULES
# the oracle: tshark's HTTP requests on the same file
tshark -r "$T/cap.pcap" -Y http.request -T fields -e http.request.method -e http.request.uri \
    2>/dev/null > "$T/tshark.txt"
check_eq "tshark sees 12 requests" 12 "$(wc -l < "$T/tshark.txt")"
tshark_exchanges "$T/cap.pcap" > "$T/ex_tshark.txt"
tempo_exchanges "$T/cap.pcap" "$T/ex_tshark.txt" > "$T/ex_tempo.txt"
check_eq "tshark pairs 12 exchanges" 12 "$(awk '$3 != "-"' "$T/ex_tshark.txt" | wc -l)"
if cmp -s "$T/ex_tshark.txt" "$T/ex_tempo.txt"; then pass; else
    fail "exchanges (method, path, status, times) differ from tshark's (< tshark, > tempo):"
    diff "$T/ex_tshark.txt" "$T/ex_tempo.txt" | head -n 20
fi
check_eq "four connections: the six calls kept one alive" 4 \
    "$(tshark -r "$T/cap.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)"
check_exit "audit the capture" 0 "$TEMPO" audit -r "$T/all.rules" --format json "$T/cap.pcap"
cp "$T/out" "$T/all.json"
check_eq "chat exchanges = tshark's" "$(grep -c 'POST	/v1/chat/completions' "$T/tshark.txt")" \
    "$(site_field "$T/all.json" chat .calls)"
check_eq "result reads = tshark's" "$(grep -c 'GET	/v1/results/' "$T/tshark.txt")" \
    "$(site_field "$T/all.json" results .calls)"
check_eq "no other exchange" 0 "$(site_field "$T/all.json" other .calls)"
check_eq "format" pcap "$(jq -r '.sources[0].format' "$T/all.json")"
check_eq "frames counted" "$(tshark -r "$T/cap.pcap" 2>/dev/null | wc -l)" "$(jq '.sources[0].lines' "$T/all.json")"
check_eq "capture: packets" "$(tshark -r "$T/cap.pcap" 2>/dev/null | wc -l)" "$(jq '.sources[0].capture.packets' "$T/all.json")"
check_eq "capture: streams" 4 "$(jq '.sources[0].capture.streams' "$T/all.json")"
check_eq "capture: exchanges" 12 "$(jq '.sources[0].capture.exchanges' "$T/all.json")"
check_eq "capture: none incomplete, nothing skipped" "0 0" \
    "$(jq -r '.sources[0].capture | "\(.incomplete) \(.bytes_skipped)"' "$T/all.json")"
check_exit "ingest into a store" 0 "$TEMPO" ingest -r "$T/all.rules" --db "$T/c.db" "$T/cap.pcap"
check_exit "audit the store" 0 "$TEMPO" audit -r "$T/all.rules" --db "$T/c.db" --format json
check_eq "the store keeps the capture's counts" "$(jq -c '.sources[0].capture' "$T/all.json")" \
    "$(jq -c '.sources[0].capture' "$T/out")"

check_exit "audit with keys from the JSON bodies" 0 "$TEMPO" audit -r "$T/r.rules" --format json "$T/cap.pcap"
cp "$T/out" "$T/r.json"
check_eq "m1 calls" 3 "$(site_field "$T/r.json" chat 'select(.by == "m1") | .calls')"
check_eq "m2 calls" 3 "$(site_field "$T/r.json" chat 'select(.by == "m2") | .calls')"
check_eq "every call read by its id" 6 "$(jq '[.sites[] | .reads] | add' "$T/r.json")"
check_exit "gzip'd capture on standard input" 0 sh -c "gzip -c '$T/cap.pcap' | '$TEMPO' audit -r '$T/r.rules' --format json -"
check_eq "same figures from stdin" "$(jq -c '[.sites[] | .calls, .reads]' "$T/r.json")" \
    "$(jq -c '[.sites[] | .calls, .reads]' "$T/out")"
editcap -F pcapng "$T/cap.pcap" "$T/cap.pcapng" 2>/dev/null
check_exit "pcapng" 0 "$TEMPO" audit -r "$T/r.rules" --format json "$T/cap.pcapng"
check_eq "same figures from pcapng" "$(jq -c '[.sites[] | .calls, .reads]' "$T/r.json")" \
    "$(jq -c '[.sites[] | .calls, .reads]' "$T/out")"

# damaged copies: no crash, no hang; duplicates change nothing
mergecap -w "$T/dup.pcap" "$T/cap.pcap" "$T/cap.pcap" 2>/dev/null
check_exit "every packet twice" 0 timeout 60 "$TEMPO" audit -r "$T/r.rules" --format json "$T/dup.pcap"
check_eq "duplicates de-duplicated" "$(jq -c '[.sites[] | .calls, .reads]' "$T/r.json")" \
    "$(jq -c '[.sites[] | .calls, .reads]' "$T/out")"
editcap "$T/cap.pcap" "$T/late.pcap" 1-6 2>/dev/null
check_exit "first packets cut off" 0 timeout 60 "$TEMPO" audit -r "$T/all.rules" --format json "$T/late.pcap"
n=$(jq '[.sites[] | .calls] | add' "$T/out")
check_eq "the cut-off copy counts its first exchange as incomplete or lost" yes \
    "$(jq -r '.sources[0].capture | if .exchanges + .incomplete >= 11 then "yes" else "no" end' "$T/out")"
[ "$n" -ge 10 ] && [ "$n" -le 12 ] && pass || fail "mid-connection start: $n exchanges"
size=$(wc -c < "$T/cap.pcap")
head -c $((size * 2 / 3)) "$T/cap.pcap" > "$T/cut.pcap"
check_exit "file cut short: the frames before are read" 0 timeout 60 "$TEMPO" audit -r "$T/all.rules" --format json "$T/cut.pcap"
check_contains "the damage is said" "$T/err" "damaged capture"
check_exit "file cut short, --strict" 2 timeout 60 "$TEMPO" audit --strict -r "$T/all.rules" "$T/cut.pcap"
finish
