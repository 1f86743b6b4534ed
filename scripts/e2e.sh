#!/usr/bin/env bash
# e2e.sh: start the built iamd binary on a fresh PostgreSQL database and run
# the better-auth client SDK test (e2e/client.test.mjs) against it over
# real HTTP. Needs IAM_TEST_POSTGRES_URL (see with-postgres.sh) and bin/iamd.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${IAM_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}"
DB="e2e_$$"
psql "$IAM_TEST_POSTGRES_URL" -qc "create database $DB" >/dev/null
DATABASE_URL="${IAM_TEST_POSTGRES_URL%/*}/$DB"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp /tmp/iamd-e2e.XXXXXX.log)
APP_ENV=production BETTER_AUTH_SECRET="e2e-secret-0123456789abcdef0123456789" DATABASE_AUTO_MIGRATE=true \
	DATABASE_URL="$DATABASE_URL" HTTP_ADDR="127.0.0.1:$PORT" LOG_LEVEL=warn \
	./bin/iamd serve >"$LOG" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -f "$LOG"; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$PORT/api/auth/ok" >/dev/null 2>&1 && break
	kill -0 "$PID" 2>/dev/null || { echo "iamd exited:" >&2; cat "$LOG" >&2; exit 1; }
	sleep 0.1
done

echo "e2e: better-auth client SDK against iamd on PostgreSQL (127.0.0.1:$PORT)" >&2
if ! (cd e2e && BASE_URL="http://127.0.0.1:$PORT" BEEP=1 node --test client.test.mjs); then
	echo "--- iamd log ---" >&2; cat "$LOG" >&2; exit 1
fi
