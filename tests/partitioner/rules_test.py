#!/usr/bin/env python3
"""rules_test.py - the templates' 'kernel' rules on the bundled test drivers.

simnic: the functions the built-in rules keep in the kernel half (`kcut roots`, "kernel rule"
lines) must include every function the hand-written pins that tests/emitter/split/run_split.py
used before the rules existed (hand_pins() below: register accessors, DMA-coherent memory,
*ring / *_buffer structs, module_init/exit) keep there; the extra ones are listed. Both are computed here from the same database. Each rule
kind must have matched something, `kcut why` must name the rule, and a min-cut keeps every marked
function in the kernel. simsnd: its module_init/exit functions and its register accessors are
marked.

usage: rules_test.py KCUT SIMNIC_BUILD_DIR SIMSND_BUILD_DIR WORKDIR
"""
import glob
import os
import re
import sqlite3
import sys

import drvtest
from drvtest import check, finish, run

kcut, nic_dir, snd_dir, work = sys.argv[1:5]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
src = os.path.join(root, "testdrivers", "drivers")
os.makedirs(work, exist_ok=True)
drvtest.KCUT = kcut


def analyze(drv, bdir):
    cc = os.path.join(bdir, "compile_commands.json")
    if not os.path.exists(cc):
        print("%s missing (build the %s_compdb target)" % (cc, drv))
        sys.exit(77)
    db = os.path.join(work, drv + ".db")
    if os.path.exists(db):
        os.unlink(db)
    rc, out, err = run(db, "analyze", "-p", cc, "--driver", os.path.join(src, drv), "--no-progress")
    check(rc == 0, "%s: analyze exit %d %s" % (drv, rc, err[-400:]))
    return db


def kernel_rules(db):
    """{function: rule text} from `kcut roots`."""
    rc, out, err = run(db, "roots", "--device-access", "none")
    check(rc == 0, "roots: %d %s" % (rc, err))
    got = dict(re.findall(r"^[^\n]*?:\d+:\d+: (\w+): kernel rule: ([^\n]*)$", out, re.M))
    m = re.search(r"^(\d+) functions? kept in the kernel by kernel rules \(device access none\)$", out, re.M)
    check(m is not None and int(m.group(1)) == len(got), "roots: kernel rule count line")
    return got


def hand_pins(db, src_dir):
    """The criterion the split test pinned by hand before the kernel rules existed: driver functions
    calling register accessors or dma_alloc/free_coherent, accessing *ring / *_buffer structs, and
    the module_init/module_exit functions named in the sources."""
    con = sqlite3.connect(db)
    names = set(r[0] for r in con.execute(
        "SELECT DISTINCT a.name FROM call c JOIN func a ON a.id = c.caller_id JOIN func b ON b.id = c.callee_id "
        "WHERE a.is_driver = 1 AND b.name IN ('readl', 'writel', 'readw', 'writew', 'readb', 'writeb', "
        "'ioread32', 'iowrite32', 'ioread16', 'iowrite16', 'ioread8', 'iowrite8', "
        "'dma_alloc_coherent', 'dma_free_coherent')"))
    names |= set(r[0] for r in con.execute(
        "SELECT DISTINCT f.name FROM field_access fa JOIN func f ON f.id = fa.func_id "
        "WHERE f.is_driver = 1 AND (fa.struct_name LIKE '%ring' OR fa.struct_name LIKE '%\\_buffer' ESCAPE '\\')"))
    con.close()
    for path in sorted(glob.glob(os.path.join(src_dir, "*.c"))):
        with open(path) as f:
            names |= set(re.findall(r"^module_(?:init|exit)\((\w+)\)", f.read(), re.M))
    return names


# simnic against hand_pins()
db = analyze("simnic", nic_dir)
rules = kernel_rules(db)
pins = hand_pins(db, os.path.join(src, "simnic"))
check(len(pins) > 20, "hand_pins() found %d functions" % len(pins))
missing = sorted(pins - set(rules))
extra = sorted(set(rules) - pins)
check(not missing, "kernel rules miss functions hand_pins() keeps in the kernel: %s" % missing)
print("simnic: hand_pins() %d functions, kernel rules %d (%s)" %
      (len(pins), len(rules), "equal sets" if not extra else "extra: " + ", ".join(extra)))
for what in ("calls readl", "calls writel", "calls dma_alloc_coherent", "registered as module_init",
             "registered as module_exit", "(struct simnic_tx_ring: it holds dma memory",
             "(struct simnic_rx_buffer: allocated into simnic_rx_ring.buffer_info",
             "converts to a typed pointer"):
    check(any(what in r for r in rules.values()), "simnic: no kernel rule says '%s'" % what)
check(rules.get("simnic_init_module", "").startswith("registered as module_init at "),
      "simnic_init_module: %s" % rules.get("simnic_init_module"))
# probe stores the register mapping and remove unmaps it: neither is a use of register memory
for fn in ("simnic_probe", "simnic_remove", "simnic_get_drvinfo"):
    check(fn not in rules, "simnic: %s must not be kept by a kernel rule (%s)" % (fn, rules.get(fn)))
rc, out, err = run(db, "partition", "--mode", "mincut", "--alpha", "100", "--name", "rules", "--device-access", "none")
check(rc == 0, "partition: %s" % err)
con = sqlite3.connect(db)
side = dict(con.execute("SELECT f.name, pf.side FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
                        "JOIN func f ON f.id = pf.func_id WHERE p.name = 'rules'"))
con.close()
bad = sorted(f for f in rules if side.get(f) != "kernel")
check(not bad, "min-cut put kernel-rule functions in the user half: %s" % bad)
rc, out, err = run(db, "why", "simnic_init_module", "--partition", "rules")
check(rc == 0 and "kernel half (pin)" in out and "kernel rule: registered as module_init" in out,
      "why simnic_init_module: " + out + err)
rc, out, err = run(db, "partition", "--pin", "simnic_init_module=user", "--name", "conflict", "--device-access", "none")
check(rc == 2 and "contradicts a kernel rule: registered as module_init" in err, "user pin conflict: " + err)
# --no-kernel-rules: the roots and lock constraints alone (the paper's partition); the stored
# parameters say how many functions the rules pinned
rc, out, err = run(db, "roots", "--no-kernel-rules", "--device-access", "none")
check(rc == 0 and "\n0 functions kept in the kernel by kernel rules" in out, "roots --no-kernel-rules: " + out[-300:])
rc, out, err = run(db, "partition", "--mode", "mincut", "--alpha", "100", "--name", "norules", "--no-kernel-rules",
                  "--device-access", "none")
check(rc == 0, "partition --no-kernel-rules: %s" % err)
con = sqlite3.connect(db)
params = dict(con.execute("SELECT name, params FROM partition"))
reasons = {r[0] for r in con.execute("SELECT pf.reason FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
                                     "WHERE p.name = 'norules'")}
con.close()
check('"kernel_rules":%d' % len(rules) in params.get("rules", ""), "rules partition params: %s" % params.get("rules"))
check('"kernel_rules":0' in params.get("norules", ""), "norules partition params: %s" % params.get("norules"))
check("pin" not in reasons, "a partition without kernel rules has no 'pin' reason: %s" % reasons)

# --device-access (issue 13 item 4): the default min-cut (alpha 1, beta 1) under each backend; the
# register/DMA rules pin only under none. Under forward/mapped the data-path state rule (generic.tmpl
# 'kernel datapath-state', solve.c) finds what the atomic-context data path shares with its set-up;
# generic.tmpl tags all four constraints runtime-syncs (rt/sync.c carries the state at every
# crossing), so they explain instead of pinning, and that split runs (emitter_split_simnic_forward). Probe, reset, the EEPROM/PHY code and the ethtool
# register dump stay user.
share = {}
for mode in ("none", "forward", "mapped"):
    rc, out, err = run(db, "partition", "--device-access", mode, "--name", "da-" + mode)
    m = re.search(r"kernel: (\d+) functions \(([\d.]+)%\), (\d+) LOC \(([\d.]+)%\)", out)
    check(rc == 0 and m is not None, "partition --device-access %s: %s" % (mode, err))
    share[mode] = (int(m.group(1)), int(m.group(3)), float(m.group(4))) if m else (0, 0, 100.0)
    print("simnic --device-access %s: kernel %d functions, %d LOC (%.1f%%)" % ((mode,) + share[mode]))
# Kernel-only memory (generic.tmpl 'kernel mapped', net.tmpl 'kernel opaque'): the loopback
# self-test's frame builder / checker look into skb data the user half has only as a handle, so they
# stay kernel, and the min-cut keeps simnic_run_loopback_test with them (its loop calls would cross).
# The cost model prices loops by their trip estimates (analyzer loop facts: ring loops 256 times,
# SIMNIC_DEFAULT_TXD stored into ring->count) and a user-half function's calls of kernel functions
# that cross (dma_unmap_single, consume_skb ...: downcalls), so the self-test's ring set-up / free
# and the ring clean-up stay kernel too. Since the loop classes were calibrated against measured
# counts (docs/partitioner.md "Loop trip counts") and the cut knows replication (simnic_init_hw
# calls the replicated simnic_clear_rar in a loop: user half): forward 38.9%, mapped 37.0% (issue
# 13's goal is <= 30%: MISSED; docs/results.md "Device access" says what keeps them). The check
# holds both to the measured share (a regression bound, not the goal); the goal is printed, not
# asserted.
limit = {"forward": 39.5, "mapped": 37.5}
for mode in ("forward", "mapped"):
    print("simnic %s: %.1f%% of LOC in the kernel; issue 13 goal <= 30%%: %s" %
          (mode, share[mode][2], "met" if share[mode][2] <= 30.0 else "MISSED"))
for mode in ("forward", "mapped"):
    check(share[mode][2] <= limit[mode], "simnic kernel LOC share under %s: %.1f%% > %.1f%%" % (mode, share[mode][2],
                                                                                             limit[mode]))
    check(share[mode][1] < share["none"][1], "simnic: %s keeps less in the kernel than none" % mode)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT f.name, pf.side, pf.detail FROM partition_func pf JOIN partition p "
                       "ON p.id = pf.partition_id JOIN func f ON f.id = pf.func_id WHERE p.name = ?",
                       ("da-" + mode,)).fetchall()
    con.close()
    side = {r[0]: r[1] for r in rows}
    detail = {r[0]: r[2] or "" for r in rows}
    # (simnic_get_ethtool_stats is kernel by cost since kernel calls are priced: its stats loop's
    # default case calls netdev_err and WARN_ON, 30 sites' worth of downcalls in the static estimate)
    for fn in ("simnic_probe", "simnic_reset_hw", "simnic_get_regs", "simnic_read_mac_addr", "simnic_sw_init",
               "simnic_alloc_queues"):
        if fn in side:
            check(side[fn] == "user", "simnic %s under %s: %s %s" % (fn, mode, side[fn], detail[fn][:200]))
    check(side.get("simnic_init_module") == "kernel", "module_init stays kernel under " + mode)
    for fn, parts in (("simnic_create_lbtest_frame", ("kernel rule: indexes sk_buff.data (", "maps it for streaming DMA",
                                                      "buffer mapped for streaming DMA (generic template)")),
                      ("simnic_check_lbtest_frame", ("kernel rule: computes an address in its parameter 1 (data)",
                                                     "in which simnic_run_loopback_test passes sk_buff.data"))):
        check(side.get(fn) == "kernel" and all(p in detail.get(fn, "") for p in parts),
              "simnic %s under %s (kernel-only memory): %s %s" % (fn, mode, side.get(fn), detail.get(fn, "")[:300]))
    # the data-path state rule's findings, each naming the field and the atomic-context reader; the
    # runtime carries them (runtime-syncs), so they are explained in the detail and do not pin
    want = {
        "simnic_configure_tx": ("writes simnic_tx_ring.tdh", "simnic_detect_tx_hang (atomic-context data path)"),
        "simnic_set_ringparam": ("simnic_adapter.tx_ring", "simnic_xmit_frame (atomic-context data path)"),
        "simnic_setup_tx_resources": ("replaces the object in simnic_tx_ring.buffer_info", "kcalloc at"),
        "simnic_remove": ("frees the object in simnic_adapter.tx_ring", "kfree at"),
        "simnic_intr_test": ("simnic_adapter.test_icr", "simnic_test_intr (atomic-context data path)"),
    }
    for fn, parts in want.items():
        # simnic_intr_test is kernel by cost (its register reads and request_irq/free_irq downcalls),
        # its detail still names the data-path finding
        check(side.get(fn) == "user" or fn == "simnic_intr_test",
              "simnic %s under %s: %s %s" % (fn, mode, side.get(fn), detail.get(fn, "")[:300]))
        for p in parts + ("data-path state: ", "device access: " + mode, "state shared with the atomic-context data path",
                          "runtime-syncs"):
            check(p in detail.get(fn, ""), "simnic %s under %s: '%s' not in: %s" % (fn, mode, p, detail.get(fn)))
    # atomic-context code never appears as the 'writer': the rule only adds functions outside the closure
    check("atomic-context data path" not in detail.get("simnic_clean_tx_irq", ""),
          "clean_tx_irq is kernel by the atomic closure, not by the rule: " + detail.get("simnic_clean_tx_irq", ""))
check(share["mapped"][1] <= share["forward"][1], "mapped keeps no more in the kernel than forward")
# kcut loops: each loop's class and trip estimate (docs/partitioner.md "Loop trip counts")
rc, out, err = run(db, "loops")
loops = {}
for row in out.splitlines():
    f = row.split("\t")
    if len(f) == 6 and not row.startswith("#"):
        loops.setdefault(f[0], []).append((f[2], float(f[3])))
check(rc == 0 and ("wait", 3.0) in loops.get("simnic_reinit_locked", []) and
      ("ring", 256.0) in loops.get("simnic_setup_desc_rings", []) and
      ("search", 64.0) in loops.get("simnic_validate_eeprom_checksum", []) and
      ("search", 10.0) in loops.get("simnic_intr_test", []) and ("wait", 3.0) in loops.get("simnic_mdic_wait", []),
      "kcut loops on simnic: %s %s" % (err, {k: loops.get(k) for k in ("simnic_reinit_locked", "simnic_setup_desc_rings",
                                                                     "simnic_validate_eeprom_checksum", "simnic_intr_test",
                                                                     "simnic_mdic_wait")}))
# The cut knows replication (partitioner/replica.c, kc_part_edge_cost): simnic_init_hw calls
# simnic_clear_rar (a pure register accessor, replicated) 16 times in its rar_entry_count loop; as
# a crossing that kept init_hw in the kernel, as a call of the user half's copy it does not. With
# --no-replicate the cut prices it as a crossing again and init_hw stays kernel.
rc, out, err = run(db, "partition", "--name", "norepl", "--no-replicate")
check(rc == 0, "partition --no-replicate: " + err)
con = sqlite3.connect(db)
sides = dict(((p, f), s) for p, f, s in con.execute(
    "SELECT p.name, f.name, pf.side FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
    "JOIN func f ON f.id = pf.func_id WHERE f.name = 'simnic_init_hw'"))
repl = [r[0] for r in con.execute("SELECT f.name FROM partition_replica r JOIN partition p ON p.id = r.partition_id "
                                  "JOIN func f ON f.id = r.func_id WHERE p.name = 'da-forward'")]
con.close()
check(sides.get(("da-forward", "simnic_init_hw")) == "user" and "simnic_clear_rar" in repl,
      "replication-aware cut: simnic_init_hw %s, replicated %s" % (sides.get(("da-forward", "simnic_init_hw")), repl))
check(sides.get(("norepl", "simnic_init_hw")) == "kernel",
      "--no-replicate: simnic_init_hw %s (the cut prices its clear_rar calls as crossings)" %
      sides.get(("norepl", "simnic_init_hw")))
# under none the rule does not apply (the register/DMA rules keep the set-up in the kernel anyway)
con = sqlite3.connect(db)
n = con.execute("SELECT COUNT(*) FROM partition_func pf JOIN partition p ON p.id = pf.partition_id "
                "WHERE p.name = 'da-none' AND pf.detail LIKE '%atomic-context data path%'").fetchone()[0]
con.close()
check(n == 0, "the data-path state rule applied under none (%d functions)" % n)
rc, out, err = run(db, "why", "simnic_configure_rx", "--partition", "da-forward")
check(rc == 0 and "simnic_rx_ring.rdt" in out and "simnic_alloc_rx_buffers" in out and "runtime carries" in out,
      "why simnic_configure_rx names the field, the reader and the runtime: %s %s" % (out[-400:], err[-200:]))
# Posted kernel calls (common/kc_kapi.c kc_kapi_posted; rt/kcut_rt.h): priced as downcalls by default, as a
# share of a queue flush with --price-posted, which moves the self-test's ring free (514 consume_skb / kfree /
# dma_unmap_single calls in 256-loops) to the user half: forward 36.6% (measured 2026-12-08). Not the default:
# simnic_free_desc_rings would index test_tx_ring.buffer_info, allocated by the kernel half's
# simnic_setup_desc_rings, which crosses as one element (docs/partitioner.md "Posted kernel calls").
rc, out, err = run(db, "partition", "--device-access", "forward", "--price-posted", "--name", "da-posted")
m = re.search(r"kernel: (\d+) functions \(([\d.]+)%\), (\d+) LOC \(([\d.]+)%\)", out)
check(rc == 0 and m is not None, "partition --price-posted: %s" % err)
if m:
    print("simnic --device-access forward --price-posted: kernel %s functions, %s LOC (%s%%)" %
          (m.group(1), m.group(3), m.group(4)))
    check(float(m.group(4)) < share["forward"][2] and float(m.group(4)) <= 37.0,
          "--price-posted: %s%% not below the default's %.1f%%" % (m.group(4), share["forward"][2]))
rc, out, err = run(db, "why", "simnic_free_desc_rings", "--partition", "da-posted", "--price-posted")
check(rc == 0 and "user half" in out and "posted kernel calls" in out and "no crossing of their own" in out,
      "why simnic_free_desc_rings --price-posted: %s %s" % (out[-500:], err[-200:]))
rc, out, err = run(db, "why", "simnic_free_desc_rings", "--partition", "da-forward")
check(rc == 0 and "kernel half" in out and "priced as downcalls" in out,
      "why simnic_free_desc_rings (default): %s %s" % (out[-500:], err[-200:]))

# the built-in rule carries the tag (without it the constraints pin: test_devaccess.c)
gen = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "partitioner", "templates",
                        "generic.tmpl")).read()
check("runtime-syncs=write,replace,free,wait" in gen, "generic.tmpl tags the data-path rule runtime-syncs")

# simsnd: module entry points and register accessors (pci_iomap'ed BAR, ioread/iowrite)
db = analyze("simsnd", snd_dir)
rules = kernel_rules(db)
check(rules.get("alsa_card_simsnd_init", "").startswith("registered as module_init"),
      "simsnd init: %s" % rules.get("alsa_card_simsnd_init"))
check(rules.get("alsa_card_simsnd_exit", "").startswith("registered as module_exit"),
      "simsnd exit: %s" % rules.get("alsa_card_simsnd_exit"))
check(any("MMIO register read" in r or "MMIO register write" in r for r in rules.values()),
      "simsnd: no register accessor marked")

finish()
