#!/usr/bin/env bash
# bench/partition.sh - how fast the partitioner solves, measured in one run and printed as a table:
#   - one min-cut (igraph max-flow) on a synthetic call graph of 1M edges (target < 5 s)
#   - one min-cut on Linux 6.1 e1000 (target < 50 ms), best of 5
#   - one e1000 solve with a kernel LOC budget: --solver auto (Lagrangian max-flow, then Z3) and Z3 alone
# The e1000 rows need a database: $KCUT_E1000_DB, or one made here with `kcut analyze` from the
# compile_commands.json that scripts/linux-prepare.sh writes (skipped with a note otherwise).
#
# usage: bench/partition.sh [BUILD_DIR]     (default build/bench, configured Release)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build/bench}
edges=${KCUT_BENCH_EDGES:-1000000}

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target kc_part_bench kcut -j2 >/dev/null
bench=$build/partitioner/kc_part_bench
kcut=$build/cli/kcut

declare -A v
while read -r k val; do v[$k]=$val; done < <("$bench" synthetic "$edges")

db=${KCUT_E1000_DB:-}
if [ -z "$db" ]; then
	cache=${KCUT_LINUX_CACHE:-${HOME:-/tmp}/.cache/kcut/linux}
	cc=$cache/db/clang/e1000
	if [ -f "$cc/compile_commands.json" ] && [ -f "$cc/driver_dir" ]; then
		db=$build/e1000.db
		if [ ! -f "$db" ]; then
			"$kcut" analyze -p "$cc/compile_commands.json" --driver "$(cat "$cc/driver_dir")" --db "$db" \
				--keep-going --no-progress >/dev/null 2>&1 || true
		fi
	fi
fi
have_db=0
if [ -n "$db" ] && [ -f "$db" ]; then
	if out=$("$bench" db "$db" 5 2>&1); then
		while read -r k val; do v[$k]=$val; done <<<"$out"
		have_db=1
	else
		echo "note: e1000 database $db not usable: $out" >&2
	fi
else
	echo "note: no e1000 database (run scripts/linux-prepare.sh, or set KCUT_E1000_DB); e1000 rows skipped" >&2
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
printf '%-34s %-26s %12s %10s %8s\n' "case" "size" "time (ms)" "target" "ratio"
printf '%-34s %-26s %12s %10s %8s\n' "min-cut, synthetic" "${v[synthetic_funcs]} funcs, ${v[synthetic_edges]} edges" \
	"${v[synthetic_mincut_ms]}" "5000" "$(ratio "${v[synthetic_mincut_ms]}" 5000)"
if [ $have_db = 1 ]; then
	printf '%-34s %-26s %12s %10s %8s\n' "min-cut, e1000 (best of 5)" "${v[db_funcs]} funcs, ${v[db_edges]} edges" \
		"${v[db_mincut_ms]}" "50" "$(ratio "${v[db_mincut_ms]}" 50)"
	printf '%-34s %-26s %12s %10s %8s\n' "budget ${v[db_budget]} LOC, auto, e1000" "beta 5" \
		"${v[db_z3_ms]}" "-" "-"
	printf '%-34s %-26s %12s %10s %8s\n' "budget ${v[db_budget]} LOC, Z3 only" "beta 5" \
		"${v[db_z3only_ms]}" "-" "-"
fi
echo "(ratio = time / target; below 1 meets the target)"
