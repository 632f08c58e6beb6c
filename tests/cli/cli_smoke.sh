#!/bin/sh
# kcut --help / --version / unknown command / every command has --help.
set -u
KCUT=$1
pass=0 fail=0
check() { # check DESC EXPECTED_EXIT CMD...
	desc=$1 want=$2; shift 2
	"$@" >/dev/null 2>&1; got=$?
	if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
		echo "FAIL: $desc: exit $got, want $want"; fail=$((fail + 1)); fi
}
check "help" 0 "$KCUT" --help
check "version" 0 "$KCUT" --version
check "no args" 2 "$KCUT"
check "unknown command" 2 "$KCUT" frobnicate
"$KCUT" --version | grep -q '^kcut [0-9]' && pass=$((pass + 1)) || { echo "FAIL: version text"; fail=$((fail + 1)); }
for c in $("$KCUT" --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}'); do
	check "$c --help" 0 "$KCUT" "$c" --help
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
