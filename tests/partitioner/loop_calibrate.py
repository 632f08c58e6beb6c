#!/usr/bin/env python3
"""loop_calibrate.py - measure how often the loops of a test driver run, against the static estimate.

    loop_calibrate.py --kcut KCUT --kcut-sim KCUT_SIM --build BUILD --driver NAME=SCENARIO_DIR...
                      --work DIR [--csv OUT] [--check]

The cost model (docs/partitioner.md, "Loop trip counts") prices a call site by the product of its
enclosing loops' trip estimates, per call of the function. This script measures the same quantity:
the driver is compiled again with gcc --coverage (the flags of BUILD's compile_commands.json for the
driver, sanitizers dropped), every scenario *.sim of its SCENARIO_DIR runs under kcut-sim, and gcov's
line counts give
for each loop (analyzer table `loop`, `kcut analyze` of the driver)

    measured = (the line count most lines of the loop have, lines of nested loops and lines that
                never ran excluded; ties: the larger) / (the same for the enclosing loop, or the function's call count at
                depth 1)

i.e. how often a statement of the loop runs per run of what encloses it. `kcut loops` prints each
loop's class and static estimate; both are joined by (function, line). Output: one row per loop
that ran (--csv), and per class (the drivers pooled) the number of loops, the static estimate(s),
the measured mean / median / min / max and the median of measured / estimate. With --check, exit 1
when a calibrated class does not describe what runs: the wait estimate not within a factor 2 of
the measured mean, or for counted, ring and search loops (estimate: their bound) the median of
measured / estimate not within a factor 2. Poll and other loops are printed, not checked (no poll
loop runs in the model's drivers; other is not calibrated). Loops whose function never ran are
counted as "not reached".
"""
import argparse
import csv
import json
import os
import shlex
import sqlite3
import statistics
import subprocess
import sys


def build_cov(build, driver, work):
    cdb = json.load(open(os.path.join(build, "testdrivers", "drivers", driver, "compile_commands.json")))
    objs = []
    cc = "gcc"
    for e in cdb:
        args = shlex.split(e["command"]) if "command" in e else list(e["arguments"])
        cc = args[0]
        obj = os.path.join(work, os.path.basename(e["file"])[:-2] + ".o")
        args[args.index("-o") + 1] = obj
        args = [a for a in args if not a.startswith("-fsanitize") and not a.startswith("-fno-sanitize")]
        args[1:1] = ["--coverage", "-O0"]
        subprocess.check_call(args, cwd=e["directory"])
        objs.append(obj)
    so = os.path.join(work, driver + "_cov.so")
    subprocess.check_call([cc, "-shared", "--coverage", "-o", so] + objs)
    return so, objs


def gcov_counts(objs, work):
    """{(abs file, line): count}, {function name: call count}"""
    lines, funcs = {}, {}
    for o in objs:
        gcda = o[:-2] + ".gcda"
        if not os.path.exists(gcda):
            continue
        out = subprocess.run(["gcov", "--json-format", "--stdout", gcda], cwd=work, check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        for doc in out.decode().splitlines():
            if not doc.strip():
                continue
            for f in json.loads(doc)["files"]:
                path = os.path.realpath(f["file"])
                for ln in f["lines"]:
                    k = (path, ln["line_number"])
                    lines[k] = max(lines.get(k, 0), ln["count"])
                for fn in f["functions"]:
                    funcs[fn["name"]] = funcs.get(fn["name"], 0) + fn["execution_count"]
    return lines, funcs


def static_loops(kcut, db):
    """{(func, file, line): (class, estimate)} from `kcut loops --db DB` (tab-separated)"""
    out = subprocess.run([kcut, "loops", "--db", db], check=True, stdout=subprocess.PIPE).stdout.decode()
    res = {}
    for row in out.splitlines():
        if row.startswith("#") or not row.strip():
            continue
        f = row.split("\t")
        fn, where, cls, est = f[0], f[1], f[2], float(f[3])
        path, line = where.rsplit(":", 2)[0], int(where.rsplit(":", 2)[1])
        res[(fn, os.path.realpath(path), line)] = (cls, est)
    return res


def measure(a, driver, scenarios, work):
    """rows (function, loop, kind, bound, bound_expr, early_exit, class, estimate, parent_runs, body_runs,
    measured, driver) of the loops of driver that ran, and {class: loops not reached}"""
    os.makedirs(work, exist_ok=True)
    for f in os.listdir(work):
        if f.endswith((".gcda", ".gcno", ".o", ".so", ".db")):
            os.unlink(os.path.join(work, f))
    so, objs = build_cov(a.build, driver, work)
    scen = sorted(os.path.join(os.path.abspath(scenarios), f) for f in os.listdir(scenarios) if f.endswith(".sim"))
    for s in scen:
        r = subprocess.run([a.kcut_sim, "--driver", so, s], cwd=work, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if r.returncode not in (0, 1):  # 1: a scenario that expects a FAIL/BUG line
            sys.exit("FAIL: kcut-sim %s exited %d:\n%s" % (s, r.returncode, r.stderr.decode()[-2000:]))
    lines, funcs = gcov_counts(objs, work)
    db = os.path.join(work, driver + ".db")
    cdb = os.path.join(a.build, "testdrivers", "drivers", driver, "compile_commands.json")
    subprocess.check_call([a.kcut, "analyze", "-p", cdb, "--db", db, "--no-progress"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    est = static_loops(a.kcut, db)
    con = sqlite3.connect(db)
    loops = con.execute("SELECT l.id, f.name, fl.path, l.kind, l.depth, l.line, l.end_line, l.bound_kind, "
                        "COALESCE(l.bound_expr, ''), l.early_exit FROM loop l JOIN func f ON f.id = l.func_id "
                        "JOIN file fl ON fl.id = l.file_id ORDER BY f.name, l.line").fetchall()
    con.close()
    byfn = {}
    for lp in loops:
        byfn.setdefault(lp[1], []).append(lp)

    def inner(lp):
        """the loops of lp's function directly inside lp (not 'once': a do { } while (0) is one statement)"""
        return [q for q in byfn[lp[1]] if q[4] == lp[4] + 1 and q[3] != "once" and q[5] >= lp[5] and
                q[6] <= lp[6] and q != lp]

    def body_count(lp):
        path = os.path.realpath(lp[2])
        skip = set()
        for q in inner(lp):
            skip.update(range(q[5], q[6] + 1))
        cs = [lines[(path, n)] for n in range(lp[5], lp[6] + 1)
              if n not in skip and lines.get((path, n), 0) > 0]
        if not cs:
            return 0
        # the count most lines of the loop have (ties: the larger): the statements that run on every
        # trip; error paths run less, a line with two blocks (a macro's branch) twice as often
        return max(set(cs), key=lambda c: (cs.count(c), c))

    def parent_count(lp):
        outer = [q for q in byfn[lp[1]] if q[4] == lp[4] - 1 and q[3] != "once" and q[5] <= lp[5] and q[6] >= lp[6]]
        if lp[4] > 1 and outer:
            return body_count(outer[0])
        return funcs.get(lp[1], 0)

    rows, notrun = [], {}
    for lp in loops:
        if lp[3] == "once":
            continue
        cls, e = est.get((lp[1], os.path.realpath(lp[2]), lp[5]), ("?", float("nan")))
        p = parent_count(lp)
        if p == 0:
            notrun[cls] = notrun.get(cls, 0) + 1
            continue
        b = body_count(lp)
        rows.append((lp[1], "%s:%d" % (os.path.basename(lp[2]), lp[5]), lp[3], lp[7], lp[8], lp[9], cls, e,
                     p, b, b / p, driver))
    return rows, notrun


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kcut", required=True)
    ap.add_argument("--kcut-sim", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--driver", action="append", required=True, help="DRIVER=SCENARIO_DIR, repeatable")
    ap.add_argument("--work", required=True)
    ap.add_argument("--csv")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    rows, notrun = [], {}
    for d in a.driver:
        name, scen = d.split("=", 1)
        r, n = measure(a, name, scen, os.path.join(os.path.abspath(a.work), name))
        rows += r
        for k, v in n.items():
            notrun[k] = notrun.get(k, 0) + v
    if a.csv:
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["function", "loop", "kind", "bound", "bound_expr", "early_exit", "class", "estimate",
                        "parent_runs", "body_runs", "measured", "driver"])
            w.writerows(rows)
    bad = []
    print("%-8s %6s %11s %16s %9s %9s %9s %9s %13s" % ("class", "loops", "not reached", "static estimate", "mean",
                                                       "median", "min", "max", "measured/est"))
    for cls in sorted(set(r[6] for r in rows) | set(notrun)):
        sel = [r for r in rows if r[6] == cls]
        if not sel:
            print("%-8s %6d %11d" % (cls, 0, notrun.get(cls, 0)))
            continue
        m = [r[10] for r in sel]
        es = sorted(set(r[7] for r in sel))
        ratio = statistics.median(r[10] / r[7] for r in sel)
        print("%-8s %6d %11d %16s %9.2f %9.2f %9.2f %9.2f %13.2f" % (
            cls, len(m), notrun.get(cls, 0), ",".join("%g" % e for e in es[:4]) + (",..." if len(es) > 4 else ""),
            statistics.mean(m), statistics.median(m), min(m), max(m), ratio))
        # the calibrated classes: wait (one estimate: within a factor 2 of the measured mean), and
        # the classes that take their bound (the median of measured / estimate within a factor 2)
        if cls == "wait" and not all(statistics.mean(m) / 2 <= e <= statistics.mean(m) * 2 for e in es):
            bad.append("wait: static estimate %s is not within a factor 2 of the measured mean %.2f (%s)" %
                       (es, statistics.mean(m), sorted(m)))
        if cls in ("counted", "ring", "search") and not 0.5 <= ratio <= 2:
            bad.append("%s: measured / estimate is %.2f (median over %d loops), not within a factor 2" %
                       (cls, ratio, len(m)))
    for r in rows:
        print("  %-7s %-34s %-22s %-6s %-6s %-5s %-8s est %-7g runs %7d / %-7d = %8.2f  %s" % (
            r[11], r[0], r[1], r[2], r[3], "early" if r[5] else "", r[6], r[7], r[9], r[8], r[10], r[4][:40]))
    for b in bad:
        print("FAIL: " + b)
    if a.check:
        print("%d passed, %d failed" % (0 if bad else 1, 1 if bad else 0))
    return 1 if (bad and a.check) else 0


if __name__ == "__main__":
    sys.exit(main())
