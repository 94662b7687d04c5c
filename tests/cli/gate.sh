#!/bin/sh
# tempo gate end to end on generated workloads (an awk generator below): a
# nightly site computed 06:00-18:00 and read the next morning (fake urgency),
# a live site read within seconds (real time). A fake-urgency site fails; the
# same site kept passes; a baseline that already holds it passes; the nightly
# site whose readers in the new window read within five minutes fails as drift;
# a new fake-urgency site absent from the baseline fails; an unchanged workload
# against its own baseline passes. Every output is checked: text, GitHub
# workflow commands, the PR summary, JUnit (xmllint against tests/schema/
# junit.xsd) and SARIF (ajv against the SARIF 2.1.0 schema in tests/schema/).
. tests/lib.sh
SARIF_CHECK="node $ROOT/tests/js/sarif.js"
[ -d "$ROOT/tests/js/node_modules/ajv-draft-04" ] ||
    { fail "tests/js/node_modules missing (make test runs npm ci there)"; finish; }

# gen READ_DELAY_MINUTES [extra site]: ten weekdays of 2026-11; nightly calls
# every 10 minutes 06:00-18:00, each read READ_DELAY later (840: next morning
# 08:00); live calls read 2 s later; with "extra", a reports site read weekly.
gen() {
    awk -v delay="$1" -v extra="$2" 'BEGIN {
        n = 0
        for (d = 2; d <= 13; d++) {
            if (d == 7 || d == 8) continue
            for (m = 6 * 60; m < 18 * 60; m += 10) {
                n++
                t = (d - 1) * 1440 + m
                call(t, "nightly", "n" n)
                read(t + (delay == 840 ? (24 * 60 + 8 * 60 - m) + n % 50 : delay) , "nightly", "n" n, "crm/2.0")
                call(t, "live", "l" n); read(t + 1, "live", "l" n, "app/1.0", 2)
                if (extra != "") { call(t, "reports", "r" n); read(13 * 1440 + 23 * 60, "reports", "r" n, "bi/1.0") }
            }
        }
    }
    function stamp(t, s,   d, h, mi) { d = int(t / 1440) + 1; h = int((t % 1440) / 60); mi = t % 60
        return sprintf("%02d/Nov/2026:%02d:%02d:%02d +0000", d, h, mi, s) }
    function call(t, site, id) { printf "10.0.0.1 - - [%s] \"POST /v1/%s/%s HTTP/1.1\" 200 10 \"-\" \"job/1.0\" 0.400\n", stamp(t, 30), site, id }
    function read(t, site, id, ua, s) { printf "10.0.0.2 - - [%s] \"GET /v1/%s-results/%s HTTP/1.1\" 200 10 \"-\" \"%s\" 0.010\n", stamp(t, s + 0), site, id, ua }'
}
rules() { # rules FILE [keep]
    cat > "$1" <<'RULES'
tempo 1
min_calls 20
delay 1h
logformat g '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
call nightly POST /v1/nightly/{id} key=id
call live    POST /v1/live/{id}    key=id
call reports POST /v1/reports/{id} key=id
read nightly GET /v1/nightly-results/{key} by=header.user-agent
read live    GET /v1/live-results/{key}
read reports GET /v1/reports-results/{key}
price nightly openai realtime $0.01/call
price live    realtime $0.002/call batch 50%
price reports realtime $0.004/call batch $0.001/call
RULES
    [ -n "$2" ] && echo 'keep nightly "the CRM team asked for it live: ticket OPS-42"' >> "$1"
}
gen 840 > "$T/w1.log"          # nightly read next morning
gen 3 > "$T/w2.log"            # nightly read within five minutes
gen 840 extra > "$T/w3.log"    # plus a new site read once a week
rules "$T/a.rules"; rules "$T/k.rules" keep
LINE=$(grep -n '^call nightly' "$T/a.rules" | cut -d: -f1)

# 1. a fake-urgency site fails, with its call rule's line and what to do
check_exit "fake urgency fails" 1 "$TEMPO" gate -r "$T/a.rules" "$T/w1.log"
check_contains "text names the rules line" "$T/out" "$T/a.rules:$LINE: fake urgency: nightly"
check_contains "text says what to do" "$T/out" "move it to batch"
check_eq "one new finding" 1 "$(grep -c ': fake urgency: ' "$T/out")"
check_not_contains "live is not a finding" "$T/out" ": live"

# 2. the same site kept passes, and the reason is printed
check_exit "kept passes" 0 "$TEMPO" gate -r "$T/k.rules" "$T/w1.log"
check_contains "kept reason printed" "$T/out" "ticket OPS-42"

# 3. a baseline that already holds it passes (listed as known)
"$TEMPO" audit -r "$T/a.rules" --format json "$T/w1.log" > "$T/base.json" 2>/dev/null
check_eq "baseline lists the finding" 1 "$(jq '[.findings[] | select(.site == "nightly")] | length' "$T/base.json")"
check_exit "known finding passes" 0 "$TEMPO" gate -r "$T/a.rules" --baseline "$T/base.json" "$T/w1.log"
check_contains "listed as known" "$T/out" "known"

# 4. drift: the nightly readers now read within five minutes
check_exit "drift fails" 1 "$TEMPO" gate -r "$T/a.rules" --baseline "$T/base.json" \
    --junit "$T/d.xml" --sarif "$T/d.sarif" --summary "$T/d.md" "$T/w2.log"
check_contains "drift named" "$T/out" "$T/a.rules:$LINE: drift: nightly"
check_contains "drift numbers: was batch" "$T/out" "was batch"
check_exit "drift without baseline is no finding" 0 "$TEMPO" gate -r "$T/a.rules" "$T/w2.log"

# 5. a new site absent from the baseline that is fake urgency fails; the old one stays known
check_exit "new site fails" 1 "$TEMPO" gate -r "$T/a.rules" --baseline "$T/base.json" "$T/w3.log"
check_contains "new site named" "$T/out" ": fake urgency: reports"
check_eq "nightly known, not new" 0 "$(grep -c "^$T/a.rules:$LINE: fake urgency: nightly" "$T/out")"

# 6. an unchanged workload against its own baseline passes (with the kept rules too)
"$TEMPO" audit -r "$T/k.rules" --format json "$T/w1.log" > "$T/base-k.json" 2>/dev/null
check_exit "unchanged passes" 0 "$TEMPO" gate -r "$T/k.rules" --baseline "$T/base-k.json" "$T/w1.log"
check_exit "a report.json from tempo report is a baseline" 0 sh -c \
    "'$TEMPO' report --no-charts -r '$T/a.rules' -o '$T/rep' '$T/w1.log' >/dev/null 2>&1 &&
     '$TEMPO' gate -r '$T/a.rules' --baseline '$T/rep/report.json' '$T/w1.log'"

# outputs of the drift run: JUnit against the XSD, SARIF against the 2.1.0 schema
if xmllint --noout --schema "$ROOT/tests/schema/junit.xsd" "$T/d.xml" 2>"$T/xerr"; then pass; else
    fail "JUnit does not validate"; cat "$T/xerr"; fi
check_eq "one testcase per site" 3 "$(xmllint --xpath 'count(//testcase)' "$T/d.xml")"
check_eq "one failure" 1 "$(xmllint --xpath 'count(//testcase/failure)' "$T/d.xml")"
check_eq "failure on nightly" drift "$(xmllint --xpath 'string(//testcase[failure]/failure/@type)' "$T/d.xml")"
if $SARIF_CHECK "$T/d.sarif" > "$T/serr" 2>&1; then pass; else fail "SARIF does not validate"; cat "$T/serr"; fi
check_eq "SARIF result at the call rule" "$LINE" \
    "$(jq '[.runs[0].results[] | select(.level == "error")][0].locations[0].physicalLocation.region.startLine' "$T/d.sarif")"
check_eq "SARIF rule" tempo/drift "$(jq -r '[.runs[0].results[] | select(.level == "error")][0].ruleId' "$T/d.sarif")"
check_eq "SARIF baseline state" new "$(jq -r '[.runs[0].results[] | select(.level == "error")][0].baselineState' "$T/d.sarif")"
size=$(wc -c < "$T/d.md")
[ "$size" -lt 65536 ] && pass || fail "summary is $size bytes"
check_contains "summary has the finding" "$T/d.md" "nightly"

# --format github: workflow commands on the rules file's line
check_exit "github format" 1 "$TEMPO" gate -r "$T/a.rules" --format github "$T/w1.log"
check_contains "github error annotation" "$T/out" "::error file=$T/a.rules,line=$LINE"

# a kept site is a suppressed SARIF result; JUnit passes it
"$TEMPO" gate -r "$T/k.rules" --sarif "$T/k.sarif" --junit "$T/k.xml" "$T/w1.log" >/dev/null 2>&1
$SARIF_CHECK "$T/k.sarif" > /dev/null 2>&1 && pass || fail "kept SARIF does not validate"
check_eq "kept is suppressed" inSource "$(jq -r '.runs[0].results[0].suppressions[0].kind' "$T/k.sarif")"
check_eq "kept JUnit has no failure" 0 "$(xmllint --xpath 'count(//failure)' "$T/k.xml")"

# bad baselines and bad usage: exit 2, naming the file
echo 'not json' > "$T/bad.json"
check_exit "baseline not JSON" 2 "$TEMPO" gate -r "$T/a.rules" --baseline "$T/bad.json" "$T/w1.log"
check_contains "names the baseline" "$T/err" "$T/bad.json"
echo '{"sites": []}' > "$T/shape.json"
check_exit "baseline not a report" 2 "$TEMPO" gate -r "$T/a.rules" --baseline "$T/shape.json" "$T/w1.log"
check_exit "missing baseline" 2 "$TEMPO" gate -r "$T/a.rules" --baseline "$T/none.json" "$T/w1.log"
check_exit "unknown gate format" 2 "$TEMPO" gate -r "$T/a.rules" --format md "$T/w1.log"
check_exit "--junit is for gate" 2 "$TEMPO" audit -r "$T/a.rules" --junit "$T/x.xml" "$T/w1.log"
finish
