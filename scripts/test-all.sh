#!/usr/bin/env bash
# Install dependencies, build, and run every test: the release build first,
# then the unit tests again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

echo "=== build (RelWithDebInfo) ==="
bash scripts/build.sh build
echo "=== ctest (RelWithDebInfo) ==="
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 600)

echo "=== build (Debug, ASan+UBSan) ==="
PDAOS_SANITIZE=1 bash scripts/build.sh build-asan
echo "=== ctest (ASan+UBSan, unit tests) ==="
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j "$(nproc)" -L unit --timeout 900)
echo "=== all tests passed ==="
