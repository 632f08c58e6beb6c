#!/usr/bin/env python3
"""run_split.py - split a test driver with kcut and run its golden scenarios split (label emitter).

  run_split.py --kcut K --sim KCUT_SIM --driver NAME --src TREE --compdb compile_commands.json
               --cc CC --rt-lib A --common-lib A --kmodel-lib SO --workdir DIR [--cflags F]
               [--only SCENARIO] [--keep]
               [--device-access forward|mapped --rt-kmodel-lib A --unsplit SO [--no-posting]]

Steps (everything from the sources, nothing checked in but the annotation file):
  1. kcut analyze the driver (its compile_commands.json from the build);
  2. kcut partition --mode mincut: the templates' roots plus their 'kernel' rules (generic.tmpl:
     functions that access device registers or DMA-coherent memory, descriptor rings, and
     module_init/module_exit, which the loader calls) stay in the kernel; no pins;
  3. kcut emit with testdrivers/drivers/NAME/NAME.kcut-annotations;
  4. the kernel half is built as NAME.so (a module kcut-sim loads), the user half as a program
     linking the runtime (and the kernel model's library routines: vscnprintf, strscpy);
  5. every tests/testdrivers/NAME/*.sim runs under kcut-sim --driver NAME.so --user-half PROG and
     its transcript and exit status are compared with the unsplit .expected, byte for byte.
     Upcalls / downcalls per scenario come from the runtime's crossing trace ($KCUT_TRACE).

--device-access forward|mapped (issue 13, docs/emitter.md "Device access"): the variant whose user
half drives the device. Step 2 becomes `kcut partition --no-kernel-rules` (register and DMA code
may leave the kernel) plus the pins of tests/emitter/split/NAME-forward.pins (each with its reason)
and `--device-access MODE` when kcut partition has it; the kernel half links the kernel model's
platform glue (--rt-kmodel-lib); every scenario also runs unsplit (--unsplit) with kcut-sim
--mmio-log, and the split run's register-access log must equal it byte for byte (order
included). --no-posting sends every forwarded register write alone ($KCUT_IO_NO_POSTING=1).
Known failures: NAME-forward.known-failing. The table adds the register batches (regio: the user
half's forwarded accesses, reginfo: first sight of a region) from the crossing trace.

tests/emitter/split/NAME.known-failing lists the scenarios that do not pass yet ("name  reason"),
or "stage: emit|build  reason" when the driver does not get that far. The test fails when a
listed scenario passes (remove it from the list) or an unlisted one fails, so a fix and a
regression are both noticed.
"""
import argparse
import glob
import os
import re
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", **kw)


def sim_env(**extra):
    """Environment of a split run. The kernel half is a dlopen'ed module that links the runtime,
    whose thread-local variables the kernel model's worker threads use (an upcall from a work
    item); LeakSanitizer's tracking of such dynamic TLS (its __tls_get_addr interceptor) reads a
    garbage range for them at exit and dies ("Tracer caught signal 11 ... LeakSanitizer has
    encountered a fatal error") with exit status 1 after a correct transcript. Not intercepting
    __tls_get_addr only drops those blocks from the root set (a leak check is stricter without
    roots, never laxer)."""
    env = dict(os.environ, **extra)
    env["ASAN_OPTIONS"] = ":".join(o for o in (env.get("ASAN_OPTIONS", ""), "intercept_tls_get_addr=0") if o)
    return env


def regio_counts(trace):
    """(register batches, region queries) in a crossing trace: the user half's forwarded register
    accesses (KC_RT_FN_REGIO) and first sights of a region (KC_RT_FN_REGINFO)."""
    nb = nq = 0
    if not os.path.exists(trace):
        return 0, 0
    with open(trace) as f:
        for line in f:
            p = line.split()
            if len(p) == 3 and not line.startswith("#"):
                nb += int(p[2]) if p[1] == "(regio)" else 0
                nq += int(p[2]) if p[1] == "(reginfo)" else 0
    return nb, nq


def load_pins(path):
    """Function names of a .pins file (whitespace-separated, # comments)."""
    pins = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                pins += line.split("#")[0].split()
    return pins


def partition_help(kcut):
    return run([kcut, "partition", "--help"]).stdout + run([kcut, "partition", "--help"]).stderr


def trace_counts(trace, ids_h):
    """(upcalls, downcalls) counted in a crossing trace, by the callee's id space."""
    up, down = set(), set()
    with open(ids_h) as f:
        for m in re.finditer(r"KCUT_(UP|DOWN)_(\w+) = \d+", f.read()):
            (up if m.group(1) == "UP" else down).add(m.group(2))
    nu = nd = 0
    if not os.path.exists(trace):
        return None
    with open(trace) as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = line.split()
            if len(p) != 3:
                continue
            callee = p[1].split("__")[0] if p[1] not in up | down else p[1]
            if callee in up:
                nu += int(p[2])
            elif callee in down:
                nd += int(p[2])
    return nu, nd


def load_known(path):
    known = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.split("#")[0].strip()
                if line:
                    p = line.split(None, 1)
                    known[p[0]] = p[1] if len(p) > 1 else ""
    return known


def iommu_run(args, kso, cflags, incs, usrc, work):
    """Issue 13 item 6: the user half, which may drive the device, points the device at a bus address
    nobody mapped (hostile_iommu.c, linked in with --wrap=kc_io_read32). Checked: the kernel model
    reports the DMA fault and copies nothing (the frames after it are not delivered), the rest of
    the scenario runs (transmit works, remove completes), no other BUG, and without the hostile
    piece the same scenario has no fault at all (so the check can fail)."""
    hostile = os.path.join(work, args.driver + "-user-hostile")
    kmdir = os.path.dirname(os.path.abspath(args.kmodel_lib))
    r = run([args.cc] + cflags + incs + ["-o", hostile] + usrc + [os.path.join(HERE, "hostile_iommu.c"),
            "-Wl,--wrap=kc_io_read32", args.rt_lib, args.common_lib, args.kmodel_lib, "-Wl,-rpath," + kmdir,
            "-lpthread"])
    if r.returncode:
        print("FAIL: building the hostile user half:\n" + r.stderr[-3000:])
        return 1
    uprog = os.path.join(work, args.driver + "-user")
    outs = {}
    for what, prog in (("honest", uprog), ("hostile", hostile)):
        r = run([args.sim, "--driver", kso, "--user-half", prog, args.iommu], timeout=60, env=sim_env())
        outs[what] = r
        with open(os.path.join(work, "iommu-%s.out" % what), "w") as f:
            f.write(r.stdout + "\n--- stderr\n" + r.stderr)
    honest, bad = outs["honest"].stdout, outs["hostile"].stdout
    faults = [ln for ln in bad.splitlines() if "BUG: DMA fault" in ln]
    checks = [
        ("the honest user half causes no DMA fault", "DMA fault" not in honest),
        ("the hostile user half's ring address is refused by the IOMMU", len(faults) > 0 and
         all("outside any mapping" in ln and "0x7ead" in ln for ln in faults)),
        ("frames received after it are not delivered", bad.count("rx ") < honest.count("rx ")),
        ("transmit still works", [ln for ln in bad.splitlines() if ln.startswith("tx ")] ==
         [ln for ln in honest.splitlines() if ln.startswith("tx ")] and "tx 1:" in honest),
        ("remove completes", "remove: %s unloaded" % args.driver in bad),
        ("no other BUG", all("DMA fault" in ln for ln in bad.splitlines() if "BUG" in ln and "summary" not in ln)),
    ]
    for what, ok in checks:
        print("%s %s" % ("ok  " if ok else "FAIL", what))
    print("\n".join(faults[:3]))
    return 0 if all(ok for _, ok in checks) else 1


def regoff_run(args, kso, cflags, incs, usrc, work):
    """Issue 14: with device access none, simsnd_read(chip, reg) is a downcall whose reg the kernel
    half adds to the register window; the hostile user half (hostile_regoff.c, linked in with
    --wrap=simsnd_read) sends reg = 0x7fffffff once. Checked: the kernel half refuses it with its log
    line and touches nothing (the kernel model stops on an access outside every BAR), the user half
    is restarted and the rest of the scenario runs (playback, mixer, remove without a BUG), and the
    honest user half gets no refusal (so the check can fail both ways)."""
    hostile = os.path.join(work, args.driver + "-user-hostile")
    kmdir = os.path.dirname(os.path.abspath(args.kmodel_lib))
    r = run([args.cc] + cflags + incs + ["-o", hostile] + usrc + [os.path.join(HERE, "hostile_regoff.c"),
            "-Wl,--wrap=simsnd_read", args.rt_lib, args.common_lib, args.kmodel_lib, "-Wl,-rpath," + kmdir,
            "-lpthread"])
    if r.returncode:
        print("FAIL: building the hostile user half:\n" + r.stderr[-3000:])
        return 1
    uprog = os.path.join(work, args.driver + "-user")
    outs = {}
    for what, prog in (("honest", uprog), ("hostile", hostile)):
        mark = os.path.join(work, "regoff-%s.mark" % what)
        if os.path.exists(mark):
            os.remove(mark)
        r = run([args.sim, "--driver", kso, "--user-half", prog, args.regoff], timeout=120,
                env=sim_env(KCUT_REGOFF_MARK=mark))
        outs[what] = r
        with open(os.path.join(work, "regoff-%s.out" % what), "w") as f:
            f.write(r.stdout + "\n--- stderr\n" + r.stderr)
    refusal = "register offset from the user half refused: offset 0x7fffffff"
    honest, bad = outs["honest"], outs["hostile"]
    checks = [
        ("the honest user half's offsets are all accepted", "register offset" not in honest.stderr and
         honest.returncode == 0),
        ("the hostile offset is refused by the kernel half", refusal in bad.stderr),
        ("nothing outside the register window is touched", "outside every BAR" not in bad.stdout + bad.stderr),
        ("the call fails, the user half is restarted and serves the next one",
         "snd_simsnd_stat_get: crossing failed" in bad.stderr and
         bad.stdout.count("control 'Periods Played' int x1 [0..2147483647] = -EIO") == 1 and
         bad.stdout.count("control 'Periods Played' int x1 [0..2147483647] = 0") == 1),
        ("playback works afterwards", "play: closed" in bad.stdout),
        ("remove completes without a BUG", "remove: %s unloaded" % args.driver in bad.stdout and
         "BUG" not in bad.stdout.replace("0 BUG report(s)", "") and bad.returncode == 0),
    ]
    for what, ok in checks:
        print("%s %s" % ("ok  " if ok else "FAIL", what))
    print("\n".join(ln for ln in bad.stderr.splitlines() if "register offset" in ln)[:600])
    return 0 if all(ok for _, ok in checks) else 1


def main():
    ap = argparse.ArgumentParser()
    for a in ("kcut", "sim", "driver", "src", "compdb", "cc", "rt_lib", "common_lib", "kmodel_lib", "workdir"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    ap.add_argument("--cflags", default="")
    ap.add_argument("--device-access", choices=("none", "forward", "mapped"), default="none")
    ap.add_argument("--rt-kmodel-lib", default="")
    ap.add_argument("--unsplit", default="", help="the unsplit driver (register-access log reference)")
    ap.add_argument("--no-posting", action="store_true")
    ap.add_argument("--regoff", metavar="SIM", help="a hostile user half (hostile_regoff.c) sends a register "
                    "offset past the window once; the kernel half must refuse it and go on")
    ap.add_argument("--iommu", metavar="SIM", help="with --device-access: a hostile user half (hostile_iommu.c) "
                    "misprograms the device while SIM runs; the model's IOMMU must catch it")
    ap.add_argument("--default-partition", action="store_true",
                    help="with --device-access: plain `kcut partition --device-access MODE` (the partitioner's "
                         "own constraints), no --no-kernel-rules and no NAME-forward.pins")
    ap.add_argument("--only")
    ap.add_argument("--build-only", action="store_true",
                    help="stop after building both halves and print KERNEL=path USER=path (bench/driver.sh)")
    args = ap.parse_args()
    name = args.driver
    src_dir = os.path.join(args.src, "testdrivers", "drivers", name)
    kinc = os.path.join(args.src, "testdrivers", "kmodel", "include")
    scen_dir = os.path.join(args.src, "tests", "testdrivers", name)
    dev = args.device_access != "none"
    if dev and not (args.rt_kmodel_lib and args.unsplit):
        print("FAIL: --device-access needs --rt-kmodel-lib and --unsplit")
        return 1
    known = load_known(os.path.join(HERE, name + ("-forward" if dev else "") + ".known-failing"))
    work = os.path.abspath(os.path.join(args.workdir, name))
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, name + ".db")
    out = os.path.join(work, "split")
    failures = []

    known_stage = known["stage:"].split()[0] if known.get("stage:") else None

    def stage_failed(stage, msg):
        """A stage failed: fine (exit 0) if the known-failing file says the driver stops there."""
        if known_stage == stage:
            print("known failure at stage %s (%s.known-failing: %s):\n%s" % (stage, name, known["stage:"],
                                                                            msg[-2000:]))
            return 0
        print("FAIL: %s\n%s" % (stage, msg[-4000:]))
        return 1

    for f in (db,):
        if os.path.exists(f):
            os.remove(f)
    r = run([args.kcut, "analyze", "-p", args.compdb, "--db", db, "--driver", src_dir, "--no-progress"])
    if r.returncode:
        print("FAIL: kcut analyze exit %d\n%s" % (r.returncode, r.stderr[-3000:]))
        return 1
    cmd = [args.kcut, "partition", "--db", db, "--mode", "mincut", "--name", "split", "--force"]
    if not dev:
        # the variant without device access: the split whose user half never touches the device
        # (kcut partition's default is forward since issue 13)
        cmd += ["--device-access", "none"]
    elif args.default_partition:
        cmd += ["--device-access", args.device_access]
    elif dev:
        cmd += ["--no-kernel-rules"]
        for f in load_pins(os.path.join(HERE, name + "-forward.pins")):
            cmd += ["--pin", f + "=kernel"]
        if "--device-access" in partition_help(args.kcut):
            cmd += ["--device-access", args.device_access]
    r = run(cmd)
    if r.returncode:
        print("FAIL: kcut partition exit %d\n%s" % (r.returncode, r.stderr[-3000:]))
        return 1
    print(r.stdout.splitlines()[0] if r.stdout else "")
    print("\n".join(r.stdout.splitlines()[1:3]))
    if os.path.isdir(out):
        subprocess.run(["rm", "-rf", out])
    ann = os.path.join(src_dir, name + ".kcut-annotations")
    cmd = [args.kcut, "emit", "--db", db, "--partition", "split", "-o", out]
    if os.path.exists(ann):
        cmd += ["--annotations", ann]
    r = run(cmd)
    if r.returncode:
        return stage_failed("emit", r.stderr)
    if known_stage == "emit":
        print("FAIL: kcut emit now succeeds: remove the 'stage:' line from %s.known-failing" % name)
        return 1
    print(r.stderr.strip().splitlines()[-1])

    cflags = ["-std=gnu11", "-g", "-fPIC", '-DKBUILD_MODNAME="%s"' % name, "-Wall", "-Wextra", "-Werror",
              "-Wno-unused-parameter", "-Wno-format-truncation", "-fno-strict-aliasing"] + args.cflags.split()
    incs = ["-I" + os.path.join(out, "include"), "-I" + os.path.join(args.src, "rt"),
            "-I" + os.path.join(args.src, "common"), "-I" + src_dir, "-I" + kinc]
    kdir = os.path.join(work, "kernel")
    os.makedirs(kdir, exist_ok=True)
    kso = os.path.join(kdir, name + ".so")  # the module name comes from the file name
    uprog = os.path.join(work, name + "-user")
    kmdir = os.path.dirname(os.path.abspath(args.kmodel_lib))
    ksrc = sorted(glob.glob(os.path.join(out, "kernel", "*.c")))
    usrc = sorted(glob.glob(os.path.join(out, "user", "*.c")))
    r = run([args.cc] + cflags + incs + ["-shared", "-o", kso] + ksrc +
            ([args.rt_kmodel_lib] if args.rt_kmodel_lib else []) +
            [args.rt_lib, args.common_lib, args.kmodel_lib, "-lpthread"])
    if r.returncode:
        return stage_failed("build", "kernel half:\n" + r.stderr)
    r = run([args.cc] + cflags + incs + ["-o", uprog] + usrc +
            [args.rt_lib, args.common_lib, args.kmodel_lib, "-Wl,-rpath," + kmdir, "-lpthread"])
    if r.returncode:
        return stage_failed("build", "user half:\n" + r.stderr)
    if known_stage == "build":
        print("FAIL: both halves build now: remove the 'stage:' line from %s.known-failing" % name)
        return 1
    print("built %s (kernel half, %d files) and %s (user half, %d files)" % (kso, len(ksrc), uprog, len(usrc)))

    if args.build_only:
        print("KERNEL=%s USER=%s" % (kso, uprog))
        return 0
    if args.iommu:
        return iommu_run(args, kso, cflags, incs, usrc, work)
    if args.regoff:
        return regoff_run(args, kso, cflags, incs, usrc, work)
    rows = []
    for sim in sorted(glob.glob(os.path.join(scen_dir, "*.sim"))):
        sc = os.path.basename(sim)[:-4]
        if args.only and sc != args.only:
            continue
        with open(os.path.join(scen_dir, sc + ".expected")) as f:
            want = f.read()
        with open(sim) as f:
            text = f.read()
        m = re.search(r"^# exit: (\d+)", text, re.M)
        want_rc = int(m.group(1)) if m else 0
        # kcut-sim options of the scenario ("# args: ...", as run_golden.sh); without them the
        # harness's default device is simnic's, so other drivers get --device NAME
        m = re.search(r"^# args: (.*)$", text, re.M)
        sim_args = m.group(1).split() if m else ([] if name == "simnic" else ["--device", name])
        trace = os.path.join(work, sc + ".trace")
        if os.path.exists(trace):
            os.remove(trace)
        log_args, mlog, mlog_ref = [], os.path.join(work, sc + ".mmio"), os.path.join(work, sc + ".mmio-unsplit")
        extra_env = {"KCUT_TRACE": trace}
        if args.no_posting:
            extra_env["KCUT_IO_NO_POSTING"] = "1"
        if dev:
            log_args = ["--mmio-log", mlog]
            r = run([args.sim, "--driver", args.unsplit, "--mmio-log", mlog_ref] + sim_args + [sim], timeout=30,
                    env=sim_env())
        try:
            r = run([args.sim, "--driver", kso, "--user-half", uprog] + log_args + sim_args + [sim], timeout=30,
                    env=sim_env(**extra_env))
            got, rc, err = r.stdout, r.returncode, r.stderr
        except subprocess.TimeoutExpired:
            got, rc, err = "", -1, "timeout"
        mmio_same = None
        if dev:
            # an empty reference would make the comparison vacuous: every scenario probes
            mmio_same = os.path.exists(mlog) and os.path.exists(mlog_ref) and os.path.getsize(mlog_ref) > 0 and \
                open(mlog, "rb").read() == open(mlog_ref, "rb").read()
        with open(os.path.join(work, sc + ".out"), "w") as f:
            f.write(got)
        with open(os.path.join(work, sc + ".err"), "w") as f:
            f.write(err)
        ok = got == want and rc == want_rc and mmio_same is not False
        counts = trace_counts(trace, os.path.join(out, "include", "kcut_ids.h"))
        cs = "%7d %9d" % counts if counts else "      - %9s" % "-"
        if dev:
            cs += " %6d %7d %5s" % (regio_counts(trace) + ("same" if mmio_same else "DIFF",))
        if ok and sc in known:
            failures.append(sc)
            verdict = "PASS (listed as known-failing: remove it from %s.known-failing)" % name
        elif ok:
            verdict = "pass"
        elif sc in known:
            verdict = "known failing: " + known[sc]
        else:
            failures.append(sc)
            import difflib
            verdict = "FAIL (exit %d, want %d%s)" % (rc, want_rc, "" if mmio_same is not False else
                                                         "; register-access log differs")
            if mmio_same is False:
                print("--- %s: register-access log differs from the unsplit run's (%s vs %s)" % (sc, mlog, mlog_ref))
            print("--- %s: split transcript differs (out/err in %s)" % (sc, work))
            print("\n".join(list(difflib.unified_diff(want.splitlines(), got.splitlines(), "expected", "split",
                                                      lineterm=""))[:40]))
            print("\n".join(err.splitlines()[-15:]))
        rows.append("%-16s %s  %s" % (sc, cs, verdict))
    if dev:
        print("%-16s %7s %9s %6s %7s %5s  %s" % ("scenario", "upcalls", "downcalls", "regio", "reginfo", "mmio",
                                                "result"))
    else:
        print("%-16s %7s %9s  %s" % ("scenario", "upcalls", "downcalls", "result"))
    print("\n".join(rows))
    n_pass = sum(1 for r in rows if " pass" in r)
    print("%d of %d scenarios identical to the unsplit run; %d listed as known failing" %
          (n_pass, len(rows), sum(1 for r in rows if "known failing" in r)))
    for k in known:
        if k != "stage:" and not os.path.exists(os.path.join(scen_dir, k + ".sim")):
            print("FAIL: %s.known-failing names %s, which is not a scenario" % (name, k))
            failures.append(k)
    if failures:
        print("FAILED: " + " ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
