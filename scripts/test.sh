#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds twice (plain, and
# with AddressSanitizer + UndefinedBehaviorSanitizer), starts a throwaway
# PostgreSQL and MariaDB on loopback (free ports, data in a temp folder,
# stopped on exit whatever happens), and runs every test in both builds.
#   DBM_TEST_GALERA=0  skip the three-node Galera cluster (it starts in 10 to 20 s)
#   DBM_TEST_GALERA=1  fail when the cluster cannot start (default: skip its tests then)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh test

jobs=$(nproc 2>/dev/null || echo 2)
work=$(mktemp -d "${TMPDIR:-/tmp}/dbmigrate-test.XXXXXX")
chmod 755 "$work"

stop_servers() {
	bash tests/servers/pgsql.sh stop "$work/pg" >/dev/null 2>&1 || true
	bash tests/servers/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1 || true
	# CTest's fixture cleanup stops these; this covers a ctest that was itself killed.
	for b in build/test build/asan; do
		bash tests/servers/pgfront.sh stop "$b/tests/pgfront" >/dev/null 2>&1 || true
	done
	for g in "$work"/galera*; do
		[ -d "$g" ] && bash tests/servers/galera.sh stop "$g" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

build() { # build DIR [cmake options...]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DDBM_WERROR=ON -DDBM_FAILPOINTS=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" >/dev/null
	cmake --build "$dir" -j"$jobs" >/dev/null
}

echo "== building (plain and ASan+UBSan)"
build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo
build build/asan -DCMAKE_BUILD_TYPE=Debug -DDBM_SANITIZE=ON

echo "== starting PostgreSQL and MariaDB"
pg_out=$(bash tests/servers/pgsql.sh start "$work/pg")
my_out=$(bash tests/servers/mariadb.sh start "$work/mariadb")
export "${pg_out?}" "${my_out?}"
# The cluster is started in every run; when it cannot start (twice), its tests are skipped with
# a loud notice, unless DBM_TEST_GALERA=1 asks for them explicitly, which makes that a failure.
galera=${DBM_TEST_GALERA:-auto}
if [ "$galera" != 0 ] && [ -f tests/servers/galera.sh ]; then
	echo "== starting a three-node Galera cluster"
	for try in 1 2; do
		if galera_out=$(bash tests/servers/galera.sh start "$work/galera$try"); then
			export "${galera_out?}"
			break
		fi
		bash tests/servers/galera.sh stop "$work/galera$try" >/dev/null 2>&1 || true
		galera_out=
	done
	if [ -z "$galera_out" ]; then
		if [ "$galera" = 1 ]; then
			echo "the Galera cluster did not start" >&2
			exit 1
		fi
		echo "NOTICE: the Galera cluster did not start twice; its tests are skipped in this run" >&2
	fi
fi
export DBM_TEST_REQUIRE_SERVERS=1

status=0
echo "== tests, plain build"
(cd build/test && ctest --output-on-failure -j"$jobs") || status=1
echo "== tests, ASan+UBSan build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build/asan && ctest --output-on-failure -j"$jobs") || status=1
# Bounded fuzzing of every parser and the static analysers, when present.
for extra in scripts/fuzz.sh scripts/analyze.sh; do
	if [ -f "$extra" ]; then
		echo "== $extra"
		bash "$extra" || status=1
	fi
done
exit $status
