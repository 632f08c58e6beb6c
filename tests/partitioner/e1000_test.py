#!/usr/bin/env python3
"""e1000_test.py - the partitioner on Linux 6.1 e1000 (label 'linux'; needs scripts/linux-prepare.sh).

Analyzes e1000 with `kcut analyze`, then checks: the template roots (transmit, IRQ handler, NAPI
poll), that min-cut at beta = 0 is exactly the hard-constraint closure (roots, atomic context,
locks and the templates' kernel rules), that propagation contains it, that along the beta curve
the kernel LOC never falls and the crossing weight never rises (both follow from optimality), and
that each `kcut tune` step answers in under 100 ms; the same curve with --no-kernel-rules (roots,
atomic context and locks only, the paper's partition), whose beta 0 closure equals propagation.
Prints both curves (docs/results.md records them).

usage: e1000_test.py KCUT CACHE WORKDIR
"""
import os
import re
import sqlite3
import subprocess
import sys

kcut, cache, work = sys.argv[1], sys.argv[2], sys.argv[3]
cc = os.path.join(cache, "db", "clang", "e1000")
if not os.path.exists(os.path.join(cc, "compile_commands.json")):
    print("e1000 compile_commands.json missing under %s (run scripts/linux-prepare.sh)" % cc)
    sys.exit(77)
os.makedirs(work, exist_ok=True)
db = os.path.join(work, "e1000-part.db")
if os.path.exists(db):
    os.unlink(db)
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
    p = subprocess.run([kcut] + list(args), capture_output=True, text=True, env=env, input=stdin, timeout=600)
    return p.returncode, p.stdout, p.stderr


drv = open(os.path.join(cc, "driver_dir")).read().strip()
rc, out, err = run("analyze", "-p", os.path.join(cc, "compile_commands.json"), "--driver", drv, "--keep-going",
                   "--no-progress")
check(rc in (0, 3), "analyze exit %d: %s" % (rc, err[-500:]))

rc, out, err = run("roots")
check(rc == 0 and out.startswith("family net:"), "family: " + out[:200] + err)
for fn, rule in (("e1000_xmit_frame", "ndo_start_xmit slot"), ("e1000_intr", "request_irq"),
                 ("e1000_clean", "netif_napi_add")):
    check(re.search(r": %s: root: [^\n]*%s" % (fn, rule), out) is not None, "root %s (%s)" % (fn, rule))


def stats(out):
    k = re.search(r"kernel: (\d+) functions \(([\d.]+)%\), (\d+) LOC", out)
    c = re.search(r"crossing edges: (\d+), weight ([\d.e+]+)", out)
    return int(k.group(1)), int(k.group(3)), int(c.group(1)), float(c.group(2))


rc, out, err = run("partition", "--mode", "propagate", "--device-access", "none")
check(rc == 0, "propagate: " + err)
prop = stats(out)
con = sqlite3.connect(db)


def kernel_set(name):
    return {r[0] for r in con.execute(
        "SELECT f.name FROM partition_func pf JOIN partition p ON p.id = pf.partition_id JOIN func f ON f.id = pf.func_id "
        "WHERE p.name = ? AND pf.side = 'kernel'", (name,))}


def beta_curve(extra, prefix):
    """Min-cut along beta (alpha 1, static weights), stored as PREFIX + beta; rows (beta, fn, LOC, edges, weight)."""
    rows = []
    for beta in ("0", "0.5", "1", "2", "5", "10", "20", "50", "100"):
        rc, out, err = run("partition", "--beta", beta, "--name", prefix + beta, *extra)
        check(rc == 0, "beta %s %s: %s" % (beta, extra, err))
        rows.append((beta,) + stats(out))
    return rows


curve = beta_curve(["--device-access", "none"], "beta")
# the paper's partition: roots, atomic context and locks only (no 'kernel' rules)
rc, out, err = run("partition", "--mode", "propagate", "--no-kernel-rules", "--name", "propagate-norules",
                   "--device-access", "none")
check(rc == 0, "propagate --no-kernel-rules: " + err)
prop_nr = stats(out)
curve_nr = beta_curve(["--no-kernel-rules", "--device-access", "none"], "norules-beta")
reasons = {r[0] for r in con.execute(
    "SELECT pf.reason FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
    "WHERE p.name = 'beta0' AND pf.side = 'kernel'")}
check(reasons <= {"root", "atomic", "lock", "pin"}, "beta 0 kernel = hard closure (kernel rules: pin), reasons %s" % reasons)
check(kernel_set("beta0") <= kernel_set("propagate"), "propagation contains the hard closure")
check(kernel_set("norules-beta0") <= kernel_set("beta0"), "the kernel rules only add to the hard closure")
check(kernel_set("norules-beta0") == kernel_set("propagate-norules"),
      "without kernel rules propagation equals the hard closure (every e1000 root is atomic)")
for c in (curve, curve_nr):
    for a, b in zip(c, c[1:]):
        check(b[2] >= a[2], "kernel LOC non-decreasing in beta: %s -> %s" % (a, b))
        check(b[4] <= a[4] + 1e-9, "crossing weight non-increasing in beta: %s -> %s" % (a, b))

rc, out, err = run("tune", stdin="beta 5\npin e1000_configure kernel\nalpha 2\nundo\nredo\nunpin e1000_configure\n"
                                  "mode propagate\nmode mincut\nquit\n")
times = [float(t) for t in re.findall(r"\[([\d.]+) ms\]", out)]
check(rc == 0 and len(times) == 8, "tune steps: %d %s" % (rc, err))
check(all(t < 100 for t in times), "tune steps under 100 ms: %s" % times)

# --device-access (issue 13 item 4): the default min-cut under each backend. Goal: <= 25% of the
# LOC in the kernel under forward (the paper's 25%), with probe, reset, the register dump and the
# EEPROM reader in the user half; the register/DMA rules pin only under none. The data-path state
# rule (generic.tmpl 'kernel datapath-state', docs/partitioner.md) finds what ndo_open/ethtool code
# shares with the atomic data path; its constraints are tagged runtime-syncs (rt/sync.c carries that
# state at every crossing), so they explain (the detail) instead of pinning: forward was 24.4%, and
# set_ringparam (it replaces adapter->tx_ring, which xmit reads) is in the user half.
share = {}
for mode in ("none", "forward", "mapped"):
    rc, out, err = run("partition", "--device-access", mode, "--name", "da-" + mode)
    check(rc == 0, "partition --device-access %s: %s" % (mode, err))
    k = re.search(r"kernel: (\d+) functions \(([\d.]+)%\), (\d+) LOC \(([\d.]+)%\)", out)
    share[mode] = (int(k.group(1)), int(k.group(3)), float(k.group(4)))
# Kernel-only memory (generic.tmpl 'kernel mapped', net.tmpl 'kernel opaque'): the loopback
# self-test computes an address in rxbuf.data (mapped for streaming DMA) and its frame builder /
# checker look into skb data, so e1000_run_loopback_test, e1000_create_lbtest_frame and
# e1000_check_lbtest_frame stay kernel (76 LOC). The cost model prices loops by their trip
# estimates (analyzer loop facts; ring loops: E1000_DEFAULT_TXD stored into ring->count) and a
# user-half function's calls of kernel functions that cross (dma_map/unmap_single, dev_kfree_skb,
# request_irq ...: downcalls), so the self-test's ring set-up / free, the interrupt test and the
# ring clean-up stay kernel too. Since the loop classes were calibrated against measured counts
# (wait loops 3, a call on a branch that leaves its loop once per run of it; docs/partitioner.md
# "Loop trip counts") and the cut knows replication: forward 27.1%, mapped 26.2% (issue 13's goal
# is <= 25%: MISSED; docs/results.md "Device access"). The check holds both to the measured share
# (a regression bound, not the goal); the goal is printed, not asserted.
limit = {"forward": 27.5, "mapped": 26.5}
for mode in ("forward", "mapped"):
    print("e1000 %s: %.1f%% of LOC in the kernel; issue 13 goal <= 25%%: %s" %
          (mode, share[mode][2], "met" if share[mode][2] <= 25.0 else "MISSED"))
for mode in ("forward", "mapped"):
    check(share[mode][2] <= limit[mode], "e1000 kernel LOC share under %s: %.1f%% > %.1f%%" % (mode, share[mode][2],
                                                                                            limit[mode]))
    check(share[mode][1] < share["none"][1], "%s keeps less in the kernel than none" % mode)
    ks = kernel_set("da-" + mode)
    for fn in ("e1000_probe", "e1000_reset_hw", "e1000_get_regs", "e1000_read_eeprom", "e1000_set_ringparam"):
        check(fn not in ks, "e1000 %s in the kernel half under %s" % (fn, mode))
    check("e1000_init_module" in ks, "module_init stays kernel under " + mode)
    for fn in ("e1000_run_loopback_test", "e1000_create_lbtest_frame", "e1000_check_lbtest_frame"):
        check(fn in ks, "e1000 %s (kernel-only memory) in the user half under %s" % (fn, mode))
rc, out, err = run("why", "e1000_run_loopback_test", "--partition", "da-forward")
check(rc == 0 and "kernel rule: computes an address in e1000_rx_buffer::" in out and ".data (e1000_alloc_rx_buffers maps it "
      "for streaming DMA: dma_map_single at " in out, "why e1000_run_loopback_test: " + out + err)
check(share["mapped"][1] <= share["forward"][1], "mapped keeps no more in the kernel than forward")
check(share["none"][1] == curve[2][2], "--device-access none is the old default (beta 1 curve point)")

print("device access (min-cut, alpha 1, beta 1, static weights):")
for mode in ("none", "forward", "mapped"):
    print("  %-8s kernel %d functions, %d LOC (%.1f%%)" % ((mode,) + share[mode]))
for title, p, c in (("with the kernel rules (default)", prop, curve), ("--no-kernel-rules", prop_nr, curve_nr)):
    print(title)
    print("propagate: %d functions, %d LOC, %d crossing edges (weight %g)" % p)
    print("%-6s %9s %10s %9s %10s" % ("beta", "kernel fn", "kernel LOC", "crossings", "weight"))
    for row in c:
        print("%-6s %9d %10d %9d %10g" % row)
print("tune step times (ms): %s" % times)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
