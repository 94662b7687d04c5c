#!/bin/sh
# --db: a real SQLite file. `ingest` then `audit --db` with no sources gives
# the same sites as an in-memory audit; the file is a valid SQLite database
# with the schema version set; a store from a newer tempo is refused (exit 2).
. tests/lib.sh
G="$ROOT/tests/data/demo"
R="$ROOT/rules/demo.rules"
check_exit "in-memory audit" 0 "$TEMPO" audit -r "$R" --format json "$G/gateway.log" "$G/results.log.gz"
jq -c '[.sites[] | [.name, .verdict, .calls, .reads, .wait_s.p50]]' "$T/out" > "$T/mem.sites"
check_exit "ingest" 0 "$TEMPO" ingest -r "$R" --db "$T/t.db" "$G/gateway.log" "$G/results.log.gz"
check_exit "audit --db" 0 "$TEMPO" audit -r "$R" --db "$T/t.db" --format json
jq -c '[.sites[] | [.name, .verdict, .calls, .reads, .wait_s.p50]]' "$T/out" > "$T/db.sites"
check_eq "same sites from the store" "$(cat "$T/mem.sites")" "$(cat "$T/db.sites")"
check_eq "sources kept" 2 "$(jq -r '.sources | length' "$T/out")"
if command -v sqlite3 >/dev/null || { fail "sqlite3 is not installed (make test installs it)"; false; }; then
    check_eq "integrity" ok "$(sqlite3 "$T/t.db" 'PRAGMA integrity_check')"
    check_eq "calls stored" 800 "$(sqlite3 "$T/t.db" 'SELECT count(*) FROM calls')"
    sqlite3 "$T/t.db" 'PRAGMA user_version = 999'
    check_exit "newer schema refused" 2 "$TEMPO" audit -r "$R" --db "$T/t.db"
    check_contains "newer schema said" "$T/err" "newer than this tempo"
fi
check_exit "ingest needs --db" 2 "$TEMPO" ingest -r "$R" "$G/gateway.log"
printf 'not a database at all, just text that is long enough to be a header....\n' > "$T/bad.db"
check_exit "not a database" 2 "$TEMPO" audit -r "$R" --db "$T/bad.db"
check_contains "not a database named" "$T/err" "bad.db"
finish
