#!/usr/bin/env bash
# bench.sh: start bin/iamd on a fresh PostgreSQL database (run under
# with-postgres.sh) and run authbench against it; under with-redis.sh too,
# run it a second time with REDIS_URL (session cache, shared revocation
# set), so the two get-session figures compare. Rate limits are off: the
# load generator is one IP. BENCH_DURATION sets the length of each step
# (default 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${IAM_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}"
PID=""
stop() { [ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; }; return 0; }
trap stop EXIT INT TERM

# run NAME LABEL REDIS_URL: a fresh database, one iamd, one authbench run.
run() {
	local label=$2 redis=$3 db="bench_$$_$1" port
	psql "$IAM_TEST_POSTGRES_URL" -qc "create database $db" >/dev/null
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	APP_ENV=production EMAIL_TRANSPORT=memory BETTER_AUTH_SECRET="bench-secret-0123456789abcdef0123456789" DATABASE_AUTO_MIGRATE=true \
		DATABASE_URL="${IAM_TEST_POSTGRES_URL%/*}/$db" HTTP_ADDR="127.0.0.1:$port" LOG_LEVEL=error \
		RATE_LIMIT_ENABLED=false REDIS_URL="$redis" \
		./bin/iamd serve &
	PID=$!
	for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/api/auth/ok" >/dev/null 2>&1 && break; sleep 0.1; done
	echo
	echo "== iamd on PostgreSQL, $label"
	(cd bench && go run ./cmd/authbench -url "http://127.0.0.1:$port" -duration "${BENCH_DURATION:-5s}")
	stop
}

run memory "no Redis (single node)" ""
if [ -n "${IAM_TEST_REDIS_URL:-}" ]; then
	run redis "Redis (session cache and shared sets)" "$IAM_TEST_REDIS_URL"
fi

echo
echo "outbox throughput (500 queued emails drained; go test -run TestOutboxThroughput):"
cd infrastructure && IAM_OUTBOX_BENCH_EMAILS=500 IAM_TEST_REQUIRE_POSTGRES=1 go test -count=1 -run TestOutboxThroughput -v ./bunstore/ | grep -o '[a-z]*, [0-9] dispatcher.*'
