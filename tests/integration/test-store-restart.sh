#!/bin/sh
# Stores persist across restarts of the app: the store-restart page runs
# three times on the same data directory (run-isolated.sh gives this script
# one for all three): it saves, the app exits (test_done, then SIGTERM), and
# a new app reads back. Then the files themselves: JSON objects, private
# (0600), and no temporary file left behind.
# usage: test-store-restart.sh TEST-HOST FRONTEND-DIR
set -eu
host=$1 frontend=$2
data="$XDG_DATA_HOME/dev.keel.test.store-restart"

echo "== run 1: save, exit normally"
"$host" "$frontend" --expect 3

echo "== run 2: save, end by SIGTERM"
"$host" "$frontend" --expect 1 --expect-exit 143 &
pid=$!
for _ in $(seq 1 300); do
  [ "$(cat "$data/phase.txt" 2>/dev/null)" = 3 ] && break
  sleep 0.1
done
[ "$(cat "$data/phase.txt" 2>/dev/null)" = 3 ] || { echo "run 2 never got ready"; kill "$pid"; exit 1; }
kill -TERM "$pid"
wait "$pid"

echo "== run 3: read back"
"$host" "$frontend" --expect 3

python3 - "$data" <<'PY'
import json, os, re, stat, sys
data = sys.argv[1]
stores = []
for root, dirs, files in os.walk(data):
    for name in files:
        path = os.path.join(root, name)
        if re.search(r"\.json\.[A-Za-z0-9]{6}$", name):
            sys.exit(f"a temporary file was left behind: {path}")
        if not name.endswith(".json"):
            continue
        with open(path) as f:
            value = json.load(f)
        if not isinstance(value, dict):
            sys.exit(f"{path} holds no JSON object")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode != 0o600:
            sys.exit(f"{path} has mode {mode:o}, not 600")
        stores.append(os.path.relpath(path, data))
expected = {"persist.json", "exit-pending.json", "exit-manual.json", "exit/sub/nested.json",
            "term-pending.json", "term-manual.json", "term/sub/nested.json"}
if set(stores) != expected:
    sys.exit(f"store files {sorted(stores)}, expected {sorted(expected)}")
print(f"ok: {len(stores)} store files, each a JSON object with mode 600, no temporary file")
PY
