#!/usr/bin/env bash
# difftest.sh - the differential test of the statement splitter, by hand:
# generated migration files run by the database's own client (psql, mariadb)
# and by dbmigrate, outcomes and rows compared (docs/splitter.md,
# "Differential testing").
#
#   scripts/difftest.sh [--seed N] [--count N] [--dialect pg|mysql|both]
#                       [--start N] [--jobs N] [--out DIR] [--file FILE]
#                       [--binary PATH] [--minimize N] [--minimize-seconds S]
#
# --count is the number of files per dialect (default 1000), --start the
# number of the first (to rerun one case: --start N --count 1), --file runs
# one file (a minimized one, say) instead. Files that disagree, and their
# minimized forms (the first file of each kind of disagreement, up to
# --minimize kinds, default 50), are written to --out (default difftest-out).
#
# The servers: DBM_TEST_PG_URL / DBM_TEST_MYSQL_URL when set; otherwise a
# throwaway server is started for each dialect asked for (tests/servers/) and
# stopped on exit, whatever happens. The binary: --binary, else
# build/test/dbmigrate, built first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

seed=1 count=1000 dialect=both binary='' pass=(--minimize 50)
while [ $# -gt 0 ]; do
	case "$1" in
	--seed | --count | --dialect | --binary | --start | --jobs | --out | --file | --minimize | --minimize-seconds)
		[ $# -ge 2 ] || {
			echo "difftest.sh: $1 needs a value" >&2
			exit 2
		}
		case "$1" in
		--seed) seed=$2 ;;
		--count) count=$2 ;;
		--dialect) dialect=$2 ;;
		--binary) binary=$2 ;;
		*) pass+=("$1" "$2") ;;
		esac
		shift 2
		;;
	-h | --help)
		sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "difftest.sh: unknown option '$1' (see --help)" >&2
		exit 2
		;;
	esac
done
case "$dialect" in
pg | mysql | both) ;;
*)
	echo "difftest.sh: --dialect must be pg, mysql or both" >&2
	exit 2
	;;
esac

if [ -z "$binary" ]; then
	binary=build/test/dbmigrate
	if [ ! -x "$binary" ]; then
		echo "== building $binary" >&2
		cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
		cmake --build build/test -j"$(nproc 2>/dev/null || echo 2)" --target dbmigrate >/dev/null
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dbmigrate-difftest.XXXXXX")
chmod 755 "$work"
stop_servers() {
	[ -d "$work/pg" ] && bash tests/servers/pgsql.sh stop "$work/pg" >/dev/null 2>&1
	[ -d "$work/mariadb" ] && bash tests/servers/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1
	rm -rf "$work"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

if [ "$dialect" != mysql ] && [ -z "${DBM_TEST_PG_URL:-}" ]; then
	echo "== starting PostgreSQL" >&2
	out=$(bash tests/servers/pgsql.sh start "$work/pg")
	export "${out?}"
fi
if [ "$dialect" != pg ] && [ -z "${DBM_TEST_MYSQL_URL:-}" ]; then
	echo "== starting MariaDB" >&2
	out=$(bash tests/servers/mariadb.sh start "$work/mariadb")
	export "${out?}"
fi

status=0
python3 tests/diff/run.py --binary "$binary" --dialect "$dialect" --seed "$seed" --count "$count" \
	${pass[@]+"${pass[@]}"} || status=$?
exit "$status"
