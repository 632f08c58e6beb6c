#!/usr/bin/env bash
# bench/qemu-e1000.sh: ping RTT of the split e1000 against the unsplit e1000.ko, side by side in the
# same qemu guest (TCG), and the crossings per second of the split driver in steady state (issue 15
# item 5). Each run is one scripts/qemu-e1000.sh --user run (unsplit first, then split, same boot);
# prints one table row per run.
#   bench/qemu-e1000.sh --rt KO --half KO --user BIN [--runs 3] [--count 1000] [--kdir DIR]
# Not measured: UDP throughput (the guest has no traffic generator yet).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=3
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	-h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) args+=("$1"); shift ;;
	esac
done
echo "| run | split rtt min/avg (ms) | unsplit rtt min/avg (ms) | split crossings in steady state | script verdict |"
echo "|-----|------------------------|--------------------------|----------------------------------|----------------|"
for ((r = 1; r <= runs; r++)); do
	out=$("$top/scripts/qemu-e1000.sh" "${args[@]}" 2>&1 || true)
	rtt=$(grep '^qemu-e1000: rtt ' <<<"$out" | tail -1)
	verdict=$(grep '^qemu-e1000: split e1000: ' <<<"$out" | tail -1 | awk '{print $4}')
	s=$(sed -n 's/.*rtt split min\/avg \([^ ]*\) ms.*/\1/p' <<<"$rtt")
	u=$(sed -n 's/.*unsplit min\/avg \([^ ]*\) ms.*/\1/p' <<<"$rtt")
	c=$(sed -n 's/.*steady state: \(.*\)$/\1/p' <<<"$rtt")
	echo "| $r | ${s:--} | ${u:--} | ${c:--} | ${verdict:-?} |"
done
