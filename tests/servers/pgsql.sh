#!/usr/bin/env bash
# pgsql.sh - a throwaway PostgreSQL server for the integration tests.
#
#   tests/servers/pgsql.sh start DIR   initialise (if needed) and start a server whose
#                                      data, socket and log live in DIR; print one line
#                                      DBM_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres
#                                      on stdout once it accepts connections
#   tests/servers/pgsql.sh standby DIR URL
#                                      make (if needed) and start a streaming hot standby of
#                                      the server at URL (what start printed): its data is a
#                                      pg_basebackup -R of that server; print one line
#                                      DBM_TEST_PG_STANDBY_URL=postgres://postgres@127.0.0.1:PORT/postgres
#                                      once it accepts connections (read-only ones)
#   tests/servers/pgsql.sh stop DIR    stop it (fast shutdown, then by pid)
#
# The server listens on 127.0.0.1 only, on a free port, with trust
# authentication (except for members of the role dbm_password_required, who
# must give their password: the tests of wrong passwords need a server that
# checks them), fsync off and 100 connections. PostgreSQL refuses to run as
# root, so when run as root the server runs as the "postgres" OS user (made
# with useradd when missing). Both commands are idempotent and cope with a DIR
# left half-created by an interrupted run. Everything but the URL line goes to
# stderr.
set -u

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/pg_ctl" ] || PGBIN=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
PGUSER_OS=postgres

die() {
	echo "pgsql.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: pgsql.sh start|stop DIR | standby DIR PRIMARY_URL" >&2
	exit 2
}

# Runs a command as the server's OS user (directly when not root).
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$PGUSER_OS" -- "$@"
	else
		"$@"
	fi
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a port in 20000-32767 that nothing listens on (below the ephemeral range, where a
# client socket of another test may hold the port).
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

# Succeeds when the server in $DIR answers on its port.
server_ready() {
	"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres -t 2 >/dev/null 2>&1
}

# Prints the pid of a running postmaster for $DATA, or fails.
running_pid() {
	local pid
	[ -f "$DATA/postmaster.pid" ] || return 1
	pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

prepare_user() {
	[ "$(id -u)" = 0 ] || return 0
	if ! id "$PGUSER_OS" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /bin/false "$PGUSER_OS" >&2 ||
			die "cannot create the '$PGUSER_OS' OS user"
	fi
}

# Members of dbm_password_required log in with a password (first matching line wins).
require_passwords() {
	local hba="$DATA/pg_hba.conf"
	grep -q 'dbm_password_required' "$hba" 2>/dev/null && return 0
	{
		echo "host all +dbm_password_required 127.0.0.1/32 scram-sha-256"
		echo "host all +dbm_password_required ::1/128 scram-sha-256"
		cat "$hba"
	} >"$hba.new" && mv "$hba.new" "$hba" || die "cannot write $hba"
	[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$hba"
	chmod 600 "$hba"
}

cmd_start() {
	local port pid attempt

	prepare_user
	mkdir -p "$DIR" || die "cannot create '$DIR'"
	chmod 755 "$DIR"
	mkdir -p "$SOCK"
	if [ "$(id -u)" = 0 ]; then
		chown "$PGUSER_OS" "$DIR" "$SOCK"
	fi

	# Already running: report it again.
	if pid=$(running_pid) && [ -f "$DIR/port" ]; then
		port=$(cat "$DIR/port")
		if server_ready "$port"; then
			echo "$URLVAR=postgres://postgres@127.0.0.1:$port/postgres"
			return 0
		fi
	fi
	# A stale or half-started server: stop it before starting afresh.
	if running_pid >/dev/null; then
		cmd_stop
	fi

	# A standby's data directory is a base backup of its primary, taken afresh.
	if [ -n "$PRIMARY" ]; then
		standby_backup
	# A data directory without PG_VERSION was left by an interrupted initdb.
	elif [ ! -f "$DATA/PG_VERSION" ]; then
		rm -rf "$DATA"
		mkdir -p "$DATA"
		[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$DATA"
		chmod 700 "$DATA"
		as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
			>"$DIR/initdb.log" 2>&1 || {
			cat "$DIR/initdb.log" >&2
			die "initdb failed"
		}
	fi
	rm -f "$DATA/postmaster.pid"
	[ -n "$PRIMARY" ] || require_passwords

	for attempt in 1 2 3 4 5; do
		port=$(free_port) || die "no free port found"
		: >"$DIR/server.log"
		[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$DIR/server.log"
		if as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
			start >&2; then
			echo "$port" >"$DIR/port"
			if server_ready "$port"; then
				echo "$URLVAR=postgres://postgres@127.0.0.1:$port/postgres"
				return 0
			fi
		fi
		# Port taken between the probe and the bind, or a slow start: try again.
		tail -n 5 "$DIR/server.log" >&2
		cmd_stop
	done
	die "the server did not start; see $DIR/server.log"
}

# Replaces $DATA with a base backup of the server at $PRIMARY, set up to stream from it (-R).
standby_backup() {
	local hostport pport
	hostport=${PRIMARY#*://}
	hostport=${hostport#*@}
	hostport=${hostport%%/*}
	pport=${hostport##*:}
	case "$pport" in
	'' | *[!0-9]*) die "cannot read the primary's port from '$PRIMARY'" ;;
	esac
	rm -rf "$DATA"
	mkdir -p "$DATA"
	[ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$DATA"
	chmod 700 "$DATA"
	as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$pport" -U postgres -D "$DATA" -R -X stream -c fast \
		>"$DIR/basebackup.log" 2>&1 || {
		cat "$DIR/basebackup.log" >&2
		die "pg_basebackup from port $pport failed"
	}
}

cmd_stop() {
	local pid i

	[ -d "$DATA" ] || return 0
	pid=$(running_pid) || {
		rm -f "$DATA/postmaster.pid"
		return 0
	}
	as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 20 stop >&2 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$i" = 30 ] && kill -TERM "$pid" 2>/dev/null
		[ "$i" = 40 ] && kill -KILL "$pid" 2>/dev/null
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && die "cannot stop the server (pid $pid)"
	rm -f "$DATA/postmaster.pid"
	return 0
}

[ $# -ge 2 ] || usage
DIR=$2
PRIMARY=
URLVAR=DBM_TEST_PG_URL
case "$DIR" in
/*) ;;
*) DIR="$(pwd)/$DIR" ;;
esac
DATA="$DIR/data"
SOCK="$DIR/sock"

case "$1" in
start)
	[ $# -eq 2 ] || usage
	cmd_start
	;;
standby)
	[ $# -eq 3 ] || usage
	PRIMARY=$3
	URLVAR=DBM_TEST_PG_STANDBY_URL
	cmd_start
	;;
stop)
	[ $# -eq 2 ] || usage
	cmd_stop
	;;
*) usage ;;
esac
