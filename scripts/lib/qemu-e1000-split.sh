#!/usr/bin/env bash
# scripts/lib/qemu-e1000-split.sh - the --user mode of scripts/qemu-e1000.sh (read its header):
# the split e1000 with its real user half, then the unsplit e1000.ko, in one qemu guest.
#   qemu-e1000-split.sh RT_KO HALF_KO USER_BIN UNSPLIT_KO NAME KDIR COUNT TIMEOUT [ACCESS]
set -euo pipefail
rt=$1 half=$2 user=$3 unsplit=$4 name=$5 kdir=$6 count=$7 timeout=$8 access=${9:-none}
# every start of the user half reaches the device the same way (kcut_user_half -a)
uha=
[ "$access" = none ] || uha="-a $access"
for f in "$rt" "$half" "$user" "$unsplit" "$kdir/arch/x86/boot/bzImage"; do
	[ -f "$f" ] || { echo "qemu-e1000: missing file '$f' (try --help)" >&2; exit 2; }
done
# the guest's boot (scripts/lib/qemu-guest.sh)
. "$(dirname "$0")/qemu-guest.sh"
qg_tools qemu-e1000 ethtool
qg_workdir kcut-qemu-e1000
cp "$rt" "$root/kcut_rt.ko"
mod=$(basename "$half" .ko) # kcut_<partition>_k (lxrt) or kcut_kernel_half (older emits)
cp "$half" "$root/$mod.ko"
cp "$unsplit" "$root/e1000.ko"
cp "$user" "$root/kcut_user_half"
qg_add_ethtool

cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
echo 8 > /proc/sys/kernel/printk
up() { cut -d' ' -f1 /proc/uptime; }
counters() { kill -USR1 \$uh 2>/dev/null; sleep 0.3; grep "upcalls served" /uh.log | tail -1; }
net() {
	m=\$1
	for i in \$(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
	[ -e /sys/class/net/eth0 ] || { echo "KCUT-RESULT \$m eth0 missing"; return 1; }
	ip link set eth0 up && echo "KCUT-STEP \$m link-up" || echo "KCUT-RESULT \$m link-up failed"
	ip addr add 10.0.2.15/24 dev eth0
	for i in \$(seq 100); do [ "\$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	echo "KCUT-STEP \$m carrier \$(cat /sys/class/net/eth0/carrier 2>/dev/null)"
	ping -c 3 -W 3 10.0.2.2 >/dev/null 2>&1
	[ \$m = split ] && echo "KCUT-CROSS before \$(counters)"
	t0=\$(up)
	ping -q -c $count -i 0.01 10.0.2.2 > /ping.txt 2>&1
	t1=\$(up)
	[ \$m = split ] && echo "KCUT-CROSS after \$(counters)"
	echo "KCUT-TIME \$m \$t0 \$t1"
	sed "s/^/KCUT-PING \$m: /" /ping.txt
	for o in -g -d -S -i; do
		timeout 20 ethtool.real \$o eth0 > /eth.txt 2>&1
		echo "KCUT-ETHTOOL \$m \$o rc=\$?"
		head -4 /eth.txt | sed "s/^/KCUT-ETHOUT \$m \$o: /"
	done
}
echo "KCUT-STEP boot"
insmod /kcut_rt.ko && echo "KCUT-STEP rt-loaded"
# ---- the unsplit e1000.ko first (its figures do not depend on the split run)
insmod /e1000.ko && echo "KCUT-STEP unsplit-loaded" || echo "KCUT-RESULT unsplit insmod failed"
net unsplit
ip addr flush dev eth0; ip link set eth0 down
rmmod e1000 && echo "KCUT-STEP unsplit-unloaded"
# ---- split: the user half first (it waits for the device), then the kernel half
/kcut_user_half $uha ${KCUT_UH_ARGS:-} -t /trace1.txt > /uh.log 2>&1 &
uh=\$!
insmod /$mod.ko kcut_wait_ms=60000 && echo "KCUT-STEP half-loaded" || echo "KCUT-RESULT split insmod failed \$?"
# the crossings of the probe (the insmod returns once the driver's init, the PCI probe included, is done)
echo "KCUT-CROSS probe \$(counters)"
net split
sed 's/^/KCUT-TRACE1 /' /trace1.txt 2>/dev/null
sed 's/^/KCUT-UH1 /' /uh.log
if ! kill -0 \$uh 2>/dev/null; then
	wait \$uh; echo "KCUT-RESULT split the user half died during the ethtool runs (exit \$?): restarted for the kill -9 test"
	/kcut_user_half $uha -t /trace1b.txt >> /uh.log 2>&1 &
	uh=\$!
	sleep 2
fi
# ---- kill -9 of the user half during a ping run, ethtool while it is dead, restart
ping -q -c 600 -i 0.01 10.0.2.2 > /pingk.txt 2>&1 &
pp=\$!
sleep 2
kill -9 \$uh && echo "KCUT-STEP killed-user-half"
wait \$uh
for o in -i -g -S; do
	t0=\$(up)
	timeout 20 ethtool.real \$o eth0 > /eth.txt 2>&1
	echo "KCUT-ETHTOOL dead \$o rc=\$? \$t0 \$(up)"
	head -4 /eth.txt | sed "s/^/KCUT-ETHOUT dead \$o: /"
done
wait \$pp
sed "s/^/KCUT-PING kill: /" /pingk.txt
n0=\$(grep -c "connected," /uh.log)
/kcut_user_half $uha -t /trace2.txt >> /uh.log 2>&1 &
uh=\$!
for i in \$(seq 50); do [ \$(grep -c "connected," /uh.log) -gt \$n0 ] && break; sleep 0.2; done
for o in -i -S; do
	timeout 20 ethtool.real \$o eth0 > /eth.txt 2>&1
	echo "KCUT-ETHTOOL restart \$o rc=\$?"
	head -4 /eth.txt | sed "s/^/KCUT-ETHOUT restart \$o: /"
done
sed 's/^/KCUT-TRACE2 /' /trace2.txt 2>/dev/null
ip link set eth0 down
# ---- unloading with a dead user half: the driver's teardown runs partly in the user half, so
# kcut_rt.ko holds the kernel half's module while none is connected: rmmod is refused ("in use");
# a restarted user half releases it and the rmmod then tears down through it
kill -9 \$uh && echo "KCUT-STEP killed-user-half-before-rmmod"
wait \$uh
rmmod $mod > /rmmod.txt 2>&1 && echo "KCUT-RESULT split rmmod unloaded with no user half" || echo "KCUT-STEP rmmod-refused-without-user-half"
sed "s/^/KCUT-RMMOD: /" /rmmod.txt
grep -q "^$mod " /proc/modules && echo "KCUT-STEP still-loaded"
n0=\$(grep -c "connected," /uh.log)
/kcut_user_half $uha -t /trace3.txt >> /uh.log 2>&1 &
uh=\$!
for i in \$(seq 50); do [ \$(grep -c "connected," /uh.log) -gt \$n0 ] && break; sleep 0.2; done
sleep 1
# (in the background: an rmmod stuck in the kernel must not stop the report)
( rmmod $mod && echo "KCUT-STEP half-unloaded" || echo "KCUT-RESULT split rmmod failed" ) &
for i in \$(seq 150); do grep -q "^$mod " /proc/modules || break; sleep 0.2; done
grep -q "^$mod " /proc/modules && echo "KCUT-RESULT split rmmod did not finish within 30 s of the user half's restart"
sed 's/^/KCUT-TRACE3 /' /trace3.txt 2>/dev/null
sleep 1
kill -0 \$uh 2>/dev/null && { echo "KCUT-RESULT split user half still running after rmmod"; kill -9 \$uh; }
for i in \$(seq 25); do [ -d /proc/\$uh ] || break; sleep 0.2; done
grep -q "connection ended" /uh.log && echo "KCUT-STEP user-half-ended"
sed 's/^/KCUT-UH /' /uh.log
dmesg | grep -E "kcut|e1000|Oops|BUG|WARNING|eth0" | sed 's/^/dmesg: /'
echo "KCUT-STEP done"
poweroff -f
INIT
qg_initramfs
start=$(date +%s)
qg_start "$kdir" 512 2 user,model=e1000 "$(qg_append)"
qg_wait "$timeout"
qg_console
grep -E "^(KCUT-|dmesg:)" "$work/console.txt" || true
python3 - "$count" "$(( $(date +%s) - start ))" "$work/console.txt" "$access" <<'PY'
import re, sys
count, secs, access = int(sys.argv[1]), sys.argv[2], sys.argv[4]
out = open(sys.argv[3]).read()
fail = []
def has(s):
    return s in out
def ping(m):
    t = re.search(r"KCUT-PING %s: (\d+) packets transmitted, (\d+) packets received" % m, out)
    r = re.search(r"KCUT-PING %s: round-trip min/avg/max = ([\d.]+)/([\d.]+)/([\d.]+) ms" % m, out)
    return (int(t.group(1)), int(t.group(2))) if t else (0, 0), (r.group(1), r.group(2)) if r else ("-", "-")
def eth(m, o):
    g = re.search(r"KCUT-ETHTOOL %s %s rc=(\d+)" % (m, o), out)
    return int(g.group(1)) if g else None
for k in re.findall(r"KCUT-RESULT (.*)", out):
    fail.append(k)
if not has("KCUT-STEP done"):
    fail.append("the guest did not finish")
if re.search(r"Oops|BUG:|Kernel panic|general protection", out):
    fail.append("the guest kernel oopsed")
(ps, pr), (smin, savg) = ping("split")
(us, ur), (umin, uavg) = ping("unsplit")
(ks, kr), _ = ping("kill")
if ps != count or pr != count:
    fail.append("split ping %d/%d" % (pr, ps))
if us != count or ur != count:
    fail.append("unsplit ping %d/%d" % (ur, us))
if not ks or kr != ks:
    fail.append("ping during kill -9: %d/%d" % (kr, ks))
tr = {n: {callee for caller, callee, k in re.findall(r"KCUT-TRACE%d (\S+) (\S+) (\d+)" % n, out) if caller == "(kernel)"}
      for n in (1, 2, 3)}
# the driver functions behind each ethtool request (e1000's ethtool_ops); an upcall in the user
# half's crossing trace says the user half answered it
ops = {"-i": ["e1000_get_drvinfo"], "-g": ["e1000_get_ringparam"],
       "-S": ["e1000_get_sset_count", "e1000_get_strings", "e1000_get_ethtool_stats"],
       "-d": ["e1000_get_regs_len", "e1000_get_regs"]}
def who(o, n):
    u = [f for f in ops[o] if f in tr[n]]
    return "[user: %s]" % " ".join(u) if u else "[kernel half]"
eres = []
for o in ("-i", "-g", "-S", "-d"):
    rc = eth("split", o)
    eres.append("%s %s %s" % (o, "ok" if rc == 0 else "rc=%s" % rc, who(o, 1)))
    if rc != 0:
        fail.append("ethtool %s on the split driver: rc=%s" % (o, rc))
for o in ("-i", "-S", "-d"):
    if not any(f in tr[1] for f in ops[o]):
        fail.append("ethtool %s was not answered by the user half (none of %s in its crossing trace)" % (o, ", ".join(ops[o])))
for o in ("-i", "-g", "-S", "-d"):
    if eth("unsplit", o) != 0:
        fail.append("ethtool %s on the unsplit driver: rc=%s" % (o, eth("unsplit", o)))
dead = []
for o in ("-i", "-g", "-S"):
    d = re.search(r"KCUT-ETHTOOL dead %s rc=(\d+) ([\d.]+) ([\d.]+)" % o, out)
    if not d:
        dead.append("%s not run" % o)
        fail.append("ethtool %s was not run while the user half was dead" % o)
        continue
    rc, dt = int(d.group(1)), float(d.group(3)) - float(d.group(2))
    # the kernel half's begin hook refuses every request while no user half runs (-EAGAIN)
    msg = re.search(r"KCUT-ETHOUT dead %s: (.*)" % o, out)
    note = " (%s)" % msg.group(1).strip() if rc and msg else ""
    dead.append("%s rc=%d in %.1f s%s" % (o, rc, dt, note))
    if rc == 124 or dt > 15:
        fail.append("ethtool %s hung while the user half was dead" % o)
    if o in ("-i", "-S") and rc == 0:
        fail.append("ethtool %s did not fail while the user half was dead" % o)
rs = [(o, eth("restart", o)) for o in ("-i", "-S")]
for o, rc in rs:
    if rc != 0 or not any(f in tr[2] for f in ops[o]):
        fail.append("after the restart ethtool %s was not answered by the user half (rc=%s)" % (o, rc))
unload = "not run"
if has("KCUT-STEP killed-user-half-before-rmmod"):
    refused = has("KCUT-STEP rmmod-refused-without-user-half") and has("KCUT-STEP still-loaded")
    # the user half started after the refusal: the last incarnation that connected after it
    w = out.find("KCUT-STEP rmmod-refused-without-user-half")
    inc3 = re.findall(r"kcut-rt \w+: user half \d+ connected \(incarnation (\d+)\)", out[w:]) if w >= 0 else []
    done = has("KCUT-STEP half-unloaded")
    unload = "rmmod %s, %s, %s" % ("refused while no user half ran" if refused else "NOT refused",
                                   "teardown through the restarted one (incarnation %s)" % inc3[-1] if inc3
                                   else "none reconnected",
                                   "unloaded" if done else "NOT unloaded")
    if not (refused and inc3 and done):
        fail.append("unloading with a dead user half: %s" % unload)
    if has("teardown fails"):
        fail.append("the user-half part of the teardown failed at unload")
else:
    fail.append("the unload with a dead user half was not run")
cb = re.search(r"KCUT-CROSS before .*?(\d+) upcalls served, (\d+) downcalls made", out)
ca = re.search(r"KCUT-CROSS after .*?(\d+) upcalls served, (\d+) downcalls made", out)
tm = re.search(r"KCUT-TIME split ([\d.]+) ([\d.]+)", out)
cross = "?"
if cb and ca and tm:
    n = int(ca.group(1)) + int(ca.group(2)) - int(cb.group(1)) - int(cb.group(2))
    dt = float(tm.group(2)) - float(tm.group(1))
    cross = "%d crossings in %.1f s (%.1f/s)" % (n, dt, n / dt if dt else 0)
# the probe's crossings (upcalls served + downcalls made by the user half while insmod ran; the
# forwarded register batches are downcalls) and its register accesses
pc = re.search(r"KCUT-CROSS probe .*?(\d+) upcalls served, (\d+) downcalls made.*?registers: (\d+) reads, (\d+) writes, "
               r"(\d+) batches", out)
probe = "probe: ?"
if pc:
    up, down, rd, wr, bat = (int(g) for g in pc.groups())
    probe = ("probe: %d crossings (%d upcalls, %d downcalls of which %d register batches), %d register reads, "
             "%d writes in the user half" % (up + down, up, down, bat, rd, wr))
    if access == "forward" and not bat:
        fail.append("device access forward: no register batch was forwarded during the probe")
    # mapped: MMIO reads are plain loads of the mapped BAR; only port I/O is forwarded (e1000's
    # IO-mapped CTRL write of its reset: a batch or two)
    if access == "mapped" and (not rd or bat * 100 > rd):
        fail.append("device access mapped: %d register batches for %d reads during the probe (expected reads on "
                    "the mapped BAR, batches only for port I/O)" % (bat, rd))
elif access != "none":
    fail.append("no counters of the probe")
if access != "none" and re.search(r"kc_io (read|write|in|out|memcpy_\w+|memset_io): ", out):
    fail.append("the user half's register accesses were refused: %s"
                % re.search(r"kc_io (read|write|in|out|memcpy_\w+|memset_io): [^\n]*", out).group(0))
print("qemu-e1000: rtt split min/avg %s/%s ms, unsplit min/avg %s/%s ms; steady state: %s; device access %s, %s"
      % (smin, savg, umin, uavg, cross, access, probe))
summary = ("split: ping %d/%d (%d lost), ethtool %s; kill -9 during ping: %d/%d (%d lost); while dead: ethtool %s; "
           "restart: ethtool %s; unload with a dead user half: %s; device access %s, %s | unsplit: ping %d/%d (%d lost), rtt min/avg %s/%s ms, "
           "ethtool %s | %s s" %
           (pr, ps, ps - pr, ", ".join(eres), kr, ks, ks - kr, ", ".join(dead),
            ", ".join("%s %s %s" % (o, "ok" if rc == 0 else "rc=%s" % rc, who(o, 2)) for o, rc in rs), unload,
            access, probe,
            ur, us, us - ur, umin, uavg,
            ", ".join("%s %s" % (o, "ok" if eth("unsplit", o) == 0 else "rc=%s" % eth("unsplit", o))
                      for o in ("-i", "-g", "-S", "-d")), secs))
if fail:
    print("qemu-e1000: split e1000: FAIL (%s) %s" % ("; ".join(fail), summary))
    sys.exit(1)
print("qemu-e1000: split e1000: PASS %s" % summary)
PY
