#!/usr/bin/env bash
# wholetree_test.sh - whole-tree database mode (label corpus, no kernel tree needed): two "modules"
# that both define a global foo_common, a static foo_probe, a struct foo_priv (with different
# fields) and a net_device_ops registration, analyzed into ONE database with a module map and into
# one database per module. Checks that the whole-tree database keeps the modules apart (two func
# rows per name, two struct rows keyed by module, no call edge between the modules, indirect calls
# resolved within the module) and that `kcut stats --db WHOLE.db --per-driver` gives, per module,
# exactly the numbers of that module's own database. Usage: wholetree_test.sh KCUT WORKDIR
set -u
kcut=$1 work=$2
rm -rf "$work" && mkdir -p "$work/drv/ma" "$work/drv/mb" "$work/kinc"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
q() { python3 -c 'import sqlite3,sys; print("\n".join("|".join("" if v is None else str(v) for v in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$@"; }

cat >"$work/kinc/netdev.h" <<'C'
struct net_device_ops {
	int (*ndo_open)(void *dev);
	int (*ndo_start_xmit)(void *skb, void *dev);
};
int register_netdev(const struct net_device_ops *ops);
int kernel_thing(void *dev);
int kernel_other(int v);
C
cat >"$work/drv/ma/ma.h" <<'C'
struct foo_priv {
	int x;
	int y;
};
C
cat >"$work/drv/ma/ma.c" <<'C'
#include "netdev.h"
#include "ma.h"
static int foo_probe(struct foo_priv *p) { return p->x + p->y; }
int foo_common(int v) { return v * 2; }
static int ma_xmit(void *skb, void *dev)
{
	struct foo_priv p = { 1, 2 };
	(void)skb; (void)dev;
	return foo_common(foo_probe(&p));
}
static int ma_open(void *dev) { return kernel_thing(dev); }
static const struct net_device_ops ma_ops = { .ndo_open = ma_open, .ndo_start_xmit = ma_xmit };
int ma_kick(const struct net_device_ops *o, void *dev) { return o->ndo_open(dev); }
int ma_init(void) { return register_netdev(&ma_ops); }
C
cat >"$work/drv/mb/mb.h" <<'C'
struct foo_priv {
	long z;
};
C
cat >"$work/drv/mb/mb.c" <<'C'
#include "netdev.h"
#include "mb.h"
static int mb_helper(int v) { return kernel_other(v) + 1; }
static int foo_probe(struct foo_priv *p) { return mb_helper((int)p->z); }
int foo_common(int v)
{
	int i, s = 0;
	for (i = 0; i < v; i++)
		s += mb_helper(i);
	return s;
}
static int mb_xmit(void *skb, void *dev)
{
	struct foo_priv p = { 3 };
	(void)skb; (void)dev;
	return foo_probe(&p);
}
static int mb_open(void *dev) { return foo_common(kernel_thing(dev)); }
static int mb_stop(void *dev) { (void)dev; return 0; }
static const struct net_device_ops mb_ops = { .ndo_open = mb_open, .ndo_start_xmit = mb_xmit };
static const struct net_device_ops mb_ops2 = { .ndo_open = mb_stop };
int mb_kick(const struct net_device_ops *o, void *dev) { return o->ndo_open(dev) + o->ndo_start_xmit(0, dev); }
int mb_init(void) { return register_netdev(&mb_ops) + register_netdev(&mb_ops2); }
C
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
def entry(m):
    return {"directory": w + "/drv/" + m, "file": m + ".c",
            "arguments": ["clang", "-I", w + "/kinc", "-c", m + ".c", "-o", m + ".o"]}
json.dump([entry("ma"), entry("mb")], open(w + "/cc-all.json", "w"))
for m in ("ma", "mb"):
    json.dump([entry(m)], open(w + "/cc-" + m + ".json", "w"))
PY
printf '%s\tma\n%s\tmb\n' "$work/drv/ma/ma.c" "$work/drv/mb/mb.c" >"$work/map.tsv"
printf 'ma\tnet\t%s\t%s\nmb\tnet\t%s\t%s\n' "$work/drv/ma" "$work/drv/ma/ma.c" "$work/drv/mb" \
	"$work/drv/mb/mb.c" >"$work/modules.tsv"

# One whole-tree database; one database per module (same map line, own --driver directory).
"$kcut" analyze -p "$work/cc-all.json" --db "$work/whole.db" --driver "$work/drv/ma" \
	--driver "$work/drv/mb" --module-map "$work/map.tsv" --no-progress -j 2 >"$work/whole.log" 2>&1
check "whole-tree analyze exits 0" '[ $? = 0 ]'
for m in ma mb; do
	grep "/$m.c" "$work/map.tsv" >"$work/map-$m.tsv"
	"$kcut" analyze -p "$work/cc-$m.json" --db "$work/$m.db" --driver "$work/drv/$m" \
		--module-map "$work/map-$m.tsv" --no-progress -j 1 >"$work/$m.log" 2>&1
	check "per-module analyze of $m exits 0" '[ $? = 0 ]'
done

# Identity: each module has its own rows.
got=$(q "$work/whole.db" "SELECT t.module, f.name, f.is_static FROM func f JOIN tu t ON t.id = f.tu_id WHERE f.is_defined = 1 AND f.name IN ('foo_common', 'foo_probe') ORDER BY 1, 2")
check "foo_common and static foo_probe defined once per module" \
	'[ "$got" = "$(printf "ma|foo_common|0\nma|foo_probe|1\nmb|foo_common|0\nmb|foo_probe|1")" ]'
got=$(q "$work/whole.db" "SELECT s.module, group_concat(f.name, ',') FROM struct s JOIN field f ON f.struct_id = s.id WHERE s.name = 'foo_priv' GROUP BY s.id ORDER BY 1")
check "struct foo_priv keyed by module with its own fields" '[ "$got" = "$(printf "ma|x,y\nmb|z")" ]'
got=$(q "$work/whole.db" "SELECT count(*), sum(module = '') FROM struct WHERE name = 'net_device_ops'")
check "a kernel struct stays one row (module '')" '[ "$got" = "1|1" ]'
got=$(q "$work/whole.db" "SELECT count(*) FROM call c JOIN func a ON a.id = c.caller_id JOIN tu ta ON ta.id = a.tu_id JOIN func b ON b.id = c.callee_id JOIN tu tb ON tb.id = b.tu_id WHERE ta.module <> tb.module")
check "no call edge between the modules" '[ "$got" = 0 ]'
got=$(q "$work/whole.db" "SELECT a.name, b.name FROM call c JOIN func a ON a.id = c.caller_id JOIN func b ON b.id = c.callee_id WHERE c.kind = 'indirect' AND c.slot = 'net_device_ops.ndo_open' ORDER BY 1, 2")
check "ndo_open slot calls resolved within the module" \
	'[ "$got" = "$(printf "ma_kick|ma_open\nmb_kick|mb_open\nmb_kick|mb_stop")" ]'
got=$(q "$work/whole.db" "SELECT count(DISTINCT module), min(usr LIKE 'M:%|%') FROM func JOIN tu ON tu.id = func.tu_id")
check "function keys carry the module" '[ "$got" = "2|1" ]'

# kcut stats: per module, the whole-tree numbers equal the per-module database's.
"$kcut" stats --db "$work/whole.db" --per-driver --family net --format csv >"$work/whole.csv" 2>"$work/whole.err"
check "stats --db WHOLE --per-driver exits 0" '[ $? = 0 ]'
: >"$work/single.csv"
for m in ma mb; do
	"$kcut" stats --db "$work/$m.db" --family net --format csv | grep "^net,$m," >>"$work/single.csv"
done
grep -E '^net,m[ab],' "$work/whole.csv" >"$work/whole-rows.csv"
check "two driver rows from the whole-tree database" '[ "$(wc -l <"$work/whole-rows.csv")" = 2 ]'
check "whole-tree rows equal the per-module databases' rows" 'cmp -s "$work/whole-rows.csv" "$work/single.csv"'
check "the rows are not empty (functions and critical functions counted)" \
	'awk -F, "\$6 < 3 || \$9 < 1 { bad = 1 } END { exit bad }" "$work/whole-rows.csv"'
check "ma and mb differ (a collision would not be caught otherwise)" \
	'[ "$(cut -d, -f4- "$work/whole-rows.csv" | sort -u | wc -l)" = 2 ]'

"$kcut" stats --db "$work/whole.db" --module-families "$work/modules.tsv" --family net --per-driver \
	--format csv >"$work/fam.csv"
check "--module-families gives the family from modules.tsv" \
	'[ "$(grep -E "^net,m[ab]," "$work/fam.csv")" = "$(cat "$work/whole-rows.csv")" ]'
"$kcut" stats --db "$work/whole.db" --module-families "$work/modules.tsv" --family scsi >/dev/null 2>&1
check "--family with no such module exits 2" '[ $? = 2 ]'
printf 'ma net\n' >"$work/bad.tsv"
"$kcut" stats --db "$work/whole.db" --module-families "$work/bad.tsv" >/dev/null 2>"$work/bad.err"
check "malformed --module-families exits 2 with file:line" '[ $? = 2 ] && grep -q "bad.tsv:1:" "$work/bad.err"'
"$kcut" stats --module-families "$work/modules.tsv" >/dev/null 2>&1
check "--module-families without --db exits 2" '[ $? = 2 ]'
"$kcut" stats --db "$work/ma.db" --by-module --format csv >"$work/bymod.csv"
check "--by-module on a one-module database names the module" 'grep -q "^-,ma,1,1," "$work/bymod.csv"'

# kcut roots / partition --module: one module of the whole-tree database, as its own database.
for m in ma mb; do
	"$kcut" roots --db "$work/whole.db" --module $m >"$work/roots-w-$m.txt" 2>&1
	check "roots --module $m exits 0" '[ $? = 0 ]'
	"$kcut" roots --db "$work/$m.db" >"$work/roots-s-$m.txt" 2>&1
	check "roots --module $m equals roots of $m's own database" 'cmp -s "$work/roots-w-$m.txt" "$work/roots-s-$m.txt"'
	"$kcut" partition --db "$work/whole.db" --module $m --mode mincut --name p$m --force >"$work/part-w-$m.txt" 2>&1
	check "partition --module $m exits 0" '[ $? = 0 ]'
	got=$(q "$work/whole.db" "SELECT count(*), sum(f.usr NOT LIKE 'M:$m|%') FROM partition_func pf JOIN partition p ON p.id = pf.partition_id JOIN func f ON f.id = pf.func_id WHERE p.name = 'p$m'")
	want=$(q "$work/$m.db" "SELECT count(*) FROM func WHERE is_driver = 1 AND is_defined = 1")
	check "partition --module $m holds exactly $m's $want functions" '[ "$got" = "$want|0" ]'
done
check "roots of ma and mb differ" '! cmp -s "$work/roots-w-ma.txt" "$work/roots-w-mb.txt"'
"$kcut" roots --db "$work/whole.db" --module nosuch >/dev/null 2>"$work/nosuch.err"
check "roots --module with an unknown module exits 2 naming it" '[ $? = 2 ] && grep -q nosuch "$work/nosuch.err"'

# corpus/figure2.py (the docs/results.md tables) on this two-module "corpus": both modules complete.
mkdir -p "$work/fig"
cp "$work/whole.db" "$work/modules.tsv" "$work/fig/" && cp "$work/map.tsv" "$work/fig/module-map.tsv"
python3 "$(dirname "$0")/../../corpus/figure2.py" "$kcut" "$work/fig" >"$work/fig.md" 2>&1
check "figure2.py exits 0" '[ $? = 0 ]'
check "figure2.py counts 2 complete modules" 'grep -q "2 modules with TUs, 2 complete" "$work/fig.md"'
check "figure2.py net line pools the two rows" 'grep -q "^| net | 134 | 27.8% | 2 (2) | 42.9% | 53.3% | 83.3% |" "$work/fig.md"'
printf '%s\tma\n%s\tmb\n%s/drv/mb/extra.c\tmb\n' "$work/drv/ma/ma.c" "$work/drv/mb/mb.c" "$work" \
	>"$work/fig/module-map.tsv"
python3 "$(dirname "$0")/../../corpus/figure2.py" "$kcut" "$work/fig" >"$work/fig2.md" 2>&1
check "figure2.py leaves out a module with a TU not stored yet" 'grep -q "2 modules with TUs, 1 complete" "$work/fig2.md"'

[ $fail = 0 ] && echo "wholetree: all passed" || echo "wholetree: FAILED"
exit $fail
