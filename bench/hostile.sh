#!/usr/bin/env bash
# bench/hostile.sh [MESSAGES] [BUILD_DIR]: the long hostile run of issue 14 (default 10 000 000
# messages) against the split simnic whose user half drives the device (device access forward),
# under ASan+UBSan: tests/hostile/run_hostile.py in bulk mode. BUILD_DIR (default build/test) must
# be a KC_SANITIZE=ON build with the targets kcut, kcut-sim, kc_rt, kc_rt_kmodel, kc_kmodel,
# kc_common, simnic and simnic_compdb built. One message in $KCUT_HOSTILE_RESTART_RATE (default
# 2000) is of any class, mostly faults that restart the user half; the others are refused with an
# error reply and no restart (bad register batches, made-up region ids) or are valid calls that
# change nothing. $KCUT_HOSTILE_RESTART_CLASSES=early limits the one-in-N messages to those the
# kernel half refuses before decoding any field (see docs/results.md: other classes can leave a
# refused message's fields written, which crashes the kernel half within a few restarts). Traffic (4 frames each way per round) runs between the ethtool commands whose
# upcalls carry the bursts; after the last message the remaining rounds run clean. Prints
# run_hostile.py's report and its RESULT line; the run's files stay in BUILD_DIR/hostile-bench.
# Exit status: run_hostile.py's (1: a crash, a sanitizer report, an executed must-refuse message,
# a lost frame, fewer messages than asked).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
msgs=${1:-10000000}
b=$(cd "${2:-$top/build/test}" && pwd)
case $msgs in
  ''|*[!0-9]*) echo "usage: bench/hostile.sh [MESSAGES] [BUILD_DIR]" >&2; exit 2 ;;
esac
grep -q 'KC_SANITIZE:BOOL=ON' "$b/CMakeCache.txt" || { echo "bench/hostile.sh: $b is not a KC_SANITIZE=ON build" >&2; exit 2; }
cc=$(sed -n 's/^CMAKE_C_COMPILER:FILEPATH=//p' "$b/CMakeCache.txt")
burst=${KCUT_HOSTILE_BURST:-1000}
# rounds: room for the messages at about 2 bursts of $burst per round, twice over
rounds=$(( msgs / burst + 20 ))
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec python3 "$top/tests/hostile/run_hostile.py" --kcut "$b/cli/kcut" --sim "$b/testdrivers/harness/kcut-sim" \
  --src "$top" --compdb "$b/testdrivers/drivers/simnic/compile_commands.json" --cc "$cc" \
  --rt-lib "$b/rt/libkc_rt.a" --common-lib "$b/common/libkc_common.a" \
  --kmodel-lib "$b/testdrivers/kmodel/libkc_kmodel.so" --workdir "$b/hostile-bench" \
  --cflags="-fsanitize=address,undefined" --driver simnic --device-access forward \
  --rt-kmodel-lib "$b/rt/libkc_rt_kmodel.a" --unsplit "$b/testdrivers/drivers/simnic/simnic.so" \
  --seed "${KCUT_HOSTILE_SEED:-1}" --rounds "$rounds" --burst "$burst" --channel 500 --thread 20 \
  --restart-rate "${KCUT_HOSTILE_RESTART_RATE:-2000}" --restart-classes "${KCUT_HOSTILE_RESTART_CLASSES:-all}" --quiet --messages "$msgs" --min-messages "$msgs" \
  --timeout "${KCUT_HOSTILE_TIMEOUT:-7200}"
