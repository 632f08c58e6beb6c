#!/usr/bin/env python3
"""run_hostile.py - a hostile user half against a split test driver (issue 14 item 2).

  run_hostile.py RUN_SPLIT_ARGS... --driver simnic|simsnd [--seed N] [--rounds R] [--burst B]
                 [--messages M] [--channel C] [--thread T] [--workdir DIR] [--reuse-build]
                 [--device-access forward --rt-kmodel-lib A --unsplit SO]
                 [--restart-rate N --quiet --min-messages M]

1. Builds the split driver as tests/emitter/split/run_split.py does (--build-only: kcut analyze,
   partition, emit; the kernel half as NAME.so, with ASan+UBSan when the build uses them).
2. Builds tests/hostile/hostile_user.c against the same generated user-half sources (their main()
   left out), with the linker wrapping kc_rt_call_begin/kc_rt_call_invoke so it records the real
   user half's downcalls.
3. Writes the spec of every downcall (from the split's interface.txt and kcut_ids.h): which ones a
   valid call may repeat harmlessly, which take only an object's base (deallocators, locks, work
   and timer set-up), which only a heap object (deallocators), whether the first pointer is a
   struct of the model.
4. Runs kcut-sim with a generated traffic scenario (frames both ways, or PCM periods, between
   ethtool / mixer commands whose upcalls the hostile half attacks) and the hostile user half.

--device-access forward builds the split whose user half drives the device (run_split.py's
forward variant): the hostile half then also learns the register-region ids from the real user
half's register batches and sends register batches the kernel half must refuse and region
queries.

Bulk mode (--restart-rate N, bench/hostile.sh: the 10-million-message run): one message in N is
of any class (mostly faults, each restarts the user half); the others are messages the protocol
answers with an error reply and no restart (refused register batches, queries of made-up region
ids) or valid calls that change nothing (queries of real region ids, replays of harmless
downcalls that print nothing: --quiet). Then the run also fails when the kernel half never
refused a message without a restart, never restarted the user half, or fewer than
--min-messages messages were sent.

Checks (exit 1 on any): kcut-sim exits 0 (no crash, no BUG), no sanitizer report from the kernel
half's process (ASan/UBSan log files by pid), every frame sent reached the wire and every frame
received reached the stack (or every PCM period played), no message the kernel half must refuse
was executed (the hostile half's findings file), and at least one message was sent. Prints the
hostile half's counters: messages by class and outcome, incarnations (restarts).
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SPLIT = os.path.join(HERE, "..", "emitter", "split", "run_split.py")

DEALLOC = {"kfree", "kvfree", "vfree", "kfree_sensitive", "free_netdev", "snd_card_free",
           "snd_card_free_when_closed"}
BASE_ONLY = DEALLOC | {"mutex_lock", "mutex_unlock", "mutex_trylock", "spin_lock", "spin_unlock",
                       "spin_lock_irqsave", "spin_unlock_irqrestore", "spin_lock_bh", "spin_unlock_bh",
                       "spin_lock_irq", "spin_unlock_irq", "free_irq", "__kc_init_work",
                       "__kc_init_delayed_work", "__kc_timer_setup", "del_timer_sync",
                       "cancel_work_sync", "cancel_delayed_work_sync"}
# a valid call of these prints a line (kernel log): not executed in --quiet runs
NOISY = re.compile(r"print|_err$|_info$|_notice$|_warn|_dbg|^__kc_bug|^__kc_warn")
# a valid call of these changes state the kernel half relies on (frees, locks, unregisters,
# re-initializes, sleeps, BUG/WARN): the hostile half sends them only messages that must be refused.
# `add` (snd_ctl_add): the callee takes the object and frees it on error (a duplicate), so a replay
# frees a control the card still lists; the kernel half does not track such ownership transfers
# (docs/runtime.md, "can still")
DESTRUCTIVE = re.compile(r"free|unregister|release|disable|unmap|remove|destroy|del_|cancel|down|close|"
                         r"stop|reset|clean|detach|put|sleep|delay|lock|init|setup|napi|register|"
                         r"drvdata|request|bug|warn|open|_up$|^simnic_up|set_master|enable|ioremap|(^|_)add($|_)|"
                         r"alloc_etherdev|test|loopback|eeprom|phy|force|rar_set|mac|new|create|"
                         r"start|trigger|prepare|hw_params|set_bit|clear_bit|change|update|write|alloc|dup|"
                         # the forward variant's kernel half (register code in the user half): these
                         # reprogram the device or the stack (replayed, they lost frames)
                         r"clear|configure|carrier_off|rx_mode|wake|hw_addr|mdic|mask|"
                         # set-up calls that allocate or map without "alloc" in their name: replayed,
                         # snd_pcm_set_managed_buffer_all preallocated a second 16 KiB coherent buffer
                         # over the first (lost: "driver left 1 coherent DMA buffer(s)" at remove, as
                         # Linux's preallocate would leak it), pci_iomap maps the BAR once more
                         r"managed_buffer|preallocate|iomap")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", **kw)


def downcalls(interface):
    """(name, signature) of every downcall in interface.txt, in id order of kcut_ids.h."""
    out = {}
    section = None
    with open(interface) as f:
        for line in f:
            if line.startswith("downcalls"):
                section = "down"
                continue
            if line and not line.startswith(" "):
                section = None if not line.startswith("downcalls") else section
            if section == "down":
                m = re.match(r"^  (\w+)\s+(.*?)(\s+\[kernel import\])?\s*$", line)
                if m:
                    out[m.group(1)] = m.group(2)
    return out


def ids(ids_h):
    down, types = {}, set()
    with open(ids_h) as f:
        text = f.read()
    for m in re.finditer(r"KCUT_DOWN_(\w+) = (\d+)", text):
        down[m.group(1)] = int(m.group(2))
    for m in re.finditer(r"KCUT_T_(\w+) = \d+", text):
        types.add(m.group(1))
    return down, types


def first_pointer_typed(sig, types):
    """Is the first pointer parameter of sig 'struct X *' with X a tracked struct of the model?"""
    m = re.search(r"\((.*)\)", sig)
    if not m:
        return 0
    for p in m.group(1).split(","):
        p = p.strip()
        if "*" not in p or "(" in p:
            continue
        sm = re.match(r"(const\s+)?struct\s+(\w+)\s*\*$", p)
        return 1 if sm and sm.group(2) in types else 0
    return 0


SCALAR = {"char": 4, "signed char": 4, "unsigned char": 4, "short": 4, "unsigned short": 4, "int": 4,
          "unsigned int": 4, "_Bool": 4, "long": 8, "unsigned long": 8, "long long": 8,
          "unsigned long long": 8}


def null_out_layout(sig, imports, base):
    """How a kernel import's handler decodes its parameters up to its first out-pointer to one
    scalar (pci_read_config_word's val, dma_alloc_coherent's handle), for the hostile half's
    null-out class: a word per parameter, p (a pointer form), 4 / 8 (an integer), then x4 / x8
    (the out-pointer: present bool, value). "-" when there is none, or when a parameter before it
    has a shape the hostile half does not walk (strings, function pointers) or it is a bit
    operation's word."""
    m = re.search(r"\((.*)\)", sig)
    if base not in imports or not m or "bit" in base:
        return "-"
    out = []
    for p in m.group(1).split(","):
        p = re.sub(r"\s+", " ", p.strip())
        if re.match(r"^(const )?(struct \w+|void) \*$", p):
            out.append("p")
            continue
        if p in SCALAR:
            out.append(str(SCALAR[p]))
            continue
        sm = re.match(r"^(.*\w) \*$", p)
        if sm and sm.group(1) in SCALAR:
            out.append("x%d" % SCALAR[sm.group(1)])
            return "".join(out)
        return "-"
    return "-"


def write_spec(path, split_dir):
    sigs = downcalls(os.path.join(split_dir, "interface.txt"))
    imports = set()
    with open(os.path.join(split_dir, "interface.txt")) as f:
        for line in f:
            m = re.match(r"^  (\w+)\s+.*\[kernel import\]\s*$", line)
            if m:
                imports.add(m.group(1))
    down, types = ids(os.path.join(split_dir, "include", "kcut_ids.h"))
    with open(path, "w") as f:
        for name, i in sorted(down.items(), key=lambda kv: kv[1]):
            # NAME__N: a variant of NAME; __kc_init_work & co. are names of their own (before,
            # they became "" here and so harmless: a replay could re-initialise a live work item)
            base = name if name.startswith("__") else name.split("__")[0]
            sig = sigs.get(base, "")
            destructive = bool(DESTRUCTIVE.search(base)) or "noreturn" in sig
            harmless = 0 if destructive else 1
            replay = harmless
            f.write("%d %s %d %d %d %d %d %d %s\n" % (i, name, harmless, replay, int(base in BASE_ONLY),
                                                      int(base in DEALLOC), first_pointer_typed(sig, types),
                                                      int(bool(NOISY.search(base))),
                                                      null_out_layout(sig, imports, base)))
    return len(down)


def scenario_simnic(rounds):
    ops = ["ethtool -i", "ethtool -S", "ethtool -g", "ethtool -a", "ethtool", "ethtool -d",
           "ethtool -e length 16", "ethtool -s msglvl 7"]
    lines = ["device simnic", "probe", "up", "ethtool -i"]
    sent = recv = 0
    for r in range(rounds):
        lines += ["send 4 64", "receive 4 64", ops[r % len(ops)], ops[(r * 3 + 1) % len(ops)],
                  "user-half wait"]
        sent += 4
        recv += 4
    lines += ["down", "netstats", "remove"]
    return lines, sent, recv


def scenario_simsnd(rounds):
    ops = ['mixer get "Master Playback Volume"', 'mixer set "Master Playback Volume" 50 60',
           'mixer get "Periods Played"', "mixer list"]
    lines = ["probe", 'mixer get "Master Playback Volume"']
    periods = 0
    for r in range(rounds):
        lines += ["play 2", ops[r % len(ops)], ops[(r + 2) % len(ops)], "user-half wait"]
        periods += 2
    lines += ["remove"]
    return lines, periods, 0


DRIVERS = {
    # start attacking after this upcall (the device is up), stop at this one (it goes down)
    "simnic": dict(scenario=scenario_simnic, start="simnic_get_drvinfo", stop="simnic_close", args=[]),
    # simsnd: a PCM stream's set-up (open, hw_params) and tear-down are upcalls of the user half;
    # the hostile half spares them, so the attacks land in the mixer commands and its own thread
    # while streams run (their periods are the kernel half's data path)
    "simsnd": dict(scenario=scenario_simsnd, start="snd_simsnd_volume_info", stop="snd_simsnd_remove",
                   args=["--device", "simsnd"],
                   spare=["snd_simsnd_playback_open", "snd_simsnd_hw_params", "snd_simsnd_hw_free",
                          "snd_simsnd_playback_close"]),
}


def check_simnic(out, sent, recv):
    tx = len(re.findall(r"^tx \d+: len", out, re.M))
    rx = len(re.findall(r"^rx \d+: len", out, re.M))
    problems = []
    if tx != sent:
        problems.append("%d of %d frames sent reached the wire" % (tx, sent))
    if rx != recv:
        problems.append("%d of %d frames received reached the stack" % (rx, recv))
    m = re.search(r"netdev \S+: rx_packets (\d+) rx_bytes \d+ tx_packets (\d+)", out)
    if not m or int(m.group(1)) != recv or int(m.group(2)) != sent:
        problems.append("netstats do not count %d rx / %d tx: %s" % (recv, sent, m.group(0) if m else "none"))
    return problems, sent - tx + recv - rx


def check_simsnd(out, periods, _):
    """Periods of the streams that ran and were not played are lost (the kernel half's data path).
    A stream whose set-up (open, hw_params: upcalls) failed while the user half was being restarted
    is a control-path refusal, not a loss; but -EBUSY means the driver still holds a stream nobody
    closed (a lost close): a failure. (kcut-sim prints "play: device played N periods"; the old
    pattern "play: N periods" matched nothing, so every run reported 0 played.)"""
    problems = []
    lost = started = refused = 0
    for m in re.finditer(r"^> play (\d+)\n((?:(?!> ).*\n)*)", out, re.M):
        n, body = int(m.group(1)), m.group(2)
        p = re.search(r"^play: device played (\d+) periods", body, re.M)
        if p:
            started += 1
            lost += max(0, n - int(p.group(1)))
        elif "EBUSY" in body:
            problems.append("a stream could not start: -EBUSY (the driver kept a stream nobody closed)")
        else:
            refused += 1
    if lost:
        problems.append("%d PCM periods of streams that ran were not played" % lost)
    if not started:
        problems.append("no stream started (of %d periods asked)" % periods)
    print("  streams: %d started, %d refused at set-up while the user half was down" % (started, refused))
    return problems, lost


def counters(path):
    """The hostile half's shared counters (struct counters in hostile_user.c)."""
    names = ["sent", "ok", "refused", "failed", "dead", "must_refuse", "bad_accepted", "channel",
             "incarnations", "recorded", "thread"]
    if not os.path.exists(path):
        return {}, []
    data = open(path, "rb").read()
    import struct
    n = len(names)
    vals = struct.unpack_from("<%dQ" % n, data, 0)
    classes = struct.unpack_from("<%dQ" % (20 * 2), data, 8 * n)
    return dict(zip(names, vals)), [(classes[2 * i], classes[2 * i + 1]) for i in range(20)]


CLASSES = ["replay", "forged-handle", "stale-handle", "wrong-type", "interior", "past-end", "global",
           "region", "truncated", "extended", "oversize-length", "random", "bitflip", "fn-swap",
           "fn-out-of-range", "empty", "regio-refused", "reginfo", "null-out"]


def main():
    ap = argparse.ArgumentParser()
    for a in ("kcut", "sim", "src", "compdb", "cc", "rt_lib", "common_lib", "kmodel_lib", "workdir"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    ap.add_argument("--driver", required=True, choices=sorted(DRIVERS))
    ap.add_argument("--cflags", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=60)
    ap.add_argument("--burst", type=int, default=20)
    ap.add_argument("--messages", type=int, default=0, help="stop attacking after this many (0: no limit)")
    ap.add_argument("--channel", type=int, default=0, help="one channel-level attack per N upcalls (0: none)")
    ap.add_argument("--thread", type=int, default=0, help="own-thread burst per N ticks of 2 ms (0: none)")
    ap.add_argument("--restart-ms", type=int, default=5)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--reuse-build", action="store_true", help="do not rebuild when the halves exist")
    ap.add_argument("--device-access", choices=("none", "forward"), default="none")
    ap.add_argument("--rt-kmodel-lib", default="")
    ap.add_argument("--unsplit", default="")
    ap.add_argument("--restart-rate", type=int, default=0,
                    help="bulk mode: one message of any class per N, the others refused without a restart")
    ap.add_argument("--quiet", action="store_true", help="never execute a downcall that prints")
    ap.add_argument("--restart-classes", choices=("all", "early"), default="all",
                    help="bulk mode: the one-in-N messages of any class (all), or only those refused "
                         "before any field is decoded (early: unknown function ids, empty messages)")
    ap.add_argument("--min-messages", type=int, default=0, help="fail when fewer were sent")
    ap.add_argument("--classes", default="",
                    help="only these message classes (comma-separated names as in the report: global, "
                         "wrong-type ...); default all")
    args = ap.parse_args()
    d = DRIVERS[args.driver]
    work = os.path.abspath(args.workdir)
    os.makedirs(work, exist_ok=True)
    dev = args.device_access != "none"
    if dev and not (args.rt_kmodel_lib and args.unsplit):
        print("FAIL: --device-access forward needs --rt-kmodel-lib and --unsplit")
        return 1
    # the forward variant builds in a folder of its own (another split of the same driver)
    dwork = os.path.join(work, "forward", args.driver) if dev else os.path.join(work, args.driver)
    split = os.path.join(dwork, "split")
    kso = os.path.join(dwork, "kernel", args.driver + ".so")
    hostile = os.path.join(dwork, args.driver + "-hostile")

    if not (args.reuse_build and os.path.exists(kso) and os.path.exists(hostile)):
        cmd = [sys.executable, SPLIT, "--build-only", "--driver", args.driver,
               "--workdir", os.path.join(work, "forward") if dev else work]
        if dev:
            cmd += ["--device-access", "forward", "--default-partition", "--rt-kmodel-lib", args.rt_kmodel_lib,
                    "--unsplit", args.unsplit]
        for a in ("kcut", "sim", "src", "compdb", "cc", "rt_lib", "common_lib", "kmodel_lib"):
            cmd += ["--" + a.replace("_", "-"), getattr(args, a)]
        cmd.append("--cflags=" + args.cflags)
        r = run(cmd)
        if r.returncode:
            print("FAIL: building the split %s\n%s%s" % (args.driver, r.stdout[-3000:], r.stderr[-3000:]))
            return 1
        src_dir = os.path.join(args.src, "testdrivers", "drivers", args.driver)
        cflags = ["-std=gnu11", "-g", "-fPIC", '-DKBUILD_MODNAME="%s"' % args.driver, "-Wall", "-Wextra", "-Werror",
                  "-Wno-unused-parameter", "-Wno-format-truncation", "-fno-strict-aliasing",
                  "-DKCUT_NO_MAIN"] + args.cflags.split()
        incs = ["-I" + os.path.join(split, "include"), "-I" + os.path.join(args.src, "rt"),
                "-I" + os.path.join(args.src, "common"), "-I" + src_dir,
                "-I" + os.path.join(args.src, "testdrivers", "kmodel", "include")]
        usrc = sorted(glob.glob(os.path.join(split, "user", "*.c")))
        kmdir = os.path.dirname(os.path.abspath(args.kmodel_lib))
        r = run([args.cc] + cflags + incs + ["-o", hostile] + usrc + [os.path.join(HERE, "hostile_user.c")] +
                ["-Wl,--wrap=kc_rt_call_begin", "-Wl,--wrap=kc_rt_call_invoke", "-Wl,--wrap=kc_rt__call_begin_rt",
                 args.rt_lib, args.common_lib, args.kmodel_lib, "-Wl,-rpath," + kmdir, "-lpthread"])
        if r.returncode:
            print("FAIL: building the hostile user half\n%s" % r.stderr[-4000:])
            return 1
    run_dir = os.path.join(dwork, "hostile-run-%d" % args.seed)
    subprocess.run(["rm", "-rf", run_dir])
    os.makedirs(run_dir)
    spec = os.path.join(run_dir, "spec")
    nfn = write_spec(spec, split)
    lines, want_a, want_b = d["scenario"](args.rounds)
    sim = os.path.join(run_dir, "hostile.sim")
    with open(sim, "w") as f:
        f.write("# generated by run_hostile.py\n" + "\n".join(lines) + "\n")
    env = dict(os.environ)
    env.update(KCUT_HOSTILE_DIR=run_dir, KCUT_HOSTILE_SPEC=spec, KCUT_HOSTILE_SEED=str(args.seed),
               KCUT_HOSTILE_BURST=str(args.burst), KCUT_HOSTILE_MAX=str(args.messages),
               KCUT_HOSTILE_CHANNEL=str(args.channel), KCUT_HOSTILE_THREAD=str(args.thread),
               KCUT_RT_RESTART_MS=str(args.restart_ms), KCUT_HOSTILE_RESTART_RATE=str(args.restart_rate),
               KCUT_HOSTILE_QUIET="1" if args.quiet else "0",
               KCUT_HOSTILE_RESTART_CLASSES=args.restart_classes, KCUT_HOSTILE_CLASSES=args.classes)
    if d["start"]:
        env["KCUT_HOSTILE_START_AT"] = d["start"]
    if d["stop"]:
        env["KCUT_HOSTILE_STOP_AT"] = d["stop"]
    if d.get("spare"):
        env["KCUT_HOSTILE_SPARE"] = ",".join(d["spare"])
    san = os.path.join(run_dir, "san")
    # sanitizer reports go to files named by pid: the kernel half's (kcut-sim's) must not exist;
    # the kernel half is a dlopen'ed module linking the runtime (see run_split.py sim_env)
    env["ASAN_OPTIONS"] = ":".join(o for o in (env.get("ASAN_OPTIONS", ""), "intercept_tls_get_addr=0",
                                               "log_path=" + san) if o)
    env["UBSAN_OPTIONS"] = ":".join(o for o in (env.get("UBSAN_OPTIONS", ""), "log_path=" + san) if o)
    t0 = time.time()
    p = subprocess.Popen([args.sim, "--driver", kso, "--user-half", hostile] + d["args"] + [sim],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", env=env)
    try:
        out, err = p.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        err += "\n(timeout after %d s)" % args.timeout
    took = time.time() - t0
    with open(os.path.join(run_dir, "out"), "w") as f:
        f.write(out)
    with open(os.path.join(run_dir, "err"), "w") as f:
        f.write(err)
    problems = []
    if p.returncode != 0:
        problems.append("kcut-sim exit %d (stderr tail: %s)" % (p.returncode, err[-1500:]))
    kernel_reports = glob.glob(san + "." + str(p.pid))
    user_reports = [f for f in glob.glob(san + ".*") if f not in kernel_reports]
    for f in kernel_reports:
        problems.append("sanitizer report from the kernel half (%s):\n%s" % (f, open(f).read()[:4000]))
    check = check_simnic if args.driver == "simnic" else check_simsnd
    dp, lost = check(out, want_a, want_b)
    problems += dp
    c, by_class = counters(os.path.join(run_dir, "counters"))
    findings = os.path.join(run_dir, "findings")
    if os.path.exists(findings):
        text = open(findings).read()
        problems.append("the kernel half executed %d message(s) it must refuse:\n%s" %
                        (text.count("\n"), "".join(text.splitlines(True)[:20])))
    if not c.get("sent"):
        problems.append("the hostile half sent no message")
    elif not c.get("refused") and not c.get("dead"):
        problems.append("the kernel half refused none of %d messages" % c["sent"])
    if c.get("must_refuse", 0) and c.get("refused", 0) + c.get("dead", 0) + c.get("failed", 0) < \
            c.get("must_refuse", 0) - c.get("bad_accepted", 0):
        # every message the kernel half must refuse got an error, a restart of the user half,
        # or a crossing failure; the executed ones are findings (bad_accepted)
        problems.append("%d messages had to be refused, only %d got an error or a restart" %
                        (c["must_refuse"], c.get("refused", 0) + c.get("dead", 0) + c.get("failed", 0)))
    if args.restart_rate:
        if not c.get("refused"):
            problems.append("bulk mode: no message was refused with an error reply (without a restart)")
        if c.get("incarnations", 0) < 2:
            problems.append("bulk mode: the user half was never restarted")
    if c.get("sent", 0) < args.min_messages:
        problems.append("only %d messages sent, fewer than --min-messages %d" % (c.get("sent", 0), args.min_messages))
    print("hostile %s%s seed %d: %d rounds, %.0f s; %d downcalls in the spec" %
          (args.driver, " (device access forward)" if dev else "", args.seed, args.rounds, took, nfn))
    print("  messages: " + ", ".join("%s %d" % (k, v) for k, v in c.items()))
    print("  by class (sent/executed): " + ", ".join("%s %d/%d" % (CLASSES[i], s, a)
                                                      for i, (s, a) in enumerate(by_class[:len(CLASSES)]) if s))
    print("  data path: %s lost" % lost)
    # one line for bench/hostile.sh and docs/results.md
    print("RESULT driver=%s access=%s seed=%d messages=%d seconds=%.0f per_second=%.0f error_replies=%d "
          "restarts=%d executed=%d must_refuse=%d executed_must_refuse=%d channel=%d lost=%d restart_classes=%s" %
          (args.driver, args.device_access, args.seed, c.get("sent", 0), took, c.get("sent", 0) / max(took, 1e-9),
           c.get("refused", 0), max(c.get("incarnations", 1) - 1, 0), c.get("ok", 0), c.get("must_refuse", 0),
           c.get("bad_accepted", 0), c.get("channel", 0), lost, args.restart_classes))
    if user_reports:
        print("  note: %d sanitizer report(s) from user-half processes (the attacker's own)" % len(user_reports))
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems))
        return 1
    print("ok: kernel half survived; no sanitizer report; traffic complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
