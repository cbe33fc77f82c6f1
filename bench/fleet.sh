#!/usr/bin/env bash
# fleet.sh - a fleet run against a shell loop of single runs. Run by hand, not in CI.
#
#   bash bench/fleet.sh                 100 PostgreSQL databases and 1000 SQLite files
#   BENCH_PG_DBS=20 BENCH_SQLITE_FILES=100 bash bench/fleet.sh    a smoke run
#
# Settings (environment):
#   BENCH_PG_DBS=100        PostgreSQL databases (each gets BENCH_MIGRATIONS)
#   BENCH_SQLITE_FILES=1000 SQLite files
#   BENCH_MIGRATIONS=50     migrations, each a CREATE TABLE and an INSERT
#   BENCH_JOBS=8            -j of the fleet run
#   DBMIGRATE=PATH          the binary (default: build/bench/dbmigrate, built here)
#
# For each kind it migrates one set of empty databases with a shell loop of
# 'dbmigrate migrate --url URL', and a second set with one
# 'dbmigrate migrate -j N' over a targets file (PostgreSQL) or a glob (SQLite),
# and prints the wall time of both, their ratio, and the fleet's client peak
# memory: the largest sum, sampled every 20 ms, of the RSS and of the PSS
# (proportional set size: a page the forked workers share counts once) of
# every process of the fleet run's session. The servers run from
# tests/servers/pgsql.sh in a folder of their own, stopped at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
pg_dbs=${BENCH_PG_DBS:-100}
sq_files=${BENCH_SQLITE_FILES:-1000}
nmig=${BENCH_MIGRATIONS:-50}
jobs=${BENCH_JOBS:-8}
work=$(mktemp -d "${TMPDIR:-/tmp}/dbm-fleet-bench.XXXXXX")
pgdir=$work/pg
chmod 755 "$work" # the server runs as its own OS user

cleanup() {
	bash "$here/tests/servers/pgsql.sh" stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${DBMIGRATE:-}" ]; then
	cmake -S "$here" -B "$here/build/bench" -DCMAKE_BUILD_TYPE=Release -DDBM_UNIT_TESTING=OFF \
		>/dev/null
	cmake --build "$here/build/bench" -j2 --target dbmigrate >/dev/null
	DBMIGRATE=$here/build/bench/dbmigrate
fi

now() { date +%s.%N; }

# Runs "$@" in a session of its own and prints "<seconds> <peak RSS KiB> <peak PSS KiB>".
measure() {
	local t0 t1 pid sid rss pss peak_rss=0 peak_pss=0 p v
	t0=$(now)
	setsid "$@" >"$work/out" 2>"$work/err" &
	pid=$!
	sid=$pid
	while kill -0 "$pid" 2>/dev/null; do
		rss=0
		pss=0
		for p in $(ps -o pid= -s "$sid" 2>/dev/null); do
			v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
			rss=$((rss + ${v:-0}))
			v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
			pss=$((pss + ${v:-0}))
		done
		[ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
		[ "$pss" -gt "$peak_pss" ] && peak_pss=$pss
		sleep 0.02
	done
	wait "$pid" || { echo "failed: $*" >&2; tail -5 "$work/err" >&2; exit 1; }
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc) $peak_rss $peak_pss"
}

mkdir -p "$work/p/migrations"
for i in $(seq 1 "$nmig"); do
	printf 'CREATE TABLE t%d (id INT, v TEXT);\nINSERT INTO t%d VALUES (1, '"'x'"');\n' \
		"$i" "$i" >"$work/p/migrations/V${i}__step_$i.sql"
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

# PostgreSQL
url=$(bash "$here/tests/servers/pgsql.sh" start "$pgdir" | sed 's/^DBM_TEST_PG_URL=//')
base=${url%/postgres}
for i in $(seq 1 "$pg_dbs"); do
	echo "CREATE DATABASE loop_$i; CREATE DATABASE fleet_$i;"
done | psql -q "$url" >/dev/null
: >"$work/p/fleet.txt"
for i in $(seq 1 "$pg_dbs"); do echo "$base/fleet_$i" >>"$work/p/fleet.txt"; done
cd "$work/p"
cat >"$work/loop.sh" <<EOF
for i in \$(seq 1 $pg_dbs); do "$DBMIGRATE" migrate -q --url "$base/loop_\$i" || exit 1; done
EOF
read -r loop_s _ _ < <(measure bash "$work/loop.sh")
read -r fleet_s rss pss < <(measure "$DBMIGRATE" migrate -q -j "$jobs" --targets-file fleet.txt)
echo "postgresql: $pg_dbs databases x $nmig migrations: loop ${loop_s} s, fleet -j $jobs ${fleet_s} s," \
	"$(echo "scale=2; $loop_s / $fleet_s" | bc)x; fleet peak RSS sum $((rss / 1024)) MiB," \
	"PSS sum $((pss / 1024)) MiB"
echo "load average after postgresql: $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$here/tests/servers/pgsql.sh" stop "$pgdir" >/dev/null 2>&1

# SQLite
mkdir -p "$work/p/loop" "$work/p/fleet"
for i in $(seq 1 "$sq_files"); do : >"$work/p/loop/$i.db"; : >"$work/p/fleet/$i.db"; done
printf 'targets: "sqlite:fleet/*.db"\n' >"$work/p/dbmigrate.yml"
cat >"$work/loop.sh" <<EOF
for i in \$(seq 1 $sq_files); do "$DBMIGRATE" migrate -q --config /dev/null --url "sqlite:loop/\$i.db" || exit 1; done
EOF
read -r loop_s _ _ < <(measure bash "$work/loop.sh")
read -r fleet_s rss pss < <(measure "$DBMIGRATE" migrate -q -j "$jobs")
echo "sqlite: $sq_files files x $nmig migrations: loop ${loop_s} s, fleet -j $jobs ${fleet_s} s," \
	"$(echo "scale=2; $loop_s / $fleet_s" | bc)x; fleet peak RSS sum $((rss / 1024)) MiB," \
	"PSS sum $((pss / 1024)) MiB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
