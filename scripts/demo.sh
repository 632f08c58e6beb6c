#!/usr/bin/env bash
# Install dependencies, build kcut, and run the pipeline as far as it exists on the bundled test driver
# (testdrivers/drivers/simnic, an e1000-class NIC driver written the way Linux drivers are):
#   1. run the unsplit driver in the user-space kernel model (kcut-sim) on a short scenario;
#   2. kcut analyze -> the program database;
#   3. kcut roots, kcut partition (propagation and min-cut), kcut why;
#   4. kcut graph (SVG when Graphviz is installed);
#   5. the split driver with device access (issue 13): partition so that the user half drives the
#      device (probe, reset, EEPROM/PHY, ethtool register dump and self-tests: registers forwarded
#      through the runtime's device regions), kcut emit, build both halves, run a scenario split and
#      unsplit, kill the user half under traffic and let it restart, and print a summary (kernel
#      share, byte-identical or not, register-access log identical or not, crossings).
# Everything it writes goes to build/demo/run/ (or DIR/run).
#   scripts/demo.sh [--build DIR]    DIR: use an existing build (no dependency install, no rebuild)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--build" ] && [ -n "${2:-}" ]; then
	build=$(cd "$2" && pwd)
else
	"$top/scripts/deps.sh"
	build=$top/build/demo
	"$top/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
kcut=$build/cli/kcut
sim=$build/testdrivers/harness/kcut-sim
drv=$top/testdrivers/drivers/simnic
run=$build/run
rm -rf "$run"
mkdir -p "$run"
cd "$run"
export KCUT_DB=$run/kcut.db

step() { printf '\n== %s\n' "$*"; }

step "kcut $("$kcut" --version | cut -d' ' -f2): the unsplit simnic driver in the kernel model (kcut-sim)"
"$sim" --driver "$build/testdrivers/drivers/simnic/simnic.so" "$top/tests/testdrivers/simnic/basic.sim" >sim.txt
head -n 25 sim.txt
echo "   ... (full transcript: $run/sim.txt)"

step "kcut analyze: parse the driver through its compile_commands.json"
"$kcut" analyze -p "$build/testdrivers/drivers/simnic/compile_commands.json" --driver "$drv"
"$kcut" db info

step "kcut roots: the critical entry points and the template rule behind each"
"$kcut" roots

step "kcut partition --mode propagate: roots plus everything they call (the Microdrivers splitter)"
"$kcut" partition --mode propagate --name propagate --force >propagate.txt
head -n 6 propagate.txt

step "kcut partition --mode mincut --device-access none: without device access (register/DMA code pinned)"
"$kcut" partition --mode mincut --device-access none --name mincut-none --force >mincut-none.txt
head -n 3 mincut-none.txt

step "kcut partition --mode mincut: minimise kernel LOC + crossing weight (igraph max-flow); device access forward (the default)"
"$kcut" partition --mode mincut --name mincut --force >mincut.txt
head -n 12 mincut.txt

step "kcut why: the reason a function is on its side"
"$kcut" why simnic_read_phy_reg
"$kcut" why simnic_probe

step "kcut graph: the call graph with the two halves"
"$kcut" graph --partition mincut --format svg -o "$run/simnic.svg" 2>/dev/null ||
	"$kcut" graph --partition mincut --format dot -o "$run/simnic.dot"

step "the split with device access: the user half drives the device (the min-cut partition above)"
# --device-access forward (the default) lets register and DMA code leave the kernel; the state the
# interrupt path shares goes with it: the runtime carries it at every crossing (kcut why names it)
"$kcut" why simnic_configure_tx | head -n 4
kshare=$(sed -n 's/^  kernel: .*LOC (\([0-9.]*%\)).*/\1/p' mincut.txt | head -1)

step "kcut emit: the split driver (kernel half, user half, stubs, interface.txt)"
"$kcut" emit --partition mincut -o "$run/split" --annotations "$drv/simnic.kcut-annotations" 2>&1 |
	grep -v 'defined by a macro expansion' || true
sed -n '/^device access/,/^all crossings/p' "$run/split/interface.txt" | grep -v '^all crossings' | cut -c1-150

step "build both halves against the kernel model (kernel half: a module kcut-sim loads; user half: a program)"
cflags=(-std=gnu11 -O2 -fPIC -DKBUILD_MODNAME=\"simnic\" -Wall -Wextra -Werror -Wno-unused-parameter
	-Wno-format-truncation -fno-strict-aliasing -I"$run/split/include" -I"$top/rt" -I"$top/common" -I"$drv"
	-I"$top/testdrivers/kmodel/include")
# a sanitizer build's libraries need the same instrumentation in the halves
if grep -q 'KC_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
	cflags+=(-fsanitize=address,undefined)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}intercept_tls_get_addr=0:detect_leaks=0
fi
kmod=$build/testdrivers/kmodel/libkc_kmodel.so
mkdir -p "$run/kernel"
"${CC:-cc}" "${cflags[@]}" -shared -o "$run/kernel/simnic.so" "$run"/split/kernel/*.c "$build/rt/libkc_rt_kmodel.a" \
	"$build/rt/libkc_rt.a" "$build/common/libkc_common.a" "$kmod" -lpthread
"${CC:-cc}" "${cflags[@]}" -o "$run/simnic-user" "$run"/split/user/*.c "$build/rt/libkc_rt.a" \
	"$build/common/libkc_common.a" "$kmod" -Wl,-rpath,"$(dirname "$kmod")" -lpthread
echo "kernel half: $run/kernel/simnic.so   user half: $run/simnic-user"

step "run the bulk scenario unsplit and split (probe, open, ring resize and statistics through the user half, which drives the device; traffic in the kernel half)"
scen=$top/tests/testdrivers/simnic/bulk.sim
"$sim" --driver "$build/testdrivers/drivers/simnic/simnic.so" --mmio-log unsplit.mmio "$scen" >unsplit.txt 2>unsplit.err
KCUT_TRACE=$run/split.trace "$sim" --driver "$run/kernel/simnic.so" --user-half "$run/simnic-user" \
	--mmio-log split.mmio "$scen" >split.txt 2>split.err
grep -v '^cpu: ' unsplit.txt >unsplit.cmp; grep -v '^cpu: ' split.txt >split.cmp
same=$(cmp -s unsplit.cmp split.cmp && echo yes || echo no)
mmio=$(cmp -s unsplit.mmio split.mmio && echo yes || echo "no (see docs/results.md)")
sed -n '/^> ethtool -G/,/^> send/p' split.txt | head -n 12
# crossings by kind, from the kernel half's crossing trace
read -r up down rio < <(awk -v ids="$run/split/include/kcut_ids.h" '
	BEGIN { while ((getline l < ids) > 0) if (match(l, /KCUT_(UP|DOWN)_[A-Za-z0-9_]+ = /)) {
			n = substr(l, RSTART + 5, RLENGTH - 8); k = substr(l, RSTART + 5, 2)
			if (k == "UP") { sub(/^UP_/, "", n); isup[n] = 1 } else { sub(/^DOWN_/, "", n); isdown[n] = 1 } } }
	/^#/ { next }
	{ if ($2 == "(regio)") r += $3; else if ($2 in isup) u += $3; else if ($2 in isdown) d += $3 }
	END { printf "%d %d %d\n", u, d, r }' "$run/split.trace")

step "kill -9 the user half during traffic; the supervisor restarts it and the driver goes on"
fault=$top/tests/emitter/split/simnic-fault.sim
KCUT_RT_RESTART_MS=1000 "$sim" --driver "$run/kernel/simnic.so" --user-half "$run/simnic-user" "$fault" >fault.txt 2>fault.err || true
grep -E '^user-half|^> (send|receive|ethtool -i|user-half)|^summary' fault.txt | head -n 16
killed=$(grep -c '^user-half: killed' fault.txt || true)
restarted=$(grep -c '^user-half: running' fault.txt || true)
bugs=$(sed -n 's/^summary: \([0-9]*\) BUG.*/\1/p' fault.txt | tail -1)

step "summary"
echo "kernel share (LOC in the kernel half): ${kshare:-?} of simnic (device access forward, the default;"
echo "  without device access: $(sed -n 's/^  kernel: .*LOC (\([0-9.]*%\)).*/\1/p' mincut-none.txt | head -1))"
echo "bulk scenario, split vs unsplit: byte-identical transcript: $same; register-access log identical: $mmio"
echo "crossings in that run: $up upcalls, $down downcalls, $rio register batches (forwarded, posted writes)"
echo "kill -9 of the user half under traffic: killed $killed time(s), restarted $restarted time(s);"
echo "  the kernel model's BUG reports in that run (leaks at remove, DMA faults): ${bugs:-?}"

echo
echo "Database: $KCUT_DB (try: sqlite3 $KCUT_DB 'SELECT name, loc FROM func WHERE is_driver ORDER BY loc DESC LIMIT 10')"
