#!/bin/sh
# test-cli.sh — the `keel` command-line tool, end to end: --version and
# --help, usage errors, a missing directory, no display, an invalid keel.json,
# and `keel run` forwarding a page's console to stderr. Needs a display
# (run it under xvfb-run). Prints each check; stops at the first failure.
#
# usage: test-cli.sh KEEL SCRATCH-DIR [EXPECTED-VERSION]
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 KEEL SCRATCH-DIR [EXPECTED-VERSION]" >&2
  exit 2
fi
keel=$1
scratch=$2
version=${3:-}
data=$(cd "$(dirname "$0")" && pwd)/cli

# Fresh, private HOME and XDG directories: `keel run` keeps website data
# under them, and must neither see nor leave the user's.
mkdir -p "$scratch"
rm -rf "$scratch/xdg"
mkdir -p "$scratch/xdg/home" "$scratch/xdg/data" "$scratch/xdg/config" "$scratch/xdg/cache" \
         "$scratch/xdg/runtime"
chmod 700 "$scratch/xdg/runtime"
export HOME="$scratch/xdg/home" XDG_DATA_HOME="$scratch/xdg/data" \
       XDG_CONFIG_HOME="$scratch/xdg/config" XDG_CACHE_HOME="$scratch/xdg/cache" \
       XDG_RUNTIME_DIR="$scratch/xdg/runtime"

checks=0
out=
err=
status=

pass() {
  checks=$((checks + 1))
  echo "ok $checks - $1"
}

fail() {
  echo "FAIL - $1" >&2
  for file in "$out" "$err"; do
    if [ -n "$file" ] && [ -f "$file" ]; then
      echo "--- $file:" >&2
      cat "$file" >&2
    fi
  done
  exit 1
}

# run NAME COMMAND...: runs COMMAND with a time limit (a window that never
# closes must not hang the test), keeping its output in the scratch dir.
run() {
  name=$1
  shift
  out="$scratch/$name.stdout"
  err="$scratch/$name.stderr"
  set +e
  timeout 60 "$@" >"$out" 2>"$err"
  status=$?
  set -e
  if [ "$status" -eq 124 ]; then
    fail "$name: still running after 60 s"
  fi
}

expect_status() {
  if [ "$status" -ne "$1" ]; then
    fail "$2: exit status $status, expected $1"
  fi
}

# expect_text FILE FIXED-STRING WHAT: some line of FILE contains the string.
expect_text() {
  if ! grep -qF -- "$2" "$1"; then
    fail "$3: $(basename "$1") lacks \"$2\""
  fi
}

expect_no_window() {
  if grep -q '^\[main\]' "$err"; then
    fail "$1: a page ran (its console reached stderr)"
  fi
}

# (5) --version and --help.
run version "$keel" --version
expect_status 0 "keel --version"
if [ -n "$version" ]; then
  [ "$(cat "$out")" = "keel $version" ] || fail "keel --version: expected \"keel $version\""
else
  grep -qE '^keel [0-9]+\.[0-9]+\.[0-9]+' "$out" || fail "keel --version: no version number"
fi
pass "keel --version prints \"$(cat "$out")\""

run help "$keel" --help
expect_status 0 "keel --help"
expect_text "$out" "usage: keel run DIR" "keel --help"
pass "keel --help prints the usage on stdout"

# (4) Usage errors and a missing directory.
run no-args "$keel"
expect_status 2 "keel (no arguments)"
expect_text "$err" "usage: keel run DIR" "keel (no arguments)"
pass "keel without arguments prints the usage, status 2"

run run-no-dir "$keel" run
expect_status 2 "keel run (no directory)"
expect_text "$err" "expected exactly one directory" "keel run (no directory)"
expect_text "$err" "usage: keel run DIR" "keel run (no directory)"
pass "keel run without a directory says it expects one, status 2"

run run-two-dirs "$keel" run "$data/console" "$data/console"
expect_status 2 "keel run DIR DIR"
expect_text "$err" "expected exactly one directory" "keel run DIR DIR"
pass "keel run with two directories says it expects one, status 2"

run unknown "$keel" frobnicate
expect_status 2 "keel frobnicate"
expect_text "$err" 'unknown command "frobnicate"' "keel frobnicate"
pass "an unknown command is named, status 2"

missing="$scratch/no-such-app-dir"
rm -rf "$missing"
run missing-dir "$keel" run "$missing"
expect_status 1 "keel run MISSING"
expect_text "$err" "$missing" "keel run MISSING"
expect_text "$err" "no such file" "keel run MISSING"
expect_no_window "keel run MISSING"
pass "keel run on a missing directory names it, status 1"

# (2) No display at all.
run no-display env -u DISPLAY -u WAYLAND_DISPLAY "$keel" run "$data/console"
expect_status 1 "keel run without DISPLAY"
expect_text "$err" "DISPLAY" "keel run without DISPLAY"
expect_text "$err" "Xvfb" "keel run without DISPLAY"
expect_no_window "keel run without DISPLAY"
pass "keel run without DISPLAY or WAYLAND_DISPLAY names DISPLAY and Xvfb, status 1"

# (3) An invalid keel.json: "width": "800" on line 7. Its page would log and
# exit 3 if a window ever opened.
run bad-width "$keel" run "$data/bad-width"
expect_status 1 "keel run (invalid keel.json)"
expect_text "$err" "keel.json:7:" "keel run (invalid keel.json)"
expect_text "$err" "app.windows[0].width" "keel run (invalid keel.json)"
expect_no_window "keel run (invalid keel.json)"
pass "an invalid keel.json fails with keel.json:7: and app.windows[0].width, before any window"

# (1) A page's console on stderr; the page exits 0 itself.
run console "$keel" run "$data/console"
expect_status 0 "keel run (console page)"
pass "keel run exits with the status the page asked for (0)"
expect_text "$err" "[main] log: KEEL-CLI-LOG-MARKER 42" "keel run (console page)"
pass "console.log reaches stderr as [main] log: ..."
expect_text "$err" "[main] error: KEEL-CLI-ERROR-MARKER" "keel run (console page)"
pass "console.error reaches stderr as [main] error: ..."
if ! grep -qE '^\[main\] error: .*Uncaught' "$err"; then
  fail "keel run (console page): no [main] error line for the uncaught error"
fi
expect_text "$err" "KEEL-CLI-UNCAUGHT-MARKER" "keel run (console page): the uncaught error's message"
pass "an uncaught error reaches stderr with its message"

# (6) keel permissions: the audit view, and a capability problem located.
run audit "$keel" permissions "$data/exit"
expect_status 0 "keel permissions"
expect_text "$out" 'window "main", app pages (keel://localhost):' "keel permissions"
expect_text "$out" "allowed plugin:app|exit" "keel permissions"
expect_text "$out" 'by: core:app:allow-exit (capability "main")' "keel permissions"
expect_text "$out" "allowed plugin:window|title" "keel permissions"
if grep -qF "plugin:window|set_title" "$out"; then
  fail "keel permissions: set_title is listed, but no capability grants it"
fi
pass "keel permissions lists each granted command with the permission and capability that allow it"

run plugins "$keel" permissions "$data/plugins"
expect_status 0 "keel permissions (store and sql)"
expect_text "$out" "allowed plugin:store|get" "keel permissions (store and sql)"
expect_text "$out" "allowed plugin:sql|select" "keel permissions (store and sql)"
if grep -qF "plugin:sql|execute" "$out"; then
  fail "keel permissions: sql:default lists execute, which Tauri's default leaves out"
fi
pass "keel permissions knows the store and SQL plugins' permissions"

run bad-capability "$keel" permissions "$data/bad-capability"
expect_status 1 "keel permissions (unknown permission)"
expect_text "$err" "capabilities/main.json:6:5: permissions[1]: unknown permission" \
  "keel permissions (unknown permission)"
expect_text "$err" 'did you mean "core:window:allow-set-title"?' "keel permissions (unknown permission)"
pass "an unknown permission is reported with file:line:column and a suggestion"

run bad-capability-run "$keel" run "$data/bad-capability"
expect_status 1 "keel run (unknown permission)"
expect_text "$err" "unknown permission" "keel run (unknown permission)"
expect_no_window "keel run (unknown permission)"
pass "keel run refuses the same capability before any window opens"

echo "all $checks checks passed"
