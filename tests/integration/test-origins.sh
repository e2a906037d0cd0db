#!/bin/sh
# Origins and frames, against a real foreign server on 127.0.0.1: a
# cross-origin iframe finds no way to the core, and remote pages get exactly
# what a capability's remote.urls grants them. The server's port is known
# only now, so keel.json is written here ("127.0.0.1:9" stands for it).
# usage: test-origins.sh TEST-HOST FRONTEND-DIR FOREIGN-SERVER
set -eu
host=$1 frontend=$2 foreign=$3
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-origins.XXXXXX")
. "$(dirname "$0")/lib/foreign-server.sh"

mkdir "$scratch/app"
with_port "$frontend/keel.json" > "$scratch/app/keel.json"
ln -s "$frontend/dist" "$scratch/app/dist"
"$host" "$scratch/app" --expect 4 --timeout 100

# The frame and the remote pages were really served by the foreign server.
for path in /probe-frame.html /allowed/ipc.html; do
  grep -q "^GET $path" "$scratch/server.log" \
    || { echo "FAIL: the foreign server never served $path"; cat "$scratch/server.log"; exit 1; }
done
echo "ok: the frame and the remote pages came from the foreign server"
