#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors,
# runs the C and Python suites (goldens, pyarrow/polars/DuckDB oracles), then
# the C suite again under AddressSanitizer + UndefinedBehaviorSanitizer and
# under ThreadSanitizer, and a short libFuzzer run of every fuzz target
# (tests/fuzz/campaign.sh runs the long ones).
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

section "ThreadSanitizer build: C test suite (parallel engine)"
cmake -S . -B build-tsan -DCSFS_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCSFS_SANITIZE=thread -DCSFS_PYTHON_TESTS=OFF >/dev/null
cmake --build build-tsan -j"$jobs"
(cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --output-on-failure -j"$jobs")

section "libFuzzer build (clang, ASan+UBSan): short fuzz run of every target"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCSFS_FUZZ=ON -DCSFS_WERROR=ON \
  -DCSFS_PYTHON_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzzers
(cd build-fuzz && ctest -R '^fuzz\.' --output-on-failure -j"$jobs" &&
  awk '/^[0-9]+\/[0-9]+ Testing: fuzz\./ { t = $3 }
       /^Done [0-9]+ runs/ { printf "  %-28s %s\n", t, $0 }' Testing/Temporary/LastTest.log)
