#!/usr/bin/env bash
# bench/fuzz.sh [SECONDS] [--save]: build the runtime's libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined; needs clang-14 and libclang-rt-14-dev) and run each for
# SECONDS (default 60). Runs start from the saved corpus tests/fuzz/<target>/ and write new
# inputs to build/fuzz/corpus-<target>/; with --save, the new inputs are minimised
# (-merge=1) into the saved corpus, which CTest replays (tests fuzz_<target>_corpus).
# A crash leaves build/fuzz/crash-* and makes the script exit 1. $KCUT_FUZZ_TARGETS (default
# "xdr msg objt regio") picks the targets; "split" is fuzz_split, the split simnic's kernel half
# (tests/fuzz/split_target.py builds it from kcut's output: it needs a KC_SANITIZE=ON build in
# $KCUT_BUILD, default build/test, with kcut, kcut-sim, kc_rt, kc_common, kc_kmodel and
# simnic_compdb built; run without leak detection and with allocator_may_return_null, see
# docs/results.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
save=${2:-}
out=${KCUT_FUZZ_DIR:-$top/build/fuzz}
cc=${CLANG:-$(command -v clang-14 || command -v clang || true)}
if [ -z "$cc" ]; then
  echo "bench/fuzz.sh: needs clang (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
case $secs in
  ''|*[!0-9]*) echo "usage: bench/fuzz.sh [SECONDS] [--save]" >&2; exit 2 ;;
esac
mkdir -p "$out"
flags=(-std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I"$top/rt" -I"$top/common")
# the runtime's portable sources and os_posix.c (not the kernel model's glue, plat_kmodel.c)
rt_src=($(ls "$top"/rt/*.c | grep -v '/plat_') "$top/common/kc_common.c")
status=0
printf '%-8s %10s %12s %8s %s\n' target seconds executions corpus result
for t in ${KCUT_FUZZ_TARGETS:-xdr msg objt regio}; do
  extra=()
  if [ "$t" = split ]; then
    b=$(cd "${KCUT_BUILD:-$top/build/test}" && pwd)
    python3 "$top/tests/fuzz/split_target.py" --mode fuzzer --clang "$cc" --kcut "$b/cli/kcut" \
      --sim "$b/testdrivers/harness/kcut-sim" --src "$top" \
      --compdb "$b/testdrivers/drivers/simnic/compile_commands.json" \
      --cc "$(sed -n 's/^CMAKE_C_COMPILER:FILEPATH=//p' "$b/CMakeCache.txt")" --rt-lib "$b/rt/libkc_rt.a" \
      --common-lib "$b/common/libkc_common.a" --kmodel-lib "$b/testdrivers/kmodel/libkc_kmodel.so" \
      --cflags="-fsanitize=address,undefined" --workdir "$out/split-work" --out "$out/fuzz_split" >/dev/null
    extra=(-detect_leaks=0 -rss_limit_mb=0 -timeout=10)
    export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=0}
  else
    "$cc" "${flags[@]}" -o "$out/fuzz_$t" "$top/tests/fuzz/fuzz_$t.c" "${rt_src[@]}" -lpthread
  fi
  mkdir -p "$out/corpus-$t"
  log="$out/fuzz_$t.log"
  result=ok
  if ! (cd "$out" && ./fuzz_$t -max_total_time="$secs" -print_final_stats=1 "${extra[@]}" \
          "corpus-$t" "$top/tests/fuzz/$t" >"$log" 2>&1); then
    result="CRASH (see $log)"
    status=1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  ncorp=$(ls "$out/corpus-$t" | wc -l)
  printf '%-8s %10s %12s %8s %s\n' "$t" "$secs" "${execs:-?}" "$ncorp" "$result"
  if [ "$save" = "--save" ] && [ "$result" = ok ]; then
    (cd "$out" && ./fuzz_$t -merge=1 "$top/tests/fuzz/$t" "corpus-$t" >>"$log" 2>&1)
  fi
done
exit $status
