#!/bin/sh
# sigint_test.sh KCUT PYTHON WORKDIR: Ctrl-C in the middle of `kcut analyze`.
# KCUT_TEST_SIGINT_AFTER=2 makes kcut raise SIGINT right after the 2nd TU is stored (-j1, so the
# point is deterministic). Expected: exit 3, exactly 2 complete TUs in the database and nothing of
# the others; a re-run finishes the job, skipping the 2 stored TUs.
set -u
kcut=$1; py=$2; work=$3
rm -rf "$work"; mkdir -p "$work/drv"
i=1
entries=""
while [ $i -le 6 ]; do
	cat > "$work/drv/f$i.c" <<XEOF
static int helper$i(int x) { return x + $i; }
int api$i(int x) { return helper$i(x) * 2; }
XEOF
	entries="$entries{\"directory\": \"$work/drv\", \"file\": \"f$i.c\", \"arguments\": [\"cc\", \"-c\", \"f$i.c\"]},"
	i=$((i + 1))
done
echo "[${entries%,}]" > "$work/cc.json"
fail=0
KCUT_TEST_SIGINT_AFTER=2 "$kcut" analyze -p "$work/cc.json" --db "$work/k.db" -j 1 2> "$work/err1"
rc=$?
cat "$work/err1"
[ $rc -eq 3 ] || { echo "FAIL: interrupted run exited $rc, expected 3"; fail=1; }
grep -q "interrupted" "$work/err1" || { echo "FAIL: no 'interrupted' message"; fail=1; }
"$py" - "$work/k.db" <<'XEOF' || fail=1
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
tus = con.execute("SELECT count(*) FROM tu WHERE status = 'ok'").fetchone()[0]
funcs = con.execute("SELECT count(*) FROM func WHERE is_defined").fetchone()[0]
calls = con.execute("SELECT count(*) FROM call").fetchone()[0]
ok = tus == 2 and funcs == 4 and calls == 2
print("%s: %d TUs, %d functions, %d calls stored after Ctrl-C (expected 2, 4, 2)" %
      ("ok" if ok else "FAIL", tus, funcs, calls))
sys.exit(0 if ok else 1)
XEOF
"$kcut" analyze -p "$work/cc.json" --db "$work/k.db" -j 1 2> "$work/err2"
rc=$?
cat "$work/err2"
[ $rc -eq 0 ] || { echo "FAIL: re-run exited $rc"; fail=1; }
grep -q "4 analyzed, 2 unchanged" "$work/err2" || { echo "FAIL: re-run did not skip the 2 stored TUs"; fail=1; }
if [ $fail -eq 0 ]; then echo "sigint: 1 passed, 0 failed"; else echo "sigint: 0 passed, 1 failed"; fi
exit $fail
