#!/usr/bin/env python3
"""shape-coverage.py - how many kernel-type pointer fields that cross in a default split have a
known shape, before and after issue 16 (docs/results.md, "Shape coverage").

For every DIR/<module>/k.db (a `kcut analyze` database of one module with a partition named
`emit`, e.g. from `kcut partition --name emit`), runs

    kcut annotate --explain --no-shapes --no-inference   (before: kcut's earlier rules only)
    kcut annotate --explain                               (after: shape library + inference)

and counts the fields marked "[kernel type]" (the field's struct is not defined in a driver
file): pointers to a struct the DB knows (known by their type) and the others, which need a shape.

  shape-coverage.py --kcut KCUT --dir DIR [--families MODULES.TSV] [--reuse]
--families: modules.tsv of scripts/linux-corpus.sh (module, family, ...) for per-family rows.
--reuse: use DIR/<module>/explain-{before,after}.txt when present (no kcut runs).
"""
import argparse
import collections
import os
import re
import subprocess
import sys

PAT = re.compile(r'^(\S+) \((.*)\)( \[kernel type\])?: (.*)$')


def explain(kcut, db, mode, out, reuse):
    if not (reuse and os.path.exists(out)):
        extra = ["--no-shapes", "--no-inference"] if mode == "before" else []
        r = subprocess.run(["nice", "-n", "15", kcut, "annotate", "--db", db, "--partition", "emit", "--annotations",
                            os.path.join(os.path.dirname(db), "none.ann"), "--explain"] + extra,
                           capture_output=True, text=True)
        with open(out, "w") as f:
            f.write(r.stdout)
        if r.returncode:
            return None, r.stderr.strip()[-200:]
    text = open(out).read()
    if "shapes:" not in text:
        return None, "no summary"
    fields = {}
    lines = text.split("\n")
    for i, l in enumerate(lines):
        m = PAT.match(l)
        if m and m.group(3):
            ev = lines[i + 1].strip().replace("evidence: ", "") if i + 1 < len(lines) else ""
            fields[m.group(1)] = (m.group(4), ev)
    return fields, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcut", default="kcut")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--families")
    ap.add_argument("--reuse", action="store_true")
    a = ap.parse_args()
    fam = {}
    if a.families:
        for l in open(a.families):
            w = l.rstrip("\n").split("\t")
            if len(w) >= 2:
                fam[w[0]] = w[1]
    rows = collections.defaultdict(collections.Counter)
    unknown_after = collections.Counter()
    sources = collections.Counter()
    failed = []
    for mod in sorted(os.listdir(a.dir)):
        db = os.path.join(a.dir, mod, "k.db")
        if not os.path.exists(db):
            continue
        res = {}
        for mode in ("before", "after"):
            res[mode], why = explain(a.kcut, db, mode, os.path.join(a.dir, mod, "explain-%s.txt" % mode), a.reuse)
            if res[mode] is None:
                failed.append("%s (%s: %s)" % (mod, mode, why))
                break
        if res.get("after") is None or res.get("before") is None:
            continue
        for key in (fam.get(mod, "?"), "all"):
            c = rows[key]
            c["modules"] += 1
            for mode in ("before", "after"):
                shapes = [s for s, _ in res[mode].values()]
                c[mode + " cross"] += len(shapes)
                c[mode + " struct"] += sum(s == "struct" for s in shapes)
                c[mode + " known"] += sum(s not in ("struct", "UNKNOWN") for s in shapes)
                c[mode + " unknown"] += sum(s == "UNKNOWN" for s in shapes)
                c[mode + " modules with a question"] += any(s == "UNKNOWN" for s in shapes)
        for k, (s, ev) in res["after"].items():
            if s == "UNKNOWN":
                unknown_after[k] += 1
            elif s != "struct":
                sources["library" if ev.startswith("shape library") else
                        "inferred (issue 16)" if ev.startswith("inferred:") else "earlier rules"] += 1
    print("| family | modules | kernel-type pointer fields crossing | of them pointers to a known struct | "
          "needing a shape | known before | known after | modules with a question before / after |")
    print("|---|---|---|---|---|---|---|---|")
    for key in sorted(rows, key=lambda k: (k == "all", k)):
        c = rows[key]
        need = c["after cross"] - c["after struct"]
        pct = lambda n: "%d (%d%%)" % (n, round(100.0 * n / need)) if need else "0"
        print("| %s | %d | %d | %d | %d | %s | %s | %d / %d |" % (
            key, c["modules"], c["after cross"], c["after struct"], need, pct(c["before known"]),
            pct(c["after known"]), c["before modules with a question"], c["after modules with a question"]))
    print("\nafter, where the known shapes of the fields needing one come from: %s" % dict(sources))
    print("still unknown after (field: modules): %s" % ", ".join("%s: %d" % kv for kv in unknown_after.most_common()))
    if failed:
        print("not measured: %s" % "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
