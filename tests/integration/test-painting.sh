#!/bin/sh
# keel.webProcess.painting reaches the web processes: what each one finds in
# its environment as it starts (WEBKIT_SKIA_ENABLE_CPU_RENDERING, which
# WebKit reads there), for each setting, and a value the user set stays.
# usage: test-painting.sh KEEL
set -eu
keel=$1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-painting.XXXXXX")
pid=
cleanup () {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

fail () { echo "FAIL: $1"; echo "--- stderr:"; cat "$scratch/err"; exit 1; }

# An app whose page stays, painting as $1 ("" leaves the key out).
make_app () {
  rm -rf "$scratch/app"
  mkdir -p "$scratch/app/dist"
  printf '<!doctype html><meta charset="utf-8"><title>painting</title><p>stays</p>\n' \
    > "$scratch/app/dist/index.html"
  if [ -n "$1" ]; then
    keel_section="\"keel\": { \"webProcess\": { \"painting\": \"$1\" } },"
  else
    keel_section=
  fi
  cat > "$scratch/app/keel.json" <<JSON
{
  "identifier": "dev.keel.test.painting",
  $keel_section
  "build": { "frontendDist": "dist" },
  "app": { "windows": [ { "label": "main", "width": 300, "height": 200 } ] }
}
JSON
}

# The web process among the descendants of $1, once it runs (20 s at most).
web_process_of () {
  tries=0
  while [ $tries -lt 200 ]; do
    todo=$1
    while [ -n "$todo" ]; do
      next=
      for parent in $todo; do
        for child in $(cat /proc/"$parent"/task/*/children 2>/dev/null); do
          if [ "$(cat /proc/"$child"/comm 2>/dev/null)" = WebKitWebProces ]; then
            echo "$child"
            return 0
          fi
          next="$next $child"
        done
      done
      todo=$next
    done
    tries=$((tries + 1))
    sleep 0.1
  done
  return 1
}

# What the app's web process has for the variable: its value, or "unset".
# Runs `keel run` with the environment given as arguments.
painting_seen () {
  env "$@" "$keel" run "$scratch/app" 2> "$scratch/err" &
  pid=$!
  web=$(web_process_of "$pid") || fail "no web process started"
  entry=$(tr '\0' '\n' < /proc/"$web"/environ | grep '^WEBKIT_SKIA_ENABLE_CPU_RENDERING=' || true)
  kill "$pid"
  wait "$pid" || true
  pid=
  if [ -n "$entry" ]; then echo "${entry#*=}"; else echo unset; fi
}

echo "1. \"cpu\": web processes paint on the CPU"
make_app cpu
seen=$(painting_seen)
[ "$seen" = 1 ] || fail "the web process has $seen, expected 1"
echo "ok"

echo "2. \"gpu\": WebKit's default, the variable left out"
make_app gpu
seen=$(painting_seen)
[ "$seen" = unset ] || fail "the web process has $seen, expected unset"
echo "ok"

echo "3. absent (\"auto\"): on the CPU only on a machine without a GPU"
make_app ""
if ls /dev/dri/renderD* >/dev/null 2>&1 || [ -e /dev/nvidiactl ]; then
  expected=unset machine="a GPU"
else
  expected=1 machine="no GPU"
fi
seen=$(painting_seen)
[ "$seen" = "$expected" ] || fail "with $machine the web process has $seen, expected $expected"
echo "ok ($machine here)"

echo "4. the user's own value stays, whatever keel.json says"
make_app cpu
seen=$(painting_seen WEBKIT_SKIA_ENABLE_CPU_RENDERING=0)
[ "$seen" = 0 ] || fail "the web process has $seen, expected the user's 0"
echo "ok"
