#!/usr/bin/env bash
# selfcheck.sh KCUT_SIM DRIVER_SO: prove the golden comparison can fail. Runs run_golden.sh on basic.sim
# against expectations with one frame checksum changed and against a nondeterminism stand-in (an extra
# line); both must be rejected, and the untouched expectation must pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sim=$1 so=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/run_golden.sh" "$sim" "$so" "$here/basic.sim" "$here/basic.expected" >/dev/null
sed '0,/^tx 1: /s/crc32 0x\(.\)/crc32 0xf\1/' "$here/basic.expected" >"$tmp/crc.expected"
if cmp -s "$tmp/crc.expected" "$here/basic.expected"; then
	echo "selfcheck: could not mutate basic.expected"; exit 1
fi
{ cat "$here/basic.expected"; echo "tx 99: len 64 crc32 0x00000000"; } >"$tmp/extra.expected"
for bad in crc extra; do
	if "$here/run_golden.sh" "$sim" "$so" "$here/basic.sim" "$tmp/$bad.expected" >/dev/null 2>&1; then
		echo "selfcheck: run_golden.sh accepted a wrong expectation ($bad)"
		exit 1
	fi
done
echo "ok: golden comparison rejects a changed checksum and an extra line"
