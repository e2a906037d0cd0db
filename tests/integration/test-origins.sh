#!/bin/sh
# Origins and frames, against a real foreign server on 127.0.0.1: a
# cross-origin iframe finds no way to the core, and remote pages get exactly
# what a capability's remote.urls grants them. The server's port is known
# only now, so keel.json is written here ("127.0.0.1:9" stands for it).
# usage: test-origins.sh TEST-HOST FRONTEND-DIR FOREIGN-SERVER
set -eu
host=$1 frontend=$2 foreign=$3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-origins.XXXXXX")
server_pid=
cleanup () {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

python3 -u "$foreign" "$scratch/port" > "$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$scratch/port" ] && break
  sleep 0.1
done
[ -s "$scratch/port" ] || { echo "the foreign server did not start:"; cat "$scratch/server.log"; exit 1; }
port=$(cat "$scratch/port")
echo "foreign server on 127.0.0.1:$port"

mkdir "$scratch/app"
sed "s|127\.0\.0\.1:9\([^0-9]\)|127.0.0.1:$port\1|g" "$frontend/keel.json" > "$scratch/app/keel.json"
ln -s "$frontend/dist" "$scratch/app/dist"
"$host" "$scratch/app" --expect 4 --timeout 100

# The frame and the remote pages were really served by the foreign server.
for path in /probe-frame.html /allowed/ipc.html; do
  grep -q "^GET $path" "$scratch/server.log" \
    || { echo "FAIL: the foreign server never served $path"; cat "$scratch/server.log"; exit 1; }
done
echo "ok: the frame and the remote pages came from the foreign server"
