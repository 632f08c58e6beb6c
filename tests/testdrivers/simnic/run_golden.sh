#!/usr/bin/env bash
# run_golden.sh KCUT_SIM DRIVER_SO SCENARIO.sim EXPECTED
# Runs one simnic scenario twice with kcut-sim and compares each transcript byte for byte with the
# checked-in expectation (so the test fails on a wrong answer and on any nondeterminism). The exit status
# of kcut-sim must be the one named by a "# exit: N" line in the scenario (default 0).
set -euo pipefail
sim=$1 so=$2 scenario=$3 expected=$4
want_rc=$(sed -n 's/^# exit: \([0-9]*\).*/\1/p' "$scenario" | head -1)
want_rc=${want_rc:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in 1 2; do
	rc=0
	"$sim" --driver "$so" "$scenario" >"$tmp/out$run" 2>"$tmp/err$run" || rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "run $run: kcut-sim exited $rc, expected $want_rc; stderr:"
		cat "$tmp/err$run"
		exit 1
	fi
	if ! cmp -s "$expected" "$tmp/out$run"; then
		echo "run $run: transcript differs from $expected:"
		diff -u "$expected" "$tmp/out$run" | head -80
		exit 1
	fi
done
echo "ok: $(basename "$scenario") (two identical runs)"
