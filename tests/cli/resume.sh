#!/bin/sh
# tempo ingest --db, run again and again on logs that grow and rotate (issue 8):
# each case feeds the lines of one generated nginx log through a different
# history (growth, a half-written last line, rename + new file, copytruncate,
# truncation then regrowth past the old offset, a reused inode, the rotated file
# gzip'd) and the store must end holding exactly what one run on the whole log
# stores: the same calls and reads, row for row, and the same line counts.
# Captures and OTLP are read once; standard input every time. Two tempos on one
# store: the second waits, or says the store is in use. Other rules: refused
# with the command that rebuilds the store; other verdicts: fine.
. tests/lib.sh
GEN=$ROOT/build/gen-log
[ -x "$GEN" ] || { fail "$GEN missing (make build/gen-log)"; finish; }
for tool in sqlite3 flock gzip jq; do
    command -v $tool >/dev/null || { fail "$tool not installed"; finish; }
done
R=$ROOT/rules/demo.rules
"$GEN" --size 6M --seed 5 --malformed 12 -o "$T/full.log" --truth "$T/truth" >/dev/null ||
    { fail "gen-log failed"; finish; }
N=$(wc -l < "$T/full.log")
lines() { sed -n "$1,$2p" "$T/full.log"; } # lines FROM TO of the whole log

ingest() { # DB FILE... - one run; its standard error in $T/last.err
    db=$1; shift
    "$TEMPO" ingest -r "$R" --db "$db" "$@" >/dev/null 2>"$T/last.err"
}
"$TEMPO" ingest -r "$R" --db "$T/ref.db" "$T/full.log" 2>/dev/null ||
    { fail "one run on the whole log failed"; finish; }
store_digest "$T/ref.db" | head -n 2 > "$T/ref" # each source keeps its own first bad lines
check_eq "the whole log: every line counted" "$N" \
    "$(sqlite3 "$T/ref.db" "SELECT sum(lines) FROM sources")"
same() { # WHAT DB - the store holds what one run on the whole log stores
    if store_digest "$2" | head -n 2 | cmp -s - "$T/ref"; then pass; else
        fail "$1: the store differs from one run on the whole log"
        store_digest "$2" | head -n 2 | diff "$T/ref" - | head -n 4
    fi
}
a=$((N / 3)); b=$((2 * N / 3))

# ---- growth, with a half-written last line ----
D=$T/grow; mkdir -p "$D"
lines 1 "$a" > "$D/access.log"
ingest "$D/s.db" "$D/access.log"
lines $((a + 1)) $((a + 1)) | head -c 40 >> "$D/access.log" # half a line, no end yet
ingest "$D/s.db" "$D/access.log"
check_eq "a half-written last line waits" "$a" \
    "$(sqlite3 "$D/s.db" "SELECT lines FROM sources")"
lines $((a + 1)) $((a + 1)) | tail -c +41 >> "$D/access.log"
lines $((a + 2)) "$N" >> "$D/access.log"
ingest "$D/s.db" "$D/access.log"
ingest "$D/s.db" "$D/access.log" # nothing new: nothing added
same "growth, half a line, growth" "$D/s.db"
check_eq "one source for one growing log" 1 "$(sqlite3 "$D/s.db" "SELECT count(*) FROM sources")"

# ---- rename + new file (logrotate's default), the rotated one gzip'd later ----
D=$T/rename; mkdir -p "$D"
lines 1 "$a" > "$D/access.log"
ingest "$D/s.db" "$D/access.log"
lines $((a + 1)) $((a + 100)) >> "$D/access.log"  # written after the last run...
mv "$D/access.log" "$D/access.log.1"              # ...then rotated
lines $((a + 101)) "$b" > "$D/access.log"
ingest "$D/s.db" "$D/access.log" "$D/access.log.1"
gzip "$D/access.log.1"
mv "$D/access.log" "$D/access.log.1"; mv "$D/access.log.1.gz" "$D/access.log.2.gz"
lines $((b + 1)) "$N" > "$D/access.log"
ingest "$D/s.db" "$D/access.log" "$D/access.log.1" "$D/access.log.2.gz"
same "rename, new file, gzip'd rotation" "$D/s.db"

# ---- copytruncate, and a rotated copy gzip'd before it was read to its end ----
D=$T/copy; mkdir -p "$D"
lines 1 "$a" > "$D/access.log"
ingest "$D/s.db" "$D/access.log"
lines $((a + 1)) "$b" >> "$D/access.log"
gzip -c "$D/access.log" > "$D/access.log.1.gz"  # copy, compressed ...
: > "$D/access.log"                              # ... and truncate in place
lines $((b + 1)) "$N" >> "$D/access.log"
ingest "$D/s.db" "$D/access.log.1.gz" "$D/access.log"
same "copytruncate, copy gzip'd" "$D/s.db"

# ---- truncated in place, then grown past the old offset ----
D=$T/regrow; mkdir -p "$D"
lines 1 "$a" > "$D/access.log"
ingest "$D/s.db" "$D/access.log"
lines 1 "$a" > "$D/old.log"
lines $((a + 1)) "$N" > "$D/access.log" # much longer than before: not a continuation
ingest "$D/s.db" "$D/access.log"
check_eq "regrown in place: read from its start" "$N" \
    "$(sqlite3 "$D/s.db" "SELECT sum(lines) FROM sources")"
same "truncation, regrowth past the old offset" "$D/s.db"
ingest "$D/s.db" "$D/old.log" # the first content again, under another name: known
same "the first content again under another name" "$D/s.db"

# ---- a new file on a reused inode ----
D=$T/inode; mkdir -p "$D"
lines 1 "$a" > "$D/access.log"
ingest "$D/s.db" "$D/access.log"
ino=$(stat -c %i "$D/access.log")
rm "$D/access.log"
lines $((a + 1)) "$N" > "$D/access.log"
reused=$(stat -c %i "$D/access.log")
ingest "$D/s.db" "$D/access.log"
same "new content (inode $ino, now $reused)" "$D/s.db"

# ---- captures, OTLP: once; standard input: each time ----
D=$T/whole; mkdir -p "$D"
cp "$ROOT/tests/data/pcap/curl_http.pcap" "$D/c.pcap"
ingest "$D/s.db" "$D/c.pcap"
ingest "$D/s.db" "$D/c.pcap"
check_contains "a capture read before is said so" "$T/last.err" "not read again"
check_eq "a capture is read once" 1 "$(sqlite3 "$D/s.db" "SELECT count(*) FROM sources")"
lines 1 10 | "$TEMPO" ingest -r "$R" --db "$D/s.db" - 2>/dev/null
lines 1 10 | "$TEMPO" ingest -r "$R" --db "$D/s.db" - 2>/dev/null
check_eq "standard input is read each time" 3 \
    "$(sqlite3 "$D/s.db" "SELECT count(*) FROM sources")"

# ---- standard input killed while being read: left out of audits, then removed ----
"$GEN" --jsonl --size 12M --seed 6 -o "$T/big.jsonl" >/dev/null # > LIMIT_STORE_BATCH rows
J=$ROOT/tests/data/jsonl/gateway.rules
"$TEMPO" ingest -r "$J" --db "$D/j.db" "$T/big.jsonl" 2>/dev/null
calls=$(sqlite3 "$D/j.db" "SELECT count(*) FROM calls")
sh -c 'echo $$ > "$1.pid"; cat "$1"; exec sleep 30' sh "$T/big.jsonl" |
    "$TEMPO" ingest -r "$J" --db "$D/j.db" - 2>/dev/null &
ipid=$!
i=0 # until a batch of it is committed (one per LIMIT_STORE_BATCH rows)
while [ "$(sqlite3 "$D/j.db" "SELECT count(*) FROM calls" 2>/dev/null)" = "$calls" ]; do
    i=$((i + 1)); [ $i -gt 200 ] && break
    sleep 0.1
done
kill -KILL $ipid "$(cat "$T/big.jsonl.pid")" 2>/dev/null; wait $ipid 2>/dev/null
check_eq "killed mid-stdin: rows of it were committed" yes \
    "$([ "$(sqlite3 "$D/j.db" "SELECT count(*) FROM calls")" -gt "$calls" ] && echo yes)"
check_exit "an audit leaves the unfinished source out" 0 "$TEMPO" audit -r "$J" --db "$D/j.db" \
    --format json
check_eq "... its calls too" "$calls" "$(jq '[.sites[].calls] | add' "$T/out")"
check_contains "... and says so" "$T/err" "1 source that an interrupted ingest did not finish"
"$TEMPO" ingest -r "$J" --db "$D/j.db" "$T/big.jsonl" 2>"$T/last.err"
check_contains "the next ingest removes it" "$T/last.err" "1 source left unfinished"
check_eq "... with its rows" "$calls" "$(sqlite3 "$D/j.db" "SELECT count(*) FROM calls")"

# ---- two tempos on one store ----
D=$T/lock; mkdir -p "$D"
lines 1 "$a" > "$D/access.log"
ingest "$D/s.db" "$D/access.log"
( flock -x 9; sleep 2 ) 9<"$D/s.db" &
sleep 0.3
lines $((a + 1)) "$N" >> "$D/access.log"
ingest "$D/s.db" "$D/access.log"
check_eq "the second tempo waits for the first" 0 "$?"
wait
same "after waiting" "$D/s.db"
( flock -x 9; sleep 13 ) 9<"$D/s.db" &
sleep 0.3
check_exit "a store in use too long: exit 2" 2 "$TEMPO" audit -r "$R" --db "$D/s.db"
check_contains "... saying so" "$T/err" "in use by another tempo"
wait

# ---- rules ----
cp "$R" "$T/more.rules"
echo 'call health GET /healthz' >> "$T/more.rules"
check_exit "other call rules: refused" 2 "$TEMPO" audit -r "$T/more.rules" --db "$D/s.db"
check_contains "... with the command that rebuilds it" "$T/err" "rm $D/s.db && tempo ingest"
sed 's/^delay .*/delay 2h/' "$R" > "$T/later.rules"
check_exit "other delay and verdicts: fine" 0 "$TEMPO" audit -r "$T/later.rules" --db "$D/s.db" \
    --format json
finish
