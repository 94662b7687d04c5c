#!/bin/sh
# A run killed at any moment loses nothing and repeats nothing (issue 8): a
# ~100 MB nginx log from build/gen-log is ingested into a store, killed with
# SIGKILL at 20 random moments and resumed each time, then finished; the store
# must pass PRAGMA integrity_check and hold exactly what one uninterrupted run
# stores (the same calls and reads, row for row, and the same counts). Then
# kills at exact points (TEMPO_TEST_KILL_AT: right after a checkpoint's
# commit). Last, the same test on build/san/tempo-split, a tempo built to
# commit a batch's rows and its offset in two transactions: it must fail.
#   RESUME_SIZE (default 100M), RESUME_KILLS (default 20), RESUME_MAX_S (1.5: the
#   latest kill, in seconds after the start; `make soak`: 1 GB, 50 kills, 8 s)
. tests/lib.sh
GEN=$ROOT/build/gen-log
SPLIT=$ROOT/build/san/tempo-split
[ -x "$GEN" ] || { fail "$GEN missing (make build/gen-log)"; finish; }
command -v sqlite3 >/dev/null || { fail "sqlite3 not installed (make test installs it)"; finish; }
SIZE=${RESUME_SIZE:-100M}
KILLS=${RESUME_KILLS:-20}
MAX_S=${RESUME_MAX_S:-1.5}
R=$ROOT/rules/demo.rules
"$GEN" --size "$SIZE" --seed 11 --malformed 50 -o "$T/access.log" --truth "$T/truth" >/dev/null ||
    { fail "gen-log failed"; finish; }

counts() { # DB - how many calls and reads it holds
    sqlite3 "$1" "SELECT (SELECT count(*) FROM calls) || ' calls, ' ||
        (SELECT count(*) FROM reads) || ' reads'"
}

"$TEMPO" ingest -r "$R" --db "$T/ref.db" "$T/access.log" 2>"$T/ref.err" ||
    { fail "the uninterrupted run failed: $(cat "$T/ref.err")"; finish; }
store_digest "$T/ref.db" > "$T/ref.digest"
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
awk -v n="$KILLS" -v s="$seed" -v m="$MAX_S" 'BEGIN { srand(s); for (i = 0; i < n; i++)
    printf "%.2f\n", 0.05 + rand() * m }' > "$T/points"
echo "kill points (seed $seed): $(tr '\n' ' ' < "$T/points")"
while read -r at; do
    kill_run "$TEMPO" "$T/k.db" "$at"
done < "$T/points"
echo "after the kills: $(counts "$T/k.db")"
"$TEMPO" ingest -r "$R" --db "$T/k.db" "$T/access.log" 2>"$T/k.err"
check_eq "the resumed run ends well" 0 "$?"
check_eq "integrity_check after $KILLS kills" ok "$(sqlite3 "$T/k.db" "PRAGMA integrity_check")"
if store_digest "$T/k.db" | cmp -s - "$T/ref.digest"; then pass; else
    fail "after $KILLS kills and a resume the store differs from an uninterrupted run's"
    store_digest "$T/k.db" | diff "$T/ref.digest" - | head -n 6
fi
check_eq "a run on a store that is up to date adds nothing" "$(cat "$T/ref.digest")" \
    "$("$TEMPO" ingest -r "$R" --db "$T/k.db" "$T/access.log" 2>/dev/null; store_digest "$T/k.db")"

# ---- kills right after a commit, the exact points ----
for at in 1 3 7; do
    TEMPO_TEST_KILL_AT=$at "$TEMPO" ingest -r "$R" --db "$T/x$at.db" "$T/access.log" \
        >/dev/null 2>&1
    check_eq "killed after commit $at: SIGKILL" 137 "$?"
    TEMPO_TEST_KILL_AT=2 "$TEMPO" ingest -r "$R" --db "$T/x$at.db" "$T/access.log" \
        >/dev/null 2>&1
    "$TEMPO" ingest -r "$R" --db "$T/x$at.db" "$T/access.log" >/dev/null 2>&1
    if store_digest "$T/x$at.db" | cmp -s - "$T/ref.digest"; then pass; else
        fail "killed after commits $at and 2: the store differs"; fi
done

# ---- the broken build must be caught ----
if [ -x "$SPLIT" ]; then
    TEMPO_TEST_KILL_AT=1 "$SPLIT" ingest -r "$R" --db "$T/s.db" "$T/access.log" >/dev/null 2>&1
    "$SPLIT" ingest -r "$R" --db "$T/s.db" "$T/access.log" >/dev/null 2>&1
    if store_digest "$T/s.db" | cmp -s - "$T/ref.digest"; then
        fail "a tempo that commits rows and offset apart passed the kill test"
    else
        pass
    fi
else
    fail "$SPLIT missing (make build/san/tempo-split)"
fi
finish
