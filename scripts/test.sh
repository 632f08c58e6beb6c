#!/usr/bin/env bash
# Install dependencies, build kcut with AddressSanitizer + UndefinedBehaviorSanitizer, run every test.
# Extra arguments go to ctest (e.g. scripts/test.sh -L analyzer, or -LE linux to skip real-kernel tests).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
build=${KCUT_TEST_BUILD:-$top/build/test}
"$top/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=Debug -DKC_SANITIZE=ON
cd "$build"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Without arguments: every test except the qemu-labelled guest boots (slow, and they need the cached
# guest kernel of scripts/qemu-e1000.sh; run them with `ctest -L qemu` in the build directory).
[ $# -gt 0 ] || set -- -LE qemu
ctest --output-on-failure -j"$(nproc)" "$@"
