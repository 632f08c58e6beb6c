#!/usr/bin/env bash
# regen.sh BUILD_DIR [scenario...]: rewrite the .expected transcripts from the current kcut-sim and simnic
# driver in BUILD_DIR (default: every scenario). Review the result with `git diff` before committing: an
# expectation is only as good as the transcript it was taken from.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: regen.sh BUILD_DIR [scenario.sim...]}
shift
sim=$build/testdrivers/harness/kcut-sim
so=$build/testdrivers/drivers/simnic/simnic.so
[ -x "$sim" ] || { echo "regen.sh: $sim not built (cmake --build $build --target kcut-sim simnic)"; exit 2; }
[ -f "$so" ] || { echo "regen.sh: $so not built"; exit 2; }
if [ $# -eq 0 ]; then set -- "$here"/*.sim; fi
for s in "$@"; do
	exp=${s%.sim}.expected
	"$sim" --driver "$so" "$s" >"$exp.new" 2>/dev/null || true
	if [ -f "$exp" ] && cmp -s "$exp" "$exp.new"; then
		rm "$exp.new"
		echo "unchanged: $(basename "$exp")"
	else
		mv "$exp.new" "$exp"
		echo "rewritten: $(basename "$exp")"
	fi
done
