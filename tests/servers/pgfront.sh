#!/usr/bin/env bash
# pgfront.sh - what production puts in front of or beside the test PostgreSQL:
# a PgBouncer in transaction pooling mode (pgbouncer.sh) and a streaming hot
# standby (pgsql.sh standby), for the tests of poolers and replicas. CTest runs
# "start" as the setup and "stop" as the cleanup of the fixture "pgfront"
# (tests/CMakeLists.txt), so the cleanup runs whatever the tests did.
#
#   tests/servers/pgfront.sh start DIR   with DBM_TEST_PG_URL set (scripts/test.sh), start
#                                        both and write DIR/env with the lines
#                                        DBM_TEST_PGBOUNCER_URL=... and DBM_TEST_PG_STANDBY_URL=...;
#                                        without it write an empty DIR/env (the tests then skip,
#                                        or fail when DBM_TEST_REQUIRE_SERVERS=1)
#   tests/servers/pgfront.sh stop DIR    stop both; idempotent
set -u
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: pgfront.sh start|stop DIR" >&2
	exit 2
}

stop_all() {
	bash "$here/pgbouncer.sh" stop "$DIR/pgbouncer" >&2
	bash "$here/pgsql.sh" stop "$DIR/standby" >&2
}

[ $# -eq 2 ] || usage
DIR=$2
case "$DIR" in
/*) ;;
*) DIR="$(pwd)/$DIR" ;;
esac

case "$1" in
start)
	mkdir -p "$DIR" || exit 1
	: >"$DIR/env"
	if [ -z "${DBM_TEST_PG_URL:-}" ]; then
		echo "pgfront.sh: DBM_TEST_PG_URL is not set: no PgBouncer and no standby started" >&2
		exit 0
	fi
	if ! bouncer=$(bash "$here/pgbouncer.sh" start "$DIR/pgbouncer" "$DBM_TEST_PG_URL") ||
		! standby=$(bash "$here/pgsql.sh" standby "$DIR/standby" "$DBM_TEST_PG_URL"); then
		stop_all
		exit 1
	fi
	printf '%s\n%s\n' "$bouncer" "$standby" >"$DIR/env"
	cat "$DIR/env"
	;;
stop)
	stop_all
	rm -rf "$DIR/standby/data"
	;;
*) usage ;;
esac
