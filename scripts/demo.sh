#!/usr/bin/env bash
# Install dependencies, build kcut, and run the pipeline as far as it exists on the bundled test driver.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
build=$top/build/demo
"$top/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
kcut=$build/cli/kcut
"$kcut" --version
