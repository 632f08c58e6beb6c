#!/usr/bin/env bash
# bench/driver.sh - throughput of the simnic driver on the simnic device model, under kcut-sim.
#
#   bench/driver.sh [--build DIR] [--frames N] [--rounds R] [--kcut-split]
#                   [--split SPLIT_DRIVER.so [--user-half PROG]]
#
# Measures the simnic driver at 64- and 1500-byte frames, transmit and receive: packets/s, Mbit/s
# and CPU time per packet, in virtual machine time driven as fast as the host allows (wall clock
# and process CPU time are real). Builds kcut-sim, kcut and the libraries in DIR (default
# build/bench, Release, no sanitizers) with -j2.
#
# --kcut-split: three variants, all compiled by the same compiler with the same flags (-O2 plus
# run_split.py's) and linked the same way (a kcut-sim module with kc_rt, kc_common and the kernel
# model's library), by tests/emitter/split/run_variants.py --bench-build:
#   unsplit   the driver as is;
#   split     kcut's split (analyze, partition with the templates' roots and kernel rules, emit): kernel half in
#             kcut-sim, user half as its own process;
#   allcross  every hot entry point (ndo_start_xmit, the interrupt handler, the NAPI poll) crosses
#             to a user process and back before it runs (bench/driver-allcross): the crossings of
#             a whole-driver-in-user-space design without its data copies, i.e. a lower bound on
#             its cost (docs/emitter.md, "Throughput").
#   unsplit2  the unsplit module again, measured as if it were another variant: its ratios are
#             the noise floor of the table (what "no difference" looks like on this machine).
# They run in R rounds (default 5), interleaved (unsplit, unsplit2, split, allcross, unsplit, ...), and the
# table shows each variant's best round (highest packets/s, lowest CPU time per packet: the round
# least disturbed by other load on the machine) with ratios to the unsplit driver's best.
# --split/--user-half: measure a given split module beside the unsplit CMake build instead.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/bench
frames=100000
rounds=5
split=""
user_half=""
kcut_split=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--frames) frames=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--split) split=$2; shift 2 ;;
	--user-half) user_half=$2; shift 2 ;;
	--kcut-split) kcut_split=1; shift ;;
	-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
	*) echo "driver.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target kcut-sim simnic -j2 >/dev/null
sim=$build/testdrivers/harness/kcut-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# variants: "name module user-half-program|- env-assignment|-"
: >"$tmp/variants"
if [ "$kcut_split" = 1 ]; then
	cmake --build "$build" --target simnic_compdb kcut kc_rt kc_common kc_kmodel -j2 >/dev/null
	python3 "$top/tests/emitter/split/run_variants.py" --kcut "$build/cli/kcut" \
		--sim "$sim" --driver simnic --src "$top" \
		--compdb "$build/testdrivers/drivers/simnic/compile_commands.json" --cc "${CC:-cc}" \
		--rt-lib "$build/rt/libkc_rt.a" --common-lib "$build/common/libkc_common.a" \
		--kmodel-lib "$build/testdrivers/kmodel/libkc_kmodel.so" --workdir "$build/bench-variants" \
		--cflags="-O2" --bench-build >"$tmp/build.out" ||
		{ echo "driver.sh: building the variants failed:" >&2; cat "$tmp/build.out" >&2; exit 1; }
	sed -n 's/^VARIANT \([a-z]*\) KERNEL=\([^ ]*\) USER=\([^ ]*\)$/\1 \2 \3/p' "$tmp/build.out" |
	while read -r name so user; do
		case $name in
		allcross) echo "$name $so - KCUT_ALLCROSS_USER=$user" ;;
		unsplit) echo "$name $so $user -"; echo "unsplit2 $so $user -" ;;
		*) echo "$name $so $user -" ;;
		esac
	done >"$tmp/variants"
	[ "$(wc -l <"$tmp/variants")" = 4 ] || { echo "driver.sh: missing variants:" >&2; cat "$tmp/build.out" >&2; exit 1; }
else
	echo "unsplit $build/testdrivers/drivers/simnic/simnic.so - -" >"$tmp/variants"
	[ -z "$split" ] || echo "split $split ${user_half:--} -" >>"$tmp/variants"
	rounds=1
fi
cat >"$tmp/bench.sim" <<SIM
device simnic
probe
up
throughput 64 $frames
throughput 1500 $frames
down
remove
SIM

# run NAME SO USER ENV: append "name dir size pps mbit cpu_us" rows to $tmp/rows
run() {
	local uh=() envs=()

	[ "$3" = - ] || uh=(--user-half "$3")
	[ "$4" = - ] || envs=("$4")
	env "${envs[@]}" "$sim" --bench --driver "$2" "${uh[@]}" "$tmp/bench.sim" >"$tmp/$1.out" 2>"$tmp/$1.err" ||
	if [ "$(grep -c '^throughput (tx|rx) ' -E "$tmp/$1.out")" = 4 ]; then
		# the kcut split still leaks one rx buffer at remove (docs/emitter.md): measure anyway
		echo "driver.sh: note: the $1 run ended with: $(grep '^summary:' "$tmp/$1.out")" >&2
	else
		echo "driver.sh: kcut-sim failed for $1:" >&2
		cat "$tmp/$1.err" "$tmp/$1.out" >&2
		exit 1
	fi
	awk -v name="$1" '/^throughput (tx|rx) / {
		for (i = 1; i <= NF; i++) {
			if ($i == "size") size = $(i + 1)
			if ($i == "pkt/s") pps = $(i - 1)
			if ($i == "Mbit/s") mbit = $(i - 1)
			if ($i == "cpu/pkt") cpu = $(i - 2)
		}
		print name, $2, size, pps, mbit, cpu
	}' "$tmp/$1.out" >>"$tmp/rows"
}

: >"$tmp/rows"
for ((r = 0; r < rounds; r++)); do
	while read -r name so user envs; do
		run "$name" "$so" "$user" "$envs"
	done <"$tmp/variants"
done

echo "simnic driver throughput under kcut-sim ($frames frames per row, best of $rounds round(s), $(nproc) CPUs)"
awk '
	function best(s, hi,    v, n, i, b) {
		n = split(s, v, " ")
		b = v[1] + 0
		for (i = 2; i <= n; i++)
			if (hi ? v[i] + 0 > b : v[i] + 0 < b)
				b = v[i] + 0
		return b
	}
	{
		key = $1 " " $2 " " $3
		if (!(key in pps)) order[++nk] = key
		pps[key] = pps[key] " " $4; mbit[key] = mbit[key] " " $5; cpu[key] = cpu[key] " " $6
	}
	END {
		printf "%-9s %-3s %6s %12s %10s %12s %10s %10s\n", "driver", "dir", "size", "pkt/s", "Mbit/s",
		       "cpu us/pkt", "pkt/s x", "cpu/pkt x"
		for (i = 1; i <= nk; i++) {
			split(order[i], f, " ")
			base = "unsplit " f[2] " " f[3]
			p = best(pps[order[i]], 1); c = best(cpu[order[i]], 0)
			bp = best(pps[base], 1); bc = best(cpu[base], 0)
			printf "%-9s %-3s %6s %12.0f %10.1f %12.2f %10.2f %10.2f\n", f[1], f[2], f[3], p,
			       best(mbit[order[i]], 1), c, (bp > 0 ? p / bp : 0), (bc > 0 ? c / bc : 0)
		}
	}' "$tmp/rows"
echo "pkt/s x: packets/s relative to the unsplit driver (wall clock, noisy on a loaded machine);"
echo "cpu/pkt x: kcut-sim's CPU time per packet relative to the unsplit driver (the user-half"
echo "process's CPU time is not included: for split and allcross it is a lower bound)."
