#!/usr/bin/env bash
# bench/emit.sh: what `kcut emit` costs next to `kcut analyze` on the simnic test driver, and how much
# code it generates. Measured side by side in one run, median of N interleaved runs:
#   analyze  `kcut analyze -j1 --force` of simnic's 4 TUs (the front end the emitter re-runs once per TU)
#   emit     `kcut emit` of the partition `kcut partition` chooses, with simnic_setup_desc_rings and
#            simnic_run_loopback_test pinned to the kernel (they index DMA memory) and the three
#            shape annotations simnic needs today
# Target (informal, no issue number yet): emit <= 1.5 x analyze (it parses every TU once more).
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
drv=$top/testdrivers/drivers/simnic
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ann" <<'ANN'
net_device.dev_addr array 6
simnic_hw.hw_addr opaque
sk_buff.data opaque
ANN
"$kcut" analyze -p "$bdir" --db "$tmp/db" --driver "$drv" -j1 --no-progress >/dev/null 2>&1
"$kcut" partition --db "$tmp/db" --name bench --pin simnic_setup_desc_rings=kernel \
	--pin simnic_run_loopback_test=kernel >/dev/null

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: > "$tmp/a"; : > "$tmp/e"
for i in $(seq "$runs"); do
	t0=$(now); "$kcut" analyze -p "$bdir" --db "$tmp/db" --driver "$drv" -j1 --force --no-progress >/dev/null 2>&1
	t1=$(now); rm -rf "$tmp/out"
	"$kcut" emit --db "$tmp/db" --partition bench -o "$tmp/out" --annotations "$tmp/ann" -q 2>/dev/null
	t2=$(now)
	echo "$t1 - $t0" | bc >> "$tmp/a"
	echo "$t2 - $t1" | bc >> "$tmp/e"
done
a=$(median < "$tmp/a"); e=$(median < "$tmp/e")
summary=$("$kcut" emit --db "$tmp/db" --partition bench -o "$tmp/out2" --annotations "$tmp/ann" 2>/dev/null)
drv_loc=$(cat "$drv"/*.c | wc -l)
gen_loc=$(cat "$tmp"/out2/kernel/*.c "$tmp"/out2/user/*.c | wc -l)
printf '%-34s %10s\n' "simnic (median of $runs)" "seconds"
printf '%-34s %10.3f\n' "kcut analyze -j1 --force" "$a"
printf '%-34s %10.3f\n' "kcut emit" "$e"
printf '%-34s %10.2f\n' "ratio emit / analyze" "$(echo "$e / $a" | bc -l)"
printf '%-34s %10d\n' "driver .c lines" "$drv_loc"
printf '%-34s %10d\n' "generated .c lines (both halves)" "$gen_loc"
echo "$summary"
