#!/usr/bin/env python3
"""safety_test.py - careless input loses or corrupts nothing stored (issue 14, item 4 and 5).

  numbers   every numeric option is parsed strictly (whole string, range) and a bad value is named
            in the message, exit 2: --budget -1, --max-kernel-funcs -3, --depth -1, -j 2x,
            --depth 1e10 (rejected at once instead of hanging); a huge allowed --depth ends
            (graph walks stop when nothing new is reached).
  readonly  roots, why, graph, baseline, check, tune given an empty file as database fail and leave
            it empty; partition and profile import too.
  corrupt   profile import refuses a database whose pages are corrupt and changes no byte of it.
  overwrite partition --name and tune's save refuse to replace a stored partition without --force.
  saturate  profile counts beyond 2^50 saturate (no negative weights).
  emit      emit -o DIR refuses to overwrite a file kcut did not write (a hand-written Makefile),
            --force overwrites it, re-emitting over kcut's own files works; an injected ENOSPC
            (KCUT_TEST_WRITE_FAIL_AFTER) leaves every existing file as it was and no temporary.

usage: safety_test.py KCUT_BINARY
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(TOP, "tests", "partitioner", "fixtures")
KCUT = os.path.abspath(sys.argv[1])
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def kcut(*args, stdin=None, timeout=120):
    p = subprocess.run([KCUT] + list(args), input=stdin, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def make_db(path):
    c = sqlite3.connect(path)
    c.executescript(open(os.path.join(TOP, "analyzer", "schema.sql")).read())
    c.executescript(open(os.path.join(FIXTURES, "simnic.sql")).read())
    c.commit()
    c.close()


def test_numbers(tmp):
    db = os.path.join(tmp, "num.db")
    make_db(db)
    bad = [
        (["partition", "--db", db, "--budget", "-1"], "--budget"),
        (["partition", "--db", db, "--budget", "12x"], "--budget"),
        (["partition", "--db", db, "--budget", ""], "--budget"),
        (["partition", "--db", db, "--budget", " 5"], "--budget"),
        (["partition", "--db", db, "--budget", "99999999999999999999999"], "--budget"),
        (["partition", "--db", db, "--max-kernel-funcs", "-3"], "--max-kernel-funcs"),
        (["partition", "--db", db, "--alpha", "nan"], "--alpha"),
        (["partition", "--db", db, "--beta", "inf"], "--beta"),
        (["partition", "--db", db, "--alpha", "-0.5"], "--alpha"),
        (["graph", "--db", db, "--focus", "sn_poll", "--depth", "-1"], "--depth"),
        (["graph", "--db", db, "--focus", "sn_poll", "--depth", "1e10"], "--depth"),
        (["graph", "--db", db, "--focus", "sn_poll", "--depth", "2.5"], "--depth"),
        (["analyze", "--db", os.path.join(tmp, "never.db"), "-j", "2x"], "-j"),
        (["analyze", "--db", os.path.join(tmp, "never.db"), "-j", "0"], "-j"),
        (["check", "--db", db, "--baseline", os.path.join(tmp, "nb.json"), "--max-growth", "inf"],
         "--max-growth"),
    ]
    before = open(db, "rb").read()
    for args, opt in bad:
        rc, out, err = kcut(*args, timeout=60)
        check(rc == 2 and opt in err, "%s: exit 2 naming %s (got %d, %r)" % (" ".join(args[:1] + args[3:]), opt,
                                                                          rc, err.strip()))
    check(open(db, "rb").read() == before, "rejected options changed nothing in the database")
    check(not os.path.exists(os.path.join(tmp, "never.db")), "-j 2x created no database")
    # the largest allowed depth ends (stops when a round reaches nothing new)
    rc, out, err = kcut("partition", "--db", db, "--name", "p")
    check(rc == 0, "partition for graph: %s" % err)
    dot = os.path.join(tmp, "g.dot")
    rc, out, err = kcut("graph", "--db", db, "--partition", "p", "--focus", "sn_poll", "--depth", "1000000",
                        "-o", dot, timeout=60)
    check(rc == 0 and "sn_poll" in open(dot).read(), "graph --depth 1000000 ends: %d %s" % (rc, err))


def test_readonly(tmp):
    empty = os.path.join(tmp, "empty.db")
    for cmd in (["roots"], ["why", "sn_poll"], ["graph", "-o", os.path.join(tmp, "x.dot")],
                ["baseline", "-o", os.path.join(tmp, "b.json")],
                ["check", "--baseline", os.path.join(tmp, "b.json")], ["tune"], ["partition"],
                ["profile", "import", os.path.join(FIXTURES, "simnic.instr"), "--format", "instrument"]):
        open(empty, "w").close()
        rc, out, err = kcut(*(cmd[:1] + ["--db", empty] + cmd[1:]), stdin="quit\n")
        check(rc == 2 and "empty database" in err and os.path.getsize(empty) == 0,
              "%s on an empty file: exit 2, file still empty (got %d, %d bytes, %r)" %
              (cmd[0], rc, os.path.getsize(empty), err.strip()[-200:]))
    # read-only commands open the database read-only: a read-write open switches it to WAL (a header
    # change) and leaves -wal/-shm files; a read-only one changes no byte
    db = os.path.join(tmp, "ro.db")
    make_db(db)
    before = open(db, "rb").read()
    for cmd in (["roots"], ["why", "sn_poll"], ["graph", "-o", os.path.join(tmp, "y.dot")]):
        rc, out, err = kcut(*(cmd[:1] + ["--db", db] + cmd[1:]))
        check(rc in (0, 2), "%s ran: %d %s" % (cmd[0], rc, err.strip()[-200:]))
        check(open(db, "rb").read() == before and not os.path.exists(db + "-wal"),
              "%s changed no byte of the database" % cmd[0])


def test_corrupt(tmp):
    db = os.path.join(tmp, "corrupt.db")
    make_db(db)
    c = sqlite3.connect(db)
    psize = c.execute("PRAGMA page_size").fetchone()[0]
    npages = c.execute("PRAGMA page_count").fetchone()[0]
    # the root page of table func: overwrite its b-tree page header with garbage
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'func'").fetchone()[0]
    c.close()
    check(npages > root > 1, "fixture has a func table page")
    with open(db, "r+b") as f:
        f.seek((root - 1) * psize)
        f.write(b"\x0d\xff\xff\xff\xff\x00\x00\xff" * 64)
    before = open(db, "rb").read()
    rc, out, err = kcut("profile", "import", os.path.join(FIXTURES, "simnic.instr"), "--format", "instrument",
                        "--db", db)
    check(rc == 2 and "corrupt" in err, "profile import on a corrupt database refused: %d %r" % (rc, err.strip()))
    check(open(db, "rb").read() == before, "the corrupt database is byte for byte unchanged")
    check(not os.path.exists(db + "-wal") or os.path.getsize(db + "-wal") == 0, "no WAL written")
    # the same import into an intact database works
    good = os.path.join(tmp, "good.db")
    make_db(good)
    rc, out, err = kcut("profile", "import", os.path.join(FIXTURES, "simnic.instr"), "--format", "instrument",
                        "--db", good)
    check(rc == 0, "profile import on an intact database: %d %s" % (rc, err))


def test_overwrite(tmp):
    db = os.path.join(tmp, "over.db")
    make_db(db)
    rc, out, err = kcut("partition", "--db", db, "--mode", "propagate", "--name", "mine")
    check(rc == 0, "first partition --name mine: %s" % err)
    c = sqlite3.connect(db)
    first = c.execute("SELECT mode, params FROM partition WHERE name = 'mine'").fetchone()
    c.close()
    rc, out, err = kcut("partition", "--db", db, "--mode", "mincut", "--beta", "3", "--name", "mine")
    check(rc == 2 and "exists" in err and "--force" in err, "second partition --name mine refused: %d %r" %
          (rc, err.strip()))
    c = sqlite3.connect(db)
    check(c.execute("SELECT mode, params FROM partition WHERE name = 'mine'").fetchone() == first,
          "the stored partition is unchanged")
    c.close()
    rc, out, err = kcut("partition", "--db", db, "--mode", "mincut", "--beta", "3", "--name", "mine", "--force")
    c = sqlite3.connect(db)
    check(rc == 0 and c.execute("SELECT mode FROM partition WHERE name = 'mine'").fetchone()[0] == "mincut",
          "partition --force replaces it: %d %s" % (rc, err))
    c.close()
    # the default name (the mode) is a scratch slot each run replaces
    for _ in range(2):
        rc, out, err = kcut("partition", "--db", db, "--mode", "propagate")
        check(rc == 0, "partition without --name re-run: %s" % err)
    # tune: save over a stored partition needs --force
    rc, out, err = kcut("tune", "--db", db, "--partition", "mine", stdin="alpha 5\nsave mine\nquit\n")
    check("exists" in out and "saved as partition 'mine'" not in out, "tune save refuses: %r" % out[-300:])
    rc, out, err = kcut("tune", "--db", db, "--partition", "mine", stdin="save other\nsave mine --force\nquit\n")
    check(out.count("saved as partition") == 2, "tune save NEW and save NAME --force: %r" % out[-300:])


def test_saturate(tmp):
    db = os.path.join(tmp, "sat.db")
    make_db(db)
    prof = os.path.join(tmp, "huge.instr")
    with open(prof, "w") as f:
        f.write("# kcut-profile v1 duration_s=1\n")
        f.write("sn_poll sn_clean_rx 9223372036854775807\n")
        f.write("sn_poll sn_clean_rx 9223372036854775807\n")
        f.write("sn_poll sn_clean_rx 99999999999999999999999999\n")
    rc, out, err = kcut("profile", "import", prof, "--format", "instrument", "--name", "huge", "--db", db)
    check(rc == 0, "import of huge counts: %d %s" % (rc, err))
    c = sqlite3.connect(db)
    row = c.execute("SELECT min(count), max(count) FROM profile_edge e JOIN profile p ON p.id = e.profile_id "
                    "WHERE p.name = 'huge'").fetchone()
    c.close()
    check(row == (1 << 50, 1 << 50), "counts saturate at 2^50: %r" % (row,))
    rc, out, err = kcut("partition", "--db", db, "--profile", "huge", "--name", "h")
    check(rc == 0, "partition with the saturated profile: %d %s" % (rc, err))


def emit_db(tmp):
    """tests/emitter/drv1 analyzed, with its partition inserted as run_emit.py does."""
    sys.path.insert(0, os.path.join(TOP, "tests", "emitter"))
    import run_emit
    case = os.path.join(TOP, "tests", "emitter", "drv1")
    srcs = sorted(f for f in os.listdir(case) if f.endswith(".c") and f != "host.c")
    with open(os.path.join(tmp, "compile_commands.json"), "w") as f:
        json.dump([{"directory": case, "file": s, "arguments": ["cc", "-I" + run_emit.KINC, "-c", s]}
                   for s in srcs], f)
    db = os.path.join(tmp, "emit.db")
    rc, out, err = kcut("analyze", "-p", tmp, "--db", db, "--driver", case, "--no-progress")
    check(rc == 0, "analyze drv1: %s" % err)
    run_emit.insert_partition(db, case)
    return db, os.path.join(case, "annotations.txt")


def snapshot(top):
    tree = {}
    for root, _, files in os.walk(top):
        for fn in files:
            p = os.path.join(root, fn)
            tree[os.path.relpath(p, top)] = open(p, "rb").read()
    return tree


def test_emit(tmp):
    db, ann = emit_db(tmp)
    args = ["emit", "--db", db, "--partition", "test", "-q"]
    if os.path.exists(ann):
        args += ["--annotations", ann]
    out = os.path.join(tmp, "out")
    os.makedirs(out)
    mine = "# my own Makefile\nall:\n\techo hand-written\n"
    with open(os.path.join(out, "Makefile"), "w") as f:
        f.write(mine)
    rc, o, err = kcut(*(args + ["-o", out]))
    check(rc == 2 and "Makefile exists and kcut did not write it" in err,
          "emit refuses to overwrite a hand-written Makefile: %d %r" % (rc, err.strip()[-300:]))
    check(snapshot(out) == {"Makefile": mine.encode()}, "nothing was written next to it")
    rc, o, err = kcut(*(args + ["-o", out, "--force"]))
    check(rc == 0 and b"generated by kcut" in open(os.path.join(out, "Makefile"), "rb").read(),
          "emit --force overwrites it: %d %s" % (rc, err[-300:]))
    first = snapshot(out)
    check(len(first) > 5, "emit wrote the split driver (%d files)" % len(first))
    # kcut's own files are replaced without --force
    rc, o, err = kcut(*(args + ["-o", out]))
    check(rc == 0 and snapshot(out) == first, "re-emit over kcut's own files: %d %s" % (rc, err[-300:]))
    # an injected full disk on the 3rd file: every file as it was, no temporary left
    for f in first:
        if f.endswith(".c"):
            with open(os.path.join(out, f), "ab") as fh:
                fh.write(b"/* generated by kcut, do not edit (older run) */\n")
            break
    before = snapshot(out)
    p = subprocess.run([KCUT] + args + ["-o", out], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, KCUT_TEST_WRITE_FAIL_AFTER="2"))
    check(p.returncode == 2 and "No space left on device" in p.stderr and "no existing file was changed" in p.stderr,
          "injected ENOSPC reported: %d %r" % (p.returncode, p.stderr.strip()[-300:]))
    after = snapshot(out)
    check(after == before, "after the failed write every file is as it was (no truncated file)")
    check(not any("kcut-tmp" in f for f in after), "no temporary left behind")


def main():
    tmp = tempfile.mkdtemp(prefix="kcut-safety-")
    os.environ.pop("KCUT_DB", None)
    os.environ.pop("KCUT_TEMPLATES", None)
    try:
        test_numbers(tmp)
        test_readonly(tmp)
        test_corrupt(tmp)
        test_overwrite(tmp)
        test_saturate(tmp)
        test_emit(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
