#!/bin/sh
# run_golden.sh KCUT_SIM DRIVER.so SCENARIO.sim EXPECTED
# Runs the scenario twice; both transcripts must equal EXPECTED byte for byte and kcut-sim must exit 0.
# A scenario line "# args: ..." gives kcut-sim options (default: --device simsnd).
# UPDATE_GOLDEN=1 rewrites EXPECTED from the first run instead of comparing (review the diff!).
set -u
sim=$1 drv=$2 scen=$3 exp=$4
args=$(sed -n 's/^# args: //p' "$scen" | head -n 1)
[ -n "$args" ] || args="--device simsnd"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for i in 1 2; do
	# shellcheck disable=SC2086
	"$sim" --driver "$drv" $args "$scen" >"$tmp/out$i" 2>"$tmp/err$i"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "run $i: kcut-sim exited $rc"; cat "$tmp/out$i" "$tmp/err$i"; exit 1
	fi
done
if ! cmp -s "$tmp/out1" "$tmp/out2"; then
	echo "NOT DETERMINISTIC: two runs differ"; diff "$tmp/out1" "$tmp/out2"; exit 1
fi
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$tmp/out1" "$exp"; echo "updated $exp"; exit 0
fi
if ! cmp -s "$tmp/out1" "$exp"; then
	echo "transcript differs from $exp:"; diff -u "$exp" "$tmp/out1"; exit 1
fi
echo "ok: $(basename "$scen") (2 identical runs)"
