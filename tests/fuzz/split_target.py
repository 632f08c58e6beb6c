#!/usr/bin/env python3
"""split_target.py - build (and, for CTest, replay the corpus of) fuzz_split, the libFuzzer target
whose kernel half is the split simnic (tests/fuzz/fuzz_split.c).

  split_target.py --mode replay|fuzzer RUN_SPLIT_ARGS... --workdir DIR [--cflags F]
                  [--corpus DIR] [--out BINARY] [--clang CLANG]

1. Splits the driver with kcut as tests/emitter/split/run_split.py --build-only does (analyze,
   partition --device-access none, emit): the kernel half's generated sources.
2. replay: compiles fuzz_split.c + tests/fuzz/replay_main.c + the kernel half with the build's
   compiler and sanitizers, linked with the build's kc_rt, kc_common and kernel model, and runs
   it over --corpus (every file: any ASan/UBSan report, kernel-model BUG or broken invariant
   aborts it, so the test fails); then every input of --known under $KCUT_FUZZ_STRICT (a refused
   message must have changed no kernel object): each must still fail with that report, so the
   test notices when the bug is fixed (then the input moves to the corpus).
   fuzzer: compiles everything (rt, kc_common, the kernel model, the kernel half, fuzz_split.c)
   with clang -fsanitize=fuzzer,address,undefined into --out (bench/fuzz.sh runs it).

The downcalls left out of the fuzzer's reach (SKIP below) are passed as ids: each has its reason.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPLIT = os.path.join(HERE, "..", "emitter", "split", "run_split.py")

# Downcalls the fuzzer does not send (sent as an unknown function id instead), with the reason.
SKIP = {}  # __kc_bug no longer crosses (kapi em_fatal): the user half ends instead (wirefix)


# what each known-bug input (tests/fuzz/split-known/, by the first word of its name) must report
KNOWN_REPORT = {
    "partial": "but changed a kernel object",        # a refused message wrote fields
    "oom": "out-of-memory",                           # an allocation without bound
    "kfree": "LeakSanitizer: detected memory leaks",  # kfree of a net_device
    "oob": "heap-buffer-overflow",                    # a small private area encoded as an adapter
    "null": "member access within null pointer",     # NULL where the kernel function dereferences
}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", **kw)


def main():
    ap = argparse.ArgumentParser()
    for a in ("kcut", "sim", "src", "compdb", "cc", "rt_lib", "common_lib", "kmodel_lib", "workdir"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    ap.add_argument("--mode", choices=("replay", "fuzzer"), required=True)
    ap.add_argument("--cflags", default="")
    ap.add_argument("--corpus", default=os.path.join(HERE, "split"))
    ap.add_argument("--out", default="")
    ap.add_argument("--clang", default="clang-14")
    ap.add_argument("--reuse-split", action="store_true", help="keep the split of an earlier run")
    ap.add_argument("--known", default=os.path.join(HERE, "split-known"),
                    help="inputs that must still fail in strict mode (a known open bug each)")
    args = ap.parse_args()
    work = os.path.abspath(args.workdir)
    os.makedirs(work, exist_ok=True)
    cmd = [sys.executable, SPLIT, "--build-only", "--driver", "simnic", "--workdir", work]
    for a in ("kcut", "sim", "src", "compdb", "cc", "rt_lib", "common_lib", "kmodel_lib"):
        cmd += ["--" + a.replace("_", "-"), getattr(args, a)]
    cmd.append("--cflags=" + args.cflags)
    split = os.path.join(work, "simnic", "split")
    r = run(cmd) if not (args.reuse_split and os.path.isdir(split)) else subprocess.CompletedProcess(cmd, 0, "", "")
    if r.returncode:
        print("FAIL: splitting simnic\n%s%s" % (r.stdout[-3000:], r.stderr[-3000:]))
        return 1
    split = os.path.join(work, "simnic", "split")
    ids = open(os.path.join(split, "include", "kcut_ids.h")).read()
    down = {m.group(1): int(m.group(2)) for m in re.finditer(r"KCUT_DOWN_(\w+) = (\d+)", ids)}
    skip = sorted(down[n] for n in SKIP if n in down)
    src = args.src
    drv = os.path.join(src, "testdrivers", "drivers", "simnic")
    kinc = ["-I" + os.path.join(split, "include"), "-I" + os.path.join(src, "rt"), "-I" + os.path.join(src, "common"),
            "-I" + drv, "-I" + os.path.join(src, "testdrivers", "kmodel", "include")]
    hinc = ["-I" + os.path.join(split, "include"), "-I" + os.path.join(src, "rt"), "-I" + os.path.join(src, "common"),
            "-I" + os.path.join(src, "testdrivers", "kmodel"), "-I" + os.path.join(src, "testdrivers")]
    warn = ["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter", "-fno-strict-aliasing"]
    ksrc = sorted(glob.glob(os.path.join(split, "kernel", "*.c")))
    hdefs = ['-DKCUT_FUZZ_SKIP="%s"' % ",".join(str(i) for i in skip)]
    if "alloc_etherdev_mqs" in down:
        # its queue counts are not bounded by the kernel half (found, open): capped at 64
        hdefs.append("-DKCUT_FUZZ_QCAP_FN=%d" % down["alloc_etherdev_mqs"])
    objdir = os.path.join(work, "obj-" + args.mode)
    os.makedirs(objdir, exist_ok=True)
    if args.mode == "replay":
        cc, san = args.cc, args.cflags.split()
        objs = []
        for f in ksrc:
            o = os.path.join(objdir, os.path.basename(f) + ".o")
            r = run([cc, "-std=gnu11", "-g", "-fPIC", '-DKBUILD_MODNAME="simnic"', "-Wno-format-truncation"] + warn +
                    san + kinc + ["-c", f, "-o", o])
            if r.returncode:
                print("FAIL: compiling %s\n%s" % (f, r.stderr[-3000:]))
                return 1
            objs.append(o)
        out = args.out or os.path.join(work, "fuzz_split_replay")
        kmdir = os.path.dirname(os.path.abspath(args.kmodel_lib))
        r = run([cc, "-std=gnu11", "-g"] + warn + san + hinc + hdefs +
                [os.path.join(HERE, "fuzz_split.c"), os.path.join(HERE, "replay_main.c")] + objs +
                [args.rt_lib, args.common_lib, args.kmodel_lib, "-Wl,-rpath," + kmdir, "-lpthread", "-o", out])
        if r.returncode:
            print("FAIL: linking fuzz_split\n%s" % r.stderr[-3000:])
            return 1
        env = dict(os.environ)
        # the kernel model's threads use the runtime's thread-local state (see run_split.py)
        env["ASAN_OPTIONS"] = ":".join(o for o in (env.get("ASAN_OPTIONS", ""), "intercept_tls_get_addr=0") if o)
        # no leak check on the corpus: the kernel half lets a user half allocate and never free
        # (docs/runtime.md), and the fuzzer's inputs do; the known inputs below are checked with it
        corpus_env = dict(env, ASAN_OPTIONS=env["ASAN_OPTIONS"] + ":detect_leaks=0")
        r = run([out, args.corpus], env=corpus_env, timeout=600)
        sys.stdout.write(r.stdout)
        sys.stdout.write(r.stderr[-6000:])
        if r.returncode:
            print("FAIL: fuzz_split replay exit %d" % r.returncode)
            return 1
        # known failures (docs/results.md): inputs whose refused message still changes a kernel
        # object (checked with $KCUT_FUZZ_STRICT), that make the kernel half attempt an
        # allocation without bound (ASan's out-of-memory report), or that free an object with
        # the wrong deallocator (kfree of a net_device: LeakSanitizer); each must still fail that
        # way, else the bug is fixed and the input belongs in the corpus
        known = sorted(glob.glob(os.path.join(args.known, "*"))) if args.known else []
        fixed = []
        for f in known:
            r = run([out, f], env=dict(env, KCUT_FUZZ_STRICT="1", KCUT_FUZZ_KNOWN="1",
                                       ASAN_OPTIONS=env["ASAN_OPTIONS"] + ":detect_leaks=1"), timeout=120)
            if r.returncode == 0:
                fixed.append(os.path.basename(f))
            elif KNOWN_REPORT[os.path.basename(f).split("-")[0]] not in r.stderr:
                print("FAIL: known input %s fails otherwise:\n%s" % (f, r.stderr[-3000:]))
                return 1
        if fixed:
            print("FAIL: fixed now (move them from %s to the corpus): %s" % (args.known, ", ".join(fixed)))
            return 1
        print("ok: fuzz_split corpus replayed (left out: %s); %d known-bug input(s) still fail "
              "(strict mode)" % (", ".join(sorted(SKIP)), len(known)))
        return 0
    # libFuzzer build: every source with clang's instrumentation
    cc = args.clang
    flags = ["-g", "-O1", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=undefined",
             "-Wno-unknown-warning-option"]
    rt_src = [f for f in sorted(glob.glob(os.path.join(src, "rt", "*.c"))) if "/plat_" not in f]
    km_src = sorted(glob.glob(os.path.join(src, "testdrivers", "kmodel", "*.c")))
    objs = []
    groups = [(ksrc, ["-std=gnu11", "-fPIC", '-DKBUILD_MODNAME="simnic"'] + kinc),
              (km_src, ["-std=gnu11", "-D_GNU_SOURCE", "-I" + os.path.join(src, "testdrivers", "kmodel", "include"),
                        "-I" + os.path.join(src, "testdrivers"), "-I" + os.path.join(src, "common")]),
              (rt_src + [os.path.join(src, "common", "kc_common.c")],
               ["-std=c11", "-D_GNU_SOURCE", "-I" + os.path.join(src, "rt"), "-I" + os.path.join(src, "common")]),
              ([os.path.join(HERE, "fuzz_split.c")], ["-std=gnu11"] + hinc + hdefs)]
    for files, fl in groups:
        for f in files:
            o = os.path.join(objdir, os.path.basename(os.path.dirname(f)) + "_" + os.path.basename(f) + ".o")
            # -fsanitize=fuzzer on objects would add a main per object file: fuzzer-no-link
            fflags = [x.replace("fuzzer,", "fuzzer-no-link,") for x in flags]
            r = run([cc] + fflags + fl + ["-c", f, "-o", o])
            if r.returncode:
                print("FAIL: compiling %s\n%s" % (f, r.stderr[-3000:]))
                return 1
            objs.append(o)
    out = args.out or os.path.join(work, "fuzz_split")
    r = run([cc] + flags + objs + ["-lpthread", "-ldl", "-o", out])
    if r.returncode:
        print("FAIL: linking the libFuzzer target\n%s" % r.stderr[-3000:])
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
