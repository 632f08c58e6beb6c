#!/usr/bin/env python3
"""library_test.py - the kernel shape library, the kernel-type inference, --explain and the
proposals of `kcut annotate` (issue 16; CTest emitter_shape_library, label emitter).

Case tests/emitter/shape/library: lib.c's user half reads kfw.data (a kernel type's pointer whose
length is its field `size`), passes kport.queue (a pointer to a struct nobody defines) back to the
kernel and indexes kport.scratch (nothing says how long).

  library_test.py --kcut KCUT
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASE = os.path.join(HERE, "library")
sys.path.insert(0, os.path.dirname(HERE))
import run_emit  # noqa: E402  (insert_partition, KINC)

fails = []


def check(ok, what, detail=""):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        fails.append(what)
        if detail:
            print(detail[-3000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcut", required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kcut-shapes-")
    src = os.path.join(CASE, "lib.c")
    with open(os.path.join(tmp, "compile_commands.json"), "w") as f:
        json.dump([{"directory": CASE, "file": src, "arguments": ["cc", "-I" + run_emit.KINC, "-c", src]}], f)
    db = os.path.join(tmp, "k.db")
    r = subprocess.run([a.kcut, "analyze", "-p", tmp, "--db", db, "--driver", CASE, "--no-progress"],
                       capture_output=True, text=True)
    if r.returncode:
        print("FAIL kcut analyze: %s" % r.stderr)
        return 1
    run_emit.insert_partition(db, CASE)
    lib = os.path.join(CASE, "shapes")
    ann = os.path.join(tmp, "kcut.annotations")

    def kcut(*args, stdin=subprocess.DEVNULL):
        return subprocess.run([a.kcut] + list(args), capture_output=True, text=True, stdin=stdin)

    base = ["--db", db, "--partition", "test", "--annotations", ann]
    # 1. without the case's library: two questions, each with a proposal and its evidence
    r = kcut("annotate", *base)
    check(r.returncode == 1 and "kfw.data (const u8 *): shape unknown" in r.stdout and
          "kport.scratch (u8 *): shape unknown" in r.stdout, "annotate without the library asks for kfw.data and "
          "kport.scratch", r.stdout + r.stderr)
    text = open(ann).read() if os.path.exists(ann) else ""
    check("#? kfw.data array size\n" in text and "#? kport.scratch array scratch_len\n" in text and
          "evidence: size is the only length-like integer field of struct kfw" in text,
          "annotate wrote the proposals, commented, with their evidence", text)
    r = kcut("annotate", *base)
    again = open(ann).read()
    check(again == text, "a second annotate does not repeat the proposals", again)
    r = kcut("emit", *base, "-o", os.path.join(tmp, "refused"))
    check(r.returncode == 1 and "kfw.data" in r.stderr and not os.path.exists(os.path.join(tmp, "refused")),
          "emit refuses while proposals are unconfirmed", r.stderr)
    # 2. with the library: kfw.data known, with the entry's evidence; the inference gives kport.queue
    r = kcut("annotate", *base, "--shapes", lib, "--explain")
    check(r.returncode == 0 and "kfw.data (const u8 *) [kernel type]: array size\n  evidence: shape library " + lib +
          "/test.shapes:3: kshape.h: \"size bytes\"" in r.stdout, "--explain: kfw.data from the library with its "
          "evidence", r.stdout + r.stderr)
    check("kport.queue (struct kqueue *) [kernel type]: opaque\n  evidence: inferred: opaque handle: struct kqueue is "
          "not defined" in r.stdout, "--explain: kport.queue inferred opaque", r.stdout)
    check("kport.scratch (u8 *) [kernel type]: UNKNOWN" in r.stdout and "proposed: array scratch_len" in r.stdout,
          "--explain: kport.scratch unknown, with the proposal", r.stdout)
    check("fwtab.codes (const u16 *): array 3\n  evidence: inferred: array 3: every store the driver makes is the "
          "address of a static array of 3 elements (code_tab, 1 store)" in r.stdout,
          "--explain: fwtab.codes inferred from the static array it is assigned", r.stdout)
    check("shapes: 4 pointer fields cross, 3 known, 1 unknown; of kernel types: 3 cross, 2 known, 1 unknown" in r.stdout,
          "--explain counts", r.stdout)
    r = kcut("annotate", *base, "--shapes", lib, "--explain", "--no-inference")
    check("kport.queue (struct kqueue *) [kernel type]: UNKNOWN" in r.stdout and
          "fwtab.codes (const u16 *): UNKNOWN" in r.stdout, "--no-inference: kport.queue and fwtab.codes unknown",
          r.stdout)
    r = kcut("annotate", *base, "--shapes", lib, "--explain=kfw.data")
    check(r.returncode == 0 and r.stdout.count("\n  crosses in: fw_parse\n") == 1, "--explain=FIELD shows one field",
          r.stdout)
    # 3. the user confirms a proposal (deletes '#? '): emit goes through
    with open(ann, "w") as f:
        f.write(text.replace("#? kport.scratch array scratch_len", "kport.scratch array scratch_len"))
    out = os.path.join(tmp, "out")
    r = kcut("emit", *base, "--shapes", lib, "-o", out)
    check(r.returncode == 0 and os.path.exists(os.path.join(out, "user", "lib.c")), "emit with the library and the "
          "confirmed proposal", r.stderr)
    iface = open(os.path.join(out, "interface.txt")).read() if r.returncode == 0 else ""
    check("in   kfw: size data(array size)" in iface and "in   kport: queue(opaque) scratch(array scratch_len)" in iface,
          "interface.txt: kfw.data as an array of size, kport.queue a handle", iface)
    if os.environ.get("KCUT_SHOW_IFACE"):
        print(iface)
    # 4. the user's line wins over the library
    with open(ann, "a") as f:
        f.write("kfw.data array 4\n")
    r = kcut("annotate", *base, "--shapes", lib, "--explain=kfw.data")
    check("kfw.data (const u8 *) [kernel type]: array 4\n  evidence: annotation" in r.stdout,
          "the annotation file wins over the library", r.stdout)
    # 5. a bad library line is an error with file:line; a conflicting duplicate too
    bad = os.path.join(tmp, "badlib")
    os.makedirs(bad)
    with open(os.path.join(bad, "a.shapes"), "w") as f:
        f.write("# x\nannot kfw.data arry size\n")
    r = kcut("annotate", *base, "--shapes", bad)
    check(r.returncode == 2 and "a.shapes:2" in r.stderr and "unknown shape 'arry'" in r.stderr,
          "a malformed library line: exit 2 naming file:line", r.stderr)
    with open(os.path.join(bad, "a.shapes"), "w") as f:
        f.write("annot kfw.data array size\nannot kfw.data opaque\n")
    r = kcut("annotate", *base, "--shapes", bad)
    check(r.returncode == 2 and "a.shapes:2: kfw.data is given a different shape" in r.stderr,
          "two different entries for one field in one directory: exit 2", r.stderr)
    with open(os.path.join(bad, "a.shapes"), "w") as f:
        f.write("kfw.data array size\n")
    r = kcut("annotate", *base, "--shapes", bad)
    check(r.returncode == 2 and "expected 'annot STRUCT.FIELD SHAPE" in r.stderr, "a line without 'annot': exit 2",
          r.stderr)
    # 6. on a terminal, 'y' takes the proposal (kport.scratch), 'skip' leaves the question open
    import pty
    import select
    import time
    tty_ann = os.path.join(tmp, "tty.annotations")
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(a.kcut, [a.kcut, "annotate", "--db", db, "--partition", "test", "--annotations", tty_ann,
                          "--shapes", lib])
    out = b""
    end = time.time() + 60
    answered = False
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not answered and b"shape? [y (the proposal)" in out:
            os.write(fd, b"y\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    saved = open(tty_ann).read() if os.path.exists(tty_ann) else ""
    check(answered and os.WEXITSTATUS(status) == 0 and saved == "kport.scratch array scratch_len\n",
          "on a terminal, 'y' saves the proposal", "exit %d file %r output %r" % (os.WEXITSTATUS(status), saved,
                                                                               out[-600:]))
    # 7. kcut's own library is read (and --no-shapes skips it): its files parse
    r = kcut("annotate", *base, "--explain")
    check(r.returncode == 0, "kcut's own shape library loads", r.stderr)
    print("library_test: %s" % ("all passed" if not fails else "%d failed" % len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
