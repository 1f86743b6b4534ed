#!/usr/bin/env bash
# e2e.sh: run the better-auth client SDK suite (e2e/client.test.mjs,
# e2e/organization.test.mjs, e2e/social.test.mjs and e2e/email-outage.test.mjs, with BEEP=1) against the built
# bin/iamd over real HTTP, twice:
#   1. iamd on a fresh PostgreSQL database (created in IAM_TEST_POSTGRES_URL's cluster),
#   2. iamd on a fresh SQLite file (DATABASE_URL=sqlite:<tmpdir>/iam.db).
# Each run gets its own iamd process with USER_DELETE_ENABLED=true, and its output is
# labelled. iamd sends its email through its Resend adapter (EMAIL_TRANSPORT=resend) to a
# fake Resend server (e2e/fake-resend.mjs) started for that run, which checks every request's
# shape; the email flows read the emails there. Each run also starts a fake OpenID Connect
# provider (e2e/fake-oidc.mjs), which iamd has as the social sign-in provider "acme"
# (OAUTH_PROVIDER_NAMES=acme, OAUTH_PROVIDER_ACME_ISSUER=<the fake>); social.test.mjs signs in
# through it. A run fails if a test fails or if either fake recorded a request the real service
# would refuse (GET /_violations not empty). Both runs happen even if the first fails. If a run
# fails, this script prints that iamd's log and the fakes'. It exits non-zero if either run
# failed.
#
# The test files run side by side (--test-concurrency=3): email-outage.test.mjs waits
# about a minute for iamd's retry backoff (10 s, 20 s, 40 s) while client.test.mjs runs.
#
#   scripts/with-postgres.sh scripts/e2e.sh     (or: make test)
#
# Env: IAM_TEST_POSTGRES_URL (required; see with-postgres.sh), E2E_ONLY=postgres|sqlite
# (optional, runs one of the two), E2E_TEST_ARGS (optional extra `node --test` arguments,
# e.g. --test-name-pattern=bearer), E2E_OUTAGE=0 (optional: leave out the minute-long
# provider-outage flow, for quick local runs).
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
FAKE_PID=""
OIDC_PID=""
PG_DB=""
EMAIL_FROM="Beep <no-reply@beep.test>"

stop_iamd() {
	[ -n "$PID" ] || return 0
	kill "$PID" 2>/dev/null || true
	# Give a graceful shutdown 10 s, then kill.
	for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=""
}

stop_fake() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null || true
	for _ in $(seq 1 30); do kill -0 "$FAKE_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$FAKE_PID" 2>/dev/null || true
	wait "$FAKE_PID" 2>/dev/null || true
	FAKE_PID=""
}

stop_oidc() {
	[ -n "$OIDC_PID" ] || return 0
	kill "$OIDC_PID" 2>/dev/null || true
	for _ in $(seq 1 30); do kill -0 "$OIDC_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$OIDC_PID" 2>/dev/null || true
	wait "$OIDC_PID" 2>/dev/null || true
	OIDC_PID=""
}

cleanup() {
	stop_iamd
	stop_fake
	stop_oidc
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

# start_fake LABEL KEY: start the fake Resend server (accepting KEY and EMAIL_FROM only) on an
# ephemeral port; sets FAKE_PID and FAKE_URL. Returns non-zero if it did not come up.
start_fake() {
	local label=$1 key=$2 portfile="$TMP/fake-resend-$label.port" flog="$TMP/fake-resend-$label.log"
	rm -f "$portfile"
	FAKE_RESEND_KEY="$key" FAKE_RESEND_FROM="$EMAIL_FROM" FAKE_RESEND_PORT_FILE="$portfile" \
		node "$ROOT/e2e/fake-resend.mjs" >"$flog" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$portfile" ] && break
		kill -0 "$FAKE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$portfile" ]; then
		echo "e2e [$label]: the fake Resend server did not start; its log:" >&2
		cat "$flog" >&2
		stop_fake
		return 1
	fi
	FAKE_URL="http://127.0.0.1:$(cat "$portfile")/"
}

# start_oidc LABEL BASE: start the fake OpenID Connect provider for iamd at BASE (accepting
# OIDC_CLIENT_ID / OIDC_CLIENT_SECRET and only BASE's acme callback as redirect_uri) on an
# ephemeral port; sets OIDC_PID and OIDC_ISSUER. Returns non-zero if it did not come up.
start_oidc() {
	local label=$1 base=$2 portfile="$TMP/fake-oidc-$label.port" flog="$TMP/fake-oidc-$label.log"
	rm -f "$portfile"
	FAKE_OIDC_CLIENT_ID="$OIDC_CLIENT_ID" FAKE_OIDC_CLIENT_SECRET="$OIDC_CLIENT_SECRET" \
		FAKE_OIDC_REDIRECT_URIS="$base/api/auth/callback/acme" FAKE_OIDC_PORT_FILE="$portfile" \
		node "$ROOT/e2e/fake-oidc.mjs" >"$flog" 2>&1 &
	OIDC_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$portfile" ] && break
		kill -0 "$OIDC_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$portfile" ]; then
		echo "e2e [$label]: the fake OIDC provider did not start; its log:" >&2
		cat "$flog" >&2
		stop_oidc
		return 1
	fi
	OIDC_ISSUER="http://127.0.0.1:$(cat "$portfile")"
}

# run_suite LABEL DATABASE_URL: start the fake Resend server, the fake OIDC provider and iamd on
# DATABASE_URL, run the suite, check the fakes saw no bad request, stop all three. Returns
# non-zero if one did not start, a test failed, or a fake recorded a violation.
run_suite() {
	local label=$1 dburl=$2 port log base key violations rc=0
	local files=(client.test.mjs organization.test.mjs social.test.mjs email-outage.test.mjs)
	[ "${E2E_OUTAGE:-1}" = 0 ] && files=(client.test.mjs organization.test.mjs social.test.mjs)
	port=$(free_port)
	log="$TMP/iamd-$label.log"
	base="http://127.0.0.1:$port"
	key="re_e2e_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	OIDC_CLIENT_ID="acme-e2e-$label"
	OIDC_CLIENT_SECRET="oidc_e2e_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	echo
	echo "=================================================================="
	echo "e2e [$label]: better-auth client SDK against iamd on $label ($base)"
	echo "=================================================================="
	start_fake "$label" "$key" || return 1
	if ! start_oidc "$label" "$base"; then
		stop_fake
		return 1
	fi
	echo "e2e [$label]: iamd mails through its Resend adapter to the fake Resend server at $FAKE_URL"
	echo "e2e [$label]: iamd's social sign-in provider acme is the fake OIDC provider at $OIDC_ISSUER"
	APP_ENV=production BETTER_AUTH_SECRET="e2e-secret-0123456789abcdef0123456789" \
		DATABASE_AUTO_MIGRATE=true DATABASE_URL="$dburl" HTTP_ADDR="127.0.0.1:$port" \
		USER_DELETE_ENABLED=true SESSION_COOKIE_CACHE_MAX_AGE=300 SHUTDOWN_TIMEOUT=5 LOG_LEVEL=info \
		RATE_LIMIT_ENABLED=false \
		EMAIL_TRANSPORT=resend RESEND_API_KEY="$key" RESEND_API_URL="$FAKE_URL" EMAIL_FROM="$EMAIL_FROM" \
		OAUTH_PROVIDER_NAMES=acme OAUTH_PROVIDER_ACME_CLIENT_ID="$OIDC_CLIENT_ID" \
		OAUTH_PROVIDER_ACME_CLIENT_SECRET="$OIDC_CLIENT_SECRET" OAUTH_PROVIDER_ACME_ISSUER="$OIDC_ISSUER" \
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
		stop_fake
		stop_oidc
		return 1
	fi

	# shellcheck disable=SC2086 # E2E_TEST_ARGS is a list of words.
	(cd "$ROOT/e2e" && BASE_URL="$base" BEEP=1 E2E_LABEL="iamd on $label" \
		FAKE_RESEND_URL="$FAKE_URL" EMAIL_FROM="$EMAIL_FROM" \
		OIDC_ISSUER="$OIDC_ISSUER" FAKE_OIDC_URL="$OIDC_ISSUER" OIDC_CLIENT_ID="$OIDC_CLIENT_ID" \
		node --test --test-concurrency=3 --test-reporter=spec ${E2E_TEST_ARGS:-} "${files[@]}") || rc=$?
	stop_iamd
	# Every request iamd made to the provider, the sends after the last test included, must
	# have been one Resend accepts.
	violations=$(curl -fsS "${FAKE_URL}_violations" 2>&1) || violations="(could not read: $violations)"
	if [ "$violations" != "[]" ]; then
		echo "e2e [$label]: the fake Resend server recorded requests Resend would refuse: $violations" >&2
		[ "$rc" -ne 0 ] || rc=1
	else
		echo "e2e [$label]: the fake Resend server recorded no violation"
	fi
	stop_fake
	# Likewise every request iamd made to the OIDC provider (PKCE, nonce, client authentication,
	# single-use codes, no stale tokens).
	violations=$(curl -fsS "${OIDC_ISSUER}/_violations" 2>&1) || violations="(could not read: $violations)"
	if [ "$violations" != "[]" ]; then
		echo "e2e [$label]: the fake OIDC provider recorded requests a real provider would refuse: $violations" >&2
		[ "$rc" -ne 0 ] || rc=1
	else
		echo "e2e [$label]: the fake OIDC provider recorded no violation"
	fi
	stop_oidc
	if [ "$rc" -ne 0 ]; then
		echo "--- e2e [$label]: FAILED; iamd log ($log) ---" >&2
		cat "$log" >&2
		echo "--- end of iamd log [$label] ---" >&2
		echo "--- fake Resend log [$label] ---" >&2
		cat "$TMP/fake-resend-$label.log" >&2
		echo "--- end of fake Resend log [$label] ---" >&2
		echo "--- fake OIDC log [$label] ---" >&2
		cat "$TMP/fake-oidc-$label.log" >&2
		echo "--- end of fake OIDC log [$label] ---" >&2
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
