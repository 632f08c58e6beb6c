#!/usr/bin/env bash
# scripts/lib/qemu-build-split.sh - build a split e1000 for the qemu guest with a given device access
# (scripts/qemu-e1000.sh --user ... --access ACCESS runs it):
#   build_split.sh --kcut KCUT --cache SYMVERS_CACHE --kdir GUEST_KERNEL --rt-symvers RT_LINUX_BUILD
#                  --access none|forward|mapped --work DIR [--clang clang-14]
# KCUT_SPLIT_PINS="fn=kernel ...": pins added to the partition (none needed: docs/linux.md, "Forward
# and mapped splits in the guest").
# SYMVERS_CACHE: the compile commands of e1000 as the guest kernel built it (linux_kbuild_e1000's
# BUILD/tests/linux/kbuild/symvers-cache); RT_LINUX_BUILD: kcut_rt.ko built against the guest kernel
# (its Module.symvers; BUILD/tests/linux/kbuild/rt-linux-symvers). Emits the default partition for
# that access (tests/emitter/linux_emit.py, the pins/annotations of tests/emitter/linux/e1000.conf),
# builds the kernel half with kbuild against the guest kernel (no warning allowed) and the user half
# with rt/lxuser/kcut-lxbuild. Prints the paths: "half KO" and "user BIN" as its last two lines.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kcut= cache= kdir= rts= access= work= clang=clang-14
while [ $# -gt 0 ]; do
	case "$1" in
	--kcut) kcut=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--kdir) kdir=$2; shift 2 ;;
	--rt-symvers) rts=$2; shift 2 ;;
	--access) access=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--clang) clang=$2; shift 2 ;;
	*) echo "build_split: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case "$access" in none|forward|mapped) ;; *) echo "build_split: --access none|forward|mapped" >&2; exit 2 ;; esac
for f in "$kcut" "$cache/db/clang/e1000/compile_commands.json" "$kdir/Module.symvers" "$rts/Module.symvers"; do
	[ -e "$f" ] || { echo "build_split: missing '$f'" >&2; exit 2; }
done
mkdir -p "$work"
# the analysis is the same for every access: once, next to the variants' work directories (a name
# of its own: tests/linux/kbuild_check.py keeps the defconfig tree's e1000-analyzed.db in the same
# directory), again when the guest's compile commands or kcut are newer
db0=$(dirname "$work")/guest-e1000-analyzed.db
if [ ! -f "$db0" ] || [ "$cache/db/clang/e1000/compile_commands.json" -nt "$db0" ] || [ "$kcut" -nt "$db0" ]; then
	"$kcut" analyze -p "$cache/db/clang/e1000" --db "$db0.tmp" --no-progress -j2 >"$work/analyze.log" 2>&1 ||
		[ $? -eq 3 ] || { tail -20 "$work/analyze.log"; echo "build_split: kcut analyze failed" >&2; exit 1; }
	mv "$db0.tmp" "$db0"
fi
db=$work/k.db
cp "$db0" "$db"
# the default partition for this access (tests/emitter/linux/e1000.conf has no pins and no
# annotations), plus --pin arguments of KCUT_SPLIT_PINS ("fn=kernel ...")
pins=()
for p in ${KCUT_SPLIT_PINS:-}; do pins+=(--pin "$p"); done
"$kcut" partition --db "$db" --name emit --force --device-access "$access" "${pins[@]}" >"$work/partition.log" 2>&1 ||
	{ tail -20 "$work/partition.log"; echo "build_split: kcut partition failed" >&2; exit 1; }
out=$work/out
rm -rf "$out"
: >"$work/annotations"
"$kcut" emit --db "$db" --partition emit -o "$out" --annotations "$work/annotations" >"$work/emit.log" 2>&1 ||
	{ tail -30 "$work/emit.log"; echo "build_split: kcut emit failed" >&2; exit 1; }
grep -E "^device access:" "$out/interface.txt" || true
make -C "$kdir" LLVM=-14 M="$out" -j2 modules KCUT_RT_LINUX="$rts" >"$work/kbuild.log" 2>&1 ||
	{ tail -30 "$work/kbuild.log"; echo "build_split: kbuild of the kernel half failed" >&2; exit 1; }
# any warning fails the build (the kernel's rules; the sync decoders' frames fit in 1024 bytes since
# the decoder is a loop over a per-field function: tests/linux/kbuild_check.py checks every mode)
if grep -E "warning|WARNING|error" "$work/kbuild.log" | grep -vE "^[0-9]+ warnings? generated"; then
	echo "build_split: kbuild of the kernel half warned" >&2
	exit 1
fi
ko=$(ls "$out"/kcut_*_k.ko 2>/dev/null | head -1)
[ -n "$ko" ] || { echo "build_split: no kernel-half module in $out" >&2; exit 1; }
"$top/rt/lxuser/kcut-lxbuild" --emit "$out" -p "$cache/db/clang/e1000" --cc "$clang" --work "$work/lxbuild" \
	-o "$work/kcut_user_half" >"$work/lxbuild.log" 2>&1 ||
	{ tail -30 "$work/lxbuild.log"; echo "build_split: kcut-lxbuild failed" >&2; exit 1; }
tail -1 "$work/lxbuild.log"
echo "half $ko"
echo "user $work/kcut_user_half"
