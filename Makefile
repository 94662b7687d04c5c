# Tempo - see README.md. `make` builds build/tempo; `make test` the sanitized
# suite; `make demo` an audit of the sample logs; `make bench` the benchmark.

PKGS    := libpcap sqlite3 libcjson zlib
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wwrite-strings
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CC      ?= cc
CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -O2 -g -pthread -Iinclude -Ibuild/gen -MMD -MP $(WARN) \
           $(PKG_CFLAGS)
LDLIBS  := $(PKG_LIBS) -lm -pthread
SAN     := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SANFLAGS := $(filter-out -O2,$(CFLAGS)) $(SAN)
PREFIX  ?= /usr/local
VERSION := 0.1.0

# Debian packages the build, the tests and the demo need; `deps` installs only
# the missing ones. The tests add a real browser for the HTML report;
# benchmarks add their peers (goaccess, mawk) in `bench`.
DEPS_PKGS  := pkg-config libpcap-dev libsqlite3-dev libcjson-dev zlib1g-dev gnuplot-nox \
              nginx-light curl tcpdump tshark jq sqlite3
TEST_PKGS  := chromium libxml2-utils clang libclang-rt-14-dev
BENCH_PKGS := goaccess mawk time

SRC      := $(wildcard src/*.c)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
OBJ      := $(SRC:src/%.c=build/obj/%.o)
LIB_OBJ  := $(LIB_SRC:src/%.c=build/obj/%.o)
SAN_OBJ  := $(SRC:src/%.c=build/san/obj/%.o)
SAN_LIB  := $(LIB_SRC:src/%.c=build/san/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/san/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=build/san/fuzz/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all test demo bench soak fuzz clean install deps test-deps bench-deps format check-build
all: build/tempo

# `make V=1` shows the whole command lines.
V ?= 0
ifeq ($(V),0)
Q = @
SAY = @echo "  $(1)	$@";
endif

build/tempo: $(OBJ)
	$(call SAY,LD)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: src/%.c | build/obj
	$(call SAY,CC)$(CC) $(CFLAGS) -DTEMPO_VERSION='"$(VERSION)"' \
	    -DTEMPO_RULES_DIR='"$(PREFIX)/share/tempo/rules"' -c -o $@ $<

build/san/obj/%.o: src/%.c | build/san/obj
	$(call SAY,CC)$(CC) $(SANFLAGS) -DTEMPO_VERSION='"$(VERSION)"' \
	    -DTEMPO_RULES_DIR='"$(PREFIX)/share/tempo/rules"' -c -o $@ $<

build/san/tempo: $(SAN_OBJ)
	$(call SAY,LD)$(CC) $(SANFLAGS) -o $@ $^ $(LDLIBS)

# A deliberately broken tempo for tests/cli/resume_kill.sh: a checkpoint's rows
# and its offset in two transactions. The kill test must catch it.
build/san/obj/store-split.o: src/store.c | build/san/obj
	$(call SAY,CC)$(CC) $(SANFLAGS) -DTEMPO_SPLIT_CHECKPOINT -c -o $@ $<

build/san/tempo-split: $(filter-out build/san/obj/store.o,$(SAN_OBJ)) build/san/obj/store-split.o
	$(call SAY,LD)$(CC) $(SANFLAGS) -o $@ $^ $(LDLIBS)

build/san/tests/%: tests/unit/%.c tests/unit/test.h $(SAN_LIB) | build/san/tests
	$(call SAY,CC)$(CC) $(SANFLAGS) -Itests/unit -o $@ $< $(SAN_LIB) $(LDLIBS)

build/san/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(SAN_LIB) | build/san/fuzz
	$(call SAY,CC)$(CC) $(SANFLAGS) -o $@ $< tests/fuzz/replay.c $(SAN_LIB) $(LDLIBS)

build/gen-log: tests/bench/gen_log.c tests/bench/gen_common.h | build/obj
	$(call SAY,CC)$(CC) $(CFLAGS) -o $@ $< -lm

# The benchmark's capture generator and its bare libpcap loop (issue 7).
build/gen-pcap: tests/bench/gen_pcap.c tests/bench/gen_common.h | build/obj
	$(call SAY,CC)$(CC) $(CFLAGS) -o $@ $< -lm

build/pcap-count: tests/bench/pcap_count.c | build/obj
	$(call SAY,CC)$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

# The tests' own HTTP server: chunked bodies, SSE streamed the way LLM APIs
# do, pipelining, HTTP/1.0 close-delimited, 100 Continue (tests/cli/pcap_stream.sh).
build/stream-server: tests/server/stream_server.c | build/obj
	$(call SAY,CC)$(CC) $(CFLAGS) -o $@ $<

# reports/templates/report.css built into report.html's reporter as a
# NUL-terminated byte array (od and sed: no xxd needed).
build/gen/report_css.h: reports/templates/report.css | build/gen
	$(call SAY,GEN){ echo '/* generated from $< by the Makefile */'; \
	  echo 'static const char report_css[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0 };'; } > $@
build/obj/report_html.o build/san/obj/report_html.o: build/gen/report_css.h

build/obj build/san/obj build/san/tests build/san/fuzz build/fuzz build/gen:
	mkdir -p $@

# $(call install_missing,PACKAGES): apt-get install only those not installed.
define install_missing
	@missing=""; for p in $(1); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	        >/dev/null || { echo "apt-get install$$missing failed" >&2; exit 2; }; fi
endef

deps:
	$(call install_missing,$(DEPS_PKGS))

bench-deps:
	$(call install_missing,$(BENCH_PKGS))

test-deps:
	$(call install_missing,$(TEST_PKGS))
	@$(MAKE) --no-print-directory tests/js/node_modules/.installed

# The npm registry's test tools (playwright-core, ajv), pinned by the lock file.
tests/js/node_modules/.installed: tests/js/package-lock.json tests/js/package.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: deps test-deps
	@$(MAKE) --no-print-directory build/tempo build/san/tempo build/san/tempo-split $(UNIT_BIN) \
	    $(FUZZ_REPLAY) build/gen-log \
	    build/stream-server
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run build/san

demo: deps
	@$(MAKE) --no-print-directory build/tempo
	build/tempo audit -r rules/demo.rules tests/data/demo/gateway.log tests/data/demo/results.log.gz
	build/tempo report -r rules/demo.rules -o reports/demo \
	    tests/data/demo/gateway.log tests/data/demo/results.log.gz
	@echo "open reports/demo/report.html"

bench: deps bench-deps
	@$(MAKE) --no-print-directory build/tempo build/gen-log build/gen-pcap build/pcap-count
	tests/bench/run.sh

# Issue 8's long kill test: 50 SIGKILLs during the ingest of a 1 GB log.
soak: deps
	@$(MAKE) --no-print-directory build/tempo build/gen-log build/san/tempo-split
	RESUME_SIZE=1G RESUME_KILLS=50 RESUME_MAX_S=8 TEMPO=$(CURDIR)/build/tempo \
	    sh tests/cli/resume_kill.sh

fuzz:
	@mkdir -p build/fuzz
	tests/fuzz/run.sh

install: build/tempo
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tempo/rules
	install -m 755 build/tempo $(DESTDIR)$(PREFIX)/bin/tempo
	install -m 644 rules/*.rules $(DESTDIR)$(PREFIX)/share/tempo/rules/

format:
	clang-format -i -style='{BasedOnStyle: LLVM, IndentWidth: 4, ColumnLimit: 100, BreakBeforeBraces: Linux, Cpp11BracedListStyle: false}' src/*.c include/*.h tests/unit/*.c tests/fuzz/*.c

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d)
