#!/bin/sh
# The SQL plugin across a restart: test-host runs the app twice on the same
# XDG_DATA_HOME (run-isolated.sh gives this script one of its own). The
# first run writes, the second reads; between them, the database is a file
# in the app's data directory, closed cleanly (no WAL file left behind).
# usage: test-sql-restart.sh TEST-HOST FRONTENDS-DIR
set -eu
host=$1 frontends=$2
data="${XDG_DATA_HOME:?run me under run-isolated.sh}/dev.keel.test.sql-persist"

# The first run ends with a query that would never finish: the core must
# interrupt it when the app ends.
start=$(date +%s)
timeout 60 "$host" "$frontends/sql-persist-write" --expect 3 || {
  echo "the first run failed (status $?; 124: it did not end within 60 s)"
  exit 1
}
echo "ok: the first run ended in $(( $(date +%s) - start )) s, a query still running"
for file in persist.db migrated.db endless.db; do
  [ -s "$data/$file" ] || { echo "no $data/$file after the first run"; ls -la "$data" || true; exit 1; }
  if [ -e "$data/$file-wal" ]; then
    echo "$file-wal is left behind: the connection was not closed at exit"
    exit 1
  fi
done
echo "ok: the databases are in the app's data directory, closed cleanly"

"$host" "$frontends/sql-persist-read" --expect 3
