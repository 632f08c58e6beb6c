#!/usr/bin/env python3
"""testdrivers_test.py - the templates on the bundled test drivers (testdrivers/drivers).

Analyzes simnic (an e1000-class NIC) and simsnd (an ALSA PCM driver) from the
compile_commands.json their build writes, and checks the detected family, the roots and the rule
behind each, and that a min-cut partition succeeds with the roots in the kernel half.

usage: testdrivers_test.py KCUT SIMNIC_BUILD_DIR SIMSND_BUILD_DIR WORKDIR
"""
import os
import re
import sys

import drvtest
from drvtest import check, finish, run

kcut, nic_dir, snd_dir, work = sys.argv[1:5]
src = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "testdrivers",
                   "drivers")
os.makedirs(work, exist_ok=True)
drvtest.KCUT = kcut


EXPECT = {
    "simnic": (nic_dir, "net", {
        "simnic_xmit_frame": "ndo_start_xmit slot (net template)",
        "simnic_intr": "IRQ handler (arg 2 of request_irq) (generic template)",
        "simnic_clean": "NAPI poll (arg 3 of netif_napi_add) (net template)",
        "simnic_tx_timeout": "ndo_tx_timeout slot (net template)",
    }, ["simnic_probe", "simnic_open"]),
    "simsnd": (snd_dir, "sound", {
        "snd_simsnd_trigger": "snd_pcm_ops.trigger (sound template)",
        "snd_simsnd_pointer": "snd_pcm_ops.pointer (sound template)",
        "snd_simsnd_interrupt": "IRQ handler (arg 2 of request_irq) (generic template)",
    }, []),
}

for drv, (bdir, family, roots, not_roots) in EXPECT.items():
    cc = os.path.join(bdir, "compile_commands.json")
    if not os.path.exists(cc):
        print("%s missing (build the %s_compdb target)" % (cc, drv))
        sys.exit(77)
    db = os.path.join(work, drv + ".db")
    if os.path.exists(db):
        os.unlink(db)
    rc, out, err = run(db, "analyze", "-p", cc, "--driver", os.path.join(src, drv), "--no-progress")
    check(rc == 0, "%s: analyze exit %d %s" % (drv, rc, err[-400:]))
    rc, out, err = run(db, "roots")
    check(rc == 0 and out.startswith("family %s:" % family), "%s: family: %s" % (drv, out[:200]))
    for fn, rule in roots.items():
        check(re.search(r": %s: root: %s" % (re.escape(fn), re.escape(rule)), out) is not None,
              "%s: root %s by '%s'\n%s" % (drv, fn, rule, out))
    for fn in not_roots:
        check(": %s: root:" % fn not in out, "%s: %s must not be a root" % (drv, fn))
    rc, out, err = run(db, "partition")
    check(rc == 0 and "family %s" % family in out, "%s: partition: %s %s" % (drv, out, err))
    for fn in roots:
        rc, out, err = run(db, "why", fn)
        check(rc == 0 and "kernel half (root)" in out, "%s: why %s: %s" % (drv, fn, out + err))

finish()
