#!/bin/sh
# Faults while writing the store (issue 8): a file size limit (ulimit -f, as a
# full disk looks to SQLite: a write that fails mid-batch) and, when this
# machine lets root mount one, a real 600 KiB tmpfs that fills up. Each time: a
# clear error, exit 3, and a store that the next run (with room) completes to
# exactly what one uninterrupted run stores.
. tests/lib.sh
GEN=$ROOT/build/gen-log
[ -x "$GEN" ] || { fail "$GEN missing (make build/gen-log)"; finish; }
R=$ROOT/rules/demo.rules
"$GEN" --size 8M --seed 21 --malformed 5 -o "$T/access.log" >/dev/null ||
    { fail "gen-log failed"; finish; }
"$TEMPO" ingest -r "$R" --db "$T/ref.db" "$T/access.log" 2>/dev/null || { fail "ref"; finish; }
store_digest "$T/ref.db" > "$T/ref"

# ---- a write refused mid-batch: RLIMIT_FSIZE (SIGXFSZ ignored: EFBIG) ----
for blocks in 300 1200; do
    sh -c 'ulimit -f "$1"; trap "" XFSZ; shift; exec "$@"' sh "$blocks" \
        "$TEMPO" ingest -r "$R" --db "$T/f$blocks.db" "$T/access.log" >/dev/null 2>"$T/err"
    check_eq "file size limit $blocks blocks: exit 3" 3 "$?"
    check_contains "... said clearly" "$T/err" "a full disk, or a file size limit?"
    check_eq "... the store is sound" ok "$(sqlite3 "$T/f$blocks.db" "PRAGMA integrity_check")"
    "$TEMPO" ingest -r "$R" --db "$T/f$blocks.db" "$T/access.log" >/dev/null 2>&1
    check_eq "... the next run completes it" "$(cat "$T/ref")" "$(store_digest "$T/f$blocks.db")"
done

# ---- a real full disk, when root may mount a tmpfs here ----
mkdir -p "$T/small"
if mount -t tmpfs -o size=600k tmpfs "$T/small" 2>/dev/null; then
    trap 'umount "$T/small" 2>/dev/null; rm -rf "$T"' EXIT
    "$TEMPO" ingest -r "$R" --db "$T/small/s.db" "$T/access.log" >/dev/null 2>"$T/err"
    check_eq "a full tmpfs: exit 3" 3 "$?"
    check_contains "... said clearly" "$T/err" "full"
    cp "$T/small/s.db" "$T/s.db" && cp "$T/small/s.db-wal" "$T/s.db-wal" 2>/dev/null
    umount "$T/small"
    "$TEMPO" ingest -r "$R" --db "$T/s.db" "$T/access.log" >/dev/null 2>&1
    check_eq "... moved to a roomier disk, the next run completes it" "$(cat "$T/ref")" \
        "$(store_digest "$T/s.db")"
else
    echo "note: cannot mount a tmpfs here (no CAP_SYS_ADMIN): the full-disk case ran as a file size limit only"
fi
finish
