#!/usr/bin/env python3
"""devaccess_cli_test.py - `--device-access none|forward|mapped` through the commands (issue 13 item 4).

On a database made from analyzer/schema.sql and fixtures/devaccess.sql: bad values are a clear
usage error (exit 2) in every command that takes the option; the mode is stored in the partition's
params ("device_access", the emitter reads it; the default when the option is not given); roots
lists fewer kernel rules under forward; why names the backend and the spinlock that keeps a
function in the kernel, and refuses a --device-access that differs from the stored partition's;
graph, baseline/check and tune accept it; a profile of 1000 register reads keeps dv_read_eeprom in
the kernel under forward and not under mapped.

usage: devaccess_cli_test.py KCUT SRCDIR WORKDIR
"""
import json
import os
import sqlite3
import subprocess
import sys

kcut, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
DEFAULT = "forward"  # KC_PART_DEV_DEFAULT
os.makedirs(work, exist_ok=True)
db = os.path.join(work, "devaccess.db")
if os.path.exists(db):
    os.unlink(db)
con = sqlite3.connect(db)
con.executescript(open(os.path.join(src, "analyzer", "schema.sql")).read())
con.executescript(open(os.path.join(src, "tests", "partitioner", "fixtures", "devaccess.sql")).read())
con.commit()
con.close()
env = dict(os.environ, KCUT_DB=db)
env.pop("KCUT_TEMPLATES", None)
failed = passed = 0


def check(cond, what):
    global failed, passed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def run(*args, stdin=None):
    p = subprocess.run([kcut] + list(args), capture_output=True, text=True, env=env, input=stdin, timeout=120,
                       cwd=work)
    return p.returncode, p.stdout, p.stderr


def params(name):
    c = sqlite3.connect(db)
    row = c.execute("SELECT params FROM partition WHERE name = ?", (name,)).fetchone()
    c.close()
    return json.loads(row[0]) if row else None


def sides(name):
    c = sqlite3.connect(db)
    rows = dict(c.execute("SELECT f.name, pf.side FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
                          "JOIN func f ON f.id = pf.func_id WHERE p.name = ?", (name,)))
    c.close()
    return rows


# option parsing: a bad value is exit 2 with the accepted names, in every command taking it
for cmd in (["partition"], ["roots"], ["why", "dv_probe"], ["graph", "-o", "x.dot"], ["baseline", "-o", "b.json"],
            ["check", "--baseline", "b.json"], ["tune"]):
    rc, out, err = run(*cmd, "--device-access", "sideways")
    check(rc == 2 and "--device-access is none, forward or mapped, not 'sideways'" in err,
          "%s bad value: rc %d, %s" % (cmd[0], rc, err))
rc, out, err = run("partition", "--device-access")
check(rc == 2 and "missing value" in err, "partition --device-access without a value: %d %s" % (rc, err))
rc, out, err = run("profile", "import", "x", "--format", "instrument", "--device-access", "forward")
check(rc == 2 and "does not apply here" in err, "profile import rejects --device-access: %d %s" % (rc, err))
rc, out, err = run("partition", "--help")
check(rc == 0 and "--device-access (default %s)" % DEFAULT in out, "partition --help names the default")

# the default and each mode, stored in params
rc, out, err = run("partition", "--name", "dflt")
check(rc == 0 and ("device access %s" % DEFAULT) in out, "default partition: %s %s" % (out[:300], err))
check(params("dflt") is not None and params("dflt").get("device_access") == DEFAULT,
      "default stored: %s" % params("dflt"))
for mode in ("none", "forward", "mapped"):
    rc, out, err = run("partition", "--device-access", mode, "--name", mode)
    check(rc == 0 and ("device access %s" % mode) in out, "partition %s: %s" % (mode, err))
    p = params(mode)
    check(p is not None and p.get("device_access") == mode, "stored %s: %s" % (mode, p))
s_none, s_fw = sides("none"), sides("forward")
check(s_none.get("dv_probe") == "kernel" and s_fw.get("dv_probe") == "user", "dv_probe none/forward: %s %s" %
      (s_none.get("dv_probe"), s_fw.get("dv_probe")))
check(s_none.get("dv_stats") == "user" and s_fw.get("dv_stats") == "kernel", "dv_stats (spinlock) none/forward")
rc, out, err = run("partition", "--device-access", "forward", "--name", "x", "--no-kernel-rules")
check(rc == 0, "forward with --no-kernel-rules: %s" % err)

# roots: the gated rules disappear, module_init stays
rc, out, err = run("roots")
check(rc == 0 and "kernel rules (device access %s)" % DEFAULT in out, "roots default: %s" % out[-200:])
rc, out, err = run("roots", "--device-access", "none")
check(rc == 0 and "4 functions kept in the kernel by kernel rules (device access none)" in out, "roots none: " + out)
rc, out, err = run("roots", "--device-access", "forward")
check(rc == 0 and "1 function kept in the kernel by kernel rules (device access forward)" in out and
      "dv_init: kernel rule: registered as module_init" in out, "roots forward: " + out)

# why names the backend; a different --device-access than the stored one is refused
rc, out, err = run("why", "dv_stats", "--partition", "forward")
check(rc == 0 and "takes spinlock stats_lock" in out and "the user half cannot take a kernel spinlock" in out and
      "device access: forward" in out, "why dv_stats: " + out + err)
rc, out, err = run("why", "dv_probe", "--partition", "forward", "--device-access", "forward")
check(rc == 0 and "dv_probe: user half" in out and
      "device access: forward: from the user half its register accesses are downcalls, 1 register access site (readl)"
      in out, "why dv_probe forward: " + out + err)
rc, out, err = run("why", "dv_probe", "--partition", "none")
check(rc == 0 and "device access: none: the user half cannot reach registers or DMA memory, so the templates' "
      "register/DMA rules pin what touches them" in out, "why dv_probe none: " + out + err)
rc, out, err = run("why", "dv_probe", "--partition", "forward", "--device-access", "mapped")
check(rc == 2 and "partition 'forward' was made with --device-access forward, not mapped" in err,
      "why with another mode: %d %s" % (rc, err))
rc, out, err = run("why", "dv_read_eeprom", "--partition", "mapped")
check(rc == 0 and "device access: mapped" in out, "why mapped: " + out + err)

# graph, baseline / check, tune take it too
rc, out, err = run("graph", "--partition", "forward", "--device-access", "forward", "--format", "dot", "-o", "g.dot")
check(rc == 0 and os.path.exists(os.path.join(work, "g.dot")), "graph: %s" % err)
rc, out, err = run("baseline", "--partition", "none", "-o", "b.json")
check(rc == 0, "baseline: " + err)
rc, out, err = run("check", "--baseline", "b.json", "--partition", "forward", "--device-access", "forward")
# smaller kernel half, but the spinlock takers newly enter it: a finding (exit 1), explained
check(rc == 1 and "dv_stats moved into the kernel half" in out and "device access: forward" in out and
      "left the kernel half: dv_probe" in out, "check forward against the none baseline: %d %s %s" % (rc, out, err))
rc, out, err = run("check", "--baseline", "b.json", "--partition", "forward", "--device-access", "none")
check(rc == 2 and "was made with --device-access forward, not none" in err, "check with another mode: %s" % err)
rc, out, err = run("tune", "--device-access", "forward", stdin="save tuned\nquit\n")
check(rc == 0 and params("tuned") is not None and params("tuned").get("device_access") == "forward",
      "tune --device-access forward saves it: %s %s" % (err, params("tuned")))

# the cost decides: 1000 profiled register reads keep dv_read_eeprom in the kernel when forwarded
prof = os.path.join(work, "reads.prof")
with open(prof, "w") as f:
    f.write("# kcut-profile v1 duration_s=1\ndv_probe dv_read_eeprom 1\ndv_read_eeprom readl 1000\n")
for mode, want in (("forward", "kernel"), ("mapped", "user"), ("none", "kernel")):
    rc, out, err = run("partition", "--device-access", mode, "--profile", prof, "--name", "prof-" + mode)
    check(rc == 0, "partition --profile %s: %s" % (mode, err))
    check(sides("prof-" + mode).get("dv_read_eeprom") == want, "dv_read_eeprom under %s with 1000 reads: %s" %
          (mode, sides("prof-" + mode).get("dv_read_eeprom")))
rc, out, err = run("why", "dv_read_eeprom", "--partition", "prof-forward")
check(rc == 0 and "1000 accesses measured by profile reads" in out and "min-cut" in out,
      "why under the profile: " + out + err)
rc, out, err = run("partition", "--device-access", "forward", "--profile", "reads", "--name", "prof-fw2")
check(rc == 0 and "register downcalls (device access forward)" in out, "summary line: " + out)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
