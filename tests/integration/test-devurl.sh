#!/bin/sh
# build.devUrl: the window loads its page from a development server (here a
# Python http.server on 127.0.0.1) instead of frontendDist.
# usage: test-devurl.sh TEST-HOST FRONTEND-DIR
set -eu
host=$1 frontend=$2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-devurl.XXXXXX")
server_pid=
cleanup () {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

python3 -u -m http.server --bind 127.0.0.1 --directory "$frontend/dist" 0 \
  > "$scratch/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$scratch/server.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the dev server did not start:"; cat "$scratch/server.log"; exit 1; }
echo "dev server on 127.0.0.1:$port"

mkdir "$scratch/app"
sed "s|http://127.0.0.1:9/|http://127.0.0.1:$port/|" "$frontend/keel.json" > "$scratch/app/keel.json"
ln -s "$frontend/dist" "$scratch/app/dist"
"$host" "$scratch/app" --expect 2
grep -q '"GET /index.html' "$scratch/server.log" || { echo "the page was not fetched from the dev server"; cat "$scratch/server.log"; exit 1; }
echo "ok: page served by the dev server"
