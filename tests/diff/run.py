#!/usr/bin/env python3
"""Differential test of dbmigrate's statement splitter against the databases'
own clients.

For each generated file (gen.py) and each dialect, two fresh databases are
made, each with an empty table `log (n int, s text)`. The client runs the
file into one (PostgreSQL: psql -X -v ON_ERROR_STOP=1 -f FILE; MariaDB:
mariadb DB < FILE, which stops at the first error), dbmigrate into the
other (the file copied as migrations/V1__x.sql of a scratch project,
`dbmigrate migrate --url URL`). Then the outcomes and the rows of `log`
(ordered by n, then s, the strings compared byte for byte) are compared.

Agreement is one of:
  (a) both succeed and the rows are the same;
  (b) both fail, and dbmigrate left either the client's rows or none at all
      (PostgreSQL runs a migration in a transaction, so a failure leaves
      nothing; a file with its own BEGIN/COMMIT runs statement by statement
      and leaves what ran before the failure, which must be what the client
      left; MariaDB cannot roll DDL back, so its rows must be the client's,
      or none when dbmigrate refused the file with exit 2 before running it);
  (c) dbmigrate refuses with exit 2, before anything ran (no row in log nor
      in its history table), a file holding a
      command of the client (psql meta-commands and variables, mariadb
      client commands), which the client does not send as SQL.
Anything else is a disagreement: the seed, the case number, the file, a
minimized file (minimize.py) and the command that reproduces it are printed.

Usage:
  run.py --binary DBMIGRATE [--dialect pg|mysql|both] [--seed N] [--count N]
         [--start N] [--jobs N] [--out DIR] [--minimize N] [--file F]
Servers: DBM_TEST_PG_URL and DBM_TEST_MYSQL_URL (tests/servers/*.sh print
them). A dialect whose URL is missing is skipped, or is a failure when
DBM_TEST_REQUIRE_SERVERS=1. Exit status: 0 agreement, 1 disagreement or
failure, 2 usage error, 77 every dialect asked for was skipped.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import gen  # noqa: E402
import minimize  # noqa: E402

SKIP = 77
TIMEOUT = 60


class SetupError(Exception):
    """The servers or the tools cannot be used: not a disagreement."""


def run(argv, env=None, stdin=None, timeout=TIMEOUT, cwd=None):
    """Runs argv; returns (exit status, output). A timeout gives status -1000,
    a signal -N."""
    try:
        p = subprocess.run(argv, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, cwd=cwd)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = e.output.decode("utf-8", "replace") if e.output else ""
        return -1000, out + "\n(timed out after %d s)" % timeout


class RWLock:
    """Many cases at once, or one alone (a case that changes the server's
    global settings)."""

    def __init__(self):
        self.c = threading.Condition()
        self.readers = 0
        self.writer = False

    def acquire(self, exclusive):
        with self.c:
            if exclusive:
                while self.writer or self.readers:
                    self.c.wait()
                self.writer = True
            else:
                while self.writer:
                    self.c.wait()
                self.readers += 1

    def release(self, exclusive):
        with self.c:
            if exclusive:
                self.writer = False
            else:
                self.readers -= 1
            self.c.notify_all()


class Session:
    """A client (psql, mariadb) reading commands on its standard input, kept
    open: one process and one connection fewer per case."""
    MARK = "__dbm_difftest_done__"

    def __init__(self, argv, env):
        self.p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)

    def query(self, sql, mark=None):
        """Runs sql, then mark (a command printing MARK; psql's \\echo by
        default); returns the lines printed before MARK. Raises SetupError
        when the client stops (on an error)."""
        if mark is None:
            mark = "\\echo " + self.MARK
        try:
            self.p.stdin.write((sql + "\n" + mark + "\n").encode())
            self.p.stdin.flush()
        except OSError as e:
            raise SetupError("psql session: %s" % e)
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SetupError("psql session ended: " + "".join(lines))
            line = line.decode("utf-8", "replace").rstrip("\n")
            if line == self.MARK:
                return lines
            lines.append(line)

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()


class Pg:
    """PostgreSQL: databases made from a template that holds `log`."""
    name = "pg"

    def __init__(self, url, prefix):
        self.url = url
        self.prefix = prefix
        self.lock = RWLock()
        self.env = dict(os.environ)
        self.env.pop("PGOPTIONS", None)
        self.sessions = {}

    def db_url(self, db):
        if "://" not in self.url:
            return "%s dbname=%s" % (self.url, db)
        u = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + db, u.query, u.fragment))

    def psql(self, db, *cmds):
        argv = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.db_url(db)]
        for c in cmds:
            argv += ["-c", c]
        return run(argv, env=self.env)

    def setup(self):
        rc, out = self.psql("postgres", "SELECT 1")
        if rc != 0:
            raise SetupError("cannot reach PostgreSQL: " + out)

    def teardown(self, dbs):
        self.close()
        for db in dbs:
            self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)

    def reset_cmds(self, dbs):
        """psql commands emptying each database: the public schema dropped
        with all it holds (the file's objects, dbmigrate's history) and made
        again with an empty log; quicker than a new database."""
        cmds = []
        for db in dbs:
            cmds += ["\\connect " + self.db_url(db),
                     "DROP SCHEMA IF EXISTS public CASCADE",
                     "CREATE SCHEMA public",
                     "CREATE TABLE public.log (n int, s text)"]
        return cmds

    def fresh(self, dbs):
        cmds = []
        for db in dbs:
            if db in self.sessions:
                self.sessions.pop(db).close()
            cmds += ["DROP DATABASE IF EXISTS %s WITH (FORCE)" % db, "CREATE DATABASE %s" % db]
        rc, out = self.psql("postgres", *(cmds + self.reset_cmds(dbs)))
        if rc != 0:
            raise SetupError(out)

    def client(self, db, path):
        return run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.db_url(db), "-f", path],
                   env=self.env, stdin=subprocess.DEVNULL)

    def dbm_url(self, db):
        return self.db_url(db)

    def session(self, db):
        """The psql kept open on db for reading and emptying it (one process
        and one connection fewer per case)."""
        sess = self.sessions.get(db)
        if sess is None or sess.p.poll() is not None:
            sess = Session(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.db_url(db)],
                           self.env)
            sess.query("SET lock_timeout = '30s'; SET client_min_messages = warning;")
            self.sessions[db] = sess
        return sess

    def rows_and_fresh(self, dbs):
        """The rows of log in both databases, then both emptied: returns
        ([rows of dbs[0]], [rows of dbs[1]], rows in dbs[1]'s history table)."""
        rows = ([], [])
        hist = self.session(dbs[1]).query(
            "SELECT CASE WHEN to_regclass('public.schema_history') IS NULL THEN 0 ELSE "
            "(xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM public.schema_history WHERE type <> ''BASELINE''', "
            "false, true, '')))[1]::text::int END;")
        history = int(hist[0]) if hist and hist[0].strip().isdigit() else -1
        for i, db in enumerate(dbs):
            out = self.session(db).query(
                "SELECT n, encode(convert_to(s, 'UTF8'), 'hex') FROM public.log ORDER BY n, convert_to(s, 'UTF8');\n"
                "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;\n"
                "CREATE TABLE public.log (n int, s text);")
            for line in out:
                f = line.split("|", 1)
                if len(f) == 2:
                    rows[i].append((f[0], f[1]))
        return rows[0], rows[1], history

    def close(self):
        for sess in self.sessions.values():
            sess.close()
        self.sessions = {}

    def exclusive(self, data):
        return False

    def after_exclusive(self):
        pass

    def client_command(self, data):
        return re.search(rb"\\[A-Za-z;!?]|(?<!:):['\"]?[A-Za-z_]", data) is not None


class My:
    """MariaDB: databases made with the client, log created in each."""
    name = "mysql"

    def __init__(self, url, prefix):
        u = urllib.parse.urlsplit(url)
        if not u.hostname or u.username is None:
            raise SetupError("want DBM_TEST_MYSQL_URL=mysql://user:pw@host:port/")
        self.url = url
        self.u = u
        self.prefix = prefix
        self.lock = RWLock()
        self.env = dict(os.environ)
        self.env["MYSQL_PWD"] = urllib.parse.unquote(u.password or "")
        self.base = ["mariadb", "--no-defaults", "--default-character-set=utf8mb4",
                     "-h", u.hostname, "-P", str(u.port or 3306), "-u", urllib.parse.unquote(u.username)]
        self.global_mode = None
        self.sessions = {}

    def sql(self, sql, db=None):
        argv = self.base + ["-N", "-B", "-e", sql]
        if db:
            argv.append(db)
        return run(argv, env=self.env)

    def setup(self):
        rc, out = self.sql("SELECT @@GLOBAL.sql_mode")
        if rc != 0:
            raise SetupError("cannot reach MariaDB: " + out)
        self.global_mode = out.strip()

    def teardown(self, dbs):
        for sess in self.sessions.values():
            sess.close()
        self.sessions = {}
        self.sql(";".join("DROP DATABASE IF EXISTS %s" % db for db in dbs))

    def fresh(self, dbs):
        s = []
        for db in dbs:
            s += ["DROP DATABASE IF EXISTS %s" % db, "CREATE DATABASE %s" % db,
                  "CREATE TABLE %s.log (n int, s longtext)" % db]
        rc, out = self.sql(";".join(s))
        if rc != 0:
            raise SetupError(out)

    def client(self, db, path):
        with open(path, "rb") as f:
            return run(self.base + [db], env=self.env, stdin=f)

    def dbm_url(self, db):
        u = self.u
        return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + db, u.query, u.fragment))

    def rows_and_fresh(self, dbs):
        """The rows of log in both databases, then both made afresh, in one
        client session: returns ([rows of dbs[0]], [rows of dbs[1]], rows in
        dbs[1]'s history table)."""
        sel = " UNION ALL ".join("SELECT %d AS w, n, HEX(s) AS h, CAST(s AS BINARY) AS b FROM %s.log" % (i, db)
                                 for i, db in enumerate(dbs))
        s = ["SELECT w, n, h FROM (%s) x ORDER BY w, n, b" % sel]
        for db in dbs:
            s += ["DROP DATABASE IF EXISTS %s" % db, "CREATE DATABASE %s" % db,
                  "CREATE TABLE %s.log (n int, s longtext)" % db]
        key = dbs[0]
        sess = self.sessions.get(key)
        if sess is None or sess.p.poll() is not None:
            sess = Session(self.base + ["-N", "-B", "--unbuffered"], self.env)
            self.sessions[key] = sess
        mark = "SELECT '%s';" % Session.MARK
        exists = sess.query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '%s' "
                            "AND table_name = 'schema_history';" % dbs[1], mark)
        history = 0
        if exists and exists[0].strip() != "0":
            n = sess.query("SELECT COUNT(*) FROM %s.schema_history WHERE type <> 'BASELINE';" % dbs[1], mark)
            history = int(n[0]) if n and n[0].strip().isdigit() else -1
        out = sess.query(";\n".join(s) + ";", mark)
        rows = ([], [])
        for line in out:
            f = line.split("\t", 2)
            if len(f) == 3:
                rows[int(f[0])].append((f[1], f[2]))
        return rows[0], rows[1], history

    def exclusive(self, data):
        return b"global" in data.lower()

    def after_exclusive(self):
        self.sql("SET GLOBAL sql_mode = '%s'" % self.global_mode)

    def client_command(self, data):
        return re.search(rb"\\[A-Za-z]", data) is not None


def norm_message(err):
    """The first error line of dbmigrate's output, without names and
    numbers: what tells one class of disagreement from another. Of a quoted
    text only its first characters stay (letters as a, digits as N)."""
    def quoted(m):
        body = m.group(0)[1:-1][:4]
        if body.startswith("$"):
            return "'$…'"  # a dollar tag: its letters say nothing
        body = re.sub(r"[A-Za-z]", "a", body)
        return "'" + re.sub(r"\d", "N", body).replace("\n", "\\n").replace("\r", "\\r") + "…'"

    lines = err.splitlines()
    for i, line in enumerate(lines):
        if "error" in line.lower():
            line = re.sub(r"^.*?error:\s*", "", line)
            line = line.replace("You have an error in your SQL syntax; check the manual that corresponds "
                                "to your MariaDB server version for the right syntax to use", "syntax error")
            near = line.find("near '")
            if near >= 0:
                line = line[:near + 10] + "'"
            line = re.sub(r"'[^']*'|\"[^\"]*\"", quoted, line)
            line = re.sub(r"\d+", "N", line)
            return line.strip()[:80]
    return ""


CLIENT_CMD_WORDS = ("meta-command", "client command", "psql", "mariadb client", "mysql client", "variable")


class Case:
    """The outcome of one file on one dialect."""

    def __init__(self, client_rc, client_out, dbm_rc, dbm_out, rows_c, rows_d, history=0):
        self.client_rc, self.client_out = client_rc, client_out
        self.dbm_rc, self.dbm_out = dbm_rc, dbm_out
        self.rows_c, self.rows_d = rows_c, rows_d
        self.history = history  # rows in dbmigrate's history table

    def verdict(self, dialect, data):
        """None when the two agree, else the kind of disagreement (a short
        sentence)."""
        c_ok = self.client_rc == 0
        d = self.dbm_rc
        if d not in (0, 1, 2, 3, 4):
            return "dbmigrate crashed or hung (status %d)" % d
        if c_ok and d == 0:
            return None if self.rows_c == self.rows_d else "both succeed, rows differ"
        # Refused before anything ran: no row written, no history row.
        refused = d == 2 and not self.rows_d and self.history == 0
        if c_ok:
            if refused and dialect.client_command(data) and \
                    any(w in self.dbm_out.lower() for w in CLIENT_CMD_WORDS):
                return None
            return "client succeeds, dbmigrate exits %d" % d
        if d == 0:
            return "client fails, dbmigrate succeeds"
        if refused or self.rows_d == self.rows_c:
            return None
        if dialect.name == "pg" and not self.rows_d:
            return None  # the migration's transaction was rolled back
        return "both fail, rows differ"

    def describe(self):
        return ("client: exit %d\n%s\ndbmigrate: exit %d\n%s\nrows (client): %s\nrows (dbmigrate): %s\n" % (
            self.client_rc, self.client_out.strip()[:2000], self.dbm_rc, self.dbm_out.strip()[:2000],
            show_rows(self.rows_c), show_rows(self.rows_d)))


def show_rows(rows):
    out = []
    for n, h in rows[:40]:
        try:
            s = bytes.fromhex(h).decode("utf-8", "replace")
        except ValueError:
            s = h
        out.append("(%s, %r)" % (n, s))
    return "[" + ", ".join(out) + (", ..." if len(rows) > 40 else "") + "]"


class Worker:
    """One pair of databases and one scratch project: runs one file at a
    time."""

    def __init__(self, dialect, binary, idx, tmp):
        self.dialect = dialect
        self.binary = binary
        self.dbs = ("%sw%da" % (dialect.prefix, idx), "%sw%db" % (dialect.prefix, idx))
        self.dir = os.path.join(tmp, "%s-w%d" % (dialect.name, idx))
        self.ready = False
        os.makedirs(os.path.join(self.dir, "migrations"), exist_ok=True)
        # The log table is there before the file runs, so the schema is not empty: baseline it
        # below V1, as a project adopting dbmigrate on an existing database would.
        with open(os.path.join(self.dir, "dbmigrate.yml"), "w") as f:
            f.write("baseline_on_migrate: true\nbaseline_version: \"0\"\n")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("DBMIGRATE_") and k not in ("DATABASE_URL", "FLYWAY_URL")}

    def run(self, data):
        """Runs data through the client and dbmigrate; returns a Case."""
        d = self.dialect
        path = os.path.join(self.dir, "case.sql")
        with open(path, "wb") as f:
            f.write(data)
        mig = os.path.join(self.dir, "migrations")
        for old in os.listdir(mig):
            os.unlink(os.path.join(mig, old))
        with open(os.path.join(mig, "V1__x.sql"), "wb") as f:
            f.write(data)
        excl = d.exclusive(data)
        d.lock.acquire(excl)
        try:
            if not self.ready:
                d.fresh(self.dbs)
            self.ready = False
            res = {}

            def dbm():
                res["d"] = run([self.binary, "migrate", "--url", d.dbm_url(self.dbs[1])],
                               env=self.env, cwd=self.dir, stdin=subprocess.DEVNULL)

            if excl:
                res["c"] = d.client(self.dbs[0], path)
                d.after_exclusive()
                dbm()
                d.after_exclusive()
            else:
                t = threading.Thread(target=dbm)
                t.start()
                res["c"] = d.client(self.dbs[0], path)
                t.join()
            rows_c, rows_d, history = d.rows_and_fresh(self.dbs)
            self.ready = True
        finally:
            d.lock.release(excl)
        return Case(res["c"][0], res["c"][1], res["d"][0], res["d"][1], rows_c, rows_d, history)


def repro(args, dialect, case=None, file=None):
    parts = ["scripts/difftest.sh", "--dialect", dialect.name]
    if file:
        parts += ["--file", file]
    else:
        parts += ["--seed", str(args.seed), "--start", str(case), "--count", "1"]
    return " ".join(parts)


def run_dialect(args, dialect, tmp, out_dir):
    """Runs the cases of one dialect; returns the number of disagreements."""
    workers = [Worker(dialect, args.binary, i, tmp) for i in range(args.jobs)]
    free = list(workers)
    free_lock = threading.Lock()
    started = time.time()
    stats = {"client_ok": 0, "agree": 0, "disagree": 0}
    classes = {}
    found = []
    print_lock = threading.Lock()

    def one(item):
        label, data = item
        with free_lock:
            w = free.pop()
        try:
            c = w.run(data)
            v = c.verdict(dialect, data)
        except SetupError as e:
            c = Case(-1, "", -1, "the test could not run the case: %s" % e, [], [])
            v = "the test could not run the case"
        finally:
            with free_lock:
                free.append(w)
        with print_lock:
            if c.client_rc == 0:
                stats["client_ok"] += 1
            elif args.client_errors:
                err = [ln for ln in c.client_out.splitlines() if "ERROR" in ln or "error" in ln][:1]
                print("client failed on case %s: %s" % (label, (err or [c.client_out.strip()[:200]])[0][:200]))
            if v is None:
                stats["agree"] += 1
            else:
                stats["disagree"] += 1
                key = (v, norm_message(c.dbm_out))
                classes.setdefault(key, []).append(label)
                found.append((label, data, v, c, key))
        return v

    if args.file:
        with open(args.file, "rb") as f:
            items = [(os.path.basename(args.file), f.read())]
    else:
        items = [(args.start + i, gen.generate(dialect.name, args.seed, args.start + i))
                 for i in range(args.count)]
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        list(ex.map(one, items))

    total = len(items)
    took = time.time() - started
    print("%s: %d files in %.0f s, the client succeeded on %d (%.0f%%), agreed on %d, disagreed on %d" % (
        dialect.name, total, took, stats["client_ok"], 100.0 * stats["client_ok"] / max(total, 1),
        stats["agree"], stats["disagree"]))
    found.sort(key=lambda x: str(x[0]).zfill(8))
    minimized = 0
    min_started = time.time()
    seen = set()
    for label, data, v, c, key in found:
        first = key not in seen
        seen.add(key)
        stem = "%s-seed%d-case%s" % (dialect.name, args.seed, label) if not args.file else \
            "%s-%s" % (dialect.name, os.path.splitext(str(label))[0])
        os.makedirs(out_dir, exist_ok=True)
        orig = os.path.join(out_dir, stem + ".sql")
        with open(orig, "wb") as f:
            f.write(data)
        print("\nDISAGREEMENT [%s] %s" % (dialect.name, v))
        print("  seed %d, case %s; file: %s" % (args.seed, label, orig))
        print("  dbmigrate's message: %s" % (norm_message(c.dbm_out) or "(none)"))
        if first and minimized < args.minimize:
            minimized += 1
            w = workers[0]

            def still(d, v=v):
                try:
                    return w.run(d).verdict(dialect, d) == v
                except SetupError:
                    return False

            share = None
            if args.minimize_seconds:
                left = args.minimize_seconds - (time.time() - min_started)
                if left <= 5:
                    print("  (no time left to minimize it: --minimize-seconds)")
                    print("  " + c.describe().replace("\n", "\n  "))
                    print("  reproduce: %s" % repro(args, dialect, case=label))
                    continue
                share = left / max(1, min(args.minimize, len(classes)) - minimized + 1)
            small = minimize.minimize(data, still, seconds=share)
            mpath = os.path.join(out_dir, stem + ".min.sql")
            with open(mpath, "wb") as f:
                f.write(small)
            cm = w.run(small)
            print("  minimized (%d bytes): %s" % (len(small), mpath))
            print("  ---- %r" % small.decode("utf-8", "replace"))
            print("  " + cm.describe().replace("\n", "\n  "))
            print("  reproduce: %s" % repro(args, dialect, file=mpath))
        elif first:
            print("  " + c.describe().replace("\n", "\n  "))
        else:
            print("  same class as case %s" % classes[key][0])
        if not args.file:
            print("  reproduce: %s" % repro(args, dialect, case=label))
    if classes:
        print("\n%s: %d classes of disagreement:" % (dialect.name, len(classes)))
        for (v, msg), labels in sorted(classes.items(), key=lambda x: -len(x[1])):
            print("  %4d  %s | %s | cases %s" % (len(labels), v, msg or "-",
                                                 ",".join(str(x) for x in labels[:12])))
    return stats["disagree"]


def main():
    ap = argparse.ArgumentParser(description="differential test: dbmigrate against psql and mariadb")
    ap.add_argument("--binary", required=True, help="the dbmigrate executable")
    ap.add_argument("--dialect", choices=("pg", "mysql", "both"), default="both")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300, help="files per dialect")
    ap.add_argument("--start", type=int, default=0, help="number of the first file")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default="difftest-out", help="folder for the files that disagree")
    ap.add_argument("--minimize", type=int, default=3,
                    help="minimize the first file of at most this many classes per dialect")
    ap.add_argument("--minimize-seconds", type=float, default=0,
                    help="time for all minimizing of a dialect (0: no limit)")
    ap.add_argument("--file", help="run this file instead of generated ones")
    ap.add_argument("--client-errors", action="store_true",
                    help="print the client's error for each file it rejects (to tune the generator)")
    args = ap.parse_args()
    if args.count < 0 or args.jobs < 1:
        ap.error("--count must be >= 0 and --jobs >= 1")
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        ap.error("no executable '%s'" % args.binary)
    args.binary = binary

    require = os.environ.get("DBM_TEST_REQUIRE_SERVERS") == "1"
    wanted = ["pg", "mysql"] if args.dialect == "both" else [args.dialect]
    urls = {"pg": os.environ.get("DBM_TEST_PG_URL"), "mysql": os.environ.get("DBM_TEST_MYSQL_URL")}
    envname = {"pg": "DBM_TEST_PG_URL", "mysql": "DBM_TEST_MYSQL_URL"}
    tools = {"pg": "psql", "mysql": "mariadb"}
    prefix = "dbmdiff_%d_" % os.getpid()
    failed = 0
    ran = 0
    tmp = tempfile.mkdtemp(prefix="dbm-difftest.")
    try:
        for name in wanted:
            if not urls[name]:
                if require:
                    print("%s is not set but DBM_TEST_REQUIRE_SERVERS=1: start the servers "
                          "(scripts/test.sh or scripts/difftest.sh)" % envname[name])
                    failed += 1
                else:
                    print("SKIPPED %s: %s is not set" % (name, envname[name]))
                continue
            if not shutil.which(tools[name]):
                print("the %s client is needed for the %s differential test" % (tools[name], name))
                failed += 1
                continue
            d = Pg(urls[name], prefix) if name == "pg" else My(urls[name], prefix)
            ran += 1
            workers_dbs = []
            try:
                d.setup()
                for i in range(args.jobs):
                    workers_dbs += ["%sw%da" % (prefix, i), "%sw%db" % (prefix, i)]
                failed += run_dialect(args, d, tmp, os.path.abspath(args.out))
            except SetupError as e:
                print("%s: cannot run: %s" % (name, str(e).strip()))
                failed += 1
            finally:
                d.teardown(workers_dbs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.stdout.flush()
    if failed:
        return 1
    if ran == 0:
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main())
