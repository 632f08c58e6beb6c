#!/usr/bin/env python3
"""kbuild_check.py - the emitted kernel half of a real Linux 6.1 driver builds as a module (CTest label linux).

Emits the driver as tests/emitter/linux_emit.py does (kcut analyze, partition with the pins of
tests/emitter/linux/DRIVER.conf, emit with its annotations; both halves pass clang -fsyntax-only), then
runs kbuild on the kernel half, `make -C <cache>/build-clang LLVM=-14 M=<emit dir> modules`, with the
kernel's own flags (defconfig: CONFIG_WERROR, objtool, modpost). Checks:

- make exits 0 and the module the emitted Kbuild names (kcut_<partition>_k.ko) exists;
- no compiler diagnostic (error or warning), no objtool warning ("falls through to next function",
  "unreachable instruction" ...), no modpost WARNING other than "Module.symvers is missing" and the
  per-symbol "undefined!" lines a build without vmlinux prints;
- no stack frame over 1024 bytes (KCFLAGS=-Wframe-larger-than=1024: the cache's defconfig tree warns
  at 2048, the qemu guest kernel and 32-bit configurations at 1024; with CONFIG_WERROR an error);
- all of it for every device access mode the tests emit the driver with (--access, default
  forward,mapped,none: the default partition of each; forward is kcut partition's default and is
  built in WORKDIR/DRIVER/out, the others in WORKDIR/ACCESS/DRIVER/out);
- no symbol the emitter generates (kcut_*: handlers, tables) is used without being defined
  (--known-undefined PREFIX: a known bug, reported, and the test fails once it is gone);
- with --rt DIR (rt/linux): kcut_rt.ko builds the same way without a warning, and every kcut
  runtime symbol (kc_*) the kernel half imports is one kcut_rt.ko exports (its Module.symvers);
- with --symvers-kdir DIR (a built kernel with vmlinux and Module.symvers, e.g. scripts/qemu-e1000.sh's
  guest kernel; skipped when absent): the driver is emitted again from that kernel's own build of it
  (its configuration), kcut_rt.ko and the kernel half are built against it with
  KCUT_RT_LINUX: modpost then knows every symbol, and none may be undefined; for each access mode
  (none in WORKDIR/symvers/DRIVER/out, the module the qemu tests load; the others in
  WORKDIR/symvers-ACCESS/DRIVER/out).

Exit 77 (skipped) when the cache has no such driver.

  kbuild_check.py --kcut KCUT --cache DIR --driver NAME [--workdir DIR] [--rt DIR] [--symvers-kdir DIR]
                  [--access forward,mapped,none]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EMIT = os.path.join(HERE, "..", "emitter", "linux_emit.py")

# modpost lines that are not problems of the module (a build against a tree without vmlinux).
OK_LINES = [
    re.compile(r"^WARNING: Module\.symvers is missing\.$"),
    re.compile(r"^\s+You may get many unresolved symbol warnings\.$"),
    re.compile(r"^WARNING: modpost: suppressed \d+ unresolved symbol warnings because there were too many\)$"),
]
UNDEF = re.compile(r'^WARNING: modpost: "([^"]+)" \[.*\] undefined!$')
PROBLEM = re.compile(r"(error|warning|WARNING|objtool)", re.I)
# the Linux kernel's stack frame limit for the kernel half (CONFIG_FRAME_WARN of the guest kernel)
FRAME_LIMIT = 1024
FRAME = re.compile(r"stack frame size \((\d+)\) exceeds limit \((\d+)\) in '([^']+)'")


def kbuild(kdir, outdir, llvm, jobs, extra):
    cmd = ["make", "-C", kdir, "M=" + outdir, "-j%d" % jobs, "modules"] + extra
    if llvm:
        cmd.insert(3, "LLVM=" + llvm)
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).splitlines()


def build_rt(rt_src, kdir, llvm, jobs, dest):
    """Build rt/linux (a copy in dest) against kdir: (ok, exported symbols, problem lines)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(rt_src, dest)
    rc, lines = kbuild(kdir, dest, llvm, jobs, ["KCUT_RT=" + os.path.dirname(os.path.abspath(rt_src))])
    problems, _ = check_lines(lines, True)
    exported = set()
    sv = os.path.join(dest, "Module.symvers")
    if os.path.exists(sv):
        exported = {l.split("\t")[1] for l in open(sv) if l.count("\t") >= 2}
    if rc:
        problems.append("make exit %d: %s" % (rc, " | ".join(lines[-5:])))
    return not problems and os.path.exists(os.path.join(dest, "kcut_rt.ko")), exported, problems


def driver_db(kdir, src_dir, dest):
    """A compile_commands.json of the driver's objects as kdir built them (its .cmd files), laid out
    as linux-prepare.sh's cache (dest/db/clang/DRIVER): the driver is emitted for that kernel's
    configuration, not the defconfig one."""
    allj = os.path.join(dest, "all.json")
    os.makedirs(dest, exist_ok=True)
    src = os.path.join(os.path.realpath(os.path.join(kdir, "source")), "")
    r = subprocess.run([sys.executable, os.path.join(src, "scripts/clang-tools/gen_compile_commands.py"), "-d", kdir,
                        "-o", allj], capture_output=True, text=True)
    if r.returncode:
        return None
    pre = os.path.join(os.path.realpath(src_dir), "")
    ents = [e for e in json.load(open(allj)) if e["file"].startswith(pre) and e["file"].endswith(".c")]
    return ents


def module_name(out):
    """The kernel half's module, as the emitted Kbuild names it (obj-m += NAME.o)."""
    for ln in open(os.path.join(out, "Kbuild")):
        m = re.match(r"^obj-m \+= (\w+)\.o$", ln.strip())
        if m:
            return m.group(1)
    return "(no obj-m line in %s/Kbuild)" % out


def check_lines(lines, allow_undefined):
    """Returns (problems, undefined symbols)."""
    problems, undef = [], []
    for ln in lines:
        m = UNDEF.match(ln)
        if m:
            undef.append(m.group(1))
            if not allow_undefined:
                problems.append(ln)
            continue
        if any(p.match(ln) for p in OK_LINES):
            continue
        if ln.startswith("make") and ("Entering directory" in ln or "Leaving directory" in ln):
            continue
        if PROBLEM.search(ln):
            problems.append(ln)
    return problems, undef


def check_layout(out):
    """The layout table both halves carry (rt/linux compares them at connect time): not empty, and
    every entry filled by a file of each half (an entry one half leaves 0 would refuse every user
    half). Returns (entries, problems)."""
    ids = open(os.path.join(out, "include", "kcut_ids.h")).read()
    m = re.search(r"^#define KCUT_NR_LAYOUT (\d+)$", ids, re.M)
    if not m:
        return 0, ["include/kcut_ids.h has no KCUT_NR_LAYOUT"]
    n = int(m.group(1))
    problems = [] if n else ["the layout table is empty"]
    for half in ("kernel", "user"):
        filled = set()
        for f in os.listdir(os.path.join(out, half)):
            if f.endswith(".c"):
                filled |= {int(x) for x in re.findall(r"^\tkcut_layout\[(\d+)\] = ", open(os.path.join(out, half, f)).read(), re.M)}
        missing = sorted(set(range(n)) - filled)
        if missing:
            problems.append("the %s half never fills layout entries %s" % (half, missing[:10]))
        if filled - set(range(n)):
            problems.append("the %s half fills layout entries past KCUT_NR_LAYOUT" % half)
    return n, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcut", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--workdir")
    ap.add_argument("--clang", default="clang-14")
    ap.add_argument("--rt", help="rt/linux directory: link the kernel half's runtime into the module")
    ap.add_argument("--symvers-kdir", help="a built kernel tree with Module.symvers to build against too")
    ap.add_argument("--known-undefined", help="a known bug: generated symbols with this prefix are undefined "
                    "(reported; the test fails when there are none left)")
    ap.add_argument("--known-missing-rt", help="a known gap: runtime symbols with this prefix (or these, comma-separated) are imported by the "
                    "kernel half but not exported by kcut_rt.ko (reported; the build against a kernel with vmlinux "
                    "is then skipped; the test fails when none are missing any more)")
    ap.add_argument("--symvers-llvm", default="-14", help="LLVM= for --symvers-kdir (default -14)")
    ap.add_argument("--access", default="forward,mapped,none",
                    help="device access modes to emit and build the default partition with (comma-separated)")
    a = ap.parse_args()
    jobs = int(os.environ.get("KCUT_LINUX_JOBS", "2"))
    work = a.workdir or tempfile.mkdtemp(prefix="kcut-kbuild-")
    os.makedirs(work, exist_ok=True)
    fails = 0
    extra, exported = [], set()
    rt_gap = False
    kdir = os.path.join(a.cache, "build-clang")
    accesses = [x for x in a.access.split(",") if x]
    analyzed = None
    for acc in accesses:
        # forward (kcut partition's default) where the other tests and earlier runs find it
        wd = work if acc == "forward" else os.path.join(work, acc)
        print("== %s, device access %s" % (a.driver, acc))
        # one kcut analyze per driver: the other modes partition a copy of the first one's database
        again = ["--analyzed", analyzed] if analyzed else []
        r = subprocess.run([sys.executable, EMIT, "--kcut", a.kcut, "--cache", a.cache, "--driver", a.driver,
                            "--clang", a.clang, "--workdir", wd, "--device-access", acc] + again,
                           capture_output=True, text=True)
        sys.stdout.write(r.stdout)
        if r.returncode == 77:
            return 77
        if r.returncode:
            print("FAIL emit with device access %s (linux_emit.py exit %d)\n%s" % (acc, r.returncode, r.stderr[-2000:]))
            fails += 1
            continue
        out = os.path.join(wd, a.driver, "out")
        if not analyzed:
            analyzed = os.path.join(work, "%s-analyzed.db" % a.driver)
            shutil.copyfile(os.path.join(wd, a.driver, "k.db"), analyzed)
        nlay, problems = check_layout(out)
        print("layout table: %d entries (sizes and offsets of the crossing structs, compared at connect time)" % nlay)
        for p in problems:
            fails += 1
            print("FAIL layout table (%s): %s" % (acc, p))
        if a.rt and not extra:
            ok, exported, problems = build_rt(a.rt, kdir, "-14", jobs, os.path.join(work, "rt-linux"))
            print("rt/linux (kcut_rt.ko) against build-clang: %s, %d symbols exported" % ("built" if ok else "FAILED", len(exported)))
            for p in problems:
                fails += 1
                print("FAIL rt/linux kbuild: %s" % p)
            extra = ["KCUT_RT_LINUX=" + os.path.join(work, "rt-linux")]
        rc, lines = kbuild(kdir, out, "-14", jobs, extra + ["KCFLAGS=-Wframe-larger-than=%d" % FRAME_LIMIT])
        problems, undef = check_lines(lines, True)
        ko = os.path.join(out, module_name(out) + ".ko")
        frames = sorted({m.group(3) + " (%s bytes)" % m.group(1) for m in map(FRAME.search, lines) if m})
        print("kbuild %s (%s) against %s: exit %d, %d lines, %d undefined (no vmlinux), %d stack frames over %d bytes%s"
              % (a.driver, acc, kdir, rc, len(lines), len(undef), len(frames), FRAME_LIMIT,
                 ": " + ", ".join(frames) if frames else ""))
        if rc or not os.path.exists(ko):
            fails += 1
            print("FAIL make exit %d, %s %s" % (rc, ko, "exists" if os.path.exists(ko) else "missing"))
        for p in problems:
            fails += 1
            print("FAIL kbuild (%s): %s" % (acc, p))
        if rc == 0 and os.path.exists(ko):
            nm = subprocess.run(["nm", "-u", ko], capture_output=True, text=True)
            undef_ko = [l.split()[-1] for l in nm.stdout.splitlines() if re.match(r"^\s*U ", l)]
            own = [x for x in undef_ko if x.startswith("kc_")]
            gen = [x for x in undef_ko if x.startswith("kcut_")]
            print("%d kcut runtime symbols imported by the .ko%s" % (len(own), ": " + " ".join(own[:12]) if own else ""))
            if a.rt:
                missing = [x for x in own if x not in exported]
                print("... %d of them exported by kcut_rt.ko" % (len(own) - len(missing)))
                gap = [x for x in missing if a.known_missing_rt and x.startswith(tuple(a.known_missing_rt.split(",")))]
                if len(gap) < len(missing):
                    fails += 1
                    print("FAIL kcut_rt.ko does not export: %s" % " ".join(x for x in missing if x not in gap))
                if a.known_missing_rt:
                    print("KNOWN PROBLEM: kcut_rt.ko does not export %d runtime symbols %s*: %s"
                          % (len(gap), a.known_missing_rt, " ".join(gap)))
                    if gap:
                        rt_gap = True
                    else:
                        fails += 1
                        print("FAIL --known-missing-rt %s: none missing; drop the option (tests/linux/CMakeLists.txt)"
                              % a.known_missing_rt)
            # kcut_* are the emitter's own symbols (handlers, tables): one left undefined is a bug of
            # the emitted code, not a missing runtime
            known = [x for x in gen if a.known_undefined and x.startswith(a.known_undefined)]
            for x in gen:
                if x not in known:
                    fails += 1
                    print("FAIL generated symbol %s is used but not defined by the kernel half" % x)
            if a.known_undefined:
                print("KNOWN PROBLEM: %d generated symbols %s* undefined: %s" % (len(known), a.known_undefined, " ".join(known)))
                if not known:
                    fails += 1
                    print("FAIL --known-undefined %s: none left; drop the option (tests/linux/CMakeLists.txt)" % a.known_undefined)
    if a.symvers_kdir and not os.path.exists(os.path.join(a.symvers_kdir, "Module.symvers")):
        print("skipped the build against a kernel with vmlinux: %s has no Module.symvers "
              "(scripts/qemu-e1000.sh builds one)" % a.symvers_kdir)
    elif a.symvers_kdir and rt_gap:
        print("KNOWN PROBLEM: skipped the build against %s with vmlinux: the kernel half would not link "
              "(kcut_rt.ko lacks %s*)" % (a.symvers_kdir, a.known_missing_rt))
    elif a.symvers_kdir:
        kd = a.symvers_kdir
        if not os.path.exists(os.path.join(kd, "scripts", "mod", "modpost")):
            subprocess.run(["make", "-C", kd, "LLVM=" + a.symvers_llvm, "-j%d" % jobs, "modules_prepare"],
                           capture_output=True, text=True)
        src_dir = open(os.path.join(a.cache, "db", "clang", a.driver, "driver_dir")).read().strip()
        qcache = os.path.join(work, "symvers-cache")
        ents = driver_db(kd, src_dir, qcache)
        if not ents:
            fails += 1
            print("FAIL %s has no built objects of %s (no .cmd files under %s)" % (kd, a.driver, src_dir))
        else:
            dd = os.path.join(qcache, "db", "clang", a.driver)
            os.makedirs(dd, exist_ok=True)
            json.dump(ents, open(os.path.join(dd, "compile_commands.json"), "w"), indent=1)
            open(os.path.join(dd, "driver_dir"), "w").write(src_dir + "\n")
            extra_sv = []
            if a.rt:
                ok, _, problems = build_rt(a.rt, kd, a.symvers_llvm, jobs, os.path.join(work, "rt-linux-symvers"))
                print("rt/linux (kcut_rt.ko) against %s: %s" % (kd, "built" if ok else "FAILED"))
                for p in problems:
                    fails += 1
                    print("FAIL rt/linux kbuild: %s" % p)
                extra_sv = ["KCUT_RT_LINUX=" + os.path.join(work, "rt-linux-symvers")]
            # none first: WORKDIR/symvers/DRIVER/out is the module the qemu tests load; the other
            # modes (the qemu tests' forward and mapped splits) in WORKDIR/symvers-ACCESS
            analyzed_sv = None
            for acc in ["none"] + [x for x in accesses if x != "none"]:
                wd = os.path.join(work, "symvers" if acc == "none" else "symvers-" + acc)
                again = ["--analyzed", analyzed_sv] if analyzed_sv else []
                r = subprocess.run([sys.executable, EMIT, "--kcut", a.kcut, "--cache", qcache, "--driver", a.driver,
                                    "--clang", a.clang, "--workdir", wd, "--device-access", acc] + again,
                                   capture_output=True, text=True)
                if r.returncode:
                    fails += 1
                    print("FAIL emit for %s's configuration (%s):\n%s" % (kd, acc, r.stdout[-2000:] + r.stderr[-2000:]))
                    continue
                if not analyzed_sv:
                    analyzed_sv = os.path.join(work, "%s-symvers-analyzed.db" % a.driver)
                    shutil.copyfile(os.path.join(wd, a.driver, "k.db"), analyzed_sv)
                out_sv = os.path.join(wd, a.driver, "out")
                rc, lines = kbuild(kd, out_sv, a.symvers_llvm, jobs, extra_sv + ["KCFLAGS=-Wframe-larger-than=%d" % FRAME_LIMIT])
                problems, undef = check_lines(lines, False)
                frames = sorted({m.group(3) + " (%s bytes)" % m.group(1) for m in map(FRAME.search, lines) if m})
                print("kbuild %s (%s) against %s (Module.symvers): exit %d, %d undefined, %d stack frames over %d bytes%s"
                      % (a.driver, acc, kd, rc, len(undef), len(frames), FRAME_LIMIT,
                         ": " + ", ".join(frames) if frames else ""))
                if rc:
                    fails += 1
                    print("FAIL make exit %d\n%s" % (rc, "\n".join(lines[-15:])))
                for p in problems:
                    fails += 1
                    print("FAIL kbuild (%s): %s" % (acc, p))
    print("%d passed, %d failed" % (0 if fails else 1, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
