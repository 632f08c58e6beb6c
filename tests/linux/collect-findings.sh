#!/usr/bin/env bash
# collect-findings.sh: gather the outputs of the last `ctest -L linux` run (one markdown section per
# test, written by check_driver.py into BUILD_DIR/tests/linux/findings/) into tests/linux/FINDINGS.md,
# the current state of `kcut analyze` on real Linux drivers, for the analyzer's author.
# Usage: tests/linux/collect-findings.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: collect-findings.sh BUILD_DIR}
dir=$build/tests/linux/findings
ls "$dir"/*.md >/dev/null 2>&1 || { echo "collect-findings: no findings in $dir (run ctest -L linux)" >&2; exit 2; }
{
	echo "# kcut analyze on real Linux 6.1 drivers: current findings"
	echo
	echo "Generated $(date -u '+%Y-%m-%d %H:%M UTC') by tests/linux/collect-findings.sh from the last"
	echo "\`ctest -L linux\` run (see docs/linux.md for what each check means). FAIL lines are defects to fix."
	echo
	echo "## Summary"
	echo
	for f in "$dir"/*.md; do
		t=$(sed -n 's/^## //p' "$f")
		np=$(grep -c '^PASS' "$f" || true)
		nf=$(grep -c '^FAIL' "$f" || true)
		echo "- $t: $np passed, $nf failed"
		grep '^FAIL' "$f" | sed 's/^/    - /' || true
	done
	echo
	for f in "$dir"/*.md; do
		cat "$f"
		echo
	done
} >"$here/FINDINGS.md.tmp"
mv -f "$here/FINDINGS.md.tmp" "$here/FINDINGS.md"
echo "collect-findings: wrote $here/FINDINGS.md"
