#!/usr/bin/env bash
# bench/driver-instr.sh - instructions per frame of the simnic variants, counted by valgrind.
#
#   bench/driver-instr.sh [--build DIR] [--frames N]
#
# Wall-clock and CPU-time ratios on this 2-CPU VM have a noise floor of about +-15% (bench/driver.sh
# measures the unsplit driver against itself to show it), too coarse for the >= 0.98 throughput
# target, and the VM has no hardware instruction counters. This script counts the instructions
# kcut-sim executes (every thread of the process: the driver, the kernel model, the device model,
# the kernel half's runtime) under valgrind's callgrind, which is deterministic: one run with
# 1000 frames and one with 1000+N frames per size (a `throughput SIZE N` step transmits and
# receives N frames), so probe, up, down and remove cancel out and the difference divided by N is
# the cost of one frame each way. Variants: the ones bench/driver.sh --kcut-split builds (run it
# first); the user-half processes run outside valgrind and are not counted (for split they execute
# nothing per frame: no per-frame crossing; for allcross they do).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/bench
frames=4000
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--frames) frames=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "usage: bench/driver-instr.sh [--build DIR] [--frames N]" >&2; exit 2 ;;
	esac
done
command -v valgrind >/dev/null || { echo "driver-instr.sh: needs valgrind" >&2; exit 2; }
sim=$build/testdrivers/harness/kcut-sim
v=$build/bench-variants/simnic-bench
[ -x "$sim" ] && [ -f "$v/split/kernel/simnic.so" ] ||
	{ echo "driver-instr.sh: run bench/driver.sh --kcut-split first (variants in $v)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# count NAME SIZE N: instructions of a run that moves N frames of SIZE bytes each way
count() {
	local args=()

	printf 'device simnic\nprobe\nup\nthroughput %s %s\ndown\nremove\n' "$2" "$3" >"$tmp/s.sim"
	case $1 in
	unsplit) args=(--driver "$v/unsplit/simnic.so") ;;
	split) args=(--driver "$v/split/kernel/simnic.so" --user-half "$v/split/simnic-user") ;;
	allcross) args=(--driver "$v/allcross/simnic.so") ;;
	esac
	if [ "$1" = allcross ]; then
		KCUT_ALLCROSS_USER="$v/allcross/allcross-user" valgrind --tool=callgrind \
			--callgrind-out-file="$tmp/cg.out" "$sim" "${args[@]}" "$tmp/s.sim" >"$tmp/out" 2>"$tmp/err"
	else
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$sim" "${args[@]}" "$tmp/s.sim" \
			>"$tmp/out" 2>"$tmp/err"
	fi || { echo "driver-instr.sh: kcut-sim failed for $1:" >&2; tail -20 "$tmp/err" "$tmp/out" >&2; exit 1; }
	sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$tmp/err"
}

echo "simnic instructions per frame (tx + rx), callgrind, $frames frames per size"
printf '%-9s %6s %14s %10s\n' variant size instr/frame "x unsplit"
for size in 64 1500; do
	base=""
	for var in unsplit split allcross; do
		a=$(count $var $size 1000)
		b=$(count $var $size $((1000 + frames)))
		per=$(awk -v a="$a" -v b="$b" -v n="$frames" 'BEGIN { printf "%.1f", (b - a) / n }')
		[ -n "$base" ] || base=$per
		printf '%-9s %6s %14s %10s\n' $var $size "$per" \
			"$(awk -v p="$per" -v b="$base" 'BEGIN { printf "%.4f", p / b }')"
	done
done
echo "x unsplit: instructions per frame relative to the unsplit driver; throughput relative to it is"
echo "about the inverse (e.g. 1.0050 -> 0.995) when the per-frame cost is the bottleneck."
