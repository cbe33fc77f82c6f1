#!/usr/bin/env bash
# run.sh - dbmigrate against the floor (the database's own client running the
# same SQL) and dbmate, on PostgreSQL and MariaDB. Run by hand, not in CI.
#
#   bash bench/run.sh                  full run (7 to 10 minutes on 2 cores)
#   BENCH_QUICK=1 bash bench/run.sh    smoke run with small sizes (about 1 minute)
#
# Settings (environment):
#   BENCH_N=1000          migrations in the apply / no-op cases
#   BENCH_INFO_N=10000    files in the info case
#   BENCH_BIG_MB=200      size of the one large migration of multi-row INSERTs
#   BENCH_REPS=3          runs per tool for the slow cases (apply, big)
#   BENCH_FAST_REPS=10    runs per tool for the fast cases (no-op, info, version)
#   BENCH_DBS="pgsql mariadb"
#   BENCH_SETTLE=2        seconds of rest after dropping the databases, before each rep
#   BENCH_DIR=DIR         work folder (default: a new one under $TMPDIR or /tmp);
#                         removed at the end unless BENCH_KEEP=1
#   BENCH_SERVER_DIR=DIR  where the servers keep their data (default: a new folder
#                         in /dev/shm when it has 8 GiB free, else in the work
#                         folder): in memory, the disk's noise stays out of the ratios
#   DBMIGRATE=PATH        the binary to measure (default: build this tree in the work folder)
#   DBMATE=PATH           dbmate (default: dbmate on PATH; skipped when there is none)
#
# The apply and big cases start every run from a freshly created database (one
# per tool) and run the tools alternately, in an order that rotates rep by rep. For each run it records wall time, client CPU
# (user + sys) and the client's peak RSS with bench/measure.c, then prints
# medians (peak RSS: the maximum), ratios to the case's baseline and whether
# dbmigrate meets its targets:
#
#   apply   N migrations from empty    baseline: floor    target <= 1.10x wall
#   noop    migrate with all applied   baseline: connect  target <= 1.50x wall
#   info    info with BENCH_INFO_N files, all applied (absolute and per file;
#           reference: cat of the files plus the client selecting the history)
#   big     the one large migration    baseline: floor    target <= 1.05x wall
#   dump    dump of the apply case's schema  baseline: pg_dump --schema-only /
#           mariadb-dump --no-data --routines --triggers --events   target <= 2.00x wall
#   version dbmigrate version          reference: the client's --version
#   and dbmigrate's peak RSS <= 16 MiB in every case.
#
# The floor is what a careful human would run: per migration BEGIN, the file,
# the history INSERT, COMMIT, all in one client session (psql -X -q -f, mariadb <).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	N=${BENCH_N:-100}
	INFO_N=${BENCH_INFO_N:-1000}
	BIG_MB=${BENCH_BIG_MB:-5}
	REPS=${BENCH_REPS:-3}
	FAST_REPS=${BENCH_FAST_REPS:-3}
else
	N=${BENCH_N:-1000}
	INFO_N=${BENCH_INFO_N:-10000}
	BIG_MB=${BENCH_BIG_MB:-200}
	REPS=${BENCH_REPS:-3}
	FAST_REPS=${BENCH_FAST_REPS:-10}
fi
DBS=${BENCH_DBS:-pgsql mariadb}
[ "$INFO_N" -ge "$N" ] || INFO_N=$N

die() {
	echo "bench: $*" >&2
	exit 1
}

note() {
	echo "bench: $*" >&2
}

for tool in psql mariadb awk cc cmake; do
	command -v "$tool" >/dev/null || die "'$tool' is needed"
done

WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dbmigrate-bench.XXXXXX")}
mkdir -p "$WORK"
chmod 755 "$WORK" # the PostgreSQL server runs as its own OS user and must reach its folder
WORK=$(cd "$WORK" && pwd)
# no dbmigrate.yml, migrations/ or rollback/ of the caller's may take part
cd "$WORK"
# The servers' data: in memory when there is room, so that what the machine's
# disk does (other tenants, write-back) does not move one tool's run and not
# the next one's; every tool runs against the same servers either way.
if [ -n "${BENCH_SERVER_DIR:-}" ]; then
	SERVERS=$BENCH_SERVER_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ] &&
	[ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -ge $((8 * 1024 * 1024)) ]; then
	SERVERS=$(mktemp -d /dev/shm/dbmigrate-bench.XXXXXX)
else
	SERVERS=$WORK/servers
fi
mkdir -p "$SERVERS"
chmod 755 "$SERVERS"
RESULTS=$WORK/results.tsv
: >"$RESULTS"
STARTED_PG=
STARTED_MY=

cleanup() {
	[ -n "$STARTED_PG" ] && bash "$ROOT/tests/servers/pgsql.sh" stop "$SERVERS/pg" >/dev/null 2>&1
	[ -n "$STARTED_MY" ] && bash "$ROOT/tests/servers/mariadb.sh" stop "$SERVERS/my" >/dev/null 2>&1
	[ -n "${BENCH_SERVER_DIR:-}" ] || [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$SERVERS"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		note "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools --------------------------------------------------------------------

cc -O2 -Wall -Wextra -o "$WORK/measure" "$HERE/measure.c" || die "cannot build measure.c"
MEASURE=$WORK/measure

if [ -z "${DBMIGRATE:-}" ]; then
	note "building dbmigrate"
	cmake -S "$ROOT" -B "$WORK/build" >"$WORK/build.log" 2>&1 &&
		cmake --build "$WORK/build" -j"$(nproc)" --target dbmigrate >>"$WORK/build.log" 2>&1 ||
		die "build failed, see $WORK/build.log (BENCH_KEEP=1 keeps it)"
	DBMIGRATE=$WORK/build/dbmigrate
fi
[ -x "$DBMIGRATE" ] || die "no dbmigrate at '$DBMIGRATE'"
DBMATE=${DBMATE:-$(command -v dbmate || true)}
if [ -n "$DBMATE" ] && ! "$DBMATE" --version >/dev/null 2>&1; then
	note "'$DBMATE' does not run; going on without dbmate"
	DBMATE=
fi
[ -n "$DBMATE" ] || note "no dbmate (set DBMATE=PATH to include it); going on without it"

# --- data ---------------------------------------------------------------------

gen_data() {
	local t0=$SECONDS
	note "generating $N migrations, $INFO_N info files and a $BIG_MB MiB migration in $WORK"
	rm -rf "$WORK/apply" "$WORK/info" "$WORK/big"
	mkdir -p "$WORK/apply/migrations" "$WORK/apply/dbmate" "$WORK/info/migrations" \
		"$WORK/big/migrations" "$WORK/big/dbmate"
	awk -f "$HERE/gen.awk" -v mode=set -v n="$N" -v real="$N" -v out="$WORK/apply/migrations" \
		-v mate="$WORK/apply/dbmate" -v floor="$WORK/apply/floor"
	awk -f "$HERE/gen.awk" -v mode=set -v n="$INFO_N" -v real="$N" \
		-v out="$WORK/info/migrations"
	awk -f "$HERE/gen.awk" -v mode=big -v mb="$BIG_MB" -v out="$WORK/big/body.sql"
	ln "$WORK/big/body.sql" "$WORK/big/migrations/V1__load_big.sql"
	{
		printf -- '-- migrate:up\n'
		cat "$WORK/big/body.sql"
		printf -- '\n-- migrate:down\n'
	} >"$WORK/big/dbmate/000001_load_big.sql"
	local d
	for d in pgsql mysql; do
		{
			history_ddl $d
			cat "$WORK/apply/floor.$d"
		} >"$WORK/apply/floor.$d.sql"
		{
			history_ddl $d
			printf 'BEGIN;\n'
			cat "$WORK/big/body.sql"
			awk -f "$HERE/gen.awk" -v mode=insert -v dialect=$d
			printf 'COMMIT;\n'
		} >"$WORK/big/floor.$d.sql"
	done
	note "generated in $((SECONDS - t0)) s"
}

# The history table as dbmigrate creates it, for the floor scripts.
history_ddl() {
	if [ "$1" = pgsql ]; then
		cat <<'EOF'
CREATE TABLE "schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    PRIMARY KEY ("installed_rank")
);
CREATE INDEX "schema_history_s_idx" ON "schema_history" ("success");
EOF
	else
		cat <<'EOF'
CREATE TABLE `schema_history` (
    `installed_rank` INT NOT NULL,
    `version` VARCHAR(50),
    `description` VARCHAR(200) NOT NULL,
    `type` VARCHAR(20) NOT NULL,
    `script` VARCHAR(1000) NOT NULL,
    `checksum` INT,
    `installed_by` VARCHAR(100) NOT NULL,
    `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `execution_time` INT NOT NULL,
    `success` BOOL NOT NULL,
    PRIMARY KEY (`installed_rank`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX `schema_history_s_idx` ON `schema_history` (`success`);
EOF
	fi
}

# --- servers and clients ------------------------------------------------------

# Sets the per-database commands: DIALECT, URL_BASE, MATE_URL_BASE, and the
# functions client_file DB FILE, client_select DB, reset_db DB.
use_db() {
	case "$1" in
	pgsql)
		DIALECT=pgsql
		if [ -z "$STARTED_PG" ]; then
			local line
			line=$(bash "$ROOT/tests/servers/pgsql.sh" start "$SERVERS/pg" 2>"$WORK/pg.log") ||
				die "PostgreSQL did not start, see $WORK/pg.log"
			STARTED_PG=${line#DBM_TEST_PG_URL=}
		fi
		URL_BASE=${STARTED_PG%/*}
		MATE_URL_SUFFIX="?sslmode=disable"
		;;
	mariadb)
		DIALECT=mysql
		if [ -z "$STARTED_MY" ]; then
			local line
			line=$(bash "$ROOT/tests/servers/mariadb.sh" start "$SERVERS/my" 2>"$WORK/my.log") ||
				die "MariaDB did not start, see $WORK/my.log"
			STARTED_MY=${line#DBM_TEST_MYSQL_URL=}
			# dbmate sends a whole file as one packet
			mysql_admin -e "SET GLOBAL max_allowed_packet = 1073741824"
		fi
		URL_BASE=${STARTED_MY%/}
		MATE_URL_SUFFIX="?maxAllowedPacket=0"
		;;
	*) die "unknown database '$1' in BENCH_DBS (pgsql, mariadb)" ;;
	esac
}

# mariadb client arguments for database $1 (empty: none), from STARTED_MY.
mysql_args() {
	local rest=${STARTED_MY#mysql://} hostport
	hostport=${rest#*@}
	hostport=${hostport%/}
	echo "--no-defaults --protocol=TCP -h ${hostport%:*} -P ${hostport#*:} -u dbm $1"
}

mysql_admin() {
	# shellcheck disable=SC2046
	MYSQL_PWD=dbm-secret-pw mariadb $(mysql_args "") "$@"
}

reset_db() {
	if [ "$DIALECT" = pgsql ]; then
		PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$STARTED_PG" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
			-c "CREATE DATABASE $1" >/dev/null
	else
		mysql_admin -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"
	fi
}

# The client command that runs a script file on stdin (mariadb) or with -f (psql).
client_cmd() {
	if [ "$DIALECT" = pgsql ]; then
		echo "psql -X -q -v ON_ERROR_STOP=1 -d $URL_BASE/$1"
	else
		echo "mariadb $(mysql_args "$1")"
	fi
}

# The database's own schema dumper, the baseline of the dump case: its name and its command.
dump_tool() {
	if [ "$DIALECT" = pgsql ]; then echo pg_dump; else echo mariadb-dump; fi
}

dump_cmd() {
	if [ "$DIALECT" = pgsql ]; then
		echo "pg_dump --schema-only --no-owner --no-privileges -d $URL_BASE/$1"
	else
		echo "mariadb-dump $(mysql_args "") --no-data --routines --triggers --events --skip-dump-date $1"
	fi
}

# --- measuring ----------------------------------------------------------------

# run CASE TOOL [-i FILE] -- command...: one measured run, appended to RESULTS.
# A failing dbmigrate or floor stops the benchmark; a failing dbmate is recorded.
run() {
	local case=$1 tool=$2 line code wall cpu rss
	shift 2
	line=$(MYSQL_PWD=dbm-secret-pw "$MEASURE" -e "$WORK/last.err" "$@") || die "measure failed"
	read -r code wall cpu rss <<<"$line"
	if [ "$code" != 0 ]; then
		if [ "$tool" = dbmate ]; then
			note "$DB $case: dbmate failed (exit $code): $(tail -n 3 "$WORK/last.err")"
			printf '%s\t%s\t%s\tFAIL\tFAIL\tFAIL\n' "$DB" "$case" "$tool" >>"$RESULTS"
			return 0
		fi
		cat "$WORK/last.err" >&2
		die "$DB $case: $tool failed with exit code $code"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$DB" "$case" "$tool" "$wall" "$cpu" "$rss" >>"$RESULTS"
}

dbm() {
	# $1: database name; the rest: dbmigrate arguments
	local db=$1
	shift
	echo "$DBMIGRATE --url $URL_BASE/$db --quiet $*"
}

mate() {
	local db=$1
	shift
	echo "$DBMATE --url $URL_BASE/$db$MATE_URL_SUFFIX --no-dump-schema $*"
}

# shellcheck disable=SC2046 # the command strings hold no spaces inside arguments
# shellcheck disable=SC2046 # the command strings hold no spaces inside arguments
# One run of tool $2 in case $1 (apply or big) on a fresh database of its own.
run_fresh() {
	local case=$1 tool=$2
	case $tool in
	dbmigrate)
		run "$case" dbmigrate -- $(dbm bench_dbm --migrations "$WORK/$case/migrations" migrate)
		;;
	floor)
		run "$case" floor -i "$WORK/$case/floor.$DIALECT.sql" -- $(client_cmd bench_floor)
		;;
	dbmate)
		run "$case" dbmate -- $(mate bench_dbmate --migrations-dir "$WORK/$case/dbmate" migrate)
		;;
	esac
}

# Runs case $1 REPS times per tool. Each rep first drops and creates every
# tool's database and lets the server settle (dropping a thousand tables
# leaves MariaDB busy for a while), then runs the tools in an order that
# rotates from rep to rep, so no tool always runs first or after another.
bench_fresh() {
	local case=$1 rep i k tools=(dbmigrate floor)
	[ -z "$DBMATE" ] || tools+=(dbmate)
	for rep in $(seq 1 "$REPS"); do
		reset_db bench_dbm
		reset_db bench_floor
		[ -z "$DBMATE" ] || reset_db bench_dbmate
		sleep "${BENCH_SETTLE:-2}"
		for i in "${!tools[@]}"; do
			k=$(((i + rep) % ${#tools[@]}))
			run_fresh "$case" "${tools[$k]}"
		done
	done
}

bench_db() {
	local rep t0
	DB=$1
	use_db "$DB"
	note "$DB: apply $N migrations from empty, $REPS runs per tool"
	bench_fresh apply

	note "$DB: migrate with all $N applied, $FAST_REPS runs per tool"
	printf 'SELECT 1;\n' >"$WORK/select.sql"
	for rep in $(seq 1 "$FAST_REPS"); do
		run noop dbmigrate -- $(dbm bench_dbm --migrations "$WORK/apply/migrations" migrate)
		run noop connect -i "$WORK/select.sql" -- $(client_cmd bench_dbm)
		if [ -n "$DBMATE" ]; then
			run noop dbmate -- $(mate bench_dbmate --migrations-dir "$WORK/apply/dbmate" migrate)
		fi
	done

	note "$DB: dump of the schema the $N migrations built, $FAST_REPS runs per tool"
	for rep in $(seq 1 "$FAST_REPS"); do
		run dump dbmigrate -- $(dbm bench_dbm dump)
		run dump "$(dump_tool)" -- $(dump_cmd bench_dbm)
	done

	t0=$SECONDS
	$(dbm bench_dbm --migrations "$WORK/info/migrations" migrate) ||
		die "$DB: cannot apply the info set"
	note "$DB: info with $INFO_N files (set up in $((SECONDS - t0)) s), $FAST_REPS runs"
	printf 'SELECT * FROM schema_history ORDER BY installed_rank;\n' >"$WORK/history.sql"
	for rep in $(seq 1 "$FAST_REPS"); do
		run info dbmigrate -- $(dbm bench_dbm --migrations "$WORK/info/migrations" info)
		run info files+select -i "$WORK/history.sql" -- sh -c \
			"cat '$WORK/info/migrations'/*.sql >/dev/null && exec $(client_cmd bench_dbm)"
	done

	note "$DB: one $BIG_MB MiB migration, $REPS runs per tool"
	bench_fresh big
	reset_db bench_dbm
	reset_db bench_floor
	[ -z "$DBMATE" ] || reset_db bench_dbmate
}

bench_version() {
	local rep
	DB=local
	for rep in $(seq 1 "$FAST_REPS"); do
		run version dbmigrate -- "$DBMIGRATE" version
		run version "psql --version" -- psql --version
	done
}

# --- report -------------------------------------------------------------------

machine() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
	echo "machine: $(nproc) cores${cpu:+, $cpu}, $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r)"
	echo "dbmigrate: $("$DBMIGRATE" version | head -n 1)"
	[ -z "$STARTED_PG" ] || echo "PostgreSQL: $(psql -X -At -d "$STARTED_PG" -c 'SHOW server_version')"
	[ -z "$STARTED_MY" ] || echo "MariaDB: $(mysql_admin -N -e 'SELECT VERSION()')"
	[ -z "$DBMATE" ] || echo "dbmate: $("$DBMATE" --version)"
	echo "server data: $SERVERS ($(df -P "$SERVERS" | awk 'NR == 2 { print $1 }'))"
	echo "sizes: N=$N, info files=$INFO_N, big=$BIG_MB MiB; runs: $REPS (apply, big), $FAST_REPS (noop, info, version)"
}

report() {
	awk -F'\t' -v n="$N" -v info_n="$INFO_N" '
	function median(key,    k, m, i, j, t, v) {
		m = cnt[key]
		for (i = 1; i <= m; i++)
			v[i] = vals[key, i]
		for (i = 2; i <= m; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
	}
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in seen)) {
			seen[k] = 1
			dc = $1 SUBSEP $2
			if (!(dc in ntools))
				cases[++ncases] = dc
			tools[dc, ++ntools[dc]] = $3
		}
		if ($4 == "FAIL") {
			failed[k] = 1
			next
		}
		cnt[k "w"]++; vals[k "w", cnt[k "w"]] = $4
		cnt[k "c"]++; vals[k "c", cnt[k "c"]] = $5
		if ($6 > rss[k])
			rss[k] = $6
		runs[k]++
	}
	END {
		base["apply"] = "floor"; base["noop"] = "connect"; base["big"] = "floor"
		base["info"] = "files+select"; base["version"] = "psql --version"
		target["apply"] = 1.10; target["noop"] = 1.50; target["big"] = 1.05
		target["dump"] = 2.00
		printf "%-8s %-8s %-14s %5s %10s %10s %9s %8s\n", "db", "case", "tool", "runs",
		       "wall s", "cpu s", "peak MiB", "ratio"
		# dbmigrate first, then the baseline, then the others
		for (c = 1; c <= ncases; c++) {
			split(cases[c], p, SUBSEP)
			norder = 0
			for (pass = 1; pass <= 3; pass++)
				for (t = 1; t <= ntools[cases[c]]; t++) {
					tool = tools[cases[c], t]
					is = tool == "dbmigrate" ? 1 : tool == basefor(p[1], p[2]) ? 2 : 3
					if (is == pass)
						order[++norder] = cases[c] SUBSEP tool
				}
			for (o = 1; o <= norder; o++)
				emit(order[o])
		}
		print ""
		print "targets (dbmigrate, wall-time ratio of medians to the baseline):"
		for (i = 1; i <= nv; i++)
			print "  " verdict[i]
	}
	# the baseline tool of a case; for dump, the dumper of the database
	function basefor(db, c) {
		if (c == "dump")
			return db == "pgsql" ? "pg_dump" : "mariadb-dump"
		return base[c]
	}
	function emit(k,    p, w, c, bk, ratio, r) {
			split(k, p, SUBSEP)
			if (failed[k] && !runs[k]) {
				printf "%-8s %-8s %-14s %5s %10s\n", p[1], p[2], p[3], "-", "failed"
				return
			}
			w = median(k "w"); c = median(k "c")
			bk = p[1] SUBSEP p[2] SUBSEP basefor(p[1], p[2])
			ratio = ""
			if (bk != k && (bk "w") in cnt && median(bk "w") > 0)
				ratio = sprintf("%.2fx", w / median(bk "w"))
			printf "%-8s %-8s %-14s %5d %10.3f %10.3f %9.1f %8s\n", p[1], p[2], p[3],
			       runs[k], w, c, rss[k] / 1024, ratio
			if (p[3] == "dbmigrate") {
				if (p[2] == "info")
					printf "%-8s %-8s %-14s %5s %10.1f us per file\n", "", "", "", "",
					       w / info_n * 1e6
				if (p[2] in target && ratio != "") {
					r = w / median(bk "w")
					verdict[++nv] = sprintf("%s %s: %.2fx %s (target <= %.2fx)", p[1],
						p[2], r, r <= target[p[2]] ? "met" : "NOT MET", target[p[2]])
				}
				verdict[++nv] = sprintf("%s %s: peak RSS %.1f MiB %s (target <= 16 MiB)",
					p[1], p[2], rss[k] / 1024, rss[k] <= 16384 ? "met" : "NOT MET")
			}
	}' "$RESULTS"
}

# --- main ---------------------------------------------------------------------

T0=$SECONDS
gen_data
for DB in $DBS; do
	bench_db "$DB"
done
bench_version
echo
echo "command: ${BENCH_QUICK:+BENCH_QUICK=$BENCH_QUICK }bash bench/run.sh ($((SECONDS - T0)) s)"
machine
echo
report
cp "$RESULTS" "${BENCH_RESULTS:-/dev/null}" 2>/dev/null || true
