#!/usr/bin/env bash
# with-redis.sh CMD...: run CMD with a throwaway Redis.
#
# Installs redis-server from Debian's packages when it is missing (as
# root), starts it on a free loopback port with no persistence (no RDB
# snapshots, no AOF, nothing written to disk), exports IAM_TEST_REDIS_URL
# (and IAM_TEST_REDIS_BIN, for tests that start their own), runs CMD, and
# stops it on every exit path, failure included.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "with-redis: redis-server is not installed; run as root or: apt-get install redis-server" >&2
		exit 1
	fi
	echo "with-redis: installing redis-server from Debian packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
REDIS_BIN=$(command -v redis-server)

DIR=$(mktemp -d /tmp/iam-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"$REDIS_BIN" --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no \
	--dir "$DIR" --daemonize no --protected-mode yes --loglevel warning \
	--logfile "$DIR/redis.log" &
PID=$!

# Wait until it answers (at most 10 s).
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; then
		break
	fi
	kill -0 "$PID" 2>/dev/null || { cat "$DIR/redis.log" >&2; exit 1; }
	sleep 0.1
done

export IAM_TEST_REDIS_URL="redis://127.0.0.1:$PORT/0"
export IAM_TEST_REDIS_BIN="$REDIS_BIN"
echo "with-redis: Redis $("$REDIS_BIN" --version | awk '{print $3}' | sed 's/v=//') on 127.0.0.1:$PORT" >&2
"$@"
