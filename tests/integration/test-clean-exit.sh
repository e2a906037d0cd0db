#!/bin/sh
# A clean exit leaves no WebKit process behind (issue 4). Runs test-host on
# the "idle" frontend (two windows whose pages only wait), records every
# process below it once its web processes exist (WebKitWebProcess,
# WebKitNetworkProcess, and bwrap or xdg-dbus-proxy under the sandbox), ends
# the app, and checks that within 10 s none of those processes is left:
#   (a) SIGTERM to the host   (app exit code 143)
#   (b) SIGINT to the host    (app exit code 130)
#   (c) the page calls plugin:app|exit(0) (when the script creates exit.txt
#       next to its index.html)
#   (d) both windows close themselves, the last one ending the app with 0
#       (when the script creates close.txt)
# usage: test-clean-exit.sh TEST-HOST IDLE-FRONTEND-DIR
set -eu
host=$1 frontend=$2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-clean-exit.XXXXXX")
host_pid=
cleanup () {
  if [ -n "$host_pid" ] && [ -d "/proc/$host_pid" ]; then kill -9 "$host_pid" 2>/dev/null || :; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A copy, so that exit.txt and close.txt never land in the build directory.
cp -R "$frontend" "$scratch/app"

# Prints "PID NAME" for every process below $1 (any depth).
descendants () {
  root=$1
  for stat in /proc/[0-9]*/stat; do
    line=$(cat "$stat" 2>/dev/null) || continue
    pid=${stat#/proc/}
    pid=${pid%/stat}
    name=${line#*(}
    name=${name%)*}
    rest=${line##*) }
    # rest: STATE PPID ... (split on purpose; no field holds a glob character)
    # shellcheck disable=SC2086
    set -- $rest
    printf '%s %s %s\n' "$pid" "$2" "$(printf '%s' "$name" | tr ' ' '_')"
  done | awk -v root="$root" '
    { parent[$1] = $2; name[$1] = $3 }
    END {
      for (p in parent) {
        q = p
        for (i = 0; i < 32 && q != "" && q > 1; i++) {
          q = parent[q]
          if (q == root) { print p, name[p]; break }
        }
      }
    }'
}

# True if process $1 exists and has not exited (a zombie has: it only
# waits for its new parent to reap it).
alive () {
  line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  rest=${line##*) }
  [ "${rest%% *}" != Z ]
}

fail () {
  echo "FAIL: $*"
  exit 1
}

# check NAME HOW EXPECTED-APP-EXIT-CODE
check () {
  name=$1 how=$2 code=$3
  rm -f "$scratch/app/dist/exit.txt" "$scratch/app/dist/close.txt"
  echo "== ($name) end the app with $how"
  "$host" "$scratch/app" --expect 0 --expect-exit "$code" --timeout 60 >"$scratch/$name.log" 2>&1 &
  host_pid=$!

  # Its windows' web processes (two) and the network process exist.
  tries=0
  while :; do
    tree=$(descendants "$host_pid")
    web=$(printf '%s\n' "$tree" | grep -c ' WebKitWebProces' || :)
    net=$(printf '%s\n' "$tree" | grep -c ' WebKitNetwork' || :)
    [ "$web" -ge 2 ] && [ "$net" -ge 1 ] && break
    tries=$((tries + 1))
    if [ "$tries" -ge 300 ] || ! alive "$host_pid"; then
      cat "$scratch/$name.log"
      fail "($name) test-host did not start 2 web processes and a network process within 30 s (saw: $tree)"
    fi
    sleep 0.1
  done
  # Let start-up finish, then record everything below the host.
  sleep 1
  tree=$(descendants "$host_pid")
  pids=$(printf '%s\n' "$tree" | awk '{ print $1 }')
  echo "ok: ($name) processes below test-host $host_pid: $(printf '%s\n' "$tree" | sort -n | tr '\n' ' ')"

  case $how in
    SIGTERM) kill -s TERM "$host_pid" ;;
    SIGINT) kill -s INT "$host_pid" ;;
    plugin:app\|exit) : >"$scratch/app/dist/exit.txt" ;;
    'closing its windows') : >"$scratch/app/dist/close.txt" ;;
  esac

  tries=0
  while alive "$host_pid"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 200 ]; then
      cat "$scratch/$name.log"
      fail "($name) test-host still runs 20 s after $how"
    fi
    sleep 0.1
  done
  status=0
  wait "$host_pid" || status=$?
  host_pid=
  echo "ok: ($name) test-host exited after $how"
  if [ "$status" -ne 0 ]; then
    cat "$scratch/$name.log"
    fail "($name) test-host exited with $status: the app's exit code was not $code (see its log above)"
  fi
  echo "ok: ($name) the app's exit code was $code"

  tries=0
  while :; do
    left=
    for pid in $pids; do
      if alive "$pid"; then left="$left $pid($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))"; fi
    done
    if [ -z "$left" ]; then
      echo "ok: ($name) none of those processes is left (first seen $((tries * 100)) ms after test-host exited)"
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
      fail "($name) 10 s after test-host exited, still running:$left"
    fi
    sleep 0.1
  done
}

check a SIGTERM 143
check b SIGINT 130
check c 'plugin:app|exit' 0
check d 'closing its windows' 0
echo "all clean-exit checks passed"
