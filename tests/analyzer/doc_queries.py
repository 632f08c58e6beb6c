#!/usr/bin/env python3
"""doc_queries.py KCUT SCHEMA_MD WORKDIR - every example query in docs/schema.md runs without error
on a database made by `kcut analyze` from a few test cases (so the documentation cannot rot)."""
import json
import os
import re
import sqlite3
import subprocess
import sys

kcut, doc, work = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
cases = os.path.join(here, "cases")
os.makedirs(work, exist_ok=True)
db = os.path.join(work, "doc.db")
for sfx in ("", "-wal", "-shm"):
    if os.path.exists(db + sfx):
        os.unlink(db + sfx)
files = ["icall_slot.c", "locks.c", "alloc_kmalloc.c", "globals.c", "shape_opaque.c", "reg_request_irq.c"]
entries = [{"directory": cases, "file": f,
            "arguments": ["cc", "-c", "-nostdinc", "-I" + os.path.join(here, "include"), f]} for f in files]
cc = os.path.join(work, "cc.json")
with open(cc, "w") as fh:
    json.dump(entries, fh)
p = subprocess.run([kcut, "analyze", "-p", cc, "--db", db, "--driver", cases], capture_output=True, text=True)
if p.returncode != 0:
    print("FAIL: kcut analyze exited %d\n%s" % (p.returncode, p.stderr))
    sys.exit(1)
con = sqlite3.connect(db)
text = open(doc).read()
ok = bad = 0
for block in re.findall(r"\n((?:    [^\n]*\n)+)", text):
    sql = "\n".join(l[4:] for l in block.rstrip("\n").split("\n"))
    sql = "\n".join(l for l in sql.split("\n") if not l.strip().startswith("--"))
    for stmt in [s.strip() for s in sql.split(";") if s.strip()]:
        if not stmt.upper().startswith("SELECT"):
            continue
        try:
            con.execute(stmt).fetchall()
            ok += 1
        except sqlite3.Error as e:
            bad += 1
            print("FAIL: %s\n  %s" % (e, stmt))
print("%d passed, %d failed" % (ok, bad))
sys.exit(1 if bad or not ok else 0)
