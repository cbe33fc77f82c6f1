#!/usr/bin/env bash
# pgbouncer.sh - a throwaway PgBouncer in transaction pooling mode in front of
# the test PostgreSQL, for the tests of dbmigrate through a pooler.
#
#   tests/servers/pgbouncer.sh start DIR URL   start a PgBouncer whose ini, pid file and log
#                                              live in DIR, forwarding every database to the
#                                              server of URL (postgres://user@127.0.0.1:PORT/db,
#                                              what pgsql.sh prints); print one line
#                                              DBM_TEST_PGBOUNCER_URL=postgres://postgres@127.0.0.1:PORT/postgres
#                                              once it accepts connections
#   tests/servers/pgbouncer.sh stop DIR        stop it (SIGTERM, then SIGKILL)
#
# It listens on 127.0.0.1 only, on a free port below 32768 (the ephemeral range
# above may collide with client sockets of other tests), with trust
# authentication, pool_mode = transaction and only 2 server connections per
# database and user, so that concurrent clients do share server sessions: a
# session-level advisory lock, a SET or a named prepared statement does not
# survive from one transaction to the next, as in production. PgBouncer refuses
# to run as root, so as root it runs as the "postgres" OS user. Both commands
# are idempotent; everything but the URL line goes to stderr.
set -u

PGUSER_OS=postgres
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer 2>/dev/null || echo /usr/sbin/pgbouncer)}

die() {
	echo "pgbouncer.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: pgbouncer.sh start DIR URL | stop DIR" >&2
	exit 2
}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a port in 20000-32767 that nothing listens on.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12768))
		if ! port_busy "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

running_pid() {
	local pid
	[ -f "$DIR/pgbouncer.pid" ] || return 1
	pid=$(head -n 1 "$DIR/pgbouncer.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

cmd_start() {
	local url=$1 hostport pgport port attempt i

	[ -x "$PGBOUNCER" ] || die "pgbouncer is not installed (scripts/deps.sh test installs it)"
	hostport=${url#*://}
	hostport=${hostport#*@}
	hostport=${hostport%%/*}
	pgport=${hostport##*:}
	case "$pgport" in
	'' | *[!0-9]*) die "cannot read the server's port from '$url'" ;;
	esac
	if [ "$(id -u)" = 0 ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /bin/false "$PGUSER_OS" >&2 ||
			die "cannot create the '$PGUSER_OS' OS user"
	fi
	mkdir -p "$DIR" || die "cannot create '$DIR'"
	chmod 755 "$DIR"
	[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$DIR"

	if running_pid >/dev/null && [ -f "$DIR/port" ]; then
		echo "DBM_TEST_PGBOUNCER_URL=postgres://postgres@127.0.0.1:$(cat "$DIR/port")/postgres"
		return 0
	fi
	cmd_stop

	echo '"postgres" ""' >"$DIR/userlist.txt"
	for attempt in 1 2 3 4 5; do
		port=$(free_port) || die "no free port found"
		cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$pgport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
max_db_connections = 4
server_check_delay = 0
ignore_startup_parameters = extra_float_digits,options,application_name,search_path
pidfile = $DIR/pgbouncer.pid
logfile = $DIR/pgbouncer.log
EOF
		: >"$DIR/pgbouncer.log"
		[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$DIR/pgbouncer.ini" "$DIR/userlist.txt" "$DIR/pgbouncer.log"
		as_pg "$PGBOUNCER" -d -q "$DIR/pgbouncer.ini" >&2 2>>"$DIR/pgbouncer.log"
		for i in $(seq 1 50); do
			if running_pid >/dev/null && port_busy "$port"; then
				echo "$port" >"$DIR/port"
				echo "DBM_TEST_PGBOUNCER_URL=postgres://postgres@127.0.0.1:$port/postgres"
				return 0
			fi
			sleep 0.1
		done
		tail -n 5 "$DIR/pgbouncer.log" >&2
		cmd_stop
	done
	die "PgBouncer did not start; see $DIR/pgbouncer.log"
}

cmd_stop() {
	local pid i

	pid=$(running_pid) || {
		rm -f "$DIR/pgbouncer.pid"
		return 0
	}
	# SIGTERM: immediate shutdown (SIGINT would wait for the clients to finish)
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$i" = 30 ] && kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && die "cannot stop PgBouncer (pid $pid)"
	rm -f "$DIR/pgbouncer.pid"
	return 0
}

[ $# -ge 2 ] || usage
DIR=$2
case "$DIR" in
/*) ;;
*) DIR="$(pwd)/$DIR" ;;
esac

case "$1" in
start)
	[ $# -eq 3 ] || usage
	cmd_start "$3"
	;;
stop)
	[ $# -eq 2 ] || usage
	cmd_stop
	;;
*) usage ;;
esac
