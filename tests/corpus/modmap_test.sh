#!/usr/bin/env bash
# modmap_test.sh - `kcut analyze --module-map` (label corpus): tu.module is stored per TU from the
# map, an unlisted TU gets NULL, a malformed map or a source mapped to two modules fails with exit 2
# before anything is stored. Usage: modmap_test.sh KCUT WORKDIR
set -u
kcut=$1 work=$2
rm -rf "$work" && mkdir -p "$work/drv"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
q() { python3 -c 'import sqlite3,sys; print("\n".join("|".join("" if v is None else str(v) for v in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$@"; }

cat >"$work/drv/a.c" <<'C'
int a_helper(int x) { return x + 1; }
int a_main(void) { return a_helper(1); }
C
cat >"$work/drv/b.c" <<'C'
static int b_only(void) { return 2; }
int b_main(void) { return b_only(); }
C
cat >"$work/drv/c.c" <<'C'
int c_main(void) { return 3; }
C
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
json.dump([{"directory": w + "/drv", "file": f, "arguments": ["clang", "-c", f, "-o", f + ".o"]}
           for f in ("a.c", "b.c", "c.c")], open(w + "/compile_commands.json", "w"))
PY
printf '# comment\n\n%s\tmod_ab\n%s/drv/../drv/b.c\tmod_ab\n' "$work/drv/a.c" "$work" >"$work/map.tsv"
"$kcut" analyze -p "$work/compile_commands.json" --db "$work/k.db" --module-map "$work/map.tsv" \
	--no-progress -j 1 >"$work/out.txt" 2>&1
check "analyze with a module map exits 0" '[ $? = 0 ]'
got=$(q "$work/k.db" "SELECT substr(f.path, length(f.path) - 2), t.module FROM tu t JOIN file f ON f.id = t.file_id ORDER BY 1")
check "tu.module from the map, NULL when unlisted" '[ "$got" = "$(printf "a.c|mod_ab\nb.c|mod_ab\nc.c|")" ]'

printf '%s mod_x\n' "$work/drv/a.c" >"$work/bad.tsv"
"$kcut" analyze -p "$work/compile_commands.json" --db "$work/k2.db" --module-map "$work/bad.tsv" \
	--no-progress >"$work/err.txt" 2>&1
rc=$?
check "malformed map exits 2" '[ $rc = 2 ]'
check "malformed map names file:line" 'grep -q "bad.tsv:1: expected SOURCE<TAB>MODULE" "$work/err.txt"'
n=$(q "$work/k2.db" "SELECT count(*) FROM tu" 2>/dev/null || echo 0)
check "nothing stored after a bad map" '[ "$n" = 0 ]'

printf '%s\tm1\n%s\tm2\n' "$work/drv/a.c" "$work/drv/a.c" >"$work/dup.tsv"
"$kcut" analyze -p "$work/compile_commands.json" --db "$work/k3.db" --module-map "$work/dup.tsv" \
	--no-progress >"$work/err3.txt" 2>&1
rc=$?
check "source mapped to two modules exits 2" '[ $rc = 2 ] && grep -q "listed for modules m1 and m2" "$work/err3.txt"'
"$kcut" analyze -p "$work/compile_commands.json" --db "$work/k4.db" --module-map "$work/nonexistent.tsv" \
	--no-progress >"$work/err4.txt" 2>&1
rc=$?
check "missing map exits 2" '[ $rc = 2 ] && grep -q -- "--module-map" "$work/err4.txt"'

# kcut stats on a one-module database of this run (--db mode) and usage errors.
"$kcut" stats --db "$work/k.db" --format csv >"$work/stats.csv"
check "stats --db exits 0" '[ $? = 0 ]'
check "stats --db counts 5 functions in 3 TUs" 'grep -q "^-,k,1,3,0,5," "$work/stats.csv"'
"$kcut" stats --format yaml >/dev/null 2>&1
check "stats --format yaml exits 2" '[ $? = 2 ]'
"$kcut" stats --corpus "$work/nonexistent" >/dev/null 2>&1
check "stats on a missing corpus exits 2" '[ $? = 2 ]'
"$kcut" stats --help >/dev/null
check "stats --help exits 0" '[ $? = 0 ]'
[ $fail = 0 ] && echo "all passed" || echo "some failed"
exit $fail
