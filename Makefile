# Keel: the two commands of the README.
#   make demo   installs what is missing, builds, runs the showcase app
#               (with no display: under Xvfb, saving a screenshot)
#   make test   installs what is missing, builds, runs the whole suite twice
#               (plain, and built with AddressSanitizer + UBSan), runs each
#               fuzz target for FUZZ_SECONDS (clang, libFuzzer, ASan + UBSan),
#               then prints `N passed, N failed`
#   make bench  builds, then runs Keel and the raw-WebKitGTK floor side by
#               side under Xvfb (bench/run.py): a table, and JSON in
#               $(BUILD)/bench/results.json; bench/README.md says what
#               each measure does. Not a test: nothing in `make test`
#               depends on timing.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
SHOT       ?= $(BUILD)/showcase.png
# Seconds each fuzz target runs in `make test` (two at a time); e.g.
# `make test-fuzz FUZZ_SECONDS=600` for a longer local run.
FUZZ_SECONDS ?= 60
# Runs of each program per measure in `make bench`.
BENCH_ROUNDS ?= 7

# Debian 12 packages Keel builds, runs and tests with.
APT_PACKAGES = meson ninja-build pkg-config gcc libglib2.0-dev libgtk-3-dev \
  libwebkit2gtk-4.1-dev libjansson-dev xvfb xauth dbus dbus-x11 python3 \
  bubblewrap xdg-dbus-proxy at-spi2-core clang libclang-rt-14-dev libsqlite3-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
XVFB := xvfb-run -a -s "-screen 0 1280x1024x24"

.PHONY: all deps npm build build-asan build-fuzz demo test test-plain test-asan test-fuzz bench clean

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

# The test frontends are bundled from the real @tauri-apps/api (npm registry).
npm: tests/js/node_modules/.package-lock.json
tests/js/node_modules/.package-lock.json: tests/js/package-lock.json tests/js/package.json
	cd tests/js && npm ci --no-audit --no-fund

build: deps npm
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	ninja -C $(BUILD)

build-asan: deps npm
	@[ -f $(BUILD_ASAN)/build.ninja ] || meson setup $(BUILD_ASAN) -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD_ASAN)

# The fuzz targets need clang and libFuzzer; the core alone is built.
build-fuzz: deps
	@if [ -f $(BUILD_FUZZ)/build.ninja ]; then \
	  meson setup --reconfigure $(BUILD_FUZZ) -Dfuzz_seconds=$(FUZZ_SECONDS) >/dev/null; \
	else \
	  CC=clang meson setup $(BUILD_FUZZ) -Dcore_only=true -Dfuzzing=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz_seconds=$(FUZZ_SECONDS); \
	fi
	ninja -C $(BUILD_FUZZ)

demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(BUILD)/examples/showcase/keel-showcase; \
	else \
	  echo "No display: running the showcase under Xvfb and saving a screenshot"; \
	  $(XVFB) $(BUILD)/examples/showcase/keel-showcase --screenshot $(abspath $(SHOT)); \
	fi

# Windowed tests need an X server and a session bus: one Xvfb and one private
# dbus-daemon for the run; every test is its own process.
test-plain: build
	-$(XVFB) dbus-run-session -- meson test -C $(BUILD) --print-errorlogs

test-asan: build-asan
	-$(XVFB) dbus-run-session -- meson test -C $(BUILD_ASAN) --print-errorlogs --timeout-multiplier 3

# Each fuzz target for FUZZ_SECONDS over a copy of its seed corpus; a crash,
# leak, sanitizer report or slow input fails it (tests/fuzz/run-fuzzer.sh).
test-fuzz: build-fuzz
	-meson test -C $(BUILD_FUZZ) --suite fuzz --print-errorlogs --num-processes 2

test: test-plain test-asan test-fuzz
	@python3 tests/summary.py $(BUILD)/meson-logs/testlog.json $(BUILD_ASAN)/meson-logs/testlog.json \
	  $(BUILD_FUZZ)/meson-logs/testlog.json

# Timing wants a quiet machine; for release-build numbers, e.g.
# `meson setup build-release -Dbuildtype=release && make bench BUILD=build-release`.
bench: build
	$(XVFB) dbus-run-session -- python3 bench/run.py $(BUILD) --rounds $(BENCH_ROUNDS)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
