#!/usr/bin/env bash
# Install dependencies, build kcut, and run the pipeline as far as it exists on the bundled test driver
# (testdrivers/drivers/simnic, an e1000-class NIC driver written the way Linux drivers are):
#   1. run the unsplit driver in the user-space kernel model (kcut-sim) on a short scenario;
#   2. kcut analyze -> the program database;
#   3. kcut roots, kcut partition (propagation and min-cut), kcut why;
#   4. kcut graph (SVG when Graphviz is installed).
# Everything it writes goes to build/demo/run/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
build=$top/build/demo
"$top/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
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

step "kcut partition --mode mincut: minimise kernel LOC + crossing weight (igraph max-flow)"
"$kcut" partition --mode mincut --name mincut --force >mincut.txt
head -n 12 mincut.txt

step "kcut why: the reason a function is on its side"
"$kcut" why simnic_read_phy_reg
"$kcut" why simnic_probe

step "kcut graph: the call graph with the two halves"
"$kcut" graph --partition mincut --format svg -o "$run/simnic.svg" 2>/dev/null ||
	"$kcut" graph --partition mincut --format dot -o "$run/simnic.dot"

echo
echo "Database: $KCUT_DB (try: sqlite3 $KCUT_DB 'SELECT name, loc FROM func WHERE is_driver ORDER BY loc DESC LIMIT 10')"
