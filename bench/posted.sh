#!/usr/bin/env bash
# bench/posted.sh - what posted kernel calls save (issue 13; rt/kcut_rt.h "Posted kernel calls"):
# crossings and time of simnic's ethtool self-test and its ifdown / teardown, side by side in one run.
#
#   bench/posted.sh [--build DIR] [--rounds R] [--keep]
#
# The split is the partitioner's default for device access forward (run_split.py
# --default-partition --build-only: analyze, `kcut partition --device-access forward`, emit, both
# halves built); the variants differ only in the user half's environment:
#   unsplit        the driver as is (kcut-sim --driver simnic.so);
#   posted         the split as emitted: frees, streaming DMA unmaps/syncs and log lines of the user
#                  half are queued with its posted register writes;
#   calls-sync     $KCUT_IO_NO_POST_CALLS=1: each posted call is sent at once (one crossing, as the
#                  downcall it was before), register writes stay posted;
#   nothing-posted $KCUT_IO_NO_POSTING=1: every register write and every posted call crosses alone.
# Phases: "probe" = probe + remove, "selftest" = probe, `ethtool -t offline`, remove; "teardown" =
# probe, up, down, remove. The self-test's / teardown's own cost is the difference to "probe" (rows
# test-only, down-only). Crossings come from the kernel half's crossing trace ($KCUT_TRACE: every
# upcall, downcall and register batch "(regio)"); calls-sync minus posted = the crossings the posted
# calls saved (each is a batch of its own there). Time: kcut-sim's wall clock and CPU
# (kernel-half process), the median of R rounds (default 5), variants interleaved round by round.
# Every variant's transcript and register-access log (--mmio-log) are compared with the unsplit run.
# DIR (default build/bench, Release) may be a sanitizer build: the crossing counts are the same, the
# times are then the sanitizers' too.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/bench
rounds=5
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,27p' "$0"; exit 0 ;;
	*) echo "posted.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target kcut-sim simnic simnic_compdb kcut kc_rt kc_rt_kmodel kc_common \
	kc_kmodel -j2 >/dev/null
sim=$build/testdrivers/harness/kcut-sim
cflags=-O2
grep -q 'KC_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && cflags="-O1 -fsanitize=address,undefined"
tmp=$(mktemp -d)
if [ "$keep" = 1 ]; then
	echo "posted.sh: keeping $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi

python3 "$top/tests/emitter/split/run_split.py" --kcut "$build/cli/kcut" --sim "$sim" --driver simnic \
	--src "$top" --compdb "$build/testdrivers/drivers/simnic/compile_commands.json" --cc "${CC:-cc}" \
	--rt-lib "$build/rt/libkc_rt.a" --common-lib "$build/common/libkc_common.a" \
	--kmodel-lib "$build/testdrivers/kmodel/libkc_kmodel.so" --workdir "$tmp/split" \
	--cflags="$cflags" --device-access forward --default-partition \
	--rt-kmodel-lib "$build/rt/libkc_rt_kmodel.a" \
	--unsplit "$build/testdrivers/drivers/simnic/simnic.so" --build-only >"$tmp/build.out" 2>&1 ||
	{ echo "posted.sh: building the split failed:" >&2; cat "$tmp/build.out" >&2; exit 1; }
read -r kso uprog < <(sed -n 's/^KERNEL=\([^ ]*\) USER=\([^ ]*\)$/\1 \2/p' "$tmp/build.out")
[ -n "${kso:-}" ] || { echo "posted.sh: no KERNEL=/USER= line:" >&2; cat "$tmp/build.out" >&2; exit 1; }
kshare=$(sed -n 's/^  kernel: .*LOC (\([0-9.]*%\)).*/\1/p' "$tmp/build.out" | head -1)

printf 'device simnic\nprobe\nremove\n' >"$tmp/probe.sim"
printf 'device simnic\nprobe\nethtool -t offline\nremove\n' >"$tmp/selftest.sim"
printf 'device simnic\nprobe\nup\ndown\nremove\n' >"$tmp/teardown.sim"

# run VARIANT PHASE ROUND: one kcut-sim run; appends "variant phase crossings regio wall_ms cpu_ms"
run() {
	local v=$1 ph=$2 r=$3 args=(--driver "$kso" --user-half "$uprog") envs=(KCUT_NONE=1) t0 t1 out=$tmp/$1.$2.$3
	case $v in
	unsplit) args=(--driver "$build/testdrivers/drivers/simnic/simnic.so") ;;
	calls-sync) envs=(KCUT_IO_NO_POST_CALLS=1) ;;
	nothing-posted) envs=(KCUT_IO_NO_POSTING=1) ;;
	esac
	rm -f "$out.trace"
	t0=$(date +%s%N)
	env "${envs[@]}" KCUT_TRACE="$out.trace" "$sim" --bench "${args[@]}" --mmio-log "$out.mmio" \
		"$tmp/$ph.sim" >"$out.out" 2>"$out.err" ||
		{ echo "posted.sh: kcut-sim failed ($v, $ph):" >&2; cat "$out.err" "$out.out" >&2; exit 1; }
	t1=$(date +%s%N)
	awk -v v="$v" -v ph="$ph" -v wall="$(( (t1 - t0) / 1000 ))" -v trace="$out.trace" '
		/^cpu: / { cpu = ($2 + $5) * 1000 }
		END {
			n = 0; rio = 0
			while ((getline line < trace) > 0) {
				if (line ~ /^#/) continue
				split(line, f, " ")
				n += f[3]
				if (f[2] == "(regio)") rio += f[3]
			}
			printf "%s %s %d %d %.1f %.1f\n", v, ph, n, rio, wall / 1000.0, cpu
		}' "$out.out" >>"$tmp/rows"
}

variants="unsplit posted calls-sync nothing-posted"
phases="probe selftest teardown"
: >"$tmp/rows"
for ((r = 0; r < rounds; r++)); do
	for ph in $phases; do
		for v in $variants; do
			run "$v" "$ph" "$r"
		done
	done
done

same() { cmp -s <(grep -v '^cpu: ' "$1") <(grep -v '^cpu: ' "$2"); }
: >"$tmp/checks"
for ph in $phases; do
	for v in posted calls-sync nothing-posted; do
		t=$(same "$tmp/unsplit.$ph.0.out" "$tmp/$v.$ph.0.out" && echo same || echo DIFFERS)
		m=$(cmp -s "$tmp/unsplit.$ph.0.mmio" "$tmp/$v.$ph.0.mmio" && echo identical || echo DIFFERS)
		echo "$v $ph $t $m $(wc -l <"$tmp/unsplit.$ph.0.mmio")" >>"$tmp/checks"
	done
done

echo "simnic under kcut-sim, default forward split${kshare:+ ($kshare of its LOC in the kernel)}: median of $rounds round(s), $(nproc) CPUs, build $(basename "$build")"
awk '
	function median(s,    v, n, i, j, t) {
		n = split(s, v, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		k = $1 " " $2
		if (!($1 in seen)) { seen[$1] = 1; order[++nv] = $1 }
		cross[k] = $3; rio[k] = $4; wall[k] = wall[k] " " $5; cpu[k] = cpu[k] " " $6
	}
	END {
		printf "%-15s %-10s %10s %9s %9s %9s\n", "variant", "phase", "crossings", "(regio)", "wall ms", "cpu ms"
		np = split("selftest teardown", ph, " ")
		for (p = 1; p <= np; p++) {
			for (i = 1; i <= nv; i++) {
				v = order[i]; a = v " probe"; b = v " " ph[p]
				printf "%-15s %-10s %10d %9d %9.1f %9.1f\n", v, ph[p], cross[b], rio[b],
				       median(wall[b]), median(cpu[b])
			}
			for (i = 1; i <= nv; i++) {
				v = order[i]; a = v " probe"; b = v " " ph[p]
				printf "%-15s %-10s %10d %9d %9.1f %9.1f\n", v, ph[p] == "selftest" ? "test-only" : "down-only",
				       cross[b] - cross[a], rio[b] - rio[a],
				       median(wall[b]) - median(wall[a]), median(cpu[b]) - median(cpu[a])
			}
		}
	}' "$tmp/rows"
echo "crossings: every upcall, downcall and register batch (from the crossing trace); (regio): the register"
echo "batches among them (posted calls ride in them). test-only / down-only: minus the probe phase."
echo "Against the unsplit driver (round 0): transcript, register-access log (lines):"
while read -r v ph t m n; do
	printf '  %-15s %-9s transcript %-8s register log %-9s (%s accesses)\n' "$v" "$ph" "$t" "$m" "$n"
done <"$tmp/checks"
