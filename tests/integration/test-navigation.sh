#!/bin/sh
# Navigation rules, against a real foreign server on 127.0.0.1: the page
# (pages/navigation) tries to leave in every way and must stay; the
# capability in its keel.json lists the server's /allowed/ pages, whose port
# is known only now, so keel.json is written here. Then keel.json mistakes:
# an invalid remote URL pattern, and a window on an unlisted URL, must stop
# the app before it starts, with a message naming them.
# usage: test-navigation.sh TEST-HOST FRONTEND-DIR FOREIGN-SERVER
set -eu
host=$1 frontend=$2 foreign=$3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-navigation.XXXXXX")
. "$(dirname "$0")/lib/foreign-server.sh"

mkdir "$scratch/app"
with_port "$frontend/keel.json" > "$scratch/app/keel.json"
ln -s "$frontend/dist" "$scratch/app/dist"
"$host" "$scratch/app" --expect 17 --timeout 100

# Seen from the server: of /page.html, which no capability lists, it never
# got a request; of /allowed/, what the page was allowed to show.
if grep -q '^GET /page\.html' "$scratch/server.log"; then
  echo "FAIL: refused navigations reached the foreign server:"
  grep '^GET /page\.html' "$scratch/server.log"
  exit 1
fi
grep -q '^GET /allowed/page\.html?back=1' "$scratch/server.log" \
  || { echo "FAIL: the listed remote page was never requested"; cat "$scratch/server.log"; exit 1; }
echo "ok: the foreign server never saw a refused navigation"

# Mistakes in keel.json stop the app with a message that names them.
expect_refusal () {
  what=$1 expected=$2
  mkdir -p "$scratch/bad"
  ln -sf "$frontend/dist" "$scratch/bad/dist"
  cat > "$scratch/bad/keel.json"
  if "$host" "$scratch/bad" --expect 0 > "$scratch/bad.out" 2>&1; then
    echo "FAIL: $what: the app started"; exit 1
  fi
  grep -qF "$expected" "$scratch/bad.out" \
    || { echo "FAIL: $what: the message lacks: $expected"; cat "$scratch/bad.out"; exit 1; }
  echo "ok: $what: $(grep -F "$expected" "$scratch/bad.out" | head -n 1)"
}

expect_refusal "an invalid remote URL pattern" \
  'app.security.capabilities[1].remote.urls[0]: URL pattern "https://*.com/*": "*.com" would allow every site under the top-level domain "com"' <<'JSON'
{
  "identifier": "dev.keel.test.navigation-bad",
  "build": { "frontendDist": "dist" },
  "app": {
    "windows": [{ "label": "main" }],
    "security": {
      "capabilities": [
        { "identifier": "test", "windows": ["*"], "permissions": ["core:default", "test-host"] },
        { "identifier": "wide", "windows": ["*"], "remote": { "urls": ["https://*.com/*"] }, "permissions": [] }
      ]
    }
  }
}
JSON

expect_refusal "a window on an unlisted URL" \
  'app.windows[0]: window "main": its url https://example.com/ may not be shown' <<'JSON'
{
  "identifier": "dev.keel.test.navigation-bad",
  "build": { "frontendDist": "dist" },
  "app": {
    "windows": [{ "label": "main", "url": "https://example.com/" }],
    "security": {
      "capabilities": [
        { "identifier": "test", "windows": ["*"], "permissions": ["core:default", "test-host"] }
      ]
    }
  }
}
JSON
