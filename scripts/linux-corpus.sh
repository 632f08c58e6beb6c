#!/usr/bin/env bash
# linux-corpus.sh: the driver corpus for `kcut stats` (issue 7): every network, SCSI and sound
# driver of Linux 6.1 built as a module, one compile_commands.json, a module map, and one kcut
# database per module.
#
# It reuses the pristine source tree of scripts/linux-prepare.sh ($KCUT_LINUX_CACHE/src) and makes an
# out-of-tree build (O=) in the corpus cache with allmodconfig (minus sanitizers, LTO, CFI, -Werror,
# which only change flags). The objects of the chosen family directories are "built" with
# scripts/linux-corpus-cc.sh as CC: kbuild runs its usual rules, writes its .cmd files and the
# <module>.mod files listing each module's objects, but the wrapper does not compile the family's C
# files (it writes an empty object and a dependency file), so the build costs kbuild's bookkeeping,
# not a compile. gen_compile_commands.py then writes the compile_commands.json, and the .mod files
# give the module map:
#     $CACHE/compile_commands.json       every TU of the families
#     $CACHE/modules.tsv                 module <TAB> family <TAB> directory <TAB> source files (space-separated)
#     $CACHE/module-map.tsv              source <TAB> module (`kcut analyze --module-map`)
#     $CACHE/db/<family>/<module>.db     `kcut analyze` of that module's TUs (--analyze)
#     $CACHE/whole/whole.db              with --whole-tree: ONE database for all selected modules
#                                        (tu.module set; `kcut stats --db` reports it per module)
# Every step leaves a stamp; a finished step is skipped on the next run, an interrupted one is
# redone (make itself resumes where it stopped; a module database is written to a temporary name
# and renamed when its analysis finished).
#
# Usage: scripts/linux-corpus.sh [--families net,scsi,sound] [--modules M1,M2|--limit N]
#                                [--analyze | --whole-tree] [--kcut PATH] [--out DIR] [-j N]
#                                [--cache DIR] [--print-cache] [--force]
set -euo pipefail

families=net,scsi,sound
modules=""
limit=0
analyze=0
whole=0
kcut=""
out=""
jobs=${KCUT_CORPUS_JOBS:-2}
cache=${KCUT_CORPUS_CACHE:-${HOME:-/tmp}/.cache/kcut/corpus}
force=0
print_cache=0
STAMP_VERSION=1

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	cat <<'EOF2'
Families: net (drivers/net/ethernet), scsi (drivers/scsi), sound (sound/pci, sound/isa, sound/drivers).
--modules analyses only the named modules, --limit the first N modules per family (in path order).
--analyze runs `kcut analyze` per module (kcut from --kcut, else build/*/cli/kcut, else PATH) into
--out DIR (default $CACHE/db): DIR/<family>/<module>.db, the layout `kcut stats --corpus DIR` reads.
--whole-tree analyses every selected module into ONE database, --out DIR (default $CACHE/whole):
DIR/whole.db with `kcut analyze -j N --module-map` (DIR/module-map.tsv, DIR/modules.tsv of the
selection, DIR/analyze.log); resumable: a re-run skips the TUs already stored. Then
`kcut stats --db DIR/whole.db --module-families DIR/modules.tsv --per-driver`.
Environment: KCUT_CORPUS_CACHE, KCUT_LINUX_CACHE (source tree), KCUT_CORPUS_JOBS (make -j, default 2).
EOF2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--families) families=$2; shift 2 ;;
	--families=*) families=${1#*=}; shift ;;
	--modules) modules=$2; shift 2 ;;
	--modules=*) modules=${1#*=}; shift ;;
	--limit) limit=$2; shift 2 ;;
	--limit=*) limit=${1#*=}; shift ;;
	--analyze) analyze=1; shift ;;
	--whole-tree) analyze=1; whole=1; shift ;;
	--kcut) kcut=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--kcut=*) kcut=${1#*=}; shift ;;
	-j) jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	--cache) cache=$2; shift 2 ;;
	--cache=*) cache=${1#*=}; shift ;;
	--force) force=1; shift ;;
	--print-cache) print_cache=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "linux-corpus: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ "$print_cache" = 1 ] && { echo "$cache"; exit 0; }
case "$limit" in ''|*[!0-9]*) echo "linux-corpus: --limit needs a number" >&2; exit 2 ;; esac

fam_dirs() {
	case "$1" in
	net) echo "drivers/net/ethernet" ;;
	scsi) echo "drivers/scsi" ;;
	sound) echo "sound/pci sound/isa sound/drivers" ;;
	*) return 1 ;;
	esac
}
fam_list=$(tr ',' ' ' <<<"$families")
for f in $fam_list; do
	fam_dirs "$f" >/dev/null || { echo "linux-corpus: unknown family '$f' (known: net, scsi, sound)" >&2; exit 2; }
done

top=$(cd "$(dirname "$0")/.." && pwd)
case "$(realpath -m "$cache")/" in
"$top"/*) echo "linux-corpus: cache '$cache' is inside the repository" >&2; exit 2 ;;
esac

# The source tree comes from linux-prepare.sh (only its unpack step is needed; it is cheap when done).
lcache=$("$top/scripts/linux-prepare.sh" --print-cache)
src=$lcache/src
if [ ! -f "$src/Makefile" ] || [ ! -f "$lcache/stamps/unpack" ]; then
	echo "linux-corpus: preparing the source tree with scripts/linux-prepare.sh" >&2
	"$top/scripts/linux-prepare.sh" --drivers e1000 --gcc-drivers none
fi

steps_tag=linux-corpus
. "$top/scripts/lib/steps.sh"
steps_lock
T0=$(date +%s)

obj=$cache/build
wrapper=$top/scripts/linux-corpus-cc.sh
all_dirs=""
for f in net scsi sound; do all_dirs="$all_dirs $(fam_dirs "$f")"; done
fake=$(for d in $all_dirs; do printf '%s/|' "$d"; done)
fake=${fake%|}
mk=(nice -n 19 make -C "$src" O="$obj" -s -j"$jobs" LLVM=-14 CC="$wrapper")
export KCUT_CORPUS_FAKE=$fake KCUT_CORPUS_REALCC=clang-14

# --- configuration: allmodconfig without the options that only add instrumentation ---------------
src_key="v$STAMP_VERSION $(cat "$lcache/stamps/unpack")"
if ! stamp_ok config "$src_key" || [ ! -f "$obj/.config" ]; then
	stamp_clear config; stamp_clear prepare
	step_begin "configuring $obj (allmodconfig)"
	mkdir -p "$obj"
	"${mk[@]}" allmodconfig >/dev/null
	"$src/scripts/config" --file "$obj/.config" -d WERROR -d KASAN -d KCSAN -d UBSAN -d KCOV \
		-d GCOV_KERNEL -d KMSAN -d CFI_CLANG -d LTO_CLANG_THIN -d LTO_CLANG_FULL -e LTO_NONE \
		-d MODVERSIONS -d DEBUG_INFO -d DEBUG_INFO_BTF -e DEBUG_INFO_NONE -d RANDSTRUCT_FULL \
		-d RANDSTRUCT_PERFORMANCE -e RANDSTRUCT_NONE -d FTRACE -d STACK_VALIDATION
	"${mk[@]}" olddefconfig >/dev/null
	stamp_set config "$src_key"
	step_end
fi
if ! stamp_ok prepare "$src_key"; then
	step_begin "make prepare"
	"${mk[@]}" prepare
	stamp_set prepare "$src_key"
	step_end
fi

# --- the family directories, one make per directory (stamped), -k so one broken object does not stop it
for f in $fam_list; do
	for d in $(fam_dirs "$f"); do
		key="$src_key $d"
		st="build.$(tr / _ <<<"$d")"
		if stamp_ok "$st" "$key"; then
			echo "linux-corpus: $d is built (stamp)"
			continue
		fi
		step_begin "kbuild $d/ (commands recorded, C files not compiled)"
		if ! "${mk[@]}" -k "$d/" >"$cache/build-$(tr / _ <<<"$d").log" 2>&1; then
			echo "linux-corpus:   make reported errors (see $cache/build-$(tr / _ <<<"$d").log); continuing" >&2
		fi
		stamp_set "$st" "$key"
		step_end
	done
done

# --- compile_commands.json and the module map ------------------------------------------------------
step_begin "compile_commands.json and modules.tsv"
dirs_arg=""
for f in $fam_list; do dirs_arg="$dirs_arg $f=$(fam_dirs "$f" | tr ' ' ,)"; done
python3 "$src/scripts/clang-tools/gen_compile_commands.py" -d "$obj" -o "$cache/cc-all.json.tmp" \
	$(for f in $fam_list; do for d in $(fam_dirs "$f"); do echo "$obj/$d"; done; done)
python3 - "$cache/cc-all.json.tmp" "$src" "$obj" "$wrapper" "$cache" $dirs_arg <<'PY'
# Replace the wrapper by clang-14 in every command, and build the module map from the .mod files:
# each <module>.mod lists the module's objects; an object's source is <src>/<path>.c (or the object
# tree's, for generated sources). A module belongs to the family whose directory holds it.
import json, os, sys
ccdb, src, obj, wrapper, cache = sys.argv[1:6]
fams = {}
for a in sys.argv[6:]:
    f, ds = a.split("=", 1)
    for d in ds.split(","):
        fams[d] = f
entries = json.load(open(ccdb))
files = set()
for e in entries:
    if "command" in e:
        e["command"] = e["command"].replace(wrapper, "clang-14", 1)
    files.add(os.path.realpath(os.path.join(e["directory"], e["file"])))
rows = []
for d, f in sorted(fams.items()):
    for root, _, names in os.walk(os.path.join(obj, d)):
        for n in sorted(names):
            if not n.endswith(".mod"):
                continue
            rel = os.path.relpath(os.path.join(root, n), obj)
            srcs = []
            for o in open(os.path.join(root, n)).read().split():
                base = o[:-2] if o.endswith(".o") else o
                for cand in (os.path.join(src, base + ".c"), os.path.join(obj, base + ".c")):
                    if os.path.realpath(cand) in files:
                        srcs.append(os.path.realpath(cand))
                        break
            if srcs:
                rows.append((n[:-4], f, os.path.dirname(os.path.join(src, rel)), srcs))
rows.sort(key=lambda r: (r[1], r[2], r[0]))
with open(os.path.join(cache, "modules.tsv.tmp"), "w") as fh:
    for m, f, d, s in rows:
        fh.write("%s\t%s\t%s\t%s\n" % (m, f, d, " ".join(s)))
# module-map.tsv (kcut analyze --module-map): SOURCE<TAB>MODULE; a source that several modules link
# (rare: kbuild builds the object once) keeps the first module and is counted.
seen, shared = {}, 0
for m, f, d, s in rows:
    for x in s:
        if x in seen:
            shared += seen[x] != m
            continue
        seen[x] = m
with open(os.path.join(cache, "module-map.tsv.tmp"), "w") as fh:
    for x in sorted(seen):
        fh.write("%s\t%s\n" % (x, seen[x]))
os.replace(os.path.join(cache, "module-map.tsv.tmp"), os.path.join(cache, "module-map.tsv"))
if shared:
    print("linux-corpus:   %d source(s) linked into more than one module (module-map.tsv keeps the first)" % shared)
with open(os.path.join(cache, "compile_commands.json.tmp"), "w") as fh:
    json.dump(entries, fh, indent=1)
os.replace(os.path.join(cache, "modules.tsv.tmp"), os.path.join(cache, "modules.tsv"))
os.replace(os.path.join(cache, "compile_commands.json.tmp"), os.path.join(cache, "compile_commands.json"))
print("linux-corpus:   %d TUs, %d modules" % (len(entries), len(rows)))
for f in sorted(set(fams.values())):
    print("linux-corpus:   %-6s %d modules" % (f, sum(1 for r in rows if r[1] == f)))
PY
rm -f "$cache/cc-all.json.tmp"
step_end

[ "$analyze" = 1 ] || { printf 'linux-corpus: ready in %d s; cache %s\n' "$(($(date +%s) - T0))" "$cache"; exit 0; }

# The build is done: release the lock so that analyses into other --out directories run concurrently
# (an --out directory itself must not be shared by two runs at once).
exec 9>&-

# --- per-module analysis ---------------------------------------------------------------------------
if [ -z "$kcut" ]; then
	for k in "$top"/build/*/cli/kcut; do [ -x "$k" ] && kcut=$k && break; done
	[ -n "$kcut" ] || kcut=$(command -v kcut || true)
fi
[ -x "$kcut" ] || { echo "linux-corpus: no kcut binary (use --kcut)" >&2; exit 2; }
if [ -z "$out" ]; then
	if [ "$whole" = 1 ]; then out=$cache/whole; else out=$cache/db; fi
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The selection is private to this run (two runs with different --out may overlap).
sel=$(mktemp "$out/.selected.XXXXXX")
trap 'rm -f "$sel"' EXIT
python3 - "$cache/modules.tsv" "$modules" "$limit" "$families" >"$sel" <<'PY'
import sys
tsv, mods, limit, fams = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(",")
# Families interleaved (round robin), and within a family the modules with fewer TUs first (ties in
# path order), so that an interrupted run has numbers for every family and for as many drivers as
# possible; the giants (mlx5_core: 196 TUs) come last. --limit takes the first N in path order.
want = set(m for m in mods.split(",") if m)
per = {}
for line in open(tsv):
    m, f = line.split("\t")[:2]
    if f not in fams or (want and m not in want):
        continue
    per.setdefault(f, [])
    if not limit or len(per[f]) < limit:
        per[f].append(line)
for f in per:
    per[f].sort(key=lambda l: len(l.rstrip("\n").split("\t")[3].split()))
i = 0
while any(i < len(v) for v in per.values()):
    for f in fams:
        if f in per and i < len(per[f]):
            sys.stdout.write(per[f][i])
    i += 1
PY
n=$(wc -l <"$sel")
if [ "$whole" = 1 ]; then
	# --- whole-tree analysis: one database, one kcut analyze -j N over the selection ---------------
	# The selection's TUs in selection order (so an interrupted run holds whole modules, small ones
	# first), its module map (a source linked into several selected modules keeps the first), its
	# modules.tsv, and the modules' directories as --driver directories.
	python3 - "$cache/compile_commands.json" "$sel" "$out" <<'PY'
import json, os, sys
ccdb, sel, out = sys.argv[1:4]
lines = [l.rstrip("\n").split("\t") for l in open(sel) if l.strip()]
by_file = {}
for e in json.load(open(ccdb)):
    by_file.setdefault(os.path.realpath(os.path.join(e["directory"], e["file"])), e)
entries, owner, dirs = [], {}, []
for m, f, d, srcs in lines:
    if d not in dirs:
        dirs.append(d)
    for s in srcs.split():
        if s in owner or s not in by_file:
            continue
        owner[s] = m
        entries.append(by_file[s])
def put(name, text):
    with open(os.path.join(out, name + ".tmp"), "w") as fh:
        fh.write(text)
    os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
put("compile_commands.json", json.dumps(entries, indent=1))
put("module-map.tsv", "".join("%s\t%s\n" % (s, owner[s]) for s in sorted(owner)))
put("modules.tsv", "".join("\t".join(l) + "\n" for l in lines))
put("drivers.txt", "".join(d + "\n" for d in dirs))
print("linux-corpus:   whole tree: %d modules, %d TUs, %d driver directories" % (len(lines), len(entries), len(dirs)))
PY
	step_begin "kcut analyze (whole tree): $n modules into $out/whole.db, -j $jobs ($kcut)"
	drv=()
	while IFS= read -r d; do drv+=(--driver "$d"); done <"$out/drivers.txt"
	rc=0
	nice -n 10 "$kcut" analyze -p "$out/compile_commands.json" --db "$out/whole.db" "${drv[@]}" \
		--module-map "$out/module-map.tsv" --keep-going -j "$jobs" --no-progress -v \
		>>"$out/analyze.log" 2>&1 || rc=$?
	step_end
	case $rc in
	0|1|3) ;;
	*) echo "linux-corpus: kcut analyze failed (rc=$rc, see $out/analyze.log)" >&2; exit 2 ;;
	esac
	printf 'linux-corpus: ready in %d s (kcut analyze rc=%d); %s/whole.db\n' "$(($(date +%s) - T0))" "$rc" "$out"
	exit 0
fi
step_begin "kcut analyze: $n modules, $jobs at a time ($kcut)"
# the stamp of a module database names the kcut binary by path and content: a rebuilt kcut (another
# analyzer, another schema version) re-analyzes
KCUT_BIN_SUM=$(md5sum <"$kcut" | cut -c1-32)
export KCUT_BIN=$kcut KCUT_BIN_SUM KCUT_CACHE=$cache KCUT_OUT=$out
# One module: its TUs from the corpus json, analyzed into db/<family>/<module>.db.
analyze_one() {
	IFS=$'\t' read -r m f d s <<<"$1"
	local out=$KCUT_OUT/$f/$m.db key
	key="$KCUT_BIN $KCUT_BIN_SUM $s"
	if [ -f "$out" ] && [ -f "$out.stamp" ] && [ "$(cat "$out.stamp")" = "$key" ]; then
		return 0
	fi
	mkdir -p "$KCUT_OUT/$f/$m.tmp"
	python3 - "$KCUT_CACHE/compile_commands.json" "$KCUT_OUT/$f/$m.tmp/compile_commands.json" $s <<'PY'
import json, os, sys
keep = set(sys.argv[3:])
e = [x for x in json.load(open(sys.argv[1])) if os.path.realpath(os.path.join(x["directory"], x["file"])) in keep]
json.dump(e, open(sys.argv[2], "w"))
PY
	printf '%s\n' $s | sed "s/\$/\t$m/" >"$KCUT_OUT/$f/$m.tmp/module-map.tsv"
	rm -f "$out.tmp"
	local t0 rc=0
	t0=$(date +%s.%N)
	nice -n 19 "$KCUT_BIN" analyze -p "$KCUT_OUT/$f/$m.tmp/compile_commands.json" --db "$out.tmp" \
		--driver "$d" --module-map "$KCUT_OUT/$f/$m.tmp/module-map.tsv" --keep-going -j 1 --no-progress >"$KCUT_OUT/$f/$m.log" 2>&1 || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 3 ] || [ "$rc" = 1 ]; then
		mv -f "$out.tmp" "$out"
		printf '%s\n' "$key" >"$out.stamp"
		printf 'linux-corpus:   %-8s %-28s rc=%d %.1f s\n' "$f" "$m" "$rc" "$(echo "$(date +%s.%N) - $t0" | bc)"
	else
		echo "linux-corpus:   $f $m: kcut analyze failed (rc=$rc, see $KCUT_OUT/$f/$m.log)" >&2
	fi
	rm -rf "$KCUT_OUT/$f/$m.tmp"
}
export -f analyze_one
tr '\n' '\0' <"$sel" | xargs -0 -r -n 1 -P "$jobs" bash -c 'analyze_one "$1"' _
step_end
printf 'linux-corpus: ready in %d s; cache %s\n' "$(($(date +%s) - T0))" "$cache"
