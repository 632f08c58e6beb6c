#!/usr/bin/env bash
# qemu-prepare.sh: everything scripts/qemu-e1000.sh needs when it is given no modules, built from
# scratch on a machine that has only run scripts/deps.sh (each step cached; a re-run redoes only
# what changed):
#   1. the Linux source (scripts/linux-prepare.sh unpacks linux-source-6.1 into its cache);
#   2. the guest kernel: tinyconfig + the options below, clang (LLVM=-14), bzImage, modules (e1000.ko,
#      the unsplit module for the comparison), vmlinux and Module.symvers, in $KCUT_QEMU_CACHE/kernel
#      (default ~/.cache/kcut/qemu/kernel); ~7 min on 2 idle cores, stamped with the option list;
#   3. kcut itself (scripts/build.sh build/demo, incremental, every run) unless --kcut BIN names one;
#   4. e1000's compile_commands.json as the guest kernel built it;
#   5. kcut_rt.ko against the guest kernel (kbuild, no warning allowed), then
#      scripts/lib/qemu-build-split.sh: `kcut analyze`, `kcut partition` (the default partition for
#      --device-access, default none; $KCUT_SPLIT_PINS adds pins), `kcut emit`, the kernel half
#      (kbuild) and the user half (rt/lxuser/kcut-lxbuild).
# Usage: scripts/lib/qemu-prepare.sh [--kcut BIN] [--device-access none|forward|mapped] [--work DIR]
# The last line of its output is the shell assignment qemu-e1000.sh evaluates:
#   KCUT_QEMU_RT=... KCUT_QEMU_HALF=... KCUT_QEMU_USER=... KCUT_QEMU_KDIR=...
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KCUT_QEMU_CACHE:-${HOME:-/root}/.cache/kcut/qemu}
kcut= da=none work=$top/build/qemu
while [ $# -gt 0 ]; do
	case "$1" in
	--kcut) kcut=$2; shift 2 ;;
	--device-access) da=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "qemu-prepare: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
case "$da" in none|forward|mapped) ;; *) echo "qemu-prepare: --device-access must be none, forward or mapped" >&2; exit 2 ;; esac
jobs=${KCUT_LINUX_JOBS:-$(nproc)}
log() { echo "qemu-prepare: $*" >&2; }
die() { echo "qemu-prepare: $*" >&2; exit 1; }
for t in clang-14 ld.lld-14 make python3 flex bison bc; do
	command -v "$t" >/dev/null || die "'$t' is missing: run scripts/deps.sh"
done

# 1. the source tree (pristine, shared with the linux tests)
src=$("$top/scripts/linux-prepare.sh" --print-cache)/src
if [ ! -f "$src/Makefile" ]; then
	log "unpacking the Linux source (scripts/linux-prepare.sh)"
	"$top/scripts/linux-prepare.sh" --drivers e1000 --gcc-drivers none >&2 || die "scripts/linux-prepare.sh failed"
fi
[ -f "$src/Makefile" ] || die "no Linux source in $src (scripts/linux-prepare.sh)"

# 2. the guest kernel (the options of /work/shared/linux-recipe.md's small kernel, plus what the guest
# programs need: futexes and timers for the user half's threads, packet/unix sockets for ip/ping,
# shmem/tmpfs, SMP; the same options the tests' guest kernel was built with)
opts="-e 64BIT -e PCI -e BLK_DEV_INITRD -e RD_GZIP -e PRINTK -e TTY -e SERIAL_8250 -e SERIAL_8250_CONSOLE
 -e BINFMT_ELF -e PROC_FS -e SYSFS -e DEVTMPFS -e MODULES -e MODULE_UNLOAD -e NET -e INET -e NETDEVICES
 -e ETHERNET -e NET_VENDOR_INTEL -m E1000 -e SMP -e FUTEX -e PACKET -e UNIX -e MULTIUSER -e BUG -e KALLSYMS
 -e DEBUG_ATOMIC_SLEEP -e PRINTK_TIME -e DEVTMPFS_MOUNT -e EPOLL -e EVENTFD -e SIGNALFD -e TIMERFD -e SHMEM
 -e TMPFS -e POSIX_TIMERS -e HIGH_RES_TIMERS -e MEMFD_CREATE -e BINFMT_SCRIPT -e PTP_1588_CLOCK -e CPU_FREQ
 -e X86_INTEL_PSTATE -e RPS -e NET_FLOW_LIMIT"
kdir=$cache/kernel
key="qemu-prepare 1; LLVM=-14; tinyconfig $(echo $opts)"
stamp=$cache/kernel.stamp
have_opts() { # every listed option set as listed in $1/.config
	local o v
	set -- "$1" $opts
	local cfg=$1/.config
	shift
	while [ $# -gt 1 ]; do
		case "$1" in -e) v=y ;; -m) v=m ;; *) v= ;; esac
		o=$2
		shift 2
		grep -qx "CONFIG_$o=$v" "$cfg" || return 1
	done
}
mkdir -p "$cache"
if [ -f "$kdir/arch/x86/boot/bzImage" ] && [ -f "$kdir/Module.symvers" ] && [ ! -f "$stamp" ] && have_opts "$kdir"; then
	printf '%s\n' "$key" >"$stamp" # a guest kernel built by hand with the same options
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$key" ] || [ ! -f "$kdir/arch/x86/boot/bzImage" ] ||
	[ ! -f "$kdir/Module.symvers" ] || [ ! -f "$kdir/vmlinux" ]; then
	rm -f "$stamp"
	mkdir -p "$kdir"
	log "building the guest kernel in $kdir (tinyconfig + e1000, clang; ~7 min on 2 idle cores)"
	make -s -C "$src" O="$kdir" LLVM=-14 tinyconfig >"$kdir/kcut-build.log" 2>&1 || die "tinyconfig failed ($kdir/kcut-build.log)"
	# shellcheck disable=SC2086
	"$src/scripts/config" --file "$kdir/.config" $opts
	make -s -C "$src" O="$kdir" LLVM=-14 olddefconfig >>"$kdir/kcut-build.log" 2>&1 || die "olddefconfig failed ($kdir/kcut-build.log)"
	have_opts "$kdir" || die "the guest configuration lost an option after olddefconfig ($kdir/.config)"
	make -C "$src" O="$kdir" LLVM=-14 -j"$jobs" bzImage modules >>"$kdir/kcut-build.log" 2>&1 ||
		die "the guest kernel build failed (tail of $kdir/kcut-build.log: $(tail -3 "$kdir/kcut-build.log" | tr '\n' ' '))"
	printf '%s\n' "$key" >"$stamp"
fi
e1000_ko=$kdir/drivers/net/ethernet/intel/e1000/e1000.ko
[ -f "$e1000_ko" ] || die "the guest kernel has no e1000.ko ($kdir)"

# 3. kcut
if [ -z "$kcut" ]; then
	# always (incremental): a kcut built before the sources changed would emit the old halves
	kcut=$top/build/demo/cli/kcut
	log "building kcut (scripts/build.sh build/demo)"
	"$top/scripts/build.sh" "$top/build/demo" >&2 || die "kcut did not build"
fi
[ -x "$kcut" ] || die "no kcut binary at $kcut"

# 4. e1000's compile commands as the guest kernel built it (the cache layout of linux-prepare.sh)
mkdir -p "$work"
db=$work/cache/db/clang/e1000
mkdir -p "$db"
drv=$(cd "$src/drivers/net/ethernet/intel/e1000" && pwd -P)
python3 "$src/scripts/clang-tools/gen_compile_commands.py" -d "$kdir" -o "$work/all.json" ||
	die "gen_compile_commands.py failed on $kdir"
python3 - "$work/all.json" "$drv/" "$db/compile_commands.json" <<'EOF2'
import json, sys
ents = [e for e in json.load(open(sys.argv[1])) if e["file"].startswith(sys.argv[2]) and e["file"].endswith(".c")]
if not ents:
    sys.exit("qemu-prepare: the guest tree has no built e1000 objects")
json.dump(ents, open(sys.argv[3] + ".tmp", "w"), indent=1)
EOF2
if ! cmp -s "$db/compile_commands.json.tmp" "$db/compile_commands.json"; then
	mv "$db/compile_commands.json.tmp" "$db/compile_commands.json"
	rm -f "$work/guest-e1000-analyzed.db" # analyzed again (qemu-build-split.sh)
else
	rm -f "$db/compile_commands.json.tmp"
fi
printf '%s\n' "$drv" >"$db/driver_dir"

# 5. kcut_rt.ko against the guest kernel, then the split (scripts/lib/qemu-build-split.sh: analyze,
# the default partition for the device access, emit, kbuild of the kernel half, kcut-lxbuild)
rtb=$work/rt-linux
rm -rf "$rtb"
cp -r "$top/rt/linux" "$rtb"
make -C "$kdir" LLVM=-14 -j"$jobs" M="$rtb" KCUT_RT="$top/rt" modules >"$work/rt-linux.log" 2>&1 ||
	die "kbuild of kcut_rt.ko failed ($work/rt-linux.log)"
if grep -E 'warning|WARNING|error' "$work/rt-linux.log" >&2; then die "kbuild of kcut_rt.ko warned ($work/rt-linux.log)"; fi
log "kcut analyze / partition (device access $da) / emit of e1000, both halves"
"$top/scripts/lib/qemu-build-split.sh" --kcut "$kcut" --cache "$work/cache" --kdir "$kdir" --rt-symvers "$rtb" \
	--access "$da" --work "$work/split-$da" >"$work/split-$da.log" 2>&1 ||
	die "building the split failed ($work/split-$da.log: $(tail -2 "$work/split-$da.log" | tr '\n' ' '))"
half=$(sed -n 's/^half //p' "$work/split-$da.log" | tail -1)
user=$(sed -n 's/^user //p' "$work/split-$da.log" | tail -1)
[ -f "$half" ] && [ -x "$user" ] || die "no halves in $work/split-$da.log"
log "ready: $half, $user, $rtb/kcut_rt.ko"
echo "KCUT_QEMU_RT=$rtb/kcut_rt.ko KCUT_QEMU_HALF=$half KCUT_QEMU_USER=$user KCUT_QEMU_KDIR=$kdir"
