#!/bin/sh
# dump_tools.sh KCUT PYTHON TESTDIR WORKDIR: the dump commands on a small analyzed driver: --help,
# text tables, valid JSON with the expected rows, and errors for unknown names / missing database.
set -u
kcut=$1; py=$2; src=$3; work=$4
rm -rf "$work"; mkdir -p "$work"
fail=0
check() { # name expected-exit command...
	name=$1; want=$2; shift 2
	"$@" > "$work/out" 2> "$work/err"
	rc=$?
	if [ $rc -ne $want ]; then
		echo "FAIL $name: exit $rc, expected $want"; cat "$work/err"; fail=1
	else
		echo "ok   $name"
	fi
}
has() { # name pattern
	if grep -q -- "$2" "$work/out"; then echo "ok   $1"; else echo "FAIL $1: no '$2' in"; cat "$work/out"; fail=1; fi
}
json() { # name python-expression-on-data
	if "$py" -c "import json,sys; d=json.load(open('$work/out')); sys.exit(0 if ($2) else 1)"; then
		echo "ok   $1"
	else
		echo "FAIL $1: $2"; cat "$work/out"; fail=1
	fi
}
cat > "$work/cc.json" <<XEOF
[{"directory": "$src/cases", "file": "icall_slot.c",
  "command": "cc -c -nostdinc -I$src/include icall_slot.c -o /nonexistent/icall_slot.o"}]
XEOF
db="$work/k.db"
for c in analyze functions calls fields db; do
	check "$c --help" 0 "$kcut" $c --help
done
check "functions on a missing db" 2 "$kcut" functions --db "$work/none.db"
check analyze 0 "$kcut" analyze -p "$work/cc.json" --db "$db" --driver "$src/cases"
check functions 0 "$kcut" functions --db "$db"
has "functions lists xmit_wrapper" "xmit_wrapper"
check "functions --driver-only --json" 0 "$kcut" functions --driver-only --json --db "$db"
json "json has only driver functions" "sorted(f['name'] for f in d) == ['my_open', 'my_xmit', 'xmit_wrapper']"
check "calls" 0 "$kcut" calls xmit_wrapper --db "$db"
has "calls shows the slot" "net_device_ops.ndo_start_xmit"
check "calls --callers --json" 0 "$kcut" calls my_xmit --callers --json --db "$db"
json "callers json" "d[0]['caller'] == 'xmit_wrapper' and d[0]['resolved_by'] == 'slot'"
check "calls unknown" 2 "$kcut" calls no_such_function --db "$db"
check "fields" 0 "$kcut" fields net_device --db "$db"
has "fields shows netdev_ops" "netdev_ops"
check "fields --json" 0 "$kcut" fields "struct net_device_ops" --json --db "$db"
json "fields json" "[f['field'] for f in d][:2] == ['ndo_open', 'ndo_stop'] and d[0]['kind'] == 'funcptr'"
check "fields unknown" 2 "$kcut" fields no_such_struct --db "$db"
check "db info" 0 "$kcut" db info --db "$db"
has "db info counts" "func (driver, defined)"
check "db info --json" 0 "$kcut" db info --json --db "$db"
json "db info json" "any(r['what'] == 'tu ok' and r['count'] == 1 for r in d)"
check "db without info" 2 "$kcut" db --db "$db"
printf '[\n {"directory": "/x",\n  "file": }\n]\n' > "$work/broken.json"
check "broken JSON" 2 "$kcut" analyze -p "$work/broken.json" --db "$work/b.db"
if grep -q "broken.json:3:.*broken JSON" "$work/err"; then echo "ok   broken JSON message has line:col"; else
	echo "FAIL broken JSON message:"; cat "$work/err"; fail=1; fi
check "analyze bad option" 2 "$kcut" analyze --no-such-option
check "analyze into a directory" 2 "$kcut" analyze -p "$work/cc.json" --db "$work"
if [ $fail -eq 0 ]; then echo "dump tools: all passed"; fi
exit $fail
