# Sourced by the tests that need a foreign web server on 127.0.0.1
# (test-navigation.sh, test-origins.sh). Expects $scratch (a private
# directory) and $foreign (foreign-server.py); starts the server, removes
# $scratch on exit, and sets $port. Its requests are logged in
# $scratch/server.log.
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

# A keel.json says 127.0.0.1:9 wherever the server's address goes.
with_port () {
  sed "s|127\.0\.0\.1:9\([^0-9]\)|127.0.0.1:$port\1|g" "$1"
}
