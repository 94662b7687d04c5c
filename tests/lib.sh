# tests/lib.sh - sourced by tests/cli/*.sh. Assertions print
# "FAIL file:line: expected X, got Y"; `finish` prints "N passed, N failed"
# and exits 1 if any failed. $TEMPO is the binary under test; $T a scratch
# directory removed at exit.
PASSED=0; FAILED=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
: "${TEMPO:=$(pwd)/build/san/tempo}"
ROOT=$(pwd)

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $0: $*"; }
# check_eq WHAT EXPECTED GOT
check_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}
# check_contains WHAT FILE TEXT  (fixed string)
check_contains() {
    if grep -qF -- "$3" "$2"; then pass; else fail "$1: expected '$3' in $2"; head -n 20 "$2"; fi
}
check_not_contains() {
    if grep -qF -- "$3" "$2"; then fail "$1: did not expect '$3' in $2"; else pass; fi
}
# check_exit WHAT EXPECTED COMMAND...
check_exit() {
    what=$1; want=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" = "$want" ]; then pass; else
        fail "$what: expected exit $want, got $got"; head -n 10 "$T/err"; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit $?
}

# site_json FILE SITE [BY] - the JSON object of one site of a report, compact, via jq.
site_json() {
    if [ -n "$3" ]; then
        jq -c --arg s "$2" --arg b "$3" '.sites[] | select(.name == $s and .by == $b)' "$1"
    else
        jq -c --arg s "$2" '.sites[] | select(.name == $s)' "$1"
    fi
}
# site_field FILE SITE JQ_PATH - e.g. site_field r.json churn .wait_s.p50
site_field() {
    jq -r --arg s "$2" ".sites[] | select(.name == \$s) | $3" "$1"
}

# nginx_start PORT_BASE HTTP_TEXT - Debian's nginx on 127.0.0.1:$NGX_PORT (PORT_BASE
# plus this shell's pid mod 20000), with HTTP_TEXT (server blocks that listen on
# 127.0.0.1:$NGX_PORT, written after setting NGX_PORT with nginx_port) inside
# http { }, its files under $T/ngx; waits until GET /healthz answers; stops it
# at exit (after at_exit, which a test may redefine).
nginx_port() { NGX_PORT=$(( $1 + $$ % 20000 )); NGX_BASE="http://127.0.0.1:$NGX_PORT"; }
at_exit() { :; }
nginx_stop() {
    [ -f "$T/ngx/nginx.pid" ] && kill "$(cat "$T/ngx/nginx.pid")" 2>/dev/null
    sleep 0.3
}
nginx_start() {
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$NGINX" ] || { fail "nginx is not installed (make test installs nginx-light)"; finish; }
    mkdir -p "$T/ngx/logs" "$T/ngx/tmp"
    cat > "$T/ngx/nginx.conf" <<CONF
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/logs/error.log;
user root;
events { worker_connections 64; }
http {
    client_body_temp_path $T/ngx/tmp/body;
    proxy_temp_path $T/ngx/tmp/proxy;
    fastcgi_temp_path $T/ngx/tmp/fastcgi;
    uwsgi_temp_path $T/ngx/tmp/uwsgi;
    scgi_temp_path $T/ngx/tmp/scgi;
$1
}
CONF
    "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" -t >"$T/ngx-t.log" 2>&1 ||
        { fail "nginx -t: $(cat "$T/ngx-t.log")"; finish; }
    "$NGINX" -p "$T/ngx" -c "$T/ngx/nginx.conf" || { fail "nginx did not start"; finish; }
    trap 'at_exit; nginx_stop; rm -rf "$T"' EXIT
    _i=0
    while ! curl -s -m 2 -o /dev/null "$NGX_BASE/healthz"; do
        _i=$((_i + 1)); [ $_i -gt 50 ] && { fail "nginx does not answer on $NGX_BASE"; finish; }
        sleep 0.1
    done
}

# tshark_exchanges CAPTURE - the HTTP exchanges tshark's dissector finds, one per
# line, sorted: "METHOD PATH STATUS START_US END_US". START is the time of the
# request's first segment, END of the frame that completes the response. Requests
# and final responses (1xx skipped) are paired in order on each TCP connection,
# as HTTP/1.1 pairs them: tshark's own http.request_in pairs a pipelined
# response with the last request sent, not the first unanswered one.
tshark_exchanges() {
    tshark -r "$1" -T fields -e frame.number -e frame.time_epoch 2>/dev/null > "$T/tx_frames"
    tshark -r "$1" -Y http.request -T fields -E separator='|' -e tcp.stream -e frame.number \
        -e http.request.method -e http.request.uri -e tcp.segment 2>/dev/null > "$T/tx_req"
    tshark -r "$1" -Y http.response -T fields -E separator='|' -e tcp.stream -e frame.number \
        -e http.response.code 2>/dev/null > "$T/tx_resp"
    awk -F'|' '
        function us(t,   d) { d = index(t, "."); return substr(t, 1, d - 1) substr(t, d + 1, 6) }
        FILENAME ~ /tx_frames$/ { split($0, f, "\t"); at[f[1]] = us(f[2]); next }
        FILENAME ~ /tx_req$/ {   # a frame may end several (pipelined) requests
            k = split($3, m, ","); split($4, u, ",")
            for (i = 1; i <= k; i++) {
                first = $2; if (i == 1 && $5 != "") { split($5, s, ","); first = s[1] }
                p = u[i]; q = index(p, "?"); if (q) p = substr(p, 1, q - 1)
                rq[$1, nq[$1]++] = m[i] " " p " " first
            }
            next }
        { k = split($3, c, ","); for (i = 1; i <= k; i++) if (c[i] >= 200) rs[$1, ns[$1]++] = c[i] " " $2 }
        END {
            for (k in nq) for (i = 0; i < nq[k]; i++) {
                split(rq[k, i], a, " ")
                if (i < ns[k]) { split(rs[k, i], b, " "); print a[1], a[2], b[1], at[a[3]], at[b[2]] }
                else print a[1], a[2], "-", at[a[3]], "-"
            }
        }' "$T/tx_frames" "$T/tx_req" "$T/tx_resp" | sort
}

# tempo_exchanges CAPTURE EXCHANGES - the exchanges $TEMPO finds in CAPTURE, in the
# format of tshark_exchanges, for the methods and statuses listed in EXCHANGES (a
# tshark_exchanges output): one call site per method and status, split by path,
# read back from a real store with sqlite3 (start_us and ready_us of each call).
tempo_exchanges() {
    awk '$3 != "-" { print $1, $3 }' "$2" | sort -u | awk '
        BEGIN { print "tempo 1"; print "min_calls 1" }
        { printf "call m_%s_%s where method == \"%s\" and status == %s by=path\n", $1, $2, $1, $2 }
    ' > "$T/tx.rules"
    rm -f "$T/tx.db"
    "$TEMPO" ingest -r "$T/tx.rules" --db "$T/tx.db" "$1" >/dev/null 2>"$T/tx.err" ||
        { echo "tempo ingest failed: $(cat "$T/tx.err")"; return 1; }
    sqlite3 -separator ' ' "$T/tx.db" "SELECT s.name, l.text, c.start_us, c.ready_us
        FROM calls c JOIN sites s ON s.id = c.site LEFT JOIN labels l ON l.id = c.by" |
        awk '{ split($1, m, "_"); print m[2], $2, m[3], $3, $4 }' | sort
}

# store_digest DB - what a store holds, whatever its row order and ids: every
# call and read with its site and label text (cksum of them), then the
# sources' summed counts and the number of bad lines kept.
store_digest() {
    sqlite3 "$1" "SELECT s.name, coalesce(l.text, ''), coalesce(c.key, ''),
        coalesce(c.alt_key, ''), c.start_us, c.ready_us, coalesce(c.latency_us, ''),
        coalesce(c.tokens_in, ''), coalesce(c.tokens_out, '')
        FROM calls c JOIN sites s ON s.id = c.site LEFT JOIN labels l ON l.id = c.by
        ORDER BY 1, 2, 3, 4, 5, 6;
        SELECT s.name, coalesce(l.text, ''), coalesce(r.key, ''), r.bulk, r.at_us
        FROM reads r JOIN sites s ON s.id = r.site LEFT JOIN labels l ON l.id = r.by
        ORDER BY 1, 2, 3, 4, 5;" | cksum
    sqlite3 "$1" "SELECT sum(lines), sum(events), sum(matched), sum(skipped), min(min_us),
        max(max_us) FROM sources; SELECT count(*) FROM source_errors"
}

# capture_start PORT FILE - tcpdump on the loopback writes the TCP traffic of
# PORT to FILE, each packet as it comes; TPID is its pid (capture_stop ends it).
# Bounded: it is stopped after 60 s whatever the test does.
capture_start() {
    tcpdump -Z root -i lo --immediate-mode -U -n -s 0 -w "$2" "tcp port $1" \
        2>"$T/tcpdump.err" &
    TPID=$!
    ( sleep 60; kill -TERM "$TPID" 2>/dev/null ) &
    _i=0
    while ! grep -q listening "$T/tcpdump.err" 2>/dev/null; do
        _i=$((_i + 1))
        [ $_i -gt 100 ] && { fail "tcpdump did not start: $(cat "$T/tcpdump.err")"; finish; }
        sleep 0.05
    done
}
# capture_stop - after a margin for the last packets, stop tcpdump and wait.
capture_stop() {
    sleep 0.5
    kill -TERM "$TPID"; wait "$TPID" 2>/dev/null; TPID=
}
