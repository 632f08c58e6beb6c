# scripts/lib/qemu-guest.sh - the qemu guest boot shared by scripts/qemu-hostile.sh,
# scripts/lib/qemu-e1000-split.sh and bench/qemu-e1000.sh (sourced, not run): the tools a guest
# needs, a work directory with a busybox root, ethtool with its libraries, the initramfs, the
# kernel command line, qemu TCG started and waited for, and its console log. Each script writes
# its own /init into $root and reads its own results from $work/console.txt.
#
#   qg_tools WHO [ethtool]        qemu-system-x86_64 and a static busybox ($bb), with ethtool:
#                                 also ethtool ($et); exit 2 naming WHO when one is missing
#   qg_workdir PREFIX             $work (mktemp /tmp/PREFIX.XXXXXX, removed at exit unless
#                                 KCUT_QEMU_KEEP is set), $root = $work/root with busybox in it
#   qg_add_ethtool                $et and its libraries (with the loader) into $root
#   qg_initramfs                  $root (its /init made executable) -> $work/initramfs.cpio.gz
#   qg_append [WORD ...]          the kernel command line: console on ttyS0, no reboot on panic,
#                                 quiet, the WORDs, then the host's TSC rate (below)
#   qg_start KDIR MEM SMP NIC APPEND   qemu (no display, serial to $log = $work/console.log,
#                                 -nic NIC) in the background: $qpid
#   qg_wait TIMEOUT               until the guest prints "KCUT-STEP done", qemu ends or TIMEOUT
#                                 seconds pass; then qemu is ended
#   qg_console                    qemu's own error lines (prefixed "qemu: "), and the console
#                                 without carriage returns in $work/console.txt
#
# TCG's TSC is the host's: the guest is given its rate (tsc_early_khz, tsc=reliable) instead of a
# calibration that a loaded host skews (the guest clock then ran ~30x fast and every 5 s upcall
# timeout of rt/linux fired at once; without a TSC clocksource ping's RTT is quantised to 4 ms).
# KCUT_QEMU_HOST_TSC=0 leaves it out.

qg_tools() {
	local who=$1
	command -v qemu-system-x86_64 >/dev/null || { echo "$who: qemu-system-x86_64 missing (scripts/deps.sh)" >&2; exit 2; }
	bb=$(command -v busybox) || { echo "$who: busybox missing (apt-get install busybox-static)" >&2; exit 2; }
	file -L "$bb" | grep -q "statically linked" || { echo "$who: $bb is not static (busybox-static)" >&2; exit 2; }
	if [ "${2:-}" = ethtool ]; then
		et=$(command -v ethtool || true)
		[ -n "$et" ] || { echo "$who: ethtool missing (apt-get install ethtool)" >&2; exit 2; }
	fi
}

qg_workdir() {
	work=$(mktemp -d "/tmp/$1.XXXXXX")
	trap '[ -n "${KCUT_QEMU_KEEP:-}" ] || rm -rf "$work"' EXIT
	root=$work/root
	mkdir -p "$root"/{bin,dev,proc,sys,tmp}
	cp "$bb" "$root/bin/busybox"
}

qg_add_ethtool() {
	local lib
	# ethtool with its libraries and loader, at the paths ldd gives
	cp "$et" "$root/bin/ethtool.real"
	for lib in $(ldd "$et" | grep -oE '/[^ ]+\.so[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

qg_initramfs() {
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"
}

qg_append() {
	local append="console=ttyS0 panic=-1 quiet loglevel=4" khz w
	for w in "$@"; do append="$append $w"; done
	khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
	if [ "${KCUT_QEMU_HOST_TSC:-1}" = 1 ] && grep -qw constant_tsc /proc/cpuinfo && [ -n "$khz" ]; then
		append="$append tsc_early_khz=$khz tsc=reliable"
	fi
	echo "$append"
}

qg_start() {
	log=$work/console.log
	: >"$log"
	qemu-system-x86_64 -m "$2" -smp "$3" -kernel "$1/arch/x86/boot/bzImage" \
		-initrd "$work/initramfs.cpio.gz" -append "$5" \
		-display none -serial "file:$log" -monitor none -no-reboot -nic "$4" </dev/null >"$work/qemu.err" 2>&1 &
	qpid=$!
}

qg_wait() {
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		if grep -q "KCUT-STEP done" "$log" 2>/dev/null || ! kill -0 "$qpid" 2>/dev/null; then
			break
		fi
		sleep 0.5
	done
	sleep 1
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
}

qg_console() {
	grep -v 'terminating on signal' "$work/qemu.err" | sed 's/^/qemu: /' || true
	tr -d '\r' <"$log" >"$work/console.txt"
}
