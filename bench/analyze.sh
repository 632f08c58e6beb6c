#!/usr/bin/env bash
# bench/analyze.sh: how much `kcut analyze` costs on a real driver (Linux 6.1 e1000, 4 TUs) compared
# with the compiler front end alone, and how cheap a re-run on an unchanged tree is.
#
# Measured side by side in one run, median of N runs each (interleaved so that machine noise hits
# both sides alike):
#   clang   `clang-14 -fsyntax-only` over the same TUs, one after the other, with the same cleaned
#           arguments kcut stored for each TU (tu.args of an untimed warm-up run; falls back to
#           tests/linux/linux_ref.py clean_args)
#   fresh   `kcut analyze -j1` into a new database
#   rerun   `kcut analyze -j1` again on the unchanged tree into the database the fresh run wrote
# Targets (issue 2): fresh <= 1.5 x clang, rerun <= 5 % of fresh.
#
# Usage: bench/analyze.sh [--kcut PATH] [--runs N] [--driver e1000] [--check]
#   Without --kcut, builds kcut optimised (no sanitizers) in build/bench. --check exits 1 when a
#   target is missed. The kernel tree comes from scripts/linux-prepare.sh (cached).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kcut=""
runs=3
driver=e1000
check=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kcut) kcut=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--driver) driver=$2; shift 2 ;;
	--check) check=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/analyze.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

if [ -z "$kcut" ]; then
	bdir=$top/build/bench
	echo "bench: building kcut (Release, no sanitizers) in $bdir" >&2
	cmake -S "$top" -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DKC_SANITIZE=OFF >/dev/null
	cmake --build "$bdir" --target kcut -j2 >/dev/null
	kcut=$bdir/cli/kcut
fi
[ -x "$kcut" ] || { echo "bench/analyze.sh: $kcut is not executable" >&2; exit 2; }

"$top/scripts/linux-prepare.sh" --drivers "$driver" --gcc-drivers none >&2
cache=$("$top/scripts/linux-prepare.sh" --print-cache)
ccdb=$cache/db/clang/$driver/compile_commands.json
drvdir=$(cat "$cache/db/clang/$driver/driver_dir")

work=$(mktemp -d /tmp/kcut-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Warm-up run (untimed): fills the page cache for both sides and yields the cleaned arguments kcut
# stored per TU (tu.args), so that clang runs with exactly the flags kcut parsed with.
"$kcut" analyze -j1 --driver "$drvdir" -p "$ccdb" --db "$work/warm.db" >/dev/null 2>"$work/err" ||
	{ echo "bench: kcut analyze failed:" >&2; tail -20 "$work/err" >&2; exit 2; }

# One shell line per TU: cd DIR && clang-14 -fsyntax-only ARGS FILE
python3 - "$ccdb" "$work/warm.db" >"$work/clang.sh" <<EOF
import json, os, shlex, sqlite3, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "$top/tests/linux")
import linux_ref
con = sqlite3.connect(sys.argv[2])
stored = {}
try:
    for path, d, args in con.execute("SELECT f.path, t.directory, t.args FROM tu t JOIN file f ON f.id = t.file_id"):
        stored[os.path.realpath(path)] = json.loads(args)
except sqlite3.Error:
    pass
print("set -e")
for e in linux_ref.load_db(sys.argv[1]):
    args = stored.get(e["abs"])
    if args is None:
        print("bench: no tu.args for %s, using linux_ref.clean_args" % e["abs"], file=sys.stderr)
        args = linux_ref.clean_args(e)
    args = [a for a in args if os.path.realpath(os.path.join(e["directory"], a)) != e["abs"]]
    cmd = [linux_ref.CLANG, "-fsyntax-only"] + args + [e["abs"]]
    print("cd %s && %s 2>/dev/null" % (shlex.quote(e["directory"]), shlex.join(cmd)))
EOF
ntu=$(grep -c '^cd ' "$work/clang.sh")

now() { date +%s.%N; }
# elapsed START: seconds since START
elapsed() { echo "$(now) - $1" | bc; }

clang_t=() fresh_t=() rerun_t=()
for i in $(seq 1 "$runs"); do
	t=$(now); bash "$work/clang.sh"; clang_t+=("$(elapsed "$t")")
	rm -f "$work/bench.db"*
	t=$(now)
	"$kcut" analyze -j1 --driver "$drvdir" -p "$ccdb" --db "$work/bench.db" >/dev/null 2>"$work/err" ||
		{ echo "bench: kcut analyze failed:" >&2; tail -20 "$work/err" >&2; exit 2; }
	fresh_t+=("$(elapsed "$t")")
	t=$(now)
	"$kcut" analyze -j1 --driver "$drvdir" -p "$ccdb" --db "$work/bench.db" >/dev/null 2>"$work/err" ||
		{ echo "bench: kcut analyze (re-run) failed:" >&2; tail -20 "$work/err" >&2; exit 2; }
	rerun_t+=("$(elapsed "$t")")
	echo "bench: run $i/$runs: clang ${clang_t[-1]} s, fresh ${fresh_t[-1]} s, re-run ${rerun_t[-1]} s" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Ratios are medians of the per-round ratios: each round's two sides ran back to back, so a
# load change between rounds (the machine is shared) cancels out.
ratios=() fracs=()
for i in $(seq 0 $((runs - 1))); do
	ratios+=("$(echo "scale=4; ${fresh_t[$i]} / ${clang_t[$i]}" | bc)")
	fracs+=("$(echo "scale=4; 100 * ${rerun_t[$i]} / ${fresh_t[$i]}" | bc)")
done
c=$(median "${clang_t[@]}")
f=$(median "${fresh_t[@]}")
r=$(median "${rerun_t[@]}")
ratio=$(median "${ratios[@]}")
frac=$(median "${fracs[@]}")
ok1=$(echo "$ratio <= 1.5" | bc)
ok2=$(echo "$frac <= 5" | bc)
verdict() { [ "$1" = 1 ] && echo met || echo MISSED; }

printf '\nkcut analyze on %s (%d TUs, clang-built compile_commands.json), medians of %d rounds\n' \
	"$driver" "$ntu" "$runs"
printf '(seconds: median per side; ratio: median of the per-round ratios)\n'
printf '%-40s %9s %10s %16s\n' "what" "seconds" "ratio" "target"
printf '%-40s %9.2f %10s %16s\n' "clang-14 -fsyntax-only, sequential" "$c" "1.00x" ""
printf '%-40s %9.2f %9.2fx %16s\n' "kcut analyze -j1, fresh database" "$f" "$ratio" "<= 1.5x $(verdict "$ok1")"
printf '%-40s %9.2f %9.1f%% %16s\n' "kcut analyze -j1, re-run (unchanged)" "$r" "$frac" "<= 5% $(verdict "$ok2")"

if [ "$check" = 1 ] && { [ "$ok1" != 1 ] || [ "$ok2" != 1 ]; }; then
	exit 1
fi
exit 0
