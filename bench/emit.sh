#!/usr/bin/env bash
# bench/emit.sh: what `kcut emit` costs next to `kcut analyze`, and how much code it generates, on the
# simnic test driver and (when scripts/linux-prepare.sh's cache exists) Linux 6.1 e1000.
# Measured side by side in one run, median of N interleaved runs per driver:
#   analyze  `kcut analyze -j1 --force` of the driver's TUs
#   emit     `kcut emit` of `kcut partition`'s min-cut with the pins and shape annotations the driver
#            needs (simnic: below; e1000: tests/emitter/linux/e1000.conf); emit parses every TU
#            once more with libclang, so it should cost about one analysis
# Target (informal): emit <= 1.5 x analyze.
#
# Usage: bench/emit.sh [--kcut PATH] [--runs N]
#   Without --kcut, builds kcut optimised (no sanitizers) in build/bench.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kcut=""
runs=3
while [ $# -gt 0 ]; do
	case "$1" in
	--kcut) kcut=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/emit.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
bdir=$top/build/bench
if [ -z "$kcut" ]; then
	echo "bench: building kcut (Release, no sanitizers) in $bdir" >&2
	cmake -S "$top" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DKC_SANITIZE=OFF >/dev/null
	cmake --build "$bdir" --target kcut -j2 >/dev/null
	kcut=$bdir/cli/kcut
elif [ ! -f "$bdir/compile_commands.json" ]; then
	cmake -S "$top" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DKC_SANITIZE=OFF >/dev/null
fi
cache=${KCUT_LINUX_CACHE:-$HOME/.cache/kcut/linux}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench_driver NAME CCDB DRIVER_DIR_OR_EMPTY CONF
bench_driver() {
	local name=$1 ccdb=$2 ddir=$3 conf=$4 w=$tmp/$1 pins=() a e drv_loc gen_loc summary
	mkdir -p "$w"
	: > "$w/ann"
	while read -r kind rest; do
		case "$kind" in
		pin) set -- $rest; pins+=(--pin "$1=$2") ;;
		annot) echo "$rest" >> "$w/ann" ;;
		esac
	done < <(sed 's/#.*//' "$conf")
	local drv=()
	[ -n "$ddir" ] && drv=(--driver "$ddir")
	"$kcut" analyze -p "$ccdb" --db "$w/db" "${drv[@]}" -j1 --no-progress >/dev/null 2>&1 || true
	"$kcut" partition --db "$w/db" --name bench "${pins[@]}" >/dev/null
	: > "$w/a"; : > "$w/e"
	for i in $(seq "$runs"); do
		t0=$(now); "$kcut" analyze -p "$ccdb" --db "$w/db" "${drv[@]}" -j1 --force --no-progress >/dev/null 2>&1 || true
		t1=$(now); rm -rf "$w/out"
		"$kcut" emit --db "$w/db" --partition bench -o "$w/out" --annotations "$w/ann" -q 2>/dev/null
		t2=$(now)
		echo "$t1 - $t0" | bc >> "$w/a"
		echo "$t2 - $t1" | bc >> "$w/e"
	done
	a=$(median < "$w/a"); e=$(median < "$w/e")
	gen_loc=$(cat "$w"/out/kernel/*.c "$w"/out/user/*.c | wc -l)
	drv_loc=$(sqlite3 "$w/db" "SELECT SUM(loc) FROM func WHERE is_driver = 1 AND is_defined = 1" 2>/dev/null || echo "?")
	printf '%-10s %10.3f %10.3f %8.2f %12s %12d\n' "$name" "$a" "$e" "$(echo "$e / $a" | bc -l)" "$drv_loc" "$gen_loc"
}

printf '%-10s %10s %10s %8s %12s %12s\n' "driver" "analyze s" "emit s" "ratio" "driver LOC" "emitted lines"
cat > "$tmp/simnic.conf" <<'CONF'
pin simnic_setup_desc_rings kernel
pin simnic_run_loopback_test kernel
annot net_device.dev_addr array 6
annot simnic_hw.hw_addr opaque
annot sk_buff.data opaque
CONF
bench_driver simnic "$bdir" "$top/testdrivers/drivers/simnic" "$tmp/simnic.conf"
if [ -f "$cache/db/clang/e1000/compile_commands.json" ]; then
	bench_driver e1000 "$cache/db/clang/e1000" "" "$top/tests/emitter/linux/e1000.conf"
else
	echo "e1000: skipped (no $cache/db/clang/e1000; run scripts/linux-prepare.sh)"
fi
echo "(median of $runs runs each; ratio = emit / analyze; emitted lines = both halves' .c files)"
