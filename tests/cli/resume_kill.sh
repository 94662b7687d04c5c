#!/bin/sh
# A run killed at any moment loses nothing and repeats nothing (issue 8): a
# ~100 MB nginx log from build/gen-log is ingested into a store, killed with
# SIGKILL at 20 random moments and resumed each time, then finished; the store
# must pass PRAGMA integrity_check and hold exactly what one uninterrupted run
# stores (the same calls and reads, row for row, and the same counts). Then
# kills at exact points (TEMPO_TEST_KILL_AT: right after a checkpoint's
# commit). Last, the same test on build/san/tempo-split, a tempo built to
# commit a batch's rows and its offset in two transactions: it must fail.
#   RESUME_SIZE (default 100M), RESUME_KILLS (default 20)
. tests/lib.sh
GEN=$ROOT/build/gen-log
SPLIT=$ROOT/build/san/tempo-split
[ -x "$GEN" ] || { fail "$GEN missing (make build/gen-log)"; finish; }
command -v sqlite3 >/dev/null || { fail "sqlite3 not installed (make test installs it)"; finish; }
SIZE=${RESUME_SIZE:-100M}
KILLS=${RESUME_KILLS:-20}
R=$ROOT/rules/demo.rules
"$GEN" --size "$SIZE" --seed 11 --malformed 50 -o "$T/access.log" --truth "$T/truth" >/dev/null ||
    { fail "gen-log failed"; finish; }

# what a store holds, independent of row order and ids: every call and read
# with its site and label text, and the source's counts
digest() {
    sqlite3 "$1" "SELECT s.name, coalesce(l.text, ''), coalesce(c.key, ''),
        coalesce(c.alt_key, ''), c.start_us, c.ready_us, coalesce(c.latency_us, ''),
        coalesce(c.tokens_in, ''), coalesce(c.tokens_out, '')
        FROM calls c JOIN sites s ON s.id = c.site LEFT JOIN labels l ON l.id = c.by
        ORDER BY 1, 2, 3, 4, 5, 6;
        SELECT s.name, coalesce(l.text, ''), coalesce(r.key, ''), r.bulk, r.at_us
        FROM reads r JOIN sites s ON s.id = r.site LEFT JOIN labels l ON l.id = r.by
        ORDER BY 1, 2, 3, 4, 5;" | cksum
    sqlite3 "$1" "SELECT count(*), sum(lines), sum(events), sum(matched), sum(skipped),
        sum(resume_offset), min(min_us), max(max_us) FROM sources;
        SELECT count(*) FROM source_errors"
}
counts() {
    sqlite3 "$1" "SELECT (SELECT count(*) FROM calls) || ' calls, ' ||
        (SELECT count(*) FROM reads) || ' reads'"
}

"$TEMPO" ingest -r "$R" --db "$T/ref.db" "$T/access.log" 2>"$T/ref.err" ||
    { fail "the uninterrupted run failed: $(cat "$T/ref.err")"; finish; }
digest "$T/ref.db" > "$T/ref.digest"
check_eq "the uninterrupted run stored every call" "$(awk -F= '$1 == "calls" { print $2 }' \
    "$T/truth")" "$(sqlite3 "$T/ref.db" "SELECT count(*) FROM calls")"

# kill_run BINARY DB SECONDS - start an ingest, SIGKILL it after SECONDS
kill_run() {
    "$1" ingest -r "$R" --db "$2" "$T/access.log" >/dev/null 2>>"$T/kills.err" &
    pid=$!
    sleep "$3"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# ---- 20 kills at random moments ----
seed=$$
awk -v n="$KILLS" -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < n; i++)
    printf "%.2f\n", 0.05 + rand() * 1.5 }' > "$T/points"
echo "kill points (seed $seed): $(tr '\n' ' ' < "$T/points")"
while read -r at; do
    kill_run "$TEMPO" "$T/k.db" "$at"
done < "$T/points"
echo "after the kills: $(counts "$T/k.db")"
"$TEMPO" ingest -r "$R" --db "$T/k.db" "$T/access.log" 2>"$T/k.err"
check_eq "the resumed run ends well" 0 "$?"
check_eq "integrity_check after $KILLS kills" ok "$(sqlite3 "$T/k.db" "PRAGMA integrity_check")"
if digest "$T/k.db" | cmp -s - "$T/ref.digest"; then pass; else
    fail "after $KILLS kills and a resume the store differs from an uninterrupted run's"
    digest "$T/k.db" | diff "$T/ref.digest" - | head -n 6
fi
check_eq "a run on a store that is up to date adds nothing" "$(cat "$T/ref.digest")" \
    "$("$TEMPO" ingest -r "$R" --db "$T/k.db" "$T/access.log" 2>/dev/null; digest "$T/k.db")"

# ---- kills right after a commit, the exact points ----
for at in 1 3 7; do
    TEMPO_TEST_KILL_AT=$at "$TEMPO" ingest -r "$R" --db "$T/x$at.db" "$T/access.log" \
        >/dev/null 2>&1
    check_eq "killed after commit $at: SIGKILL" 137 "$?"
    TEMPO_TEST_KILL_AT=2 "$TEMPO" ingest -r "$R" --db "$T/x$at.db" "$T/access.log" \
        >/dev/null 2>&1
    "$TEMPO" ingest -r "$R" --db "$T/x$at.db" "$T/access.log" >/dev/null 2>&1
    if digest "$T/x$at.db" | cmp -s - "$T/ref.digest"; then pass; else
        fail "killed after commits $at and 2: the store differs"; fi
done

# ---- the broken build must be caught ----
if [ -x "$SPLIT" ]; then
    TEMPO_TEST_KILL_AT=1 "$SPLIT" ingest -r "$R" --db "$T/s.db" "$T/access.log" >/dev/null 2>&1
    "$SPLIT" ingest -r "$R" --db "$T/s.db" "$T/access.log" >/dev/null 2>&1
    if digest "$T/s.db" | cmp -s - "$T/ref.digest"; then
        fail "a tempo that commits rows and offset apart passed the kill test"
    else
        pass
    fi
else
    fail "$SPLIT missing (make build/san/tempo-split)"
fi
finish
