#!/usr/bin/env python3
"""Delta debugging of a migration file that makes dbmigrate and a client
disagree: the smallest file found that still disagrees the same way.

minimize(data, still) removes chunks of the file while still(smaller) is
true: first whole lines (a line keeps its own line ending, so LF, CRLF, CR
and mixed files stay as they were), in halves, quarters, ... down to single
lines (Zeller's ddmin, complement steps only), then the same on the pieces
of each line cut after every ';' and at white space. Each call of still()
runs the file on both sides, so the calls are bounded in number and time.
"""
import re
import time


def _lines(data):
    """data cut after each line ending (\\n, \\r\\n or a bare \\r)."""
    return [p for p in re.split(rb"(?<=\n)|(?<=\r)(?!\n)", data) if p]


def _pieces(data):
    """data cut after each ';' and before each run of white space."""
    return [p for p in re.split(rb"(?<=;)|(?=[ \t]+)", data) if p]


def _ddmin(chunks, still, budget, deadline):
    """Removes chunks while still(b"".join(rest)) holds, until the budget of
    calls or the deadline (time.time()) runs out; returns the chunks left and
    the budget left."""
    n = 2
    while len(chunks) >= 2 and budget > 0 and time.time() < deadline:
        size = max(1, len(chunks) // n)
        removed = False
        i = 0
        while i < len(chunks) and budget > 0 and time.time() < deadline:
            rest = chunks[:i] + chunks[i + size:]
            budget -= 1
            if rest and still(b"".join(rest)):
                chunks = rest
                removed = True
                n = max(n - 1, 2)
            else:
                i += size
        if not removed:
            if size == 1:
                break
            n = min(n * 2, len(chunks))
    return chunks, budget


def minimize(data, still, budget=400, seconds=None):
    """Returns the smallest file found for which still() holds (data itself
    when nothing could be removed) within `budget` calls and `seconds`.
    still(data) is assumed true."""
    deadline = time.time() + seconds if seconds else float("inf")
    chunks, budget = _ddmin(_lines(data), still, budget, deadline)
    data = b"".join(chunks)
    chunks, budget = _ddmin(_pieces(data), still, budget, deadline)
    return b"".join(chunks)


if __name__ == "__main__":
    # Self-check: keep the lines holding both 'x' and 'y'.
    text = b"a\nx\r\nb\rc\ny\nd\n"
    got = minimize(text, lambda d: b"x" in d and b"y" in d)
    assert got in (b"x\r\ny\n", b"xy\n", b"x\r\ny"), got
    print("ok")
