#!/bin/sh
# WebKit's sandbox: refused with a clear message when it cannot start, and
# loudly reported when turned off.
# usage: test-sandbox.sh KEEL APP-DIR   (the app's page exits at once)
set -eu
keel=$1 app=$2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-sandbox.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir "$scratch/bin"   # a PATH with neither bwrap nor xdg-dbus-proxy

fail () { echo "FAIL: $1"; echo "--- stderr:"; cat "$scratch/err"; exit 1; }

echo "1. bwrap missing: refused before any window, saying how to fix and how to opt out"
status=0
env PATH="$scratch/bin" "$keel" run "$app" 2> "$scratch/err" || status=$?
[ "$status" -eq 1 ] || fail "exit status $status, expected 1"
grep -q "bwrap" "$scratch/err" || fail "no mention of bwrap"
grep -q "apt-get install bubblewrap xdg-dbus-proxy" "$scratch/err" || fail "no install hint"
grep -q "KEEL_DISABLE_SANDBOX=1" "$scratch/err" || fail "no mention of KEEL_DISABLE_SANDBOX"
grep -q '"sandbox": false' "$scratch/err" || fail "no mention of the keel.json key"
if grep -q "page ran" "$scratch/err"; then fail "a page ran"; fi
echo "ok"

echo "2. KEEL_DISABLE_SANDBOX=1: runs, with a loud warning"
env PATH="$scratch/bin" KEEL_DISABLE_SANDBOX=1 "$keel" run "$app" 2> "$scratch/err" \
  || fail "exit status $?"
grep -q "WARNING: the web process sandbox is OFF (KEEL_DISABLE_SANDBOX is set)" "$scratch/err" \
  || fail "no warning"
grep -q "\[main\] log: page ran" "$scratch/err" || fail "the page did not run"
echo "ok"

echo "3. keel.json sandbox: false: runs, and the warning names keel.json"
mkdir "$scratch/app"
sed 's|"build"|"keel": { "webProcess": { "sandbox": false } },\n  "build"|' "$app/keel.json" \
  > "$scratch/app/keel.json"
ln -s "$app/dist" "$scratch/app/dist"
env PATH="$scratch/bin" "$keel" run "$scratch/app" 2> "$scratch/err" || fail "exit status $?"
grep -q "sandbox is OFF (keel.webProcess.sandbox is false in keel.json)" "$scratch/err" \
  || fail "no warning naming keel.json"
echo "ok"

echo "4. with the sandbox (the default): runs without a warning"
"$keel" run "$app" 2> "$scratch/err" || fail "exit status $?"
if grep -q "sandbox is OFF" "$scratch/err"; then fail "warned with the sandbox on"; fi
grep -q "\[main\] log: page ran" "$scratch/err" || fail "the page did not run"
echo "ok"
