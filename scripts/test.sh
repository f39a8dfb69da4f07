#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors,
# runs the C and Python suites (goldens, pyarrow/polars/DuckDB oracles), the
# same suite once more without shared/ (everything that needs it must skip),
# the install checks (scripts/install_check.sh: fresh clone, pip install .,
# pip wheel ., cmake --install, pkg-config, find_package, nm -D, man), then
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

# shared/ (specs, real lists, goldens) beside the repository unless told otherwise.
shared=${CSFS_SHARED_DIR:-$root/../shared}

section "release build (-Werror) and full test suite"
cmake -S . -B build -DCSFS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCSFS_SHARED_DIR="$shared" >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

section "release suite without shared/ (what a clone alone runs; the rest skips)"
empty=$(mktemp -d "${TMPDIR:-/tmp}/csfs-no-shared.XXXXXX")
# Same build tree: only the test programs see another CSFS_SHARED_DIR.
cmake -S . -B build -DCSFS_SHARED_DIR="$empty" >/dev/null
cmake --build build -j"$jobs"
status=0
(cd build && ctest --output-on-failure -j"$jobs") > build/no-shared.log 2>&1 || status=$?
cmake -S . -B build -DCSFS_SHARED_DIR="$shared" >/dev/null
cmake --build build -j"$jobs" >/dev/null
rmdir "$empty"
[ "$status" -eq 0 ] || { cat build/no-shared.log; exit "$status"; }
grep -E '^[0-9]+% tests passed' build/no-shared.log
# What skipped, one line per missing file (C: "SKIP: needs ...", pytest -rs).
grep -hE '^SKIP: |^SKIPPED ' build/Testing/Temporary/LastTest.log | sed 's/^/  /' | sort -u

section "install checks: fresh clone, pip install ., pip wheel ., cmake --install, nm -D, man"
bash scripts/install_check.sh build

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
