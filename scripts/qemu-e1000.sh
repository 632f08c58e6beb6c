#!/usr/bin/env bash
# qemu-e1000.sh: load a split e1000 into a real Linux 6.1 guest (qemu TCG, no KVM).
#
# Two modes, both booting the guest kernel of KDIR with a busybox initramfs:
#
# --user BIN (issue 15 item 4): the split e1000 with its real user half (rt/lxuser, built by
#   kcut-lxbuild) and, in the same guest afterwards, the unsplit e1000.ko for comparison. In the
#   guest: insmod kcut_rt.ko; start the user half (it waits for /dev/kcut-NAME); insmod the kernel
#   half (its init waits for the user half, then the driver's probe runs through it);
#   ip link set eth0 up, 10.0.2.15/24, ping -c COUNT -i 0.01 10.0.2.2 (the user half's counters
#   before and after give the crossings in steady state); ethtool -i/-g/-S/-d eth0 (the user half's
#   crossing trace shows which were answered by it); kill -9 of the user half during a ping run
#   (ping must lose nothing; ethtool must fail or answer without hanging); restart of the user half
#   (ethtool -i answers again); rmmod; then the same with e1000.ko (UNSPLIT, default
#   KDIR/drivers/net/ethernet/intel/e1000/e1000.ko). ethtool comes from the host (Debian's, with
#   its libraries). Last line: "qemu-e1000: split e1000: PASS|FAIL (...)" with the figures.
#
# --probe BIN (the first cut, linux_qemu_e1000_smoke): a stand-in user half
#   (tests/linux/guest/kcut_lx_probe.c: it answers every upcall with an error, it runs none of the
#   driver): kcut_rt.ko loads, /dev/kcut-NAME appears, the kernel half's init waits for the user
#   half, the probe crosses as an upcall, the kernel survives the refused probe, and, loading the
#   kernel half twice more, a garbage downcall and a reply with a wrong call id are refused as
#   protocol faults (log line, the user half killed); a second stand-in then reconnects and the
#   recovery hook must run for incarnation 2. With --regtest KO --regions BIN
#   (tests/linux/guest/regtest, kcut_lx_regions.c): device regions, the e1000's BAR and a DMA
#   buffer exported by a test module, mapped and checked by a stand-in, forged mmap requests
#   refused, the mapping zapped on unexport. Last line: "qemu-e1000: split e1000 smoke:
#   PASS|FAIL (...)".
#
# --access none|forward|mapped (with --user): the device access the split was emitted with
#   (scripts/lib/qemu-build-split.sh builds one; the user half's default is its partition's, from
#   interface.txt): named in the summary, given to every start of the user half (-a) when not none,
#   and checked: forward must have run forwarded register batches, mapped must have mapped the BAR
#   (no batch). The summary adds the crossings of the probe (insmod of the kernel half until it
#   returns: upcalls served + downcalls made by the user half, register batches among them).
#
# With no --rt/--half/--user/--probe (a fresh machine after scripts/deps.sh): scripts/lib/qemu-prepare.sh
#   builds the guest kernel (cached in ~/.cache/kcut/qemu), kcut, the split e1000 for the guest's
#   configuration (device access --access, default none), kcut_rt.ko and both halves, then the
#   --user mode runs with them.
#
# Usage: scripts/qemu-e1000.sh --rt KO --half KO (--user BIN [--access A] | --probe BIN [--regtest KO --regions BIN])
#            [--unsplit KO] [--name emit] [--kdir DIR] [--count 1000] [--timeout 600]
# KDIR (default ~/.cache/kcut/qemu/kernel): a built kernel (arch/x86/boot/bzImage) with E1000=m,
# MODULES, DEVTMPFS, BLK_DEV_INITRD (see /work/shared/linux-recipe.md); the modules and the user
# half must be built against it. KCUT_QEMU_KEEP=1 keeps the work directory (console.log). Exit 0
# on PASS.
set -euo pipefail
kdir=${HOME:-/root}/.cache/kcut/qemu/kernel
name=emit
timeout=600
count=1000
rt= half= probe= user= unsplit= regtest= regions= access=none
while [ $# -gt 0 ]; do
	case "$1" in
	--rt) rt=$2; shift 2 ;;
	--half) half=$2; shift 2 ;;
	--probe) probe=$2; shift 2 ;;
	--user) user=$2; shift 2 ;;
	--access) access=$2; shift 2 ;;
	--unsplit) unsplit=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	--regtest) regtest=$2; shift 2 ;;
	--regions) regions=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "qemu-e1000: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
if [ -z "$rt$half$user$probe" ]; then
	# no modules given: build the guest kernel, kcut, the split e1000's halves and kcut_rt.ko from
	# scratch (cached; scripts/lib/qemu-prepare.sh), then run the --user mode with them
	eval "$("$(dirname "$0")/lib/qemu-prepare.sh" --device-access "${access:-none}" | tail -1)"
	[ -n "${KCUT_QEMU_HALF:-}" ] || { echo "qemu-e1000: scripts/lib/qemu-prepare.sh failed" >&2; exit 1; }
	rt=$KCUT_QEMU_RT half=$KCUT_QEMU_HALF user=$KCUT_QEMU_USER kdir=$KCUT_QEMU_KDIR
fi
[ -n "$unsplit" ] || unsplit=$kdir/drivers/net/ethernet/intel/e1000/e1000.ko
if [ -n "$user" ]; then
	case "$access" in none|forward|mapped) ;; *) echo "qemu-e1000: --access none|forward|mapped" >&2; exit 2 ;; esac
	exec "$(dirname "$0")/lib/qemu-e1000-split.sh" "$rt" "$half" "$user" "$unsplit" "$name" "$kdir" "$count" "$timeout" "$access"
fi
for f in "$rt" "$half" "$probe" "$kdir/arch/x86/boot/bzImage"; do
	[ -n "$f" ] && [ -f "$f" ] || { echo "qemu-e1000: missing file '$f' (try --help)" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-e1000: qemu-system-x86_64 missing (scripts/deps.sh)" >&2; exit 2; }
bb=$(command -v busybox) || { echo "qemu-e1000: busybox missing (apt-get install busybox-static)" >&2; exit 2; }
file -L "$bb" | grep -q "statically linked" || { echo "qemu-e1000: $bb is not static (busybox-static)" >&2; exit 2; }

work=$(mktemp -d /tmp/kcut-qemu-e1000.XXXXXX)
trap '[ -n "${KCUT_QEMU_KEEP:-}" ] || rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$bb" "$root/bin/busybox"
cp "$rt" "$root/kcut_rt.ko"
mod=$(basename "$half" .ko) # the kernel half's module name (kcut_<partition>_k)
cp "$half" "$root/$mod.ko"
cp "$probe" "$root/kcut_lx_probe"
if [ -n "$regtest" ]; then
	cp "$regtest" "$root/kcut_lx_regtest.ko"
	cp "$regions" "$root/kcut_lx_regions"
fi
cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
echo "KCUT-STEP boot"
insmod /kcut_rt.ko && echo "KCUT-STEP rt-loaded"
for mode in polite bad-call bad-reply; do
	/kcut_lx_probe $name 8 \$mode > /probe.log 2>&1 &
	probe=\$!
	insmod /$mod.ko kcut_wait_ms=20000 && echo "KCUT-STEP half-loaded" || echo "KCUT-STEP half-refused \$?"
	ls /dev/kcut-$name >/dev/null 2>&1 && echo "KCUT-STEP device-present"
	wait \$probe
	st=\$?
	cat /probe.log
	echo "KCUT-STEP probe-exit \$mode \$st"
	if [ \$mode = polite ]; then
		# a restarted user half: the kernel half runs the recovery hook for incarnation 2
		/kcut_lx_probe $name 3 polite > /probe.log 2>&1
		echo "KCUT-STEP reconnect-exit \$?"
		cat /probe.log
	fi
	# the module is held while no user half is connected (kcut_rt.ko): unload with a stand-in
	# connected, the teardown's upcalls answered (with errors) by it
	/kcut_lx_probe $name 5 polite > /unload.log 2>&1 &
	up=\$!
	for i in \$(seq 1 50); do
		rmmod $mod 2>/dev/null && { echo "KCUT-STEP half-unloaded \$mode"; break; }
		sleep 0.2
	done
	kill \$up 2>/dev/null
	wait \$up 2>/dev/null
done
if [ -f /kcut_lx_regtest.ko ]; then
	/kcut_lx_regions > /regions.log 2>&1 &
	rp=\$!
	insmod /kcut_lx_regtest.ko && echo "KCUT-STEP regtest-loaded"
	for i in \$(seq 1 150); do grep -q "kcut-regions: ready\|kcut-regions: FAIL" /regions.log && break; sleep 0.2; done
	echo 1 > /sys/module/kcut_lx_regtest/parameters/unexport_dma
	mkdir -p /tmp && touch /tmp/kcut-unexported
	wait \$rp
	echo "KCUT-STEP regions-exit \$?"
	cat /regions.log
	rmmod kcut_lx_regtest && echo "KCUT-STEP regtest-unloaded"
fi
dmesg | grep -E "kcut|e1000|Oops|BUG|WARNING" | sed 's/^/dmesg: /'
echo "KCUT-STEP done"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
log=$work/console.log
# (a tinyconfig guest has no ACPI: poweroff halts; the script stops qemu once the guest is done)
qemu-system-x86_64 -m 256 -smp 1 -kernel "$kdir/arch/x86/boot/bzImage" \
	-initrd "$work/initramfs.cpio.gz" -append "console=ttyS0 panic=-1 quiet loglevel=4" \
	-display none -serial "file:$log" -monitor none -no-reboot -nic user,model=e1000 </dev/null >"$work/qemu.err" 2>&1 &
qpid=$!
qrc=running
for ((i = 0; i < timeout * 2; i++)); do
	if grep -q "KCUT-STEP done" "$log" 2>/dev/null || ! kill -0 "$qpid" 2>/dev/null; then
		break
	fi
	sleep 0.5
done
sleep 1
if kill -0 "$qpid" 2>/dev/null; then
	kill "$qpid" 2>/dev/null || true
fi
wait "$qpid" 2>/dev/null || true
grep -v 'terminating on signal' "$work/qemu.err" | sed 's/^/qemu: /' || true
tr -d '\r' <"$log" | grep -E "KCUT-STEP|kcut-probe|kcut-regions|dmesg:" || true
out=$(tr -d '\r' <"$log")
fail=()
grep -q "KCUT-STEP rt-loaded" <<<"$out" || fail+=("kcut_rt.ko did not load")
grep -q "kcut-probe: /dev/kcut-$name magic" <<<"$out" || fail+=("the stand-in user half did not connect")
grep -q "kcut-probe: upcall fn" <<<"$out" || fail+=("no upcall reached the user half")
grep -q "KCUT-STEP done" <<<"$out" || fail+=("the guest did not finish (qemu exit $qrc)")
grep -qE "Oops|BUG:|Kernel panic" <<<"$out" && fail+=("the guest kernel oopsed")
grep -q "KCUT-STEP probe-exit bad-call 137" <<<"$out" && grep -q "protocol fault of the user half: a malformed downcall" <<<"$out" ||
	fail+=("a garbage downcall was not refused with a fault (log line, user half killed)")
grep -q "KCUT-STEP probe-exit bad-reply 137" <<<"$out" && grep -q "protocol fault of the user half: a malformed reply" <<<"$out" ||
	fail+=("a reply with a wrong call id was not refused with a fault (log line, user half killed)")
grep -q "KCUT-STEP half-unloaded bad-reply" <<<"$out" || fail+=("the kernel half did not unload after the runs")
grep -q "KCUT-STEP reconnect-exit 0" <<<"$out" && grep -q "kcut-rt $name: incarnation 2: the recovery hook is done" <<<"$out" ||
	fail+=("a reconnecting user half did not get the recovery hook")
regions_ok=
if [ -n "$regtest" ]; then
	grep -q "KCUT-STEP regions-exit 0" <<<"$out" && grep -q "kcut-regions: PASS" <<<"$out" ||
		fail+=("device regions: the stand-in's checks failed")
	grep -q "mmap of the user half refused .*forged or unexported" <<<"$out" ||
		fail+=("device regions: a forged mmap was not refused with a log line")
	grep -q "kcut-regtest: DMA word 0 at unload: 0xfeedbeef" <<<"$out" ||
		fail+=("device regions: the user half's write to the DMA buffer did not reach the kernel's buffer")
	grep -q "KCUT-STEP regtest-unloaded" <<<"$out" || fail+=("device regions: the test module did not unload")
	regions_ok="; BAR and DMA buffer mapped into a stand-in and checked, forged mmaps refused, mapping zapped on unexport"
fi
ups=$(grep -c "kcut-probe: upcall fn" <<<"$out" || true)
if [ ${#fail[@]} -eq 0 ]; then
	echo "qemu-e1000: split e1000 smoke: PASS (kcut_rt.ko loaded, /dev/kcut-$name opened by the stand-in user half, $ups upcalls answered with errors; garbage downcall and wrong-id reply refused as faults; recovery hook for a reconnecting user half$regions_ok; no oops)"
	exit 0
fi
echo "qemu-e1000: split e1000 smoke: FAIL ($(IFS=';'; echo "${fail[*]}"))"
exit 1
