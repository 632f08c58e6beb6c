#!/usr/bin/env bash
# qemu-hostile.sh: a hostile user half against the split e1000's kernel half in a real Linux 6.1
# guest (qemu TCG), preferably a KASAN kernel (issue 15: "the kernel half never trusts the user
# half").
#
# In the guest: insmod kcut_rt.ko; the hostile user half (rt/lxuser/lx_hostile.c, one case per
# process) connects to /dev/kcut-NAME and the kernel half is loaded (its probe crosses as an
# upcall, answered with a wrong call id); then every case of `lx_hostile --list` runs in turn:
# garbage headers, oversize / inconsistent lengths, forged slots, unknown functions, forged,
# freed, interior, out-of-range handles, bits past an object, a 2 GiB string, a 1 TiB kmalloc,
# forged region ids and mmap offsets, replies on slots with no upcall, and for upcalls (the probe,
# triggered through /sys/bus/pci/drivers/DRIVER/bind) a wrong call id, a positive status,
# garbage results, an oversize reply and a reply sent twice, downcalls trickled through an upcall past the call
# timeout (up-trickle: the wait goes on) and past its cap (up-trickle-cap, call_cap_ms set to 9 s: the
# user half is ended, a log line). The kernel log of each case is kept
# apart (dmesg -c). Then the normal user half (kcut-lxbuild's program) connects, the device is
# bound again (the probe runs through it), eth0 comes up and pings 10.0.2.2; then rmmod.
#
# A case passes when the kernel refused it (the process was killed as a protocol fault, or got an
# error) AND the kernel logged a line naming the refusal in that case's log. The run passes when
# every case passes, the kernel log has no "KASAN", "BUG", "Oops", "WARNING" or "general
# protection", ping loses nothing and the modules unload. Last line:
#   qemu-hostile: PASS|FAIL (N/M cases refused with a kernel log line; ...; kernel KASAN|plain)
#
# Usage: scripts/qemu-hostile.sh (--rt KO --half KO --user BIN --hostile BIN [--givetest KO] | --emit DIR --db DIR [--build DIR])
#            [--kdir DIR]
#            [--name emit] [--driver e1000] [--count 100] [--timeout 900] [--known-silent CASE,...] [--known-bug CASE,...]
# --givetest KO: the test module tests/linux/guest/givetest (built with --emit): the stale-skb-* cases
# (handles of socket buffers the stack freed or an ifdown freed; rt/linux/kcut_frees.h) run against
# it, with kcut_rt.ko's defer_ms at 2000 during them (the worker that forgets objects freed or handed
# over in atomic context waits 2 s: the cases without "-later" name the handle in that window, and the
# kernel must log the refusal of an object in it). Without the module those cases are left out.
# --known-silent: cases known to be refused WITHOUT a log line (a reported bug): they count as
# refused when refused silently, and the run fails once one of them logs (drop it from the list).
# --known-bug: cases the kernel half is known to ACCEPT (open bugs: lx_hostile.c says which): they
# run after the others; each must still be accepted, the kernel reports (KASAN) in its part of the
# log are counted apart, and the run fails once one is refused (drop it from the list).
# KDIR (default ~/.cache/kcut/qemu/kernel-kasan when it has a bzImage, else ~/.cache/kcut/qemu/kernel):
# the guest kernel the modules and the user half were built against; docs/linux.md "A hostile user
# half" says how the KASAN one is built. KCUT_QEMU_KEEP=1 keeps the work directory (console.log).
# --emit DIR --db DIR: build everything against KDIR first (into --build DIR, default a temporary
# one): kcut_rt.ko from rt/linux and the kernel half from the emitted driver DIR (e.g. what
# linux_kbuild_e1000 emitted for the guest's configuration: BUILD/tests/linux/kbuild/symvers/e1000/out)
# with kbuild and LLVM=-14, the user half with rt/lxuser/kcut-lxbuild from DIR and the compile
# commands DB (BUILD/tests/linux/kbuild/symvers-cache/db/clang/e1000), lx_hostile with gcc -static
# and DIR/include's function ids. Exit 0 on PASS, 1 on FAIL, 2 on bad arguments or a failed build.
set -euo pipefail
cache=${HOME:-/root}/.cache/kcut/qemu
kdir=
name=emit
driver=e1000
timeout=900
count=100
rt= half= user= hostile= givetest= silent= knownbug= emit= db= build=
while [ $# -gt 0 ]; do
	case "$1" in
	--rt) rt=$2; shift 2 ;;
	--half) half=$2; shift 2 ;;
	--user) user=$2; shift 2 ;;
	--hostile) hostile=$2; shift 2 ;;
	--givetest) givetest=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--driver) driver=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--known-silent) silent=$2; shift 2 ;;
	--known-bug) knownbug=$2; shift 2 ;;
	--emit) emit=$2; shift 2 ;;
	--db) db=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "qemu-hostile: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
if [ -z "$kdir" ]; then
	kdir=$cache/kernel
	[ -f "$cache/kernel-kasan/arch/x86/boot/bzImage" ] && kdir=$cache/kernel-kasan
fi
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "$emit" ]; then
	[ -d "$emit" ] && [ -n "$db" ] && [ -f "$kdir/Module.symvers" ] ||
		{ echo "qemu-hostile: --emit needs an emitted driver directory, --db and a built KDIR" >&2; exit 2; }
	build=${build:-$(mktemp -d /tmp/kcut-qemu-hostile-build.XXXXXX)}
	mkdir -p "$build"
	build=$(cd "$build" && pwd)
	blog=$build/build.log
	: >"$blog"
	rm -rf "$build/rt" "$build/half" "$build/give"
	cp -r "$top/rt/linux" "$build/rt"
	cp -r "$top/tests/linux/guest/givetest" "$build/give"
	cp -r "$emit" "$build/half"
	find "$build/half" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' -o -name Module.symvers \) -delete
	step() { echo "== $*" >>"$blog"; "$@" >>"$blog" 2>&1 || { echo "qemu-hostile: build step failed: $* (see $blog)" >&2; tail -20 "$blog" >&2; exit 2; }; }
	step make -C "$kdir" LLVM=-14 M="$build/rt" KCUT_RT="$top/rt" -j2 modules
	step make -C "$kdir" LLVM=-14 M="$build/half" KCUT_RT_LINUX="$build/rt" -j2 modules
	step make -C "$kdir" LLVM=-14 M="$build/give" KCUT_RT_LINUX="$build/rt" KCUT_RT="$top/rt" -j2 modules
	# (KASAN's stack redzones push the driver's own frames past the kernel's 1024-byte warning: the
	# unsplit e1000 warns the same there; only that warning is let through, and only with KASAN)
	fw='^$'
	grep -q '^CONFIG_KASAN=y' "$kdir/.config" && fw='Wframe-larger-than|^[0-9]+ warnings? generated'
	if grep -E "warning|WARNING|error" "$blog" | grep -v "^make" | grep -Ev "$fw" >&2; then
		echo "qemu-hostile: the modules built with warnings against $kdir (see $blog)" >&2
		exit 2
	fi
	step "$top/rt/lxuser/kcut-lxbuild" --emit "$emit" -p "$db" --cc "${KCUT_CLANG:-clang-14}" --work "$build/lxbuild" -o "$build/kcut_user_half"
	step gcc -static -O2 -Wall -Wextra -Werror -std=gnu11 -I"$top/rt/linux" -I"$top/rt" -I"$top/common" -I"$emit/include" \
		-I"$top/tests/linux/guest/givetest" -o "$build/lx_hostile" "$top/rt/lxuser/lx_hostile.c"
	rt=$build/rt/kcut_rt.ko
	half=$(ls "$build"/half/kcut_*_k.ko 2>/dev/null | head -1)
	user=$build/kcut_user_half
	hostile=$build/lx_hostile
	givetest=$build/give/kcut_lx_givetest.ko
	echo "qemu-hostile: built kcut_rt.ko, $(basename "$half"), kcut_lx_givetest.ko, the user half and lx_hostile against $kdir in $build"
fi
for f in "$rt" "$half" "$user" "$hostile" ${givetest:+"$givetest"} "$kdir/arch/x86/boot/bzImage"; do
	[ -n "$f" ] && [ -f "$f" ] || { echo "qemu-hostile: missing file '$f' (try --help)" >&2; exit 2; }
done
# the guest's boot (scripts/lib/qemu-guest.sh)
. "$top/scripts/lib/qemu-guest.sh"
qg_tools qemu-hostile
kasan=plain
grep -q '^CONFIG_KASAN=y' "$kdir/.config" 2>/dev/null && kasan=KASAN

qg_workdir kcut-qemu-hostile
cp "$rt" "$root/kcut_rt.ko"
mod=$(basename "$half" .ko)
cp "$half" "$root/$mod.ko"
cp "$user" "$root/kcut_user_half"
cp "$hostile" "$root/lx_hostile"
[ -z "$givetest" ] || cp "$givetest" "$root/kcut_lx_givetest.ko"
cases=$("$hostile" "$name" --list 2>/dev/null || true)
[ -n "$cases" ] || { echo "qemu-hostile: $hostile --list printed no cases" >&2; exit 2; }
# (KCUT_HOSTILE_CASES="a b": only these cases after the insmod one, for debugging)
[ -z "${KCUT_HOSTILE_CASES+x}" ] || cases=$KCUT_HOSTILE_CASES
if [ -z "$givetest" ]; then
	kept=
	for c in $cases; do [[ $c == stale-skb-* || $c == init-* ]] || kept="$kept $c"; done
	[ "$kept" = " $(echo $cases)" ] || echo "qemu-hostile: no --givetest module: the stale-skb-* and init-* cases are left out"
	cases=$kept
fi
# the known bugs last
ordered=
for c in $cases; do if [[ ",$knownbug," != *",$c,"* ]]; then ordered="$ordered $c"; fi; done
# (on a kernel without KASAN a known bug may corrupt the kernel for the rest of the run:
# eeprom-overflow panics it through the stack protector; they run there only when asked)
for c in $cases; do
	if [[ ",$knownbug," == *",$c,"* ]]; then
		if [ $kasan = KASAN ] || [ -n "${KCUT_HOSTILE_KNOWN_PLAIN:-}" ]; then
			ordered="$ordered $c"
		else
			echo "qemu-hostile: known bug $c: not run (a kernel without KASAN; KCUT_HOSTILE_KNOWN_PLAIN=1 runs it)"
		fi
	fi
done
cases=$ordered

cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
echo 7 > /proc/sys/kernel/printk
echo "KCUT-STEP boot"
bdf=
for d in /sys/bus/pci/devices/*; do
	[ "\$(cat \$d/vendor)" = 0x8086 ] && [ "\$(cat \$d/device)" = 0x100e ] && bdf=\$(basename \$d)
done
echo "KCUT-STEP e1000 at \$bdf"
insmod /kcut_rt.ko && echo "KCUT-STEP rt-loaded"
[ ! -f /kcut_lx_givetest.ko ] || { insmod /kcut_lx_givetest.ko && echo "KCUT-STEP givetest-loaded"; }
case_log() { dmesg | sed "s/^/KCUT-DMESG \$1: /"; dmesg -c >/dev/null; }
dmesg -c >/dev/null
# the first case answers the probe insmod makes
/lx_hostile $name up-wrong-id > /h.log 2>&1 &
hp=\$!
insmod /$mod.ko kcut_wait_ms=30000 && echo "KCUT-STEP half-loaded" || echo "KCUT-STEP half-insmod-failed \$?"
wait \$hp
sed "s/^/KCUT-H /" /h.log
case_log insmod-up-wrong-id
for c in $(echo $cases); do
	sleep 1
	echo "KCUT-PHASE \$c"
	case \$c in
	up-trickle-cap)
		# a short cap (kcut_rt.ko's call_cap_ms, default 60 s) so that the case takes ~15 s
		echo 9000 > /sys/module/kcut_rt/parameters/call_cap_ms
		/lx_hostile $name \$c --bind \$bdf --driver $driver > /h.log 2>&1
		echo 60000 > /sys/module/kcut_rt/parameters/call_cap_ms ;;
	up-*) /lx_hostile $name \$c --bind \$bdf --driver $driver > /h.log 2>&1 ;;
	stale-skb-*)
		echo 2000 > /sys/module/kcut_rt/parameters/defer_ms
		/lx_hostile $name \$c > /h.log 2>&1
		sleep 2.5
		echo 0 > /sys/module/kcut_rt/parameters/defer_ms ;;
	*) /lx_hostile $name \$c > /h.log 2>&1 ;;
	esac
	sed "s/^/KCUT-H /" /h.log
	sleep 0.5
	case_log \$c
done
# the normal user half: it connects (the recovery hook runs for it), the probe runs through it
echo "KCUT-PHASE normal"
/kcut_user_half -t /trace.txt > /uh.log 2>&1 &
uh=\$!
for i in \$(seq 100); do grep -q "connected," /uh.log && break; sleep 0.2; done
sleep 2
echo -n \$bdf > /sys/bus/pci/drivers/$driver/bind && echo "KCUT-STEP bound" || echo "KCUT-STEP bind-failed"
for i in \$(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0
	for i in \$(seq 100); do [ "\$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.1; done
	ping -c 3 -W 3 10.0.2.2 >/dev/null 2>&1
	ping -q -c $count -i 0.05 10.0.2.2 > /ping.txt 2>&1
	sed "s/^/KCUT-PING: /" /ping.txt
	ip link set eth0 down
else
	echo "KCUT-STEP no-eth0"
fi
sed 's/^/KCUT-UH /' /uh.log
case_log normal
echo "KCUT-PHASE unload"
( rmmod $mod && echo "KCUT-STEP half-unloaded" || echo "KCUT-STEP half-rmmod-failed" ) &
for i in \$(seq 100); do grep -q "^$mod " /proc/modules || break; sleep 0.2; done
grep -q "^$mod " /proc/modules && echo "KCUT-STEP half-rmmod-stuck"
sleep 1
kill -9 \$uh 2>/dev/null
[ ! -f /kcut_lx_givetest.ko ] || { rmmod kcut_lx_givetest && echo "KCUT-STEP givetest-unloaded" || echo "KCUT-STEP givetest-rmmod-failed"; }
rmmod kcut_rt && echo "KCUT-STEP rt-unloaded" || echo "KCUT-STEP rt-rmmod-failed"
case_log unload
echo "KCUT-STEP done"
poweroff -f
INIT
qg_initramfs
start=$(date +%s)
extra=
[ $kasan = KASAN ] && extra=kasan_multi_shot
qg_start "$kdir" 768 1 user,model=e1000 "$(qg_append $extra)"
qg_wait "$timeout"
qg_console
grep -E "^(KCUT-|lx-hostile)" "$work/console.txt" || true
python3 - "$work/console.txt" "$kasan" "$count" "$(($(date +%s) - start))" "$name" "$silent" "$knownbug" "$givetest" $cases <<'PY'
import re, sys
path, kasan, count, secs, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
silent = set(x for x in sys.argv[6].split(",") if x)
knownbug = set(x for x in sys.argv[7].split(",") if x)
givetest = sys.argv[8]
cases = ["insmod-up-wrong-id"] + sys.argv[9:]
out = open(path).read()
fail = []
# a refusal the kernel logs: a protocol fault, a refused mmap, a refused register batch, any kcut-rt
# or kcut line saying "refused" (of the driver's endpoint, the test module's or the tracker's)
REFUSAL = re.compile(r"kcut-rt(?: \S+)?: (protocol fault of the user half: .*|.*refused.*)")
# the stale-skb cases that name the handle while the object waits for the worker (defer_ms): the
# refusal must be the gone set's (rt/linux/rt_objtrack.c), not only the released handle's
GONE = re.compile(r"kcut-rt: handle \S+ refused: its object .* was freed or handed to the kernel")
GONE_CASES = {"stale-skb-stack-atomic", "stale-skb-ifdown"}
ok, rows, known, kbrows = 0, [], [], []
for c in cases:
    key = "up-wrong-id" if c == "insmod-up-wrong-id" else c
    m = None
    # the verdict of this case's run (the insmod one is the first "case up-wrong-id" line)
    vs = re.findall(r"KCUT-H lx-hostile: case %s: (\S+)" % re.escape(key), out)
    v = (vs[0] if c == "insmod-up-wrong-id" else vs[-1]) if vs else "not-run"
    logs = re.findall(r"KCUT-DMESG %s: (.*)" % re.escape(c), out)
    refusal = [l for l in logs if REFUSAL.search(l)]
    refused = v in ("killed", "error")
    if c in knownbug:
        ok_kb = v == "accepted"
        kbrows.append("%-28s %-13s %s" % (c, v, "KNOWN BUG still present (--known-bug)" if ok_kb
                                          else "no longer accepted: drop it from --known-bug"))
        if not ok_kb:
            fail.append("%s: %s (a --known-bug case)" % (c, v))
        continue
    good = refused and (bool(refusal) != (c in silent))
    ok += refused and bool(refusal)
    why = re.split(r"kcut-rt(?: \S+)?: ", refusal[0], 1)[-1][:110] if refusal else "NO kernel log line"
    if c in GONE_CASES and refused and not any(GONE.search(l) for l in logs):
        good = False
        why += " (NOT refused as an object waiting for the worker: no gone-set line)"
    # the trickle cases: the refusal must be the one meant, not the call timeout
    need = {"up-trickle": ("protocol fault of the user half: a malformed reply", "the wrong-id reply after 8 s of downcalls"),
            "up-trickle-cap": (", past the cap: the user half made downcalls", "the cap of the upcall's wait")}.get(c)
    if need and refused and (not any(need[0] in l for l in logs) or any("an upcall timed out" in l for l in logs)):
        good = False
        why += " (NOT refused as %s%s)" % (need[1], "; the upcall TIMED OUT" if any("an upcall timed out" in l for l in logs) else "")
    if c in silent:
        why += " (KNOWN: refused silently, --known-silent)" if not refusal else " (logs now: drop it from --known-silent)"
        known.append(c)
    rows.append("%-28s %-13s %s" % (c, v, why))
    if not good:
        fail.append("%s: %s, %s" % (c, v, "logged" if refusal else "no log line"))
for r in rows + kbrows:
    print("qemu-hostile: case " + r)
# (a user process's fault, "traps: PROG[pid] general protection fault ... in PROG", is not the kernel's)
# kernel reports, each attributed to the part of the run it appeared in (KCUT-PHASE markers; a
# case's own log lines name it)
REPORT = re.compile(r"KASAN|BUG:|Oops|WARNING:|general protection|Kernel panic")
bad, kbbad, cur = [], {}, None
for l in out.splitlines():
    m = re.match(r"KCUT-PHASE (\S+)", l)
    if m:
        cur = m.group(1)
        continue
    if not REPORT.search(l) or re.search(r"traps: \S+\[\d+\] general protection fault", l):
        continue
    m = re.match(r"KCUT-DMESG (\S+): ", l)
    part = m.group(1) if m else cur
    if part in knownbug:
        kbbad.setdefault(part, []).append(l)
    else:
        bad.append(l)
for c in sorted(knownbug & set(cases)):
    k = [l for l in kbbad.get(c, []) if "KASAN" in l]
    print("qemu-hostile: known bug %s: %d kernel report lines%s" % (c, len(kbbad.get(c, [])),
          (", first: " + k[0].split("] ", 1)[-1][:120]) if k else ""))
uf = re.findall(r"traps: (\S+)\[\d+\] general protection fault", out)
if uf:
    fail.append("a user process crashed: %s" % ", ".join(sorted(set(uf))))
if bad:
    fail.append("the kernel reported: " + " | ".join(sorted(set(b.strip()[:120] for b in bad))[:4]))
if "KCUT-STEP done" not in out:
    fail.append("the guest did not finish")
p = re.search(r"KCUT-PING: (\d+) packets transmitted, (\d+) packets received", out)
sent, recv = (int(p.group(1)), int(p.group(2))) if p else (0, 0)
if sent != count or recv != count:
    fail.append("normal user half after the hostile one: ping %d/%d" % (recv, sent))
steps = [("half-loaded", "the kernel half did not load"), ("bound", "the device did not bind to the normal user half"),
         ("half-unloaded", "the kernel half did not unload"), ("rt-unloaded", "kcut_rt.ko did not unload")]
if givetest:
    steps += [("givetest-loaded", "kcut_lx_givetest.ko did not load"), ("givetest-unloaded", "kcut_lx_givetest.ko did not unload")]
for step, what in steps:
    if "KCUT-STEP " + step not in out:
        fail.append(what)
summary = ("%d/%d cases refused with a kernel log line%s%s; %s; normal user half after: ping %d/%d; kernel %s; %s s"
           % (ok, len(cases) - len(knownbug & set(cases)), " (known silent: %s)" % ",".join(known) if known else "",
              "; known bugs still accepted: %s" % ",".join(sorted(knownbug & set(cases))) if knownbug & set(cases) else "",
              "no KASAN report/BUG/oops/WARNING" if not bad else "kernel reports: %d lines" % len(bad),
              recv, sent, kasan, secs))
if fail:
    print("qemu-hostile: FAIL (%s) %s" % ("; ".join(fail), summary))
    sys.exit(1)
print("qemu-hostile: PASS (%s)" % summary)
PY
