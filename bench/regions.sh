#!/usr/bin/env bash
# bench/regions.sh - what register access from the user half costs (issue 13): crossings and time
# of simnic's probe and its ethtool self-test, side by side in one run.
#
#   bench/regions.sh [--build DIR] [--rounds R] [--keep]
#
# Variants (the same -O2 build of everything, DIR default build/bench, Release, no sanitizers):
#   unsplit        the driver as is (kcut-sim --driver simnic.so);
#   fwd-posted     simnic's forward-access split (run_split.py --device-access forward
#                  --build-only: analyze, partition with --no-kernel-rules and
#                  tests/emitter/split/simnic-forward.pins, emit, both halves built; probe, reset,
#                  EEPROM/PHY access and the register/EEPROM/link self-tests in the user half), the
#                  user half's registers forwarded with posted writes;
#   fwd-unposted   the same split with $KCUT_IO_NO_POSTING=1: every register write crosses alone;
#   mapped         the same split with $KCUT_DEVICE_ACCESS=mapped: the kernel model cannot map a
#                  BAR into another process (its devices are callbacks), so the user half says so
#                  and forwards; the row is printed only to show that (same numbers as fwd-posted).
# Phases: "probe" = `probe` (+ the remove at the end of the script), "selftest" = the same plus
# `ethtool -t offline` (register test, EEPROM checksum, interrupt test, MAC loopback); the
# self-test's own cost is their difference.
# Crossings come from the kernel half's crossing trace ($KCUT_TRACE: every upcall, downcall and
# register batch, "(regio)"); time is kcut-sim's wall clock and CPU time (user + system of the
# kernel-half process; the user half's CPU time is not included), the median of R rounds
# (default 7), the variants interleaved round by round. Also checked, per variant and phase:
# the transcript equals the unsplit one and the register-access log (--mmio-log) is identical to
# the unsplit driver's, order included.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/bench
rounds=7
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "regions.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target kcut-sim simnic simnic_compdb kcut kc_rt kc_rt_kmodel kc_common \
	kc_kmodel -j2 >/dev/null
sim=$build/testdrivers/harness/kcut-sim
tmp=$(mktemp -d)
if [ "$keep" = 1 ]; then
	echo "regions.sh: keeping $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi

python3 "$top/tests/emitter/split/run_split.py" --kcut "$build/cli/kcut" --sim "$sim" --driver simnic \
	--src "$top" --compdb "$build/testdrivers/drivers/simnic/compile_commands.json" --cc "${CC:-cc}" \
	--rt-lib "$build/rt/libkc_rt.a" --common-lib "$build/common/libkc_common.a" \
	--kmodel-lib "$build/testdrivers/kmodel/libkc_kmodel.so" --workdir "$build/bench-regions" \
	--cflags="-O2" --device-access forward --rt-kmodel-lib "$build/rt/libkc_rt_kmodel.a" \
	--unsplit "$build/testdrivers/drivers/simnic/simnic.so" --build-only >"$tmp/build.out" 2>&1 ||
	{ echo "regions.sh: building the split failed:" >&2; cat "$tmp/build.out" >&2; exit 1; }
read -r kso uprog < <(sed -n 's/^KERNEL=\([^ ]*\) USER=\([^ ]*\)$/\1 \2/p' "$tmp/build.out")
[ -n "${kso:-}" ] || { echo "regions.sh: no KERNEL=/USER= line:" >&2; cat "$tmp/build.out" >&2; exit 1; }
kshare=$(sed -n 's/^  kernel: .*LOC (\([0-9.]*%\)).*/\1/p' "$tmp/build.out" | head -1)

printf 'device simnic\nprobe\n' >"$tmp/probe.sim"
printf 'device simnic\nprobe\nethtool -t offline\n' >"$tmp/selftest.sim"

# run VARIANT PHASE ROUND: one kcut-sim run; appends "variant phase crossings regio wall_ms cpu_ms"
run() {
	local v=$1 ph=$2 r=$3 args=() envs=() t0 t1 out=$tmp/$1.$2.$3
	case $v in
	unsplit) args=(--driver "$build/testdrivers/drivers/simnic/simnic.so") ;;
	fwd-posted) args=(--driver "$kso" --user-half "$uprog") ;;
	fwd-unposted) args=(--driver "$kso" --user-half "$uprog"); envs=(KCUT_IO_NO_POSTING=1) ;;
	mapped) args=(--driver "$kso" --user-half "$uprog"); envs=(KCUT_DEVICE_ACCESS=mapped) ;;
	esac
	rm -f "$out.trace"
	t0=$(date +%s%N)
	env "${envs[@]}" KCUT_TRACE="$out.trace" "$sim" --bench "${args[@]}" --mmio-log "$out.mmio" \
		"$tmp/$ph.sim" >"$out.out" 2>"$out.err" ||
		{ echo "regions.sh: kcut-sim failed ($v, $ph):" >&2; cat "$out.err" "$out.out" >&2; exit 1; }
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

variants="unsplit fwd-posted fwd-unposted mapped"
: >"$tmp/rows"
for ((r = 0; r < rounds; r++)); do
	for ph in probe selftest; do
		for v in $variants; do
			run "$v" "$ph" "$r"
		done
	done
done

# transcripts and register-access logs against the unsplit driver's (round 0)
same() { cmp -s <(grep -v '^cpu: ' "$1") <(grep -v '^cpu: ' "$2"); }
: >"$tmp/checks"
for ph in probe selftest; do
	for v in fwd-posted fwd-unposted mapped; do
		t=$(same "$tmp/unsplit.$ph.0.out" "$tmp/$v.$ph.0.out" && echo same || echo DIFFERS)
		m=$(cmp -s "$tmp/unsplit.$ph.0.mmio" "$tmp/$v.$ph.0.mmio" && echo identical || echo DIFFERS)
		echo "$v $ph $t $m $(wc -l <"$tmp/unsplit.$ph.0.mmio")" >>"$tmp/checks"
	done
done
mapmsg=$(grep -h -m1 'cannot be mapped' "$tmp"/mapped.*.0.err 2>/dev/null | head -1 || true)

echo "simnic probe and ethtool self-test (offline) under kcut-sim: median of $rounds round(s), $(nproc) CPUs${kshare:+; the split keeps $kshare of the LOC of simnic in the kernel}"
awk -v rounds="$rounds" '
	function median(s,    v, n, i, j, t) {
		n = split(s, v, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		k = $1 " " $2
		if (!(k in cross)) order[++nk] = k
		cross[k] = $3; rio[k] = $4; wall[k] = wall[k] " " $5; cpu[k] = cpu[k] " " $6
	}
	END {
		printf "%-13s %-9s %10s %9s %10s %10s %8s %8s\n", "variant", "phase", "crossings", "(regio)",
		       "wall ms", "cpu ms", "wall x", "cpu x"
		for (p = 0; p < 3; p++) {
			ph = p == 0 ? "probe" : p == 1 ? "selftest" : "test-only"
			for (i = 1; i <= nk; i++) {
				split(order[i], f, " ")
				if (f[2] != "probe") continue
				v = f[1]
				a = v " probe"; b = v " selftest"; ua = "unsplit probe"; ub = "unsplit selftest"
				if (p == 0) { c = cross[a]; r = rio[a]; w = median(wall[a]); u = median(cpu[a]); bw = median(wall[ua]); bu = median(cpu[ua]) }
				else if (p == 1) { c = cross[b]; r = rio[b]; w = median(wall[b]); u = median(cpu[b]); bw = median(wall[ub]); bu = median(cpu[ub]) }
				else { c = cross[b] - cross[a]; r = rio[b] - rio[a]; w = median(wall[b]) - median(wall[a]); u = median(cpu[b]) - median(cpu[a]);
				       bw = median(wall[ub]) - median(wall[ua]); bu = median(cpu[ub]) - median(cpu[ua]) }
				printf "%-13s %-9s %10d %9d %10.1f %10.1f %8.2f %8.2f\n", v, ph, c, r, w, u,
				       (bw > 0 ? w / bw : 0), (bu > 0 ? u / bu : 0)
			}
		}
	}' "$tmp/rows"
echo "crossings: every upcall, downcall and register batch of the run, from the crossing trace; (regio):"
echo "the register batches among them. test-only = selftest - probe. wall/cpu x: relative to unsplit."
echo "Against the unsplit driver (round 0): transcript, register-access log (lines):"
while read -r v ph t m n; do
	printf '  %-13s %-9s transcript %-8s register log %-9s (%s accesses)\n' "$v" "$ph" "$t" "$m" "$n"
done <"$tmp/checks"
if [ -n "$mapmsg" ]; then
	echo "mapped: not supported by the kernel model; the user half said: ${mapmsg#kcut-rt: }"
else
	echo "mapped: the user half never asked to map a register region (no MMIO region reached it)"
fi
