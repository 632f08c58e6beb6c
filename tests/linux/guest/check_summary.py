#!/usr/bin/env python3
"""check_summary.py - check the summary line of scripts/qemu-e1000.sh --user, item by item.

  check_summary.py LOG [--access forward|mapped]
                                  the script's output (its last "qemu-e1000: split e1000:" line);
                                  --access: the split's device access, whose figures are checked too
  check_summary.py --self-test    the checks themselves: a passing line must pass, and each line
                                  with one item broken must fail naming that item

The script decides PASS/FAIL itself; this test does not trust that word alone and reads every
figure the issue asks for from the summary (docs/linux.md, "In the guest"):
  - split: ping N/N (0 lost)
  - ethtool -i, -S, -d answered by the user half ([user: ...] lists their upcalls in its crossing
    trace); -g answered (by either half: where the partition put e1000_get_ringparam)
  - kill -9 during ping: M/M (0 lost)
  - while dead: ethtool -i and -S return within 15 s with an error (the begin hook: -EAGAIN)
  - restart: ethtool -i and -S answered by the restarted user half
  - unload with a dead user half: rmmod refused (module held), the teardown ran through the restarted user half
  - unsplit: ping N/N (0 lost), its RTT, ethtool -i/-g/-S/-d ok
  - with --access: "device access A, probe: ..." names A; forward: register batches were forwarded
    during the probe; mapped: none was (the BAR is mapped), and the user half read registers
Exit 0 when all hold, 1 otherwise (each failed item printed).
"""
import re
import sys

PREFIX = "qemu-e1000: split e1000: "


def check(line, access=None):
    bad = []

    def need(cond, what):
        if not cond:
            bad.append(what)

    need(line.startswith(PREFIX + "PASS "), "the script says PASS")
    split, _, rest = line.partition(" | unsplit: ")
    unsplit = rest.split(" | ")[0]
    m = re.search(r"split: ping (\d+)/(\d+) \((\d+) lost\)", split)
    need(m and m.group(1) == m.group(2) and int(m.group(2)) > 0 and m.group(3) == "0", "split ping N/N, 0 lost")
    count = m.group(2) if m else None
    eth = split.split("; kill -9")[0]
    for o in ("-i", "-S", "-d"):
        need(re.search(r"(?:ethtool |, )%s ok \[user: [a-z0-9_ ]+\]" % o, eth),
             "ethtool %s answered by the user half" % o)
    need(re.search(r", -g ok \[(user: [a-z0-9_ ]+|kernel half)\]", eth), "ethtool -g answered")
    m = re.search(r"kill -9 during ping: (\d+)/(\d+) \((\d+) lost\)", split)
    need(m and m.group(1) == m.group(2) and int(m.group(2)) > 0 and m.group(3) == "0", "kill -9 during ping, 0 lost")
    dead = re.search(r"while dead: ethtool (.*?); restart:", split)
    dead = dead.group(1) if dead else ""
    for o in ("-i", "-S"):
        d = re.search(r"%s rc=(\d+) in ([\d.]+) s" % o, dead)
        need(d and d.group(1) != "124" and float(d.group(2)) <= 15, "ethtool %s returns while the user half is dead" % o)
        need(d and d.group(1) != "0", "ethtool %s fails with an error while the user half is dead" % o)
    rs = re.search(r"restart: ethtool (.*?); unload", split)
    rs = rs.group(1) if rs else ""
    for o in ("-i", "-S"):
        need(re.search(r"%s ok \[user: [a-z0-9_ ]+\]" % o, rs), "ethtool %s answered by the restarted user half" % o)
    need(re.search(r"unload with a dead user half: rmmod refused while no user half ran, teardown through the restarted "
                   r"one \(incarnation \d+\), unloaded", split), "unload with a dead user half: teardown in the user half")
    m = re.search(r"ping (\d+)/(\d+) \((\d+) lost\), rtt min/avg ([\d.]+)/([\d.]+) ms", unsplit)
    need(m and m.group(1) == m.group(2) and m.group(2) == count and m.group(3) == "0",
         "unsplit ping N/N (the split run's N), 0 lost, its RTT")
    for o in ("-i", "-g", "-S", "-d"):
        need(re.search(r"ethtool.*%s ok" % o, unsplit), "unsplit ethtool %s ok" % o)
    if access:
        m = re.search(r"device access (\w+), probe: (\d+) crossings \((\d+) upcalls, (\d+) downcalls of which (\d+) "
                      r"register batches\), (\d+) register reads", split)
        need(m and m.group(1) == access, "device access %s with the probe's crossings" % access)
        if m and access == "forward":
            need(int(m.group(5)) > 0, "forward: register batches during the probe")
        if m and access == "mapped":
            need(int(m.group(6)) > 0 and int(m.group(5)) * 100 <= int(m.group(6)),
                 "mapped: register reads on the mapped BAR, batches only for port I/O")
    return bad


GOOD = ("qemu-e1000: split e1000: PASS split: ping 1000/1000 (0 lost), ethtool -i ok [user: e1000_get_drvinfo], "
        "-g ok [kernel half], -S ok [user: e1000_get_sset_count e1000_get_strings e1000_get_ethtool_stats], "
        "-d ok [user: e1000_get_regs_len]; kill -9 during ping: 600/600 (0 lost); while dead: ethtool -i rc=71 in "
        "0.2 s (Cannot get driver information: Resource temporarily unavailable), -g rc=75 in 0.0 s, -S rc=94 in 0.1 s; restart: ethtool -i ok "
        "[user: e1000_get_drvinfo], -S ok [user: e1000_get_sset_count e1000_get_strings]; unload with a dead user "
        "half: rmmod refused while no user half ran, teardown through the restarted one (incarnation 3), unloaded | unsplit: "
        "ping 1000/1000 (0 lost), rtt min/avg 0.000/0.200 ms, ethtool -i ok, -g ok, -S ok, -d ok | 65 s")
BROKEN = [
    ("PASS split: ping 1000/1000 (0 lost)", "PASS split: ping 999/1000 (1 lost)"),
    ("-S ok [user: e1000_get_sset_count e1000_get_strings e1000_get_ethtool_stats]", "-S ok [kernel half]"),
    ("-i ok [user: e1000_get_drvinfo], -g", "-i rc=1 [user: e1000_get_drvinfo], -g"),
    ("-d ok [user: e1000_get_regs_len]", "-d ok [kernel half]"),
    ("600/600 (0 lost)", "599/600 (1 lost)"),
    ("-S rc=94 in 0.1 s", "-S rc=0 in 0.1 s"),
    ("-i rc=71 in 0.2 s", "-i rc=124 in 20.0 s"),
    ("-i rc=71 in 0.2 s", "-i rc=0 in 0.2 s"),
    ("restart: ethtool -i ok [user: e1000_get_drvinfo]", "restart: ethtool -i ok [kernel half]"),
    ("rmmod refused while no user half ran", "rmmod NOT refused"),
    ("unsplit: ping 1000/1000", "unsplit: ping 990/1000"),
    ("-g ok, -S ok, -d ok | 65 s", "-g ok, -S rc=1, -d ok | 65 s"),
    ("split e1000: PASS", "split e1000: FAIL (x)"),
]


FWD = GOOD.replace(", unloaded | unsplit", ", unloaded; device access forward, probe: 310 crossings (60 upcalls, "
                   "250 downcalls of which 180 register batches), 400 register reads, 300 writes in the user half | unsplit")
FWD_BROKEN = [
    ("device access forward", "device access mapped"),
    ("of which 180 register batches", "of which 0 register batches"),
]


def self_test():
    fails = 0
    if check(FWD, "forward"):
        print("FAIL self-test: the good forward line fails: %s" % check(FWD, "forward"))
        fails += 1
    if not check(GOOD, "forward"):
        print("FAIL self-test: a line without the access figures passes --access forward")
        fails += 1
    for old, new in FWD_BROKEN:
        if not check(FWD.replace(old, new, 1), "forward"):
            print("FAIL self-test: broken forward line passes (%s -> %s)" % (old, new))
            fails += 1
    mapped = FWD.replace("forward", "mapped").replace("of which 180", "of which 0")
    if check(mapped, "mapped") or not check(mapped.replace("400 register reads", "0 register reads"), "mapped") or \
            not check(mapped.replace("of which 0 register", "of which 180 register"), "mapped"):
        print("FAIL self-test: the mapped checks")
        fails += 1
    if check(GOOD):
        print("FAIL self-test: the good line fails: %s" % check(GOOD))
        fails += 1
    for old, new in BROKEN:
        assert old in GOOD, old
        bad = check(GOOD.replace(old, new, 1))
        if not bad:
            print("FAIL self-test: broken line passes (%s -> %s)" % (old, new))
            fails += 1
    print("%d passed, %d failed" % (0 if fails else 1, fails))
    return 1 if fails else 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--self-test":
        return self_test()
    access = None
    if len(sys.argv) == 4 and sys.argv[2] == "--access" and sys.argv[3] in ("forward", "mapped"):
        access = sys.argv[3]
        del sys.argv[2:]
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    lines = [l.rstrip("\n") for l in open(sys.argv[1], errors="replace") if l.startswith(PREFIX)]
    if not lines:
        print("FAIL no summary line '%s...' in %s" % (PREFIX, sys.argv[1]))
        return 1
    line = lines[-1]
    print(line)
    bad = check(line, access)
    for b in bad:
        print("FAIL %s" % b)
    print("%d passed, %d failed" % (0 if bad else 1, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
