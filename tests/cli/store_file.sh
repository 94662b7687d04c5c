#!/bin/sh
# --db: a real SQLite file. `ingest` then `audit --db` with no sources gives
# the same sites as an in-memory audit; the file is a valid SQLite database
# with the schema version set; a store from a newer tempo is refused (exit 2),
# one from an older tempo migrated.
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
# a store written by an older tempo (schema 3: no fingerprints, no meta) is
# migrated in place, its rows kept, and takes new sources
if command -v sqlite3 >/dev/null; then
    sqlite3 "$T/old.db" "CREATE TABLE sites(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE labels(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
        CREATE TABLE sources(id INTEGER PRIMARY KEY, path TEXT NOT NULL, identity TEXT,
            resume_offset INTEGER, format TEXT, gzip INTEGER NOT NULL DEFAULT 0,
            bytes INTEGER NOT NULL DEFAULT 0, lines INTEGER NOT NULL DEFAULT 0,
            events INTEGER NOT NULL DEFAULT 0, matched INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0, min_us INTEGER, max_us INTEGER,
            complete INTEGER NOT NULL DEFAULT 0, utc_offset_s INTEGER);
        CREATE TABLE source_errors(source_id INTEGER NOT NULL REFERENCES sources(id)
            ON DELETE CASCADE, line INTEGER NOT NULL, reason TEXT NOT NULL);
        CREATE TABLE calls(site INTEGER NOT NULL, by INTEGER, key INTEGER, alt_key INTEGER,
            start_us INTEGER NOT NULL, ready_us INTEGER NOT NULL, latency_us INTEGER,
            tokens_in INTEGER, tokens_out INTEGER, source_id INTEGER NOT NULL);
        CREATE TABLE reads(site INTEGER NOT NULL, key INTEGER, bulk INTEGER NOT NULL,
            at_us INTEGER NOT NULL, by INTEGER, source_id INTEGER NOT NULL);
        CREATE TABLE source_counts(source_id INTEGER NOT NULL REFERENCES sources(id)
            ON DELETE CASCADE, name TEXT NOT NULL, value INTEGER NOT NULL);
        INSERT INTO sites(name) VALUES ('churn');
        INSERT INTO sources(path, format, lines, events, matched, min_us, max_us, complete)
            VALUES ('old.log', 'nginx', 1, 1, 1, 1793577600000000, 1793577601000000, 1);
        INSERT INTO calls(site, key, start_us, ready_us, source_id)
            VALUES (1, 42, 1793577600000000, 1793577601000000, 1);
        PRAGMA user_version = 3;"
    check_exit "an older store: audited" 0 "$TEMPO" audit -r "$R" --db "$T/old.db" --format json
    check_eq "... migrated to schema 4" 4 "$(sqlite3 "$T/old.db" 'PRAGMA user_version')"
    check_eq "... its call kept" 1 "$(jq -r '.sites[] | select(.name == "churn") | .calls' "$T/out")"
    check_exit "... and it takes new sources" 0 "$TEMPO" ingest -r "$R" --db "$T/old.db" \
        "$G/gateway.log"
    check_contains "... warning that its old sources cannot be known again" "$T/err" \
        "1 source in it came from a tempo older than this store's schema 4"
    check_eq "... beside the old ones" "2 801" "$(sqlite3 "$T/old.db" \
        "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM calls)" | tr '|' ' ')"
fi
check_exit "ingest needs --db" 2 "$TEMPO" ingest -r "$R" "$G/gateway.log"
printf 'not a database at all, just text that is long enough to be a header....\n' > "$T/bad.db"
check_exit "not a database" 2 "$TEMPO" audit -r "$R" --db "$T/bad.db"
check_contains "not a database named" "$T/err" "bad.db"
finish
