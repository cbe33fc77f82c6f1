# gen.awk - generates the benchmark's migrations, for bench/run.sh.
#
# Run with no input (awk -f gen.awk -v ...); everything is written to files.
#
#   mode=set  n=N  first=F  out=DIR  [mate=DIR  floor=PREFIX]
#       migrations F..N as DIR/V<i>__<description>.sql, a realistic mix that
#       runs unchanged on PostgreSQL and MariaDB: every fourth migration
#       creates a table with two indexes, the next adds two columns to it,
#       the next creates a child table with a foreign key, a unique index and
#       seed rows, the next updates a row and adds an index. Migrations above
#       real (default 1000) are small data fixes, cheap to apply, for the
#       10,000-file info case. With mate, the same SQL as dbmate files
#       (<i padded>_<description>.sql with -- migrate:up / -- migrate:down).
#       With floor, PREFIX.pgsql and PREFIX.mysql: every migration as the
#       hand-written floor runs it, BEGIN, the SQL, the history INSERT, COMMIT.
#
#   mode=insert  dialect=pgsql|mysql
#       prints the floor's history INSERT of the large migration (V1).
#
#   mode=big  mb=M  out=FILE
#       one CREATE TABLE and multi-row INSERTs (1000 rows of about 100 bytes
#       per statement, one row per line) until FILE holds M MiB.

function history_insert(dialect, i, desc, script,    q, user, t)
{
	q = dialect == "mysql" ? "`" : "\""
	user = dialect == "mysql" ? "SUBSTRING_INDEX(CURRENT_USER(), '@', 1)" : "current_user"
	t = dialect == "mysql" ? "1" : "true"
	return "INSERT INTO " q "schema_history" q " (installed_rank, version, description, " \
	       "type, script, checksum, installed_by, execution_time, success) VALUES (" \
	       i ", '" i "', '" desc "', 'SQL', '" script "', " (i * 7919 % 2000000000) ", " \
	       user ", 3, " t ");"
}

# The SQL of migration i; sets DESC to its description (underscored).
function body(i,    k, s)
{
	if (i > real) {
		DESC = "fix_flags_" i
		return "-- data fix " i ": reset a flag on the first row\n" \
		       "UPDATE t1 SET flags_2 = " i " WHERE id = 1;\n"
	}
	k = i % 4
	if (k == 1) {
		DESC = "create_t" i
		return "-- t" i ": orders of one account\n" \
		       "CREATE TABLE t" i " (\n" \
		       "    id BIGINT NOT NULL PRIMARY KEY,\n" \
		       "    account_id BIGINT NOT NULL,\n" \
		       "    status VARCHAR(20) NOT NULL DEFAULT 'new',\n" \
		       "    title VARCHAR(200) NOT NULL,\n" \
		       "    amount NUMERIC(12, 2),\n" \
		       "    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n" \
		       ");\n" \
		       "CREATE INDEX t" i "_account_idx ON t" i " (account_id);\n" \
		       "CREATE INDEX t" i "_status_idx ON t" i " (status, created_at);\n"
	}
	if (k == 2) {
		DESC = "add_columns_to_t" (i - 1)
		return "ALTER TABLE t" (i - 1) " ADD COLUMN note_" i " VARCHAR(500);\n" \
		       "ALTER TABLE t" (i - 1) " ADD COLUMN flags_" i \
		       " INTEGER NOT NULL DEFAULT 0;\n"
	}
	if (k == 3) {
		DESC = "create_t" i "_lines"
		s = "CREATE TABLE t" i " (\n" \
		    "    id BIGINT NOT NULL PRIMARY KEY,\n" \
		    "    parent_id BIGINT NOT NULL,\n" \
		    "    code VARCHAR(40) NOT NULL,\n" \
		    "    label VARCHAR(100),\n" \
		    "    FOREIGN KEY (parent_id) REFERENCES t" (i - 2) " (id)\n" \
		    ");\n" \
		    "CREATE UNIQUE INDEX t" i "_code_uq ON t" i " (code);\n"
		s = s "INSERT INTO t" (i - 2) " (id, account_id, title) VALUES\n" \
		      "    (1, 10, 'first order'),\n" \
		      "    (2, 10, 'O''Brien''s order; the second');\n" \
		      "INSERT INTO t" i " (id, parent_id, code, label) VALUES\n" \
		      "    (1, 1, 'a-" i "', 'alpha'),\n" \
		      "    (2, 2, 'b-" i "', 'beta');\n"
		return s
	}
	DESC = "index_t" (i - 3) "_title"
	return "/* close the second order and index titles */\n" \
	       "UPDATE t" (i - 3) " SET status = 'done' WHERE id = 2;\n" \
	       "CREATE INDEX t" (i - 3) "_title_idx ON t" (i - 3) " (title);\n"
}

function gen_set(    i, sql, f, desc, script)
{
	for (i = first; i <= n; i++) {
		sql = body(i)
		script = "V" i "__" DESC ".sql"
		f = out "/" script
		printf "%s", sql > f
		close(f)
		if (mate != "") {
			f = mate "/" sprintf("%06d", i) "_" DESC ".sql"
			printf "-- migrate:up\n%s\n-- migrate:down\n", sql > f
			close(f)
		}
		if (floor != "") {
			desc = DESC
			gsub(/_/, " ", desc)
			printf "BEGIN;\n%s%s\nCOMMIT;\n", sql,
			       history_insert("pgsql", i, desc, script) > (floor ".pgsql")
			printf "BEGIN;\n%s%s\nCOMMIT;\n", sql,
			       history_insert("mysql", i, desc, script) > (floor ".mysql")
		}
	}
	if (floor != "") {
		close(floor ".pgsql")
		close(floor ".mysql")
	}
}

function gen_big(    limit, bytes, id, r, line, stmt)
{
	limit = mb * 1048576
	stmt = "-- bulk load: one statement per 1000 rows, one row per line\n" \
	       "CREATE TABLE big_load (\n" \
	       "    id BIGINT NOT NULL PRIMARY KEY,\n" \
	       "    customer VARCHAR(40) NOT NULL,\n" \
	       "    amount NUMERIC(12, 2) NOT NULL,\n" \
	       "    booked DATE NOT NULL,\n" \
	       "    note VARCHAR(200)\n" \
	       ");\n"
	printf "%s", stmt > out
	bytes = length(stmt)
	id = 0
	while (bytes < limit) {
		line = "INSERT INTO big_load (id, customer, amount, booked, note) VALUES\n"
		printf "%s", line > out
		bytes += length(line)
		for (r = 1; r <= 1000; r++) {
			id++
			line = sprintf("    (%d, 'customer-%06d', %d.%02d, '2024-%02d-%02d', " \
				       "'%s order %d, paid; see ticket #%d'),\n",
				       id, id % 100000, id % 99991, id % 100, id % 12 + 1,
				       id % 28 + 1, id % 7 == 0 ? "O''Brien''s" : "a regular",
				       id, id % 4099)
			if (r == 1000)
				sub(/,\n$/, ";\n", line)
			printf "%s", line > out
			bytes += length(line)
		}
	}
	close(out)
}

BEGIN {
	if (first == "")
		first = 1
	if (real == "")
		real = 1000
	if (mode == "set")
		gen_set()
	else if (mode == "big")
		gen_big()
	else if (mode == "insert")
		print history_insert(dialect, 1, "load big", "V1__load_big.sql")
	else {
		print "gen.awk: mode must be set, insert or big" > "/dev/stderr"
		exit 2
	}
}
