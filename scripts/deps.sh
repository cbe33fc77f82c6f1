#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages dbmigrate needs that are missing.
#   scripts/deps.sh build   what building and running needs
#   scripts/deps.sh test    that, plus the servers and tools the test suite uses
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

# The -dev packages bring the runtime libraries too: libpq5 and libsqlite3-0, which dbmigrate loads
# when a PostgreSQL, MySQL or SQLite URL is first used.
build_pkgs=(gcc make cmake pkg-config libpq-dev default-libmysqlclient-dev libsqlite3-dev
	libyaml-dev zlib1g-dev libjansson-dev nettle-dev)
# scdoc writes the manual pages (a plain build does without them); man-db, the shells and dpkg-dev
# let the tests read the pages, run the completions and build and check the .deb; mandoc lints the
# pages; tmux gives the progress and completion tests a terminal; pgbouncer runs in front of the
# test PostgreSQL in the pooler tests.
test_pkgs=(libcmocka-dev postgresql mariadb-server mariadb-client galera-4 rsync pgbouncer clang libclang-rt-dev
	clang-tidy clang-format cppcheck valgrind
	sqlite3 procps iproute2 python3
	scdoc man-db mandoc zsh fish tmux dpkg-dev file binutils)

want=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "dbmigrate: these packages are missing; install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "dbmigrate: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# The servers' packages try to start services; on machines without a service manager that fails
# harmlessly, and the tests start their own servers anyway.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
