#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors,
# runs the C and Python suites (goldens, pyarrow/polars/DuckDB oracles), then
# the C suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
#
# Usage: scripts/test.sh            (from anywhere; builds in ./build*)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

bash scripts/bootstrap.sh "$root/build"

section() { printf '\n==== %s ====\n' "$*"; }

section "release build (-Werror) and full test suite"
cmake -S . -B build -DCSFS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

section "ASan + UBSan build: C test suite"
cmake -S . -B build-asan -DCSFS_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCSFS_SANITIZE=address,undefined -DCSFS_PYTHON_TESTS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$jobs")
