#!/usr/bin/env bash
# analyze.sh - the static analysers and valgrind over the code base.
#
#   cppcheck    warnings, performance and portability over src/ (false
#               positives suppressed below, each with its reason)
#   clang-tidy  the checks in .clang-tidy over src/, using the compile
#               commands of build/test (scripts/test.sh exports them; run it
#               or configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON first)
#   clang-format  every C file of the tree follows .clang-format (checked,
#               not rewritten: `clang-format -i FILE` fixes one)
#   valgrind    the dbmigrate binary of build/test on SQLite: migrate, info
#               --json, validate, rollback --to 0 and a failing migration,
#               with --error-exitcode=99 --leak-check=full
# Exits 1 when any of them reports a problem. ANALYZE_BUILD overrides build/test.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${ANALYZE_BUILD:-build/test}
status=0

echo "== cppcheck"
# Suppressed false positives:
# - nullPointer in plan.c: plan_fill_item() is never called with both its
#   row and its file NULL, and reads the row only when the file is NULL
# - uninitStructMember in run.c: the saved error is written and read under
#   the same condition (status < 0)
# - ctuuninitvar in scan.c: scan_list_free() reads only the items and the
#   count, which dbm_fileset_free() sets
if ! cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr -q \
	-D_POSIX_C_SOURCE=200809L -Iinclude -Isrc \
	--suppress=nullPointer:src/core/plan.c \
	--suppress=uninitStructMember:src/runner/run.c \
	--suppress=ctuuninitvar:src/core/scan.c \
	src; then
	echo "analyze.sh: cppcheck found problems" >&2
	status=1
fi

echo "== clang-tidy"
if [ ! -f "$build/compile_commands.json" ]; then
	echo "analyze.sh: no $build/compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)" >&2
	status=1
elif ! run-clang-tidy -quiet -p "$build" "$PWD/src/" >"$build/clang-tidy.log" 2>&1; then
	grep -E '(warning|error):' "$build/clang-tidy.log" | sed 's/\x1b\[[0-9;]*m//g' >&2
	echo "analyze.sh: clang-tidy found problems (log: $build/clang-tidy.log)" >&2
	status=1
else
	grep -c 'warning:' "$build/clang-tidy.log" | sed 's/^/clang-tidy warnings (not errors): /'
fi

echo "== clang-format"
# The tree's C files, tests' fixtures excepted (they are inputs, not code of ours).
mapfile -t cfiles < <(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^tests/fixtures/' ||
	find src include tools tests bench -name '*.[ch]' -not -path 'tests/fixtures/*')
unformatted=()
for f in "${cfiles[@]}"; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		unformatted+=("$f")
	fi
done
if [ "${#unformatted[@]}" -gt 0 ]; then
	printf '  %s\n' "${unformatted[@]}" >&2
	echo "analyze.sh: these files do not follow .clang-format (clang-format -i FILE fixes them)" >&2
	status=1
fi

echo "== valgrind"
bin=$PWD/$build/dbmigrate
work=$(mktemp -d "${TMPDIR:-/tmp}/dbmigrate-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R migrations rollback "$work/"
vg() { # vg EXPECTED_EXIT ARGS...: run under valgrind, check its exit code
	local want=$1 got
	shift
	(cd "$work" && valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$bin" "$@" >"$work/out" 2>"$work/err")
	got=$?
	if [ "$got" != "$want" ]; then
		cat "$work/err" >&2
		echo "analyze.sh: valgrind dbmigrate $* exited $got, want $want" >&2
		status=1
	else
		echo "ok: dbmigrate $* (exit $got)"
	fi
}
if [ ! -x "$bin" ]; then
	echo "analyze.sh: no $bin: build it first" >&2
	status=1
else
	vg 0 migrate
	vg 0 --json info
	vg 0 validate
	vg 0 rollback --to 0
	printf 'CREATE TABLE broken (id INT);\nSELECT * FROM no_such_table;\n' \
		>"$work/migrations/V99__broken.sql"
	vg 1 migrate
fi
exit $status
