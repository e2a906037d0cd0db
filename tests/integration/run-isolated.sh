#!/bin/sh
# Runs a command with fresh, private HOME and XDG directories, removed after,
# and a D-Bus session bus of its own unless one is already there.
#
# Why the bus: with WebKit's sandbox on, every web process reaches the
# session and accessibility buses through xdg-dbus-proxy, and WebKit aborts
# the whole app when the proxy cannot connect. Without a session bus, GLib
# autolaunches one per X display that outlives this test, and its
# accessibility bus would keep a socket in this test's XDG_RUNTIME_DIR, which
# is deleted below: every later test would then be handed a dead address.
set -eu
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null; then
  exec dbus-run-session -- "$0" "$@"
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keel-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -p "$scratch/home" "$scratch/data" "$scratch/config" "$scratch/cache" "$scratch/runtime"
chmod 700 "$scratch/runtime"
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
       XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime"
"$@"
