#!/usr/bin/env bash
# with-postgres.sh CMD...: run CMD with a throwaway PostgreSQL 15 cluster.
#
# Installs PostgreSQL from Debian's packages when it is missing (as root),
# creates a cluster in a temporary directory owned by a non-root user
# (PostgreSQL refuses to run as root), starts it on a free loopback port,
# exports IAM_TEST_POSTGRES_URL, runs CMD, and stops and removes the cluster
# on every exit path, failure included.
set -euo pipefail

pg_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

if ! PGBIN=$(pg_bin); then
	if [ "$(id -u)" -ne 0 ]; then
		echo "with-postgres: PostgreSQL is not installed; run as root or: apt-get install postgresql" >&2
		exit 1
	fi
	echo "with-postgres: installing PostgreSQL from Debian packages" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null
	PGBIN=$(pg_bin)
fi

RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	RUNAS=(runuser -u postgres --)
fi

DIR=$(mktemp -d /tmp/iam-pg.XXXXXX)
chmod 0755 "$DIR"
[ ${#RUNAS[@]} -gt 0 ] && chown postgres "$DIR"

# A free loopback port: ask the kernel for one.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

cleanup() {
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

"${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync -E UTF8 >"$DIR/initdb.log" 2>&1 ||
	{ cat "$DIR/initdb.log" >&2; exit 1; }
# fsync off: this cluster is thrown away, and it halves test time.
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
	-o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
	start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }

export IAM_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export IAM_TEST_POSTGRES_BIN="$PGBIN"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
