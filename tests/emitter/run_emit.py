#!/usr/bin/env python3
"""run_emit.py - the emitter's end-to-end tests (CTest label `emitter`).

A case is a directory under tests/emitter/ holding a small driver (*.c, include/), a file
partition.txt ("function side [reason [detail]]" per line) and expectations. A file `tus` lists
the translation units when not every .c file is one (included/: a .c file another #includes).
A case that only
varies another case's annotations holds a file `sources` naming, relative to itself, the case
directory whose driver it reuses (e.g. `../unions`) instead of a copy of the driver.

  golden/            the emitted tree, paths normalised (@CASE@, @KINC@, @SRC@); compared file by file.
                     Files that every case emits alike (include/kcut_marshal.h, the runtime's
                     marshaling helpers) are kept once, in tests/emitter/golden-shared/, and
                     every case's output is compared with that copy
  expect_errors.txt  instead of golden/: emit must exit 1, print each line of this file (a
                     substring, with @CASE@ for the case dir) on stderr, and write nothing
  expect_warnings.txt with golden/: emit succeeds and prints each line (a substring) on stderr
  transcript.txt     with --rt-lib: host.c run against the original driver and against the split
                     driver (kernel half in the host, user half as its own process) must both
                     print exactly this
  hostile.txt        with transcript.txt: the split driver once more with KCUT_REGOFF_HOSTILE=1
                     (host.c gives the user half hostile values); its output must contain each
                     line (a substring), and not those starting with '!' (hostile_run)

Steps: kcut analyze -> the partition inserted with SQL (not `kcut partition`, so the goldens do
not move when the partitioner's tuning does) -> kcut emit -> compare -> compile every generated
.c with -Wall -Wextra -Werror -> (optional) build and run both halves.

  run_emit.py --kcut KCUT --case DIR [--update] [--cc CC] [--rt-lib A --common-lib A --cflags F]
  --update rewrites golden/ and transcript.txt from the current output (review with git diff).
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_GOLDEN = os.path.join(HERE, "golden-shared")
SRC = os.path.dirname(os.path.dirname(HERE))
KINC = os.path.join(HERE, "include")  # the kernel-like header every case shares
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def normalise(text, case):
    return text.replace(case, "@CASE@").replace(KINC, "@KINC@").replace(SRC, "@SRC@")


def insert_partition(db, case):
    con = sqlite3.connect(db)
    cur = con.cursor()
    with open(os.path.join(case, "partition.txt")) as f:
        lines = f.read().splitlines()
    # "params: JSON" sets the partition's parameters (device_access ...)
    params = [ln[7:].strip() for ln in lines if ln.startswith("params:")]
    cur.execute("INSERT INTO partition(name, mode, params) VALUES('test', 'propagate', ?)",
                (params[0] if params else "{}",))
    pid = cur.lastrowid
    if True:
        for line in lines:
            if line.startswith("params:"):
                continue
            line = line.split("#")[0].split(None, 3)
            if not line:
                continue
            name, side = line[0], line[1]
            reason = line[2] if len(line) > 2 else "pin"
            detail = line[3].strip() if len(line) > 3 else "test partition"
            rows = cur.execute("SELECT id FROM func WHERE name = ? AND is_driver = 1", (name,)).fetchall()
            if len(rows) != 1:
                fail("partition.txt: %s matches %d driver functions" % (name, len(rows)))
                continue
            cur.execute("INSERT INTO partition_func(partition_id, func_id, side, reason, detail) "
                        "VALUES(?, ?, ?, ?, ?)", (pid, rows[0][0], side, reason, detail))
    con.commit()
    con.close()


def read_tree(top):
    """{path relative to top: text} of every file below top."""
    tree = {}
    for root, _, files in os.walk(top):
        for fn in files:
            p = os.path.join(root, fn)
            with open(p) as f:
                tree[os.path.relpath(p, top)] = f.read()
    return tree


def compare_tree(out, golden, case, update):
    got = {rel: normalise(text, case) for rel, text in read_tree(out).items()}
    shared = read_tree(SHARED_GOLDEN)
    if update:
        shutil.rmtree(golden, ignore_errors=True)
        for rel, text in got.items():
            top = SHARED_GOLDEN if rel in shared else golden
            os.makedirs(os.path.dirname(os.path.join(top, rel)), exist_ok=True)
            with open(os.path.join(top, rel), "w") as f:
                f.write(text)
        print("updated %s (%d files, %d of them in %s)" % (golden, len(got), len(set(got) & set(shared)),
                                                          SHARED_GOLDEN))
        return
    want = dict(shared)
    want.update(read_tree(golden))
    for rel in sorted(set(want) | set(got)):
        if rel not in got:
            fail("%s: expected in the output, not generated" % rel)
        elif rel not in want:
            fail("%s: generated, not in golden/ (run regen-goldens.sh and review)" % rel)
        elif want[rel] != got[rel]:
            import difflib
            diff = difflib.unified_diff(want[rel].splitlines(), got[rel].splitlines(), "golden/" + rel,
                                        "output/" + rel, lineterm="", n=2)
            fail("%s differs from golden:\n%s" % (rel, "\n".join(list(diff)[:60])))


def compile_all(out, case, cc, cflags):
    incs = ["-I" + os.path.join(out, "include"), "-I" + os.path.join(SRC, "rt"),
            "-I" + os.path.join(SRC, "common"), "-I" + KINC, "-I" + case]
    n = 0
    for half in ("kernel", "user"):
        d = os.path.join(out, half)
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".c"):
                continue
            r = run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-c",
                     os.path.join(d, fn), "-o", os.devnull] + incs + cflags)
            n += 1
            if r.returncode:
                fail("%s/%s does not compile with -Wall -Wextra -Werror:\n%s" % (half, fn, r.stderr[:3000]))
    print("compiled %d generated files with %s -Wall -Wextra -Werror" % (n, cc))
    return incs


def end_to_end(args, case, out, tmp, incs, drv_sources):
    cflags = args.cflags.split()
    libs = [args.rt_lib, args.common_lib, "-lpthread"]
    host = os.path.join(case, "host.c")
    base = [args.cc, "-std=c11", "-D_GNU_SOURCE", "-g"] + cflags
    unsplit = os.path.join(tmp, "unsplit")
    r = run(base + ["-I" + KINC, "-I" + case, host] + drv_sources + ["-o", unsplit])
    if r.returncode:
        fail("the original driver does not build with host.c:\n" + r.stderr[:3000])
        return
    khost = os.path.join(tmp, "split_kernel")
    kfiles = [os.path.join(out, "kernel", f) for f in sorted(os.listdir(os.path.join(out, "kernel")))]
    r = run(base + ["-DKCUT_SPLIT"] + incs + [host] + kfiles + libs + ["-o", khost])
    if r.returncode:
        fail("the kernel half does not link with host.c:\n" + r.stderr[:3000])
        return
    uhalf = os.path.join(tmp, "split_user")
    ufiles = [os.path.join(out, "user", f) for f in sorted(os.listdir(os.path.join(out, "user")))]
    r = run(base + incs + ufiles + libs + ["-o", uhalf])
    if r.returncode:
        fail("the user half does not link:\n" + r.stderr[:3000])
        return
    a = run([unsplit], timeout=60)
    trace = os.path.join(tmp, "trace.txt")
    b = run([khost, uhalf], timeout=120, env=dict(os.environ, KCUT_TRACE=trace))
    if a.returncode or b.returncode:
        fail("runs failed: unsplit rc %d, split rc %d\n--- unsplit stderr\n%s\n--- split stderr\n%s" %
             (a.returncode, b.returncode, a.stderr[-3000:], b.stderr[-3000:]))
    tpath = os.path.join(case, "transcript.txt")
    if args.update:
        with open(tpath, "w") as f:
            f.write(a.stdout)
        print("updated " + tpath)
    want = ""
    if os.path.exists(tpath):
        with open(tpath) as f:
            want = f.read()
    if a.stdout != want:
        fail("the original driver's transcript differs from transcript.txt:\n" + a.stdout)
    if b.stdout != want:
        import difflib
        fail("the split driver's transcript differs from the original's:\n" + "\n".join(
            difflib.unified_diff(want.splitlines(), b.stdout.splitlines(), "original", "split", lineterm="")) +
            "\n--- split stderr\n" + b.stderr[-3000:])
    else:
        print("split and original transcripts identical (%d lines)" % len(want.splitlines()))
    profile_flow(args, trace, tmp, case)
    hostile_run(case, khost, uhalf)


def hostile_run(case, khost, uhalf):
    """A case with hostile.txt: the split driver once more with KCUT_REGOFF_HOSTILE=1 (host.c hands
    the user half values it must not get away with); the output must hold each line of hostile.txt
    (a substring; lines starting with '!' must NOT appear) and the host must exit 0."""
    path = os.path.join(case, "hostile.txt")
    if not os.path.exists(path):
        return
    r = run([khost, uhalf], timeout=120, env=dict(os.environ, KCUT_REGOFF_HOSTILE="1"))
    out = r.stdout + r.stderr
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    bad = [l for l in lines if (l[1:] in out if l.startswith("!") else l not in out)]
    if r.returncode or bad:
        fail("hostile run (KCUT_REGOFF_HOSTILE=1): rc %d, expectations not met: %s\n--- output\n%s" %
             (r.returncode, bad, out[-4000:]))
    else:
        print("hostile run: %d expectations met" % len(lines))


def profile_flow(args, trace, tmp, case):
    """The split run's crossing trace imports as a profile and drives a min-cut. The edges it
    must contain: the case's trace_edges.txt (one per line), else drv1's."""
    db = os.path.join(tmp, "k.db")
    if not os.path.exists(trace):
        fail("the split run wrote no crossing trace")
        return
    with open(trace) as f:
        text = f.read()
    edges = ("drv_open", "request_irq", "drv_change_mtu")
    if os.path.exists(os.path.join(case, "trace_edges.txt")):
        with open(os.path.join(case, "trace_edges.txt")) as f:
            edges = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for edge in edges:
        if edge not in text:
            fail("crossing trace lacks %s:\n%s" % (edge, text))
    r = run([args.kcut, "profile", "import", trace, "--format", "instrument", "--name", "run", "--db", db])
    if r.returncode:
        fail("kcut profile import of the crossing trace: exit %d\n%s" % (r.returncode, r.stderr))
        return
    r = run([args.kcut, "partition", "--db", db, "--mode", "mincut", "--profile", "run", "--name", "from-trace"])
    if r.returncode:
        fail("kcut partition --profile (from the crossing trace): exit %d\n%s" % (r.returncode, r.stderr))
    else:
        print("crossing trace imported as a profile; min-cut with it: ok")


def proposals_flow(args, case, db, tmp):
    """A refused case: kcut annotate exits 1 and writes each '#? ' line of annotate_proposals.txt
    into the annotation file; confirmed (the '#? ' deleted), emit succeeds."""
    ann = os.path.join(tmp, "proposals.annotations")
    r = run([args.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", ann], stdin=subprocess.DEVNULL)
    with open(os.path.join(case, "annotate_proposals.txt")) as f:
        want = [l.rstrip("\n") for l in f if l.startswith("#? ")]
    got = open(ann).read() if os.path.exists(ann) else ""
    if r.returncode != 1 or any(w not in got.splitlines() for w in want):
        fail("annotate: exit %d (want 1), proposals %r not all in:\n%s%s" % (r.returncode, want, got, r.stderr))
        return
    with open(ann, "w") as f:
        f.write("".join(w[3:] + "\n" for w in want))
    r = run([args.kcut, "emit", "--db", db, "--partition", "test", "-o", os.path.join(tmp, "confirmed"), "-q",
             "--annotations", ann])
    if r.returncode:
        fail("emit with the confirmed proposals: exit %d\n%s" % (r.returncode, r.stderr))
    else:
        print("annotate proposed %d line(s); confirmed, emit succeeds" % len(want))


def annotate_flow(args, case, db, tmp):
    """Unknown shape: emit refuses naming the field, annotate lists it and exits 1; with an
    annotation file both succeed."""
    ann = os.path.join(tmp, "kcut.annotations")
    r = run([args.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", ann], stdin=subprocess.DEVNULL)
    with open(os.path.join(case, "annotate_expect.txt")) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    if r.returncode != 1:
        fail("annotate without annotations: exit %d, want 1\n%s%s" % (r.returncode, r.stdout, r.stderr))
    for l in lines:
        if l not in r.stdout:
            fail("annotate did not list %r:\n%s" % (l, r.stdout))
    with open(ann, "w") as f:
        f.write("# no annotations yet\n")
    r = run([args.kcut, "emit", "--db", db, "--partition", "test", "-o", os.path.join(tmp, "refused"),
             "--annotations", ann])
    if r.returncode != 1 or "shape is unknown" not in r.stderr or os.path.exists(os.path.join(tmp, "refused")):
        fail("emit with an unknown shape: exit %d (want 1, nothing written)\n%s" % (r.returncode, r.stderr))
    with open(ann, "w") as f:
        f.write("# test annotations\nmsg.datq array len\n")
    r = run([args.kcut, "emit", "--db", db, "--partition", "test", "-o", os.path.join(tmp, "bad"),
             "--annotations", ann])
    if r.returncode != 1 or "unknown field msg.datq" not in r.stderr:
        fail("an annotation naming a missing field must be an error: exit %d\n%s" % (r.returncode, r.stderr))
    # annotate refuses what emit refuses (issue 14: it used to call this file complete)
    r = run([args.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", ann], stdin=subprocess.DEVNULL)
    if r.returncode == 0 or "unknown field msg.datq" not in r.stderr:
        fail("annotate must refuse the file emit refuses: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    # a named annotation file that does not exist is an error for emit (not an empty file)
    r = run([args.kcut, "emit", "--db", db, "--partition", "test", "-o", os.path.join(tmp, "noann"),
             "--annotations", os.path.join(tmp, "no-such-file")])
    if r.returncode != 2 or "no-such-file" not in r.stderr or os.path.exists(os.path.join(tmp, "noann")):
        fail("emit --annotations MISSING must fail naming the file: exit %d\n%s" % (r.returncode, r.stderr))
    with open(ann, "w") as f:
        f.write("msg.data array\n")
    r = run([args.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", ann], stdin=subprocess.DEVNULL)
    if r.returncode != 2 or "needs an argument" not in r.stderr:
        fail("a malformed annotation must be a usage error with file:line: exit %d\n%s" % (r.returncode, r.stderr))
    os.unlink(ann)
    interactive(args, db, ann)
    r = run([args.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", ann], stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        fail("annotate with the annotation: exit %d, want 0\n%s%s" % (r.returncode, r.stdout, r.stderr))


def interactive(args, db, ann):
    """kcut annotate on a terminal: a wrong answer is explained and asked again, a right one is
    appended to the annotation file."""
    import pty
    import select
    import time
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(args.kcut, [args.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", ann])
    out = b""

    def read_until(token, timeout=30, times=1):
        nonlocal out
        end = time.time() + timeout
        while out.count(token) < times and time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    break
        return out.count(token) >= times

    ok = read_until(b"shape?")
    os.write(fd, b"array\n")
    ok = ok and read_until(b"needs an argument")
    ok = ok and read_until(b"shape?", times=2)
    os.write(fd, b"array len\n")
    read_until(b"\x00", timeout=5)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = open(ann).read() if os.path.exists(ann) else ""
    if not ok or os.WEXITSTATUS(status) != 0 or "msg.data array len" not in text:
        fail("interactive annotate: prompts ok=%s exit %d file %r output %r" %
             (ok, os.WEXITSTATUS(status), text, out[-500:]))
    else:
        print("interactive annotate: re-asked after a bad answer, saved the good one")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcut", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--rt-lib")
    ap.add_argument("--common-lib")
    ap.add_argument("--cflags", default="")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    case = os.path.abspath(args.case if os.path.isdir(args.case) else
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), args.case))
    tmp = tempfile.mkdtemp(prefix="kcut-emit-")
    try:
        src_dir = case
        if os.path.exists(os.path.join(case, "sources")):
            with open(os.path.join(case, "sources")) as f:
                src_dir = os.path.normpath(os.path.join(case, f.read().strip()))
        drv_sources = sorted(os.path.join(src_dir, f) for f in os.listdir(src_dir)
                             if f.endswith(".c") and f != "host.c")
        if os.path.exists(os.path.join(src_dir, "tus")):
            # the translation units, when not every .c file is one (a .c file the others #include)
            with open(os.path.join(src_dir, "tus")) as f:
                drv_sources = sorted(os.path.join(src_dir, l.strip()) for l in f if l.strip())
        ccdb = [{"directory": src_dir, "file": f, "arguments": ["cc", "-I" + KINC, "-c", f]}
                for f in drv_sources]
        with open(os.path.join(tmp, "compile_commands.json"), "w") as f:
            json.dump(ccdb, f)
        db = os.path.join(tmp, "k.db")
        r = run([args.kcut, "analyze", "-p", tmp, "--db", db, "--driver", src_dir, "--no-progress"])
        if r.returncode:
            fail("kcut analyze: exit %d\n%s" % (r.returncode, r.stderr))
            raise SystemExit
        insert_partition(db, case)
        out = os.path.join(tmp, "out")
        ann = os.path.join(case, "annotations.txt")
        emit = [args.kcut, "emit", "--db", db, "--partition", "test", "-o", out, "-q"]
        if os.path.exists(os.path.join(case, "annotate_proposals.txt")):
            proposals_flow(args, case, db, tmp)
        if os.path.exists(os.path.join(case, "annotate_expect.txt")):
            annotate_flow(args, case, db, tmp)
            emit += ["--annotations", os.path.join(tmp, "kcut.annotations")]
        elif os.path.exists(ann):
            emit += ["--annotations", ann]
        r = run(emit)
        exp = os.path.join(case, "expect_errors.txt")
        if os.path.exists(exp):
            with open(exp) as f:
                lines = [l.rstrip("\n").replace("@CASE@", case) for l in f if l.strip() and not l.startswith("#")]
            if r.returncode != 1:
                fail("emit: exit %d, want 1\n%s" % (r.returncode, r.stderr))
            for l in lines:
                if l not in r.stderr:
                    fail("emit did not report %r; stderr:\n%s" % (l, r.stderr))
            if os.path.exists(out):
                fail("emit wrote %s despite the errors" % out)
            print("emit refused with %d expected finding(s)" % len(lines))
        else:
            if r.returncode:
                fail("emit: exit %d\n%s" % (r.returncode, r.stderr))
                raise SystemExit
            wexp = os.path.join(case, "expect_warnings.txt")
            if os.path.exists(wexp):
                with open(wexp) as f:
                    wl = [l.rstrip("\n").replace("@CASE@", case) for l in f if l.strip() and not l.startswith("#")]
                for l in wl:
                    if l not in r.stderr:
                        fail("emit did not warn %r; stderr:\n%s" % (l, r.stderr))
                print("emit warned %d expected warning(s)" % len(wl))
            compare_tree(out, os.path.join(case, "golden"), case, args.update)
            incs = compile_all(out, case, args.cc, args.cflags.split())
            if args.rt_lib and os.path.exists(os.path.join(case, "host.c")):
                end_to_end(args, case, out, tmp, incs, drv_sources)
    except SystemExit:
        pass
    finally:
        if args.keep:
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (0 if failures else 1, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
