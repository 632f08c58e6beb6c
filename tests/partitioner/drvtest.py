"""drvtest.py - what the partitioner's tests on the bundled test drivers share (testdrivers_test.py,
rules_test.py): a pass/fail counter in the format of tests/kc_test.h and `kcut` run on one database
with the built-in templates only.

Set KCUT to the kcut binary before calling run().
"""
import os
import subprocess
import sys

KCUT = None
passed = failed = 0


def check(cond, what):
    """Count one check; print what failed."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def run(db, *args):
    """kcut ARGS on database db, ignoring $KCUT_TEMPLATES; returns (exit code, stdout, stderr)."""
    env = dict(os.environ, KCUT_DB=db)
    env.pop("KCUT_TEMPLATES", None)
    p = subprocess.run([KCUT] + list(args), capture_output=True, text=True, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr


def finish():
    """Print the summary line and exit 1 if a check failed."""
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
