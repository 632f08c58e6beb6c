#!/usr/bin/env bash
# Install everything kcut's build, tests and demo need, from Debian's archive. Idempotent: when every
# package is already installed it does nothing. Works as root; uses sudo otherwise.
set -euo pipefail

PKGS=(
  # build
  build-essential cmake pkg-config
  # analyzer: libclang 14 (the system clang), JSON, SQLite
  libclang-14-dev clang-14 llvm-14 libclang-rt-14-dev libjansson-dev libsqlite3-dev sqlite3
  # partitioner: igraph max-flow, Z3 optimizer, libedit for `kcut tune`, Graphviz for SVG
  libigraph-dev libz3-dev libedit-dev graphviz
  # runtime benchmark baseline (XDR), SARIF schema check
  libtirpc-dev python3 python3-jsonschema
  # real Linux drivers (tests labelled 'linux'): kernel source and what its build needs
  linux-source-6.1 bc flex bison libelf-dev libssl-dev cpio xz-utils lld-14
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
