#!/usr/bin/env bash
# mariadb.sh - a throwaway MariaDB server for the MySQL driver's tests.
#
#   tests/servers/mariadb.sh start DIR   initialise DIR, start the server on a free
#                                        loopback port, print DBM_TEST_MYSQL_URL=...
#   tests/servers/mariadb.sh stop DIR    shut it down (mariadb-admin, then the pid)
#
# Everything lives under DIR: data, socket, pid file, error log. The server
# binds to 127.0.0.1 only. The test user dbm/dbm-secret-pw has every privilege
# from 127.0.0.1 and localhost; tests create their own databases.
set -euo pipefail

DBM_MYSQL_USER=dbm
DBM_MYSQL_PASSWORD=dbm-secret-pw

die() {
	echo "mariadb.sh: $*" >&2
	exit 1
}

# port_is_free PORT: true when nothing accepts connections on 127.0.0.1:PORT.
port_is_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: prints a port in 20000-59999 that nothing listens on.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if port_is_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

# os_user: the OS user the server runs as (root may run it with --user=root).
os_user() {
	id -un
}

start() {
	local dir=$1 port user i
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -e "$dir/mariadbd.pid" ] && die "a server seems to run in '$dir' already (stop it first)"
	user=$(os_user)
	port=$(free_port)
	rm -rf "$dir/data"
	mkdir -p "$dir/data" "$dir/tmp"
	cat >"$dir/my.cnf" <<EOF
[mariadbd]
user = $user
datadir = $dir/data
tmpdir = $dir/tmp
port = $port
bind-address = 127.0.0.1
socket = $dir/mariadbd.sock
pid-file = $dir/mariadbd.pid
log-error = $dir/error.log
skip-log-bin
skip-name-resolve
innodb_buffer_pool_size = 64M
innodb_log_file_size = 16M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
performance_schema = OFF
event_scheduler = OFF
max_connections = 200
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
EOF
	mariadb-install-db --defaults-file="$dir/my.cnf" --datadir="$dir/data" --user="$user" \
		--auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
		die "mariadb-install-db failed, see '$dir/install.log'"
	/usr/sbin/mariadbd --defaults-file="$dir/my.cnf" </dev/null >>"$dir/error.log" 2>&1 &
	echo $! >"$dir/launcher.pid"
	for i in $(seq 1 600); do
		if mariadb-admin --no-defaults --socket="$dir/mariadbd.sock" -uroot ping \
			>/dev/null 2>&1; then
			break
		fi
		if ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
			die "the server exited during start-up, see '$dir/error.log'"
		fi
		sleep 0.1
	done
	mariadb --no-defaults --socket="$dir/mariadbd.sock" -uroot <<EOF ||
CREATE USER '$DBM_MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$DBM_MYSQL_PASSWORD';
CREATE USER '$DBM_MYSQL_USER'@'localhost' IDENTIFIED BY '$DBM_MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DBM_MYSQL_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$DBM_MYSQL_USER'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
EOF
		die "cannot create the test user, see '$dir/error.log'"
	echo "DBM_TEST_MYSQL_URL=mysql://$DBM_MYSQL_USER:$DBM_MYSQL_PASSWORD@127.0.0.1:$port/"
}

stop() {
	local dir=$1 pid i
	[ -d "$dir" ] || die "no such directory '$dir'"
	pid=
	[ -s "$dir/mariadbd.pid" ] && pid=$(cat "$dir/mariadbd.pid")
	[ -z "$pid" ] && [ -s "$dir/launcher.pid" ] && pid=$(cat "$dir/launcher.pid")
	if [ -S "$dir/mariadbd.sock" ]; then
		mariadb-admin --no-defaults --socket="$dir/mariadbd.sock" -uroot \
			--shutdown-timeout=20 shutdown >/dev/null 2>&1 || true
	fi
	if [ -n "$pid" ]; then
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			[ "$i" = 50 ] && kill "$pid" 2>/dev/null
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$dir/mariadbd.pid" "$dir/launcher.pid"
	return 0
}

case "${1:-}" in
start)
	[ $# -eq 2 ] || die "usage: mariadb.sh start DIR"
	start "$2"
	;;
stop)
	[ $# -eq 2 ] || die "usage: mariadb.sh stop DIR"
	stop "$2"
	;;
*)
	die "usage: mariadb.sh start|stop DIR"
	;;
esac
