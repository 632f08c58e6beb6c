#!/usr/bin/env python3
"""lxuser_check.py - the emitted user half of a real driver builds as a static user program
(rt/lxuser/kcut-lxbuild), and the build's checks refuse what cannot run in user space
(CTest label linux; docs/linux.md "The user half on Linux").

  lxuser_check.py --kcut KCUT --cache DIR --driver NAME --workdir DIR [--clang clang-14]

1. emits the driver as tests/emitter/linux_emit.py does (--device-access none, both halves pass
   clang -fsyntax-only), from the prepared tree's compile_commands.json;
2. kcut-lxbuild --check-layout: must print "kcut-lxbuild: OK", "0 unresolved", "0 privileged
   instructions" and a nonzero number of identical record layouts; the program must exist, be
   static, and answer -h with its usage and exit 2 when its device is missing;
3. the same with tests/linux/lxuser/bad_imports.c added: must FAIL naming current_task (per-cpu
   `current`), jiffies, queue_work_on, the cli instruction and a %gs access;
4. with tests/linux/lxuser/warn_test.c added, `kcut_user_half -T` runs a WARN_ON: it must print
   "WARNING at .../warn_test.c:LINE" and go on (the function returns 42), as in the kernel;
5. --layout-only with the user side built as CONFIG_DEBUG_MUTEXES (another configuration): must
   FAIL naming struct mutex.
Exit 77 (skipped) when the cache has no such driver.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
EMIT = os.path.join(ROOT, "tests", "emitter", "linux_emit.py")
LXBUILD = os.path.join(ROOT, "rt", "lxuser", "kcut-lxbuild")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcut", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--clang", default="clang-14")
    a = ap.parse_args()
    ccdb = os.path.join(a.cache, "db", "clang", a.driver)
    if not os.path.exists(os.path.join(ccdb, "compile_commands.json")):
        print("skipped: %s has no compile_commands.json (run scripts/linux-prepare.sh)" % ccdb)
        return 77
    os.makedirs(a.workdir, exist_ok=True)
    rc, out = run([sys.executable, EMIT, "--kcut", a.kcut, "--cache", a.cache, "--driver", a.driver,
                   "--clang", a.clang, "--workdir", a.workdir])
    if rc == 77:
        print(out)
        return 77
    if rc:
        print("FAIL emit (linux_emit.py exit %d)\n%s" % (rc, out[-3000:]))
        return 1
    emit = os.path.join(a.workdir, a.driver, "out")
    prog = os.path.join(a.workdir, "kcut_user_half")
    work = os.path.join(a.workdir, "lxbuild")
    fails = []
    base = [sys.executable, LXBUILD, "--emit", emit, "-p", ccdb, "--cc", a.clang, "--work", work]

    rc, out = run(base + ["-o", prog, "--check-layout"])
    print(out.strip())
    ok = [ln for ln in out.splitlines() if ln.startswith("kcut-lxbuild: OK ")]
    if rc or not ok:
        fails.append("kcut-lxbuild failed on the %s user half (exit %d)" % (a.driver, rc))
    else:
        for want in ("0 unresolved", "0 privileged instructions", "record layouts identical"):
            if want not in ok[0]:
                fails.append("the summary lacks '%s'" % want)
        if " 0 record layouts" in ok[0]:
            fails.append("no record layout was compared")
        rc, f = run(["file", prog])
        if "statically linked" not in f:
            fails.append("%s is not a static program: %s" % (prog, f.strip()))
        rc, h = run([prog, "-h"])
        if rc or "usage: kcut_user_half" not in h:
            fails.append("%s -h: exit %d, %s" % (prog, rc, h.strip()))
        rc, h = run([prog, "-d", os.path.join(a.workdir, "no-such-device"), "-W", "1"])
        if rc != 2 or "no-such-device" not in h:
            fails.append("%s without its device: exit %d (want 2), %s" % (prog, rc, h.strip()))

    rc, out = run(base + ["-o", prog + ".warn", "--extra-ksrc", os.path.join(HERE, "warn_test.c")])
    if rc:
        fails.append("kcut-lxbuild with warn_test.c failed:\n%s" % out[-2000:])
    else:
        rc, w = run([prog + ".warn", "-T"])
        print("--- WARN_ON in the user half:\n" + w.strip())
        if rc or "WARNING at" not in w or "warn_test.c:" not in w or "self test returned 42" not in w:
            fails.append("a WARN_ON in the user half did not print a warning and go on (exit %d)" % rc)

    rc, out = run(base + ["-o", prog + ".bad", "--extra-ksrc", os.path.join(HERE, "bad_imports.c")])
    print("--- with bad_imports.c (must fail):\n" + out.strip()[-3000:])
    if rc == 0:
        fails.append("kcut-lxbuild accepted bad_imports.c")
    for want in ("'current_task'", "'jiffies'", "'queue_work_on'", "instruction 'cli'", "%gs:"):
        if want not in out:
            fails.append("kcut-lxbuild did not name %s in bad_imports.c" % want)

    rc, out = run(base + ["--layout-only", "--check-layout", "--user-cflags=-DCONFIG_DEBUG_MUTEXES=1"])
    print("--- layouts with the user side configured otherwise (must fail):\n" + out.strip()[-1500:])
    if rc == 0 or "struct mutex has another layout" not in out:
        fails.append("kcut-lxbuild did not refuse a struct mutex of another layout")

    for f in fails:
        print("FAIL %s" % f)
    print("%d passed, %d failed" % (0 if fails else 1, len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
