#!/usr/bin/env bash
# fuzz.sh - build every libFuzzer target in tests/fuzz/ with clang
# (-fsanitize=fuzzer,address,undefined) and run each for a bounded time.
#
#   scripts/fuzz.sh [TARGET...]   targets are names like sqlsplit, config, argv
#                                 (default: every tests/fuzz/fuzz_*.c)
#   FUZZ_SECONDS=30               seconds per target (0: only replay the
#                                 regression inputs and seeds)
#   FUZZ_JOBS=1                   parallel fuzzing processes per target
#   FUZZ_OUT=build/fuzz           binaries, corpora and crashing inputs
#
# Each target first replays tests/fuzz/regressions/<target>/ (inputs that
# once crashed or are known to be tricky) and its seeds, then fuzzes with
# the corpus kept in $FUZZ_OUT/corpus/<target> (so longer runs build on
# earlier ones). A crash stops the target, keeps the input as
# $FUZZ_OUT/crashes/<target>-crash-<hash> and makes the script exit 1: copy
# the input to tests/fuzz/regressions/<target>/ with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-1}
out=${FUZZ_OUT:-build/fuzz}
cc=${FUZZ_CC:-clang}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz.sh: $cc not found; install clang to fuzz" >&2
	exit 1
fi
mkdir -p "$out/bin" "$out/crashes" "$out/corpus" "$out/seeds"
libs=$(pkg-config --libs yaml-0.1 zlib nettle)

# Seeds per target, from the fixtures and the sample migrations.
seed() { # seed TARGET -> prints the seed folder
	local t=$1 dir="$out/seeds/$1" f
	rm -rf "$dir"
	mkdir -p "$dir"
	case $t in
	sqlsplit)
		find tests/fixtures migrations rollback -name '*.sql' -size -64k -exec cp {} "$dir/" \;
		;;
	config)
		find tests/fixtures -name '*.yml' -exec cp {} "$dir/" \; 2>/dev/null || true
		# Flyway's files are read when their first line says so (flyway. or [)
		cp docs/examples/flyway/flyway.toml "$dir/flyway-toml" 2>/dev/null || true
		grep -v '^#' docs/examples/flyway/flyway.conf >"$dir/flyway-conf" 2>/dev/null || true
		;;
	filename)
		for f in $(find migrations rollback tests/fixtures -name '*.sql' | head -n 200); do
			printf '%s\n%s' "$(basename "$f")" "$(basename "$f" | sed -n 's/^[VU]\([0-9._]*\)__.*/\1/p')" \
				>"$dir/$(basename "$f")"
		done
		;;
	argv)
		# Command lines as NUL-separated arguments: each command with each of its forms.
		printf 'migrate\0--target\0005\0--dry-run' >"$dir/migrate"
		printf -- '--version\0migrate' >"$dir/version-first"
		printf 'baseline\0--version=2.1\0--description\0x' >"$dir/baseline"
		printf 'rollback\0--steps\0002\0-qv\0--url=postgres://u:p@h/d' >"$dir/rollback"
		printf 'help\0new' >"$dir/help"
		printf 'info\0-json' >"$dir/one-dash"
		printf 'new\0--\0-x' >"$dir/new"
		printf -- '--placeholder\0a=b\0--env\0dev\0up' >"$dir/other-tool"
		;;
	placeholder)
		for f in tests/fixtures/files/*.sql migrations/*.sql; do
			{ printf 'app_user=ticket_app\nschema=public\n\n'; cat "$f"; } >"$dir/$(basename "$f")"
		done
		;;
	props)
		find tests/fixtures docs/examples -name '*.conf' -size -64k -exec cp {} "$dir/" \; 2>/dev/null || true
		printf 'flyway.url = jdbc:postgresql://db:5432/app?sslmode=require&ApplicationName=x\n' >"$dir/url"
		printf 'a\\\n  b=\\u00e9\\uD83D\\uDE00\r\n! c\n#d\\\ne:f\n' >"$dir/escapes"
		;;
	toml)
		find tests/fixtures docs/examples -name '*.toml' -size -64k -exec cp {} "$dir/" \; 2>/dev/null || true
		printf '[environments.dev]\nurl = "jdbc:sqlite:a.db"\nschemas = ["a",\n  '"'"'b'"'"', # c\n]\n' >"$dir/env"
		printf '[flyway]\nplaceholders = { a = "\\u00e9", b.c = 1_000 }\nx = true\n' >"$dir/inline"
		;;
	esac
	echo "$dir"
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		t=$(basename "$f" .c)
		targets+=("${t#fuzz_}")
	done
fi

status=0
for t in "${targets[@]}"; do
	src=tests/fuzz/fuzz_$t.c
	bin=$out/bin/fuzz_$t
	[ -f "$src" ] || { echo "fuzz.sh: no $src" >&2; exit 2; }
	echo "== fuzz_$t: building"
	extra=()
	if [ "$t" = argv ]; then
		# The parser and the command table, with stand-ins for the commands' functions
		# (named by the table; the parser never calls them).
		stubs=$out/argv_stubs.c
		{
			echo '#include <stdlib.h>'
			echo '#include "cmd/cmd.h"'
			for f in $(grep -o 'dbm_cmd_[a-z_]*' src/cmd/table.c | sort -u); do
				echo "int $f(const struct dbm_config *c, const struct dbm_cmd_args *a)"
				echo '{ (void)c; (void)a; abort(); }'
			done
		} >"$stubs"
		extra=(-Isrc src/cmd/args.c src/cmd/table.c src/cmd/help.c "$stubs")
	fi
	"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-D_POSIX_C_SOURCE=200809L -Iinclude src/core/*.c "${extra[@]}" "$src" $libs -o "$bin"
	seeds=$(seed "$t")
	corpus=$out/corpus/$t
	mkdir -p "$corpus"
	regressions=()
	if [ -d "tests/fuzz/regressions/$t" ]; then
		mapfile -t regressions < <(find "tests/fuzz/regressions/$t" -type f)
	fi
	log=$out/fuzz_$t.log
	echo "== fuzz_$t: replaying ${#regressions[@]} regression inputs, then fuzzing ${seconds}s"
	if [ ${#regressions[@]} -gt 0 ] && ! "$bin" "${regressions[@]}" >"$log" 2>&1; then
		tail -n 40 "$log"
		echo "fuzz.sh: fuzz_$t crashes on a regression input (log: $log)" >&2
		status=1
		continue
	fi
	parallel=()
	if [ "$jobs" -gt 1 ]; then
		parallel=(-jobs="$jobs" -workers="$jobs")
	fi
	if [ "$seconds" -gt 0 ]; then
		if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${parallel[@]}" \
			-artifact_prefix="$out/crashes/$t-" "$corpus" "$seeds" >"$log" 2>&1; then
			tail -n 40 "$log"
			echo "fuzz.sh: fuzz_$t found a crash, input kept in $out/crashes/ (log: $log)" >&2
			status=1
			continue
		fi
	else
		"$bin" -runs=0 "$corpus" "$seeds" >"$log" 2>&1 || status=1
	fi
	grep -E '^Done|stat::number_of_executed_units' "$log" | tail -n 1 || true
done
exit $status
