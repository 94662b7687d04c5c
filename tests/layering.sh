#!/bin/sh
# tests/layering.sh - data flows one way (STYLE.md §1 principle 2). Each module
# has a rank; a header or source file may include only base headers and
# headers of its own rank or earlier. Only store.c includes <sqlite3.h>, only
# source_pcap.c <pcap.h>, only decode_*.c <cJSON.h>. Prints the closing line.
cd "$(dirname "$0")/.." || exit 3
passed=0; failed=0

rank() { # module name -> rank; base headers are 0; unknown modules fail
    case "$1" in
    arena|span|buf|err|utc|limits|xmalloc) echo 0 ;;
    source|tcp) echo 1 ;;
    event|decode) echo 2 ;;
    rules|match) echo 3 ;;
    store) echo 4 ;;
    analysis) echo 5 ;;
    verdict) echo 6 ;;
    report|chart) echo 7 ;;
    main) echo 9 ;;
    *) echo x ;;
    esac
}

module_of() { # path -> module name
    b=$(basename "$1"); b=${b%.*}; echo "${b%%_*}"
}

for f in include/*.h src/*.c; do
    m=$(module_of "$f"); r=$(rank "$m")
    if [ "$r" = x ]; then
        echo "FAIL $f: module '$m' has no rank in tests/layering.sh"; failed=$((failed + 1)); continue
    fi
    ok=1
    for inc in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
        im=$(module_of "$inc"); ir=$(rank "$im")
        [ "$im" = "$m" ] && continue
        case "$inc" in *_int) [ "${inc%_int}" = "$m" ] && continue ;; esac
        if [ "$ir" = x ] || [ "$ir" -gt "$r" ]; then
            echo "FAIL $f: includes $inc.h (rank $ir) from rank $r: a backward include"
            ok=0
        fi
    done
    case "$f" in src/store.c) ;; *)
        grep -q '#include <sqlite3.h>' "$f" && { echo "FAIL $f: only store.c may include <sqlite3.h>"; ok=0; } ;;
    esac
    case "$f" in src/source_pcap.c) ;; *)
        grep -q '#include <pcap' "$f" && { echo "FAIL $f: only source_pcap.c may include <pcap.h>"; ok=0; } ;;
    esac
    case "$f" in src/decode_*.c) ;; *)
        grep -q '#include <cjson\|#include <cJSON' "$f" && { echo "FAIL $f: only decode_*.c may include <cJSON.h>"; ok=0; } ;;
    esac
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
# malloc lives only in arena.c, buf.c and xmalloc.c
for f in src/*.c; do
    case "$f" in src/arena.c|src/buf.c|src/xmalloc.c) continue ;; esac
    if grep -nE '\b(malloc|calloc|realloc)\(' "$f" | grep -v '^\s*/\*' | grep -q .; then
        echo "FAIL $f: calls malloc directly (use xmalloc or an arena)"; failed=$((failed + 1))
    else passed=$((passed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
