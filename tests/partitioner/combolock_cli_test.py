#!/usr/bin/env python3
"""combolock_cli_test.py - `kcut partition --combolocks` on simsnd (partitioner/locks.c, issue 13).

simsnd as it is: reg_lock is taken by snd_simsnd_prepare (process context), snd_simsnd_interrupt
(interrupt handler) and simsnd_ctrl_update, which trigger (atomic) calls: the lock cannot be a
combolock, --combolocks changes no side, `kcut why snd_simsnd_prepare` says why (ctrl_update,
trigger), params "combolocks" is []. Under --device-access none there is no verdict.

A copy of simsnd whose simsnd_ctrl_update does not take reg_lock (so only the interrupt handler
and process-context code take it): reg_lock may be a combolock; without the option prepare stays
kernel and its why says it could move; with it snd_simsnd_prepare is a user-half function, params
"combolocks" is ["reg_lock"], and `kcut emit` refuses the partition naming the lock.

usage: combolock_cli_test.py KCUT SIMSND_BUILD_DIR SRCDIR WORKDIR
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys

kcut, bdir, src, work = sys.argv[1:5]
os.makedirs(work, exist_ok=True)
failed = passed = 0


def check(cond, what):
    global failed, passed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def run(db, *args):
    env = dict(os.environ, KCUT_DB=db)
    env.pop("KCUT_TEMPLATES", None)
    p = subprocess.run([kcut] + list(args), capture_output=True, text=True, env=env, timeout=300, cwd=work)
    return p.returncode, p.stdout, p.stderr


def analyze(name, drv_dir, cc):
    db = os.path.join(work, name + ".db")
    if os.path.exists(db):
        os.unlink(db)
    rc, out, err = run(db, "analyze", "-p", cc, "--driver", drv_dir, "--no-progress")
    check(rc == 0, "%s: analyze exit %d %s" % (name, rc, err[-400:]))
    return db


def sides(db, name):
    c = sqlite3.connect(db)
    rows = dict(c.execute("SELECT f.name, pf.side FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
                          "JOIN func f ON f.id = pf.func_id WHERE p.name = ?", (name,)).fetchall())
    c.close()
    return rows


def params(db, name):
    c = sqlite3.connect(db)
    row = c.execute("SELECT params FROM partition WHERE name = ?", (name,)).fetchone()
    c.close()
    return json.loads(row[0]) if row else None


cc = os.path.join(bdir, "compile_commands.json")
if not os.path.exists(cc):
    print("%s missing (build the simsnd_compdb target)" % cc)
    sys.exit(77)
snd = os.path.join(src, "testdrivers", "drivers", "simsnd")

# 1. simsnd as it is: refused because of trigger -> simsnd_ctrl_update
db = analyze("simsnd", snd, cc)
rc, out, err = run(db, "partition", "--device-access", "forward", "--name", "plain")
check(rc == 0, "partition plain: %d %s" % (rc, err))
rc, out, err = run(db, "partition", "--device-access", "forward", "--combolocks", "--name", "cl")
check(rc == 0, "partition --combolocks: %d %s" % (rc, err))
check(sides(db, "plain") == sides(db, "cl") and sides(db, "cl"), "simsnd: --combolocks changed a side")
check(params(db, "cl").get("combolocks") == [], "simsnd params: %s" % params(db, "cl"))
check("combolocks" not in params(db, "plain"), "plain params: %s" % params(db, "plain"))
rc, out, err = run(db, "why", "snd_simsnd_prepare", "--partition", "cl")
check(rc == 0 and "kernel half (lock)" in out and
      "combolock: not for spinlock reg_lock: simsnd_ctrl_update takes it in atomic context (called by "
      "snd_simsnd_trigger, reached from snd_simsnd_trigger (root: snd_pcm_ops.trigger" in out and
      "can neither wait for the user half nor be deferred" in out, "why prepare: " + out + err)
rc, out, err = run(db, "partition", "--device-access", "none", "--combolocks", "--name", "none")
check(rc == 0, "partition none: %d %s" % (rc, err))
rc, out, err = run(db, "why", "snd_simsnd_prepare", "--partition", "none", "--device-access", "none")
check(rc == 0 and "combolock" not in out, "why under none: " + out + err)

# 2. a copy whose ctrl_update does not take reg_lock: the interrupt handler is the only atomic taker
copy = os.path.join(work, "simsnd_irqonly")
shutil.rmtree(copy, ignore_errors=True)
shutil.copytree(snd, copy)
main = os.path.join(copy, "simsnd_main.c")
text = open(main).read()
head, rest = text.split("void simsnd_ctrl_update(", 1)
body, tail = rest.split("\n}\n", 1)
n = body.count("&chip->reg_lock")
body = body.replace("\tspin_lock_irqsave(&chip->reg_lock, flags);\n", "\t(void)flags;\n")
body = body.replace("\n\tspin_unlock_irqrestore(&chip->reg_lock, flags);", "")
check(n == 2 and "reg_lock" not in body, "could not drop ctrl_update's lock (%d sites)" % n)
open(main, "w").write(head + "void simsnd_ctrl_update(" + body + "\n}\n" + tail)
entries = json.load(open(cc))
for e in entries:
    e["file"] = e["file"].replace(snd, copy)
    e["command"] = e["command"].replace(snd + "/", copy + "/")
cc2 = os.path.join(work, "compile_commands.json")
json.dump(entries, open(cc2, "w"))
db2 = analyze("irqonly", copy, cc2)
rc, out, err = run(db2, "partition", "--device-access", "forward", "--name", "plain")
check(rc == 0, "irqonly partition: %d %s" % (rc, err))
rc, out, err = run(db2, "why", "snd_simsnd_prepare", "--partition", "plain")
check(rc == 0 and "kernel half (lock)" in out and "combolock: spinlock reg_lock may be a combolock" in out and
      "snd_simsnd_interrupt (interrupt handler: deferred while the user half holds it)" in out and
      "(not asked for: kcut partition --combolocks)" in out, "irqonly why (plain): " + out + err)
rc, out, err = run(db2, "partition", "--device-access", "forward", "--combolocks", "--name", "cl")
check(rc == 0, "irqonly partition --combolocks: %d %s" % (rc, err))
s = sides(db2, "cl")
check(s.get("snd_simsnd_prepare") == "user", "irqonly: prepare is %s with --combolocks" % s.get("snd_simsnd_prepare"))
check(s.get("snd_simsnd_interrupt") == "kernel" and s.get("simsnd_write") == "kernel",
      "irqonly: interrupt/simsnd_write: %s %s" % (s.get("snd_simsnd_interrupt"), s.get("simsnd_write")))
check(params(db2, "cl").get("combolocks") == ["reg_lock"], "irqonly params: %s" % params(db2, "cl"))
outdir = os.path.join(work, "emit-cl")
shutil.rmtree(outdir, ignore_errors=True)
rc, out, err = run(db2, "emit", "--partition", "cl", "-o", outdir)
check(rc != 0 and "makes spinlock reg_lock combolock" in err and "re-run kcut partition without --combolocks" in err,
      "emit of a combolock partition: rc %d %s" % (rc, err))
rc, out, err = run(db2, "emit", "--partition", "plain", "-o", os.path.join(work, "emit-plain"), "--force")
check(rc == 0, "emit of the plain partition: rc %d %s" % (rc, err[-600:]))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
