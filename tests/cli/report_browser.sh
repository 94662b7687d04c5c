#!/bin/sh
# A real browser opens the report: tempo report on the demo logs, then Debian's
# headless Chromium (driven by playwright-core from the npm registry, no
# downloaded browser; tests/js/check.js) loads report.html from the file
# system at desktop and phone widths and in print media. It must render with no
# console or page error, make no network request, run no script, show every
# chart with a real size, and fit a phone's width. The screenshots and a PDF
# are kept in build/artefacts/ as the test's artefacts.
. tests/lib.sh
D=$ROOT/tests/data/demo
ART=$ROOT/build/artefacts
mkdir -p "$ART"
command -v node >/dev/null || { fail "node not found (Debian: nodejs)"; finish; }
[ -x /usr/bin/chromium ] || { fail "chromium not found (make test installs it)"; finish; }
[ -d "$ROOT/tests/js/node_modules/playwright-core" ] ||
    { fail "tests/js/node_modules missing (make test runs npm ci there)"; finish; }
check_exit "report" 0 "$TEMPO" report -r "$ROOT/rules/demo.rules" -o "$T/r" \
    "$D/gateway.log" "$D/results.log.gz"
n=$(ls "$T/r"/*.svg | wc -l)
[ "$n" -ge 4 ] && pass || fail "only $n charts written"
timeout 180 node "$ROOT/tests/js/check.js" "$T/r/report.html" "$n" "$ART/report" \
    > "$T/browser.json" 2>"$T/browser.err"
rc=$?
cat "$T/browser.json"
check_eq "browser check exit" 0 "$rc"
check_eq "no problems" "[]" "$(jq -c .problems "$T/browser.json" 2>/dev/null)"
check_eq "every chart inline" "$n" "$(jq .charts "$T/browser.json" 2>/dev/null)"
check_eq "every chart visible" "$n" "$(jq .visible "$T/browser.json" 2>/dev/null)"
check_eq "no request left the file" 0 "$(jq .requests "$T/browser.json" 2>/dev/null)"
for f in report-desktop.png report-phone.png report.pdf; do
    [ -s "$ART/$f" ] && pass || fail "artefact $f missing"
done
finish
