#!/usr/bin/env bash
# bench.sh: start bin/iamd on a fresh PostgreSQL database (run under
# with-postgres.sh) and run authbench against it. BENCH_DURATION sets the
# length of each step (default 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${IAM_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}"
DB="bench_$$"
psql "$IAM_TEST_POSTGRES_URL" -qc "create database $DB" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
APP_ENV=production EMAIL_TRANSPORT=memory BETTER_AUTH_SECRET="bench-secret-0123456789abcdef0123456789" DATABASE_AUTO_MIGRATE=true \
	DATABASE_URL="${IAM_TEST_POSTGRES_URL%/*}/$DB" HTTP_ADDR="127.0.0.1:$PORT" LOG_LEVEL=error \
	./bin/iamd serve &
PID=$!
stop() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
trap stop EXIT INT TERM
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/api/auth/ok" >/dev/null 2>&1 && break; sleep 0.1; done
cd bench && go run ./cmd/authbench -url "http://127.0.0.1:$PORT" -duration "${BENCH_DURATION:-5s}"

echo
echo "outbox throughput (500 queued emails drained; go test -run TestOutboxThroughput):"
stop # the server is done; the outbox measurement below uses its own databases
cd ../infrastructure && IAM_OUTBOX_BENCH_EMAILS=500 IAM_TEST_REQUIRE_POSTGRES=1 go test -count=1 -run TestOutboxThroughput -v ./bunstore/ | grep -o '[a-z]*, [0-9] dispatcher.*'
