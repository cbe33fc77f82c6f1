#!/usr/bin/env bash
# galera.sh - a throwaway three-node MariaDB Galera cluster on loopback, for the
# MySQL driver's cluster lock tests.
#
#   tests/servers/galera.sh start DIR   start nodes DIR/node1..3, print
#                                       DBM_TEST_GALERA_URLS=url1 url2 url3
#   tests/servers/galera.sh stop DIR    stop them (node 3 first)
#
# Node 1 is initialised and bootstraps the cluster (--wsrep-new-cluster);
# nodes 2 and 3 join one after the other and receive their data by rsync SST.
# Each node has its own SQL, group-communication, IST and SST port, all free
# and distinct. start returns once every node is Synced and the cluster size
# is 3. Needs the galera-4 and rsync packages.
set -euo pipefail

DBM_MYSQL_USER=dbm
DBM_MYSQL_PASSWORD=dbm-secret-pw
PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}

die() {
	echo "galera.sh: $*" >&2
	exit 1
}

port_is_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_ports N: prints N distinct free ports in 20000-59999.
free_ports() {
	local want=$1 got=() p i dup q
	for i in $(seq 1 2000); do
		[ ${#got[@]} -ge "$want" ] && break
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		dup=0
		for q in "${got[@]}"; do [ "$q" = "$p" ] && dup=1; done
		[ $dup = 0 ] && port_is_free "$p" && got+=("$p")
	done
	[ ${#got[@]} -ge "$want" ] || die "not enough free ports"
	echo "${got[@]}"
}

# os_user: the OS user the nodes run as. Not root: the rsync daemon of the state
# transfer, started by root, would drop to 'nobody' and could not write the data.
os_user() {
	if [ "$(id -u)" = 0 ] && id mysql >/dev/null 2>&1; then
		echo mysql
	else
		id -un
	fi
}

# sql NODEDIR SQL...: runs SQL as root through the node's socket.
sql() {
	local d=$1
	shift
	mariadb --no-defaults --socket="$d/mariadbd.sock" -uroot -N -B -e "$*"
}

# wait_synced NODEDIR PID: waits until the node reports Synced.
wait_synced() {
	local d=$1 pid=$2 i state
	for i in $(seq 1 1800); do
		state=$(sql "$d" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null |
			cut -f2) || true
		[ "$state" = "Synced" ] && return 0
		kill -0 "$pid" 2>/dev/null || die "node '$d' exited during start-up, see '$d/error.log'"
		sleep 0.1
	done
	die "node '$d' did not reach Synced, see '$d/error.log'"
}

start() {
	local dir=$1 user ports i n d cluster extra pid urls
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -e "$dir/node1/mariadbd.pid" ] && die "a cluster seems to run in '$dir' already"
	[ -r "$PROVIDER" ] || die "no Galera provider at '$PROVIDER' (install galera-4)"
	command -v rsync >/dev/null || die "rsync is needed for the state transfer"
	user=$(os_user)
	# shellcheck disable=SC2207
	ports=($(free_ports 12))
	cluster="gcomm://127.0.0.1:${ports[1]},127.0.0.1:${ports[5]},127.0.0.1:${ports[9]}"
	for n in 1 2 3; do
		d="$dir/node$n"
		i=$(((n - 1) * 4))
		rm -rf "$d"
		mkdir -p "$d/data" "$d/tmp"
		cat >"$d/my.cnf" <<EOF
[mariadbd]
user = $user
datadir = $d/data
tmpdir = $d/tmp
port = ${ports[$i]}
bind-address = 127.0.0.1
socket = $d/mariadbd.sock
pid-file = $d/mariadbd.pid
log-error = $d/error.log
skip-log-bin
skip-name-resolve
performance_schema = OFF
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
default_storage_engine = InnoDB
innodb_buffer_pool_size = 64M
innodb_log_file_size = 16M
innodb_flush_log_at_trx_commit = 0
innodb_autoinc_lock_mode = 2
binlog_format = ROW
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = dbm_test_cluster
wsrep_cluster_address = $cluster
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:${ports[$((i + 1))]}
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:${ports[$((i + 1))]};ist.recv_addr=127.0.0.1:${ports[$((i + 2))]};gcache.size=32M"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:${ports[$((i + 3))]}
EOF
		echo "${ports[$i]}" >"$d/sql.port"
		if [ "$user" != "$(id -un)" ]; then
			chmod 755 "$dir"
			chown -R "$user" "$d"
		fi
	done
	mariadb-install-db --defaults-file="$dir/node1/my.cnf" --datadir="$dir/node1/data" \
		--user="$user" --auth-root-authentication-method=normal --skip-test-db \
		>"$dir/node1/install.log" 2>&1 ||
		die "mariadb-install-db failed, see '$dir/node1/install.log'"
	for n in 1 2 3; do
		d="$dir/node$n"
		extra=
		[ $n = 1 ] && extra=--wsrep-new-cluster
		/usr/sbin/mariadbd --defaults-file="$d/my.cnf" $extra </dev/null >>"$d/error.log" 2>&1 &
		pid=$!
		echo $pid >"$d/launcher.pid"
		wait_synced "$d" "$pid"
		if [ $n = 1 ]; then
			sql "$d" "CREATE USER '$DBM_MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$DBM_MYSQL_PASSWORD';
				GRANT ALL PRIVILEGES ON *.* TO '$DBM_MYSQL_USER'@'127.0.0.1' WITH GRANT OPTION;" ||
				die "cannot create the test user, see '$d/error.log'"
		fi
	done
	n=$(sql "$dir/node1" "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)
	[ "$n" = 3 ] || die "the cluster has $n nodes, not 3"
	urls=
	for n in 1 2 3; do
		urls="$urls${urls:+ }mysql://$DBM_MYSQL_USER:$DBM_MYSQL_PASSWORD@127.0.0.1:$(cat "$dir/node$n/sql.port")/"
	done
	echo "DBM_TEST_GALERA_URLS=$urls"
}

stop_node() {
	local d=$1 pid i
	[ -d "$d" ] || return 0
	pid=
	[ -s "$d/mariadbd.pid" ] && pid=$(cat "$d/mariadbd.pid")
	[ -z "$pid" ] && [ -s "$d/launcher.pid" ] && pid=$(cat "$d/launcher.pid")
	if [ -S "$d/mariadbd.sock" ]; then
		mariadb-admin --no-defaults --socket="$d/mariadbd.sock" -uroot --shutdown-timeout=30 \
			shutdown >/dev/null 2>&1 || true
	fi
	if [ -n "$pid" ]; then
		for i in $(seq 1 200); do
			kill -0 "$pid" 2>/dev/null || break
			[ "$i" = 100 ] && kill "$pid" 2>/dev/null
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$d/mariadbd.pid" "$d/launcher.pid"
	return 0
}

stop() {
	local dir=$1
	[ -d "$dir" ] || die "no such directory '$dir'"
	stop_node "$dir/node3"
	stop_node "$dir/node2"
	stop_node "$dir/node1"
}

case "${1:-}" in
start)
	[ $# -eq 2 ] || die "usage: galera.sh start DIR"
	start "$2"
	;;
stop)
	[ $# -eq 2 ] || die "usage: galera.sh stop DIR"
	stop "$2"
	;;
*)
	die "usage: galera.sh start|stop DIR"
	;;
esac
