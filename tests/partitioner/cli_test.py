#!/usr/bin/env python3
"""cli_test.py - the partitioner's commands end to end on a hand-made database.

roots, partition (modes, pins, budgets, profiles), profile import, why, graph (DOT, SVG, and the
message when Graphviz is missing), baseline/check exit codes in every format with the SARIF output
validated against tests/partitioner/sarif-2.1.0-subset.schema.json, a scripted `tune` session
on a pipe and an interactive one on a real pseudo-terminal (tab completion, history recall).

usage: cli_test.py KCUT_BINARY
"""
import json
import os
import pty
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
KCUT = os.path.abspath(sys.argv[1])
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def kcut(*args, stdin=None, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([KCUT] + list(args), input=stdin, capture_output=True, text=True, env=e, timeout=120)
    return p.returncode, p.stdout, p.stderr


def make_db(path):
    c = sqlite3.connect(path)
    c.executescript(open(os.path.join(TOP, "analyzer", "schema.sql")).read())
    c.executescript(open(os.path.join(HERE, "fixtures", "simnic.sql")).read())
    c.commit()
    c.close()


def main():
    tmp = tempfile.mkdtemp(prefix="kcut-cli-")
    db = os.path.join(tmp, "kcut.db")
    make_db(db)
    os.environ["KCUT_DB"] = db
    os.environ.pop("KCUT_TEMPLATES", None)
    fx = os.path.join(HERE, "fixtures")

    rc, out, err = kcut("roots")
    check(rc == 0 and "sn_xmit: root: ndo_start_xmit slot (net template) [atomic context]" in out, "roots: " + out + err)
    check("/src/simnic/simnic.c:150:12: sn_poll: root: NAPI poll" in out, "roots position: " + out)
    check("family net: 4 registrations" in out, "roots family: " + out)

    # a user family from --templates DIR, without recompiling; a broken file in $KCUT_TEMPLATES
    tdir = os.path.join(tmp, "tmpl")
    os.makedirs(tdir)
    with open(os.path.join(tdir, "wdog.tmpl"), "w") as f:
        f.write("family wdog\ndetect api INIT_WORK\nroot macro INIT_WORK atomic watchdog work (wdog template test)\n")
    rc, out, err = kcut("roots", "--templates", tdir, "--family", "wdog")
    check(rc == 0 and "sn_watchdog: root: watchdog work (wdog template test) (wdog template)" in out,
          "user template dir: " + out + err)
    with open(os.path.join(tdir, "broken.tmpl"), "w") as f:
        f.write("family broken\nroot slot nodot irq x\n")
    rc, out, err = kcut("roots", env={"KCUT_TEMPLATES": tdir})
    check(rc == 2 and "broken.tmpl:2: slot rule needs STRUCT.FIELD" in err, "broken template: " + err)

    rc, out, err = kcut("partition", "--mode", "propagate")
    check(rc == 0 and "partition 'propagate'" in out and "kernel: 9 functions" in out, "propagate: " + out + err)
    rc, out, err = kcut("partition", "--pin", "sn_read_phy=user")
    check(rc == 2 and "pin sn_read_phy=user contradicts" in err and "stats_lock" in err, "conflict: %d %s" % (rc, err))
    rc, out, err = kcut("partition", "--mode", "sideways")
    check(rc == 2, "bad mode exit %d" % rc)
    rc, out, err = kcut("partition", "--budget", "10")
    check(rc == 2 and "cannot be met" in err, "budget: " + err)
    rc, out, err = kcut("partition", "--budget", "230", "--beta", "2", "--name", "budget")
    check(rc == 0 and "(z3, alpha 1, beta 2, budget 230 LOC)" in out, "z3 budget: " + out + err)
    rc, out, err = kcut("partition", "--max-kernel-funcs", "10", "--beta", "2", "--name", "card")
    check(rc == 0 and "at most 10 kernel functions" in out and "kernel: 10 functions" in out, "cardinality: " + out + err)
    rc, out, err = kcut("partition", "--max-kernel-funcs", "3")
    check(rc == 2 and "at most 3 kernel functions cannot be met" in err, "cardinality conflict: " + err)
    rc, out, err = kcut("partition", "--db", os.path.join(tmp, "none.db"))
    check(rc == 2 and "no such database" in err, "missing db: " + err)

    rc, out, err = kcut("profile", "import", os.path.join(fx, "simnic.instr"), "--format", "instrument", "--name", "run1")
    check(rc == 0 and "imported 7" in out and "kmalloc" in err, "profile import: %d %s %s" % (rc, out, err))
    rc, out, err = kcut("profile", "import", os.path.join(fx, "simnic.ftrace"), "--format", "ftrace")
    check(rc == 0 and "imported 3" in out and "mystery_helper" in err, "ftrace import: " + out + err)
    rc, out, err = kcut("profile", "import", os.path.join(fx, "simnic.ftrace"), "--format", "instrument")
    check(rc == 2 and "kcut-profile v1" in err, "wrong format: " + err)
    rc, out, err = kcut("partition", "--profile", "run1", "--name", "prof")
    check(rc == 0 and "profile weights" in out and "expected crossings" in out and "per second" in out,
          "profile partition: " + out + err)
    rc, out, err = kcut("partition", "--profile", os.path.join(fx, "simnic.instr"), "--name", "prof2")
    check(rc == 0 and "imported" in err and "expected crossings" in out, "profile file: " + out + err)
    # edges the profile never saw: static estimate (default) or 0 (--profile-unseen zero)
    check("(unseen edges static)" in kcut("partition", "--profile", "run1", "--name", "prof3")[1],
          "default unseen policy is static")
    rc, out, err = kcut("partition", "--profile", "run1", "--profile-unseen", "zero", "--name", "prof0")
    check(rc == 0 and "(unseen edges 0)" in out, "--profile-unseen zero: " + out + err)
    rc, out, err = kcut("partition", "--profile", "run1", "--profile-unseen", "never", "--name", "profx")
    check(rc == 2 and "--profile-unseen is static or zero, not 'never'" in err, "bad --profile-unseen: " + err)
    rc, out, err = kcut("partition", "--help")
    check(rc == 0 and "--profile-unseen" in out, "partition --help names --profile-unseen: " + out)
    rc, out, err = kcut("partition", "--profile-unseen", "zero", "--name", "profy")
    check(rc == 2 and "applies to a --profile" in err, "--profile-unseen without --profile: " + err)

    rc, out, err = kcut("partition", "--beta", "0", "--name", "gate")
    check(rc == 0 and "kernel: 9 functions" in out, "beta 0 is the hard closure: " + out)
    rc, out, err = kcut("why", "sn_update_stats", "--partition", "gate")
    check(rc == 0 and "called with adapter->stats_lock held at /src/simnic/simnic.c:280:3" in out, "why: " + out + err)
    rc, out, err = kcut("why", "sn_nosuch")
    check(rc == 2 and "sn_nosuch" in err, "why unknown: " + err)
    rc, out, err = kcut("why", "sn_config", "--partition", "nosuch")
    check(rc == 2 and "no partition named" in err, "why bad partition: " + err)

    dot = os.path.join(tmp, "g.dot")
    rc, out, err = kcut("graph", "--partition", "gate", "-o", dot)
    text = open(dot).read() if os.path.exists(dot) else ""
    check(rc == 0 and "cluster_kernel" in text and "style=bold" in text, "graph dot: " + out + err)
    rc, out, err = kcut("graph", "--partition", "gate", "--focus", "sn_poll", "--depth", "1", "-o", dot)
    text = open(dot).read()
    check(rc == 0 and "sn_clean_rx" in text and "sn_alloc_rx" not in text, "graph focus")
    svg = os.path.join(tmp, "g.svg")
    if shutil.which("dot"):
        rc, out, err = kcut("graph", "--format", "svg", "-o", svg)
        check(rc == 0 and "<svg" in open(svg).read(), "graph svg: " + err)
    rc, out, err = kcut("graph", "--format", "svg", "-o", svg, env={"PATH": "/nonexistent"})
    check(rc == 2 and "Graphviz 'dot' is not installed" in err, "no dot: " + err)

    base = os.path.join(tmp, "kcut-baseline.json")
    rc, out, err = kcut("baseline", "--partition", "gate", "-o", base)
    b = json.load(open(base))
    check(rc == 0 and b["kernel_loc"] == 204 and len(b["functions"]) == 9, "baseline: " + out + err)
    rc, out, err = kcut("check", "--baseline", base, "--partition", "gate")
    check(rc == 0 and ": ok" in out, "check same: %d %s" % (rc, out))
    kcut("partition", "--beta", "2", "--name", "grown")
    rc, out, err = kcut("check", "--baseline", base, "--partition", "grown")
    check(rc == 1 and "sn_config moved into the kernel half" in out and "/src/simnic/simnic.c:425:13" in out,
          "check grown: %d %s" % (rc, out))
    rc, out, err = kcut("check", "--baseline", base, "--partition", "grown", "--max-growth", "50%", "--format", "json")
    j = json.loads(out)
    check(rc == 1 and j["passed"] is False and not j["grew_past_limit"] and len(j["new_kernel_functions"]) == 2,
          "check json: " + out)
    rc, out, err = kcut("check", "--baseline", base, "--partition", "grown", "--format", "markdown")
    check(rc == 1 and "| `sn_config` | 18 |" in out, "check markdown: " + out)
    sarif = os.path.join(tmp, "kcut.sarif")
    rc, out, err = kcut("check", "--baseline", base, "--partition", "grown", "--format", "sarif", "--srcroot", "/src",
                        "-o", sarif)
    check(rc == 1, "check sarif exit %d %s" % (rc, err))
    try:
        import jsonschema
        doc = json.load(open(sarif))
        schema = json.load(open(os.path.join(HERE, "sarif-2.1.0-subset.schema.json")))
        jsonschema.validate(doc, schema)
        ok = True
    except Exception as e:  # noqa: BLE001 - report any validation failure
        print(e)
        ok = False
    check(ok, "SARIF validates")
    res = [r for r in doc["runs"][0]["results"] if "sn_config" in r["message"]["text"]]
    check(len(res) == 1 and res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "simnic/simnic.c"
          and res[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 425, "SARIF location: %s" % res)
    # growth beyond the threshold without new functions: baseline from the grown cut, shrink, ok
    base2 = os.path.join(tmp, "b2.json")
    kcut("baseline", "--partition", "grown", "-o", base2)
    rc, out, err = kcut("check", "--baseline", base2, "--partition", "gate")
    check(rc == 0 and "left the kernel half: sn_config" in out, "check shrink: %d %s" % (rc, out))
    # a pure LOC threshold: fake a smaller baseline LOC with the same functions
    b2 = json.load(open(base2))
    b2["kernel_loc"] -= 40
    json.dump(b2, open(base2, "w"))
    rc, out, err = kcut("check", "--baseline", base2, "--partition", "grown", "--max-growth", "39")
    check(rc == 1 and "grew by 40 LOC" in out, "check threshold: %d %s" % (rc, out))
    rc, out, err = kcut("check", "--baseline", base2, "--partition", "grown", "--max-growth", "40")
    check(rc == 0, "check at threshold: %d %s" % (rc, out))
    open(base2, "w").write("{ not json")
    rc, out, err = kcut("check", "--baseline", base2)
    check(rc == 2 and "b2.json:1:" in err, "check bad baseline: " + err)

    # scripted tune session
    script = ("show\npin sn_config user\npin sn_read_phy user\nbeta 2\nundo\nredo\nwhy sn_get_regs\ndiff\n"
              "save tuned\ndiff gate\ndiff nosuch\nquit\n")
    rc, out, err = kcut("tune", "--beta", "0.5", stdin=script)
    check(rc == 0, "tune exit %d %s" % (rc, err))
    check("error: pin sn_read_phy=user contradicts" in out and "(nothing changed)" in out, "tune conflict: " + out)
    check("moved to kernel: sn_get_regs" in out, "tune beta: " + out)
    check("moved to user: sn_get_regs" in out, "tune undo: " + out)
    check("sn_get_regs: user -> kernel (25 LOC)" in out, "tune diff: " + out)
    check("saved as partition 'tuned'" in out, "tune save")
    check("1 function differs from gate" in out, "tune diff against a stored partition: " + out)
    check("no cut named 'nosuch'" in out, "tune diff unknown")
    rc, out, err = kcut("why", "sn_config", "--partition", "tuned")
    check(rc == 0 and "pinned to the user half" in out, "tuned stored: " + out + err)

    check(tune_pty(), "tune on a pseudo-terminal")
    shutil.rmtree(tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def tune_pty():
    """Drive `kcut tune` on a real pseudo-terminal: completion and history must work."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(KCUT, [KCUT, "tune", "--beta", "0.5"])
    buf = b""

    def expect(token, timeout=20):
        nonlocal buf
        end = time.time() + timeout
        while token.encode() not in buf:
            if time.time() > end:
                return False
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                buf += data
        return True

    ok = expect("kcut tune> ")
    # libedit redraws the completed word, so look for the completed tails.
    os.write(fd, b"pi\t")              # completes the command: "pin "
    ok = ok and expect("n ")
    os.write(fd, b"sn_con\t")          # completes the function name: "sn_config "
    ok = ok and expect("fig ")
    os.write(fd, b" u\t")              # completes the side: "user"
    ok = ok and expect("ser")
    buf = b""
    os.write(fd, b"\r")
    ok = ok and expect("nothing moved") and expect("kcut tune> ")
    buf = b""
    os.write(fd, b"show\r")            # the completed command was applied
    ok = ok and expect("pin sn_config=user") and expect("kcut tune> ")
    buf = b""
    os.write(fd, b"beta 2\r")
    ok = ok and expect("moved to kernel: sn_get_regs") and expect("kcut tune> ")
    buf = b""
    os.write(fd, b"beta 0.5\r")
    ok = ok and expect("moved to user: sn_get_regs") and expect("kcut tune> ")
    buf = b""
    os.write(fd, b"\x10\x10\r")      # Ctrl-P twice: "beta 2" from the history, run again
    ok = ok and expect("moved to kernel: sn_get_regs") and expect("kcut tune> ")
    os.write(fd, b"quit\r")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    if not ok:
        print("pty transcript:", buf.decode(errors="replace"))
    return ok and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


if __name__ == "__main__":
    sys.exit(main())
