#!/usr/bin/env python3
"""run_case.py - check one analyzer test case (tests/analyzer/cases/*.c), sparse-validation style.

A case is a small C file whose trailing comment holds what `kcut analyze` must store for it:

    /*
     * check-name: what the case is about
     * check-tu: other.c            (optional, repeatable: sibling files analyzed as more TUs;
     *                               a name that does not exist tests the 'missing' path)
     * check-args: -DFOO             (optional: extra compiler arguments)
     * check-exit: 3                 (optional: expected exit code of kcut analyze, default 0)
     * check-kcut-args: --keep-going (optional: extra arguments of kcut analyze)
     * check-query: SELECT ...       (SQL run on the database; may continue on following
     *                               lines until check-expect)
     * check-expect
     * row|as|sqlite3|prints|it      (NULL prints as an empty string)
     * check-expect-end
     */

The runner writes a compile_commands.json (the case as a `command` string, siblings as
`arguments` arrays), runs kcut analyze with --driver set to the cases directory (so the headers in
tests/analyzer/include are kernel code), then runs each query and compares its rows with the
expectation. --update rewrites the expectations from the current output (review the diff!).

Usage: run_case.py --kcut KCUT CASE.c [--update] [--workdir DIR]
"""
import argparse
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.join(HERE, "include")


def parse_case(text):
    """Return (meta dict, list of (query, expected rows, (start, end) line span of the rows))."""
    lines = text.split("\n")
    meta = {"tu": [], "args": [], "exit": 0, "name": None, "kcut": []}
    checks = []
    i = 0
    while i < len(lines):
        ln = re.sub(r"^\s*\*?\s?", "", lines[i], count=1)
        m = re.match(r"check-(name|tu|args|exit|query|kcut-args):\s*(.*)$", ln)
        if m:
            key, val = m.group(1), m.group(2).strip()
            if key == "name":
                meta["name"] = val
            elif key == "tu":
                meta["tu"].append(val)
            elif key == "args":
                meta["args"] += shlex.split(val)
            elif key == "kcut-args":
                meta["kcut"] += shlex.split(val)
            elif key == "exit":
                meta["exit"] = int(val)
            elif key == "query":
                q = [val]
                i += 1
                while i < len(lines):
                    l2 = re.sub(r"^\s*\*?\s?", "", lines[i], count=1)
                    if l2.strip() == "check-expect":
                        break
                    q.append(l2.strip())
                    i += 1
                start = i + 1
                rows = []
                i += 1
                while i < len(lines):
                    l2 = re.sub(r"^\s*\*?\s?", "", lines[i], count=1)
                    if l2.strip() == "check-expect-end":
                        break
                    rows.append(l2.rstrip())
                    i += 1
                if i >= len(lines):
                    raise SystemExit("%s: check-expect without check-expect-end" % meta.get("name"))
                checks.append((" ".join(q), rows, (start, i)))
        i += 1
    return meta, checks


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcut", required=True)
    ap.add_argument("case")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--workdir")
    a = ap.parse_args()

    case = os.path.abspath(a.case)
    cdir = os.path.dirname(case)
    with open(case) as fh:
        text = fh.read()
    meta, checks = parse_case(text)
    if not meta["name"] or not checks:
        print("%s: needs check-name and at least one check-query" % case)
        return 1
    work = a.workdir or tempfile.mkdtemp(prefix="kcut-case-")
    os.makedirs(work, exist_ok=True)
    base = os.path.splitext(os.path.basename(case))[0]
    db = os.path.join(work, base + ".db")
    for sfx in ("", "-wal", "-shm"):
        if os.path.exists(db + sfx):
            os.unlink(db + sfx)
    flags = ["-nostdinc", "-I" + INCLUDE] + meta["args"]
    entries = [{
        "directory": cdir,
        "file": os.path.basename(case),
        "command": " ".join(shlex.quote(x) for x in
                            ["cc", "-c", "-Wp,-MMD,/nonexistent/%s.d" % base] + flags +
                            ["-o", "/nonexistent/%s.o" % base, os.path.basename(case)]),
    }]
    for tu in meta["tu"]:
        entries.append({"directory": cdir, "file": tu,
                        "arguments": ["gcc", "-c"] + flags + ["-o", "/nonexistent/x.o", tu]})
    ccdb = os.path.join(work, base + ".json")
    with open(ccdb, "w") as fh:
        json.dump(entries, fh, indent=1)
    cmd = [a.kcut, "analyze", "-p", ccdb, "--db", db, "--driver", cdir, "-j", "2"] + meta["kcut"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    failed = 0
    if p.returncode != meta["exit"]:
        print("FAIL %s: kcut analyze exited %d, expected %d\n%s" % (base, p.returncode, meta["exit"],
                                                                  p.stderr))
        failed += 1
    con = sqlite3.connect(db)
    out_lines = text.split("\n")
    # update from the bottom so that line spans stay valid
    for q, exp, span in reversed(checks):
        try:
            got = ["|".join(fmt(v) for v in row) for row in con.execute(q).fetchall()]
        except sqlite3.Error as e:
            print("FAIL %s: query failed: %s\n  %s" % (base, e, q))
            failed += 1
            continue
        if got != exp:
            if a.update:
                out_lines[span[0]:span[1]] = [" * " + g for g in got]
            else:
                failed += 1
                print("FAIL %s (%s)\n  query: %s\n  expected:\n%s\n  got:\n%s" % (
                    base, meta["name"], q, "\n".join("    " + e for e in exp),
                    "\n".join("    " + g for g in got)))
    con.close()
    if a.update:
        with open(case, "w") as fh:
            fh.write("\n".join(out_lines))
    if not a.workdir:
        shutil.rmtree(work, ignore_errors=True)
    print("%s: %s (%d queries, %d failed)" % ("ok" if not failed else "FAIL", base, len(checks), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
