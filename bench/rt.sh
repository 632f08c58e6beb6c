#!/usr/bin/env bash
# bench/rt.sh [ITERATIONS]: the runtime's benchmark. Builds rt_bench and the test user half
# optimised, without sanitizers (gcc -O2, straight from the sources, so it does not depend on
# the rest of the project building), then runs one rt_bench that measures, side by side:
#   - a null upcall round trip through kc_rt with the user half idle / adaptive / busy, beside
#     pipe, Unix socket, bare futex and bare spin ping-pong between two processes (median and
#     best of 5 rounds, ratios to the futex and to the spin ping-pong of the same run; set
#     KC_RT_BENCH_ROUNDS=3..101 for more rounds on a noisy machine);
#   - XDR encode+decode of an int, a 16-field struct, 32 ints, a 256-byte string and 4 KB with
#     kc_xdr, libtirpc and memcpy.
# Needs libtirpc-dev. Numbers go into docs/performance.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-20000}
case $n in
  ''|*[!0-9]*) echo "usage: bench/rt.sh [ITERATIONS]" >&2; exit 2 ;;
esac
if [ ! -f /usr/include/tirpc/rpc/xdr.h ]; then
  echo "bench/rt.sh: needs libtirpc-dev (the XDR baseline); run scripts/deps.sh" >&2
  exit 2
fi
out=${KCUT_BENCH_DIR:-$top/build/bench-rt}
mkdir -p "$out"
cc=${CC:-gcc}
flags=(-std=c11 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/rt" -I"$top/common" -I"$top/tests/rt")
# the runtime without its kernel-model platform file (plat_kmodel.c needs the kernel model's headers)
rt_src=("$top/common/kc_common.c")
for f in "$top"/rt/*.c; do
  [ "$(basename "$f")" = plat_kmodel.c ] || rt_src+=("$f")
done
"$cc" "${flags[@]}" -o "$out/rt_user_test" "$top/tests/rt/rt_user_test.c" "${rt_src[@]}" -lpthread
"$cc" "${flags[@]}" -I/usr/include/tirpc -o "$out/rt_bench" "$top/tests/rt/rt_bench.c" "${rt_src[@]}" \
  -ltirpc -lpthread
echo "# kcut rt benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(uname -r)"
"$out/rt_bench" "$out/rt_user_test" "$n"
