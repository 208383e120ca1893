#!/usr/bin/env bash
# Configure and build pdaos out of tree.
#   scripts/build.sh [build-dir] [extra cmake args...]
# PDAOS_SANITIZE=1 builds with ASan+UBSan (Debug).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
args=()
if [ "${PDAOS_SANITIZE:-0}" = 1 ]; then
	args+=(-DPDAOS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
cmake -S . -B "$build_dir" "${args[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
