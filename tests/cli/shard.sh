#!/bin/sh
# tempo ingest --shard I/N and tempo audit --db A --db B... (issue 8): a log set
# spread over N stores, ingested side by side (xargs -P, as a batch engine
# would), then merged, gives exactly the figures of one store holding
# everything: the whole JSON report, the gate's verdicts and the report's CSV.
# Wrong uses are refused with exit 2.
. tests/lib.sh
SOURCE_DATE_EPOCH=1790000000; export SOURCE_DATE_EPOCH # one generated_at for every report
GEN=$ROOT/build/gen-log
[ -x "$GEN" ] || { fail "$GEN missing (make build/gen-log)"; finish; }
R=$ROOT/rules/demo.rules
"$GEN" --size 4M --seed 9 --malformed 7 -o "$T/a.log" --truth "$T/truth" >/dev/null &&
    "$GEN" --size 2M --seed 10 -o "$T/b.log" >/dev/null && gzip "$T/b.log" ||
    { fail "gen-log failed"; finish; }
SRC="$T/a.log $T/b.log.gz"

"$TEMPO" ingest -r "$R" --db "$T/one.db" $SRC 2>/dev/null || { fail "one store"; finish; }
printf '%s\n' 1 2 3 4 | xargs -P 2 -I{} "$TEMPO" ingest -r "$R" --shard {}/4 \
    --db "$T/s{}.db" $SRC 2>/dev/null
check_eq "four shards ingested side by side" 4 "$(ls "$T"/s?.db | wc -l)"
n1=$(sqlite3 "$T/one.db" "SELECT count(*) FROM calls")
ns=0
for i in 1 2 3 4; do ns=$((ns + $(sqlite3 "$T/s$i.db" "SELECT count(*) FROM calls"))); done
check_eq "each call in exactly one shard" "$n1" "$ns"
check_eq "shard 2 holds only its part" true \
    "$([ "$(sqlite3 "$T/s2.db" "SELECT count(*) FROM calls")" -lt "$n1" ] && echo true)"

all="--db $T/s1.db --db $T/s2.db --db $T/s3.db --db $T/s4.db"
check_exit "audit of one store" 0 "$TEMPO" audit -r "$R" --db "$T/one.db" --format json
jq -S . "$T/out" > "$T/one.json"
check_exit "audit of the four merged" 0 "$TEMPO" audit -r "$R" $all --format json
jq -S . "$T/out" > "$T/merged.json"
if cmp -s "$T/one.json" "$T/merged.json"; then pass; else
    fail "merged shards differ from one store:"; diff "$T/one.json" "$T/merged.json" | head
fi
check_eq "the merged report counts every line once" \
    "$(jq '[.sources[].lines] | add' "$T/one.json")" "$(jq '[.sources[].lines] | add' \
        "$T/merged.json")"
check_eq "... and has calls" true "$(jq '[.sites[].calls] | add > 1000' "$T/merged.json")"
"$TEMPO" report -r "$R" --db "$T/one.db" -o "$T/r1" --no-charts \
    >/dev/null 2>&1
"$TEMPO" report -r "$R" $all -o "$T/r4" --no-charts >/dev/null 2>&1
check_eq "report: the same sites.csv" "$(cksum < "$T/r1/sites.csv")" "$(cksum < "$T/r4/sites.csv")"
"$TEMPO" gate -r "$R" --db "$T/one.db" > "$T/g1" 2>&1; g1=$?
"$TEMPO" gate -r "$R" $all > "$T/g4" 2>&1; g4=$?
check_eq "gate: the same exit and findings" "$g1 $(cksum < "$T/g1")" "$g4 $(cksum < "$T/g4")"

# ---- refused ----
check_exit "another shard into a shard's store" 2 "$TEMPO" ingest -r "$R" --shard 1/4 \
    --db "$T/s2.db" "$T/a.log"
check_contains "... saying which" "$T/err" "holds shard 2/4"
check_exit "every shard into a shard's store" 2 "$TEMPO" ingest -r "$R" --db "$T/s2.db" "$T/a.log"
check_exit "a shard into a store of everything" 2 "$TEMPO" ingest -r "$R" --shard 1/2 \
    --db "$T/one.db" "$T/a.log"
check_exit "--shard without --db" 2 "$TEMPO" audit -r "$R" --shard 1/2 "$T/a.log"
check_exit "--shard 5/4" 2 "$TEMPO" ingest -r "$R" --shard 5/4 --db "$T/x.db" "$T/a.log"
check_exit "--shard 0/4" 2 "$TEMPO" ingest -r "$R" --shard 0/4 --db "$T/x.db" "$T/a.log"
check_exit "two --db with sources" 2 "$TEMPO" audit -r "$R" $all "$T/a.log"
check_exit "a missing store" 2 "$TEMPO" audit -r "$R" --db "$T/s1.db" --db "$T/nope.db"
check_contains "... named" "$T/err" "nope.db"
"$TEMPO" ingest -r "$R" --shard 1/3 --db "$T/t1.db" "$T/a.log" 2>/dev/null
check_exit "shards of two splits" 2 "$TEMPO" audit -r "$R" --db "$T/s1.db" --db "$T/t1.db"
cp "$R" "$T/other.rules"
echo 'call health GET /healthz' >> "$T/other.rules"
check_exit "stores of other rules" 2 "$TEMPO" audit -r "$T/other.rules" $all
finish
