#!/usr/bin/env bash
# linux-prepare.sh: build real Linux 6.1 drivers once and write per-driver compile_commands.json files
# for the tests labelled 'linux' and for bench/analyze.sh.
#
# It unpacks Debian's linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) into a cache directory outside
# the repository, then makes two out-of-tree builds of it (O=): one with clang (LLVM=-14, the system
# clang 14) and one with gcc. Each build gets defconfig plus every known driver as a module,
# modules_prepare, then only the chosen drivers' objects are compiled. The kernel's own
# scripts/clang-tools/gen_compile_commands.py turns the .cmd files into a compile_commands.json that is
# then split per driver:
#     $CACHE/db/clang/<driver>/compile_commands.json
#     $CACHE/db/gcc/<driver>/compile_commands.json
#     $CACHE/db/<compiler>/<driver>/driver_dir       (absolute path of the driver's source directory)
#     $CACHE/src                                     (the unpacked, pristine source tree)
# Every step leaves a stamp file; a finished step is skipped on the next run, a step that was
# interrupted (no stamp) is redone from its start. Concurrent runs are serialised with flock.
#
# Usage: scripts/linux-prepare.sh [--drivers e1000,8139too,ens1371,a100u2w] [--gcc-drivers LIST|none]
#                                 [--cache DIR] [--print-cache] [--force]
set -euo pipefail

ALL_DRIVERS="e1000,8139too,ens1371,a100u2w"
drivers=$ALL_DRIVERS
gcc_drivers=""          # default: same list as --drivers
cache=${KCUT_LINUX_CACHE:-${HOME:-/tmp}/.cache/kcut/linux}
force=0
print_cache=0
jobs=${KCUT_LINUX_JOBS:-2}
# Bump when the steps change in a way that invalidates existing stamps.
STAMP_VERSION=1

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	cat <<'EOF'
Drivers known: e1000 (drivers/net/ethernet/intel/e1000), 8139too (drivers/net/ethernet/realtek/8139too.c),
ens1371 (sound/pci/ens1371.c, which #includes ens1370.c), a100u2w (drivers/scsi/a100u2w.c, SCSI_INIA100).
Environment: KCUT_LINUX_CACHE (cache directory), KCUT_LINUX_JOBS (make -j, default 2).
--print-cache prints the cache directory and exits. --force redoes every step.
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	--drivers) drivers=$2; shift 2 ;;
	--drivers=*) drivers=${1#*=}; shift ;;
	--gcc-drivers) gcc_drivers=$2; shift 2 ;;
	--gcc-drivers=*) gcc_drivers=${1#*=}; shift ;;
	--cache) cache=$2; shift 2 ;;
	--cache=*) cache=${1#*=}; shift ;;
	--force) force=1; shift ;;
	--print-cache) print_cache=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "linux-prepare: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ -n "$gcc_drivers" ] || gcc_drivers=$drivers
[ "$gcc_drivers" = none ] && gcc_drivers=""

if [ "$print_cache" = 1 ]; then
	echo "$cache"
	exit 0
fi

top=$(cd "$(dirname "$0")/.." && pwd)
case "$(realpath -m "$cache")/" in
"$top"/*) echo "linux-prepare: cache '$cache' is inside the repository; choose another KCUT_LINUX_CACHE" >&2
	exit 2 ;;
esac

TARBALL=/usr/src/linux-source-6.1.tar.xz
LLVM_SUFFIX=-14

# Per-driver facts: Kconfig edits, make targets (objects), source directory and TU filter (a path
# prefix relative to the source tree; a TU belongs to the driver when its file starts with it).
drv_kconfig() {
	case "$1" in
	e1000) echo "-e NET_VENDOR_INTEL -m E1000" ;;
	8139too) echo "-e NET_VENDOR_REALTEK -m 8139TOO" ;;
	ens1371) echo "-e SND_PCI -m SND_ENS1371" ;;
	a100u2w) echo "-e SCSI_LOWLEVEL -m SCSI_INIA100" ;;
	*) return 1 ;;
	esac
}
drv_targets() {
	case "$1" in
	e1000) echo "drivers/net/ethernet/intel/e1000/e1000_main.o drivers/net/ethernet/intel/e1000/e1000_hw.o drivers/net/ethernet/intel/e1000/e1000_ethtool.o drivers/net/ethernet/intel/e1000/e1000_param.o" ;;
	8139too) echo "drivers/net/ethernet/realtek/8139too.o" ;;
	ens1371) echo "sound/pci/ens1371.o" ;;
	a100u2w) echo "drivers/scsi/a100u2w.o" ;;
	esac
}
drv_dir() {
	case "$1" in
	e1000) echo "drivers/net/ethernet/intel/e1000" ;;
	8139too) echo "drivers/net/ethernet/realtek" ;;
	ens1371) echo "sound/pci" ;;
	a100u2w) echo "drivers/scsi" ;;
	esac
}
drv_filter() {
	case "$1" in
	e1000) echo "drivers/net/ethernet/intel/e1000/" ;;
	8139too) echo "drivers/net/ethernet/realtek/8139too.c" ;;
	ens1371) echo "sound/pci/ens1371.c" ;;
	a100u2w) echo "drivers/scsi/a100u2w.c" ;;
	esac
}

split_list() { tr ',' ' ' <<<"$1"; }
for d in $(split_list "$drivers") $(split_list "$gcc_drivers"); do
	drv_kconfig "$d" >/dev/null || { echo "linux-prepare: unknown driver '$d' (known: $ALL_DRIVERS)" >&2; exit 2; }
done

steps_tag=linux-prepare
. "$top/scripts/lib/steps.sh"
steps_lock
T0=$(date +%s)

# --- step 1: unpack the source (into a temporary directory, renamed when complete) ---------------
if [ ! -f "$TARBALL" ]; then
	echo "linux-prepare: $TARBALL missing; running scripts/deps.sh" >&2
	"$top/scripts/deps.sh"
fi
[ -f "$TARBALL" ] || { echo "linux-prepare: $TARBALL not found (apt-get install linux-source-6.1)" >&2; exit 2; }
src_key="v$STAMP_VERSION $(stat -c '%s %Y' "$TARBALL")"
src=$cache/src
if ! stamp_ok unpack "$src_key" || [ ! -f "$src/Makefile" ]; then
	stamp_clear unpack
	# Any build made from an older source tree is stale.
	rm -f "$cache"/stamps/clang.* "$cache"/stamps/gcc.*
	step_begin "unpacking $TARBALL into $src"
	rm -rf "$src" "$cache/src.tmp"
	mkdir -p "$cache/src.tmp"
	tar -xf "$TARBALL" -C "$cache/src.tmp"
	mv "$cache/src.tmp/linux-source-6.1" "$src"
	rmdir "$cache/src.tmp"
	stamp_set unpack "$src_key"
	step_end
else
	echo "linux-prepare: source tree $src is current (stamp)"
fi

# --- steps 2-5 per compiler ----------------------------------------------------------------------
# prepare_variant NAME DRIVERS MAKEVARS...
prepare_variant() {
	local name=$1 list=$2
	shift 2
	local -a mk=(make -C "$src" O="$cache/build-$name" -s -j"$jobs" "$@")
	local obj=$cache/build-$name
	[ -n "$list" ] || return 0

	# Configure: defconfig plus every known driver (so that the config does not depend on
	# --drivers and a later run with more drivers reuses the tree).
	local kconf="" d
	for d in $(split_list "$ALL_DRIVERS"); do kconf="$kconf $(drv_kconfig "$d")"; done
	local cfg_key="v$STAMP_VERSION $* $kconf"
	if ! stamp_ok "$name.config" "$cfg_key" || [ ! -f "$obj/.config" ]; then
		stamp_clear "$name.config"
		stamp_clear "$name.prepare"
		step_begin "[$name] configuring $obj (defconfig +$kconf)"
		mkdir -p "$obj"
		"${mk[@]}" defconfig >/dev/null
		# shellcheck disable=SC2086
		"$src/scripts/config" --file "$obj/.config" $kconf
		"${mk[@]}" olddefconfig >/dev/null
		for d in $(split_list "$ALL_DRIVERS"); do
			local sym
			sym=$(drv_kconfig "$d" | awk '{print $NF}')
			grep -q "^CONFIG_$sym=m" "$obj/.config" ||
				{ echo "linux-prepare: [$name] CONFIG_$sym did not end up =m" >&2; exit 1; }
		done
		stamp_set "$name.config" "$cfg_key"
		step_end
	fi

	if ! stamp_ok "$name.prepare" "$cfg_key"; then
		step_begin "[$name] make modules_prepare"
		"${mk[@]}" modules_prepare
		stamp_set "$name.prepare" "$cfg_key"
		step_end
	fi

	# Objects, one stamp per driver (so --drivers with a subset reuses what is built).
	local need_json=""
	for d in $(split_list "$list"); do
		local build_key
		build_key="$cfg_key $(drv_targets "$d")"
		if ! stamp_ok "$name.objects.$d" "$build_key"; then
			stamp_clear "$name.objects.$d"
			stamp_clear "$name.json.$d"
			step_begin "[$name] compiling $d: $(drv_targets "$d")"
			# shellcheck disable=SC2046
			"${mk[@]}" $(drv_targets "$d")
			stamp_set "$name.objects.$d" "$build_key"
			step_end
		fi
		if ! stamp_ok "$name.json.$d" "$build_key" ||
			[ ! -f "$cache/db/$name/$d/compile_commands.json" ]; then
			need_json="$need_json $d"
		fi
	done
	if [ -z "$need_json" ]; then
		echo "linux-prepare: [$name] compile_commands.json files are current (stamp)"
		return 0
	fi

	step_begin "[$name] gen_compile_commands.py and per-driver compile_commands.json for$need_json"
	python3 "$src/scripts/clang-tools/gen_compile_commands.py" -d "$obj" \
		-o "$obj/compile_commands.json.tmp"
	mv -f "$obj/compile_commands.json.tmp" "$obj/compile_commands.json"
	for d in $need_json; do
		local out=$cache/db/$name/$d
		mkdir -p "$out"
		python3 - "$obj/compile_commands.json" "$src" "$(drv_filter "$d")" \
			"$out/compile_commands.json" <<'EOF'
# Keep the entries whose source file lies under the driver's path prefix.
import json, os, sys
db, src, prefix, out = sys.argv[1:]
src = os.path.realpath(src)
keep = []
for e in json.load(open(db)):
    f = os.path.realpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, src)
    if rel == prefix or (prefix.endswith("/") and rel.startswith(prefix)):
        keep.append(e)
if not keep:
    sys.exit("linux-prepare: no compile command for %s in %s" % (prefix, db))
tmp = out + ".tmp"
with open(tmp, "w") as fh:
    json.dump(keep, fh, indent=2)
    fh.write("\n")
os.replace(tmp, out)
print("linux-prepare:   %-45s %d TU(s)" % (out, len(keep)))
EOF
		echo "$src/$(drv_dir "$d")" >"$out/driver_dir"
		stamp_set "$name.json.$d" "$cfg_key $(drv_targets "$d")"
	done
	step_end
}

command -v "clang$LLVM_SUFFIX" >/dev/null ||
	{ echo "linux-prepare: clang$LLVM_SUFFIX not found (run scripts/deps.sh)" >&2; exit 2; }
prepare_variant clang "$drivers" LLVM="$LLVM_SUFFIX"
prepare_variant gcc "$gcc_drivers"

printf 'linux-prepare: ready in %d s; cache %s\n' "$(($(date +%s) - T0))" "$cache"
