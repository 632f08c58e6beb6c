#!/usr/bin/env bash
# scripts/build.sh BUILD_DIR [cmake -D options...]: configure and build kcut into BUILD_DIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: scripts/build.sh BUILD_DIR [cmake options]}
shift
cmake -S "$top" -B "$dir" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
