#!/usr/bin/env bash
# e2e-oracle.sh: run the client SDK suite (e2e/client.test.mjs, oracle mode, no BEEP)
# against the better-auth oracle (oracle/server.mjs) on a fresh PostgreSQL database.
# This proves the harness: every flow must pass against better-auth itself.
#
#   scripts/with-postgres.sh e2e/oracle/e2e-oracle.sh [node --test args...]
#   E2E_FILES="organization.test.mjs" scripts/with-postgres.sh e2e/oracle/e2e-oracle.sh
#
# E2E_FILES: the test files to run, space-separated, relative to e2e/ (default
# client.test.mjs). The suite gets ORACLE_DATABASE_URL, the oracle's database: the
# organization suite uses it to mark a user's email verified, which the oracle (no
# mail transport) cannot do over HTTP.
#
# ORACLE_COOKIE_CACHE=300 starts the oracle with better-auth's cookie cache on (Beep's
# default). Then the revocation flows fail against better-auth (it keeps answering
# from session_data) and the "cookie cache" flow documents that gap; Beep closes it.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${IAM_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}"
PSQL=psql
[ -n "${IAM_TEST_POSTGRES_BIN:-}" ] && [ -x "$IAM_TEST_POSTGRES_BIN/psql" ] && PSQL="$IAM_TEST_POSTGRES_BIN/psql"

DB="oracle_$$_$(date +%s)"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp /tmp/oracle-e2e.XXXXXX.log)
PID=""
cleanup() {
	[ -n "$PID" ] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
	"$PSQL" "$IAM_TEST_POSTGRES_URL" -qc "drop database if exists $DB with (force)" >/dev/null 2>&1 || true
	rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PSQL" "$IAM_TEST_POSTGRES_URL" -qc "create database $DB" >/dev/null
DATABASE_URL="${IAM_TEST_POSTGRES_URL%/*}/$DB" PORT="$PORT" node oracle/server.mjs >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 150); do
	curl -fsS "http://127.0.0.1:$PORT/api/auth/ok" >/dev/null 2>&1 && break
	kill -0 "$PID" 2>/dev/null || { echo "oracle exited:" >&2; cat "$LOG" >&2; exit 1; }
	sleep 0.1
done

echo "e2e [oracle${ORACLE_COOKIE_CACHE:+, cookieCache ${ORACLE_COOKIE_CACHE}s}]: better-auth client SDK against better-auth 1.7.25 (127.0.0.1:$PORT)"
read -r -a FILES <<<"${E2E_FILES:-client.test.mjs}"
if ! BASE_URL="http://127.0.0.1:$PORT" E2E_LABEL="better-auth oracle" ORACLE_DATABASE_URL="${IAM_TEST_POSTGRES_URL%/*}/$DB" \
	node --test --test-reporter=spec "$@" "${FILES[@]}"; then
	echo "--- oracle log ---" >&2; cat "$LOG" >&2; exit 1
fi
