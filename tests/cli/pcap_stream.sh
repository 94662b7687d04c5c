#!/bin/sh
# Captured traffic of the tests' own server (tests/server/stream_server.c), the
# things nginx does not do: chat completions streamed as Server-Sent Events the
# way OpenAI and Anthropic stream them, chunked bodies with a trailer, chunked
# request bodies, 100 Continue, pipelined requests, HTTP/1.0 close-delimited
# bodies, HEAD, 204, 304, 404. curl and bash drive it on 127.0.0.1, tcpdump
# captures the loopback. tshark's HTTP dissector is the oracle: the list of
# exchanges (method, path, status, first request byte, end of the response) must
# match Tempo's exchange for exchange, to the microsecond. rules/default.rules
# must recognise the calls with no rules of one's own. Then damaged copies
# (editcap: cut to a snap length, bytes chopped, bit errors, first packets
# removed; mergecap: every packet twice; the file cut short) must neither crash
# nor hang Tempo. Bounded: the server and tcpdump stop by themselves.
. tests/lib.sh
for tool in tcpdump tshark editcap mergecap curl sqlite3 bash jq; do
    command -v "$tool" >/dev/null || { fail "$tool not installed (make test installs it)"; finish; }
done
SERVER=$ROOT/build/stream-server
[ -x "$SERVER" ] || { fail "$SERVER missing (make build/stream-server)"; finish; }
SPID=; TPID=
at_exit() {
    [ -n "$TPID" ] && kill -TERM "$TPID" 2>/dev/null
    [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null
}
trap 'at_exit; rm -rf "$T"' EXIT
"$SERVER" -t 90 > "$T/port" 2>"$T/server.err" &
SPID=$!
i=0
while [ ! -s "$T/port" ]; do
    i=$((i + 1)); [ $i -gt 100 ] && { fail "stream-server did not start"; finish; }
    sleep 0.05
done
port=$(cat "$T/port")
base=http://127.0.0.1:$port

capture_start "$port" "$T/cap.pcap"

J='Content-Type: application/json'
# 5 chat completions on one keep-alive connection: 2 whole (chunked + trailer), 3 streamed
U=$base/v1/chat/completions
curl -s -m 10 -H "$J" -d '{"model":"gpt-a","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"gpt-a","stream":true,"messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"gpt-b","messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"gpt-b","stream":true,"messages":[]}' "$U" \
    --next -s -H "$J" -d '{"model":"gpt-b","stream":true,"messages":[]}' "$U" > "$T/chat.out"
ids=$(grep -o '"id":"chatcmpl-[0-9-]*"' "$T/chat.out" | sed 's/.*"\(chatcmpl-[^"]*\)"/\1/' |
    uniq)
check_eq "five chat completions answered" 5 "$(printf '%s\n' "$ids" | grep -c chatcmpl)"
check_eq "three of them streamed with [DONE]" 3 "$(grep -c '^data: \[DONE\]' "$T/chat.out")"
# 3 Anthropic messages, 2 streamed
curl -s -m 10 -H "$J" -d '{"model":"claude","max_tokens":9}' "$base/v1/messages" \
    --next -s -H "$J" -d '{"model":"claude","stream":true}' "$base/v1/messages" \
    --next -s -H "$J" -d '{"model":"claude","stream":true}' "$base/v1/messages" > "$T/msg.out"
check_eq "two messages streamed" 2 "$(grep -c '^event: message_stop' "$T/msg.out")"
# KServe with a chunked request body; TorchServe through 100 Continue
curl -s -m 5 -H 'Transfer-Encoding: chunked' -H "$J" --data-binary '{"inputs":[1]}' \
    "$base/v2/models/churn/infer" > "$T/kserve.out"
check_contains "KServe answered" "$T/kserve.out" '"model_name":"churn"'
head -c 3000 /dev/zero | tr '\0' x > "$T/big"
curl -s -m 5 -H 'Expect: 100-continue' -H "$J" --data-binary @"$T/big" \
    "$base/predictions/resnet" > "$T/torch.out"
check_contains "TorchServe answered after 100 Continue" "$T/torch.out" '"label":"cat"'
# HEAD, 204, 304, 404 on one connection; HTTP/1.0 without a length
curl -s -m 5 -I -o /dev/null "$base/v1/models" --next -s -o /dev/null "$base/status" \
    --next -s -o /dev/null "$base/cached" --next -s -o /dev/null "$base/nope"
curl -s -m 5 --http1.0 "$base/legacy" > "$T/legacy.out"
check_contains "HTTP/1.0 body read to the close" "$T/legacy.out" "ends when the connection does"
# three requests pipelined in one write: a read, a 204, a TF Serving call
set -- $ids
printf 'GET /v1/chat/completions/%s HTTP/1.1\r\nHost: a\r\n\r\nGET /status HTTP/1.1\r\nHost: a\r\n\r\nPOST /v1/models/m:predict HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' \
    "$1" > "$T/pipelined"
bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; cat "$2" >&3; timeout 5 cat <&3' sh "$port" \
    "$T/pipelined" > "$T/pipelined.out"
check_eq "three pipelined answers" 3 "$(grep -o "HTTP/1.1 [0-9]" "$T/pipelined.out" | wc -l)"
# the results read again a second later, one keep-alive connection
sleep 1
set -- $ids
curl -s -m 5 -o /dev/null "$U/$1" --next -s -o /dev/null "$U/$2" \
    --next -s -o /dev/null "$U/$3" --next -s -o /dev/null "$U/$4" --next -s -o /dev/null "$U/$5"
capture_stop
[ -s "$T/cap.pcap" ] && pass || { fail "no capture written"; finish; }

# ---- exchange for exchange against tshark ----
tshark_exchanges "$T/cap.pcap" > "$T/tshark.txt"
check_eq "tshark sees 23 exchanges" 23 "$(wc -l < "$T/tshark.txt")"
check_eq "tshark pairs every request with a final response" 0 \
    "$(awk '$3 == "-"' "$T/tshark.txt" | wc -l)"
tempo_exchanges "$T/cap.pcap" "$T/tshark.txt" > "$T/tempo.txt"
if cmp -s "$T/tshark.txt" "$T/tempo.txt"; then pass; else
    fail "tempo's exchanges differ from tshark's (< tshark, > tempo):"
    diff "$T/tshark.txt" "$T/tempo.txt" | head -n 20
fi
check_eq "streamed answers end at their last event (6 events 40 ms apart)" 5 \
    "$(awk '$2 ~ /^\/v1\/(chat\/completions|messages)$/ && $5 - $4 >= 200000' "$T/tempo.txt" |
       wc -l)"
check_eq "the 100 Continue did not count as an answer" 1 \
    "$(grep -c '^POST /predictions/resnet 200 ' "$T/tempo.txt")"

# ---- the capture's counts ----
check_exit "audit with the default rules" 0 "$TEMPO" audit -r "$ROOT/rules/default.rules" \
    --format json "$T/cap.pcap"
cp "$T/out" "$T/d.json"
syns=$(tshark -r "$T/cap.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' 2>/dev/null | wc -l)
pkts=$(tshark -r "$T/cap.pcap" 2>/dev/null | wc -l)
check_eq "capture counts: packets, streams, exchanges, incomplete, skipped" \
    "$pkts $syns 23 0 0" \
    "$(jq -r '.sources[0].capture | "\(.packets) \(.streams) \(.exchanges) \(.incomplete) \(.bytes_skipped)"' "$T/d.json")"

check_exit "the migration report of the capture" 0 "$TEMPO" report -r "$ROOT/rules/default.rules" \
    -o "$T/rep" --no-charts "$T/cap.pcap"
check_contains "... says what the capture counted" "$T/rep/report.md" \
    "$pkts packets, $syns TCP streams, 23 HTTP exchanges, 0 incomplete, 0 bytes skipped"
check_contains "... in the HTML too" "$T/rep/report.html" "23 HTTP exchanges, 0 incomplete"

# ---- rules/default.rules on the calls: sites, keys, reads, tokens ----
check_eq "default rules: chat, messages, kserve, tfserving, torchserve calls" \
    "chat=5 kserve=1 messages=3 tfserving=1 torchserve=1" \
    "$(jq -r '[.sites[] | select(.calls > 0)] | group_by(.name) |
        map("\(.[0].name)=\(map(.calls) | add)") | join(" ")' "$T/d.json")"
check_eq "every chat result, streamed or whole, found by its id (one read twice)" "gpt-a 2/2 gpt-b 3/3" \
    "$(jq -r '[.sites[] | select(.name == "chat") | "\(.by) \(.calls)/\(.reads)"] | sort |
        join(" ")' "$T/d.json")"
rm -f "$T/d.db"
"$TEMPO" ingest -r "$ROOT/rules/default.rules" --db "$T/d.db" "$T/cap.pcap" >/dev/null 2>&1
check_eq "chat tokens: whole 9/3, streamed 11/5 from the first and last events" \
    "11/5 11/5 11/5 9/3 9/3" \
    "$(sqlite3 "$T/d.db" "SELECT c.tokens_in || '/' || c.tokens_out FROM calls c JOIN sites s
        ON s.id = c.site WHERE s.name = 'chat' ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')"
check_eq "messages: streamed ids from message_start, tokens 12 in, 6 out (4 whole)" \
    "3 12/4 12/6 12/6" \
    "$(sqlite3 "$T/d.db" "SELECT count(coalesce(c.key, c.alt_key)) FROM calls c JOIN sites s ON s.id = c.site
        WHERE s.name = 'messages'; SELECT c.tokens_in || '/' || c.tokens_out FROM calls c
        JOIN sites s ON s.id = c.site WHERE s.name = 'messages' ORDER BY 1" |
        tr '\n' ' ' | sed 's/ $//')"

# ---- damaged copies: no crash, no hang; the doubled one gives the same list ----
mergecap -w "$T/dup.pcap" "$T/cap.pcap" "$T/cap.pcap" 2>/dev/null
tempo_exchanges "$T/dup.pcap" "$T/tshark.txt" > "$T/dup.txt"
if cmp -s "$T/tempo.txt" "$T/dup.txt"; then pass; else
    fail "every packet twice changed the exchanges:"; diff "$T/tempo.txt" "$T/dup.txt" | head
fi
editcap -s 90 "$T/cap.pcap" "$T/snap.pcap" 2>/dev/null
editcap -C 40 "$T/cap.pcap" "$T/chop.pcap" 2>/dev/null
editcap -E 0.02 --seed 7 "$T/cap.pcap" "$T/bits.pcap" 2>/dev/null
editcap "$T/cap.pcap" "$T/late.pcap" 1-9 2>/dev/null
size=$(wc -c < "$T/cap.pcap")
head -c $((size / 2)) "$T/cap.pcap" > "$T/half.pcap"
for f in snap chop bits late half; do
    timeout 60 "$TEMPO" audit -r "$ROOT/rules/default.rules" --format json "$T/$f.pcap" \
        > "$T/$f.json" 2>"$T/$f.err"
    rc=$?
    if [ $rc -eq 0 ] && jq -e '.sources[0].capture.packets > 0' "$T/$f.json" >/dev/null; then
        pass
    else
        fail "$f copy: exit $rc"; tail -n 5 "$T/$f.err"
    fi
done
check_eq "cut to 90 bytes a packet: bodies lost, exchanges incomplete" true \
    "$(jq '.sources[0].capture | .incomplete > 0 and .bytes_skipped > 0' "$T/snap.json")"
check_eq "first 9 packets gone: the first connection is picked up mid-stream" true \
    "$(jq '.sources[0].capture.exchanges >= 20' "$T/late.json")"
check_contains "the file cut short is named" "$T/half.err" "half.pcap"
finish
