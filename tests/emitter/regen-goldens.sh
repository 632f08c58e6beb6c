#!/bin/sh
# Regenerate the emitter's golden files (tests/emitter/*/golden, golden-shared/, transcript.txt) from the current
# kcut, for review with `git diff` before they are committed.
#   tests/emitter/regen-goldens.sh [BUILD_DIR]     (default: build/emitter, else build)
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/emitter}
[ -x "$build/cli/kcut" ] || build=$here/../../build
for case in "$here"/*/ "$here"/shape/*/; do
	[ -f "$case/partition.txt" ] || continue
	# cases driven by their own script (shape/library: library_test.py) have no golden to update
	[ -d "$case/golden" ] || [ -f "$case/expect_errors.txt" ] || continue

	python3 "$here/run_emit.py" --kcut "$build/cli/kcut" --case "$case" --update \
		--rt-lib "$build/rt/libkc_rt.a" --common-lib "$build/common/libkc_common.a" \
		--cflags="$(grep -q 'KC_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && echo -fsanitize=address,undefined)"
done
