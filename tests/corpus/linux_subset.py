#!/usr/bin/env python3
"""linux_subset.py - the corpus test on real Linux 6.1 drivers (label linux), three per family.

Runs scripts/linux-corpus.sh --modules <subset> --analyze (the corpus build is cached and
resumable; the first run on a fresh machine configures allmodconfig and records the kbuild
commands of the family directories, several minutes on 2 cores), then checks:
  - every selected module got a database whose TUs are exactly the module's sources from its
    kbuild .mod file, each attributed to the module (tu.module), none failed to parse;
  - `kcut stats --per-driver --format csv` gives the numbers in linux_subset.csv (stable numbers;
    after an intended change of the analyzer or partitioner, regenerate with --update);
  - the other formats agree with the CSV (JSON values, Markdown rows);
  - the same modules analyzed into ONE whole-tree database (linux-corpus.sh --whole-tree) have
    every module's TUs attributed, and `kcut stats --db whole.db --per-driver` prints exactly the
    per-module databases' output (module-aware identity, kc_part_graph_load_module).
Usage: linux_subset.py KCUT WORKDIR [--update]
"""
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SUBSET = {
    "net": ["e1000", "8139too", "8139cp"],
    "scsi": ["a100u2w", "initio", "dmx3191d"],
    "sound": ["snd-ens1371", "snd-ens1370", "snd-als4000"],
}
EXPECTED = os.path.join(HERE, "linux_subset.csv")

failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
        print("FAIL " + msg)
    return cond


def main():
    kcut, work = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    out = os.path.join(work, "db")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    mods = ",".join(m for v in SUBSET.values() for m in v)
    r = subprocess.run([os.path.join(TOP, "scripts", "linux-corpus.sh"), "--modules", mods, "--analyze",
                        "--kcut", kcut, "--out", out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    print(r.stdout)
    if r.returncode != 0:
        print("FAIL linux-corpus.sh exited %d" % r.returncode)
        return 1
    cache = subprocess.run([os.path.join(TOP, "scripts", "linux-corpus.sh"), "--print-cache"],
                           stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    srcs = {}
    for line in open(os.path.join(cache, "modules.tsv")):
        m, f, d, s = line.rstrip("\n").split("\t")
        srcs[(f, m)] = sorted(s.split())

    for fam, ms in SUBSET.items():
        for m in ms:
            db = os.path.join(out, fam, m + ".db")
            if not check((fam, m) in srcs, "%s/%s: not in modules.tsv" % (fam, m)) or \
               not check(os.path.exists(db), "%s/%s: no database" % (fam, m)):
                continue
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            rows = con.execute("SELECT f.path, t.module, t.status FROM tu t JOIN file f ON f.id = t.file_id"
                               " ORDER BY f.path").fetchall()
            con.close()
            check(sorted(p for p, _, _ in rows) == srcs[(fam, m)],
                  "%s/%s: TUs %s != module sources %s" % (fam, m, [p for p, _, _ in rows], srcs[(fam, m)]))
            check(all(mod == m for _, mod, _ in rows), "%s/%s: tu.module not attributed: %s" % (fam, m, rows))
            check(all(st in ("ok", "errors") for _, _, st in rows), "%s/%s: TU failed: %s" % (fam, m, rows))
            print("ok   %s/%s: %d TU(s) attributed" % (fam, m, len(rows)))

    def stats(fmt):
        r = subprocess.run([kcut, "stats", "--corpus", out, "--per-driver", "--format", fmt],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(r.returncode == 0, "kcut stats --format %s exited %d: %s" % (fmt, r.returncode, r.stderr))
        return r.stdout

    got = stats("csv")
    if update:
        with open(EXPECTED, "w") as fh:
            fh.write(got)
        print("updated %s" % EXPECTED)
    else:
        want = open(EXPECTED).read()
        if not check(got == want, "kcut stats numbers differ from %s" % EXPECTED):
            for a, b in zip(want.splitlines(), got.splitlines()):
                if a != b:
                    print("  want " + a + "\n  got  " + b)
    rows = list(csv.DictReader(io.StringIO(got)))
    drivers = [x for x in rows if x["driver"]]
    check(len(drivers) == 9, "9 driver rows, got %d" % len(drivers))
    for x in drivers:
        check(int(x["functions"]) > 0 and int(x["roots"]) > 0 and not x["error"],
              "%s: no functions/roots or error %s" % (x["driver"], x["error"]))
        check(0 < int(x["critical_functions"]) <= int(x["functions"]), "%s: critical count" % x["driver"])
    j = json.loads(stats("json"))
    check(len(j["drivers"]) == 9 and j["drivers_failed"] == 0, "json: 9 drivers, 0 failed")
    for a, b in zip(j["drivers"], drivers):
        check(a["driver"] == b["driver"] and a["functions"] == int(b["functions"]) and
              a["mincut_kernel_loc"] == int(b["mincut_kernel_loc"]), "json row %s matches csv" % a["driver"])
    md = stats("markdown")
    check(all(("| %s | %s |" % (x["family"], x["driver"])) in md for x in drivers), "markdown rows")

    # The whole-tree database of the same modules gives the same numbers.
    wout = os.path.join(work, "whole")
    shutil.rmtree(wout, ignore_errors=True)
    r = subprocess.run([os.path.join(TOP, "scripts", "linux-corpus.sh"), "--modules", mods, "--whole-tree",
                        "--kcut", kcut, "--out", wout], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    print(r.stdout)
    if check(r.returncode == 0, "linux-corpus.sh --whole-tree exited %d" % r.returncode):
        con = sqlite3.connect("file:%s?mode=ro" % os.path.join(wout, "whole.db"), uri=True)
        rows = con.execute("SELECT f.path, t.module, t.status FROM tu t JOIN file f ON f.id = t.file_id").fetchall()
        con.close()
        for fam, ms in SUBSET.items():
            for m in ms:
                got_srcs = sorted(p for p, mod, _ in rows if mod == m)
                check(got_srcs == srcs.get((fam, m)), "whole tree: %s TUs %s != %s" % (m, got_srcs, srcs.get((fam, m))))
        check(len(rows) == sum(len(srcs[(f, m)]) for f, ms in SUBSET.items() for m in ms) and
              all(st in ("ok", "errors") for _, _, st in rows), "whole tree: TU count or status: %s" % rows)
        r = subprocess.run([kcut, "stats", "--db", os.path.join(wout, "whole.db"), "--module-families",
                            os.path.join(wout, "modules.tsv"), "--per-driver", "--format", "csv"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(r.returncode == 0, "kcut stats --db whole.db exited %d: %s" % (r.returncode, r.stderr))
        if not check(r.stdout == got, "whole-tree stats differ from the per-module databases'"):
            for a, b in zip(got.splitlines(), r.stdout.splitlines()):
                if a != b:
                    print("  per-module " + a + "\n  whole-tree " + b)
        else:
            print("ok   whole-tree database: same per-driver numbers as the per-module databases")
    print("%d failed checks" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
