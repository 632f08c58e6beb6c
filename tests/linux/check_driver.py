#!/usr/bin/env python3
"""check_driver.py - run `kcut analyze` on a real Linux 6.1 driver and check the database against
references computed independently with clang (tests/linux/linux_ref.py) and the preprocessor.

One invocation is one CTest test (label 'linux'). The compile_commands.json comes from
scripts/linux-prepare.sh: $CACHE/db/<compiler>/<driver>/compile_commands.json.

Checks (each prints PASS/FAIL; the run ends with "N passed, N failed" like tests/kc_test.h):
  db-compiler     the compile_commands.json was written by the compiler named (a gcc-built one has
                  gcc as argv[0] and gcc-only flags such as -mindirect-branch)
  analyze-exit    kcut analyze exits 0
  tus             one tu row per compile command, status 'ok', 0 errors (diagnostics listed otherwise)
  ref-count       the clang reference finds the expected number of ordinary function definitions
                  (250 for e1000; a check of the reference and of the prepared tree, not of kcut)
  funcs           every function the reference finds under the driver directory is in func with
                  is_defined = 1, is_driver = 1 and the same file; extra driver functions are only
                  accepted when func.macro names the macro that generated them (module_param's
                  __check_*, module_pci_driver's init/exit ...)
  macro-funcs     the number of those macro-generated driver functions is the expected one (counted
                  by hand from the driver's module_param*/module_init/module_exit/module_pci_driver
                  lines; see docs/linux.md)
  edges           100% recall: every intra-driver direct edge of clang's debug.DumpCallGraph is a
                  'direct' call row (edges kcut has beyond the reference are listed, not failed)
  --rerun:        kcut analyze again on the unchanged tree: exit 0, tu rows untouched (skipped),
                  the same row counts in every fact table
  icall-sites     every (caller, member) call through a struct member that clang's AST shows in a
                  driver function is an indirect call site in the database
  slot-resolution at those sites, the indirect call rows list every driver function that the
                  preprocessed source stores into a member of that name (designated initializers
                  and assignments)
  e1000 only (--e1000): reg-request_irq, reg-napi, netdev-ops (each field of e1000_netdev_ops, taken
                  from the preprocessed source, is a 'slot' registration, and every indirect call
                  through a net_device_ops slot resolves to the registered functions).

Usage: check_driver.py --kcut KCUT --cache DIR --driver NAME [--compiler clang|gcc]
                       [--expect-funcs N] [--expect-macro-funcs N] [--e1000] [--workdir DIR] [--findings-dir DIR] [-j N]
"""
import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linux_ref  # noqa: E402


class Checker:
    def __init__(self, title):
        self.title = title
        self.passed = 0
        self.failed = 0
        self.lines = []

    def out(self, msg):
        print(msg, flush=True)
        self.lines.append(msg)

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            self.out("PASS %s%s" % (name, (": " + detail) if detail else ""))
        else:
            self.failed += 1
            self.out("FAIL %s%s" % (name, (": " + detail) if detail else ""))
        return ok

    def info(self, msg):
        self.out("  " + msg)


def listing(items, limit=40):
    items = sorted(items)
    s = "\n".join("    " + str(i) for i in items[:limit])
    if len(items) > limit:
        s += "\n    ... and %d more" % (len(items) - limit)
    return s


def preprocess(entry):
    rc, out, err = linux_ref.run_clang(entry, ["-E", "-P"])
    if rc != 0:
        raise RuntimeError("clang -E failed on %s:\n%s" % (entry["abs"], err[-2000:]))
    return out


def member_stores(entries, funcs):
    """{field: set(function)}: driver functions stored into a member anywhere in the preprocessed
    TUs, by designated initializer (`.ndo_open = e1000_open,`) or assignment
    (`adapter->clean_rx = e1000_clean_rx_irq;`). Matched by member name only."""
    res = {}
    for e in entries:
        for fld, fn in re.findall(r"(?:->|\.)\s*(\w+)\s*=\s*&?\s*(\w+)\s*(?=[;,}])", preprocess(e)):
            if fn in funcs:
                res.setdefault(fld, set()).add(fn)
    return res


def netdev_ops_slots(entry, var):
    """{field: function} of the initializer of `var` in the preprocessed TU (clang -E)."""
    out = preprocess(entry)
    m = re.search(r"\b%s\s*=\s*\{(.*?)\}\s*;" % re.escape(var), out, re.S)
    if not m:
        raise RuntimeError("initializer of %s not found in %s" % (var, entry["abs"]))
    return dict(re.findall(r"\.(\w+)\s*=\s*&?\s*(\w+)", m.group(1)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kcut", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--compiler", default="clang", choices=("clang", "gcc"))
    ap.add_argument("--expect-funcs", type=int)
    ap.add_argument("--expect-macro-funcs", type=int)
    ap.add_argument("--e1000", action="store_true")
    ap.add_argument("--rerun", action="store_true")
    ap.add_argument("--workdir")
    ap.add_argument("--findings-dir")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()

    base = os.path.join(a.cache, "db", a.compiler, a.driver)
    ccdb = os.path.join(base, "compile_commands.json")
    if not os.path.exists(ccdb):
        print("check_driver: %s missing; run scripts/linux-prepare.sh" % ccdb, file=sys.stderr)
        return 2
    with open(os.path.join(base, "driver_dir")) as fh:
        drvdir = os.path.realpath(fh.read().strip())
    title = "%s (%s-built compile_commands.json)" % (a.driver, a.compiler)
    ck = Checker(title)
    work = a.workdir or tempfile.mkdtemp(prefix="kcut-linux-")
    os.makedirs(work, exist_ok=True)
    dbpath = os.path.join(work, "%s-%s.db" % (a.driver, a.compiler))
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(dbpath + suffix):
            os.unlink(dbpath + suffix)

    # 0. the database is what it claims to be (a gcc-built one must carry gcc's own flags)
    entries = linux_ref.load_db(ccdb)
    argv0 = [os.path.basename((e["arguments"] if "arguments" in e else e["command"].split())[0]) for e in entries]
    gccflags = sum(1 for e in entries for f in ("-mindirect-branch", "-fconserve-stack", "-mfunction-return")
                   if f in e.get("command", " ".join(e.get("arguments", []))))
    if a.compiler == "gcc":
        ck.check("db-compiler", all(x.startswith("gcc") for x in argv0) and gccflags > 0,
                 "compilers %s, %d gcc-only flags" % (sorted(set(argv0)), gccflags))
    else:
        ck.check("db-compiler", all(x.startswith("clang") for x in argv0),
                 "compilers %s" % sorted(set(argv0)))

    # 1. kcut analyze
    cmd = [a.kcut, "analyze", "--driver", drvdir, "-p", ccdb, "--db", dbpath, "-j", str(a.j)]
    ck.out("$ " + " ".join(cmd))
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    dt = time.time() - t0
    ok = ck.check("analyze-exit", p.returncode == 0, "exit %d after %.1f s" % (p.returncode, dt))
    if not ok:
        ck.info("stderr (tail):\n" + p.stderr[-3000:])
    if not os.path.exists(dbpath):
        ck.check("db-exists", False, dbpath)
        return finish(ck, a)
    con = sqlite3.connect(dbpath)

    # 2. TUs and parse errors
    try:
        tus = con.execute("SELECT f.path, t.status, t.n_errors FROM tu t JOIN file f ON f.id = t.file_id").fetchall()
    except sqlite3.Error as e:
        ck.check("tus", False, "query failed: %s" % e)
        return finish(ck, a)
    bad = [t for t in tus if t[1] != "ok" or t[2] != 0]
    ck.check("tus", len(tus) == len(entries) and not bad,
             "%d tu rows for %d compile commands, %d with errors" % (len(tus), len(entries), len(bad)))
    if bad:
        ck.info("TUs with errors:\n" + listing(bad))
        diags = con.execute("SELECT file, line, col, message FROM diag WHERE severity IN ('error','fatal') "
                            "LIMIT 30").fetchall()
        ck.info("first error diagnostics:\n" + listing(["%s:%s:%s: %s" % d for d in diags], 30))

    # 3. functions
    ck.out("computing the clang reference (ast-dump, DumpCallGraph) ...")
    t0 = time.time()
    ref = linux_ref.reference(ccdb, drvdir, a.j)
    ck.info("reference: %d functions, %d intra-driver direct edges (%.1f s)"
            % (len(ref["funcs"]), len(ref["edges"]), time.time() - t0))
    if a.expect_funcs is not None:
        ck.check("ref-count", len(ref["funcs"]) == a.expect_funcs,
                 "clang reference has %d ordinary function definitions, expected %d"
                 % (len(ref["funcs"]), a.expect_funcs))
    rows = con.execute("SELECT f.name, fi.path, f.line, f.macro FROM func f LEFT JOIN file fi ON fi.id = f.file_id "
                       "WHERE f.is_defined = 1 AND f.is_driver = 1").fetchall()
    dbf = {}
    for name, path, line, macro in rows:
        dbf.setdefault(name, []).append((os.path.realpath(path) if path else None, line, macro))
    missing, wrongfile = [], []
    for name, (f, line) in ref["funcs"].items():
        if name not in dbf:
            missing.append("%s:%d: %s" % (f, line, name))
        elif f not in [x[0] for x in dbf[name]]:
            wrongfile.append("%s:%d: %s stored at %s" % (f, line, name, dbf[name]))
    extra_macro, extra_bad = [], []
    for name, lst in dbf.items():
        if name in ref["funcs"]:
            continue
        for path, line, macro in lst:
            s = "%s:%s: %s%s" % (path, line, name, (" (macro %s)" % macro) if macro else "")
            (extra_macro if macro else extra_bad).append(s)
    ck.check("funcs", not missing and not wrongfile and not extra_bad,
             "%d reference functions: %d missing, %d in another file; %d extra driver functions "
             "without func.macro; %d macro-generated"
             % (len(ref["funcs"]), len(missing), len(wrongfile), len(extra_bad), len(extra_macro)))
    if a.expect_macro_funcs is not None:
        ck.check("macro-funcs", len(extra_macro) == a.expect_macro_funcs,
                 "%d driver functions generated by macros (func.macro set), expected %d"
                 % (len(extra_macro), a.expect_macro_funcs))
    if missing:
        ck.info("missing functions:\n" + listing(missing))
    if wrongfile:
        ck.info("functions stored with another file:\n" + listing(wrongfile))
    if extra_bad:
        ck.info("driver functions the reference does not have (func.macro is NULL):\n" + listing(extra_bad))
    if extra_macro:
        ck.info("macro-generated driver functions (accepted):\n" + listing(extra_macro, 30))

    # 4. direct call edges, 100% recall
    got = set(con.execute("SELECT DISTINCT a.name, b.name FROM call c JOIN func a ON a.id = c.caller_id "
                          "JOIN func b ON b.id = c.callee_id WHERE c.kind = 'direct'").fetchall())
    miss = ref["edges"] - got
    ck.check("edges", not miss, "%d reference edges, %d missing (recall %.1f%%)"
             % (len(ref["edges"]), len(miss),
                100.0 * (len(ref["edges"]) - len(miss)) / max(1, len(ref["edges"]))))
    if miss:
        ck.info("missing direct edges (caller -> callee):\n" + listing("%s -> %s" % e for e in miss))
    drv_got = {e for e in got if e[0] in dbf and e[1] in dbf}
    extra = drv_got - ref["edges"]
    if extra:
        ck.info("%d intra-driver direct edges beyond the reference (not failed):\n" % len(extra)
                + listing(("%s -> %s" % e for e in extra), 15))

    check_icalls(ck, con, entries, ref)
    if a.e1000:
        check_e1000(ck, con, entries)
    con.close()
    if a.rerun:
        check_rerun(ck, cmd, dbpath, dt)
    if not a.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return finish(ck, a)


def check_icalls(ck, con, entries, ref):
    """icall-sites: every driver function that calls through a struct member (reference) has an
    indirect call site through that member in the database (table icall when present, else call);
    slot-resolution: at those sites, the indirect call rows include every driver function that the
    driver stores into a member of that name."""
    try:
        rows = con.execute("SELECT f.name, i.slot FROM icall i JOIN func f ON f.id = i.caller_id").fetchall()
        src = "icall"
    except sqlite3.Error:
        rows = con.execute("SELECT f.name, c.slot FROM call c JOIN func f ON f.id = c.caller_id "
                           "WHERE c.kind = 'indirect'").fetchall()
        src = "call"
    have = {(caller, (slot or "").rsplit(".", 1)[-1]) for caller, slot in rows}
    miss = sorted(ref["icalls"] - have)
    ck.check("icall-sites", not miss, "%d (caller, member) call sites in the reference, %d missing from %s"
             % (len(ref["icalls"]), len(miss), src))
    if miss:
        ck.info("missing member-call sites:\n" + listing("%s -> .%s" % m for m in miss))
    stores = member_stores(entries, ref["funcs"])
    unresolved, checked = [], 0
    for caller, field in sorted(ref["icalls"]):
        if field not in stores:
            continue
        checked += 1
        got = {r[0] for r in con.execute(
            "SELECT g.name FROM call c JOIN func f ON f.id = c.caller_id JOIN func g ON g.id = c.callee_id "
            "WHERE c.kind = 'indirect' AND f.name = ? AND (c.slot = ? OR c.slot LIKE ?)",
            (caller, field, "%." + field))}
        lack = stores[field] - got
        if lack:
            unresolved.append("%s -> .%s: missing %s (has %s)" % (caller, field, sorted(lack), sorted(got)))
    ck.check("slot-resolution", not unresolved,
             "%d member-call sites whose member the driver stores functions into, %d unresolved"
             % (checked, len(unresolved)))
    if unresolved:
        ck.info(listing(unresolved))


def check_e1000(ck, con, entries):
    def regs(func, api_names):
        q = ("SELECT r.api, r.arg_idx, r.macro, b.name FROM registration r JOIN func f ON f.id = r.func_id "
             "LEFT JOIN func b ON b.id = r.by_func_id WHERE f.name = ? AND r.kind = 'arg'")
        rows = con.execute(q, (func,)).fetchall()
        return rows, [r for r in rows if r[0] in api_names]

    rows, hit = regs("e1000_intr", ("request_irq", "request_threaded_irq"))
    ck.check("reg-request_irq", any(r[1] == 1 for r in hit),
             "e1000_intr as argument index 1 (the handler) of request_irq; rows: %s" % rows)
    rows, hit = regs("e1000_clean", ("netif_napi_add", "netif_napi_add_weight"))
    ck.check("reg-napi", any(r[1] == 2 for r in hit),
             "e1000_clean as argument index 2 (the poll function) of netif_napi_add; rows: %s" % rows)

    main_c = [e for e in entries if e["abs"].endswith("/e1000_main.c")][0]
    slots = netdev_ops_slots(main_c, "e1000_netdev_ops")
    ck.info("e1000_netdev_ops in the preprocessed source: %d slots" % len(slots))
    got = con.execute("SELECT r.field, f.name, r.var FROM registration r JOIN func f ON f.id = r.func_id "
                      "WHERE r.kind = 'slot' AND r.struct_name = 'net_device_ops'").fetchall()
    have = {(fld, fn) for fld, fn, var in got if var in (None, "e1000_netdev_ops")}
    miss = ["net_device_ops.%s = %s" % s for s in sorted(slots.items()) if s not in have]
    ck.check("netdev-ops-slots", not miss, "%d slots initialized, %d without a registration row"
             % (len(slots), len(miss)))
    if miss:
        ck.info("slots without registration:\n" + listing(miss))
    # Every indirect call through a net_device_ops slot must list the registered function.
    sites = {}
    for slot, fid_name, f, l, c in con.execute(
            "SELECT c.slot, g.name, c.file_id, c.line, c.col FROM call c JOIN func g ON g.id = c.callee_id "
            "WHERE c.kind = 'indirect' AND c.slot LIKE 'net_device_ops.%'"):
        sites.setdefault((slot, f, l, c), set()).add(fid_name)
    unresolved = []
    for (slot, f, l, c), callees in sites.items():
        fld = slot.split(".", 1)[1]
        if fld in slots and slots[fld] not in callees:
            unresolved.append("%s at file %s:%s:%s resolves to %s" % (slot, f, l, c, sorted(callees)))
    ck.check("netdev-ops-calls", not unresolved,
             "%d indirect call sites through net_device_ops slots, %d missing the registered function"
             % (len(sites), len(unresolved)))
    if not sites:
        ck.info("(no indirect call through a net_device_ops slot in the database: e1000 itself never "
                "calls through netdev_ops, so this check is vacuous unless kernel inlines are analysed)")
    if unresolved:
        ck.info(listing(unresolved))


def table_counts(dbpath):
    con = sqlite3.connect(dbpath)
    res = {}
    for t in ("tu", "func", "call", "registration", "field_access", "global", "struct", "alloc", "lock_op"):
        try:
            res[t] = con.execute("SELECT COUNT(*) FROM \"%s\"" % t).fetchone()[0]
        except sqlite3.Error:
            res[t] = None
    stamps = con.execute("SELECT id, analyzed_at, hash FROM tu ORDER BY id").fetchall()
    con.close()
    return res, stamps


def check_rerun(ck, cmd, dbpath, first_s):
    """Run the same kcut analyze again on the unchanged tree: exit 0, every TU skipped (tu rows
    untouched), the same number of rows in every fact table, and much faster than the first run."""
    before, st_before = table_counts(dbpath)
    time.sleep(1.1)  # analyzed_at has 1 s resolution: a re-analysed TU would get a new stamp
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    dt = time.time() - t0
    after, st_after = table_counts(dbpath)
    ck.check("rerun-exit", p.returncode == 0, "exit %d after %.1f s (first run %.1f s)"
             % (p.returncode, dt, first_s))
    ck.check("rerun-skips", st_before == st_after,
             "tu rows (id, analyzed_at, hash) unchanged: %d TUs" % len(st_before))
    diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    ck.check("rerun-same-facts", not diff, "row counts %s" % (diff if diff else before))


def finish(ck, a):
    ck.out("%d passed, %d failed" % (ck.passed, ck.failed))
    if a.findings_dir:
        os.makedirs(a.findings_dir, exist_ok=True)
        name = "%s-%s.md" % (a.driver, a.compiler)
        with open(os.path.join(a.findings_dir, name), "w") as fh:
            fh.write("## %s\n\n```\n%s\n```\n" % (ck.title, "\n".join(ck.lines)))
    return 0 if ck.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
