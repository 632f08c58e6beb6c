#!/usr/bin/env python3
"""figure2.py - the Figure 2 tables of docs/results.md from a whole-tree corpus database.

Runs `kcut stats --db DIR/whole.db --module-families DIR/modules.tsv --per-driver --format csv`
(DIR: the --out directory of `scripts/linux-corpus.sh --whole-tree`), keeps the modules whose
every TU is stored (the TU count equals the number of sources DIR/module-map.tsv gives the module:
an interrupted analysis leaves the module it was working on incomplete, and modules not reached
have no TU at all), and prints the Markdown tables: per class the paper's 2.6.18 numbers beside
the pooled 6.1 percentages, then the totals. Exit 1 if kcut stats fails.

Usage: corpus/figure2.py KCUT DIR [--csv OUT.csv]
"""
import csv
import io
import subprocess
import sys
import time

PAPER = {"net": (134, "27.8%"), "scsi": (49, "26.1%"), "sound": (272, "7.8%")}
INT = ("tus", "tus_bad", "functions", "loc", "roots", "critical_functions", "critical_loc",
       "mincut_kernel_functions", "mincut_kernel_loc", "kernel_imports", "crossing_edges",
       "kernel_rule_functions", "forward_kernel_functions", "forward_kernel_loc")


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "-"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    kcut, d = sys.argv[1], sys.argv[2].rstrip("/")
    t0 = time.time()
    r = subprocess.run([kcut, "stats", "--db", d + "/whole.db", "--module-families", d + "/modules.tsv",
                        "--per-driver", "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    secs = time.time() - t0
    if r.returncode not in (0, 3):
        sys.stderr.write(r.stderr)
        return 1
    if "--csv" in sys.argv:
        open(sys.argv[sys.argv.index("--csv") + 1], "w").write(r.stdout)
    expected, family = {}, {}
    for line in open(d + "/module-map.tsv"):
        src, m = line.rstrip("\n").split("\t")
        expected[m] = expected.get(m, 0) + 1
    for line in open(d + "/modules.tsv"):
        m, f = line.split("\t")[:2]
        family[m] = f
    rows = [x for x in csv.DictReader(io.StringIO(r.stdout)) if x["driver"]]
    for x in rows:
        for k in INT:
            x[k] = int(x[k])
    done = [x for x in rows if not x["error"] and x["tus"] == expected.get(x["driver"], -1)]
    failed = [x for x in rows if x["error"]]
    fams = ["net", "scsi", "sound"]
    print("kcut stats: %.0f s; %d modules with TUs, %d complete, %d with an error row" %
          (secs, len(rows), len(done), len(failed)))
    print()
    print("| class | 2.6.18 (paper) drivers | 2.6.18 % critical functions | 6.1 modules analyzed (of) "
          "| 6.1 % critical functions | 6.1 % critical LOC | 6.1 min-cut kernel LOC % (device access none) "
          "| 6.1 default min-cut kernel LOC % (forward) | 6.1 modules with >= 1 root "
          "| % critical functions, those only |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    tot = {}
    for f in fams + ["all"]:
        sel = [x for x in done if f == "all" or x["family"] == f]
        of = sum(1 for m in family if f == "all" or family[m] == f)
        s = {k: sum(x[k] for x in sel) for k in INT}
        tot[f] = (len(sel), s)
        rooted = [x for x in sel if x["roots"] > 0]
        rf = sum(x["functions"] for x in rooted)
        rc = sum(x["critical_functions"] for x in rooted)
        paper = PAPER.get(f, (455, "(not given)"))
        print("| %s | %d | %s | %d (%d) | %s | %s | %s | %s | %d | %s |" %
              (f, paper[0], paper[1], len(sel), of, pct(s["critical_functions"], s["functions"]),
               pct(s["critical_loc"], s["loc"]), pct(s["mincut_kernel_loc"], s["loc"]),
               pct(s["forward_kernel_loc"], s["loc"]), len(rooted), pct(rc, rf)))
    print()
    print("| class | modules | TUs | TUs not ok | functions | LOC | roots | critical functions | critical LOC "
          "| min-cut kernel functions | min-cut kernel LOC | kernel-rule functions | kernel imports | crossing edges "
          "| default (forward) kernel functions | default (forward) kernel LOC |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in fams + ["all"]:
        n, s = tot[f]
        print("| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |" %
              (f, n, s["tus"], s["tus_bad"], s["functions"], s["loc"], s["roots"], s["critical_functions"],
               s["critical_loc"], s["mincut_kernel_functions"], s["mincut_kernel_loc"],
               s["kernel_rule_functions"], s["kernel_imports"], s["crossing_edges"],
               s["forward_kernel_functions"], s["forward_kernel_loc"]))
    missing = sorted((m for m in family if m not in {x["driver"] for x in done}),
                     key=lambda m: (family[m], -expected.get(m, 0)))
    print()
    for f in fams:
        ms = [m for m in missing if family[m] == f]
        print("missing %s (%d): %s" % (f, len(ms), ", ".join("%s (%d TUs)" % (m, expected.get(m, 0))
                                                          for m in ms[:20]) + (" ..." if len(ms) > 20 else "")))
    for x in failed:
        print("error %s/%s: %s" % (x["family"], x["driver"], x["error"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
