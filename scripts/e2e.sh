#!/usr/bin/env bash
# e2e.sh: run the better-auth client SDK suite (e2e/client.test.mjs, with BEEP=1)
# against the built bin/iamd over real HTTP, twice:
#   1. iamd on a fresh PostgreSQL database (created in IAM_TEST_POSTGRES_URL's cluster),
#   2. iamd on a fresh SQLite file (DATABASE_URL=sqlite:<tmpdir>/iam.db).
# Each run gets its own iamd process with USER_DELETE_ENABLED=true, and its output is
# labelled. Both runs happen even if the first fails. If a run fails, this script
# prints that iamd's log. It exits non-zero if either run failed.
#
#   scripts/with-postgres.sh scripts/e2e.sh     (or: make test)
#
# Env: IAM_TEST_POSTGRES_URL (required; see with-postgres.sh), E2E_ONLY=postgres|sqlite
# (optional, runs one of the two), E2E_TEST_ARGS (optional extra `node --test` arguments,
# e.g. --test-name-pattern=bearer).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

: "${IAM_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}"
[ -x bin/iamd ] || { echo "e2e: bin/iamd is missing; run make build" >&2; exit 1; }
[ -d e2e/node_modules/better-auth ] || { echo "e2e: e2e/node_modules is missing; run make npm" >&2; exit 1; }
PSQL=psql
[ -n "${IAM_TEST_POSTGRES_BIN:-}" ] && [ -x "$IAM_TEST_POSTGRES_BIN/psql" ] && PSQL="$IAM_TEST_POSTGRES_BIN/psql"

TMP=$(mktemp -d /tmp/iamd-e2e.XXXXXX)
PID=""
PG_DB=""

stop_iamd() {
	[ -n "$PID" ] || return 0
	kill "$PID" 2>/dev/null || true
	# Give a graceful shutdown 10 s, then kill.
	for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=""
}

cleanup() {
	stop_iamd
	if [ -n "$PG_DB" ]; then
		"$PSQL" "$IAM_TEST_POSTGRES_URL" -qc "drop database if exists $PG_DB with (force)" >/dev/null 2>&1 || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# run_suite LABEL DATABASE_URL: start iamd on DATABASE_URL, run the suite, stop iamd.
# Returns non-zero if iamd did not start or a test failed.
run_suite() {
	local label=$1 dburl=$2 port log base rc=0
	port=$(free_port)
	log="$TMP/iamd-$label.log"
	base="http://127.0.0.1:$port"
	echo
	echo "=================================================================="
	echo "e2e [$label]: better-auth client SDK against iamd on $label ($base)"
	echo "=================================================================="
	APP_ENV=production BETTER_AUTH_SECRET="e2e-secret-0123456789abcdef0123456789" \
		DATABASE_AUTO_MIGRATE=true DATABASE_URL="$dburl" HTTP_ADDR="127.0.0.1:$port" \
		USER_DELETE_ENABLED=true SESSION_COOKIE_CACHE_MAX_AGE=300 SHUTDOWN_TIMEOUT=5 LOG_LEVEL=info \
		EMAIL_TRANSPORT=log EMAIL_LOG_FILE="$TMP/mail-$label.log" \
		"$ROOT/bin/iamd" serve >"$log" 2>&1 &
	PID=$!

	local up=""
	for _ in $(seq 1 150); do
		if curl -fsS "$base/api/auth/ok" >/dev/null 2>&1; then up=1; break; fi
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$up" ]; then
		echo "e2e [$label]: iamd did not come up on $base; its log:" >&2
		cat "$log" >&2
		stop_iamd
		return 1
	fi

	# shellcheck disable=SC2086 # E2E_TEST_ARGS is a list of words.
	(cd "$ROOT/e2e" && BASE_URL="$base" BEEP=1 E2E_LABEL="iamd on $label" \
		node --test --test-reporter=spec ${E2E_TEST_ARGS:-} client.test.mjs) || rc=$?
	stop_iamd
	if [ "$rc" -ne 0 ]; then
		echo "--- e2e [$label]: FAILED; iamd log ($log) ---" >&2
		cat "$log" >&2
		echo "--- end of iamd log [$label] ---" >&2
	fi
	return "$rc"
}

declare -A RESULT=()
ORDER=()

case "${E2E_ONLY:-}" in
"" | postgres | sqlite) ;;
*) echo "e2e: E2E_ONLY must be postgres or sqlite, got ${E2E_ONLY}" >&2; exit 2 ;;
esac

if [ "${E2E_ONLY:-postgres}" = postgres ]; then
	PG_DB="e2e_$$_$(date +%s)"
	"$PSQL" "$IAM_TEST_POSTGRES_URL" -qc "create database $PG_DB" >/dev/null
	ORDER+=(PostgreSQL)
	if run_suite PostgreSQL "${IAM_TEST_POSTGRES_URL%/*}/$PG_DB"; then RESULT[PostgreSQL]=PASS; else RESULT[PostgreSQL]=FAIL; fi
fi

if [ "${E2E_ONLY:-sqlite}" = sqlite ]; then
	mkdir -p "$TMP/sqlite"
	ORDER+=(SQLite)
	if run_suite SQLite "sqlite:$TMP/sqlite/iam.db"; then RESULT[SQLite]=PASS; else RESULT[SQLite]=FAIL; fi
fi

echo
echo "e2e summary:"
status=0
for l in "${ORDER[@]}"; do
	echo "  iamd on $l: ${RESULT[$l]}"
	[ "${RESULT[$l]}" = PASS ] || status=1
done
exit "$status"
