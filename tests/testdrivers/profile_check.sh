#!/bin/sh
# profile_check.sh KCUT_SIM SIMSND_PROF.so SCENARIO [KCUT]
# The -finstrument-functions build of simsnd runs a scenario and writes a call-count profile whose edges
# match what the scenario did (11 period interrupts from the kernel, probe's calls), in the format
# `kcut profile import --format instrument` reads; with KCUT given, the import itself is checked too.
set -u
sim=$1 drv=$2 scen=$3 kcut=${4:-}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
"$sim" --driver "$drv" --device simsnd --profile "$tmp/p.txt" "$scen" >"$tmp/out" 2>"$tmp/err" ||
	{ echo "FAIL: kcut-sim exited $?"; cat "$tmp/err"; exit 1; }
for want in '^# kcut-profile v1 duration_s=0\.096097$' '^kernel snd_simsnd_interrupt 11$' \
	'^kernel snd_simsnd_probe 1$' '^snd_simsnd_probe simsnd_pcm_create 1$' \
	'^snd_simsnd_interrupt simsnd_pcm_period 11$' '^kernel snd_simsnd_trigger 4$'; do
	grep -q "$want" "$tmp/p.txt" || { echo "FAIL: profile has no line matching $want"; fail=1; }
done
if grep -q '?' "$tmp/p.txt"; then echo "FAIL: unresolved names"; fail=1; fi
if [ -n "$kcut" ] && [ ! -x "$kcut" ]; then
	echo "note: $kcut not built; the kcut import check is skipped"
	kcut=""
fi
if [ -n "$kcut" ]; then
	cdb=$(dirname "$drv")/compile_commands.json
	"$kcut" analyze -p "$cdb" --db "$tmp/k.db" --no-progress >/dev/null 2>&1 &&
		"$kcut" profile import "$tmp/p.txt" --format instrument --db "$tmp/k.db" >"$tmp/imp" 2>&1 ||
		{ echo "FAIL: kcut analyze/profile import"; cat "$tmp/imp" 2>/dev/null; fail=1; }
fi
[ $fail -eq 0 ] && echo "1 passed, 0 failed" || { cat "$tmp/p.txt"; echo "0 passed, 1 failed"; }
exit $fail
