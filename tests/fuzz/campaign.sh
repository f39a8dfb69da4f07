#!/usr/bin/env bash
# A longer fuzzing campaign than the short ctest runs: every libFuzzer target
# (or those named) for SECONDS each, with the same seeds, corpora kept between
# campaigns, crashes collected, and a table of executions per target at the end.
#
# Usage: tests/fuzz/campaign.sh [-b BUILD_DIR] [-t SECONDS] [-j PARALLEL] [TARGET...]
#   -b  clang fuzz build directory (default ./build-fuzz; configured and built
#       here when missing: -DCMAKE_C_COMPILER=clang -DCSFS_FUZZ=ON)
#   -t  seconds per target (default 600)
#   -j  targets run at once (default: online CPUs)
#   TARGET  fuzz_csf_text, fuzz_header_toml, ... (default: every fuzz_*.c)
#
# Corpora grow in BUILD_DIR/campaign/corpus/TARGET; crashing inputs land in
# BUILD_DIR/campaign/artifacts/TARGET/ (add each, once fixed, to
# tests/fuzz/regressions/TARGET/ so every test run replays it); logs in
# BUILD_DIR/campaign/logs/. Exit status 1 when any target crashed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fuzz_src="$root/tests/fuzz"
shared="${CSFS_SHARED_DIR:-$root/../shared}"

build="$root/build-fuzz"
seconds=600
parallel=$(nproc 2>/dev/null || echo 2)
while getopts "b:t:j:h" opt; do
  case $opt in
    b) build=$(realpath -m "$OPTARG") ;;
    t) seconds=$OPTARG ;;
    j) parallel=$OPTARG ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$fuzz_src"/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCSFS_FUZZ=ON \
    -DCSFS_PYTHON_TESTS=OFF -DCSFS_SHARED_DIR="$shared" >/dev/null
fi
cmake --build "$build" -j"$parallel" --target "${targets[@]}" >/dev/null

# Seed directories and options by target: the same as tests/fuzz/CMakeLists.txt.
seeds_for() {
  case $1 in
    fuzz_parquet_reader) echo "$shared/data/parquet-testing/data $shared/data/parquet-testing/bad_data" ;;
    fuzz_csf_text) echo "$shared/data/grasp" ;;
  esac
  for d in "$fuzz_src/seeds/$1" "$fuzz_src/regressions/$1"; do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}
args_for() {
  case $1 in
    fuzz_csf_text) echo "-max_len=8192" ;;
  esac
  return 0
}

out="$build/campaign"
mkdir -p "$out/logs"
run_one() {
  local t=$1
  local corpus="$out/corpus/$t" artifacts="$out/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  # shellcheck disable=SC2046
  "$build/tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 \
    -print_final_stats=1 -artifact_prefix="$artifacts" $(args_for "$t") \
    "$corpus" $(seeds_for "$t") >"$out/logs/$t.log" 2>&1 || true
}

echo "campaign: ${targets[*]}; $seconds s each, $parallel at once; output in $out"
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

status=0
printf '\n%-24s %14s %9s %9s %8s %8s\n' target executions seconds exec/s corpus crashes
for t in "${targets[@]}"; do
  log="$out/logs/$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  crashes=$(find "$out/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  corpus=$(find "$out/corpus/$t" -type f | wc -l)
  : "${execs:=0}" "${secs:=$seconds}"
  rate=$((execs / (secs > 0 ? secs : 1)))
  printf '%-24s %14s %9s %9s %8s %8s\n' "$t" "$execs" "$secs" "$rate" "$corpus" "$crashes"
  [ "$crashes" -eq 0 ] || status=1
done
exit $status
