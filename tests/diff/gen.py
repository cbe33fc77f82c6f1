#!/usr/bin/env python3
"""Seeded generator of hostile migration files for the differential test.

Each file mixes the constructs the statement splitter must get right:
line endings (LF, CRLF, CR, mixed), comments (--, #, nested /* */, --x),
quotes ('' "" `` with their escapes), E'' and U&'' strings, dollar quotes
with short and long tags, MySQL version comments (/*!NNNNN */, /*M!NNNNNN */)
and optimizer hints, DELIMITER blocks (quoted delimiters too), routine
bodies (PL/pgSQL, BEGIN ATOMIC, MySQL procedures, functions and triggers),
session settings that change how strings are read (standard_conforming_
strings; sql_mode NO_BACKSLASH_ESCAPES and ANSI_QUOTES, in many spellings),
the clients' own commands, unicode and a BOM.

Every file writes what it runs into a table `log (n int, s text)` (MySQL:
longtext) that the runner creates first, so which statements ran and the
exact strings stored can be compared between the database's own client and
dbmigrate. The generator follows the session state the file sets up (is a
backslash an escape? is "..." a string?) so that most files are valid for
the client: a file the client rejects compares little.

A file is a pure function of (dialect, seed, case number):

    python3 tests/diff/gen.py pg|mysql SEED CASE > file.sql
"""
import random
import sys

UNICODE = ["é", "ß", "日本語", "Ж", "🙂", "\u00a0", "ǅ", "\u200b", "ñ"]


class Gen:
    """One file being generated: the random source, the text so far, the
    next row number and the session state the text has set up."""

    def __init__(self, dialect, seed, case):
        self.d = dialect
        self.r = random.Random("%s:%d:%d" % (dialect, seed, case))
        self.parts = []
        self.k = 0
        self.uid = 0
        # PostgreSQL: standard_conforming_strings (True = on), and whether
        # a BEGIN block with SET LOCAL is open.
        self.scs = True
        # MySQL: NO_BACKSLASH_ESCAPES and ANSI_QUOTES in sql_mode, and the
        # modes saved with SET @saved = @@sql_mode.
        self.nbe = False
        self.ansi = False
        self.saved = None
        self.gnbe = False
        self.gansi = False
        self.delim = ";"

    # ---- small helpers -------------------------------------------------
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def wpick(self, pairs):
        """Picks from [(weight, value), ...]."""
        total = sum(w for w, _ in pairs)
        x = self.r.uniform(0, total)
        for w, v in pairs:
            x -= w
            if x <= 0:
                return v
        return pairs[-1][1]

    def n(self):
        self.k += 1
        return self.k

    def name(self, base):
        self.uid += 1
        return "%s_%d" % (base, self.uid)

    def kw(self, word):
        """A keyword in a random case."""
        c = self.r.random()
        if c < 0.5:
            return word.upper()
        if c < 0.8:
            return word.lower()
        return "".join(ch.upper() if self.chance(0.5) else ch.lower() for ch in word)

    def ws(self):
        """White space between two tokens inside a statement, sometimes with a
        comment in it."""
        return self.wpick(self.ws_choices())

    def ws_choices(self):
        c = [(30, " "), (4, "\n"), (2, "\t"), (2, "  \n  "),
             (2, " /* c;'\" */ "), (1, " /**/ "), (2, " -- c;'\"\n"),
             (1, " --\n")]
        if self.d == "pg":
            c += [(1, " /* a /* nested ; */ b */ "), (1, " --x;\n")]
        else:
            c += [(2, " # c;'\"\n"), (1, " #\n"), (1, " /* a ; b */ ")]
        return c

    def sep(self):
        """What comes between two statements: new lines, comments, stray
        semicolons."""
        c = [(30, "\n"), (6, "\n\n"), (4, " "), (3, "\n-- comment; with 'quote\n"),
             (3, "\n/* block ; comment */\n"), (1, "\n/* multi\nline ; 'x\n*/\n"),
             (1, "\n\n\n   \n"), (1, "\n--\n"), (1, "\t\n")]
        if self.delim == ";":
            c += [(1, "\n;\n"), (1, ";\n")]
        if self.d == "pg":
            c += [(2, "\n/* outer /* inner ; */ still; */\n"), (1, "\n--x comment\n"),
                  (0.4, "\n-- comment ended by a bare CR\r"), (1, "\n/* with CR\r */\n")]
        else:
            c += [(3, "\n# hash comment ; 'x\n"), (1, "\n#\n"), (1, "\n-- \t tab\n"),
                  (1, "\n/* with CR\r */\n")]
        return self.wpick(c)

    # ---- string contents ----------------------------------------------
    def text(self, quote, escapes, avoid=()):
        """Contents of a quoted literal: pieces chosen to confuse a splitter.
        quote is the quote character (doubled inside), escapes says whether a
        backslash escapes. avoid: substrings that must not appear."""
        pieces = []
        for _ in range(self.r.randint(0, 6)):
            p = self.wpick([
                (10, self.pick(["abc", "x", "Hello world", "0", "  "])),
                (4, ";"), (2, "; "), (2, "--"), (2, "-- not a comment"), (2, "/*"),
                (2, "*/"), (2, "$$"), (1, "$a$"), (2, "#"), (2, "`"),
                (2, quote * 2), (2, "'" if quote != "'" else '"'),
                (3, self.pick(UNICODE)), (2, "\n"), (1, "\r\n"), (1, "\t"),
                (1, "BEGIN"), (1, "END"), (1, "DELIMITER //"), (1, "\\."),
                (2, ("\\\\" if escapes else "\\")),
                (2, (self.pick(["\\n", "\\t", "\\" + quote, "\\\\", "\\%", "\\_", "\\Z", "\\b", "\\q"])
                     if escapes else "\\x")),
            ])
            if any(a in p for a in avoid):
                continue
            pieces.append(p)
        s = "".join(pieces)
        # A backslash at the end of unescaped contents is fine (it is not an
        # escape), but an odd run of backslashes before the closing quote is
        # not when escapes are on.
        if escapes:
            run = len(s) - len(s.rstrip("\\"))
            if run % 2:
                s += "\\"
        for a in avoid:
            s = s.replace(a, "")
        return s

    # ---- PostgreSQL ------------------------------------------------------
    def pg_literal(self):
        c = [(10, "plain"), (4, "E"), (3, "dollar"), (1, "concat"), (1, "cast")]
        if self.scs:
            c.append((2, "U&"))
        k = self.wpick(c)
        if k == "plain":
            return "'%s'" % self.text("'", not self.scs)
        if k == "E":
            body = self.text("'", True)
            if self.chance(0.4):
                body += self.pick(["\\x41", "\\101", "\\u00e9", "\\U0001F600", "\\'", "\\047"])
            return self.pick(["E", "e"]) + "'%s'" % body
        if k == "U&":
            if self.chance(0.5):
                return "U&'d\\0061t\\+000061 %s'" % self.text("'", False, avoid=("\\",))
            return "U&'d!0061t!!%s' UESCAPE '!'" % self.text("'", False, avoid=("\\", "!"))
        if k == "dollar":
            tag = self.dollar_tag()
            body = self.text("'", False, avoid=("$" + tag + "$", "$"))
            body += self.pick(["", "$x$ not the end $x$", "a$b", "$1", "';'"])
            body = body.replace("$" + tag + "$", "")
            if body.endswith("$"):
                body += "."  # "$x$$$" would close at the first "$$"
            return "$%s$%s$%s$" % (tag, body, tag)
        if k == "concat":
            # Adjacent literals separated by a new line are one string.
            return "'%s'\n'%s'" % (self.text("'", not self.scs), self.text("'", not self.scs))
        return "'%s'::text" % self.text("'", not self.scs)

    def dollar_tag(self):
        k = self.wpick([(4, "empty"), (6, "short"), (2, "long"), (1, "unicode")])
        if k == "empty":
            return ""
        if k == "unicode":
            return self.pick(["é", "tag_ñ", "_日"])
        first = self.pick("abcxyz_ABC")
        if k == "short":
            n = self.r.randint(0, 8)
        else:
            n = self.r.randint(55, 80)
        rest = "".join(self.pick("abcdefghij_0123456789XYZ") for _ in range(n))
        return first + rest

    def pg_insert(self):
        k = self.n()
        form = self.wpick([(6, "values"), (2, "select"), (1, "multi"), (1, "cols")])
        w = self.ws
        if form == "values":
            return "%s%s%s log%s%s (%d, %s)" % (self.kw("insert"), w(), self.kw("into"), w(),
                                                 self.kw("values"), k, self.pg_literal())
        if form == "select":
            return "%s %s log %s %d, %s %s \"we;ird\"\"id\"" % (
                self.kw("insert"), self.kw("into"), self.kw("select"), k, self.pg_literal(), self.kw("as"))
        if form == "cols":
            return "%s %s log (n,%s\"s\") %s (%d,%s%s)" % (
                self.kw("insert"), self.kw("into"), w(), self.kw("values"), k, w(), self.pg_literal())
        k2 = self.n()
        return "%s %s log %s (%d, %s),%s(%d, %s)" % (
            self.kw("insert"), self.kw("into"), self.kw("values"), k, self.pg_literal(), w(), k2,
            self.pg_literal())

    def pg_scs_value(self, on):
        if on:
            return self.pick(["on", "ON", "true", "'on'", "yes", "1", "'true'", "DEFAULT"])
        return self.pick(["off", "OFF", "false", "'off'", "no", "0", "'false'", "'of'", "\"off\""])

    def pg_scs(self):
        """A statement changing standard_conforming_strings, in one of many
        spellings; returns its text and updates the state."""
        on = self.chance(0.4) if not self.scs else self.chance(0.15)
        form = self.wpick([(6, "set"), (2, "set-comment"), (2, "set_config"), (2, "local"),
                           (1, "reset"), (1, "reset all"), (1, "session")])
        if form in ("reset", "reset all"):
            self.scs = True
            if form == "reset":
                return "%s standard_conforming_strings" % self.kw("reset")
            return "%s %s" % (self.kw("reset"), self.kw("all"))
        v = self.pg_scs_value(on)
        if form == "set":
            op = self.pick([" = ", "=", " TO ", " to "])
            text = "%s standard_conforming_strings%s%s" % (self.kw("set"), op, v)
        elif form == "session":
            text = "%s %s standard_conforming_strings = %s" % (self.kw("set"), self.kw("session"), v)
        elif form == "set-comment":
            text = "%s /* x */ standard_conforming_strings %s %s" % (
                self.kw("set"), self.pick(["=", "TO"]), v)
        elif form == "set_config":
            text = "%s set_config('standard_conforming_strings', '%s', false)" % (
                self.kw("select"), "on" if on else "off")
        else:
            # SET LOCAL inside a transaction block: until COMMIT.
            prev = self.scs
            self.scs = on
            body = [self.kw("begin"), "%s %s standard_conforming_strings = %s" % (
                self.kw("set"), self.kw("local"), self.pg_scs_value(on))]
            for _ in range(self.r.randint(1, 3)):
                body.append(self.pg_insert())
            self.scs = prev
            body.append(self.pick(["COMMIT", "commit", "END"]))
            return (";" + self.sep()).join(body)
        if v == "DEFAULT":
            on = True
        self.scs = on
        return text

    def pg_function(self):
        fn = self.name("f")
        tag = self.dollar_tag()
        inner = self.dollar_tag()
        while inner == tag:
            inner = self.name("in")
        lit = self.pg_literal_in_body(tag)
        body = "\n  DECLARE v text := %s; -- a comment; with 'quote\n  BEGIN\n" % lit
        body += "    /* ; */ IF true THEN v := v || $%s$;%s$%s$; END IF;\n" % (inner, self.text("'", False, avoid=("$",)), inner)
        body += "    RETURN v;\n  END\n"
        lang = self.pick(["LANGUAGE plpgsql", "language 'plpgsql'"])
        text = "%s %s() RETURNS text %s AS $%s$%s$%s$" % (
            self.kw("create") + (" " + self.kw("or replace") if self.chance(0.3) else "") + " " + self.kw("function"),
            fn, lang, tag, body, tag)
        k = self.n()
        return text + ";" + self.sep() + "INSERT INTO log VALUES (%d, %s())" % (k, fn)

    def pg_literal_in_body(self, tag):
        """A literal for inside a dollar-quoted body: quotes in the body follow
        the server's rules, which ignore the session's escape setting only for
        E'' strings; keep it simple and portable."""
        return "'%s'" % self.text("'", False, avoid=("$", "\\"))

    def pg_do(self):
        tag = self.pick(["", "do", "body", self.dollar_tag()])
        k = self.n()
        return "%s $%s$ BEGIN INSERT INTO log VALUES (%d, %s); END $%s$" % (
            self.kw("do"), tag, k, self.pg_literal_in_body(tag), tag)

    def pg_atomic(self):
        """An SQL-standard body: BEGIN ATOMIC ... END, with CASE ... END inside,
        an END loop alias, a column named begin."""
        kind = self.wpick([(3, "function"), (2, "procedure"), (1, "case"), (1, "loop"), (1, "begincol")])
        name = self.name("a")
        pre = ""
        if kind == "procedure":
            stmts = []
            for _ in range(self.r.randint(1, 3)):
                stmts.append("INSERT INTO log VALUES (%d, %s);" % (self.n(), self.pg_literal_plain()))
            return "%s %s() %s %s %s\n  %s\n%s;%s%s %s()" % (
                self.kw("create") + " " + self.kw("procedure"), name, self.kw("language"), "sql",
                self.kw("begin") + " " + self.kw("atomic"), "\n  ".join(stmts), self.kw("end"),
                self.sep(), self.kw("call"), name)
        if kind == "function":
            sel = "SELECT %s;" % self.pg_literal_plain()
        elif kind == "case":
            sel = "SELECT CASE WHEN 1 > 0 THEN %s ELSE 'no;' END;" % self.pg_literal_plain()
        elif kind == "loop":
            sel = "SELECT CASE WHEN 1 > 0 THEN %s ELSE 'x' END loop;" % self.pg_literal_plain()
        else:
            t = self.name("tb")
            pre = "CREATE TABLE %s (begin text, n int);%sINSERT INTO %s VALUES (%s, 1);%s" % (
                t, self.sep(), t, self.pg_literal_plain(), self.sep())
            sel = "SELECT begin FROM %s WHERE n = 1;" % t
        k = self.n()
        return pre + "%s %s() RETURNS text %s sql\n%s\n  %s\n%s;%sINSERT INTO log VALUES (%d, %s())" % (
            self.kw("create") + " " + self.kw("function"), name, self.kw("language"),
            self.kw("begin") + " " + self.kw("atomic"), sel, self.kw("end"), self.sep(), k, name)

    def pg_literal_plain(self):
        """A literal that is valid whatever standard_conforming_strings says."""
        if self.chance(0.5):
            return "'%s'" % self.text("'", False, avoid=("\\",))
        return "E'%s'" % self.text("'", True)

    def pg_copy(self):
        rows = []
        for _ in range(self.r.randint(0, 3)):
            s = self.text("'", False, avoid=("\\", "\n", "\r", "\t"))
            s += self.pick(["", "\\t", "\\\\", "\\n", ";"])
            rows.append("%d\t%s" % (self.n(), s))
        tail = self.pick(["", " -- after the statement", ""])
        return "COPY log (n, s) FROM %s;%s\n%s\\.\n" % (
            self.pick(["stdin", "STDIN"]), tail, "".join(r + "\n" for r in rows)), True

    def pg_rule(self):
        t = self.name("rt")
        k1, k2 = self.n(), self.n()
        return ("CREATE TABLE %s (s text);%sCREATE RULE %s AS ON INSERT TO %s DO INSTEAD "
                "(INSERT INTO log VALUES (%d, NEW.s); INSERT INTO log VALUES (%d, NEW.s || ';'));%s"
                "INSERT INTO %s VALUES (%s)") % (t, self.sep(), self.name("r"), t, k1, k2, self.sep(),
                                                 t, self.pg_literal_plain())

    def pg_unicode_ident(self):
        t = self.pick(["tâble", "日本", "ñ;x", "a\"\"b"])
        k = self.n()
        return 'CREATE TABLE "%s_%d" ("cöl" text);%sINSERT INTO "%s_%d" VALUES (%s);%sINSERT INTO log SELECT %d, "cöl" FROM "%s_%d"' % (
            t, k, self.sep(), t, k, self.pg_literal(), self.sep(), k, t, k)

    def pg_meta(self):
        """psql's own commands and variables: psql runs them, dbmigrate must
        refuse them before running anything."""
        k = self.n()
        form = self.pick(["set", "g", "semi", "encoding", "echo", "gset", "if"])
        if form == "set":
            return "\\set v 'hello'\nINSERT INTO log VALUES (%d, :'v')" % k
        if form == "g":
            return "INSERT INTO log VALUES (%d, 'g') \\g" % k, True
        if form == "semi":
            return "INSERT INTO log VALUES (%d, 'a') \\; INSERT INTO log VALUES (%d, 'b')" % (k, self.n())
        if form == "encoding":
            return "INSERT INTO log VALUES (%d, :'ENCODING')" % k
        if form == "echo":
            return "\\echo hello ; world\nINSERT INTO log VALUES (%d, 'e')" % k
        if form == "gset":
            return "SELECT 'x' AS y \\gset\nINSERT INTO log VALUES (%d, :'y')" % k
        return "\\if true\nINSERT INTO log VALUES (%d, 'if');\n\\endif\n" % k, True

    def pg_error(self):
        return self.pick(["SELECT 1/0", "INSERT INTO no_such_table VALUES (1)",
                          "INSERT INTO log VALUES ('x', 'y')"])

    def pg_statement(self):
        """One or more statements; returns (text, ends_itself) where
        ends_itself says the text already carries its terminator."""
        c = [(40, self.pg_insert), (6, self.pg_scs), (5, self.pg_function), (3, self.pg_do),
             (5, self.pg_atomic), (3, self.pg_copy), (2, self.pg_rule), (2, self.pg_unicode_ident),
             (2, self.pg_meta), (1, self.pg_error)]
        r = self.wpick(c)()
        if isinstance(r, tuple):
            return r
        return r, False

    # ---- MySQL / MariaDB -------------------------------------------------
    def my_literal(self):
        c = [(10, "single"), (2, "introducer"), (1, "hex"), (1, "concat")]
        if not self.ansi:
            c.append((5, "double"))
        k = self.wpick(c)
        esc = not self.nbe
        if k == "single":
            return "'%s'" % self.text("'", esc)
        if k == "double":
            return '"%s"' % self.text('"', esc)
        if k == "introducer":
            return self.pick(["_utf8mb4", "N", "_latin1", "_binary"]) + "'%s'" % self.text("'", esc)
        if k == "hex":
            return self.pick(["X'41424344'", "0x3b3b", "x'3B'"])
        return "CONCAT('%s', %s)" % (self.text("'", esc), "'%s'" % self.text("'", esc))

    def my_insert(self):
        k = self.n()
        w = self.ws
        form = self.wpick([(6, "values"), (2, "select"), (1, "multi"), (1, "arith"), (1, "hint")])
        if form == "values":
            return "%s%s%s log%s%s (%d,%s%s)" % (self.kw("insert"), w(), self.kw("into"), w(),
                                                  self.kw("values"), k, w(), self.my_literal())
        if form == "select":
            alias = '"we;ird\\"' if self.ansi else "`we;ird``id`"
            return "%s %s log %s %d, %s %s %s" % (self.kw("insert"), self.kw("into"), self.kw("select"), k,
                                                  self.my_literal(), self.kw("as"), alias)
        if form == "arith":
            # 5--1 is arithmetic in MySQL, not a comment.
            return "INSERT INTO log VALUES (%d--1-1, %s)" % (k, self.my_literal())
        if form == "hint":
            return "INSERT /*+ NO_ICP(log) */ INTO log VALUES (%d, %s)" % (k, self.my_literal())
        k2 = self.n()
        return "%s %s log %s (%d, %s),%s(%d, %s)" % (self.kw("insert"), self.kw("into"), self.kw("values"), k,
                                                    self.my_literal(), w(), k2, self.my_literal())

    def my_mode_value(self, nbe, ansi):
        names = []
        if nbe:
            names.append(self.pick(["NO_BACKSLASH_ESCAPES", "no_backslash_escapes", "No_Backslash_Escapes"]))
        if ansi:
            names.append(self.pick(["ANSI_QUOTES", "ansi_quotes", "ANSI"]))
        names += self.r.sample(["STRICT_TRANS_TABLES", "NO_ENGINE_SUBSTITUTION", "PIPES_AS_CONCAT",
                                "NO_AUTO_VALUE_ON_ZERO", "TRADITIONAL"], self.r.randint(0, 2))
        self.r.shuffle(names)
        return ",".join(names)

    def my_sql_mode(self):
        """A statement changing sql_mode; returns its text and updates the
        state the rest of the file is generated in."""
        nbe = self.chance(0.6) if not self.nbe else self.chance(0.3)
        ansi = self.chance(0.3)
        form = self.wpick([(5, "set"), (2, "session"), (2, "atat"), (2, "version"), (2, "concat"),
                           (1, "global"), (2, "save-restore"), (1, "default"), (1, "names")])
        mode = self.my_mode_value(nbe, ansi)
        if "ANSI" in mode.upper().replace("ANSI_QUOTES", ""):
            ansi = True
        q = "'" if self.ansi or self.chance(0.7) else '"'
        lit = q + mode + q
        if form == "global":
            # Changes new sessions only, not this one, until SET sql_mode = DEFAULT.
            self.gnbe, self.gansi = nbe, ansi
            return "%s %s sql_mode = %s" % (self.kw("set"), self.kw("global"), lit)
        if form == "concat":
            add = self.pick(["NO_BACKSLASH_ESCAPES", "ANSI_QUOTES"])
            text = "SET sql_mode = CONCAT(@@sql_mode, ',%s')" % add
            if add == "NO_BACKSLASH_ESCAPES":
                self.nbe = True
            else:
                self.ansi = True
            return text
        if form == "save-restore":
            if self.saved is None:
                self.saved = (self.nbe, self.ansi)
                return "SET @saved_mode = @@sql_mode"
            self.nbe, self.ansi = self.saved
            self.saved = None
            return "SET sql_mode = @saved_mode"
        if form == "default":
            self.nbe, self.ansi = self.gnbe, self.gansi
            return "SET sql_mode = DEFAULT"
        if form == "set":
            text = "%s sql_mode%s%s" % (self.kw("set"), self.pick(["=", " = ", " := "]), lit)
        elif form == "session":
            text = "%s %s sql_mode = %s" % (self.kw("set"), self.kw("session"), lit)
        elif form == "atat":
            text = "SET %s = %s" % (self.pick(["@@sql_mode", "@@session.sql_mode", "@@SESSION.SQL_MODE", "@@local.sql_mode"]), lit)
        elif form == "names":
            text = "SET NAMES utf8mb4, sql_mode = %s" % lit
        else:
            text = "/*!40101 SET SQL_MODE=%s */" % lit
        self.nbe, self.ansi = nbe, ansi
        return text

    def my_version(self):
        k = self.n()
        form = self.wpick([(3, "set"), (2, "insert"), (1, "star"), (2, "skipped"), (1, "mariadb"),
                           (1, "hint-only"), (1, "nested")])
        if form == "set":
            v = self.name("v")
            return "/*!40101 SET @%s = %s */;%sINSERT INTO log VALUES (%d, @%s)" % (
                v, self.my_literal(), self.sep(), k, v)
        if form == "insert":
            return "/*!50003 INSERT INTO log VALUES (%d, %s) */" % (k, self.my_literal())
        if form == "star":
            return "/*!50003 INSERT INTO log VALUES (%d, 'a*/b') */" % k
        if form == "skipped":
            return self.pick(["/*M!999999 INSERT INTO log VALUES (%d, 'skipped') */" % k,
                              "/*!999999 SET @x = 1 */"])
        if form == "mariadb":
            return "/*M!100100 INSERT INTO log VALUES (%d, %s) */" % (k, self.my_literal())
        if form == "hint-only":
            return "/*+ MAX_EXECUTION_TIME(1000) */"
        return "INSERT INTO log VALUES (%d /*!40101 + 0 */, %s /*M!100000 */)" % (k, self.my_literal())

    def my_body(self):
        """Statements for a routine body, each ending with ';'."""
        out = []
        for _ in range(self.r.randint(1, 3)):
            f = self.wpick([(5, "insert"), (2, "if"), (1, "case"), (1, "loop"), (1, "while")])
            if f == "insert":
                out.append("INSERT INTO log VALUES (%d, %s);" % (self.n(), self.my_literal()))
            elif f == "if":
                out.append("IF 1 > 0 THEN INSERT INTO log VALUES (%d, %s); END IF;" % (self.n(), self.my_literal()))
            elif f == "case":
                out.append("CASE WHEN 1 > 0 THEN INSERT INTO log VALUES (%d, %s); ELSE BEGIN SET @z = 0; END; END CASE;" % (
                    self.n(), self.my_literal()))
            elif f == "loop":
                lb = self.name("l")
                out.append("%s: LOOP INSERT INTO log VALUES (%d, 'loop;'); LEAVE %s; END LOOP;" % (lb, self.n(), lb))
            else:
                out.append("SET @i = 0; WHILE @i < 1 DO SET @i = @i + 1; INSERT INTO log VALUES (%d, 'while'); END WHILE;" % self.n())
        return "\n    ".join(out)

    def my_delim_block(self):
        """DELIMITER x ... DELIMITER ; around routines and plain statements."""
        d = self.wpick([(4, "//"), (4, "$$"), (2, ";;"), (1, "|"), (1, "!!"), (1, "@@"), (1, "##")])
        spell = self.wpick([(6, d), (1, "'%s'" % d), (1, '"%s"' % d)])
        # The client sees DELIMITER only where a line starts; now and then
        # it follows a statement on the same line, which neither side takes
        # as a command.
        lead = "\n" if self.chance(0.95) else ""
        head = "%s%s %s%s\n" % (lead, self.kw("delimiter"), spell, self.pick(["", "", "  ", " -- note"]))
        old = self.delim
        self.delim = d
        parts = []
        for _ in range(self.r.randint(1, 3)):
            parts.append(self.my_routine(d))
        self.delim = old
        tail = "%s ;%s" % (self.kw("delimiter"), self.pick(["\n", "\n", "  \n"]))
        return head + "\n".join(parts) + "\n" + tail, True

    def my_routine(self, d):
        kind = self.wpick([(4, "proc"), (3, "func"), (3, "trigger"), (2, "anon"), (2, "plain")])
        end = self.pick(["", " ", "\n"]) + d
        if kind == "proc":
            p = self.name("p")
            return "%s %s()\n%s\n    %s\n%s%s\n%s %s()%s" % (
                self.kw("create") + (" " + self.kw("definer") + " = CURRENT_USER" if self.chance(0.2) else "") + " " + self.kw("procedure"),
                p, self.kw("begin"), self.my_body(), self.kw("end"), end, self.kw("call"), p, end)
        if kind == "func":
            f = self.name("f")
            k = self.n()
            return "CREATE FUNCTION %s() RETURNS TEXT DETERMINISTIC\nBEGIN\n  DECLARE v TEXT DEFAULT %s; -- c;\n  RETURN v;\nEND%s\nINSERT INTO log VALUES (%d, %s())%s" % (
                f, self.my_literal(), end, k, f, end)
        if kind == "trigger":
            t = self.name("t")
            k = self.n()
            return "CREATE TABLE %s (s LONGTEXT)%s\nCREATE TRIGGER %s AFTER INSERT ON %s FOR EACH ROW\nBEGIN\n  INSERT INTO log VALUES (%d, NEW.s); # c;\nEND%s\nINSERT INTO %s VALUES (%s)%s" % (
                t, end, self.name("tr"), t, k, end, t, self.my_literal(), end)
        if kind == "anon":
            return "%s %s\n    %s\n%s%s" % (self.kw("begin"), self.kw("not atomic"), self.my_body(), self.kw("end"), end)
        return self.my_insert() + end

    def my_trigger_single(self):
        t = self.name("t")
        k = self.n()
        return ("CREATE TABLE %s (s LONGTEXT);%sCREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW "
                "INSERT INTO log VALUES (%d, CONCAT(NEW.s, ';'));%sINSERT INTO %s VALUES (%s)") % (
            t, self.sep(), self.name("tr"), t, k, self.sep(), t, self.my_literal())

    def my_client(self):
        """The mariadb client's own commands: it runs them, dbmigrate must
        refuse them before running anything."""
        k = self.n()
        form = self.pick(["g", "c", "G", "gline"])
        if form == "g":
            return "INSERT INTO log VALUES (%d, 'g')\\g" % k, True
        if form == "c":
            return "INSERT INTO log VALUES (%d, 'cleared') \\c" % k, True
        if form == "G":
            return "SELECT %d \\G" % k, True
        return "INSERT INTO log VALUES (%d, 'a') \\g INSERT INTO log VALUES (%d, 'b');" % (k, self.n()), True

    def my_nul(self):
        k = self.n()
        return "INSERT INTO log VALUES (%d, 'nul\x00byte')" % k

    def my_dashx(self):
        return "--x not a comment in MySQL\nINSERT INTO log VALUES (%d, 'x')" % self.n()

    def my_error(self):
        return self.pick(["INSERT INTO no_such_table VALUES (1)", "SELECT * FROM nowhere",
                          "INSERT INTO log VALUES (1, 2, 3)"])

    def my_statement(self):
        c = [(40, self.my_insert), (7, self.my_sql_mode), (6, self.my_version), (8, self.my_delim_block),
             (2, self.my_trigger_single), (2, self.my_client), (1, self.my_nul), (1, self.my_dashx),
             (1, self.my_error)]
        r = self.wpick(c)()
        if isinstance(r, tuple):
            return r
        return r, False

    # ---- the file ------------------------------------------------------
    def file(self):
        """Returns the file's bytes."""
        out = []
        if self.chance(0.05):
            out.append("\ufeff")
        if self.chance(0.3):
            out.append(self.sep().lstrip("\n"))
        count = self.r.randint(1, 10)
        for i in range(count):
            text, ends = (self.pg_statement() if self.d == "pg" else self.my_statement())
            out.append(text)
            last = i == count - 1
            if not ends:
                if last and self.chance(0.15):
                    pass  # the last statement needs no terminator
                else:
                    out.append(";")
            if not last or self.chance(0.7):
                out.append(self.sep())
        s = "".join(out)
        # Bare CR line ends (and mixed ones) in one file in ten: enough to
        # catch what they break without hiding every other disagreement
        # behind that one in a bounded run.
        eol = self.wpick([(64, "\n"), (26, "\r\n"), (6, "\r"), (4, "mixed")])
        if eol == "mixed":
            s = "".join(ch if ch != "\n" else self.pick(["\n", "\r\n", "\r"]) for ch in s)
        elif eol != "\n":
            s = s.replace("\n", eol)
        return s.encode("utf-8")


def generate(dialect, seed, case):
    """The bytes of file number `case` for `dialect` ("pg" or "mysql") and seed."""
    return Gen(dialect, seed, case).file()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pg", "mysql"):
        sys.stderr.write("usage: gen.py pg|mysql SEED CASE\n")
        sys.exit(2)
    sys.stdout.buffer.write(generate(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
